//! Fuzzing every reader on stable Rust (issue 15). Each case is a real input
//! file mutated (bytes flipped, cut short, lines duplicated, removed or
//! swapped, numbers replaced by edge values such as 1e308, -0, NaN and inf,
//! huge fields, byte-order marks, CRLF, invalid UTF-8) or a file generated
//! from a real one's structure (each field drawn from its own column or from
//! the edge values). The reader runs in-process and must return either its
//! result or an input error that names a file (exit 2): a panic (exit 101),
//! an internal error (exit 1) or an input error naming no file fails the
//! test, and the case is saved under target/fuzz-failures/ to become a named
//! regression test in tests/regression.rs.
//!
//! Every seed is in the repository (datasets/, tests/fixtures/, the embedded
//! dataset), so the harness runs on a fresh clone. The normal test run does
//! a bounded number of cases per reader (a few seconds in all). The long run:
//!
//! ```sh
//! TMPDIR=/dev/shm JSNA_GAP_FUZZ_CASES=1000000 cargo test --test fuzz -- --nocapture
//! ```
//!
//! prints, per reader, the cases run and the outcomes by exit status
//! (`JSNA_GAP_FUZZ_READERS=caseload,config` runs only those readers). The
//! case files go to the temporary directory: a RAM disk keeps the run
//! from waiting on the disk. A case that aborts the process (an allocation
//! failure is not a panic) stays there, in `jsna-gap-fuzz-PID-READER/`.

use jsna_gap::apportion;
use jsna_gap::caseload::{self, observed};
use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::error::ErrorKind;
use jsna_gap::evidence::{self, treatment};
use jsna_gap::geography::Level;
use jsna_gap::geography::boundaries::read_layer;
use jsna_gap::geography::units::Units;
use jsna_gap::gss;
use jsna_gap::input::Fingerprint;
use jsna_gap::input::Table;
use jsna_gap::prevalence::{self, Prevalence};
use jsna_gap::services;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::OnceLock;

const PROJECT: &str = env!("CARGO_MANIFEST_DIR");
/// Cases per reader in the normal test run.
const BOUNDED_CASES: usize = 150;

fn cases() -> usize {
    std::env::var("JSNA_GAP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(BOUNDED_CASES)
}

fn project_file(relative: &str) -> Vec<u8> {
    std::fs::read(Path::new(PROJECT).join(relative)).unwrap()
}

/// splitmix64: a small deterministic generator (no dependency needed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that have broken number and text handling elsewhere.
const EDGE_VALUES: [&str; 36] = [
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e309",
    "-0",
    "-0.0",
    "0",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e-320",
    "4.9e-324",
    "-1",
    "173.5",
    "0.5",
    "1",
    "2",
    "99999999999999999999",
    "70000001",
    "1,234",
    "0x10",
    "1_000",
    "",
    "NA",
    " ",
    "\"",
    "E06000018",
    "E0600001",
    "W06000001",
    "K04000001",
    "30/13/2025",
    "2025-02-29",
    "ÿ",
    "yes",
];

/// Rewrites `bytes` by one randomly chosen mutation.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    match rng.below(14) {
        0 if len > 0 => {
            let i = rng.below(len);
            bytes[i] = rng.next() as u8;
        }
        1 if len > 0 => {
            let i = rng.below(len);
            bytes[i] ^= 1 << rng.below(8);
        }
        2 => bytes.truncate(rng.below(len + 1)),
        3..=5 => {
            let mut lines = split_lines(bytes);
            if !lines.is_empty() {
                let i = rng.below(lines.len());
                match rng.below(3) {
                    0 => {
                        let copy = lines[i].clone();
                        lines.insert(rng.below(lines.len() + 1), copy);
                    }
                    1 => {
                        lines.remove(i);
                    }
                    _ => {
                        let j = rng.below(lines.len());
                        lines.swap(i, j);
                    }
                }
                *bytes = lines.concat();
            }
        }
        6..=8 => {
            let value = rng_edge(rng);
            replace_token(rng, bytes, value);
        }
        9 => {
            let huge = "A".repeat(1 + rng.below(1 << 16));
            replace_token(rng, bytes, &huge);
        }
        10 => {
            let bom: &[u8] = rng.pick::<&[u8]>(&[&b"\xEF\xBB\xBF"[..], b"\xFF\xFE", b"\xFE\xFF"]);
            bytes.splice(0..0, bom.iter().copied());
        }
        11 => {
            let crlf: Vec<u8> = bytes
                .iter()
                .flat_map(|&b| {
                    if b == b'\n' {
                        vec![b'\r', b'\n']
                    } else {
                        vec![b]
                    }
                })
                .collect();
            *bytes = crlf;
        }
        12 => {
            let invalid: &[u8] =
                rng.pick::<&[u8]>(&[&b"\xFF"[..], b"\xC3", b"\xED\xA0\x80", b"\0"]);
            let at = rng.below(len + 1);
            bytes.splice(at..at, invalid.iter().copied());
        }
        _ => {
            let at = rng.below(len + 1);
            let inserted: &[u8] = rng.pick::<&[u8]>(&[&b"\""[..], b",", b"\n", b"[", b"{", b"="]);
            bytes.splice(at..at, inserted.iter().copied());
        }
    }
}

fn rng_edge(rng: &mut Rng) -> &'static str {
    rng.pick::<&'static str>(&EDGE_VALUES)
}

/// Lines with their line endings.
fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// Replaces one token (a run of bytes between separators: a CSV field, a
/// JSON or TOML number or word) with `value`.
fn replace_token(rng: &mut Rng, bytes: &mut Vec<u8>, value: &str) {
    let separator = |b: u8| b",\n\r\"[]{}: =".contains(&b);
    let starts: Vec<usize> = (0..bytes.len())
        .filter(|&i| !separator(bytes[i]) && (i == 0 || separator(bytes[i - 1])))
        .collect();
    if starts.is_empty() {
        bytes.extend_from_slice(value.as_bytes());
        return;
    }
    let start = *rng.pick(&starts);
    let end = (start..bytes.len())
        .find(|&i| separator(bytes[i]))
        .unwrap_or(bytes.len());
    bytes.splice(start..end, value.bytes());
}

/// A CSV made from a real one's structure: its header, and rows whose every
/// field is drawn from the same column of the real rows or from the edge
/// values.
fn generate_csv(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(seed.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(seed));
    let Ok(header) = reader.headers().cloned() else {
        return seed.to_vec();
    };
    let rows: Vec<csv::StringRecord> = reader.records().filter_map(|r| r.ok()).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).unwrap();
    for _ in 0..rng.below(8) {
        let row: Vec<String> = (0..header.len())
            .map(|c| {
                if rows.is_empty() || rng.below(4) == 0 {
                    rng_edge(rng).to_string()
                } else {
                    rng.pick(&rows).get(c).unwrap_or("").to_string()
                }
            })
            .collect();
        out.write_record(&row).unwrap();
    }
    out.into_inner().unwrap()
}

/// A TOML config made from the default one: one key's value replaced by a
/// value of another shape or an edge value.
fn generate_toml(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    const VALUES: [&str; 16] = [
        "nan",
        "inf",
        "-inf",
        "1e308",
        "-0.0",
        "0",
        "-5",
        "5.5",
        "[100, 50, 10]",
        "[]",
        "[nan, inf]",
        "[1, 2, 3]",
        "\"\"",
        "\"fisher_jenks\"",
        "{ ctyua = \"nope\" }",
        "true",
    ];
    let text = String::from_utf8_lossy(seed);
    let lines: Vec<&str> = text.lines().collect();
    let keys: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains(" = ") && !lines[i].starts_with('#'))
        .collect();
    let chosen = *rng.pick(&keys);
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| match (i == chosen, line.split_once(" = ")) {
            (true, Some((key, _))) => format!("{key} = {}\n", rng.pick(&VALUES)),
            _ => format!("{line}\n"),
        })
        .collect::<String>()
        .into_bytes()
}

/// A GeoJSON layer made from real features: one feature's geometry,
/// properties or type changed in a way real files have gone wrong.
fn generate_geojson(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    use serde_json::{Value, json};
    let Ok(mut layer) = serde_json::from_slice::<Value>(seed) else {
        return seed.to_vec();
    };
    let Some(features) = layer["features"].as_array_mut() else {
        return seed.to_vec();
    };
    if features.is_empty() {
        return seed.to_vec();
    }
    let i = rng.below(features.len());
    let edge = |rng: &mut Rng| -> Value {
        rng.pick(&[
            json!(1e308),
            json!(-1e308),
            json!(500.0),
            json!(-0.0),
            json!(5e-324),
            json!(null),
            json!("1"),
        ])
        .clone()
    };
    match rng.below(8) {
        0 => features[i]["geometry"] = Value::Null,
        1 => features[i]["geometry"]["coordinates"] = json!([]),
        2 => features[i]["geometry"]["type"] = json!("LineString"),
        3 => {
            let field = rng.pick(&["AREACD", "AREANM", "GlobalID"]);
            features[i]["properties"][*field] = edge(rng);
        }
        4 => {
            let copy = features[i].clone();
            features.push(copy);
        }
        5 => layer["crs"] = json!({"type": "name", "properties": {"name": "EPSG:27700"}}),
        _ => {
            // One coordinate of one ring replaced by an edge value.
            let mut coordinates = &mut features[i]["geometry"]["coordinates"];
            while let Some(items) = coordinates.as_array_mut() {
                if items.is_empty() {
                    break;
                }
                let k = rng.below(items.len());
                if items[k].is_number() {
                    items[k] = edge(rng);
                    break;
                }
                coordinates = &mut items[k];
            }
        }
    }
    serde_json::to_vec(&layer).unwrap()
}

/// How a case ended, as the command line would exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Exit 0: the reader accepted the file.
    Accepted,
    /// Exit 2: an input error naming the file.
    InputError,
    /// Exit 2 but no file named: a failure of the error discipline.
    InputErrorWithoutFile,
    /// Exit 1.
    InternalError,
    /// Exit 101.
    Panic,
}

/// A set of files read together (a Shapefile and its .shx, .dbf, .prj);
/// the first is the one the reader is given.
type Files = Vec<(&'static str, Vec<u8>)>;

/// Structured generation of a case from a seed's bytes.
type Generate = fn(&mut Rng, &[u8]) -> Vec<u8>;
/// A reader run on a case's file.
type Read = Box<dyn Fn(&Path) -> jsna_gap::Result<()>>;

/// One reader under test.
struct Reader {
    name: &'static str,
    seeds: Vec<Files>,
    /// Structured generation from a seed, for text formats.
    generate: Option<Generate>,
    read: Read,
}

/// Runs `cases` cases against a reader and returns the outcome counts;
/// failing cases are saved for reproduction.
fn fuzz(reader: &Reader, cases: usize, seed: u64) -> BTreeMap<Outcome, usize> {
    let dir = std::env::temp_dir().join(format!(
        "jsna-gap-fuzz-{}-{}",
        std::process::id(),
        reader.name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let failures = Path::new(PROJECT).join("target/fuzz-failures");
    let mut rng = Rng(seed);
    let mut outcomes = BTreeMap::new();
    for case in 0..cases {
        let mut files = rng.pick(&reader.seeds).clone();
        let target = rng.below(files.len());
        let bytes = &mut files[target].1;
        if let Some(generate) = reader.generate
            && rng.below(4) == 0
        {
            *bytes = generate(&mut rng, bytes);
        }
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, bytes);
        }
        for (name, bytes) in &files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        let path = dir.join(files[0].0);
        let outcome = match catch_unwind(AssertUnwindSafe(|| (reader.read)(&path))) {
            Ok(Ok(())) => Outcome::Accepted,
            Ok(Err(e)) if e.kind == ErrorKind::Internal => Outcome::InternalError,
            Ok(Err(e)) if e.location.file.is_none() => Outcome::InputErrorWithoutFile,
            Ok(Err(_)) => Outcome::InputError,
            Err(_) => Outcome::Panic,
        };
        if outcome > Outcome::InputError {
            let saved = failures.join(format!("{}-{case}", reader.name));
            std::fs::create_dir_all(&saved).unwrap();
            for (name, bytes) in &files {
                std::fs::write(saved.join(name), bytes).unwrap();
            }
            eprintln!(
                "fuzz {}: {outcome:?}, case saved in {}",
                reader.name,
                saved.display()
            );
        }
        *outcomes.entry(outcome).or_default() += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    outcomes
}

fn prevalence_table() -> &'static Vec<Prevalence> {
    static P: OnceLock<Vec<Prevalence>> = OnceLock::new();
    P.get_or_init(|| {
        let path = Path::new(PROJECT).join("datasets/prevalence.csv");
        prevalence::read(&Table::read(&path).unwrap()).unwrap()
    })
}

fn condition_ids() -> Vec<&'static str> {
    prevalence_table()
        .iter()
        .map(|p| p.condition.as_str())
        .collect()
}

/// The embedded dataset's units: every English LSOA with its areas.
fn units() -> &'static Units {
    static U: OnceLock<Units> = OnceLock::new();
    U.get_or_init(|| {
        jsna_gap::load::units(&RunSpec::resolve(&Overrides::default()).unwrap().data).unwrap()
    })
}

/// Local prevalence as a run at upper-tier authorities and sub-ICBs takes it.
fn reported(level: Level, code: &str) -> Result<(), String> {
    let levels = [Level::Ctyua, Level::Sicbl];
    let known = levels.contains(&level)
        && units()
            .lsoas
            .iter()
            .any(|l| Units::area_of(l, level) == code);
    known
        .then_some(())
        .ok_or_else(|| "not reported".to_string())
}

const LOCAL_PREVALENCE: &[u8] = b"level,area_code,condition,numerator,n,source\n\
ctyua,E06000018,current_mental_illness,700,1500,OASys extract\n\
sicbl,E38000264,psychosis,12,150,OASys extract\n";

/// One file as a set of one.
fn single(name: &'static str, bytes: Vec<u8>) -> Files {
    vec![(name, bytes)]
}

/// A Shapefile fixture: the .shp with its .shx, .dbf, .prj and .cpg.
fn shapefile(stem: &str) -> Files {
    ["shp", "shx", "dbf", "prj", "cpg"]
        .iter()
        .zip([
            "layer.shp",
            "layer.shx",
            "layer.dbf",
            "layer.prj",
            "layer.cpg",
        ])
        .filter(|(ext, _)| {
            Path::new(PROJECT)
                .join(format!("tests/fixtures/geodata/{stem}.{ext}"))
                .exists()
        })
        .map(|(ext, name)| {
            (
                name,
                project_file(&format!("tests/fixtures/geodata/{stem}.{ext}")),
            )
        })
        .collect()
}

fn table_reader(
    name: &'static str,
    dataset: &str,
    read: impl Fn(&Table) -> jsna_gap::Result<()> + 'static,
) -> Reader {
    Reader {
        name,
        seeds: vec![single("table.csv", project_file(dataset))],
        generate: Some(generate_csv),
        read: Box::new(move |p| read(&Table::read(p)?)),
    }
}

fn geodata_reader(name: &'static str, seeds: Vec<Files>) -> Reader {
    Reader {
        name,
        seeds,
        generate: None,
        read: Box::new(|p| apportion::read_layer(p, None, "AREACD", Fingerprint::Skip).map(drop)),
    }
}

fn readers() -> Vec<Reader> {
    let geodata = |file: &str| project_file(&format!("tests/fixtures/geodata/{file}"));
    let datasets = [
        "caseload.csv",
        "prevalence.csv",
        "treatment_access.csv",
        "services.csv",
        "general_population.csv",
        "caseload_observed.csv",
        "caseload_national.csv",
        "evidence.csv",
        "treatment_evidence.csv",
    ];
    vec![
        Reader {
            name: "table",
            seeds: datasets
                .iter()
                .map(|d| single("table.csv", project_file(&format!("datasets/{d}"))))
                .collect(),
            generate: Some(generate_csv),
            read: Box::new(|p| Table::read(p).map(drop)),
        },
        table_reader("caseload", "datasets/caseload.csv", |t| {
            caseload::read(t).map(drop)
        }),
        table_reader("prevalence", "datasets/prevalence.csv", |t| {
            prevalence::read(t).map(drop)
        }),
        table_reader("treatment_access", "datasets/treatment_access.csv", |t| {
            prevalence::read_access(t, prevalence_table()).map(drop)
        }),
        table_reader(
            "general_population",
            "datasets/general_population.csv",
            |t| prevalence::read_comparators(t, prevalence_table()).map(drop),
        ),
        Reader {
            name: "local_prevalence",
            seeds: vec![single("table.csv", LOCAL_PREVALENCE.to_vec())],
            generate: Some(generate_csv),
            read: Box::new(|p| {
                prevalence::read_local(&Table::read(p)?, prevalence_table(), &reported).map(drop)
            }),
        },
        table_reader("services", "datasets/services.csv", |t| {
            services::read(t, units()).map(drop)
        }),
        table_reader("observed", "datasets/caseload_observed.csv", |t| {
            observed::read(t).map(drop)
        }),
        table_reader("national", "datasets/caseload_national.csv", |t| {
            observed::read_national(t).map(drop)
        }),
        table_reader("evidence", "datasets/evidence.csv", |t| {
            evidence::read(t, &condition_ids()).map(drop)
        }),
        table_reader(
            "treatment_evidence",
            "datasets/treatment_evidence.csv",
            |t| treatment::read(t, &condition_ids()).map(drop),
        ),
        Reader {
            name: "apportion_values",
            seeds: vec![single(
                "values.csv",
                project_file("tests/fixtures/apportion/values.csv"),
            )],
            generate: Some(generate_csv),
            read: Box::new(|p| {
                apportion::values::Values::read(p, "area", "count", Fingerprint::Skip).map(drop)
            }),
        },
        Reader {
            name: "config",
            seeds: vec![single("jsna.toml", project_file("jsna.toml"))],
            generate: Some(generate_toml),
            read: Box::new(|p| {
                RunSpec::resolve(&Overrides {
                    config: Some(p.to_path_buf()),
                    ..Overrides::default()
                })
                .map(drop)
            }),
        },
        Reader {
            name: "geojson_boundaries",
            seeds: [
                "three_areas.geojson",
                "needs_repair.geojson",
                "null_and_empty_geometry.geojson",
                "single_feature.geojson",
                "projected_coordinates.geojson",
            ]
            .iter()
            .map(|f| {
                single(
                    "layer.geojson",
                    project_file(&format!("tests/fixtures/geography/{f}")),
                )
            })
            .collect(),
            generate: Some(generate_geojson),
            read: Box::new(|p| {
                read_layer(p, "AREACD", "AREANM", &|code: &str| {
                    (!gss::is_english(code)).then(|| "outside England".to_string())
                })
                .map(drop)
            }),
        },
        geodata_reader(
            "shapefile",
            vec![shapefile("humber_ccg"), shapefile("humber_ccg_bng")],
        ),
        geodata_reader(
            "geopackage",
            vec![single("layer.gpkg", geodata("humber_ccg.gpkg"))],
        ),
        geodata_reader(
            "geoparquet",
            vec![
                single("layer.parquet", geodata("humber_ccg.parquet")),
                single("layer.parquet", geodata("humber_ccg_bng.parquet")),
            ],
        ),
    ]
}

#[test]
fn no_reader_panics_or_fails_without_naming_its_file() {
    // Panics are caught and counted; keep their messages off the output.
    std::panic::set_hook(Box::new(|_| {}));
    let cases = cases();
    let only = std::env::var("JSNA_GAP_FUZZ_READERS").ok();
    let mut failed = Vec::new();
    eprintln!(
        "fuzz: {cases} cases per reader (exit 0 accepted, 2 input error, 1 internal, 101 panic)"
    );
    for (i, reader) in readers().iter().enumerate() {
        if only
            .as_ref()
            .is_some_and(|o| !o.split(',').any(|n| n == reader.name))
        {
            continue;
        }
        let started = std::time::Instant::now();
        let outcomes = fuzz(reader, cases, 0x15 + i as u64);
        let count = |o: Outcome| outcomes.get(&o).copied().unwrap_or(0);
        eprintln!(
            "fuzz {:<20} {cases:>8} cases in {:>7.1} s: exit 0 {:>8}, exit 2 {:>8}, exit 2 without a file {}, exit 1 {}, panic {}",
            reader.name,
            started.elapsed().as_secs_f64(),
            count(Outcome::Accepted),
            count(Outcome::InputError),
            count(Outcome::InputErrorWithoutFile),
            count(Outcome::InternalError),
            count(Outcome::Panic),
        );
        if outcomes.keys().any(|&o| o > Outcome::InputError) {
            failed.push(reader.name);
        }
    }
    let _ = std::panic::take_hook();
    assert!(
        failed.is_empty(),
        "readers that failed: {failed:?} (cases in target/fuzz-failures)"
    );
}

//! One test per bug, named after what it broke. Each starts with a comment
//! pointing at the issue that found it (issue 15: a hostile but realistic
//! user's inputs, a full disk, a read-only mount, concurrent runs), and each
//! checks the promise the README makes. Runs on the embedded dataset unless
//! a test says otherwise.

mod common;

use jsna_gap::analysis::sensitivity::SensitivityRow;
use jsna_gap::error::ErrorKind;
use jsna_gap::geography::Level;
use jsna_gap::input::Fingerprint;
use jsna_gap::output::{self, OutputDir, Outputs};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("jsna-gap-regression-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn jsna_gap<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jsna-gap"))
        .args(args)
        .env_remove("JSNA_GAP_DATA")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn dataset(name: &str) -> String {
    std::fs::read_to_string(Path::new(PROJECT).join("datasets").join(name)).unwrap()
}

const DATASETS: [&str; 9] = [
    "caseload",
    "prevalence",
    "treatment_access",
    "services",
    "general_population",
    "caseload_observed",
    "caseload_national",
    "evidence",
    "treatment_evidence",
];

/// A config like the default one in `dir`, with some datasets replaced (by
/// name: "caseload", "local_prevalence", ...), the rest the project's own,
/// and the text then edited.
fn config(dir: &Path, replaced: &[(&str, &str)], edit: impl Fn(String) -> String) -> PathBuf {
    let default = std::fs::read_to_string(Path::new(PROJECT).join("jsna.toml")).unwrap();
    let path_of = |name: &str| match replaced.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => {
            let path = dir.join(format!("{name}.csv"));
            std::fs::write(&path, text).unwrap();
            path
        }
        None => Path::new(PROJECT).join(format!("datasets/{name}.csv")),
    };
    let mut text = String::new();
    for line in default.lines() {
        let name = DATASETS
            .iter()
            .find(|name| line.starts_with(&format!("{name} = \"datasets/")));
        match name {
            Some(name) => text.push_str(&format!(
                "{name} = {:?}",
                path_of(name).display().to_string()
            )),
            None => text.push_str(line),
        }
        text.push('\n');
        if line == "[datasets]" && replaced.iter().any(|(n, _)| *n == "local_prevalence") {
            let local = path_of("local_prevalence");
            text.push_str(&format!(
                "local_prevalence = {:?}\n",
                local.display().to_string()
            ));
        }
    }
    let path = dir.join("jsna.toml");
    std::fs::write(&path, edit(text)).unwrap();
    path
}

/// `validate` on a config: exit 2, no panic; returns stderr.
fn refused(config: &Path) -> String {
    let out = jsna_gap(&[
        OsStr::new("validate"),
        OsStr::new("--config"),
        config.as_os_str(),
    ]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    text
}

/// The line of a text on which `needle` first appears (from 1).
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

// ---------------------------------------------------------------------------
// The output directory holds one complete run or the previous one.

/// A run's outputs as the pipeline makes them: files, and a manifest.json
/// of this tool listing them.
fn run_of(files: &[(&str, &str)]) -> Outputs {
    let mut outputs = Outputs::default();
    let mut listed: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
    listed.push("manifest.json");
    for (path, text) in files {
        outputs.add(*path, text.as_bytes().to_vec());
    }
    let manifest = serde_json::json!({
        "tool": {"name": "jsna-gap", "version": env!("CARGO_PKG_VERSION")},
        "outputs": listed,
    });
    outputs.add("manifest.json", serde_json::to_vec(&manifest).unwrap());
    outputs
}

/// Every file under `dir`, relative, with its contents.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn expected(outputs: &Outputs) -> BTreeMap<String, Vec<u8>> {
    outputs
        .paths()
        .map(|p| {
            let p = p.display().to_string();
            let bytes = outputs.get(&p).unwrap().to_vec();
            (p, bytes)
        })
        .collect()
}

/// The names beside the output directory.
fn beside(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn previous_run() -> Outputs {
    run_of(&[
        ("gap.csv", "old gap"),
        ("maps/lad-psychosis.svg", "<svg>old lad map</svg>"),
        ("charts/lad-psychosis-ranked.svg", "<svg>old chart</svg>"),
        ("annex/E06000018.html", "old annex"),
    ])
}

fn new_run() -> Outputs {
    run_of(&[
        ("gap.csv", "new gap"),
        ("maps/ctyua-psychosis.svg", "<svg>new map</svg>"),
        ("annex/E06000018.html", "new annex"),
        ("annex/index.html", "new index"),
    ])
}

#[test]
fn a_run_that_fails_half_way_leaves_the_previous_run_intact() {
    // Issue 15: on a full disk a failed run left 481 rewritten annex and
    // chart files beside the old manifest, gap.csv and maps.
    let dir = scratch("half-way").join("out");
    previous_run().write(&dir).unwrap();
    let written = std::cell::Cell::new(0);
    let fail_on_third = |path: &Path, bytes: &[u8]| -> io::Result<()> {
        written.set(written.get() + 1);
        if written.get() == 3 {
            return Err(io::Error::other("simulated crash"));
        }
        std::fs::write(path, bytes)
    };
    let e = OutputDir::claim(&dir)
        .unwrap()
        .replace_with(&new_run(), &fail_on_third)
        .unwrap_err();
    assert_eq!(written.get(), 3);
    assert!(e.to_string().contains("simulated crash"), "{e}");
    assert!(e.to_string().contains("holds the previous run"), "{e}");
    assert_eq!(tree(&dir), expected(&previous_run()));
    assert_eq!(
        beside(&dir),
        BTreeSet::from(["out".into(), ".out.jsna-gap-lock".into()])
    );
}

#[test]
fn a_full_disk_writes_no_partial_run() {
    // Issue 15: on a full disk a failed run (exit 2) left 119 files in a new
    // directory.
    let dir = scratch("full-disk").join("out");
    let written = std::cell::Cell::new(0);
    let full_after_one = |path: &Path, bytes: &[u8]| -> io::Result<()> {
        written.set(written.get() + 1);
        if written.get() > 1 {
            return Err(io::ErrorKind::StorageFull.into());
        }
        std::fs::write(path, bytes)
    };
    let e = OutputDir::claim(&dir)
        .unwrap()
        .replace_with(&new_run(), &full_after_one)
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("the disk is full"), "{e}");
    assert!(!dir.exists(), "a failed run must leave no directory");
    assert_eq!(beside(&dir), BTreeSet::from([".out.jsna-gap-lock".into()]));
}

#[test]
fn a_run_over_another_configurations_run_leaves_none_of_its_files() {
    // Issue 15: a successful run over a directory from a different
    // configuration left the other run's 44 LAD maps and charts behind.
    let dir = scratch("stale").join("out");
    previous_run().write(&dir).unwrap();
    new_run().write(&dir).unwrap();
    assert_eq!(tree(&dir), expected(&new_run()));
    assert_eq!(
        beside(&dir),
        BTreeSet::from(["out".into(), ".out.jsna-gap-lock".into()])
    );
}

#[test]
fn check_caseload_output_inside_a_run_is_kept_when_the_run_is_replaced() {
    // Issue 15 (whole-run replacement): `check-caseload` writes to
    // output/check-caseload by default, inside the run's directory; a new
    // run moves it across instead of refusing the directory or deleting it.
    let dir = scratch("check-kept").join("out");
    previous_run().write(&dir).unwrap();
    let check = dir.join("check-caseload");
    std::fs::create_dir_all(&check).unwrap();
    std::fs::write(check.join("check_caseload.csv"), "id\n").unwrap();
    new_run().write(&dir).unwrap();
    let mut wanted = expected(&new_run());
    wanted.insert("check-caseload/check_caseload.csv".into(), b"id\n".to_vec());
    assert_eq!(tree(&dir), wanted);
}

#[test]
fn leftovers_of_a_killed_run_are_removed_and_named() {
    // Issue 15: a run killed half-way must not leave its staging directory
    // for ever; the next claim removes it and says so.
    let parent = scratch("leftover");
    let dir = parent.join("out");
    let staging = parent.join(".out.jsna-gap-staging");
    std::fs::create_dir_all(staging.join("maps")).unwrap();
    std::fs::write(staging.join("maps/x.svg"), "half").unwrap();
    let claimed = OutputDir::claim(&dir).unwrap();
    assert_eq!(claimed.leftovers, std::slice::from_ref(&staging));
    assert!(!staging.exists());
}

#[test]
fn a_second_run_into_the_same_directory_stops_before_computing() {
    // Issue 15: two runs into the same --out at once mixed both, and both
    // exited 0.
    let dir = scratch("concurrent").join("out");
    let first = OutputDir::claim(&dir).unwrap();
    let e = OutputDir::claim(&dir).unwrap_err();
    assert!(e.message.contains("another jsna-gap run"), "{e}");
    let out = jsna_gap(&[OsStr::new("run"), OsStr::new("--out"), dir.as_os_str()]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "{}: another jsna-gap run (process {}) is writing this directory",
            dir.display(),
            std::process::id()
        )),
        "{text}"
    );
    assert!(
        !text.contains("reading lookups"),
        "refused only after computing: {text}"
    );
    drop(first);
    assert!(OutputDir::claim(&dir).is_ok(), "the lock ends with the run");
}

#[test]
fn out_that_is_a_file_is_refused_before_computing() {
    // Issue 15: --out naming a file was found only after about 6 s of computing.
    let dir = scratch("out-file");
    let file = dir.join("results");
    std::fs::write(&file, "mine").unwrap();
    let out = jsna_gap(&[OsStr::new("run"), OsStr::new("--out"), file.as_os_str()]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("--out is a file, not a directory"), "{text}");
    assert!(!text.contains("reading lookups"), "{text}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn out_where_nothing_can_be_written_is_refused_before_computing() {
    // Issue 15: --out on a read-only mount was found only after computing.
    // (A path under a file fails for every user, root included; a read-only
    // mount gives the same message with "Read-only file system".)
    let dir = scratch("unwritable");
    std::fs::write(dir.join("file"), "").unwrap();
    let target = dir.join("file/out");
    let out = jsna_gap(&[OsStr::new("run"), OsStr::new("--out"), target.as_os_str()]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("cannot write the output"), "{text}");
    assert!(!text.contains("reading lookups"), "{text}");
}

#[test]
fn apportion_out_that_cannot_be_written_is_refused_before_the_overlay() {
    // Issue 15: the output was checked only after the work was done.
    let dir = scratch("apportion-out");
    let fixture = |f: &str| Path::new(PROJECT).join("tests/fixtures/apportion").join(f);
    let args = |out: &Path| -> Vec<OsString> {
        [
            "apportion",
            "--from",
            fixture("sources.geojson").to_str().unwrap(),
            "--from-code",
            "code",
            "--to",
            fixture("targets.geojson").to_str().unwrap(),
            "--to-code",
            "code",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(OsString::from)
        .to_vec()
    };
    let out = jsna_gap(&args(&dir));
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("--out is a directory, not a file"), "{text}");
    assert!(!text.contains("read 3 source areas"), "{text}");
    std::fs::write(dir.join("file"), "").unwrap();
    let out = jsna_gap(&args(&dir.join("file/crosswalk.csv")));
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("cannot write"), "{text}");
    assert!(!text.contains("read 3 source areas"), "{text}");
}

#[test]
fn a_directory_of_the_users_own_files_is_never_replaced() {
    // Issue 15 (whole-run replacement must not delete a user's directory).
    let dir = scratch("users").join("out");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let e = new_run().write(&dir).unwrap_err();
    assert!(e.message.contains("is not a jsna-gap run"), "{e}");
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );

    // A run directory with a file of the user's in it is refused too, naming it.
    let dir = scratch("users-in-run").join("out");
    previous_run().write(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let e = new_run().write(&dir).unwrap_err();
    assert!(e.message.contains("other files: notes.txt"), "{e}");
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
}

// ---------------------------------------------------------------------------
// No number that cannot be right is read; no non-finite number is published.

const CASELOAD_HEADER: &str = "level,area_code,area_name,caseload,date,measure,source,verified\n";

#[test]
fn a_caseload_of_1e308_is_refused() {
    // Issue 15: a caseload of 1e308 gave 225 inf/NaN cells in gap.csv.
    let dir = scratch("caseload-1e308");
    let rows = format!(
        "{CASELOAD_HEADER}country,K04000001,England and Wales,1e308,2025-06-30,people,MoJ,yes\n"
    );
    let text = refused(&config(&dir, &[("caseload", &rows)], |t| t));
    assert!(
        text.contains("caseload.csv: line 2: caseload is 1e308, more people than live in the UK"),
        "{text}"
    );
}

#[test]
fn a_caseload_of_0_is_refused() {
    // Issue 15: a caseload of 0 was accepted silently.
    let dir = scratch("caseload-0");
    let rows =
        format!("{CASELOAD_HEADER}ctyua,E06000018,Nottingham,0,2025-06-30,people,local,yes\n");
    let text = refused(&config(&dir, &[("caseload", &rows)], |t| t));
    assert!(
        text.contains("caseload.csv: line 2, column 4: caseload is 0"),
        "{text}"
    );
}

#[test]
fn an_impossible_date_is_refused() {
    // Issue 15: dates like 30/13/2025 were accepted silently.
    let dir = scratch("date");
    let rows =
        format!("{CASELOAD_HEADER}ctyua,E06000018,Nottingham,1500,30/13/2025,people,local,yes\n");
    let text = refused(&config(&dir, &[("caseload", &rows)], |t| t));
    assert!(
        text.contains("caseload.csv: line 2, column 5: date '30/13/2025' is not a date"),
        "{text}"
    );
}

#[test]
fn a_service_capacity_of_1e308_is_refused() {
    // Issue 15: a service capacity of 1e308 gave inf/NaN cells in gap.csv.
    let dir = scratch("capacity-1e308");
    let services = dataset("services.csv").replacen(",662,", ",1e308,", 1);
    let line = line_of(&services, "1e308");
    let text = refused(&config(&dir, &[("services", &services)], |t| t));
    assert!(
        text.contains(&format!(
            "services.csv: line {line}: capacity is 1e308, more people than live in the UK"
        )),
        "{text}"
    );
}

#[test]
fn a_capacity_above_the_national_caseload_is_refused() {
    // Issue 15: service capacities above the national caseload were spread.
    let dir = scratch("capacity-caseload");
    let services = dataset("services.csv").replacen(",662,", ",5000000,", 1);
    let text = refused(&config(&dir, &[("services", &services)], |t| t));
    assert!(
        text.contains("key capacity: capacity 5,000,000 is more than the national caseload"),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn an_iod_employment_scale_of_1e308_is_refused() {
    // Issue 15: an IoD employment_scale of 1e308 for one district made its
    // caseload NaN while the progress line still reported 231,012 placed.
    let dir = scratch("iod");
    let iod = "deprivation/imd2025_lad24_summaries.csv";
    let data = data_dir_with(&dir, iod, |text| {
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        let column = header
            .iter()
            .position(|c| *c == "employment_scale")
            .unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut fields: Vec<&str> = lines[1].split(',').collect();
        fields[column] = "1e308";
        lines[1] = fields.join(",");
        lines.join("\n") + "\n"
    });
    let out = jsna_gap(&[
        OsStr::new("validate"),
        OsStr::new("--data-dir"),
        data.as_os_str(),
    ]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("imd2025_lad24_summaries.csv: line 2: employment_scale is 1e308, more people than live in the UK"),
        "{text}"
    );
}

/// A data directory like the original one with one file's text changed:
/// every other entry is a symbolic link to the original.
fn data_dir_with(dir: &Path, relative: &str, change: impl Fn(&str) -> String) -> PathBuf {
    fn mirror(real: &Path, copy: &Path, wanted: &Path, change: &dyn Fn(&str) -> String) {
        std::fs::create_dir_all(copy).unwrap();
        for entry in std::fs::read_dir(real).unwrap() {
            let name = entry.unwrap().file_name();
            let (real, copy) = (real.join(&name), copy.join(&name));
            if wanted == Path::new(&name) {
                let text = std::fs::read_to_string(&real).unwrap();
                std::fs::write(copy, change(&text)).unwrap();
            } else if let Ok(rest) = wanted.strip_prefix(&name) {
                mirror(&real, &copy, rest, change);
            } else {
                std::os::unix::fs::symlink(real, copy).unwrap();
            }
        }
    }
    let data = dir.join("data");
    mirror(&common::originals(), &data, Path::new(relative), &change);
    data
}

#[test]
fn round_to_nan_or_0_and_below_under_0_are_refused_with_their_line() {
    // Issue 15: `round_to = nan` gave "rounded to the nearest NaN" in 154
    // annexes; `round_to = 0` and `below = -5` were accepted.
    for (from, to, said) in [
        (
            "round_to = 5",
            "round_to = nan",
            "publication.round_to is NaN",
        ),
        ("round_to = 5", "round_to = 0", "publication.round_to is 0"),
        (
            "round_to = 5",
            "round_to = inf",
            "publication.round_to is inf",
        ),
        ("below = 5", "below = -5", "publication.below is -5"),
    ] {
        let dir = scratch("publication");
        let path = config(&dir, &[], |t| t.replace(from, to));
        let text = refused(&path);
        let line = line_of(&std::fs::read_to_string(&path).unwrap(), to);
        assert!(
            text.contains(&format!("jsna.toml: line {line}: ")),
            "{text}"
        );
        assert!(text.contains(said), "{text}");
    }
}

#[test]
fn map_breaks_that_run_refuses_are_refused_by_validate_with_the_config_line() {
    // Issue 15: `validate` passed [100, 50, 10], [] and [nan, inf], which
    // `run` then refused with a message naming neither the file nor the line.
    for breaks in ["[100, 50, 10]", "[]", "[nan, inf]"] {
        let dir = scratch("breaks");
        let edit = |t: String| {
            t.replace(
                "classification = \"fisher_jenks\"",
                &format!("classification = {breaks}"),
            )
        };
        let path = config(&dir, &[], edit);
        let text = refused(&path);
        let line = line_of(&std::fs::read_to_string(&path).unwrap(), breaks);
        assert!(
            text.contains(&format!("jsna.toml: line {line}: ")),
            "{breaks}: {text}"
        );
        assert!(text.contains("map breaks"), "{breaks}: {text}");
        let run = jsna_gap(&[
            OsStr::new("run"),
            OsStr::new("--config"),
            path.as_os_str(),
            OsStr::new("--out"),
            dir.join("out").as_os_str(),
        ]);
        assert_eq!(stderr(&run), text, "run and validate say the same");
    }
}

#[test]
fn a_non_finite_number_in_a_table_fails_the_run_naming_the_cell() {
    // Issue 15: a caseload of 1e308 gave 225 inf/NaN cells in gap.csv. The
    // readers now refuse such inputs; the last check stays, for the bug
    // that lets one through.
    let row = |value: f64| SensitivityRow {
        level: Level::Ctyua,
        area_code: "E06000018".to_string(),
        area_name: "Nottingham".to_string(),
        condition: "psychosis".to_string(),
        scenario: "income_scale".to_string(),
        column: "need",
        value,
        rank: 1,
        top_fifth: true,
        top_fifth_in_every_scenario: false,
    };
    assert!(output::sensitivity_frame(&[row(1.5)]).is_ok());
    let e = output::sensitivity_frame(&[row(1.5), row(f64::NAN)]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Internal);
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.to_string().lines().next().unwrap(),
        "sensitivity.csv: line 3: ctyua E06000018 psychosis income_scale: key value: value is NaN: a published number must be finite; nothing was written"
    );
}

#[test]
fn a_non_finite_number_in_an_annex_fails_the_run_naming_the_file_and_line() {
    // Issue 15: annexes said "about inf in every 100,000 adults" and
    // "After the NaN places apportioned".
    let mut outputs = Outputs::default();
    outputs.add(
        "annex/E06000018.html",
        b"<p>Need</p>\n<p>about inf in every 100,000 adults</p>\n".to_vec(),
    );
    outputs.add(
        "explorer/index.html",
        b"<script>isNaN(x) || y < Infinity</script>".to_vec(),
    );
    let e = outputs.check_finite().unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(
        e.to_string()
            .starts_with("annex/E06000018.html: line 2: the text shows a number as 'inf'"),
        "{e}"
    );
    let mut fine = Outputs::default();
    fine.add(
        "explorer/index.html",
        b"<script>isNaN(x) || y < Infinity</script>".to_vec(),
    );
    assert!(
        fine.check_finite().is_ok(),
        "isNaN and Infinity are words of the script"
    );
}

// ---------------------------------------------------------------------------
// Every input row accounted for.

const LOCAL_HEADER: &str = "level,area_code,condition,numerator,n,source\n";

#[test]
fn local_prevalence_for_an_unknown_area_is_refused() {
    // Issue 15: local prevalence rows for an unknown area disappeared with
    // no mention.
    let dir = scratch("local-area");
    let rows = format!("{LOCAL_HEADER}ctyua,E06000099,psychosis,12,150,OASys\n");
    let text = refused(&config(&dir, &[("local_prevalence", &rows)], |t| t));
    assert!(
        text.contains(
            "local_prevalence.csv: line 2, column 2: E06000099 is not a ctyua area this run reports"
        ),
        "{text}"
    );
    assert!(text.contains("check the code and its vintage"), "{text}");
}

#[test]
fn local_prevalence_for_a_level_the_run_does_not_report_is_refused() {
    // Issue 15: local prevalence rows for a level the run does not report
    // disappeared with no mention.
    let dir = scratch("local-level");
    let rows = format!("{LOCAL_HEADER}lad,E07000170,psychosis,12,150,OASys\n");
    let text = refused(&config(&dir, &[("local_prevalence", &rows)], |t| t));
    assert!(
        text.contains("E07000170 is not a lad area this run reports"),
        "{text}"
    );
    assert!(
        text.contains("the run reports at ctyua, sicbl: add lad to run.levels"),
        "{text}"
    );
}

#[test]
fn unverified_prevalence_is_refused() {
    // Issue 15: prevalence rows with verified = no were used, although the
    // README says only verified or secondary rows are.
    let dir = scratch("unverified");
    let prevalence = dataset("prevalence.csv");
    let line = line_of(&prevalence, "\npsychosis,") + 1;
    let changed: Vec<String> = prevalence
        .lines()
        .enumerate()
        .map(|(i, l)| match i + 1 == line {
            true => l.replace(",secondary,", ",no,"),
            false => l.to_string(),
        })
        .collect();
    let text = refused(&config(
        &dir,
        &[("prevalence", &(changed.join("\n") + "\n"))],
        |t| t,
    ));
    assert!(
        text.contains(&format!("prevalence.csv: line {line}, column 14: the prevalence of psychosis is not verified ('no')")),
        "{text}"
    );
}

/// The prevalence table with the first condition's fields changed.
fn first_prevalence_row(change: impl Fn(&str) -> String) -> String {
    let prevalence = dataset("prevalence.csv");
    let mut lines: Vec<String> = prevalence.lines().map(str::to_string).collect();
    lines[1] = change(&lines[1]);
    lines.join("\n") + "\n"
}

#[test]
fn a_fractional_sample_size_is_refused() {
    // Issue 15: n = 173.5 was accepted silently.
    let dir = scratch("fraction");
    let prevalence = first_prevalence_row(|l| l.replacen(",0.39,173,", ",0.39,173.5,", 1));
    let text = refused(&config(&dir, &[("prevalence", &prevalence)], |t| t));
    assert!(
        text.contains("prevalence.csv: line 2: n is 173.5, not a whole number of people"),
        "{text}"
    );
}

#[test]
fn an_unknown_evidence_grade_is_refused() {
    // Issue 15: evidence grade Z was accepted silently.
    let dir = scratch("grade");
    let prevalence = first_prevalence_row(|l| l.replacen(",A,PP01,", ",Z,PP01,", 1));
    let text = refused(&config(&dir, &[("prevalence", &prevalence)], |t| t));
    assert!(
        text.contains("prevalence.csv: line 2, column 11: evidence_grade 'Z' is not a grade"),
        "{text}"
    );
}

#[test]
fn a_numerator_larger_than_n_is_named_as_such() {
    // Issue 15: a numerator larger than n was reported as "rate 0.052023 is
    // outside its interval 2.838 to 1".
    let dir = scratch("numerator");
    let prevalence = first_prevalence_row(|l| l.replacen(",0.39,173,,", ",0.39,173,900,", 1));
    let text = refused(&config(&dir, &[("prevalence", &prevalence)], |t| t));
    assert!(
        text.contains("prevalence.csv: line 2: numerator 900 is larger than n 173"),
        "{text}"
    );
    assert!(!text.contains("outside its interval"), "{text}");
}

#[test]
fn a_general_population_n_of_0_is_refused() {
    // Issue 15: a general-population n of 0 was accepted silently.
    let dir = scratch("general-n");
    let table = dataset("general_population.csv").replacen(",0.226,6912,", ",0.226,0,", 1);
    let text = refused(&config(&dir, &[("general_population", &table)], |t| t));
    assert!(
        text.contains("general_population.csv: line 2: n is 0; a sample size is at least 1"),
        "{text}"
    );
}

/// `apportion` on the hand-checkable fixtures with `targets` as the target
/// layer's features (GeoJSON text).
fn apportion_onto(name: &str, targets: &[&str], values: bool) -> Output {
    let dir = scratch(name);
    let fixture = |f: &str| Path::new(PROJECT).join("tests/fixtures/apportion").join(f);
    let layer = format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [{}]}}",
        targets.join(",")
    );
    let to = dir.join("targets.geojson");
    std::fs::write(&to, layer).unwrap();
    let mut args: Vec<OsString> = [
        "apportion",
        "--from",
        fixture("sources.geojson").to_str().unwrap(),
        "--from-code",
        "code",
        "--to",
        to.to_str().unwrap(),
        "--to-code",
        "code",
    ]
    .map(OsString::from)
    .to_vec();
    if values {
        let values = fixture("values.csv");
        for a in [
            "--values",
            values.to_str().unwrap(),
            "--code-column",
            "area",
            "--value-column",
            "count",
        ] {
            args.push(a.into());
        }
    }
    jsna_gap(&args)
}

/// A square target feature between two longitudes (54.5°N–54.55°N).
fn square(code: &str, west: f64, east: f64) -> String {
    format!(
        "{{\"type\": \"Feature\", \"properties\": {{\"code\": \"{code}\"}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[[{west}, 54.5], [{east}, 54.5], [{east}, 54.55], [{west}, 54.55], [{west}, 54.5]]]}}}}"
    )
}

#[test]
fn apportion_onto_overlapping_targets_is_refused() {
    // Issue 15: overlapping targets gave "placed 700 of the input total 600
    // (116.67%); not placed: -100", exit 0. Here E02000001 (100 people) lies
    // wholly in both targets.
    let targets = [
        square("E06000001", -1.3, -1.2),
        square("E06000004", -1.3, -1.2),
    ];
    let refs: Vec<&str> = targets.iter().map(String::as_str).collect();
    for values in [false, true] {
        let out = apportion_onto("overlap", &refs, values);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains("the target areas overlap: 1 source areas would be placed more than once (E02000001 (200.00%))"), "{text}");
    }
}

#[test]
fn apportion_that_places_nothing_is_refused() {
    // Issue 15: all sources disjoint from the targets gave "placed 0 of 600
    // (-0%)", exit 0.
    let far = square("E06000003", 1.0, 1.1);
    for values in [false, true] {
        let out = apportion_onto("disjoint", &[far.as_str()], values);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(
            text.contains("no source area lies in any target area: nothing would be placed"),
            "{text}"
        );
    }
}

#[test]
fn apportion_onto_an_empty_layer_is_refused() {
    // Issue 15: an empty target collection exited 0.
    let out = apportion_onto("empty", &[], true);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("targets.geojson: the layer has no areas"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Crashes and misleading messages.

#[test]
fn a_data_dir_that_is_a_file_says_so() {
    // Issue 15: `--data-dir` pointing at a file did not say it is not a
    // directory.
    let dir = scratch("data-file");
    let file = dir.join("data.csv");
    std::fs::write(&file, "").unwrap();
    let out = jsna_gap(&[
        OsStr::new("validate"),
        OsStr::new("--data-dir"),
        file.as_os_str(),
    ]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "{}: the data directory (chosen by --data-dir) is a file, not a directory",
            file.display()
        )),
        "{text}"
    );
    assert_eq!(text.matches("error:").count(), 1, "said once: {text}");
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn a_truncated_upper_tier_lookup_is_named_as_the_file_missing_the_district() {
    // Issue 15: a truncated district to upper-tier lookup was blamed on
    // another file and on the IoD file.
    let dir = scratch("truncated");
    let data = data_dir_with(&dir, "lookups/geographr_lookup_ltla23_utla23.csv", |text| {
        let lines: Vec<&str> = text.lines().collect();
        lines[..lines.len() / 2].join("\n") + "\n"
    });
    let out = jsna_gap(&[
        OsStr::new("validate"),
        OsStr::new("--data-dir"),
        data.as_os_str(),
    ]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("geographr_lookup_ltla23_utla23.csv (column ltla23_code)"),
        "{text}"
    );
    assert!(text.contains("is the file complete?"), "{text}");
    assert!(!text.contains("imd2025"), "{text}");
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn a_null_geometry_is_named_as_such_not_as_a_code_the_boundaries_lack() {
    // Issue 15: a null geometry was reported as "codes only in the lookups".
    let dir = scratch("null-geometry");
    let data = data_dir_with(
        &dir,
        "boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson",
        |text| {
            let mut layer: serde_json::Value = serde_json::from_str(text).unwrap();
            let first = &mut layer["features"][0];
            assert_eq!(first["properties"]["AREACD"], "E06000001");
            first["geometry"] = serde_json::Value::Null;
            layer.to_string()
        },
    );
    let out = jsna_gap(&[
        OsStr::new("validate"),
        OsStr::new("--data-dir"),
        data.as_os_str(),
    ]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("the ctyua boundaries have no usable boundary for E06000001 ("),
        "{text}"
    );
    assert!(!text.contains("only in the lookups"), "{text}");
}

#[test]
fn a_run_from_a_non_utf8_directory_accounts_for_every_row_without_a_panic() {
    // Issue 15: a panic (exit 101) at report/manifest.rs when the config
    // path contained non-UTF-8 bytes, and input rows were dropped without a
    // word. One whole run: its config in a directory named with byte 0xFF,
    // and a Welsh service (the one kind of row a run excludes).
    let dir = scratch("non-utf8");
    let odd = dir.join(OsString::from_vec(b"config-\xFF".to_vec()));
    std::fs::create_dir_all(&odd).unwrap();
    let path = config(&odd, &[], |t| t);
    let validated = jsna_gap(&[
        OsStr::new("validate"),
        OsStr::new("--config"),
        path.as_os_str(),
    ]);
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    let out_dir = dir.join("out");
    let out = jsna_gap(&[
        OsStr::new("run"),
        OsStr::new("--config"),
        path.as_os_str(),
        OsStr::new("--out"),
        out_dir.as_os_str(),
    ]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["config"]["config_file"], "jsna.toml");
    let excluded = manifest["excluded"].as_array().unwrap();
    let mut accounted = 0;
    for input in manifest["inputs"].as_array().unwrap() {
        let (Some(used), Some(dropped)) = (input["used"].as_u64(), input["excluded"].as_u64())
        else {
            continue;
        };
        accounted += 1;
        let name = input["path"].as_str().unwrap();
        assert_eq!(used + dropped, input["records"].as_u64().unwrap(), "{name}");
        let listed = excluded.iter().filter(|e| e["input"] == name).count() as u64;
        assert!(
            listed >= dropped,
            "{name}: {dropped} excluded but {listed} listed"
        );
        let line = format!(
            "({name}): {} read = {used} used + {dropped} excluded",
            input["records"]
        );
        assert!(text.contains(&line), "{line} not on stderr: {text}");
    }
    // caseload, prevalence, treatment access, general population, services,
    // evidence, treatment evidence, observed, national, two boundary layers.
    assert_eq!(accounted, 11, "{}", manifest["inputs"]);
}

// ---------------------------------------------------------------------------
// Crashes the fuzz harness (tests/fuzz.rs) found, each in
// tests/fixtures/fuzz/ as the harness saved it.

/// Reads a damaged layer as `apportion` does, in-process: it must end in an
/// input error naming the file, never a panic.
fn damaged_layer(name: &str) -> jsna_gap::Error {
    let path = Path::new(PROJECT).join("tests/fixtures/fuzz").join(name);
    let read = std::panic::catch_unwind(|| {
        jsna_gap::apportion::read_layer(&path, None, "AREACD", Fingerprint::Skip)
    });
    let e = read
        .unwrap_or_else(|_| panic!("{name}: the reader panicked"))
        .err()
        .unwrap_or_else(|| panic!("{name}: read as a valid layer"));
    assert_eq!(e.exit_code(), 2, "{e}");
    assert_eq!(e.location.file.as_deref(), Some(path.as_path()), "{e}");
    e
}

#[test]
fn a_parquet_page_longer_than_its_column_is_an_input_error_not_a_panic() {
    // Issue 15 (fuzz): polars-arrow asserted "offset + length <= self.length".
    let e = damaged_layer("parquet_page_longer_than_column.parquet");
    assert!(e.message.starts_with("not a readable Parquet file"), "{e}");
}

#[test]
fn a_parquet_thrift_bool_field_out_of_range_is_an_input_error_not_a_panic() {
    // Issue 15 (fuzz): polars-parquet panicked with "thrift bool field".
    let e = damaged_layer("parquet_thrift_bool_field.parquet");
    assert!(e.message.starts_with("not a readable Parquet file"), "{e}");
}

#[test]
fn a_parquet_thrift_value_out_of_range_is_an_input_error_not_a_panic() {
    // Issue 15 (fuzz): polars-parquet unwrapped OutOfSpec("Thrift out of range").
    let e = damaged_layer("parquet_thrift_out_of_range.parquet");
    assert!(e.message.starts_with("not a readable Parquet file"), "{e}");
}

#[test]
fn a_parquet_decoder_assertion_is_an_input_error_not_a_panic() {
    // Issue 15 (fuzz): polars' decoder failed an `assert_eq!` on a damaged page.
    let e = damaged_layer("parquet_assertion_in_decoder.parquet");
    assert!(e.message.starts_with("not a readable Parquet file"), "{e}");
}

#[test]
fn a_geopackage_column_name_that_is_not_utf8_is_read_without_a_panic() {
    // Issue 15 (fuzz): rusqlite panicked with "Invalid UTF-8 sequence in
    // column name" on a damaged GeoPackage. The name is now read lossily, and
    // as the damaged column is not one the layer needs, the file reads as the
    // undamaged one does: the 9 CCGs of tests/fixtures/geodata/humber_ccg.gpkg.
    let damaged = Path::new(PROJECT).join("tests/fixtures/fuzz/gpkg_column_name_not_utf8.gpkg");
    let intact = Path::new(PROJECT).join("tests/fixtures/geodata/humber_ccg.gpkg");
    let codes = |path: &Path| -> Vec<String> {
        let layer = std::panic::catch_unwind(|| {
            jsna_gap::apportion::read_layer(path, None, "AREACD", Fingerprint::Skip)
        })
        .expect("no panic")
        .unwrap_or_else(|e| panic!("{e}"));
        layer.features.iter().map(|f| f.code.clone()).collect()
    };
    let read = codes(&damaged);
    assert_eq!(read.len(), 9);
    assert_eq!(read, codes(&intact));
}

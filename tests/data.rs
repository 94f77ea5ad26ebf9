//! The data sources: the embedded dataset gives the same units, layers and
//! outputs as the original files; `data build` is reproducible and refuses
//! changed or missing originals; outputs hold no path of the machine and do
//! not depend on where the data or the working directory are.

mod common;

use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::geography::boundaries::{BoundaryLayer, read_file};
use jsna_gap::geography::units::Units;
use jsna_gap::input::embedded::Dataset;
use jsna_gap::input::gunzip;
use jsna_gap::load::{fit_lsoa_points, lsoa_points, units};
use jsna_gap::pipeline;
use jsna_gap::source::{DataDir, DataSource};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsna-gap-data-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The command line, run in `cwd` with no JSNA_GAP_DATA.
fn jsna_gap(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jsna-gap"))
        .args(args)
        .current_dir(cwd)
        .env_remove("JSNA_GAP_DATA")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, into);
            } else {
                let relative = path.strip_prefix(root).unwrap().display().to_string();
                into.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut all = BTreeMap::new();
    walk(dir, dir, &mut all);
    all
}

/// A data directory that links to every original, except that the files
/// in `replaced` are written with the given bytes (None: left out).
fn originals_with(dir: &Path, replaced: &[(&str, Option<&[u8]>)]) -> PathBuf {
    fn link(from: &Path, to: &Path, prefix: &str, replaced: &[(&str, Option<&[u8]>)]) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{prefix}{name}");
            if entry.path().is_dir() {
                link(
                    &entry.path(),
                    &to.join(&name),
                    &format!("{relative}/"),
                    replaced,
                );
            } else {
                match replaced.iter().find(|(r, _)| *r == relative) {
                    Some((_, Some(bytes))) => std::fs::write(to.join(&name), bytes).unwrap(),
                    Some((_, None)) => {}
                    None => std::os::unix::fs::symlink(entry.path(), to.join(&name)).unwrap(),
                }
            }
        }
    }
    let data = dir.join("originals");
    link(&common::originals(), &data, "", replaced);
    data
}

// ------------------------------------------------ the same from either source

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn the_embedded_units_equal_the_units_read_from_the_originals() {
    let embedded = units(&DataSource::Embedded).unwrap();
    let originals = Units::load(&DataDir::given(common::originals(), "the tests")).unwrap();
    assert_eq!(embedded.lsoas, originals.lsoas);
    assert_eq!(embedded.districts, originals.districts);
    assert_eq!(
        embedded.wales_adults.to_bits(),
        originals.wales_adults.to_bits()
    );
    assert_eq!(embedded.sicbl_bridged, originals.sicbl_bridged);
    // The manifest names the compact tables, or the eight originals.
    assert_eq!(embedded.inputs.len(), 3);
    assert!(
        embedded
            .inputs
            .iter()
            .all(|i| i.path.to_string_lossy().starts_with("embedded:units/"))
    );
    assert_eq!(originals.inputs.len(), 8);
    assert!(
        originals
            .inputs
            .iter()
            .all(|i| i.path.to_string_lossy().starts_with("data-dir:"))
    );
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn the_embedded_lsoa_points_and_constituencies_equal_those_from_the_originals() {
    let units = units(&DataSource::Embedded).unwrap();
    let embedded = lsoa_points(&DataSource::Embedded, &units).unwrap();
    let dir = DataDir::given(common::originals(), "the tests");
    // To the bit: the points are stored in Rust's shortest round-trip form.
    assert_eq!(embedded, fit_lsoa_points(&dir, &units).unwrap());
    assert_eq!(embedded.pcon.len(), units.lsoas.len());
    let placed = embedded.pcon.iter().flatten().count();
    assert!(
        placed > 32_000,
        "{placed} of {} placed",
        embedded.pcon.len()
    );
    assert!(embedded.points.iter().all(Option::is_some));
}

/// A layer's features and what was done to them, without its file name.
fn features(layer: &BoundaryLayer) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        layer
            .features
            .iter()
            .map(|f| (&f.code, &f.name, &f.geometry))
            .collect::<Vec<_>>(),
        &layer.repairs,
        &layer.excluded,
        &layer.sha256,
    )
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn every_embedded_layer_reads_as_its_original() {
    let originals = DataSource::Directory(DataDir::given(common::originals(), "the tests"));
    let provenance = Dataset::builtin().provenance().unwrap();
    let layers: Vec<&str> = provenance
        .files
        .iter()
        .filter_map(|f| f.copy_of.as_deref())
        .filter(|p| p.ends_with(".geojson"))
        .collect();
    assert_eq!(layers.len(), 5);
    let english = |code: &str| (!code.starts_with('E')).then(|| "outside England".to_string());
    for path in layers {
        let read = |source: &DataSource| {
            read_file(&source.file(path).unwrap(), "AREACD", "AREANM", &english).unwrap()
        };
        let (a, b) = (read(&DataSource::Embedded), read(&originals));
        assert_eq!(features(&a), features(&b), "{path}");
        assert_eq!(a.path, Path::new(&format!("embedded:{path}.gz")));
        assert_eq!(b.path, Path::new(&format!("data-dir:{path}")));
    }
}

/// The manifest with what legitimately differs between the two sources
/// (the input files and the data source) taken out.
fn manifest_without_inputs(bytes: &[u8]) -> serde_json::Value {
    let mut manifest: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let object = manifest.as_object_mut().unwrap();
    object.remove("inputs");
    object["config"].as_object_mut().unwrap().remove("data");
    // An exclusion names its input as `inputs` does, relative to its source.
    for excluded in object["excluded"].as_array_mut().unwrap() {
        excluded.as_object_mut().unwrap().remove("input");
    }
    manifest
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn the_default_run_gives_the_same_outputs_from_either_source() {
    let embedded = pipeline::run(&common::embedded_spec(), &|_| {}).unwrap();
    let originals = pipeline::run(&common::originals_spec(), &|_| {}).unwrap();
    let paths: Vec<&Path> = embedded.paths().collect();
    assert_eq!(paths, originals.paths().collect::<Vec<_>>());
    assert!(paths.len() > 500, "{}", paths.len());
    for path in paths {
        let p = path.to_str().unwrap();
        let (a, b) = (embedded.get(p).unwrap(), originals.get(p).unwrap());
        if p == "manifest.json" {
            assert_eq!(manifest_without_inputs(a), manifest_without_inputs(b));
        } else {
            assert!(
                a == b,
                "{p} differs between the embedded dataset and the originals"
            );
        }
    }
    // The inputs the two manifests name: the same boundary layers, tables
    // and datasets (same SHA-256), the compact units in place of the eight
    // original lookups, populations and IoD tables.
    let inputs = |bytes: &[u8]| -> BTreeMap<String, (String, String)> {
        let manifest: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        manifest["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let role = i["role"].as_str().unwrap().to_string();
                let path = i["path"].as_str().unwrap().to_string();
                (role, (path, i["sha256"].as_str().unwrap().to_string()))
            })
            .collect()
    };
    let (a, b) = (
        inputs(embedded.get("manifest.json").unwrap()),
        inputs(originals.get("manifest.json").unwrap()),
    );
    let boundaries = a.iter().filter(|(role, _)| role.contains("boundaries"));
    for (role, (path, sha)) in boundaries {
        assert_eq!(&b[role].1, sha, "{role}");
        assert_eq!(
            format!("{}.gz", b[role].0.replace("data-dir:", "embedded:")),
            *path
        );
    }
    assert_eq!(a["caseload"], b["caseload"]);
    assert_eq!(a["caseload"].0, "embedded:datasets/caseload.csv");
}

// ------------------------------------------------ portable, location-free outputs

/// Fails if any output file holds one of `paths`.
fn assert_no_path_in(outputs: &BTreeMap<String, Vec<u8>>, paths: &[&Path]) {
    for (name, bytes) in outputs {
        let text = String::from_utf8_lossy(bytes);
        for path in paths {
            let path = path.to_str().unwrap();
            assert!(!text.contains(path), "{name} holds the path {path}");
        }
    }
}

#[test]
fn runs_from_different_directories_give_the_same_bytes_and_no_machine_path() {
    // As an installed binary runs: from an empty directory, no data named.
    let (a, b) = (scratch("cwd-a"), scratch("cwd-b"));
    for cwd in [&a, &b] {
        let out = jsna_gap(cwd, &["run", "--out", "out"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("from the embedded dataset"),
            "{}",
            stderr(&out)
        );
    }
    let (first, second) = (files(&a.join("out")), files(&b.join("out")));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(
            bytes == &second[name],
            "{name} differs between working directories"
        );
    }
    assert_no_path_in(&first, &[Path::new(PROJECT), &a, &std::env::temp_dir()]);
    let manifest: serde_json::Value = serde_json::from_slice(&first["manifest.json"]).unwrap();
    assert_eq!(manifest["config"]["data"]["source"], "embedded");
    for input in manifest["inputs"].as_array().unwrap() {
        assert!(
            input["path"].as_str().unwrap().starts_with("embedded:"),
            "{input}"
        );
    }
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn original_data_in_different_places_gives_the_same_bytes_and_no_machine_path() {
    let dir = scratch("places");
    let (one, two) = (dir.join("one"), dir.join("elsewhere/two"));
    std::fs::create_dir_all(two.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(common::originals(), &one).unwrap();
    std::os::unix::fs::symlink(common::originals(), &two).unwrap();
    let run = |data: &Path, cwd: &Path| {
        std::fs::create_dir_all(cwd).unwrap();
        let out = jsna_gap(
            cwd,
            &["run", "--data-dir", data.to_str().unwrap(), "--out", "out"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        files(&cwd.join("out"))
    };
    let first = run(&one, &dir.join("a"));
    let second = run(&two, &dir.join("b/c"));
    assert_eq!(first, second);
    assert_no_path_in(&first, &[Path::new(PROJECT), &dir, &common::originals()]);
    let manifest: serde_json::Value = serde_json::from_slice(&first["manifest.json"]).unwrap();
    assert_eq!(manifest["config"]["data"]["source"], "data-dir");
    assert_eq!(manifest["config"]["data"]["chosen_by"], "--data-dir");
}

// ------------------------------------------------ data build

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn data_build_is_reproducible_and_gives_the_committed_dataset() {
    let dir = scratch("build");
    let from = common::originals();
    for out in ["first", "second"] {
        let result = jsna_gap(
            &dir,
            &[
                "data",
                "build",
                "--from",
                from.to_str().unwrap(),
                "--out",
                out,
            ],
        );
        assert!(result.status.success(), "{}", stderr(&result));
    }
    let first = files(&dir.join("first"));
    assert_eq!(first, files(&dir.join("second")));
    // The dataset in the repository is exactly what the originals give.
    let committed = files(&Path::new(PROJECT).join("data"));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(
            bytes == &committed[name],
            "data/{name} is not what data build makes"
        );
    }
    assert_no_path_in(&first, &[&dir, &from]);
}

#[test]
fn data_build_names_every_missing_original() {
    let dir = scratch("missing");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let out = jsna_gap(
        &dir,
        &["data", "build", "--from", "empty", "--out", "built"],
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    for original in [
        "population/demographr_population20_lsoa11.csv",
        "justice/pdu_pcc_area_lookup.csv",
        "boundaries/health/SICBL_APR_2023_EN_BSC.geojson",
    ] {
        assert!(
            text.contains(&format!("data file not found: {original} is not in empty")),
            "{text}"
        );
    }
    assert_eq!(text.matches("data file not found").count(), 17, "{text}");
    assert!(!dir.join("built").exists(), "nothing is written");
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn data_build_refuses_a_changed_original_naming_both_hashes() {
    let dir = scratch("changed");
    let name = "justice/pdu_pcc_area_lookup.csv";
    let mut bytes = std::fs::read(common::originals().join(name)).unwrap();
    bytes.extend_from_slice(b"extra-pdu,Extra,x,X,E23000013,Cleveland,North East,N54,N54XXX,,,,\n");
    let data = originals_with(&dir, &[(name, Some(&bytes))]);
    let recorded = Dataset::builtin()
        .provenance()
        .unwrap()
        .original(name)
        .unwrap()
        .sha256
        .clone();
    let args = [
        "data",
        "build",
        "--from",
        data.to_str().unwrap(),
        "--out",
        "built",
    ];
    let out = jsna_gap(&dir, &args);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains(name), "{text}");
    assert!(text.contains(&recorded), "{text}");
    assert!(
        text.contains(&jsna_gap::input::sha256_hex(&bytes)),
        "{text}"
    );
    assert!(text.contains("--accept-new-originals"), "{text}");
    assert_eq!(text.matches("has changed").count(), 1, "{text}");
    assert!(!dir.join("built").exists(), "nothing is written");

    // Accepted, the new file is recorded and copied.
    let mut accepted = args.to_vec();
    accepted.push("--accept-new-originals");
    let out = jsna_gap(&dir, &accepted);
    assert!(out.status.success(), "{}", stderr(&out));
    let provenance: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("built/provenance.json")).unwrap()).unwrap();
    let original = provenance["originals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["path"] == name)
        .unwrap();
    assert_eq!(original["sha256"], jsna_gap::input::sha256_hex(&bytes));
    let copy = std::fs::read(dir.join(format!("built/{name}.gz"))).unwrap();
    assert_eq!(gunzip(&copy).unwrap(), bytes);
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn a_data_directory_missing_one_original_is_refused_naming_it() {
    let dir = scratch("one-missing");
    let missing = "lookups/geographr_lookup_lsoa21_sicbl24_icb24.csv";
    let data = originals_with(&dir, &[(missing, None)]);
    let out = jsna_gap(
        &dir,
        &["run", "--data-dir", data.to_str().unwrap(), "--out", "out"],
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "data file not found: {missing} is not in {}",
            data.display()
        )),
        "{text}"
    );
    assert!(!dir.join("out").exists(), "a failed run writes nothing");
}

#[test]
fn a_layer_the_embedded_dataset_lacks_is_refused_with_a_hint() {
    let dir = scratch("older-layer");
    let config = std::fs::read_to_string(Path::new(PROJECT).join("jsna.toml"))
        .unwrap()
        .replace("ctyua = \"ctyua-2024\"", "ctyua = \"ctyua-2021\"")
        .replace("= \"datasets/", &format!("= \"{PROJECT}/datasets/"));
    std::fs::write(dir.join("jsna.toml"), config).unwrap();
    let out = jsna_gap(&dir, &["validate", "--config", "jsna.toml"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(
            "boundaries/utla/CTYUA_DEC_2021_UK_BUC.geojson is not in the embedded dataset"
        ),
        "{text}"
    );
    assert!(text.contains("point --data-dir"), "{text}");
}

#[test]
fn every_level_runs_from_the_embedded_dataset() {
    // The lad, icb and ccg layers are embedded too: a configuration with
    // every level validates with no data directory.
    let text = std::fs::read_to_string(Path::new(PROJECT).join("jsna.toml"))
        .unwrap()
        .replace(
            "levels = { ctyua = \"ctyua-2024\", sicbl = \"sicbl-2023\" }",
            "levels = { ctyua = \"ctyua-2024\", lad = \"lad-2024\", sicbl = \"sicbl-2023\", icb = \"icb-2023\", ccg = \"ccg-2021\" }",
        )
        .replace("= \"datasets/", &format!("= \"{PROJECT}/datasets/"));
    let dir = scratch("every-level");
    std::fs::write(dir.join("jsna.toml"), text).unwrap();
    let spec = RunSpec::resolve(&Overrides {
        config: Some(dir.join("jsna.toml")),
        ..Overrides::default()
    })
    .unwrap();
    assert_eq!(spec.levels.len(), 5);
    let problems = pipeline::validate(&spec, &|_| {});
    assert!(problems.is_empty(), "{problems:#?}");
}

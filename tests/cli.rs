//! The command line on bad input: each case gets its own clear error (file,
//! line or feature, what is wrong, how to fix it), exit status 2, and no
//! output written. Runs on the embedded dataset unless a test says otherwise.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// A scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsna-gap-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn jsna_gap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jsna-gap"))
        .args(args)
        .env_remove("JSNA_GAP_DATA")
        .output()
        .unwrap()
}

/// A config like the default one, but with one dataset replaced by `bytes`.
fn config_with(dir: &Path, dataset: &str, bytes: &[u8]) -> PathBuf {
    let path_of = |name: &str| {
        if name == dataset {
            let p = dir.join(format!("{name}.csv"));
            std::fs::write(&p, bytes).unwrap();
            p
        } else {
            PathBuf::from(PROJECT).join(format!("datasets/{name}.csv"))
        }
    };
    let default = std::fs::read_to_string(PathBuf::from(PROJECT).join("jsna.toml")).unwrap();
    let mut text = String::new();
    for line in default.lines() {
        let replaced = [
            "caseload",
            "prevalence",
            "treatment_access",
            "services",
            "general_population",
            "caseload_observed",
            "caseload_national",
            "evidence",
            "treatment_evidence",
        ]
        .iter()
        .find(|name| line.starts_with(&format!("{name} = \"datasets/")))
        .map(|name| format!("{name} = {:?}", path_of(name).display().to_string()));
        text.push_str(&replaced.unwrap_or_else(|| line.to_string()));
        text.push('\n');
    }
    let config = dir.join("jsna.toml");
    std::fs::write(&config, text).unwrap();
    config
}

/// Runs `validate` on a config and returns stderr, asserting exit status 2.
fn refused(config: &Path) -> String {
    let out = jsna_gap(&["validate", "--config", config.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

const CASELOAD_HEADER: &str = "level,area_code,area_name,caseload,date,measure,source,verified\n";

fn caseload(rows: &str) -> Vec<u8> {
    format!("{CASELOAD_HEADER}{rows}").into_bytes()
}

#[test]
fn the_default_inputs_are_valid() {
    let out = jsna_gap(&["validate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("from the embedded dataset"), "{stderr}");
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn the_original_inputs_are_valid() {
    let data = common::originals();
    let out = jsna_gap(&["validate", "--data-dir", data.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_missing_data_directory_names_the_file_and_where_it_looked() {
    let out = jsna_gap(&["validate", "--data-dir", "/nonexistent/data"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("data file not found"), "{stderr}");
    assert!(
        stderr.contains("/nonexistent/data (chosen by --data-dir)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("give no data directory to use the embedded dataset"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_area_code_is_named_with_its_line() {
    let dir = scratch("code");
    let rows = "ctyua,E06000018,Nottingham,100,2025-06-30,x,local,yes\nctyua,E0600001,Bad,5,2025-06-30,x,local,yes\n";
    let stderr = refused(&config_with(&dir, "caseload", &caseload(rows)));
    assert!(
        stderr.contains("caseload.csv: line 3: area_code 'E0600001' is not a GSS code"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn an_unknown_area_code_is_refused() {
    let dir = scratch("unknown");
    let rows = "ctyua,E06999999,Nowhere,100,2025-06-30,x,local,yes\n";
    let stderr = refused(&config_with(&dir, "caseload", &caseload(rows)));
    assert!(
        stderr.contains("line 2: ctyua E06999999 matches no English area"),
        "{stderr}"
    );
}

#[test]
fn a_duplicate_area_is_refused() {
    let dir = scratch("duplicate");
    let rows =
        "lad,E06000018,Nottingham,100,,,local,yes\nlad,E06000018,Nottingham,120,,,local,yes\n";
    let stderr = refused(&config_with(&dir, "caseload", &caseload(rows)));
    assert!(
        stderr.contains("caseload.csv: line 3: area E06000018 appears twice: lines 2 and 3"),
        "{stderr}"
    );
}

#[test]
fn overlapping_areas_are_refused() {
    let dir = scratch("overlap");
    let rows =
        "ctyua,E10000024,Nottinghamshire,900,,,local,yes\nlad,E07000170,Ashfield,120,,,local,yes\n";
    let stderr = refused(&config_with(&dir, "caseload", &caseload(rows)));
    assert!(
        stderr.contains("line 3: E07000170 overlaps the area on line 2"),
        "{stderr}"
    );
}

#[test]
fn a_negative_count_is_refused() {
    let dir = scratch("negative");
    let stderr = refused(&config_with(
        &dir,
        "caseload",
        &caseload("lad,E06000018,Nottingham,-40,,,local,yes\n"),
    ));
    assert!(
        stderr.contains("line 2: caseload is negative (-40)"),
        "{stderr}"
    );
}

#[test]
fn a_rate_written_as_a_percentage_is_refused() {
    let dir = scratch("rate");
    let text =
        std::fs::read_to_string(PathBuf::from(PROJECT).join("datasets/prevalence.csv")).unwrap();
    let text = text.replacen(",mental_health,0.39,", ",mental_health,39,", 1);
    let stderr = refused(&config_with(&dir, "prevalence", text.as_bytes()));
    assert!(
        stderr.contains("prevalence.csv: line 2: rate is 39, outside 0 to 1"),
        "{stderr}"
    );
    assert!(stderr.contains("39% is 0.39"), "{stderr}");
}

#[test]
fn windows_1252_text_from_excel_is_refused_and_a_byte_order_mark_accepted() {
    let dir = scratch("encoding");
    // "Côte" as Excel's plain "CSV" saves it: ô is the single byte 0xF4.
    let mut cp1252 = caseload("lad,E06000018,Nottingham,100,,,C");
    cp1252.push(0xF4);
    cp1252.extend(b"te probation team,yes\n");
    let stderr = refused(&config_with(&dir, "caseload", &cp1252));
    assert!(
        stderr.contains("line 2: byte 0xF4 is not UTF-8"),
        "{stderr}"
    );
    assert!(stderr.contains("CSV UTF-8"), "{stderr}");

    let dir = scratch("bom");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(caseload(
        "country,K04000001,England and Wales,244209,,,MoJ,yes\n",
    ));
    let config = config_with(&dir, "caseload", &with_bom);
    let out = jsna_gap(&["validate", "--config", config.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_config_key_is_named() {
    let dir = scratch("config");
    let config = config_with(&dir, "none", b"");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("[maps]", "[maps]\ncolour = \"red\"");
    std::fs::write(&config, text).unwrap();
    let stderr = refused(&config);
    assert!(stderr.contains("unknown field `colour`"), "{stderr}");
    assert!(stderr.contains("jsna.toml: line"), "{stderr}");
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn malformed_boundaries_are_named_and_a_failed_run_writes_nothing() {
    // A data directory like the shared one, but with a truncated CTYUA file.
    let dir = scratch("geojson");
    let data = dir.join("data");
    for entry in std::fs::read_dir(common::originals()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "boundaries" {
            std::os::unix::fs::symlink(entry.path(), data.join(entry.file_name()))
                .or_else(|_| {
                    std::fs::create_dir_all(&data)?;
                    std::os::unix::fs::symlink(entry.path(), data.join(entry.file_name()))
                })
                .unwrap();
        }
    }
    for sub in ["health", "lad", "lsoa", "msoa", "multi_year"] {
        std::fs::create_dir_all(data.join("boundaries")).unwrap();
        std::os::unix::fs::symlink(
            common::originals().join("boundaries").join(sub),
            data.join("boundaries").join(sub),
        )
        .unwrap();
    }
    std::fs::create_dir_all(data.join("boundaries/utla")).unwrap();
    let real =
        std::fs::read(common::originals().join("boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson"))
            .unwrap();
    std::fs::write(
        data.join("boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson"),
        &real[..real.len() / 2],
    )
    .unwrap();

    let out_dir = dir.join("out");
    let out = jsna_gap(&[
        "run",
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("CTYUA_DEC_2024_UK_BUC.geojson"), "{stderr}");
    assert!(!out_dir.exists(), "a failed run must not write any output");
}

/// A config like the default one with `scenarios` (TOML) appended, and the
/// line of the appended text that `marker` is on.
fn config_with_scenarios(dir: &Path, scenarios: &str, marker: &str) -> (PathBuf, usize) {
    let config = config_with(dir, "", b"");
    let mut text = std::fs::read_to_string(&config).unwrap();
    let before = text.lines().count();
    text.push_str(scenarios);
    std::fs::write(&config, text).unwrap();
    let offset = scenarios
        .lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("{marker} is not in the scenarios"));
    (config, before + offset + 1)
}

const GOOD_SCENARIO: &str = r#"
[[scenario]]
name = "hartlepool_pd"
description = "A personality-disorder pathway for 40 people in Hartlepool"
[[scenario.change]]
kind = "add_service"
name = "Hartlepool PD pathway"
capacity = 40
area_level = "ctyua"
area_code = "E06000001"
domain = "personality_disorder"
"#;

#[test]
fn a_bad_scenario_is_named_with_the_config_file_and_line() {
    let dir = scratch("bad-scenarios");
    for (name, scenarios, marker, expected) in [
        (
            "unknown service",
            "\n[[scenario]]\nname = \"a\"\ndescription = \"d\"\n[[scenario.change]]\nkind = \"remove_service\"\nservice = \"SV999\"\n".to_string(),
            "[[scenario.change]]",
            "no service 'SV999'",
        ),
        (
            "unknown area",
            GOOD_SCENARIO.replace("E06000001", "E06000999"),
            "[[scenario.change]]",
            "area code 'E06000999' is not a known ctyua area",
        ),
        (
            "unknown condition",
            "\n[[scenario]]\nname = \"a\"\ndescription = \"d\"\n[[scenario.change]]\nkind = \"treatment_access\"\ncondition = \"gout\"\nuntreated_share = 0.3\n".to_string(),
            "[[scenario.change]]",
            "condition 'gout' is not known",
        ),
        (
            "fractional capacity",
            GOOD_SCENARIO.replace("capacity = 40", "capacity = 12.5"),
            "[[scenario.change]]",
            "capacity 12.5 is not a whole number of people",
        ),
        (
            "negative capacity",
            GOOD_SCENARIO.replace("capacity = 40", "capacity = -3"),
            "[[scenario.change]]",
            "capacity -3 is not a whole number of people",
        ),
        (
            "duplicate name",
            format!(
                "{GOOD_SCENARIO}{}",
                GOOD_SCENARIO.replace("\"hartlepool_pd\"", "\"hartlepool_pd\" # again")
            ),
            "# again",
            "scenario name 'hartlepool_pd' appears twice",
        ),
        (
            "unknown change",
            GOOD_SCENARIO.replace("kind = \"add_service\"", "kind = \"add_prison\""),
            "add_prison",
            "unknown variant `add_prison`",
        ),
    ] {
        let (config, line) = config_with_scenarios(&dir, &scenarios, marker);
        let shown = config.display().to_string();
        let stderr = refused(&config);
        assert!(
            stderr.contains(&format!("{shown}: line {line}")),
            "{name}: expected {shown}: line {line} in\n{stderr}"
        );
        assert!(stderr.contains(expected), "{name}: expected {expected} in\n{stderr}");
        // run says the same, and writes nothing.
        let out = dir.join("out");
        let run = jsna_gap(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(run.status.code(), Some(2), "{name}");
        assert!(String::from_utf8_lossy(&run.stderr).contains(expected), "{name}");
        assert!(!out.exists(), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_scenario_on_the_command_line_lists_the_defined_ones() {
    let dir = scratch("unknown-scenario");
    let (config, _) = config_with_scenarios(&dir, GOOD_SCENARIO, "[[scenario]]");
    let out = dir.join("out");
    let run = jsna_gap(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--scenario",
        "hartlepol_pd",
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&config.display().to_string()), "{stderr}");
    assert!(stderr.contains("--scenario hartlepol_pd"), "{stderr}");
    assert!(
        stderr.contains("defined: hartlepool_pd (or all)"),
        "{stderr}"
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

const OBSERVED_HEADER: &str = "level,area_code,area_name,date,count,definition,source\n";
const SHERWOOD: &str = "pcon,E14001471,Sherwood Forest";

// Issue 13: a series holds one count per area, definition and date; two
// would overlap and the recent-trend test would count one period twice.
#[test]
fn overlapping_observed_periods_are_refused_with_both_lines() {
    let dir = scratch("overlap");
    let rows = format!(
        "{OBSERVED_HEADER}{SHERWOOD},2024-05-31,337,all_supervised_home_address,PQ\n{SHERWOOD},2024-05-31,339,all_supervised_home_address,PQ\n"
    );
    let stderr = refused(&config_with(&dir, "caseload_observed", rows.as_bytes()));
    assert!(stderr.contains("caseload_observed.csv"), "{stderr}");
    assert!(stderr.contains("appears twice: lines 2 and 3"), "{stderr}");
    assert!(
        stderr.contains("one count per definition and date"),
        "{stderr}"
    );
}

#[test]
fn an_unreadable_period_is_named_with_its_line() {
    let dir = scratch("period");
    let rows = format!(
        "{OBSERVED_HEADER}{SHERWOOD},2024-05-31,337,all_supervised_home_address,PQ\n{SHERWOOD},Q2 2024,339,all_supervised_home_address,PQ\n"
    );
    let stderr = refused(&config_with(&dir, "caseload_observed", rows.as_bytes()));
    assert!(stderr.contains("caseload_observed.csv"), "{stderr}");
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("'Q2 2024' is not a date"), "{stderr}");
}

#[test]
fn two_national_totals_on_one_date_are_refused() {
    let dir = scratch("national");
    let rows = "date,area_code,count,definition,verified\n2024-06-30,K04000001,238646,all_supervised_national,yes\n2025-06-30,K04000001,244209,all_supervised_national,yes\n2024-06-30,K04000001,238000,all_supervised_national,yes\n";
    let stderr = refused(&config_with(&dir, "caseload_national", rows.as_bytes()));
    assert!(stderr.contains("caseload_national.csv"), "{stderr}");
    assert!(stderr.contains("appears twice: lines 2 and 4"), "{stderr}");
}

/// The project's evidence table with the first `from` replaced by `to`.
fn evidence_with(from: &str, to: &str) -> Vec<u8> {
    let text =
        std::fs::read_to_string(PathBuf::from(PROJECT).join("datasets/evidence.csv")).unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn bad_evidence_rows_are_named_with_file_and_line() {
    let first = "EV01,current_mental_illness,clinical_diagnosis,0.39,173,";
    for (name, to, expected) in [
        (
            "rate",
            "EV01,current_mental_illness,clinical_diagnosis,39,173,",
            "evidence.csv: line 2, column 4: rate is 39, outside 0 to 1",
        ),
        (
            "n",
            "EV01,current_mental_illness,clinical_diagnosis,0.39,,",
            "evidence.csv: line 2, column 5: EV01 is pooled but has no sample size n",
        ),
        (
            "class",
            "EV01,current_mental_illness,diagnosis,0.39,173,",
            "evidence.csv: line 2, column 3: definition_class 'diagnosis' is not known",
        ),
    ] {
        let dir = scratch(&format!("evidence-{name}"));
        let stderr = refused(&config_with(&dir, "evidence", &evidence_with(first, to)));
        assert!(stderr.contains(expected), "{name}: {stderr}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A config like the default with `policy` as its `[evidence_policy]`
/// table, and the line in it where `policy`'s first line lands.
fn config_with_policy(dir: &Path, evidence: Option<&[u8]>, policy: &str) -> (PathBuf, usize) {
    let config = match evidence {
        Some(bytes) => config_with(dir, "evidence", bytes),
        None => config_with(dir, "none", b""),
    };
    let text = std::fs::read_to_string(&config).unwrap();
    let at = text.find("[evidence_policy]\n").unwrap() + "[evidence_policy]\n".len();
    let line = text[..at].matches('\n').count() + 1;
    std::fs::write(&config, format!("{}{policy}\n{}", &text[..at], &text[at..])).unwrap();
    (config, line)
}

#[test]
fn a_policy_the_evidence_cannot_meet_is_named_with_its_config_line() {
    for (name, policy, expected) in [
        (
            "condition",
            "anxiety = \"pooled\"",
            "key evidence_policy.anxiety: evidence_policy names condition 'anxiety', which is not in the prevalence table",
        ),
        (
            "study",
            "psychosis = { study = \"EV99\" }",
            "key evidence_policy.psychosis: study 'EV99' is not in the evidence table",
        ),
        (
            "other",
            "psychosis = { study = \"EV01\" }",
            "key evidence_policy.psychosis: study EV01 is a figure of current_mental_illness, not of psychosis",
        ),
        (
            "pooled",
            "alcohol_misuse = \"pooled\"",
            "key evidence_policy.alcohol_misuse: alcohol_misuse is to be pooled, but no definition class has two or more eligible figures",
        ),
        (
            "word",
            "alcohol_misuse = \"best\"",
            "key evidence_policy.alcohol_misuse: evidence_policy.alcohol_misuse is not a policy",
        ),
    ] {
        let dir = scratch(&format!("policy-{name}"));
        let (config, line) = config_with_policy(&dir, None, policy);
        let stderr = refused(&config);
        let located = format!("jsna.toml: line {line}: {expected}");
        assert!(stderr.contains(&located), "{name}: {located}\n{stderr}");
        // run refuses it the same way, and writes nothing.
        let out_dir = dir.join("out");
        let out = jsna_gap(&[
            "run",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(!out_dir.join("gap.csv").exists(), "{name}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_policy_pools_a_class_with_two_eligible_figures_and_names_it_in_gap_csv() {
    // Two hand-made AUDIT figures marked for pooling (73% of 205 and 50% of
    // 200): alcohol misuse is then pooled by default, with no policy written.
    let dir = scratch("pooled-by-default");
    let figure = |id: &str, rate: &str, n: &str| {
        format!(
            "{id},alcohol_misuse,screening_instrument,{rate},{n},,,,Probation sample,England,2010,current,AUDIT 8+,A,yes,abstract,yes,Test {id},Test citation {id},"
        )
    };
    let text = format!(
        "{}{}\n{}\n",
        std::fs::read_to_string(PathBuf::from(PROJECT).join("datasets/evidence.csv")).unwrap(),
        figure("EV90", "0.73", "205"),
        figure("EV91", "0.5", "200")
    );
    let (config, _) = config_with_policy(&dir, Some(text.as_bytes()), "");
    let out_dir = dir.join("out");
    let out = jsna_gap(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gap = std::fs::read_to_string(out_dir.join("gap.csv")).unwrap();
    assert!(
        gap.lines()
            .filter(|l| l.contains(",alcohol_misuse,"))
            .all(|l| l.contains(",pooled,screening_instrument,2,")),
        "gap.csv names the pooled estimate, its class and k"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("manifest.json")).unwrap()).unwrap();
    let choice = manifest["prevalence_choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["condition"] == "alcohol_misuse")
        .unwrap();
    assert_eq!(choice["estimate"]["source"], "pooled");
    assert_eq!(choice["estimate"]["k"], 2);
    // By hand: logits ln(149.65/55.35) = 0.99462 (v = 1/149.65 + 1/55.35 =
    // 0.024749) and 0 (v = 0.02); Q = (0.99462)² / (0.024749 + 0.02) =
    // 22.107 on 1 df, I² = 1 − 1/22.107 = 0.95477.
    let i2 = choice["estimate"]["i2"].as_f64().unwrap();
    assert!((i2 - 0.95477).abs() < 1e-4, "{i2}");
    let _ = std::fs::remove_dir_all(&dir);
}

//! Publishable statistics on a run with locally supplied figures: local
//! prevalence compared with England, small-number suppression and rounding
//! in published outputs, and the sensitivity table.

mod common;

use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::numbers::thousands;
use jsna_gap::output::Outputs;
use jsna_gap::pipeline;
use statrs::distribution::{Beta, ContinuousCDF};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// A local run on the embedded dataset: caseload for two authorities, and
/// local prevalence for one.
fn local_run() -> &'static Outputs {
    static RUN: OnceLock<Outputs> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("jsna-gap-statistics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("caseload.csv"),
            "level,area_code,area_name,caseload,date,source\n\
             ctyua,E06000017,Rutland,12,2025-06-30,local probation team\n\
             ctyua,E06000018,Nottingham,1500,2025-06-30,local probation team\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("local_prevalence.csv"),
            "level,area_code,condition,numerator,n,source\n\
             ctyua,E06000018,current_mental_illness,700,1500,OASys extract\n\
             ctyua,E06000018,psychosis,120,1500,OASys extract\n",
        )
        .unwrap();
        let default = std::fs::read_to_string(PathBuf::from(PROJECT).join("jsna.toml")).unwrap();
        let mut config = String::new();
        for line in default.lines() {
            let line = if line.starts_with("caseload = \"datasets/") {
                format!(
                    "caseload = {:?}",
                    dir.join("caseload.csv").display().to_string()
                )
            } else if line.starts_with("# local_prevalence") {
                format!(
                    "local_prevalence = {:?}",
                    dir.join("local_prevalence.csv").display().to_string()
                )
            } else if line.starts_with("shared_breaks") {
                "shared_breaks = true".to_string()
            } else if line.contains("= \"datasets/") {
                line.replacen("\"datasets/", &format!("\"{PROJECT}/datasets/"), 1)
            } else {
                line.to_string()
            };
            config.push_str(&line);
            config.push('\n');
        }
        std::fs::write(dir.join("jsna.toml"), config).unwrap();
        let spec = RunSpec::resolve(&Overrides {
            config: Some(dir.join("jsna.toml")),
            ..Overrides::default()
        })
        .unwrap();
        pipeline::run(&spec, &|_| {}).unwrap()
    })
}

fn csv(outputs: &Outputs, file: &str) -> Vec<HashMap<String, String>> {
    common::records(outputs.get(file).unwrap())
}

fn row<'a>(
    rows: &'a [HashMap<String, String>],
    code: &str,
    condition: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["level"] == "ctyua" && r["area_code"] == code && r["condition"] == condition)
        .unwrap()
}

#[test]
fn local_prevalence_is_compared_with_england() {
    let rows = csv(local_run(), "gap.csv");
    // 700 of 1,500 = 46.7%: Wilson 95% 44.1% to 49.2%, 99.8% 42.7% to 50.6%
    // (by hand); England's 39% is below both, so Nottingham is higher.
    let cmi = row(&rows, "E06000018", "current_mental_illness");
    let lower: f64 = cmi["local_prevalence_lower"].parse().unwrap();
    assert!((lower - 0.441537).abs() < 1e-6, "{lower}");
    assert_eq!(cmi["compared_with_england"], "higher");
    assert_eq!(cmi["compared_with_england_998"], "higher");
    // 120 of 1,500 = 8.0%, the England figure itself: similar.
    assert_eq!(
        row(&rows, "E06000018", "psychosis")["compared_with_england"],
        "similar"
    );
    // Areas with no local figure have none.
    assert_eq!(
        row(&rows, "E06000017", "psychosis")["compared_with_england"],
        ""
    );
}

#[test]
fn small_counts_are_flagged_and_published_suppressed_or_rounded() {
    let rows = csv(local_run(), "gap.csv");
    // Rutland: 12 people × 5.2% past-month self-harm = 0.62 people.
    let rutland = row(&rows, "E06000017", "self_harm_past_month");
    assert_eq!(rutland["suppressed"], "true");
    let need: f64 = rutland["need"].parse().unwrap();
    assert!(
        (need - 12.0 * 9.0 / 173.0).abs() < 1e-4,
        "gap.csv keeps the exact value"
    );
    let svg = std::str::from_utf8(
        local_run()
            .get("maps/ctyua-self_harm_past_month.svg")
            .unwrap(),
    )
    .unwrap();
    assert!(
        svg.contains("Rutland (E06000017): not published (under 5 people)"),
        "the published map withholds its rate"
    );
    // Nottingham: unmet need 1,500 × 39% × 60% = 351, from local caseload,
    // so published as 350 people, and its rate is made from the 350, so
    // that the rate does not give the exact count away.
    let nottingham = row(&rows, "E06000018", "current_mental_illness");
    let unmet: f64 = nottingham["unmet_need"].parse().unwrap();
    assert!((unmet - 1500.0 * 0.39 * 0.6).abs() < 1e-6, "{unmet}");
    let rate: f64 = nottingham["unmet_need_per_100k_adults"].parse().unwrap();
    let adults = unmet / rate * 1e5;
    let svg = std::str::from_utf8(
        local_run()
            .get("maps/ctyua-current_mental_illness.svg")
            .unwrap(),
    )
    .unwrap();
    let published = format!(
        "Nottingham (E06000018): {} per 100,000 adults",
        thousands(350.0 / adults * 1e5, 0)
    );
    assert!(svg.contains(&published), "{published}");
}

#[test]
fn local_caseload_is_exact_in_every_proxy_so_need_bounds_are_the_prevalence_bounds() {
    let rows = csv(local_run(), "gap.csv");
    let r = row(&rows, "E06000018", "current_mental_illness");
    let number = |c: &str| r[c].parse::<f64>().unwrap();
    // Summed back from its LSOAs, to floating-point precision.
    for column in ["caseload", "caseload_lower", "caseload_upper"] {
        assert!((number(column) - 1500.0).abs() < 1e-9, "{column}");
    }
    // With the caseload exact, need's simulated interval is the prevalence's:
    // Jeffreys' Beta(67.47 + 0.5, 105.53 + 0.5) for 39% of 173, whose
    // quantiles statrs computes directly. 10,000 draws put the simulated
    // 2.5% quantile within about 0.001 of it (its standard error); allow 0.003.
    let beta = Beta::new(0.39 * 173.0 + 0.5, 0.61 * 173.0 + 0.5).unwrap();
    for (column, p) in [("need_lower", 0.025), ("need_upper", 0.975)] {
        let simulated = number(column) / 1500.0;
        let exact = beta.inverse_cdf(p);
        assert!(
            (simulated - exact).abs() < 3e-3,
            "{column}: {simulated} vs {exact}"
        );
    }
}

#[test]
fn sensitivity_ranks_every_scenario_and_marks_the_robust_top_fifth() {
    let rows = csv(local_run(), "sensitivity.csv");
    let scenarios: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["scenario"].as_str()).collect();
    assert_eq!(
        scenarios.into_iter().collect::<Vec<_>>(),
        [
            "base",
            "prevalence_lower",
            "prevalence_upper",
            "proxy_adult_population",
            "proxy_income_scale"
        ]
    );
    let psychosis: Vec<_> = rows
        .iter()
        .filter(|r| r["level"] == "ctyua" && r["condition"] == "psychosis")
        .collect();
    assert_eq!(psychosis.len(), 5 * 153);
    // 31 of 153 areas are the top fifth in each scenario.
    for s in ["base", "prevalence_upper"] {
        let top = psychosis
            .iter()
            .filter(|r| r["scenario"] == s && r["top_fifth"] == "true")
            .count();
        assert_eq!(top, 31, "{s}");
    }
    // With caseload only in Nottingham and Rutland, they rank first and
    // second whatever the scenario, and both are robust.
    for r in psychosis.iter().filter(|r| r["area_code"] == "E06000018") {
        assert_eq!(r["rank"], "1", "{r:?}");
        assert_eq!(r["top_fifth_in_every_scenario"], "true");
    }
    // Scaling prevalence does not reorder areas: the same rank as the base.
    let rank = |code: &str, s: &str| {
        psychosis
            .iter()
            .find(|r| r["area_code"] == code && r["scenario"] == s)
            .unwrap()["rank"]
            .clone()
    };
    assert_eq!(
        rank("E06000017", "prevalence_lower"),
        rank("E06000017", "base")
    );
}

#[test]
fn a_family_of_maps_can_share_one_set_of_breaks() {
    let manifest: serde_json::Value =
        serde_json::from_slice(local_run().get("manifest.json").unwrap()).unwrap();
    let maps: Vec<&serde_json::Value> = manifest["maps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["level"] == "ctyua")
        .collect();
    assert_eq!(maps.len(), 10);
    for map in &maps {
        assert_eq!(map["breaks"], maps[0]["breaks"], "{}", map["file"]);
        assert_eq!(map["shared_breaks"], true);
        let counted: u64 = map["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum();
        assert_eq!(
            counted + map["no_data"].as_u64().unwrap(),
            153,
            "{}",
            map["file"]
        );
    }
    // Each map counts its own areas: psychosis (8%) sits in lower classes
    // than substance misuse (60%) on the same breaks.
    let top = |condition: &str| {
        let map = maps.iter().find(|m| m["condition"] == condition).unwrap();
        map["counts"]
            .as_array()
            .unwrap()
            .iter()
            .rposition(|c| c.as_u64().unwrap() > 0)
            .unwrap()
    };
    assert!(top("psychosis") < top("substance_misuse"));
}

//! The interactive explorer of the default England run. Its figures are
//! gap.csv's after the small-number rule, its classes and colours the
//! published maps', its similar areas the annexes'. In a real browser
//! (Debian's chromium, driven through the DevTools protocol) it opens from
//! disk without console errors or network requests, follows the level and
//! condition chosen, shows an area's figures on hover and click, links the
//! map, chart and table, works by keyboard alone, downloads the table as
//! shown, and fits a phone-width screen. A second run, with two scenarios
//! and local prevalence for four Boards, shows each scenario's figures and
//! changes as scenarios.csv has them, an area's caseload over time as
//! trends.csv has it, and a funnel plot of the local figures given.

#[path = "../common/mod.rs"]
mod common;

use common::cdp::{Browser, chromium};
use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::numbers::{percent, thousands};
use jsna_gap::output::Outputs;
use jsna_gap::pipeline;
use jsna_gap::stats::suppression::Suppression;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The default run, in memory and written once to a temporary directory.
struct Run {
    outputs: Outputs,
    dir: PathBuf,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let spec = RunSpec::resolve(&Overrides::from_env(None, None)).unwrap();
        Run::of(&spec, "explorer")
    })
}

impl Run {
    fn of(spec: &RunSpec, name: &str) -> Run {
        let outputs = pipeline::run(spec, &|_| {}).unwrap();
        let dir = std::env::temp_dir().join(format!("jsna-gap-{name}-{}", std::process::id()));
        outputs.write(&dir).unwrap();
        Run { outputs, dir }
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.join("explorer/index.html").display())
    }

    fn csv(&self, path: &str) -> Vec<HashMap<String, String>> {
        common::records(
            self.outputs
                .get(path)
                .unwrap_or_else(|| panic!("{path} missing")),
        )
    }
}

/// Local prevalence of current mental illness given for four Boards: the
/// funnel's input (numerator, n).
const LOCAL: [(&str, f64, f64); 4] = [
    ("E06000001", 300.0, 1000.0),
    ("E06000002", 250.0, 900.0),
    ("E06000003", 420.0, 1500.0),
    ("E10000016", 2100.0, 6000.0),
];

/// Counts observed in Nottingham, a series of the explorer's own areas.
const NOTTINGHAM_OBSERVED: [(&str, u32); 6] = [
    ("2024-01-31", 1500),
    ("2024-02-29", 1510),
    ("2024-03-31", 1490),
    ("2024-04-30", 1520),
    ("2024-05-31", 1530),
    ("2024-06-30", 1545),
];

/// The default run with two scenarios (README's examples), local
/// prevalence for four Boards and counts observed in Nottingham,
/// configured as a user would.
fn what_if() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("jsna-gap-what-if-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut local = "level,area_code,condition,numerator,n,source\n".to_string();
        for (code, numerator, n) in LOCAL {
            local += &format!("ctyua,{code},current_mental_illness,{numerator},{n},test\n");
        }
        std::fs::write(dir.join("local_prevalence.csv"), local).unwrap();
        // The repository's observed counts, and six months counted in
        // Nottingham (too few areas to change the model's error).
        let mut observed = include_str!("../../datasets/caseload_observed.csv").to_string();
        for (k, (date, count)) in NOTTINGHAM_OBSERVED.iter().enumerate() {
            observed += &format!(
                "T{k},ctyua,E06000018,Nottingham,{date},{count},all_supervised_home_address,test,no,,test\n"
            );
        }
        std::fs::write(dir.join("caseload_observed.csv"), observed).unwrap();
        // The repository's configuration, its datasets where they are,
        // with the local figures, widened funnel limits and two scenarios.
        let repository = env!("CARGO_MANIFEST_DIR");
        let config = include_str!("../../jsna.toml")
            .replace(
                "= \"datasets/caseload_observed.csv\"",
                "= \"caseload_observed.csv\"",
            )
            .replace("= \"datasets/", &format!("= \"{repository}/datasets/"))
            .replace(
                "[datasets]\n",
                "[datasets]\nlocal_prevalence = \"local_prevalence.csv\"\n",
            )
            .replace("overdispersion = false", "overdispersion = true")
            + SCENARIOS;
        std::fs::write(dir.join("jsna.toml"), config).unwrap();
        let mut overrides = Overrides::from_env(Some(dir.join("jsna.toml")), None);
        overrides.scenarios = vec!["all".to_string()];
        Run::of(&RunSpec::resolve(&overrides).unwrap(), "what-if")
    })
}

/// README's two example scenarios.
const SCENARIOS: &str = r#"
[[scenario]]
name = "hartlepool_pd_pathway"
description = "A personality-disorder pathway for 40 people on probation in Hartlepool"
[[scenario.change]]
kind = "add_service"
name = "Hartlepool PD pathway"
capacity = 40
area_level = "ctyua"
area_code = "E06000001"
domain = "personality_disorder"

[[scenario]]
name = "sentencing_reform"
description = "A tenth more people under community supervision in England"
[[scenario.change]]
kind = "caseload"
area_level = "country"
area_code = "E92000001"
percent = 10
"#;

fn text(path: &str) -> &'static str {
    let bytes = run().outputs.get(path);
    std::str::from_utf8(bytes.unwrap_or_else(|| panic!("{path} missing"))).unwrap()
}

/// The JSON the page carries.
fn data() -> &'static Value {
    static DATA: OnceLock<Value> = OnceLock::new();
    DATA.get_or_init(|| data_of(run()))
}

fn data_of(run: &Run) -> Value {
    let html = std::str::from_utf8(run.outputs.get("explorer/index.html").unwrap()).unwrap();
    let open = r#"<script type="application/json" id="data">"#;
    let start = html.find(open).expect("the page carries its data") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// gap.csv rows by (level, area code, condition).
type Gap = BTreeMap<(String, String, String), HashMap<String, String>>;

fn gap() -> &'static Gap {
    static GAP: OnceLock<Gap> = OnceLock::new();
    GAP.get_or_init(|| {
        common::records(run().outputs.get("gap.csv").unwrap())
            .into_iter()
            .map(|r| {
                let key = (
                    r["level"].clone(),
                    r["area_code"].clone(),
                    r["condition"].clone(),
                );
                (key, r)
            })
            .collect()
    })
}

fn level(id: &str) -> &'static Value {
    data()["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap_or_else(|| panic!("level {id}"))
}

/// The view of a level, condition and measure; null when there is none.
fn view<'a>(level: &'a Value, condition: &str, measure: &str) -> &'a Value {
    match level["views"][condition][measure].as_u64() {
        Some(at) => &level["figures"][at as usize],
        None => &Value::Null,
    }
}

/// How a measure is published, by gap.csv column: "count" (people, under
/// the small-number rule), "rate" (per 100,000 adults, withheld where its
/// count is suppressed) or "probability".
fn kind(measure: &str) -> &'static str {
    match measure {
        "need" | "unmet_need" | "caseload" => "count",
        "need_per_100k_adults" | "unmet_need_per_100k_adults" => "rate",
        "top_fifth_probability" => "probability",
        "need_change" | "unmet_need_change" | "caseload_change" => "change",
        other => panic!("the test does not know measure {other}"),
    }
}

/// The gap.csv count a rate is made from.
fn count_column(measure: &str) -> &str {
    measure.trim_end_matches("_per_100k_adults")
}

/// A figure as the annexes publish it: counts under the default rule
/// (national estimates, so never rounded to 5), rates and probabilities to
/// whole numbers (percentages as the annexes print them).
fn published(measure: &str, v: f64) -> String {
    match kind(measure) {
        "count" => Suppression::default().text(v, false),
        "rate" => thousands(v, 0),
        _ => percent(v, 0),
    }
}

/// A gap.csv row's figure for a measure: "value|lower|upper" as published,
/// or "" where it is empty. A rate whose count is under 5 is withheld, in
/// the annexes' words, with no bounds; a probability has none.
fn expected_cell(row: &HashMap<String, String>, measure: &str) -> String {
    let value = &row[measure];
    if value.is_empty() {
        return String::new();
    }
    if kind(measure) == "probability" {
        return format!("{}||", published(measure, value.parse().unwrap()));
    }
    if kind(measure) == "rate" && number(row, count_column(measure)) < 5.0 {
        return "not published (under 5 people)||".to_string();
    }
    let bound = |suffix: &str| {
        let v: f64 = row[&format!("{measure}_{suffix}")].parse().unwrap();
        published(measure, v)
    };
    format!(
        "{}|{}|{}",
        published(measure, value.parse().unwrap()),
        bound("lower"),
        bound("upper")
    )
}

fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap()
}

/// England's central figure for a level, condition and measure, from
/// gap.csv (its interval comes from the simulation, which gap.csv does not
/// hold); None for the probability of the top fifth.
fn expected_england(level: &str, condition: &str, measure: &str) -> Option<String> {
    let rows: Vec<&HashMap<String, String>> = gap()
        .iter()
        .filter(|((l, _, c), _)| l == level && c == condition)
        .map(|(_, r)| r)
        .collect();
    let sum = |column: &str| rows.iter().map(|r| number(r, column)).sum::<f64>();
    match kind(measure) {
        "rate" => Some(published(
            measure,
            100_000.0 * sum(count_column(measure)) / sum("adults"),
        )),
        "count" => Some(published(measure, sum(measure))),
        _ => None,
    }
}

/// The measure the page opens on: the rate the maps show for the annexes'
/// lead condition (gap.csv's `ranked_by`).
fn lead() -> &'static str {
    let start = data()["start"]["measure"].as_str().unwrap();
    let ranked_by = gap()
        .iter()
        .find(|((l, _, c), r)| {
            l == "ctyua" && c == "current_mental_illness" && !r["ranked_by"].is_empty()
        })
        .map(|(_, r)| r["ranked_by"].as_str())
        .unwrap();
    assert_eq!(start, ranked_by);
    start
}

/// The first part of a "value|lower|upper" cell.
fn central(cell: &Value) -> Option<&str> {
    cell.as_str().map(|c| c.split('|').next().unwrap())
}

#[test]
fn every_figure_is_gap_csv_after_the_small_number_rule() {
    let mut checked = 0;
    for l in data()["levels"].as_array().unwrap() {
        let id = l["id"].as_str().unwrap();
        let areas = l["areas"].as_array().unwrap();
        let codes: Vec<&str> = areas.iter().map(|a| a["code"].as_str().unwrap()).collect();
        let in_gap: Vec<&str> = gap()
            .keys()
            .filter(|(level, _, c)| level == id && c == "current_mental_illness")
            .map(|(_, code, _)| code.as_str())
            .collect();
        assert_eq!(codes, in_gap, "{id}: every area, in code order");
        for condition in data()["conditions"].as_array().unwrap() {
            let condition = condition["id"].as_str().unwrap();
            for m in data()["measures"].as_array().unwrap() {
                let measure = m["id"].as_str().unwrap();
                assert_eq!(m["kind"], kind(measure), "{measure}");
                if kind(measure) == "change" {
                    assert!(
                        view(l, condition, measure).is_null(),
                        "no change without a scenario"
                    );
                    continue;
                }
                let rows: Vec<&HashMap<String, String>> = codes
                    .iter()
                    .map(|code| &gap()[&(id.into(), code.to_string(), condition.into())])
                    .collect();
                let view = view(l, condition, measure);
                if rows.iter().all(|r| r[measure].is_empty()) {
                    assert!(
                        view.is_null(),
                        "{id} {condition} {measure}: no figures, no view"
                    );
                    continue;
                }
                for (i, row) in rows.iter().enumerate() {
                    assert_eq!(
                        view["cells"][i],
                        expected_cell(row, measure),
                        "{id} {} {condition} {measure}",
                        codes[i]
                    );
                    assert_eq!(areas[i]["name"], row["area_name"].as_str());
                    checked += 1;
                }
                // Ranks: highest first by the exact figure, ties to the lower code.
                let mut order: Vec<usize> = (0..rows.len())
                    .filter(|&i| !rows[i][measure].is_empty())
                    .collect();
                order.sort_by(|&a, &b| {
                    number(rows[b], measure)
                        .total_cmp(&number(rows[a], measure))
                        .then(a.cmp(&b))
                });
                assert_eq!(view["order"], json!(order), "{id} {condition} {measure}");
                assert_eq!(
                    central(&view["england"]),
                    expected_england(id, condition, measure).as_deref(),
                    "{id} {condition} {measure}"
                );
                // Rates against England: the published figure's as gap.csv
                // has it; any other rate's from the same simulation.
                let mapped = rows
                    .iter()
                    .map(|r| r["ranked_by"].as_str())
                    .find(|c| !c.is_empty())
                    .unwrap_or_default();
                if kind(measure) == "rate" {
                    let compared: Vec<char> = view["compared"].as_str().unwrap().chars().collect();
                    for (i, row) in rows.iter().enumerate() {
                        let said = match compared[i] {
                            'h' => "higher",
                            's' => "similar",
                            'l' => "lower",
                            _ => "",
                        };
                        if measure == mapped {
                            assert_eq!(
                                said, row["rate_compared_with_england"],
                                "{id} {} {condition} {measure}",
                                codes[i]
                            );
                        } else {
                            assert_eq!(said.is_empty(), row[measure].is_empty());
                        }
                    }
                } else {
                    assert!(view["compared"].is_null());
                }
                // Simulated ranks beside the published rate and the top fifth.
                if measure == mapped || measure == "top_fifth_probability" {
                    for (i, row) in rows.iter().enumerate() {
                        let expected = if row["rank"].is_empty() {
                            String::new()
                        } else {
                            format!(
                                "{}|{}|{}|{}",
                                row["rank"],
                                row["rank_lower"],
                                row["rank_upper"],
                                published(
                                    "top_fifth_probability",
                                    number(row, "top_fifth_probability")
                                )
                            )
                        };
                        assert_eq!(
                            view["ranks"][i],
                            expected.as_str(),
                            "{id} {} {condition}",
                            codes[i]
                        );
                    }
                } else {
                    assert!(view["ranks"].is_null());
                }
            }
        }
    }
    // 259 areas × 10 conditions × 4 measures, and unmet need where assessed.
    assert!(checked > 259 * 10 * 4, "{checked}");
}

#[test]
fn classes_and_colours_are_the_published_maps() {
    let manifest: Value = serde_json::from_str(text("manifest.json")).unwrap();
    let maps = manifest["maps"].as_array().unwrap();
    assert_eq!(maps.len(), 2 * 10);
    for map in maps {
        let (l, condition, column) = (
            map["level"].as_str().unwrap(),
            map["condition"].as_str().unwrap(),
            map["column"].as_str().unwrap(),
        );
        let level = level(l);
        let view = view(level, condition, column);
        let classes = &view["classes"];
        assert_eq!(classes["counts"], map["counts"], "{l} {condition}");
        assert_eq!(
            classes["labels"].as_array().unwrap().len(),
            map["k"].as_u64().unwrap() as usize
        );
        assert!(
            classes["source"]
                .as_str()
                .unwrap()
                .contains(map["file"].as_str().unwrap())
        );
        // Each area's colour is the colour the published SVG gives it.
        let svg = text(map["file"].as_str().unwrap());
        let colours = classes["colours"].as_array().unwrap();
        let class: Vec<char> = view["class"].as_str().unwrap().chars().collect();
        for (i, area) in level["areas"].as_array().unwrap().iter().enumerate() {
            let anchor = format!("href=\"#area-{}\" fill=\"", area["code"].as_str().unwrap());
            let at = svg.find(&anchor).unwrap() + anchor.len();
            let published_fill = &svg[at..at + 7];
            let shown = match class[i] {
                '-' => "url(#n",
                c => colours[c.to_digit(10).unwrap() as usize].as_str().unwrap(),
            };
            assert_eq!(
                &published_fill[..shown.len()],
                shown,
                "{l} {condition} {}",
                area["code"]
            );
        }
    }
}

#[test]
fn similar_areas_are_the_annexes() {
    let boards = level("ctyua");
    let areas = boards["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 153);
    for area in areas {
        let md = text(&format!("annex/{}.md", area["code"].as_str().unwrap()));
        let section = md
            .split("## Comparison with England and similar areas")
            .nth(1)
            .unwrap();
        let section = section.split("\n## ").next().unwrap();
        // Table rows: this Board, England, the similar Boards, then the
        // similar Boards together.
        let names: Vec<&str> = section
            .lines()
            .filter(|line| {
                line.starts_with("| ") && !line.starts_with("| Area") && !line.starts_with("| ---")
            })
            .map(|line| line[2..].split(" |").next().unwrap())
            .skip(2)
            .filter(|name| !name.ends_with("similar Boards together"))
            .collect();
        let similar: Vec<&str> = area["similar"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                areas[i.as_u64().unwrap() as usize]["name"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(similar, names, "{}", area["code"]);
    }
}

#[test]
fn the_page_is_self_contained_and_small() {
    let html = text("explorer/index.html");
    assert!(!html.contains(" src=") && !html.contains("<link"));
    // No address but the SVG namespace, which is a name, not a request.
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    assert!(html.contains("<html lang=\"en-GB\">"));
    // Open in a moment even on a slow machine: well under a megabyte.
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
    let manifest: Value = serde_json::from_str(text("manifest.json")).unwrap();
    assert!(
        manifest["outputs"]
            .as_array()
            .unwrap()
            .contains(&json!("explorer/index.html"))
    );
}

// ---- in a real browser ----

/// The page in a fresh headless chromium of the given size; None (and a
/// printed reason) when chromium is not installed.
fn open(name: &str, width: u32, height: u32, mobile: bool) -> Option<Browser> {
    open_run(run(), name, width, height, mobile)
}

fn open_run(run: &Run, name: &str, width: u32, height: u32, mobile: bool) -> Option<Browser> {
    let Some(chromium) = chromium() else {
        eprintln!(
            "SKIPPED {name}: the browser test needs Debian's chromium (apt-get install chromium); .ci/run installs it"
        );
        return None;
    };
    let profile = run.dir.join(format!("profile-{name}"));
    let mut browser = Browser::launch(chromium, &profile, width, height);
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
    );
    browser.open(&run.url());
    Some(browser)
}

/// Fails on any console message, exception or logged error, and on any
/// request but the page itself (and the table's CSV, made in the page).
fn assert_clean(browser: &Browser) {
    assert_clean_of(browser, run());
}

fn assert_clean_of(browser: &Browser, run: &Run) {
    assert_eq!(browser.problems(), Vec::<String>::new());
    for url in browser.requests() {
        assert!(
            url.starts_with(&run.url()) || url.starts_with("blob:"),
            "a network request: {url}"
        );
    }
}

/// Downloads the table as CSV: its name and rows, checked to be the
/// table's rows in the table's order.
fn download(browser: &mut Browser, run: &Run) -> (String, Vec<HashMap<String, String>>) {
    let downloads = run.dir.join("downloads");
    browser.browser_call(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.display().to_string(), "eventsEnabled": true}),
    );
    let (x, y) = point_in(browser, "#download");
    browser.click(x, y);
    let begun = browser.wait_for("the download to begin", |e| {
        e["method"] == "Browser.downloadWillBegin"
    });
    let name = begun["params"]["suggestedFilename"]
        .as_str()
        .unwrap()
        .to_string();
    browser.wait_for("the download to complete", |e| {
        e["method"] == "Browser.downloadProgress" && e["params"]["state"] == "completed"
    });
    let records = common::records(&std::fs::read(downloads.join(&name)).unwrap());
    let shown: Vec<String> = serde_json::from_value(browser.eval(
        "Array.prototype.map.call(document.querySelectorAll('#table tbody tr'), function (tr) { return tr.querySelector('.code').textContent; })",
    ))
    .unwrap();
    let in_csv: Vec<String> = records.iter().map(|r| r["area_code"].clone()).collect();
    assert_eq!(in_csv, shown);
    (name, records)
}

/// Sets a control as a user would and lets the page react.
fn choose(browser: &mut Browser, control: &str, value: &str) {
    browser.eval(&format!(
        "(function () {{ var s = document.getElementById({control:?}); s.value = {value:?}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})()"
    ));
}

/// A point inside an element, in viewport coordinates, after scrolling it
/// into view: the element itself must be what is hit there.
fn point_in(browser: &mut Browser, selector: &str) -> (f64, f64) {
    let found = browser.eval(&format!(
        r#"(function () {{
  var el = document.querySelector({selector:?});
  el.scrollIntoView({{block: "center"}});
  var b = el.getBoundingClientRect();
  for (var r = 0; r <= 10; r++) for (var a = -r; a <= r; a++) for (var c = -r; c <= r; c++) {{
    var x = b.left + b.width * (0.5 + a / 21), y = b.top + b.height * (0.5 + c / 21);
    var hit = document.elementFromPoint(x, y);
    if (hit === el || (hit && el.contains(hit))) return [x, y];
  }}
  return null;
}})()"#
    ));
    let xy = found
        .as_array()
        .unwrap_or_else(|| panic!("nothing of {selector} can be pointed at"));
    (xy[0].as_f64().unwrap(), xy[1].as_f64().unwrap())
}

fn string(browser: &mut Browser, expression: &str) -> String {
    browser
        .eval(expression)
        .as_str()
        .unwrap_or_else(|| panic!("{expression} is not text"))
        .to_string()
}

/// The area position of a code at a level.
fn position(level_id: &str, code: &str) -> usize {
    level(level_id)["areas"]
        .as_array()
        .unwrap()
        .iter()
        .position(|a| a["code"] == code)
        .unwrap()
}

fn gap_row(level: &str, code: &str, condition: &str) -> &'static HashMap<String, String> {
    &gap()[&(level.to_string(), code.to_string(), condition.to_string())]
}

/// "value (lower to upper)" from gap.csv.
fn expected_figure(level: &str, code: &str, condition: &str, measure: &str) -> String {
    let cell = expected_cell(gap_row(level, code, condition), measure);
    let parts: Vec<&str> = cell.split('|').collect();
    format!("{} ({} to {})", parts[0], parts[1], parts[2])
}

/// The code of the area with the highest figure, from gap.csv.
fn highest(level: &str, condition: &str, measure: &str) -> String {
    gap()
        .iter()
        .filter(|((l, _, c), r)| l == level && c == condition && !r[measure].is_empty())
        .max_by(|a, b| number(a.1, measure).total_cmp(&number(b.1, measure)))
        .map(|((_, code, _), _)| code.clone())
        .unwrap()
}

#[test]
fn in_a_browser_level_condition_hover_click_chart_and_csv_follow_gap_csv() {
    let Some(mut browser) = open("mouse", 1024, 900, false) else {
        return;
    };
    let html = text("explorer/index.html");
    let timing = browser.eval(
        "(function () { var n = performance.getEntriesByType('navigation')[0]; return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()",
    );
    println!(
        "explorer/index.html: {} bytes; DOM ready {:.0} ms, loaded and drawn {:.0} ms after navigation",
        html.len(),
        timing[0].as_f64().unwrap(),
        timing[1].as_f64().unwrap()
    );
    let paths = "document.querySelectorAll('#map .areas path').length";
    assert_eq!(browser.eval(paths), 153);
    // No scenarios and no local prevalence in the default run: no scenario
    // control, no funnel plot.
    assert_eq!(
        browser.eval("[document.getElementById('scenario-control').hidden, document.getElementById('funnel-section').hidden]"),
        json!([true, true])
    );

    // Sub-ICB locations, psychosis, people: the highest area on hover and click.
    choose(&mut browser, "level", "sicbl");
    choose(&mut browser, "condition", "psychosis");
    choose(&mut browser, "measure", "need");
    assert_eq!(browser.eval(paths), 106);
    let code = highest("sicbl", "psychosis", "need");
    let row = gap_row("sicbl", &code, "psychosis");
    let i = position("sicbl", &code);
    let (x, y) = point_in(&mut browser, &format!("#map path[data-i='{i}']"));
    browser.mouse("mouseMoved", x, y);
    let figure = expected_figure("sicbl", &code, "psychosis", "need");
    assert_eq!(
        string(&mut browser, "document.getElementById('tooltip').innerText"),
        format!("{}\n{figure} people", row["area_name"])
    );
    // Pointed at on the map, marked in the chart and the table.
    let area_path = string(
        &mut browser,
        &format!("document.querySelector(\"#map path[data-i='{i}']\").getAttribute('d')"),
    );
    assert_eq!(
        string(
            &mut browser,
            "document.querySelector('#map .marks .hover').getAttribute('d')"
        ),
        area_path
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#chart .marks .hover').length"),
        1
    );
    assert_eq!(
        string(
            &mut browser,
            "document.querySelector('#table tr.hover').getAttribute('data-i')"
        ),
        i.to_string()
    );
    browser.click(x, y);
    assert_eq!(
        string(
            &mut browser,
            "document.getElementById('detail-heading').textContent"
        ),
        row["area_name"]
    );
    let detail = string(
        &mut browser,
        "document.getElementById('detail-body').innerText",
    );
    assert!(detail.contains(&figure), "{detail}");
    let england = expected_england("sicbl", "psychosis", "need").unwrap();
    assert!(
        detail.contains(&format!("England (all areas)\t{england}")),
        "{detail}"
    );
    assert!(
        !detail.contains("annex"),
        "sub-ICB locations have no annex: {detail}"
    );
    let similar = level("sicbl")["areas"][i]["similar"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(similar.len(), 5);
    for k in &similar {
        let other = &level("sicbl")["areas"][k.as_u64().unwrap() as usize];
        let line = format!(
            "{}\t{}",
            other["name"].as_str().unwrap(),
            expected_figure(
                "sicbl",
                other["code"].as_str().unwrap(),
                "psychosis",
                "need"
            )
        );
        assert!(detail.contains(&line), "{line} in {detail}");
    }
    assert_eq!(
        string(
            &mut browser,
            "document.querySelector('#table tr.selected').getAttribute('data-i')"
        ),
        i.to_string()
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#chart .marks .selected').length"),
        1
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#chart .marks .similar').length"),
        5
    );
    assert!(string(&mut browser, "location.hash").ends_with(&format!("&area={code}")));

    // Boards, current mental illness per 100,000 adults: a Board's detail
    // links its annex; pointing in the chart marks the map.
    choose(&mut browser, "level", "ctyua");
    choose(&mut browser, "condition", "current_mental_illness");
    choose(&mut browser, "measure", lead());
    let nottingham = position("ctyua", "E06000018");
    let (x, y) = point_in(&mut browser, &format!("#map path[data-i='{nottingham}']"));
    browser.click(x, y);
    let detail = string(
        &mut browser,
        "document.getElementById('detail-body').innerText",
    );
    let figure = expected_figure("ctyua", "E06000018", "current_mental_illness", lead());
    assert!(detail.contains(&figure), "{figure} in {detail}");
    let england = expected_england("ctyua", "current_mental_illness", lead()).unwrap();
    assert!(
        detail.contains(&format!("England\t{england} (")),
        "{detail}"
    );
    // Nottingham against England, as gap.csv and the annex say.
    let against =
        &gap_row("ctyua", "E06000018", "current_mental_illness")["rate_compared_with_england"];
    assert!(
        detail.contains(&format!("{figure}\t{against} than England"))
            || detail.contains(&format!("{figure}\t{against} to England")),
        "{against} in {detail}"
    );
    let annex = string(
        &mut browser,
        "document.querySelector('#detail a.annex').getAttribute('href')",
    );
    assert_eq!(annex, "../annex/E06000018.html");
    assert!(run().dir.join("explorer").join(&annex).exists());
    let other = position("ctyua", &highest("ctyua", "current_mental_illness", lead()));
    let (x, y) = point_in(&mut browser, &format!("#chart g[data-i='{other}'] rect"));
    browser.mouse("mouseMoved", x, y);
    let other_path = string(
        &mut browser,
        &format!("document.querySelector(\"#map path[data-i='{other}']\").getAttribute('d')"),
    );
    assert_eq!(
        string(
            &mut browser,
            "document.querySelector('#map .marks .hover').getAttribute('d')"
        ),
        other_path
    );
    let shot = browser.screenshot();
    std::fs::write(run().dir.join("explorer-1024.png"), shot).unwrap();
    println!(
        "screenshot: {}",
        run().dir.join("explorer-1024.png").display()
    );

    // The CSV holds exactly the table's rows, in its order: gap.csv's figures.
    let (name, records) = download(&mut browser, run());
    assert_eq!(
        name,
        format!("jsna-gap-ctyua-current_mental_illness-{}.csv", lead())
    );
    assert_eq!(records.len(), 153);
    assert!(
        !records[0].contains_key("scenario"),
        "no scenarios, no column"
    );
    for (rank, r) in records.iter().enumerate() {
        assert_eq!(
            r["rank"],
            (rank + 1).to_string(),
            "the table starts in rank order"
        );
        let row = gap_row("ctyua", &r["area_code"], "current_mental_illness");
        let cell = expected_cell(row, lead());
        assert_eq!(
            format!("{}|{}|{}", r["value"], r["lower"], r["upper"]),
            cell
        );
        assert_eq!(
            r["compared_with_england"],
            row["rate_compared_with_england"]
        );
        assert_eq!(r["rank_lower"], row["rank_lower"]);
        assert_eq!(r["rank_upper"], row["rank_upper"]);
        assert_eq!(r["level"], "ctyua");
        assert_eq!(r["unit"], "per 100,000 adults");
    }
    assert_clean(&browser);
}

#[test]
fn in_a_browser_everything_works_by_keyboard_alone() {
    let Some(mut browser) = open("keyboard", 1024, 900, false) else {
        return;
    };
    let active = "(function () { var a = document.activeElement; return a.id || a.getAttribute('data-i') || a.getAttribute('data-sort') || a.tagName; })()";
    // Tab order: the skip link, the three controls, then the map.
    let mut order = Vec::new();
    for _ in 0..5 {
        browser.key("Tab");
        order.push(string(&mut browser, active));
    }
    let first = view(level("ctyua"), "current_mental_illness", lead())["order"][0]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(
        order,
        ["A", "level", "condition", "measure", &first.to_string()]
    );
    // The focused area shows its figure and is outlined.
    let code = highest("ctyua", "current_mental_illness", lead());
    let name = gap_row("ctyua", &code, "current_mental_illness")["area_name"].clone();
    let figure = expected_figure("ctyua", &code, "current_mental_illness", lead());
    let against = &gap_row("ctyua", &code, "current_mental_illness")["rate_compared_with_england"];
    let words = if against == "similar" {
        "similar to England".to_string()
    } else {
        format!("{against} than England")
    };
    assert_eq!(
        string(&mut browser, "document.getElementById('tooltip').innerText"),
        format!("{name}\n{figure} per 100,000 adults\n{words}")
    );
    assert_eq!(
        string(
            &mut browser,
            "document.activeElement.getAttribute('aria-label')"
        ),
        format!("{name}: {figure} per 100,000 adults, {words}")
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#map .marks .hover').length"),
        1
    );
    // Arrows move down the ranking; Enter and Space choose.
    let order: Vec<usize> = serde_json::from_value(
        view(level("ctyua"), "current_mental_illness", lead())["order"].clone(),
    )
    .unwrap();
    let name_of = |i: usize| {
        level("ctyua")["areas"][i]["name"]
            .as_str()
            .unwrap()
            .to_string()
    };
    browser.key("ArrowRight");
    assert_eq!(string(&mut browser, active), order[1].to_string());
    browser.key("Enter");
    assert_eq!(
        string(
            &mut browser,
            "document.getElementById('detail-heading').textContent"
        ),
        name_of(order[1])
    );
    browser.key("ArrowDown");
    browser.key(" ");
    assert_eq!(
        string(
            &mut browser,
            "document.getElementById('detail-heading').textContent"
        ),
        name_of(order[2])
    );
    browser.key("ArrowLeft");
    browser.key("ArrowUp");
    assert_eq!(string(&mut browser, active), order[0].to_string());
    // Tab leaves the map for the similar areas, each a button.
    browser.key("Tab");
    let similar = level("ctyua")["areas"][order[2]]["similar"][0]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(string(&mut browser, active), similar.to_string());
    browser.key("Enter");
    assert_eq!(
        string(
            &mut browser,
            "document.getElementById('detail-heading').textContent"
        ),
        name_of(similar)
    );
    // On to the table: sort by area name with Enter, then choose its first row.
    let mut steps = 0;
    while string(&mut browser, active) != "name" {
        browser.key("Tab");
        steps += 1;
        assert!(steps < 20, "the table's sort buttons are reachable by Tab");
    }
    browser.key("Enter");
    assert_eq!(
        string(
            &mut browser,
            "document.querySelector('#table th[aria-sort]').textContent"
        ),
        "Area"
    );
    let mut names: Vec<String> = level("ctyua")["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    let first_row = "document.querySelector('#table tbody th button').textContent";
    assert_eq!(string(&mut browser, first_row), names[0]);
    browser.key("Enter");
    assert_eq!(string(&mut browser, first_row), names[names.len() - 1]);
    // The condition changes from the keyboard too.
    browser.eval("document.getElementById('condition').focus()");
    browser.key("ArrowDown");
    let second = data()["conditions"][1]["id"].as_str().unwrap();
    assert_eq!(
        string(&mut browser, "document.getElementById('condition').value"),
        second
    );
    assert!(string(&mut browser, "location.hash").contains(&format!("condition={second}")));
    assert_clean(&browser);
}

#[test]
fn in_a_browser_it_fits_a_phone_width_screen() {
    let Some(mut browser) = open("phone", 375, 812, true) else {
        return;
    };
    let width = browser.eval("document.documentElement.scrollWidth");
    assert!(
        width.as_f64().unwrap() <= 375.0,
        "no sideways scrolling: {width}"
    );
    for selector in ["#map", "#chart", "#level", "#download", "#table"] {
        let box_ = browser.eval(&format!(
            "(function () {{ var b = document.querySelector('{selector}').getBoundingClientRect(); return [b.left, b.right, b.width]; }})()"
        ));
        let [left, right, w] = [0, 1, 2].map(|k| box_[k].as_f64().unwrap());
        assert!(
            left >= 0.0 && right <= 375.0 && w > 50.0,
            "{selector}: {box_}"
        );
    }
    // A tap chooses an area.
    let code = highest("ctyua", "current_mental_illness", lead());
    let i = position("ctyua", &code);
    let (x, y) = point_in(&mut browser, &format!("#map path[data-i='{i}']"));
    browser.click(x, y);
    let name = &gap_row("ctyua", &code, "current_mental_illness")["area_name"];
    assert_eq!(
        &string(
            &mut browser,
            "document.getElementById('detail-heading').textContent"
        ),
        name
    );
    let shot = browser.screenshot();
    std::fs::write(run().dir.join("explorer-375.png"), shot).unwrap();
    println!(
        "screenshot: {}",
        run().dir.join("explorer-375.png").display()
    );
    assert_clean(&browser);
}

// ---- scenarios, change over time and funnels (issue 13) ----

/// scenarios.csv rows by (scenario, level, area code, condition).
fn scenario_rows() -> BTreeMap<(String, String, String, String), HashMap<String, String>> {
    what_if()
        .csv("scenarios.csv")
        .into_iter()
        .map(|r| {
            let key = (
                r["scenario"].clone(),
                r["level"].clone(),
                r["area_code"].clone(),
                r["condition"].clone(),
            );
            (key, r)
        })
        .collect()
}

/// A change as the annexes' "What if" publishes it: signed, its size under
/// the small-number rule; no change at all is 0.
fn signed(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let sign = if v < 0.0 { "−" } else { "+" };
    format!("{sign}{}", Suppression::default().text(v.abs(), false))
}

/// A scenarios.csv figure as the explorer publishes it, "value|lower|upper":
/// counts as gap.csv's, changes signed.
fn expected_scenario_cell(row: &HashMap<String, String>, measure: &str) -> String {
    if row[measure].is_empty() {
        return String::new();
    }
    let parts: Vec<String> = ["", "_lower", "_upper"]
        .iter()
        .map(|suffix| {
            let v = number(row, &format!("{measure}{suffix}"));
            if measure.ends_with("_change") {
                signed(v)
            } else {
                Suppression::default().text(v, false)
            }
        })
        .collect();
    parts.join("|")
}

#[test]
fn each_scenarios_figures_and_changes_are_scenarios_csv() {
    let data = data_of(what_if());
    let names: Vec<&str> = data["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["hartlepool_pd_pathway", "sentencing_reform"]);
    let rows = scenario_rows();
    let mut checked = 0;
    for l in data["levels"].as_array().unwrap() {
        let id = l["id"].as_str().unwrap();
        let codes: Vec<&str> = l["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        for scenario in names.iter().copied() {
            for condition in data["conditions"].as_array().unwrap() {
                let condition = condition["id"].as_str().unwrap();
                // Counts and changes, as scenarios.csv: no rates, no ranks.
                let offered = &l["scenarios"][scenario][condition];
                assert!(offered["need_per_100k_adults"].is_null());
                assert!(offered["top_fifth_probability"].is_null());
                for measure in [
                    "caseload",
                    "need",
                    "unmet_need",
                    "caseload_change",
                    "need_change",
                    "unmet_need_change",
                ] {
                    let at = &l["scenarios"][scenario][condition][measure];
                    let of = |code: &str| {
                        &rows[&(scenario.into(), id.into(), code.into(), condition.into())]
                    };
                    if codes.iter().all(|c| of(c)[measure].is_empty()) {
                        assert!(at.is_null(), "{scenario} {id} {condition} {measure}");
                        continue;
                    }
                    let view = &l["figures"][at.as_u64().unwrap() as usize];
                    for (i, code) in codes.iter().enumerate() {
                        let row = of(code);
                        assert_eq!(
                            view["cells"][i],
                            expected_scenario_cell(row, measure),
                            "{scenario} {id} {code} {condition} {measure}"
                        );
                        // A change is real only where scenarios.csv says so.
                        if let Some(is) = measure.strip_suffix("_change") {
                            let said = match view["compared"].as_str().unwrap().as_bytes()[i] {
                                b'h' => "higher",
                                b's' => "similar",
                                b'l' => "lower",
                                _ => "",
                            };
                            assert_eq!(said, row[&format!("{is}_change_is")], "{scenario} {code}");
                        }
                        checked += 1;
                    }
                }
            }
        }
        // The baseline offers no change.
        assert!(l["views"]["current_mental_illness"]["need_change"].is_null());
    }
    assert!(checked > 2 * 259 * 10 * 4, "{checked}");
    // The Hartlepool pathway changes unmet need in Hartlepool alone.
    let boards = level_of(&data, "ctyua");
    let view = &boards["figures"]
        [boards["scenarios"]["hartlepool_pd_pathway"]["personality_disorder"]["unmet_need_change"]
            .as_u64()
            .unwrap() as usize];
    let hartlepool = position("ctyua", "E06000001");
    let real: Vec<usize> = view["compared"]
        .as_str()
        .unwrap()
        .char_indices()
        .filter(|(_, c)| *c != 's')
        .map(|(i, _)| i)
        .collect();
    assert_eq!(real, [hartlepool]);
}

fn level_of<'a>(data: &'a Value, id: &str) -> &'a Value {
    data["levels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap()
}

#[test]
fn in_a_browser_a_scenario_a_trend_and_a_funnel_follow_the_files_the_run_wrote() {
    let run = what_if();
    let Some(mut browser) = open_run(run, "what-if", 1024, 900, false) else {
        return;
    };
    let html = std::str::from_utf8(run.outputs.get("explorer/index.html").unwrap()).unwrap();
    let timing = browser.eval(
        "(function () { var n = performance.getEntriesByType('navigation')[0]; return [n.domContentLoadedEventEnd, n.loadEventEnd]; })()",
    );
    println!(
        "explorer/index.html with two scenarios and a funnel: {} bytes; DOM ready {:.0} ms, loaded and drawn {:.0} ms after navigation",
        html.len(),
        timing[0].as_f64().unwrap(),
        timing[1].as_f64().unwrap()
    );
    let rows = scenario_rows();
    let nottingham = "E06000018";
    let i = position("ctyua", nottingham);
    let key = |scenario: &str| {
        (
            scenario.to_string(),
            "ctyua".to_string(),
            nottingham.to_string(),
            "current_mental_illness".to_string(),
        )
    };

    // Sentencing reform, need: Nottingham's figure is scenarios.csv's.
    choose(&mut browser, "scenario", "sentencing_reform");
    choose(&mut browser, "level", "ctyua");
    choose(&mut browser, "condition", "current_mental_illness");
    choose(&mut browser, "measure", "need");
    let (x, y) = point_in(&mut browser, &format!("#map path[data-i='{i}']"));
    browser.click(x, y);
    let row = &rows[&key("sentencing_reform")];
    let cell = expected_scenario_cell(row, "need");
    let parts: Vec<&str> = cell.split('|').collect();
    assert_eq!(
        string(
            &mut browser,
            "document.querySelector('#detail .figure strong').textContent"
        ),
        parts[0]
    );
    let detail = string(
        &mut browser,
        "document.getElementById('detail-body').innerText",
    );
    assert!(
        detail.contains(&format!("95% interval: {} to {}", parts[1], parts[2])),
        "{detail}"
    );
    assert!(string(&mut browser, "location.hash").starts_with("#scenario=sentencing_reform&"));

    // Its change from the baseline, real as scenarios.csv says.
    choose(&mut browser, "measure", "need_change");
    let cell = expected_scenario_cell(row, "need_change");
    assert_eq!(
        string(
            &mut browser,
            "document.querySelector('#detail .figure strong').textContent"
        ),
        cell.split('|').next().unwrap()
    );
    let words = match row["need_change_is"].as_str() {
        "higher" => "A real increase",
        "lower" => "A real decrease",
        _ => "No real change",
    };
    assert!(
        string(
            &mut browser,
            "document.querySelector('#detail .against').textContent"
        )
        .starts_with(words)
    );
    // The CSV is the scenario's: every Board's change and its direction.
    let (name, records) = download(&mut browser, run);
    assert_eq!(
        name,
        "jsna-gap-sentencing_reform-ctyua-current_mental_illness-need_change.csv"
    );
    assert_eq!(records.len(), 153);
    for r in &records {
        assert_eq!(r["scenario"], "sentencing_reform");
        let row = &rows[&(
            "sentencing_reform".to_string(),
            "ctyua".to_string(),
            r["area_code"].clone(),
            "current_mental_illness".to_string(),
        )];
        assert_eq!(
            format!("{}|{}|{}", r["value"], r["lower"], r["upper"]),
            expected_scenario_cell(row, "need_change")
        );
        assert_eq!(r["change_is"], row["need_change_is"]);
    }

    // Back to the baseline: no change measure offered.
    choose(&mut browser, "scenario", "");
    let start = data_of(run)["start"]["measure"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        string(&mut browser, "document.getElementById('measure').value"),
        start
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#measure option[value$=\"_change\"]').length"),
        0
    );

    // Nottingham's caseload over time: trends.csv's modelled series, said
    // to be the national trend.
    let (x, y) = point_in(&mut browser, &format!("#map path[data-i='{i}']"));
    browser.click(x, y);
    let basis = string(
        &mut browser,
        "document.querySelector('#detail .basis').textContent",
    );
    assert!(
        basis.starts_with("Modelled: the national series spread by this area’s fixed share"),
        "{basis}"
    );
    let shown: Vec<String> = serde_json::from_value(browser.eval(
        "Array.prototype.map.call(document.querySelectorAll('#detail details.modelled tbody tr'), function (tr) { return tr.textContent; })",
    ))
    .unwrap();
    let expected: Vec<String> = what_if()
        .csv("trends.csv")
        .into_iter()
        .filter(|r| {
            r["level"] == "ctyua"
                && r["area_code"] == nottingham
                && r["measure"] == "caseload"
                && r["basis"] == "modelled_national_trend"
        })
        .map(|r| {
            let [value, lower, upper] = ["value", "lower", "upper"]
                .map(|c| Suppression::default().text(number(&r, c), false));
            format!("{}{value}{lower} to {upper}", r["date"])
        })
        .collect();
    assert!(expected.len() >= 5, "{expected:?}");
    assert_eq!(shown, expected);
    assert_eq!(
        browser.eval("document.querySelectorAll('#detail svg.trend.modelled circle').length"),
        expected.len()
    );
    // And the counts observed there, with their recent trend.
    let shown: Vec<String> = serde_json::from_value(browser.eval(
        "Array.prototype.map.call(document.querySelectorAll('#detail details.observed tbody tr'), function (tr) { return tr.textContent; })",
    ))
    .unwrap();
    let observed: Vec<HashMap<String, String>> = what_if()
        .csv("trends.csv")
        .into_iter()
        .filter(|r| r["area_code"] == nottingham && r["basis"] == "observed")
        .collect();
    let expected: Vec<String> = observed
        .iter()
        .map(|r| {
            let [value, lower, upper] = ["value", "lower", "upper"]
                .map(|c| Suppression::default().text(number(r, c), false));
            format!("{}{value}{lower} to {upper}", r["date"])
        })
        .collect();
    assert_eq!(expected.len(), NOTTINGHAM_OBSERVED.len());
    assert_eq!(shown, expected);
    let words = &observed.last().unwrap()["recent_trend"];
    assert!(!words.is_empty());
    let basis = string(
        &mut browser,
        "document.querySelectorAll('#detail .basis')[1].textContent",
    );
    assert!(
        basis.starts_with("Observed: counted in this area"),
        "{basis}"
    );
    assert!(basis.contains(&format!("at 99.8%): {words}.")), "{basis}");

    // The funnel: each dot the local figure given, named as funnels.csv
    // names it and judged as funnels.csv judges it.
    assert_eq!(
        browser.eval("document.getElementById('funnel-section').hidden"),
        false
    );
    let funnel = what_if().csv("funnels.csv");
    assert_eq!(funnel.len(), LOCAL.len());
    assert_eq!(
        browser.eval("document.querySelectorAll('#funnel circle.point').length"),
        LOCAL.len()
    );
    for (k, (code, numerator, n)) in LOCAL.iter().enumerate() {
        let row = funnel.iter().find(|r| r["area_code"] == *code).unwrap();
        let (x, y) = point_in(&mut browser, &format!("#funnel circle[data-k='{k}']"));
        browser.mouse("mouseMoved", x, y);
        let tip = string(&mut browser, "document.getElementById('tooltip').innerText");
        let expected = format!(
            "{}\n{} ({} of {})\nn = {}\n{}; against the widened limits: {}",
            row["area_name"],
            percent(numerator / n, 1),
            thousands(*numerator, 0),
            thousands(*n, 0),
            thousands(*n, 0),
            row["significance"],
            row["significance_overdispersed"]
        );
        assert_eq!(tip, expected);
    }
    // The figures by keyboard too: a dot takes focus and Enter chooses its area.
    browser.eval("document.querySelector(\"#funnel circle[data-k='0']\").focus()");
    browser.key("Enter");
    let first = funnel
        .iter()
        .find(|r| r["area_code"] == LOCAL[0].0)
        .unwrap();
    assert_eq!(
        string(
            &mut browser,
            "document.getElementById('detail-heading').textContent"
        ),
        first["area_name"]
    );
    // Another condition at this level has no funnel, and says so.
    choose(&mut browser, "condition", "psychosis");
    assert!(
        string(
            &mut browser,
            "document.getElementById('funnel-note').textContent"
        )
        .starts_with("No funnel plot for psychotic illness")
    );
    assert_eq!(
        browser.eval("document.getElementById('funnel-wrap').hidden"),
        true
    );
    assert_clean_of(&browser, run);
}

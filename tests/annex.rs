//! The JSNA annexes of the default England run: one page per Health and
//! Wellbeing Board plus the overview, every link resolving, every figure in
//! the findings equal to gap.csv after suppression, self-contained pages, and
//! a real browser (Debian's chromium, installed by .ci/run) loading them.

mod common;

use common::cdp::{Browser, chromium};
use jsna_gap::numbers::thousands;
use jsna_gap::output::Outputs;
use jsna_gap::pipeline;
use jsna_gap::stats::suppression::Suppression;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

fn run() -> &'static Outputs {
    static RUN: OnceLock<Outputs> = OnceLock::new();
    RUN.get_or_init(|| pipeline::run(&common::embedded_spec(), &|_| {}).unwrap())
}

fn text(path: &str) -> &'static str {
    std::str::from_utf8(run().get(path).unwrap_or_else(|| panic!("{path} missing"))).unwrap()
}

fn pages() -> Vec<String> {
    run()
        .paths()
        .filter_map(|p| p.to_str())
        .filter(|p| p.starts_with("annex/") && p.ends_with(".html"))
        .map(String::from)
        .collect()
}

fn gap_rows() -> Vec<HashMap<String, String>> {
    common::records(run().get("gap.csv").unwrap())
}

#[test]
fn there_is_a_page_for_every_board_and_an_overview() {
    let pages = pages();
    assert_eq!(pages.len(), 153 + 1);
    assert!(pages.contains(&"annex/index.html".to_string()));
    for page in &pages {
        let md = page.replace(".html", ".md");
        assert!(run().get(&md).is_some(), "{md}");
    }
    // Each Board's rows as CSV beside its page: 10 conditions and a header.
    assert_eq!(text("annex/E06000018.csv").lines().count(), 11);
}

#[test]
fn every_link_between_pages_resolves() {
    for page in pages() {
        for href in text(&page)
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            if href.starts_with("http") || href.starts_with('#') {
                continue;
            }
            let target = Path::new("annex").join(href);
            assert!(
                run().get(target.to_str().unwrap()).is_some(),
                "{page} links to missing {href}"
            );
        }
    }
    let index = text("annex/index.html");
    assert_eq!(
        index.matches("href=\"E").count(),
        153,
        "the overview links every Board"
    );
}

#[test]
fn the_findings_state_the_figures_of_gap_csv_after_suppression() {
    let rule = Suppression::default();
    let published = |row: &HashMap<String, String>, column: &str| {
        rule.text(row[column].parse().unwrap(), false)
    };
    let rows = gap_rows();
    let mut checked = 0;
    for row in rows
        .iter()
        .filter(|r| r["level"] == "ctyua" && r["condition"] == "current_mental_illness")
    {
        let rate = |column: &str| thousands(row[column].parse().unwrap(), 0);
        let need: f64 = row["need"].parse().unwrap();
        let per_adults = if rule.suppresses(need) {
            "too few people to publish a rate".to_string()
        } else {
            format!(
                "{} in every 100,000 adults (95% interval {} to {})",
                rate("need_per_100k_adults"),
                rate("need_per_100k_adults_lower"),
                rate("need_per_100k_adults_upper")
            )
        };
        let expected = format!(
            "An estimated {} people on probation in {} (95% interval {} to {}) have a current mental illness: {per_adults}.",
            published(row, "need"),
            row["area_name"],
            published(row, "need_lower"),
            published(row, "need_upper"),
        );
        let unmet = format!(
            "about {} (95% interval {} to {}) of them are likely to receive no treatment",
            published(row, "unmet_need"),
            published(row, "unmet_need_lower"),
            published(row, "unmet_need_upper")
        );
        let md = text(&format!("annex/{}.md", row["area_code"]));
        assert!(md.contains(&expected), "{}: {expected}", row["area_code"]);
        assert!(md.contains(&unmet), "{}: {unmet}", row["area_code"]);
        let html = text(&format!("annex/{}.html", row["area_code"]));
        let escaped = expected.replace('&', "&amp;").replace('<', "&lt;");
        assert!(html.contains(&escaped), "{}: {escaped}", row["area_code"]);
        checked += 1;
    }
    assert_eq!(checked, 153);
}

#[test]
fn pages_are_self_contained_and_accessible() {
    for page in pages() {
        let html = text(&page);
        assert!(!html.contains(" src=") && !html.contains("<link"), "{page}");
        // url(...) only for the SVG's own patterns (url(#id)), never a resource.
        assert_eq!(
            html.matches("url(").count(),
            html.matches("url(#").count(),
            "{page}"
        );
        assert!(html.contains("<html lang=\"en-GB\">"), "{page}");
        assert!(
            html.contains("<th scope=\"col\">"),
            "{page}: tables have header cells"
        );
        assert_eq!(
            html.matches("<figure>").count(),
            html.matches("role=\"img\" aria-label=\"").count(),
            "{page}"
        );
        assert!(
            html.contains("@media print") && html.contains("size: A4"),
            "{page}"
        );
        assert!(
            html.contains("Contains OS data © Crown copyright and database right"),
            "{page}"
        );
    }
}

#[test]
fn every_page_opens_in_a_real_browser_without_console_errors_or_network_requests() {
    let chromium = chromium().expect(
        "the browser test needs Debian's chromium (apt-get install chromium); .ci/run installs it",
    );
    let dir = std::env::temp_dir().join(format!("jsna-gap-annex-{}", std::process::id()));
    run().write(&dir).unwrap();
    let pages = pages();
    // One browser per core, each opening its half of the pages in turn:
    // a launch costs more than a page.
    let (first, second) = pages.split_at(pages.len() / 2);
    std::thread::scope(|s| {
        for (i, half) in [first, second].into_iter().enumerate() {
            let dir = &dir;
            s.spawn(move || {
                let profile = dir.join(format!("profile-{i}"));
                let mut browser = Browser::launch(chromium, &profile, 1200, 2000);
                half.iter()
                    .for_each(|page| open_in_browser(&mut browser, dir, page));
            });
        }
    });
}

/// Loads one page and fails on any console message, any request that is
/// not one of the run's own files, and any image that did not draw.
fn open_in_browser(browser: &mut Browser, dir: &Path, page: &str) {
    let run_files = format!("file://{}/", dir.display());
    browser.events.clear();
    browser.open(&format!("{run_files}{page}"));
    assert_eq!(browser.problems(), Vec::<String>::new(), "{page}");
    for url in browser.requests() {
        assert!(url.starts_with(&run_files), "{page} made a request: {url}");
    }
    let drawn = browser.eval(
        "[document.body.innerText.length, \
          Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length]",
    );
    assert!(
        drawn[0].as_u64().unwrap() > 500,
        "{page}: nearly empty ({drawn})"
    );
    assert_eq!(drawn[1], 0, "{page}: an image did not draw");
}

//! The charts on small hand-made inputs (order, names, highlight, cell
//! letters, percentages worked by hand, deterministic bytes, PNGs), and an
//! ignored test that draws them for the default England run:
//! `cargo test --test charts -- --ignored` writes target/tmp/chart-*.png.

use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::gap::{AreaFacts, Basis, Figure, GapRow};
use jsna_gap::geography::{Area, Level};
use jsna_gap::prevalence::Domain;
use jsna_gap::render::charts::{
    self, AreaProvision, ChartSpec, category_shares, provision_by_area,
};
use jsna_gap::render::{self, svg_to_png};
use jsna_gap::services::survey::Survey;
use jsna_gap::services::{CATEGORIES, Provision, ServedLevel, Service, Status};
use jsna_gap::source::DataSource;
use jsna_gap::stats::estimate::Estimate;
use jsna_gap::stats::suppression::Suppression;
use jsna_gap::uncertainty::summary::RankInterval;
use jsna_gap::{analysis, load};
use resvg::tiny_skia::Pixmap;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A gap row with need `need` (interval ±20%) and, if given, unmet need;
/// their rates per 100,000 adults are the same numbers, so charts rank the
/// areas in the order of these figures.
fn row(code: &str, name: &str, need: f64, unmet: Option<f64>) -> GapRow {
    let bounds = |v: f64| Estimate {
        value: v,
        lower: v * 0.8,
        upper: v * 1.2,
        lower_998: v * 0.7,
        upper_998: v * 1.3,
    };
    let caseload = need * 2.5;
    GapRow {
        level: Level::Ctyua,
        area_code: code.into(),
        area_name: name.into(),
        condition: "current_mental_illness".into(),
        domain: Domain::MentalHealth,
        facts: AreaFacts {
            caseload: Estimate::exact(caseload),
            coverage: 1.0,
            local: false,
            adults: caseload * 100.0,
        },
        need: bounds(need),
        need_rate: bounds(need),
        unmet: unmet.map(bounds),
        unmet_rate: unmet.map(bounds),
        basis: Basis::NationalTreatmentAccess,
        untreated_share: Some(0.6),
        capacity: None,
        provision: Provision {
            status: Status::NoneRecorded,
            coverage: 0.0,
            services: Vec::new(),
            capacity: None,
        },
        general_population: None,
        local: None,
        rank: None,
        against_england: None,
        suppressed: false,
    }
}

fn rows() -> Vec<GapRow> {
    vec![
        row("E06000001", "Hartlepool", 120.0, Some(70.0)),
        row("E10000016", "Kent", 2150.4, Some(1290.3)),
        row("E06000017", "Rutland", 40.0, Some(24.0)),
        row("E06000018", "Nottingham", 980.0, Some(588.0)),
        // Ties with Hartlepool: name order decides.
        row(
            "E06000010",
            "Kingston upon Hull, City of",
            120.0,
            Some(72.0),
        ),
    ]
}

fn spec(figure: Figure, highlight: Option<&str>) -> ChartSpec {
    ChartSpec {
        title: "Estimated need: any current mental illness among people on probation".into(),
        subtitle: "Upper-tier local authorities (Health and Wellbeing Boards), made-up values"
            .into(),
        source_line: "Source: jsna-gap test & made-up figures".into(),
        figure,
        highlight: highlight.map(str::to_string),
    }
}

/// Where each name's <text> element first appears in the SVG.
fn position(svg: &str, name: &str) -> usize {
    let escaped = name.replace('&', "&amp;");
    svg.find(&format!(">{escaped}</text>"))
        .unwrap_or_else(|| panic!("{name} is not drawn"))
}

/// The PNG decodes and is published width.
fn check_png(svg: &str) -> Pixmap {
    let png = svg_to_png(svg, render::PNG_WIDTH).unwrap();
    let pixmap = Pixmap::decode_png(&png).unwrap();
    assert!(pixmap.width() >= 1600, "{} px wide", pixmap.width());
    pixmap
}

#[test]
fn caterpillar_ranks_areas_highest_first() {
    let rows = rows();
    let refs: Vec<&GapRow> = rows.iter().collect();
    let svg = charts::caterpillar_svg(&refs, &spec(Figure::Need, None));
    let order = [
        "Kent",
        "Nottingham",
        "Hartlepool",
        "Kingston upon Hull, City of",
        "Rutland",
    ];
    let positions: Vec<usize> = order.iter().map(|n| position(&svg, n)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(svg.contains("<title>Estimated need: any current mental illness"));
    assert!(svg.contains("<desc>") && svg.contains("5 areas ranked by estimated need"));
    // Median of 2150.4, 980, 120, 120, 40; ticks (0 to 3,000 by 1,000 for an
    // upper bound of 2,580.5) and values with separators.
    assert!(svg.contains(">Median 120</text>"));
    assert!(svg.contains(">3,000</text>"));
    assert!(svg.contains("Kent (E10000016): 2,150 (95% interval 1,720 to 2,580)"));
    assert!(svg.contains("Source: jsna-gap test &amp; made-up figures"));
}

#[test]
fn caterpillar_ranks_unmet_need_when_asked() {
    let mut rows = rows();
    rows[2].unmet = None;
    rows[2].unmet_rate = None;
    let refs: Vec<&GapRow> = rows.iter().collect();
    let svg = charts::caterpillar_svg(&refs, &spec(Figure::UnmetNeed, None));
    // Hull's unmet need (72) now ranks above Hartlepool's (70).
    assert!(position(&svg, "Kingston upon Hull, City of") < position(&svg, "Hartlepool"));
    assert!(!svg.contains(">Rutland</text>"));
    assert!(svg.contains("1 area not shown: unmet need not assessed."));
    assert!(svg.contains("Estimated unmet need (per 100,000 adults)"));
}

#[test]
fn caterpillar_shows_each_rank_with_its_interval() {
    let mut rows = rows();
    rows[1].rank = Some(RankInterval {
        rank: 1,
        lower: 1,
        upper: 2,
        top_fifth: 0.934,
    });
    let refs: Vec<&GapRow> = rows.iter().collect();
    let svg = charts::caterpillar_svg(&refs, &spec(Figure::Need, None));
    assert!(svg.contains(">1 (1–2)</text>"));
    assert!(svg.contains(
        "Kent (E10000016): 2,150 (95% interval 1,720 to 2,580); rank 1 (95% interval 1 to 2), \
         in the top fifth in 93% of draws"
    ));
    // Areas without a simulated rank get no rank text.
    assert_eq!(svg.matches("–").count(), 1);
}

#[test]
fn caterpillar_highlights_an_area() {
    let rows = rows();
    let refs: Vec<&GapRow> = rows.iter().collect();
    let svg = charts::caterpillar_svg(&refs, &spec(Figure::Need, Some("E06000018")));
    let start = svg[..position(&svg, "Nottingham")].rfind("<text").unwrap();
    assert!(
        svg[start..].starts_with("<text")
            && svg[start..position(&svg, "Nottingham")].contains(r#"font-weight="bold""#)
    );
    let kent = svg[..position(&svg, "Kent")].rfind("<text").unwrap();
    assert!(!svg[kent..position(&svg, "Kent")].contains("bold"));
    assert!(svg.contains("Highlighted: Nottingham (E06000018): 980"));
    assert!(svg.contains(", 2 of 5."));
    assert_eq!(svg.matches(r#"fill-opacity="0.45""#).count(), 1);
}

#[test]
fn caterpillar_leaves_out_suppressed_counts() {
    let mut rows = rows();
    rows[2].suppressed = true;
    let refs: Vec<&GapRow> = rows.iter().collect();
    let svg = charts::caterpillar_svg(&refs, &spec(Figure::Need, None));
    assert!(!svg.contains("Rutland"));
    assert!(svg.contains("1 area not shown: counts below the small-number threshold"));
}

#[test]
fn caterpillar_is_deterministic_and_renders() {
    let rows = rows();
    let refs: Vec<&GapRow> = rows.iter().collect();
    let reversed: Vec<&GapRow> = rows.iter().rev().collect();
    let spec = spec(Figure::Need, Some("E10000016"));
    let svg = charts::caterpillar_svg(&refs, &spec);
    assert_eq!(svg, charts::caterpillar_svg(&reversed, &spec));
    check_png(&svg);
}

fn service(id: &str, category: &str, domain: Domain, specific: bool) -> Service {
    Service {
        id: id.into(),
        name: format!("Service {id}"),
        category: category.into(),
        domain,
        provider_type: "probation".into(),
        provider: String::new(),
        specific,
        area_level: ServedLevel::Ctyua,
        area_codes: Vec::new(),
        capacity: None,
        capacity_unit: String::new(),
        period: String::new(),
        source: String::new(),
        verified: String::new(),
        notes: String::new(),
    }
}

/// Four areas: Kent has a specific substance misuse service and a
/// diversion element; Rutland a diversion element; Nottingham specific
/// diversion and wellbeing; Hartlepool nothing.
fn provision() -> Vec<AreaProvision> {
    let services = [
        service("SM1", "substance_misuse", Domain::SubstanceMisuse, true),
        service("SM2", "substance_misuse", Domain::SubstanceMisuse, false),
        service("LD1", "diversion", Domain::MentalHealth, false),
        service("LD2", "diversion", Domain::MentalHealth, true),
        service("WB1", "rehabilitative_wellbeing", Domain::Wellbeing, true),
    ];
    let served = |ids: &[&str]| Provision {
        status: Status::ProbationElement,
        coverage: 1.0,
        services: ids.iter().map(|s| s.to_string()).collect(),
        capacity: None,
    };
    let provision = BTreeMap::from([
        (
            ("E10000016".into(), Domain::SubstanceMisuse),
            served(&["SM1", "SM2"]),
        ),
        (("E10000016".into(), Domain::MentalHealth), served(&["LD1"])),
        (("E06000017".into(), Domain::MentalHealth), served(&["LD1"])),
        (
            ("E06000018".into(), Domain::MentalHealth),
            served(&["LD1", "LD2"]),
        ),
        (("E06000018".into(), Domain::Wellbeing), served(&["WB1"])),
    ]);
    let areas: Vec<Area> = [
        ("E10000016", "Kent"),
        ("E06000017", "Rutland"),
        ("E06000018", "Nottingham"),
        ("E06000001", "Hartlepool"),
    ]
    .map(|(code, name)| Area {
        code: code.into(),
        name: name.into(),
    })
    .into();
    provision_by_area(&areas, &services, &provision)
}

/// The letters in an area's row of the matrix, in column order.
fn row_letters(svg: &str, name: &str, code: &str) -> Vec<String> {
    let start = svg
        .find(&format!("<g><title>{name} ({code})"))
        .unwrap_or_else(|| panic!("no row for {name}"));
    let row = &svg[start..start + svg[start..].find("</g>").unwrap()];
    assert_eq!(row.matches("<rect").count(), CATEGORIES.len());
    row.split("</text>")
        .filter_map(|t| t.rsplit_once('>').map(|(_, letter)| letter.to_string()))
        .filter(|l| l == "S" || l == "E")
        .collect()
}

#[test]
fn matrix_marks_each_cell_with_a_letter() {
    let provision = provision();
    let svg = charts::provision_matrix_svg(&provision, &spec(Figure::Need, Some("E10000016")));
    // Diversion (column 1) before substance misuse (column 6).
    assert_eq!(row_letters(&svg, "Kent", "E10000016"), ["E", "S"]);
    assert_eq!(row_letters(&svg, "Nottingham", "E06000018"), ["S", "S"]);
    assert_eq!(row_letters(&svg, "Rutland", "E06000017"), ["E"]);
    assert!(row_letters(&svg, "Hartlepool", "E06000001").is_empty());
    assert!(svg.contains("Kent (E10000016): Liaison and diversion (probation element), Substance misuse (probation specific)"));
    assert!(svg.contains("Hartlepool (E06000001): none recorded"));
    // Rows in name order, the highlighted one bold, and a legend.
    let names = ["Hartlepool", "Kent", "Nottingham", "Rutland"];
    let positions: Vec<usize> = names.iter().map(|n| position(&svg, n)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
    let kent = svg[..position(&svg, "Kent")].rfind("<text").unwrap();
    assert!(svg[kent..position(&svg, "Kent")].contains("bold"));
    for words in [
        "Probation-specific service",
        "Probation element in a mainstream service",
        "None recorded",
    ] {
        assert!(svg.contains(&format!(">{words}</text>")), "{words}");
    }
    assert!(svg.contains("<desc>") && svg.contains("Highlighted: Kent: Liaison and diversion"));
    let mut reversed = provision.clone();
    reversed.reverse();
    assert_eq!(
        svg,
        charts::provision_matrix_svg(&reversed, &spec(Figure::Need, Some("E10000016")))
    );
    check_png(&svg);
}

fn survey() -> Survey {
    Survey {
        label: "Clinical Commissioning Groups, 2017 survey (N = 157)".into(),
        short: "2017 CCG survey".into(),
        percent: BTreeMap::from([("diversion".into(), 4.5), ("substance_misuse".into(), 1.3)]),
    }
}

#[test]
fn bars_give_the_shares_of_areas_worked_by_hand() {
    let provision = provision();
    let shares = category_shares(&provision);
    let at = |c: &str| {
        let s = shares.iter().find(|s| s.category == c).unwrap();
        (s.specific, s.element)
    };
    // Of 4 areas: diversion specific in Nottingham, element in Kent and Rutland.
    assert_eq!(at("diversion"), (25.0, 50.0));
    assert_eq!(at("substance_misuse"), (25.0, 0.0));
    assert_eq!(at("rehabilitative_wellbeing"), (25.0, 0.0));
    assert_eq!(at("talking_therapies"), (0.0, 0.0));

    let svg = charts::provision_by_category_svg(&provision, &survey(), &spec(Figure::Need, None));
    assert!(svg.contains(">75.0% (S 25.0%, E 50.0%)</text>"));
    assert!(svg.contains(">2017 CCG survey: 4.5%</text>"));
    assert!(svg.contains(">2017 CCG survey: 1.3%</text>"));
    assert_eq!(
        svg.matches(">not in the 2017 CCG survey</text>").count(),
        CATEGORIES.len() - 2
    );
    assert!(svg.contains("Clinical Commissioning Groups, 2017 survey (N = 157)"));
    assert!(svg.contains("<desc>") && svg.contains("Share of the 4 areas"));
    assert_eq!(
        svg,
        charts::provision_by_category_svg(&provision, &survey(), &spec(Figure::Need, None))
    );
    check_png(&svg);
}

/// The 2017 survey table (the embedded dataset's byte-for-byte copy).
fn real_survey(organisation_type: &str) -> Survey {
    let table = DataSource::Embedded
        .file(load::SURVEY_2017)
        .unwrap()
        .table()
        .unwrap();
    Survey::from_table(&table, organisation_type).unwrap()
}

#[test]
fn survey_figures_are_read_from_the_2017_table() {
    let ccg = real_survey("Clinical Commissioning Group");
    assert_eq!(
        ccg.label,
        "Clinical Commissioning Groups, 2017 survey (N = 157)"
    );
    assert_eq!(ccg.short, "2017 CCG survey");
    assert_eq!(ccg.percent["diversion"], 4.5);
    assert_eq!(ccg.percent["mappa_contribution"], 3.2);
    assert_eq!(ccg.percent["through_the_gate"], 0.0);
    assert_eq!(ccg.percent.len(), 10);
    assert!(!ccg.percent.contains_key("treatment_requirement"));
    let mht = real_survey("Mental Health Trust");
    assert_eq!(mht.short, "2017 MHT survey");
    assert_eq!(mht.percent["diversion"], 55.2);
    assert_eq!(mht.percent["cjmht_contribution"], 13.8);
}

/// The three charts for the default England run, as PNGs to look at.
#[test]
#[ignore = "runs the whole default analysis; writes target/tmp/chart-*.png"]
fn draws_the_default_england_charts() {
    let spec = RunSpec::resolve(&Overrides::default()).unwrap();
    let loaded = load::load(&spec, &|_| {}).unwrap();
    let analysis = analysis::analyse(&spec, &loaded).unwrap();
    let out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/tmp"));
    std::fs::create_dir_all(&out).unwrap();
    let write = |name: &str, svg: &str| {
        std::fs::write(out.join(format!("{name}.svg")), svg).unwrap();
        std::fs::write(
            out.join(format!("{name}.png")),
            svg_to_png(svg, render::PNG_WIDTH).unwrap(),
        )
        .unwrap();
    };
    let source = format!(
        "Analysis: jsna-gap {}. Prevalence and caseload as in manifest.json.",
        env!("CARGO_PKG_VERSION")
    );
    for (level, layer) in &loaded.layers {
        let level = level.level;
        let rows: Vec<&GapRow> = analysis
            .rows
            .iter()
            .filter(|r| r.level == level && r.condition == "current_mental_illness")
            .collect();
        let chart = ChartSpec {
            title: "Estimated unmet need: any current mental illness among people on probation"
                .into(),
            subtitle: format!("{}, ranked. Nottingham highlighted.", level.plural_label()),
            source_line: source.clone(),
            figure: Figure::UnmetNeed,
            highlight: Some("E06000018".into()),
        };
        write(
            &format!("chart-caterpillar-{level}"),
            &charts::caterpillar_svg(&rows, &chart),
        );

        let areas = analysis::areas_of(layer);
        let (_, provision) = analysis
            .provision
            .iter()
            .find(|(l, _)| *l == level)
            .unwrap();
        let by_area = provision_by_area(&areas, &loaded.services, provision);
        let matrix = ChartSpec {
            title: "Services recorded for people on probation, by area and category".into(),
            subtitle: format!(
                "{}. Categories of the 2017 national survey.",
                level.plural_label()
            ),
            highlight: Some("E06000018".into()),
            ..chart.clone()
        };
        write(
            &format!("chart-matrix-{level}"),
            &charts::provision_matrix_svg(&by_area, &matrix),
        );
        let bars = ChartSpec {
            title: "Areas with services for people on probation, by category, England".into(),
            subtitle: format!(
                "{}: share with a probation-specific service or a probation element, against the 2017 survey of CCGs.",
                level.plural_label()
            ),
            highlight: None,
            ..chart
        };
        let survey = real_survey("Clinical Commissioning Group");
        write(
            &format!("chart-by-category-{level}"),
            &charts::provision_by_category_svg(&by_area, &survey, &bars),
        );
    }
}

/// Three months of an observed series, by hand.
fn observed_series() -> jsna_gap::analysis::trend::Series {
    use jsna_gap::analysis::trend::{Basis, Point, Series};
    use jsna_gap::caseload::observed::Date;
    let point = |date: &str, value: f64| Point {
        date: Date::parse(date).unwrap(),
        value,
        lower: value - 30.0,
        upper: value + 30.0,
    };
    Series {
        level: "pcon".into(),
        area_code: "E14001471".into(),
        area_name: "Sherwood Forest".into(),
        measure: "caseload",
        condition: String::new(),
        basis: Basis::Observed,
        definition: "all_supervised_home_address".into(),
        interval: "exact Poisson 95%",
        points: vec![
            point("2024-04-30", 340.0),
            point("2024-05-31", 339.0),
            point("2024-06-30", 341.0),
        ],
        recent_trend: None,
    }
}

// Issue 13: a trend chart shows every period with its interval, in date
// order, labels each month, and says the series is observed.
#[test]
fn trend_chart_shows_each_period_with_its_interval() {
    let series = observed_series();
    let spec = ChartSpec {
        title: "People on probation in Sherwood Forest, observed".into(),
        ..ChartSpec::default()
    };
    let svg = charts::trend_svg(&series, &series.points, &spec);
    assert_eq!(
        svg.matches("<circle").count(),
        3 + 1,
        "three dots and the key's"
    );
    let at = |title: &str| svg.find(&format!("<title>{title}</title>")).expect(title);
    assert!(
        at("2024-04-30: 340 (95% interval 310 to 370)")
            < at("2024-06-30: 341 (95% interval 311 to 371)")
    );
    for month in ["Apr 2024", "May 2024", "Jun 2024"] {
        assert!(svg.contains(month), "{month}");
    }
    assert!(svg.contains("Observed count"));
    assert!(svg.contains("Observed counts. 3 periods"));
    assert_eq!(svg, charts::trend_svg(&series, &series.points, &spec));
    check_png(&svg);
}

// Issue 13: a funnel plot names every area, states the overdispersion
// adjustment when it is drawn, and renders.
#[test]
fn funnel_chart_names_each_area_and_states_overdispersion() {
    use jsna_gap::analysis::funnel::funnels;
    use jsna_gap::config::FunnelOptions;
    use jsna_gap::prevalence::LocalPrevalence;
    let local = |code: &str, numerator: f64, n: f64| LocalPrevalence {
        level: Level::Ctyua,
        area_code: code.into(),
        condition: "drug_misuse".into(),
        rate: numerator / n,
        lower: 0.0,
        upper: 1.0,
        lower_998: 0.0,
        upper_998: 1.0,
        n,
        source: "test".into(),
    };
    let areas = [
        local("E06000001", 12.0, 100.0),
        local("E06000002", 40.0, 100.0),
        local("E06000003", 144.0, 800.0),
        // 3 of 90: under the small-number rule, so not drawn.
        local("E06000004", 3.0, 90.0),
    ];
    let gap_rows = rows();
    let rule = Suppression::default();
    for overdispersion in [false, true] {
        let f = &funnels(&areas, &gap_rows, &FunnelOptions { overdispersion }, &rule)[0];
        let svg = charts::funnel_svg(f, &ChartSpec::default());
        assert_eq!(svg.matches("<circle").count(), 3);
        let names: Vec<&str> = f.areas.iter().map(|a| a.area_name.as_str()).collect();
        // Named from gap.csv where it has the area, else by code.
        assert_eq!(names, ["Hartlepool", "E06000002", "E06000003", "E06000004"]);
        for name in &names[..3] {
            position(&svg, name);
        }
        assert!(
            svg.contains("Not shown, their counts being under the small-number rule: E06000004.")
        );
        assert!(!svg.contains("3 of 90"));
        // The analyst's funnels.csv keeps the exact figure, flagged as gap.csv
        // flags its rows.
        let mut frame = jsna_gap::output::funnels_frame(std::slice::from_ref(f)).unwrap();
        let csv = String::from_utf8(jsna_gap::output::csv_bytes(&mut frame).unwrap()).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let flagged: Vec<(&str, &str, &str)> = lines
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                let cell = |name| cells[column(name)];
                (cell("area_code"), cell("numerator"), cell("suppressed"))
            })
            .collect();
        assert_eq!(
            flagged,
            [
                ("E06000001", "12", "false"),
                ("E06000002", "40", "false"),
                ("E06000003", "144", "false"),
                ("E06000004", "3", "true"),
            ]
        );
        assert_eq!(
            svg.contains("overdispersion (Spiegelhalter"),
            overdispersion
        );
        check_png(&svg);
    }
}

//! The evidence tables on the real datasets, and the forest plot on small
//! hand-made inputs (pooled diamond, prediction interval, hollow markers,
//! class order, deterministic bytes, PNGs), plus an ignored test that draws
//! one forest plot per condition from `datasets/evidence.csv`:
//! `cargo test --test evidence -- --ignored --nocapture` writes
//! target/tmp/forest-*.svg/png and prints each class's estimate.

use jsna_gap::evidence::pool::{Basis, IntervalMethod};
use jsna_gap::evidence::{self, DefinitionClass, Study, Verified, treatment};
use jsna_gap::input::Table;
use jsna_gap::prevalence;
use jsna_gap::render::charts::{ChartSpec, forest};
use jsna_gap::render::{self, svg_to_png};
use resvg::tiny_skia::Pixmap;
use std::path::PathBuf;

fn datasets() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/datasets"))
}

/// The condition ids of `datasets/prevalence.csv`.
fn conditions() -> Vec<String> {
    let table = Table::read(&datasets().join("prevalence.csv")).unwrap();
    prevalence::read(&table)
        .unwrap()
        .into_iter()
        .map(|p| p.condition)
        .collect()
}

fn real_evidence() -> Vec<Study> {
    let conditions = conditions();
    let known: Vec<&str> = conditions.iter().map(String::as_str).collect();
    let table = Table::read(&datasets().join("evidence.csv")).unwrap();
    evidence::read(&table, &known).unwrap()
}

#[test]
fn every_condition_has_evidence_and_defaults_are_verified() {
    let studies = real_evidence();
    for condition in conditions() {
        assert!(
            studies.iter().any(|s| s.condition == condition),
            "{condition} has no figure"
        );
    }
    for s in studies.iter().filter(|s| s.pool) {
        assert_ne!(s.verified, Verified::No, "{}", s.id);
        assert!(s.observation().is_some(), "{}", s.id);
    }
    // The House of Lords figure could not be read at source.
    let lords = studies.iter().find(|s| s.id == "EV04").unwrap();
    assert_eq!((lords.verified, lords.pool), (Verified::No, false));
}

#[test]
fn single_studies_reproduce_the_prevalence_table() {
    // Where one figure is pooled in a class it is reported as it stands:
    // Brooker et al. 2012's 39% of 173 with the Wilson interval that
    // prevalence.csv's row gets (src/stats/wilson.rs works it by hand).
    let studies = real_evidence();
    let summary = evidence::summarise(
        &studies,
        "current_mental_illness",
        IntervalMethod::DerSimonianLaird,
    );
    let clinical = summary
        .iter()
        .find(|c| c.class == DefinitionClass::ClinicalDiagnosis)
        .unwrap();
    let pooled = clinical.pooled.as_ref().unwrap();
    assert_eq!((pooled.k, pooled.basis), (1, Basis::Wilson));
    assert!((pooled.lower - 0.320464).abs() < 5e-6 && (pooled.upper - 0.464318).abs() < 5e-6);

    // Lifetime self-harm is pooled on the authors' published 25-40% range.
    let self_harm = evidence::summarise(
        &studies,
        "lifetime_self_harm",
        IntervalMethod::DerSimonianLaird,
    );
    let p = self_harm[0].pooled.as_ref().unwrap();
    assert_eq!((p.basis, p.lower, p.upper), (Basis::Published, 0.25, 0.4));
    // 9 of 173 in the past month: the numerator, not the rounded 5%.
    let month = evidence::summarise(
        &studies,
        "self_harm_past_month",
        IntervalMethod::DerSimonianLaird,
    );
    assert!((month[0].pooled.as_ref().unwrap().estimate - 9.0 / 173.0).abs() < 1e-12);
}

#[test]
fn the_treatment_table_reads_with_linkage_statistics_as_defaults() {
    let conditions = conditions();
    let known: Vec<&str> = conditions.iter().map(String::as_str).collect();
    let table = Table::read(&datasets().join("treatment_evidence.csv")).unwrap();
    let figures = treatment::read(&table, &known).unwrap();
    let defaults: Vec<(&str, f64)> = figures
        .iter()
        .filter(|f| f.default)
        .map(|f| (f.id.as_str(), f.rate))
        .collect();
    assert_eq!(
        defaults,
        [("TE01", 0.389), ("TE02", 0.459), ("TE03", 0.331)]
    );
    // Every default is linked-records official statistics, read at source.
    assert!(
        figures
            .iter()
            .filter(|f| f.default)
            .all(|f| f.measure == treatment::Measure::LinkedRecords && f.verified == Verified::Yes)
    );
}

/// A figure for the forest tests; `pool` and `n` as given.
fn study(id: &str, class: DefinitionClass, rate: f64, n: Option<f64>, pool: bool) -> Study {
    Study {
        id: id.into(),
        condition: "alcohol_misuse".into(),
        class,
        rate,
        n,
        numerator: None,
        published: None,
        population: "made-up population".into(),
        country: "England".into(),
        fieldwork: "2020".into(),
        timeframe: "current".into(),
        instrument: "AUDIT".into(),
        evidence_grade: "A".into(),
        verified: Verified::Yes,
        how_verified: "made up".into(),
        pool,
        short_name: format!("Study {id}"),
        citation: "made up".into(),
        notes: String::new(),
    }
}

fn fixture() -> Vec<Study> {
    use DefinitionClass::*;
    vec![
        // Listed out of class order: the chart orders by class.
        study("B1", AssessmentNeed, 0.24, Some(2000.0), true),
        study("S1", ScreeningInstrument, 0.10, Some(100.0), true),
        study("S2", ScreeningInstrument, 0.30, Some(100.0), true),
        study("S3", ScreeningInstrument, 0.50, Some(90.0), true),
        study("S4", ScreeningInstrument, 0.73, Some(205.0), false),
        study("B2", AssessmentNeed, 0.48, None, false),
    ]
}

fn spec() -> ChartSpec {
    ChartSpec {
        title: "Evidence: hazardous or harmful drinking among people on probation".into(),
        subtitle: "Made-up figures by definition class".into(),
        source_line: "Source: jsna-gap test & made-up figures".into(),
        ..ChartSpec::default()
    }
}

fn forest_of(studies: &[Study]) -> String {
    let classes = evidence::summarise(studies, "alcohol_misuse", IntervalMethod::DerSimonianLaird);
    forest::forest_svg(&classes, &spec())
}

fn position(svg: &str, text: &str) -> usize {
    svg.find(&format!(">{text}</text>"))
        .unwrap_or_else(|| panic!("{text} is not drawn"))
}

#[test]
fn forest_groups_by_class_and_pools_within_each() {
    let svg = forest_of(&fixture());
    // Screening before assessment, whatever the input order.
    assert!(
        position(&svg, "Validated screening instrument")
            < position(&svg, "Need recorded by practitioners or OASys")
    );
    assert!(position(&svg, "Study S1") < position(&svg, "Study S3"));
    assert!(position(&svg, "Study S3") < position(&svg, "Study B1"));
    // The screening class pools S1-S3 (S4 is not pooled): 10/100, 30/100,
    // 45/90 are the hand-worked set of src/evidence/pool.rs, 27.1% (10.9 to
    // 53.1), I² 94%, tau² 0.90, Q 31.6 on 2 df, prediction from t(1).
    assert!(
        svg.contains(">Pooled (random effects), k = 3</text>"),
        "{svg}"
    );
    assert!(svg.contains(">27.1% (10.9 to 53.1)</text>"));
    assert!(svg.contains("I² 94%, τ² 0.90, Q 31.6 on 2 df (p &lt; 0.001)"));
    assert!(svg.contains("95% prediction interval 0.0% to 100.0%"));
    assert_eq!(
        svg.matches("<polygon").count(),
        2,
        "key diamond and one pooled diamond"
    );
    // The assessment class has one pooled figure (B1) and one with no n.
    assert!(svg.contains("One figure: used as it stands, not pooled."));
    assert!(svg.contains(">48.0% (no n)</text>"));
    assert!(svg.contains(">2,000</text>"));
    // Hollow squares for the two figures not pooled, plus the key's.
    let hollow = svg.matches(r##"fill="#ffffff" stroke="##).count();
    assert_eq!(hollow, 3, "{svg}");
    assert!(svg.contains("<desc>") && svg.contains("6 figures in 2 definition classes."));
    assert!(svg.contains("Source: jsna-gap test &amp; made-up figures"));
}

#[test]
fn a_class_with_nothing_pooled_says_so() {
    let studies = vec![study("B2", DefinitionClass::SelfReport, 0.3, None, false)];
    let svg = forest_of(&studies);
    assert!(svg.contains("No figure in this class is pooled."));
    assert_eq!(svg.matches("<polygon").count(), 1, "only the key's diamond");
}

#[test]
fn forest_is_deterministic_and_renders() {
    let studies = fixture();
    let mut reversed = studies.clone();
    reversed.reverse();
    // Classes in their fixed order, figures by id: the input order is irrelevant.
    let svg = forest_of(&studies);
    assert_eq!(svg, forest_of(&reversed));
    let png = svg_to_png(&svg, render::PNG_WIDTH).unwrap();
    let pixmap = Pixmap::decode_png(&png).unwrap();
    assert!(pixmap.width() >= 1600, "{} px wide", pixmap.width());
}

/// One forest plot per condition from the real table, and the estimates.
#[test]
#[ignore = "writes target/tmp/forest-*.svg and .png"]
fn draws_the_forest_plots_of_the_evidence_table() {
    let studies = real_evidence();
    let out = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/tmp"));
    std::fs::create_dir_all(&out).unwrap();
    for condition in conditions() {
        let classes = evidence::summarise(&studies, &condition, IntervalMethod::DerSimonianLaird);
        for c in &classes {
            let figures: Vec<&str> = c.studies.iter().map(|s| s.id.as_str()).collect();
            match &c.pooled {
                Some(p) => println!(
                    "{condition} | {} | {} | k={} | {:.4} ({:.4} to {:.4}) | {:?} | {:?}",
                    c.class.as_str(),
                    figures.join(" "),
                    p.k,
                    p.estimate,
                    p.lower,
                    p.upper,
                    p.basis,
                    p.distribution.logit_moments()
                ),
                None => println!(
                    "{condition} | {} | {} | none pooled",
                    c.class.as_str(),
                    figures.join(" ")
                ),
            }
        }
        let spec = ChartSpec {
            title: format!("Evidence: {condition} among people on probation"),
            subtitle: "Every figure in datasets/evidence.csv, by definition class".into(),
            source_line:
                "Source: datasets/evidence.csv (sources and verification in datasets/README.md)"
                    .into(),
            ..ChartSpec::default()
        };
        let svg = forest::forest_svg(&classes, &spec);
        std::fs::write(out.join(format!("forest-{condition}.svg")), &svg).unwrap();
        std::fs::write(
            out.join(format!("forest-{condition}.png")),
            svg_to_png(&svg, render::PNG_WIDTH).unwrap(),
        )
        .unwrap();
    }
}

/// The synthesis the run publishes (evidence.csv), on the real tables: the
/// default prevalence is fed only by a class whose estimate reproduces
/// prevalence.csv's rate, and no pooled estimate mixes classes.
#[test]
fn the_synthesis_marks_which_class_feeds_each_default() {
    let studies = real_evidence();
    let table = Table::read(&datasets().join("prevalence.csv")).unwrap();
    let prevalence = prevalence::read(&table).unwrap();
    let defaults: Vec<(&str, f64)> = prevalence
        .iter()
        .map(|p| (p.condition.as_str(), p.rate))
        .collect();
    let rows = evidence::synthesis(&studies, &defaults, IntervalMethod::DerSimonianLaird);
    for row in &rows {
        // Every pooled id is of the row's own condition and class.
        for id in &row.pooled_ids {
            let s = studies.iter().find(|s| &s.id == id).unwrap();
            assert_eq!(
                (s.condition.as_str(), s.class),
                (row.condition.as_str(), row.definition_class)
            );
            assert_ne!(s.verified, Verified::No, "{id}");
        }
        assert_eq!(row.k, row.pooled_ids.len(), "{row:?}");
        assert_eq!(row.tau2.is_some(), row.k >= 2, "{row:?}");
    }
    let feeding: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.feeds_default)
        .map(|r| (r.condition.as_str(), r.definition_class.as_str()))
        .collect();
    assert_eq!(
        feeding,
        [
            ("current_mental_illness", "clinical_diagnosis"),
            ("personality_disorder", "screening_instrument"),
            ("substance_misuse", "clinical_diagnosis"),
            ("lifetime_self_harm", "clinical_diagnosis"),
            ("self_harm_past_month", "clinical_diagnosis"),
        ]
    );
    // At most one feeding class per condition.
    for (condition, _) in &defaults {
        assert!(feeding.iter().filter(|(c, _)| c == condition).count() <= 1);
    }
}

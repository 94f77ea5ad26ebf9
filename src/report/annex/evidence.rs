//! The evidence section every annex page shares: for each condition, which
//! estimate the prevalence is, how many studies stand behind it, how far
//! they agree and what they leave out; and where treatment access comes
//! from. Every figure is one of evidence.csv's or treatment_evidence.csv's.

use super::AnnexInputs;
use crate::evidence::treatment::TreatmentFigure;
use crate::evidence::{DefinitionClass, Study};
use crate::numbers::percent;
use crate::prevalence::{Prevalence, Source};
use crate::report::document::{Block, Cell, Table};

pub fn blocks(inputs: &AnnexInputs) -> Vec<Block> {
    let loaded = inputs.loaded;
    let mut blocks = vec![
        Block::Heading(2, "The evidence behind each figure".into()),
        Block::Paragraph("Each condition's prevalence is one of three kinds of estimate: the prevalence table's own figure (local), one named study, or several studies of the same kind pooled by random-effects meta-analysis. Studies are only pooled when they measure the same thing the same way (a clinical interview, a screening questionnaire, a need recorded by probation staff or OASys, or what people say of themselves). Every study is listed, with how it was checked, in the evidence table (evidence.csv and datasets/evidence.csv).".into()),
        Block::Table(prevalence_table(&loaded.prevalence, &loaded.evidence)),
        Block::Paragraph(coverage(&loaded.evidence)),
    ];
    blocks.extend(treatment(&loaded.treatment_evidence));
    blocks
}

fn prevalence_table(prevalence: &[Prevalence], studies: &[Study]) -> Table {
    let rows = prevalence
        .iter()
        .map(|p| {
            let e = &p.estimate;
            let figures = studies
                .iter()
                .filter(|s| s.condition == p.condition)
                .count();
            vec![
                Cell::text(p.label.clone()),
                Cell::text(used(p, studies)),
                Cell::text(match e.k {
                    Some(k) => format!("{k} of {figures} in the evidence table"),
                    None => format!("1 (the prevalence table's); {figures} in the evidence table"),
                }),
                Cell::text(consistency(p)),
            ]
        })
        .collect();
    Table {
        caption: "Which prevalence estimate each condition uses".into(),
        headers: vec![
            "Condition".into(),
            "Estimate used".into(),
            "Studies".into(),
            "How consistent".into(),
        ],
        rows,
        sortable: false,
    }
}

/// The estimate in words: its rate and what it is.
fn used(p: &Prevalence, studies: &[Study]) -> String {
    let class = p
        .estimate
        .class
        .as_deref()
        .and_then(DefinitionClass::parse)
        .map_or("", DefinitionClass::label);
    let names = || {
        p.estimate
            .ids
            .iter()
            .filter_map(|id| studies.iter().find(|s| &s.id == id))
            .map(|s| format!("{} [{}]", s.short_name, s.id))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let rate = percent(p.rate, 1);
    match p.estimate.source {
        Source::Local => format!("{rate}: the prevalence table's figure [{}]", p.evidence_id),
        Source::Study => format!("{rate}: one study, {} ({class})", names()),
        Source::Pooled => format!("{rate}: pooled, {class}: {}", names()),
    }
}

/// How far the studies agree, and the range for a new area.
fn consistency(p: &Prevalence) -> String {
    let e = &p.estimate;
    match (e.source, e.i2) {
        (Source::Pooled, Some(i2)) => {
            let words = match i2 {
                x if x < 0.3 => "consistent",
                x if x < 0.75 => "moderately inconsistent",
                _ => "very inconsistent",
            };
            let range = e.prediction.map_or(String::new(), |(lo, hi)| {
                format!(
                    "; in a new area the true figure could lie between {} and {} (95% prediction interval)",
                    percent(lo, 1),
                    percent(hi, 1)
                )
            });
            format!(
                "{words}: I² {} of the variation is between studies{range}",
                percent(i2, 0)
            )
        }
        _ => "not known: one study cannot show how much settings differ".into(),
    }
}

/// What the evidence table's figures leave out.
fn coverage(studies: &[Study]) -> String {
    let mentions = |word: &str| {
        studies
            .iter()
            .any(|s| s.population.to_lowercase().contains(word))
    };
    let mut missing = Vec::new();
    if !mentions("women") && !mentions("female") {
        missing.push("women");
    }
    if !mentions("young adult") && !mentions("aged 18 to 24") {
        missing.push("young adults (18 to 24)");
    }
    if !studies.iter().any(|s| s.country == "Wales") {
        missing.push("Wales on its own");
    }
    let english = studies
        .iter()
        .filter(|s| s.country.starts_with("England"))
        .count();
    let mut elsewhere: Vec<&str> = studies
        .iter()
        .filter(|s| !s.country.starts_with("England"))
        .map(|s| s.country.as_str())
        .collect();
    elsewhere.sort_unstable();
    elsewhere.dedup();
    let not_covered = match missing.as_slice() {
        [] => String::new(),
        _ => format!(
            "no figure in the evidence table is for {} separately, so the estimates are for mixed adult caseloads. ",
            missing.join(", ")
        ),
    };
    format!(
        "What the evidence does not cover: {not_covered}{english} of its {} figures are from England (or England and Wales); the others (from {}) are shown for comparison.",
        studies.len(),
        if elsewhere.is_empty() {
            "nowhere else".to_string()
        } else {
            elsewhere.join(", ")
        }
    )
}

/// Where treatment access comes from: official linkage statistics where
/// they exist, with the older survey shares beside them.
fn treatment(figures: &[TreatmentFigure]) -> Vec<Block> {
    let rows: Vec<Vec<Cell>> = figures
        .iter()
        .map(|f| {
            vec![
                Cell::text(f.conditions.join(", ").replace('_', " ")),
                Cell::text(format!("{} [{}]", f.indicator, f.id)),
                Cell::text(percent(f.rate, 1)),
                Cell::text(format!("{}, {}", f.short_name, f.period)),
                Cell::text(if f.default { "used" } else { "comparator" }),
            ]
        })
        .collect();
    vec![
        Block::Paragraph("Treatment access: where official statistics exist, the run uses them. For alcohol and drug misuse these are the OHID and MoJ linkage statistics (Pathways between probation and addiction treatment in England), which link the records of everyone sentenced in England with an alcohol or drug treatment requirement to the national drug treatment monitoring system; unmet need is the share who did not engage with treatment. They replace the older survey shares from one county sample before 2011, which are kept below as comparators. The linkage figures cover only people given a treatment requirement, so for everyone with the condition they are likely to overstate access. Other conditions have no official figure and keep the survey shares.".into()),
        Block::Table(Table {
            caption: "Treatment access figures: the ones used and their comparators".into(),
            headers: vec![
                "Conditions".into(),
                "What was measured".into(),
                "Share".into(),
                "Source".into(),
                "In the run".into(),
            ],
            rows,
            sortable: false,
        }),
    ]
}

//! The closing sections every annex page shares: methods and assumptions,
//! the evidence behind each figure, sources with evidence grades, caveats,
//! licence and attribution.

use super::AnnexInputs;
use crate::report::document::{Block, Cell, Table};
use crate::report::manifest::{assumptions, methods};

pub fn closing_blocks(inputs: &AnnexInputs) -> Vec<Block> {
    let spec = inputs.spec;
    let mut lines = assumptions(spec, inputs.analysis);
    lines.extend(methods());
    lines.push(spec.publication.describe());
    let mut blocks = vec![
        Block::Heading(2, "Methods and assumptions".into()),
        Block::List(lines),
    ];
    blocks.extend(super::evidence::blocks(inputs));
    blocks.extend([
        Block::Heading(2, "Sources and evidence grades".into()),
        Block::Paragraph("Evidence grades: A, a peer-reviewed primary study checked against its abstract; B, official statistics or an inspectorate report; C, a secondary report of a primary study.".into()),
        Block::Table(sources(inputs)),
        Block::Heading(2, "Caveats".into()),
        Block::List(caveats()),
        Block::Heading(2, "Licence and attribution".into()),
        Block::Paragraph(format!(
            "Produced with jsna-gap {}. Contains public sector information licensed under the Open Government Licence v3.0. {}",
            env!("CARGO_PKG_VERSION"),
            attribution(inputs)
        )),
    ]);
    blocks
}

fn attribution(inputs: &AnnexInputs) -> String {
    inputs
        .spec
        .levels
        .first()
        .map(|level| level.attribution.clone())
        .unwrap_or_default()
}

fn sources(inputs: &AnnexInputs) -> Table {
    let loaded = inputs.loaded;
    let mut rows: Vec<Vec<Cell>> = loaded
        .prevalence
        .iter()
        .map(|p| {
            vec![
                Cell::text(format!("Prevalence: {}", p.label)),
                Cell::text(p.evidence_grade.clone()),
                Cell::text(format!("{} [{}]", p.citation, p.evidence_id)),
            ]
        })
        .collect();
    rows.extend(loaded.access.iter().map(|a| {
        vec![
            Cell::text(format!(
                "Treatment access: {}",
                a.condition.replace('_', " ")
            )),
            Cell::text(
                loaded
                    .treatment_evidence
                    .iter()
                    .find(|f| f.id == a.evidence_id)
                    .map_or("C", |f| f.evidence_grade.as_str()),
            ),
            Cell::text(format!("{} {} [{}]", a.finding, a.citation, a.evidence_id)),
        ]
    }));
    rows.extend(loaded.comparators.iter().map(|c| {
        vec![
            Cell::text(format!("General population: {}", c.comparator)),
            Cell::text("B"),
            Cell::text(format!("{} [{}]", c.citation, c.evidence_id)),
        ]
    }));
    rows.extend(loaded.caseload.iter().map(|c| {
        vec![
            Cell::text(format!("Caseload: {}", c.area_name)),
            Cell::text("B"),
            Cell::text(c.source.clone()),
        ]
    }));
    Table {
        caption: "Where each figure comes from".into(),
        headers: vec!["Figure".into(), "Grade".into(), "Source".into()],
        rows,
        sortable: false,
    }
}

fn caveats() -> Vec<String> {
    [
        "Caseload by area is not published. These figures spread the national total over areas by a deprivation proxy; replace them with local figures (the caseload file takes any geography) when you have them.",
        "Prevalence comes mainly from one random sample of 173 people on probation in Lincolnshire (fieldwork about 2009 to 2011) and secondary reports of it; prevalence elsewhere, and now, may differ. Local assessment data (OASys) can be compared with it.",
        "Treatment access for alcohol and drug misuse comes from official linkage statistics of people given a treatment requirement; for other conditions from the same small study. Both are applied to every area; local service data should replace them.",
        "The services inventory holds only services found in public sources. An area with nothing recorded may still have services: absence of a record is not evidence of absence.",
        "Counts below 5 are suppressed in published tables and maps; the analyst's gap.csv keeps exact values.",
    ]
    .map(String::from)
    .to_vec()
}

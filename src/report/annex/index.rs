//! The England overview: headline figures, the national map, and every Board
//! ranked by unmet need, each linking to its own annex.

use super::{AnnexInputs, LEAD_CONDITION, Published, common};
use crate::gap::{Figure, GapRow};
use crate::report::document::{Block, Cell, Document, Table};
use crate::services::Status;
use std::collections::BTreeMap;

/// Each Board's rank (1 = most) by the lead condition's published figure.
pub fn ranks(lead: &[&GapRow], figure: Figure) -> BTreeMap<String, usize> {
    figure
        .ranked(lead)
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (r.area_code.clone(), i + 1))
        .collect()
}

pub fn document(
    inputs: &AnnexInputs,
    rows: &[&GapRow],
    p: &Published,
    ranks: &BTreeMap<String, usize>,
    figure: Figure,
) -> Document {
    let boards = ranks.len();
    let caseload: f64 = rows
        .iter()
        .filter(|r| r.condition == LEAD_CONDITION)
        .map(|r| r.facts.caseload.value)
        .sum();
    let mut blocks = vec![
        Block::Heading(1, "Health needs of people on probation in England: gap analysis by Health and Wellbeing Board".into()),
        Block::Paragraph(format!(
            "An estimated {} people under probation supervision live in England. This overview and the annex for each of the {boards} Health and Wellbeing Boards estimate how many of them have each health condition, what is commissioned for them, and how much of the need is unmet. Figures are estimates from national evidence: see Methods and Caveats before using them.",
            p.count(caseload)
        )),
        Block::Heading(2, "Headline figures for England".into()),
        Block::Table(headline_table(inputs, rows, p)),
        Block::Figure {
            svg: inputs.england_map.to_string(),
            alt: format!(
                "Map of England's {boards} Health and Wellbeing Board areas shaded by estimated unmet need for current mental illness among people on probation, in five classes; the ranking table below gives every area's figure."
            ),
            caption: "Estimated unmet need for current mental illness among people on probation, by Health and Wellbeing Board".into(),
        },
        Block::Heading(2, "Boards ranked by unmet need".into()),
        Block::Paragraph("Click a column heading to sort. Each Board's name links to its annex.".into()),
        Block::Table(ranking_table(rows, p, ranks, figure)),
    ];
    blocks.extend(common::closing_blocks(inputs));
    Document {
        title: "Health needs of people on probation: England overview".into(),
        blocks,
    }
}

/// England totals per condition: sums of the Board rows (their bounds add up
/// too, since every Board shares the same prevalence interval).
fn headline_table(inputs: &AnnexInputs, rows: &[&GapRow], p: &Published) -> Table {
    let table_rows = inputs
        .loaded
        .prevalence
        .iter()
        .map(|prevalence| {
            let of: Vec<&&GapRow> = rows
                .iter()
                .filter(|r| r.condition == prevalence.condition)
                .collect();
            let sum = |f: &dyn Fn(&GapRow) -> f64| of.iter().map(|r| f(r)).sum::<f64>();
            let unmet = of.iter().all(|r| r.unmet.is_some()).then(|| {
                (
                    sum(&|r| r.unmet.map_or(0.0, |u| u.need)),
                    sum(&|r| r.unmet.map_or(0.0, |u| u.lower)),
                    sum(&|r| r.unmet.map_or(0.0, |u| u.upper)),
                )
            });
            vec![
                Cell::text(prevalence.label.clone()),
                p.prevalence_cell(prevalence),
                p.count_cell(
                    sum(&|r| r.need.need),
                    sum(&|r| r.need.lower),
                    sum(&|r| r.need.upper),
                ),
                match unmet {
                    Some((n, lo, hi)) => p.count_cell(n, lo, hi),
                    None => Cell::text("not assessed"),
                },
            ]
        })
        .collect();
    Table {
        caption: "People on probation in England with each condition (95% intervals)".into(),
        headers: vec![
            "Condition".into(),
            "Prevalence (95% interval), evidence grade".into(),
            "People with the condition".into(),
            "Unmet need".into(),
        ],
        rows: table_rows,
        sortable: false,
    }
}

fn ranking_table(
    rows: &[&GapRow],
    p: &Published,
    ranks: &BTreeMap<String, usize>,
    figure: Figure,
) -> Table {
    let value = |code: &str, condition: &str, f: &dyn Fn(&GapRow) -> f64| {
        rows.iter()
            .find(|r| r.area_code == code && r.condition == condition)
            .map_or(0.0, |r| f(r))
    };
    let mut ordered: Vec<(&String, &usize)> = ranks.iter().collect();
    ordered.sort_by_key(|(_, rank)| **rank);
    let table_rows = ordered
        .into_iter()
        .map(|(code, rank)| {
            let lead = rows
                .iter()
                .find(|r| &r.area_code == code && r.condition == LEAD_CONDITION)
                .expect("every ranked Board has a lead row");
            let need = |condition: &str| value(code, condition, &|r| r.need.need);
            vec![
                Cell::link(lead.area_name.clone(), format!("{code}.html")),
                Cell::number(rank.to_string(), *rank as f64),
                Cell::number(
                    p.count(lead.facts.caseload.value),
                    lead.facts.caseload.value,
                ),
                Cell::number(p.count(lead.need.need), lead.need.need),
                match figure.value(lead) {
                    Some(v) => Cell::number(p.count(v), v),
                    None => Cell::text("not assessed"),
                },
                Cell::number(p.count(need("substance_misuse")), need("substance_misuse")),
                Cell::number(
                    p.count(need("personality_disorder")),
                    need("personality_disorder"),
                ),
                Cell::text(status_words(lead.provision.status)),
            ]
        })
        .collect();
    Table {
        caption: "Health and Wellbeing Boards by estimated unmet need for current mental illness among people on probation".into(),
        headers: vec![
            "Board".into(),
            "Rank".into(),
            "People on probation".into(),
            "Current mental illness".into(),
            "Unmet need: current mental illness".into(),
            "Substance misuse".into(),
            "Personality disorder".into(),
            "Mental health provision".into(),
        ],
        rows: table_rows,
        sortable: true,
    }
}

pub fn status_words(status: Status) -> &'static str {
    match status {
        Status::NoneRecorded => "none recorded",
        Status::ProbationElement => "probation element in a mainstream service",
        Status::ProbationSpecific => "probation-specific service",
    }
}

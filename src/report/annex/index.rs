//! The England overview: headline figures, the national map, and every Board
//! ranked by the lead condition's rate per 100,000 adults, with rank
//! intervals, each linking to its own annex.

use super::{AnnexInputs, LEAD_CONDITION, Published, common};
use crate::gap::{Figure, GapRow, Scale};
use crate::numbers::percent;
use crate::report::document::{Block, Cell, Document, Table};
use crate::services::Status;

pub fn document(
    inputs: &AnnexInputs,
    rows: &[&GapRow],
    p: &Published,
    figure: Figure,
    lead_label: &str,
) -> Document {
    let lead: Vec<&GapRow> = rows
        .iter()
        .copied()
        .filter(|r| r.condition == LEAD_CONDITION)
        .collect();
    let boards = lead.len();
    let caseload = inputs
        .analysis
        .simulation
        .england(LEAD_CONDITION)
        .map_or(0.0, |e| e.caseload.value);
    let what = format!(
        "{} ({}) for {}",
        figure.label().to_lowercase(),
        Figure::unit(inputs.spec.maps.scale),
        lead_label.to_lowercase()
    );
    let mut blocks = vec![
        Block::Heading(1, "Health needs of people on probation in England: gap analysis by Health and Wellbeing Board".into()),
        Block::Paragraph(format!(
            "An estimated {} people under probation supervision live in England. This overview and the annex for each of the {boards} Health and Wellbeing Boards estimate how many of them have each health condition, what is commissioned for them, and how much of the need is unmet. Areas are compared by rates per 100,000 adults, since counts follow population. Figures are modelled estimates from national evidence, each with a 95% interval from a simulation of every uncertain input: see Methods and Caveats before using them.",
            p.count(caseload)
        )),
        Block::Heading(2, "Headline figures for England".into()),
        Block::Table(headline_table(inputs, p)),
        Block::Figure {
            svg: inputs.england_map.to_string(),
            alt: format!(
                "Map of England's {boards} Health and Wellbeing Board areas shaded by {what} among people on probation, in five classes; the ranking table below gives every area's figure."
            ),
            caption: format!("{}, among people on probation, by Health and Wellbeing Board", capitalised(&what)),
        },
        Block::Heading(2, "Boards ranked by rate".into()),
        Block::Paragraph("Ranked by the rate per 100,000 adults. The rank's 95% interval and the chance of being in the top fifth come from the same simulation as the intervals: an area whose rank interval is wide cannot be placed with confidence. Click a column heading to sort; each Board's name links to its annex.".into()),
        Block::Table(ranking_table(&lead, rows, p, figure)),
    ];
    blocks.extend(common::closing_blocks(inputs));
    Document {
        title: "Health needs of people on probation: England overview".into(),
        blocks,
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// England's figures per condition, from the simulation (summing areas'
/// interval bounds would overstate the interval).
fn headline_table(inputs: &AnnexInputs, p: &Published) -> Table {
    let simulation = &inputs.analysis.simulation;
    let table_rows = inputs
        .loaded
        .prevalence
        .iter()
        .filter_map(|prevalence| {
            let england = simulation.england(&prevalence.condition)?;
            let per = 100_000.0 / england.adults;
            Some(vec![
                Cell::text(prevalence.label.clone()),
                p.prevalence_cell(prevalence),
                p.count_cell(&england.need),
                p.rate_cell(&england.need.scaled(per), england.need.value),
                match &england.unmet {
                    Some(unmet) => p.count_cell(unmet),
                    None => Cell::text("not assessed"),
                },
            ])
        })
        .collect();
    Table {
        caption: "People on probation in England with each condition (95% intervals)".into(),
        headers: vec![
            "Condition".into(),
            "Prevalence (95% interval), evidence grade".into(),
            "People with the condition".into(),
            "Per 100,000 adults".into(),
            "Unmet need".into(),
        ],
        rows: table_rows,
        sortable: false,
    }
}

fn ranking_table(lead: &[&GapRow], rows: &[&GapRow], p: &Published, figure: Figure) -> Table {
    let need_rate = |code: &str, condition: &str| {
        rows.iter()
            .find(|r| r.area_code == code && r.condition == condition)
            .map_or(Cell::text(""), |r| p.rate_cell(&r.need_rate, r.need.value))
    };
    let table_rows = figure
        .ranked(lead, Scale::Rate)
        .into_iter()
        .map(|(r, rate)| {
            let code = r.area_code.as_str();
            let count = figure.value(r, Scale::Count).unwrap_or(f64::NAN);
            let (rank, interval, top) = match r.rank {
                Some(k) => (
                    Cell::number(k.rank.to_string(), k.rank as f64),
                    Cell::number(format!("{} to {}", k.lower, k.upper), k.lower as f64),
                    Cell::number(percent(k.top_fifth, 0), k.top_fifth),
                ),
                None => (Cell::text(""), Cell::text(""), Cell::text("")),
            };
            vec![
                Cell::link(r.area_name.clone(), format!("{code}.html")),
                rank,
                interval,
                top,
                p.rate_cell(&rate, count),
                Cell::text(r.against_england.map_or("", |[at_95, _]| at_95.as_str())),
                Cell::number(p.count(r.facts.caseload.value), r.facts.caseload.value),
                need_rate(code, "substance_misuse"),
                need_rate(code, "personality_disorder"),
                Cell::text(status_words(r.provision.status)),
            ]
        })
        .collect();
    Table {
        caption: format!(
            "Health and Wellbeing Boards by {} for current mental illness among people on probation, per 100,000 adults",
            figure.label().to_lowercase()
        ),
        headers: vec![
            "Board".into(),
            "Rank".into(),
            "Rank, 95% interval".into(),
            "Chance of being in the top fifth".into(),
            format!("{} per 100,000 adults (95% interval)", figure.label()),
            "Against England".into(),
            "People on probation".into(),
            "Substance misuse per 100,000 adults".into(),
            "Personality disorder per 100,000 adults".into(),
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

//! A Board annex's "What if" section: for each scenario run that changes
//! something in the Board for real, the figures that change, under the
//! baseline and the scenario, and the change with its 95% interval. Counts
//! go through the small-number rule as everywhere else in the annex.

use super::Published;
use crate::analysis::intervals::{Shift, figure};
use crate::analysis::what_if::{MEASURES, WhatIf};
use crate::gap::GapRow;
use crate::geography::Level;
use crate::prevalence::Prevalence;
use crate::report::document::{Block, Cell, Table};
use crate::uncertainty::Measure;

/// The section, or nothing where no scenario run changes this Board.
pub fn blocks(
    scenarios: &[WhatIf],
    code: &str,
    base: &[&GapRow],
    prevalence: &[Prevalence],
    published: &Published,
) -> Vec<Block> {
    let affecting: Vec<&WhatIf> = scenarios
        .iter()
        .filter(|w| w.changes_area(Level::Ctyua, code))
        .collect();
    if affecting.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![
        Block::Heading(2, "What if".into()),
        Block::Paragraph("Each scenario below changes something this Board's figures depend on. It is simulated with the same random draws as the baseline, so the change's 95% interval allows for the same uncertainty; only changes whose interval excludes zero are shown.".into()),
    ];
    for w in affecting {
        blocks.push(Block::Heading(3, format!("Scenario: {}", w.spec.name)));
        blocks.push(Block::Paragraph(w.spec.description.clone()));
        blocks.push(Block::Table(table(w, code, base, prevalence, published)));
    }
    blocks
}

fn table(
    w: &WhatIf,
    code: &str,
    base: &[&GapRow],
    prevalence: &[Prevalence],
    published: &Published,
) -> Table {
    let label = |condition: &str| {
        prevalence
            .iter()
            .find(|p| p.condition == condition)
            .map_or(condition.replace('_', " "), |p| p.label.clone())
    };
    let mut rows = Vec::new();
    // Caseload is the same for every condition: one line for all.
    let mut caseload_shown = false;
    for (row, shifts) in w.rows.iter().zip(&w.shifts) {
        if row.level != Level::Ctyua || row.area_code != code {
            continue;
        }
        let Some(before) = base.iter().find(|b| b.condition == row.condition) else {
            continue;
        };
        for (measure, shift) in MEASURES.iter().zip(shifts) {
            let (Some(shift), Some(was), Some(now)) =
                (shift, figure(before, *measure), figure(row, *measure))
            else {
                continue;
            };
            if !shift.is_real() || (*measure == Measure::Caseload && caseload_shown) {
                continue;
            }
            let condition = if *measure == Measure::Caseload {
                caseload_shown = true;
                "All conditions".to_string()
            } else {
                label(&row.condition)
            };
            rows.push(vec![
                Cell::text(condition),
                Cell::text(name(*measure)),
                published.count_cell(&was),
                published.count_cell(&now),
                Cell::number(change_text(published, shift), shift.change.value),
            ]);
        }
    }
    Table {
        caption: format!(
            "Figures in this Board that change under '{}' (people; 95% intervals). The change's interval comes from the paired draws of the baseline and the scenario.",
            w.spec.name
        ),
        headers: vec![
            "Condition".into(),
            "Figure".into(),
            "Baseline".into(),
            "Scenario".into(),
            "Change (95% interval)".into(),
        ],
        rows,
        sortable: true,
    }
}

fn name(measure: Measure) -> &'static str {
    match measure {
        Measure::Caseload => "People on probation",
        Measure::Need => "Need",
        Measure::UnmetNeed => "Unmet need",
        Measure::Excess => "Excess need",
    }
}

/// A change with its interval, each signed, the size of each under the
/// small-number rule: "−40 (−40 to −40)", "+<5 (+<5 to +12)".
fn change_text(published: &Published, shift: &Shift) -> String {
    let signed = |v: f64| published.signed_count(v);
    let c = &shift.change;
    format!(
        "{} ({} to {})",
        signed(c.value),
        signed(c.lower),
        signed(c.upper)
    )
}

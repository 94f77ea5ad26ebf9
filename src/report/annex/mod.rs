//! The JSNA annexes: `annex/index.html`, the England overview, and for every
//! Health and Wellbeing Board (upper-tier local authority) `annex/<code>.html`,
//! the same as Markdown, and the Board's rows of gap.csv. Every count in them
//! goes through the small-number rule.

mod board;
mod common;
mod findings;
mod index;

use crate::config::RunSpec;
use crate::gap::GapRow;
use crate::geography::Level;
use crate::geography::boundaries::BoundaryLayer;
use crate::numbers::thousands;
use crate::pipeline::{Analysis, Loaded};
use crate::prevalence::Prevalence;
use crate::report::document::Cell;
use crate::stats::classify::Classes;
use crate::stats::rates::Rate;
use crate::stats::suppression::Suppression;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The condition each page leads with, maps and ranks on.
pub const LEAD_CONDITION: &str = "current_mental_illness";

/// Everything the annexes are written from.
pub struct AnnexInputs<'a> {
    pub spec: &'a RunSpec,
    pub loaded: &'a Loaded,
    pub analysis: &'a Analysis,
    /// The national maps' classes, by level and condition, so a Board's map
    /// uses the same colours as the England map.
    pub classes: &'a BTreeMap<(Level, String), Classes>,
    /// The national map of the lead condition at Board level, as SVG.
    pub england_map: &'a str,
}

/// Counts as they may be published, under the run's small-number rule.
pub struct Published {
    rule: Suppression,
    local: bool,
}

impl Published {
    pub fn count(&self, v: f64) -> String {
        self.rule.text(v, self.local)
    }

    /// A proportion as a percentage with one decimal.
    pub fn percent(&self, v: f64) -> String {
        format!("{}%", thousands(100.0 * v, 1))
    }

    /// A count with its interval, "1,240 (1,050 to 1,430)", sorting by the count.
    pub fn count_cell(&self, v: f64, lower: f64, upper: f64) -> Cell {
        let text = format!(
            "{} ({} to {})",
            self.count(v),
            self.count(lower),
            self.count(upper)
        );
        Cell::number(text, v)
    }

    /// A prevalence with its 95% interval and evidence grade.
    pub fn prevalence_cell(&self, p: &Prevalence) -> Cell {
        Cell::text(format!(
            "{} ({} to {}), grade {}",
            self.percent(p.rate),
            self.percent(p.lower),
            self.percent(p.upper),
            p.evidence_grade
        ))
    }
}

/// A rate per 100,000 with its interval, to whole numbers (rates are not
/// counts of people, so the small-number rule does not apply).
pub fn rate_cell(rate: &Rate) -> Cell {
    let text = format!(
        "{} ({} to {})",
        thousands(rate.value, 0),
        thousands(rate.lower, 0),
        thousands(rate.upper, 0)
    );
    Cell::number(text, rate.value)
}

/// What every Board page draws on, computed once.
pub struct Shared {
    /// The lead condition's mapped value (unmet need, else need) by Board.
    pub lead_values: BTreeMap<String, f64>,
    /// IoD2025 average score by Board, for "similar areas".
    pub deprivation: BTreeMap<String, f64>,
}

/// Every annex file, by path relative to the output directory.
pub fn annexes(inputs: &AnnexInputs) -> Option<Vec<(String, Vec<u8>)>> {
    let layer = board_layer(inputs.loaded)?;
    let rows: Vec<&GapRow> = inputs
        .analysis
        .rows
        .iter()
        .filter(|r| r.level == Level::Ctyua)
        .collect();
    let mut by_board: BTreeMap<&str, Vec<&GapRow>> = BTreeMap::new();
    for row in &rows {
        by_board
            .entry(row.area_code.as_str())
            .or_default()
            .push(row);
    }
    let published = Published {
        rule: inputs.spec.publication,
        local: rows.iter().any(|r| r.facts.local),
    };
    let ranks = index::ranks(&rows);
    let shared = Shared {
        lead_values: rows
            .iter()
            .filter(|r| r.condition == LEAD_CONDITION)
            .map(|r| (r.area_code.clone(), r.headline().1))
            .collect(),
        deprivation: inputs.loaded.units.imd_score_by_area(Level::Ctyua),
    };
    let mut files: Vec<(String, Vec<u8>)> = by_board
        .par_iter()
        .flat_map(|(code, board_rows)| {
            let page = board::Board {
                inputs,
                layer,
                code,
                rows: board_rows,
                published: &published,
                rank: ranks.get(*code).copied(),
                boards: by_board.len(),
                shared: &shared,
            };
            page.files()
        })
        .collect();
    let overview = index::document(inputs, &rows, &published, &ranks);
    files.push((
        "annex/index.html".to_string(),
        overview.to_html().into_bytes(),
    ));
    files.push((
        "annex/index.md".to_string(),
        overview.to_markdown().into_bytes(),
    ));
    Some(files)
}

/// The Board-level boundaries, if the run reports at that level.
fn board_layer(loaded: &Loaded) -> Option<&BoundaryLayer> {
    loaded
        .layers
        .iter()
        .find(|(level, _)| level.level == Level::Ctyua)
        .map(|(_, layer)| layer)
}

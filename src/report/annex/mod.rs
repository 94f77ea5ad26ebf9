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
use crate::stats::classify::Classes;
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

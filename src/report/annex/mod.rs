//! The JSNA annexes: `annex/index.html`, the England overview, and for every
//! Health and Wellbeing Board (upper-tier local authority) `annex/<code>.html`,
//! the same as Markdown, and the Board's rows of gap.csv. Every count in them
//! goes through the small-number rule.

mod board;
mod common;
mod evidence;
mod findings;
mod index;
mod what_if;

use crate::analysis::Analysis;
use crate::analysis::what_if::WhatIf;
use crate::config::RunSpec;
use crate::gap::{Figure, GapRow};
use crate::geography::Level;
use crate::load::Loaded;
use crate::numbers::{percent, thousands};
use crate::prevalence::Prevalence;
use crate::report::document::Cell;
use crate::report::figures::{self, DrawnMap};
use crate::stats::classify::Classes;
use crate::stats::estimate::Estimate;
use crate::stats::suppression::{self, Suppression};
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
    /// The "what if" scenarios run beside the baseline.
    pub what_if: &'a [WhatIf<'a>],
}

/// Counts as they may be published, under the run's small-number rule.
pub struct Published {
    rule: Suppression,
    local: bool,
}

impl Published {
    /// The rule for a set of rows: counts are rounded as locally supplied
    /// caseload requires if any of the rows derives from it.
    pub fn new(rule: Suppression, rows: &[&GapRow]) -> Published {
        Published {
            rule,
            local: rows.iter().any(|r| r.facts.local),
        }
    }

    pub fn count(&self, v: f64) -> String {
        self.rule.text(v, self.local)
    }

    /// A change in people, signed, its size under the small-number rule:
    /// "−40", "+<5"; "0" where nothing changed (an area a scenario does not
    /// touch: no one's count to protect, and "+<5" would claim a change).
    pub fn signed_count(&self, v: f64) -> String {
        if v == 0.0 {
            return "0".to_string();
        }
        let sign = if v < 0.0 { "−" } else { "+" };
        format!("{sign}{}", self.count(v.abs()))
    }

    /// Whether a count falls under the small-number rule.
    pub fn suppresses(&self, v: f64) -> bool {
        self.rule.suppresses(v)
    }

    /// A count with its 95% interval, "1,240 (1,050 to 1,430)", sorting by
    /// the count.
    pub fn count_cell(&self, e: &Estimate) -> Cell {
        Cell::number(self.count_text(e), e.value)
    }

    pub fn count_text(&self, e: &Estimate) -> String {
        let [value, lower, upper] = self.count_parts(e);
        format!("{value} ({lower} to {upper})")
    }

    /// A count and the bounds of its 95% interval, each as published.
    pub fn count_parts(&self, e: &Estimate) -> [String; 3] {
        [e.value, e.lower, e.upper].map(|v| self.count(v))
    }

    /// A rate per 100,000 adults with its 95% interval, to whole numbers,
    /// withheld where the count it is made from is suppressed.
    pub fn rate_cell(&self, rate: &Estimate, count: f64) -> Cell {
        Cell::number(self.rate_text(rate, count), rate.value)
    }

    pub fn rate_text(&self, rate: &Estimate, count: f64) -> String {
        match self.rate_parts(rate, count) {
            Some([value, lower, upper]) => format!("{value} ({lower} to {upper})"),
            None => self.withheld(rate.value, count),
        }
    }

    /// A rate as it may be published (made from the published count), or
    /// None where its count is suppressed.
    pub fn rate(&self, rate: f64, count: f64) -> Option<f64> {
        match self.rule.publish_rate(rate, count, self.local) {
            suppression::Published::Count(value) => Some(value),
            suppression::Published::Suppressed => None,
        }
    }

    /// A rate and the bounds of its 95% interval to whole numbers; None
    /// where the count it is made from is suppressed (then the rate is
    /// withheld, in the rule's words: [`Published::withheld`]).
    pub fn rate_parts(&self, rate: &Estimate, count: f64) -> Option<[String; 3]> {
        let value = self.rate(rate.value, count)?;
        Some([value, rate.lower, rate.upper].map(|v| thousands(v, 0)))
    }

    /// What stands for a rate withheld because its count is suppressed.
    pub fn withheld(&self, rate: f64, count: f64) -> String {
        self.rule.rate_text(rate, count, self.local)
    }

    /// A prevalence with its 95% interval and evidence grade.
    pub fn prevalence_cell(&self, p: &Prevalence) -> Cell {
        Cell::text(format!(
            "{} ({} to {}), grade {}",
            percent(p.rate, 1),
            percent(p.lower, 1),
            percent(p.upper, 1),
            p.evidence_grade
        ))
    }
}

/// What every Board page draws on, computed once.
pub struct Shared {
    /// The lead condition's published figure, and the condition's label.
    pub figure: Figure,
    pub lead_label: String,
    /// The lead condition's mapped figure by Board, and as it may be published.
    pub lead_values: BTreeMap<String, f64>,
    pub lead_shown: BTreeMap<String, String>,
    /// IoD2025 average score by Board, for "similar areas".
    pub deprivation: BTreeMap<String, f64>,
}

/// The JSNA annexes (None when the run has no Board level), using the
/// national maps' classes so every Board's map matches the England map.
pub fn annexes(
    spec: &RunSpec,
    loaded: &Loaded,
    analysis: &Analysis,
    what_if: &[WhatIf],
    maps: &[DrawnMap],
) -> Option<Vec<(String, Vec<u8>)>> {
    let classes: BTreeMap<(Level, String), Classes> = maps
        .iter()
        .filter_map(|m| {
            Some((
                (Level::parse(&m.record.level)?, m.record.condition.clone()),
                m.classes.clone(),
            ))
        })
        .collect();
    let england_map = maps
        .iter()
        .find(|m| m.record.level == Level::Ctyua.as_str() && m.record.condition == LEAD_CONDITION)
        .map_or("", |m| m.svg.as_str());
    files(&AnnexInputs {
        spec,
        loaded,
        analysis,
        classes: &classes,
        england_map,
        what_if,
    })
}

/// Every annex file, by path relative to the output directory.
fn files(inputs: &AnnexInputs) -> Option<Vec<(String, Vec<u8>)>> {
    let layer = inputs.loaded.layer(Level::Ctyua)?;
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
    let published = Published::new(inputs.spec.publication, &rows);
    let lead: Vec<&GapRow> = rows
        .iter()
        .copied()
        .filter(|r| r.condition == LEAD_CONDITION)
        .collect();
    let figure = Figure::of(&lead);
    let scale = inputs.spec.maps.scale;
    let shared = Shared {
        figure,
        lead_label: inputs
            .loaded
            .prevalence
            .iter()
            .find(|p| p.condition == LEAD_CONDITION)
            .map_or(LEAD_CONDITION.replace('_', " "), |p| p.label.clone()),
        lead_values: lead
            .iter()
            .filter_map(|r| Some((r.area_code.clone(), figure.value(r, scale)?)))
            .collect(),
        lead_shown: lead
            .iter()
            .filter_map(|r| {
                Some((
                    r.area_code.clone(),
                    figures::published(inputs.spec, r, figure, scale)?,
                ))
            })
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
                boards: by_board.len(),
                shared: &shared,
            };
            page.files()
        })
        .collect();
    let overview = index::document(inputs, &rows, &published, figure, &shared.lead_label);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_signed_and_small_changes_are_suppressed_but_none_is_zero() {
        // The default rule: below 5 shown as "<5"; national estimates to
        // whole people.
        let published = Published::new(Suppression::default(), &[]);
        assert_eq!(published.signed_count(-40.4), "−40");
        assert_eq!(published.signed_count(1234.0), "+1,234");
        assert_eq!(published.signed_count(3.0), "+<5");
        assert_eq!(published.signed_count(-0.2), "−<5");
        assert_eq!(published.signed_count(0.0), "0");
    }
}

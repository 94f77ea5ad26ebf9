//! Plain lines about a crosswalk and about apportioned values: what was
//! repaired or left out, what could not be placed, which targets no source
//! covers and which values are missing. The command line prints them to
//! stderr; the facts themselves are in [`Crosswalk`] and [`Apportioned`].

use super::values::{Apportioned, Kind};
use super::{Crosswalk, TOLERANCE, format_number};
use crate::numbers::percent;

/// How many examples a line names before "and N more".
const LISTED: usize = 10;

/// "A, B, C and 4 more".
fn examples(items: impl IntoIterator<Item = String>, total: usize) -> String {
    let shown: Vec<String> = items.into_iter().take(LISTED).collect();
    match total.saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// What a crosswalk's inputs needed and what it could not place.
pub fn crosswalk_lines(cw: &Crosswalk) -> Vec<String> {
    let measure = &cw.measure;
    let mut lines: Vec<String> = cw.notes.iter().take(LISTED).cloned().collect();
    if cw.notes.len() > LISTED {
        lines.push(format!(
            "… and {} more repairs or exclusions",
            cw.notes.len() - LISTED
        ));
    }
    lines.push(format!(
        "{} weights from {} sources to {} targets, by {measure}",
        cw.links.len(),
        cw.sources.len(),
        cw.targets.len()
    ));

    // The share of each source inside some target, by the measure itself;
    // its weights sum to the same unless --allocate-total spread it out.
    let inside = cw.inside_shares();
    let placed = cw.placed_shares();
    let measures = cw.sources.measures();
    let allocated = |i: usize| (placed.values[i] - 1.0).abs() <= TOLERANCE;
    // (source position, share outside every target)
    let mut short: Vec<(usize, f64)> = (inside.values.iter().enumerate())
        .filter(|(_, p)| **p < 1.0 - TOLERANCE)
        .map(|(i, p)| (i, 1.0 - p))
        .collect();
    // Positions are in code order, so ties still fall in code order.
    short.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let (spread, unplaced): (Vec<_>, Vec<_>) = short.iter().partition(|(i, _)| allocated(*i));
    let code = |i: usize| cw.sources.code(i);
    if !unplaced.is_empty() {
        let total: f64 = measures.iter().sum();
        let outside: f64 = unplaced.iter().map(|(i, share)| share * measures[*i]).sum();
        lines.push(format!(
            "{} sources have {measure} outside every target ({} of all source {measure}; not placed): {}",
            unplaced.len(),
            percent(outside / total, 2),
            examples(unplaced.iter().map(|(i, s)| format!("{} ({})", code(*i), percent(*s, 2))), unplaced.len())
        ));
    }
    if !spread.is_empty() {
        lines.push(format!(
            "{} sources have {measure} outside every target, and each one's whole value goes to the part inside (allocate-total): {}",
            spread.len(),
            examples(spread.iter().map(|(i, s)| format!("{} ({} outside)", code(*i), percent(*s, 2))), spread.len())
        ));
    }
    let over: Vec<usize> = (inside.values.iter().enumerate())
        .filter(|(_, p)| **p > 1.0 + TOLERANCE)
        .map(|(i, _)| i)
        .collect();
    if !over.is_empty() {
        let what = if over.iter().all(|i| allocated(*i)) {
            "are shared between the overlapping targets (allocate-total)"
        } else {
            "are placed more than once"
        };
        lines.push(format!(
            "{} sources lie where targets overlap and {what}: {}",
            over.len(),
            examples(
                over.iter().map(|i| format!(
                    "{} ({} covered)",
                    code(*i),
                    percent(inside.values[*i], 2)
                )),
                over.len()
            )
        ));
    }

    let covered = cw.covered_shares();
    let uncovered: Vec<&str> = covered
        .iter()
        .filter(|(_, c)| *c <= TOLERANCE)
        .map(|(code, _)| code)
        .collect();
    if !uncovered.is_empty() {
        lines.push(format!(
            "{} targets are covered by no source: {}",
            uncovered.len(),
            examples(uncovered.iter().map(|c| c.to_string()), uncovered.len())
        ));
    }
    let mut partly: Vec<(&str, f64)> = covered
        .iter()
        .filter(|(_, c)| *c > TOLERANCE && *c < 1.0 - TOLERANCE)
        .collect();
    if !partly.is_empty() {
        partly.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
        lines.push(format!(
            "{} targets are partly outside every source: {}",
            partly.len(),
            examples(
                partly
                    .iter()
                    .map(|(c, s)| format!("{c} ({} covered)", percent(*s, 2))),
                partly.len()
            )
        ));
    }
    lines
}

/// Where the values went and which are missing.
pub fn values_lines(a: &Apportioned) -> Vec<String> {
    let mut lines = Vec::new();
    match (a.kind, a.totals) {
        (Kind::Extensive, Some(t)) => {
            let share = if t.input != 0.0 {
                percent(t.placed / t.input, 2)
            } else {
                "-".into()
            };
            lines.push(format!(
                "placed {} of the input total {} ({share}); not placed: {} (outside every target, or not for a usable source area); withheld: {} (in targets left missing)",
                format_number(t.placed),
                format_number(t.input),
                format_number(t.unplaced),
                format_number(t.withheld),
            ));
        }
        _ => lines.push(format!(
            "averaged values for {} of {} targets",
            a.targets.values().flatten().count(),
            a.targets.len()
        )),
    }
    if !a.missing_sources.is_empty() {
        lines.push(format!(
            "{} sources have no value (kept missing, not 0): {}",
            a.missing_sources.len(),
            examples(
                a.missing_sources
                    .iter()
                    .map(|(c, line)| format!("{c} (line {line})")),
                a.missing_sources.len()
            )
        ));
    }
    if !a.absent_sources.is_empty() {
        lines.push(format!(
            "{} source areas have no row of values and are left out: {}",
            a.absent_sources.len(),
            examples(a.absent_sources.iter().cloned(), a.absent_sources.len())
        ));
    }
    if !a.missing_targets.is_empty() {
        lines.push(format!(
            "{} targets are left missing: {}",
            a.missing_targets.len(),
            examples(
                a.missing_targets
                    .iter()
                    .map(|(c, why)| format!("{c} ({why})")),
                a.missing_targets.len()
            )
        ));
    }
    if !a.unmatched.is_empty() {
        lines.push(format!(
            "{} value rows are not for a usable source area, so are not placed: {}",
            a.unmatched.len(),
            examples(
                a.unmatched
                    .iter()
                    .map(|u| format!("{} (line {}: {})", u.code, u.line, u.reason)),
                a.unmatched.len()
            )
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut_short() {
        let items = (1..=12).map(|i| format!("E{i}"));
        assert_eq!(
            examples(items, 12),
            "E1, E2, E3, E4, E5, E6, E7, E8, E9, E10 and 2 more"
        );
    }
}

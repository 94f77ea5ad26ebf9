//! What the explorer can show for an area and condition: a list of
//! measures, each a gap.csv column with its interval, how it is published
//! and how England's figure is made. A new column is one entry in
//! [`MEASURES`]; the page needs no change to show it. Under a scenario the
//! page also offers each change from the baseline ([`Source::Change`]).

use crate::analysis::intervals::Shift;
use crate::analysis::what_if;
use crate::gap::{Figure, GapRow, Scale};
use crate::stats::estimate::Estimate;
use crate::uncertainty;
use serde::Serialize;

/// How a measure's figures are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// People, under the small-number rule.
    Count,
    /// Per 100,000 adults, to whole numbers, withheld where the count it is
    /// made from is suppressed; compared with England's.
    Rate,
    /// A share of the simulation's draws, as a percentage.
    Probability,
    /// A scenario's change from the baseline in people, signed, under the
    /// small-number rule; real only where its 95% interval excludes zero.
    Change,
}

/// Where a measure's figure comes from in a gap row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Need or unmet need, as a count or a rate (the maps' and annexes'
    /// figures).
    Figure(Figure, Scale),
    /// People on probation living in the area.
    Caseload,
    /// The probability that the area is in the top fifth of its level by the
    /// published figure's rate.
    TopFifth,
    /// A scenario's change in one of [`what_if::MEASURES`] from the
    /// baseline, from the paired draws (scenarios only).
    Change(uncertainty::Measure),
}

pub struct Measure {
    /// The gap.csv column; a published map that shows the same column lends
    /// the explorer its classes.
    pub id: &'static str,
    pub label: &'static str,
    /// What one unit of the figure is, for the legend and the table.
    pub unit: &'static str,
    /// What the bounds are, in a few words for table headings; empty where
    /// the figure has none.
    pub bounds: &'static str,
    /// How the interval is made, in words an analyst can quote.
    pub interval: &'static str,
    pub kind: Kind,
    pub source: Source,
}

const SIMULATED: &str = "95% interval from the run's simulation (draws and seed in manifest.json): the choice of caseload proxy, the caseload model's own error, England's share of the caseload, the prevalence's sampling error and, for unmet need, treatment access and stated capacities; the same intervals as gap.csv.";

/// Rates first (issue 9's order), then counts, the chance of being in the
/// top fifth, and the caseload they rest on.
/// Changes come last: they exist only under a scenario.
pub const MEASURES: [Measure; 9] = [
    Measure {
        id: "need_per_100k_adults",
        label: "Need per 100,000 adults (people on probation with the condition)",
        unit: "per 100,000 adults",
        bounds: "95% interval",
        interval: SIMULATED,
        kind: Kind::Rate,
        source: Source::Figure(Figure::Need, Scale::Rate),
    },
    Measure {
        id: "unmet_need_per_100k_adults",
        label: "Unmet need per 100,000 adults (not reached by services)",
        unit: "per 100,000 adults",
        bounds: "95% interval",
        interval: SIMULATED,
        kind: Kind::Rate,
        source: Source::Figure(Figure::UnmetNeed, Scale::Rate),
    },
    Measure {
        id: "need",
        label: "Need (people on probation with the condition)",
        unit: "people",
        bounds: "95% interval",
        interval: SIMULATED,
        kind: Kind::Count,
        source: Source::Figure(Figure::Need, Scale::Count),
    },
    Measure {
        id: "unmet_need",
        label: "Unmet need (people not reached by services)",
        unit: "people",
        bounds: "95% interval",
        interval: SIMULATED,
        kind: Kind::Count,
        source: Source::Figure(Figure::UnmetNeed, Scale::Count),
    },
    Measure {
        id: "top_fifth_probability",
        label: "Probability of being in the top fifth (by the mapped rate)",
        unit: "of simulations",
        bounds: "",
        interval: "The share of the simulation's draws in which the area is among the fifth of its level's areas with the highest published rate (unmet need per 100,000 adults where assessed, otherwise need per 100,000 adults). Its rank's 95% interval is given beside it.",
        kind: Kind::Probability,
        source: Source::TopFifth,
    },
    Measure {
        id: "caseload",
        label: "People on probation (any condition)",
        unit: "people",
        bounds: "95% interval",
        interval: "95% interval from the run's simulation (draws and seed in manifest.json): the choice of caseload proxy, the caseload model's own error and England's share of the caseload; the same interval as gap.csv's caseload_lower and caseload_upper.",
        kind: Kind::Count,
        source: Source::Caseload,
    },
    Measure {
        id: "unmet_need_change",
        label: "Change in unmet need from the baseline (people)",
        unit: "people",
        bounds: "95% interval",
        interval: CHANGE,
        kind: Kind::Change,
        source: Source::Change(uncertainty::Measure::UnmetNeed),
    },
    Measure {
        id: "need_change",
        label: "Change in need from the baseline (people)",
        unit: "people",
        bounds: "95% interval",
        interval: CHANGE,
        kind: Kind::Change,
        source: Source::Change(uncertainty::Measure::Need),
    },
    Measure {
        id: "caseload_change",
        label: "Change in people on probation from the baseline",
        unit: "people",
        bounds: "95% interval",
        interval: CHANGE,
        kind: Kind::Change,
        source: Source::Change(uncertainty::Measure::Caseload),
    },
];

const CHANGE: &str = "95% interval of the change from the baseline: the scenario is simulated with the baseline's draws, and the interval is the spread of the paired differences (scenarios.csv's _change_lower and _change_upper). A change is real only where its interval excludes zero, as in the annexes' \"What if\".";

impl Measure {
    /// The figure in one gap row; None where it does not exist (unmet need
    /// not assessed, no rank, a change outside a scenario).
    pub fn estimate(&self, row: &GapRow) -> Option<Estimate> {
        match self.source {
            Source::Figure(figure, scale) => figure.estimate(row, scale),
            Source::Caseload => Some(row.facts.caseload),
            Source::TopFifth => row.rank.map(|k| Estimate::exact(k.top_fifth)),
            Source::Change(_) => None,
        }
    }

    /// Whether a scenario shows this measure: its counts and their changes,
    /// as scenarios.csv reports them. Its rates would be the same counts
    /// over the same adults, and it is not ranked; leaving them out keeps
    /// the page small (a scenario that moves every area adds every view).
    pub fn under_scenario(&self) -> bool {
        matches!(self.kind, Kind::Count | Kind::Change)
    }

    /// A change measure's shift among a scenario row's (in
    /// [`what_if::MEASURES`] order); None for any other measure.
    pub fn shift(&self, shifts: &[Option<Shift>; 3]) -> Option<Shift> {
        let Source::Change(figure) = self.source else {
            return None;
        };
        let at = what_if::MEASURES.iter().position(|m| *m == figure)?;
        shifts[at]
    }
}

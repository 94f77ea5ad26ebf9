//! Gap: per area and condition, what provision there is and how much need it
//! leaves unmet, set against the general population and any local figures.
//!
//! Where services state a capacity, unmet need is need minus that capacity
//! (never below 0); where they do not, the national evidence on treatment
//! access applies; where there is neither, unmet need is not assessed and
//! the row says so.

use crate::geography::{Area, Level};
use crate::need::{self, Caseload, Need};
use crate::prevalence::{
    Comparator, Comparison, Domain, LocalPrevalence, Prevalence, TreatmentAccess,
};
use crate::services::{Provision, Status};
use crate::stats::rates::{self, Rate};
use crate::stats::suppression::Suppression;
use crate::stats::wilson::Z95;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which rule gave the unmet need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Need minus the capacity of services serving the area.
    Capacity,
    /// Need times the national share who receive no treatment.
    NationalTreatmentAccess,
    /// No capacity and no treatment-access evidence for the condition.
    NotAssessed,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Capacity => "capacity",
            Basis::NationalTreatmentAccess => "national_treatment_access",
            Basis::NotAssessed => "not_assessed",
        }
    }
}

/// What is known of an area before any condition is considered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AreaFacts {
    pub caseload: Caseload,
    /// Share of the area that the caseload input covered.
    pub coverage: f64,
    /// Whether the caseload derives from locally supplied figures (not a
    /// national total), which decides rounding for publication.
    pub local: bool,
    /// Adults (18+, ONS mid-2020) living in the area.
    pub adults: f64,
}

/// Need set against the general population's prevalence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Excess {
    /// Count expected if the caseload had general-population prevalence.
    pub expected: f64,
    /// Need minus expected.
    pub excess: f64,
    /// Probation prevalence ÷ general-population prevalence, with the
    /// ratio's 95% interval from the probation prevalence interval (the
    /// survey's figure, from a far larger sample, is taken as fixed).
    pub ratio: f64,
    pub ratio_lower: f64,
    pub ratio_upper: f64,
}

/// A local prevalence compared with the England figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalComparison {
    pub rate: f64,
    pub lower: f64,
    pub upper: f64,
    pub n: f64,
    pub compared_95: Comparison,
    pub compared_998: Comparison,
}

/// One row of gap.csv: a level × area × condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRow {
    pub level: Level,
    pub area_code: String,
    pub area_name: String,
    pub condition: String,
    pub domain: Domain,
    pub facts: AreaFacts,
    pub need: Need,
    pub need_per_100k_adults: Rate,
    /// Unmet need with its bounds, when assessed.
    pub unmet: Option<Need>,
    pub basis: Basis,
    /// The untreated share used, for the national treatment-access basis.
    pub untreated_share: Option<f64>,
    pub capacity: Option<f64>,
    pub provision: Provision,
    pub general_population: Option<Excess>,
    pub local: Option<LocalComparison>,
    /// Whether a count in the row falls under the small-number rule.
    pub suppressed: bool,
}

/// The figure published for a level and condition: mapped, charted, ranked
/// and headlined. Unmet need where it was assessed for the condition,
/// otherwise need; one choice per condition, so a map or a ranking never
/// mixes the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Figure {
    #[default]
    Need,
    UnmetNeed,
}

impl Figure {
    /// The figure of a condition's rows.
    pub fn of(rows: &[&GapRow]) -> Figure {
        if rows.iter().any(|r| r.unmet.is_some()) {
            Figure::UnmetNeed
        } else {
            Figure::Need
        }
    }

    /// The gap.csv column it is.
    pub fn column(self) -> &'static str {
        match self {
            Figure::Need => "need",
            Figure::UnmetNeed => "unmet_need",
        }
    }

    /// Its name in titles and legends.
    pub fn label(self) -> &'static str {
        match self {
            Figure::Need => "Estimated need",
            Figure::UnmetNeed => "Estimated unmet need",
        }
    }

    /// The estimate with its bounds; None where unmet need was not assessed.
    pub fn estimate(self, row: &GapRow) -> Option<Need> {
        match self {
            Figure::Need => Some(row.need),
            Figure::UnmetNeed => row.unmet,
        }
    }

    pub fn value(self, row: &GapRow) -> Option<f64> {
        self.estimate(row).map(|n| n.need)
    }

    /// Rows with a finite figure, highest first; equal figures in area-code
    /// order, so ranks never depend on the input's order.
    pub fn ranked<'a>(self, rows: &[&'a GapRow]) -> Vec<(&'a GapRow, Need)> {
        let mut ranked: Vec<(&GapRow, Need)> = rows
            .iter()
            .filter_map(|&row| {
                let estimate = self.estimate(row)?;
                estimate.need.is_finite().then_some((row, estimate))
            })
            .collect();
        ranked.sort_by(|(a, x), (b, y)| {
            y.need
                .total_cmp(&x.need)
                .then_with(|| a.area_code.cmp(&b.area_code))
        });
        ranked
    }
}

/// Unmet need for one area and condition, and the rule that gave it.
pub fn unmet(
    need: &Need,
    provision: &Provision,
    access: Option<&TreatmentAccess>,
) -> (Option<Need>, Basis) {
    if let Some(capacity) = provision.capacity {
        let left = need.map(|n| (n - capacity).max(0.0));
        return (Some(left), Basis::Capacity);
    }
    match access {
        Some(a) => (
            Some(need.scaled(a.untreated_share)),
            Basis::NationalTreatmentAccess,
        ),
        None => (None, Basis::NotAssessed),
    }
}

/// The evidence every level's rows are made with.
pub struct Evidence<'a> {
    pub prevalence: &'a [Prevalence],
    pub access: &'a [TreatmentAccess],
    pub comparators: &'a [Comparator],
    pub local: &'a [LocalPrevalence],
    pub suppression: &'a Suppression,
}

/// What a level's gap rows are made from.
pub struct LevelInputs<'a> {
    pub level: Level,
    pub areas: &'a [Area],
    pub facts: &'a BTreeMap<String, AreaFacts>,
    pub provision: &'a BTreeMap<(String, Domain), Provision>,
}

/// Gap rows for every area of a level and every condition, in area-code
/// then prevalence-table order.
pub fn rows(inputs: &LevelInputs, evidence: &Evidence) -> Vec<GapRow> {
    let none = Provision {
        status: Status::NoneRecorded,
        coverage: 0.0,
        services: Vec::new(),
        capacity: None,
    };
    let mut out = Vec::with_capacity(inputs.areas.len() * evidence.prevalence.len());
    for area in inputs.areas {
        let facts = inputs.facts[&area.code];
        for p in evidence.prevalence {
            let need = need::estimate(facts.caseload, p);
            let provision = inputs
                .provision
                .get(&(area.code.clone(), p.domain))
                .unwrap_or(&none)
                .clone();
            let access = evidence.access.iter().find(|a| a.condition == p.condition);
            let (unmet, basis) = unmet(&need, &provision, access);
            out.push(GapRow {
                level: inputs.level,
                area_code: area.code.clone(),
                area_name: area.name.clone(),
                condition: p.condition.clone(),
                domain: p.domain,
                facts,
                need,
                need_per_100k_adults: rates::rate(need.need, facts.adults, 100_000.0, Z95),
                unmet,
                basis,
                untreated_share: access
                    .filter(|_| basis == Basis::NationalTreatmentAccess)
                    .map(|a| a.untreated_share),
                capacity: provision.capacity,
                provision,
                general_population: excess(&facts, &need, p, evidence.comparators),
                local: local_comparison(inputs.level, &area.code, p, evidence.local),
                suppressed: evidence.suppression.suppresses(need.need)
                    || evidence.suppression.suppresses(facts.caseload.value),
            });
        }
    }
    out
}

fn excess(
    facts: &AreaFacts,
    need: &Need,
    p: &Prevalence,
    comparators: &[Comparator],
) -> Option<Excess> {
    let c = comparators.iter().find(|c| c.condition == p.condition)?;
    let expected = facts.caseload.value * c.rate;
    Some(Excess {
        expected,
        excess: need.need - expected,
        ratio: p.rate / c.rate,
        ratio_lower: p.lower / c.rate,
        ratio_upper: p.upper / c.rate,
    })
}

fn local_comparison(
    level: Level,
    code: &str,
    p: &Prevalence,
    local: &[LocalPrevalence],
) -> Option<LocalComparison> {
    let l = local
        .iter()
        .find(|l| l.level == level && l.area_code == code && l.condition == p.condition)?;
    Some(LocalComparison {
        rate: l.rate,
        lower: l.lower,
        upper: l.upper,
        n: l.n,
        compared_95: Comparison::of(p.rate, l.lower, l.upper),
        compared_998: Comparison::of(p.rate, l.lower_998, l.upper_998),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provision(capacity: Option<f64>) -> Provision {
        Provision {
            status: Status::ProbationSpecific,
            coverage: 1.0,
            services: vec!["SV012".into()],
            capacity,
        }
    }

    fn access(share: f64) -> TreatmentAccess {
        TreatmentAccess {
            condition: "anxiety_disorder".into(),
            untreated_share: share,
            evidence_id: "TA01".into(),
            applies_as: "direct".into(),
            finding: String::new(),
            citation: String::new(),
            notes: String::new(),
        }
    }

    const NEED: Need = Need {
        need: 100.0,
        lower: 80.0,
        upper: 120.0,
        lower_998: 70.0,
        upper_998: 130.0,
    };

    #[test]
    fn capacity_is_subtracted_and_never_leaves_less_than_zero() {
        let (u, basis) = unmet(&NEED, &provision(Some(90.0)), Some(&access(0.6)));
        assert_eq!(basis, Basis::Capacity);
        let u = u.unwrap();
        assert_eq!(
            (u.need, u.lower, u.upper, u.lower_998),
            (10.0, 0.0, 30.0, 0.0)
        );
    }

    #[test]
    fn without_capacity_the_national_untreated_share_applies() {
        let (u, basis) = unmet(&NEED, &provision(None), Some(&access(0.6)));
        assert_eq!(basis, Basis::NationalTreatmentAccess);
        let u = u.unwrap();
        assert_eq!((u.need, u.lower, u.upper), (60.0, 48.0, 72.0));
    }

    #[test]
    fn with_neither_unmet_need_is_not_assessed() {
        assert_eq!(
            unmet(&NEED, &provision(None), None),
            (None, Basis::NotAssessed)
        );
    }
}

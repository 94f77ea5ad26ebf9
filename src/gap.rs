//! Gap: per area and condition, what provision there is and how much need it
//! leaves unmet, set against the general population and any local figures.
//!
//! Where services state a capacity, unmet need is need minus that capacity
//! (never below 0); where they do not, the national evidence on treatment
//! access applies; where there is neither, unmet need is not assessed and
//! the row says so.

use crate::geography::{Area, Level};
use crate::prevalence::{
    Comparator, Comparison, Domain, LocalPrevalence, Prevalence, TreatmentAccess,
};
use crate::services::{Provision, Status};
use crate::stats::estimate::Estimate;
use crate::stats::suppression::Suppression;
use crate::uncertainty::summary::{Difference, RankInterval};
use serde::{Deserialize, Serialize};
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
    /// People on probation living in the area: the central estimate and its
    /// simulated intervals.
    pub caseload: Estimate,
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
    /// Need minus expected, with its simulated intervals.
    pub excess: Estimate,
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
    /// Caseload × prevalence, with its simulated intervals.
    pub need: Estimate,
    /// Need per 100,000 adults living in the area.
    pub need_rate: Estimate,
    /// Unmet need with its intervals, when assessed.
    pub unmet: Option<Estimate>,
    /// Unmet need per 100,000 adults.
    pub unmet_rate: Option<Estimate>,
    pub basis: Basis,
    /// The untreated share used, for the national treatment-access basis.
    pub untreated_share: Option<f64>,
    pub capacity: Option<f64>,
    pub provision: Provision,
    pub general_population: Option<Excess>,
    pub local: Option<LocalComparison>,
    /// The area's rank among its level's areas by the published figure's
    /// rate, with its 95% interval and the chance it is in the top fifth.
    pub rank: Option<RankInterval>,
    /// The published figure's rate against England's, at 95% and 99.8%.
    pub against_england: Option<[Difference; 2]>,
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

/// Whether a figure is a count of people or a rate per 100,000 adults.
/// Areas are compared, ranked and mapped by rates (counts follow
/// population); counts stay in the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    #[default]
    Rate,
    Count,
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
    pub fn column(self, scale: Scale) -> &'static str {
        match (self, scale) {
            (Figure::Need, Scale::Count) => "need",
            (Figure::UnmetNeed, Scale::Count) => "unmet_need",
            (Figure::Need, Scale::Rate) => "need_per_100k_adults",
            (Figure::UnmetNeed, Scale::Rate) => "unmet_need_per_100k_adults",
        }
    }

    /// Its name in titles.
    pub fn label(self) -> &'static str {
        match self {
            Figure::Need => "Estimated need",
            Figure::UnmetNeed => "Estimated unmet need",
        }
    }

    /// Its unit, for legends and axes.
    pub fn unit(scale: Scale) -> &'static str {
        match scale {
            Scale::Count => "people",
            Scale::Rate => "per 100,000 adults",
        }
    }

    /// The estimate with its intervals; None where unmet need was not assessed.
    pub fn estimate(self, row: &GapRow, scale: Scale) -> Option<Estimate> {
        match (self, scale) {
            (Figure::Need, Scale::Count) => Some(row.need),
            (Figure::Need, Scale::Rate) => Some(row.need_rate),
            (Figure::UnmetNeed, Scale::Count) => row.unmet,
            (Figure::UnmetNeed, Scale::Rate) => row.unmet_rate,
        }
    }

    pub fn value(self, row: &GapRow, scale: Scale) -> Option<f64> {
        self.estimate(row, scale).map(|e| e.value)
    }

    /// Rows with a finite figure, highest first; equal figures in area-code
    /// order, so ranks never depend on the input's order.
    pub fn ranked<'a>(self, rows: &[&'a GapRow], scale: Scale) -> Vec<(&'a GapRow, Estimate)> {
        let mut ranked: Vec<(&GapRow, Estimate)> = rows
            .iter()
            .filter_map(|&row| {
                let estimate = self.estimate(row, scale)?;
                estimate.value.is_finite().then_some((row, estimate))
            })
            .collect();
        ranked.sort_by(|(a, x), (b, y)| {
            y.value
                .total_cmp(&x.value)
                .then_with(|| a.area_code.cmp(&b.area_code))
        });
        ranked
    }
}

/// Unmet need for one area and condition (its central estimate), and the
/// rule that gave it.
pub fn unmet(
    need: f64,
    provision: &Provision,
    access: Option<&TreatmentAccess>,
) -> (Option<f64>, Basis) {
    if let Some(capacity) = provision.capacity {
        return (Some((need - capacity).max(0.0)), Basis::Capacity);
    }
    match access {
        Some(a) => (
            Some(need * a.untreated_share),
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
/// then prevalence-table order, with their central estimates (the
/// simulation adds the intervals: `analysis`).
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
            let need = facts.caseload.value * p.rate;
            let provision = inputs
                .provision
                .get(&(area.code.clone(), p.domain))
                .unwrap_or(&none)
                .clone();
            let access = evidence.access.iter().find(|a| a.condition == p.condition);
            let (unmet, basis) = unmet(need, &provision, access);
            let per_adult = 100_000.0 / facts.adults;
            out.push(GapRow {
                level: inputs.level,
                area_code: area.code.clone(),
                area_name: area.name.clone(),
                condition: p.condition.clone(),
                domain: p.domain,
                facts,
                need: Estimate::exact(need),
                need_rate: Estimate::exact(need * per_adult),
                unmet: unmet.map(Estimate::exact),
                unmet_rate: unmet.map(|u| Estimate::exact(u * per_adult)),
                basis,
                untreated_share: access
                    .filter(|_| basis == Basis::NationalTreatmentAccess)
                    .map(|a| a.untreated_share),
                capacity: provision.capacity,
                provision,
                general_population: excess(&facts, need, p, evidence.comparators),
                local: local_comparison(inputs.level, &area.code, p, evidence.local),
                rank: None,
                against_england: None,
                suppressed: evidence.suppression.suppresses(need)
                    || evidence.suppression.suppresses(facts.caseload.value),
            });
        }
    }
    out
}

fn excess(
    facts: &AreaFacts,
    need: f64,
    p: &Prevalence,
    comparators: &[Comparator],
) -> Option<Excess> {
    let c = comparators.iter().find(|c| c.condition == p.condition)?;
    let expected = facts.caseload.value * c.rate;
    Some(Excess {
        expected,
        excess: Estimate::exact(need - expected),
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
            n: None,
            evidence_id: "TA01".into(),
            applies_as: "direct".into(),
            finding: String::new(),
            citation: String::new(),
            notes: String::new(),
        }
    }

    #[test]
    fn capacity_is_subtracted_and_never_leaves_less_than_zero() {
        let (u, basis) = unmet(100.0, &provision(Some(90.0)), Some(&access(0.6)));
        assert_eq!((u, basis), (Some(10.0), Basis::Capacity));
        let (u, _) = unmet(80.0, &provision(Some(90.0)), None);
        assert_eq!(u, Some(0.0));
    }

    #[test]
    fn without_capacity_the_national_untreated_share_applies() {
        let (u, basis) = unmet(100.0, &provision(None), Some(&access(0.6)));
        assert_eq!((u, basis), (Some(60.0), Basis::NationalTreatmentAccess));
    }

    #[test]
    fn with_neither_unmet_need_is_not_assessed() {
        assert_eq!(
            unmet(100.0, &provision(None), None),
            (None, Basis::NotAssessed)
        );
    }
}

//! Gap: per area and condition, what provision there is and how much need it
//! leaves unmet. Where services state a capacity, unmet need is need minus
//! that capacity (never below 0); where they do not, the national evidence on
//! treatment access applies; where there is neither, unmet need is not
//! assessed and the row says so.

use crate::caseload::AreaCaseload;
use crate::geography::{Area, Level};
use crate::need::{self, Need};
use crate::prevalence::{Prevalence, TreatmentAccess};
use crate::services::{Provision, Status};
use serde::Serialize;

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

/// One row of gap.csv: a level × area × condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRow {
    pub level: Level,
    pub area_code: String,
    pub area_name: String,
    pub condition: String,
    pub caseload: f64,
    pub caseload_coverage: f64,
    pub need: Need,
    /// Unmet need with its bounds, when assessed.
    pub unmet: Option<Need>,
    pub basis: Basis,
    /// The untreated share used, for the national treatment-access basis.
    pub untreated_share: Option<f64>,
    pub capacity: Option<f64>,
    pub provision: Provision,
}

/// Unmet need for one area and condition, and the rule that gave it.
pub fn unmet(
    need: &Need,
    provision: &Provision,
    access: Option<&TreatmentAccess>,
) -> (Option<Need>, Basis) {
    if let Some(capacity) = provision.capacity {
        let left = |n: f64| (n - capacity).max(0.0);
        let unmet = Need {
            need: left(need.need),
            lower: left(need.lower),
            upper: left(need.upper),
        };
        return (Some(unmet), Basis::Capacity);
    }
    match access {
        Some(a) => {
            let share = a.untreated_share;
            let unmet = Need {
                need: need.need * share,
                lower: need.lower * share,
                upper: need.upper * share,
            };
            (Some(unmet), Basis::NationalTreatmentAccess)
        }
        None => (None, Basis::NotAssessed),
    }
}

/// What a level's gap rows are made from.
pub struct LevelInputs<'a> {
    pub level: Level,
    pub areas: &'a [Area],
    pub caseload: &'a std::collections::BTreeMap<String, AreaCaseload>,
    pub provision:
        &'a std::collections::BTreeMap<(String, crate::prevalence::Domain), Provision>,
}

/// Gap rows for every area of a level and every condition, in area-code
/// then prevalence-table order.
pub fn rows(
    inputs: &LevelInputs,
    prevalence: &[Prevalence],
    access: &[TreatmentAccess],
) -> Vec<GapRow> {
    let none = Provision {
        status: Status::NoneRecorded,
        coverage: 0.0,
        services: Vec::new(),
        capacity: None,
    };
    let mut out = Vec::with_capacity(inputs.areas.len() * prevalence.len());
    for area in inputs.areas {
        let caseload = inputs.caseload.get(&area.code).copied().unwrap_or(AreaCaseload {
            caseload: 0.0,
            coverage: 0.0,
        });
        for p in prevalence {
            let need = need::estimate(caseload.caseload, p);
            let provision = inputs
                .provision
                .get(&(area.code.clone(), p.domain))
                .unwrap_or(&none)
                .clone();
            let a = access.iter().find(|a| a.condition == p.condition);
            let (unmet, basis) = unmet(&need, &provision, a);
            out.push(GapRow {
                level: inputs.level,
                area_code: area.code.clone(),
                area_name: area.name.clone(),
                condition: p.condition.clone(),
                caseload: caseload.caseload,
                caseload_coverage: caseload.coverage,
                need,
                unmet,
                basis,
                untreated_share: (basis == Basis::NationalTreatmentAccess)
                    .then(|| a.map(|a| a.untreated_share))
                    .flatten(),
                capacity: provision.capacity,
                provision,
            });
        }
    }
    out
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
    };

    #[test]
    fn capacity_is_subtracted_and_never_leaves_less_than_zero() {
        let (u, basis) = unmet(&NEED, &provision(Some(90.0)), Some(&access(0.6)));
        assert_eq!(basis, Basis::Capacity);
        let u = u.unwrap();
        assert_eq!((u.need, u.lower, u.upper), (10.0, 0.0, 30.0));
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
        assert_eq!(unmet(&NEED, &provision(None), None), (None, Basis::NotAssessed));
    }
}

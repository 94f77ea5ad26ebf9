//! Need: the number of people on probation in an area with a condition,
//! caseload × prevalence, with the bounds the prevalence interval gives.

use crate::prevalence::Prevalence;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Need {
    pub need: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Need for a caseload. The caseload is treated as known exactly here: its
/// own uncertainty (proxy choice) is shown by the sensitivity runs.
pub fn estimate(caseload: f64, prevalence: &Prevalence) -> Need {
    Need {
        need: caseload * prevalence.rate,
        lower: caseload * prevalence.lower,
        upper: caseload * prevalence.upper,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prevalence::{Domain, IntervalBasis};

    #[test]
    fn need_is_caseload_times_prevalence_and_its_bounds() {
        let p = Prevalence {
            condition: "current_mental_illness".into(),
            label: "Any current mental illness".into(),
            domain: Domain::MentalHealth,
            rate: 0.39,
            lower: 0.320464,
            upper: 0.464318,
            lower_998: 0.0,
            upper_998: 1.0,
            n: Some(173.0),
            interval_basis: IntervalBasis::Wilson,
            timeframe: "current".into(),
            evidence_grade: "A".into(),
            evidence_id: "PP01".into(),
            citation: "Brooker et al. 2012".into(),
            verified: "yes".into(),
            notes: String::new(),
        };
        let n = estimate(1000.0, &p);
        assert_eq!(n.need, 390.0);
        assert!((n.lower - 320.464).abs() < 1e-9);
        assert!((n.upper - 464.318).abs() < 1e-9);
    }
}

//! Need: the number of people on probation in an area with a condition,
//! caseload × prevalence. Its bounds carry both sources of uncertainty the
//! run knows: the prevalence interval and the range of the caseload estimate
//! across the caseload proxies. Analytic and deterministic: the lower bound is
//! the lowest caseload times the lower prevalence bound, the upper the highest
//! times the upper bound, so the interval is never narrower than caseload ×
//! the prevalence interval.

use crate::prevalence::Prevalence;
use serde::Serialize;

/// A count with its 95% and 99.8% bounds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Need {
    pub need: f64,
    pub lower: f64,
    pub upper: f64,
    pub lower_998: f64,
    pub upper_998: f64,
}

impl Need {
    /// Every figure scaled by the same factor.
    pub fn scaled(&self, factor: f64) -> Need {
        self.map(|v| v * factor)
    }

    /// Every figure passed through `f`.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Need {
        Need {
            need: f(self.need),
            lower: f(self.lower),
            upper: f(self.upper),
            lower_998: f(self.lower_998),
            upper_998: f(self.upper_998),
        }
    }
}

/// An area's caseload estimate and its range across the caseload proxies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Caseload {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

pub fn estimate(caseload: Caseload, prevalence: &Prevalence) -> Need {
    Need {
        need: caseload.value * prevalence.rate,
        lower: caseload.lower * prevalence.lower,
        upper: caseload.upper * prevalence.upper,
        lower_998: caseload.lower * prevalence.lower_998,
        upper_998: caseload.upper * prevalence.upper_998,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prevalence::{Domain, IntervalBasis};

    fn prevalence() -> Prevalence {
        Prevalence {
            condition: "current_mental_illness".into(),
            label: "Any current mental illness".into(),
            domain: Domain::MentalHealth,
            rate: 0.39,
            lower: 0.320464,
            upper: 0.464318,
            lower_998: 0.28,
            upper_998: 0.51,
            n: Some(173.0),
            interval_basis: IntervalBasis::Wilson,
            timeframe: "current".into(),
            evidence_grade: "A".into(),
            evidence_id: "PP01".into(),
            citation: "Brooker et al. 2012".into(),
            verified: "yes".into(),
            notes: String::new(),
        }
    }

    #[test]
    fn need_is_caseload_times_prevalence_and_its_bounds() {
        let exact = Caseload {
            value: 1000.0,
            lower: 1000.0,
            upper: 1000.0,
        };
        let n = estimate(exact, &prevalence());
        assert_eq!(n.need, 390.0);
        assert!((n.lower - 320.464).abs() < 1e-9);
        assert!((n.upper - 464.318).abs() < 1e-9);
        assert!((n.lower_998 - 280.0).abs() < 1e-9 && (n.upper_998 - 510.0).abs() < 1e-9);
    }

    #[test]
    fn the_caseload_range_widens_the_interval_and_never_narrows_it() {
        let range = Caseload {
            value: 1000.0,
            lower: 900.0,
            upper: 1200.0,
        };
        let n = estimate(range, &prevalence());
        assert_eq!(n.need, 390.0);
        assert!((n.lower - 900.0 * 0.320464).abs() < 1e-9);
        assert!((n.upper - 1200.0 * 0.464318).abs() < 1e-9);
        assert!(n.lower <= 1000.0 * 0.320464 && n.upper >= 1000.0 * 0.464318);
    }
}

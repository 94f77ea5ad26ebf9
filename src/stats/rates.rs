//! Confidence intervals for rates (counts per population), as public-health
//! analysts compute them (PHEindicatormethods `phe_rate`): the exact Poisson
//! interval below 10 events, Byar's approximation from 10 up.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Below this many events the exact method is used.
const BYAR_FROM: f64 = 10.0;

/// A rate per `multiplier` of population with its interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rate {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The rate of `events` in `population`, per `multiplier` (e.g. 100,000),
/// with its two-sided interval at normal quantile `z`. `events` may be an
/// estimated, fractional count.
///
/// 100 events in 50,000 people: 200 per 100,000, and Byar's limits
/// 81.362 and 121.628 on the count (by hand from Byar's formula) doubled:
///
/// ```
/// use jsna_gap::stats::{rates::rate, wilson::Z95};
/// let r = rate(100.0, 50_000.0, 100_000.0, Z95);
/// assert!((r.value - 200.0).abs() < 1e-9);
/// assert!((r.lower - 162.724).abs() < 1e-3 && (r.upper - 243.256).abs() < 1e-3);
/// ```
pub fn rate(events: f64, population: f64, multiplier: f64, z: f64) -> Rate {
    let (lower, upper) = count_interval(events, z);
    let per = multiplier / population;
    Rate {
        value: events * per,
        lower: lower * per,
        upper: upper * per,
    }
}

/// The interval for a Poisson count: exact below 10 events, Byar's from 10.
///
/// Four events: the exact limits χ²(0.025, 8)/2 and χ²(0.975, 10)/2 (scipy:
/// 1.08987 and 10.24159):
///
/// ```
/// use jsna_gap::stats::{rates::count_interval, wilson::Z95};
/// let (lower, upper) = count_interval(4.0, Z95);
/// assert!((lower - 1.08987).abs() < 1e-4 && (upper - 10.24159).abs() < 1e-4);
/// ```
pub fn count_interval(events: f64, z: f64) -> (f64, f64) {
    if events < BYAR_FROM {
        exact(events, z)
    } else {
        byar(events, z)
    }
}

/// Exact limits from the chi-squared distribution: lower = χ²(α/2, 2x)/2,
/// upper = χ²(1 − α/2, 2x + 2)/2, with α the two-sided tail for `z`.
fn exact(events: f64, z: f64) -> (f64, f64) {
    let tail = two_sided_tail(z) / 2.0;
    let lower = if events <= 0.0 {
        0.0
    } else {
        chi_squared(2.0 * events).inverse_cdf(tail) / 2.0
    };
    let upper = chi_squared(2.0 * events + 2.0).inverse_cdf(1.0 - tail) / 2.0;
    (lower, upper)
}

/// Byar's approximation to the exact limits.
fn byar(events: f64, z: f64) -> (f64, f64) {
    let lower = events * (1.0 - 1.0 / (9.0 * events) - z / (3.0 * events.sqrt())).powi(3);
    let next = events + 1.0;
    let upper = next * (1.0 - 1.0 / (9.0 * next) + z / (3.0 * next.sqrt())).powi(3);
    (lower, upper)
}

fn chi_squared(freedom: f64) -> ChiSquared {
    ChiSquared::new(freedom).expect("degrees of freedom are positive")
}

/// The two-sided tail probability of a standard normal quantile (0.05 for 1.96).
fn two_sided_tail(z: f64) -> f64 {
    use statrs::distribution::Normal;
    2.0 * (1.0 - Normal::standard().cdf(z))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::wilson::{Z95, Z998};

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn byar_matches_the_formula_by_hand() {
        // x = 20: 20 (1 - 1/180 - 1.959964/(3 √20))³ = 12.211429;
        //         21 (1 - 1/189 + 1.959964/(3 √21))³ = 30.889880.
        let (lo, hi) = count_interval(20.0, Z95);
        assert!(close(lo, 12.211429, 1e-5), "{lo}");
        assert!(close(hi, 30.889880, 1e-5), "{hi}");
        // From 10 events up Byar is used: 4.787450 to 18.391459.
        let (lo, hi) = count_interval(10.0, Z95);
        assert!(
            close(lo, 4.787450, 1e-5) && close(hi, 18.391459, 1e-5),
            "{lo} {hi}"
        );
    }

    #[test]
    fn exact_limits_below_ten_match_the_poisson_tables() {
        // Published exact 95% limits: 5 events 1.6235 to 11.6683; 9 events
        // 4.1154 to 17.0848; 0 events 0 to -ln(0.025) = 3.6889.
        let (lo, hi) = count_interval(5.0, Z95);
        assert!(
            close(lo, 1.6235, 1e-4) && close(hi, 11.6683, 1e-4),
            "{lo} {hi}"
        );
        let (lo, hi) = count_interval(9.0, Z95);
        assert!(
            close(lo, 4.1154, 1e-4) && close(hi, 17.0848, 1e-4),
            "{lo} {hi}"
        );
        let (lo, hi) = count_interval(0.0, Z95);
        assert_eq!(lo, 0.0);
        assert!(close(hi, 0.025f64.ln().abs(), 1e-6), "{hi}");
    }

    #[test]
    fn a_rate_scales_the_count_interval() {
        let r = rate(20.0, 50_000.0, 100_000.0, Z95);
        assert!(close(r.value, 40.0, 1e-9));
        assert!(close(r.lower, 24.422858, 1e-4) && close(r.upper, 61.779761, 1e-4));
        let wide = rate(20.0, 50_000.0, 100_000.0, Z998);
        assert!(wide.lower < r.lower && wide.upper > r.upper);
    }
}

//! Wilson score intervals for a proportion, the public-health convention for
//! prevalence (as in PHEindicatormethods `phe_proportion`): unlike the normal
//! approximation it stays inside 0–1 and behaves at 0 and n events.

/// Two-sided 95% normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;
/// Two-sided 99.8% normal quantile (the Fingertips "control limit" level).
pub const Z998: f64 = 3.090_232_306_167_813;

/// The Wilson score interval for `events` out of `n` at quantile `z`.
/// `events` may be fractional (a published percentage times the sample size).
///
/// 67 of 173 (the Lincolnshire study's current mental illness), as
/// statsmodels' `proportion_confint(67, 173, method="wilson")` gives it:
///
/// ```
/// use jsna_gap::stats::wilson::{Z95, interval};
/// let (lower, upper) = interval(67.0, 173.0, Z95);
/// assert!((lower - 0.317894).abs() < 1e-6 && (upper - 0.461569).abs() < 1e-6);
/// ```
pub fn interval(events: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let centre = 2.0 * events + z2;
    let spread = z * (z2 + 4.0 * events * (1.0 - events / n)).max(0.0).sqrt();
    let denominator = 2.0 * (n + z2);
    (
        ((centre - spread) / denominator).max(0.0),
        ((centre + spread) / denominator).min(1.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    #[test]
    fn matches_a_hand_calculation() {
        // 39% of 173 (x = 67.47), z² = 3.84146:
        // centre = (2x + z²) / 2(n + z²) = 138.78146 / 353.68292 = 0.392391,
        // half-width = z * sqrt(z² + 4x(1 - x/n)) / 2(n + z²)
        //            = 1.95996 * sqrt(168.46826) / 353.68292 = 0.071927.
        let (lo, hi) = interval(0.39 * 173.0, 173.0, Z95);
        assert!(close(lo, 0.320464, 5e-6), "{lo}");
        assert!(close(hi, 0.464318, 5e-6), "{hi}");
    }

    #[test]
    fn zero_and_all_events_stay_inside_zero_to_one() {
        let (lo, hi) = interval(0.0, 10.0, Z95);
        assert_eq!(lo, 0.0);
        // z² / (n + z²) = 3.8415 / 13.8415
        assert!(close(hi, 0.27753, 5e-5), "{hi}");
        let (lo, hi) = interval(10.0, 10.0, Z95);
        assert!(close(lo, 1.0 - 0.27753, 5e-5), "{lo}");
        assert_eq!(hi, 1.0);
    }

    #[test]
    fn the_998_interval_is_wider() {
        let (lo95, hi95) = interval(9.0, 173.0, Z95);
        let (lo998, hi998) = interval(9.0, 173.0, Z998);
        assert!(lo998 < lo95 && hi998 > hi95);
        // 9/173: centre = 21.84146 / 353.68292 = 0.061754,
        // half-width = 1.95996 * sqrt(3.84146 + 36 * 164/173) / 353.68292 = 0.034146.
        assert!(close(lo95, 0.027608, 5e-6), "{lo95}");
        assert!(close(hi95, 0.095901, 5e-6), "{hi95}");
    }
}

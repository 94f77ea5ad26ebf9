//! Funnel-plot control limits for observed proportions, as PHE publishes
//! them (PHEindicatormethods `calculate_funnel_limits`, statistic
//! "proportion", method "Wilson", following the Fingertips technical
//! guidance): the limit for a sample of n is the proportion whose Wilson
//! score interval just reaches the baseline (the pooled proportion of the
//! areas plotted), at 95% (z = 1.96) and 99.8% (z = 3.09). An optional
//! overdispersion adjustment widens them by an additive between-area
//! variance (Spiegelhalter 2005, Qual Saf Health Care 14:347–51).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// The two-sided levels Fingertips draws: 95% and 99.8%.
pub const LEVELS: [f64; 2] = [0.95, 0.998];

/// The normal quantile of a two-sided level (1.959964 for 95%).
pub fn z_of(level: f64) -> f64 {
    Normal::standard().inverse_cdf(1.0 - (1.0 - level) / 2.0)
}

/// A sample: `count` of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    pub count: f64,
    pub n: f64,
}

impl Sample {
    pub fn proportion(&self) -> f64 {
        self.count / self.n
    }
}

/// The baseline of a funnel: the areas' pooled proportion.
pub fn baseline(samples: &[Sample]) -> f64 {
    let (x, n) = samples
        .iter()
        .fold((0.0, 0.0), |(x, n), s| (x + s.count, n + s.n));
    x / n
}

/// The lower and upper limits, as proportions, for a sample of `n` around
/// `baseline` at normal quantile `z`.
///
/// The Wilson bound of an observed y is (y + z²/2n ± z √(y(1−y)/n +
/// z²/4n²)) / (1 + z²/n). Setting it equal to the baseline p and squaring
/// gives (1 + z²/n) y² − (2a + z²/n) y + a² − z⁴/4n² = 0, with
/// a = p (1 + z²/n) − z²/2n: the smaller root is the lower limit (its upper
/// Wilson bound is p), the larger the upper limit.
pub fn limits(n: f64, baseline: f64, z: f64) -> (f64, f64) {
    let k = z * z / n;
    let a = baseline * (1.0 + k) - k / 2.0;
    let (qa, qb, qc) = (1.0 + k, 2.0 * a + k, a * a - k * k / 4.0);
    let root = (qb * qb - 4.0 * qa * qc).max(0.0).sqrt();
    let lower = (qb - root) / (2.0 * qa);
    let upper = (qb + root) / (2.0 * qa);
    (lower.clamp(0.0, 1.0), upper.clamp(0.0, 1.0))
}

/// Spiegelhalter's additive overdispersion: the between-area variance τ²
/// on the proportion scale, from z-scores against the baseline winsorised
/// at 10% in each tail (none are moved with fewer than ten areas). Zero
/// where the spread is no more than chance allows (I·φ ≤ I − 1).
pub fn overdispersion(samples: &[Sample], baseline: f64) -> Overdispersion {
    let variance = |s: &Sample| baseline * (1.0 - baseline) / s.n;
    let mut z: Vec<f64> = samples
        .iter()
        .map(|s| (s.proportion() - baseline) / variance(s).sqrt())
        .collect();
    winsorise(&mut z, 0.1);
    let areas = samples.len() as f64;
    let phi = z.iter().map(|z| z * z).sum::<f64>() / areas;
    let weights: Vec<f64> = samples.iter().map(|s| 1.0 / variance(s)).collect();
    let sum: f64 = weights.iter().sum();
    let sum_sq: f64 = weights.iter().map(|w| w * w).sum();
    let tau2 = ((areas * phi - (areas - 1.0)) / (sum - sum_sq / sum)).max(0.0);
    Overdispersion { phi, tau2 }
}

/// The dispersion of a set of areas about the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overdispersion {
    /// The mean squared winsorised z-score (1 when the spread is chance alone).
    pub phi: f64,
    /// The between-area variance added to each area's sampling variance.
    pub tau2: f64,
}

impl Overdispersion {
    /// The limits for a sample of `n` widened by τ²: baseline ± z √(p(1−p)/n + τ²).
    pub fn limits(&self, n: f64, baseline: f64, z: f64) -> (f64, f64) {
        let se = (baseline * (1.0 - baseline) / n + self.tau2).sqrt();
        (
            (baseline - z * se).clamp(0.0, 1.0),
            (baseline + z * se).clamp(0.0, 1.0),
        )
    }
}

/// Replaces the lowest and highest `share` of `values` (rounded down) by
/// the nearest value kept.
fn winsorise(values: &mut [f64], share: f64) {
    let k = (share * values.len() as f64).floor() as usize;
    if k == 0 {
        return;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (low, high) = (sorted[k], sorted[sorted.len() - 1 - k]);
    for v in values.iter_mut() {
        *v = v.clamp(low, high);
    }
}

/// Where a sample lies against a funnel, in PHEindicatormethods' words
/// (`assign_funnel_significance`).
pub fn significance(
    sample: &Sample,
    limits_95: (f64, f64),
    limits_998: (f64, f64),
) -> &'static str {
    let y = sample.proportion();
    if y < limits_998.0 {
        "Low (0.001)"
    } else if y < limits_95.0 {
        "Low (0.025)"
    } else if y > limits_998.1 {
        "High (0.001)"
    } else if y > limits_95.1 {
        "High (0.025)"
    } else {
        "Not significant"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PHEindicatormethods' published test table
    /// (tests/testthat/testdata_funnel_prop_outputs.csv at commit 093fd28):
    /// baseline 80.642448%, limits in % to six decimals. The quadratic here
    /// is derived independently of their closed form; both give the Wilson
    /// limits, and tests/fixtures/funnel/reference_funnel.py finds the same
    /// by bisection on the Wilson bound.
    #[test]
    fn limits_match_phes_published_table() {
        let p = 0.806_424_48;
        let table = [
            (27.0, 65.739462, 95.545433, 57.145237, 100.0),
            (211.0, 75.311383, 85.973512, 72.237075, 89.04782),
            (1699.0, 78.763743, 82.521152, 77.680336, 83.60456),
            (13669.0, 79.980099, 81.304797, 79.598137, 81.686759),
            (110000.0, 80.408963, 80.875933, 80.274317, 81.010578),
            (4.0, 41.923356, 100.0, 19.594903, 100.0),
        ];
        let (z95, z998) = (z_of(0.95), z_of(0.998));
        for (n, lo95, hi95, lo998, hi998) in table {
            let (a, b) = limits(n, p, z95);
            let (c, d) = limits(n, p, z998);
            for (got, want) in [(a, lo95), (b, hi95), (c, lo998), (d, hi998)] {
                assert!((100.0 * got - want).abs() < 2e-6, "n {n}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn levels_are_fingertips_quantiles() {
        assert!((z_of(0.95) - 1.959_963_985).abs() < 1e-8);
        assert!((z_of(0.998) - 3.090_232_306).abs() < 1e-8);
    }

    /// Six areas, values from tests/fixtures/funnel/reference_funnel.py
    /// (plain formulas, standard library only).
    #[test]
    fn overdispersion_matches_the_reference() {
        let samples: Vec<Sample> = REFERENCE_AREAS
            .iter()
            .map(|&(count, n)| Sample { count, n })
            .collect();
        let p = baseline(&samples);
        assert!((p - REFERENCE_BASELINE).abs() < 1e-12, "{p}");
        let o = overdispersion(&samples, p);
        assert!((o.phi - REFERENCE_PHI).abs() < 1e-9, "{o:?}");
        assert!((o.tau2 - REFERENCE_TAU2).abs() < 1e-12, "{o:?}");
        let (lo, hi) = o.limits(200.0, p, z_of(0.95));
        assert!((lo - REFERENCE_LIMITS_200.0).abs() < 1e-9, "{lo}");
        assert!((hi - REFERENCE_LIMITS_200.1).abs() < 1e-9, "{hi}");
    }

    const REFERENCE_AREAS: [(f64, f64); 6] = [
        (40.0, 120.0),
        (95.0, 310.0),
        (61.0, 150.0),
        (20.0, 95.0),
        (150.0, 400.0),
        (33.0, 180.0),
    ];
    const REFERENCE_BASELINE: f64 = 0.317_928_286_852_589_6;
    const REFERENCE_PHI: f64 = 5.310_926_563_757_586;
    const REFERENCE_TAU2: f64 = 0.005_893_415_288_548_932;
    const REFERENCE_LIMITS_200: (f64, f64) = (0.154_207_757_345_235_17, 0.481_648_816_359_944_05);

    #[test]
    fn chance_spread_adds_nothing() {
        // Every area at the baseline: φ = 0, so τ² = 0 and the widened
        // limits are the plain normal ones.
        let samples = [
            Sample {
                count: 30.0,
                n: 100.0,
            },
            Sample {
                count: 60.0,
                n: 200.0,
            },
        ];
        let o = overdispersion(&samples, 0.3);
        assert_eq!(o.tau2, 0.0);
        let (lo, hi) = o.limits(100.0, 0.3, 2.0);
        let se = (0.3f64 * 0.7 / 100.0).sqrt();
        assert!((lo - (0.3 - 2.0 * se)).abs() < 1e-12 && (hi - (0.3 + 2.0 * se)).abs() < 1e-12);
    }

    #[test]
    fn significance_words_follow_the_limits() {
        let s = |count: f64| Sample { count, n: 100.0 };
        let (l95, l998) = ((0.2, 0.4), (0.15, 0.45));
        assert_eq!(significance(&s(10.0), l95, l998), "Low (0.001)");
        assert_eq!(significance(&s(18.0), l95, l998), "Low (0.025)");
        assert_eq!(significance(&s(30.0), l95, l998), "Not significant");
        assert_eq!(significance(&s(42.0), l95, l998), "High (0.025)");
        assert_eq!(significance(&s(50.0), l95, l998), "High (0.001)");
    }
}

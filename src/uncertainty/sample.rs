//! What is drawn, and how: the sampling distribution of each uncertain
//! proportion, and the random-number stream of each draw.
//!
//! Each draw has its own generator, seeded from the run's seed and the
//! draw's number, so the draws are the same whatever order threads take
//! them in, and the same seed always gives the same outputs.

use rand::{RngExt, SeedableRng};
use rand_distr::{Beta, Distribution as _, StandardNormal};
use rand_pcg::Pcg64;

/// The sampling distribution of a proportion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Proportion {
    /// Jeffreys' Beta(x + ½, n − x + ½) for x events in a sample of n: the
    /// posterior under the Jeffreys prior, whose central 95% interval is
    /// close to Wilson's and stays inside 0–1 at 0 and n events.
    Beta { alpha: f64, beta: f64 },
    /// Normal on the logit scale: for a published interval (matched to its
    /// ends) or a pooled estimate (its mean and standard error, with the
    /// between-study variance where the estimate is applied to a new
    /// population).
    LogitNormal { mean: f64, sd: f64 },
    /// Known exactly, or with no measure of its uncertainty (said so in the
    /// manifest).
    Fixed(f64),
}

impl Proportion {
    /// x events of n.
    pub fn from_sample(events: f64, n: f64) -> Proportion {
        Proportion::Beta {
            alpha: events + 0.5,
            beta: n - events + 0.5,
        }
    }

    /// A published 95% interval, as a normal on the logit scale centred on
    /// the estimate with the interval's width.
    pub fn from_interval(estimate: f64, lower: f64, upper: f64, z: f64) -> Proportion {
        let sd = (logit(upper) - logit(lower)) / (2.0 * z);
        Proportion::LogitNormal {
            mean: logit(estimate),
            sd,
        }
    }

    pub fn sample(&self, rng: &mut Pcg64) -> f64 {
        match *self {
            Proportion::Beta { alpha, beta } => Beta::new(alpha, beta)
                .map(|b| b.sample(rng))
                .unwrap_or(alpha / (alpha + beta)),
            Proportion::LogitNormal { mean, sd } => {
                let z: f64 = rng.sample(StandardNormal);
                logistic(mean + sd * z)
            }
            Proportion::Fixed(v) => v,
        }
    }

    /// In words, for the manifest.
    pub fn describe(&self) -> String {
        match *self {
            Proportion::Beta { alpha, beta } => format!("Beta({alpha:.2}, {beta:.2})"),
            Proportion::LogitNormal { mean, sd } => {
                format!("logit-normal (mean {mean:.4}, sd {sd:.4} on the logit scale)")
            }
            Proportion::Fixed(v) => format!("fixed at {v}"),
        }
    }
}

pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The generator of one draw.
pub fn generator(seed: u64, draw: usize) -> Pcg64 {
    // seed_from_u64 spreads its input through SplitMix64, so neighbouring
    // (seed, draw) pairs give unrelated streams.
    Pcg64::seed_from_u64(seed ^ (draw as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A standard normal deviate.
pub fn normal(rng: &mut Pcg64) -> f64 {
    rng.sample(StandardNormal)
}

/// An index chosen with probability proportional to its weight.
pub fn choose(rng: &mut Pcg64, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::wilson::Z95;

    fn mean_and_quantiles(p: Proportion, draws: usize) -> (f64, f64, f64) {
        let mut values: Vec<f64> = (0..draws).map(|d| p.sample(&mut generator(7, d))).collect();
        values.sort_by(f64::total_cmp);
        let mean = values.iter().sum::<f64>() / draws as f64;
        (mean, values[draws * 25 / 1000], values[draws * 975 / 1000])
    }

    #[test]
    fn the_beta_draws_have_the_jeffreys_mean_and_interval() {
        // 67.47 of 173 (39%): Beta(67.97, 106.03) has mean 67.97 / 174 =
        // 0.390632; its 2.5% and 97.5% quantiles (statrs' inverse CDF, an
        // independent implementation) bound the draws' quantiles.
        use statrs::distribution::{Beta as StatrsBeta, ContinuousCDF};
        let p = Proportion::from_sample(0.39 * 173.0, 173.0);
        let (mean, lo, hi) = mean_and_quantiles(p, 40_000);
        let exact = StatrsBeta::new(67.97, 106.03).unwrap();
        assert!((mean - 0.390632).abs() < 0.002, "{mean}");
        assert!((lo - exact.inverse_cdf(0.025)).abs() < 0.004, "{lo}");
        assert!((hi - exact.inverse_cdf(0.975)).abs() < 0.004, "{hi}");
    }

    #[test]
    fn a_published_interval_is_reproduced_by_its_logit_normal() {
        // Lifetime self-harm 32.5% (25% to 40%).
        let p = Proportion::from_interval(0.325, 0.25, 0.40, Z95);
        let (_, lo, hi) = mean_and_quantiles(p, 40_000);
        // logit 0.325 = -0.7309; the sd (logit 0.4 - logit 0.25) / 3.92 =
        // 0.6931 / 3.92 = 0.1768; logistic(-0.7309 ± 1.96 * 0.1768) =
        // 0.2542 and 0.4053, which bracket the published ends.
        assert!((lo - 0.2542).abs() < 0.004, "{lo}");
        assert!((hi - 0.4053).abs() < 0.004, "{hi}");
    }

    #[test]
    fn draws_are_reproducible_and_distinct() {
        let a: f64 = generator(1, 5).random();
        let b: f64 = generator(1, 5).random();
        let c: f64 = generator(1, 6).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn choices_follow_their_weights() {
        let weights = [1.0, 0.0, 3.0];
        let mut counts = [0usize; 3];
        for d in 0..20_000 {
            counts[choose(&mut generator(3, d), &weights)] += 1;
        }
        assert_eq!(counts[1], 0);
        let share = counts[2] as f64 / 20_000.0;
        assert!((share - 0.75).abs() < 0.01, "{share}");
    }
}

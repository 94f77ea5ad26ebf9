//! A modelled figure with its intervals, and the quantiles that bound them.

use serde::Serialize;

/// A modelled figure: its central estimate (the run's own assumptions) and
/// the 95% and 99.8% intervals of its simulated distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Estimate {
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
    pub lower_998: f64,
    pub upper_998: f64,
}

impl Estimate {
    /// A figure known exactly: every bound equals it.
    pub fn exact(value: f64) -> Estimate {
        Estimate {
            value,
            lower: value,
            upper: value,
            lower_998: value,
            upper_998: value,
        }
    }

    /// Every figure scaled by the same factor (e.g. a count to a rate).
    pub fn scaled(&self, factor: f64) -> Estimate {
        self.map(|v| v * factor)
    }

    /// Every figure passed through `f`, which must not change their order.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Estimate {
        Estimate {
            value: f(self.value),
            lower: f(self.lower),
            upper: f(self.upper),
            lower_998: f(self.lower_998),
            upper_998: f(self.upper_998),
        }
    }

    /// The central estimate with the intervals of `draws` (reordered).
    pub fn of_draws(value: f64, draws: &mut [f64]) -> Estimate {
        let [lower_998, lower, upper, upper_998] = quantiles(draws, [0.001, 0.025, 0.975, 0.999]);
        Estimate {
            value,
            lower,
            upper,
            lower_998,
            upper_998,
        }
    }
}

/// Four quantiles of `values` (which are reordered), ascending
/// probabilities, each by linear interpolation between order statistics
/// (Hyndman and Fan's type 7, R's default). Selection rather than a full
/// sort: three partitions of the draws instead of n log n comparisons.
pub fn quantiles(values: &mut [f64], p: [f64; 4]) -> [f64; 4] {
    let n = values.len();
    if n == 0 {
        return [f64::NAN; 4];
    }
    let position = |q: f64| q * (n - 1) as f64;
    // Partition from the top down so each later search is within a smaller slice.
    let high = position(p[2]).floor() as usize;
    values.select_nth_unstable_by(high, f64::total_cmp);
    let (below_high, _) = values.split_at_mut(high);
    let low = position(p[1]).floor() as usize;
    if low < high {
        below_high.select_nth_unstable_by(low, f64::total_cmp);
    }
    let lowest = position(p[0]).floor() as usize;
    if lowest < low {
        values[..low].select_nth_unstable_by(lowest, f64::total_cmp);
    }
    let highest = position(p[3]).floor() as usize;
    if highest > high {
        values[high + 1..].select_nth_unstable_by(highest - high - 1, f64::total_cmp);
    }
    p.map(|q| interpolated(values, position(q)))
}

/// The type-7 quantile at `position` of a slice whose order statistic at
/// floor(position) is in place: the next one is the least value above it.
fn interpolated(values: &[f64], position: f64) -> f64 {
    let k = position.floor() as usize;
    let below = values[k];
    let fraction = position - k as f64;
    if fraction == 0.0 || k + 1 >= values.len() {
        return below;
    }
    let above = values[k + 1..]
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    below + fraction * (above - below)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_rs_type_7() {
        // R: quantile(1:11, c(.001, .025, .975, .999)) = 1.01 1.25 10.75 10.99
        let mut v: Vec<f64> = (1..=11).rev().map(f64::from).collect();
        let q = quantiles(&mut v, [0.001, 0.025, 0.975, 0.999]);
        let expected = [1.01, 1.25, 10.75, 10.99];
        for (got, want) in q.iter().zip(expected) {
            assert!((got - want).abs() < 1e-12, "{q:?}");
        }
    }

    #[test]
    fn quantiles_of_many_draws_agree_with_a_full_sort() {
        let mut v: Vec<f64> = (0..10_000u64)
            .map(|i| ((i * 7919) % 10_007) as f64 / 3.0)
            .collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let type7 = |q: f64| {
            let h = q * 9_999.0;
            let k = h.floor() as usize;
            sorted[k] + (h - k as f64) * (sorted[k + 1] - sorted[k])
        };
        let q = quantiles(&mut v, [0.001, 0.025, 0.975, 0.999]);
        assert_eq!(q, [type7(0.001), type7(0.025), type7(0.975), type7(0.999)]);
    }
}

//! From draws to published figures: the quantiles that bound an interval,
//! the rank interval, and whether a difference is real.

use serde::Serialize;

/// Whether a figure is higher than, similar to or lower than another: the
/// interval of the difference, from the same draws, lies above zero, spans
/// it, or lies below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Difference {
    Higher,
    Similar,
    Lower,
}

impl Difference {
    /// From the draws of a difference, at the central `level` (0.95, 0.998):
    /// the equal-tailed interval excludes zero exactly when more than
    /// `level + (1 - level) / 2` of the draws fall on one side of it.
    pub fn of(differences: impl Iterator<Item = f64>, level: f64) -> Difference {
        let (mut above, mut below, mut n) = (0usize, 0usize, 0usize);
        for d in differences {
            n += 1;
            if d > 0.0 {
                above += 1;
            } else if d < 0.0 {
                below += 1;
            }
        }
        let needed = (level + (1.0 - level) / 2.0) * n as f64;
        if above as f64 > needed {
            Difference::Higher
        } else if below as f64 > needed {
            Difference::Lower
        } else {
            Difference::Similar
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Difference::Higher => "higher",
            Difference::Similar => "similar",
            Difference::Lower => "lower",
        }
    }
}

/// An area's rank among its level's areas (1 = highest figure) in the
/// central estimate, the 95% interval of its rank across the draws, and
/// the share of draws in which it is in the top fifth.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankInterval {
    pub rank: usize,
    pub lower: usize,
    pub upper: usize,
    pub top_fifth: f64,
}

/// Ranks, 1 = highest, of `values`; equal values share the best rank
/// (competition ranking), so ranks never depend on the areas' order.
pub fn ranks(values: &[f64], out: &mut [u16], order: &mut Vec<usize>) {
    order.clear();
    order.extend(0..values.len());
    order.sort_unstable_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut previous = f64::NAN;
    let mut rank = 0u16;
    for (i, &area) in order.iter().enumerate() {
        if values[area] != previous {
            rank = i as u16 + 1;
            previous = values[area];
        }
        out[area] = rank;
    }
}

/// How many areas make the top fifth of `n` (at least one).
pub fn top_fifth_size(n: usize) -> usize {
    n.div_ceil(5).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_is_real_only_when_its_interval_excludes_zero() {
        let mostly_above = (0..1000).map(|i| if i < 980 { 1.0 } else { -1.0 });
        assert_eq!(Difference::of(mostly_above, 0.95), Difference::Higher);
        let some_above = (0..1000).map(|i| if i < 970 { 1.0 } else { -1.0 });
        assert_eq!(Difference::of(some_above, 0.95), Difference::Similar);
        let below = (0..1000).map(|_| -2.0);
        assert_eq!(Difference::of(below, 0.998), Difference::Lower);
    }

    #[test]
    fn equal_values_share_the_best_rank() {
        let mut out = [0u16; 4];
        ranks(&[5.0, 9.0, 5.0, 1.0], &mut out, &mut Vec::new());
        assert_eq!(out, [2, 1, 2, 4]);
    }

    #[test]
    fn the_top_fifth_rounds_up() {
        assert_eq!(top_fifth_size(153), 31);
        assert_eq!(top_fifth_size(106), 22);
        assert_eq!(top_fifth_size(1), 1);
    }
}

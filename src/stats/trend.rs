//! The Fingertips recent-trend test for an observed proportion: a
//! chi-squared test for trend (Cochran–Armitage) on the five most recent
//! points, as OHID's Fingertips computes it (`TrendMarkerCalculator`,
//! "SPC for proportions", in ukhsa-collaboration/fingertips-open,
//! PholioVisualisation.Analysis): significant when the statistic exceeds
//! the chi-squared(1) quantile at 99.8% and no single point turns the
//! slope round; the result in Fingertips' own words.

use serde::Serialize;

/// Fingertips tests the five most recent points.
pub const POINTS: usize = 5;

/// chi-squared(1) at 0.998 (Fingertips' `ChiSquareConfidence`,
/// 9.54953570608324): the test is two-sided at the 99.8% level.
pub const CRITICAL: f64 = 9.549_535_706_083_24;

/// Whether a rise is good, bad or neither (Fingertips' polarity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Polarity {
    LowIsGood,
    HighIsGood,
    /// No judgement: a caseload rising is neither better nor worse health.
    NoJudgement,
}

/// The test's outcome, worded as Fingertips words it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RecentTrend {
    /// The chi-squared statistic (None where it cannot be calculated).
    pub chi_square: Option<f64>,
    /// +1 rising, -1 falling, 0 no significant change (or not calculated).
    pub direction: i8,
    pub polarity: Polarity,
}

impl RecentTrend {
    /// Fingertips' label: "Increasing and getting worse", "No significant
    /// change", "Cannot be calculated", ...
    pub fn words(&self) -> &'static str {
        match (self.chi_square, self.direction, self.polarity) {
            (None, _, _) => "Cannot be calculated",
            (_, 0, _) => "No significant change",
            (_, 1, Polarity::LowIsGood) => "Increasing and getting worse",
            (_, 1, Polarity::HighIsGood) => "Increasing and getting better",
            (_, 1, Polarity::NoJudgement) => "Increasing",
            (_, _, Polarity::LowIsGood) => "Decreasing and getting better",
            (_, _, Polarity::HighIsGood) => "Decreasing and getting worse",
            (_, _, Polarity::NoJudgement) => "Decreasing",
        }
    }
}

/// One point of a series: `count` people out of `denominator`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    pub count: f64,
    pub denominator: f64,
}

/// The recent trend of `series` (oldest first; only the last five are
/// used). Fewer than five points, or a point of 0 or of its whole
/// denominator (the logit is infinite), cannot be calculated.
pub fn recent_trend(series: &[Proportion], polarity: Polarity) -> RecentTrend {
    let not_calculated = RecentTrend {
        chi_square: None,
        direction: 0,
        polarity,
    };
    if series.len() < POINTS {
        return not_calculated;
    }
    let last = &series[series.len() - POINTS..];
    if last
        .iter()
        .any(|p| p.count <= 0.0 || p.count >= p.denominator)
    {
        return not_calculated;
    }
    let chi_square = chi_square_for_trend(last);
    let logits: Vec<(f64, f64)> = last
        .iter()
        .enumerate()
        .map(|(i, p)| ((i + 1) as f64, (p.count / (p.denominator - p.count)).ln()))
        .collect();
    let fitted = slope(&logits);
    // Fingertips' outlier check: the slope keeps its sign with each point
    // left out in turn, else no single direction is claimed.
    let steady = (0..logits.len()).all(|drop| {
        let rest: Vec<(f64, f64)> = logits
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .map(|(_, p)| *p)
            .collect();
        (slope(&rest) < 0.0) == (fitted < 0.0)
    });
    let direction = match (chi_square > CRITICAL && steady, fitted > 0.0) {
        (false, _) => 0,
        (true, true) => 1,
        (true, false) => -1,
    };
    RecentTrend {
        chi_square: Some(chi_square),
        direction,
        polarity,
    }
}

/// The chi-squared test for trend in proportions over scores 1, 2, ...:
/// N (N Σ x t − X Σ n t)² / (X (N − X) (N Σ n t² − (Σ n t)²)), with X and
/// N the totals of the counts and denominators (Armitage 1955).
fn chi_square_for_trend(points: &[Proportion]) -> f64 {
    let (mut n, mut x, mut xt, mut nt, mut nt2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, p) in points.iter().enumerate() {
        let t = (i + 1) as f64;
        n += p.denominator;
        x += p.count;
        xt += p.count * t;
        nt += p.denominator * t;
        nt2 += p.denominator * t * t;
    }
    n * (n * xt - x * nt).powi(2) / (x * (n - x) * (n * nt2 - nt * nt))
}

/// The least-squares slope of y on t.
fn slope(points: &[(f64, f64)]) -> f64 {
    let k = points.len() as f64;
    let (st, sy) = points
        .iter()
        .fold((0.0, 0.0), |(st, sy), (t, y)| (st + t, sy + y));
    let sty: f64 = points.iter().map(|(t, y)| t * y).sum();
    let stt: f64 = points.iter().map(|(t, _)| t * t).sum();
    (k * sty - st * sy) / (k * stt - st * st)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(f64, f64)]) -> Vec<Proportion> {
        points
            .iter()
            .map(|&(count, denominator)| Proportion { count, denominator })
            .collect()
    }

    /// Fingertips' own worked example (fingertips-open,
    /// TrendMarkerCalculatorTest, `GetTrendDataForProportion_Set1`, 2014 to
    /// 2018): chi-squared 47.90 to two decimals, significant.
    /// tests/fixtures/trend/reference_trend.py derives 47.8967 twice:
    /// Armitage's closed form and SAS's Cochran–Armitage statistic squared.
    #[test]
    fn fingertips_worked_example() {
        let s = series(&[
            (994.0, 40299.0),
            (1023.0, 41527.0),
            (1199.0, 42811.0),
            (1332.0, 44064.0),
            (1367.0, 44701.0),
        ]);
        let t = recent_trend(&s, Polarity::LowIsGood);
        let chi = t.chi_square.unwrap();
        assert_eq!((chi * 100.0).round() / 100.0, 47.90, "{chi}");
        assert!((chi - REFERENCE_SET1).abs() < 1e-6, "{chi}");
        assert_eq!(t.words(), "Increasing and getting worse");
        let t = recent_trend(&s, Polarity::HighIsGood);
        assert_eq!(t.words(), "Increasing and getting better");
    }

    /// The value reference_trend.py prints for the worked example.
    const REFERENCE_SET1: f64 = 47.896_676_707_6;

    /// Fingertips' second example (`GetTrendData_Set2`): not significant.
    #[test]
    fn a_flat_series_is_no_significant_change() {
        let s = series(&[
            (209.0, 1017.0),
            (213.0, 1087.0),
            (213.0, 1119.0),
            (239.0, 1117.0),
            (210.0, 1139.0),
        ]);
        let t = recent_trend(&s, Polarity::NoJudgement);
        assert!((t.chi_square.unwrap() - REFERENCE_SET2).abs() < 1e-6);
        assert_eq!(t.words(), "No significant change");
    }

    /// reference_trend.py's value for the second example.
    const REFERENCE_SET2: f64 = 0.400_264_063_3;

    #[test]
    fn a_falling_series_with_no_polarity_is_decreasing() {
        let s = series(&[
            (1367.0, 44701.0),
            (1332.0, 44064.0),
            (1199.0, 42811.0),
            (1023.0, 41527.0),
            (994.0, 40299.0),
        ]);
        assert_eq!(
            recent_trend(&s, Polarity::NoJudgement).words(),
            "Decreasing"
        );
    }

    #[test]
    fn fewer_than_five_points_or_a_zero_cannot_be_calculated() {
        let four = series(&[(1.0, 10.0), (2.0, 10.0), (3.0, 10.0), (4.0, 10.0)]);
        assert_eq!(
            recent_trend(&four, Polarity::NoJudgement).words(),
            "Cannot be calculated"
        );
        // Fingertips' `GetTrendDataForProportion_Set2`: 5 of 5 in 2012.
        let s = series(&[(5.0, 5.0), (3.0, 5.0), (1.0, 5.0), (1.0, 4.0), (2.0, 4.0)]);
        assert_eq!(recent_trend(&s, Polarity::NoJudgement).chi_square, None);
    }

    /// A significant chi-squared whose direction rests on one point: the
    /// slope of the logits changes sign when the last point is left out.
    #[test]
    fn one_point_cannot_make_a_trend() {
        let s = series(&[
            (300.0, 10_000.0),
            (290.0, 10_000.0),
            (280.0, 10_000.0),
            (270.0, 10_000.0),
            (600.0, 10_000.0),
        ]);
        let t = recent_trend(&s, Polarity::NoJudgement);
        assert!(t.chi_square.unwrap() > CRITICAL, "{t:?}");
        assert_eq!(t.words(), "No significant change");
    }
}

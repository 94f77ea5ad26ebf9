//! Small-number suppression for anything meant for publication (map labels,
//! annex text, per-area tables). Estimates made from a national total
//! disclose nobody, but counts derived from locally supplied caseload can:
//! the default rule suppresses counts below 5 everywhere and rounds other
//! counts to the nearest 5 where the caseload was supplied locally. The
//! analyst's gap.csv keeps exact values with a `suppressed` flag.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Counts below this are published as "<N".
    pub below: f64,
    /// Other counts are rounded to a multiple of this ...
    pub round_to: f64,
    /// ... when this says so.
    pub round: Rounding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Only counts derived from locally supplied caseload (not a national total).
    LocalCaseload,
    Always,
    Never,
}

impl Default for Suppression {
    fn default() -> Self {
        Suppression {
            below: 5.0,
            round_to: 5.0,
            round: Rounding::LocalCaseload,
        }
    }
}

/// A count as it may be published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Published {
    Suppressed,
    Count(f64),
}

impl Suppression {
    /// Whether a count must not be published as it is.
    pub fn suppresses(&self, count: f64) -> bool {
        count < self.below
    }

    /// The count as it may be published; `local` says whether it derives
    /// from locally supplied caseload.
    pub fn publish(&self, count: f64, local: bool) -> Published {
        if self.suppresses(count) {
            return Published::Suppressed;
        }
        let rounds = match self.round {
            Rounding::LocalCaseload => local,
            Rounding::Always => true,
            Rounding::Never => false,
        };
        if rounds && self.round_to > 0.0 {
            Published::Count((count / self.round_to).round() * self.round_to)
        } else {
            Published::Count(count.round())
        }
    }

    /// The published count as text: "<5", or a whole number with thousands
    /// separators.
    pub fn text(&self, count: f64, local: bool) -> String {
        match self.publish(count, local) {
            Published::Suppressed => format!("<{}", self.below),
            Published::Count(c) => crate::numbers::thousands(c, 0),
        }
    }

    /// A rate made from a count, as it may be published: to whole numbers,
    /// or withheld when its count is suppressed (the rate would give the
    /// count away).
    pub fn rate_text(&self, rate: f64, count: f64) -> String {
        if self.suppresses(count) {
            format!("not published (under {} people)", self.below)
        } else {
            format!("{} per 100,000 adults", crate::numbers::thousands(rate, 0))
        }
    }

    /// The rule in words, for the manifest and the annex.
    pub fn describe(&self) -> String {
        let rounding = match self.round {
            Rounding::LocalCaseload => format!(
                "; counts derived from locally supplied caseload are rounded to the nearest {}",
                self.round_to
            ),
            Rounding::Always => format!(
                "; other counts are rounded to the nearest {}",
                self.round_to
            ),
            Rounding::Never => String::new(),
        };
        format!(
            "Published counts below {} are shown as <{}{rounding}; gap.csv keeps exact values and flags them in `suppressed`.",
            self.below, self.below
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_and_local_ones_rounded() {
        let rule = Suppression::default();
        assert_eq!(rule.publish(4.99, false), Published::Suppressed);
        assert_eq!(rule.publish(0.0, true), Published::Suppressed);
        assert_eq!(rule.publish(5.0, false), Published::Count(5.0));
        assert_eq!(rule.publish(1237.4, false), Published::Count(1237.0));
        assert_eq!(rule.publish(1237.4, true), Published::Count(1235.0));
        assert_eq!(rule.publish(1237.5, true), Published::Count(1240.0));
        assert_eq!(rule.text(3.0, false), "<5");
        assert_eq!(rule.text(1237.5, true), "1,240");
    }

    #[test]
    fn rounding_can_be_always_or_never() {
        let always = Suppression {
            round: Rounding::Always,
            ..Suppression::default()
        };
        assert_eq!(always.publish(12.0, false), Published::Count(10.0));
        let never = Suppression {
            round: Rounding::Never,
            ..Suppression::default()
        };
        assert_eq!(never.publish(12.4, true), Published::Count(12.0));
    }
}

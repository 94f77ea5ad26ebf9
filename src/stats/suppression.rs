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
    #[serde(deserialize_with = "below")]
    pub below: f64,
    /// Other counts are rounded to a multiple of this ...
    #[serde(deserialize_with = "round_to")]
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

// Checked as the TOML is read, so that the error names the config file and
// the line, and `validate` refuses what `run` would.

/// `below`: a finite number of people, 0 (nothing suppressed) or more.
fn below<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "publication.below is {v}: it must be a number of people, 0 or more (5 is the usual rule)"
        )))
    }
}

/// `round_to`: a finite number of people, 1 or more (`round = "never"`
/// turns rounding off; rounding to 0 or to a fraction would publish NaN or
/// figures more exact than the people they count).
fn round_to<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v >= 1.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "publication.round_to is {v}: it must be a number of people, 1 or more (5 is the usual rule; round = \"never\" turns rounding off)"
        )))
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
        if self.rounds(local) {
            Published::Count((count / self.round_to).round() * self.round_to)
        } else {
            Published::Count(count.round())
        }
    }

    /// Whether counts are rounded to `round_to` (a protection, unlike the
    /// rounding to whole people every count gets).
    fn rounds(&self, local: bool) -> bool {
        match self.round {
            Rounding::LocalCaseload => local,
            Rounding::Always => true,
            Rounding::Never => false,
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

    /// A rate made from a count, as it may be published: withheld when its
    /// count is suppressed (the rate would give the count away), and made
    /// from the rounded count when the count is rounded, for the same reason.
    pub fn publish_rate(&self, rate: f64, count: f64, local: bool) -> Published {
        match self.publish(count, local) {
            Published::Suppressed => Published::Suppressed,
            Published::Count(published) if self.rounds(local) && count > 0.0 => {
                Published::Count(rate * published / count)
            }
            Published::Count(_) => Published::Count(rate),
        }
    }

    /// The published rate as text, to whole numbers per 100,000 adults.
    pub fn rate_text(&self, rate: f64, count: f64, local: bool) -> String {
        match self.publish_rate(rate, count, local) {
            Published::Suppressed => format!("not published (under {} people)", self.below),
            Published::Count(r) => {
                format!("{} per 100,000 adults", crate::numbers::thousands(r, 0))
            }
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

    #[test]
    fn rates_give_away_no_more_than_their_counts() {
        let rule = Suppression::default();
        // 351 people, 200 per 100,000: published as 350 people, so the rate
        // is 200 × 350 / 351 = 199.43, shown as 199.
        assert_eq!(
            rule.publish_rate(200.0, 351.0, true),
            Published::Count(200.0 * 350.0 / 351.0)
        );
        assert_eq!(rule.rate_text(200.0, 351.0, true), "199 per 100,000 adults");
        // Counts rounded only to whole people leave the rate as it is.
        assert_eq!(
            rule.publish_rate(200.0, 351.4, false),
            Published::Count(200.0)
        );
        assert_eq!(
            rule.rate_text(40.0, 3.0, false),
            "not published (under 5 people)"
        );
    }
}

//! Prevalence: for each condition, the share of people on probation who have
//! it, with its 95% interval, sample size, evidence grade and citation.
//!
//! The interval is the published one where the study gives it; otherwise the
//! Wilson score interval from the study's sample size. A rate with neither is
//! refused: an interval cannot be made up.

use crate::error::{Error, ErrorKind, Result};
use crate::input::{Record, Seen, Table};
use crate::stats::wilson;
use serde::Serialize;

/// The service domain a condition's need falls to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    MentalHealth,
    SubstanceMisuse,
    PersonalityDisorder,
    /// Non-clinical emotional wellbeing support (e.g. probation CRS).
    Wellbeing,
}

impl Domain {
    pub const NAMES: [(&'static str, Domain); 4] = [
        ("mental_health", Domain::MentalHealth),
        ("substance_misuse", Domain::SubstanceMisuse),
        ("personality_disorder", Domain::PersonalityDisorder),
        ("wellbeing", Domain::Wellbeing),
    ];

    pub fn parse(s: &str) -> Option<Domain> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, d)| *d)
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("", |(n, _)| n)
    }

    /// The `domain` column of a record.
    pub fn read(r: &Record) -> Result<Domain> {
        let text = r.text("domain")?;
        Domain::parse(text).ok_or_else(|| {
            r.error(format!("domain '{text}' is not known"))
                .hint(format!(
                    "use one of: {}",
                    Domain::NAMES.map(|(n, _)| n).join(", ")
                ))
        })
    }
}

/// How a prevalence interval was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalBasis {
    /// Wilson score interval from the study's sample size.
    Wilson,
    /// The interval or range the study itself published.
    Published,
    /// Several studies pooled by random effects: the 95% range of the
    /// proportion in a new area (the random-effects mean with the
    /// between-study and sampling variance, normal on the logit scale).
    Prediction,
}

impl IntervalBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            IntervalBasis::Wilson => "wilson",
            IntervalBasis::Published => "published",
            IntervalBasis::Prediction => "prediction",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prevalence {
    /// Stable snake_case identifier, e.g. `current_mental_illness`.
    pub condition: String,
    pub label: String,
    pub domain: Domain,
    pub rate: f64,
    pub lower: f64,
    pub upper: f64,
    /// 99.8% Wilson bounds (equal to the published range where that is used).
    pub lower_998: f64,
    pub upper_998: f64,
    pub n: Option<f64>,
    pub interval_basis: IntervalBasis,
    pub timeframe: String,
    pub evidence_grade: String,
    pub evidence_id: String,
    pub citation: String,
    pub verified: String,
    pub notes: String,
    /// Where the figure comes from: this table, or the evidence table by the
    /// configured policy.
    pub estimate: Estimate,
}

/// Which estimate a condition's prevalence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The prevalence table's own figure (`datasets.prevalence`, which a
    /// local team may replace with its own).
    Local,
    /// One study of the evidence table, named in the configuration.
    Study,
    /// The random-effects estimate of one definition class of the evidence table.
    Pooled,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Study => "study",
            Source::Pooled => "pooled",
        }
    }
}

/// The evidence behind a prevalence, as gap.csv, the manifest and the annex
/// report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub source: Source,
    /// The definition class (None for the prevalence table's own figure,
    /// which does not record one).
    pub class: Option<String>,
    /// Studies behind it (None for the prevalence table's own figure).
    pub k: Option<usize>,
    /// The evidence ids behind it.
    pub ids: Vec<String>,
    /// The 95% interval of the pooled mean (pooled only).
    pub mean_interval: Option<(f64, f64)>,
    /// The published-style 95% prediction interval, from three studies.
    pub prediction: Option<(f64, f64)>,
    /// Between-study variance on the logit scale and I², 0 to 1 (pooled only).
    pub tau2: Option<f64>,
    pub i2: Option<f64>,
}

impl Estimate {
    /// The prevalence table's own figure.
    pub fn local() -> Estimate {
        Estimate {
            source: Source::Local,
            class: None,
            k: None,
            ids: Vec::new(),
            mean_interval: None,
            prediction: None,
            tau2: None,
            i2: None,
        }
    }
}

pub fn read(table: &Table) -> Result<Vec<Prevalence>> {
    table.require(&[
        "condition",
        "label",
        "domain",
        "rate",
        "n",
        "interval_low",
        "interval_high",
        "evidence_grade",
        "citation",
    ])?;
    let mut rows: Vec<Prevalence> = Vec::new();
    let mut seen = Seen::default();
    for r in table.records() {
        let p = row(&r)?;
        seen.first(&r, p.condition.clone(), format_args!("condition {}", p.condition))
            .map_err(|e| e.hint("give one prevalence per condition; put alternatives in notes or in a second config"))?;
        rows.push(p);
    }
    if rows.is_empty() {
        return Err(Error::input(&table.path, "the prevalence file has no rows")
            .hint("give at least one condition with its rate and sample size"));
    }
    Ok(rows)
}

fn row(r: &Record) -> Result<Prevalence> {
    let condition = r.text("condition")?;
    if !condition
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(r
            .error(format!(
                "condition '{condition}' is not a snake_case identifier"
            ))
            .hint("use lower-case letters, digits and underscores, e.g. current_mental_illness"));
    }
    let domain = Domain::read(r)?;
    let rate = r.proportion_or_empty("rate")?.ok_or_else(|| {
        r.error("rate is empty")
            .hint("write the prevalence as a proportion, e.g. 0.39")
    })?;
    let n = r.sample_size_or_empty("n")?;
    let events = r
        .numerator_of("numerator", n)?
        .unwrap_or(rate * n.unwrap_or(0.0));
    let published = (
        r.proportion_or_empty("interval_low")?,
        r.proportion_or_empty("interval_high")?,
    );
    let (lower, upper, lower_998, upper_998, interval_basis) = match (published, n) {
        ((Some(lo), Some(hi)), _) => (lo, hi, lo, hi, IntervalBasis::Published),
        ((None, None), Some(n)) => {
            let (lo, hi) = wilson::interval(events, n, wilson::Z95);
            let (lo998, hi998) = wilson::interval(events, n, wilson::Z998);
            (lo, hi, lo998, hi998, IntervalBasis::Wilson)
        }
        ((None, None), None) => {
            return Err(r
                .error(format!("{condition} has neither a sample size n nor a published interval"))
                .hint("give the study's n (the Wilson interval is computed from it) or interval_low and interval_high"));
        }
        _ => {
            return Err(r
                .error("only one of interval_low and interval_high is given")
                .hint("give both bounds of the published interval, or neither"));
        }
    };
    if !(lower <= rate && rate <= upper) {
        return Err(r
            .error(format!(
                "rate {rate} is outside its interval {lower} to {upper}"
            ))
            .hint("check that interval_low ≤ rate ≤ interval_high, all as proportions"));
    }
    Ok(Prevalence {
        condition: condition.to_string(),
        label: r.text("label")?.to_string(),
        domain,
        rate,
        lower,
        upper,
        lower_998,
        upper_998,
        n,
        interval_basis,
        timeframe: r.str("timeframe").to_string(),
        evidence_grade: grade(r)?.to_string(),
        evidence_id: r.str("evidence_id").to_string(),
        citation: r.text("citation")?.to_string(),
        verified: verified(r, condition)?.to_string(),
        notes: r.str("notes").to_string(),
        estimate: Estimate::local(),
    })
}

/// The evidence grade: A, B or C (the README's table).
fn grade<'a>(r: &Record<'a>) -> Result<&'a str> {
    match r.text("evidence_grade")? {
        grade @ ("A" | "B" | "C") => Ok(grade),
        other => Err(r.error_at(
            "evidence_grade",
            format!("evidence_grade '{other}' is not a grade"),
        )
        .hint("A: a peer-reviewed study checked against its abstract; B: official statistics checked at source; C: a secondary report checked against that report")),
    }
}

/// Only figures read at source (`yes`) or in a secondary report
/// (`secondary`) are used: an unverified figure is refused, as the README
/// promises ("never used as defaults").
fn verified<'a>(r: &Record<'a>, condition: &str) -> Result<&'a str> {
    match r.str("verified") {
        v @ ("yes" | "secondary") => Ok(v),
        other => Err(r.error_at(
            "verified",
            format!("the prevalence of {condition} is not verified ('{other}')"),
        )
        .hint("only figures read at source (verified = yes) or in a secondary report (verified = secondary) are used; check the figure, or leave the condition out")),
    }
}

/// The share of people with a condition who receive no treatment, from
/// national evidence: the default where local capacity is unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatmentAccess {
    pub condition: String,
    pub untreated_share: f64,
    /// The sample the share is of (people with the condition), where stated:
    /// the simulation draws the share from it; without it the share is fixed.
    pub n: Option<f64>,
    pub evidence_id: String,
    /// `direct` (the evidence is about this condition) or `extended` (applied
    /// from a related condition, said in notes).
    pub applies_as: String,
    pub finding: String,
    pub citation: String,
    pub notes: String,
}

pub fn read_access(table: &Table, conditions: &[Prevalence]) -> Result<Vec<TreatmentAccess>> {
    table.require(&[
        "condition",
        "untreated_share",
        "evidence_id",
        "applies_as",
        "citation",
    ])?;
    let mut rows: Vec<TreatmentAccess> = Vec::new();
    let mut seen = Seen::default();
    for r in table.records() {
        let condition = known_condition(&r, conditions)?;
        seen.first(&r, condition, format_args!("condition {condition}"))?;
        let untreated_share = r.proportion_or_empty("untreated_share")?.ok_or_else(|| {
            r.error("untreated_share is empty")
                .hint("the share with no treatment, e.g. 0.6")
        })?;
        rows.push(TreatmentAccess {
            condition: condition.to_string(),
            untreated_share,
            n: r.sample_size_or_empty("n")?,
            evidence_id: r.text("evidence_id")?.to_string(),
            applies_as: r.text("applies_as")?.to_string(),
            finding: r.str("finding").to_string(),
            citation: r.text("citation")?.to_string(),
            notes: r.str("notes").to_string(),
        });
    }
    Ok(rows)
}

/// A general-population prevalence to compare with (Adult Psychiatric
/// Morbidity Survey): what need would be if people on probation were like
/// everyone else.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparator {
    pub condition: String,
    pub rate: f64,
    pub comparator: String,
    pub evidence_id: String,
    pub citation: String,
    pub notes: String,
}

/// Reads the general-population comparators; only verified figures may be used.
pub fn read_comparators(table: &Table, conditions: &[Prevalence]) -> Result<Vec<Comparator>> {
    table.require(&[
        "condition",
        "rate",
        "comparator",
        "evidence_id",
        "citation",
        "verified",
    ])?;
    let mut rows: Vec<Comparator> = Vec::new();
    let mut seen = Seen::default();
    for r in table.records() {
        let condition = known_condition(&r, conditions)?;
        if r.str("verified") != "yes" {
            return Err(r
                .error(format!("the comparator for {condition} is not verified ('{}')", r.str("verified")))
                .hint("only figures checked against their source (verified = yes) are used as comparators"));
        }
        seen.first(&r, condition, format_args!("condition {condition}"))?;
        // The survey's sample is recorded for the reader, not used: still,
        // a sample of 0 or a fraction of a person means a wrong column.
        r.sample_size_or_empty("n")?;
        rows.push(Comparator {
            condition: condition.to_string(),
            rate: required_proportion(&r, "rate")?,
            comparator: r.text("comparator")?.to_string(),
            evidence_id: r.text("evidence_id")?.to_string(),
            citation: r.text("citation")?.to_string(),
            notes: r.str("notes").to_string(),
        });
    }
    Ok(rows)
}

/// A prevalence measured locally (e.g. OASys needs for one area), with its
/// Wilson intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalPrevalence {
    pub level: crate::geography::Level,
    pub area_code: String,
    pub condition: String,
    pub rate: f64,
    pub lower: f64,
    pub upper: f64,
    pub lower_998: f64,
    pub upper_998: f64,
    pub n: f64,
    pub source: String,
}

/// How a local value compares with England, Fingertips-style: by whether the
/// England value lies inside the local interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Higher,
    Similar,
    Lower,
}

impl Comparison {
    pub fn of(england: f64, lower: f64, upper: f64) -> Comparison {
        if england < lower {
            Comparison::Higher
        } else if england > upper {
            Comparison::Lower
        } else {
            Comparison::Similar
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::Higher => "higher",
            Comparison::Similar => "similar",
            Comparison::Lower => "lower",
        }
    }
}

/// Whether a run reports an area: `Err` holds a hint saying what it does
/// report.
pub type Reported<'a> =
    &'a dyn Fn(crate::geography::Level, &str) -> std::result::Result<(), String>;

/// Reads local prevalence. A row for a level the run does not report, or an
/// area the level does not have, is an error: it would otherwise vanish
/// from every output without a word.
pub fn read_local(
    table: &Table,
    conditions: &[Prevalence],
    reported: Reported,
) -> Result<Vec<LocalPrevalence>> {
    table.require(&[
        "level",
        "area_code",
        "condition",
        "numerator",
        "n",
        "source",
    ])?;
    let mut rows: Vec<LocalPrevalence> = Vec::new();
    let mut seen = Seen::default();
    for r in table.records() {
        let condition = known_condition(&r, conditions)?;
        let level_text = r.text("level")?;
        let level = crate::geography::Level::parse(level_text).ok_or_else(|| {
            r.error(format!("level '{level_text}' is not a reporting level"))
                .hint("use ctyua, lad, sicbl, icb or ccg")
        })?;
        let area_code = r.gss_code("area_code")?;
        reported(level, area_code).map_err(|hint| {
            r.error_at(
                "area_code",
                format!("{area_code} is not a {level} area this run reports"),
            )
            .kind(ErrorKind::Unknown)
            .hint(hint)
        })?;
        let n = r.sample_size_or_empty("n")?;
        let numerator = r.numerator_of("numerator", n)?;
        let (Some(numerator), Some(n)) = (numerator, n) else {
            return Err(r
                .error("numerator and n are both needed")
                .kind(ErrorKind::Missing)
                .hint(
                    "n is the number assessed (at least 1); numerator those with the condition",
                ));
        };
        seen.first(
            &r,
            (level, area_code, condition),
            format_args!("{area_code} {condition}"),
        )?;
        let (lower, upper) = wilson::interval(numerator, n, wilson::Z95);
        let (lower_998, upper_998) = wilson::interval(numerator, n, wilson::Z998);
        rows.push(LocalPrevalence {
            level,
            area_code: area_code.to_string(),
            condition: condition.to_string(),
            rate: numerator / n,
            lower,
            upper,
            lower_998,
            upper_998,
            n,
            source: r.text("source")?.to_string(),
        });
    }
    Ok(rows)
}

fn known_condition<'a>(r: &Record<'a>, conditions: &[Prevalence]) -> Result<&'a str> {
    let condition = r.text("condition")?;
    if conditions.iter().any(|p| p.condition == condition) {
        Ok(condition)
    } else {
        Err(r
            .error(format!(
                "condition '{condition}' is not in the prevalence table"
            ))
            .hint(format!(
                "use one of: {}",
                conditions
                    .iter()
                    .map(|p| p.condition.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
    }
}

fn required_proportion(r: &Record, column: &str) -> Result<f64> {
    r.proportion_or_empty(column)?.ok_or_else(|| {
        r.error(format!("{column} is empty"))
            .hint("write the rate as a proportion, e.g. 0.226")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_england_value_outside_the_local_interval_decides() {
        assert_eq!(Comparison::of(0.39, 0.41, 0.52), Comparison::Higher);
        assert_eq!(Comparison::of(0.39, 0.30, 0.45), Comparison::Similar);
        assert_eq!(Comparison::of(0.39, 0.20, 0.35), Comparison::Lower);
        // On the bound counts as similar (inside the closed interval).
        assert_eq!(Comparison::of(0.39, 0.39, 0.50), Comparison::Similar);
    }
}

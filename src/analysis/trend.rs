//! Change over time: a series per area of caseload (and England's need per
//! condition), each point with its 95% interval, and where the series is
//! observed the Fingertips recent-trend test.
//!
//! Two kinds of series, never mixed:
//! - **modelled**: every area's caseload, and England's need, moved to each
//!   date of the national England-and-Wales series by the ratio of the
//!   national total then to the total the run spreads. Each area keeps its
//!   fixed share, so a modelled local trend is only the national trend; the
//!   interval is the run's simulated interval scaled the same way (it does
//!   not allow for shares having changed). An area's modelled need is not a
//!   series of its own: it is gap.csv's need (and interval) moved by the
//!   same ratios as the caseload, so it would only repeat the caseload's
//!   shape ten times over (it made trends.csv 6 MB).
//! - **observed**: real local counts (`caseload_observed`), each with its
//!   exact Poisson (Byar from 10) 95% interval, tested for a recent trend
//!   as a proportion of the area's adults.

use super::Analysis;
use super::check::{lsoa_places, model_date};
use crate::caseload::observed::{Date, NationalTotal, Observed, ObservedLevel, national_on};
use crate::config::RunSpec;
use crate::error::{Error, ErrorKind, Result};
use crate::gss;
use crate::load::Loaded;
use crate::stats::estimate::Estimate;
use crate::stats::rates::count_interval;
use crate::stats::trend::{Polarity, Proportion, RecentTrend, recent_trend};
use crate::stats::wilson::Z95;
use serde::Serialize;
use std::collections::BTreeMap;

/// Whether a series was counted or modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Basis {
    Observed,
    /// The national series spread by the run's fixed shares.
    Modelled,
}

impl Basis {
    /// The words trends.csv and the charts use.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Observed => "observed",
            Basis::Modelled => "modelled_national_trend",
        }
    }
}

/// One dated figure with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub date: Date,
    pub value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A series of one figure for one area.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    /// `england`, a reporting level, or an observed count's level.
    pub level: String,
    pub area_code: String,
    pub area_name: String,
    /// `caseload` or `need`.
    pub measure: &'static str,
    /// The condition of a need series; empty for caseload.
    pub condition: String,
    pub basis: Basis,
    /// What an observed count counts; for a modelled series, the run's
    /// caseload definition.
    pub definition: String,
    /// How the intervals were made.
    pub interval: &'static str,
    pub points: Vec<Point>,
    /// The Fingertips recent trend (observed series only).
    pub recent_trend: Option<RecentTrend>,
}

const SIMULATED: &str = "simulated 95%, scaled to the date";
const POISSON: &str = "exact Poisson 95% (Byar from 10 events)";
const MODELLED_DEFINITION: &str = "all_supervised (modelled)";

/// Every series: England's modelled caseload and need, each reporting
/// area's modelled caseload, then each observed series.
pub fn trends(spec: &RunSpec, loaded: &Loaded, analysis: &Analysis) -> Result<Vec<Series>> {
    let mut series = modelled(spec, loaded, analysis);
    series.extend(observed(spec, loaded)?);
    Ok(series)
}

/// Each national date's factor: the national total then over the total on
/// the date of the caseload the run spreads.
fn factors(national: &[NationalTotal], modelled_on: Date) -> Vec<(Date, f64)> {
    let Some(then) = national_on(national, modelled_on) else {
        return Vec::new();
    };
    national.iter().map(|t| (t.date, t.count / then)).collect()
}

fn scaled_points(estimate: &Estimate, factors: &[(Date, f64)]) -> Vec<Point> {
    factors
        .iter()
        .map(|&(date, f)| Point {
            date,
            value: estimate.value * f,
            lower: estimate.lower * f,
            upper: estimate.upper * f,
        })
        .collect()
}

/// England's caseload and need and every area's caseload at each national
/// date; none where the caseload the run spreads has no date, or no national
/// total lies within reach of it.
fn modelled(spec: &RunSpec, loaded: &Loaded, analysis: &Analysis) -> Vec<Series> {
    let Ok(modelled_on) = model_date(loaded, spec.datasets.caseload.path()) else {
        return Vec::new();
    };
    let factors = factors(&loaded.national, modelled_on);
    let series =
        |level: &str, code: &str, name: &str, condition: Option<&str>, e: &Estimate| Series {
            level: level.to_string(),
            area_code: code.to_string(),
            area_name: name.to_string(),
            measure: if condition.is_some() {
                "need"
            } else {
                "caseload"
            },
            condition: condition.unwrap_or_default().to_string(),
            basis: Basis::Modelled,
            definition: MODELLED_DEFINITION.to_string(),
            interval: SIMULATED,
            points: scaled_points(e, &factors),
            recent_trend: None,
        };
    let mut out = Vec::new();
    for (i, england) in analysis.simulation.england.iter().enumerate() {
        if i == 0 {
            out.push(series(
                "england",
                gss::ENGLAND,
                "England",
                None,
                &england.caseload,
            ));
        }
        out.push(series(
            "england",
            gss::ENGLAND,
            "England",
            Some(&england.condition),
            &england.need,
        ));
    }
    // Every condition's row has the area's caseload: the first's serves.
    let first = analysis.rows.first().map(|r| r.condition.as_str());
    for r in analysis
        .rows
        .iter()
        .filter(|r| Some(r.condition.as_str()) == first)
    {
        out.push(series(
            r.level.as_str(),
            &r.area_code,
            &r.area_name,
            None,
            &r.facts.caseload,
        ));
    }
    out
}

/// Each observed series (one area, one definition), its points in date
/// order with exact Poisson intervals, and its recent trend as a share of
/// the area's adults.
fn observed(spec: &RunSpec, loaded: &Loaded) -> Result<Vec<Series>> {
    let mut groups: BTreeMap<(ObservedLevel, &str, &str), Vec<&Observed>> = BTreeMap::new();
    for o in &loaded.observed {
        groups
            .entry((o.level, &o.area_code, &o.definition))
            .or_default()
            .push(o);
    }
    groups
        .into_iter()
        .map(|((level, code, definition), mut counts)| {
            counts.sort_by_key(|o| o.date);
            let adults = adults_of(spec, loaded, level, counts[0])?;
            let points = counts
                .iter()
                .map(|o| {
                    let (lower, upper) = count_interval(o.count, Z95);
                    Point {
                        date: o.date,
                        value: o.count,
                        lower,
                        upper,
                    }
                })
                .collect();
            let proportions: Vec<Proportion> = counts
                .iter()
                .map(|o| Proportion {
                    count: o.count,
                    denominator: adults,
                })
                .collect();
            Ok(Series {
                level: level.as_str().to_string(),
                area_code: code.to_string(),
                area_name: counts
                    .iter()
                    .rev()
                    .map(|o| o.area_name.as_str())
                    .find(|n| !n.is_empty())
                    .unwrap_or(code)
                    .to_string(),
                measure: "caseload",
                condition: String::new(),
                basis: Basis::Observed,
                definition: definition.to_string(),
                interval: POISSON,
                points,
                recent_trend: Some(recent_trend(&proportions, Polarity::NoJudgement)),
            })
        })
        .collect()
}

/// The adults (ONS mid-2020, 18+) of an observed count's area: the
/// denominator of its recent-trend test, the same at every date.
fn adults_of(spec: &RunSpec, loaded: &Loaded, level: ObservedLevel, o: &Observed) -> Result<f64> {
    let place = lsoa_places(spec, &loaded.units, level)?;
    let adults: f64 = loaded
        .units
        .lsoas
        .iter()
        .enumerate()
        .filter(|(i, _)| place(*i).contains(&o.area_code))
        .map(|(_, l)| l.adults)
        .sum();
    if adults > 0.0 {
        return Ok(adults);
    }
    Err(Error::input(
        spec.datasets.caseload_observed.path(),
        format!(
            "{} {} contains no English LSOA of the lookups",
            level.as_str(),
            o.area_code
        ),
    )
    .line(o.line)
    .kind(ErrorKind::Unknown)
    .hint("give an English area's ONS code at the lookups' vintage"))
}

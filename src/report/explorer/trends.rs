//! An area's caseload over time, for its detail: the modelled series
//! (England's totals spread by the area's fixed share, so only the national
//! trend) and any series counted in the area itself, with its Fingertips
//! recent trend. The same series as trends.csv, as published.

use crate::analysis::trend::{Basis, Point, Series};
use crate::geography::Level;
use crate::report::annex::Published;
use serde::Serialize;
use std::collections::HashMap;

/// A level's series.
#[derive(Debug, Serialize)]
pub struct LevelTrends {
    /// Each area's modelled caseload by position: "value|lower|upper" at
    /// each of the data's `trend_dates`, joined by ";"; "" for none.
    pub modelled: Vec<String>,
    /// The series counted in the level's own areas.
    pub observed: Vec<Observed>,
}

/// A counted series of one area.
#[derive(Debug, Serialize)]
pub struct Observed {
    /// The area's position in the level.
    pub area: usize,
    /// What the count counts.
    pub definition: String,
    /// How its intervals are made.
    pub interval: &'static str,
    /// "date|value|lower|upper", oldest first, as published.
    pub points: Vec<String>,
    /// The Fingertips recent trend, in its words.
    pub recent_trend: String,
}

/// The dates of the modelled series (every one has the same), oldest first.
pub fn dates(series: &[Series]) -> Vec<String> {
    series
        .iter()
        .find(|s| s.basis == Basis::Modelled)
        .map_or(Vec::new(), |s| {
            s.points.iter().map(|p| p.date.to_string()).collect()
        })
}

/// The caseload series of a level's areas, `position` giving each code's
/// place; counts under the small-number rule, as the annexes publish them.
pub fn level_trends(
    series: &[Series],
    level: Level,
    position: &HashMap<&str, usize>,
    published: &Published,
) -> LevelTrends {
    let cell = |p: &Point| {
        [p.value, p.lower, p.upper]
            .map(|v| published.count(v))
            .join("|")
    };
    let mut modelled = vec![String::new(); position.len()];
    let mut observed = Vec::new();
    let of_level = series
        .iter()
        .filter(|s| s.level == level.as_str() && s.measure == "caseload");
    for s in of_level {
        let Some(&area) = position.get(s.area_code.as_str()) else {
            continue;
        };
        match s.basis {
            Basis::Modelled => {
                modelled[area] = s.points.iter().map(cell).collect::<Vec<_>>().join(";");
            }
            Basis::Observed => observed.push(Observed {
                area,
                definition: s.definition.clone(),
                interval: s.interval,
                points: s
                    .points
                    .iter()
                    .map(|p| format!("{}|{}", p.date, cell(p)))
                    .collect(),
                recent_trend: s
                    .recent_trend
                    .map_or(String::new(), |t| t.words().to_string()),
            }),
        }
    }
    LevelTrends { modelled, observed }
}

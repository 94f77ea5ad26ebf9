//! "What if": each chosen scenario's figures beside the baseline's, and
//! the change of each figure with its interval. The scenario is simulated
//! with the baseline's seed, so its draw d and the baseline's draw d share
//! every random input (proxy, district errors, England's share,
//! prevalence, untreated shares); the change's interval is the spread of
//! the paired differences, and a change is called real only when its 95%
//! interval excludes zero.

use super::intervals::{self, Assumed, Shift, Simulated};
use super::{Analysis, LevelBase, area_facts, areas_of, scenario_rows};
use crate::config::{RunSpec, ScenarioSpec};
use crate::gap::GapRow;
use crate::geography::Level;
use crate::load::Loaded;
use crate::scenario::Applied;
use crate::services;
use crate::uncertainty::Measure;
use crate::uncertainty::model::Changes;
use std::collections::HashMap;

/// The figures a scenario reports a change in, in their column order.
pub const MEASURES: [Measure; 3] = [Measure::Caseload, Measure::Need, Measure::UnmetNeed];

/// One scenario's results.
pub struct WhatIf<'a> {
    pub spec: &'a ScenarioSpec,
    /// The scenario's gap rows, with their intervals (as the baseline's).
    pub rows: Vec<GapRow>,
    /// Each row's change against the baseline in each of `MEASURES`.
    pub shifts: Vec<[Option<Shift>; 3]>,
    /// England per condition (every area of the first level summed): the
    /// scenario's figures and their changes.
    pub england: Vec<(intervals::England, [Option<Shift>; 3])>,
}

impl WhatIf<'_> {
    /// Whether any figure of the rows in `area` changes for real.
    pub fn changes_area(&self, level: Level, area: &str) -> bool {
        self.rows
            .iter()
            .zip(&self.shifts)
            .filter(|(r, _)| r.level == level && r.area_code == area)
            .any(|(_, shifts)| shifts.iter().flatten().any(|s| s.is_real()))
    }
}

/// Every chosen scenario against the baseline `analysis`.
pub fn compare<'a>(
    spec: &RunSpec,
    loaded: &Loaded,
    analysis: &Analysis,
    scenarios: &[Applied<'a>],
) -> Vec<WhatIf<'a>> {
    scenarios
        .iter()
        .map(|applied| one(spec, loaded, analysis, applied))
        .collect()
}

fn one<'a>(
    spec: &RunSpec,
    loaded: &Loaded,
    analysis: &Analysis,
    applied: &Applied<'a>,
) -> WhatIf<'a> {
    let mut rows = central(spec, loaded, analysis, applied);
    let assumed = Assumed {
        placement: &analysis.placement,
        services: &applied.services,
        catchments: &applied.catchments,
        changes: Changes {
            caseload: applied.caseload.clone(),
            untreated: applied.untreated.clone(),
        },
    };
    let simulated = intervals::simulate_scenario(loaded, &assumed, &analysis.simulated, &mut rows);
    let baseline = &analysis.simulation;
    let base: HashMap<(Level, &str, &str), &GapRow> = analysis
        .rows
        .iter()
        .map(|r| ((r.level, r.area_code.as_str(), r.condition.as_str()), r))
        .collect();
    let shifts = rows
        .iter()
        .map(|r| {
            let b = base[&(r.level, r.area_code.as_str(), r.condition.as_str())];
            MEASURES.map(|m| Shift::of(baseline, &[b], &simulated, &[r], m))
        })
        .collect();
    let england = england(analysis, &analysis.rows, &simulated, &rows);
    WhatIf {
        spec: applied.spec,
        rows,
        shifts,
        england,
    }
}

/// The scenario's central estimates: the baseline's, with its caseload,
/// services and treatment access.
fn central(spec: &RunSpec, loaded: &Loaded, analysis: &Analysis, applied: &Applied) -> Vec<GapRow> {
    let placement = analysis.placement.scaled(&loaded.units, &applied.caseload);
    let bases: Vec<LevelBase> = loaded
        .layers
        .iter()
        .map(|(level, layer)| LevelBase {
            level: level.level,
            areas: areas_of(layer),
            facts: area_facts(
                &placement.by_area(&loaded.units, level.level),
                &loaded.units.adults_by_area(level.level),
            ),
            provision: services::provision(
                &applied.services,
                &applied.catchments,
                &loaded.units,
                &placement.per_lsoa,
                placement.england_share,
                level.level,
            ),
        })
        .collect();
    scenario_rows(spec, loaded, &bases, &loaded.prevalence, &applied.access)
}

/// England per condition under the scenario, and its change: every area
/// of the first level summed, in the baseline and the scenario alike.
fn england(
    analysis: &Analysis,
    base: &[GapRow],
    simulated: &Simulated,
    rows: &[GapRow],
) -> Vec<(intervals::England, [Option<Shift>; 3])> {
    let Some(level) = rows.first().map(|r| r.level) else {
        return Vec::new();
    };
    simulated
        .england
        .iter()
        .map(|e| {
            let b = super::rows_of(base, level, &e.condition);
            let s = super::rows_of(rows, level, &e.condition);
            let shifts = MEASURES.map(|m| Shift::of(&analysis.simulation, &b, simulated, &s, m));
            (e.clone(), shifts)
        })
        .collect()
}

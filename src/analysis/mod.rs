//! The analysis: caseload placed under each proxy, every level's areas and
//! their caseload facts, provision, and the gap rows of each sensitivity
//! scenario. Nothing here reads or writes a file.

pub mod check;
pub mod funnel;
pub mod intervals;
pub mod sensitivity;
pub mod trend;
pub mod what_if;

use crate::caseload::{self, AreaCaseload, Placement, Proxy};
use crate::config::RunSpec;
use crate::error::Result;
use crate::gap::{self, AreaFacts, GapRow, LevelInputs};
use crate::geography::boundaries::BoundaryLayer;
use crate::geography::{Area, Level};
use crate::load::Loaded;
use crate::prevalence::{Domain, Prevalence, TreatmentAccess};
use crate::services::{self, Provision};
use crate::stats::estimate::Estimate;
use crate::uncertainty::ModelError;
use intervals::{Simulated, SimulationRecord};
use rayon::prelude::*;
use sensitivity::{Scenario, SensitivityRow};
use std::collections::BTreeMap;

/// The results of the analysis, before anything is drawn or written.
pub struct Analysis {
    pub placement: Placement,
    pub rows: Vec<GapRow>,
    /// Provision by area and domain at each level, in the base scenario.
    pub provision: Vec<(Level, Provisions)>,
    pub sensitivity: Vec<SensitivityRow>,
    /// The draws every interval came from, for comparisons made later
    /// (an annex's similar areas).
    pub simulation: Simulated,
    /// How the simulation was set up.
    pub simulated: SimulationRecord,
}

impl Analysis {
    /// The gap rows of one level and condition, in area-code order.
    pub fn rows_of(&self, level: Level, condition: &str) -> Vec<&GapRow> {
        rows_of(&self.rows, level, condition)
    }
}

/// The rows of one level and condition, in their order.
pub fn rows_of<'a>(rows: &'a [GapRow], level: Level, condition: &str) -> Vec<&'a GapRow> {
    rows.iter()
        .filter(|r| r.level == level && r.condition == condition)
        .collect()
}

/// Provision by area and domain at one level.
pub type Provisions = BTreeMap<(String, Domain), Provision>;

/// What a level's gap rows are made from under one caseload proxy: its
/// areas, their caseload facts and provision. None of it depends on
/// prevalence, so the prevalence scenarios share it.
struct LevelBase {
    level: Level,
    areas: Vec<Area>,
    facts: BTreeMap<String, AreaFacts>,
    provision: Provisions,
}

/// Caseload, need, provision and gap for every level with their simulated
/// intervals, and the sensitivity of the ranking to each assumption alone.
pub fn analyse(spec: &RunSpec, loaded: &Loaded) -> Result<Analysis> {
    let Central {
        mut placements,
        chosen,
        mut rows,
        provision,
        sensitivity,
    } = central(spec, loaded)?;
    let model_error = model_error(spec, loaded)?;
    let (simulation, simulated) =
        intervals::add(spec, loaded, &placements[chosen], model_error, &mut rows);
    Ok(Analysis {
        placement: placements.swap_remove(chosen),
        rows,
        provision,
        sensitivity,
        simulation,
        simulated,
    })
}

/// The analysis before its intervals: everything in it that can fail on
/// the inputs (the simulation cannot), so `validate` checks it alone.
pub struct Central {
    placements: Vec<Placement>,
    chosen: usize,
    /// The published rows with their central estimates.
    pub rows: Vec<GapRow>,
    provision: Vec<(Level, Provisions)>,
    sensitivity: Vec<SensitivityRow>,
}

/// The caseload placed under every proxy (in `Proxy::ALL` order), and the
/// index of the configured one.
pub fn placements(spec: &RunSpec, loaded: &Loaded) -> Result<(Vec<Placement>, usize)> {
    let share = caseload::england_share(&spec.caseload, &loaded.units);
    let placements = Proxy::ALL
        .par_iter()
        .map(|&proxy| {
            caseload::place(
                &loaded.caseload,
                &loaded.units,
                &proxy.weights(&loaded.units),
                share,
                &loaded.pdus,
                spec.datasets.caseload.path(),
            )
        })
        .collect::<Result<Vec<Placement>>>()?;
    let chosen = Proxy::ALL
        .iter()
        .position(|&p| p == spec.caseload.proxy)
        .expect("every proxy is placed");
    Ok((placements, chosen))
}

/// The central estimates of every level, and the sensitivity scenarios.
pub fn central(spec: &RunSpec, loaded: &Loaded) -> Result<Central> {
    let (placements, chosen) = placements(spec, loaded)?;
    let mut bases = level_bases(loaded, &placements);
    let scenarios: Vec<Scenario> = sensitivity::scenarios(spec.caseload.proxy)
        .par_iter()
        .map(|s| {
            let proxy = Proxy::ALL
                .iter()
                .position(|&p| p == s.proxy)
                .expect("a proxy");
            let prevalence = s.prevalence.apply(&loaded.prevalence);
            s.with_rows(scenario_rows(
                spec,
                loaded,
                &bases[proxy],
                &prevalence,
                &loaded.access,
            ))
        })
        .collect();
    let sensitivity = sensitivity::rank(&scenarios);
    let rows = sensitivity::base(scenarios);
    let provision = bases
        .swap_remove(chosen)
        .into_iter()
        .map(|b| (b.level, b.provision))
        .collect();
    Ok(Central {
        placements,
        chosen,
        rows,
        provision,
        sensitivity,
    })
}

/// Every level's base under each proxy, indexed [proxy][level].
fn level_bases(loaded: &Loaded, placements: &[Placement]) -> Vec<Vec<LevelBase>> {
    /// A level's areas, each proxy's caseload summed to them, and adults.
    struct Summed {
        level: Level,
        areas: Vec<Area>,
        by_proxy: Vec<BTreeMap<String, AreaCaseload>>,
        adults: BTreeMap<String, f64>,
    }
    let summed: Vec<Summed> = loaded
        .layers
        .iter()
        .map(|(level, layer)| Summed {
            level: level.level,
            areas: areas_of(layer),
            by_proxy: placements
                .iter()
                .map(|p| p.by_area(&loaded.units, level.level))
                .collect(),
            adults: loaded.units.adults_by_area(level.level),
        })
        .collect();
    (0..placements.len())
        .into_par_iter()
        .map(|chosen| {
            summed
                .iter()
                .map(|level| LevelBase {
                    level: level.level,
                    areas: level.areas.clone(),
                    facts: area_facts(&level.by_proxy[chosen], &level.adults),
                    provision: services::provision(
                        &loaded.services,
                        &loaded.catchments,
                        &loaded.units,
                        &placements[chosen].per_lsoa,
                        placements[chosen].england_share,
                        level.level,
                    ),
                })
                .collect()
        })
        .collect()
}

/// Every level's gap rows from its bases, one prevalence table and one
/// treatment-access table.
fn scenario_rows(
    spec: &RunSpec,
    loaded: &Loaded,
    bases: &[LevelBase],
    prevalence: &[Prevalence],
    access: &[TreatmentAccess],
) -> Vec<GapRow> {
    let evidence = gap::Evidence {
        prevalence,
        access,
        comparators: &loaded.comparators,
        local: &loaded.local,
        suppression: &spec.publication,
    };
    bases
        .iter()
        .flat_map(|base| {
            let inputs = LevelInputs {
                level: base.level,
                areas: &base.areas,
                facts: &base.facts,
                provision: &base.provision,
            };
            gap::rows(&inputs, &evidence)
        })
        .collect()
}

/// A layer's areas in code order.
pub fn areas_of(layer: &BoundaryLayer) -> Vec<Area> {
    let mut areas: Vec<Area> = layer
        .features
        .iter()
        .map(|f| Area {
            code: f.code.clone(),
            name: f.name.clone(),
        })
        .collect();
    areas.sort();
    areas
}

/// Each area's caseload under the chosen proxy (its intervals come from
/// the simulation), coverage, origin and adult population.
fn area_facts(
    caseload: &BTreeMap<String, AreaCaseload>,
    adults: &BTreeMap<String, f64>,
) -> BTreeMap<String, AreaFacts> {
    caseload
        .iter()
        .map(|(code, c)| {
            let facts = AreaFacts {
                caseload: Estimate::exact(c.caseload),
                coverage: c.coverage,
                local: c.local,
                adults: adults[code],
            };
            (code.clone(), facts)
        })
        .collect()
}

/// The caseload model's error and where it comes from: the configured
/// number, or the fit to the observed local counts where there are enough
/// independent areas, else the stated default with the reason.
fn model_error(spec: &RunSpec, loaded: &Loaded) -> Result<(f64, String)> {
    let options = &spec.uncertainty;
    if let ModelError::Fixed(sd) = options.model_error {
        return Ok((sd, "set in the configuration".to_string()));
    }
    let observations = check::Observations {
        file: spec.datasets.caseload_observed.path(),
        rows: &loaded.observed,
        national: &loaded.national,
    };
    let default = |reason: String| {
        (
            options.model_error_default,
            format!(
                "the stated conservative default, not an estimate: {reason} (see check-caseload)"
            ),
        )
    };
    let areas = check::comparable_areas(&observations);
    if areas < check::MIN_AREAS {
        return Ok(default(format!(
            "{areas} independent area(s) with a comparable observed count; at least {} are needed to estimate it",
            check::MIN_AREAS
        )));
    }
    let finding = check::check(spec, loaded, &observations)?.model_error;
    Ok(match finding.estimate {
        Some(sd) => (
            sd,
            format!("estimated from observed local counts: {}", finding.reason),
        ),
        None => default(finding.reason),
    })
}

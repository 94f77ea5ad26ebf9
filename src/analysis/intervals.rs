//! The published rows' intervals, ranks and comparisons with England, all
//! from one simulation of the base analysis (see `uncertainty`).

use crate::caseload::Placement;
use crate::config::RunSpec;
use crate::gap::{Basis, Figure, GapRow, Scale};
use crate::geography::{Area, Level};
use crate::load::Loaded;
use crate::services::Service;
use crate::stats::estimate::Estimate;
use crate::uncertainty::model::{Areas, Changes, Inputs};
use crate::uncertainty::summary::{Difference, RankInterval};
use crate::uncertainty::{Measure, Model, Row, Settings, Simulation, Unmet};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// How the simulation was set up, for the manifest.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SimulationRecord {
    pub draws: usize,
    pub seed: u64,
    pub proxy_weights: [f64; 3],
    pub model_error: f64,
    pub model_error_source: String,
    pub england_share: f64,
    pub england_share_sd: f64,
    /// Each condition's prevalence distribution, in words.
    pub prevalence: BTreeMap<String, String>,
    /// Each condition's untreated-share distribution, in words.
    pub untreated_share: BTreeMap<String, String>,
}

/// What a simulation assumes that a "what if" scenario may change.
pub struct Assumed<'a> {
    pub placement: &'a Placement,
    pub services: &'a [Service],
    pub catchments: &'a [Vec<usize>],
    pub changes: Changes,
}

/// Runs the simulation and gives every row its intervals, rank and
/// comparison with England.
pub fn add(
    spec: &RunSpec,
    loaded: &Loaded,
    placement: &Placement,
    model_error: (f64, String),
    rows: &mut [GapRow],
) -> (Simulated, SimulationRecord) {
    let levels = levels(loaded);
    let assumed = Assumed {
        placement,
        services: &loaded.services,
        catchments: &loaded.catchments,
        changes: Changes::default(),
    };
    let model = model(loaded, &levels, &assumed);
    let options = &spec.uncertainty;
    let settings = Settings {
        draws: options.draws,
        seed: options.seed,
        proxy_weights: options.proxy_weights.as_array(),
        model_error: model_error.0,
        england_share: placement.england_share,
        england_share_sd: options.england_share_sd,
    };
    let simulation = model.simulate(&settings);
    let record = SimulationRecord {
        draws: settings.draws,
        seed: settings.seed,
        proxy_weights: settings.proxy_weights,
        model_error: settings.model_error,
        model_error_source: model_error.1,
        england_share: settings.england_share,
        england_share_sd: settings.england_share_sd,
        prevalence: loaded
            .prevalence
            .iter()
            .zip(&model.prevalence)
            .map(|(p, d)| (p.condition.clone(), d.describe()))
            .collect(),
        untreated_share: loaded
            .prevalence
            .iter()
            .zip(&model.access)
            .filter_map(|(p, d)| Some((p.condition.clone(), d.as_ref()?.describe())))
            .collect(),
    };
    let index = Index::new(loaded, &levels);
    let summariser = Summariser {
        index: &index,
        simulation: &simulation,
        general: general(loaded),
    };
    summariser.estimate(rows);
    summariser.rank_and_compare(rows);
    let england = england(&index, &simulation, rows);
    (
        Simulated {
            simulation,
            index,
            england,
        },
        record,
    )
}

/// A scenario's simulation, with the baseline's settings and seed so that
/// each of its draws is paired with the baseline's draw of the same number
/// (common random numbers), and its `rows`' intervals (not their ranks).
pub fn simulate_scenario(
    loaded: &Loaded,
    assumed: &Assumed,
    record: &SimulationRecord,
    rows: &mut [GapRow],
) -> Simulated {
    let levels = levels(loaded);
    let simulation = model(loaded, &levels, assumed).simulate(&Settings {
        draws: record.draws,
        seed: record.seed,
        proxy_weights: record.proxy_weights,
        model_error: record.model_error,
        england_share: record.england_share,
        england_share_sd: record.england_share_sd,
    });
    let index = Index::new(loaded, &levels);
    Summariser {
        index: &index,
        simulation: &simulation,
        general: general(loaded),
    }
    .estimate(rows);
    let england = england(&index, &simulation, rows);
    Simulated {
        simulation,
        index,
        england,
    }
}

/// Each reporting level with its areas, in code order.
fn levels(loaded: &Loaded) -> Vec<(Level, Vec<Area>)> {
    loaded
        .layers
        .iter()
        .map(|(level, layer)| (level.level, super::areas_of(layer)))
        .collect()
}

/// The simulation's model of the loaded inputs under `assumed`.
fn model(loaded: &Loaded, levels: &[(Level, Vec<Area>)], assumed: &Assumed) -> Model {
    let groupings: Vec<Areas> = levels
        .iter()
        .map(|(level, areas)| Areas::of_level(&loaded.units, *level, areas))
        .collect();
    Inputs {
        units: &loaded.units,
        placement: assumed.placement,
        groupings: &groupings,
        prevalence: &loaded.prevalence,
        access: &loaded.access,
        services: assumed.services,
        catchments: assumed.catchments,
        changes: assumed.changes.clone(),
    }
    .model()
}

/// The general population's prevalence by condition, for excess need.
fn general(loaded: &Loaded) -> HashMap<&str, f64> {
    loaded
        .comparators
        .iter()
        .map(|c| (c.condition.as_str(), c.rate))
        .collect()
}

/// A row's caseload, need or unmet need (None where unmet need is not
/// assessed). Excess need is not a figure of its own draws' totals (they
/// lack the general population's prevalence), so it is None too.
pub fn figure(row: &GapRow, measure: Measure) -> Option<Estimate> {
    match measure {
        Measure::Caseload => Some(row.facts.caseload),
        Measure::Need => Some(row.need),
        Measure::UnmetNeed => row.unmet,
        Measure::Excess => None,
    }
}

/// A figure's change from the baseline to a scenario, with its interval:
/// the central change, and the 2.5th-97.5th (0.1st-99.9th) percentiles of
/// the paired draws' differences.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Shift {
    pub change: Estimate,
    /// Whether the 95% interval of the change lies above zero (`Higher`),
    /// below it (`Lower`) or spans it (`Similar`: no real change).
    pub direction: Difference,
}

impl Shift {
    /// Whether the change's 95% interval excludes zero.
    pub fn is_real(&self) -> bool {
        self.direction != Difference::Similar
    }

    /// The change in `measure` from the baseline's `base` rows (summed) to
    /// the scenario's `rows` (the same areas and condition), from paired
    /// draws; None where a row lacks the figure.
    pub fn of(
        baseline: &Simulated,
        base: &[&GapRow],
        scenario: &Simulated,
        rows: &[&GapRow],
        measure: Measure,
    ) -> Option<Shift> {
        let central = |rows: &[&GapRow]| -> Option<f64> {
            rows.iter()
                .map(|r| figure(r, measure).map(|e| e.value))
                .sum()
        };
        let change = central(rows)? - central(base)?;
        let draws = |sim: &Simulated, rows: &[&GapRow]| {
            let at: Vec<Row> = rows.iter().map(|r| sim.index.row(r)).collect();
            sim.simulation.total(&at, measure).draws
        };
        let mut differences: Vec<f64> = draws(scenario, rows)
            .into_iter()
            .zip(draws(baseline, base))
            .map(|(s, b)| s - b)
            .collect();
        let direction = Difference::of(differences.iter().copied(), 0.95);
        Some(Shift {
            change: Estimate::of_draws(change, &mut differences),
            direction,
        })
    }
}

/// England's figures for one condition, from the same draws as the areas'.
#[derive(Debug, Clone, serde::Serialize)]
pub struct England {
    pub condition: String,
    pub caseload: Estimate,
    pub need: Estimate,
    pub unmet: Option<Estimate>,
    pub adults: f64,
}

/// England's figures per condition: every area of the first level summed
/// in each draw (every level sums to the same total).
fn england(index: &Index, simulation: &Simulation, rows: &[GapRow]) -> Vec<England> {
    let Some(level) = rows.first().map(|r| r.level) else {
        return Vec::new();
    };
    let mut conditions: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| r.level == level) {
        if !conditions.contains(&r.condition.as_str()) {
            conditions.push(&r.condition);
        }
    }
    conditions
        .into_iter()
        .map(|condition| {
            let of: Vec<&GapRow> = rows
                .iter()
                .filter(|r| r.level == level && r.condition == condition)
                .collect();
            let at: Vec<Row> = of.iter().map(|r| index.row(r)).collect();
            let estimate = |measure: Measure, central: f64| {
                let mut total = simulation.total(&at, measure);
                Estimate::of_draws(central, &mut total.draws)
            };
            let sum = |f: &dyn Fn(&GapRow) -> f64| of.iter().map(|r| f(r)).sum::<f64>();
            England {
                condition: condition.to_string(),
                caseload: estimate(Measure::Caseload, sum(&|r| r.facts.caseload.value)),
                need: estimate(Measure::Need, sum(&|r| r.need.value)),
                unmet: of.iter().all(|r| r.unmet.is_some()).then(|| {
                    estimate(
                        Measure::UnmetNeed,
                        sum(&|r| r.unmet.map_or(0.0, |u| u.value)),
                    )
                }),
                adults: sum(&|r| r.facts.adults),
            }
        })
        .collect()
}

/// The simulation's draws and where each row's are, kept for comparisons
/// made after the analysis (an annex's similar areas).
pub struct Simulated {
    simulation: Simulation,
    index: Index,
    /// England's figures per condition.
    pub england: Vec<England>,
}

impl Simulated {
    /// England's figures for a condition.
    pub fn england(&self, condition: &str) -> Option<&England> {
        self.england.iter().find(|e| e.condition == condition)
    }

    /// Whether `row`'s published figure per 100,000 adults is higher than,
    /// similar to or lower than that of `others` together, at 95% and
    /// 99.8%; None where either lacks the figure.
    pub fn compare(
        &self,
        row: &GapRow,
        others: &[&GapRow],
        figure: Figure,
    ) -> Option<[Difference; 2]> {
        if figure.value(row, Scale::Rate).is_none()
            || others
                .iter()
                .any(|o| figure.value(o, Scale::Rate).is_none())
        {
            return None;
        }
        let measure = measure(figure);
        let others: Vec<Row> = others.iter().map(|o| self.index.row(o)).collect();
        let group = self.simulation.total(&others, measure);
        Some(
            self.simulation
                .compare(self.index.row(row), measure, &group),
        )
    }
}

impl Simulated {
    /// Whether each of a level's `rows` (one condition's) has a figure per
    /// 100,000 adults higher than, similar to or lower than England's (all
    /// of `rows` together), at 95% and 99.8%; None where a row lacks the
    /// figure. England's draws are summed once, over the rows that have it,
    /// as for `GapRow::against_england` of the published figure.
    pub fn against_england(
        &self,
        rows: &[&GapRow],
        figure: Figure,
    ) -> Vec<Option<[Difference; 2]>> {
        let measure = measure(figure);
        let at: Vec<Row> = rows
            .iter()
            .filter(|r| figure.value(r, Scale::Rate).is_some())
            .map(|r| self.index.row(r))
            .collect();
        let england = self.simulation.total(&at, measure);
        rows.iter()
            .map(|r| {
                figure.value(r, Scale::Rate)?;
                Some(
                    self.simulation
                        .compare(self.index.row(r), measure, &england),
                )
            })
            .collect()
    }
}

fn measure(figure: Figure) -> Measure {
    match figure {
        Figure::Need => Measure::Need,
        Figure::UnmetNeed => Measure::UnmetNeed,
    }
}

/// Where each row is in the simulation: level, area and condition indices.
struct Index {
    /// Level index by level, and area index by code within each level.
    levels: HashMap<Level, (usize, HashMap<String, usize>)>,
    conditions: HashMap<String, usize>,
}

impl Index {
    fn new(loaded: &Loaded, levels: &[(Level, Vec<Area>)]) -> Index {
        Index {
            levels: levels
                .iter()
                .enumerate()
                .map(|(i, (level, areas))| {
                    let index = areas
                        .iter()
                        .enumerate()
                        .map(|(a, area)| (area.code.clone(), a))
                        .collect();
                    (*level, (i, index))
                })
                .collect(),
            conditions: loaded
                .prevalence
                .iter()
                .enumerate()
                .map(|(i, p)| (p.condition.clone(), i))
                .collect(),
        }
    }

    fn row(&self, row: &GapRow) -> Row {
        let (level, areas) = &self.levels[&row.level];
        Row {
            level: *level,
            area: areas[row.area_code.as_str()],
            condition: self.conditions[row.condition.as_str()],
            unmet: match row.basis {
                Basis::Capacity => Unmet::Capacity(row.domain),
                Basis::NationalTreatmentAccess => Unmet::Access,
                Basis::NotAssessed => Unmet::NotAssessed,
            },
        }
    }

    fn area_count(&self, level: Level) -> usize {
        self.levels[&level].1.len()
    }
}

/// Gives rows their intervals, ranks and comparisons.
struct Summariser<'a> {
    index: &'a Index,
    simulation: &'a Simulation,
    /// The general population's prevalence by condition, for excess need.
    general: HashMap<&'a str, f64>,
}

impl Summariser<'_> {
    fn row(&self, row: &GapRow) -> Row {
        self.index.row(row)
    }

    /// Every row's intervals, from the draws of its own figures.
    fn estimate(&self, rows: &mut [GapRow]) {
        let sim = self.simulation;
        rows.par_iter_mut().for_each(|row| {
            let at = self.row(row);
            let per_adult = 100_000.0 / row.facts.adults;
            row.facts.caseload = sim.estimate(at, Measure::Caseload, 0.0, row.facts.caseload.value);
            row.need = sim.estimate(at, Measure::Need, 0.0, row.need.value);
            row.need_rate = row.need.scaled(per_adult);
            row.unmet = row
                .unmet
                .map(|u| sim.estimate(at, Measure::UnmetNeed, 0.0, u.value));
            row.unmet_rate = row.unmet.map(|u| u.scaled(per_adult));
            if let Some(g) = &mut row.general_population {
                let general = self.general[row.condition.as_str()];
                g.excess = sim.estimate(at, Measure::Excess, general, g.excess.value);
            }
        });
    }

    /// Each level and condition's rank intervals and comparisons with
    /// England, by the published figure's rate, among the areas that have it.
    fn rank_and_compare(&self, rows: &mut [GapRow]) {
        let mut groups: BTreeMap<(Level, &str), Vec<usize>> = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            groups
                .entry((row.level, row.condition.as_str()))
                .or_default()
                .push(i);
        }
        let mut by_caseload: HashMap<Level, Vec<RankInterval>> = HashMap::new();
        let mut results: Vec<(usize, RankInterval, [Difference; 2])> = Vec::new();
        for ((level, _), members) in groups {
            let group: Vec<&GapRow> = members.iter().map(|&i| &rows[i]).collect();
            let figure = Figure::of(&group);
            let (members, group): (Vec<usize>, Vec<&GapRow>) = members
                .iter()
                .zip(group)
                .filter(|(_, r)| figure.value(r, Scale::Rate).is_some())
                .unzip();
            let at: Vec<Row> = group.iter().map(|r| self.row(r)).collect();
            let measure = measure(figure);
            let central: Vec<f64> = group
                .iter()
                .filter_map(|r| figure.value(r, Scale::Rate))
                .collect();
            // Need, and unmet need as a national share of it, order a
            // level's areas as their caseload per adult does in every draw,
            // so one ranking serves every such condition.
            let follows_caseload = group.len() == self.index.area_count(level)
                && group
                    .iter()
                    .all(|r| figure == Figure::Need || r.basis == Basis::NationalTreatmentAccess);
            let ranks = if follows_caseload {
                by_caseload
                    .entry(level)
                    .or_insert_with(|| {
                        self.simulation
                            .rank_intervals(&at, Measure::Caseload, &central)
                    })
                    .clone()
            } else {
                self.simulation.rank_intervals(&at, measure, &central)
            };
            let england = self.simulation.total(&at, measure);
            for ((i, rank), row) in members.into_iter().zip(ranks).zip(&at) {
                results.push((i, rank, self.simulation.compare(*row, measure, &england)));
            }
        }
        for (i, rank, against) in results {
            rows[i].rank = Some(rank);
            rows[i].against_england = Some(against);
        }
    }
}

//! The published rows' intervals, ranks and comparisons with England, all
//! from one simulation of the base analysis (see `uncertainty`).

use crate::caseload::Placement;
use crate::config::RunSpec;
use crate::gap::{Basis, Figure, GapRow, Scale};
use crate::geography::{Area, Level};
use crate::load::Loaded;
use crate::stats::estimate::Estimate;
use crate::uncertainty::model::{Areas, Inputs};
use crate::uncertainty::summary::{Difference, RankInterval};
use crate::uncertainty::{Measure, Row, Settings, Simulation, Unmet};
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

/// Runs the simulation and gives every row its intervals, rank and
/// comparison with England.
pub fn add(
    spec: &RunSpec,
    loaded: &Loaded,
    placement: &Placement,
    model_error: (f64, String),
    rows: &mut [GapRow],
) -> (Simulated, SimulationRecord) {
    let levels: Vec<(Level, Vec<Area>)> = loaded
        .layers
        .iter()
        .map(|(level, layer)| (level.level, super::areas_of(layer)))
        .collect();
    let groupings: Vec<Areas> = levels
        .iter()
        .map(|(level, areas)| Areas::of_level(&loaded.units, *level, areas))
        .collect();
    let model = Inputs {
        units: &loaded.units,
        placement,
        groupings: &groupings,
        prevalence: &loaded.prevalence,
        access: &loaded.access,
        services: &loaded.services,
        catchments: &loaded.catchments,
    }
    .model();
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
    Summariser {
        index: &index,
        simulation: &simulation,
        general: loaded
            .comparators
            .iter()
            .map(|c| (c.condition.as_str(), c.rate))
            .collect(),
    }
    .fill(rows);
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

    fn fill(&self, rows: &mut [GapRow]) {
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
        self.rank_and_compare(rows);
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

//! Uncertainty: one Monte Carlo simulation, with a fixed seed, over every
//! uncertain input of the modelled figures. Each draw chooses
//!
//! - a caseload proxy, with the configured weights;
//! - a multiplicative error for each district's share of caseload
//!   (lognormal: the caseload model's own error, as measured against
//!   observed local counts by `check-caseload`);
//! - England's share of a caseload counted for England and Wales;
//! - each condition's prevalence, from its study's sampling distribution;
//! - each treatment-access share, from its own sample where known;
//!
//! and flows through the LSOAs (grouped into cells, see [`cells`]) to every
//! level at once, so the areas of every level add up to the same England
//! total in every draw. Intervals, rank intervals and comparisons all come
//! from the same draws.
//!
//! What is kept is each area's caseload per draw and each condition's
//! prevalence per draw (areas × draws plus conditions × draws); a row's
//! need, unmet need and rates are formed from them when it is summarised,
//! so memory never grows with areas × conditions × draws.

pub mod cells;
pub mod model;
pub mod sample;
pub mod summary;

use crate::error::{Error, ErrorKind, Result};
use crate::prevalence::Domain;
use crate::stats::estimate::{Estimate, quantiles};
use cells::{Cells, Grouping};
use rayon::prelude::*;
use sample::{Proportion, choose, generator, normal};
use serde::{Deserialize, Serialize};
use std::path::Path;
use summary::{Difference, RankInterval, ranks, top_fifth_size};

/// The simulation's settings (`[uncertainty]` in the configuration).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UncertaintyOptions {
    /// Number of draws (at least 1,000; 10,000 gives intervals stable to
    /// about 1% of their width).
    #[serde(default = "default_draws")]
    pub draws: usize,
    /// The seed: the same seed and inputs give byte-identical outputs.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Relative weights of the caseload proxies, in the order
    /// employment_scale, income_scale, adult_population.
    #[serde(default = "default_proxy_weights")]
    pub proxy_weights: ProxyWeights,
    /// The caseload model's own error: the standard deviation, on the log
    /// scale, of a district's true share of caseload around the proxy's.
    /// `"observed"` estimates it from the observed local counts when there
    /// are enough independent areas, otherwise uses `model_error_default`.
    #[serde(default)]
    pub model_error: ModelError,
    /// The stated, conservative model error used when too few observed
    /// counts exist to estimate it.
    #[serde(default = "default_model_error")]
    pub model_error_default: f64,
    /// Standard deviation of England's share of an England-and-Wales caseload.
    #[serde(default = "default_share_sd")]
    pub england_share_sd: f64,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            draws: default_draws(),
            seed: default_seed(),
            proxy_weights: default_proxy_weights(),
            model_error: ModelError::default(),
            model_error_default: default_model_error(),
            england_share_sd: default_share_sd(),
        }
    }
}

/// The proxies' weights in the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProxyWeights {
    pub employment_scale: f64,
    pub income_scale: f64,
    pub adult_population: f64,
}

impl ProxyWeights {
    /// In `caseload::Proxy::ALL` order.
    pub fn as_array(&self) -> [f64; 3] {
        [
            self.employment_scale,
            self.income_scale,
            self.adult_population,
        ]
    }
}

/// How the caseload model's error is set: a number (the standard deviation
/// of its log), or "observed" (estimated from the observed local counts).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ModelError {
    Fixed(f64),
    #[default]
    Observed,
}

impl Serialize for ModelError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            ModelError::Fixed(sd) => s.serialize_f64(*sd),
            ModelError::Observed => s.serialize_str("observed"),
        }
    }
}

impl<'de> Deserialize<'de> for ModelError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(ModelErrorVisitor)
    }
}

struct ModelErrorVisitor;

impl serde::de::Visitor<'_> for ModelErrorVisitor {
    type Value = ModelError;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a number (the standard deviation on the log scale, e.g. 0.25) or \"observed\"")
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<ModelError, E> {
        Ok(ModelError::Fixed(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<ModelError, E> {
        Ok(ModelError::Fixed(v as f64))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<ModelError, E> {
        Ok(ModelError::Fixed(v as f64))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<ModelError, E> {
        match v {
            "observed" => Ok(ModelError::Observed),
            other => Err(E::invalid_value(serde::de::Unexpected::Str(other), &self)),
        }
    }
}

fn default_draws() -> usize {
    10_000
}
fn default_seed() -> u64 {
    20_240_630
}
/// The deprivation scales fit the real local counts better than adult
/// population in three of the four comparisons `check-caseload` makes
/// (datasets/caseload_observed.csv): adult population, which assumes no
/// link with deprivation, keeps a tenth of the weight.
fn default_proxy_weights() -> ProxyWeights {
    ProxyWeights {
        employment_scale: 0.45,
        income_scale: 0.45,
        adult_population: 0.1,
    }
}
fn default_model_error() -> f64 {
    0.25
}
fn default_share_sd() -> f64 {
    0.01
}

/// Fewer draws leave the 99.8% interval resting on a handful of draws.
pub const MIN_DRAWS: usize = 1_000;
/// More would take minutes and gigabytes for no visible gain.
pub const MAX_DRAWS: usize = 1_000_000;

impl UncertaintyOptions {
    /// Checks the ranges serde cannot.
    pub fn check(&self, file: &Path) -> Result<()> {
        let fail = |key: &str, message: String, hint: &str| {
            Err(Error::input(file, message)
                .kind(ErrorKind::Config)
                .key(format!("uncertainty.{key}"))
                .hint(hint.to_string()))
        };
        if !(MIN_DRAWS..=MAX_DRAWS).contains(&self.draws) {
            return fail(
                "draws",
                format!("{} draws is outside {MIN_DRAWS} to {MAX_DRAWS}", self.draws),
                "10,000 draws (the default) give intervals stable to about 1% of their width",
            );
        }
        let weights = self.proxy_weights.as_array();
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || weights.iter().sum::<f64>() <= 0.0
        {
            return fail(
                "proxy_weights",
                format!(
                    "proxy weights {weights:?} are not all finite and at least 0, with a positive sum"
                ),
                "e.g. proxy_weights = { employment_scale = 1, income_scale = 1, adult_population = 1 }",
            );
        }
        let model_error = match self.model_error {
            ModelError::Fixed(sd) => sd,
            ModelError::Observed => self.model_error_default,
        };
        if !(0.0..=2.0).contains(&model_error) {
            return fail(
                "model_error",
                format!("a model error of {model_error} is outside 0 to 2"),
                "the standard deviation on the log scale: 0.25 means most districts within a factor of 1.6",
            );
        }
        if !(0.0..=0.1).contains(&self.england_share_sd) {
            return fail(
                "england_share_sd",
                format!("{} is outside 0 to 0.1", self.england_share_sd),
                "England's share is about 0.946; a standard deviation of 0.01 allows 0.926 to 0.966",
            );
        }
        Ok(())
    }
}

/// Everything a draw changes, and the fixed structure it flows through.
pub struct Model {
    pub cells: Cells,
    pub levels: Vec<LevelModel>,
    /// Each condition's prevalence, in the prevalence table's order.
    pub prevalence: Vec<Proportion>,
    /// Each condition's untreated share, where national evidence gives one.
    pub access: Vec<Option<Proportion>>,
    pub capacities: Vec<Capacity>,
    /// A scenario's caseload multiplier per cell (empty: none).
    pub caseload_factor: Vec<f64>,
    /// A scenario's untreated-share multiplier per condition (empty: none).
    pub untreated_factor: Vec<f64>,
}

/// A grouping of cells into areas (a reporting level, or the areas of
/// observed counts), and the areas' adults.
pub struct LevelModel {
    pub grouping: Grouping,
    pub adults: Vec<f64>,
}

/// A service's stated capacity, shared over the areas it serves in
/// proportion to their caseload in each draw.
pub struct Capacity {
    pub domain: Domain,
    pub people: f64,
    /// Whether `people` is for England and Wales: then England's share of
    /// it, as drawn, applies.
    pub includes_wales: bool,
    /// The cells its catchment covers.
    pub cells: Vec<usize>,
}

/// The draws of one level.
struct LevelDraws {
    adults: Vec<f64>,
    /// Caseload, area-major: `caseload[area * draws + d]`.
    caseload: Vec<f64>,
    /// Capacity per domain that has any, area-major like `caseload`.
    capacity: Vec<(Domain, Vec<f64>)>,
}

/// The simulation's draws, ready to summarise.
pub struct Simulation {
    pub draws: usize,
    levels: Vec<LevelDraws>,
    /// `prevalence[condition][d]`.
    prevalence: Vec<Vec<f64>>,
    /// `access[condition][d]`, where evidence gives an untreated share.
    access: Vec<Option<Vec<f64>>>,
}

/// The inputs of one draw that are not areas.
struct Draw {
    /// Each level's areas, then each level's capacity per domain and area.
    areas: Vec<f64>,
    prevalence: Vec<f64>,
    access: Vec<f64>,
}

/// The draw-independent settings of the simulation.
pub struct Settings {
    pub draws: usize,
    pub seed: u64,
    pub proxy_weights: [f64; 3],
    pub model_error: f64,
    pub england_share: f64,
    pub england_share_sd: f64,
}

impl Model {
    /// Runs every draw, in parallel; each draw has its own generator, so
    /// the result does not depend on the number of threads.
    pub fn simulate(&self, settings: &Settings) -> Simulation {
        let domains = self.capacity_domains();
        let draws: Vec<Draw> = (0..settings.draws)
            .into_par_iter()
            .map_init(
                || vec![0.0; self.cells.len()],
                |per_cell, d| self.draw(settings, &domains, d, per_cell),
            )
            .collect();
        self.collect(settings.draws, &domains, draws)
    }

    /// The domains in which some service states a capacity.
    fn capacity_domains(&self) -> Vec<Domain> {
        let mut domains: Vec<Domain> = self.capacities.iter().map(|c| c.domain).collect();
        domains.sort();
        domains.dedup();
        domains
    }

    fn draw(
        &self,
        settings: &Settings,
        domains: &[Domain],
        d: usize,
        per_cell: &mut [f64],
    ) -> Draw {
        let mut rng = generator(settings.seed, d);
        let proxy = choose(&mut rng, &settings.proxy_weights);
        let errors: Vec<f64> = (0..self.cells.districts)
            .map(|_| (settings.model_error * normal(&mut rng)).exp())
            .collect();
        let share =
            (settings.england_share + settings.england_share_sd * normal(&mut rng)).clamp(0.0, 1.0);
        let prevalence = self.prevalence.iter().map(|p| p.sample(&mut rng)).collect();
        let access = self
            .access
            .iter()
            .enumerate()
            .map(|(c, a)| {
                let drawn = a.map_or(f64::NAN, |a| a.sample(&mut rng));
                match self.untreated_factor.get(c) {
                    Some(f) => (drawn * f).min(1.0),
                    None => drawn,
                }
            })
            .collect();
        self.cells.draw(proxy, &errors, share, per_cell);
        for (cell, factor) in per_cell.iter_mut().zip(&self.caseload_factor) {
            *cell *= factor;
        }
        let mut areas = Vec::new();
        for level in &self.levels {
            let start = areas.len();
            areas.resize(start + level.grouping.areas, 0.0);
            level.grouping.sum(per_cell, &mut areas[start..]);
        }
        for level in &self.levels {
            for &domain in domains {
                let start = areas.len();
                areas.resize(start + level.grouping.areas, 0.0);
                self.capacity(level, domain, share, per_cell, &mut areas[start..]);
            }
        }
        Draw {
            areas,
            prevalence,
            access,
        }
    }

    /// Each area's share of the capacity of a domain's services: each
    /// service's people in proportion to the caseload of its catchment in
    /// the area.
    fn capacity(
        &self,
        level: &LevelModel,
        domain: Domain,
        england_share: f64,
        per_cell: &[f64],
        out: &mut [f64],
    ) {
        let mut served = vec![0.0; per_cell.len()];
        let mut area_served = vec![0.0; out.len()];
        for capacity in self.capacities.iter().filter(|c| c.domain == domain) {
            served.fill(0.0);
            let mut total = 0.0;
            for &c in &capacity.cells {
                served[c] = per_cell[c];
                total += per_cell[c];
            }
            if total <= 0.0 {
                continue;
            }
            level.grouping.sum(&served, &mut area_served);
            let people = if capacity.includes_wales {
                capacity.people * england_share
            } else {
                capacity.people
            };
            for (out, s) in out.iter_mut().zip(&area_served) {
                *out += people * s / total;
            }
        }
    }

    /// The draws turned area-major, so each area's draws are contiguous.
    fn collect(&self, n: usize, domains: &[Domain], draws: Vec<Draw>) -> Simulation {
        let column = |offset: usize, areas: usize| -> Vec<f64> {
            let mut out = vec![0.0; areas * n];
            for (d, draw) in draws.iter().enumerate() {
                for a in 0..areas {
                    out[a * n + d] = draw.areas[offset + a];
                }
            }
            out
        };
        let mut offset = 0;
        let mut levels: Vec<LevelDraws> = self
            .levels
            .iter()
            .map(|l| {
                let caseload = column(offset, l.grouping.areas);
                offset += l.grouping.areas;
                LevelDraws {
                    adults: l.adults.clone(),
                    caseload,
                    capacity: Vec::new(),
                }
            })
            .collect();
        for (l, level) in self.levels.iter().enumerate() {
            for &domain in domains {
                levels[l]
                    .capacity
                    .push((domain, column(offset, level.grouping.areas)));
                offset += level.grouping.areas;
            }
        }
        let by_condition = |get: &dyn Fn(&Draw) -> &[f64], count: usize| -> Vec<Vec<f64>> {
            (0..count)
                .map(|c| draws.iter().map(|d| get(d)[c]).collect())
                .collect()
        };
        let prevalence = by_condition(&|d| &d.prevalence, self.prevalence.len());
        let access = by_condition(&|d| &d.access, self.access.len())
            .into_iter()
            .zip(&self.access)
            .map(|(draws, a)| a.map(|_| draws))
            .collect();
        Simulation {
            draws: n,
            levels,
            prevalence,
            access,
        }
    }
}

/// A measure summed over a group of areas, per draw.
pub struct Total {
    pub draws: Vec<f64>,
    pub adults: f64,
}

/// How a row's unmet need is found in every draw (the same rule as its
/// central estimate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmet {
    /// Need minus the capacity of the domain's services.
    Capacity(Domain),
    /// Need times the untreated share.
    Access,
    NotAssessed,
}

/// One row's identity in the simulation: level, area and condition indices.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub level: usize,
    pub area: usize,
    pub condition: usize,
    pub unmet: Unmet,
}

/// What is published for a row: the figures whose draws are summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Caseload,
    Need,
    UnmetNeed,
    /// Need minus the count expected at the general population's prevalence.
    Excess,
}

impl Simulation {
    /// An area's caseload draws.
    fn caseload(&self, level: usize, area: usize) -> &[f64] {
        &self.levels[level].caseload[area * self.draws..(area + 1) * self.draws]
    }

    /// A measure's draws for a row; `general` is the general population's
    /// prevalence of the condition (for `Excess`).
    pub fn draws_of(&self, row: Row, measure: Measure, general: f64) -> Vec<f64> {
        let caseload = self.caseload(row.level, row.area);
        if measure == Measure::Caseload {
            return caseload.to_vec();
        }
        let prevalence = &self.prevalence[row.condition];
        let need = || caseload.iter().zip(prevalence).map(|(c, p)| c * p);
        match measure {
            Measure::Caseload => unreachable!("returned above"),
            Measure::Need => need().collect(),
            Measure::Excess => caseload
                .iter()
                .zip(prevalence)
                .map(|(c, p)| c * (p - general))
                .collect(),
            Measure::UnmetNeed => match (row.unmet, &self.access[row.condition]) {
                (Unmet::Capacity(domain), _) => {
                    let level = &self.levels[row.level];
                    let capacity = level
                        .capacity
                        .iter()
                        .find(|(d, _)| *d == domain)
                        .map(|(_, c)| &c[row.area * self.draws..(row.area + 1) * self.draws]);
                    match capacity {
                        Some(capacity) => need()
                            .zip(capacity)
                            .map(|(n, k)| (n - k).max(0.0))
                            .collect(),
                        None => need().collect(),
                    }
                }
                (Unmet::Access, Some(access)) => need().zip(access).map(|(n, u)| n * u).collect(),
                _ => vec![f64::NAN; self.draws],
            },
        }
    }

    /// The central estimate `value` with the intervals of the measure's draws.
    pub fn estimate(&self, row: Row, measure: Measure, general: f64, value: f64) -> Estimate {
        Estimate::of_draws(value, &mut self.draws_of(row, measure, general))
    }

    /// The adults of an area.
    pub fn adults(&self, level: usize, area: usize) -> f64 {
        self.levels[level].adults[area]
    }

    /// Rank intervals of a level's areas (`rows`, one per area) for one
    /// condition's measure, ranked by its rate per 100,000 adults; `central`
    /// are the central rates.
    pub fn rank_intervals(
        &self,
        rows: &[Row],
        measure: Measure,
        central: &[f64],
    ) -> Vec<RankInterval> {
        let n = rows.len();
        let rates: Vec<Vec<f64>> = rows
            .iter()
            .map(|row| {
                let per = 100_000.0 / self.adults(row.level, row.area);
                let mut draws = self.draws_of(*row, measure, 0.0);
                draws.iter_mut().for_each(|v| *v *= per);
                draws
            })
            .collect();
        let mut central_ranks = vec![0u16; n];
        let mut order = Vec::with_capacity(n);
        ranks(central, &mut central_ranks, &mut order);
        // Each area's rank in each draw, area-major.
        let mut all = vec![0u16; n * self.draws];
        let mut values = vec![0.0; n];
        let mut draw_ranks = vec![0u16; n];
        for d in 0..self.draws {
            for (v, area) in values.iter_mut().zip(&rates) {
                *v = area[d];
            }
            ranks(&values, &mut draw_ranks, &mut order);
            for (a, r) in draw_ranks.iter().enumerate() {
                all[a * self.draws + d] = *r;
            }
        }
        let cut = top_fifth_size(n) as u16;
        (0..n)
            .map(|a| {
                let own = &all[a * self.draws..(a + 1) * self.draws];
                let top = own.iter().filter(|&&r| r <= cut).count();
                let mut own: Vec<f64> = own.iter().map(|&r| f64::from(r)).collect();
                let [_, lower, upper, _] = quantiles(&mut own, [0.001, 0.025, 0.975, 0.999]);
                RankInterval {
                    rank: usize::from(central_ranks[a]),
                    lower: lower.round() as usize,
                    upper: upper.round() as usize,
                    top_fifth: top as f64 / self.draws as f64,
                }
            })
            .collect()
    }

    /// A measure summed over a group of rows in every draw (England: every
    /// area of a level; similar areas: a group), with the group's adults.
    pub fn total(&self, rows: &[Row], measure: Measure) -> Total {
        let mut draws = vec![0.0; self.draws];
        for row in rows {
            for (total, v) in draws.iter_mut().zip(self.draws_of(*row, measure, 0.0)) {
                *total += v;
            }
        }
        Total {
            draws,
            adults: rows.iter().map(|r| self.adults(r.level, r.area)).sum(),
        }
    }

    /// Whether a row's measure per 100,000 adults is higher than, similar
    /// to or lower than a group's, at 95% and at 99.8%.
    pub fn compare(&self, row: Row, measure: Measure, group: &Total) -> [Difference; 2] {
        let per = 100_000.0 / self.adults(row.level, row.area);
        let per_group = 100_000.0 / group.adults;
        let differences: Vec<f64> = self
            .draws_of(row, measure, 0.0)
            .into_iter()
            .zip(&group.draws)
            .map(|(v, g)| v * per - g * per_group)
            .collect();
        [0.95, 0.998].map(|level| Difference::of(differences.iter().copied(), level))
    }

    /// A condition's prevalence draws.
    pub fn prevalence(&self, condition: usize) -> &[f64] {
        &self.prevalence[condition]
    }
}

#[cfg(test)]
mod tests;

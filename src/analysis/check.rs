//! The caseload model against real local counts (`jsna-gap check-caseload`):
//! for every observed count, the model's estimate under each proxy and the
//! simulation's interval, adjusted to the count's date and definition, the
//! ratio of observed to estimate and whether the interval covered it; and
//! over the independent areas, the bias, spread and coverage that the
//! simulation's model error is set from.

use crate::caseload::Proxy;
use crate::caseload::observed::{
    Date, Definition, NationalTotal, Observed, ObservedLevel, national_on,
};
use crate::config::RunSpec;
use crate::error::{Error, ErrorKind, Result};
use crate::geography::Level;
use crate::geography::units::Units;
use crate::gss;
use crate::load::Loaded;
use crate::stats::estimate::Estimate;
use crate::uncertainty::model::{Areas, Changes, Inputs};
use crate::uncertainty::{Measure, Row, Settings, Unmet};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Fewer independent areas than this cannot estimate the model's error.
pub const MIN_AREAS: usize = 5;

/// One observed count set against the model.
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    pub observed: Observed,
    /// What the model's caseload was multiplied by to match the count (its
    /// date and definition), or why it is not compared.
    pub adjustment: String,
    pub compared: bool,
    /// The adjusted estimate under each proxy, in `Proxy::ALL` order.
    pub by_proxy: Option<[f64; 3]>,
    /// The adjusted estimate of the run's own proxy with the simulation's
    /// intervals.
    pub simulated: Option<Estimate>,
}

impl Compared {
    /// Whether the simulation's 95% interval covered the count.
    pub fn covered(&self) -> Option<bool> {
        self.simulated
            .map(|e| (e.lower..=e.upper).contains(&self.observed.count))
    }
}

/// The fit of one proxy (or of the simulation) over the independent areas.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    pub estimate: String,
    /// Independent areas (each area's latest comparable count).
    pub areas: usize,
    /// Mean of log(observed / estimate): above 0, the model underestimates.
    pub bias: Option<f64>,
    /// Standard deviation of log(observed / estimate).
    pub spread: Option<f64>,
    /// Root mean square of log(observed / estimate): bias and spread together.
    pub rms: Option<f64>,
    /// Share of the areas whose count the 95% interval covered (the
    /// simulation only).
    pub coverage: Option<f64>,
}

/// The whole check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub compared: Vec<Compared>,
    pub fits: Vec<Fit>,
    /// The model error the comparison supports, or why it cannot say.
    pub model_error: ModelErrorFinding,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModelErrorFinding {
    pub estimate: Option<f64>,
    pub reason: String,
}

/// What the check needs beyond the loaded inputs.
pub struct Observations<'a> {
    pub file: &'a Path,
    pub rows: &'a [Observed],
    pub national: &'a [NationalTotal],
}

/// How many independent areas have a count the model can be compared with
/// (a matched definition; the date is checked by `check`).
pub fn comparable_areas(observations: &Observations) -> usize {
    let mut areas: Vec<(ObservedLevel, &str)> = observations
        .rows
        .iter()
        .filter(|o| Definition::of(&o.definition).factor().is_some())
        .map(|o| (o.level, o.area_code.as_str()))
        .collect();
    areas.sort();
    areas.dedup();
    areas.len()
}

/// Every count against the model, and the fits.
pub fn check(spec: &RunSpec, loaded: &Loaded, observations: &Observations) -> Result<Check> {
    let levels = areas_by_level(spec, loaded, observations)?;
    let (placements, chosen) = super::placements(spec, loaded)?;
    let groupings: Vec<Areas> = levels.values().map(|(areas, _)| areas.clone()).collect();
    let model = Inputs {
        units: &loaded.units,
        placement: &placements[chosen],
        groupings: &groupings,
        prevalence: &[],
        access: &[],
        services: &[],
        catchments: &[],
        changes: Changes::default(),
    }
    .model();
    let options = &spec.uncertainty;
    let simulation = model.simulate(&Settings {
        draws: options.draws,
        seed: options.seed,
        proxy_weights: options.proxy_weights.as_array(),
        model_error: model_error_in_use(spec),
        england_share: placements[chosen].england_share,
        england_share_sd: options.england_share_sd,
    });
    let modelled_on = model_date(loaded, observations.file)?;
    let national_then = national_on(observations.national, modelled_on);
    let compared: Vec<Compared> = observations
        .rows
        .iter()
        .map(|o| {
            let (g, (_, index)) = levels
                .iter()
                .enumerate()
                .find(|(_, (level, _))| **level == o.level)
                .map(|(g, (_, v))| (g, v))
                .expect("every observed level has its areas");
            let area = index[&o.area_code];
            let date_factor = national_then
                .and_then(|then| Some(national_on(observations.national, o.date)? / then));
            let definition = Definition::of(&o.definition);
            let (Some(date_factor), Some(definition_factor)) = (date_factor, definition.factor())
            else {
                let why = match definition {
                    Definition::NotComparable(_) => definition.describe(),
                    Definition::HomeAddress => format!(
                        "not compared: no national total published within {} days of {} (or of the model's date {modelled_on})",
                        crate::caseload::observed::MAX_GAP_DAYS,
                        o.date
                    ),
                };
                return Compared {
                    observed: o.clone(),
                    adjustment: why,
                    compared: false,
                    by_proxy: None,
                    simulated: None,
                };
            };
            let factor = date_factor * definition_factor;
            let by_proxy = std::array::from_fn(|p| {
                factor
                    * loaded
                        .units
                        .lsoas
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| groupings[g].of_lsoa[*i] == Some(area))
                        .map(|(i, _)| placements[p].per_lsoa[i])
                        .sum::<f64>()
            });
            let row = Row {
                level: g,
                area,
                condition: 0,
                unmet: Unmet::NotAssessed,
            };
            let simulated = simulation
                .estimate(row, Measure::Caseload, 0.0, by_proxy[chosen] / factor)
                .scaled(factor);
            Compared {
                observed: o.clone(),
                adjustment: format!(
                    "national total on {} over that on {modelled_on}: x {date_factor:.4}; {}",
                    o.date,
                    definition.describe()
                ),
                compared: true,
                by_proxy: Some(by_proxy),
                simulated: Some(simulated),
            }
        })
        .collect();
    let fits = fits(&compared);
    let model_error = finding(&fits, spec.caseload.proxy);
    Ok(Check {
        compared,
        fits,
        model_error,
    })
}

/// The model error the run is using when it is not estimated from these
/// counts (the check does not use its own result: that would be circular).
fn model_error_in_use(spec: &RunSpec) -> f64 {
    match spec.uncertainty.model_error {
        crate::uncertainty::ModelError::Fixed(sd) => sd,
        crate::uncertainty::ModelError::Observed => spec.uncertainty.model_error_default,
    }
}

/// The date of the caseload the model spreads: its national row's.
pub(crate) fn model_date(loaded: &Loaded, observed_file: &Path) -> Result<Date> {
    let row = loaded
        .caseload
        .iter()
        .find(|r| r.area_code == gss::ENGLAND_AND_WALES || r.area_code == gss::ENGLAND)
        .or(loaded.caseload.first());
    row.and_then(|r| Date::parse(&r.date)).ok_or_else(|| {
        Error::input(
            observed_file,
            "observed counts need the date of the modelled caseload, but the caseload file's national row has no YYYY-MM-DD date",
        )
        .kind(ErrorKind::Missing)
        .hint("give the caseload file a date column, e.g. 2025-06-30")
    })
}

/// An observed level's areas as a grouping of LSOAs, and each code's area
/// index.
type LevelAreas = (Areas, BTreeMap<String, usize>);

/// For each observed level present: its areas (one per distinct code, in
/// code order) as a grouping of LSOAs, and each code's area index.
fn areas_by_level(
    spec: &RunSpec,
    loaded: &Loaded,
    observations: &Observations,
) -> Result<BTreeMap<ObservedLevel, LevelAreas>> {
    let units = &loaded.units;
    let mut codes: BTreeMap<ObservedLevel, BTreeMap<String, u64>> = BTreeMap::new();
    for o in observations.rows {
        codes
            .entry(o.level)
            .or_default()
            .entry(o.area_code.clone())
            .or_insert(o.line);
    }
    codes
        .into_iter()
        .map(|(level, codes)| {
            let place = lsoa_places(spec, units, level)?;
            let index: BTreeMap<String, usize> = codes
                .keys()
                .enumerate()
                .map(|(i, c)| (c.clone(), i))
                .collect();
            let of_lsoa: Vec<Option<usize>> = (0..units.lsoas.len())
                .map(|i| place(i).iter().find_map(|code| index.get(code).copied()))
                .collect();
            for (code, line) in &codes {
                if !of_lsoa.contains(&index.get(code).copied()) {
                    return Err(Error::input(
                        observations.file,
                        format!(
                            "{} {code} contains no English LSOA of the lookups",
                            level.as_str()
                        ),
                    )
                    .line(*line)
                    .kind(ErrorKind::Unknown)
                    .hint(hint_for(level)));
                }
            }
            let areas = Areas {
                count: index.len(),
                of_lsoa,
            };
            Ok((level, (areas, index)))
        })
        .collect()
}

fn hint_for(level: ObservedLevel) -> &'static str {
    match level {
        ObservedLevel::Country => "use E92000001 (England) or K04000001 (England and Wales)",
        ObservedLevel::ProbationRegion => "use an English region's nDelius code, e.g. N07 London",
        ObservedLevel::Pcon => "use an English July 2024 constituency code (E14...)",
        _ => {
            "use the area's ONS code at the lookups' vintage (LAD and CTYUA December 2024, SICBL and ICB April 2023, CCG April 2021)"
        }
    }
}

/// The codes each LSOA has at an observed level (several for a country:
/// England and England-and-Wales).
pub(crate) fn lsoa_places<'a>(
    spec: &RunSpec,
    units: &'a Units,
    level: ObservedLevel,
) -> Result<Box<dyn Fn(usize) -> Vec<String> + 'a>> {
    let district = move |i: usize| &units.districts[&units.lsoas[i].lad];
    let by_level = |l: Level| -> Box<dyn Fn(usize) -> Vec<String> + 'a> {
        Box::new(move |i| vec![Units::area_of(&units.lsoas[i], l).to_string()])
    };
    Ok(match level {
        ObservedLevel::Country => {
            Box::new(|_| vec![gss::ENGLAND.to_string(), gss::ENGLAND_AND_WALES.to_string()])
        }
        ObservedLevel::ProbationRegion => Box::new(move |i| vec![district(i).region_code.clone()]),
        ObservedLevel::Pfa => Box::new(move |i| vec![district(i).pfa.clone()]),
        ObservedLevel::Lad => by_level(Level::Lad),
        ObservedLevel::Ctyua => by_level(Level::Ctyua),
        ObservedLevel::Sicbl => by_level(Level::Sicbl),
        ObservedLevel::Icb => by_level(Level::Icb),
        ObservedLevel::Ccg => by_level(Level::Ccg),
        ObservedLevel::Pcon if units.lsoas.iter().all(|l| !l.pcon.is_empty()) => {
            by_level(Level::Pcon)
        }
        ObservedLevel::Pcon => {
            let pcon = crate::load::lsoa_points(&spec.data, units)?.pcon;
            Box::new(move |i| pcon[i].iter().cloned().collect())
        }
    })
}

/// The fit of each proxy and of the simulation, over each area's latest
/// compared count.
fn fits(compared: &[Compared]) -> Vec<Fit> {
    let mut latest: BTreeMap<(ObservedLevel, &str), &Compared> = BTreeMap::new();
    for c in compared.iter().filter(|c| c.compared) {
        let key = (c.observed.level, c.observed.area_code.as_str());
        if latest
            .get(&key)
            .is_none_or(|l| l.observed.date < c.observed.date)
        {
            latest.insert(key, c);
        }
    }
    let areas: Vec<&Compared> = latest.into_values().collect();
    let mut fits: Vec<Fit> = Proxy::ALL
        .iter()
        .enumerate()
        .map(|(p, proxy)| {
            let logs: Vec<f64> = areas
                .iter()
                .filter_map(|c| Some((c.observed.count / c.by_proxy?[p]).ln()))
                .collect();
            fit(proxy.as_str(), &logs, None)
        })
        .collect();
    let logs: Vec<f64> = areas
        .iter()
        .filter_map(|c| Some((c.observed.count / c.simulated?.value).ln()))
        .collect();
    let covered = areas.iter().filter(|c| c.covered() == Some(true)).count();
    let coverage = (!areas.is_empty()).then(|| covered as f64 / areas.len() as f64);
    fits.push(fit("simulation (95% interval)", &logs, coverage));
    fits
}

fn fit(estimate: &str, logs: &[f64], coverage: Option<f64>) -> Fit {
    let n = logs.len() as f64;
    let mean = (!logs.is_empty()).then(|| logs.iter().sum::<f64>() / n);
    let spread = mean
        .filter(|_| logs.len() > 1)
        .map(|m| (logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    let rms = mean.map(|_| (logs.iter().map(|l| l * l).sum::<f64>() / n).sqrt());
    Fit {
        estimate: estimate.to_string(),
        areas: logs.len(),
        bias: mean,
        spread,
        rms,
        coverage,
    }
}

/// The model error the fits support: the root mean square log ratio of the
/// run's proxy over the independent areas, where there are enough.
fn finding(fits: &[Fit], proxy: Proxy) -> ModelErrorFinding {
    let Some(fit) = fits.iter().find(|f| f.estimate == proxy.as_str()) else {
        return ModelErrorFinding {
            estimate: None,
            reason: "no fit for the run's proxy".to_string(),
        };
    };
    match fit.rms {
        Some(rms) if fit.areas >= MIN_AREAS => ModelErrorFinding {
            estimate: Some(rms),
            reason: format!(
                "the root mean square of log(observed / estimate) over {} independent areas",
                fit.areas
            ),
        },
        _ => ModelErrorFinding {
            estimate: None,
            reason: format!(
                "{} independent area(s) with a comparable count; at least {MIN_AREAS} are needed to estimate it",
                fit.areas
            ),
        },
    }
}

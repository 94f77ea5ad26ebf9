//! The simulation's model, built from the run's own inputs: the caseload
//! rows as placed, every LSOA's district and proxy weights, each level's
//! areas, the prevalence and treatment-access evidence and the services'
//! stated capacities.

use super::cells::{Cells, LsoaFacts};
use super::sample::Proportion;
use super::{Capacity, LevelModel, Model};
use crate::caseload::{Placement, Proxy};
use crate::geography::units::Units;
use crate::geography::{Area, Level};
use crate::prevalence::{IntervalBasis, Prevalence, TreatmentAccess};
use crate::services::Service;
use crate::stats::wilson::Z95;
use std::collections::HashMap;

/// A grouping of LSOAs into areas: each LSOA's area (an index), if any.
#[derive(Debug, Clone)]
pub struct Areas {
    pub count: usize,
    pub of_lsoa: Vec<Option<usize>>,
}

impl Areas {
    /// A level's areas (in the order given) as the lookups place LSOAs.
    pub fn of_level(units: &Units, level: Level, areas: &[Area]) -> Areas {
        let index: HashMap<&str, usize> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.as_str(), i))
            .collect();
        Areas {
            count: areas.len(),
            of_lsoa: units
                .lsoas
                .iter()
                .map(|lsoa| index.get(Units::area_of(lsoa, level)).copied())
                .collect(),
        }
    }

    /// Adults living in each area.
    pub fn adults(&self, units: &Units) -> Vec<f64> {
        let mut adults = vec![0.0; self.count];
        for (lsoa, area) in units.lsoas.iter().zip(&self.of_lsoa) {
            if let Some(a) = area {
                adults[*a] += lsoa.adults;
            }
        }
        adults
    }
}

/// What the model is built from.
pub struct Inputs<'a> {
    pub units: &'a Units,
    pub placement: &'a Placement,
    /// Each grouping of LSOAs whose areas are simulated (the reporting
    /// levels, or the areas of observed counts).
    pub groupings: &'a [Areas],
    pub prevalence: &'a [Prevalence],
    pub access: &'a [TreatmentAccess],
    pub services: &'a [Service],
    /// Each service's catchment as LSOA indices.
    pub catchments: &'a [Vec<usize>],
    /// A scenario's changes that leave the draws as they are: see [`Changes`].
    pub changes: Changes,
}

/// What a "what if" scenario multiplies in every draw, after the draw is
/// made: caseload by district (`units.districts` order) and untreated
/// shares by condition (prevalence order). Empty: nothing changed. Drawing
/// first and multiplying after keeps a scenario's draws paired with the
/// baseline's (common random numbers).
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub caseload: Vec<f64>,
    pub untreated: Vec<f64>,
}

impl Inputs<'_> {
    pub fn model(&self) -> Model {
        let units = self.units;
        let district_index: HashMap<&str, usize> = units
            .districts
            .keys()
            .enumerate()
            .map(|(i, code)| (code.as_str(), i))
            .collect();
        let weights: Vec<Vec<f64>> = Proxy::ALL.iter().map(|p| p.weights(units)).collect();
        let facts: Vec<(Vec<f64>, Vec<Option<usize>>)> = (0..units.lsoas.len())
            .map(|i| {
                let w = weights.iter().map(|w| w[i]).collect();
                let areas = self.groupings.iter().map(|g| g.of_lsoa[i]).collect();
                (w, areas)
            })
            .collect();
        let rows = &self.placement.rows;
        let lsoas = units.lsoas.iter().enumerate().map(|(i, lsoa)| LsoaFacts {
            row: rows.of_lsoa[i],
            district: district_index[lsoa.lad.as_str()],
            weights: &facts[i].0,
            areas: &facts[i].1,
        });
        let sizes: Vec<usize> = self.groupings.iter().map(|g| g.count).collect();
        let (mut cells, groupings) = Cells::build(lsoas, &sizes, &[], Proxy::ALL.len());
        cells.districts = units.districts.len();
        cells.row_totals = rows.english.clone();
        cells.england_and_wales = rows.england_and_wales;
        let levels = self
            .groupings
            .iter()
            .zip(groupings)
            .map(|(areas, grouping)| LevelModel {
                grouping,
                adults: areas.adults(units),
            })
            .collect();
        let caseload_factor = if self.changes.caseload.is_empty() {
            Vec::new()
        } else {
            cells
                .district
                .iter()
                .map(|&d| self.changes.caseload[d])
                .collect()
        };
        Model {
            capacities: self.capacities(&cells),
            caseload_factor,
            untreated_factor: self.changes.untreated.clone(),
            cells,
            levels,
            prevalence: self.prevalence.iter().map(prevalence).collect(),
            access: self
                .prevalence
                .iter()
                .map(|p| {
                    self.access
                        .iter()
                        .find(|a| a.condition == p.condition)
                        .map(untreated)
                })
                .collect(),
        }
    }

    /// Every stated capacity with the cells of its catchment.
    fn capacities(&self, cells: &Cells) -> Vec<Capacity> {
        self.services
            .iter()
            .zip(self.catchments)
            .filter_map(|(service, catchment)| {
                let people = service.capacity?;
                let mut in_catchment: Vec<usize> = catchment
                    .iter()
                    .filter_map(|&lsoa| cells.of_lsoa[lsoa])
                    .collect();
                in_catchment.sort_unstable();
                in_catchment.dedup();
                Some(Capacity {
                    domain: service.domain,
                    people,
                    includes_wales: service.capacity_includes_wales(),
                    cells: in_catchment,
                })
            })
            .collect()
    }
}

/// A prevalence's sampling distribution: its published interval where the
/// study gives one, otherwise Jeffreys' Beta from its sample.
pub fn prevalence(p: &Prevalence) -> Proportion {
    match (p.interval_basis, p.n) {
        (IntervalBasis::Wilson, Some(n)) => Proportion::from_sample(p.rate * n, n),
        _ => Proportion::from_interval(p.rate, p.lower, p.upper, Z95),
    }
}

/// An untreated share's sampling distribution: from its own sample where
/// one is stated, otherwise fixed (and said so in the manifest).
pub fn untreated(a: &TreatmentAccess) -> Proportion {
    match a.n {
        Some(n) => Proportion::from_sample(a.untreated_share * n, n),
        None => Proportion::Fixed(a.untreated_share),
    }
}

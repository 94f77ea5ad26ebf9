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

/// What the model is built from.
pub struct Inputs<'a> {
    pub units: &'a Units,
    pub placement: &'a Placement,
    /// Each reporting level with its areas in code order.
    pub levels: &'a [(Level, Vec<Area>)],
    pub prevalence: &'a [Prevalence],
    pub access: &'a [TreatmentAccess],
    pub services: &'a [Service],
    /// Each service's catchment as LSOA indices.
    pub catchments: &'a [Vec<usize>],
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
        let area_index: Vec<HashMap<&str, usize>> = self
            .levels
            .iter()
            .map(|(_, areas)| {
                areas
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.code.as_str(), i))
                    .collect()
            })
            .collect();
        let facts: Vec<(Vec<f64>, Vec<Option<usize>>)> = units
            .lsoas
            .iter()
            .enumerate()
            .map(|(i, lsoa)| {
                let w = weights.iter().map(|w| w[i]).collect();
                let areas = self
                    .levels
                    .iter()
                    .zip(&area_index)
                    .map(|((level, _), index)| index.get(Units::area_of(lsoa, *level)).copied())
                    .collect();
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
        let sizes: Vec<usize> = self.levels.iter().map(|(_, a)| a.len()).collect();
        let (mut cells, groupings) = Cells::build(lsoas, &sizes, &[], Proxy::ALL.len());
        cells.districts = units.districts.len();
        cells.row_totals = rows.english.clone();
        cells.england_and_wales = rows.england_and_wales;
        let levels = self
            .levels
            .iter()
            .zip(groupings)
            .map(|((level, areas), grouping)| {
                let adults = units.adults_by_area(*level);
                LevelModel {
                    level: *level,
                    grouping,
                    adults: areas.iter().map(|a| adults[&a.code]).collect(),
                }
            })
            .collect();
        Model {
            capacities: self.capacities(&cells),
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

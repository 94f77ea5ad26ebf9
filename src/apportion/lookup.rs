//! Code-based crosswalks from the official ONS best-fit lookups.
//!
//! ONS publishes, for each vintage of CCG, sub-ICB location, ICB and
//! district, the area every English LSOA (2011) is in. Areas built from
//! LSOAs (all of these are) are then exact sums of their LSOAs: carrying
//! LSOA values through the lookup reproduces official area totals to the
//! person, which no overlay of generalised boundaries can.

use super::population::{FineUnits, Placement};
use super::vintage::Vintage;
use super::{Areas, Crosswalk, Link};
use crate::error::Result;
use crate::geography::Level;
use crate::geography::units::{self, LSOA_CCG21, LSOA_SICBL22, Units};
use crate::input::Table;
use crate::source::DataDir;
use std::collections::{BTreeMap, HashMap};

pub const LSOA_CCG19: &str = "lookups/LSOA11_CCG19_LAD19_EN_LU.csv";
pub const LSOA_CCG20: &str = "lookups/LSOA11_CCG20_LAD20_EN_LU.csv";

/// Vintages read straight from an ONS lookup: file, LSOA column, area column.
const LOOKUPS: [(Vintage, &str, &str, &str); 6] = [
    (Vintage::Ccg2019, LSOA_CCG19, "LSOA11CD", "CCG19CD"),
    (Vintage::Ccg2020, LSOA_CCG20, "LSOA11CD", "CCG20CD"),
    (Vintage::Ccg2021, LSOA_CCG21, "LSOA11CD", "CCG21CD"),
    (Vintage::Lad2021, LSOA_CCG21, "LSOA11CD", "LAD21CD"),
    (
        Vintage::Sicbl2022,
        LSOA_SICBL22,
        "lsoa11_code",
        "sicbl22_code",
    ),
    (Vintage::Icb2022, LSOA_SICBL22, "lsoa11_code", "icb22_code"),
];

/// Vintages that need the LSOA 2011 → 2021 bridge `Units` builds (see the
/// vintage module).
const FROM_UNITS: [(Vintage, Level); 4] = [
    (Vintage::Sicbl2023, Level::Sicbl),
    (Vintage::Icb2023, Level::Icb),
    (Vintage::Lad2024, Level::Lad),
    (Vintage::Ctyua2024, Level::Ctyua),
];

/// The LSOAs (2011) with populations, and where the official lookups put
/// each of them at every [`Vintage`].
#[derive(Debug, Clone)]
pub struct Official {
    pub fine: FineUnits,
    placements: BTreeMap<Vintage, Placement>,
}

impl Official {
    /// Reads the LSOA populations and every lookup from the data directory.
    pub fn load(data: &DataDir) -> Result<Official> {
        let fine = FineUnits::lsoa11(data)?;
        let mut placements = BTreeMap::new();
        let mut tables: BTreeMap<&str, Table> = BTreeMap::new();
        for (vintage, file, lsoa, area) in LOOKUPS {
            if !tables.contains_key(file) {
                tables.insert(file, data.file(file)?.table()?);
            }
            let lookup = units::pairs(&tables[file], lsoa, area)?;
            let how = format!("ONS lookup {file} ({area})");
            placements.insert(vintage, Placement::from_lookup(&fine, &how, &lookup));
        }
        let units = Units::load(data)?;
        for (vintage, level) in FROM_UNITS {
            let lookup: HashMap<String, String> = units
                .lsoas
                .iter()
                .map(|l| (l.code.clone(), Units::area_of(l, level).to_string()))
                .collect();
            let how = "ONS lookups via LSOA 2021 and LAD 2023 (geography::units)";
            placements.insert(vintage, Placement::from_lookup(&fine, how, &lookup));
        }
        Ok(Official { fine, placements })
    }

    /// Where the lookup for `vintage` puts each LSOA.
    pub fn placement(&self, vintage: Vintage) -> &Placement {
        &self.placements[&vintage]
    }

    /// The population-weighted crosswalk from one vintage to another, through
    /// the LSOAs both are defined on. Any pair works, in either direction
    /// (e.g. `Ccg2019 → Icb2023`, or `Lad2021 → Sicbl2023`).
    pub fn bridge(&self, from: Vintage, to: Vintage) -> Crosswalk {
        super::population::crosswalk(&self.fine, self.placement(from), self.placement(to))
    }

    /// The code-based crosswalk LSOA (2011) → `vintage`: each LSOA goes whole
    /// (weight 1) to the area the lookup puts it in, whatever its population;
    /// its population is the measure, for intensive means. LSOAs the lookup
    /// lacks (the Welsh ones) are sources placed nowhere.
    pub fn crosswalk(&self, vintage: Vintage) -> Crosswalk {
        let placement = self.placement(vintage);
        let mut targets: Areas = (placement.areas.iter()).map(|a| (a.clone(), 0.0)).collect();
        let mut links = Vec::new();
        // The fine units are in code order: a unit's position is its source's.
        let units = self.fine.population.iter().zip(&placement.area_of);
        for (source, (people, area)) in units.enumerate() {
            if let Some(area) = area {
                let target = targets.at(area);
                targets.measures[target] += people;
                links.push(Link {
                    source,
                    target,
                    shared: *people,
                    weight: 1.0,
                });
            }
        }
        Crosswalk {
            measure: "population".to_string(),
            sources: (self.fine.codes.iter().cloned())
                .zip(self.fine.population.iter().copied())
                .collect(),
            targets,
            links,
            unusable: BTreeMap::new(),
            notes: vec![format!("{} placed by {}", self.fine.what, placement.how)],
        }
    }
}

//! Code-based crosswalks from the official ONS best-fit lookups.
//!
//! ONS publishes, for each vintage of CCG, sub-ICB location, ICB and
//! district, the area every English LSOA (2011) is in. Areas built from
//! LSOAs (all of these are) are then exact sums of their LSOAs: carrying
//! LSOA values through the lookup reproduces official area totals to the
//! person, which no overlay of generalised boundaries can.

use super::population::{FineUnits, Placement};
use super::vintage::Vintage;
use super::{Crosswalk, Link};
use crate::config::DataDir;
use crate::error::Result;
use crate::geography::Level;
use crate::geography::units::{LSOA_CCG21, LSOA_SICBL22, Units};
use crate::input::Table;
use std::collections::{BTreeMap, HashMap};

pub const LSOA_CCG19: &str = "lookups/LSOA11_CCG19_LAD19_EN_LU.csv";
pub const LSOA_CCG20: &str = "lookups/LSOA11_CCG20_LAD20_EN_LU.csv";

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
        let read = |rel: &str| -> Result<(Table, String)> {
            let path = data.file(rel)?;
            let shown = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            Ok((Table::read(&path)?, shown))
        };
        let (ccg19, ccg19_file) = read(LSOA_CCG19)?;
        let (ccg20, ccg20_file) = read(LSOA_CCG20)?;
        let (ccg21, ccg21_file) = read(LSOA_CCG21)?;
        let (sicbl22, sicbl22_file) = read(LSOA_SICBL22)?;
        // The April 2023 and December 2024 codes need the LSOA 2011 → 2021
        // bridge, which Units builds (see the vintage module).
        let units = Units::load(data)?;
        let from_units = |level: Level| -> HashMap<String, String> {
            units
                .lsoas
                .iter()
                .map(|l| (l.code.clone(), Units::area_of(l, level).to_string()))
                .collect()
        };

        let mut placements = BTreeMap::new();
        let mut place = |vintage: Vintage, how: String, lookup: HashMap<String, String>| {
            placements.insert(vintage, Placement::from_lookup(&fine, &how, &lookup));
        };
        let official = |file: &str, column: &str| format!("ONS lookup {file} ({column})");
        place(
            Vintage::Ccg2019,
            official(&ccg19_file, "CCG19CD"),
            assignments(&ccg19, "LSOA11CD", "CCG19CD")?,
        );
        place(
            Vintage::Ccg2020,
            official(&ccg20_file, "CCG20CD"),
            assignments(&ccg20, "LSOA11CD", "CCG20CD")?,
        );
        place(
            Vintage::Ccg2021,
            official(&ccg21_file, "CCG21CD"),
            assignments(&ccg21, "LSOA11CD", "CCG21CD")?,
        );
        place(
            Vintage::Lad2021,
            official(&ccg21_file, "LAD21CD"),
            assignments(&ccg21, "LSOA11CD", "LAD21CD")?,
        );
        place(
            Vintage::Sicbl2022,
            official(&sicbl22_file, "sicbl22_code"),
            assignments(&sicbl22, "lsoa11_code", "sicbl22_code")?,
        );
        place(
            Vintage::Icb2022,
            official(&sicbl22_file, "icb22_code"),
            assignments(&sicbl22, "lsoa11_code", "icb22_code")?,
        );
        let bridged = "ONS lookups via LSOA 2021 and LAD 2023 (geography::units)";
        place(
            Vintage::Sicbl2023,
            bridged.to_string(),
            from_units(Level::Sicbl),
        );
        place(
            Vintage::Icb2023,
            bridged.to_string(),
            from_units(Level::Icb),
        );
        place(
            Vintage::Lad2024,
            bridged.to_string(),
            from_units(Level::Lad),
        );
        place(
            Vintage::Ctyua2024,
            bridged.to_string(),
            from_units(Level::Ctyua),
        );
        Ok(Official { fine, placements })
    }

    /// Where the lookup for `vintage` puts each LSOA.
    pub fn placement(&self, vintage: Vintage) -> &Placement {
        &self.placements[&vintage]
    }

    /// The code-based crosswalk LSOA (2011) → `vintage`: each LSOA goes whole
    /// (weight 1) to the area the lookup puts it in, whatever its population;
    /// its population is the measure, for intensive means. LSOAs the lookup
    /// lacks (the Welsh ones) are sources placed nowhere.
    pub fn crosswalk(&self, vintage: Vintage) -> Crosswalk {
        let placement = self.placement(vintage);
        let mut targets: BTreeMap<String, f64> =
            placement.areas.iter().map(|a| (a.clone(), 0.0)).collect();
        let mut links = Vec::new();
        for ((code, people), area) in self
            .fine
            .codes
            .iter()
            .zip(&self.fine.population)
            .zip(&placement.area_of)
        {
            if let Some(area) = area {
                *targets.get_mut(area).expect("lookup area") += people;
                links.push(Link {
                    source: code.clone(),
                    target: area.clone(),
                    shared: *people,
                    weight: 1.0,
                });
            }
        }
        Crosswalk {
            measure: "population".to_string(),
            sources: self
                .fine
                .codes
                .iter()
                .cloned()
                .zip(self.fine.population.iter().copied())
                .collect(),
            targets,
            links,
            unusable: BTreeMap::new(),
            notes: vec![format!("{} placed by {}", self.fine.what, placement.how)],
        }
    }
}

/// LSOA → area from two columns of a lookup; an LSOA given two different
/// areas is an error at its line.
fn assignments(table: &Table, key: &str, value: &str) -> Result<HashMap<String, String>> {
    table.require(&[key, value])?;
    let mut map = HashMap::with_capacity(table.len());
    for r in table.records() {
        let (k, v) = (r.gss_code(key)?, r.gss_code(value)?);
        if let Some(old) = map.insert(k.to_string(), v.to_string())
            && old != v
        {
            return Err(r
                .error(format!("{key} {k} is in both {old} and {v}"))
                .hint("a best-fit lookup puts each LSOA in one area"));
        }
    }
    Ok(map)
}

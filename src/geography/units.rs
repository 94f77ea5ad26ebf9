//! Fine units: every English LSOA (2011) with its adult population and the
//! area it belongs to at every reporting level, from the official ONS lookups.
//! Because each LSOA sits in exactly one area of each level, anything spread
//! over LSOAs sums to any level with totals conserved exactly.
//!
//! Vintages: districts and upper-tier authorities are December 2024 (LAD22 →
//! LAD23/24 lookup), sub-ICB locations and ICBs April 2023, CCGs April 2021.
//! The April 2023 sub-ICB codes come from the LSOA 2021 lookup for every LSOA
//! whose code did not change in 2021 (31,810 of 32,844); the rest are carried
//! from their July 2022 code by the code bridge that the unchanged LSOAs
//! themselves show (e.g. E38000246 → E38000264, Surrey Heartlands).

use super::Level;
use crate::error::{ErrorKind, Result};
use crate::gss;
use crate::input::{InputFile, Table};
use crate::source::DataDir;
use std::collections::{BTreeMap, HashMap};

pub const LSOA_POPULATION: &str = "population/demographr_population20_lsoa11.csv";
pub const LSOA_SICBL22: &str = "lookups/geographr_lookup_lsoa11_sicbl22_icb22_ltla22.csv";
pub const LSOA_SICBL24: &str = "lookups/geographr_lookup_lsoa21_sicbl24_icb24.csv";
pub const LSOA_CCG21: &str = "lookups/LSOA11_CCG21_LAD21_EN_LU.csv";
pub const LAD22_LAD23: &str = "lookups/geographr_lookup_ltla22_ltla23.csv";
pub const LAD23_UTLA23: &str = "lookups/geographr_lookup_ltla23_utla23.csv";
pub const LAD_PROBATION: &str = "justice/lad_pfa_probation_region_lookup.csv";
pub const IOD2025_LAD: &str = "deprivation/imd2025_lad24_summaries.csv";

/// Ages 18 to 89 and the open-ended 90+ column of the ONS single-year table.
fn adult_age_columns() -> Vec<String> {
    (18..90)
        .map(|age| age.to_string())
        .chain(["90+".to_string()])
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Lsoa {
    pub code: String,
    /// ONS mid-2020 population aged 18 and over.
    pub adults: f64,
    pub lad: String,
    pub ctyua: String,
    pub sicbl: String,
    pub icb: String,
    pub ccg: String,
    /// The July 2024 constituency its interior point lies in, where placed
    /// (empty until then).
    pub pcon: String,
    /// The area of a user's boundary layer its interior point lies in, where
    /// placed (empty until then, and for LSOAs outside the layer).
    pub custom: String,
}

/// A local authority district (December 2024) and what is known of it.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub code: String,
    pub name: String,
    pub ctyua: String,
    pub ctyua_name: String,
    /// Police force area (PFA23), the building block of probation regions.
    pub pfa: String,
    pub probation_region: String,
    /// The region's nDelius code (N54 North East, ... N03 Wales).
    pub region_code: String,
    pub employment_scale: f64,
    pub income_scale: f64,
    /// IoD2025 IMD average score (higher = more deprived).
    pub imd_score: f64,
    pub adults: f64,
}

#[derive(Debug, Clone)]
pub struct Units {
    /// English LSOAs in code order.
    pub lsoas: Vec<Lsoa>,
    pub districts: BTreeMap<String, District>,
    /// Adults (18+) in Wales, for England's share of an England-and-Wales count.
    pub wales_adults: f64,
    /// LSOAs given their April 2023 sub-ICB code through the code bridge.
    pub sicbl_bridged: usize,
    pub inputs: Vec<InputFile>,
}

impl Units {
    pub fn load(data: &DataDir) -> Result<Units> {
        let read = |rel: &str| data.file(rel)?.table();
        let population = read(LSOA_POPULATION)?;
        let sicbl22 = read(LSOA_SICBL22)?;
        let sicbl24 = read(LSOA_SICBL24)?;
        let ccg21 = read(LSOA_CCG21)?;
        let lad22_23 = read(LAD22_LAD23)?;
        let lad23_utla = read(LAD23_UTLA23)?;
        let probation = read(LAD_PROBATION)?;
        let iod = read(IOD2025_LAD)?;

        let (adults, wales_adults) = adults_by_lsoa(&population)?;
        let lad_of_lad22 = pairs(&lad22_23, "ltla22_code", "ltla23_code")?;
        let districts = districts(&lad23_utla, &probation, &iod)?;
        let sicbl_2023 = pairs(&sicbl24, "lsoa21_code", "sicbl24_code")?;
        let icb_of_sicbl = pairs(&sicbl24, "sicbl24_code", "icb24_code")?;
        let ccg = pairs(&ccg21, "LSOA11CD", "CCG21CD")?;
        let bridge = sicbl_bridge(&sicbl22, &sicbl_2023)?;

        sicbl22.require(&["lsoa11_code", "sicbl22_code", "ltla22_code"])?;
        let mut lsoas = Vec::with_capacity(sicbl22.len());
        let mut sicbl_bridged = 0;
        for r in sicbl22.records() {
            let code = r.gss_code("lsoa11_code")?;
            let lad22 = r.gss_code("ltla22_code")?;
            let lad = lookup(&lad_of_lad22, lad22, &lad22_23, "ltla22_code", &r)?;
            // `districts` has a district for each row of the upper-tier
            // lookup (and has refused one the IoD or probation files lack),
            // so a district missing here is missing from that lookup.
            let district = districts.get(lad).ok_or_else(|| {
                r.error(format!(
                    "district {lad} (from {lad22}) is not in {} (column ltla23_code)",
                    lad23_utla.path.display()
                ))
                .kind(ErrorKind::Missing)
                .hint("the district to upper-tier authority lookup must list every English district: is the file complete?")
            })?;
            let sicbl = match sicbl_2023.get(code) {
                Some(s) => s.clone(),
                None => {
                    sicbl_bridged += 1;
                    let old = r.gss_code("sicbl22_code")?;
                    lookup(&bridge, old, &sicbl22, "sicbl22_code", &r)?.clone()
                }
            };
            let icb = lookup(&icb_of_sicbl, &sicbl, &sicbl24, "sicbl24_code", &r)?.clone();
            lsoas.push(Lsoa {
                code: code.to_string(),
                adults: *lookup(&adults, code, &population, "lsoa11_code", &r)?,
                lad: lad.clone(),
                ctyua: district.ctyua.clone(),
                sicbl,
                icb,
                ccg: lookup(&ccg, code, &ccg21, "LSOA11CD", &r)?.clone(),
                pcon: String::new(),
                custom: String::new(),
            });
        }
        lsoas.sort_by(|a, b| a.code.cmp(&b.code));
        let mut districts = districts;
        for lsoa in &lsoas {
            if let Some(d) = districts.get_mut(&lsoa.lad) {
                d.adults += lsoa.adults;
            }
        }
        let inputs = [
            (&population, "LSOA adult population (ONS mid-2020)"),
            (
                &sicbl22,
                "LSOA 2011 to SICBL/ICB July 2022 and LAD 2022 lookup",
            ),
            (&sicbl24, "LSOA 2021 to SICBL/ICB April 2023 lookup"),
            (&ccg21, "LSOA 2011 to CCG April 2021 lookup"),
            (&lad22_23, "LAD 2022 to LAD 2023 lookup"),
            (&lad23_utla, "LAD 2023 to upper-tier LA lookup"),
            (
                &probation,
                "LAD to police force area and probation region lookup",
            ),
            (
                &iod,
                "IoD2025 district summaries (income and employment scales)",
            ),
        ]
        .into_iter()
        .map(|(table, role)| table.provenance(role))
        .collect();
        Ok(Units {
            lsoas,
            districts,
            wales_adults,
            sicbl_bridged,
            inputs,
        })
    }

    /// The code of the area of `level` that an LSOA is in.
    pub fn area_of(lsoa: &Lsoa, level: Level) -> &str {
        match level {
            Level::Ctyua => &lsoa.ctyua,
            Level::Lad => &lsoa.lad,
            Level::Sicbl => &lsoa.sicbl,
            Level::Icb => &lsoa.icb,
            Level::Ccg => &lsoa.ccg,
            Level::Pcon => &lsoa.pcon,
            Level::Custom => &lsoa.custom,
        }
    }

    /// Folds LSOAs into the areas of a level: `add(total, i)` for each LSOA
    /// index `i` of `lsoas`, totals by area code. This is the one way a
    /// figure known per LSOA becomes an area's: each LSOA lies in exactly
    /// one area of every level, so totals are conserved.
    pub fn fold_by_area<T: Default>(
        &self,
        level: Level,
        lsoas: impl IntoIterator<Item = usize>,
        mut add: impl FnMut(&mut T, usize),
    ) -> BTreeMap<&str, T> {
        let mut totals: BTreeMap<&str, T> = BTreeMap::new();
        for i in lsoas {
            add(
                totals
                    .entry(Units::area_of(&self.lsoas[i], level))
                    .or_default(),
                i,
            );
        }
        totals
    }

    /// A value per LSOA (in LSOA order) summed to the areas of a level.
    pub fn sum_by_area(&self, level: Level, values: &[f64]) -> BTreeMap<&str, f64> {
        self.fold_by_area(level, 0..self.lsoas.len(), |total, i| *total += values[i])
    }

    /// Adults (18+) living in each area of a level.
    pub fn adults_by_area(&self, level: Level) -> BTreeMap<String, f64> {
        self.fold_by_area(level, 0..self.lsoas.len(), |total: &mut f64, i| {
            *total += self.lsoas[i].adults
        })
        .into_iter()
        .map(|(code, adults)| (code.to_string(), adults))
        .collect()
    }

    /// IoD2025 average score of each area of a level: its districts'
    /// scores weighted by the adults of each district living in the area.
    /// Summed district by district, so an area made of whole districts (an
    /// upper-tier authority) gets exactly its districts' adult-weighted mean.
    pub fn imd_score_by_area(&self, level: Level) -> BTreeMap<String, f64> {
        let mut adults: BTreeMap<(&str, &str), f64> = BTreeMap::new();
        for lsoa in &self.lsoas {
            *adults
                .entry((Units::area_of(lsoa, level), lsoa.lad.as_str()))
                .or_default() += lsoa.adults;
        }
        let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for ((area, lad), adults) in adults {
            let entry = sums.entry(area.to_string()).or_default();
            entry.0 += self.districts[lad].imd_score * adults;
            entry.1 += adults;
        }
        sums.into_iter()
            .map(|(code, (score, adults))| (code, score / adults))
            .collect()
    }

    pub fn england_adults(&self) -> f64 {
        self.lsoas.iter().map(|l| l.adults).sum()
    }
}

/// Adults (18+) per English LSOA, and the Welsh total.
fn adults_by_lsoa(table: &Table) -> Result<(HashMap<String, f64>, f64)> {
    let ages = adult_age_columns();
    let mut columns: Vec<&str> = vec!["lsoa11_code"];
    columns.extend(ages.iter().map(String::as_str));
    table.require(&columns)?;
    let mut english = HashMap::with_capacity(table.len());
    let mut wales = 0.0;
    for r in table.records() {
        let code = r.gss_code("lsoa11_code")?;
        let adults = ages.iter().map(|age| r.count(age)).sum::<Result<f64>>()?;
        match code.as_bytes()[0] {
            b'E' => {
                english.insert(code.to_string(), adults);
            }
            b'W' => wales += adults,
            _ => {
                return Err(r
                    .error(format!("LSOA {code} is neither English nor Welsh"))
                    .hint("the population file must hold England and Wales LSOAs (E01, W01)"));
            }
        }
    }
    Ok((english, wales))
}

/// A two-column lookup; a key with two different values is an error.
pub(crate) fn pairs(table: &Table, key: &str, value: &str) -> Result<HashMap<String, String>> {
    table.require(&[key, value])?;
    let mut map = HashMap::with_capacity(table.len());
    for r in table.records() {
        let (k, v) = (r.gss_code(key)?, r.gss_code(value)?);
        if let Some(old) = map.insert(k.to_string(), v.to_string())
            && old != v
        {
            return Err(r
                .error(format!("{key} {k} maps to both {old} and {v}"))
                .hint("a lookup must give one value per code"));
        }
    }
    Ok(map)
}

/// Looks a code up, or names the lookup file it is missing from.
fn lookup<'m, V>(
    map: &'m HashMap<String, V>,
    code: &str,
    table: &Table,
    column: &str,
    wanted_by: &crate::input::Record,
) -> Result<&'m V> {
    map.get(code).ok_or_else(|| {
        wanted_by
            .error(format!(
                "{code} is not in {} (column {column})",
                table.path.display()
            ))
            .hint("the lookup files must be complete for England and of matching vintages")
    })
}

/// District facts: upper-tier authority, police force area, probation
/// region and IoD2025 scales, keyed by LAD 2024 code.
fn districts(utla: &Table, probation: &Table, iod: &Table) -> Result<BTreeMap<String, District>> {
    utla.require(&["ltla23_code", "ltla23_name", "utla23_code", "utla23_name"])?;
    probation.require(&[
        "lad24cd",
        "pfa23cd",
        "probation_region",
        "probation_region_delius_code",
    ])?;
    iod.require(&[
        "ltla24_code",
        "employment_scale",
        "income_scale",
        "imd_average_score",
    ])?;
    let region: HashMap<&str, [&str; 3]> = probation
        .records()
        .map(|r| {
            let columns = [
                "pfa23cd",
                "probation_region",
                "probation_region_delius_code",
            ];
            (r.str("lad24cd"), columns.map(|c| r.str(c)))
        })
        .collect();
    let scales: HashMap<&str, [f64; 3]> = iod
        .records()
        .map(|r| {
            let columns = ["employment_scale", "income_scale", "imd_average_score"];
            let values = [
                r.count(columns[0])?,
                r.count(columns[1])?,
                r.count(columns[2])?,
            ];
            Ok((r.gss_code("ltla24_code")?, values))
        })
        .collect::<Result<_>>()?;
    let mut districts = BTreeMap::new();
    for r in utla.records() {
        let code = r.gss_code("ltla23_code")?;
        if !gss::is_english(code) {
            continue; // England only: Welsh districts have no IoD2025 figures.
        }
        let [pfa, probation_region, region_code] = *region.get(code).ok_or_else(|| {
            r.error(format!("district {code} is not in {LAD_PROBATION}"))
                .hint("the probation region lookup must cover every English district")
        })?;
        let [employment_scale, income_scale, imd_score] = *scales.get(code).ok_or_else(|| {
            r.error(format!(
                "district {code} has no IoD2025 scales in {IOD2025_LAD}"
            ))
        })?;
        districts.insert(
            code.to_string(),
            District {
                code: code.to_string(),
                name: r.text("ltla23_name")?.to_string(),
                ctyua: r.gss_code("utla23_code")?.to_string(),
                ctyua_name: r.text("utla23_name")?.to_string(),
                pfa: pfa.to_string(),
                probation_region: probation_region.to_string(),
                region_code: region_code.to_string(),
                employment_scale,
                income_scale,
                imd_score,
                adults: 0.0,
            },
        );
    }
    Ok(districts)
}

/// July 2022 → April 2023 sub-ICB codes, as the LSOAs whose codes did not
/// change in 2021 show them: each old code goes to the new code most of its
/// LSOAs are in (ties to the lower code, for determinism).
fn sicbl_bridge(
    sicbl22: &Table,
    sicbl_2023: &HashMap<String, String>,
) -> Result<HashMap<String, String>> {
    let mut votes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in sicbl22.records() {
        if let Some(new) = sicbl_2023.get(r.str("lsoa11_code")) {
            *votes
                .entry((r.gss_code("sicbl22_code")?.to_string(), new.clone()))
                .or_default() += 1;
        }
    }
    let mut bridge: HashMap<String, (String, usize)> = HashMap::new();
    for ((old, new), n) in votes {
        let best = bridge.entry(old).or_insert((new.clone(), n));
        if n > best.1 {
            *best = (new, n);
        }
    }
    Ok(bridge
        .into_iter()
        .map(|(old, (new, _))| (old, new))
        .collect())
}

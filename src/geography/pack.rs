//! The compact form of the fine units: three small CSV tables that hold
//! exactly what [`Units`] holds, in place of the eight original lookups,
//! populations and IoD tables (25 MB) that `Units::load` reads.
//!
//! - `units/lsoas.csv`: every English LSOA (2011), its adults (18+, ONS
//!   mid-2020) and its area at every level: LAD and CTYUA December 2024,
//!   sub-ICB location and ICB April 2023, CCG April 2021.
//! - `units/districts.csv`: each district's names, upper-tier authority,
//!   police force area, probation region and IoD2025 scales.
//! - `units/totals.csv`: the adults of Wales and how many LSOAs were carried
//!   to their 2023 sub-ICB code by the code bridge.
//! - `units/lsoa_points.csv`: each LSOA's interior point and the July 2024
//!   constituency it lies in, as [`crate::load::fit_lsoa_points`] finds them
//!   from the LSOA and constituency boundaries (16 MB of originals): for
//!   `check-caseload`, the model error the run estimates from observed
//!   counts, and a user's own boundary layer as a reporting level.
//!
//! Numbers are written in Rust's shortest round-trip form, so reading them
//! back gives the same `f64` bits: the same `Units` from either source.
//!
//! Files are gzip ([`crate::input::gzip`]: DEFLATE through flate2's pure-Rust miniz_oxide backend, at
//! its best level, with no file name and a zero time stamp), so the same
//! contents always give the same bytes, and `zcat` reads them anywhere.

use crate::error::Result;
use crate::geography::units::{District, Lsoa, Units};
use crate::input::Table;
use crate::input::embedded::Dataset;
use geo::Point;
use std::collections::BTreeMap;

pub const LSOAS: &str = "units/lsoas.csv.gz";
pub const DISTRICTS: &str = "units/districts.csv.gz";
pub const TOTALS: &str = "units/totals.csv.gz";
pub const LSOA_POINTS: &str = "units/lsoa_points.csv.gz";

const POINT_COLUMNS: [&str; 4] = ["lsoa11_code", "x", "y", "pcon24_code"];

/// Where each English LSOA lies, for the levels placed by best fit: its
/// interior point, and the July 2024 constituency that point lies in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LsoaPoints {
    pub points: Vec<Option<Point<f64>>>,
    pub pcon: Vec<Option<String>>,
}

const LSOA_COLUMNS: [&str; 7] = [
    "lsoa11_code",
    "adults",
    "lad24_code",
    "ctyua24_code",
    "sicbl23_code",
    "icb23_code",
    "ccg21_code",
];

const DISTRICT_COLUMNS: [&str; 10] = [
    "lad24_code",
    "lad24_name",
    "ctyua24_code",
    "ctyua24_name",
    "pfa23_code",
    "probation_region",
    "probation_region_delius_code",
    "employment_scale",
    "income_scale",
    "imd_average_score",
];

const TOTAL_COLUMNS: [&str; 2] = ["wales_adults", "lsoas_bridged_to_sicbl23"];

/// The three tables' CSV text, by file name, from units read from the originals.
pub fn write_units(units: &Units) -> Vec<(&'static str, Vec<u8>)> {
    let lsoas = csv_text(
        &LSOA_COLUMNS,
        units.lsoas.iter().map(|l| {
            vec![
                l.code.clone(),
                number(l.adults),
                l.lad.clone(),
                l.ctyua.clone(),
                l.sicbl.clone(),
                l.icb.clone(),
                l.ccg.clone(),
            ]
        }),
    );
    let districts = csv_text(
        &DISTRICT_COLUMNS,
        units.districts.values().map(|d| {
            vec![
                d.code.clone(),
                d.name.clone(),
                d.ctyua.clone(),
                d.ctyua_name.clone(),
                d.pfa.clone(),
                d.probation_region.clone(),
                d.region_code.clone(),
                number(d.employment_scale),
                number(d.income_scale),
                number(d.imd_score),
            ]
        }),
    );
    let totals = csv_text(
        &TOTAL_COLUMNS,
        [vec![
            number(units.wales_adults),
            units.sicbl_bridged.to_string(),
        ]]
        .into_iter(),
    );
    vec![(LSOAS, lsoas), (DISTRICTS, districts), (TOTALS, totals)]
}

/// The fine units from a dataset's three tables.
pub fn read_units(dataset: &Dataset) -> Result<Units> {
    let lsoa_table = dataset.file(LSOAS)?.table()?;
    let district_table = dataset.file(DISTRICTS)?.table()?;
    let total_table = dataset.file(TOTALS)?.table()?;
    let mut districts = read_districts(&district_table)?;
    let lsoas = read_lsoas(&lsoa_table, &districts)?;
    // District adults are summed over LSOAs in code order, as Units::load does.
    for lsoa in &lsoas {
        if let Some(d) = districts.get_mut(&lsoa.lad) {
            d.adults += lsoa.adults;
        }
    }
    total_table.require(&TOTAL_COLUMNS)?;
    let mut totals = total_table.records();
    let (Some(row), None) = (totals.next(), totals.next()) else {
        return Err(
            crate::Error::input(&total_table.path, "must hold exactly one row of totals")
                .hint("rebuild data/ with jsna-gap data build"),
        );
    };
    let inputs = vec![
        lsoa_table.provenance("LSOA adults (ONS mid-2020) and area codes at every level (compact; see data/provenance.json)"),
        district_table.provenance("District names, upper-tier LA, police force area, probation region and IoD2025 scales (compact)"),
        total_table.provenance("Adults in Wales and LSOAs bridged to sub-ICB 2023 codes (compact)"),
    ];
    Ok(Units {
        lsoas,
        districts,
        wales_adults: row.count(TOTAL_COLUMNS[0])?,
        sicbl_bridged: row.count(TOTAL_COLUMNS[1])? as usize,
        inputs,
    })
}

fn read_districts(table: &Table) -> Result<BTreeMap<String, District>> {
    table.require(&DISTRICT_COLUMNS)?;
    let mut districts = BTreeMap::new();
    for r in table.records() {
        let code = r.gss_code("lad24_code")?;
        let district = District {
            code: code.to_string(),
            name: r.text("lad24_name")?.to_string(),
            ctyua: r.gss_code("ctyua24_code")?.to_string(),
            ctyua_name: r.text("ctyua24_name")?.to_string(),
            pfa: r.gss_code("pfa23_code")?.to_string(),
            probation_region: r.text("probation_region")?.to_string(),
            region_code: r.text("probation_region_delius_code")?.to_string(),
            employment_scale: r.count("employment_scale")?,
            income_scale: r.count("income_scale")?,
            imd_score: r.count("imd_average_score")?,
            adults: 0.0,
        };
        if districts.insert(code.to_string(), district).is_some() {
            return Err(r
                .error(format!("district {code} appears twice"))
                .hint("rebuild data/ with jsna-gap data build"));
        }
    }
    Ok(districts)
}

fn read_lsoas(table: &Table, districts: &BTreeMap<String, District>) -> Result<Vec<Lsoa>> {
    table.require(&LSOA_COLUMNS)?;
    let mut lsoas = Vec::with_capacity(table.len());
    for r in table.records() {
        let lad = r.gss_code("lad24_code")?;
        if !districts.contains_key(lad) {
            return Err(r
                .error(format!("district {lad} is not in {DISTRICTS}"))
                .hint("rebuild data/ with jsna-gap data build"));
        }
        lsoas.push(Lsoa {
            code: r.gss_code("lsoa11_code")?.to_string(),
            adults: r.count("adults")?,
            lad: lad.to_string(),
            ctyua: r.gss_code("ctyua24_code")?.to_string(),
            sicbl: r.gss_code("sicbl23_code")?.to_string(),
            icb: r.gss_code("icb23_code")?.to_string(),
            ccg: r.gss_code("ccg21_code")?.to_string(),
            pcon: String::new(),
            custom: String::new(),
        });
    }
    lsoas.sort_by(|a, b| a.code.cmp(&b.code));
    if let Some(twice) = lsoas.windows(2).find(|w| w[0].code == w[1].code) {
        return Err(crate::Error::input(
            &table.path,
            format!("LSOA {} appears twice", twice[0].code),
        )
        .hint("rebuild data/ with jsna-gap data build"));
    }
    Ok(lsoas)
}

/// Each LSOA's interior point (British National Grid, metres) and July
/// 2024 constituency, in the order of `units`' LSOAs.
pub fn write_lsoa_points(units: &Units, fitted: &LsoaPoints) -> Vec<u8> {
    let rows = units.lsoas.iter().enumerate().map(|(i, l)| {
        let (x, y) = match fitted.points[i] {
            Some(p) => (number(p.x()), number(p.y())),
            None => (String::new(), String::new()),
        };
        vec![
            l.code.clone(),
            x,
            y,
            fitted.pcon[i].clone().unwrap_or_default(),
        ]
    });
    csv_text(&POINT_COLUMNS, rows)
}

/// Each LSOA's interior point and constituency from a dataset, in the order
/// of `units`' LSOAs, which the table must list, in that order.
pub fn read_lsoa_points(dataset: &Dataset, units: &Units) -> Result<LsoaPoints> {
    let table = dataset.file(LSOA_POINTS)?.table()?;
    table.require(&POINT_COLUMNS)?;
    let rebuild = "rebuild data/ with jsna-gap data build";
    if table.len() != units.lsoas.len() {
        return Err(crate::Error::input(
            &table.path,
            format!(
                "lists {} LSOAs, but {LSOAS} has {}",
                table.len(),
                units.lsoas.len()
            ),
        )
        .hint(rebuild));
    }
    let mut fitted = LsoaPoints::default();
    for (r, lsoa) in table.records().zip(&units.lsoas) {
        let code = r.gss_code("lsoa11_code")?;
        if code != lsoa.code {
            return Err(r
                .error(format!("LSOA {code} where {LSOAS} has {}", lsoa.code))
                .hint(rebuild));
        }
        fitted.points.push(match r.str("x") {
            "" => None,
            _ => Some(Point::new(r.number("x")?, r.number("y")?)),
        });
        fitted.pcon.push(match r.str("pcon24_code") {
            "" => None,
            _ => Some(r.gss_code("pcon24_code")?.to_string()),
        });
    }
    Ok(fitted)
}

/// A number in Rust's shortest form that parses back to the same `f64`.
fn number(value: f64) -> String {
    value.to_string()
}

/// CSV text with a header, fields quoted only where needed.
fn csv_text(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).expect("writing to memory");
    for row in rows {
        writer.write_record(&row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_back_to_the_same_bits() {
        for v in [
            0.0,
            1234.0,
            0.1 + 0.2,
            2818.000000000001,
            1e-7,
            123456789.125,
        ] {
            assert_eq!(number(v).parse::<f64>().unwrap().to_bits(), v.to_bits());
        }
        assert_eq!(number(73728.0), "73728");
    }

    #[test]
    fn the_embedded_units_cover_england() {
        let units = read_units(Dataset::builtin()).unwrap();
        assert_eq!(units.lsoas.len(), 32_844);
        assert_eq!(units.districts.len(), 296);
        let boards: std::collections::BTreeSet<&str> =
            units.lsoas.iter().map(|l| l.ctyua.as_str()).collect();
        assert_eq!(boards.len(), 153);
        // Every district's adults are the sum of its LSOAs'.
        let summed: f64 = units.districts.values().map(|d| d.adults).sum();
        assert_eq!(summed, units.england_adults());
        assert!(units.wales_adults > 2.0e6 && units.wales_adults < 3.0e6);
    }
}

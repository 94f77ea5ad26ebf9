//! Caseload: people under probation supervision, given at whatever geography
//! is known (a national total, probation regions, police force areas, PDUs,
//! districts, upper-tier authorities or sub-ICB locations), spread over LSOAs
//! in proportion to a proxy, then summed to each reporting level.
//!
//! Totals are conserved: every person in the input is either placed in an
//! English LSOA or reported as not placed, with the reason.

pub mod observed;
mod proxy;

pub use proxy::{CaseloadOptions, EnglandShare, EnglandShareMethod, Proxy, england_share};

use crate::apportion::{population, values};
use crate::error::{Error, ErrorKind, Result};
use crate::geography::Level;
use crate::geography::units::{Lsoa, Units};
use crate::gss::{self, ENGLAND, ENGLAND_AND_WALES, WALES_PROBATION_REGION};
use crate::input::{Record, Seen, Table};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The geography a caseload figure is given at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceLevel {
    /// K04000001 England and Wales, or E92000001 England.
    Country,
    /// A probation region by its nDelius code (N07 London, N03 Wales, ...).
    ProbationRegion,
    /// A police force area (E23...), the unit probation regions are built from.
    Pfa,
    /// A probation delivery unit by its nDelius code; PDUs are placed through
    /// their police force area because no PDU-to-district lookup is published.
    Pdu,
    Lad,
    Ctyua,
    Sicbl,
}

impl SourceLevel {
    const NAMES: [(&'static str, SourceLevel); 7] = [
        ("country", SourceLevel::Country),
        ("probation_region", SourceLevel::ProbationRegion),
        ("pfa", SourceLevel::Pfa),
        ("pdu", SourceLevel::Pdu),
        ("lad", SourceLevel::Lad),
        ("ctyua", SourceLevel::Ctyua),
        ("sicbl", SourceLevel::Sicbl),
    ];

    fn parse(s: &str) -> Option<SourceLevel> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, l)| *l)
    }
}

/// One row of the caseload file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseloadRow {
    pub line: u64,
    pub level: SourceLevel,
    pub area_code: String,
    pub area_name: String,
    pub caseload: f64,
    pub date: String,
    pub source: String,
}

/// Caseload that could not be placed in an English area, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unplaced {
    pub line: u64,
    pub area_code: String,
    pub caseload: f64,
    pub reason: String,
}

/// The caseload of one area of a reporting level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AreaCaseload {
    pub caseload: f64,
    /// Share of the area's proxy weight that some input row covered (1 when
    /// the input covers the whole area; below 1 the caseload is partial).
    pub coverage: f64,
    /// Whether any of it comes from a locally supplied figure rather than a
    /// national total.
    pub local: bool,
}

/// The caseload rows as spread over LSOAs.
#[derive(Debug, Clone, Default)]
pub struct SpreadRows {
    /// Each LSOA's row, if any row covers it.
    pub of_lsoa: Vec<Option<usize>>,
    /// Each row's caseload placed in England.
    pub english: Vec<f64>,
    /// The row counted for England and Wales together, if any, and its
    /// whole caseload (its English part moves with England's share).
    pub england_and_wales: Option<(usize, f64)>,
}

/// Caseload placed on LSOAs, with the account of the input total.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    #[serde(skip)]
    pub per_lsoa: Vec<f64>,
    #[serde(skip)]
    covered: Vec<bool>,
    /// Whether each LSOA's caseload came from a local (not national) row.
    #[serde(skip)]
    local: Vec<bool>,
    #[serde(skip)]
    weights: Vec<f64>,
    /// The rows spread: which row (index into `spread`) each LSOA's caseload
    /// comes from, and each row's English caseload. The simulation redraws
    /// the spreading within these rows.
    #[serde(skip)]
    pub rows: SpreadRows,
    pub input_total: f64,
    pub placed: f64,
    pub england_share: f64,
    pub unplaced: Vec<Unplaced>,
}

/// Reads the caseload file.
pub fn read(table: &Table) -> Result<Vec<CaseloadRow>> {
    table.require(&["level", "area_code", "caseload", "source"])?;
    let mut rows = Vec::with_capacity(table.len());
    let mut seen = Seen::default();
    for r in table.records() {
        let row = row(r)?;
        seen.first(
            &r,
            (row.level, row.area_code.clone()),
            format_args!("area {}", row.area_code),
        )
        .map_err(|e| {
            e.hint("give one caseload figure per area; sum them first if they are parts")
        })?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::input(&table.path, "the caseload file has no rows")
            .kind(ErrorKind::Missing)
            .hint("give at least one caseload figure, e.g. the national total"));
    }
    Ok(rows)
}

fn row(r: Record) -> Result<CaseloadRow> {
    let level_text = r.text("level")?;
    let level = SourceLevel::parse(level_text).ok_or_else(|| {
        r.error(format!("level '{level_text}' is not a caseload geography"))
            .hint(format!(
                "use one of: {}",
                SourceLevel::NAMES.map(|(n, _)| n).join(", ")
            ))
    })?;
    let area_code = match level {
        SourceLevel::ProbationRegion | SourceLevel::Pdu => r.text("area_code")?,
        _ => r.gss_code("area_code")?,
    };
    let caseload = r.count("caseload")?;
    if caseload == 0.0 {
        return Err(r
            .error_at("caseload", "caseload is 0")
            .hint("every area has people on probation, so 0 cannot be right; leave out a row whose figure you do not have"));
    }
    // The date is optional, but one given must be a day of the calendar.
    let date = r.str("date");
    if !date.is_empty() {
        r.at("date", observed::date(&r, "date"))?;
    }
    Ok(CaseloadRow {
        line: r.line(),
        level,
        area_code: area_code.to_string(),
        area_name: r.str("area_name").to_string(),
        caseload,
        date: date.to_string(),
        source: r.text("source")?.to_string(),
    })
}

/// What the PDU codes of the caseload file stand for: PDU → police force areas.
pub type PduAreas = HashMap<String, Vec<String>>;

/// Reads the PDU → police force area lookup. Some PDUs carry two PDU codes
/// (`N52STF;N52STFS`, before and after the 2025 Staffordshire split), and
/// London PDUs two force areas (`E23000001;E23000034`, the Met and the City).
pub fn read_pdu_areas(table: &Table) -> Result<PduAreas> {
    table.require(&["pdu_delius_code", "pfa23cd"])?;
    let mut map = HashMap::new();
    for r in table.records() {
        let pfas: Vec<String> = r
            .text("pfa23cd")?
            .split(';')
            .map(|c| c.trim().to_string())
            .collect();
        if let Some(problem) = pfas.iter().find_map(|c| gss::problem(c)) {
            return Err(r.error(format!("pfa23cd {problem}")));
        }
        for code in r.text("pdu_delius_code")?.split(';') {
            map.insert(code.trim().to_string(), pfas.clone());
        }
    }
    Ok(map)
}

/// Spreads every caseload row over the English LSOAs it covers, in
/// proportion to `weights` (one per LSOA, from the proxy).
pub fn place(
    rows: &[CaseloadRow],
    units: &Units,
    weights: &[f64],
    england_share: f64,
    pdus: &PduAreas,
    file: &std::path::Path,
) -> Result<Placement> {
    let mut placement = Placement {
        per_lsoa: vec![0.0; units.lsoas.len()],
        covered: vec![false; units.lsoas.len()],
        local: vec![false; units.lsoas.len()],
        weights: weights.to_vec(),
        input_total: rows.iter().map(|r| r.caseload).sum(),
        placed: 0.0,
        england_share,
        unplaced: Vec::new(),
        rows: SpreadRows::default(),
    };
    let mut claimed_by: Vec<u64> = vec![0; units.lsoas.len()];
    let mut english: BTreeMap<u64, f64> = BTreeMap::new();
    let mut england_and_wales = None;
    for row in rows {
        let target = Target::of(row, pdus).map_err(|e| located(e, file, row.line))?;
        let english_value = match target.outside_england() {
            Some(reason) => {
                placement.unplace(row, row.caseload, reason);
                continue;
            }
            None if row.area_code == ENGLAND_AND_WALES => {
                let wales = row.caseload * (1.0 - england_share);
                placement.unplace(
                    row,
                    wales,
                    format!(
                        "Wales: {:.2}% of the England and Wales total (England's share {:.4})",
                        100.0 * (1.0 - england_share),
                        england_share
                    ),
                );
                row.caseload * england_share
            }
            None => row.caseload,
        };
        let members: Vec<usize> = (0..units.lsoas.len())
            .filter(|&i| target.contains(&units.lsoas[i], units))
            .collect();
        if members.is_empty() {
            return Err(Error::input(
                file,
                format!(
                    "{} {} matches no English area in the lookups",
                    row_level(row),
                    row.area_code
                ),
            )
            .line(row.line)
            .hint(target.hint()));
        }
        for &i in &members {
            if claimed_by[i] != 0 {
                return Err(Error::input(
                    file,
                    format!(
                        "{} overlaps the area on line {}: LSOA {} would be counted twice",
                        row.area_code, claimed_by[i], units.lsoas[i].code
                    ),
                )
                .line(row.line)
                .hint("give caseload for areas that do not overlap (e.g. all regions, or all districts), not both"));
            }
            claimed_by[i] = row.line;
        }
        for &i in &members {
            placement.covered[i] = true;
            placement.local[i] = row.level != SourceLevel::Country;
        }
        if row.area_code == ENGLAND_AND_WALES {
            england_and_wales = Some((row.line, row.caseload));
        }
        english.insert(row.line, english_value);
        placement.placed += english_value;
    }
    let index: BTreeMap<u64, usize> = english.keys().enumerate().map(|(i, &l)| (l, i)).collect();
    placement.rows.of_lsoa = claimed_by
        .iter()
        .map(|line| index.get(line).copied())
        .collect();
    placement.rows.english = english.values().copied().collect();
    placement.rows.england_and_wales = england_and_wales.map(|(line, whole)| (index[&line], whole));
    placement.per_lsoa = spread(units, weights, &claimed_by, &english, file)?;
    Ok(placement)
}

/// Spreads each row's English caseload over the LSOAs it claimed, in
/// proportion to their proxy weights: a proxy-weighted crosswalk from the
/// rows' areas to LSOAs, through the same engine as `jsna-gap apportion`.
fn spread(
    units: &Units,
    weights: &[f64],
    claimed_by: &[u64],
    english: &BTreeMap<u64, f64>,
    file: &std::path::Path,
) -> Result<Vec<f64>> {
    let key = |line: u64| format!("line {line}");
    let codes: Vec<String> = units.lsoas.iter().map(|l| l.code.clone()).collect();
    let source = population::Placement {
        how: "the caseload file's rows".to_string(),
        area_of: claimed_by
            .iter()
            .map(|&line| (line != 0).then(|| key(line)))
            .collect(),
        areas: english.keys().map(|&line| key(line)).collect(),
        notes: Vec::new(),
    };
    let target = population::Placement {
        how: "each LSOA itself".to_string(),
        area_of: codes.iter().cloned().map(Some).collect(),
        areas: codes.iter().cloned().collect(),
        notes: Vec::new(),
    };
    let fine = population::FineUnits {
        what: "English LSOAs weighted by the caseload proxy".to_string(),
        codes,
        population: weights.to_vec(),
    };
    let crosswalk = population::crosswalk(&fine, &source, &target);
    let rows = english
        .iter()
        .map(|(&line, &v)| (key(line), (line, Some(v))))
        .collect();
    let values = values::Values {
        path: file.to_path_buf(),
        sha256: None,
        rows,
    };
    let spread = values::apportion(&crosswalk, &values, values::Kind::Extensive)?;
    Ok(fine
        .codes
        .iter()
        .map(|code| spread.targets.get(code).copied().flatten().unwrap_or(0.0))
        .collect())
}

impl Placement {
    fn unplace(&mut self, row: &CaseloadRow, caseload: f64, reason: impl Into<String>) {
        self.unplaced.push(Unplaced {
            line: row.line,
            area_code: row.area_code.clone(),
            caseload,
            reason: reason.into(),
        });
    }

    pub fn unplaced_total(&self) -> f64 {
        self.unplaced.iter().map(|u| u.caseload).sum()
    }

    /// The placement with each LSOA's caseload multiplied by its district's
    /// factor (`units.districts` order): a scenario's change of caseload,
    /// for its central estimates. `rows` stay the baseline's: the
    /// simulation spreads them as drawn and multiplies after.
    pub fn scaled(&self, units: &Units, factor: &[f64]) -> Placement {
        let district: HashMap<&str, f64> = units
            .districts
            .keys()
            .map(String::as_str)
            .zip(factor.iter().copied())
            .collect();
        let mut scaled = self.clone();
        for (caseload, lsoa) in scaled.per_lsoa.iter_mut().zip(&units.lsoas) {
            *caseload *= district[lsoa.lad.as_str()];
        }
        scaled.placed = scaled.per_lsoa.iter().sum();
        scaled
    }

    /// Caseload per area of a level, with the share of each area covered.
    pub fn by_area(&self, units: &Units, level: Level) -> BTreeMap<String, AreaCaseload> {
        #[derive(Default)]
        struct Sums {
            caseload: f64,
            covered: f64,
            weight: f64,
            local: bool,
        }
        let sums = units.fold_by_area(level, 0..units.lsoas.len(), |s: &mut Sums, i| {
            s.caseload += self.per_lsoa[i];
            s.weight += self.weights[i];
            if self.covered[i] {
                s.covered += self.weights[i];
            }
            s.local |= self.local[i];
        });
        sums.into_iter()
            .map(|(code, s)| {
                let coverage = if s.weight > 0.0 {
                    s.covered / s.weight
                } else {
                    0.0
                };
                let area = AreaCaseload {
                    caseload: s.caseload,
                    coverage,
                    local: s.local,
                };
                (code.to_string(), area)
            })
            .collect()
    }
}

/// The set of LSOAs a caseload row stands for.
enum Target<'r> {
    All,
    Region(&'r str),
    Pfas(Vec<String>),
    Area(Level, &'r str),
}

impl<'r> Target<'r> {
    fn of(row: &'r CaseloadRow, pdus: &PduAreas) -> Result<Target<'r>> {
        let code = row.area_code.as_str();
        Ok(match row.level {
            SourceLevel::Country if code == ENGLAND_AND_WALES || code == ENGLAND => Target::All,
            SourceLevel::Country => {
                return Err(Error::usage(format!(
                    "country code {code} is neither England and Wales nor England"
                ))
                .hint(format!(
                    "use {ENGLAND_AND_WALES} (England and Wales) or {ENGLAND} (England)"
                )));
            }
            SourceLevel::ProbationRegion => Target::Region(code),
            SourceLevel::Pfa => Target::Pfas(vec![code.to_string()]),
            SourceLevel::Pdu => Target::Pfas(pdus.get(code).cloned().ok_or_else(|| {
                Error::usage(format!(
                    "PDU code {code} is not a known probation delivery unit"
                ))
                .hint(
                    "use the nDelius PDU code, e.g. N53DRBY (see justice/pdu_pcc_area_lookup.csv)",
                )
            })?),
            SourceLevel::Lad => Target::Area(Level::Lad, code),
            SourceLevel::Ctyua => Target::Area(Level::Ctyua, code),
            SourceLevel::Sicbl => Target::Area(Level::Sicbl, code),
        })
    }

    /// Why the whole row lies outside England, if it does.
    fn outside_england(&self) -> Option<String> {
        let welsh = match self {
            Target::Region(code) => *code == WALES_PROBATION_REGION,
            Target::Pfas(codes) => codes.iter().all(|c| gss::is_welsh(c)),
            Target::Area(_, code) => gss::is_welsh(code),
            Target::All => false,
        };
        welsh.then(|| "Wales: outside England, the scope of this run".to_string())
    }

    fn contains(&self, lsoa: &Lsoa, units: &Units) -> bool {
        match self {
            Target::All => true,
            Target::Region(code) => units.districts[&lsoa.lad].region_code == *code,
            Target::Pfas(codes) => codes.contains(&units.districts[&lsoa.lad].pfa),
            Target::Area(level, code) => Units::area_of(lsoa, *level) == *code,
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Target::Region(_) => {
                "use the nDelius region code: N07 London, N50 Greater Manchester, N51 North West, N52 West Midlands, N53 East Midlands, N54 North East, N55 Yorkshire & The Humber, N56 East of England, N57 Kent, Surrey & Sussex, N58 South West, N59 South Central"
            }
            Target::Pfas(_) => {
                "use a police force area code (PFA 2023, E23...), or a PDU code that maps to one"
            }
            Target::Area(Level::Sicbl, _) => {
                "sub-ICB locations are April 2023 codes (e.g. E38000264 for Surrey Heartlands); older CCG codes must be bridged first"
            }
            Target::Area(..) => {
                "districts and upper-tier authorities are December 2024 codes (e.g. E06000062 West Northamptonshire)"
            }
            Target::All => "",
        }
    }
}

fn row_level(row: &CaseloadRow) -> &'static str {
    SourceLevel::NAMES
        .iter()
        .find(|(_, l)| *l == row.level)
        .map_or("area", |(n, _)| n)
}

fn located(error: Error, file: &std::path::Path, line: u64) -> Error {
    error.in_file(file).line(line)
}

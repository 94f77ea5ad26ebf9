//! Apportioning between geographies that do not nest: crosswalks from one set
//! of areas to another, and values carried across them with totals conserved
//! and everything that could not be placed reported.
//!
//! A [`Crosswalk`] gives, for each source area, the share of its *measure*
//! that lies in each target area. Three ways make one:
//!
//! - [`area`]: the measure is area; the exact area each pair of polygons
//!   shares in British National Grid ([`overlap`]), what PySAL tobler's
//!   `area_interpolate` computes, an order of magnitude faster.
//! - [`population`]: the measure is population; fine units (LSOA 2011s with
//!   their mid-2020 populations) are placed in the source and the target, and
//!   the weight of source → target is the population in both (dasymetric).
//! - [`lookup`]: the official ONS best-fit lookups, LSOA → area; [`vintage`]
//!   builds on them to carry data from one vintage of an area type to another
//!   (CCG 2019 → … → SICBL 2023 → ICB, LAD 2021 → 2024).
//!
//! [`values`] applies a crosswalk to a table of values (extensive values
//! summed, intensive ones averaged by the measure); [`report`] says in plain
//! lines what was repaired, left out, unplaced or left missing.

pub mod area;
pub mod lookup;
pub mod overlap;
pub mod population;
pub mod report;
pub mod values;
pub mod vintage;

use crate::error::Result;
use crate::geography::boundaries::{self, BoundaryLayer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Shares below this are floating-point noise from the overlay, not area or
/// people: a source counts as fully placed, and targets as fully covered,
/// within it.
pub const TOLERANCE: f64 = 1e-7;

/// A crosswalk from one geography to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosswalk {
    /// What the weights share out, for reports: "area", "population".
    pub measure: String,
    /// Every usable source code with its measure (m² or people), in code order.
    pub sources: BTreeMap<String, f64>,
    /// Every target code with its measure, in code order.
    pub targets: BTreeMap<String, f64>,
    /// Source-target pairs that share a positive measure, sorted by source
    /// then target.
    pub links: Vec<Link>,
    /// Sources that could not be used at all (no geometry, no population),
    /// with why: values given for them cannot be placed.
    pub unusable: BTreeMap<String, String>,
    /// What was repaired, left out or how units were placed.
    pub notes: Vec<String>,
}

/// One source-target pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub source: String,
    pub target: String,
    /// The measure in both (m² of overlap, or people).
    pub shared: f64,
    /// `shared` as a share of the source's measure.
    pub weight: f64,
}

impl Crosswalk {
    /// Assembles a crosswalk from shared measures, which may come in any
    /// order; weights are the shared measure over the source's measure.
    pub fn new(
        measure: &str,
        sources: BTreeMap<String, f64>,
        targets: BTreeMap<String, f64>,
        shared: BTreeMap<(String, String), f64>,
    ) -> Crosswalk {
        let links = shared
            .into_iter()
            .filter(|(_, shared)| *shared > 0.0)
            .map(|((source, target), shared)| {
                let weight = shared / sources[&source];
                Link {
                    source,
                    target,
                    shared,
                    weight,
                }
            })
            .collect();
        Crosswalk {
            measure: measure.to_string(),
            sources,
            targets,
            links,
            unusable: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    /// The share of each source's measure that lies in some target, in code
    /// order: 1 where targets cover it, less where part of it is outside every
    /// target, more only where targets overlap.
    pub fn placed_shares(&self) -> BTreeMap<&str, f64> {
        // Links are sorted by source, as the sources are: walk both at once.
        let mut links = self.links.iter().peekable();
        self.sources
            .keys()
            .map(|source| {
                let mut placed = 0.0;
                while let Some(link) = links.next_if(|l| l.source == *source) {
                    placed += link.weight;
                }
                (source.as_str(), placed)
            })
            .collect()
    }

    /// The share of each target's measure that some source covers, in code order.
    pub fn covered_shares(&self) -> BTreeMap<&str, f64> {
        let mut covered: BTreeMap<&str, f64> =
            self.targets.keys().map(|t| (t.as_str(), 0.0)).collect();
        for link in &self.links {
            *covered
                .get_mut(link.target.as_str())
                .expect("link to a known target") += link.shared;
        }
        for (code, share) in covered.iter_mut() {
            let measure = self.targets[*code];
            *share = if measure > 0.0 { *share / measure } else { 0.0 };
        }
        covered
    }

    /// The crosswalk file: `source_code,target_code,weight`, sorted by codes.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = String::from("source_code,target_code,weight\n");
        for link in &self.links {
            out.push_str(&format!(
                "{},{},{}\n",
                link.source,
                link.target,
                format_number(link.weight)
            ));
        }
        out.into_bytes()
    }
}

/// A number as the output files write it: rounded to 12 significant digits
/// (the overlay's floating-point noise is below that, so 0.9999999999999998
/// is written 1), in the shortest form that reads back to the same value.
pub fn format_number(v: f64) -> String {
    let rounded: f64 = format!("{v:.11e}").parse().unwrap_or(v);
    // -0 and 0 are the same number; write it one way.
    if rounded == 0.0 {
        "0".to_string()
    } else {
        rounded.to_string()
    }
}

/// A boundary layer for apportioning: any GeoJSON FeatureCollection in WGS84
/// whose `code_field` holds GSS codes, every feature kept (names are not
/// needed, so the code stands in for the name). The shared reader refuses a
/// `crs` member naming anything but WGS84, before coordinates are misread.
pub fn read_layer(path: &Path, code_field: &str) -> Result<BoundaryLayer> {
    boundaries::read_layer(path, code_field, code_field, &|_| None)
}

/// What `jsna-gap apportion` was asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    pub from: PathBuf,
    pub from_code: String,
    pub to: PathBuf,
    pub to_code: String,
    /// The values to carry across, if any: without them the result is the crosswalk.
    pub values: Option<ValuesRequest>,
}

#[derive(Debug, Clone)]
pub struct ValuesRequest {
    pub path: PathBuf,
    pub code_column: String,
    pub value_column: String,
    pub kind: values::Kind,
}

impl Request {
    /// Reads both layers, overlays them by area and returns the output file
    /// (the crosswalk, or the apportioned values); what was repaired, left out
    /// or not placed goes to `progress`, one line at a time.
    pub fn run(&self, progress: &dyn Fn(&str)) -> Result<Vec<u8>> {
        // Read the values first: a mistyped column should not wait for the overlay.
        let values = match &self.values {
            Some(v) => Some((
                values::Values::read(&v.path, &v.code_column, &v.value_column)?,
                v.kind,
            )),
            None => None,
        };
        let source = read_layer(&self.from, &self.from_code)?;
        progress(&format!(
            "read {} source areas from {}",
            source.features.len(),
            self.from.display()
        ));
        let target = read_layer(&self.to, &self.to_code)?;
        progress(&format!(
            "read {} target areas from {}",
            target.features.len(),
            self.to.display()
        ));
        let crosswalk = area::crosswalk(&source, &target);
        for line in report::crosswalk_lines(&crosswalk) {
            progress(&line);
        }
        match values {
            None => Ok(crosswalk.to_csv()),
            Some((values, kind)) => {
                let apportioned = values::apportion(&crosswalk, &values, kind)?;
                for line in report::values_lines(&apportioned) {
                    progress(&line);
                }
                Ok(apportioned.to_csv())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_without_float_noise() {
        assert_eq!(format_number(0.9999999999999998), "1");
        assert_eq!(format_number(0.30000000000000004), "0.3");
        assert_eq!(format_number(56_550_138.0), "56550138");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1.5e-7), "0.00000015");
        assert_eq!(format_number(2.0 / 3.0), "0.666666666667");
    }

    #[test]
    fn weights_are_shares_of_the_source_measure() {
        let codes = |pairs: &[(&str, f64)]| -> BTreeMap<String, f64> {
            pairs.iter().map(|(c, m)| (c.to_string(), *m)).collect()
        };
        let shared = [(("A", "X"), 3.0), (("A", "Y"), 1.0), (("B", "Y"), 2.0)]
            .into_iter()
            .map(|((s, t), m)| ((s.to_string(), t.to_string()), m))
            .collect();
        let cw = Crosswalk::new(
            "area",
            codes(&[("A", 4.0), ("B", 4.0)]),
            codes(&[("X", 3.0), ("Y", 6.0), ("Z", 1.0)]),
            shared,
        );
        assert_eq!(cw.placed_shares()["A"], 1.0);
        assert_eq!(cw.placed_shares()["B"], 0.5);
        assert_eq!(cw.covered_shares()["Y"], 0.5);
        assert_eq!(cw.covered_shares()["Z"], 0.0);
        assert_eq!(
            String::from_utf8(cw.to_csv()).unwrap(),
            "source_code,target_code,weight\nA,X,0.75\nA,Y,0.25\nB,Y,0.5\n"
        );
    }
}

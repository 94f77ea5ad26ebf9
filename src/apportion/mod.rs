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
pub mod output;
pub mod overlap;
pub mod population;
pub mod report;
pub mod values;
pub mod vintage;

use crate::error::{Error, ErrorKind, Result};
use crate::geography::boundaries::{self, BoundaryLayer};
use crate::input::Fingerprint;
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
    /// Every usable source with its measure (m² or people), in code order.
    pub sources: Areas,
    /// Every target with its measure, in code order.
    pub targets: Areas,
    /// Source-target pairs that share a positive measure, sorted by source
    /// then target.
    pub links: Vec<Link>,
    /// Sources that could not be used at all (no geometry, no population),
    /// with why: values given for them cannot be placed.
    pub unusable: BTreeMap<String, String>,
    /// What was repaired, left out or how units were placed.
    pub notes: Vec<String>,
}

/// One source-target pair. The areas are named by their position among the
/// crosswalk's sources and targets: whatever walks a crosswalk (shares,
/// reports, values) then indexes, where comparing codes took most of its time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    pub source: usize,
    pub target: usize,
    /// The measure in both (m² of overlap, or people).
    pub shared: f64,
    /// `shared` as a share of the source's measure.
    pub weight: f64,
}

/// Areas with their measure, in code order: a crosswalk's sources or its
/// targets. Codes are unique (every reader refuses a code twice).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Areas {
    codes: Vec<String>,
    measures: Vec<f64>,
}

impl Areas {
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The code of the area at `position`.
    pub fn code(&self, position: usize) -> &str {
        &self.codes[position]
    }

    /// The codes, in order.
    pub fn codes(&self) -> impl ExactSizeIterator<Item = &str> + Clone {
        self.codes.iter().map(String::as_str)
    }

    /// The measures, in the codes' order.
    pub fn measures(&self) -> &[f64] {
        &self.measures
    }

    /// Each code with its measure, in code order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.codes().zip(self.measures.iter().copied())
    }

    /// Where `code` is among the areas, if it is one.
    pub fn position(&self, code: &str) -> Option<usize> {
        self.codes.binary_search_by(|c| c.as_str().cmp(code)).ok()
    }

    /// Where `code` is; panics if it is not one of the areas, as a map's
    /// index does.
    fn at(&self, code: &str) -> usize {
        self.position(code)
            .unwrap_or_else(|| panic!("{code} is not among the areas"))
    }
}

impl FromIterator<(String, f64)> for Areas {
    /// Areas from codes and measures in any order.
    fn from_iter<I: IntoIterator<Item = (String, f64)>>(iter: I) -> Areas {
        let mut areas: Vec<(String, f64)> = iter.into_iter().collect();
        areas.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let (codes, measures) = areas.into_iter().unzip();
        Areas { codes, measures }
    }
}

impl std::ops::Index<&str> for Areas {
    type Output = f64;

    /// The measure of the area `code`; panics if it is not one, as a map does.
    fn index(&self, code: &str) -> &f64 {
        &self.measures[self.at(code)]
    }
}

/// A share for each of a crosswalk's sources or targets, in their order.
#[derive(Debug, Clone, PartialEq)]
pub struct Shares<'a> {
    areas: &'a Areas,
    /// The shares, by the areas' positions.
    pub values: Vec<f64>,
}

impl<'a> Shares<'a> {
    /// Each code with its share, in code order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, f64)> + '_ {
        self.areas.codes().zip(self.values.iter().copied())
    }
}

impl std::ops::Index<&str> for Shares<'_> {
    type Output = f64;

    /// The share of the area `code`; panics if it is not one, as a map does.
    fn index(&self, code: &str) -> &f64 {
        &self.values[self.areas.at(code)]
    }
}

impl Crosswalk {
    /// Assembles a crosswalk from shared measures, which may come in any
    /// order; weights are the shared measure over the source's measure.
    /// Every pair's codes must be among the sources and targets.
    pub fn new(
        measure: &str,
        sources: BTreeMap<String, f64>,
        targets: BTreeMap<String, f64>,
        shared: BTreeMap<(String, String), f64>,
    ) -> Crosswalk {
        let sources: Areas = sources.into_iter().collect();
        let targets: Areas = targets.into_iter().collect();
        // The map is sorted by codes, so the links are too.
        let links = shared
            .into_iter()
            .filter(|(_, shared)| *shared > 0.0)
            .map(|((source, target), shared)| {
                let source = sources.at(&source);
                Link {
                    source,
                    target: targets.at(&target),
                    shared,
                    weight: shared / sources.measures[source],
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

    /// A link's source and target codes.
    pub fn codes(&self, link: &Link) -> (&str, &str) {
        (
            self.sources.code(link.source),
            self.targets.code(link.target),
        )
    }

    /// The share of each source's measure that lies in some target: 1 where
    /// targets cover it, less where part of it is outside every target, more
    /// only where targets overlap.
    pub fn placed_shares(&self) -> Shares<'_> {
        self.per_source(|link| link.weight)
    }

    /// The share of each source's measure that lies in some target, by the
    /// shared measure itself: the same as [`Crosswalk::placed_shares`] unless
    /// [`Crosswalk::allocate_total`] spread each source over the part of it
    /// inside targets.
    pub fn inside_shares(&self) -> Shares<'_> {
        let mut shares = self.per_source(|link| link.shared);
        for (share, &measure) in shares.values.iter_mut().zip(&self.sources.measures) {
            *share = if measure > 0.0 { *share / measure } else { 0.0 };
        }
        shares
    }

    /// tobler's `allocate_total=True`: each source's whole measure (and so
    /// its whole value) is shared over the part of it that lies in some
    /// target, so the weights of every source that some target reaches sum
    /// to 1. A source outside every target stays unplaced. Intensive means
    /// weigh by the shared measure and do not change.
    pub fn allocate_total(mut self) -> Crosswalk {
        let inside = self.per_source(|link| link.shared).values;
        for link in &mut self.links {
            link.weight = link.shared / inside[link.source];
        }
        self
    }

    /// The share of each target's measure that some source covers.
    pub fn covered_shares(&self) -> Shares<'_> {
        let mut covered = vec![0.0; self.targets.len()];
        for link in &self.links {
            covered[link.target] += link.shared;
        }
        for (share, &measure) in covered.iter_mut().zip(&self.targets.measures) {
            *share = if measure > 0.0 { *share / measure } else { 0.0 };
        }
        Shares {
            areas: &self.targets,
            values: covered,
        }
    }

    /// `of(link)` summed over each source's links.
    fn per_source(&self, of: impl Fn(&Link) -> f64) -> Shares<'_> {
        let mut sums = vec![0.0; self.sources.len()];
        for link in &self.links {
            sums[link.source] += of(link);
        }
        Shares {
            areas: &self.sources,
            values: sums,
        }
    }

    /// The crosswalk file: `source_code,target_code,weight`, sorted by codes.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = String::from("source_code,target_code,weight\n");
        for link in &self.links {
            let (source, target) = self.codes(link);
            out.push_str(&format!(
                "{source},{target},{}\n",
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

/// A boundary layer for apportioning: a GeoJSON, Shapefile, GeoPackage
/// (`table`, where it has several polygon tables) or GeoParquet file in WGS84
/// or British National Grid whose `code_field` holds GSS codes, every
/// feature kept (names are not needed, so the code stands in for the name).
pub fn read_layer(
    path: &Path,
    table: Option<&str>,
    code_field: &str,
    fingerprint: Fingerprint,
) -> Result<BoundaryLayer> {
    boundaries::read_table(path, table, fingerprint, code_field, code_field)
}

/// One side of an apportioning: a boundary file, the GeoPackage table in it
/// (where there are several) and the field holding the codes.
#[derive(Debug, Clone)]
pub struct LayerRequest {
    pub path: PathBuf,
    pub table: Option<String>,
    pub code_field: String,
}

impl LayerRequest {
    fn read(&self, fingerprint: Fingerprint) -> Result<BoundaryLayer> {
        read_layer(
            &self.path,
            self.table.as_deref(),
            &self.code_field,
            fingerprint,
        )
    }
}

/// What `jsna-gap apportion` was asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    pub from: LayerRequest,
    pub to: LayerRequest,
    /// The values to carry across, if any: without them the result is the crosswalk.
    pub values: Option<ValuesRequest>,
    /// Share each source's whole value over the part of it inside targets
    /// (tobler's `allocate_total=True`), rather than leaving what lies
    /// outside every target unplaced.
    pub allocate_total: bool,
    pub output: OutputFormat,
}

/// The file a [`Request`] made, and what it was made from.
#[derive(Debug)]
pub struct Done {
    pub bytes: Vec<u8>,
    /// Freed when dropped. A process that exits next can leave them to
    /// the system (`std::mem::forget`), which takes all its memory back at
    /// once: freeing them allocation by allocation (tens of thousands, a
    /// ring each) took 3% of a run.
    pub inputs: Inputs,
}

/// Both layers, the crosswalk between them and the values carried across.
#[derive(Debug)]
pub struct Inputs {
    _source: BoundaryLayer,
    _target: BoundaryLayer,
    _crosswalk: Crosswalk,
    _values: Option<(values::Values, values::Kind)>,
}

#[derive(Debug, Clone)]
pub struct ValuesRequest {
    pub path: PathBuf,
    pub code_column: String,
    pub value_column: String,
    pub kind: values::Kind,
}

/// How the result is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// `source_code,target_code,weight` or `target_code,value`.
    Csv,
    /// The same columns as Parquet; values with each target's boundary,
    /// as GeoParquet in British National Grid.
    Parquet,
}

impl OutputFormat {
    /// Parquet for a `.parquet` or `.geoparquet` file, else CSV.
    pub fn for_path(path: Option<&Path>) -> OutputFormat {
        let extension = path
            .and_then(Path::extension)
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("parquet" | "geoparquet") => OutputFormat::Parquet,
            _ => OutputFormat::Csv,
        }
    }
}

impl Request {
    /// Reads both layers, overlays them by area and makes the output file
    /// (the crosswalk, or the apportioned values); what was repaired, left out
    /// or not placed goes to `progress`, one line at a time.
    pub fn run(&self, progress: &dyn Fn(&str)) -> Result<Done> {
        // Only a Parquet file can say which inputs it came from.
        let fingerprint = match self.output {
            OutputFormat::Parquet => Fingerprint::Sha256,
            OutputFormat::Csv => Fingerprint::Skip,
        };
        // The three files are read at once; the values' errors come first,
        // as if they were read first, and a mistyped column does not wait
        // for the overlay.
        let (values, (source, target)) = rayon::join(
            || self.read_values(fingerprint),
            || rayon::join(|| self.from.read(fingerprint), || self.to.read(fingerprint)),
        );
        let (values, source, target) = (values?, source?, target?);
        for (layer, role) in [(&source, "source"), (&target, "target")] {
            progress(&format!(
                "read {} {role} areas from {} ({})",
                layer.features.len(),
                layer.path.display(),
                layer.source_crs.name()
            ));
        }
        same_crs(&source, &target)?;
        for (layer, role) in [(&source, "--from"), (&target, "--to")] {
            if layer.features.is_empty() {
                return Err(Error::input(&layer.path, "the layer has no areas")
                    .kind(ErrorKind::Missing)
                    .hint(format!("{role} must name a layer with at least one polygon; check the file and --from-layer/--to-layer")));
            }
        }
        let mut crosswalk = area::crosswalk(&source, &target);
        if self.allocate_total {
            crosswalk = crosswalk.allocate_total();
        }
        let provenance = self.provenance(&source, &target, values.as_ref().map(|(v, _)| v));
        let bytes = self.output(
            &crosswalk,
            values.as_ref(),
            &source.path,
            &target,
            provenance,
            progress,
        )?;
        Ok(Done {
            bytes,
            inputs: Inputs {
                _source: source,
                _target: target,
                _crosswalk: crosswalk,
                _values: values,
            },
        })
    }

    /// The output file from the crosswalk, and the values carried across
    /// it if there are any; what could not be placed goes to `progress`.
    fn output(
        &self,
        crosswalk: &Crosswalk,
        values: Option<&(values::Values, values::Kind)>,
        from: &Path,
        target: &BoundaryLayer,
        provenance: serde_json::Value,
        progress: &dyn Fn(&str),
    ) -> Result<Vec<u8>> {
        for line in report::crosswalk_lines(crosswalk) {
            progress(&line);
        }
        trustworthy(crosswalk, from, &target.path)?;
        match (values, self.output) {
            (None, OutputFormat::Csv) => Ok(crosswalk.to_csv()),
            (None, OutputFormat::Parquet) => output::crosswalk_parquet(crosswalk, provenance),
            (Some((values, kind)), format) => {
                let apportioned = values::apportion(crosswalk, values, *kind)?;
                for line in report::values_lines(&apportioned) {
                    progress(&line);
                }
                if let Some(totals) = apportioned.totals {
                    totals.check(&values.path)?;
                }
                match format {
                    OutputFormat::Csv => Ok(apportioned.to_csv()),
                    OutputFormat::Parquet => {
                        output::values_geoparquet(&apportioned, target, provenance)
                    }
                }
            }
        }
    }

    fn read_values(
        &self,
        fingerprint: Fingerprint,
    ) -> Result<Option<(values::Values, values::Kind)>> {
        self.values
            .as_ref()
            .map(|v| {
                let values =
                    values::Values::read(&v.path, &v.code_column, &v.value_column, fingerprint)?;
                Ok((values, v.kind))
            })
            .transpose()
    }

    /// How the output was made, for the Parquet file's metadata: file names
    /// (never whole paths, so the file is the same wherever it was made)
    /// and their SHA-256, fields, and the allocation rule.
    fn provenance(
        &self,
        source: &BoundaryLayer,
        target: &BoundaryLayer,
        values: Option<&values::Values>,
    ) -> serde_json::Value {
        let name = |p: &Path| {
            p.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        };
        let layer = |l: &LayerRequest, read: &BoundaryLayer| serde_json::json!({"file": name(&l.path), "sha256": read.sha256, "table": l.table, "code_field": l.code_field});
        let values = self.values.as_ref().map(|v| {
            serde_json::json!({
                "file": name(&v.path),
                "sha256": values.and_then(|read| read.sha256.as_deref()),
                "code_column": v.code_column,
                "value_column": v.value_column,
                "kind": match v.kind { values::Kind::Extensive => "extensive", values::Kind::Intensive => "intensive" },
            })
        });
        serde_json::json!({
            "tool": format!("jsna-gap {}", env!("CARGO_PKG_VERSION")),
            "from": layer(&self.from, source),
            "to": layer(&self.to, target),
            "measure": "area",
            "allocate_total": self.allocate_total,
            "values": values,
        })
    }
}

/// A crosswalk whose result can be trusted: something is placed, and no
/// more than the sources hold (targets that overlap would place a source
/// twice, so that the targets add up to more than the input).
fn trustworthy(crosswalk: &Crosswalk, from: &Path, to: &Path) -> Result<()> {
    if crosswalk.links.is_empty() {
        return Err(Error::input(
            to,
            "no source area lies in any target area: nothing would be placed",
        )
        .kind(ErrorKind::Mismatch)
        .hint(format!(
            "check that --from ({}) and --to cover the same place, in the same CRS",
            from.display()
        )));
    }
    let placed = crosswalk.placed_shares();
    let measures = crosswalk.sources.measures();
    let total: f64 = measures.iter().sum();
    let over: f64 = (measures.iter().zip(&placed.values))
        .map(|(measure, placed)| measure * (placed - 1.0).max(0.0))
        .sum();
    if over <= OVERLAP_TOLERANCE * total {
        return Ok(());
    }
    let mut twice: Vec<(&str, f64)> = placed
        .iter()
        .filter(|(_, p)| *p > 1.0 + TOLERANCE)
        .collect();
    twice.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = twice
        .iter()
        .take(5)
        .map(|(code, p)| format!("{code} ({:.2}%)", 100.0 * p))
        .collect();
    Err(Error::input(
        to,
        format!(
            "the target areas overlap: {} source areas would be placed more than once ({}), {:.4}% more than the sources hold",
            twice.len(),
            shown.join(", "),
            100.0 * over / total
        ),
    )
    .kind(ErrorKind::Value)
    .hint("targets must not overlap; give a layer of one level and vintage, or use --allocate-total to share each source over the targets it touches"))
}

/// How much more than the sources hold the targets may receive, as a share
/// of the whole, before the overlay is refused: rounding in the exact
/// shared areas is about 1e-12 of a layer; 1e-6 leaves room for slivers
/// where generalised boundaries cross, never for a whole area twice.
const OVERLAP_TOLERANCE: f64 = 1e-6;

/// Both layers in one CRS: a layer projected to British National Grid
/// elsewhere (most software uses a Helmert shift, metres from OSTN15) and
/// one projected here would not meet exactly along shared boundaries, and
/// the slivers would move area between targets.
fn same_crs(source: &BoundaryLayer, target: &BoundaryLayer) -> Result<()> {
    if source.source_crs == target.source_crs {
        return Ok(());
    }
    Err(Error::input(
        &target.path,
        format!(
            "is in {}, but the source layer {} is in {}",
            target.source_crs.name(),
            source.path.display(),
            source.source_crs.name()
        ),
    )
    .kind(ErrorKind::Mismatch)
    .hint(
        "give both layers in one CRS: both as published in WGS84 (projected here with OSTN15), \
         or both in British National Grid, e.g. ogr2ogr -t_srs EPSG:27700 out.gpkg in.geojson",
    ))
}

/// The CCGs of April 2021 (generalised: 4 to 455 points an outer ring,
/// 42 the median), real boundaries for the overlay's tests.
#[cfg(test)]
fn ccgs_2021() -> BoundaryLayer {
    let file = crate::input::embedded::Dataset::builtin()
        .original("boundaries/health/CCG_APR_2021_EN_BUC.geojson")
        .unwrap();
    boundaries::read_file(&file, "AREACD", "AREANM", &|_| None).unwrap()
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

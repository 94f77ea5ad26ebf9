//! Boundary layers: ONS GeoJSON (WGS84, mixed Polygon/MultiPolygon) or a
//! Shapefile, GeoPackage or GeoParquet file in WGS84 or British National
//! Grid (see [`read`]), validated, repaired where needed and projected to
//! British National Grid.

use crate::error::{Error, ErrorKind, Result};
use crate::geography::projection::Projector;
use crate::geography::read::{self, Areal, Crs, Feature, Geometry, Rings, Value, feature_at};
use crate::geography::repair;
use crate::gss;
use crate::input::{DataFile, Fingerprint};
use foldhash::fast::FixedState;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One area's boundary in British National Grid (EPSG:27700, metres).
#[derive(Debug, Clone)]
pub struct Boundary {
    pub code: String,
    pub name: String,
    pub geometry: MultiPolygon<f64>,
}

/// What was done to a feature's geometry to make it valid.
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    pub code: String,
    /// Plain words: "self-intersecting ring repaired; area changed by +0.0012%".
    pub what: String,
}

/// A feature that was read but not kept, and why (e.g. "Welsh area: England-only run").
#[derive(Debug, Clone, PartialEq)]
pub struct Excluded {
    pub code: String,
    pub reason: String,
}

/// A whole layer: the kept features in file order, what was repaired, what was left out.
#[derive(Debug, Clone)]
pub struct BoundaryLayer {
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, for the manifest; None where it was not
    /// asked for (`apportion` writing CSV).
    pub sha256: Option<String>,
    /// The CRS the file was in; `features` are in British National Grid.
    pub source_crs: Crs,
    pub features: Vec<Boundary>,
    pub repairs: Vec<Repair>,
    pub excluded: Vec<Excluded>,
}

/// Read a boundary layer: a GeoJSON FeatureCollection, Shapefile,
/// GeoPackage (its one polygon table) or GeoParquet file, in WGS84 or
/// British National Grid, whose features are Polygons or MultiPolygons,
/// each with a GSS code and a name.
///
/// Every feature's code must be present, a GSS code and unique, and its name
/// present; any fault is an input error naming the file, the feature and its
/// code. Features for which `exclude(code)` gives a reason (e.g. "Welsh area:
/// England-only run"), or that have no geometry, are left out and listed in
/// `excluded`. The rest are projected to British National Grid (if they are
/// not in it already), checked and, where invalid, repaired (listed in
/// `repairs`), and returned in file order.
pub fn read_layer(
    path: &Path,
    code_field: &str,
    name_field: &str,
    exclude: Exclude,
) -> Result<BoundaryLayer> {
    let source = read::read(path, None, Fingerprint::Sha256)?;
    layer_of(path, source, code_field, name_field, exclude)
}

/// [`read_layer`] keeping every feature, naming the GeoPackage table to
/// read where the file has several polygon tables, and taking the file's
/// SHA-256 only if asked.
pub fn read_table(
    path: &Path,
    table: Option<&str>,
    fingerprint: Fingerprint,
    code_field: &str,
    name_field: &str,
) -> Result<BoundaryLayer> {
    let source = read::read(path, table, fingerprint)?;
    layer_of(path, source, code_field, name_field, &|_| None)
}

/// [`read_layer`] on one of a run's input files: a file on disk in any
/// format, or a GeoJSON file compiled into the binary. The layer's path is
/// the name the manifest records.
pub fn read_file(
    file: &DataFile,
    code_field: &str,
    name_field: &str,
    exclude: Exclude,
) -> Result<BoundaryLayer> {
    let mut layer = match file.is_compiled() {
        true => parse_layer(file.path(), &file.bytes()?, code_field, name_field, exclude)?,
        false => read_layer(file.path(), code_field, name_field, exclude)?,
    };
    layer.path = PathBuf::from(file.recorded());
    Ok(layer)
}

/// [`read_layer`] on GeoJSON bytes already read (e.g. from the embedded
/// dataset); `path` names the file in messages and in the layer.
pub fn parse_layer(
    path: &Path,
    bytes: &[u8],
    code_field: &str,
    name_field: &str,
    exclude: Exclude,
) -> Result<BoundaryLayer> {
    let source = read::geojson::parse(path, bytes, Fingerprint::Sha256)?;
    layer_of(path, source, code_field, name_field, exclude)
}

/// What a layer leaves out: given a feature's code, the reason it is not
/// wanted (e.g. "outside England, the scope of this run"), or None.
pub type Exclude<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// The layer of a source read in any format.
fn layer_of(
    path: &Path,
    source: read::Source,
    code_field: &str,
    name_field: &str,
    exclude: Exclude,
) -> Result<BoundaryLayer> {
    let (crs, sha256) = (source.crs, source.sha256);
    let total = source.features.len();
    // Each feature is identified, decoded, projected and repaired on its
    // own, in parallel; rayon's collect keeps file order, and the checks
    // across features and the errors are taken in file order below, so the
    // result never depends on thread timing. Each piece of the work keeps
    // its own projector of the vertices its features share.
    let steps: Vec<Step> = (source.features.into_par_iter().enumerate())
        .map_init(Projector::default, |projector, (index, feature)| {
            let (at, fields) = ((index, total), (code_field, name_field));
            examine(path, at, crs, fields, exclude, feature, projector)
        })
        .collect();
    let mut layer = BoundaryLayer {
        path: path.to_path_buf(),
        sha256,
        source_crs: crs,
        features: Vec::with_capacity(steps.len()),
        repairs: Vec::new(),
        excluded: Vec::new(),
    };
    for outcome in outcomes(path, total, steps)? {
        match outcome? {
            Outcome::Kept(boundary, repair) => {
                layer.repairs.extend(repair);
                layer.features.push(boundary);
            }
            Outcome::Excluded(excluded) => layer.excluded.push(excluded),
        }
    }
    Ok(layer)
}

/// A feature to keep: its identity and its still-undecoded polygons.
struct Keep {
    index: usize,
    code: String,
    name: String,
    polygons: Areal,
}

/// A feature as the parallel pass leaves it.
enum Step {
    /// Its code or name is missing or wrong.
    Unidentified(Error),
    /// Its code, and its geometry is neither a polygon nor missing.
    NotAreal(String, Error),
    /// Its code, and what became of it: kept, left out, or the error its
    /// geometry gave.
    Examined(String, Result<Outcome>),
}

enum Outcome {
    Kept(Boundary, Option<Repair>),
    Excluded(Excluded),
}

/// One feature: identified, then left out (by `exclude`, or for want of a
/// geometry) or decoded, projected, checked and repaired.
fn examine(
    path: &Path,
    (index, total): (usize, usize),
    crs: Crs,
    (code_field, name_field): (&str, &str),
    exclude: Exclude,
    feature: Feature,
    projector: &mut Projector,
) -> Step {
    let (code, name) = match identify(&feature, code_field, name_field) {
        Ok((code, name)) => (code.to_string(), name.to_string()),
        Err(fault) => return Step::Unidentified(fault.into_error(path, index, total)),
    };
    let polygons = match feature.geometry {
        Geometry::Null => None,
        Geometry::Areal(polygons) => Some(polygons),
        Geometry::Other(kind) => {
            let error = Error::input(
                path,
                format!("geometry is a {kind}; area boundaries must be Polygon or MultiPolygon"),
            )
            .feature(feature_at(index, total, Some(&code)))
            .hint("is this a boundary layer? points and lines have no area");
            return Step::NotAreal(code, error);
        }
    };
    let left_out = |reason| {
        Ok(Outcome::Excluded(Excluded {
            code: code.clone(),
            reason,
        }))
    };
    let outcome = match (exclude(&code), polygons) {
        (Some(reason), _) => left_out(reason),
        (None, None) => left_out("no geometry (null)".to_string()),
        (None, Some(polygons)) => process(
            path,
            total,
            crs,
            Keep {
                index,
                code: code.clone(),
                name,
                polygons,
            },
            projector,
        ),
    };
    Step::Examined(code, outcome)
}

/// Every feature's outcome in file order, or the first fault found reading
/// the features in file order: a code or name that is wrong, a code given
/// twice, a geometry that is not areal. These come before any error in a
/// geometry, as they did when they were checked before any was decoded.
fn outcomes(
    path: &Path,
    total: usize,
    mut steps: Vec<Step>,
) -> Result<impl Iterator<Item = Result<Outcome>>> {
    let mut first_seen: HashMap<&str, usize, FixedState> =
        HashMap::with_capacity_and_hasher(steps.len(), FixedState::default());
    let mut fault = None;
    for (index, step) in steps.iter().enumerate() {
        let code = match step {
            Step::Unidentified(_) => {
                fault = Some(index);
                break;
            }
            Step::NotAreal(code, _) | Step::Examined(code, _) => code,
        };
        if let Some(first) = first_seen.insert(code, index) {
            return Err(Error::input(
                path,
                format!(
                    "code {code} appears twice: feature {} and feature {}",
                    first + 1,
                    index + 1
                ),
            )
            .feature(feature_at(index, total, Some(code)))
            .kind(ErrorKind::Duplicate)
            .hint("each area must be one feature; merge the parts into one MultiPolygon"));
        }
        if let Step::NotAreal(..) = step {
            fault = Some(index);
            break;
        }
    }
    if let Some(Step::Unidentified(error) | Step::NotAreal(_, error)) =
        fault.map(|index| steps.swap_remove(index))
    {
        return Err(error);
    }
    // Lazily: a second vector of every outcome was a fresh 10 MB.
    Ok(steps.into_iter().filter_map(|step| match step {
        Step::Examined(_, outcome) => Some(outcome),
        Step::Unidentified(_) | Step::NotAreal(..) => None,
    }))
}

/// What is wrong with a feature's code or name, before a location is known.
struct Fault<'a> {
    code: Option<&'a str>,
    kind: ErrorKind,
    message: String,
    hint: String,
}

impl Fault<'_> {
    fn into_error(self, path: &Path, index: usize, total: usize) -> Error {
        Error::input(path, self.message)
            .kind(self.kind)
            .feature(feature_at(index, total, self.code))
            .hint(self.hint)
    }
}

/// A feature's GSS code and name.
fn identify<'a>(
    feature: &'a Feature,
    code_field: &str,
    name_field: &str,
) -> std::result::Result<(&'a str, &'a str), Fault<'a>> {
    let code = text_property(feature, code_field).map_err(|(kind, message)| Fault {
        code: None,
        kind,
        message,
        hint: code_field_hint(feature),
    })?;
    if let Some(problem) = gss::problem(code) {
        return Err(Fault {
            code: Some(code),
            kind: ErrorKind::Value,
            message: format!("code field '{code_field}': {problem}"),
            hint: format!("'{code_field}' must hold the area's GSS code; is it the right field?"),
        });
    }
    let name = text_property(feature, name_field).and_then(|name| match name.trim() {
        "" => Err((
            ErrorKind::Missing,
            format!("property '{name_field}' (the name) is empty"),
        )),
        name => Ok(name),
    });
    let name = name.map_err(|(kind, message)| Fault {
        code: Some(code),
        kind,
        message,
        hint: format!("'{name_field}' must hold the area's name"),
    })?;
    Ok((code, name))
}

/// A property that must be text, or what is wrong, in a sentence.
fn text_property<'a>(
    feature: &'a Feature,
    field: &str,
) -> std::result::Result<&'a str, (ErrorKind, String)> {
    let properties = feature.properties.iter().flatten();
    match properties.clone().find(|(key, _)| key == field) {
        Some((_, Value::Text(text))) => Ok(text),
        Some((_, other)) => Err((
            ErrorKind::Value,
            format!("property '{field}' is {}, not text", other.describe()),
        )),
        None => {
            let mut names: Vec<&str> = properties.map(|(k, _)| k.as_str()).collect();
            names.sort_unstable();
            let message = match names.as_slice() {
                [] => format!("has no property '{field}' (it has no properties at all)"),
                names => format!(
                    "has no property '{field}'; its properties are: {}",
                    names.join(", ")
                ),
            };
            Err((ErrorKind::Missing, message))
        }
    }
}

/// Point at a property that looks like it holds GSS codes, if there is one.
fn code_field_hint(feature: &Feature) -> String {
    let mut codes: Vec<&str> = feature
        .properties
        .iter()
        .flatten()
        .filter(|(_, value)| matches!(value, Value::Text(v) if gss::problem(v).is_none()))
        .map(|(key, _)| key.as_str())
        .collect();
    codes.sort_unstable();
    match codes.first() {
        Some(key) => format!(
            "set the layer's code field to the property holding GSS codes (here probably '{key}')"
        ),
        None => "set the layer's code field to the property holding GSS codes".to_string(),
    }
}

const WGS84_HINT: &str = "boundary files must be in WGS84 longitude/latitude (EPSG:4326) or \
     British National Grid (EPSG:27700), with the CRS said in the file; reproject with e.g. \
     ogr2ogr -t_srs EPSG:27700";

const REPAIR_HINT: &str = "repair it in a GIS (e.g. QGIS 'Fix geometries' or ogr2ogr \
     -makevalid), or use the geographr_* copy of the layer, which is valid";

/// Decode, project (or check), check and repair one feature.
fn process(
    path: &Path,
    total: usize,
    crs: Crs,
    keep: Keep,
    projector: &mut Projector,
) -> Result<Outcome> {
    let Keep {
        index,
        code,
        name,
        polygons,
    } = keep;
    let fail = |message: String| {
        Error::input(path, message).feature(feature_at(index, total, Some(&code)))
    };
    let rings = polygons.decode().map_err(|why| {
        fail(why)
            .kind(ErrorKind::Format)
            .hint("the geometry is damaged; export the layer again")
    })?;
    if rings.iter().flatten().all(Vec::is_empty) {
        let reason = "empty geometry".to_string();
        return Ok(Outcome::Excluded(Excluded { code, reason }));
    }
    if crs == Crs::Bng
        && rings
            .iter()
            .flatten()
            .flatten()
            .all(|c| c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
    {
        return Err(fail(
            "coordinates look like longitude/latitude, but the file says British National Grid"
                .to_string(),
        )
        .kind(ErrorKind::Mismatch)
        .hint("the file's CRS is wrong: set it to EPSG:4326, e.g. ogr2ogr -a_srs EPSG:4326"));
    }
    let mut unclosed = 0;
    let projected =
        to_polygons(rings, crs, projector, &mut unclosed).map_err(|m| fail(m).hint(WGS84_HINT))?;
    let checked = repair::make_valid(MultiPolygon(projected))
        .map_err(|why| fail(format!("invalid geometry: {why}")).hint(REPAIR_HINT))?;
    if checked.geometry.0.is_empty() {
        let reason = format!(
            "no area left after repair ({})",
            checked.repaired.unwrap_or_default()
        );
        return Ok(Outcome::Excluded(Excluded { code, reason }));
    }
    let closed = match unclosed {
        0 => None,
        1 => Some("unclosed ring closed".to_string()),
        n => Some(format!("{n} unclosed rings closed")),
    };
    let what = match (closed, checked.repaired) {
        (Some(closed), Some(repaired)) => Some(format!("{closed}; {repaired}")),
        (closed, repaired) => closed.or(repaired),
    };
    let repair = what.map(|what| Repair {
        code: code.clone(),
        what,
    });
    Ok(Outcome::Kept(
        Boundary {
            code,
            name,
            geometry: checked.geometry,
        },
        repair,
    ))
}

/// British National Grid polygons from rings in the file's CRS, counting
/// rings whose last position does not repeat the first (geo closes them).
fn to_polygons(
    rings: Rings,
    crs: Crs,
    projector: &mut Projector,
    unclosed: &mut usize,
) -> std::result::Result<Vec<Polygon<f64>>, String> {
    rings
        .into_iter()
        .map(|polygon| {
            let mut rings = polygon.into_iter().map(|mut ring| {
                if ring.first() != ring.last() {
                    *unclosed += 1;
                }
                to_bng_in_place(&mut ring, crs, projector)?;
                Ok(LineString(ring))
            });
            let shell = rings
                .next()
                .transpose()?
                .unwrap_or_else(|| LineString(Vec::new()));
            Ok(Polygon::new(
                shell,
                rings.collect::<std::result::Result<_, String>>()?,
            ))
        })
        .collect()
}

/// The National Grid's extent with a margin: OSTN15 covers eastings 0 to
/// 700 km and northings 0 to 1250 km.
const BNG_EASTINGS: std::ops::RangeInclusive<f64> = -100_000.0..=800_000.0;
const BNG_NORTHINGS: std::ops::RangeInclusive<f64> = -100_000.0..=1_400_000.0;

/// Projects WGS84 positions to British National Grid; checks that British
/// National Grid positions lie on the grid.
fn to_bng_in_place(
    ring: &mut [Coord<f64>],
    crs: Crs,
    projector: &mut Projector,
) -> std::result::Result<(), String> {
    match crs {
        Crs::Wgs84 => {
            for c in ring.iter_mut() {
                let (lon, lat) = (c.x, c.y);
                if !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
                    return Err(format!(
                        "coordinate ({lon}, {lat}) is not a WGS84 longitude/latitude"
                    ));
                }
                let (x, y) = projector.to_bng(lon, lat);
                *c = Coord { x, y };
            }
        }
        Crs::Bng => {
            if let Some(c) = ring
                .iter()
                .find(|c| !(BNG_EASTINGS.contains(&c.x) && BNG_NORTHINGS.contains(&c.y)))
            {
                return Err(format!(
                    "coordinate ({}, {}) is off the British National Grid, which the file says it is in",
                    c.x, c.y
                ));
            }
        }
    }
    Ok(())
}

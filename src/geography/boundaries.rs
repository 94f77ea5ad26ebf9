//! Boundary layers: ONS GeoJSON (WGS84, mixed Polygon/MultiPolygon) read,
//! validated, repaired where needed and projected to British National Grid.

use crate::error::{Error, ErrorKind, Result};
use crate::geography::gss;
use crate::geography::projection::to_bng;
use crate::geography::repair;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use geojson::{Feature, GeoJson, GeometryValue, JsonObject, JsonValue, PolygonType, Position};
use rayon::prelude::*;
use serde_json::error::Category;
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
    /// SHA-256 of the file's bytes, for the manifest.
    pub sha256: String,
    pub features: Vec<Boundary>,
    pub repairs: Vec<Repair>,
    pub excluded: Vec<Excluded>,
}

/// How to tell one feature from another in messages: "feature 12 of 361
/// (E06000001)". Features are counted from 1 in file order.
fn feature_at(index: usize, total: usize, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("feature {} of {total} ({code})", index + 1),
        None => format!("feature {} of {total}", index + 1),
    }
}

/// Read a boundary layer: a GeoJSON FeatureCollection in WGS84 whose features
/// are Polygons or MultiPolygons, each with a GSS code and a name.
///
/// Every feature's code must be present, a GSS code and unique, and its name
/// present; any fault is an input error naming the file, the feature and its
/// code. Features for which `exclude(code)` gives a reason (e.g. "Welsh area:
/// England-only run"), or that have no geometry, are left out and listed in
/// `excluded`. The rest are projected to British National Grid, checked and,
/// where invalid, repaired (listed in `repairs`), and returned in file order.
pub fn read_layer(
    path: &Path,
    code_field: &str,
    name_field: &str,
    exclude: &dyn Fn(&str) -> Option<String>,
) -> Result<BoundaryLayer> {
    let (features, sha256) = read_features(path)?;
    let plan = plan(path, &features, code_field, name_field, exclude)?;
    let total = features.len();
    // Projection and repair are the costly part and independent per
    // feature; rayon's collect keeps file order, and errors are taken in file
    // order below, so the result never depends on thread timing.
    let outcomes: Vec<Result<Outcome>> = plan
        .into_par_iter()
        .map(|step| match step {
            Step::Keep(keep) => process(path, total, keep),
            Step::Exclude(excluded) => Ok(Outcome::Excluded(excluded)),
        })
        .collect();

    let mut layer = BoundaryLayer {
        path: path.to_path_buf(),
        sha256,
        features: Vec::with_capacity(outcomes.len()),
        repairs: Vec::new(),
        excluded: Vec::new(),
    };
    for outcome in outcomes {
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

/// Parse the file as a GeoJSON FeatureCollection in WGS84; also returns the
/// SHA-256 of its bytes.
fn read_features(path: &Path) -> Result<(Vec<Feature>, String)> {
    let bytes = std::fs::read(path).map_err(|err| Error::io(path, err))?;
    let geojson: GeoJson = serde_json::from_slice(&bytes).map_err(|err| json_error(path, &err))?;
    let found = match geojson {
        GeoJson::FeatureCollection(collection) => {
            check_crs(path, collection.foreign_members.as_ref())?;
            return Ok((collection.features, crate::input::sha256_hex(&bytes)));
        }
        GeoJson::Feature(_) => "a single Feature".to_string(),
        GeoJson::Geometry(geometry) => format!("a bare {} geometry", geometry.value.type_name()),
    };
    Err(
        Error::input(path, format!("is {found}, not a GeoJSON FeatureCollection"))
            .kind(ErrorKind::Format)
            .hint("a boundary layer is a FeatureCollection with one feature per area"),
    )
}

/// The names a GeoJSON `crs` member may give WGS84 longitude/latitude.
const WGS84_NAMES: [&str; 6] = [
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "urn:ogc:def:crs:EPSG::4326",
    "EPSG:4326",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
];

/// RFC 7946 GeoJSON has no `crs` member and is WGS84; older GeoJSON may name
/// its CRS, and a file exported in British National Grid says so there.
fn check_crs(path: &Path, members: Option<&JsonObject>) -> Result<()> {
    let Some(crs) = members.and_then(|m| m.get("crs")) else {
        return Ok(());
    };
    let name = crs.pointer("/properties/name").and_then(|n| n.as_str());
    match name {
        Some(name) if WGS84_NAMES.iter().any(|w| w.eq_ignore_ascii_case(name)) => Ok(()),
        _ => Err(Error::input(
            path,
            format!("the file's crs member is {crs}, not WGS84 longitude/latitude"),
        )
        .kind(ErrorKind::Config)
        .key("crs")
        .hint(
            "boundary files must be in WGS84 (EPSG:4326 / CRS84, as RFC 7946 GeoJSON is); \
             reproject with e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson",
        )),
    }
}

/// serde_json's message with its position as the error's location.
fn json_error(path: &Path, err: &serde_json::Error) -> Error {
    let (what, hint) = match err.classify() {
        Category::Data => (
            "not GeoJSON",
            "expected a GeoJSON FeatureCollection (RFC 7946, WGS84); convert TopoJSON or \
             shapefiles first, e.g. with ogr2ogr -f GeoJSON",
        ),
        Category::Syntax | Category::Eof | Category::Io => (
            "malformed JSON",
            "the file is truncated or is not JSON; download it again",
        ),
    };
    // serde_json's Display ends in " at line L column C"; keep just the message.
    let message = err.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    let error = Error::input(path, format!("{what}: {message}"))
        .kind(ErrorKind::Format)
        .hint(hint);
    match err.line() {
        0 => error,
        line => error.line(line as u64).column(err.column() as u64),
    }
}

/// A feature to keep: its identity and its still-unprojected polygons.
struct Keep<'a> {
    index: usize,
    code: String,
    name: String,
    polygons: Vec<&'a PolygonType>,
}

enum Step<'a> {
    Keep(Keep<'a>),
    Exclude(Excluded),
}

enum Outcome {
    Kept(Boundary, Option<Repair>),
    Excluded(Excluded),
}

/// The cheap, sequential pass: identify every feature, reject bad codes,
/// names and geometry types, and decide what to keep.
fn plan<'a>(
    path: &Path,
    features: &'a [Feature],
    code_field: &str,
    name_field: &str,
    exclude: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Step<'a>>> {
    let total = features.len();
    let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(total);
    let mut plan = Vec::with_capacity(total);
    for (index, feature) in features.iter().enumerate() {
        let (code, name) = identify(feature, code_field, name_field)
            .map_err(|fault| fault.into_error(path, index, total))?;
        let fail = |message: String| {
            Error::input(path, message).feature(feature_at(index, total, Some(code)))
        };
        if let Some(first) = first_seen.insert(code, index) {
            return Err(fail(format!(
                "code {code} appears twice: feature {} and feature {}",
                first + 1,
                index + 1
            ))
            .kind(ErrorKind::Duplicate)
            .hint("each area must be one feature; merge the parts into one MultiPolygon"));
        }
        let polygons = match &feature.geometry {
            None => None,
            Some(geometry) => Some(polygons(&geometry.value).ok_or_else(|| {
                fail(format!(
                    "geometry is a {}; area boundaries must be Polygon or MultiPolygon",
                    geometry.value.type_name()
                ))
                .hint("is this a boundary layer? points and lines have no area")
            })?),
        };
        let kept = match (exclude(code), polygons) {
            (Some(reason), _) => Err(reason),
            (None, None) => Err("no geometry (null)".to_string()),
            (None, Some(polygons)) if polygons.iter().flat_map(|p| p.iter()).all(Vec::is_empty) => {
                Err("empty geometry".to_string())
            }
            (None, Some(polygons)) => Ok(polygons),
        };
        plan.push(match kept {
            Ok(polygons) => Step::Keep(Keep {
                index,
                code: code.to_string(),
                name: name.to_string(),
                polygons,
            }),
            Err(reason) => Step::Exclude(Excluded {
                code: code.to_string(),
                reason,
            }),
        });
    }
    Ok(plan)
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
    match feature.properties.as_ref().and_then(|p| p.get(field)) {
        Some(JsonValue::String(text)) => Ok(text),
        Some(other) => Err((
            ErrorKind::Value,
            format!("property '{field}' is {}, not text", describe(other)),
        )),
        None => {
            let mut names: Vec<&str> = feature
                .properties
                .iter()
                .flatten()
                .map(|(k, _)| k.as_str())
                .collect();
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
    let looks_like_code = feature
        .properties
        .iter()
        .flatten()
        .find_map(|(key, value)| {
            value
                .as_str()
                .filter(|v| gss::problem(v).is_none())
                .map(|_| key)
        });
    match looks_like_code {
        Some(key) => format!(
            "set the layer's code field to the property holding GSS codes (here probably '{key}')"
        ),
        None => "set the layer's code field to the property holding GSS codes".to_string(),
    }
}

fn describe(value: &JsonValue) -> String {
    match value {
        JsonValue::Null => "null".to_string(),
        JsonValue::Bool(b) => format!("the boolean {b}"),
        JsonValue::Number(n) => format!("the number {n}"),
        JsonValue::String(s) => format!("'{s}'"),
        JsonValue::Array(_) => "a list".to_string(),
        JsonValue::Object(_) => "an object".to_string(),
    }
}

/// The polygons of a Polygon or MultiPolygon; None for any other type.
fn polygons(geometry: &GeometryValue) -> Option<Vec<&PolygonType>> {
    match geometry {
        GeometryValue::Polygon { coordinates } => Some(vec![coordinates]),
        GeometryValue::MultiPolygon { coordinates } => Some(coordinates.iter().collect()),
        _ => None,
    }
}

const WGS84_HINT: &str = "boundary files must be in WGS84 longitude/latitude (EPSG:4326, as \
     RFC 7946 GeoJSON is); reproject with e.g. ogr2ogr -t_srs EPSG:4326";

const REPAIR_HINT: &str = "repair it in a GIS (e.g. QGIS 'Fix geometries' or ogr2ogr \
     -makevalid), or use the geographr_* copy of the layer, which is valid";

/// Project, check and repair one feature.
fn process(path: &Path, total: usize, keep: Keep) -> Result<Outcome> {
    let Keep {
        index,
        code,
        name,
        polygons,
    } = keep;
    let fail = |message: String| {
        Error::input(path, message).feature(feature_at(index, total, Some(&code)))
    };
    let mut unclosed = 0;
    let projected = polygons
        .into_iter()
        .map(|polygon| project_polygon(polygon, &mut unclosed))
        .collect::<std::result::Result<Vec<_>, String>>()
        .map_err(|message| fail(message).hint(WGS84_HINT))?;
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

/// GeoJSON rings (lon/lat) straight to a British National Grid polygon,
/// counting rings whose last position does not repeat the first (geo closes
/// them).
fn project_polygon(
    rings: &[Vec<Position>],
    unclosed: &mut usize,
) -> std::result::Result<Polygon<f64>, String> {
    let mut rings = rings.iter().map(|ring| project_ring(ring, unclosed));
    let shell = rings
        .next()
        .transpose()?
        .unwrap_or_else(|| LineString(Vec::new()));
    Ok(Polygon::new(
        shell,
        rings.collect::<std::result::Result<_, _>>()?,
    ))
}

fn project_ring(
    ring: &[Position],
    unclosed: &mut usize,
) -> std::result::Result<LineString<f64>, String> {
    if ring.first() != ring.last() {
        *unclosed += 1;
    }
    ring.iter()
        .map(|position| match *position.as_slice() {
            [lon, lat, ..] if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) => {
                let (x, y) = to_bng(lon, lat);
                Ok(Coord { x, y })
            }
            [x, y, ..] => Err(format!(
                "coordinate ({x}, {y}) is not a WGS84 longitude/latitude"
            )),
            _ => Err("a position has fewer than 2 numbers".to_string()),
        })
        .collect()
}

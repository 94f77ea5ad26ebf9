//! GeoJSON: a FeatureCollection, read with serde straight into what the
//! boundary reader needs: a feature's `coordinates` go into one flat vector
//! of positions (no tree of JSON values, no vector per position), which is
//! most of the reading time saved.

use super::{Areal, Crs, Feature, Format, Geometry, Rings, Source, Value, crs};
use crate::error::{Error, ErrorKind, Result};
use geo::Coord;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::Value as Json;
use serde_json::error::Category;
use std::fmt;
use std::path::Path;

/// The top level: only a FeatureCollection is a layer, but the other GeoJSON
/// types are named so the message can say what the file is instead.
#[derive(Deserialize)]
struct Top {
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default)]
    features: Vec<JsonFeature>,
    crs: Option<Json>,
}

#[derive(Deserialize)]
enum Kind {
    FeatureCollection,
    Feature,
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
    GeometryCollection,
}

#[derive(Deserialize)]
struct JsonFeature {
    properties: Option<serde_json::Map<String, Json>>,
    geometry: Option<JsonGeometry>,
}

#[derive(Deserialize)]
struct JsonGeometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Option<Nested>,
}

pub fn read(path: &Path) -> Result<Source> {
    let bytes = std::fs::read(path).map_err(|err| Error::io(path, err))?;
    parse(path, &bytes)
}

/// A GeoJSON file's bytes already read; `path` names it in messages.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Source> {
    let top: Top = serde_json::from_slice(bytes).map_err(|err| json_error(path, &err))?;
    let found = match top.kind {
        Kind::FeatureCollection => None,
        Kind::Feature => Some("a single Feature"),
        Kind::Point => Some("a bare Point geometry"),
        Kind::MultiPoint => Some("a bare MultiPoint geometry"),
        Kind::LineString => Some("a bare LineString geometry"),
        Kind::MultiLineString => Some("a bare MultiLineString geometry"),
        Kind::Polygon => Some("a bare Polygon geometry"),
        Kind::MultiPolygon => Some("a bare MultiPolygon geometry"),
        Kind::GeometryCollection => Some("a bare GeometryCollection geometry"),
    };
    if let Some(found) = found {
        return Err(
            Error::input(path, format!("is {found}, not a GeoJSON FeatureCollection"))
                .kind(ErrorKind::Format)
                .hint("a boundary layer is a FeatureCollection with one feature per area"),
        );
    }
    Ok(Source {
        format: Format::GeoJson,
        crs: layer_crs(path, top.crs.as_ref())?,
        sha256: crate::input::sha256_hex(bytes),
        features: top.features.into_iter().map(feature).collect(),
    })
}

/// RFC 7946 GeoJSON has no `crs` member and is WGS84; older GeoJSON may name
/// its CRS there (GDAL does for British National Grid).
fn layer_crs(path: &Path, member: Option<&Json>) -> Result<Crs> {
    let Some(member) = member else {
        return Ok(Crs::Wgs84);
    };
    let name = member.pointer("/properties/name").and_then(Json::as_str);
    name.ok_or_else(|| member.to_string())
        .and_then(crs::from_name)
        .map_err(|_| {
            Error::input(
                path,
                format!(
                    "the file's crs member is {member}, neither WGS84 nor British National Grid"
                ),
            )
            .kind(ErrorKind::Unknown)
            .key("crs")
            .hint(crs::HINT)
        })
}

fn feature(feature: JsonFeature) -> Feature {
    let geometry = match feature.geometry {
        None => Geometry::Null,
        Some(JsonGeometry {
            kind,
            coordinates: Some(coordinates),
        }) if kind == "Polygon" || kind == "MultiPolygon" => {
            Geometry::Areal(Areal::Json(Coordinates {
                multi: kind == "MultiPolygon",
                nested: coordinates,
            }))
        }
        Some(geometry) => Geometry::Other(geometry.kind),
    };
    Feature {
        properties: feature
            .properties
            .map(|p| p.into_iter().map(|(k, v)| (k, value(v))).collect()),
        geometry,
    }
}

fn value(v: Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => Value::Number(n.to_string()),
        Json::String(s) => Value::Text(s),
        Json::Array(_) => Value::List,
        Json::Object(_) => Value::Object,
    }
}

/// serde_json's message with its position as the error's location.
fn json_error(path: &Path, err: &serde_json::Error) -> Error {
    let (what, hint) = match err.classify() {
        Category::Data => (
            "not GeoJSON",
            "expected a GeoJSON FeatureCollection (RFC 7946); convert TopoJSON first, e.g. \
             with ogr2ogr -f GeoJSON, or give a Shapefile, GeoPackage or GeoParquet file",
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

/// A Polygon's or MultiPolygon's `coordinates`, as read.
#[derive(Debug)]
pub struct Coordinates {
    multi: bool,
    nested: Nested,
}

impl Coordinates {
    /// The rings of the polygons, checked against the geometry's type.
    pub fn rings(self) -> std::result::Result<Rings, String> {
        let Nested {
            positions,
            counts,
            height,
        } = self.nested;
        let (expected, kind) = if self.multi {
            (4, "MultiPolygon")
        } else {
            (3, "Polygon")
        };
        match height {
            0 => return Ok(Vec::new()), // "coordinates": []
            h if h != expected => {
                return Err(format!(
                    "a {kind}'s coordinates are nested {h} deep, not {expected}"
                ));
            }
            _ => {}
        }
        let [ring_lengths, polygon_sizes, _] = counts;
        let mut positions = positions.into_iter();
        let mut rings = ring_lengths
            .into_iter()
            .map(|n| positions.by_ref().take(n).collect::<Vec<_>>());
        Ok(polygon_sizes
            .into_iter()
            .map(|n| rings.by_ref().take(n).collect())
            .collect())
    }
}

/// Nested arrays of positions, flattened as they are read: every position
/// in order, and for each array of arrays how many it holds, by height (a
/// ring is 2 high, a polygon 3, a multipolygon 4).
#[derive(Debug, Default)]
struct Nested {
    positions: Vec<Coord<f64>>,
    /// counts[h - 2]: the sizes of the arrays of height h, in order.
    counts: [Vec<usize>; 3],
    /// The whole array's height; 0 if it is empty.
    height: usize,
}

impl<'de> Deserialize<'de> for Nested {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let mut nested = Nested::default();
        nested.height = match (ArrayVisitor { into: &mut nested }).deserialize(deserializer)? {
            Element::Array(height) => height.unwrap_or(0),
            Element::Number(_) => {
                return Err(de::Error::custom("coordinates is a number, not a list"));
            }
        };
        Ok(nested)
    }
}

/// One array, read into `into`; gives its height (None if it is empty).
struct ArrayVisitor<'a> {
    into: &'a mut Nested,
}

/// One element of an array: a number, or an array of that height.
enum Element {
    Number(f64),
    Array(Option<usize>),
}

impl<'de> DeserializeSeed<'de> for ArrayVisitor<'_> {
    type Value = Element;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Element, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArrayVisitor<'_> {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("coordinates: nested lists of numbers")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Element, E> {
        Ok(Element::Number(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Element, E> {
        Ok(Element::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Element, E> {
        Ok(Element::Number(v as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Element, A::Error> {
        let into = self.into;
        let (mut numbers, mut xy) = (0, [0.0; 2]);
        let (mut children, mut height) = (0, None);
        while let Some(element) = seq.next_element_seed(ArrayVisitor { into: &mut *into })? {
            match element {
                Element::Number(v) if children == 0 => {
                    if numbers < 2 {
                        xy[numbers] = v;
                    }
                    numbers += 1;
                }
                Element::Array(h) if numbers == 0 => {
                    if h.is_none() || (height.is_some() && height != h) {
                        return Err(de::Error::custom(
                            "coordinates hold an empty list or lists nested unevenly",
                        ));
                    }
                    height = h;
                    children += 1;
                }
                _ => return Err(de::Error::custom("a list mixes numbers and lists")),
            }
        }
        Ok(Element::Array(match (numbers, height) {
            (0, None) => None,
            (1, _) => return Err(de::Error::custom("a position has fewer than 2 numbers")),
            (_, None) => {
                into.positions.push(Coord { x: xy[0], y: xy[1] });
                Some(1)
            }
            (_, Some(h)) => {
                let sizes = into
                    .counts
                    .get_mut(h - 1)
                    .ok_or_else(|| de::Error::custom("coordinates are nested more than 4 deep"))?;
                sizes.push(children);
                Some(h + 1)
            }
        }))
    }
}

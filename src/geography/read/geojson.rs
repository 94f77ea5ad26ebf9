//! GeoJSON: a FeatureCollection, read with serde straight into what the
//! boundary reader needs: a feature's `coordinates` go into one flat vector
//! of positions (no tree of JSON values, no vector per position), which is
//! most of the reading time saved, and its properties into [`Value`]s.
//! Features are found without parsing ([`cut`]) and parsed in parallel,
//! their coordinates by hand where they are written plainly ([`plain`]);
//! whatever is not plain is serde_json's to read (see [`parse`]).

use super::{Areal, Crs, Feature, Format, Geometry, Rings, Source, Value, crs};
use crate::error::{Error, ErrorKind, Result};
use crate::input::Fingerprint;
use geo::Coord;
use rayon::prelude::*;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::Value as Json;
use serde_json::error::Category;
use std::fmt;
use std::path::Path;

mod cut;
mod plain;

/// The top level: only a FeatureCollection is a layer, but the other GeoJSON
/// types are named so the message can say what the file is instead.
#[derive(Deserialize)]
struct Top<F> {
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default = "Vec::new")]
    features: Vec<F>,
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
    properties: Option<Properties>,
    geometry: Option<JsonGeometry>,
}

/// A feature's properties in key order (a key given twice keeps its last
/// value), each value read only as far as [`Value`] holds it: a list or an
/// object is passed over, not built. serde_json passes over values without
/// its limit on nesting (128), so how deep a feature's properties nest
/// never depends on where the feature is read: from the whole file, or
/// from its own text in parallel.
struct Properties(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let map = std::collections::BTreeMap::<String, Property>::deserialize(d)?;
        Ok(Properties(map.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

struct Property(Value);

impl<'de> Deserialize<'de> for Property {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(PropertyVisitor).map(Property)
    }
}

struct PropertyVisitor;

impl<'de> Visitor<'de> for PropertyVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    /// Numbers are written as serde_json writes them.
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::Number(serde_json::Number::from(v).to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::Number(serde_json::Number::from(v).to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Value, E> {
        // JSON has no NaN or infinity, so every number read is finite.
        let number = serde_json::Number::from_f64(v);
        Ok(Value::Number(
            number.map_or_else(|| v.to_string(), |n| n.to_string()),
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::Text(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::Text(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Value::List)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Value::Object)
    }
}

#[derive(Deserialize)]
struct JsonGeometry {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Option<Nested>,
}

pub fn read(path: &Path, fingerprint: Fingerprint) -> Result<Source> {
    let bytes = std::fs::read(path).map_err(|err| Error::io(path, err))?;
    parse(path, &bytes, fingerprint)
}

/// A GeoJSON file's bytes already read; `path` names it in messages.
pub fn parse(path: &Path, bytes: &[u8], fingerprint: Fingerprint) -> Result<Source> {
    let (top, sha256) = rayon::join(|| read_top(path, bytes), || fingerprint.of(&[bytes]));
    let top = top?;
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
        sha256,
        features: top.features,
    })
}

/// The document, its features read in parallel where it parses; else read
/// in one pass, which gives serde_json's own message and position for
/// whatever is wrong, exactly as before features were read in parallel.
fn read_top(path: &Path, bytes: &[u8]) -> Result<Top<Feature>> {
    if let Some(top) = read_in_parallel(bytes) {
        return Ok(top);
    }
    let top: Top<JsonFeature> =
        serde_json::from_slice(bytes).map_err(|err| json_error(path, &err))?;
    Ok(Top {
        kind: top.kind,
        features: top.features.into_iter().map(feature).collect(),
        crs: top.crs,
    })
}

/// The document cut at its features ([`cut`]), and the features parsed
/// from their own texts, in parallel and in file order; None if any piece
/// fails to parse. A feature reads the same from its own text as within
/// the document: all that could differ is serde_json's limit on nesting,
/// which applies only to `coordinates` here (see [`Properties`]), and those
/// nest at most 4 deep or are refused either way.
fn read_in_parallel(bytes: &[u8]) -> Option<Top<Feature>> {
    let cut = cut::cut(bytes)?;
    let top: Top<de::IgnoredAny> = serde_json::from_slice(&cut.skeleton).ok()?;
    // Collected whole, then unwrapped: rayon collects an Option<Vec<_>>
    // piece by piece and copies the pieces together.
    let features: Vec<Option<Feature>> = (cut.features.par_iter())
        .map(|text| read_feature(text))
        .collect();
    let features = features.into_iter().collect::<Option<Vec<Feature>>>()?;
    Some(Top {
        kind: top.kind,
        features,
        crs: top.crs,
    })
}

/// One feature from its own text. Where its coordinates are plain
/// ([`plain`]), they are read on their own and serde_json reads the rest
/// with an empty array in their place; else serde_json reads it all.
fn read_feature(text: &[u8]) -> Option<Feature> {
    let quick = || {
        let open = cut::coordinates(text)?;
        let (nested, length) = plain::read(&text[open..])?;
        let shell = [&text[..open], b"[]", &text[open + length..]].concat();
        let mut shell: JsonFeature = serde_json::from_slice(&shell).ok()?;
        shell.geometry.as_mut()?.coordinates = Some(nested);
        Some(shell)
    };
    let whole = || serde_json::from_slice(text).ok();
    quick().or_else(whole).map(feature)
}

/// The first position from `at` that is not JSON whitespace (space, tab,
/// line feed, carriage return): for the readers that lex by hand.
fn skip_whitespace(text: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = text.get(at) {
        at += 1;
    }
    at
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
        properties: feature.properties.map(|p| p.0),
        geometry,
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
        let mut rings = split_rings(positions, &ring_lengths).into_iter();
        Ok(polygon_sizes
            .into_iter()
            .map(|n| rings.by_ref().take(n).collect())
            .collect())
    }
}

/// Every position cut into rings of the given lengths (which add up to
/// the number of positions), from the end, so that the first ring keeps
/// the positions' own buffer: a feature of one ring (most are) is not
/// copied at all.
fn split_rings(mut positions: Vec<Coord<f64>>, lengths: &[usize]) -> Vec<Vec<Coord<f64>>> {
    let Some((_, rest)) = lengths.split_first() else {
        return Vec::new();
    };
    let mut rings = Vec::with_capacity(lengths.len());
    for &n in rest.iter().rev() {
        rings.push(positions.split_off(positions.len() - n));
    }
    rings.push(positions);
    rings.reverse();
    rings
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_cut_into_rings_in_order() {
        let at = |x: f64| Coord { x, y: 0.0 };
        let positions: Vec<Coord<f64>> = (0..9).map(|i| at(f64::from(i))).collect();
        let rings = split_rings(positions, &[4, 2, 3]);
        let xs: Vec<Vec<f64>> = rings
            .iter()
            .map(|r| r.iter().map(|c| c.x).collect())
            .collect();
        assert_eq!(
            xs,
            [
                vec![0.0, 1.0, 2.0, 3.0],
                vec![4.0, 5.0],
                vec![6.0, 7.0, 8.0]
            ]
        );
        assert!(split_rings(Vec::new(), &[]).is_empty());
    }

    #[test]
    fn features_read_in_parallel_are_those_read_in_one_pass() {
        let text_of = |i: usize| {
            format!(
                r#"{{"type":"Feature","properties":{{"code":"E0{i:07}","n":{i}}},"geometry":{{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,{i}],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]],[[5.2,5.2],[5.4,5.2],[5.4,5.4],[5.2,5.2]]]]}}}}"#
            )
        };
        let features: Vec<String> = (0..775).map(text_of).collect();
        let text = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",\n")
        );
        let parallel = read_in_parallel(text.as_bytes()).expect("parses");
        let whole: Top<JsonFeature> = serde_json::from_str(&text).unwrap();
        assert_eq!(parallel.features.len(), whole.features.len());
        for (a, b) in parallel.features.into_iter().zip(whole.features) {
            let b = feature(b);
            assert_eq!(a.properties, b.properties);
            let rings = |f: Feature| match f.geometry {
                Geometry::Areal(areal) => areal.decode().unwrap(),
                _ => panic!("not areal"),
            };
            assert_eq!(rings(a), rings(b));
        }
    }

    /// Properties read as serde_json's own values read them, for every
    /// kind of value; a key given twice keeps its last value.
    #[test]
    fn properties_are_what_serde_json_reads() {
        let text = r#"{"a": 1, "b": -1, "c": 1.50, "d": 1e21, "e": 18446744073709551615,
            "f": -9223372036854775808, "g": 1.0e-7, "h": "t\u00e9\"x", "i": null,
            "j": true, "k": false, "l": [1, [2, {"m": 3}]], "n": {"o": [], "p": {}},
            "a": 2, "q": 0.1, "r": 123456789012345678901234567890}"#;
        let Properties(ours) = serde_json::from_str(text).unwrap();
        let theirs: serde_json::Map<String, Json> = serde_json::from_str(text).unwrap();
        let theirs: Vec<(String, Value)> = (theirs.into_iter())
            .map(|(k, v)| {
                let v = match v {
                    Json::Null => Value::Null,
                    Json::Bool(b) => Value::Bool(b),
                    Json::Number(n) => Value::Number(n.to_string()),
                    Json::String(s) => Value::Text(s),
                    Json::Array(_) => Value::List,
                    Json::Object(_) => Value::Object,
                };
                (k, v)
            })
            .collect();
        assert_eq!(ours, theirs);
        assert_eq!(ours[0], ("a".to_string(), Value::Number("2".to_string())));
    }

    /// A property nested deeper than serde_json's limit of 128 reads the
    /// same in parallel and from the whole file (the limit would otherwise
    /// fall two levels deeper for a feature read from its own text).
    #[test]
    fn deep_properties_read_the_same_in_parallel_and_whole() {
        for depth in [120, 126, 127, 128, 200] {
            let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let text = format!(
                r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"code":"E01000001","deep":{deep}}},"geometry":null}}]}}"#
            );
            let parallel = read_in_parallel(text.as_bytes()).expect("parses in parallel");
            let whole: Top<JsonFeature> = serde_json::from_str(&text).expect("parses whole");
            let whole: Vec<Feature> = whole.features.into_iter().map(feature).collect();
            assert_eq!(
                parallel.features[0].properties, whole[0].properties,
                "{depth}"
            );
        }
    }

    /// A feature as read, numbers as their bits.
    fn image(feature: &Feature) -> String {
        let geometry = match &feature.geometry {
            Geometry::Areal(Areal::Json(Coordinates { multi, nested })) => {
                let bits: Vec<(u64, u64)> = (nested.positions.iter())
                    .map(|c| (c.x.to_bits(), c.y.to_bits()))
                    .collect();
                format!("{multi} {bits:?} {:?} {}", nested.counts, nested.height)
            }
            other => format!("{other:?}"),
        };
        format!("{:?} {geometry}", feature.properties)
    }

    /// Read in parallel and, where that reads it, as one document.
    fn same_as_whole(text: &[u8]) -> bool {
        let Some(parallel) = read_in_parallel(text) else {
            return false;
        };
        let whole: Top<JsonFeature> = serde_json::from_slice(text).unwrap_or_else(|e| {
            panic!(
                "{}: read in parallel, but not whole: {e}",
                String::from_utf8_lossy(text)
            )
        });
        let whole: Vec<Feature> = whole.features.into_iter().map(feature).collect();
        let images = |features: &[Feature]| features.iter().map(image).collect::<Vec<_>>();
        assert_eq!(images(&parallel.features), images(&whole));
        assert_eq!(parallel.crs, whole_crs(text));
        true
    }

    fn whole_crs(text: &[u8]) -> Option<Json> {
        serde_json::from_slice::<Top<de::IgnoredAny>>(text)
            .unwrap()
            .crs
    }

    #[test]
    fn every_embedded_layer_reads_in_parallel_as_in_one_pass() {
        let dataset = crate::input::embedded::Dataset::builtin();
        for name in dataset.names().filter(|n| n.ends_with(".geojson.gz")) {
            let bytes = dataset.file(name).unwrap().bytes().unwrap();
            assert!(same_as_whole(&bytes), "{name}");
        }
    }

    /// Every byte of a small collection deleted, or a character put before
    /// it, in turn: whatever reads in parallel reads the same whole.
    #[test]
    fn damaged_collections_read_in_parallel_only_as_they_read_whole() {
        let text = concat!(
            r#"{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "x"}}, "features": ["#,
            r#"{"type": "Feature", "properties": {"code": "E0\"1}", "n": 1.5, "l": [{"a": null}]}, "#,
            r#""geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1.25], [0, 0]]]}},"#,
            "\n",
            r#"{"type": "Feature", "properties": {"code": "E02"}, "geometry": {"type": "MultiPolygon", "#,
            r#""coordinates": [[[[5, 5], [6, 5], [6, 6], [5, 5]]]]}}]}"#
        );
        assert!(same_as_whole(text.as_bytes()));
        let mut read = 0;
        for at in 0..text.len() {
            let (head, tail) = (&text.as_bytes()[..at], &text.as_bytes()[at..]);
            read += usize::from(same_as_whole(&[head, &tail[1..]].concat()));
            for put in [
                b"{", b"}", b"[", b"]", b"\"", b"\\", b",", b":", b" ", b"0", b"e",
            ] {
                read += usize::from(same_as_whole(&[head, put, tail].concat()));
            }
        }
        assert!(read > 200, "{read}");
    }

    #[test]
    fn a_damaged_feature_gives_the_message_of_the_whole_file() {
        let text = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,"x"]]]}}]}"#;
        let error = parse(Path::new("x.geojson"), text, Fingerprint::Skip).unwrap_err();
        let Err(whole) = serde_json::from_slice::<Top<JsonFeature>>(text) else {
            panic!("the whole file parsed");
        };
        assert_eq!(error.location.line, Some(whole.line() as u64));
        assert_eq!(error.location.column, Some(whole.column() as u64));
    }
}

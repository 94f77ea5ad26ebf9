//! Boundary files in the formats analysts receive them in: GeoJSON (what ONS
//! publishes), ESRI Shapefile and GeoPackage (what GIS teams send),
//! GeoParquet (what data warehouses hold). One reader per format, each
//! giving the same [`Source`]: every feature's properties and still-undecoded
//! polygons, in file order, and the layer's coordinate reference system.
//! [`super::boundaries`] then checks codes and names, decodes, projects and
//! repairs, the same way for every format.
//!
//! The format is told by the file's first bytes (SQLite, Parquet and
//! Shapefile have signatures), else taken to be GeoJSON.

pub mod crs;
pub mod geojson;
mod geoparquet;
mod gpkg;
mod shapefile;

use crate::error::{Error, ErrorKind, Result};
use crate::geography::wkb;
use crate::input::Fingerprint;
use std::io::Read;
use std::path::Path;

pub use crs::Crs;

pub use crate::geography::wkb::Rings;

/// A boundary file's features, read but not yet decoded.
#[derive(Debug)]
pub struct Source {
    pub format: Format,
    pub crs: Crs,
    /// SHA-256 of the file's bytes (for a Shapefile, of its files in turn:
    /// .shp, .shx, .dbf, .prj, .cpg where present), where it was asked for.
    pub sha256: Option<String>,
    pub features: Vec<Feature>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Shapefile,
    GeoPackage,
    GeoParquet,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Shapefile => "Shapefile",
            Format::GeoPackage => "GeoPackage",
            Format::GeoParquet => "GeoParquet",
        }
    }
}

/// One feature: its attributes (None where a GeoJSON feature has no
/// properties object at all) and its geometry.
#[derive(Debug)]
pub struct Feature {
    pub properties: Option<Vec<(String, Value)>>,
    pub geometry: Geometry,
}

/// An attribute value, as much of it as messages and codes need.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    /// A number, written as the file writes it.
    Number(String),
    Bool(bool),
    List,
    Object,
    /// Bytes (a BLOB or Parquet binary column).
    Binary,
}

impl Value {
    /// "the number 6000001", "'E06000001'", "null", for messages.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".to_string(),
            Value::Bool(b) => format!("the boolean {b}"),
            Value::Number(n) => format!("the number {n}"),
            Value::Text(s) => format!("'{s}'"),
            Value::List => "a list".to_string(),
            Value::Object => "an object".to_string(),
            Value::Binary => "binary data".to_string(),
        }
    }
}

#[derive(Debug)]
pub enum Geometry {
    /// No geometry (GeoJSON null, a NULL blob, a Shapefile null shape).
    Null,
    Areal(Areal),
    /// Some other type, by its name ("LineString", "Point").
    Other(String),
}

/// A Polygon or MultiPolygon, decoded only when it is needed: decoding runs
/// in parallel with projection and repair.
#[derive(Debug)]
pub enum Areal {
    /// GeoJSON `coordinates`: a Polygon's, or a MultiPolygon's.
    Json(geojson::Coordinates),
    /// Well-known binary: a Polygon or MultiPolygon.
    Wkb(Vec<u8>),
    /// Rings already grouped into polygons (Shapefile).
    Rings(Rings),
}

impl Areal {
    /// The polygons' rings, or a sentence saying what is wrong with them.
    pub fn decode(self) -> std::result::Result<Rings, String> {
        match self {
            Areal::Json(coordinates) => coordinates.rings(),
            Areal::Wkb(bytes) => wkb::polygons(&bytes),
            Areal::Rings(rings) => Ok(rings),
        }
    }
}

/// The file's format, from its first bytes; a zip archive or a Shapefile's
/// companion file is refused with what to give instead.
fn format(path: &Path) -> Result<Format> {
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|err| Error::io(path, err))?;
    let n = read_head(&mut file, &mut head).map_err(|err| Error::io(path, err))?;
    let head = &head[..n];
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if head.starts_with(b"SQLite format 3\0") {
        Ok(Format::GeoPackage)
    } else if head.starts_with(b"PAR1") {
        Ok(Format::GeoParquet)
    } else if head.starts_with(&[0x00, 0x00, 0x27, 0x0a]) && extension == "shp" {
        Ok(Format::Shapefile)
    } else if head.starts_with(b"PK\x03\x04") {
        Err(Error::input(path, "is a zip archive, not a boundary layer")
            .kind(ErrorKind::Format)
            .hint("unzip it and give the .shp, .gpkg, .parquet or .geojson inside"))
    } else if matches!(extension.as_str(), "dbf" | "shx" | "prj" | "cpg") {
        Err(
            Error::input(path, format!("is the .{extension} part of a Shapefile"))
                .kind(ErrorKind::Format)
                .hint("give the .shp file; its .shx, .dbf and .prj are found beside it"),
        )
    } else {
        Ok(Format::GeoJson)
    }
}

/// How to tell one feature from another in messages: "feature 12 of 361
/// (E06000001)". Features are counted from 1 in file order.
pub fn feature_at(index: usize, total: usize, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("feature {} of {total} ({code})", index + 1),
        None => format!("feature {} of {total}", index + 1),
    }
}

/// Reads up to `head.len()` bytes (fewer only at the end of the file).
fn read_head(file: &mut std::fs::File, head: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            read => n += read,
        }
    }
    Ok(n)
}

/// Reads a boundary file in any of the formats, with its CRS: WGS84 or
/// British National Grid (any other is refused here, before coordinates are
/// misread). `table` names the GeoPackage table to read where the file has
/// more than one polygon table; other formats hold one layer.
pub fn read(path: &Path, table: Option<&str>, fingerprint: Fingerprint) -> Result<Source> {
    let format = format(path)?;
    if let (Some(table), false) = (table, format == Format::GeoPackage) {
        return Err(Error::input(
            path,
            format!("is a {} file, which has no tables to choose from, but table '{table}' was asked for", format.name()),
        )
        .kind(ErrorKind::Config)
        .hint("a table (layer) name is only for GeoPackage files; leave it out"));
    }
    match format {
        Format::GeoJson => geojson::read(path, fingerprint),
        Format::Shapefile => shapefile::read(path, fingerprint),
        Format::GeoPackage => gpkg::read(path, table, fingerprint),
        Format::GeoParquet => geoparquet::read(path, fingerprint),
    }
}

//! GeoPackage (OGC 12-128r18): a SQLite database whose polygon table holds
//! one feature per row, the geometry as a GeoPackage binary blob (a small
//! header, then WKB), the CRS in gpkg_spatial_ref_sys. Read with rusqlite.

use super::{Areal, Crs, Feature, Format, Geometry, Source, Value, crs};
use crate::error::{Error, ErrorKind, Result};
use crate::geography::wkb;
use crate::input::Fingerprint;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// A feature table with its geometry column, type and CRS.
struct Table {
    name: String,
    column: String,
    kind: String,
    srs_id: i64,
}

/// Geometry types a polygon layer may declare: GEOMETRY is any type, so it
/// may hold polygons too.
const AREAL_TYPES: [&str; 3] = ["POLYGON", "MULTIPOLYGON", "GEOMETRY"];

pub fn read(path: &Path, table: Option<&str>, fingerprint: Fingerprint) -> Result<Source> {
    let bytes = std::fs::read(path).map_err(|err| Error::io(path, err))?;
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_gpkg(path, e))?;
    let tables = tables(path, &db)?;
    let table = choose(path, &tables, table)?;
    let crs = table_crs(path, &db, table)?;
    Ok(Source {
        format: Format::GeoPackage,
        crs,
        sha256: fingerprint.of(&[&bytes]),
        features: features(path, &db, table)?,
    })
}

fn not_gpkg(path: &Path, e: rusqlite::Error) -> Error {
    Error::input(path, format!("not a readable GeoPackage: {e}"))
        .kind(ErrorKind::Format)
        .caused_by(e)
        .hint("a GeoPackage is a SQLite file made by a GIS (QGIS, ogr2ogr -f GPKG, GeoPandas)")
}

/// Every feature table, in name order.
fn tables(path: &Path, db: &Connection) -> Result<Vec<Table>> {
    let mut statement = db
        .prepare(
            "SELECT g.table_name, g.column_name, upper(g.geometry_type_name), g.srs_id \
             FROM gpkg_geometry_columns g JOIN gpkg_contents c ON c.table_name = g.table_name \
             WHERE c.data_type = 'features' ORDER BY g.table_name",
        )
        .map_err(|e| not_gpkg(path, e))?;
    let rows = statement
        .query_map([], |row| {
            Ok(Table {
                name: row.get(0)?,
                column: row.get(1)?,
                kind: row.get(2)?,
                srs_id: row.get(3)?,
            })
        })
        .map_err(|e| not_gpkg(path, e))?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| not_gpkg(path, e))
}

/// The polygon table asked for, or the only one there is.
fn choose<'t>(path: &Path, tables: &'t [Table], wanted: Option<&str>) -> Result<&'t Table> {
    let areal: Vec<&Table> = tables
        .iter()
        .filter(|t| AREAL_TYPES.contains(&t.kind.as_str()))
        .collect();
    let listed = |tables: &[&Table]| -> String {
        tables
            .iter()
            .map(|t| format!("{} ({})", t.name, t.kind))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(wanted) = wanted {
        return areal
            .iter()
            .copied()
            .find(|t| t.name == wanted)
            .ok_or_else(|| {
                Error::input(path, format!("has no polygon table '{wanted}'"))
                    .kind(ErrorKind::Unknown)
                    .hint(format!(
                        "its polygon tables are: {}",
                        match listed(&areal) {
                            list if list.is_empty() => "none".to_string(),
                            list => list,
                        }
                    ))
            });
    }
    match areal.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::input(
            path,
            match tables.len() {
                0 => "has no feature tables".to_string(),
                _ => format!(
                    "has no polygon table; its feature tables are: {}",
                    listed(&tables.iter().collect::<Vec<_>>())
                ),
            },
        )
        .kind(ErrorKind::Missing)
        .hint("boundaries are polygons: export the areas' polygon layer to the GeoPackage")),
        several => Err(Error::input(
            path,
            format!("has {} polygon tables: {}", several.len(), listed(several)),
        )
        .kind(ErrorKind::Config)
        .hint("say which one to read by name (apportion: --from-layer or --to-layer)")),
    }
}

fn table_crs(path: &Path, db: &Connection, table: &Table) -> Result<Crs> {
    let (organization, code, definition): (String, i64, String) = db
        .query_row(
            "SELECT organization, organization_coordsys_id, definition \
             FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [table.srs_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .map_err(|e| not_gpkg(path, e))?;
    let recognised = if organization.eq_ignore_ascii_case("EPSG") {
        crs::from_epsg(code)
    } else if definition.trim().eq_ignore_ascii_case("undefined") {
        Err("undefined".to_string())
    } else {
        crs::from_wkt(&definition)
    };
    recognised.map_err(|name| {
        Error::input(
            path,
            format!(
                "table '{}' is in {name} (srs_id {}), neither WGS84 nor British National Grid",
                table.name, table.srs_id
            ),
        )
        .kind(ErrorKind::Unknown)
        .hint(crs::HINT)
    })
}

fn features(path: &Path, db: &Connection, table: &Table) -> Result<Vec<Feature>> {
    let mut statement = db
        .prepare(&format!(
            "SELECT * FROM {} ORDER BY rowid",
            quoted(&table.name)
        ))
        .map_err(|e| not_gpkg(path, e))?;
    let names = column_names(path, db, &table.name)?;
    let geometry_at = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(&table.column))
        .ok_or_else(|| {
            Error::input(
                path,
                format!(
                    "table '{}' has no geometry column '{}'",
                    table.name, table.column
                ),
            )
            .kind(ErrorKind::Format)
            .hint(
                "the GeoPackage's gpkg_geometry_columns does not match the table: export it again",
            )
        })?;
    let mut rows = statement.query([]).map_err(|e| not_gpkg(path, e))?;
    let mut features = Vec::new();
    while let Some(row) = rows.next().map_err(|e| not_gpkg(path, e))? {
        let mut properties = Vec::with_capacity(names.len() - 1);
        let mut geometry = Geometry::Null;
        for (i, name) in names.iter().enumerate() {
            let cell = row.get_ref(i).map_err(|e| not_gpkg(path, e))?;
            if i == geometry_at {
                geometry = match cell {
                    ValueRef::Null => Geometry::Null,
                    ValueRef::Blob(blob) => blob_geometry(blob).map_err(|why| {
                        Error::input(path, why)
                            .kind(ErrorKind::Format)
                            .feature(format!(
                                "table '{}', feature {}",
                                table.name,
                                features.len() + 1
                            ))
                            .hint("the geometry is damaged; export the layer again")
                    })?,
                    _ => Geometry::Other("non-binary value".to_string()),
                };
            } else {
                properties.push((name.clone(), value(cell)));
            }
        }
        features.push(Feature {
            properties: Some(properties),
            geometry,
        });
    }
    Ok(features)
}

/// A table's column names in `SELECT *` order, from its schema. rusqlite's
/// own `column_names` panics on a name that is not UTF-8 (a damaged file);
/// read as values, such a name is shown with replacement characters.
fn column_names(path: &Path, db: &Connection, table: &str) -> Result<Vec<String>> {
    let mut statement = db
        .prepare(&format!("PRAGMA table_info({})", quoted(table)))
        .map_err(|e| not_gpkg(path, e))?;
    let names = statement
        .query_map([], |row| {
            Ok(match row.get_ref(1)? {
                ValueRef::Text(name) => String::from_utf8_lossy(name).into_owned(),
                _ => String::new(),
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
        .map_err(|e| not_gpkg(path, e))?;
    Ok(names)
}

/// An SQL identifier, quoted.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn value(cell: ValueRef) -> Value {
    match cell {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Number(n.to_string()),
        ValueRef::Real(x) => Value::Number(x.to_string()),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => Value::Binary,
    }
}

/// A GeoPackage geometry blob: "GP", version, flags (byte order, envelope
/// size, empty), SRS id, envelope, then the WKB.
fn blob_geometry(blob: &[u8]) -> std::result::Result<Geometry, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("a geometry is not a GeoPackage geometry blob (no 'GP' header)".to_string());
    }
    let flags = blob[3];
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        n => return Err(format!("a geometry blob has an unknown envelope code {n}")),
    };
    let wkb = blob
        .get(8 + envelope..)
        .ok_or_else(|| "a geometry blob ends inside its header".to_string())?;
    let kind = wkb::kind(wkb)?;
    Ok(match wkb::type_name(kind).as_str() {
        "Polygon" | "MultiPolygon" => Geometry::Areal(Areal::Wkb(wkb.to_vec())),
        other => Geometry::Other(other.to_string()),
    })
}

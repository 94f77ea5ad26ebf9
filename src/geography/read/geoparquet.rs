//! GeoParquet 1.0 and 1.1: a Parquet file whose `geo` key-value metadata
//! names the geometry column, its encoding and its CRS (PROJJSON; absent
//! means OGC:CRS84). Read with polars, the crate's one Arrow stack. The
//! geometry must be WKB (the default of GeoPandas, GDAL and DuckDB); the
//! native GeoArrow encodings of 1.1 are refused with what to do.

use super::{Areal, Crs, Feature, Format, Geometry, Source, Value, crs, feature_at};
use crate::error::{Error, ErrorKind, Result};
use crate::geography::wkb;
use crate::input::Fingerprint;
use polars::io::parquet::read::FileMetadata;
use polars::prelude::*;
use polars_buffer::Buffer;
use polars_parquet::parquet::page::{CompressedPage, DataPageHeader};
use polars_parquet::parquet::read::get_page_iterator;
use serde_json::Value as Json;
use std::io::Cursor;
use std::path::Path;

const WRITE_HINT: &str = "write it with GeoPandas (GeoDataFrame.to_parquet), GDAL \
     (ogr2ogr -f Parquet) or DuckDB's spatial extension, which add the metadata";

pub fn read(path: &Path, fingerprint: Fingerprint) -> Result<Source> {
    let bytes = std::fs::read(path).map_err(|err| Error::io(path, err))?;
    let sha256 = fingerprint.of(&[&bytes]);
    // polars' Parquet decoder panics on some damaged files (a thrift field
    // out of range, a page longer than its column) instead of returning an
    // error: that is the file's fault, and is reported as such.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode(path, bytes)));
    let (geo, frame) = decoded.unwrap_or_else(|panic| {
        let cause = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(unreadable(
            path,
            format!("the Parquet reader failed on it ({cause})"),
        ))
    })?;
    let (column, crs) = geometry_column(path, &geo)?;
    let geometry_columns: Vec<&str> = geo["columns"]
        .as_object()
        .map(|c| c.keys().map(String::as_str).collect())
        .unwrap_or_default();
    Ok(Source {
        format: Format::GeoParquet,
        crs,
        sha256,
        features: features(path, &frame, &column, &geometry_columns)?,
    })
}

/// A file polars cannot read, or whose counts cannot be right.
fn unreadable(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::input(path, format!("not a readable Parquet file: {why}"))
        .kind(ErrorKind::Format)
        .hint("the file is damaged or truncated; write it again")
}

/// The file's GeoParquet metadata and its table, decoded by polars.
fn decode(path: &Path, bytes: Vec<u8>) -> Result<(Json, DataFrame)> {
    let failed = |e: PolarsError| unreadable(path, &e).caused_by(e);
    let file = Buffer::from_vec(bytes);
    let mut reader = ParquetReader::new(Cursor::new(file.clone()));
    let metadata = reader.get_metadata().map_err(failed)?;
    check_counts(path, &file, metadata)?;
    let geo = metadata
        .key_value_metadata()
        .iter()
        .flatten()
        .find(|kv| kv.key == "geo")
        .and_then(|kv| kv.value.clone())
        .ok_or_else(|| {
            Error::input(
                path,
                "is a Parquet file without GeoParquet ('geo') metadata",
            )
            .kind(ErrorKind::Missing)
            .key("geo")
            .hint(WRITE_HINT)
        })?;
    let geo: Json = serde_json::from_str(&geo).map_err(|e| {
        Error::input(path, format!("its 'geo' metadata is not JSON: {e}"))
            .kind(ErrorKind::Format)
            .key("geo")
            .caused_by(e)
            .hint(WRITE_HINT)
    })?;
    // pyarrow (GeoPandas) records the geometry column's Arrow type as the
    // GeoArrow extension "geoarrow.wkb", which polars cannot hold; without
    // that Arrow schema the column is read as the plain binary it is.
    let mut plain = (**reader.get_metadata().map_err(failed)?).clone();
    if let Some(pairs) = plain.key_value_metadata.as_mut() {
        pairs.retain(|kv| kv.key != "ARROW:schema");
    }
    reader.set_metadata(std::sync::Arc::new(plain));
    let frame = reader.finish().map_err(failed)?;
    Ok((geo, frame))
}

/// polars' decoder trusts the value counts in the file: a damaged count
/// (a negative one, read as a huge unsigned number) makes it ask for
/// exabytes and abort the process, which no panic guard can catch. So the
/// counts are checked first, each against what holds it: the row groups'
/// rows against the file's, a column chunk's values against its row group's
/// rows (one value per row unless the column is nested), and each data
/// page's values, nulls and rows against what is left of its chunk. Only
/// the page headers are read; nothing is decompressed.
fn check_counts(path: &Path, file: &Buffer<u8>, metadata: &FileMetadata) -> Result<()> {
    let groups = &metadata.row_groups;
    let rows: usize = groups.iter().map(|g| g.num_rows()).sum();
    if rows != metadata.num_rows {
        return Err(unreadable(
            path,
            format!(
                "its footer says {} rows but its row groups hold {rows}",
                metadata.num_rows
            ),
        ));
    }
    for (g, group) in groups.iter().enumerate() {
        for chunk in group.parquet_columns() {
            let name = &chunk.descriptor().path_in_schema.join(".");
            let at =
                |what: String| unreadable(path, format!("row group {g}, column '{name}': {what}"));
            let values = usize::try_from(chunk.num_values()).unwrap_or(usize::MAX);
            let flat = chunk.descriptor().descriptor.max_rep_level == 0;
            if values < group.num_rows() || (flat && values != group.num_rows()) {
                return Err(at(format!(
                    "{} values for {} rows",
                    chunk.num_values(),
                    group.num_rows()
                )));
            }
            let pages = get_page_iterator(chunk, Cursor::new(file.clone()), vec![], file.len())
                .map_err(|e| at(e.to_string()))?;
            let mut left = values;
            for page in pages {
                let CompressedPage::Data(page) = page.map_err(|e| at(e.to_string()))? else {
                    continue;
                };
                let counts = match page.header() {
                    DataPageHeader::V1(h) => [h.num_values, 0, 0],
                    DataPageHeader::V2(h) => [h.num_values, h.num_nulls, h.num_rows],
                };
                let within = |n: i32, most: usize| usize::try_from(n).is_ok_and(|n| n <= most);
                let [page_values, nulls, page_rows] = counts;
                if !within(page_values, left)
                    || !within(nulls, page_values as usize)
                    || !within(page_rows, page_values as usize)
                {
                    return Err(at(format!(
                        "a data page claims {page_values} values ({nulls} null, {page_rows} rows) \
                         where {left} remain"
                    )));
                }
                left -= page_values as usize;
            }
        }
    }
    Ok(())
}

/// The primary geometry column's name and CRS, checked: WKB, planar edges.
fn geometry_column(path: &Path, geo: &Json) -> Result<(String, Crs)> {
    let fail = |kind: ErrorKind, message: String| Error::input(path, message).kind(kind).key("geo");
    let column = geo["primary_column"].as_str().ok_or_else(|| {
        fail(ErrorKind::Missing, "has no primary_column".to_string()).hint(WRITE_HINT)
    })?;
    let meta = &geo["columns"][column];
    if !meta.is_object() {
        return Err(fail(
            ErrorKind::Missing,
            format!("does not describe the primary column '{column}'"),
        )
        .hint(WRITE_HINT));
    }
    match meta["encoding"].as_str() {
        Some(e) if e.eq_ignore_ascii_case("WKB") => {}
        other => {
            return Err(fail(ErrorKind::Format, format!(
                "column '{column}' is encoded as {}, not WKB",
                other.unwrap_or("(nothing)")
            ))
            .hint("write the geometry as WKB, e.g. GeoPandas to_parquet(geometry_encoding='WKB'), the default"));
        }
    }
    if meta["edges"].as_str() == Some("spherical") {
        return Err(fail(
            ErrorKind::Value,
            format!("column '{column}' has spherical edges"),
        )
        .hint("areas here are planar (British National Grid); write the layer with planar edges"));
    }
    // GeoParquet: a missing crs is OGC:CRS84; null is an unknown CRS.
    let crs = match meta.get("crs") {
        None => Ok(Crs::Wgs84),
        Some(Json::Null) => Err("an unknown CRS (crs: null)".to_string()),
        Some(Json::String(s)) => crs::from_name(s).or_else(|_| crs::from_wkt(s)),
        Some(projjson) => crs::from_projjson(projjson),
    };
    let crs = crs.map_err(|name| {
        fail(
            ErrorKind::Unknown,
            format!("column '{column}' is in {name}, neither WGS84 nor British National Grid"),
        )
        .hint(crs::HINT)
    })?;
    Ok((column.to_string(), crs))
}

fn features(
    path: &Path,
    frame: &DataFrame,
    column: &str,
    geometry_columns: &[&str],
) -> Result<Vec<Feature>> {
    let missing = || {
        Error::input(
            path,
            format!("has no binary column '{column}', which its 'geo' metadata names"),
        )
        .kind(ErrorKind::Missing)
        .key(column)
        .hint(WRITE_HINT)
    };
    let geometries = frame
        .column(column)
        .ok()
        .and_then(|c| c.binary().ok())
        .ok_or_else(missing)?;
    let attributes: Vec<&Column> = frame
        .columns()
        .iter()
        .filter(|c| !geometry_columns.contains(&c.name().as_str()))
        .collect();
    let total = geometries.len();
    geometries
        .iter()
        .enumerate()
        .map(|(row, blob)| {
            let geometry = match blob {
                None => Geometry::Null,
                Some(blob) => {
                    let kind = wkb::kind(blob).map_err(|why| {
                        Error::input(path, why)
                            .kind(ErrorKind::Format)
                            .feature(feature_at(row, total, None))
                            .hint("the geometry is damaged; write the file again")
                    })?;
                    match wkb::type_name(kind).as_str() {
                        "Polygon" | "MultiPolygon" => Geometry::Areal(Areal::Wkb(blob.to_vec())),
                        other => Geometry::Other(other.to_string()),
                    }
                }
            };
            let properties = attributes
                .iter()
                .map(|c| {
                    // A damaged file can hold columns of unequal length
                    // (release builds of polars decode it; debug builds
                    // assert): the file's fault, not ours.
                    let cell = c.get(row).map_err(|e| {
                        unreadable(path, format!("column '{}': {e}", c.name()))
                            .feature(feature_at(row, total, None))
                    })?;
                    Ok((c.name().to_string(), value(&cell)))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Feature {
                properties: Some(properties),
                geometry,
            })
        })
        .collect()
}

fn value(cell: &AnyValue) -> Value {
    match cell {
        AnyValue::Null => Value::Null,
        AnyValue::String(s) => Value::Text(s.to_string()),
        AnyValue::StringOwned(s) => Value::Text(s.to_string()),
        AnyValue::Boolean(b) => Value::Bool(*b),
        AnyValue::Binary(_) | AnyValue::BinaryOwned(_) => Value::Binary,
        AnyValue::List(_) => Value::List,
        number if number.is_primitive_numeric() => Value::Number(number.to_string()),
        other => Value::Text(other.to_string()),
    }
}

//! GeoParquet 1.1 out: a table of areas with their boundaries as WKB in
//! British National Grid, and the `geo` metadata (encoding, geometry types,
//! CRS as PROJJSON, bounding box) that QGIS, GeoPandas and DuckDB's spatial
//! extension read. Written with polars, like gap.parquet.

use crate::error::{Error, Result};
use crate::geography::boundaries::BoundaryLayer;
use crate::geography::wkb;
use geo::{BoundingRect, MultiPolygon, Rect};
use polars::prelude::*;
use serde_json::json;

/// EPSG:27700 as PROJJSON, as PROJ 9.5.1 (pyproj 3.7.2,
/// `CRS.from_epsg(27700).to_json_dict()`) gives it from the EPSG dataset.
const BNG_PROJJSON: &str = include_str!("epsg27700.projjson.json");

/// The name of the geometry column.
pub const GEOMETRY: &str = "geometry";

/// A GeoParquet file of `frame`'s columns and a `geometry` column, one
/// boundary per row (None: no geometry), all in British National Grid.
/// `metadata` adds key-value pairs to the file (e.g. how its values were
/// made); keys must not be "geo".
pub fn write(
    mut frame: DataFrame,
    geometries: &[Option<&MultiPolygon<f64>>],
    metadata: Vec<(String, String)>,
) -> Result<Vec<u8>> {
    let wkb: Vec<Option<Vec<u8>>> = geometries
        .iter()
        .map(|g| g.map(wkb::multipolygon))
        .collect();
    let column = BinaryChunked::from_iter_options(GEOMETRY.into(), wkb.into_iter()).into_column();
    frame.with_column(column).map_err(polars_error)?;
    let mut pairs = vec![("geo".to_string(), geo_metadata(geometries))];
    pairs.extend(metadata);
    let mut buffer = Vec::new();
    ParquetWriter::new(&mut buffer)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(pairs)))
        .finish(&mut frame)
        .map_err(polars_error)?;
    Ok(buffer)
}

/// A level's areas: `area_code`, `area_name` and the boundary, in the
/// layer's (file) order.
pub fn areas(layer: &BoundaryLayer) -> Result<Vec<u8>> {
    let codes: Vec<&str> = layer.features.iter().map(|f| f.code.as_str()).collect();
    let names: Vec<&str> = layer.features.iter().map(|f| f.name.as_str()).collect();
    let frame = DataFrame::new_infer_height(vec![
        Column::new("area_code".into(), codes),
        Column::new("area_name".into(), names),
    ])
    .map_err(polars_error)?;
    let geometries: Vec<Option<&MultiPolygon<f64>>> =
        layer.features.iter().map(|f| Some(&f.geometry)).collect();
    write(frame, &geometries, Vec::new())
}

/// The `geo` key: GeoParquet 1.1 for one WKB column in EPSG:27700.
fn geo_metadata(geometries: &[Option<&MultiPolygon<f64>>]) -> String {
    let crs: serde_json::Value =
        serde_json::from_str(BNG_PROJJSON).expect("the embedded PROJJSON is JSON");
    let bbox = geometries
        .iter()
        .flatten()
        .filter_map(|g| g.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        });
    let mut column = json!({
        "encoding": "WKB",
        "geometry_types": ["MultiPolygon"],
        "crs": crs,
        "edges": "planar",
    });
    if let Some(b) = bbox {
        column["bbox"] = json!([b.min().x, b.min().y, b.max().x, b.max().y]);
    }
    json!({
        "version": "1.1.0",
        "primary_column": GEOMETRY,
        "columns": { GEOMETRY: column },
    })
    .to_string()
}

fn polars_error(e: PolarsError) -> Error {
    Error::internal(format!("writing GeoParquet: {e}"))
}

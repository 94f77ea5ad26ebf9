//! `apportion --out X.parquet`: the crosswalk as Parquet, the apportioned
//! values as GeoParquet with each target's boundary, both with how they were
//! made in the file's metadata (key `jsna-gap`), including whether
//! `--allocate-total` was used.

use super::Crosswalk;
use super::values::Apportioned;
use crate::error::{Error, Result};
use crate::geography::boundaries::BoundaryLayer;
use crate::geography::geoparquet;
use geo::MultiPolygon;
use polars::prelude::*;
use std::collections::HashMap;

/// The metadata key that says how the file was made.
pub const PROVENANCE_KEY: &str = "jsna-gap";

/// `source_code, target_code, weight`, as the CSV has them.
pub fn crosswalk_parquet(crosswalk: &Crosswalk, provenance: serde_json::Value) -> Result<Vec<u8>> {
    let column = |name: &str, values: Vec<&str>| Column::new(name.into(), values);
    let mut frame = DataFrame::new_infer_height(vec![
        column(
            "source_code",
            (crosswalk.links.iter())
                .map(|l| crosswalk.sources.code(l.source))
                .collect(),
        ),
        column(
            "target_code",
            (crosswalk.links.iter())
                .map(|l| crosswalk.targets.code(l.target))
                .collect(),
        ),
        Column::new(
            "weight".into(),
            crosswalk
                .links
                .iter()
                .map(|l| l.weight)
                .collect::<Vec<f64>>(),
        ),
    ])
    .map_err(polars_error)?;
    let mut buffer = Vec::new();
    ParquetWriter::new(&mut buffer)
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(vec![(
            PROVENANCE_KEY.to_string(),
            provenance.to_string(),
        )])))
        .finish(&mut frame)
        .map_err(polars_error)?;
    Ok(buffer)
}

/// `target_code, value` and each target's boundary (British National Grid),
/// every target in code order, missing values null.
pub fn values_geoparquet(
    apportioned: &Apportioned,
    target: &BoundaryLayer,
    provenance: serde_json::Value,
) -> Result<Vec<u8>> {
    let boundaries: HashMap<&str, &MultiPolygon<f64>> = target
        .features
        .iter()
        .map(|f| (f.code.as_str(), &f.geometry))
        .collect();
    let codes: Vec<&str> = apportioned.targets.keys().map(String::as_str).collect();
    let values: Vec<Option<f64>> = apportioned.targets.values().copied().collect();
    let geometries: Vec<Option<&MultiPolygon<f64>>> =
        codes.iter().map(|c| boundaries.get(c).copied()).collect();
    let frame = DataFrame::new_infer_height(vec![
        Column::new("target_code".into(), codes),
        Column::new("value".into(), values),
    ])
    .map_err(polars_error)?;
    geoparquet::write(
        frame,
        &geometries,
        vec![(PROVENANCE_KEY.to_string(), provenance.to_string())],
    )
}

fn polars_error(e: PolarsError) -> Error {
    Error::internal(format!("writing the apportioned Parquet file: {e}"))
}

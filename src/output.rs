//! Writing outputs: the gap table as CSV and Parquet from one polars
//! DataFrame, and every file written whole or not at all (a temporary file
//! beside the target, then a rename).

use crate::error::{Error, Result};
use crate::gap::GapRow;
use crate::prevalence::Prevalence;
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Files to write, by path relative to the output directory, in memory until
/// everything has been computed: a failed run writes nothing.
#[derive(Debug, Default)]
pub struct Outputs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Outputs {
    pub fn add(&mut self, relative: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.insert(relative.into(), bytes);
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    pub fn get(&self, relative: &str) -> Option<&[u8]> {
        self.files.get(Path::new(relative)).map(Vec::as_slice)
    }

    /// Writes every file under `dir`, each atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        for (relative, bytes) in &self.files {
            write_atomic(&dir.join(relative), bytes)?;
        }
        Ok(())
    }
}

/// Writes a file whole: a temporary file in the same directory, flushed to
/// disk, then renamed over the target (a rename within a directory is atomic).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| {
        Error::input(path, format!("cannot write: {e}"))
            .hint("check that the output directory is writable and the disk has space")
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(fail)
}

/// The gap table: the columns of the output contract first, never renamed.
pub fn gap_frame(rows: &[GapRow], prevalence: &[Prevalence], proxy: &str) -> Result<DataFrame> {
    let by_condition: HashMap<&str, &Prevalence> =
        prevalence.iter().map(|p| (p.condition.as_str(), p)).collect();
    let p = |r: &GapRow| by_condition[r.condition.as_str()];
    let text = |name: &str, f: &dyn Fn(&GapRow) -> String| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<String>>())
    };
    let number = |name: &str, f: &dyn Fn(&GapRow) -> f64| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<f64>>())
    };
    let optional = |name: &str, f: &dyn Fn(&GapRow) -> Option<f64>| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<Option<f64>>>())
    };
    let columns = vec![
        text("level", &|r| r.level.to_string()),
        text("area_code", &|r| r.area_code.clone()),
        text("area_name", &|r| r.area_name.clone()),
        text("condition", &|r| r.condition.clone()),
        number("caseload", &|r| r.caseload),
        number("need", &|r| r.need.need),
        number("need_lower", &|r| r.need.lower),
        number("need_upper", &|r| r.need.upper),
        optional("unmet_need", &|r| r.unmet.map(|u| u.need)),
        optional("unmet_need_lower", &|r| r.unmet.map(|u| u.lower)),
        optional("unmet_need_upper", &|r| r.unmet.map(|u| u.upper)),
        text("gap_basis", &|r| r.basis.as_str().to_string()),
        optional("untreated_share", &|r| r.untreated_share),
        optional("capacity", &|r| r.capacity),
        text("domain", &|r| p(r).domain.as_str().to_string()),
        text("provision_status", &|r| r.provision.status.as_str().to_string()),
        number("provision_coverage", &|r| r.provision.coverage),
        text("services", &|r| r.provision.services.join(";")),
        number("prevalence", &|r| p(r).rate),
        number("prevalence_lower", &|r| p(r).lower),
        number("prevalence_upper", &|r| p(r).upper),
        optional("prevalence_n", &|r| p(r).n),
        text("prevalence_interval", &|r| {
            serde_json::to_value(p(r).interval_basis)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }),
        text("evidence_grade", &|r| p(r).evidence_grade.clone()),
        number("caseload_coverage", &|r| r.caseload_coverage),
        text("caseload_proxy", &|_| proxy.to_string()),
    ];
    DataFrame::new_infer_height(columns).map_err(polars_error)
}

pub fn csv_bytes(frame: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    CsvWriter::new(&mut buffer)
        .include_header(true)
        .with_float_scientific(Some(false))
        .finish(frame)
        .map_err(polars_error)?;
    Ok(buffer)
}

pub fn parquet_bytes(frame: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    ParquetWriter::new(&mut buffer)
        .finish(frame)
        .map_err(polars_error)?;
    Ok(buffer)
}

fn polars_error(e: PolarsError) -> Error {
    Error::internal(format!("building the gap table: {e}"))
}

//! The dataset compiled into the binary: the files of `data/` (made by
//! `jsna-gap data build`, listed with their SHA-256 in
//! `data/provenance.json`), and the project's own tables that the built-in
//! configuration names (`datasets/`). With them, an installed `jsna-gap`
//! runs the default job from any directory, with no data directory.
//!
//! Each file of `data/` is decompressed when first read and checked against
//! the SHA-256 its provenance records, so a corrupted or truncated file (in
//! a checkout, and so in a binary built from it) is an error naming it.

use super::provenance::Provenance;
use crate::error::{Error, Result};
use crate::input::{Compiled, DataFile};
use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

const PROVENANCE: &str = include_str!("../../data/provenance.json");

/// The files of `data/` (the same as `data/provenance.json` lists; a test
/// checks it), by name relative to `data/`.
const FILES: [(&str, &[u8]); 11] = [
    (
        "units/lsoas.csv.gz",
        include_bytes!("../../data/units/lsoas.csv.gz"),
    ),
    (
        "units/districts.csv.gz",
        include_bytes!("../../data/units/districts.csv.gz"),
    ),
    (
        "units/totals.csv.gz",
        include_bytes!("../../data/units/totals.csv.gz"),
    ),
    (
        "units/lsoa_points.csv.gz",
        include_bytes!("../../data/units/lsoa_points.csv.gz"),
    ),
    (
        "justice/pdu_pcc_area_lookup.csv.gz",
        include_bytes!("../../data/justice/pdu_pcc_area_lookup.csv.gz"),
    ),
    (
        "evidence/survey_2017_services.csv.gz",
        include_bytes!("../../data/evidence/survey_2017_services.csv.gz"),
    ),
    (
        "boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson.gz",
        include_bytes!("../../data/boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson.gz"),
    ),
    (
        "boundaries/lad/LAD_DEC_2024_UK_BUC.geojson.gz",
        include_bytes!("../../data/boundaries/lad/LAD_DEC_2024_UK_BUC.geojson.gz"),
    ),
    (
        "boundaries/health/SICBL_APR_2023_EN_BSC.geojson.gz",
        include_bytes!("../../data/boundaries/health/SICBL_APR_2023_EN_BSC.geojson.gz"),
    ),
    (
        "boundaries/health/ICB_APR_2023_EN_BSC.geojson.gz",
        include_bytes!("../../data/boundaries/health/ICB_APR_2023_EN_BSC.geojson.gz"),
    ),
    (
        "boundaries/health/CCG_APR_2021_EN_BUC.geojson.gz",
        include_bytes!("../../data/boundaries/health/CCG_APR_2021_EN_BUC.geojson.gz"),
    ),
];

/// The project's tables the built-in configuration (jsna.toml) names, by
/// the path it gives them.
const BUILTIN_DATASETS: [(&str, &[u8]); 9] = [
    (
        "datasets/evidence.csv",
        include_bytes!("../../datasets/evidence.csv"),
    ),
    (
        "datasets/treatment_evidence.csv",
        include_bytes!("../../datasets/treatment_evidence.csv"),
    ),
    (
        "datasets/caseload.csv",
        include_bytes!("../../datasets/caseload.csv"),
    ),
    (
        "datasets/prevalence.csv",
        include_bytes!("../../datasets/prevalence.csv"),
    ),
    (
        "datasets/treatment_access.csv",
        include_bytes!("../../datasets/treatment_access.csv"),
    ),
    (
        "datasets/services.csv",
        include_bytes!("../../datasets/services.csv"),
    ),
    (
        "datasets/general_population.csv",
        include_bytes!("../../datasets/general_population.csv"),
    ),
    (
        "datasets/caseload_observed.csv",
        include_bytes!("../../datasets/caseload_observed.csv"),
    ),
    (
        "datasets/caseload_national.csv",
        include_bytes!("../../datasets/caseload_national.csv"),
    ),
];

/// A dataset: its provenance and its stored files.
#[derive(Debug)]
pub struct Dataset {
    provenance: std::result::Result<Provenance, String>,
    files: Vec<(String, Cow<'static, [u8]>)>,
}

impl Dataset {
    /// The dataset compiled into this binary.
    pub fn builtin() -> &'static Dataset {
        static DATASET: OnceLock<Dataset> = OnceLock::new();
        DATASET.get_or_init(|| {
            Dataset::new(
                PROVENANCE,
                FILES
                    .iter()
                    .map(|(name, bytes)| (name.to_string(), Cow::Borrowed(*bytes)))
                    .collect(),
            )
        })
    }

    /// A dataset from its provenance JSON and stored files (relative to `data/`).
    pub fn new(provenance: &str, files: Vec<(String, Cow<'static, [u8]>)>) -> Dataset {
        Dataset {
            provenance: serde_json::from_str(provenance).map_err(|e| e.to_string()),
            files,
        }
    }

    pub fn provenance(&self) -> Result<&Provenance> {
        self.provenance.as_ref().map_err(|e| {
            Error::input(
                "embedded:provenance.json",
                format!("the embedded dataset's provenance is unreadable: {e}"),
            )
            .hint("restore data/ from the repository or rebuild it with jsna-gap data build, then build jsna-gap again")
        })
    }

    /// The names of the stored files.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(name, _)| name.as_str())
    }

    /// A file of the dataset by its name in `data/`.
    pub fn file(&self, name: &str) -> Result<DataFile> {
        let record = self.provenance()?.file(name).ok_or_else(|| {
            Error::input(
                format!("embedded:{name}"),
                "data/provenance.json does not list this file",
            )
            .hint("rebuild data/ with jsna-gap data build")
        })?;
        let stored = self
            .files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bytes)| bytes.clone())
            .ok_or_else(|| {
                Error::input(
                    format!("embedded:{name}"),
                    "listed in data/provenance.json but not in the binary",
                )
                .hint("add it to FILES in src/data/embedded.rs")
            })?;
        Ok(DataFile::embedded(Compiled {
            name: name.to_string(),
            stored,
            sha256: Some(record.sha256.clone()),
        }))
    }

    /// The copy of an original file, by its path in a data directory.
    pub fn original(&self, relative: &str) -> Result<DataFile> {
        let provenance = self.provenance()?;
        let copy = provenance
            .files
            .iter()
            .find(|f| f.copy_of.as_deref() == Some(relative));
        match copy {
            Some(record) => self.file(&record.file),
            None => Err(Error::input(
                format!("embedded:{relative}"),
                format!(
                    "{relative} is not in the embedded dataset, which holds only what runs at the levels \
                     ctyua, lad, sicbl, icb and ccg need: {}",
                    provenance
                        .files
                        .iter()
                        .filter_map(|f| f.copy_of.as_deref())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .hint("point --data-dir (or JSNA_GAP_DATA, or data_dir in the config) at a directory of the original files; data/README.md lists where each comes from")),
        }
    }
}

/// A project table the built-in configuration names, compiled in.
pub fn builtin_dataset(written: &Path) -> Result<DataFile> {
    let name = written.to_string_lossy();
    BUILTIN_DATASETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, bytes)| {
            DataFile::embedded(Compiled {
                name: n.to_string(),
                stored: Cow::Borrowed(*bytes),
                sha256: None,
            })
        })
        .ok_or_else(|| {
            Error::internal(format!(
                "the built-in configuration names {name}, which is not compiled in (BUILTIN_DATASETS in src/data/embedded.rs)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_holds_exactly_the_files_the_provenance_lists() {
        let dataset = Dataset::builtin();
        let listed: Vec<&str> = dataset
            .provenance()
            .unwrap()
            .files
            .iter()
            .map(|f| f.file.as_str())
            .collect();
        let mut stored: Vec<&str> = dataset.names().collect();
        let mut listed_sorted = listed.clone();
        stored.sort_unstable();
        listed_sorted.sort_unstable();
        assert_eq!(stored, listed_sorted);
    }

    #[test]
    fn every_embedded_file_matches_its_recorded_sha256() {
        let dataset = Dataset::builtin();
        for name in dataset.names() {
            let file = dataset.file(name).unwrap();
            file.bytes().unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// The built-in dataset with one stored file replaced.
    fn with_file(name: &str, bytes: Vec<u8>) -> Dataset {
        let mut files: Vec<(String, Cow<'static, [u8]>)> = FILES
            .iter()
            .map(|(n, b)| (n.to_string(), Cow::Borrowed(*b)))
            .collect();
        files.iter_mut().find(|(n, _)| n == name).unwrap().1 = Cow::Owned(bytes);
        Dataset::new(PROVENANCE, files)
    }

    #[test]
    fn a_truncated_embedded_file_is_refused_naming_it() {
        let name = "units/districts.csv.gz";
        let stored = FILES.iter().find(|(n, _)| *n == name).unwrap().1;
        let dataset = with_file(name, stored[..stored.len() / 2].to_vec());
        let e = dataset.file(name).unwrap().table().unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let text = e.to_string();
        assert!(
            text.starts_with("embedded:units/districts.csv.gz: cannot decompress"),
            "{text}"
        );
        assert!(text.contains("restore data/"), "{text}");
    }

    #[test]
    fn an_embedded_file_with_other_contents_is_refused_with_both_hashes() {
        // Validly compressed, but not the contents the provenance records:
        // one district's name changed.
        let name = "units/districts.csv.gz";
        let record = Dataset::builtin()
            .provenance()
            .unwrap()
            .file(name)
            .unwrap()
            .clone();
        let original = Dataset::builtin().file(name).unwrap().bytes().unwrap();
        let changed =
            String::from_utf8(original.to_vec())
                .unwrap()
                .replacen("Hartlepool", "Hartlepoot", 1);
        let dataset = with_file(name, crate::input::gzip(changed.as_bytes()));
        let e = dataset.original("nothing").unwrap_err();
        assert!(e.message.contains("not in the embedded dataset"), "{e}");
        let e = dataset.file(name).unwrap().bytes().unwrap_err();
        let text = e.to_string();
        assert!(text.contains(&record.sha256), "{text}");
        assert!(
            text.contains(&crate::input::sha256_hex(changed.as_bytes())),
            "{text}"
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn unreadable_provenance_is_an_error_not_a_panic() {
        let dataset = Dataset::new("{ truncated", Vec::new());
        let e = dataset
            .original("justice/pdu_pcc_area_lookup.csv")
            .unwrap_err();
        assert!(e.to_string().contains("provenance is unreadable"), "{e}");
        assert_eq!(e.exit_code(), 2);
    }
}

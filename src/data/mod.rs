//! Where a run's data comes from: the compact dataset compiled into the
//! binary (`data/` in the repository, made by `jsna-gap data build`), or a
//! directory of the original ONS, MHCLG and MoJ files.
//!
//! The data directory is `--data-dir`, else `JSNA_GAP_DATA`, else `data_dir`
//! in the configuration; with none of them the run uses the embedded
//! dataset. There is no implicit directory (such as `../shared/data` beside
//! the checkout): an installed binary must not depend on, or publish, the
//! layout of the machine it was built on.
//!
//! Every file a run reads is a [`DataFile`]: where its bytes are, and the
//! name the manifest records, relative to its source (`embedded:`,
//! `data-dir:`, `config-dir:`), so that no output holds a machine's path.

pub mod build;
pub mod embedded;
pub mod pack;
pub mod provenance;

use crate::config::Overrides;
use crate::error::{Error, Result};
use crate::geography::boundaries::{self, BoundaryLayer};
use crate::geography::units::Units;
use crate::input::Table;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

pub const DATA_DIR_ENV: &str = "JSNA_GAP_DATA";

/// The data a run reads: the embedded dataset or a directory of originals.
#[derive(Debug, Clone)]
pub enum DataSource {
    Embedded,
    Directory(DataDir),
}

/// A directory of original data files and how it was chosen, plus the
/// other places that were named (pointed to when a file is missing).
#[derive(Debug, Clone)]
pub struct DataDir {
    pub path: PathBuf,
    pub chosen_by: String,
    candidates: Vec<(PathBuf, String)>,
}

/// One file a run reads.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// Where it is read from, and how messages name it (for an embedded
    /// file, its `embedded:` name).
    path: PathBuf,
    /// How the manifest records it: relative to its source.
    recorded: String,
    embedded: Option<embedded::Entry>,
}

impl DataSource {
    /// The data directory the user named (flag, environment, config, in
    /// that order), else the embedded dataset.
    pub fn resolve(overrides: &Overrides, from_config: Option<PathBuf>) -> DataSource {
        let candidates: Vec<(PathBuf, String)> = [
            overrides
                .data_dir
                .clone()
                .map(|p| (p, "--data-dir".to_string())),
            overrides
                .data_dir_env
                .clone()
                .map(|p| (p, format!("the {DATA_DIR_ENV} environment variable"))),
            from_config.map(|p| (p, "data_dir in the config".to_string())),
        ]
        .into_iter()
        .flatten()
        .collect();
        match candidates.first() {
            None => DataSource::Embedded,
            Some((path, chosen_by)) => DataSource::Directory(DataDir {
                path: path.clone(),
                chosen_by: chosen_by.clone(),
                candidates,
            }),
        }
    }

    /// The fine units (LSOAs with every level's area) and district facts.
    pub fn units(&self) -> Result<Units> {
        match self {
            DataSource::Embedded => pack::read_units(embedded::Dataset::builtin()),
            DataSource::Directory(dir) => Units::load(dir),
        }
    }

    /// An original file, by its path relative to a data directory (for
    /// the embedded dataset, its compressed copy).
    pub fn file(&self, relative: &str) -> Result<DataFile> {
        match self {
            DataSource::Embedded => embedded::Dataset::builtin().original(relative),
            DataSource::Directory(dir) => dir.file(relative),
        }
    }

    /// One line for the user: which data the run reads.
    pub fn describe(&self) -> String {
        match self {
            DataSource::Embedded => {
                "the embedded dataset (no --data-dir, JSNA_GAP_DATA or data_dir given)".to_string()
            }
            DataSource::Directory(dir) => format!(
                "the data directory {} (chosen by {})",
                dir.path.display(),
                dir.chosen_by
            ),
        }
    }
}

/// The manifest records the kind of source and how it was chosen, never
/// the directory's path.
impl Serialize for DataSource {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Recorded<'a> {
            source: &'a str,
            chosen_by: &'a str,
        }
        let recorded = match self {
            DataSource::Embedded => Recorded {
                source: "embedded",
                chosen_by: "no data directory given",
            },
            DataSource::Directory(dir) => Recorded {
                source: "data-dir",
                chosen_by: &dir.chosen_by,
            },
        };
        recorded.serialize(serializer)
    }
}

impl DataDir {
    /// A directory the user named directly (e.g. `data build --from DIR`).
    pub fn given(path: PathBuf, chosen_by: &str) -> DataDir {
        DataDir {
            candidates: vec![(path.clone(), chosen_by.to_string())],
            path,
            chosen_by: chosen_by.to_string(),
        }
    }

    /// A data file, which must exist; the error names the file, where it
    /// was looked for, and any other named directory that has it.
    pub fn file(&self, relative: &str) -> Result<DataFile> {
        let path = self.path.join(relative);
        if path.is_file() {
            return Ok(DataFile {
                path,
                recorded: format!("data-dir:{relative}"),
                embedded: None,
            });
        }
        let others = &self.candidates[1..];
        let elsewhere = others.iter().find(|(dir, _)| dir.join(relative).is_file());
        let hint = match elsewhere {
            Some((dir, how)) => format!(
                "it exists in {} ({how}); pass --data-dir {} to use that directory",
                dir.display(),
                dir.display()
            ),
            None if self.path.is_file() => format!(
                "{} is a file; the data directory is the folder holding boundaries/, lookups/, population/ and the rest",
                self.path.display()
            ),
            None => {
                let looked: Vec<String> = others
                    .iter()
                    .map(|(d, how)| format!("{} ({how})", d.display()))
                    .collect();
                let also = match looked.is_empty() {
                    true => String::new(),
                    false => format!("also looked in: {}; ", looked.join(", ")),
                };
                format!(
                    "{also}get the file from its publisher (see data/README.md and boundaries/catalogue.toml), \
                     or give no data directory to use the embedded dataset"
                )
            }
        };
        Err(Error::input(
            &path,
            format!(
                "data file not found: {relative} is not in {} (chosen by {})",
                self.path.display(),
                self.chosen_by
            ),
        )
        .hint(hint))
    }
}

impl DataFile {
    /// A file named in a configuration file, relative to its directory.
    /// The manifest records the name as written when it is relative, and
    /// only the file name when it is absolute (the SHA-256 identifies it).
    pub fn in_config_dir(base: &Path, written: &Path) -> DataFile {
        let recorded = if written.is_absolute() {
            let name = written.file_name().unwrap_or(written.as_os_str());
            format!("file:{}", name.to_string_lossy())
        } else {
            format!("config-dir:{}", written.to_string_lossy())
        };
        DataFile {
            path: base.join(written),
            recorded,
            embedded: None,
        }
    }

    /// A file compiled into the binary.
    pub(crate) fn embedded(entry: embedded::Entry) -> DataFile {
        let recorded = format!("embedded:{}", entry.name);
        DataFile {
            path: PathBuf::from(&recorded),
            recorded,
            embedded: Some(entry),
        }
    }

    /// Where the file is read from, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name the manifest records.
    pub fn recorded(&self) -> &str {
        &self.recorded
    }

    /// The file's bytes; an embedded file is decompressed and checked
    /// against the SHA-256 its provenance records.
    pub fn bytes(&self) -> Result<Cow<'static, [u8]>> {
        match &self.embedded {
            Some(entry) => entry.contents(),
            None => std::fs::read(&self.path)
                .map(Cow::Owned)
                .map_err(|e| Error::io(&self.path, e)),
        }
    }

    /// The file as a CSV table.
    pub fn table(&self) -> Result<Table> {
        Table::parse(&self.path, &self.recorded, &self.bytes()?)
    }

    /// The file as a boundary layer (see [`boundaries::read_layer`]); the
    /// layer's path is the recorded name.
    pub fn layer(
        &self,
        code_field: &str,
        name_field: &str,
        exclude: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BoundaryLayer> {
        let mut layer =
            boundaries::parse_layer(&self.path, &self.bytes()?, code_field, name_field, exclude)?;
        layer.path = PathBuf::from(&self.recorded);
        Ok(layer)
    }
}

impl std::fmt::Display for DataFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.recorded)
    }
}

impl Serialize for DataFile {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.recorded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(flag: Option<&str>, env: Option<&str>) -> Overrides {
        Overrides {
            config: None,
            data_dir: flag.map(PathBuf::from),
            data_dir_env: env.map(PathBuf::from),
        }
    }

    fn chosen(source: &DataSource) -> Option<(&Path, &str)> {
        match source {
            DataSource::Embedded => None,
            DataSource::Directory(d) => Some((&d.path, &d.chosen_by)),
        }
    }

    #[test]
    fn precedence_is_flag_env_config_then_the_embedded_dataset() {
        let config = || Some(PathBuf::from("/config"));
        let s = DataSource::resolve(&overrides(Some("/flag"), Some("/env")), config());
        assert_eq!(chosen(&s), Some((Path::new("/flag"), "--data-dir")));
        let s = DataSource::resolve(&overrides(None, Some("/env")), config());
        assert_eq!(chosen(&s).unwrap().0, Path::new("/env"));
        let s = DataSource::resolve(&overrides(None, None), config());
        assert_eq!(
            chosen(&s),
            Some((Path::new("/config"), "data_dir in the config"))
        );
        let s = DataSource::resolve(&overrides(None, None), None);
        assert!(matches!(s, DataSource::Embedded));
        assert!(s.describe().contains("embedded dataset"));
    }

    #[test]
    fn the_manifest_records_how_data_was_chosen_but_not_where_it_is() {
        let s = DataSource::resolve(&overrides(Some("/home/someone/data"), None), None);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"source":"data-dir","chosen_by":"--data-dir"}"#);
        let json = serde_json::to_string(&DataSource::Embedded).unwrap();
        assert!(json.contains(r#""source":"embedded""#), "{json}");
    }

    #[test]
    fn a_missing_data_file_names_itself_and_every_place_looked() {
        let s = DataSource::resolve(&overrides(Some("/nowhere"), Some("/elsewhere")), None);
        let e = s.file("boundaries/utla/NOPE.geojson").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("NOPE.geojson"), "{text}");
        assert!(text.contains("/nowhere (chosen by --data-dir)"), "{text}");
        assert!(text.contains("/elsewhere (the JSNA_GAP_DATA"), "{text}");
        assert!(text.contains("embedded dataset"), "{text}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn a_file_in_another_named_directory_is_pointed_to() {
        let other = std::env::temp_dir().join(format!("jsna-gap-data-{}", std::process::id()));
        std::fs::create_dir_all(other.join("justice")).unwrap();
        std::fs::write(other.join("justice/x.csv"), "a\n1\n").unwrap();
        let o = overrides(Some("/nowhere"), Some(other.to_str().unwrap()));
        let e = DataSource::resolve(&o, None)
            .file("justice/x.csv")
            .unwrap_err();
        assert!(e.hint.unwrap().contains("pass --data-dir"));
        let found = DataSource::resolve(&overrides(Some(other.to_str().unwrap()), None), None)
            .file("justice/x.csv")
            .unwrap();
        assert_eq!(found.recorded(), "data-dir:justice/x.csv");
        assert_eq!(
            found.table().unwrap().provenance("x").path,
            Path::new("data-dir:justice/x.csv")
        );
    }

    #[test]
    fn config_files_are_recorded_relative_to_the_config_or_by_name() {
        let f = DataFile::in_config_dir(Path::new("/home/a"), Path::new("datasets/caseload.csv"));
        assert_eq!(f.path(), Path::new("/home/a/datasets/caseload.csv"));
        assert_eq!(f.recorded(), "config-dir:datasets/caseload.csv");
        let f = DataFile::in_config_dir(Path::new("/home/a"), Path::new("/srv/x/local.csv"));
        assert_eq!(f.path(), Path::new("/srv/x/local.csv"));
        assert_eq!(f.recorded(), "file:local.csv");
    }
}

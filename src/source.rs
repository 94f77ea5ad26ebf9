//! Where a run's data comes from: a directory of the original files (named
//! by `--data-dir`, `JSNA_GAP_DATA` or `data_dir` in the config, in that
//! order), else the dataset compiled into the binary. Each file is read
//! through a [`DataFile`], which the manifest names relative to its source.

use crate::error::{Error, ErrorKind, Result};
use crate::input::DataFile;
use crate::input::embedded;
use serde::{Serialize, Serializer};
use std::path::PathBuf;

/// The environment variable that names a data directory.
pub const DATA_DIR_ENV: &str = "JSNA_GAP_DATA";

/// What the user typed that bears on configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    /// Normally the `JSNA_GAP_DATA` environment variable.
    pub data_dir_env: Option<PathBuf>,
    /// Scenarios to run beside the baseline, by name (`all`: every one).
    pub scenarios: Vec<String>,
}

impl Overrides {
    /// The overrides with `JSNA_GAP_DATA` read from the environment.
    pub fn from_env(config: Option<PathBuf>, data_dir: Option<PathBuf>) -> Overrides {
        Overrides {
            config,
            data_dir,
            data_dir_env: std::env::var_os(DATA_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            scenarios: Vec::new(),
        }
    }
}

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

    /// A data directory that is a file is said to be one, once, before each
    /// of its files is looked for in vain (a missing directory is named with
    /// the first file looked for, and every other place named).
    pub fn check(&self) -> Result<()> {
        match self {
            DataSource::Directory(dir) if dir.path.exists() && !dir.path.is_dir() => {
                Err(Error::input(
                    &dir.path,
                    format!(
                        "the data directory (chosen by {}) is a file, not a directory",
                        dir.chosen_by
                    ),
                )
                .kind(ErrorKind::Missing)
                .hint("name the folder holding boundaries/, lookups/, population/ and the rest, or give no data directory to use the embedded dataset"))
            }
            _ => Ok(()),
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
            return Ok(DataFile::in_data_dir(&self.path, relative));
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
        .kind(ErrorKind::Missing)
        .hint(hint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn overrides(flag: Option<&str>, env: Option<&str>) -> Overrides {
        Overrides {
            config: None,
            data_dir: flag.map(PathBuf::from),
            data_dir_env: env.map(PathBuf::from),
            scenarios: Vec::new(),
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
        assert!(e.hint.clone().unwrap().contains("pass --data-dir"));
        let found = DataSource::resolve(&overrides(Some(other.to_str().unwrap()), None), None)
            .file("justice/x.csv")
            .unwrap();
        assert_eq!(found.recorded(), "data-dir:justice/x.csv");
        assert_eq!(
            found.table().unwrap().provenance("x").path,
            Path::new("data-dir:justice/x.csv")
        );
    }
}

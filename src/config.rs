//! Configuration, resolved in two steps: the TOML file as the user wrote it
//! ([`ConfigFile`], unknown keys refused), then the run specification the
//! pipeline runs with ([`RunSpec`]: absolute paths, chosen layers, data
//! directory and where it came from). The manifest records the `RunSpec`.

use crate::caseload::{CaseloadOptions, EnglandShare};
use crate::error::{Error, ErrorKind, Result};
use crate::geography::Level;
use crate::geography::catalogue::{Catalogue, Layer};
use crate::stats::suppression::Suppression;
use crate::uncertainty::UncertaintyOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default England configuration, shipped inside the binary.
const DEFAULT_CONFIG: &str = include_str!("../jsna.toml");
/// Where the default configuration's relative paths point: this checkout.
const CHECKOUT: &str = env!("CARGO_MANIFEST_DIR");
pub const DATA_DIR_ENV: &str = "JSNA_GAP_DATA";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    data_dir: Option<PathBuf>,
    run: RunSection,
    datasets: DatasetsSection,
    caseload: CaseloadOptions,
    maps: MapOptions,
    #[serde(default)]
    publication: Suppression,
    #[serde(default)]
    uncertainty: UncertaintyOptions,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunSection {
    levels: BTreeMap<Level, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetsSection {
    caseload: PathBuf,
    prevalence: PathBuf,
    treatment_access: PathBuf,
    services: PathBuf,
    general_population: PathBuf,
    /// Optional local prevalence (e.g. OASys needs for an area) to compare with England.
    local_prevalence: Option<PathBuf>,
    /// Real local caseload counts and the national series (default: the
    /// project's own, datasets/caseload_observed.csv and caseload_national.csv).
    caseload_observed: Option<PathBuf>,
    caseload_national: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MapOptions {
    pub classification: crate::stats::classify::Method,
    pub k: usize,
    pub palette: crate::render::Palette,
    /// One set of breaks for all of a level's maps, so they can be compared.
    #[serde(default)]
    pub shared_breaks: bool,
    /// Map rates per 100,000 adults (the default: counts follow population)
    /// or counts of people.
    #[serde(default)]
    pub scale: crate::gap::Scale,
}

/// One reporting level and the boundary layer it is drawn and checked against.
#[derive(Debug, Clone, Serialize)]
pub struct LevelSpec {
    pub level: Level,
    pub layer: Layer,
    /// The ONS/OS attribution line for maps and pages drawn from the layer.
    #[serde(skip)]
    pub attribution: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Datasets {
    pub caseload: PathBuf,
    pub prevalence: PathBuf,
    pub treatment_access: PathBuf,
    pub services: PathBuf,
    pub general_population: PathBuf,
    pub local_prevalence: Option<PathBuf>,
    pub caseload_observed: PathBuf,
    pub caseload_national: PathBuf,
}

/// Everything a run needs, resolved: what the manifest records as "config".
#[derive(Debug, Clone, Serialize)]
pub struct RunSpec {
    /// The configuration file, or None for the built-in England default.
    pub config_file: Option<PathBuf>,
    pub data_dir: DataDir,
    pub levels: Vec<LevelSpec>,
    pub datasets: Datasets,
    pub caseload: CaseloadOptions,
    pub maps: MapOptions,
    /// The small-number rule for everything meant for publication.
    pub publication: Suppression,
    /// The simulation behind every modelled interval.
    pub uncertainty: UncertaintyOptions,
}

/// The data directory and how it was chosen, plus the other places that
/// would have been looked in (named when a file is missing).
#[derive(Debug, Clone, Serialize)]
pub struct DataDir {
    pub path: PathBuf,
    pub chosen_by: String,
    #[serde(skip)]
    candidates: Vec<(PathBuf, String)>,
}

/// What the user typed that bears on configuration.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    /// Normally the `JSNA_GAP_DATA` environment variable.
    pub data_dir_env: Option<PathBuf>,
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
        }
    }
}

impl RunSpec {
    pub fn resolve(overrides: &Overrides) -> Result<RunSpec> {
        let (text, config_file, base) = match &overrides.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                (text, Some(path.clone()), base)
            }
            None => (DEFAULT_CONFIG.to_string(), None, PathBuf::from(CHECKOUT)),
        };
        let shown = config_file
            .clone()
            .unwrap_or_else(|| PathBuf::from("jsna.toml (built-in default)"));
        let file: ConfigFile = toml::from_str(&text).map_err(|e| toml_error(&shown, &text, e))?;
        file.check(&shown).map_err(|e| e.kind(ErrorKind::Config))?;
        let catalogue = Catalogue::builtin();
        let levels = file
            .run
            .levels
            .iter()
            .map(|(level, id)| {
                let layer = catalogue
                    .layer(id, *level)
                    .map_err(|e| located(e, &shown, "run.levels"))?;
                Ok(LevelSpec {
                    level: *level,
                    attribution: catalogue.attribution(layer),
                    layer: layer.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let data_dir = DataDir::resolve(overrides, file.data_dir.map(|d| base.join(d)));
        let datasets = Datasets {
            caseload: base.join(&file.datasets.caseload),
            prevalence: base.join(&file.datasets.prevalence),
            treatment_access: base.join(&file.datasets.treatment_access),
            services: base.join(&file.datasets.services),
            general_population: base.join(&file.datasets.general_population),
            local_prevalence: file.datasets.local_prevalence.map(|p| base.join(p)),
            caseload_observed: project_or(
                &base,
                file.datasets.caseload_observed,
                "caseload_observed.csv",
            ),
            caseload_national: project_or(
                &base,
                file.datasets.caseload_national,
                "caseload_national.csv",
            ),
        };
        Ok(RunSpec {
            config_file,
            data_dir,
            levels,
            datasets,
            caseload: file.caseload,
            maps: file.maps,
            publication: file.publication,
            uncertainty: file.uncertainty,
        })
    }
}

/// A dataset the configuration names (relative to it), or the project's own.
fn project_or(base: &Path, given: Option<PathBuf>, own: &str) -> PathBuf {
    match given {
        Some(path) => base.join(path),
        None => Path::new(CHECKOUT).join("datasets").join(own),
    }
}

impl ConfigFile {
    /// Checks the values serde cannot: ranges and non-empty choices.
    fn check(&self, path: &Path) -> Result<()> {
        if self.run.levels.is_empty() {
            return Err(Error::input(path, "run.levels is empty")
                .hint("name at least one level, e.g. levels = { ctyua = \"ctyua-2024\" }"));
        }
        if let EnglandShare::Fixed(share) = self.caseload.england_share
            && !(share > 0.0 && share <= 1.0)
        {
            return Err(Error::input(
                path,
                format!("caseload.england_share is {share}, outside (0, 1]"),
            )
            .hint("write a proportion such as 0.946, or \"adult_population\""));
        }
        self.uncertainty.check(path)?;
        if !(2..=9).contains(&self.maps.k) {
            return Err(
                Error::input(path, format!("maps.k is {}, outside 2 to 9", self.maps.k))
                    .hint("choropleth maps read best with 3 to 7 classes; 5 is the default"),
            );
        }
        Ok(())
    }
}

impl DataDir {
    fn resolve(overrides: &Overrides, from_config: Option<PathBuf>) -> DataDir {
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
            Some((
                Path::new(CHECKOUT).join("../shared/data"),
                "the default, ../shared/data beside the checkout".to_string(),
            )),
        ]
        .into_iter()
        .flatten()
        .collect();
        let (path, chosen_by) = candidates[0].clone();
        DataDir {
            path,
            chosen_by,
            candidates,
        }
    }

    /// The path of a data file, which must exist; the error names the file,
    /// where it was looked for, and any other candidate that has it.
    pub fn file(&self, relative: &str) -> Result<PathBuf> {
        let path = self.path.join(relative);
        if path.is_file() {
            return Ok(path);
        }
        let elsewhere = self.candidates[1..]
            .iter()
            .find(|(dir, _)| dir.join(relative).is_file());
        let hint = match elsewhere {
            Some((dir, how)) => format!(
                "it exists in {} ({how}); pass --data-dir {} to use that directory",
                dir.display(),
                dir.display()
            ),
            None => format!(
                "also looked in: {}; get the file from the ONS Open Geography Portal (see boundaries/catalogue.toml) or point --data-dir / {DATA_DIR_ENV} at a copy of the shared data",
                self.candidates[1..]
                    .iter()
                    .map(|(d, how)| format!("{} ({how})", d.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
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

fn located(error: Error, file: &Path, key: &str) -> Error {
    error.in_file(file).key(key)
}

/// A TOML or schema error, with its line and the keys that are allowed.
fn toml_error(path: &Path, text: &str, err: toml::de::Error) -> Error {
    let message = err.message().to_string();
    let mut error = Error::input(path, message.clone()).kind(ErrorKind::Config);
    if let Some(span) = err.span() {
        let line = 1 + text[..span.start].matches('\n').count() as u64;
        error = error.line(line);
    }
    let hint = if message.contains("unknown field") {
        "remove or correct the key; the keys allowed here are listed above (see jsna.toml for a commented example)"
    } else if message.contains("unknown variant") {
        "use one of the values listed above"
    } else {
        "see jsna.toml in the repository for a commented example"
    };
    error.hint(hint).caused_by(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_text(text: &str) -> Result<RunSpec> {
        let dir = std::env::temp_dir().join(format!("jsna-gap-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!(
            "{:x}.toml",
            text.len() * 31 + text.as_bytes()[0] as usize
        ));
        std::fs::write(&path, text).unwrap();
        RunSpec::resolve(&Overrides {
            config: Some(path),
            ..Overrides::default()
        })
    }

    #[test]
    fn the_default_config_resolves() {
        let spec = RunSpec::resolve(&Overrides::default()).unwrap();
        let levels: Vec<_> = spec.levels.iter().map(|l| l.level).collect();
        assert_eq!(levels, [Level::Ctyua, Level::Sicbl]);
        assert_eq!(spec.caseload.proxy, crate::caseload::Proxy::EmploymentScale);
        assert!(spec.data_dir.chosen_by.contains("default"));
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let text = DEFAULT_CONFIG.replace("proxy = ", "proxxy = \"x\"\nproxy = ");
        let e = resolve_text(&text).unwrap_err();
        assert!(e.message.contains("unknown field `proxxy`"), "{e}");
        let line = DEFAULT_CONFIG[..DEFAULT_CONFIG.find("proxy = ").unwrap()]
            .matches('\n')
            .count()
            + 1;
        assert_eq!(e.location.line, Some(line as u64));
        assert_eq!(e.kind, ErrorKind::Config);
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn an_unknown_proxy_lists_the_choices() {
        let text = DEFAULT_CONFIG.replace("proxy = \"employment_scale\"", "proxy = \"crime\"");
        let e = resolve_text(&text).unwrap_err();
        assert!(e.message.contains("employment_scale"), "{e}");
    }

    #[test]
    fn impossible_simulation_settings_are_refused_by_key() {
        for (from, to, key) in [
            ("draws = 10000", "draws = 0", "uncertainty.draws"),
            ("draws = 10000", "draws = 1000000000", "uncertainty.draws"),
            (
                "model_error = \"observed\"",
                "model_error = nan",
                "uncertainty.model_error",
            ),
            (
                "model_error = \"observed\"",
                "model_error = -0.1",
                "uncertainty.model_error",
            ),
            (
                "england_share_sd = 0.01",
                "england_share_sd = 0.5",
                "uncertainty.england_share_sd",
            ),
            (
                "adult_population = 0.1 }",
                "adult_population = -1 }",
                "uncertainty.proxy_weights",
            ),
        ] {
            let text = DEFAULT_CONFIG.replace(from, to);
            assert_ne!(text, DEFAULT_CONFIG, "{from}");
            let e = resolve_text(&text).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Config, "{e}");
            assert_eq!(e.location.key.as_deref(), Some(key), "{e}");
            assert!(e.hint.is_some(), "{e}");
        }
        let e = resolve_text(
            &DEFAULT_CONFIG.replace("model_error = \"observed\"", "model_error = \"guess\""),
        )
        .unwrap_err();
        assert!(
            e.message.contains("observed") || e.to_string().contains("observed"),
            "{e}"
        );
    }

    #[test]
    fn data_dir_precedence_is_flag_env_config_default() {
        let o = Overrides {
            config: None,
            data_dir: Some("/flag".into()),
            data_dir_env: Some("/env".into()),
        };
        let d = DataDir::resolve(&o, Some("/config".into()));
        assert_eq!(d.path, Path::new("/flag"));
        let o = Overrides {
            data_dir: None,
            ..o
        };
        assert_eq!(
            DataDir::resolve(&o, Some("/config".into())).path,
            Path::new("/env")
        );
        let o = Overrides {
            data_dir_env: None,
            ..o
        };
        assert_eq!(
            DataDir::resolve(&o, Some("/config".into())).path,
            Path::new("/config")
        );
        assert!(DataDir::resolve(&o, None).chosen_by.contains("default"));
    }

    #[test]
    fn a_missing_data_file_names_itself_and_every_place_looked() {
        let o = Overrides {
            data_dir: Some("/nowhere".into()),
            ..Overrides::default()
        };
        let d = DataDir::resolve(&o, None);
        let e = d.file("boundaries/utla/NOPE.geojson").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("NOPE.geojson"), "{text}");
        assert!(text.contains("/nowhere"), "{text}");
        assert!(text.contains("--data-dir"), "{text}");
        assert!(text.contains("shared/data"), "{text}");
        // A file that exists in the default directory is pointed to.
        let e = d.file("PROVENANCE.md").unwrap_err();
        assert!(e.hint.unwrap().contains("pass --data-dir"));
    }
}

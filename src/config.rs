//! Configuration, resolved in two steps: the TOML file as the user wrote it
//! ([`ConfigFile`], unknown keys refused), then the run specification the
//! pipeline runs with ([`RunSpec`]: the files to read, chosen layers, and the
//! data source, see [`crate::load::DataSource`]). The manifest records the
//! `RunSpec`, with every file named relative to its source.

use crate::caseload::{CaseloadOptions, EnglandShare};
use crate::data::embedded;
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::policy::EvidencePolicy;
use crate::geography::Level;
use crate::geography::catalogue::{Catalogue, Layer};
use crate::input::DataFile;
use crate::load::{DATA_DIR_ENV, DataSource};
use crate::stats::suppression::Suppression;
use crate::uncertainty::UncertaintyOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default England configuration, shipped inside the binary with the
/// tables it names (see `data::embedded`).
const DEFAULT_CONFIG: &str = include_str!("../jsna.toml");

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
    /// Per condition, which estimate its prevalence is (see `evidence::policy`).
    #[serde(default)]
    evidence_policy: BTreeMap<String, toml::Spanned<toml::Value>>,
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
    /// Every published figure on each condition, by definition class, and
    /// the treatment-access figures (default: the project's own,
    /// datasets/evidence.csv and treatment_evidence.csv).
    evidence: Option<PathBuf>,
    treatment_evidence: Option<PathBuf>,
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
    pub caseload: DataFile,
    pub prevalence: DataFile,
    pub treatment_access: DataFile,
    pub services: DataFile,
    pub general_population: DataFile,
    pub local_prevalence: Option<DataFile>,
    pub caseload_observed: DataFile,
    pub caseload_national: DataFile,
    pub evidence: DataFile,
    pub treatment_evidence: DataFile,
}

/// Everything a run needs, resolved: what the manifest records as "config".
#[derive(Debug, Clone, Serialize)]
pub struct RunSpec {
    /// The configuration file, or None for the built-in England default
    /// (the manifest records its file name only).
    #[serde(serialize_with = "file_name")]
    pub config_file: Option<PathBuf>,
    pub data: DataSource,
    pub levels: Vec<LevelSpec>,
    pub datasets: Datasets,
    pub caseload: CaseloadOptions,
    pub maps: MapOptions,
    /// The small-number rule for everything meant for publication.
    pub publication: Suppression,
    /// The simulation behind every modelled interval.
    pub uncertainty: UncertaintyOptions,
    /// Which estimate each condition's prevalence is, as configured (the
    /// conditions left out take the default; `evidence::policy`).
    pub evidence_policy: EvidencePolicy,
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
        // The directory a configuration file's relative paths start from;
        // None for the built-in configuration, whose tables are compiled in.
        let (text, config_file, base) = match &overrides.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
                (text, Some(path.clone()), Some(base))
            }
            None => (DEFAULT_CONFIG.to_string(), None, None),
        };
        let shown = config_file
            .clone()
            .unwrap_or_else(|| PathBuf::from("jsna.toml (built-in default)"));
        let file: ConfigFile = toml::from_str(&text).map_err(|e| toml_error(&shown, &text, e))?;
        file.check(&shown).map_err(|e| e.kind(ErrorKind::Config))?;
        let evidence_policy = EvidencePolicy::parse(&shown, &text, &file.evidence_policy)?;
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
        let from_config = match (&base, file.data_dir) {
            (Some(base), Some(dir)) => Some(base.join(dir)),
            (None, Some(dir)) => Some(dir),
            (_, None) => None,
        };
        let data = DataSource::resolve(overrides, from_config);
        let dataset = |written: &Path| match &base {
            Some(base) => Ok(DataFile::in_config_dir(base, written)),
            None => embedded::builtin_dataset(written),
        };
        // The project's own table, compiled in, where a configuration names none.
        let own = |given: Option<&Path>, name: &str| match given {
            Some(written) => dataset(written),
            None => embedded::builtin_dataset(&Path::new("datasets").join(name)),
        };
        let named = &file.datasets;
        let datasets = Datasets {
            caseload: dataset(&named.caseload)?,
            prevalence: dataset(&named.prevalence)?,
            treatment_access: dataset(&named.treatment_access)?,
            services: dataset(&named.services)?,
            general_population: dataset(&named.general_population)?,
            local_prevalence: named.local_prevalence.as_deref().map(dataset).transpose()?,
            caseload_observed: own(named.caseload_observed.as_deref(), "caseload_observed.csv")?,
            caseload_national: own(named.caseload_national.as_deref(), "caseload_national.csv")?,
            evidence: own(named.evidence.as_deref(), "evidence.csv")?,
            treatment_evidence: own(
                named.treatment_evidence.as_deref(),
                "treatment_evidence.csv",
            )?,
        };
        Ok(RunSpec {
            config_file,
            data,
            levels,
            datasets,
            caseload: file.caseload,
            maps: file.maps,
            publication: file.publication,
            uncertainty: file.uncertainty,
            evidence_policy,
        })
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

/// A configuration file by its name alone: the manifest holds no machine path.
fn file_name<S: serde::Serializer>(
    path: &Option<PathBuf>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match path.as_ref().and_then(|p| p.file_name()) {
        Some(name) => serializer.serialize_str(&name.to_string_lossy()),
        None => serializer.serialize_none(),
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
        // With no data directory named, the embedded dataset, and the
        // built-in tables compiled in.
        assert!(matches!(spec.data, DataSource::Embedded));
        assert_eq!(spec.config_file, None);
        assert_eq!(
            spec.datasets.services.recorded(),
            "embedded:datasets/services.csv"
        );
        assert!(spec.datasets.services.table().unwrap().len() > 50);
        assert_eq!(
            spec.datasets.caseload_observed.recorded(),
            "embedded:datasets/caseload_observed.csv"
        );
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
    fn a_config_file_is_recorded_by_name_and_its_files_relative_to_it() {
        // The observed counts not named: the project's own, compiled in.
        let text = format!("data_dir = \"originals\"\n{DEFAULT_CONFIG}").replace(
            "caseload_national = \"datasets/caseload_national.csv\"\n",
            "",
        );
        let spec = resolve_text(&text).unwrap();
        let json = serde_json::to_value(&spec).unwrap();
        let name = spec.config_file.as_ref().unwrap().file_name().unwrap();
        assert_eq!(json["config_file"], name.to_str().unwrap());
        assert_eq!(
            json["datasets"]["caseload"],
            "config-dir:datasets/caseload.csv"
        );
        assert_eq!(
            json["datasets"]["caseload_national"],
            "embedded:datasets/caseload_national.csv"
        );
        assert_eq!(json["data"]["source"], "data-dir");
        assert_eq!(json["data"]["chosen_by"], "data_dir in the config");
        let DataSource::Directory(dir) = &spec.data else {
            panic!("data_dir in the config names a directory");
        };
        let base = spec.config_file.as_ref().unwrap().parent().unwrap();
        assert_eq!(dir.path, base.join("originals"));
        assert!(
            !String::from_utf8(serde_json::to_vec(&spec).unwrap())
                .unwrap()
                .contains(base.to_str().unwrap())
        );
    }
}

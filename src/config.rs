//! Configuration, resolved in two steps: the TOML file as the user wrote it
//! ([`ConfigFile`], unknown keys refused), then the run specification the
//! pipeline runs with ([`RunSpec`]: the files to read, chosen layers, and the
//! data source, see [`crate::source::DataSource`]). The manifest records the
//! `RunSpec`, with every file named relative to its source.

use crate::caseload::{CaseloadOptions, EnglandShare};
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::policy::EvidencePolicy;
use crate::geography::Level;
use crate::geography::catalogue::{Catalogue, Layer};
use crate::input::embedded;
use crate::input::{DataFile, Seen};
use crate::source::DataSource;
pub use crate::source::Overrides;
use crate::stats::suppression::Suppression;
use crate::uncertainty::UncertaintyOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default England configuration, shipped inside the binary with the
/// tables it names (see `input::embedded`).
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
    /// "What if" scenarios, each run beside the baseline on request.
    #[serde(default)]
    scenario: Vec<ScenarioFile>,
    #[serde(default)]
    funnels: FunnelOptions,
    /// Per condition, which estimate its prevalence is (see `evidence::policy`).
    #[serde(default)]
    evidence_policy: BTreeMap<String, toml::Spanned<toml::Value>>,
    /// The user's own boundary layers, for the `custom` level.
    #[serde(default, rename = "boundary_layer")]
    boundary_layers: Vec<UserLayer>,
}

/// A boundary layer of the user's own (`[[boundary_layer]]`): the `custom`
/// reporting level, whose areas get the LSOAs whose interior points they
/// hold (best fit), since no official lookup links them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserLayer {
    id: String,
    /// Relative to the configuration file: GeoJSON, Shapefile, GeoPackage
    /// or GeoParquet, in WGS84 or British National Grid.
    file: PathBuf,
    code_field: String,
    name_field: String,
    /// When its boundaries were drawn, e.g. "December 2024".
    vintage: String,
    /// The year of the copyright line on maps drawn from it.
    year: u16,
    /// The line that credits its source on maps and pages; by default the
    /// ONS and OS line of the built-in layers.
    attribution: Option<String>,
}

/// A `[[scenario]]` table as written: each part keeps its place in the
/// file, so that a problem found once the data are loaded can name its line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: toml::Spanned<String>,
    description: String,
    change: Vec<toml::Spanned<Change>>,
}

/// A "what if" scenario: named changes to the services, caseload or
/// treatment access the baseline assumes. The manifest records it.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioSpec {
    pub name: String,
    pub description: String,
    /// The configuration file's line of the scenario's name.
    pub line: u64,
    pub changes: Vec<LocatedChange>,
}

/// One change, with the line of the configuration file it starts on.
#[derive(Debug, Clone, Serialize)]
pub struct LocatedChange {
    pub line: u64,
    #[serde(flatten)]
    pub change: Change,
}

/// One change a scenario makes to the baseline's inputs.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// A new service: its capacity (people on probation served at a time)
    /// shared over its catchment by caseload, as a listed service's is.
    AddService {
        name: String,
        capacity: f64,
        /// A catchment level of the services table: lad, ctyua, pfa,
        /// probation_region or country.
        area_level: String,
        area_code: String,
        domain: String,
        /// A service for people on probation (true, the default) or a
        /// probation element within a mainstream service.
        #[serde(default = "specific")]
        probation_specific: bool,
    },
    /// A listed service withdrawn, by its service_id or service_name.
    RemoveService { service: String },
    /// A listed service's capacity set to a new number of people.
    ResizeService { service: String, capacity: f64 },
    /// Caseload of an area (a catchment level, or England as country
    /// E92000001) changed by a percentage, e.g. +10 for sentencing reform
    /// moving people from custody to community supervision.
    Caseload {
        area_level: String,
        area_code: String,
        percent: f64,
    },
    /// A condition's national untreated share set to a new value.
    TreatmentAccess {
        condition: String,
        untreated_share: f64,
    },
}

fn specific() -> bool {
    true
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
    pub palette: crate::palette::Palette,
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
    /// The file of a user's own layer (the `custom` level); catalogue
    /// layers are files of the data source.
    #[serde(skip)]
    pub file: Option<DataFile>,
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

/// Funnel plots of local prevalence (`[funnels]`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelOptions {
    /// Also draw limits widened for overdispersion (Spiegelhalter's
    /// additive random effects), for areas that differ by more than chance.
    #[serde(default)]
    pub overdispersion: bool,
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
    /// Every scenario the configuration defines (checked against the data
    /// by `scenario::resolve`).
    pub scenarios: Vec<ScenarioSpec>,
    /// The scenarios this run reports beside the baseline, by index into
    /// `scenarios`, in the configuration's order.
    #[serde(skip)]
    pub chosen: Vec<usize>,
    pub funnels: FunnelOptions,
    /// Which estimate each condition's prevalence is, as configured (the
    /// conditions left out take the default; `evidence::policy`).
    pub evidence_policy: EvidencePolicy,
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
        let shown = shown(config_file.as_deref());
        let file: ConfigFile = toml::from_str(&text).map_err(|e| toml_error(&shown, &text, e))?;
        file.check(&shown).map_err(|e| e.kind(ErrorKind::Config))?;
        let evidence_policy = EvidencePolicy::parse(&shown, &text, &file.evidence_policy)?;
        let catalogue = Catalogue::builtin();
        let levels = file
            .run
            .levels
            .iter()
            .map(|(level, id)| match level {
                Level::Custom => file.user_level(id, base.as_deref(), &catalogue, &shown),
                _ => {
                    let layer = catalogue
                        .layer(id, *level)
                        .map_err(|e| located(e, &shown, "run.levels"))?;
                    Ok(LevelSpec {
                        level: *level,
                        attribution: catalogue.attribution(layer),
                        layer: layer.clone(),
                        file: None,
                    })
                }
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
        let scenarios = scenarios(&shown, &text, file.scenario)?;
        let chosen = chosen(&shown, &scenarios, &overrides.scenarios)?;
        Ok(RunSpec {
            config_file,
            data,
            levels,
            datasets,
            caseload: file.caseload,
            maps: file.maps,
            publication: file.publication,
            uncertainty: file.uncertainty,
            scenarios,
            chosen,
            funnels: file.funnels,
            evidence_policy,
        })
    }
}

impl RunSpec {
    /// The configuration file as errors name it.
    pub fn config_shown(&self) -> PathBuf {
        shown(self.config_file.as_deref())
    }
}

fn shown(config_file: Option<&Path>) -> PathBuf {
    config_file.map_or_else(
        || PathBuf::from("jsna.toml (built-in default)"),
        Path::to_path_buf,
    )
}

impl ConfigFile {
    /// The `custom` level: the user's layer the levels name by its id.
    fn user_level(
        &self,
        id: &str,
        base: Option<&Path>,
        catalogue: &Catalogue,
        shown: &Path,
    ) -> Result<LevelSpec> {
        let ids: Vec<&str> = self.boundary_layers.iter().map(|l| l.id.as_str()).collect();
        let Some(own) = self.boundary_layers.iter().find(|l| l.id == id) else {
            return Err(Error::input(
                shown,
                format!(
                    "run.levels gives custom = \"{id}\", but no [[boundary_layer]] has that id (ids given: [{}])",
                    ids.join(", ")
                ),
            )
            .kind(ErrorKind::Config)
            .key("run.levels")
            .hint("add a [[boundary_layer]] with id, file, code_field, name_field, vintage and year (see examples/custom-level/jsna.toml)"));
        };
        let file = DataFile::in_config_dir(base.unwrap_or(Path::new(".")), &own.file);
        let layer = Layer {
            id: own.id.clone(),
            level: Level::Custom,
            vintage: own.vintage.clone(),
            year: own.year,
            file: file.recorded().to_string(),
            code_field: own.code_field.clone(),
            name_field: own.name_field.clone(),
            generalisation: "as supplied".to_string(),
            url: String::new(),
        };
        Ok(LevelSpec {
            level: Level::Custom,
            attribution: match &own.attribution {
                Some(line) => line.clone(),
                None => catalogue.attribution(&layer),
            },
            layer,
            file: Some(file),
        })
    }

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

/// The scenarios as written, located by line; a name used twice, or a
/// capacity that is not a whole number of people, is refused here (what
/// needs the data is checked by `scenario::resolve`).
fn scenarios(shown: &Path, text: &str, written: Vec<ScenarioFile>) -> Result<Vec<ScenarioSpec>> {
    let line_of = |offset: usize| 1 + text[..offset].matches('\n').count() as u64;
    let mut seen = Seen::default();
    written
        .into_iter()
        .map(|s| {
            let line = line_of(s.name.span().start);
            let name = s.name.into_inner();
            seen.at(
                shown,
                line,
                name.clone(),
                format_args!("scenario name '{name}'"),
            )
            .map_err(|e| {
                e.key("scenario.name")
                    .hint("give each scenario its own name")
            })?;
            let changes = s
                .change
                .into_iter()
                .map(|c| LocatedChange {
                    line: line_of(c.span().start),
                    change: c.into_inner(),
                })
                .collect::<Vec<_>>();
            for c in &changes {
                c.check(shown)?;
            }
            Ok(ScenarioSpec {
                name,
                description: s.description,
                line,
                changes,
            })
        })
        .collect()
}

impl LocatedChange {
    /// An error about this change, at its line of the configuration file.
    pub fn error(&self, file: &Path, message: impl Into<String>) -> Error {
        Error::input(file, message)
            .line(self.line)
            .key("scenario.change")
            .kind(ErrorKind::Config)
    }

    /// The values that need no data: capacities are whole numbers of
    /// people, percentages leave some caseload, shares are proportions.
    fn check(&self, file: &Path) -> Result<()> {
        let capacity = match &self.change {
            Change::AddService { capacity, .. } | Change::ResizeService { capacity, .. } => {
                Some(*capacity)
            }
            _ => None,
        };
        if let Some(c) = capacity
            && !(c >= 0.0 && c.fract() == 0.0 && c <= 1e9)
        {
            return Err(self
                .error(file, format!("capacity {c} is not a whole number of people"))
                .hint("capacity counts the people on probation a service serves at a time: a whole number, 0 or more"));
        }
        if let Change::Caseload { percent, .. } = self.change
            && !(percent > -100.0 && percent <= 1000.0)
        {
            return Err(self
                .error(file, format!("a caseload change of {percent}% is outside -100 (exclusive) to 1000"))
                .hint("write the change in percent: 10 for a tenth more people, -5 for a twentieth fewer"));
        }
        if let Change::TreatmentAccess {
            untreated_share, ..
        } = self.change
            && !(0.0..=1.0).contains(&untreated_share)
        {
            return Err(self
                .error(file, format!("untreated_share {untreated_share} is not a proportion"))
                .hint("the share of people with the condition who receive no treatment, 0 to 1 (0.4, not 40)"));
        }
        Ok(())
    }
}

/// The scenarios asked for on the command line, as indices in the
/// configuration's order; `all` is every one.
fn chosen(shown: &Path, scenarios: &[ScenarioSpec], asked: &[String]) -> Result<Vec<usize>> {
    if asked.iter().any(|a| a == "all") {
        return Ok((0..scenarios.len()).collect());
    }
    for name in asked {
        if !scenarios.iter().any(|s| &s.name == name) {
            let defined: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::input(
                shown,
                format!("--scenario {name}: no [[scenario]] of that name"),
            )
            .kind(ErrorKind::Unknown)
            .hint(if defined.is_empty() {
                "the configuration defines no scenarios; add a [[scenario]] table (see README: what if)".to_string()
            } else {
                format!("defined: {} (or all)", defined.join(", "))
            }));
        }
    }
    Ok((0..scenarios.len())
        .filter(|&i| asked.contains(&scenarios[i].name))
        .collect())
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

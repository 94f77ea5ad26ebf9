//! Loading: every input a run names, read and checked in one walk. `run`
//! and `validate` both take this walk, so `validate` cannot pass an input
//! that `run` would then refuse: each reader's problems are collected, and
//! an input that others depend on (the lookups, the prevalence table) is
//! read first so its dependants are checked whenever it is sound.

use crate::apportion::population::{FineUnits, LSOA_BOUNDARIES, Placement as PointPlacement};
use crate::caseload::observed::{self, NationalTotal, Observed};
use crate::caseload::{self, CaseloadRow, PduAreas};
use crate::config::Overrides;
use crate::config::{LevelSpec, RunSpec};
use crate::data::{embedded, pack};
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::treatment::{self, TreatmentFigure};
use crate::evidence::{self, Study};
use crate::geography::boundaries::BoundaryLayer;
use crate::geography::catalogue::Catalogue;
use crate::geography::units::Units;
use crate::geography::{Level, gss};
use crate::input::DataFile;
use crate::input::{InputFile, Table};
use crate::prevalence::{self, Comparator, LocalPrevalence, Prevalence, TreatmentAccess};
use crate::render::charts::Survey;
use crate::services::{self, Service};
use serde::{Serialize, Serializer};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub const PDU_LOOKUP: &str = "justice/pdu_pcc_area_lookup.csv";
pub const SURVEY_2017: &str = "evidence/survey_2017_services.csv";
pub const DATA_DIR_ENV: &str = "JSNA_GAP_DATA";
/// The constituencies an observed count may be given for.
pub const PCON_LAYER: &str = "pcon-2024";

/// Every input, read and checked.
pub struct Loaded {
    pub units: Units,
    pub layers: Vec<(LevelSpec, BoundaryLayer)>,
    pub caseload: Vec<CaseloadRow>,
    pub pdus: PduAreas,
    pub prevalence: Vec<Prevalence>,
    pub access: Vec<TreatmentAccess>,
    pub services: Vec<Service>,
    /// Each service's catchment as LSOA indices.
    pub catchments: Vec<Vec<usize>>,
    pub comparators: Vec<Comparator>,
    pub local: Vec<LocalPrevalence>,
    /// The 2017 national CCG survey's provision by category, for comparison.
    pub survey: Survey,
    /// Real local caseload counts, and the national series that dates them.
    pub observed: Vec<Observed>,
    pub national: Vec<NationalTotal>,
    /// Every published prevalence figure, by definition class, and the
    /// treatment-access figures.
    pub evidence: Vec<Study>,
    pub treatment_evidence: Vec<TreatmentFigure>,
    /// What was read, for the manifest.
    pub inputs: Vec<InputFile>,
}

impl Loaded {
    /// The boundaries of a level, if the run reports at it.
    pub fn layer(&self, level: Level) -> Option<&BoundaryLayer> {
        self.layers
            .iter()
            .find(|(spec, _)| spec.level == level)
            .map(|(_, layer)| layer)
    }
}

/// Progress lines for the user (stderr in the command line).
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// Reads and checks every input the run names; every problem found is
/// returned, not only the first.
pub fn load(spec: &RunSpec, progress: Progress) -> std::result::Result<Loaded, Vec<Error>> {
    spec.data.check().map_err(|e| vec![e])?;
    let mut walk = Walk {
        problems: Vec::new(),
        inputs: Vec::new(),
    };
    progress(&format!(
        "reading lookups and populations from {}",
        spec.data.describe()
    ));
    let units = walk.keep(spec.data.units().and_then(|mut units| {
        place_best_fit_levels(spec, &mut units)?;
        Ok(units)
    }));
    if let Some(units) = &units {
        walk.inputs.extend(units.inputs.iter().cloned());
    }
    let layers: Vec<Option<(LevelSpec, BoundaryLayer)>> = spec
        .levels
        .iter()
        .map(|level| {
            let layer = walk.keep(load_layer(spec, level, units.as_ref()?))?;
            progress(&format!(
                "read {} boundaries {}: {} areas, {} repaired",
                level.level,
                level.layer.id,
                layer.features.len(),
                layer.repairs.len()
            ));
            walk.inputs.push(InputFile {
                role: format!("{} boundaries ({})", level.level, level.layer.id),
                path: layer.path.clone(),
                sha256: layer.sha256.clone(),
                records: Some(layer.features.len() + layer.excluded.len()),
                used: None,
                excluded: None,
            });
            Some((level.clone(), layer))
        })
        .collect();
    let datasets = &spec.datasets;
    let caseload = walk.read("caseload", Ok(datasets.caseload.clone()), caseload::read);
    let pdus = walk.read(
        "PDU to police force area lookup",
        spec.data.file(PDU_LOOKUP),
        caseload::read_pdu_areas,
    );
    let prevalence = walk.read(
        "prevalence",
        Ok(datasets.prevalence.clone()),
        prevalence::read,
    );
    let conditions = prevalence.as_deref();
    let access = walk.read_with(
        "treatment access",
        Ok(datasets.treatment_access.clone()),
        conditions,
        prevalence::read_access,
    );
    let services = walk.read_with(
        "services inventory",
        Ok(datasets.services.clone()),
        units.as_ref(),
        services::read,
    );
    let comparators = walk.read_with(
        "general-population comparators",
        Ok(datasets.general_population.clone()),
        conditions,
        prevalence::read_comparators,
    );
    let local = match (&datasets.local_prevalence, &units) {
        (Some(file), Some(units)) => {
            let reported = |level, code: &str| reported_area(spec, units, level, code);
            walk.read_with("local prevalence", Ok(file.clone()), conditions, |t, c| {
                prevalence::read_local(t, c, &reported)
            })
        }
        // The lookups' problem is reported already.
        (Some(_), None) => None,
        (None, _) => Some(Vec::new()),
    };
    let survey = walk.read(
        "2017 national survey of CCG provision",
        spec.data.file(SURVEY_2017),
        |t| Survey::from_table(t, "Clinical Commissioning Group"),
    );
    let observed = walk.read(
        "observed local caseload counts",
        Ok(datasets.caseload_observed.clone()),
        observed::read,
    );
    let national = walk.read(
        "national caseload series (England and Wales)",
        Ok(datasets.caseload_national.clone()),
        observed::read_national,
    );
    let condition_ids: Option<Vec<&str>> =
        conditions.map(|c| c.iter().map(|p| p.condition.as_str()).collect());
    let evidence = walk.read_with(
        "evidence on prevalence, by definition class",
        Ok(datasets.evidence.clone()),
        condition_ids.as_deref(),
        evidence::read,
    );
    let treatment_evidence = walk.read_with(
        "evidence on treatment access",
        Ok(datasets.treatment_evidence.clone()),
        condition_ids.as_deref(),
        treatment::read,
    );
    // The national caseload (England and Wales, the largest in the series)
    // bounds any service's capacity, whatever area the caseload file covers.
    if let (Some(national), Some(services)) = (&national, &services) {
        let total = national.iter().map(|t| t.count).fold(0.0, f64::max);
        walk.problems.extend(services::above_caseload(
            services,
            total,
            datasets.services.path(),
        ));
    }
    if !walk.problems.is_empty() {
        return Err(walk.problems);
    }
    // Every reader succeeded, so every value is present.
    let (
        Some(units),
        Some(caseload),
        Some(pdus),
        Some(prevalence),
        Some(access),
        Some(comparators),
        Some(local),
        Some(services),
        Some(survey),
        Some(observed),
        Some(national),
        Some(evidence),
        Some(treatment_evidence),
    ) = (
        units,
        caseload,
        pdus,
        prevalence,
        access,
        comparators,
        local,
        services,
        survey,
        observed,
        national,
        evidence,
        treatment_evidence,
    )
    else {
        return Err(vec![Error::internal(
            "an input was skipped without a problem",
        )]);
    };
    progress(&format!(
        "read {} caseload rows, {} conditions, {} services",
        caseload.len(),
        prevalence.len(),
        services.len()
    ));
    let catchments = services::catchments(&services, &units);
    Ok(Loaded {
        layers: layers.into_iter().flatten().collect(),
        catchments,
        units,
        caseload,
        pdus,
        prevalence,
        access,
        services,
        comparators,
        local,
        survey,
        observed,
        national,
        evidence,
        treatment_evidence,
        inputs: walk.inputs,
    })
}

/// The problems found so far and the inputs read.
struct Walk {
    problems: Vec<Error>,
    inputs: Vec<InputFile>,
}

impl Walk {
    fn keep<T>(&mut self, result: Result<T>) -> Option<T> {
        result.map_err(|e| self.problems.push(e)).ok()
    }

    /// Reads a table, records it as an input, and parses it.
    fn read<T>(
        &mut self,
        role: &str,
        file: Result<DataFile>,
        parse: impl FnOnce(&Table) -> Result<T>,
    ) -> Option<T> {
        let table = self.keep(file.and_then(|f| f.table()))?;
        self.inputs.push(table.provenance(role));
        self.keep(parse(&table))
    }

    /// As `read`, for a table checked against another input: skipped (the
    /// other input's problem already reported) when that input is unsound.
    fn read_with<D: ?Sized, T>(
        &mut self,
        role: &str,
        file: Result<DataFile>,
        depends_on: Option<&D>,
        parse: impl FnOnce(&Table, &D) -> Result<T>,
    ) -> Option<T> {
        let dependency = depends_on?;
        self.read(role, file, |t| parse(t, dependency))
    }
}

/// Whether the run reports `code` at `level`; if not, a hint saying what it
/// reports.
fn reported_area(
    spec: &RunSpec,
    units: &Units,
    level: Level,
    code: &str,
) -> std::result::Result<(), String> {
    if !spec.levels.iter().any(|l| l.level == level) {
        let levels: Vec<String> = spec.levels.iter().map(|l| l.level.to_string()).collect();
        return Err(format!(
            "the run reports at {}: add {level} to run.levels in the config, or leave the row out",
            levels.join(", ")
        ));
    }
    if units.lsoas.iter().any(|l| Units::area_of(l, level) == code) {
        Ok(())
    } else {
        Err(format!(
            "no {level} area has this code in the lookups the run uses; check the code and its vintage"
        ))
    }
}

/// Constituencies have no official LSOA lookup: a run that reports at them
/// gets each LSOA's constituency by best fit.
fn place_best_fit_levels(spec: &RunSpec, units: &mut Units) -> Result<()> {
    if spec.levels.iter().any(|l| l.level == Level::Pcon) {
        let placed = spec.data.constituencies(units)?;
        for (lsoa, area) in units.lsoas.iter_mut().zip(placed) {
            lsoa.pcon = area.unwrap_or_default();
        }
    }
    Ok(())
}

/// A level's boundaries, English areas only, whose codes must be exactly the
/// codes the lookups give that level.
fn load_layer(spec: &RunSpec, level: &LevelSpec, units: &Units) -> Result<BoundaryLayer> {
    let file = spec.data.file(&level.layer.file)?;
    let layer = file.layer(
        &level.layer.code_field,
        &level.layer.name_field,
        &|code: &str| {
            (!gss::is_english(code)).then(|| "outside England, the scope of this run".to_string())
        },
    )?;
    let drawn: BTreeSet<&str> = layer.features.iter().map(|f| f.code.as_str()).collect();
    let looked_up: BTreeSet<&str> = units
        .lsoas
        .iter()
        .map(|l| Units::area_of(l, level.level))
        .collect();
    let only_drawn: Vec<&str> = drawn.difference(&looked_up).copied().collect();
    let only_looked_up: Vec<&str> = looked_up.difference(&drawn).copied().collect();
    // An area the file has but could not use (a null geometry) is not an
    // area the file lacks: say which and why.
    let unusable: Vec<String> = layer
        .excluded
        .iter()
        .filter(|e| only_looked_up.contains(&e.code.as_str()))
        .map(|e| format!("{} ({})", e.code, e.reason))
        .collect();
    if !unusable.is_empty() {
        return Err(Error::input(
            file.path(),
            format!(
                "the {} boundaries have no usable boundary for {}; every area of the level needs one",
                level.level,
                unusable.join(", ")
            ),
        )
        .hint("the file is damaged or incomplete: download it again (the ONS address is in boundaries/catalogue.toml)"));
    }
    if !only_drawn.is_empty() || !only_looked_up.is_empty() {
        return Err(Error::input(
            file.path(),
            format!(
                "the {} boundaries do not match the lookups: codes only in the boundaries: [{}]; only in the lookups: [{}]",
                level.level,
                only_drawn.join(", "),
                only_looked_up.join(", ")
            ),
        )
        .hint("choose the layer of the lookups' vintage: ctyua-2024, lad-2024, sicbl-2023, icb-2023 or ccg-2021"));
    }
    Ok(layer)
}

// Where the data comes from.

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

    /// The fine units (LSOAs with every level's area) and district facts.
    pub fn units(&self) -> Result<Units> {
        match self {
            DataSource::Embedded => pack::read_units(embedded::Dataset::builtin()),
            DataSource::Directory(dir) => Units::load(dir),
        }
    }

    /// Each English LSOA's July 2024 constituency, in LSOA order: placed from the boundaries in a data
    /// directory ([`DataDir::constituencies`]), or as the embedded dataset
    /// recorded that placement when it was built.
    pub fn constituencies(&self, units: &Units) -> Result<Vec<Option<String>>> {
        match self {
            DataSource::Embedded => pack::read_constituencies(embedded::Dataset::builtin(), units),
            DataSource::Directory(dir) => dir.constituencies(units),
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

    /// Each English LSOA's July 2024 constituency, by its interior point
    /// (the ONS best-fit method), through the apportion engine's point
    /// placement; a point off the constituencies' generalised coastline
    /// goes to the nearest.
    pub fn constituencies(&self, units: &Units) -> Result<Vec<Option<String>>> {
        let catalogue = Catalogue::builtin();
        let layer = catalogue.layer(PCON_LAYER, Level::Pcon)?;
        let english = |code: &str| (!gss::is_english(code)).then(|| "outside England".to_string());
        let pcon = self
            .file(&layer.file)?
            .layer(&layer.code_field, &layer.name_field, &english)?;
        let lsoas = self
            .file(LSOA_BOUNDARIES)?
            .layer("lsoa11_code", "lsoa11_name", &english)?;
        let fine = FineUnits {
            what: "English LSOA 2011s".to_string(),
            codes: units.lsoas.iter().map(|l| l.code.clone()).collect(),
            population: units.lsoas.iter().map(|l| l.adults).collect(),
        };
        let points = fine.interior_points(&lsoas);
        let placement = PointPlacement::by_point(&fine, &points, &pcon);
        Ok(placement.nearest_where_outside(&points, &pcon).area_of)
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

//! Loading: every input a run names, read and checked in one walk. `run`
//! and `validate` both take this walk, so `validate` cannot pass an input
//! that `run` would then refuse: each reader's problems are collected, and
//! an input that others depend on (the lookups, the prevalence table) is
//! read first so its dependants are checked whenever it is sound.

use crate::caseload::observed::{self, NationalTotal, Observed};
use crate::caseload::{self, CaseloadRow, PduAreas};
use crate::config::{LevelSpec, RunSpec};
use crate::error::{Error, Result};
use crate::geography::boundaries::{self, BoundaryLayer};
use crate::geography::units::Units;
use crate::geography::{Level, gss};
use crate::input::{InputFile, Table};
use crate::prevalence::{self, Comparator, LocalPrevalence, Prevalence, TreatmentAccess};
use crate::render::charts::Survey;
use crate::services::{self, Service};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub const PDU_LOOKUP: &str = "justice/pdu_pcc_area_lookup.csv";
pub const SURVEY_2017: &str = "evidence/survey_2017_services.csv";

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
    let mut walk = Walk {
        problems: Vec::new(),
        inputs: Vec::new(),
    };
    progress("reading lookups and populations");
    let units = walk.keep(Units::load(&spec.data_dir));
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
            });
            Some((level.clone(), layer))
        })
        .collect();
    let datasets = &spec.datasets;
    let caseload = walk.read("caseload", Ok(datasets.caseload.clone()), caseload::read);
    let pdus = walk.read(
        "PDU to police force area lookup",
        spec.data_dir.file(PDU_LOOKUP),
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
    let local = match &datasets.local_prevalence {
        Some(path) => walk.read_with(
            "local prevalence",
            Ok(path.clone()),
            conditions,
            prevalence::read_local,
        ),
        None => Some(Vec::new()),
    };
    let survey = walk.read(
        "2017 national survey of CCG provision",
        spec.data_dir.file(SURVEY_2017),
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
        path: Result<PathBuf>,
        parse: impl FnOnce(&Table) -> Result<T>,
    ) -> Option<T> {
        let table = self.keep(path.and_then(|p| Table::read(&p)))?;
        self.inputs.push(table.provenance(role));
        self.keep(parse(&table))
    }

    /// As `read`, for a table checked against another input: skipped (the
    /// other input's problem already reported) when that input is unsound.
    fn read_with<D: ?Sized, T>(
        &mut self,
        role: &str,
        path: Result<PathBuf>,
        depends_on: Option<&D>,
        parse: impl FnOnce(&Table, &D) -> Result<T>,
    ) -> Option<T> {
        let dependency = depends_on?;
        self.read(role, path, |t| parse(t, dependency))
    }
}

/// A level's boundaries, English areas only, whose codes must be exactly the
/// codes the lookups give that level.
fn load_layer(spec: &RunSpec, level: &LevelSpec, units: &Units) -> Result<BoundaryLayer> {
    let path = spec.data_dir.file(&level.layer.file)?;
    let layer = boundaries::read_layer(
        &path,
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
    if !only_drawn.is_empty() || !only_looked_up.is_empty() {
        return Err(Error::input(
            &path,
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

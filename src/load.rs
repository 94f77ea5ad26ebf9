//! Loading: every input a run names, read and checked in one walk. `run`
//! and `validate` both take this walk, so `validate` cannot pass an input
//! that `run` would then refuse: each reader's problems are collected, and
//! an input that others depend on (the lookups, the prevalence table) is
//! read first so its dependants are checked whenever it is sound.

use crate::apportion::population::{FineUnits, LSOA_BOUNDARIES, Placement as PointPlacement};
use crate::caseload::observed::{self, NationalTotal, Observed};
use crate::caseload::{self, CaseloadRow, PduAreas};
use crate::config::{LevelSpec, RunSpec};
use crate::error::{Error, Result};
use crate::evidence::policy::{self, Choice};
use crate::evidence::pool::IntervalMethod;
use crate::evidence::treatment::{self, TreatmentFigure};
use crate::evidence::{self, Study};
use crate::geography::Level;
use crate::geography::boundaries::{BoundaryLayer, Excluded, read_file};
use crate::geography::catalogue::Catalogue;
use crate::geography::pack;
use crate::geography::pack::LsoaPoints;
use crate::geography::units::Units;
use crate::gss;
use crate::input::embedded;
use crate::input::{DataFile, InputFile, Table};
use crate::numbers::thousands;
use crate::prevalence::{self, Comparator, LocalPrevalence, Prevalence, TreatmentAccess};
use crate::services::survey::Survey;
use crate::services::{self, Service};
use crate::source::{DataDir, DataSource};
use std::collections::BTreeSet;

pub const PDU_LOOKUP: &str = "justice/pdu_pcc_area_lookup.csv";
pub const SURVEY_2017: &str = "evidence/survey_2017_services.csv";
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
    /// How each condition's prevalence was chosen (the evidence policy),
    /// in the prevalence table's order.
    pub choices: Vec<Choice>,
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
    let mut units = walk.keep(units(&spec.data));
    if let Some(units) = &units {
        walk.inputs.extend(units.inputs.iter().cloned());
    }
    let mut layers: Vec<Option<(LevelSpec, BoundaryLayer)>> = Vec::new();
    for level in &spec.levels {
        let layer = units
            .as_mut()
            .and_then(|units| walk.keep(load_layer(spec, level, units)));
        if let Some(layer) = &layer {
            progress(&format!(
                "read {} boundaries {}: {} areas, {} repaired",
                level.level,
                level.layer.id,
                layer.features.len(),
                layer.repairs.len()
            ));
            if let (Level::Custom, Some(units)) = (level.level, &units) {
                let outside: Vec<_> = units.lsoas.iter().filter(|l| l.custom.is_empty()).collect();
                progress(&format!(
                    "{} of {} English LSOAs ({} adults) lie in no area of {}",
                    thousands(outside.len() as f64, 0),
                    thousands(units.lsoas.len() as f64, 0),
                    thousands(outside.iter().map(|l| l.adults).sum(), 0),
                    level.layer.id
                ));
            }
            walk.inputs.push(InputFile {
                role: format!("{} boundaries ({})", level.level, level.layer.id),
                path: layer.path.clone(),
                sha256: layer.sha256.clone(),
                records: Some(layer.features.len() + layer.excluded.len()),
                used: None,
                excluded: None,
            });
        }
        layers.push(layer.map(|layer| (level.clone(), layer)));
    }
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
    let ids: Vec<&str> = prevalence.iter().map(|p| p.condition.as_str()).collect();
    let choices = policy::choose(
        &spec.evidence_policy,
        &ids,
        &evidence,
        IntervalMethod::default(),
    )
    .map_err(|e| vec![e])?;
    let mut prevalence = prevalence;
    for (p, choice) in prevalence.iter_mut().zip(&choices) {
        policy::adopt(p, choice, &evidence);
    }
    let access = with_linkage(access, treatment::defaults(&treatment_evidence));
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
        choices,
        inputs: walk.inputs,
    })
}

/// The treatment-access table with official linkage figures in place of
/// its own for the conditions they cover (its own are older survey shares,
/// kept in the treatment evidence table as comparators).
fn with_linkage(table: Vec<TreatmentAccess>, linked: Vec<TreatmentAccess>) -> Vec<TreatmentAccess> {
    let mut access: Vec<TreatmentAccess> = table
        .into_iter()
        .filter(|a| !linked.iter().any(|l| l.condition == a.condition))
        .collect();
    access.extend(linked);
    access
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

/// A level's boundaries, English areas only. A level with an official
/// lookup must have exactly the codes the lookups give it; a level placed
/// by best fit (constituencies, a user's layer) gives each LSOA the area its
/// point lies in, and reports the areas too small to hold any LSOA's point.
fn load_layer(spec: &RunSpec, level: &LevelSpec, units: &mut Units) -> Result<BoundaryLayer> {
    let file = match &level.file {
        Some(own) => own.clone(),
        None => spec.data.file(&level.layer.file)?,
    };
    let mut layer = read_file(
        &file,
        &level.layer.code_field,
        &level.layer.name_field,
        &|code: &str| {
            (!gss::is_english(code)).then(|| "outside England, the scope of this run".to_string())
        },
    )?;
    match level.level.best_fit() {
        true => place_by_best_fit(spec, level.level, &mut layer, units)?,
        false => check_against_lookups(&file, level.level, &layer, units)?,
    }
    Ok(layer)
}

/// Gives each LSOA its area of a best-fit level (constituencies as the
/// embedded dataset recorded them, else by the LSOA's interior point).
/// Areas no LSOA's point falls in cannot be estimated from LSOAs: they are
/// left out of the layer and listed among its exclusions.
fn place_by_best_fit(
    spec: &RunSpec,
    level: Level,
    layer: &mut BoundaryLayer,
    units: &mut Units,
) -> Result<()> {
    let fitted = lsoa_points(&spec.data, units)?;
    // A user's layer may cover part of England: an LSOA whose point lies in
    // none of its areas is in none of them (counted below), never moved in.
    let placed = match level {
        Level::Pcon => fitted.pcon,
        _ => PointPlacement::by_point(&fine_units(units), &fitted.points, layer).area_of,
    };
    for (lsoa, area) in units.lsoas.iter_mut().zip(placed) {
        let field = match level {
            Level::Pcon => &mut lsoa.pcon,
            _ => &mut lsoa.custom,
        };
        *field = area.unwrap_or_default();
    }
    let held: BTreeSet<&str> = units
        .lsoas
        .iter()
        .map(|l| Units::area_of(l, level))
        .collect();
    let (kept, empty): (Vec<_>, Vec<_>) = std::mem::take(&mut layer.features)
        .into_iter()
        .partition(|f| held.contains(f.code.as_str()));
    layer.features = kept;
    layer.excluded.extend(empty.into_iter().map(|f| {
        Excluded {
            code: f.code,
            reason:
                "no LSOA's interior point lies in it, so no LSOA-based estimate can be made for it"
                    .to_string(),
        }
    }));
    Ok(())
}

/// The codes of a level's boundaries must be exactly those its lookups give.
fn check_against_lookups(
    file: &DataFile,
    level: Level,
    layer: &BoundaryLayer,
    units: &Units,
) -> Result<()> {
    let drawn: BTreeSet<&str> = layer.features.iter().map(|f| f.code.as_str()).collect();
    let looked_up: BTreeSet<&str> = units
        .lsoas
        .iter()
        .map(|l| Units::area_of(l, level))
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
                "the {level} boundaries have no usable boundary for {}; every area of the level needs one",
                unusable.join(", ")
            ),
        )
        .hint("the file is damaged or incomplete: download it again (the ONS address is in boundaries/catalogue.toml)"));
    }
    if only_drawn.is_empty() && only_looked_up.is_empty() {
        return Ok(());
    }
    Err(Error::input(
        file.path(),
        format!(
            "the {level} boundaries do not match the lookups: codes only in the boundaries: [{}]; only in the lookups: [{}]",
            only_drawn.join(", "),
            only_looked_up.join(", ")
        ),
    )
    .hint("choose the layer of the lookups' vintage: ctyua-2024, lad-2024, sicbl-2023, icb-2023 or ccg-2021"))
}

// The data each source holds.

/// The fine units (LSOAs with every level's area) and district facts.
pub fn units(source: &DataSource) -> Result<Units> {
    match source {
        DataSource::Embedded => pack::read_units(embedded::Dataset::builtin()),
        DataSource::Directory(dir) => Units::load(dir),
    }
}

/// Each English LSOA's interior point and July 2024 constituency: found
/// from the boundaries in a data directory ([`fit_lsoa_points`]), or as the
/// embedded dataset recorded them when it was built.
pub fn lsoa_points(source: &DataSource, units: &Units) -> Result<LsoaPoints> {
    match source {
        DataSource::Embedded => pack::read_lsoa_points(embedded::Dataset::builtin(), units),
        DataSource::Directory(dir) => fit_lsoa_points(dir, units),
    }
}

/// Each English LSOA's interior point (a point inside it, near its centre:
/// the ONS best-fit method's point), and the July 2024 constituency it
/// lies in.
pub fn fit_lsoa_points(dir: &DataDir, units: &Units) -> Result<LsoaPoints> {
    let catalogue = Catalogue::builtin();
    let layer = catalogue.layer(PCON_LAYER, Level::Pcon)?;
    let english = |code: &str| (!gss::is_english(code)).then(|| "outside England".to_string());
    let pcon = read_file(
        &dir.file(&layer.file)?,
        &layer.code_field,
        &layer.name_field,
        &english,
    )?;
    let lsoas = read_file(
        &dir.file(LSOA_BOUNDARIES)?,
        "lsoa11_code",
        "lsoa11_name",
        &english,
    )?;
    let points = fine_units(units).interior_points(&lsoas);
    // England's constituencies cover England: a point off their generalised
    // coastline goes to the nearest (at most 1,314 m away).
    let pcon = PointPlacement::by_point(&fine_units(units), &points, &pcon)
        .nearest_where_outside(&points, &pcon)
        .area_of;
    Ok(LsoaPoints { points, pcon })
}

/// The English LSOAs with their adults, as the apportion engine takes them.
fn fine_units(units: &Units) -> FineUnits {
    FineUnits {
        what: "English LSOA 2011s".to_string(),
        codes: units.lsoas.iter().map(|l| l.code.clone()).collect(),
        population: units.lsoas.iter().map(|l| l.adults).collect(),
    }
}

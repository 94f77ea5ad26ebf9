//! "What if" scenarios (`[[scenario]]` in the configuration): each
//! scenario's changes checked against the loaded data, and applied to the
//! inputs the baseline's analysis uses. A scenario changes only what it
//! names; everything else (the caseload's spreading, the prevalence, the
//! simulation's draws) stays the baseline's, so a change against the
//! baseline is the scenario's effect alone.

use crate::config::{Change, LocatedChange, RunSpec, ScenarioSpec};
use crate::error::{Error, ErrorKind, Result};
use crate::load::Loaded;
use crate::prevalence::{Domain, TreatmentAccess};
use crate::services::{self, CODE_HINT, ServedLevel, Service};
use std::path::Path;

/// A scenario's inputs: the baseline's, with its changes made.
#[derive(Debug, Clone)]
pub struct Applied<'a> {
    pub spec: &'a ScenarioSpec,
    pub services: Vec<Service>,
    /// Each service's catchment as LSOA indices (as `Loaded::catchments`).
    pub catchments: Vec<Vec<usize>>,
    pub access: Vec<TreatmentAccess>,
    /// Each district's caseload multiplier, in `units.districts` order.
    pub caseload: Vec<f64>,
    /// Each condition's untreated-share multiplier, in prevalence order.
    pub untreated: Vec<f64>,
}

/// Every scenario the configuration defines, checked against the data (a
/// bad one is an error even when not asked for: the configuration is
/// wrong); the ones chosen for this run, applied.
pub fn resolve<'a>(
    spec: &'a RunSpec,
    loaded: &Loaded,
) -> std::result::Result<Vec<Applied<'a>>, Vec<Error>> {
    let file = spec.config_shown();
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    for (i, scenario) in spec.scenarios.iter().enumerate() {
        match apply(scenario, &file, loaded) {
            Ok(a) if spec.chosen.contains(&i) => applied.push(a),
            Ok(_) => {}
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(applied)
    } else {
        Err(problems)
    }
}

/// One scenario's changes made to the baseline's inputs, in the order
/// written; `file` is the configuration, named in errors.
pub fn apply<'a>(spec: &'a ScenarioSpec, file: &Path, loaded: &Loaded) -> Result<Applied<'a>> {
    let mut applied = Applied {
        spec,
        services: loaded.services.clone(),
        catchments: loaded.catchments.clone(),
        access: loaded.access.clone(),
        caseload: vec![1.0; loaded.units.districts.len()],
        untreated: vec![1.0; loaded.prevalence.len()],
    };
    for change in &spec.changes {
        applied.make(change, file, loaded)?;
    }
    Ok(applied)
}

impl Applied<'_> {
    fn make(&mut self, at: &LocatedChange, file: &Path, loaded: &Loaded) -> Result<()> {
        match &at.change {
            Change::AddService {
                name,
                capacity,
                area_level,
                area_code,
                domain,
                probation_specific,
            } => {
                let level = area(at, file, loaded, area_level, area_code)?;
                let domain = Domain::parse(domain).ok_or_else(|| {
                    at.error(file, format!("domain '{domain}' is not known"))
                        .kind(ErrorKind::Unknown)
                        .hint(format!(
                            "use one of: {}",
                            Domain::NAMES.map(|(n, _)| n).join(", ")
                        ))
                })?;
                let service = Service {
                    id: format!("{}: {name}", self.spec.name),
                    name: name.clone(),
                    category: "scenario".to_string(),
                    domain,
                    provider_type: String::new(),
                    provider: String::new(),
                    specific: *probation_specific,
                    area_level: level,
                    area_codes: vec![area_code.clone()],
                    capacity: Some(*capacity),
                    capacity_unit: "people".to_string(),
                    period: String::new(),
                    source: format!("scenario '{}'", self.spec.name),
                    verified: String::new(),
                    notes: String::new(),
                };
                let catchment = services::catchments(std::slice::from_ref(&service), &loaded.units);
                self.services.extend([service]);
                self.catchments.extend(catchment);
            }
            Change::RemoveService { service } => {
                let i = self.service(at, file, service)?;
                self.services.remove(i);
                self.catchments.remove(i);
            }
            Change::ResizeService { service, capacity } => {
                let i = self.service(at, file, service)?;
                self.services[i].capacity = Some(*capacity);
            }
            Change::Caseload {
                area_level,
                area_code,
                percent,
            } => {
                let level = area(at, file, loaded, area_level, area_code)?;
                let factor = 1.0 + percent / 100.0;
                for (f, district) in self
                    .caseload
                    .iter_mut()
                    .zip(loaded.units.districts.values())
                {
                    if level.includes(area_code, district) {
                        *f *= factor;
                    }
                }
            }
            Change::TreatmentAccess {
                condition,
                untreated_share,
            } => {
                let c = loaded
                    .prevalence
                    .iter()
                    .position(|p| &p.condition == condition)
                    .ok_or_else(|| {
                        at.error(file, format!("condition '{condition}' is not known"))
                            .kind(ErrorKind::Unknown)
                            .hint(format!(
                                "use a condition of the prevalence table: {}",
                                loaded
                                    .prevalence
                                    .iter()
                                    .map(|p| p.condition.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ))
                    })?;
                let access = self
                    .access
                    .iter_mut()
                    .find(|a| &a.condition == condition)
                    .ok_or_else(|| {
                        at.error(file, format!("condition '{condition}' has no national untreated share to change"))
                            .kind(ErrorKind::Unknown)
                            .hint("change treatment access only for a condition of the treatment-access table; add a service with a capacity for the others")
                    })?;
                // The draws keep the baseline's sampling spread, moved by
                // the same ratio, so the baseline's and the scenario's draws
                // stay paired.
                if access.untreated_share > 0.0 {
                    self.untreated[c] *= untreated_share / access.untreated_share;
                }
                access.untreated_share = *untreated_share;
            }
        }
        Ok(())
    }

    /// The index of the service a change names, by id or name.
    fn service(&self, at: &LocatedChange, file: &Path, named: &str) -> Result<usize> {
        let found: Vec<usize> = (0..self.services.len())
            .filter(|&i| self.services[i].id == named || self.services[i].name == named)
            .collect();
        match found[..] {
            [i] => Ok(i),
            [] => Err(at
                .error(file, format!("no service '{named}' in the services table"))
                .kind(ErrorKind::Unknown)
                .hint("name a service by its service_id (e.g. SV012) or its exact service_name")),
            _ => Err(at
                .error(
                    file,
                    format!("{} services are named '{named}'", found.len()),
                )
                .kind(ErrorKind::Unknown)
                .hint("name the service by its service_id")),
        }
    }
}

/// The level of an area a change names, which the lookups must know.
fn area(
    at: &LocatedChange,
    file: &Path,
    loaded: &Loaded,
    level: &str,
    code: &str,
) -> Result<ServedLevel> {
    let served = ServedLevel::parse(level).ok_or_else(|| {
        at.error(file, format!("area_level '{level}' is not known"))
            .kind(ErrorKind::Unknown)
            .hint(format!("use one of: {}", ServedLevel::names()))
    })?;
    if !served.knows(code, &loaded.units) {
        return Err(at
            .error(
                file,
                format!("area code '{code}' is not a known {level} area in England"),
            )
            .kind(ErrorKind::Unknown)
            .hint(CODE_HINT));
    }
    Ok(served)
}

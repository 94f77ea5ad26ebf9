//! Services: the inventory of what is commissioned for people on probation,
//! in the categories of the 2017 national survey, and the provision status it
//! gives each area and domain: a probation-specific service, a probation
//! element within a mainstream service, or none recorded.

pub mod survey;

use crate::error::{Error, Result};
use crate::geography::Level;
use crate::geography::units::{District, Lsoa, Units};
use crate::gss::{self, ENGLAND, ENGLAND_AND_WALES};
use crate::input::{Record, Seen, Table};
use crate::prevalence::Domain;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Categories of the 2017 CCG and mental health trust survey (Sirdifield et
/// al. 2019, Tables 3 and 5), plus probation-commissioned wellbeing support.
pub const CATEGORIES: [&str; 12] = [
    "diversion",
    "mappa_contribution",
    "probation_office_clinic",
    "cjmht_contribution",
    "iom_contribution",
    "substance_misuse",
    "talking_therapies",
    "personality_disorder_pathway",
    "approved_premises_inreach",
    "through_the_gate",
    "treatment_requirement",
    "rehabilitative_wellbeing",
];

/// The geography a service's catchment is given at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServedLevel {
    Lad,
    Ctyua,
    Pfa,
    ProbationRegion,
    Country,
}

impl ServedLevel {
    const NAMES: [(&'static str, ServedLevel); 5] = [
        ("lad", ServedLevel::Lad),
        ("ctyua", ServedLevel::Ctyua),
        ("pfa", ServedLevel::Pfa),
        ("probation_region", ServedLevel::ProbationRegion),
        ("country", ServedLevel::Country),
    ];
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub category: String,
    pub domain: Domain,
    pub provider_type: String,
    pub provider: String,
    /// A service for people on probation (true), or a probation element
    /// within a mainstream service (false).
    pub specific: bool,
    pub area_level: ServedLevel,
    pub area_codes: Vec<String>,
    /// People it can serve at a time, where the source states it.
    pub capacity: Option<f64>,
    pub capacity_unit: String,
    pub period: String,
    pub source: String,
    pub verified: String,
    pub notes: String,
}

/// The best provision an area has in a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NoneRecorded,
    ProbationElement,
    ProbationSpecific,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NoneRecorded => "none_recorded",
            Status::ProbationElement => "probation_element",
            Status::ProbationSpecific => "probation_specific",
        }
    }
}

/// Provision of one area in one domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provision {
    pub status: Status,
    /// Share of the area's caseload living where a service of that status serves.
    pub coverage: f64,
    /// Every service serving any part of the area in the domain, by id.
    pub services: Vec<String>,
    /// Capacity apportioned to the area from services that state one.
    pub capacity: Option<f64>,
}

pub fn read(table: &Table, units: &Units) -> Result<Vec<Service>> {
    table.require(&[
        "service_id",
        "service_name",
        "category",
        "domain",
        "provider_type",
        "probation_specific",
        "area_level",
        "area_codes",
        "capacity",
        "source",
    ])?;
    let mut services: Vec<Service> = Vec::new();
    let mut seen = Seen::default();
    for r in table.records() {
        let service = row(&r, units)?;
        seen.first(
            &r,
            service.id.clone(),
            format_args!("service_id {}", service.id),
        )
        .map_err(|e| e.hint("every service needs its own id"))?;
        services.push(service);
    }
    Ok(services)
}

fn row(r: &Record, units: &Units) -> Result<Service> {
    let category = r.text("category")?;
    if !CATEGORIES.contains(&category) {
        return Err(r
            .error(format!("category '{category}' is not a survey category"))
            .hint(format!("use one of: {}", CATEGORIES.join(", "))));
    }
    let domain = Domain::read(r)?;
    let specific = match r.text("probation_specific")? {
        "specific" => true,
        "element" => false,
        other => {
            return Err(r
                .error(format!("probation_specific '{other}' is neither 'specific' nor 'element'"))
                .hint("'specific': a service for people on probation; 'element': a probation part of a mainstream service"));
        }
    };
    let level_text = r.text("area_level")?;
    let area_level = ServedLevel::parse(level_text).ok_or_else(|| {
        r.error(format!("area_level '{level_text}' is not known"))
            .hint(format!("use one of: {}", ServedLevel::names()))
    })?;
    let area_codes: Vec<String> = r
        .text("area_codes")?
        .split(';')
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    for code in &area_codes {
        check_code(r, area_level, code, units)?;
    }
    let capacity = r.count_or_empty("capacity")?;
    let capacity_unit = r.str("capacity_unit");
    if capacity.is_some() && !capacity_unit.starts_with("people") {
        return Err(r
            .error(format!("capacity is given in '{capacity_unit}', not in people"))
            .hint("capacity counts people on probation the service serves at a time (capacity_unit people_...); put other figures in notes"));
    }
    Ok(Service {
        id: r.text("service_id")?.to_string(),
        name: r.text("service_name")?.to_string(),
        category: category.to_string(),
        domain,
        provider_type: r.text("provider_type")?.to_string(),
        provider: r.str("provider").to_string(),
        specific,
        area_level,
        area_codes,
        capacity,
        capacity_unit: capacity_unit.to_string(),
        period: r.str("period").to_string(),
        source: r.text("source")?.to_string(),
        verified: r.str("verified").to_string(),
        notes: r.str("notes").to_string(),
    })
}

/// An area code must name an English area the lookups know, or be Welsh
/// (kept, and reported as outside England's provision).
fn check_code(r: &Record, level: ServedLevel, code: &str, units: &Units) -> Result<()> {
    if level.knows(code, units) || gss::is_welsh(code) {
        return Ok(());
    }
    Err(r
        .error(format!("area code '{code}' is not a known {level:?} area"))
        .hint(CODE_HINT))
}

/// Which codes each catchment level takes.
pub const CODE_HINT: &str = "districts and upper-tier authorities are December 2024 codes, police force areas PFA23 codes, regions as named in justice/lad_pfa_probation_region_lookup.csv, country E92000001 (England) or K04000001 (England and Wales)";

impl ServedLevel {
    pub fn parse(s: &str) -> Option<ServedLevel> {
        Self::NAMES.iter().find(|(n, _)| *n == s).map(|(_, l)| *l)
    }

    /// The levels' names, for a hint.
    pub fn names() -> String {
        Self::NAMES.map(|(n, _)| n).join(", ")
    }

    /// Whether the area `code` of this level includes a district (every
    /// catchment level is made of whole districts).
    pub fn includes(self, code: &str, district: &District) -> bool {
        match self {
            ServedLevel::Country => code == ENGLAND || code == ENGLAND_AND_WALES,
            ServedLevel::ProbationRegion => district.probation_region == code,
            ServedLevel::Pfa => district.pfa == code,
            ServedLevel::Lad => district.code == code,
            ServedLevel::Ctyua => district.ctyua == code,
        }
    }

    /// Whether the lookups know `code` as an English area of this level.
    pub fn knows(self, code: &str, units: &Units) -> bool {
        units.districts.values().any(|d| self.includes(code, d))
    }
}

impl Service {
    /// Whether the service's catchment includes an LSOA.
    pub fn serves(&self, lsoa: &Lsoa, units: &Units) -> bool {
        let district = &units.districts[&lsoa.lad];
        self.area_codes.iter().any(|code| match self.area_level {
            ServedLevel::Country => true,
            ServedLevel::ProbationRegion => district.probation_region == *code,
            ServedLevel::Pfa => district.pfa == *code,
            ServedLevel::Lad => lsoa.lad == *code,
            ServedLevel::Ctyua => lsoa.ctyua == *code,
        })
    }

    /// Whether the capacity is for England and Wales together.
    pub fn capacity_includes_wales(&self) -> bool {
        self.area_level == ServedLevel::Country
            && self.area_codes.iter().any(|c| c == ENGLAND_AND_WALES)
    }
}

/// Each service's catchment as the indices of the LSOAs it serves, computed
/// once and shared by every level and scenario.
pub fn catchments(services: &[Service], units: &Units) -> Vec<Vec<usize>> {
    services
        .iter()
        .map(|service| {
            (0..units.lsoas.len())
                .filter(|&i| service.serves(&units.lsoas[i], units))
                .collect()
        })
        .collect()
}

/// Provision per area and domain at a level. Capacity is apportioned to
/// areas by their share of the caseload the service covers; an England and
/// Wales capacity is first cut to England's share.
pub fn provision(
    services: &[Service],
    catchments: &[Vec<usize>],
    units: &Units,
    caseload_per_lsoa: &[f64],
    england_share: f64,
    level: Level,
) -> BTreeMap<(String, Domain), Provision> {
    let mut out: BTreeMap<(String, Domain), Provision> = BTreeMap::new();
    let area_caseload = units.sum_by_area(level, caseload_per_lsoa);
    for (service, catchment) in services.iter().zip(catchments) {
        let status = if service.specific {
            Status::ProbationSpecific
        } else {
            Status::ProbationElement
        };
        let served = units.fold_by_area(level, catchment.iter().copied(), |total, i| {
            *total += caseload_per_lsoa[i]
        });
        let served_total: f64 = served.values().sum();
        let capacity = service.capacity.map(|c| {
            if service.capacity_includes_wales() {
                c * england_share
            } else {
                c
            }
        });
        for (area, caseload) in served {
            let entry = out
                .entry((area.to_string(), service.domain))
                .or_insert_with(|| Provision {
                    status: Status::NoneRecorded,
                    coverage: 0.0,
                    services: Vec::new(),
                    capacity: None,
                });
            entry.services.push(service.id.clone());
            let share = if area_caseload[area] > 0.0 {
                caseload / area_caseload[area]
            } else {
                0.0
            };
            if status > entry.status {
                entry.status = status;
                entry.coverage = share;
            } else if status == entry.status {
                entry.coverage = entry.coverage.max(share);
            }
            if let Some(c) = capacity
                && served_total > 0.0
            {
                *entry.capacity.get_or_insert(0.0) += c * caseload / served_total;
            }
        }
    }
    out
}

/// Services whose capacity is larger than the national caseload (`total`):
/// no service can serve more people on probation than there are.
pub fn above_caseload(services: &[Service], total: f64, file: &Path) -> Vec<Error> {
    services
        .iter()
        .filter(|s| s.capacity.is_some_and(|c| c > total))
        .map(|s| {
            Error::input(
                file,
                format!(
                    "capacity {} is more than the national caseload ({})",
                    crate::numbers::thousands(s.capacity.unwrap_or_default(), 0),
                    crate::numbers::thousands(total, 0)
                ),
            )
            .feature(format!("service {}", s.id))
            .key("capacity")
            .hint("capacity counts the people on probation the service serves at a time; check the figure and its unit")
        })
        .collect()
}

/// Services whose whole catchment is outside England, by id, for the report.
pub fn outside_england(services: &[Service]) -> Vec<&Service> {
    services
        .iter()
        .filter(|s| s.area_codes.iter().all(|c| gss::is_welsh(c)))
        .collect()
}

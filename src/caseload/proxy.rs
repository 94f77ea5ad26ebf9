//! How caseload known for a large area is spread over its parts: a proxy
//! for where people on probation live, and England's share of a caseload
//! counted for England and Wales together.

use crate::geography::units::Units;
use serde::{Deserialize, Serialize};

/// The proxy that spreads a coarse caseload over local areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Proxy {
    EmploymentScale,
    IncomeScale,
    AdultPopulation,
}

impl Proxy {
    pub const ALL: [Proxy; 3] = [
        Proxy::EmploymentScale,
        Proxy::IncomeScale,
        Proxy::AdultPopulation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Proxy::EmploymentScale => "employment_scale",
            Proxy::IncomeScale => "income_scale",
            Proxy::AdultPopulation => "adult_population",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Proxy::EmploymentScale => {
                "IoD2025 employment deprivation scale (people involuntarily out of work) by district"
            }
            Proxy::IncomeScale => {
                "IoD2025 income deprivation scale (people on low income) by district"
            }
            Proxy::AdultPopulation => "ONS mid-2020 population aged 18 and over",
        }
    }

    /// Each LSOA's share of its district's proxy, in LSOA order: the district
    /// proxy spread over its LSOAs by adult population.
    pub fn weights(self, units: &Units) -> Vec<f64> {
        units
            .lsoas
            .iter()
            .map(|lsoa| {
                let d = &units.districts[&lsoa.lad];
                let district_value = match self {
                    Proxy::EmploymentScale => d.employment_scale,
                    Proxy::IncomeScale => d.income_scale,
                    Proxy::AdultPopulation => d.adults,
                };
                district_value * lsoa.adults / d.adults
            })
            .collect()
    }
}

/// England's share of a caseload counted for England and Wales together.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum EnglandShare {
    Fixed(f64),
    Named(EnglandShareMethod),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnglandShareMethod {
    AdultPopulation,
}

/// How caseload is spread, as configured (`[caseload]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseloadOptions {
    pub proxy: Proxy,
    pub england_share: EnglandShare,
}

/// England's share of a caseload counted for England and Wales.
pub fn england_share(options: &CaseloadOptions, units: &Units) -> f64 {
    match options.england_share {
        EnglandShare::Fixed(share) => share,
        EnglandShare::Named(_) => {
            let england = units.england_adults();
            england / (england + units.wales_adults)
        }
    }
}

impl EnglandShare {
    /// Where the share comes from, in words.
    pub fn describe(self) -> &'static str {
        match self {
            EnglandShare::Fixed(_) => "set in the configuration",
            EnglandShare::Named(_) => {
                "England's share of the ONS mid-2020 population aged 18+ of England and Wales"
            }
        }
    }
}

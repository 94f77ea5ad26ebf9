//! Geography: the reporting levels, GSS codes, boundary layers in British
//! National Grid, and the fine units (LSOAs) that link every level.

pub mod boundaries;
pub mod catalogue;
pub mod geoparquet;
pub mod pack;
pub mod projection;
pub mod read;
pub mod repair;
pub mod units;
pub mod wkb;

use geo::{LineString, Polygon};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The rings of a polygon: its outer ring, then its holes.
pub fn rings_of(polygon: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(polygon.exterior()).chain(polygon.interiors())
}

/// A level the tool reports at. The vintage of each level's boundaries is
/// recorded in the manifest, not in the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Upper-tier local authority (counties and unitary authorities): Health and Wellbeing Boards.
    Ctyua,
    /// Lower-tier local authority district.
    Lad,
    /// Sub-ICB location (the former CCG areas, same E38 codes).
    Sicbl,
    /// Integrated Care Board.
    Icb,
    /// Clinical Commissioning Group (April 2021, the last vintage).
    Ccg,
    /// Westminster parliamentary constituency (July 2024): the geography the
    /// Ministry of Justice answers parliamentary questions on caseload in.
    Pcon,
    /// A boundary layer the user supplies (wards, neighbourhoods, a local
    /// partnership's areas), placed from the LSOAs by best fit.
    Custom,
}

impl Level {
    pub const ALL: [Level; 7] = [
        Level::Ctyua,
        Level::Lad,
        Level::Sicbl,
        Level::Icb,
        Level::Ccg,
        Level::Pcon,
        Level::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Ctyua => "ctyua",
            Level::Lad => "lad",
            Level::Sicbl => "sicbl",
            Level::Icb => "icb",
            Level::Ccg => "ccg",
            Level::Pcon => "pcon",
            Level::Custom => "custom",
        }
    }

    /// The level's areas, named as a map subtitle or a heading names them.
    pub fn plural_label(self) -> &'static str {
        match self {
            Level::Ctyua => "Upper-tier local authorities (Health and Wellbeing Boards)",
            Level::Lad => "Local authority districts",
            Level::Sicbl => "Sub-ICB locations",
            Level::Icb => "Integrated Care Boards",
            Level::Ccg => "Clinical commissioning groups",
            Level::Pcon => "Westminster parliamentary constituencies",
            Level::Custom => "Areas of the supplied boundary layer",
        }
    }

    /// Whether the level's areas are given to LSOAs by best fit (each
    /// LSOA's interior point) rather than by an official lookup.
    pub fn best_fit(self) -> bool {
        matches!(self, Level::Pcon | Level::Custom)
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One area of a level: its GSS code and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Area {
    pub code: String,
    pub name: String,
}

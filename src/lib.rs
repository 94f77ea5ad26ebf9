//! jsna-gap: how much health need there is among people on probation in each
//! area, how much of it commissioned services meet, and where the gaps are.
//!
//! The modules follow the data flow: `geography` (boundaries, levels, fine
//! units) → `caseload` (apportioned to areas) → `prevalence` → `need` →
//! `services` (provision) → `gap` → `render` (maps) and `report` (manifest),
//! with `output` writing files atomically and `pipeline` running the whole job.

pub mod analysis;
pub mod apportion;
pub mod caseload;
pub mod config;
pub mod data;
pub mod error;
pub mod evidence;
pub mod gap;
pub mod geography;
pub mod gss;
pub mod input;
pub mod load;
pub mod numbers;
pub mod output;
pub mod palette;
pub mod pipeline;
pub mod prevalence;
pub mod render;
pub mod report;
pub mod scenario;
pub mod services;
pub mod source;
pub mod stats;
pub mod uncertainty;

pub use error::{Error, Result};

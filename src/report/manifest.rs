//! `manifest.json`: tool version, resolved configuration, every input with
//! its SHA-256, the assumptions, map classes, and everything excluded or
//! repaired, so that every number in the outputs can be traced.
//!
//! It carries no timestamp: the same inputs give the same bytes.

use crate::caseload::Unplaced;
use crate::config::RunSpec;
use crate::input::InputFile;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    pub tool: Tool,
    pub config: &'a RunSpec,
    pub inputs: Vec<InputFile>,
    pub levels: Vec<LevelRecord>,
    pub caseload: CaseloadRecord,
    pub assumptions: Vec<String>,
    pub methods: Vec<String>,
    /// The small-number rule applied to everything meant for publication.
    pub publication: String,
    /// Areas in the top fifth of unmet need under every sensitivity scenario,
    /// by "level/condition".
    pub robust_top_fifth: std::collections::BTreeMap<String, Vec<String>>,
    pub maps: Vec<MapRecord>,
    /// Chart files (SVG and PNG), relative to the output directory.
    pub charts: Vec<String>,
    pub excluded: Vec<Exclusion>,
    pub outputs: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// A reporting level: its boundary layer and what was done to it.
#[derive(Debug, Serialize)]
pub struct LevelRecord {
    pub level: String,
    pub layer: String,
    pub vintage: String,
    pub areas: usize,
    pub repairs: Vec<Repaired>,
}

#[derive(Debug, Serialize)]
pub struct Repaired {
    pub area_code: String,
    pub what: String,
}

/// The account of the caseload: input = placed + not placed.
#[derive(Debug, Serialize)]
pub struct CaseloadRecord {
    pub input_total: f64,
    pub placed_in_england: f64,
    pub not_placed: f64,
    pub england_share: f64,
    pub proxy: String,
    pub proxy_description: String,
    pub lsoas: usize,
    pub lsoas_bridged_to_sicbl_2023: usize,
    pub unplaced: Vec<Unplaced>,
}

/// One map, in the DESIGN.md contract: breaks are upper bounds, ascending; a
/// value belongs to the first class whose bound it does not exceed.
#[derive(Debug, Clone, Serialize)]
pub struct MapRecord {
    pub file: String,
    pub png: String,
    pub level: String,
    pub condition: String,
    pub column: String,
    pub method: String,
    pub k: usize,
    pub breaks: Vec<f64>,
    pub counts: Vec<usize>,
    pub no_data: usize,
    pub palette: String,
    /// Whether the breaks are shared by all of the level's maps.
    pub shared_breaks: bool,
}

/// Something the user gave that is not in the results, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    pub input: String,
    pub item: String,
    pub reason: String,
}

impl Manifest<'_> {
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("the manifest is plain data");
        bytes.push(b'\n');
        bytes
    }
}

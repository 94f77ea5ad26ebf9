//! The interactive explorer, `explorer/index.html`: one self-contained page
//! (inline data, script and styles; no network; opens from disk) where an
//! analyst picks a level, condition and measure and sees a choropleth, a
//! ranked chart with intervals and a sortable table, all linked, with
//! England and the most similar areas beside the chosen area, and
//! downloads what the table shows as CSV. Where the run has them, a
//! scenario control shows each scenario's figures and their changes from
//! the baseline, the chosen area's detail shows its caseload over time, and
//! a funnel plot shows locally supplied prevalence.
//!
//! The figures come from [`data`] already published (small-number rule
//! applied in Rust, by the annexes' function); the page's script only shows
//! them. New measures are one entry in [`measures::MEASURES`].

mod data;
mod funnels;
mod measures;
mod shapes;
mod trends;

pub use data::ExplorerInputs;

use crate::error::{Error, Result};

/// Where the run writes the explorer, relative to the output directory.
pub const PATH: &str = "explorer/index.html";

const TEMPLATE: &str = include_str!("explorer.html");
const STYLE: &str = include_str!("explorer.css");
const SCRIPT: &str = include_str!("explorer.js");

/// The explorer page.
pub fn page(inputs: &ExplorerInputs) -> Result<String> {
    let data = data::data(inputs)?;
    let json = serde_json::to_string(&data)
        .map_err(|e| Error::internal(format!("writing the explorer's data: {e}")))?;
    // "<" only occurs inside JSON strings, where \u003c means the same; it
    // keeps "</script>" in a name or note from ending the script element.
    let json = json.replace('<', "\\u003c");
    // The data goes in last: nothing in it is taken for a placeholder.
    Ok(TEMPLATE
        .replace("{{style}}", STYLE)
        .replace("{{script}}", SCRIPT)
        .replace("{{data}}", &json))
}

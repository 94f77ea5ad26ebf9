//! Reports: the JSNA annexes (one per Health and Wellbeing Board, and the
//! England overview) and the run manifest.

pub mod annex;
pub mod document;
pub mod figures;
pub mod manifest;

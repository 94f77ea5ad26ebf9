//! Reports: the JSNA annexes (one per Health and Wellbeing Board, and the
//! England overview), the interactive explorer, the figures and the run
//! manifest.

pub mod account;
pub mod annex;
pub mod document;
pub mod explorer;
pub mod figures;
pub mod manifest;
pub mod similar;

//! `jsna-gap data build`: makes the compact default dataset (`data/` in the
//! repository) from a directory of the original ONS, MHCLG and MoJ files,
//! reproducibly.
//!
//! The dataset is read through [`crate::input::embedded`] (its files and
//! provenance, compiled into the binary) and [`crate::geography::pack`]
//! (the compact form of the fine units); which source a run reads (this
//! dataset or a data directory) is decided in [`crate::source::DataSource`].

pub mod build;

//! The compact default dataset compiled into the binary (`data/` in the
//! repository): what it holds and how it is read ([`embedded`], [`pack`]),
//! its provenance, and `jsna-gap data build`, which makes it from a
//! directory of the original ONS, MHCLG and MoJ files.
//!
//! Which source a run reads (this dataset or a data directory) is decided
//! with the rest of loading, in [`crate::load::DataSource`]; each file read
//! is an [`crate::input::DataFile`], named in the manifest relative to its
//! source.

pub mod build;
pub mod embedded;
pub mod pack;
pub mod provenance;

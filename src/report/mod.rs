//! Reports: the run manifest (what was read, assumed, excluded and drawn).

pub mod manifest;

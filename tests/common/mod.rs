//! Helpers shared by the integration tests (each test file uses some).
//!
//! Tests that compare against the original data files (the layout of
//! `../shared/data`) carry
//!
//! ```text
//! #[cfg_attr(not(originals), ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)")]
//! ```
//!
//! `build.rs` sets `cfg(originals)` when `JSNA_GAP_DATA` names a directory or
//! `../shared/data` is beside the checkout; on a fresh clone `cargo test`
//! lists each such test as ignored with that reason, and counts them in its
//! summary. Everything else runs on the dataset embedded in the binary.
#![allow(dead_code)]

pub mod cdp;

use jsna_gap::config::{Overrides, RunSpec};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The directory of the original data files: `JSNA_GAP_DATA`, else
/// `../shared/data` beside the checkout. Only tests marked as above call it.
pub fn originals() -> PathBuf {
    let dir = std::env::var_os("JSNA_GAP_DATA")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    assert!(
        dir.is_dir(),
        "the original data files are not at {}: set JSNA_GAP_DATA (a test marked \
         cfg_attr(not(originals), ignore) was run anyway)",
        dir.display()
    );
    dir
}

/// The built-in England configuration on the embedded dataset, whatever
/// the environment says.
pub fn embedded_spec() -> RunSpec {
    RunSpec::resolve(&Overrides::default()).unwrap()
}

/// The built-in England configuration on the original files.
pub fn originals_spec() -> RunSpec {
    RunSpec::resolve(&Overrides {
        data_dir: Some(originals()),
        ..Overrides::default()
    })
    .unwrap()
}

/// A CSV (UTF-8, byte-order mark allowed) as records keyed by column name.
pub fn records(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

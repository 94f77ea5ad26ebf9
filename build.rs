//! Tells the tests whether the original data files are here, as
//! `cfg(originals)`: set when `JSNA_GAP_DATA` names a directory, or when
//! `../shared/data` is beside the checkout. Tests that compare against the
//! originals carry `#[cfg_attr(not(originals), ignore = "...")]`, so on a
//! fresh clone `cargo test` reports them as ignored, with the reason and a
//! count, instead of failing or passing silently. The binary does not use it.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(originals)");
    println!("cargo::rerun-if-env-changed=JSNA_GAP_DATA");
    println!("cargo::rerun-if-changed=build.rs");
    let dir = match std::env::var_os("JSNA_GAP_DATA").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"))
            .join("../shared/data"),
    };
    if dir.is_dir() {
        // Rerun when the directory changes (or disappears). A directory that
        // appears later is noticed when JSNA_GAP_DATA changes or build.rs is
        // touched: watching a path that does not exist would rerun every build.
        println!("cargo::rerun-if-changed={}", dir.display());
        println!("cargo::rustc-cfg=originals");
    }
}

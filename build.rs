//! Two things made before the crate compiles:
//!
//! - The OSTN15 shifts as a plain array (`$OUT_DIR/ostn15_shifts.bin`,
//!   see [`ostn15_array`]), which `src/geography/projection.rs` includes.
//! - `cfg(originals)` for the tests, telling them whether the original data
//!   files are here: set when `JSNA_GAP_DATA` names a directory, or when
//!   `../shared/data` is beside the checkout. Tests that compare against the
//!   originals carry `#[cfg_attr(not(originals), ignore = "...")]`, so on a
//!   fresh clone `cargo test` reports them as ignored, with the reason and a
//!   count, instead of failing or passing silently. The binary does not use it.

use std::path::PathBuf;

fn main() {
    ostn15_array();
    originals();
}

/// OSTN15's grid: 1 km nodes, 701 eastings (0-700 km) by 1251 northings.
const EASTINGS: i32 = 701;
const NORTHINGS: i32 = 1251;

/// Every node's easting and northing shifts from `ostn15_phf`'s table, in
/// whole millimetres as little-endian i32 pairs, row by row from the
/// south-west node; `i32::MIN` for both where the table has no node. OS
/// publishes the shifts to the millimetre, so the millimetre count divided
/// by 1000 is the very f64 the table holds (checked here for every node),
/// and the projection gives the same bits from either.
fn ostn15_array() {
    let mut bytes = Vec::with_capacity((EASTINGS * NORTHINGS) as usize * 8);
    for n in 0..NORTHINGS {
        for e in 0..EASTINGS {
            let key = e + n * EASTINGS + 1; // the table's key for the node
            let mm = match ostn15_phf::ostn15_lookup(&key) {
                Some((east, north, _)) => [millimetres(east), millimetres(north)],
                None => [i32::MIN, i32::MIN],
            };
            for v in mm {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("ostn15_shifts.bin"), bytes).expect("write the OSTN15 array");
}

/// A shift in metres as whole millimetres; stops the build if the table
/// held anything finer, which the array could not reproduce exactly.
fn millimetres(metres: f64) -> i32 {
    let mm = (metres * 1000.0).round() as i32;
    assert_eq!(
        f64::from(mm) / 1000.0,
        metres,
        "an OSTN15 shift finer than 1 mm"
    );
    mm
}

fn originals() {
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

//! Apportioning on the real data: LSOA 2011 boundaries (34,753) → CCG April
//! 2021 (106, BUC), area-weighted, with mid-2020 LSOA populations as the
//! values — the case tobler's `area_interpolate` is timed on by
//! `benches/tobler_apportion.py` — and the other routes for scale.
//!
//! The whole `apportion` job (read both layers, overlay, carry the values)
//! is timed for targets of three sizes — CCG April 2021 (106), MSOA 2011
//! (7,201) and the LSOAs themselves (34,753) — to show how the time grows;
//! `benches/compare_tobler.sh` times the same job as a whole process against
//! tobler.
//!
//! `cargo bench --bench apportion`

use criterion::{Criterion, criterion_group, criterion_main};
use jsna_gap::apportion::lookup::Official;
use jsna_gap::apportion::values::{self, Kind, Values};
use jsna_gap::apportion::vintage::Vintage;
use jsna_gap::apportion::{LayerRequest, OutputFormat, Request, ValuesRequest, area, read_layer};
use jsna_gap::input::Fingerprint;
use jsna_gap::source::DataDir;
use std::path::PathBuf;
use std::time::Duration;

fn apportion(c: &mut Criterion) {
    // The original files: JSNA_GAP_DATA, else ../shared/data beside the checkout.
    let dir = std::env::var_os("JSNA_GAP_DATA").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")),
        PathBuf::from,
    );
    let data = DataDir::given(dir, "JSNA_GAP_DATA or ../shared/data");
    let file = |rel: &str| data.file(rel).expect("data file").path().to_path_buf();
    let lsoa_file =
        file("boundaries/lsoa/geographr_boundaries_lsoa11_LSOA_DEC_2011_EW_BSC_simplified.geojson");
    let ccg_file = file("boundaries/health/CCG_APR_2021_EN_BUC.geojson");
    let population = Values::read(
        &file("population/demographr_population20_lsoa11.csv"),
        "lsoa11_code",
        "total_population",
        Fingerprint::Skip,
    )
    .expect("populations");
    let lsoa =
        read_layer(&lsoa_file, None, "lsoa11_code", Fingerprint::Skip).expect("LSOA boundaries");
    let ccg = read_layer(&ccg_file, None, "AREACD", Fingerprint::Skip).expect("CCG boundaries");

    let mut group = c.benchmark_group("apportion");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(20));
    group.bench_function(
        "LSOA11 -> CCG21 by area, populations (overlay + values)",
        |b| {
            b.iter(|| {
                let crosswalk = area::crosswalk(&lsoa, &ccg);
                values::apportion(&crosswalk, &population, Kind::Extensive).expect("apportion")
            })
        },
    );
    group.bench_function(
        "read LSOA11 and CCG21 boundaries (parse, project, repair)",
        |b| {
            b.iter(|| {
                (
                    read_layer(&lsoa_file, None, "lsoa11_code", Fingerprint::Skip)
                        .expect("LSOA boundaries"),
                    read_layer(&ccg_file, None, "AREACD", Fingerprint::Skip)
                        .expect("CCG boundaries"),
                )
            })
        },
    );
    group.finish();

    // Growth with the number of targets: the whole job, as the command line runs it.
    let mut group = c.benchmark_group("apportion growth");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let msoa_file =
        file("boundaries/msoa/geographr_boundaries_msoa11_MSOA_DEC_2011_EW_BSC_simplified.geojson");
    let layer = |path: &std::path::Path, code: &str| LayerRequest {
        path: path.to_path_buf(),
        table: None,
        code_field: code.to_string(),
    };
    for (label, target) in [
        ("LSOA11 -> CCG21 (106 targets)", layer(&ccg_file, "AREACD")),
        (
            "LSOA11 -> MSOA11 (7,201 targets)",
            layer(&msoa_file, "msoa11_code"),
        ),
        (
            "LSOA11 -> LSOA11 (34,753 targets)",
            layer(&lsoa_file, "lsoa11_code"),
        ),
    ] {
        let request = Request {
            from: layer(&lsoa_file, "lsoa11_code"),
            to: target,
            values: Some(ValuesRequest {
                path: file("population/demographr_population20_lsoa11.csv"),
                code_column: "lsoa11_code".to_string(),
                value_column: "total_population".to_string(),
                kind: Kind::Extensive,
            }),
            allocate_total: false,
            output: OutputFormat::Csv,
        };
        group.bench_function(format!("whole job {label}"), |b| {
            b.iter(|| request.run(&|_| {}).expect("apportion").bytes)
        });
    }
    group.finish();

    let mut group = c.benchmark_group("apportion bridges");
    let official = Official::load(&data).expect("lookups");
    group.bench_function("CCG19 -> ICB23 bridge through LSOAs (population)", |b| {
        b.iter(|| official.bridge(Vintage::Ccg2019, Vintage::Icb2023))
    });
    group.finish();
}

criterion_group!(benches, apportion);
criterion_main!(benches);

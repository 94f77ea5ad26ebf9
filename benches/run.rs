//! The whole default England run (all inputs read, both levels, every map
//! drawn as SVG and PNG, every annex, tables and manifest assembled in
//! memory), and its stages, on the real data.
//!
//! `cargo bench --bench run`

use criterion::{Criterion, criterion_group, criterion_main};
use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::pipeline;
use std::time::Duration;

fn default_run(c: &mut Criterion) {
    let spec = RunSpec::resolve(&Overrides::from_env(None, None)).expect("default config");
    let quiet = |_: &str| {};
    let mut group = c.benchmark_group("default_run");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.bench_function("whole run (in memory)", |b| {
        b.iter(|| pipeline::run(&spec, &quiet).expect("run"))
    });
    group.bench_function("load inputs", |b| {
        b.iter(|| pipeline::load(&spec, &quiet).expect("load"))
    });
    let loaded = pipeline::load(&spec, &quiet).expect("load");
    group.bench_function(
        "analyse (caseload, need, provision, gap, sensitivity)",
        |b| b.iter(|| pipeline::analyse(&spec, &loaded).expect("analyse")),
    );
    let analysis = pipeline::analyse(&spec, &loaded).expect("analyse");
    group.bench_function("all maps (SVG and PNG)", |b| {
        b.iter(|| pipeline::draw_maps(&spec, &loaded, &analysis).expect("maps"))
    });
    let maps = pipeline::draw_maps(&spec, &loaded, &analysis).expect("maps");
    group.bench_function("all annexes (153 Boards and the overview)", |b| {
        b.iter(|| pipeline::annexes(&spec, &loaded, &analysis, &maps).expect("annexes"))
    });
    group.finish();
}

criterion_group!(benches, default_run);
criterion_main!(benches);

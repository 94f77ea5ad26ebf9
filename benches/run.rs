//! The whole default England run (all inputs read, both levels, every map
//! drawn as SVG and PNG, every annex, tables and manifest assembled in
//! memory), and its stages, on the real data.
//!
//! `cargo bench --bench run`

use criterion::{Criterion, criterion_group, criterion_main};
use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::report::{annex, figures};
use jsna_gap::{analysis, load, pipeline};
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
        b.iter(|| load::load(&spec, &quiet).expect("load"))
    });
    let loaded = load::load(&spec, &quiet).expect("load");
    group.bench_function(
        "analyse (caseload, need, provision, gap, sensitivity)",
        |b| b.iter(|| analysis::analyse(&spec, &loaded).expect("analyse")),
    );
    let analysis = analysis::analyse(&spec, &loaded).expect("analyse");
    group.bench_function("all maps (SVG and PNG)", |b| {
        b.iter(|| figures::maps(&spec, &loaded, &analysis).expect("maps"))
    });
    let maps = figures::maps(&spec, &loaded, &analysis).expect("maps");
    group.bench_function("all annexes (153 Boards and the overview)", |b| {
        b.iter(|| annex::annexes(&spec, &loaded, &analysis, &[], &maps).expect("annexes"))
    });
    group.finish();
}

criterion_group!(benches, default_run);
criterion_main!(benches);

//! The uncertainty simulation on the default England run: 10,000 draws of
//! every uncertain input, carried through the LSOAs to both default levels,
//! and every row's intervals, rank interval and comparison with England
//! summarised from them (all ten conditions).
//!
//! `cargo bench --bench simulation`

use criterion::{Criterion, criterion_group, criterion_main};
use jsna_gap::analysis::{self, intervals};
use jsna_gap::config::{Overrides, RunSpec};
use jsna_gap::load;
use std::time::Duration;

fn simulation(c: &mut Criterion) {
    let spec = RunSpec::resolve(&Overrides::from_env(None, None)).expect("default config");
    let quiet = |_: &str| {};
    let loaded = load::load(&spec, &quiet).expect("load");
    let analysis = analysis::analyse(&spec, &loaded).expect("analyse");
    let model_error = (analysis.simulated.model_error, String::new());
    let mut group = c.benchmark_group("simulation");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    group.bench_function(
        format!(
            "{} draws, {} rows: simulate and summarise",
            spec.uncertainty.draws,
            analysis.rows.len()
        ),
        |b| {
            b.iter(|| {
                let mut rows = analysis.rows.clone();
                intervals::add(
                    &spec,
                    &loaded,
                    &analysis.placement,
                    model_error.clone(),
                    &mut rows,
                )
            })
        },
    );
    group.finish();
}

criterion_group!(benches, simulation);
criterion_main!(benches);

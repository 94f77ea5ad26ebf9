//! The uncertainty simulation on the default England run: 10,000 draws of
//! every uncertain input, carried through the LSOAs to both default levels,
//! and every row's intervals, rank interval and comparison with England
//! summarised from them (all ten conditions).
//!
//! `cargo bench --bench simulation`
//!
//! Before timing, it prints the process's peak resident memory during one
//! simulation (Linux: the peak is reset through `/proc/self/clear_refs`
//! after loading, then read from `VmHWM`), beside the memory the loaded
//! inputs hold, so the figure is the simulation's and not the loading's.

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
    let simulate = || {
        let mut rows = analysis.rows.clone();
        intervals::add(
            &spec,
            &loaded,
            &analysis.placement,
            model_error.clone(),
            &mut rows,
        )
    };
    let loaded_mb = resident_mb("VmRSS");
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    simulate();
    if let (true, Some(peak), Some(before)) = (reset, resident_mb("VmHWM"), loaded_mb) {
        println!(
            "simulation peak resident memory: {peak:.0} MB (inputs and analysis held before it: {before:.0} MB)"
        );
    }
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
        |b| b.iter(simulate),
    );
    group.finish();
}

/// A memory figure of this process from /proc/self/status, in MB.
fn resident_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

criterion_group!(benches, simulation);
criterion_main!(benches);

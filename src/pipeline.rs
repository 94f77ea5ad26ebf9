//! The whole job, as a sequence of stages: load every input, analyse, draw
//! the figures, then assemble the tables, annexes, explorer and manifest in
//! memory. Nothing is written until all of it has succeeded.

use crate::analysis::check::{self, Check};
use crate::analysis::what_if::{self, WhatIf};
use crate::analysis::{self, Analysis};
use crate::caseload;
use crate::config::RunSpec;
use crate::error::Error;
use crate::evidence::{self, pool::IntervalMethod};
use crate::input::Table;
pub use crate::load::Progress;
use crate::load::{self, Loaded};
use crate::numbers::thousands;
use crate::output::{self, Outputs};
use crate::report::{account, annex, explorer, figures, manifest};
use crate::scenario;
use std::path::Path;

/// The whole job, in memory: every output file, ready to write.
///
/// The library's way to the command line's `jsna-gap run --out DIR` (the
/// built-in England configuration on the embedded dataset here; it takes a
/// few seconds, so the example is compiled, not run):
///
/// ```no_run
/// use jsna_gap::config::{Overrides, RunSpec};
/// let spec = RunSpec::resolve(&Overrides::default()).unwrap();
/// let outputs = jsna_gap::pipeline::run(&spec, &|line| eprintln!("{line}")).unwrap();
/// let gap_csv: &[u8] = outputs.get("gap.csv").unwrap();
/// assert!(gap_csv.starts_with(b"level,"));
/// outputs.write(std::path::Path::new("output")).unwrap();
/// ```
pub fn run(spec: &RunSpec, progress: Progress) -> Result<Outputs, Vec<Error>> {
    let loaded = load::load(spec, progress)?;
    let scenarios = scenario::resolve(spec, &loaded)?;
    let analysis = analysis::analyse(spec, &loaded).map_err(|e| vec![e])?;
    progress(&format!(
        "caseload {} placed in England of {} given ({} not placed)",
        thousands(analysis.placement.placed, 0),
        thousands(analysis.placement.input_total, 0),
        thousands(analysis.placement.unplaced_total(), 0)
    ));
    let what_if = what_if::compare(spec, &loaded, &analysis, &scenarios);
    for w in &what_if {
        progress(&format!(
            "scenario {}: simulated beside the baseline with the same draws",
            w.spec.name
        ));
    }
    let outputs = assemble(spec, &loaded, &analysis, &what_if, progress).map_err(|e| vec![e])?;
    outputs.check_finite().map_err(|e| vec![e])?;
    Ok(outputs)
}

/// Every problem `run` would meet before drawing anything: the inputs, and
/// the analysis they feed (caseload placement, map classes).
pub fn validate(spec: &RunSpec, progress: Progress) -> Vec<Error> {
    let loaded = match load::load(spec, progress) {
        Ok(loaded) => loaded,
        Err(problems) => return problems,
    };
    let checked = analysis::central(spec, &loaded)
        .and_then(|central| figures::check_maps(spec, &loaded, &central.rows));
    let mut problems: Vec<Error> = checked.err().into_iter().collect();
    problems.extend(scenario::resolve(spec, &loaded).err().into_iter().flatten());
    problems
}

/// The outputs of an analysis: tables, figures, annexes, the explorer and
/// the manifest.
fn assemble(
    spec: &RunSpec,
    loaded: &Loaded,
    analysis: &Analysis,
    what_if: &[WhatIf],
    progress: Progress,
) -> crate::Result<Outputs> {
    let maps = figures::maps(spec, loaded, analysis)?;
    progress(&format!("drew {} maps", maps.len()));
    let mut outputs = Outputs::default();
    let mut frame = output::gap_frame(
        &analysis.rows,
        &loaded.prevalence,
        spec.caseload.proxy.as_str(),
    )?;
    outputs.add("gap.csv", output::csv_bytes(&mut frame)?);
    outputs.add("gap.parquet", output::parquet_bytes(&mut frame)?);
    if !what_if.is_empty() {
        let mut side_by_side = output::scenarios_frame(analysis, what_if)?;
        outputs.add("scenarios.csv", output::csv_bytes(&mut side_by_side)?);
        outputs.add(
            "scenarios.parquet",
            output::parquet_bytes(&mut side_by_side)?,
        );
    }
    let levels = loaded
        .layers
        .iter()
        .map(|(spec, layer)| (spec.level, layer));
    for (path, bytes) in output::areas(levels)? {
        outputs.add(path, bytes);
    }
    let mut sensitivity = output::sensitivity_frame(&analysis.sensitivity)?;
    outputs.add("sensitivity.csv", output::csv_bytes(&mut sensitivity)?);
    let defaults: Vec<(&str, f64)> = loaded
        .prevalence
        .iter()
        .map(|p| (p.condition.as_str(), p.rate))
        .collect();
    let synthesis = evidence::synthesis(&loaded.evidence, &defaults, IntervalMethod::default());
    let mut evidence_table = output::evidence_frame(&synthesis)?;
    outputs.add("evidence.csv", output::csv_bytes(&mut evidence_table)?);
    if let Some(files) = annex::annexes(spec, loaded, analysis, what_if, &maps) {
        progress(&format!("made {} annex files", files.len()));
        for (path, bytes) in files {
            outputs.add(path, bytes);
        }
    }
    let series = analysis::trend::trends(spec, loaded, analysis)?;
    let mut trends = output::trends_frame(&series)?;
    outputs.add("trends.csv", output::csv_bytes(&mut trends)?);
    let funnels = analysis::funnel::funnels(
        &loaded.local,
        &analysis.rows,
        &spec.funnels,
        &spec.publication,
    );
    if !funnels.is_empty() {
        let mut table = output::funnels_frame(&funnels)?;
        outputs.add("funnels.csv", output::csv_bytes(&mut table)?);
    }
    let explorer = explorer::ExplorerInputs {
        spec,
        loaded,
        analysis,
        maps: &maps,
        what_if,
        series: &series,
        funnels: &funnels,
    };
    outputs.add(explorer::PATH, explorer::page(&explorer)?.into_bytes());
    progress(&format!("made the explorer, {}", explorer::PATH));
    let mut charts = figures::charts(loaded, analysis)?;
    charts.extend(figures::change_charts(spec, loaded, &series, &funnels)?);
    progress(&format!("drew {} charts", charts.len()));
    let mut chart_files = Vec::with_capacity(2 * charts.len());
    for chart in charts {
        let (svg, png) = (format!("{}.svg", chart.stem), format!("{}.png", chart.stem));
        chart_files.extend([svg.clone(), png.clone()]);
        outputs.add(svg, chart.svg.into_bytes());
        outputs.add(png, chart.png);
    }
    let mut records = Vec::with_capacity(maps.len());
    for map in maps {
        outputs.add(map.record.file.clone(), map.svg.into_bytes());
        outputs.add(map.record.png.clone(), map.png);
        records.push(map.record);
    }
    let mut files: Vec<String> = outputs.paths().map(|p| p.display().to_string()).collect();
    files.push("manifest.json".to_string());
    let manifest = manifest::manifest(spec, loaded, analysis, records, chart_files, files)
        .with_evidence(synthesis);
    for line in account::lines(&manifest.inputs) {
        progress(&line);
    }
    outputs.add("manifest.json", manifest.to_json());
    Ok(outputs)
}

/// The caseload model against the real local counts in `observed`: the
/// comparison and the fits (`check_caseload.csv`, `check_caseload_fits.csv`).
pub fn check_caseload(
    spec: &RunSpec,
    observed: &Path,
    progress: Progress,
) -> Result<(Outputs, Check), Vec<Error>> {
    let loaded = load::load(spec, progress)?;
    let rows = Table::read(observed)
        .and_then(|t| caseload::observed::read(&t))
        .map_err(|e| vec![e])?;
    progress(&format!(
        "comparing {} observed counts with the model",
        rows.len()
    ));
    let observations = check::Observations {
        file: observed,
        rows: &rows,
        national: &loaded.national,
    };
    let check = check::check(spec, &loaded, &observations).map_err(|e| vec![e])?;
    let mut outputs = Outputs::default();
    let tables = [
        ("check_caseload.csv", output::check_frame(&check)),
        ("check_caseload_fits.csv", output::fits_frame(&check)),
    ];
    for (name, frame) in tables {
        let bytes = frame.and_then(|mut f| output::csv_bytes(&mut f));
        outputs.add(name, bytes.map_err(|e| vec![e])?);
    }
    Ok((outputs, check))
}

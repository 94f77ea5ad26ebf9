//! The run's figures: one choropleth per level and condition, and the charts
//! of every level (each condition ranked with its intervals, the provision
//! matrix, provision by survey category), each as SVG and PNG, with the
//! titles and source lines that say what they show.

use crate::analysis::funnel::Funnel;
use crate::analysis::trend::{Basis, Point, Series};
use crate::analysis::{Analysis, areas_of, rows_of};
use crate::caseload::CaseloadRow;
use crate::config::{LevelSpec, RunSpec};
use crate::error::Result;
use crate::evidence::{self, pool::IntervalMethod};
use crate::gap::{Figure, GapRow, Scale};
use crate::geography::Level;
use crate::geography::boundaries::BoundaryLayer;
use crate::load::Loaded;
use crate::numbers::thousands;
use crate::prevalence::Prevalence;
use crate::render;
use crate::render::charts::{self, ChartSpec, forest};
use crate::report::manifest::MapRecord;
use crate::stats::classify::{self, Classes};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A map as drawn: its manifest record, classes, SVG and PNG.
pub struct DrawnMap {
    pub record: MapRecord,
    pub classes: Classes,
    pub svg: String,
    pub png: Vec<u8>,
}

/// A chart as drawn: its file stem (`charts/<level>-...`), SVG and PNG.
pub struct DrawnChart {
    pub stem: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// One map's data: the published figure of each area, its text as it may
/// be published, and the classes.
struct MapData {
    figure: Figure,
    values: BTreeMap<String, f64>,
    shown: BTreeMap<String, String>,
    classes: Classes,
}

/// Every map's data, in level then prevalence-table order: the
/// classification `run` draws with and `validate` checks.
fn map_data(spec: &RunSpec, loaded: &Loaded, rows: &[GapRow]) -> Result<Vec<MapData>> {
    let shared = if spec.maps.shared_breaks {
        shared_classes(spec, loaded, rows)?
    } else {
        BTreeMap::new()
    };
    loaded
        .layers
        .iter()
        .flat_map(|(level, _)| loaded.prevalence.iter().map(move |p| (level, p)))
        .map(|(level, p)| {
            let rows = rows_of(rows, level.level, &p.condition);
            let figure = Figure::of(&rows);
            let scale = spec.maps.scale;
            let values: BTreeMap<String, f64> = rows
                .iter()
                .filter_map(|r| figure.value(r, scale).map(|v| (r.area_code.clone(), v)))
                .collect();
            let shown = rows
                .iter()
                .filter_map(|r| Some((r.area_code.clone(), published(spec, r, figure, scale)?)))
                .collect();
            let data: Vec<f64> = values.values().copied().collect();
            let classes = match shared.get(&level.level) {
                Some(family) => family.counted(&data),
                None => classify::classify(&data, &spec.maps.classification, spec.maps.k)?,
            };
            Ok(MapData {
                figure,
                values,
                shown,
                classes,
            })
        })
        .collect()
}

/// Checks that every map can be classified as configured.
pub fn check_maps(spec: &RunSpec, loaded: &Loaded, rows: &[GapRow]) -> Result<()> {
    map_data(spec, loaded, rows).map(drop)
}

/// One choropleth per level and condition, as SVG and PNG.
pub fn maps(spec: &RunSpec, loaded: &Loaded, analysis: &Analysis) -> Result<Vec<DrawnMap>> {
    let jobs: Vec<(&LevelSpec, &BoundaryLayer, &Prevalence)> = loaded
        .layers
        .iter()
        .flat_map(|(level, layer)| loaded.prevalence.iter().map(move |p| (level, layer, p)))
        .collect();
    let data = map_data(spec, loaded, &analysis.rows)?;
    jobs.par_iter()
        .zip(data)
        .map(|((level, layer, p), data)| {
            let MapData {
                figure,
                values,
                shown,
                classes,
            } = data;
            let rows = analysis.rows_of(level.level, &p.condition);
            let what = figure.label();
            let unit = Figure::unit(spec.maps.scale);
            let map_spec = render::MapSpec {
                title: format!(
                    "{what}: {} among people on probation",
                    p.label.to_lowercase()
                ),
                subtitle: format!(
                    "{}, {} boundaries. England caseload of {} apportioned by the {}.",
                    level.level.plural_label(),
                    level.layer.vintage,
                    thousands(analysis.placement.placed, 0),
                    spec.caseload.proxy.as_str().replace('_', " ")
                ),
                legend_title: format!("{what} ({unit})"),
                source_line: format!(
                    "Analysis: jsna-gap {}. Caseload: {}. Prevalence: {} ({}, evidence grade {}).",
                    env!("CARGO_PKG_VERSION"),
                    caseload_source(&loaded.caseload),
                    p.label,
                    p.evidence_id,
                    p.evidence_grade
                ),
                attribution: level.attribution.clone(),
                palette: spec.maps.palette,
                classes: &classes,
                highlight: None,
                shown,
            };
            let svg = render::choropleth_svg(layer, &values, &map_spec);
            let png = render::svg_to_png(&svg, render::PNG_WIDTH)?;
            let stem = format!("maps/{}-{}", level.level, p.condition);
            let record = MapRecord {
                file: format!("{stem}.svg"),
                png: format!("{stem}.png"),
                level: level.level.to_string(),
                condition: p.condition.clone(),
                column: figure.column(spec.maps.scale).to_string(),
                method: classes.method.clone(),
                k: classes.k,
                breaks: classes.breaks.clone(),
                counts: classes.counts.clone(),
                no_data: rows.len() - values.len(),
                palette: format!("{:?}", spec.maps.palette).to_lowercase(),
                shared_breaks: spec.maps.shared_breaks,
            };
            Ok(DrawnMap {
                record,
                classes,
                svg,
                png,
            })
        })
        .collect()
}

/// One set of classes per level from the mapped values of every condition.
fn shared_classes(
    spec: &RunSpec,
    loaded: &Loaded,
    rows: &[GapRow],
) -> Result<BTreeMap<Level, Classes>> {
    loaded
        .layers
        .iter()
        .map(|(level, _)| {
            let pooled: Vec<f64> = loaded
                .prevalence
                .iter()
                .flat_map(|p| {
                    let rows = rows_of(rows, level.level, &p.condition);
                    let figure = Figure::of(&rows);
                    rows.into_iter()
                        .filter_map(move |r| figure.value(r, spec.maps.scale))
                })
                .collect();
            let classes = classify::classify(&pooled, &spec.maps.classification, spec.maps.k)?;
            Ok((level.level, classes))
        })
        .collect()
}

/// The charts of every level: each condition's areas ranked with their
/// intervals, the provision matrix, and provision by survey category
/// against the 2017 national survey. Each as SVG and PNG.
pub fn charts(loaded: &Loaded, analysis: &Analysis) -> Result<Vec<DrawnChart>> {
    let source = format!(
        "Analysis: jsna-gap {}. Prevalence, caseload and services as listed in manifest.json.",
        env!("CARGO_PKG_VERSION")
    );
    let mut jobs: Vec<Job> = Vec::new();
    for ((level, layer), (_, provision)) in loaded.layers.iter().zip(&analysis.provision) {
        let what = level.level.plural_label();
        for p in &loaded.prevalence {
            let rows = analysis.rows_of(level.level, &p.condition);
            let figure = Figure::of(&rows);
            let spec = ChartSpec {
                title: format!(
                    "{} per 100,000 adults: {} among people on probation, ranked",
                    figure.label(),
                    p.label.to_lowercase()
                ),
                subtitle: format!(
                    "{what}, {} boundaries. Dot: estimate; line: 95% interval.",
                    level.layer.vintage
                ),
                source_line: source.clone(),
                figure,
                highlight: None,
            };
            jobs.push((
                format!("charts/{}-{}-ranked", level.level, p.condition),
                Box::new(move || charts::caterpillar_svg(&rows, &spec)),
            ));
        }
        let by_area = Arc::new(charts::provision_by_area(
            &areas_of(layer),
            &loaded.services,
            provision,
        ));
        let matrix = ChartSpec {
            title: "Services recorded for people on probation, by area and category".into(),
            subtitle: format!("{what}. Categories of the 2017 national survey."),
            source_line: source.clone(),
            ..ChartSpec::default()
        };
        let bars = ChartSpec {
            title: "Areas with services for people on probation, by category, England".into(),
            subtitle: format!(
                "{what}: share with a probation-specific service or a probation element, against the 2017 survey of CCGs."
            ),
            source_line: source.clone(),
            ..ChartSpec::default()
        };
        let for_bars = by_area.clone();
        jobs.push((
            format!("charts/{}-provision-matrix", level.level),
            Box::new(move || charts::provision_matrix_svg(&by_area, &matrix)),
        ));
        jobs.push((
            format!("charts/{}-provision-by-category", level.level),
            Box::new(move || charts::provision_by_category_svg(&for_bars, &loaded.survey, &bars)),
        ));
    }
    // One forest plot per condition: every figure by definition class, each
    // class pooled on its own.
    for p in &loaded.prevalence {
        let classes =
            evidence::summarise(&loaded.evidence, &p.condition, IntervalMethod::default());
        if classes.is_empty() {
            continue;
        }
        let spec = ChartSpec {
            title: format!(
                "Evidence: {} among people on probation",
                p.label.to_lowercase()
            ),
            subtitle: "Every published figure by definition class; pooled within a class only (random effects, logit scale). Hollow: not pooled.".into(),
            source_line: format!(
                "Sources: {}; full citations and how each was verified in datasets/evidence.csv and evidence.csv. Analysis: jsna-gap {}.",
                sources(&classes),
                env!("CARGO_PKG_VERSION")
            ),
            ..ChartSpec::default()
        };
        jobs.push((
            format!("charts/evidence-{}", p.condition),
            Box::new(move || {
                let classes =
                    evidence::summarise(&loaded.evidence, &p.condition, IntervalMethod::default());
                forest::forest_svg(&classes, &spec)
            }),
        ));
    }
    draw_all(&jobs)
}

/// A chart to draw: its file stem and the function that draws its SVG.
type Job<'a> = (String, Box<dyn Fn() -> String + Sync + 'a>);

/// Every job drawn, in parallel, as SVG and PNG.
fn draw_all(jobs: &[Job]) -> Result<Vec<DrawnChart>> {
    jobs.par_iter()
        .map(|(stem, draw)| {
            let svg = draw();
            let png = render::svg_to_png(&svg, render::PNG_WIDTH)?;
            Ok(DrawnChart {
                stem: stem.clone(),
                svg,
                png,
            })
        })
        .collect()
}

/// The charts of change over time and of local prevalence: England's
/// modelled caseload, each observed series (its counts under the
/// small-number rule left out), and each funnel plot.
pub fn change_charts(
    spec: &RunSpec,
    loaded: &Loaded,
    series: &[Series],
    funnels: &[Funnel],
) -> Result<Vec<DrawnChart>> {
    let analysis = format!("Analysis: jsna-gap {}.", env!("CARGO_PKG_VERSION"));
    let mut jobs: Vec<Job> = Vec::new();
    let charted = series.iter().filter(|s| {
        s.basis == Basis::Observed || (s.level == "england" && s.measure == "caseload")
    });
    for s in charted {
        let points: Vec<Point> = s
            .points
            .iter()
            .copied()
            .filter(|p| s.basis == Basis::Modelled || !spec.publication.suppresses(p.value))
            .collect();
        let (stem, chart) = match s.basis {
            Basis::Modelled => (
                "charts/trend-england-caseload".to_string(),
                ChartSpec {
                    title: "People on probation in England, over time".into(),
                    subtitle: "Modelled: the England-and-Wales totals of the Offender Management Statistics Quarterly times England's share, with the run's simulated 95% interval.".into(),
                    source_line: format!(
                        "Source: Ministry of Justice totals as listed in datasets/caseload_national.csv (verified rows). {analysis}"
                    ),
                    ..ChartSpec::default()
                },
            ),
            Basis::Observed => (
                format!("charts/trend-{}-{}-{}", s.level, s.area_code, s.definition),
                ChartSpec {
                    title: format!("People on probation in {}, observed", s.area_name),
                    subtitle: format!(
                        "Counted ({}); exact Poisson 95% intervals. Recent trend (last five points, Fingertips chi-squared test for trend at 99.8%): {}.",
                        s.definition.replace('_', " "),
                        s.recent_trend.map_or("not tested", |t| t.words())
                    ),
                    source_line: format!(
                        "Source: counts as listed in the observed caseload file, each with its source. {analysis}"
                    ),
                    ..ChartSpec::default()
                },
            ),
        };
        jobs.push((
            stem,
            Box::new(move || charts::trend_svg(s, &points, &chart)),
        ));
    }
    for f in funnels {
        let label = loaded
            .prevalence
            .iter()
            .find(|p| p.condition == f.condition)
            .map_or(f.condition.clone(), |p| p.label.to_lowercase());
        let chart = ChartSpec {
            title: format!("Local prevalence of {label} among people on probation: funnel plot"),
            subtitle: format!(
                "{}: each area's observed proportion against the areas' pooled proportion, with PHE's Wilson control limits.",
                f.level.plural_label()
            ),
            source_line: format!(
                "Source: the local prevalence file, as listed in manifest.json. {analysis}"
            ),
            ..ChartSpec::default()
        };
        jobs.push((
            format!("charts/funnel-{}-{}", f.level, f.condition),
            Box::new(move || charts::funnel_svg(f, &chart)),
        ));
    }
    draw_all(&jobs)
}

/// The short names of a forest plot's figures, once each, in order.
fn sources(classes: &[evidence::ClassSummary]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for s in classes.iter().flat_map(|c| &c.studies) {
        if !names.contains(&s.short_name.as_str()) {
            names.push(&s.short_name);
        }
    }
    names.join("; ")
}

/// A row's figure as it may be published: a count under the small-number
/// rule, or a rate withheld where its count is suppressed.
pub fn published(spec: &RunSpec, row: &GapRow, figure: Figure, scale: Scale) -> Option<String> {
    let count = figure.value(row, Scale::Count)?;
    Some(match scale {
        Scale::Count => spec.publication.text(count, row.facts.local),
        Scale::Rate => {
            spec.publication
                .rate_text(figure.value(row, Scale::Rate)?, count, row.facts.local)
        }
    })
}

/// The caseload's source as a map credits it: the author and title of a
/// single source ("Ministry of Justice (2025). Offender management
/// statistics quarterly: ..."), else a pointer to the manifest.
fn caseload_source(rows: &[CaseloadRow]) -> String {
    let first = rows.first().map_or("", |r| r.source.as_str());
    if rows.iter().all(|r| r.source == first) {
        first.splitn(3, ". ").take(2).collect::<Vec<_>>().join(". ")
    } else {
        "several sources (see manifest.json)".to_string()
    }
}

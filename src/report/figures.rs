//! The run's figures: one choropleth per level and condition, and the charts
//! of every level (each condition ranked with its intervals, the provision
//! matrix, provision by survey category), each as SVG and PNG, with the
//! titles and source lines that say what they show.

use crate::analysis::{Analysis, areas_of, rows_of};
use crate::caseload::CaseloadRow;
use crate::config::{LevelSpec, RunSpec};
use crate::error::Result;
use crate::gap::{Figure, GapRow, Scale};
use crate::geography::Level;
use crate::geography::boundaries::BoundaryLayer;
use crate::load::Loaded;
use crate::numbers::thousands;
use crate::prevalence::Prevalence;
use crate::render;
use crate::render::charts::{self, ChartSpec};
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
    type Draw<'a> = Box<dyn Fn() -> String + Sync + 'a>;
    let mut jobs: Vec<(String, Draw)> = Vec::new();
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

/// A row's figure as it may be published: a count under the small-number
/// rule, or a rate withheld where its count is suppressed.
pub fn published(spec: &RunSpec, row: &GapRow, figure: Figure, scale: Scale) -> Option<String> {
    let count = figure.value(row, Scale::Count)?;
    Some(match scale {
        Scale::Count => spec.publication.text(count, row.facts.local),
        Scale::Rate => spec
            .publication
            .rate_text(figure.value(row, Scale::Rate)?, count),
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

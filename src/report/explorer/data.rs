//! The explorer's data: every level's areas (outline, name, similar areas)
//! and, for every condition and measure, each area's published figure with
//! its interval, its map class, its rank and how it stands against
//! England, and England's figure. Figures go through the annexes' own
//! publication helpers ([`Published`]) before they reach the page, so the
//! page never holds a suppressed count, nor a rate that would give one away.

use super::measures::{Kind, MEASURES, Measure, Source};
use super::shapes::{self, Detail};
use crate::analysis::{Analysis, areas_of};
use crate::config::{LevelSpec, RunSpec};
use crate::error::Result;
use crate::gap::{Figure, GapRow, Scale};
use crate::geography::Level;
use crate::geography::boundaries::BoundaryLayer;
use crate::load::Loaded;
use crate::numbers::{percent, thousands};
use crate::render;
use crate::report::annex::{LEAD_CONDITION, Published};
use crate::report::figures::DrawnMap;
use crate::report::similar::similar_areas;
use crate::stats::classify::{self, Classes};
use crate::stats::estimate::Estimate;
use crate::uncertainty::summary::Difference;
use geo::{BoundingRect, MultiPolygon, Rect};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Screen-scale outlines: England (about 650 km) fills at most about 800
/// pixels, some 800 m a pixel, and the London inset some 300 m a pixel, so
/// a 50 m grid and a 250 m tolerance stay within a pixel. The boundaries are
/// ONS's generalised sets (500 m and 200 m), so little detail is lost; the
/// sub-ICB outlines shrink from 180 to 88 kB.
const DETAIL: Detail = Detail {
    grid: 50.0,
    tolerance: 250.0,
};
/// Room around the map's extent, as a share of its size.
const MARGIN: f64 = 0.02;

/// What the explorer is made from.
pub struct ExplorerInputs<'a> {
    pub spec: &'a RunSpec,
    pub loaded: &'a Loaded,
    pub analysis: &'a Analysis,
    /// The run's published maps: their classes are the explorer's.
    pub maps: &'a [DrawnMap],
}

#[derive(Debug, Serialize)]
pub struct Data {
    pub tool: String,
    /// What the figures are, in one sentence.
    pub about: String,
    /// The small-number rule in force.
    pub rule: String,
    pub conditions: Vec<Condition>,
    pub measures: Vec<MeasureInfo>,
    pub levels: Vec<LevelData>,
    /// What the page shows first.
    pub start: Start,
}

#[derive(Debug, Serialize)]
pub struct Condition {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct MeasureInfo {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub bounds: &'static str,
    pub interval: &'static str,
    pub kind: Kind,
}

#[derive(Debug, Serialize)]
pub struct Start {
    pub level: String,
    pub condition: String,
    pub measure: String,
}

#[derive(Debug, Serialize)]
pub struct LevelData {
    pub id: String,
    pub label: String,
    pub vintage: String,
    /// The ONS/OS licence line for the map.
    pub attribution: String,
    /// Whether every area has an annex page (`../annex/<code>.html`).
    pub annex: bool,
    /// The map's SVG viewBox, in grid units (50 m), y pointing south.
    pub view_box: [i64; 4],
    /// The London inset's viewBox, when the level has London boroughs.
    pub inset: Option<[i64; 4]>,
    /// In area-code order; everything else refers to areas by position.
    pub areas: Vec<AreaData>,
    /// By condition, then measure, the position of the view in `figures`;
    /// a measure no area has (unmet need not assessed) has none.
    pub views: BTreeMap<String, BTreeMap<&'static str, usize>>,
    /// Each distinct view once (the caseload is the same for every condition).
    pub figures: Vec<View>,
}

#[derive(Debug, Serialize)]
pub struct AreaData {
    pub code: String,
    pub name: String,
    /// SVG path data in grid units.
    pub path: String,
    /// The areas closest in deprivation, by position, nearest first.
    pub similar: Vec<usize>,
    /// Drawn again, enlarged, in the London inset.
    pub london: bool,
}

/// One measure of one condition at one level.
#[derive(Debug, Serialize)]
pub struct View {
    pub classes: ClassInfo,
    /// Each area's class as one character, "0" lowest, "-" no data.
    pub class: String,
    /// Each area's published "value|lower|upper", "" for no data; a rate
    /// withheld under the small-number rule is its words and no bounds.
    pub cells: Vec<String>,
    /// Areas with a figure, highest first (ties by code): their ranks.
    pub order: Vec<usize>,
    /// England's published figure, "value|lower|upper" (rates and counts).
    pub england: Option<String>,
    /// Rates: each area against England's rate at 95%, one character each:
    /// "h" higher, "s" similar (the difference's interval includes zero),
    /// "l" lower, "-" no figure.
    pub compared: Option<String>,
    /// The published rate and the chance of the top fifth: each area's
    /// rank from the simulation, "rank|lower|upper|top fifth", "" for none.
    pub ranks: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct ClassInfo {
    /// One legend label per class, as on the published maps.
    pub labels: Vec<String>,
    pub colours: Vec<String>,
    /// Areas in each class.
    pub counts: Vec<usize>,
    /// Where the classes come from.
    pub source: String,
}

pub fn data(inputs: &ExplorerInputs) -> Result<Data> {
    let spec = inputs.spec;
    let levels = inputs
        .loaded
        .layers
        .iter()
        .map(|(level, layer)| level_data(inputs, level, layer))
        .collect::<Result<Vec<_>>>()?;
    let placement = &inputs.analysis.placement;
    Ok(Data {
        tool: format!("jsna-gap {}", env!("CARGO_PKG_VERSION")),
        about: format!(
            "Estimates, not counts: England's {} people on probation spread over areas by the {}, times the national prevalence of each condition among people on probation (the same in every area). Each figure carries a 95% interval from the run's simulation.",
            thousands(placement.placed, 0),
            spec.caseload.proxy.describe(),
        ),
        rule: spec.publication.describe(),
        conditions: inputs
            .loaded
            .prevalence
            .iter()
            .map(|p| Condition {
                id: p.condition.clone(),
                label: p.label.clone(),
            })
            .collect(),
        measures: MEASURES
            .iter()
            .map(|m| MeasureInfo {
                id: m.id,
                label: m.label,
                unit: m.unit,
                bounds: m.bounds,
                interval: m.interval,
                kind: m.kind,
            })
            .collect(),
        start: start(inputs),
        levels,
    })
}

/// The first level, the annexes' lead condition (unless the prevalence
/// table lacks it) and its published rate, as the maps show it.
fn start(inputs: &ExplorerInputs) -> Start {
    let level = inputs.loaded.layers.first().map(|(l, _)| l.level);
    let condition = inputs
        .loaded
        .prevalence
        .iter()
        .find(|p| p.condition == LEAD_CONDITION)
        .or(inputs.loaded.prevalence.first())
        .map_or(String::new(), |p| p.condition.clone());
    let figure = level.map_or(Figure::Need, |l| {
        Figure::of(&inputs.analysis.rows_of(l, &condition))
    });
    Start {
        level: level.map_or(String::new(), |l| l.to_string()),
        condition,
        measure: figure.column(Scale::Rate).to_string(),
    }
}

fn level_data(
    inputs: &ExplorerInputs,
    spec: &LevelSpec,
    layer: &BoundaryLayer,
) -> Result<LevelData> {
    let level = spec.level;
    let areas = areas_of(layer);
    let position: HashMap<&str, usize> = areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.as_str(), i))
        .collect();
    let geometry: HashMap<&str, &MultiPolygon<f64>> = layer
        .features
        .iter()
        .map(|f| (f.code.as_str(), &f.geometry))
        .collect();
    let geometries: Vec<&MultiPolygon<f64>> =
        areas.iter().map(|a| geometry[a.code.as_str()]).collect();
    let outlines = shapes::outlines(&geometries, DETAIL);
    let london: Vec<bool> = areas
        .iter()
        .map(|a| render::is_london_borough(&a.code))
        .collect();
    let scores = inputs.loaded.units.imd_score_by_area(level);
    let area_data = areas
        .iter()
        .zip(&outlines)
        .zip(&london)
        .map(|((area, outline), &london)| AreaData {
            code: area.code.clone(),
            name: area.name.clone(),
            path: render::relative_path_data(outline),
            similar: similar_areas(&area.code, &scores)
                .into_iter()
                .map(|code| position[code])
                .collect(),
            london,
        })
        .collect();
    let inset_outlines = outlines.iter().zip(&london).filter(|(_, l)| **l);
    let mut views = BTreeMap::new();
    let mut distinct: Vec<View> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for p in &inputs.loaded.prevalence {
        let rows = inputs.analysis.rows_of(level, &p.condition);
        let mut by_area: Vec<Option<&GapRow>> = vec![None; areas.len()];
        for row in &rows {
            by_area[position[row.area_code.as_str()]] = Some(row);
        }
        let mut by_measure = BTreeMap::new();
        for measure in &MEASURES {
            let estimates: Vec<Option<Estimate>> = by_area
                .iter()
                .map(|r| r.and_then(|r| measure.estimate(r)))
                .collect();
            let these = Figures {
                level,
                condition: &p.condition,
                rows: &rows,
                by_area: &by_area,
                estimates: &estimates,
            };
            if let Some(view) = view(inputs, &these, measure)? {
                let key = serde_json::to_string(&view).expect("a view serialises");
                let at = *seen.entry(key).or_insert_with(|| {
                    distinct.push(view);
                    distinct.len() - 1
                });
                by_measure.insert(measure.id, at);
            }
        }
        views.insert(p.condition.clone(), by_measure);
    }
    Ok(LevelData {
        id: level.to_string(),
        label: level.plural_label().to_string(),
        vintage: spec.layer.vintage.clone(),
        attribution: spec.attribution.clone(),
        annex: level == Level::Ctyua,
        view_box: view_box(outlines.iter()).expect("a level has areas"),
        inset: view_box(inset_outlines.map(|(o, _)| o)),
        areas: area_data,
        views,
        figures: distinct,
    })
}

/// The viewBox around some outlines, with a margin; None for none.
fn view_box<'a>(outlines: impl Iterator<Item = &'a MultiPolygon<f64>>) -> Option<[i64; 4]> {
    let extent: Rect<f64> = outlines.filter_map(|o| o.bounding_rect()).reduce(|a, b| {
        Rect::new(
            (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
            (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
        )
    })?;
    let margin = MARGIN * extent.width().max(extent.height());
    Some([
        (extent.min().x - margin).floor() as i64,
        (extent.min().y - margin).floor() as i64,
        (extent.width() + 2.0 * margin).ceil() as i64,
        (extent.height() + 2.0 * margin).ceil() as i64,
    ])
}

/// One measure's figures for one condition at one level.
struct Figures<'a> {
    level: Level,
    condition: &'a str,
    /// Every area's row, for England's figure and the publication rule.
    rows: &'a [&'a GapRow],
    /// Each area's row and figure, by position (area-code order).
    by_area: &'a [Option<&'a GapRow>],
    estimates: &'a [Option<Estimate>],
}

/// One measure of one condition: None when no area has it.
fn view(inputs: &ExplorerInputs, figures: &Figures, measure: &Measure) -> Result<Option<View>> {
    let estimates = figures.estimates;
    let values: Vec<f64> = estimates.iter().flatten().map(|e| e.value).collect();
    if values.is_empty() {
        return Ok(None);
    }
    let (classes, source) = classes(inputs, figures, measure, &values)?;
    // The annexes' rule for these rows: counts rounded where any derives
    // from locally supplied caseload.
    let published = Published::new(inputs.spec.publication, figures.rows);
    let class = estimates
        .iter()
        .map(|e| {
            e.and_then(|e| classes.class_of(e.value))
                .and_then(|c| char::from_digit(c as u32, 10))
                .unwrap_or('-')
        })
        .collect();
    let cells = figures
        .by_area
        .iter()
        .zip(estimates)
        .map(|(row, e)| match (row, e) {
            (Some(row), Some(e)) => cell(&published, measure, e, count_of(measure, row)),
            _ => String::new(),
        })
        .collect();
    // Positions are in area-code order, so ties go to the lower code.
    let mut order: Vec<(usize, f64)> = estimates
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.map(|e| (i, e.value)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let colours = inputs.spec.maps.palette.colours(classes.breaks.len());
    // The figure the maps, rankings and comparisons with England publish.
    let mapped = Figure::of(figures.rows);
    Ok(Some(View {
        classes: ClassInfo {
            labels: render::class_labels(&classes.breaks),
            colours: colours.iter().map(|c| c.to_string()).collect(),
            counts: classes.counts.clone(),
            source,
        },
        class,
        cells,
        order: order.into_iter().map(|(i, _)| i).collect(),
        england: england(inputs, figures.condition, measure)
            .map(|(e, count)| cell(&published, measure, &e, count)),
        compared: compared(inputs, figures, measure, mapped),
        ranks: ranks(figures, measure, mapped),
    }))
}

/// The count a measure's figure is made from, which decides whether it may
/// be published.
fn count_of(measure: &Measure, row: &GapRow) -> f64 {
    match measure.source {
        Source::Figure(figure, _) => figure.value(row, Scale::Count).unwrap_or(f64::NAN),
        Source::Caseload => row.facts.caseload.value,
        Source::TopFifth => f64::NAN,
    }
}

/// A figure as the annexes publish it, "value|lower|upper": counts under
/// the small-number rule, rates to whole numbers or withheld where their
/// count is suppressed, probabilities as whole percentages.
fn cell(published: &Published, measure: &Measure, e: &Estimate, count: f64) -> String {
    match measure.kind {
        Kind::Count => published.count_parts(e).join("|"),
        Kind::Rate => match published.rate_parts(e, count) {
            Some(parts) => parts.join("|"),
            None => format!("{}||", published.withheld(e.value, count)),
        },
        Kind::Probability => format!("{}||", percent(e.value, 0)),
    }
}

/// England's figure for a condition and measure, from the simulation's
/// draws (the annexes' England), with the count it is made from.
fn england(inputs: &ExplorerInputs, condition: &str, measure: &Measure) -> Option<(Estimate, f64)> {
    let england = inputs.analysis.simulation.england(condition)?;
    let count = |figure: Figure| match figure {
        Figure::Need => Some(england.need),
        Figure::UnmetNeed => england.unmet,
    };
    match measure.source {
        Source::Figure(figure, Scale::Count) => count(figure).map(|c| (c, c.value)),
        Source::Figure(figure, Scale::Rate) => {
            count(figure).map(|c| (c.scaled(100_000.0 / england.adults), c.value))
        }
        Source::Caseload => Some((england.caseload, england.caseload.value)),
        Source::TopFifth => None,
    }
}

/// Each area's rate against England's, at 95%, from the simulation: the
/// rows' own comparison for the published figure (as the annexes print
/// it), the same comparison made afresh for the other figure.
fn compared(
    inputs: &ExplorerInputs,
    figures: &Figures,
    measure: &Measure,
    mapped: Figure,
) -> Option<String> {
    let Source::Figure(figure, Scale::Rate) = measure.source else {
        return None;
    };
    let by_row: Vec<Option<[Difference; 2]>> = if figure == mapped {
        figures.rows.iter().map(|r| r.against_england).collect()
    } else {
        inputs
            .analysis
            .simulation
            .against_england(figures.rows, figure)
    };
    let by_code: HashMap<&str, Option<[Difference; 2]>> = figures
        .rows
        .iter()
        .map(|r| r.area_code.as_str())
        .zip(by_row)
        .collect();
    let text = figures
        .by_area
        .iter()
        .map(|row| {
            match row
                .and_then(|r| by_code[r.area_code.as_str()])
                .map(|[at_95, _]| at_95)
            {
                Some(Difference::Higher) => 'h',
                Some(Difference::Similar) => 's',
                Some(Difference::Lower) => 'l',
                None => '-',
            }
        })
        .collect();
    Some(text)
}

/// Each area's rank by the published rate, its 95% interval and the chance
/// of the top fifth, for the measures that rank is of.
fn ranks(figures: &Figures, measure: &Measure, mapped: Figure) -> Option<Vec<String>> {
    let ranked = match measure.source {
        Source::Figure(figure, Scale::Rate) => figure == mapped,
        Source::TopFifth => true,
        _ => false,
    };
    ranked.then(|| {
        figures
            .by_area
            .iter()
            .map(|row| {
                row.and_then(|r| r.rank).map_or(String::new(), |k| {
                    format!(
                        "{}|{}|{}|{}",
                        k.rank,
                        k.lower,
                        k.upper,
                        percent(k.top_fifth, 0)
                    )
                })
            })
            .collect()
    })
}

/// The classes of the published map that shows this measure, else the
/// run's classification applied to it (pooled across the level's conditions
/// when the run shares breaks), with where they come from.
fn classes(
    inputs: &ExplorerInputs,
    figures: &Figures,
    measure: &Measure,
    values: &[f64],
) -> Result<(Classes, String)> {
    let published = inputs.maps.iter().find(|m| {
        m.record.level == figures.level.as_str()
            && m.record.condition == figures.condition
            && m.record.column == measure.id
    });
    if let Some(map) = published {
        return Ok((
            map.classes.clone(),
            format!("the classes of the published map {}", map.record.file),
        ));
    }
    let maps = &inputs.spec.maps;
    let classes = if maps.shared_breaks {
        let pooled: Vec<f64> = inputs
            .loaded
            .prevalence
            .iter()
            .flat_map(|p| inputs.analysis.rows_of(figures.level, &p.condition))
            .filter_map(|r| measure.estimate(r).map(|e| e.value))
            .collect();
        classify::classify(&pooled, &maps.classification, maps.k)?.counted(values)
    } else {
        classify::classify(values, &maps.classification, maps.k)?
    };
    let method = match maps.classification {
        classify::Method::FisherJenks => "Fisher-Jenks natural breaks",
        classify::Method::Quantiles => "quantiles",
        classify::Method::EqualInterval => "equal intervals",
        classify::Method::Fixed(_) => "the configured breaks",
    };
    let source = format!(
        "{method} in {} classes{}, as the published maps are classed (no published map shows this measure)",
        classes.k,
        if maps.shared_breaks {
            ", shared by every condition"
        } else {
            ""
        }
    );
    Ok((classes, source))
}

//! The explorer's data: every level's areas (outline, name, similar areas)
//! and, for every condition and measure, each area's published figure with
//! its interval, its map class, its rank and how it stands against
//! England, and England's figure; the same under each scenario run, with
//! each figure's change from the baseline; each area's caseload over time;
//! and the funnel plots of local prevalence. Figures go through the
//! annexes' own publication helpers ([`Published`]) before they reach the
//! page, so the page never holds a suppressed count, nor a rate that would
//! give one away.

use super::measures::{Kind, MEASURES, Measure, Source};
use super::shapes::{self, Detail};
use super::{funnels, trends};
use crate::analysis::funnel::Funnel;
use crate::analysis::intervals::{England, Shift};
use crate::analysis::trend::Series;
use crate::analysis::what_if::WhatIf;
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
    /// The scenarios run beside the baseline (none without `--scenario`).
    pub what_if: &'a [WhatIf<'a>],
    /// Every series over time (trends.csv).
    pub series: &'a [Series],
    /// The funnel plots of local prevalence (funnels.csv); often none.
    pub funnels: &'a [Funnel],
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
    /// The scenarios run beside the baseline, in the order asked for.
    pub scenarios: Vec<Scenario>,
    /// The dates of every area's modelled caseload series, oldest first.
    pub trend_dates: Vec<String>,
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
pub struct Scenario {
    pub id: String,
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct MeasureInfo {
    pub id: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub bounds: &'static str,
    pub interval: &'static str,
    pub kind: Kind,
    /// Whether a scenario shows it.
    pub scenario: bool,
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
    pub views: Views,
    /// The same for each scenario, by name, with the changes from the
    /// baseline as measures of their own.
    pub scenarios: BTreeMap<String, Views>,
    /// Each distinct view once (the caseload is the same for every
    /// condition, and a scenario leaves most views as they were).
    pub figures: Vec<View>,
    /// Each area's modelled caseload at `Data::trend_dates` and any
    /// observed series of its own.
    pub trends: trends::LevelTrends,
    /// By condition, the funnel plot of local prevalence, where one exists.
    pub funnels: BTreeMap<String, funnels::FunnelData>,
}

/// By condition, then measure, a view's position in `LevelData::figures`.
pub type Views = BTreeMap<String, BTreeMap<&'static str, usize>>;

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
    /// "l" lower, "-" no figure. Changes: the change's direction, "h" a real
    /// increase, "s" no real change (its interval includes zero), "l" a
    /// real decrease.
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
                scenario: m.under_scenario(),
            })
            .collect(),
        scenarios: inputs
            .what_if
            .iter()
            .map(|w| Scenario {
                id: w.spec.name.clone(),
                description: w.spec.description.clone(),
            })
            .collect(),
        trend_dates: trends::dates(inputs.series),
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
    let mut distinct = Distinct::default();
    let views = views_of(inputs, level, &position, Outcome::Baseline, &mut distinct)?;
    let mut scenarios = BTreeMap::new();
    for w in inputs.what_if {
        let these = views_of(
            inputs,
            level,
            &position,
            Outcome::Scenario(w),
            &mut distinct,
        )?;
        scenarios.insert(w.spec.name.clone(), these);
    }
    // The rule for the level's counts over time: rounded where any
    // derives from locally supplied caseload.
    let rows: Vec<&GapRow> = inputs
        .analysis
        .rows
        .iter()
        .filter(|r| r.level == level)
        .collect();
    let published = Published::new(inputs.spec.publication, &rows);
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
        scenarios,
        figures: distinct.views,
        trends: trends::level_trends(inputs.series, level, &position, &published),
        funnels: funnels::level_funnels(inputs.funnels, level, &position),
    })
}

/// The figures a view shows: the baseline's, or a scenario's.
#[derive(Clone, Copy)]
enum Outcome<'a> {
    Baseline,
    Scenario(&'a WhatIf<'a>),
}

/// A scenario row's changes from the baseline (`what_if::MEASURES`).
type Shifts = [Option<Shift>; 3];

impl<'a> Outcome<'a> {
    /// The rows of a level and condition, each with its changes under a
    /// scenario.
    fn rows(
        self,
        analysis: &'a Analysis,
        level: Level,
        condition: &str,
    ) -> Vec<(&'a GapRow, Option<&'a Shifts>)> {
        match self {
            Outcome::Baseline => analysis
                .rows_of(level, condition)
                .into_iter()
                .map(|r| (r, None))
                .collect(),
            Outcome::Scenario(w) => w
                .rows
                .iter()
                .zip(&w.shifts)
                .filter(|(r, _)| r.level == level && r.condition == condition)
                .map(|(r, s)| (r, Some(s)))
                .collect(),
        }
    }

    /// England's figures for a condition, with their changes under a
    /// scenario.
    fn england(
        self,
        analysis: &'a Analysis,
        condition: &str,
    ) -> Option<(&'a England, Option<&'a Shifts>)> {
        match self {
            Outcome::Baseline => analysis.simulation.england(condition).map(|e| (e, None)),
            Outcome::Scenario(w) => w
                .england
                .iter()
                .find(|(e, _)| e.condition == condition)
                .map(|(e, s)| (e, Some(s))),
        }
    }
}

/// The views of a level, each kept once.
#[derive(Default)]
struct Distinct {
    views: Vec<View>,
    seen: HashMap<String, usize>,
}

impl Distinct {
    /// The position of `view`, added if it is new.
    fn add(&mut self, view: View) -> usize {
        let key = serde_json::to_string(&view).expect("a view serialises");
        *self.seen.entry(key).or_insert_with(|| {
            self.views.push(view);
            self.views.len() - 1
        })
    }
}

/// Every condition and measure's view of a level under one outcome.
fn views_of(
    inputs: &ExplorerInputs,
    level: Level,
    position: &HashMap<&str, usize>,
    outcome: Outcome,
    distinct: &mut Distinct,
) -> Result<Views> {
    let mut views = BTreeMap::new();
    for p in &inputs.loaded.prevalence {
        let pairs = outcome.rows(inputs.analysis, level, &p.condition);
        let rows: Vec<&GapRow> = pairs.iter().map(|(r, _)| *r).collect();
        let mut by_area: Vec<Option<(&GapRow, Option<&Shifts>)>> = vec![None; position.len()];
        for &(row, shifts) in &pairs {
            by_area[position[row.area_code.as_str()]] = Some((row, shifts));
        }
        let mut by_measure = BTreeMap::new();
        let shown = MEASURES.iter().filter(|m| match outcome {
            Outcome::Baseline => true,
            Outcome::Scenario(_) => m.under_scenario(),
        });
        for measure in shown {
            let estimates: Vec<Option<Estimate>> = by_area
                .iter()
                .map(|r| r.and_then(|(row, shifts)| figure_of(measure, row, shifts)))
                .collect();
            let these = Figures {
                level,
                condition: &p.condition,
                outcome,
                rows: &rows,
                by_area: &by_area,
                estimates: &estimates,
            };
            if let Some(view) = view(inputs, &these, measure)? {
                by_measure.insert(measure.id, distinct.add(view));
            }
        }
        views.insert(p.condition.clone(), by_measure);
    }
    Ok(views)
}

/// A measure's figure in a row: a change from the row's shifts, anything
/// else from the row.
fn figure_of(measure: &Measure, row: &GapRow, shifts: Option<&Shifts>) -> Option<Estimate> {
    match measure.kind {
        Kind::Change => shifts.and_then(|s| measure.shift(s)).map(|s| s.change),
        _ => measure.estimate(row),
    }
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
    outcome: Outcome<'a>,
    /// Every area's row, for England's figure and the publication rule.
    rows: &'a [&'a GapRow],
    /// Each area's row (with its changes under a scenario) and figure, by
    /// position (area-code order).
    by_area: &'a [Option<(&'a GapRow, Option<&'a Shifts>)>],
    estimates: &'a [Option<Estimate>],
}

/// One measure of one condition: None when no area has it.
fn view(inputs: &ExplorerInputs, figures: &Figures, measure: &Measure) -> Result<Option<View>> {
    let estimates = figures.estimates;
    let values: Vec<f64> = estimates.iter().flatten().map(|e| e.value).collect();
    if values.is_empty() {
        return Ok(None);
    }
    let directions = directions(figures, measure);
    let (classes, class) = match &directions {
        Some(d) => change_classes(inputs, d),
        None => {
            let (classes, source) = classes(inputs, figures, measure, &values)?;
            let class = estimates
                .iter()
                .map(|e| class_char(e.and_then(|e| classes.class_of(e.value))))
                .collect();
            let colours = inputs.spec.maps.palette.colours(classes.breaks.len());
            let info = ClassInfo {
                labels: render::class_labels(&classes.breaks),
                colours: colours.iter().map(|c| c.to_string()).collect(),
                counts: classes.counts,
                source,
            };
            (info, class)
        }
    };
    // The annexes' rule for these rows: counts rounded where any derives
    // from locally supplied caseload.
    let published = Published::new(inputs.spec.publication, figures.rows);
    let cells = figures
        .by_area
        .iter()
        .zip(estimates)
        .map(|(row, e)| match (row, e) {
            (Some((row, _)), Some(e)) => cell(&published, measure, e, count_of(measure, row)),
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
    // The figure the maps, rankings and comparisons with England publish.
    let mapped = Figure::of(figures.rows);
    let compared = match &directions {
        Some(d) => Some(d.iter().map(|d| direction_char(*d)).collect()),
        None => compared(inputs, figures, measure, mapped),
    };
    Ok(Some(View {
        classes,
        class,
        cells,
        order: order.into_iter().map(|(i, _)| i).collect(),
        england: england(inputs, figures, measure)
            .map(|(e, count)| cell(&published, measure, &e, count)),
        compared,
        ranks: ranks(figures, measure, mapped),
    }))
}

/// The classes of a change, lowest first: the change's direction.
const CHANGE_CLASSES: [&str; 3] = [
    "Real decrease",
    "No real change (the 95% interval includes zero)",
    "Real increase",
];

/// A change measure's direction in each area, by position, as the
/// simulation's paired draws decide it ([`Shift`], the annexes' and
/// scenarios.csv's rule): 0 lower, 1 similar, 2 higher; None for other
/// measures.
fn directions(figures: &Figures, measure: &Measure) -> Option<Vec<Option<usize>>> {
    (measure.kind == Kind::Change).then(|| {
        figures
            .by_area
            .iter()
            .map(|r| {
                let shift = r.and_then(|(_, s)| s.and_then(|s| measure.shift(s)))?;
                Some(match shift.direction {
                    Difference::Lower => 0,
                    Difference::Similar => 1,
                    Difference::Higher => 2,
                })
            })
            .collect()
    })
}

fn direction_char(direction: Option<usize>) -> char {
    direction.map_or('-', |d| ['l', 's', 'h'][d])
}

/// A class as one character, "0" lowest, "-" none.
fn class_char(class: Option<usize>) -> char {
    class
        .and_then(|c| char::from_digit(c as u32, 10))
        .unwrap_or('-')
}

/// A change's classes, one per direction, in the run's palette, and each
/// area's.
fn change_classes(inputs: &ExplorerInputs, directions: &[Option<usize>]) -> (ClassInfo, String) {
    let mut counts = vec![0; CHANGE_CLASSES.len()];
    for d in directions.iter().flatten() {
        counts[*d] += 1;
    }
    let colours = inputs.spec.maps.palette.colours(CHANGE_CLASSES.len());
    let info = ClassInfo {
        labels: CHANGE_CLASSES.map(String::from).to_vec(),
        colours: colours.iter().map(|c| c.to_string()).collect(),
        counts,
        source: "the direction of the change, real only where its 95% interval excludes zero"
            .to_string(),
    };
    (info, directions.iter().map(|d| class_char(*d)).collect())
}

/// The count a measure's figure is made from, which decides whether it may
/// be published.
fn count_of(measure: &Measure, row: &GapRow) -> f64 {
    match measure.source {
        Source::Figure(figure, _) => figure.value(row, Scale::Count).unwrap_or(f64::NAN),
        Source::Caseload => row.facts.caseload.value,
        Source::TopFifth | Source::Change(_) => f64::NAN,
    }
}

/// A figure as the annexes publish it, "value|lower|upper": counts under
/// the small-number rule, rates to whole numbers or withheld where their
/// count is suppressed, probabilities as whole percentages, changes signed
/// with their size under the small-number rule (as the annexes' "What if").
fn cell(published: &Published, measure: &Measure, e: &Estimate, count: f64) -> String {
    match measure.kind {
        Kind::Count => published.count_parts(e).join("|"),
        Kind::Rate => match published.rate_parts(e, count) {
            Some(parts) => parts.join("|"),
            None => format!("{}||", published.withheld(e.value, count)),
        },
        Kind::Probability => format!("{}||", percent(e.value, 0)),
        Kind::Change => [e.value, e.lower, e.upper]
            .map(|v| published.signed_count(v))
            .join("|"),
    }
}

/// England's figure for a condition and measure, from the simulation's
/// draws (the annexes' England), with the count it is made from.
fn england(
    inputs: &ExplorerInputs,
    figures: &Figures,
    measure: &Measure,
) -> Option<(Estimate, f64)> {
    let (england, shifts) = figures
        .outcome
        .england(inputs.analysis, figures.condition)?;
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
        Source::Change(_) => shifts
            .and_then(|s| measure.shift(s))
            .map(|s| (s.change, f64::NAN)),
    }
}

/// Each area's rate against England's, at 95%, from the simulation: the
/// rows' own comparison for the published figure (as the annexes print
/// it), the same comparison made afresh for the other figure. The
/// baseline's only: a scenario is simulated for its changes, not ranked
/// or compared with England.
fn compared(
    inputs: &ExplorerInputs,
    figures: &Figures,
    measure: &Measure,
    mapped: Figure,
) -> Option<String> {
    let Source::Figure(figure, Scale::Rate) = measure.source else {
        return None;
    };
    let Outcome::Baseline = figures.outcome else {
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
                .and_then(|(r, _)| by_code[r.area_code.as_str()])
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
/// of the top fifth, for the measures that rank is of (the baseline's).
fn ranks(figures: &Figures, measure: &Measure, mapped: Figure) -> Option<Vec<String>> {
    let ranked = match measure.source {
        Source::Figure(figure, Scale::Rate) => figure == mapped,
        Source::TopFifth => true,
        _ => false,
    };
    let baseline = matches!(figures.outcome, Outcome::Baseline);
    (ranked && baseline).then(|| {
        figures
            .by_area
            .iter()
            .map(|row| {
                row.and_then(|(r, _)| r.rank).map_or(String::new(), |k| {
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

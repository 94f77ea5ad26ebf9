//! Choropleth maps: an SVG drawn from boundaries in British National Grid,
//! and a PNG rasterised from that SVG with an embedded font.
//!
//! The SVG is a pure function of its inputs (areas in layer order, values in
//! a BTreeMap, shortest round-trip number formatting), so the same input
//! gives the same bytes.

mod areas;
pub mod charts;
mod edge;
mod frame;
mod inset;
mod labels;
mod layout;
mod legend;
mod path;
mod png;
mod style;
mod svg;
mod text;

pub use frame::Frame;
pub use inset::is_london_borough;
pub use labels::class_labels;
pub use layout::WIDTH as CANVAS_WIDTH;
pub use path::relative_path_data;
pub use png::svg_to_png;
pub use svg::escape;

use crate::geography::boundaries::BoundaryLayer;
use crate::palette::{Palette, Rgb};
use crate::stats::classify::Classes;
use areas::Area;
use frame::extent;
use std::collections::BTreeMap;
use std::fmt::Write;
use style::{HATCH_SPACING, hatch_pattern};

/// The width the maps' PNGs are published at, in pixels.
pub const PNG_WIDTH: u32 = 1600;

/// What a map says besides its areas.
#[derive(Debug, Clone)]
pub struct MapSpec<'a> {
    pub title: String,
    pub subtitle: String,
    /// What the legend's numbers are, with units: "Unmet need (people)".
    pub legend_title: String,
    /// Where the numbers come from, e.g. "Source: jsna-gap 0.1.0; …".
    pub source_line: String,
    /// The ONS/OS licence line with the boundaries' copyright year (see
    /// `geography::catalogue::Catalogue::attribution`).
    pub attribution: String,
    pub palette: Palette,
    pub classes: &'a Classes,
    /// An area code to outline in black (e.g. the subject of an annex page).
    pub highlight: Option<&'a str>,
    /// Each area's value as it may be published (after the small-number
    /// rule), for its tooltip; an area without one reads "no data".
    pub shown: BTreeMap<String, String>,
}

const NO_DATA_MAIN: &str = "no-data-main";
const NO_DATA_LEGEND: &str = "no-data-legend";

/// Where the main map draws BNG metres on the canvas: fitted to the whole
/// layer, independent of the values and text. None for an empty layer.
pub fn map_frame(layer: &BoundaryLayer) -> Option<Frame> {
    extent(layer.features.iter().map(|f| &f.geometry)).map(|e| Frame::fit(e, layout::MAP))
}

/// The map as SVG. Areas missing from `values`, or whose value is not
/// finite, are drawn as "no data".
pub fn choropleth_svg(
    layer: &BoundaryLayer,
    values: &BTreeMap<String, f64>,
    spec: &MapSpec,
) -> String {
    let breaks = &spec.classes.breaks;
    let colours = spec.palette.colours(breaks.len());
    let areas: Vec<Area> = layer
        .features
        .iter()
        .map(|boundary| {
            let value = values.get(&boundary.code).copied();
            let class = value.and_then(|v| spec.classes.class_of(v));
            let shown = match value.filter(|v| v.is_finite()) {
                Some(_) => spec
                    .shown
                    .get(&boundary.code)
                    .map_or("no data", String::as_str),
                None => "no data",
            };
            Area {
                boundary,
                colour: class.map(|c| colours[c]),
                tooltip: format!("{} ({}): {shown}", boundary.name, boundary.code),
            }
        })
        .collect();

    let mut out = String::with_capacity(64 * 1024);
    header(&mut out, spec);
    let _ = writeln!(out, "<defs>");
    hatch_pattern(&mut out, NO_DATA_LEGEND, HATCH_SPACING, false);
    let frame = map_frame(layer);
    if let Some(frame) = &frame {
        hatch_pattern(&mut out, NO_DATA_MAIN, frame.metres(HATCH_SPACING), true);
    }
    let legend_rows = legend_rows(&areas, breaks, &colours);
    // The inset goes under the legend, so the legend's height is needed first.
    let mut legend = String::new();
    let legend_bottom = legend::draw(
        &mut legend,
        layout::COLUMN,
        &spec.legend_title,
        &legend_rows,
        NO_DATA_LEGEND,
    );
    let inset = inset::london(&areas, layout::COLUMN, legend_bottom + 16.0);
    if let Some(inset) = &inset {
        inset.definitions(&mut out);
    }
    areas::definitions(&mut out, &areas);
    let _ = writeln!(out, "</defs>");

    titles(&mut out, spec);
    if let Some(frame) = &frame {
        let all: Vec<&Area> = areas.iter().collect();
        areas::draw(&mut out, frame, &all, NO_DATA_MAIN, spec.highlight);
        if let Some(inset) = &inset {
            mark_extent(&mut out, frame, inset.extent);
        }
    }
    out.push_str(&legend);
    if let Some(inset) = &inset {
        inset.draw(&mut out, spec.highlight);
    }
    footer(&mut out, spec);
    out.push_str("</svg>\n");
    out
}

/// The legend's rows: each class with the areas drawn in it, then "No data".
fn legend_rows(areas: &[Area], breaks: &[f64], colours: &[Rgb]) -> Vec<legend::Row> {
    let count = |colour: Option<Rgb>| areas.iter().filter(|a| a.colour == colour).count();
    let mut rows: Vec<legend::Row> = labels::class_labels(breaks)
        .into_iter()
        .zip(colours)
        .map(|(label, &colour)| legend::Row {
            colour: Some(colour),
            label,
            areas: count(Some(colour)),
        })
        .collect();
    rows.push(legend::Row {
        colour: None,
        label: "No data".to_string(),
        areas: count(None),
    });
    rows
}

/// The root element, the document's title and description, the white page.
fn header(out: &mut String, spec: &MapSpec) {
    let (width, height) = (layout::WIDTH, layout::HEIGHT);
    svg::open(
        out,
        width,
        height,
        &spec.title,
        &[&spec.subtitle, &spec.source_line, &spec.attribution],
    );
    let _ = writeln!(
        out,
        r#"<rect width="{width}" height="{height}" fill="{}"/>"#,
        style::BACKGROUND
    );
}

fn titles(out: &mut String, spec: &MapSpec) {
    let title_end = layout::block(out, style::TITLE, &spec.title, &layout::TITLE_BASELINES);
    let first = title_end + layout::SUBTITLE_GAP;
    let subtitle = [first, first + layout::SUBTITLE_LEADING];
    layout::block(out, style::SUBTITLE, &spec.subtitle, &subtitle);
}

fn footer(out: &mut String, spec: &MapSpec) {
    layout::block(
        out,
        style::SOURCE,
        &spec.source_line,
        &layout::SOURCE_BASELINES,
    );
    layout::line(
        out,
        style::ATTRIBUTION,
        &spec.attribution,
        layout::ATTRIBUTION_BASELINE,
    );
}

/// A box on the main map around the area the inset enlarges.
fn mark_extent(out: &mut String, frame: &Frame, extent: geo::Rect<f64>) {
    let (left, top) = frame.to_canvas(extent.min().x, extent.max().y);
    let (right, bottom) = frame.to_canvas(extent.max().x, extent.min().y);
    let pad = 2.0;
    style::frame_rect(
        out,
        left - pad,
        top - pad,
        right - left + 2.0 * pad,
        bottom - top + 2.0 * pad,
    );
}

#[cfg(test)]
mod tests;

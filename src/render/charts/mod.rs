//! Charts beside the maps: areas ranked by need with intervals (a
//! caterpillar), provision by area and service category (a matrix), and
//! England's provision by category against the 2017 national survey.
//!
//! Like the maps, each chart is SVG written by hand, a pure function of its
//! inputs (ties broken by name and code, never by input order), so the same
//! input gives the same bytes; `svg_to_png` rasterises it with the embedded
//! font. The page is as wide as a map's, so the maps' title and source
//! blocks are reused unchanged.

mod by_category;
mod caterpillar;
pub mod forest;
mod funnel;
mod matrix;
mod trend;
mod xy;

pub use by_category::{CategoryShare, category_shares, provision_by_category_svg};
pub use caterpillar::caterpillar_svg;
pub use funnel::funnel_svg;
pub use matrix::{AreaProvision, provision_by_area, provision_matrix_svg};
pub use trend::trend_svg;

use super::layout;
use super::style::{self, BODY};
use super::svg;
use super::text::{Anchor, Style, Weight};
use crate::gap::Figure;
use crate::palette::{Palette, Rgb};
use crate::services::CATEGORIES;
use std::fmt::Write;

/// What a chart says besides its data.
#[derive(Debug, Clone, Default)]
pub struct ChartSpec {
    pub title: String,
    pub subtitle: String,
    /// Where the numbers come from, e.g. "Analysis: jsna-gap 0.1.0. …".
    pub source_line: String,
    /// The caterpillar's figure: need or unmet need.
    pub figure: Figure,
    /// An area code to set apart (bold name, its own colour): the subject of
    /// an annex page. The England bar chart has no areas and ignores it.
    pub highlight: Option<String>,
}

/// Readable names of `services::CATEGORIES`, in the same order.
const CATEGORY_LABELS: [&str; CATEGORIES.len()] = [
    "Liaison and diversion",
    "MAPPA contribution",
    "Clinic in probation office",
    "CJ mental health team",
    "IOM contribution",
    "Substance misuse",
    "Talking therapies",
    "Personality disorder pathway",
    "Approved Premises in-reach",
    "Through the gate",
    "Treatment requirements",
    "Rehabilitative wellbeing",
];

const WIDTH: f64 = layout::WIDTH;
const MARGIN: f64 = 24.0;
const RIGHT: f64 = WIDTH - MARGIN;

/// Area names, axis numbers and cell letters: small enough for 153 rows,
/// 17.6 px in the 1,600 px PNG.
const LABEL: Style = Style { size: 11.0, ..BODY };
const LABEL_BOLD: Style = Style {
    weight: Weight::Bold,
    ..LABEL
};
const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
/// Gridlines and row stripes: light enough to stay behind the data.
const GRID: Rgb = Rgb(0xd9, 0xd9, 0xd9);
const STRIPE: Rgb = Rgb(0xf4, 0xf4, 0xf4);

/// The charts' colours: samples of viridis, the maps' default palette,
/// which stays ordered in lightness under the common colour-vision
/// deficiencies, so the roles below differ in lightness, not only hue.
struct Colours {
    /// Probation-specific services; the highlighted area.
    dark: Rgb,
    /// Estimates and their intervals.
    middle: Rgb,
    /// Probation elements of mainstream services.
    light: Rgb,
    /// The band behind a highlighted area (drawn translucent).
    lightest: Rgb,
}

fn colours() -> Colours {
    // Light to dark: #fde725, #5ec962, #21918c, #3b528b, #440154.
    let v = Palette::Viridis.colours(5);
    Colours {
        dark: v[4],
        middle: v[2],
        light: v[1],
        lightest: v[0],
    }
}

/// Text colour on a fill: white or the body colour, whichever contrasts more.
fn ink_on(fill: Rgb) -> Rgb {
    if WHITE.contrast(fill) > BODY.colour.contrast(fill) {
        WHITE
    } else {
        BODY.colour
    }
}

/// A whole chart: title and subtitle, the body `draw` writes from the y it
/// is given down to the y it returns, then the source line. `summary` is the
/// text alternative's account of the data, for screen readers.
fn page(spec: &ChartSpec, summary: &str, draw: impl FnOnce(&mut String, f64) -> f64) -> String {
    let mut body = String::with_capacity(64 * 1024);
    let title_end = layout::block(
        &mut body,
        style::TITLE,
        &spec.title,
        &layout::TITLE_BASELINES,
    );
    let first = title_end + layout::SUBTITLE_GAP;
    let subtitle_end = layout::block(
        &mut body,
        style::SUBTITLE,
        &spec.subtitle,
        &[first, first + layout::SUBTITLE_LEADING],
    );
    let bottom = draw(&mut body, subtitle_end + 20.0);
    let source = [bottom + 30.0, bottom + 46.0];
    let height = layout::block(&mut body, style::SOURCE, &spec.source_line, &source) + 20.0;

    let mut out = String::with_capacity(body.len() + 1024);
    svg::open(
        &mut out,
        WIDTH,
        height,
        &spec.title,
        &[&spec.subtitle, summary, &spec.source_line],
    );
    let _ = writeln!(
        out,
        r#"<rect width="{WIDTH}" height="{height}" fill="{}"/>"#,
        style::BACKGROUND
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// Text centred on `x`: the font's advance widths place it, as text.rs
/// writes only start- and end-anchored text.
fn centred(out: &mut String, style: Style, x: f64, y: f64, s: &str) {
    style.write(out, x - style.width(s) / 2.0, y, Anchor::Start, s);
}

/// The widest of `names` in `style`, capped at `max` (longer names are set
/// smaller to fit).
fn name_column(names: impl Iterator<Item = f64>, max: f64) -> f64 {
    names.fold(0.0, f64::max).min(max)
}

/// Round-number axis ticks from 0 to at least `max`, five or so steps of
/// 1, 2 or 5 × 10^k, and the decimals their labels need.
fn ticks(max: f64) -> (Vec<f64>, usize) {
    let max = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    let rough = max / 5.0;
    let exponent = rough.log10().floor() as i32;
    let magnitude = 10f64.powi(exponent);
    let multiple = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| m * magnitude >= rough)
        .unwrap_or(10.0);
    let n = (max / (multiple * magnitude) - 1e-9).ceil() as usize;
    // i × multiple is a whole number, so dividing by a power of ten gives
    // the closest double to 0.6 where multiplying by 0.1 would not.
    let tick = |i: usize| match exponent {
        e if e >= 0 => i as f64 * multiple * magnitude,
        e => i as f64 * multiple / 10f64.powi(-e),
    };
    let decimals = match (exponent, multiple == 10.0) {
        (e, _) if e >= 0 => 0,
        (e, true) => (-e - 1) as usize,
        (e, false) => (-e) as usize,
    };
    ((0..=n).map(tick).collect(), decimals)
}

/// A vertical or horizontal line; data coordinates at full precision.
fn line(out: &mut String, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: Rgb, width: f64) {
    let _ = writeln!(
        out,
        r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}" stroke-width="{width}"/>"#
    );
}

/// A filled rectangle; data coordinates at full precision.
fn rect(out: &mut String, (x, y): (f64, f64), (width, height): (f64, f64), fill: Rgb) {
    let _ = writeln!(
        out,
        r#"<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"/>"#
    );
}

/// A row's ground: for the highlighted area a band in the palette's
/// lightest colour, otherwise a light stripe on every other row to guide the
/// eye along it.
fn row_ground(
    out: &mut String,
    i: usize,
    (x, y): (f64, f64),
    (width, height): (f64, f64),
    highlighted: bool,
) {
    if highlighted {
        let _ = writeln!(
            out,
            r#"<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{}" fill-opacity="0.45"/>"#,
            colours().lightest
        );
    } else if i % 2 == 1 {
        rect(out, (x, y), (width, height), STRIPE);
    }
}

/// A key's words at (x, y); returns where the next item of the key starts.
fn key_words(out: &mut String, x: f64, y: f64, words: &str) -> f64 {
    LABEL.write(out, x, y, Anchor::Start, words);
    x + LABEL.width(words) + 24.0
}

/// A square swatch with a letter on it, so a key or cell never relies on
/// colour alone.
fn lettered(out: &mut String, (x, y): (f64, f64), size: f64, fill: Rgb, letter: &str) {
    let _ = writeln!(
        out,
        r#"<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{fill}" stroke="{}" stroke-width="{}"/>"#,
        style::EDGE,
        style::BOX_WIDTH
    );
    centred_letter(
        out,
        (x + size / 2.0, y + size / 2.0),
        size * 0.72,
        fill,
        letter,
    );
}

/// A bold letter centred on a point of a fill, in the text colour that reads on it.
fn centred_letter(out: &mut String, (x, y): (f64, f64), size: f64, fill: Rgb, letter: &str) {
    let ink = Style {
        size,
        colour: ink_on(fill),
        ..LABEL_BOLD
    };
    centred(out, ink, x, y + size * 0.36, letter);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(1234.0), (vec![0.0, 500.0, 1000.0, 1500.0], 0));
        assert_eq!(ticks(100.0), (vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0], 0));
        assert_eq!(ticks(0.0), (vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0], 1));
        assert_eq!(ticks(7.3).0.last(), Some(&8.0));
    }

    #[test]
    fn letters_contrast_with_their_cells() {
        let c = colours();
        for fill in [c.dark, c.middle, c.light, WHITE] {
            assert!(ink_on(fill).contrast(fill) >= 4.5, "{fill}");
        }
    }
}

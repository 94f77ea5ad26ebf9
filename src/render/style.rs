//! The map's look: colours, stroke widths, type sizes and the "no data" hatch.

use super::svg::num;
use super::text::{Style, Weight};
use crate::palette::Rgb;
use std::fmt::Write;

pub const BACKGROUND: Rgb = Rgb(0xff, 0xff, 0xff);
/// Area borders: thin and white, so they separate classes without adding a colour.
pub const OUTLINE: Rgb = Rgb(0xff, 0xff, 0xff);
/// The edge of the mapped territory, swatch borders and the inset box: a
/// grey that keeps the lightest classes (viridis yellow, YlGnBu cream)
/// visible against the white page.
pub const EDGE: Rgb = Rgb(0x8c, 0x8c, 0x8c);
/// The outline of the highlighted area, over a white one twice as wide.
pub const HIGHLIGHT: Rgb = Rgb(0, 0, 0);
const NO_DATA_GROUND: Rgb = Rgb(0xf0, 0xf0, 0xf0);
const NO_DATA_LINES: Rgb = Rgb(0x96, 0x96, 0x96);

// Stroke widths in canvas units (1 unit = 1.6 px in a 1,600 px PNG).
pub const OUTLINE_WIDTH: f64 = 0.4;
/// A stroke in each area's own fill colour, wider than the outline: it
/// closes the anti-aliasing seam where two neighbours' edges coincide.
pub const SEAM_WIDTH: f64 = 0.6;
/// The territory's edge, drawn under the areas so only its outer half shows.
pub const EDGE_WIDTH: f64 = 1.8;
pub const HIGHLIGHT_WIDTH: f64 = 1.6;
pub const BOX_WIDTH: f64 = 0.75;

pub const TITLE: Style = Style {
    size: 22.0,
    weight: Weight::Bold,
    colour: TEXT,
};
pub const SUBTITLE: Style = Style {
    size: 14.0,
    weight: Weight::Regular,
    colour: TEXT,
};
pub const HEADING: Style = Style {
    size: 14.0,
    weight: Weight::Bold,
    colour: TEXT,
};
pub const BODY: Style = Style {
    size: 13.0,
    weight: Weight::Regular,
    colour: TEXT,
};
pub const NOTE: Style = Style {
    size: 11.5,
    weight: Weight::Regular,
    colour: MUTED,
};
pub const SOURCE: Style = Style {
    size: 12.0,
    weight: Weight::Regular,
    colour: MUTED,
};
pub const ATTRIBUTION: Style = Style {
    size: 11.0,
    weight: Weight::Regular,
    colour: MUTED,
};

const TEXT: Rgb = Rgb(0x1a, 0x1a, 0x1a);
const MUTED: Rgb = Rgb(0x4d, 0x4d, 0x4d);

/// A "no data" fill: grey diagonal hatching, distinct from every flat class
/// colour (cividis has a flat mid-grey). `spacing` is in the user units of
/// the elements that use it (metres inside a map frame), and `flipped`
/// counters the frame's y flip so the hatch leans the same way everywhere.
pub fn hatch_pattern(out: &mut String, id: &str, spacing: f64, flipped: bool) {
    let angle = if flipped { -45 } else { 45 };
    let line = spacing * 0.3;
    let _ = writeln!(
        out,
        r#"<pattern id="{id}" patternUnits="userSpaceOnUse" width="{spacing}" height="{spacing}" patternTransform="rotate({angle})"><rect width="{spacing}" height="{spacing}" fill="{NO_DATA_GROUND}"/><rect width="{line}" height="{spacing}" fill="{NO_DATA_LINES}"/></pattern>"#,
    );
}

/// The hatch spacing in canvas units.
pub const HATCH_SPACING: f64 = 4.0;

/// A rectangle outline in canvas units (the inset box, London's extent).
pub fn frame_rect(out: &mut String, x: f64, y: f64, width: f64, height: f64) {
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{EDGE}" stroke-width="{BOX_WIDTH}"/>"#,
        num(x),
        num(y),
        num(width),
        num(height)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_text_meets_wcag_aa_contrast_on_the_page() {
        for style in [TITLE, SUBTITLE, HEADING, BODY, NOTE, SOURCE, ATTRIBUTION] {
            let ratio = style.colour.contrast(BACKGROUND);
            assert!(
                ratio >= 7.0,
                "{style:?}: contrast {ratio:.2} below 7:1 (AAA)"
            );
        }
    }

    #[test]
    fn no_data_is_not_a_palette_colour_and_edges_show_on_white() {
        assert!(
            EDGE.contrast(BACKGROUND) >= 3.0,
            "territory edge must meet 3:1"
        );
        assert_ne!(NO_DATA_GROUND, BACKGROUND);
    }
}

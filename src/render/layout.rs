//! The page: fixed positions for the header, map, side column and footer.
//! Fixed, not fitted to the text, so a series of maps (one per condition)
//! shows every area in the same place from page to page.

use super::text::{Anchor, Style};

/// A rectangle of the canvas, in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Panel {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// Canvas size in SVG user units; a 1,600 px PNG is 1.6 px per unit.
pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 912.0;
const MARGIN: f64 = 24.0;
const TEXT_WIDTH: f64 = WIDTH - 2.0 * MARGIN;

/// The main map.
pub const MAP: Panel = Panel {
    x: MARGIN,
    y: 136.0,
    width: 600.0,
    height: 700.0,
};
/// The legend, then the London inset.
pub const COLUMN: Panel = Panel {
    x: 648.0,
    y: 136.0,
    width: WIDTH - MARGIN - 648.0,
    height: 700.0,
};

pub const TITLE_BASELINES: [f64; 2] = [46.0, 74.0];
/// The subtitle's first baseline sits this far below the title's last.
pub const SUBTITLE_GAP: f64 = 26.0;
pub const SUBTITLE_LEADING: f64 = 19.0;
pub const SOURCE_BASELINES: [f64; 2] = [864.0, 880.0];
pub const ATTRIBUTION_BASELINE: f64 = 900.0;

/// Writes `s` across the page on the given baselines: wrapped, and set
/// smaller (down to 70%) if it would need more lines than there are; what
/// still does not fit ends in "…". Returns the last baseline used.
pub fn block(out: &mut String, style: Style, s: &str, baselines: &[f64]) -> f64 {
    let mut style = style;
    let smallest = style.size * 0.7;
    let mut lines = style.wrap(s, TEXT_WIDTH);
    while lines.len() > baselines.len() && style.size > smallest {
        style.size = (style.size * 0.95).max(smallest);
        lines = style.wrap(s, TEXT_WIDTH);
    }
    if lines.len() > baselines.len() {
        lines.truncate(baselines.len());
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    for (line, &y) in lines.iter().zip(baselines) {
        style.write(out, MARGIN, y, Anchor::Start, line);
    }
    baselines[lines.len().clamp(1, baselines.len()) - 1]
}

/// One line across the page, set smaller if needed to fit (the attribution,
/// kept whole on one line so it is never split from its year).
pub fn line(out: &mut String, style: Style, s: &str, baseline: f64) {
    style
        .fitted(s, TEXT_WIDTH)
        .write(out, MARGIN, baseline, Anchor::Start, s);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::style::{ATTRIBUTION, TITLE};

    #[test]
    fn long_titles_shrink_then_truncate_within_their_lines() {
        let mut out = String::new();
        let long = "Unmet need for treatment of co-occurring mental health and substance misuse \
                    conditions among people supervised by the Probation Service, by upper-tier \
                    local authority (Health and Wellbeing Board), England";
        block(&mut out, TITLE, long, &TITLE_BASELINES);
        assert_eq!(out.matches("<text").count(), 2);
        let mut out = String::new();
        block(&mut out, TITLE, &long.repeat(3), &TITLE_BASELINES);
        assert_eq!(out.matches("<text").count(), 2);
        assert!(out.contains('…'));
    }

    #[test]
    fn attribution_fits_on_one_line() {
        let s = "Source: Office for National Statistics licensed under the Open Government \
                 Licence v.3.0. Contains OS data © Crown copyright and database right 2024.";
        assert!(ATTRIBUTION.fitted(s, TEXT_WIDTH).width(s) <= TEXT_WIDTH + 1e-9);
    }
}

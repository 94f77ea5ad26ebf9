//! The London inset: the 33 London boroughs (codes E09…) are too small to
//! read at national scale, so they are drawn again, enlarged, in a box.

use super::areas::{self, Area};
use super::frame::{Frame, extent};
use super::layout::Panel;
use super::style::{HATCH_SPACING, HEADING, frame_rect, hatch_pattern};
use super::text::Anchor;
use geo::Rect;

const PADDING: f64 = 8.0;
const MAX_HEIGHT: f64 = 320.0;
const NO_DATA: &str = "no-data-inset";

/// London's areas and where the inset draws them.
pub struct Inset<'a> {
    areas: Vec<&'a Area<'a>>,
    /// London's extent in BNG, marked on the main map.
    pub extent: Rect<f64>,
    frame: Frame,
    top: f64,
    column: Panel,
}

fn is_london_borough(code: &str) -> bool {
    code.starts_with("E09")
}

/// The inset below `top` in `column`, or None when the layer has no London
/// boroughs (e.g. sub-ICB locations) or no room is left.
pub fn london<'a>(areas: &'a [Area<'a>], column: Panel, top: f64) -> Option<Inset<'a>> {
    let london: Vec<&Area> = areas
        .iter()
        .filter(|a| is_london_borough(&a.boundary.code))
        .collect();
    let extent = extent(london.iter().map(|a| &a.boundary.geometry))?;
    let inner_width = column.width - 2.0 * PADDING;
    let box_top = top + HEADING.size + 8.0;
    let room = (column.y + column.height - box_top).min(MAX_HEIGHT);
    let inner_height = (inner_width * extent.height() / extent.width()).min(room - 2.0 * PADDING);
    if inner_height <= 0.0 {
        return None;
    }
    let panel = Panel {
        x: column.x + PADDING,
        y: box_top + PADDING,
        width: inner_width,
        height: inner_height,
    };
    Some(Inset {
        areas: london,
        extent,
        frame: Frame::fit(extent, panel),
        top,
        column,
    })
}

impl Inset<'_> {
    /// Its hatch pattern, for <defs>.
    pub fn definitions(&self, out: &mut String) {
        hatch_pattern(out, NO_DATA, self.frame.metres(HATCH_SPACING), true);
    }

    pub fn draw(&self, out: &mut String, highlight: Option<&str>) {
        HEADING.write(
            out,
            self.column.x,
            self.top + HEADING.size,
            Anchor::Start,
            "London (enlarged)",
        );
        let box_top = self.top + HEADING.size + 8.0;
        let (_, bottom) = self.frame.to_canvas(0.0, self.extent.min().y);
        frame_rect(
            out,
            self.column.x,
            box_top,
            self.column.width,
            bottom + PADDING - box_top,
        );
        areas::draw(out, &self.frame, &self.areas, NO_DATA, highlight);
    }
}

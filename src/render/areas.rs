//! Drawing areas in a frame: each area's path is written once (in <defs>)
//! and drawn in layers with <use>, so the main map and the inset share it.

use super::edge::territory_edge;
use super::frame::Frame;
use super::path::path_data;
use super::style::{
    EDGE, EDGE_WIDTH, HIGHLIGHT, HIGHLIGHT_WIDTH, OUTLINE, OUTLINE_WIDTH, SEAM_WIDTH,
};
use super::svg::escape;
use crate::geography::boundaries::Boundary;
use crate::palette::Rgb;
use std::fmt::Write;

/// An area as drawn: its boundary, its class colour (None = no data) and
/// the hover text.
pub struct Area<'a> {
    pub boundary: &'a Boundary,
    pub colour: Option<Rgb>,
    pub tooltip: String,
}

/// The id of an area's path in <defs>.
fn id(code: &str) -> String {
    format!("area-{}", escape(code))
}

/// One <path> per area, with its holes, for <defs>.
pub fn definitions(out: &mut String, areas: &[Area]) {
    for area in areas {
        let _ = writeln!(
            out,
            r#"<path id="{}" fill-rule="evenodd" d="{}"/>"#,
            id(&area.boundary.code),
            path_data(&area.boundary.geometry)
        );
    }
}

/// Draws `areas` in `frame`, bottom to top: the territory's grey edge, the
/// fills (each with a seam-closing stroke in its own colour), the white
/// borders, and the highlighted area's outline. `no_data` is the id of the
/// hatch pattern made for this frame. Bevel joins: at these widths they look
/// the same as round ones, never spike like mitres, and rasterise faster.
pub fn draw(
    out: &mut String,
    frame: &Frame,
    areas: &[&Area],
    no_data: &str,
    highlight: Option<&str>,
) {
    let _ = writeln!(
        out,
        r#"<g transform="{}" stroke-linejoin="bevel">"#,
        frame.svg_transform()
    );
    let _ = writeln!(
        out,
        r#"<path fill="none" stroke="{EDGE}" stroke-width="{}" d="{}"/>"#,
        frame.metres(EDGE_WIDTH),
        territory_edge(areas.iter().map(|a| &a.boundary.geometry))
    );
    let _ = writeln!(out, r#"<g stroke-width="{}">"#, frame.metres(SEAM_WIDTH));
    for area in areas {
        let paint = match area.colour {
            Some(colour) => colour.to_string(),
            None => format!("url(#{no_data})"),
        };
        let _ = writeln!(
            out,
            r##"<use href="#{}" fill="{paint}" stroke="{paint}"><title>{}</title></use>"##,
            id(&area.boundary.code),
            escape(&area.tooltip)
        );
    }
    let _ = writeln!(out, r#"</g>"#);
    let _ = writeln!(
        out,
        r#"<g fill="none" stroke="{OUTLINE}" stroke-width="{}">"#,
        frame.metres(OUTLINE_WIDTH)
    );
    for area in areas {
        let _ = writeln!(out, r##"<use href="#{}"/>"##, id(&area.boundary.code));
    }
    let _ = writeln!(out, r#"</g>"#);
    // White under black, so the outline shows on dark and light classes alike.
    if let Some(code) = highlight.filter(|c| areas.iter().any(|a| a.boundary.code == *c)) {
        for (colour, width) in [
            (OUTLINE, 2.0 * HIGHLIGHT_WIDTH),
            (HIGHLIGHT, HIGHLIGHT_WIDTH),
        ] {
            let _ = writeln!(
                out,
                r##"<use href="#{}" fill="none" stroke="{colour}" stroke-width="{}"/>"##,
                id(code),
                frame.metres(width)
            );
        }
    }
    let _ = writeln!(out, r#"</g>"#);
}

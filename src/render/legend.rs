//! The legend: what is mapped, one row per class with its colour, its range
//! and how many areas fall in it, then "No data".

use super::layout::Panel;
use super::style::{BODY, BOX_WIDTH, EDGE, HEADING, NOTE};
use super::svg::num;
use super::text::Anchor;
use crate::palette::Rgb;
use std::fmt::Write;

/// One legend row.
pub struct Row {
    /// None for "No data", drawn with the hatch pattern.
    pub colour: Option<Rgb>,
    pub label: String,
    pub areas: usize,
}

const ROW_HEIGHT: f64 = 24.0;
const SWATCH_WIDTH: f64 = 30.0;
const SWATCH_HEIGHT: f64 = 16.0;

/// Draws the legend at the top of `column`; returns the y where it ends.
pub fn draw(out: &mut String, column: Panel, title: &str, rows: &[Row], no_data: &str) -> f64 {
    let right = column.x + column.width;
    let mut y = column.y + HEADING.size;
    for line in HEADING.wrap(title, column.width) {
        HEADING.write(out, column.x, y, Anchor::Start, &line);
        y += HEADING.size * 1.3;
    }
    NOTE.write(
        out,
        column.x,
        y,
        Anchor::Start,
        "Each class includes its upper value",
    );
    NOTE.write(out, right, y + NOTE.size * 1.5, Anchor::End, "Areas");
    y += NOTE.size * 1.5 + 8.0;
    for (i, row) in rows.iter().enumerate() {
        // A gap sets "No data" apart from the classes.
        if row.colour.is_none() && i > 0 {
            y += 8.0;
        }
        swatch(out, column.x, y, row.colour, no_data);
        let baseline = y + SWATCH_HEIGHT / 2.0 + BODY.size * 0.36;
        BODY.write(
            out,
            column.x + SWATCH_WIDTH + 10.0,
            baseline,
            Anchor::Start,
            &row.label,
        );
        BODY.write(out, right, baseline, Anchor::End, &row.areas.to_string());
        y += ROW_HEIGHT;
    }
    y
}

fn swatch(out: &mut String, x: f64, y: f64, colour: Option<Rgb>, no_data: &str) {
    let fill = match colour {
        Some(colour) => colour.to_string(),
        None => format!("url(#{no_data})"),
    };
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{SWATCH_WIDTH}" height="{SWATCH_HEIGHT}" fill="{fill}" stroke="{EDGE}" stroke-width="{BOX_WIDTH}"/>"#,
        num(x),
        num(y)
    );
}

//! The frame the trend and funnel charts share: a plot area with a value
//! axis from 0 up (horizontal gridlines, labelled at the left) and a
//! horizontal axis whose ticks each chart labels itself.

use super::{GRID, LABEL, MARGIN, RIGHT, centred, line, ticks};
use crate::numbers::thousands;
use crate::render::text::Anchor;
use std::fmt::Write;

/// Height of the plot area.
pub const HEIGHT: f64 = 380.0;

/// Where data goes on the page: x from `x_min..x_max`, y from 0 to the
/// last tick.
pub struct Xy {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub x_min: f64,
    pub x_max: f64,
    pub y_ticks: Vec<f64>,
    pub y_decimals: usize,
}

impl Xy {
    /// A frame from `top` for values up to `y_max`, with room at the left
    /// for the y labels and `title` of the value axis above them.
    pub fn new(top: f64, (x_min, x_max): (f64, f64), y_max: f64) -> Xy {
        let (y_ticks, y_decimals) = ticks(y_max);
        let widest = y_ticks
            .iter()
            .map(|t| LABEL.width(&thousands(*t, y_decimals)))
            .fold(0.0, f64::max);
        Xy {
            left: MARGIN + widest + 10.0,
            right: RIGHT - 30.0,
            top,
            x_min,
            x_max: if x_max > x_min { x_max } else { x_min + 1.0 },
            y_ticks,
            y_decimals,
        }
    }

    pub fn bottom(&self) -> f64 {
        self.top + HEIGHT
    }

    pub fn x(&self, v: f64) -> f64 {
        self.left + (self.right - self.left) * (v - self.x_min) / (self.x_max - self.x_min)
    }

    pub fn y(&self, v: f64) -> f64 {
        let end = *self.y_ticks.last().unwrap_or(&1.0);
        self.bottom() - HEIGHT * (v / end).clamp(0.0, 1.0)
    }

    /// Horizontal gridlines with their labels, the axis title above them,
    /// and the x ticks labelled below the plot.
    pub fn draw(&self, out: &mut String, y_title: &str, x_ticks: &[(f64, String)]) {
        crate::render::style::HEADING.write(out, MARGIN, self.top - 14.0, Anchor::Start, y_title);
        for &t in &self.y_ticks {
            let y = self.y(t);
            line(out, (self.left, y), (self.right, y), GRID, 0.6);
            let label = thousands(t, self.y_decimals);
            LABEL.write(
                out,
                self.left - 6.0,
                y + LABEL.size * 0.36,
                Anchor::End,
                &label,
            );
        }
        for (v, label) in x_ticks {
            let x = self.x(*v);
            line(out, (x, self.bottom()), (x, self.bottom() + 5.0), GRID, 1.0);
            centred(out, LABEL, x, self.bottom() + 19.0, label);
        }
    }

    /// A polyline through `points` (data coordinates).
    pub fn path(&self, out: &mut String, points: &[(f64, f64)], stroke: &str, dash: Option<&str>) {
        let mut d = String::new();
        for (i, (x, y)) in points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{} ",
                if i == 0 { 'M' } else { 'L' },
                self.x(*x),
                self.y(*y)
            );
        }
        let dash = dash.map_or(String::new(), |d| format!(r#" stroke-dasharray="{d}""#));
        let _ = writeln!(
            out,
            r#"<path d="{}" fill="none" stroke="{stroke}" stroke-width="1.4"{dash}/>"#,
            d.trim_end()
        );
    }
}

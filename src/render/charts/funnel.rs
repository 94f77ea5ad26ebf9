//! A funnel plot: each area's observed proportion against its sample size,
//! the areas' pooled proportion, and PHE's control limits at 95% (dashed)
//! and 99.8% (solid); the limits widened for overdispersion dotted, where
//! asked for. Areas are named beside their dots.

use super::xy::Xy;
use super::{ChartSpec, LABEL, MARGIN, colours, key_words, page, ticks};
use crate::analysis::funnel::Funnel;
use crate::numbers::{percent, thousands};
use crate::render::style::NOTE;
use crate::render::svg::escape;
use crate::render::text::Anchor;
use std::fmt::Write;

const DOT: f64 = 4.0;
/// Points along each limit line (as PHEindicatormethods draws 100).
const STEPS: usize = 100;

pub fn funnel_svg(funnel: &Funnel, spec: &ChartSpec) -> String {
    let summary = summary(funnel);
    page(spec, &summary, |out, top| draw(out, top, funnel))
}

fn draw(out: &mut String, top: f64, funnel: &Funnel) -> f64 {
    let key_y = top + 14.0;
    key(out, key_y, funnel);
    let n_max = funnel.areas.iter().map(|a| a.sample.n).fold(0.0, f64::max);
    let (x_ticks, _) = ticks(n_max * 1.05);
    let x_end = *x_ticks.last().unwrap_or(&1.0);
    // Limits start at a tenth of the smallest sample: below it they only
    // widen towards 0 and 100%.
    let n_min = funnel
        .areas
        .iter()
        .map(|a| a.sample.n)
        .fold(f64::MAX, f64::min)
        / 10.0;
    let n_start = n_min.max(1.0);
    let ns: Vec<f64> = (0..=STEPS)
        .map(|i| n_start * (x_end / n_start).powf(i as f64 / STEPS as f64))
        .collect();
    let widest = funnel.limits(n_start, 0.998);
    // Only the drawn points set the axis: a withheld area's proportion
    // must not show through the scale.
    let y_max = funnel
        .shown()
        .map(|a| a.sample.proportion())
        .chain([widest.0.1, widest.1.map_or(0.0, |w| w.1)])
        .fold(0.0, f64::max);
    let plot = Xy::new(key_y + 52.0, (0.0, x_end), (100.0 * y_max).min(100.0));
    let labels: Vec<(f64, String)> = x_ticks.iter().map(|&t| (t, thousands(t, 0))).collect();
    plot.draw(out, "Proportion (%)", &labels);
    let c = colours();
    for (level, dash) in [(0.95, Some("6 4")), (0.998, None)] {
        for side in [0, 1] {
            let pick = |(lower, upper): (f64, f64)| 100.0 * if side == 0 { lower } else { upper };
            let plain: Vec<(f64, f64)> = ns
                .iter()
                .map(|&n| (n, pick(funnel.limits(n, level).0)))
                .collect();
            plot.path(out, &plain, &c.middle.to_string(), dash);
            if funnel.overdispersion.is_some() {
                let widened: Vec<(f64, f64)> = ns
                    .iter()
                    .filter_map(|&n| Some((n, pick(funnel.limits(n, level).1?))))
                    .collect();
                plot.path(out, &widened, &c.light.to_string(), Some("2 3"));
            }
        }
    }
    let base = [
        (0.0, 100.0 * funnel.baseline),
        (x_end, 100.0 * funnel.baseline),
    ];
    plot.path(out, &base, &c.dark.to_string(), None);
    for a in funnel.shown() {
        let (x, y) = (plot.x(a.sample.n), plot.y(100.0 * a.sample.proportion()));
        let _ = writeln!(out, "<g><title>{}</title>", escape(&describe(a)));
        let _ = writeln!(
            out,
            r#"<circle cx="{x}" cy="{y}" r="{DOT}" fill="{}"/></g>"#,
            c.dark
        );
        LABEL.write(
            out,
            x + DOT + 4.0,
            y + LABEL.size * 0.36,
            Anchor::Start,
            &a.area_name,
        );
    }
    let mut bottom = plot.bottom() + 40.0;
    NOTE.write(
        out,
        MARGIN,
        bottom,
        Anchor::Start,
        "Sample size (people assessed)",
    );
    if let Some(o) = funnel.overdispersion {
        bottom += 20.0;
        let note = format!(
            "Dotted: limits widened for overdispersion (Spiegelhalter, additive between-area variance τ² = {:.5}; φ = {:.2}, 10% winsorised z-scores).",
            o.tau2, o.phi
        );
        NOTE.write(out, MARGIN, bottom, Anchor::Start, &note);
    }
    bottom
}

/// What the lines mean, on one line above the plot.
fn key(out: &mut String, y: f64, funnel: &Funnel) {
    let c = colours();
    let mid = y - LABEL.size * 0.36;
    let mut x = MARGIN;
    let segment = |out: &mut String, x: f64, colour: String, dash: &str| {
        let _ = writeln!(
            out,
            r#"<line x1="{x}" y1="{mid}" x2="{}" y2="{mid}" stroke="{colour}" stroke-width="1.4"{dash}/>"#,
            x + 26.0
        );
        x + 32.0
    };
    x = segment(out, x, c.dark.to_string(), "");
    x = key_words(
        out,
        x,
        y,
        &format!("Baseline {}", percent(funnel.baseline, 1)),
    );
    x = segment(out, x, c.middle.to_string(), r#" stroke-dasharray="6 4""#);
    x = key_words(out, x, y, "95% limits");
    x = segment(out, x, c.middle.to_string(), "");
    x = key_words(out, x, y, "99.8% limits (PHE, Wilson)");
    if funnel.overdispersion.is_some() {
        x = segment(out, x, c.light.to_string(), r#" stroke-dasharray="2 3""#);
        key_words(out, x, y, "overdispersion-adjusted");
    }
}

fn describe(a: &crate::analysis::funnel::FunnelArea) -> String {
    format!(
        "{} ({}): {} of {} ({}), {}",
        a.area_name,
        a.area_code,
        thousands(a.sample.count, 0),
        thousands(a.sample.n, 0),
        percent(a.sample.proportion(), 1),
        a.significance
    )
}

fn summary(funnel: &Funnel) -> String {
    let areas: Vec<String> = funnel.shown().map(describe).collect();
    let mut text = format!(
        "{} areas against the pooled proportion {}: {}.",
        funnel.areas.len(),
        percent(funnel.baseline, 1),
        areas.join("; ")
    );
    if let Some(not_shown) = funnel.not_shown() {
        let _ = write!(text, " {not_shown}");
    }
    text
}

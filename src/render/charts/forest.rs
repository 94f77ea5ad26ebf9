//! A forest plot of one condition's evidence: every figure with its 95%
//! interval, grouped by definition class, and under each class its pooled
//! random-effects estimate as a diamond with the prediction interval for a
//! new setting as a dashed line. Figures left out of the pooling are drawn
//! hollow, so the chart never relies on colour alone.

use super::{
    ChartSpec, GRID, LABEL, LABEL_BOLD, MARGIN, RIGHT, centred, colours, key_words, line, page,
    row_ground, ticks,
};
use crate::evidence::pool::{Basis, Pooled};
use crate::evidence::{ClassSummary, Study};
use crate::numbers::thousands;
use crate::palette::Rgb;
use crate::render::style::{self, NOTE};
use crate::render::svg::escape;
use crate::render::text::Anchor;
use crate::stats::wilson::{self, Z95};
use std::fmt::Write;

const ROW: f64 = 20.0;
const MARKER: f64 = 8.0;
const INTERVAL_WIDTH: f64 = 1.6;
const NAME_WIDTH: f64 = 290.0;
/// The n column, right-aligned at its end.
const N_WIDTH: f64 = 64.0;
/// Room right of the plot for "39.0% (32.0 to 46.4)".
const VALUES_WIDTH: f64 = 150.0;

/// The forest plot as SVG. `classes` are one condition's figures by
/// definition class, as `evidence::summarise` gives them.
pub fn forest_svg(classes: &[ClassSummary], spec: &ChartSpec) -> String {
    let rows = rows(classes);
    let summary = summary(classes);
    page(spec, &summary, |out, top| draw(out, top, &rows))
}

/// What one line of the plot shows.
enum Row<'a> {
    Heading(&'static str),
    Study(&'a Study),
    Pooled(&'a Pooled),
    Note(String),
}

fn rows<'a>(classes: &'a [ClassSummary]) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for class in classes {
        rows.push(Row::Heading(class.class.label()));
        rows.extend(class.studies.iter().copied().map(Row::Study));
        match &class.pooled {
            Some(p) if p.k >= 2 => {
                rows.push(Row::Pooled(p));
                rows.push(Row::Note(heterogeneity_note(p)));
            }
            Some(_) => rows.push(Row::Note(
                "One figure: used as it stands, not pooled.".into(),
            )),
            None => rows.push(Row::Note("No figure in this class is pooled.".into())),
        }
    }
    rows
}

/// "Prediction interval 0.8% to 82.8%; I² 88%, τ² 0.81, Q 32.1 on 4 df (p < 0.001)".
fn heterogeneity_note(p: &Pooled) -> String {
    let mut note = match p.prediction {
        Some((lo, hi)) => format!("95% prediction interval {} to {}", percent(lo), percent(hi)),
        None => "No prediction interval from two figures".to_string(),
    };
    if let Some(h) = p.heterogeneity {
        let p_value = if h.p_value < 0.001 {
            "p < 0.001".to_string()
        } else {
            format!("p = {:.3}", h.p_value)
        };
        let _ = write!(
            note,
            "; I² {}%, τ² {:.2}, Q {:.1} on {} df ({p_value})",
            thousands(100.0 * h.i2, 0),
            h.tau2,
            h.q,
            h.df
        );
    }
    note
}

/// A proportion as a percentage with one decimal: "39.0%".
fn percent(v: f64) -> String {
    format!("{}%", thousands(100.0 * v, 1))
}

/// A figure's 95% interval: the one it published, or Wilson's from its n.
fn interval(s: &Study) -> Option<(f64, f64)> {
    s.published.or_else(|| {
        s.n.map(|n| wilson::interval(s.numerator.unwrap_or(s.rate * n), n, Z95))
    })
}

/// "39.0% (32.0 to 46.4)", or the rate alone where there is no interval.
fn estimate_text(estimate: f64, interval: Option<(f64, f64)>) -> String {
    match interval {
        Some((lo, hi)) => format!(
            "{} ({} to {})",
            percent(estimate),
            thousands(100.0 * lo, 1),
            thousands(100.0 * hi, 1)
        ),
        None => format!("{} (no n)", percent(estimate)),
    }
}

/// Percentages across the plot: 0 at `left`, `end` at `right`.
struct Scale {
    left: f64,
    right: f64,
    end: f64,
}

impl Scale {
    /// x of a proportion.
    fn x(&self, p: f64) -> f64 {
        self.left + (self.right - self.left) * (100.0 * p).min(self.end) / self.end
    }
}

/// The largest percentage any mark reaches, for the axis.
fn extent(rows: &[Row]) -> f64 {
    let highest = rows.iter().map(|row| match row {
        Row::Study(s) => interval(s).map_or(s.rate, |(_, hi)| hi),
        Row::Pooled(p) => p.prediction.map_or(p.upper, |(_, hi)| hi.max(p.upper)),
        _ => 0.0,
    });
    (100.0 * highest.fold(0.0, f64::max)).min(100.0)
}

fn draw(out: &mut String, top: f64, rows: &[Row]) -> f64 {
    let key_y = top + 14.0;
    key(out, key_y);
    let (ticks, decimals) = ticks(extent(rows));
    let scale = Scale {
        left: MARGIN + NAME_WIDTH + N_WIDTH + 16.0,
        right: RIGHT - VALUES_WIDTH,
        end: *ticks.last().unwrap_or(&100.0),
    };
    let heading_y = key_y + 36.0;
    style::HEADING.write(out, scale.left, heading_y, Anchor::Start, "Prevalence (%)");
    LABEL_BOLD.write(
        out,
        MARGIN + NAME_WIDTH + N_WIDTH,
        heading_y,
        Anchor::End,
        "n",
    );
    LABEL_BOLD.write(
        out,
        RIGHT,
        heading_y,
        Anchor::End,
        "Estimate (95% interval)",
    );
    let plot_top = heading_y + 22.0;
    let plot_bottom = plot_top + ROW * rows.len() as f64;
    for (i, row) in rows.iter().enumerate() {
        if matches!(row, Row::Study(_)) {
            let at = (MARGIN, plot_top + ROW * i as f64);
            row_ground(out, i, at, (RIGHT - MARGIN, ROW), false);
        }
    }
    for &t in &ticks {
        let x = scale.left + (scale.right - scale.left) * t / scale.end;
        line(out, (x, plot_top), (x, plot_bottom), GRID, 0.6);
        let label = thousands(t, decimals);
        centred(out, LABEL, x, plot_top - 6.0, &label);
        centred(out, LABEL, x, plot_bottom + 15.0, &label);
    }
    for (i, row) in rows.iter().enumerate() {
        let middle = plot_top + ROW * (i as f64 + 0.5);
        let baseline = middle + LABEL.size * 0.36;
        match row {
            Row::Heading(label) => {
                style::HEADING.write(out, MARGIN, baseline, Anchor::Start, label);
            }
            Row::Study(s) => study(out, &scale, (middle, baseline), s),
            Row::Pooled(p) => pooled(out, &scale, (middle, baseline), p),
            Row::Note(note) => {
                NOTE.fitted(note, RIGHT - MARGIN - 16.0).write(
                    out,
                    MARGIN + 16.0,
                    baseline,
                    Anchor::Start,
                    note,
                );
            }
        }
    }
    plot_bottom + 15.0
}

/// One figure: name, n, interval and square (hollow if not pooled), value.
fn study(out: &mut String, scale: &Scale, (middle, baseline): (f64, f64), s: &Study) {
    let colour = colours().middle;
    let name_end = MARGIN + NAME_WIDTH;
    let indent = MARGIN + 16.0;
    LABEL.fitted(&s.short_name, name_end - indent).write(
        out,
        indent,
        baseline,
        Anchor::Start,
        &s.short_name,
    );
    let n = s.n.map_or_else(|| "–".to_string(), |n| thousands(n, 0));
    LABEL.write(out, name_end + N_WIDTH, baseline, Anchor::End, &n);
    let interval = interval(s);
    let tooltip = format!(
        "{} ({}): {}; {}, {}; {}",
        s.short_name,
        s.id,
        estimate_text(s.rate, interval),
        s.population,
        s.fieldwork,
        if s.pool { "pooled" } else { "not pooled" }
    );
    let _ = writeln!(out, "<g><title>{}</title>", escape(&tooltip));
    if let Some((lo, hi)) = interval {
        line(
            out,
            (scale.x(lo), middle),
            (scale.x(hi), middle),
            colour,
            INTERVAL_WIDTH,
        );
    }
    let fill = if s.pool { colour } else { style::BACKGROUND };
    let _ = writeln!(
        out,
        r#"<rect x="{}" y="{}" width="{MARKER}" height="{MARKER}" fill="{fill}" stroke="{colour}" stroke-width="1.4"/></g>"#,
        scale.x(s.rate) - MARKER / 2.0,
        middle - MARKER / 2.0
    );
    let value = estimate_text(s.rate, interval);
    LABEL.write(out, RIGHT, baseline, Anchor::End, &value);
}

/// A class's pooled estimate: the diamond over its prediction interval.
fn pooled(out: &mut String, scale: &Scale, (middle, baseline): (f64, f64), p: &Pooled) {
    let dark = colours().dark;
    let method = match p.basis {
        Basis::RandomEffects(crate::evidence::pool::IntervalMethod::HartungKnapp) => {
            "random effects, Hartung–Knapp"
        }
        _ => "random effects",
    };
    let label = format!("Pooled ({method}), k = {}", p.k);
    LABEL_BOLD
        .fitted(&label, NAME_WIDTH + N_WIDTH - 16.0)
        .write(out, MARGIN + 16.0, baseline, Anchor::Start, &label);
    let value = estimate_text(p.estimate, Some((p.lower, p.upper)));
    let _ = writeln!(
        out,
        "<g><title>{}</title>",
        escape(&format!("{label}: {value}"))
    );
    if let Some((lo, hi)) = p.prediction {
        dashed(out, (scale.x(lo), scale.x(hi)), middle, dark);
    }
    let half = ROW * 0.3;
    let (lo, mid, hi) = (scale.x(p.lower), scale.x(p.estimate), scale.x(p.upper));
    let _ = writeln!(
        out,
        r#"<polygon points="{lo},{middle} {mid},{} {hi},{middle} {mid},{}" fill="{dark}"/></g>"#,
        middle - half,
        middle + half
    );
    LABEL_BOLD.write(out, RIGHT, baseline, Anchor::End, &value);
}

/// The prediction interval: a dashed line with short end caps.
fn dashed(out: &mut String, (x1, x2): (f64, f64), y: f64, colour: Rgb) {
    let _ = writeln!(
        out,
        r#"<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" stroke="{colour}" stroke-width="1.2" stroke-dasharray="4 3"/>"#
    );
    for x in [x1, x2] {
        line(out, (x, y - 4.0), (x, y + 4.0), colour, 1.2);
    }
}

/// What the marks mean, on one line above the chart.
fn key(out: &mut String, y: f64) {
    let colours = colours();
    let mid = y - LABEL.size * 0.36;
    let square = |out: &mut String, x: f64, fill: Rgb| {
        let _ = writeln!(
            out,
            r#"<rect x="{x}" y="{}" width="{MARKER}" height="{MARKER}" fill="{fill}" stroke="{}" stroke-width="1.4"/>"#,
            mid - MARKER / 2.0,
            colours.middle
        );
    };
    square(out, MARGIN, colours.middle);
    let x = key_words(out, MARGIN + MARKER + 6.0, y, "Pooled figure");
    square(out, x, style::BACKGROUND);
    let x = key_words(out, x + MARKER + 6.0, y, "Not pooled");
    let _ = writeln!(
        out,
        r#"<polygon points="{x},{mid} {},{} {},{mid} {},{}" fill="{}"/>"#,
        x + 9.0,
        mid - 6.0,
        x + 18.0,
        x + 9.0,
        mid + 6.0,
        colours.dark
    );
    let x = key_words(out, x + 24.0, y, "Pooled estimate (95% interval)");
    dashed(out, (x, x + 30.0), mid, colours.dark);
    key_words(out, x + 36.0, y, "95% prediction interval");
}

/// The chart in words: each class's figures and its estimate.
fn summary(classes: &[ClassSummary]) -> String {
    let figures: usize = classes.iter().map(|c| c.studies.len()).sum();
    let mut s = format!("{figures} figures in {} definition classes.", classes.len());
    for c in classes {
        let _ = write!(s, " {}: {} figures", c.class.label(), c.studies.len());
        match &c.pooled {
            Some(p) if p.k >= 2 => {
                let _ = write!(
                    s,
                    ", pooled {} from {}; {}.",
                    estimate_text(p.estimate, Some((p.lower, p.upper))),
                    p.k,
                    heterogeneity_note(p)
                );
            }
            Some(p) => {
                let _ = write!(
                    s,
                    ", one used as it stands: {}.",
                    estimate_text(p.estimate, Some((p.lower, p.upper)))
                );
            }
            None => s.push_str(", none pooled."),
        }
    }
    s
}

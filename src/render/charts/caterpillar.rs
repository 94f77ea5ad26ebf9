//! Areas ranked by need (or unmet need) per 100,000 adults, highest first:
//! a dot for the estimate and a line for its simulated 95% interval, the
//! median of the areas, and beside each area its rank with the rank's 95%
//! interval. One row per area, so 153 upper-tier authorities make a tall
//! chart.

use super::{
    ChartSpec, GRID, LABEL, LABEL_BOLD, MARGIN, RIGHT, centred, colours, key_words, line,
    name_column, page, row_ground, ticks,
};
use crate::gap::{Figure, GapRow, Scale};
use crate::numbers::thousands;
use crate::render::style::{self, NOTE};
use crate::render::svg::escape;
use crate::render::text::Anchor;
use crate::stats::estimate::Estimate;
use std::fmt::Write;

/// One area per row: 14 units keeps 11-unit names apart and the chart's
/// height proportional to the number of areas.
const ROW: f64 = 14.0;
const DOT: f64 = 3.5;
const HIGHLIGHT_DOT: f64 = 4.5;
const INTERVAL_WIDTH: f64 = 1.6;
/// The longest names (sub-ICB locations) are set smaller beyond this.
const MAX_NAME_WIDTH: f64 = 330.0;

/// An area with its estimate.
struct Ranked<'a> {
    row: &'a GapRow,
    value: Estimate,
}

/// The width of the rank column at the right.
const RANK_COLUMN: f64 = 92.0;

/// The caterpillar as SVG. `rows` are one level's rows for one condition.
/// Areas without the figure (unmet need not assessed) and areas whose
/// counts fall under the small-number rule are left out and counted in a note.
pub fn caterpillar_svg(rows: &[&GapRow], spec: &ChartSpec) -> String {
    let shown: Vec<&GapRow> = rows.iter().copied().filter(|r| !r.suppressed).collect();
    let ranked: Vec<Ranked> = spec
        .figure
        .ranked(&shown, Scale::Rate)
        .into_iter()
        .map(|(row, value)| Ranked { row, value })
        .collect();
    let values: Vec<f64> = ranked.iter().map(|r| r.value.value).collect();
    let median = median(&values);
    let left_out = LeftOut {
        suppressed: rows.len() - shown.len(),
        not_assessed: shown.len() - ranked.len(),
    };
    let summary = summary(&ranked, median, spec);
    page(spec, &summary, |out, top| {
        draw(out, top, &ranked, median, left_out, spec)
    })
}

/// Areas the chart cannot show, and why.
#[derive(Clone, Copy)]
struct LeftOut {
    suppressed: usize,
    not_assessed: usize,
}

impl LeftOut {
    fn notes(self) -> Vec<String> {
        let areas = |n: usize| match n {
            1 => "1 area".to_string(),
            n => format!("{n} areas"),
        };
        let mut notes = Vec::new();
        if self.not_assessed > 0 {
            notes.push(format!(
                "{} not shown: unmet need not assessed.",
                areas(self.not_assessed)
            ));
        }
        if self.suppressed > 0 {
            notes.push(format!(
                "{} not shown: counts below the small-number threshold are not published.",
                areas(self.suppressed)
            ));
        }
        notes
    }
}

/// The median of sorted values (the mean of the middle two for an even count).
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Where the values and rows go on the page.
struct Plot {
    /// x of 0 and of `end`, the last tick.
    left: f64,
    right: f64,
    end: f64,
    top: f64,
    rows: usize,
}

impl Plot {
    fn x(&self, v: f64) -> f64 {
        self.left + (self.right - self.left) * v / self.end
    }

    fn row_top(&self, i: usize) -> f64 {
        self.top + ROW * i as f64
    }

    fn bottom(&self) -> f64 {
        self.row_top(self.rows)
    }
}

fn draw(
    out: &mut String,
    top: f64,
    ranked: &[Ranked],
    median: Option<f64>,
    left_out: LeftOut,
    spec: &ChartSpec,
) -> f64 {
    let width = name_column(
        ranked.iter().map(|r| LABEL_BOLD.width(&r.row.area_name)),
        MAX_NAME_WIDTH,
    );
    let names = Names {
        end: MARGIN + width,
        width,
    };
    let max = ranked.iter().map(|r| r.value.upper).fold(0.0, f64::max);
    let (ticks, decimals) = ticks(max);
    let key_y = top + 14.0;
    key(out, key_y, median.map(|m| thousands(m, decimals)));
    let plot = Plot {
        left: names.end + 14.0,
        // Room on the right for half of the last tick's label and the ranks.
        right: RIGHT - 24.0 - RANK_COLUMN,
        end: *ticks.last().unwrap_or(&1.0),
        top: key_y + 58.0,
        rows: ranked.len(),
    };
    let heading = axis_label(spec.figure);
    style::HEADING.write(out, plot.left, key_y + 30.0, Anchor::Start, &heading);
    style::HEADING.write(out, RIGHT, key_y + 30.0, Anchor::End, "Rank (95% interval)");
    let highlighted = |r: &Ranked| spec.highlight.as_deref() == Some(r.row.area_code.as_str());
    for (i, r) in ranked.iter().enumerate() {
        let (at, size) = ((MARGIN, plot.row_top(i)), (RIGHT - MARGIN, ROW));
        row_ground(out, i, at, size, highlighted(r));
    }
    axis(out, &plot, &ticks, decimals);
    if let Some(m) = median {
        median_line(out, plot.x(m), plot.top, plot.bottom());
        let label = format!("Median {}", thousands(m, decimals));
        centred(out, LABEL_BOLD, plot.x(m), plot.bottom() + 31.0, &label);
    }
    for (i, r) in ranked.iter().enumerate() {
        area(out, &plot, &names, (i, r), highlighted(r), decimals);
    }
    let mut bottom = plot.bottom() + 31.0;
    for note in left_out.notes() {
        bottom += 20.0;
        NOTE.write(out, MARGIN, bottom, Anchor::Start, &note);
    }
    bottom
}

/// The column of area names: where it ends (names are right-aligned) and
/// how wide it is.
struct Names {
    end: f64,
    width: f64,
}

/// Gridlines at the ticks, labelled above and below the rows.
fn axis(out: &mut String, plot: &Plot, ticks: &[f64], decimals: usize) {
    for &t in ticks {
        let x = plot.x(t);
        line(out, (x, plot.top), (x, plot.bottom()), GRID, 0.6);
        let label = thousands(t, decimals);
        centred(out, LABEL, x, plot.top - 6.0, &label);
        centred(out, LABEL, x, plot.bottom() + 15.0, &label);
    }
}

/// One area's name, interval and dot, the marks titled for hover.
fn area(
    out: &mut String,
    plot: &Plot,
    names: &Names,
    (i, r): (usize, &Ranked),
    highlighted: bool,
    decimals: usize,
) {
    let colours = colours();
    let y = plot.row_top(i) + ROW / 2.0;
    let (colour, radius, name_style) = if highlighted {
        (colours.dark, HIGHLIGHT_DOT, LABEL_BOLD)
    } else {
        (colours.middle, DOT, LABEL)
    };
    let name = &r.row.area_name;
    let baseline = y + LABEL.size * 0.36;
    name_style
        .fitted(name, names.width)
        .write(out, names.end, baseline, Anchor::End, name);
    let _ = writeln!(out, "<g><title>{}</title>", escape(&tooltip(r, decimals)));
    let (lower, upper) = (plot.x(r.value.lower), plot.x(r.value.upper));
    line(out, (lower, y), (upper, y), colour, INTERVAL_WIDTH);
    let _ = writeln!(
        out,
        r#"<circle cx="{}" cy="{y}" r="{radius}" fill="{colour}"/></g>"#,
        plot.x(r.value.value)
    );
    if let Some(rank) = &r.row.rank {
        let text = format!("{} ({}–{})", rank.rank, rank.lower, rank.upper);
        name_style.write(out, RIGHT, baseline, Anchor::End, &text);
    }
}

/// What the marks mean, on one line above the chart.
fn key(out: &mut String, y: f64, median: Option<String>) {
    let colour = colours().middle;
    let mid = y - LABEL.size * 0.36;
    let _ = writeln!(
        out,
        r#"<circle cx="{}" cy="{mid}" r="{DOT}" fill="{colour}"/>"#,
        MARGIN + DOT
    );
    let x = key_words(out, MARGIN + 2.0 * DOT + 6.0, y, "Estimate");
    line(out, (x, mid), (x + 28.0, mid), colour, INTERVAL_WIDTH);
    let words = "95% interval (simulated: caseload model, prevalence, treatment access)";
    let x = key_words(out, x + 34.0, y, words);
    if let Some(median) = median {
        median_line(out, x, mid - 6.0, mid + 6.0);
        key_words(out, x + 6.0, y, &format!("Median of the areas: {median}"));
    }
}

/// The dashed line that marks the median.
fn median_line(out: &mut String, x: f64, y1: f64, y2: f64) {
    let _ = writeln!(
        out,
        r#"<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{}" stroke-width="1.2" stroke-dasharray="5 3"/>"#,
        NOTE.colour
    );
}

fn tooltip(r: &Ranked, decimals: usize) -> String {
    let rank = r.row.rank.map_or(String::new(), |k| {
        format!(
            "; rank {} (95% interval {} to {}), in the top fifth in {} of draws",
            k.rank,
            k.lower,
            k.upper,
            crate::numbers::percent(k.top_fifth, 0)
        )
    });
    format!(
        "{} ({}): {} (95% interval {} to {}){rank}",
        r.row.area_name,
        r.row.area_code,
        thousands(r.value.value, decimals),
        thousands(r.value.lower, decimals),
        thousands(r.value.upper, decimals)
    )
}

/// The chart in words: the range, the median and where the highlighted area ranks.
fn summary(ranked: &[Ranked], median: Option<f64>, spec: &ChartSpec) -> String {
    let (Some(first), Some(last), Some(median)) = (ranked.first(), ranked.last(), median) else {
        return "No area has a value.".to_string();
    };
    let decimals = ticks(first.value.upper).1;
    let mut s = format!(
        "{} areas ranked by {}: highest {}, lowest {}; median {}.",
        ranked.len(),
        axis_label(spec.figure).to_lowercase(),
        tooltip(first, decimals),
        tooltip(last, decimals),
        thousands(median, decimals)
    );
    let position = ranked
        .iter()
        .position(|r| spec.highlight.as_deref() == Some(r.row.area_code.as_str()));
    if let Some(i) = position {
        let _ = write!(
            s,
            " Highlighted: {}, {} of {}.",
            tooltip(&ranked[i], decimals),
            i + 1,
            ranked.len()
        );
    }
    s
}

/// The axis title.
fn axis_label(figure: Figure) -> String {
    format!("{} ({})", figure.label(), Figure::unit(Scale::Rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[30.0, 10.0, 10.0]), Some(10.0));
        assert_eq!(median(&[5.0, 1.0]), Some(3.0));
        assert_eq!(median(&[]), None);
    }
}

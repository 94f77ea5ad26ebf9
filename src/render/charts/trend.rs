//! A series over time in the Fingertips style: a dot for each period's
//! figure and a line for its 95% interval, the dots joined, on a time axis
//! (periods placed by date, so uneven gaps show as gaps). Whether the
//! series is observed or modelled is said in the key and the summary.

use super::xy::Xy;
use super::{ChartSpec, LABEL, MARGIN, colours, key_words, line, page};
use crate::analysis::trend::{Basis, Point, Series};
use crate::numbers::thousands;
use crate::render::svg::escape;
use std::fmt::Write;

const DOT: f64 = 4.0;
/// The longest gap between periods the line joins: a year and a little.
const MAX_JOIN_DAYS: f64 = 400.0;
const INTERVAL_WIDTH: f64 = 1.6;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The chart of `points` (the series' points that may be published).
pub fn trend_svg(series: &Series, points: &[Point], spec: &ChartSpec) -> String {
    let summary = summary(series, points);
    page(spec, &summary, |out, top| draw(out, top, series, points))
}

fn draw(out: &mut String, top: f64, series: &Series, points: &[Point]) -> f64 {
    let key_y = top + 14.0;
    key(out, key_y, series);
    let days = |p: &Point| p.date.days() as f64;
    let (first, last) = match (points.first(), points.last()) {
        (Some(f), Some(l)) => (days(f), days(l)),
        _ => (0.0, 1.0),
    };
    // A margin of 3% of the span either side keeps end dots off the edges.
    let pad = ((last - first) * 0.03).max(15.0);
    let y_max = points.iter().map(|p| p.upper).fold(0.0, f64::max);
    let plot = Xy::new(key_y + 52.0, (first - pad, last + pad), y_max);
    let y_title = match series.measure {
        "caseload" => "People on probation".to_string(),
        _ => format!("People with {}", series.condition.replace('_', " ")),
    };
    plot.draw(out, &y_title, &x_ticks(points));
    let colour = colours().middle;
    // Consecutive periods are joined; across a gap of more than a year the
    // line would claim figures nobody has, so it breaks.
    let mut segment: Vec<(f64, f64)> = Vec::new();
    for p in points {
        if segment
            .last()
            .is_some_and(|(x, _)| days(p) - x > MAX_JOIN_DAYS)
        {
            plot.path(out, &segment, &colour.to_string(), None);
            segment.clear();
        }
        segment.push((days(p), p.value));
    }
    plot.path(out, &segment, &colour.to_string(), None);
    for p in points {
        let x = plot.x(days(p));
        let _ = writeln!(out, "<g><title>{}</title>", escape(&describe(p)));
        line(
            out,
            (x, plot.y(p.lower)),
            (x, plot.y(p.upper)),
            colour,
            INTERVAL_WIDTH,
        );
        let _ = writeln!(
            out,
            r#"<circle cx="{x}" cy="{}" r="{DOT}" fill="{}"/></g>"#,
            plot.y(p.value),
            colours().dark
        );
    }
    plot.bottom() + 24.0
}

/// Ticks at each year for a long series (every 1, 2, 5 or 10 years), or
/// at each point's month for one of three years or less.
fn x_ticks(points: &[Point]) -> Vec<(f64, String)> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    let years = last.date.year - first.date.year;
    if years <= 3 {
        return points
            .iter()
            .map(|p| {
                let label = format!("{} {}", MONTHS[p.date.month as usize - 1], p.date.year);
                (p.date.days() as f64, label)
            })
            .collect();
    }
    let step = [1, 2, 5, 10]
        .into_iter()
        .find(|s| years / s <= 8)
        .unwrap_or(10);
    (first.date.year + 1..=last.date.year)
        .filter(|y| y % step == 0)
        .map(|year| {
            let jan = crate::caseload::observed::Date {
                year,
                month: 1,
                day: 1,
            };
            (jan.days() as f64, year.to_string())
        })
        .collect()
}

/// The marks and the basis of the series, on one line above the plot.
fn key(out: &mut String, y: f64, series: &Series) {
    let c = colours();
    let mid = y - LABEL.size * 0.36;
    let _ = writeln!(
        out,
        r#"<circle cx="{}" cy="{mid}" r="{DOT}" fill="{}"/>"#,
        MARGIN + DOT,
        c.dark
    );
    let words = match series.basis {
        Basis::Observed => "Observed count",
        Basis::Modelled => "Modelled estimate",
    };
    let x = key_words(out, MARGIN + 2.0 * DOT + 6.0, y, words);
    line(
        out,
        (x, mid - 7.0),
        (x, mid + 7.0),
        c.middle,
        INTERVAL_WIDTH,
    );
    key_words(
        out,
        x + 8.0,
        y,
        &format!("95% interval: {}", series.interval),
    );
}

fn describe(p: &Point) -> String {
    format!(
        "{}: {} (95% interval {} to {})",
        p.date,
        thousands(p.value, 0),
        thousands(p.lower, 0),
        thousands(p.upper, 0)
    )
}

/// The chart in words: what the series is, its first and last points and
/// the recent trend.
fn summary(series: &Series, points: &[Point]) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return "No period can be published.".to_string();
    };
    let basis = match series.basis {
        Basis::Observed => "Observed counts".to_string(),
        Basis::Modelled => {
            "Modelled: the national series spread by fixed shares, so it shows only the national trend"
                .to_string()
        }
    };
    let trend = series
        .recent_trend
        .map_or(String::new(), |t| format!(" Recent trend: {}.", t.words()));
    format!(
        "{basis}. {} periods, from {} to {}.{trend}",
        points.len(),
        describe(first),
        describe(last)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::caseload::observed::Date;

    fn at(date: &str) -> Point {
        Point {
            date: Date::parse(date).unwrap(),
            value: 1.0,
            lower: 1.0,
            upper: 1.0,
        }
    }

    #[test]
    fn long_series_are_labelled_by_round_years_and_short_ones_by_month() {
        let long = [at("1996-12-31"), at("2025-06-30")];
        let labels: Vec<String> = x_ticks(&long).into_iter().map(|(_, l)| l).collect();
        // 29 years: steps of 5 give six labels, the first after 1996.
        assert_eq!(labels, ["2000", "2005", "2010", "2015", "2020", "2025"]);
        let short = [at("2023-07-31"), at("2024-06-30")];
        let labels: Vec<String> = x_ticks(&short).into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["Jul 2023", "Jun 2024"]);
    }
}

//! England's provision by service category, in the style of the 2017
//! survey's tables (Sirdifield et al. 2019): for each category, the share of
//! areas with a probation-specific service and with a probation element
//! (each area counted once, at its best), as stacked bars, with the survey's
//! figure for the same kind of service beneath where it has one.

use super::{
    AreaProvision, CATEGORY_LABELS, ChartSpec, GRID, LABEL, MARGIN, RIGHT, centred, centred_letter,
    colours, key_words, lettered, line, page, rect, ticks,
};
use crate::numbers::percent;
use crate::palette::Rgb;
use crate::render::style::{self, BODY, NOTE};
use crate::render::text::{Anchor, Style};
use crate::services::survey::Survey;
use crate::services::{CATEGORIES, Status};
use std::fmt::Write;

/// One category's provision, as percentages of the areas.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryShare {
    pub category: &'static str,
    /// Areas whose best provision is a probation-specific service.
    pub specific: f64,
    /// Areas whose best provision is a probation element.
    pub element: f64,
}

/// Per category (in `services::CATEGORIES` order), the percentage of areas
/// with each kind of provision; 0 for no areas.
pub fn category_shares(rows: &[AreaProvision]) -> Vec<CategoryShare> {
    let percent = |c: usize, status: Status| {
        let n = rows.iter().filter(|r| r.status[c] == status).count();
        if rows.is_empty() {
            0.0
        } else {
            100.0 * n as f64 / rows.len() as f64
        }
    };
    CATEGORIES
        .iter()
        .enumerate()
        .map(|(c, &category)| CategoryShare {
            category,
            specific: percent(c, Status::ProbationSpecific),
            element: percent(c, Status::ProbationElement),
        })
        .collect()
}

/// Each category's block: the bar, the survey's bar beneath, and space.
const BLOCK: f64 = 44.0;
const BAR: f64 = 18.0;
const SURVEY_BAR: f64 = 7.0;
const LABEL_WIDTH: f64 = 210.0;
/// Room right of a full bar for its numbers.
const VALUES_WIDTH: f64 = 176.0;

/// The bar chart as SVG. `rows` are one level's areas.
pub fn provision_by_category_svg(
    rows: &[AreaProvision],
    survey: &Survey,
    spec: &ChartSpec,
) -> String {
    let shares = category_shares(rows);
    let summary = summary(&shares, rows.len(), survey);
    page(spec, &summary, |out, top| draw(out, top, &shares, survey))
}

/// Percentages across the page: 0 at `left`, 100 at `right`.
struct Scale {
    left: f64,
    right: f64,
}

impl Scale {
    fn x(&self, percent: f64) -> f64 {
        self.left + (self.right - self.left) * percent / 100.0
    }
}

fn draw(out: &mut String, top: f64, shares: &[CategoryShare], survey: &Survey) -> f64 {
    let scale = Scale {
        left: MARGIN + LABEL_WIDTH + 12.0,
        right: RIGHT - VALUES_WIDTH,
    };
    let key_y = top + 14.0;
    key(out, key_y, &survey.label);
    let heading = "Share of areas (%)";
    style::HEADING.write(out, scale.left, key_y + 36.0, Anchor::Start, heading);
    let plot_top = key_y + 62.0;
    let plot_bottom = plot_top + BLOCK * shares.len() as f64;
    for t in ticks(100.0).0 {
        let x = scale.x(t);
        line(out, (x, plot_top), (x, plot_bottom), GRID, 0.6);
        centred(out, LABEL, x, plot_top - 6.0, &t.to_string());
        centred(out, LABEL, x, plot_bottom + 15.0, &t.to_string());
    }
    for (i, (share, label)) in shares.iter().zip(CATEGORY_LABELS).enumerate() {
        let y = plot_top + BLOCK * i as f64 + 6.0;
        category_label(out, y + BAR / 2.0, label);
        bars(out, &scale, y, share);
        survey_bar(out, &scale, y + BAR + 3.0, survey, share.category);
    }
    plot_bottom + 15.0
}

/// A category's stacked bar from `y`, with its numbers after it.
fn bars(out: &mut String, scale: &Scale, y: f64, share: &CategoryShare) {
    let colours = colours();
    let end = share.specific + share.element;
    let (start, specific) = (scale.x(0.0), scale.x(share.specific));
    segment(out, (start, specific), y, colours.dark, "S");
    segment(out, (specific, scale.x(end)), y, colours.light, "E");
    let values = format!(
        "{} (S {}, E {})",
        percent(end / 100.0, 1),
        percent(share.specific / 100.0, 1),
        percent(share.element / 100.0, 1)
    );
    let baseline = y + BAR / 2.0 + LABEL.size * 0.36;
    on_white(out, LABEL, (scale.x(end) + 6.0, baseline), &values);
}

/// The survey's figure for a category, as a thin bar from `y` and its
/// number, or a note that the survey did not ask.
fn survey_bar(out: &mut String, scale: &Scale, y: f64, survey: &Survey, category: &str) {
    let baseline = y + SURVEY_BAR / 2.0 + NOTE.size * 0.36;
    match survey.percent.get(category) {
        Some(&p) => {
            let width = scale.x(p) - scale.x(0.0);
            rect(out, (scale.x(0.0), y), (width, SURVEY_BAR), style::EDGE);
            let text = format!("{}: {}", survey.short, percent(p / 100.0, 1));
            on_white(out, NOTE, (scale.x(p) + 6.0, baseline), &text);
        }
        None => {
            let text = format!("not in the {}", survey.short);
            on_white(out, NOTE, (scale.x(0.0) + 2.0, baseline), &text);
        }
    }
}

/// A stacked segment from x0 to x1, lettered when there is room for it.
fn segment(out: &mut String, (x0, x1): (f64, f64), y: f64, fill: Rgb, letter: &str) {
    let width = x1 - x0;
    if width <= 0.0 {
        return;
    }
    rect(out, (x0, y), (width, BAR), fill);
    if width >= BAR {
        centred_letter(
            out,
            ((x0 + x1) / 2.0, y + BAR / 2.0),
            LABEL.size,
            fill,
            letter,
        );
    }
}

/// Text on a white ground, so gridlines do not run through it.
fn on_white(out: &mut String, style: Style, (x, y): (f64, f64), s: &str) {
    // From the top of the capitals to the foot of the descenders, no more,
    // so the ground never covers the bar above.
    let ground = (x - 2.0, y - style.size * 0.8);
    let size = (style.width(s) + 4.0, style.size * 1.05);
    rect(out, ground, size, style::BACKGROUND);
    style.write(out, x, y, Anchor::Start, s);
}

/// A category's name left of its bar, on two lines if it needs them.
fn category_label(out: &mut String, middle: f64, label: &str) {
    let lines = BODY.wrap(label, LABEL_WIDTH);
    let leading = BODY.size * 1.2;
    let first = middle + BODY.size * 0.36 - leading * (lines.len() as f64 - 1.0) / 2.0;
    for (i, l) in lines.iter().enumerate() {
        BODY.write(out, MARGIN, first + leading * i as f64, Anchor::Start, l);
    }
}

/// The bars' colours and letters and the survey's bar, on one line.
fn key(out: &mut String, y: f64, survey: &str) {
    let colours = colours();
    let size = 13.0;
    let mut x = MARGIN;
    for (fill, letter, words) in [
        (colours.dark, "S", "Probation-specific service"),
        (
            colours.light,
            "E",
            "Probation element in a mainstream service",
        ),
    ] {
        lettered(out, (x, y - size + 2.0), size, fill, letter);
        x = key_words(out, x + size + 6.0, y, words);
    }
    rect(out, (x, y - 7.0), (24.0, SURVEY_BAR), style::EDGE);
    key_words(out, x + 30.0, y, survey);
}

/// The chart in words: each category's shares and the survey's figure.
fn summary(shares: &[CategoryShare], areas: usize, survey: &Survey) -> String {
    let categories: Vec<String> = shares
        .iter()
        .zip(CATEGORY_LABELS)
        .map(|(s, label)| {
            let mut text = format!(
                "{label} {} (specific {}, element {}",
                percent((s.specific + s.element) / 100.0, 1),
                percent(s.specific / 100.0, 1),
                percent(s.element / 100.0, 1)
            );
            if let Some(&p) = survey.percent.get(s.category) {
                let _ = write!(text, "; {}: {}", survey.short, percent(p / 100.0, 1));
            }
            text.push(')');
            text
        })
        .collect();
    format!(
        "Share of the {areas} areas with provision in each category: {}.",
        categories.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(code: &str, recorded: &[(usize, Status)]) -> AreaProvision {
        let mut status = [Status::NoneRecorded; CATEGORIES.len()];
        for &(c, s) in recorded {
            status[c] = s;
        }
        AreaProvision {
            code: code.into(),
            name: code.into(),
            status,
        }
    }

    #[test]
    fn shares_count_each_area_once_at_its_best() {
        let rows = [
            area(
                "E1",
                &[
                    (0, Status::ProbationSpecific),
                    (5, Status::ProbationElement),
                ],
            ),
            area("E2", &[(0, Status::ProbationElement)]),
            area("E3", &[(0, Status::ProbationElement)]),
            area("E4", &[]),
        ];
        let shares = category_shares(&rows);
        assert_eq!((shares[0].specific, shares[0].element), (25.0, 50.0));
        assert_eq!((shares[5].specific, shares[5].element), (0.0, 25.0));
        assert_eq!((shares[1].specific, shares[1].element), (0.0, 0.0));
        assert_eq!(category_shares(&[])[0].specific, 0.0);
    }
}

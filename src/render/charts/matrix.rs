//! Provision by area and service category: one row per area (alphabetical),
//! one column per category of the 2017 survey, each cell marked with what
//! the services inventory records there. Cells carry a letter as well as a
//! colour, so colour never carries the meaning alone.

use super::{
    CATEGORY_LABELS, ChartSpec, LABEL, LABEL_BOLD, MARGIN, RIGHT, centred, colours, key_words,
    lettered, name_column, page, row_ground,
};
use crate::geography::Area;
use crate::palette::Rgb;
use crate::prevalence::Domain;
use crate::render::style::{self, NOTE};
use crate::render::svg::escape;
use crate::render::text::Anchor;
use crate::services::{CATEGORIES, Provision, Service, Status};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The best provision recorded for an area in each category.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaProvision {
    pub code: String,
    pub name: String,
    /// One status per `services::CATEGORIES`, in that order.
    pub status: [Status; CATEGORIES.len()],
}

/// Each area's best provision per category, from the services that serve
/// any part of it (the ids in `provision`, which is keyed by domain).
pub fn provision_by_area(
    areas: &[Area],
    services: &[Service],
    provision: &BTreeMap<(String, Domain), Provision>,
) -> Vec<AreaProvision> {
    let by_id: BTreeMap<&str, &Service> = services.iter().map(|s| (s.id.as_str(), s)).collect();
    areas
        .iter()
        .map(|area| {
            let mut status = [Status::NoneRecorded; CATEGORIES.len()];
            for (_, domain) in Domain::NAMES {
                let Some(p) = provision.get(&(area.code.clone(), domain)) else {
                    continue;
                };
                for service in p.services.iter().filter_map(|id| by_id.get(id.as_str())) {
                    if let Some(c) = CATEGORIES.iter().position(|&c| c == service.category) {
                        status[c] = status[c].max(status_of(service));
                    }
                }
            }
            AreaProvision {
                code: area.code.clone(),
                name: area.name.clone(),
                status,
            }
        })
        .collect()
}

fn status_of(service: &Service) -> Status {
    if service.specific {
        Status::ProbationSpecific
    } else {
        Status::ProbationElement
    }
}

/// 15 units a row: a 13-unit cell with a 9.4-unit letter (15 px in the PNG).
const ROW: f64 = 15.0;
const CELL: f64 = 13.0;
/// Columns are this wide where the page allows, narrower beside long names.
const MAX_COLUMN: f64 = 52.0;
const MAX_NAME_WIDTH: f64 = 380.0;
/// Blank cells' outline: visible on white and on the row stripes.
const BLANK_EDGE: Rgb = Rgb(0xbf, 0xbf, 0xbf);

/// The legend's words for each status, in the order shown.
const KEY: [(Status, &str); 3] = [
    (Status::ProbationSpecific, "Probation-specific service"),
    (
        Status::ProbationElement,
        "Probation element in a mainstream service",
    ),
    (Status::NoneRecorded, "None recorded"),
];

/// The matrix as SVG; areas are drawn in name order whatever the input order.
pub fn provision_matrix_svg(rows: &[AreaProvision], spec: &ChartSpec) -> String {
    let mut sorted: Vec<&AreaProvision> = rows.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    let summary = summary(&sorted, spec);
    page(spec, &summary, |out, top| draw(out, top, &sorted, spec))
}

/// Where the names and cells go on the page.
struct Grid {
    /// Names are right-aligned at `name_end`, set smaller beyond `name_width`.
    name_end: f64,
    name_width: f64,
    left: f64,
    column: f64,
    top: f64,
}

impl Grid {
    /// Columns as wide as the page allows once the names and the last
    /// column's slanted label have their room.
    fn new(rows: &[&AreaProvision], top: f64) -> Grid {
        let widest = rows.iter().map(|r| LABEL_BOLD.width(&r.name));
        let name_width = name_column(widest, MAX_NAME_WIDTH);
        let name_end = MARGIN + name_width;
        let left = name_end + 10.0;
        let last = slant(CATEGORY_LABELS[CATEGORIES.len() - 1]);
        let n = CATEGORIES.len() as f64;
        Grid {
            name_end,
            name_width,
            left,
            column: ((RIGHT - last - left) / (n - 0.5)).min(MAX_COLUMN),
            top,
        }
    }

    fn centre(&self, c: usize) -> f64 {
        self.left + self.column * (c as f64 + 0.5)
    }

    fn right(&self) -> f64 {
        self.left + self.column * CATEGORIES.len() as f64
    }

    fn row_top(&self, i: usize) -> f64 {
        self.top + ROW * i as f64
    }
}

/// Labels run at 45° from their column's centre, so their width and height
/// on the page are the text's width × cos 45°.
fn slant(label: &str) -> f64 {
    LABEL.width(label) * std::f64::consts::FRAC_1_SQRT_2
}

fn draw(out: &mut String, top: f64, rows: &[&AreaProvision], spec: &ChartSpec) -> f64 {
    let key_y = top + 14.0;
    key(out, key_y);
    let note = "A letter means the inventory records a service serving all or part of the area.";
    NOTE.write(out, MARGIN, key_y + 22.0, Anchor::Start, note);
    let header_height = CATEGORY_LABELS.iter().map(|l| slant(l)).fold(0.0, f64::max);
    let grid = Grid::new(rows, key_y + 40.0 + header_height);
    labels(out, &grid, grid.top - 5.0, -45.0);
    for (i, row) in rows.iter().enumerate() {
        let highlighted = spec.highlight.as_deref() == Some(row.code.as_str());
        area(out, &grid, (i, row), highlighted);
    }
    let totals_y = grid.row_top(rows.len()) + 16.0;
    totals(out, &grid, rows, totals_y);
    // The labels again below, so the columns can be read at the foot of a tall chart.
    labels(out, &grid, totals_y + 10.0, 45.0);
    totals_y + 10.0 + header_height
}

/// The category labels at 45° (negative: rising) from `y`.
fn labels(out: &mut String, grid: &Grid, y: f64, degrees: f64) {
    for (c, label) in CATEGORY_LABELS.iter().enumerate() {
        let _ = write!(
            out,
            r#"<g transform="translate({} {y}) rotate({degrees})">"#,
            grid.centre(c)
        );
        LABEL.write(out, 0.0, LABEL.size * 0.36, Anchor::Start, label);
        out.push_str("</g>\n");
    }
}

/// One area's name and cells; the cells in a group titled for hover.
fn area(out: &mut String, grid: &Grid, (i, row): (usize, &AreaProvision), highlighted: bool) {
    let y = grid.row_top(i);
    row_ground(
        out,
        i,
        (MARGIN, y),
        (grid.right() - MARGIN, ROW),
        highlighted,
    );
    let name_style = if highlighted { LABEL_BOLD } else { LABEL };
    let baseline = y + ROW / 2.0 + LABEL.size * 0.36;
    name_style.fitted(&row.name, grid.name_width).write(
        out,
        grid.name_end,
        baseline,
        Anchor::End,
        &row.name,
    );
    let _ = writeln!(
        out,
        "<g><title>{} ({}): {}</title>",
        escape(&row.name),
        escape(&row.code),
        recorded(row)
    );
    for (c, &status) in row.status.iter().enumerate() {
        cell(
            out,
            (grid.centre(c) - CELL / 2.0, y + (ROW - CELL) / 2.0),
            status,
        );
    }
    out.push_str("</g>\n");
}

/// Under each column, how many areas have any provision in it.
fn totals(out: &mut String, grid: &Grid, rows: &[&AreaProvision], y: f64) {
    NOTE.write(out, grid.name_end, y, Anchor::End, "Areas with a service");
    for c in 0..CATEGORIES.len() {
        let n = rows
            .iter()
            .filter(|r| r.status[c] != Status::NoneRecorded)
            .count();
        centred(out, LABEL_BOLD, grid.centre(c), y, &n.to_string());
    }
}

/// A cell: the status's colour and letter, or a blank outlined square.
fn cell(out: &mut String, at: (f64, f64), status: Status) {
    let colours = colours();
    match status {
        Status::ProbationSpecific => lettered(out, at, CELL, colours.dark, "S"),
        Status::ProbationElement => lettered(out, at, CELL, colours.light, "E"),
        Status::NoneRecorded => {
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{CELL}" height="{CELL}" fill="{}" stroke="{BLANK_EDGE}" stroke-width="0.6"/>"#,
                at.0,
                at.1,
                style::BACKGROUND
            );
        }
    }
}

/// The statuses' squares and words on one line.
fn key(out: &mut String, y: f64) {
    let mut x = MARGIN;
    for (status, words) in KEY {
        cell(out, (x, y - CELL + 2.0), status);
        x = key_words(out, x + CELL + 6.0, y, words);
    }
}

/// An area's recorded provision in words, for its tooltip and the summary.
fn recorded(row: &AreaProvision) -> String {
    let recorded: Vec<String> = CATEGORY_LABELS
        .iter()
        .zip(row.status)
        .filter(|(_, s)| *s != Status::NoneRecorded)
        .map(|(label, s)| format!("{label} ({})", s.as_str().replace('_', " ")))
        .collect();
    if recorded.is_empty() {
        "none recorded".to_string()
    } else {
        recorded.join(", ")
    }
}

/// The matrix in words: per category, how many areas have each status.
fn summary(rows: &[&AreaProvision], spec: &ChartSpec) -> String {
    let count = |c: usize, s: Status| rows.iter().filter(|r| r.status[c] == s).count();
    let columns: Vec<String> = CATEGORY_LABELS
        .iter()
        .enumerate()
        .map(|(c, label)| {
            format!(
                "{label}: {} specific, {} element",
                count(c, Status::ProbationSpecific),
                count(c, Status::ProbationElement)
            )
        })
        .collect();
    let mut s = format!(
        "{} areas by {} service categories; areas with each kind of provision: {}.",
        rows.len(),
        CATEGORIES.len(),
        columns.join("; ")
    );
    if let Some(row) = rows
        .iter()
        .find(|r| spec.highlight.as_deref() == Some(r.code.as_str()))
    {
        let _ = write!(s, " Highlighted: {}: {}.", row.name, recorded(row));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(id: &str, category: &str, domain: Domain, specific: bool) -> Service {
        Service {
            id: id.into(),
            name: id.into(),
            category: category.into(),
            domain,
            provider_type: "probation".into(),
            provider: String::new(),
            specific,
            area_level: crate::services::ServedLevel::Country,
            area_codes: vec!["E92000001".into()],
            capacity: None,
            capacity_unit: String::new(),
            period: String::new(),
            source: String::new(),
            verified: String::new(),
            notes: String::new(),
        }
    }

    #[test]
    fn the_best_status_per_category_wins() {
        let services = [
            service("A", "substance_misuse", Domain::SubstanceMisuse, false),
            service("B", "substance_misuse", Domain::SubstanceMisuse, true),
            service("C", "diversion", Domain::MentalHealth, false),
        ];
        let provision = BTreeMap::from([
            (
                ("E1".to_string(), Domain::SubstanceMisuse),
                Provision {
                    status: Status::ProbationSpecific,
                    coverage: 1.0,
                    services: vec!["A".into(), "B".into()],
                    capacity: None,
                },
            ),
            (
                ("E1".to_string(), Domain::MentalHealth),
                Provision {
                    status: Status::ProbationElement,
                    coverage: 0.5,
                    services: vec!["C".into()],
                    capacity: None,
                },
            ),
        ]);
        let areas = [Area {
            code: "E1".into(),
            name: "Kent".into(),
        }];
        let rows = provision_by_area(&areas, &services, &provision);
        let at = |c: &str| rows[0].status[CATEGORIES.iter().position(|&x| x == c).unwrap()];
        assert_eq!(at("substance_misuse"), Status::ProbationSpecific);
        assert_eq!(at("diversion"), Status::ProbationElement);
        assert_eq!(at("talking_therapies"), Status::NoneRecorded);
    }
}

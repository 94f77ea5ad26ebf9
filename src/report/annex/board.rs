//! One Health and Wellbeing Board's annex: its map among its neighbours,
//! caseload and how it was estimated, need, provision and unmet need,
//! comparisons, the sub-ICB locations that overlap it, findings in plain
//! English, recommended actions, and the shared closing sections.

use super::findings::{self, row};
use super::index::status_words;
use super::{AnnexInputs, LEAD_CONDITION, Published, Shared, common};
use crate::gap::{Figure, GapRow, Scale};
use crate::geography::Level;
use crate::geography::boundaries::BoundaryLayer;
use crate::numbers::{percent, thousands};
use crate::output;
use crate::prevalence::Domain;
use crate::render::{self, MapSpec};
use crate::report::document::{Block, Cell, Document, Table};
use crate::report::similar::similar_areas;
use crate::services::CATEGORIES;
use crate::uncertainty::summary::Difference;
use geo::{BoundingRect, Intersects, Rect};
use std::collections::BTreeSet;

/// How far around a Board its map reaches, as a share of the Board's size
/// (at least 25 km), so that its neighbours show.
const NEIGHBOURHOOD: f64 = 0.6;
const MIN_MARGIN_METRES: f64 = 25_000.0;

pub struct Board<'a> {
    pub inputs: &'a AnnexInputs<'a>,
    pub layer: &'a BoundaryLayer,
    pub code: &'a str,
    pub rows: &'a [&'a GapRow],
    pub published: &'a Published,
    pub boards: usize,
    pub shared: &'a Shared,
}

impl Board<'_> {
    /// The annex as HTML and Markdown, and the Board's rows of gap.csv.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let document = self.document();
        let owned: Vec<GapRow> = self.rows.iter().map(|r| (*r).clone()).collect();
        let csv = output::gap_frame(
            &owned,
            &self.inputs.loaded.prevalence,
            self.inputs.spec.caseload.proxy.as_str(),
        )
        .and_then(|mut frame| output::csv_bytes(&mut frame))
        .unwrap_or_default();
        vec![
            (
                format!("annex/{}.html", self.code),
                document.to_html().into_bytes(),
            ),
            (
                format!("annex/{}.md", self.code),
                document.to_markdown().into_bytes(),
            ),
            (format!("annex/{}.csv", self.code), csv),
        ]
    }

    fn name(&self) -> &str {
        &self.rows[0].area_name
    }

    fn document(&self) -> Document {
        let name = self.name();
        let mut blocks = vec![
            Block::Links(vec![(
                "England overview and all Boards".into(),
                "index.html".into(),
            )]),
            Block::Heading(1, format!("Health needs of people on probation in {name}")),
            Block::Paragraph(format!(
                "Joint Strategic Needs Assessment annex for {name} ({}), a Health and Wellbeing Board area (upper-tier local authority). All figures are estimates; read Methods and Caveats before using them.",
                self.code
            )),
            Block::Heading(2, "Key findings".into()),
            Block::List(self.findings()),
        ];
        if let Some(svg) = self.map() {
            blocks.push(Block::Figure {
                svg,
                alt: self.map_alt(),
                caption: format!(
                    "{} ({}) for {} among people on probation: {name} (outlined) and neighbouring areas",
                    self.shared.figure.label(),
                    Figure::unit(self.inputs.spec.maps.scale),
                    self.shared.lead_label.to_lowercase()
                ),
            });
        }
        blocks.extend([
            Block::Heading(2, "How many people on probation live here".into()),
            Block::Paragraph(self.caseload_text()),
            Block::Heading(2, "Health needs and unmet need".into()),
            Block::Table(self.need_table()),
            Block::Heading(2, "What is commissioned".into()),
            Block::Table(self.domain_table()),
            Block::Table(self.category_table()),
            Block::Heading(2, "Comparison with England and similar areas".into()),
            Block::Table(self.comparison_table()),
        ]);
        blocks.extend(super::what_if::blocks(
            self.inputs.what_if,
            self.code,
            self.rows,
            &self.inputs.loaded.prevalence,
            self.published,
        ));
        if let Some(table) = self.sicbl_table() {
            blocks.push(Block::Heading(
                2,
                "Sub-ICB locations that overlap this Board".into(),
            ));
            blocks.push(Block::Paragraph("NHS commissioning sits with the sub-ICB locations (formerly CCGs) and their Integrated Care Boards. These are the ones whose population overlaps this Board, with the share of the Board's caseload living in each.".into()));
            blocks.push(Block::Table(table));
        }
        blocks.push(Block::Heading(2, "What to do".into()));
        blocks.push(Block::List(findings::actions(self.rows, name)));
        blocks.extend(common::closing_blocks(self.inputs));
        Document {
            title: format!("Health needs of people on probation: {name}"),
            blocks,
        }
    }

    /// Findings written from this Board's own rows, after suppression.
    fn findings(&self) -> Vec<String> {
        let name = self.name();
        let p = self.published;
        let services = &self.inputs.loaded.services;
        let finding = |condition: &str| {
            self.inputs
                .loaded
                .access
                .iter()
                .find(|a| a.condition == condition)
                .map_or(String::new(), |a| a.finding.to_lowercase())
        };
        let mut out = Vec::new();
        if let Some(r) = row(self.rows, LEAD_CONDITION) {
            out.push(format!(
                "{} {}",
                findings::need_sentence(p, name, r, "have a current mental illness"),
                findings::provision_sentence(name, "mental health", r, services)
            ));
            out.extend(findings::unmet_sentence(
                p,
                r,
                &finding(LEAD_CONDITION),
                self.england_rate(LEAD_CONDITION),
            ));
        }
        if let Some(r) = row(self.rows, "substance_misuse") {
            out.push(format!(
                "{} {}",
                findings::need_sentence(
                    p,
                    name,
                    r,
                    "have a substance misuse problem (alcohol and/or drugs)"
                ),
                findings::provision_sentence(name, "substance misuse", r, services)
            ));
        }
        if let Some(r) = row(self.rows, "personality_disorder") {
            let mut sentence = findings::need_sentence(p, name, r, "have a personality disorder");
            if let Some(unmet) =
                findings::unmet_sentence(p, r, "", self.england_rate("personality_disorder"))
            {
                sentence = format!("{sentence} {unmet}");
            }
            out.push(sentence);
        }
        if let Some(r) = row(self.rows, "psychosis")
            && let Some(g) = r.general_population
        {
            out.push(format!(
                "Psychotic illness is about {} times as common among people on probation as in the general population (95% interval {} to {} times).",
                thousands(g.ratio, 0),
                thousands(g.ratio_lower, 0),
                thousands(g.ratio_upper, 0)
            ));
        }
        if let Some(r) = row(self.rows, LEAD_CONDITION)
            && let Some(rank) = r.rank
        {
            out.push(format!(
                "{name} ranks {} of {} Health and Wellbeing Board areas for {} for current mental illness per 100,000 adults among people on probation (95% interval of the rank: {} to {}); it is in the top fifth in {} of the simulations{}.",
                rank.rank,
                self.boards,
                self.shared.figure.label().to_lowercase(),
                rank.lower,
                rank.upper,
                percent(rank.top_fifth, 0),
                if rank.upper - rank.lower > self.boards / 3 {
                    ", so its place in the ranking is uncertain"
                } else {
                    ""
                }
            ));
        }
        out
    }

    /// England's published figure for a condition, per 100,000 adults.
    fn england_rate(&self, condition: &str) -> Option<f64> {
        let england = self.inputs.analysis.simulation.england(condition)?;
        let figure = england.unmet.unwrap_or(england.need);
        Some(figure.value * 100_000.0 / england.adults)
    }

    fn caseload_text(&self) -> String {
        let r = self.rows[0];
        let c = r.facts.caseload;
        let spec = self.inputs.spec;
        let placement = &self.inputs.analysis.placement;
        format!(
            "An estimated {} people under probation supervision live in {} (95% interval {} to {}: the interval allows for the choice of caseload proxy and the model's own error), {} of England's estimated caseload of {}. Caseload by area is not published: the total given ({} people) is spread over districts in proportion to the {}, and within districts by adult population. England's share of an England and Wales total is {}. {} adults live here, so about {} in every 100,000 adults are on probation.",
            self.published.count(c.value),
            self.name(),
            self.published.count(c.lower),
            self.published.count(c.upper),
            percent(c.value / placement.placed, 1),
            self.published.count(placement.placed),
            self.published.count(placement.input_total),
            spec.caseload.proxy.describe(),
            thousands(placement.england_share, 4),
            thousands(r.facts.adults, 0),
            thousands(100_000.0 * c.value / r.facts.adults, 0)
        )
    }

    fn need_table(&self) -> Table {
        let p = self.published;
        let rows = self
            .inputs
            .loaded
            .prevalence
            .iter()
            .filter_map(|prevalence| {
                let r = row(self.rows, &prevalence.condition)?;
                let (unmet, unmet_rate) = match (r.unmet, r.unmet_rate) {
                    (Some(u), Some(rate)) => (p.count_cell(&u), p.rate_cell(&rate, u.value)),
                    _ => (Cell::text("not assessed"), Cell::text("")),
                };
                let expected = r
                    .general_population
                    .map_or(Cell::text("no verified comparator"), |g| {
                        Cell::number(p.count(g.expected), g.expected)
                    });
                let against = r.against_england.map_or("", |[at_95, _]| at_95.as_str());
                Some(vec![
                    Cell::text(prevalence.label.clone()),
                    p.prevalence_cell(prevalence),
                    p.rate_cell(&r.need_rate, r.need.value),
                    p.count_cell(&r.need),
                    unmet_rate,
                    unmet,
                    Cell::text(against),
                    expected,
                    Cell::text(r.basis.as_str().replace('_', " ")),
                ])
            })
            .collect();
        Table {
            caption: format!(
                "People on probation in {} with each condition (95% intervals)",
                self.name()
            ),
            headers: vec![
                "Condition".into(),
                "Prevalence, evidence grade".into(),
                "Need per 100,000 adults".into(),
                "People with the condition".into(),
                "Unmet need per 100,000 adults".into(),
                "Unmet need (people)".into(),
                "Published figure against England".into(),
                "Expected at general-population prevalence".into(),
                "How unmet need was found".into(),
            ],
            rows,
            sortable: false,
        }
    }

    fn domain_table(&self) -> Table {
        let services = &self.inputs.loaded.services;
        let mut seen = BTreeSet::new();
        let rows = self
            .rows
            .iter()
            .filter(|r| seen.insert(r.domain))
            .map(|r| {
                vec![
                    Cell::text(domain_words(r.domain)),
                    Cell::text(status_words(r.provision.status)),
                    Cell::number(percent(r.provision.coverage, 1), r.provision.coverage),
                    Cell::text(
                        match findings::service_names(&r.provision.services, services) {
                            names if names.is_empty() => "none recorded".to_string(),
                            names => names,
                        },
                    ),
                ]
            })
            .collect();
        Table {
            caption: format!(
                "Provision for people on probation in {}, by domain",
                self.name()
            ),
            headers: vec![
                "Domain".into(),
                "Best provision recorded".into(),
                "Share of the caseload it covers".into(),
                "Services".into(),
            ],
            rows,
            sortable: false,
        }
    }

    /// The 2017 national survey's service categories: what is recorded here.
    fn category_table(&self) -> Table {
        let loaded = self.inputs.loaded;
        let serving: Vec<&crate::services::Service> = loaded
            .services
            .iter()
            .zip(&loaded.catchments)
            .filter(|(_, catchment)| {
                catchment
                    .iter()
                    .any(|&i| loaded.units.lsoas[i].ctyua == self.code)
            })
            .map(|(s, _)| s)
            .collect();
        let rows = CATEGORIES
            .iter()
            .map(|category| {
                let here: Vec<&str> = serving
                    .iter()
                    .filter(|s| s.category == *category)
                    .map(|s| s.name.as_str())
                    .collect();
                vec![
                    Cell::text(category.replace('_', " ")),
                    Cell::text(if here.is_empty() {
                        "none recorded".to_string()
                    } else {
                        here.join("; ")
                    }),
                ]
            })
            .collect();
        Table {
            caption: "Services recorded, in the categories of the 2017 national survey of CCGs and mental health trusts".into(),
            headers: vec!["Category".into(), "Services recorded".into()],
            rows,
            sortable: false,
        }
    }

    /// The lead condition's published figure per 100,000 adults here, in
    /// England, and in the Boards most like this one in deprivation (IoD2025
    /// average score, adult-weighted), each said to be higher, similar or
    /// lower than this Board's only where the simulated interval of the
    /// difference excludes zero.
    fn comparison_table(&self) -> Table {
        let analysis = self.inputs.analysis;
        let figure = self.shared.figure;
        let all = analysis.rows_of(Level::Ctyua, LEAD_CONDITION);
        let scores = &self.shared.deprivation;
        let score = |code: &str| scores.get(code).copied().unwrap_or(f64::NAN);
        let similar: Vec<&GapRow> = similar_areas(self.code, scores)
            .into_iter()
            .filter_map(|code| all.iter().find(|r| r.area_code == code).copied())
            .collect();
        let p = self.published;
        let this = all.iter().copied().find(|r| r.area_code == self.code);
        // "Higher" here means the other area's rate is higher than this Board's.
        let against_this = |others: &[&GapRow]| -> Cell {
            let words = this
                .and_then(|this| analysis.simulation.compare(this, others, figure))
                .map_or("", |[at_95, _]| match at_95 {
                    Difference::Higher => "lower",
                    Difference::Lower => "higher",
                    Difference::Similar => "similar",
                });
            Cell::text(words)
        };
        let line = |r: &GapRow, label: String, compared: Cell| {
            let count = figure.value(r, Scale::Count).unwrap_or(f64::NAN);
            vec![
                Cell::text(label),
                Cell::number(thousands(score(&r.area_code), 1), score(&r.area_code)),
                figure
                    .estimate(r, Scale::Rate)
                    .map_or(Cell::text("not assessed"), |rate| p.rate_cell(&rate, count)),
                compared,
            ]
        };
        let mut rows = Vec::new();
        if let Some(r) = this {
            rows.push(line(
                r,
                format!("{} (this Board)", self.name()),
                Cell::text(""),
            ));
        }
        if let Some(england) = analysis.simulation.england(LEAD_CONDITION) {
            let count = match figure {
                Figure::UnmetNeed => england.unmet.unwrap_or(england.need),
                Figure::Need => england.need,
            };
            let rate = count.scaled(100_000.0 / england.adults);
            let words = this
                .and_then(|r| r.against_england)
                .map_or("", |[at_95, _]| match at_95 {
                    Difference::Higher => "lower",
                    Difference::Lower => "higher",
                    Difference::Similar => "similar",
                });
            rows.push(vec![
                Cell::text("England"),
                Cell::text(""),
                p.rate_cell(&rate, count.value),
                Cell::text(words),
            ]);
        }
        for r in &similar {
            rows.push(line(r, r.area_name.clone(), against_this(&[r])));
        }
        if !similar.is_empty() {
            let adults: f64 = similar.iter().map(|r| r.facts.adults).sum();
            let central: f64 = similar
                .iter()
                .filter_map(|r| figure.value(r, Scale::Count))
                .sum();
            rows.push(vec![
                Cell::text(format!("The {} similar Boards together", similar.len())),
                Cell::text(""),
                Cell::number(
                    thousands(central * 100_000.0 / adults, 0),
                    central * 100_000.0 / adults,
                ),
                against_this(&similar),
            ]);
        }
        Table {
            caption: format!(
                "{} for current mental illness among people on probation, per 100,000 adults (95% intervals): this Board, England, and the {} Boards closest in deprivation. The last column says whether each is higher, similar or lower than this Board; 'similar' where the 95% interval of the difference includes zero.",
                figure.label(),
                similar.len()
            ),
            headers: vec![
                "Area".into(),
                "IoD2025 average score".into(),
                "Per 100,000 adults (95% interval)".into(),
                "Against this Board".into(),
            ],
            rows,
            sortable: false,
        }
    }

    /// The sub-ICB locations whose LSOAs overlap the Board.
    fn sicbl_table(&self) -> Option<Table> {
        let loaded = self.inputs.loaded;
        let (_, sicbl_layer) = loaded
            .layers
            .iter()
            .find(|(l, _)| l.level == Level::Sicbl)?;
        let per_lsoa = &self.inputs.analysis.placement.per_lsoa;
        let units = &loaded.units;
        let in_board = (0..units.lsoas.len()).filter(|&i| units.lsoas[i].ctyua == self.code);
        let shares = units.fold_by_area(Level::Sicbl, in_board, |total: &mut f64, i| {
            *total += per_lsoa[i]
        });
        let total: f64 = shares.values().sum();
        let rows = shares
            .iter()
            .filter(|(_, c)| **c > 0.0)
            .map(|(code, c)| {
                let name = sicbl_layer
                    .features
                    .iter()
                    .find(|f| f.code == *code)
                    .map_or(code.to_string(), |f| f.name.clone());
                let lead = self.inputs.analysis.rows.iter().find(|r| {
                    r.level == Level::Sicbl && r.area_code == *code && r.condition == LEAD_CONDITION
                });
                vec![
                    Cell::text(format!("{name} ({code})")),
                    Cell::number(percent(c / total, 1), c / total),
                    lead.map_or(Cell::text(""), |r| {
                        Cell::number(
                            self.published.count(r.facts.caseload.value),
                            r.facts.caseload.value,
                        )
                    }),
                    lead.and_then(|r| r.unmet)
                        .map_or(Cell::text("not assessed"), |u| {
                            Cell::number(self.published.count(u.value), u.value)
                        }),
                ]
            })
            .collect();
        Some(Table {
            caption: format!("Sub-ICB locations overlapping {}", self.name()),
            headers: vec![
                "Sub-ICB location".into(),
                "Share of this Board's caseload".into(),
                "Its whole caseload".into(),
                "Its unmet need: current mental illness".into(),
            ],
            rows,
            sortable: false,
        })
    }

    /// The national map's classes and colours, drawn around this Board.
    fn map(&self) -> Option<String> {
        let classes = self
            .inputs
            .classes
            .get(&(Level::Ctyua, LEAD_CONDITION.to_string()))?;
        let own = self.layer.features.iter().find(|f| f.code == self.code)?;
        let frame = expand(own.geometry.bounding_rect()?);
        let neighbourhood = BoundaryLayer {
            path: self.layer.path.clone(),
            sha256: self.layer.sha256.clone(),
            source_crs: self.layer.source_crs,
            features: self
                .layer
                .features
                .iter()
                .filter(|f| {
                    f.geometry
                        .bounding_rect()
                        .is_some_and(|r| r.intersects(&frame))
                })
                .cloned()
                .collect(),
            repairs: Vec::new(),
            excluded: Vec::new(),
        };
        let values = &self.shared.lead_values;
        let ctyua = self
            .inputs
            .spec
            .levels
            .iter()
            .find(|l| l.level == Level::Ctyua)?;
        let scale = self.inputs.spec.maps.scale;
        let figure = self.shared.figure;
        let spec = MapSpec {
            title: format!(
                "{}: {}, {} and neighbours",
                figure.label(),
                self.shared.lead_label.to_lowercase(),
                self.name()
            ),
            subtitle: "People on probation; classes as on the England map".into(),
            legend_title: format!("{} ({})", figure.label(), Figure::unit(scale)),
            source_line: format!("Analysis: jsna-gap {}.", env!("CARGO_PKG_VERSION")),
            attribution: ctyua.attribution.clone(),
            palette: self.inputs.spec.maps.palette,
            classes,
            highlight: Some(self.code),
            shown: self.shared.lead_shown.clone(),
        };
        Some(render::choropleth_svg(&neighbourhood, values, &spec))
    }

    fn map_alt(&self) -> String {
        let lead = row(self.rows, LEAD_CONDITION);
        let class = lead.and_then(|r| {
            let classes = self
                .inputs
                .classes
                .get(&(Level::Ctyua, LEAD_CONDITION.to_string()))?;
            let v = self.shared.figure.value(r, self.inputs.spec.maps.scale)?;
            Some((classes.class_of(v)? + 1, classes.k))
        });
        match class {
            Some((c, k)) => format!(
                "Map of {} and neighbouring Health and Wellbeing Board areas shaded by {} ({}) for {} among people on probation. {} is outlined and falls in class {c} of {k} (1 is the lowest); the tables below give its figures.",
                self.name(),
                self.shared.figure.label().to_lowercase(),
                Figure::unit(self.inputs.spec.maps.scale),
                self.shared.lead_label.to_lowercase(),
                self.name()
            ),
            None => format!(
                "Map of {} and neighbouring areas; the tables below give its figures.",
                self.name()
            ),
        }
    }
}

/// A Board's bounding box grown so its neighbours show.
fn expand(rect: Rect<f64>) -> Rect<f64> {
    let margin = (NEIGHBOURHOOD * rect.width().max(rect.height())).max(MIN_MARGIN_METRES);
    Rect::new(
        (rect.min().x - margin, rect.min().y - margin),
        (rect.max().x + margin, rect.max().y + margin),
    )
}

fn domain_words(domain: Domain) -> &'static str {
    match domain {
        Domain::MentalHealth => "Mental health",
        Domain::SubstanceMisuse => "Substance misuse",
        Domain::PersonalityDisorder => "Personality disorder",
        Domain::Wellbeing => "Emotional wellbeing (non-clinical)",
    }
}

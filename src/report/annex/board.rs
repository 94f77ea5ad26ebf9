//! One Health and Wellbeing Board's annex: its map among its neighbours,
//! caseload and how it was estimated, need, provision and unmet need,
//! comparisons, the sub-ICB locations that overlap it, findings in plain
//! English, recommended actions, and the shared closing sections.

use super::findings::{self, row};
use super::index::status_words;
use super::{AnnexInputs, LEAD_CONDITION, Published, Shared, common, rate_cell};
use crate::gap::GapRow;
use crate::geography::Level;
use crate::geography::boundaries::BoundaryLayer;
use crate::numbers::thousands;
use crate::output;
use crate::prevalence::Domain;
use crate::render::{self, MapSpec};
use crate::report::document::{Block, Cell, Document, Table};
use crate::services::CATEGORIES;
use geo::{BoundingRect, Intersects, Rect};
use std::collections::{BTreeMap, BTreeSet};

/// How far around a Board its map reaches, as a share of the Board's size
/// (at least 25 km), so that its neighbours show.
const NEIGHBOURHOOD: f64 = 0.6;
const MIN_MARGIN_METRES: f64 = 25_000.0;
/// How many similar areas (by deprivation) the comparison table shows.
const SIMILAR_AREAS: usize = 5;

pub struct Board<'a> {
    pub inputs: &'a AnnexInputs<'a>,
    pub layer: &'a BoundaryLayer,
    pub code: &'a str,
    pub rows: &'a [&'a GapRow],
    pub published: &'a Published,
    pub rank: Option<usize>,
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
                caption: format!("Estimated unmet need for current mental illness among people on probation: {name} (outlined) and neighbouring areas"),
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
            out.extend(findings::unmet_sentence(p, r, &finding(LEAD_CONDITION)));
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
            if let Some(unmet) = findings::unmet_sentence(p, r, "") {
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
        if let Some(rank) = self.rank {
            out.push(format!(
                "{name} ranks {rank} of {} Health and Wellbeing Board areas for estimated unmet need for current mental illness among people on probation{}.",
                self.boards,
                if self.robust() { "; it stays in the top fifth whichever caseload proxy or prevalence bound is used" } else { "" }
            ));
        }
        out
    }

    /// Whether the Board is in the top fifth for the lead condition under
    /// every sensitivity scenario.
    fn robust(&self) -> bool {
        self.inputs.analysis.sensitivity.iter().any(|s| {
            s.level == Level::Ctyua
                && s.area_code == self.code
                && s.condition == LEAD_CONDITION
                && s.top_fifth_in_every_scenario
        })
    }

    fn caseload_text(&self) -> String {
        let r = self.rows[0];
        let c = r.facts.caseload;
        let spec = self.inputs.spec;
        let placement = &self.inputs.analysis.placement;
        format!(
            "An estimated {} people under probation supervision live in {} (range {} to {} across the three caseload proxies), {} of England's estimated caseload of {}. Caseload by area is not published: the total given ({} people) is spread over districts in proportion to the {}, and within districts by adult population. England's share of an England and Wales total is {}. {} adults live here, so about {} in every 100,000 adults are on probation.",
            self.published.count(c.value),
            self.name(),
            self.published.count(c.lower),
            self.published.count(c.upper),
            share_words(self.published, c.value / placement.placed),
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
                let unmet = match r.unmet {
                    Some(u) => p.count_cell(u.need, u.lower, u.upper),
                    None => Cell::text("not assessed"),
                };
                let expected = r
                    .general_population
                    .map_or(Cell::text("no verified comparator"), |g| {
                        Cell::number(p.count(g.expected), g.expected)
                    });
                Some(vec![
                    Cell::text(prevalence.label.clone()),
                    p.prevalence_cell(prevalence),
                    p.count_cell(r.need.need, r.need.lower, r.need.upper),
                    rate_cell(&r.need_per_100k_adults),
                    expected,
                    unmet,
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
                "People with the condition".into(),
                "Per 100,000 adults (Byar interval on the count)".into(),
                "Expected at general-population prevalence".into(),
                "Unmet need".into(),
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
                    Cell::number(
                        self.published.percent(r.provision.coverage),
                        r.provision.coverage,
                    ),
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

    /// Need per 100,000 adults here, in England, and in the Boards most like
    /// this one in deprivation (IoD2025 average score, adult-weighted).
    fn comparison_table(&self) -> Table {
        let all = self.inputs.analysis.rows_of(Level::Ctyua, LEAD_CONDITION);
        let scores = &self.shared.deprivation;
        let own = scores.get(self.code).copied().unwrap_or(f64::NAN);
        let mut similar: Vec<&&GapRow> = all.iter().filter(|r| r.area_code != self.code).collect();
        similar.sort_by(|a, b| {
            let d = |r: &GapRow| {
                (scores
                    .get(r.area_code.as_str())
                    .copied()
                    .unwrap_or(f64::NAN)
                    - own)
                    .abs()
            };
            d(a).total_cmp(&d(b))
                .then_with(|| a.area_code.cmp(&b.area_code))
        });
        let england_need: f64 = all.iter().map(|r| r.need.need).sum();
        let england_adults: f64 = all.iter().map(|r| r.facts.adults).sum();
        let line = |r: &GapRow, label: String| {
            let rate = r.need_per_100k_adults;
            vec![
                Cell::text(label),
                Cell::number(
                    thousands(
                        scores
                            .get(r.area_code.as_str())
                            .copied()
                            .unwrap_or(f64::NAN),
                        1,
                    ),
                    scores
                        .get(r.area_code.as_str())
                        .copied()
                        .unwrap_or(f64::NAN),
                ),
                rate_cell(&rate),
            ]
        };
        let mut rows = Vec::new();
        if let Some(r) = all.iter().find(|r| r.area_code == self.code) {
            rows.push(line(r, format!("{} (this Board)", self.name())));
        }
        rows.push(vec![
            Cell::text("England"),
            Cell::text(""),
            Cell::number(
                thousands(100_000.0 * england_need / england_adults, 0),
                100_000.0 * england_need / england_adults,
            ),
        ]);
        rows.extend(
            similar
                .iter()
                .take(SIMILAR_AREAS)
                .map(|r| line(r, r.area_name.clone())),
        );
        Table {
            caption: "Estimated people on probation with a current mental illness per 100,000 adults: this Board, England, and the five Boards closest in deprivation".into(),
            headers: vec![
                "Area".into(),
                "IoD2025 average score".into(),
                "Per 100,000 adults (95% interval)".into(),
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
        let mut shares: BTreeMap<&str, f64> = BTreeMap::new();
        for (lsoa, c) in loaded.units.lsoas.iter().zip(per_lsoa) {
            if lsoa.ctyua == self.code {
                *shares.entry(lsoa.sicbl.as_str()).or_default() += c;
            }
        }
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
                    Cell::number(self.published.percent(c / total), c / total),
                    lead.map_or(Cell::text(""), |r| {
                        Cell::number(
                            self.published.count(r.facts.caseload.value),
                            r.facts.caseload.value,
                        )
                    }),
                    lead.and_then(|r| r.unmet)
                        .map_or(Cell::text("not assessed"), |u| {
                            Cell::number(self.published.count(u.need), u.need)
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
        let spec = MapSpec {
            title: format!(
                "Estimated unmet need: current mental illness, {} and neighbours",
                self.name()
            ),
            subtitle: "People on probation; classes as on the England map".into(),
            legend_title: "Estimated unmet need (people)".into(),
            source_line: format!("Analysis: jsna-gap {}.", env!("CARGO_PKG_VERSION")),
            attribution: crate::geography::catalogue::Catalogue::builtin()
                .attribution(&ctyua.layer),
            palette: self.inputs.spec.maps.palette,
            classes,
            highlight: Some(self.code),
            suppression: self.inputs.spec.publication,
            local_caseload: self.rows.iter().any(|r| r.facts.local),
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
            let v = r.headline().1;
            Some((classes.class_of(v)? + 1, classes.k))
        });
        match class {
            Some((c, k)) => format!(
                "Map of {} and neighbouring Health and Wellbeing Board areas shaded by estimated unmet need for current mental illness among people on probation. {} is outlined and falls in class {c} of {k} (1 is the lowest); the tables below give its figures.",
                self.name(),
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

/// A share as a percentage, with "under 0.1%" rather than a misleading "0.0%".
fn share_words(p: &Published, share: f64) -> String {
    if share > 0.0 && share < 0.0005 {
        "under 0.1%".to_string()
    } else {
        p.percent(share)
    }
}

//! Treatment access and engagement among people on probation
//! (`datasets/treatment_evidence.csv`): official linkage statistics where they
//! exist, with survey, inspection and study figures as comparators. Each row is
//! the share of people with a condition who received, engaged with or were
//! referred to treatment, read as strictly as the prevalence evidence.

use super::{Verified, published_interval, rate_and_counts, verified};
use crate::error::{Error, ErrorKind, Result};
use crate::input::{Record, Seen, Table};
use crate::prevalence::TreatmentAccess;

/// How a treatment figure was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Probation records linked to treatment records (NDTMS).
    LinkedRecords,
    /// An inspectorate's count or estimate.
    Inspection,
    /// Probation officers' answers about their caseload.
    PractitionerSurvey,
    /// A research study's interviews or record review.
    StudyInterview,
}

impl Measure {
    const NAMES: [(&'static str, Measure); 4] = [
        ("linked_records", Measure::LinkedRecords),
        ("inspection", Measure::Inspection),
        ("practitioner_survey", Measure::PractitionerSurvey),
        ("study_interview", Measure::StudyInterview),
    ];
}

/// One treatment figure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TreatmentFigure {
    pub id: String,
    /// The conditions whose need it describes.
    pub conditions: Vec<String>,
    pub indicator: String,
    pub measure: Measure,
    /// Share treated, engaged or referred.
    pub rate: f64,
    pub n: Option<f64>,
    pub numerator: Option<f64>,
    pub published: Option<(f64, f64)>,
    pub population: String,
    pub country: String,
    pub period: String,
    pub evidence_grade: String,
    pub verified: Verified,
    pub how_verified: String,
    /// A candidate for the default treatment access of its conditions (the
    /// rest are comparators).
    pub default: bool,
    pub short_name: String,
    pub citation: String,
    pub notes: String,
}

const COLUMNS: [&str; 19] = [
    "id",
    "conditions",
    "indicator",
    "measure",
    "rate",
    "n",
    "numerator",
    "interval_low",
    "interval_high",
    "population",
    "country",
    "period",
    "evidence_grade",
    "verified",
    "how_verified",
    "use",
    "short_name",
    "citation",
    "notes",
];

/// Reads the treatment evidence table; `conditions` are the known condition ids.
pub fn read(table: &Table, conditions: &[&str]) -> Result<Vec<TreatmentFigure>> {
    table.require(&COLUMNS)?;
    let mut figures = Vec::new();
    let mut seen = Seen::default();
    let mut defaults = Seen::default();
    for r in table.records() {
        let figure = row(&r, conditions)?;
        r.at(
            "id",
            seen.first(&r, figure.id.clone(), format_args!("id {}", figure.id)),
        )
        .map_err(|e| e.hint("give every figure its own id, e.g. TE12 and TE13"))?;
        for condition in figure.conditions.iter().filter(|_| figure.default) {
            r.at(
                "use",
                defaults.first(
                    &r,
                    condition.clone(),
                    format_args!("a default figure for {condition}"),
                ),
            )
            .map_err(|e| e.hint("one figure per condition sets its treatment access: mark the others comparator"))?;
        }
        figures.push(figure);
    }
    if figures.is_empty() {
        return Err(
            Error::input(&table.path, "the treatment evidence table has no rows")
                .hint("give at least one treatment figure with its conditions and rate"),
        );
    }
    Ok(figures)
}

fn row(r: &Record, known: &[&str]) -> Result<TreatmentFigure> {
    let id = r.at("id", r.text("id"))?;
    let conditions: Vec<String> = r
        .at("conditions", r.text("conditions"))?
        .split_whitespace()
        .map(|c| {
            if known.contains(&c) {
                Ok(c.to_string())
            } else {
                Err(r
                    .error_at(
                        "conditions",
                        format!("condition '{c}' is not in the prevalence table"),
                    )
                    .kind(ErrorKind::Unknown)
                    .hint(format!(
                        "list conditions separated by spaces, from: {}",
                        known.join(", ")
                    )))
            }
        })
        .collect::<Result<_>>()?;
    let measure_text = r.at("measure", r.text("measure"))?;
    let measure = Measure::NAMES
        .iter()
        .find(|(name, _)| *name == measure_text)
        .map(|(_, m)| *m)
        .ok_or_else(|| {
            r.error_at("measure", format!("measure '{measure_text}' is not known"))
                .hint(format!(
                    "use one of: {}",
                    Measure::NAMES.map(|(name, _)| name).join(", ")
                ))
        })?;
    let (rate, n, numerator) = rate_and_counts(r)?;
    let published = published_interval(r, rate)?;
    let verified = verified(r)?;
    let default = match r.at("use", r.text("use"))? {
        "default" => true,
        "comparator" => false,
        other => {
            return Err(r
                .error_at("use", format!("use '{other}' is not default or comparator"))
                .hint("default marks the figure a run may use for unmet need; comparator shows it beside"));
        }
    };
    if default && verified == Verified::No {
        return Err(r
            .error_at("use", format!("{id} is a default but verified = no"))
            .hint(
                "a figure nobody has read at a source stays out of defaults: set use to comparator",
            ));
    }
    Ok(TreatmentFigure {
        id: id.to_string(),
        conditions,
        indicator: r.at("indicator", r.text("indicator"))?.to_string(),
        measure,
        rate,
        n,
        numerator,
        published,
        population: r.at("population", r.text("population"))?.to_string(),
        country: r.at("country", r.text("country"))?.to_string(),
        period: r.str("period").to_string(),
        evidence_grade: super::grade(r)?.to_string(),
        verified,
        how_verified: r.at("how_verified", r.text("how_verified"))?.to_string(),
        default,
        short_name: r.at("short_name", r.text("short_name"))?.to_string(),
        citation: r.at("citation", r.text("citation"))?.to_string(),
        notes: r.str("notes").to_string(),
    })
}

/// The untreated share each default figure gives the conditions it covers
/// (one minus the share engaged with treatment), drawn from its sample
/// where it states one. The run uses these in place of the treatment-access
/// table's figures for those conditions; the rest stay comparators.
pub fn defaults(figures: &[TreatmentFigure]) -> Vec<TreatmentAccess> {
    figures
        .iter()
        .filter(|f| f.default)
        .flat_map(|f| {
            f.conditions.iter().map(move |condition| TreatmentAccess {
                condition: condition.clone(),
                untreated_share: 1.0 - f.rate,
                n: f.n,
                evidence_id: f.id.clone(),
                applies_as: "direct".to_string(),
                finding: format!(
                    "{}: {:.1}% ({}, {})",
                    f.indicator,
                    100.0 * f.rate,
                    f.population,
                    f.period
                ),
                citation: f.citation.clone(),
                notes: f.notes.clone(),
            })
        })
        .collect()
}

//! The evidence behind each prevalence: every study or official figure on a
//! condition among people on probation (`datasets/evidence.csv`), each with
//! its definition class, and their synthesis within a class (`pool`).
//!
//! A figure's definition class says what it measures: a clinical interview
//! diagnosis, a validated screening instrument, a need recorded by a
//! practitioner or an assessment (OASys), or what people say of themselves.
//! They answer different questions (a diagnosis rate is not an OASys need
//! rate), so figures are only ever pooled within one class.
//!
//! The reader is strict: a figure that cannot be used as written is an
//! error naming its file and line, never a row silently dropped.

pub mod policy;
pub mod pool;
pub mod treatment;

use crate::error::{Error, ErrorKind, Result};
use crate::input::{Record, Seen, Table};
use pool::{IntervalMethod, Observation, Pooled};

/// What a figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionClass {
    /// A diagnosis from a clinical or structured diagnostic interview (MINI, SCID).
    ClinicalDiagnosis,
    /// A score over a validated screening instrument's threshold (AUDIT 8+, DAST).
    ScreeningInstrument,
    /// A need recorded by a practitioner or an assessment tool (OASys).
    AssessmentNeed,
    /// What people say of themselves, with no instrument threshold.
    SelfReport,
}

impl DefinitionClass {
    /// Every class, in the order charts and tables show them.
    pub const ALL: [DefinitionClass; 4] = [
        DefinitionClass::ClinicalDiagnosis,
        DefinitionClass::ScreeningInstrument,
        DefinitionClass::AssessmentNeed,
        DefinitionClass::SelfReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DefinitionClass::ClinicalDiagnosis => "clinical_diagnosis",
            DefinitionClass::ScreeningInstrument => "screening_instrument",
            DefinitionClass::AssessmentNeed => "assessment_need",
            DefinitionClass::SelfReport => "self_report",
        }
    }

    /// The class in words, for charts and annexes.
    pub fn label(self) -> &'static str {
        match self {
            DefinitionClass::ClinicalDiagnosis => "Clinical diagnosis (interview)",
            DefinitionClass::ScreeningInstrument => "Validated screening instrument",
            DefinitionClass::AssessmentNeed => "Need recorded by practitioners or OASys",
            DefinitionClass::SelfReport => "Self-report",
        }
    }

    pub fn parse(s: &str) -> Option<DefinitionClass> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How a figure was checked (the README's `verified` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verified {
    /// Read at the source named in the row.
    Yes,
    /// Read in a secondary source that quotes the original.
    Secondary,
    /// Not read at any source: never used for a default.
    No,
}

impl Verified {
    fn parse(s: &str) -> Option<Verified> {
        match s {
            "yes" => Some(Verified::Yes),
            "secondary" => Some(Verified::Secondary),
            "no" => Some(Verified::No),
            _ => None,
        }
    }
}

/// One study or official figure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Study {
    pub id: String,
    pub condition: String,
    pub class: DefinitionClass,
    /// The proportion with the condition.
    pub rate: f64,
    /// People assessed; None where the source gives no sample size.
    pub n: Option<f64>,
    /// People with the condition, where the source counts them.
    pub numerator: Option<f64>,
    /// The interval the source published (as proportions), if any.
    pub published: Option<(f64, f64)>,
    pub population: String,
    pub country: String,
    pub fieldwork: String,
    pub timeframe: String,
    pub instrument: String,
    pub evidence_grade: String,
    pub verified: Verified,
    /// What was read to check the figure: address and part.
    pub how_verified: String,
    /// Whether the figure enters the default pooled estimate of its class.
    pub pool: bool,
    /// A short name for charts, e.g. "Brooker et al. 2012".
    pub short_name: String,
    pub citation: String,
    pub notes: String,
}

impl Study {
    /// What pooling needs of the figure: its published interval, which
    /// carries the study's design (weighting, clustering) where a binomial
    /// from n would not, or failing that its events out of n. None where it
    /// has neither, or only an interval reaching 0 or 1, which has no logit
    /// variance (such a figure can be shown but not weighted).
    pub fn observation(&self) -> Option<Observation> {
        let inside = |&(lower, upper): &(f64, f64)| lower > 0.0 && upper < 1.0;
        match (self.published.filter(inside), self.n) {
            (Some((lower, upper)), _) => Some(Observation::Interval {
                rate: self.rate,
                lower,
                upper,
            }),
            (None, Some(n)) => Some(Observation::Events {
                events: self.numerator.unwrap_or(self.rate * n),
                n,
            }),
            (None, None) => None,
        }
    }
}

/// Columns the evidence table must have.
const COLUMNS: [&str; 20] = [
    "id",
    "condition",
    "definition_class",
    "rate",
    "n",
    "numerator",
    "interval_low",
    "interval_high",
    "population",
    "country",
    "fieldwork",
    "timeframe",
    "instrument",
    "evidence_grade",
    "verified",
    "how_verified",
    "pool",
    "short_name",
    "citation",
    "notes",
];

/// A published percentage rounded to a whole number may differ from
/// numerator / n by up to half a point.
const ROUNDING: f64 = 0.005;

/// Reads the evidence table. `conditions` are the known condition ids (those
/// of the prevalence table); a figure for any other condition is an error.
pub fn read(table: &Table, conditions: &[&str]) -> Result<Vec<Study>> {
    table.require(&COLUMNS)?;
    let mut studies: Vec<Study> = Vec::new();
    let mut seen = Seen::default();
    for r in table.records() {
        let study = row(&r, conditions)?;
        r.at(
            "id",
            seen.first(&r, study.id.clone(), format_args!("id {}", study.id)),
        )
        .map_err(|e| e.hint("give every figure its own id, e.g. EV12 and EV13"))?;
        studies.push(study);
    }
    if studies.is_empty() {
        return Err(Error::input(&table.path, "the evidence table has no rows")
            .hint("give at least one study with its condition, rate and definition class"));
    }
    Ok(studies)
}

fn row(r: &Record, conditions: &[&str]) -> Result<Study> {
    let id = r.at("id", r.text("id"))?;
    let condition = r.at("condition", r.text("condition"))?;
    if !conditions.contains(&condition) {
        return Err(r
            .error_at(
                "condition",
                format!("condition '{condition}' is not in the prevalence table"),
            )
            .kind(ErrorKind::Unknown)
            .hint(format!("use one of: {}", conditions.join(", "))));
    }
    let class = r
        .at("definition_class", r.text("definition_class"))
        .and_then(|text| {
            DefinitionClass::parse(text).ok_or_else(|| {
                r.error_at(
                    "definition_class",
                    format!("definition_class '{text}' is not known"),
                )
                .kind(ErrorKind::Unknown)
                .hint(format!(
                    "use one of: {}",
                    DefinitionClass::ALL.map(DefinitionClass::as_str).join(", ")
                ))
            })
        })?;
    let (rate, n, numerator) = rate_and_counts(r)?;
    let published = published_interval(r, rate)?;
    let verified = verified(r)?;
    let pool = match r.at("pool", r.text("pool"))? {
        "yes" => true,
        "no" => false,
        other => {
            return Err(r
                .error_at("pool", format!("pool '{other}' is not yes or no"))
                .hint("pool says whether the figure enters its class's default pooled estimate"));
        }
    };
    if pool && verified == Verified::No {
        return Err(r
            .error_at(
                "pool",
                format!("{id} is marked pool = yes but verified = no"),
            )
            .hint("a figure nobody has read at a source stays out of defaults: set pool to no"));
    }
    let evidence_grade = grade(r)?;
    let study = Study {
        id: id.to_string(),
        condition: condition.to_string(),
        class,
        rate,
        n,
        numerator,
        published,
        population: r.at("population", r.text("population"))?.to_string(),
        country: r.at("country", r.text("country"))?.to_string(),
        fieldwork: r.str("fieldwork").to_string(),
        timeframe: r.str("timeframe").to_string(),
        instrument: r.str("instrument").to_string(),
        evidence_grade: evidence_grade.to_string(),
        verified,
        how_verified: r.at("how_verified", r.text("how_verified"))?.to_string(),
        pool,
        short_name: r.at("short_name", r.text("short_name"))?.to_string(),
        citation: r.at("citation", r.text("citation"))?.to_string(),
        notes: r.str("notes").to_string(),
    };
    if pool && study.observation().is_none() {
        return Err(r
            .error_at("n", format!("{id} is pooled but has no sample size n"))
            .hint("pooling weights each figure by its sampling variance: give n, or a published interval inside 0 to 1, or set pool to no"));
    }
    Ok(study)
}

/// The `verified` column.
fn verified(r: &Record) -> Result<Verified> {
    let text = r.at("verified", r.text("verified"))?;
    Verified::parse(text).ok_or_else(|| {
        r.error_at("verified", format!("verified '{text}' is not known"))
            .hint("use yes (read at source), secondary (read in a report of it) or no")
    })
}

/// The `evidence_grade` column: A, B or C as the datasets README defines them.
fn grade<'a>(r: &Record<'a>) -> Result<&'a str> {
    let grade = r.at("evidence_grade", r.text("evidence_grade"))?;
    if ["A", "B", "C"].contains(&grade) {
        Ok(grade)
    } else {
        Err(r
            .error_at("evidence_grade", format!("evidence_grade '{grade}' is not A, B or C"))
            .hint("A: peer-reviewed study read at its abstract; B: official statistics or inspection read at source; C: read in a secondary report"))
    }
}

/// The rate (given, or numerator / n) with n and the numerator, checked
/// against each other.
fn rate_and_counts(r: &Record) -> Result<(f64, Option<f64>, Option<f64>)> {
    let n = r.at("n", r.count_or_empty("n"))?;
    let numerator = r.at("numerator", r.count_or_empty("numerator"))?;
    if let Some(n) = n
        && (n < 1.0 || n.fract() != 0.0)
    {
        return Err(r
            .error_at("n", format!("n is {n}; a sample size is a whole number of people, at least 1"))
            .hint("n is the number of people the study assessed; leave it empty if the source gives none"));
    }
    let rate = r.at("rate", r.proportion_or_empty("rate"))?;
    match (numerator, n) {
        (Some(x), None) => {
            return Err(r
                .error_at("numerator", format!("numerator {x} has no n"))
                .hint("a count of people with the condition needs the number assessed, n"));
        }
        (Some(x), Some(n)) if x > n => {
            return Err(r
                .error_at("numerator", format!("numerator {x} is larger than n {n}"))
                .hint("the numerator counts people with the condition among the n assessed"));
        }
        _ => {}
    }
    let counted = numerator.zip(n).map(|(x, n)| x / n);
    let rate = match (rate, counted) {
        (Some(rate), Some(share)) if (rate - share).abs() > ROUNDING => {
            return Err(r
                .error_at(
                    "rate",
                    format!("rate {rate} does not match numerator / n = {share:.4}"),
                )
                .hint("check the counts, or leave rate empty to use numerator / n"));
        }
        (Some(rate), _) | (None, Some(rate)) => rate,
        (None, None) => {
            return Err(r
                .error_at(
                    "rate",
                    "rate is empty and there is no numerator and n to compute it",
                )
                .hint("write the rate as a proportion (39% is 0.39), or give numerator and n"));
        }
    };
    Ok((rate, n, numerator))
}

/// Both bounds of the published interval, around the rate, or neither.
fn published_interval(r: &Record, rate: f64) -> Result<Option<(f64, f64)>> {
    match (
        r.at("interval_low", r.proportion_or_empty("interval_low"))?,
        r.at("interval_high", r.proportion_or_empty("interval_high"))?,
    ) {
        (None, None) => Ok(None),
        (Some(lower), Some(upper)) if lower <= rate && rate <= upper => Ok(Some((lower, upper))),
        (Some(lower), Some(upper)) => Err(r
            .error_at(
                "interval_low",
                format!("rate {rate} is outside its interval {lower} to {upper}"),
            )
            .hint("check that interval_low ≤ rate ≤ interval_high, all as proportions")),
        _ => Err(r
            .error_at(
                "interval_low",
                "only one of interval_low and interval_high is given",
            )
            .hint("give both bounds of the published interval, or neither")),
    }
}

/// One condition's figures of one definition class, with the pooled estimate
/// of those marked for pooling (None where none is).
#[derive(Debug, Clone)]
pub struct ClassSummary<'a> {
    pub class: DefinitionClass,
    pub studies: Vec<&'a Study>,
    pub pooled: Option<Pooled>,
}

/// A condition's figures grouped by definition class (in `DefinitionClass::ALL`
/// order, classes without figures left out; figures by id), each class
/// pooled on its own.
pub fn summarise<'a>(
    studies: &'a [Study],
    condition: &str,
    method: IntervalMethod,
) -> Vec<ClassSummary<'a>> {
    DefinitionClass::ALL
        .into_iter()
        .filter_map(|class| {
            let mut members: Vec<&Study> = studies
                .iter()
                .filter(|s| s.condition == condition && s.class == class)
                .collect();
            // By id, so charts and tables never depend on the input's order.
            members.sort_by(|a, b| a.id.cmp(&b.id));
            if members.is_empty() {
                return None;
            }
            let observations: Vec<Observation> = members
                .iter()
                .filter(|s| s.pool)
                .filter_map(|s| s.observation())
                .collect();
            Some(ClassSummary {
                class,
                pooled: pool::pool(&observations, method),
                studies: members,
            })
        })
        .collect()
}

/// One row of the published synthesis (`evidence.csv`): a condition's
/// figures of one definition class and, where any is marked for pooling,
/// their estimate. Never a pool across classes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SynthesisRow {
    pub condition: String,
    pub definition_class: DefinitionClass,
    /// Figures of the class in the evidence table, pooled or not.
    pub figures: usize,
    /// Figures pooled (0: none has a sample size, is verified and is marked).
    pub k: usize,
    /// The ids pooled, in id order.
    pub pooled_ids: Vec<String>,
    pub estimate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// How the interval was made: wilson or published (one figure),
    /// dersimonian_laird or hartung_knapp (two or more).
    pub interval: Option<&'static str>,
    pub prediction_lower: Option<f64>,
    pub prediction_upper: Option<f64>,
    pub tau2: Option<f64>,
    pub i2: Option<f64>,
    pub q: Option<f64>,
    pub q_df: Option<f64>,
    pub q_p_value: Option<f64>,
    /// Whether this class's estimate is the default prevalence the run uses
    /// (prevalence.csv's rate for the condition).
    pub feeds_default: bool,
    /// The sources, as short names and full citations, in id order.
    pub sources: Vec<String>,
    pub citations: Vec<String>,
}

/// The synthesis of every condition (in the order given) and class.
/// `defaults` are the run's prevalence rates by condition: a class feeds the
/// default where its estimate is that rate (to rounding of a published
/// percentage).
pub fn synthesis(
    studies: &[Study],
    defaults: &[(&str, f64)],
    method: IntervalMethod,
) -> Vec<SynthesisRow> {
    let mut rows = Vec::new();
    for &(condition, default) in defaults {
        for c in summarise(studies, condition, method) {
            let p = c.pooled.as_ref();
            let h = p.and_then(|p| p.heterogeneity);
            rows.push(SynthesisRow {
                condition: condition.to_string(),
                definition_class: c.class,
                figures: c.studies.len(),
                k: p.map_or(0, |p| p.k),
                pooled_ids: c
                    .studies
                    .iter()
                    .filter(|s| s.pool && s.observation().is_some())
                    .map(|s| s.id.clone())
                    .collect(),
                estimate: p.map(|p| p.estimate),
                lower: p.map(|p| p.lower),
                upper: p.map(|p| p.upper),
                interval: p.map(|p| match p.basis {
                    pool::Basis::Wilson => "wilson",
                    pool::Basis::Published => "published",
                    pool::Basis::RandomEffects(IntervalMethod::DerSimonianLaird) => {
                        "dersimonian_laird"
                    }
                    pool::Basis::RandomEffects(IntervalMethod::HartungKnapp) => "hartung_knapp",
                }),
                prediction_lower: p.and_then(|p| p.prediction).map(|(lo, _)| lo),
                prediction_upper: p.and_then(|p| p.prediction).map(|(_, hi)| hi),
                tau2: h.map(|h| h.tau2),
                i2: h.map(|h| h.i2),
                q: h.map(|h| h.q),
                q_df: h.map(|h| h.df),
                q_p_value: h.map(|h| h.p_value),
                feeds_default: p.is_some_and(|p| (p.estimate - default).abs() < ROUNDING / 10.0),
                sources: c.studies.iter().map(|s| s.short_name.clone()).collect(),
                citations: c.studies.iter().map(|s| s.citation.clone()).collect(),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,condition,definition_class,rate,n,numerator,interval_low,interval_high,population,country,fieldwork,timeframe,instrument,evidence_grade,verified,how_verified,pool,short_name,citation,notes";
    const CONDITIONS: [&str; 2] = ["current_mental_illness", "alcohol_misuse"];

    /// A valid row, with the named fields replaced.
    fn line(id: &str, changes: &[(&str, &str)]) -> String {
        let mut fields: Vec<(&str, String)> =
            HEADER.split(',').map(|c| (c, String::new())).collect();
        let defaults = [
            ("id", id),
            ("condition", "current_mental_illness"),
            ("definition_class", "clinical_diagnosis"),
            ("rate", "0.39"),
            ("n", "173"),
            ("population", "Random sample of a county caseload"),
            ("country", "England"),
            ("evidence_grade", "A"),
            ("verified", "yes"),
            ("how_verified", "abstract"),
            ("pool", "yes"),
            ("short_name", "Study"),
            ("citation", "Author (2012)"),
        ];
        for (column, value) in defaults.iter().chain(changes) {
            let field = fields.iter_mut().find(|(c, _)| c == column).unwrap();
            field.1 = value.to_string();
        }
        fields
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .join(",")
    }

    fn read_lines(name: &str, lines: &[String]) -> Result<Vec<Study>> {
        let dir = std::env::temp_dir().join(format!("jsna-gap-evidence-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, format!("{HEADER}\n{}\n", lines.join("\n"))).unwrap();
        read(&Table::read(&path)?, &CONDITIONS)
    }

    /// The error for one bad row (after a good one, so it is on line 3).
    fn error(name: &str, changes: &[(&str, &str)]) -> Error {
        let e = read_lines(name, &[line("EV01", &[]), line("EV02", changes)]).unwrap_err();
        assert_eq!(e.location.line, Some(3), "{e}");
        assert!(
            e.location.file.is_some() && e.location.column.is_some(),
            "{e}"
        );
        assert_eq!(e.exit_code(), 2);
        assert!(e.hint.is_some(), "{e}");
        e
    }

    #[test]
    fn a_valid_table_reads_with_counts_and_classes() {
        let studies = read_lines(
            "valid.csv",
            &[
                line("EV01", &[]),
                line(
                    "EV02",
                    &[
                        ("condition", "alcohol_misuse"),
                        ("definition_class", "assessment_need"),
                        ("rate", ""),
                        ("n", "2000"),
                        ("numerator", "480"),
                        ("verified", "secondary"),
                    ],
                ),
                line("EV03", &[("n", ""), ("pool", "no"), ("verified", "no")]),
            ],
        )
        .unwrap();
        assert_eq!(studies.len(), 3);
        assert_eq!(studies[1].rate, 0.24);
        assert_eq!(studies[1].class, DefinitionClass::AssessmentNeed);
        assert_eq!(
            studies[0].observation(),
            Some(Observation::Events {
                events: 0.39 * 173.0,
                n: 173.0
            })
        );
        assert_eq!(
            studies[1].observation(),
            Some(Observation::Events {
                events: 480.0,
                n: 2000.0
            })
        );
        assert_eq!(studies[2].observation(), None);
        assert!(!studies[2].pool);
    }

    #[test]
    fn a_rate_outside_zero_to_one_is_refused() {
        let e = error("rate.csv", &[("rate", "39")]);
        assert!(e.message.contains("outside 0 to 1"), "{e}");
    }

    #[test]
    fn a_pooled_rate_without_n_is_refused() {
        let e = error("n.csv", &[("n", "")]);
        assert!(e.message.contains("no sample size"), "{e}");
        // With a published interval it can be weighted, so it reads.
        let with_interval = line(
            "EV02",
            &[
                ("n", ""),
                ("interval_low", "0.3"),
                ("interval_high", "0.45"),
            ],
        );
        assert!(read_lines("interval.csv", &[with_interval]).is_ok());
    }

    #[test]
    fn an_unknown_definition_class_is_refused() {
        let e = error("class.csv", &[("definition_class", "diagnosis")]);
        assert!(e.message.contains("'diagnosis' is not known"), "{e}");
        assert!(e.hint.clone().unwrap().contains("screening_instrument"));
    }

    #[test]
    fn a_numerator_above_n_is_refused() {
        let e = error("numerator.csv", &[("rate", ""), ("numerator", "180")]);
        assert!(e.message.contains("larger than n"), "{e}");
    }

    #[test]
    fn a_numerator_needs_n_and_must_match_the_rate() {
        let e = error(
            "alone.csv",
            &[("n", ""), ("numerator", "9"), ("pool", "no")],
        );
        assert!(e.message.contains("has no n"), "{e}");
        // 9 / 173 = 0.052 is the published 5% rounded; 0.09 is not.
        assert!(
            read_lines(
                "rounded.csv",
                &[line("EV01", &[("rate", "0.05"), ("numerator", "9")])]
            )
            .is_ok()
        );
        let e = error("mismatch.csv", &[("rate", "0.09"), ("numerator", "9")]);
        assert!(e.message.contains("does not match"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_refused_naming_the_first() {
        let e = error("dup.csv", &[("id", "EV01")]);
        assert!(
            e.message.contains("id EV01 appears twice: lines 2 and 3"),
            "{e}"
        );
    }

    #[test]
    fn an_unverified_figure_cannot_be_pooled() {
        let e = error("unverified.csv", &[("verified", "no")]);
        assert!(e.message.contains("verified = no"), "{e}");
    }

    #[test]
    fn unknown_conditions_grades_and_flags_are_refused() {
        let e = error("condition.csv", &[("condition", "anxiety")]);
        assert!(
            e.hint
                .clone()
                .unwrap()
                .contains("current_mental_illness, alcohol_misuse")
        );
        let e = error("grade.csv", &[("evidence_grade", "D")]);
        assert!(e.message.contains("not A, B or C"), "{e}");
        let e = error("pool.csv", &[("pool", "maybe")]);
        assert!(e.message.contains("not yes or no"), "{e}");
        let e = error("fraction.csv", &[("n", "172.5")]);
        assert!(e.message.contains("whole number"), "{e}");
    }

    #[test]
    fn summaries_pool_only_marked_figures_within_each_class() {
        let studies = read_lines(
            "summary.csv",
            &[
                line("EV01", &[("rate", "0.3"), ("n", "100")]),
                line("EV02", &[("rate", "0.5"), ("n", "100")]),
                line("EV03", &[("rate", "0.9"), ("n", "100"), ("pool", "no")]),
                line(
                    "EV04",
                    &[
                        ("definition_class", "self_report"),
                        ("rate", "0.25"),
                        ("n", "80"),
                    ],
                ),
                line("EV05", &[("condition", "alcohol_misuse")]),
            ],
        )
        .unwrap();
        let summary = summarise(
            &studies,
            "current_mental_illness",
            IntervalMethod::DerSimonianLaird,
        );
        let classes: Vec<DefinitionClass> = summary.iter().map(|s| s.class).collect();
        assert_eq!(
            classes,
            [
                DefinitionClass::ClinicalDiagnosis,
                DefinitionClass::SelfReport
            ]
        );
        assert_eq!(summary[0].studies.len(), 3);
        let clinical = summary[0].pooled.as_ref().unwrap();
        assert_eq!(clinical.k, 2);
        // EV01 and EV02 pooled, EV03 (pool = no) left out: the mean lies
        // between 0.3 and 0.5, which it could not with 0.9 in.
        assert!(clinical.estimate > 0.3 && clinical.estimate < 0.5);
        assert_eq!(summary[1].pooled.as_ref().unwrap().k, 1);
    }
}

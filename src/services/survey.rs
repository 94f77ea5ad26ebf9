//! The 2017 national survey of commissioned health services for people on
//! probation (Sirdifield et al. 2019): the published share of organisations
//! with each kind of service, the comparator beneath each bar of the
//! provision-by-category chart.

use crate::error::{Error, Result};
use crate::input::Table;
use std::collections::BTreeMap;

/// A survey's percentages of organisations with each kind of service, for
/// comparison, keyed by category id.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    /// Who was surveyed, when, and how many: shown in the legend.
    pub label: String,
    /// Beside each bar: "2017 CCG survey".
    pub short: String,
    pub percent: BTreeMap<String, f64>,
}

/// The survey's sub-category names (Tables 3 and 5) as they begin or
/// contain, and the category each is. ATR and DRR provision are published
/// separately and MHTR not at all, so treatment requirements have no
/// survey figure.
const SURVEY_NAMES: [(&str, &str); 10] = [
    ("diversion", "diversion"),
    ("mappa", "mappa_contribution"),
    ("clinic in probation offices", "probation_office_clinic"),
    ("criminal justice mental health team", "cjmht_contribution"),
    ("integrated offender management", "iom_contribution"),
    ("substance misuse", "substance_misuse"),
    ("iapt", "talking_therapies"),
    ("personality disorder", "personality_disorder_pathway"),
    ("approved premises", "approved_premises_inreach"),
    ("through the gate", "through_the_gate"),
];

impl Survey {
    /// The sub-category figures for one kind of organisation ("Clinical
    /// Commissioning Group" or "Mental Health Trust") from
    /// `evidence/survey_2017_services.csv`: the published percentage with
    /// any service of the kind (probation-specific or an element).
    pub fn from_table(table: &Table, organisation_type: &str) -> Result<Survey> {
        table.require(&[
            "survey_year",
            "organisation_type",
            "N",
            "category_level",
            "service_category",
            "total_pct_published",
        ])?;
        let mut percent = BTreeMap::new();
        let mut header = None;
        for r in table.records() {
            if r.text("organisation_type")? != organisation_type
                || r.text("category_level")? != "sub-category"
            {
                continue;
            }
            header = Some((r.text("survey_year")?, r.number("N")?));
            let name = r.text("service_category")?.to_lowercase();
            if let Some((_, category)) = SURVEY_NAMES.iter().find(|(n, _)| name.contains(n)) {
                percent.insert(category.to_string(), r.number("total_pct_published")?);
            }
        }
        let Some((year, n)) = header else {
            return Err(Error::input(
                &table.path,
                format!("no sub-category rows for organisation_type '{organisation_type}'"),
            )
            .hint("organisation_type is 'Clinical Commissioning Group' or 'Mental Health Trust'"));
        };
        let initials: String = organisation_type
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .collect();
        Ok(Survey {
            label: format!("{organisation_type}s, {year} survey (N = {n})"),
            short: format!("{year} {initials} survey"),
            percent,
        })
    }
}

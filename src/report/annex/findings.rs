//! Findings in plain English, written from the numbers of one Board's rows
//! (after small-number suppression), and the actions the national toolkit
//! suggests where gaps appear.

use super::Published;
use crate::gap::{Basis, GapRow};
use crate::numbers::thousands;
use crate::prevalence::Domain;
use crate::services::{Service, Status};
use crate::stats::estimate::Estimate;
use crate::uncertainty::summary::Difference;

/// The Board's row for a condition.
pub fn row<'a>(rows: &[&'a GapRow], condition: &str) -> Option<&'a GapRow> {
    rows.iter().copied().find(|r| r.condition == condition)
}

/// "An estimated 1,240 people on probation in Nottingham (95% interval
/// 1,050 to 1,430) have a current mental illness: 250 in every 100,000
/// adults (95% interval 210 to 290)."
pub fn need_sentence(p: &Published, name: &str, row: &GapRow, having: &str) -> String {
    format!(
        "An estimated {} people on probation in {name} (95% interval {} to {}) {having}: {}.",
        p.count(row.need.value),
        p.count(row.need.lower),
        p.count(row.need.upper),
        per_adults(p, &row.need_rate, row.need.value)
    )
}

/// "250 in every 100,000 adults (95% interval 210 to 290)", or the rule's
/// words where the count is suppressed.
fn per_adults(p: &Published, rate: &Estimate, count: f64) -> String {
    if p.suppresses(count) {
        return "too few people to publish a rate".to_string();
    }
    format!(
        "{} in every 100,000 adults (95% interval {} to {})",
        thousands(rate.value, 0),
        thousands(rate.lower, 0),
        thousands(rate.upper, 0)
    )
}

/// How a rate stands against England's, in words an analyst can quote:
/// higher or lower only where the simulated interval of the difference
/// excludes zero.
pub fn against_england(row: &GapRow, england_rate: f64) -> String {
    let england = thousands(england_rate, 0);
    match row.against_england.map(|[at_95, _]| at_95) {
        Some(Difference::Higher) => format!("higher than England's {england}"),
        Some(Difference::Lower) => format!("lower than England's {england}"),
        Some(Difference::Similar) => {
            format!("similar to England's {england} (the difference's 95% interval includes zero)")
        }
        None => format!("England: {england}"),
    }
}

/// What provision is recorded in a domain, in a sentence.
pub fn provision_sentence(name: &str, domain: &str, row: &GapRow, services: &[Service]) -> String {
    let names = service_names(&row.provision.services, services);
    match row.provision.status {
        Status::NoneRecorded => format!(
            "No {domain} service for people on probation, specific or within a mainstream service, is recorded for {name}."
        ),
        Status::ProbationElement => format!(
            "The {domain} provision recorded for {name} is a probation element within a mainstream service ({names}); no probation-specific service is recorded."
        ),
        Status::ProbationSpecific => {
            format!("A probation-specific {domain} service is recorded for {name}: {names}.")
        }
    }
}

/// Service names for ids, in the order given.
pub fn service_names(ids: &[String], services: &[Service]) -> String {
    ids.iter()
        .filter_map(|id| services.iter().find(|s| &s.id == id))
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// How much of the need is unmet and how that was found, with its rate
/// against England's (`england_rate`, per 100,000 adults).
pub fn unmet_sentence(
    p: &Published,
    row: &GapRow,
    finding: &str,
    england_rate: Option<f64>,
) -> Option<String> {
    let unmet = row.unmet?;
    let rate = row.unmet_rate?;
    let figure = format!(
        "about {} (95% interval {} to {})",
        p.count(unmet.value),
        p.count(unmet.lower),
        p.count(unmet.upper)
    );
    let mut rate = per_adults(p, &rate, unmet.value);
    if let Some(england) = england_rate.filter(|_| !p.suppresses(unmet.value)) {
        rate = format!("{rate}, {}", against_england(row, england));
    }
    Some(match row.basis {
        Basis::NationalTreatmentAccess => format!(
            "On national evidence ({finding}), {figure} of them are likely to receive no treatment: {rate}."
        ),
        Basis::Capacity => format!(
            "After the {} places apportioned to the area from services that state a capacity, {figure} of them have unmet need: {rate}.",
            p.count(row.capacity.unwrap_or(0.0))
        ),
        Basis::NotAssessed => return None,
    })
}

/// Actions from the national probation healthcare commissioning toolkit
/// that answer the gaps this Board's rows show.
pub fn actions(rows: &[&GapRow], name: &str) -> Vec<String> {
    let status = |domain: Domain| {
        rows.iter()
            .filter(|r| r.domain == domain)
            .map(|r| r.provision.status)
            .max()
            .unwrap_or(Status::NoneRecorded)
    };
    let mut actions = Vec::new();
    if status(Domain::MentalHealth) < Status::ProbationSpecific {
        actions.push(format!(
            "Commission a probation-specific mental health pathway for {name}: co-locate mental health practitioners in probation offices (few areas had clinics in probation offices in the 2017 national survey) and agree referral routes with the community mental health team."
        ));
        actions.push("Agree a Community Sentence Treatment Requirement protocol with the courts, so that Mental Health Treatment Requirements can be offered (the CSTR programme).".to_string());
    }
    if status(Domain::SubstanceMisuse) < Status::ProbationSpecific {
        actions.push("Make sure drug and alcohol treatment services take referrals from probation, including for Drug Rehabilitation and Alcohol Treatment Requirements.".to_string());
    }
    let personality_gap = rows
        .iter()
        .any(|r| r.domain == Domain::PersonalityDisorder && r.unmet.is_some_and(|u| u.value > 0.0));
    if personality_gap {
        actions.push("Work with the Offender Personality Disorder pathway on a local offer: the national IIRMS places reach a small share of people on probation with a personality disorder.".to_string());
    }
    actions.push("Check GP registration for people on probation and support registration at induction: people who are not registered cannot be referred.".to_string());
    actions.push("Replace the caseload estimate with real figures: the Ministry of Justice can count caseload by home postcode on request (Freedom of Information request or through probation regional performance teams).".to_string());
    actions
}

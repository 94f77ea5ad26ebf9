//! Findings in plain English, written from the numbers of one Board's rows
//! (after small-number suppression), and the actions the national toolkit
//! suggests where gaps appear.

use super::Published;
use crate::gap::{Basis, GapRow};
use crate::prevalence::Domain;
use crate::services::{Service, Status};

/// The Board's row for a condition.
pub fn row<'a>(rows: &[&'a GapRow], condition: &str) -> Option<&'a GapRow> {
    rows.iter().copied().find(|r| r.condition == condition)
}

/// "An estimated 1,240 people on probation in Nottingham (95% interval
/// 1,050 to 1,430) have a current mental illness."
pub fn need_sentence(p: &Published, name: &str, row: &GapRow, having: &str) -> String {
    format!(
        "An estimated {} people on probation in {name} (95% interval {} to {}) {having}.",
        p.count(row.need.need),
        p.count(row.need.lower),
        p.count(row.need.upper)
    )
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

/// How unmet need was found, in a clause that follows "about N of them".
pub fn unmet_sentence(p: &Published, row: &GapRow, finding: &str) -> Option<String> {
    let unmet = row.unmet?;
    let figure = format!(
        "about {} (95% interval {} to {})",
        p.count(unmet.need),
        p.count(unmet.lower),
        p.count(unmet.upper)
    );
    Some(match row.basis {
        Basis::NationalTreatmentAccess => format!(
            "On national evidence ({finding}), {figure} of them are likely to receive no treatment."
        ),
        Basis::Capacity => format!(
            "After the {} places apportioned to the area from services that state a capacity, {figure} of them have unmet need.",
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
        .any(|r| r.domain == Domain::PersonalityDisorder && r.unmet.is_some_and(|u| u.need > 0.0));
    if personality_gap {
        actions.push("Work with the Offender Personality Disorder pathway on a local offer: the national IIRMS places reach a small share of people on probation with a personality disorder.".to_string());
    }
    actions.push("Check GP registration for people on probation and support registration at induction: people who are not registered cannot be referred.".to_string());
    actions.push("Replace the caseload estimate with real figures: the Ministry of Justice can count caseload by home postcode on request (Freedom of Information request or through probation regional performance teams).".to_string());
    actions
}

//! Which estimate each condition's prevalence is: the evidence policy of the
//! configuration (`[evidence_policy]`), resolved against the evidence table.
//!
//! Per condition the policy is `"pooled"` (the random-effects estimate of the
//! one definition class with two or more eligible figures, or
//! `{ pooled = "<class>" }` to name the class), `{ study = "<id>" }` (one
//! figure of the evidence table) or `"local"` (the prevalence table's own
//! figure). A condition the configuration leaves out is pooled where exactly
//! one class has two or more eligible figures, and local otherwise.
//!
//! Eligible means what the synthesis pools: marked `pool = yes` (which the
//! reader allows only for figures verified at source or in a secondary
//! report) and weighable (a sample size, or a published interval).

use super::pool::{self, Distribution, IntervalMethod, Pooled};
use super::{DefinitionClass, Study, Verified};
use crate::error::{Error, ErrorKind, Result};
use crate::prevalence::{Estimate, IntervalBasis, Prevalence, Source};
use crate::stats::wilson::{self, Z95, Z998};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the configuration asks for one condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// The pooled estimate of the named class, or of the one class that can be pooled.
    Pooled(Option<DefinitionClass>),
    /// One figure of the evidence table, by id.
    Study(String),
    /// The prevalence table's own figure.
    Local,
}

impl Serialize for Policy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Policy::Pooled(None) => s.serialize_str("pooled"),
            Policy::Pooled(Some(class)) => {
                BTreeMap::from([("pooled", class.as_str())]).serialize(s)
            }
            Policy::Study(id) => BTreeMap::from([("study", id.as_str())]).serialize(s),
            Policy::Local => s.serialize_str("local"),
        }
    }
}

/// One condition's policy as written, with its line in the configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub condition: String,
    pub policy: Policy,
    #[serde(skip)]
    pub line: Option<u64>,
}

/// The configuration's evidence policy: what it names, and the file, so
/// that a policy the evidence cannot meet is reported at its line.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct EvidencePolicy {
    pub entries: Vec<Entry>,
    #[serde(skip)]
    pub file: PathBuf,
}

/// How a condition's estimate was chosen, for the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub condition: String,
    /// The policy applied: as configured, or the default.
    pub policy: Policy,
    pub configured: bool,
    pub estimate: Estimate,
    /// What the simulation draws the prevalence from (None: the prevalence
    /// table's own figure, drawn as it always is).
    pub drawn: Option<Distribution>,
}

impl EvidencePolicy {
    /// The `[evidence_policy]` table of a configuration: each value is
    /// "pooled", "local", { study = "<id>" } or { pooled = "<class>" }.
    pub fn parse(
        file: &Path,
        text: &str,
        written: &BTreeMap<String, toml::Spanned<toml::Value>>,
    ) -> Result<EvidencePolicy> {
        let mut entries = Vec::new();
        for (condition, value) in written {
            let line = 1 + text[..value.span().start].matches('\n').count() as u64;
            let policy = parse_value(value.get_ref()).ok_or_else(|| {
                Error::input(
                    file,
                    format!("evidence_policy.{condition} is not a policy: {}", value.get_ref()),
                )
                .line(line)
                .key(format!("evidence_policy.{condition}"))
                .kind(ErrorKind::Config)
                .hint(format!(
                    "write \"pooled\", \"local\", {{ study = \"EV01\" }} or {{ pooled = \"<class>\" }} with a class from: {}",
                    DefinitionClass::ALL.map(DefinitionClass::as_str).join(", ")
                ))
            })?;
            entries.push(Entry {
                condition: condition.clone(),
                policy,
                line: Some(line),
            });
        }
        Ok(EvidencePolicy {
            entries,
            file: file.to_path_buf(),
        })
    }

    /// An error at a condition's line of the configuration.
    fn error(&self, entry: Option<&Entry>, condition: &str, message: String) -> Error {
        let mut e = Error::input(&self.file, message)
            .key(format!("evidence_policy.{condition}"))
            .kind(ErrorKind::Config);
        if let Some(line) = entry.and_then(|e| e.line) {
            e = e.line(line);
        }
        e
    }
}

fn parse_value(value: &toml::Value) -> Option<Policy> {
    match value {
        toml::Value::String(word) if word == "pooled" => Some(Policy::Pooled(None)),
        toml::Value::String(word) if word == "local" => Some(Policy::Local),
        toml::Value::Table(t) if t.len() == 1 => match t.iter().next()? {
            (key, toml::Value::String(id)) if key == "study" => Some(Policy::Study(id.clone())),
            (key, toml::Value::String(class)) if key == "pooled" => {
                DefinitionClass::parse(class).map(|c| Policy::Pooled(Some(c)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The figures of a condition and class that enter its pool, in id order.
fn eligible<'a>(studies: &'a [Study], condition: &str, class: DefinitionClass) -> Vec<&'a Study> {
    let mut members: Vec<&Study> = studies
        .iter()
        .filter(|s| s.condition == condition && s.class == class)
        .filter(|s| s.pool && s.observation().is_some())
        .collect();
    members.sort_by(|a, b| a.id.cmp(&b.id));
    members
}

/// The classes of a condition with two or more eligible figures.
fn poolable(studies: &[Study], condition: &str) -> Vec<DefinitionClass> {
    DefinitionClass::ALL
        .into_iter()
        .filter(|&class| eligible(studies, condition, class).len() >= 2)
        .collect()
}

/// Each condition's estimate (in the order given) under the policy; an
/// error names the configuration's line where the evidence cannot meet it.
pub fn choose(
    policy: &EvidencePolicy,
    conditions: &[&str],
    studies: &[Study],
    method: IntervalMethod,
) -> Result<Vec<Choice>> {
    for entry in &policy.entries {
        if !conditions.contains(&entry.condition.as_str()) {
            return Err(policy
                .error(
                    Some(entry),
                    &entry.condition,
                    format!(
                        "evidence_policy names condition '{}', which is not in the prevalence table",
                        entry.condition
                    ),
                )
                .kind(ErrorKind::Unknown)
                .hint(format!("use one of: {}", conditions.join(", "))));
        }
    }
    conditions
        .iter()
        .map(|&condition| {
            let entry = policy.entries.iter().find(|e| e.condition == condition);
            let classes = poolable(studies, condition);
            let (written, configured) = match entry {
                Some(e) => (e.policy.clone(), true),
                None if classes.len() == 1 => (Policy::Pooled(None), false),
                None => (Policy::Local, false),
            };
            let (estimate, drawn) = match &written {
                Policy::Local => (Estimate::local(), None),
                Policy::Pooled(class) => {
                    let class = pooled_class(policy, entry, condition, *class, &classes)?;
                    pooled(&eligible(studies, condition, class), class, method)
                }
                Policy::Study(id) => single(policy, entry, condition, id, studies)?,
            };
            Ok(Choice {
                condition: condition.to_string(),
                policy: written,
                configured,
                estimate,
                drawn,
            })
        })
        .collect()
}

/// The class a `pooled` policy pools, which must have two or more eligible figures.
fn pooled_class(
    policy: &EvidencePolicy,
    entry: Option<&Entry>,
    condition: &str,
    named: Option<DefinitionClass>,
    classes: &[DefinitionClass],
) -> Result<DefinitionClass> {
    let names = || {
        classes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (named, classes) {
        (Some(class), _) if classes.contains(&class) => Ok(class),
        (None, [class]) => Ok(*class),
        (None, []) | (Some(_), []) => Err(policy
            .error(
                entry,
                condition,
                format!(
                    "{condition} is to be pooled, but no definition class has two or more eligible figures in the evidence table"
                ),
            )
            .hint("pooling needs two figures of one class marked pool = yes with a sample size; name one study with { study = \"EV..\" }, or use \"local\"")),
        (Some(class), _) => Err(policy
            .error(
                entry,
                condition,
                format!(
                    "{condition} is to be pooled in class {}, which has fewer than two eligible figures",
                    class.as_str()
                ),
            )
            .hint(format!("classes that can be pooled for {condition}: {}", names()))),
        (None, _) => Err(policy
            .error(
                entry,
                condition,
                format!("{condition} can be pooled in more than one definition class"),
            )
            .hint(format!(
                "name the class, e.g. {condition} = {{ pooled = \"{}\" }}, from: {}",
                classes[0].as_str(),
                names()
            ))),
    }
}

/// One named figure, which must be of the condition, read at some source
/// and weighable.
fn single(
    policy: &EvidencePolicy,
    entry: Option<&Entry>,
    condition: &str,
    id: &str,
    studies: &[Study],
) -> Result<(Estimate, Option<Distribution>)> {
    let Some(study) = studies.iter().find(|s| s.id == id) else {
        return Err(policy
            .error(
                entry,
                condition,
                format!("study '{id}' is not in the evidence table"),
            )
            .kind(ErrorKind::Unknown)
            .hint(format!(
                "name a figure of {condition} from datasets/evidence.csv: {}",
                studies
                    .iter()
                    .filter(|s| s.condition == condition)
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
    };
    let refuse = |message: String, hint: &str| {
        Err(policy
            .error(entry, condition, message)
            .hint(hint.to_string()))
    };
    if study.condition != condition {
        return refuse(
            format!(
                "study {id} is a figure of {}, not of {condition}",
                study.condition
            ),
            "name a figure of this condition from the evidence table",
        );
    }
    if study.verified == Verified::No {
        return refuse(
            format!("study {id} has not been verified at any source (verified = no)"),
            "a figure nobody has read at a source cannot set a prevalence: name a verified one",
        );
    }
    let Some(observation) = study.observation() else {
        return refuse(
            format!("study {id} has no sample size or published interval"),
            "its uncertainty cannot be drawn: name a figure with n, or give its n in the evidence table",
        );
    };
    let Some(p) = pool::pool(&[observation], IntervalMethod::default()) else {
        return Err(Error::internal("one observation always gives an estimate"));
    };
    let estimate = Estimate {
        source: Source::Study,
        class: Some(study.class.as_str().to_string()),
        ids: vec![study.id.clone()],
        ..from_pooled(&p)
    };
    Ok((estimate, Some(drawn(&p))))
}

/// The random-effects estimate of a class's eligible figures.
fn pooled(
    members: &[&Study],
    class: DefinitionClass,
    method: IntervalMethod,
) -> (Estimate, Option<Distribution>) {
    let observations: Vec<_> = members.iter().filter_map(|s| s.observation()).collect();
    let p = pool::pool(&observations, method).expect("a pooled class has two or more figures");
    let estimate = Estimate {
        source: Source::Pooled,
        class: Some(class.as_str().to_string()),
        ids: members.iter().map(|s| s.id.clone()).collect(),
        ..from_pooled(&p)
    };
    (estimate, Some(drawn(&p)))
}

fn from_pooled(p: &Pooled) -> Estimate {
    let h = p.heterogeneity;
    Estimate {
        source: Source::Pooled,
        class: None,
        k: Some(p.k),
        ids: Vec::new(),
        mean_interval: Some((p.lower, p.upper)),
        prediction: p.prediction,
        tau2: h.map(|h| h.tau2),
        i2: h.map(|h| h.i2),
    }
}

/// What the simulation draws an area's prevalence from. One figure: its
/// sampling distribution (Jeffreys' Beta, or the logit-normal of its
/// published interval). Pooled: the random-effects distribution of the
/// proportion in a new setting, normal on the logit scale with variance
/// tau² + se² (Higgins, Thompson & Spiegelhalter 2009), since an area's true
/// prevalence varies between settings as the studies' do, not only by the
/// uncertainty of their mean.
pub fn drawn(p: &Pooled) -> Distribution {
    p.predictive.unwrap_or(p.distribution)
}

/// A prevalence as the chosen estimate gives it: rate, the 95% and 99.8%
/// intervals of the distribution drawn, and the evidence behind it. A
/// local estimate leaves the row as the prevalence table has it.
pub fn adopt(p: &mut Prevalence, choice: &Choice, studies: &[Study]) {
    let Some(distribution) = choice.drawn else {
        return;
    };
    let estimate = &choice.estimate;
    let members: Vec<&Study> = estimate
        .ids
        .iter()
        .filter_map(|id| studies.iter().find(|s| &s.id == id))
        .collect();
    let (rate, n, basis) = match (distribution, members.as_slice()) {
        (Distribution::Beta { alpha, beta }, [one]) => {
            (one.rate, Some(alpha + beta - 1.0), IntervalBasis::Wilson)
        }
        (Distribution::LogitNormal { .. }, [one]) => (one.rate, one.n, IntervalBasis::Published),
        (Distribution::LogitNormal { mean, .. }, _) => {
            (pool::expit(mean), None, IntervalBasis::Prediction)
        }
        (Distribution::Beta { .. }, _) => unreachable!("only a single study is drawn from a Beta"),
    };
    // A single study's published interval stands as published, as the
    // prevalence table gives it.
    let published = match members.as_slice() {
        [one] => one.published,
        _ => None,
    };
    let (lower, upper) = published.unwrap_or_else(|| interval(distribution, Z95));
    let (lower_998, upper_998) = published.unwrap_or_else(|| interval(distribution, Z998));
    // The lowest grade of the figures behind it (C below B below A).
    let grade = members.iter().map(|s| s.evidence_grade.as_str()).max();
    *p = Prevalence {
        rate,
        lower,
        upper,
        lower_998,
        upper_998,
        n,
        interval_basis: basis,
        evidence_grade: grade.unwrap_or(&p.evidence_grade).to_string(),
        evidence_id: estimate.ids.join(" "),
        citation: members
            .iter()
            .map(|s| s.citation.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        verified: members
            .iter()
            .map(|s| match s.verified {
                Verified::Yes => "yes",
                Verified::Secondary => "secondary",
                Verified::No => "no",
            })
            .collect::<Vec<_>>()
            .join(" "),
        estimate: estimate.clone(),
        ..p.clone()
    };
}

/// The central interval of a distribution at normal quantile `z`: Wilson's
/// for a single sample (as the prevalence table gives it), the logit-normal
/// quantiles otherwise.
fn interval(distribution: Distribution, z: f64) -> (f64, f64) {
    match distribution {
        Distribution::Beta { alpha, beta } => wilson::interval(alpha - 0.5, alpha + beta - 1.0, z),
        Distribution::LogitNormal { mean, sd } => {
            (pool::expit(mean - z * sd), pool::expit(mean + z * sd))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prevalence::Domain;
    use crate::uncertainty::model;
    use crate::uncertainty::sample::generator;

    fn study(id: &str, condition: &str, events: f64, n: f64, pool: bool) -> Study {
        Study {
            id: id.into(),
            condition: condition.into(),
            class: DefinitionClass::ScreeningInstrument,
            rate: events / n,
            n: Some(n),
            numerator: Some(events),
            published: None,
            population: "probation".into(),
            country: "England".into(),
            fieldwork: String::new(),
            timeframe: String::new(),
            instrument: String::new(),
            evidence_grade: "A".into(),
            verified: Verified::Yes,
            how_verified: "abstract".into(),
            pool,
            short_name: id.into(),
            citation: id.into(),
            notes: String::new(),
        }
    }

    /// 30/100, 50/100 and 45/90 of one class, and one figure not pooled.
    fn studies() -> Vec<Study> {
        vec![
            study("EV01", "alcohol_misuse", 30.0, 100.0, true),
            study("EV02", "alcohol_misuse", 50.0, 100.0, true),
            study("EV03", "alcohol_misuse", 45.0, 90.0, true),
            study("EV04", "alcohol_misuse", 10.0, 100.0, false),
            study("EV05", "drug_misuse", 12.0, 173.0, true),
        ]
    }

    fn table_prevalence(condition: &str) -> Prevalence {
        Prevalence {
            condition: condition.into(),
            label: condition.into(),
            domain: Domain::SubstanceMisuse,
            rate: 0.5,
            lower: 0.43,
            upper: 0.57,
            lower_998: 0.38,
            upper_998: 0.62,
            n: Some(173.0),
            interval_basis: IntervalBasis::Wilson,
            timeframe: "current".into(),
            evidence_grade: "C".into(),
            evidence_id: "PP09".into(),
            citation: "table".into(),
            verified: "secondary".into(),
            notes: String::new(),
            estimate: Estimate::local(),
        }
    }

    fn written(entries: &[(&str, Policy)]) -> EvidencePolicy {
        EvidencePolicy {
            entries: entries
                .iter()
                .map(|(c, p)| Entry {
                    condition: c.to_string(),
                    policy: p.clone(),
                    line: Some(7),
                })
                .collect(),
            file: PathBuf::from("jsna.toml"),
        }
    }

    const CONDITIONS: [&str; 2] = ["alcohol_misuse", "drug_misuse"];

    #[test]
    fn the_default_pools_where_one_class_has_two_figures_and_is_local_elsewhere() {
        let choices = choose(
            &EvidencePolicy::default(),
            &CONDITIONS,
            &studies(),
            IntervalMethod::default(),
        )
        .unwrap();
        assert_eq!(choices[0].policy, Policy::Pooled(None));
        assert!(!choices[0].configured);
        assert_eq!(choices[0].estimate.source, Source::Pooled);
        assert_eq!(choices[0].estimate.ids, ["EV01", "EV02", "EV03"]);
        assert_eq!(choices[0].estimate.k, Some(3));
        // One figure of drug misuse: nothing to pool, so the table's own.
        assert_eq!(choices[1].policy, Policy::Local);
        assert_eq!(choices[1].estimate, Estimate::local());
        assert_eq!(choices[1].drawn, None);
    }

    #[test]
    fn the_engine_draws_a_pooled_prevalence_from_its_prediction_distribution() {
        // By hand (DerSimonian–Laird on the logits of 30/100, 50/100, 45/90):
        // Q = 10.454290, tau² = 0.185615, random-effects mean −0.278024 with
        // se 0.276643; the prediction distribution's sd is
        // sqrt(0.185615 + 0.276643²) = 0.512002, so the 2.5%, 50% and 97.5%
        // quantiles of the prevalence are logistic(−0.278024 ∓ 1.959964 ×
        // 0.512002) = 0.217290 and 0.673813, and logistic(−0.278024) = 0.430938.
        let studies = studies();
        let choices = choose(
            &EvidencePolicy::default(),
            &CONDITIONS,
            &studies,
            IntervalMethod::default(),
        )
        .unwrap();
        let mut p = table_prevalence("alcohol_misuse");
        adopt(&mut p, &choices[0], &studies);
        assert!((p.rate - 0.430938).abs() < 1e-6, "{}", p.rate);
        assert!((p.lower - 0.217290).abs() < 1e-6 && (p.upper - 0.673813).abs() < 1e-6);
        assert_eq!(p.interval_basis, IntervalBasis::Prediction);
        assert_eq!(p.evidence_id, "EV01 EV02 EV03");
        let i2 = p.estimate.i2.unwrap();
        assert!((i2 - (1.0 - 2.0 / 10.454290)).abs() < 1e-6, "{i2}");

        // The simulation's own distribution for the row, drawn 40,000 times.
        let drawn = model::prevalence(&p);
        let draws = 40_000;
        let mut values: Vec<f64> = (0..draws)
            .map(|d| drawn.sample(&mut generator(11, d)))
            .collect();
        values.sort_by(f64::total_cmp);
        let q = |f: f64| values[(f * draws as f64) as usize];
        assert!((q(0.025) - 0.217290).abs() < 0.005, "{}", q(0.025));
        assert!((q(0.5) - 0.430938).abs() < 0.005, "{}", q(0.5));
        assert!((q(0.975) - 0.673813).abs() < 0.005, "{}", q(0.975));
        // Not the narrower interval of the mean: logistic(−0.278024 ± 1.959964
        // × 0.276643) = 0.305 to 0.565 would leave a fifth of the draws
        // outside it.
        let outside = values.iter().filter(|v| **v < 0.305 || **v > 0.565).count();
        assert!(outside as f64 / draws as f64 > 0.2, "{outside}");
    }

    #[test]
    fn a_named_study_is_drawn_from_its_jeffreys_beta() {
        let studies = studies();
        let policy = written(&[("drug_misuse", Policy::Study("EV05".into()))]);
        let choices = choose(&policy, &CONDITIONS, &studies, IntervalMethod::default()).unwrap();
        assert!(choices[1].configured);
        assert_eq!(
            choices[1].drawn,
            Some(Distribution::Beta {
                alpha: 12.5,
                beta: 161.5
            })
        );
        let mut p = table_prevalence("drug_misuse");
        adopt(&mut p, &choices[1], &studies);
        assert_eq!(p.rate, 12.0 / 173.0);
        assert_eq!(p.n, Some(173.0));
        assert_eq!(p.interval_basis, IntervalBasis::Wilson);
        // Wilson's interval for 12 of 173, as the prevalence table gives one.
        assert_eq!((p.lower, p.upper), wilson::interval(12.0, 173.0, Z95));
        assert_eq!(p.estimate.source, Source::Study);
    }

    #[test]
    fn policies_the_evidence_cannot_meet_name_the_config_line() {
        let studies = studies();
        for (condition, policy, message) in [
            ("anxiety", Policy::Local, "not in the prevalence table"),
            (
                "drug_misuse",
                Policy::Study("EV99".into()),
                "'EV99' is not in the evidence table",
            ),
            (
                "drug_misuse",
                Policy::Study("EV01".into()),
                "a figure of alcohol_misuse, not of drug_misuse",
            ),
            (
                "drug_misuse",
                Policy::Pooled(None),
                "no definition class has two or more",
            ),
            (
                "alcohol_misuse",
                Policy::Pooled(Some(DefinitionClass::AssessmentNeed)),
                "class assessment_need, which has fewer than two",
            ),
        ] {
            let e = choose(
                &written(&[(condition, policy)]),
                &CONDITIONS,
                &studies,
                IntervalMethod::default(),
            )
            .unwrap_err();
            assert!(e.message.contains(message), "{e}");
            assert_eq!(e.location.line, Some(7), "{e}");
            assert_eq!(
                e.location.key.as_deref(),
                Some(&*format!("evidence_policy.{condition}"))
            );
            assert_eq!(e.exit_code(), 2);
            assert!(e.hint.is_some(), "{e}");
        }
    }

    #[test]
    fn policies_parse_from_toml_with_their_lines() {
        let text = "a = \"pooled\"\nb = { study = \"EV05\" }\nc = \"local\"\nd = { pooled = \"self_report\" }\n";
        let table: BTreeMap<String, toml::Spanned<toml::Value>> = toml::from_str(text).unwrap();
        let p = EvidencePolicy::parse(Path::new("jsna.toml"), text, &table).unwrap();
        let got: Vec<(&str, &Policy, Option<u64>)> = p
            .entries
            .iter()
            .map(|e| (e.condition.as_str(), &e.policy, e.line))
            .collect();
        assert_eq!(
            got,
            [
                ("a", &Policy::Pooled(None), Some(1)),
                ("b", &Policy::Study("EV05".into()), Some(2)),
                ("c", &Policy::Local, Some(3)),
                (
                    "d",
                    &Policy::Pooled(Some(DefinitionClass::SelfReport)),
                    Some(4)
                ),
            ]
        );
        let bad = "a = \"best\"\n";
        let table: BTreeMap<String, toml::Spanned<toml::Value>> = toml::from_str(bad).unwrap();
        let e = EvidencePolicy::parse(Path::new("jsna.toml"), bad, &table).unwrap_err();
        assert_eq!(e.location.line, Some(1));
        assert_eq!(e.exit_code(), 2);
    }
}

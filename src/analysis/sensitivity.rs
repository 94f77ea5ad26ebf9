//! Sensitivity: how much the ranking of areas depends on the assumptions.
//! The estimates are rerun with each caseload proxy and with the low and
//! high prevalence bounds; areas are ranked by the published figure's rate
//! (unmet need per 100,000 adults, or need where unmet need is not
//! assessed) in each scenario, and the areas that stay in the top fifth
//! under every scenario are the robust findings. (The simulation's
//! probability of being in the top fifth, in gap.csv, weighs the same
//! assumptions by their uncertainty; these scenarios show each one alone.)

use crate::caseload::Proxy;
use crate::gap::{Figure, GapRow, Scale};
use crate::geography::Level;
use crate::prevalence::Prevalence;
use crate::uncertainty::summary::top_fifth_size;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a scenario changes: the caseload proxy, and where the prevalence
/// sits within its interval.
pub struct ScenarioSpec {
    pub name: String,
    pub proxy: Proxy,
    pub prevalence: PrevalenceAt,
    /// The run's own assumptions: its rows are the published ones.
    pub base: bool,
}

/// Where a scenario puts every prevalence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrevalenceAt {
    Estimate,
    Lower,
    Upper,
}

impl PrevalenceAt {
    /// The prevalence table with every rate moved to this point.
    pub fn apply(self, prevalence: &[Prevalence]) -> Vec<Prevalence> {
        prevalence
            .iter()
            .map(|p| Prevalence {
                rate: match self {
                    PrevalenceAt::Estimate => p.rate,
                    PrevalenceAt::Lower => p.lower,
                    PrevalenceAt::Upper => p.upper,
                },
                ..p.clone()
            })
            .collect()
    }
}

/// The scenarios: the base (the configured proxy, prevalence as estimated),
/// each other proxy, and the prevalence at its lower and upper 95% bounds.
pub fn scenarios(chosen: Proxy) -> Vec<ScenarioSpec> {
    let proxies = Proxy::ALL.into_iter().map(|proxy| ScenarioSpec {
        name: if proxy == chosen {
            "base".to_string()
        } else {
            format!("proxy_{}", proxy.as_str())
        },
        proxy,
        prevalence: PrevalenceAt::Estimate,
        base: proxy == chosen,
    });
    let bounds = [
        ("prevalence_lower", PrevalenceAt::Lower),
        ("prevalence_upper", PrevalenceAt::Upper),
    ]
    .map(|(name, at)| ScenarioSpec {
        name: name.to_string(),
        proxy: chosen,
        prevalence: at,
        base: false,
    });
    proxies.chain(bounds).collect()
}

impl ScenarioSpec {
    pub fn with_rows(&self, rows: Vec<GapRow>) -> Scenario {
        Scenario {
            name: self.name.clone(),
            base: self.base,
            rows,
        }
    }
}

/// One scenario's gap rows, named (e.g. `proxy_income_scale`, `prevalence_lower`).
pub struct Scenario {
    pub name: String,
    pub base: bool,
    pub rows: Vec<GapRow>,
}

/// The base scenario's rows: the published ones.
pub fn base(scenarios: Vec<Scenario>) -> Vec<GapRow> {
    scenarios
        .into_iter()
        .find(|s| s.base)
        .map(|s| s.rows)
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityRow {
    pub level: Level,
    pub area_code: String,
    pub area_name: String,
    pub condition: String,
    pub scenario: String,
    /// `unmet_need`, or `need` where unmet need is not assessed.
    pub column: &'static str,
    pub value: f64,
    /// 1 = the highest value among the level's areas for the condition.
    pub rank: usize,
    pub top_fifth: bool,
    /// In the top fifth under every scenario.
    pub top_fifth_in_every_scenario: bool,
}

/// Ranks every scenario's areas within level × condition. Ties keep area-code
/// order, so ranks are deterministic.
pub fn rank(scenarios: &[Scenario]) -> Vec<SensitivityRow> {
    let mut out = Vec::new();
    for scenario in scenarios {
        let mut groups: BTreeMap<(Level, &str), Vec<&GapRow>> = BTreeMap::new();
        for row in &scenario.rows {
            groups
                .entry((row.level, &row.condition))
                .or_default()
                .push(row);
        }
        for rows in groups.values() {
            let figure = Figure::of(rows);
            let ranked = figure.ranked(rows, Scale::Rate);
            let cut = top_fifth_size(ranked.len());
            for (i, (row, estimate)) in ranked.into_iter().enumerate() {
                out.push(SensitivityRow {
                    level: row.level,
                    area_code: row.area_code.clone(),
                    area_name: row.area_name.clone(),
                    condition: row.condition.clone(),
                    scenario: scenario.name.clone(),
                    column: figure.column(Scale::Rate),
                    value: estimate.value,
                    rank: i + 1,
                    top_fifth: i < cut,
                    top_fifth_in_every_scenario: false,
                });
            }
        }
    }
    mark_robust(&mut out, scenarios.len());
    out.sort_by(|a, b| {
        (a.level, &a.condition, &a.area_code, &a.scenario).cmp(&(
            b.level,
            &b.condition,
            &b.area_code,
            &b.scenario,
        ))
    });
    out
}

fn mark_robust(rows: &mut [SensitivityRow], scenarios: usize) {
    let mut times: BTreeMap<(Level, String, String), usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.top_fifth) {
        *times
            .entry((r.level, r.condition.clone(), r.area_code.clone()))
            .or_default() += 1;
    }
    for r in rows.iter_mut() {
        let key = (r.level, r.condition.clone(), r.area_code.clone());
        r.top_fifth_in_every_scenario = times.get(&key) == Some(&scenarios);
    }
}

/// The robust top-fifth areas per level and condition, for the manifest.
pub fn robust_summary(rows: &[SensitivityRow]) -> BTreeMap<String, Vec<String>> {
    let mut summary: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.top_fifth_in_every_scenario) {
        let list = summary
            .entry(format!("{}/{}", r.level, r.condition))
            .or_default();
        let entry = format!("{} {}", r.area_code, r.area_name);
        if !list.contains(&entry) {
            list.push(entry);
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_is_the_configured_proxy_at_the_prevalence_estimate() {
        let specs = scenarios(Proxy::IncomeScale);
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "proxy_employment_scale",
                "base",
                "proxy_adult_population",
                "prevalence_lower",
                "prevalence_upper"
            ]
        );
        let base: Vec<&ScenarioSpec> = specs.iter().filter(|s| s.base).collect();
        assert_eq!(base.len(), 1);
        assert_eq!(base[0].proxy, Proxy::IncomeScale);
        assert_eq!(base[0].prevalence, PrevalenceAt::Estimate);
    }
}

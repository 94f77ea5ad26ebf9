//! Sensitivity: how much the ranking of areas depends on the assumptions.
//! The estimates are rerun with each caseload proxy and with the low and
//! high prevalence bounds; areas are ranked by unmet need (need where unmet
//! need is not assessed) in each scenario, and the areas that stay in the
//! top fifth under every scenario are the robust findings.

use crate::gap::GapRow;
use crate::geography::Level;
use serde::Serialize;
use std::collections::BTreeMap;

/// One scenario's gap rows, named (e.g. `proxy_income_scale`, `prevalence_lower`).
pub struct Scenario {
    pub name: String,
    pub rows: Vec<GapRow>,
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

/// How many areas make the top fifth of `n` (at least one).
pub fn top_fifth_size(n: usize) -> usize {
    n.div_ceil(5).max(1)
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
        for rows in groups.values_mut() {
            rows.sort_by(|a, b| {
                b.headline()
                    .1
                    .total_cmp(&a.headline().1)
                    .then_with(|| a.area_code.cmp(&b.area_code))
            });
            let cut = top_fifth_size(rows.len());
            for (i, row) in rows.iter().enumerate() {
                let (column, value) = row.headline();
                out.push(SensitivityRow {
                    level: row.level,
                    area_code: row.area_code.clone(),
                    area_name: row.area_name.clone(),
                    condition: row.condition.clone(),
                    scenario: scenario.name.clone(),
                    column,
                    value,
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
    fn the_top_fifth_rounds_up() {
        assert_eq!(top_fifth_size(153), 31);
        assert_eq!(top_fifth_size(106), 22);
        assert_eq!(top_fifth_size(5), 1);
        assert_eq!(top_fifth_size(1), 1);
    }
}

//! The funnel plots of locally supplied prevalence, for the page to draw:
//! each area's observed proportion and sample size, the pooled baseline,
//! and PHE's limits at 95% and 99.8% (widened for overdispersion where the
//! run asks) along the range of sample sizes. The same funnels as
//! funnels.csv and the charts.

use crate::analysis::funnel::Funnel;
use crate::geography::Level;
use crate::numbers::percent;
use crate::stats::funnel::LEVELS;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Points along each limit line: smooth at screen size.
const STEPS: usize = 40;

#[derive(Debug, Serialize)]
pub struct FunnelData {
    /// The areas' pooled proportion, and as the chart labels it.
    pub baseline: f64,
    pub baseline_text: String,
    /// Sample sizes at which the limits are given, smallest first.
    pub n: Vec<f64>,
    /// At each n, the 95% then the 99.8% limits, lower and upper, as
    /// proportions.
    pub limits: Vec<[f64; 4]>,
    /// The same widened for overdispersion, where asked for.
    pub widened: Option<Vec<[f64; 4]>>,
    /// The overdispersion adjustment in words, where made.
    pub overdispersion: Option<String>,
    pub points: Vec<FunnelPoint>,
    /// The sentence naming the areas left out, their counts under the
    /// small-number rule (as the chart words it).
    pub not_shown: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FunnelPoint {
    /// The area's position in the level, where the level has it.
    pub area: Option<usize>,
    pub code: String,
    pub name: String,
    pub numerator: f64,
    pub n: f64,
    pub proportion: f64,
    /// The proportion as a percentage, as the chart labels it.
    pub rate: String,
    /// PHE's words: "High (0.001)", "Not significant", ...
    pub significance: &'static str,
    pub significance_overdispersed: Option<&'static str>,
}

/// A level's funnels, by condition.
pub fn level_funnels(
    funnels: &[Funnel],
    level: Level,
    position: &HashMap<&str, usize>,
) -> BTreeMap<String, FunnelData> {
    funnels
        .iter()
        .filter(|f| f.level == level)
        .map(|f| (f.condition.clone(), funnel_data(f, position)))
        .collect()
}

fn funnel_data(f: &Funnel, position: &HashMap<&str, usize>) -> FunnelData {
    let sizes = f.areas.iter().map(|a| a.sample.n);
    let largest = sizes.clone().fold(0.0, f64::max) * 1.05;
    // From a tenth of the smallest sample, as the published chart draws
    // them: below it the limits only widen towards 0 and 100%.
    let smallest = (sizes.fold(f64::MAX, f64::min) / 10.0).max(1.0);
    let n: Vec<f64> = (0..=STEPS)
        .map(|i| round(smallest * (largest / smallest).powf(i as f64 / STEPS as f64)))
        .collect();
    // The limits at every n; None when widened limits were not asked for.
    let along = |widened: bool| -> Option<Vec<[f64; 4]>> {
        n.iter()
            .map(|&n| {
                let [at_95, at_998] = LEVELS.map(|level| {
                    let (plain, over) = f.limits(n, level);
                    if widened { over } else { Some(plain) }
                });
                let ((l95, u95), (l998, u998)) = (at_95?, at_998?);
                Some([l95, u95, l998, u998].map(round))
            })
            .collect()
    };
    FunnelData {
        baseline: f.baseline,
        baseline_text: percent(f.baseline, 1),
        limits: along(false).expect("plain limits always exist"),
        widened: along(true),
        overdispersion: f.overdispersion.map(|o| {
            format!(
                "limits widened for overdispersion (Spiegelhalter, additive between-area variance τ² = {:.5}; φ = {:.2})",
                o.tau2, o.phi
            )
        }),
        not_shown: f.not_shown(),
        points: f
            .shown()
            .map(|a| FunnelPoint {
                area: position.get(a.area_code.as_str()).copied(),
                code: a.area_code.clone(),
                name: a.area_name.clone(),
                numerator: a.sample.count,
                n: a.sample.n,
                proportion: a.sample.proportion(),
                rate: percent(a.sample.proportion(), 1),
                significance: a.significance,
                significance_overdispersed: a.significance_overdispersed,
            })
            .collect(),
        n,
    }
}

/// Six decimal places: finer than any screen shows, and a smaller page.
fn round(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

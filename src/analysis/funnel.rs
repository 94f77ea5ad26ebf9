//! Funnel plots of locally supplied prevalence (`local_prevalence`, e.g.
//! OASys needs by area): for each level and condition with enough areas,
//! each area's observed proportion against the areas' pooled proportion,
//! with PHE's Wilson control limits at 95% and 99.8% and, where asked for,
//! the limits widened for overdispersion. Observed figures only: nothing
//! modelled is plotted on a funnel.

use crate::config::FunnelOptions;
use crate::gap::GapRow;
use crate::geography::Level;
use crate::prevalence::LocalPrevalence;
use crate::stats::funnel::{self, Overdispersion, Sample};
use crate::stats::suppression::Suppression;
use serde::Serialize;

/// Fewer areas than this make no funnel: the baseline would be little
/// more than the areas themselves.
pub const MIN_AREAS: usize = 3;

/// One area on a funnel.
#[derive(Debug, Clone, Serialize)]
pub struct FunnelArea {
    pub area_code: String,
    pub area_name: String,
    pub sample: Sample,
    /// PHE's words: "High (0.001)", "Not significant", ...
    pub significance: &'static str,
    /// The same against the overdispersed limits, where they are drawn.
    pub significance_overdispersed: Option<&'static str>,
    /// Its numerator falls under the small-number rule: the published
    /// plots leave the point out, since its position would give the count
    /// away. It still counts towards the baseline and funnels.csv.
    pub withheld: bool,
}

/// One level and condition's funnel.
#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub level: Level,
    pub condition: String,
    pub baseline: f64,
    pub areas: Vec<FunnelArea>,
    /// Spiegelhalter's φ and τ² where the adjustment is asked for.
    pub overdispersion: Option<Overdispersion>,
}

impl Funnel {
    /// The limits at `level` (0.95 or 0.998) for a sample of `n`, plain and,
    /// where asked for, overdispersed.
    pub fn limits(&self, n: f64, level: f64) -> ((f64, f64), Option<(f64, f64)>) {
        let z = funnel::z_of(level);
        (
            funnel::limits(n, self.baseline, z),
            self.overdispersion.map(|o| o.limits(n, self.baseline, z)),
        )
    }

    /// The areas the published plots draw: all but the withheld.
    pub fn shown(&self) -> impl Iterator<Item = &FunnelArea> {
        self.areas.iter().filter(|a| !a.withheld)
    }

    /// The sentence the published plots give the withheld areas, if any.
    pub fn not_shown(&self) -> Option<String> {
        let names: Vec<&str> = self
            .areas
            .iter()
            .filter(|a| a.withheld)
            .map(|a| a.area_name.as_str())
            .collect();
        (!names.is_empty()).then(|| {
            format!(
                "Not shown, their counts being under the small-number rule: {}.",
                names.join(", ")
            )
        })
    }
}

/// Every funnel the local prevalence supports, by level and condition.
pub fn funnels(
    local: &[LocalPrevalence],
    rows: &[GapRow],
    options: &FunnelOptions,
    rule: &Suppression,
) -> Vec<Funnel> {
    let mut keys: Vec<(Level, &str)> = local
        .iter()
        .map(|l| (l.level, l.condition.as_str()))
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|(level, condition)| {
            let mut of: Vec<&LocalPrevalence> = local
                .iter()
                .filter(|l| l.level == level && l.condition == condition)
                .collect();
            if of.len() < MIN_AREAS {
                return None;
            }
            of.sort_by(|a, b| a.area_code.cmp(&b.area_code));
            Some(funnel_of(level, condition, &of, rows, options, rule))
        })
        .collect()
}

fn funnel_of(
    level: Level,
    condition: &str,
    of: &[&LocalPrevalence],
    rows: &[GapRow],
    options: &FunnelOptions,
    rule: &Suppression,
) -> Funnel {
    // The local table holds the numerator as rate × n; it was a count.
    let samples: Vec<Sample> = of
        .iter()
        .map(|l| Sample {
            count: (l.rate * l.n).round(),
            n: l.n,
        })
        .collect();
    let baseline = funnel::baseline(&samples);
    let overdispersion = options
        .overdispersion
        .then(|| funnel::overdispersion(&samples, baseline));
    let mut funnel = Funnel {
        level,
        condition: condition.to_string(),
        baseline,
        areas: Vec::new(),
        overdispersion,
    };
    funnel.areas = of
        .iter()
        .zip(&samples)
        .map(|(l, sample)| {
            let (plain_95, over_95) = funnel.limits(sample.n, 0.95);
            let (plain_998, over_998) = funnel.limits(sample.n, 0.998);
            FunnelArea {
                area_code: l.area_code.clone(),
                area_name: rows
                    .iter()
                    .find(|r| r.level == level && r.area_code == l.area_code)
                    .map_or_else(|| l.area_code.clone(), |r| r.area_name.clone()),
                sample: *sample,
                significance: funnel::significance(sample, plain_95, plain_998),
                significance_overdispersed: over_95
                    .zip(over_998)
                    .map(|(a, b)| funnel::significance(sample, a, b)),
                withheld: rule.suppresses(sample.count),
            }
        })
        .collect();
    funnel
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::funnel::z_of;

    fn local(code: &str, numerator: f64, n: f64) -> LocalPrevalence {
        LocalPrevalence {
            level: Level::Ctyua,
            area_code: code.to_string(),
            condition: "drug_misuse".to_string(),
            rate: numerator / n,
            lower: 0.0,
            upper: 1.0,
            lower_998: 0.0,
            upper_998: 1.0,
            n,
            source: "test".to_string(),
        }
    }

    /// Four areas pooled to 200 of 1,100 (18.2%). By hand with the Wilson
    /// limits (the quadratic of stats::funnel, checked against PHE's table):
    /// at n = 100, 95% 10.6% to 25.7% and 99.8% 6.3% to 30.1%; at n = 800,
    /// 95% 15.5% to 20.9%. So 12 of 100 and 144 of 800 lie inside, 40 of
    /// 100 is above the 99.8% limit and 4 of 100 below it.
    #[test]
    fn areas_are_placed_against_the_pooled_baseline() {
        let rows = [
            local("E06000001", 12.0, 100.0),
            local("E06000002", 40.0, 100.0),
            local("E06000003", 144.0, 800.0),
            local("E06000004", 4.0, 100.0),
        ];
        // One area of another level is too few for a funnel of its own.
        let mut other = local("E38000001", 5.0, 50.0);
        other.level = Level::Sicbl;
        let mut all = rows.to_vec();
        all.push(other);
        let rule = Suppression::default();
        let plain = funnels(&all, &[], &FunnelOptions::default(), &rule);
        assert_eq!(plain.len(), 1);
        let f = &plain[0];
        assert!((f.baseline - 200.0 / 1100.0).abs() < 1e-12);
        let words: Vec<&str> = f.areas.iter().map(|a| a.significance).collect();
        assert_eq!(
            words,
            [
                "Not significant",
                "High (0.001)",
                "Not significant",
                "Low (0.001)"
            ]
        );
        let ((lo, hi), _) = f.limits(100.0, 0.95);
        assert!((lo - 0.106_223_427_762_745).abs() < 1e-12, "{lo}");
        assert!((hi - 0.257_412_935_873_619).abs() < 1e-12, "{hi}");
        assert!(f.overdispersion.is_none());
        // Names fall back to codes where no gap row names the area.
        assert_eq!(f.areas[0].area_name, "E06000001");
        // 4 of 100 falls under the default rule (below 5): its point is
        // withheld from the published plots; 12 of 100 is not.
        let withheld: Vec<bool> = f.areas.iter().map(|a| a.withheld).collect();
        assert_eq!(withheld, [false, false, false, true]);
        assert_eq!(f.shown().count(), 3);
        assert_eq!(
            f.not_shown().as_deref(),
            Some("Not shown, their counts being under the small-number rule: E06000004.")
        );
        let widened = funnels(
            &all,
            &[],
            &FunnelOptions {
                overdispersion: true,
            },
            &rule,
        );
        let o = widened[0].overdispersion.unwrap();
        assert!(o.tau2 > 0.0, "{o:?}");
        let (plain, over) = widened[0].limits(100.0, 0.95);
        let over = over.unwrap();
        assert!(over.0 < plain.0 && over.1 > plain.1);
        assert!(
            (over.1
                - (f.baseline
                    + z_of(0.95) * (f.baseline * (1.0 - f.baseline) / 100.0 + o.tau2).sqrt()))
            .abs()
                < 1e-12
        );
    }
}

//! Map classes: quantiles, equal intervals, Fisher-Jenks natural breaks or
//! breaks the user fixes.
//!
//! Breaks follow the mapclassify convention the manifest promises: each break
//! is the upper bound of its class, ascending, the last is the maximum, and a
//! value belongs to the first class whose bound it does not exceed (so a value
//! equal to a break goes to the lower class).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// How class breaks are chosen. In the config: "quantiles", "equal_interval",
/// "fisher_jenks", or a list of upper bounds such as `[100, 250, 500]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "MethodRepr", into = "MethodRepr")]
pub enum Method {
    Quantiles,
    EqualInterval,
    /// The exact optimum (least within-class sum of squares), by ckmeans.
    FisherJenks,
    /// Upper bounds given by the user; k is ignored.
    Fixed(Vec<f64>),
}

/// The config's spelling of a method: a name or a list of breaks.
#[derive(Deserialize, Serialize)]
#[serde(untagged)]
enum MethodRepr {
    Name(String),
    Breaks(Vec<f64>),
}

impl TryFrom<MethodRepr> for Method {
    type Error = String;

    fn try_from(repr: MethodRepr) -> std::result::Result<Self, String> {
        match repr {
            MethodRepr::Name(name) => match name.as_str() {
                "quantiles" => Ok(Method::Quantiles),
                "equal_interval" => Ok(Method::EqualInterval),
                "fisher_jenks" => Ok(Method::FisherJenks),
                other => Err(format!(
                    "unknown classification '{other}': use \"quantiles\", \"equal_interval\", \
                     \"fisher_jenks\" or a list of upper bounds"
                )),
            },
            MethodRepr::Breaks(breaks) => {
                check_breaks(&breaks)?;
                Ok(Method::Fixed(breaks))
            }
        }
    }
}

/// The user's breaks must be a non-empty list of finite numbers, strictly
/// ascending: checked as the config is read (so the error names the file and
/// line, and `validate` refuses what a run would) and again when classifying.
fn check_breaks(breaks: &[f64]) -> std::result::Result<(), String> {
    let hint = "list upper bounds in ascending order, e.g. [100, 250, 500]";
    if breaks.is_empty() {
        return Err(format!("the list of map breaks is empty: {hint}"));
    }
    if breaks.iter().any(|b| !b.is_finite()) || breaks.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "map breaks {breaks:?} are not finite and strictly ascending: {hint}"
        ));
    }
    Ok(())
}

impl From<Method> for MethodRepr {
    fn from(method: Method) -> Self {
        match method {
            Method::Fixed(breaks) => MethodRepr::Breaks(breaks),
            named => MethodRepr::Name(named.name().to_string()),
        }
    }
}

impl Method {
    /// The name recorded in the manifest.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Quantiles => "quantiles",
            Method::EqualInterval => "equal_interval",
            Method::FisherJenks => "fisher_jenks",
            Method::Fixed(_) => "fixed",
        }
    }
}

/// The classes of one map, as the manifest records them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classes {
    pub method: String,
    /// The number of classes actually made: fewer than asked for when the data
    /// have fewer distinct values, 0 when there are no values.
    pub k: usize,
    /// Upper bound of each class, strictly ascending.
    pub breaks: Vec<f64>,
    /// How many values fall in each class.
    pub counts: Vec<usize>,
}

impl Classes {
    /// The class of `v`: the first whose upper bound `v` does not exceed.
    /// Values above the last bound go to the last class. None when `v` is not
    /// finite or there are no classes: the map's "no data".
    pub fn class_of(&self, v: f64) -> Option<usize> {
        if !v.is_finite() || self.breaks.is_empty() {
            return None;
        }
        let first_not_below = self.breaks.partition_point(|&b| b < v);
        Some(first_not_below.min(self.breaks.len() - 1))
    }

    fn new(method: &Method, breaks: Vec<f64>, values: &[f64]) -> Classes {
        Classes {
            method: method.name().to_string(),
            k: breaks.len(),
            counts: Vec::new(),
            breaks,
        }
        .counted(values)
    }

    /// The same classes with the counts of another set of values: a map that
    /// shares the breaks of its family.
    pub fn counted(&self, values: &[f64]) -> Classes {
        let mut counts = vec![0; self.breaks.len()];
        for &v in values {
            if let Some(class) = self.class_of(v) {
                counts[class] += 1;
            }
        }
        Classes {
            counts,
            ..self.clone()
        }
    }
}

/// Classifies `values` into at most `k` classes. Values that are not finite
/// (NaN, infinite) are left out: they are the map's "no data".
pub fn classify(values: &[f64], method: &Method, k: usize) -> Result<Classes> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    if k == 0 && !matches!(method, Method::Fixed(_)) {
        return Err(Error::usage("map classification: k is 0").hint("ask for 2 to 9 classes"));
    }
    let breaks = match method {
        Method::Fixed(given) => fixed_breaks(given, &sorted)?,
        _ if sorted.is_empty() => Vec::new(),
        Method::Quantiles => quantile_breaks(&sorted, k),
        Method::EqualInterval => equal_interval_breaks(&sorted, k),
        Method::FisherJenks => fisher_jenks_breaks(&sorted, k)?,
    };
    Ok(Classes::new(method, breaks, &sorted))
}

/// The k quantiles at 1/k, 2/k, …, 1 by linear interpolation between order
/// statistics (numpy's default, as mapclassify uses); ties collapse classes.
fn quantile_breaks(sorted: &[f64], k: usize) -> Vec<f64> {
    let last = (sorted.len() - 1) as f64;
    let mut breaks: Vec<f64> = (1..=k)
        .map(|i| {
            let position = last * i as f64 / k as f64;
            let below = position.floor() as usize;
            let above = position.ceil() as usize;
            let fraction = position - below as f64;
            sorted[below] + (sorted[above] - sorted[below]) * fraction
        })
        .collect();
    breaks.dedup();
    breaks
}

/// k classes of equal width from the minimum to the maximum; the last bound
/// is the maximum exactly, not min + k × width with its rounding error.
fn equal_interval_breaks(sorted: &[f64], k: usize) -> Vec<f64> {
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    if min == max {
        return vec![max];
    }
    let width = (max - min) / k as f64;
    let mut breaks: Vec<f64> = (1..k).map(|i| min + width * i as f64).collect();
    breaks.push(max);
    breaks
}

/// Fisher-Jenks by ckmeans (Wang & Song's exact dynamic programme): each
/// cluster's maximum is its upper bound.
fn fisher_jenks_breaks(sorted: &[f64], k: usize) -> Result<Vec<f64>> {
    let clusters = u8::try_from(k.min(sorted.len()))
        .map_err(|_| Error::usage(format!("map classification: k is {k}, more than 255")))?;
    let (sorted, ranges) = ckmeans::ckmeans_indices(sorted, clusters)
        .map_err(|e| Error::internal(format!("Fisher-Jenks classification failed: {e:?}")))?;
    let mut breaks: Vec<f64> = ranges.iter().map(|&(_, end)| sorted[end]).collect();
    // Equal values split across two clusters (possible only in an exact tie)
    // would repeat a bound; the lower class takes them all.
    breaks.dedup();
    Ok(breaks)
}

/// The user's bounds, checked; when the data run past the last bound a final
/// class up to the maximum is added (as mapclassify's UserDefined does), so
/// every value has a class whose bound it does not exceed.
fn fixed_breaks(given: &[f64], sorted: &[f64]) -> Result<Vec<f64>> {
    check_breaks(given).map_err(|e| Error::usage(format!("map classification: {e}")))?;
    let mut breaks = given.to_vec();
    if let Some(&max) = sorted.last()
        && max > breaks[breaks.len() - 1]
    {
        breaks.push(max);
    }
    Ok(breaks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within-class sum of squared deviations of a classification.
    fn within_ssq(values: &[f64], classes: &Classes) -> f64 {
        (0..classes.k)
            .map(|c| {
                let members: Vec<f64> = values
                    .iter()
                    .copied()
                    .filter(|&v| classes.class_of(v) == Some(c))
                    .collect();
                let mean = members.iter().sum::<f64>() / members.len() as f64;
                members.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
            })
            .sum()
    }

    /// The least within-class sum of squares over every way of cutting the
    /// sorted values into exactly k non-empty runs (exhaustive search).
    fn exhaustive_optimum(values: &[f64], k: usize) -> f64 {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        fn best(sorted: &[f64], k: usize) -> f64 {
            let ssq = |run: &[f64]| {
                let mean = run.iter().sum::<f64>() / run.len() as f64;
                run.iter().map(|v| (v - mean).powi(2)).sum::<f64>()
            };
            if k == 1 {
                return ssq(sorted);
            }
            (1..=sorted.len() - (k - 1))
                .map(|cut| ssq(&sorted[..cut]) + best(&sorted[cut..], k - 1))
                .fold(f64::INFINITY, f64::min)
        }
        best(&sorted, k)
    }

    /// Caseload-like counts per area: skewed, with a few large authorities.
    const CASELOAD: [f64; 14] = [
        412.0, 388.0, 1250.0, 2310.0, 530.0, 615.0, 298.0, 1875.0, 744.0, 455.0, 3980.0, 502.0,
        690.0, 1120.0,
    ];
    /// Rates per 1,000 with near-ties.
    const RATES: [f64; 12] = [
        12.4, 12.5, 13.1, 18.9, 19.2, 19.3, 25.0, 31.7, 32.0, 12.9, 44.8, 20.1,
    ];

    #[test]
    fn fisher_jenks_reaches_the_exhaustive_optimum() {
        for values in [&CASELOAD[..], &RATES[..]] {
            for k in 2..=5 {
                let classes = classify(values, &Method::FisherJenks, k).unwrap();
                assert_eq!(classes.k, k);
                let got = within_ssq(values, &classes);
                let optimum = exhaustive_optimum(values, k);
                assert!(
                    (got - optimum).abs() <= 1e-9 * optimum.max(1.0),
                    "k={k}: {got} vs optimum {optimum}"
                );
            }
        }
    }

    #[test]
    fn fisher_jenks_breaks_are_class_maxima() {
        let classes = classify(
            &[1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 50.0],
            &Method::FisherJenks,
            3,
        )
        .unwrap();
        assert_eq!(classes.breaks, vec![3.0, 12.0, 50.0]);
        assert_eq!(classes.counts, vec![3, 3, 1]);
    }

    #[test]
    fn quantile_breaks_by_hand() {
        // n = 5, positions (n-1)·i/4 = 1, 2, 3, 4 → the 2nd to 5th values.
        let classes = classify(&[5.0, 1.0, 4.0, 2.0, 3.0], &Method::Quantiles, 4).unwrap();
        assert_eq!(classes.breaks, vec![2.0, 3.0, 4.0, 5.0]);
        assert_eq!(classes.counts, vec![2, 1, 1, 1]);
        // n = 4, k = 3: positions 1, 2, 3 → 20, 30, 40; k = 2: position 1.5 → 25.
        let values = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(
            classify(&values, &Method::Quantiles, 3).unwrap().breaks,
            vec![20.0, 30.0, 40.0]
        );
        assert_eq!(
            classify(&values, &Method::Quantiles, 2).unwrap().breaks,
            vec![25.0, 40.0]
        );
    }

    #[test]
    fn equal_interval_breaks_by_hand() {
        let classes = classify(&[0.0, 10.0, 25.0, 100.0], &Method::EqualInterval, 4).unwrap();
        assert_eq!(classes.breaks, vec![25.0, 50.0, 75.0, 100.0]);
        // 25 sits on a bound: it goes to the lower class.
        assert_eq!(classes.counts, vec![3, 0, 0, 1]);
    }

    #[test]
    fn boundary_values_go_to_the_lower_class() {
        let classes = classify(&[1.0, 2.0, 3.0], &Method::Fixed(vec![1.0, 2.0]), 0).unwrap();
        assert_eq!(classes.breaks, vec![1.0, 2.0, 3.0]);
        assert_eq!(classes.class_of(1.0), Some(0));
        assert_eq!(classes.class_of(1.000001), Some(1));
        assert_eq!(classes.class_of(2.0), Some(1));
        assert_eq!(classes.class_of(-7.0), Some(0));
        assert_eq!(classes.class_of(99.0), Some(2));
        assert_eq!(classes.class_of(f64::NAN), None);
        assert_eq!(classes.class_of(f64::INFINITY), None);
    }

    #[test]
    fn counts_sum_to_the_number_of_finite_values() {
        let mut values = CASELOAD.to_vec();
        values.extend([f64::NAN, f64::INFINITY]);
        for method in [
            Method::Quantiles,
            Method::EqualInterval,
            Method::FisherJenks,
        ] {
            let classes = classify(&values, &method, 5).unwrap();
            assert_eq!(
                classes.counts.iter().sum::<usize>(),
                CASELOAD.len(),
                "{method:?}"
            );
            assert!(classes.breaks.windows(2).all(|w| w[0] < w[1]), "{method:?}");
            assert_eq!(classes.breaks.last(), Some(&3980.0), "{method:?}");
        }
    }

    #[test]
    fn fewer_distinct_values_than_classes() {
        let values = [7.0, 7.0, 9.0, 9.0, 9.0];
        let jenks = classify(&values, &Method::FisherJenks, 5).unwrap();
        assert_eq!((jenks.breaks, jenks.counts), (vec![7.0, 9.0], vec![2, 3]));
        // Quantiles interpolate between order statistics, as numpy does:
        // positions 0.8, 1.6, 2.4, 3.2, 4 give 7, 8.2, 9, 9, 9.
        let quantiles = classify(&values, &Method::Quantiles, 5).unwrap();
        assert_eq!(quantiles.breaks, vec![7.0, 8.2, 9.0]);
        assert_eq!(quantiles.counts, vec![2, 0, 3]);
        let constant = classify(&[4.0, 4.0], &Method::EqualInterval, 5).unwrap();
        assert_eq!((constant.breaks, constant.counts), (vec![4.0], vec![2]));
    }

    #[test]
    fn empty_input_makes_no_classes() {
        for method in [
            Method::Quantiles,
            Method::EqualInterval,
            Method::FisherJenks,
        ] {
            let classes = classify(&[f64::NAN], &method, 5).unwrap();
            assert_eq!((classes.k, classes.counts.len()), (0, 0));
            assert_eq!(classes.class_of(1.0), None);
        }
        let fixed = classify(&[], &Method::Fixed(vec![10.0, 20.0]), 0).unwrap();
        assert_eq!((fixed.breaks, fixed.counts), (vec![10.0, 20.0], vec![0, 0]));
    }

    #[test]
    fn bad_requests_are_input_errors() {
        assert!(classify(&[1.0], &Method::Quantiles, 0).is_err());
        assert!(classify(&[1.0], &Method::Fixed(vec![]), 0).is_err());
        assert!(classify(&[1.0], &Method::Fixed(vec![5.0, 5.0]), 0).is_err());
        let e = classify(&[1.0], &Method::Fixed(vec![f64::NAN]), 0).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn method_reads_from_config_spellings() {
        #[derive(Deserialize)]
        struct Maps {
            classification: Method,
        }
        let read = |s: &str| toml::from_str::<Maps>(s).map(|m| m.classification);
        assert_eq!(
            read("classification = \"fisher_jenks\"").unwrap(),
            Method::FisherJenks
        );
        assert_eq!(
            read("classification = \"quantiles\"").unwrap(),
            Method::Quantiles
        );
        assert_eq!(
            read("classification = \"equal_interval\"").unwrap(),
            Method::EqualInterval
        );
        assert_eq!(
            read("classification = [100, 250.5]").unwrap(),
            Method::Fixed(vec![100.0, 250.5])
        );
        assert!(read("classification = \"jenks\"").is_err());
        assert_eq!(
            serde_json::to_string(&Method::FisherJenks).unwrap(),
            "\"fisher_jenks\""
        );
    }
}

//! Random-effects meta-analysis of proportions on the logit scale.
//!
//! Each figure becomes a logit and its variance: from x events of n,
//! logit = ln(x / (n − x)) and variance = 1/x + 1/(n − x), with 0.5 added to
//! both cells of a study with 0 or n events (the continuity correction of
//! the R meta package's `metaprop(sm = "PLOGIT")`, `incr = 0.5`); from a
//! published 95% interval, the variance whose normal interval on the logit
//! scale spans it.
//!
//! Two or more figures are pooled by DerSimonian–Laird: inverse-variance
//! weights, Cochran's Q about the common-effect mean, the moment estimate
//! tau² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)), I² = max(0, (Q − (k − 1)) / Q),
//! and the random-effects mean with weights 1 / (v + tau²). Its 95% interval
//! is the normal (Wald) one, or on request Hartung–Knapp–Sidik–Jonkman's:
//! the weighted residual variance over k − 1 and a t quantile with k − 1
//! degrees of freedom, never narrower than the Wald interval (the ad hoc
//! rule of IQWiG's General Methods 6.0, which stops identical studies
//! giving an interval of zero width). From three figures up, the 95%
//! prediction interval for a new setting is mean ± t(k − 2) ·
//! sqrt(tau² + se²), as Higgins, Thompson & Spiegelhalter (2009) and the
//! meta package give it, with the DerSimonian–Laird standard error.
//!
//! A single figure is not pooled: its estimate is x / n with the Wilson
//! interval (or its published interval), as `prevalence` reports one study.

use crate::stats::wilson::{self, Z95};
use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};
use statrs::function::gamma::digamma;

/// Added to both cells of a study with 0 or n events.
pub const CONTINUITY: f64 = 0.5;

/// What a figure contributes to pooling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observation {
    /// `events` of `n` people (events may be fractional: a published
    /// percentage times n).
    Events { events: f64, n: f64 },
    /// A rate with its published 95% interval and no sample size.
    Interval { rate: f64, lower: f64, upper: f64 },
}

impl Observation {
    /// The logit of the proportion and its sampling variance.
    pub fn logit(self) -> (f64, f64) {
        match self {
            Observation::Events { events, n } => {
                let corrected = events <= 0.0 || events >= n;
                let (a, b) = if corrected {
                    (events + CONTINUITY, n - events + CONTINUITY)
                } else {
                    (events, n - events)
                };
                ((a / b).ln(), 1.0 / a + 1.0 / b)
            }
            Observation::Interval { rate, lower, upper } => {
                let sd = (logit(upper) - logit(lower)) / (2.0 * Z95);
                (logit(rate), sd * sd)
            }
        }
    }
}

/// Which 95% interval a pooled mean gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Normal quantile times the DerSimonian–Laird standard error.
    #[default]
    DerSimonianLaird,
    /// Hartung–Knapp–Sidik–Jonkman, never narrower than the Wald interval.
    HartungKnapp,
}

/// How an estimate's interval was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// One study: the Wilson score interval from its n.
    Wilson,
    /// One study: the interval it published.
    Published,
    /// Two or more studies pooled, with the interval method named.
    RandomEffects(IntervalMethod),
}

/// Between-study variation of a pooled class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Heterogeneity {
    /// Cochran's Q about the common-effect mean, on k − 1 degrees of freedom.
    pub q: f64,
    pub df: f64,
    /// P(χ²(k − 1) ≥ Q).
    pub p_value: f64,
    /// Between-study variance on the logit scale.
    pub tau2: f64,
    /// Share of the variation beyond chance, 0 to 1.
    pub i2: f64,
}

/// A distribution to draw the proportion from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    /// One study's proportion: the Jeffreys posterior Beta(x + ½, n − x + ½).
    /// Its equal-tailed interval has close to nominal coverage for a
    /// binomial proportion (Brown, Cai & DasGupta 2001), like Wilson's, and
    /// 0 or n events need no special case.
    Beta { alpha: f64, beta: f64 },
    /// The logit of the proportion is normal: for a pooled mean, with the sd
    /// that reproduces the reported 95% interval (the standard error for
    /// DerSimonian–Laird; wider for Hartung–Knapp).
    LogitNormal { mean: f64, sd: f64 },
}

impl Distribution {
    /// Mean and standard deviation of the logit of the proportion. For a
    /// Beta(a, b) proportion these are exact: ψ(a) − ψ(b) and
    /// sqrt(ψ′(a) + ψ′(b)), with ψ the digamma function.
    pub fn logit_moments(self) -> (f64, f64) {
        match self {
            Distribution::Beta { alpha, beta } => (
                digamma(alpha) - digamma(beta),
                (trigamma(alpha) + trigamma(beta)).sqrt(),
            ),
            Distribution::LogitNormal { mean, sd } => (mean, sd),
        }
    }
}

/// The estimate of one condition in one definition class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pooled {
    /// Number of figures behind it.
    pub k: usize,
    /// The proportion: a pooled mean, or a single study's rate.
    pub estimate: f64,
    /// Its 95% interval.
    pub lower: f64,
    pub upper: f64,
    pub basis: Basis,
    /// None for a single study.
    pub heterogeneity: Option<Heterogeneity>,
    /// 95% prediction interval for a new setting (three or more figures).
    pub prediction: Option<(f64, f64)>,
    /// The estimate's sampling distribution, for simulation.
    pub distribution: Distribution,
    /// The distribution of the proportion in a new setting (two or more
    /// figures): logit-normal with variance tau² + se², the prediction
    /// distribution without the t widening of `prediction`, which allows
    /// for estimating tau² from few studies and needs three.
    pub predictive: Option<Distribution>,
}

/// Pools the observations of one condition and definition class; None for none.
pub fn pool(observations: &[Observation], method: IntervalMethod) -> Option<Pooled> {
    match observations {
        [] => None,
        [one] => Some(single(*one)),
        many => Some(random_effects(many, method)),
    }
}

/// One study, reported as it stands.
fn single(observation: Observation) -> Pooled {
    let (estimate, (lower, upper), basis, distribution) = match observation {
        Observation::Events { events, n } => (
            events / n,
            wilson::interval(events, n, Z95),
            Basis::Wilson,
            Distribution::Beta {
                alpha: events + 0.5,
                beta: n - events + 0.5,
            },
        ),
        Observation::Interval { rate, lower, upper } => {
            let (mean, variance) = observation.logit();
            (
                rate,
                (lower, upper),
                Basis::Published,
                Distribution::LogitNormal {
                    mean,
                    sd: variance.sqrt(),
                },
            )
        }
    };
    Pooled {
        k: 1,
        estimate,
        lower,
        upper,
        basis,
        heterogeneity: None,
        prediction: None,
        distribution,
        predictive: None,
    }
}

/// A random-effects summary on the analysis scale (the logit, for
/// proportions): what DerSimonian–Laird gives before any back-transformation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomEffects {
    pub k: usize,
    /// The random-effects mean.
    pub mean: f64,
    /// Its DerSimonian–Laird standard error, sqrt(1 / Σ 1 / (v + tau²)).
    pub se: f64,
    /// Half the width of its 95% interval under the chosen method.
    pub half_width: f64,
    pub heterogeneity: Heterogeneity,
    /// Half the width of the 95% prediction interval, from three effects.
    pub prediction_half: Option<f64>,
}

/// DerSimonian–Laird random-effects pooling of effects `y` with sampling
/// variances `v` (two or more), on whatever scale they are given.
pub fn dersimonian_laird(y: &[f64], v: &[f64], method: IntervalMethod) -> RandomEffects {
    assert!(
        y.len() >= 2 && y.len() == v.len(),
        "two or more effects, each with a variance"
    );
    let k = y.len();
    let df = (k - 1) as f64;
    let w: Vec<f64> = v.iter().map(|v| 1.0 / v).collect();
    let common = weighted_mean(y, &w);
    let q = weighted_squares(y, &w, common);
    let sum_w: f64 = w.iter().sum();
    let sum_w2: f64 = w.iter().map(|w| w * w).sum();
    let tau2 = ((q - df) / (sum_w - sum_w2 / sum_w)).max(0.0);
    let i2 = if q > 0.0 {
        ((q - df) / q).max(0.0)
    } else {
        0.0
    };

    let w_star: Vec<f64> = v.iter().map(|v| 1.0 / (v + tau2)).collect();
    let sum_w_star: f64 = w_star.iter().sum();
    let mean = weighted_mean(y, &w_star);
    let se = (1.0 / sum_w_star).sqrt();
    let wald = Z95 * se;
    let half_width = match method {
        IntervalMethod::DerSimonianLaird => wald,
        IntervalMethod::HartungKnapp => {
            let scale = weighted_squares(y, &w_star, mean) / df;
            (t_quantile(df) * (scale / sum_w_star).sqrt()).max(wald)
        }
    };
    RandomEffects {
        k,
        mean,
        se,
        half_width,
        heterogeneity: Heterogeneity {
            q,
            df,
            p_value: ChiSquared::new(df).map_or(f64::NAN, |c| c.sf(q)),
            tau2,
            i2,
        },
        prediction_half: (k >= 3).then(|| t_quantile(df - 1.0) * (tau2 + se * se).sqrt()),
    }
}

/// DerSimonian–Laird pooling of two or more studies' logits.
fn random_effects(observations: &[Observation], method: IntervalMethod) -> Pooled {
    let (y, v): (Vec<f64>, Vec<f64>) = observations.iter().map(|o| o.logit()).unzip();
    let re = dersimonian_laird(&y, &v, method);
    let (mean, h) = (re.mean, re.half_width);
    Pooled {
        k: re.k,
        estimate: expit(mean),
        lower: expit(mean - h),
        upper: expit(mean + h),
        basis: Basis::RandomEffects(method),
        heterogeneity: Some(re.heterogeneity),
        prediction: re
            .prediction_half
            .map(|p| (expit(mean - p), expit(mean + p))),
        distribution: Distribution::LogitNormal { mean, sd: h / Z95 },
        predictive: Some(Distribution::LogitNormal {
            mean,
            sd: (re.heterogeneity.tau2 + re.se * re.se).sqrt(),
        }),
    }
}

fn weighted_mean(y: &[f64], w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    y.iter().zip(w).map(|(y, w)| y * w).sum::<f64>() / total
}

/// Σ w (y − centre)².
fn weighted_squares(y: &[f64], w: &[f64], centre: f64) -> f64 {
    y.iter().zip(w).map(|(y, w)| w * (y - centre).powi(2)).sum()
}

/// The upper 2.5% point of Student's t with `df` degrees of freedom.
fn t_quantile(df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .expect("degrees of freedom are at least 1")
        .inverse_cdf(0.975)
}

pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

pub fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// ψ′(x), the derivative of the digamma function, for x > 0 (statrs has
/// digamma but not this): the recurrence ψ′(x) = ψ′(x + 1) + 1/x² up to
/// x ≥ 10, then the asymptotic series 1/x + 1/(2x²) + Σ B₂ₖ / x^(2k+1) with
/// the Bernoulli numbers 1/6, −1/30, 1/42, −1/30, 5/66, whose first omitted
/// term (691/2730 x⁻¹³) is below 3e-14 there.
fn trigamma(mut x: f64) -> f64 {
    let mut sum = 0.0;
    while x < 10.0 {
        sum += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / (x * x);
    let series =
        1.0 / 6.0 - r * (1.0 / 30.0 - r * (1.0 / 42.0 - r * (1.0 / 30.0 - r * 5.0 / 66.0)));
    sum + 1.0 / x + r / 2.0 + series * r / x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() < tol
    }

    fn events(pairs: &[(f64, f64)]) -> Vec<Observation> {
        pairs
            .iter()
            .map(|&(events, n)| Observation::Events { events, n })
            .collect()
    }

    fn heterogeneity(p: &Pooled) -> Heterogeneity {
        p.heterogeneity.expect("two or more studies")
    }

    #[test]
    fn dersimonian_laird_matches_the_published_bcg_example() {
        // A published worked example: the 13 BCG vaccine trials (Colditz et
        // al. 1994; metafor's dat.bcg), log risk ratios and their variances
        // (escalc measure "RR"), pooled by DerSimonian–Laird. Published
        // values, Stata's metan against metafor's rma (metafor
        // tests/testthat/test_metan_vs_rma.uni_with_dat.bcg.r): Q 152.23,
        // tau² 0.3088, I² 92.1%, mean -0.714 (-1.064 to -0.364), z -4.00.
        // The effects below are computed from the trials' 2×2 counts by
        // tests/fixtures/evidence/reference_meta.py.
        let y = [
            -0.88931133392,
            -1.585388657201,
            -1.3480731483,
            -1.441551190021,
            -0.217547322211,
            -0.786115585819,
            -1.620898223598,
            0.011952333524,
            -0.469417648738,
            -1.371344803473,
            -0.339358828338,
            0.445913400571,
            -0.017313948217,
        ];
        let v = [
            0.325584765004,
            0.194581121398,
            0.415367965368,
            0.020010031902,
            0.05121017217,
            0.006905618456,
            0.223017247572,
            0.003961579298,
            0.056434210463,
            0.073024793613,
            0.012412213972,
            0.5325058452,
            0.071404659684,
        ];
        let re = dersimonian_laird(&y, &v, IntervalMethod::DerSimonianLaird);
        let h = re.heterogeneity;
        assert_eq!((re.k, h.df), (13, 12.0));
        assert!(close(h.q, 152.23, 0.005), "{}", h.q);
        assert!(close(h.tau2, 0.3088, 0.00005), "{}", h.tau2);
        assert!(close(h.i2, 0.921, 0.0005), "{}", h.i2);
        assert!(close(re.mean, -0.714, 0.0005), "{}", re.mean);
        assert!(close(re.mean - re.half_width, -1.064, 0.0005));
        assert!(close(re.mean + re.half_width, -0.364, 0.0005));
        assert!(close(re.mean / re.se, -4.00, 0.005));
    }

    #[test]
    fn dersimonian_laird_matches_a_hand_calculation() {
        // 10/100, 30/100, 45/90. By hand: y = ln(1/9) = -2.197225,
        // ln(3/7) = -0.847298, ln(1) = 0; v = 1/10 + 1/90 = 0.111111,
        // 1/30 + 1/70 = 0.047619, 2/45 = 0.044444; w = 9, 21, 22.5 (Σ 52.5).
        // Common mean = (9 × -2.197225 + 21 × -0.847298) / 52.5 = -0.715587.
        // Q = Σ w y² − (Σ w y)² / Σ w = 43.4500 + 15.0762 − 26.8832 = 31.643.
        // C = 52.5 − (81 + 441 + 506.25) / 52.5 = 32.914; tau² = 29.643 / 32.914
        // = 0.90061; I² = 29.643 / 31.643 = 0.93679. Weights 1 / (v + tau²) =
        // 0.98900, 1.05468, 1.05803 (Σ 3.10171): mean = -0.98845,
        // se = 1 / sqrt(3.10171) = 0.56786; 95%: -0.98845 ± 1.95996 × 0.56786.
        let p = pool(
            &events(&[(10.0, 100.0), (30.0, 100.0), (45.0, 90.0)]),
            IntervalMethod::DerSimonianLaird,
        )
        .unwrap();
        let h = heterogeneity(&p);
        assert_eq!(p.k, 3);
        assert!(close(h.q, 31.6430089386, 1e-8), "{}", h.q);
        assert_eq!(h.df, 2.0);
        assert!(close(h.tau2, 0.9006122507, 1e-9), "{}", h.tau2);
        assert!(close(h.i2, 0.9367948856, 1e-9), "{}", h.i2);
        assert!(close(p.estimate, 0.2712187577, 1e-9), "{}", p.estimate);
        assert!(close(p.lower, 0.1089581928, 1e-9), "{}", p.lower);
        assert!(close(p.upper, 0.5310926569, 1e-9), "{}", p.upper);
        // The mean's draws: normal on the logit scale with sd = se.
        let Distribution::LogitNormal { mean, sd } = p.distribution else {
            panic!("{:?}", p.distribution)
        };
        assert!(close(mean, -0.9884478885, 1e-9) && close(sd, 0.5678569669, 1e-9));
        // Prediction: t(1) = 12.7062 times sqrt(tau² + se²): all but 0 to 1.
        let (lo, hi) = p.prediction.unwrap();
        assert!(
            close(lo, 0.0000002937, 1e-10) && close(hi, 0.9999978791, 1e-9),
            "{lo} {hi}"
        );
    }

    #[test]
    fn matches_statsmodels_with_a_zero_event_study() {
        // tests/fixtures/evidence/reference_meta.py, "five with a zero-event
        // study": statsmodels combine_effects(method_re="dl"); 0/40 enters as
        // 0.5/40.5 (logit -4.394449, variance 2.024691).
        let data = events(&[
            (0.0, 40.0),
            (8.0, 50.0),
            (15.0, 60.0),
            (30.0, 80.0),
            (12.0, 150.0),
        ]);
        let (y, v) = data[0].logit();
        assert!(close(y, -4.3944491547, 1e-9) && close(v, 2.024691358, 1e-9));
        let p = pool(&data, IntervalMethod::DerSimonianLaird).unwrap();
        let h = heterogeneity(&p);
        assert!(close(h.q, 32.1266907512, 1e-8), "{}", h.q);
        assert!(close(h.p_value, 0.0000018024, 1e-10), "{}", h.p_value);
        assert!(close(h.tau2, 0.8064160839, 1e-9), "{}", h.tau2);
        assert!(close(h.i2, 0.8754929342, 1e-9), "{}", h.i2);
        assert!(close(p.estimate, 0.1633633540, 1e-9), "{}", p.estimate);
        assert!(close(p.lower, 0.0738857841, 1e-9) && close(p.upper, 0.3233653160, 1e-9));
        let (lo, hi) = p.prediction.unwrap();
        assert!(
            close(lo, 0.0078482406, 1e-9) && close(hi, 0.8281768185, 1e-9),
            "{lo} {hi}"
        );

        // Hartung–Knapp: statsmodels' random-effects WLS interval, t(4).
        let hk = pool(&data, IntervalMethod::HartungKnapp).unwrap();
        assert_eq!(hk.basis, Basis::RandomEffects(IntervalMethod::HartungKnapp));
        assert_eq!(hk.estimate, p.estimate);
        assert!(
            close(hk.lower, 0.0439313974, 1e-9) && close(hk.upper, 0.4534785596, 1e-9),
            "{} {}",
            hk.lower,
            hk.upper
        );
        assert_eq!(hk.prediction, p.prediction);
        // The draws' sd reproduces the wider interval: (3.0802004 − 0.1866255) / 2 / 1.95996.
        let (_, sd) = hk.distribution.logit_moments();
        assert!(
            close(sd, (3.0802004032 - 0.1866255483) / 2.0 / Z95, 1e-9),
            "{sd}"
        );
    }

    #[test]
    fn identical_studies_have_no_heterogeneity() {
        // Three times 20/100: Q = 0, tau² = 0, I² = 0, so the random-effects
        // mean is the common one, logit(0.2), with se = sqrt(0.0625 / 3).
        let data = events(&[(20.0, 100.0); 3]);
        let p = pool(&data, IntervalMethod::DerSimonianLaird).unwrap();
        let h = heterogeneity(&p);
        assert!(h.q.abs() < 1e-12 && h.tau2 == 0.0 && h.i2 == 0.0, "{h:?}");
        assert!(close(h.p_value, 1.0, 1e-12));
        assert!(close(p.estimate, 0.2, 1e-12));
        assert!(close(p.lower, 0.1585320967, 1e-9) && close(p.upper, 0.2491037667, 1e-9));
        let (lo, hi) = p.prediction.unwrap();
        assert!(close(lo, 0.0384097518, 1e-9) && close(hi, 0.6100894710, 1e-9));
        // Plain Hartung–Knapp would give a zero-width interval here (the
        // weighted residuals are all 0); the ad hoc rule keeps the Wald one.
        let hk = pool(&data, IntervalMethod::HartungKnapp).unwrap();
        assert_eq!((hk.lower, hk.upper), (p.lower, p.upper));
    }

    #[test]
    fn all_events_take_the_continuity_correction_and_two_studies_have_no_prediction_interval() {
        // 20/20 enters as 20.5/0.5: logit ln 41 = 3.713572, variance
        // 1/20.5 + 1/0.5 = 2.048780. Reference: reference_meta.py, "two with
        // an all-events study".
        let data = events(&[(20.0, 20.0), (9.0, 30.0)]);
        let (y, v) = data[0].logit();
        assert!(close(y, 41f64.ln(), 1e-12) && close(v, 1.0 / 20.5 + 2.0, 1e-12));
        let p = pool(&data, IntervalMethod::DerSimonianLaird).unwrap();
        let h = heterogeneity(&p);
        assert!(close(h.q, 9.4230732361, 1e-8) && close(h.tau2, 9.2970119227, 1e-8));
        assert!(close(p.estimate, 0.7731061846, 1e-9));
        assert!(close(p.lower, 0.0382302465, 1e-9) && close(p.upper, 0.9965879246, 1e-9));
        assert_eq!(p.prediction, None);
        // Two studies still have a prediction distribution: variance
        // tau² + se², se² = 1 / Σ 1 / (v + tau²) over the two studies'
        // variances (1/20.5 + 2 and 1/9 + 1/21).
        let v = [1.0 / 20.5 + 2.0, 1.0 / 9.0 + 1.0 / 21.0];
        let se2 = 1.0 / v.iter().map(|v| 1.0 / (v + h.tau2)).sum::<f64>();
        let Some(Distribution::LogitNormal { sd, .. }) = p.predictive else {
            panic!("{:?}", p.predictive)
        };
        assert!(close(sd, (h.tau2 + se2).sqrt(), 1e-12), "{sd}");
    }

    #[test]
    fn a_single_study_keeps_its_rate_wilson_interval_and_jeffreys_beta() {
        // 39% of 173 (67.47 events): the Wilson interval of src/stats/wilson.rs,
        // and Beta(67.97, 106.03), whose logit has mean ψ(67.97) − ψ(106.03)
        // and sd sqrt(ψ′(67.97) + ψ′(106.03)) (scipy, reference_meta.py).
        let p = pool(
            &events(&[(0.39 * 173.0, 173.0)]),
            IntervalMethod::HartungKnapp,
        )
        .unwrap();
        assert_eq!(
            (p.k, p.basis, p.heterogeneity, p.prediction),
            (1, Basis::Wilson, None, None)
        );
        assert!(close(p.estimate, 0.39, 1e-12));
        assert!(close(p.lower, 0.320464, 5e-6) && close(p.upper, 0.464318, 5e-6));
        let Distribution::Beta { alpha, beta } = p.distribution else {
            panic!("{:?}", p.distribution)
        };
        assert!(close(alpha, 67.97, 1e-9) && close(beta, 106.03, 1e-9));
        let (mean, sd) = p.distribution.logit_moments();
        assert!(
            close(mean, -0.4473068067, 1e-9) && close(sd, 0.1558750727, 1e-9),
            "{mean} {sd}"
        );
    }

    #[test]
    fn zero_and_all_events_in_a_single_study() {
        // Beta(0.5, 25.5) and its mirror Beta(25.5, 0.5) (scipy values).
        for (x, mean) in [(0.0, -5.1824524989), (25.0, 5.1824524989)] {
            let p = pool(&events(&[(x, 25.0)]), IntervalMethod::DerSimonianLaird).unwrap();
            assert_eq!(p.estimate, x / 25.0);
            let (m, sd) = p.distribution.logit_moments();
            assert!(
                close(m, mean, 1e-9) && close(sd, 2.2304252667, 1e-9),
                "{m} {sd}"
            );
        }
    }

    #[test]
    fn a_published_interval_gives_a_logit_normal_distribution() {
        // 32.5% published as 25% to 40% with no n: sd = (logit 0.40 −
        // logit 0.25) / (2 × 1.959964) = (−0.405465 + 1.098612) / 3.919928
        // = 0.176826.
        let only = Observation::Interval {
            rate: 0.325,
            lower: 0.25,
            upper: 0.40,
        };
        let p = pool(&[only], IntervalMethod::DerSimonianLaird).unwrap();
        assert_eq!(
            (p.basis, p.estimate, p.lower, p.upper),
            (Basis::Published, 0.325, 0.25, 0.40)
        );
        let (mean, sd) = p.distribution.logit_moments();
        assert!(close(mean, (0.325f64 / 0.675).ln(), 1e-12));
        assert!(close(sd, 0.176826, 1e-6), "{sd}");
    }

    #[test]
    fn nothing_to_pool_is_none() {
        assert_eq!(pool(&[], IntervalMethod::DerSimonianLaird), None);
    }

    #[test]
    fn trigamma_and_t_quantiles_match_scipy() {
        for (x, expected) in [
            (0.5, 4.934_802_200_544_68),
            (1.0, 1.644934066848227),
            (3.7, 0.310037857670038),
            (67.97, 0.014821130802488),
            (1e-3, 1_000_001.642_533_195_9),
        ] {
            let got = trigamma(x);
            assert!(
                ((got - expected) / expected).abs() < 1e-12,
                "{x}: {got} vs {expected}"
            );
        }
        for (df, expected) in [
            (1.0, 12.706204736175),
            (2.0, 4.302652729749),
            (4.0, 2.776445105198),
        ] {
            assert!(close(t_quantile(df), expected, 1e-9), "{df}");
        }
    }
}

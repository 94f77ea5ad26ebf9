//! `manifest.json`: tool version, resolved configuration, every input with
//! its SHA-256, the assumptions, map classes, and everything excluded or
//! repaired, so that every number in the outputs can be traced.
//!
//! It carries no timestamp: the same inputs give the same bytes.

use crate::analysis::intervals::{England, SimulationRecord};
use crate::analysis::{Analysis, sensitivity};
use crate::caseload::Unplaced;
use crate::config::RunSpec;
use crate::evidence::SynthesisRow;
use crate::evidence::policy::Choice;
use crate::input::InputFile;
use crate::load::Loaded;
use crate::output;
use crate::report::account;
use crate::services;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Manifest<'a> {
    pub tool: Tool,
    pub config: &'a RunSpec,
    pub inputs: Vec<InputFile>,
    pub levels: Vec<LevelRecord>,
    pub caseload: CaseloadRecord,
    pub assumptions: Vec<String>,
    pub methods: Vec<String>,
    /// The small-number rule applied to everything meant for publication.
    pub publication: String,
    /// The simulation behind every modelled interval: its settings and each
    /// uncertain input's distribution.
    pub simulation: &'a SimulationRecord,
    /// Which method made each interval column of gap.csv.
    pub intervals: BTreeMap<&'static str, &'static str>,
    /// England's figures per condition, from the same draws.
    pub england: &'a [England],
    /// Areas in the top fifth of unmet need under every sensitivity scenario,
    /// by "level/condition".
    pub robust_top_fifth: BTreeMap<String, Vec<String>>,
    pub maps: Vec<MapRecord>,
    /// The "what if" scenarios reported beside the baseline in
    /// scenarios.csv, by name; each one's definition is in
    /// `config.scenarios`.
    pub scenarios_run: Vec<&'a str>,
    /// The evidence synthesis, as evidence.csv: each condition's figures by
    /// definition class, pooled within a class only.
    pub evidence: Vec<SynthesisRow>,
    /// Which estimate each condition's prevalence is, by the evidence
    /// policy: the policy, whether configured, and the estimate's class,
    /// studies, I² and the distribution the simulation draws from.
    pub prevalence_choices: &'a [Choice],
    /// Chart files (SVG and PNG), relative to the output directory.
    pub charts: Vec<String>,
    pub excluded: Vec<Exclusion>,
    pub outputs: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// A reporting level: its boundary layer and what was done to it.
#[derive(Debug, Serialize)]
pub struct LevelRecord {
    pub level: String,
    pub layer: String,
    pub vintage: String,
    pub areas: usize,
    /// The level's areas with their boundaries (GeoParquet, British National
    /// Grid), relative to the output directory.
    pub areas_file: String,
    pub repairs: Vec<Repaired>,
}

#[derive(Debug, Serialize)]
pub struct Repaired {
    pub area_code: String,
    pub what: String,
}

/// The account of the caseload: input = placed + not placed.
#[derive(Debug, Serialize)]
pub struct CaseloadRecord {
    pub input_total: f64,
    pub placed_in_england: f64,
    pub not_placed: f64,
    pub england_share: f64,
    pub proxy: String,
    pub proxy_description: String,
    pub lsoas: usize,
    pub lsoas_bridged_to_sicbl_2023: usize,
    pub unplaced: Vec<Unplaced>,
}

/// One map, in the DESIGN.md contract: breaks are upper bounds, ascending; a
/// value belongs to the first class whose bound it does not exceed.
#[derive(Debug, Clone, Serialize)]
pub struct MapRecord {
    pub file: String,
    pub png: String,
    pub level: String,
    pub condition: String,
    pub column: String,
    pub method: String,
    pub k: usize,
    pub breaks: Vec<f64>,
    pub counts: Vec<usize>,
    pub no_data: usize,
    pub palette: String,
    /// Whether the breaks are shared by all of the level's maps.
    pub shared_breaks: bool,
}

/// Something the user gave that is not in the results, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Exclusion {
    pub input: String,
    pub item: String,
    pub reason: String,
}

impl Manifest<'_> {
    /// The manifest with the run's evidence synthesis.
    pub fn with_evidence(mut self, synthesis: Vec<SynthesisRow>) -> Self {
        self.evidence = synthesis;
        self
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("the manifest is plain data");
        bytes.push(b'\n');
        bytes
    }
}

/// The manifest of a run: what was read, assumed, drawn, excluded and written.
pub fn manifest<'a>(
    spec: &'a RunSpec,
    loaded: &'a Loaded,
    analysis: &'a Analysis,
    maps: Vec<MapRecord>,
    charts: Vec<String>,
    outputs: Vec<String>,
) -> Manifest<'a> {
    let placement = &analysis.placement;
    let levels = loaded
        .layers
        .iter()
        .map(|(level, layer)| LevelRecord {
            level: level.level.to_string(),
            layer: level.layer.id.clone(),
            vintage: level.layer.vintage.clone(),
            areas: layer.features.len(),
            areas_file: output::areas_file(level.level),
            repairs: layer
                .repairs
                .iter()
                .map(|r| Repaired {
                    area_code: r.code.clone(),
                    what: r.what.clone(),
                })
                .collect(),
        })
        .collect();
    let mut excluded: Vec<Exclusion> = loaded
        .layers
        .iter()
        .flat_map(|(_, layer)| {
            // Named as `inputs` names the file, so the two can be matched.
            layer.excluded.iter().map(move |e| Exclusion {
                input: layer.path.display().to_string(),
                item: e.code.clone(),
                reason: e.reason.clone(),
            })
        })
        .collect();
    excluded.extend(placement.unplaced.iter().map(|u| Exclusion {
        input: spec.datasets.caseload.to_string(),
        item: format!(
            "line {}: {} ({:.1} people)",
            u.line, u.area_code, u.caseload
        ),
        reason: u.reason.clone(),
    }));
    excluded.extend(
        services::outside_england(&loaded.services)
            .into_iter()
            .map(|s| Exclusion {
                input: spec.datasets.services.to_string(),
                item: s.id.clone(),
                reason: "serves only areas outside England".to_string(),
            }),
    );
    Manifest {
        tool: Tool::this(),
        config: spec,
        inputs: account::settled(spec, loaded, analysis),
        levels,
        caseload: CaseloadRecord {
            input_total: placement.input_total,
            placed_in_england: placement.placed,
            not_placed: placement.unplaced_total(),
            england_share: placement.england_share,
            proxy: spec.caseload.proxy.as_str().to_string(),
            proxy_description: spec.caseload.proxy.describe().to_string(),
            lsoas: loaded.units.lsoas.len(),
            lsoas_bridged_to_sicbl_2023: loaded.units.sicbl_bridged,
            unplaced: placement.unplaced.clone(),
        },
        assumptions: assumptions(spec, analysis),
        methods: methods(),
        publication: spec.publication.describe(),
        simulation: &analysis.simulated,
        intervals: interval_methods(),
        england: &analysis.simulation.england,
        robust_top_fifth: sensitivity::robust_summary(&analysis.sensitivity),
        maps,
        scenarios_run: spec
            .chosen
            .iter()
            .map(|&i| spec.scenarios[i].name.as_str())
            .collect(),
        evidence: Vec::new(),
        prevalence_choices: &loaded.choices,
        charts,
        excluded,
        outputs,
    }
}

/// The assumptions behind the numbers, in words, for the manifest and the README.
pub fn assumptions(spec: &RunSpec, analysis: &Analysis) -> Vec<String> {
    let placement = &analysis.placement;
    let simulated = &analysis.simulated;
    vec![
        format!(
            "England's share of an England and Wales caseload is {:.4} ({}).",
            placement.england_share,
            spec.caseload.england_share.describe()
        ),
        format!(
            "Caseload given for a larger area is spread over its districts in proportion to the {}; within a district it follows the adult population of its LSOAs.",
            spec.caseload.proxy.describe()
        ),
        "Prevalence among people on probation is the same in every area (local rates are not published); need = caseload x prevalence.".to_string(),
        format!(
            "The caseload model's own error: each district's share of caseload is the proxy's share times a lognormal factor with standard deviation {:.2} on the log scale ({}); within a district caseload follows adult population, with no further error term.",
            simulated.model_error, simulated.model_error_source
        ),
        format!(
            "The simulation weighs the caseload proxies employment scale : income scale : adult population as {} : {} : {}, and England's share of an England-and-Wales total has a standard deviation of {}.",
            simulated.proxy_weights[0],
            simulated.proxy_weights[1],
            simulated.proxy_weights[2],
            simulated.england_share_sd
        ),
        "Where no service states a capacity, unmet need = need x the national share of people on probation with the condition who receive no treatment: one minus the share engaged with treatment in the official OHID/MoJ linkage statistics (datasets/treatment_evidence.csv, use = default) for the conditions they cover, else the survey share of datasets/treatment_access.csv; provision status is reported beside it but does not change it.".to_string(),
        "A capacity stated for England and Wales is cut to England's share and apportioned to areas by caseload.".to_string(),
        "Conditions with no capacity and no treatment-access evidence have unmet need 'not_assessed', and their maps show need.".to_string(),
    ]
}

/// The methods behind the numbers, in words, for the manifest and the annexes.
pub fn methods() -> Vec<String> {
    [
        "Boundaries projected from WGS84 to British National Grid with OSTN15; invalid rings repaired and reported.",
        "Prevalence intervals: Wilson score, 95% (z = 1.959964) and 99.8% (z = 3.090232), from the study's sample size; or the study's published interval.",
        "Modelled intervals (caseload, need, unmet need, excess need and their rates per 100,000 adults): 2.5th and 97.5th (95%) and 0.1st and 99.9th (99.8%) percentiles of a Monte Carlo simulation with a fixed seed. Each draw chooses a caseload proxy (by the configured weights), a lognormal error for every district's share of caseload, England's share of an England-and-Wales total, each prevalence (Jeffreys Beta from the study's sample, a logit-normal matched to a published interval, or for a pooled estimate the logit-normal random-effects prediction distribution) and each untreated share (Beta from its own sample where stated, else fixed), and carries them through the LSOAs to every level, so each level adds up to the same England total in every draw. The central estimate is the run's own (the configured proxy, the prevalence as published).",
        "Need per 100,000 adults: need over the area's ONS mid-2020 population aged 18+; its interval is the simulated need interval over the same adults (Byar and exact Poisson intervals are for observed counts, and none of these counts is observed).",
        "Ranks: areas ranked within level and condition by the published figure's rate per 100,000 adults, in the central estimate and in every draw; the rank interval is the 2.5th to 97.5th percentile of the draws' ranks, and the top-fifth probability the share of draws in which the area is in the top fifth.",
        "Comparisons with England and with similar areas: higher or lower only where the simulated 95% (or 99.8%) interval of the difference in rates excludes zero; otherwise similar.",
        "General-population comparison: expected = caseload x the verified APMS prevalence; excess = need - expected, with its simulated interval; prevalence ratio interval = the probation prevalence interval / the survey prevalence.",
        "Local prevalence is higher / similar / lower than England as the England value lies below / inside / above the local Wilson 95% (and 99.8%) interval.",
        "Sensitivity: the published figure's rate rerun with each caseload proxy alone and with the prevalence at its lower and upper 95% bounds; areas ranked within level and condition; robust = in the top fifth under every scenario.",
        "Evidence synthesis (evidence.csv, charts/evidence-*.svg): each condition's published figures (datasets/evidence.csv) grouped by definition class (clinical interview diagnosis, validated screening instrument, practitioner- or OASys-recorded need, self-report) and pooled within a class only, never across. Figures verified at source or in a secondary report, marked pool = yes and with a sample size (or a published interval) enter the pool. Two or more: DerSimonian-Laird random effects on the logit scale (0.5 added to both cells of a study with 0 or n events), Cochran's Q, tau-squared, I-squared, 95% Wald interval, and from three figures the 95% prediction interval mean +/- t(k-2) sqrt(tau-squared + se-squared). One figure: its rate with the Wilson interval (or its published interval). Which estimate each condition's prevalence is follows the evidence policy (config [evidence_policy], manifest prevalence_choices): the pooled estimate of the one class with two or more eligible figures, a named study, or prevalence.csv's own figure (local, the default where no class can be pooled); feeds_default marks the class whose estimate the run uses. A pooled prevalence is drawn from the random-effects distribution of a new setting: normal on the logit scale with variance tau-squared + se-squared.",
        "Scenarios (scenarios.csv): each scenario is simulated with the baseline's seed and settings, its changes applied after each draw is made, so draw d of the scenario and of the baseline share every random input; a figure's change is the scenario's minus the baseline's, its interval the 2.5th to 97.5th percentile of the paired draws' differences, and it is called higher or lower only where that interval excludes zero (otherwise similar).",
        "Map classes: breaks are upper bounds; a value belongs to the first class whose bound it does not exceed (mapclassify convention).",
    ]
    .map(String::from)
    .to_vec()
}

/// Which method made each interval column of gap.csv.
pub fn interval_methods() -> BTreeMap<&'static str, &'static str> {
    const SIMULATED: &str = "Monte Carlo simulation (see simulation)";
    const OBSERVED: &str =
        "Wilson score interval of an observed proportion, or the study's published interval";
    [
        ("caseload_lower, caseload_upper (+ _998)", SIMULATED),
        ("need_lower, need_upper (+ _998)", SIMULATED),
        ("unmet_need_lower, unmet_need_upper (+ _998)", SIMULATED),
        ("need_per_100k_adults_lower, _upper (+ _998)", SIMULATED),
        (
            "unmet_need_per_100k_adults_lower, _upper (+ _998)",
            SIMULATED,
        ),
        ("excess_need_lower, excess_need_upper", SIMULATED),
        ("rank_lower, rank_upper, top_fifth_probability", SIMULATED),
        ("rate_compared_with_england (+ _998)", SIMULATED),
        ("prevalence_lower, prevalence_upper (+ _998)", OBSERVED),
        ("need_per_1000_caseload_lower, _upper", OBSERVED),
        ("prevalence_ratio_lower, prevalence_ratio_upper", OBSERVED),
        (
            "local_prevalence_lower, local_prevalence_upper",
            "Wilson score interval of the locally observed proportion",
        ),
    ]
    .into_iter()
    .collect()
}

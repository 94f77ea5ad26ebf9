//! Writing outputs: the gap table as CSV and Parquet from one polars
//! DataFrame; a run's files written as one directory that replaces the
//! previous run whole ([`OutputDir`]); and a single file written whole or
//! not at all (a temporary file beside the target, then a rename).

mod directory;

pub use directory::{OutputDir, WriteFile};

use crate::analysis::Analysis;
use crate::analysis::check::{Check, Compared, Fit};
use crate::analysis::funnel::Funnel;
use crate::analysis::intervals::{England, Shift, figure};
use crate::analysis::sensitivity::SensitivityRow;
use crate::analysis::trend::Series;
use crate::analysis::what_if::{MEASURES, WhatIf};
use crate::caseload::Proxy;
use crate::error::{Error, ErrorKind, Result};
use crate::evidence::SynthesisRow;
use crate::gap::{Figure, GapRow, Scale};
use crate::geography::Level;
use crate::geography::boundaries::BoundaryLayer;
use crate::geography::geoparquet;
use crate::gss;
use crate::prevalence::Prevalence;
use crate::stats::estimate::Estimate;
use crate::uncertainty::summary::Difference;
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Files to write, by path relative to the output directory, in memory until
/// everything has been computed: a failed run writes nothing.
#[derive(Debug, Default)]
pub struct Outputs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl Outputs {
    pub fn add(&mut self, relative: impl Into<PathBuf>, bytes: Vec<u8>) {
        self.files.insert(relative.into(), bytes);
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    pub fn get(&self, relative: &str) -> Option<&[u8]> {
        self.files.get(Path::new(relative)).map(Vec::as_slice)
    }

    /// The last check before anything is written: no text output (annex,
    /// explorer, table, chart, manifest) shows a number as `NaN` or `inf`,
    /// the way Rust formats a non-finite number. The tables are checked cell
    /// by cell as they are built; this catches what prose and figures print.
    pub fn check_finite(&self) -> Result<()> {
        for (relative, bytes) in &self.files {
            let Ok(text) = std::str::from_utf8(bytes) else {
                continue; // PNG and Parquet: made from the checked figures.
            };
            if let Some((line, word)) = non_finite_word(text) {
                let shown = relative.display().to_string();
                return Err(Error::internal(format!(
                    "the text shows a number as '{word}': a published number must be finite; nothing was written"
                ))
                .in_file(shown)
                .line(line)
                .hint("please report this with the run's inputs: a reader let through a value it should have refused"));
            }
        }
        Ok(())
    }

    /// Replaces `dir` with these files, whole (see [`OutputDir`]).
    pub fn write(&self, dir: &Path) -> Result<()> {
        OutputDir::claim(dir)?.replace(self)
    }

    /// Writes every file under `dir`, each atomically, beside what is there
    /// (for `check-caseload`, whose two tables stand alone).
    pub fn write_each(&self, dir: &Path) -> Result<()> {
        for (relative, bytes) in &self.files {
            write_atomic(&dir.join(relative), bytes)?;
        }
        Ok(())
    }
}

/// The first word `NaN` or `inf` (as Rust prints a non-finite f64) in
/// `text`, with its 1-based line; words are runs of letters, digits and `_`,
/// so `isNaN` and `Infinity` in the explorer's script are not matches.
fn non_finite_word(text: &str) -> Option<(u64, &'static str)> {
    text.lines().enumerate().find_map(|(i, line)| {
        line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find_map(|w| match w {
                "NaN" => Some("NaN"),
                "inf" => Some("inf"),
                _ => None,
            })
            .map(|w| (i as u64 + 1, w))
    })
}

/// Writes a file whole: a temporary file in the same directory, flushed to
/// disk, then renamed over the target (a rename within a directory is atomic).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: std::io::Error| cannot_write_file(path, &e);
    let temporary = temporary_beside(path).map_err(fail)?;
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(fail)
}

/// Checks, before any computing, that `path` can be written: not a
/// directory, and a file can be created beside it (the disk is writable).
pub fn check_writable_file(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(Error::input(path, "--out is a directory, not a file")
            .kind(ErrorKind::Config)
            .hint("name the file to write, e.g. --out crosswalk.csv"));
    }
    let probe = temporary_beside(path)
        .and_then(|t| std::fs::File::create(&t).map(|_| t))
        .map_err(|e| cannot_write_file(path, &e))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Where a file is written before it is renamed into place (its directory
/// made first): a hidden name beside it, unique to this process.
fn temporary_beside(path: &Path) -> std::io::Result<PathBuf> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Ok(dir.join(format!(".{name}.{}.tmp", std::process::id())))
}

fn cannot_write_file(path: &Path, e: &std::io::Error) -> Error {
    Error::input(path, format!("cannot write: {e}"))
        .kind(ErrorKind::Io)
        .hint("check that the output directory is writable and the disk has space")
}

/// The gap table: the columns of the output contract first, never renamed,
/// then provision, evidence, intervals, rates and comparisons.
pub fn gap_frame(rows: &[GapRow], prevalence: &[Prevalence], proxy: &str) -> Result<DataFrame> {
    let by_condition: HashMap<&str, &Prevalence> = prevalence
        .iter()
        .map(|p| (p.condition.as_str(), p))
        .collect();
    let p = |r: &GapRow| by_condition[r.condition.as_str()];
    let mut t = Columns::new(rows, "gap.csv", |r: &GapRow| {
        format!("{} {} {}", r.level, r.area_code, r.condition)
    });
    t.text("level", |r| r.level.to_string());
    t.text("area_code", |r| r.area_code.clone());
    t.text("area_name", |r| r.area_name.clone());
    t.text("condition", |r| r.condition.clone());
    t.number("caseload", |r| Some(r.facts.caseload.value));
    t.number("need", |r| Some(r.need.value));
    t.number("need_lower", |r| Some(r.need.lower));
    t.number("need_upper", |r| Some(r.need.upper));
    t.number("unmet_need", |r| r.unmet.map(|u| u.value));
    t.number("unmet_need_lower", |r| r.unmet.map(|u| u.lower));
    t.number("unmet_need_upper", |r| r.unmet.map(|u| u.upper));
    t.flag("suppressed", |r| r.suppressed);
    t.text("gap_basis", |r| r.basis.as_str().to_string());
    t.number("untreated_share", |r| r.untreated_share);
    t.number("capacity", |r| r.capacity);
    t.text("domain", |r| r.domain.as_str().to_string());
    t.text("provision_status", |r| {
        r.provision.status.as_str().to_string()
    });
    t.number("provision_coverage", |r| Some(r.provision.coverage));
    t.text("services", |r| r.provision.services.join(";"));
    t.number("prevalence", |r| Some(p(r).rate));
    t.number("prevalence_lower", |r| Some(p(r).lower));
    t.number("prevalence_upper", |r| Some(p(r).upper));
    t.number("prevalence_lower_998", |r| Some(p(r).lower_998));
    t.number("prevalence_upper_998", |r| Some(p(r).upper_998));
    t.number("prevalence_n", |r| p(r).n);
    t.text("prevalence_interval", |r| {
        p(r).interval_basis.as_str().to_string()
    });
    t.text("evidence_grade", |r| p(r).evidence_grade.clone());
    t.text("prevalence_estimate", |r| {
        p(r).estimate.source.as_str().to_string()
    });
    t.text("prevalence_class", |r| {
        p(r).estimate.class.clone().unwrap_or_default()
    });
    t.number("prevalence_k", |r| p(r).estimate.k.map(|k| k as f64));
    t.number("prevalence_i2", |r| p(r).estimate.i2);
    t.number("need_lower_998", |r| Some(r.need.lower_998));
    t.number("need_upper_998", |r| Some(r.need.upper_998));
    t.number("caseload_lower", |r| Some(r.facts.caseload.lower));
    t.number("caseload_upper", |r| Some(r.facts.caseload.upper));
    t.number("need_per_1000_caseload", |r| Some(1000.0 * p(r).rate));
    t.number("need_per_1000_caseload_lower", |r| {
        Some(1000.0 * p(r).lower)
    });
    t.number("need_per_1000_caseload_upper", |r| {
        Some(1000.0 * p(r).upper)
    });
    t.number("adults", |r| Some(r.facts.adults));
    t.number("need_per_100k_adults", |r| Some(r.need_rate.value));
    t.number("need_per_100k_adults_lower", |r| Some(r.need_rate.lower));
    t.number("need_per_100k_adults_upper", |r| Some(r.need_rate.upper));
    t.number("expected_general_population", |r| {
        r.general_population.map(|g| g.expected)
    });
    t.number("excess_need", |r| {
        r.general_population.map(|g| g.excess.value)
    });
    t.number("prevalence_ratio", |r| {
        r.general_population.map(|g| g.ratio)
    });
    t.number("prevalence_ratio_lower", |r| {
        r.general_population.map(|g| g.ratio_lower)
    });
    t.number("prevalence_ratio_upper", |r| {
        r.general_population.map(|g| g.ratio_upper)
    });
    t.number("local_prevalence", |r| r.local.as_ref().map(|l| l.rate));
    t.number("local_prevalence_lower", |r| {
        r.local.as_ref().map(|l| l.lower)
    });
    t.number("local_prevalence_upper", |r| {
        r.local.as_ref().map(|l| l.upper)
    });
    t.number("local_prevalence_n", |r| r.local.as_ref().map(|l| l.n));
    t.text("compared_with_england", |r| {
        r.local
            .as_ref()
            .map_or("", |l| l.compared_95.as_str())
            .to_string()
    });
    t.text("compared_with_england_998", |r| {
        r.local
            .as_ref()
            .map_or("", |l| l.compared_998.as_str())
            .to_string()
    });
    t.number("caseload_coverage", |r| Some(r.facts.coverage));
    t.text("caseload_proxy", |_| proxy.to_string());
    t.number("caseload_lower_998", |r| Some(r.facts.caseload.lower_998));
    t.number("caseload_upper_998", |r| Some(r.facts.caseload.upper_998));
    t.number("unmet_need_lower_998", |r| r.unmet.map(|u| u.lower_998));
    t.number("unmet_need_upper_998", |r| r.unmet.map(|u| u.upper_998));
    t.number("need_per_100k_adults_lower_998", |r| {
        Some(r.need_rate.lower_998)
    });
    t.number("need_per_100k_adults_upper_998", |r| {
        Some(r.need_rate.upper_998)
    });
    t.number("unmet_need_per_100k_adults", |r| {
        r.unmet_rate.map(|u| u.value)
    });
    t.number("unmet_need_per_100k_adults_lower", |r| {
        r.unmet_rate.map(|u| u.lower)
    });
    t.number("unmet_need_per_100k_adults_upper", |r| {
        r.unmet_rate.map(|u| u.upper)
    });
    t.number("unmet_need_per_100k_adults_lower_998", |r| {
        r.unmet_rate.map(|u| u.lower_998)
    });
    t.number("unmet_need_per_100k_adults_upper_998", |r| {
        r.unmet_rate.map(|u| u.upper_998)
    });
    t.number("excess_need_lower", |r| {
        r.general_population.map(|g| g.excess.lower)
    });
    t.number("excess_need_upper", |r| {
        r.general_population.map(|g| g.excess.upper)
    });
    t.text("ranked_by", |r| {
        r.rank
            .map_or("", |_| ranked_by(r.unmet_rate.is_some()))
            .to_string()
    });
    t.integer("rank", |r| r.rank.map(|k| k.rank));
    t.integer("rank_lower", |r| r.rank.map(|k| k.lower));
    t.integer("rank_upper", |r| r.rank.map(|k| k.upper));
    t.number("top_fifth_probability", |r| r.rank.map(|k| k.top_fifth));
    t.text("rate_compared_with_england", |r| {
        r.against_england
            .map_or("", |[c, _]| c.as_str())
            .to_string()
    });
    t.text("rate_compared_with_england_998", |r| {
        r.against_england
            .map_or("", |[_, c]| c.as_str())
            .to_string()
    });
    t.frame()
}

/// The column a row's rank is by: its published figure's rate.
fn ranked_by(unmet_assessed: bool) -> &'static str {
    if unmet_assessed {
        Figure::UnmetNeed.column(Scale::Rate)
    } else {
        Figure::Need.column(Scale::Rate)
    }
}

/// Where a level's areas are written, relative to the output directory.
pub fn areas_file(level: Level) -> String {
    format!("areas/{level}.parquet")
}

/// Each level's areas as GeoParquet (`area_code`, `area_name`, the boundary
/// in British National Grid), by [`areas_file`], for GIS users to join
/// gap.csv to.
pub fn areas<'a>(
    layers: impl IntoIterator<Item = (Level, &'a BoundaryLayer)>,
) -> Result<Vec<(String, Vec<u8>)>> {
    layers
        .into_iter()
        .map(|(level, layer)| Ok((areas_file(level), geoparquet::areas(layer)?)))
        .collect()
}

/// The sensitivity table: one row per level × area × condition × scenario.
pub fn sensitivity_frame(rows: &[SensitivityRow]) -> Result<DataFrame> {
    let mut t = Columns::new(rows, "sensitivity.csv", |r: &SensitivityRow| {
        format!("{} {} {} {}", r.level, r.area_code, r.condition, r.scenario)
    });
    t.text("level", |r| r.level.to_string());
    t.text("area_code", |r| r.area_code.clone());
    t.text("area_name", |r| r.area_name.clone());
    t.text("condition", |r| r.condition.clone());
    t.text("scenario", |r| r.scenario.clone());
    t.text("column", |r| r.column.to_string());
    t.number("value", |r| Some(r.value));
    t.integer("rank", |r| Some(r.rank));
    t.flag("top_fifth", |r| r.top_fifth);
    t.flag("top_fifth_in_every_scenario", |r| {
        r.top_fifth_in_every_scenario
    });
    t.frame()
}

/// One line of scenarios.csv: an area (or England) and condition under
/// the baseline or a scenario, with each figure's change against the
/// baseline (0 for the baseline itself).
struct ScenarioLine<'a> {
    scenario: &'a str,
    level: &'a str,
    area_code: &'a str,
    area_name: &'a str,
    condition: &'a str,
    adults: f64,
    /// Caseload, need and unmet need (`what_if::MEASURES`), with the
    /// change of each.
    figures: [Option<(Estimate, Shift)>; 3],
}

/// The baseline and every scenario side by side: one line per scenario ×
/// level × area × condition, then England per condition, each figure with
/// its 95% interval and its change against the baseline with the change's
/// 95% interval and whether it is real (the interval excludes zero).
pub fn scenarios_frame(baseline: &Analysis, scenarios: &[WhatIf]) -> Result<DataFrame> {
    let unchanged = |e: Estimate| {
        (
            e,
            Shift {
                change: Estimate::exact(0.0),
                direction: Difference::Similar,
            },
        )
    };
    let row_figures = |r: &GapRow| MEASURES.map(|m| figure(r, m));
    let england_figures = |e: &England| [Some(e.caseload), Some(e.need), e.unmet];
    let mut lines: Vec<ScenarioLine> = Vec::new();
    for r in &baseline.rows {
        lines.push(ScenarioLine::area(
            "baseline",
            r,
            row_figures(r).map(|f| f.map(unchanged)),
        ));
    }
    for e in &baseline.simulation.england {
        lines.push(ScenarioLine::england(
            "baseline",
            e,
            england_figures(e).map(|f| f.map(unchanged)),
        ));
    }
    let paired = |figures: [Option<Estimate>; 3], shifts: &[Option<Shift>; 3]| {
        let mut out = [None; 3];
        for (o, (f, s)) in out.iter_mut().zip(figures.into_iter().zip(shifts)) {
            *o = f.zip(*s);
        }
        out
    };
    for w in scenarios {
        let name = w.spec.name.as_str();
        for (r, shifts) in w.rows.iter().zip(&w.shifts) {
            lines.push(ScenarioLine::area(name, r, paired(row_figures(r), shifts)));
        }
        for (e, shifts) in &w.england {
            lines.push(ScenarioLine::england(
                name,
                e,
                paired(england_figures(e), shifts),
            ));
        }
    }
    let mut t = Columns::new(&lines, "scenarios.csv", |l: &ScenarioLine| {
        format!("{} {} {} {}", l.scenario, l.level, l.area_code, l.condition)
    });
    t.text("scenario", |l| l.scenario.to_string());
    t.text("level", |l| l.level.to_string());
    t.text("area_code", |l| l.area_code.to_string());
    t.text("area_name", |l| l.area_name.to_string());
    t.text("condition", |l| l.condition.to_string());
    t.number("adults", |l| Some(l.adults));
    for (i, name) in ["caseload", "need", "unmet_need"].into_iter().enumerate() {
        let figure = move |l: &ScenarioLine| l.figures[i].map(|(e, _)| e);
        let shift = move |l: &ScenarioLine| l.figures[i].map(|(_, s)| s);
        t.number(name, |l| figure(l).map(|e| e.value));
        t.number(&format!("{name}_lower"), |l| figure(l).map(|e| e.lower));
        t.number(&format!("{name}_upper"), |l| figure(l).map(|e| e.upper));
        t.number(&format!("{name}_change"), |l| {
            shift(l).map(|s| s.change.value)
        });
        t.number(&format!("{name}_change_lower"), |l| {
            shift(l).map(|s| s.change.lower)
        });
        t.number(&format!("{name}_change_upper"), |l| {
            shift(l).map(|s| s.change.upper)
        });
        t.text(&format!("{name}_change_is"), |l| {
            shift(l).map_or("", |s| s.direction.as_str()).to_string()
        });
    }
    t.frame()
}

impl<'a> ScenarioLine<'a> {
    fn area(scenario: &'a str, r: &'a GapRow, figures: [Option<(Estimate, Shift)>; 3]) -> Self {
        ScenarioLine {
            scenario,
            level: r.level.as_str(),
            area_code: &r.area_code,
            area_name: &r.area_name,
            condition: &r.condition,
            adults: r.facts.adults,
            figures,
        }
    }

    fn england(scenario: &'a str, e: &'a England, figures: [Option<(Estimate, Shift)>; 3]) -> Self {
        ScenarioLine {
            scenario,
            level: "country",
            area_code: gss::ENGLAND,
            area_name: "England",
            condition: &e.condition,
            adults: e.adults,
            figures,
        }
    }
}

/// One observed count against one estimate (a proxy's, or the simulation's).
struct CheckLine<'a> {
    compared: &'a Compared,
    estimate: &'static str,
    value: Option<f64>,
    interval: Option<(f64, f64)>,
}

/// The check of the caseload model: one row per observed count and
/// estimate (each proxy, then the simulation with its 95% interval).
pub fn check_frame(check: &Check) -> Result<DataFrame> {
    let mut lines = Vec::new();
    for c in &check.compared {
        for (p, proxy) in Proxy::ALL.iter().enumerate() {
            lines.push(CheckLine {
                compared: c,
                estimate: proxy.as_str(),
                value: c.by_proxy.map(|v| v[p]),
                interval: None,
            });
        }
        lines.push(CheckLine {
            compared: c,
            estimate: "simulation",
            value: c.simulated.map(|e| e.value),
            interval: c.simulated.map(|e| (e.lower, e.upper)),
        });
    }
    let mut t = Columns::new(&lines, "check_caseload.csv", |l: &CheckLine| {
        format!("{} {}", l.compared.observed.id, l.estimate)
    });
    t.text("id", |l| l.compared.observed.id.clone());
    t.text("level", |l| l.compared.observed.level.as_str().to_string());
    t.text("area_code", |l| l.compared.observed.area_code.clone());
    t.text("area_name", |l| l.compared.observed.area_name.clone());
    t.text("date", |l| l.compared.observed.date.to_string());
    t.text("definition", |l| l.compared.observed.definition.clone());
    t.number("observed", |l| Some(l.compared.observed.count));
    t.flag("compared", |l| l.compared.compared);
    t.text("estimate", |l| l.estimate.to_string());
    t.number("value", |l| l.value);
    t.number("lower", |l| l.interval.map(|i| i.0));
    t.number("upper", |l| l.interval.map(|i| i.1));
    t.number("ratio", |l| l.value.map(|v| l.compared.observed.count / v));
    t.text("covered", |l| match l.interval {
        Some((lower, upper)) => ((lower..=upper).contains(&l.compared.observed.count)).to_string(),
        None => String::new(),
    });
    t.text("adjustment", |l| l.compared.adjustment.clone());
    t.frame()
}

/// trends.csv: one row per point of every series, modelled and observed;
/// the recent trend on each observed series' latest point.
pub fn trends_frame(series: &[Series]) -> Result<DataFrame> {
    let points: Vec<(&Series, usize)> = series
        .iter()
        .flat_map(|s| (0..s.points.len()).map(move |i| (s, i)))
        .collect();
    let latest = |(s, i): &(&Series, usize)| s.recent_trend.filter(|_| *i + 1 == s.points.len());
    let mut t = Columns::new(&points, "trends.csv", |(s, i): &(&Series, usize)| {
        format!(
            "{} {} {} {}",
            s.level, s.area_code, s.measure, s.points[*i].date
        )
    });
    t.text("level", |(s, _)| s.level.clone());
    t.text("area_code", |(s, _)| s.area_code.clone());
    t.text("area_name", |(s, _)| s.area_name.clone());
    t.text("measure", |(s, _)| s.measure.to_string());
    t.text("condition", |(s, _)| s.condition.clone());
    t.text("date", |(s, i)| s.points[*i].date.to_string());
    t.number("value", |(s, i)| Some(s.points[*i].value));
    t.number("lower", |(s, i)| Some(s.points[*i].lower));
    t.number("upper", |(s, i)| Some(s.points[*i].upper));
    t.text("interval", |(s, _)| s.interval.to_string());
    t.text("basis", |(s, _)| s.basis.as_str().to_string());
    t.text("definition", |(s, _)| s.definition.clone());
    t.text("recent_trend", |p| {
        latest(p).map_or(String::new(), |r| r.words().to_string())
    });
    t.number("recent_trend_chi_square", |p| {
        latest(p).and_then(|r| r.chi_square)
    });
    t.frame()
}

/// funnels.csv: every area on every funnel with its limits at its own n,
/// flagged `suppressed` where its numerator is under the small-number rule.
pub fn funnels_frame(funnels: &[Funnel]) -> Result<DataFrame> {
    let areas: Vec<(&Funnel, usize)> = funnels
        .iter()
        .flat_map(|f| (0..f.areas.len()).map(move |i| (f, i)))
        .collect();
    let limit = |level: f64, side: usize, over: bool| {
        move |(f, i): &(&Funnel, usize)| {
            let (plain, widened) = f.limits(f.areas[*i].sample.n, level);
            let pick = |(lower, upper): (f64, f64)| if side == 0 { lower } else { upper };
            if over {
                widened.map(pick)
            } else {
                Some(pick(plain))
            }
        }
    };
    let mut t = Columns::new(&areas, "funnels.csv", |(f, i): &(&Funnel, usize)| {
        format!("{} {} {}", f.level, f.condition, f.areas[*i].area_code)
    });
    t.text("level", |(f, _)| f.level.to_string());
    t.text("condition", |(f, _)| f.condition.clone());
    t.text("area_code", |(f, i)| f.areas[*i].area_code.clone());
    t.text("area_name", |(f, i)| f.areas[*i].area_name.clone());
    t.number("numerator", |(f, i)| Some(f.areas[*i].sample.count));
    t.number("n", |(f, i)| Some(f.areas[*i].sample.n));
    t.number("proportion", |(f, i)| Some(f.areas[*i].sample.proportion()));
    t.number("baseline", |(f, _)| Some(f.baseline));
    t.number("lower_95", limit(0.95, 0, false));
    t.number("upper_95", limit(0.95, 1, false));
    t.number("lower_998", limit(0.998, 0, false));
    t.number("upper_998", limit(0.998, 1, false));
    t.text("significance", |(f, i)| {
        f.areas[*i].significance.to_string()
    });
    t.number("overdispersion_phi", |(f, _)| {
        f.overdispersion.map(|o| o.phi)
    });
    t.number("overdispersion_tau2", |(f, _)| {
        f.overdispersion.map(|o| o.tau2)
    });
    t.number("lower_95_overdispersed", limit(0.95, 0, true));
    t.number("upper_95_overdispersed", limit(0.95, 1, true));
    t.number("lower_998_overdispersed", limit(0.998, 0, true));
    t.number("upper_998_overdispersed", limit(0.998, 1, true));
    t.text("significance_overdispersed", |(f, i)| {
        f.areas[*i]
            .significance_overdispersed
            .unwrap_or_default()
            .to_string()
    });
    // As gap.csv: exact figures for the analyst, flagged where the
    // published chart and explorer leave the area out.
    t.flag("suppressed", |(f, i)| f.areas[*i].withheld);
    t.frame()
}

/// The fit of each estimate over the independent areas.
pub fn fits_frame(check: &Check) -> Result<DataFrame> {
    let mut t = Columns::new(&check.fits, "check_caseload_fits.csv", |f: &Fit| {
        f.estimate.clone()
    });
    t.text("estimate", |f| f.estimate.clone());
    t.integer("areas", |f| Some(f.areas));
    t.number("bias", |f| f.bias);
    t.number("spread", |f| f.spread);
    t.number("rms", |f| f.rms);
    t.number("coverage", |f| f.coverage);
    t.frame()
}

/// The evidence synthesis (`evidence.csv`): one row per condition and
/// definition class, its pooled estimate and heterogeneity; empty fields
/// where a class has nothing pooled or a single figure.
pub fn evidence_frame(rows: &[SynthesisRow]) -> Result<DataFrame> {
    let mut t = Columns::new(rows, "evidence.csv", |r: &SynthesisRow| {
        format!("{} {}", r.condition, r.definition_class.as_str())
    });
    t.text("condition", |r| r.condition.clone());
    t.text("definition_class", |r| {
        r.definition_class.as_str().to_string()
    });
    t.integer("figures", |r| Some(r.figures));
    t.integer("k", |r| Some(r.k));
    t.text("pooled_ids", |r| r.pooled_ids.join(" "));
    t.number("estimate", |r| r.estimate);
    t.number("lower_95", |r| r.lower);
    t.number("upper_95", |r| r.upper);
    t.text("interval", |r| r.interval.unwrap_or("").to_string());
    t.number("prediction_lower_95", |r| r.prediction_lower);
    t.number("prediction_upper_95", |r| r.prediction_upper);
    t.number("tau2", |r| r.tau2);
    t.number("i2", |r| r.i2);
    t.number("q", |r| r.q);
    t.number("q_df", |r| r.q_df);
    t.number("q_p_value", |r| r.q_p_value);
    t.flag("feeds_default", |r| r.feeds_default);
    t.text("sources", |r| r.sources.join("; "));
    t.text("citations", |r| r.citations.join(" | "));
    t.frame()
}

/// Builds a DataFrame column by column from one record type. Every number
/// must be finite: a NaN or an infinity here is a bug (the readers refuse
/// every input that could make one), and publishing it would be worse than
/// stopping, so [`Columns::frame`] fails naming the file, line and column.
struct Columns<'r, R> {
    rows: &'r [R],
    columns: Vec<Column>,
    /// The file the table is published as, and how a row is named.
    file: &'static str,
    key: fn(&R) -> String,
    not_finite: Option<Error>,
}

impl<'r, R> Columns<'r, R> {
    fn new(rows: &'r [R], file: &'static str, key: fn(&R) -> String) -> Self {
        Columns {
            rows,
            columns: Vec::new(),
            file,
            key,
            not_finite: None,
        }
    }

    fn text(&mut self, name: &str, f: impl Fn(&R) -> String) {
        let values: Vec<String> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
    }

    /// A number column; `None` is written as an empty field.
    fn number(&mut self, name: &str, f: impl Fn(&R) -> Option<f64>) {
        let values: Vec<Option<f64>> = self.rows.iter().map(f).collect();
        if self.not_finite.is_none()
            && let Some(i) = values
                .iter()
                .position(|v| v.is_some_and(|v| !v.is_finite()))
        {
            let value = values[i].unwrap_or_default();
            self.not_finite = Some(
                not_finite(self.file, name, value)
                    .line(i as u64 + 2)
                    .feature((self.key)(&self.rows[i])),
            );
        }
        self.columns.push(Column::new(name.into(), values));
    }

    /// A whole-number column; `None` is written as an empty field.
    fn integer(&mut self, name: &str, f: impl Fn(&R) -> Option<usize>) {
        let values: Vec<Option<u32>> = self.rows.iter().map(|r| f(r).map(|v| v as u32)).collect();
        self.columns.push(Column::new(name.into(), values));
    }

    fn flag(&mut self, name: &str, f: impl Fn(&R) -> bool) {
        let values: Vec<bool> = self.rows.iter().map(f).collect();
        self.columns.push(Column::new(name.into(), values));
    }

    fn frame(self) -> Result<DataFrame> {
        if let Some(e) = self.not_finite {
            return Err(e);
        }
        DataFrame::new_infer_height(self.columns).map_err(polars_error)
    }
}

/// The internal error for a published number that is NaN or infinite, in
/// `file` (relative to the output directory), column `column`.
fn not_finite(file: &str, column: &str, value: f64) -> Error {
    Error::internal(format!(
        "{column} is {value}: a published number must be finite; nothing was written"
    ))
    .in_file(file)
    .key(column)
    .hint("please report this with the run's inputs: a reader let through a value it should have refused")
}

pub fn csv_bytes(frame: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    CsvWriter::new(&mut buffer)
        .include_header(true)
        .with_float_scientific(Some(false))
        .finish(frame)
        .map_err(polars_error)?;
    Ok(buffer)
}

pub fn parquet_bytes(frame: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    ParquetWriter::new(&mut buffer)
        .finish(frame)
        .map_err(polars_error)?;
    Ok(buffer)
}

fn polars_error(e: PolarsError) -> Error {
    Error::internal(format!("building the gap table: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::boundaries::Boundary;
    use crate::geography::read::Crs;
    use geo::{MultiPolygon, polygon};

    #[test]
    fn each_levels_areas_are_geoparquet_named_by_level() {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 0.0)];
        let layer = BoundaryLayer {
            path: PathBuf::from("ctyua.geojson"),
            sha256: None,
            source_crs: Crs::Wgs84,
            features: vec![Boundary {
                code: "E06000001".to_string(),
                name: "Hartlepool".to_string(),
                geometry: MultiPolygon(vec![square]),
            }],
            repairs: vec![],
            excluded: vec![],
        };
        let files = areas([(Level::Ctyua, &layer)]).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "areas/ctyua.parquet");
        let mut reader = ParquetReader::new(std::io::Cursor::new(files[0].1.clone()));
        let geo = reader
            .get_metadata()
            .unwrap()
            .key_value_metadata()
            .iter()
            .flatten()
            .find(|kv| kv.key == "geo")
            .and_then(|kv| kv.value.clone())
            .expect("GeoParquet metadata");
        let geo: serde_json::Value = serde_json::from_str(&geo).unwrap();
        assert_eq!(geo["primary_column"], "geometry");
        assert_eq!(geo["columns"]["geometry"]["encoding"], "WKB");
        assert_eq!(geo["columns"]["geometry"]["crs"]["id"]["code"], 27700);
        let frame = reader.finish().unwrap();
        let names: Vec<&str> = frame
            .get_column_names()
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(names, ["area_code", "area_name", "geometry"]);
        assert_eq!(frame.height(), 1);
    }
}

//! The whole job: load and check every input, compute caseload, need,
//! provision and gap for each level, draw the maps, and assemble the
//! outputs and manifest in memory. Nothing is written until all of it has
//! succeeded.

use crate::caseload::{self, AreaCaseload, CaseloadRow, PduAreas, Placement};
use crate::config::Proxy;
use crate::config::{LevelSpec, RunSpec};
use crate::error::{Error, Result};
use crate::gap::{self, AreaFacts, GapRow, LevelInputs};
use crate::geography::boundaries::{self, BoundaryLayer};
use crate::geography::units::Units;
use crate::geography::{Area, Level, gss};
use crate::input::{InputFile, Table};
use crate::need::Caseload;
use crate::numbers::thousands;
use crate::output::{self, Outputs};
use crate::prevalence::{self, Comparator, LocalPrevalence, Prevalence, TreatmentAccess};
use crate::render;
use crate::render::charts::Survey;
use crate::report::annex;
use crate::report::manifest::{
    CaseloadRecord, Exclusion, LevelRecord, Manifest, MapRecord, Repaired, Tool,
};
use crate::sensitivity::{self, Scenario, SensitivityRow};
use crate::services::{self, Service};
use crate::stats::classify;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub const PDU_LOOKUP: &str = "justice/pdu_pcc_area_lookup.csv";
pub const SURVEY_2017: &str = "evidence/survey_2017_services.csv";

/// Every input, read and checked.
pub struct Loaded {
    pub units: Units,
    pub layers: Vec<(LevelSpec, BoundaryLayer)>,
    pub caseload: Vec<CaseloadRow>,
    pub pdus: PduAreas,
    pub prevalence: Vec<Prevalence>,
    pub access: Vec<TreatmentAccess>,
    pub services: Vec<Service>,
    /// Each service's catchment as LSOA indices.
    pub catchments: Vec<Vec<usize>>,
    pub comparators: Vec<Comparator>,
    pub local: Vec<LocalPrevalence>,
    /// The 2017 national CCG survey's provision by category, for comparison.
    pub survey: Survey,
    pub inputs: Vec<InputFile>,
}

/// The results of the analysis, before anything is drawn or written.
pub struct Analysis {
    pub placement: Placement,
    pub rows: Vec<GapRow>,
    /// Provision by area and domain at each level, in the base scenario.
    pub provision: Vec<(Level, Provisions)>,
    pub sensitivity: Vec<SensitivityRow>,
}

impl Analysis {
    /// The gap rows of one level and condition, in area-code order.
    pub fn rows_of(&self, level: Level, condition: &str) -> Vec<&GapRow> {
        self.rows
            .iter()
            .filter(|r| r.level == level && r.condition == condition)
            .collect()
    }
}

/// Provision by area and domain at one level.
pub type Provisions = BTreeMap<(String, crate::prevalence::Domain), crate::services::Provision>;

/// What a level's gap rows are made from under one caseload proxy: its
/// areas, their caseload facts and provision. None of it depends on
/// prevalence, so the prevalence scenarios share it.
struct LevelBase {
    level: Level,
    areas: Vec<Area>,
    facts: BTreeMap<String, AreaFacts>,
    provision: Provisions,
}

/// Progress lines for the user (stderr in the command line).
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// Reads and checks every input the run names.
pub fn load(spec: &RunSpec, progress: Progress) -> Result<Loaded> {
    progress("reading lookups and populations");
    let units = Units::load(&spec.data_dir)?;
    let mut inputs = units.inputs.clone();
    let layers = spec
        .levels
        .iter()
        .map(|level| {
            let layer = load_layer(spec, level, &units)?;
            progress(&format!(
                "read {} boundaries {}: {} areas, {} repaired",
                level.level,
                level.layer.id,
                layer.features.len(),
                layer.repairs.len()
            ));
            Ok((level.clone(), layer))
        })
        .collect::<Result<Vec<_>>>()?;
    for (level, layer) in &layers {
        inputs.push(InputFile {
            role: format!("{} boundaries ({})", level.level, level.layer.id),
            path: layer.path.clone(),
            sha256: layer.sha256.clone(),
            records: Some(layer.features.len() + layer.excluded.len()),
        });
    }
    let mut table = |path: &Path, role: &str| -> Result<Table> {
        let t = Table::read(path)?;
        inputs.push(t.provenance(role));
        Ok(t)
    };
    let caseload = caseload::read(&table(&spec.datasets.caseload, "caseload")?)?;
    let pdus = caseload::read_pdu_areas(&table(
        &spec.data_dir.file(PDU_LOOKUP)?,
        "PDU to police force area lookup",
    )?)?;
    let prevalence = prevalence::read(&table(&spec.datasets.prevalence, "prevalence")?)?;
    let access = prevalence::read_access(
        &table(&spec.datasets.treatment_access, "treatment access")?,
        &prevalence,
    )?;
    let services = services::read(
        &table(&spec.datasets.services, "services inventory")?,
        &units,
    )?;
    let comparators = prevalence::read_comparators(
        &table(
            &spec.datasets.general_population,
            "general-population comparators",
        )?,
        &prevalence,
    )?;
    let local = match &spec.datasets.local_prevalence {
        Some(path) => prevalence::read_local(&table(path, "local prevalence")?, &prevalence)?,
        None => Vec::new(),
    };
    let catchments = services::catchments(&services, &units);
    let survey = Survey::from_table(
        &table(
            &spec.data_dir.file(SURVEY_2017)?,
            "2017 national survey of CCG provision",
        )?,
        "Clinical Commissioning Group",
    )?;
    progress(&format!(
        "read {} caseload rows, {} conditions, {} services",
        caseload.len(),
        prevalence.len(),
        services.len()
    ));
    Ok(Loaded {
        units,
        layers,
        caseload,
        pdus,
        prevalence,
        access,
        services,
        catchments,
        comparators,
        local,
        survey,
        inputs,
    })
}

/// A level's boundaries, English areas only, whose codes must be exactly the
/// codes the lookups give that level.
fn load_layer(spec: &RunSpec, level: &LevelSpec, units: &Units) -> Result<BoundaryLayer> {
    let path = spec.data_dir.file(&level.layer.file)?;
    let layer = boundaries::read_layer(
        &path,
        &level.layer.code_field,
        &level.layer.name_field,
        &|code: &str| {
            (!gss::is_english(code)).then(|| "outside England, the scope of this run".to_string())
        },
    )?;
    let drawn: BTreeSet<&str> = layer.features.iter().map(|f| f.code.as_str()).collect();
    let looked_up: BTreeSet<&str> = units
        .lsoas
        .iter()
        .map(|l| Units::area_of(l, level.level))
        .collect();
    let only_drawn: Vec<&str> = drawn.difference(&looked_up).copied().collect();
    let only_looked_up: Vec<&str> = looked_up.difference(&drawn).copied().collect();
    if !only_drawn.is_empty() || !only_looked_up.is_empty() {
        return Err(Error::input(
            &path,
            format!(
                "the {} boundaries do not match the lookups: codes only in the boundaries: [{}]; only in the lookups: [{}]",
                level.level,
                only_drawn.join(", "),
                only_looked_up.join(", ")
            ),
        )
        .hint("choose the layer of the lookups' vintage: ctyua-2024, lad-2024, sicbl-2023, icb-2023 or ccg-2021"));
    }
    Ok(layer)
}

/// Caseload, need, provision and gap for every level, and the sensitivity
/// of the ranking to the caseload proxy and the prevalence bounds.
pub fn analyse(spec: &RunSpec, loaded: &Loaded) -> Result<Analysis> {
    let share = caseload::england_share(&spec.caseload, &loaded.units);
    let placements = Proxy::ALL
        .par_iter()
        .map(|&proxy| {
            let weights = loaded.units.proxy_weights(proxy);
            caseload::place(
                &loaded.caseload,
                &loaded.units,
                &weights,
                share,
                &loaded.pdus,
                &spec.datasets.caseload,
            )
        })
        .collect::<Result<Vec<Placement>>>()?;
    let chosen = Proxy::ALL
        .iter()
        .position(|&p| p == spec.caseload.proxy)
        .expect("every proxy is placed");
    let scenarios: Vec<(String, usize, Vec<Prevalence>)> = Proxy::ALL
        .iter()
        .enumerate()
        .map(|(i, proxy)| {
            let name = if i == chosen {
                "base".to_string()
            } else {
                format!("proxy_{}", proxy.as_str())
            };
            (name, i, loaded.prevalence.clone())
        })
        .chain([
            (
                "prevalence_lower".to_string(),
                chosen,
                at_bound(&loaded.prevalence, |p| p.lower),
            ),
            (
                "prevalence_upper".to_string(),
                chosen,
                at_bound(&loaded.prevalence, |p| p.upper),
            ),
        ])
        .collect();
    let mut bases = level_bases(loaded, &placements);
    let scenarios: Vec<Scenario> = scenarios
        .par_iter()
        .map(|(name, proxy, prevalence)| Scenario {
            name: name.clone(),
            rows: scenario_rows(spec, loaded, &bases[*proxy], prevalence),
        })
        .collect();
    let sensitivity = sensitivity::rank(&scenarios);
    let rows = scenarios
        .into_iter()
        .find(|s| s.name == "base")
        .expect("the base scenario")
        .rows;
    let provision = bases
        .swap_remove(chosen)
        .into_iter()
        .map(|b| (b.level, b.provision))
        .collect();
    let placement = placements
        .into_iter()
        .nth(chosen)
        .expect("the chosen placement");
    Ok(Analysis {
        placement,
        rows,
        provision,
        sensitivity,
    })
}

/// The prevalence table with every rate moved to one of its bounds.
fn at_bound(prevalence: &[Prevalence], bound: impl Fn(&Prevalence) -> f64) -> Vec<Prevalence> {
    prevalence
        .iter()
        .map(|p| Prevalence {
            rate: bound(p),
            ..p.clone()
        })
        .collect()
}

/// Every level's base under each proxy, indexed [proxy][level]. The caseload
/// of each placement is summed to areas once per level and shared by all
/// proxies' facts (each area's range runs across them).
fn level_bases(loaded: &Loaded, placements: &[Placement]) -> Vec<Vec<LevelBase>> {
    /// A level's areas, each proxy's caseload summed to them, and adults.
    struct Summed {
        level: Level,
        areas: Vec<Area>,
        by_proxy: Vec<BTreeMap<String, AreaCaseload>>,
        adults: BTreeMap<String, f64>,
    }
    let summed: Vec<Summed> = loaded
        .layers
        .iter()
        .map(|(level, layer)| Summed {
            level: level.level,
            areas: areas_of(layer),
            by_proxy: placements
                .iter()
                .map(|p| p.by_area(&loaded.units, level.level))
                .collect(),
            adults: loaded.units.adults_by_area(level.level),
        })
        .collect();
    (0..placements.len())
        .into_par_iter()
        .map(|chosen| {
            summed
                .iter()
                .map(|level| LevelBase {
                    level: level.level,
                    areas: level.areas.clone(),
                    facts: area_facts(&level.by_proxy, &level.adults, chosen),
                    provision: services::provision(
                        &loaded.services,
                        &loaded.catchments,
                        &loaded.units,
                        &placements[chosen].per_lsoa,
                        placements[chosen].england_share,
                        level.level,
                    ),
                })
                .collect()
        })
        .collect()
}

/// Every level's gap rows from its bases and one prevalence table.
fn scenario_rows(
    spec: &RunSpec,
    loaded: &Loaded,
    bases: &[LevelBase],
    prevalence: &[Prevalence],
) -> Vec<GapRow> {
    let evidence = gap::Evidence {
        prevalence,
        access: &loaded.access,
        comparators: &loaded.comparators,
        local: &loaded.local,
        suppression: &spec.publication,
    };
    bases
        .iter()
        .flat_map(|base| {
            let inputs = LevelInputs {
                level: base.level,
                areas: &base.areas,
                facts: &base.facts,
                provision: &base.provision,
            };
            gap::rows(&inputs, &evidence)
        })
        .collect()
}

pub fn areas_of(layer: &BoundaryLayer) -> Vec<Area> {
    let mut areas: Vec<Area> = layer
        .features
        .iter()
        .map(|f| Area {
            code: f.code.clone(),
            name: f.name.clone(),
        })
        .collect();
    areas.sort();
    areas
}

/// Each area's caseload under the chosen proxy, its range across every
/// proxy, coverage, origin and adult population.
fn area_facts(
    by_proxy: &[BTreeMap<String, AreaCaseload>],
    adults: &BTreeMap<String, f64>,
    chosen: usize,
) -> BTreeMap<String, AreaFacts> {
    by_proxy[chosen]
        .iter()
        .map(|(code, c)| {
            let values = by_proxy.iter().map(|b| b[code].caseload);
            let lower = values.clone().fold(f64::INFINITY, f64::min);
            let upper = values.fold(f64::NEG_INFINITY, f64::max);
            let facts = AreaFacts {
                caseload: Caseload {
                    value: c.caseload,
                    lower,
                    upper,
                },
                coverage: c.coverage,
                local: c.local,
                adults: adults[code],
            };
            (code.clone(), facts)
        })
        .collect()
}

/// The column a condition's map shows: unmet need where it was assessed,
/// otherwise need.
fn mapped_column(rows: &[&GapRow]) -> &'static str {
    if rows.iter().any(|r| r.unmet.is_some()) {
        "unmet_need"
    } else {
        "need"
    }
}

/// One choropleth per level and condition, as SVG and PNG.
pub fn draw_maps(spec: &RunSpec, loaded: &Loaded, analysis: &Analysis) -> Result<Vec<DrawnMap>> {
    let jobs: Vec<(&LevelSpec, &BoundaryLayer, &Prevalence)> = loaded
        .layers
        .iter()
        .flat_map(|(level, layer)| loaded.prevalence.iter().map(move |p| (level, layer, p)))
        .collect();
    let shared = if spec.maps.shared_breaks {
        shared_classes(spec, loaded, analysis)?
    } else {
        BTreeMap::new()
    };
    let catalogue = crate::geography::catalogue::Catalogue::builtin();
    jobs.par_iter()
        .map(|(level, layer, p)| {
            let rows = analysis.rows_of(level.level, &p.condition);
            let column = mapped_column(&rows);
            let values: BTreeMap<String, f64> = rows
                .iter()
                .filter_map(|r| mapped_value(r, column).map(|v| (r.area_code.clone(), v)))
                .collect();
            let data: Vec<f64> = values.values().copied().collect();
            let classes = match shared.get(&level.level) {
                Some(family) => family.counted(&data),
                None => classify::classify(&data, &spec.maps.classification, spec.maps.k)?,
            };
            let what = if column == "unmet_need" {
                "Estimated unmet need"
            } else {
                "Estimated need"
            };
            let map_spec = render::MapSpec {
                title: format!(
                    "{what}: {} among people on probation",
                    p.label.to_lowercase()
                ),
                subtitle: format!(
                    "{}, {} boundaries. England caseload of {} apportioned by the {}.",
                    level.level.plural_label(),
                    level.layer.vintage,
                    thousands(analysis.placement.placed, 0),
                    spec.caseload.proxy.as_str().replace('_', " ")
                ),
                legend_title: format!("{what} (people)"),
                source_line: format!(
                    "Analysis: jsna-gap {}. Caseload: {}. Prevalence: {} ({}, evidence grade {}).",
                    env!("CARGO_PKG_VERSION"),
                    caseload_source(&loaded.caseload),
                    p.label,
                    p.evidence_id,
                    p.evidence_grade
                ),
                attribution: catalogue.attribution(&level.layer),
                palette: spec.maps.palette,
                classes: &classes,
                highlight: None,
                suppression: spec.publication,
                local_caseload: rows.iter().any(|r| r.facts.local),
            };
            let svg = render::choropleth_svg(layer, &values, &map_spec);
            let png = render::svg_to_png(&svg, render::PNG_WIDTH)?;
            let stem = format!("maps/{}-{}", level.level, p.condition);
            let record = MapRecord {
                file: format!("{stem}.svg"),
                png: format!("{stem}.png"),
                level: level.level.to_string(),
                condition: p.condition.clone(),
                column: column.to_string(),
                method: classes.method.clone(),
                k: classes.k,
                breaks: classes.breaks.clone(),
                counts: classes.counts.clone(),
                no_data: rows.len() - values.len(),
                palette: format!("{:?}", spec.maps.palette).to_lowercase(),
                shared_breaks: spec.maps.shared_breaks,
            };
            Ok(DrawnMap {
                record,
                classes,
                svg,
                png,
            })
        })
        .collect()
}

/// The charts of every level: each condition's areas ranked with their
/// intervals, the provision matrix, and provision by survey category
/// against the 2017 national survey. Each as SVG and PNG, by file stem.
pub fn draw_charts(loaded: &Loaded, analysis: &Analysis) -> Result<Vec<(String, String, Vec<u8>)>> {
    use crate::render::charts::{self, ChartSpec, Measure};
    let source = format!(
        "Analysis: jsna-gap {}. Prevalence, caseload and services as listed in manifest.json.",
        env!("CARGO_PKG_VERSION")
    );
    let mut jobs: Vec<(String, Box<dyn Fn() -> String + Sync + '_>)> = Vec::new();
    for ((level, layer), (_, provision)) in loaded.layers.iter().zip(&analysis.provision) {
        let what = level.level.plural_label();
        for p in &loaded.prevalence {
            let rows = analysis.rows_of(level.level, &p.condition);
            let unmet = mapped_column(&rows) == "unmet_need";
            let spec = ChartSpec {
                title: format!(
                    "{}: {} among people on probation, ranked",
                    if unmet {
                        "Estimated unmet need"
                    } else {
                        "Estimated need"
                    },
                    p.label.to_lowercase()
                ),
                subtitle: format!(
                    "{what}, {} boundaries. Dot: estimate; line: 95% interval.",
                    level.layer.vintage
                ),
                source_line: source.clone(),
                measure: if unmet {
                    Measure::UnmetNeed
                } else {
                    Measure::Need
                },
                highlight: None,
            };
            jobs.push((
                format!("charts/{}-{}-ranked", level.level, p.condition),
                Box::new(move || charts::caterpillar_svg(&rows, &spec)),
            ));
        }
        let by_area = charts::provision_by_area(&areas_of(layer), &loaded.services, provision);
        let matrix = ChartSpec {
            title: "Services recorded for people on probation, by area and category".into(),
            subtitle: format!("{what}. Categories of the 2017 national survey."),
            source_line: source.clone(),
            ..ChartSpec::default()
        };
        let bars = ChartSpec {
            title: "Areas with services for people on probation, by category, England".into(),
            subtitle: format!(
                "{what}: share with a probation-specific service or a probation element, against the 2017 survey of CCGs."
            ),
            source_line: source.clone(),
            ..ChartSpec::default()
        };
        let by_area = std::sync::Arc::new(by_area);
        let for_bars = by_area.clone();
        jobs.push((
            format!("charts/{}-provision-matrix", level.level),
            Box::new(move || charts::provision_matrix_svg(&by_area, &matrix)),
        ));
        jobs.push((
            format!("charts/{}-provision-by-category", level.level),
            Box::new(move || charts::provision_by_category_svg(&for_bars, &loaded.survey, &bars)),
        ));
    }
    jobs.par_iter()
        .map(|(stem, draw)| {
            let svg = draw();
            let png = render::svg_to_png(&svg, render::PNG_WIDTH)?;
            Ok((stem.clone(), svg, png))
        })
        .collect()
}

/// One set of classes per level from the mapped values of every condition.
fn shared_classes(
    spec: &RunSpec,
    loaded: &Loaded,
    analysis: &Analysis,
) -> Result<BTreeMap<Level, classify::Classes>> {
    loaded
        .layers
        .iter()
        .map(|(level, _)| {
            let pooled: Vec<f64> = loaded
                .prevalence
                .iter()
                .flat_map(|p| {
                    let rows = analysis.rows_of(level.level, &p.condition);
                    let column = mapped_column(&rows);
                    rows.into_iter()
                        .filter_map(move |r| mapped_value(r, column))
                })
                .collect();
            let classes = classify::classify(&pooled, &spec.maps.classification, spec.maps.k)?;
            Ok((level.level, classes))
        })
        .collect()
}

/// A row's value in the mapped column.
fn mapped_value(row: &GapRow, column: &str) -> Option<f64> {
    if column == "unmet_need" {
        row.unmet.map(|u| u.need)
    } else {
        Some(row.need.need)
    }
}

/// A map as drawn: its manifest record, classes, SVG and PNG.
pub struct DrawnMap {
    pub record: MapRecord,
    pub classes: classify::Classes,
    pub svg: String,
    pub png: Vec<u8>,
}

/// The JSNA annexes (None when the run has no Board level), using the
/// national maps' classes so every Board's map matches the England map.
pub fn annexes(
    spec: &RunSpec,
    loaded: &Loaded,
    analysis: &Analysis,
    maps: &[DrawnMap],
) -> Option<Vec<(String, Vec<u8>)>> {
    let classes: BTreeMap<(Level, String), classify::Classes> = maps
        .iter()
        .filter_map(|m| {
            Some((
                (Level::parse(&m.record.level)?, m.record.condition.clone()),
                m.classes.clone(),
            ))
        })
        .collect();
    let england_map = maps
        .iter()
        .find(|m| {
            m.record.level == Level::Ctyua.as_str() && m.record.condition == annex::LEAD_CONDITION
        })
        .map_or("", |m| m.svg.as_str());
    annex::annexes(&annex::AnnexInputs {
        spec,
        loaded,
        analysis,
        classes: &classes,
        england_map,
    })
}

/// The caseload's source as a map credits it: the author and title of a
/// single source ("Ministry of Justice (2025). Offender management
/// statistics quarterly: ..."), else a pointer to the manifest.
fn caseload_source(rows: &[CaseloadRow]) -> String {
    let first = rows.first().map_or("", |r| r.source.as_str());
    if rows.iter().all(|r| r.source == first) {
        first.splitn(3, ". ").take(2).collect::<Vec<_>>().join(". ")
    } else {
        "several sources (see manifest.json)".to_string()
    }
}

/// The whole job, in memory: every output file, ready to write.
pub fn run(spec: &RunSpec, progress: Progress) -> Result<Outputs> {
    let loaded = load(spec, progress)?;
    let analysis = analyse(spec, &loaded)?;
    progress(&format!(
        "caseload {} placed in England of {} given ({} not placed)",
        thousands(analysis.placement.placed, 0),
        thousands(analysis.placement.input_total, 0),
        thousands(analysis.placement.unplaced_total(), 0)
    ));
    let maps = draw_maps(spec, &loaded, &analysis)?;
    progress(&format!("drew {} maps", maps.len()));
    let mut outputs = Outputs::default();
    let mut frame = output::gap_frame(
        &analysis.rows,
        &loaded.prevalence,
        spec.caseload.proxy.as_str(),
    )?;
    outputs.add("gap.csv", output::csv_bytes(&mut frame)?);
    outputs.add("gap.parquet", output::parquet_bytes(&mut frame)?);
    for (level, layer) in &loaded.layers {
        let areas = crate::geography::geoparquet::areas(layer)?;
        outputs.add(format!("areas/{}.parquet", level.level), areas);
    }
    let mut sensitivity = output::sensitivity_frame(&analysis.sensitivity)?;
    outputs.add("sensitivity.csv", output::csv_bytes(&mut sensitivity)?);
    if let Some(files) = annexes(spec, &loaded, &analysis, &maps) {
        progress(&format!("made {} annex files", files.len()));
        for (path, bytes) in files {
            outputs.add(path, bytes);
        }
    }
    let charts = draw_charts(&loaded, &analysis)?;
    progress(&format!("drew {} charts", charts.len()));
    let mut chart_files = Vec::with_capacity(2 * charts.len());
    for (stem, svg, png) in charts {
        chart_files.extend([format!("{stem}.svg"), format!("{stem}.png")]);
        outputs.add(format!("{stem}.svg"), svg.into_bytes());
        outputs.add(format!("{stem}.png"), png);
    }
    let mut records = Vec::with_capacity(maps.len());
    for map in maps {
        outputs.add(map.record.file.clone(), map.svg.into_bytes());
        outputs.add(map.record.png.clone(), map.png);
        records.push(map.record);
    }
    let mut files: Vec<String> = outputs.paths().map(|p| p.display().to_string()).collect();
    files.push("manifest.json".to_string());
    let manifest = manifest(spec, &loaded, &analysis, records, chart_files, files);
    outputs.add("manifest.json", manifest.to_json());
    Ok(outputs)
}

fn manifest<'a>(
    spec: &'a RunSpec,
    loaded: &Loaded,
    analysis: &Analysis,
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
        .flat_map(|(level, layer)| {
            layer.excluded.iter().map(move |e| Exclusion {
                input: level.layer.file.clone(),
                item: e.code.clone(),
                reason: e.reason.clone(),
            })
        })
        .collect();
    excluded.extend(placement.unplaced.iter().map(|u| Exclusion {
        input: spec.datasets.caseload.display().to_string(),
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
                input: spec.datasets.services.display().to_string(),
                item: s.id.clone(),
                reason: "serves only areas outside England".to_string(),
            }),
    );
    Manifest {
        tool: Tool::this(),
        config: spec,
        inputs: loaded.inputs.clone(),
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
        assumptions: assumptions(spec, placement),
        methods: methods(),
        publication: spec.publication.describe(),
        robust_top_fifth: sensitivity::robust_summary(&analysis.sensitivity),
        maps,
        charts,
        excluded,
        outputs,
    }
}

/// The assumptions behind the numbers, in words, for the manifest and the README.
pub fn assumptions(spec: &RunSpec, placement: &Placement) -> Vec<String> {
    vec![
        format!(
            "England's share of an England and Wales caseload is {:.4} ({}).",
            placement.england_share,
            match spec.caseload.england_share {
                crate::config::EnglandShare::Fixed(_) => "set in the configuration",
                crate::config::EnglandShare::Named(_) => "England's share of the ONS mid-2020 population aged 18+ of England and Wales",
            }
        ),
        format!(
            "Caseload given for a larger area is spread over its districts in proportion to the {}; within a district it follows the adult population of its LSOAs.",
            spec.caseload.proxy.describe()
        ),
        "Prevalence among people on probation is the same in every area (local rates are not published); need = caseload x prevalence.".to_string(),
        "Need bounds combine the prevalence interval with the range of the caseload estimate across the three caseload proxies.".to_string(),
        "Where no service states a capacity, unmet need = need x the national share of people on probation with the condition who receive no treatment (datasets/treatment_access.csv); provision status is reported beside it but does not change it.".to_string(),
        "A capacity stated for England and Wales is cut to England's share and apportioned to areas by caseload.".to_string(),
        "Conditions with no capacity and no treatment-access evidence have unmet need 'not_assessed', and their maps show need.".to_string(),
    ]
}

/// The methods behind the numbers, in words, for the manifest and the annexes.
pub fn methods() -> Vec<String> {
    [
        "Boundaries projected from WGS84 to British National Grid with OSTN15; invalid rings repaired and reported.",
        "Prevalence intervals: Wilson score, 95% (z = 1.959964) and 99.8% (z = 3.090232), from the study's sample size; or the study's published interval.",
        "Need intervals: the lowest caseload across the proxies (employment scale, income scale, adult population) times the lower prevalence bound, to the highest times the upper bound (analytic, no simulation).",
        "Need per 100,000 adults: need over the area's ONS mid-2020 population aged 18+, with the exact Poisson interval below 10 and Byar's method from 10 up (PHEindicatormethods phe_rate).",
        "General-population comparison: expected = caseload x the verified APMS prevalence; excess = need - expected; prevalence ratio interval = the probation prevalence interval / the survey prevalence.",
        "Local prevalence is higher / similar / lower than England as the England value lies below / inside / above the local Wilson 95% (and 99.8%) interval.",
        "Sensitivity: unmet need (need where not assessed) rerun with each caseload proxy and with the prevalence at its lower and upper 95% bounds; areas ranked within level and condition; robust = in the top fifth under every scenario.",
        "Map classes: breaks are upper bounds; a value belongs to the first class whose bound it does not exceed (mapclassify convention).",
    ]
    .map(String::from)
    .to_vec()
}

/// Checks every input and returns every problem found (one per input file at
/// most, since a file's later rows cannot be trusted after its first error).
pub fn validate(spec: &RunSpec, progress: Progress) -> Vec<Error> {
    let mut problems = Vec::new();
    let mut keep = |result: Result<()>| {
        if let Err(e) = result {
            problems.push(e);
        }
    };
    let units = Units::load(&spec.data_dir);
    let caseload = Table::read(&spec.datasets.caseload).and_then(|t| caseload::read(&t));
    let prevalence = Table::read(&spec.datasets.prevalence).and_then(|t| prevalence::read(&t));
    let pdus = spec
        .data_dir
        .file(PDU_LOOKUP)
        .and_then(|p| Table::read(&p))
        .and_then(|t| caseload::read_pdu_areas(&t));
    if let Ok(prevalence) = &prevalence {
        keep(
            Table::read(&spec.datasets.treatment_access)
                .and_then(|t| prevalence::read_access(&t, prevalence))
                .map(drop),
        );
        keep(
            Table::read(&spec.datasets.general_population)
                .and_then(|t| prevalence::read_comparators(&t, prevalence))
                .map(drop),
        );
        if let Some(path) = &spec.datasets.local_prevalence {
            keep(
                Table::read(path)
                    .and_then(|t| prevalence::read_local(&t, prevalence))
                    .map(drop),
            );
        }
    }
    if let Ok(units) = &units {
        for level in &spec.levels {
            progress(&format!(
                "checking {} boundaries {}",
                level.level, level.layer.id
            ));
            keep(load_layer(spec, level, units).map(drop));
        }
        keep(
            Table::read(&spec.datasets.services)
                .and_then(|t| services::read(&t, units))
                .map(drop),
        );
        if let (Ok(rows), Ok(pdus)) = (&caseload, &pdus) {
            let weights = units.proxy_weights(spec.caseload.proxy);
            let share = caseload::england_share(&spec.caseload, units);
            keep(
                caseload::place(rows, units, &weights, share, pdus, &spec.datasets.caseload)
                    .map(drop),
            );
        }
    }
    keep(units.map(drop));
    keep(caseload.map(drop));
    keep(prevalence.map(drop));
    keep(pdus.map(drop));
    problems
}

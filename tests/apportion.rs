//! Apportioning on the real ONS data (the original files where they are
//! here; the embedded dataset's copies of the December 2024 district and
//! county layers): against the official populations, against PySAL tobler
//! (fixtures made by benches/tobler_apportion.py), and the command line on
//! small hand-checkable fixtures and bad input.

mod common;

use geo::{Area, BooleanOps, MultiPolygon, unary_union};
use jsna_gap::apportion::lookup::Official;
use jsna_gap::apportion::population::{self, FineUnits, LSOA_BOUNDARIES, Placement};
use jsna_gap::apportion::values::{self, Kind, Values};
use jsna_gap::apportion::vintage::{HEALTH_CHAIN, Vintage};
use jsna_gap::apportion::{Crosswalk, TOLERANCE, area, overlap, report};
use jsna_gap::geography::boundaries::{BoundaryLayer, read_file};
use jsna_gap::input::DataFile;
use jsna_gap::input::Fingerprint;
use jsna_gap::input::Table;
use jsna_gap::source::{DataDir, DataSource};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const LSOA_POPULATION: &str = "population/demographr_population20_lsoa11.csv";
const CCG21_BUC: &str = "boundaries/health/CCG_APR_2021_EN_BUC.geojson";
const LAD24_BUC: &str = "boundaries/lad/LAD_DEC_2024_UK_BUC.geojson";
const CTYUA24_BUC: &str = "boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson";

fn data() -> DataDir {
    DataDir::given(common::originals(), "the tests")
}

fn original(relative: &str) -> DataFile {
    data().file(relative).unwrap_or_else(|e| panic!("{e}"))
}

fn embedded(relative: &str) -> DataFile {
    DataSource::Embedded
        .file(relative)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn fixture(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apportion")
        .join(file)
}

/// A layer as `apportion::read_layer` reads it (every feature kept, the
/// code as its name).
fn layer(file: DataFile, code: &str) -> BoundaryLayer {
    read_file(&file, code, code, &|_| None).unwrap_or_else(|e| panic!("{e}"))
}

// Layers and lookups are read once and shared by the tests that need them.

fn official() -> &'static Official {
    static OFFICIAL: OnceLock<Official> = OnceLock::new();
    OFFICIAL.get_or_init(|| Official::load(&data()).unwrap_or_else(|e| panic!("{e}")))
}

fn lsoa_layer() -> &'static BoundaryLayer {
    static LSOA: OnceLock<BoundaryLayer> = OnceLock::new();
    LSOA.get_or_init(|| layer(original(LSOA_BOUNDARIES), "lsoa11_code"))
}

fn ccg21_layer() -> &'static BoundaryLayer {
    static CCG: OnceLock<BoundaryLayer> = OnceLock::new();
    CCG.get_or_init(|| layer(embedded(CCG21_BUC), "AREACD"))
}

fn lsoa_to_ccg21() -> &'static Crosswalk {
    static CROSSWALK: OnceLock<Crosswalk> = OnceLock::new();
    CROSSWALK.get_or_init(|| area::crosswalk(lsoa_layer(), ccg21_layer()))
}

fn lad_and_ctyua() -> &'static (BoundaryLayer, BoundaryLayer, Crosswalk) {
    static LAYERS: OnceLock<(BoundaryLayer, BoundaryLayer, Crosswalk)> = OnceLock::new();
    LAYERS.get_or_init(|| {
        let lad = layer(embedded(LAD24_BUC), "AREACD");
        let ctyua = layer(embedded(CTYUA24_BUC), "AREACD");
        let crosswalk = area::crosswalk(&lad, &ctyua);
        (lad, ctyua, crosswalk)
    })
}

fn lsoa_population() -> Values {
    Values::read(
        original(LSOA_POPULATION).path(),
        "lsoa11_code",
        "total_population",
        Fingerprint::Skip,
    )
    .unwrap()
}

/// The population table read for two of its 95 columns (quoted names,
/// plain numbers, the way `apportion --values` reads it) gives each row's
/// line and fields as the `csv` crate reads the whole file.
#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn the_population_table_reads_as_the_csv_crate_reads_it() {
    let path = original(LSOA_POPULATION).path().to_path_buf();
    let table = Table::read_columns(
        &path,
        &["lsoa11_code", "total_population"],
        Fingerprint::Skip,
    )
    .unwrap();
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let mut expected = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let line = record.position().unwrap().line();
        expected.push((line, record[1].to_string(), record[2].to_string()));
    }
    let got: Vec<(u64, String, String)> = (table.records())
        .map(|r| {
            (
                r.line(),
                r.str("lsoa11_code").to_string(),
                r.str("total_population").to_string(),
            )
        })
        .collect();
    assert_eq!(got.len(), 34_753);
    assert_eq!(got, expected);
}

/// `column` of a CSV by `code` column.
fn numbers(path: &Path, code: &str, column: &str) -> BTreeMap<String, f64> {
    let table = Table::read(path).unwrap();
    table
        .records()
        .map(|r| (r.text(code).unwrap().to_string(), r.number(column).unwrap()))
        .collect()
}

/// A tobler fixture: `target_code,value` after its `#` comment line.
fn tobler(file: &str) -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(fixture(file)).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| {
            let (code, value) = l.split_once(',').unwrap();
            (code.to_string(), value.parse().unwrap())
        })
        .collect()
}

fn weight(cw: &Crosswalk, source: &str, target: &str) -> f64 {
    cw.links
        .iter()
        .find(|l| cw.codes(l) == (source, target))
        .map_or(0.0, |l| l.weight)
}

// ------------------------------------------------------ official lookups

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn the_lsoa_to_ccg21_lookup_reproduces_the_official_ccg21_populations() {
    let official_ccg = numbers(
        original("population/CCG21_mid2020_population_age_bands_openinnovations.csv").path(),
        "CCG Code",
        "All Ages",
    );
    assert_eq!(official_ccg.len(), 106);
    let cw = official().crosswalk(Vintage::Ccg2021);
    let result = values::apportion(&cw, &lsoa_population(), Kind::Extensive).unwrap();
    let ours: BTreeMap<String, f64> = result
        .targets
        .iter()
        .map(|(c, v)| (c.clone(), v.unwrap()))
        .collect();
    assert_eq!(ours, official_ccg, "every CCG to the person");

    // Welsh LSOAs are in no CCG: counted in the input and reported unplaced.
    let t = result.totals.unwrap();
    assert_eq!(t.placed, 56_550_138.0);
    assert_eq!(t.input, t.placed + t.unplaced + t.withheld);
    let wales = cw.placed_shares().iter().filter(|(_, p)| *p == 0.0).count();
    assert_eq!(wales, 1909);
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn vintages_carry_populations_forward_through_every_step() {
    let o = official();
    let lsoa = lsoa_population();
    let on = |v: Vintage| values::apportion(&o.crosswalk(v), &lsoa, Kind::Extensive).unwrap();
    let as_values = |a: &values::Apportioned| Values {
        path: PathBuf::from("step"),
        sha256: None,
        rows: a
            .targets
            .iter()
            .map(|(c, v)| (c.clone(), (0, *v)))
            .collect(),
    };
    // Each step of the chain: the older vintage's populations, carried
    // forward, give the newer vintage's (the same people, re-grouped).
    for step in HEALTH_CHAIN
        .windows(2)
        .chain([[Vintage::Lad2021, Vintage::Lad2024].as_slice()])
    {
        let (from, to) = (step[0], step[1]);
        let carried =
            values::apportion(&o.bridge(from, to), &as_values(&on(from)), Kind::Extensive).unwrap();
        let direct = on(to);
        assert_eq!(
            carried.targets.len(),
            direct.targets.len(),
            "{from:?} -> {to:?}"
        );
        for (code, value) in &direct.targets {
            let (ours, want) = (carried.targets[code].unwrap(), value.unwrap());
            assert!(
                (ours - want).abs() <= 1e-9 * want,
                "{from:?} -> {to:?}: {code} {ours} vs {want}"
            );
        }
        let t = carried.totals.unwrap();
        assert!(
            (t.placed - 56_550_138.0).abs() < 1e-4,
            "{from:?} -> {to:?} placed {}",
            t.placed
        );
    }
    // The CCG 2019 -> ICB 2023 bridge straight through LSOAs agrees too.
    let carried = values::apportion(
        &o.bridge(Vintage::Ccg2019, Vintage::Icb2023),
        &as_values(&on(Vintage::Ccg2019)),
        Kind::Extensive,
    )
    .unwrap();
    assert_eq!(carried.targets.len(), 42);
    for (code, value) in &on(Vintage::Icb2023).targets {
        assert!((carried.targets[code].unwrap() - value.unwrap()).abs() <= 1e-9 * value.unwrap());
    }
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn lad_2021_populations_carried_to_2024_match_the_lsoa_sums() {
    let lad21 = Values::read(
        original("population/demographr_population20_ltla21.csv").path(),
        "ltla21_code",
        "total_population",
        Fingerprint::Skip,
    )
    .unwrap();
    let cw = official().bridge(Vintage::Lad2021, Vintage::Lad2024);
    let carried = values::apportion(&cw, &lad21, Kind::Extensive).unwrap();
    let fixture = numbers(&fixture("lad24_population.csv"), "lad24_code", "population");
    assert_eq!(carried.targets.len(), 296);
    for (code, want) in &fixture {
        let ours = carried.targets[code].unwrap();
        assert!(
            (ours - want).abs() <= 1e-9 * want,
            "{code}: {ours} vs {want}"
        );
    }
    // Cumberland (E06000063) is Allerdale, Carlisle and Copeland whole.
    for old in ["E07000026", "E07000028", "E07000029"] {
        assert_eq!(weight(&cw, old, "E06000063"), 1.0);
    }
    // The 22 Welsh districts are not in the English lookups: reported.
    assert_eq!(carried.unmatched.len(), 22);
    let t = carried.totals.unwrap();
    assert!((t.input - (t.placed + t.unplaced + t.withheld)).abs() < 1e-6);
}

// ------------------------------------------------------ area overlay

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn every_district_lies_in_its_county() {
    let (lad, _, cw) = lad_and_ctyua();
    let lookup = original("lookups/geographr_lookup_ltla23_utla23.csv")
        .table()
        .unwrap();
    let mut checked = 0;
    for r in lookup.records() {
        let (district, county) = (
            r.text("ltla23_code").unwrap(),
            r.text("utla23_code").unwrap(),
        );
        assert!(
            lad.features.iter().any(|f| f.code == district),
            "{district} not in the LAD layer"
        );
        let w = weight(cw, district, county);
        assert!(w > 1.0 - 1e-6, "{district} -> {county}: weight {w}");
        checked += 1;
    }
    assert_eq!(checked, 318);
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn weights_sum_to_the_share_of_each_source_the_targets_cover() {
    let (lad, ctyua, cw) = lad_and_ctyua();
    // Independently: the area of each district inside the union of all
    // counties, by geo's BooleanOps.
    let all_counties: MultiPolygon<f64> = unary_union(ctyua.features.iter().map(|f| &f.geometry));
    let placed = cw.placed_shares();
    for feature in &lad.features {
        let covered = feature.geometry.intersection(&all_counties).unsigned_area()
            / feature.geometry.unsigned_area();
        let sum = placed[feature.code.as_str()];
        assert!(covered <= 1.0 + 1e-6); // BooleanOps snaps to a grid
        // Where counties overlap, an area is placed twice: the report says so.
        let overlapping = sum > 1.0 + TOLERANCE;
        if overlapping {
            assert!(
                report::crosswalk_lines(cw)
                    .iter()
                    .any(|l| l.contains("overlap") && l.contains(&feature.code))
            );
        } else {
            assert!(
                (sum - covered).abs() < 1e-6,
                "{}: weights sum to {sum}, covered {covered}",
                feature.code
            );
        }
    }
    for (code, sum) in lsoa_to_ccg21().placed_shares().iter() {
        assert!(sum <= 1.0 + 1e-12, "{code}: {sum}");
    }
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn slab_integration_agrees_with_boolean_ops_on_real_boundaries() {
    let lsoa = lsoa_layer();
    let ccg = ccg21_layer();
    let by_code: HashMap<&str, &MultiPolygon<f64>> = lsoa
        .features
        .iter()
        .map(|f| (f.code.as_str(), &f.geometry))
        .chain(ccg.features.iter().map(|f| (f.code.as_str(), &f.geometry)))
        .collect();
    // Every 10th LSOA that a CCG boundary cuts, against each of its CCGs.
    let cw = lsoa_to_ccg21();
    let split: Vec<_> = (cw.links.iter())
        .filter(|l| l.weight < 0.999 && cw.sources.code(l.source).starts_with('E'))
        .step_by(10)
        .collect();
    assert!(split.len() > 300, "{}", split.len());
    for link in split {
        let (source, target) = cw.codes(link);
        let (s, t) = (by_code[source], by_code[target]);
        let ours = overlap::intersection_area(s, t);
        let reference = s.intersection(t).unsigned_area();
        assert!(
            (ours - reference).abs() <= 1e-6 * s.unsigned_area(),
            "{} ∩ {}: {ours} vs {reference}",
            link.source,
            link.target
        );
        assert!(
            (ours - link.shared).abs() <= 1e-9 * s.unsigned_area(),
            "clipped and whole differ"
        );
    }
}

#[test]
fn the_overlay_is_deterministic() {
    let (lad, ctyua, cw) = lad_and_ctyua();
    let again = area::crosswalk(lad, ctyua);
    assert_eq!(&again, cw);
    assert_eq!(again.to_csv(), cw.to_csv());
}

// ------------------------------------------------------ against tobler

/// Per target, relative agreement `tolerance` where tobler placed something;
/// where jsna-gap leaves a target missing, tobler must have placed nothing
/// there (tobler writes 0 for "nothing").
fn agree_with_tobler(ours: &values::Apportioned, file: &str, tolerance: f64) {
    let theirs = tobler(file);
    assert_eq!(theirs.len(), ours.targets.len());
    for (code, value) in &theirs {
        match ours.targets[code] {
            Some(v) => assert!(
                (v - value).abs() <= tolerance * value.abs(),
                "{code}: ours {v}, tobler {value}"
            ),
            None => assert_eq!(*value, 0.0, "{code}: tobler has {value}, ours is missing"),
        }
    }
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn area_weighted_lsoa_to_ccg21_agrees_with_tobler_and_conserves_the_total() {
    let result = values::apportion(lsoa_to_ccg21(), &lsoa_population(), Kind::Extensive).unwrap();
    agree_with_tobler(&result, "tobler_lsoa11_ccg21.csv", 1e-4);
    let t = result.totals.unwrap();
    assert!((t.input - (t.placed + t.unplaced + t.withheld)).abs() <= 1e-9 * t.input);
    assert_eq!(t.input, 59_719_724.0, "England and Wales, mid-2020");
    assert_eq!(t.withheld, 0.0);
    // Wales (3,169,586 people) is not placed, nor are the parts of English
    // LSOAs on coasts and rivers that the ultra-generalised CCG boundaries
    // leave out (about 210,000 people by area: the reason to prefer the
    // lookups where they exist).
    let wales = 59_719_724.0 - 56_550_138.0;
    assert!(
        t.unplaced > wales && t.unplaced < wales + 250_000.0,
        "{}",
        t.unplaced
    );
    // Tower Hamlets 031F lies in the Thames as the BUC CCGs draw it.
    let lines = report::crosswalk_lines(lsoa_to_ccg21());
    assert!(
        lines
            .iter()
            .any(|l| l.contains("outside every target") && l.contains("E01032775 (100.00%)")),
        "{lines:#?}"
    );
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn allocate_total_agrees_with_tobler_default() {
    let allocated = lsoa_to_ccg21().clone().allocate_total();
    let population = lsoa_population();
    let result = values::apportion(&allocated, &population, Kind::Extensive).unwrap();
    agree_with_tobler(&result, "tobler_lsoa11_ccg21_allocate_total.csv", 1e-4);
    // Every source some target reaches is placed in full.
    for (code, placed) in allocated.placed_shares().iter() {
        assert!(
            placed == 0.0 || (placed - 1.0).abs() < 1e-12,
            "{code}: {placed}"
        );
    }
    let t = result.totals.unwrap();
    assert!((t.input - (t.placed + t.unplaced + t.withheld)).abs() <= 1e-9 * t.input);
    // What stays unplaced is the LSOAs no CCG reaches at all: Welsh ones,
    // and Tower Hamlets 031F in the Thames.
    let unreached: f64 = allocated
        .placed_shares()
        .iter()
        .filter(|(_, p)| *p == 0.0)
        .map(|(code, _)| population.rows[code].1.unwrap())
        .sum();
    assert!(
        (t.unplaced - unreached).abs() < 1e-6,
        "{} vs {unreached}",
        t.unplaced
    );
}

/// Per-CCG error of the two area-weighted rules against the official
/// LSOA → CCG April 2021 lookup (which reproduces ONS's CCG populations to
/// the person), with every LSOA's population as the values and with the
/// English LSOAs' only: the figures in the README's apportion section.
#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn both_rules_against_the_official_lookup() {
    let all = lsoa_population();
    let english = Values {
        path: all.path.clone(),
        sha256: None,
        rows: all
            .rows
            .iter()
            .filter(|(code, _)| code.starts_with('E'))
            .map(|(c, r)| (c.clone(), *r))
            .collect(),
    };
    let official = values::apportion(
        &official().crosswalk(Vintage::Ccg2021),
        &all,
        Kind::Extensive,
    )
    .unwrap();
    let allocated = lsoa_to_ccg21().clone().allocate_total();
    let errors = |cw: &Crosswalk, population: &Values| -> Vec<(String, f64)> {
        let ours = values::apportion(cw, population, Kind::Extensive).unwrap();
        let mut e: Vec<(String, f64)> = official
            .targets
            .iter()
            .map(|(code, truth)| {
                (
                    code.clone(),
                    ours.targets[code].unwrap() / truth.unwrap() - 1.0,
                )
            })
            .collect();
        e.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        e
    };
    // (mean |error|, max |error|, CCGs over 1%, over 2%)
    let summary = |e: &[(String, f64)]| {
        let mean = e.iter().map(|(_, x)| x.abs()).sum::<f64>() / e.len() as f64;
        let over = |limit: f64| e.iter().filter(|(_, x)| x.abs() > limit).count();
        (mean, e[0].1.abs(), over(0.01), over(0.02))
    };
    let cases = [
        ("default, E+W values", errors(lsoa_to_ccg21(), &all)),
        ("allocate-total, E+W values", errors(&allocated, &all)),
        ("default, English values", errors(lsoa_to_ccg21(), &english)),
        (
            "allocate-total, English values",
            errors(&allocated, &english),
        ),
    ];
    eprintln!("| rule, values | mean abs error | max abs error | CCGs > 1% | CCGs > 2% | worst |");
    let mut summaries = Vec::new();
    for (case, e) in &cases {
        let (mean, max, over1, over2) = summary(e);
        let worst: Vec<String> = e[..3]
            .iter()
            .map(|(c, x)| format!("{c} {:+.2}%", 100.0 * x))
            .collect();
        eprintln!(
            "| {case} | {:.2}% | {:.2}% | {over1} | {over2} | {} |",
            100.0 * mean,
            100.0 * max,
            worst.join(", ")
        );
        assert_eq!(e.len(), 106);
        summaries.push((mean, max));
    }
    let [default_all, allocate_all, default_english, allocate_english] = summaries[..] else {
        unreachable!()
    };
    // The default loses people at generalised coasts (Blackpool, 7.3%);
    // English values make no difference to it, since Welsh LSOAs are placed
    // only where they overlap English CCGs, by area.
    assert!((default_all.1 - 0.0732).abs() < 0.0005, "{default_all:?}");
    assert!((default_english.1 - default_all.1).abs() < 0.005);
    // Allocating the total puts the coasts right, but with Welsh values it
    // moves whole Welsh border LSOAs into Shropshire (+5.75%) and Cheshire;
    // with the English values alone it is the better rule by every measure
    // (mean 0.66% against 0.94%, worst 4.15% against 7.32%). What is left is
    // the generalised lines between CCGs, which no rule can undo.
    assert!((allocate_all.1 - 0.0575).abs() < 0.0005, "{allocate_all:?}");
    assert!(
        (allocate_english.0 - 0.0066).abs() < 0.0002,
        "{allocate_english:?}"
    );
    assert!(
        (allocate_english.1 - 0.0415).abs() < 0.0005,
        "{allocate_english:?}"
    );
    assert!(allocate_english.0 < default_english.0 && allocate_english.1 < default_english.1);
}

#[test]
fn area_weighted_lad_to_ctyua_agrees_with_tobler() {
    let values = Values::read(
        &fixture("lad24_population.csv"),
        "lad24_code",
        "population",
        Fingerprint::Skip,
    )
    .unwrap();
    let result = values::apportion(&lad_and_ctyua().2, &values, Kind::Extensive).unwrap();
    agree_with_tobler(&result, "tobler_lad24_ctyua24.csv", 1e-4);
    // Welsh, Scottish and Northern Irish districts have no value row.
    assert_eq!(result.absent_sources.len(), 361 - 296);
}

// ------------------------------------------------------ population weights

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn lsoas_placed_by_interior_point_mostly_agree_with_the_lookup() {
    let o = official();
    let points = o.fine.interior_points(lsoa_layer());
    let by_point = Placement::by_point(&o.fine, &points, ccg21_layer());
    let by_lookup = o.placement(Vintage::Ccg2021);
    let (mut agree, mut english) = (0.0, 0.0);
    for ((people, a), b) in o
        .fine
        .population
        .iter()
        .zip(&by_point.area_of)
        .zip(&by_lookup.area_of)
    {
        if b.is_some() {
            english += people;
            if a == b {
                agree += people;
            }
        }
    }
    // The ultra-generalised CCG lines cut a few boundary LSOAs the other way.
    assert!(agree / english > 0.99, "{}", agree / english);
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn a_lookup_with_interior_points_for_the_rest_covers_wales_too() {
    let o = official();
    let lad = &lad_and_ctyua().0;
    let points = o.fine.interior_points(lsoa_layer());
    let placement = o
        .placement(Vintage::Lad2024)
        .clone()
        .or(Placement::by_point(&o.fine, &points, lad));
    let identity = Placement {
        how: "each LSOA itself".into(),
        area_of: o.fine.codes.iter().cloned().map(Some).collect(),
        areas: o.fine.codes.iter().cloned().collect(),
        notes: Vec::new(),
    };
    let cw = population::crosswalk(&o.fine, &identity, &placement);
    let lad21 = numbers(
        original("population/demographr_population20_ltla21.csv").path(),
        "ltla21_code",
        "total_population",
    );
    // Welsh district codes did not change; their LSOAs are placed by point.
    let wales: Vec<&String> = lad21.keys().filter(|c| c.starts_with('W')).collect();
    assert_eq!(wales.len(), 22);
    for code in wales {
        let ours = cw.targets[code.as_str()];
        assert!(
            (ours / lad21[code] - 1.0).abs() < 0.03,
            "{code}: {ours} vs {}",
            lad21[code]
        );
    }
    assert!(cw.notes.iter().any(|n| n.contains("by interior point")));
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn a_missing_value_is_reported_and_never_zero() {
    let cw = official().crosswalk(Vintage::Ccg2021);
    let mut lsoa = lsoa_population();
    lsoa.rows.get_mut("E01011949").unwrap().1 = None; // Hartlepool 009A: NaN in the input
    let result = values::apportion(&cw, &lsoa, Kind::Extensive).unwrap();
    let ccg = "E38000247"; // NHS Tees Valley CCG
    assert_eq!(result.targets[ccg], None);
    assert!(result.missing_targets[ccg].contains("E01011949"));
    assert_eq!(result.missing_sources.len(), 1);
    let t = result.totals.unwrap();
    assert!(
        t.withheld > 600_000.0,
        "the CCG's other people are withheld, not dropped: {}",
        t.withheld
    );
    assert_eq!(t.input, t.placed + t.unplaced + t.withheld);
    let lines = report::values_lines(&result);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("kept missing, not 0") && l.contains("E01011949")),
        "{lines:#?}"
    );
}

#[test]
#[cfg_attr(
    not(originals),
    ignore = "needs the original data files (JSNA_GAP_DATA or ../shared/data)"
)]
fn fine_units_are_every_lsoa_with_its_population() {
    let fine = FineUnits::lsoa11(&data()).unwrap();
    assert_eq!(fine.len(), 34_753);
    assert_eq!(fine.population.iter().sum::<f64>(), 59_719_724.0);
}

// ------------------------------------------------------ command line

fn jsna_gap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jsna-gap"))
        .args(args)
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("jsna-gap-apportion-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `apportion` on the fixture layers with extra arguments.
fn apportion(from: &Path, to: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "apportion",
        "--from",
        from.to_str().unwrap(),
        "--from-code",
        "code",
        "--to",
        to.to_str().unwrap(),
        "--to-code",
        "code",
    ];
    args.extend_from_slice(extra);
    jsna_gap(&args)
}

fn rows(stdout: &[u8]) -> Vec<Vec<String>> {
    text(stdout)
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn cli_writes_the_crosswalk() {
    let out = apportion(
        &fixture("sources.geojson"),
        &fixture("targets.geojson"),
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("source_code,target_code,weight\nE02000001,E06000001,1\n"),
        "{stdout}"
    );
    // E02000002 is split at 1.15°W: two halves in lon/lat, not quite in
    // British National Grid, and exactly all of it between them.
    let rows = rows(&out.stdout);
    assert_eq!(rows.len(), 3);
    let halves: Vec<f64> = rows[1..].iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(halves.iter().all(|h| (h - 0.5).abs() < 1e-4), "{halves:?}");
    assert!((halves[0] + halves[1] - 1.0).abs() < 1e-12);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("E02000003") && stderr.contains("left out: no geometry (null)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 targets are covered by no source: E06000003"),
        "{stderr}"
    );
}

#[test]
fn cli_apportions_values_and_accounts_for_the_total() {
    let dir = scratch("values");
    let out_file = dir.join("out.csv");
    let values = fixture("values.csv");
    let args = [
        "--values",
        values.to_str().unwrap(),
        "--code-column",
        "area",
        "--value-column",
        "count",
        "--out",
        out_file.to_str().unwrap(),
    ];
    let out = apportion(
        &fixture("sources.geojson"),
        &fixture("targets.geojson"),
        &args,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written = std::fs::read(&out_file).unwrap();
    let written = rows(&written);
    assert_eq!(written[0][0], "E06000001");
    assert!((written[0][1].parse::<f64>().unwrap() - 125.0).abs() < 0.5);
    assert!((written[1][1].parse::<f64>().unwrap() - 25.0).abs() < 0.5);
    assert_eq!(written[2], ["E06000003", ""]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("placed 150 of the input total 160 (93.75%); not placed: 10"),
        "{stderr}"
    );
    assert!(
        stderr.contains("E02000003 (line 4: no geometry (null))")
            && stderr.contains("E02000009 (line 5: not a source area)"),
        "{stderr}"
    );

    // Intensive: area-weighted means.
    let args = [
        "--values",
        values.to_str().unwrap(),
        "--code-column",
        "area",
        "--value-column",
        "rate",
        "--intensive",
    ];
    let out = apportion(
        &fixture("sources.geojson"),
        &fixture("targets.geojson"),
        &args,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let means = rows(&out.stdout);
    assert!(
        (means[0][1].parse::<f64>().unwrap() - 0.2).abs() < 0.001,
        "{means:?}"
    ); // (0.1*2 + 0.4*1) / 3
    assert_eq!(means[1][1].parse::<f64>().unwrap(), 0.4);
}

#[test]
fn cli_keeps_a_nan_missing() {
    let values = fixture("values_nan.csv");
    let args = [
        "--values",
        values.to_str().unwrap(),
        "--code-column",
        "area",
        "--value-column",
        "count",
    ];
    let out = apportion(
        &fixture("sources.geojson"),
        &fixture("targets.geojson"),
        &args,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "target_code,value\nE06000001,\nE06000002,\nE06000003,\n"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("1 sources have no value (kept missing, not 0): E02000002 (line 3)"),
        "{stderr}"
    );
    assert!(stderr.contains("withheld: 100"), "{stderr}");
}

/// Runs a bad case and returns stderr, asserting exit status 2 and no output file.
fn refused(from: &Path, to: &Path, extra: &[&str]) -> String {
    let out = apportion(from, to, extra);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    stderr
}

#[test]
fn cli_refuses_bad_boundaries_with_located_messages() {
    let dir = scratch("boundaries");
    let sources = std::fs::read_to_string(fixture("sources.geojson")).unwrap();
    let targets = fixture("targets.geojson");
    let write = |name: &str, body: String| {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        path
    };

    let with_crs = |name: &str, crs: &str| {
        let member = format!(
            "{{\"type\": \"FeatureCollection\", \"crs\": {{\"type\": \"name\", \"properties\": {{\"name\": \"{crs}\"}}}},"
        );
        write(
            name,
            sources.replacen("{\"type\": \"FeatureCollection\",", &member, 1),
        )
    };
    let mercator = with_crs("mercator.geojson", "urn:ogc:def:crs:EPSG::3857");
    let e = refused(&mercator, &targets, &[]);
    assert!(
        e.contains("mercator.geojson: key crs: the file's crs member is")
            && e.contains("EPSG::3857")
            && e.contains("neither WGS84 nor British National Grid")
            && e.contains("hint: "),
        "{e}"
    );
    // A British National Grid crs member on longitudes and latitudes.
    let mislabelled = with_crs("mislabelled.geojson", "urn:ogc:def:crs:EPSG::27700");
    let e = refused(&mislabelled, &targets, &[]);
    assert!(
        e.contains("mislabelled.geojson: feature 1 of 3 (E02000001): coordinates look like longitude/latitude, but the file says British National Grid"),
        "{e}"
    );

    let crs84 = with_crs("crs84.geojson", "urn:ogc:def:crs:OGC:1.3:CRS84");
    assert!(
        apportion(&crs84, &targets, &[]).status.success(),
        "a CRS84 crs member is WGS84"
    );

    let duplicate = write(
        "duplicate.geojson",
        sources.replace("E02000002", "E02000001"),
    );
    let e = refused(&duplicate, &targets, &[]);
    assert!(
        e.contains("feature 2 of 3 (E02000001): code E02000001 appears twice"),
        "{e}"
    );

    let out = jsna_gap(&[
        "apportion",
        "--from",
        fixture("sources.geojson").to_str().unwrap(),
        "--from-code",
        "AREACD",
        "--to",
        targets.to_str().unwrap(),
        "--to-code",
        "code",
    ]);
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(
        e.contains("feature 1 of 3: has no property 'AREACD'; its properties are: code"),
        "{e}"
    );

    let projected = write(
        "projected.geojson",
        sources.replace("-1.3, 54.5", "430000, 520000"),
    );
    let e = refused(&projected, &targets, &[]);
    assert!(e.contains("is not a WGS84 longitude/latitude"), "{e}");
}

#[test]
fn cli_refuses_bad_values_with_located_messages() {
    let dir = scratch("values-bad");
    let (sources, targets) = (fixture("sources.geojson"), fixture("targets.geojson"));
    let case = |name: &str, csv: &str, column: &str| {
        let path = dir.join(name);
        std::fs::write(&path, csv).unwrap();
        refused(
            &sources,
            &targets,
            &[
                "--values",
                path.to_str().unwrap(),
                "--code-column",
                "area",
                "--value-column",
                column,
            ],
        )
    };
    let e = case(
        "text.csv",
        "area,count\nE02000001,100\nE02000002,many\n",
        "count",
    );
    assert!(
        e.contains("text.csv: line 3: count 'many' is not a number"),
        "{e}"
    );
    let e = case(
        "twice.csv",
        "area,count\nE02000001,100\nE02000001,5\n",
        "count",
    );
    assert!(
        e.contains("twice.csv: line 3: area E02000001 appears twice: lines 2 and 3"),
        "{e}"
    );
    let e = case("column.csv", "area,count\nE02000001,100\n", "people");
    assert!(
        e.contains("column.csv: line 1: missing column(s): people"),
        "{e}"
    );
    let e = case("code.csv", "area,count\nHartlepool,100\n", "count");
    assert!(
        e.contains("code.csv: line 2: area 'Hartlepool' is not a GSS code"),
        "{e}"
    );
    let e = case("elsewhere.csv", "area,count\nE06000001,100\n", "count");
    assert!(
        e.contains("none of its 1 codes (e.g. E06000001) is a source area"),
        "{e}"
    );
    // --code-column without --values is a usage error (clap: exit 2 too).
    let out = jsna_gap(&[
        "apportion",
        "--from",
        "a",
        "--from-code",
        "c",
        "--to",
        "b",
        "--to-code",
        "c",
        "--code-column",
        "area",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// The process asks the kernel for small pages before its first allocation
/// (src/main.rs says why). Seen from outside while the process reads a FIFO
/// as its --from layer: `THP_enabled` in /proc/PID/status is 0 for a
/// process that made the request (Linux 5.0 and later).
#[cfg(target_os = "linux")]
#[test]
fn the_process_runs_without_transparent_huge_pages() {
    use std::os::unix::fs::OpenOptionsExt;
    use std::time::{Duration, Instant};
    let dir = scratch("small-pages");
    let fifo = dir.join("waits.geojson");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let targets = fixture("targets.geojson");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jsna-gap"))
        .args([
            "apportion",
            "--from",
            fifo.to_str().unwrap(),
            "--from-code",
            "code",
        ])
        .args(["--to", targets.to_str().unwrap(), "--to-code", "code"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // A FIFO opens for writing only once a reader has it open: then the
    // process is well past its start.
    let started = Instant::now();
    let writer = loop {
        let open = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo);
        match open {
            Ok(writer) => break writer,
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
                assert!(child.try_wait().unwrap().is_none(), "ended before reading");
                assert!(started.elapsed() < Duration::from_secs(60), "never read");
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("{e}"),
        }
    };
    let status = format!("/proc/{}/status", child.id());
    let flag = std::fs::read_to_string(&status)
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("THP_enabled:").map(|v| v.trim().to_string()));
    // The process may open the file again to read it whole: it would wait
    // for a writer for ever.
    child.kill().unwrap();
    child.wait().unwrap();
    drop(writer);
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(flag) = flag {
        assert_eq!(flag, "0", "{status}");
    }
}

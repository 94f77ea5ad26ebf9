//! "What if" scenarios on hand-checkable cases, on the embedded dataset:
//! a service of known capacity added to one Board moves that Board's unmet
//! need by exactly its capacity and nothing else; adding it and removing it
//! again gives the baseline; England's caseload +10% scales every area's
//! caseload and need by 1.1; halving an untreated share halves unmet need.

mod common;

use jsna_gap::analysis::intervals::Shift;
use jsna_gap::analysis::what_if::{self, WhatIf};
use jsna_gap::analysis::{self, Analysis};
use jsna_gap::config::{Change, LocatedChange, RunSpec, ScenarioSpec};
use jsna_gap::gap::GapRow;
use jsna_gap::geography::Level;
use jsna_gap::load::{self, Loaded};
use jsna_gap::scenario;
use jsna_gap::uncertainty::summary::Difference;
use std::collections::HashMap;
use std::sync::OnceLock;

const HARTLEPOOL: &str = "E06000001";
const CAPACITY: f64 = 40.0;

fn add_service() -> Change {
    Change::AddService {
        name: "Hartlepool PD pathway".into(),
        capacity: CAPACITY,
        area_level: "ctyua".into(),
        area_code: HARTLEPOOL.into(),
        domain: "personality_disorder".into(),
        probation_specific: true,
    }
}

fn scenario(name: &str, changes: Vec<Change>) -> ScenarioSpec {
    ScenarioSpec {
        name: name.into(),
        description: format!("test scenario {name}"),
        line: 1,
        changes: changes
            .into_iter()
            .map(|change| LocatedChange { line: 1, change })
            .collect(),
    }
}

struct Run {
    analysis: Analysis,
    what_if: Vec<WhatIf<'static>>,
}

/// The baseline and the four scenarios, once (fewer draws than the default
/// run: the checks hold in every draw).
fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let mut spec: RunSpec = common::embedded_spec();
        spec.uncertainty.draws = 400;
        spec.scenarios = vec![
            scenario("add", vec![add_service()]),
            scenario(
                "add_and_remove",
                vec![
                    add_service(),
                    Change::RemoveService {
                        service: "Hartlepool PD pathway".into(),
                    },
                ],
            ),
            scenario(
                "england_plus_10",
                vec![Change::Caseload {
                    area_level: "country".into(),
                    area_code: "E92000001".into(),
                    percent: 10.0,
                }],
            ),
            scenario(
                "psychosis_half_untreated",
                vec![Change::TreatmentAccess {
                    condition: "psychosis".into(),
                    untreated_share: 0.25,
                }],
            ),
        ];
        spec.chosen = (0..spec.scenarios.len()).collect();
        let spec: &'static RunSpec = Box::leak(Box::new(spec));
        let loaded: &'static Loaded = Box::leak(Box::new(load::load(spec, &|_| {}).unwrap()));
        let applied = scenario::resolve(spec, loaded).unwrap();
        let analysis = analysis::analyse(spec, loaded).unwrap();
        let what_if = what_if::compare(spec, loaded, &analysis, &applied);
        Run { analysis, what_if }
    })
}

fn named(name: &str) -> &'static WhatIf<'static> {
    run().what_if.iter().find(|w| w.spec.name == name).unwrap()
}

/// Each scenario row with the baseline's row of the same area and condition,
/// and its shifts in caseload, need and unmet need.
fn paired(w: &'static WhatIf) -> Vec<(&'static GapRow, &'static GapRow, [Option<Shift>; 3])> {
    let base: HashMap<(Level, &str, &str), &GapRow> = run()
        .analysis
        .rows
        .iter()
        .map(|r| ((r.level, r.area_code.as_str(), r.condition.as_str()), r))
        .collect();
    w.rows
        .iter()
        .zip(&w.shifts)
        .map(|(r, s)| {
            let b = base[&(r.level, r.area_code.as_str(), r.condition.as_str())];
            (b, r, *s)
        })
        .collect()
}

fn assert_exactly(shift: &Shift, value: f64, what: &str) {
    let c = shift.change;
    for (got, bound) in [(c.value, "central"), (c.lower, "lower"), (c.upper, "upper")] {
        assert!(
            (got - value).abs() < 1e-9,
            "{what}: {bound} change {got}, expected {value}"
        );
    }
}

#[test]
fn a_service_added_to_one_board_moves_its_unmet_need_by_its_capacity_and_nothing_else() {
    let mut sicbl_total = 0.0;
    let mut sicbls_changed = 0;
    for (_, row, [caseload, need, unmet]) in paired(named("add")) {
        let what = format!("{} {} {}", row.level, row.area_code, row.condition);
        assert_exactly(&caseload.unwrap(), 0.0, &what);
        assert_exactly(&need.unwrap(), 0.0, &what);
        let Some(unmet) = unmet else { continue };
        let pd = row.condition == "personality_disorder";
        match row.level {
            // Every draw: need minus the baseline's capacity minus 40.
            Level::Ctyua if pd && row.area_code == HARTLEPOOL => {
                assert_exactly(&unmet, -CAPACITY, &what);
                assert_eq!(unmet.direction, Difference::Lower, "{what}");
            }
            Level::Sicbl if pd => {
                sicbl_total += unmet.change.value;
                sicbls_changed += usize::from(unmet.change.value != 0.0);
            }
            _ => {
                assert_exactly(&unmet, 0.0, &what);
                assert_eq!(unmet.direction, Difference::Similar, "{what}");
            }
        }
    }
    // The sub-ICB locations overlapping Hartlepool share the 40 people.
    assert!((sicbl_total + CAPACITY).abs() < 1e-6, "{sicbl_total}");
    assert!(sicbls_changed >= 1);
    let (_, [_, _, england]) = named("add")
        .england
        .iter()
        .find(|(e, _)| e.condition == "personality_disorder")
        .unwrap();
    assert_exactly(&england.unwrap(), -CAPACITY, "England");
    assert!(named("add").changes_area(Level::Ctyua, HARTLEPOOL));
    assert!(!named("add").changes_area(Level::Ctyua, "E06000002"));
}

#[test]
fn adding_a_service_and_removing_it_again_gives_the_baseline() {
    for (base, row, shifts) in paired(named("add_and_remove")) {
        assert_eq!(row.facts.caseload, base.facts.caseload);
        assert_eq!(row.need, base.need);
        assert_eq!(row.unmet, base.unmet);
        assert_eq!(row.provision, base.provision);
        for shift in shifts.iter().flatten() {
            assert_eq!(shift.change.value, 0.0);
            assert_eq!((shift.change.lower, shift.change.upper), (0.0, 0.0));
            assert_eq!(shift.direction, Difference::Similar);
        }
    }
}

#[test]
fn england_caseload_plus_ten_percent_scales_caseload_and_need_by_1_1() {
    // The change is 0.1 x the baseline in every draw, so its central value
    // and both bounds are 0.1 x the baseline's.
    let close = |got: f64, want: f64, what: &str| {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{what}: {got} against {want}"
        );
    };
    for (base, row, [caseload, need, _]) in paired(named("england_plus_10")) {
        let what = format!("{} {} {}", row.level, row.area_code, row.condition);
        close(
            row.facts.caseload.value,
            1.1 * base.facts.caseload.value,
            &what,
        );
        close(row.need.value, 1.1 * base.need.value, &what);
        close(row.need.upper, 1.1 * base.need.upper, &what);
        for (shift, figure) in [
            (caseload.unwrap(), base.facts.caseload),
            (need.unwrap(), base.need),
        ] {
            close(shift.change.value, 0.1 * figure.value, &what);
            close(shift.change.lower, 0.1 * figure.lower, &what);
            close(shift.change.upper, 0.1 * figure.upper, &what);
            assert_eq!(shift.direction, Difference::Higher, "{what}");
        }
    }
}

#[test]
fn halving_an_untreated_share_halves_unmet_need_where_it_applies() {
    for (base, row, [_, need, unmet]) in paired(named("psychosis_half_untreated")) {
        let what = format!("{} {} {}", row.level, row.area_code, row.condition);
        assert_exactly(&need.unwrap(), 0.0, &what);
        let Some(unmet) = unmet else {
            assert_ne!(row.condition, "psychosis", "{what}");
            continue;
        };
        if row.condition == "psychosis" {
            assert_eq!(row.untreated_share, Some(0.25), "{what}");
            let was = base.unmet.unwrap();
            assert!((unmet.change.value + 0.5 * was.value).abs() < 1e-9 * was.value);
            assert!((unmet.change.lower + 0.5 * was.upper).abs() < 1e-9 * was.upper);
        } else {
            assert_exactly(&unmet, 0.0, &what);
        }
    }
}

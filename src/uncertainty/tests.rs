//! The engine on small hand-checkable models.

use super::cells::{Cells, LsoaFacts};
use super::*;
use statrs::distribution::{Beta as StatrsBeta, ContinuousCDF};

/// Six LSOAs in three districts and one national row of 1,000 people;
/// level 0 has areas A (districts 0, 1) and B (district 2); level 1 splits
/// differently: C (LSOAs 0, 2, 4) and D (LSOAs 1, 3, 5).
fn model(prevalence: Proportion) -> Model {
    // Proxy 0 weighs LSOAs 10, 10, 20, 20, 30, 30; proxies 1 and 2 equally.
    let weights = [
        [10.0, 1.0, 1.0],
        [10.0, 1.0, 1.0],
        [20.0, 1.0, 1.0],
        [20.0, 1.0, 1.0],
        [30.0, 1.0, 1.0],
        [30.0, 1.0, 1.0],
    ];
    let districts = [0, 0, 1, 1, 2, 2];
    let areas = [
        [Some(0), Some(0)],
        [Some(0), Some(1)],
        [Some(0), Some(0)],
        [Some(0), Some(1)],
        [Some(1), Some(0)],
        [Some(1), Some(1)],
    ];
    let lsoas = (0..6).map(|i| LsoaFacts {
        row: Some(0),
        district: districts[i],
        weights: &weights[i],
        areas: &areas[i],
    });
    let (mut cells, groupings) = Cells::build(lsoas, &[2, 2], &[None, None], 3);
    cells.row_totals = vec![1000.0];
    let mut groupings = groupings.into_iter();
    Model {
        cells,
        levels: vec![
            LevelModel {
                grouping: groupings.next().unwrap(),
                adults: vec![50_000.0, 60_000.0],
            },
            LevelModel {
                grouping: groupings.next().unwrap(),
                adults: vec![55_000.0, 55_000.0],
            },
        ],
        prevalence: vec![prevalence],
        access: vec![Some(Proportion::Fixed(0.6))],
        capacities: Vec::new(),
        caseload_factor: Vec::new(),
        untreated_factor: Vec::new(),
    }
}

fn settings(draws: usize, proxy_weights: [f64; 3], model_error: f64) -> Settings {
    Settings {
        draws,
        seed: 11,
        proxy_weights,
        model_error,
        england_share: 1.0,
        england_share_sd: 0.0,
    }
}

fn row(level: usize, area: usize, unmet: Unmet) -> Row {
    Row {
        level,
        area,
        condition: 0,
        unmet,
    }
}

#[test]
fn with_one_proxy_and_no_model_error_the_interval_is_the_prevalences() {
    // Area A holds 500 of 1,000 people under proxy 0 (weights 20 + 40 of
    // 120); with nothing else uncertain, its need interval is 500 times
    // the Jeffreys Beta's quantiles (statrs, an independent implementation).
    let p = Proportion::from_sample(0.39 * 173.0, 173.0);
    let sim = model(p).simulate(&settings(20_000, [1.0, 0.0, 0.0], 0.0));
    let need = sim.estimate(row(0, 0, Unmet::Access), Measure::Need, 0.0, 195.0);
    let beta = StatrsBeta::new(0.39 * 173.0 + 0.5, 173.0 - 0.39 * 173.0 + 0.5).unwrap();
    let close = |got: f64, q: f64| {
        let want = 500.0 * beta.inverse_cdf(q);
        assert!((got - want).abs() < 0.01 * want, "{got} against {want}");
    };
    close(need.lower, 0.025);
    close(need.upper, 0.975);
    close(need.lower_998, 0.001);
    close(need.upper_998, 0.999);
    let caseload = sim.estimate(row(0, 0, Unmet::Access), Measure::Caseload, 0.0, 500.0);
    assert_eq!((caseload.lower, caseload.upper), (500.0, 500.0));
    // Unmet need is need times the fixed untreated share.
    let unmet = sim.estimate(row(0, 0, Unmet::Access), Measure::UnmetNeed, 0.0, 0.0);
    assert!((unmet.upper - 0.6 * need.upper).abs() < 1e-9);
}

#[test]
fn every_level_adds_up_to_the_total_in_every_draw() {
    let sim = model(Proportion::Fixed(0.5)).simulate(&settings(2_000, [1.0, 1.0, 1.0], 0.4));
    for d in 0..sim.draws {
        for level in 0..2 {
            let total: f64 = (0..2)
                .map(|a| sim.draws_of(row(level, a, Unmet::Access), Measure::Caseload, 0.0)[d])
                .sum();
            assert!(
                (total - 1000.0).abs() < 1e-9,
                "draw {d}, level {level}: {total}"
            );
        }
    }
}

#[test]
fn model_error_and_proxy_choice_widen_the_caseload_interval() {
    let fixed = model(Proportion::Fixed(0.5)).simulate(&settings(4_000, [1.0, 0.0, 0.0], 0.0));
    let mixed = model(Proportion::Fixed(0.5)).simulate(&settings(4_000, [1.0, 1.0, 1.0], 0.0));
    let error = model(Proportion::Fixed(0.5)).simulate(&settings(4_000, [1.0, 0.0, 0.0], 0.3));
    let a = row(0, 0, Unmet::Access);
    let width = |s: &Simulation| {
        let e = s.estimate(a, Measure::Caseload, 0.0, 0.0);
        e.upper - e.lower
    };
    assert_eq!(width(&fixed), 0.0);
    // Proxies 1 and 2 give A 4 of 6 LSOAs' weight: 666.7; proxy 0 gives 500.
    let e = mixed.estimate(a, Measure::Caseload, 0.0, 0.0);
    assert!((e.lower - 500.0).abs() < 1e-9 && (e.upper - 2000.0 / 3.0).abs() < 1e-9);
    assert!(width(&error) > 50.0, "{}", width(&error));
}

#[test]
fn the_same_seed_gives_the_same_draws() {
    let run = |seed: u64| {
        let mut s = settings(500, [1.0, 1.0, 1.0], 0.3);
        s.seed = seed;
        let sim = model(Proportion::from_sample(30.0, 100.0)).simulate(&s);
        sim.draws_of(row(1, 1, Unmet::Access), Measure::UnmetNeed, 0.0)
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn capacity_is_shared_by_caseload_and_subtracted_in_each_draw() {
    let mut m = model(Proportion::Fixed(0.5));
    // 90 places serving the whole country: A, with 500 of 1,000 people,
    // gets 45; its need is 250, so unmet need is 205 in every draw.
    m.capacities = vec![Capacity {
        domain: Domain::PersonalityDisorder,
        people: 90.0,
        includes_wales: false,
        cells: (0..m.cells.len()).collect(),
    }];
    let sim = m.simulate(&settings(100, [1.0, 0.0, 0.0], 0.0));
    let a = row(0, 0, Unmet::Capacity(Domain::PersonalityDisorder));
    let unmet = sim.estimate(a, Measure::UnmetNeed, 0.0, 0.0);
    assert!((unmet.lower - 205.0).abs() < 1e-9 && (unmet.upper - 205.0).abs() < 1e-9);
}

#[test]
fn ranks_and_comparisons_come_from_the_same_draws() {
    // A: 500 people in 50,000 adults (1,000 per 100,000); B: 500 in 60,000
    // (833): A is higher than England (1,000 in 110,000: 909) in every draw
    // of a fixed model, and first in every draw.
    let sim = model(Proportion::Fixed(0.5)).simulate(&settings(200, [1.0, 0.0, 0.0], 0.0));
    let rows = [row(0, 0, Unmet::Access), row(0, 1, Unmet::Access)];
    let ranks = sim.rank_intervals(&rows, Measure::Caseload, &[1000.0, 833.0]);
    assert_eq!((ranks[0].rank, ranks[0].lower, ranks[0].upper), (1, 1, 1));
    assert_eq!(ranks[0].top_fifth, 1.0);
    assert_eq!(ranks[1].top_fifth, 0.0);
    let england = sim.total(&rows, Measure::Need);
    assert_eq!(
        sim.compare(rows[0], Measure::Need, &england),
        [Difference::Higher, Difference::Higher]
    );
    assert_eq!(
        sim.compare(rows[1], Measure::Need, &england),
        [Difference::Lower, Difference::Lower]
    );
}

#[test]
fn a_scenario_multiplies_its_districts_caseload_in_the_same_draws() {
    // Every district +10% (England +10%): each area's caseload and need
    // are the baseline's times 1.1 in every draw, not merely on average.
    let p = Proportion::from_sample(0.39 * 173.0, 173.0);
    let settings = settings(1_000, [1.0, 1.0, 1.0], 0.4);
    let baseline = model(p).simulate(&settings);
    let mut scaled = model(p);
    scaled.caseload_factor = vec![1.1; scaled.cells.len()];
    let scenario = scaled.simulate(&settings);
    for level in 0..2 {
        for area in 0..2 {
            for measure in [Measure::Caseload, Measure::Need] {
                let at = row(level, area, Unmet::Access);
                let was = baseline.draws_of(at, measure, 0.0);
                let now = scenario.draws_of(at, measure, 0.0);
                for (d, (w, n)) in was.iter().zip(&now).enumerate() {
                    assert!(
                        (n - 1.1 * w).abs() < 1e-9 * w,
                        "draw {d}: {n} against 1.1 x {w}"
                    );
                }
            }
        }
    }
    // One district only (district 2, all of area B at level 0): area A's
    // draws are the baseline's exactly; B's are 1.2 times.
    let mut one = model(p);
    one.caseload_factor = one
        .cells
        .district
        .iter()
        .map(|&d| if d == 2 { 1.2 } else { 1.0 })
        .collect();
    let scenario = one.simulate(&settings);
    let a = row(0, 0, Unmet::Access);
    assert_eq!(
        scenario.draws_of(a, Measure::Caseload, 0.0),
        baseline.draws_of(a, Measure::Caseload, 0.0)
    );
    let b = row(0, 1, Unmet::Access);
    for (n, w) in scenario
        .draws_of(b, Measure::Caseload, 0.0)
        .iter()
        .zip(baseline.draws_of(b, Measure::Caseload, 0.0))
    {
        assert!((n - 1.2 * w).abs() < 1e-9 * w);
    }
}

#[test]
fn a_scenario_moves_an_untreated_share_by_its_ratio_in_every_draw() {
    // The fixed share 0.6 set to 0.3: unmet need halves in every draw.
    let p = Proportion::from_sample(0.39 * 173.0, 173.0);
    let settings = settings(500, [1.0, 1.0, 1.0], 0.4);
    let baseline = model(p).simulate(&settings);
    let mut halved = model(p);
    halved.untreated_factor = vec![0.5];
    let scenario = halved.simulate(&settings);
    let at = row(1, 0, Unmet::Access);
    let was = baseline.draws_of(at, Measure::UnmetNeed, 0.0);
    let now = scenario.draws_of(at, Measure::UnmetNeed, 0.0);
    for (n, w) in now.iter().zip(&was) {
        assert!((n - 0.5 * w).abs() < 1e-9 * w);
    }
    assert_eq!(
        scenario.draws_of(at, Measure::Need, 0.0),
        baseline.draws_of(at, Measure::Need, 0.0)
    );
}

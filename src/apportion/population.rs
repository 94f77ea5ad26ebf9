//! Population-weighted (dasymetric) crosswalks through fine units.
//!
//! People are not spread evenly over area: a district's moorland holds few
//! of them. Fine units with known populations (LSOA 2011s, ~1,500 people
//! each, ONS mid-2020) are each placed in one source and one target area, and
//! the weight of source → target is the population of the fine units in both
//! over the population of the source.
//!
//! A fine unit is placed by the official ONS lookup where one exists for the
//! geography ([`super::lookup`]), exact by construction for areas built from
//! LSOAs; otherwise by an interior point of its polygon (a point guaranteed
//! inside it, unlike a centroid) in the area's polygon.

use super::Crosswalk;
use crate::error::Result;
use crate::geography::boundaries::BoundaryLayer;
use crate::geography::units::LSOA_POPULATION;
use crate::input::Seen;
use crate::source::DataDir;
use geo::{BoundingRect, Closest, ClosestPoint, InteriorPoint, Intersects, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The LSOA 2011 boundaries (EW BSC, made valid by geographr), for placing
/// LSOAs by interior point.
pub const LSOA_BOUNDARIES: &str =
    "boundaries/lsoa/geographr_boundaries_lsoa11_LSOA_DEC_2011_EW_BSC_simplified.geojson";

/// Fine units with populations, in code order.
#[derive(Debug, Clone, PartialEq)]
pub struct FineUnits {
    /// What they are: "LSOA 2011 (ONS mid-2020 population, all ages)".
    pub what: String,
    pub codes: Vec<String>,
    pub population: Vec<f64>,
}

impl FineUnits {
    /// Every LSOA 2011 in England and Wales with its ONS mid-2020 population
    /// (all ages), from the data directory.
    pub fn lsoa11(data: &DataDir) -> Result<FineUnits> {
        let table = data.file(LSOA_POPULATION)?.table()?;
        table.require(&["lsoa11_code", "total_population"])?;
        let mut units = BTreeMap::new();
        let mut seen = Seen::default();
        for r in table.records() {
            let code = r.gss_code("lsoa11_code")?;
            seen.first(&r, code, format_args!("LSOA {code}"))
                .map_err(|e| e.hint("a population table has one row per area"))?;
            units.insert(code.to_string(), r.count("total_population")?);
        }
        let (codes, population) = units.into_iter().unzip();
        Ok(FineUnits {
            what: "LSOA 2011 (ONS mid-2020 population, all ages)".to_string(),
            codes,
            population,
        })
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// An interior point of each unit's polygon in `layer` (the fine units'
    /// own boundaries), in unit order; None for a unit the layer lacks.
    pub fn interior_points(&self, layer: &BoundaryLayer) -> Vec<Option<Point<f64>>> {
        let by_code: HashMap<&str, usize> = layer
            .features
            .iter()
            .enumerate()
            .map(|(i, f)| (f.code.as_str(), i))
            .collect();
        self.codes
            .par_iter()
            .map(|code| {
                let feature = &layer.features[*by_code.get(code.as_str())?];
                feature.geometry.interior_point()
            })
            .collect()
    }
}

/// Where each fine unit lies in one geography.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// How units were placed: "ONS lookup LSOA11 → CCG21 (…csv)".
    pub how: String,
    /// Each unit's area (in `FineUnits` order); None where it is in none.
    pub area_of: Vec<Option<String>>,
    /// Every area of the geography, including any no unit falls in.
    pub areas: BTreeSet<String>,
    /// What placing the units found (units in no area, in two areas).
    pub notes: Vec<String>,
}

impl Placement {
    /// Units placed by a lookup from unit code to area code; `areas` is
    /// every area of the geography (at least the lookup's own).
    pub fn from_lookup(fine: &FineUnits, how: &str, lookup: &HashMap<String, String>) -> Placement {
        Placement {
            how: how.to_string(),
            area_of: fine.codes.iter().map(|c| lookup.get(c).cloned()).collect(),
            areas: lookup.values().cloned().collect(),
            notes: Vec::new(),
        }
    }

    /// Units placed by their interior points (from
    /// [`FineUnits::interior_points`]) in the polygons of `layer`. A point
    /// on the shared edge of two areas, or where they overlap, goes to the
    /// first in code order, and is noted.
    pub fn by_point(
        fine: &FineUnits,
        points: &[Option<Point<f64>>],
        layer: &BoundaryLayer,
    ) -> Placement {
        let found = areas_containing(points, layer);
        let code = |i: usize| layer.features[i].code.clone();
        let mut notes = Vec::new();
        let twice: Vec<String> = fine
            .codes
            .iter()
            .zip(&found)
            .filter(|(_, hits)| hits.len() > 1)
            .map(|(unit, hits)| {
                let areas: Vec<String> = hits.iter().map(|&i| code(i)).collect();
                format!("{unit} in {}", areas.join(" and "))
            })
            .collect();
        if !twice.is_empty() {
            notes.push(format!(
                "{} fine units' points lie in more than one area of {} (each placed in the first): {}",
                twice.len(),
                layer.path.display(),
                twice.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
            ));
        }
        let missing_points = points.iter().filter(|p| p.is_none()).count();
        if missing_points > 0 {
            notes.push(format!(
                "{missing_points} fine units have no polygon to take a point from"
            ));
        }
        Placement {
            how: format!("interior point in polygon ({})", layer.path.display()),
            area_of: found
                .iter()
                .map(|hits| hits.first().map(|&i| code(i)))
                .collect(),
            areas: layer.features.iter().map(|f| f.code.clone()).collect(),
            notes,
        }
    }

    /// Units whose point lies in no area (on a coast that the area layer
    /// generalises more than the fine units' layer) placed in the nearest
    /// area, and noted with the farthest distance moved. For reporting
    /// levels, where every person must be counted somewhere; `apportion`
    /// keeps such units "not placed".
    pub fn nearest_where_outside(
        mut self,
        points: &[Option<Point<f64>>],
        layer: &BoundaryLayer,
    ) -> Placement {
        let mut moved = 0;
        let mut farthest: f64 = 0.0;
        for (area, point) in self.area_of.iter_mut().zip(points) {
            let (None, Some(point)) = (area.as_ref(), point) else {
                continue;
            };
            let nearest = layer
                .features
                .iter()
                .filter_map(|f| {
                    match f.geometry.closest_point(point) {
                        Closest::Intersection(p) | Closest::SinglePoint(p) => {
                            Some((p.x() - point.x()).hypot(p.y() - point.y()))
                        }
                        Closest::Indeterminate => None,
                    }
                    .map(|d| (d, &f.code))
                })
                .min_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(b.1)));
            if let Some((distance, code)) = nearest {
                *area = Some(code.clone());
                moved += 1;
                farthest = farthest.max(distance);
            }
        }
        if moved > 0 {
            self.notes.push(format!(
                "{moved} fine units' points lie outside every area (generalised coastlines) and were placed in the nearest, at most {:.0} m away",
                farthest
            ));
        }
        self
    }

    /// This placement where it places a unit, `fallback` where it does not:
    /// a lookup first, then interior points for the units it lacks.
    pub fn or(self, fallback: Placement) -> Placement {
        let from_fallback = self
            .area_of
            .iter()
            .zip(&fallback.area_of)
            .filter(|(a, b)| a.is_none() && b.is_some())
            .count();
        let area_of = self
            .area_of
            .into_iter()
            .zip(fallback.area_of)
            .map(|(first, second)| first.or(second))
            .collect();
        let mut notes = self.notes;
        notes.extend(fallback.notes);
        Placement {
            how: format!(
                "{}; {from_fallback} units not in it by {}",
                self.how, fallback.how
            ),
            area_of,
            areas: self.areas.into_iter().chain(fallback.areas).collect(),
            notes,
        }
    }
}

/// For each point, the features of `layer` whose polygon holds it (inside
/// or on the boundary), in code order: an R-tree of bounding boxes, then a
/// point-in-polygon test.
fn areas_containing(points: &[Option<Point<f64>>], layer: &BoundaryLayer) -> Vec<Vec<usize>> {
    let index = RTree::bulk_load(
        layer
            .features
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let r = f.geometry.bounding_rect()?;
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                Some(GeomWithData::new(rect, i))
            })
            .collect(),
    );
    points
        .par_iter()
        .map(|point| {
            let Some(p) = point else { return Vec::new() };
            let mut hits: Vec<usize> = index
                .locate_in_envelope_intersecting(&AABB::from_point([p.x(), p.y()]))
                .map(|c| c.data)
                .filter(|&i| layer.features[i].geometry.intersects(p))
                .collect();
            hits.sort_by(|&a, &b| layer.features[a].code.cmp(&layer.features[b].code));
            hits
        })
        .collect()
}

/// The population-weighted crosswalk from one geography to another: the
/// weight of source → target is the population of the fine units placed in
/// both over the population placed in the source. Sources with no
/// population placed in them cannot be weighted and are `unusable`.
pub fn crosswalk(fine: &FineUnits, source: &Placement, target: &Placement) -> Crosswalk {
    let mut sources: BTreeMap<String, f64> =
        source.areas.iter().map(|a| (a.clone(), 0.0)).collect();
    let mut targets: BTreeMap<String, f64> =
        target.areas.iter().map(|a| (a.clone(), 0.0)).collect();
    let mut shared: BTreeMap<(String, String), f64> = BTreeMap::new();
    for ((people, s), t) in fine
        .population
        .iter()
        .zip(&source.area_of)
        .zip(&target.area_of)
    {
        if let Some(s) = s {
            *sources.entry(s.clone()).or_default() += people;
        }
        if let Some(t) = t {
            *targets.entry(t.clone()).or_default() += people;
        }
        if let (Some(s), Some(t)) = (s, t) {
            *shared.entry((s.clone(), t.clone())).or_default() += people;
        }
    }
    let (unusable, sources): (BTreeMap<String, f64>, BTreeMap<String, f64>) =
        sources.into_iter().partition(|(_, people)| *people <= 0.0);
    let mut crosswalk = Crosswalk::new("population", sources, targets, shared);
    crosswalk.unusable = unusable
        .into_keys()
        .map(|code| (code, format!("no population of {} placed in it", fine.what)))
        .collect();
    crosswalk.notes = vec![
        format!("fine units: {} {}", fine.len(), fine.what),
        format!("sources placed by {}", source.how),
        format!("targets placed by {}", target.how),
    ];
    crosswalk
        .notes
        .extend(source.notes.iter().chain(&target.notes).cloned());
    crosswalk
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> FineUnits {
        FineUnits {
            what: "test units".into(),
            codes: vec!["u1".into(), "u2".into(), "u3".into(), "u4".into()],
            population: vec![100.0, 300.0, 50.0, 0.0],
        }
    }

    fn placement(areas: &[Option<&str>], extra: &[&str]) -> Placement {
        Placement {
            how: "test".into(),
            area_of: areas.iter().map(|a| a.map(String::from)).collect(),
            areas: areas
                .iter()
                .flatten()
                .chain(extra)
                .map(|a| a.to_string())
                .collect(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn weights_are_shares_of_the_source_population() {
        let source = placement(&[Some("A"), Some("A"), Some("B"), Some("C")], &[]);
        let target = placement(&[Some("X"), Some("Y"), None, Some("Y")], &["Z"]);
        let cw = crosswalk(&units(), &source, &target);
        let w: Vec<(&str, &str, f64)> = cw
            .links
            .iter()
            .map(|l| {
                let (source, target) = cw.codes(l);
                (source, target, l.weight)
            })
            .collect();
        assert_eq!(w, [("A", "X", 0.25), ("A", "Y", 0.75)]);
        assert_eq!(cw.placed_shares()["B"], 0.0); // its one unit is in no target
        assert!(cw.unusable["C"].starts_with("no population")); // only a unit of 0 people
        assert_eq!(cw.targets["Z"], 0.0);
    }

    #[test]
    fn a_lookup_falls_back_to_points_only_where_it_has_no_area() {
        let lookup = placement(&[Some("A"), None, None, Some("B")], &[]);
        let points = placement(&[Some("Q"), Some("A"), None, Some("Q")], &[]);
        let both = lookup.or(points);
        assert_eq!(
            both.area_of,
            [Some("A".into()), Some("A".into()), None, Some("B".into())]
        );
        assert!(
            both.how.ends_with("1 units not in it by test"),
            "{}",
            both.how
        );
    }
}

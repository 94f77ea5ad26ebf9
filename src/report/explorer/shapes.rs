//! Area outlines for the explorer page: boundaries snapped to a grid and
//! simplified border by border. A shared border is cut out once as an arc
//! (between the points where three or more areas meet, or where two areas
//! stop sharing it) and simplified once, so both neighbours draw exactly the
//! same line: no slivers, no gaps, enclaves still fit their holes. This is
//! TopoJSON's idea (arcs split at junctions); the simplification is geo's
//! Douglas-Peucker.

use geo::{Coord, LineString, MultiPolygon, Polygon, Simplify};
use std::collections::HashMap;

/// A point on the grid, y pointing south (SVG's direction).
type Point = (i64, i64);
/// An area's polygons, each an exterior ring then its holes, open (the
/// closing point is not repeated).
type Rings = Vec<Vec<Vec<Point>>>;

/// How coarsely outlines are kept, in British National Grid metres.
#[derive(Debug, Clone, Copy)]
pub struct Detail {
    /// Grid the vertices are snapped to.
    pub grid: f64,
    /// Douglas-Peucker tolerance: no vertex dropped lies further than this
    /// from the simplified line.
    pub tolerance: f64,
}

/// The outlines of `geometries` (BNG metres) in grid units with y flipped,
/// simplified consistently across shared borders. An area whose rings all
/// collapse keeps its snapped, unsimplified rings, so no area disappears.
pub fn outlines(geometries: &[&MultiPolygon<f64>], detail: Detail) -> Vec<MultiPolygon<f64>> {
    let snapped: Vec<Rings> = geometries.iter().map(|g| snap(g, detail.grid)).collect();
    let junctions = junctions(&snapped);
    let mut arcs = Arcs {
        epsilon: detail.tolerance / detail.grid,
        simplified: HashMap::new(),
    };
    snapped
        .iter()
        .map(|rings| {
            let simplified: Rings = rings
                .iter()
                .filter_map(|polygon| {
                    let exterior = arcs.ring(&polygon[0], &junctions)?;
                    let holes = polygon[1..].iter().filter_map(|r| arcs.ring(r, &junctions));
                    Some(std::iter::once(exterior).chain(holes).collect())
                })
                .collect();
            if simplified.is_empty() {
                to_geo(rings)
            } else {
                to_geo(&simplified)
            }
        })
        .collect()
}

/// Rings snapped to the grid, y flipped, repeated points dropped; rings left
/// with fewer than three points are dropped.
fn snap(geometry: &MultiPolygon<f64>, grid: f64) -> Rings {
    let ring = |line: &LineString<f64>| -> Option<Vec<Point>> {
        let mut points: Vec<Point> = Vec::with_capacity(line.0.len());
        for c in &line.0 {
            let p = ((c.x / grid).round() as i64, (-c.y / grid).round() as i64);
            if points.last() != Some(&p) {
                points.push(p);
            }
        }
        while points.len() > 1 && points.first() == points.last() {
            points.pop();
        }
        (points.len() >= 3).then_some(points)
    };
    geometry
        .iter()
        .filter_map(|polygon| {
            let exterior = ring(polygon.exterior())?;
            let holes = polygon.interiors().iter().filter_map(ring);
            Some(std::iter::once(exterior).chain(holes).collect())
        })
        .collect()
}

/// The points where arcs must end: wherever a point's two neighbours are
/// not the same in every ring that passes through it (lines meet or part).
fn junctions(areas: &[Rings]) -> HashMap<Point, bool> {
    // Only looked up, never iterated, so HashMap order cannot reach the output.
    let mut neighbours: HashMap<Point, Option<(Point, Point)>> = HashMap::new();
    for ring in areas.iter().flatten().flatten() {
        let n = ring.len();
        for (i, &p) in ring.iter().enumerate() {
            let (a, b) = (ring[(i + n - 1) % n], ring[(i + 1) % n]);
            let pair = if a <= b { (a, b) } else { (b, a) };
            neighbours
                .entry(p)
                .and_modify(|seen| {
                    if *seen != Some(pair) {
                        *seen = None;
                    }
                })
                .or_insert(Some(pair));
        }
    }
    neighbours
        .into_iter()
        .map(|(p, pair)| (p, pair.is_none()))
        .collect()
}

/// Arcs simplified once each, by their canonical direction.
struct Arcs {
    epsilon: f64,
    simplified: HashMap<Vec<Point>, Vec<Point>>,
}

impl Arcs {
    /// A ring cut into arcs at its junctions, each simplified, joined again;
    /// None when it collapses below three points.
    fn ring(&mut self, ring: &[Point], junctions: &HashMap<Point, bool>) -> Option<Vec<Point>> {
        let cuts: Vec<usize> = (0..ring.len()).filter(|&i| junctions[&ring[i]]).collect();
        let mut out: Vec<Point> = Vec::new();
        if cuts.is_empty() {
            out = self.closed(ring);
        } else {
            for (j, &start) in cuts.iter().enumerate() {
                let end = cuts.get(j + 1).copied().unwrap_or(cuts[0] + ring.len());
                let arc: Vec<Point> = (start..=end).map(|i| ring[i % ring.len()]).collect();
                let simplified = self.open(&arc);
                out.extend_from_slice(&simplified[..simplified.len() - 1]);
            }
        }
        (out.len() >= 3).then_some(out)
    }

    /// An arc between two junctions, simplified the same way whichever
    /// direction a ring runs along it.
    fn open(&mut self, arc: &[Point]) -> Vec<Point> {
        let reversed: Vec<Point> = arc.iter().rev().copied().collect();
        if reversed.as_slice() < arc {
            let mut out = self.simplify(reversed);
            out.reverse();
            out
        } else {
            self.simplify(arc.to_vec())
        }
    }

    /// A ring with no junction (an island, or an enclave and the hole it
    /// fills): started at its least point and run in a fixed direction so
    /// that both rings that trace it simplify alike. Returned open.
    fn closed(&mut self, ring: &[Point]) -> Vec<Point> {
        let n = ring.len();
        let start = (0..n).min_by_key(|&i| ring[i]).expect("a ring has points");
        let forward = ring[(start + 1) % n] <= ring[(start + n - 1) % n];
        let step = |k: usize| {
            if forward {
                ring[(start + k) % n]
            } else {
                ring[(start + n - k) % n]
            }
        };
        let mut out = self.simplify((0..=n).map(step).collect());
        out.pop();
        if !forward {
            out.reverse();
        }
        out
    }

    fn simplify(&mut self, arc: Vec<Point>) -> Vec<Point> {
        let epsilon = self.epsilon;
        self.simplified
            .entry(arc)
            .or_insert_with_key(|arc| {
                let line: LineString<f64> = arc
                    .iter()
                    .map(|&(x, y)| Coord {
                        x: x as f64,
                        y: y as f64,
                    })
                    .collect();
                line.simplify(epsilon)
                    .0
                    .iter()
                    .map(|c| (c.x as i64, c.y as i64))
                    .collect()
            })
            .clone()
    }
}

fn to_geo(rings: &Rings) -> MultiPolygon<f64> {
    let line = |ring: &Vec<Point>| -> LineString<f64> {
        ring.iter()
            .chain(ring.first())
            .map(|&(x, y)| Coord {
                x: x as f64,
                y: y as f64,
            })
            .collect()
    };
    MultiPolygon(
        rings
            .iter()
            .map(|polygon| Polygon::new(line(&polygon[0]), polygon[1..].iter().map(line).collect()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::relative_path_data;

    fn area(rings: &[&[(f64, f64)]]) -> MultiPolygon<f64> {
        let line = |r: &[(f64, f64)]| LineString::from(r.to_vec());
        MultiPolygon(vec![Polygon::new(
            line(rings[0]),
            rings[1..].iter().map(|r| line(r)).collect(),
        )])
    }

    const METRES: Detail = Detail {
        grid: 1.0,
        tolerance: 2.0,
    };

    fn paths(areas: &[MultiPolygon<f64>], detail: Detail) -> Vec<String> {
        let refs: Vec<&MultiPolygon<f64>> = areas.iter().collect();
        outlines(&refs, detail)
            .iter()
            .map(relative_path_data)
            .collect()
    }

    #[test]
    fn a_shared_border_is_simplified_once_for_both_neighbours() {
        // The border x = 10 bulges 1 m east at y = 5, within the 2 m
        // tolerance: both squares lose the bulge, and keep their corners.
        let west = area(&[&[
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 4.0),
            (11.0, 5.0),
            (10.0, 6.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ]]);
        let east = area(&[&[
            (10.0, 0.0),
            (20.0, 0.0),
            (20.0, 10.0),
            (10.0, 10.0),
            (10.0, 6.0),
            (11.0, 5.0),
            (10.0, 4.0),
            (10.0, 0.0),
        ]]);
        // y is flipped: north up on the page.
        assert_eq!(
            paths(&[west, east], METRES),
            ["M10 0l0-10-10 0 0 10z", "M10 0l10 0 0-10-10 0z"]
        );
    }

    #[test]
    fn an_enclave_still_fills_its_hole() {
        // A hole with a vertex 1 m off its edge and the area that fills it,
        // traced the other way round: both simplify to the same square.
        let hole = [
            (10.0, 10.0),
            (15.0, 11.0),
            (20.0, 10.0),
            (20.0, 20.0),
            (10.0, 20.0),
            (10.0, 10.0),
        ];
        let mut enclave = hole;
        enclave.reverse();
        let outer = [
            (0.0, 0.0),
            (30.0, 0.0),
            (30.0, 30.0),
            (0.0, 30.0),
            (0.0, 0.0),
        ];
        let refs = [area(&[&outer, &hole]), area(&[&enclave])];
        let shapes = outlines(&refs.iter().collect::<Vec<_>>(), METRES);
        let points = |ring: &LineString<f64>| {
            let mut p: Vec<(i64, i64)> = ring.0.iter().map(|c| (c.x as i64, c.y as i64)).collect();
            p.pop();
            p.sort();
            p
        };
        let square = vec![(10, -20), (10, -10), (20, -20), (20, -10)];
        assert_eq!(points(&shapes[0].0[0].interiors()[0]), square);
        assert_eq!(points(shapes[1].0[0].exterior()), square);
    }

    #[test]
    fn an_area_too_small_to_simplify_keeps_its_snapped_outline() {
        // A 3 m triangle collapses at a 5 m tolerance; snapped to a 1 m grid
        // it stays, so no area vanishes from the map.
        let tiny = area(&[&[(0.2, 0.0), (3.0, 0.0), (0.0, 2.6), (0.2, 0.0)]]);
        let detail = Detail {
            grid: 1.0,
            tolerance: 5.0,
        };
        assert_eq!(paths(&[tiny], detail), ["M0 0l3 0-3-3z"]);
    }
}

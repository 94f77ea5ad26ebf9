//! Area-weighted crosswalks: exact polygon overlay in British National Grid.
//!
//! The weight of source → target is area(source ∩ target) / area(source),
//! the quantity tobler's `area_interpolate` uses (with `allocate_total=False`:
//! area outside every target stays unplaced and is reported, rather than
//! being spread over the targets that are there).
//!
//! Speed comes from doing as little polygon overlay as possible:
//!
//! 1. An R-tree of target bounding boxes gives each source its candidates.
//! 2. Both polygons are clipped to the intersection of their bounding boxes
//!    (Sutherland–Hodgman against a rectangle: linear time, no overlay), since
//!    their intersection lies inside it. Clipped, a county-sized target is a
//!    few dozen vertices instead of thousands.
//! 3. If either clipped polygon fills the whole window, the intersection is
//!    simply the other one and no overlay is needed: this is every source
//!    that lies inside one target of a coverage, which is most of them.
//! 4. Only the rest go through geo's BooleanOps (i_overlay), on the clipped
//!    pieces.
//!
//! Polygon-polygon `Intersects`/`Contains` are never used as a pre-filter:
//! on England-sized boundaries they cost more than the overlay they would save.

use super::Crosswalk;
use crate::geography::boundaries::{Boundary, BoundaryLayer};
use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::collections::BTreeMap;

/// A clipped polygon that fills all but this share of its window fills it:
/// the shortfall is rounding in the shoelace sums, far below a square metre.
const FILLS_WINDOW: f64 = 1e-12;

/// The area-weighted crosswalk from `source` to `target`. Both layers come
/// from `read_layer` (British National Grid, valid, repaired where needed);
/// their repairs and exclusions are carried into the crosswalk's notes.
pub fn crosswalk(source: &BoundaryLayer, target: &BoundaryLayer) -> Crosswalk {
    let targets: Vec<Prepared> = target.features.iter().map(Prepared::new).collect();
    let index = RTree::bulk_load(
        targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| Some(GeomWithData::new(rectangle(t.bbox?), i)))
            .collect(),
    );
    // Each source's overlaps are independent; rayon's collect keeps source
    // order and each pair's arithmetic is the same on any thread, so the
    // result does not depend on scheduling.
    let overlaps: Vec<(Prepared, Vec<(usize, f64)>)> = source
        .features
        .par_iter()
        .map(|feature| {
            let source = Prepared::new(feature);
            let shared = overlaps(&source, &targets, &index);
            (source, shared)
        })
        .collect();

    let sources = overlaps
        .iter()
        .map(|(s, _)| (s.code.to_string(), s.area))
        .collect();
    let target_areas = targets
        .iter()
        .map(|t| (t.code.to_string(), t.area))
        .collect();
    let mut shared = BTreeMap::new();
    for (source, pairs) in &overlaps {
        for &(t, area) in pairs {
            shared.insert((source.code.to_string(), targets[t].code.to_string()), area);
        }
    }
    let mut crosswalk = Crosswalk::new("area", sources, target_areas, shared);
    crosswalk.unusable = source
        .excluded
        .iter()
        .map(|e| (e.code.clone(), e.reason.clone()))
        .collect();
    crosswalk.notes = layer_notes("source", source)
        .chain(layer_notes("target", target))
        .collect();
    crosswalk
}

/// What `read_layer` repaired or left out of a layer, one line each.
fn layer_notes<'a>(role: &'a str, layer: &'a BoundaryLayer) -> impl Iterator<Item = String> + 'a {
    let file = layer.path.display();
    let repairs = layer
        .repairs
        .iter()
        .map(move |r| format!("{role} {} in {file}: {}", r.code, r.what));
    let excluded = layer
        .excluded
        .iter()
        .map(move |e| format!("{role} {} in {file} left out: {}", e.code, e.reason));
    repairs.chain(excluded)
}

/// A feature with what every overlay with it needs.
struct Prepared<'a> {
    code: &'a str,
    geometry: &'a MultiPolygon<f64>,
    bbox: Option<Rect<f64>>,
    area: f64,
}

impl<'a> Prepared<'a> {
    fn new(feature: &'a Boundary) -> Prepared<'a> {
        Prepared {
            code: &feature.code,
            geometry: &feature.geometry,
            bbox: feature.geometry.bounding_rect(),
            area: feature.geometry.unsigned_area(),
        }
    }
}

fn rectangle(r: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

/// The targets a source shares area with, in target order, and the area shared.
fn overlaps(
    source: &Prepared,
    targets: &[Prepared],
    index: &RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
) -> Vec<(usize, f64)> {
    let Some(bbox) = source.bbox else {
        return Vec::new();
    };
    let envelope = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
    let mut candidates: Vec<usize> = index
        .locate_in_envelope_intersecting(&envelope)
        .map(|c| c.data)
        .collect();
    candidates.sort_unstable();
    candidates
        .into_iter()
        .filter_map(|t| {
            let area = shared_area(source, &targets[t]);
            (area > 0.0).then_some((t, area))
        })
        .collect()
}

/// area(source ∩ target), overlaying only what the bounding boxes share.
fn shared_area(source: &Prepared, target: &Prepared) -> f64 {
    let (Some(s_box), Some(t_box)) = (source.bbox, target.bbox) else {
        return 0.0;
    };
    let Some(window) = intersection(s_box, t_box) else {
        return 0.0;
    };
    let window_area = window.width() * window.height();
    if window_area <= 0.0 {
        return 0.0;
    }
    let fills = |area: f64| area >= window_area * (1.0 - FILLS_WINDOW);
    // The source is usually the smaller; when its box is the window it
    // needs no clipping and its area is already known.
    let (s_clip, s_area) = if window == s_box {
        (None, source.area)
    } else {
        let clipped = clip(source.geometry, window);
        let area = clipped.unsigned_area();
        (Some(clipped), area)
    };
    if s_area <= 0.0 {
        return 0.0;
    }
    let t_clip = clip(target.geometry, window);
    let t_area = t_clip.unsigned_area();
    if t_area <= 0.0 {
        return 0.0;
    }
    if fills(t_area) {
        return s_area;
    }
    if fills(s_area) {
        return t_area;
    }
    let shared = match &s_clip {
        Some(s_clip) => s_clip.intersection(&t_clip),
        None => source.geometry.intersection(&t_clip),
    };
    // Overlay rounding can exceed either operand by a hair.
    shared.unsigned_area().min(s_area).min(t_area)
}

fn intersection(a: Rect<f64>, b: Rect<f64>) -> Option<Rect<f64>> {
    let min = Coord {
        x: a.min().x.max(b.min().x),
        y: a.min().y.max(b.min().y),
    };
    let max = Coord {
        x: a.max().x.min(b.max().x),
        y: a.max().y.min(b.max().y),
    };
    (min.x <= max.x && min.y <= max.y).then(|| Rect::new(min, max))
}

/// The part of a (valid) multipolygon inside a rectangle. Each ring is
/// clipped on its own: a clipped ring may run along the window's edge and
/// back (zero-width spikes), which changes neither its area nor the result
/// of an even-odd overlay, so the pieces are exact for both.
pub(crate) fn clip(geometry: &MultiPolygon<f64>, window: Rect<f64>) -> MultiPolygon<f64> {
    geometry
        .iter()
        .filter_map(|polygon| {
            let exterior = clip_ring(polygon.exterior(), window)?;
            let holes = polygon
                .interiors()
                .iter()
                .filter_map(|ring| clip_ring(ring, window))
                .collect();
            Some(Polygon::new(exterior, holes))
        })
        .collect()
}

/// A ring clipped to a rectangle, or None if nothing of it is left.
fn clip_ring(ring: &LineString<f64>, window: Rect<f64>) -> Option<LineString<f64>> {
    let bbox = ring.bounding_rect()?;
    if intersection(bbox, window).is_none() {
        return None;
    }
    if intersection(bbox, window) == Some(bbox) {
        return Some(ring.clone());
    }
    let (min, max) = (window.min(), window.max());
    // Sutherland–Hodgman: keep the side of each window edge that is inside.
    let mut points: Vec<Coord<f64>> = ring.0.clone();
    points.pop(); // the closing repeat of the first point
    for edge in [
        Edge::Left(min.x),
        Edge::Right(max.x),
        Edge::Bottom(min.y),
        Edge::Top(max.y),
    ] {
        points = clip_to_edge(&points, edge);
        if points.is_empty() {
            return None;
        }
    }
    (points.len() >= 3).then(|| LineString::from(points)) // from() closes the ring
}

#[derive(Clone, Copy)]
enum Edge {
    Left(f64),
    Right(f64),
    Bottom(f64),
    Top(f64),
}

impl Edge {
    fn inside(self, c: Coord<f64>) -> bool {
        match self {
            Edge::Left(x) => c.x >= x,
            Edge::Right(x) => c.x <= x,
            Edge::Bottom(y) => c.y >= y,
            Edge::Top(y) => c.y <= y,
        }
    }

    /// Where the segment a-b crosses the edge's line (a and b are on
    /// opposite sides, so the division is safe).
    fn crossing(self, a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
        match self {
            Edge::Left(x) | Edge::Right(x) => Coord {
                x,
                y: a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x),
            },
            Edge::Bottom(y) | Edge::Top(y) => Coord {
                x: a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y),
                y,
            },
        }
    }
}

fn clip_to_edge(points: &[Coord<f64>], edge: Edge) -> Vec<Coord<f64>> {
    let mut out = Vec::with_capacity(points.len() + 4);
    let Some(&last) = points.last() else {
        return out;
    };
    let mut previous = last;
    for &current in points {
        match (edge.inside(previous), edge.inside(current)) {
            (true, true) => out.push(current),
            (true, false) => out.push(edge.crossing(previous, current)),
            (false, true) => {
                out.push(edge.crossing(previous, current));
                out.push(current);
            }
            (false, false) => {}
        }
        previous = current;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::boundaries::Boundary;
    use geo::{coord, polygon};
    use std::path::PathBuf;

    fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x0 + size, y: y0), (x: x0 + size, y: y0 + size), (x: x0, y: y0 + size)
        ]])
    }

    fn layer(features: &[(&str, MultiPolygon<f64>)]) -> BoundaryLayer {
        BoundaryLayer {
            path: PathBuf::from("test.geojson"),
            features: features
                .iter()
                .map(|(code, geometry)| Boundary {
                    code: code.to_string(),
                    name: code.to_string(),
                    geometry: geometry.clone(),
                })
                .collect(),
            repairs: Vec::new(),
            excluded: Vec::new(),
        }
    }

    #[test]
    fn a_concave_ring_clips_to_its_exact_area() {
        // A U shape whose arms leave the window: the clipped ring runs along
        // the window's top edge between the arms, with zero width.
        let u = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 3.0), (x: 2.0, y: 3.0),
            (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 3.0), (x: 0.0, y: 3.0)
        ]]);
        let window = Rect::new(coord! { x: -1.0, y: -1.0 }, coord! { x: 4.0, y: 2.0 });
        let clipped = clip(&u, window);
        let exact = u.intersection(&window.to_polygon()).unsigned_area();
        assert!((clipped.unsigned_area() - exact).abs() < 1e-12);
        assert!((clipped.unsigned_area() - 5.0).abs() < 1e-12);
        // And the clipped piece overlays exactly.
        let probe = square(0.5, 0.5, 2.0);
        let via_clip = clipped.intersection(&probe).unsigned_area();
        let direct = u.intersection(&probe).unsigned_area();
        assert!((via_clip - direct).abs() < 1e-9, "{via_clip} vs {direct}");
    }

    #[test]
    fn holes_are_clipped_with_their_polygon() {
        let with_hole = MultiPolygon(vec![Polygon::new(
            square(0.0, 0.0, 10.0).0[0].exterior().clone(),
            vec![square(4.0, 4.0, 2.0).0[0].exterior().clone()],
        )]);
        let window = Rect::new(coord! { x: 5.0, y: 0.0 }, coord! { x: 10.0, y: 10.0 });
        assert!((clip(&with_hole, window).unsigned_area() - 48.0).abs() < 1e-12);
    }

    #[test]
    fn weights_are_exact_overlap_shares() {
        // Two targets tile [0,4]x[0,2]; source A straddles them, B is inside
        // the right one, C is half outside both.
        let targets = layer(&[("T1", square(0.0, 0.0, 2.0)), ("T2", square(2.0, 0.0, 2.0))]);
        let sources = layer(&[
            ("A", square(1.0, 0.5, 1.0).union(&square(2.0, 0.5, 1.0))),
            ("B", square(2.5, 0.5, 1.0)),
            ("C", square(3.5, 1.0, 1.0)),
        ]);
        let cw = crosswalk(&sources, &targets);
        let weights: Vec<(&str, &str, f64)> = cw
            .links
            .iter()
            .map(|l| (l.source.as_str(), l.target.as_str(), l.weight))
            .collect();
        assert_eq!(weights.len(), 4, "{weights:?}");
        for ((s, t, w), expected) in weights.iter().zip([("A", "T1", 0.5), ("A", "T2", 0.5), ("B", "T2", 1.0), ("C", "T2", 0.25)]) {
            assert_eq!((*s, *t), (expected.0, expected.1));
            assert!((w - expected.2).abs() < 1e-12, "{s}->{t}: {w}");
        }
        assert!((cw.placed_shares()["C"] - 0.25).abs() < 1e-12);
    }
}

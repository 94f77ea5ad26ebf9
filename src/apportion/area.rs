//! Area-weighted crosswalks: the exact area shared by each pair of polygons,
//! in British National Grid.
//!
//! The weight of source → target is area(source ∩ target) / area(source),
//! the quantity tobler's `area_interpolate` uses (with `allocate_total=False`:
//! area outside every target stays unplaced and is reported, rather than
//! being spread over the targets that are there).
//!
//! Speed comes from doing as little geometry as possible:
//!
//! 1. An R-tree of target bounding boxes gives each source its candidates.
//! 2. Only the window where the two bounding boxes meet matters, since the
//!    intersection lies inside it.
//! 3. If no edge of the target's boundary enters the window (an R-tree of
//!    the target's edges says so), the window is wholly inside or wholly
//!    outside the target, and counting the edges a ray crosses tells which:
//!    the shared area is then the source's, or nothing. This is every source
//!    that lies inside one target of a coverage, which is most of them.
//! 4. Only where the boundary does cross the window are both polygons
//!    clipped to it (Sutherland–Hodgman against a rectangle: linear time; a
//!    county-sized target becomes a few dozen vertices) and their shared
//!    area computed, by exact slab integration ([`super::overlap`]), which
//!    agrees with geo's BooleanOps and is an order of magnitude faster,
//!    because it never builds the intersection polygon.
//!
//! Polygon-polygon `Intersects`/`Contains` are never used as a pre-filter:
//! on England-sized boundaries they cost more than the overlay they would save.

use super::overlap::{Boxes, clip, intersect_rects, intersection_area};
use super::{Crosswalk, Link};
use crate::geography::boundaries::{Boundary, BoundaryLayer};
use crate::geography::rings_of;
use geo::{Area, BoundingRect, Coord, MultiPolygon, Rect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Line, Rectangle};
use rstar::{AABB, RTree, RTreeObject};

/// The area-weighted crosswalk from `source` to `target`. Both layers come
/// from `read_layer` (British National Grid, valid, repaired where needed);
/// their repairs and exclusions are carried into the crosswalk's notes.
pub fn crosswalk(source: &BoundaryLayer, target: &BoundaryLayer) -> Crosswalk {
    // Both layers in code order, so the links come out sorted.
    let targets: Vec<Target> = in_code_order(target)
        .par_iter()
        .map(|f| Target::new(f))
        .collect();
    let index = RTree::bulk_load(
        targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| Some(GeomWithData::new(rectangle(t.feature.bbox?), i)))
            .collect(),
    );
    let sources: Vec<Prepared> = in_code_order(source)
        .par_iter()
        .map(|f| Prepared::new(f))
        .collect();
    // Each source's links are independent; rayon's collect keeps source
    // order and each pair's arithmetic is the same on any thread, so the
    // result does not depend on scheduling.
    let links = (sources.par_iter().enumerate())
        .flat_map_iter(|(i, s)| links(i, s, &targets, &index))
        .collect();

    let mut crosswalk = Crosswalk {
        measure: "area".to_string(),
        sources: sources
            .iter()
            .map(|s| (s.code.to_string(), s.area))
            .collect(),
        targets: targets
            .iter()
            .map(|t| (t.feature.code.to_string(), t.feature.area))
            .collect(),
        links,
        unusable: source
            .excluded
            .iter()
            .map(|e| (e.code.clone(), e.reason.clone()))
            .collect(),
        notes: layer_notes("source", source),
    };
    crosswalk.notes.extend(layer_notes("target", target));
    crosswalk
}

fn in_code_order(layer: &BoundaryLayer) -> Vec<&Boundary> {
    let mut features: Vec<&Boundary> = layer.features.iter().collect();
    features.sort_unstable_by(|a, b| a.code.cmp(&b.code));
    features
}

/// What `read_layer` repaired or left out of a layer, one line each.
fn layer_notes(role: &str, layer: &BoundaryLayer) -> Vec<String> {
    let file = layer.path.display();
    let repairs = layer
        .repairs
        .iter()
        .map(|r| format!("{role} {} in {file}: {}", r.code, r.what));
    let excluded = layer
        .excluded
        .iter()
        .map(|e| format!("{role} {} in {file} left out: {}", e.code, e.reason));
    repairs.chain(excluded).collect()
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

/// A target, with an R-tree of its boundary's edges: most windows (a
/// source's box within a county-sized target) are not entered by the
/// boundary at all, and the tree says so without clipping anything.
struct Target<'a> {
    feature: Prepared<'a>,
    edges: RTree<Line<[f64; 2]>>,
    /// For clipping it to the windows its boundary enters.
    boxes: Boxes,
}

impl<'a> Target<'a> {
    fn new(feature: &'a Boundary) -> Target<'a> {
        let edges = feature
            .geometry
            .iter()
            .flat_map(rings_of)
            .flat_map(|ring| ring.lines())
            .map(|l| Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]))
            .collect();
        Target {
            feature: Prepared::new(feature),
            edges: RTree::bulk_load(edges),
            boxes: Boxes::new(&feature.geometry),
        }
    }

    /// Whether the boundary enters the window (or touches it).
    fn boundary_meets(&self, window: Rect<f64>) -> bool {
        let envelope = AABB::from_corners(
            [window.min().x, window.min().y],
            [window.max().x, window.max().y],
        );
        self.edges
            .locate_in_envelope_intersecting(&envelope)
            .any(|e| segment_meets(e.from, e.to, window))
    }

    /// Whether a point off the boundary is inside: the number of edges a
    /// ray from it to the east crosses is odd.
    fn holds(&self, p: Coord<f64>) -> bool {
        let Some(bbox) = self.feature.bbox else {
            return false;
        };
        let ray = AABB::from_corners([p.x, p.y], [bbox.max().x.max(p.x), p.y]);
        let crossings = self
            .edges
            .locate_in_envelope_intersecting(&ray)
            .filter(|e| {
                let ([ax, ay], [bx, by]) = (e.from, e.to);
                (ay > p.y) != (by > p.y) && ax + (p.y - ay) * (bx - ax) / (by - ay) > p.x
            })
            .count();
        crossings % 2 == 1
    }
}

/// Whether the segment a-b meets the rectangle (Liang–Barsky: the segment's
/// parameter range inside each of the four half-planes must overlap).
fn segment_meets(a: [f64; 2], b: [f64; 2], r: Rect<f64>) -> bool {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let (mut enter, mut leave) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-dx, a[0] - r.min().x),
        (dx, r.max().x - a[0]),
        (-dy, a[1] - r.min().y),
        (dy, r.max().y - a[1]),
    ] {
        if p == 0.0 {
            // Parallel to this side: inside its half-plane or never.
            if q < 0.0 {
                return false;
            }
        } else if p < 0.0 {
            enter = enter.max(q / p);
        } else {
            leave = leave.min(q / p);
        }
    }
    enter <= leave
}

fn rectangle(r: Rect<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y])
}

/// The links of a source (at `position` in code order) to the targets it
/// shares area with, in target order.
fn links(
    position: usize,
    source: &Prepared,
    targets: &[Target],
    index: &RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
) -> Vec<Link> {
    let Some(bbox) = source.bbox else {
        return Vec::new();
    };
    let mut candidates: Vec<usize> = index
        .locate_in_envelope_intersecting(&rectangle(bbox).envelope())
        .map(|c| c.data)
        .collect();
    candidates.sort_unstable();
    candidates
        .into_iter()
        .filter_map(|t| {
            let shared = shared_area(source, &targets[t]);
            (shared > 0.0).then(|| Link {
                source: position,
                target: t,
                shared,
                weight: shared / source.area,
            })
        })
        .collect()
}

/// area(source ∩ target), from only what lies where their bounding boxes meet.
fn shared_area(source: &Prepared, target: &Target) -> f64 {
    let (Some(s_box), Some(t_box)) = (source.bbox, target.feature.bbox) else {
        return 0.0;
    };
    let Some(window) = intersect_rects(s_box, t_box) else {
        return 0.0;
    };
    if window.width() * window.height() <= 0.0 {
        return 0.0;
    }
    // The source is usually the smaller; when its box is the window it
    // needs no clipping and its area is already known.
    let (s_clip, s_area) = if window == s_box {
        (None, source.area)
    } else {
        let clipped = clip(source.geometry, None, window);
        let area = clipped.unsigned_area();
        (Some(clipped), area)
    };
    if s_area <= 0.0 {
        return 0.0;
    }
    if !target.boundary_meets(window) {
        // The window lies wholly inside the target or wholly outside it.
        return if target.holds(window.center()) {
            s_area
        } else {
            0.0
        };
    }
    let t_clip = clip(target.feature.geometry, Some(&target.boxes), window);
    let shared = intersection_area(s_clip.as_ref().unwrap_or(source.geometry), &t_clip);
    // Rounding can exceed the source's area by a hair.
    shared.min(s_area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::boundaries::Boundary;
    use crate::geography::read::Crs;
    use geo::{BooleanOps, polygon};
    use std::path::PathBuf;

    fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x0 + size, y: y0), (x: x0 + size, y: y0 + size), (x: x0, y: y0 + size)
        ]])
    }

    fn layer(features: &[(&str, MultiPolygon<f64>)]) -> BoundaryLayer {
        BoundaryLayer {
            path: PathBuf::from("test.geojson"),
            sha256: None,
            source_crs: Crs::Bng,
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
            .map(|l| {
                (
                    cw.sources.code(l.source),
                    cw.targets.code(l.target),
                    l.weight,
                )
            })
            .collect();
        assert_eq!(weights.len(), 4, "{weights:?}");
        for ((s, t, w), expected) in weights.iter().zip([
            ("A", "T1", 0.5),
            ("A", "T2", 0.5),
            ("B", "T2", 1.0),
            ("C", "T2", 0.5),
        ]) {
            assert_eq!((*s, *t), (expected.0, expected.1));
            assert!((w - expected.2).abs() < 1e-12, "{s}->{t}: {w}");
        }
        assert!((cw.placed_shares()["C"] - 0.5).abs() < 1e-12);
    }
}

//! Area-weighted crosswalks: exact polygon overlay in British National Grid.
//!
//! The weight of source → target is area(source ∩ target) / area(source),
//! the quantity tobler's `area_interpolate` uses (with `allocate_total=False`:
//! area outside every target stays unplaced and is reported, rather than
//! being spread over the targets that are there).
//!
//! Speed comes from doing as little geometry as possible:
//!
//! 1. An R-tree of target bounding boxes gives each source its candidates.
//! 2. Both polygons are clipped to the intersection of their bounding boxes
//!    (Sutherland–Hodgman against a rectangle: linear time), since their
//!    intersection lies inside it. Clipped, a county-sized target is a few
//!    dozen vertices instead of thousands.
//! 3. If either clipped polygon fills the whole window, the shared area is
//!    simply the other one's: this is every source that lies inside one
//!    target of a coverage, which is most of them.
//! 4. Only the rest have their shared area computed, by exact slab
//!    integration of the clipped pieces ([`super::overlap`]), which agrees
//!    with geo's BooleanOps and is an order of magnitude faster, because it
//!    never builds the intersection polygon.
//!
//! Polygon-polygon `Intersects`/`Contains` are never used as a pre-filter:
//! on England-sized boundaries they cost more than the overlay they would save.

use super::Crosswalk;
use super::overlap::{clip, intersect_rects, intersection_area};
use crate::geography::boundaries::{Boundary, BoundaryLayer};
use geo::{Area, BoundingRect, MultiPolygon, Rect};
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
    crosswalk.notes = layer_notes("source", source);
    crosswalk.notes.extend(layer_notes("target", target));
    crosswalk
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

/// area(source ∩ target), from only what lies where their bounding boxes meet.
fn shared_area(source: &Prepared, target: &Prepared) -> f64 {
    let (Some(s_box), Some(t_box)) = (source.bbox, target.bbox) else {
        return 0.0;
    };
    let Some(window) = intersect_rects(s_box, t_box) else {
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
    let shared = intersection_area(s_clip.as_ref().unwrap_or(source.geometry), &t_clip);
    // Rounding can exceed either operand by a hair.
    shared.min(s_area).min(t_area)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::boundaries::Boundary;
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
            .map(|l| (l.source.as_str(), l.target.as_str(), l.weight))
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

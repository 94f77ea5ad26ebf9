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
//! 3. If no edge of the target's boundary enters the window (the target's
//!    edges, kept in horizontal bands, say so), the window is wholly inside or wholly
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
use geo::{Area, BoundingRect, Coord, Line, MultiPolygon, Rect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject};

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

/// A target, with its boundary's edges in bands: most windows (a
/// source's box within a county-sized target) are not entered by the
/// boundary at all, and the bands say so without clipping anything.
struct Target<'a> {
    feature: Prepared<'a>,
    edges: Bands,
    /// For clipping it to the windows its boundary enters.
    boxes: Boxes,
}

impl<'a> Target<'a> {
    fn new(feature: &'a Boundary) -> Target<'a> {
        let prepared = Prepared::new(feature);
        let edges = feature
            .geometry
            .iter()
            .flat_map(rings_of)
            .flat_map(|ring| ring.lines())
            .collect();
        Target {
            edges: Bands::new(edges, prepared.bbox),
            feature: prepared,
            boxes: Boxes::new(&feature.geometry),
        }
    }

    /// Whether the boundary enters the window (or touches it).
    fn boundary_meets(&self, window: Rect<f64>) -> bool {
        (self.edges.reaching(window.min().y, window.max().y)).any(|e| {
            intersect_rects(e.bounding_rect(), window).is_some() && segment_meets(e, window)
        })
    }

    /// Whether a point off the boundary is inside: the number of edges a
    /// ray from it to the east crosses is odd. (An edge that ends west of
    /// the point is passed over even if rounding puts its crossing a hair
    /// east.)
    fn holds(&self, p: Coord<f64>) -> bool {
        let crossings = (self.edges.reaching(p.y, p.y))
            .filter(|e| {
                let (Coord { x: ax, y: ay }, Coord { x: bx, y: by }) = (e.start, e.end);
                (ay > p.y) != (by > p.y)
                    && ax.max(bx) >= p.x
                    && ax + (p.y - ay) * (bx - ax) / (by - ay) > p.x
            })
            .count();
        crossings % 2 == 1
    }
}

/// A boundary's edges sorted into horizontal bands of equal height, each
/// edge into every band its heights reach, so that the edges reaching a
/// height are among those of one band. A point's band answers `holds` with
/// a few edges, where a tree of edge boxes walked a node path for a ray.
struct Bands {
    bottom: f64,
    height: f64,
    /// Band b's edges are `edges[starts[b]..starts[b + 1]]`.
    starts: Vec<usize>,
    edges: Vec<Line<f64>>,
}

/// About this many edges to a band, before those that span several.
const EDGES_PER_BAND: usize = 4;

/// At most this many copies of each edge, on average, across the bands.
const MOST_COPIES_PER_EDGE: usize = 8;

impl Bands {
    fn new(lines: Vec<Line<f64>>, bbox: Option<Rect<f64>>) -> Bands {
        let (bottom, span) = bbox.map_or((0.0, 0.0), |b| (b.min().y, b.height()));
        let mut count = (lines.len() / EDGES_PER_BAND).clamp(1, 1 << 16);
        // An edge is copied into every band it reaches: a boundary of many
        // tall edges (a comb) gets fewer, taller bands rather than filling
        // memory with copies.
        let mut bands = loop {
            let bands = Bands {
                bottom,
                height: span / count as f64,
                starts: vec![0; count + 1],
                edges: Vec::new(),
            };
            let copies = (lines.iter().map(|l| bands.spanned(l)))
                .map(|reached| reached.end() - reached.start() + 1)
                .sum::<usize>();
            if copies <= MOST_COPIES_PER_EDGE * lines.len() || count == 1 {
                break bands;
            }
            count /= 2;
        };
        for line in &lines {
            for band in bands.spanned(line) {
                bands.starts[band + 1] += 1;
            }
        }
        for band in 0..count {
            bands.starts[band + 1] += bands.starts[band];
        }
        let mut next = bands.starts.clone();
        bands.edges = vec![Line::new(Coord::zero(), Coord::zero()); bands.starts[count]];
        for line in lines {
            for band in bands.spanned(&line) {
                bands.edges[next[band]] = line;
                next[band] += 1;
            }
        }
        bands
    }

    /// The band of height `y`, clamped to the first and last; it never
    /// decreases as `y` grows, so an edge reaching `y` is in `y`'s band.
    /// (Were the height zero, the cast would take NaN to 0 and infinity to
    /// the last band.)
    fn band(&self, y: f64) -> usize {
        let band = ((y - self.bottom) / self.height) as usize;
        band.min(self.starts.len() - 2)
    }

    fn spanned(&self, line: &Line<f64>) -> std::ops::RangeInclusive<usize> {
        let (low, high) = (line.start.y.min(line.end.y), line.start.y.max(line.end.y));
        self.band(low)..=self.band(high)
    }

    /// The edges in the bands from height `low` to `high`: every edge that
    /// reaches a height between them, some of them more than once.
    fn reaching(&self, low: f64, high: f64) -> impl Iterator<Item = &Line<f64>> {
        let (first, last) = (self.band(low), self.band(high));
        self.edges[self.starts[first]..self.starts[last + 1]].iter()
    }
}

/// Whether the segment meets the rectangle (Liang–Barsky: the segment's
/// parameter range inside each of the four half-planes must overlap).
fn segment_meets(line: &Line<f64>, r: Rect<f64>) -> bool {
    let (a, b) = ([line.start.x, line.start.y], [line.end.x, line.end.y]);
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
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    use geo::{BooleanOps, coord, polygon};
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

    /// The bands answer as every edge answers, and as geo's point in
    /// polygon: every CCG of April 2021 (4 to 455 points an outer ring),
    /// with points and windows of three sizes at and around its corners.
    #[test]
    fn bands_answer_as_all_the_edges_do() {
        let layer = super::super::ccgs_2021();
        let (mut inside, mut met) = (0, 0);
        for feature in &layer.features {
            let target = Target::new(feature);
            let all: Vec<Line<f64>> = (feature.geometry.iter().flat_map(rings_of))
                .flat_map(|ring| ring.lines())
                .collect();
            let corners = feature.geometry.iter().flat_map(|p| &p.exterior().0);
            for (i, &at) in corners.enumerate() {
                let half = [30.0, 700.0, 9_000.0][i % 3];
                let p = coord! { x: at.x + 0.61 * half, y: at.y - 0.29 * half };
                let window = Rect::new(
                    p - coord! { x: half, y: half },
                    p + coord! { x: half, y: half },
                );
                let meets = all.iter().any(|e| {
                    intersect_rects(e.bounding_rect(), window).is_some() && segment_meets(e, window)
                });
                assert_eq!(target.boundary_meets(window), meets, "{}", feature.code);
                met += usize::from(meets);
                let position = feature.geometry.coordinate_position(&p);
                if position != CoordPos::OnBoundary {
                    let holds = position == CoordPos::Inside;
                    assert_eq!(target.holds(p), holds, "{} {p:?}", feature.code);
                    inside += usize::from(holds);
                }
            }
        }
        // Both answers come out both ways, many times.
        assert!(inside > 2_000 && met > 2_000, "{inside} inside, {met} met");
    }

    /// A comb of 4,000 edges, each nearly as tall as the whole: every edge would
    /// be in every band, so there are fewer bands, and the answers hold.
    #[test]
    fn a_comb_of_tall_edges_gets_few_bands() {
        let mut ring: Vec<Coord<f64>> = (0..2_000)
            .flat_map(|i| [(i as f64, 0.0), (i as f64 + 0.5, 1_000.0)])
            .map(|(x, y)| coord! { x: x, y: y })
            .collect();
        ring.extend([coord! { x: 2_000.0, y: -10.0 }, coord! { x: 0.0, y: -10.0 }]);
        let comb = Boundary {
            code: "C".to_string(),
            name: "comb".to_string(),
            geometry: MultiPolygon(vec![geo::Polygon::new(ring.into(), vec![])]),
        };
        let target = Target::new(&comb);
        let edges = comb.geometry.0[0].exterior().lines().count();
        assert!(target.edges.edges.len() <= MOST_COPIES_PER_EDGE * edges);
        assert!(target.edges.starts.len() > 2, "still more than one band");
        for (x, y) in [
            (0.2, 5.0),
            (0.3, 900.0),
            (0.7, 5.0),
            (1_000.2, 400.0),
            (5.0, -5.0),
        ] {
            let p = coord! { x: x, y: y };
            let inside = comb.geometry.coordinate_position(&p) == CoordPos::Inside;
            assert_eq!(target.holds(p), inside, "{p:?}");
        }
    }
}

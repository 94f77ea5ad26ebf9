//! The area two polygons share, exactly, without building their intersection.
//!
//! An area-weighted crosswalk needs area(source ∩ target) and nothing else.
//! geo's BooleanOps builds the intersection polygon and costs about 55 µs a
//! pair here even on clipped pieces, which on LSOA → CCG (13,000 pairs that
//! cross a boundary) is as slow as tobler's whole run. Integrating the
//! overlap of the two cross-sections slab by slab gives the same area in a
//! few microseconds, and has no special cases to get wrong: shared edges,
//! touching corners, holes and the zero-width spikes rectangle clipping
//! leaves all fall out of the arithmetic. The tests check it against
//! BooleanOps.
//!
//! Horizontal lines through every vertex of either polygon cut the plane
//! into slabs. Inside a slab no edge starts or ends, so each polygon's
//! cross-section is a fixed set of intervals whose ends move linearly with
//! y (pairs of edges, by the even-odd rule). The overlap of two such
//! intervals is a piecewise-linear function of y, with kinks only where
//! their left ends or their right ends cross, or where it reaches zero, so
//! it integrates exactly piece by piece.

use crate::geography::rings_of;
use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect};

/// The intersection of two rectangles, if they meet.
pub fn intersect_rects(a: Rect<f64>, b: Rect<f64>) -> Option<Rect<f64>> {
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

/// The part of a (valid) multipolygon inside a rectangle, by
/// Sutherland–Hodgman, ring by ring. A clipped concave ring may run along
/// the window's edge and back (a zero-width spike); that changes neither its
/// area nor any overlap with it, by the even-odd rule. `boxes` are the
/// geometry's [`Boxes`] where it is clipped to many windows, else None.
pub fn clip(
    geometry: &MultiPolygon<f64>,
    boxes: Option<&Boxes>,
    window: Rect<f64>,
) -> MultiPolygon<f64> {
    let boxes_of = |part: usize| boxes.map(|b| b.0[part].as_slice());
    (geometry.iter().enumerate())
        .filter_map(|(part, polygon)| {
            let ring_boxes = |ring: usize| boxes_of(part).map(|rings| &rings[ring]);
            let exterior = clip_ring(polygon.exterior(), ring_boxes(0), window)?;
            let holes = (polygon.interiors().iter().enumerate())
                .filter_map(|(h, ring)| clip_ring(ring, ring_boxes(h + 1), window))
                .collect();
            Some(Polygon::new(exterior, holes))
        })
        .collect()
}

/// Points in a run of [`Boxes`].
const RUN: usize = 8;

/// The bounding box of each ring of a multipolygon, and of each run of
/// [`RUN`] points along it, for a geometry clipped to many windows (a
/// target, once for each source across its boundary): a small window then
/// costs a look at each run of a county-sized ring rather than at each
/// point. Polygon by polygon, ring by ring (outer ring first).
pub struct Boxes(Vec<Vec<RingBoxes>>);

struct RingBoxes {
    ring: Option<Rect<f64>>,
    runs: Vec<Rect<f64>>,
}

impl Boxes {
    pub fn new(geometry: &MultiPolygon<f64>) -> Boxes {
        let rings = |p| rings_of(p).map(RingBoxes::new).collect();
        Boxes(geometry.iter().map(rings).collect())
    }
}

impl RingBoxes {
    fn new(ring: &LineString<f64>) -> RingBoxes {
        let bounds = |run: &[Coord<f64>]| {
            let first = Rect::new(run[0], run[0]);
            (run.iter()).fold(first, |b, &c| {
                Rect::new(
                    Coord {
                        x: b.min().x.min(c.x),
                        y: b.min().y.min(c.y),
                    },
                    Coord {
                        x: b.max().x.max(c.x),
                        y: b.max().y.max(c.y),
                    },
                )
            })
        };
        RingBoxes {
            ring: ring.bounding_rect(),
            runs: open(ring).chunks(RUN).map(bounds).collect(),
        }
    }
}

/// A ring's points without the closing repeat of the first.
fn open(ring: &LineString<f64>) -> &[Coord<f64>] {
    &ring.0[..ring.0.len().saturating_sub(1)]
}

/// A ring clipped to a rectangle, or None if nothing of it is left.
fn clip_ring(
    ring: &LineString<f64>,
    boxes: Option<&RingBoxes>,
    window: Rect<f64>,
) -> Option<LineString<f64>> {
    let (bbox, runs) = match boxes {
        Some(boxes) => (boxes.ring?, boxes.runs.as_slice()),
        None => (ring.bounding_rect()?, &[][..]),
    };
    match intersect_rects(bbox, window) {
        None => return None,
        Some(inside) if inside == bbox => return Some(ring.clone()),
        Some(_) => {}
    }
    let (min, max) = (window.min(), window.max());
    let mut points = far_corners_dropped(open(ring), runs, window);
    for side in [
        Side::Left(min.x),
        Side::Right(max.x),
        Side::Bottom(min.y),
        Side::Top(max.y),
    ] {
        points = clip_to_side(&points, side);
        if points.is_empty() {
            return None;
        }
    }
    (points.len() >= 3).then(|| LineString::from(points)) // from() closes the ring
}

/// The ring's points without those that, with the points before and after
/// them, lie beyond one side of the window. Dropping such a point cuts off a
/// triangle beyond that side, so nothing inside the window changes; on a
/// county boundary and a small window it leaves a few dozen points of
/// hundreds for Sutherland–Hodgman's four passes. `runs` are the boxes of
/// the points' runs (see [`Boxes`]), or empty: a run beyond a side that the
/// point kept last is beyond too loses every point but its last, which is
/// what the rule gives point by point, without looking at them.
fn far_corners_dropped(
    points: &[Coord<f64>],
    runs: &[Rect<f64>],
    window: Rect<f64>,
) -> Vec<Coord<f64>> {
    // The sides of the window a box lies wholly beyond, one bit each; a
    // point is a box too.
    let beyond_box = |r: &Rect<f64>| -> u8 {
        u8::from(r.max().x < window.min().x)
            | u8::from(r.min().x > window.max().x) << 1
            | u8::from(r.max().y < window.min().y) << 2
            | u8::from(r.min().y > window.max().y) << 3
    };
    let beyond = |c: &Coord<f64>| beyond_box(&Rect::new(*c, *c));
    let mut kept: Vec<Coord<f64>> = Vec::with_capacity(points.len());
    let mut i = 0;
    while i < points.len() {
        let run = runs.get(i / RUN).filter(|_| i % RUN == 0);
        if let (Some(run), Some(previous)) = (run, kept.last())
            && beyond(previous) & beyond_box(run) != 0
        {
            i = (i + RUN).min(points.len()) - 1;
        }
        let point = points[i];
        match (kept.last(), points.get(i + 1)) {
            // The first and last points stay.
            (Some(previous), Some(next))
                if beyond(previous) & beyond(&point) & beyond(next) != 0 => {}
            _ => kept.push(point),
        }
        i += 1;
    }
    kept
}

/// One side of the window, and the half-plane it keeps.
#[derive(Clone, Copy)]
enum Side {
    Left(f64),
    Right(f64),
    Bottom(f64),
    Top(f64),
}

impl Side {
    fn keeps(self, c: Coord<f64>) -> bool {
        match self {
            Side::Left(x) => c.x >= x,
            Side::Right(x) => c.x <= x,
            Side::Bottom(y) => c.y >= y,
            Side::Top(y) => c.y <= y,
        }
    }

    /// Where the segment a-b crosses the side's line (a and b are on
    /// opposite sides of it, so the division is safe).
    fn crossing(self, a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
        match self {
            Side::Left(x) | Side::Right(x) => Coord {
                x,
                y: a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x),
            },
            Side::Bottom(y) | Side::Top(y) => Coord {
                x: a.x + (b.x - a.x) * (y - a.y) / (b.y - a.y),
                y,
            },
        }
    }
}

fn clip_to_side(points: &[Coord<f64>], side: Side) -> Vec<Coord<f64>> {
    let mut out = Vec::with_capacity(points.len() + 4);
    let Some(&last) = points.last() else {
        return out;
    };
    let mut previous = last;
    for &current in points {
        match (side.keeps(previous), side.keeps(current)) {
            (true, true) => out.push(current),
            (true, false) => out.push(side.crossing(previous, current)),
            (false, true) => {
                out.push(side.crossing(previous, current));
                out.push(current);
            }
            (false, false) => {}
        }
        previous = current;
    }
    out
}

/// area(a ∩ b) for multipolygons that are valid, or valid but for the
/// zero-width spikes of [`clip`]: both are read by the even-odd rule.
pub fn intersection_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    let (a, b) = (edges(a), edges(b));
    let (Some(a_span), Some(b_span)) = (span(&a), span(&b)) else {
        return 0.0;
    };
    let (low, high) = (a_span.0.max(b_span.0), a_span.1.min(b_span.1));
    let mut cuts: Vec<f64> = a
        .iter()
        .chain(&b)
        .flat_map(|e| [e.y0, e.y1])
        .filter(|y| (low..=high).contains(y))
        .collect();
    cuts.sort_unstable_by(f64::total_cmp);
    cuts.dedup();
    let (mut a, mut b) = (Sweep::new(a), Sweep::new(b));
    let (mut a_intervals, mut b_intervals) = (Vec::new(), Vec::new());
    let mut total = 0.0;
    for slab in cuts.windows(2) {
        let (y0, y1) = (slab[0], slab[1]);
        a.intervals(y0, y1, &mut a_intervals);
        b.intervals(y0, y1, &mut b_intervals);
        for i in &a_intervals {
            for j in &b_intervals {
                total += overlap(i, j, y0, y1);
            }
        }
    }
    total
}

/// A non-horizontal edge, lower end first.
#[derive(Clone, Copy, Debug)]
struct Edge {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Edge {
    /// x where the edge is at height y (y within its span).
    fn x(&self, y: f64) -> f64 {
        let t = ((y - self.y0) / (self.y1 - self.y0)).clamp(0.0, 1.0);
        self.x0 + t * (self.x1 - self.x0)
    }
}

/// Every non-horizontal edge of every ring (horizontal edges bound no slab).
fn edges(geometry: &MultiPolygon<f64>) -> Vec<Edge> {
    geometry
        .iter()
        .flat_map(rings_of)
        .flat_map(|ring| ring.lines())
        .filter(|line| line.start.y != line.end.y)
        .map(|line| {
            let (lo, hi) = if line.start.y < line.end.y {
                (line.start, line.end)
            } else {
                (line.end, line.start)
            };
            Edge {
                x0: lo.x,
                y0: lo.y,
                x1: hi.x,
                y1: hi.y,
            }
        })
        .collect()
}

fn span(edges: &[Edge]) -> Option<(f64, f64)> {
    let low = edges.iter().map(|e| e.y0).min_by(f64::total_cmp)?;
    let high = edges.iter().map(|e| e.y1).max_by(f64::total_cmp)?;
    Some((low, high))
}

/// One polygon's edges, swept upwards slab by slab.
struct Sweep {
    /// Sorted by lower end.
    edges: Vec<Edge>,
    next: usize,
    active: Vec<Edge>,
    /// The active edges with their x in the middle of the slab, for sorting.
    across: Vec<(f64, Edge)>,
}

impl Sweep {
    fn new(mut edges: Vec<Edge>) -> Sweep {
        edges.sort_unstable_by(|a, b| a.y0.total_cmp(&b.y0));
        Sweep {
            edges,
            next: 0,
            active: Vec::new(),
            across: Vec::new(),
        }
    }

    /// The cross-section within the slab y0..y1 (slabs come in increasing
    /// order), as (left, right) pairs of edges, into `out`. Every edge end
    /// is a cut, so an edge that reaches into the slab spans all of it.
    fn intervals(&mut self, y0: f64, y1: f64, out: &mut Vec<(End, End)>) {
        while let Some(edge) = self.edges.get(self.next).filter(|e| e.y0 <= y0) {
            self.active.push(*edge);
            self.next += 1;
        }
        self.active.retain(|e| e.y1 > y0);
        let middle = 0.5 * (y0 + y1);
        self.across.clear();
        self.across
            .extend(self.active.iter().map(|e| (e.x(middle), *e)));
        self.across.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let end = |edge: Edge| End {
            edge,
            low: edge.x(y0),
            high: edge.x(y1),
        };
        out.clear();
        out.extend(
            self.across
                .chunks_exact(2)
                .map(|pair| (end(pair[0].1), end(pair[1].1))),
        );
    }
}

/// An end of an interval in a slab: its edge, and the edge's x at the
/// slab's bottom and top, which every pair of intervals it is in needs.
#[derive(Clone, Copy)]
struct End {
    edge: Edge,
    low: f64,
    high: f64,
}

impl End {
    /// The edge's x at height y, taken from `low` or `high` where y is
    /// the slab's bottom or top (the same bits it would compute).
    fn x(&self, y: f64, (y0, y1): (f64, f64)) -> f64 {
        match y.to_bits() {
            bits if bits == y0.to_bits() => self.low,
            bits if bits == y1.to_bits() => self.high,
            _ => self.edge.x(y),
        }
    }
}

/// The integral over y0..y1 of the length two intervals share.
fn overlap(a: &(End, End), b: &(End, End), y0: f64, y1: f64) -> f64 {
    let x = |end: &End, y: f64| end.x(y, (y0, y1));
    let shared = |y: f64| x(&a.1, y).min(x(&b.1, y)) - x(&a.0, y).max(x(&b.0, y));
    // The shared length is linear between the heights where the right ends
    // or the left ends cross.
    let mut cuts = [y0, y1, y1, y1];
    let mut n = 2;
    for (p, q) in [(a.1, b.1), (a.0, b.0)] {
        if let Some(y) = crossing(p, q, y0, y1) {
            cuts[n] = y;
            n += 1;
        }
    }
    let cuts = &mut cuts[..n];
    insertion_sort(cuts);
    // Each height's shared length once, for the piece below it and above.
    let mut lengths = [0.0; 4];
    for (length, &y) in lengths.iter_mut().zip(cuts.iter()) {
        *length = shared(y);
    }
    (0..n - 1)
        .map(|i| positive_part(lengths[i], lengths[i + 1], cuts[i + 1] - cuts[i]))
        .sum()
}

/// Two to four heights in order. Numbers sort to one order whatever the
/// method (equal ones are the same bits), and this inline sort costs less
/// than the general one on so few, most often two already in order.
fn insertion_sort(cuts: &mut [f64]) {
    for i in 1..cuts.len() {
        let mut j = i;
        while j > 0 && cuts[j - 1].total_cmp(&cuts[j]).is_gt() {
            cuts.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// The height strictly inside y0..y1 where two edges cross, if they do.
fn crossing(p: End, q: End, y0: f64, y1: f64) -> Option<f64> {
    let (d0, d1) = (p.low - q.low, p.high - q.high);
    (d0 * d1 < 0.0).then(|| y0 + (y1 - y0) * d0 / (d0 - d1))
}

/// The integral of max(0, f) over a height h where f runs linearly from f0 to f1.
fn positive_part(f0: f64, f1: f64, h: f64) -> f64 {
    match (f0 > 0.0, f1 > 0.0) {
        (true, true) => 0.5 * (f0 + f1) * h,
        (false, false) => 0.0,
        _ => {
            let top = f0.max(f1);
            0.5 * top * top / (f0 - f1).abs() * h
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, BooleanOps, Rotate, coord, polygon};

    fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x0 + size, y: y0), (x: x0 + size, y: y0 + size), (x: x0, y: y0 + size)
        ]])
    }

    /// A U shape: [0,3]x[0,3] without the notch [1,2]x[1,3].
    fn u_shape() -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 3.0, y: 0.0), (x: 3.0, y: 3.0), (x: 2.0, y: 3.0),
            (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 3.0), (x: 0.0, y: 3.0)
        ]])
    }

    fn with_hole() -> MultiPolygon<f64> {
        MultiPolygon(vec![Polygon::new(
            square(0.0, 0.0, 10.0).0[0].exterior().clone(),
            vec![square(4.0, 4.0, 2.0).0[0].exterior().clone()],
        )])
    }

    fn boolean_ops(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
        a.intersection(b).unsigned_area()
    }

    #[test]
    fn a_concave_ring_clips_to_its_exact_area() {
        // The U's arms leave the window: the clipped ring runs along the
        // window's top edge between them, with zero width.
        let window = Rect::new(coord! { x: -1.0, y: -1.0 }, coord! { x: 4.0, y: 2.0 });
        let clipped = clip(&u_shape(), None, window);
        assert!((clipped.unsigned_area() - 5.0).abs() < 1e-12);
        // The clipped piece overlaps exactly as the whole does within the
        // window, even along the edge where the spike runs.
        let probe = MultiPolygon(vec![
            Rect::new(coord! { x: 0.5, y: 0.5 }, coord! { x: 2.5, y: 2.0 }).to_polygon(),
        ]);
        assert!((intersection_area(&clipped, &probe) - 2.0).abs() < 1e-12);
        assert!((boolean_ops(&clipped, &probe) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn points_far_outside_the_window_are_dropped_without_changing_the_clip() {
        // A zigzag along the bottom, far below a small window at the top.
        let mut ring: Vec<Coord<f64>> = (0..=20)
            .map(|i| coord! { x: f64::from(i), y: if i % 2 == 0 { 0.0 } else { 1.0 } })
            .collect();
        ring.extend([coord! { x: 20.0, y: 10.0 }, coord! { x: 0.0, y: 10.0 }]);
        let window = Rect::new(coord! { x: 5.0, y: 8.0 }, coord! { x: 7.0, y: 12.0 });
        let kept = far_corners_dropped(&ring, &[], window);
        assert_eq!(kept.len(), 4, "{kept:?}");
        let polygon = MultiPolygon(vec![Polygon::new(LineString::from(ring), vec![])]);
        assert!((clip(&polygon, None, window).unsigned_area() - 4.0).abs() < 1e-12);
    }

    /// Passing over runs drops exactly the points the point-by-point rule
    /// drops: every CCG of April 2021 (generalised: 4 to 455 points an
    /// outer ring, 42 the median) clipped to windows of three sizes around
    /// its own boundary.
    #[test]
    fn runs_beyond_a_side_drop_what_the_points_would() {
        let layer = super::super::ccgs_2021();
        let mut skipped = 0;
        for feature in &layer.features {
            let boxes = Boxes::new(&feature.geometry);
            let points = feature.geometry.iter().flat_map(|p| &p.exterior().0);
            for (i, &at) in points.enumerate().filter(|(i, _)| i % 5 == 0) {
                let half = [300.0, 3_000.0, 30_000.0][i % 3];
                let corner = |d: f64| coord! { x: at.x + d + 0.37 * half, y: at.y + d };
                let window = Rect::new(corner(-half), corner(half));
                let by_runs = clip(&feature.geometry, Some(&boxes), window);
                assert_eq!(
                    by_runs,
                    clip(&feature.geometry, None, window),
                    "{}",
                    feature.code
                );
                let ring = feature.geometry.0[0].exterior();
                let runs = &boxes.0[0][0].runs;
                let kept = far_corners_dropped(open(ring), runs, window);
                assert_eq!(kept, far_corners_dropped(open(ring), &[], window));
                skipped += usize::from(kept.len() + RUN < ring.0.len());
            }
        }
        assert!(
            skipped > 1_000,
            "windows where whole runs were passed over: {skipped}"
        );
    }

    #[test]
    fn holes_are_clipped_with_their_polygon() {
        let window = Rect::new(coord! { x: 5.0, y: 0.0 }, coord! { x: 10.0, y: 10.0 });
        assert!((clip(&with_hole(), None, window).unsigned_area() - 48.0).abs() < 1e-12);
    }

    #[test]
    fn shared_areas_match_boolean_ops() {
        let tilted = square(1.0, 1.0, 6.0).rotate_around_centroid(17.0);
        // BooleanOps snaps to an integer grid: it is exact to about 1e-9.
        let cases = [
            (square(0.0, 0.0, 2.0), square(1.0, 1.0, 2.0), 1.0),
            (square(0.0, 0.0, 2.0), square(2.0, 0.0, 2.0), 0.0), // a shared edge only
            (square(0.0, 0.0, 2.0), square(0.0, 0.0, 2.0), 4.0), // identical
            (u_shape(), square(0.5, 0.5, 2.0), 2.5),
            (with_hole(), square(3.0, 3.0, 4.0), 12.0),
            (with_hole(), tilted, 32.0), // the tilted square holds the hole
            (u_shape(), u_shape().rotate_around_centroid(90.0), f64::NAN),
        ];
        for (a, b, expected) in cases {
            let ours = intersection_area(&a, &b);
            let reference = boolean_ops(&a, &b);
            assert!(
                (ours - reference).abs() <= 1e-8 * reference.max(1.0),
                "{ours} vs BooleanOps {reference}"
            );
            assert!(
                (intersection_area(&b, &a) - ours).abs() < 1e-9,
                "not symmetric"
            );
            if !expected.is_nan() {
                assert!(
                    (ours - expected).abs() < 1e-12 * expected.max(1.0),
                    "{ours} vs {expected}"
                );
            }
        }
    }

    #[test]
    fn touching_or_distant_polygons_share_nothing() {
        assert_eq!(
            intersection_area(&square(0.0, 0.0, 1.0), &square(1.0, 1.0, 1.0)),
            0.0
        );
        assert_eq!(
            intersection_area(&square(0.0, 0.0, 1.0), &square(5.0, 0.0, 1.0)),
            0.0
        );
        assert_eq!(
            intersection_area(&square(0.0, 0.0, 1.0), &MultiPolygon(vec![])),
            0.0
        );
    }
}

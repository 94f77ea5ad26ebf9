//! Finding and repairing invalid boundary geometry, in British National Grid
//! metres.
//!
//! Some generalised ONS boundaries have self-intersecting rings (TopoJSON
//! quantisation), parts that overlap or share an edge, and the odd degenerate
//! ring. Overlays, areas and point-in-polygon tests need valid geometry, so
//! every feature is checked and the invalid ones repaired with an i_overlay
//! boolean union, reporting the area change.
//!
//! Why not geo's `Validation`: it tests every pair of segments of a ring
//! (quadratic) and relates every pair of parts, which takes over 30 s on
//! CCG_APR_2021_EN_BGC in a debug build. Here one sweep-line pass (geo's
//! `sweep::Intersections`, with two shortcuts: see [`meetings`]) finds every
//! place where two boundary segments meet; where two rings meet at a corner, robust orientation tests tell a
//! touch from a crossing; after that rings can only be nested or apart, which
//! one point-in-ring test per candidate pair settles. The rules are geo's
//! (OGC simple features, bar the connected-interior rule, which geo does not
//! check either). In lon/lat this finds exactly the invalid features GEOS
//! finds (PROVENANCE.md); in BNG a few exact or near touches change sides,
//! as projection bends straight lon/lat edges by millimetres. geo's
//! validator agrees with this one on every feature of the real files,
//! before and after repair.

use super::rings_of;
use geo::algorithm::bool_ops::FillRule;
use geo::algorithm::coordinate_position::{CoordPos, coord_pos_relative_to_ring};
use geo::algorithm::kernels::{Kernel, Orientation, RobustKernel};
use geo::algorithm::line_intersection::line_intersection;
use geo::{
    Area, BooleanOps, BoundingRect, Coord, Line, LineIntersection, LineString, MultiPolygon,
    OpType, Polygon, Rect, unary_union,
};
use std::collections::{BTreeMap, BTreeSet};

/// One kind of invalidity. Each instance counts one ring, or one pair of
/// rings or parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// Fewer than 3 distinct corners (4 positions, the last repeating the first).
    TooFewPoints,
    /// Three or more corners, all on one line.
    ZeroArea,
    /// The ring crosses or touches itself (this includes revisiting a point).
    SelfIntersection,
    /// A hole that is not inside its polygon's outer ring.
    HoleOutsideShell,
    /// Two rings of one polygon cross, share an edge, or one hole lies in another.
    RingsCross,
    /// Two parts of a multipolygon overlap or share an edge.
    PartsOverlap,
}

impl Problem {
    /// "self-intersecting ring", "2 self-intersecting rings".
    fn describe(self, count: usize) -> String {
        let (one, many) = match self {
            Problem::TooFewPoints => (
                "ring with fewer than 4 points",
                "rings with fewer than 4 points",
            ),
            Problem::ZeroArea => ("zero-area ring", "zero-area rings"),
            Problem::SelfIntersection => ("self-intersecting ring", "self-intersecting rings"),
            Problem::HoleOutsideShell => (
                "hole outside its outer ring",
                "holes outside their outer rings",
            ),
            Problem::RingsCross => ("pair of crossing rings", "pairs of crossing rings"),
            Problem::PartsOverlap => ("pair of overlapping parts", "pairs of overlapping parts"),
        };
        if count == 1 {
            one.to_string()
        } else {
            format!("{count} {many}")
        }
    }
}

/// A geometry after checking: valid, repaired where it needed it.
#[derive(Debug, Clone)]
pub struct Checked {
    pub geometry: MultiPolygon<f64>,
    /// What was wrong and what repair did, in plain words; None if it was valid.
    /// E.g. "self-intersecting ring repaired; area changed by +0.0012%".
    pub repaired: Option<String>,
}

/// Check a geometry and repair it if it is invalid. Valid geometry is
/// returned untouched (no copy). The error is a plain-words reason for a
/// geometry that cannot be made valid.
pub fn make_valid(geometry: MultiPolygon<f64>) -> Result<Checked, String> {
    if !geometry
        .iter()
        .flat_map(rings_of)
        .flat_map(|r| &r.0)
        .all(|c| c.x.is_finite() && c.y.is_finite())
    {
        return Err("a coordinate is not a finite number".into());
    }
    let found = problems(&geometry);
    if found.is_empty() {
        return Ok(Checked {
            geometry,
            repaired: None,
        });
    }
    let before = geometry.unsigned_area();
    let parts = polygons_made_valid(geometry);
    let mut repaired = unary_union(&parts);
    if !problems(&repaired).is_empty() {
        // i_overlay's one-pass union of many touching pieces occasionally
        // gives a hole to the wrong polygon (E07000147, North Norfolk, in
        // LAD_DEC_2024_UK_BGC); merging two at a time does not.
        repaired = union_pairwise(parts);
        let left = problems(&repaired);
        if !left.is_empty() {
            return Err(format!("{} could not be repaired", summary(&left)));
        }
    }
    let what = format!(
        "{} repaired; area changed by {}",
        summary(&found),
        percent_change(before, repaired.unsigned_area())
    );
    Ok(Checked {
        geometry: repaired,
        repaired: Some(what),
    })
}

/// Every problem with a geometry, sorted by kind; empty if it is valid by the
/// OGC simple-features rules (except the rule that a polygon's interior be
/// connected, which geo does not check either). Repeated consecutive points
/// are valid and ignored.
pub fn problems(geometry: &MultiPolygon<f64>) -> Vec<Problem> {
    let mut found = Found::default();
    let rings = proper_rings(geometry, &mut found);
    sweep(&rings, &mut found);
    check_holes(geometry, &mut found);
    check_parts(geometry, &mut found);
    found.0.into_iter().map(|(problem, _, _)| problem).collect()
}

/// The rings with an area, for the sweep; the others are found as problems.
fn proper_rings(geometry: &MultiPolygon<f64>, found: &mut Found) -> Vec<Ring> {
    let mut rings = Vec::with_capacity(geometry.iter().map(|p| 1 + p.interiors().len()).sum());
    for (part, polygon) in geometry.iter().enumerate() {
        for (ring, line_string) in rings_of(polygon).enumerate() {
            let id = RingId { part, ring };
            let corners = corners(line_string);
            if corners.len() < 3 {
                found.single(Problem::TooFewPoints, id);
            } else if twice_area(&corners) == 0.0 {
                found.single(Problem::ZeroArea, id);
            } else {
                rings.push(Ring { id, corners });
            }
        }
    }
    rings
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RingId {
    part: usize,
    ring: usize,
}

/// A ring's corners: no closing point, no repeated consecutive points.
struct Ring {
    id: RingId,
    corners: Vec<Coord<f64>>,
}

impl Ring {
    fn corner(&self, i: usize) -> Coord<f64> {
        self.corners[i % self.corners.len()]
    }

    /// The ring's two neighbouring corners around point `at` of its segment
    /// `i` (a corner of the ring, or a point inside the segment).
    fn around(&self, at: Coord<f64>, i: usize) -> (Coord<f64>, Coord<f64>) {
        let n = self.corners.len();
        let (start, end) = (self.corner(i), self.corner(i + 1));
        if at == start {
            (self.corner(i + n - 1), end)
        } else if at == end {
            (start, self.corner(i + 2))
        } else {
            (start, end)
        }
    }
}

/// Problems found, each once: a single-ring problem repeats its ring's id.
#[derive(Default)]
struct Found(BTreeSet<(Problem, RingId, RingId)>);

impl Found {
    fn single(&mut self, problem: Problem, id: RingId) {
        self.0.insert((problem, id, id));
    }

    /// Two different rings cross or share an edge.
    fn crossing(&mut self, a: RingId, b: RingId) {
        let problem = if a.part == b.part {
            Problem::RingsCross
        } else {
            Problem::PartsOverlap
        };
        self.0.insert((problem, a.min(b), a.max(b)));
    }

    /// Whether the ring is already known to be broken.
    fn involves(&self, id: RingId) -> bool {
        self.0.iter().any(|&(_, a, b)| a == id || b == id)
    }

    /// Whether the two parts' boundaries are already known to cross.
    fn parts_cross(&self, i: usize, j: usize) -> bool {
        self.0
            .iter()
            .any(|&(p, a, b)| p == Problem::PartsOverlap && a.part == i && b.part == j)
    }
}

/// A ring's corners without the closing point or repeated consecutive points.
fn corners(ring: &LineString<f64>) -> Vec<Coord<f64>> {
    let mut corners: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for &c in &ring.0 {
        if corners.last() != Some(&c) {
            corners.push(c);
        }
    }
    while corners.len() > 1 && corners.first() == corners.last() {
        corners.pop();
    }
    corners
}

/// Twice the signed area enclosed by the corners (the shoelace sum), taken
/// relative to the first corner: with raw grid coordinates (~1e5 m) the
/// products cancel catastrophically and a real sub-millimetre sliver would
/// come out as exactly zero.
fn twice_area(corners: &[Coord<f64>]) -> f64 {
    let origin = corners[0];
    corners
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0] - origin, w[1] - origin);
            a.x * b.y - b.x * a.y
        })
        .sum()
}

/// One boundary segment: segment `index` of ring `ring` (an index into the
/// rings list), with its extent; `next` is the ring's following segment.
#[derive(Clone, Copy)]
struct Segment {
    line: Line<f64>,
    left: f64,
    right: f64,
    bottom: f64,
    top: f64,
    ring: usize,
    index: usize,
    next: usize,
}

impl Segment {
    fn new(rings: &[Ring], ring: usize, index: usize) -> Segment {
        let of = &rings[ring];
        let line = Line::new(of.corner(index), of.corner(index + 1));
        let (left, right) = match line.start.x < line.end.x {
            true => (line.start.x, line.end.x),
            false => (line.end.x, line.start.x),
        };
        Segment {
            line,
            left,
            right,
            bottom: line.start.y.min(line.end.y),
            top: line.start.y.max(line.end.y),
            ring,
            index,
            next: (index + 1) % of.corners.len(),
        }
    }

    /// Whether the two segments' boxes are apart in y (their x-extents are
    /// known to overlap): `line_intersection`'s own first test.
    fn apart(&self, other: &Segment) -> bool {
        self.top < other.bottom || self.bottom > other.top
    }

    /// Whether `other` is the ring's segment after or before this one and
    /// the three corners the two span are not in line: then the two meet
    /// at their shared corner only, which is no problem.
    fn turns_into(&self, other: &Segment) -> bool {
        let corners = match (self.ring == other.ring, self.next == other.index) {
            (false, _) => return false,
            (true, true) => (self.line.start, self.line.end, other.line.end),
            (true, false) if other.next == self.index => {
                (other.line.start, other.line.end, self.line.end)
            }
            (true, false) => return false,
        };
        RobustKernel::orient2d(corners.0, corners.1, corners.2) != Orientation::Collinear
    }
}

/// Every segment of every ring, ring by ring.
fn segments(rings: &[Ring]) -> Vec<Segment> {
    (0..rings.len())
        .flat_map(|ring| (0..rings[ring].corners.len()).map(move |index| (ring, index)))
        .map(|(ring, index)| Segment::new(rings, ring, index))
        .collect()
}

/// Every pair of segments that meet, and how: the pairs, and the order, of
/// geo's `sweep::Intersections` (segments sorted by their left end, each
/// tried against those that start before it ends), which this replaced
/// because it spent most of the validity check on pairs that cannot be
/// problems. Two shortcuts leave the answer unchanged: a pair apart in y
/// fails `line_intersection`'s first test anyway, and a ring's neighbouring
/// segments that turn at their shared corner meet only there.
fn meetings(
    mut segments: Vec<Segment>,
    mut meet: impl FnMut(&Segment, &Segment, LineIntersection<f64>),
) {
    // geo's stable sort by left end keeps the input order, (ring, index), among equals.
    segments.sort_unstable_by(|a, b| {
        (a.left.total_cmp(&b.left)).then((a.ring, a.index).cmp(&(b.ring, b.index)))
    });
    for (i, a) in segments.iter().enumerate() {
        for b in &segments[i + 1..] {
            if b.left > a.right {
                break;
            }
            if a.apart(b) || a.turns_into(b) {
                continue;
            }
            if let Some(how) = line_intersection(a.line, b.line) {
                meet(a, b, how);
            }
        }
    }
}

/// One pass over every segment finds every place where two segments meet
/// (see [`meetings`]) and classifies it.
fn sweep(rings: &[Ring], found: &mut Found) {
    meetings(segments(rings), |a, b, meet| {
        let (ring_a, ring_b) = (&rings[a.ring], &rings[b.ring]);
        match meet {
            LineIntersection::Collinear { .. } if a.ring == b.ring => {
                found.single(Problem::SelfIntersection, ring_a.id)
            }
            LineIntersection::Collinear { .. } => found.crossing(ring_a.id, ring_b.id),
            LineIntersection::SinglePoint {
                intersection,
                is_proper,
            } => {
                if a.ring == b.ring {
                    // Neighbouring segments meet at their shared corner;
                    // any other meeting makes the ring non-simple.
                    let neighbours = a.next == b.index || b.next == a.index;
                    if is_proper || !neighbours {
                        found.single(Problem::SelfIntersection, ring_a.id);
                    }
                } else if is_proper
                    || crosses_at(
                        intersection,
                        ring_a.around(intersection, a.index),
                        ring_b.around(intersection, b.index),
                    )
                {
                    found.crossing(ring_a.id, ring_b.id);
                }
            }
        }
    });
}

/// Whether two rings that meet at a corner `at` cross there rather than
/// just touch: ring b's boundary arrives from one side of ring a's boundary
/// and leaves on the other. (Exact: robust orientation tests.)
fn crosses_at(at: Coord<f64>, a: (Coord<f64>, Coord<f64>), b: (Coord<f64>, Coord<f64>)) -> bool {
    let ccw = |from: Coord<f64>, to: Coord<f64>| {
        RobustKernel::orient2d(at, from, to) == Orientation::CounterClockwise
    };
    // Strictly inside the angle swept anticlockwise from ray at->a.0 to ray at->a.1.
    let inside = |v: Coord<f64>| {
        if ccw(a.0, a.1) {
            ccw(a.0, v) && ccw(v, a.1)
        } else {
            ccw(a.0, v) || ccw(v, a.1)
        }
    };
    inside(b.0) != inside(b.1)
}

/// Where a ring lies relative to another ring whose boundary it meets at
/// most at points without crossing: the position of its first corner not
/// on that ring.
fn side_of(ring: &LineString<f64>, other: &LineString<f64>) -> CoordPos {
    ring.0
        .iter()
        .map(|&c| coord_pos_relative_to_ring(c, other))
        .find(|&pos| pos != CoordPos::OnBoundary)
        .unwrap_or(CoordPos::OnBoundary)
}

/// With crossings found, rings can only be nested or apart: holes must lie
/// inside their outer ring and outside each other.
fn check_holes(geometry: &MultiPolygon<f64>, found: &mut Found) {
    for (part, polygon) in geometry.iter().enumerate() {
        let shell = RingId { part, ring: 0 };
        let holes = polygon.interiors();
        for (h, hole) in holes.iter().enumerate() {
            let id = RingId { part, ring: h + 1 };
            if found.involves(id) || found.involves(shell) {
                continue;
            }
            if side_of(hole, polygon.exterior()) != CoordPos::Inside {
                found.single(Problem::HoleOutsideShell, id);
            }
            for (k, other) in holes.iter().enumerate().skip(h + 1) {
                let other_id = RingId { part, ring: k + 1 };
                let nested = boxes_meet(hole, other)
                    && !found.involves(other_id)
                    && (side_of(hole, other) == CoordPos::Inside
                        || side_of(other, hole) == CoordPos::Inside);
                if nested {
                    found.crossing(id, other_id);
                }
            }
        }
    }
}

/// Parts must not overlap; a part may lie inside another's hole (an island
/// in a lake).
fn check_parts(geometry: &MultiPolygon<f64>, found: &mut Found) {
    // Most areas are one part, and their parts' boxes are not wanted.
    if geometry.0.len() < 2 {
        return;
    }
    let boxes: Vec<Option<Rect<f64>>> = geometry.iter().map(BoundingRect::bounding_rect).collect();
    for (i, a) in geometry.iter().enumerate() {
        for (j, b) in geometry.iter().enumerate().skip(i + 1) {
            let (Some(box_a), Some(box_b)) = (boxes[i], boxes[j]) else {
                continue;
            };
            let (shell_a, shell_b) = (RingId { part: i, ring: 0 }, RingId { part: j, ring: 0 });
            let skip = !rects_meet(box_a, box_b)
                || found.parts_cross(i, j)
                || found.involves(shell_a)
                || found.involves(shell_b);
            if !skip && (lies_in(b, a) || lies_in(a, b)) {
                found.crossing(shell_a, shell_b);
            }
        }
    }
}

/// Whether part `inner` lies in `outer`'s area: inside its outer ring and in
/// none of its holes (their boundaries meet at most at points, uncrossed).
fn lies_in(inner: &Polygon<f64>, outer: &Polygon<f64>) -> bool {
    side_of(inner.exterior(), outer.exterior()) == CoordPos::Inside
        && !outer
            .interiors()
            .iter()
            .any(|hole| side_of(inner.exterior(), hole) == CoordPos::Inside)
}

fn boxes_meet(a: &LineString<f64>, b: &LineString<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(a), Some(b)) => rects_meet(a, b),
        _ => false,
    }
}

fn rects_meet(a: Rect<f64>, b: Rect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// Each polygon rebuilt with i_overlay as its outer ring's area minus its
/// holes', under the non-zero rule: a twisted loop of a ring stays land, as
/// GEOS's make-valid keeps it, and a hole outside its ring removes nothing.
/// Degenerate rings have no area and drop out. Takes the geometry by value
/// to move rings rather than copy them.
fn polygons_made_valid(geometry: MultiPolygon<f64>) -> Vec<MultiPolygon<f64>> {
    geometry
        .into_iter()
        .map(|polygon| {
            let (shell, holes) = polygon.into_inner();
            let holes = MultiPolygon(holes.into_iter().map(|h| Polygon::new(h, vec![])).collect());
            Polygon::new(shell, vec![]).boolean_op_with_fill_rule(
                &holes,
                OpType::Difference,
                FillRule::NonZero,
            )
        })
        .collect()
}

/// The union of valid pieces, merged two at a time in a fixed order
/// (deterministic, and O(n log n log k) rather than a left fold's O(n k)).
fn union_pairwise(mut pieces: Vec<MultiPolygon<f64>>) -> MultiPolygon<f64> {
    while pieces.len() > 1 {
        let mut merged = Vec::with_capacity(pieces.len().div_ceil(2));
        let mut rest = pieces.into_iter();
        while let Some(a) = rest.next() {
            merged.push(match rest.next() {
                Some(b) => a.union(&b),
                None => a,
            });
        }
        pieces = merged;
    }
    pieces.pop().unwrap_or_else(|| MultiPolygon(vec![]))
}

/// "self-intersecting ring", "2 self-intersecting rings and pair of overlapping parts".
fn summary(problems: &[Problem]) -> String {
    let mut counts: BTreeMap<Problem, usize> = BTreeMap::new();
    for &p in problems {
        *counts.entry(p).or_default() += 1;
    }
    let parts: Vec<String> = counts.into_iter().map(|(p, n)| p.describe(n)).collect();
    match parts.as_slice() {
        [] => String::new(),
        [only] => only.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "+0.0012%", "-3.4%", "0%": relative to the area before, to two
/// significant figures (at least 4 decimals).
fn percent_change(before: f64, after: f64) -> String {
    if before == 0.0 {
        return if after == 0.0 {
            "0%".into()
        } else {
            format!("from 0 to {after:.0} m²")
        };
    }
    let pct = (after - before) / before * 100.0;
    if pct == 0.0 {
        return "0%".into();
    }
    let decimals = (1 - pct.abs().log10().floor() as i32).clamp(4, 12) as usize;
    format!("{pct:+.decimals$}%")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geography::projection::to_bng;
    use crate::geography::read::{self, Geometry};
    use crate::input::Fingerprint;
    use crate::input::embedded::Dataset;
    use geo::algorithm::sweep::{Cross, Intersections};
    use geo::{MapCoords, Validation, wkt};

    /// Checks one case against geo's own validator too, so the two rule
    /// sets cannot drift apart unnoticed.
    fn assert_problems(geometry: MultiPolygon<f64>, expected: &[Problem]) {
        assert_eq!(problems(&geometry), expected);
        assert_eq!(geometry.is_valid(), expected.is_empty(), "geo disagrees");
    }

    fn repaired(geometry: MultiPolygon<f64>) -> (MultiPolygon<f64>, String) {
        let checked = make_valid(geometry).expect("repairable");
        assert!(checked.geometry.is_valid(), "repair left invalid geometry");
        assert!(problems(&checked.geometry).is_empty());
        (checked.geometry, checked.repaired.expect("was invalid"))
    }

    #[test]
    fn valid_geometry_passes_untouched() {
        let cases = [
            // A hole touching its outer ring at one point.
            wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (10. 5., 6. 4., 6. 6., 10. 5.)))),
            // Two parts touching at one point.
            wkt!(MULTIPOLYGON(((0. 0., 2. 0., 2. 2., 0. 2., 0. 0.)), ((2. 2., 4. 2., 4. 4., 2. 4., 2. 2.)))),
            // An island in a lake.
            wkt!(MULTIPOLYGON(
                ((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (2. 2., 2. 8., 8. 8., 8. 2., 2. 2.)),
                ((4. 4., 6. 4., 6. 6., 4. 6., 4. 4.))
            )),
            // Repeated consecutive points are harmless.
            wkt!(MULTIPOLYGON(((0. 0., 0. 0., 4. 0., 4. 4., 4. 4., 0. 4., 0. 0.)))),
        ];
        for geometry in cases {
            assert_problems(geometry.clone(), &[]);
            let checked = make_valid(geometry.clone()).unwrap();
            assert_eq!(checked.geometry, geometry);
            assert_eq!(checked.repaired, None);
        }
    }

    #[test]
    fn self_intersecting_ring_keeps_both_loops() {
        // A bow tie: lobes of 50/3 m² and 200/3 m² with opposite windings,
        // so the naive (shoelace) area is their difference, 50 m².
        let bow_tie = wkt!(MULTIPOLYGON(((0. 0., 10. 10., 10. -10., 0. 10., 0. 0.))));
        assert_problems(bow_tie.clone(), &[Problem::SelfIntersection]);
        let (fixed, what) = repaired(bow_tie);
        assert_eq!(fixed.0.len(), 2);
        assert!((fixed.unsigned_area() - 250.0 / 3.0).abs() < 1e-6);
        assert_eq!(
            what,
            "self-intersecting ring repaired; area changed by +66.6667%"
        );
    }

    #[test]
    fn a_spike_or_a_revisited_corner_is_a_self_intersection() {
        let spike =
            wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 5., 15. 5., 10. 5., 10. 10., 0. 10., 0. 0.))));
        assert_problems(spike.clone(), &[Problem::SelfIntersection]);
        assert!((repaired(spike).0.unsigned_area() - 100.0).abs() < 1e-6);
        let figure_eight =
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 8. 4., 8. 8., 4. 8., 4. 4., 0. 4., 0. 0.))));
        assert_problems(figure_eight.clone(), &[Problem::SelfIntersection]);
        assert!((repaired(figure_eight).0.unsigned_area() - 32.0).abs() < 1e-6);
    }

    #[test]
    fn degenerate_rings_are_dropped() {
        let geometry = wkt!(MULTIPOLYGON(
            ((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.)),
            ((20. 0., 21. 1., 20. 0.)),
            ((30. 0., 31. 0., 32. 0., 30. 0.))
        ));
        assert_eq!(
            problems(&geometry),
            [Problem::TooFewPoints, Problem::ZeroArea]
        );
        assert!(!geometry.is_valid());
        let (fixed, what) = repaired(geometry);
        assert_eq!(fixed.0.len(), 1);
        assert_eq!(
            what,
            "ring with fewer than 4 points and zero-area ring repaired; area changed by 0%"
        );
    }

    #[test]
    fn hole_outside_its_ring_is_dropped() {
        let geometry = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (20. 0., 20. 5., 25. 5., 25. 0., 20. 0.))));
        assert_problems(geometry.clone(), &[Problem::HoleOutsideShell]);
        let (fixed, what) = repaired(geometry);
        assert!((fixed.unsigned_area() - 100.0).abs() < 1e-6);
        // The naive area subtracted the stray hole: 100 - 25 = 75.
        assert_eq!(
            what,
            "hole outside its outer ring repaired; area changed by +33.3333%"
        );
    }

    #[test]
    fn rings_crossing_only_at_shared_corners_are_caught() {
        // The hole's boundary leaves the square and comes back through two
        // corners that lie on the square's edge; no two segments cross.
        let hole_pokes_out = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (8. 5., 10. 5., 12. 6., 10. 7., 8. 7., 8. 5.))));
        assert_problems(hole_pokes_out.clone(), &[Problem::RingsCross]);
        repaired(hole_pokes_out);
        let part_pokes_in = wkt!(MULTIPOLYGON(
            ((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.)),
            ((8. 5., 10. 5., 12. 6., 10. 7., 8. 7., 8. 5.))
        ));
        assert_problems(part_pokes_in.clone(), &[Problem::PartsOverlap]);
        repaired(part_pokes_in);
    }

    #[test]
    fn overlapping_parts_and_shared_edges_are_unioned() {
        let overlapping = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.)), ((5. 0., 15. 0., 15. 10., 5. 10., 5. 0.))));
        assert_problems(overlapping.clone(), &[Problem::PartsOverlap]);
        let (fixed, _) = repaired(overlapping);
        assert!((fixed.unsigned_area() - 150.0).abs() < 1e-6);

        let sharing_an_edge = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.)), ((10. 0., 20. 0., 20. 10., 10. 10., 10. 0.))));
        assert_problems(sharing_an_edge.clone(), &[Problem::PartsOverlap]);
        let (fixed, what) = repaired(sharing_an_edge);
        assert_eq!(fixed.0.len(), 1);
        assert_eq!(
            what,
            "pair of overlapping parts repaired; area changed by 0%"
        );

        let nested = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.)), ((2. 2., 4. 2., 4. 4., 2. 4., 2. 2.))));
        assert_problems(nested.clone(), &[Problem::PartsOverlap]);
        assert!((repaired(nested).0.unsigned_area() - 100.0).abs() < 1e-6);
    }

    #[test]
    fn nested_or_edge_sharing_holes_are_caught() {
        let nested = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (1. 1., 1. 9., 9. 9., 9. 1., 1. 1.), (3. 3., 3. 5., 5. 5., 5. 3., 3. 3.))));
        assert_problems(nested.clone(), &[Problem::RingsCross]);
        repaired(nested);
        let sharing = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (1. 1., 1. 5., 5. 5., 5. 1., 1. 1.), (5. 1., 5. 5., 8. 5., 8. 1., 5. 1.))));
        assert_problems(sharing.clone(), &[Problem::RingsCross]);
        repaired(sharing);
    }

    #[test]
    fn non_finite_coordinates_are_an_error_not_a_panic() {
        let geometry = wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 0.))));
        let broken = geometry.map_coords(|c| {
            if c.x == 10.0 {
                Coord {
                    x: f64::NAN,
                    y: c.y,
                }
            } else {
                c
            }
        });
        assert_eq!(
            make_valid(broken).unwrap_err(),
            "a coordinate is not a finite number"
        );
    }

    impl Cross for Segment {
        type Scalar = f64;
        fn line(&self) -> Line<f64> {
            self.line
        }
    }

    /// The pairs `meetings` gives against those of geo's own sweep, the
    /// reference it replaced: the same pairs, in the same order, meeting
    /// the same way, bar the neighbouring segments it skips, which geo must
    /// find meeting at their shared corner only.
    fn assert_meetings_are_geos(geometry: &MultiPolygon<f64>) {
        let rings = proper_rings(geometry, &mut Found::default());
        let mut ours = Vec::new();
        meetings(segments(&rings), |a, b, how| {
            ours.push((a.ring, a.index, b.ring, b.index, how))
        });
        let mut geos = Vec::new();
        for (a, b, how) in Intersections::from_iter(segments(&rings)) {
            if a.turns_into(&b) {
                let corner = match a.next == b.index {
                    true => a.line.end,
                    false => a.line.start,
                };
                let only_there = LineIntersection::SinglePoint {
                    intersection: corner,
                    is_proper: false,
                };
                assert_eq!(how, only_there, "{geometry:?}");
            } else {
                geos.push((a.ring, a.index, b.ring, b.index, how));
            }
        }
        assert_eq!(ours, geos, "{geometry:?}");
    }

    #[test]
    fn segments_meet_where_geos_sweep_finds_them() {
        let shapes = [
            wkt!(MULTIPOLYGON(((0. 0., 10. 10., 10. -10., 0. 10., 0. 0.)))),
            wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 5., 15. 5., 10. 5., 10. 10., 0. 10., 0. 0.)))),
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 8. 4., 8. 8., 4. 8., 4. 4., 0. 4., 0. 0.)))),
            wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (8. 5., 10. 5., 12. 6., 10. 7., 8. 7., 8. 5.)))),
            wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.)), ((10. 0., 20. 0., 20. 10., 10. 10., 10. 0.)))),
            wkt!(MULTIPOLYGON(((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (1. 1., 1. 5., 5. 5., 5. 1., 1. 1.), (5. 1., 5. 5., 8. 5., 8. 1., 5. 1.)))),
            wkt!(MULTIPOLYGON(((0. 0., 1. 0., 0. 1., 0. 0.)))),
        ];
        for shape in &shapes {
            assert_meetings_are_geos(shape);
        }
        // Every feature of a real layer, as published (lon/lat, five of
        // them invalid), and projected to the grid.
        let file = Dataset::builtin()
            .original("boundaries/lad/LAD_DEC_2024_UK_BUC.geojson")
            .unwrap();
        let source =
            read::geojson::parse(file.path(), &file.bytes().unwrap(), Fingerprint::Skip).unwrap();
        for feature in source.features {
            let Geometry::Areal(areal) = feature.geometry else {
                panic!("not a polygon");
            };
            let geometry = MultiPolygon(
                (areal.decode().unwrap().into_iter())
                    .map(|rings| {
                        let mut rings = rings.into_iter().map(LineString);
                        let exterior = rings.next().unwrap();
                        Polygon::new(exterior, rings.collect())
                    })
                    .collect(),
            );
            assert_meetings_are_geos(&geometry);
            assert_meetings_are_geos(&geometry.map_coords(|c| {
                let (x, y) = to_bng(c.x, c.y);
                Coord { x, y }
            }));
        }
    }

    #[test]
    fn area_change_reads_at_two_significant_figures() {
        assert_eq!(percent_change(100.0, 100.0), "0%");
        assert_eq!(percent_change(1e6, 1e6 + 12.0), "+0.0012%");
        assert_eq!(percent_change(1e9, 1e9 - 7.0), "-0.00000070%");
        assert_eq!(percent_change(80.0, 100.0), "+25.0000%");
    }
}

//! Finding and repairing invalid boundary geometry, in British National Grid
//! metres.
//!
//! Some generalised ONS boundaries have self-intersecting rings (TopoJSON
//! quantisation), parts that overlap or share an edge, and the odd degenerate
//! ring. Overlays, areas and point-in-polygon tests need valid geometry, so
//! every feature is checked and the invalid ones repaired with an i_overlay
//! boolean union, reporting the area change.
//!
//! Why not geo's `Validation` throughout: it tests every pair of segments of a
//! ring (quadratic) and relates every pair of parts, which takes over 30 s on
//! CCG_APR_2021_EN_BGC. Here one sweep-line pass finds every place where two
//! boundary segments meet, which settles almost every question; geo's
//! `Relate` (the same test its validator uses) is kept for the rare case of
//! two rings touching at a vertex, where only the full intersection matrix
//! tells a harmless touch from a crossing. On the real files this finds the
//! same invalid features as GEOS (PROVENANCE.md).

use geo::algorithm::bool_ops::FillRule;
use geo::algorithm::coordinate_position::{CoordPos, coord_pos_relative_to_ring};
use geo::algorithm::dimensions::Dimensions;
use geo::algorithm::sweep::{Cross, Intersections};
use geo::{
    Area, BooleanOps, BoundingRect, Coord, Line, LineIntersection, LineString, MultiPolygon,
    OpType, Polygon, Rect, Relate, unary_union,
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
            Problem::TooFewPoints => ("ring with fewer than 4 points", "rings with fewer than 4 points"),
            Problem::ZeroArea => ("zero-area ring", "zero-area rings"),
            Problem::SelfIntersection => ("self-intersecting ring", "self-intersecting rings"),
            Problem::HoleOutsideShell => ("hole outside its outer ring", "holes outside their outer rings"),
            Problem::RingsCross => ("pair of crossing rings", "pairs of crossing rings"),
            Problem::PartsOverlap => ("pair of overlapping parts", "pairs of overlapping parts"),
        };
        if count == 1 { one.to_string() } else { format!("{count} {many}") }
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
    if !geometry.iter().flat_map(rings).flat_map(|r| &r.0).all(|c| c.x.is_finite() && c.y.is_finite()) {
        return Err("a coordinate is not a finite number".into());
    }
    let found = problems(&geometry);
    if found.is_empty() {
        return Ok(Checked { geometry, repaired: None });
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
    Ok(Checked { geometry: repaired, repaired: Some(what) })
}

/// Every problem with a geometry, sorted by kind; empty if it is valid by the
/// OGC simple-features rules (except the rule that a polygon's interior be
/// connected, which geo does not check either). Repeated consecutive points
/// are valid and ignored.
pub fn problems(geometry: &MultiPolygon<f64>) -> Vec<Problem> {
    let mut found = Found::default();
    let mut segments = Vec::new();
    for (p, polygon) in geometry.iter().enumerate() {
        for (r, ring) in rings(polygon).enumerate() {
            let id = RingId { part: p, ring: r };
            let corners = corners(ring);
            if corners.len() < 3 {
                found.single(Problem::TooFewPoints, id);
            } else if twice_area(&corners) == 0.0 {
                found.single(Problem::ZeroArea, id);
            } else {
                push_segments(&corners, id, &mut segments);
            }
        }
    }
    let touches = sweep(&segments, &mut found);
    check_holes(geometry, &touches, &mut found);
    check_parts(geometry, &touches, &mut found);
    found.0.into_iter().map(|(problem, _, _)| problem).collect()
}

/// The rings of a polygon: 0 is the outer ring, 1.. the holes.
fn rings(polygon: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(polygon.exterior()).chain(polygon.interiors())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct RingId {
    part: usize,
    ring: usize,
}

/// Problems found, each once: a single ring repeats its id.
#[derive(Default)]
struct Found(BTreeSet<(Problem, RingId, RingId)>);

impl Found {
    fn single(&mut self, problem: Problem, id: RingId) {
        self.0.insert((problem, id, id));
    }

    fn pair(&mut self, problem: Problem, a: RingId, b: RingId) {
        self.0.insert((problem, a.min(b), a.max(b)));
    }

    /// Whether the ring is already known to be broken.
    fn involves(&self, id: RingId) -> bool {
        self.0.iter().any(|&(_, a, b)| a == id || b == id)
    }

    /// Whether the ring has no area to speak of (so its relations to other rings do not matter).
    fn degenerate(&self, id: RingId) -> bool {
        self.0.contains(&(Problem::TooFewPoints, id, id)) || self.0.contains(&(Problem::ZeroArea, id, id))
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

/// One boundary segment and where it sits, for the sweep.
#[derive(Clone, Copy)]
struct Segment {
    line: Line<f64>,
    ring: RingId,
    index: usize,
    /// Number of segments in the ring, to tell neighbours across the closing point.
    ring_len: usize,
}

impl Cross for Segment {
    type Scalar = f64;
    fn line(&self) -> Line<f64> {
        self.line
    }
}

impl Segment {
    fn is_next_to(&self, other: &Segment) -> bool {
        let (i, j) = (self.index.min(other.index), self.index.max(other.index));
        j == i + 1 || (i == 0 && j == self.ring_len - 1)
    }
}

fn push_segments(corners: &[Coord<f64>], ring: RingId, out: &mut Vec<Segment>) {
    let n = corners.len();
    out.extend((0..n).map(|index| Segment {
        line: Line::new(corners[index], corners[(index + 1) % n]),
        ring,
        index,
        ring_len: n,
    }));
}

/// Pairs of distinct rings that meet only at vertices: a harmless touch or a
/// crossing through a shared vertex, to be settled by `Relate`.
type Touches = BTreeSet<(RingId, RingId)>;

/// One pass over all segments (O(n log n) for boundary data): classifies
/// every place where two segments meet.
fn sweep(segments: &[Segment], found: &mut Found) -> Touches {
    let mut touches = Touches::new();
    for (a, b, meet) in Intersections::from_iter(segments) {
        let collinear = matches!(meet, LineIntersection::Collinear { .. });
        let proper = meet.is_proper();
        if a.ring == b.ring {
            // Neighbours share their common corner; anything else (or a
            // neighbour folding back on the same line, a spike) is a self-intersection.
            if collinear || !a.is_next_to(b) {
                found.single(Problem::SelfIntersection, a.ring);
            }
        } else if collinear || proper {
            let problem = if a.ring.part == b.ring.part { Problem::RingsCross } else { Problem::PartsOverlap };
            found.pair(problem, a.ring, b.ring);
        } else {
            touches.insert((a.ring.min(b.ring), a.ring.max(b.ring)));
        }
    }
    touches
}

fn touch(touches: &Touches, a: RingId, b: RingId) -> bool {
    touches.contains(&(a.min(b), a.max(b)))
}

/// Where a ring lies relative to another ring that its boundary does not
/// cross: the position of its first corner not on that ring.
fn side_of(ring: &LineString<f64>, other: &LineString<f64>) -> CoordPos {
    ring.0
        .iter()
        .map(|&c| coord_pos_relative_to_ring(c, other))
        .find(|&pos| pos != CoordPos::OnBoundary)
        .unwrap_or(CoordPos::OnBoundary)
}

fn ring_polygon(ring: &LineString<f64>) -> Polygon<f64> {
    Polygon::new(ring.clone(), vec![])
}

/// Holes must lie inside their outer ring and outside each other.
fn check_holes(geometry: &MultiPolygon<f64>, touches: &Touches, found: &mut Found) {
    for (p, polygon) in geometry.iter().enumerate() {
        let shell_id = RingId { part: p, ring: 0 };
        let shell = polygon.exterior();
        for (h, hole) in polygon.interiors().iter().enumerate() {
            let id = RingId { part: p, ring: h + 1 };
            if found.involves(id) || found.degenerate(shell_id) {
                continue;
            }
            let inside = if touch(touches, shell_id, id) {
                ring_polygon(shell).relate(&ring_polygon(hole)).is_covers()
            } else {
                side_of(hole, shell) == CoordPos::Inside
            };
            if !inside {
                found.single(Problem::HoleOutsideShell, id);
            }
            for (k, other) in polygon.interiors().iter().enumerate().skip(h + 1) {
                let other_id = RingId { part: p, ring: k + 1 };
                if !boxes_meet(hole, other) {
                    continue;
                }
                let nested = if touch(touches, id, other_id) {
                    interiors_overlap(&ring_polygon(hole), &ring_polygon(other))
                } else {
                    side_of(hole, other) == CoordPos::Inside || side_of(other, hole) == CoordPos::Inside
                };
                if nested {
                    found.pair(Problem::RingsCross, id, other_id);
                }
            }
        }
    }
}

/// Parts must not overlap: a part may only lie inside another's hole (an
/// island in a lake).
fn check_parts(geometry: &MultiPolygon<f64>, touches: &Touches, found: &mut Found) {
    let boxes: Vec<Option<Rect<f64>>> = geometry.iter().map(BoundingRect::bounding_rect).collect();
    for (i, a) in geometry.iter().enumerate() {
        for (j, b) in geometry.iter().enumerate().skip(i + 1) {
            let (Some(box_a), Some(box_b)) = (boxes[i], boxes[j]) else { continue };
            if !rects_meet(box_a, box_b) {
                continue;
            }
            let (shell_a, shell_b) = (RingId { part: i, ring: 0 }, RingId { part: j, ring: 0 });
            let known = found.0.iter().any(|&(problem, x, y)| {
                problem == Problem::PartsOverlap && x.part == i && y.part == j
            });
            if known || found.degenerate(shell_a) || found.degenerate(shell_b) {
                continue;
            }
            let any_touch = touches.iter().any(|&(x, y)| (x.part, y.part) == (i, j) || (x.part, y.part) == (j, i));
            let overlap = if any_touch {
                interiors_overlap(a, b)
            } else {
                lies_in(b, a) || lies_in(a, b)
            };
            if overlap {
                found.pair(Problem::PartsOverlap, shell_a, shell_b);
            }
        }
    }
}

/// Whether part `inner`, whose boundary does not meet `outer`'s, lies in
/// `outer`'s area (inside its outer ring and in none of its holes).
fn lies_in(inner: &Polygon<f64>, outer: &Polygon<f64>) -> bool {
    side_of(inner.exterior(), outer.exterior()) == CoordPos::Inside
        && !outer.interiors().iter().any(|hole| side_of(inner.exterior(), hole) == CoordPos::Inside)
}

/// The test geo's validator applies to two parts: their interiors overlap
/// or their boundaries share a line.
fn interiors_overlap(a: &Polygon<f64>, b: &Polygon<f64>) -> bool {
    let matrix = a.relate(b);
    matrix.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional
        || matrix.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
}

fn boxes_meet(a: &LineString<f64>, b: &LineString<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(a), Some(b)) => rects_meet(a, b),
        _ => false,
    }
}

fn rects_meet(a: Rect<f64>, b: Rect<f64>) -> bool {
    a.min().x <= b.max().x && b.min().x <= a.max().x && a.min().y <= b.max().y && b.min().y <= a.max().y
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
            Polygon::new(shell, vec![]).boolean_op_with_fill_rule(&holes, OpType::Difference, FillRule::NonZero)
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
        return if after == 0.0 { "0%".into() } else { format!("from 0 to {after:.0} m²") };
    }
    let pct = (after - before) / before * 100.0;
    if pct == 0.0 {
        return "0%".into();
    }
    let decimals = (1 - pct.abs().log10().floor() as i32).clamp(4, 12) as usize;
    format!("{pct:+.decimals$}%")
}

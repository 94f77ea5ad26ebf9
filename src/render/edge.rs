//! The edge of the mapped territory (coast, estuaries, the border with areas
//! not mapped): the ring segments that no two areas share. Drawn in grey
//! under the areas, it keeps the lightest classes visible against the white
//! page, at a fraction of the cost of stroking every area's whole outline.

use geo::{Coord, LineString, MultiPolygon};
use std::collections::HashMap;
use std::fmt::Write;

/// A segment with its ends in a fixed order, by exact bits: neighbours in
/// ONS files share vertices, and the same input projects to the same bits.
type Segment = ([u64; 2], [u64; 2]);

fn segment(a: Coord<f64>, b: Coord<f64>) -> Segment {
    let (p, q) = (
        [a.x.to_bits(), a.y.to_bits()],
        [b.x.to_bits(), b.y.to_bits()],
    );
    if p <= q { (p, q) } else { (q, p) }
}

/// Path data (BNG metres) for the segments used by exactly one ring, in ring
/// order, so the output is deterministic. Where neighbours do not share
/// vertices exactly, their common border is included too: harmless, as the
/// areas are drawn over it.
pub fn territory_edge<'a>(geometries: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> String {
    let rings: Vec<&LineString<f64>> = geometries
        .into_iter()
        .flat_map(|g| g.iter())
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .collect();
    // Only counted, never iterated, so HashMap order cannot reach the output.
    let mut uses: HashMap<Segment, u32> = HashMap::new();
    for line in rings.iter().flat_map(|r| r.lines()) {
        *uses.entry(segment(line.start, line.end)).or_default() += 1;
    }
    let mut d = String::new();
    for ring in rings {
        let mut continuing = false;
        for line in ring.lines() {
            let unshared = uses[&segment(line.start, line.end)] == 1;
            if unshared && !continuing {
                let _ = write!(d, "M{} {}", line.start.x, line.start.y);
            }
            if unshared {
                let _ = write!(d, "L{} {}", line.end.x, line.end.y);
            }
            continuing = unshared;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Polygon;

    fn square(x: f64, y: f64) -> MultiPolygon<f64> {
        let ring = LineString::from(vec![
            (x, y),
            (x + 1.0, y),
            (x + 1.0, y + 1.0),
            (x, y + 1.0),
            (x, y),
        ]);
        MultiPolygon(vec![Polygon::new(ring, vec![])])
    }

    #[test]
    fn shared_borders_are_left_out() {
        // Two unit squares side by side share the edge x = 1.
        let edge = territory_edge(&[square(0.0, 0.0), square(1.0, 0.0)]);
        assert_eq!(edge, "M0 0L1 0M1 1L0 1L0 0M1 0L2 0L2 1L1 1");
    }
}

//! SVG path data for an area: every polygon's outer ring and its holes in one
//! path, drawn with fill-rule="evenodd" so holes (and the enclaves that fill
//! them, like Nottingham inside Nottinghamshire) stay holes whatever the ring
//! orientation in the file.

use geo::{LineString, MultiPolygon};
use std::fmt::Write;

/// Path data in BNG metres at full f64 precision: Rust's shortest round-trip
/// formatting, so neighbours share exactly the same edge coordinates and the
/// same input always gives the same text.
pub fn path_data(geometry: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for polygon in geometry {
        ring(&mut d, polygon.exterior());
        for hole in polygon.interiors() {
            ring(&mut d, hole);
        }
    }
    d
}

/// "M x y L x y … Z" for a closed ring; the repeated closing point is left to Z.
fn ring(d: &mut String, ring: &LineString<f64>) {
    let points = ring.0.as_slice();
    let open = match points {
        [rest @ .., last] if points.len() > 1 && points[0] == *last => rest,
        all => all,
    };
    if open.len() < 3 {
        return;
    }
    for (i, c) in open.iter().enumerate() {
        let command = if i == 0 { 'M' } else { 'L' };
        // Writing to a String cannot fail.
        let _ = write!(d, "{command}{} {}", c.x, c.y);
    }
    d.push('Z');
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    #[test]
    fn writes_outer_ring_and_holes_with_full_precision() {
        let square = LineString::from(vec![
            (0.0, 0.0),
            (10.0, 0.0),
            (10.0, 10.0),
            (0.0, 10.0),
            (0.0, 0.0),
        ]);
        let hole = LineString::from(vec![
            (2.5, 2.5),
            (2.5, 7.5),
            (7.123456789012345, 7.5),
            (2.5, 2.5),
        ]);
        let geometry = MultiPolygon(vec![Polygon::new(square, vec![hole])]);
        assert_eq!(
            path_data(&geometry),
            "M0 0L10 0L10 10L0 10ZM2.5 2.5L2.5 7.5L7.123456789012345 7.5Z"
        );
    }

    #[test]
    fn skips_degenerate_rings() {
        let sliver = LineString::from(vec![(0.0, 0.0), (1.0, 1.0), (0.0, 0.0)]);
        assert_eq!(
            path_data(&MultiPolygon(vec![Polygon::new(sliver, vec![])])),
            ""
        );
    }
}

//! SVG path data for an area: every polygon's outer ring and its holes in one
//! path, drawn with fill-rule="evenodd" so holes (and the enclaves that fill
//! them, like Nottingham inside Nottinghamshire) stay holes whatever the ring
//! orientation in the file.

use geo::{Coord, LineString, MultiPolygon};
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

/// Path data with relative coordinates, "M x y l dx dy dx dy … z", for
/// shapes already snapped to a grid of whole units (the explorer's), where
/// the differences are short integers.
pub fn relative_path_data(geometry: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for polygon in geometry {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let Some(points) = open(ring) else { continue };
            let _ = write!(d, "M{} {}l", points[0].x, points[0].y);
            for (i, pair) in points.windows(2).enumerate() {
                for (j, delta) in [pair[1].x - pair[0].x, pair[1].y - pair[0].y]
                    .into_iter()
                    .enumerate()
                {
                    // A minus sign separates numbers as well as a space does.
                    if (i > 0 || j > 0) && delta >= 0.0 {
                        d.push(' ');
                    }
                    let _ = write!(d, "{delta}");
                }
            }
            d.push('z');
        }
    }
    d
}

/// A ring's points without the repeated closing point; None for a ring of
/// fewer than three points, which encloses nothing.
fn open(ring: &LineString<f64>) -> Option<&[Coord<f64>]> {
    let points = ring.0.as_slice();
    let open = match points {
        [rest @ .., last] if points.len() > 1 && points[0] == *last => rest,
        all => all,
    };
    (open.len() >= 3).then_some(open)
}

/// "M x y L x y … Z" for a closed ring; the repeated closing point is left to Z.
fn ring(d: &mut String, ring: &LineString<f64>) {
    let Some(open) = open(ring) else { return };
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
    fn relative_path_data_writes_differences() {
        let ring = LineString::from(vec![
            (10.0, -20.0),
            (13.0, -20.0),
            (13.0, -25.0),
            (8.0, -22.0),
            (10.0, -20.0),
        ]);
        let geometry = MultiPolygon(vec![Polygon::new(ring, vec![])]);
        assert_eq!(relative_path_data(&geometry), "M10 -20l3 0 0-5-5 3z");
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

//! Well-known binary (WKB, OGC Simple Features / ISO 19125) for polygons:
//! read from GeoPackage and GeoParquet, written to GeoParquet. Only what
//! boundaries need: Polygon and MultiPolygon, in 2D, with Z and M values
//! (ISO or PostGIS-extended type codes) skipped on reading.

use super::rings_of;
use geo::{Coord, MultiPolygon};

/// Polygons as rings of positions in the file's CRS: the first ring of each
/// polygon is its outer ring, the rest its holes.
pub type Rings = Vec<Vec<Vec<Coord<f64>>>>;

const POLYGON: u32 = 3;
const MULTIPOLYGON: u32 = 6;

/// The type's name, for "geometry is a LineString"-style messages.
pub fn type_name(code: u32) -> String {
    match code {
        1 => "Point",
        2 => "LineString",
        3 => "Polygon",
        4 => "MultiPoint",
        5 => "MultiLineString",
        6 => "MultiPolygon",
        7 => "GeometryCollection",
        8 => "CircularString",
        9 => "CompoundCurve",
        10 => "CurvePolygon",
        11 => "MultiCurve",
        12 => "MultiSurface",
        15 => "PolyhedralSurface",
        16 => "TIN",
        17 => "Triangle",
        other => return format!("geometry of WKB type {other}"),
    }
    .to_string()
}

/// A cursor over WKB bytes that never reads past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    little: bool,
}

/// What a WKB header says: the base type (1-17) and how many numbers each
/// position has.
struct Header {
    kind: u32,
    dimensions: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| "WKB ends early (truncated geometry)".to_string())?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b: [u8; 4] = self.take(4)?.try_into().expect("4 bytes");
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b: [u8; 8] = self.take(8)?.try_into().expect("8 bytes");
        Ok(if self.little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items each at least `size` bytes long, checked against
    /// what is left, so a damaged count cannot ask for gigabytes.
    fn count(&mut self, size: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size) > self.bytes.len() - self.at {
            return Err(format!("WKB count {n} is larger than the geometry"));
        }
        Ok(n)
    }

    fn header(&mut self) -> Result<Header, String> {
        self.little = match self.take(1)?[0] {
            0 => false,
            1 => true,
            b => return Err(format!("not WKB (byte order mark {b})")),
        };
        let code = self.u32()?;
        // PostGIS extended WKB: flags in the high bits, then maybe an SRID.
        let (z, m) = (code & 0x8000_0000 != 0, code & 0x4000_0000 != 0);
        if code & 0x2000_0000 != 0 {
            self.u32()?;
        }
        let code = code & 0x0fff_ffff;
        // ISO WKB: 1000s for Z, 2000s for M, 3000s for ZM.
        let (kind, iso) = (code % 1000, code / 1000);
        if iso > 3 {
            return Err(format!("unknown WKB geometry type {code}"));
        }
        let dimensions = 2 + usize::from(z || iso & 1 == 1) + usize::from(m || iso & 2 == 2);
        Ok(Header { kind, dimensions })
    }

    fn polygon(&mut self, dimensions: usize) -> Result<Vec<Vec<Coord<f64>>>, String> {
        let rings = self.count(4)?;
        (0..rings)
            .map(|_| {
                let points = self.count(8 * dimensions)?;
                (0..points)
                    .map(|_| {
                        let c = Coord {
                            x: self.f64()?,
                            y: self.f64()?,
                        };
                        self.take(8 * (dimensions - 2))?;
                        Ok(c)
                    })
                    .collect()
            })
            .collect()
    }
}

/// The geometry type of a WKB blob (1 Point … 6 MultiPolygon …).
pub fn kind(bytes: &[u8]) -> Result<u32, String> {
    let mut reader = Reader {
        bytes,
        at: 0,
        little: true,
    };
    reader.header().map(|h| h.kind)
}

/// A WKB Polygon's or MultiPolygon's rings.
pub fn polygons(bytes: &[u8]) -> Result<Rings, String> {
    let mut reader = Reader {
        bytes,
        at: 0,
        little: true,
    };
    let header = reader.header()?;
    match header.kind {
        POLYGON => Ok(vec![reader.polygon(header.dimensions)?]),
        MULTIPOLYGON => {
            let n = reader.count(9)?;
            (0..n)
                .map(|_| {
                    let part = reader.header()?;
                    if part.kind != POLYGON {
                        return Err(format!("a MultiPolygon holds a {}", type_name(part.kind)));
                    }
                    reader.polygon(part.dimensions)
                })
                .collect()
        }
        other => Err(format!("geometry is a {}", type_name(other))),
    }
}

/// A multipolygon as little-endian 2D WKB.
pub fn multipolygon(geometry: &MultiPolygon<f64>) -> Vec<u8> {
    let mut out = Vec::new();
    let header = |out: &mut Vec<u8>, kind: u32, count: usize| {
        out.push(1);
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&(count as u32).to_le_bytes());
    };
    header(&mut out, MULTIPOLYGON, geometry.0.len());
    for polygon in geometry {
        header(&mut out, POLYGON, 1 + polygon.interiors().len());
        for ring in rings_of(polygon) {
            out.extend_from_slice(&(ring.0.len() as u32).to_le_bytes());
            for c in &ring.0 {
                out.extend_from_slice(&c.x.to_le_bytes());
                out.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::wkt;

    #[test]
    fn round_trips_a_multipolygon_with_a_hole() {
        let shape: MultiPolygon<f64> = wkt!(MULTIPOLYGON(
            ((0. 0., 10. 0., 10. 10., 0. 10., 0. 0.), (2. 2., 2. 4., 4. 4., 4. 2., 2. 2.)),
            ((20. 0., 21. 0., 21. 1., 20. 0.))
        ));
        let bytes = multipolygon(&shape);
        assert_eq!(kind(&bytes), Ok(MULTIPOLYGON));
        let rings = polygons(&bytes).unwrap();
        assert_eq!(rings.len(), 2);
        assert_eq!(rings[0].len(), 2);
        assert_eq!(rings[0][1][1], Coord { x: 2.0, y: 4.0 });
        assert_eq!(rings[1][0].len(), 4);
    }

    /// A big-endian ISO PolygonZ (type 1003), written out by hand.
    #[test]
    fn reads_big_endian_and_skips_z() {
        let mut bytes = vec![0u8];
        bytes.extend_from_slice(&1003u32.to_be_bytes());
        bytes.extend_from_slice(&1u32.to_be_bytes());
        bytes.extend_from_slice(&4u32.to_be_bytes());
        for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)] {
            for v in [x, y, 99.0] {
                bytes.extend_from_slice(&v.to_be_bytes());
            }
        }
        let rings = polygons(&bytes).unwrap();
        assert_eq!(rings[0][0][1], Coord { x: 1.0, y: 0.0 });
        assert_eq!(rings[0][0].len(), 4);
    }

    #[test]
    fn damaged_or_other_geometry_is_a_message_not_a_panic() {
        let line = [1u8, 2, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(polygons(&line), Err("geometry is a LineString".to_string()));
        let bytes = multipolygon(&wkt!(MULTIPOLYGON(((0. 0., 1. 0., 0. 1., 0. 0.)))));
        // A cut-short blob fails the count check or the read, either way in words.
        for cut in [3, 20, bytes.len() - 10] {
            let e = polygons(&bytes[..bytes.len() - cut]).unwrap_err();
            assert!(e.contains("WKB"), "{e}");
        }
        let mut huge = bytes.clone();
        huge[5..9].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            polygons(&huge)
                .unwrap_err()
                .contains("larger than the geometry")
        );
    }
}

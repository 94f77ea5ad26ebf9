//! ESRI Shapefile: the shapes (.shp), their attributes (.dbf, in the code
//! page its .cpg names, else the one its header marks, else Windows-1252) and
//! the CRS (.prj), through the `shapefile` and `dbase` crates.
//!
//! A Shapefile polygon is a list of rings, outer rings clockwise and holes
//! anticlockwise, with nothing saying which hole is in which outer ring;
//! each hole goes to the smallest outer ring that holds it.

use super::{Areal, Feature, Format, Geometry, Rings, Source, Value, crs};
use crate::error::{Error, ErrorKind, Result};
use crate::input::Fingerprint;
use dbase::FieldValue;
use geo::Coord;
use shapefile::{PolygonRing, Shape};
use std::io::Cursor;
use std::path::{Path, PathBuf};

const PARTS_HINT: &str = "a Shapefile is several files with one name: keep the .shp, .shx, \
     .dbf and .prj together (and the .cpg, if there is one)";

pub fn read(path: &Path, fingerprint: Fingerprint) -> Result<Source> {
    let shp = std::fs::read(path).map_err(|err| Error::io(path, err))?;
    let dbf_path = companion(path, "dbf").ok_or_else(|| missing(path, "dbf", "the attributes"))?;
    let prj_path = companion(path, "prj").ok_or_else(|| missing(path, "prj", "the CRS"))?;
    let read = |p: &Path| std::fs::read(p).map_err(|err| Error::io(p, err));
    let dbf = read(&dbf_path)?;
    let prj = read(&prj_path)?;
    let shx = companion(path, "shx").map(|p| read(&p)).transpose()?;
    let cpg = companion(path, "cpg").map(|p| read(&p)).transpose()?;

    let wkt = String::from_utf8_lossy(&prj);
    let crs = crs::from_wkt(&wkt).map_err(|name| {
        Error::input(
            &prj_path,
            format!("the CRS is {name}, neither WGS84 nor British National Grid"),
        )
        .kind(ErrorKind::Unknown)
        .hint(crs::HINT)
    })?;
    let parts: Vec<&[u8]> = [
        Some(&shp),
        shx.as_ref(),
        Some(&dbf),
        Some(&prj),
        cpg.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(Vec::as_slice)
    .collect();
    let sha256 = fingerprint.of(&parts);
    let features = features(path, &dbf_path, shp, dbf, cpg.as_deref())?;
    Ok(Source {
        format: Format::Shapefile,
        crs,
        sha256,
        features,
    })
}

/// The file beside `path` with another extension, in lower or upper case.
fn companion(path: &Path, extension: &str) -> Option<PathBuf> {
    [extension.to_string(), extension.to_ascii_uppercase()]
        .into_iter()
        .map(|e| path.with_extension(e))
        .find(|p| p.is_file())
}

fn missing(path: &Path, extension: &str, what: &str) -> Error {
    Error::input(
        path,
        format!(
            "has no .{extension} beside it ({what}): expected {}",
            path.with_extension(extension).display()
        ),
    )
    .kind(ErrorKind::Missing)
    .hint(PARTS_HINT)
}

fn features(
    path: &Path,
    dbf_path: &Path,
    shp: Vec<u8>,
    dbf: Vec<u8>,
    cpg: Option<&[u8]>,
) -> Result<Vec<Feature>> {
    let bad_shp = |e: shapefile::Error| {
        Error::input(path, format!("not a readable Shapefile: {e}"))
            .kind(ErrorKind::Format)
            .caused_by(e)
            .hint("the file is damaged or truncated; export it again")
    };
    let bad_dbf = |e: dbase::Error| {
        Error::input(dbf_path, format!("not a readable dBase file: {e}"))
            .kind(ErrorKind::Format)
            .caused_by(e)
            .hint(PARTS_HINT)
    };
    let mut builder = dbase::ReaderBuilder::new();
    if let Some(cpg) = cpg {
        let name = String::from_utf8_lossy(cpg);
        let encoding =
            dbase::encoding::DynEncoding::from_name(name.trim()).ok_or_else(|| {
                Error::input(
                path.with_extension("cpg"),
                format!("names the code page '{}', which is not one this tool reads", name.trim()),
            )
            .kind(ErrorKind::Unknown)
            .hint("save the layer again in UTF-8, e.g. ogr2ogr -lco ENCODING=UTF-8 out.shp in.shp")
            })?;
        builder = builder.with_encoding(encoding);
    }
    let records = builder.build(Cursor::new(dbf)).map_err(bad_dbf)?;
    let shapes = shapefile::ShapeReader::new(Cursor::new(shp)).map_err(bad_shp)?;
    let mut reader = shapefile::Reader::new(shapes, records);
    let mut features = Vec::new();
    for (index, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = item.map_err(|e| match e {
            shapefile::Error::DbaseError(e) => bad_dbf(e).feature(format!("record {}", index + 1)),
            e => bad_shp(e).feature(format!("shape {}", index + 1)),
        })?;
        features.push(Feature {
            properties: Some(record.into_iter().map(|(k, v)| (k, value(v))).collect()),
            geometry: geometry(shape),
        });
    }
    Ok(features)
}

fn value(v: FieldValue) -> Value {
    let number = |n: Option<f64>| n.map_or(Value::Null, |n| Value::Number(n.to_string()));
    match v {
        FieldValue::Character(text) => text.map_or(Value::Null, Value::Text),
        FieldValue::Memo(text) => Value::Text(text),
        FieldValue::Numeric(n) => number(n),
        FieldValue::Float(n) => number(n.map(f64::from)),
        FieldValue::Double(n) | FieldValue::Currency(n) => number(Some(n)),
        FieldValue::Integer(n) => Value::Number(n.to_string()),
        FieldValue::Logical(b) => b.map_or(Value::Null, Value::Bool),
        other => Value::Text(format!("{other}")),
    }
}

fn geometry(shape: Shape) -> Geometry {
    let xy = |rings: Vec<PolygonRing<Coord<f64>>>| Geometry::Areal(Areal::Rings(group(rings)));
    match shape {
        Shape::NullShape => Geometry::Null,
        Shape::Polygon(p) => xy(rings(p.into_inner(), |p| Coord { x: p.x, y: p.y })),
        Shape::PolygonM(p) => xy(rings(p.into_inner(), |p| Coord { x: p.x, y: p.y })),
        Shape::PolygonZ(p) => xy(rings(p.into_inner(), |p| Coord { x: p.x, y: p.y })),
        other => Geometry::Other(other.shapetype().to_string()),
    }
}

fn rings<P>(
    rings: Vec<PolygonRing<P>>,
    xy: impl Fn(&P) -> Coord<f64>,
) -> Vec<PolygonRing<Coord<f64>>> {
    rings
        .into_iter()
        .map(|ring| match ring {
            PolygonRing::Outer(points) => PolygonRing::Outer(points.iter().map(&xy).collect()),
            PolygonRing::Inner(points) => PolygonRing::Inner(points.iter().map(&xy).collect()),
        })
        .collect()
}

/// Polygons from a Shapefile's rings: each hole goes to the smallest outer
/// ring that holds its first point. A hole no outer ring holds is kept as an
/// outer ring (as GDAL reads it), never dropped.
fn group(rings: Vec<PolygonRing<Coord<f64>>>) -> Rings {
    let (mut outers, mut holes) = (Vec::new(), Vec::new());
    for ring in rings {
        match ring {
            PolygonRing::Outer(points) => outers.push(points),
            PolygonRing::Inner(points) => holes.push(points),
        }
    }
    let areas: Vec<f64> = outers.iter().map(|ring| area(ring).abs()).collect();
    let mut polygons: Rings = outers.into_iter().map(|outer| vec![outer]).collect();
    for hole in holes {
        let holder = hole.first().and_then(|&point| {
            (0..polygons.len())
                .filter(|&i| holds(&polygons[i][0], point))
                .min_by(|&a, &b| areas[a].total_cmp(&areas[b]))
        });
        match holder {
            Some(i) => polygons[i].push(hole),
            None => polygons.push(vec![hole]),
        }
    }
    polygons
}

/// Twice the signed area (shoelace); only compared, so the factor is moot.
fn area(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

/// Whether a ring holds a point, by the even-odd rule.
fn holds(ring: &[Coord<f64>], p: Coord<f64>) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, size: f64, clockwise: bool) -> Vec<Coord<f64>> {
        let mut ring = vec![
            Coord { x, y },
            Coord { x: x + size, y },
            Coord {
                x: x + size,
                y: y + size,
            },
            Coord { x, y: y + size },
            Coord { x, y },
        ];
        if clockwise {
            ring.reverse();
        }
        ring
    }

    #[test]
    fn holes_go_to_the_smallest_outer_ring_that_holds_them() {
        // A big square with an island inside it, listed first; the hole in
        // the island comes after the big square's own hole.
        let rings = vec![
            PolygonRing::Outer(square(4.0, 4.0, 2.0, true)), // island
            PolygonRing::Outer(square(0.0, 0.0, 10.0, true)), // big square
            PolygonRing::Inner(square(1.0, 1.0, 1.0, false)), // in the big square only
            PolygonRing::Inner(square(4.5, 4.5, 1.0, false)), // in the island (and the big square)
            PolygonRing::Inner(square(20.0, 0.0, 1.0, false)), // in nothing
        ];
        let polygons = group(rings);
        assert_eq!(polygons.len(), 3);
        assert_eq!(polygons[0].len(), 2, "island with its hole");
        assert_eq!(polygons[0][1][0], Coord { x: 4.5, y: 4.5 });
        assert_eq!(polygons[1].len(), 2, "big square with its hole");
        assert_eq!(polygons[1][1][0], Coord { x: 1.0, y: 1.0 });
        assert_eq!(
            polygons[2].len(),
            1,
            "an orphan hole is kept as an outer ring"
        );
    }
}

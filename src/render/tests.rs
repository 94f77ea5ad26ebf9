//! The whole map on hand-made layers: a county with a hole, the city that
//! fills the hole, an island, and (for the inset) two London boroughs.

use super::*;
use crate::geography::boundaries::Boundary;
use crate::stats::classify::{Method, classify};
use geo::{LineString, MultiPolygon, Polygon};
use resvg::tiny_skia::Pixmap;
use std::path::PathBuf;

/// A square ring, side `side` km, lower-left corner at (x, y) km from an
/// origin in the East Midlands.
fn square(x: f64, y: f64, side: f64) -> LineString<f64> {
    let (x, y, s) = (
        450_000.0 + x * 1000.0,
        330_000.0 + y * 1000.0,
        side * 1000.0,
    );
    LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)])
}

fn area(code: &str, name: &str, polygons: Vec<Polygon<f64>>) -> Boundary {
    Boundary {
        code: code.into(),
        name: name.into(),
        geometry: MultiPolygon(polygons),
    }
}

fn layer(with_london: bool) -> BoundaryLayer {
    let mut features = vec![
        area(
            "E10000024",
            "County",
            vec![Polygon::new(
                square(0.0, 0.0, 30.0),
                vec![square(10.0, 10.0, 10.0)],
            )],
        ),
        area(
            "E06000018",
            "City",
            vec![Polygon::new(square(10.0, 10.0, 10.0), vec![])],
        ),
        area(
            "E06000046",
            "Island",
            vec![Polygon::new(square(40.0, -20.0, 8.0), vec![])],
        ),
    ];
    if with_london {
        features.push(area(
            "E09000001",
            "Borough A",
            vec![Polygon::new(square(60.0, 0.0, 5.0), vec![])],
        ));
        features.push(area(
            "E09000002",
            "Borough B",
            vec![Polygon::new(square(65.0, 0.0, 5.0), vec![])],
        ));
    }
    BoundaryLayer {
        path: PathBuf::from("test.geojson"),
        sha256: None,
        source_crs: crate::geography::read::Crs::Bng,
        features,
        repairs: vec![],
        excluded: vec![],
    }
}

fn values() -> BTreeMap<String, f64> {
    [
        ("E10000024", 120.0),
        ("E06000018", 900.0),
        ("E09000001", 400.0),
        ("E09000002", f64::NAN),
    ]
    .into_iter()
    .map(|(code, v)| (code.to_string(), v))
    .collect()
}

fn spec(classes: &Classes) -> MapSpec<'_> {
    MapSpec {
        title: "Unmet need: current mental illness".to_string(),
        subtitle: "People on probation, by upper-tier local authority, England".to_string(),
        legend_title: "Unmet need (people)".to_string(),
        source_line: "Source: jsna-gap 0.1.0; caseload apportioned by adult population".to_string(),
        attribution: ATTRIBUTION.to_string(),
        palette: Palette::Viridis,
        classes,
        highlight: None,
        shown: BTreeMap::new(),
    }
}

const ATTRIBUTION: &str = "Source: Office for National Statistics licensed under the Open \
    Government Licence v.3.0. Contains OS data © Crown copyright and database right 2024.";

fn classes() -> Classes {
    classify(
        &[120.0, 400.0, 900.0],
        &Method::Fixed(vec![200.0, 500.0, 1000.0]),
        0,
    )
    .unwrap()
}

/// The colour of the pixel under a BNG point (km from the test origin).
fn pixel_at(png: &[u8], frame: &Frame, x_km: f64, y_km: f64) -> Rgb {
    let pixmap = Pixmap::decode_png(png).unwrap();
    let (x, y) = frame.to_pixel(
        450_000.0 + x_km * 1000.0,
        330_000.0 + y_km * 1000.0,
        pixmap.width(),
    );
    let p = pixmap.pixel(x as u32, y as u32).unwrap();
    Rgb(p.red(), p.green(), p.blue())
}

#[test]
fn every_area_is_one_evenodd_path_with_its_holes() {
    let classes = classes();
    let svg = choropleth_svg(&layer(false), &values(), &spec(&classes));
    assert_eq!(svg.matches("<path id=").count(), 3);
    assert_eq!(svg.matches(r#"fill-rule="evenodd""#).count(), 3);
    let county = svg
        .lines()
        .find(|l| l.contains(r#"id="area-E10000024""#))
        .unwrap();
    assert_eq!(
        county.matches('M').count(),
        2,
        "outer ring and hole: {county}"
    );
    assert!(
        county.contains("M450000 330000L480000 330000"),
        "full BNG coordinates: {county}"
    );
}

#[test]
fn legend_counts_classes_and_no_data() {
    let classes = classes();
    let svg = choropleth_svg(&layer(false), &values(), &spec(&classes));
    for label in [
        "≤ 200",
        "over 200 to 500",
        "over 500 to 1,000",
        "No data",
        "Unmet need (people)",
    ] {
        assert!(svg.contains(&format!(">{label}</text>")), "{label} missing");
    }
    // The island has no value: hatched on the map and counted under "No data".
    assert!(svg.contains(r##"href="#area-E06000046" fill="url(#no-data-main)""##));
    assert!(svg.contains("Island (E06000046): no data"));
}

#[test]
fn svg_carries_source_and_attribution() {
    let classes = classes();
    let spec = spec(&classes);
    let svg = choropleth_svg(&layer(false), &values(), &spec);
    assert!(svg.contains(&format!(">{}</text>", escape(&spec.source_line))));
    assert!(svg.contains(&format!(">{ATTRIBUTION}</text>")));
}

#[test]
fn same_input_same_bytes() {
    let classes = classes();
    let a = choropleth_svg(&layer(true), &values(), &spec(&classes));
    let b = choropleth_svg(&layer(true), &values(), &spec(&classes));
    assert_eq!(a, b);
    assert_eq!(
        svg_to_png(&a, PNG_WIDTH).unwrap(),
        svg_to_png(&b, PNG_WIDTH).unwrap()
    );
}

#[test]
fn london_inset_only_with_london_boroughs() {
    let classes = classes();
    let without = choropleth_svg(&layer(false), &values(), &spec(&classes));
    assert!(!without.contains("London (enlarged)"));
    let with = choropleth_svg(&layer(true), &values(), &spec(&classes));
    assert!(with.contains("London (enlarged)"));
    // Boroughs are drawn twice (main map and inset), other areas once.
    assert_eq!(
        with.matches(r##"<use href="#area-E09000001" fill="##)
            .count(),
        2
    );
    assert_eq!(
        with.matches(r##"<use href="#area-E06000018" fill="##)
            .count(),
        1
    );
}

#[test]
fn highlight_outlines_the_area() {
    let classes = classes();
    let spec = MapSpec {
        highlight: Some("E06000018"),
        ..spec(&classes)
    };
    let svg = choropleth_svg(&layer(false), &values(), &spec);
    assert!(svg.contains(r##"<use href="#area-E06000018" fill="none" stroke="#ffffff""##));
    assert!(svg.contains(r##"<use href="#area-E06000018" fill="none" stroke="#000000""##));
}

#[test]
fn enclave_and_ring_render_in_their_own_colours() {
    let classes = classes();
    let layer = layer(false);
    let svg = choropleth_svg(&layer, &values(), &spec(&classes));
    let png = svg_to_png(&svg, PNG_WIDTH).unwrap();
    let frame = map_frame(&layer).unwrap();
    let colours = Palette::Viridis.colours(3);
    // Inside the hole: the city's class (900 → third), not the county's.
    assert_eq!(pixel_at(&png, &frame, 15.0, 15.0), colours[2]);
    // In the county's ring: the county's class (120 → first).
    assert_eq!(pixel_at(&png, &frame, 5.0, 15.0), colours[0]);
    assert_eq!(pixel_at(&png, &frame, 25.0, 25.0), colours[0]);
    // Outside everything: the white page.
    assert_eq!(pixel_at(&png, &frame, 35.0, 15.0), style::BACKGROUND);
    assert_eq!(Pixmap::decode_png(&png).unwrap().width(), PNG_WIDTH);
}

//! Maps drawn from the real December 2024 county and unitary authority
//! boundaries: an enclave (Nottingham inside Nottinghamshire) and an island
//! (the Isle of Wight) land on the right pixels in their own class colours.

use geo::{BoundingRect, Contains, Coord, Line, MultiPolygon, Point, Rect};
use jsna_gap::geography::boundaries::{BoundaryLayer, read_file};
use jsna_gap::palette::{Palette, Rgb};
use jsna_gap::render::{self, MapSpec};
use jsna_gap::source::DataSource;
use jsna_gap::stats::classify::{Classes, Method, classify};
use resvg::tiny_skia::Pixmap;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const NOTTINGHAM: &str = "E06000018";
const NOTTINGHAMSHIRE: &str = "E10000024";
const ISLE_OF_WIGHT: &str = "E06000046";

/// England's counties and unitary authorities (the embedded dataset's
/// byte-for-byte copy of the ONS file), read once for all tests.
fn layer() -> &'static BoundaryLayer {
    static LAYER: OnceLock<BoundaryLayer> = OnceLock::new();
    LAYER.get_or_init(|| {
        let file = DataSource::Embedded
            .file("boundaries/utla/CTYUA_DEC_2024_UK_BUC.geojson")
            .unwrap();
        let outside_england =
            |code: &str| (!code.starts_with('E')).then(|| "not in England".to_string());
        read_file(&file, "AREACD", "AREANM", &outside_england).unwrap()
    })
}

/// Three classes: most areas low, the Isle of Wight middle, Nottingham high.
fn values() -> BTreeMap<String, f64> {
    layer()
        .features
        .iter()
        .map(|f| {
            let v = match f.code.as_str() {
                NOTTINGHAM => 900.0,
                ISLE_OF_WIGHT => 500.0,
                _ => 100.0,
            };
            (f.code.clone(), v)
        })
        .collect()
}

fn classes() -> Classes {
    let data: Vec<f64> = values().into_values().collect();
    classify(&data, &Method::Fixed(vec![200.0, 600.0, 1000.0]), 0).unwrap()
}

const ATTRIBUTION: &str = "Source: Office for National Statistics licensed under the Open \
    Government Licence v.3.0. Contains OS data © Crown copyright and database right 2024.";

fn spec(classes: &Classes) -> MapSpec<'_> {
    MapSpec {
        title: "Estimated unmet need: current mental illness among people on probation".to_string(),
        subtitle: "Upper-tier local authority (Health and Wellbeing Board), December 2024"
            .to_string(),
        legend_title: "People".to_string(),
        source_line: "Source: jsna-gap test; made-up values".to_string(),
        attribution: ATTRIBUTION.to_string(),
        palette: Palette::Viridis,
        classes,
        highlight: None,
        shown: BTreeMap::new(),
    }
}

fn geometry(code: &str) -> &'static MultiPolygon<f64> {
    &layer()
        .features
        .iter()
        .find(|f| f.code == code)
        .unwrap()
        .geometry
}

/// The point of a grid over the area farthest from its boundary, and that
/// distance in metres: a point "well inside", away from outlines and
/// anti-aliasing.
fn deepest_point(area: &MultiPolygon<f64>) -> (Point<f64>, f64) {
    let edges: Vec<Line<f64>> = area
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines())
        .collect();
    let distance = |c: Coord<f64>| {
        edges
            .iter()
            .map(|e| segment_distance(c, e))
            .fold(f64::INFINITY, f64::min)
    };
    let bbox: Rect<f64> = area.bounding_rect().unwrap();
    let steps = 80;
    (0..=steps)
        .flat_map(|i| (0..=steps).map(move |j| (i, j)))
        .map(|(i, j)| Coord {
            x: bbox.min().x + bbox.width() * i as f64 / steps as f64,
            y: bbox.min().y + bbox.height() * j as f64 / steps as f64,
        })
        .filter(|&c| area.contains(&c))
        .map(|c| (Point::from(c), distance(c)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap()
}

fn segment_distance(c: Coord<f64>, line: &Line<f64>) -> f64 {
    let (d, to_c) = (line.delta(), c - line.start);
    let length2 = d.x * d.x + d.y * d.y;
    let t = if length2 == 0.0 {
        0.0
    } else {
        ((to_c.x * d.x + to_c.y * d.y) / length2).clamp(0.0, 1.0)
    };
    let nearest = line.start + d * t;
    ((c.x - nearest.x).powi(2) + (c.y - nearest.y).powi(2)).sqrt()
}

/// The colour of the PNG pixel under the deepest point of an area, checking
/// the point is far enough inside for the pixel to be pure fill.
fn colour_inside(png: &Pixmap, code: &str) -> Rgb {
    let frame = render::map_frame(layer()).unwrap();
    let (point, depth_m) = deepest_point(geometry(code));
    let (x, y) = frame.to_pixel(point.x(), point.y(), png.width());
    let depth_px = depth_m * frame.scale * f64::from(png.width()) / render::CANVAS_WIDTH;
    assert!(
        depth_px > 2.0,
        "{code}: deepest point only {depth_px:.1} px inside"
    );
    let p = png.pixel(x as u32, y as u32).unwrap();
    Rgb(p.red(), p.green(), p.blue())
}

#[test]
fn enclave_and_island_take_their_own_class_colours() {
    let classes = classes();
    let svg = render::choropleth_svg(layer(), &values(), &spec(&classes));
    let png = render::svg_to_png(&svg, render::PNG_WIDTH).unwrap();
    // Kept for people to look at: target/tmp/ctyua-test-map.png.
    std::fs::write(
        concat!(env!("CARGO_TARGET_TMPDIR"), "/ctyua-test-map.png"),
        &png,
    )
    .unwrap();
    let pixmap = Pixmap::decode_png(&png).unwrap();
    assert!(pixmap.width() >= 1600);
    let colours = Palette::Viridis.colours(3);
    assert_eq!(classes.class_of(900.0), Some(2));
    assert_eq!(colour_inside(&pixmap, NOTTINGHAM), colours[2], "Nottingham");
    assert_eq!(
        colour_inside(&pixmap, NOTTINGHAMSHIRE),
        colours[0],
        "Nottinghamshire"
    );
    assert_eq!(
        colour_inside(&pixmap, ISLE_OF_WIGHT),
        colours[1],
        "Isle of Wight"
    );
}

#[test]
fn real_map_is_deterministic_and_credits_its_sources() {
    let classes = classes();
    let svg = render::choropleth_svg(layer(), &values(), &spec(&classes));
    assert_eq!(
        svg,
        render::choropleth_svg(layer(), &values(), &spec(&classes))
    );
    assert!(svg.contains(&format!(">{ATTRIBUTION}</text>")));
    assert!(svg.contains(">Source: jsna-gap test; made-up values</text>"));
    // Every English area is drawn, with the London inset for the 33 boroughs.
    assert_eq!(svg.matches("<path id=").count(), layer().features.len());
    assert!(svg.contains("London (enlarged)"));
}

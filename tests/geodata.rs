//! Boundary layers in every format analysts receive: Shapefile, GeoPackage
//! and GeoParquet, in WGS84 and British National Grid, made by GDAL and
//! GeoPandas from the real ONS GeoJSON (tests/fixtures/geodata, made by its
//! make_fixtures.py), must give the crosswalk the GeoJSON gives; GeoParquet
//! written by `apportion --out X.parquet` must read back; and every bad
//! input is refused with exit status 2 and a message naming the file.

use geo::Area;
use jsna_gap::apportion::{Crosswalk, LayerRequest, OutputFormat, Request, area, read_layer};
use jsna_gap::error::ErrorKind;
use jsna_gap::geography::boundaries::BoundaryLayer;
use jsna_gap::geography::read::Crs;
use jsna_gap::geography::wkb;
use jsna_gap::input::Fingerprint;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/geodata")
        .join(file)
}

/// The code field as each format stores it: Shapefile names are cut to 10 characters.
fn lsoa_code(file: &str) -> &'static str {
    if file.ends_with(".shp") {
        "lsoa11_cod"
    } else {
        "lsoa11_code"
    }
}

fn layer(file: &str, code: &str) -> BoundaryLayer {
    read_layer(&fixture(file), None, code, Fingerprint::Skip).unwrap_or_else(|e| panic!("{e}"))
}

fn humber(lsoa: &str, ccg: &str) -> Crosswalk {
    let source = layer(lsoa, lsoa_code(lsoa));
    let target = layer(ccg, "AREACD");
    area::crosswalk(&source, &target)
}

fn weights(cw: &Crosswalk) -> BTreeMap<(String, String), f64> {
    cw.links
        .iter()
        .map(|l| {
            let (source, target) = cw.codes(l);
            ((source.to_string(), target.to_string()), l.weight)
        })
        .collect()
}

/// Same links, and weights within `tolerance`; returns the largest difference.
fn agree(ours: &Crosswalk, reference: &Crosswalk, tolerance: f64, what: &str) -> f64 {
    let (a, b) = (weights(ours), weights(reference));
    let mut worst: f64 = 0.0;
    for (pair, w) in &b {
        let v = a.get(pair).copied().unwrap_or(0.0);
        worst = worst.max((v - w).abs());
    }
    for (pair, v) in &a {
        worst = worst.max((v - b.get(pair).copied().unwrap_or(0.0)).abs());
    }
    assert!(
        worst <= tolerance,
        "{what}: weights differ by up to {worst}"
    );
    assert_eq!(
        ours.sources.codes().collect::<Vec<_>>(),
        reference.sources.codes().collect::<Vec<_>>(),
        "{what}"
    );
    assert_eq!(
        ours.targets.codes().collect::<Vec<_>>(),
        reference.targets.codes().collect::<Vec<_>>(),
        "{what}"
    );
    worst
}

#[test]
fn every_format_gives_the_geojson_crosswalk() {
    let reference = humber("humber_lsoa.geojson", "humber_ccg.geojson");
    assert_eq!(reference.sources.len(), 298);
    assert_eq!(reference.targets.len(), 9);
    // The Humber and the North Sea coast: the CCG lines leave parts out.
    assert!(reference.placed_shares().values.iter().any(|p| *p < 0.9));
    for format in ["shp", "gpkg", "parquet"] {
        let ours = humber(
            &format!("humber_lsoa.{format}"),
            &format!("humber_ccg.{format}"),
        );
        let worst = agree(&ours, &reference, 1e-9, format);
        eprintln!("{format}: weights within {worst:.1e} of the GeoJSON's");
    }
}

#[test]
fn holes_and_parts_survive_every_format() {
    let reference = layer("humber_lsoa.geojson", "lsoa11_code");
    let rings = |l: &BoundaryLayer| -> Vec<(String, usize, usize)> {
        let mut v: Vec<_> = l
            .features
            .iter()
            .map(|f| {
                let holes = f.geometry.iter().map(|p| p.interiors().len()).sum();
                (f.code.clone(), f.geometry.0.len(), holes)
            })
            .collect();
        v.sort();
        v
    };
    let expected = rings(&reference);
    // As GeoPandas counts them: 4 LSOAs with holes, 9 multi-part.
    assert_eq!(expected.iter().filter(|(_, _, h)| *h > 0).count(), 4);
    assert_eq!(expected.iter().filter(|(_, p, _)| *p > 1).count(), 9);
    for file in ["humber_lsoa.shp", "humber_lsoa.gpkg", "humber_lsoa.parquet"] {
        let ours = layer(file, lsoa_code(file));
        assert_eq!(rings(&ours), expected, "{file}");
        assert_eq!(ours.source_crs, Crs::Wgs84);
        for (a, b) in ours.features.iter().zip(&reference.features) {
            assert!((a.geometry.unsigned_area() - b.geometry.unsigned_area()).abs() < 1e-6);
        }
    }
}

#[test]
fn british_national_grid_inputs_agree_with_their_wgs84_originals() {
    // GDAL/PROJ projected these with the Helmert shift (no OSTN15 grid), a
    // few metres from jsna-gap's OSTN15; shared boundaries move together,
    // so weights move far less.
    let reference = humber("humber_lsoa.geojson", "humber_ccg.geojson");
    for (lsoa, ccg) in [
        ("humber_lsoa_bng.shp", "humber_ccg_bng.shp"),
        ("humber_lsoa_bng.gpkg", "humber_ccg_bng.gpkg"),
        ("humber_lsoa_bng.parquet", "humber_ccg_bng.parquet"),
        ("humber_lsoa_bng.geojson", "humber_ccg_bng.geojson"),
    ] {
        let source = layer(lsoa, lsoa_code(lsoa));
        assert_eq!(source.source_crs, Crs::Bng, "{lsoa}");
        let ours = area::crosswalk(&source, &layer(ccg, "AREACD"));
        let worst = agree(&ours, &reference, 2e-4, lsoa);
        eprintln!("{lsoa}: weights within {worst:.1e} of the WGS84 GeoJSON's");
        assert!(
            worst > 0.0,
            "{lsoa}: a different projection cannot agree exactly"
        );
        // Areas: the projections differ in scale by a few parts per million.
        for (code, area) in reference.sources.iter() {
            let relative = ours.sources[code] / area - 1.0;
            assert!(
                relative.abs() < 1e-4,
                "{lsoa} {code}: area differs by {relative}"
            );
        }
    }
}

#[test]
fn shapefile_text_in_windows_1252_is_decoded() {
    // No .cpg and no code page mark: Windows-1252, where 0x96 is an en dash.
    let layer = jsna_gap::geography::boundaries::read_layer(
        &fixture("anglesey_cp1252.shp"),
        "AREACD",
        "AREANM",
        &|_| None,
    )
    .unwrap();
    assert_eq!(layer.features[0].name, "Ynys Môn – Isle of Anglesey");
    assert_eq!(layer.features[0].code, "W06000001");
}

// ------------------------------------------------------------ command line

fn jsna_gap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jsna-gap"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jsna-gap-geodata-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn apportion(from: &Path, from_code: &str, to: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "apportion",
        "--from",
        from.to_str().unwrap(),
        "--from-code",
        from_code,
        "--to",
        to.to_str().unwrap(),
        "--to-code",
        "AREACD",
    ];
    args.extend_from_slice(extra);
    jsna_gap(&args)
}

/// A bad case: exit status 2, nothing on stdout, and the message names
/// `file`; the same request made from Rust fails with an error of `kind`
/// naming the same file.
fn refused(
    from: &Path,
    from_code: &str,
    to: &Path,
    extra: &[&str],
    file: &Path,
    kind: ErrorKind,
) -> String {
    let table = extra
        .iter()
        .position(|a| *a == "--from-layer")
        .map(|i| extra[i + 1].to_string());
    let request = Request {
        from: LayerRequest {
            path: from.to_path_buf(),
            table,
            code_field: from_code.to_string(),
        },
        to: LayerRequest {
            path: to.to_path_buf(),
            table: None,
            code_field: "AREACD".to_string(),
        },
        values: None,
        allocate_total: false,
        output: OutputFormat::Csv,
    };
    let error = request.run(&|_| {}).expect_err("refused");
    assert_eq!(error.kind, kind, "{error}");
    assert_eq!(error.location.file.as_deref(), Some(file), "{error}");
    let out = apportion(from, from_code, to, extra);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains(&format!("error: {}", file.display())),
        "the message names {}: {stderr}",
        file.display()
    );
    assert!(stderr.contains("hint: "), "{stderr}");
    stderr
}

/// Copies a Shapefile's parts (those with the given extensions) into `dir`.
fn copy_shapefile(stem: &str, extensions: &[&str], dir: &Path) -> PathBuf {
    for ext in extensions {
        std::fs::copy(
            fixture(&format!("{stem}.{ext}")),
            dir.join(format!("{stem}.{ext}")),
        )
        .unwrap();
    }
    dir.join(format!("{stem}.shp"))
}

#[test]
fn a_shapefile_without_its_dbf_or_prj_is_refused() {
    let ccg = fixture("humber_ccg.geojson");
    let dir = scratch("no-dbf");
    let shp = copy_shapefile("humber_lsoa", &["shp", "shx", "prj"], &dir);
    let e = refused(&shp, "lsoa11_cod", &ccg, &[], &shp, ErrorKind::Missing);
    assert!(e.contains("has no .dbf beside it (the attributes)"), "{e}");
    assert!(
        e.contains("keep the .shp, .shx, .dbf and .prj together"),
        "{e}"
    );

    let dir = scratch("no-prj");
    let shp = copy_shapefile("humber_lsoa", &["shp", "shx", "dbf", "cpg"], &dir);
    let e = refused(&shp, "lsoa11_cod", &ccg, &[], &shp, ErrorKind::Missing);
    assert!(e.contains("has no .prj beside it (the CRS)"), "{e}");
}

#[test]
fn an_unknown_crs_is_refused_in_every_format() {
    let ccg = fixture("humber_ccg.geojson");
    // Shapefile: a Web Mercator .prj, as GDAL writes it.
    let dir = scratch("mercator");
    let shp = copy_shapefile("humber_lsoa", &["shp", "shx", "dbf", "cpg"], &dir);
    let prj = dir.join("humber_lsoa.prj");
    std::fs::write(&prj, r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#).unwrap();
    let e = refused(&shp, "lsoa11_cod", &ccg, &[], &prj, ErrorKind::Unknown);
    assert!(
        e.contains("the CRS is WGS_1984_Web_Mercator_Auxiliary_Sphere, neither WGS84 nor British National Grid"),
        "{e}"
    );
    assert!(e.contains("ogr2ogr -t_srs EPSG:27700"), "{e}");

    // GeoPackage: the table's SRS is EPSG:3857.
    let gpkg = copy_gpkg("humber_lsoa.gpkg", "mercator-gpkg");
    sql(
        &gpkg,
        &[
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / Pseudo-Mercator', 3857, 'EPSG', 3857, 'PROJCS[\"WGS 84 / Pseudo-Mercator\"]', '')",
            "UPDATE gpkg_geometry_columns SET srs_id = 3857",
            "UPDATE gpkg_contents SET srs_id = 3857",
        ],
    );
    let e = refused(&gpkg, "lsoa11_code", &ccg, &[], &gpkg, ErrorKind::Unknown);
    assert!(
        e.contains("table 'humber_lsoa' is in EPSG:3857 (srs_id 3857)"),
        "{e}"
    );

    // GeoParquet: a PROJJSON crs with EPSG:3857's id.
    let parquet = rewrite_parquet("humber_lsoa.parquet", "mercator-parquet", None, |geo| {
        let mut geo: serde_json::Value = serde_json::from_str(geo.unwrap()).unwrap();
        geo["columns"]["geometry"]["crs"] = serde_json::json!({"type": "ProjectedCRS",
            "name": "WGS 84 / Pseudo-Mercator", "id": {"authority": "EPSG", "code": 3857}});
        Some(geo.to_string())
    });
    let e = refused(
        &parquet,
        "lsoa11_code",
        &ccg,
        &[],
        &parquet,
        ErrorKind::Unknown,
    );
    assert!(
        e.contains("column 'geometry' is in WGS 84 / Pseudo-Mercator (EPSG:3857), neither"),
        "{e}"
    );
}

/// A copy of a GeoPackage fixture to change.
fn copy_gpkg(file: &str, name: &str) -> PathBuf {
    let dir = scratch(name);
    let path = dir.join(file);
    std::fs::copy(fixture(file), &path).unwrap();
    path
}

fn sql(path: &Path, statements: &[&str]) {
    let db = rusqlite::Connection::open(path).unwrap();
    for s in statements {
        db.execute(s, []).unwrap_or_else(|e| panic!("{s}: {e}"));
    }
}

#[test]
fn a_geopackage_must_have_one_polygon_table_or_be_told_which() {
    let ccg = fixture("humber_ccg.geojson");
    let points = copy_gpkg("humber_lsoa.gpkg", "points");
    sql(
        &points,
        &["UPDATE gpkg_geometry_columns SET geometry_type_name = 'POINT'"],
    );
    let e = refused(
        &points,
        "lsoa11_code",
        &ccg,
        &[],
        &points,
        ErrorKind::Missing,
    );
    assert!(
        e.contains("has no polygon table; its feature tables are: humber_lsoa (POINT)"),
        "{e}"
    );

    let two = copy_gpkg("humber_lsoa.gpkg", "two");
    sql(
        &two,
        &[
            "CREATE TABLE west AS SELECT * FROM humber_lsoa WHERE lsoa11_code < 'E01013000'",
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('west', 'features', 'west', 4326)",
            "INSERT INTO gpkg_geometry_columns VALUES ('west', 'geom', 'MULTIPOLYGON', 4326, 0, 0)",
        ],
    );
    let e = refused(&two, "lsoa11_code", &ccg, &[], &two, ErrorKind::Config);
    assert!(
        e.contains("has 2 polygon tables: humber_lsoa (MULTIPOLYGON), west (MULTIPOLYGON)")
            && e.contains("--from-layer"),
        "{e}"
    );
    // Told which, it reads that one.
    let out = apportion(&two, "lsoa11_code", &ccg, &["--from-layer", "west"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let whole = apportion(&two, "lsoa11_code", &ccg, &["--from-layer", "humber_lsoa"]);
    let (west, whole) = (text(&out.stdout), text(&whole.stdout));
    assert!(west.lines().count() > 10 && west.lines().count() < whole.lines().count());
    assert!(west.lines().skip(1).all(|l| whole.contains(l)));
    let e = refused(
        &two,
        "lsoa11_code",
        &ccg,
        &["--from-layer", "east"],
        &two,
        ErrorKind::Unknown,
    );
    assert!(e.contains("has no polygon table 'east'"), "{e}");
    // A table name for a file with no tables is a mistake too.
    let geojson = fixture("humber_lsoa.geojson");
    let e = refused(
        &geojson,
        "lsoa11_code",
        &ccg,
        &["--from-layer", "west"],
        &geojson,
        ErrorKind::Config,
    );
    assert!(e.contains("is a GeoJSON file, which has no tables"), "{e}");
}

/// A copy of a Parquet fixture with its `geo` metadata changed by `edit`
/// (None: dropped), written with polars; with `rows`, in row groups of that
/// many rows and data pages of at most 1 KiB.
fn rewrite_parquet(
    file: &str,
    name: &str,
    rows: Option<usize>,
    edit: impl Fn(Option<&str>) -> Option<String>,
) -> PathBuf {
    let bytes = std::fs::read(fixture(file)).unwrap();
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    let mut metadata = (**reader.get_metadata().unwrap()).clone();
    let geo = metadata
        .key_value_metadata
        .iter()
        .flatten()
        .find(|kv| kv.key == "geo")
        .and_then(|kv| kv.value.clone());
    // As the reader does: polars cannot hold pyarrow's geoarrow.wkb type.
    metadata.key_value_metadata = None;
    reader.set_metadata(std::sync::Arc::new(metadata));
    let mut frame = reader.finish().unwrap();
    let path = scratch(name).join(file);
    let mut out = std::fs::File::create(&path).unwrap();
    let metadata = edit(geo.as_deref())
        .map(|geo| KeyValueMetadata::from_static(vec![("geo".to_string(), geo)]));
    ParquetWriter::new(&mut out)
        .with_key_value_metadata(metadata)
        .with_row_group_size(rows)
        .with_data_page_size(rows.map(|_| 1024))
        .finish(&mut frame)
        .unwrap();
    path
}

#[test]
fn a_parquet_file_without_geo_metadata_is_refused() {
    let ccg = fixture("humber_ccg.geojson");
    let plain = rewrite_parquet("humber_lsoa.parquet", "plain", None, |_| None);
    let e = refused(&plain, "lsoa11_code", &ccg, &[], &plain, ErrorKind::Missing);
    assert!(
        e.contains("is a Parquet file without GeoParquet ('geo') metadata"),
        "{e}"
    );
    assert!(e.contains("GeoPandas"), "{e}");
    // The same file with its metadata back reads.
    let restored = rewrite_parquet("humber_lsoa.parquet", "restored", None, |geo| {
        geo.map(String::from)
    });
    assert!(
        apportion(&restored, "lsoa11_code", &ccg, &[])
            .status
            .success()
    );
}

/// Found by the long fuzz run: a data page whose header claims -64 values.
/// polars' decoder read that as 2^64 - 64 and asked for 2.3 x 10^18 bytes,
/// aborting the process (exit 134) where no panic guard could catch it.
#[test]
fn a_parquet_page_claiming_a_negative_count_is_refused_not_an_abort() {
    let damaged = fixture("fuzz_geoparquet_page_abort.parquet");
    let ccg = fixture("humber_ccg.geojson");
    let e = refused(&damaged, "AREACD", &ccg, &[], &damaged, ErrorKind::Format);
    assert!(
        e.contains(
            "not a readable Parquet file: row group 0, column 'AREACD': \
             a data page claims -64 values (0 null, 0 rows) where 9 remain"
        ),
        "{e}"
    );
}

/// The count checks that guard polars' decoder accept what writers do:
/// a layer split into row groups of at most 40 rows (polars 0.55 makes 7
/// of the 298) and pages of at most 1 KiB gives the one-piece file's
/// crosswalk exactly.
#[test]
fn a_parquet_layer_in_many_row_groups_and_pages_reads_as_one() {
    let split = rewrite_parquet("humber_lsoa.parquet", "row-groups", Some(40), |geo| {
        geo.map(String::from)
    });
    let bytes = std::fs::read(&split).unwrap();
    let metadata = ParquetReader::new(std::io::Cursor::new(bytes))
        .get_metadata()
        .unwrap()
        .clone();
    assert!(
        metadata.row_groups.len() >= 5,
        "{}",
        metadata.row_groups.len()
    );
    let source = read_layer(&split, None, "lsoa11_code", Fingerprint::Skip)
        .unwrap_or_else(|e| panic!("{e}"));
    let ours = area::crosswalk(&source, &layer("humber_ccg.parquet", "AREACD"));
    agree(
        &ours,
        &humber("humber_lsoa.parquet", "humber_ccg.parquet"),
        0.0,
        "row groups",
    );
}

#[test]
fn layers_in_different_crs_are_refused() {
    let source = fixture("humber_lsoa_bng.shp");
    let target = fixture("humber_ccg.gpkg");
    let e = refused(
        &source,
        "lsoa11_cod",
        &target,
        &[],
        &target,
        ErrorKind::Mismatch,
    );
    assert!(
        e.contains("is in WGS84 longitude/latitude (EPSG:4326), but the source layer")
            && e.contains("humber_lsoa_bng.shp is in British National Grid (EPSG:27700)"),
        "{e}"
    );
    assert!(e.contains("give both layers in one CRS"), "{e}");
}

#[test]
fn a_zip_or_a_shapefile_part_is_refused_with_what_to_give() {
    let ccg = fixture("humber_ccg.geojson");
    let dbf = fixture("humber_lsoa.dbf");
    let e = refused(&dbf, "lsoa11_cod", &ccg, &[], &dbf, ErrorKind::Format);
    assert!(
        e.contains("is the .dbf part of a Shapefile") && e.contains("give the .shp"),
        "{e}"
    );
    let dir = scratch("zip");
    let zip = dir.join("lsoa.zip");
    std::fs::write(&zip, b"PK\x03\x04 not really a zip").unwrap();
    let e = refused(&zip, "lsoa11_code", &ccg, &[], &zip, ErrorKind::Format);
    assert!(
        e.contains("is a zip archive") && e.contains("unzip it"),
        "{e}"
    );
}

// ------------------------------------------------------------ GeoParquet out

#[test]
fn values_written_as_geoparquet_read_back_as_written() {
    let dir = scratch("out");
    let values = dir.join("population.csv");
    // Every LSOA of the region with population 1000: the CCGs get 1000 x
    // the LSOA-equivalents inside them.
    let lsoa = layer("humber_lsoa.geojson", "lsoa11_code");
    let mut csv = String::from("code,people\n");
    for f in &lsoa.features {
        csv.push_str(&format!("{},1000\n", f.code));
    }
    std::fs::write(&values, csv).unwrap();
    let (from, to) = (fixture("humber_lsoa.gpkg"), fixture("humber_ccg.shp"));
    let parquet = dir.join("by_ccg.parquet");
    let args = |out: &Path| -> Vec<String> {
        [
            "--values",
            values.to_str().unwrap(),
            "--code-column",
            "code",
            "--value-column",
            "people",
            "--allocate-total",
            "--out",
            out.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |out: &Path| {
        let a = args(out);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let output = apportion(&from, "lsoa11_code", &to, &a);
        assert!(output.status.success(), "{}", text(&output.stderr));
        output
    };
    let output = run(&parquet);
    assert!(
        text(&output.stderr)
            .contains("each one's whole value goes to the part inside (allocate-total)")
    );
    let csv_out = dir.join("by_ccg.csv");
    run(&csv_out);

    // The metadata, checked by hand against GeoParquet 1.1.
    let bytes = std::fs::read(&parquet).unwrap();
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes.clone()));
    let kv: BTreeMap<String, String> = reader
        .get_metadata()
        .unwrap()
        .key_value_metadata()
        .iter()
        .flatten()
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect();
    let geo: serde_json::Value = serde_json::from_str(&kv["geo"]).unwrap();
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let column = &geo["columns"]["geometry"];
    assert_eq!(column["encoding"], "WKB");
    assert_eq!(
        column["geometry_types"],
        serde_json::json!(["MultiPolygon"])
    );
    assert_eq!(
        column["crs"]["id"],
        serde_json::json!({"authority": "EPSG", "code": 27700})
    );
    assert_eq!(column["crs"]["type"], "ProjectedCRS");
    let made: serde_json::Value = serde_json::from_str(&kv["jsna-gap"]).unwrap();
    assert_eq!(made["allocate_total"], true);
    assert_eq!(made["from"]["file"], "humber_lsoa.gpkg");
    assert_eq!(made["values"]["kind"], "extensive");
    assert!(
        !kv["jsna-gap"].contains(dir.to_str().unwrap()),
        "no machine paths"
    );
    // Each input's SHA-256, a Shapefile's over its files in turn.
    let sha256 = |files: &[&Path]| {
        let mut all = Vec::new();
        for file in files.iter().filter(|f| f.exists()) {
            all.extend(std::fs::read(file).unwrap());
        }
        let digest = <sha2::Sha256 as sha2::Digest>::digest(&all);
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(made["from"]["sha256"], sha256(&[&from]));
    let shapefile = ["shp", "shx", "dbf", "prj", "cpg"].map(|e| to.with_extension(e));
    assert_eq!(
        made["to"]["sha256"],
        sha256(&shapefile.each_ref().map(PathBuf::as_path))
    );
    assert_eq!(made["values"]["sha256"], sha256(&[&values]));

    // The values are the CSV's; the boundaries are the targets'.
    let frame = reader.finish().unwrap();
    let from_csv = jsna_gap::input::Table::read(&csv_out).unwrap();
    let csv_values: Vec<(String, String)> = from_csv
        .records()
        .map(|r| (r.str("target_code").to_string(), r.str("value").to_string()))
        .collect();
    let codes = frame.column("target_code").unwrap().str().unwrap();
    let values = frame.column("value").unwrap().f64().unwrap();
    assert_eq!(frame.height(), 9);
    for (i, (code, value)) in csv_values.iter().enumerate() {
        assert_eq!(codes.get(i), Some(code.as_str()));
        let v = values.get(i).unwrap();
        assert!((v - value.parse::<f64>().unwrap()).abs() <= 1e-9 * v.abs().max(1.0));
    }
    let ccg = layer("humber_ccg.shp", "AREACD");
    let geometries = frame.column("geometry").unwrap().binary().unwrap();
    for (i, code) in codes.iter().enumerate() {
        let target = ccg
            .features
            .iter()
            .find(|f| Some(f.code.as_str()) == code)
            .unwrap();
        let rings = wkb::polygons(geometries.get(i).unwrap()).unwrap();
        let exterior: Vec<_> = target.geometry.0[0].exterior().0.clone();
        assert_eq!(rings[0][0], exterior, "{code:?}");
    }

    // And jsna-gap reads its own GeoParquet as British National Grid.
    let again = read_layer(&parquet, None, "target_code", Fingerprint::Skip).unwrap();
    assert_eq!(again.source_crs, Crs::Bng);
    assert_eq!(again.features.len(), 9);
    for f in &again.features {
        let original = ccg.features.iter().find(|c| c.code == f.code).unwrap();
        assert!((f.geometry.unsigned_area() - original.geometry.unsigned_area()).abs() < 1e-6);
    }

    // Byte-identical when run again.
    let second = dir.join("again.parquet");
    run(&second);
    assert_eq!(std::fs::read(&second).unwrap(), bytes);
}

// ------------------------------------------------------------ full size

/// The whole LSOA 2011 and CCG April 2021 layers in every format, made by
/// `make_fixtures.py --full target/geodata` (about 150 MB, not checked in):
///
/// ```sh
/// /tmp/geo-venv/bin/python tests/fixtures/geodata/make_fixtures.py --full target/geodata
/// cargo test --release --test geodata -- --ignored
/// ```
#[test]
#[ignore = "needs the full-size layers: make_fixtures.py --full target/geodata"]
fn full_layers_give_the_geojson_crosswalk_in_every_format() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/geodata");
    let read = |file: &str, code: &str| {
        read_layer(&dir.join(file), None, code, Fingerprint::Skip).unwrap()
    };
    let reference = area::crosswalk(
        &read("lsoa11.geojson", "lsoa11_code"),
        &read("ccg21.geojson", "AREACD"),
    );
    assert_eq!(reference.sources.len(), 34_753);
    for (format, code) in [
        ("shp", "lsoa11_cod"),
        ("gpkg", "lsoa11_code"),
        ("parquet", "lsoa11_code"),
    ] {
        let ours = area::crosswalk(
            &read(&format!("lsoa11.{format}"), code),
            &read(&format!("ccg21.{format}"), "AREACD"),
        );
        agree(&ours, &reference, 1e-9, format);
        let bng = area::crosswalk(
            &read(&format!("lsoa11_bng.{format}"), code),
            &read(&format!("ccg21_bng.{format}"), "AREACD"),
        );
        let worst = agree(&bng, &reference, 1e-3, &format!("{format} in BNG"));
        eprintln!("{format}: BNG weights within {worst:.2e} of the WGS84 GeoJSON's");
    }
}

//! Which coordinate reference system a boundary file is in, from however its
//! format says so: an EPSG code (GeoPackage), a name or URN (the GeoJSON
//! `crs` member), WKT (a Shapefile's .prj, a GeoPackage definition) or
//! PROJJSON (GeoParquet).
//!
//! Only two are accepted. Longitude/latitude on WGS84 (or ETRS89, which
//! OSTN15 is defined from and which differs from WGS84 by under a metre in
//! Britain) is projected to British National Grid; British National Grid
//! itself (EPSG:27700, OSGB36 Transverse Mercator) is used as it is. A CRS is
//! recognised by its EPSG code where it has one, else by its definition:
//! the datum, and for a projection every parameter of the National Grid, so
//! an ESRI .prj ("British_National_Grid", no code) is recognised and a
//! look-alike with another false origin is not.

use serde_json::Value as Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// Longitude/latitude in degrees, WGS84 or ETRS89.
    Wgs84,
    /// British National Grid, EPSG:27700: eastings and northings in metres.
    Bng,
}

impl Crs {
    pub fn name(self) -> &'static str {
        match self {
            Crs::Wgs84 => "WGS84 longitude/latitude (EPSG:4326)",
            Crs::Bng => "British National Grid (EPSG:27700)",
        }
    }
}

/// What an unrecognised CRS is called, for the message that refuses it.
pub type Unknown = String;

/// The hint for any refused CRS.
pub const HINT: &str = "boundary files must be in WGS84 longitude/latitude (EPSG:4326) or \
     British National Grid (EPSG:27700); reproject with e.g. ogr2ogr -t_srs EPSG:27700 out.gpkg in.shp";

pub fn from_epsg(code: i64) -> Result<Crs, Unknown> {
    match code {
        // WGS 84 (2D and 3D), ETRS89.
        4326 | 4979 | 4258 => Ok(Crs::Wgs84),
        27700 => Ok(Crs::Bng),
        _ => Err(format!("EPSG:{code}")),
    }
}

/// A CRS name as the GeoJSON `crs` member gives it: an OGC URN
/// (urn:ogc:def:crs:EPSG::27700, urn:ogc:def:crs:OGC:1.3:CRS84), a URL
/// (http://www.opengis.net/def/crs/EPSG/0/4326) or EPSG:27700.
pub fn from_name(name: &str) -> Result<Crs, Unknown> {
    let lower = name.trim().to_ascii_lowercase();
    if lower.ends_with("crs84") {
        return Ok(Crs::Wgs84);
    }
    let code = lower
        .rsplit([':', '/'])
        .next()
        .and_then(|c| c.parse::<i64>().ok());
    match code {
        Some(code) if lower.contains("epsg") => from_epsg(code).map_err(|_| name.to_string()),
        _ => Err(name.to_string()),
    }
}

/// Letters and digits only, lower case: "British_National_Grid" and
/// "OSGB36 / British National Grid" both contain "britishnationalgrid".
fn key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn is_lon_lat_datum(datum: &str) -> bool {
    let d = key(datum);
    [
        "wgs84",
        "wgs1984",
        "worldgeodeticsystem1984",
        "etrs89",
        "etrs1989",
    ]
    .iter()
    .any(|name| d.contains(name))
        || d.contains("europeanterrestrialreferencesystem1989")
}

fn is_osgb36_datum(datum: &str) -> bool {
    let d = key(datum);
    ["osgb1936", "osgb36", "ordnancesurveyofgreatbritain1936"]
        .iter()
        .any(|name| d.contains(name))
}

/// The National Grid's Transverse Mercator parameters (OS, "A guide to
/// coordinate systems in Great Britain"), by every name WKT1, ESRI WKT and
/// WKT2/PROJJSON give them.
const NATIONAL_GRID: [(&[&str], f64); 5] = [
    (&["latitudeoforigin", "latitudeofnaturalorigin"], 49.0),
    (
        &[
            "centralmeridian",
            "longitudeofnaturalorigin",
            "longitudeoforigin",
        ],
        -2.0,
    ),
    (
        &["scalefactor", "scalefactoratnaturalorigin"],
        0.999_601_271_7,
    ),
    (&["falseeasting"], 400_000.0),
    (&["falsenorthing"], -100_000.0),
];

/// Whether a projection is the National Grid: a Transverse Mercator on the
/// OSGB 1936 datum with exactly its parameters.
fn is_national_grid(datum: &str, method: &str, parameters: &[(String, f64)]) -> bool {
    let method = key(method);
    is_osgb36_datum(datum)
        && method.contains("transverse")
        && method.contains("mercator")
        && NATIONAL_GRID.iter().all(|(names, value)| {
            parameters
                .iter()
                .any(|(name, v)| names.contains(&key(name).as_str()) && (v - value).abs() < 1e-9)
        })
}

// ------------------------------------------------------------------ WKT

/// A WKT node: `KEYWORD[arg, arg, ...]`.
#[derive(Debug, PartialEq)]
struct Node {
    keyword: String,
    args: Vec<Arg>,
}

#[derive(Debug, PartialEq)]
enum Arg {
    Text(String),
    Number(f64),
    /// An unquoted word (AXIS["Easting", EAST]).
    Word(String),
    Node(Node),
}

impl Node {
    fn name(&self) -> &str {
        match self.args.first() {
            Some(Arg::Text(name)) => name,
            _ => "",
        }
    }

    fn children<'a>(&'a self, keywords: &'a [&str]) -> impl Iterator<Item = &'a Node> + 'a {
        self.args.iter().filter_map(move |a| match a {
            Arg::Node(n) if keywords.iter().any(|k| n.keyword.eq_ignore_ascii_case(k)) => Some(n),
            _ => None,
        })
    }

    fn child<'a>(&'a self, keywords: &'a [&'a str]) -> Option<&'a Node> {
        self.children(keywords).next()
    }

    /// The node's own EPSG code: AUTHORITY["EPSG","27700"] or ID["EPSG",27700].
    fn epsg(&self) -> Option<i64> {
        let id = self.child(&["AUTHORITY", "ID"])?;
        let authority = id.name();
        let code = match id.args.get(1)? {
            Arg::Text(t) => t.parse().ok()?,
            Arg::Number(n) => *n as i64,
            _ => return None,
        };
        authority.eq_ignore_ascii_case("EPSG").then_some(code)
    }

    fn datum(&self) -> &str {
        self.child(&["DATUM", "TRF", "GEODETICDATUM"])
            .map_or("", Node::name)
    }
}

const GEOGRAPHIC: [&str; 4] = ["GEOGCS", "GEOGCRS", "GEODCRS", "GEOGRAPHICCRS"];
const PROJECTED: [&str; 2] = ["PROJCS", "PROJCRS"];

/// A CRS from its WKT (WKT1, ESRI's WKT1 or WKT2).
pub fn from_wkt(wkt: &str) -> Result<Crs, Unknown> {
    let root = Parser::new(wkt)
        .node()
        .ok_or_else(|| format!("unreadable WKT '{}'", shorten(wkt)))?;
    if let Some(code) = root.epsg() {
        return from_epsg(code).map_err(|_| format!("{} ({})", root.name(), describe_code(code)));
    }
    let is = |kinds: &[&str]| kinds.iter().any(|k| root.keyword.eq_ignore_ascii_case(k));
    let recognised = if is(&GEOGRAPHIC) {
        is_lon_lat_datum(root.datum()).then_some(Crs::Wgs84)
    } else if is(&PROJECTED) {
        let base = root.child(&["GEOGCS", "BASEGEOGCRS", "BASEGEODCRS"]);
        let datum = base.map_or("", Node::datum);
        // WKT1 puts PROJECTION and PARAMETERs in the root; WKT2 in CONVERSION.
        let conversion = root.child(&["CONVERSION"]).unwrap_or(&root);
        let method = conversion
            .child(&["PROJECTION", "METHOD"])
            .map_or("", Node::name);
        let parameters: Vec<(String, f64)> = conversion
            .children(&["PARAMETER"])
            .filter_map(|p| match p.args.get(1) {
                Some(Arg::Number(v)) => Some((p.name().to_string(), *v)),
                _ => None,
            })
            .collect();
        is_national_grid(datum, method, &parameters).then_some(Crs::Bng)
    } else {
        None
    };
    recognised.ok_or_else(|| root.name().to_string())
}

fn describe_code(code: i64) -> String {
    format!("EPSG:{code}")
}

fn shorten(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// A recursive-descent reader of WKT: brackets may be [] or ().
struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text: text.as_bytes(),
            at: 0,
        }
    }

    fn skip_space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn word(&mut self) -> Option<String> {
        self.skip_space();
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.text[start..self.at]).into_owned())
    }

    fn node(&mut self) -> Option<Node> {
        let keyword = self.word()?;
        self.skip_space();
        if !matches!(self.text.get(self.at), Some(b'[' | b'(')) {
            return None;
        }
        self.at += 1;
        let mut args = Vec::new();
        loop {
            self.skip_space();
            match self.text.get(self.at)? {
                b']' | b')' => {
                    self.at += 1;
                    return Some(Node { keyword, args });
                }
                b',' => self.at += 1,
                _ => args.push(self.arg()?),
            }
        }
    }

    fn arg(&mut self) -> Option<Arg> {
        match self.text.get(self.at)? {
            b'"' => self.quoted().map(Arg::Text),
            b'-' | b'+' | b'.' | b'0'..=b'9' => {
                let start = self.at;
                while self
                    .text
                    .get(self.at)
                    .is_some_and(|b| b"+-.eE".contains(b) || b.is_ascii_digit())
                {
                    self.at += 1;
                }
                let number = std::str::from_utf8(&self.text[start..self.at]).ok()?;
                number.parse().ok().map(Arg::Number)
            }
            _ => {
                let mark = self.at;
                let word = self.word()?;
                self.skip_space();
                if matches!(self.text.get(self.at), Some(b'[' | b'(')) {
                    self.at = mark;
                    self.node().map(Arg::Node)
                } else {
                    Some(Arg::Word(word))
                }
            }
        }
    }

    /// A quoted string; "" inside it is one quote.
    fn quoted(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match *self.text.get(self.at)? {
                b'"' if self.text.get(self.at + 1) == Some(&b'"') => {
                    out.push(b'"');
                    self.at += 2;
                }
                b'"' => {
                    self.at += 1;
                    return Some(String::from_utf8_lossy(&out).into_owned());
                }
                b => {
                    out.push(b);
                    self.at += 1;
                }
            }
        }
    }
}

// ------------------------------------------------------------- PROJJSON

/// A CRS from PROJJSON (GeoParquet's `crs`).
pub fn from_projjson(crs: &Json) -> Result<Crs, Unknown> {
    let name = crs.get("name").and_then(Json::as_str).unwrap_or("");
    let ids = crs.get("id").into_iter().chain(
        crs.get("ids")
            .and_then(Json::as_array)
            .into_iter()
            .flatten(),
    );
    for id in ids {
        let authority = id.get("authority").and_then(Json::as_str).unwrap_or("");
        let code = &id["code"];
        if authority.eq_ignore_ascii_case("OGC") && code.as_str() == Some("CRS84") {
            return Ok(Crs::Wgs84);
        }
        let code = code
            .as_i64()
            .or_else(|| code.as_str().and_then(|c| c.parse().ok()));
        if let (true, Some(code)) = (authority.eq_ignore_ascii_case("EPSG"), code) {
            return from_epsg(code).map_err(|_| format!("{name} ({})", describe_code(code)));
        }
    }
    let datum = |crs: &Json| -> String {
        let datum = crs.get("datum").or_else(|| crs.get("datum_ensemble"));
        datum
            .and_then(|d| d.get("name"))
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_string()
    };
    let recognised = match crs.get("type").and_then(Json::as_str) {
        Some("GeographicCRS" | "GeodeticCRS") => {
            is_lon_lat_datum(&datum(crs)).then_some(Crs::Wgs84)
        }
        Some("ProjectedCRS") => {
            let base = datum(&crs["base_crs"]);
            let conversion = &crs["conversion"];
            let method = conversion["method"]["name"].as_str().unwrap_or("");
            let parameters: Vec<(String, f64)> = conversion["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| Some((p["name"].as_str()?.to_string(), p["value"].as_f64()?)))
                .collect();
            is_national_grid(&base, method, &parameters).then_some(Crs::Bng)
        }
        _ => None,
    };
    recognised.ok_or_else(|| match name {
        "" => shorten(&crs.to_string()),
        name => name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As GDAL writes a .prj for EPSG:27700 (ESRI WKT: no code).
    const ESRI_BNG: &str = r#"PROJCS["British_National_Grid",GEOGCS["GCS_OSGB_1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",400000.0],PARAMETER["False_Northing",-100000.0],PARAMETER["Central_Meridian",-2.0],PARAMETER["Scale_Factor",0.9996012717],PARAMETER["Latitude_Of_Origin",49.0],UNIT["Meter",1.0]]"#;
    const ESRI_WGS84: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    /// EPSG:3857, as GDAL writes its .prj.
    const ESRI_WEB_MERCATOR: &str = r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#;
    /// OGC WKT1 with codes, as a GeoPackage's gpkg_spatial_ref_sys holds it.
    const OGC_BNG: &str = r#"PROJCS["OSGB36 / British National Grid",GEOGCS["OSGB36",DATUM["Ordnance_Survey_of_Great_Britain_1936",SPHEROID["Airy 1830",6377563.396,299.3249646,AUTHORITY["EPSG","7001"]],AUTHORITY["EPSG","6277"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4277"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],PARAMETER["false_northing",-100000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","27700"]]"#;

    #[test]
    fn recognises_wkt_with_or_without_codes() {
        assert_eq!(from_wkt(ESRI_BNG), Ok(Crs::Bng));
        assert_eq!(from_wkt(ESRI_WGS84), Ok(Crs::Wgs84));
        assert_eq!(from_wkt(OGC_BNG), Ok(Crs::Bng));
        // Without its code the OGC form is recognised by its parameters.
        let uncoded = OGC_BNG.replace(r#",AUTHORITY["EPSG","27700"]"#, "");
        assert_eq!(from_wkt(&uncoded), Ok(Crs::Bng));
    }

    #[test]
    fn refuses_other_projections_by_name() {
        assert_eq!(
            from_wkt(ESRI_WEB_MERCATOR),
            Err("WGS_1984_Web_Mercator_Auxiliary_Sphere".to_string())
        );
        // The National Grid's projection with another false origin is not it.
        let shifted = ESRI_BNG.replace("400000.0", "500000.0");
        assert_eq!(from_wkt(&shifted), Err("British_National_Grid".to_string()));
        let irish = OGC_BNG.replace(
            r#"AUTHORITY["EPSG","27700"]]"#,
            r#"AUTHORITY["EPSG","29903"]]"#,
        );
        assert_eq!(
            from_wkt(&irish),
            Err("OSGB36 / British National Grid (EPSG:29903)".to_string())
        );
        assert!(
            from_wkt("not wkt")
                .unwrap_err()
                .starts_with("unreadable WKT")
        );
    }

    #[test]
    fn recognises_geojson_crs_names() {
        for name in [
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "urn:ogc:def:crs:EPSG::4326",
            "EPSG:4326",
            "http://www.opengis.net/def/crs/EPSG/0/4326",
        ] {
            assert_eq!(from_name(name), Ok(Crs::Wgs84), "{name}");
        }
        for name in ["urn:ogc:def:crs:EPSG::27700", "EPSG:27700"] {
            assert_eq!(from_name(name), Ok(Crs::Bng), "{name}");
        }
        assert_eq!(
            from_name("urn:ogc:def:crs:EPSG::3857"),
            Err("urn:ogc:def:crs:EPSG::3857".to_string())
        );
    }

    #[test]
    fn recognises_projjson_by_id_or_definition() {
        let by_id: Json = serde_json::json!({"type": "ProjectedCRS", "name": "OSGB36 / British National Grid",
            "id": {"authority": "EPSG", "code": 27700}});
        assert_eq!(from_projjson(&by_id), Ok(Crs::Bng));
        let crs84: Json = serde_json::json!({"type": "GeographicCRS", "name": "WGS 84 (CRS84)",
            "id": {"authority": "OGC", "code": "CRS84"}});
        assert_eq!(from_projjson(&crs84), Ok(Crs::Wgs84));
        let parameter = |name: &str, value: f64| serde_json::json!({"name": name, "value": value});
        let defined: Json = serde_json::json!({"type": "ProjectedCRS", "name": "custom",
            "base_crs": {"datum": {"name": "Ordnance Survey of Great Britain 1936"}},
            "conversion": {"method": {"name": "Transverse Mercator"}, "parameters": [
                parameter("Latitude of natural origin", 49.0),
                parameter("Longitude of natural origin", -2.0),
                parameter("Scale factor at natural origin", 0.9996012717),
                parameter("False easting", 400000.0),
                parameter("False northing", -100000.0)]}});
        assert_eq!(from_projjson(&defined), Ok(Crs::Bng));
        let mercator: Json = serde_json::json!({"type": "ProjectedCRS", "name": "WGS 84 / Pseudo-Mercator",
            "id": {"authority": "EPSG", "code": 3857}});
        assert_eq!(
            from_projjson(&mercator),
            Err("WGS 84 / Pseudo-Mercator (EPSG:3857)".to_string())
        );
    }
}

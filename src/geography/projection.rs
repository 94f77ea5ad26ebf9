//! WGS84 longitude/latitude to British National Grid (EPSG:27700, metres).
//!
//! The primary path is Ordnance Survey's definitive OSTN15 transformation
//! (through the `lonlat_bng` crate), which reproduces OS's published test
//! points to the millimetre. OSTN15 only covers its 700 km x 1250 km grid, and
//! `lonlat_bng` refuses points outside a lon/lat box that clips the north tip
//! of Shetland; for those points we fall back to the classic 7-parameter
//! Helmert datum shift plus the Airy 1830 transverse mercator, so that no
//! point ever fails. That fallback agrees with OSTN15 to a few metres across
//! Great Britain (OS quotes about 5 m), which is ample for area weights and
//! maps, and it is only used offshore or at the grid's edges.

use geo::{Coord, MapCoords, MultiPolygon};

/// National Grid projection: true origin 49°N 2°W, scale on the central
/// meridian, and false origin offsets (OS "A guide to coordinate systems in
/// Great Britain", annex C).
const F0: f64 = 0.999_601_271_7;
const PHI0: f64 = 49.0 * std::f64::consts::PI / 180.0;
const LAMBDA0: f64 = -2.0 * std::f64::consts::PI / 180.0;
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;

/// The ellipsoids: GRS80 (ETRS89, the same as WGS84 to well under a metre
/// for mapping) and Airy 1830 (OSGB36).
const GRS80: Ellipsoid = Ellipsoid {
    a: 6_378_137.0,
    b: 6_356_752.314_1,
};
const AIRY_1830: Ellipsoid = Ellipsoid {
    a: 6_377_563.396,
    b: 6_356_256.909,
};

/// ETRS89 -> OSGB36 Helmert parameters as published by OS (guide section
/// 6.6): the inverse of EPSG:27700's +towgs84=446.448,-125.157,542.06,
/// 0.15,0.247,0.842,-20.489 (OS gives the rotations and scale to one more
/// decimal place). Translations in metres, rotations in arc-seconds, scale in
/// parts per million.
const TX: f64 = -446.448;
const TY: f64 = 125.157;
const TZ: f64 = -542.060;
const RX_SEC: f64 = -0.1502;
const RY_SEC: f64 = -0.2470;
const RZ_SEC: f64 = -0.8421;
const S_PPM: f64 = 20.4894;

/// The OSTN15 shift grid: 1 km nodes, eastings 0..700 km, northings 0..1250 km.
const OSTN15_MAX_EASTING: f64 = 700_000.0;
const OSTN15_MAX_NORTHING: f64 = 1_250_000.0;

#[derive(Clone, Copy)]
struct Ellipsoid {
    a: f64,
    b: f64,
}

impl Ellipsoid {
    fn e2(self) -> f64 {
        (self.a * self.a - self.b * self.b) / (self.a * self.a)
    }
}

/// WGS84 longitude and latitude (degrees) to British National Grid easting
/// and northing (metres). Never fails: OSTN15 where it is defined, the
/// Helmert approximation elsewhere.
pub fn to_bng(lon: f64, lat: f64) -> (f64, f64) {
    ostn15(lon, lat).unwrap_or_else(|| helmert(lon, lat))
}

/// Every vertex of a multipolygon (WGS84 lon/lat) to British National Grid.
pub fn project_geometry(geometry: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    geometry.map_coords(|c| {
        let (x, y) = to_bng(c.x, c.y);
        Coord { x, y }
    })
}

/// OSTN15 via `lonlat_bng`, or None outside the grid.
fn ostn15(lon: f64, lat: f64) -> Option<(f64, f64)> {
    // ETRS89 grid coordinates first (the crate checks its lon/lat box), then
    // the OSTN15 shift. The crate finds the shift cell by truncating to whole
    // kilometres, which picks a wrong cell rather than failing just outside
    // the grid (e.g. a negative easting west of Fermanagh), so check the grid
    // rectangle here.
    let (e, n) = lonlat_bng::convert_etrs89(lon, lat).ok()?;
    if !(0.0..OSTN15_MAX_EASTING).contains(&e) || !(0.0..OSTN15_MAX_NORTHING).contains(&n) {
        return None;
    }
    lonlat_bng::convert_etrs89_to_osgb36(e, n).ok()
}

/// The approximate path: GRS80 geodetic -> Cartesian, 7-parameter Helmert to
/// OSGB36, back to geodetic on Airy 1830, then the National Grid projection.
/// Heights are taken as zero: a 50 m geoid separation moves the result by
/// about a millimetre.
fn helmert(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y, z) = to_cartesian(lon.to_radians(), lat.to_radians(), GRS80);
    let arcsec = std::f64::consts::PI / (180.0 * 3600.0);
    let (rx, ry, rz) = (RX_SEC * arcsec, RY_SEC * arcsec, RZ_SEC * arcsec);
    let s = 1.0 + S_PPM * 1e-6;
    let x2 = TX + s * x - rz * y + ry * z;
    let y2 = TY + rz * x + s * y - rx * z;
    let z2 = TZ - ry * x + rx * y + s * z;
    let (lambda, phi) = to_geodetic(x2, y2, z2, AIRY_1830);
    transverse_mercator(lambda, phi, AIRY_1830)
}

fn to_cartesian(lambda: f64, phi: f64, ellipsoid: Ellipsoid) -> (f64, f64, f64) {
    let e2 = ellipsoid.e2();
    let nu = ellipsoid.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
    (
        nu * phi.cos() * lambda.cos(),
        nu * phi.cos() * lambda.sin(),
        nu * (1.0 - e2) * phi.sin(),
    )
}

/// Cartesian to longitude and latitude (radians) by the OS iteration; it
/// converges to well below a millimetre in a handful of steps.
fn to_geodetic(x: f64, y: f64, z: f64, ellipsoid: Ellipsoid) -> (f64, f64) {
    let e2 = ellipsoid.e2();
    let p = x.hypot(y);
    let mut phi = z.atan2(p * (1.0 - e2));
    for _ in 0..10 {
        let nu = ellipsoid.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let next = (z + e2 * nu * phi.sin()).atan2(p);
        let converged = (next - phi).abs() < 1e-12;
        phi = next;
        if converged {
            break;
        }
    }
    (y.atan2(x), phi)
}

/// The National Grid transverse mercator (OS guide annex C, the series OS
/// itself uses) on the given ellipsoid; angles in radians.
#[allow(non_snake_case)] // I..VI are the names of the OS guide's series terms.
fn transverse_mercator(lambda: f64, phi: f64, ellipsoid: Ellipsoid) -> (f64, f64) {
    let Ellipsoid { a, b } = ellipsoid;
    let e2 = ellipsoid.e2();
    let n = (a - b) / (a + b);
    let (sin, cos, tan) = (phi.sin(), phi.cos(), phi.tan());
    let nu = a * F0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = a * F0 * (1.0 - e2) * (1.0 - e2 * sin * sin).powf(-1.5);
    let eta2 = nu / rho - 1.0;

    let (dp, sp) = (phi - PHI0, phi + PHI0);
    let M = b
        * F0
        * ((1.0 + n + 1.25 * n.powi(2) + 1.25 * n.powi(3)) * dp
            - (3.0 * n + 3.0 * n.powi(2) + 21.0 / 8.0 * n.powi(3)) * dp.sin() * sp.cos()
            + (15.0 / 8.0) * (n.powi(2) + n.powi(3)) * (2.0 * dp).sin() * (2.0 * sp).cos()
            - (35.0 / 24.0) * n.powi(3) * (3.0 * dp).sin() * (3.0 * sp).cos());

    let t2 = tan * tan;
    let I = M + N0;
    let II = nu / 2.0 * sin * cos;
    let III = nu / 24.0 * sin * cos.powi(3) * (5.0 - t2 + 9.0 * eta2);
    let IIIA = nu / 720.0 * sin * cos.powi(5) * (61.0 - 58.0 * t2 + t2 * t2);
    let IV = nu * cos;
    let V = nu / 6.0 * cos.powi(3) * (nu / rho - t2);
    let VI = nu / 120.0
        * cos.powi(5)
        * (5.0 - 18.0 * t2 + t2 * t2 + 14.0 * eta2 - 58.0 * t2 * eta2);

    let l = lambda - LAMBDA0;
    let north = I + II * l.powi(2) + III * l.powi(4) + IIIA * l.powi(6);
    let east = E0 + IV * l + V * l.powi(3) + VI * l.powi(5);
    (east, north)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OS guide annex C worked example (Airy 1830, already on OSGB36):
    /// 52°39'27.2531"N 1°43'4.5177"E -> E 651409.903, N 313177.270.
    #[test]
    fn transverse_mercator_reproduces_os_worked_example() {
        let phi = (52.0 + 39.0 / 60.0 + 27.2531 / 3600.0_f64).to_radians();
        let lambda = (1.0 + 43.0 / 60.0 + 4.5177 / 3600.0_f64).to_radians();
        let (e, n) = transverse_mercator(lambda, phi, AIRY_1830);
        assert!((e - 651_409.903).abs() < 0.001, "easting {e}");
        assert!((n - 313_177.270).abs() < 0.001, "northing {n}");
    }

    #[test]
    fn cartesian_round_trip_is_exact() {
        let (lambda, phi) = ((-1.5_f64).to_radians(), 53.2_f64.to_radians());
        let (x, y, z) = to_cartesian(lambda, phi, AIRY_1830);
        let (l2, p2) = to_geodetic(x, y, z, AIRY_1830);
        assert!((l2 - lambda).abs() < 1e-12 && (p2 - phi).abs() < 1e-12);
    }

    #[test]
    fn points_outside_ostn15_fall_back_instead_of_failing() {
        // North of the crate's lon/lat box (north tip of Unst, Shetland), far
        // west of the grid (Rockall) and far away (Paris, New York).
        for (lon, lat) in [(-0.85, 60.86), (-13.69, 57.60), (2.35, 48.85), (-74.0, 40.7)] {
            assert!(ostn15(lon, lat).is_none(), "{lon},{lat} should be outside OSTN15");
            let (e, n) = to_bng(lon, lat);
            assert!(e.is_finite() && n.is_finite());
        }
    }
}

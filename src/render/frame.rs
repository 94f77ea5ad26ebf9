//! Where British National Grid metres land on the SVG canvas: a uniform
//! scale (no distortion: BNG is already a conformal projection), North up.

use super::layout::{Panel, WIDTH};
use geo::{BoundingRect, MultiPolygon, Rect};

/// Fits a BNG extent into a panel, centred, keeping the aspect ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// Canvas units per metre.
    pub scale: f64,
    /// Canvas position of BNG (0, 0): x grows east, canvas y grows south.
    origin_x: f64,
    origin_y: f64,
}

impl Frame {
    pub fn fit(extent: Rect<f64>, panel: Panel) -> Frame {
        let (width, height) = (extent.width().max(1.0), extent.height().max(1.0));
        let scale = (panel.width / width).min(panel.height / height);
        let left = panel.x + (panel.width - width * scale) / 2.0;
        let top = panel.y + (panel.height - height * scale) / 2.0;
        Frame {
            scale,
            origin_x: left - extent.min().x * scale,
            origin_y: top + extent.max().y * scale,
        }
    }

    /// Canvas position (SVG user units) of a BNG point.
    pub fn to_canvas(&self, easting: f64, northing: f64) -> (f64, f64) {
        (
            self.origin_x + easting * self.scale,
            self.origin_y - northing * self.scale,
        )
    }

    /// Position of a BNG point in a map PNG rendered `width_px` wide (pixel
    /// (i, j) covers [i, i+1) × [j, j+1)).
    pub fn to_pixel(&self, easting: f64, northing: f64, width_px: u32) -> (f64, f64) {
        let (x, y) = self.to_canvas(easting, northing);
        let px_per_unit = f64::from(width_px) / WIDTH;
        (x * px_per_unit, y * px_per_unit)
    }

    /// The SVG transform that draws BNG coordinates in place: y is flipped
    /// so North is up. Shortest round-trip formatting keeps it exact and stable.
    pub fn svg_transform(&self) -> String {
        format!(
            "matrix({} 0 0 {} {} {})",
            self.scale, -self.scale, self.origin_x, self.origin_y
        )
    }

    /// A length on the canvas, in metres (for stroke widths inside the transform).
    pub fn metres(&self, canvas_units: f64) -> f64 {
        canvas_units / self.scale
    }
}

/// The union of the geometries' bounding boxes; None when there are none.
pub fn extent<'a>(
    geometries: impl IntoIterator<Item = &'a MultiPolygon<f64>>,
) -> Option<Rect<f64>> {
    geometries
        .into_iter()
        .filter_map(|g| g.bounding_rect())
        .reduce(|a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_north_up_centred_without_distortion() {
        // 2 km wide, 1 km tall into a 100 × 100 panel at (10, 20): 0.05 units/m,
        // centred vertically (25 units above and below).
        let extent = Rect::new((1000.0, 5000.0), (3000.0, 6000.0));
        let panel = Panel {
            x: 10.0,
            y: 20.0,
            width: 100.0,
            height: 100.0,
        };
        let frame = Frame::fit(extent, panel);
        assert_eq!(frame.scale, 0.05);
        assert_eq!(frame.to_canvas(1000.0, 6000.0), (10.0, 45.0));
        assert_eq!(frame.to_canvas(3000.0, 5000.0), (110.0, 95.0));
        assert_eq!(frame.to_pixel(3000.0, 5000.0, 2000), (220.0, 190.0));
        assert_eq!(frame.svg_transform(), "matrix(0.05 0 0 -0.05 -40 345)");
        assert_eq!(frame.metres(1.0), 20.0);
    }
}

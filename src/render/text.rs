//! Text on the map: widths from the embedded font's advance widths, so lines
//! can be wrapped and fitted to the layout without a text engine, and the
//! <text> elements themselves.

use super::svg::{escape, num};
use crate::palette::Rgb;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    End,
}

/// How a piece of text is set.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub size: f64,
    pub weight: Weight,
    pub colour: Rgb,
}

impl Style {
    /// The width of `s` in canvas units. Kerning is ignored, which only
    /// overestimates; characters outside ASCII count as a full em.
    pub fn width(&self, s: &str) -> f64 {
        let advances = match self.weight {
            Weight::Regular => &REGULAR,
            Weight::Bold => &BOLD,
        };
        let units: u32 = s
            .chars()
            .map(|c| match u32::from(c) {
                code @ 32..=126 => u32::from(advances[code as usize - 32]),
                _ => UNITS_PER_EM,
            })
            .sum();
        f64::from(units) * self.size / f64::from(UNITS_PER_EM)
    }

    /// Greedy word wrap to `max_width`; a word longer than a line gets a line
    /// of its own rather than being broken.
    pub fn wrap(&self, s: &str, max_width: f64) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for word in s.split_whitespace() {
            match lines.last_mut() {
                Some(line) if self.width(&format!("{line} {word}")) <= max_width => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_string()),
            }
        }
        lines
    }

    /// This style at the largest size up to its own at which `s` fits in `max_width`.
    pub fn fitted(self, s: &str, max_width: f64) -> Style {
        let width = self.width(s);
        if width <= max_width {
            return self;
        }
        Style {
            size: self.size * max_width / width,
            ..self
        }
    }

    /// Writes one <text> element with its baseline at `y`.
    pub fn write(&self, out: &mut String, x: f64, y: f64, anchor: Anchor, s: &str) {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" font-size="{}" fill="{}""#,
            num(x),
            num(y),
            num(self.size),
            self.colour
        );
        if self.weight == Weight::Bold {
            out.push_str(r#" font-weight="bold""#);
        }
        if anchor == Anchor::End {
            out.push_str(r#" text-anchor="end""#);
        }
        let _ = writeln!(out, ">{}</text>", escape(s));
    }
}

const UNITS_PER_EM: u32 = 2048;

// Advance widths of ASCII 32..=126 in DejaVu Sans 2.37 and DejaVu Sans Bold,
// font units (2048 per em), read from the fonts' cmap and hmtx tables.
const REGULAR: [u16; 95] = [
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048,
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235,
    1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024, 1024,
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
    1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];

const BOLD: [u16; 95] = [
    713, 934, 1067, 1716, 1425, 2052, 1786, 627, 936, 936, 1071, 1716, 778, 850, 778, 748, 1425,
    1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 1425, 819, 819, 1716, 1716, 1716, 1188, 2048,
    1585, 1561, 1503, 1700, 1399, 1399, 1681, 1714, 762, 762, 1587, 1305, 2038, 1714, 1741, 1501,
    1741, 1577, 1475, 1397, 1663, 1585, 2259, 1579, 1483, 1485, 936, 748, 936, 1716, 1024, 1024,
    1382, 1466, 1214, 1466, 1389, 891, 1466, 1458, 702, 702, 1362, 702, 2134, 1458, 1407, 1466,
    1466, 1010, 1219, 979, 1458, 1335, 1892, 1321, 1335, 1192, 1458, 748, 1458, 1716,
];

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: Style = Style {
        size: 10.0,
        weight: Weight::Regular,
        colour: Rgb(0, 0, 0),
    };

    #[test]
    fn widths_come_from_the_font() {
        // 'M' is 1767 units and ' ' 651 in DejaVu Sans.
        assert!((BODY.width("M M") - (1767.0 * 2.0 + 651.0) * 10.0 / 2048.0).abs() < 1e-9);
        let bold = Style {
            weight: Weight::Bold,
            ..BODY
        };
        assert!(bold.width("Nottingham") > BODY.width("Nottingham"));
    }

    #[test]
    fn wraps_on_words_and_fits_by_shrinking() {
        let lines = BODY.wrap(
            "Isle of Wight and Isles of Scilly",
            BODY.width("Isle of Wight and"),
        );
        assert_eq!(lines, ["Isle of Wight and", "Isles of Scilly"]);
        let fitted = BODY.fitted("Isles of Scilly", 50.0);
        assert!((fitted.width("Isles of Scilly") - 50.0).abs() < 1e-9);
        assert_eq!(BODY.fitted("x", 50.0).size, 10.0);
    }

    #[test]
    fn writes_escaped_text() {
        let mut out = String::new();
        Style {
            weight: Weight::Bold,
            ..BODY
        }
        .write(&mut out, 1.0, 2.5, Anchor::End, "A & B");
        assert_eq!(
            out,
            "<text x=\"1\" y=\"2.5\" font-size=\"10\" fill=\"#000000\" font-weight=\"bold\" \
             text-anchor=\"end\">A &amp; B</text>\n"
        );
    }
}

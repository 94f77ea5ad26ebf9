//! Small SVG writing primitives shared by the maps and charts.

use std::fmt::Write;

/// Escapes text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// The embedded font (see `png.rs`); the SVG names it so viewers with DejaVu
/// Sans installed match the PNG, and fall back to any sans-serif otherwise.
pub const FAMILY: &str = "'DejaVu Sans', sans-serif";

/// Opens an SVG document: the root element in the embedded font, and the
/// title and description that screen readers announce (the description's
/// parts joined by " | ").
pub fn open(out: &mut String, width: f64, height: f64, title: &str, description: &[&str]) {
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{}">"#,
        FAMILY
    );
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let description: Vec<String> = description.iter().map(|d| escape(d)).collect();
    let _ = writeln!(out, "<desc>{}</desc>", description.join(" | "));
}

/// A layout position or length (not geometry) rounded to 1/100 unit, so
/// the SVG reads "24.5" rather than "24.499999999999996".
pub fn num(v: f64) -> f64 {
    let rounded = (v * 100.0).round() / 100.0;
    // -0 would print as "-0".
    if rounded == 0.0 { 0.0 } else { rounded }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_rounds_layout_numbers() {
        assert_eq!(
            escape("Brighton & Hove <\"x\">"),
            "Brighton &amp; Hove &lt;&quot;x&quot;&gt;"
        );
        assert_eq!(num(24.499999999999996).to_string(), "24.5");
        assert_eq!(num(-0.001).to_string(), "0");
    }
}

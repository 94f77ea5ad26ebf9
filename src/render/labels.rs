//! The numbers on the map: class labels and values with thousands separators.

use crate::numbers::thousands;

/// One label per class. Classes include their upper bound (the manifest's
/// convention), so the first reads "≤ 120" and the next "over 120 to 250".
pub fn class_labels(breaks: &[f64]) -> Vec<String> {
    let decimals = decimals_for(breaks);
    let text: Vec<String> = breaks.iter().map(|&b| thousands(b, decimals)).collect();
    (0..text.len())
        .map(|i| match i {
            0 => format!("≤ {}", text[0]),
            _ => format!("over {} to {}", text[i - 1], text[i]),
        })
        .collect()
}

/// Decimals enough to show the breaks exactly, or to three significant
/// figures of the smallest, whichever is fewer; then more, up to 6, until no
/// two breaks read the same.
fn decimals_for(breaks: &[f64]) -> usize {
    let exact = (0..=6)
        .find(|&d| breaks.iter().all(|&b| is_exact(b, d)))
        .unwrap_or(6);
    let smallest = breaks
        .iter()
        .map(|b| b.abs())
        .filter(|&b| b > 0.0)
        .fold(f64::INFINITY, f64::min);
    let significant = if smallest.is_finite() {
        (2 - smallest.log10().floor() as i64).clamp(0, 6) as usize
    } else {
        0
    };
    let mut decimals = exact.min(significant);
    while decimals < 6 && !all_distinct(breaks, decimals) {
        decimals += 1;
    }
    decimals
}

fn is_exact(v: f64, decimals: usize) -> bool {
    let scaled = v * 10f64.powi(decimals as i32);
    (scaled - scaled.round()).abs() <= 1e-9 * scaled.abs().max(1.0)
}

fn all_distinct(breaks: &[f64], decimals: usize) -> bool {
    let text: Vec<String> = breaks.iter().map(|&b| thousands(b, decimals)).collect();
    text.windows(2).all(|w| w[0] != w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_state_which_end_is_closed() {
        assert_eq!(
            class_labels(&[120.0, 250.0, 1500.0]),
            ["≤ 120", "over 120 to 250", "over 250 to 1,500"]
        );
    }

    #[test]
    fn decimals_are_just_enough() {
        // Fisher-Jenks breaks are data values: three significant figures.
        assert_eq!(
            class_labels(&[123.456, 2345.678]),
            ["≤ 123", "over 123 to 2,346"]
        );
        assert_eq!(
            class_labels(&[12.34, 19.87]),
            ["≤ 12.3", "over 12.3 to 19.9"]
        );
        // Close breaks get the decimals that tell them apart.
        assert_eq!(
            class_labels(&[100.04, 100.05]),
            ["≤ 100.04", "over 100.04 to 100.05"]
        );
        // Small rates keep three significant figures.
        assert_eq!(
            class_labels(&[0.01234, 0.5]),
            ["≤ 0.0123", "over 0.0123 to 0.5000"]
        );
    }
}

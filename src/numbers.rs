//! Numbers as people read them in maps, tables and reports.

/// "12,345.6": comma thousands separators, a true minus sign.
///
/// ```
/// use jsna_gap::numbers::thousands;
/// assert_eq!(thousands(244_209.0, 0), "244,209");
/// assert_eq!(thousands(-1234.56, 1), "−1,234.6");
/// assert_eq!(thousands(-0.04, 1), "0.0");
/// ```
pub fn thousands(v: f64, decimals: usize) -> String {
    let fixed = format!("{:.*}", decimals, v.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if v < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "−"
    } else {
        ""
    };
    match fraction {
        "" => format!("{sign}{grouped}"),
        _ => format!("{sign}{grouped}.{fraction}"),
    }
}

/// A share (0.123) as a percentage to `decimals` places ("12.3%"); a share
/// too small to show at that precision reads "under 0.1%", not a
/// misleading "0.0%".
///
/// ```
/// use jsna_gap::numbers::percent;
/// assert_eq!(percent(0.3873, 1), "38.7%");
/// assert_eq!(percent(0.0004, 1), "under 0.1%");
/// assert_eq!(percent(0.0, 1), "0.0%");
/// ```
pub fn percent(share: f64, decimals: usize) -> String {
    let p = 100.0 * share;
    let smallest = 0.1_f64.powi(decimals as i32);
    if p > 0.0 && p < smallest / 2.0 {
        return format!("under {}%", thousands(smallest, decimals));
    }
    format!("{}%", thousands(p, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators_and_signs() {
        assert_eq!(thousands(1234567.0, 0), "1,234,567");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.5, 1), "1,000.5");
        assert_eq!(thousands(-12345.678, 2), "−12,345.68");
        assert_eq!(thousands(-0.0001, 1), "0.0");
    }

    #[test]
    fn percentages_read_plainly() {
        assert_eq!(percent(2.0 / 3.0, 2), "66.67%");
        assert_eq!(percent(1.0, 0), "100%");
        assert_eq!(percent(0.125, 1), "12.5%");
        assert_eq!(percent(1e-7, 2), "under 0.01%");
        assert_eq!(percent(0.0004, 1), "under 0.1%");
        assert_eq!(percent(0.0005, 1), "0.1%");
        assert_eq!(percent(0.0, 1), "0.0%");
    }
}

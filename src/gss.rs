//! GSS (Government Statistical Service) area codes: one letter for the
//! country, two digits for the entity, six digits for the area (E06000001).

/// Why a string is not a GSS code, as a sentence fragment for an error message.
///
/// ```
/// use jsna_gap::gss::problem;
/// assert_eq!(problem("E06000018"), None);
/// assert!(problem("E6000018").unwrap().contains("it has 8 characters"));
/// assert!(problem("X06000018").unwrap().contains("must start with E, W, S, N or K"));
/// ```
pub fn problem(code: &str) -> Option<String> {
    let bytes = code.as_bytes();
    if code.len() != 9 {
        return Some(format!(
            "'{code}' is not a GSS code: it has {} characters, a GSS code has 9 (e.g. E06000001)",
            code.chars().count()
        ));
    }
    if !matches!(bytes[0], b'E' | b'W' | b'S' | b'N' | b'K') {
        return Some(format!(
            "'{code}' is not a GSS code: it must start with E, W, S, N or K"
        ));
    }
    if !bytes[1..].iter().all(u8::is_ascii_digit) {
        return Some(format!(
            "'{code}' is not a GSS code: after the first letter come 8 digits"
        ));
    }
    None
}

/// England (country code).
pub const ENGLAND: &str = "E92000001";
/// England and Wales together, the geography of national probation statistics.
pub const ENGLAND_AND_WALES: &str = "K04000001";
/// The Wales probation region's nDelius code.
pub const WALES_PROBATION_REGION: &str = "N03";

/// Whether the code is an English area.
pub fn is_english(code: &str) -> bool {
    code.starts_with('E')
}

/// Whether the code is a Welsh area (or the word "Wales", as the services
/// inventory writes an all-Wales catchment).
pub fn is_welsh(code: &str) -> bool {
    code.starts_with('W') || code == "Wales"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_codes_and_names_each_fault() {
        assert_eq!(problem("E06000001"), None);
        assert_eq!(problem("E38000264"), None);
        assert!(problem("E0600001").unwrap().contains("8 characters"));
        assert!(problem("X06000001").unwrap().contains("start with"));
        assert!(problem("E0600000A").unwrap().contains("8 digits"));
    }
}

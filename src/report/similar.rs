//! Similar areas: the areas of the same level closest to an area in
//! deprivation (IoD2025 average score, adult-weighted), the comparator group
//! the annexes and the explorer set beside it.

use std::collections::BTreeMap;

/// How many similar areas are shown.
pub const SIMILAR_AREAS: usize = 5;

/// The codes of the areas whose scores are closest to `code`'s, nearest
/// first (ties to the lower code), itself excluded.
pub fn similar_areas<'a>(code: &str, scores: &'a BTreeMap<String, f64>) -> Vec<&'a str> {
    let own = scores.get(code).copied().unwrap_or(f64::NAN);
    let mut others: Vec<(&str, f64)> = scores
        .iter()
        .filter(|(other, _)| *other != code)
        .map(|(other, score)| (other.as_str(), (score - own).abs()))
        .collect();
    others.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    others
        .into_iter()
        .take(SIMILAR_AREAS)
        .map(|(other, _)| other)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_scores_first_ties_to_the_lower_code() {
        let scores: BTreeMap<String, f64> = [
            ("A", 20.0),
            ("B", 22.0),
            ("C", 18.0),
            ("D", 30.0),
            ("E", 19.5),
            ("F", 10.0),
            ("G", 25.0),
        ]
        .into_iter()
        .map(|(c, s)| (c.to_string(), s))
        .collect();
        // Distances from A: E 0.5, B 2, C 2, G 5, F 10, D 10.
        assert_eq!(similar_areas("A", &scores), ["E", "B", "C", "G", "D"]);
    }
}

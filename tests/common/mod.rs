//! Helpers shared by the integration tests.

use std::collections::HashMap;

/// A CSV (UTF-8, byte-order mark allowed) as records keyed by column name.
pub fn records(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

//! Where each feature of a FeatureCollection lies in the file, found
//! without parsing it: strings are lexed and braces counted, and the long
//! runs of coordinates between them are passed over by `memchr` many bytes
//! at a time. serde_json then parses the pieces, so nothing goes unchecked:
//! the document with its features array emptied (the skeleton) and every
//! feature, each on its own. If all of them are valid JSON and only
//! whitespace and commas lie between the features, the file is valid JSON
//! too, and these are its features; anything else gives None, and the
//! caller parses the whole file, as it always could.
//!
//! That argument needs the lexing to be JSON's own (a string runs from a
//! quote to the next quote not escaped by a backslash), so that in a valid
//! skeleton the emptied array is the value of the top-level `features`
//! key: a string at the top object's brace depth followed by a colon can
//! only be one of its keys.

use super::skip_whitespace;

/// A FeatureCollection cut at its features.
pub struct Cut<'a> {
    /// The document with its `features` array emptied: `"features": []`.
    pub skeleton: Vec<u8>,
    /// Each feature's text, `{` to `}`, in file order.
    pub features: Vec<&'a [u8]>,
}

/// The file cut at its features; None unless its top level is an object
/// with a `features` key (spelt without escapes) whose value is an array
/// of objects.
pub fn cut(text: &[u8]) -> Option<Cut<'_>> {
    let open = features_array(text)?;
    let mut features = Vec::new();
    let mut at = skip_whitespace(text, open + 1);
    if text.get(at) != Some(&b']') {
        loop {
            if text.get(at) != Some(&b'{') {
                return None;
            }
            let end = object_end(text, at)?;
            features.push(&text[at..end]);
            at = skip_whitespace(text, end);
            match text.get(at)? {
                b',' => at = skip_whitespace(text, at + 1),
                b']' => break,
                _ => return None,
            }
        }
    }
    let skeleton = [&text[..=open], &text[at..]].concat();
    Some(Cut { skeleton, features })
}

/// Where the array that is the value of the top-level `features` key opens.
fn features_array(text: &[u8]) -> Option<usize> {
    let top = skip_whitespace(text, 0);
    member(text, top, b"\"features\"", b'[')
}

/// Where a feature's geometry's `coordinates` array opens, in the
/// feature's own text (which starts with its `{`); None unless the
/// geometry is an object with such an array.
pub fn coordinates(feature: &[u8]) -> Option<usize> {
    let geometry = member(feature, 0, b"\"geometry\"", b'{')?;
    member(feature, geometry, b"\"coordinates\"", b'[')
}

/// Where the value of `key` (with its quotes, spelt as in the file) opens
/// with `opener`, among the members of the object that opens at `object`;
/// None if the object has no such member. Only braces are counted, so a
/// string at depth 1 followed by a colon is one of this object's keys:
/// nothing else in valid JSON looks like that.
fn member(text: &[u8], object: usize, key: &[u8], opener: u8) -> Option<usize> {
    if text.get(object) != Some(&b'{') {
        return None;
    }
    let mut depth = 0_usize;
    let mut at = object;
    loop {
        at = next_structural(text, at)?;
        match text[at] {
            b'"' => {
                let end = string_end(text, at)?;
                if depth == 1 && &text[at..end] == key {
                    let colon = skip_whitespace(text, end);
                    let open = skip_whitespace(text, colon + 1);
                    if text.get(colon) == Some(&b':') && text.get(open) == Some(&opener) {
                        return Some(open);
                    }
                }
                at = end;
            }
            b'{' => {
                depth += 1;
                at += 1;
            }
            _ => {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
                at += 1;
            }
        }
    }
}

/// Just past the `}` that closes the object opening at `open`.
fn object_end(text: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0_usize;
    let mut at = open;
    loop {
        at = next_structural(text, at)?;
        match text[at] {
            b'"' => at = string_end(text, at)?,
            b'{' => {
                depth += 1;
                at += 1;
            }
            _ => {
                depth -= 1;
                at += 1;
                if depth == 0 {
                    return Some(at);
                }
            }
        }
    }
}

/// The next quote or brace from `at`, which is outside any string: byte
/// by byte through the short stretches of keys and values, and from an
/// opening bracket by `memchr`, which passes over a run of coordinates
/// (where there is no quote or brace) many bytes at a time.
fn next_structural(text: &[u8], mut at: usize) -> Option<usize> {
    loop {
        match *text.get(at)? {
            b'"' | b'{' | b'}' => return Some(at),
            b'[' => return memchr::memchr3(b'"', b'{', b'}', &text[at..]).map(|i| at + i),
            _ => at += 1,
        }
    }
}

/// Just past the quote that closes the string opening at `open`; byte by
/// byte, as keys and values are short.
fn string_end(text: &[u8], open: usize) -> Option<usize> {
    let mut at = open + 1;
    loop {
        match *text.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => at += 2, // a backslash and the character it escapes
            _ => at += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    /// The features as serde_json finds them in the whole document.
    fn serde_spans(text: &[u8]) -> Vec<Vec<u8>> {
        #[derive(serde::Deserialize)]
        struct Top<'a> {
            #[serde(borrow)]
            features: Vec<&'a RawValue>,
        }
        let top: Top = serde_json::from_slice(text).unwrap();
        top.features
            .iter()
            .map(|f| f.get().as_bytes().to_vec())
            .collect()
    }

    /// Strings that hold braces, quotes, backslashes and the keys looked
    /// for; members before and after the features; JSON's four kinds of
    /// whitespace.
    const AWKWARD: &str = "\t{\"type\" :\"FeatureCollection\", \"name\":\"features\",\r\n\
        \"crs\": {\"type\": \"name\", \"properties\": {\"features\": [1, {\"}\": \"{\"}]}},\n\
        \"features\" : [ {\"type\":\"Feature\",\"properties\":{\"a\\\"}\":\"\\\\\",\"b\":\"x\\\\\\\"{\",\
        \"geometry\":{\"coordinates\":[5]}},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}} ,\r\n\
        {\"properties\":null,\"geometry\":null} ],\"bbox\":[0,0,1,1]}\n";

    #[test]
    fn features_are_where_serde_json_finds_them() {
        let cut = cut(AWKWARD.as_bytes()).expect("cuts");
        assert_eq!(cut.features.len(), 2);
        let ours: Vec<Vec<u8>> = cut.features.iter().map(|f| f.to_vec()).collect();
        assert_eq!(ours, serde_spans(AWKWARD.as_bytes()));
        let skeleton: serde_json::Value = serde_json::from_slice(&cut.skeleton).unwrap();
        assert_eq!(skeleton["features"], serde_json::json!([]));
        assert_eq!(skeleton["bbox"], serde_json::json!([0, 0, 1, 1]));
        assert_eq!(skeleton["crs"]["properties"]["features"][1]["}"], "{");
    }

    #[test]
    fn the_geometry_coordinates_are_found_not_the_properties() {
        let cut = cut(AWKWARD.as_bytes()).unwrap();
        let first = cut.features[0];
        let open = coordinates(first).expect("found");
        assert!(
            first[open..].starts_with(b"[1,2]"),
            "{}",
            String::from_utf8_lossy(&first[open..])
        );
        assert_eq!(coordinates(cut.features[1]), None, "a null geometry");
    }

    #[test]
    fn every_embedded_layer_is_cut_where_serde_json_finds_its_features() {
        let dataset = crate::input::embedded::Dataset::builtin();
        let layers: Vec<_> = dataset
            .names()
            .filter(|n| n.ends_with(".geojson.gz"))
            .collect();
        assert!(layers.len() >= 4, "{layers:?}");
        for name in layers {
            let bytes = dataset.file(name).unwrap().bytes().unwrap();
            let cut = cut(&bytes).expect(name);
            let ours: Vec<Vec<u8>> = cut.features.iter().map(|f| f.to_vec()).collect();
            assert_eq!(ours, serde_spans(&bytes), "{name}");
            assert!(
                cut.features.iter().all(|f| coordinates(f).is_some()),
                "{name}"
            );
        }
    }

    #[test]
    fn no_features_key_or_no_array_is_not_cut() {
        for text in [
            "",
            "[]",
            "{\"type\":\"Feature\",\"geometry\":null}",
            "{\"features\":null}",
            "{\"feat\\u0075res\":[]}",
            "{\"features\":[1]}",
            "{\"features\":[{}",
            "{\"features\":[{} {}]}",
            "{\"features\":[{\"a\":\"}]}",
        ] {
            assert!(cut(text.as_bytes()).is_none(), "{text}");
        }
        let empty = cut(b"{\"features\": [ \n ] }").expect("an empty array");
        assert!(empty.features.is_empty());
        assert_eq!(empty.skeleton, b"{\"features\": [] }");
    }
}

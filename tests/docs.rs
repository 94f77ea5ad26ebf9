//! Documentation that cannot drift: the README's gap.csv column table is
//! checked against the code that writes the columns.

use jsna_gap::output::gap_frame;

const README: &str = include_str!("../README.md");

/// The column names the README's gap.csv table documents: every backticked
/// name in a row's first cell, a `(+ `_suffix`, …)` group adding each
/// suffix to the name just before it.
fn documented() -> Vec<String> {
    let table = README
        .split("### gap.csv columns")
        .nth(1)
        .expect("the README has a gap.csv column table")
        .split("\n\n")
        .nth(1)
        .expect("the table follows its heading");
    let mut names = Vec::new();
    for line in table.lines().skip(2) {
        let cell = line.trim_start_matches('|').split('|').next().unwrap_or("");
        let mut last = String::new();
        for (i, part) in cell.split("(+").enumerate() {
            let (suffixes, rest) = match i {
                0 => ("", part),
                _ => part.split_once(')').unwrap_or((part, "")),
            };
            for suffix in ticked(suffixes) {
                names.push(format!("{last}{suffix}"));
            }
            for name in ticked(rest) {
                names.push(name.clone());
                last = name;
            }
        }
    }
    names
}

/// The backticked words of a text.
fn ticked(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn the_readme_documents_every_gap_csv_column_and_no_other() {
    let frame = gap_frame(&[], &[], "employment_scale").unwrap();
    let mut written: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut documented = documented();
    written.sort();
    documented.sort();
    let missing: Vec<&String> = written.iter().filter(|c| !documented.contains(c)).collect();
    let extra: Vec<&String> = documented.iter().filter(|c| !written.contains(c)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "undocumented columns: {missing:?}; documented but not written: {extra:?}"
    );
}

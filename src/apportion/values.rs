//! Values carried across a crosswalk.
//!
//! Extensive values (counts: people, cases) are shared out by weight and
//! summed; intensive values (rates, means) become the mean of the sources
//! weighted by the measure they share with the target (area, or people), as
//! tobler's `area_interpolate` does.
//!
//! Missing stays missing: a source whose value is empty, `NA` or `NaN` makes
//! every target it reaches missing too (its total or mean is not known),
//! never 0. A source with no row at all is not part of the input (boundary
//! files often hold more areas than a table has values for, e.g. UK
//! boundaries and English data); it is listed, and contributes nothing.
//! Every value given is accounted for: input total = placed + not placed
//! (outside every target, or for a code that is not a usable source) +
//! withheld (in targets left missing).

use super::{Crosswalk, Link, format_number};
use crate::error::{Error, ErrorKind, Result};
use crate::input::{Fingerprint, Record, Table, twice};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Counts: shared out by weight and summed.
    Extensive,
    /// Rates and means: averaged, weighted by the measure shared.
    Intensive,
}

/// A column of values by area code, as read from a CSV file.
#[derive(Debug, Clone)]
pub struct Values {
    pub path: PathBuf,
    /// The file's SHA-256, where it was asked for.
    pub sha256: Option<String>,
    /// Each code's line in the file and its value (None where missing).
    pub rows: BTreeMap<String, (u64, Option<f64>)>,
}

impl Values {
    /// Reads `code_column` (GSS codes, each once) and `value_column`
    /// (numbers; empty, `NA` and `NaN` are missing).
    pub fn read(
        path: &Path,
        code_column: &str,
        value_column: &str,
        fingerprint: Fingerprint,
    ) -> Result<Values> {
        let table = Table::read_columns(path, &[code_column, value_column], fingerprint)?;
        table.require(&[code_column, value_column])?;
        let mut rows = Vec::with_capacity(table.len());
        let mut fault = None;
        for record in table.records() {
            let row = record.gss_code(code_column).and_then(|code| {
                let value = value(&record, value_column)?;
                Ok((code, record.line(), value))
            });
            match row {
                Ok(row) => rows.push(row),
                Err(error) => {
                    fault = Some(error);
                    break;
                }
            }
        }
        // In code order, each code's rows in file order: a code given twice
        // is two neighbours, and the first to come again in the file is the
        // pair whose second line is first, before any later fault.
        rows.sort_by(|a, b| a.0.cmp(b.0));
        let again = (rows.windows(2).filter(|w| w[0].0 == w[1].0)).min_by_key(|w| w[1].1);
        if let Some([(code, first, _), (_, line, _)]) = again {
            return Err(twice(path, format!("{code_column} {code}"), *first, *line)
                .hint("give one row per area; sum or remove the duplicate"));
        }
        if let Some(error) = fault {
            return Err(error);
        }
        let rows: BTreeMap<String, (u64, Option<f64>)> = (rows.into_iter())
            .map(|(code, line, value)| (code.to_string(), (line, value)))
            .collect();
        if rows.is_empty() {
            return Err(Error::input(path, "has no rows of values")
                .hint("the file needs a header and one row per area"));
        }
        Ok(Values {
            path: path.to_path_buf(),
            sha256: table.sha256,
            rows,
        })
    }
}

/// A value, or None where it is missing; anything else that is not a
/// number is an error at its line.
fn value(record: &Record, column: &str) -> Result<Option<f64>> {
    if record.str(column).eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    record.number_or_empty(column)
}

/// Values carried to the targets, and what happened to all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Apportioned {
    pub kind: Kind,
    /// Every target in code order with its value (None: missing; see `missing_targets`).
    pub targets: BTreeMap<String, Option<f64>>,
    /// For extensive values, where the input total went.
    pub totals: Option<Totals>,
    /// Sources whose row has no value, and its line.
    pub missing_sources: BTreeMap<String, u64>,
    /// Sources with no row: not part of the input.
    pub absent_sources: Vec<String>,
    /// Targets left missing, and why.
    pub missing_targets: BTreeMap<String, String>,
    /// Rows whose code is not a usable source: code, line, value and why.
    pub unmatched: Vec<Unmatched>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unmatched {
    pub code: String,
    pub line: u64,
    pub value: Option<f64>,
    pub reason: String,
}

/// Where the input total of an extensive value went:
/// `input = placed + unplaced + withheld`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Totals {
    /// Every value given (missing ones aside).
    pub input: f64,
    /// In the targets written.
    pub placed: f64,
    /// Outside every target, or given for a code that is not a usable source.
    pub unplaced: f64,
    /// In targets left missing because another of their sources has no value.
    pub withheld: f64,
}

impl Totals {
    /// Refuses a result that cannot be trusted: nothing placed (nor
    /// withheld) of a total that is not 0, or more placed than was given.
    pub fn check(&self, file: &Path) -> Result<()> {
        // Values withheld (in targets left missing) were placed, then
        // hidden for a missing neighbour: that is reported, not refused.
        if self.input != 0.0 && self.placed == 0.0 && self.withheld == 0.0 {
            return Err(Error::input(
                file,
                format!("none of the input total {} was placed", format_number(self.input)),
            )
            .kind(ErrorKind::Mismatch)
            .hint("the values are for source areas that lie in no target; check --code-column and that the layers cover the same place"));
        }
        if self.placed.abs() > self.input.abs() * (1.0 + 1e-9) + 1e-9 {
            return Err(Error::input(
                file,
                format!(
                    "{} would be placed of the input total {}: more than was given",
                    format_number(self.placed),
                    format_number(self.input)
                ),
            )
            .kind(ErrorKind::Value)
            .hint("the target areas overlap; give targets of one level and vintage that do not overlap"));
        }
        Ok(())
    }
}

/// Carries `values` (keyed by source code) across `crosswalk`.
pub fn apportion(crosswalk: &Crosswalk, values: &Values, kind: Kind) -> Result<Apportioned> {
    let unmatched = unmatched(crosswalk, values);
    if unmatched.len() == values.rows.len() {
        let example = values.rows.keys().next().map_or("", String::as_str);
        return Err(Error::input(
            &values.path,
            format!(
                "none of its {} codes (e.g. {example}) is a source area",
                values.rows.len()
            ),
        )
        .hint(
            "check --code-column, and that the values are for the --from areas and their vintage",
        ));
    }
    let rows = source_rows(crosswalk, values);
    let by_target = links_by_target(crosswalk, &rows);
    let mut missing_targets = BTreeMap::new();
    // Each target's value (None: missing), by position.
    let mut estimates = Vec::with_capacity(by_target.len());
    for (target, links) in crosswalk.targets.codes().zip(&by_target) {
        let value = match why_missing(links, crosswalk) {
            Some(why) => {
                missing_targets.insert(target.to_string(), why);
                None
            }
            None => Some(estimate(links, kind)),
        };
        estimates.push(value);
    }
    let totals = (kind == Kind::Extensive)
        .then(|| totals(crosswalk, &rows, &by_target, &estimates, &unmatched));
    let sources = crosswalk.sources.codes().zip(&rows);
    Ok(Apportioned {
        kind,
        targets: (crosswalk.targets.codes().map(String::from))
            .zip(estimates)
            .collect(),
        totals,
        missing_sources: sources
            .clone()
            .filter_map(|(code, row)| match row {
                Row::Missing(line) => Some((code.to_string(), *line)),
                _ => None,
            })
            .collect(),
        absent_sources: sources
            .filter(|(_, row)| matches!(row, Row::Absent))
            .map(|(code, _)| code.to_string())
            .collect(),
        missing_targets,
        unmatched,
    })
}

/// What the values file says of a source.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Row {
    Value(f64),
    /// A row with no value, at this line.
    Missing(u64),
    /// No row: not part of the input.
    Absent,
}

/// Each source's row, by the source's position. Sources and rows are both
/// sorted by code, so one walk through both pairs them up.
fn source_rows(crosswalk: &Crosswalk, values: &Values) -> Vec<Row> {
    let mut given = values.rows.iter().peekable();
    crosswalk
        .sources
        .codes()
        .map(|code| {
            while given.next_if(|(c, _)| c.as_str() < code).is_some() {}
            match given.peek() {
                Some((c, (_, Some(v)))) if *c == code => Row::Value(*v),
                Some((c, (line, None))) if *c == code => Row::Missing(*line),
                _ => Row::Absent,
            }
        })
        .collect()
}

/// Each target's links (by the target's position), with their source's
/// row, from sources that have a row.
fn links_by_target<'c>(crosswalk: &'c Crosswalk, rows: &[Row]) -> Vec<Vec<(&'c Link, Row)>> {
    let mut by_target = vec![Vec::new(); crosswalk.targets.len()];
    for link in &crosswalk.links {
        let row = rows[link.source];
        if row != Row::Absent {
            by_target[link.target].push((link, row));
        }
    }
    by_target
}

/// Value rows whose code is not a source the crosswalk can use.
fn unmatched(crosswalk: &Crosswalk, values: &Values) -> Vec<Unmatched> {
    let mut sources = crosswalk.sources.codes().peekable();
    values
        .rows
        .iter()
        .filter(|(code, _)| {
            while sources.next_if(|s| *s < code.as_str()).is_some() {}
            sources.peek() != Some(&code.as_str())
        })
        .map(|(code, &(line, value))| Unmatched {
            code: code.clone(),
            line,
            value,
            reason: crosswalk
                .unusable
                .get(code)
                .cloned()
                .unwrap_or_else(|| "not a source area".to_string()),
        })
        .collect()
}

/// Why a target's value is not known, if it is not.
fn why_missing(links: &[(&Link, Row)], crosswalk: &Crosswalk) -> Option<String> {
    if links.is_empty() {
        return Some("no source with a row of values covers it".to_string());
    }
    let without: Vec<&Link> = links
        .iter()
        .filter(|(_, row)| matches!(row, Row::Missing(_)))
        .map(|(link, _)| *link)
        .collect();
    if without.is_empty() {
        return None;
    }
    let shared: f64 = links.iter().map(|(l, _)| l.shared).sum();
    let missing: f64 = without.iter().map(|l| l.shared).sum();
    let names: Vec<&str> = (without.iter().take(3))
        .map(|l| crosswalk.sources.code(l.source))
        .collect();
    let more = match without.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    Some(format!(
        "{} of its {} from sources without a value ({}{more})",
        crate::numbers::percent(missing / shared, 2),
        crosswalk.measure,
        names.join(", ")
    ))
}

/// A target's value from sources that all have one.
fn estimate(links: &[(&Link, Row)], kind: Kind) -> f64 {
    let known = links.iter().filter_map(|(link, row)| match row {
        Row::Value(v) => Some((*link, *v)),
        _ => None,
    });
    match kind {
        Kind::Extensive => known.map(|(l, v)| v * l.weight).sum(),
        Kind::Intensive => {
            let shared: f64 = links.iter().map(|(l, _)| l.shared).sum();
            known.map(|(l, v)| v * l.shared).sum::<f64>() / shared
        }
    }
}

/// `estimates` and `by_target` are by target position.
fn totals(
    crosswalk: &Crosswalk,
    rows: &[Row],
    by_target: &[Vec<(&Link, Row)>],
    estimates: &[Option<f64>],
    unmatched: &[Unmatched],
) -> Totals {
    let value = |row: &Row| match row {
        Row::Value(v) => Some(*v),
        _ => None,
    };
    let given: f64 = unmatched.iter().filter_map(|u| u.value).sum();
    let input = rows.iter().filter_map(value).sum::<f64>() + given;
    let placed = estimates.iter().flatten().sum();
    let withheld = (by_target.iter().zip(estimates))
        .filter(|(_, estimate)| estimate.is_none())
        .flat_map(|(links, _)| links)
        .filter_map(|(link, row)| value(row).map(|v| v * link.weight))
        .sum();
    let outside: f64 = (crosswalk.placed_shares().values.iter())
        .zip(rows)
        .filter_map(|(placed, row)| value(row).map(|v| v * (1.0 - placed)))
        .sum();
    Totals {
        input,
        placed,
        unplaced: outside + given,
        withheld,
    }
}

impl Apportioned {
    /// The values file: `target_code,value`, every target in code order,
    /// missing values empty.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = String::from("target_code,value\n");
        for (code, value) in &self.targets {
            let value = value.map(format_number).unwrap_or_default();
            out.push_str(&format!("{code},{value}\n"));
        }
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crosswalk() -> Crosswalk {
        // A (area 4) is 3/4 in X and 1/4 in Y; B (area 4) is half in Y and
        // half outside; Z is covered by nothing.
        let codes = |pairs: &[(&str, f64)]| -> BTreeMap<String, f64> {
            pairs.iter().map(|(c, m)| (c.to_string(), *m)).collect()
        };
        let shared = [(("A", "X"), 3.0), (("A", "Y"), 1.0), (("B", "Y"), 2.0)]
            .into_iter()
            .map(|((s, t), m)| ((s.to_string(), t.to_string()), m))
            .collect();
        let mut cw = Crosswalk::new(
            "area",
            codes(&[("A", 4.0), ("B", 4.0)]),
            codes(&[("X", 3.0), ("Y", 3.0), ("Z", 1.0)]),
            shared,
        );
        cw.unusable.insert("C".into(), "no geometry (null)".into());
        cw
    }

    fn values(rows: &[(&str, Option<f64>)]) -> Values {
        Values {
            path: PathBuf::from("values.csv"),
            sha256: None,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, (code, v))| (code.to_string(), (i as u64 + 2, *v)))
                .collect(),
        }
    }

    #[test]
    fn extensive_values_are_shared_and_every_unit_accounted_for() {
        let a = apportion(
            &crosswalk(),
            &values(&[("A", Some(40.0)), ("B", Some(8.0)), ("C", Some(5.0))]),
            Kind::Extensive,
        )
        .unwrap();
        assert_eq!(a.targets["X"], Some(30.0));
        assert_eq!(a.targets["Y"], Some(14.0));
        assert_eq!(a.targets["Z"], None);
        assert_eq!(
            a.missing_targets["Z"],
            "no source with a row of values covers it"
        );
        let t = a.totals.unwrap();
        assert_eq!(
            (t.input, t.placed, t.unplaced, t.withheld),
            (53.0, 44.0, 9.0, 0.0)
        );
        assert_eq!(a.unmatched[0].reason, "no geometry (null)");
        assert_eq!(
            String::from_utf8(a.to_csv()).unwrap(),
            "target_code,value\nX,30\nY,14\nZ,\n"
        );
    }

    #[test]
    fn a_missing_value_makes_its_targets_missing_not_zero() {
        let a = apportion(
            &crosswalk(),
            &values(&[("A", Some(40.0)), ("B", None)]),
            Kind::Extensive,
        )
        .unwrap();
        assert_eq!(a.targets["X"], Some(30.0));
        assert_eq!(a.targets["Y"], None);
        assert!(
            a.missing_targets["Y"].contains("66.67% of its area from sources without a value (B)"),
            "{:?}",
            a.missing_targets
        );
        assert_eq!(a.missing_sources["B"], 3);
        let t = a.totals.unwrap();
        assert_eq!(
            (t.input, t.placed, t.unplaced, t.withheld),
            (40.0, 30.0, 0.0, 10.0)
        );
    }

    #[test]
    fn a_source_without_a_row_is_left_out_and_listed() {
        let a = apportion(&crosswalk(), &values(&[("A", Some(40.0))]), Kind::Extensive).unwrap();
        assert_eq!(a.targets["Y"], Some(10.0));
        assert_eq!(a.absent_sources, ["B"]);
        assert!(!a.missing_targets.contains_key("Y"));
    }

    #[test]
    fn intensive_values_are_means_weighted_by_the_shared_measure() {
        let a = apportion(
            &crosswalk(),
            &values(&[("A", Some(0.1)), ("B", Some(0.4))]),
            Kind::Intensive,
        )
        .unwrap();
        assert!((a.targets["X"].unwrap() - 0.1).abs() < 1e-15);
        assert!((a.targets["Y"].unwrap() - 0.3).abs() < 1e-15); // (0.1*1 + 0.4*2) / 3
        assert_eq!(a.totals, None);
    }

    #[test]
    fn values_for_no_source_at_all_are_refused() {
        let e = apportion(&crosswalk(), &values(&[("Q", Some(1.0))]), Kind::Extensive).unwrap_err();
        assert!(e.message.contains("none of its 1 codes"), "{e}");
        assert_eq!(e.exit_code(), 2);
    }
}

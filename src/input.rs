//! Reading CSV inputs. Every value read through a [`Record`] knows its file,
//! line and column, so every error can say where it is and how to fix it.
//!
//! Excel writes CSV in ways a strict reader trips on: "CSV UTF-8" starts with
//! a byte-order mark (accepted and removed), "Unicode text" is UTF-16 and the
//! plain "CSV" is Windows-1252 (both refused with a hint, because guessing an
//! encoding silently corrupts area names).

use crate::error::{Error, ErrorKind, Result};
use crate::gss;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::path::{Path, PathBuf};

pub mod embedded;
mod file;
pub mod provenance;
mod records;
pub(crate) use file::Compiled;
pub use file::{DataFile, gunzip, gzip};
use records::Records;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// No count of people in any input can be larger: it is more than everyone
/// in the UK (69.3 million at mid-2024, ONS). Catches values such as 1e308
/// that are numbers but cannot be counts of people.
pub const MAX_PEOPLE: f64 = 70_000_000.0;
const SAVE_AS_UTF8: &str = "in Excel use File > Save As > \"CSV UTF-8 (Comma delimited)\"";

/// A CSV file read whole: header, records with their line numbers, and the
/// SHA-256 of the bytes (for the manifest) where it was asked for.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it was read from: messages name it.
    pub path: PathBuf,
    /// How the manifest names it (relative to its source; see [`DataFile`]).
    recorded: String,
    pub headers: Vec<String>,
    /// The columns kept, by their place in the header.
    kept: Vec<usize>,
    /// Each record's line.
    lines: Vec<u64>,
    /// The kept fields of every record, one after another, and where each
    /// ends: one buffer for the table rather than a record each.
    cells: String,
    ends: Vec<usize>,
    pub sha256: Option<String>,
}

/// An input file as the manifest records it: what it is for, its name
/// relative to its source (`embedded:`, `data-dir:`, `config-dir:`; a
/// path as given for files named on the command line), its SHA-256 and
/// how many records it had.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InputFile {
    pub role: String,
    pub path: PathBuf,
    /// None where the file was read without it (never in a run).
    pub sha256: Option<String>,
    pub records: Option<usize>,
    /// For a table used row by row: how many rows were used and how many
    /// excluded (read = used + excluded; see `report::account`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<usize>,
}

/// One record of a table, with typed, located access to its fields.
#[derive(Clone, Copy)]
pub struct Record<'a> {
    table: &'a Table,
    row: usize,
}

/// The SHA-256 of a byte string, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha256_of(&[bytes])
}

/// The SHA-256 of byte strings one after another, as lower-case hex.
fn sha256_of(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a reader takes the SHA-256 of the bytes it reads. A run records
/// every input's in its manifest; `apportion` only where its output can
/// carry it (Parquet metadata): hashing its inputs was 3.5% of its CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fingerprint {
    Sha256,
    Skip,
}

impl Fingerprint {
    /// The SHA-256 of `parts` one after another, as lower-case hex, if asked for.
    pub fn of(self, parts: &[&[u8]]) -> Option<String> {
        (self == Fingerprint::Sha256).then(|| sha256_of(parts))
    }
}

/// Reads a file, naming it in the error if it cannot.
fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

impl Table {
    pub fn read(path: &Path) -> Result<Table> {
        Table::parse(path, &path.display().to_string(), &read_bytes(path)?)
    }

    /// [`Table::read`] keeping only the named columns of each record: a
    /// wide file (a population table of 95 columns) is checked whole, line
    /// for line, but held in a tenth of the memory and time. The other
    /// columns read as empty.
    pub fn read_columns(path: &Path, columns: &[&str], fingerprint: Fingerprint) -> Result<Table> {
        let bytes = read_bytes(path)?;
        let recorded = path.display().to_string();
        Table::parse_kept(path, &recorded, &bytes, Some(columns), fingerprint)
    }

    /// A table from bytes already read: `path` for messages, `recorded`
    /// for the manifest.
    pub fn parse(path: &Path, recorded: &str, bytes: &[u8]) -> Result<Table> {
        Table::parse_kept(path, recorded, bytes, None, Fingerprint::Sha256)
    }

    /// A table keeping the named columns, or every column.
    fn parse_kept(
        path: &Path,
        recorded: &str,
        bytes: &[u8],
        columns: Option<&[&str]>,
        fingerprint: Fingerprint,
    ) -> Result<Table> {
        let sha256 = fingerprint.of(&[bytes]);
        let text = decode(path, bytes)?;
        let mut records = Records::new(text);
        let headers: Vec<String> = match records.next(usize::MAX) {
            Some(header) => header.fields.iter().map(|h| h.trim().to_string()).collect(),
            None => Vec::new(),
        };
        let kept: Vec<usize> = match columns {
            None => (0..headers.len()).collect(),
            Some(columns) => (0..headers.len())
                .filter(|&i| columns.contains(&headers[i].as_str()))
                .collect(),
        };
        // Fields past the last kept one are counted, not taken out.
        let wanted = kept.last().map_or(0, |&last| last + 1);
        let (mut lines, mut cells, mut ends) = (Vec::new(), String::new(), Vec::new());
        while let Some(record) = records.next(wanted) {
            if record.len != headers.len() {
                return Err(ragged(path, record.line, record.len, headers.len()));
            }
            if record.blank {
                continue; // Excel leaves blank lines at the end of a sheet.
            }
            lines.push(record.line);
            for &i in &kept {
                cells.push_str(&record.fields[i]);
                ends.push(cells.len());
            }
        }
        Ok(Table {
            path: path.to_path_buf(),
            recorded: recorded.to_string(),
            headers,
            kept,
            lines,
            cells,
            ends,
            sha256,
        })
    }

    pub fn provenance(&self, role: &str) -> InputFile {
        InputFile {
            role: role.to_string(),
            path: PathBuf::from(&self.recorded),
            sha256: self.sha256.clone(),
            records: Some(self.len()),
            used: None,
            excluded: None,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn records(&self) -> impl Iterator<Item = Record<'_>> {
        (0..self.len()).map(|row| Record { table: self, row })
    }

    /// Fails, listing the columns that do exist, unless every named column is present.
    pub fn require(&self, columns: &[&str]) -> Result<()> {
        let missing: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|c| !self.headers.iter().any(|h| h == c))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(Error::input(
            &self.path,
            format!("missing column(s): {}", missing.join(", ")),
        )
        .kind(ErrorKind::Missing)
        .line(1)
        .hint(format!(
            "the header has: {}; names are case-sensitive",
            self.headers.join(", ")
        )))
    }

    fn index(&self, column: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == column)
    }

    /// Where a column's field is among the kept fields of a record.
    fn field(&self, column: &str) -> Option<usize> {
        self.kept.iter().position(|&i| self.headers[i] == column)
    }

    /// Kept field `field` of record `row`.
    fn cell(&self, row: usize, field: usize) -> &str {
        let at = row * self.kept.len() + field;
        let start = at.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.cells[start..self.ends[at]]
    }
}

impl<'a> Record<'a> {
    pub fn line(&self) -> u64 {
        self.table.lines[self.row]
    }

    /// An input error located at this record.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::input(&self.table.path, message).line(self.line())
    }

    /// The 1-based number of `column` in the header, if it is there.
    pub fn column_number(&self, column: &str) -> Option<u64> {
        self.table.index(column).map(|i| i as u64 + 1)
    }

    /// An input error located at this record and one of its columns.
    pub fn error_at(&self, column: &str, message: impl Into<String>) -> Error {
        self.at::<()>(column, Err(self.error(message))).unwrap_err()
    }

    /// `result`, its error located at `column` too where it names no column.
    pub fn at<T>(&self, column: &str, result: Result<T>) -> Result<T> {
        result.map_err(|e| match (e.location.column, self.column_number(column)) {
            (None, Some(number)) => e.column(number),
            _ => e,
        })
    }

    /// The trimmed text of a column ("" where the record is short).
    pub fn str(&self, column: &str) -> &'a str {
        let table = self.table;
        table
            .field(column)
            .map_or("", |field| table.cell(self.row, field).trim())
    }

    /// A required, non-empty text field.
    pub fn text(&self, column: &str) -> Result<&'a str> {
        match self.str(column) {
            "" => Err(self
                .error(format!("{column} is empty"))
                .kind(ErrorKind::Missing)
                .hint(format!("every row needs a value in {column}"))),
            s => Ok(s),
        }
    }

    /// An optional number: empty is `None`; anything else must parse.
    pub fn number_or_empty(&self, column: &str) -> Result<Option<f64>> {
        let raw = self.str(column);
        if raw.is_empty() || raw.eq_ignore_ascii_case("NA") {
            return Ok(None);
        }
        // Thousands separators ("1,234") are dropped; most fields have none,
        // and are parsed as they are, without a copy.
        let cleaned = match raw.contains(',') {
            true => std::borrow::Cow::Owned(raw.replace(',', "")),
            false => std::borrow::Cow::Borrowed(raw),
        };
        match cleaned.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(self
                .error(format!("{column} '{raw}' is not a number"))
                .hint("write plain digits with an optional decimal point, e.g. 1234.5")),
        }
    }

    /// A required number.
    pub fn number(&self, column: &str) -> Result<f64> {
        self.number_or_empty(column)?
            .ok_or_else(|| self.empty_number(column))
    }

    /// A required count: a number that is not negative.
    pub fn count(&self, column: &str) -> Result<f64> {
        self.count_or_empty(column)?
            .ok_or_else(|| self.empty_number(column))
    }

    fn empty_number(&self, column: &str) -> Error {
        self.error(format!("{column} is empty"))
            .kind(ErrorKind::Missing)
            .hint(format!("every row needs a number in {column}"))
    }

    /// An optional count: empty is `None`; a negative number, or one larger
    /// than [`MAX_PEOPLE`], is an error.
    pub fn count_or_empty(&self, column: &str) -> Result<Option<f64>> {
        match self.number_or_empty(column)? {
            Some(v) if v < 0.0 => Err(self
                .error(format!("{column} is negative ({v})"))
                .hint("counts of people cannot be below 0; check the sign or the column")),
            Some(v) if v > MAX_PEOPLE => Err(self
                .error(format!(
                    "{column} is {}, more people than live in the UK (the largest count accepted is {})",
                    self.str(column),
                    crate::numbers::thousands(MAX_PEOPLE, 0)
                ))
                .hint("check the column and its units (a count of people, not a rate or an amount)")),
            other => Ok(other),
        }
    }

    /// An optional count of whole people (a numerator): a fraction is an error.
    pub fn whole_count_or_empty(&self, column: &str) -> Result<Option<f64>> {
        match self.count_or_empty(column)? {
            Some(v) if v.fract() != 0.0 => Err(self
                .error(format!("{column} is {v}, not a whole number of people"))
                .hint(format!(
                    "{column} counts people; give the count, not an average or a weighted estimate"
                ))),
            other => Ok(other),
        }
    }

    /// An optional sample size: a whole number of people, at least 1.
    pub fn sample_size_or_empty(&self, column: &str) -> Result<Option<f64>> {
        match self.whole_count_or_empty(column)? {
            Some(v) if v < 1.0 => Err(self
                .error(format!("{column} is {v}; a sample size is at least 1"))
                .hint(format!(
                    "{column} is the number of people assessed; leave it empty if it is not known"
                ))),
            other => Ok(other),
        }
    }

    /// A numerator of whole people no larger than its sample size `n`.
    pub fn numerator_of(&self, column: &str, n: Option<f64>) -> Result<Option<f64>> {
        match (self.whole_count_or_empty(column)?, n) {
            (Some(x), Some(n)) if x > n => Err(self
                .error(format!("{column} {x} is larger than n {n}"))
                .hint(format!("{column} counts the people of the sample with the condition, so it cannot exceed n; check the two columns"))),
            (x, _) => Ok(x),
        }
    }

    /// A proportion between 0 and 1, or empty.
    pub fn proportion_or_empty(&self, column: &str) -> Result<Option<f64>> {
        match self.number_or_empty(column)? {
            Some(v) if !(0.0..=1.0).contains(&v) => Err(self
                .error(format!("{column} is {v}, outside 0 to 1"))
                .hint("write rates as proportions (39% is 0.39)")),
            other => Ok(other),
        }
    }

    /// A required GSS area code.
    pub fn gss_code(&self, column: &str) -> Result<&'a str> {
        let code = self.text(column)?;
        match gss::problem(code) {
            None => Ok(code),
            Some(problem) => Err(self
                .error(format!("{column} {problem}"))
                .hint("use the ONS code of the area (Open Geography Portal), not its name or NHS ODS code")),
        }
    }
}

/// The keys of a table seen so far, to refuse one that appears twice.
pub struct Seen<K> {
    lines: HashMap<K, u64>,
}

impl<K: Hash + Eq> Default for Seen<K> {
    fn default() -> Self {
        Seen {
            lines: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq> Seen<K> {
    /// Records `key` at this record; a key seen before is an error naming
    /// `what` and both lines.
    pub fn first(&mut self, r: &Record, key: K, what: impl Display) -> Result<()> {
        self.at(&r.table.path, r.line(), key, what)
    }

    /// Records `key` at a line of `file` (a CSV record, a configuration
    /// table); a key seen before is an error naming both lines.
    pub fn at(&mut self, file: &Path, line: u64, key: K, what: impl Display) -> Result<()> {
        match self.lines.insert(key, line) {
            None => Ok(()),
            Some(first) => Err(twice(file, what, first, line)),
        }
    }
}

/// The error for a key of `file` seen at line `first` and again at `line`.
pub fn twice(file: &Path, what: impl Display, first: u64, line: u64) -> Error {
    Error::input(
        file,
        format!("{what} appears twice: lines {first} and {line}"),
    )
    .line(line)
    .kind(ErrorKind::Duplicate)
}

/// UTF-8 text with any byte-order mark removed; UTF-16 and Windows-1252 refused.
fn decode<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::input(path, "the file is UTF-16 text, not UTF-8 CSV")
            .kind(ErrorKind::Format)
            .line(1)
            .hint(SAVE_AS_UTF8));
    }
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    std::str::from_utf8(body).map_err(|e| {
        let at = e.valid_up_to();
        let line = 1 + body[..at].iter().filter(|&&b| b == b'\n').count() as u64;
        Error::input(
            path,
            format!(
                "byte 0x{:02X} is not UTF-8 (the file looks like Windows-1252 text from Excel)",
                body[at]
            ),
        )
        .kind(ErrorKind::Format)
        .line(line)
        .hint(SAVE_AS_UTF8)
    })
}

/// A record with more or fewer fields than the header.
fn ragged(path: &Path, line: u64, len: usize, expected: usize) -> Error {
    Error::input(
        path,
        format!("the row has {len} fields but the header has {expected}"),
    )
    .kind(ErrorKind::Format)
    .line(line)
    .hint("check for an unquoted comma or a stray quote; quote text that contains commas")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, bytes: &[u8]) -> Result<Table> {
        let dir = std::env::temp_dir().join(format!("jsna-gap-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        Table::read(&path)
    }

    #[test]
    fn a_utf8_byte_order_mark_is_removed() {
        let t = table("bom.csv", b"\xEF\xBB\xBFarea_code,value\nE06000001,3\n").unwrap();
        assert_eq!(t.headers, ["area_code", "value"]);
        let r = t.records().next().unwrap();
        assert_eq!(r.gss_code("area_code").unwrap(), "E06000001");
        assert_eq!(r.line(), 2);
    }

    #[test]
    fn windows_1252_text_is_refused_at_its_line() {
        // 0xF4 is "ô" in Windows-1252 ("Côte").
        let e = table("cp1252.csv", b"area_code,name\nE06000001,C\xF4te\n").unwrap_err();
        assert_eq!(e.location.line, Some(2));
        assert_eq!(e.kind, ErrorKind::Format);
        assert!(e.message.contains("Windows-1252"), "{e}");
        assert!(e.hint.clone().unwrap().contains("CSV UTF-8"));
    }

    #[test]
    fn utf16_is_refused() {
        let e = table("utf16.csv", b"\xFF\xFEa\0,\0").unwrap_err();
        assert!(e.message.contains("UTF-16"), "{e}");
    }

    #[test]
    fn typed_fields_report_their_problem() {
        let t = table(
            "typed.csv",
            b"code,n,rate\nE0600001,-4,1.5\nE06000001,\"1,234\",0.39\n",
        )
        .unwrap();
        let rows: Vec<_> = t.records().collect();
        assert!(
            rows[0]
                .gss_code("code")
                .unwrap_err()
                .message
                .contains("8 characters")
        );
        assert!(rows[0].count("n").unwrap_err().message.contains("negative"));
        assert!(
            rows[0]
                .proportion_or_empty("rate")
                .unwrap_err()
                .message
                .contains("outside 0 to 1")
        );
        assert_eq!(rows[1].count("n").unwrap(), 1234.0);
        assert_eq!(rows[1].proportion_or_empty("rate").unwrap(), Some(0.39));
        let missing = t.require(&["code", "caseload"]).unwrap_err();
        assert!(missing.message.contains("caseload"));
        assert!(missing.hint.clone().unwrap().contains("code, n, rate"));
    }

    #[test]
    fn config_files_are_recorded_relative_to_the_config_or_by_name() {
        let f = DataFile::in_config_dir(Path::new("/home/a"), Path::new("datasets/caseload.csv"));
        assert_eq!(f.path(), Path::new("/home/a/datasets/caseload.csv"));
        assert_eq!(f.recorded(), "config-dir:datasets/caseload.csv");
        let f = DataFile::in_config_dir(Path::new("/home/a"), Path::new("/srv/x/local.csv"));
        assert_eq!(f.path(), Path::new("/srv/x/local.csv"));
        assert_eq!(f.recorded(), "file:local.csv");
    }

    #[test]
    fn ragged_rows_name_their_line() {
        let e = table("ragged.csv", b"a,b\n1,2\n3,4,5\n").unwrap_err();
        assert_eq!(e.location.line, Some(3));
    }
}

//! CSV records exactly as the `csv` crate reads them with its defaults
//! (comma, double quote, any of CR, LF and CRLF ends a record, blank lines
//! skipped, a record's line as `csv` gives it), but read faster: a record on
//! one line whose fields are plain or simply quoted (no quote inside a
//! quoted one) is cut at its commas where it lies, and only the fields asked
//! for are taken out; any other record is read by `csv_core`, the parser
//! under `csv`. A wide table (the population file: 95 columns, two of them
//! used) spent most of its reading time walking `csv_core`'s state machine
//! through fields it then dropped.
//!
//! A test holds this to the `csv` crate on real files and on thousands of
//! generated ones full of quotes, carriage returns and blank lines.

use memchr::{memchr, memchr2};
use std::borrow::Cow;

/// The records of a CSV text, the header first.
pub struct Records<'t> {
    text: &'t str,
    /// Where the next record starts.
    at: usize,
    /// The line `csv` would give the next record: the line after the
    /// previous record's terminator (before any blank lines skipped).
    line: u64,
    /// For the records the fast path leaves. Between records it is at the
    /// start of one, or just after a carriage return that ended one, which
    /// differs only if a line feed comes next, and those are skipped as
    /// blank lines before it is called: so it picks up wherever a record
    /// starts. Its line is set before each.
    core: csv_core::Reader,
    output: Vec<u8>,
    ends: Vec<usize>,
}

/// One record.
pub struct Record<'t> {
    /// Its line, as `csv` reports a record's position.
    pub line: u64,
    /// How many fields it has.
    pub len: usize,
    /// Its first fields, as many as were asked for (all, if it has fewer).
    pub fields: Vec<Cow<'t, str>>,
    /// Whether every field is empty or white space.
    pub blank: bool,
}

impl<'t> Records<'t> {
    pub fn new(text: &'t str) -> Records<'t> {
        // `csv_core` drops a byte-order mark from the start of the first
        // input it is given, wherever in the text that is; `csv` gives it
        // the start of the text. So the mark is dropped here, and the
        // parser is given one blank line first, which it skips, so that it
        // never drops one from the middle.
        let mut core = csv_core::Reader::new();
        let _ = core.read_record(b"\n", &mut [0], &mut [0]);
        Records {
            text,
            at: if text.starts_with('\u{feff}') { 3 } else { 0 },
            line: 1,
            core,
            output: vec![0; 1024],
            ends: vec![0; 64],
        }
    }

    /// The next record with its first `wanted` fields, or None at the end.
    pub fn next(&mut self, wanted: usize) -> Option<Record<'t>> {
        let line = self.line;
        // Blank lines between records: `csv` skips them, and its position
        // for the record that follows stays at the first.
        while self.text.as_bytes().get(self.at) == Some(&b'\n') {
            self.at += 1;
            self.line += 1;
        }
        if self.at == self.text.len() {
            return None;
        }
        match self.quick(line, wanted) {
            Some(record) => Some(record),
            None => self.parsed(line, wanted),
        }
    }

    /// The record at `at` if it is one line with no carriage return, whose
    /// fields up to the last wanted are plain or simply quoted (no quote
    /// inside) and whose other fields are plain: its fields then lie between
    /// its commas. None, having read nothing, for any other record.
    fn quick(&mut self, line: u64, wanted: usize) -> Option<Record<'t>> {
        let text: &'t str = self.text;
        let rest = &text[self.at..];
        let length = memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
        let record = &rest[..length];
        if memchr(b'\r', record.as_bytes()).is_some() {
            return None;
        }
        let mut fields = Vec::with_capacity(wanted.min(64));
        // Where the next field starts; past the end once the last is taken.
        let mut start = 0;
        while fields.len() < wanted && start <= record.len() {
            let (field, next) = field_at(record, start)?;
            fields.push(Cow::Borrowed(field));
            start = next;
        }
        // The fields not taken out, None once the last field is taken.
        let tail = record.get(start..);
        if tail.is_some_and(|t| memchr(b'"', t.as_bytes()).is_some()) {
            return None;
        }
        let rest_count = tail.map_or(0, |t| 1 + t.bytes().filter(|&b| b == b',').count());
        let blank = fields.iter().all(|f| f.trim().is_empty())
            && tail.is_none_or(|t| t.split(',').all(|f| f.trim().is_empty()));
        self.at += length;
        if self.at < text.len() {
            self.at += 1; // the line feed
            self.line += 1;
        }
        Some(Record {
            line,
            len: fields.len() + rest_count,
            fields,
            blank,
        })
    }

    /// A record read by `csv_core`, which unquotes its fields.
    fn parsed(&mut self, line: u64, wanted: usize) -> Option<Record<'t>> {
        use csv_core::ReadRecordResult as Read;
        self.core.set_line(self.line);
        let (mut written, mut ended) = (0, 0);
        loop {
            let input = &self.text.as_bytes()[self.at..];
            let (result, read, wrote, ends) =
                self.core
                    .read_record(input, &mut self.output[written..], &mut self.ends[ended..]);
            self.at += read;
            written += wrote;
            ended += ends;
            match result {
                // The text is whole: input runs out only at its end, and
                // an empty input then tells the parser so.
                Read::InputEmpty => {}
                Read::OutputFull => self.output.resize(2 * self.output.len(), 0),
                Read::OutputEndsFull => self.ends.resize(2 * self.ends.len(), 0),
                Read::Record => break,
                Read::End => return None,
            }
        }
        self.line = self.core.line();
        // The fields are the text's with quotes taken out: UTF-8 as the
        // text is, so the lossy conversion never replaces anything, and
        // borrows. Only the wanted fields are copied out.
        let (mut fields, mut blank, mut start) = (Vec::new(), true, 0);
        for (i, &end) in self.ends[..ended].iter().enumerate() {
            let field = String::from_utf8_lossy(&self.output[start..end]);
            blank &= field.trim().is_empty();
            if i < wanted {
                fields.push(Cow::Owned(field.into_owned()));
            }
            start = end;
        }
        Some(Record {
            line,
            len: ended,
            fields,
            blank,
        })
    }
}

/// The field of a one-line `record` that starts at `start`, and where the
/// next starts (past the end after the last); None for a field that only
/// `csv_core` can read: a quote inside a plain field, or a quoted field
/// with a quote inside it or anything between its closing quote and the
/// comma.
fn field_at(record: &str, start: usize) -> Option<(&str, usize)> {
    let bytes = &record.as_bytes()[start..];
    if bytes.first() == Some(&b'"') {
        let close = 1 + memchr(b'"', &bytes[1..])?;
        match bytes.get(close + 1) {
            None => Some((&record[start + 1..start + close], record.len() + 1)),
            Some(b',') => Some((&record[start + 1..start + close], start + close + 2)),
            Some(_) => None,
        }
    } else {
        match memchr2(b',', b'"', bytes) {
            None => Some((&record[start..], record.len() + 1)),
            Some(end) if bytes[end] == b',' => Some((&record[start..start + end], start + end + 1)),
            Some(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record as `csv` reads it (header included, no length check):
    /// line and fields.
    fn by_csv(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = Vec::new();
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record).unwrap() {
            let line = record.position().unwrap().line();
            records.push((line, record.iter().map(String::from).collect()));
        }
        records
    }

    /// Every record as [`Records`] reads it, every field asked for, with
    /// its length and blankness checked against its fields.
    fn by_records(text: &str, wanted: usize) -> Vec<(u64, Vec<String>)> {
        let mut records = Records::new(text);
        let mut all = Vec::new();
        while let Some(record) = records.next(wanted) {
            let fields: Vec<String> = record.fields.iter().map(|f| f.to_string()).collect();
            assert_eq!(fields.len(), wanted.min(record.len), "{text:?}");
            all.push((record.line, fields, record.len, record.blank));
        }
        let full = by_csv(text);
        assert_eq!(all.len(), full.len(), "{text:?}");
        for ((_, _, len, blank), (_, csv_fields)) in all.iter().zip(&full) {
            assert_eq!(*len, csv_fields.len(), "{text:?}");
            let csv_blank = csv_fields.iter().all(|f| f.trim().is_empty());
            assert_eq!(*blank, csv_blank, "{text:?}");
        }
        all.into_iter().map(|(l, f, _, _)| (l, f)).collect()
    }

    fn same_as_csv(text: &str) {
        assert_eq!(by_records(text, usize::MAX), by_csv(text), "{text:?}");
        // The first two fields only, as a wide table is read.
        let two: Vec<(u64, Vec<String>)> = (by_csv(text).into_iter())
            .map(|(line, fields)| (line, fields.into_iter().take(2).collect()))
            .collect();
        assert_eq!(by_records(text, 2), two, "{text:?}");
    }

    #[test]
    fn records_are_those_csv_reads() {
        for text in [
            "",
            "\n",
            "a",
            "a,b\n1,2\n",
            "a,b\n1,2",
            "a,b\n\n\n1,2\n\n",
            "a,b\r\n1,2\r\n3,4",
            "a,b\r1,2\r\r3,4\r",
            "a,\"b,c\"\n\"1\"\"\",2\n3,4\n",
            "a,b\n\"multi\nline\",2\n3,4\n",
            ",,\n , ,\t\n",
            "a,b\n1\n1,2,3\n",
            "x\"y,z\n",
            "\"a\"b,c\n",
            "é,ü\n\"é\",\u{a0}\n",
            "a\n\r\n\n\rb\n",
            "\"unclosed,a\nb\n",
            "\u{feff}a,b\n1,2\n",
            "\u{feff}\"a\",b\n1,2\n",
            "a,b\n\u{feff}\"1\",2\n",
        ] {
            same_as_csv(text);
        }
    }

    /// Every table of the embedded dataset and of `datasets/`.
    #[test]
    fn every_table_of_the_project_reads_as_csv_reads_it() {
        let dataset = crate::input::embedded::Dataset::builtin();
        let embedded = (dataset.names())
            .filter(|n| n.ends_with(".csv.gz"))
            .map(|n| dataset.file(n).unwrap().bytes().unwrap().into_owned());
        let datasets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
        let own = (std::fs::read_dir(datasets).unwrap())
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "csv"))
            .map(|path| std::fs::read(path).unwrap());
        let tables: Vec<Vec<u8>> = embedded.chain(own).collect();
        assert!(tables.len() >= 16, "{} tables", tables.len());
        for bytes in tables {
            same_as_csv(std::str::from_utf8(&bytes).unwrap());
        }
    }

    /// Texts from a small alphabet of everything that changes how CSV is
    /// read, generated from a fixed seed.
    #[test]
    fn generated_texts_read_as_csv_reads_them() {
        let alphabet = [
            "a", "1", ",", ",", "\n", "\n", "\r", "\r\n", "\"", " ", "é", "\u{a0}", "\u{feff}",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let length = next(40);
            let text: String = (0..length)
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            same_as_csv(&text);
        }
    }
}

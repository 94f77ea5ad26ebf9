//! The one error type. Every input problem names the file, where in it, what
//! is wrong and how to fix it; its kind says what sort of problem it is (for
//! callers and tests to match on) and decides the exit status; the error it
//! arose from (I/O, CSV, TOML) is kept as its `source()`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What sort of problem an error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file could not be read or written.
    Io,
    /// A file is not in its expected format: malformed CSV, TOML or
    /// GeoJSON, an encoding other than UTF-8.
    Format,
    /// Something the input must have is missing: a column, a property, a file.
    Missing,
    /// A value is not allowed: not a number, out of range, not a GSS code.
    Value,
    /// A code or id appears twice where it must be unique.
    Duplicate,
    /// A code, level or name that the tool or the other inputs do not know.
    Unknown,
    /// Two inputs disagree, e.g. boundaries and lookups of different vintages.
    Mismatch,
    /// The configuration or command line asks for something it cannot have.
    Config,
    /// A bug, or a failure of the machine rather than of the input.
    Internal,
}

/// Where in an input a problem is. Every part is optional; they are shown
/// in this order: `file: line 17, column 4: feature 12 (E06000001): key crs:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Option<PathBuf>,
    /// 1-based line of a text file (CSV, TOML, GeoJSON).
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// A feature of a boundary file, as "feature 12 of 153 (E06000001)".
    pub feature: Option<String>,
    /// A configuration key or a feature property.
    pub key: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    /// Boxed, so that a `Result` stays small (clippy's result_large_err).
    pub location: Box<Location>,
    pub message: String,
    pub hint: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    fn new(kind: ErrorKind, file: Option<PathBuf>, message: String) -> Self {
        Error {
            kind,
            location: Box::new(Location {
                file,
                ..Location::default()
            }),
            message,
            hint: None,
            source: None,
        }
    }

    /// A value in a file the user gave is not allowed (`.kind()` refines it).
    pub fn input(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error::new(
            ErrorKind::Value,
            Some(file.as_ref().to_path_buf()),
            message.into(),
        )
    }

    /// A problem with the configuration or command line not tied to one file.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, None, message.into())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Internal, None, message.into())
    }

    /// An I/O failure on a file: a missing or unreadable input is the user's to fix.
    pub fn io(file: impl AsRef<Path>, err: std::io::Error) -> Self {
        let (kind, hint) = match err.kind() {
            std::io::ErrorKind::NotFound => (
                ErrorKind::Missing,
                "check the path, or set --data-dir / JSNA_GAP_DATA",
            ),
            std::io::ErrorKind::PermissionDenied => (ErrorKind::Io, "check the file's permissions"),
            _ => (ErrorKind::Io, "check that the file is readable"),
        };
        Error::input(file, format!("cannot read: {err}"))
            .kind(kind)
            .hint(hint)
            .caused_by(err)
    }

    /// The same error as another kind.
    pub fn kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Keeps the error this one arose from, as `source()`.
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    pub fn line(mut self, line: u64) -> Self {
        self.location.line = Some(line);
        self
    }

    pub fn column(mut self, column: u64) -> Self {
        self.location.column = Some(column);
        self
    }

    pub fn feature(mut self, feature: impl Into<String>) -> Self {
        self.location.feature = Some(feature.into());
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.location.key = Some(key.into());
        self
    }

    /// The error as found in `file`, where it names no file yet.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.location
            .file
            .get_or_insert_with(|| file.as_ref().to_path_buf());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// 2 for a problem with the user's input or configuration, 1 for an
    /// internal error.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Internal => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        if let Some(feature) = &self.feature {
            write!(f, "{feature}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "key {key}: ")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.location, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn display_names_file_location_message_and_hint() {
        let e = Error::input("caseload.csv", "area_code 'E0600001' is not a GSS code")
            .line(17)
            .hint("a GSS code is 9 characters, e.g. E06000001");
        assert_eq!(
            e.to_string(),
            "caseload.csv: line 17: area_code 'E0600001' is not a GSS code\n  hint: a GSS code is 9 characters, e.g. E06000001"
        );
        assert_eq!(e.kind, ErrorKind::Value);
        assert_eq!(e.location.line, Some(17));
        assert_eq!(e.exit_code(), 2);
        assert_eq!(Error::internal("bug").exit_code(), 1);
    }

    #[test]
    fn io_errors_keep_their_cause_and_say_missing() {
        let cause = std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = Error::io("lookups/x.csv", cause);
        assert_eq!(e.kind, ErrorKind::Missing);
        assert!(e.source().is_some());
        assert_eq!(e.location.file.as_deref(), Some(Path::new("lookups/x.csv")));
    }

    #[test]
    fn a_feature_and_key_are_shown_after_the_line() {
        let e = Error::input("b.geojson", "not a polygon")
            .line(3)
            .column(9)
            .feature("feature 2 of 5 (E06000002)")
            .key("geometry");
        assert_eq!(
            e.to_string(),
            "b.geojson: line 3, column 9: feature 2 of 5 (E06000002): key geometry: not a polygon"
        );
    }
}

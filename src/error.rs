//! The one error type. Every input problem names the file, where in it, what is
//! wrong and how to fix it; the command line maps the class to an exit status.

use std::fmt;
use std::path::{Path, PathBuf};

/// Whose fault a failure is, which decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Something in the user's input or configuration (exit status 2).
    Input,
    /// A bug or an environment failure (exit status 1).
    Internal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    pub class: Class,
    pub file: Option<PathBuf>,
    /// Where in the file: "line 17", "feature 12 (E06000001)", "key caseload.proxy".
    pub location: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A problem with something the user gave us.
    pub fn input(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Error {
            class: Class::Input,
            file: Some(file.as_ref().to_path_buf()),
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A problem with the user's input that is not tied to one file.
    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            class: Class::Input,
            file: None,
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error {
            class: Class::Internal,
            file: None,
            location: None,
            message: message.into(),
            hint: None,
        }
    }

    /// An I/O failure on a file: a missing or unreadable input is the user's to fix.
    pub fn io(file: impl AsRef<Path>, err: std::io::Error) -> Self {
        let hint = match err.kind() {
            std::io::ErrorKind::NotFound => "check the path, or set --data-dir / JSNA_GAP_DATA",
            std::io::ErrorKind::PermissionDenied => "check the file's permissions",
            _ => "check that the file is readable",
        };
        Error::input(file, format!("cannot read: {err}")).hint(hint)
    }

    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    pub fn line(self, line: u64) -> Self {
        self.at(format!("line {line}"))
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        match self.class {
            Class::Input => 2,
            Class::Internal => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_location_message_and_hint() {
        let e = Error::input("caseload.csv", "area_code 'E0600001' is not a GSS code")
            .line(17)
            .hint("a GSS code is 9 characters, e.g. E06000001");
        assert_eq!(
            e.to_string(),
            "caseload.csv: line 17: area_code 'E0600001' is not a GSS code\n  hint: a GSS code is 9 characters, e.g. E06000001"
        );
        assert_eq!(e.exit_code(), 2);
        assert_eq!(Error::internal("bug").exit_code(), 1);
    }
}

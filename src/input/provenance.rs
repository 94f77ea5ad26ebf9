//! `data/provenance.json`: every original file the embedded dataset was
//! built from (publisher, vintage, licence, SHA-256) and every file of the
//! dataset (the SHA-256 of its uncompressed contents and the originals it
//! came from). `jsna-gap data build` writes it; the embedded dataset is
//! checked against it when read, and a rebuild checks the originals
//! against it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// How the files are compressed.
    pub codec: String,
    pub originals: Vec<Original>,
    pub files: Vec<FileRecord>,
}

/// An original file, by its path in a data directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Original {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub title: String,
    pub publisher: String,
    pub vintage: String,
    pub licence: String,
    /// Where the copy in the data directory was taken from.
    pub obtained_from: String,
}

/// One file of the dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    /// Relative to `data/`, compressed (`.gz`).
    pub file: String,
    /// SHA-256 of the uncompressed contents (what the manifest records).
    pub sha256: String,
    /// Size uncompressed.
    pub bytes: u64,
    /// The original it is a byte-for-byte copy of, if it is one.
    pub copy_of: Option<String>,
    /// What it holds and how it was made.
    pub contents: String,
    /// The originals it came from, with their SHA-256.
    pub from: Vec<Source>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub path: String,
    pub sha256: String,
}

impl Provenance {
    pub fn original(&self, path: &str) -> Option<&Original> {
        self.originals.iter().find(|o| o.path == path)
    }

    pub fn file(&self, file: &str) -> Option<&FileRecord> {
        self.files.iter().find(|f| f.file == file)
    }

    /// The JSON as `data build` writes it (stable order, final newline).
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("provenance is plain data");
        bytes.push(b'\n');
        bytes
    }
}

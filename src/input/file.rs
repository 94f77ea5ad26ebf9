//! One file a run reads, wherever its bytes are: in a data directory, beside
//! the configuration, or compiled into the binary (gzip, checked against
//! the SHA-256 its provenance records). The manifest names each relative
//! to its source, never by a path of the machine.

use super::{Table, sha256_hex};
use crate::error::{Error, Result};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One file a run reads: where its bytes are, and the name the manifest
/// records, relative to its source (`embedded:`, `data-dir:`, `config-dir:`),
/// so that no output holds a machine's path.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// Where it is read from, and how messages name it (for an embedded
    /// file, its `embedded:` name).
    path: PathBuf,
    /// How the manifest records it: relative to its source.
    recorded: String,
    compiled: Option<Compiled>,
}

/// One embedded file: its name and stored bytes, and for a file of
/// `data/` (gzip) the SHA-256 its contents must have.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub name: String,
    pub stored: Cow<'static, [u8]>,
    pub sha256: Option<String>,
}

impl Compiled {
    /// The contents: decompressed and checked for a file of `data/`.
    pub fn contents(&self) -> Result<Cow<'static, [u8]>> {
        let Some(expected) = &self.sha256 else {
            return Ok(self.stored.clone());
        };
        let shown = format!("embedded:{}", self.name);
        let rebuild = "the copy of data/ this jsna-gap was built from is damaged: restore data/ from \
                       the repository (git checkout -- data/) or rebuild it with jsna-gap data build, \
                       then build jsna-gap again";
        let contents = gunzip(&self.stored)
            .map_err(|e| Error::input(&shown, format!("cannot decompress: {e}")).hint(rebuild))?;
        let actual = sha256_hex(&contents);
        if &actual != expected {
            return Err(Error::input(
                &shown,
                format!(
                    "the contents have SHA-256 {actual}, but data/provenance.json records {expected}"
                ),
            )
            .hint(rebuild));
        }
        Ok(Cow::Owned(contents))
    }
}

impl DataFile {
    /// A file of a data directory, by its path relative to the directory.
    pub fn in_data_dir(dir: &Path, relative: &str) -> DataFile {
        DataFile {
            path: dir.join(relative),
            recorded: format!("data-dir:{relative}"),
            compiled: None,
        }
    }

    /// A file named in a configuration file, relative to its directory.
    /// The manifest records the name as written when it is relative, and
    /// only the file name when it is absolute (the SHA-256 identifies it).
    pub fn in_config_dir(base: &Path, written: &Path) -> DataFile {
        let recorded = if written.is_absolute() {
            let name = written.file_name().unwrap_or(written.as_os_str());
            format!("file:{}", name.to_string_lossy())
        } else {
            format!("config-dir:{}", written.to_string_lossy())
        };
        DataFile {
            path: base.join(written),
            recorded,
            compiled: None,
        }
    }

    /// A file compiled into the binary.
    pub(crate) fn embedded(entry: Compiled) -> DataFile {
        let recorded = format!("embedded:{}", entry.name);
        DataFile {
            path: PathBuf::from(&recorded),
            recorded,
            compiled: Some(entry),
        }
    }

    /// Whether the file is compiled into the binary (else it is on disk).
    pub fn is_compiled(&self) -> bool {
        self.compiled.is_some()
    }

    /// Where the file is read from, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The name the manifest records.
    pub fn recorded(&self) -> &str {
        &self.recorded
    }

    /// The file's bytes; an embedded file is decompressed and checked
    /// against the SHA-256 its provenance records.
    pub fn bytes(&self) -> Result<Cow<'static, [u8]>> {
        match &self.compiled {
            Some(entry) => entry.contents(),
            None => std::fs::read(&self.path)
                .map(Cow::Owned)
                .map_err(|e| Error::io(&self.path, e)),
        }
    }

    /// The file as a CSV table.
    pub fn table(&self) -> Result<Table> {
        Table::parse(&self.path, &self.recorded, &self.bytes()?)
    }
}

impl std::fmt::Display for DataFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.recorded)
    }
}

impl Serialize for DataFile {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.recorded)
    }
}

/// Gzip with fixed header fields (no name, time 0, OS unknown), so that
/// the same bytes always compress to the same bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("compressing in memory");
    encoder.finish().expect("compressing in memory")
}

/// The contents of a gzip file; a truncated or damaged one is an error
/// (the gzip trailer's CRC-32 and length are checked).
pub fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut contents = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut contents)?;
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_deterministic_and_round_trips() {
        let text = b"lsoa11_code,adults\nE01000001,1234\n".repeat(100);
        let packed = gzip(&text);
        assert_eq!(packed, gzip(&text));
        // Header: magic, deflate, no flags, mtime 0, OS 255.
        assert_eq!(packed[..10], [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
        assert_eq!(gunzip(&packed).unwrap(), text);
        assert!(gunzip(&packed[..packed.len() - 3]).is_err());
        let mut flipped = packed.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x40;
        assert!(gunzip(&flipped).is_err());
    }
}

//! The output directory as one unit. A run is built in a staging directory
//! beside `--out` (so on the same file system) and then exchanged with it in
//! one rename, so `--out` holds one complete run, the previous one or the new
//! one, and nothing else: no half-written run after a full disk or a crash,
//! and no files left from an earlier run of another configuration.
//!
//! Everything that can be checked before computing is checked when the
//! directory is claimed: that `--out` is absent, empty or a run of ours (a
//! user's own directory is never replaced), that its parent is writable, and
//! that no other run is writing it (a lock file beside it, released by the
//! operating system when the process ends, however it ends). A staging or
//! previous directory left beside it by a run that was killed is removed
//! then, and named in [`OutputDir::leftovers`].
//!
//! The one thing a run keeps from the directory it replaces is the output
//! of `check-caseload` (a directory holding only its two tables, by default
//! `output/check-caseload`): it is moved into the new run, not deleted.

use super::Outputs;
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// `--out`, claimed for one run: checked, and locked until dropped.
#[derive(Debug)]
pub struct OutputDir {
    /// The directory as the user named it (for messages).
    shown: PathBuf,
    /// The directory itself (a symbolic link is followed).
    path: PathBuf,
    parent: PathBuf,
    name: OsString,
    /// Entries of the previous run to move into the new one
    /// (`check-caseload` outputs).
    kept: Vec<OsString>,
    /// Directories of a killed run that the claim removed.
    pub leftovers: Vec<PathBuf>,
    /// Held open: the advisory lock lasts as long as the file is open.
    _lock: File,
}

/// Writes one file of a run; [`OutputDir::replace_with`] takes another
/// writer in tests (a full disk, a failure half-way).
pub type WriteFile<'w> = &'w dyn Fn(&Path, &[u8]) -> io::Result<()>;

impl OutputDir {
    /// Claims `out` for a run, before anything is computed.
    pub fn claim(out: &Path) -> Result<OutputDir> {
        let path = followed(out)?;
        let name = path
            .file_name()
            .ok_or_else(|| {
                Error::input(out, "--out must name a directory, not . or ..")
                    .hint("the run replaces the whole directory; name it, e.g. --out output")
            })?
            .to_os_string();
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| cannot_write(out, &parent, &e))?;
        let lock = lock(out, &sibling(&parent, &name, "lock"))?;
        let kept = check_replaceable(out, &path)?;
        let mut dir = OutputDir {
            shown: out.to_path_buf(),
            path,
            parent,
            name,
            kept,
            leftovers: Vec::new(),
            _lock: lock,
        };
        // Leftovers of a run that was killed: ours, and no run holds them now.
        for leftover in [dir.staging(), dir.previous()] {
            if leftover.exists() {
                remove_if_present(&leftover).map_err(|e| cannot_write(out, &leftover, &e))?;
                dir.leftovers.push(leftover);
            }
        }
        Ok(dir)
    }

    /// Replaces the directory with `outputs`, whole.
    pub fn replace(self, outputs: &Outputs) -> Result<()> {
        self.replace_with(outputs, &write_synced)
    }

    /// [`OutputDir::replace`] with another way of writing each file. If any
    /// file cannot be written, the staging directory is removed and the
    /// previous run is left as it was.
    pub fn replace_with(self, outputs: &Outputs, write: WriteFile) -> Result<()> {
        let staging = self.staging();
        if let Err(e) = self.stage(outputs, &staging, write) {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        self.carry_over(&staging)?;
        if let Err(e) = self.swap_in(&staging) {
            self.move_back(&staging, self.kept.len());
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        Ok(())
    }

    /// Moves the kept entries of the previous run into the staged one; if
    /// one cannot be moved, those moved go back and nothing is replaced.
    fn carry_over(&self, staging: &Path) -> Result<()> {
        for (i, entry) in self.kept.iter().enumerate() {
            if let Err(e) = fs::rename(self.path.join(entry), staging.join(entry)) {
                self.move_back(staging, i);
                let _ = fs::remove_dir_all(staging);
                return Err(self.failed(Path::new(entry), &e));
            }
        }
        Ok(())
    }

    /// Returns the first `n` kept entries to the previous run.
    fn move_back(&self, staging: &Path, n: usize) {
        for entry in &self.kept[..n] {
            let _ = fs::rename(staging.join(entry), self.path.join(entry));
        }
    }

    /// Writes every file into the staging directory and syncs its directories.
    fn stage(&self, outputs: &Outputs, staging: &Path, write: WriteFile) -> Result<()> {
        fs::create_dir(staging).map_err(|e| self.failed(staging, &e))?;
        let mut directories = BTreeSet::from([staging.to_path_buf()]);
        for (relative, bytes) in &outputs.files {
            let path = staging.join(relative);
            let dir = path.parent().unwrap_or(staging);
            if directories.insert(dir.to_path_buf()) {
                fs::create_dir_all(dir).map_err(|e| self.failed(relative, &e))?;
            }
            write(&path, bytes).map_err(|e| self.failed(relative, &e))?;
        }
        for dir in &directories {
            sync_directory(dir).map_err(|e| self.failed(dir, &e))?;
        }
        Ok(())
    }

    /// Puts the staged run in place of the directory: one atomic exchange
    /// where the system has it, otherwise two renames.
    fn swap_in(&self, staging: &Path) -> Result<()> {
        let fail = |e: io::Error| self.failed(Path::new(""), &e);
        let previous = if !self.path.exists() {
            fs::rename(staging, &self.path).map_err(fail)?;
            None
        } else if exchange(staging, &self.path).is_ok() {
            Some(staging.to_path_buf())
        } else {
            let previous = self.previous();
            fs::rename(&self.path, &previous).map_err(fail)?;
            if let Err(e) = fs::rename(staging, &self.path) {
                let _ = fs::rename(&previous, &self.path);
                return Err(fail(e));
            }
            Some(previous)
        };
        // The new run is in place. Removing the previous one and flushing the
        // parent's entries are tidying: if they fail, the next claim removes
        // what is left, so they do not fail the run.
        if let Some(previous) = previous {
            let _ = remove_if_present(&previous);
        }
        let _ = sync_directory(&self.parent);
        Ok(())
    }

    fn staging(&self) -> PathBuf {
        sibling(&self.parent, &self.name, "staging")
    }

    fn previous(&self) -> PathBuf {
        sibling(&self.parent, &self.name, "previous")
    }

    /// A file of the run could not be written; the previous run is intact.
    fn failed(&self, relative: &Path, e: &io::Error) -> Error {
        let what = if relative.as_os_str().is_empty() {
            "cannot put the new run in place".to_string()
        } else {
            format!("cannot write {}", relative.display())
        };
        let hint = match e.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => "the disk is full",
            io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only",
            io::ErrorKind::PermissionDenied => "the directory is not writable",
            _ => "check that the directory is writable and the disk has space",
        };
        Error::input(&self.shown, format!("{what}: {e}")).hint(format!(
            "{hint}; nothing was changed: {} holds the previous run, if there was one",
            self.shown.display()
        ))
    }
}

/// `out`, or the directory it links to.
fn followed(out: &Path) -> Result<PathBuf> {
    match fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(out).map_err(|e| cannot_write(out, out, &e))
        }
        _ => Ok(out.to_path_buf()),
    }
}

/// A hidden sibling of the output directory: `.NAME.jsna-gap-WHAT`.
fn sibling(parent: &Path, name: &std::ffi::OsStr, what: &str) -> PathBuf {
    let mut file = OsString::from(".");
    file.push(name);
    file.push(format!(".jsna-gap-{what}"));
    parent.join(file)
}

/// Takes the lock beside the output directory, or says who holds it.
fn lock(out: &Path, path: &Path) -> Result<File> {
    let mut file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| cannot_write(out, path.parent().unwrap_or(path), &e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(Error::input(
                out,
                format!(
                    "another jsna-gap run (process {}) is writing this directory",
                    holder.trim()
                ),
            )
            .hint(format!(
                "wait for it to finish, or choose another --out (the lock is {})",
                path.display()
            )));
        }
        Err(fs::TryLockError::Error(e)) => return Err(cannot_write(out, path, &e)),
    }
    let pid = std::process::id().to_string();
    file.set_len(0)
        .and_then(|()| file.write_all(pid.as_bytes()))
        .map_err(|e| cannot_write(out, path, &e))?;
    Ok(file)
}

/// `--out` may be replaced if it is absent, empty, or a run of ours whose
/// every top-level entry is one a run writes (stale files of an earlier
/// configuration included) or `check-caseload` output, which is returned to
/// be kept; never a file or a user's own directory.
fn check_replaceable(out: &Path, path: &Path) -> Result<Vec<OsString>> {
    let metadata = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(cannot_write(out, path, &e)),
        Ok(m) => m,
    };
    if !metadata.is_dir() {
        return Err(Error::input(out, "--out is a file, not a directory")
            .hint("--out names the directory a run is written to; choose another name"));
    }
    let entries: Vec<OsString> = fs::read_dir(path)
        .and_then(|d| d.map(|e| e.map(|e| e.file_name())).collect())
        .map_err(|e| cannot_write(out, path, &e))?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let not_a_run = |why: String| {
        Error::input(
            out,
            format!("{why}; a run replaces the whole directory, so it will not write there"),
        )
        .hint("choose a new or empty directory for --out, or move your files out of it")
    };
    let Some(ours) = run_entries(path) else {
        return Err(not_a_run(
            "the directory is not empty and is not a jsna-gap run (it has no manifest.json of ours)"
                .to_string(),
        ));
    };
    let (kept, foreign): (Vec<OsString>, Vec<OsString>) = entries
        .into_iter()
        .filter(|e| !ours.contains(e))
        .partition(|e| is_check_caseload(&path.join(e)));
    if foreign.is_empty() {
        return Ok(kept);
    }
    let foreign: Vec<String> = foreign
        .iter()
        .map(|e| e.to_string_lossy().into_owned())
        .collect();
    Err(not_a_run(format!(
        "the directory holds a jsna-gap run and other files: {}",
        foreign.join(", ")
    )))
}

/// The top-level entries of a run directory, from its manifest's list of
/// outputs; None when there is no manifest.json written by this tool.
fn run_entries(dir: &Path) -> Option<BTreeSet<OsString>> {
    #[derive(serde::Deserialize)]
    struct Tool {
        name: String,
    }
    #[derive(serde::Deserialize)]
    struct Manifest {
        tool: Tool,
        outputs: Vec<PathBuf>,
    }
    let bytes = fs::read(dir.join("manifest.json")).ok()?;
    let manifest: Manifest = serde_json::from_slice(&bytes).ok()?;
    if manifest.tool.name != env!("CARGO_PKG_NAME") {
        return None;
    }
    let mut entries: BTreeSet<OsString> = manifest
        .outputs
        .iter()
        .filter_map(|p| p.components().next())
        .map(|c| c.as_os_str().to_os_string())
        .collect();
    entries.insert("manifest.json".into());
    Some(entries)
}

/// A directory holding only what `check-caseload` writes.
fn is_check_caseload(dir: &Path) -> bool {
    const TABLES: [&str; 2] = ["check_caseload.csv", "check_caseload_fits.csv"];
    fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .into_iter()
            .all(|e| e.is_ok_and(|e| TABLES.iter().any(|t| e.file_name() == *t)))
    })
}

/// The parent of `--out` (or the lock beside it) cannot be written.
fn cannot_write(out: &Path, place: &Path, e: &io::Error) -> Error {
    let hint = match e.kind() {
        io::ErrorKind::ReadOnlyFilesystem => {
            "the file system is read-only; choose --out on a writable disk"
        }
        io::ErrorKind::PermissionDenied => {
            "you cannot write there; choose --out in a directory you can write"
        }
        io::ErrorKind::NotADirectory => "a part of the path is a file, not a directory",
        _ => "choose --out in a directory you can write",
    };
    Error::input(
        out,
        format!("cannot write the output: {}: {e}", place.display()),
    )
    .hint(hint)
}

fn remove_if_present(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Writes a file and flushes it to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Flushes a directory's entries to disk, so a rename into it survives a
/// power cut (Unix only: elsewhere a directory cannot be opened for this).
fn sync_directory(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

/// Exchanges two paths in one atomic step (Linux `renameat2`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both pointers are to NUL-terminated strings that outlive the
    // call; AT_FDCWD makes them relative to the working directory, as every
    // other path here is; the call touches no memory of ours.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

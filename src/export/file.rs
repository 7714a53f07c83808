//! The atomic file write every export uses: temporary file in the same directory, sync, rename.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::ExportError;

/// Runs `write` on a temporary file next to `path`, syncs it, and renames it over `path`.
///
/// A crash or a full disk leaves either the old file or the complete new one, never half an export.
/// The temporary file is removed when anything fails.
pub(super) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<usize>,
) -> Result<usize, ExportError> {
    let file_error = |action, error| ExportError::File {
        action,
        path: path.to_path_buf(),
        error,
    };
    let tmp = temp_path(path).map_err(|error| file_error("write", error))?;
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|error| file_error("create the file", error))?;
    let written = write(&mut file).and_then(|n| {
        // Without the sync, a power cut after the rename could leave an empty file under the final name.
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        Ok(n)
    });
    written.map_err(|error| {
        // Best effort: the write already failed, and a leftover dot-file is the lesser problem.
        let _ = fs::remove_file(&tmp);
        file_error("write", error)
    })
}

/// A fresh name next to `path`: hidden, and unique per process and call so concurrent exports differ.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".{}-{n}.tmp", std::process::id()));
    Ok(path.with_file_name(tmp))
}

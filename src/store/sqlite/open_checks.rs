//! What [`super::Store::open`] checks before it changes anything in a file: that the file is an
//! anbud database (or a new one), and that anbud can write to it. Both are refused at start, in
//! one line naming the file, rather than found at the first key press.

use std::path::Path;

use rusqlite::{Connection, ErrorCode, MAIN_DB};

use crate::store::StoreError;
use crate::store::schema::{self, Identity};

/// Refuses another program's database and a read-only one.
///
/// Runs before the connection is configured: switching to WAL would already rewrite another
/// program's file header.
///
/// # Errors
/// [`StoreError::NotAnbud`], [`StoreError::ReadOnly`], or [`StoreError::Open`] when the file is
/// not an SQLite database at all.
pub(super) fn check_usable(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let open_error = |error| StoreError::Open {
        path: path.to_path_buf(),
        error,
    };
    // Reading the schema waits for another writer's lock like everything else.
    conn.busy_timeout(super::BUSY_TIMEOUT).map_err(open_error)?;
    match schema::identify(conn) {
        Ok(Identity::Foreign(reason)) => {
            return Err(StoreError::NotAnbud {
                path: path.to_path_buf(),
                reason,
            });
        }
        Ok(Identity::New | Identity::Anbud) => {}
        // Reading a WAL database already needs its `-shm` file, so a read-only folder shows here.
        Err(StoreError::Sqlite { error, .. }) => {
            return Err(read_only_folder(path, &error).unwrap_or_else(|| open_error(error)));
        }
        Err(other) => return Err(other),
    }
    // SQLite quietly opens a file it may not write read-only; every save would then fail.
    if conn.is_readonly(MAIN_DB).unwrap_or(false) {
        return Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            reason: "is read-only: anbud saves every decision in it; make it writable or use another --db file"
                .to_owned(),
        });
    }
    Ok(())
}

/// [`StoreError::ReadOnly`] naming the folder when `error` says a write was refused and the
/// database's folder cannot take a new file (SQLite keeps its `-wal` and `-shm` files there).
pub(super) fn read_only_folder(path: &Path, error: &rusqlite::Error) -> Option<StoreError> {
    let refused = matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen)
    );
    let folder = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A real write probe: permission bits do not tell (root ignores them, mounts can be read-only).
    if !refused || tempfile::tempfile_in(folder).is_ok() {
        return None;
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    Some(StoreError::ReadOnly {
        path: path.to_path_buf(),
        reason: format!(
            "cannot be written: its folder {} is read-only, and SQLite keeps {name}-wal and {name}-shm beside the database",
            folder.display()
        ),
    })
}

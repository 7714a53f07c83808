//! The password file libpq reads (`~/.pgpass`, `PGPASSFILE`, `passfile=`), which tokio-postgres
//! does not: `hostname:port:database:username:password` per line, `*` matching anything, `\:` and
//! `\\` escaping. Like libpq, a file others can read is not used; unlike libpq (which warns and
//! goes on without it), anbud refuses it, so the cause of a failed login is said.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Why the password file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PassFileError {
    /// Group or others may read it.
    #[error("password file {path} can be read by other users (mode {mode:o}): run `chmod 600 {path}`")]
    Readable {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// It exists but cannot be read.
    #[error("cannot read password file {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        error: String,
    },
}

/// What a line must match: the connection being made.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The host as given (`localhost` also matches a socket folder, as in libpq).
    pub host: &'a str,
    /// The port.
    pub port: u16,
    /// The database.
    pub database: &'a str,
    /// The role.
    pub user: &'a str,
}

/// Where the password file is: `passfile=` from the URL, else `PGPASSFILE`, else `~/.pgpass`.
pub fn location(from_url: Option<&Path>) -> Option<PathBuf> {
    choose(from_url, std::env::var_os("PGPASSFILE"), std::env::var_os("HOME"))
}

/// [`location`] given the environment's `PGPASSFILE` and `HOME`.
fn choose(from_url: Option<&Path>, pgpassfile: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    from_url
        .map(Path::to_path_buf)
        .or_else(|| pgpassfile.filter(|p| !p.is_empty()).map(PathBuf::from))
        .or_else(|| home.map(|home| PathBuf::from(home).join(".pgpass")))
}

/// The password for `target` from the file at `path`; `Ok(None)` when there is no such file or
/// no line matches.
///
/// # Errors
/// [`PassFileError::Readable`] when group or others can read the file; [`PassFileError::Read`]
/// when it exists but cannot be read.
pub fn read(path: &Path, target: Target<'_>) -> Result<Option<String>, PassFileError> {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(PassFileError::Read {
                path: shown,
                error: e.to_string(),
            });
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(PassFileError::Readable { path: shown, mode });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path).map_err(|e| PassFileError::Read {
        path: shown,
        error: e.to_string(),
    })?;
    Ok(lookup(&text, target))
}

/// The password of the first line of `text` matching `target`.
pub fn lookup(text: &str, target: Target<'_>) -> Option<String> {
    let port = target.port.to_string();
    let wanted = [target.host, &port, target.database, target.user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(fields)
        .find(|fields| {
            fields[..4].iter().zip(wanted).enumerate().all(|(i, (field, want))| {
                field == "*" || field == want || (i == 0 && field == "localhost" && want.starts_with('/'))
            })
        })
        .map(|mut fields| fields.swap_remove(4))
}

/// A line's five fields, unescaped; `None` for a line with fewer.
fn fields(line: &str) -> Option<Vec<String>> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            // The password is the rest of the line, colons and all, once four fields are read.
            ':' if fields.len() < 5 => fields.push(String::new()),
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut()?.push(next);
                }
            }
            _ => fields.last_mut()?.push(c),
        }
    }
    (fields.len() == 5).then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Target<'static> = Target {
        host: "db.example.no",
        port: 5432,
        database: "anbud",
        user: "kari",
    };

    #[test]
    fn the_first_matching_line_wins_with_wildcards_and_escapes() {
        let text = "# comment\nother:5432:anbud:kari:no\n*:5432:anbud:ola:no\ndb.example.no:*:*:kari:pa\\:ss\\\\w:rd\n*:*:*:*:last\n";
        assert_eq!(lookup(text, TARGET).as_deref(), Some("pa:ss\\w:rd"));
        let ola = Target { user: "ola", ..TARGET };
        assert_eq!(lookup(text, ola).as_deref(), Some("no"));
        assert_eq!(lookup("short:line\n", TARGET), None);
    }

    #[test]
    fn the_url_wins_over_pgpassfile_which_wins_over_home() {
        let env = |s: &str| Some(OsString::from(s));
        let url = Path::new("/from/url");
        assert_eq!(choose(Some(url), env("/env"), env("/home/k")), Some(url.to_path_buf()));
        assert_eq!(choose(None, env("/env"), env("/home/k")), Some(PathBuf::from("/env")));
        assert_eq!(
            choose(None, env(""), env("/home/k")),
            Some(PathBuf::from("/home/k/.pgpass"))
        );
        assert_eq!(choose(None, None, None), None);
    }

    #[test]
    fn localhost_matches_a_socket_folder() {
        let socket = Target {
            host: "/var/run/postgresql",
            ..TARGET
        };
        assert_eq!(lookup("localhost:5432:anbud:kari:pw\n", socket).as_deref(), Some("pw"));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:kari:pw\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let error = read(&path, TARGET).expect_err("refused");
        assert!(error.to_string().contains("chmod 600"), "{error}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(read(&path, TARGET), Ok(Some("pw".to_owned())));
        assert_eq!(read(&dir.path().join("missing"), TARGET), Ok(None));
    }
}

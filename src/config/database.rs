//! Team mode's PostgreSQL server: `--db postgres://…` or the `[database]` table, checked into
//! plain values (the store turns them into a connection). Without a URL anbud uses SQLite as ever.
//!
//! Passwords never come from the config or the URL (both are shared and logged): they come from
//! the environment variable `password_env` names, else from the password file ([`pgpass`]).

mod pg_url;
pub mod pgpass;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

pub use pg_url::{PgUrl, redact};

use super::raw::{Interval, IntervalKey};
use super::{ConfigError, line_col};

/// How the connection is encrypted (`ssl = …`, or `sslmode=` in the URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ssl {
    /// Plain TCP: only for a server on this machine.
    Disable,
    /// Encrypted, the certificate not checked (libpq's `require`): guards against reading on the
    /// wire, not against a server pretending to be yours.
    Require,
    /// Encrypted, the certificate checked against the system's roots or `ssl_root_cert`, and the
    /// host name against the certificate.
    VerifyFull,
}

impl Ssl {
    /// The value of a libpq `sslmode=` parameter.
    ///
    /// # Errors
    /// The modes anbud refuses, with why and what to use.
    pub fn from_sslmode(value: &str) -> Result<Ssl, String> {
        match value {
            "disable" => Ok(Ssl::Disable),
            "require" => Ok(Ssl::Require),
            "verify-full" => Ok(Ssl::VerifyFull),
            "prefer" | "allow" => Err(format!(
                "sslmode={value} falls back to plaintext without a word: use require or verify-full"
            )),
            "verify-ca" => Err("sslmode=verify-ca does not check the host name: use verify-full".to_owned()),
            other => Err(format!("unknown sslmode={other}: use disable, require or verify-full")),
        }
    }

    /// The name as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Ssl::Disable => "disable",
            Ssl::Require => "require",
            Ssl::VerifyFull => "verify-full",
        }
    }
}

/// Who polls the feeds in team mode (`poll = …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollMode {
    /// A scheduled `anbud poll --once` (cron, systemd) under the poller role; dashboards only read.
    #[default]
    Server,
    /// Dashboards poll themselves when no poll job runs (no cron needed).
    Client,
}

/// `[database]` as configured, before a `--db` URL may replace its `url`.
#[derive(Debug, Clone, PartialEq)]
pub struct DatabaseSettings {
    /// The server; `None`: SQLite.
    pub url: Option<PgUrl>,
    /// The environment variable holding the password (`PGPASSWORD`).
    pub password_env: String,
    /// Encryption as configured; `None`: `disable` on this machine, else `verify-full`.
    pub ssl: Option<Ssl>,
    /// CA certificates (PEM) to check the server's certificate with, instead of the system's.
    pub ssl_root_cert: Option<PathBuf>,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// How long a write may wait for the server before it counts as not confirmed.
    pub write_timeout: Duration,
    /// Who polls the feeds.
    pub poll: PollMode,
    /// The zone comment times are shown in: the config's `timezone`.
    pub zone: jiff::tz::TimeZone,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            password_env: "PGPASSWORD".to_owned(),
            ssl: None,
            ssl_root_cert: None,
            connect_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(5),
            poll: PollMode::Server,
            zone: jiff::tz::TimeZone::UTC,
        }
    }
}

/// A PostgreSQL server to use, every setting settled.
#[derive(Debug, Clone, PartialEq)]
pub struct Database {
    /// The server, role and database.
    pub url: PgUrl,
    /// The environment variable holding the password.
    pub password_env: String,
    /// Encryption.
    pub ssl: Ssl,
    /// CA certificates (PEM), from `ssl_root_cert` or `sslrootcert=`.
    pub ssl_root_cert: Option<PathBuf>,
    /// `passfile=` from the URL, which wins over `PGPASSFILE` and `~/.pgpass`.
    pub passfile: Option<PathBuf>,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// How long a write may wait for the server.
    pub write_timeout: Duration,
    /// Who polls the feeds.
    pub poll: PollMode,
    /// The zone comment times are shown in: the config's `timezone`.
    pub zone: jiff::tz::TimeZone,
}

/// Where anbud keeps its data: the SQLite file, or a PostgreSQL server (team mode).
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// SQLite at this path (`--db FILE`), or in the platform data directory.
    Sqlite(Option<PathBuf>),
    /// PostgreSQL (`--db postgres://…` or `[database] url`).
    Postgres(Box<Database>),
}

impl DatabaseSettings {
    /// Where the data lives, given `--db` (a file or a `postgres://` URL, which wins over `url`).
    ///
    /// # Errors
    /// A message naming `--db` or the settings that do not fit together.
    pub fn storage(&self, db: Option<&Path>) -> Result<Storage, String> {
        let given = db.and_then(Path::to_str).filter(|s| is_url(s));
        match (given, db, &self.url) {
            (Some(text), _, _) => {
                let url = PgUrl::parse(text).map_err(|e| format!("--db: {e}"))?;
                let database = self.with_url(url).map_err(|e| format!("--db: {e}"))?;
                Ok(Storage::Postgres(Box::new(database)))
            }
            (None, Some(path), _) => Ok(Storage::Sqlite(Some(path.to_path_buf()))),
            (None, None, Some(url)) => Ok(Storage::Postgres(Box::new(self.with_url(url.clone())?))),
            (None, None, None) => Ok(Storage::Sqlite(None)),
        }
    }

    /// These settings for the server at `url`.
    fn with_url(&self, url: PgUrl) -> Result<Database, String> {
        let (ssl, ssl_root_cert) = settle_ssl(&url, self.ssl, self.ssl_root_cert.as_deref())?;
        Ok(Database {
            passfile: url.passfile.clone(),
            url,
            password_env: self.password_env.clone(),
            ssl,
            ssl_root_cert,
            connect_timeout: self.connect_timeout,
            write_timeout: self.write_timeout,
            poll: self.poll,
            zone: self.zone.clone(),
        })
    }
}

/// Whether `--db` names a server rather than a file.
fn is_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The encryption for `url`: the URL's `sslmode` or `ssl`, which must agree; by default `disable`
/// on this machine and `verify-full` elsewhere. Plaintext to another machine is refused: the
/// password exchange is safe (SCRAM), but every notice and decision would cross the network readable.
fn settle_ssl(url: &PgUrl, ssl: Option<Ssl>, root_cert: Option<&Path>) -> Result<(Ssl, Option<PathBuf>), String> {
    let ssl = match (url.sslmode, ssl) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "the URL says sslmode={} but ssl = \"{}\": keep one of them",
                a.as_str(),
                b.as_str()
            ));
        }
        (a, b) => a.or(b),
    };
    let ssl = ssl.unwrap_or(if url.is_local() { Ssl::Disable } else { Ssl::VerifyFull });
    if ssl == Ssl::Disable && !url.is_local() {
        return Err(format!(
            "ssl = \"disable\" is only allowed for a server on this machine (127.0.0.1, localhost or a \
             socket); {} needs ssl = \"require\" or \"verify-full\"",
            url.hosts.join(",")
        ));
    }
    let root_cert = match (url.sslrootcert.as_deref(), root_cert) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "the URL says sslrootcert={} but ssl_root_cert = {:?}: keep one of them",
                a.display(),
                b.display().to_string()
            ));
        }
        (a, b) => a.or(b).map(Path::to_path_buf),
    };
    // libpq would check the chain but not the name with `require` and a root certificate
    // (verify-ca); anbud has verify-full for that, so a root certificate means verify-full.
    if ssl != Ssl::VerifyFull && root_cert.is_some() {
        return Err(format!(
            "ssl_root_cert is only used with ssl = \"verify-full\", not \"{}\"",
            ssl.as_str()
        ));
    }
    Ok((ssl, root_cert))
}

/// `[database]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    url: Option<Spanned<UrlValue>>,
    password_env: Option<EnvName>,
    ssl: Option<Spanned<Ssl>>,
    ssl_root_cert: Option<PathBuf>,
    connect_timeout: Option<Interval<ConnectTimeout>>,
    write_timeout: Option<Interval<WriteTimeout>>,
    poll: Option<PollMode>,
}

impl RawDatabase {
    /// Checks that the settings fit together, reporting at the `ssl` line (else the `url` line).
    pub(super) fn check(&self, text: &str, origin: &str) -> Result<(), ConfigError> {
        let Some(url) = &self.url else { return Ok(()) };
        let ssl = self.ssl.as_ref().map(|s| *s.get_ref());
        settle_ssl(&url.get_ref().0, ssl, self.ssl_root_cert.as_deref()).map_err(|message| {
            let span = self.ssl.as_ref().map_or_else(|| url.span(), Spanned::span);
            let (line, column) = line_col(text, span.start);
            ConfigError::Invalid {
                file: origin.to_owned(),
                line,
                column,
                message: format!("[database]: {message}"),
            }
        })?;
        Ok(())
    }

    /// The settings, defaults filled in.
    pub(super) fn finish(self) -> DatabaseSettings {
        let defaults = DatabaseSettings::default();
        DatabaseSettings {
            url: self.url.map(|u| u.into_inner().0),
            password_env: self.password_env.map_or(defaults.password_env, |e| e.0),
            ssl: self.ssl.map(Spanned::into_inner),
            ssl_root_cert: self.ssl_root_cert,
            connect_timeout: self.connect_timeout.map_or(defaults.connect_timeout, |i| i.0),
            write_timeout: self.write_timeout.map_or(defaults.write_timeout, |i| i.0),
            poll: self.poll.unwrap_or_default(),
            zone: defaults.zone,
        }
    }
}

/// `url`, checked while parsing so a bad one is reported at its line.
#[derive(Debug)]
struct UrlValue(PgUrl);

impl<'de> Deserialize<'de> for UrlValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PgUrl::parse(&text).map(UrlValue).map_err(serde::de::Error::custom)
    }
}

/// `password_env`: a name the shell can export.
#[derive(Debug)]
struct EnvName(String);

impl<'de> Deserialize<'de> for EnvName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Ok(EnvName(name))
        } else {
            Err(serde::de::Error::custom(format!(
                "password_env {name:?} is not an environment variable name: use letters, digits and _, e.g. \"PGPASSWORD\""
            )))
        }
    }
}

/// `connect_timeout`.
#[derive(Debug, Clone, Copy)]
struct ConnectTimeout;
impl IntervalKey for ConnectTimeout {
    const KEY: &'static str = "connect_timeout";
}

/// `write_timeout`.
#[derive(Debug, Clone, Copy)]
struct WriteTimeout;
impl IntervalKey for WriteTimeout {
    const KEY: &'static str = "write_timeout";
}

#[cfg(test)]
mod tests;

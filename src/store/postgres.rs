//! Team mode's store on PostgreSQL: connecting (TLS, timeouts, the password from the environment
//! or the password file), the schema and its migrations, the roles an admin creates, and the
//! poller's upsert of notices.
//!
//! Not yet behind the dashboard's `StoreCommand`/`StoreEvent` channel (issue 13): `anbud team
//! init`, `anbud team sql` and `anbud poll --once` use it directly. Depends on `model`, the plain
//! connection settings in `config::database` and tokio-postgres; must not depend on `app`, `ui`
//! or `feeds`.

pub mod connect;
pub mod import;
pub mod poll;
pub mod roles;
pub mod schema;
pub mod team;
mod tls;

pub use connect::connect;
pub use poll::{PollLock, save_fetch};
pub use schema::{Migrated, migrate};

use crate::config::database::pgpass::PassFileError;

/// What can go wrong talking to PostgreSQL. URLs in messages never hold a password.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    /// The password file could not be used.
    #[error("{0}")]
    PassFile(#[from] PassFileError),
    /// The TLS settings could not be turned into a client configuration.
    #[error("TLS: {0}")]
    Tls(String),
    /// tokio-postgres refused the URL (after anbud's own checks, so rare).
    #[error("database URL {url}: {error}")]
    Url {
        /// The URL, redacted.
        url: String,
        /// tokio-postgres' message.
        error: tokio_postgres::Error,
    },
    /// The server could not be reached or refused the login.
    #[error("cannot connect to {url}: {}", describe(.error))]
    Connect {
        /// The URL, redacted.
        url: String,
        /// Why.
        error: tokio_postgres::Error,
    },
    /// The server did not answer in time.
    #[error("cannot connect to {url}: no answer within {seconds} s (connect_timeout)")]
    ConnectTimeout {
        /// The URL, redacted.
        url: String,
        /// The limit.
        seconds: u64,
    },
    /// A statement failed.
    #[error("cannot {action}: {}", describe(.error))]
    Query {
        /// What anbud was doing, e.g. "migrate to schema v1".
        action: String,
        /// The server's or the driver's message.
        error: tokio_postgres::Error,
    },
    /// A row could not be encoded or decoded.
    #[error("{0}")]
    Data(String),
    /// The database has no anbud schema yet, or an older one.
    #[error(
        "the database is at schema v{found}, this anbud needs v{known}: run `anbud team init` as the role that owns the tables"
    )]
    NotInitialised {
        /// Found in `schema_migrations` (0: none).
        found: i32,
        /// The version this build needs.
        known: i32,
    },
    /// The database holds a newer schema than this build knows.
    #[error("the database is at schema v{found}, newer than this anbud (v{known}): upgrade anbud on this machine")]
    TooNew {
        /// Found in `schema_migrations`.
        found: i32,
        /// The newest this build knows.
        known: i32,
    },
}

/// A driver error with the server's own message, detail and hint when there is one: tokio-postgres
/// prints only "db error" for those.
fn describe(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => {
            let mut text = format!("{}: {}", db.severity(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str(&format!(" ({detail})"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; hint: {hint}"));
            }
            text
        }
        // "error connecting to server" alone hides the cause (refused, TLS: unknown issuer, …).
        None => {
            let mut text = error.to_string();
            let mut cause = std::error::Error::source(error);
            while let Some(inner) = cause {
                text.push_str(&format!(": {inner}"));
                cause = inner.source();
            }
            text
        }
    }
}

/// Maps a driver error to [`PgError::Query`] saying what was being done.
fn failed(action: impl Into<String>) -> impl FnOnce(tokio_postgres::Error) -> PgError {
    let action = action.into();
    move |error| PgError::Query { action, error }
}

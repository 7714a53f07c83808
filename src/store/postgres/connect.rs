//! One connection to the configured server: URL, password, TLS and the timeouts tokio-postgres
//! leaves unset (it has no connect timeout by default, and a dead peer would hang a write for as
//! long as the kernel keeps retrying).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc::UnboundedSender;
use tokio_postgres::config::SslMode;
use tokio_postgres::{AsyncMessage, Client, Config, NoTls};

use super::{PgError, tls};
use crate::config::database::pgpass::{self, Target};
use crate::config::database::{Database, Ssl};

/// How long an idle connection waits before TCP keepalives probe the server.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);

/// Connects to `db`, the connection driven by a task on the current tokio runtime.
///
/// # Errors
/// [`PgError::PassFile`] for a password file others can read, [`PgError::Tls`] for unusable TLS
/// settings, [`PgError::Connect`] / [`PgError::ConnectTimeout`] when the server cannot be reached
/// or refuses the login.
pub async fn connect(db: &Database) -> Result<Client, PgError> {
    open(db, None).await
}

/// As [`connect`], for a session that LISTENs: every notification's payload is sent on `bells`,
/// which closes when the connection ends (so the listener learns the server is gone).
///
/// # Errors
/// As [`connect`].
pub async fn connect_listening(db: &Database, bells: UnboundedSender<String>) -> Result<Client, PgError> {
    open(db, Some(bells)).await
}

/// Drives a connection, handing its notifications to `bells`; ends with the connection.
async fn drive<S, T>(mut connection: tokio_postgres::Connection<S, T>, bells: Option<UnboundedSender<String>>)
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    loop {
        match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(note))) => {
                if let Some(bells) = &bells
                    && bells.send(note.payload().to_owned()).is_err()
                {
                    return;
                }
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return,
        }
    }
}

async fn open(db: &Database, bells: Option<UnboundedSender<String>>) -> Result<Client, PgError> {
    let config = settings(db)?;
    let url = db.url.to_string();
    let connecting = async {
        match tls::client_config(db.ssl, db.ssl_root_cert.as_deref()).map_err(PgError::Tls)? {
            None => {
                let (client, connection) = config.connect(NoTls).await?;
                tokio::spawn(drive(connection, bells));
                Ok::<_, ConnectFailure>(client)
            }
            Some(tls) => {
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
                let (client, connection) = config.connect(tls).await?;
                tokio::spawn(drive(connection, bells));
                Ok(client)
            }
        }
    };
    // tokio-postgres' own connect_timeout covers each TCP connect, not the TLS handshake and the
    // login; a server that accepts and then stalls would otherwise hang here.
    match tokio::time::timeout(db.connect_timeout, connecting).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(ConnectFailure::Pg(error))) => Err(error),
        Ok(Err(ConnectFailure::Driver(error))) => Err(PgError::Connect { url, error }),
        Err(_) => Err(PgError::ConnectTimeout {
            url,
            seconds: db.connect_timeout.as_secs(),
        }),
    }
}

/// A pool of up to `size` connections to `db` for reads that may run side by side (the
/// dashboard's, once team mode is behind the store channel). A connection whose server process
/// died is replaced on the next `get` (`RecyclingMethod::Fast` checks `is_closed`).
///
/// # Errors
/// As [`settings`], and [`PgError::Tls`] for unusable TLS settings.
pub fn pool(db: &Database, size: usize) -> Result<deadpool_postgres::Pool, PgError> {
    use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
    let config = settings(db)?;
    let recycling = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match tls::client_config(db.ssl, db.ssl_root_cert.as_deref()).map_err(PgError::Tls)? {
        None => Manager::from_config(config, NoTls, recycling),
        Some(tls) => Manager::from_config(config, tokio_postgres_rustls::MakeRustlsConnect::new(tls), recycling),
    };
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(db.connect_timeout))
        .build()
        .map_err(|e| PgError::Data(format!("cannot set up the connection pool: {e}")))
}

/// Why `connect` failed before the timeout.
enum ConnectFailure {
    Pg(PgError),
    Driver(tokio_postgres::Error),
}

impl From<PgError> for ConnectFailure {
    fn from(error: PgError) -> Self {
        Self::Pg(error)
    }
}

impl From<tokio_postgres::Error> for ConnectFailure {
    fn from(error: tokio_postgres::Error) -> Self {
        Self::Driver(error)
    }
}

/// The tokio-postgres settings for `db`, password included.
///
/// # Errors
/// [`PgError::Url`] when tokio-postgres refuses the URL; [`PgError::PassFile`].
pub fn settings(db: &Database) -> Result<Config, PgError> {
    let mut config: Config = db.url.conninfo().parse().map_err(|error| PgError::Url {
        url: db.url.to_string(),
        error,
    })?;
    config
        .connect_timeout(db.connect_timeout)
        .keepalives(true)
        .keepalives_idle(KEEPALIVE_IDLE)
        // Unacknowledged data for this long means the server is gone: the write fails instead of
        // waiting for the kernel's retries (about 15 minutes).
        .tcp_user_timeout(db.write_timeout + db.connect_timeout)
        .ssl_mode(match db.ssl {
            Ssl::Disable => SslMode::Disable,
            // Verification is the rustls configuration's job (see `tls`).
            Ssl::Require | Ssl::VerifyFull => SslMode::Require,
        });
    if config.get_application_name().is_none() {
        config.application_name("anbud");
    }
    if let Some(password) = password(db)? {
        config.password(password);
    }
    Ok(config)
}

/// The password: the variable `password_env` names, else the password file's line for the first
/// host; `None` lets the server decide (trust, peer).
fn password(db: &Database) -> Result<Option<String>, PgError> {
    if let Some(value) = std::env::var_os(&db.password_env).filter(|v| !v.is_empty()) {
        return value.into_string().map(Some).map_err(|_| {
            PgError::Data(format!(
                "the environment variable {} is not valid UTF-8",
                db.password_env
            ))
        });
    }
    let Some(path) = pgpass::location(db.passfile.as_deref()) else {
        return Ok(None);
    };
    // The URL parser guarantees a host; libpq, too, looks up the first host's line.
    let Some(host) = db.url.hosts.first() else {
        return Ok(None);
    };
    let port = db.url.ports.first().copied().flatten().unwrap_or(5432);
    let target = Target {
        host,
        port,
        database: db.url.dbname.as_deref().unwrap_or(&db.url.user),
        user: &db.url.user,
    };
    Ok(pgpass::read(&path, target)?)
}

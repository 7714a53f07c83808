//! The PostgreSQL server `scripts/with-pg` started: a database per test, connections as the
//! owner, the superuser or a member, and the rule for running without a server.

use std::io::Write;
use std::path::{Path, PathBuf};

use anbud::config::database::{Database, Storage};
use tokio_postgres::{Client, NoTls};

/// Held while a test creates or alters roles: they are the cluster's, shared by every test
/// database, and PostgreSQL refuses two concurrent changes of one role ("tuple concurrently updated").
pub static ROLES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The cluster's settings, from the environment `scripts/with-pg` exports.
pub struct Server {
    /// `postgres://anbud_owner@127.0.0.1:PORT/postgres`.
    owner: String,
    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    admin: String,
    /// Both roles' password.
    password: String,
    /// `127.0.0.1:PORT`.
    pub host_port: String,
}

/// The server, or `None` after saying why the test is skipped. Under `ANBUD_REQUIRE_PG=1` (CI)
/// a missing server fails the test instead, so the team tests cannot pass by not running.
pub fn server() -> Option<Server> {
    let (Ok(owner), Ok(admin), Ok(password)) = (
        std::env::var("ANBUD_TEST_PG"),
        std::env::var("ANBUD_TEST_PG_ADMIN"),
        std::env::var("PGPASSWORD"),
    ) else {
        assert!(
            std::env::var("ANBUD_REQUIRE_PG").as_deref() != Ok("1"),
            "ANBUD_REQUIRE_PG=1 but ANBUD_TEST_PG, ANBUD_TEST_PG_ADMIN or PGPASSWORD is unset: run under scripts/with-pg"
        );
        // Straight to stderr, not `eprintln!`: the test harness hides what a passing test prints.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: run under scripts/with-pg (ANBUD_TEST_PG is unset)"
        );
        return None;
    };
    let host_port = owner
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("ANBUD_TEST_PG is postgres://ROLE@HOST:PORT/DB")
        .to_owned();
    Some(Server {
        owner,
        admin,
        password,
        host_port,
    })
}

impl Server {
    /// A new, empty database owned by `anbud_owner`; its owner URL.
    pub async fn fresh_database(&self, name: &str) -> String {
        let admin = self.connect(&self.admin, "postgres", &self.password).await;
        // Two calls: a multi-statement string is one transaction, which DROP DATABASE refuses.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name} OWNER anbud_owner"),
        ] {
            admin.batch_execute(&sql).await.expect("create the test database");
        }
        self.owner_url(name)
    }

    /// The owner's and the superuser's password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The owner's URL for database `name`.
    pub fn owner_url(&self, name: &str) -> String {
        let base = self.owner.rsplit_once('/').expect("has a database").0;
        format!("{base}/{name}")
    }

    /// The URL of `role` on database `name`.
    pub fn role_url(&self, role: &str, name: &str) -> String {
        format!("postgres://{role}@{}/{name}", self.host_port)
    }

    /// The owner, connected to database `name`.
    pub async fn owner(&self, name: &str) -> Client {
        self.connect(&self.owner, name, &self.password).await
    }

    /// The superuser, connected to database `name`.
    pub async fn admin(&self, name: &str) -> Client {
        self.connect(&self.admin, name, &self.password).await
    }

    /// `role` with `password`, connected to database `name`.
    pub async fn login(&self, role: &str, password: &str, name: &str) -> Client {
        self.connect(&self.role_url(role, name), name, password).await
    }

    async fn connect(&self, url: &str, database: &str, password: &str) -> Client {
        let mut config: tokio_postgres::Config = url.parse().expect("valid URL");
        config.dbname(database).password(password);
        let (client, connection) = config.connect(NoTls).await.expect("connect");
        tokio::spawn(connection);
        client
    }
}

/// The CA that signed the server's certificate (`scripts/with-pg` makes one when openssl is
/// there), under the same rule as [`server`].
pub fn ca() -> Option<String> {
    if let Ok(path) = std::env::var("ANBUD_TEST_PG_CA") {
        return Some(path);
    }
    assert!(
        std::env::var("ANBUD_REQUIRE_PG").as_deref() != Ok("1"),
        "ANBUD_REQUIRE_PG=1 but ANBUD_TEST_PG_CA is unset: scripts/with-pg needs openssl for the TLS tests"
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipped: the server has no TLS (ANBUD_TEST_PG_CA is unset)"
    );
    None
}

/// `url` as anbud's own settings resolve it (the config's `[database]` path).
pub fn database(url: &str) -> Database {
    database_with(url, "")
}

/// As [`database`], with more `[database]` lines.
pub fn database_with(url: &str, more: &str) -> Database {
    let text = format!("[database]\nurl = \"{url}\"\n{more}");
    let config = anbud::config::parse_str(&text, "test.toml").expect("valid");
    match config.database.storage(None).expect("settles") {
        Storage::Postgres(db) => *db,
        Storage::Sqlite(_) => panic!("a URL selects PostgreSQL"),
    }
}

/// A password file (mode 600) in `dir` with one line per `(role, password)`.
pub fn pgpass(dir: &Path, lines: &[(&str, &str)]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("pgpass");
    let text: String = lines.iter().map(|(role, pw)| format!("*:*:*:{role}:{pw}\n")).collect();
    std::fs::write(&path, text).expect("write pgpass");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path
}

/// Asserts that `client` may not run `sql`: it fails with SQLSTATE 42501 (insufficient privilege).
pub async fn assert_denied(client: &Client, sql: &str, why: &str) {
    let code = client
        .execute(sql, &[])
        .await
        .err()
        .and_then(|e| e.code().map(|c| c.code().to_owned()));
    assert_eq!(code.as_deref(), Some("42501"), "{why}: {sql}");
}

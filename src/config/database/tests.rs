use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{PollMode, Ssl, Storage};
use crate::config::{ConfigError, parse_str};

fn storage(text: &str, db: Option<&str>) -> Result<Storage, String> {
    let config = parse_str(text, "user.toml").expect("valid config");
    config.database.storage(db.map(Path::new))
}

fn postgres(text: &str, db: Option<&str>) -> super::Database {
    match storage(text, db) {
        Ok(Storage::Postgres(database)) => *database,
        other => panic!("expected PostgreSQL, got {other:?}"),
    }
}

/// The line, column and message of an invalid `user.toml`.
fn invalid(text: &str) -> (usize, usize, String) {
    match parse_str(text, "user.toml") {
        Err(ConfigError::Invalid {
            file,
            line,
            column,
            message,
        }) => {
            assert_eq!(file, "user.toml");
            (line, column, message)
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn without_a_url_nothing_changes() {
    assert_eq!(storage("", None), Ok(Storage::Sqlite(None)));
    assert_eq!(
        storage("", Some("/tmp/x/anbud.db")),
        Ok(Storage::Sqlite(Some(PathBuf::from("/tmp/x/anbud.db"))))
    );
}

#[test]
fn a_loopback_url_gets_the_defaults() {
    let db = postgres("[database]\nurl = \"postgres://kari@127.0.0.1:5433/anbud\"\n", None);
    assert_eq!(db.url.user, "kari");
    assert_eq!(db.ssl, Ssl::Disable);
    assert_eq!(db.password_env, "PGPASSWORD");
    assert_eq!(db.connect_timeout, Duration::from_secs(5));
    assert_eq!(db.write_timeout, Duration::from_secs(5));
    assert_eq!(db.poll, PollMode::Server);
}

#[test]
fn another_host_defaults_to_verify_full_and_every_key_is_read() {
    let text = "[database]\nurl = \"postgres://kari@db.example.no/anbud\"\npassword_env = \"ANBUD_PW\"\n\
                ssl_root_cert = \"/etc/anbud/ca.pem\"\nconnect_timeout = \"3s\"\nwrite_timeout = \"2s\"\npoll = \"client\"\n";
    let db = postgres(text, None);
    assert_eq!(db.ssl, Ssl::VerifyFull);
    assert_eq!(db.password_env, "ANBUD_PW");
    assert_eq!(db.ssl_root_cert, Some(PathBuf::from("/etc/anbud/ca.pem")));
    assert_eq!(
        (db.connect_timeout, db.write_timeout),
        (Duration::from_secs(3), Duration::from_secs(2))
    );
    assert_eq!(db.poll, PollMode::Client);
    let require = postgres(
        "[database]\nurl = \"postgres://kari@db.example.no/anbud\"\nssl = \"require\"\n",
        None,
    );
    assert_eq!(require.ssl, Ssl::Require);
}

#[test]
fn plaintext_to_another_host_is_refused_at_the_ssl_line() {
    let (line, column, message) =
        invalid("[database]\nurl = \"postgres://kari@db.example.no/anbud\"\n\nssl = \"disable\"\n");
    assert_eq!((line, column), (4, 7));
    assert!(
        message.contains("db.example.no") && message.contains("verify-full"),
        "{message}"
    );
}

#[test]
fn a_password_in_the_url_is_refused_at_its_line_and_not_repeated() {
    let (line, _, message) = invalid("[database]\n\nurl = \"postgres://kari:hunter2@db.example.no/anbud\"\n");
    assert_eq!(line, 3);
    assert!(!message.contains("hunter2"), "{message}");
    assert!(message.contains("password_env"), "{message}");
}

#[test]
fn the_urls_sslmode_and_the_ssl_key_must_agree() {
    let (line, _, message) =
        invalid("[database]\nurl = \"postgres://k@db/a?sslmode=require\"\nssl = \"verify-full\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("sslmode=require"), "{message}");
    let db = postgres(
        "[database]\nurl = \"postgres://k@db/a?sslmode=verify-full&sslrootcert=/ca.pem\"\n",
        None,
    );
    assert_eq!(
        (db.ssl, db.ssl_root_cert),
        (Ssl::VerifyFull, Some(PathBuf::from("/ca.pem")))
    );
    let (line, _, message) =
        invalid("[database]\nurl = \"postgres://k@db/a?sslrootcert=/a.pem\"\nssl_root_cert = \"/b.pem\"\n");
    assert_eq!(line, 2, "no ssl key: reported at the url");
    assert!(message.contains("sslrootcert=/a.pem"), "{message}");
    assert_eq!(db.url.conninfo(), "postgres://k@db/a");
}

#[test]
fn bad_values_name_their_line() {
    for (text, line, says) in [
        ("[database]\nssl = \"prefer\"\n", 2, "verify-full"),
        ("[database]\n\npassword_env = \"PG PASSWORD\"\n", 3, "password_env"),
        ("[database]\nconnect_timeout = \"5 s\"\n", 2, "duration"),
        ("[database]\nwrite_timeout = \"0s\"\n", 2, "write_timeout"),
        ("[database]\npoll = \"sometimes\"\n", 2, "server"),
        ("[database]\nurls = \"postgres://k@h/a\"\n", 2, "urls"),
        ("[database]\nurl = \"mysql://k@h/a\"\n", 2, "postgres://"),
        (
            "[database]\nurl = \"postgres://k@db/a\"\nssl = \"require\"\nssl_root_cert = \"/ca.pem\"\n",
            3,
            "only used with ssl = \"verify-full\"",
        ),
    ] {
        let (got, _, message) = invalid(text);
        assert_eq!(got, line, "{text}: {message}");
        assert!(message.contains(says), "{text}: {message}");
    }
}

#[test]
fn a_db_url_wins_over_the_config_and_is_checked_with_its_settings() {
    let text = "[database]\nurl = \"postgres://kari@127.0.0.1/anbud\"\nssl = \"disable\"\n";
    let db = postgres(text, Some("postgres://ola@localhost:6543/team"));
    assert_eq!(db.url.user, "ola");
    let error = storage(text, Some("postgresql://ola@db.example.no/team")).expect_err("plaintext");
    assert!(error.starts_with("--db: ") && error.contains("disable"), "{error}");
    let error = storage("", Some("postgres://ola:hunter2@db.example.no/team")).expect_err("password");
    assert!(error.starts_with("--db: ") && !error.contains("hunter2"), "{error}");
    // A file path keeps SQLite even when the config names a server.
    assert_eq!(
        storage(text, Some("local.db")),
        Ok(Storage::Sqlite(Some(PathBuf::from("local.db"))))
    );
}

#[test]
fn comment_times_follow_the_configured_timezone_also_for_a_db_url() {
    let text = "timezone = \"America/New_York\"\n[database]\nurl = \"postgres://kari@127.0.0.1/anbud\"\n";
    let zone = jiff::tz::TimeZone::get("America/New_York").expect("bundled");
    assert_eq!(postgres(text, None).zone, zone);
    assert_eq!(
        postgres(
            "timezone = \"America/New_York\"\n",
            Some("postgres://ola@127.0.0.1/anbud")
        )
        .zone,
        zone,
        "--db gives the server; the zone still comes from the config"
    );
}

//! Team mode on a real PostgreSQL server: migrations (also four at once), the roles `anbud team
//! sql` prints applied and checked, and `anbud poll --once` from a loopback feed server into
//! PostgreSQL (idempotent, one poller at a time).
//!
//! Run under `scripts/with-pg cargo test --test team`; without it every test says it is skipped,
//! and with `ANBUD_REQUIRE_PG=1` (CI) fails instead.

use std::io::Write;
use std::path::Path;
use std::process::Output;

use anbud::demo;
use anbud::demo::server::LoopbackServer;
use anbud::store::postgres::{self, poll::POLL_LOCK, schema::SCHEMA_VERSION};

#[path = "../common/mod.rs"]
mod common;
mod import;
mod live;
mod load;
mod pg;

use common::cli::{anbud, run, text};

const TED_PATH: &str = "/v3/notices/search";

/// Runs the real binary with `args` on the blocking pool (the loopback server keeps serving).
async fn anbud_with(args: Vec<String>) -> Output {
    let mut cmd = anbud();
    cmd.args(&args);
    tokio::task::spawn_blocking(move || run(&mut cmd)).await.expect("join")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A loopback server with the demo TED pages, and a config (in `dir`) with one feed on it.
async fn ted_feed(dir: &Path) -> (LoopbackServer, String) {
    let server = LoopbackServer::start(demo::ted_demo_routes(TED_PATH))
        .await
        .expect("server");
    let path = dir.join("config.toml");
    let text = format!(
        "[[feeds]]\nname = \"TED\"\nkind = \"ted\"\nbase_url = \"{}\"\ncountries = [\"NOR\"]\n",
        server.base_url()
    );
    std::fs::write(&path, text).expect("write config");
    (server, path.display().to_string())
}

/// `anbud --db URL team init`, which must succeed.
async fn team_init(url: &str) {
    let out = anbud_with(args(&["--db", url, "team", "init"])).await;
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

async fn count(client: &tokio_postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.expect(sql).get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn team_init_migrates_once_and_says_what_it_did() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_database("t_init").await;
    let first = anbud_with(args(&["--db", &url, "team", "init"])).await;
    let stdout = text(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", text(&first.stderr));
    assert!(
        stdout.contains(&format!("migrated from schema v0 to v{SCHEMA_VERSION}")),
        "{stdout}"
    );
    assert!(!stdout.contains(server.password()), "{stdout}");
    let again = anbud_with(args(&["--db", &url, "team", "init"])).await;
    assert!(text(&again.stdout).contains("nothing to do"), "{}", text(&again.stdout));
    let owner = server.owner("t_init").await;
    assert_eq!(
        count(&owner, "SELECT count(*) FROM schema_migrations").await,
        i64::from(SCHEMA_VERSION)
    );
    for table in [
        "notices",
        "triage",
        "triage_events",
        "comments",
        "seen",
        "members",
        "changes",
        "feed_state",
        "meta",
    ] {
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(count(&owner, &sql).await, 0, "{table}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn four_concurrent_migrations_apply_each_step_once() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_database("t_concurrent").await;
    let db = pg::database(&url);
    // Four connections from a pool, all open before any migrates, so the four really race.
    let pool = postgres::connect::pool(&db, 4).expect("pool");
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(pool.get().await.expect("connect"));
    }
    let runs = clients
        .into_iter()
        .map(|mut client| tokio::spawn(async move { postgres::migrate(&mut client).await.expect("migrates") }));
    let results = futures::future::join_all(runs).await;
    let mut applied: Vec<usize> = results
        .into_iter()
        .map(|r| r.expect("join").applied().count())
        .collect();
    applied.sort_unstable();
    let steps = usize::try_from(SCHEMA_VERSION).expect("small");
    assert_eq!(applied, [0, 0, 0, steps], "exactly one migrator applied the steps");
    let owner = server.owner("t_concurrent").await;
    let versions = count(&owner, "SELECT count(DISTINCT version) FROM schema_migrations").await;
    assert_eq!(versions, count(&owner, "SELECT count(*) FROM schema_migrations").await);
}

#[tokio::test(flavor = "multi_thread")]
async fn team_sql_gives_triagers_and_the_poller_only_their_own_writes() {
    let Some(server) = pg::server() else { return };
    let name = "t_roles";
    let url = server.fresh_database(name).await;
    team_init(&url).await;
    let sql = anbud_with(args(&["--db", &url, "team", "sql", "--members", "kari,ola"])).await;
    assert!(sql.status.success(), "{}", text(&sql.stderr));
    let sql = text(&sql.stdout);
    let admin = server.admin(name).await;
    let roles = pg::ROLES.lock().await;
    // Twice: the script is meant to be run again when members join.
    admin.batch_execute(&sql).await.expect("the printed SQL applies");
    admin.batch_execute(&sql).await.expect("and applies again");
    admin
        .batch_execute(
            "ALTER ROLE kari PASSWORD 'pw-kari'; ALTER ROLE ola PASSWORD 'pw-ola';
             ALTER ROLE anbud_poller PASSWORD 'pw-poller';",
        )
        .await
        .expect("passwords");
    drop(roles);
    let members = count(&admin, "SELECT count(*) FROM members WHERE role IN ('kari', 'ola')").await;
    assert_eq!(members, 2);

    let kari = server.login("kari", "pw-kari", name).await;
    let insert_notice = "INSERT INTO notices (id, source, native_id, title, buyer, score, matched, notice,
                          relevance, content_hash, first_seen, last_seen)
                          VALUES ('ted:1', 'ted', '1', 't', 'b', 1, true, '{}', '{}', 'h', now(), now())";
    pg::assert_denied(&kari, insert_notice, "a triager cannot write notices").await;
    assert_eq!(count(&kari, "SELECT count(*) FROM notices").await, 0, "but reads them");
    kari.execute(
        "INSERT INTO triage (notice_id, status) VALUES ('ted:1', 'shortlisted')",
        &[],
    )
    .await
    .expect("a triager decides");
    kari.execute(
        "INSERT INTO triage_events (op_id, notice_id, field, new, version) VALUES ('kari:1', 'ted:1', 'status', '\"shortlisted\"', 1)",
        &[],
    )
    .await
    .expect("and logs it");
    let forged =
        "INSERT INTO triage_events (op_id, notice_id, field, actor) VALUES ('kari:2', 'ted:1', 'status', 'ola')";
    pg::assert_denied(&kari, forged, "the author cannot be forged").await;
    let rewrite = "UPDATE triage_events SET new = '\"rejected\"'";
    pg::assert_denied(&kari, rewrite, "the log is append-only").await;
    let stamped: (String, String) = {
        let row = kari
            .query_one(
                "SELECT t.updated_by::text, e.actor::text FROM triage t, triage_events e",
                &[],
            )
            .await
            .expect("read back");
        (row.get(0), row.get(1))
    };
    assert_eq!(stamped, ("kari".to_owned(), "kari".to_owned()));
    kari.execute("INSERT INTO seen (notice_id) VALUES ('ted:1')", &[])
        .await
        .expect("seen");
    let ola = server.login("ola", "pw-ola", name).await;
    assert_eq!(
        count(&ola, "SELECT count(*) FROM seen").await,
        0,
        "seen marks are personal"
    );
    assert_eq!(
        count(&ola, "SELECT count(*) FROM triage").await,
        1,
        "decisions are shared"
    );

    let poller = server.login("anbud_poller", "pw-poller", name).await;
    let decide = "INSERT INTO triage (notice_id, status) VALUES ('ted:2', 'rejected')";
    pg::assert_denied(&poller, decide, "the poller cannot triage").await;
    let comment = "INSERT INTO comments (op_id, notice_id, body) VALUES ('p:1', 'ted:1', 'x')";
    pg::assert_denied(&poller, comment, "nor comment").await;

    // The poll job as the poller role, its password from a password file named in the URL.
    let dir = tempfile::tempdir().expect("tempdir");
    let (_feeds, config) = ted_feed(dir.path()).await;
    let passfile = pg::pgpass(dir.path(), &[("anbud_poller", "pw-poller")]);
    let poller_url = format!(
        "{}?passfile={}",
        server.role_url("anbud_poller", name),
        passfile.display()
    );
    let mut cmd = anbud();
    cmd.args(["--config", &config, "--db", &poller_url, "poll", "--once"])
        .env_remove("PGPASSWORD");
    let out = tokio::task::spawn_blocking(move || run(&mut cmd)).await.expect("join");
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(
        count(&kari, "SELECT count(*) FROM notices").await,
        16,
        "{}",
        text(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_once_upserts_into_postgres_and_a_repeat_writes_nothing_new() {
    let Some(server) = pg::server() else { return };
    let name = "t_poll";
    let url = server.fresh_database(name).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_feeds, config) = ted_feed(dir.path()).await;
    let poll = || args(&["--config", &config, "--db", &url, "poll", "--once"]);

    let before_init = anbud_with(poll()).await;
    assert_eq!(before_init.status.code(), Some(1));
    assert!(
        text(&before_init.stderr).contains("anbud team init"),
        "{}",
        text(&before_init.stderr)
    );

    team_init(&url).await;
    let first = anbud_with(poll()).await;
    let stdout = text(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", text(&first.stderr));
    assert!(stdout.contains("TED: 16 new, 0 updated"), "{stdout}");
    let owner = server.owner(name).await;
    let notices = count(&owner, "SELECT count(*) FROM notices").await;
    assert_eq!(notices, 16);
    // The same notices as the SQLite store gets from the same feed.
    let sqlite = dir.path().join("anbud.db");
    let out = anbud_with(args(&[
        "--config",
        &config,
        "--db",
        &sqlite.display().to_string(),
        "poll",
        "--once",
    ]))
    .await;
    assert!(out.status.success());
    let mut expected: Vec<String> = anbud::store::Store::open(&sqlite)
        .expect("open")
        .records(anbud::store::StatusFilter::All)
        .expect("read")
        .into_iter()
        .map(|r| r.notice.id.to_string())
        .collect();
    expected.sort();
    let stored: Vec<String> = owner
        .query("SELECT id FROM notices ORDER BY id COLLATE \"C\"", &[])
        .await
        .expect("ids")
        .iter()
        .map(|row| row.get(0))
        .collect();
    assert_eq!(stored, expected);
    let high_water = count(
        &owner,
        "SELECT count(*) FROM feed_state WHERE feed = 'TED' AND high_water IS NOT NULL",
    )
    .await;
    assert_eq!(high_water, 1, "the sync state is saved with the notices");

    let written = "SELECT max(xmin::text::bigint) FROM notices";
    let before: i64 = count(&owner, written).await;
    let again = anbud_with(poll()).await;
    let stdout = text(&again.stdout);
    assert!(again.status.success(), "{stdout}{}", text(&again.stderr));
    assert!(stdout.contains("TED: 0 new, 0 updated"), "{stdout}");
    assert_eq!(count(&owner, "SELECT count(*) FROM notices").await, 16);
    assert_eq!(count(&owner, written).await, before, "no notice row was rewritten");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_poller_is_skipped_while_the_lock_is_held() {
    let Some(server) = pg::server() else { return };
    let name = "t_lock";
    let url = server.fresh_database(name).await;
    team_init(&url).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (feeds, config) = ted_feed(dir.path()).await;
    let poll = || args(&["--config", &config, "--db", &url, "poll", "--once"]);

    let holder = server.owner(name).await;
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&POLL_LOCK])
        .await
        .expect("hold the poll lock");
    let skipped = anbud_with(poll()).await;
    assert_eq!(skipped.status.code(), Some(0), "{}", text(&skipped.stderr));
    assert_eq!(text(&skipped.stdout), "skipped: another poll is running\n");
    assert!(feeds.requests().is_empty(), "the skipped poller fetched nothing");
    let owner = server.owner(name).await;
    assert_eq!(count(&owner, "SELECT count(*) FROM notices").await, 0);

    // A poller that dies holding the lock frees it with its connection.
    drop(holder);
    let mut ran = None;
    for _ in 0..50 {
        let out = anbud_with(poll()).await;
        if !text(&out.stdout).starts_with("skipped") {
            ran = Some(out);
            break;
        }
    }
    let ran = ran.expect("the lock was freed when its connection closed");
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    assert_eq!(count(&owner, "SELECT count(*) FROM notices").await, 16);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_file_others_can_read_is_refused_by_name() {
    let Some(server) = pg::server() else { return };
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let passfile = pg::pgpass(dir.path(), &[("anbud_owner", "whatever")]);
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let url = format!(
        "{}?passfile={}",
        server.role_url("anbud_owner", "postgres"),
        passfile.display()
    );
    let mut cmd = anbud();
    cmd.args(["--db", &url, "team", "init"]).env_remove("PGPASSWORD");
    let out = tokio::task::spawn_blocking(move || run(&mut cmd)).await.expect("join");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("chmod 600 {}", passfile.display())),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_thousand_notices_upsert_in_one_statement_and_a_repeat_rewrites_none() {
    let Some(server) = pg::server() else { return };
    let name = "t_upsert";
    let url = server.fresh_database(name).await;
    let db = pg::database(&url);
    let mut client = postgres::connect(&db).await.expect("connect");
    postgres::migrate(&mut client).await.expect("migrate");
    let corpus = anbud::corpus::Corpus::new(7).expect("corpus");
    let matcher = anbud::matching::MatcherSet::new(&[anbud::matching::Profile::bundled()]).expect("profile");
    let mut items = anbud::corpus::fill::scored(&corpus, 0..20_000, &matcher).expect("generated");
    let state = anbud::model::FeedState::default();
    let now = jiff::Timestamp::now();

    let started = std::time::Instant::now();
    let first = postgres::save_fetch(&mut client, "corpus", &items, &state, now)
        .await
        .expect("save");
    let took = started.elapsed();
    assert_eq!((first.new, first.updated, first.unchanged), (20_000, 0, 0));
    let owner = server.owner(name).await;
    assert_eq!(count(&owner, "SELECT count(*) FROM notices").await, 20_000);

    let written = "SELECT max(xmin::text::bigint) FROM notices";
    let before = count(&owner, written).await;
    let started = std::time::Instant::now();
    let again = postgres::save_fetch(&mut client, "corpus", &items, &state, now)
        .await
        .expect("save");
    let took_again = started.elapsed();
    assert_eq!((again.new, again.updated, again.unchanged), (0, 0, 20_000));
    assert_eq!(
        count(&owner, written).await,
        before,
        "an unchanged notice is not rewritten"
    );

    // One in a hundred corrected: exactly those are rewritten, their changes logged.
    for (notice, _) in items.iter_mut().step_by(100) {
        notice.title.push_str(" (corrected)");
    }
    let started = std::time::Instant::now();
    let changed = postgres::save_fetch(&mut client, "corpus", &items, &state, now)
        .await
        .expect("save");
    let took_changed = started.elapsed();
    assert_eq!((changed.new, changed.updated, changed.unchanged), (0, 200, 19_800));
    let rewritten = format!("SELECT count(*) FROM notices WHERE xmin::text::bigint > {before}");
    assert_eq!(count(&owner, &rewritten).await, 200);
    assert_eq!(
        count(
            &owner,
            "SELECT count(DISTINCT notice_id) FROM changes WHERE field = 'title'"
        )
        .await,
        200
    );
    // A new score alone (the profiles changed) is saved, and is not a content update.
    items[1].1.score += 5;
    let rescored = postgres::save_fetch(&mut client, "corpus", &items, &state, now)
        .await
        .expect("save");
    assert_eq!((rescored.updated, rescored.unchanged), (0, 20_000));
    let id = items[1].0.id.to_string();
    let score: i32 = owner
        .query_one("SELECT score FROM notices WHERE id = $1", &[&id])
        .await
        .expect("read")
        .get(0);
    assert_eq!(score, items[1].1.score);
    // The figures for the issue (this build's profile; not a limit).
    let _ = writeln!(
        std::io::stderr(),
        "20k upsert: first {took:.2?}, unchanged {took_again:.2?}, 1 % changed {took_changed:.2?}"
    );
}

// These need no server: what anbud says before it would connect.

#[test]
fn commands_without_team_mode_refuse_a_postgres_database_by_name() {
    for command in [&["digest"][..], &["awards"]] {
        let mut cmd = anbud();
        cmd.args(["--db", "postgres://kari@127.0.0.1:1/anbud"]).args(command);
        let out = run(&mut cmd);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(
            stderr.contains("postgres://kari@127.0.0.1:1/anbud is a PostgreSQL database"),
            "{stderr}"
        );
        assert!(stderr.contains("--db FILE"), "{stderr}");
    }
}

#[test]
fn a_password_in_db_is_refused_before_anything_runs_and_not_echoed() {
    let mut cmd = anbud();
    cmd.args(["--db", "postgres://kari:hunter2@db.example.no/anbud", "team", "init"]);
    let out = run(&mut cmd);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("anbud: --db: database URL postgres://kari:***@db.example.no/anbud"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn team_sql_refuses_bad_member_names_and_team_init_needs_a_server() {
    let mut cmd = anbud();
    cmd.args(["team", "sql", "--members", "kari,Ola; DROP ROLE x"]);
    let out = run(&mut cmd);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a role name"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing half printed");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = anbud();
    cmd.args(["--db", &dir.path().join("a.db").display().to_string(), "team", "init"]);
    let out = run(&mut cmd);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("needs a PostgreSQL database"),
        "{}",
        text(&out.stderr)
    );
}

/// Whether `client`'s connection is encrypted, as the server sees it.
async fn encrypted(client: &tokio_postgres::Client) -> bool {
    client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .await
        .expect("pg_stat_ssl")
        .get(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_full_checks_the_servers_certificate_and_require_only_encrypts() {
    let Some(server) = pg::server() else { return };
    let Some(ca) = pg::ca() else { return };
    for host in ["127.0.0.1", "localhost"] {
        let url = server.owner_url("postgres").replace("127.0.0.1", host);
        let db = pg::database_with(&url, &format!("ssl = \"verify-full\"\nssl_root_cert = \"{ca}\"\n"));
        let client = postgres::connect(&db)
            .await
            .expect("the test CA signed the server's certificate");
        assert!(encrypted(&client).await, "{host}");
    }
    let url = server.owner_url("postgres");
    // The system's roots do not know the test CA.
    let system = pg::database_with(&url, "ssl = \"verify-full\"\n");
    let error = postgres::connect(&system)
        .await
        .expect_err("an unknown CA is refused")
        .to_string();
    assert!(error.contains(&url) || error.contains("root certificates"), "{error}");
    let missing = pg::database_with(&url, "ssl = \"verify-full\"\nssl_root_cert = \"/nonexistent/ca.pem\"\n");
    let error = postgres::connect(&missing).await.expect_err("no such file").to_string();
    assert!(error.contains("/nonexistent/ca.pem"), "{error}");
    let require = pg::database_with(&url, "ssl = \"require\"\n");
    assert!(encrypted(&postgres::connect(&require).await.expect("require")).await);
    let plain = postgres::connect(&pg::database(&url)).await.expect("loopback default");
    assert!(!encrypted(&plain).await, "plaintext is the loopback default");
}

/// A team that set up anbud at schema v2 keeps everything when v3 moves the description out of
/// the notice JSON and stores JSON as `json`: the notice reads back whole, and the next poll of the
/// same notice rewrites it once (its hash is computed anew) without logging a change.
#[tokio::test(flavor = "multi_thread")]
async fn a_v2_database_migrates_to_v3_keeping_descriptions_and_a_repoll_logs_no_change() {
    let Some(server) = pg::server() else { return };
    let url = server.fresh_database("t_v2").await;
    let owner = server.owner("t_v2").await;
    // The database as a v2 anbud left it: steps 1 and 2, and a notice stored as v2 stored it.
    owner
        .batch_execute(&format!(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY,
                                             applied_at timestamptz NOT NULL DEFAULT now());
             {}\n{}\nINSERT INTO schema_migrations (version) VALUES (1), (2);",
            postgres::schema::STEPS[0],
            postgres::schema::STEPS[1]
        ))
        .await
        .expect("schema v2");
    let (notice, relevance) = common::notice("ted:1-2026")
        .title("Trygghetsalarmer")
        .description("Kommunen kjøper 400 trygghetsalarmer.")
        .scored();
    let json = serde_json::to_value(&notice).expect("json");
    owner
        .execute(
            "INSERT INTO notices (id, source, native_id, title, buyer, score, matched, notice, relevance,
                                  content_hash, relevance_hash, first_seen, last_seen)
             VALUES ($1, 'ted', '1-2026', $2, 'Oslo kommune', 5, true, $3, $4, 'v2-hash', 'v2-rel', now(), now())",
            &[
                &notice.id.as_str(),
                &notice.title,
                &tokio_postgres::types::Json(&json),
                &tokio_postgres::types::Json(&relevance),
            ],
        )
        .await
        .expect("a v2 notice");
    owner
        .execute(
            "INSERT INTO comments (op_id, notice_id, body) VALUES ('v2:1', $1, 'Sjekk kravene')",
            &[&notice.id.as_str()],
        )
        .await
        .expect("a v2 comment");

    let db = pg::database(&url);
    let mut client = postgres::connect(&db).await.expect("connect");
    let migrated = postgres::migrate(&mut client).await.expect("migrates");
    assert_eq!(migrated.applied().collect::<Vec<_>>(), [3]);
    let opened = postgres::team::open_all(&db).await.expect("reads at v3");
    let record = &opened.records[0];
    assert_eq!(
        record.notice, notice,
        "the notice reads back whole, description and all"
    );
    assert!(record.note().contains("Sjekk kravene"), "{}", record.note());
    let in_json: bool = owner
        .query_one("SELECT notice::jsonb ? 'description' FROM notices", &[])
        .await
        .expect("query")
        .get(0);
    assert!(!in_json, "the description lives in its column only");

    let saved = postgres::save_fetch(
        &mut client,
        "ted",
        &[(notice.clone(), relevance.clone())],
        &anbud::model::FeedState::default(),
        jiff::Timestamp::now(),
    )
    .await
    .expect("re-poll");
    assert_eq!((saved.new, saved.updated), (0, 1), "rewritten once, with the new hash");
    assert_eq!(
        count(&owner, "SELECT count(*) FROM changes").await,
        0,
        "no change logged"
    );
    let again = postgres::save_fetch(
        &mut client,
        "ted",
        &[(notice, relevance)],
        &anbud::model::FeedState::default(),
        jiff::Timestamp::now(),
    )
    .await
    .expect("re-poll");
    assert_eq!((again.updated, again.unchanged), (0, 1), "then left alone");
}

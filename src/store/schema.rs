//! The database schema and its migrations, numbered with `PRAGMA user_version`.
//!
//! Owns the table definitions only; queries live in `store::sqlite`. Depends on rusqlite and nothing
//! else in the crate besides [`StoreError`].
//!
//! To change the schema, append a step to [`MIGRATIONS`]; never edit a step that has shipped, because
//! databases already at that version will not run it again.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Schema v1: notices as last fetched, the current triage per notice, and a log of every triage change.
///
/// Timestamps are RFC 3339 text in UTC. `notices.deadline` and `notices.published` are written without
/// fractional seconds so that text order is time order (the exact instant is in `notice_json`).
/// `content_hash` fingerprints `notice_json`, which tells an updated notice from an unchanged
/// re-fetch without comparing the whole JSON. `triage` has no foreign key: notices are never deleted,
/// and a decision must not be lost because its notice has not been stored yet.
const V1: &str = "
CREATE TABLE notices (
    id             TEXT PRIMARY KEY NOT NULL,
    source         TEXT NOT NULL,
    native_id      TEXT NOT NULL,
    title          TEXT NOT NULL,
    buyer          TEXT NOT NULL,
    deadline       TEXT,
    published      TEXT,
    score          INTEGER NOT NULL,
    matched        INTEGER NOT NULL,
    notice_json    TEXT NOT NULL,
    relevance_json TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    first_seen     TEXT NOT NULL,
    last_seen      TEXT NOT NULL
) STRICT;

CREATE TABLE triage (
    notice_id  TEXT PRIMARY KEY NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('new', 'shortlisted', 'rejected')),
    note       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    notice_id  TEXT NOT NULL,
    old_status TEXT NOT NULL,
    new_status TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;

CREATE INDEX decisions_by_notice ON decisions (notice_id, id);
";

/// Migration steps in order: step `i` takes a database from version `i` to version `i + 1`.
/// v2: the bid pipeline stages (bidding, submitted, won, lost). SQLite cannot alter a CHECK
/// constraint, so the triage table is rebuilt with its rows copied over.
const V2: &str = "
CREATE TABLE triage_v2 (
    notice_id  TEXT PRIMARY KEY NOT NULL,
    status     TEXT NOT NULL
               CHECK (status IN ('new', 'shortlisted', 'bidding', 'submitted', 'won', 'lost', 'rejected')),
    note       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO triage_v2 (notice_id, status, note, updated_at) SELECT notice_id, status, note, updated_at FROM triage;
DROP TABLE triage;
ALTER TABLE triage_v2 RENAME TO triage;
";

/// v3: each logged decision says whether it was a new decision, an undo or a redo, and which batch
/// (one key press, possibly on many marked notices) it belongs to, so the undo and redo stacks can
/// be rebuilt after a restart with a mass action undone as one. Older rows were single decisions.
const V3: &str = "
ALTER TABLE decisions ADD COLUMN kind TEXT NOT NULL DEFAULT 'do' CHECK (kind IN ('do', 'undo', 'redo'));
ALTER TABLE decisions ADD COLUMN batch INTEGER;
";

/// v4: content changes. Every field a re-fetch changed is logged in `changes`, and the ones the
/// user has not looked at yet are kept on the notice (JSON list; NULL once seen).
const V4: &str = "
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY,
    notice_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    old       TEXT NOT NULL,
    new       TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX changes_by_notice ON changes (notice_id, id);
ALTER TABLE notices ADD COLUMN unseen_changes TEXT;
";

/// Tags (a JSON list of strings, sorted) and the reason picked when rejecting, kept with the triage
/// row like the note; a reason only means something while the status is `rejected`.
const TAGS_AND_REASONS: &str = "
ALTER TABLE triage ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE triage ADD COLUMN reject_reason TEXT;
";

/// Per-feed sync state, written in the same transaction as the notices a poll produced: the
/// high-water mark (RFC 3339; the next poll reads from there less an overlap), the last success,
/// and the cache validators per URL (JSON list of `{url, etag, last_modified}`).
const FEED_STATE: &str = "
CREATE TABLE feed_state (
    feed         TEXT PRIMARY KEY NOT NULL,
    high_water   TEXT,
    last_success TEXT,
    validators   TEXT NOT NULL DEFAULT '[]',
    updated_at   TEXT NOT NULL
) STRICT;
";

/// Cross-source duplicates (the same procedure on Doffin and TED, …): each secondary notice names
/// its primary and why they were merged (written in the fetch's transaction; secondaries are left
/// out of every list). `dedup_keys` files each notice with a deadline under its buyer keys and
/// deadline day (days since 1970-01-01 UTC), so a new notice finds its twin by index lookup.
const DUPLICATES: &str = "
CREATE TABLE duplicates (
    notice_id  TEXT PRIMARY KEY NOT NULL,
    primary_id TEXT NOT NULL,
    reason     TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX duplicates_by_primary ON duplicates (primary_id);
CREATE TABLE dedup_keys (
    buyer_key TEXT NOT NULL,
    day       INTEGER NOT NULL,
    notice_id TEXT NOT NULL,
    PRIMARY KEY (buyer_key, day, notice_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX dedup_keys_by_notice ON dedup_keys (notice_id);
";

/// The dashboard shows the best notices first while the rest load: an index by score lets SQLite
/// read just those rows instead of scanning (and sorting) the whole table.
const SCORE_INDEX: &str = "
CREATE INDEX notices_by_score ON notices (score DESC);
";

/// Small facts about the database as a whole; `profiles` is the fingerprint of the matching profiles
/// the stored scores were computed with, so a changed profile triggers a background re-score.
const META: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
";

/// Where a poll cut short by `max_pages` continues (JSON `{since, cursor, low, started}`, see
/// `model::Resume`), saved with the notices of the pages it read; NULL when the window was read.
const FEED_RESUME: &str = "
ALTER TABLE feed_state ADD COLUMN resume TEXT;
";

/// Contract awards, one row per award notice × lot × winner (`model::Award`); dates are
/// `YYYY-MM-DD`, `cpv` and `unpaired_winner_ids` JSON lists. `est_end` and `end_basis` are the
/// estimate the row was saved with (re-worked when a link brings a competition notice's duration).
/// `award_links` ties an award notice to the competition notice it concludes, and how; an award
/// notice without a row there is unlinked. `competition_keys` holds what competition notices say
/// that awards link to (procedure id, ocid) and estimate from (planned duration).
const AWARDS: &str = "
CREATE TABLE awards (
    notice_id           TEXT NOT NULL,
    lot_id              TEXT NOT NULL,
    seq                 INTEGER NOT NULL,
    title               TEXT NOT NULL,
    buyer               TEXT NOT NULL,
    buyer_id            TEXT,
    cpv                 TEXT NOT NULL DEFAULT '[]',
    winner_name         TEXT,
    winner_org_id       TEXT,
    winner_country      TEXT,
    value               REAL,
    currency            TEXT,
    value_kind          TEXT CHECK (value_kind IN ('award', 'framework_max', 'estimate')),
    tenders_received    INTEGER,
    decision_date       TEXT,
    conclusion_date     TEXT,
    start_date          TEXT,
    end_date            TEXT,
    duration_months     INTEGER,
    est_end             TEXT,
    end_basis           TEXT NOT NULL CHECK (end_basis IN
                        ('explicit_end', 'start+duration', 'conclusion+duration', 'linked_cn_duration', 'none')),
    status              TEXT NOT NULL CHECK (status IN ('awarded', 'no_award', 'intent')),
    pairing             TEXT NOT NULL CHECK (pairing IN ('exact', 'ambiguous')),
    unpaired_winner_ids TEXT NOT NULL DEFAULT '[]',
    procedure_id        TEXT,
    ref_notice          TEXT,
    ocid                TEXT,
    contract_folder     TEXT,
    published           TEXT,
    url                 TEXT NOT NULL,
    saved_at            TEXT NOT NULL,
    PRIMARY KEY (notice_id, lot_id, seq)
) STRICT;
CREATE INDEX awards_by_end ON awards (est_end);
CREATE TABLE award_links (
    award_notice_id       TEXT PRIMARY KEY NOT NULL,
    competition_notice_id TEXT NOT NULL,
    method                TEXT NOT NULL
                          CHECK (method IN ('procedure_id', 'ref_notice', 'ocid', 'contract_folder', 'inferred')),
    score                 INTEGER,
    at                    TEXT NOT NULL
) STRICT;
CREATE INDEX award_links_by_competition ON award_links (competition_notice_id);
CREATE TABLE competition_keys (
    notice_id       TEXT PRIMARY KEY NOT NULL,
    procedure_id    TEXT,
    ocid            TEXT,
    duration_months INTEGER
) STRICT;
CREATE INDEX competition_keys_by_procedure ON competition_keys (procedure_id);
CREATE INDEX competition_keys_by_ocid ON competition_keys (ocid);
";

/// An award lot's framework kind (eForms BT-765: `fa-wo-rc`, `fa-w-rc`, `fa-mix`, `none`; see
/// `model::FrameworkKind`), NULL where the notice does not say.
const AWARD_FRAMEWORK: &str = "
ALTER TABLE awards ADD COLUMN framework_kind TEXT CHECK (framework_kind IN ('fa-wo-rc', 'fa-w-rc', 'fa-mix', 'none'));
";

/// Every schema step in order; `user_version` is how many have run.
pub const MIGRATIONS: &[&str] = &[
    V1,
    V2,
    V3,
    V4,
    TAGS_AND_REASONS,
    FEED_STATE,
    DUPLICATES,
    SCORE_INDEX,
    META,
    FEED_RESUME,
    AWARDS,
    AWARD_FRAMEWORK,
];

/// The newest schema version this build knows and creates.
// The cast cannot truncate: the list holds a handful of steps.
#[allow(clippy::cast_possible_wrap)]
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// anbud's mark in the SQLite header (`PRAGMA application_id`): "anbd" in ASCII. Stamped by
/// [`migrate`], so another program's database is told apart without guessing from its tables.
pub const APPLICATION_ID: i32 = 0x616e_6264;

/// The tables every anbud schema has had since v1; a database from before [`APPLICATION_ID`] was
/// stamped is recognised by them.
const CORE_TABLES: [&str; 3] = ["decisions", "notices", "triage"];

/// What an opened file holds, judged before anything is written to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No tables and no schema version: an empty or new file, which becomes an anbud database.
    New,
    /// An anbud database (stamped, or from before the stamp with anbud's tables).
    Anbud,
    /// Something else, with what gave it away (for "FILE is not an anbud database (…)").
    Foreign(String),
}

/// Tells an anbud database from a new file and from another program's, reading only.
///
/// # Errors
///
/// [`StoreError::Sqlite`] when the header or the schema cannot be read (for example, the file is
/// not an SQLite database at all).
pub fn identify(conn: &Connection) -> Result<Identity, StoreError> {
    let read = |action: &str| {
        let action = action.to_owned();
        move |error| StoreError::Sqlite { action, error }
    };
    let application_id: i32 = conn
        .pragma_query_one(None, "application_id")
        .map_err(read("read the application id"))?;
    if application_id == APPLICATION_ID {
        return Ok(Identity::Anbud);
    }
    if application_id != 0 {
        return Ok(Identity::Foreign(format!(
            "its SQLite application id is {application_id:#x}, anbud's is {APPLICATION_ID:#x}"
        )));
    }
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(read("read the schema"))?;
    let tables: Vec<String> = stmt
        .query_map([], |row| row.get(0))
        .and_then(Iterator::collect)
        .map_err(read("read the schema"))?;
    let version = user_version(conn)?;
    Ok(match (tables.is_empty(), version) {
        (true, 0) => Identity::New,
        (true, _) => Identity::Foreign(format!("schema version {version} but no tables")),
        (false, 0) => Identity::Foreign(format!("tables {}", listed(&tables))),
        (false, _) if CORE_TABLES.iter().all(|t| tables.iter().any(|name| name == t)) => Identity::Anbud,
        (false, _) => Identity::Foreign(format!("schema version {version}, tables {}", listed(&tables))),
    })
}

/// At most five table names, then how many more: the reason stays one line.
fn listed(tables: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = tables.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if tables.len() > SHOWN {
        text.push_str(&format!(" and {} more", tables.len() - SHOWN));
    }
    text
}

/// Reads `PRAGMA user_version`: 0 for a new file, else the schema version last migrated to.
///
/// # Errors
///
/// [`StoreError::Sqlite`] when the pragma cannot be read (for example, the file is not a database).
pub fn user_version(conn: &Connection) -> Result<i64, StoreError> {
    conn.pragma_query_one(None, "user_version")
        .map_err(|error| StoreError::Sqlite {
            action: "read the schema version".to_owned(),
            error,
        })
}

/// Brings the database up to [`SCHEMA_VERSION`] and returns the version it was at before.
///
/// All pending steps run in one immediate transaction together with the `user_version` bump, so a
/// crash leaves the file at its old version, and a second anbud opening the same file at the same
/// moment waits for the first instead of running the steps twice.
///
/// # Errors
///
/// [`StoreError::TooNew`] when the file's version is above [`SCHEMA_VERSION`] (nothing is changed);
/// [`StoreError::Migrate`] when a step fails; [`StoreError::Sqlite`] when the transaction cannot start
/// or commit.
pub fn migrate(conn: &mut Connection) -> Result<i64, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|error| StoreError::Sqlite {
            action: "start the schema migration".to_owned(),
            error,
        })?;
    let found = user_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (version, step) in (1..).zip(MIGRATIONS).skip(usize::try_from(found).unwrap_or(0)) {
        tx.execute_batch(step)
            .and_then(|()| tx.pragma_update(None, "user_version", version))
            .map_err(|error| StoreError::Migrate { version, error })?;
    }
    // New files and databases from before the stamp get it with the same commit.
    let stamped: i32 = tx
        .pragma_query_one(None, "application_id")
        .map_err(|error| StoreError::Sqlite {
            action: "read the application id".to_owned(),
            error,
        })?;
    if stamped != APPLICATION_ID {
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(|error| StoreError::Sqlite {
                action: "stamp the application id".to_owned(),
                error,
            })?;
    }
    tx.commit().map_err(|error| StoreError::Sqlite {
        action: "commit the schema migration".to_owned(),
        error,
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_names(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare");
        stmt.query_map([], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows")
    }

    #[test]
    fn migrating_an_empty_database_creates_every_table_and_sets_the_version() {
        let mut conn = Connection::open_in_memory().expect("open");
        assert_eq!(migrate(&mut conn).expect("migrate"), 0);
        assert_eq!(user_version(&conn).expect("version"), SCHEMA_VERSION);
        assert_eq!(
            table_names(&conn),
            [
                "award_links",
                "awards",
                "changes",
                "competition_keys",
                "decisions",
                "dedup_keys",
                "duplicates",
                "feed_state",
                "meta",
                "notices",
                "triage"
            ]
        );
    }

    #[test]
    fn v1_rows_survive_the_v2_rebuild_and_new_stages_are_accepted() {
        let mut conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(V1).expect("v1");
        conn.pragma_update(None, "user_version", 1).expect("version");
        conn.execute(
            "INSERT INTO triage (notice_id, status, note, updated_at) VALUES ('ted:1', 'shortlisted', 'ring Kari', 't')",
            [],
        )
        .expect("v1 row");
        assert_eq!(migrate(&mut conn).expect("migrate"), 1);
        let row: (String, String) = conn
            .query_row("SELECT status, note FROM triage WHERE notice_id = 'ted:1'", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("row kept");
        assert_eq!(row, ("shortlisted".to_owned(), "ring Kari".to_owned()));
        conn.execute("UPDATE triage SET status = 'bidding' WHERE notice_id = 'ted:1'", [])
            .expect("new stage");
        assert!(
            conn.execute("UPDATE triage SET status = 'maybe' WHERE notice_id = 'ted:1'", [])
                .is_err()
        );
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().expect("open");
        migrate(&mut conn).expect("first");
        assert_eq!(migrate(&mut conn).expect("second"), SCHEMA_VERSION);
        assert_eq!(user_version(&conn).expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let mut conn = Connection::open_in_memory().expect("open");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 2)
            .expect("set version");
        let err = migrate(&mut conn).expect_err("must refuse");
        assert!(matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 2));
        assert!(table_names(&conn).is_empty());
    }

    #[test]
    fn the_status_check_rejects_unknown_triage_values() {
        let mut conn = Connection::open_in_memory().expect("open");
        migrate(&mut conn).expect("migrate");
        let bad = conn.execute(
            "INSERT INTO triage (notice_id, status, updated_at) VALUES ('x:1', 'maybe', '')",
            [],
        );
        assert!(bad.is_err());
    }

    #[test]
    fn identify_tells_new_anbud_and_foreign_files_apart() {
        let mut conn = Connection::open_in_memory().expect("open");
        assert_eq!(identify(&conn).expect("identify"), Identity::New);
        migrate(&mut conn).expect("migrate");
        assert_eq!(identify(&conn).expect("identify"), Identity::Anbud);
        let stamp: i32 = conn.pragma_query_one(None, "application_id").expect("id");
        assert_eq!(stamp, APPLICATION_ID);

        // From before the stamp: anbud's tables and a version; migrating stamps it.
        let mut old = Connection::open_in_memory().expect("open");
        old.execute_batch(V1).expect("v1");
        old.pragma_update(None, "user_version", 1).expect("version");
        assert_eq!(identify(&old).expect("identify"), Identity::Anbud);
        migrate(&mut old).expect("migrate");
        let stamp: i32 = old.pragma_query_one(None, "application_id").expect("id");
        assert_eq!(stamp, APPLICATION_ID);

        let foreign = |setup: &str| {
            let conn = Connection::open_in_memory().expect("open");
            conn.execute_batch(setup).expect("setup");
            identify(&conn).expect("identify")
        };
        let many: String = (1..=7).fold(String::new(), |mut sql, i| {
            sql.push_str(&format!("CREATE TABLE t{i} (x);"));
            sql
        });
        for (setup, reason) in [
            ("CREATE TABLE moz_places (x);", "tables moz_places"),
            (
                "CREATE TABLE notices (x); CREATE TABLE users (x);",
                "tables notices, users",
            ),
            (
                "CREATE TABLE items (x); PRAGMA user_version = 3;",
                "schema version 3, tables items",
            ),
            ("PRAGMA user_version = 2;", "schema version 2 but no tables"),
            (many.as_str(), "tables t1, t2, t3, t4, t5 and 2 more"),
            ("PRAGMA application_id = 1337;", "application id is 0x539"),
        ] {
            match foreign(setup) {
                Identity::Foreign(why) => assert!(why.contains(reason), "{setup}: {why}"),
                other => panic!("{setup}: {other:?}"),
            }
        }
    }
}

//! Team mode's schema and its migrations: numbered steps recorded in `schema_migrations`, all run
//! in one transaction under an advisory lock, so two anbuds starting at once apply each step once
//! and a failed step leaves the database as it was (PostgreSQL's DDL is transactional).
//!
//! To change the schema, append a step to [`STEPS`]; never edit one that has shipped.

use tokio_postgres::Client;

use super::{PgError, failed};

/// Schema v1 (shared/reference/team-postgres.md §8). Shared: notices (written by the poller only),
/// triage with a `version` that guards single-valued writes, its append-only event log (each op
/// once: `op_id` is the client's idempotency key; `xid` lets a client catch up after a reconnect
/// without the gaps a `seq > last` cursor has), comments, members. Per person: `seen` (row-level
/// security: each role sees and writes its own rows). Author columns default to `current_user`
/// and are left out of the column grants (`roles`), so they cannot be forged.
const V1: &str = "
CREATE TABLE notices (
    id           text PRIMARY KEY,
    source       text NOT NULL,
    native_id    text NOT NULL,
    title        text NOT NULL,
    buyer        text NOT NULL,
    deadline     timestamptz,
    published    timestamptz,
    score        integer NOT NULL,
    matched      boolean NOT NULL,
    notice       jsonb NOT NULL,
    relevance    jsonb NOT NULL,
    content_hash text NOT NULL,
    -- Of the relevance JSON: a re-poll finds unchanged rows by comparing two short texts.
    relevance_hash text NOT NULL,
    first_seen   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL
);
CREATE INDEX notices_by_score ON notices (score DESC);

CREATE TABLE triage (
    notice_id     text PRIMARY KEY,
    status        text NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'shortlisted', 'bidding', 'submitted', 'won', 'lost', 'rejected')),
    reject_reason text CHECK (length(reject_reason) <= 500),
    assignee      name,
    tags          text[] NOT NULL DEFAULT '{}',
    version       bigint NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    name NOT NULL DEFAULT current_user
);
CREATE FUNCTION anbud_stamp_triage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.updated_by := current_user;
    RETURN NEW;
END $$;
CREATE TRIGGER triage_stamp BEFORE INSERT OR UPDATE ON triage
    FOR EACH ROW EXECUTE FUNCTION anbud_stamp_triage();

CREATE TABLE triage_events (
    seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    op_id     text NOT NULL UNIQUE CHECK (length(op_id) BETWEEN 1 AND 200),
    actor     name NOT NULL DEFAULT current_user,
    batch     text CHECK (length(batch) <= 200),
    kind      text NOT NULL DEFAULT 'do' CHECK (kind IN ('do', 'undo', 'redo')),
    notice_id text NOT NULL,
    field     text NOT NULL CHECK (field IN ('status', 'reject_reason', 'assignee', 'tag_add', 'tag_remove')),
    old       jsonb,
    new       jsonb,
    version   bigint,
    xid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX triage_events_by_notice ON triage_events (notice_id, seq);
CREATE INDEX triage_events_by_actor ON triage_events (actor, seq);
CREATE INDEX triage_events_by_xid ON triage_events (xid);

CREATE TABLE comments (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    op_id     text NOT NULL UNIQUE CHECK (length(op_id) BETWEEN 1 AND 200),
    notice_id text NOT NULL,
    author    name NOT NULL DEFAULT current_user,
    body      text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_by_notice ON comments (notice_id, id);

-- Doorbells, delivered after COMMIT: the payload names the row, the client reads it.
CREATE FUNCTION anbud_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('anbud', 'e' || NEW.seq);
    RETURN NULL;
END $$;
CREATE TRIGGER triage_events_notify AFTER INSERT ON triage_events
    FOR EACH ROW EXECUTE FUNCTION anbud_notify_event();
CREATE FUNCTION anbud_notify_comment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('anbud', 'c' || NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER comments_notify AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION anbud_notify_comment();
-- Once per poll statement, not per notice: clients reload the list.
CREATE FUNCTION anbud_notify_notices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('anbud', 'n');
    RETURN NULL;
END $$;
CREATE TRIGGER notices_notify AFTER INSERT OR UPDATE ON notices
    FOR EACH STATEMENT EXECUTE FUNCTION anbud_notify_notices();

CREATE TABLE seen (
    member    name NOT NULL DEFAULT current_user,
    notice_id text NOT NULL,
    seen_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (member, notice_id)
);
ALTER TABLE seen ENABLE ROW LEVEL SECURITY;
CREATE POLICY seen_own ON seen USING (member = current_user) WITH CHECK (member = current_user);

CREATE TABLE members (
    role    name PRIMARY KEY,
    display text NOT NULL CHECK (length(display) BETWEEN 1 AND 200)
);

CREATE TABLE changes (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id text NOT NULL,
    field     text NOT NULL,
    old       text NOT NULL,
    new       text NOT NULL,
    at        timestamptz NOT NULL
);
CREATE INDEX changes_by_notice ON changes (notice_id, id);

CREATE TABLE feed_state (
    feed         text PRIMARY KEY,
    high_water   timestamptz,
    last_success timestamptz,
    validators   jsonb NOT NULL DEFAULT '[]',
    resume       jsonb,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
";

/// v2: the dashboard's first screen is the best-scored notices, ties by id; an index in that
/// order lets the server read just those rows instead of sorting every notice. Dashboards find
/// what a poll wrote by `last_seen`, at start-up and at each poll's doorbell: indexed too.
const V2: &str = "
CREATE INDEX notices_by_score_id ON notices (score DESC, id);
DROP INDEX notices_by_score;
CREATE INDEX notices_by_last_seen ON notices (last_seen);
";

/// v3: a change's doorbell carries the change, and the notice's shared fields as the statement
/// left them, and a comment's carries the comment, so a dashboard needs no read per colleague's
/// change (with 20 colleagues, one decision was 19 reads, and each dashboard's own writes queued
/// behind them). A NOTIFY holds at most 8000 bytes: a longer one rings with its row's id, and is
/// read. Tag changes now count in the row's `version` too (the client's code), so every change is
/// ordered by it. Comments get an `xid`, so a reconnect catches up on them too. The description
/// moves out of the notice JSON into a column, and the notice and relevance JSON are stored as
/// `json` (checked text) rather than parsed into `jsonb`.
const V3: &str = "
CREATE OR REPLACE FUNCTION anbud_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text;
BEGIN
    SELECT json_build_object('seq', NEW.seq, 'notice', NEW.notice_id, 'field', NEW.field,
                             'actor', NEW.actor, 'at', NEW.at, 'version', t.version,
                             'status', t.status, 'tags', t.tags, 'reason', t.reject_reason,
                             'assignee', t.assignee)::text
      INTO payload FROM triage t WHERE t.notice_id = NEW.notice_id;
    IF payload IS NULL OR octet_length(payload) > 7900 THEN
        payload := json_build_object('seq', NEW.seq)::text;
    END IF;
    PERFORM pg_notify('anbud', payload);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION anbud_notify_comment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    payload text := json_build_object('comment', NEW.id, 'notice', NEW.notice_id,
                                      'author', NEW.author, 'at', NEW.at, 'body', NEW.body)::text;
BEGIN
    IF octet_length(payload) > 7900 THEN
        payload := json_build_object('comment', NEW.id)::text;
    END IF;
    PERFORM pg_notify('anbud', payload);
    RETURN NULL;
END $$;
-- The description is half a notice's JSON and is shown one notice at a time: a column of its
-- own, so a poll's upsert parses half the JSON and the first screen leaves it on the server.
ALTER TABLE notices ADD COLUMN description text NOT NULL DEFAULT '';
UPDATE notices SET description = COALESCE(notice->>'description', ''), notice = notice - 'description'
 WHERE notice ? 'description';
-- Nothing queries inside a notice's or its relevance's JSON on the server: stored as checked text
-- (json), not parsed into jsonb, which was a third of a 20,000-notice poll's upsert.
ALTER TABLE notices ALTER COLUMN notice TYPE json USING notice::json,
                    ALTER COLUMN relevance TYPE json USING relevance::json;
-- Comments are caught up on after a reconnect like the log: by transaction id.
ALTER TABLE comments ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX comments_by_xid ON comments (xid);
";

/// Every step in order: step `i` takes the schema from version `i` to `i + 1`.
pub const STEPS: &[&str] = &[V1, V2, V3];

/// The newest schema version this build knows.
// The list holds a handful of steps: the cast cannot truncate.
#[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
pub const SCHEMA_VERSION: i32 = STEPS.len() as i32;

/// The advisory lock migrations hold for their transaction ("anbd" "migr" in ASCII), so concurrent
/// migrators queue instead of racing to create the same tables.
pub const MIGRATE_LOCK: i64 = 0x616e_6264_6d69_6772;

/// What [`migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The version found.
    pub from: i32,
    /// The version now.
    pub to: i32,
}

impl Migrated {
    /// The steps this call applied (none when another anbud had already applied them).
    pub fn applied(&self) -> std::ops::RangeInclusive<i32> {
        self.from + 1..=self.to
    }
}

/// Brings the database to [`SCHEMA_VERSION`] in one transaction.
///
/// # Errors
/// [`PgError::TooNew`] when a later anbud migrated it; [`PgError::Query`] when a step fails
/// (nothing of it is kept), for instance when the role may not create tables.
pub async fn migrate(client: &mut Client) -> Result<Migrated, PgError> {
    let tx = client
        .transaction()
        .await
        .map_err(failed("start the migration transaction"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])
        .await
        .map_err(failed("take the migration lock"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(|error| {
        // PostgreSQL 15 lets only the database's owner create tables in schema public.
        let denied = error.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE);
        let action = if denied {
            "create the tables (run `anbud team init` as the database's owner, or grant CREATE on schema public)"
        } else {
            "create schema_migrations"
        };
        PgError::Query {
            action: action.to_owned(),
            error,
        }
    })?;
    let found: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])
        .await
        .map_err(failed("read the schema version"))?
        .get(0);
    if found > SCHEMA_VERSION {
        return Err(PgError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (version, step) in (1..).zip(STEPS).skip(usize::try_from(found).unwrap_or(0)) {
        let action = || format!("migrate to schema v{version}");
        tx.batch_execute(step).await.map_err(failed(action()))?;
        tx.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[&version])
            .await
            .map_err(failed(action()))?;
    }
    tx.commit().await.map_err(failed("commit the migration"))?;
    Ok(Migrated {
        from: found,
        to: SCHEMA_VERSION,
    })
}

/// Checks that the database holds anbud's schema at this build's version, for commands that do
/// not migrate (the poller's role may not create tables).
///
/// # Errors
/// [`PgError::NotInitialised`] before `anbud team init`, or at an older version;
/// [`PgError::TooNew`]; [`PgError::Query`].
pub async fn check(client: &Client) -> Result<(), PgError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await
        .map_err(failed("read the schema version"))?
        .get(0);
    let found: i32 = if exists {
        client
            .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &[])
            .await
            .map_err(failed("read the schema version"))?
            .get(0)
    } else {
        0
    };
    match found {
        _ if found > SCHEMA_VERSION => Err(PgError::TooNew {
            found,
            known: SCHEMA_VERSION,
        }),
        _ if found < SCHEMA_VERSION => Err(PgError::NotInitialised {
            found,
            known: SCHEMA_VERSION,
        }),
        _ => Ok(()),
    }
}

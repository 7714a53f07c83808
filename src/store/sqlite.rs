//! [`Store`]: the SQLite connection and every query anbud runs against it.
//!
//! Owns the connection settings (WAL, `synchronous = FULL`, busy timeout) and the mapping between rows
//! and `model` types. The schema itself lives in `store::schema`. Must not depend on `app`, `ui` or
//! `feeds`.

use std::fs;
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

mod annotations;
mod awards;
mod bulk;
mod demo_day;
mod descriptions;
mod feed_state;
mod open_checks;
mod rescore;
mod save;
mod staging;

pub use awards::{AwardQuery, AwardSaveSummary, PolledAwards};
pub use rescore::{RescoreJob, RescoreStep, rescore_all};
use save::upsert_in;

use super::{Arrival, StoreError, schema};
use crate::model::{
    DecisionKind, Notice, NoticeId, NoticeRecord, Relevance, RuleNames, Triage, TriageChange, UserFields,
};

/// How long a write waits for another connection's lock before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The open database. Single-threaded: the store thread owns it (see [`super::StoreHandle`]).
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

/// What one [`Store::upsert_notices`] call did, for the status line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertSummary {
    /// Notices not seen before.
    pub new: usize,
    /// Known notices whose content changed (deadline moved, title corrected, …).
    pub updated: usize,
    /// Known notices fetched again without a content change; a new score alone counts here.
    pub unchanged: usize,
    /// How many of the batch match the profile, whatever their triage.
    pub matched: usize,
}

/// Which stored notices [`Store::records`] returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StatusFilter {
    /// Matched notices nobody has decided on yet whose deadline has not passed: the working list
    /// (the dashboard's Inbox; expired notices leave it but keep their history).
    #[default]
    Inbox,
    /// Notices the user kept.
    Shortlisted,
    /// Notices the user rejected.
    Rejected,
    /// Bids in progress: bidding or submitted.
    Pipeline,
    /// Bids decided: won or lost.
    Outcomes,
    /// Notices at exactly this stage.
    Stage(Triage),
    /// Everything stored, matched or not.
    All,
}

impl StatusFilter {
    /// Whether `record` is in this view at `now`: the same test as `StatusFilter::condition`, for
    /// records read from elsewhere (team mode's server).
    pub fn keeps(self, record: &NoticeRecord, now: jiff::Timestamp) -> bool {
        let stage = record.triage;
        match self {
            Self::Inbox => {
                record.relevance.matched && stage == Triage::New && record.notice.deadline.is_none_or(|d| d > now)
            }
            Self::Shortlisted => stage == Triage::Shortlisted,
            Self::Rejected => stage == Triage::Rejected,
            Self::Pipeline => matches!(stage, Triage::Bidding | Triage::Submitted),
            Self::Outcomes => matches!(stage, Triage::Won | Triage::Lost),
            Self::Stage(wanted) => stage == wanted,
            Self::All => true,
        }
    }

    /// The SQL condition over `n` (notices) and `t` (triage, possibly NULL from the left join).
    fn condition(self) -> String {
        let fixed = match self {
            // Deadlines are stored as whole-second UTC RFC 3339 (`sortable`), so text order is time order.
            Self::Inbox => {
                "n.matched = 1 AND COALESCE(t.status, 'new') = 'new'
                 AND (n.deadline IS NULL OR n.deadline > strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
            }
            Self::Shortlisted => "t.status = 'shortlisted'",
            Self::Rejected => "t.status = 'rejected'",
            Self::Pipeline => "t.status IN ('bidding', 'submitted')",
            Self::Outcomes => "t.status IN ('won', 'lost')",
            // `as_str` names come from a closed enum, never from user input: safe to inline.
            Self::Stage(stage) => return format!("COALESCE(t.status, 'new') = '{}'", stage.as_str()),
            Self::All => "1",
        };
        fixed.to_owned()
    }
}

/// The decision history as the dashboard needs it after a restart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Batches that `u` can take back, most recent last.
    pub undo: Vec<Vec<TriageChange>>,
    /// Batches that `Ctrl-r` can re-apply, most recent last.
    pub redo: Vec<Vec<TriageChange>>,
    /// A batch number no logged decision uses yet.
    pub next_batch: i64,
}

/// One row of the single-user decisions log, as `anbud team import` moves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedDecision {
    /// Its row id: stable, so an import can be repeated without logging it twice.
    pub id: i64,
    /// The change.
    pub change: TriageChange,
    /// New decision, undo or redo.
    pub kind: DecisionKind,
    /// The key press it belonged to.
    pub batch: i64,
    /// When it was made.
    pub at: Timestamp,
}

impl History {
    /// The stacks left by replaying the log (oldest first; consecutive rows of one kind and batch
    /// are one step): a decision pushes on undo and clears redo, an undo moves a step to redo, a
    /// redo moves it back. Only the last `limit` steps of each are kept; `next_batch` is the first
    /// batch number the core may use.
    pub fn replay<B: PartialEq>(
        log: impl IntoIterator<Item = (DecisionKind, B, TriageChange)>,
        limit: usize,
        next_batch: i64,
    ) -> History {
        let mut steps: Vec<(DecisionKind, B, Vec<TriageChange>)> = Vec::new();
        for (kind, batch, change) in log {
            match steps.last_mut() {
                Some((k, b, changes)) if *k == kind && *b == batch => changes.push(change),
                _ => steps.push((kind, batch, vec![change])),
            }
        }
        let (mut undo, mut redo) = (Vec::new(), Vec::new());
        for (kind, _, changes) in steps {
            match kind {
                DecisionKind::Do => {
                    undo.push(changes);
                    redo.clear();
                }
                DecisionKind::Undo => {
                    if let Some(done) = undo.pop() {
                        redo.push(done);
                    }
                }
                DecisionKind::Redo => {
                    if let Some(again) = redo.pop() {
                        undo.push(again);
                    }
                }
            }
        }
        let keep_last = |v: &mut Vec<Vec<TriageChange>>| {
            let excess = v.len().saturating_sub(limit);
            v.drain(..excess);
        };
        keep_last(&mut undo);
        keep_last(&mut redo);
        History { undo, redo, next_batch }
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    ///
    /// Missing parent directories are created, so a first run needs no setup.
    ///
    /// # Errors
    ///
    /// [`StoreError::CreateDir`] or [`StoreError::Open`] (naming the path) when the file cannot be
    /// created or is not a database; [`StoreError::NotAnbud`] for another program's database (left
    /// untouched); [`StoreError::ReadOnly`] when the file or its folder cannot be written;
    /// [`StoreError::TooNew`] when a later anbud wrote it;
    /// [`StoreError::Migrate`] when the schema cannot be installed.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|error| StoreError::CreateDir {
                path: dir.to_path_buf(),
                error,
            })?;
        }
        let open_error = |error| StoreError::Open {
            path: path.to_path_buf(),
            error,
        };
        let conn = Connection::open(path).map_err(open_error)?;
        open_checks::check_usable(&conn, path)?;
        // A read-only folder shows up when WAL or the migration first writes; name it then.
        let failed = |error| open_checks::read_only_folder(path, &error).unwrap_or_else(|| open_error(error));
        configure(&conn).map_err(failed)?;
        // A lock shows up when the migration starts; name the file in that case.
        Store::with_connection(conn).map_err(|e| match e {
            StoreError::Sqlite { error, .. } => failed(error),
            other => other,
        })
    }

    /// Opens a private in-memory database with the current schema, for tests and the offline demo.
    ///
    /// # Errors
    ///
    /// The database file; `None` in memory.
    pub fn path(&self) -> Option<std::path::PathBuf> {
        self.conn.path().filter(|p| !p.is_empty()).map(std::path::PathBuf::from)
    }

    /// [`StoreError::Open`] or [`StoreError::Migrate`] if SQLite cannot allocate it.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|error| StoreError::Open {
            path: ":memory:".into(),
            error,
        })?;
        Store::with_connection(conn)
    }

    fn with_connection(mut conn: Connection) -> Result<Store, StoreError> {
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Inserts or refreshes fetched notices with their relevance, in one transaction.
    ///
    /// `now` becomes `last_seen` (and `first_seen` for new notices), except that a notice fetched
    /// again unchanged on the day it was last seen is not written at all. Triage and notes are
    /// never touched, so a re-fetch cannot undo a decision.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] (disk full, database locked, …) or [`StoreError::Encode`]; in both cases
    /// nothing of the batch is written.
    pub fn upsert_notices(
        &mut self,
        items: &[(Notice, Relevance)],
        now: Timestamp,
    ) -> Result<UpsertSummary, StoreError> {
        let action = || format!("save {} fetched notices", items.len());
        self.with_cache_for(items.len(), |store| {
            let tx = store.write_transaction(action)?;
            let decided = upsert_in(&tx, items, &now.to_string()).map_err(|e| e.or_sqlite(action))?;
            tx.commit().map_err(|error| StoreError::Sqlite {
                action: action(),
                error,
            })?;
            Ok(decided.summary)
        })
    }

    /// Stores a triage decision and logs it in `decisions`, in one transaction.
    ///
    /// When this returns `Ok` the change is committed and, with `synchronous = FULL`, on disk. The log
    /// records the status the database actually held before, which can differ from `change.from`
    /// when several changes to one notice were queued.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] (disk full, database locked, …); nothing is written then.
    pub fn save_triage(&mut self, change: &TriageChange, at: Timestamp) -> Result<(), StoreError> {
        self.save_decision(change, DecisionKind::Do, None, at)
    }

    /// As [`Store::save_triage`], logging the change as `kind` in `batch` (the changes one key press
    /// made; `None` starts a batch of its own).
    ///
    /// # Errors
    ///
    /// As [`Store::save_triage`].
    pub fn save_decision(
        &mut self,
        change: &TriageChange,
        kind: DecisionKind,
        batch: Option<i64>,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let action = || format!("save triage for {}", change.id);
        let sqlite = |error| StoreError::Sqlite {
            action: action(),
            error,
        };
        let at = at.to_string();
        let tx = self.write_transaction(action)?;
        let old: Option<String> = tx
            .query_row(
                "SELECT status FROM triage WHERE notice_id = ?1",
                [change.id.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map_err(sqlite)?;
        tx.execute(
            "INSERT INTO triage (notice_id, status, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (notice_id) DO UPDATE
             SET status = excluded.status, updated_at = excluded.updated_at",
            params![change.id.as_str(), change.to.as_str(), at],
        )
        .map_err(sqlite)?;
        tx.execute(
            "INSERT INTO decisions (notice_id, old_status, new_status, at, kind, batch)
             VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, (SELECT COALESCE(MAX(batch), 0) + 1 FROM decisions)))",
            params![
                change.id.as_str(),
                old.as_deref().unwrap_or(Triage::New.as_str()),
                change.to.as_str(),
                at,
                kind.as_str(),
                batch
            ],
        )
        .map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    }

    /// When each bid in progress (bidding or submitted) was last decided on, from the decisions
    /// log: an award dated before that never overrides it (see `app::award_outcomes`). A stored
    /// time that does not parse is left out, as if unknown.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the query fails.
    pub fn bid_decision_times(&self) -> Result<std::collections::HashMap<NoticeId, Timestamp>, StoreError> {
        let sqlite = failed("read when bids were last decided on");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.notice_id, MAX(d.at) FROM decisions AS d
                 JOIN triage AS t ON t.notice_id = d.notice_id
                 WHERE t.status IN ('bidding', 'submitted')
                 GROUP BY d.notice_id",
            )
            .map_err(sqlite)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(sqlite)?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (id, at) = row.map_err(sqlite)?;
            if let Ok(at) = at.parse::<Timestamp>() {
                out.insert(NoticeId(id), at);
            }
        }
        Ok(out)
    }

    /// The undo and redo stacks (most recent batch last) rebuilt by replaying the decisions log, so
    /// `u` and `Ctrl-r` work across restarts and a mass action is undone as one; at most `limit`
    /// batches are kept on each.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the query fails; [`StoreError::Corrupt`] for an unknown status.
    pub fn load_history(&self, limit: usize) -> Result<History, StoreError> {
        let log = self.decisions_log()?;
        let next_batch = log.iter().map(|d| d.batch + 1).max().unwrap_or(1).max(1);
        let rows = log.into_iter().map(|d| (d.kind, d.batch, d.change));
        Ok(History::replay(rows, limit, next_batch))
    }

    /// Every logged decision, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`], or [`StoreError::Corrupt`] for a row that does not parse.
    pub fn decisions_log(&self) -> Result<Vec<LoggedDecision>, StoreError> {
        let sqlite = failed("read the decisions log");
        let mut stmt = self
            .conn
            .prepare("SELECT id, notice_id, old_status, new_status, kind, COALESCE(batch, -id), at FROM decisions ORDER BY id")
            .map_err(sqlite)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(sqlite)?;
        let mut out = Vec::new();
        for row in rows {
            let (id, notice, old, new, kind, batch, at) = row.map_err(failed("read the decisions log"))?;
            let corrupt = |reason: String| StoreError::Corrupt {
                id: notice.clone(),
                reason,
            };
            let stage =
                |s: &str| Triage::parse(s).ok_or_else(|| corrupt(format!("unknown status {s:?} in the decisions log")));
            let change = TriageChange {
                from: stage(&old)?,
                to: stage(&new)?,
                id: NoticeId(notice.clone()),
            };
            let at = at.parse().map_err(|e| corrupt(format!("decision time {at:?}: {e}")))?;
            out.push(LoggedDecision {
                id,
                change,
                kind: DecisionKind::parse(&kind).unwrap_or_default(),
                batch,
                at,
            });
        }
        Ok(out)
    }

    /// Records that the user has looked at a notice's changes: they leave the Changed tab.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the write fails.
    pub fn mark_seen(&mut self, id: &NoticeId) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE notices SET unseen_changes = NULL WHERE id = ?1", [id.as_str()])
            .map(|_| ())
            .map_err(|error| StoreError::Sqlite {
                action: format!("mark the changes of {id} as seen"),
                error,
            })
    }

    /// Replaces the user's note on a notice, keeping its triage status (`new` if it had none).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the write fails.
    pub fn save_note(&mut self, id: &NoticeId, note: &str, at: Timestamp) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO triage (notice_id, status, note, updated_at) VALUES (?1, 'new', ?2, ?3)
                 ON CONFLICT (notice_id) DO UPDATE
                 SET note = excluded.note, updated_at = excluded.updated_at",
                params![id.as_str(), note, at.to_string()],
            )
            .map(|_| ())
            .map_err(|error| StoreError::Sqlite {
                action: format!("save the note for {id}"),
                error,
            })
    }

    /// Every stored notice with its triage (a notice never triaged is [`Triage::New`] with an empty note),
    /// in storage order: the dashboard sorts on its own, and an `ORDER BY` here made SQLite sort every
    /// row with its JSON in temporary files (80 % of start-up at 100,000 notices).
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the query fails; [`StoreError::Corrupt`] when a row cannot be decoded.
    pub fn load_records(&self) -> Result<Vec<NoticeRecord>, StoreError> {
        self.select_records(StatusFilter::All, "", Descriptions::Keep)
    }

    /// The `limit` best-scored notices (any status), their descriptions left in the store as by
    /// [`Store::load_records_without_descriptions`]: what the dashboard draws its first frame from
    /// while that reads the rest. Uses the score index, so it costs the same at 1,000 or 1,000,000
    /// stored notices.
    ///
    /// # Errors
    ///
    /// As [`Store::load_records`].
    pub fn load_best(&self, limit: usize) -> Result<Vec<NoticeRecord>, StoreError> {
        self.select_records(
            StatusFilter::All,
            &format!("ORDER BY n.score DESC LIMIT {limit}"),
            Descriptions::LeaveInStore,
        )
    }

    /// The notices selected by `filter`, best first: score descending, then the nearest deadline (none
    /// last), then id, so equal rows keep a stable order between loads.
    ///
    /// # Errors
    ///
    /// [`StoreError::Sqlite`] when the query fails; [`StoreError::Corrupt`] when a row cannot be decoded.
    pub fn records(&self, filter: StatusFilter) -> Result<Vec<NoticeRecord>, StoreError> {
        self.select_records(
            filter,
            "ORDER BY n.score DESC, n.deadline IS NULL, n.deadline, n.id",
            Descriptions::Keep,
        )
    }

    fn select_records(
        &self,
        filter: StatusFilter,
        order: &str,
        descriptions: Descriptions,
    ) -> Result<Vec<NoticeRecord>, StoreError> {
        let sql = format!(
            "SELECT n.id, n.notice_json, n.relevance_json, t.status, t.note, n.unseen_changes, t.tags, t.reject_reason
             FROM notices AS n LEFT JOIN triage AS t ON t.notice_id = n.id
             WHERE ({}) AND {}
             {order}",
            filter.condition(),
            super::duplicates::NOT_SECONDARY
        );
        let sqlite = failed("load saved notices");
        let mut stmt = self.conn.prepare(&sql).map_err(sqlite)?;
        let mut rows = stmt.query([]).map_err(sqlite)?;
        let mut records = Vec::new();
        let mut rule_names = RuleNames::default();
        while let Some(row) = rows.next().map_err(sqlite)? {
            let mut record = decode_record(row).map_err(|e| e.or_sqlite(|| "load saved notices".to_owned()))?;
            for hit in &mut record.relevance.hits {
                hit.rule = rule_names.share(&hit.rule);
            }
            if descriptions == Descriptions::LeaveInStore && !record.notice.description.is_empty() {
                // Dropped row by row, so all of them are never in memory at once.
                record.notice.description = String::new();
                record.description_in_store = true;
            }
            records.push(record);
        }
        // The same procedure on other sources: its links go on the primary (see `store::duplicates`).
        super::duplicates::attach(&self.conn, &mut records).map_err(sqlite)?;
        Ok(records)
    }

    /// Starts an immediate transaction: taking the write lock up front lets the busy timeout apply,
    /// where a deferred read-then-write transaction would fail at once on a lock conflict under WAL.
    /// Runs `write` with a page cache sized for saving `rows` notices, then gives the memory back.
    ///
    /// SQLite's default cache (2 MB) holds a fraction of the indexes a large save walks: a 100k
    /// notice save then spent a fifth of its time re-reading pages through `pread` and spilling
    /// dirty pages to the WAL mid-transaction. The dashboard keeps the small cache otherwise, since
    /// loading every record through a large one would leave it full for the session.
    pub(super) fn with_cache_for<T>(
        &mut self,
        rows: usize,
        write: impl FnOnce(&mut Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if rows < BULK_ROWS {
            return write(self);
        }
        // The cache size only changes speed, so a pragma that fails is no reason to fail the save.
        self.conn.pragma_update(None, "cache_size", BULK_CACHE_KIB).ok();
        let result = write(self);
        self.conn.pragma_update(None, "cache_size", DEFAULT_CACHE_KIB).ok();
        self.conn.execute_batch("PRAGMA shrink_memory").ok();
        result
    }

    fn write_transaction(&mut self, action: impl Fn() -> String) -> Result<Transaction<'_>, StoreError> {
        self.conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|error| StoreError::Sqlite {
                action: action(),
                error,
            })
    }
}

/// Saves of at least this many notices get [`BULK_CACHE_KIB`] of page cache.
const BULK_ROWS: usize = 2_000;
/// Page cache for a bulk save, in the negative-KiB form of `PRAGMA cache_size` (16 MiB: 64 MiB
/// was no faster for a 100,000-notice poll once its new and unchanged rows were written in bulk,
/// and added its 48 MiB to the poll's peak memory).
const BULK_CACHE_KIB: i64 = -16_384;
/// SQLite's default page cache (2 MB), restored after a bulk save.
const DEFAULT_CACHE_KIB: i64 = -2_000;

/// Whether loaded records keep their notices' descriptions (see `descriptions.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Descriptions {
    Keep,
    LeaveInStore,
}

/// Page size of a new database file, in bytes.
const PAGE_SIZE: i64 = 16_384;

/// Connection settings for a file database.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // Set first so that switching the journal mode can wait for another process's lock too.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // 16 KiB pages for a new database (an existing one keeps its size: changing it would mean a
    // VACUUM). A notice row is 2-3 kB, so with 4 KiB pages most rows spilled into overflow pages:
    // a 100,000-notice poll wrote 15 % more pages and took 15-20 % longer.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    // WAL lets a reader (a second anbud, `anbud list`) run while the store thread writes. The pragma
    // returns the resulting mode; a file system without shared memory keeps the old mode, which is
    // slower but just as safe, so that is not an error.
    let _mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    // FULL syncs the WAL on every commit: a confirmed triage decision survives power loss, not only a
    // crash (ARCHITECTURE.md B.7). Volume is small, so the cost does not matter.
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Query-planner stability: with STAT4 the bundled SQLite otherwise re-plans a statement whose
    // plan could depend on its bound values on every execution (sqlite3Reprepare was a third of the
    // store's time when ingesting); the plans anbud's queries get do not depend on the values.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map(drop)
}

/// Maps a SQLite error to a [`StoreError::Sqlite`] that says what was being done.
fn failed(action: &str) -> impl Fn(rusqlite::Error) -> StoreError + Copy + '_ {
    move |error| StoreError::Sqlite {
        action: action.to_owned(),
        error,
    }
}

/// A failure inside a transaction before it is mapped to a [`StoreError`] with the caller's action.
enum StepError {
    Sqlite(rusqlite::Error),
    Store(StoreError),
}

impl StepError {
    fn or_sqlite(self, action: impl FnOnce() -> String) -> StoreError {
        match self {
            Self::Sqlite(error) => StoreError::Sqlite {
                action: action(),
                error,
            },
            Self::Store(error) => error,
        }
    }
}

impl From<rusqlite::Error> for StepError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

/// What saving a batch of notices did: the counts, and the decision about each notice in order.
#[derive(Debug, Clone, Default)]
pub struct Decided {
    /// Counts for the status line.
    pub summary: UpsertSummary,
    /// One per saved notice, in the order given.
    pub arrivals: Vec<Arrival>,
}

/// RFC 3339 in UTC without fractional seconds, so that comparing the text compares the instants
/// (`…00.5Z` would sort before `…00Z`).
fn sortable(ts: Timestamp) -> String {
    format!("{ts:.0}")
}

/// 64-bit FNV-1a of the notice JSON, as 16 hex digits.
///
/// Written out rather than `std::hash` because the value is stored: `DefaultHasher` may change between
/// Rust releases, which would make every notice look updated after a toolchain upgrade.
pub(crate) fn content_hash(json: impl AsRef<[u8]>) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let hash = json
        .as_ref()
        .iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(*b)).wrapping_mul(PRIME));
    format!("{hash:016x}")
}

fn decode_record(row: &Row<'_>) -> Result<NoticeRecord, StepError> {
    let id: String = row.get(0)?;
    let corrupt = |reason: String| StepError::Store(StoreError::Corrupt { id: id.clone(), reason });
    let mut notice: Notice =
        serde_json::from_str(&row.get::<_, String>(1)?).map_err(|e| corrupt(format!("notice: {e}")))?;
    let mut relevance: Relevance =
        serde_json::from_str(&row.get::<_, String>(2)?).map_err(|e| corrupt(format!("relevance: {e}")))?;
    // serde_json builds these by pushing, which leaves up to half of each unused; the dashboard
    // keeps 100,000 records, where that spare room was 15 MB (issue #7).
    relevance.hits.shrink_to_fit();
    relevance.profiles.shrink_to_fit();
    notice.nuts.shrink_to_fit();
    let triage = match row.get::<_, Option<String>>(3)? {
        None => Triage::New,
        Some(status) => Triage::parse(&status).ok_or_else(|| corrupt(format!("unknown triage status {status:?}")))?,
    };
    let note = row.get::<_, Option<String>>(4)?.unwrap_or_default();
    let changes = match row.get::<_, Option<String>>(5)? {
        None => Vec::new(),
        Some(json) => serde_json::from_str(&json).map_err(|e| corrupt(format!("changes: {e}")))?,
    };
    let tags = match row.get::<_, Option<String>>(6)? {
        None => Vec::new(),
        Some(json) => serde_json::from_str(&json).map_err(|e| corrupt(format!("tags: {e}")))?,
    };
    let record = NoticeRecord {
        triage,
        ..NoticeRecord::new(notice, relevance)
    };
    Ok(record.with_user(UserFields {
        note,
        changes,
        tags,
        reject_reason: row.get(7)?,
        also_on: Vec::new(),
        // Assigning is team mode's (a shared database); a single user owns every bid.
        assignee: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_is_stable_fnv1a() {
        // Reference values of 64-bit FNV-1a; a change here would mark every stored notice updated.
        assert_eq!(content_hash(""), "cbf29ce484222325");
        assert_eq!(content_hash("a"), "af63dc4c8601ec8c");
    }

    #[test]
    fn sortable_timestamps_drop_fractions_so_text_order_is_time_order() {
        let whole: Timestamp = "2026-11-22T20:15:00Z".parse().expect("ts");
        let later: Timestamp = "2026-11-22T20:15:00.5Z".parse().expect("ts");
        assert_eq!(sortable(whole), "2026-11-22T20:15:00Z");
        assert_eq!(sortable(later), "2026-11-22T20:15:00Z");
    }

    #[test]
    fn an_in_memory_store_starts_empty() {
        let store = Store::open_in_memory().expect("open");
        assert!(store.load_records().expect("load").is_empty());
        assert_eq!(
            schema::user_version(&store.conn).expect("version"),
            schema::SCHEMA_VERSION
        );
    }

    #[test]
    fn a_bulk_save_gets_a_large_cache_and_gives_it_back() {
        let mut store = Store::open_in_memory().expect("open");
        let cache = |store: &Store| {
            store
                .conn
                .pragma_query_value(None, "cache_size", |r| r.get::<_, i64>(0))
        };
        let during = store
            .with_cache_for(BULK_ROWS, |store| Ok(cache(store).expect("cache")))
            .expect("bulk");
        assert_eq!(during, BULK_CACHE_KIB);
        assert_eq!(cache(&store).expect("after"), DEFAULT_CACHE_KIB);
        // A failed save gives the memory back too, and small saves never change the cache.
        let failed: Result<(), _> =
            store.with_cache_for(BULK_ROWS, |_| Err(StoreError::TooNew { found: 99, known: 9 }));
        assert!(failed.is_err());
        assert_eq!(cache(&store).expect("after failure"), DEFAULT_CACHE_KIB);
        let small = store
            .with_cache_for(10, |store| Ok(cache(store).expect("cache")))
            .expect("small");
        assert_eq!(small, DEFAULT_CACHE_KIB);
    }
}

//! Saving fetched notices: each becomes a [`Prepared`] row (encoded once), and a [`Saver`] decides
//! inside the save's transaction what it is to the database (new, known with its changes, or the
//! twin of a stored notice) and writes it.
//!
//! Rows come from memory ([`upsert_in`]: the dashboard's saves, `Store::upsert_notices`) or from
//! the staging table of a poll saved page by page (`staging.rs`); both go through the one
//! [`Saver`], so both decide alike.

use std::borrow::Cow;

use jiff::Timestamp;
use rusqlite::types::{ToSql, ToSqlOutput, ValueRef};
use rusqlite::{CachedStatement, OptionalExtension, Row, Transaction, params};

use super::{Decided, StepError, content_hash, sortable};
use crate::dedup::{BuyerFields, Fingerprint};
use crate::model::{FieldChange, Notice, NoticeId, Relevance, merge_changes};
use crate::store::duplicates::{self, Candidates};
use crate::store::{Arrival, StoreError};

/// A notice as the `notices` columns hold it, with what the save decides on. Everything here is
/// either a column or what the duplicate check files the notice under; the rest of the notice is
/// in `notice_json`, decoded only for a changed notice or a possible twin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prepared {
    pub id: NoticeId,
    pub source: String,
    pub native_id: String,
    pub title: String,
    pub buyer: String,
    pub buyer_id: Option<String>,
    pub deadline: Option<Timestamp>,
    pub published: Option<Timestamp>,
    pub score: i32,
    pub matched: bool,
    /// Where the encoded notice and relevance are.
    pub body: Body,
    pub hash: String,
}

/// A [`Prepared`] row's JSON: in memory, or still in the staging table, from where the save copies
/// it inside SQLite (two 1-2 kB strings a row not read into Rust and bound back).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    Json { notice: JsonText, relevance: JsonText },
    Staged { seq: i64 },
}

impl Prepared {
    /// Encodes a scored notice.
    ///
    /// # Errors
    /// [`StoreError::Encode`] when serde_json refuses it.
    pub fn encode(notice: &Notice, relevance: &Relevance) -> Result<Self, StoreError> {
        let encode = |error| StoreError::Encode {
            id: notice.id.to_string(),
            error,
        };
        // Into buffers sized for the result: grown from serde_json's 128 bytes, reallocation was
        // a fifth of the encoding's time in a 100,000-notice poll.
        let notice_json =
            json_sized(notice, 512 + notice.description.len() + 2 * notice.title.len()).map_err(encode)?;
        let relevance_json = json_sized(relevance, 64 + 96 * relevance.hits.len()).map_err(encode)?;
        Ok(Self {
            id: notice.id.clone(),
            source: notice.source.clone(),
            native_id: notice.native_id.clone(),
            title: notice.title.clone(),
            buyer: notice.buyer.clone(),
            buyer_id: notice.buyer_id.as_deref().map(str::to_owned),
            deadline: notice.deadline,
            published: notice.published,
            score: relevance.score,
            matched: relevance.matched,
            hash: content_hash(notice_json.as_bytes()),
            body: Body::Json {
                notice: notice_json,
                relevance: relevance_json,
            },
        })
    }

    /// The notice itself: `given` when the caller still holds it, else decoded from its JSON
    /// (read from the staging table through `tx` when it is there).
    pub(super) fn notice<'n>(
        &self,
        tx: &Transaction<'_>,
        given: Option<&'n Notice>,
    ) -> Result<Cow<'n, Notice>, StepError> {
        let staged;
        let json = match (given, &self.body) {
            (Some(notice), _) => return Ok(Cow::Borrowed(notice)),
            (None, Body::Json { notice, .. }) => notice.as_bytes(),
            (None, Body::Staged { seq }) => {
                staged = tx
                    .prepare_cached("SELECT notice_json FROM temp.staged_notices WHERE seq = ?1")?
                    .query_row([seq], |r| r.get::<_, String>(0))?;
                staged.as_bytes()
            }
        };
        serde_json::from_slice(json).map(Cow::Owned).map_err(|e| {
            StepError::Store(StoreError::Corrupt {
                id: self.id.to_string(),
                reason: format!("staged notice: {e}"),
            })
        })
    }

    /// The fingerprint the duplicate check files this notice under (no titles yet).
    pub(super) fn buyer_fingerprint(&self) -> Fingerprint {
        Fingerprint::of_buyer_fields(BuyerFields {
            id: &self.id,
            source: &self.source,
            buyer: &self.buyer,
            buyer_id: self.buyer_id.as_deref(),
            deadline: self.deadline,
        })
    }
}

/// `value` as JSON, written into a buffer of `capacity` bytes to start with.
fn json_sized(value: &impl serde::Serialize, capacity: usize) -> Result<JsonText, serde_json::Error> {
    let mut out = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut out, value)?;
    Ok(JsonText(out))
}

/// JSON as serde_json wrote it, bound as TEXT.
///
/// Kept as bytes: serde_json writes UTF-8 only (a Rust `str` is UTF-8 and its escapes are ASCII),
/// and checking that again with `String::from_utf8` was 2.5 % of a 100,000-notice poll's samples.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonText(Vec<u8>);

impl JsonText {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl ToSql for JsonText {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.0)))
    }
}

/// Saves notices held in memory, in `tx`: the path of every save but a staged poll's.
pub(super) fn upsert_in(tx: &Transaction<'_>, items: &[(Notice, Relevance)], now: &str) -> Result<Decided, StepError> {
    let mut saver = Saver::new(tx, now, items.len())?;
    for (notice, relevance) in items {
        let row = Prepared::encode(notice, relevance).map_err(StepError::Store)?;
        saver.save(&row, Some(notice))?;
    }
    Ok(saver.finish())
}

/// One save's statements and what it decided so far.
pub(super) struct Saver<'tx> {
    tx: &'tx Transaction<'tx>,
    now: &'tx str,
    find: CachedStatement<'tx>,
    log_change: CachedStatement<'tx>,
    set_unseen: CachedStatement<'tx>,
    upsert: CachedStatement<'tx>,
    /// As `upsert`, copying the JSON from the staging table; prepared on the first staged row.
    upsert_staged: Option<CachedStatement<'tx>>,
    candidates: Candidates,
    decided: Decided,
}

impl<'tx> Saver<'tx> {
    /// Prepares the statements of a save of about `rows` notices, inside `tx`; `now` becomes
    /// `last_seen` (and `first_seen` of new notices), to the day (see [`unchanged_today`]).
    pub fn new(tx: &'tx Transaction<'tx>, now: &'tx str, rows: usize) -> rusqlite::Result<Self> {
        Ok(Self {
            tx,
            now,
            // The duplicate link comes along: a secondary fetched again stays a link on its primary.
            find: tx.prepare_cached(
                "SELECT n.content_hash, n.notice_json, n.unseen_changes, d.primary_id, d.reason
                 FROM notices AS n LEFT JOIN duplicates AS d ON d.notice_id = n.id WHERE n.id = ?1",
            )?,
            log_change: tx
                .prepare_cached("INSERT INTO changes (notice_id, field, old, new, at) VALUES (?1, ?2, ?3, ?4, ?5)")?,
            set_unseen: tx.prepare_cached("UPDATE notices SET unseen_changes = ?2 WHERE id = ?1")?,
            upsert: tx.prepare_cached(&format!(
                "INSERT INTO notices ({NOTICE_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
                 {}",
                on_conflict()
            ))?,
            upsert_staged: None,
            candidates: Candidates::default(),
            decided: Decided {
                arrivals: Vec::with_capacity(rows),
                ..Decided::default()
            },
        })
    }

    /// Decides what `row` is to the database and writes it; `notice` is the notice itself when
    /// the caller holds it (else it is decoded from the row when needed).
    pub fn save(&mut self, row: &Prepared, notice: Option<&Notice>) -> Result<(), StepError> {
        let id = row.id.as_str();
        let previous: Option<Previous> = self
            .find
            .query_row([id], |r| {
                Ok(Previous {
                    hash: r.get(0)?,
                    json: r.get(1)?,
                    unseen: r.get(2)?,
                    primary: r.get::<_, Option<String>>(3)?.zip(r.get::<_, Option<String>>(4)?),
                })
            })
            .optional()?;
        let summary = &mut self.decided.summary;
        let mut unseen = None;
        let is_new = previous.is_none();
        let primary = previous.as_ref().and_then(|p| p.primary.clone());
        match previous {
            None => summary.new += 1,
            Some(Previous { hash: old, .. }) if old == row.hash => summary.unchanged += 1,
            Some(Previous {
                json: old_json,
                unseen: old_unseen,
                ..
            }) => {
                summary.updated += 1;
                // An old row that no longer decodes is simply replaced: no diff to show for it.
                if let Ok(old_notice) = serde_json::from_str::<Notice>(&old_json) {
                    let changes = row.notice(self.tx, notice)?.changes_from(&old_notice);
                    for c in &changes {
                        self.log_change.execute(params![id, c.field, c.old, c.new, self.now])?;
                    }
                    if !changes.is_empty() {
                        let earlier: Vec<FieldChange> = old_unseen
                            .and_then(|j| serde_json::from_str(&j).ok())
                            .unwrap_or_default();
                        unseen = Some(merge_changes(earlier, changes));
                    }
                }
            }
        }
        if row.matched {
            summary.matched += 1;
        }
        let (deadline, published) = (row.deadline.map(sortable), row.published.map(sortable));
        match &row.body {
            Body::Json { notice, relevance } => self.upsert.execute(params![
                id,
                row.source,
                row.native_id,
                row.title,
                row.buyer,
                deadline,
                published,
                row.score,
                row.matched,
                notice,
                relevance,
                row.hash,
                self.now,
            ])?,
            Body::Staged { seq } => {
                let upsert = match &mut self.upsert_staged {
                    Some(upsert) => upsert,
                    None => self.upsert_staged.insert(self.tx.prepare_cached(&format!(
                        "INSERT INTO notices ({NOTICE_COLUMNS})
                         SELECT id, source, native_id, title, buyer, ?2, ?3, score, matched,
                                notice_json, relevance_json, content_hash, ?4, ?4
                         FROM temp.staged_notices WHERE seq = ?1
                         {}",
                        on_conflict()
                    ))?),
                };
                upsert.execute(params![seq, deadline, published, self.now])?
            }
        };
        // The titles are only needed when a twin candidate turns up: most rows are never decoded.
        let tx = self.tx;
        let full = || row.notice(tx, notice).ok();
        let linked = duplicates::after_upsert(
            self.tx,
            &mut self.candidates,
            row.buyer_fingerprint(),
            full,
            is_new,
            self.now,
        )?;
        if let Some(changes) = &unseen {
            let json = serde_json::to_string(changes).map_err(|error| {
                StepError::Store(StoreError::Encode {
                    id: id.to_owned(),
                    error,
                })
            })?;
            self.set_unseen.execute(params![id, json])?;
        }
        let otherwise = if is_new {
            Arrival::New
        } else {
            Arrival::Known { unseen }
        };
        self.decided.arrivals.push(arrival(linked.or(primary), otherwise));
        Ok(())
    }

    /// Counts a row the caller wrote itself (a staged poll's new and unchanged rows, written in
    /// bulk by `bulk.rs`).
    pub fn saved_in_bulk(&mut self, matched: bool, written: Written) {
        let summary = &mut self.decided.summary;
        if matched {
            summary.matched += 1;
        }
        let (primary, otherwise) = match written {
            Written::New(linked) => {
                summary.new += 1;
                (linked, Arrival::New)
            }
            Written::Unchanged(primary) => {
                summary.unchanged += 1;
                (primary, Arrival::Known { unseen: None })
            }
        };
        self.decided.arrivals.push(arrival(primary, otherwise));
    }

    /// What the save decided, one arrival per saved row in order.
    pub fn finish(self) -> Decided {
        self.decided
    }
}

/// A duplicate of `primary` (its id and the reason) when the row is filed under one, else
/// `otherwise`.
fn arrival(primary: Option<(String, String)>, otherwise: Arrival) -> Arrival {
    match primary {
        Some((primary, reason)) => Arrival::Duplicate {
            primary: NoticeId(primary),
            reason,
        },
        None => otherwise,
    }
}

/// A row written in bulk, for [`Saver::saved_in_bulk`]; each with the twin it is filed under as a
/// duplicate (primary id, reason), if it is.
pub(super) enum Written {
    /// New to the database (linked by the bulk write's duplicate check, if at all).
    New(Option<(String, String)>),
    /// Fetched again without a change.
    Unchanged(Option<(String, String)>),
}

/// The columns a save writes, in the order both upserts give them.
pub(super) const NOTICE_COLUMNS: &str = "id, source, native_id, title, buyer, deadline, published, score, matched, \
     notice_json, relevance_json, content_hash, first_seen, last_seen";

/// first_seen is set on insert only; every other column follows the latest fetch, and
/// `last_seen` to the day: a row fetched again unchanged on the day it was last seen is not
/// written at all (see [`unchanged_today`]).
fn on_conflict() -> String {
    format!(
        "ON CONFLICT (id) DO UPDATE SET
         source = excluded.source, native_id = excluded.native_id, title = excluded.title,
         buyer = excluded.buyer, deadline = excluded.deadline, published = excluded.published,
         score = excluded.score, matched = excluded.matched, notice_json = excluded.notice_json,
         relevance_json = excluded.relevance_json, content_hash = excluded.content_hash,
         last_seen = excluded.last_seen
         WHERE NOT ({})",
        unchanged_today(Incoming::Excluded)
    )
}

/// Where a save's incoming row is, for [`unchanged_today`].
#[derive(Clone, Copy)]
pub(super) enum Incoming {
    /// The upsert's `excluded` row, named as `notices` names its columns.
    Excluded,
    /// A row of `temp.staged_notices` as `s`, the poll's time as `?1` (the bulk save).
    Staged,
}

/// What an incoming row must equal for the stored row to be left alone: every column a save
/// writes but `first_seen`, and `last_seen`'s day. One condition for both save paths, which
/// must decide alike. Why: polls re-read a window that overlaps the last (a day on TED, ten on
/// Doffin), every 15 minutes in the dashboard, so most rows a poll brings are unchanged;
/// rewriting each of them only to move `last_seen` wrote every page of them to the WAL again,
/// each poll. (`notice_json` is equal when `content_hash` is.)
pub(super) fn unchanged_today(incoming: Incoming) -> String {
    const COLUMNS: [(&str, &str); 10] = [
        ("content_hash", "content_hash"),
        ("source", "source"),
        ("native_id", "native_id"),
        ("title", "title"),
        ("buyer", "buyer"),
        ("deadline", "deadline_at"),
        ("published", "published_at"),
        ("score", "score"),
        ("matched", "matched"),
        ("relevance_json", "relevance_json"),
    ];
    let (row, now) = match incoming {
        Incoming::Excluded => ("excluded", "excluded.last_seen"),
        Incoming::Staged => ("s", "?1"),
    };
    let mut condition: Vec<String> = COLUMNS
        .iter()
        .map(|&(stored, staged)| {
            let theirs = if matches!(incoming, Incoming::Staged) {
                staged
            } else {
                stored
            };
            format!("notices.{stored} IS {row}.{theirs}")
        })
        .collect();
    condition.push(format!("substr(notices.last_seen, 1, 10) = substr({now}, 1, 10)"));
    condition.join(" AND ")
}

/// A notice's stored row, as a fetch of it finds it.
struct Previous {
    hash: String,
    json: String,
    unseen: Option<String>,
    /// The notice it is linked to as a duplicate, and why.
    primary: Option<(String, String)>,
}

/// Reads a row of the staging table written by `staging.rs` (columns in [`STAGED_COLUMNS`] order),
/// its JSON left there.
pub(super) fn staged_row(r: &Row<'_>) -> rusqlite::Result<Prepared> {
    let instant = |i: usize| -> rusqlite::Result<Option<Timestamp>> {
        r.get::<_, Option<String>>(i)?
            .map(|text| {
                text.parse::<Timestamp>()
                    .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into()))
            })
            .transpose()
    };
    Ok(Prepared {
        body: Body::Staged { seq: r.get(0)? },
        id: NoticeId(r.get(1)?),
        source: r.get(2)?,
        native_id: r.get(3)?,
        title: r.get(4)?,
        buyer: r.get(5)?,
        buyer_id: r.get(6)?,
        deadline: instant(7)?,
        published: instant(8)?,
        score: r.get(9)?,
        matched: r.get(10)?,
        hash: r.get(11)?,
    })
}

/// One staged row by its seq, for [`staged_row`].
pub(super) fn staged_by_seq() -> String {
    format!("SELECT {STAGED_COLUMNS} FROM temp.staged_notices WHERE seq = ?1")
}

/// The staging table's columns as [`staged_row`] reads them.
pub(super) const STAGED_COLUMNS: &str =
    "seq, id, source, native_id, title, buyer, buyer_id, deadline, published, score, matched, content_hash";

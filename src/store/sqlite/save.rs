//! Saving fetched notices: each becomes a [`Prepared`] row (encoded once), and a [`Saver`] decides
//! inside the save's transaction what it is to the database (new, known with its changes, or the
//! twin of a stored notice) and writes it.
//!
//! Rows come from memory ([`upsert_in`]: the dashboard's saves, `Store::upsert_notices`) or from
//! the staging table of a poll saved page by page (`staging.rs`); both go through the one
//! [`Saver`], so both decide alike.

use std::borrow::Cow;

use jiff::Timestamp;
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
    pub notice_json: String,
    pub relevance_json: String,
    pub hash: String,
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
        let notice_json = serde_json::to_string(notice).map_err(encode)?;
        let relevance_json = serde_json::to_string(relevance).map_err(encode)?;
        Ok(Self {
            id: notice.id.clone(),
            source: notice.source.clone(),
            native_id: notice.native_id.clone(),
            title: notice.title.clone(),
            buyer: notice.buyer.clone(),
            buyer_id: notice.buyer_id.clone(),
            deadline: notice.deadline,
            published: notice.published,
            score: relevance.score,
            matched: relevance.matched,
            hash: content_hash(&notice_json),
            notice_json,
            relevance_json,
        })
    }

    /// The notice itself: `given` when the caller still holds it, else decoded from its JSON.
    fn notice<'n>(&self, given: Option<&'n Notice>) -> Result<Cow<'n, Notice>, StepError> {
        match given {
            Some(notice) => Ok(Cow::Borrowed(notice)),
            None => serde_json::from_str(&self.notice_json).map(Cow::Owned).map_err(|e| {
                StepError::Store(StoreError::Corrupt {
                    id: self.id.to_string(),
                    reason: format!("staged notice: {e}"),
                })
            }),
        }
    }

    /// The fingerprint the duplicate check files this notice under (no titles yet).
    fn buyer_fingerprint(&self) -> Fingerprint {
        Fingerprint::of_buyer_fields(BuyerFields {
            id: &self.id,
            source: &self.source,
            buyer: &self.buyer,
            buyer_id: self.buyer_id.as_deref(),
            deadline: self.deadline,
        })
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
    candidates: Candidates,
    decided: Decided,
}

impl<'tx> Saver<'tx> {
    /// Prepares the statements of a save of about `rows` notices, inside `tx`; `now` becomes
    /// `last_seen` (and `first_seen` of new notices).
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
            // first_seen is set on insert only; every other column follows the latest fetch.
            upsert: tx.prepare_cached(
                "INSERT INTO notices (id, source, native_id, title, buyer, deadline, published, score, matched,
                                      notice_json, relevance_json, content_hash, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
                 ON CONFLICT (id) DO UPDATE SET
                     source = excluded.source, native_id = excluded.native_id, title = excluded.title,
                     buyer = excluded.buyer, deadline = excluded.deadline, published = excluded.published,
                     score = excluded.score, matched = excluded.matched, notice_json = excluded.notice_json,
                     relevance_json = excluded.relevance_json, content_hash = excluded.content_hash,
                     last_seen = excluded.last_seen",
            )?,
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
                    let changes = row.notice(notice)?.changes_from(&old_notice);
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
        self.upsert.execute(params![
            id,
            row.source,
            row.native_id,
            row.title,
            row.buyer,
            row.deadline.map(sortable),
            row.published.map(sortable),
            row.score,
            row.matched,
            row.notice_json,
            row.relevance_json,
            row.hash,
            self.now,
        ])?;
        // The titles are only needed when a twin candidate turns up: most rows are never decoded.
        let full = || row.notice(notice).ok();
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
        self.decided.arrivals.push(match linked.or(primary) {
            Some((primary, reason)) => Arrival::Duplicate {
                primary: NoticeId(primary),
                reason,
            },
            None if is_new => Arrival::New,
            None => Arrival::Known { unseen },
        });
        Ok(())
    }

    /// What the save decided, one arrival per saved row in order.
    pub fn finish(self) -> Decided {
        self.decided
    }
}

/// A notice's stored row, as a fetch of it finds it.
struct Previous {
    hash: String,
    json: String,
    unseen: Option<String>,
    /// The notice it is linked to as a duplicate, and why.
    primary: Option<(String, String)>,
}

/// Reads a row of the staging table written by `staging.rs` (columns in [`STAGED_COLUMNS`] order).
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
        id: NoticeId(r.get(0)?),
        source: r.get(1)?,
        native_id: r.get(2)?,
        title: r.get(3)?,
        buyer: r.get(4)?,
        buyer_id: r.get(5)?,
        deadline: instant(6)?,
        published: instant(7)?,
        score: r.get(8)?,
        matched: r.get(9)?,
        notice_json: r.get(10)?,
        relevance_json: r.get(11)?,
        hash: r.get(12)?,
    })
}

/// The staging table's columns as [`staged_row`] reads them.
pub(super) const STAGED_COLUMNS: &str = "id, source, native_id, title, buyer, buyer_id, deadline, published, score, \
     matched, notice_json, relevance_json, content_hash";

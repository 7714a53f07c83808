//! The poller's writes: one feed's notices and its sync state in one transaction, as idempotent
//! upserts (a repeated or concurrent poll writes nothing twice), behind an advisory lock that
//! keeps a second `anbud poll --once` from doing the same work.

use std::collections::HashMap;

use jiff::Timestamp;
use tokio_postgres::Client;
use tokio_postgres::types::Json;

use super::{PgError, failed};
use crate::model::{FeedState, FieldChange, Notice, Relevance};
use crate::store::UpsertSummary;
use crate::store::sqlite::content_hash;

/// The poll's advisory lock ("anbd" "poll" in ASCII).
pub const POLL_LOCK: i64 = 0x616e_6264_706f_6c6c;

/// The poll lock, held by this session until [`PollLock::release`] or until the connection ends
/// (the server frees a session's locks when it goes, so a killed poller blocks nobody).
#[derive(Debug)]
pub struct PollLock(());

impl PollLock {
    /// Takes the lock if it is free; `None` when another poll holds it.
    ///
    /// # Errors
    /// [`PgError::Query`].
    pub async fn try_take(client: &Client) -> Result<Option<PollLock>, PgError> {
        let taken: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&POLL_LOCK])
            .await
            .map_err(failed("take the poll lock"))?
            .get(0);
        Ok(taken.then_some(PollLock(())))
    }

    /// Frees the lock.
    ///
    /// # Errors
    /// [`PgError::Query`]; the lock is freed anyway when the connection closes.
    pub async fn release(self, client: &Client) -> Result<(), PgError> {
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&POLL_LOCK])
            .await
            .map_err(failed("free the poll lock"))?;
        Ok(())
    }
}

/// The saved state of every feed, by feed name.
///
/// # Errors
/// [`PgError::Query`], or [`PgError::Data`] for a row that does not decode.
pub async fn load_feed_states(client: &Client) -> Result<HashMap<String, FeedState>, PgError> {
    let rows = client
        .query(
            "SELECT feed, high_water, last_success, validators, resume FROM feed_state",
            &[],
        )
        .await
        .map_err(failed("load the feeds' sync state"))?;
    rows.iter()
        .map(|row| {
            let feed: String = row.get(0);
            let bad = |e: tokio_postgres::Error| PgError::Data(format!("feed state of {feed} is unreadable: {e}"));
            let validators: Json<_> = row.try_get(3).map_err(bad)?;
            let resume: Option<Json<_>> = row.try_get(4).map_err(bad)?;
            let state = FeedState {
                high_water: row.try_get(1).map_err(bad)?,
                last_success: row.try_get(2).map_err(bad)?,
                validators: validators.0,
                resume: resume.map(|r| r.0),
            };
            Ok((feed, state))
        })
        .collect()
}

/// One notice encoded for the upsert's arrays.
struct Row<'a> {
    notice: &'a Notice,
    relevance: &'a Relevance,
    /// The notice without its description (a column of its own).
    json: String,
    hash: String,
    relevance_json: String,
    relevance_hash: String,
}

/// Saves one poll of `feed`: its notices and its sync state, both or neither.
///
/// Notices go in as one `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE`, sorted by id (two
/// writers then lock rows in the same order and cannot deadlock), and an unchanged notice is not
/// rewritten (nor is its `last_seen` moved: a re-poll of 20k unchanged notices writes nothing).
/// Changed fields are logged in `changes`, as the SQLite store does.
///
/// # Errors
/// [`PgError::Query`] (nothing of the poll is written), [`PgError::Data`] when a notice cannot be
/// encoded.
pub async fn save_fetch(
    client: &mut Client,
    feed: &str,
    items: &[(Notice, Relevance)],
    state: &FeedState,
    now: Timestamp,
) -> Result<UpsertSummary, PgError> {
    let action = || format!("save {} fetched notices of {feed}", items.len());
    let tx = client.transaction().await.map_err(failed(action()))?;
    let summary = upsert_notices(&tx, items, now, &action).await?;
    tx.execute(
        "INSERT INTO feed_state (feed, high_water, last_success, validators, resume, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (feed) DO UPDATE SET high_water = excluded.high_water,
             last_success = excluded.last_success, validators = excluded.validators,
             resume = excluded.resume, updated_at = excluded.updated_at",
        &[
            &feed,
            &state.high_water,
            &state.last_success,
            &Json(&state.validators),
            &state.resume.as_ref().map(Json),
            &now,
        ],
    )
    .await
    .map_err(failed(action()))?;
    tx.commit().await.map_err(failed(action()))?;
    Ok(summary)
}

/// Writes `items` in `tx` as [`save_fetch`] does (also used by `anbud team import`): new ones
/// inserted, changed ones updated with their changes logged, unchanged ones left alone.
///
/// # Errors
/// [`PgError::Query`] (saying it was doing `action`), [`PgError::Data`].
pub async fn upsert_notices(
    tx: &tokio_postgres::Transaction<'_>,
    items: &[(Notice, Relevance)],
    now: Timestamp,
    action: &dyn Fn() -> String,
) -> Result<UpsertSummary, PgError> {
    let mut rows = encode(items)?;
    let known = stored(tx, &rows).await.map_err(failed(action()))?;
    let mut summary = UpsertSummary::default();
    let mut changes: Vec<(&str, FieldChange)> = Vec::new();
    for row in &rows {
        match known.get(row.notice.id.as_str()) {
            None => summary.new += 1,
            Some(Stored::Same | Stored::Rescored) => summary.unchanged += 1,
            Some(Stored::Changed((json, description))) => {
                summary.updated += 1;
                // A stored notice an older anbud wrote that no longer decodes is simply replaced.
                if let Ok(mut old) = serde_json::from_str::<Notice>(json) {
                    old.description.clone_from(description);
                    let id = row.notice.id.as_str();
                    changes.extend(row.notice.changes_from(&old).into_iter().map(|c| (id, c)));
                }
            }
        }
        if row.relevance.matched {
            summary.matched += 1;
        }
    }
    // Identical rows are not sent again: even a no-op `DO UPDATE` locks (writes) the row.
    rows.retain(|row| !matches!(known.get(row.notice.id.as_str()), Some(Stored::Same)));
    if !rows.is_empty() {
        upsert(tx, &rows, now).await.map_err(failed(action()))?;
    }
    if !changes.is_empty() {
        let (ids, fields, olds, news) = columns4(&changes);
        tx.execute(
            "INSERT INTO changes (notice_id, field, old, new, at)
             SELECT i.*, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS i",
            &[&ids, &fields, &olds, &news, &now],
        )
        .await
        .map_err(failed(action()))?;
    }
    Ok(summary)
}

/// How a fetched notice compares with the stored one.
enum Stored {
    /// Content and relevance as stored.
    Same,
    /// Same content, another score (the profiles changed).
    Rescored,
    /// Other content; the stored notice's JSON and description.
    Changed((String, String)),
}

/// The stored version of each of `rows` that is stored, compared on the server.
async fn stored(
    tx: &tokio_postgres::Transaction<'_>,
    rows: &[Row<'_>],
) -> Result<HashMap<String, Stored>, tokio_postgres::Error> {
    let ids = column(rows, |r| r.notice.id.as_str());
    let hashes = column(rows, |r| &r.hash);
    let relevance_hashes = column(rows, |r| &r.relevance_hash);
    let found = tx
        .query(
            "SELECT n.id, CASE WHEN n.content_hash <> i.hash THEN n.notice::text END,
                    n.relevance_hash = i.relevance_hash, n.description
             FROM notices n JOIN unnest($1::text[], $2::text[], $3::text[]) AS i (id, hash, relevance_hash)
                  ON n.id = i.id",
            &[&ids, &hashes, &relevance_hashes],
        )
        .await?;
    found
        .iter()
        .map(|row| {
            let stored = match (row.try_get::<_, Option<String>>(1)?, row.try_get::<_, bool>(2)?) {
                (Some(old), _) => Stored::Changed((old, row.try_get(3)?)),
                (None, true) => Stored::Same,
                (None, false) => Stored::Rescored,
            };
            Ok((row.try_get(0)?, stored))
        })
        .collect()
}

/// The notices sorted by id, each once (the last copy wins: `ON CONFLICT DO UPDATE` refuses to
/// touch a row twice in one statement), with their JSON and content hash.
fn encode(items: &[(Notice, Relevance)]) -> Result<Vec<Row<'_>>, PgError> {
    let mut latest: HashMap<&str, &(Notice, Relevance)> = HashMap::with_capacity(items.len());
    for item in items {
        latest.insert(item.0.id.as_str(), item);
    }
    let mut unique: Vec<&(Notice, Relevance)> = latest.into_values().collect();
    unique.sort_unstable_by(|a, b| a.0.id.as_str().cmp(b.0.id.as_str()));
    // Encoding 20,000 notices is about 150 ms of the poll's second: both cores share it.
    let half = unique.len().div_ceil(2).max(1);
    let parts: Vec<Result<Vec<Row<'_>>, PgError>> = std::thread::scope(|scope| {
        let workers: Vec<_> = unique
            .chunks(half)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(notice, relevance)| encode_one(notice, relevance))
                        .collect()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let mut rows = Vec::with_capacity(unique.len());
    for part in parts {
        rows.extend(part?);
    }
    Ok(rows)
}

/// One notice's row: its JSON without the description, relevance JSON and their hashes (the
/// content hash covers the description too).
fn encode_one<'a>(notice: &'a Notice, relevance: &'a Relevance) -> Result<Row<'a>, PgError> {
    let encode = |e: serde_json::Error| PgError::Data(format!("cannot encode notice {}: {e}", notice.id));
    let mut bare = notice.clone();
    let description = std::mem::take(&mut bare.description);
    let mut json = serde_json::to_string(&bare).map_err(encode)?;
    let at = json.len();
    json.push('\n');
    json.push_str(&description);
    let hash = content_hash(&json);
    json.truncate(at);
    let relevance_json = serde_json::to_string(relevance).map_err(encode)?;
    Ok(Row {
        notice,
        relevance,
        hash,
        relevance_hash: content_hash(&relevance_json),
        json,
        relevance_json,
    })
}

/// The upsert itself: one statement, one array per column.
async fn upsert(
    tx: &tokio_postgres::Transaction<'_>,
    rows: &[Row<'_>],
    now: Timestamp,
) -> Result<u64, tokio_postgres::Error> {
    let ids = column(rows, |r| r.notice.id.as_str());
    let sources = column(rows, |r| &r.notice.source);
    let native_ids = column(rows, |r| &r.notice.native_id);
    let titles = column(rows, |r| &r.notice.title);
    let buyers = column(rows, |r| &r.notice.buyer);
    let notices = column(rows, |r| &r.json);
    let descriptions = column(rows, |r| &r.notice.description);
    let hashes = column(rows, |r| &r.hash);
    let deadlines: Vec<Option<Timestamp>> = rows.iter().map(|r| r.notice.deadline).collect();
    let published: Vec<Option<Timestamp>> = rows.iter().map(|r| r.notice.published).collect();
    let scores: Vec<i32> = rows.iter().map(|r| r.relevance.score).collect();
    let matched: Vec<bool> = rows.iter().map(|r| r.relevance.matched).collect();
    let relevance = column(rows, |r| &r.relevance_json);
    let relevance_hashes = column(rows, |r| &r.relevance_hash);
    tx.execute(
        "INSERT INTO notices AS n (id, source, native_id, title, buyer, deadline, published, score,
                                   matched, notice, relevance, content_hash, relevance_hash, first_seen,
                                   last_seen, description)
         SELECT i.id, i.source, i.native_id, i.title, i.buyer, i.deadline, i.published, i.score,
                i.matched, i.notice::json, i.relevance::json, i.content_hash, i.relevance_hash, $14, $14,
                i.description
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
                     $7::timestamptz[], $8::int4[], $9::bool[], $10::text[], $11::text[], $12::text[],
                     $13::text[], $15::text[])
              AS i (id, source, native_id, title, buyer, deadline, published, score, matched, notice,
                    relevance, content_hash, relevance_hash, description)
         ON CONFLICT (id) DO UPDATE SET
             source = excluded.source, native_id = excluded.native_id, title = excluded.title,
             buyer = excluded.buyer, deadline = excluded.deadline, published = excluded.published,
             score = excluded.score, matched = excluded.matched, notice = excluded.notice,
             relevance = excluded.relevance, content_hash = excluded.content_hash,
             relevance_hash = excluded.relevance_hash, last_seen = excluded.last_seen,
             description = excluded.description
         WHERE (n.content_hash, n.relevance_hash) IS DISTINCT FROM (excluded.content_hash, excluded.relevance_hash)",
        &[
            &ids,
            &sources,
            &native_ids,
            &titles,
            &buyers,
            &deadlines,
            &published,
            &scores,
            &matched,
            &notices,
            &relevance,
            &hashes,
            &relevance_hashes,
            &now,
            &descriptions,
        ],
    )
    .await
}

/// One text column of the upsert.
fn column<'a, 'b>(rows: &'a [Row<'b>], f: impl Fn(&'a Row<'b>) -> &'a str) -> Vec<&'a str> {
    rows.iter().map(f).collect()
}

/// The four text columns of `changes`.
fn columns4<'a>(changes: &'a [(&'a str, FieldChange)]) -> (Vec<&'a str>, Vec<&'a str>, Vec<&'a str>, Vec<&'a str>) {
    (
        changes.iter().map(|(id, _)| *id).collect(),
        changes.iter().map(|(_, c)| c.field.as_str()).collect(),
        changes.iter().map(|(_, c)| c.old.as_str()).collect(),
        changes.iter().map(|(_, c)| c.new.as_str()).collect(),
    )
}

//! What a dashboard reads from the shared database: the notices with the team's decisions, the
//! member's own unseen changes and undo history, and the comment threads.

use std::collections::HashMap;

use tokio_postgres::Client;
use tokio_postgres::types::Json;

use super::super::{PgError, failed};
use crate::model::text::sanitized;
use crate::model::{
    DecisionKind, FieldChange, Notice, NoticeId, NoticeRecord, Relevance, Triage, TriageChange, UserFields,
};
use crate::store::History;

/// Whether a dashboard's records carry their descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Descriptions {
    /// Read with the records (`anbud list`).
    Keep,
    /// Left on the server until a notice is shown (`description_in_store`): the dashboard holds
    /// 100,000 records, and the first screen reads half the bytes.
    LeaveOnServer,
}

/// The notices with their shared triage, comment thread and this member's unseen changes, best
/// scored first; `limit` rows at most (`None`: all).
///
/// # Errors
/// [`PgError::Query`], or [`PgError::Data`] for a row that does not decode.
pub async fn records(
    client: &Client,
    limit: Option<i64>,
    descriptions: Descriptions,
    zone: &jiff::tz::TimeZone,
) -> Result<Vec<NoticeRecord>, PgError> {
    let leave = descriptions == Descriptions::LeaveOnServer;
    let rows = client
        .query(
            "SELECT n.id, n.notice, n.relevance, t.status, t.tags, t.reject_reason,
                    COALESCE(ma.display, t.assignee::text), $2 AND n.description <> '',
                    CASE WHEN $2 THEN '' ELSE n.description END
             FROM notices n LEFT JOIN triage t ON t.notice_id = n.id
                  LEFT JOIN members ma ON ma.role = t.assignee
             ORDER BY n.score DESC, n.id
             LIMIT $1",
            &[&limit, &leave],
        )
        .await
        .map_err(failed("read the shared notices"))?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        let (notice, relevance) = notice_columns(row, 8)?;
        let id = notice.id.to_string();
        let bad = unreadable(&id);
        let mut record = NoticeRecord::new(notice, relevance);
        record.triage = stage(row.try_get::<_, Option<String>>(3).map_err(&bad)?.as_deref(), &id)?;
        record.description_in_store = row.try_get(7).map_err(&bad)?;
        let user = UserFields {
            tags: clean_tags(
                row.try_get::<_, Option<Vec<String>>>(4)
                    .map_err(&bad)?
                    .unwrap_or_default(),
            ),
            reject_reason: row
                .try_get::<_, Option<String>>(5)
                .map_err(&bad)?
                .map(|r| sanitized(&r).into_owned()),
            assignee: row
                .try_get::<_, Option<String>>(6)
                .map_err(&bad)?
                .map(|who| sanitized(&who).into_owned()),
            ..UserFields::default()
        };
        records.push(record.with_user(user));
    }
    // All of them: every comment and change (no list of 100,000 ids sent to the server).
    let ids: Option<Vec<&str>> = limit.map(|_| records.iter().map(|r| r.notice.id.as_str()).collect());
    let mut threads = super::threads::read(client, ids.as_deref(), zone).await?;
    let mut unseen = unseen(client, ids.as_deref()).await?;
    for record in &mut records {
        let note = threads
            .remove(record.notice.id.as_str())
            .map(|entries| super::threads::render(&entries))
            .unwrap_or_default();
        let changes = unseen.remove(record.notice.id.as_str()).unwrap_or_default();
        record.edit_user(|u| {
            u.note = note;
            u.changes = changes;
        });
    }
    Ok(records)
}

/// Columns 0–2 of a notices row: id, notice and relevance (JSON), with the description (a
/// column of its own) from column `description`.
///
/// # Errors
/// [`PgError::Data`] naming the notice.
pub(super) fn notice_columns(row: &tokio_postgres::Row, description: usize) -> Result<(Notice, Relevance), PgError> {
    let id: String = row.get(0);
    let bad = unreadable(&id);
    let mut notice: Json<Notice> = row.try_get(1).map_err(&bad)?;
    notice.0.description = row.try_get(description).map_err(&bad)?;
    let relevance: Json<Relevance> = row.try_get(2).map_err(&bad)?;
    Ok((notice.0, relevance.0))
}

/// The error for a column of notice `id` that does not decode.
pub(super) fn unreadable(id: &str) -> impl Fn(tokio_postgres::Error) -> PgError + '_ {
    move |e| PgError::Data(format!("notice {id} in the shared database is unreadable: {e}"))
}

/// A stage as stored; the server's CHECK keeps it one of the seven.
fn stage(text: Option<&str>, id: &str) -> Result<Triage, PgError> {
    match text {
        None => Ok(Triage::New),
        Some(text) => {
            Triage::parse(text).ok_or_else(|| PgError::Data(format!("notice {id} has the unknown stage {text:?}")))
        }
    }
}

/// Tags as the dashboard keeps them: sanitised (a colleague may write with psql), sorted, once each.
pub(super) fn clean_tags(tags: Vec<String>) -> Vec<String> {
    crate::model::normalize_tags(
        tags.iter()
            .map(|t| sanitized(t))
            .collect::<Vec<_>>()
            .iter()
            .map(|t| &**t),
    )
}

/// This member's unseen changes of `ids`: the poller logged them after the member last marked the
/// notice seen.
async fn unseen(client: &Client, ids: Option<&[&str]>) -> Result<HashMap<String, Vec<FieldChange>>, PgError> {
    let rows = client
        .query(
            "SELECT c.notice_id, c.field, c.old, c.new
             FROM changes c LEFT JOIN seen s ON s.notice_id = c.notice_id AND s.member = current_user
             WHERE ($1::text[] IS NULL OR c.notice_id = ANY($1)) AND (s.seen_at IS NULL OR c.at > s.seen_at)
             ORDER BY c.notice_id, c.id",
            &[&ids],
        )
        .await
        .map_err(failed("read the notices' changes"))?;
    let mut unseen: HashMap<String, Vec<FieldChange>> = HashMap::new();
    for row in &rows {
        let change = FieldChange {
            field: row.get(1),
            old: row.get(2),
            new: row.get(3),
        };
        let list = unseen.entry(row.get(0)).or_default();
        *list = crate::model::merge_changes(std::mem::take(list), vec![change]);
    }
    Ok(unseen)
}

/// This member's own decisions as undo and redo stacks (a colleague's are not theirs to undo),
/// the last `limit` batches of each.
///
/// # Errors
/// [`PgError::Query`], [`PgError::Data`].
pub async fn history(client: &Client, limit: usize) -> Result<History, PgError> {
    let rows = client
        .query(
            "SELECT notice_id, old #>> '{}', new #>> '{}', kind, COALESCE(batch, seq::text)
             FROM triage_events WHERE actor = current_user AND field = 'status' ORDER BY seq",
            &[],
        )
        .await
        .map_err(failed("read your decisions log"))?;
    let mut log = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.get(0);
        let (old, new): (Option<String>, Option<String>) = (row.get(1), row.get(2));
        let change = TriageChange {
            from: stage(old.as_deref(), &id)?,
            to: stage(new.as_deref(), &id)?,
            id: NoticeId(id),
        };
        let kind = DecisionKind::parse(row.get(3)).unwrap_or_default();
        log.push((kind, row.get::<_, String>(4), change));
    }
    // Batches here are texts unique to a session (`{role}:{process}:{start}:{n}`): the core's own
    // numbering cannot collide with them, so it starts at 1.
    Ok(History::replay(log, limit, 1))
}

/// The descriptions of `ids` (the dashboard keeps them with the records in team mode, so this
/// answers only a stray request).
///
/// # Errors
/// [`PgError::Query`].
pub async fn descriptions(client: &Client, ids: &[NoticeId]) -> Result<Vec<(NoticeId, String)>, PgError> {
    let ids: Vec<&str> = ids.iter().map(NoticeId::as_str).collect();
    let rows = client
        .query("SELECT id, description FROM notices WHERE id = ANY($1)", &[&ids])
        .await
        .map_err(failed("read descriptions"))?;
    Ok(rows.iter().map(|r| (NoticeId(r.get(0)), r.get(1))).collect())
}

/// The team's activity since `start`, oldest first, one line each: "2026-12-03 10:42 UTC  Kari
/// set ted:1-2026 to rejected (was new)".
///
/// # Errors
/// [`PgError::Query`].
pub async fn activity(client: &Client, start: jiff::Timestamp) -> Result<Vec<String>, PgError> {
    let rows = client
        .query(
            "SELECT at, who, notice_id, field, old, new FROM (
                 SELECT e.at, COALESCE(m.display, e.actor::text) AS who, e.notice_id, e.field,
                        e.old #>> '{}' AS old, e.new #>> '{}' AS new, e.seq AS n, 0 AS k
                 FROM triage_events e LEFT JOIN members m ON m.role = e.actor WHERE e.at >= $1
                 UNION ALL
                 SELECT c.at, COALESCE(m.display, c.author::text), c.notice_id, 'comment', NULL, c.body, c.id, 1
                 FROM comments c LEFT JOIN members m ON m.role = c.author WHERE c.at >= $1
             ) a ORDER BY at, k, n",
            &[&start],
        )
        .await
        .map_err(failed("read the team's activity"))?;
    Ok(rows
        .iter()
        .map(|row| {
            let at: jiff::Timestamp = row.get(0);
            let who: String = row.get(1);
            let id: String = row.get(2);
            let field: String = row.get(3);
            let old: Option<String> = row.get(4);
            let new: Option<String> = row.get(5);
            let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
            let what = match field.as_str() {
                "status" => format!("set {id} to {new} (was {old})"),
                "tag_add" => format!("tagged {id} {new}"),
                "tag_remove" => format!("took tag {old} off {id}"),
                "reject_reason" => format!("gave {id} the reject reason {new:?}"),
                "assignee" if new.is_empty() => format!("unassigned {id}"),
                "assignee" => format!("assigned {id} to {new}"),
                "comment" => {
                    let body: String = new.replace('\n', " ").chars().take(80).collect();
                    format!("commented on {id}: {body}")
                }
                other => format!("changed {other} of {id}"),
            };
            // Anyone with psql can write these texts: nothing of them may reach the terminal raw.
            let line = format!("{}  {who}  {what}", at.strftime("%Y-%m-%d %H:%M UTC"));
            sanitized(&line).into_owned()
        })
        .collect())
}

//! The dashboard's writes to the shared database. A single-valued field is changed only if it
//! still holds what the user saw (so a colleague's decision is never overwritten unseen), in the
//! same transaction as its row in the append-only log; every log row carries the client's `op_id`,
//! so a write retried after a timeout applies once. Tags go in as additions and removals, comments
//! are appended: neither can lose a colleague's.

use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres::{Client, Transaction};

use super::super::{PgError, failed};
use crate::model::text::sanitized;
use crate::model::{DecisionKind, NoticeId, TagEdit, Triage, TriageChange};

/// What became of a guarded triage write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Committed (or found committed by its `op_id`): the row's version after it, when known (a
    /// retry found by its `op_id` does not say).
    Saved(Option<i64>),
    /// A colleague had changed the stage: it is `now`, set by `by` `ago` before.
    Conflict {
        /// The stage now.
        now: Triage,
        /// Their display name.
        by: String,
        /// How long ago, by the server's clock.
        ago: std::time::Duration,
        /// The row's version holding `now`.
        version: i64,
    },
}

/// Sets the stage of `change.id` from `change.from` to `change.to` and logs it as `op_id`.
///
/// # Errors
/// [`PgError::Query`] when the server refuses or the connection fails (nothing was written, unless
/// the statement reached the server before the connection failed: then [`is_committed`] tells).
pub async fn triage(
    client: &Client,
    change: &TriageChange,
    kind: DecisionKind,
    batch: &str,
    op_id: &str,
) -> Result<Decided, PgError> {
    let action = || format!("save the decision on {}", change.id);
    // A notice nobody decided on has no triage row (and counts as "new"): create it first, alone,
    // as that is harmless whatever follows. Then one statement, atomic without BEGIN/COMMIT:
    // update the row only if it still holds what the user saw, and log it only if it was updated.
    client
        .query_typed(
            "INSERT INTO triage (notice_id) VALUES ($1) ON CONFLICT (notice_id) DO NOTHING",
            &[(&change.id.as_str(), Type::TEXT)],
        )
        .await
        .map_err(failed(action()))?;
    let logged = client
        .query_typed_opt(
            "WITH u AS (
                 UPDATE triage SET status = $3, version = version + 1
                 WHERE notice_id = $1 AND status = $2 RETURNING version
             )
             INSERT INTO triage_events (op_id, batch, kind, notice_id, field, old, new, version)
             SELECT $4, $5, $6, $1, 'status', to_jsonb($2::text), to_jsonb($3::text), version FROM u
             RETURNING version",
            &[
                (&change.id.as_str(), Type::TEXT),
                (&change.from.as_str(), Type::TEXT),
                (&change.to.as_str(), Type::TEXT),
                (&op_id, Type::TEXT),
                (&batch, Type::TEXT),
                (&kind.as_str(), Type::TEXT),
            ],
        )
        .await;
    match logged {
        Ok(Some(row)) => Ok(Decided::Saved(Some(row.get(0)))),
        // The op_id is taken: this very write committed before (a retry after a timeout).
        Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(Decided::Saved(None)),
        Err(error) => Err(failed(action())(error)),
        Ok(None) => {
            let row = client
                .query_typed_opt(
                    "SELECT t.status, COALESCE(m.display, t.updated_by::text),
                            GREATEST(EXTRACT(EPOCH FROM now() - t.updated_at), 0)::float8, t.version
                     FROM triage t LEFT JOIN members m ON m.role = t.updated_by WHERE t.notice_id = $1",
                    &[(&change.id.as_str(), Type::TEXT)],
                )
                .await
                .map_err(failed(action()))?;
            // The row was created above; only an admin can have deleted it since.
            let Some(row) = row else {
                return Ok(Decided::Conflict {
                    now: Triage::New,
                    by: "an admin".to_owned(),
                    ago: std::time::Duration::ZERO,
                    version: 0,
                });
            };
            let status: String = row.get(0);
            let now = Triage::parse(&status).unwrap_or_default();
            // Someone already set what the user wanted: nothing is lost by calling it saved.
            let version: i64 = row.get(3);
            if now == change.to {
                return Ok(Decided::Saved(Some(version)));
            }
            let by: String = row.get(1);
            Ok(Decided::Conflict {
                now,
                by: crate::model::text::sanitized(&by).into_owned(),
                ago: std::time::Duration::from_secs_f64(row.get::<_, f64>(2)),
                version,
            })
        }
    }
}

/// Whether the write logged as `op_id` committed: after a timeout the client cannot tell.
///
/// # Errors
/// [`PgError::Query`].
pub async fn is_committed(client: &Client, op_id: &str) -> Result<bool, PgError> {
    let row = client
        .query_opt("SELECT 1 FROM triage_events WHERE op_id = $1", &[&op_id])
        .await
        .map_err(failed("look up a write in doubt"))?;
    Ok(row.is_some())
}

/// Applies tag additions and removals (never whole lists) and returns each notice's tags after
/// them, with the row's version.
///
/// # Errors
/// [`PgError::Query`]: nothing of the batch was written.
pub async fn tags(
    client: &mut Client,
    edits: &[TagEdit],
    op_id: &str,
) -> Result<Vec<(NoticeId, Vec<String>, i64)>, PgError> {
    let action = || "save the tags".to_owned();
    let tx = client.transaction().await.map_err(failed(action()))?;
    let mut n = 0;
    let mut after = Vec::with_capacity(edits.len());
    for edit in edits {
        ensure_row(&tx, &edit.id).await.map_err(failed(action()))?;
        let id = edit.id.as_str();
        for (field, tag) in edit
            .added()
            .map(|t| ("tag_add", t))
            .chain(edit.removed().map(|t| ("tag_remove", t)))
        {
            n += 1;
            let op = format!("{op_id}:{n}");
            let sql = if field == "tag_add" {
                "WITH u AS (UPDATE triage SET tags = array_append(tags, $2), version = version + 1
                            WHERE notice_id = $1 AND NOT ($2 = ANY(tags)) RETURNING version)
                 INSERT INTO triage_events (op_id, notice_id, field, new, version)
                 SELECT $3, $1, 'tag_add', to_jsonb($2::text), version FROM u"
            } else {
                "WITH u AS (UPDATE triage SET tags = array_remove(tags, $2), version = version + 1
                            WHERE notice_id = $1 AND $2 = ANY(tags) RETURNING version)
                 INSERT INTO triage_events (op_id, notice_id, field, old, version)
                 SELECT $3, $1, 'tag_remove', to_jsonb($2::text), version FROM u"
            };
            tx.execute(sql, &[&id, &tag, &op]).await.map_err(failed(action()))?;
        }
        let row = tx
            .query_one("SELECT tags, version FROM triage WHERE notice_id = $1", &[&id])
            .await
            .map_err(failed(action()))?;
        after.push((edit.id.clone(), super::load::clean_tags(row.get(0)), row.get(1)));
    }
    tx.commit().await.map_err(failed(action()))?;
    Ok(after)
}

/// Assigns notice `id` to the connected member (`to_me`) or to nobody, if its assignee is still
/// `from` (a display name, as the dashboard shows it). Returns the assignee now and the row's
/// version, and on a conflict also who set it.
///
/// # Errors
/// [`PgError::Query`]: nothing was written.
pub async fn assignee(
    client: &Client,
    id: &NoticeId,
    from: Option<&str>,
    to_me: bool,
    op_id: &str,
) -> Result<Result<(Option<String>, i64), (Option<String>, String, i64)>, PgError> {
    let action = || format!("save the assignee of {id}");
    client
        .query_typed(
            "INSERT INTO triage (notice_id) VALUES ($1) ON CONFLICT (notice_id) DO NOTHING",
            &[(&id.as_str(), Type::TEXT)],
        )
        .await
        .map_err(failed(action()))?;
    let saved = client
        .query_typed_opt(
            "WITH u AS (
                 UPDATE triage t SET assignee = CASE WHEN $3 THEN current_user END, version = version + 1
                 WHERE notice_id = $1
                   AND COALESCE((SELECT display FROM members WHERE role = t.assignee), t.assignee::text)
                       IS NOT DISTINCT FROM $2
                 RETURNING version, assignee
             ), e AS (
                 INSERT INTO triage_events (op_id, notice_id, field, old, new, version)
                 SELECT $4, $1, 'assignee', to_jsonb($2::text), to_jsonb(u.assignee::text), u.version FROM u
             )
             SELECT COALESCE((SELECT display FROM members WHERE role = u.assignee), u.assignee::text), u.version
             FROM u",
            &[
                (&id.as_str(), Type::TEXT),
                (&from, Type::TEXT),
                (&to_me, Type::BOOL),
                (&op_id, Type::TEXT),
            ],
        )
        .await
        .map_err(failed(action()))?;
    if let Some(row) = saved {
        let who = row.get::<_, Option<String>>(0).map(|who| sanitized(&who).into_owned());
        return Ok(Ok((who, row.get(1))));
    }
    let row = client
        .query_typed_one(
            "SELECT COALESCE((SELECT display FROM members WHERE role = t.assignee), t.assignee::text),
                    COALESCE((SELECT display FROM members WHERE role = t.updated_by), t.updated_by::text),
                    t.version
             FROM triage t WHERE t.notice_id = $1",
            &[(&id.as_str(), Type::TEXT)],
        )
        .await
        .map_err(failed(action()))?;
    let now: Option<String> = row.get(0);
    let by: String = row.get(1);
    Ok(Err((
        now.map(|w| sanitized(&w).into_owned()),
        sanitized(&by).into_owned(),
        row.get(2),
    )))
}

/// Sets the reject reason of each of `ids` whose reason is still the one in `before` (same order),
/// logged; returns the ids written (with the row's version after) and, for the others, who
/// changed the reason first.
///
/// # Errors
/// [`PgError::Query`]: nothing was written.
pub async fn reject_reason(
    client: &mut Client,
    ids: &[NoticeId],
    reason: Option<&str>,
    before: &[Option<String>],
    op_id: &str,
) -> Result<(Vec<(NoticeId, i64)>, Vec<String>), PgError> {
    let action = || "save the reject reason".to_owned();
    let tx = client.transaction().await.map_err(failed(action()))?;
    let (mut written, mut refused_by) = (Vec::new(), Vec::new());
    for (n, id) in ids.iter().enumerate() {
        ensure_row(&tx, id).await.map_err(failed(action()))?;
        // A command without the reasons seen writes unguarded.
        let guard = before.get(n).map(Option::as_deref);
        let row = tx
            .query_opt(
                "WITH u AS (UPDATE triage SET reject_reason = $2, version = version + 1
                            WHERE notice_id = $1 AND (NOT $4 OR reject_reason IS NOT DISTINCT FROM $5)
                            RETURNING version)
                 INSERT INTO triage_events (op_id, notice_id, field, old, new, version)
                 SELECT $3, $1, 'reject_reason', to_jsonb($5::text), to_jsonb($2::text), version FROM u
                 RETURNING version",
                &[
                    &id.as_str(),
                    &reason,
                    &format!("{op_id}:{n}"),
                    &guard.is_some(),
                    &guard.flatten(),
                ],
            )
            .await
            .map_err(failed(action()))?;
        if let Some(row) = row {
            written.push((id.clone(), row.get(0)));
        } else {
            let by = tx
                .query_one(
                    "SELECT COALESCE((SELECT display FROM members WHERE role = t.updated_by), t.updated_by::text)
                     FROM triage t WHERE t.notice_id = $1",
                    &[&id.as_str()],
                )
                .await
                .map_err(failed(action()))?;
            refused_by.push(sanitized(&by.get::<_, String>(0)).into_owned());
        }
    }
    tx.commit().await.map_err(failed(action()))?;
    Ok((written, refused_by))
}

/// Appends a comment by the connected member.
///
/// # Errors
/// [`PgError::Query`]: nothing was written (an empty or over-long body is refused by the server).
pub async fn comment(client: &Client, id: &NoticeId, body: &str, op_id: &str) -> Result<(), PgError> {
    client
        .execute(
            "INSERT INTO comments (op_id, notice_id, body) VALUES ($1, $2, $3) ON CONFLICT (op_id) DO NOTHING",
            &[&op_id, &id.as_str(), &body],
        )
        .await
        .map_err(failed(format!("save the comment on {id}")))?;
    Ok(())
}

/// Marks the notice's changes seen by the connected member (a colleague's marks are their own).
///
/// # Errors
/// [`PgError::Query`].
pub async fn seen(client: &Client, id: &NoticeId) -> Result<(), PgError> {
    client
        .execute(
            "INSERT INTO seen (notice_id, seen_at) VALUES ($1, now())
             ON CONFLICT (member, notice_id) DO UPDATE SET seen_at = excluded.seen_at",
            &[&id.as_str()],
        )
        .await
        .map_err(failed(format!("mark the changes of {id} as seen")))?;
    Ok(())
}

/// The triage row the guarded updates need; a notice nobody decided on has none yet.
async fn ensure_row(tx: &Transaction<'_>, id: &NoticeId) -> Result<u64, tokio_postgres::Error> {
    tx.execute(
        "INSERT INTO triage (notice_id) VALUES ($1) ON CONFLICT (notice_id) DO NOTHING",
        &[&id.as_str()],
    )
    .await
}

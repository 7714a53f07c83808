//! `anbud team import --from anbud.db`: a single user's history moved into the shared database,
//! repeat-safe. Notices go in as the poller writes them; each decision of the old log becomes a
//! triage-log row whose `op_id` names its SQLite row (so a second import logs nothing twice); a
//! notice's final stage, tags and reject reason are set only where the team has not decided yet;
//! the note becomes the first comment. Authorship goes to the member named, which only the
//! tables' owner may write (members cannot forge it).

use jiff::Timestamp;
use tokio_postgres::Client;

use super::{PgError, failed};
use crate::model::NoticeRecord;
use crate::store::LoggedDecision;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    /// Notices new to the shared database.
    pub notices: u64,
    /// Log rows written (decisions not imported before).
    pub decisions: u64,
    /// Notices whose stage, tags or reason were set (the team had none).
    pub triaged: u64,
    /// Notices the team had already decided on: left as the team has them.
    pub kept: u64,
    /// Notes added as comments.
    pub comments: u64,
}

/// Imports `records` and `log` in one transaction, authored by `member`.
///
/// # Errors
/// [`PgError::Query`] (nothing is written), e.g. when the role may not set authors (not the owner).
pub async fn import(
    client: &mut Client,
    source: &str,
    member: &str,
    records: &[NoticeRecord],
    log: &[LoggedDecision],
    now: Timestamp,
) -> Result<Imported, PgError> {
    let action = || format!("import {source}");
    let tx = client.transaction().await.map_err(failed(action()))?;
    let items: Vec<_> = records
        .iter()
        .map(|r| (r.notice.clone(), r.relevance.clone()))
        .collect();
    let summary = super::poll::upsert_notices(&tx, &items, now, &action).await?;
    let mut done = Imported {
        notices: summary.new as u64,
        ..Imported::default()
    };
    // The op_ids name the file's own rows: a repeated import finds them taken and skips them.
    let prefix = format!("import:{source}");
    for decision in log {
        let written = tx
            .execute(
                "INSERT INTO triage_events (op_id, actor, batch, kind, notice_id, field, old, new, at)
                 VALUES ($1, $2, $3, $4, $5, 'status', to_jsonb($6::text), to_jsonb($7::text), $8)
                 ON CONFLICT (op_id) DO NOTHING",
                &[
                    &format!("{prefix}:decision:{}", decision.id),
                    &member,
                    &format!("{prefix}:{}", decision.batch),
                    &decision.kind.as_str(),
                    &decision.change.id.as_str(),
                    &decision.change.from.as_str(),
                    &decision.change.to.as_str(),
                    &decision.at,
                ],
            )
            .await
            .map_err(failed(action()))?;
        done.decisions += written;
    }
    for record in records {
        let decided =
            record.triage != crate::model::Triage::New || !record.tags().is_empty() || record.reject_reason().is_some();
        if decided {
            let written = tx
                .execute(
                    // `updated_by` is stamped by the server's trigger (the importer); the log rows
                    // above carry the member.
                    "INSERT INTO triage (notice_id, status, tags, reject_reason, version)
                     VALUES ($1, $2, $3, $4, 1) ON CONFLICT (notice_id) DO NOTHING",
                    &[
                        &record.notice.id.as_str(),
                        &record.triage.as_str(),
                        &record.tags(),
                        &record.reject_reason(),
                    ],
                )
                .await
                .map_err(failed(action()))?;
            if written == 1 {
                done.triaged += 1;
            } else {
                done.kept += 1;
            }
        }
        if !record.note().trim().is_empty() {
            done.comments += tx
                .execute(
                    "INSERT INTO comments (op_id, notice_id, author, body) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (op_id) DO NOTHING",
                    &[
                        &format!("{prefix}:note:{}", record.notice.id),
                        &record.notice.id.as_str(),
                        &member,
                        &record.note().trim(),
                    ],
                )
                .await
                .map_err(failed(action()))?;
        }
    }
    tx.commit().await.map_err(failed(action()))?;
    Ok(done)
}

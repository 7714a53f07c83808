//! Live updates: a LISTEN connection of its own hears the server's doorbells (a trigger's NOTIFY,
//! delivered after COMMIT, naming the row), and the store reads the rows named. After a reconnect
//! it catches up through a transaction-id window, which unlike a `seq > last` cursor misses
//! nothing: a row's `seq` is taken at INSERT but visible only at COMMIT, so a later `seq` can be
//! seen before an earlier one.

use std::collections::HashMap;

use jiff::Timestamp;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_postgres::types::Json;
use tokio_postgres::{Client, Row};

use super::super::{PgError, failed};
use super::load::clean_tags;
use crate::model::text::sanitized;
use crate::model::{FieldChange, NoticeId, Triage};
use crate::store::{Arrival, RemoteChange, RemoteField, SavedNotice};

/// The LISTEN connection: its client (dropping it ends the session) and the doorbells it hears.
pub struct Listener {
    _client: Client,
    /// Doorbell payloads (`e<seq>`, `c<id>`, `n`); closed when the connection ends.
    pub bells: UnboundedReceiver<String>,
}

/// Opens the LISTEN connection.
///
/// # Errors
/// As [`super::super::connect`].
pub async fn listen(db: &crate::config::database::Database) -> Result<Listener, PgError> {
    let (tx, bells) = tokio::sync::mpsc::unbounded_channel();
    let client = super::super::connect::connect_listening(db, tx).await?;
    client
        .batch_execute("LISTEN anbud")
        .await
        .map_err(failed("listen for colleagues' changes"))?;
    Ok(Listener { _client: client, bells })
}

/// Doorbells sorted by what they name.
#[derive(Debug, Default)]
pub struct Bells {
    /// Log rows (`triage_events.seq`).
    pub events: Vec<i64>,
    /// Comments (`comments.id`).
    pub comments: Vec<i64>,
    /// The poller saved notices.
    pub notices: bool,
}

impl Bells {
    /// Files one payload; an unknown one is ignored (a later anbud may ring others).
    pub fn add(&mut self, payload: &str) {
        let number = |rest: &str| rest.parse::<i64>().ok();
        match payload.split_at_checked(1) {
            Some(("e", rest)) => self.events.extend(number(rest)),
            Some(("c", rest)) => self.comments.extend(number(rest)),
            Some(("n", "")) => self.notices = true,
            _ => {}
        }
    }

    /// Whether nothing rang.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.comments.is_empty() && !self.notices
    }
}

/// The oldest transaction still running, as text: every log row committed from now on has an
/// `xid` at or above it.
///
/// # Errors
/// [`PgError::Query`].
pub async fn horizon(client: &Client) -> Result<String, PgError> {
    let row = client
        .query_one("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &[])
        .await
        .map_err(failed("read the server's transaction horizon"))?;
    Ok(row.get(0))
}

/// Colleagues' changes named by log rows `seqs`, each with the field's value now (so a change
/// read twice, or late, never puts back an older value).
///
/// # Errors
/// [`PgError::Query`].
pub async fn events(client: &Client, seqs: &[i64]) -> Result<Vec<RemoteChange>, PgError> {
    let rows = client
        .query(
            &format!("{EVENTS} WHERE e.seq = ANY($1) AND e.actor <> current_user ORDER BY e.seq"),
            &[&seqs],
        )
        .await
        .map_err(failed("read colleagues' changes"))?;
    Ok(remote_changes(&rows))
}

/// Colleagues' changes committed since `horizon` (see [`horizon`]), and the new horizon.
///
/// # Errors
/// [`PgError::Query`].
pub async fn since(client: &Client, horizon: &str) -> Result<(Vec<RemoteChange>, String), PgError> {
    let next = self::horizon(client).await?;
    let rows = client
        .query(
            &format!("{EVENTS} WHERE e.xid >= $1::text::xid8 AND e.actor <> current_user ORDER BY e.seq"),
            &[&horizon],
        )
        .await
        .map_err(failed("catch up on colleagues' changes"))?;
    Ok((remote_changes(&rows), next))
}

/// Log rows joined with the notice's triage as it is now.
const EVENTS: &str = "SELECT e.notice_id, e.field, COALESCE(m.display, e.actor::text), e.at,
                             t.status, t.tags, t.reject_reason, COALESCE(ma.display, t.assignee::text)
                      FROM triage_events e JOIN triage t ON t.notice_id = e.notice_id
                           LEFT JOIN members m ON m.role = e.actor
                           LEFT JOIN members ma ON ma.role = t.assignee";

/// One change per notice and field, the latest.
fn remote_changes(rows: &[Row]) -> Vec<RemoteChange> {
    let mut out: Vec<RemoteChange> = Vec::new();
    let mut at_index: HashMap<(String, &'static str), usize> = HashMap::new();
    for row in rows {
        let id: String = row.get(0);
        let field: String = row.get(1);
        let (key, value) = match field.as_str() {
            "status" => (
                "status",
                RemoteField::Triage(Triage::parse(row.get(4)).unwrap_or_default()),
            ),
            "tag_add" | "tag_remove" => ("tags", RemoteField::Tags(clean_tags(row.get(5)))),
            "reject_reason" => (
                "reject_reason",
                RemoteField::RejectReason(row.get::<_, Option<String>>(6).map(|r| sanitized(&r).into_owned())),
            ),
            "assignee" => (
                "assignee",
                RemoteField::Assignee(row.get::<_, Option<String>>(7).map(|w| sanitized(&w).into_owned())),
            ),
            _ => continue,
        };
        let by: String = row.get(2);
        let change = RemoteChange {
            id: NoticeId(id.clone()),
            by: sanitized(&by).into_owned(),
            at: row.get(3),
            field: value,
        };
        match at_index.get(&(id.clone(), key)) {
            Some(&i) => out[i] = change,
            None => {
                at_index.insert((id, key), out.len());
                out.push(change);
            }
        }
    }
    out
}

/// Colleagues' new comments `ids`: the thread of each notice commented on, as it is now.
///
/// # Errors
/// [`PgError::Query`].
pub async fn comments(client: &Client, ids: &[i64]) -> Result<Vec<RemoteChange>, PgError> {
    let rows = client
        .query(
            "SELECT DISTINCT ON (c.notice_id) c.notice_id, COALESCE(m.display, c.author::text), c.at
             FROM comments c LEFT JOIN members m ON m.role = c.author
             WHERE c.id = ANY($1) AND c.author <> current_user ORDER BY c.notice_id, c.id DESC",
            &[&ids],
        )
        .await
        .map_err(failed("read colleagues' comments"))?;
    let notice_ids: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let refs: Vec<&str> = notice_ids.iter().map(String::as_str).collect();
    let mut threads = super::load::threads(client, Some(&refs)).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let id: String = row.get(0);
            let by: String = row.get(1);
            RemoteChange {
                field: RemoteField::Comments(threads.remove(&id).unwrap_or_default()),
                id: NoticeId(id),
                by: sanitized(&by).into_owned(),
                at: row.get(2),
            }
        })
        .collect())
}

/// Notices the poller wrote after `mark` (its `last_seen`), as arrivals for the dashboard, and the
/// new mark.
///
/// # Errors
/// [`PgError::Query`], [`PgError::Data`].
pub async fn notices_since(
    client: &Client,
    mark: Option<Timestamp>,
) -> Result<(Vec<SavedNotice>, Option<Timestamp>), PgError> {
    let rows = client
        .query(
            "SELECT n.id, n.notice, n.relevance, n.first_seen > $1 OR $1 IS NULL, n.last_seen,
                    (SELECT json_agg(json_build_object('field', c.field, 'old', c.old, 'new', c.new) ORDER BY c.id)
                     FROM changes c LEFT JOIN seen s ON s.notice_id = c.notice_id AND s.member = current_user
                     WHERE c.notice_id = n.id AND (s.seen_at IS NULL OR c.at > s.seen_at))
             FROM notices n WHERE $1 IS NULL OR n.last_seen > $1",
            &[&mark],
        )
        .await
        .map_err(failed("read the notices the poller saved"))?;
    let mut next = mark;
    let mut saved = Vec::with_capacity(rows.len());
    for row in &rows {
        let (notice, relevance) = super::load::notice_columns(row)?;
        let id = notice.id.to_string();
        let bad = super::load::unreadable(&id);
        let last_seen: Timestamp = row.try_get(4).map_err(&bad)?;
        next = next.max(Some(last_seen));
        let unseen: Option<Json<Vec<FieldChange>>> = row.try_get(5).map_err(&bad)?;
        let arrival = if row.try_get::<_, bool>(3).map_err(&bad)? {
            Arrival::New
        } else {
            Arrival::Known {
                unseen: unseen.map(|u| u.0),
            }
        };
        saved.push(SavedNotice {
            notice,
            relevance,
            arrival,
        });
    }
    Ok((saved, next))
}

/// The latest `last_seen` of any notice: polls after it are news.
///
/// # Errors
/// [`PgError::Query`].
pub async fn notice_mark(client: &Client) -> Result<Option<Timestamp>, PgError> {
    let row = client
        .query_one("SELECT MAX(last_seen) FROM notices", &[])
        .await
        .map_err(failed("read the latest poll"))?;
    Ok(row.get(0))
}

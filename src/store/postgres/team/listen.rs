//! Live updates: a LISTEN connection of its own hears the server's doorbells (a trigger's NOTIFY,
//! delivered after COMMIT). A decision, tag, reason or assignee rings with the change itself and
//! the notice's shared fields as that statement left them (schema v3), so 20 colleagues need no
//! read per change; a comment, the poller's notices, or a change too long for a NOTIFY ring with
//! the row's name, and the store reads the rows named. Every change carries the triage row's
//! `version`, so the store can drop one older than what it already passed on. After a reconnect
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
use super::threads::Said;
use crate::model::text::sanitized;
use crate::model::{FieldChange, NoticeId, Triage};
use crate::store::{Arrival, RemoteChange, RemoteField, SavedNotice};

/// The LISTEN connection: its client (dropping it ends the session) and the doorbells it hears.
pub struct Listener {
    _client: Client,
    /// Doorbell payloads (JSON, or `n` for a poll); closed when the connection ends.
    pub bells: UnboundedReceiver<String>,
}

/// Opens the LISTEN connection.
///
/// # Errors
/// As [`super::super::connect()`].
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
    /// Changes that came whole, in commit order.
    pub rung: Vec<Rung>,
    /// Log rows (`triage_events.seq`) to read: the change did not fit in a NOTIFY.
    pub events: Vec<i64>,
    /// Comments that came whole.
    pub said: Vec<Said>,
    /// Comments (`comments.id`) to read: too long for a NOTIFY.
    pub comments: Vec<i64>,
    /// The poller saved notices.
    pub notices: bool,
}

impl Bells {
    /// Files one payload; an unknown one is ignored (a later anbud may ring others).
    pub fn add(&mut self, payload: &str) {
        // `n` is the poller's; the rest is JSON (schema v3; a dashboard talks only to a server at
        // its own schema version, so the v1 `e<seq>` / `c<id>` forms never ring here).
        if payload == "n" {
            self.notices = true;
            return;
        }
        match serde_json::from_str::<Whole>(payload) {
            Ok(Whole::Change(rung)) => self.rung.push(rung),
            Ok(Whole::Comment(said)) => self.said.push(said),
            // Whatever else a later server puts in, the row can still be read by its name.
            Ok(Whole::NamedChange { seq }) => self.events.push(seq),
            Ok(Whole::NamedComment { comment }) => self.comments.push(comment),
            Err(_) => {}
        }
    }
}

/// A doorbell that carries JSON: a change or a comment, whole or (if it does not parse as this
/// build knows it) by its row.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Whole {
    Change(Rung),
    Comment(Said),
    NamedChange { seq: i64 },
    NamedComment { comment: i64 },
}

/// A logged change as its doorbell carries it (schema v3's `anbud_notify_event`): the field
/// changed, and the notice's shared fields as the statement left them.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Rung {
    /// The log row.
    pub seq: i64,
    /// The notice.
    pub notice: String,
    /// `status`, `tag_add`, `tag_remove`, `reject_reason` or `assignee`.
    pub field: String,
    /// The database role that made it.
    pub actor: String,
    /// When.
    pub at: Timestamp,
    /// The triage row's version after it.
    pub version: i64,
    status: String,
    tags: Vec<Option<String>>,
    reason: Option<String>,
    /// A database role.
    pub assignee: Option<String>,
}

impl Rung {
    /// The change as the dashboard takes it; `name` gives a role's display name. `None` for a
    /// field this build does not know.
    pub fn change(&self, name: impl Fn(&str) -> String) -> Option<Versioned> {
        let field = shared_field(
            &self.field,
            &self.status,
            self.tags.iter().flatten().cloned().collect(),
            self.reason.as_deref(),
            self.assignee.as_deref().map(&name).as_deref(),
        )?;
        Some(Versioned {
            change: RemoteChange {
                id: NoticeId(self.notice.clone()),
                by: sanitized(&name(&self.actor)).into_owned(),
                at: self.at,
                field,
            },
            version: self.version,
        })
    }
}

/// A colleague's change and the triage row's version that holds it: of two values of one field,
/// the one with the higher version is the newer.
#[derive(Debug, Clone)]
pub struct Versioned {
    /// The change.
    pub change: RemoteChange,
    /// The row's version.
    pub version: i64,
}

/// Which shared field a change is of: versions are compared per notice and field.
fn field_key(field: &RemoteField) -> std::mem::Discriminant<RemoteField> {
    std::mem::discriminant(field)
}

/// Per notice and shared field, the newest version the dashboard was given. A colleague's change
/// can ring after this member's own later write was answered (they come on two connections), and
/// must not put back the older value.
#[derive(Debug, Default)]
pub struct Newest(HashMap<(NoticeId, std::mem::Discriminant<RemoteField>), i64>);

impl Newest {
    /// Notes that the dashboard now shows `field` of `id` as of `version` (this member's write).
    pub fn shown(&mut self, id: &NoticeId, field: &RemoteField, version: i64) {
        let known = self.0.entry((id.clone(), field_key(field))).or_default();
        *known = (*known).max(version);
    }

    /// The change, unless the dashboard already shows a newer value of its field.
    pub fn fresh(&mut self, heard: Versioned) -> Option<RemoteChange> {
        let known = self
            .0
            .entry((heard.change.id.clone(), field_key(&heard.change.field)))
            .or_default();
        if heard.version < *known {
            return None;
        }
        *known = heard.version;
        Some(heard.change)
    }
}

/// Who is connected (their role) and every member's display name by role.
///
/// # Errors
/// [`PgError::Query`].
pub async fn members(client: &Client) -> Result<(String, HashMap<String, String>), PgError> {
    let me: String = client
        .query_one("SELECT current_user::text", &[])
        .await
        .map_err(failed("read who you are"))?
        .get(0);
    let rows = client
        .query("SELECT role::text, display FROM members", &[])
        .await
        .map_err(failed("read the members' names"))?;
    Ok((me, rows.iter().map(|row| (row.get(0), row.get(1))).collect()))
}

/// The value of the shared field a log row's `field` names, from the notice's fields.
fn shared_field(
    field: &str,
    status: &str,
    tags: Vec<String>,
    reason: Option<&str>,
    assignee: Option<&str>,
) -> Option<RemoteField> {
    Some(match field {
        "status" => RemoteField::Triage(Triage::parse(status).unwrap_or_default()),
        "tag_add" | "tag_remove" => RemoteField::Tags(clean_tags(tags)),
        "reject_reason" => RemoteField::RejectReason(reason.map(|r| sanitized(r).into_owned())),
        "assignee" => RemoteField::Assignee(assignee.map(|w| sanitized(w).into_owned())),
        _ => return None,
    })
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
pub async fn events(client: &Client, seqs: &[i64]) -> Result<Vec<Versioned>, PgError> {
    let rows = client
        .query(
            &format!("{EVENTS} WHERE e.seq = ANY($1) AND e.actor <> current_user ORDER BY e.seq"),
            &[&seqs],
        )
        .await
        .map_err(failed("read colleagues' changes"))?;
    Ok(remote_changes(&rows))
}

/// Colleagues' changes committed since `horizon` (see [`horizon`]). Read the next horizon
/// before this.
///
/// # Errors
/// [`PgError::Query`].
pub async fn since(client: &Client, horizon: &str) -> Result<Vec<Versioned>, PgError> {
    let rows = client
        .query(
            &format!("{EVENTS} WHERE e.xid >= $1::text::xid8 AND e.actor <> current_user ORDER BY e.seq"),
            &[&horizon],
        )
        .await
        .map_err(failed("catch up on colleagues' changes"))?;
    Ok(remote_changes(&rows))
}

/// Log rows joined with the notice's triage as it is now.
const EVENTS: &str = "SELECT e.notice_id, e.field, COALESCE(m.display, e.actor::text), e.at,
                             t.status, t.tags, t.reject_reason, COALESCE(ma.display, t.assignee::text), t.version
                      FROM triage_events e JOIN triage t ON t.notice_id = e.notice_id
                           LEFT JOIN members m ON m.role = e.actor
                           LEFT JOIN members ma ON ma.role = t.assignee";

/// One change per notice and field, the latest.
fn remote_changes(rows: &[Row]) -> Vec<Versioned> {
    let mut out: Vec<Versioned> = Vec::new();
    let mut at_index: HashMap<(String, std::mem::Discriminant<RemoteField>), usize> = HashMap::new();
    for row in rows {
        let id: String = row.get(0);
        let field: String = row.get(1);
        let Some(value) = shared_field(
            &field,
            row.get(4),
            row.get(5),
            row.get::<_, Option<&str>>(6),
            row.get::<_, Option<&str>>(7),
        ) else {
            continue;
        };
        let key = (id.clone(), field_key(&value));
        let by: String = row.get(2);
        let change = Versioned {
            change: RemoteChange {
                id: NoticeId(id),
                by: sanitized(&by).into_owned(),
                at: row.get(3),
                field: value,
            },
            version: row.get(8),
        };
        match at_index.get(&key) {
            Some(&i) => out[i] = change,
            None => {
                at_index.insert(key, out.len());
                out.push(change);
            }
        }
    }
    out
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
                     WHERE c.notice_id = n.id AND (s.seen_at IS NULL OR c.at > s.seen_at)),
                    n.description
             FROM notices n WHERE $1 IS NULL OR n.last_seen > $1",
            &[&mark],
        )
        .await
        .map_err(failed("read the notices the poller saved"))?;
    let mut next = mark;
    let mut saved = Vec::with_capacity(rows.len());
    for row in &rows {
        let (notice, relevance) = super::load::notice_columns(row, 6)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn heard(field: RemoteField, version: i64) -> Versioned {
        Versioned {
            change: RemoteChange {
                id: NoticeId("ted:1".to_owned()),
                by: "Kari".to_owned(),
                at: "2026-12-03T10:42:00Z".parse().expect("time"),
                field,
            },
            version,
        }
    }

    #[test]
    fn a_colleagues_change_that_rings_after_my_newer_write_is_dropped_per_field() {
        let id = NoticeId("ted:1".to_owned());
        let mut newest = Newest::default();
        newest.shown(&id, &RemoteField::Triage(Triage::Bidding), 7);
        // Kari's decision committed at version 6, before mine, but rang after my answer.
        assert_eq!(newest.fresh(heard(RemoteField::Triage(Triage::Rejected), 6)), None);
        // Her tag at version 5 is still news: my write did not touch the tags.
        assert!(newest.fresh(heard(RemoteField::Tags(vec!["a".into()]), 5)).is_some());
        // A later decision of hers shows, and then an older one does not.
        assert!(newest.fresh(heard(RemoteField::Triage(Triage::Won), 8)).is_some());
        assert_eq!(newest.fresh(heard(RemoteField::Triage(Triage::Lost), 7)), None);
        // The same version again (read after it rang) is harmless.
        assert!(newest.fresh(heard(RemoteField::Triage(Triage::Won), 8)).is_some());
    }

    #[test]
    fn a_doorbell_carries_a_change_a_comment_or_the_row_to_read() {
        let mut bells = Bells::default();
        bells.add(
            r#"{"seq":4,"notice":"ted:1","field":"tag_add","actor":"kari","at":"2026-12-03T10:42:00.5+00:00",
                "version":3,"status":"new","tags":["b","a",null],"reason":null,"assignee":"ola"}"#,
        );
        bells.add(r#"{"comment":9,"notice":"ted:1","author":"ola","at":"2026-12-03T10:43:00+00:00","body":"Hei"}"#);
        bells.add(r#"{"seq":5}"#);
        bells.add(r#"{"comment":10}"#);
        bells.add(r#"{"seq":6,"field":"status","future":"field"}"#);
        bells.add("n");
        bells.add("{not json");
        assert_eq!(bells.rung.len(), 1);
        let rung = bells.rung[0].change(str::to_uppercase).expect("a known field");
        assert_eq!(rung.version, 3);
        assert_eq!(rung.change.by, "KARI");
        assert_eq!(rung.change.field, RemoteField::Tags(vec!["a".into(), "b".into()]));
        assert_eq!(bells.said.len(), 1);
        assert_eq!(bells.said[0].body, "Hei");
        assert_eq!(
            bells.events,
            [5, 6],
            "what this build cannot read whole is read by its row"
        );
        assert_eq!(bells.comments, [10]);
        assert!(bells.notices);
    }
}

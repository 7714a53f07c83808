//! Comment threads as the dashboard shows them, and the store's copy of the threads it has passed
//! on. A colleague's comment rings with the comment itself (schema v3); the store adds it to its
//! copy by the comment's id and passes the whole thread on, so 20 colleagues need no read per
//! comment. Ids, not arrival order, place a comment: comments commit in any order, and one read
//! after this member's own comment may already hold a colleague's that rings later.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use tokio_postgres::{Client, Row};

use super::super::{PgError, failed};
use crate::model::NoticeId;
use crate::model::text::sanitized;

/// One thread: each comment as shown, by id.
pub type Entries = BTreeMap<i64, String>;

/// A comment as its doorbell carries it (schema v3's `anbud_notify_comment`), or as read.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Said {
    /// `comments.id`.
    pub comment: i64,
    /// The notice.
    pub notice: String,
    /// The database role that wrote it.
    pub author: String,
    /// When.
    pub at: Timestamp,
    /// What it says.
    pub body: String,
}

/// A comment as the thread shows it, under its author's display name, its time in `zone`.
pub fn entry(author: &str, at: Timestamp, body: &str, zone: &TimeZone) -> String {
    // Minutes are enough to tell comments apart; the zone's abbreviation says which clock.
    let when = at.to_zoned(zone.clone()).strftime("%Y-%m-%d %H:%M %Z");
    format!("— {}, {when}\n{}", sanitized(author), sanitized(body))
}

/// A thread as the note pane shows it: oldest first.
pub fn render(entries: &Entries) -> String {
    let parts: Vec<&str> = entries.values().map(String::as_str).collect();
    parts.join("\n\n")
}

/// The threads of `ids` (`None`: every notice), by notice, times in `zone`.
///
/// # Errors
/// [`PgError::Query`].
pub async fn read(client: &Client, ids: Option<&[&str]>, zone: &TimeZone) -> Result<HashMap<String, Entries>, PgError> {
    let rows = client
        .query(
            "SELECT c.notice_id, COALESCE(m.display, c.author::text), c.at, c.body, c.id
             FROM comments c LEFT JOIN members m ON m.role = c.author
             WHERE $1::text[] IS NULL OR c.notice_id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(failed("read the comments"))?;
    let mut threads: HashMap<String, Entries> = HashMap::new();
    for row in &rows {
        let author: String = row.get(1);
        let body: String = row.get(3);
        threads
            .entry(row.get(0))
            .or_default()
            .insert(row.get(4), entry(&author, row.get(2), &body, zone));
    }
    Ok(threads)
}

/// Colleagues' comments `ids` (those too long to ring whole).
///
/// # Errors
/// [`PgError::Query`].
pub async fn said(client: &Client, ids: &[i64]) -> Result<Vec<Said>, PgError> {
    let rows = client
        .query(
            &format!("{SAID} WHERE id = ANY($1) AND author <> current_user ORDER BY id"),
            &[&ids],
        )
        .await
        .map_err(failed("read colleagues' comments"))?;
    Ok(rows.iter().map(said_row).collect())
}

/// Colleagues' comments committed since `horizon` (see [`super::listen::horizon`]).
///
/// # Errors
/// [`PgError::Query`].
pub async fn said_since(client: &Client, horizon: &str) -> Result<Vec<Said>, PgError> {
    let rows = client
        .query(
            &format!("{SAID} WHERE xid >= $1::text::xid8 AND author <> current_user ORDER BY id"),
            &[&horizon],
        )
        .await
        .map_err(failed("catch up on colleagues' comments"))?;
    Ok(rows.iter().map(said_row).collect())
}

/// Comments as [`said_row`] reads them.
const SAID: &str = "SELECT id, notice_id, author::text, at, body FROM comments";

fn said_row(row: &Row) -> Said {
    Said {
        comment: row.get(0),
        notice: row.get(1),
        author: row.get(2),
        at: row.get(3),
        body: row.get(4),
    }
}

/// The threads the store has passed on, kept so a colleague's comment can be added without a
/// read. A notice is read once, the first time a comment on it is heard.
#[derive(Debug, Default)]
pub struct Threads {
    known: HashMap<NoticeId, Entries>,
}

impl Threads {
    /// Whether the thread of `id` is held.
    pub fn holds(&self, id: &NoticeId) -> bool {
        self.known.contains_key(id)
    }

    /// Takes the thread of `id` as read from the server (it holds every comment committed
    /// before the read; those that ring later are already in it).
    pub fn replace(&mut self, id: NoticeId, entries: Entries) {
        self.known.insert(id, entries);
    }

    /// Adds one comment to a held thread.
    pub fn add(&mut self, id: &NoticeId, comment: i64, entry: String) {
        if let Some(entries) = self.known.get_mut(id) {
            entries.insert(comment, entry);
        }
    }

    /// The thread of `id` as shown, if held.
    pub fn shown(&self, id: &NoticeId) -> Option<String> {
        self.known.get(id).map(render)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_that_rings_late_takes_its_place_by_id_and_a_repeat_changes_nothing() {
        let at: Timestamp = "2026-12-03T10:42:00Z".parse().expect("time");
        let id = NoticeId("doffin:1".to_owned());
        let mut threads = Threads::default();
        threads.add(&id, 1, entry("Kari", at, "ignored: not held", &TimeZone::UTC));
        assert!(!threads.holds(&id));
        threads.replace(
            id.clone(),
            Entries::from([(3, entry("Ola", at, "third", &TimeZone::UTC))]),
        );
        threads.add(&id, 5, entry("Kari", at, "fifth", &TimeZone::UTC));
        threads.add(&id, 4, entry("Per", at, "fourth", &TimeZone::UTC));
        threads.add(&id, 3, entry("Ola", at, "third", &TimeZone::UTC));
        assert_eq!(
            threads.shown(&id).expect("held"),
            "— Ola, 2026-12-03 10:42 UTC\nthird\n\n— Per, 2026-12-03 10:42 UTC\nfourth\n\n\
             — Kari, 2026-12-03 10:42 UTC\nfifth"
        );
    }

    #[test]
    fn a_comment_time_is_shown_in_the_configured_zone() {
        let at: Timestamp = "2026-12-03T10:42:00Z".parse().expect("time");
        let oslo = TimeZone::get("Europe/Oslo").expect("bundled zone");
        assert_eq!(entry("Kari", at, "Hei", &oslo), "— Kari, 2026-12-03 11:42 CET\nHei");
        assert_eq!(
            entry("Kari", at, "Hei", &TimeZone::UTC),
            "— Kari, 2026-12-03 10:42 UTC\nHei"
        );
    }

    #[test]
    fn escape_sequences_in_a_name_or_body_are_not_shown() {
        let at: Timestamp = "2026-12-03T10:42:00Z".parse().expect("time");
        let shown = entry("K\x1b[31mari", at, "bad\x1b]0;title\x07 body", &TimeZone::UTC);
        assert!(!shown.contains('\x1b') && !shown.contains('\x07'), "{shown:?}");
    }
}

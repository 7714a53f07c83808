//! Source health: what each feed did this session, and whether it looks stale.
//!
//! The core keeps one [`FeedLog`] per feed, written from that feed's `FeedEvent`s; [`assess`]
//! turns the logs, the stored records and the time into the entries the sources panel (`F`) shows.
//! Pure: no clock, no I/O, so every verdict can be tested from events alone.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;

use super::feed_status::SourceStatus;
use crate::model::NoticeRecord;

/// How long a feed may go without new notices (while others bring some), or without a successful
/// poll, before the panel says it looks stale, until [`AppState::with_source_settings`](super::AppState::with_source_settings) passes the
/// config's `stale_after` (set in `config/default.toml`, which the config reads, not this).
pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(3 * 86_400);

const DAY_SECS: i64 = 86_400;

/// A poll that worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollSuccess {
    /// When it finished.
    pub at: Timestamp,
    /// Notices new to the store.
    pub new: usize,
    /// Notices it fetched.
    pub fetched: usize,
}

/// A poll that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollFailure {
    /// When it failed.
    pub at: Timestamp,
    /// What happened and how to fix it (`FeedError::user_message`).
    pub message: String,
    /// When the feed tries again.
    pub retry_at: Timestamp,
}

/// What this session has seen of one feed, accumulated from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLog {
    /// Feed name from the config.
    pub name: String,
    /// The `source` its notices carry (`ted`, `doffin`, `fts`, …), from the config or learnt from
    /// the first notices it delivered; `None` until known.
    pub source: Option<String>,
    /// A poll is running, since then.
    pub polling_since: Option<Timestamp>,
    /// The last poll that worked.
    pub last_success: Option<PollSuccess>,
    /// When the feed last succeeded in an earlier session (saved with its sync state), so "no
    /// successful poll for days" survives a restart.
    pub saved_success: Option<Timestamp>,
    /// The last poll that failed (kept after the feed recovers, marked as past).
    pub last_failure: Option<PollFailure>,
    /// First failure of the current run of failures; `None` once a poll works.
    pub failing_since: Option<Timestamp>,
    /// Why the feed cannot run at all (a missing API key), with the fix.
    pub inactive: Option<String>,
    /// When the next poll (or retry) is due.
    pub next_at: Option<Timestamp>,
    /// Notices fetched this session.
    pub fetched: usize,
    /// Notices new to the store this session.
    pub new: usize,
    /// When a poll last brought a new notice.
    pub last_new_at: Option<Timestamp>,
    /// Warnings from the last successful poll (a filter the server seems to have ignored, …).
    pub warnings: Vec<String>,
}

impl FeedLog {
    /// An empty log for `name`, whose notices carry `source` when that is known.
    pub fn new(name: &str, source: Option<String>) -> Self {
        Self {
            name: name.to_owned(),
            source,
            polling_since: None,
            last_success: None,
            saved_success: None,
            last_failure: None,
            failing_since: None,
            inactive: None,
            next_at: None,
            fetched: 0,
            new: 0,
            last_new_at: None,
            warnings: Vec::new(),
        }
    }

    /// A poll began.
    pub fn started(&mut self, at: Timestamp) {
        self.polling_since = Some(at);
    }

    /// A poll finished with `fetched` notices, `new` of them new to the store; `source` is the
    /// source label its notices carry, if it brought any.
    pub fn succeeded(&mut self, success: PollSuccess, next_at: Timestamp, warnings: Vec<String>, source: Option<&str>) {
        self.polling_since = None;
        self.failing_since = None;
        self.inactive = None;
        self.next_at = Some(next_at);
        self.fetched += success.fetched;
        self.new += success.new;
        if success.new > 0 {
            self.last_new_at = Some(success.at);
        }
        if self.source.is_none() {
            self.source = source.map(str::to_owned);
        }
        self.last_success = Some(success);
        self.warnings = warnings;
    }

    /// What the feed is doing now, for the status line.
    pub fn status(&self) -> SourceStatus {
        if let Some(message) = &self.inactive {
            return SourceStatus::Inactive {
                message: message.clone(),
            };
        }
        if let Some(since) = self.polling_since {
            return SourceStatus::Fetching { since };
        }
        match (&self.last_failure, self.last_success) {
            (Some(failure), _) if self.failing_since.is_some() => SourceStatus::Failed {
                at: failure.at,
                message: failure.message.clone(),
                retry_at: failure.retry_at,
            },
            (_, Some(success)) => SourceStatus::Ok {
                at: success.at,
                new: success.new,
                total: success.fetched,
                next_at: self.next_at.unwrap_or(success.at),
            },
            _ => SourceStatus::Idle,
        }
    }

    /// The store saved the last successful poll, `new` of its notices new to the list.
    pub fn saved(&mut self, new: usize) {
        self.new += new;
        if let Some(success) = self.last_success.as_mut() {
            success.new = new;
            if new > 0 {
                self.last_new_at = Some(success.at);
            }
        }
    }

    /// A poll failed.
    pub fn failed(&mut self, failure: PollFailure) {
        self.polling_since = None;
        self.failing_since.get_or_insert(failure.at);
        self.next_at = Some(failure.retry_at);
        self.last_failure = Some(failure);
    }

    /// The feed cannot run until the user fixes something.
    pub fn inactive(&mut self, message: String) {
        self.polling_since = None;
        self.next_at = None;
        self.inactive = Some(message);
    }
}

/// What a feed is doing, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthState {
    /// Not polled yet this session.
    Waiting,
    /// A poll is running.
    Polling,
    /// The last poll worked.
    Ok,
    /// The last poll failed; it retries by itself.
    Failing,
    /// Cannot run until the user fixes something (e.g. sets an API key).
    Inactive,
}

impl HealthState {
    /// The word the panel shows.
    pub fn label(self) -> &'static str {
        match self {
            HealthState::Waiting => "waiting",
            HealthState::Polling => "polling now",
            HealthState::Ok => "ok",
            HealthState::Failing => "failing",
            HealthState::Inactive => "inactive",
        }
    }
}

/// One feed's health, as the sources panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceHealth {
    /// Feed name.
    pub name: String,
    /// What it is doing.
    pub state: HealthState,
    /// The last poll that worked this session.
    pub last_success: Option<PollSuccess>,
    /// When it last worked in an earlier session, if not this one.
    pub saved_success: Option<Timestamp>,
    /// The last poll that failed this session.
    pub last_failure: Option<PollFailure>,
    /// First failure of the current run of failures.
    pub failing_since: Option<Timestamp>,
    /// Why it cannot run, with the fix.
    pub inactive: Option<String>,
    /// The next poll, or the next retry when failing.
    pub next_at: Option<Timestamp>,
    /// Notices fetched this session.
    pub fetched: usize,
    /// Notices new to the store this session.
    pub new: usize,
    /// Notices stored from this feed's source.
    pub stored: usize,
    /// The newest publication date among them.
    pub newest_published: Option<Timestamp>,
    /// Why the feed looks stale, in words, or `None` when it does not.
    pub stale: Option<String>,
    /// Warnings from its last successful poll.
    pub warnings: Vec<String>,
}

impl SourceHealth {
    /// Whether the user should open the panel: failing, stale, or warned about.
    pub fn needs_attention(&self) -> bool {
        self.state == HealthState::Failing || self.stale.is_some() || !self.warnings.is_empty()
    }
}

/// What the stored records say about one source, at one moment.
#[derive(Debug, Default, Clone, Copy)]
struct SourceRecords {
    stored: usize,
    newest: Option<Timestamp>,
    /// Published within the stale window.
    recent: usize,
}

/// The publication dates of the stored records, per source, sorted: counted once when the records
/// are loaded and kept up to date as fetches merge, so neither a frame nor a fetch walks every record
/// (stores reach a million).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RecordStats {
    by_source: HashMap<String, (usize, Vec<Timestamp>)>,
}

impl RecordStats {
    /// Counts `records` per source.
    pub fn from_records(records: &[NoticeRecord]) -> Self {
        let mut by_source: HashMap<String, (usize, Vec<Timestamp>)> = HashMap::new();
        for record in records {
            let entry = by_source.entry(record.notice.source.clone()).or_default();
            entry.0 += 1;
            entry.1.extend(record.notice.published);
        }
        for (_, dates) in by_source.values_mut() {
            dates.sort_unstable();
        }
        Self { by_source }
    }

    /// Counts records that arrived after the stats were made, as `(source, published)`: the new
    /// dates are sorted and merged into each source's list, not recounted from every record.
    pub(crate) fn add(&mut self, arrived: impl IntoIterator<Item = (String, Option<Timestamp>)>) {
        let mut touched = Vec::new();
        for (source, published) in arrived {
            let entry = self.by_source.entry(source.clone()).or_default();
            if !touched.iter().any(|(s, _)| *s == source) {
                touched.push((source, entry.1.len()));
            }
            entry.0 += 1;
            entry.1.extend(published);
        }
        for (source, start) in touched {
            if let Some((_, dates)) = self.by_source.get_mut(&source) {
                dates[start..].sort_unstable();
                // Two sorted runs: the stable sort merges them in one pass.
                dates.sort();
            }
        }
    }

    /// A stored record of `source` whose publication date a re-fetch changed.
    pub(crate) fn moved(&mut self, source: &str, from: Option<Timestamp>, to: Option<Timestamp>) {
        let Some((_, dates)) = self.by_source.get_mut(source) else {
            return;
        };
        if from == to {
            return;
        }
        if let Some(at) = from.and_then(|from| dates.binary_search(&from).ok()) {
            dates.remove(at);
        }
        if let Some(to) = to {
            let at = dates.partition_point(|d| *d <= to);
            dates.insert(at, to);
        }
    }

    fn at(&self, source: &str, now: Timestamp, cutoff: i64) -> SourceRecords {
        let Some((stored, dates)) = self.by_source.get(source) else {
            return SourceRecords::default();
        };
        SourceRecords {
            stored: *stored,
            // A date in the future (a clock off, a typo at the buyer) counts as now, not later.
            newest: dates.last().map(|p| (*p).min(now)),
            recent: dates.len() - dates.partition_point(|p| p.as_second() <= cutoff),
        }
    }
}

/// Every feed's health at `now`, in the order of `logs`.
///
/// A feed looks stale when it has brought no new notices for `stale_after` while another feed
/// did, or when it has been failing for `stale_after`. "New" is judged by the notices' publication
/// dates in the store and by the session's polls that added notices.
pub fn assess(logs: &[FeedLog], records: &[NoticeRecord], now: Timestamp, stale_after: Duration) -> Vec<SourceHealth> {
    assess_with(logs, &RecordStats::from_records(records), now, stale_after)
}

/// [`assess`] from record counts kept in advance.
pub fn assess_with(logs: &[FeedLog], stats: &RecordStats, now: Timestamp, stale_after: Duration) -> Vec<SourceHealth> {
    let window = i64::try_from(stale_after.as_secs()).unwrap_or(i64::MAX).max(1);
    let cutoff = now.as_second().saturating_sub(window);
    let seen = |log: &FeedLog| -> SourceRecords {
        log.source
            .as_deref()
            .map(|s| stats.at(s, now, cutoff))
            .unwrap_or_default()
    };
    // The last sign of life: a poll that added notices, or the newest publication date stored.
    let activity = |log: &FeedLog| log.last_new_at.max(seen(log).newest);
    logs.iter()
        .map(|log| {
            let records = seen(log);
            let state = if log.inactive.is_some() {
                HealthState::Inactive
            } else if log.polling_since.is_some() {
                HealthState::Polling
            } else if log.failing_since.is_some() {
                HealthState::Failing
            } else if log.last_success.is_some() {
                HealthState::Ok
            } else {
                HealthState::Waiting
            };
            let stale = if log.inactive.is_some() {
                None
            } else {
                not_succeeding(log, cutoff, now).or_else(|| {
                    let judged = log.last_success.is_some() || records.stored > 0;
                    let quiet_since = activity(log);
                    let quiet = quiet_since.is_none_or(|t| t.as_second() <= cutoff);
                    if !(judged && quiet) {
                        return None;
                    }
                    // The busiest other feed, to show that notices do exist in the window.
                    let busiest = logs
                        .iter()
                        .filter(|other| other.name != log.name && other.inactive.is_none())
                        .filter(|other| activity(other).is_some_and(|t| t.as_second() > cutoff))
                        .map(|other| (other, seen(other).recent.max(recent_session_new(other, cutoff))))
                        .max_by_key(|(_, n)| *n)?;
                    Some(quiet_text(quiet_since, now, busiest, stale_after))
                })
            };
            SourceHealth {
                name: log.name.clone(),
                state,
                last_success: log.last_success,
                saved_success: log.saved_success.filter(|_| log.last_success.is_none()),
                last_failure: log.last_failure.clone(),
                failing_since: log.failing_since,
                inactive: log.inactive.clone(),
                next_at: log.next_at,
                fetched: log.fetched,
                new: log.new,
                stored: records.stored,
                newest_published: records.newest,
                stale,
                warnings: log.warnings.clone(),
            }
        })
        .collect()
}

/// Notices the feed added this session within the window (all of the session's, when its last
/// new one came inside the window): counts sources whose notices carry old publication dates.
fn recent_session_new(log: &FeedLog, cutoff: i64) -> usize {
    if log.last_new_at.is_some_and(|t| t.as_second() > cutoff) {
        log.new
    } else {
        0
    }
}

/// "No successful poll for N days", when the feed has been failing for the whole window.
fn not_succeeding(log: &FeedLog, cutoff: i64, now: Timestamp) -> Option<String> {
    let failing_since = log.failing_since?;
    let last_worked = log.last_success.map(|s| s.at).or(log.saved_success);
    let since = last_worked.unwrap_or(failing_since);
    if since.as_second() > cutoff {
        return None;
    }
    let days = days_between(since, now);
    Some(match last_worked {
        Some(_) => format!("no successful poll for {days} — it keeps failing; the last error says how to fix it"),
        None => format!("no successful poll for {days} (failing since then) — the last error says how to fix it"),
    })
}

fn quiet_text(quiet_since: Option<Timestamp>, now: Timestamp, busiest: (&FeedLog, usize), window: Duration) -> String {
    let (other, count) = busiest;
    let had = format!("{} had {count} in the last {}", other.name, span(window));
    match quiet_since {
        Some(at) => format!(
            "no new notices for {} while {had} — check the query or the API",
            days_between(at, now)
        ),
        None => format!("no notices at all yet while {had} — check the query or the API"),
    }
}

/// Whole days from `from` to `to`, in words ("5 days", "1 day"); under a day reads as hours.
fn days_between(from: Timestamp, to: Timestamp) -> String {
    let secs = to.as_second().saturating_sub(from.as_second()).max(0);
    span(Duration::from_secs(secs.unsigned_abs()))
}

/// A duration in days, or in hours when under two days: "3 days", "36 hours".
pub fn span(duration: Duration) -> String {
    let secs = duration.as_secs();
    let day = DAY_SECS.unsigned_abs();
    if secs >= 2 * day {
        format!("{} days", secs / day)
    } else if secs >= 3600 {
        let hours = secs / 3600;
        format!("{hours} hour{}", if hours == 1 { "" } else { "s" })
    } else {
        let minutes = secs / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    }
}

/// What the runtime knows about a feed before it polls: from the config and the saved sync state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSetting {
    /// Feed name from the config.
    pub feed: String,
    /// The `source` its notices carry (the adapter's kind: `ted`, `doffin`, `fts`, …).
    pub source: String,
    /// When its last saved poll succeeded, in an earlier session.
    pub last_success: Option<Timestamp>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::model::{Notice, Relevance};

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn now() -> Timestamp {
        at("2026-11-22T12:00:00Z")
    }

    fn record(source: &str, native: &str, published: &str) -> NoticeRecord {
        let mut notice = Notice::blank(source, native, "A notice");
        notice.published = Some(at(published));
        NoticeRecord::new(notice, Relevance::default())
    }

    fn log(name: &str, source: &str) -> FeedLog {
        FeedLog::new(name, Some(source.to_owned()))
    }

    fn ok(log: &mut FeedLog, when: &str, new: usize, fetched: usize) {
        let when = at(when);
        log.succeeded(
            PollSuccess { at: when, new, fetched },
            when.checked_add(jiff::SignedDuration::from_mins(15)).unwrap(),
            Vec::new(),
            None,
        );
    }

    #[test]
    fn a_feed_quiet_for_longer_than_the_window_while_another_brings_notices_looks_stale() {
        let mut ted = log("TED", "ted");
        let mut doffin = log("Doffin", "doffin");
        ok(&mut ted, "2026-11-22T11:50:00Z", 2, 40);
        ok(&mut doffin, "2026-11-22T11:50:00Z", 0, 10);
        let records = vec![
            record("ted", "1", "2026-11-21T08:00:00Z"),
            record("ted", "2", "2026-11-22T08:00:00Z"),
            record("doffin", "1", "2026-11-17T08:00:00Z"),
        ];
        let health = assess(&[ted, doffin], &records, now(), DEFAULT_STALE_AFTER);
        assert_eq!(health[0].stale, None);
        let stale = health[1].stale.as_deref().unwrap();
        assert!(
            stale.starts_with("no new notices for 5 days while TED had 2 in the last 3 days"),
            "{stale}"
        );
        assert!(stale.ends_with("check the query or the API"), "{stale}");
        assert_eq!((health[1].stored, health[1].state), (1, HealthState::Ok));
        assert!(health[1].needs_attention() && !health[0].needs_attention());
    }

    #[test]
    fn everyone_quiet_is_not_stale_because_there_is_nothing_to_compare_with() {
        let mut ted = log("TED", "ted");
        let mut doffin = log("Doffin", "doffin");
        ok(&mut ted, "2026-11-22T11:50:00Z", 0, 3);
        ok(&mut doffin, "2026-11-22T11:50:00Z", 0, 1);
        let records = vec![
            record("ted", "1", "2026-11-10T08:00:00Z"),
            record("doffin", "1", "2026-11-12T08:00:00Z"),
        ];
        let health = assess(&[ted, doffin], &records, now(), DEFAULT_STALE_AFTER);
        assert!(health.iter().all(|h| h.stale.is_none()), "{health:?}");
    }

    #[test]
    fn a_session_poll_that_added_notices_counts_as_life_even_with_old_publication_dates() {
        let mut fts = log("Find a Tender", "fts");
        let mut ted = log("TED", "ted");
        ok(&mut fts, "2026-11-22T11:00:00Z", 4, 4);
        ok(&mut ted, "2026-11-22T11:00:00Z", 0, 0);
        let records = vec![
            record("fts", "1", "2026-10-01T08:00:00Z"),
            record("ted", "1", "2026-10-01T08:00:00Z"),
        ];
        let health = assess(&[fts, ted], &records, now(), DEFAULT_STALE_AFTER);
        assert_eq!(health[0].stale, None);
        let stale = health[1].stale.as_deref().unwrap();
        assert!(stale.contains("while Find a Tender had 4"), "{stale}");
    }

    #[test]
    fn failing_for_the_whole_window_is_stale_and_a_shorter_failure_is_not() {
        let mut doffin = log("Doffin", "doffin");
        ok(&mut doffin, "2026-11-18T10:00:00Z", 1, 1);
        doffin.failed(PollFailure {
            at: at("2026-11-18T10:15:00Z"),
            message: "HTTP 500".to_owned(),
            retry_at: at("2026-11-22T12:05:00Z"),
        });
        let health = assess(std::slice::from_ref(&doffin), &[], now(), DEFAULT_STALE_AFTER);
        assert_eq!(health[0].state, HealthState::Failing);
        assert_eq!(health[0].failing_since, Some(at("2026-11-18T10:15:00Z")));
        let stale = health[0].stale.as_deref().unwrap();
        assert!(stale.starts_with("no successful poll for 4 days"), "{stale}");
        let week = Duration::from_secs(7 * 86_400);
        assert_eq!(assess(&[doffin], &[], now(), week)[0].stale, None);
    }

    #[test]
    fn a_success_saved_by_an_earlier_session_dates_a_failure_that_began_today() {
        let mut doffin = log("Doffin", "doffin");
        doffin.saved_success = Some(at("2026-11-17T09:00:00Z"));
        doffin.failed(PollFailure {
            at: at("2026-11-22T11:55:00Z"),
            message: "HTTP 401".to_owned(),
            retry_at: at("2026-11-22T12:10:00Z"),
        });
        let health = &assess(&[doffin], &[], now(), DEFAULT_STALE_AFTER)[0];
        assert_eq!(health.saved_success, Some(at("2026-11-17T09:00:00Z")));
        let stale = health.stale.as_deref().unwrap();
        assert!(
            stale.starts_with("no successful poll for 5 days — it keeps failing"),
            "{stale}"
        );
    }

    #[test]
    fn inactive_and_never_polled_feeds_are_not_judged() {
        let mut doffin = log("Doffin", "doffin");
        doffin.inactive("no API key — set DOFFIN_API_KEY".to_owned());
        let rss = log("RSS", "rss");
        let mut ted = log("TED", "ted");
        ok(&mut ted, "2026-11-22T11:00:00Z", 3, 3);
        let records = vec![record("ted", "1", "2026-11-22T08:00:00Z")];
        let health = assess(&[doffin, rss, ted], &records, now(), DEFAULT_STALE_AFTER);
        assert_eq!(health[0].state, HealthState::Inactive);
        assert_eq!(health[1].state, HealthState::Waiting);
        assert!(health[0].stale.is_none() && health[1].stale.is_none());
    }

    #[test]
    fn a_success_after_failures_clears_failing_but_keeps_the_last_error() {
        let mut ted = log("TED", "ted");
        ted.started(at("2026-11-22T10:00:00Z"));
        assert_eq!(
            assess(std::slice::from_ref(&ted), &[], now(), DEFAULT_STALE_AFTER)[0].state,
            HealthState::Polling
        );
        ted.failed(PollFailure {
            at: at("2026-11-22T10:00:05Z"),
            message: "timed out".to_owned(),
            retry_at: at("2026-11-22T10:01:00Z"),
        });
        ok(&mut ted, "2026-11-22T10:01:10Z", 2, 5);
        let health = &assess(&[ted], &[], now(), DEFAULT_STALE_AFTER)[0];
        assert_eq!(health.state, HealthState::Ok);
        assert_eq!(health.failing_since, None);
        assert_eq!(
            health.last_failure.as_ref().map(|f| f.message.as_str()),
            Some("timed out")
        );
        assert_eq!((health.fetched, health.new), (5, 2));
    }

    #[test]
    fn record_counts_take_future_dates_as_now_and_the_window_edge_as_old() {
        let records = vec![
            record("ted", "1", "2026-11-19T12:00:00Z"),
            record("ted", "2", "2026-11-19T12:00:01Z"),
            record("ted", "3", "2027-01-01T00:00:00Z"),
            record("doffin", "1", "2026-11-01T00:00:00Z"),
        ];
        let stats = RecordStats::from_records(&records);
        let cutoff = now().as_second() - 3 * DAY_SECS;
        let ted = stats.at("ted", now(), cutoff);
        assert_eq!((ted.stored, ted.recent, ted.newest), (3, 2, Some(now())));
        assert_eq!(stats.at("rss", now(), cutoff).stored, 0);
    }

    #[test]
    fn counts_kept_up_to_date_equal_a_recount() {
        let mut records = vec![
            record("ted", "1", "2026-11-19T12:00:00Z"),
            record("ted", "2", "2026-11-10T00:00:00Z"),
        ];
        let mut stats = RecordStats::from_records(&records);
        // Arrivals out of order, a source not seen before, a notice without a date.
        let arrived = [
            record("ted", "3", "2026-11-21T00:00:00Z"),
            record("ted", "4", "2026-11-01T00:00:00Z"),
            record("doffin", "1", "2026-11-20T00:00:00Z"),
        ];
        let mut undated = record("doffin", "2", "2026-11-20T00:00:00Z");
        undated.notice.published = None;
        stats.add(
            arrived
                .iter()
                .chain([&undated])
                .map(|r| (r.notice.source.clone(), r.notice.published)),
        );
        records.extend(arrived);
        records.push(undated);
        // A re-fetch moves one publication date.
        let moved = at("2026-11-22T06:00:00Z");
        stats.moved("ted", records[1].notice.published, Some(moved));
        records[1].notice.published = Some(moved);
        assert_eq!(stats, RecordStats::from_records(&records));
    }

    #[test]
    fn spans_read_as_days_hours_or_minutes() {
        assert_eq!(span(Duration::from_secs(3 * 86_400)), "3 days");
        assert_eq!(span(Duration::from_secs(36 * 3600)), "36 hours");
        assert_eq!(span(Duration::from_secs(3600)), "1 hour");
        assert_eq!(span(Duration::from_secs(120)), "2 minutes");
    }
}

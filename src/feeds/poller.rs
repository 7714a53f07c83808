//! The polling task: fetches every feed on its own schedule, scores the notices and reports
//! [`FeedEvent`]s; the only owner of fetch bookkeeping (due times, failure counts, the sync state
//! the store holds, validators included). The store's answer to each reported poll comes back as a
//! [`SaveReport`] on a channel that never drops a message.
//!
//! Part of the imperative shell: it reads the clock and does I/O through [`HttpFetcher`]. Scoring is
//! injected as a [`Scorer`] so this module does not depend on `matching`, and it never touches
//! `app`, `ui` or `store`.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

mod awards;
mod fetch;
mod plan;

use super::http::HttpFetcher;
pub use super::schedule::{MIN_INTERVAL, PollerOptions, backoff, jittered};
use super::{FeedAdapter, FeedError, FeedEvent};
use crate::model::{FeedState, Notice, Relevance};
pub use awards::{MAX_VALUE_NOTICES, fetch_award_values, poll_awards};
pub use fetch::{
    FeedFetch, PageSink, PagesRead, ScoredFetch, fetch_and_score, fetch_feed, fetch_feed_pending, fetch_poll,
    fetch_poll_into,
};
pub use plan::{PollPlan, Progress, plan_poll, resume_since, state_after};

/// Scores a notice against the user's profile; injected so `feeds` does not depend on `matching`.
pub type Scorer = Arc<dyn Fn(&Notice) -> Relevance + Send + Sync>;

/// One configured feed: which adapter, how often, how far back.
#[derive(Clone)]
pub struct FeedSpec {
    /// Name from the config, shown to the user and carried by every [`FeedEvent`].
    pub name: String,
    /// The adapter that builds requests and parses answers.
    pub adapter: Arc<dyn FeedAdapter>,
    /// Time between successful polls.
    pub interval: Duration,
    /// How far back the first poll after start-up reaches.
    pub lookback: Duration,
    /// Most pages read in one poll, so a runaway cursor cannot loop forever; a poll that stops here
    /// with more to read is continued by the next one (see [`FeedState::resume`]).
    pub max_pages: usize,
    /// What the last saved poll left (high-water mark, validators), loaded from the store at start;
    /// the default for a feed never polled before.
    pub state: FeedState,
}

impl std::fmt::Debug for FeedSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedSpec")
            .field("name", &self.name)
            .field("kind", &self.adapter.kind())
            .field("interval", &self.interval)
            .field("lookback", &self.lookback)
            .field("max_pages", &self.max_pages)
            .field("state", &self.state)
            .finish()
    }
}

/// What the app can ask the poller to do. Sent on a bounded channel with `try_send`: a full queue
/// already holds a refresh, which is as good as another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollCommand {
    /// Poll every feed now; a feed already being polled polls again right after (coalesced).
    RefreshAll,
    /// Read the full notices of these award notices, whose search hits lack the value (Doffin's
    /// eForms XML), through the feed of their source, within its rate limit; the rows come back
    /// as [`FeedEvent::AwardsFetched`]. Sent with `send`, not `try_send`: it must not be dropped.
    FetchAwardValues(Vec<crate::model::NoticeId>),
}

/// The store's answer to a reported poll ([`FeedEvent::Fetched`]), forwarded by the runtime on an
/// unbounded channel: losing one would leave the feed waiting, or resuming after notices that never
/// reached the disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveReport {
    /// The poll of `feed` is committed; `state` (its validators, mark and resume point) is what the
    /// store now holds, and where the next poll starts.
    Saved {
        /// Feed name.
        feed: String,
        /// The state saved with the notices.
        state: FeedState,
    },
    /// The poll of `feed` could not be saved, nothing of it was written: the next poll starts from
    /// the state saved before it, with its validators, so it reads those notices again.
    NotSaved {
        /// Feed name.
        feed: String,
    },
}

/// The poller's channels: commands from the app, the store's answers, events out.
#[derive(Debug)]
pub struct PollerLinks {
    /// Refresh requests.
    pub commands: mpsc::Receiver<PollCommand>,
    /// The store's answer to every poll reported on `events`; `None` when nothing is saved (tests,
    /// tools): each poll then counts as saved as soon as it is reported.
    pub saves: Option<mpsc::UnboundedReceiver<SaveReport>>,
    /// Where the poller reports.
    pub events: mpsc::Sender<FeedEvent>,
}

/// Feeds polled at the same time, so one slow feed does not hold up the others but a long
/// feed list does not open a connection storm.
const MAX_CONCURRENT_POLLS: usize = 4;

/// Later polls re-read one day before the last success (the high-water mark): notices can appear
/// with an earlier publication date than the moment they became visible in the search index.
pub const OVERLAP: Duration = Duration::from_secs(24 * 60 * 60);

/// The wait before continuing a window cut short at `max_pages`: soon, so a first sync completes in
/// minutes rather than poll intervals, with a pause that keeps the store and the API breathing.
pub const CONTINUE_AFTER: Duration = Duration::from_secs(1);

/// The longest the poller ever waits, whatever the config or a server's `Retry-After` says; it
/// also keeps `Instant` arithmetic far from overflow (a bogus `Retry-After: 99999999999`).
const MAX_WAIT: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Bookkeeping for one feed; only the poller loop writes it.
struct FeedSlot {
    spec: Arc<FeedSpec>,
    /// Not ready (see [`FeedAdapter::readiness`]): reported once, never polled.
    inactive: bool,
    due: Option<Instant>,
    in_flight: bool,
    /// A poll was reported and the store has not answered yet: the next poll waits for the answer,
    /// since it must start from what the store holds (a poll planned on an unsaved one would, once
    /// saved, resume after notices that never reached the disk).
    unsaved: bool,
    refresh_queued: bool,
    failures: u32,
    /// What the store holds for this feed (loaded at start, then each [`SaveReport::Saved`]): where
    /// the next poll starts and the validators it sends.
    saved: FeedState,
    /// The server asked us not to call before this (Retry-After); a manual refresh respects it.
    not_before: Option<Instant>,
}

impl FeedSlot {
    /// Whether a poll may start now (or when due).
    fn is_idle(&self) -> bool {
        !self.in_flight && !self.unsaved
    }
}

/// What a poll task hands back to the loop.
struct PollOutcome {
    index: usize,
    started: Timestamp,
    plan: PollPlan,
    result: Result<ScoredFetch, FeedError>,
}

/// Runs until `cancel` fires or `commands` closes: polls every feed at once, then each on its own
/// schedule, and reports [`FeedEvent`]s on `events`. Stops early if nobody listens to `events`.
/// Nothing reports saves, so each poll counts as saved once reported (see [`run_poller_with`]).
///
/// A feed whose adapter is not ready (e.g. a missing API key) is reported once as
/// [`FeedEvent::Inactive`] and never polled, not even on [`PollCommand::RefreshAll`].
pub async fn run_poller(
    feeds: Vec<FeedSpec>,
    fetcher: HttpFetcher,
    scorer: Scorer,
    commands: mpsc::Receiver<PollCommand>,
    events: mpsc::Sender<FeedEvent>,
    cancel: CancellationToken,
) {
    let links = PollerLinks {
        commands,
        saves: None,
        events,
    };
    run_poller_with(PollerOptions::default(), feeds, fetcher, scorer, links, cancel).await;
}

/// [`run_poller`] with explicit [`PollerOptions`] (tests use short intervals or no jitter) and the
/// store's answers on `links.saves`.
///
/// Each spec's saved [`FeedState`] primes the poll: its high-water mark or resume point is where
/// the first poll starts (see [`plan_poll`]) and its validators are sent. A poll's own state
/// travels in [`FeedEvent::Fetched`] to the store, and becomes the poller's only when the store
/// answers [`SaveReport::Saved`]; until the store answers, that feed is not polled again.
pub async fn run_poller_with(
    options: PollerOptions,
    feeds: Vec<FeedSpec>,
    fetcher: HttpFetcher,
    scorer: Scorer,
    links: PollerLinks,
    cancel: CancellationToken,
) {
    let PollerLinks {
        mut commands,
        mut saves,
        events,
    } = links;
    let start = Instant::now();
    // Differs per run so two instances started together drift apart; the jitter itself is pure.
    let mut seed = Timestamp::now().as_nanosecond() as u64;
    let mut inactive = Vec::new();
    let mut feeds: Vec<FeedSlot> = feeds
        .into_iter()
        .map(|spec| {
            let ready = spec.adapter.readiness();
            if let Err(message) = &ready {
                inactive.push(FeedEvent::Inactive {
                    feed: spec.name.clone(),
                    message: message.clone(),
                });
            }
            FeedSlot {
                saved: spec.state.clone(),
                unsaved: false,
                due: ready.is_ok().then_some(start),
                inactive: ready.is_err(),
                spec: Arc::new(spec),
                in_flight: false,
                refresh_queued: false,
                failures: 0,
                not_before: None,
            }
        })
        .collect();
    for event in inactive {
        tokio::select! {
            biased;
            () = cancel.cancelled() => return,
            sent = events.send(event) => if sent.is_err() { return },
        }
    }
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT_POLLS));
    let mut tasks: JoinSet<PollOutcome> = JoinSet::new();
    // One reader of award values at a time, so their requests stay spaced (Doffin's rate limit).
    let value_permit = Arc::new(Semaphore::new(1));
    let mut value_tasks: JoinSet<()> = JoinSet::new();
    loop {
        let now = Instant::now();
        for (index, feed) in feeds.iter_mut().enumerate() {
            if feed.is_idle() && feed.due.is_some_and(|due| due <= now) {
                feed.in_flight = true;
                feed.due = None;
                let plan = plan_poll(&*feed.spec.adapter, &feed.saved, feed.spec.lookback, Timestamp::now());
                let job = PollJob {
                    index,
                    spec: Arc::clone(&feed.spec),
                    fetcher: fetcher.clone(),
                    scorer: Arc::clone(&scorer),
                    events: events.clone(),
                    permits: Arc::clone(&permits),
                };
                tasks.spawn(job.run(plan));
            }
        }
        // A feed waiting for the store is not due yet, whatever its time says.
        let next_due = feeds.iter().filter(|f| f.is_idle()).filter_map(|f| f.due).min();
        tokio::select! {
            biased;
            () = cancel.cancelled() => break,
            report = next_report(&mut saves) => match report {
                Some(report) => on_report(&mut feeds, report),
                // The runtime is gone: nobody will save what the poller reads.
                None => break,
            },
            command = commands.recv() => match command {
                Some(PollCommand::RefreshAll) => refresh_all(&mut feeds),
                Some(PollCommand::FetchAwardValues(ids)) => {
                    let job = awards::ValueJob {
                        fetcher: fetcher.clone(),
                        events: events.clone(),
                        permit: Arc::clone(&value_permit),
                    };
                    let active = feeds.iter().filter(|f| !f.inactive).map(|f| &f.spec);
                    for (spec, ids) in awards::value_feeds(active, ids) {
                        value_tasks.spawn(job.clone().run(spec, ids));
                    }
                }
                None => break,
            },
            Some(joined) = value_tasks.join_next() => {
                if let Err(err) = joined
                    && err.is_panic()
                {
                    std::panic::resume_unwind(err.into_panic());
                }
            }
            Some(joined) = tasks.join_next() => {
                let outcome = match joined {
                    Ok(outcome) => outcome,
                    // A panic in a poll (e.g. in the injected scorer) is a bug: re-raise it so the
                    // runtime's supervisor sees this task die instead of a feed silently stopping.
                    Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                    Err(_) => continue,
                };
                seed = seed.wrapping_add(1);
                let Some((event, awards)) = finish_poll(&mut feeds, outcome, &options, seed) else { continue };
                if saves.is_none()
                    && let FeedEvent::Fetched { feed, state, .. } = &event
                {
                    // Nobody reports saves: the poll counts as saved once reported.
                    on_report(&mut feeds, SaveReport::Saved { feed: feed.clone(), state: state.clone() });
                }
                // The awards go after their poll's notices, so they are saved after them and link
                // to the competitions of the same poll.
                let mut stopped = false;
                for event in std::iter::once(event).chain(awards) {
                    tokio::select! {
                        biased;
                        () = cancel.cancelled() => stopped = true,
                        sent = events.send(event) => stopped = sent.is_err(),
                    }
                    if stopped {
                        break;
                    }
                }
                if stopped {
                    break;
                }
            }
            () = sleep_until(next_due) => {}
        }
    }
    tasks.abort_all();
    value_tasks.abort_all();
}

/// The next answer from the store, or never when nothing reports saves.
async fn next_report(saves: &mut Option<mpsc::UnboundedReceiver<SaveReport>>) -> Option<SaveReport> {
    match saves {
        Some(saves) => saves.recv().await,
        None => std::future::pending().await,
    }
}

/// The store answered for the last reported poll of a feed: the next poll may start, from the state
/// the store now holds (unchanged when the save failed, so the lost notices are read again).
fn on_report(feeds: &mut [FeedSlot], report: SaveReport) {
    let (name, state) = match report {
        SaveReport::Saved { feed, state } => (feed, Some(state)),
        SaveReport::NotSaved { feed } => (feed, None),
    };
    if let Some(feed) = feeds.iter_mut().find(|f| f.spec.name == name) {
        feed.unsaved = false;
        if let Some(state) = state {
            feed.saved = state;
        }
    }
}

/// Sleeps until `due`, or forever when nothing is scheduled.
async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// Makes every feed due now, or right after its current poll; a Retry-After still holds.
fn refresh_all(feeds: &mut [FeedSlot]) {
    let now = Instant::now();
    for feed in feeds.iter_mut().filter(|f| !f.inactive) {
        if feed.in_flight {
            feed.refresh_queued = true;
        } else {
            feed.due = Some(feed.not_before.map_or(now, |nb| nb.max(now)));
        }
    }
}

/// Records a finished poll, schedules the next one and builds the event to report, with the
/// award event that follows it when the poll found awards.
fn finish_poll(
    feeds: &mut [FeedSlot],
    outcome: PollOutcome,
    options: &PollerOptions,
    seed: u64,
) -> Option<(FeedEvent, Option<FeedEvent>)> {
    let feed = feeds.get_mut(outcome.index)?;
    feed.in_flight = false;
    let retry_after = outcome.result.as_ref().err().and_then(FeedError::retry_after);
    let cut_short = outcome
        .result
        .as_ref()
        .is_ok_and(|fetched| fetched.progress.next.is_some());
    match &outcome.result {
        Ok(_) => {
            feed.failures = 0;
            feed.unsaved = true;
        }
        Err(_) => feed.failures = feed.failures.saturating_add(1),
    }
    let interval = feed.spec.interval.max(options.min_interval);
    let mut delay = backoff(feed.failures, interval, retry_after);
    if options.jitter && feed.failures == 0 && retry_after.is_none() {
        delay = jittered(delay, seed);
    }
    if cut_short {
        delay = CONTINUE_AFTER.min(interval);
    }
    let delay = delay.min(MAX_WAIT);
    let now = Instant::now();
    feed.not_before = retry_after.map(|wait| now + wait.min(MAX_WAIT));
    let queued = std::mem::take(&mut feed.refresh_queued);
    let due = if queued {
        feed.not_before.unwrap_or(now)
    } else {
        now + delay
    };
    feed.due = Some(due);
    let at = Timestamp::now();
    let next = at
        .checked_add(due.saturating_duration_since(now))
        .unwrap_or(Timestamp::MAX);
    let name = feed.spec.name.clone();
    let kind = feed.spec.adapter.kind().to_owned();
    Some(match outcome.result {
        Ok(fetched) => {
            let mut warnings = fetched.warnings;
            warnings.extend(fetched.awards.messages());
            let awards = (!fetched.awards.found.is_empty()).then(|| FeedEvent::AwardsFetched {
                feed: name.clone(),
                found: fetched.awards.found,
                at,
            });
            let event = FeedEvent::Fetched {
                feed: name,
                state: state_after(
                    &feed.saved,
                    &outcome.plan,
                    &fetched.progress,
                    fetched.validators,
                    outcome.started,
                    at,
                ),
                notices: fetched.scored,
                at,
                next_at: next,
                warnings,
            };
            (event, awards)
        }
        Err(err) => {
            let event = FeedEvent::Failed {
                feed: name,
                message: err.user_message(&kind),
                at,
                retry_at: next,
            };
            (event, None)
        }
    })
}

/// Everything one poll task needs, owned, so the task outlives no borrow of the loop.
struct PollJob {
    index: usize,
    spec: Arc<FeedSpec>,
    fetcher: HttpFetcher,
    scorer: Scorer,
    events: mpsc::Sender<FeedEvent>,
    permits: Arc<Semaphore>,
}

impl PollJob {
    async fn run(self, plan: PollPlan) -> PollOutcome {
        // The semaphore is never closed, so acquiring only fails if that invariant breaks; polling
        // without a permit is then the harmless fallback.
        let _permit = self.permits.acquire_owned().await.ok();
        let started = Timestamp::now();
        // A closed event channel ends the poller loop anyway; nothing to do here.
        let _ = self
            .events
            .send(FeedEvent::Started {
                feed: self.spec.name.clone(),
                at: started,
            })
            .await;
        let result = fetch_and_score(&self.fetcher, &self.spec, &plan, self.scorer).await;
        PollOutcome {
            index: self.index,
            started,
            plan,
            result,
        }
    }
}

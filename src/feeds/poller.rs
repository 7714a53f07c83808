//! The polling task: fetches every feed on its own schedule, scores the notices and reports
//! [`FeedEvent`]s; the only owner of fetch bookkeeping (due times, failure counts, last success).
//!
//! Part of the imperative shell: it reads the clock and does I/O through [`HttpFetcher`]. Scoring is
//! injected as a [`Scorer`] so this module does not depend on `matching`, and it never touches
//! `app`, `ui` or `store`.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::http::{Fetched, HttpFetcher};
pub use super::schedule::{MIN_INTERVAL, PollerOptions, backoff, jittered};
use super::{FeedAdapter, FeedError, FeedEvent, Scored};
use crate::model::{FeedState, Notice, Relevance, UrlValidators};

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
    /// Most pages read in one poll, so a runaway cursor cannot loop forever.
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

/// What the app can ask the poller to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollCommand {
    /// Poll every feed now; a feed already being polled polls again right after (coalesced).
    RefreshAll,
    /// The store could not save the last poll of this feed: forget its high-water mark so the next
    /// poll reads the whole lookback window again instead of starting after notices never stored.
    Rewind(String),
}

/// Feeds polled at the same time, so one slow feed does not hold up the others but a long
/// feed list does not open a connection storm.
const MAX_CONCURRENT_POLLS: usize = 4;

/// Later polls re-read one day before the last success (the high-water mark): notices can appear
/// with an earlier publication date than the moment they became visible in the search index.
pub const OVERLAP: Duration = Duration::from_secs(24 * 60 * 60);

/// The longest the poller ever waits, whatever the config or a server's `Retry-After` says; it
/// also keeps `Instant` arithmetic far from overflow (a bogus `Retry-After: 99999999999`).
const MAX_WAIT: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Everything one successful poll read, before it is saved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedFetch {
    /// All notices from all pages, de-duplicated by id.
    pub notices: Vec<Notice>,
    /// Plain-language warnings from the pages (see [`super::Page::warnings`]), without repeats.
    pub warnings: Vec<String>,
    /// The validators of every URL this poll requested (a 304 keeps the ones it was sent with).
    /// Not yet remembered by the fetcher: they only become effective once the notices are saved.
    pub validators: Vec<UrlValidators>,
}

/// Fetches every page of `spec` published since `since` (at most `max_pages`), de-duplicated by id,
/// and remembers the validators at once: for callers that keep nothing (tests, tools). The poller
/// and `anbud poll --once` use [`fetch_feed_pending`] and remember them only after saving.
///
/// # Errors
/// As [`fetch_feed_pending`].
pub async fn fetch_feed(fetcher: &HttpFetcher, spec: &FeedSpec, since: Timestamp) -> Result<Vec<Notice>, FeedError> {
    let fetched = fetch_feed_pending(fetcher, spec, since).await?;
    fetcher.remember_all(&fetched.validators);
    Ok(fetched.notices)
}

/// Fetches every page of `spec` published since `since` (at most `max_pages`), de-duplicated by id,
/// with the warnings and validators of the poll; remembers nothing.
///
/// # Errors
/// [`FeedError::Other`] with the reason when the adapter is not ready (e.g. no API key), without
/// sending anything; else the first [`FeedError`] from any page. A 304 (conditional `GET`, see
/// [`HttpFetcher::fetch`]) ends the poll with what was read so far, empty on the first page. Pages
/// read before an error are discarded, so a poll is all-or-nothing and the next one re-reads the
/// same window.
pub async fn fetch_feed_pending(
    fetcher: &HttpFetcher,
    spec: &FeedSpec,
    since: Timestamp,
) -> Result<FeedFetch, FeedError> {
    spec.adapter.readiness().map_err(FeedError::Other)?;
    let mut out = FeedFetch::default();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    let max_pages = spec.max_pages.max(1);
    for read in 1..=max_pages {
        let request = spec.adapter.request(since, cursor.as_deref());
        let body = match fetcher.fetch(&request).await? {
            Fetched::Body { body, validators } => {
                out.validators
                    .extend(validators.map(|v| HttpFetcher::for_url(&request.url, v)));
                body
            }
            // Unchanged since the last saved poll, whose notices are already stored; its
            // validators stay valid and are saved again with this poll's state.
            Fetched::NotModified => {
                out.validators.extend(
                    fetcher
                        .validators(&request.url)
                        .map(|v| HttpFetcher::for_url(&request.url, v)),
                );
                break;
            }
        };
        let page = spec.adapter.parse_window(since, cursor.as_deref(), &body)?;
        let empty = page.notices.is_empty();
        // A server that counts zero hits is telling us this window is empty, not looping: an
        // adapter that splits its query into windows (Doffin) moves on to the next one.
        let counted_empty = page.total == Some(0);
        for warning in page.warnings {
            if !out.warnings.contains(&warning) {
                out.warnings.push(warning);
            }
        }
        out.notices
            .extend(page.notices.into_iter().filter(|n| seen.insert(n.id.clone())));
        // A repeated cursor or an empty page with a cursor would otherwise loop until max_pages.
        match page.next {
            Some(next) if (!empty || counted_empty) && cursor.as_deref() != Some(next.as_str()) => {
                if read == max_pages {
                    out.warnings.push(format!(
                        "stopped after {max_pages} pages (max_pages) with more to read; raise max_pages for this feed"
                    ));
                }
                cursor = Some(next);
            }
            _ => break,
        }
    }
    Ok(out)
}

/// Where the first poll of a feed starts: the saved high-water mark less [`OVERLAP`], or
/// `lookback` before `now` for a feed never saved.
pub fn resume_since(state: &FeedState, lookback: Duration, now: Timestamp) -> Timestamp {
    let (from, back) = match state.high_water {
        Some(mark) => (mark, OVERLAP),
        None => (now, lookback),
    };
    from.checked_sub(back).unwrap_or(Timestamp::MIN)
}

/// Bookkeeping for one feed; only the poller loop writes it.
struct FeedSlot {
    spec: Arc<FeedSpec>,
    /// Not ready (see [`FeedAdapter::readiness`]): reported once, never polled.
    inactive: bool,
    due: Option<Instant>,
    in_flight: bool,
    refresh_queued: bool,
    failures: u32,
    /// The high-water mark: the start of the last successful poll (saved or loaded from the store).
    high_water: Option<Timestamp>,
    /// A save failed while a poll of this feed was running: that poll must not advance the mark.
    rewound: bool,
    /// The server asked us not to call before this (Retry-After); a manual refresh respects it.
    not_before: Option<Instant>,
}

/// What a poll task hands back to the loop.
struct PollOutcome {
    index: usize,
    started: Timestamp,
    result: Result<ScoredFetch, FeedError>,
}

/// Runs until `cancel` fires or `commands` closes: polls every feed at once, then each on its own
/// schedule, and reports [`FeedEvent`]s on `events`. Stops early if nobody listens to `events`.
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
    let options = PollerOptions::default();
    run_poller_with(options, feeds, fetcher, scorer, commands, events, cancel).await;
}

/// [`run_poller`] with explicit [`PollerOptions`] (tests use short intervals or no jitter).
///
/// Each spec's saved [`FeedState`] primes the poll: its validators are remembered by `fetcher` and
/// its high-water mark is where the first poll starts (see [`resume_since`]). The validators a poll
/// brings back are NOT remembered here: they travel in [`FeedEvent::Fetched`] to the store, and the
/// runtime remembers them once the store has saved the notices they belong to.
pub async fn run_poller_with(
    options: PollerOptions,
    feeds: Vec<FeedSpec>,
    fetcher: HttpFetcher,
    scorer: Scorer,
    mut commands: mpsc::Receiver<PollCommand>,
    events: mpsc::Sender<FeedEvent>,
    cancel: CancellationToken,
) {
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
            fetcher.remember_all(&spec.state.validators);
            FeedSlot {
                high_water: spec.state.high_water,
                rewound: false,
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
    loop {
        let now = Instant::now();
        for (index, feed) in feeds.iter_mut().enumerate() {
            if !feed.in_flight && feed.due.is_some_and(|due| due <= now) {
                feed.in_flight = true;
                feed.due = None;
                let since = poll_since(feed);
                let job = PollJob {
                    index,
                    spec: Arc::clone(&feed.spec),
                    fetcher: fetcher.clone(),
                    scorer: Arc::clone(&scorer),
                    events: events.clone(),
                    permits: Arc::clone(&permits),
                };
                tasks.spawn(job.run(since));
            }
        }
        let next_due = feeds.iter().filter_map(|f| f.due).min();
        tokio::select! {
            biased;
            () = cancel.cancelled() => break,
            command = commands.recv() => match command {
                Some(PollCommand::RefreshAll) => refresh_all(&mut feeds),
                Some(PollCommand::Rewind(name)) => {
                    if let Some(feed) = feeds.iter_mut().find(|f| f.spec.name == name) {
                        feed.high_water = None;
                        feed.rewound = feed.in_flight;
                    }
                }
                None => break,
            },
            Some(joined) = tasks.join_next() => {
                let outcome = match joined {
                    Ok(outcome) => outcome,
                    // A panic in a poll (e.g. in the injected scorer) is a bug: re-raise it so the
                    // runtime's supervisor sees this task die instead of a feed silently stopping.
                    Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                    Err(_) => continue,
                };
                seed = seed.wrapping_add(1);
                let Some(event) = finish_poll(&mut feeds, outcome, &options, seed) else { continue };
                tokio::select! {
                    biased;
                    () = cancel.cancelled() => break,
                    sent = events.send(event) => if sent.is_err() { break },
                }
            }
            () = sleep_until(next_due) => {}
        }
    }
    tasks.abort_all();
}

/// Sleeps until `due`, or forever when nothing is scheduled.
async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// The window start for the next poll of `feed`.
fn poll_since(feed: &FeedSlot) -> Timestamp {
    let state = FeedState {
        high_water: feed.high_water,
        ..FeedState::default()
    };
    resume_since(&state, feed.spec.lookback, Timestamp::now())
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

/// Records a finished poll, schedules the next one and builds the event to report.
fn finish_poll(feeds: &mut [FeedSlot], outcome: PollOutcome, options: &PollerOptions, seed: u64) -> Option<FeedEvent> {
    let feed = feeds.get_mut(outcome.index)?;
    feed.in_flight = false;
    let retry_after = outcome.result.as_ref().err().and_then(FeedError::retry_after);
    match &outcome.result {
        Ok(_) => {
            feed.failures = 0;
            // Advanced before the store commits; if that save fails, the runtime sends
            // `Rewind` and the next poll reads the lookback window again.
            if !std::mem::take(&mut feed.rewound) {
                feed.high_water = Some(outcome.started);
            }
        }
        Err(_) => feed.failures = feed.failures.saturating_add(1),
    }
    let interval = feed.spec.interval.max(options.min_interval);
    let mut delay = backoff(feed.failures, interval, retry_after);
    if options.jitter && feed.failures == 0 && retry_after.is_none() {
        delay = jittered(delay, seed);
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
        Ok(fetched) => FeedEvent::Fetched {
            feed: name,
            notices: fetched.scored,
            at,
            next_at: next,
            warnings: fetched.warnings,
            state: FeedState {
                high_water: Some(outcome.started),
                last_success: Some(at),
                validators: fetched.validators,
            },
        },
        Err(err) => FeedEvent::Failed {
            feed: name,
            message: err.user_message(&kind),
            at,
            retry_at: next,
        },
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
    async fn run(self, since: Timestamp) -> PollOutcome {
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
        let result = fetch_and_score(&self.fetcher, &self.spec, since, self.scorer).await;
        PollOutcome {
            index: self.index,
            started,
            result,
        }
    }
}

/// One successful poll, scored: what [`FeedEvent::Fetched`] and `anbud poll --once` need.
#[derive(Debug, Clone, Default)]
pub struct ScoredFetch {
    /// The notices with their relevance.
    pub scored: Vec<Scored>,
    /// As [`FeedFetch::warnings`].
    pub warnings: Vec<String>,
    /// As [`FeedFetch::validators`]: remember them only after the notices are saved.
    pub validators: Vec<UrlValidators>,
}

/// The ingest pipeline of one poll: every page of `spec` since `since` ([`fetch_feed_pending`]),
/// each notice scored at ingest. Used by the poller and by `anbud poll --once`.
///
/// # Errors
/// As [`fetch_feed_pending`].
pub async fn fetch_and_score(
    fetcher: &HttpFetcher,
    spec: &FeedSpec,
    since: Timestamp,
    scorer: Scorer,
) -> Result<ScoredFetch, FeedError> {
    let fetched = fetch_feed_pending(fetcher, spec, since).await?;
    Ok(ScoredFetch {
        scored: score(scorer, fetched.notices).await?,
        warnings: fetched.warnings,
        validators: fetched.validators,
    })
}

/// Scores a batch on the blocking pool so a large page never stalls the async workers.
async fn score(scorer: Scorer, notices: Vec<Notice>) -> Result<Vec<Scored>, FeedError> {
    let scored = tokio::task::spawn_blocking(move || {
        notices
            .into_iter()
            .map(|notice| {
                let relevance = scorer(&notice);
                (notice, relevance)
            })
            .collect()
    })
    .await;
    match scored {
        Ok(scored) => Ok(scored),
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(_) => Err(FeedError::Other("scoring was cancelled".to_owned())),
    }
}

//! The SQLite side of `poll --once`: a thread that owns the [`Store`], scores each page a feed's
//! fetch hands it and stages it (`Store::stage`), and saves or drops each feed's poll when told.
//!
//! So a page is scored and encoded while the next one is fetched and parsed (two cores busy where
//! the whole poll used to be read first and saved after), and only the pages in the channel and a
//! feed's latest page are in memory, not the whole poll. A poll is still saved in one transaction,
//! or not at all.

use std::collections::HashMap;
use std::thread::JoinHandle;

use jiff::Timestamp;
use tokio::sync::{mpsc, oneshot};

use crate::feeds::FeedError;
use crate::feeds::awards::FoundAwards;
use crate::feeds::poller::{PageSink, Scorer};
use crate::model::{FeedState, Notice, NoticeId, Relevance, StoredAward};
use crate::store::{PolledAwards, Store, StoreError, UpsertSummary};

/// Pages waiting for the thread: enough to keep it busy while the next is parsed, few enough that
/// a slow disk holds the fetches back rather than filling memory.
const PAGES_IN_FLIGHT: usize = 2;

/// Work for the thread.
enum Job {
    /// Score and stage a page of `feed`.
    Page { feed: String, notices: Vec<Notice> },
    /// Drop what is staged for `feed` (its poll failed or starts over).
    Discard { feed: String },
    /// Save the poll of `feed` staged so far, with its sync state.
    Commit {
        feed: String,
        state: FeedState,
        now: Timestamp,
        reply: oneshot::Sender<Result<UpsertSummary, StoreError>>,
    },
    /// Read every feed's saved sync state.
    FeedStates {
        reply: oneshot::Sender<Result<HashMap<String, FeedState>, StoreError>>,
    },
    /// Save a poll's awards (after its notices).
    Awards {
        found: FoundAwards,
        now: Timestamp,
        reply: oneshot::Sender<Result<PolledAwards, StoreError>>,
    },
    /// Which of these awards have their value read from the notice's XML.
    ValuesWanted {
        fresh: Vec<StoredAward>,
        reply: oneshot::Sender<Result<Vec<NoticeId>, StoreError>>,
    },
}

/// The thread and its queue.
pub(super) struct Stager {
    jobs: mpsc::Sender<Job>,
    thread: Option<JoinHandle<()>>,
}

impl Stager {
    /// Starts the thread; it scores with `score`.
    pub(super) fn start(store: Store, score: Scorer) -> Self {
        let (jobs, queue) = mpsc::channel(PAGES_IN_FLIGHT);
        // Named, so a profile or a panic message says which thread it was.
        let thread = std::thread::Builder::new()
            .name("anbud-stager".to_owned())
            .spawn(move || serve(store, &score, queue))
            .expect("spawn the database thread");
        Self {
            jobs,
            thread: Some(thread),
        }
    }

    /// Where `feed`'s fetch hands its pages.
    pub(super) fn sink(&self, feed: &str) -> StageSink {
        StageSink {
            feed: feed.to_owned(),
            jobs: self.jobs.clone(),
        }
    }

    /// The saved sync state of every feed.
    ///
    /// # Errors
    /// The store's, or [`StoreError::Stopped`].
    pub(super) async fn feed_states(&self) -> Result<HashMap<String, FeedState>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::FeedStates { reply }).await?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }

    /// Saves what `feed`'s fetch staged, with `state`, in one transaction.
    ///
    /// # Errors
    /// The first error staging one of its pages, or saving them; nothing of the poll is written then.
    pub(super) async fn commit(
        &self,
        feed: &str,
        state: FeedState,
        now: Timestamp,
    ) -> Result<UpsertSummary, StoreError> {
        let (reply, answer) = oneshot::channel();
        let feed = feed.to_owned();
        self.send(Job::Commit {
            feed,
            state,
            now,
            reply,
        })
        .await?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }

    /// Saves a poll's awards (see [`Store::save_polled_awards`]).
    ///
    /// # Errors
    /// The store's, or [`StoreError::Stopped`].
    pub(super) async fn save_awards(&self, found: FoundAwards, now: Timestamp) -> Result<PolledAwards, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Awards { found, now, reply }).await?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }

    /// See [`Store::award_values_wanted`].
    ///
    /// # Errors
    /// The store's, or [`StoreError::Stopped`].
    pub(super) async fn award_values_wanted(&self, fresh: Vec<StoredAward>) -> Result<Vec<NoticeId>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::ValuesWanted { fresh, reply }).await?;
        answer.await.map_err(|_| StoreError::Stopped)?
    }

    /// Drops what `feed`'s failed fetch staged.
    ///
    /// # Errors
    /// [`StoreError::Stopped`] when the thread is gone.
    pub(super) async fn discard(&self, feed: &str) -> Result<(), StoreError> {
        self.send(Job::Discard { feed: feed.to_owned() }).await
    }

    async fn send(&self, job: Job) -> Result<(), StoreError> {
        self.jobs.send(job).await.map_err(|_| StoreError::Stopped)
    }

    /// Waits for the thread to finish what is queued and close the database.
    pub(super) fn finish(mut self) {
        let thread = self.thread.take();
        drop(self);
        if let Some(Err(panic)) = thread.map(JoinHandle::join) {
            // A panic in the scorer is a bug: re-raised, as the poller does.
            std::panic::resume_unwind(panic);
        }
    }
}

/// Hands a feed's pages to the [`Stager`].
pub(super) struct StageSink {
    feed: String,
    jobs: mpsc::Sender<Job>,
}

impl StageSink {
    async fn send(&self, job: Job) -> Result<(), FeedError> {
        // Only when the thread died (a panic, re-raised by `finish`).
        self.jobs
            .send(job)
            .await
            .map_err(|_| FeedError::Other("the database thread has stopped; nothing was saved".to_owned()))
    }
}

impl PageSink for StageSink {
    async fn page(&mut self, notices: Vec<Notice>) -> Result<(), FeedError> {
        let feed = self.feed.clone();
        self.send(Job::Page { feed, notices }).await
    }

    async fn restart(&mut self) -> Result<(), FeedError> {
        let feed = self.feed.clone();
        self.send(Job::Discard { feed }).await
    }
}

/// The thread: serves jobs until every sender is gone.
fn serve(mut store: Store, score: &Scorer, mut queue: mpsc::Receiver<Job>) {
    // A page that could not be staged fails its feed's poll, reported when the poll is saved.
    let mut failed: HashMap<String, StoreError> = HashMap::new();
    // Each feed's latest page, scored, staged only once another page follows it: the last page
    // (a one-page poll: all of it) is saved straight from memory, never written twice.
    let mut held: HashMap<String, Vec<(Notice, Relevance)>> = HashMap::new();
    while let Some(job) = queue.blocking_recv() {
        match job {
            Job::Page { feed, notices } => {
                if failed.contains_key(&feed) {
                    continue;
                }
                let scored: Vec<_> = notices
                    .into_iter()
                    .map(|notice| {
                        let relevance = score(&notice);
                        (notice, relevance)
                    })
                    .collect();
                let before = held.insert(feed.clone(), scored).unwrap_or_default();
                if before.is_empty() {
                    continue;
                }
                if let Err(error) = store.stage(&feed, &before) {
                    held.remove(&feed);
                    failed.insert(feed, error);
                }
            }
            Job::Discard { feed } => {
                failed.remove(&feed);
                held.remove(&feed);
                if let Err(error) = store.discard_staged(&feed) {
                    failed.insert(feed, error);
                }
            }
            Job::Commit {
                feed,
                state,
                now,
                reply,
            } => {
                let last = held.remove(&feed).unwrap_or_default();
                let saved = match failed.remove(&feed) {
                    Some(error) => Err(error),
                    None => store
                        .commit_staged(&feed, &last, &state, now)
                        .map(|decided| decided.summary),
                };
                if saved.is_err() {
                    // Nothing of it reached the database; the staged pages go too (best effort:
                    // they vanish with the connection anyway).
                    store.discard_staged(&feed).ok();
                }
                reply.send(saved).ok();
            }
            Job::FeedStates { reply } => {
                reply.send(store.load_feed_states()).ok();
            }
            Job::Awards { found, now, reply } => {
                reply
                    .send(store.save_polled_awards(&found.awards, &found.keys, now))
                    .ok();
            }
            Job::ValuesWanted { fresh, reply } => {
                reply.send(store.award_values_wanted(&fresh)).ok();
            }
        }
    }
}

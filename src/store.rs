//! Persistence of notices and triage decisions in SQLite, and the store thread that owns the database.
//!
//! The store is the only writer of the database (ARCHITECTURE.md B.1.2): the runtime talks to it through
//! [`StoreHandle`] with [`StoreCommand`]s and hears back [`StoreEvent`]s. Depends on `model`, rusqlite
//! and the pure `dedup` decision only; must not depend on `app`, `ui` or `feeds`.

pub mod arrival;
mod duplicates;
pub mod postgres;
pub mod remote;
pub mod schema;
pub mod sqlite;

use std::path::PathBuf;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use jiff::Timestamp;
use tokio::sync::mpsc::{self, Sender, UnboundedReceiver, UnboundedSender};

use crate::model::{
    Award, CompetitionKeys, DecisionKind, FeedState, Notice, NoticeId, Relevance, StoredAward, TagEdit, Triage,
    TriageChange,
};

pub use arrival::{Arrival, SavedNotice};
pub use remote::{Connection, RemoteChange, RemoteField};
pub use sqlite::{
    AwardQuery, AwardSaveSummary, Decided, History, LoggedDecision, PolledAwards, RescoreJob, RescoreStep,
    StatusFilter, Store, UpsertSummary,
};

/// Scores a notice against the current profiles: the matcher, injected so `store` does not depend
/// on `matching`.
#[derive(Clone)]
pub struct ScoreFn(pub Arc<dyn Fn(&Notice) -> Relevance + Send + Sync>);

impl std::fmt::Debug for ScoreFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScoreFn")
    }
}

/// Everything that can go wrong while opening, migrating, reading or writing the database.
///
/// Messages carry the underlying cause in their text (and do not expose it as `source()`) because the
/// store thread ships them to the status line as plain strings; repeating the cause as a source would
/// print it twice in an eyre report.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory that should hold the database could not be created.
    #[error("cannot create directory {path} for the database: {error}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why it failed.
        error: std::io::Error,
    },
    /// SQLite could not open or configure the database file.
    #[error("cannot open database {path}: {error}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's message.
        error: rusqlite::Error,
    },
    /// The file is another program's SQLite database; nothing was written to it.
    #[error("{path} is not an anbud database ({reason}); use another --db file")]
    NotAnbud {
        /// The database file.
        path: PathBuf,
        /// What gave it away: its application id, or its tables.
        reason: String,
    },
    /// The database, or the folder SQLite keeps its journal in, cannot be written.
    #[error("{path} {reason}")]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// Which is read-only and what to do, e.g. "is read-only: …".
        reason: String,
    },
    /// The file was written by a later anbud whose schema this build does not know.
    #[error(
        "database is newer (schema v{found}) than this anbud (v{known}); upgrade anbud or use another database file"
    )]
    TooNew {
        /// `PRAGMA user_version` found in the file.
        found: i64,
        /// The newest schema version this build knows.
        known: i64,
    },
    /// A migration step failed; the transaction was rolled back, so the file is still at its old version.
    #[error("cannot migrate database to schema v{version}: {error}")]
    Migrate {
        /// The schema version being installed.
        version: i64,
        /// SQLite's message.
        error: rusqlite::Error,
    },
    /// A query or write failed (disk full and locked database arrive here with SQLite's own message).
    #[error("cannot {action}: {error}")]
    Sqlite {
        /// What the store was doing, e.g. "save triage for ted:1-2026".
        action: String,
        /// SQLite's message.
        error: rusqlite::Error,
    },
    /// A notice could not be turned into JSON for storage.
    #[error("cannot encode notice {id} for the database: {error}")]
    Encode {
        /// The notice id.
        id: String,
        /// serde_json's message.
        error: serde_json::Error,
    },
    /// A stored row could not be read back (hand-edited file or a bug in an earlier version).
    #[error("notice {id} in the database is unreadable: {reason}")]
    Corrupt {
        /// The notice id.
        id: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The store thread is gone, so the command was not queued and nothing was saved.
    #[error("the store thread has stopped; nothing was saved")]
    Stopped,
}

/// Work for the store thread.
#[derive(Debug, Clone)]
pub enum StoreCommand {
    /// Save one feed's fetched and scored notices (see [`Store::upsert_notices`]).
    SaveFetch {
        /// Feed name, echoed back in the event.
        feed: String,
        /// The notices with their relevance.
        items: Vec<(Notice, Relevance)>,
        /// When they were fetched; becomes `first_seen` / `last_seen`.
        at: Timestamp,
        /// The feed's sync state after this fetch, written in the same transaction (see
        /// [`Store::save_fetch`]).
        state: FeedState,
    },
    /// Save the awards a poll of `feed` found, after its notices (see
    /// [`Store::save_polled_awards`]); answered with `AwardsSaved` or `AwardsNotSaved`.
    SaveAwards {
        /// Feed name, echoed back when the save fails.
        feed: String,
        /// Award rows, one per notice × lot × winner.
        awards: Vec<Award>,
        /// What the poll's competition notices say for linking.
        keys: Vec<CompetitionKeys>,
        /// When they were fetched.
        at: Timestamp,
    },
    /// Persist a triage decision (see [`Store::save_decision`]).
    SaveTriage {
        /// The change.
        change: TriageChange,
        /// A new decision, an undo or a redo: logged so the stacks survive a restart.
        kind: DecisionKind,
        /// The key press it belongs to (several marked notices share one), undone as one.
        batch: i64,
        /// When the user made it.
        at: Timestamp,
    },
    /// The user has looked at a notice's changes (see [`Store::mark_seen`]).
    MarkSeen {
        /// Which notice.
        id: NoticeId,
    },
    /// Read every stored notice, descriptions left in the store (see
    /// [`Store::load_records_without_descriptions`]); answered with `Loaded`. The dashboard asks for
    /// this after drawing its first frame from the best-scored notices.
    LoadAll,
    /// Read the descriptions of these notices (see [`Store::load_descriptions`]); answered with
    /// `DescriptionsLoaded`. Served in order with the writes, so a description asked for before a
    /// fetch is saved is the one from before that fetch.
    LoadDescriptions(Vec<NoticeId>),
    /// Change the tags of notices (see [`Store::save_tags`]): SQLite writes each whole new list,
    /// a shared store only what was added and taken out.
    SaveTags {
        /// Which notices, with the tags the user saw and left.
        edits: Vec<TagEdit>,
        /// When the user tagged them.
        at: Timestamp,
    },
    /// Record why notices were rejected (see [`Store::save_reject_reason`]).
    SaveRejectReason {
        /// Which notices.
        ids: Vec<NoticeId>,
        /// The reason; `None` clears it.
        reason: Option<String>,
        /// Each notice's reason as the user saw it (in `ids` order); team mode writes only where it
        /// still is that. SQLite, with one user, writes them all.
        before: Vec<Option<String>>,
        /// When the user picked it.
        at: Timestamp,
    },
    /// Team mode: assign the notice to the connected member, or unassign it, if it still has the
    /// assignee the user saw.
    SaveAssignee {
        /// Which notice.
        id: NoticeId,
        /// The assignee the user saw (display name).
        from: Option<String>,
        /// Whether to assign it to the connected member (else: to nobody).
        to_me: bool,
        /// When the user pressed the key.
        at: Timestamp,
    },
    /// Replace a notice's note (see [`Store::save_note`]).
    SaveNote {
        /// Which notice.
        id: NoticeId,
        /// The whole new note (empty clears it).
        note: String,
        /// When the user wrote it.
        at: Timestamp,
    },
    /// Re-score every stored notice with `score` (the profiles changed), a batch at a time between
    /// the other commands; answered with `Rescored` batches, the last one `done`. A second one
    /// replaces a re-score still running.
    Rescore {
        /// The new profiles' matcher.
        score: ScoreFn,
        /// Their fingerprint, stored once every notice is re-scored.
        fingerprint: String,
    },
}

/// What the store thread reports back: a past-tense fact per command.
#[derive(Debug, Clone)]
pub enum StoreEvent {
    /// A fetch was committed.
    FetchSaved {
        /// Feed name from the command.
        feed: String,
        /// Counts for the status line.
        summary: UpsertSummary,
        /// Every notice of the fetch as stored, with what the store decided about it (new, changed,
        /// a duplicate of another source's notice): the dashboard applies exactly this.
        saved: Vec<SavedNotice>,
        /// The sync state now saved with the notices: its validators may be used from now on.
        state: FeedState,
    },
    /// A fetch could not be saved; nothing of it was written.
    FetchNotSaved {
        /// Feed name from the command.
        feed: String,
        /// The [`StoreError`] message, for the user.
        error: String,
    },
    /// A poll's awards are committed: the stored rows of the award notices that are new or changed,
    /// with their links and estimates (unlinked ones included).
    AwardsSaved(Vec<StoredAward>),
    /// A poll's awards could not be saved; the next poll that reads them tries again.
    AwardsNotSaved {
        /// Feed name from the command.
        feed: String,
        /// The [`StoreError`] message, for the user.
        error: String,
    },
    /// The triage change is committed and durable.
    TriageSaved(TriageChange),
    /// The triage change was not written; the core should restore the old value.
    TriageNotSaved {
        /// The change that failed.
        change: TriageChange,
        /// The [`StoreError`] message, for the user.
        error: String,
    },
    /// A notice's changes are marked as seen; if this failed they show again after a restart,
    /// which loses nothing.
    SeenSaved {
        /// Which notice.
        id: NoticeId,
        /// Why it failed, if it did.
        error: Option<String>,
    },
    /// The note is committed.
    NoteSaved {
        /// Which notice.
        id: NoticeId,
        /// The note as stored.
        note: String,
    },
    /// Every stored notice, or why they could not be read.
    Loaded(Result<Vec<crate::model::NoticeRecord>, String>),
    /// The descriptions asked for with `LoadDescriptions`, or why they could not be read.
    DescriptionsLoaded(Result<Vec<(NoticeId, String)>, String>),
    /// Tags are committed.
    TagsSaved(Vec<(NoticeId, Vec<String>)>),
    /// Reject reasons are committed.
    RejectReasonSaved {
        /// Which notices.
        ids: Vec<NoticeId>,
        /// The reason as stored.
        reason: Option<String>,
    },
    /// Tags or a reject reason were not written (nothing of the batch was); the core keeps the old
    /// values and says why.
    AnnotationNotSaved {
        /// What was being saved, for the message ("tags", "reject reason").
        what: &'static str,
        /// The [`StoreError`] message, for the user.
        error: String,
    },
    /// Team mode: the assignee is committed.
    AssigneeSaved {
        /// Which notice.
        id: NoticeId,
        /// Who owns it now (display name); `None`: nobody.
        assignee: Option<String>,
    },
    /// Team mode: a colleague changed the assignee since the user saw it; nothing was written.
    AssigneeConflict {
        /// Which notice.
        id: NoticeId,
        /// The assignee now.
        now: Option<String>,
        /// Who changed it.
        by: String,
    },
    /// The note was not written; the core keeps the old one and says why.
    NoteNotSaved {
        /// Which notice.
        id: NoticeId,
        /// The [`StoreError`] message, for the user.
        error: String,
    },
    /// Team mode: the triage change was refused because a colleague changed the notice since the
    /// user saw it; the core shows their value, and a second press applies on it.
    TriageConflict {
        /// The change that was refused.
        change: TriageChange,
        /// The notice's stage now.
        now: Triage,
        /// Who set it (their display name).
        by: String,
        /// How long ago, by the server's clock (the core's clock may be a minute behind).
        ago: std::time::Duration,
    },
    /// Team mode: the write did not answer within `write_timeout`. It may still commit; the store
    /// finds out by its `op_id` once the server answers and then reports it saved, refused or not saved.
    TriageUnconfirmed {
        /// The change in doubt.
        change: TriageChange,
        /// What happened, for the user.
        error: String,
    },
    /// Team mode: a colleague's change, read after their commit.
    Remote(RemoteChange),
    /// Team mode: the shared database went away or came back.
    Connection(Connection),
    /// Notices re-scored and saved by a `Rescore` (500 a message, so applying one fits in a frame).
    Rescored {
        /// New relevance per notice.
        batch: Vec<(NoticeId, Relevance)>,
        /// Set on the last message: the total re-scored, or why it stopped.
        done: Option<Result<usize, String>>,
    },
}

/// The runtime's handle on the store thread.
///
/// Commands go over an unbounded channel so that `send` never blocks the event loop; they are served
/// one at a time in the order sent, so triage writes commit in the order the user made them.
#[derive(Debug)]
pub struct StoreHandle {
    commands: UnboundedSender<StoreCommand>,
    thread: JoinHandle<()>,
}

impl StoreHandle {
    /// Starts the store thread, which owns `store` and answers on `events`.
    ///
    /// The thread keeps writing even if `events` is closed: a decision the user made must reach the disk
    /// whether or not anybody is still listening for the confirmation.
    ///
    /// # Panics
    ///
    /// When the operating system cannot create a thread (as [`std::thread::spawn`] does).
    pub fn spawn(store: Store, events: Sender<StoreEvent>) -> StoreHandle {
        StoreHandle::spawn_serving(move |mut queue| serve(store, &mut queue, &events))
    }

    /// Starts the thread that runs `serve` over the command queue: the SQLite store's loop, or team
    /// mode's (`postgres::team`), which the core cannot tell apart.
    ///
    /// # Panics
    ///
    /// When the operating system cannot create a thread (as [`std::thread::spawn`] does).
    pub fn spawn_serving(serve: impl FnOnce(UnboundedReceiver<StoreCommand>) + Send + 'static) -> StoreHandle {
        let (commands, queue) = mpsc::unbounded_channel();
        let thread = thread::Builder::new()
            .name("anbud-store".to_owned())
            .spawn(move || serve(queue));
        match thread {
            Ok(thread) => StoreHandle { commands, thread },
            // Spawning fails only when the OS is out of threads or memory; there is no way to run
            // without the store, and the caller could not recover either.
            Err(error) => panic!("cannot start the store thread: {error}"),
        }
    }

    /// Queues a command; never blocks.
    ///
    /// # Errors
    ///
    /// [`StoreError::Stopped`] when the store thread has ended (it panicked), so the command was dropped.
    pub fn send(&self, cmd: StoreCommand) -> Result<(), StoreError> {
        self.commands.send(cmd).map_err(|_| StoreError::Stopped)
    }

    /// Whether the thread is still serving; the runtime's supervisor polls this.
    pub fn is_running(&self) -> bool {
        !self.thread.is_finished()
    }

    /// Closes the command channel and waits until every queued command has been written.
    ///
    /// The thread waits for room in `events` before each reply, so drop the event receiver (or keep
    /// reading it) before calling this; a full channel nobody reads would block the join forever.
    /// A panic on the store thread has already been reported by the panic hook, so it is not repeated here.
    pub fn shutdown(self) {
        drop(self.commands);
        let _ = self.thread.join();
    }
}

/// The store thread's loop: serve until every sender is gone and the queue is empty.
///
/// A re-score of a million notices takes about 20 s. Run as one command it would hold every triage
/// write queued behind it that long (the user sees a pending marker that does not clear); on a
/// connection of its own it would be a second writer fighting this one for the lock. So it runs
/// here a batch at a time, and every command queued meanwhile is served before the next batch.
fn serve(mut store: Store, queue: &mut UnboundedReceiver<StoreCommand>, events: &Sender<StoreEvent>) {
    let mut rescore: Option<(RescoreJob, ScoreFn)> = None;
    loop {
        let cmd = if rescore.is_some() {
            match queue.try_recv() {
                Ok(cmd) => Some(cmd),
                Err(mpsc::error::TryRecvError::Empty) => None,
                // Quitting: an unfinished re-score runs again at the next start (no fingerprint yet).
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            }
        } else {
            match queue.blocking_recv() {
                Some(cmd) => Some(cmd),
                None => break,
            }
        };
        match cmd {
            Some(StoreCommand::Rescore { score, fingerprint }) => rescore = Some((RescoreJob::new(fingerprint), score)),
            // A closed event channel means the app is shutting down; keep draining so queued writes land.
            Some(cmd) => drop(events.blocking_send(execute(&mut store, cmd))),
            None => {
                if let Some((job, score)) = &mut rescore
                    && !rescore_step(&mut store, job, score, events)
                {
                    rescore = None;
                }
            }
        }
    }
}

/// One batch of a re-score, its chunks sent as `Rescored`; false once the re-score has ended.
fn rescore_step(store: &mut Store, job: &mut RescoreJob, score: &ScoreFn, events: &Sender<StoreEvent>) -> bool {
    let mut sent = |batch| events.blocking_send(StoreEvent::Rescored { batch, done: None }).is_ok();
    let done = match job.step(store, &*score.0, &mut sent) {
        Ok(RescoreStep::More) => return true,
        // Nobody listens any more.
        Ok(RescoreStep::Abandoned(_)) => return false,
        Ok(RescoreStep::Done(total)) => Ok(total),
        Err(error) => Err(error.to_string()),
    };
    let _ = events.blocking_send(StoreEvent::Rescored {
        batch: Vec::new(),
        done: Some(done),
    });
    false
}

/// Runs one command and turns its outcome into the event the core expects, as the store thread
/// does; tests use it to answer the core's effects with a real store, synchronously.
/// (`Rescore` runs only on the thread's loop, between other commands.)
pub fn execute(store: &mut Store, cmd: StoreCommand) -> StoreEvent {
    match cmd {
        StoreCommand::SaveFetch { feed, items, at, state } => match store.save_fetch(&feed, &items, &state, at) {
            Ok(decided) => StoreEvent::FetchSaved {
                feed,
                summary: decided.summary,
                saved: arrival::pair(items, decided.arrivals),
                state,
            },
            Err(error) => StoreEvent::FetchNotSaved {
                feed,
                error: error.to_string(),
            },
        },
        StoreCommand::SaveAwards { feed, awards, keys, at } => match store.save_polled_awards(&awards, &keys, at) {
            Ok(saved) => StoreEvent::AwardsSaved(saved.fresh),
            Err(error) => StoreEvent::AwardsNotSaved {
                feed,
                error: error.to_string(),
            },
        },
        StoreCommand::SaveTriage {
            change,
            kind,
            batch,
            at,
        } => match store.save_decision(&change, kind, Some(batch), at) {
            Ok(()) => StoreEvent::TriageSaved(change),
            Err(error) => StoreEvent::TriageNotSaved {
                change,
                error: error.to_string(),
            },
        },
        StoreCommand::MarkSeen { id } => {
            let error = store.mark_seen(&id).err().map(|e| e.to_string());
            StoreEvent::SeenSaved { id, error }
        }
        StoreCommand::LoadAll => {
            StoreEvent::Loaded(store.load_records_without_descriptions().map_err(|e| e.to_string()))
        }
        StoreCommand::LoadDescriptions(ids) => {
            StoreEvent::DescriptionsLoaded(store.load_descriptions(&ids).map_err(|e| e.to_string()))
        }
        StoreCommand::SaveTags { edits, at } => {
            let changes: Vec<(NoticeId, Vec<String>)> = edits.into_iter().map(|e| (e.id, e.to)).collect();
            match store.save_tags(&changes, at) {
                Ok(()) => StoreEvent::TagsSaved(changes),
                Err(error) => StoreEvent::AnnotationNotSaved {
                    what: "tags",
                    error: error.to_string(),
                },
            }
        }
        StoreCommand::SaveRejectReason { ids, reason, at, .. } => {
            match store.save_reject_reason(&ids, reason.as_deref(), at) {
                Ok(()) => StoreEvent::RejectReasonSaved { ids, reason },
                Err(error) => StoreEvent::AnnotationNotSaved {
                    what: "reject reason",
                    error: error.to_string(),
                },
            }
        }
        StoreCommand::SaveNote { id, note, at } => match store.save_note(&id, &note, at) {
            Ok(()) => StoreEvent::NoteSaved { id, note },
            Err(error) => StoreEvent::NoteNotSaved {
                id,
                error: error.to_string(),
            },
        },
        // The core asks only in team mode: one user owns every bid.
        StoreCommand::SaveAssignee { .. } => StoreEvent::AnnotationNotSaved {
            what: "assignee",
            error: "assigning is for team mode (a shared PostgreSQL database)".to_owned(),
        },
        // Started by `serve`, which runs it between the other commands; a lone batch here would
        // leave it half done. Not reachable: `serve` never hands it over.
        StoreCommand::Rescore { .. } => StoreEvent::Rescored {
            batch: Vec::new(),
            done: Some(Err("a re-score runs on the store thread's loop only".to_owned())),
        },
    }
}

//! Team mode's store: the same `StoreCommand`s and `StoreEvent`s as the SQLite store thread, served
//! from PostgreSQL, so the core cannot tell the two apart. It runs on a thread of its own with its
//! own single-threaded tokio runtime: one writer connection (commits stay in the order the user
//! made them) and one LISTEN connection for colleagues' changes.
//!
//! Nothing shows as saved before the server's COMMIT answered. A write that does not answer within
//! `write_timeout` is reported "not confirmed" and settled by its `op_id` once the server answers
//! again; meanwhile the dashboard is read-only, with a banner saying since when.

mod commands;
pub mod listen;
pub mod load;
pub mod write;

use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc::{Sender, UnboundedReceiver};
use tokio_postgres::Client;

use super::PgError;
use crate::config::database::Database;
use crate::model::{DecisionKind, NoticeRecord, TriageChange};
use crate::store::{Connection, History, StoreCommand, StoreEvent, StoreHandle, UpsertSummary};
use listen::{Bells, Listener};

/// How many of the best-scored notices the first frame is drawn from (as with SQLite).
const FIRST_SCREEN: i64 = 2_000;

/// How often an unreachable server is tried again.
const RETRY_EVERY: Duration = Duration::from_secs(2);

/// What the dashboard reads before its first frame, and where live updates start from.
#[derive(Debug)]
pub struct Opened {
    /// The best-scored notices with the team's decisions.
    pub records: Vec<NoticeRecord>,
    /// Whether there are more: the store thread reads them (`LoadAll`).
    pub partial: bool,
    /// This member's undo and redo stacks.
    pub history: History,
    /// Who is connected, as colleagues see them.
    pub me: String,
    /// Where live updates start.
    pub resume: Resume,
}

/// Where catching up starts: changes committed after these were not in what was read.
#[derive(Debug, Clone)]
pub struct Resume {
    horizon: String,
    notice_mark: Option<Timestamp>,
}

/// Connects, checks the schema and reads the first screen.
///
/// # Errors
/// When the server cannot be reached, the schema is missing or too new, or a row is unreadable.
pub async fn open(db: &Database) -> Result<Opened, PgError> {
    open_reading(db, Some(FIRST_SCREEN), load::Descriptions::LeaveOnServer).await
}

/// Connects, checks the schema and reads `limit` notices (`None`: all).
async fn open_reading(db: &Database, limit: Option<i64>, descriptions: load::Descriptions) -> Result<Opened, PgError> {
    let client = super::connect(db).await?;
    super::schema::check(&client).await?;
    // Read before the notices: whatever commits after this is caught up on by the store thread.
    let resume = Resume {
        horizon: listen::horizon(&client).await?,
        notice_mark: listen::notice_mark(&client).await?,
    };
    let records = load::records(&client, limit, descriptions).await?;
    let partial = limit.is_some_and(|limit| i64::try_from(records.len()).unwrap_or(i64::MAX) == limit);
    let history = load::history(&client, 500).await?;
    let me: String = client
        .query_one(
            "SELECT COALESCE((SELECT display FROM members WHERE role = current_user), current_user::text)",
            &[],
        )
        .await
        .map_err(super::failed("read who you are"))?
        .get(0);
    Ok(Opened {
        records,
        partial,
        history,
        me: crate::model::text::sanitized(&me).into_owned(),
        resume,
    })
}

/// As [`open`], with every notice (for `anbud list`).
///
/// # Errors
/// As [`open`].
pub async fn open_all(db: &Database) -> Result<Opened, PgError> {
    open_reading(db, None, load::Descriptions::Keep).await
}

/// Starts the store thread for `db`, live from `resume` (see [`Opened::resume`]).
pub fn spawn(db: Database, resume: Resume, events: Sender<StoreEvent>) -> StoreHandle {
    StoreHandle::spawn_serving(move |queue| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        match runtime {
            Ok(runtime) => runtime.block_on(serve(Session::new(db, resume, events), queue)),
            // Without a runtime nothing can be saved; the closed channel tells the runtime so.
            Err(error) => eprintln!("anbud: cannot start the team store: {error}"),
        }
    })
}

/// A decision whose write timed out: it may have committed.
#[derive(Debug)]
struct InDoubt {
    change: TriageChange,
    kind: DecisionKind,
    batch: String,
    op_id: String,
}

/// The store thread's connections and bookkeeping.
struct Session {
    db: Database,
    writer: Option<Client>,
    listener: Option<Listener>,
    resume: Resume,
    /// Prefix of this session's op_ids: the member's process and start, so they never repeat.
    op_prefix: String,
    next_op: u64,
    offline_since: Option<Timestamp>,
    in_doubt: Vec<InDoubt>,
    events: Sender<StoreEvent>,
}

/// Serves until every sender is gone and the queue is empty.
async fn serve(mut session: Session, mut queue: UnboundedReceiver<StoreCommand>) {
    session.reconnect().await;
    let mut retry = tokio::time::interval(RETRY_EVERY);
    retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            // Commands first: a decision queued behind a burst of doorbells waits for no read.
            biased;
            cmd = queue.recv() => match cmd {
                Some(cmd) => session.command(cmd).await,
                None => break,
            },
            bells = next_bells(session.listener.as_mut()) => match bells {
                Some(bells) => session.on_bells(bells).await,
                None => session.offline("the live-update connection closed".to_owned()).await,
            },
            _ = retry.tick(), if session.offline_since.is_some() => session.reconnect().await,
        }
    }
}

/// The doorbells rung since the last call (at least one; waits for it); `None` when the LISTEN
/// connection ended. Without a listener it never returns.
async fn next_bells(listener: Option<&mut Listener>) -> Option<Bells> {
    let Some(listener) = listener else {
        return std::future::pending().await;
    };
    let first = listener.bells.recv().await?;
    let mut bells = Bells::default();
    bells.add(&first);
    while let Ok(more) = listener.bells.try_recv() {
        bells.add(&more);
    }
    Some(bells)
}

impl Session {
    fn new(db: Database, resume: Resume, events: Sender<StoreEvent>) -> Session {
        let start = Timestamp::now().as_microsecond();
        Session {
            op_prefix: format!("{}:{}:{start}", db.url.user, std::process::id()),
            db,
            writer: None,
            listener: None,
            resume,
            next_op: 0,
            offline_since: None,
            in_doubt: Vec::new(),
            events,
        }
    }

    fn op_id(&mut self) -> String {
        self.next_op += 1;
        format!("{}:{}", self.op_prefix, self.next_op)
    }

    async fn send(&self, event: StoreEvent) {
        // A closed channel means the dashboard is quitting; the writes are done either way.
        let _ = self.events.send(event).await;
    }

    /// (Re)opens both connections, then catches up on what colleagues did meanwhile and settles
    /// the writes in doubt. Stays offline (and says why) if the server does not answer.
    async fn reconnect(&mut self) {
        let connected = async {
            // Listen first: a change committed while catching up then rings, and is not missed.
            let listener = listen::listen(&self.db).await?;
            let writer = super::connect(&self.db).await?;
            Ok::<_, PgError>((listener, writer))
        };
        let (listener, writer) = match connected.await {
            Ok(both) => both,
            Err(error) => return self.offline(error.to_string()).await,
        };
        self.listener = Some(listener);
        self.writer = Some(writer);
        if let Err(error) = self.catch_up().await {
            return self.offline(error.to_string()).await;
        }
        self.settle_in_doubt().await;
        if self.writer.is_some() && self.offline_since.take().is_some() {
            self.send(StoreEvent::Connection(Connection::Online)).await;
        }
    }

    /// Colleagues' changes and the poller's notices committed since the last read.
    async fn catch_up(&mut self) -> Result<(), PgError> {
        let Some(client) = &self.writer else { return Ok(()) };
        let (changes, horizon) = listen::since(client, &self.resume.horizon).await?;
        let (saved, mark) = listen::notices_since(client, self.resume.notice_mark).await?;
        self.resume = Resume {
            horizon,
            notice_mark: mark,
        };
        if !saved.is_empty() {
            self.send(shared_poll(saved)).await;
        }
        for change in changes {
            self.send(StoreEvent::Remote(change)).await;
        }
        Ok(())
    }

    /// Drops both connections and tells the dashboard (once per outage).
    async fn offline(&mut self, why: String) {
        self.writer = None;
        self.listener = None;
        if self.offline_since.is_none() {
            let since = Timestamp::now();
            self.offline_since = Some(since);
            self.send(StoreEvent::Connection(Connection::Offline { since, why }))
                .await;
        }
    }

    /// Reads what the doorbells name and passes it on.
    async fn on_bells(&mut self, bells: Bells) {
        let Some(client) = &self.writer else { return };
        let read = async {
            let mut out = listen::events(client, &bells.events).await?;
            if !bells.comments.is_empty() {
                out.extend(listen::comments(client, &bells.comments).await?);
            }
            let notices = if bells.notices {
                Some(listen::notices_since(client, self.resume.notice_mark).await?)
            } else {
                None
            };
            Ok::<_, PgError>((out, notices))
        };
        match read.await {
            Ok((changes, notices)) => {
                if let Some((saved, mark)) = notices {
                    self.resume.notice_mark = mark;
                    if !saved.is_empty() {
                        self.send(shared_poll(saved)).await;
                    }
                }
                for change in changes {
                    self.send(StoreEvent::Remote(change)).await;
                }
            }
            Err(error) => self.offline(error.to_string()).await,
        }
    }

    /// The writer, or why there is none.
    fn writer_or_offline(&self) -> Result<(), String> {
        match (&self.writer, self.offline_since) {
            (Some(client), _) if !client.is_closed() => Ok(()),
            (_, Some(since)) => Err(format!(
                "server unreachable since {}; not saved",
                since.strftime("%H:%M:%S UTC")
            )),
            _ => Err("server unreachable; not saved".to_owned()),
        }
    }
}

/// Notices the poller saved, as the dashboard takes a fetch.
fn shared_poll(saved: Vec<crate::store::SavedNotice>) -> StoreEvent {
    StoreEvent::FetchSaved {
        feed: SHARED_POLL.to_owned(),
        summary: UpsertSummary::default(),
        saved,
        state: crate::model::FeedState::default(),
    }
}

/// The name the poller's notices arrive under in the sources panel.
pub const SHARED_POLL: &str = "shared poll";

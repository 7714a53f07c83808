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
pub mod threads;
pub mod write;

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc::{Sender, UnboundedReceiver};
use tokio_postgres::Client;

use super::PgError;
use crate::config::database::Database;
use crate::model::{DecisionKind, NoticeId, NoticeRecord, TriageChange};
use crate::store::{
    Connection, History, RemoteChange, RemoteField, StoreCommand, StoreEvent, StoreHandle, UpsertSummary,
};
use listen::{Bells, Listener, Versioned};
use threads::{Entries, Said, Threads};

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
    let records = load::records(&client, limit, descriptions, &db.zone).await?;
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

/// As [`open()`], with every notice (for `anbud list`).
///
/// # Errors
/// As [`open()`].
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
    /// The connected role: its own changes ring too, and are not news.
    me: String,
    /// Display names by role, for changes that ring with roles.
    names: HashMap<String, String>,
    /// What the dashboard shows of each notice's shared fields, by version.
    versions: listen::Newest,
    /// The comment threads passed on, to add a colleague's comment to without a read.
    threads: Threads,
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
            me: String::new(),
            names: HashMap::new(),
            versions: listen::Newest::default(),
            threads: Threads::default(),
        }
    }

    /// Passes colleagues' changes on, each unless a newer value is already shown.
    async fn pass_on(&mut self, changes: Vec<Versioned>) {
        for heard in changes {
            if let Some(change) = self.versions.fresh(heard) {
                self.send(StoreEvent::Remote(change)).await;
            }
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
            let (me, names) = listen::members(&writer).await?;
            let caught = catch_up(&writer, &self.resume, &self.threads, &self.db.zone).await?;
            Ok::<_, PgError>((listener, writer, me, names, caught))
        };
        // Each connection is bounded by connect_timeout; a server that accepts and then hangs
        // must not hang the store with it.
        let limit = self.db.connect_timeout * 2 + self.db.write_timeout;
        let (listener, writer, me, names, caught) = match bounded(limit, "reconnecting", connected).await {
            Ok(all) => all,
            Err(why) => return self.offline(why).await,
        };
        (self.me, self.names) = (me, names);
        self.listener = Some(listener);
        self.writer = Some(writer);
        let Caught {
            changes,
            said,
            threads,
            saved,
            resume,
        } = caught;
        self.resume = resume;
        if !saved.is_empty() {
            self.send(shared_poll(saved)).await;
        }
        self.pass_on(changes).await;
        self.pass_on_comments(&said, threads).await;
        self.settle_in_doubt().await;
        if self.writer.is_some() && self.offline_since.take().is_some() {
            self.send(StoreEvent::Connection(Connection::Online)).await;
        }
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

    /// Passes on the changes and comments that rang whole, and reads what the other doorbells
    /// name.
    async fn on_bells(&mut self, bells: Bells) {
        let Some(client) = &self.writer else { return };
        let me = self.me.as_str();
        let rung: Vec<_> = bells.rung.into_iter().filter(|r| r.actor != me).collect();
        let whole: Vec<Said> = bells.said.into_iter().filter(|c| c.author != me).collect();
        let unknown = |role: &String| !self.names.contains_key(role);
        let new_member = rung
            .iter()
            .any(|r| unknown(&r.actor) || r.assignee.as_ref().is_some_and(unknown))
            || whole.iter().any(|c| unknown(&c.author));
        let held = &self.threads;
        let read = async {
            // A member added since connecting: their name is read once, not per change.
            let names = if new_member {
                Some(listen::members(client).await?.1)
            } else {
                None
            };
            let changes = if bells.events.is_empty() {
                Vec::new()
            } else {
                listen::events(client, &bells.events).await?
            };
            let mut said = whole;
            if !bells.comments.is_empty() {
                said.extend(threads::said(client, &bells.comments).await?);
            }
            let threads = unheld_threads(client, held, &said, &self.db.zone).await?;
            let notices = if bells.notices {
                Some(listen::notices_since(client, self.resume.notice_mark).await?)
            } else {
                None
            };
            Ok::<_, PgError>((names, changes, said, threads, notices))
        };
        // A poll's notices can be many thousands of rows: more time for them than for a write.
        let limit = self.db.write_timeout * if bells.notices { 6 } else { 1 };
        match bounded(limit, "reading colleagues' changes", read).await {
            Ok((names, changes, said, threads, notices)) => {
                if let Some(names) = names {
                    self.names = names;
                }
                if let Some((saved, mark)) = notices {
                    self.resume.notice_mark = mark;
                    if !saved.is_empty() {
                        self.send(shared_poll(saved)).await;
                    }
                }
                let names = &self.names;
                let rung: Vec<Versioned> = rung
                    .iter()
                    .filter_map(|r| r.change(|role| display(names, role)))
                    .collect();
                self.pass_on(rung).await;
                self.pass_on(changes).await;
                self.pass_on_comments(&said, threads).await;
            }
            Err(why) => self.offline(why).await,
        }
    }

    /// Adds colleagues' comments to the threads held (taking those just read first) and passes
    /// on each thread commented on, once.
    async fn pass_on_comments(&mut self, said: &[Said], read: HashMap<String, Entries>) {
        for (id, entries) in read {
            self.threads.replace(NoticeId(id), entries);
        }
        let mut last: Vec<(NoticeId, &Said)> = Vec::new();
        for comment in said {
            let id = NoticeId(comment.notice.clone());
            let author = display(&self.names, &comment.author);
            self.threads.add(
                &id,
                comment.comment,
                threads::entry(&author, comment.at, &comment.body, &self.db.zone),
            );
            match last.iter_mut().find(|(seen, _)| *seen == id) {
                Some(slot) => slot.1 = comment,
                None => last.push((id, comment)),
            }
        }
        for (id, comment) in last {
            let Some(thread) = self.threads.shown(&id) else {
                continue;
            };
            let change = RemoteChange {
                by: crate::model::text::sanitized(&display(&self.names, &comment.author)).into_owned(),
                at: comment.at,
                field: RemoteField::Comments(thread),
                id,
            };
            self.send(StoreEvent::Remote(change)).await;
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

/// A role's display name in `names`, else the role itself.
fn display(names: &HashMap<String, String>, role: &str) -> String {
    names.get(role).cloned().unwrap_or_else(|| role.to_owned())
}

/// What a reconnect catches up on.
struct Caught {
    changes: Vec<Versioned>,
    said: Vec<Said>,
    /// The threads commented on that were not held.
    threads: HashMap<String, Entries>,
    saved: Vec<crate::store::SavedNotice>,
    /// Where the next catch-up starts.
    resume: Resume,
}

/// Colleagues' changes and comments and the poller's notices committed since `resume`.
async fn catch_up(
    client: &Client,
    resume: &Resume,
    held: &Threads,
    zone: &jiff::tz::TimeZone,
) -> Result<Caught, PgError> {
    let next = listen::horizon(client).await?;
    let changes = listen::since(client, &resume.horizon).await?;
    let said = threads::said_since(client, &resume.horizon).await?;
    let threads = unheld_threads(client, held, &said, zone).await?;
    let (saved, notice_mark) = listen::notices_since(client, resume.notice_mark).await?;
    Ok(Caught {
        changes,
        said,
        threads,
        saved,
        resume: Resume {
            horizon: next,
            notice_mark,
        },
    })
}

/// The threads of the notices commented on that are not held yet, read (once per notice).
async fn unheld_threads(
    client: &Client,
    held: &Threads,
    said: &[Said],
    zone: &jiff::tz::TimeZone,
) -> Result<HashMap<String, Entries>, PgError> {
    let mut ids: Vec<&str> = said
        .iter()
        .filter(|c| !held.holds(&NoticeId(c.notice.clone())))
        .map(|c| c.notice.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    threads::read(client, Some(&ids), zone).await
}

/// `job`'s result, or why it failed: a server that stops answering fails it after `limit`.
async fn bounded<T>(limit: Duration, what: &str, job: impl Future<Output = Result<T, PgError>>) -> Result<T, String> {
    match tokio::time::timeout(limit, job).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!(
            "the server did not answer within {} s ({what})",
            limit.as_secs()
        )),
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

//! The imperative shell: wires the poller, the store thread and the terminal to the pure core,
//! and runs the event loop (ARCHITECTURE.md B.4).

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use color_eyre::eyre::{Result, WrapErr, eyre};
use crossterm::event::Event;
use futures::{Stream, StreamExt};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{self, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::app::{AppState, Effect, Keymap, Msg};
use crate::config::{Config, FeedKind};
use crate::export;
use crate::feeds::doffin::{DoffinAdapter, DoffinSettings};
use crate::feeds::http::{HttpFetcher, HttpSettings};
use crate::feeds::ocds::{OcdsAdapter, OcdsSettings};
use crate::feeds::poller::{FeedSpec, PollCommand, PollerLinks, PollerOptions, SaveReport, Scorer, run_poller_with};
use crate::feeds::syndication::{RssAdapter, RssSettings};
use crate::feeds::ted::{TedAdapter, TedSettings};
use crate::feeds::{FeedAdapter, FeedEvent};
use crate::matching::MatcherSet;
use crate::store::{Store, StoreCommand, StoreEvent, StoreHandle};
use crate::ui::{self, RenderContext, Theme, ViewState};

/// Builds the poller's view of the configured feeds.
pub fn feed_specs(config: &Config) -> Vec<FeedSpec> {
    config
        .feeds
        .iter()
        .map(|feed| {
            let adapter: Arc<dyn FeedAdapter> = match feed.kind {
                FeedKind::Ted => {
                    let defaults = TedSettings::default();
                    Arc::new(TedAdapter::new(TedSettings {
                        base_url: feed.base_url.clone(),
                        path: feed.path.clone().unwrap_or(defaults.path),
                        countries: feed.countries.clone(),
                        cpv_families: config.cpv_families(),
                        page_size: feed.page_size,
                    }))
                }
                FeedKind::Doffin => {
                    let api_key_env = feed
                        .api_key_env
                        .clone()
                        .unwrap_or_else(|| DoffinSettings::default().api_key_env);
                    // Keys come from the environment only, never from files in the repo.
                    let api_key = feed
                        .api_key
                        .clone()
                        .or_else(|| std::env::var(&api_key_env).ok())
                        .filter(|k| !k.trim().is_empty());
                    Arc::new(DoffinAdapter::new(DoffinSettings {
                        base_url: feed.base_url.clone(),
                        api_key,
                        api_key_env,
                        search_strings: Vec::new(),
                        cpv_codes: config.cpv_families(),
                        page_size: feed.page_size,
                    }))
                }
                FeedKind::Rss => Arc::new(RssAdapter::new(RssSettings {
                    // The full feed URL, query included (some portals put a saved search there).
                    url: feed.base_url.clone(),
                    source: feed.source.clone().unwrap_or_else(|| RssSettings::default().source),
                })),
                FeedKind::Ocds => {
                    let defaults = OcdsSettings::default();
                    let is_fts = feed.base_url == defaults.base_url;
                    Arc::new(OcdsAdapter::new(OcdsSettings {
                        base_url: feed.base_url.clone(),
                        path: feed.path.clone().unwrap_or(defaults.path),
                        page_size: feed.page_size.min(100),
                        // Find a Tender's releases link no notice page: default its label and template.
                        source: feed.source.clone().unwrap_or_else(|| {
                            if is_fts {
                                defaults.source.clone()
                            } else {
                                "ocds".to_owned()
                            }
                        }),
                        notice_url_template: feed.notice_url.clone().or(if is_fts {
                            defaults.notice_url_template
                        } else {
                            None
                        }),
                    }))
                }
            };
            FeedSpec {
                name: feed.name.clone(),
                adapter,
                interval: feed.interval,
                lookback: config.lookback,
                max_pages: feed.max_pages,
                state: crate::model::FeedState::default(),
            }
        })
        .collect()
}

/// The feeds, each resuming where its last saved poll ended (high-water mark, validators).
fn resumed_specs(config: &Config, store: &Store) -> Result<Vec<FeedSpec>> {
    let mut states = store.load_feed_states().wrap_err("cannot load the feeds' sync state")?;
    let mut specs = feed_specs(config);
    for spec in &mut specs {
        spec.state = states.remove(&spec.name).unwrap_or_default();
    }
    Ok(specs)
}

/// Each feed's name, the `source` its notices carry (`ted`, `doffin`, `fts`, …) and its last saved
/// success, so the sources panel counts stored notices per feed and dates failures before a poll.
fn feed_sources(specs: &[FeedSpec]) -> Vec<crate::app::sources::SourceSetting> {
    specs
        .iter()
        .map(|spec| crate::app::sources::SourceSetting {
            feed: spec.name.clone(),
            source: spec.adapter.kind().to_owned(),
            last_success: spec.state.last_success,
        })
        .collect()
}

/// The scoring function the poller applies at ingest.
///
/// # Errors
/// When the profile does not compile.
pub fn scorer(config: &Config) -> Result<Scorer> {
    let matcher = MatcherSet::new(&config.profiles).wrap_err("a matching profile is invalid")?;
    // Deadline filters are judged at ingest, against the time the notice arrives.
    Ok(Arc::new(move |notice| matcher.evaluate_at(notice, Timestamp::now())))
}

/// The background services the event loop talks to.
pub struct Io {
    /// Refresh requests; bounded and droppable (a queued refresh is as good as two).
    poll_commands: mpsc::Sender<PollCommand>,
    /// The store's answer to each poll, for the poller; unbounded because none may be lost.
    poll_saves: mpsc::UnboundedSender<SaveReport>,
    feed_events: mpsc::Receiver<FeedEvent>,
    store: Option<StoreHandle>,
    store_events: mpsc::Receiver<StoreEvent>,
    exports: JoinSet<Result<(PathBuf, usize), String>>,
    export_dir: PathBuf,
    /// Format, delimiter, BOM and zone for `e`.
    export: export::ExportOptions,
    supervisor: JoinSet<()>,
    cancel: CancellationToken,
    /// Results of small side jobs (an accepted exclusion written, the first desktop-notification
    /// failure: a session without a notification service would otherwise repeat it every poll).
    shell_rx: mpsc::Receiver<Result<String, String>>,
    shell_tx: mpsc::Sender<Result<String, String>>,
    /// Profile files by profile name, for accepted exclusions.
    profile_files: Vec<(String, PathBuf)>,
    notify_failed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Messages produced while performing effects (a failed send), handled before the next draw.
    local: VecDeque<Msg>,
    /// SIGTERM / SIGHUP / SIGINT arrive here as a quit, so the terminal is restored and queued
    /// writes land even when anbud is killed politely or its terminal window is closed.
    signals: mpsc::Receiver<()>,
}

impl Io {
    /// Starts the poller and the store thread.
    ///
    /// # Errors
    /// When the HTTP client or the matcher cannot be built.
    pub fn start(config: &Config, store: Store) -> Result<Io> {
        let specs = resumed_specs(config, &store)?;
        Self::start_with(config, store, specs)
    }

    /// [`Io::start`] with the feeds already resumed from the store.
    fn start_with(config: &Config, store: Store, specs: Vec<FeedSpec>) -> Result<Io> {
        // Room for a few refreshes; they are coalesced by the poller anyway.
        let (poll_tx, poll_rx) = mpsc::channel(8);
        let (save_tx, save_rx) = mpsc::unbounded_channel();
        let (feed_tx, feed_rx) = mpsc::channel(64);
        let (store_tx, store_rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let (shell_tx, shell_rx) = mpsc::channel(8);
        let fetcher =
            HttpFetcher::new(HttpSettings::default()).map_err(|e| eyre!("cannot create the HTTP client: {e}"))?;
        let mut supervisor = JoinSet::new();
        let links = PollerLinks {
            commands: poll_rx,
            saves: Some(save_rx),
            events: feed_tx,
        };
        supervisor.spawn(run_poller_with(
            PollerOptions::default(),
            specs,
            fetcher,
            scorer(config)?,
            links,
            cancel.clone(),
        ));
        Ok(Io {
            poll_commands: poll_tx,
            poll_saves: save_tx,
            feed_events: feed_rx,
            store: Some(StoreHandle::spawn(store, store_tx)),
            store_events: store_rx,
            exports: JoinSet::new(),
            export_dir: config.export_dir.clone(),
            export: export::ExportOptions {
                timezone: config.timezone.clone(),
                delimiter: config.csv_delimiter,
                bom: config.csv_bom,
                columns: config.csv_columns.clone(),
                ..export::ExportOptions::default()
            },
            supervisor,
            cancel,
            local: VecDeque::new(),
            shell_rx,
            shell_tx,
            profile_files: config.profile_files.clone(),
            notify_failed: std::sync::Arc::default(),
            signals: spawn_signal_listener(),
        })
    }

    /// Carries out the core's effects. Never awaits: the UI must not block on I/O.
    pub fn perform(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                // A full queue means a refresh is already waiting: dropping this one is correct.
                Effect::RefreshAll => drop(self.poll_commands.try_send(PollCommand::RefreshAll)),
                Effect::SaveTriage { change, kind, batch } => {
                    let cmd = StoreCommand::SaveTriage {
                        change: change.clone(),
                        kind,
                        batch,
                        at: Timestamp::now(),
                    };
                    if let Err(e) = self.send_store(cmd) {
                        self.local
                            .push_back(Msg::Store(StoreEvent::TriageNotSaved { change, error: e }));
                    }
                }
                Effect::LoadDescriptions(ids) => {
                    if let Err(error) = self.send_store(StoreCommand::LoadDescriptions(ids)) {
                        self.local
                            .push_back(Msg::Store(StoreEvent::DescriptionsLoaded(Err(error))));
                    }
                }
                Effect::MarkSeen(id) => {
                    // Best effort: if it fails, the change shows again after a restart.
                    drop(self.send_store(StoreCommand::MarkSeen { id }));
                }
                Effect::SaveNote { id, note } => {
                    let cmd = StoreCommand::SaveNote {
                        id: id.clone(),
                        note,
                        at: Timestamp::now(),
                    };
                    if let Err(e) = self.send_store(cmd) {
                        self.local
                            .push_back(Msg::Store(StoreEvent::NoteNotSaved { id, error: e }));
                    }
                }
                Effect::Notify { summary, body } => {
                    let (errors, failed) = (self.shell_tx.clone(), self.notify_failed.clone());
                    // Detached: `send` gives up after a few seconds on its own.
                    tokio::spawn(async move {
                        let result = crate::notify::send(&summary, &body).await;
                        if let Err(e) = result
                            && !failed.swap(true, std::sync::atomic::Ordering::Relaxed)
                        {
                            let _ = errors.try_send(Err(format!(
                                "Desktop notification failed — set notify = {{ enabled = false }} to stop trying [{e}]"
                            )));
                        }
                    });
                }
                Effect::AcceptExclusion { profile, term, weight } => {
                    let file = self
                        .profile_files
                        .iter()
                        .find(|(name, _)| *name == profile)
                        .map(|(_, p)| p.clone());
                    let done = self.shell_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let result = match file {
                            Some(path) => crate::config::profile_file::append_exclusion(&path, &term, weight)
                                // The fix first, the path and raw error last (a narrow line cuts those).
                                .map(|_| {
                                    format!("Added exclusion {term:?}, used from the next start: {}", path.display())
                                })
                                .map_err(|e| {
                                    format!(
                                        "Could not add the exclusion {term:?} — is the profile file writable? [{e}]"
                                    )
                                }),
                            None => Err(format!("Profile {profile:?} has no file to add the exclusion to")),
                        };
                        let _ = done.blocking_send(result);
                    });
                }
                Effect::SaveTags(changes) => {
                    let cmd = StoreCommand::SaveTags {
                        changes,
                        at: Timestamp::now(),
                    };
                    self.send_annotation(cmd, "tags");
                }
                Effect::SaveRejectReason { ids, reason } => {
                    let cmd = StoreCommand::SaveRejectReason {
                        ids,
                        reason,
                        at: Timestamp::now(),
                    };
                    self.send_annotation(cmd, "reject reason");
                }
                Effect::SaveFetch { feed, items, at, state } => {
                    if let Err(e) = self.send_store(StoreCommand::SaveFetch {
                        feed: feed.clone(),
                        items,
                        at,
                        state,
                    }) {
                        let event = StoreEvent::FetchNotSaved { feed, error: e };
                        self.report_to_poller(&event);
                        self.local.push_back(Msg::Store(event));
                    }
                }
                Effect::OpenUrl(url) => {
                    let result = crate::browser::open(&url)
                        .map(|()| format!("Opened {url}"))
                        .map_err(|e| format!("Cannot open a browser — y copies the link instead [{e}]"));
                    self.local.push_back(Msg::ShellDone(result));
                }
                Effect::CopyText(text) => {
                    let result = crate::terminal::copy_to_clipboard(&text)
                        .map(|()| format!("Copied {text}"))
                        .map_err(|e| format!("Cannot copy the link — o opens it in the browser [{e}]"));
                    self.local.push_back(Msg::ShellDone(result));
                }
                Effect::Export(records) => {
                    let now = Timestamp::now();
                    let path = self
                        .export_dir
                        .join(export::default_file_name(now, &self.export.timezone));
                    let options = export::ExportOptions {
                        now,
                        ..self.export.clone()
                    };
                    self.exports.spawn_blocking(move || {
                        export::write_file(&path, &records, &options)
                            .map(|n| (path, n))
                            .map_err(|e| e.to_string())
                    });
                }
            }
        }
    }

    /// Re-scores every stored notice with `score` on the store thread (the one writer of the
    /// database), a batch at a time between the other commands; each saved batch reaches the core
    /// as `StoreEvent::Rescored` while the UI keeps running.
    pub fn rescore(&mut self, score: Scorer, fingerprint: String) {
        let cmd = StoreCommand::Rescore {
            score: crate::store::ScoreFn(score),
            fingerprint,
        };
        if let Err(error) = self.send_store(cmd) {
            self.local.push_back(Msg::Store(StoreEvent::Rescored {
                batch: Vec::new(),
                done: Some(Err(error)),
            }));
        }
    }

    /// Asks the store thread for every stored notice (answered with `StoreEvent::Loaded`).
    pub fn load_rest(&mut self) {
        if let Err(error) = self.send_store(StoreCommand::LoadAll) {
            self.local.push_back(Msg::Store(StoreEvent::Loaded(Err(error))));
        }
    }

    /// Queues a tag or reason write; a stopped store is reported like a failed write.
    fn send_annotation(&mut self, cmd: StoreCommand, what: &'static str) {
        if let Err(error) = self.send_store(cmd) {
            self.local
                .push_back(Msg::Store(StoreEvent::AnnotationNotSaved { what, error }));
        }
    }

    /// The next message from a background service. Cancel-safe: every branch is.
    ///
    /// # Errors
    /// When a supervised task (the poller) has ended: the dashboard would silently go stale.
    pub async fn recv(&mut self) -> Result<Msg> {
        if let Some(msg) = self.local.pop_front() {
            return Ok(msg);
        }
        tokio::select! {
            Some(event) = self.feed_events.recv() => Ok(Msg::Feed(event)),
            Some(event) = self.store_events.recv() => {
                self.report_to_poller(&event);
                Ok(Msg::Store(event))
            }
            Some(done) = self.exports.join_next() => Ok(Msg::ExportFinished(done.unwrap_or_else(|e| Err(e.to_string())))),
            Some(result) = self.shell_rx.recv() => Ok(Msg::ShellDone(result)),
            Some(()) = self.signals.recv() => Ok(Msg::Action(crate::app::Action::Quit)),
            Some(task) = self.supervisor.join_next() => Err(eyre!("the feed poller stopped unexpectedly: {task:?}")),
            else => Err(eyre!("every background service has stopped")),
        }
    }

    /// Forwards the store's answer to a poll to the poller, which waits for it: saved, its state
    /// (validators, mark, resume point) is where the next poll starts; not saved, the next poll
    /// starts from the state saved before, so the notices are read again.
    fn report_to_poller(&self, event: &StoreEvent) {
        let report = match event {
            StoreEvent::FetchSaved { feed, state, .. } => SaveReport::Saved {
                feed: feed.clone(),
                state: state.clone(),
            },
            StoreEvent::FetchNotSaved { feed, .. } => SaveReport::NotSaved { feed: feed.clone() },
            _ => return,
        };
        // Fails only once the poller has stopped, which the supervisor reports.
        let _ = self.poll_saves.send(report);
    }

    fn send_store(&self, cmd: StoreCommand) -> Result<(), String> {
        let store = self.store.as_ref().ok_or("the store has shut down")?;
        store.send(cmd).map_err(|e| e.to_string())
    }

    /// Stops the poller and waits until every queued database write is done.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        let _ = time::timeout(std::time::Duration::from_secs(2), async {
            while self.supervisor.join_next().await.is_some() {}
        })
        .await;
        if let Some(store) = self.store.take() {
            let _ = tokio::task::spawn_blocking(move || store.shutdown()).await;
        }
    }
}

/// Listens for termination signals and reports each as one message.
fn spawn_signal_listener() -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel(1);
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        loop {
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
                _ = int.recv() => {}
            }
            if tx.send(()).await.is_err() {
                return;
            }
        }
    });
    #[cfg(not(unix))]
    drop(tx);
    rx
}

/// The event loop: draw, wait for one message, update, perform, repeat until the user quits.
///
/// # Errors
/// When drawing fails or a background task dies.
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut input: impl Stream<Item = io::Result<Event>> + Unpin,
    core: &mut AppState,
    io: &mut Io,
    keymap: &Keymap,
    ctx: RenderContext<'_>,
) -> Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut view = ViewState::default();
    let mut clock = time::interval(std::time::Duration::from_secs(1));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    while core.is_running() {
        terminal
            .draw(|frame| ui::render(frame, core, &mut view, ctx))
            .wrap_err("cannot draw")?;
        if let Some(list_rows) = view.take_viewport_change() {
            io.perform(core.update(Msg::ViewportChanged { list_rows }));
        }
        let msg = tokio::select! {
            event = input.next() => match event {
                Some(event) => {
                    let event = event.wrap_err("cannot read the terminal")?;
                    match view.click(&event).or_else(|| keymap.translate(&event, core)) {
                        Some(msg) => msg,
                        None => continue,
                    }
                }
                None => break,
            },
            msg = io.recv() => msg?,
            _ = clock.tick() => Msg::ClockTicked(Timestamp::now()),
        };
        io.perform(core.update(msg));
        while let Some(msg) = io.local.pop_front() {
            io.perform(core.update(msg));
        }
    }
    Ok(())
}

/// How many of the best-scored notices the first frame is drawn from (a screen needs ~50; the rest
/// covers the first tabs a user opens while the store reads everything).
const FIRST_SCREEN: usize = 2_000;

/// The records the first frame is drawn from (the best-scored [`FIRST_SCREEN`]), and whether there
/// are more: then the store thread reads the rest (`StoreCommand::LoadAll`) while the user looks.
///
/// # Errors
/// When the store cannot be read.
pub fn first_screen(store: &Store) -> Result<(Vec<crate::model::NoticeRecord>, bool), crate::store::StoreError> {
    let records = store.load_best(FIRST_SCREEN)?;
    let partial = records.len() == FIRST_SCREEN;
    Ok((records, partial))
}

/// Opens the dashboard on the real terminal and runs it until the user quits.
///
/// # Errors
/// When the terminal or a background task fails.
pub async fn dashboard(config: &Config, store: Store) -> Result<()> {
    let (records, partial) = first_screen(&store).wrap_err("cannot load saved notices")?;
    // Scores computed with other profiles (or another version's matcher) are redone in the background.
    let fingerprint = crate::matching::set::fingerprint(&config.profiles);
    let rescore = store.scored_with().wrap_err("cannot read the database")?.as_deref() != Some(fingerprint.as_str());
    let feeds: Vec<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
    // Undo and redo reach back into earlier sessions (kept to the last 500 decisions).
    let specs = resumed_specs(config, &store)?;
    let history = store.load_history(500).wrap_err("cannot load the decisions log")?;
    let mut core = AppState::new(records, &feeds, Timestamp::now())
        .with_history(history)
        .with_reject_reasons(config.reject_reasons.clone())
        .with_notifications(config.notify_min_score)
        .with_source_settings(&feed_sources(&specs), config.stale_after);
    if let Some(first) = config.profiles.first() {
        let writable = config.profile_files.iter().any(|(name, _)| *name == first.name);
        core = core.with_suggestions_for(first.clone(), writable);
    }
    if partial {
        core = core.loading_rest();
    }
    let mut io = Io::start_with(config, store, specs)?;
    if partial {
        io.load_rest();
    }
    if rescore {
        io.rescore(scorer(config)?, fingerprint);
    }
    let keymap = Keymap::default().with_overrides(&config.keys);
    let theme = Theme::from_env(config.palette);
    let ctx = RenderContext {
        theme: &theme,
        keymap: &keymap,
        tz: &config.timezone,
    };
    let mut terminal = crate::terminal::init().wrap_err("cannot start the full-screen terminal (is this a TTY?)")?;
    let result = run(
        &mut terminal,
        crossterm::event::EventStream::new(),
        &mut core,
        &mut io,
        &keymap,
        ctx,
    )
    .await;
    crate::terminal::restore();
    io.shutdown().await;
    result
}

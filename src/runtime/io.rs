//! The background services the event loop talks to, and the one place the core's effects are
//! carried out (ARCHITECTURE.md B.4: I/O at the edges).

use std::collections::VecDeque;
use std::path::PathBuf;

use color_eyre::eyre::{Result, eyre};
use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time;
use tokio_util::sync::CancellationToken;

use super::setup::{Backend, resumed_specs, scorer};
use super::signals::spawn_signal_listener;
use super::store_effects::{NotSent, store_command};
use crate::app::{Effect, Msg};
use crate::config::Config;
use crate::export;
use crate::feeds::FeedEvent;
use crate::feeds::http::{HttpFetcher, HttpSettings};
use crate::feeds::poller::{FeedSpec, PollCommand, PollerLinks, PollerOptions, SaveReport, Scorer, run_poller_with};
use crate::store::{Store, StoreCommand, StoreEvent, StoreHandle};

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
    pub(super) local: VecDeque<Msg>,
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
        Self::start_with(config, Backend::Sqlite(store), specs)
    }

    /// [`Io::start`] with the feeds already resumed from the store, on either backend.
    pub(super) fn start_with(config: &Config, backend: Backend, specs: Vec<FeedSpec>) -> Result<Io> {
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
            store: Some(backend.spawn(store_tx)),
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
            let effect = match store_command(effect, Timestamp::now()) {
                Ok(cmd) => {
                    let not_sent = NotSent::of(&cmd);
                    if let Err(error) = self.send_store(cmd)
                        && let Some(event) = not_sent.event(error)
                    {
                        self.report_to_poller(&event);
                        self.local.push_back(Msg::Store(event));
                    }
                    continue;
                }
                Err(effect) => effect,
            };
            match effect {
                // The store's, sent above.
                Effect::SaveTriage { .. }
                | Effect::LoadDescriptions(_)
                | Effect::MarkSeen(_)
                | Effect::SaveNote { .. }
                | Effect::SaveAssignee { .. }
                | Effect::SaveTags(_)
                | Effect::SaveRejectReason { .. }
                | Effect::SaveFetch { .. }
                | Effect::SaveAwards { .. } => {}
                // A full queue means a refresh is already waiting: dropping this one is correct.
                Effect::RefreshAll => drop(self.poll_commands.try_send(PollCommand::RefreshAll)),
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
                Effect::FetchAwardValues(ids) => {
                    // Awaited in a task: the loop never awaits, and this request must not be
                    // dropped like a surplus refresh (nothing would ask again).
                    let commands = self.poll_commands.clone();
                    tokio::spawn(async move { commands.send(PollCommand::FetchAwardValues(ids)).await });
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

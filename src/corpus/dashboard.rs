//! The dashboard headless at scale, for start-up, frame-time and memory measurements: the real
//! store load, `AppState::new` and `ui::render` on a ratatui `TestBackend`, no terminal.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::{Corpus, fill};
use crate::app::{AppState, Keymap, Msg};
use crate::matching::MatcherSet;
use crate::store::Store;
use crate::ui::{self, RenderContext, Theme, ViewState};

/// A dashboard drawn into memory.
pub struct Dashboard {
    /// The core, as the event loop holds it.
    pub state: AppState,
    terminal: Terminal<TestBackend>,
    view: ViewState,
    theme: Theme,
    keymap: Keymap,
    tz: TimeZone,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dashboard").finish_non_exhaustive()
    }
}

impl Dashboard {
    /// A dashboard with every stored record loaded: [`Dashboard::open_first`], then
    /// [`Dashboard::finish_loading`].
    ///
    /// # Errors
    /// The store's or the terminal's error, as text.
    pub fn open(path: &Path, width: u16, height: u16, now: Timestamp) -> Result<Dashboard, String> {
        let mut dashboard = Self::open_first(path, width, height, now)?;
        dashboard.finish_loading(path)?;
        Ok(dashboard)
    }

    /// What `anbud` does before its first frame (`runtime::Startup::prepare`, with the bundled
    /// config's TED feed): opens the store at `path`, loads the best-scored notices and the
    /// decision log, builds the core, and draws one `width` × `height` frame. The rest is still to
    /// load, as in the dashboard.
    ///
    /// # Errors
    /// The store's or the terminal's error, as text.
    pub fn open_first(path: &Path, width: u16, height: u16, now: Timestamp) -> Result<Dashboard, String> {
        let store = Store::open(path).map_err(|e| e.to_string())?;
        let state = crate::runtime::Startup::prepare(&bench_config()?, store, now)
            .map_err(|e| format!("{e:#}"))?
            .core;
        let terminal = Terminal::new(TestBackend::new(width, height)).map_err(|e| e.to_string())?;
        let mut dashboard = Dashboard {
            state,
            terminal,
            view: ViewState::default(),
            theme: Theme::new(true),
            keymap: Keymap::default(),
            tz: TimeZone::get("Europe/Oslo").unwrap_or(TimeZone::UTC),
        };
        dashboard.draw()?;
        Ok(dashboard)
    }

    /// What the store thread does after the first frame: reads every record and hands them to the
    /// core (`StoreEvent::Loaded`), then one frame.
    ///
    /// # Errors
    /// The store's or the terminal's error, as text.
    pub fn finish_loading(&mut self, path: &Path) -> Result<(), String> {
        if !self.state.is_loading() {
            return Ok(());
        }
        let store = Store::open(path).map_err(|e| e.to_string())?;
        let loaded = store.load_records_without_descriptions().map_err(|e| e.to_string());
        let _ = self.state.update(Msg::Store(crate::store::StoreEvent::Loaded(loaded)));
        self.draw()
    }

    /// One frame, then the viewport size fed back to the core as the event loop does.
    ///
    /// # Errors
    /// The terminal's error, as text.
    pub fn draw(&mut self) -> Result<(), String> {
        let ctx = RenderContext {
            theme: &self.theme,
            keymap: &self.keymap,
            tz: &self.tz,
        };
        let (state, view) = (&self.state, &mut self.view);
        self.terminal
            .draw(|frame| ui::render(frame, state, view, ctx))
            .map_err(|e| e.to_string())?;
        if let Some(list_rows) = self.view.take_viewport_change() {
            let _ = self.state.update(Msg::ViewportChanged { list_rows });
        }
        Ok(())
    }

    /// One message into the core (effects are dropped: there is no store thread), then one frame.
    ///
    /// # Errors
    /// As [`Dashboard::draw`].
    pub fn handle(&mut self, msg: Msg) -> Result<(), String> {
        let _ = self.state.update(msg);
        self.draw()
    }
}

/// The bundled configuration with its TED feed only: the generated notices are TED's.
fn bench_config() -> Result<crate::config::Config, String> {
    let mut config = crate::config::load(None).map_err(|e| e.to_string())?;
    config.feeds.retain(|feed| feed.kind() == crate::config::FeedKind::Ted);
    Ok(config)
}

/// A store at `path` holding `notices` generated notices (seed `corpus.seed()`), built once and
/// reused while its marker file (`path` + `.done`) says it holds exactly that corpus.
///
/// # Errors
/// As [`fill::fill_store`], or when the old database cannot be removed.
pub fn ensure_store(path: &Path, corpus: &Corpus, notices: u64, matcher: &MatcherSet) -> Result<PathBuf, String> {
    let marker = path.with_extension("done");
    let want = format!("notices {notices} seed {}\n", corpus.seed());
    if path.exists() && std::fs::read_to_string(&marker).ok().as_deref() == Some(want.as_str()) {
        return Ok(path.to_path_buf());
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(&file).map_err(|e| format!("cannot remove {}: {e}", file.display()))?;
        }
    }
    let _ = std::fs::remove_file(&marker);
    let mut store = Store::open(path).map_err(|e| e.to_string())?;
    fill::fill_store(&mut store, corpus, notices, matcher, 50_000, |_| {})?;
    drop(store);
    std::fs::write(&marker, want).map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    Ok(path.to_path_buf())
}

/// This process's resident memory now and at its peak (`VmRSS`, `VmHWM` from `/proc/self/status`),
/// in bytes; `None` where there is no `/proc`.
pub fn memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// `d` in milliseconds with two decimals, for reports.
pub fn millis(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

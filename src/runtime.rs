//! The imperative shell: the event loop that wires the terminal to the pure core (ARCHITECTURE.md
//! B.4). What it runs on is built in `runtime/setup.rs` (the one start-up sequence, [`Startup`]),
//! the background services and the effects they carry out in `runtime/io.rs` ([`Io`]), termination
//! signals in `runtime/signals.rs`.

mod io;
mod setup;
mod signals;
pub mod store_effects;

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::Event;
use futures::{Stream, StreamExt};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::time::{self, MissedTickBehavior};

pub use self::io::Io;
pub use self::setup::{Startup, feed_specs, first_screen, scorer};
use crate::app::{AppState, Keymap, Msg};
use crate::config::Config;
use crate::store::Store;
use crate::ui::{self, RenderContext, Theme, ViewState};

/// The event loop: draw, wait for one message, update, perform, repeat until the user quits.
///
/// # Errors
/// When drawing fails or a background task dies.
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut input: impl Stream<Item = std::io::Result<Event>> + Unpin,
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

/// Opens the dashboard on the real terminal and runs it until the user quits.
///
/// # Errors
/// When the terminal or a background task fails.
pub async fn dashboard(config: &Config, store: Store) -> Result<()> {
    show(config, Startup::prepare(config, store, Timestamp::now())?).await
}

/// Opens the dashboard on a team's shared PostgreSQL database (team mode).
///
/// # Errors
/// When the server cannot be reached or is not initialised, or the terminal fails.
pub async fn team_dashboard(config: &Config, db: &crate::config::database::Database) -> Result<()> {
    show(config, Startup::prepare_team(config, db, Timestamp::now()).await?).await
}

/// Runs the dashboard from `startup` until the user quits.
async fn show(config: &Config, startup: Startup) -> Result<()> {
    let (mut core, mut io) = startup.start(config)?;
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

//! Entering and leaving the full-screen terminal, on every exit path including panics.

use std::io::{self, stdout};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use ratatui::DefaultTerminal;

/// Enters raw mode and the alternate screen with mouse capture.
///
/// `ratatui::try_init` installs a panic hook that restores raw mode and the alternate screen; it
/// does not know about mouse capture, so one more hook turns that off before chaining.
///
/// # Errors
/// When the terminal cannot be set up (not a TTY).
pub fn init() -> io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
    execute!(stdout(), EnableMouseCapture)?;
    Ok(terminal)
}

/// Leaves the full-screen mode. Never panics; errors are printed by ratatui.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}

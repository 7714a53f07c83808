//! The message log (`M`): every status message with its time, newest first; and the wording of the
//! messages whose meaning depends on what was asked (what an export held, what an undo restored).
//!
//! Pure: the time is the core's `now`, the log is capped so a long session cannot grow it forever.

use super::state::AppState;
use super::status::StatusMessage;
use super::view::Mode;

pub use super::message_log::MessageLog;

impl AppState {
    /// The message log.
    pub fn message_log(&self) -> &MessageLog {
        &self.log
    }

    /// How far the help overlay is scrolled (the renderer stops at the end of the text).
    pub fn help_scroll(&self) -> u16 {
        self.screen.help_scroll
    }

    /// Files the status message `update` just set, if it set one; keeps the old one otherwise.
    /// Setting the same text again (a second `S`) is a new message and is logged again.
    pub(crate) fn log_status(&mut self, before: Option<StatusMessage>) {
        match &self.status {
            Some(message) => self.log.push(self.now, message.clone()),
            None => self.status = before,
        }
    }

    /// Opens or closes the message log, at its newest message.
    pub(crate) fn toggle_messages(&mut self) {
        self.screen.mode = if self.screen.mode == Mode::Messages {
            Mode::List
        } else {
            self.log.scroll = 0;
            Mode::Messages
        };
    }

    /// Moves through the help or the message log when one is open; `false` when neither is, so
    /// the key moves the list's cursor as usual.
    pub(crate) fn scroll_overlay(&mut self, action: super::msg::Action) -> bool {
        use super::msg::Action as A;
        if !action.moves_cursor() {
            return false;
        }
        let page = usize::from(self.screen.list_rows.max(1));
        let step = |at: usize, max: usize| -> usize {
            match action {
                A::SelectNext => at.saturating_add(1),
                A::SelectPrevious => at.saturating_sub(1),
                A::PageDown => at.saturating_add(page),
                A::PageUp => at.saturating_sub(page),
                A::SelectFirst => 0,
                // SelectLast.
                _ => max,
            }
            .min(max)
        };
        match self.screen.mode {
            Mode::Messages => {
                self.log.scroll = step(self.log.scroll, self.log.len().saturating_sub(1));
                true
            }
            Mode::Help => {
                // The core does not know the help's height; the renderer stops at its end.
                let max = usize::from(u16::MAX);
                self.screen.help_scroll =
                    u16::try_from(step(usize::from(self.screen.help_scroll), max)).unwrap_or(u16::MAX);
                true
            }
            _ => false,
        }
    }
}

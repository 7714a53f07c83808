//! The status line's message and the helpers that make one. A leaf: every part of the core reports
//! through these.

/// Severity of a status message (drives its colour).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLevel {
    /// Something happened as asked.
    Info,
    /// Something went wrong and the user should know.
    Error,
}

/// A transient message on the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    /// The text.
    pub text: String,
    /// How loud.
    pub level: StatusLevel,
}

/// An informational status message.
pub(crate) fn info(text: String) -> StatusMessage {
    StatusMessage {
        text,
        level: StatusLevel::Info,
    }
}

/// A status message about something that went wrong.
pub(crate) fn error(text: String) -> StatusMessage {
    StatusMessage {
        text,
        level: StatusLevel::Error,
    }
}

/// Cuts `text` to at most `max` characters, marking the cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

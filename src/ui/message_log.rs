//! The message log (`M`): every status message of the session with its time, newest first, whole
//! (wrapped, never cut), scrolled with the list's movement keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::RenderContext;
use crate::app::{AppState, StatusLevel};

/// Draws the log over `area`, leaving a one-cell margin.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let log = state.message_log();
    let width = area.width.saturating_sub(2).min(120);
    let height = area.height.saturating_sub(2);
    let popup = super::clear_centered(frame, area, width, height);
    let title = if log.is_empty() {
        " Messages — Esc, q or M closes ".to_owned()
    } else {
        format!(
            " Messages {}/{} (newest first) — j/k scroll · Esc, q or M closes ",
            log.scroll() + 1,
            log.len()
        )
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if log.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled(" No messages yet this session.", theme.muted())),
            inner,
        );
        return;
    }
    // Wrapped under the text, not under the time, so the times stay a column.
    let text_width = usize::from(inner.width).saturating_sub(TIME_WIDTH + 1).max(10);
    let mut lines: Vec<Line> = Vec::new();
    // More than a screen can hold is never built (the log keeps hundreds).
    for (at, message) in log.entries().skip(log.scroll()) {
        if lines.len() >= usize::from(inner.height) {
            break;
        }
        let time = at.to_zoned(ctx.tz.clone()).strftime("%H:%M:%S").to_string();
        let style = match message.level {
            StatusLevel::Info => ratatui::style::Style::new(),
            StatusLevel::Error => theme.error(),
        };
        for (i, row) in super::sources::wrap(&message.text, text_width).into_iter().enumerate() {
            let lead = if i == 0 {
                format!(" {time}  ")
            } else {
                " ".repeat(TIME_WIDTH)
            };
            lines.push(Line::from(vec![
                Span::styled(lead, theme.muted()),
                Span::styled(row, style),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// " HH:MM:SS  ".
const TIME_WIDTH: usize = 11;

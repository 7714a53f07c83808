//! The bottom two lines: what each feed is doing, and the last message with a key hint.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::RenderContext;
use super::deadline::local_time;
use crate::app::{AppState, SourceStatus, StatusLevel};

/// Draws the status lines.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let [sources, message] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let clock = |at| local_time(at, ctx.tz).get(11..).unwrap_or_default().to_owned();
    let mut spans = Vec::new();
    for (name, status) in state.sources() {
        if !spans.is_empty() {
            spans.push(Span::raw(" │ "));
        }
        let (text, style) = match status {
            SourceStatus::Idle => (format!("{name}: waiting"), theme.muted()),
            SourceStatus::Fetching { .. } => (format!("{name}: polling…"), theme.key()),
            // Compact: several feeds share one line; the next poll time matters less than failures.
            SourceStatus::Ok { at, new, total, .. } => {
                (format!("{name}: ✓ {} · {new} new of {total}", clock(*at)), theme.ok())
            }
            SourceStatus::Failed { message, retry_at, .. } => {
                // Retry time first: a long error message is cut at the right edge, the time must not be.
                (
                    format!("{name}: ✗ retry {} — {message}", clock(*retry_at)),
                    theme.error(),
                )
            }
            SourceStatus::Inactive { message } => (format!("{name}: inactive — {message}"), theme.muted()),
        };
        spans.push(Span::styled(text, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), sources);

    let mut line = Vec::new();
    if let Some(status) = state.status() {
        let style = match status.level {
            StatusLevel::Info => ratatui::style::Style::new(),
            StatusLevel::Error => theme.error(),
        };
        line.push(Span::styled(status.text.clone(), style));
    }
    let mut hint = Vec::new();
    if state.marked_count() > 0 {
        hint.push(Span::styled(
            format!("{} marked · Esc clears  ", state.marked_count()),
            theme.key(),
        ));
    }
    hint.extend([Span::styled("?", theme.key()), Span::styled(" help ", theme.muted())]);
    let hint = Line::from(hint).right_aligned();
    frame.render_widget(Paragraph::new(Line::from(line)), message);
    frame.render_widget(Paragraph::new(hint), message);
}

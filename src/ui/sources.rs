//! The sources panel (`F`): per feed, what it is doing, its last success and last error with the
//! fix, when it polls next, how many notices it brought, and whether it looks stale.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::RenderContext;
use super::deadline::local_time;
use super::theme::Theme;
use crate::app::AppState;
use crate::app::sources::{HealthState, SourceHealth, span};

/// Width of the label column ("last success ").
const LABEL: usize = 13;
/// Indent of the lines under a feed's name.
const INDENT: usize = 2;

/// Draws the panel over `area`, leaving a one-cell margin, as tall as its content needs.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let width = area.width.saturating_sub(2).min(110);
    let max_rows = usize::from(area.height.saturating_sub(4));
    // Inside the borders, less a column so wrapped text never touches the right border.
    let text_width = usize::from(width.saturating_sub(3));
    let now = state.now();
    let health = state.source_health();
    let blocks: Vec<Vec<Line>> = health
        .iter()
        .map(|feed| feed_lines(feed, now, ctx.tz, ctx.theme, text_width))
        .collect();
    // A blank line between feeds when there is room for it; none on a small terminal.
    let spaced = blocks.iter().map(Vec::len).sum::<usize>() + blocks.len().saturating_sub(1) <= max_rows;
    let mut lines = Vec::new();
    for (i, block) in blocks.into_iter().enumerate() {
        if i > 0 && spaced {
            lines.push(Line::default());
        }
        lines.extend(block);
    }
    if health.is_empty() {
        lines.push(Line::styled(" No feeds are configured.", ctx.theme.muted()));
    }
    let height = u16::try_from(lines.len().min(max_rows) + 2).unwrap_or(u16::MAX);
    let popup = super::clear_centered(frame, area, width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Sources — F or Esc closes · r polls every feed now ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let rows = usize::from(inner.height);
    if lines.len() > rows && rows > 0 {
        // Say that something is cut rather than hide it silently.
        let hidden = lines.len() - (rows - 1);
        lines.truncate(rows - 1);
        lines.push(Line::styled(
            format!(" … {hidden} more lines: a taller terminal shows them"),
            ctx.theme.muted(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// One feed's block: a header line, then labelled lines wrapped under their label.
fn feed_lines(feed: &SourceHealth, now: Timestamp, tz: &TimeZone, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let when = |at: Timestamp| format!("{} ({})", clock(at, now, tz), relative(at, now));
    let state_style = match feed.state {
        HealthState::Ok => theme.ok(),
        HealthState::Failing => theme.error(),
        HealthState::Polling => theme.key(),
        HealthState::Waiting | HealthState::Inactive => theme.muted(),
    };
    let mut header = vec![
        Span::raw(" "),
        Span::styled(feed.name.clone(), theme.title().add_modifier(Modifier::BOLD)),
        Span::raw("  "),
        Span::styled(feed.state.label().to_owned(), state_style),
    ];
    if let Some(since) = feed.failing_since {
        header.push(Span::styled(format!(" since {}", clock(since, now, tz)), state_style));
    }
    if let Some(next) = feed.next_at.filter(|_| feed.state != HealthState::Polling) {
        let what = if feed.state == HealthState::Failing {
            "retry"
        } else {
            "next poll"
        };
        header.push(Span::styled(format!(" · {what} {}", when(next)), theme.muted()));
    }
    if feed.stale.is_some() {
        header.push(Span::styled(" · looks stale", theme.urgent()));
    }
    let mut lines = vec![Line::from(header)];
    let mut field = |label: &str, text: String, style: Style| {
        lines.extend(labelled(label, &text, style, theme, width));
    };
    if let Some(reason) = &feed.inactive {
        field("why", reason.clone(), Style::new());
    }
    if let Some(ok) = feed.last_success {
        field(
            "last success",
            format!("{} — {} new of {} fetched", when(ok.at), ok.new, ok.fetched),
            Style::new(),
        );
    } else if let Some(at) = feed.saved_success {
        field(
            "last success",
            format!("{}, before this session", when(at)),
            Style::new(),
        );
    }
    let session = match feed.state {
        _ if feed.last_success.is_some() => format!("{} fetched, {} new this session", feed.fetched, feed.new),
        HealthState::Inactive => "not polled".to_owned(),
        HealthState::Waiting | HealthState::Polling => "not polled yet this session".to_owned(),
        HealthState::Failing | HealthState::Ok => "no successful poll this session".to_owned(),
    };
    let newest = feed
        .newest_published
        .map(|at| format!(", newest {}", day(at, tz)))
        .unwrap_or_default();
    field(
        "notices",
        format!("{session} · {} stored{newest}", feed.stored),
        Style::new(),
    );
    if let Some(failure) = &feed.last_failure {
        let (text, style) = if feed.state == HealthState::Failing {
            (format!("{}: {}", when(failure.at), failure.message), theme.error())
        } else {
            (
                format!("{} (recovered since): {}", when(failure.at), failure.message),
                theme.muted(),
            )
        };
        field("last error", text, style);
    }
    if let Some(stale) = &feed.stale {
        field("looks stale", stale.clone(), theme.urgent());
    }
    for warning in &feed.warnings {
        field("warning", warning.clone(), theme.urgent());
    }
    lines
}

/// `label` in its column, then `text` word-wrapped to `width`, continuation lines under the text.
fn labelled(label: &str, text: &str, style: Style, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let lead = INDENT + LABEL;
    let rows = wrap(text, width.saturating_sub(lead).max(20));
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let label = if i == 0 { label } else { "" };
            Line::from(vec![
                Span::raw(" ".repeat(INDENT)),
                Span::styled(format!("{label:<LABEL$}"), theme.label()),
                Span::styled(row, style),
            ])
        })
        .collect()
}

/// Word-wraps `text` into rows at most `width` columns wide; a word longer than a row is split.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split_whitespace() {
        let needed = if row.is_empty() {
            word.width()
        } else {
            row.width() + 1 + word.width()
        };
        if needed > width && !row.is_empty() {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        for c in word.chars() {
            if row.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > width {
                rows.push(std::mem::take(&mut row));
            }
            row.push(c);
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(row);
    }
    rows
}

/// `HH:MM` on the same local day as `now`, else the date too.
fn clock(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let full = local_time(at, tz);
    if day(at, tz) == day(now, tz) {
        full.get(11..).unwrap_or(&full).to_owned()
    } else {
        full
    }
}

/// The local date, `YYYY-MM-DD`.
fn day(at: Timestamp, tz: &TimeZone) -> String {
    let full = local_time(at, tz);
    full.get(..10).unwrap_or(&full).to_owned()
}

/// "in 15 min", "5 min ago", "3 days ago", "just now".
fn relative(at: Timestamp, now: Timestamp) -> String {
    let secs = at.as_second() - now.as_second();
    if secs.abs() < 60 {
        return if secs > 0 { "in under a minute" } else { "just now" }.to_owned();
    }
    let text = match secs.unsigned_abs() {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => span(std::time::Duration::from_secs(s)),
    };
    if secs > 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole_and_splits_only_words_longer_than_a_row() {
        assert_eq!(
            wrap("HTTP 401 from Doffin: refused", 12),
            ["HTTP 401", "from Doffin:", "refused"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10), [""]);
    }

    #[test]
    fn relative_times_read_both_ways() {
        let now: Timestamp = "2026-11-22T12:00:00Z".parse().expect("valid");
        let later: Timestamp = "2026-11-22T12:15:00Z".parse().expect("valid");
        assert_eq!(relative(later, now), "in 15 min");
        assert_eq!(relative(now, later), "15 min ago");
        assert_eq!(relative(now, now), "just now");
        let soon: Timestamp = "2026-11-22T12:00:30Z".parse().expect("valid");
        assert_eq!(relative(soon, now), "in under a minute");
    }
}

//! The bottom two lines: what each feed is doing, and the last message with a key hint.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::RenderContext;
use super::deadline::local_time;
use crate::app::refresh::RoundStep;
use crate::app::{AppState, SourceStatus, StatusLevel};

/// Draws the status lines.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let [sources, message] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let clock = |at| local_time(at, ctx.tz).get(11..).unwrap_or_default().to_owned();
    let health = state.source_health();
    let stale = |name: &str| health.iter().any(|h| h.name == name && h.stale.is_some());
    let entry = |name: &str, status: &SourceStatus, compact: bool| -> (String, ratatui::style::Style) {
        match status {
            SourceStatus::Idle => (format!("{name}: waiting"), theme.muted()),
            SourceStatus::Fetching { .. } => (format!("{name}: polling…"), theme.key()),
            SourceStatus::Ok { .. } if stale(name) => (format!("{name}: ✓ but looks stale"), theme.urgent()),
            SourceStatus::Ok { .. } if compact => (format!("{name} ✓"), theme.ok()),
            SourceStatus::Ok { at, new, total, .. } => {
                (format!("{name}: ✓ {} · {new} new of {total}", clock(*at)), theme.ok())
            }
            // Retry time first: a long error message is cut at the right edge, the time must not be.
            SourceStatus::Failed { message, retry_at, .. } => (
                format!("{name}: ✗ retry {} — {message}", clock(*retry_at)),
                theme.error(),
            ),
            SourceStatus::Inactive { message } => (format!("{name}: inactive — {message}"), theme.muted()),
        }
    };
    // Feeds that need attention come first, so a narrow terminal never hides a failure; healthy
    // feeds shrink to "TED ✓" when the full line does not fit.
    let statuses = state.sources();
    let mut feeds: Vec<&(String, SourceStatus)> = statuses.iter().collect();
    feeds.sort_by_key(|(_, s)| !matches!(s, SourceStatus::Failed { .. } | SourceStatus::Inactive { .. }));
    // During a refresh round (`r`): how far it is, and which feeds it still waits to start.
    let round = state.refresh_round();
    let queued = |name: &str| {
        round.is_some_and(|r| {
            r.feeds()
                .iter()
                .any(|(feed, step)| feed == name && *step == RoundStep::Queued)
        })
    };
    // Each span, and whether it is a failed feed's entry (whose long error may be cut).
    let build = |compact: bool| -> Vec<(Span<'static>, bool)> {
        let mut spans = Vec::new();
        // Team mode: an unreachable server first, where no width cuts it off.
        if let Some(since) = state.offline_since() {
            spans.push((
                Span::styled(format!("OFFLINE since {} — read-only", clock(since)), theme.error()),
                false,
            ));
        }
        if let Some(round) = round {
            spans.push((
                Span::styled(
                    format!("Refresh {}/{}", round.answered(), round.feeds().len()),
                    theme.key(),
                ),
                false,
            ));
        }
        for (name, status) in &feeds {
            if !spans.is_empty() {
                spans.push((Span::raw(" │ "), false));
            }
            let (text, style) = if queued(name) {
                (format!("{name}: queued"), theme.muted())
            } else {
                entry(name, status, compact)
            };
            let failed = matches!(status, SourceStatus::Failed { .. });
            spans.push((Span::styled(text, style), failed));
        }
        spans
    };
    let width_of = |spans: &[(Span, bool)]| spans.iter().map(|(s, _)| s.width()).sum::<usize>();
    let width = usize::from(sources.width);
    let mut spans = build(false);
    if width_of(&spans) > width {
        spans = build(true);
    }
    // Still too wide: the long error texts share what the other feeds leave (at least half the
    // line), each cut where it loses least (`fit`), so the other feeds stay in sight.
    let failures = spans.iter().filter(|(_, failed)| *failed).count();
    if failures > 0 && width_of(&spans) > width {
        let fixed: usize = spans.iter().filter(|(_, failed)| !failed).map(|(s, _)| s.width()).sum();
        let room = (width.saturating_sub(fixed).max(width / 2) / failures).max(24);
        for (span, _) in spans.iter_mut().filter(|(_, failed)| *failed) {
            span.content = super::fit::fit(&span.content, room).into();
        }
    }
    let spans: Vec<Span> = spans.into_iter().map(|(span, _)| span).collect();
    frame.render_widget(Paragraph::new(Line::from(spans)), sources);

    let mut hint = Vec::new();
    if state.marked_count() > 0 {
        hint.push(Span::styled(
            format!("{} marked · Esc clears  ", state.marked_count()),
            theme.key(),
        ));
    }
    // A failing, stale or warned-about feed points at the panel that explains it.
    if health.iter().any(crate::app::sources::SourceHealth::needs_attention) {
        hint.extend([
            Span::styled("F", theme.key()),
            Span::styled(": sources  ", theme.error()),
        ]);
    }
    // The Market screen's key, as bound (it has no tab of its own in the tab line), once there are
    // awards to look at: without any the line keeps its room for messages.
    let market = ctx
        .keymap
        .bindings()
        .iter()
        .find(|b| b.action == crate::app::Action::ToggleMarket)
        .filter(|_| !state.market().awards().is_empty());
    if let Some(market) = market {
        hint.extend([
            Span::styled(crate::app::keymap::key_label(market), theme.key()),
            Span::styled(" market  ", theme.muted()),
        ]);
    }
    hint.extend([Span::styled("?", theme.key()), Span::styled(" help ", theme.muted())]);
    let hint = Line::from(hint).right_aligned();
    let mut line = Vec::new();
    if let Some(status) = state.status() {
        let style = match status.level {
            StatusLevel::Info => ratatui::style::Style::new(),
            StatusLevel::Error => theme.error(),
        };
        // The hint is drawn over the line's end: the message gets what is left, cut where it
        // loses least (see `fit`); `M` shows it whole.
        let room = usize::from(message.width).saturating_sub(hint.width() + 1);
        line.push(Span::styled(super::fit::fit(&status.text, room), style));
    }
    frame.render_widget(Paragraph::new(Line::from(line)), message);
    frame.render_widget(Paragraph::new(hint), message);
}

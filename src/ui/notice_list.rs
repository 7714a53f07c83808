//! The table of notices in the current tab.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};

use super::RenderContext;
use super::deadline::{Urgency, countdown};
use super::highlight;
use crate::app::{AppState, SourceStatus, View};
use crate::model::Triage;

/// Draws the list and returns how many rows fit (for page up/down). `first_row` is the scroll
/// position, kept between frames and moved only as far as needed to show the cursor.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, first_row: &mut usize, ctx: RenderContext<'_>) -> u16 {
    let theme = ctx.theme;
    let rows_fit = area.height.saturating_sub(1);
    if state.visible().is_empty() {
        let text = empty_text(state);
        frame.render_widget(
            Paragraph::new(text).style(theme.muted()).wrap(Wrap { trim: true }),
            area,
        );
        return rows_fit;
    }
    let now = state.now();
    // Only the rows on screen are built: a tab can hold 100,000 notices, a frame shows ~40.
    let visible = state.visible();
    let height = usize::from(rows_fit).max(1);
    let selected = state.selected_row();
    let mut start = (*first_row).min(visible.len().saturating_sub(height));
    if let Some(row) = selected {
        if row < start {
            start = row;
        } else if row >= start + height {
            start = row + 1 - height;
        }
    }
    *first_row = start;
    let window = &visible[start..(start + height).min(visible.len())];
    let rows = window.iter().map(|row| {
        let record = state.record(row);
        let (triage, pending) = state.effective_triage(record);
        let mark = match (pending, triage) {
            (true, _) => Span::styled("…", theme.muted()),
            (false, stage) => stage_mark(stage, theme),
        };
        let (due, urgency) = countdown(record.notice.deadline, now);
        let due_style = match urgency {
            Urgency::Soon => theme.urgent(),
            Urgency::Closed | Urgency::Unknown => theme.muted(),
            Urgency::Later => ratatui::style::Style::new(),
        };
        let base = if record.relevance.matched {
            ratatui::style::Style::new()
        } else {
            theme.muted()
        };
        let mut title = highlight::by_chars(&record.notice.title, &row.positions, base, theme.search_hit());
        // Tags go first, so a long title cut at the column's edge never hides them.
        for tag in record.tags().iter().rev() {
            title.insert(0, Span::styled(format!("#{tag} "), theme.key()));
        }
        if !record.changes().is_empty() {
            // Changed by a re-fetch since the user last looked: Enter shows what changed.
            title.insert(0, Span::styled("Δ ", theme.urgent()));
        }
        // Why it matched, at a glance: the two strongest terms after the title (cut first when narrow).
        let terms = record.relevance.matched_terms();
        if record.relevance.matched && !terms.is_empty() {
            let top: Vec<&str> = terms.into_iter().take(2).collect();
            title.push(Span::styled(format!("  · {}", top.join(", ")), theme.muted()));
        }
        // Just decided here: it leaves the tab when the cursor moves on (the key again undoes it).
        let row_style = if state.is_leaving(record) {
            theme.leaving()
        } else {
            ratatui::style::Style::new()
        };
        Row::new(vec![
            // Marked for a bulk action (Space / V), then the stage badge.
            Cell::from(Line::from(vec![
                if state.is_marked(&record.notice.id) {
                    Span::styled("●", theme.key())
                } else {
                    Span::raw(" ")
                },
                mark,
            ])),
            Cell::from(format!("{:>4}", record.relevance.score)).style(base),
            Cell::from(due).style(due_style),
            Cell::from(record.notice.source.clone()).style(theme.muted()),
            Cell::from(record.notice.buyer.clone()).style(base),
            Cell::from(Line::from(title)),
        ])
        .style(row_style)
    });
    let header = Row::new(["", "Score", "Due", "Src", "Buyer", "Title"]).style(theme.header());
    let buyer_width = (area.width / 5).clamp(10, 30);
    let widths = [
        Constraint::Length(2),
        Constraint::Length(5),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(buyer_width),
        Constraint::Fill(1),
    ];
    let widget = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(theme.selected());
    let mut table = TableState::default().with_selected(selected.map(|row| row - start));
    frame.render_stateful_widget(widget, area, &mut table);
    rows_fit
}

/// A one-cell badge per stage; the detail pane and `?` spell them out.
fn stage_mark(stage: Triage, theme: &super::Theme) -> Span<'static> {
    match stage {
        Triage::New => Span::raw(" "),
        Triage::Shortlisted => Span::styled("★", theme.shortlisted()),
        Triage::Bidding => Span::styled("B", theme.shortlisted()),
        Triage::Submitted => Span::styled("S", theme.shortlisted()),
        Triage::Won => Span::styled("W", theme.ok()),
        Triage::Lost => Span::styled("L", theme.muted()),
        Triage::Rejected => Span::styled("✗", theme.rejected()),
    }
}

fn empty_text(state: &AppState) -> String {
    if !state.query().is_empty() {
        return format!(
            "No notice in {} matches “{}”. Esc clears the search.",
            state.view().label(),
            state.query()
        );
    }
    let sources = state.sources();
    let failed: Vec<&str> = sources
        .iter()
        .filter(|(_, s)| matches!(s, SourceStatus::Failed { .. }))
        .map(|(n, _)| n.as_str())
        .collect();
    if !failed.is_empty() && state.count(View::All) == 0 {
        return format!(
            "No notices yet: {} failed (see the status line below). anbud retries by itself; r retries now.",
            failed.join(", ")
        );
    }
    let polling = sources
        .iter()
        .any(|(_, s)| matches!(s, SourceStatus::Fetching { .. } | SourceStatus::Idle));
    match state.view() {
        View::Inbox if polling => "Inbox is empty — polling feeds, notices appear as they arrive…".to_owned(),
        View::Inbox => {
            "Inbox is empty: no open, undecided notice matches the profile. Tab shows the other lists.".to_owned()
        }
        View::ClosingSoon => "Nothing you follow closes within 7 days.".to_owned(),
        View::Pipeline => "No bid in progress: > moves a shortlisted notice to bidding.".to_owned(),
        View::Outcomes => "No bid decided yet: > moves a submitted bid to won, L marks a bid as lost.".to_owned(),
        View::Changed => "No notice has changed since you last looked.".to_owned(),
        View::Shortlist => "Shortlist is empty: press s on a notice to shortlist it.".to_owned(),
        View::Rejected => "Nothing rejected yet: x rejects a notice.".to_owned(),
        View::All if polling => "No notices stored yet — polling feeds…".to_owned(),
        View::All => "No notices stored yet: r polls every feed now.".to_owned(),
    }
}

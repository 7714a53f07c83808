//! The `E` panel: suggested exclusions with their evidence and the TOML they would add.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::Theme;
use crate::app::AppState;

/// Draws the panel centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let (items, cursor, writable) = state.suggestions();
    let mut lines: Vec<Line> = Vec::new();
    if items.is_empty() {
        lines.push(Line::raw("No suggestions yet."));
        lines.push(Line::styled(
            "Reject with X and pick a reason: when three or more notices rejected for the same reason \
             share a word that no shortlisted notice has, it is offered here as an exclusion.",
            theme.muted(),
        ));
    }
    for (i, s) in items.iter().enumerate() {
        let marker = if i == cursor { "▶ " } else { "  " };
        let style = if i == cursor {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::from(vec![Span::styled(
            format!("{marker}exclude {:?} (−{})", s.term, s.weight),
            style,
        )]));
        lines.push(Line::styled(format!("    {}", s.evidence()), theme.muted()));
    }
    let footer = if writable {
        " j/k move · Enter adds it to the profile file (from the next start) · Esc closes "
    } else {
        " The profile is bundled: copy it to a file under profiles = [...] to accept · Esc closes "
    };
    let width = area.width.saturating_sub(4).clamp(30, 100);
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .clamp(6, area.height.saturating_sub(2).max(6));
    let popup = super::clear_centered(frame, area, width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" Suggested exclusions ")
        .title_bottom(Line::styled(footer, theme.muted()));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), popup);
}

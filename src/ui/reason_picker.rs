//! The `X` popup: the configured reject reasons, one digit each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Theme;
use crate::app::AppState;

/// Draws the reason picker centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let n = state.marked_count().max(1);
    let mut lines: Vec<Line> = state
        .reject_reasons()
        .iter()
        .take(9)
        .enumerate()
        .map(|(i, reason)| {
            Line::from(vec![
                Span::styled(format!(" {} ", i + 1), theme.key()),
                Span::raw(reason.clone()),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(" Enter ", theme.key()),
        Span::raw("reject without a reason"),
    ]));
    let width = lines.iter().map(Line::width).max().unwrap_or(0).max(34) + 4;
    let height = lines.len() + 2;
    let popup = super::clear_centered(
        frame,
        area,
        u16::try_from(width).unwrap_or(u16::MAX).min(area.width),
        u16::try_from(height).unwrap_or(u16::MAX).min(area.height),
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" Reject {} — why? ", crate::model::plural::notices(n)))
        .title_bottom(Line::from(vec![
            Span::styled(" Esc", theme.key()),
            Span::raw(" cancels "),
        ]));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

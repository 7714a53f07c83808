//! The note popup: the draft with its cursor, and how to leave.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::RenderContext;
use crate::app::keymap::KeyMode;
use crate::app::{AppState, TextEdit};

/// Draws the note editor centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let title = state
        .selected_record()
        .map(|r| r.notice.title.as_str())
        .unwrap_or_default();
    // The cursor is the reversed cell where the next character goes (a blank past a line's end).
    let (cursor_line, cursor_col) = state.note_cursor();
    let lines: Vec<Line> = state
        .note_draft()
        .split('\n')
        .enumerate()
        .map(|(n, l)| {
            if n != cursor_line {
                return Line::raw(l.to_owned());
            }
            let at = l.char_indices().nth(cursor_col).map_or(l.len(), |(i, _)| i);
            let (before, rest) = l.split_at(at);
            let mut after = rest.chars();
            let under = after.next().map_or_else(|| " ".to_owned(), String::from);
            Line::from(vec![
                Span::raw(before.to_owned()),
                Span::styled(under, theme.cursor()),
                Span::raw(after.as_str().to_owned()),
            ])
        })
        .collect();
    let keys = |edit| ctx.keymap.edit_keys(KeyMode::Note, edit).join("/");
    let width = area.width.saturating_sub(4).clamp(20, 80);
    let height = area.height.saturating_sub(4).clamp(6, 16);
    let popup = super::clear_centered(frame, area, width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(
            " Note: {} ",
            crate::app::shorten(title, usize::from(width.saturating_sub(12)))
        ))
        .title_bottom(Line::from(vec![
            Span::styled(format!(" {}", keys(TextEdit::Submit)), theme.key()),
            Span::raw(" saves · "),
            Span::styled(keys(TextEdit::Cancel), theme.key()),
            Span::raw(" discards "),
        ]));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), popup);
}

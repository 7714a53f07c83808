//! The `t` popup: the tags being typed, the known tags that complete the current word, and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::RenderContext;
use crate::app::keymap::KeyMode;
use crate::app::{AppState, TextEdit};

/// Draws the tag prompt centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let prompt = state.tag_prompt();
    let title = if prompt.bulk {
        format!(
            " Tags for {}: add words, -word removes ",
            crate::model::plural::count(prompt.targets.len(), "marked notice", "marked notices")
        )
    } else {
        " Tags (space between them) ".to_owned()
    };
    let mut lines = vec![Line::from(vec![
        Span::raw(crate::model::text::sanitize(&prompt.draft)),
        Span::styled(" ", theme.cursor()),
    ])];
    let candidates = prompt.candidates();
    lines.push(if candidates.is_empty() {
        Line::styled(
            if prompt.known.is_empty() {
                "No tags in use yet: type one"
            } else {
                "No tag in use starts like this: a new tag"
            },
            theme.muted(),
        )
    } else {
        let mut spans = vec![Span::styled("Known: ", theme.muted())];
        for tag in candidates.iter().take(12) {
            spans.push(Span::raw(crate::model::text::sanitize(tag)));
            spans.push(Span::raw("  "));
        }
        Line::from(spans)
    });
    let keys = |edit| ctx.keymap.edit_keys(KeyMode::Tags, edit).join("/");
    let footer = Line::from(vec![
        Span::styled(format!(" {}", keys(TextEdit::Complete)), theme.key()),
        Span::raw(" completes · "),
        Span::styled(keys(TextEdit::Submit), theme.key()),
        Span::raw(" saves · "),
        Span::styled(keys(TextEdit::Cancel), theme.key()),
        Span::raw(" cancels "),
    ]);
    let width = area.width.saturating_sub(4).clamp(20, 72);
    let popup = super::clear_centered(frame, area, width, 4);
    let block = Block::default().borders(Borders::ALL).title(title).title_bottom(footer);
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), popup);
}

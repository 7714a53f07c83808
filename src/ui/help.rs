//! The `?` overlay, generated from the active keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::RenderContext;
use crate::app::Action;
use crate::app::keymap::{describe, key_label};

/// Draws the help popup centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let mut rows: Vec<(Action, Vec<String>)> = Vec::new();
    for binding in ctx.keymap.bindings() {
        match rows.iter_mut().find(|(a, _)| *a == binding.action) {
            Some((_, keys)) => keys.push(key_label(binding)),
            None => rows.push((binding.action, vec![key_label(binding)])),
        }
    }
    let key_width = rows.iter().map(|(_, k)| k.join(" ").chars().count()).max().unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .iter()
        .map(|(action, keys)| {
            Line::from(vec![
                Span::styled(format!(" {:<key_width$}  ", keys.join(" ")), theme.key()),
                Span::raw(describe(*action)),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Search: type to filter, Enter keeps it, Esc clears.",
        theme.muted(),
    ));
    lines.push(Line::styled(
        " Mouse wheel scrolls. Decisions are saved before they show.",
        theme.muted(),
    ));
    let widest = lines.iter().map(Line::width).max().unwrap_or(0);
    let width = u16::try_from(widest + 3).unwrap_or(u16::MAX).min(area.width);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX).min(area.height);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default().borders(Borders::ALL).title(" Keys — ? or Esc closes ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

//! The `?` overlay, generated from the active keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::RenderContext;
use crate::app::keymap::KeyMode;
use crate::app::keymap::{describe, key_label};
use crate::app::{Action, TextEdit};

/// Draws the help popup centred in `area`; in two columns when one does not fit the height.
pub fn render(frame: &mut Frame, area: Rect, ctx: RenderContext<'_>) {
    let theme = ctx.theme;
    let mut rows: Vec<(Action, Vec<String>)> = Vec::new();
    for binding in ctx.keymap.bindings().iter().chain(ctx.keymap.detail_bindings()) {
        match rows.iter_mut().find(|(a, _)| *a == binding.action) {
            Some((_, keys)) => keys.push(key_label(binding)),
            None => rows.push((binding.action, vec![key_label(binding)])),
        }
    }
    let key_width = rows.iter().map(|(_, k)| k.join(" ").chars().count()).max().unwrap_or(0);
    let entries: Vec<Line> = rows
        .iter()
        .map(|(action, keys)| {
            Line::from(vec![
                Span::styled(format!(" {:<key_width$}  ", keys.join(" ")), theme.key()),
                Span::raw(describe(*action)),
            ])
        })
        .collect();
    // The text modes' keys come from the keymap too, so a rebinding shows here.
    // The first key of each, to fit 80 columns.
    let keys = |mode, edit| {
        ctx.keymap
            .edit_keys(mode, edit)
            .into_iter()
            .next()
            .unwrap_or_else(|| "(unbound)".to_owned())
    };
    let footer = [
        Line::styled(
            " Stages: shortlisted > bidding > submitted > won / lost.",
            theme.muted(),
        ),
        Line::styled(
            format!(
                " Notes: {} saves, {} discards. Tags: {} completes, {} saves.",
                keys(KeyMode::Note, TextEdit::Submit),
                keys(KeyMode::Note, TextEdit::Cancel),
                keys(KeyMode::Tags, TextEdit::Complete),
                keys(KeyMode::Tags, TextEdit::Submit),
            ),
            theme.muted(),
        ),
        Line::styled(
            format!(
                " Search: {} keeps it, {} clears. Mouse: wheel scrolls, click selects.",
                keys(KeyMode::Search, TextEdit::Submit),
                keys(KeyMode::Search, TextEdit::Cancel),
            ),
            theme.muted(),
        ),
    ];
    let column_width = entries.iter().map(Line::width).max().unwrap_or(0) + 1;
    // Borders, a blank line and the footer.
    let chrome = footer.len() + 3;
    let two_columns =
        entries.len() + chrome > usize::from(area.height) && 2 * column_width + 2 <= usize::from(area.width);
    let columns: Vec<Vec<Line>> = if two_columns {
        let half = entries.len().div_ceil(2);
        vec![entries[..half].to_vec(), entries[half..].to_vec()]
    } else {
        vec![entries]
    };
    let list_height = columns.iter().map(Vec::len).max().unwrap_or(0);
    let width = (column_width * columns.len()).max(footer.iter().map(Line::width).max().unwrap_or(0) + 1) + 2;
    let width = u16::try_from(width).unwrap_or(u16::MAX).min(area.width);
    let height = u16::try_from(list_height + chrome).unwrap_or(u16::MAX).min(area.height);
    let popup = super::clear_centered(frame, area, width, height);
    let block = Block::default().borders(Borders::ALL).title(" Keys — ? or Esc closes ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let list_rows = u16::try_from(list_height).unwrap_or(u16::MAX);
    let [list, footer_area] = Layout::vertical([Constraint::Length(list_rows + 1), Constraint::Min(0)]).areas(inner);
    let column_areas = Layout::horizontal(vec![
        Constraint::Length(u16::try_from(column_width).unwrap_or(u16::MAX));
        columns.len()
    ])
    .split(list);
    for (lines, column) in columns.into_iter().zip(column_areas.iter()) {
        frame.render_widget(Paragraph::new(lines), *column);
    }
    frame.render_widget(Paragraph::new(footer.to_vec()).wrap(Wrap { trim: false }), footer_area);
}

//! The `?` overlay, generated from the active keymap, with a legend of what the list shows.
//! Scrolls (the list's movement keys) when the terminal is too short for it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::RenderContext;
use crate::app::keymap::KeyMode;
use crate::app::keymap::{describe, key_label};
use crate::app::{Action, AppState, TextEdit};

/// What the list's columns, marks and source labels mean: the screen uses one-letter badges and
/// short source names to fit, and they are explained here once.
const LEGEND: [&str; 3] = [
    "Columns: marks (● marked for a bulk action, then the stage), Score, Due (days to the deadline, \
     red under 7, closed when past), Src (where the notice comes from), Buyer, Title (Δ changed since \
     you looked, #tags, · the words that matched).",
    "Marks: ★ shortlisted · B bidding · S submitted · W won · L lost · ✗ rejected · … still being saved.",
    "Src: ted = TED (EU journal) · doffin = Doffin (Norway) · fts = Find a Tender (UK) · ocds = another \
     OCDS publisher · rss = an RSS or Atom feed (or the name its config gives).",
];

/// Draws the help popup centred in `area`; in two columns when one does not fit the height, and
/// scrolled by the state's help scroll when even that does not fit.
pub fn render(frame: &mut Frame, area: Rect, state: &AppState, ctx: RenderContext<'_>) {
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
    let mut notes: Vec<String> = LEGEND.iter().map(|s| (*s).to_owned()).collect();
    notes.extend([
        "Stages: shortlisted > bidding > submitted > won / lost (the Outcomes tab).".to_owned(),
        format!(
            "Notes: {} saves, {} discards. Tags: {} completes, {} saves.",
            keys(KeyMode::Note, TextEdit::Submit),
            keys(KeyMode::Note, TextEdit::Cancel),
            keys(KeyMode::Tags, TextEdit::Complete),
            keys(KeyMode::Tags, TextEdit::Submit),
        ),
        format!(
            "Search: {} keeps it, {} clears. Mouse: wheel scrolls, click selects.",
            keys(KeyMode::Search, TextEdit::Submit),
            keys(KeyMode::Search, TextEdit::Cancel),
        ),
        "Market: 1–5 or Tab pick a section (awards, incumbents, expiring, my record, buyer), \
         j/k scroll, Esc closes; b on a notice opens its buyer's history."
            .to_owned(),
    ]);
    let column_width = entries.iter().map(Line::width).max().unwrap_or(0) + 1;
    // The notes wrap to the width of the key list, at least 78 columns when the screen has them.
    let one_column_width = (column_width + 2).max(78).min(usize::from(area.width));
    let note_rows = |width: usize| -> usize { notes.iter().map(|n| super::sources::wrap(n, width).len()).sum() };
    // Borders, a blank line and the notes.
    let chrome = note_rows(one_column_width.saturating_sub(4)) + 3;
    let two_columns =
        entries.len() + chrome > usize::from(area.height) && 2 * column_width + 2 <= usize::from(area.width);
    let mut lines: Vec<Line> = if two_columns {
        let half = entries.len().div_ceil(2);
        (0..half)
            .map(|i| {
                let mut spans = entries[i].spans.clone();
                if let Some(right) = entries.get(half + i) {
                    spans.push(Span::raw(" ".repeat(column_width.saturating_sub(entries[i].width()))));
                    spans.extend(right.spans.clone());
                }
                Line::from(spans)
            })
            .collect()
    } else {
        entries
    };
    let list_width = lines.iter().map(Line::width).max().unwrap_or(0) + 1;
    let width = (list_width + 2).max(one_column_width).min(usize::from(area.width));
    lines.push(Line::default());
    for note in &notes {
        for row in super::sources::wrap(note, width.saturating_sub(4)) {
            lines.push(Line::styled(format!(" {row}"), theme.muted()));
        }
    }
    let height = (lines.len() + 2).min(usize::from(area.height));
    let popup = super::clear_centered(
        frame,
        area,
        u16::try_from(width).unwrap_or(u16::MAX),
        u16::try_from(height).unwrap_or(u16::MAX),
    );
    let hidden = lines.len().saturating_sub(height.saturating_sub(2));
    let scroll = usize::from(state.help_scroll()).min(hidden);
    let title = if hidden > 0 {
        format!(
            " Keys — ?, q or Esc closes · j/k scroll ({}/{}) ",
            scroll + 1,
            hidden + 1
        )
    } else {
        " Keys — ?, q or Esc closes ".to_owned()
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    frame.render_widget(
        Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        inner,
    );
}

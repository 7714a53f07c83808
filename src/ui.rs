//! Drawing the state: never mutates `AppState`, never does I/O.
//!
//! `ViewState` (the list's scroll position) belongs to the UI and is written only by [`render`].

mod deadline;
mod fit;
mod help;
mod highlight;
mod market;
mod message_log;
mod note_editor;
mod notice_detail;
mod notice_list;
mod reason_picker;
mod sources;
mod status_bar;
mod suggestions;
mod tag_prompt;
pub mod theme;

use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crossterm::event::{Event, MouseButton, MouseEventKind};

use crate::app::{AppState, Keymap, Mode, Msg, View};
pub use deadline::{Urgency, countdown, local_time};
pub use theme::Theme;

/// What rendering needs besides the state.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// Styles.
    pub theme: &'a Theme,
    /// For the help overlay.
    pub keymap: &'a Keymap,
    /// Zone deadlines are shown in.
    pub tz: &'a TimeZone,
}

/// UI-only state kept between frames.
#[derive(Debug, Default)]
pub struct ViewState {
    /// Index in the visible rows of the first row on screen.
    first_row: usize,
    list_rows: u16,
    viewport_changed: Option<u16>,
    /// Where each tab was drawn: (row, first column, column after the last, tab).
    tabs: Vec<(u16, u16, u16, View)>,
    /// The list's rows (below its header) in the last frame.
    list_body: Rect,
}

impl ViewState {
    /// The list height if it changed in the last draw; the core needs it for page up/down.
    pub fn take_viewport_change(&mut self) -> Option<u16> {
        self.viewport_changed.take()
    }

    /// Maps a left click on a tab or a list row (as drawn in the last frame) to a message.
    pub fn click(&self, event: &Event) -> Option<Msg> {
        let Event::Mouse(mouse) = event else { return None };
        if mouse.kind != MouseEventKind::Down(MouseButton::Left) {
            return None;
        }
        let (x, y) = (mouse.column, mouse.row);
        if let Some(&(_, _, _, view)) = self
            .tabs
            .iter()
            .find(|(row, start, end, _)| *row == y && (*start..*end).contains(&x))
        {
            return Some(Msg::ClickView(view));
        }
        let body = self.list_body;
        let inside = (body.x..body.x + body.width).contains(&x) && (body.y..body.y + body.height).contains(&y);
        inside.then(|| Msg::ClickRow(self.first_row + usize::from(y - body.y)))
    }
}

/// Draws one frame.
pub fn render(frame: &mut Frame, state: &AppState, view: &mut ViewState, ctx: RenderContext<'_>) {
    let show_search = state.mode() == Mode::Search || !state.query().is_empty();
    let [tabs, body, search, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(u16::from(show_search)),
        Constraint::Length(2),
    ])
    .areas(frame.area());

    view.tabs = render_tabs(frame, tabs, state, ctx.theme);
    if state.mode() == Mode::Market {
        market::render(frame, body, state, ctx);
        // No list on screen: a click there selects nothing.
        view.list_body = Rect::default();
        status_bar::render(frame, status, state, ctx);
        return;
    }
    let list_area = if state.is_detail_open() {
        let direction = if body.width >= 120 {
            Direction::Horizontal
        } else {
            Direction::Vertical
        };
        let [list, detail] = Layout::default()
            .direction(direction)
            .constraints([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(body);
        notice_detail::render(frame, detail, state, ctx);
        list
    } else {
        body
    };
    let rows = notice_list::render(frame, list_area, state, &mut view.first_row, ctx);
    // Below the header row: where clicks select notices.
    view.list_body = Rect {
        y: list_area.y + 1,
        height: list_area.height.saturating_sub(1),
        ..list_area
    };
    if rows != view.list_rows {
        view.list_rows = rows;
        view.viewport_changed = Some(rows);
    }
    if show_search {
        render_search(frame, search, state, ctx.theme);
    }
    status_bar::render(frame, status, state, ctx);
    match state.mode() {
        Mode::Help => help::render(frame, frame.area(), state, ctx),
        Mode::Sources => sources::render(frame, frame.area(), state, ctx),
        Mode::Messages => message_log::render(frame, frame.area(), state, ctx),
        Mode::Note => note_editor::render(frame, frame.area(), state, ctx),
        Mode::Tag => tag_prompt::render(frame, frame.area(), state, ctx),
        Mode::Reason => reason_picker::render(frame, frame.area(), state, ctx.theme),
        Mode::Suggestions => suggestions::render(frame, frame.area(), state, ctx.theme),
        Mode::List | Mode::Search | Mode::Confirm | Mode::Market => {}
    }
}

/// Draws the tab line and returns where each tab is, for mouse clicks.
fn render_tabs(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) -> Vec<(u16, u16, u16, View)> {
    const TITLE: &str = " anbud ";
    let sort = format!("sort {} ", state.sort().label());
    let labels = |short: bool| -> Vec<String> {
        View::ALL
            .iter()
            .zip(state.counts())
            .map(|(view, count)| format!(" {} {count} ", if short { view.short_label() } else { view.label() }))
            .collect()
    };
    let width = |labels: &[String]| labels.iter().map(|l| l.chars().count() + 1).sum::<usize>() + TITLE.len();
    // Narrow terminals lose the sort label first, then the long tab names.
    let mut tabs = labels(false);
    if width(&tabs) > usize::from(area.width) {
        tabs = labels(true);
    }
    let show_sort = width(&tabs) + sort.len() <= usize::from(area.width);
    let mut spans = vec![Span::styled(TITLE, theme.title())];
    let mut places = Vec::new();
    let mut x = area.x + 7;
    for (view, label) in View::ALL.iter().zip(tabs) {
        let style = if *view == state.view() {
            theme.tab_active()
        } else {
            theme.tab()
        };
        let width = u16::try_from(label.chars().count()).unwrap_or(u16::MAX);
        places.push((area.y, x + 1, x + 1 + width, *view));
        x = x.saturating_add(1 + width);
        spans.push(Span::raw(" "));
        spans.push(Span::styled(label, style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if show_sort {
        let sort = Line::from(vec![
            Span::styled("sort ", theme.muted()),
            Span::raw(sort[5..].to_owned()),
        ]);
        frame.render_widget(Paragraph::new(sort.right_aligned()), area);
    }
    places
}

/// Clears and returns a `width` × `height` rectangle centred in `area`, for popups.
fn clear_centered(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    popup
}

fn render_search(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme) {
    let mut spans = vec![Span::styled("/", theme.key()), Span::raw(state.query().to_owned())];
    // "2 in Inbox · 5 more in All (Tab)": hits in other tabs are never a silent empty list.
    let hits = state.search_summary().map(|s| format!("{s} · ")).unwrap_or_default();
    if state.mode() == Mode::Search {
        spans.push(Span::styled(" ", theme.cursor()));
        spans.push(Span::styled(format!("  {hits}Enter keep · Esc clear"), theme.muted()));
    } else {
        spans.push(Span::styled(format!("  {hits}Esc clears"), theme.muted()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

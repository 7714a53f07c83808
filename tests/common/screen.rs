//! Drawing the dashboard into a ratatui `TestBackend`, as the event loop draws it.

use anbud::app::{AppState, Keymap};
use anbud::ui::{self, RenderContext, Theme, ViewState};
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// What a frame is drawn with besides the state: the dark theme, the default keys and Oslo time
/// unless a test says otherwise.
pub struct Look {
    pub theme: Theme,
    pub keymap: Keymap,
    pub tz: TimeZone,
}

impl Default for Look {
    fn default() -> Self {
        Self {
            theme: Theme::new(true),
            keymap: Keymap::default(),
            tz: TimeZone::get("Europe/Oslo").expect("bundled tzdb"),
        }
    }
}

/// One `width` × `height` frame of `state` with the default [`Look`].
pub fn draw(state: &AppState, width: u16, height: u16) -> Terminal<TestBackend> {
    draw_with(state, width, height, &Look::default(), &mut ViewState::default())
}

/// One frame drawn with `look`, keeping `view` (scroll, click areas) for the caller.
pub fn draw_with(
    state: &AppState,
    width: u16,
    height: u16,
    look: &Look,
    view: &mut ViewState,
) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    let ctx = RenderContext {
        theme: &look.theme,
        keymap: &look.keymap,
        tz: &look.tz,
    };
    terminal.draw(|f| ui::render(f, state, view, ctx)).expect("draw");
    terminal
}

/// The screen's rows as text.
pub fn rows(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect())
        .collect()
}

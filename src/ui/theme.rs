//! Every style in one place. `NO_COLOR` drops colours but keeps modifiers, so the selected row
//! stays visible through reverse video.

use ratatui::style::{Color, Modifier, Style};

use crate::config::Palette;

/// The colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
    palette: Palette,
}

impl Theme {
    /// Colours for `palette` unless `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub fn from_env(palette: Palette) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: !no_color,
            palette,
        }
    }

    /// A dark theme with or without colours.
    pub fn new(color: bool) -> Self {
        Self {
            color,
            palette: Palette::Dark,
        }
    }

    /// A light theme with colours.
    pub fn light() -> Self {
        Self {
            color: true,
            palette: Palette::Light,
        }
    }

    fn fg(self, color: Color) -> Style {
        if !self.color {
            return Style::new();
        }
        let color = match (self.palette, color) {
            (Palette::Light, Color::Yellow) => Color::Rgb(150, 90, 0),
            (Palette::Light, Color::Cyan) => Color::Blue,
            (Palette::Light, Color::Gray) => Color::DarkGray,
            (Palette::Light, Color::Green) => Color::Rgb(0, 110, 0),
            (_, c) => c,
        };
        Style::new().fg(color)
    }

    /// The app name in the tab line.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// An inactive tab.
    pub fn tab(self) -> Style {
        self.fg(Color::Gray)
    }
    /// The active tab.
    pub fn tab_active(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    /// Table header.
    pub fn header(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// The row under the cursor.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    /// Deadline under a week away.
    pub fn urgent(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    /// Closed, unmatched or secondary text.
    pub fn muted(self) -> Style {
        if self.color {
            self.fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }
    /// A row decided in this tab that leaves it when the cursor moves on.
    pub fn leaving(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }
    /// Letters matched by the `/` search.
    pub fn search_hit(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    /// Keywords and CPV codes that raised the score.
    pub fn keyword_hit(self) -> Style {
        self.fg(Color::Green)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    /// Exclusion keywords that lowered the score.
    pub fn exclude_hit(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::CROSSED_OUT)
    }
    /// Shortlisted marker.
    pub fn shortlisted(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }
    /// Rejected marker.
    pub fn rejected(self) -> Style {
        self.fg(Color::Red)
    }
    /// Field labels in the detail pane.
    pub fn label(self) -> Style {
        self.fg(Color::Cyan)
    }
    /// Key names in help and hints.
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// Errors on the status line.
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    /// A healthy feed.
    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }
    /// The text cursor in the search line.
    pub fn cursor(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

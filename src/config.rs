//! Settings: the bundled `config/default.toml` overlaid by the user's file, parsed into typed values.
//!
//! Every string (durations, zones, URLs) is checked here, so nothing downstream handles raw text.
//! Errors name the file, line and key, and are reported before the terminal is touched.

pub mod database;
mod feed;
pub mod keys;
pub mod profile_file;
mod raw;

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::tz::TimeZone;

use crate::matching::Profile;
pub use feed::{FeedConfig, FeedSettings};
pub use raw::FeedKind;

/// The bundled defaults, embedded so a fresh install needs no files.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Which terminal background the colours are chosen for (`theme = "dark" | "light"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Palette {
    /// Light text on a dark terminal (the default).
    #[default]
    Dark,
    /// Dark text on a light terminal: yellow, cyan and grey are unreadable on white.
    Light,
}

/// Everything anbud needs to run, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// The feeds to poll.
    pub feeds: Vec<FeedConfig>,
    /// How far back a feed's first poll reaches.
    pub lookback: Duration,
    /// Directory for exported CSV files.
    pub export_dir: PathBuf,
    /// CSV separator for `e`: `b','` or `b';'`.
    pub csv_delimiter: u8,
    /// Start CSV files from `e` with a UTF-8 byte order mark (Excel then reads æøå right).
    pub csv_bom: bool,
    /// CSV columns for `e`, `export` and `list --format csv` (`csv_columns`); `None`: the default set.
    pub csv_columns: Option<Vec<&'static str>>,
    /// Reasons `X` offers when rejecting (`reject_reasons`).
    pub reject_reasons: Vec<String>,
    /// Desktop notifications while the dashboard runs: the score a new notice needs (`[notify]`);
    /// `None` when off (the default).
    pub notify_min_score: Option<i32>,
    /// Zone for showing deadlines.
    pub timezone: TimeZone,
    /// Profiles loaded from the user's files, by name: where an accepted suggested exclusion is
    /// written (bundled profiles have no file).
    pub profile_files: Vec<(String, PathBuf)>,
    /// The matching profiles (at least one); a notice takes the best one's score.
    pub profiles: Vec<Profile>,
    /// Colours for a dark or a light terminal.
    pub palette: Palette,
    /// The sources panel calls a feed stale after this long without new notices while other
    /// feeds bring some, or without a successful poll (`stale_after = "3d"`).
    pub stale_after: Duration,
    /// Months before a contract's estimated end when its re-tender window opens and closes
    /// (`retender_lead_months = [9, 6]`).
    pub retender_lead: crate::model::RetenderLead,
    /// Your organisation numbers in award notices (`own_org_ids`; digits compared, so
    /// `"NO 890 164 072 MVA"` is `890164072`): a bid whose award names one is won, else lost.
    pub own_org_ids: Vec<String>,
    /// Your names in award notices (`own_names`; compared without case, punctuation or legal
    /// forms such as "AS"), for winners listed without an organisation number.
    pub own_names: Vec<String>,
    /// Key rebindings for the list, applied over the defaults one key at a time.
    pub keys: crate::app::keymap::Overrides,
    /// Team mode's PostgreSQL server (`[database]`); without a `url`, SQLite as before.
    pub database: database::DatabaseSettings,
}

/// A configuration problem, with where it is.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid, at a known place.
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        /// Which file (or "bundled default.toml").
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A value that is well-formed TOML but unusable, such as an empty feed list.
    #[error("{file}: {message}")]
    Unusable {
        /// Which file.
        file: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A profile file listed in `profiles` could not be read.
    #[error("{config}: cannot read profile {listed:?} at {path}: {source}")]
    ProfileRead {
        /// The config file that lists it.
        config: String,
        /// The entry as written in `profiles`.
        listed: String,
        /// Where anbud looked (relative entries are relative to the config file's folder).
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The profile file is invalid.
    #[error("{0}")]
    Profile(#[from] crate::matching::ProfileError),
}

/// Where the user's config comes from when `--config` is not given: `$ANBUD_CONFIG`, then the
/// platform config directory, if the file exists.
pub fn user_config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ANBUD_CONFIG") {
        return Some(PathBuf::from(path));
    }
    let dirs = directories::ProjectDirs::from("no", "anbud", "anbud")?;
    let path = dirs.config_dir().join("config.toml");
    path.exists().then_some(path)
}

/// Loads the bundled defaults overlaid by `user_file`.
///
/// # Errors
/// [`ConfigError`] naming the file, line and key of the first problem.
pub fn load(user_file: Option<&Path>) -> Result<Config, ConfigError> {
    let mut merged = raw::parse(DEFAULT_TOML, "bundled default.toml")?;
    let mut origin = String::from("bundled default.toml");
    if let Some(path) = user_file {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        origin = path.display().to_string();
        let user = raw::parse(&text, &origin)?.listed_in(path);
        merged = merged.overlay(user);
    }
    merged.finish(&origin)
}

/// Parses a config text on its own (no overlay), for tests and `--print-default-config` checks.
///
/// # Errors
/// As [`load`].
pub fn parse_str(text: &str, origin: &str) -> Result<Config, ConfigError> {
    let base = raw::parse(DEFAULT_TOML, "bundled default.toml")?;
    base.overlay(raw::parse(text, origin)?).finish(origin)
}

impl Config {
    /// The distinct two-digit CPV families of every profile, for the server-side feed queries.
    pub fn cpv_families(&self) -> Vec<String> {
        let mut families: Vec<String> = self.profiles.iter().flat_map(Profile::cpv_families).collect();
        families.sort();
        families.dedup();
        families
    }
}

/// Turns a byte offset into 1-based (line, column).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests;

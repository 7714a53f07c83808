//! The config file as written: every key optional, so a user file can override single keys.
//!
//! Values are validated during deserialisation (durations, zones, URLs), which makes the toml
//! crate report their exact position.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::{Config, ConfigError, FeedConfig, FeedSettings, line_col};
use crate::matching::Profile;

/// Which adapter a feed uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    /// TED Search API v3.
    Ted,
    /// Doffin public API v2 (Norway; needs a free key).
    Doffin,
    /// Any OCDS release-package endpoint (Find a Tender, Contracts Finder, …).
    Ocds,
    /// An RSS 2.0 or Atom feed; `base_url` is the full feed URL.
    Rss,
}

impl FeedKind {
    /// The name written in a config file (`kind = "ted"`).
    pub fn as_str(self) -> &'static str {
        match self {
            FeedKind::Ted => "ted",
            FeedKind::Doffin => "doffin",
            FeedKind::Ocds => "ocds",
            FeedKind::Rss => "rss",
        }
    }
}

/// The top level of a config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    poll_interval: Option<Interval<PollInterval>>,
    lookback_days: Option<u32>,
    export_dir: Option<PathBuf>,
    csv_delimiter: Option<Delimiter>,
    csv_bom: Option<bool>,
    csv_columns: Option<Columns>,
    reject_reasons: Option<Vec<String>>,
    notify: Option<Notify>,
    timezone: Option<Zone>,
    theme: Option<super::Palette>,
    stale_after: Option<Interval<StaleAfter>>,
    retender_lead_months: Option<[u32; 2]>,
    own_org_ids: Option<Texts>,
    own_names: Option<Texts>,
    profiles: Option<Vec<PathBuf>>,
    feeds: Option<Vec<RawFeed>>,
    keys: Option<super::keys::RawKeys>,
    database: Option<super::database::RawDatabase>,
    /// The folder of the file that listed `profiles`: relative profile paths are read from there,
    /// not from the working directory (a cron job starts in `$HOME`).
    #[serde(skip)]
    profile_base: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    name: String,
    kind: FeedKind,
    base_url: BaseUrl,
    path: Option<String>,
    #[serde(default)]
    countries: Vec<String>,
    interval: Option<Interval<FeedInterval>>,
    page_size: Option<u32>,
    max_pages: Option<usize>,
    api_key_env: Option<String>,
    source: Option<String>,
    notice_url: Option<String>,
    #[serde(default = "enabled_by_default")]
    enabled: bool,
    /// Award notices beside the competitions (TED, Doffin, OCDS; an RSS feed has none).
    #[serde(default = "enabled_by_default")]
    awards: bool,
}

impl RawFeed {
    /// The kind's own settings; a key another kind of feed has is an error naming the feed, the
    /// key and the kinds it belongs to (before, it was silently ignored).
    fn settings(&self) -> Result<FeedSettings, String> {
        let given: [(&str, bool, &[FeedKind]); 5] = [
            ("path", self.path.is_some(), &[FeedKind::Ted, FeedKind::Ocds]),
            ("countries", !self.countries.is_empty(), &[FeedKind::Ted]),
            ("api_key_env", self.api_key_env.is_some(), &[FeedKind::Doffin]),
            ("source", self.source.is_some(), &[FeedKind::Ocds, FeedKind::Rss]),
            ("notice_url", self.notice_url.is_some(), &[FeedKind::Ocds]),
        ];
        if let Some((key, _, kinds)) = given.iter().find(|(_, set, kinds)| *set && !kinds.contains(&self.kind)) {
            let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
            return Err(format!(
                "feed {:?} (kind = \"{}\"): `{key}` is a setting of {} feeds only; remove it",
                self.name,
                self.kind.as_str(),
                names.join(" and ")
            ));
        }
        Ok(match self.kind {
            FeedKind::Ted => FeedSettings::Ted {
                path: self.path.clone(),
                countries: self.countries.clone(),
            },
            FeedKind::Doffin => FeedSettings::Doffin {
                api_key_env: self.api_key_env.clone(),
                api_key: None,
            },
            FeedKind::Ocds => FeedSettings::Ocds {
                path: self.path.clone(),
                source: self.source.clone(),
                notice_url: self.notice_url.clone(),
            },
            FeedKind::Rss => FeedSettings::Rss {
                source: self.source.clone(),
            },
        })
    }
}

fn enabled_by_default() -> bool {
    true
}

/// A duration written as `30s`, `15m`, `2h` or `3d`, for the key `K` and within its range.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interval<K>(pub(super) Duration, PhantomData<K>);

/// Which key an [`Interval`] is for: its name and allowed range go into the error message.
pub(super) trait IntervalKey {
    /// The key as written in the file.
    const KEY: &'static str;
}

/// The poller adds an interval to the clock (`Instant + Duration` panics past its end), and a
/// poll once a year is already a stopped feed: so 1s to 365d, for every interval key alike.
const INTERVAL_RANGE: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(365 * 86_400));

/// `poll_interval`.
#[derive(Debug, Clone, Copy)]
struct PollInterval;
impl IntervalKey for PollInterval {
    const KEY: &'static str = "poll_interval";
}

/// `interval` of a `[[feeds]]` entry.
#[derive(Debug, Clone, Copy)]
struct FeedInterval;
impl IntervalKey for FeedInterval {
    const KEY: &'static str = "interval";
}

/// `stale_after`.
#[derive(Debug, Clone, Copy)]
struct StaleAfter;
impl IntervalKey for StaleAfter {
    const KEY: &'static str = "stale_after";
}

impl<'de, K: IntervalKey> Deserialize<'de> for Interval<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let (min, max) = INTERVAL_RANGE;
        let out_of_range = || {
            serde::de::Error::custom(format!(
                "{} {text:?} is out of range: use between {} and {}",
                K::KEY,
                show_duration(min),
                show_duration(max)
            ))
        };
        match parse_duration(&text) {
            Ok(duration) if (min..=max).contains(&duration) => Ok(Interval(duration, PhantomData)),
            Ok(_) | Err(DurationError::TooLarge) => Err(out_of_range()),
            Err(DurationError::Invalid(message)) => Err(serde::de::Error::custom(message)),
        }
    }
}

/// Why a duration was refused by [`parse_duration`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Not a number and a unit; says what is accepted.
    #[error("{0}")]
    Invalid(String),
    /// More seconds than a `u64` holds.
    #[error("duration is too large")]
    TooLarge,
}

/// Parses `30s`, `15m`, `2h`, `3d`.
///
/// # Errors
/// [`DurationError::Invalid`] with a message saying what forms are accepted;
/// [`DurationError::TooLarge`] when the seconds do not fit in a `u64` (checked, never wrapped).
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let unit_seconds: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(DurationError::Invalid(format!(
                "invalid duration {text:?}: the unit must be s, m, h or d, e.g. \"15m\""
            )));
        }
    };
    let n: u64 = digits.parse().map_err(|e: std::num::ParseIntError| match e.kind() {
        std::num::IntErrorKind::PosOverflow => DurationError::TooLarge,
        _ => DurationError::Invalid(format!(
            "invalid duration {text:?}: write a number and a unit, e.g. \"15m\""
        )),
    })?;
    n.checked_mul(unit_seconds)
        .map(Duration::from_secs)
        .ok_or(DurationError::TooLarge)
}

/// A duration in the largest unit that writes it whole, as a config file would ("365d", "1s").
fn show_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    [(86_400, "d"), (3600, "h"), (60, "m")]
        .into_iter()
        .find(|(unit, _)| secs > 0 && secs.is_multiple_of(*unit))
        .map_or_else(|| format!("{secs}s"), |(unit, name)| format!("{}{name}", secs / unit))
}

/// A CSV field separator: `,` or `;`.
#[derive(Debug, Clone, Copy)]
struct Delimiter(u8);

impl<'de> Deserialize<'de> for Delimiter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match String::deserialize(d)?.as_str() {
            "," => Ok(Delimiter(b',')),
            ";" => Ok(Delimiter(b';')),
            other => Err(serde::de::Error::custom(format!(
                "csv_delimiter {other:?} must be \",\" or \";\" (\";\" for Excel in a Norwegian locale)"
            ))),
        }
    }
}

/// An IANA time zone name known to the bundled database.
#[derive(Debug, Clone)]
struct Zone(jiff::tz::TimeZone);

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        jiff::tz::TimeZone::get(&name).map(Zone).map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown time zone {name:?}: use an IANA name such as \"Europe/Oslo\""
            ))
        })
    }
}

/// An http(s) URL without a trailing slash.
#[derive(Debug, Clone)]
struct BaseUrl(String);

impl<'de> Deserialize<'de> for BaseUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let url = String::deserialize(d)?;
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| serde::de::Error::custom(format!("base_url {url:?} must start with http:// or https://")))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(serde::de::Error::custom(format!("base_url {url:?} has no host")));
        }
        Ok(BaseUrl(url.trim_end_matches('/').to_owned()))
    }
}

/// Parses one file into its raw form.
///
/// # Errors
/// [`ConfigError::Invalid`] with the position toml reports.
pub(super) fn parse(text: &str, origin: &str) -> Result<RawConfig, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |span| line_col(text, span.start));
        ConfigError::Invalid {
            file: origin.to_owned(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })?;
    if let Some(database) = &raw.database {
        database.check(text, origin)?;
    }
    Ok(raw)
}

impl RawConfig {
    /// Records `file`'s folder as the base of the `profiles` this file lists.
    pub(super) fn listed_in(mut self, file: &std::path::Path) -> RawConfig {
        self.profile_base = file.parent().map(std::path::Path::to_path_buf);
        self
    }

    /// Keys set in `user` win; a `feeds` list replaces the whole default list.
    pub(super) fn overlay(self, user: RawConfig) -> RawConfig {
        RawConfig {
            poll_interval: user.poll_interval.or(self.poll_interval),
            lookback_days: user.lookback_days.or(self.lookback_days),
            export_dir: user.export_dir.or(self.export_dir),
            csv_delimiter: user.csv_delimiter.or(self.csv_delimiter),
            csv_bom: user.csv_bom.or(self.csv_bom),
            csv_columns: user.csv_columns.or(self.csv_columns),
            reject_reasons: user.reject_reasons.or(self.reject_reasons),
            notify: user.notify.or(self.notify),
            timezone: user.timezone.or(self.timezone),
            theme: user.theme.or(self.theme),
            stale_after: user.stale_after.or(self.stale_after),
            retender_lead_months: user.retender_lead_months.or(self.retender_lead_months),
            own_org_ids: user.own_org_ids.or(self.own_org_ids),
            own_names: user.own_names.or(self.own_names),
            // The list and the folder it is relative to come from the same file.
            profile_base: if user.profiles.is_some() {
                user.profile_base
            } else {
                self.profile_base
            },
            profiles: user.profiles.or(self.profiles),
            feeds: user.feeds.or(self.feeds),
            // One table: its keys only make sense together (ssl depends on the url's host).
            database: user.database.or(self.database),
            // Key by key: a user who rebinds `j` keeps every other default.
            keys: match (self.keys, user.keys) {
                (Some(base), Some(user)) => Some(base.merged_with(user)),
                (base, user) => user.or(base),
            },
        }
    }

    /// Fills in defaults and loads the profile.
    pub(super) fn finish(self, origin: &str) -> Result<Config, ConfigError> {
        let interval = self.poll_interval.map_or(Duration::from_secs(15 * 60), |i| i.0);
        let feeds: Vec<FeedConfig> = self
            .feeds
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.enabled)
            .map(|f| {
                let settings = f.settings().map_err(|message| ConfigError::Unusable {
                    file: origin.to_owned(),
                    message,
                })?;
                Ok(FeedConfig {
                    interval: f.interval.map_or(interval, |i| i.0),
                    page_size: f.page_size.unwrap_or(100).clamp(1, 250),
                    max_pages: f.max_pages.unwrap_or(20).max(1),
                    awards: f.awards,
                    ..FeedConfig::with(&f.name, &f.base_url.0, settings)
                })
            })
            .collect::<Result<_, ConfigError>>()?;
        if feeds.is_empty() {
            return Err(ConfigError::Unusable {
                file: origin.to_owned(),
                message: "no enabled [[feeds]]: add at least one, e.g. kind = \"ted\"".to_owned(),
            });
        }
        // Several profiles at once (a company selling welfare technology and lab equipment); none
        // listed means the bundled health-tech profile.
        let mut profiles = Vec::new();
        let mut profile_files = Vec::new();
        for path in self.profiles.unwrap_or_default() {
            // A bare name of a bundled profile ("lab-diagnostics") selects it; anything else is a file.
            let bundled = path.to_str().and_then(Profile::bundled_named);
            let profile = match bundled {
                Some(profile) => profile?,
                None => {
                    let full = self
                        .profile_base
                        .as_deref()
                        .map_or_else(|| path.clone(), |base| base.join(&path));
                    // Absolute, so the message says exactly where anbud looked.
                    let full = std::path::absolute(&full).unwrap_or(full);
                    let text = std::fs::read_to_string(&full).map_err(|source| ConfigError::ProfileRead {
                        config: origin.to_owned(),
                        listed: path.display().to_string(),
                        path: full.clone(),
                        source,
                    })?;
                    let profile = Profile::parse(&text, &full.display().to_string())?;
                    profile_files.push((profile.name.clone(), full));
                    profile
                }
            };
            if profiles.iter().any(|p: &Profile| p.name == profile.name) {
                return Err(ConfigError::Unusable {
                    file: path.display().to_string(),
                    message: format!(
                        "a second profile named {:?}: give each profile its own name",
                        profile.name
                    ),
                });
            }
            profiles.push(profile);
        }
        if profiles.is_empty() {
            profiles.push(Profile::bundled());
        }
        let timezone = self.timezone.map_or_else(
            || jiff::tz::TimeZone::get("Europe/Oslo").unwrap_or(jiff::tz::TimeZone::UTC),
            |z| z.0,
        );
        Ok(Config {
            profile_files,
            feeds,
            lookback: Duration::from_secs(u64::from(self.lookback_days.unwrap_or(14)) * 86_400),
            export_dir: self.export_dir.unwrap_or_else(|| PathBuf::from(".")),
            csv_delimiter: self.csv_delimiter.map_or(b',', |d| d.0),
            csv_bom: self.csv_bom.unwrap_or(false),
            csv_columns: self.csv_columns.map(|c| c.0),
            reject_reasons: self.reject_reasons.unwrap_or_default(),
            notify_min_score: self.notify.and_then(|n| n.enabled.then_some(n.min_score)),
            timezone: timezone.clone(),
            profiles,
            keys: self.keys.map(super::keys::RawKeys::into_overrides).unwrap_or_default(),
            palette: self.theme.unwrap_or_default(),
            // default.toml sets it; the literal only stands in for a bundled file without it.
            stale_after: self.stale_after.map_or(Duration::from_secs(3 * 86_400), |i| i.0),
            retender_lead: self
                .retender_lead_months
                .map_or_else(crate::model::RetenderLead::default, |[a, b]| {
                    crate::model::RetenderLead {
                        opens: a.max(b),
                        closes: a.min(b),
                    }
                }),
            own_org_ids: self.own_org_ids.map(|t| t.0).unwrap_or_default(),
            own_names: self.own_names.map(|t| t.0).unwrap_or_default(),
            // Comment times in team mode are shown in the zone of every other time.
            database: super::database::DatabaseSettings {
                zone: timezone,
                ..self
                    .database
                    .map(super::database::RawDatabase::finish)
                    .unwrap_or_default()
            },
        })
    }
}

/// A list of texts (`own_org_ids`, `own_names`). A bare string is the likely slip; the error says
/// to put it in brackets, at the line and column the parser reports.
#[derive(Debug, Clone, Default)]
struct Texts(Vec<String>);

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Texts;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list in brackets, even of one: [\"890164072\"]")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Texts, A::Error> {
                let mut out = Vec::new();
                while let Some(text) = seq.next_element::<String>()? {
                    out.push(text);
                }
                Ok(Texts(out))
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

/// `csv_columns = [...]`: checked while parsing so a wrong name is reported at its line.
#[derive(Debug, Clone)]
struct Columns(Vec<&'static str>);

impl<'de> Deserialize<'de> for Columns {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        crate::export::parse_columns(&names)
            .map(Columns)
            .map_err(serde::de::Error::custom)
    }
}

/// `[notify]`: desktop notifications for new high-scoring notices while the dashboard runs.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct Notify {
    /// Off unless the user turns it on.
    #[serde(default)]
    enabled: bool,
    /// A new notice scoring at least this pops up a notification.
    #[serde(default = "default_notify_score")]
    min_score: i32,
}

fn default_notify_score() -> i32 {
    15
}

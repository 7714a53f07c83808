//! Export of stored notices (the shortlist, usually) for spreadsheets, scripts and calendars.
//!
//! Three formats share one entry point, [`write_to`] / [`write_file`]: CSV ([`csv_out`], with the
//! spreadsheet formula guard), JSON lines ([`json_lines`], the field names of `anbud list --json`)
//! and iCalendar ([`ics`], one event per deadline). [`digest`] renders the Markdown/text digest.
//! File writes are atomic ([`file`]). Depends on `model`, serde and jiff only; must not depend on
//! `app` internals or tokio (the runtime runs it on a blocking thread).
//!
//! Nothing here reads the configuration: API keys and local paths never reach a record, so they
//! cannot leak into an export.

pub mod awards;
pub mod csv_out;
pub mod digest;
mod file;
pub mod ics;
pub mod json_lines;

use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::model::NoticeRecord;

pub use csv_out::{COLUMNS, CsvRow, HEADER, guard_cell, neutralize_formula, parse_columns};

/// An export failed; with [`write_file`], nothing was left at the target path.
///
/// The cause is part of each message, not a `source()`, because the status line shows only this text
/// and an eyre report would otherwise print the cause twice.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing to the given writer failed.
    #[error("cannot write the export: {0}")]
    Write(io::Error),
    /// A file step failed. The path comes last: on a narrow status line it is what gets cut, not
    /// the reason.
    #[error("cannot {action} ({error}): {path}")]
    File {
        /// What was being done: "write", "create the file".
        action: &'static str,
        /// The target (or temporary) file.
        path: PathBuf,
        /// The operating system's message.
        error: io::Error,
    },
}

/// Output format of an export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180 CSV with a header row.
    #[default]
    Csv,
    /// One JSON object per line, the fields of `anbud list --json`.
    Json,
    /// An RFC 5545 calendar with one event per notice deadline.
    Ics,
}

impl Format {
    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "jsonl",
            Self::Ics => "ics",
        }
    }
}

/// How to write an export. [`ExportOptions::default`] is what the dashboard's `e` key has always
/// written: comma-separated CSV, no BOM, times in UTC.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The format.
    pub format: Format,
    /// CSV field separator: `b','` or `b';'` (what Excel expects in a Norwegian locale).
    pub delimiter: u8,
    /// Start CSV with a UTF-8 byte order mark, so Excel reads æøå as UTF-8.
    pub bom: bool,
    /// Zone for CSV date cells (RFC 3339 with this zone's offset).
    pub timezone: TimeZone,
    /// When the export is made: the calendar's DTSTAMP. A parameter so that golden tests are stable.
    pub now: Timestamp,
    /// CSV columns, from [`COLUMNS`]; `None` is the default set [`HEADER`].
    pub columns: Option<Vec<&'static str>>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            format: Format::Csv,
            delimiter: b',',
            bom: false,
            timezone: TimeZone::UTC,
            now: Timestamp::now(),
            columns: None,
        }
    }
}

/// Writes `records` to `w` in the chosen format and returns how many records were exported (for
/// ICS: how many events, i.e. records with a deadline).
///
/// # Errors
///
/// [`ExportError::Write`] when the writer fails; part of the output may have been written then.
pub fn write_to<W: io::Write>(w: W, records: &[NoticeRecord], options: &ExportOptions) -> Result<usize, ExportError> {
    let mut out = io::BufWriter::new(w);
    let n = match options.format {
        Format::Csv => csv_out::write(&mut out, records, options),
        Format::Json => json_lines::write(&mut out, records),
        Format::Ics => ics::write(&mut out, records, options.now),
    }
    .map_err(ExportError::Write)?;
    io::Write::flush(&mut out).map_err(ExportError::Write)?;
    Ok(n)
}

/// Writes the export to `path` atomically (temporary file, sync, rename) and returns the count of
/// [`write_to`].
///
/// # Errors
///
/// [`ExportError::File`] naming the path when the directory is missing or unwritable, the disk is full,
/// or the rename fails; the temporary file is removed then.
pub fn write_file(path: &Path, records: &[NoticeRecord], options: &ExportOptions) -> Result<usize, ExportError> {
    file::write_atomically(path, |out| match write_to(out, records, options) {
        Ok(n) => Ok(n),
        Err(ExportError::Write(error) | ExportError::File { error, .. }) => Err(error),
    })
}

/// The suggested export name for `now` in `tz` (the configured zone, like the dates inside),
/// e.g. `anbud-shortlist-20261122-2015.csv`.
pub fn default_file_name(now: Timestamp, tz: &TimeZone) -> String {
    format!(
        "anbud-shortlist-{}.csv",
        now.to_zoned(tz.clone()).strftime("%Y%m%d-%H%M")
    )
}

/// `t` as RFC 3339 in `tz`: `2026-12-15T12:00:00+01:00`, or with `Z` when `tz` is UTC.
pub fn rfc3339_in(t: Timestamp, tz: &TimeZone) -> String {
    if tz.iana_name() == Some("UTC") {
        t.to_string()
    } else {
        t.display_with_offset(tz.to_offset(t)).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_file_name_uses_the_given_zone() {
        let now: Timestamp = "2026-11-22T19:15:00Z".parse().expect("ts");
        assert_eq!(
            default_file_name(now, &TimeZone::UTC),
            "anbud-shortlist-20261122-1915.csv"
        );
        let oslo = TimeZone::get("Europe/Oslo").expect("bundled tzdb");
        assert_eq!(default_file_name(now, &oslo), "anbud-shortlist-20261122-2015.csv");
    }

    #[test]
    fn rfc3339_uses_the_zone_offset_and_z_for_utc() {
        let t: Timestamp = "2026-12-15T11:00:00Z".parse().expect("ts");
        assert_eq!(rfc3339_in(t, &TimeZone::UTC), "2026-12-15T11:00:00Z");
        let oslo = TimeZone::get("Europe/Oslo").expect("bundled tzdb");
        assert_eq!(rfc3339_in(t, &oslo), "2026-12-15T12:00:00+01:00");
        let summer: Timestamp = "2026-06-15T11:00:00Z".parse().expect("ts");
        assert_eq!(rfc3339_in(summer, &oslo), "2026-06-15T13:00:00+02:00");
    }

    #[test]
    fn a_path_without_file_name_is_an_error_naming_it() {
        let err = write_file(Path::new("/"), &[], &ExportOptions::default()).expect_err("no file name");
        assert_eq!(
            err.to_string(),
            "cannot write (the path has no file name): /",
            "the reason first, the path last"
        );
    }
}

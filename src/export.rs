//! CSV export of stored notices (the shortlist, usually) for spreadsheets and bid teams.
//!
//! Owns the column set ([`CsvRow`]), the spreadsheet formula guard and the atomic file write. Depends on
//! `model`, csv and serde only; must not depend on `app` internals or tokio (the runtime runs it on a
//! blocking thread).

use std::borrow::Cow;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::model::NoticeRecord;

/// A CSV export failed; nothing was left at the target path.
///
/// The cause is part of each message, not a `source()`, because the status line shows only this text
/// and an eyre report would otherwise print the cause twice.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing to the given writer failed.
    #[error("cannot write CSV: {0}")]
    Csv(csv::Error),
    /// A file step failed.
    #[error("cannot {action} {path}: {error}")]
    File {
        /// What was being done, e.g. "write CSV to".
        action: &'static str,
        /// The target (or temporary) file.
        path: PathBuf,
        /// The operating system's message.
        error: io::Error,
    },
}

impl From<csv::Error> for ExportError {
    fn from(error: csv::Error) -> Self {
        Self::Csv(error)
    }
}

/// One CSV line; field order is column order, and every text cell has passed [`neutralize_formula`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsvRow<'a> {
    /// Source kind (`ted`, `doffin`, …).
    pub source: Cow<'a, str>,
    /// Stable notice id, `source:native_id`.
    pub id: Cow<'a, str>,
    /// Preferred-language title.
    pub title: Cow<'a, str>,
    /// Contracting authority.
    pub buyer: Cow<'a, str>,
    /// Buyer country as the source gives it; empty when unknown.
    pub country: Cow<'a, str>,
    /// CPV codes separated by spaces.
    pub cpv: Cow<'a, str>,
    /// Tender deadline, RFC 3339 in UTC; empty when none.
    pub deadline: Cow<'a, str>,
    /// Publication time, RFC 3339 in UTC; empty when unknown.
    pub published: Cow<'a, str>,
    /// Estimated value; empty when unknown.
    pub value: Option<f64>,
    /// ISO 4217 currency of `value`.
    pub currency: Cow<'a, str>,
    /// Triage status (`new`, `shortlisted`, `rejected`).
    pub status: Cow<'a, str>,
    /// Relevance score.
    pub score: i32,
    /// The rules that raised the score, strongest first, separated by "; ".
    pub matched_terms: Cow<'a, str>,
    /// The user's note.
    pub note: Cow<'a, str>,
    /// Public page of the notice.
    pub url: Cow<'a, str>,
}

impl<'a> From<&'a NoticeRecord> for CsvRow<'a> {
    fn from(record: &'a NoticeRecord) -> Self {
        let notice = &record.notice;
        let text = |s: &'a str| neutralize_formula(s);
        let owned = |s: String| Cow::Owned(neutralize_formula(&s).into_owned());
        let time = |t: Option<Timestamp>| owned(t.map(|t| t.to_string()).unwrap_or_default());
        CsvRow {
            source: text(&notice.source),
            id: text(notice.id.as_str()),
            title: text(&notice.title),
            buyer: text(&notice.buyer),
            country: text(notice.country.as_deref().unwrap_or("")),
            cpv: owned(notice.cpv.join(" ")),
            deadline: time(notice.deadline),
            published: time(notice.published),
            value: notice.value,
            currency: text(notice.currency.as_deref().unwrap_or("")),
            status: text(record.triage.as_str()),
            score: record.relevance.score,
            matched_terms: owned(record.relevance.matched_terms().join("; ")),
            note: text(&record.note),
            url: text(&notice.url),
        }
    }
}

/// Makes untrusted text safe to open in a spreadsheet (OWASP "CSV injection").
///
/// A cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`, which
/// spreadsheets show as text instead of evaluating a formula such as `=HYPERLINK(…)`. Feed text is
/// written by strangers, so this applies to every text cell; numbers are typed and need no guard.
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Writes a header and one row per record to `w`, and returns the number of records written.
///
/// # Errors
///
/// [`ExportError::Csv`] when the writer fails; some rows may already have been written then.
pub fn write_csv<W: io::Write>(w: W, records: &[NoticeRecord]) -> Result<usize, ExportError> {
    let mut csv = csv::Writer::from_writer(w);
    for record in records {
        csv.serialize(CsvRow::from(record))?;
    }
    if records.is_empty() {
        // serde writes the header with the first row; an empty export still gets its column names.
        csv.write_record(HEADER)?;
    }
    csv.flush().map_err(csv::Error::from)?;
    Ok(records.len())
}

/// The column names, as serde derives them from [`CsvRow`].
const HEADER: [&str; 15] = [
    "source",
    "id",
    "title",
    "buyer",
    "country",
    "cpv",
    "deadline",
    "published",
    "value",
    "currency",
    "status",
    "score",
    "matched_terms",
    "note",
    "url",
];

/// Writes the CSV to `path` atomically and returns the number of records written.
///
/// The text goes to a temporary file in the same directory, is synced, and is then renamed over `path`:
/// a crash or a full disk leaves either the old file or the complete new one, never half a CSV. The
/// temporary file is removed when anything fails.
///
/// # Errors
///
/// [`ExportError::File`] naming the path when the directory is missing or unwritable, the disk is full,
/// or the rename fails.
pub fn write_csv_file(path: &Path, records: &[NoticeRecord]) -> Result<usize, ExportError> {
    let tmp = temp_path(path)?;
    let file_error = |action, error| ExportError::File {
        action,
        path: path.to_path_buf(),
        error,
    };
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|error| file_error("create a temporary file for", error))?;
    let written = write_and_sync(file, records).and_then(|n| {
        fs::rename(&tmp, path)?;
        Ok(n)
    });
    match written {
        Ok(n) => Ok(n),
        Err(error) => {
            // Best effort: the write already failed, and a leftover dot-file is the lesser problem.
            let _ = fs::remove_file(&tmp);
            Err(file_error("write CSV to", error))
        }
    }
}

fn write_and_sync(file: File, records: &[NoticeRecord]) -> io::Result<usize> {
    let mut out = io::BufWriter::new(file);
    let n = write_csv(&mut out, records).map_err(|error| match error {
        ExportError::Csv(error) => match error.into_kind() {
            csv::ErrorKind::Io(error) => error,
            other => io::Error::other(format!("{other:?}")),
        },
        ExportError::File { error, .. } => error,
    })?;
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    // Without the sync, a power cut after the rename could leave an empty file under the final name.
    file.sync_all()?;
    Ok(n)
}

/// A fresh name next to `path`: hidden, and unique per process and call so concurrent exports differ.
fn temp_path(path: &Path) -> Result<PathBuf, ExportError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = path.file_name().ok_or_else(|| ExportError::File {
        action: "write CSV to",
        path: path.to_path_buf(),
        error: io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"),
    })?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".{}-{n}.tmp", std::process::id()));
    Ok(path.with_file_name(tmp))
}

/// The suggested export name for `now` in the user's system time zone, e.g.
/// `anbud-shortlist-20261122-2015.csv`.
pub fn default_file_name(now: Timestamp) -> String {
    default_file_name_in(now, &TimeZone::system())
}

/// [`default_file_name`] with an explicit time zone (the configured one, or UTC in tests).
pub fn default_file_name_in(now: Timestamp, tz: &TimeZone) -> String {
    format!(
        "anbud-shortlist-{}.csv",
        now.to_zoned(tz.clone()).strftime("%Y%m%d-%H%M")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_get_an_apostrophe() {
        for cell in [
            "=1+1",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tfoo",
            "\rfoo",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(neutralize_formula(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for cell in ["", "Sykehuset Østfold", "a=b", " =1", "'=1", "1-2", "ærlig"] {
            assert!(
                matches!(neutralize_formula(cell), Cow::Borrowed(c) if c == cell),
                "{cell:?}"
            );
        }
    }

    #[test]
    fn an_empty_export_still_has_the_header() {
        let mut out = Vec::new();
        assert_eq!(write_csv(&mut out, &[]).expect("write"), 0);
        assert_eq!(String::from_utf8(out).expect("utf8"), format!("{}\n", HEADER.join(",")));
    }

    #[test]
    fn the_header_constant_matches_the_serde_columns() {
        use crate::model::{Notice, NoticeId, Relevance, Triage};
        use std::collections::BTreeMap;
        let record = NoticeRecord {
            notice: Notice {
                id: NoticeId::new("ted", "1"),
                source: "ted".to_owned(),
                native_id: "1".to_owned(),
                title: String::new(),
                titles: BTreeMap::new(),
                description: String::new(),
                buyer: String::new(),
                country: None,
                cpv: Vec::new(),
                published: None,
                deadline: None,
                value: None,
                currency: None,
                notice_type: None,
                url: String::new(),
            },
            relevance: Relevance::default(),
            triage: Triage::New,
            note: String::new(),
        };
        let mut out = Vec::new();
        write_csv(&mut out, &[record]).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(text.lines().next(), Some(HEADER.join(",").as_str()));
    }

    #[test]
    fn default_file_name_uses_the_given_zone() {
        let now: Timestamp = "2026-11-22T19:15:00Z".parse().expect("ts");
        assert_eq!(
            default_file_name_in(now, &TimeZone::UTC),
            "anbud-shortlist-20261122-1915.csv"
        );
        let oslo = TimeZone::get("Europe/Oslo").expect("bundled tzdb");
        assert_eq!(default_file_name_in(now, &oslo), "anbud-shortlist-20261122-2015.csv");
    }

    #[test]
    fn a_path_without_file_name_is_an_error_naming_it() {
        let err = write_csv_file(Path::new("/"), &[]).expect_err("no file name");
        assert!(err.to_string().contains("cannot write CSV to /"), "{err}");
    }
}

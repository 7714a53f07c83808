//! CSV: the column set ([`CsvRow`], [`COLUMNS`], chosen per export), RFC 4180 quoting, the delimiter and BOM options, and the
//! spreadsheet formula guard.
//!
//! Written by hand rather than with the csv crate's writer because the quoting rule is stricter than
//! RFC 4180 needs (see `needs_quotes`) and numbers need their own formatting.

use std::borrow::Cow;
use std::io::{self, Write};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{ExportOptions, rfc3339_in};
use crate::model::NoticeRecord;

/// Every column a user can choose (`csv_columns` in the config, `--columns` on the command line):
/// the defaults, then the optional ones. Names mean what they mean in `list --json`: `key` is
/// anbud's id `source:id`, `id` the source's own id.
pub const COLUMNS: [&str; 21] = [
    "source",
    "key",
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
    "questions_deadline",
    "tags",
    "reject_reason",
    "buyer_id",
    "nuts",
    "id",
];

/// The default column names, in order: the first fifteen of [`COLUMNS`]. Scripts depend on them:
/// change only with the README.
pub const HEADER: &[&str] = COLUMNS.split_at(15).0;

/// Checks a chosen column list; the error names the unknown column and lists the valid ones.
///
/// # Errors
/// An unknown or repeated name, or an empty list.
pub fn parse_columns<S: AsRef<str>>(names: &[S]) -> Result<Vec<&'static str>, String> {
    let mut out: Vec<&'static str> = Vec::new();
    for name in names {
        let name = name.as_ref().trim();
        let Some(column) = COLUMNS.iter().find(|c| **c == name) else {
            return Err(format!(
                "unknown CSV column {name:?}; choose from {}",
                COLUMNS.join(", ")
            ));
        };
        if out.contains(column) {
            return Err(format!("CSV column {name:?} is listed twice"));
        }
        out.push(column);
    }
    if out.is_empty() {
        return Err(format!("choose at least one CSV column from {}", COLUMNS.join(", ")));
    }
    Ok(out)
}

/// One CSV line; every text cell has passed [`guard_cell`].
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow<'a> {
    /// The cells of [`COLUMNS`], in that order.
    cells: [Cow<'a, str>; 21],
}

impl<'a> From<&'a NoticeRecord> for CsvRow<'a> {
    /// The row with times in UTC.
    fn from(record: &'a NoticeRecord) -> Self {
        Self::in_zone(record, &TimeZone::UTC)
    }
}

impl<'a> CsvRow<'a> {
    /// The row for `record` with its times in `tz`.
    pub fn in_zone(record: &'a NoticeRecord, tz: &TimeZone) -> Self {
        let notice = &record.notice;
        let text = |s: &'a str| guard_cell(s);
        let owned = |s: String| Cow::Owned(guard_cell(&s).into_owned());
        let time = |t: Option<Timestamp>| owned(t.map(|t| rfc3339_in(t, tz)).unwrap_or_default());
        let rejected = record.triage == crate::model::Triage::Rejected;
        CsvRow {
            cells: [
                text(&notice.source),
                text(notice.id.as_str()),
                text(&notice.title),
                text(&notice.buyer),
                text(notice.country.as_deref().unwrap_or("")),
                owned(notice.cpv.join(" ")),
                time(notice.deadline),
                time(notice.published),
                // Numbers are ours, typed, and need no guard (a negative value is a number, not a formula).
                Cow::Owned(notice.value.map(format_number).unwrap_or_default()),
                text(notice.currency.as_deref().unwrap_or("")),
                text(record.triage.as_str()),
                Cow::Owned(record.relevance.score.to_string()),
                owned(record.relevance.matched_terms().join("; ")),
                text(record.note()),
                text(&notice.url),
                time(notice.questions_deadline),
                owned(record.tags().join(" ")),
                text(record.reject_reason().filter(|_| rejected).unwrap_or("")),
                text(notice.buyer_id.as_deref().unwrap_or("")),
                owned(notice.nuts.join(" ")),
                text(&notice.native_id),
            ],
        }
    }

    /// One cell by column name (see [`COLUMNS`]); empty for an unknown name.
    pub fn cell(&self, column: &str) -> &str {
        COLUMNS.iter().position(|c| *c == column).map_or("", |i| &self.cells[i])
    }

    /// The cells of the default columns ([`HEADER`]), in order.
    pub fn cells(&self) -> [&str; 15] {
        std::array::from_fn(|i| &*self.cells[i])
    }
}

/// A number as a spreadsheet in any locale parses it: no thousands separators, `.` as decimal
/// point, no trailing `.0` on whole values (`2500000`, `1234.5`). Not finite → empty.
pub fn format_number(value: f64) -> String {
    if value.is_finite() {
        // f64's Display never uses exponents or grouping and drops a zero fraction.
        format!("{value}")
    } else {
        String::new()
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

/// [`neutralize_formula`] at the start of the cell and after every `,`, `;` and line break in it.
///
/// Quoting keeps such a cell whole when the spreadsheet splits on the file's own delimiter. But a
/// comma file opened by Excel in a Norwegian locale is split on `;`, and a quote in the middle of a
/// field is then plain text: `"x;=1+1"` becomes the cells `"x` and `=1+1"`, and a line break starts
/// a new row. So a formula character right after a separator or line break gets the same `'`.
pub fn guard_cell(cell: &str) -> Cow<'_, str> {
    let guarded = neutralize_formula(cell);
    let risky =
        |w: &[u8]| matches!(w[0], b',' | b';' | b'\n' | b'\r') && matches!(w[1], b'=' | b'+' | b'-' | b'@' | b'\t');
    if !guarded.as_bytes().windows(2).any(risky) {
        return guarded;
    }
    let mut out = String::with_capacity(guarded.len() + 4);
    let mut after_separator = false;
    for c in guarded.chars() {
        if after_separator && matches!(c, '=' | '+' | '-' | '@' | '\t') {
            out.push('\'');
        }
        after_separator = matches!(c, ',' | ';' | '\n' | '\r');
        out.push(c);
    }
    Cow::Owned(out)
}

/// Whether `cell` must be quoted.
///
/// Beyond RFC 4180 (delimiter, quote, line break) a cell is quoted when it contains either usual
/// separator, `,` or `;`: a file opened with the other locale's separator then still keeps the cell
/// whole, so `x;=1+1` can never become a cell of its own starting with `=`. Leading or trailing
/// spaces are quoted so that no importer trims them.
fn needs_quotes(cell: &str, delimiter: u8) -> bool {
    cell.bytes()
        .any(|b| b == delimiter || matches!(b, b',' | b';' | b'"' | b'\n' | b'\r'))
        || cell.starts_with(' ')
        || cell.ends_with(' ')
}

pub(super) fn write_line<'c>(
    w: &mut impl Write,
    cells: impl IntoIterator<Item = &'c str>,
    delimiter: u8,
) -> io::Result<()> {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            w.write_all(&[delimiter])?;
        }
        if needs_quotes(cell, delimiter) {
            write!(w, "\"{}\"", cell.replace('"', "\"\""))?;
        } else {
            w.write_all(cell.as_bytes())?;
        }
    }
    w.write_all(b"\n")
}

/// Writes the optional BOM, the header and one line per record; returns the number of records.
pub(super) fn write(w: &mut impl Write, records: &[NoticeRecord], options: &ExportOptions) -> io::Result<usize> {
    if options.bom {
        w.write_all("\u{feff}".as_bytes())?;
    }
    let columns: &[&str] = options.columns.as_deref().unwrap_or(HEADER);
    write_line(w, columns.iter().copied(), options.delimiter)?;
    for record in records {
        let row = CsvRow::in_zone(record, &options.timezone);
        write_line(w, columns.iter().map(|c| row.cell(c)), options.delimiter)?;
    }
    Ok(records.len())
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
    fn formula_starts_after_a_separator_or_line_break_are_guarded_too() {
        assert_eq!(guard_cell("x;=1+1"), "x;'=1+1");
        assert_eq!(guard_cell("=a,@b\n-c\r+d"), "'=a,'@b\n'-c\r'+d");
        assert_eq!(guard_cell(";\t"), ";'\t");
        for plain in ["a; b", "1-2", "Oslo, Bergen", "x\ny", "Sør-Øst"] {
            assert!(matches!(guard_cell(plain), Cow::Borrowed(c) if c == plain), "{plain:?}");
        }
    }

    #[test]
    fn numbers_have_no_grouping_and_no_zero_fraction() {
        assert_eq!(format_number(2_500_000.0), "2500000");
        assert_eq!(format_number(1234.5), "1234.5");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(1e21), "1000000000000000000000");
        assert_eq!(format_number(f64::NAN), "");
    }

    #[test]
    fn both_separators_are_quoted_whatever_the_delimiter() {
        let mut out = Vec::new();
        write_line(&mut out, ["a;b", "a,b", "plain", " pad", "q\""], b',').expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "\"a;b\",\"a,b\",plain,\" pad\",\"q\"\"\"\n"
        );
        let mut out = Vec::new();
        write_line(&mut out, ["a;b", "a,b", "plain"], b';').expect("write");
        assert_eq!(String::from_utf8(out).expect("utf8"), "\"a;b\";\"a,b\";plain\n");
    }

    #[test]
    fn an_empty_export_still_has_the_header() {
        let mut out = Vec::new();
        let options = ExportOptions::default();
        assert_eq!(write(&mut out, &[], &options).expect("write"), 0);
        assert_eq!(String::from_utf8(out).expect("utf8"), format!("{}\n", HEADER.join(",")));
    }
}

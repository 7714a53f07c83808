//! `anbud list`: stored notices filtered by view, score and age, as a table, JSON lines or CSV.

use std::io::{self, Write};

use color_eyre::eyre::Result;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::export::{self, ExportOptions, json_lines};
use crate::model::NoticeRecord;

use super::ListFormat;
use super::output::Stdout;

/// The filters beyond `--status`, applied in Rust over the store's (already sorted) rows.
#[derive(Debug, Clone)]
pub(super) struct ListFilter {
    /// `--min-score`.
    pub min_score: Option<i32>,
    /// `--since`: published within this window before `now`.
    pub since: Option<SignedDuration>,
    /// The current time (`ANBUD_NOW` in tests).
    pub now: Timestamp,
    /// `--tag`: a notice must carry every one (normalised as the dashboard stores tags).
    pub tags: Vec<String>,
}

impl ListFilter {
    pub(super) fn keeps(&self, record: &NoticeRecord) -> bool {
        let score_ok = self.min_score.is_none_or(|min| record.relevance.score >= min);
        // A notice without a publication date cannot be shown to be recent, so --since drops it.
        let since_ok = self.since.is_none_or(|since| {
            let start = self.now.checked_sub(since).unwrap_or(Timestamp::MIN);
            record.notice.published.is_some_and(|p| p >= start)
        });
        let tags_ok = self.tags.iter().all(|t| record.tags().contains(t));
        score_ok && since_ok && tags_ok
    }
}

/// Prints the records that pass `filter` in `format`.
pub(super) fn print(
    records: &[NoticeRecord],
    filter: &ListFilter,
    format: ListFormat,
    tz: &TimeZone,
    columns: Option<Vec<&'static str>>,
) -> Result<()> {
    let kept: Vec<NoticeRecord> = records.iter().filter(|r| filter.keeps(r)).cloned().collect();
    let mut out = io::BufWriter::new(Stdout::new());
    match format {
        ListFormat::Json => {
            for record in &kept {
                writeln!(out, "{}", json_lines::record_json(record))?;
            }
        }
        ListFormat::Csv => {
            let options = ExportOptions {
                timezone: tz.clone(),
                columns,
                ..ExportOptions::default()
            };
            export::write_to(&mut out, &kept, &options).map_err(super::commands::export_failure)?;
        }
        ListFormat::Table => {
            for record in &kept {
                let n = &record.notice;
                let deadline = n.deadline.map_or_else(
                    || "-".to_owned(),
                    |d| d.to_zoned(tz.clone()).strftime("%Y-%m-%d").to_string(),
                );
                writeln!(
                    out,
                    "{:>4}  {:<10}  {:<11}  {:<6}  {}  ({})",
                    record.relevance.score,
                    deadline,
                    record.triage.as_str(),
                    n.source,
                    n.title,
                    n.buyer
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

//! `anbud awards`: stored contract awards filtered by buyer, winner, CPV and expiry, as a table,
//! JSON lines, CSV or a calendar of re-tender windows; `--import FILE` loads award notices from
//! recorded files (TED, Doffin, OCDS) without the live poll.

use std::io::{self, Write};
use std::path::PathBuf;

use color_eyre::eyre::{Result, WrapErr, eyre};
use jiff::civil::Date;
use jiff::{Span, Timestamp, ToSpan};

use super::Exit;
use super::output::Stdout;
use super::output::say;
use crate::export::awards::{award_json, write_csv, write_ics};
use crate::feeds::awards::{parse_competition_keys, parse_file};
use crate::model::{RetenderLead, StoredAward};
use crate::store::{AwardQuery, Store};

/// `awards --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AwardsFormat {
    /// Aligned columns: end, status, value, tenders, winner, buyer.
    Table,
    /// One JSON object per line.
    Json,
    /// CSV with a header row (formula-guarded).
    Csv,
    /// iCalendar: one all-day event per re-tender window.
    Ics,
}

/// `--expiring 12m`: a horizon in days, weeks, months or years (`30d`, `8w`, `12m`, `2y`). Unlike
/// `--since`, `m` is months here: contracts run for months, not minutes.
pub(super) fn parse_horizon(s: &str) -> Result<Span, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: i64 = number
        .parse()
        .ok()
        .filter(|n| (1..=600).contains(n))
        .ok_or_else(|| format!("`{s}` is not a horizon such as 12m: a number from 1 to 600, then d, w, m or y"))?;
    match unit {
        "d" => Ok(n.days()),
        "w" => Ok(n.weeks()),
        "m" => Ok(n.months()),
        "y" => Ok(n.years()),
        _ => Err(format!(
            "`{s}`: the unit must be d (days), w (weeks), m (months) or y (years)"
        )),
    }
}

/// What `anbud awards` was asked.
#[derive(Debug, Clone)]
pub(super) struct Request {
    /// The filters.
    pub query: AwardQuery,
    /// `--expiring`: only contracts whose estimated end lies between today and today + this.
    pub expiring: Option<Span>,
    /// Output format.
    pub format: AwardsFormat,
    /// Files to import instead of listing.
    pub import: Vec<PathBuf>,
    /// Today, in the user's zone (`ANBUD_NOW` in tests).
    pub today: Date,
    /// Now, for the calendar's DTSTAMP.
    pub now: Timestamp,
    /// The config's `retender_lead_months`.
    pub lead: RetenderLead,
}

/// Runs the command; `config` scores competition notices met while importing.
pub(super) fn run(store: &mut Store, config: &crate::config::Config, mut request: Request) -> Result<Exit> {
    if !request.import.is_empty() {
        return import(store, config, &request.import, request.now);
    }
    if let Some(span) = request.expiring {
        let until = request
            .today
            .checked_add(span)
            .map_err(|e| eyre!("--expiring reaches past the calendar: {e}"))?;
        request.query.ending = Some((request.today, until));
    }
    let rows = store.awards(&request.query).wrap_err("cannot read the stored awards")?;
    if rows.is_empty() && matches!(request.format, AwardsFormat::Table) {
        // An empty table would read as a failure; say what was asked and how awards get in.
        let within = request
            .expiring
            .map_or(String::new(), |_| " ending in that window".to_owned());
        say!(
            "No stored award matches{within}. Awards come from `anbud awards --import FILE` (TED, Doffin, OCDS \
             award notices); the live poll does not fetch them yet."
        );
    }
    let mut out = io::BufWriter::new(Stdout::new());
    match request.format {
        AwardsFormat::Table => print_table(&mut out, &rows, request.lead, request.expiring.is_some())?,
        AwardsFormat::Json => {
            for row in &rows {
                writeln!(out, "{}", award_json(row, request.lead))?;
            }
        }
        AwardsFormat::Csv => {
            write_csv(&mut out, &rows, request.lead, b',')?;
        }
        AwardsFormat::Ics => {
            write_ics(&mut out, &rows, request.lead, request.now)?;
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// Parses and saves every file, then links what it can; one line per file on stderr. A file that
/// cannot be read or parsed stops the import before anything of it is saved (earlier files stay).
/// A legacy TED competition notice (no award section) is stored as a notice, scored with the
/// profiles, so the awards that refer to it link.
fn import(store: &mut Store, config: &crate::config::Config, files: &[PathBuf], now: Timestamp) -> Result<Exit> {
    for file in files {
        let name = file.display().to_string();
        let body = std::fs::read(file).wrap_err_with(|| format!("cannot read {name}"))?;
        if let Some(notice) = legacy_competition(&body) {
            let score = crate::runtime::scorer(config)?;
            let relevance = score(&notice);
            store
                .upsert_notices(&[(notice.clone(), relevance)], now)
                .wrap_err_with(|| format!("cannot save the notice from {name}"))?;
            say!("{name}: competition notice {} stored, for linking awards", notice.id);
            continue;
        }
        let parsed = parse_competition_keys(&name, &body).and_then(|keys| Ok((keys, parse_file(&name, &body)?)));
        let (keys, rows) = match parsed {
            Ok(parsed) => parsed,
            Err(e) => {
                say!("anbud: {e}");
                return Ok(Exit::BadInput);
            }
        };
        if !keys.is_empty() {
            store
                .save_competition_keys(&keys)
                .wrap_err_with(|| format!("cannot save the competition keys from {name}"))?;
            say!(
                "{name}: link keys of {}",
                crate::model::plural::count(keys.len(), "competition notice", "competition notices")
            );
            if rows.is_empty() {
                continue;
            }
        }
        let saved = store
            .save_awards(&rows, now)
            .wrap_err_with(|| format!("cannot save the awards from {name}"))?;
        say!(
            "{name}: {} from {} ({} linked to a competition notice)",
            crate::model::plural::count(saved.rows, "award row", "award rows"),
            crate::model::plural::count(saved.notices, "notice", "notices"),
            saved.linked
        );
    }
    let relinked = store.relink_awards(now).wrap_err("cannot link the stored awards")?;
    if relinked > 0 {
        say!("linked {relinked} more award notices to competition notices");
    }
    Ok(Exit::Success)
}

/// The notice in `body` when it is a legacy TED notice without award sections (a competition).
fn legacy_competition(body: &[u8]) -> Option<crate::model::Notice> {
    use crate::feeds::awards::{AwardFormat, detect, ted_legacy};
    if detect(body).ok()? != AwardFormat::TedLegacy {
        return None;
    }
    let doc = ted_legacy::parse(body).ok()?;
    doc.contracts.is_empty().then(|| doc.to_notice())
}

/// `NOK 17000000 (award)`, `EUR 5850 (framework_max)`, or `-`.
fn value_text(row: &StoredAward) -> String {
    let a = &row.award;
    match (a.value, a.value_kind) {
        (Some(v), Some(kind)) => format!(
            "{} {} ({})",
            a.currency.as_deref().unwrap_or("?"),
            crate::export::csv_out::format_number(v),
            kind.as_str()
        ),
        _ => "-".to_owned(),
    }
}

fn print_table(out: &mut impl Write, rows: &[StoredAward], lead: RetenderLead, windows: bool) -> io::Result<()> {
    for row in rows {
        let a = &row.award;
        let end = row.end.map_or_else(|| "-".to_owned(), |e| e.end.to_string());
        let tenders = a.tenders_received.map_or_else(|| "-".to_owned(), |n| n.to_string());
        let winner = a.winner_name.as_deref().unwrap_or("(no winner)");
        let pairing = if a.pairing == crate::model::Pairing::Ambiguous {
            " [ids unpaired]"
        } else {
            ""
        };
        writeln!(
            out,
            "{end:<10}  {:<8}  {:>28}  {tenders:>3}  {winner}{pairing}  ({}: {})",
            a.status.as_str(),
            value_text(row),
            a.buyer,
            a.title
        )?;
        if windows && let Some(window) = row.retender_window(lead) {
            writeln!(out, "            re-tender {window}; {}", row.end_in_words())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizons_read_m_as_months() {
        assert_eq!(parse_horizon("12m").map(|s| s.get_months()), Ok(12));
        assert_eq!(parse_horizon("2y").map(|s| s.get_years()), Ok(2));
        assert!(parse_horizon("12").unwrap_err().contains("unit"));
        assert!(parse_horizon("0m").is_err());
        assert!(parse_horizon("m").is_err());
    }
}

//! Award notices from every source, parsed into [`Award`] rows (one per notice × lot × winner).
//!
//! Sans-IO and pure like the other adapters: bytes in, rows out. One file per wire format: TED's
//! search API JSON ([`ted_search`]), legacy TED R2.0.9 XML ([`ted_legacy`]), eForms UBL XML as
//! Doffin and TED serve it ([`eforms`]), Doffin search hits ([`doffin_hits`]) and OCDS release
//! packages ([`ocds`]). [`parse_file`] tells them apart by their first bytes, for
//! `anbud awards --import`. Depends on `model` and the shared JSON helpers; never on `store`.
//!
//! Every error names where the bytes came from ([`AwardError::source`]) and where in them it went
//! wrong; nothing here panics on hostile input, and every format is read in one pass.

pub mod doffin_hits;
pub mod eforms;
mod found;
pub mod ocds;
pub mod ted_keys;
pub mod ted_legacy;
pub mod ted_search;
mod xml;

use jiff::civil::Date;

pub use found::{AwardPage, FoundAwards, PollAwards};

use super::ParseError;
use crate::model::{Award, CompetitionKeys};

/// A body that could not be read as awards, with where it came from.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {error}")]
pub struct AwardError {
    /// The file or URL the bytes came from.
    pub source_name: String,
    /// What was wrong, with its position.
    pub error: ParseError,
}

impl AwardError {
    /// `error` in the bytes from `source`.
    pub fn new(source: &str, error: ParseError) -> Self {
        Self {
            source_name: crate::model::text::sanitize(source),
            error,
        }
    }

    /// The file or URL the bytes came from.
    pub fn source(&self) -> &str {
        &self.source_name
    }
}

/// The wire formats [`parse_file`] recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardFormat {
    /// TED Search API v3 response (`{"notices": [...]}`).
    TedSearch,
    /// Legacy TED XML (`<TED_EXPORT>`, R2.0.9).
    TedLegacy,
    /// eForms UBL `ContractAwardNotice` XML.
    Eforms,
    /// Doffin search response (`{"hits": [...]}`) or a single hit.
    DoffinHits,
    /// OCDS release package or `{"releases": [...]}`.
    Ocds,
}

/// Recognises the format from the first bytes and the root element or top-level keys.
///
/// # Errors
/// [`ParseError::Shape`] naming what was found when it is none of the formats.
pub fn detect(body: &[u8]) -> Result<AwardFormat, ParseError> {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    // Root elements and keys sit near the top; 4 KiB covers the XML prolog and eForms' namespaces.
    let head = String::from_utf8_lossy(&body[start..body.len().min(start + 4096)]);
    match body.get(start) {
        Some(b'<') if head.contains("<TED_EXPORT") => Ok(AwardFormat::TedLegacy),
        Some(b'<')
            if ["ContractAwardNotice", "<ContractNotice", "PriorInformationNotice"]
                .iter()
                .any(|root| head.contains(root)) =>
        {
            Ok(AwardFormat::Eforms)
        }
        Some(b'<') => Err(ParseError::Shape(
            "XML, but neither a TED_EXPORT nor an eForms notice".to_owned(),
        )),
        Some(b'{') => {
            let keys = json_keys(&head);
            let has = |k: &str| keys.iter().any(|key| key == k);
            if has("notices") {
                Ok(AwardFormat::TedSearch)
            } else if has("releases") {
                Ok(AwardFormat::Ocds)
            } else if has("hits") || (has("heading") && has("lots")) || has("id") {
                Ok(AwardFormat::DoffinHits)
            } else {
                Err(ParseError::Shape(format!(
                    "JSON, but not a TED, Doffin or OCDS response (top-level keys: {})",
                    crate::model::text::sanitize(&keys.join(", "))
                )))
            }
        }
        Some(_) => Err(ParseError::Shape(
            "neither JSON nor XML: expected a TED, Doffin or OCDS award file".to_owned(),
        )),
        None => Err(ParseError::Shape("the file is empty".to_owned())),
    }
}

/// The quoted names followed by `:` at nesting depth 1 in `head` (a JSON prefix): enough to tell
/// the formats apart without parsing a whole file twice.
fn json_keys(head: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0_i32, false, false);
    let mut current = String::new();
    let mut last_string: Option<String> = None;
    for c in head.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_string = false;
                    last_string = Some(std::mem::take(&mut current));
                }
                (false, c) => current.push(c),
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            ':' if depth == 1 => keys.extend(last_string.take()),
            c if !c.is_whitespace() => last_string = None,
            _ => {}
        }
    }
    keys
}

/// Parses an award file of any recognised format. `source` names it in errors; OCDS rows take
/// their notice ids' source kind from the publisher (see [`ocds::source_kind`]).
///
/// # Errors
/// [`AwardError`] naming `source`, when the format is unknown or the body is malformed.
pub fn parse_file(source: &str, body: &[u8]) -> Result<Vec<Award>, AwardError> {
    let format = detect(body).map_err(|e| AwardError::new(source, e))?;
    let parsed = match format {
        AwardFormat::TedSearch => ted_search::parse(body),
        AwardFormat::TedLegacy => ted_legacy::parse(body).map(|doc| doc.awards()),
        AwardFormat::Eforms => eforms::parse(body),
        AwardFormat::DoffinHits => doffin_hits::parse(body),
        AwardFormat::Ocds => ocds::parse(body),
    };
    parsed.map_err(|e| AwardError::new(source, e))
}

/// What the competition notices in a file give awards to link to (eForms contract notices, OCDS
/// tender releases); empty for other files.
///
/// # Errors
/// [`AwardError`] naming `source`, as [`parse_file`].
pub fn parse_competition_keys(source: &str, body: &[u8]) -> Result<Vec<CompetitionKeys>, AwardError> {
    let format = detect(body).map_err(|e| AwardError::new(source, e))?;
    let keys = match format {
        AwardFormat::Eforms => eforms::competition_keys(body).map(|k| k.into_iter().collect()),
        AwardFormat::Ocds => ocds::competition_keys(body),
        AwardFormat::TedSearch | AwardFormat::TedLegacy | AwardFormat::DoffinHits => Ok(Vec::new()),
    };
    keys.map_err(|e| AwardError::new(source, e))
}

/// The calendar day at the start of a source's date (`2026-07-04T23:59:59+01:00`, `2022-12-02`,
/// `2026-03-03+02:00`, `20210702`): the day the publisher meant, in its own zone.
pub(crate) fn civil_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Some(day) = s.get(..10).and_then(|d| d.parse::<Date>().ok()) {
        return Some(day);
    }
    let digits = s.get(..8).filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    let (y, m, d) = (digits.get(..4)?, digits.get(4..6)?, digits.get(6..8)?);
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// An eForms or TED duration as months: `MONTH` as is, `YEAR` × 12, `DAY` rounded up to months of
/// 30 days (a contract of 45 days is still running in its second month).
pub(crate) fn months_of(value: f64, unit: &str) -> Option<u32> {
    if !value.is_finite() || value <= 0.0 || value > 1200.0 {
        return None;
    }
    let months = match unit.trim().to_ascii_uppercase().as_str() {
        "MONTH" | "MON" => value,
        "YEAR" | "ANN" => value * 12.0,
        "DAY" | "DAYS" => (value / 30.0).ceil(),
        _ => return None,
    };
    // Bounded above to 1,200 × 12, so the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(months.round() as u32)
}

/// The legacy OJS number (`2021/S 114-300984`) as a TED publication number (`300984-2021`), digits
/// kept as written (legacy `DOC_ID`s keep the zero padding too).
pub(crate) fn publication_number(ojs: &str) -> Option<String> {
    let (year, rest) = ojs.trim().split_once('/')?;
    let number = rest.rsplit('-').next()?.trim();
    let ok = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (ok(year) && ok(number)).then(|| format!("{number}-{year}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_their_first_bytes() {
        assert_eq!(detect(b"  {\"notices\": []}").ok(), Some(AwardFormat::TedSearch));
        assert_eq!(
            detect(b"\xef\xbb\xbf{\"uri\": \"x\", \"releases\": []}").ok(),
            Some(AwardFormat::Ocds)
        );
        assert_eq!(
            detect(br#"{"id": "2026-1", "heading": "x", "lots": []}"#).ok(),
            Some(AwardFormat::DoffinHits)
        );
        // A key nested deeper does not count.
        assert!(detect(br#"{"x": {"notices": 1}}"#).is_err());
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?><TED_EXPORT>").ok(),
            Some(AwardFormat::TedLegacy)
        );
        let err = detect(b"<html>").expect_err("not awards");
        assert!(err.to_string().contains("neither a TED_EXPORT"));
        assert_eq!(detect(b"<ContractNotice xmlns=\"x\">").ok(), Some(AwardFormat::Eforms));
        assert!(detect(b"").is_err());
    }

    #[test]
    fn dates_and_numbers_in_their_source_spellings() {
        assert_eq!(
            civil_date("2026-07-04T23:59:59+01:00"),
            Some(Date::constant(2026, 7, 4))
        );
        assert_eq!(civil_date("2026-03-03+02:00"), Some(Date::constant(2026, 3, 3)));
        assert_eq!(civil_date("20210702"), Some(Date::constant(2021, 7, 2)));
        assert_eq!(civil_date("2021-02-30"), None);
        assert_eq!(months_of(4.0, "YEAR"), Some(48));
        assert_eq!(months_of(45.0, "DAY"), Some(2));
        assert_eq!(months_of(-1.0, "MONTH"), None);
        assert_eq!(publication_number("2021/S 114-300984").as_deref(), Some("300984-2021"));
        assert_eq!(publication_number("2022/S 084-028541").as_deref(), Some("028541-2022"));
        assert_eq!(publication_number("no number"), None);
    }
}

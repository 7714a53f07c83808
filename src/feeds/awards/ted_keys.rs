//! What TED competition notices give awards to link to: the eForms procedure identifier
//! (`procedure-identifier`, BT-04, the same on the competition and the result notice) and the
//! longest planned lot duration (`contract-duration-period-lot`), read from a page of the
//! competition search beside its notices.
//!
//! A second, narrow pass over the page: only these three fields are read, the rest of each notice
//! is scanned past without building anything (the notices' own reader, `feeds::ted::decode`,
//! keeps none of this).

use serde::Deserialize;
use serde_json::value::RawValue;

use super::months_of;
use crate::feeds::ParseError;
use crate::feeds::json::{decode_repaired, from_text, raw_strings_of};
use crate::model::{CompetitionKeys, NoticeId};

#[derive(Deserialize)]
struct KeyPage<'a> {
    #[serde(borrow, default)]
    notices: Vec<KeyNotice<'a>>,
}

#[derive(Deserialize)]
struct KeyNotice<'a> {
    #[serde(rename = "publication-number", borrow)]
    number: Option<&'a RawValue>,
    #[serde(rename = "procedure-identifier", borrow)]
    procedure: Option<&'a RawValue>,
    #[serde(rename = "contract-duration-period-lot", borrow)]
    durations: Option<&'a RawValue>,
}

/// One planned duration as TED lists them: `{"unit": "MONTH", "value": "6"}`.
#[derive(Deserialize)]
struct Duration<'a> {
    #[serde(borrow)]
    unit: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
}

/// The keys of the page's notices that name a procedure or a duration, as `ted:{publication
/// number}` (the ids the TED feed stores its notices under).
///
/// # Errors
/// [`ParseError::Json`] for a page that is not JSON even after the usual repairs.
pub fn competition_keys(body: &[u8]) -> Result<Vec<CompetitionKeys>, ParseError> {
    decode_repaired(body, |text| {
        let page: KeyPage<'_> = from_text(text)?;
        Ok(page.notices.iter().filter_map(keys_of).collect())
    })
}

fn keys_of(n: &KeyNotice<'_>) -> Option<CompetitionKeys> {
    let first = |raw: Option<&RawValue>| {
        raw.and_then(|r| raw_strings_of(r).into_iter().next())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let number = first(n.number)?;
    let procedure_id = first(n.procedure);
    // The longest lot: the contract runs until its last lot ends.
    let duration_months = n
        .durations
        .and_then(|raw| serde_json::from_str::<Vec<Duration<'_>>>(raw.get()).ok())
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let value: f64 = first(d.value)?.parse().ok()?;
            months_of(value, d.unit.as_deref().unwrap_or_default())
        })
        .max();
    (procedure_id.is_some() || duration_months.is_some()).then(|| CompetitionKeys {
        notice_id: NoticeId::new("ted", &number),
        procedure_id,
        ocid: None,
        duration_months,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// A recorded TED competition page (`search-response-opted-2024.json`, which predates these
    /// fields) with the two the competition search now asks for added to its first notice, shaped
    /// as in the recorded responses that have them (`procedure-identifier` a string — here the
    /// procedure id of eForms notice 434619-2026 — and `contract-duration-period-lot` a list of
    /// unit/value pairs; shared/reference/awards.md §2).
    fn page() -> Vec<u8> {
        let mut page: serde_json::Value = serde_json::from_slice(include_bytes!(
            "../../demo/fixtures/ted/search-response-opted-2024.json"
        ))
        .unwrap();
        let notice = page["notices"][0].as_object_mut().unwrap();
        notice.insert(
            "procedure-identifier".into(),
            serde_json::json!("079d095c-14ba-4372-8dc0-0b90a730f4f8"),
        );
        notice.insert(
            "contract-duration-period-lot".into(),
            serde_json::json!([{"unit": "MONTH", "value": "6"}, {"unit": "YEAR", "value": "4"}]),
        );
        serde_json::to_vec(&page).unwrap()
    }

    #[test]
    fn a_competition_page_gives_the_procedure_and_the_longest_lot() {
        let body = page();
        let number = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["notices"][0]["publication-number"]
            .as_str()
            .unwrap()
            .to_owned();
        let keys = competition_keys(&body).unwrap();
        assert_eq!(
            keys,
            [CompetitionKeys {
                notice_id: NoticeId::new("ted", &number),
                procedure_id: Some("079d095c-14ba-4372-8dc0-0b90a730f4f8".into()),
                ocid: None,
                duration_months: Some(48),
            }],
            "the other notice names neither"
        );
        assert!(competition_keys(b"{\"notices\": [").is_err());
    }
}

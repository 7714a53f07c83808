//! Recorded award notices the demo stores before its first frame, so the Market screen (`m`) and a
//! buyer's history (`b`) have something to show offline. Award notices are history: their dates
//! stay as recorded (the competition notices' dates move to today, these do not). The files are
//! byte-for-byte copies of `tests/fixtures/awards/` (provenance in `fixtures/awards/SOURCES.md`).

use jiff::Timestamp;

use crate::store::{AwardQuery, Store};

/// Each recorded file, named for the messages: TED search (3 lots, ambiguous pairing), Doffin
/// search hits (a winner without value; an intent), Doffin eForms XML (a value and tenders; a
/// VEAT with 14 suppliers), a legacy TED VEAT (a framework ceiling), Contracts Finder OCDS (NHS
/// awards with contract periods).
const FILES: [(&str, &[u8]); 8] = [
    (
        "wrapped-ted-can-291981-2026.json",
        include_bytes!("fixtures/awards/wrapped-ted-can-291981-2026.json"),
    ),
    (
        "hit-contract-award-notice.json",
        include_bytes!("fixtures/doffin/hit-contract-award-notice.json"),
    ),
    (
        "hit-intention-notice.json",
        include_bytes!("fixtures/doffin/hit-intention-notice.json"),
    ),
    (
        "notice-eforms-can-social-2022-319091.xml",
        include_bytes!("fixtures/awards/notice-eforms-can-social-2022-319091.xml"),
    ),
    (
        "notice-eforms-veat-2022-945636.xml",
        include_bytes!("fixtures/awards/notice-eforms-veat-2022-945636.xml"),
    ),
    (
        "notice-legacy-r209-veat-682047-2022.xml",
        include_bytes!("fixtures/awards/notice-legacy-r209-veat-682047-2022.xml"),
    ),
    (
        "extracted-cf-award-releases-health-2025.json",
        include_bytes!("fixtures/awards/extracted-cf-award-releases-health-2025.json"),
    ),
    (
        "cf-release-package-2022-awards-trimmed.json",
        include_bytes!("fixtures/awards/cf-release-package-2022-awards-trimmed.json"),
    ),
];

/// Stores the recorded awards, through the same parsers and store calls as `anbud awards
/// --import`, when the database holds none yet (a `--db` kept from an earlier demo keeps its own).
/// Returns how many rows were stored.
///
/// # Errors
/// When a bundled file does not parse (a broken build) or the store cannot be written.
pub fn seed(store: &mut Store, now: Timestamp) -> Result<usize, String> {
    let held = store.awards(&AwardQuery::default()).map_err(|e| e.to_string())?;
    if !held.is_empty() {
        return Ok(0);
    }
    let mut rows = Vec::new();
    for (name, body) in FILES {
        rows.extend(crate::feeds::awards::parse_file(name, body).map_err(|e| e.to_string())?);
    }
    let saved = store.save_awards(&rows, now).map_err(|e| e.to_string())?;
    store.relink_awards(now).map_err(|e| e.to_string())?;
    Ok(saved.rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn the_demo_stores_every_recorded_award_once() {
        let mut store = Store::open_in_memory().unwrap();
        let now = Timestamp::UNIX_EPOCH;
        let stored = seed(&mut store, now).unwrap();
        // 3 TED lots + 2 Doffin hits + 1 + 14 Doffin XML rows + 1 legacy VEAT + 3 + 9 OCDS rows.
        assert_eq!(stored, 33);
        assert_eq!(store.awards(&AwardQuery::default()).unwrap().len(), stored);
        assert_eq!(
            seed(&mut store, now).unwrap(),
            0,
            "a database with awards keeps its own"
        );
    }
}

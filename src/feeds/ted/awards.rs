//! The TED search for award notices: result forms in the configured countries and CPV families,
//! with the award fields, and `scope: ALL`.
//!
//! `scope: ACTIVE` (the competition search's) hides awards older than about four months (7,990 vs
//! 101,773 French awards over three years, shared/reference/awards.md §2), so awards need `ALL`.
//! Built here, parsed by `feeds::awards::ted_search`; not polled yet.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::{MAX_FIELD_CELLS, MAX_PAGE_SIZE, TedAdapter};
use crate::feeds::awards::ted_search::AWARD_FIELDS;
use crate::feeds::{HttpRequest, Method};

impl TedAdapter {
    /// The expert query for result notices published on or after `since`'s date, within the
    /// adapter's countries and CPV families.
    pub fn award_query(&self, since: Timestamp) -> String {
        format!("form-type=result AND {}", self.query(since))
    }

    /// The search request for award notices, continuing from TED's `iterationNextToken` if given.
    pub fn award_request(&self, since: Timestamp, token: Option<&str>) -> HttpRequest {
        // The two TED limits, with the award field list's length.
        let by_cells = MAX_FIELD_CELLS / AWARD_FIELDS.len() as u32;
        let limit = self.settings().page_size.clamp(1, MAX_PAGE_SIZE.min(by_cells));
        let mut body = Map::new();
        body.insert("query".into(), Value::String(self.award_query(since)));
        body.insert("fields".into(), json!(AWARD_FIELDS));
        body.insert("limit".into(), json!(limit));
        body.insert("scope".into(), json!("ALL"));
        body.insert("paginationMode".into(), json!("ITERATION"));
        if let Some(token) = token {
            body.insert("iterationNextToken".into(), json!(token));
        }
        let settings = self.settings();
        HttpRequest {
            method: Method::Post,
            url: format!(
                "{}/{}",
                settings.base_url.trim_end_matches('/'),
                settings.path.trim_start_matches('/')
            ),
            headers: Vec::new(),
            // A map of strings and numbers always serialises.
            body: Some(serde_json::to_vec(&Value::Object(body)).unwrap_or_default()),
        }
    }
}

/// The notice's XML on TED's site (`{site}/en/notice/{publication number}/xml`): the only source of
/// winners before 2024, when the search API has none. `site` is `https://ted.europa.eu` live.
pub fn notice_xml_url(site: &str, publication_number: &str) -> String {
    let number: String = publication_number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    format!("{}/en/notice/{number}/xml", site.trim_end_matches('/'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::feeds::ted::TedSettings;

    #[test]
    fn the_award_query_asks_for_results_in_every_scope() {
        let adapter = TedAdapter::new(TedSettings {
            base_url: "http://127.0.0.1:9".into(),
            countries: vec!["NOR".into()],
            cpv_families: vec!["33000000".into()],
            page_size: 1000,
            ..TedSettings::default()
        });
        let since = "2026-05-20T23:30:00Z".parse().unwrap();
        let req = adapter.award_request(since, Some("tok"));
        let body: Value = serde_json::from_slice(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body["query"],
            "form-type=result AND buyer-country IN (NOR) AND classification-cpv IN (33000000) \
             AND publication-date>=20260520 SORT BY publication-date DESC"
        );
        assert_eq!(body["scope"], "ALL");
        assert_eq!(body["fields"].as_array().unwrap().len(), AWARD_FIELDS.len());
        assert!(body["fields"].as_array().unwrap().contains(&json!("winner-name")));
        assert_eq!(body["limit"], 250);
        assert_eq!(body["iterationNextToken"], "tok");
        assert_eq!(
            notice_xml_url("https://ted.europa.eu/", "682047-2022"),
            "https://ted.europa.eu/en/notice/682047-2022/xml"
        );
        assert_eq!(notice_xml_url("http://h", "1/../x-2"), "http://h/en/notice/1-2/xml");
    }
}

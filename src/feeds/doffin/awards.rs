//! Doffin requests for award notices: the search restricted to the `RESULT` group of notice types
//! (award, intent, cancelled or missing conclusion), and the eForms XML of one notice, which alone
//! has the awarded value (`/download/{id}`).
//!
//! Doffin allows about 30 requests per 10 s, so the XML is meant for the few notices that match a
//! profile or a tracked bid (shared/reference/awards.md §5). Built here, parsed by
//! `feeds::awards::{doffin_hits, eforms}`; not polled yet.

use jiff::civil::Date;

use super::{DoffinAdapter, KEY_HEADER};
use crate::feeds::query::{encode, url_with_query};
use crate::feeds::{HttpRequest, Method};

impl DoffinAdapter {
    /// The search for result notices issued from `from` to `to` (inclusive), 1-based `page`, within
    /// the adapter's CPV codes and search strings, newest first.
    pub fn award_search_request(&self, from: Date, to: Option<Date>, page: u32) -> HttpRequest {
        let mut pairs = vec![
            ("numHitsPerPage", self.page_size().to_string()),
            ("page", page.max(1).to_string()),
            ("issueDateFrom", from.to_string()),
        ];
        if let Some(to) = to {
            pairs.push(("issueDateTo", to.to_string()));
        }
        pairs.push(("type", "RESULT".to_owned()));
        pairs.push(("sortBy", "PUBLICATION_DATE_DESC".to_owned()));
        for code in self.settings.cpv_codes.iter().map(|c| c.trim()) {
            if code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()) {
                pairs.push(("cpvCode", code.to_owned()));
            }
        }
        self.keyed(url_with_query(&self.settings.base_url, "search", &pairs))
    }

    /// The eForms XML of notice `id` (`2022-319091`).
    pub fn notice_xml_request(&self, id: &str) -> HttpRequest {
        let path = format!("download/{}", encode(id));
        self.keyed(url_with_query(&self.settings.base_url, &path, &[]))
    }

    fn keyed(&self, url: String) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url,
            headers: self
                .key()
                .map(|key| vec![(KEY_HEADER.to_owned(), key.to_owned())])
                .unwrap_or_default(),
            body: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feeds::doffin::DoffinSettings;

    #[test]
    fn the_result_search_names_the_group_and_keeps_the_key_in_a_header() {
        let adapter = DoffinAdapter::new(DoffinSettings {
            base_url: "http://127.0.0.1:9/public/v2".into(),
            api_key: Some("secret".into()),
            cpv_codes: vec!["33000000".into(), "bad".into()],
            ..DoffinSettings::default()
        });
        let req = adapter.award_search_request(Date::constant(2026, 7, 1), Some(Date::constant(2026, 7, 31)), 0);
        assert_eq!(
            req.url,
            "http://127.0.0.1:9/public/v2/search?numHitsPerPage=100&page=1&issueDateFrom=2026-07-01\
             &issueDateTo=2026-07-31&type=RESULT&sortBy=PUBLICATION_DATE_DESC&cpvCode=33000000"
        );
        assert_eq!(req.headers, [(KEY_HEADER.to_owned(), "secret".to_owned())]);
        assert!(!req.url.contains("secret"));
        let xml = adapter.notice_xml_request("2022-319091/../x");
        assert_eq!(xml.url, "http://127.0.0.1:9/public/v2/download/2022-319091%2F..%2Fx");
    }
}

//! Doffin requests for award notices: the search restricted to the `RESULT` group of notice types
//! (award, intent, cancelled or missing conclusion), and the eForms XML of one notice, which alone
//! has the awarded value (`/download/{id}`).
//!
//! Doffin allows about 30 requests per 10 s, so the XML is meant for the few notices that match a
//! profile or a tracked bid (shared/reference/awards.md §5). The search itself is the competition
//! search's request with `type=RESULT` (`DoffinAdapter::award_request`); its hits are parsed by
//! `feeds::awards::doffin_hits`, the XML by `feeds::awards::eforms`.

use jiff::Timestamp;

use super::{DoffinAdapter, KEY_HEADER};
use crate::feeds::awards::{AwardPage, FoundAwards, doffin_hits};
use crate::feeds::query::{encode, url_with_query};
use crate::feeds::{FeedAdapter, HttpRequest, Method, ParseError};

impl DoffinAdapter {
    /// Parses one page of the `RESULT` search built for `since` and `cursor`: the rows of its hits,
    /// and its next cursor by the same paging and `issueDate` windows as the competition search.
    ///
    /// # Errors
    /// As [`FeedAdapter::parse`].
    pub fn parse_award_page(
        &self,
        since: Timestamp,
        cursor: Option<&str>,
        body: &[u8],
    ) -> Result<AwardPage, ParseError> {
        // The hits are read twice (as notices for the paging, as rows): a page is ~100 hits.
        let page = self.parse_window(since, cursor, body)?;
        Ok(AwardPage {
            found: FoundAwards {
                awards: doffin_hits::parse(body)?,
                keys: Vec::new(),
            },
            next: page.next,
            total: page.total,
            warnings: page.warnings,
        })
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
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::feeds::doffin::DoffinSettings;

    fn adapter(awards: bool) -> DoffinAdapter {
        DoffinAdapter::new(DoffinSettings {
            base_url: "http://127.0.0.1:9/public/v2".into(),
            api_key: Some("secret".into()),
            cpv_codes: vec!["33000000".into(), "bad".into()],
            awards,
            ..DoffinSettings::default()
        })
    }

    #[test]
    fn the_result_search_names_the_group_and_keeps_the_key_in_a_header() {
        let since: Timestamp = "2026-07-11T00:00:00Z".parse().unwrap();
        assert!(adapter(false).award_request(since, None).is_none(), "awards off");
        let adapter = adapter(true);
        let req = adapter.award_request(since, Some("2@2026-07-01..2026-07-31")).unwrap();
        assert_eq!(
            req.url,
            "http://127.0.0.1:9/public/v2/search?numHitsPerPage=100&page=2&issueDateFrom=2026-07-01\
             &issueDateTo=2026-07-31&type=RESULT&sortBy=PUBLICATION_DATE_DESC&cpvCode=33000000"
        );
        assert_eq!(req.headers, [(KEY_HEADER.to_owned(), "secret".to_owned())]);
        assert!(!req.url.contains("secret"));
        // The competition search of the same window has no type filter.
        assert!(!adapter.request(since, None).url.contains("type="));
        let xml = adapter.notice_xml_request("2022-319091/../x");
        assert_eq!(xml.url, "http://127.0.0.1:9/public/v2/download/2022-319091%2F..%2Fx");
    }
}

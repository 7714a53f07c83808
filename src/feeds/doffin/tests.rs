//! Unit tests for the Doffin adapter: request building, page arithmetic and lenient hit decoding.

use serde_json::json;

use super::*;

fn adapter(key: Option<&str>) -> DoffinAdapter {
    DoffinAdapter::new(DoffinSettings {
        base_url: "http://127.0.0.1:9/public/v2/".into(),
        api_key: key.map(str::to_owned),
        cpv_codes: vec![
            "33000000".into(),
            "4818".into(),
            "48180000-3".into(),
            " 48814000 ".into(),
            "33000000".into(),
        ],
        search_strings: vec!["pasientjournal".into(), " ".into(), "EPJ & co".into()],
        page_size: 3,
        ..DoffinSettings::default()
    })
}

fn since() -> Timestamp {
    "2026-08-01T23:30:00Z".parse().unwrap()
}

fn page(a: &DoffinAdapter, cursor: Option<&str>, body: Value) -> Page {
    a.parse_response(cursor, &serde_json::to_vec(&body).unwrap()).unwrap()
}

fn hits(n: usize) -> Vec<Value> {
    (0..n).map(|i| json!({"id": format!("2026-{i}")})).collect()
}

#[test]
fn request_has_params_and_key_header() {
    let req = adapter(Some("secret")).request(since(), None);
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        "http://127.0.0.1:9/public/v2/search?numHitsPerPage=3&page=1&issueDateFrom=2026-07-22\
         &sortBy=PUBLICATION_DATE_DESC&cpvCode=33000000&cpvCode=48814000&searchString=pasientjournal%20EPJ%20%26%20co"
    );
    assert_eq!(req.headers, [(KEY_HEADER.to_owned(), "secret".to_owned())]);
    assert!(req.body.is_none());
    let next = adapter(Some("secret")).request(since(), Some("4"));
    assert!(next.url.contains("&page=4&"), "{}", next.url);
}

#[test]
fn key_never_shows_in_debug_output() {
    let a = adapter(Some("top-secret-key"));
    let shown = format!("{a:?} {:?}", a.request(since(), None));
    assert!(!shown.contains("top-secret-key"), "{shown}");
    assert!(shown.contains("Ocp-Apim-Subscription-Key"), "{shown}");
}

#[test]
fn missing_or_blank_key_is_not_ready() {
    for key in [None, Some("  ")] {
        let a = adapter(key);
        let err = a.readiness().unwrap_err();
        assert_eq!(
            err,
            "no API key — set DOFFIN_API_KEY; free key from Doffin's API portal"
        );
        assert!(a.request(since(), None).headers.is_empty());
    }
    assert_eq!(adapter(Some("k")).readiness(), Ok(()));
}

#[test]
fn next_page_while_full_and_inside_the_window() {
    let a = adapter(Some("k"));
    let p = page(
        &a,
        None,
        json!({"numHitsTotal": 7, "numHitsAccessible": 7, "hits": hits(3)}),
    );
    assert_eq!((p.next.as_deref(), p.total, p.partial), (Some("2"), Some(7), false));
    let p = page(
        &a,
        Some("2"),
        json!({"numHitsTotal": 7, "numHitsAccessible": 7, "hits": hits(3)}),
    );
    assert_eq!(p.next.as_deref(), Some("3"));
    let p = page(
        &a,
        Some("3"),
        json!({"numHitsTotal": 7, "numHitsAccessible": 7, "hits": hits(1)}),
    );
    assert_eq!(p.next, None, "a short page is the last");
    let p = page(
        &a,
        Some("2"),
        json!({"numHitsTotal": 6, "numHitsAccessible": 6, "hits": hits(3)}),
    );
    assert_eq!(p.next, None, "page × size reached the accessible count");
    let big = DoffinAdapter::new(DoffinSettings {
        page_size: 300,
        ..DoffinSettings::default()
    });
    let p = page(
        &big,
        Some("3"),
        json!({"numHitsTotal": 5000, "numHitsAccessible": 1000, "hits": hits(300)}),
    );
    assert_eq!(
        (p.next, p.partial),
        (None, true),
        "page 4 would pass the 1,000-hit window"
    );
}

#[test]
fn hit_fields_may_all_be_null_or_missing() {
    let a = adapter(Some("k"));
    let p = page(
        &a,
        None,
        json!({"hits": [
            {"id": "2026-1", "buyer": null, "heading": null, "description": null, "estimatedValue": null,
             "cpvCodes": null, "deadline": null, "issueDate": null, "type": null, "lots": null},
            {"id": null, "heading": "no id: skipped"},
            {"id": "2026-1", "heading": "repeat: skipped"},
            "not an object",
        ]}),
    );
    assert_eq!(p.notices.len(), 1);
    let n = &p.notices[0];
    assert_eq!(
        (n.id.as_str(), n.title.as_str()),
        ("doffin:2026-1", "Doffin notice 2026-1")
    );
    assert!(n.titles.is_empty() && n.buyer.is_empty() && n.cpv.is_empty());
    assert_eq!((n.value, n.deadline, n.published), (None, None, None));
    assert_eq!(n.url, "https://doffin.no/notices/2026-1");
    assert_eq!((p.total, p.next), (None, None));
}

#[test]
fn hit_decodes_buyers_value_dates_and_lot_fallbacks() {
    let a = adapter(Some("k"));
    let p = page(
        &a,
        None,
        json!({"hits": [{
            "id": "2026-2",
            "buyer": [{"name": "Herøy kommune"}, {"name": null}, {"name": "Volda kommune"}, {"name": "Herøy kommune"}],
            "lots": [{"heading": "Lot title", "description": "Lot text"}],
            "estimatedValue": {"amount": "4000000", "currencyCode": "nok"},
            "issueDate": null,
            "publicationDate": "2026-08-03",
            "deadline": "2026-09-01T10:00:00Z",
            "cpvCodes": ["48814000", "48814000", "bogus"],
            "type": "ANNOUNCEMENT_OF_COMPETITION",
        }, {"id": "2026-3", "estimatedValue": {"amount": 0, "currencyCode": "NOK"}}]}),
    );
    let n = &p.notices[0];
    assert_eq!(n.buyer, "Herøy kommune; Volda kommune");
    assert_eq!((n.title.as_str(), n.description.as_str()), ("Lot title", "Lot text"));
    assert_eq!((n.value, n.currency.as_deref()), (Some(4_000_000.0), Some("NOK")));
    assert_eq!(n.published, Some("2026-08-03T00:00:00Z".parse().unwrap()));
    assert_eq!(n.deadline, Some("2026-09-01T10:00:00Z".parse().unwrap()));
    assert_eq!(n.cpv, ["48814000"]);
    assert_eq!(n.notice_type.as_deref(), Some("ANNOUNCEMENT_OF_COMPETITION"));
    assert_eq!(n.country.as_deref(), Some("NO"));
    assert_eq!(p.notices[1].value, None, "a zero estimate is no estimate");
}

#[test]
fn raw_control_characters_are_repaired_before_parsing() {
    let body = "{\"numHitsTotal\": 1, \"hits\": [{\"id\": \"2026-4\", \"heading\": \"EPJ\tløsning\",\
                \"description\": \"Linje 1\nLinje 2\r\n\"}]}";
    let p = adapter(Some("k")).parse(body.as_bytes()).unwrap();
    assert_eq!(p.notices[0].title, "EPJ løsning");
    assert_eq!(p.notices[0].description, "Linje 1 Linje 2");
}

#[test]
fn error_bodies_are_shape_errors_quoting_the_server() {
    let a = adapter(Some("k"));
    let err = a
        .parse(br#"{"statusCode": 401, "message": "Access denied"}"#)
        .unwrap_err();
    assert!(
        matches!(err, ParseError::Shape(ref m) if m.contains("Access denied")),
        "{err}"
    );
    let err = a.parse(br#"{"reason": "Parameter page must be >= 1"}"#).unwrap_err();
    assert!(
        matches!(err, ParseError::Shape(ref m) if m.contains("page must be")),
        "{err}"
    );
    assert!(matches!(a.parse(br#"{"hits": {}}"#), Err(ParseError::Shape(_))));
    assert!(matches!(a.parse(b"[]"), Err(ParseError::Shape(_))));
    assert!(matches!(a.parse(b"<html>"), Err(ParseError::Html { .. })));
}

#[test]
fn recorded_hits_carry_buyer_org_numbers_and_nuts_codes() {
    let body = include_bytes!("../../demo/fixtures/doffin/search-response-1.json");
    let page = adapter(None).parse(body).unwrap();
    let find = |id: &str| page.notices.iter().find(|n| n.native_id == id).unwrap();
    let award = find("2026-112546");
    assert_eq!(award.buyer_id.as_deref(), Some("NO-BRC-991825827"));
    assert_eq!(award.nuts, ["NO071", "NO0A2"]);
    // Three co-buyers: the first one's number; `anyw` (anywhere) is no region.
    let epj = find("2026-112542");
    assert_eq!(epj.buyer_id.as_deref(), Some("NO-BRC-964978840"));
    assert!(epj.nuts.is_empty());
    assert_eq!(
        epj.questions_deadline, None,
        "Doffin's search hits carry no questions deadline"
    );
}

#[test]
fn a_buyer_without_an_organisation_number_has_no_id() {
    let p = page(
        &adapter(None),
        None,
        json!({"numHitsTotal": 1, "hits": [{"id": "2026-1", "buyer": [{"id": "642a", "name": "X"}], "locationId": null}]}),
    );
    assert_eq!((p.notices[0].buyer_id.as_deref(), p.notices[0].nuts.len()), (None, 0));
}

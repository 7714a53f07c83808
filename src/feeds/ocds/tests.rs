//! Unit tests for the OCDS adapter: requests, `links.next`, charset fallback and lenient releases.

use serde_json::json;

use super::*;
use crate::model::Notice;

fn adapter(template: Option<&str>) -> OcdsAdapter {
    OcdsAdapter::new(OcdsSettings {
        base_url: "http://127.0.0.1:9/".into(),
        notice_url_template: template.map(str::to_owned),
        ..OcdsSettings::default()
    })
}

fn page(a: &OcdsAdapter, v: &Value) -> Page {
    a.parse(&serde_json::to_vec(v).unwrap()).unwrap()
}

fn one(release: Value) -> Notice {
    let mut p = page(&adapter(None), &json!({ "releases": [release] }));
    assert_eq!(p.notices.len(), 1);
    p.notices.remove(0)
}

#[test]
fn first_request_has_limit_updated_from_and_stage() {
    let since: Timestamp = "2026-05-23T20:19:46.5+01:00".parse().unwrap();
    let req = adapter(None).request(since, None);
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        "http://127.0.0.1:9/api/1.0/ocdsReleasePackages?limit=100&updatedFrom=2026-05-23T19%3A19%3A46Z&stages=tender"
    );
    assert!(req.headers.is_empty() && req.body.is_none());
    let next = "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?limit=20&cursor=abc%3D";
    assert_eq!(
        adapter(None).request(since, Some(next)).url,
        next,
        "links.next is followed as is"
    );
}

#[test]
fn page_size_is_clamped() {
    let a = OcdsAdapter::new(OcdsSettings {
        page_size: 1000,
        ..OcdsSettings::default()
    });
    assert!(a.request(Timestamp::UNIX_EPOCH, None).url.contains("limit=100&"));
}

#[test]
fn next_link_absolute_relative_or_ignored() {
    let next = |link: &str| page(&adapter(None), &json!({"releases": [], "links": {"next": link}})).next;
    assert_eq!(
        next("https://x.example/p?cursor=1").as_deref(),
        Some("https://x.example/p?cursor=1")
    );
    assert_eq!(
        next("/api/1.0/ocdsReleasePackages?cursor=2").as_deref(),
        Some("http://127.0.0.1:9/api/1.0/ocdsReleasePackages?cursor=2")
    );
    assert_eq!(next("javascript:alert(1)"), None);
    assert_eq!(next("//evil.example/x"), None);
    assert_eq!(page(&adapter(None), &json!({"releases": [], "links": {}})).next, None);
    assert_eq!(origin("https://h.example:8443/a/b"), "https://h.example:8443");
    assert_eq!(origin("http://h"), "http://h");
}

#[test]
fn latin1_bodies_are_decoded_and_utf8_is_untouched() {
    let utf8 = "{\"releases\":[{\"id\":\"1\",\"tender\":{\"title\":\"Tromsø £5\"}}]}";
    assert!(matches!(decode_text(utf8.as_bytes()), Cow::Borrowed(_)));
    let mut latin1 = b"{\"releases\":[{\"id\":\"1\",\"tender\":{\"title\":\"Troms".to_vec();
    latin1.extend_from_slice(b"\xf8 \xa35 \x93quoted\x94 \x80\"}}]}");
    let p = adapter(None).parse(&latin1).unwrap();
    assert_eq!(p.notices[0].title, "Tromsø £5 \u{201c}quoted\u{201d} €");
    assert_eq!(
        decode_text(b"\x81a\xff"),
        Cow::<[u8]>::Owned("\u{81}aÿ".as_bytes().to_vec())
    );
}

#[test]
fn release_with_nothing_but_an_id_still_has_a_title() {
    let n = one(json!({"id": "050000-2026", "tender": null, "parties": "x", "tag": null}));
    assert_eq!(
        (n.id.as_str(), n.title.as_str()),
        ("fts:050000-2026", "FTS notice 050000-2026")
    );
    assert!(n.titles.is_empty() && n.buyer.is_empty() && n.cpv.is_empty() && n.url.is_empty());
    assert_eq!(
        (n.country, n.deadline, n.value, n.notice_type),
        (None, None, None, None)
    );
    let n = one(json!({"ocid": "ocds-x-1"}));
    assert_eq!(n.native_id, "ocds-x-1");
    let p = page(
        &adapter(None),
        &json!({"releases": [{"tender": {"title": "no id"}}, 3, {"id": "a"}, {"id": "a"}]}),
    );
    assert_eq!(p.notices.len(), 1);
}

#[test]
fn release_fields_map_to_the_notice() {
    let n = one(json!({
        "id": "R1", "ocid": "ocds-1", "language": "EN", "date": "2026-05-29T16:10:39+01:00", "tag": ["tender"],
        "parties": [
            {"id": "P0", "name": "Other buyer", "roles": ["buyer"], "address": {"countryName": "Norway"}},
            {"id": "P1", "name": "NHS Trust", "roles": ["buyer"], "address": {"countryName": "England"}},
            {"id": "P2", "roles": ["reviewBody"], "address": {"countryName": "GB"}},
        ],
        "buyer": {"id": "P1", "name": "NHS Trust"},
        "tender": {
            "title": "Virtual care", "description": "Remote monitoring",
            "classification": {"scheme": "CPV", "id": "85100000"},
            "items": [{"classification": {"scheme": "CPVS", "id": "AA01"},
                       "additionalClassifications": [{"scheme": "cpv", "id": "33195000-5"}, {"scheme": "CPV", "id": "85100000"}]}],
            "tenderPeriod": {"endDate": "2026-06-08"},
            "lots": [{"value": {"amount": 10, "currency": "GBP"}}],
            "value": {"amount": 12_000_000.0, "currency": "gbp"},
        },
    }));
    assert_eq!(
        (n.title.as_str(), n.titles["en"].as_str()),
        ("Virtual care", "Virtual care")
    );
    assert_eq!(
        (n.description.as_str(), n.buyer.as_str()),
        ("Remote monitoring", "NHS Trust")
    );
    assert_eq!(n.country.as_deref(), Some("GB"), "the party named by buyer.id wins");
    assert_eq!(n.cpv, ["85100000", "33195000"]);
    assert_eq!(n.deadline, Some("2026-06-08T00:00:00Z".parse().unwrap()));
    assert_eq!(n.published, Some("2026-05-29T15:10:39Z".parse().unwrap()));
    assert_eq!((n.value, n.currency.as_deref()), (Some(12_000_000.0), Some("GBP")));
    assert_eq!(n.notice_type.as_deref(), Some("tender"));
}

#[test]
fn buyer_from_parties_and_values_from_lots() {
    let n = one(json!({
        "id": "R2",
        "parties": [{"name": "A", "roles": ["buyer", "centralPurchasingBody"], "address": {"countryName": "Narnia"}},
                    {"name": "B", "roles": ["buyer"]}],
        "tender": {"lots": [{"title": "Lot 1", "value": {"amount": 100, "currency": "GBP"}},
                            {"value": {"amount": 50, "currency": "GBP"}}, {"value": {"amount": 0}}],
                   "value": {"amount": 0, "currency": "GBP"}},
    }));
    assert_eq!((n.buyer.as_str(), n.country), ("A; B", None));
    assert_eq!((n.title.as_str(), n.value), ("Lot 1", Some(150.0)));
}

#[test]
fn notice_urls_from_template_or_documents() {
    let release = json!({"id": "050998-2026", "ocid": "ocds-h6vhtk-06a949", "tender": {"documents": [
        {"documentType": "technicalSelectionCriteria", "url": "https://x.example/criteria"},
        {"documentType": "tenderNotice", "url": "javascript:alert(1)"},
    ]}, "awards": [{"documents": [{"documentType": "awardNotice", "url": "https://cf.example/Notice/u-1"}]}]});
    let with_template = |t: &str| {
        page(&adapter(Some(t)), &json!({"releases": [release.clone()]})).notices[0]
            .url
            .clone()
    };
    assert_eq!(
        with_template("https://www.find-tender.service.gov.uk/Notice/{id}"),
        "https://www.find-tender.service.gov.uk/Notice/050998-2026"
    );
    assert_eq!(
        with_template("https://o.example/{ocid}"),
        "https://o.example/ocds-h6vhtk-06a949"
    );
    assert_eq!(one(release).url, "https://cf.example/Notice/u-1");
}

#[test]
fn record_packages_and_error_bodies() {
    let p = page(
        &adapter(None),
        &json!({"records": [{"compiledRelease": {"id": "C1"}}, {"releases": []}]}),
    );
    assert_eq!(p.notices.len(), 1);
    let a = adapter(None);
    let err = a
        .parse(br#"{"status":400,"error":"Bad Request","message":"Invalid cursor"}"#)
        .unwrap_err();
    assert!(
        matches!(err, ParseError::Shape(ref m) if m.contains("Invalid cursor")),
        "{err}"
    );
    assert!(matches!(a.parse(br#"{"releases": {}}"#), Err(ParseError::Shape(_))));
    assert!(matches!(a.parse(b"\n<html>down</html>"), Err(ParseError::Html { .. })));
}

#[test]
fn out_of_range_numbers_do_not_lose_the_page() {
    let body = br#"{"releases": [{"id": "N1", "tender": {"value": {"amount": 1e9999, "currency": "GBP"}}}]}"#;
    let p = adapter(None).parse(body).unwrap();
    assert_eq!((p.notices[0].value, p.notices[0].currency.as_deref()), (None, None));
}

#[test]
fn recorded_releases_carry_buyer_ids_and_nuts_codes() {
    let fts = adapter(None)
        .parse(include_bytes!("../../demo/fixtures/ocds/fts-release-package-2026.json"))
        .unwrap();
    let find = |notices: &[Notice], id: &str| notices.iter().find(|n| n.native_id == id).cloned().unwrap();
    let kent = find(&fts.notices, "050970-2026");
    assert_eq!(kent.buyer_id.as_deref(), Some("GB-FTS-1163"));
    assert_eq!(kent.nuts, ["UKJ4"], "four items in one region");
    assert_eq!(find(&fts.notices, "050998-2026").nuts, ["UKE41"]);
    assert!(
        find(&fts.notices, "050965-2026").nuts.is_empty(),
        "`UK` is the country, not a region"
    );

    let cf = adapter(None)
        .parse(include_bytes!(
            "../../demo/fixtures/ocds/contracts-finder-search-response-2022.json"
        ))
        .unwrap();
    // A registered identifier (scheme + id) wins over the publisher's own party id.
    let peakon = find(&cf.notices, "7d005747-1320-456e-b1fb-79919a74e44f-582356");
    assert_eq!(
        peakon.buyer_id.as_deref(),
        Some("GB-SRS-sid4gov.cabinetoffice.gov.uk/FxGd77hQ")
    );
    assert!(peakon.nuts.is_empty(), "`London` is a place name, not a NUTS code");
    let recovery = find(&cf.notices, "3192eb94-59fd-4866-b34d-6a479a6ca21d-582353");
    assert_eq!(recovery.buyer_id.as_deref(), Some("GB-CFS-219971"));
    assert!(
        cf.notices.iter().all(|n| n.questions_deadline.is_none()),
        "no enquiryPeriod recorded"
    );
}

#[test]
fn enquiry_period_end_is_the_questions_deadline() {
    let n = one(json!({
        "id": "1",
        "tender": {"enquiryPeriod": {"endDate": "2026-06-05"}, "tenderPeriod": {"endDate": "2026-06-19T12:00:00Z"}},
        "parties": [{"id": "p1", "roles": ["buyer"], "identifier": {"scheme": "GB-COH", "id": "GB-COH-01234567"}}],
    }));
    assert_eq!(n.questions_deadline, Some("2026-06-05T00:00:00Z".parse().unwrap()));
    assert_eq!(
        n.buyer_id.as_deref(),
        Some("GB-COH-01234567"),
        "an id already prefixed is kept"
    );
}

//! Unit tests for the lenient TED decoding: one test per quirk listed in `shared/FEEDS.md`.

#![allow(clippy::unwrap_used, reason = "tests")]

use serde_json::json;

use super::*;

fn page(v: Value) -> Page {
    parse_page("ted", &serde_json::to_vec(&v).unwrap()).unwrap()
}

fn one(notice: Value) -> Notice {
    let mut p = page(json!({ "notices": [notice] }));
    assert_eq!(p.notices.len(), 1);
    p.notices.remove(0)
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn language_maps_of_strings_and_lists() {
    let n = one(json!({
        "publication-number": "1-2026",
        "notice-title": {"ENG": "Norway – Medical equipments – Trygghetsalarmer", "nor": "Norge – Medisinsk utstyr – Trygghetsalarmer"},
        "buyer-name": {"nor": ["Oslo kommune", "Bærum kommune", "Oslo kommune"], "eng": ["City of Oslo"]},
        "description-lot": {"nor": ["Lot 1 tekst", "Lot 1 tekst", "Lot 2 tekst"]},
    }));
    assert_eq!(n.titles.keys().collect::<Vec<_>>(), ["eng", "nor"]);
    assert_eq!(n.title, "Trygghetsalarmer", "country and CPV label are stripped");
    assert_eq!(
        n.titles["nor"], "Norge – Medisinsk utstyr – Trygghetsalarmer",
        "titles keep the full text"
    );
    assert_eq!(n.buyer, "Oslo kommune; Bærum kommune");
    assert_eq!(n.description, "Lot 1 tekst Lot 2 tekst");
    assert_eq!(n.url, "https://ted.europa.eu/en/notice/-/detail/1-2026");
}

#[test]
fn title_proc_wins_over_notice_title() {
    let n = one(json!({
        "publication-number": "2-2026",
        "notice-title": {"eng": "Norway – Medical equipments – Trygghetsalarmer"},
        "title-proc": {"nor": "Trygghetsalarmer"},
    }));
    assert_eq!(n.title, "Trygghetsalarmer");
    assert_eq!(n.titles.len(), 1);
}

#[test]
fn generated_title_keeps_dashes_inside_the_real_title() {
    let n = one(json!({
        "publication-number": "2-2026",
        "notice-title": {"eng": "Norway – Medical software package – EPJ – fase 2"},
    }));
    assert_eq!(n.title, "EPJ – fase 2");
    let n = one(json!({"publication-number": "2-2026", "notice-title": {"eng": "Norway – EPJ"}}));
    assert_eq!(n.title, "Norway – EPJ", "fewer than three segments: nothing to strip");
    let n = one(json!({"publication-number": "2-2026", "notice-title": {"eng": "Norway – EPJ – "}}));
    assert_eq!(n.title, "Norway – EPJ –", "a trailing dash separates nothing");
    let n = one(json!({"publication-number": "2-2026", "title-proc": {"eng": "A – B – C"}}));
    assert_eq!(n.title, "A – B – C", "the buyer's own title is never cut");
}

#[test]
fn bare_strings_and_lists_where_maps_are_expected() {
    let n = one(json!({
        "publication-number": ["3-2026"],
        "notice-title": "Plain title",
        "buyer-name": ["A", "B"],
        "buyer-country": "nor",
        "notice-type": ["cn-standard"],
    }));
    assert_eq!(n.native_id, "3-2026");
    assert_eq!(n.title, "Plain title");
    assert_eq!(n.titles.get("und").map(String::as_str), Some("Plain title"));
    assert_eq!(n.buyer, "A; B");
    assert_eq!(n.country.as_deref(), Some("NOR"));
    assert_eq!(n.notice_type.as_deref(), Some("cn-standard"));
}

#[test]
fn publication_date_with_offset_is_midnight_there() {
    let n = one(json!({"publication-number": "4-2026", "publication-date": "2026-05-29+02:00"}));
    assert_eq!(n.published, Some(ts("2026-05-28T22:00:00Z")));
    let n = one(json!({"publication-number": "4-2026", "publication-date": ["2026-05-29Z"]}));
    assert_eq!(n.published, Some(ts("2026-05-29T00:00:00Z")));
}

#[test]
fn deadline_combines_date_and_time_lists() {
    let n = one(json!({
        "publication-number": "5-2026",
        "deadline-receipt-tender-date-lot": ["2026-06-12+02:00", "2026-06-10+02:00"],
        "deadline-receipt-tender-time-lot": ["12:00:00+02:00", "09:30:00+02:00"],
    }));
    assert_eq!(n.deadline, Some(ts("2026-06-10T07:30:00Z")), "earliest lot wins");
    let n = one(json!({
        "publication-number": "5-2026",
        "deadline-receipt-tender-date-lot": ["2026-06-12+02:00", "2026-06-13+02:00"],
        "deadline-receipt-tender-time-lot": ["10:00:00Z"],
    }));
    assert_eq!(
        n.deadline,
        Some(ts("2026-06-12T10:00:00Z")),
        "one time applies to all dates"
    );
}

#[test]
fn deadline_without_time_is_start_of_that_day() {
    let n = one(json!({"publication-number": "6-2026", "deadline-receipt-tender-date-lot": ["2026-06-12+02:00"]}));
    assert_eq!(n.deadline, Some(ts("2026-06-11T22:00:00Z")));
    let n = one(json!({
        "publication-number": "6-2026",
        "deadline-receipt-tender-date-lot": "2026-06-12",
        "deadline-receipt-tender-time-lot": "garbage",
    }));
    assert_eq!(n.deadline, Some(ts("2026-06-12T00:00:00Z")));
}

#[test]
fn numbers_as_strings_and_lot_sums() {
    let n = one(json!({
        "publication-number": "7-2026",
        "estimated-value-lot": ["1200000.00", "300000"],
        "estimated-value-cur-lot": ["eur", "EUR"],
    }));
    assert_eq!((n.value, n.currency.as_deref()), (Some(1_500_000.0), Some("EUR")));
    let n = one(json!({
        "publication-number": "7-2026",
        "estimated-value-proc": "95 000",
        "estimated-value-cur-proc": ["NOK"],
        "estimated-value-lot": ["1"],
    }));
    assert_eq!((n.value, n.currency.as_deref()), (Some(95_000.0), Some("NOK")));
    let n =
        one(json!({"publication-number": "7-2026", "estimated-value-lot": ["0"], "estimated-value-cur-lot": ["EUR"]}));
    assert_eq!((n.value, n.currency), (None, None));
    let n = one(json!({"publication-number": "7-2026", "estimated-value-proc": "n/a"}));
    assert_eq!(n.value, None);
}

#[test]
fn cpv_deduplicated_and_normalised() {
    let n = one(json!({
        "publication-number": "8-2026",
        "classification-cpv": ["33100000", "33100000-1", "48180000", 3_000_000, "bogus", "33100000"],
    }));
    assert_eq!(n.cpv, ["33100000", "48180000", "03000000"]);
}

#[test]
fn alias_fields_and_repeated_notices() {
    let p = page(json!({
        "notices": [
            {"ND": "67623-2022", "PD": "2022-02-06T23:00:00Z", "RN": "349392-2021"},
            {"ND": "67623-2022", "PD": "2022-02-06T23:00:00Z"},
            {"publication-number": null},
            "not an object",
        ],
        "totalNoticeCount": "2",
        "iterationNextToken": "abc",
        "timedOut": true,
    }));
    assert_eq!(p.notices.len(), 1);
    assert_eq!(p.notices[0].id.as_str(), "ted:67623-2022");
    assert_eq!(p.notices[0].published, Some(ts("2022-02-06T23:00:00Z")));
    assert_eq!(
        p.notices[0].title, "TED notice 67623-2022",
        "an untitled notice still has a row label"
    );
    assert_eq!((p.next.as_deref(), p.total, p.partial), (Some("abc"), Some(2), true));
    assert_eq!(p.warnings.len(), 1);
    assert!(p.warnings[0].contains("timed out"), "{:?}", p.warnings);
}

#[test]
fn links_prefer_english_detail_page_and_only_web_urls() {
    let n = one(json!({
        "publication-number": "9-2026",
        "links": {"htmlDirect": {"ENG": "https://ted.europa.eu/en/notice/9-2026/html"},
                  "html": {"DEU": "https://ted.europa.eu/de/x", "ENG": "javascript:alert(1)"}},
    }));
    assert_eq!(n.url, "https://ted.europa.eu/en/notice/9-2026/html");
    let n = one(json!({"publication-number": "9-2026", "links": ["https://ted.europa.eu/bg/notice/9-2026/html"]}));
    assert_eq!(n.url, "https://ted.europa.eu/bg/notice/9-2026/html");
}

#[test]
fn english_links_are_read_as_a_json_object_keeps_them() {
    // Several spellings of English: the first in key order ("ENG" sorts before "eng"); a repeated
    // key keeps its last value; a list's first web URL counts. Read from text, as a feed sends it
    // (`json!` would already have merged the repeat).
    let url = |links: &str| {
        let body = format!(r#"{{"notices": [{{"publication-number": "8-2026", "links": {links}}}]}}"#);
        parse_page("ted", body.as_bytes()).unwrap().notices[0].url.clone()
    };
    assert_eq!(
        url(r#"{"html": {"eng": "https://b.example/8", "ENG": "https://a.example/8"}}"#),
        "https://a.example/8"
    );
    assert_eq!(
        url(
            r#"{"html": {"ENG": "https://old.example/8", "DEU": "https://de.example/8", "ENG": "https://new.example/8"}}"#
        ),
        "https://new.example/8"
    );
    assert_eq!(
        url(r#"{"html": {"ENG": ["", "https://list.example/8"]}}"#),
        "https://list.example/8"
    );
    // An English entry with no web URL in it gives none from that kind: `htmlDirect` is next.
    assert_eq!(
        url(r#"{"html": {"ENG": 12}, "htmlDirect": {"eng": "https://direct.example/8"}}"#),
        "https://direct.example/8"
    );
}

#[test]
fn text_is_sanitised_and_entities_decoded() {
    let n = one(json!({
        "publication-number": "10-2026\u{1b}[2J",
        "notice-title": {"eng": "Alarm\u{1b}]0;pwned\u{7} &amp;  more &amp;lt;"},
        "buyer-name": {"swe": ["Falu Energi &amp;\tVatten"]},
    }));
    assert_eq!(n.native_id, "10-2026");
    assert_eq!(n.title, "Alarm & more &lt;");
    assert_eq!(n.buyer, "Falu Energi & Vatten");
}

#[test]
fn html_json_and_shape_errors() {
    let err = parse_page("ted", b"  \n<html><title>429 Too Many Requests</title>").unwrap_err();
    assert!(
        matches!(err, ParseError::Html { ref snippet } if snippet.starts_with("<html>")),
        "{err}"
    );
    let err = parse_page("ted", b"{\n  \"notices\": [\n    {\"publication-number\": \"1-").unwrap_err();
    assert!(matches!(err, ParseError::Json { line: 3, .. }), "{err}");
    assert!(
        !err.to_string().contains("at line 3 column"),
        "position printed once: {err}"
    );
    let err = parse_page("ted", br#"{"type":"QUERY_SYNTAX_ERROR","message":"bad query"}"#).unwrap_err();
    assert!(
        matches!(err, ParseError::Shape(ref m) if m.contains("bad query")),
        "{err}"
    );
    let err = parse_page("ted", b"[1]").unwrap_err();
    assert!(matches!(err, ParseError::Shape(_)), "{err}");
    let err = parse_page("ted", br#"{"notices": {}}"#).unwrap_err();
    assert!(matches!(err, ParseError::Shape(_)), "{err}");
}

#[test]
fn recorded_fixtures_parse() {
    for body in [
        &include_bytes!("../../../demo/fixtures/ted/search-response-eu-digital-2026.json")[..],
        include_bytes!("../../../demo/fixtures/ted/search-response-sweden-it-2026.json"),
        include_bytes!("../../../demo/fixtures/ted/search-response-opted-2024.json"),
    ] {
        let p = parse_page("ted", body).unwrap();
        assert!(!p.notices.is_empty());
        for n in &p.notices {
            assert!(n.url.starts_with("https://ted.europa.eu/"), "{}", n.url);
        }
    }
}

#[test]
fn recorded_place_of_performance_gives_nuts_codes_without_countries() {
    let page = parse_page(
        "ted",
        include_bytes!("../../../demo/fixtures/ted/search-response-eu-digital-2026.json"),
    )
    .unwrap();
    let find = |id: &str| page.notices.iter().find(|n| n.native_id == id).unwrap();
    assert_eq!(find("367831-2026").nuts, ["FRE11"]);
    assert_eq!(find("368708-2026").nuts, ["DEA33"]);
    assert!(
        page.notices
            .iter()
            .all(|n| n.buyer_id.is_none() && n.questions_deadline.is_none())
    );
    let with_regions = page.notices.iter().filter(|n| !n.nuts.is_empty()).count();
    assert!(with_regions >= 8, "{with_regions} of {}", page.notices.len());
}

#[test]
fn a_notice_repeating_a_field_is_skipped_and_grammar_breaks_are_repaired() {
    // Fields are read into a struct, which refuses a repeated field: that notice goes, the page stays.
    let body = br#"{"notices": [
        {"publication-number": "1-2026", "publication-number": "2-2026"},
        {"publication-number": "3-2026", "estimated-value-proc": Infinity,
         "title-proc": {"nor": "Trygghetsalarmer	og sensorer"}}
    ], "totalNoticeCount": 2}"#;
    let p = parse_page("ted", body).unwrap();
    let ids: Vec<&str> = p.notices.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["ted:3-2026"]);
    // The raw tab inside the title and the bare `Infinity` were repaired rather than failing the page.
    assert_eq!(p.notices[0].title, "Trygghetsalarmer og sensorer");
    assert_eq!(p.notices[0].value, None);
    assert_eq!(p.total, Some(2));
}

#[test]
fn entries_that_are_not_notices_are_skipped_and_odd_links_fall_back_to_the_detail_page() {
    let p = page(json!({"notices": [
        1, "x", ["publication-number", "9-2026"], null, true,
        {"publication-number": "4-2026",
         "links": {"html": {"ENG": "https://ted.europa.eu/en/notice/4-2026/html"}, "pdf": {"eng": "x"}}},
        {"publication-number": "5-2026", "links": "https://ted.europa.eu/udl?uri=5-2026"},
        {"publication-number": "6-2026", "links": {"html": ["not a map"], "htmlDirect": {"eng": "ftp://x"}}},
    ]}));
    let urls: Vec<(&str, &str)> = p
        .notices
        .iter()
        .map(|n| (n.native_id.as_str(), n.url.as_str()))
        .collect();
    assert_eq!(
        urls,
        [
            ("4-2026", "https://ted.europa.eu/en/notice/4-2026/html"),
            ("5-2026", "https://ted.europa.eu/udl?uri=5-2026"),
            ("6-2026", "https://ted.europa.eu/en/notice/-/detail/6-2026"),
        ]
    );
    // `links` repeating a page kind gives no link from it (as a struct refusing the repeat did).
    let body = br#"{"notices": [{"publication-number": "7-2026",
        "links": {"html": {"eng": "https://a.example/7"}, "html": {"eng": "https://b.example/7"}}}]}"#;
    let p = parse_page("ted", body).unwrap();
    assert_eq!(p.notices[0].url, "https://ted.europa.eu/en/notice/-/detail/7-2026");
}

//! Hostile or huge feed bodies (issue #12): each test parses a 2 MB body built from one pattern that
//! used to cost time growing with the square of its size (a list de-duplicated with `Vec::contains`,
//! a search from every position to the end, an ancestor walk per element) and checks the result.
//! The tests assert what was parsed, never a time: a quadratic regression makes the suite crawl,
//! which CI notices; the speed goal (>= 50 MB/s per pattern) is in `benches/parse.rs`.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::HashSet;

use anbud::feeds::FeedAdapter;
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings};
use anbud::feeds::ocds::{OcdsAdapter, OcdsSettings};
use anbud::feeds::syndication::{RssAdapter, RssSettings};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use anbud::model::Notice;

/// The size of every hostile body.
const BODY: usize = 2 << 20;

/// Comma-separated `item(i)` for i = 0, 1, … until the list is about `bytes` long; the count too.
fn list(bytes: usize, item: impl Fn(usize) -> String) -> (String, usize) {
    let mut out = String::with_capacity(bytes + 64);
    let mut n = 0;
    while out.len() < bytes {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&item(n));
        n += 1;
    }
    (out, n)
}

/// The one notice of a TED page whose only notice carries `fields` (JSON members, comma-led).
fn ted_notice(fields: &str) -> Notice {
    let body = format!(r#"{{"notices":[{{"publication-number":"1-2026"{fields}}}],"totalNoticeCount":1}}"#);
    assert!(body.len() >= BODY, "the body is {} bytes", body.len());
    let mut page = TedAdapter::new(TedSettings::default()).parse(body.as_bytes()).unwrap();
    assert_eq!(page.notices.len(), 1);
    page.notices.remove(0)
}

/// A distinct plausible CPV code (division 33) for each `i` below a million.
fn cpv(i: usize) -> String {
    format!("33{i:06}")
}

/// A distinct five-character NUTS code for each `i` below 26 * 26 * 36³.
fn nuts(i: usize) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut code = vec![b'A' + (i / 26 % 26) as u8, b'A' + (i % 26) as u8];
    let mut rest = i / (26 * 26);
    for _ in 0..3 {
        code.push(ALNUM[rest % 36]);
        rest /= 36;
    }
    String::from_utf8(code).unwrap()
}

#[test]
fn ted_distinct_buyer_names_are_all_kept_once() {
    // Each name twice: the second copy must be recognised as a repeat.
    let (names, n) = list(BODY, |i| format!(r#""Buyer {}""#, i / 2));
    let notice = ted_notice(&format!(r#","buyer-name":{{"eng":[{names}]}}"#));
    let buyers: Vec<&str> = notice.buyer.split("; ").collect();
    assert_eq!(buyers.len(), n.div_ceil(2));
    assert_eq!(buyers.iter().collect::<HashSet<_>>().len(), buyers.len());
    assert_eq!((buyers[0], buyers[1]), ("Buyer 0", "Buyer 1"));
}

#[test]
fn ted_distinct_currencies_take_the_first_lot() {
    let (currencies, n) = list(BODY, |i| format!(r#""c{i}""#));
    let notice = ted_notice(&format!(
        r#","estimated-value-lot":["100","200"],"estimated-value-cur-lot":[{currencies}]"#
    ));
    assert!(n > BODY / 16);
    // Lots in different currencies cannot be added: the first lot, in the first currency.
    assert_eq!((notice.value, notice.currency.as_deref()), (Some(100.0), Some("C0")));
}

#[test]
fn ted_distinct_cpv_codes_are_all_kept_once() {
    let (codes, n) = list(BODY, |i| format!(r#""{}-1""#, cpv(i / 2)));
    let notice = ted_notice(&format!(r#","classification-cpv":[{codes}]"#));
    assert_eq!(notice.cpv.len(), n.div_ceil(2));
    assert_eq!(notice.cpv[..2], ["33000000", "33000001"]);
    assert_eq!(notice.cpv.iter().collect::<HashSet<_>>().len(), notice.cpv.len());
}

#[test]
fn ted_distinct_nuts_codes_are_all_kept_once() {
    let (codes, n) = list(BODY, |i| format!(r#""{}""#, nuts(i / 2)));
    let notice = ted_notice(&format!(r#","place-of-performance":[{codes}]"#));
    assert_eq!(notice.nuts.len(), n.div_ceil(2));
    assert_eq!(notice.nuts[..2], ["AAAAA", "ABAAA"]);
    assert_eq!(notice.nuts.iter().collect::<HashSet<_>>().len(), notice.nuts.len());
}

#[test]
fn doffin_distinct_buyers_and_cpv_codes_are_all_kept_once() {
    let (buyers, b) = list(BODY / 2, |i| format!(r#"{{"name":"Kommune {}"}}"#, i / 2));
    let (codes, c) = list(BODY / 2, |i| format!(r#""{}""#, cpv(i / 2)));
    let body = format!(r#"{{"numHitsTotal":1,"hits":[{{"id":"2026-1","buyer":[{buyers}],"cpvCodes":[{codes}]}}]}}"#);
    assert!(body.len() >= BODY);
    let page = DoffinAdapter::new(DoffinSettings::default())
        .parse(body.as_bytes())
        .unwrap();
    let notice = &page.notices[0];
    let names: Vec<&str> = notice.buyer.split("; ").collect();
    assert_eq!(names.len(), b.div_ceil(2));
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len());
    assert_eq!(notice.cpv.len(), c.div_ceil(2));
}

#[test]
fn ocds_distinct_buyer_parties_are_all_named_once() {
    let (parties, n) = list(BODY, |i| {
        format!(r#"{{"id":"P{i}","name":"Trust {}","roles":["buyer"]}}"#, i / 2)
    });
    let body = format!(r#"{{"releases":[{{"id":"r1","ocid":"o1","buyer":{{"id":"P3"}},"parties":[{parties}]}}]}}"#);
    let page = OcdsAdapter::new(OcdsSettings::default())
        .parse(body.as_bytes())
        .unwrap();
    let notice = &page.notices[0];
    let names: Vec<&str> = notice.buyer.split("; ").collect();
    assert_eq!(names.len(), n.div_ceil(2));
    // The party `buyer.id` names comes first, the others in source order.
    assert_eq!(names[..3], ["Trust 1", "Trust 0", "Trust 2"]);
    assert_eq!(names.iter().collect::<HashSet<_>>().len(), names.len());
}

/// The notices of an RSS feed whose items are `items`.
fn rss(items: &str) -> Vec<Notice> {
    let body = format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>"#);
    assert!(body.len() >= BODY, "the body is {} bytes", body.len());
    RssAdapter::new(RssSettings::default())
        .parse(body.as_bytes())
        .unwrap()
        .notices
}

#[test]
fn rss_ampersands_in_cdata_are_text() {
    let notices = rss(&format!(
        "<item><guid>a</guid><description><![CDATA[{}]]></description></item>",
        "&".repeat(BODY)
    ));
    assert_eq!(notices[0].description.len(), BODY);
    assert!(notices[0].description.bytes().all(|b| b == b'&'));
}

#[test]
fn rss_unterminated_entities_are_text_and_terminated_ones_decode() {
    // An entity name is short: a `;` far away does not make `&…;` an entity.
    let tail = " separator &amp;";
    let notices = rss(&format!(
        "<item><guid>a</guid><description><![CDATA[{}{tail}]]></description></item>",
        "&x ".repeat(BODY / 3)
    ));
    let words: Vec<&str> = notices[0].description.split(' ').collect();
    assert_eq!(words.len(), BODY / 3 + 2);
    assert!(words[..BODY / 3].iter().all(|w| *w == "&x"));
    assert_eq!(words[BODY / 3..], ["separator", "&"]);
}

#[test]
fn rss_many_scripts_and_styles_are_dropped_whole() {
    let (html, n) = list(BODY, |i| {
        let tag = if i % 2 == 0 { "script" } else { "STYLE" };
        format!("<{tag}>x{i}</{tag}>w{i}")
    });
    let notices = rss(&format!(
        "<item><guid>a</guid><description><![CDATA[{html}]]></description></item>"
    ));
    let words: Vec<&str> = notices[0].description.split(' ').collect();
    assert_eq!(words.len(), n);
    assert_eq!(words[..2], ["w0,", "w1,"]);
    assert!(!notices[0].description.contains('x'));
}

#[test]
fn rss_distinct_cpv_runs_are_all_kept_once() {
    let (codes, n) = list(BODY, |i| cpv(i / 2));
    let notices = rss(&format!("<item><guid>a</guid><category>{codes}</category></item>"));
    assert_eq!(notices[0].cpv.len(), n.div_ceil(2));
    assert_eq!(
        notices[0].cpv.iter().collect::<HashSet<_>>().len(),
        notices[0].cpv.len()
    );
}

#[test]
fn rss_deeply_nested_elements_keep_the_entry() {
    // 150,000 nested `<Name>` outside any contracting party, then a party that does name the buyer.
    let depth = BODY / "<Name></Name>".len();
    let notices = rss(&format!(
        "<item><guid>a</guid>{}deep{}<LocatedContractingParty><PartyName><Name>Helse Vest</Name></PartyName></LocatedContractingParty></item><item><guid>b</guid></item>",
        "<Name>".repeat(depth),
        "</Name>".repeat(depth)
    ));
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[0].buyer, "Helse Vest");
    assert_eq!(notices[1].native_id, "b");
}

/// A JSON body whose strings carry `BODY` raw control characters (which JSON forbids) is repaired
/// in one pass: every one becomes its escape, and the text reads back unchanged.
#[test]
fn json_raw_control_characters_are_repaired() {
    let description: String = (0..BODY).map(|i| ['\n', '\t', '\u{1}', 'a'][i % 4]).collect();
    let body =
        format!(r#"{{"numHitsTotal":1,"hits":[{{"id":"2026-1","heading":"t","description":"{description}"}}]}}"#);
    let page = DoffinAdapter::new(DoffinSettings::default())
        .parse(body.as_bytes())
        .unwrap();
    // Sanitising folds the whitespace and drops the other control characters.
    assert_eq!(page.notices[0].description, "a ".repeat(BODY / 4).trim_end());
}

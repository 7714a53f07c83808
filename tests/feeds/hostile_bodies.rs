//! Hostile or huge feed bodies (issue #12): each test parses a 2 MB body built from one pattern that
//! used to cost time growing with the square of its size (a list de-duplicated with `Vec::contains`,
//! a search from every position to the end, an ancestor walk per element) and checks the result.
//! The tests assert what was parsed, never a time: a quadratic regression makes the suite crawl,
//! which CI notices; the speed goal (>= 50 MB/s per pattern) is in `benches/parse.rs`.

#![allow(clippy::unwrap_used, reason = "tests")]

#[path = "../common/hostile.rs"]
mod hostile;

use std::collections::HashSet;

use anbud::model::Notice;
use hostile::Hostile;

/// The size of every hostile body.
const BODY: usize = 2 << 20;

/// The notices `pattern`'s body parses to.
fn parse(pattern: &Hostile) -> Vec<Notice> {
    assert!(
        pattern.body.len() >= BODY,
        "{}: {} bytes",
        pattern.name,
        pattern.body.len()
    );
    hostile::adapter(pattern.kind)
        .parse(pattern.body.as_bytes())
        .unwrap()
        .notices
}

/// The one notice of `pattern`'s body.
fn one(pattern: &Hostile) -> Notice {
    let mut notices = parse(pattern);
    assert_eq!(notices.len(), 1, "{}", pattern.name);
    notices.remove(0)
}

fn assert_distinct(list: &[impl AsRef<str>]) {
    assert_eq!(list.iter().map(AsRef::as_ref).collect::<HashSet<_>>().len(), list.len());
}

/// Each value of `pattern` came twice: `list` holds each once, in source order, from `first`.
fn assert_each_once(pattern: &Hostile, list: &[impl AsRef<str>], first: &[&str]) {
    assert_eq!(list.len(), pattern.count.div_ceil(2), "{}", pattern.name);
    let head: Vec<&str> = list.iter().take(first.len()).map(AsRef::as_ref).collect();
    assert_eq!(head, first);
    assert_distinct(list);
}

/// The buyers a notice names, as the adapters join them.
fn buyers(notice: &Notice) -> Vec<&str> {
    notice.buyer.split("; ").collect()
}

#[test]
fn ted_distinct_buyer_names_are_all_kept_once() {
    let pattern = hostile::ted_buyer_names(BODY);
    // Each name came twice: the second copy is recognised as a repeat.
    assert_each_once(&pattern, &buyers(&one(&pattern)), &["Buyer 0", "Buyer 1"]);
}

#[test]
fn ted_distinct_currencies_take_the_first_lot() {
    let pattern = hostile::ted_currencies(BODY);
    assert!(pattern.count > BODY / 16);
    let notice = one(&pattern);
    // Lots in different currencies cannot be added: the first lot, in the first currency.
    assert_eq!((notice.value, notice.currency.as_deref()), (Some(100.0), Some("C0")));
}

#[test]
fn ted_distinct_cpv_and_nuts_codes_are_all_kept_once() {
    let cpv = hostile::ted_cpv_codes(BODY);
    assert_each_once(
        &cpv,
        &one(&cpv).cpv.iter().collect::<Vec<_>>(),
        &["33000000", "33000001"],
    );
    let nuts = hostile::ted_nuts_codes(BODY);
    assert_each_once(&nuts, &one(&nuts).nuts, &["AAAAA", "ABAAA"]);
}

#[test]
fn doffin_distinct_buyers_and_cpv_codes_are_all_kept_once() {
    let pattern = hostile::doffin_buyers(BODY);
    let notice = one(&pattern);
    let names = buyers(&notice);
    assert_each_once(&pattern, &names, &["Kommune 0", "Kommune 1"]);
    // The other half of the body: CPV codes of the same shape, fewer bytes each.
    assert!(notice.cpv.len() > names.len());
    let cpv: Vec<&str> = notice.cpv.iter().collect();
    assert_eq!(cpv[..2], ["33000000", "33000001"]);
    assert_distinct(&cpv);
}

#[test]
fn ocds_distinct_buyer_parties_are_all_named_once() {
    let pattern = hostile::ocds_parties(BODY);
    // The party `buyer.id` names comes first, the others in source order.
    assert_each_once(&pattern, &buyers(&one(&pattern)), &["Trust 1", "Trust 0", "Trust 2"]);
}

#[test]
fn rss_ampersands_in_cdata_are_text() {
    let notice = one(&hostile::rss_ampersands(BODY));
    assert_eq!(notice.description.len(), BODY);
    assert!(notice.description.bytes().all(|b| b == b'&'));
}

#[test]
fn rss_unterminated_entities_are_text_and_terminated_ones_decode() {
    let pattern = hostile::rss_unterminated_entities(BODY);
    let notice = one(&pattern);
    // An entity name is short: a `;` far away does not make `&…;` an entity.
    let words: Vec<&str> = notice.description.split(' ').collect();
    assert_eq!(words.len(), pattern.count + 2);
    assert!(words[..pattern.count].iter().all(|w| *w == "&x"));
    assert_eq!(words[pattern.count..], ["separator", "&"]);
}

#[test]
fn rss_many_scripts_and_styles_are_dropped_whole() {
    let pattern = hostile::rss_scripts(BODY);
    let notice = one(&pattern);
    let words: Vec<&str> = notice.description.split(' ').collect();
    assert_eq!(words.len(), pattern.count);
    assert_eq!(words[..2], ["w0,", "w1,"]);
    assert!(!notice.description.contains('x'));
}

#[test]
fn rss_distinct_cpv_runs_are_all_kept_once() {
    let pattern = hostile::rss_cpv_runs(BODY);
    assert_each_once(
        &pattern,
        &one(&pattern).cpv.iter().collect::<Vec<_>>(),
        &["33000000", "33000001"],
    );
}

#[test]
fn rss_deeply_nested_elements_keep_the_entry() {
    let pattern = hostile::rss_nesting(BODY);
    assert!(pattern.count > 150_000);
    let notices = parse(&pattern);
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[0].buyer, "Helse Vest");
    assert_eq!(notices[1].native_id, "b");
}

/// A JSON body whose strings carry raw control characters (which JSON forbids) is repaired in one
/// pass: every one becomes its escape, and the text reads back unchanged.
#[test]
fn json_raw_control_characters_are_repaired() {
    let pattern = hostile::json_control_bytes(BODY);
    let notice = one(&pattern);
    // Sanitising folds the whitespace and drops the other control characters.
    assert_eq!(notice.description, "a ".repeat(pattern.count).trim_end());
}

/// The benchmark's list holds every pattern above, and each parses.
#[test]
fn every_pattern_parses() {
    let all = hostile::all(4096);
    let names: HashSet<&str> = all.iter().map(|p| p.name).collect();
    assert_eq!(names.len(), 12);
    for pattern in &all {
        let page = hostile::adapter(pattern.kind).parse(pattern.body.as_bytes()).unwrap();
        assert!(!page.notices.is_empty(), "{}", pattern.name);
    }
}

//! Hostile or huge feed bodies (issue #12), one builder per pattern that once cost time growing with
//! the square of its size. Shared by `tests/feeds_hostile.rs` (which checks what each parses to) and
//! `benches/parse.rs` (which measures MB/s on each); included with `#[path]`, not through `mod.rs`.

#![allow(dead_code, reason = "each includer uses its own part")]

use anbud::feeds::FeedAdapter;
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings};
use anbud::feeds::ocds::{OcdsAdapter, OcdsSettings};
use anbud::feeds::syndication::{RssAdapter, RssSettings};
use anbud::feeds::ted::{TedAdapter, TedSettings};

/// A hostile body: what it holds, the adapter that reads it, and how many distinct values (or
/// repeated units) it was built from.
pub struct Hostile {
    pub name: &'static str,
    pub kind: &'static str,
    pub body: String,
    pub count: usize,
}

/// Every pattern, each body about `bytes` long.
pub fn all(bytes: usize) -> Vec<Hostile> {
    vec![
        ted_buyer_names(bytes),
        ted_currencies(bytes),
        ted_cpv_codes(bytes),
        ted_nuts_codes(bytes),
        doffin_buyers(bytes),
        ocds_parties(bytes),
        rss_ampersands(bytes),
        rss_unterminated_entities(bytes),
        rss_scripts(bytes),
        rss_cpv_runs(bytes),
        rss_nesting(bytes),
        json_control_bytes(bytes),
    ]
}

/// The adapter for a pattern's `kind`, with default settings.
pub fn adapter(kind: &str) -> Box<dyn FeedAdapter> {
    match kind {
        "ted" => Box::new(TedAdapter::new(TedSettings::default())),
        "doffin" => Box::new(DoffinAdapter::new(DoffinSettings::default())),
        "ocds" => Box::new(OcdsAdapter::new(OcdsSettings::default())),
        _ => Box::new(RssAdapter::new(RssSettings::default())),
    }
}

/// Comma-separated `item(i)` for i = 0, 1, … until the list is about `bytes` long; the count too.
pub fn list(bytes: usize, item: impl Fn(usize) -> String) -> (String, usize) {
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

/// A distinct plausible CPV code (division 33) for each `i` below a million.
pub fn cpv(i: usize) -> String {
    format!("33{i:06}")
}

/// A distinct five-character NUTS code for each `i` below 26 * 26 * 36³.
pub fn nuts(i: usize) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut code = vec![b'A' + (i / 26 % 26) as u8, b'A' + (i % 26) as u8];
    let mut rest = i / (26 * 26);
    for _ in 0..3 {
        code.push(ALNUM[rest % 36]);
        rest /= 36;
    }
    code.into_iter().map(char::from).collect()
}

fn hostile(name: &'static str, kind: &'static str, body: String, count: usize) -> Hostile {
    Hostile {
        name,
        kind,
        body,
        count,
    }
}

/// A TED page whose one notice carries `fields` (JSON members, comma-led).
fn ted_page(fields: &str) -> String {
    format!(r#"{{"notices":[{{"publication-number":"1-2026"{fields}}}],"totalNoticeCount":1}}"#)
}

/// An RSS feed of `items`.
fn rss_feed(items: &str) -> String {
    format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>"#)
}

/// Each distinct buyer name twice (`Buyer 0`, `Buyer 0`, `Buyer 1`, …); `count` names in all.
pub fn ted_buyer_names(bytes: usize) -> Hostile {
    let (names, n) = list(bytes, |i| format!(r#""Buyer {}""#, i / 2));
    hostile(
        "ted_buyer_names",
        "ted",
        ted_page(&format!(r#","buyer-name":{{"eng":[{names}]}}"#)),
        n,
    )
}

/// Two lots and `count` distinct currencies `c0`, `c1`, ….
pub fn ted_currencies(bytes: usize) -> Hostile {
    let (currencies, n) = list(bytes, |i| format!(r#""c{i}""#));
    let fields = format!(r#","estimated-value-lot":["100","200"],"estimated-value-cur-lot":[{currencies}]"#);
    hostile("ted_currencies", "ted", ted_page(&fields), n)
}

/// Each distinct CPV code twice, with a check digit; `count` codes in all.
pub fn ted_cpv_codes(bytes: usize) -> Hostile {
    let (codes, n) = list(bytes, |i| format!(r#""{}-1""#, cpv(i / 2)));
    hostile(
        "ted_cpv_codes",
        "ted",
        ted_page(&format!(r#","classification-cpv":[{codes}]"#)),
        n,
    )
}

/// Each distinct NUTS code twice; `count` codes in all.
pub fn ted_nuts_codes(bytes: usize) -> Hostile {
    let (codes, n) = list(bytes, |i| format!(r#""{}""#, nuts(i / 2)));
    hostile(
        "ted_nuts_codes",
        "ted",
        ted_page(&format!(r#","place-of-performance":[{codes}]"#)),
        n,
    )
}

/// Half the body buyers, half CPV codes, each distinct one twice; `count` buyers in all.
pub fn doffin_buyers(bytes: usize) -> Hostile {
    let (buyers, n) = list(bytes / 2, |i| format!(r#"{{"name":"Kommune {}"}}"#, i / 2));
    let (codes, _) = list(bytes / 2, |i| format!(r#""{}""#, cpv(i / 2)));
    let body = format!(r#"{{"numHitsTotal":1,"hits":[{{"id":"2026-1","buyer":[{buyers}],"cpvCodes":[{codes}]}}]}}"#);
    hostile("doffin_buyers_cpv", "doffin", body, n)
}

/// `count` buyer parties `P0`, `P1`, … named `Trust 0`, `Trust 0`, `Trust 1`, …; `buyer.id` is `P3`.
pub fn ocds_parties(bytes: usize) -> Hostile {
    let (parties, n) = list(bytes, |i| {
        format!(r#"{{"id":"P{i}","name":"Trust {}","roles":["buyer"]}}"#, i / 2)
    });
    let body = format!(r#"{{"releases":[{{"id":"r1","ocid":"o1","buyer":{{"id":"P3"}},"parties":[{parties}]}}]}}"#);
    hostile("ocds_parties", "ocds", body, n)
}

/// `count` ampersands in a CDATA description.
pub fn rss_ampersands(bytes: usize) -> Hostile {
    let item = format!(
        "<item><guid>a</guid><description><![CDATA[{}]]></description></item>",
        "&".repeat(bytes)
    );
    hostile("rss_ampersands", "rss", rss_feed(&item), bytes)
}

/// `count` words `&x`, then ` separator &amp;`: a `;` far after each `&`.
pub fn rss_unterminated_entities(bytes: usize) -> Hostile {
    let n = bytes / 3;
    let item = format!(
        "<item><guid>a</guid><description><![CDATA[{} separator &amp;]]></description></item>",
        "&x ".repeat(n).trim_end()
    );
    hostile("rss_unterminated_entities", "rss", rss_feed(&item), n)
}

/// `count` scripts and styles (`<script>x0</script>w0,<STYLE>x1</STYLE>w1,…`) in a description.
pub fn rss_scripts(bytes: usize) -> Hostile {
    let (html, n) = list(bytes, |i| {
        let tag = if i % 2 == 0 { "script" } else { "STYLE" };
        format!("<{tag}>x{i}</{tag}>w{i}")
    });
    let item = format!("<item><guid>a</guid><description><![CDATA[{html}]]></description></item>");
    hostile("rss_scripts", "rss", rss_feed(&item), n)
}

/// Each distinct CPV code twice in a category; `count` codes in all.
pub fn rss_cpv_runs(bytes: usize) -> Hostile {
    let (codes, n) = list(bytes, |i| cpv(i / 2));
    let item = format!("<item><guid>a</guid><category>{codes}</category></item>");
    hostile("rss_cpv_runs", "rss", rss_feed(&item), n)
}

/// An item with `count` nested `<Name>` outside any contracting party, then a party naming the
/// buyer `Helse Vest`; a second item `b` follows.
pub fn rss_nesting(bytes: usize) -> Hostile {
    let depth = bytes / "<Name></Name>".len();
    let item = format!(
        "<item><guid>a</guid>{}deep{}<LocatedContractingParty><PartyName><Name>Helse Vest</Name></PartyName></LocatedContractingParty></item><item><guid>b</guid></item>",
        "<Name>".repeat(depth),
        "</Name>".repeat(depth)
    );
    hostile("rss_nesting", "rss", rss_feed(&item), depth)
}

/// A Doffin description of `count` repeats of newline, tab, U+0001 and `a`, raw (JSON forbids
/// control characters in strings, so the body is parsed repaired).
pub fn json_control_bytes(bytes: usize) -> Hostile {
    let n = bytes / 4;
    let description = "\n\t\u{1}a".repeat(n);
    let body =
        format!(r#"{{"numHitsTotal":1,"hits":[{{"id":"2026-1","heading":"t","description":"{description}"}}]}}"#);
    hostile("json_control_bytes", "doffin", body, n)
}

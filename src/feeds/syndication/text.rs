//! Text helpers for syndication feeds: decoding the body, HTML in summaries, entities, dates and
//! CPV codes found in free text. Pure.

use std::borrow::Cow;

use jiff::Timestamp;

use crate::feeds::dates::parse_instant;
use crate::feeds::distinct::distinct;

/// The body as text. Feeds declare their encoding in the XML prolog, and a few municipal feeds
/// still send ISO-8859-1 (see [`crate::feeds::charset`]).
pub(super) fn decode_body(body: &[u8]) -> Cow<'_, str> {
    crate::feeds::charset::decode_text(body)
}

/// A named entity as text: XML's five, the HTML ones feeds use in practice (`&nbsp;` appears in
/// feeds that never declare it); anything else stays as written so nothing is silently lost.
pub(super) fn entity(name: &str) -> String {
    let resolved = match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        "nbsp" => " ",
        "ndash" => "–",
        "mdash" => "—",
        "hellip" => "…",
        "laquo" => "«",
        "raquo" => "»",
        "euro" => "€",
        "aelig" => "æ",
        "oslash" => "ø",
        "aring" => "å",
        "AElig" => "Æ",
        "Oslash" => "Ø",
        "Aring" => "Å",
        _ => {
            if let Some(c) = numeric_entity(name) {
                return c.to_string();
            }
            return format!("&{name};");
        }
    };
    resolved.to_owned()
}

/// `#233` or `#xE9` as a character.
fn numeric_entity(name: &str) -> Option<char> {
    let num = name.strip_prefix('#')?;
    let code = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => num.parse().ok()?,
    };
    char::from_u32(code).filter(|c| *c != '\0')
}

/// Summaries are often HTML (escaped inside the XML): tags are dropped, block ends become spaces,
/// `<script>`/`<style>` content is dropped whole, and entities are decoded. The result still goes
/// through `sanitize`.
pub(super) fn strip_html(input: &str) -> String {
    if !input.contains(['<', '&']) {
        return input.to_owned();
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(open) = rest.find(['<', '&']) {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        if let Some(after) = tail.strip_prefix('&') {
            // Only the few bytes an entity name can span are searched: looking for the `;` in all
            // the rest made a text of many `&` cost the square of its length (issue #12).
            let window = &after.as_bytes()[..after.len().min(MAX_ENTITY + 1)];
            match window.iter().position(|b| *b == b';') {
                Some(end) => {
                    out.push_str(&entity(&after[..end]));
                    rest = &after[end + 1..];
                }
                None => {
                    out.push('&');
                    rest = after;
                }
            }
            continue;
        }
        let Some(close) = tail.find('>') else {
            // A lone `<` (`a < b`) is text, not a tag.
            out.push_str(tail);
            rest = "";
            break;
        };
        let tag = tail[1..close].trim_start_matches('/').to_ascii_lowercase();
        let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect();
        rest = &tail[close + 1..];
        if (name == "script" || name == "style") && !tail[1..].starts_with('/') {
            rest = find_ignore_ascii_case(rest, &format!("</{name}")).map_or("", |i| &rest[i..]);
            continue;
        }
        // Tags separate words (`<p>a</p><p>b</p>`); sanitize folds the extra spaces.
        out.push(' ');
    }
    out.push_str(rest);
    out
}

/// The longest entity name [`strip_html`] decodes (`&hellip;` has 6; numeric ones up to 8, `#x10FFFF`).
const MAX_ENTITY: usize = 10;

/// The byte position of the first `needle` (ASCII) in `haystack`, in any letter case; without
/// lower-casing a copy of the haystack, which for each `<script>` of a body made many of them cost
/// the square of its length.
fn find_ignore_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(at) = haystack
        .get(from..)?
        .iter()
        .position(|b| b.eq_ignore_ascii_case(&first))
    {
        let start = from + at;
        if haystack
            .get(start..start + needle.len())
            .is_some_and(|candidate| candidate.eq_ignore_ascii_case(needle))
        {
            return Some(start);
        }
        from = start + 1;
    }
    None
}

/// RFC 2822 (`pubDate`: `Tue, 01 Sep 2026 10:00:00 +0200`) or RFC 3339 / ISO 8601 (Atom, `dc:date`).
pub(super) fn parse_date(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(s)
        .ok()
        .or_else(|| parse_instant(s))
}

/// CPV divisions (the first two digits of every valid code): an 8-digit run that does not start
/// with one of these (a date like `20260901`, a phone number) is not a CPV code.
const CPV_DIVISIONS: [&str; 45] = [
    "03", "09", "14", "15", "16", "18", "19", "22", "24", "30", "31", "32", "33", "34", "35", "37", "38", "39", "41",
    "42", "43", "44", "45", "48", "50", "51", "55", "60", "63", "64", "65", "66", "70", "71", "72", "73", "75", "76",
    "77", "79", "80", "85", "90", "92", "98",
];

/// Every run of exactly 8 digits in `text` that is a plausible CPV code, added to `out` once.
pub(super) fn push_cpv_runs(out: &mut Vec<String>, text: &str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = &text[start..i];
        if run.len() == 8 && CPV_DIVISIONS.contains(&&run[..2]) {
            out.push(run.to_owned());
        }
    }
    *out = distinct(std::mem::take(out));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn html_is_stripped_to_words() {
        assert_eq!(
            strip_html("<p>Levering av <b>journal</b>system</p><p>Frist&nbsp;1.&#160;sept &amp; mer</p>"),
            " Levering av  journal system  Frist 1.\u{a0}sept & mer "
        );
        assert_eq!(strip_html("a < b"), "a < b");
        assert_eq!(strip_html("x<script>alert(1)</script>y"), "x y");
        assert_eq!(strip_html("R&D &bogus; &"), "R&D &bogus; &");
        assert_eq!(strip_html("a<STYLE>p{}</Style>b<script>x"), "a b");
        assert_eq!(find_ignore_ascii_case("ab</SCRipt", "</script"), Some(2));
        assert_eq!(find_ignore_ascii_case("</scrip", "</script"), None);
    }

    #[test]
    fn dates_in_both_spellings() {
        let want: Timestamp = "2026-09-01T08:00:00Z".parse().unwrap();
        assert_eq!(parse_date("Tue, 01 Sep 2026 10:00:00 +0200"), Some(want));
        assert_eq!(parse_date("2026-09-01T10:00:00+02:00"), Some(want));
        assert_eq!(parse_date("2026-09-01T08:00:00.000Z"), Some(want));
        assert_eq!(parse_date("next week"), None);
    }

    #[test]
    fn cpv_runs_skip_dates_and_long_numbers() {
        let mut out = Vec::new();
        push_cpv_runs(&mut out, "CPV 48180000-3, 72000000; 20260901; 123456789; 48180000");
        assert_eq!(out, ["48180000", "72000000"]);
    }

    #[test]
    fn latin1_bodies_decode() {
        assert_eq!(decode_body(b"Helse Bergen \xd8st \x96 s\xe5"), "Helse Bergen Øst – så");
    }
}

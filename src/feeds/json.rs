//! JSON decoding shared by the adapters: turning a body into a [`Value`] with useful errors, repairing
//! the two ways real feeds break the JSON grammar, and lenient readers for loosely typed fields.
//!
//! Pure: no I/O, no clock. Depends on `serde_json` and `model::text` only. Every reader treats a
//! missing or unreadable value as absent rather than as an error, so one odd notice never costs the
//! user the whole page.

use std::borrow::Cow;

use serde_json::Value;

use super::ParseError;
use super::distinct::distinct;
use crate::model::text::sanitize;

/// Turns the body into JSON, recognising gateway HTML pages and reporting syntax errors with a
/// position; a body that breaks the JSON grammar in a way [`repair_json`] knows is parsed repaired. The repair scan costs as much as parsing, so valid bodies
/// (nearly all of them) skip it.
pub(super) fn parse_repaired(body: &[u8]) -> Result<Value, ParseError> {
    decode_repaired(body, |text| from_text(text))
}

/// Runs `decode` over the body's text; when it fails on a JSON syntax error and [`repair_json`]
/// changes the body, runs it again over the repaired text (whose error, if any, is the one reported).
pub(super) fn decode_repaired<T>(body: &[u8], decode: impl Fn(&str) -> Result<T, ParseError>) -> Result<T, ParseError> {
    let first = decode(&json_text(body)?);
    if !matches!(first, Err(ParseError::Json { .. })) {
        return first;
    }
    match repair_json(body) {
        Cow::Owned(fixed) => decode(&json_text(&fixed)?),
        Cow::Borrowed(_) => first,
    }
}

/// The body as text for the JSON parser: without a byte-order mark, refused when it is a gateway's
/// HTML page, and with a stray invalid byte (a mis-encoded name in one notice, which would make
/// serde_json refuse the whole page) replaced by U+FFFD. Valid UTF-8 is not copied.
pub(super) fn json_text(body: &[u8]) -> Result<Cow<'_, str>, ParseError> {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    if body.get(start) == Some(&b'<') {
        let head = String::from_utf8_lossy(&body[start..body.len().min(start + 200)]);
        let snippet: String = sanitize(&head).chars().take(60).collect();
        return Err(ParseError::Html { snippet });
    }
    // `from_utf8` checks a word at a time; the lossy walk goes byte by byte (8 % of a 100k-notice
    // ingest). Nearly every body is valid, so the lossy copy is only the fallback.
    Ok(match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(body),
    })
}

/// Deserialises `text` (borrowing from it where `T` allows), with serde_json's error as a
/// [`ParseError::Json`] carrying the position.
pub(super) fn from_text<'a, T: serde::Deserialize<'a>>(text: &'a str) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| {
        let text = e.to_string();
        // serde_json appends " at line L column C"; ParseError prints the position itself.
        let message = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m)
            .to_owned();
        ParseError::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    })
}

/// Repairs what real feeds send that the JSON grammar forbids, so one bad value does not cost the
/// whole page:
///
/// - raw control characters (newline, tab, CR, …) inside strings, which Doffin emits in
///   descriptions: they become the escapes `\n`, `\t`, `\r` or `\u00XX`;
/// - non-finite numbers outside strings, which serde_json rejects: the bare tokens `Infinity`,
///   `-Infinity` and `NaN` (Find a Tender writes `"maximumLotsBidPerSupplier": Infinity`) and
///   literals too large for an `f64` (`1e9999`). They become `null`, which every reader here
///   treats as absent.
///
/// Valid JSON comes back borrowed and unchanged: control characters outside strings are whitespace
/// and are left alone, and escape sequences are skipped whole, so `\"` never ends a string.
pub(super) fn repair_json(body: &[u8]) -> Cow<'_, [u8]> {
    const NON_FINITE: [&[u8]; 3] = [b"-Infinity", b"Infinity", b"NaN"];
    // One pass writing into one buffer, made on the first edit: a body of control characters costs
    // one copy of itself, not an allocation per byte.
    let mut fixed = Repaired::new(body);
    let mut in_string = false;
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                0x00..=0x1f => fixed.replace(i, i + 1, |out| push_control_escape(out, b)),
                _ => {}
            }
            i += 1;
            continue;
        }
        if let Some(token) = NON_FINITE.iter().find(|t| body[i..].starts_with(t)) {
            fixed.replace(i, i + token.len(), |out| out.extend_from_slice(b"null"));
            i += token.len();
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while body
                    .get(i)
                    .is_some_and(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                {
                    i += 1;
                }
                let overflows = std::str::from_utf8(&body[start..i])
                    .ok()
                    .and_then(|token| token.parse::<f64>().ok())
                    .is_some_and(f64::is_infinite);
                if overflows {
                    fixed.replace(start, i, |out| out.extend_from_slice(b"null"));
                }
            }
            _ => i += 1,
        }
    }
    fixed.finish()
}

/// The output of [`repair_json`]: the body itself until the first edit, then one buffer that the
/// unchanged stretches are copied into as the scan passes them.
struct Repaired<'a> {
    body: &'a [u8],
    out: Option<Vec<u8>>,
    /// How much of the body is already in `out`.
    copied: usize,
}

impl<'a> Repaired<'a> {
    fn new(body: &'a [u8]) -> Self {
        Self {
            body,
            out: None,
            copied: 0,
        }
    }

    /// Replaces `body[start..end]` (at or after everything replaced so far) with what `write` appends.
    fn replace(&mut self, start: usize, end: usize, write: impl FnOnce(&mut Vec<u8>)) {
        let body = self.body;
        // Room for the body and a few escapes; the vector grows by doubling if there are more.
        let out = self
            .out
            .get_or_insert_with(|| Vec::with_capacity(body.len() + body.len() / 8 + 16));
        out.extend_from_slice(&body[self.copied..start]);
        write(out);
        self.copied = end;
    }

    fn finish(self) -> Cow<'a, [u8]> {
        match self.out {
            None => Cow::Borrowed(self.body),
            Some(mut out) => {
                out.extend_from_slice(&self.body[self.copied..]);
                Cow::Owned(out)
            }
        }
    }
}

/// Appends the JSON escape for control byte `b`.
fn push_control_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\t' => out.extend_from_slice(b"\\t"),
        b'\r' => out.extend_from_slice(b"\\r"),
        other => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(other >> 4)],
            HEX[usize::from(other & 0xf)],
        ]),
    }
}

/// "a list", "an object", … for messages about unexpected shapes.
pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Every string or number inside `v`, flattening lists; maps contribute all their values. Strings
/// are borrowed: a list of many short values costs no copy of each.
pub(super) fn raw_strings(v: &Value) -> Vec<Cow<'_, str>> {
    fn walk<'v>(v: &'v Value, out: &mut Vec<Cow<'v, str>>) {
        match v {
            Value::String(s) => out.push(Cow::Borrowed(s)),
            Value::Number(n) => out.push(Cow::Owned(n.to_string())),
            Value::Array(items) => items.iter().for_each(|item| walk(item, out)),
            Value::Object(map) => map.values().for_each(|item| walk(item, out)),
            Value::Null | Value::Bool(_) => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

/// What [`raw_strings`] finds in a value, read straight from the deserializer instead of through a
/// [`Value`] tree: a list of 150,000 short codes built that tree of tiny values first, which was
/// most of the cost of such a body (issue #12). Same strings in the same order (an object's values
/// by key order, the last of a repeated key, as [`Value`]'s map keeps them).
pub(super) struct LeafList;

impl<'de> serde::de::DeserializeSeed<'de> for LeafList {
    type Value = Vec<Cow<'de, str>>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let mut out = Vec::new();
        serde::de::DeserializeSeed::deserialize(Leaves(&mut out), deserializer)?;
        Ok(out)
    }
}

/// [`LeafList`] of a field's JSON text; empty when the text is not JSON (the award reader's
/// competition keys, `feeds::awards::ted_keys`).
pub(super) fn raw_strings_of(raw: &serde_json::value::RawValue) -> Vec<Cow<'_, str>> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::de::DeserializeSeed::deserialize(LeafList, &mut de).unwrap_or_default()
}

/// Pushes every string or number of the value it reads into the vector (see [`LeafList`]).
struct Leaves<'v, 'de>(&'v mut Vec<Cow<'de, str>>);

impl<'de> serde::de::DeserializeSeed<'de> for Leaves<'_, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Leaves<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<(), E> {
        self.0.push(Cow::Borrowed(v));
        Ok(())
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.push(Cow::Owned(v.to_owned()));
        Ok(())
    }

    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.0.push(Cow::Owned(v));
        Ok(())
    }

    // Numbers are written as `Value`'s `Number` writes them (`1.0` stays `1.0`).
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.0.push(Cow::Owned(serde_json::Number::from(v).to_string()));
        Ok(())
    }

    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.0.push(Cow::Owned(serde_json::Number::from(v).to_string()));
        Ok(())
    }

    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        if let Some(n) = serde_json::Number::from_f64(v) {
            self.0.push(Cow::Owned(n.to_string()));
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Leaves(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // `Value`'s map is ordered by key and keeps a repeated key's last value: collect each
        // entry's leaves apart, then emit them in that order.
        let mut entries: Vec<(Cow<'de, str>, Vec<Cow<'de, str>>)> = Vec::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let mut leaves = Vec::new();
            map.next_value_seed(Leaves(&mut leaves))?;
            entries.push((key, leaves));
        }
        // Stable: among repeated keys the last stays last, and is the one kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut entries = entries.into_iter().peekable();
        while let Some((key, leaves)) = entries.next() {
            if entries.peek().is_none_or(|(next, _)| *next != key) {
                self.0.extend(leaves);
            }
        }
        Ok(())
    }
}

/// A string (or number) field, sanitised; `None` when absent, null, another type or blank.
pub(super) fn text(v: Option<&Value>) -> Option<String> {
    text_ref(v).map(Cow::into_owned)
}

/// [`text`] without copying a string that is clean already: a release can list thousands of
/// parties, and each id compared or name de-duplicated was an allocation.
pub(super) fn text_ref(v: Option<&Value>) -> Option<Cow<'_, str>> {
    let raw = match v? {
        Value::String(s) => crate::model::text::sanitized(s),
        Value::Number(n) => Cow::Owned(n.to_string()),
        _ => return None,
    };
    (!raw.is_empty()).then_some(raw)
}

/// A number, or a string holding one (`"1200000.00"`, `"600 000"`); only finite, non-negative values.
pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => amount(n.as_f64()?),
        Value::String(s) => amount_text(s),
        Value::Array(items) => items.iter().find_map(number),
        _ => None,
    }
}

/// An amount written as text, spaces and `_` between the digits allowed (`"1 200 000"`).
pub(super) fn amount_text(s: &str) -> Option<f64> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace() && *c != '_').collect();
    amount(digits.parse().ok()?)
}

/// `n` when it is an amount: finite and not negative.
pub(super) fn amount(n: f64) -> Option<f64> {
    (n.is_finite() && n >= 0.0).then_some(n)
}

/// A count, as a JSON integer or a string holding one.
pub(super) fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// One CPV code as 8 digits without the check digit (`33100000-1` → `33100000`).
pub(super) fn cpv_code(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let digits: String = raw.chars().take_while(char::is_ascii_digit).collect();
    match digits.len() {
        8 => Some(digits),
        // A code sent as a JSON number loses its leading zeros (03000000 → 3000000).
        1..=7 if raw.len() == digits.len() => Some(format!("{digits:0>8}")),
        _ => None,
    }
}

/// The CPV codes inside `v` (see [`cpv_code`]), de-duplicated in source order.
pub(super) fn cpv_codes(v: Option<&Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    push_cpv_codes(&mut out, v.map(raw_strings).unwrap_or_default());
    out
}

/// Adds the valid, not yet present codes among `raw` to `out`.
pub(super) fn push_cpv_codes(out: &mut Vec<String>, raw: impl IntoIterator<Item = impl AsRef<str>>) {
    out.extend(raw.into_iter().filter_map(|r| cpv_code(r.as_ref())));
    *out = distinct(std::mem::take(out));
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn repaired(s: &str) -> String {
        String::from_utf8(repair_json(s.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn strings_read_from_the_text_are_those_of_the_tree() {
        for text in [
            r#""FRI12""#,
            r#"["FRI12", "a\"b", "\u00e6", 12, -3, 1.0, 2.5e3, null, true, ["x", ["y"]]]"#,
            r#"{"nob": ["Oslo"], "eng": "Oslo municipality", "dan": {"z": 1, "a": "first"}}"#,
            r#"{"b": "one", "a": "two", "b": "three"}"#,
            "null",
            "[]",
        ] {
            let mut de = serde_json::Deserializer::from_str(text);
            let read = serde::de::DeserializeSeed::deserialize(LeafList, &mut de).expect("valid");
            let tree: Value = serde_json::from_str(text).expect("valid");
            assert_eq!(read, raw_strings(&tree), "{text}");
        }
    }

    #[test]
    fn raw_controls_inside_strings_are_escaped() {
        let bad = "{\"description\": \"line one\nline\ttwo\r\u{1}end\"}";
        assert_eq!(repaired(bad), r#"{"description": "line one\nline\ttwo\r\u0001end"}"#);
        let value: Value = serde_json::from_slice(&repair_json(bad.as_bytes())).unwrap();
        assert_eq!(value["description"], "line one\nline\ttwo\r\u{1}end");
    }

    #[test]
    fn valid_json_is_borrowed_unchanged() {
        let good = "{\n\t\"a\": \"x\\\"\\n\\\\\",\r\n \"b\": [1, -2.5e3, 0]\n}";
        assert!(matches!(repair_json(good.as_bytes()), Cow::Borrowed(_)));
        // An escaped quote does not end the string: the newline after it is still inside.
        assert_eq!(repaired("[\"a\\\"\nb\"]"), r#"["a\"\nb"]"#);
        // Non-ASCII bytes are never touched.
        assert_eq!(repaired("[\"æøå\u{2013}\n\"]"), "[\"æøå\u{2013}\\n\"]");
    }

    #[test]
    fn non_finite_numbers_become_null() {
        assert_eq!(
            repaired(r#"{"amount": 1e9999, "n": -1E400, "ok": 1e308, "s": "1e9999"}"#),
            r#"{"amount": null, "n": null, "ok": 1e308, "s": "1e9999"}"#
        );
        assert_eq!(
            repaired(r#"{"max": Infinity, "min": -Infinity, "x": [NaN,1], "s": "Infinity NaN"}"#),
            r#"{"max": null, "min": null, "x": [null,1], "s": "Infinity NaN"}"#
        );
        let value: Value = serde_json::from_slice(&repair_json(br#"{"v":{"amount":1e9999}}"#)).unwrap();
        assert_eq!(number(&value["v"]["amount"]), None);
    }

    #[test]
    fn html_and_syntax_errors() {
        let err = parse_repaired(b"\xef\xbb\xbf \n<!doctype html><title>x</title>").unwrap_err();
        assert!(matches!(err, ParseError::Html { ref snippet } if snippet.starts_with("<!doctype")));
        let err = parse_repaired(b"{\n\"a\": }").unwrap_err();
        assert!(matches!(err, ParseError::Json { line: 2, column: 6, .. }), "{err}");
    }

    #[test]
    fn lenient_readers() {
        assert_eq!(text(Some(&Value::from("  a\u{1b}[2J  b "))), Some("a b".to_owned()));
        assert_eq!(text(Some(&Value::from(12))), Some("12".to_owned()));
        assert_eq!((text(Some(&Value::Null)), text(Some(&Value::from(" ")))), (None, None));
        assert_eq!(number(&Value::from("95 000")), Some(95_000.0));
        assert_eq!(number(&Value::from(-1)), None);
        assert_eq!(count(&Value::from("12")), Some(12));
        assert_eq!(cpv_code("33100000-1").as_deref(), Some("33100000"));
        assert_eq!(cpv_code("3000000").as_deref(), Some("03000000"));
        assert_eq!(cpv_code("CPV 33"), None);
    }
}

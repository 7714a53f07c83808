//! [`Loose`]: a field value of TED's irregular shapes (string, list, language map, number), read
//! borrowing from the response text.
//!
//! The fields the decoder uses were read into `serde_json::Value`s: a `String` for every text and a
//! `BTreeMap` node for every language, built, read once and freed, on the thread that bounds a
//! 100,000-notice ingest (glibc's malloc and free were ~13 % of its samples). A `Loose` text is a
//! slice of the response unless it holds an escape, and a map is a vector. It reads what a `Value`
//! would: an object's entries in key order with the last of a repeated key, numbers as serde_json
//! writes them.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

use crate::feeds::json::{amount, amount_text};

/// One field value; `null` and booleans are [`Loose::Nothing`] (no text in them).
#[derive(Debug, Clone, PartialEq)]
pub(in crate::feeds::ted) enum Loose<'a> {
    Text(Cow<'a, str>),
    Number(Number),
    List(Vec<Loose<'a>>),
    /// Entries sorted by key, one per key (the last), as `serde_json::Map` keeps them.
    Map(Vec<(Cow<'a, str>, Loose<'a>)>),
    Nothing,
}

impl<'a> Loose<'a> {
    /// Every string inside, in order (numbers as text; an object's values by key), as
    /// `feeds::json::raw_strings` finds them in a `Value`.
    pub fn strings(&self) -> Vec<Cow<'_, str>> {
        fn walk<'v>(v: &'v Loose<'_>, out: &mut Vec<Cow<'v, str>>) {
            match v {
                Loose::Text(s) => out.push(Cow::Borrowed(s)),
                Loose::Number(n) => out.push(Cow::Owned(n.to_string())),
                Loose::List(items) => items.iter().for_each(|item| walk(item, out)),
                Loose::Map(entries) => entries.iter().for_each(|(_, item)| walk(item, out)),
                Loose::Nothing => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// A non-negative amount, as `feeds::json::number` reads one from a `Value`: a number, a string
    /// of digits (spaces and `_` between them allowed), or the first such item of a list.
    pub fn number(&self) -> Option<f64> {
        match self {
            Loose::Number(n) => amount(n.as_f64()?),
            Loose::Text(s) => amount_text(s),
            Loose::List(items) => items.iter().find_map(Loose::number),
            Loose::Map(_) | Loose::Nothing => None,
        }
    }

    /// The items of a list, or the value itself as the only one.
    pub fn items(&self) -> &[Loose<'a>] {
        match self {
            Loose::List(items) => items,
            single => std::slice::from_ref(single),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LooseVisitor)
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Loose<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Loose::Text(Cow::Owned(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Loose::Number(v.into()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Loose::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Number::from_f64(v).map_or(Loose::Nothing, Loose::Number))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Loose::Nothing)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Loose::Nothing)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Loose::Nothing)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Loose::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Loose<'de>)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<Cow<'de, str>, Loose<'de>>()? {
            entries.push((key, value));
        }
        Ok(Loose::Map(in_key_order(entries)))
    }
}

/// Object entries as `serde_json::Map` keeps them: in key order, the last of a repeated key.
pub(in crate::feeds::ted) fn in_key_order<'a>(
    mut entries: Vec<(Cow<'a, str>, Loose<'a>)>,
) -> Vec<(Cow<'a, str>, Loose<'a>)> {
    // A stable sort keeps repeats in document order, and of each run of equal keys only the last
    // stays.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut kept: Vec<(Cow<'a, str>, Loose<'a>)> = Vec::with_capacity(entries.len());
    for entry in entries {
        match kept.last_mut() {
            Some(last) if last.0 == entry.0 => *last = entry,
            _ => kept.push(entry),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::Loose;
    use crate::feeds::json::{number, raw_strings};

    /// Reads `json` both ways: the strings and the amount must be the ones a `Value` gives.
    fn same_as_value(json: &str) {
        let loose: Loose<'_> = serde_json::from_str(json).expect("loose");
        let value: Value = serde_json::from_str(json).expect("value");
        assert_eq!(loose.strings(), raw_strings(&value), "{json}");
        assert_eq!(loose.number(), number(&value), "{json}");
    }

    #[test]
    fn reads_what_a_value_reads() {
        for json in [
            r#""Trygghetsalarmer""#,
            r#""esc\"aped \u00e6""#,
            r#"["b", "a", "b"]"#,
            r#"{"nor": ["Alarmer", "Sensorer"], "eng": "Alarms", "ENG": "x"}"#,
            r#"{"b": "first", "a": "second", "b": "last"}"#,
            r#"{"n": 12, "f": 1.5, "neg": -3, "t": true, "z": null}"#,
            r#"[" 1 200 000 ", "x"]"#,
            r#""1_000""#,
            "12.5",
            "-4",
            "[[], {}, [[\"deep\"]]]",
            "null",
            "false",
        ] {
            same_as_value(json);
        }
    }

    #[test]
    fn plain_text_is_borrowed_and_escaped_text_owned() {
        let loose: Loose<'_> = serde_json::from_str(r#"["plain", "tab\there"]"#).expect("loose");
        let Loose::List(items) = loose else { panic!("a list") };
        assert!(matches!(&items[0], Loose::Text(std::borrow::Cow::Borrowed("plain"))));
        assert!(matches!(&items[1], Loose::Text(std::borrow::Cow::Owned(text)) if text == "tab\there"));
    }
}

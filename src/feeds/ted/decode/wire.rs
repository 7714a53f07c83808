//! A TED search response read in one pass over its text, borrowing from it.
//!
//! A notice is ~8 kB, most of it `links` (every format in 24 languages) and TED's generated title
//! in 24 languages, which are never read. Reading the page as raw values first and each notice's
//! fields from those afterwards scanned every byte three times (serde_json's string scan was the
//! largest item of a 100k-notice ingest); here each byte is read once: the fields the decoder uses
//! become values, the generated title stays raw text (parsed only when a notice has no title of its
//! own), `links` keeps only its English page links, and everything else is skipped.
//!
//! The leniency of the decoder is kept: a notice that is not an object, or repeats a field, reads
//! as `None` and the rest of the page stays.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::loose::{Loose, in_key_order};
use crate::feeds::json::LeafList;

/// The `visit_*` methods of a visitor whose value is `None` for anything but an object (which its
/// own `visit_map` reads): a list is still read to its end, as the parser must pass it.
macro_rules! none_unless_object {
    () => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
}

/// The top level of a search response. A repeated top-level field is an error, as in any struct.
#[derive(Deserialize)]
pub(super) struct WirePage<'a> {
    /// `None` when missing or null.
    #[serde(borrow)]
    pub notices: Option<Notices<'a>>,
    #[serde(rename = "iterationNextToken", borrow)]
    pub next: Option<Loose<'a>>,
    #[serde(rename = "totalNoticeCount")]
    pub total: Option<Value>,
    #[serde(rename = "timedOut")]
    pub timed_out: Option<Value>,
}

/// The `notices` value: the list (an entry per element, `None` for one that is not a usable
/// notice), or what it was instead, for the error message ("a string").
pub(super) enum Notices<'a> {
    List(Vec<Option<WireNotice<'a>>>),
    Other(&'static str),
}

/// The fields of one notice the decoder reads. Aliases (`ND`, `TI`, …) come from older payloads.
/// List-valued fields that can be huge in a hostile body (CPV, NUTS, currencies, deadlines) are
/// read as their strings straight away (see [`LeafList`]), never as a tree of tiny values.
#[derive(Default)]
pub(super) struct WireNotice<'a> {
    pub publication_number: Option<Loose<'a>>,
    pub nd: Option<Loose<'a>>,
    pub title_proc: Option<Loose<'a>>,
    pub notice_title: Option<&'a RawValue>,
    pub ti: Option<&'a RawValue>,
    pub description_proc: Option<Loose<'a>>,
    pub description_lot: Option<Loose<'a>>,
    pub buyer_name: Option<Loose<'a>>,
    pub buyer_country: Option<Loose<'a>>,
    pub cy: Option<Loose<'a>>,
    pub cpv: Vec<Cow<'a, str>>,
    pub publication_date: Option<Loose<'a>>,
    pub pd: Option<Loose<'a>>,
    pub deadline_dates: Vec<Cow<'a, str>>,
    pub deadline_times: Vec<Cow<'a, str>>,
    pub value_proc: Option<Loose<'a>>,
    pub currency_proc: Vec<Cow<'a, str>>,
    pub value_lot: Option<Loose<'a>>,
    pub currency_lot: Vec<Cow<'a, str>>,
    pub place_of_performance: Vec<Cow<'a, str>>,
    pub notice_type: Option<Loose<'a>>,
    pub links: Option<Links<'a>>,
}

/// Object entries read as [`Loose`] values, in key order.
pub(super) type LooseEntries<'a> = Vec<(Cow<'a, str>, Loose<'a>)>;

/// A notice's `links`.
pub(super) enum Links<'a> {
    /// An object: the English entries of its two page kinds (`html`, then `htmlDirect`), each
    /// `None` when that kind is missing or not an object. Keys are kept as sent (`ENG`, `eng`) in
    /// key order with the last of a repeated key, as a [`Value`] map would hold them.
    Pages([Option<LooseEntries<'a>>; 2]),
    /// An object repeating `html` or `htmlDirect`: no link is taken from it.
    Unreadable,
    /// Not an object (a bare URL or a list of them).
    Other(Value),
}

impl<'de: 'a, 'a> Deserialize<'de> for Notices<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match deserializer.deserialize_any(NoticesVisitor)? {
            Notices::List(list) => Notices::List(list),
            Notices::Other(what) => Notices::Other(what),
        })
    }
}

struct NoticesVisitor;

impl<'de> Visitor<'de> for NoticesVisitor {
    type Value = Notices<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of notices")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(notice) = seq.next_element_seed(NoticeSeed)? {
            list.push(notice);
        }
        Ok(Notices::List(list))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Notices::Other("an object"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Notices::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Notices::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Notices::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Notices::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Notices::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Notices::Other("null"))
    }
}

/// One element of `notices`: an object becomes a [`WireNotice`] unless it repeats a field; any
/// other value is skipped whole.
struct NoticeSeed;

impl<'de> DeserializeSeed<'de> for NoticeSeed {
    type Value = Option<WireNotice<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoticeSeed {
    type Value = Option<WireNotice<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a notice")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut n = WireNotice::default();
        let mut seen = 0u32;
        let mut repeated = false;
        while let Some(key) = map.next_key::<Key>()? {
            let bit = 1u32 << key as u32;
            if key == Key::Other {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if seen & bit != 0 {
                // The rest is still read (the parser must reach the end of the object), not kept.
                repeated = true;
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            seen |= bit;
            match key {
                Key::PublicationNumber => n.publication_number = map.next_value()?,
                Key::Nd => n.nd = map.next_value()?,
                Key::TitleProc => n.title_proc = map.next_value()?,
                Key::NoticeTitle => n.notice_title = map.next_value()?,
                Key::Ti => n.ti = map.next_value()?,
                Key::DescriptionProc => n.description_proc = map.next_value()?,
                Key::DescriptionLot => n.description_lot = map.next_value()?,
                Key::BuyerName => n.buyer_name = map.next_value()?,
                Key::BuyerCountry => n.buyer_country = map.next_value()?,
                Key::Cy => n.cy = map.next_value()?,
                Key::Cpv => n.cpv = map.next_value_seed(LeafList)?,
                Key::PublicationDate => n.publication_date = map.next_value()?,
                Key::Pd => n.pd = map.next_value()?,
                Key::DeadlineDates => n.deadline_dates = map.next_value_seed(LeafList)?,
                Key::DeadlineTimes => n.deadline_times = map.next_value_seed(LeafList)?,
                Key::ValueProc => n.value_proc = map.next_value()?,
                Key::CurrencyProc => n.currency_proc = map.next_value_seed(LeafList)?,
                Key::ValueLot => n.value_lot = map.next_value()?,
                Key::CurrencyLot => n.currency_lot = map.next_value_seed(LeafList)?,
                Key::PlaceOfPerformance => n.place_of_performance = map.next_value_seed(LeafList)?,
                Key::NoticeType => n.notice_type = map.next_value()?,
                Key::Links => n.links = map.next_value_seed(LinksSeed)?,
                // Skipped above; read past like any unknown field.
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((!repeated).then_some(n))
    }

    none_unless_object!();
}

/// The notice fields read, by their wire names; the discriminant is the field's bit in the
/// repeated-field check.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    PublicationNumber,
    Nd,
    TitleProc,
    NoticeTitle,
    Ti,
    DescriptionProc,
    DescriptionLot,
    BuyerName,
    BuyerCountry,
    Cy,
    Cpv,
    PublicationDate,
    Pd,
    DeadlineDates,
    DeadlineTimes,
    ValueProc,
    CurrencyProc,
    ValueLot,
    CurrencyLot,
    PlaceOfPerformance,
    NoticeType,
    Links,
    Other,
}

impl Key {
    fn of(name: &str) -> Self {
        match name {
            "publication-number" => Self::PublicationNumber,
            "ND" => Self::Nd,
            "title-proc" => Self::TitleProc,
            "notice-title" => Self::NoticeTitle,
            "TI" => Self::Ti,
            "description-proc" => Self::DescriptionProc,
            "description-lot" => Self::DescriptionLot,
            "buyer-name" => Self::BuyerName,
            "buyer-country" => Self::BuyerCountry,
            "CY" => Self::Cy,
            "classification-cpv" => Self::Cpv,
            "publication-date" => Self::PublicationDate,
            "PD" => Self::Pd,
            "deadline-receipt-tender-date-lot" => Self::DeadlineDates,
            "deadline-receipt-tender-time-lot" => Self::DeadlineTimes,
            "estimated-value-proc" => Self::ValueProc,
            "estimated-value-cur-proc" => Self::CurrencyProc,
            "estimated-value-lot" => Self::ValueLot,
            "estimated-value-cur-lot" => Self::CurrencyLot,
            "place-of-performance" => Self::PlaceOfPerformance,
            "notice-type" => Self::NoticeType,
            "links" => Self::Links,
            _ => Self::Other,
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    // Borrowed and escaped keys both arrive here (serde forwards them).
    fn visit_str<E>(self, name: &str) -> Result<Key, E> {
        Ok(Key::of(name))
    }
}

/// A notice's `links` value (see [`Links`]); `None` when null.
struct LinksSeed;

impl<'de> DeserializeSeed<'de> for LinksSeed {
    type Value = Option<Links<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        // Anything but an object is kept whole, as the decoder reads URLs out of it.
        let value = deserializer.deserialize_any(LinksVisitor)?;
        Ok(match value {
            Links::Other(Value::Null) => None,
            other => Some(other),
        })
    }
}

struct LinksVisitor;

impl<'de> Visitor<'de> for LinksVisitor {
    type Value = Links<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("links")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Links<'de>, A::Error> {
        let mut pages: [Option<LooseEntries<'de>>; 2] = [None, None];
        let mut seen = [false; 2];
        let mut repeated = false;
        while let Some(kind) = map.next_key_seed(KeyPick(page_kind))? {
            let Some(slot) = kind else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            repeated |= std::mem::replace(&mut seen[slot], true);
            pages[slot] = map.next_value_seed(EnglishOnly)?;
        }
        Ok(if repeated {
            Links::Unreadable
        } else {
            Links::Pages(pages)
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Links<'de>, A::Error> {
        Value::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(Links::Other)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Links<'de>, E> {
        Ok(Links::Other(Value::String(v.to_owned())))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Links<'de>, E> {
        Ok(Links::Other(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Links<'de>, E> {
        Ok(Links::Other(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Links<'de>, E> {
        Ok(Links::Other(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Links<'de>, E> {
        Ok(Links::Other(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_unit<E>(self) -> Result<Links<'de>, E> {
        Ok(Links::Other(Value::Null))
    }
}

/// A language→URL map keeping only its English entries (`eng` in any case); `None` when the value
/// is not an object.
struct EnglishOnly;

impl<'de> DeserializeSeed<'de> for EnglishOnly {
    type Value = Option<LooseEntries<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EnglishOnly {
    type Value = Option<LooseEntries<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a language map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut english = Vec::new();
        while let Some(lang) = map.next_key_seed(KeyPick(english_key))? {
            if let Some(lang) = lang {
                english.push((Cow::Owned(lang), map.next_value()?));
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Some(in_key_order(english)))
    }

    none_unless_object!();
}

/// Which page kind of `links` a key names: `html` first, then `htmlDirect`.
fn page_kind(key: &str) -> Option<usize> {
    ["html", "htmlDirect"].iter().position(|kind| *kind == key)
}

/// The key itself when it names English (`eng` in any case).
fn english_key(key: &str) -> Option<String> {
    key.eq_ignore_ascii_case("eng").then(|| key.to_owned())
}

/// Reads an object key through `pick` without allocating it: most keys of `links` (24 languages
/// of 6 formats) are only compared and skipped.
struct KeyPick<T>(fn(&str) -> Option<T>);

impl<'de, T> DeserializeSeed<'de> for KeyPick<T> {
    type Value = Option<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T> Visitor<'_> for KeyPick<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok((self.0)(key))
    }
}

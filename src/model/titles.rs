//! [`Titles`]: a notice's titles per language, as compact as the dashboard's 100,000 resident
//! notices need.
//!
//! A `BTreeMap<String, String>` allocates a whole leaf node (about 540 bytes, room for 11 entries)
//! for the one or two titles a notice has: 40 MB of the dashboard's memory at 100,000 notices
//! (issue #7). A boxed slice sorted by language costs one small allocation instead and reads the
//! same way. It serialises as the same JSON object (keys in order), so stored notices and
//! `--json` output do not change.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Text per language code (ISO 639 as the source gives it), sorted by code, each code once.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Titles(Box<[(String, String)]>);

impl Titles {
    /// The text in `lang`, if there is one.
    pub fn get(&self, lang: &str) -> Option<&String> {
        self.position(lang).ok().map(|i| &self.0[i].1)
    }

    /// Whether there is a text in `lang`.
    pub fn contains_key(&self, lang: &str) -> bool {
        self.position(lang).is_ok()
    }

    /// Sets the text in `lang`, returning the one it replaces (as `BTreeMap::insert`).
    pub fn insert(&mut self, lang: String, text: String) -> Option<String> {
        match self.position(&lang) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, text)),
            Err(i) => {
                // Rare (tests, adapters building titles up): a new slice is cheaper to keep than
                // a Vec's spare capacity.
                let mut entries = std::mem::take(&mut self.0).into_vec();
                entries.insert(i, (lang, text));
                self.0 = entries.into_boxed_slice();
                None
            }
        }
    }

    /// Language codes, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(lang, _)| lang.as_str())
    }

    /// Texts, in the order of their language codes.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(_, text)| text.as_str())
    }

    /// `(language, text)` pairs, in language order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(lang, text)| (lang.as_str(), text.as_str()))
    }

    /// Number of languages.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no title at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn position(&self, lang: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(l, _)| l.as_str().cmp(lang))
    }
}

impl From<BTreeMap<String, String>> for Titles {
    fn from(map: BTreeMap<String, String>) -> Self {
        // Already sorted and unique.
        Self(map.into_iter().collect())
    }
}

impl<const N: usize> From<[(String, String); N]> for Titles {
    fn from(entries: [(String, String); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl FromIterator<(String, String)> for Titles {
    /// A later text for the same language replaces an earlier one, as collecting into a map does.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut entries: Vec<(String, String)> = iter.into_iter().collect();
        // Stable, so equal codes keep their order and the last one wins below.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<(String, String)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match unique.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => unique.push(entry),
            }
        }
        Self(unique.into_boxed_slice())
    }
}

impl std::ops::Index<&str> for Titles {
    type Output = String;

    /// The text in `lang`.
    ///
    /// # Panics
    /// When there is none, as indexing a map does.
    fn index(&self, lang: &str) -> &String {
        match self.get(lang) {
            Some(text) => text,
            None => panic!("no title in language {lang:?}"),
        }
    }
}

impl fmt::Debug for Titles {
    /// As a map, like the `BTreeMap` it replaces (snapshots stay readable).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Titles {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (lang, text) in self.iter() {
            map.serialize_entry(lang, text)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Titles {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TitlesVisitor;

        impl<'de> Visitor<'de> for TitlesVisitor {
            type Value = Titles;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map from language code to title")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Titles, A::Error> {
                let mut entries = Vec::with_capacity(access.size_hint().unwrap_or(1).min(32));
                while let Some(entry) = access.next_entry::<String, String>()? {
                    entries.push(entry);
                }
                Ok(entries.into_iter().collect())
            }
        }

        deserializer.deserialize_map(TitlesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::Titles;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
            .collect()
    }

    #[test]
    fn serialises_exactly_as_the_map_it_replaces() {
        let entries = map(&[("nor", "Senger"), ("eng", "Beds"), ("swe", "Sängar")]);
        let titles = Titles::from(entries.clone());
        let json = serde_json::to_string(&titles).expect("serialise");
        assert_eq!(json, serde_json::to_string(&entries).expect("serialise map"));
        assert_eq!(json, r#"{"eng":"Beds","nor":"Senger","swe":"Sängar"}"#);
        let back: Titles = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, titles);
        assert_eq!(serde_json::to_string(&Titles::default()).expect("empty"), "{}");
    }

    #[test]
    fn unsorted_and_repeated_languages_read_as_a_map_reads_them() {
        let json = r#"{"nor":"Senger","eng":"Beds","nor":"Senger og madrasser"}"#;
        let titles: Titles = serde_json::from_str(json).expect("deserialise");
        let as_map: BTreeMap<String, String> = serde_json::from_str(json).expect("map");
        assert_eq!(titles, Titles::from(as_map));
        assert_eq!(titles.keys().collect::<Vec<_>>(), ["eng", "nor"]);
        assert_eq!(titles["nor"], "Senger og madrasser");
    }

    #[test]
    fn lookups_and_inserts_behave_like_a_map() {
        let mut titles = Titles::from(map(&[("nor", "Senger")]));
        assert_eq!(titles.get("nor").map(String::as_str), Some("Senger"));
        assert_eq!(titles.get("eng"), None);
        assert!(titles.contains_key("nor") && !titles.contains_key("eng"));
        assert_eq!(titles.insert("eng".to_owned(), "Beds".to_owned()), None);
        assert_eq!(
            titles.insert("nor".to_owned(), "Senger!".to_owned()).as_deref(),
            Some("Senger")
        );
        assert_eq!(titles.iter().collect::<Vec<_>>(), [("eng", "Beds"), ("nor", "Senger!")]);
        assert_eq!(titles.values().collect::<Vec<_>>(), ["Beds", "Senger!"]);
        assert_eq!((titles.len(), titles.is_empty()), (2, false));
        assert_eq!(format!("{titles:?}"), r#"{"eng": "Beds", "nor": "Senger!"}"#);
    }
}

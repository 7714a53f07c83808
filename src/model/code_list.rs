//! [`CodeList`]: a notice's CPV codes in one allocation.
//!
//! A `Vec<String>` costs 24 bytes a code plus a heap block of its own (32 bytes with malloc's
//! overhead) for 8 digits. Doffin gives 8 to 29 CPV codes a notice in the recorded hits (TED 1
//! to 5), so at 100,000 resident notices with 15 codes each the dashboard held 214 MB where the
//! generated notices (one code each) held 136 (issue #7's bar is 150). Joined into one boxed
//! string, a code costs 9 bytes. It serialises as the same JSON list of strings, so stored
//! notices, their content hash and `--json` output do not change.

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Codes in source order, each without spaces (the separator), none empty.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct CodeList(Box<str>);

impl CodeList {
    /// The codes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone {
        self.into_iter()
    }

    /// How many codes there are.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first code.
    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    /// The codes joined with `separator`.
    pub fn join(&self, separator: &str) -> String {
        self.iter().collect::<Vec<_>>().join(separator)
    }

    /// Removes every code.
    pub fn clear(&mut self) {
        self.0 = Box::default();
    }
}

/// Adds `code` to the codes `joined` holds. A code is one word: whitespace inside it splits it
/// (a code with a space would otherwise read back as two), and an empty one is dropped.
fn append(joined: &mut String, code: &str) {
    for word in code.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
}

impl<S: AsRef<str>> FromIterator<S> for CodeList {
    fn from_iter<I: IntoIterator<Item = S>>(codes: I) -> Self {
        let mut joined = String::new();
        for code in codes {
            append(&mut joined, code.as_ref());
        }
        Self(joined.into_boxed_str())
    }
}

impl<'a> IntoIterator for &'a CodeList {
    type Item = &'a str;
    type IntoIter = std::iter::Filter<std::str::Split<'a, char>, fn(&&'a str) -> bool>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.split(' ').filter(|c| !c.is_empty())
    }
}

/// The code at `index`, as a `Vec`'s indexing gives it (and panics past the end).
impl std::ops::Index<usize> for CodeList {
    type Output = str;
    fn index(&self, index: usize) -> &str {
        self.iter().nth(index).expect("CPV code index out of range")
    }
}

impl From<Vec<String>> for CodeList {
    fn from(codes: Vec<String>) -> Self {
        codes.into_iter().collect()
    }
}

impl<const N: usize> PartialEq<[&str; N]> for CodeList {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl fmt::Debug for CodeList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for CodeList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for code in self.iter() {
            seq.serialize_element(code)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for CodeList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Codes;
        impl<'de> Visitor<'de> for Codes {
            type Value = CodeList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of codes")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CodeList, A::Error> {
                let mut joined = String::new();
                while let Some(code) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    append(&mut joined, &code);
                }
                Ok(CodeList(joined.into_boxed_str()))
            }
        }
        deserializer.deserialize_seq(Codes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_the_same_json_list() {
        let json = r#"["33100000","48180000","03000000"]"#;
        let codes: CodeList = serde_json::from_str(json).unwrap();
        assert_eq!(codes, ["33100000", "48180000", "03000000"]);
        assert_eq!(serde_json::to_string(&codes).unwrap(), json);
        assert_eq!((codes.len(), codes.first()), (3, Some("33100000")));
        let empty: CodeList = serde_json::from_str("[]").unwrap();
        assert!(empty.is_empty() && empty.first().is_none());
        assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
    }

    #[test]
    fn a_code_is_one_word_and_never_empty() {
        // Spaces would split a code when read back: whatever holds them is split on the way in,
        // so what is stored reads back as it was listed.
        let codes: CodeList = ["33100000", " ", "", "48180000 72000000"].into_iter().collect();
        assert_eq!(codes, ["33100000", "48180000", "72000000"]);
        let codes: CodeList = ["33100000", "", "48180000"].into_iter().collect();
        assert_eq!(codes.join(","), "33100000,48180000");
        assert_eq!(&codes[1], "48180000");
        let read: CodeList = serde_json::from_str(r#"["a b", ""]"#).unwrap();
        assert_eq!(read, ["a", "b"]);
        assert_eq!(format!("{read:?}"), r#"["a", "b"]"#);
    }
}

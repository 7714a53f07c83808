//! [`RuleName`]: the rule a [`super::Hit`] names, shared between hits instead of copied.
//!
//! Every hit repeats one of a profile's few dozen rule names; as a `String` each was an allocation
//! of its own (7.5 MB of the dashboard's memory at 100,000 notices, issue #7). Hits scored by one
//! matcher share its names, and [`RuleNames`] makes the hits read back from the store share them.
//! Serialises as the plain string it replaces.

use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A rule's text as the profile wrote it (keyword, CPV prefix, or a filter's reason).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleName(Arc<str>);

impl RuleName {
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for RuleName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for RuleName {
    fn from(name: &str) -> Self {
        Self(Arc::from(name))
    }
}

impl From<String> for RuleName {
    fn from(name: String) -> Self {
        Self(Arc::from(name))
    }
}

impl PartialEq<str> for RuleName {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for RuleName {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Debug for RuleName {
    /// As the `String` it replaces, so debug output and snapshots read the same.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for RuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RuleName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RuleName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

/// Deduplicates rule names read back one record at a time: each distinct name is kept once.
#[derive(Debug, Default)]
pub struct RuleNames(HashSet<RuleName>);

impl RuleNames {
    /// The shared copy of `name`.
    pub fn share(&mut self, name: &RuleName) -> RuleName {
        if let Some(shared) = self.0.get(name) {
            return shared.clone();
        }
        self.0.insert(name.clone());
        name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::{RuleName, RuleNames};

    #[test]
    fn serialises_as_a_plain_string() {
        let name = RuleName::from("trygghetsalarm");
        assert_eq!(serde_json::to_string(&name).expect("serialise"), r#""trygghetsalarm""#);
        let back: RuleName = serde_json::from_str(r#""trygghetsalarm""#).expect("deserialise");
        assert_eq!(back, name);
        assert_eq!(back, "trygghetsalarm");
        assert_eq!(format!("{back:?} {back}"), r#""trygghetsalarm" trygghetsalarm"#);
    }

    #[test]
    fn equal_names_read_separately_end_up_sharing_one_allocation() {
        let mut names = RuleNames::default();
        let first = names.share(&RuleName::from("ultralyd"));
        let second = names.share(&RuleName::from("ultralyd".to_owned()));
        let other = names.share(&RuleName::from("røntgen"));
        assert!(std::ptr::eq(first.as_str(), second.as_str()));
        assert!(!std::ptr::eq(first.as_str(), other.as_str()));
        assert_eq!(second, "ultralyd");
    }
}

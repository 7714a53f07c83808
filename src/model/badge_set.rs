//! [`BadgeSet`]: the badges of a notice as bits, for the 100,000 relevances the dashboard keeps
//! (a `Vec<Badge>` cost 24 bytes inline even when empty, 2.3 MB at that scale; issue #7).
//! Serialises as the same JSON list, in [`Badge`] order.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Badge;

/// Each [`Badge`] at most once, iterated in [`Badge`] order.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct BadgeSet(u16);

impl BadgeSet {
    /// Adds `badge` (once).
    pub fn insert(&mut self, badge: Badge) {
        self.0 |= bit(badge);
    }

    /// Whether `badge` is in the set.
    pub fn contains(self, badge: Badge) -> bool {
        self.0 & bit(badge) != 0
    }

    /// Whether there is no badge.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Number of badges.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The badges, in [`Badge`] order.
    pub fn iter(self) -> impl Iterator<Item = Badge> {
        Badge::ALL.into_iter().filter(move |b| self.contains(*b))
    }
}

/// The badge's bit: its position in [`Badge::ALL`] (13 badges fit a `u16`).
fn bit(badge: Badge) -> u16 {
    let index = Badge::ALL.iter().position(|b| *b == badge).unwrap_or(0);
    1 << index
}

impl FromIterator<Badge> for BadgeSet {
    fn from_iter<I: IntoIterator<Item = Badge>>(iter: I) -> Self {
        let mut set = Self::default();
        for badge in iter {
            set.insert(badge);
        }
        set
    }
}

impl From<Vec<Badge>> for BadgeSet {
    fn from(badges: Vec<Badge>) -> Self {
        badges.into_iter().collect()
    }
}

impl<const N: usize> PartialEq<[Badge; N]> for BadgeSet {
    /// Equal when the array holds the same badges in [`Badge`] order.
    fn eq(&self, other: &[Badge; N]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl fmt::Debug for BadgeSet {
    /// As the list it replaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for BadgeSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for BadgeSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Badge>::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::BadgeSet;
    use crate::model::Badge;

    #[test]
    fn serialises_as_the_sorted_list_it_replaces() {
        let set = BadgeSet::from(vec![Badge::PriorInformation, Badge::MdrIvdr, Badge::MdrIvdr]);
        assert_eq!(set, [Badge::MdrIvdr, Badge::PriorInformation]);
        assert_eq!((set.len(), set.is_empty()), (2, false));
        let json = serde_json::to_string(&set).expect("serialise");
        assert_eq!(json, r#"["mdr_ivdr","prior_information"]"#);
        assert_eq!(
            json,
            serde_json::to_string(&vec![Badge::MdrIvdr, Badge::PriorInformation]).expect("list")
        );
        let back: BadgeSet = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, set);
        assert_eq!(format!("{back:?}"), "[MdrIvdr, PriorInformation]");
    }

    #[test]
    fn every_badge_has_a_bit_of_its_own() {
        let all: BadgeSet = Badge::ALL.into_iter().collect();
        assert_eq!(all.len(), Badge::ALL.len());
        assert!(Badge::ALL.iter().all(|b| all.contains(*b)));
        assert!(BadgeSet::default().is_empty());
        assert_eq!(BadgeSet::default(), []);
    }
}

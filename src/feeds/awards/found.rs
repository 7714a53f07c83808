//! What a poll's award search found, page by page: the award rows, and what competition notices
//! said that awards link to. A later page (or a later release of an OCDS process) supersedes an
//! earlier one's rows of the same award notice, as the store replaces them.

use std::collections::{HashMap, HashSet};

use crate::model::{Award, CompetitionKeys, NoticeId};

/// Award rows and competition keys read in one poll.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoundAwards {
    /// One row per award notice × lot × winner.
    pub awards: Vec<Award>,
    /// What the competition notices read beside them say for linking (OCDS ocid, planned duration).
    pub keys: Vec<CompetitionKeys>,
}

impl FoundAwards {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.awards.is_empty() && self.keys.is_empty()
    }

    /// Adds a later page: its rows replace every earlier row of the same award notice (unless
    /// those were published later: pages need not come oldest first, and an OCDS process's latest
    /// release is the one that counts), and its keys every earlier key of the same competition
    /// notice.
    pub fn absorb(&mut self, mut later: FoundAwards) {
        // The newest publication date of each award notice on either side: one pass each.
        let newest = |rows: &[Award]| {
            let mut map: HashMap<NoticeId, Option<jiff::civil::Date>> = HashMap::new();
            for a in rows {
                let seen = map.entry(a.notice_id.clone()).or_default();
                *seen = (*seen).max(a.published);
            }
            map
        };
        let ours = newest(&self.awards);
        let stale: HashSet<NoticeId> = newest(&later.awards)
            .into_iter()
            .filter(|(id, theirs)| ours.get(id).is_some_and(|ours| ours > theirs))
            .map(|(id, _)| id)
            .collect();
        later.awards.retain(|a| !stale.contains(&a.notice_id));
        let notices: HashSet<&NoticeId> = later.awards.iter().map(|a| &a.notice_id).collect();
        self.awards.retain(|a| !notices.contains(&a.notice_id));
        let competitions: HashSet<&NoticeId> = later.keys.iter().map(|k| &k.notice_id).collect();
        self.keys.retain(|k| !competitions.contains(&k.notice_id));
        self.awards.extend(later.awards);
        self.keys.extend(later.keys);
    }
}

/// One page of a feed's award search, parsed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwardPage {
    /// What the page held.
    pub found: FoundAwards,
    /// The cursor of the next page, as [`crate::feeds::Page::next`].
    pub next: Option<String>,
    /// The total the server reports, if it does (zero means the window is empty).
    pub total: Option<u64>,
    /// Plain-language warnings about the page (a window over Doffin's hit limit, …).
    pub warnings: Vec<String>,
}

/// The award side of one poll: what was found, and why the award search failed if it did. A
/// failed award search never fails the poll: the competitions are saved all the same.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollAwards {
    /// Rows and keys read before any failure that ended the award search (all of them when none
    /// did); a failed search keeps what the competition pages themselves carried (OCDS).
    pub found: FoundAwards,
    /// The failure, for people (`FeedError::user_message`), if the award search failed.
    pub error: Option<String>,
    /// Warnings from award pages that still parsed.
    pub warnings: Vec<String>,
}

impl PollAwards {
    /// The award search's warnings and failure, as lines for the feed's warnings.
    pub fn messages(&self) -> Vec<String> {
        let mut lines = self.warnings.clone();
        if let Some(error) = &self.error {
            lines.push(format!("award search failed (the notices were saved): {error}"));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(notice: &str, lot: &str) -> Award {
        Award {
            lot_id: lot.to_owned(),
            ..crate::model::award::sample(NoticeId::new("cf", notice))
        }
    }

    #[test]
    fn an_older_release_on_a_later_page_does_not_replace_a_newer_one() {
        let on = |notice: &str, lot: &str, day: &str| Award {
            published: Some(day.parse().unwrap()),
            ..row(notice, lot)
        };
        let mut found = FoundAwards {
            awards: vec![on("a", "new", "2026-03-02")],
            keys: Vec::new(),
        };
        found.absorb(FoundAwards {
            awards: vec![on("a", "old", "2026-03-01"), on("b", "1", "2026-01-01")],
            keys: Vec::new(),
        });
        let lots: Vec<&str> = found.awards.iter().map(|a| a.lot_id.as_str()).collect();
        assert_eq!(lots, ["new", "1"]);
    }

    #[test]
    fn a_later_page_replaces_the_rows_of_the_same_award_notice() {
        let mut found = FoundAwards {
            awards: vec![row("a", "1"), row("a", "2"), row("b", "1")],
            keys: Vec::new(),
        };
        found.absorb(FoundAwards {
            awards: vec![row("a", "3")],
            keys: Vec::new(),
        });
        let kept: Vec<(String, String)> = found
            .awards
            .iter()
            .map(|a| (a.notice_id.to_string(), a.lot_id.clone()))
            .collect();
        assert_eq!(
            kept,
            [("cf:b".to_owned(), "1".to_owned()), ("cf:a".to_owned(), "3".to_owned())]
        );
        assert!(!found.is_empty());
        assert!(FoundAwards::default().is_empty());
    }
}

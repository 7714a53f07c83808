//! Awards from a live poll: the competition keys and award rows a feed found, saved together, and
//! which stored rows are new or changed by it — a poll re-reads a day of overlap (and Doffin ten),
//! so most award notices it brings are already stored as they are.

use std::collections::HashSet;

use jiff::Timestamp;

use super::{AwardSaveSummary, COLUMNS, LINKED, sqlite, stored_from_row};
use crate::model::{Award, CompetitionKeys, NoticeId, StoredAward};
use crate::store::{Store, StoreError};

/// What saving a poll's awards did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolledAwards {
    /// Rows, notices and links written.
    pub summary: AwardSaveSummary,
    /// The stored rows of every award notice that is new or whose rows changed, with their links
    /// and estimates (unlinked ones included), then those of the `relinked`.
    pub fresh: Vec<StoredAward>,
    /// Award notices stored by earlier polls, unlinked until now: their competition notice came
    /// with this poll or one before it (see [`Store::link_waiting_awards`]).
    pub relinked: usize,
}

impl Store {
    /// Saves a poll's competition keys, then its award rows (linked as [`Store::save_awards`]
    /// links them), and reports the award notices that are new or changed. Rows without a value
    /// never replace stored rows with one (a Doffin hit after its notice's XML was read).
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when a read or write fails; the keys may then be saved without the
    /// awards, which the next poll's awards still find, or both without the links to earlier
    /// awards, which the next poll makes.
    pub fn save_polled_awards(
        &mut self,
        awards: &[Award],
        keys: &[CompetitionKeys],
        at: Timestamp,
    ) -> Result<PolledAwards, StoreError> {
        if !keys.is_empty() {
            self.save_competition_keys(keys)?;
        }
        let mut seen = HashSet::new();
        let notices: Vec<&NoticeId> = awards
            .iter()
            .map(|a| &a.notice_id)
            .filter(|id| seen.insert(*id))
            .collect();
        let before = self.stored_awards_of(&notices)?;
        // A search hit re-read by a later poll (Doffin names no amounts) must not replace the rows
        // its notice's XML gave: a notice whose stored rows carry a value keeps them against
        // incoming rows that carry none.
        let poorer: HashSet<&NoticeId> = notices
            .iter()
            .zip(&before)
            .filter(|(id, stored)| {
                stored.iter().any(|s| s.award.value.is_some())
                    && awards
                        .iter()
                        .filter(|a| a.notice_id == ***id)
                        .all(|a| a.value.is_none())
            })
            .map(|(id, _)| *id)
            .collect();
        let kept: Vec<Award> = awards
            .iter()
            .filter(|a| !poorer.contains(&a.notice_id))
            .cloned()
            .collect();
        let summary = self.save_awards(&kept, at)?;
        let after = self.stored_awards_of(&notices)?;
        let mut fresh: Vec<StoredAward> = before
            .into_iter()
            .zip(after)
            .filter(|(old, new)| old != new)
            .flat_map(|(_, new)| new)
            .collect();
        // This poll's own award notices were linked as they were saved; the ones waiting from
        // earlier polls are looked for by key once the poll's notices and keys are in.
        let waiting: Vec<NoticeId> = self
            .link_waiting_awards(at)?
            .into_iter()
            .filter(|id| !seen.contains(id))
            .collect();
        let relinked = waiting.len();
        let waiting: Vec<&NoticeId> = waiting.iter().collect();
        fresh.extend(self.stored_awards_of(&waiting)?.into_iter().flatten());
        Ok(PolledAwards {
            summary,
            fresh,
            relinked,
        })
    }

    /// The award notices among `fresh` whose value must come from their XML (see
    /// [`StoredAward::wants_notice_xml`]) and that conclude a competition notice the user cares
    /// about: matched by a profile, or decided on (anything but undecided or rejected).
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the read fails.
    pub fn award_values_wanted(&self, fresh: &[StoredAward]) -> Result<Vec<NoticeId>, StoreError> {
        let action = "read which awarded competitions are followed";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM notices AS n LEFT JOIN triage AS t ON t.notice_id = n.id
                 WHERE n.id = ?1 AND (n.matched != 0 OR t.status NOT IN ('new', 'rejected')))",
            )
            .map_err(sqlite(action))?;
        let mut wanted: Vec<NoticeId> = Vec::new();
        for award in fresh.iter().filter(|a| a.wants_notice_xml()) {
            let Some(link) = &award.link else { continue };
            let followed: bool = stmt
                .query_row([link.competition.as_str()], |r| r.get(0))
                .map_err(sqlite(action))?;
            if followed && !wanted.contains(&award.award.notice_id) {
                wanted.push(award.award.notice_id.clone());
            }
        }
        Ok(wanted)
    }

    /// The stored rows of each award notice in `notices`, in that order (empty when not stored).
    fn stored_awards_of(&self, notices: &[&NoticeId]) -> Result<Vec<Vec<StoredAward>>, StoreError> {
        let action = "read the stored rows of polled award notices";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, {LINKED} WHERE a.notice_id = ?1 ORDER BY a.lot_id, a.seq"
            ))
            .map_err(sqlite(action))?;
        notices
            .iter()
            .map(|id| {
                stmt.query_map([id.as_str()], stored_from_row)
                    .and_then(Iterator::collect)
                    .map_err(sqlite(action))
            })
            .collect()
    }
}

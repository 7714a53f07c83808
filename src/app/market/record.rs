//! Your own record: your bids by stage and outcome, the win rate, and to whom you lost.

use crate::model::{AwardStatus, StoredAward, Triage};

/// Your bids and how they ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnRecord {
    /// Bids being prepared.
    pub bidding: usize,
    /// Bids handed in, no outcome yet.
    pub submitted: usize,
    /// Bids won.
    pub won: usize,
    /// Bids lost.
    pub lost: usize,
    /// Bids (bidding or submitted) whose procedure ended without a contract: not a loss.
    pub no_award: usize,
    /// Who won the contracts you lost, most often first; losses with no linked award are
    /// counted in `lost_unknown`.
    pub lost_to: Vec<(String, usize)>,
    /// Losses no award notice explains.
    pub lost_unknown: usize,
}

impl OwnRecord {
    /// Won out of won and lost, when there is an outcome.
    pub fn win_rate(&self) -> Option<f64> {
        let decided = self.won + self.lost;
        #[allow(clippy::cast_precision_loss)] // counts of bids, far below 2^52
        (decided > 0).then(|| self.won as f64 / decided as f64)
    }

    /// Counts one notice you followed, with the award rows linked to it.
    pub(crate) fn count(&mut self, triage: Triage, awards: &[&StoredAward]) {
        let awarded = awards.iter().any(|a| a.award.status == AwardStatus::Awarded);
        let ended_without = !awarded && awards.iter().any(|a| a.award.status == AwardStatus::NoAward);
        match triage {
            Triage::Bidding | Triage::Submitted if ended_without => self.no_award += 1,
            Triage::Bidding => self.bidding += 1,
            Triage::Submitted => self.submitted += 1,
            Triage::Won => self.won += 1,
            Triage::Lost => {
                self.lost += 1;
                let winners: Vec<&str> = awards
                    .iter()
                    .filter(|a| a.award.is_awarded())
                    .filter_map(|a| a.award.winner_name.as_deref())
                    .collect();
                if winners.is_empty() {
                    self.lost_unknown += 1;
                }
                let mut seen: Vec<&str> = Vec::new();
                for winner in winners {
                    if seen.contains(&winner) {
                        continue;
                    }
                    seen.push(winner);
                    match self.lost_to.iter_mut().find(|(w, _)| w == winner) {
                        Some((_, n)) => *n += 1,
                        None => self.lost_to.push((winner.to_owned(), 1)),
                    }
                }
            }
            Triage::New | Triage::Shortlisted | Triage::Rejected => {}
        }
    }

    /// Sorts the lost-to list, most often first.
    pub(crate) fn finish(&mut self) {
        self.lost_to.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
}

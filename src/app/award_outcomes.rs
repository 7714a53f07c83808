//! Won or lost, automatically: when an award notice linked to a bid of yours (stage bidding or
//! submitted) names you (`own_org_ids`, `own_names`) the bid becomes won, when it names someone
//! else it becomes lost — as an ordinary decision through the same path as a key press (logged in
//! the store, undoable with `u`), proposed by anbud. Part of `AppState::update`.
//!
//! What is never done: settling a bid you moved after the award's date (your decision is the later
//! one), treating an intent notice ("intended award to X") or a procedure ended without award as a
//! loss, or settling anything without `own_org_ids` / `own_names` configured.

use std::collections::HashMap;

use super::msg::Effect;
use super::state::AppState;
use super::status::info;
use crate::model::{AwardStatus, DecisionKind, NoticeId, StoredAward, Triage, TriageChange};

impl AppState {
    /// Proposes won / lost for bids that a linked award settles, once per bid and session; runs
    /// after awards arrived or records were loaded.
    pub(crate) fn settle_award_outcomes(&mut self) -> Vec<Effect> {
        if !std::mem::take(&mut self.market.outcomes_due) || self.market.own.is_empty() {
            return Vec::new();
        }
        // The rows that decide each linked competition notice.
        let mut by_competition: HashMap<&NoticeId, Vec<&StoredAward>> = HashMap::new();
        for stored in &self.market.awards {
            if let Some(link) = &stored.link {
                by_competition.entry(&link.competition).or_default().push(stored);
            }
        }
        let mut proposals: Vec<(TriageChange, String)> = Vec::new();
        for (id, rows) in by_competition {
            let Some(&i) = self.records.by_id.get(id) else { continue };
            let record = &self.records.rows[i];
            let bid = matches!(record.triage, Triage::Bidding | Triage::Submitted);
            if !bid || self.market.settled.contains(id) || self.decisions.pending.contains_key(id) {
                continue;
            }
            let awarded: Vec<&StoredAward> = rows
                .iter()
                .copied()
                .filter(|a| a.award.status == AwardStatus::Awarded && a.award.winner_name.is_some())
                .collect();
            // Intent and no-award notices settle nothing: an intent may still change, and a
            // procedure ended without a contract is nobody's loss.
            let Some(dated) = awarded.iter().filter_map(|a| super::market::award_day(&a.award)).max() else {
                continue;
            };
            let after_award = self
                .market
                .decided_at
                .get(id)
                .is_some_and(|at| at.to_zoned(jiff::tz::TimeZone::UTC).date() > dated);
            if after_award {
                continue;
            }
            let ours = awarded.iter().any(|a| self.market.own.named_in(&a.award));
            let to = if ours { Triage::Won } else { Triage::Lost };
            let notice = awarded
                .first()
                .map_or_else(String::new, |a| a.award.notice_id.to_string());
            let why = if ours {
                format!("award notice {notice} names you")
            } else {
                let mut winners: Vec<&str> = awarded.iter().filter_map(|a| a.award.winner_name.as_deref()).collect();
                winners.dedup();
                format!("award notice {notice}: awarded to {}", winners.join(", "))
            };
            proposals.push((
                TriageChange {
                    id: id.clone(),
                    from: record.triage,
                    to,
                },
                why,
            ));
        }
        proposals.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        let mut effects = Vec::new();
        let mut lines = Vec::new();
        for (change, why) in proposals {
            let title = self
                .record_by_id(&change.id)
                .map(|r| super::status::shorten(&r.notice.title, 60))
                .unwrap_or_default();
            lines.push(format!(
                "By anbud: {} {} — {why} — {title}",
                change.id,
                change.to.as_str()
            ));
            self.market.settled.insert(change.id.clone());
            // One batch per bid, so `u` takes back one settlement at a time.
            let batch = self.decisions.next_batch;
            let sent = self.request_batch(vec![change], DecisionKind::Do);
            if !sent.is_empty() {
                self.market.auto_batches.insert(batch);
            }
            effects.extend(sent);
        }
        // Every settlement in the message log (`M`); the last one also on the status line, which
        // `update` files in the log itself.
        if let Some(last) = lines.pop() {
            for line in lines {
                self.log.push(self.now, info(line));
            }
            self.status = Some(info(last));
        }
        effects
    }
}

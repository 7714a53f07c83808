//! The market sub-state: every stored award, which of them are "in your space", and the views the
//! Market screen (`m`) shows — incumbents, expiring contracts, your own record, a buyer's history.
//!
//! A leaf: plain data over the model. The views are derived when the awards or the records change
//! and the Market screen is open (`market_view.rs`), never per frame. The facts behind the fields
//! (values of different kinds never summed, end dates mostly estimated) are in
//! `shared/reference/awards.md` and the README's Awards section.

mod buyer;
mod incumbents;
mod record;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use buyer::{BuyerHistory, BuyerKey};
pub(crate) use incumbents::incumbents;
pub use incumbents::{FamilyKind, IncumbentGroup, IncumbentRow, Sums};
pub use record::OwnRecord;

use crate::model::{Notice, NoticeId, Relevance, RetenderLead, StoredAward};

/// How a notice is scored: the same matcher the feeds' notices go through (see
/// `feeds::poller::Scorer`), applied to an award's own title, buyer and CPV codes.
pub type AwardScorer = Arc<dyn Fn(&Notice) -> Relevance + Send + Sync>;

/// The sections of the Market screen, in the order `Tab` and the digits `1`–`5` pick them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MarketSection {
    /// Award notices in your space, newest first.
    #[default]
    Awards,
    /// Who wins, per CPV division and per profile.
    Incumbents,
    /// Contracts ordered by estimated end, with the re-tender window.
    Expiring,
    /// Your own bids: submitted, won, lost, no award, win rate, lost to whom.
    Record,
    /// One buyer's awards and notices (`b` on a notice).
    Buyer,
}

impl MarketSection {
    /// Section order.
    pub const ALL: [MarketSection; 5] = [
        MarketSection::Awards,
        MarketSection::Incumbents,
        MarketSection::Expiring,
        MarketSection::Record,
        MarketSection::Buyer,
    ];

    /// The section's label in the Market screen's header.
    pub fn label(self) -> &'static str {
        match self {
            MarketSection::Awards => "Awards",
            MarketSection::Incumbents => "Incumbents",
            MarketSection::Expiring => "Expiring",
            MarketSection::Record => "My record",
            MarketSection::Buyer => "Buyer",
        }
    }
}

/// Who "you" are in award notices (`own_org_ids`, `own_names` in the config): a winner with one of
/// these organisation numbers (digits compared) or names (folded, legal forms dropped) is you.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnIdentity {
    /// Organisation ids, digits only.
    ids: Vec<String>,
    /// Names as `dedup::normalise_buyer_name` folds them.
    names: Vec<String>,
}

impl OwnIdentity {
    /// From the config's lists; empty entries are dropped.
    pub fn new(org_ids: &[String], names: &[String]) -> Self {
        let digits = |s: &String| s.chars().filter(char::is_ascii_digit).collect::<String>();
        Self {
            ids: org_ids.iter().map(digits).filter(|d| !d.is_empty()).collect(),
            names: names
                .iter()
                .filter_map(|n| crate::dedup::normalise_buyer_name(n))
                .collect(),
        }
    }

    /// Whether neither ids nor names are configured (no bid is then settled automatically).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.names.is_empty()
    }

    /// Whether a winner with this name and id is you.
    pub fn is(&self, name: Option<&str>, org_id: Option<&str>) -> bool {
        let by_id = org_id.is_some_and(|id| {
            let digits: String = id.chars().filter(char::is_ascii_digit).collect();
            !digits.is_empty() && self.ids.contains(&digits)
        });
        let by_name = name
            .and_then(crate::dedup::normalise_buyer_name)
            .is_some_and(|n| self.names.contains(&n));
        by_id || by_name
    }

    /// Whether any winner of `award` — its own row, or an id the source could not pair to a lot —
    /// is you.
    pub fn named_in(&self, award: &crate::model::Award) -> bool {
        self.is(award.winner_name.as_deref(), award.winner_org_id.as_deref())
            || award.unpaired_winner_ids.iter().any(|id| self.is(None, Some(id)))
    }
}

/// What the relevance of one award notice is, for "in your space" and the per-profile grouping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AwardFit {
    /// The award's own title, buyer and CPV reach a profile's threshold.
    pub(crate) matched: bool,
    /// The profiles it matched, best first.
    pub(crate) profiles: Vec<String>,
}

/// The market sub-state of [`super::AppState`].
pub struct MarketState {
    /// Every stored award row, in arrival order.
    pub(crate) awards: Vec<StoredAward>,
    /// (award notice, lot, seq) of the rows held, so a row sent twice is kept once.
    pub(crate) keys: HashSet<(NoticeId, String, u32)>,
    /// The own relevance of each award notice, scored once when it arrives.
    pub(crate) fit: HashMap<NoticeId, AwardFit>,
    /// Scores award notices; `None` in tests that build the state by hand (only the link then
    /// puts an award in your space).
    pub(crate) scorer: Option<AwardScorer>,
    /// Re-tender window lead (`retender_lead_months`).
    pub(crate) lead: RetenderLead,
    /// Who you are in award notices.
    pub(crate) own: OwnIdentity,
    /// Indices into `awards` of the rows in your space, newest first.
    pub(crate) in_space: Vec<usize>,
    /// Incumbents per CPV division, then per profile.
    pub(crate) incumbents: Vec<IncumbentGroup>,
    /// Indices into `awards` of awarded contracts in your space not yet ended, by estimated end.
    pub(crate) expiring: Vec<usize>,
    /// Your bids and how they ended.
    pub(crate) record: OwnRecord,
    /// The buyer `b` was pressed on, and what is known of it.
    pub(crate) buyer: Option<BuyerHistory>,
    /// The section on screen.
    pub(crate) section: MarketSection,
    /// Lines the section is scrolled down (the renderer stops at its end).
    pub(crate) scroll: usize,
    /// The awards or the records changed since the views were derived.
    pub(crate) stale: bool,
    /// Awards arrived or records were loaded: bids may have an outcome to record (`award_outcomes.rs`).
    pub(crate) outcomes_due: bool,
    /// Bids anbud already settled (or tried to) this session: each is proposed once, so a store
    /// that refuses the write is not asked again on every change.
    pub(crate) settled: HashSet<NoticeId>,
    /// The help was opened from the Market screen: closing it returns there.
    pub(crate) behind_help: bool,
    /// Decision batches anbud proposed itself, so their saved message says "by anbud".
    pub(crate) auto_batches: HashSet<i64>,
    /// When each notice's triage last changed (from the store at start-up, then this session's
    /// saves): a decision of yours after an award's date is never overridden.
    pub(crate) decided_at: HashMap<NoticeId, jiff::Timestamp>,
}

impl std::fmt::Debug for MarketState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarketState")
            .field("awards", &self.awards.len())
            .field("in_space", &self.in_space.len())
            .field("section", &self.section)
            .field("scorer", &self.scorer.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for MarketState {
    fn default() -> Self {
        Self {
            awards: Vec::new(),
            keys: HashSet::new(),
            fit: HashMap::new(),
            scorer: None,
            lead: RetenderLead::default(),
            own: OwnIdentity::default(),
            in_space: Vec::new(),
            incumbents: Vec::new(),
            expiring: Vec::new(),
            record: OwnRecord::default(),
            buyer: None,
            section: MarketSection::default(),
            scroll: 0,
            stale: true,
            outcomes_due: false,
            settled: HashSet::new(),
            auto_batches: HashSet::new(),
            behind_help: false,
            decided_at: HashMap::new(),
        }
    }
}

impl MarketState {
    /// Adds award rows (a row already held is replaced by the newer copy) and scores each new
    /// award notice once. Returns how many rows were new.
    pub(crate) fn add(&mut self, awards: Vec<StoredAward>) -> usize {
        let mut new = 0;
        let mut at: HashMap<(NoticeId, String, u32), usize> = HashMap::new();
        if awards.iter().any(|a| self.keys.contains(&row_key(a))) {
            at = self.awards.iter().enumerate().map(|(i, a)| (row_key(a), i)).collect();
        }
        for award in awards {
            let key = row_key(&award);
            if let Some(&i) = at.get(&key) {
                self.awards[i] = award;
                continue;
            }
            if !self.fit.contains_key(&award.award.notice_id) {
                let fit = self.scorer.as_ref().map_or_else(AwardFit::default, |score| {
                    let relevance = score(&award.award.as_notice());
                    AwardFit {
                        matched: relevance.matched,
                        profiles: relevance.profiles,
                    }
                });
                self.fit.insert(award.award.notice_id.clone(), fit);
            }
            self.keys.insert(key);
            self.awards.push(award);
            new += 1;
        }
        self.stale = true;
        self.outcomes_due = true;
        new
    }

    /// The rows held.
    pub fn awards(&self) -> &[StoredAward] {
        &self.awards
    }

    /// The rows in your space, newest first.
    pub fn in_space(&self) -> impl Iterator<Item = &StoredAward> {
        self.in_space.iter().map(|&i| &self.awards[i])
    }

    /// Incumbents per CPV division, then per profile.
    pub fn incumbents(&self) -> &[IncumbentGroup] {
        &self.incumbents
    }

    /// Awarded contracts in your space not yet ended, by estimated end.
    pub fn expiring(&self) -> impl Iterator<Item = &StoredAward> {
        self.expiring.iter().map(|&i| &self.awards[i])
    }

    /// Your bids and how they ended.
    pub fn record(&self) -> &OwnRecord {
        &self.record
    }

    /// The buyer history `b` opened, if any.
    pub fn buyer(&self) -> Option<&BuyerHistory> {
        self.buyer.as_ref()
    }

    /// The awards of the buyer `b` was pressed on, newest first.
    pub fn buyer_awards(&self) -> impl Iterator<Item = &StoredAward> {
        self.buyer
            .iter()
            .flat_map(|b| b.awards.iter().map(|&i| &self.awards[i]))
    }

    /// The section on screen.
    pub fn section(&self) -> MarketSection {
        self.section
    }

    /// Lines the section is scrolled.
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// The re-tender window lead in force.
    pub fn lead(&self) -> RetenderLead {
        self.lead
    }
}

/// A row's identity: award notice, lot, position of the winner.
fn row_key(award: &StoredAward) -> (NoticeId, String, u32) {
    (
        award.award.notice_id.clone(),
        award.award.lot_id.clone(),
        award.award.seq,
    )
}

/// The day an award was made, for "newest first" and "last win": signed, else decided, else
/// published.
pub fn award_day(award: &crate::model::Award) -> Option<jiff::civil::Date> {
    award.conclusion_date.or(award.decision_date).or(award.published)
}

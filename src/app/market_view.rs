//! The Market screen's behaviour (`m`, `b`, its sections and scrolling) and keeping the market
//! sub-state's derived views up to date. Part of `AppState::update`; the data is in `market.rs`.

use std::collections::HashMap;

use super::market::{
    AwardScorer, BuyerHistory, BuyerKey, MarketSection, OwnIdentity, OwnRecord, award_day, incumbents,
};
use super::msg::Action;
use super::state::AppState;
use super::status::info;
use super::view::Mode;
use crate::model::{NoticeId, NoticeRecord, RetenderLead, StoredAward, Triage};

impl AppState {
    /// Scores award notices with the notices' matcher, so an award whose own title and CPV codes
    /// match a profile counts as in your space even when it links to no stored notice. Set it
    /// before [`AppState::with_awards`]: awards are scored once, when they arrive.
    pub fn with_award_scorer(mut self, scorer: AwardScorer) -> Self {
        self.market.scorer = Some(scorer);
        self
    }

    /// The re-tender window lead (`retender_lead_months`) and who you are in award notices
    /// (`own_org_ids`, `own_names`).
    pub fn with_market_settings(mut self, lead: RetenderLead, own: OwnIdentity) -> Self {
        self.market.lead = lead;
        self.market.own = own;
        self
    }

    /// When each notice's triage last changed (the store's `triage.updated_at`): anbud never
    /// settles a bid you moved after the award's date.
    pub fn with_decision_times(mut self, times: HashMap<NoticeId, jiff::Timestamp>) -> Self {
        self.market.decided_at = times;
        self
    }

    /// The market sub-state (for the Market screen).
    pub fn market(&self) -> &super::market::MarketState {
        &self.market
    }

    /// The record of a notice by id, if it is loaded.
    pub fn record_by_id(&self, id: &NoticeId) -> Option<&NoticeRecord> {
        self.records.get(id)
    }

    /// `m`: opens the Market screen on its last section, or closes it.
    pub(crate) fn toggle_market(&mut self) {
        if self.screen.mode == Mode::Market {
            self.screen.mode = Mode::List;
            return;
        }
        self.screen.mode = Mode::Market;
        if self.market.section == MarketSection::Buyer && self.market.buyer.is_none() {
            self.market.section = MarketSection::Awards;
        }
    }

    /// Picks a section of the Market screen (the digits `1`–`5`).
    pub(crate) fn pick_market_section(&mut self, section: MarketSection) {
        if section == MarketSection::Buyer && self.market.buyer.is_none() {
            self.status = Some(info("No buyer chosen: press b on a notice in the list".to_owned()));
            return;
        }
        self.market.section = section;
        self.market.scroll = 0;
    }

    /// An action while the Market screen is open: Tab cycles sections, movement keys scroll, Esc
    /// and `m` close it; anything else is ignored (triage happens in the list).
    pub(crate) fn on_market_action(&mut self, action: Action) {
        match action {
            Action::NextView | Action::PreviousView => {
                let sections: Vec<MarketSection> = MarketSection::ALL
                    .into_iter()
                    .filter(|s| *s != MarketSection::Buyer || self.market.buyer.is_some())
                    .collect();
                let at = sections.iter().position(|s| *s == self.market.section).unwrap_or(0);
                let len = sections.len();
                let next = if action == Action::NextView {
                    (at + 1) % len
                } else {
                    (at + len - 1) % len
                };
                self.market.section = sections[next];
                self.market.scroll = 0;
            }
            Action::Back | Action::ToggleMarket => self.screen.mode = Mode::List,
            Action::Quit => self.running = false,
            Action::ToggleHelp => {
                self.screen.help_scroll = 0;
                self.market.behind_help = true;
                self.screen.mode = Mode::Help;
            }
            action if action.moves_cursor() => {
                let page = usize::from(self.screen.list_rows.max(1));
                let max = self.market_rows().saturating_sub(1);
                let at = self.market.scroll;
                self.market.scroll = match action {
                    Action::SelectNext => at.saturating_add(1),
                    Action::SelectPrevious => at.saturating_sub(1),
                    Action::PageDown => at.saturating_add(page),
                    Action::PageUp => at.saturating_sub(page),
                    Action::SelectFirst => 0,
                    _ => max,
                }
                .min(max);
            }
            _ => {}
        }
    }

    /// Rows of the section on screen (what scrolling moves through).
    fn market_rows(&self) -> usize {
        let m = &self.market;
        match m.section {
            MarketSection::Awards => m.in_space.len(),
            MarketSection::Incumbents => m.incumbents.iter().map(|g| g.rows.len() + 1).sum(),
            MarketSection::Expiring => m.expiring.len(),
            MarketSection::Record => m.record.lost_to.len(),
            MarketSection::Buyer => m.buyer.as_ref().map_or(0, |b| b.awards.len() + b.notices.len() + 2),
        }
    }

    /// `b`: the history of the selected notice's buyer, on the Market screen.
    pub(crate) fn show_buyer_history(&mut self) {
        let Some(record) = self.selected_record() else {
            self.status = Some(info("No notice selected: b shows its buyer's history".to_owned()));
            return;
        };
        let notice = &record.notice;
        if notice.buyer.trim().is_empty() && notice.buyer_id.is_none() {
            self.status = Some(info("This notice names no buyer".to_owned()));
            return;
        }
        self.market.buyer = Some(BuyerHistory {
            name: notice.buyer.clone(),
            org_id: notice.buyer_id.as_deref().map(str::to_owned),
            from: notice.id.clone(),
            key: BuyerKey::new(&notice.buyer, notice.buyer_id.as_deref()),
            awards: Vec::new(),
            notices: Vec::new(),
            winners: Vec::new(),
        });
        self.market.section = MarketSection::Buyer;
        self.market.scroll = 0;
        self.market.stale = true;
        self.screen.mode = Mode::Market;
    }

    /// Derives the Market screen's views when something changed and the screen is open: not per
    /// frame, and not while nobody looks at it.
    pub(crate) fn refresh_market(&mut self) {
        if self.screen.mode != Mode::Market || !self.market.stale {
            return;
        }
        self.market.stale = false;
        let today = self.now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let market = &mut self.market;
        let (records, by_id) = (&self.records.rows, &self.records.by_id);
        let linked_record = |a: &StoredAward| {
            a.link
                .as_ref()
                .and_then(|l| by_id.get(&l.competition))
                .map(|&i| &records[i])
        };
        let mut in_space: Vec<usize> = Vec::new();
        let mut profiles: Vec<Vec<String>> = vec![Vec::new(); market.awards.len()];
        let mut linked: HashMap<&NoticeId, Vec<&StoredAward>> = HashMap::new();
        for (i, stored) in market.awards.iter().enumerate() {
            let fit = market.fit.get(&stored.award.notice_id);
            let competition = linked_record(stored);
            if let Some(link) = &stored.link {
                linked.entry(&link.competition).or_default().push(stored);
            }
            let own = fit.is_some_and(|f| f.matched);
            let via_link = competition.is_some_and(|r| r.relevance.matched);
            if own || via_link {
                in_space.push(i);
                profiles[i] = match fit.filter(|f| !f.profiles.is_empty()) {
                    Some(f) => f.profiles.clone(),
                    None => competition.map(|r| r.relevance.profiles.clone()).unwrap_or_default(),
                };
            }
        }
        let awards = &market.awards;
        let newest_first = |a: &usize, b: &usize| {
            let (x, y) = (&awards[*a].award, &awards[*b].award);
            award_day(y)
                .cmp(&award_day(x))
                .then_with(|| x.notice_id.cmp(&y.notice_id))
                .then_with(|| x.lot_id.cmp(&y.lot_id))
                .then(x.seq.cmp(&y.seq))
        };
        in_space.sort_by(newest_first);
        let incumbents = incumbents(in_space.iter().map(|&i| (&awards[i], profiles[i].as_slice())));
        let mut expiring: Vec<usize> = in_space
            .iter()
            .copied()
            .filter(|&i| awards[i].award.is_awarded() && awards[i].end.is_some_and(|e| e.end >= today))
            .collect();
        expiring.sort_by_key(|&i| (awards[i].end.map(|e| e.end), i));
        let mut record = OwnRecord::default();
        for r in records {
            if matches!(
                r.triage,
                Triage::Bidding | Triage::Submitted | Triage::Won | Triage::Lost
            ) {
                record.count(r.triage, linked.get(&r.notice.id).map_or(&[], Vec::as_slice));
            }
        }
        record.finish();
        let buyer = market.buyer.take().map(|mut history| {
            let key = &history.key;
            let mut rows: Vec<usize> = (0..awards.len())
                .filter(|&i| key.matches(&awards[i].award.buyer, awards[i].award.buyer_id.as_deref()))
                .collect();
            rows.sort_by(newest_first);
            let mut winners: Vec<(String, usize)> = Vec::new();
            for &i in &rows {
                let award = &awards[i].award;
                if let Some(winner) = award.winner_name.as_deref().filter(|_| award.is_awarded()) {
                    match winners.iter_mut().find(|(w, _)| w == winner) {
                        Some((_, n)) => *n += 1,
                        None => winners.push((winner.to_owned(), 1)),
                    }
                }
            }
            winners.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            // Many notices share a buyer: each distinct name and id is folded and compared once.
            let mut seen: HashMap<(&str, Option<&str>), bool> = HashMap::new();
            let mut notices: Vec<&NoticeRecord> = records
                .iter()
                .filter(|r| {
                    let buyer = (r.notice.buyer.as_str(), r.notice.buyer_id.as_deref());
                    *seen.entry(buyer).or_insert_with(|| key.matches(buyer.0, buyer.1))
                })
                .collect();
            notices.sort_by(|a, b| {
                b.notice
                    .published
                    .cmp(&a.notice.published)
                    .then_with(|| a.notice.id.cmp(&b.notice.id))
            });
            history.awards = rows;
            history.notices = notices.into_iter().map(|r| r.notice.id.clone()).collect();
            history.winners = winners;
            history
        });
        market.in_space = in_space;
        market.incumbents = incumbents;
        market.expiring = expiring;
        market.record = record;
        market.buyer = buyer;
    }
}

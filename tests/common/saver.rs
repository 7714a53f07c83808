//! The store's side of a poll, for tests that drive the core: a real in-memory [`Store`] answers the
//! core's `SaveFetch` (and `SaveAwards`) as the store thread does, so what the core lists is what a
//! store decided.

use anbud::app::{AppState, Effect, Msg};
use anbud::feeds::{FeedEvent, Scored};
use anbud::model::NoticeRecord;
use anbud::runtime::store_effects::store_command;
use anbud::store::{Store, execute};
use jiff::Timestamp;

/// A feed's successful answer with `notices`, fetched at [`super::now`].
pub fn fetched(feed: &str, notices: Vec<Scored>) -> FeedEvent {
    FeedEvent::Fetched {
        feed: feed.to_owned(),
        notices,
        at: super::now(),
        next_at: super::now(),
        warnings: Vec::new(),
        state: Default::default(),
    }
}

/// A real store answering the core's saves.
pub struct Saver {
    /// The database, open for inspection.
    pub store: Store,
}

impl Saver {
    /// An empty database.
    pub fn empty() -> Saver {
        Saver {
            store: Store::open_in_memory().expect("in-memory store"),
        }
    }

    /// A database holding the notices of `records` (saved a day before [`super::now`]), as the
    /// dashboard's own database holds what it shows.
    pub fn holding(records: &[NoticeRecord]) -> Saver {
        let mut saver = Saver::empty();
        let items: Vec<Scored> = records
            .iter()
            .map(|r| (r.notice.clone(), r.relevance.clone()))
            .collect();
        let before: Timestamp = "2026-11-21T12:00:00Z".parse().expect("valid");
        saver.store.upsert_notices(&items, before).expect("stored");
        saver
    }

    /// The core handles `event`; each `SaveFetch` it asks for is saved and answered. Returns every
    /// other effect, in order (the feed's, then those of the store's answers).
    pub fn poll(&mut self, state: &mut AppState, event: FeedEvent) -> Vec<Effect> {
        let effects = state.update(Msg::Feed(event));
        self.answer(state, effects)
    }

    /// Saves and answers the `SaveFetch` effects among `effects`; returns the others, with what the
    /// answers asked for.
    pub fn answer(&mut self, state: &mut AppState, effects: Vec<Effect>) -> Vec<Effect> {
        let mut rest = Vec::new();
        for effect in effects {
            match effect {
                // The store's answers to a poll; the other effects are the caller's to check.
                effect @ (Effect::SaveFetch { .. } | Effect::SaveAwards { .. }) => {
                    let cmd = store_command(effect, Timestamp::now()).expect("a store effect");
                    let answer = execute(&mut self.store, cmd);
                    let more = state.update(Msg::Store(answer));
                    rest.extend(self.answer(state, more));
                }
                other => rest.push(other),
            }
        }
        rest
    }
}

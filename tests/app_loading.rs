//! Progressive start-up: the first frame from the best-scored notices, the rest merged when the
//! store has read them, polls held back until then.

mod common;

use anbud::app::{AppState, Effect, Msg, View};
use anbud::feeds::FeedEvent;
use anbud::store::{Store, StoreEvent};
use common::{notice, now};

fn fetched(items: Vec<(anbud::model::Notice, anbud::model::Relevance)>) -> Msg {
    Msg::Feed(FeedEvent::Fetched {
        feed: "TED".to_owned(),
        notices: items,
        at: now(),
        next_at: now(),
        warnings: Vec::new(),
        state: Default::default(),
    })
}

#[test]
fn polls_wait_for_the_rest_and_stored_notices_are_not_new() {
    let best = vec![notice("ted:1").title("Trygghetsalarmer").score(20).build()];
    let mut state = AppState::new(best, &["TED".to_owned()], now())
        .loading_rest()
        .with_notifications(Some(5));
    assert!(state.is_loading());
    assert_eq!(state.count(View::All), 1);
    // ted:2 is stored but not loaded yet; ted:3 is really new.
    let stored = notice("ted:2").title("Røntgen").score(9).build();
    let fresh = notice("ted:3").title("Medisindispenser").score(8).build();
    let poll = vec![
        (stored.notice.clone(), stored.relevance.clone()),
        (fresh.notice.clone(), fresh.relevance.clone()),
    ];
    assert!(state.update(fetched(poll)).is_empty(), "held back while loading");
    assert_eq!(state.count(View::All), 1);

    let effects = state.update(Msg::Store(StoreEvent::Loaded(Ok(vec![
        notice("ted:1").title("Trygghetsalarmer").score(20).build(),
        stored,
    ]))));
    assert!(!state.is_loading());
    assert_eq!(state.count(View::All), 3);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveFetch { items, .. } if items.len() == 2))
    );
    let alerts: Vec<&Effect> = effects.iter().filter(|e| matches!(e, Effect::Notify { .. })).collect();
    assert_eq!(
        alerts,
        [&Effect::Notify {
            summary: "anbud: new TED notice, score 8".to_owned(),
            body: "Medisindispenser — Oslo kommune".to_owned(),
        }],
        "only the really new notice is announced"
    );
}

#[test]
fn a_failed_load_keeps_the_first_part_and_says_so() {
    let mut state = AppState::new(vec![notice("ted:1").score(9).build()], &[], now()).loading_rest();
    state.update(Msg::Store(StoreEvent::Loaded(Err("disk I/O error".to_owned()))));
    assert!(!state.is_loading());
    let status = state.status().expect("message").text.clone();
    assert!(
        status.contains("disk I/O error") && status.contains("best 1"),
        "{status}"
    );
}

#[test]
fn the_store_hands_out_the_best_scored_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("a.db")).expect("open");
    let items: Vec<_> = (1..=50)
        .map(|n| {
            let r = notice(&format!("ted:{n}")).score(n % 17).build();
            (r.notice, r.relevance)
        })
        .collect();
    store.upsert_notices(&items, now()).expect("upsert");
    let best = store.load_best(5).expect("best");
    let scores: Vec<i32> = best.iter().map(|r| r.relevance.score).collect();
    assert_eq!(scores, [16, 16, 16, 15, 15]);
    assert_eq!(store.load_records().expect("all").len(), 50);
}

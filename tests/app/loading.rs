//! Progressive start-up: the first frame from the best-scored notices, the rest merged when the
//! store has read them; polls meanwhile are decided by the store, against the whole database.

use crate::common;

use anbud::app::{AppState, Effect, Msg, SourceStatus, View};
use anbud::store::{Store, StoreEvent};
use common::{notice, now};

#[test]
fn a_poll_while_loading_is_decided_by_the_store_so_stored_notices_are_not_new() {
    let one = notice("ted:1").title("Trygghetsalarmer").score(20).build();
    // ted:2 is stored but not loaded yet; ted:3 is really new.
    let stored = notice("ted:2").title("Røntgen").score(9).build();
    let fresh = notice("ted:3").title("Medisindispenser").score(8).build();
    let mut saver = common::saver::Saver::holding(&[one.clone(), stored.clone()]);
    let mut state = AppState::new(vec![one], &["TED".to_owned()], now())
        .loading_rest()
        .with_notifications(Some(5));
    assert!(state.is_loading());
    assert_eq!(state.count(View::All), 1);
    let poll = vec![
        (stored.notice.clone(), stored.relevance.clone()),
        (fresh.notice.clone(), fresh.relevance.clone()),
    ];
    let effects = saver.poll(&mut state, common::saver::fetched("TED", poll));
    assert_eq!(
        effects,
        [Effect::Notify {
            summary: "anbud: new TED notice, score 8".to_owned(),
            body: "Medisindispenser — Oslo kommune".to_owned(),
        }],
        "only the really new notice is announced"
    );
    // The new one is listed at once; the stored one comes with the rest, with its decisions.
    assert_eq!(state.count(View::All), 2);
    assert!(matches!(state.sources()[0].1, SourceStatus::Ok { new: 1, .. }));

    let rest = saver.store.load_records_without_descriptions().expect("load");
    assert!(state.update(Msg::Store(StoreEvent::Loaded(Ok(rest)))).is_empty());
    assert!(!state.is_loading());
    assert_eq!(state.count(View::All), 3);
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

/// Stores 4,500 notices scored 1.
fn store_4500(store: &mut Store) {
    let items: Vec<_> = (1..=4500)
        .map(|n| {
            let r = notice(&format!("ted:{n}")).score(1).build();
            (r.notice, r.relevance)
        })
        .collect();
    store.upsert_notices(&items, now()).expect("upsert");
}

/// A "profile" that scores by the length of the id, to see every notice changed.
fn by_id_length(n: &anbud::model::Notice) -> anbud::model::Relevance {
    anbud::model::Relevance {
        score: i32::try_from(n.native_id.len()).expect("small"),
        matched: true,
        ..anbud::model::Relevance::default()
    }
}

#[test]
fn a_changed_profile_rescores_every_stored_notice_in_batches_and_records_the_fingerprint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.db");
    let mut store = Store::open(&path).expect("open");
    store_4500(&mut store);
    assert_eq!(store.scored_with().expect("meta"), None);
    let score = by_id_length;
    let mut batches = Vec::new();
    let mut sent = |batch: Vec<_>| {
        batches.push(batch);
        true
    };
    let total = anbud::store::sqlite::rescore_all(&path, &score, "fp-1", &mut sent).expect("rescore");
    assert_eq!(total, 4500);
    // Saved 2,000 at a time, sent to the dashboard 500 at a time (one frame each).
    assert_eq!(batches.iter().map(Vec::len).collect::<Vec<_>>(), [500; 9]);
    assert_eq!(store.scored_with().expect("meta").as_deref(), Some("fp-1"));
    let records = store.load_records().expect("load");
    assert!(
        records
            .iter()
            .all(|r| r.relevance.score == i32::try_from(r.notice.native_id.len()).expect("small"))
    );

    // The core applies the batches as they come, also while the rest is loading: the store answers
    // in the order it works, so the rest it loads afterwards already holds these scores.
    let first = records
        .iter()
        .find(|r| r.notice.native_id == "1")
        .expect("ted:1")
        .clone();
    let mut stale = first.clone();
    stale.relevance.score = 99;
    let mut state = AppState::new(vec![stale], &[], now()).loading_rest();
    state.update(Msg::Rescored {
        batch: vec![(first.notice.id.clone(), first.relevance.clone())],
        done: Some(Ok(1)),
    });
    state.update(Msg::ClickView(View::All));
    let score_shown = |state: &AppState| state.visible().first().map(|row| state.record(row).relevance.score);
    assert_eq!(score_shown(&state), Some(first.relevance.score));
    let status = state.status().expect("status").text.clone();
    assert!(status.contains("Re-scored 1 saved notice with"), "{status}");
    state.update(Msg::Store(StoreEvent::Loaded(Ok(vec![first.clone()]))));
    assert_eq!(score_shown(&state), Some(first.relevance.score));
}

#[test]
fn the_records_on_screen_keep_their_state_when_the_rest_arrives() {
    let best = vec![notice("ted:1").title("Trygghetsalarmer").score(20).build()];
    let mut state = AppState::new(best, &["TED".to_owned()], now()).loading_rest();
    // Decided on screen while the store was reading: the loaded copy of ted:1 predates that.
    state.update(Msg::Action(anbud::app::Action::SelectFirst));
    let effects = state.update(Msg::Action(anbud::app::Action::Shortlist));
    let change = effects
        .iter()
        .find_map(|e| match e {
            Effect::SaveTriage { change, .. } => Some(change.clone()),
            _ => None,
        })
        .expect("a triage write");
    state.update(Msg::Store(StoreEvent::TriageSaved(change)));

    state.update(Msg::Store(StoreEvent::Loaded(Ok(vec![
        notice("ted:2").title("Røntgen").score(9).build(),
        notice("ted:1").title("Trygghetsalarmer").score(20).build(),
        notice("ted:3").title("Senger").score(1).build(),
    ]))));
    assert_eq!(state.count(View::All), 3);
    assert_eq!(state.count(View::Shortlist), 1, "the decision made on screen is kept");
    state.update(Msg::ClickView(View::Shortlist));
    state.update(Msg::Action(anbud::app::Action::SelectFirst));
    let first = state.selected_record().expect("selected");
    assert_eq!(first.notice.id.as_str(), "ted:1");
    assert_eq!(first.triage, anbud::model::Triage::Shortlisted);
}

#[test]
fn the_store_thread_rescores_in_batches_and_serves_triage_writes_in_between() {
    use anbud::model::{DecisionKind, NoticeId, Triage, TriageChange};
    use anbud::store::{ScoreFn, StoreCommand, StoreHandle};
    // In memory: nothing but the store thread can reach this database, so the re-score cannot
    // be running on a connection of its own.
    let mut store = Store::open_in_memory().expect("open");
    store_4500(&mut store);
    // Room for one event: the thread waits inside the first batch until the test reads.
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let handle = StoreHandle::spawn(store, tx);
    handle
        .send(StoreCommand::Rescore {
            score: ScoreFn(std::sync::Arc::new(by_id_length)),
            fingerprint: "fp-2".to_owned(),
        })
        .expect("send");
    // The re-score has begun (and waits to send its second message): the write is queued now.
    let Some(StoreEvent::Rescored {
        batch: first,
        done: None,
    }) = rx.blocking_recv()
    else {
        panic!("expected the first re-scored notices")
    };
    let mut seen = vec![first.len().to_string()];
    let change = TriageChange {
        id: NoticeId("ted:4321".to_owned()),
        from: Triage::New,
        to: Triage::Shortlisted,
    };
    handle
        .send(StoreCommand::SaveTriage {
            change: change.clone(),
            kind: DecisionKind::Do,
            batch: 1,
            at: now(),
        })
        .expect("send");
    let total = loop {
        match rx.blocking_recv().expect("an event") {
            StoreEvent::Rescored { batch, done: None } => seen.push(batch.len().to_string()),
            StoreEvent::Rescored { done: Some(done), .. } => break done.expect("re-scored"),
            StoreEvent::TriageSaved(saved) => {
                assert_eq!(saved, change);
                seen.push("triage".to_owned());
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(total, 4500);
    // 500 notices a message (one frame each); the write is committed after the first batch of
    // 2,000, not after the whole re-score.
    let mut expected = vec!["500"; 4];
    expected.push("triage");
    expected.extend(["500"; 5]);
    assert_eq!(seen, expected);

    handle.send(StoreCommand::LoadAll).expect("send");
    let Some(StoreEvent::Loaded(Ok(records))) = rx.blocking_recv() else {
        panic!("expected the records")
    };
    assert_eq!(records.len(), 4500);
    assert!(
        records
            .iter()
            .all(|r| r.relevance.score == i32::try_from(r.notice.native_id.len()).expect("small"))
    );
    let shortlisted: Vec<&str> = records
        .iter()
        .filter(|r| r.triage == Triage::Shortlisted)
        .map(|r| r.notice.id.as_str())
        .collect();
    assert_eq!(shortlisted, ["ted:4321"]);
    handle.shutdown();
}

//! The runtime tells the poller how each poll's save went, and that message cannot be lost: not
//! even when the poller's command queue is full of refreshes.

use std::time::Duration;

use anbud::app::{AppState, Effect, Msg};
use anbud::config::{self, FeedConfig, FeedKind};
use anbud::demo::{self, server::LoopbackServer};
use anbud::feeds::FeedEvent;
use anbud::runtime::Io;
use anbud::store::{StatusFilter, Store, StoreEvent};
use jiff::Timestamp;
use tokio::time::timeout;

const PATH: &str = "/v3/notices/search";

/// The `publication-date>=` day of each first-page TED query the server saw.
fn query_dates(server: &LoopbackServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter_map(anbud::demo::server::RecordedRequest::body_json)
        .filter(|body| body.get("iterationNextToken").is_none())
        .filter_map(|body| {
            let query = body["query"].as_str()?.to_owned();
            // The first page of each poll's competition search, not its award search.
            if query.starts_with("form-type=result") {
                return None;
            }
            Some(query.split("publication-date>=").nth(1)?[..8].to_owned())
        })
        .collect()
}

/// The next message from the runtime's services (a hang guard, not a timing assumption).
async fn next(io: &mut Io) -> Msg {
    timeout(Duration::from_secs(10), io.recv())
        .await
        .expect("a message within 10 s")
        .expect("services alive")
}

// One thread: the poller runs only while this test awaits, so the refreshes below stay queued.
#[tokio::test(flavor = "current_thread")]
async fn a_failed_save_reaches_the_poller_even_with_its_command_queue_full() {
    let server = LoopbackServer::start(demo::ted_demo_routes(PATH))
        .await
        .expect("server");
    let mut config = config::load(None).expect("bundled config");
    config.feeds = vec![FeedConfig::new("TED", FeedKind::Ted, &server.base_url())];
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("saves.db");
    let store = Store::open(&db).expect("open");
    // The disk is "full" for the feed's sync state: the first save fails and writes nothing.
    let raw = rusqlite::Connection::open(&db).expect("raw connection");
    raw.execute_batch(
        "CREATE TRIGGER full_disk BEFORE INSERT ON feed_state BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
    )
    .expect("trigger");
    let mut core = AppState::new(Vec::new(), &["TED".to_owned()], Timestamp::now());
    let mut io = Io::start(&config, store).expect("services start");

    let saves = loop {
        let msg = next(&mut io).await;
        let fetched = matches!(msg, Msg::Feed(FeedEvent::Fetched { .. }));
        let effects = core.update(msg);
        if fetched {
            break effects;
        }
        io.perform(effects);
    };
    assert!(saves.iter().any(|e| matches!(e, Effect::SaveFetch { .. })));
    io.perform(saves);
    // Far more refreshes than the queue holds; the poller cannot take any while this thread is
    // blocked below.
    io.perform(vec![Effect::RefreshAll; 50]);
    // Wait for the store's answer without letting the poller run (futures' executor, not tokio's).
    let answer = futures::executor::block_on(io.recv()).expect("services alive");
    assert!(
        matches!(&answer, Msg::Store(StoreEvent::FetchNotSaved { error, .. }) if error.contains("disk is full")),
        "{answer:?}"
    );
    io.perform(core.update(answer));
    raw.execute_batch("DROP TRIGGER full_disk").expect("drop trigger");

    // The queued refresh polls again: from the lookback, as nothing was saved, not from the
    // failed poll's start.
    loop {
        let msg = next(&mut io).await;
        let saved = matches!(msg, Msg::Store(StoreEvent::FetchSaved { .. }));
        let effects = core.update(msg);
        io.perform(effects);
        if saved {
            break;
        }
    }
    io.shutdown().await;
    let dates = query_dates(&server);
    assert_eq!(dates.len(), 2, "{dates:?}");
    assert_eq!(dates[0], dates[1], "both polls read the whole lookback");
    let state = Store::open(&db)
        .expect("reopen")
        .feed_state("TED")
        .expect("read")
        .expect("saved");
    assert!(state.high_water.is_some());
    let stored = Store::open(&db)
        .expect("reopen")
        .records(StatusFilter::All)
        .expect("read");
    assert_eq!(
        stored.len(),
        16,
        "every notice of the lost save, saved by the second poll"
    );
}

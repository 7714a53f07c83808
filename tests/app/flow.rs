//! The runtime driven headless: the real poller, store thread and event loop against the demo's
//! loopback server, scripted keys in, the final frame out. Synchronised on the database, not on sleeps.

use crate::common;

use std::io;
use std::time::Duration;

use anbud::app::Keymap;
use anbud::app::{Action, Effect, Msg};
use anbud::config::{self, FeedConfig, FeedKind, FeedSettings};
use anbud::demo::{self, server::LoopbackServer};
use anbud::model::{DecisionKind, NoticeId, Triage, TriageChange};
use anbud::runtime::{self, Startup};
use anbud::store::{StatusFilter, Store};
use anbud::ui::{self, RenderContext, Theme, ViewState};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

fn key(code: KeyCode) -> io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Polls a fresh read connection until `done` holds; a hang guard, not a timing assumption.
async fn wait_for_db(path: &std::path::Path, done: impl Fn(&Store) -> bool) {
    for _ in 0..1000 {
        if Store::open(path).is_ok_and(|store| done(&store)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("database never reached the expected state");
}

#[tokio::test(flavor = "multi_thread")]
async fn poll_shortlist_and_quit_persists_and_shows_the_decision() {
    let server = LoopbackServer::start(demo::ted_demo_routes("/v3/notices/search"))
        .await
        .expect("server");
    let mut config = config::load(None).expect("bundled config");
    let feed = FeedConfig::with(
        "TED",
        &server.base_url(),
        FeedSettings::Ted {
            path: None,
            countries: vec!["NOR".to_owned()],
        },
    );
    config.feeds = vec![feed];
    let exports = tempfile::tempdir().expect("tempdir");
    config.export_dir = exports.path().to_path_buf();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("flow.db");
    let mut store = Store::open(&db).expect("open store");
    // One notice saved by an earlier session: on screen from the first frame. The polled ones are
    // listed when the store's answer reaches the core, which may be after the test sees them in
    // the database, so the keys below must not depend on them.
    store
        .upsert_notices(&[common::notice("ted:1").score(9).scored()], Timestamp::now())
        .expect("seed");
    // The binary's own start-up sequence.
    let (mut core, mut io) = Startup::prepare(&config, store, Timestamp::now())
        .expect("store reads")
        .start(&config)
        .expect("services start");
    let (keys, rx) = mpsc::unbounded_channel();
    let input = Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    }));
    let mut terminal = Terminal::new(TestBackend::new(120, 24)).expect("terminal");
    let (theme, keymap, tz) = (Theme::new(false), Keymap::default(), jiff::tz::TimeZone::UTC);
    let ctx = RenderContext {
        theme: &theme,
        keymap: &keymap,
        tz: &tz,
    };

    let driver = async {
        wait_for_db(&db, |s| s.records(StatusFilter::All).map_or(0, |r| r.len()) >= 15).await;
        // All tab (Shift-Tab from the Inbox), first row, shortlist.
        keys.send(key(KeyCode::BackTab)).expect("send");
        keys.send(key(KeyCode::Char('s'))).expect("send");
        wait_for_db(&db, |s| {
            s.records(StatusFilter::Shortlisted).map_or(0, |r| r.len()) == 1
        })
        .await;
        drop(keys); // end of input ends the loop
    };
    let (result, ()) = tokio::join!(
        runtime::run(&mut terminal, input, &mut core, &mut io, &keymap, ctx),
        driver
    );
    result.expect("event loop ends cleanly");
    // The store has committed; let its confirmation reach the core before the last frame.
    while core.has_pending() {
        let msg = io.recv().await.expect("background services alive");
        core.update(msg);
    }
    io.shutdown().await;

    terminal
        .draw(|f| ui::render(f, &core, &mut ViewState::default(), ctx))
        .expect("draw");
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("Shortlist 1"), "{screen}");
    assert!(screen.contains('★'), "{screen}");
    let shortlisted = Store::open(&db)
        .expect("reopen")
        .records(StatusFilter::Shortlisted)
        .expect("read");
    assert_eq!(shortlisted.len(), 1);
    assert_eq!(shortlisted[0].triage, Triage::Shortlisted);
    assert_eq!(server.requests().len(), 4, "three pages polled, then the award search");
}

/// What a restart reads before the first frame, through the binary's own `Startup`: the decisions
/// log, so `u` undoes a decision of the last session.
#[test]
fn startup_resumes_the_last_sessions_decisions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("restart.db");
    let shortlisted = TriageChange {
        id: NoticeId::new("ted", "1"),
        from: Triage::New,
        to: Triage::Shortlisted,
    };
    {
        let mut store = Store::open(&db).expect("open");
        store
            .upsert_notices(&[common::notice("ted:1").scored()], common::now())
            .expect("upsert");
        store.save_triage(&shortlisted, common::now()).expect("decide");
    }
    let mut config = config::load(None).expect("bundled config");
    config.feeds = vec![FeedConfig::new("TED", FeedKind::Ted, "http://127.0.0.1:9")];
    let store = Store::open(&db).expect("reopen");
    let mut core = Startup::prepare(&config, store, common::now())
        .expect("store reads")
        .core;
    assert!(!core.is_loading(), "one notice fits the first screen");
    let effects = core.update(Msg::Action(Action::Undo));
    let undone: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveTriage { change, kind, .. } => Some((change.clone(), *kind)),
            _ => None,
        })
        .collect();
    assert_eq!(undone, [(shortlisted.reversed(), DecisionKind::Undo)]);
}

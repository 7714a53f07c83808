//! The offline demo shows what anbud is for: its recorded notices are served with their dates
//! moved to today, so matched notices are open and close within days, the feeds look fresh, and a
//! new demo database starts without a re-score to report.

use crate::common;

use std::time::Duration;

use anbud::app::sources::SourceSetting;
use anbud::app::{AppState, Msg, View};
use anbud::demo::all_demo_routes;
use anbud::demo::server::LoopbackServer;
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::poller::{PollPlan, fetch_and_score};
use anbud::feeds::{FeedEvent, Scored};
use anbud::model::NoticeRecord;
use anbud::store::Store;
use jiff::{SignedDuration, Timestamp};

/// Every demo feed polled once, as the dashboard's first poll does: (feed, source, notices).
async fn poll_the_demo() -> Vec<(String, String, Vec<Scored>)> {
    let server = LoopbackServer::start(all_demo_routes()).await.expect("server starts");
    let mut config = anbud::config::load(None).expect("bundled config");
    config.feeds = anbud::cli::demo::demo_feeds(&server.base_url());
    let fetcher = HttpFetcher::new(HttpSettings::default()).expect("client");
    let scorer = anbud::runtime::scorer(&config).expect("profile compiles");
    let since = Timestamp::now() - SignedDuration::from_hours(24 * 14);
    let mut polled = Vec::new();
    for spec in anbud::runtime::feed_specs(&config) {
        let fetched = fetch_and_score(&fetcher, &spec, &PollPlan::from(since), scorer.clone())
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        polled.push((spec.name.clone(), spec.adapter.kind().to_owned(), fetched.scored));
    }
    polled
}

fn fetched(feed: &str, notices: Vec<Scored>, at: Timestamp) -> FeedEvent {
    FeedEvent::Fetched {
        feed: feed.to_owned(),
        notices,
        at,
        next_at: at + SignedDuration::from_mins(15),
        warnings: Vec::new(),
        state: Default::default(),
    }
}

fn settings(polled: &[(String, String, Vec<Scored>)]) -> Vec<SourceSetting> {
    polled
        .iter()
        .map(|(feed, source, _)| SourceSetting {
            feed: feed.clone(),
            source: source.clone(),
            last_success: None,
        })
        .collect()
}

#[tokio::test]
async fn matched_demo_notices_are_open_and_close_within_days() {
    let polled = poll_the_demo().await;
    let now = Timestamp::now();
    let days = |n: i64| now + SignedDuration::from_hours(24 * n);
    let closing: Vec<(String, Timestamp)> = polled
        .iter()
        .flat_map(|(_, _, notices)| notices)
        .filter(|(_, relevance)| relevance.matched)
        .filter_map(|(notice, _)| notice.deadline.map(|d| (notice.title.clone(), d)))
        .filter(|(_, d)| *d > days(1) && *d <= days(21))
        .collect();
    assert!(closing.len() >= 3, "{closing:#?}");
    assert!(
        closing.iter().any(|(_, d)| *d <= days(7)),
        "one closes within the week (red, Closing soon): {closing:#?}"
    );
    // Every date of a notice moved together: none is published after its own deadline unless
    // it was recorded so (an award), and nothing is published in the future.
    for (notice, _) in polled.iter().flat_map(|(_, _, n)| n) {
        assert!(notice.published.is_none_or(|p| p <= now), "{notice:?}");
    }
}

#[tokio::test]
async fn a_fresh_demo_shows_open_notices_no_stale_feed_and_no_empty_rescore() {
    let polled = poll_the_demo().await;
    let now = Timestamp::now();
    let names: Vec<String> = polled.iter().map(|(feed, ..)| feed.clone()).collect();
    let stale_after = Duration::from_secs(3 * 86_400);
    let mut state = AppState::new(Vec::new(), &names, now).with_source_settings(&settings(&polled), stale_after);
    // A new database re-scores nothing; the dashboard must not announce it.
    state.update(Msg::Rescored {
        batch: Vec::new(),
        done: Some(Ok(0)),
    });
    let mut saver = common::saver::Saver::empty();
    for (feed, _, notices) in &polled {
        saver.poll(&mut state, fetched(feed, notices.clone(), now));
    }
    assert!(state.count(View::ClosingSoon) >= 1);
    assert!(state.count(View::Inbox) >= 5, "{}", state.count(View::Inbox));
    let health = state.source_health();
    assert!(health.iter().all(|h| h.stale.is_none()), "{health:#?}");
    assert!(
        state.status().is_none_or(|s| !s.text.contains("Re-scored")),
        "{:?}",
        state.status()
    );

    // Next session on the same database (`demo --db FILE`): the polls bring nothing new, and the
    // stored publication dates still show live feeds.
    let records: Vec<NoticeRecord> = polled
        .iter()
        .flat_map(|(_, _, n)| n.iter().cloned())
        .map(|(notice, relevance)| NoticeRecord::new(notice, relevance))
        .collect();
    let mut again = AppState::new(records, &names, now).with_source_settings(&settings(&polled), stale_after);
    for (feed, _, notices) in &polled {
        saver.poll(&mut again, fetched(feed, notices.clone(), now));
    }
    let health = again.source_health();
    assert!(health.iter().all(|h| h.stale.is_none()), "{health:#?}");
}

#[test]
fn a_new_database_adopts_the_profiles_and_a_used_one_keeps_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("demo.db")).expect("opens");
    assert!(store.adopt_profiles_if_empty("fp-1").expect("writes"));
    assert_eq!(store.scored_with().expect("reads").as_deref(), Some("fp-1"));
    let (notice, relevance) = common::notice("ted:1").scored();
    store
        .save_fetch("TED", &[(notice, relevance)], &Default::default(), Timestamp::now())
        .expect("saves");
    assert!(!store.adopt_profiles_if_empty("fp-2").expect("writes"));
    assert_eq!(store.scored_with().expect("reads").as_deref(), Some("fp-1"));
}

/// A demo database keeps the day it was made: a later session serves the same dates, so nothing
/// shows as changed merely because a day passed.
#[test]
fn a_demo_database_keeps_its_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    let first: jiff::civil::Date = "2026-12-03".parse().expect("date");
    let later: jiff::civil::Date = "2026-12-10".parse().expect("date");
    let mut store = Store::open(&path).expect("opens");
    assert_eq!(store.demo_day(first).expect("writes"), first);
    drop(store);
    let mut store = Store::open(&path).expect("reopens");
    assert_eq!(store.demo_day(later).expect("reads"), first);
}

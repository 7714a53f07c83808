//! The sources panel (`F`) and the status line's pointer to it, rendered into a `TestBackend`.

use crate::common;

use std::time::Duration;

use anbud::app::sources::SourceSetting;
use anbud::app::{Action, AppState, Msg};
use anbud::feeds::{FeedError, FeedEvent, Scored};
use anbud::model::{FeedState, NoticeRecord};
use common::screen::draw;
use common::{notice, now};
use jiff::{SignedDuration, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn minutes(by: i64) -> Timestamp {
    now().checked_add(SignedDuration::from_mins(by)).expect("in range")
}

fn published(id: &str, at: &str) -> (NoticeRecord, Scored) {
    let mut record = notice(id).build();
    record.notice.published = Some(at.parse().expect("valid"));
    let scored = (record.notice.clone(), record.relevance.clone());
    (record, scored)
}

fn fetched(feed: &str, notices: Vec<Scored>, at: Timestamp, warnings: &[&str]) -> FeedEvent {
    FeedEvent::Fetched {
        feed: feed.to_owned(),
        notices,
        at,
        next_at: at.checked_add(SignedDuration::from_mins(15)).expect("in range"),
        warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
        state: FeedState::default(),
    }
}

const FEEDS: [(&str, &str); 4] = [
    ("TED", "ted"),
    ("Doffin", "doffin"),
    ("Find a Tender", "fts"),
    ("Kommune RSS", "rss"),
];

/// Four feeds in four states: TED fine, Doffin refusing its key, Find a Tender warned about, and
/// a municipal RSS feed that has gone quiet while TED brings notices.
fn mixed() -> AppState {
    let (ted_old, _) = published("ted:100", "2026-11-21T09:00:00Z");
    let (rss_old, rss_again) = published("rss:7", "2026-11-16T08:00:00Z");
    let names: Vec<String> = FEEDS.iter().map(|(name, _)| (*name).to_owned()).collect();
    let labels: Vec<SourceSetting> = FEEDS
        .iter()
        .map(|(feed, source)| SourceSetting {
            feed: (*feed).to_owned(),
            source: (*source).to_owned(),
            last_success: None,
        })
        .collect();
    let mut saver = common::saver::Saver::holding(&[ted_old.clone(), rss_old.clone()]);
    let mut state = AppState::new(vec![ted_old, rss_old], &names, minutes(-30))
        .with_source_settings(&labels, Duration::from_secs(3 * 86_400));

    let ted: Vec<Scored> = (1..=3)
        .map(|i| published(&format!("ted:{i}"), "2026-11-22T08:00:00Z").1)
        .collect();
    saver.poll(&mut state, fetched("TED", ted, minutes(-2), &[]));

    let refused = FeedError::Status {
        status: 401,
        detail: "Access denied due to invalid subscription key.".to_owned(),
    }
    .user_message("doffin");
    state.update(Msg::Feed(FeedEvent::Failed {
        feed: "Doffin".to_owned(),
        message: refused.clone(),
        at: minutes(-20),
        retry_at: minutes(-10),
    }));
    state.update(Msg::Feed(FeedEvent::Failed {
        feed: "Doffin".to_owned(),
        message: refused,
        at: minutes(-5),
        retry_at: minutes(10),
    }));

    let fts = vec![published("fts:ocds-b5fd17-1", "2026-11-22T06:00:00Z").1];
    saver.poll(
        &mut state,
        fetched(
            "Find a Tender",
            fts,
            minutes(-8),
            &["the server reported 1,204,331 results for a filtered query: it may have ignored a filter"],
        ),
    );
    saver.poll(&mut state, fetched("Kommune RSS", vec![rss_again], minutes(-4), &[]));
    state.update(Msg::ClockTicked(now()));
    state
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    terminal.backend().to_string()
}

#[test]
fn panel_at_80x24() {
    let mut state = mixed();
    state.update(Msg::Action(Action::ToggleSources));
    let terminal = draw(&state, 80, 24);
    let text = screen(&terminal);
    // The parts the user needs, whatever the wrapping.
    for needle in ["Doffin", "failing", "HTTP 401", "retry", "looks stale", "warning"] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn panel_at_120x40() {
    let mut state = mixed();
    // A fifth feed that cannot run: the room at 120x40 shows it too.
    state.update(Msg::Feed(FeedEvent::Inactive {
        feed: "Doffin (second key)".to_owned(),
        message: "no API key — set DOFFIN_KEY_2; free key from Doffin's API portal".to_owned(),
    }));
    state.update(Msg::Action(Action::ToggleSources));
    let terminal = draw(&state, 120, 40);
    let text = screen(&terminal);
    for needle in [
        "DOFFIN_API_KEY",
        "no new notices for 6 days while TED had 4 in the last 3 days",
        "ignored a filter",
        "3 new of 3 fetched",
        "set DOFFIN_KEY_2",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_status_line_points_at_the_panel_only_when_a_feed_needs_attention() {
    let troubled = screen(&draw(&mixed(), 120, 12));
    assert!(troubled.contains("F: sources"), "{troubled}");

    let names = vec!["TED".to_owned()];
    let mut healthy = AppState::new(Vec::new(), &names, now());
    common::saver::Saver::empty().poll(
        &mut healthy,
        fetched("TED", vec![published("ted:1", "2026-11-22T08:00:00Z").1], now(), &[]),
    );
    let fine = screen(&draw(&healthy, 120, 12));
    assert!(!fine.contains("F: sources"), "{fine}");
    assert!(fine.contains("? help"), "{fine}");
}

#[test]
fn a_short_terminal_says_that_the_panel_is_cut() {
    let mut state = mixed();
    state.update(Msg::Action(Action::ToggleSources));
    let text = screen(&draw(&state, 80, 14));
    assert!(text.contains("more lines: a taller terminal shows them"), "{text}");
    assert!(text.contains("TED  ok"), "{text}");
}

//! Source health through the core: feed events in, the sources panel's entries out.

use crate::common;

use std::time::Duration;

use anbud::app::sources::{HealthState, SourceHealth, SourceSetting};
use anbud::app::{Action, AppState, Keymap, Mode, Msg};
use anbud::feeds::{FeedError, FeedEvent, Scored};
use anbud::model::{FeedState, NoticeRecord};
use common::{notice, now};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};

fn at(text: &str) -> Timestamp {
    text.parse().expect("valid timestamp")
}

fn later(by_mins: i64) -> Timestamp {
    now().checked_add(SignedDuration::from_mins(by_mins)).expect("in range")
}

/// A stored record from `id` (`source:native`), published at `published`.
fn stored(id: &str, published: &str) -> NoticeRecord {
    let mut record = notice(id).build();
    record.notice.published = Some(at(published));
    record
}

/// A scored notice from `id`, published at `published`.
fn fetched(id: &str, published: &str) -> Scored {
    let (mut notice, relevance) = notice(id).scored();
    notice.published = Some(at(published));
    (notice, relevance)
}

fn success(feed: &str, notices: Vec<Scored>, when: Timestamp, warnings: &[&str]) -> FeedEvent {
    FeedEvent::Fetched {
        feed: feed.to_owned(),
        notices,
        at: when,
        next_at: when.checked_add(SignedDuration::from_mins(15)).expect("in range"),
        warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
        state: FeedState::default(),
    }
}

fn failure(feed: &str, message: String, when: Timestamp, retry_at: Timestamp) -> Msg {
    Msg::Feed(FeedEvent::Failed {
        feed: feed.to_owned(),
        message,
        at: when,
        retry_at,
    })
}

fn feeds() -> Vec<String> {
    ["TED", "Doffin"].map(str::to_owned).to_vec()
}

fn setting(feed: &str, source: &str) -> SourceSetting {
    SourceSetting {
        feed: feed.to_owned(),
        source: source.to_owned(),
        last_success: None,
    }
}

fn labels() -> Vec<SourceSetting> {
    vec![setting("TED", "ted"), setting("Doffin", "doffin")]
}

fn health(state: &AppState, feed: &str) -> SourceHealth {
    state
        .source_health()
        .into_iter()
        .find(|h| h.name == feed)
        .expect("feed in the health list")
}

#[test]
fn a_refused_doffin_key_shows_the_error_with_its_fix_when_it_failed_and_the_retry() {
    let mut state = AppState::new(Vec::new(), &feeds(), now());
    let message = FeedError::Status {
        status: 401,
        detail: "Access denied due to invalid subscription key.".to_owned(),
    }
    .user_message("doffin");
    state.update(Msg::Feed(FeedEvent::Started {
        feed: "Doffin".to_owned(),
        at: now(),
    }));
    assert_eq!(health(&state, "Doffin").state, HealthState::Polling);
    state.update(failure("Doffin", message.clone(), later(1), later(6)));
    state.update(failure("Doffin", message.clone(), later(6), later(16)));

    let doffin = health(&state, "Doffin");
    assert_eq!(doffin.state, HealthState::Failing);
    let last = doffin.last_failure.as_ref().expect("a last error");
    assert_eq!(last.message, message);
    assert!(last.message.contains("HTTP 401"), "{}", last.message);
    assert!(
        last.message.contains("the API key was refused: check DOFFIN_API_KEY"),
        "{}",
        last.message
    );
    assert_eq!(last.at, later(6));
    // The run of failures started at the first one; the next attempt is the last retry time given.
    assert_eq!(doffin.failing_since, Some(later(1)));
    assert_eq!(doffin.next_at, Some(later(16)));
    assert!(doffin.needs_attention());
    // Minutes of failing are not staleness yet.
    assert_eq!(doffin.stale, None);
    assert_eq!(health(&state, "TED").state, HealthState::Waiting);
}

#[test]
fn warnings_from_a_poll_that_worked_are_shown_until_a_clean_poll() {
    let mut saver = common::saver::Saver::empty();
    let mut state = AppState::new(Vec::new(), &feeds(), now());
    let warning = "Doffin reports 2,400,000 hits for a filtered query: it seems to have ignored a filter";
    let notices = vec![fetched("doffin:1", "2026-11-22T08:00:00Z")];
    saver.poll(&mut state, success("Doffin", notices, now(), &[warning]));
    let doffin = health(&state, "Doffin");
    assert_eq!(doffin.state, HealthState::Ok);
    assert_eq!(doffin.warnings, [warning]);
    assert!(doffin.needs_attention());

    saver.poll(&mut state, success("Doffin", Vec::new(), later(15), &[]));
    let doffin = health(&state, "Doffin");
    assert!(doffin.warnings.is_empty() && !doffin.needs_attention(), "{doffin:?}");
}

#[test]
fn a_feed_with_no_new_notices_for_days_while_another_has_them_looks_stale() {
    let records = vec![
        stored("ted:1", "2026-11-21T09:00:00Z"),
        stored("ted:2", "2026-11-22T07:00:00Z"),
        stored("doffin:1", "2026-11-17T10:00:00Z"),
        stored("doffin:2", "2026-11-16T10:00:00Z"),
    ];
    let mut saver = common::saver::Saver::holding(&records);
    let mut state =
        AppState::new(records, &feeds(), now()).with_source_settings(&labels(), Duration::from_secs(3 * 86_400));
    // Before any poll the stored notices already count for their feed.
    assert_eq!(health(&state, "Doffin").stored, 2);

    let ted = vec![
        fetched("ted:3", "2026-11-22T10:00:00Z"),
        fetched("ted:2", "2026-11-22T07:00:00Z"),
    ];
    saver.poll(&mut state, success("TED", ted, now(), &[]));
    // Doffin answers, but only with what it already sent.
    saver.poll(
        &mut state,
        success("Doffin", vec![fetched("doffin:1", "2026-11-17T10:00:00Z")], now(), &[]),
    );

    let ted = health(&state, "TED");
    assert_eq!(ted.stale, None);
    assert_eq!((ted.fetched, ted.new, ted.stored), (2, 1, 3));
    let doffin = health(&state, "Doffin");
    assert_eq!(doffin.state, HealthState::Ok);
    let stale = doffin.stale.as_deref().expect("Doffin looks stale");
    assert!(
        stale.starts_with("no new notices for 5 days while TED had 3 in the last 3 days"),
        "{stale}"
    );
    assert!(stale.contains("check the query or the API"), "{stale}");
    let last = doffin.last_success.expect("a success");
    assert_eq!((last.new, last.fetched), (0, 1));
}

#[test]
fn a_longer_stale_after_setting_keeps_the_same_feed_quiet() {
    let records = vec![
        stored("ted:1", "2026-11-22T07:00:00Z"),
        stored("doffin:1", "2026-11-17T10:00:00Z"),
    ];
    let mut saver = common::saver::Saver::holding(&records);
    let mut state =
        AppState::new(records, &feeds(), now()).with_source_settings(&labels(), Duration::from_secs(7 * 86_400));
    saver.poll(&mut state, success("TED", Vec::new(), now(), &[]));
    saver.poll(&mut state, success("Doffin", Vec::new(), now(), &[]));
    assert_eq!(health(&state, "Doffin").stale, None);
}

#[test]
fn the_source_label_is_learnt_from_fetched_notices_when_the_config_did_not_say() {
    let records = vec![stored("fts:old-1", "2026-11-01T10:00:00Z")];
    let mut saver = common::saver::Saver::holding(&records);
    let mut state = AppState::new(records, &["Find a Tender".to_owned()], now());
    assert_eq!(health(&state, "Find a Tender").stored, 0);
    saver.poll(
        &mut state,
        success(
            "Find a Tender",
            vec![fetched("fts:new-1", "2026-11-22T10:00:00Z")],
            now(),
            &[],
        ),
    );
    let fts = health(&state, "Find a Tender");
    assert_eq!((fts.stored, fts.fetched, fts.new), (2, 1, 1));
    assert_eq!(fts.newest_published, Some(at("2026-11-22T10:00:00Z")));
}

#[test]
fn failing_for_longer_than_stale_after_reads_as_no_successful_poll_for_days() {
    let mut saver = common::saver::Saver::empty();
    let mut state = AppState::new(Vec::new(), &feeds(), now());
    saver.poll(
        &mut state,
        success("TED", vec![fetched("ted:1", "2026-11-22T10:00:00Z")], now(), &[]),
    );
    let message = FeedError::Timeout(Duration::from_secs(30)).user_message("ted");
    state.update(failure("TED", message, later(15), later(20)));
    assert_eq!(health(&state, "TED").stale, None);

    let four_days = now().checked_add(SignedDuration::from_hours(96)).expect("in range");
    state.update(Msg::ClockTicked(four_days));
    let ted = health(&state, "TED");
    assert_eq!(ted.state, HealthState::Failing);
    let stale = ted.stale.as_deref().expect("stale after four days of failures");
    assert!(stale.starts_with("no successful poll for 4 days"), "{stale}");
    assert_eq!(ted.last_success.map(|s| s.at), Some(now()));
}

#[test]
fn an_inactive_feed_says_why_and_is_never_called_stale() {
    let records = vec![stored("ted:1", "2026-11-22T07:00:00Z")];
    let mut saver = common::saver::Saver::holding(&records);
    let mut state =
        AppState::new(records, &feeds(), now()).with_source_settings(&labels(), Duration::from_secs(3 * 86_400));
    saver.poll(&mut state, success("TED", Vec::new(), now(), &[]));
    let why = "no API key — set DOFFIN_API_KEY; free key from Doffin's API portal";
    state.update(Msg::Feed(FeedEvent::Inactive {
        feed: "Doffin".to_owned(),
        message: why.to_owned(),
    }));
    let doffin = health(&state, "Doffin");
    assert_eq!(doffin.state, HealthState::Inactive);
    assert_eq!(doffin.inactive.as_deref(), Some(why));
    assert_eq!((doffin.stale, doffin.next_at), (None, None));
}

#[test]
fn f_opens_the_panel_and_esc_q_or_f_close_it_while_r_still_refreshes() {
    let keymap = Keymap::default();
    let key = |code| Event::Key(KeyEvent::new(code, KeyModifiers::NONE));
    let mut state = AppState::new(Vec::new(), &feeds(), now());
    let open = keymap.translate(&key(KeyCode::Char('F')), &state).expect("F is bound");
    state.update(open);
    assert_eq!(state.mode(), Mode::Sources);

    for close in [KeyCode::Esc, KeyCode::Char('q'), KeyCode::Char('F')] {
        let msg = keymap.translate(&key(close), &state).expect("closes");
        assert!(matches!(msg, Msg::Action(Action::ToggleSources)), "{close:?}: {msg:?}");
    }
    // Triage keys do nothing behind the panel; r polls, so a fixed key can be tried at once.
    assert!(keymap.translate(&key(KeyCode::Char('s')), &state).is_none());
    let refresh = keymap.translate(&key(KeyCode::Char('r')), &state);
    assert!(matches!(refresh, Some(Msg::Action(Action::RefreshAll))), "{refresh:?}");
    let ctrl_c = keymap.translate(
        &Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        &state,
    );
    assert!(matches!(ctrl_c, Some(Msg::Action(Action::Quit))), "{ctrl_c:?}");

    let close = keymap.translate(&key(KeyCode::Esc), &state).expect("closes");
    state.update(close);
    assert_eq!(state.mode(), Mode::List);
    state.update(Msg::Action(Action::ToggleSources));
    state.update(Msg::Action(Action::Back));
    assert_eq!(state.mode(), Mode::List);
}

#[test]
fn the_help_lists_the_sources_key() {
    let keymap = Keymap::default();
    let binding = keymap
        .bindings()
        .iter()
        .find(|b| b.action == Action::ToggleSources)
        .expect("toggle_sources is bound by default");
    assert_eq!(anbud::app::keymap::key_label(binding), "F");
    assert!(!anbud::app::keymap::describe(Action::ToggleSources).is_empty());
}

#[test]
fn a_success_saved_before_a_restart_dates_a_failure_at_start_up() {
    let saved = vec![SourceSetting {
        last_success: Some(at("2026-11-18T07:00:00Z")),
        ..setting("Doffin", "doffin")
    }];
    let mut state =
        AppState::new(Vec::new(), &feeds(), now()).with_source_settings(&saved, Duration::from_secs(3 * 86_400));
    assert_eq!(
        health(&state, "Doffin").stale,
        None,
        "not failing: the app was simply not running"
    );
    let message = FeedError::Status {
        status: 503,
        detail: "Service Unavailable".to_owned(),
    }
    .user_message("doffin");
    state.update(failure("Doffin", message, later(1), later(3)));
    let doffin = health(&state, "Doffin");
    assert_eq!(doffin.saved_success, Some(at("2026-11-18T07:00:00Z")));
    let stale = doffin.stale.as_deref().expect("stale: nothing worked for four days");
    assert!(stale.starts_with("no successful poll for 4 days"), "{stale}");
    let last = doffin.last_failure.expect("the 503");
    assert!(last.message.contains("Doffin is unavailable"), "{}", last.message);
}

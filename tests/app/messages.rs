//! What the status line says: export wording, counts, undo, refresh progress and the message log.
//! Driven through `update` like `update.rs`.

use crate::common;

use anbud::app::{Action, AppState, Effect, Msg, View};
use anbud::model::Triage;
use anbud::store::StoreEvent;
use common::{notice, now};

fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    state.update(Msg::Action(action))
}

fn status(state: &AppState) -> String {
    state.status().map(|s| s.text.clone()).unwrap_or_default()
}

/// Performs `action` and confirms every save it asks for, as the store would.
fn act_confirmed(state: &mut AppState, action: Action) {
    for effect in act(state, action) {
        if let Effect::SaveTriage { change, .. } = effect {
            state.update(Msg::Store(StoreEvent::TriageSaved(change)));
        }
    }
}

/// Eight matched notices in the Inbox, `shortlisted` of them shortlisted.
fn inbox(shortlisted: i32) -> AppState {
    let records = (1..=8)
        .map(|i| {
            let n = notice(&format!("ted:{i}")).title(&format!("Utstyr {i}")).score(10 + i);
            if i <= shortlisted {
                n.triage(Triage::Shortlisted).build()
            } else {
                n.build()
            }
        })
        .collect();
    AppState::new(records, &["TED".to_owned()], now())
}

fn export(state: &mut AppState) -> usize {
    let effects = act(state, Action::ExportShortlist);
    let [Effect::Export(rows)] = &effects[..] else {
        panic!("expected one export, got {effects:?}")
    };
    rows.len()
}

#[test]
fn exporting_marked_notices_says_they_were_marked_and_in_which_tab() {
    let mut state = inbox(0);
    act(&mut state, Action::MarkAll);
    let rows = export(&mut state);
    assert_eq!(rows, 8);
    state.update(Msg::ExportFinished(Ok(("/tmp/x/anbud-shortlist.csv".into(), rows))));
    let text = status(&state);
    assert!(text.starts_with("Exported 8 marked notices (Inbox) to "), "{text}");
    assert!(!text.contains("shortlisted"), "{text}");
}

#[test]
fn exporting_the_shortlist_says_shortlisted_and_counts_one_as_one() {
    let mut state = inbox(1);
    let rows = export(&mut state);
    assert!(status(&state).starts_with("Exporting 1 notice…"), "{}", status(&state));
    state.update(Msg::ExportFinished(Ok(("/tmp/x/anbud-shortlist.csv".into(), rows))));
    assert_eq!(
        status(&state),
        "Exported 1 shortlisted notice to /tmp/x/anbud-shortlist.csv"
    );
}

#[test]
fn a_failed_export_puts_the_cause_before_the_path() {
    let mut state = inbox(1);
    export(&mut state);
    let err = anbud::export::write_file(
        std::path::Path::new("/nonexistent-dir-for-anbud/anbud-shortlist-20261201-1015.csv"),
        &[],
        &anbud::export::ExportOptions::default(),
    )
    .expect_err("no such directory");
    state.update(Msg::ExportFinished(Err(err.to_string())));
    let text = status(&state);
    let path = text.find("/nonexistent-dir-for-anbud").expect("names the path");
    let cause = text.find("No such file or directory").expect("says why");
    assert!(cause < path, "cause first, path last: {text}");
    assert!(text.ends_with("anbud-shortlist-20261201-1015.csv"), "{text}");
}

#[test]
fn undo_says_what_was_undone_and_where_the_notice_is_now() {
    let mut state = inbox(0);
    state.update(Msg::ClickView(View::All));
    act_confirmed(&mut state, Action::NextStage);
    act_confirmed(&mut state, Action::NextStage);
    act_confirmed(&mut state, Action::Undo);
    let text = status(&state);
    assert!(text.starts_with("Undone: back to shortlisted (was bidding)"), "{text}");
    act_confirmed(&mut state, Action::Redo);
    let text = status(&state);
    assert!(text.starts_with("Redone: bidding again (was shortlisted)"), "{text}");
}

#[test]
fn the_message_log_keeps_every_status_message_with_its_time_newest_first() {
    use anbud::app::Mode;
    let mut state = inbox(0);
    act(&mut state, Action::CycleSort);
    let later: jiff::Timestamp = "2026-11-22T12:00:30Z".parse().expect("time");
    state.update(Msg::ClockTicked(later));
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::CycleSort);
    // A message that does not set a new status leaves the last one on the line and in the log once.
    act(&mut state, Action::SelectNext);
    let log: Vec<(jiff::Timestamp, String)> = state
        .message_log()
        .entries()
        .map(|(at, m)| (*at, m.text.clone()))
        .collect();
    assert_eq!(
        log,
        [
            (later, "Sorted by value".to_owned()),
            (later, "Sorted by published".to_owned()),
            (now(), "Sorted by deadline".to_owned()),
        ]
    );
    assert_eq!(status(&state), "Sorted by value");

    act(&mut state, Action::ToggleMessages);
    assert_eq!(state.mode(), Mode::Messages);
    act(&mut state, Action::SelectNext);
    act(&mut state, Action::PageDown);
    assert_eq!(state.message_log().scroll(), 2, "stops at the oldest message");
    assert_eq!(state.selected_row(), Some(1), "the list's cursor did not move");
    act(&mut state, Action::SelectPrevious);
    assert_eq!(state.message_log().scroll(), 1);
    act(&mut state, Action::Back);
    assert_eq!(state.mode(), Mode::List);
    act(&mut state, Action::ToggleMessages);
    assert_eq!(state.message_log().scroll(), 0, "opens at the newest");
    act(&mut state, Action::ToggleMessages);
    assert_eq!(state.mode(), Mode::List);
}

#[test]
fn the_same_message_twice_is_logged_twice() {
    let mut state = inbox(0);
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::Back);
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::Back);
    let texts: Vec<String> = state.message_log().entries().map(|(_, m)| m.text.clone()).collect();
    assert_eq!(texts, ["Marks cleared", "Marks cleared"]);
}

#[test]
fn movement_keys_scroll_the_help_not_the_list() {
    let mut state = inbox(0);
    act(&mut state, Action::ToggleHelp);
    act(&mut state, Action::SelectNext);
    act(&mut state, Action::SelectNext);
    assert_eq!(state.help_scroll(), 2);
    assert_eq!(state.selected_row(), Some(0));
    act(&mut state, Action::SelectFirst);
    assert_eq!(state.help_scroll(), 0);
    act(&mut state, Action::PageDown);
    act(&mut state, Action::ToggleHelp);
    act(&mut state, Action::ToggleHelp);
    assert_eq!(state.help_scroll(), 0, "opens at the top");
}

fn feeds(names: &[&str]) -> AppState {
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    AppState::new(Vec::new(), &names, now())
}

fn started(feed: &str) -> Msg {
    Msg::Feed(anbud::feeds::FeedEvent::Started {
        feed: feed.to_owned(),
        at: now(),
    })
}

fn fetched(feed: &str, ids: &[&str]) -> Msg {
    Msg::Feed(anbud::feeds::FeedEvent::Fetched {
        feed: feed.to_owned(),
        notices: ids.iter().map(|id| notice(id).score(5).scored()).collect(),
        at: now(),
        next_at: now(),
        warnings: Vec::new(),
        state: Default::default(),
    })
}

fn failed(feed: &str) -> Msg {
    Msg::Feed(anbud::feeds::FeedEvent::Failed {
        feed: feed.to_owned(),
        message: "HTTP 503 — Doffin is unavailable".to_owned(),
        at: now(),
        retry_at: now(),
    })
}

#[test]
fn a_refresh_round_ends_with_what_every_feed_brought() {
    use anbud::app::refresh::RoundStep;
    let mut state = feeds(&["TED", "Doffin", "RSS"]);
    // A poll running before r: its answer is not the round's.
    state.update(started("RSS"));
    assert_eq!(act(&mut state, Action::RefreshAll), [Effect::RefreshAll]);
    assert_eq!(status(&state), "Refreshing 3 feeds…");
    let mut saver = common::saver::Saver::empty();
    let rss = state.update(fetched("RSS", &["rss:old"]));
    saver.answer(&mut state, rss);
    state.update(started("TED"));
    state.update(started("Doffin"));
    let ted = state.update(fetched("TED", &["ted:1", "ted:2"]));
    let steps = |state: &AppState| -> Vec<RoundStep> {
        state
            .refresh_round()
            .expect("round running")
            .feeds()
            .iter()
            .map(|(_, step)| *step)
            .collect()
    };
    assert_eq!(
        steps(&state),
        [RoundStep::Saving, RoundStep::Polling, RoundStep::Queued]
    );
    saver.answer(&mut state, ted);
    assert_eq!(
        steps(&state),
        [RoundStep::Done { new: 2 }, RoundStep::Polling, RoundStep::Queued]
    );
    state.update(failed("Doffin"));
    assert_eq!(state.refresh_round().expect("round").answered(), 2);
    assert_eq!(
        status(&state),
        "Refreshing 3 feeds…",
        "not over until every feed answered"
    );
    // The poller polls RSS again for the round.
    state.update(started("RSS"));
    let rss = state.update(fetched("RSS", &["rss:1"]));
    assert!(state.refresh_round().is_some(), "waits for the save");
    saver.answer(&mut state, rss);
    assert!(state.refresh_round().is_none());
    assert_eq!(
        status(&state),
        "Refreshed: 3 new (TED 2, RSS 1), 1 failed (Doffin) — F shows why"
    );
}

#[test]
fn an_inactive_feed_is_not_waited_for_and_a_quiet_round_says_so() {
    let mut state = feeds(&["TED", "Doffin"]);
    act(&mut state, Action::RefreshAll);
    state.update(Msg::Feed(anbud::feeds::FeedEvent::Inactive {
        feed: "Doffin".to_owned(),
        message: "no API key — set DOFFIN_API_KEY".to_owned(),
    }));
    state.update(started("TED"));
    let ted = state.update(fetched("TED", &[]));
    common::saver::Saver::empty().answer(&mut state, ted);
    assert_eq!(status(&state), "Refreshed: no new notices");
    act(&mut state, Action::RefreshAll);
    assert_eq!(status(&state), "Refreshing 1 feed…", "the inactive feed is left out");
}

#[test]
fn store_failures_say_what_to_do_before_the_raw_error() {
    let mut state = feeds(&["TED"]);
    let why = "disk I/O error: /home/kari/.local/share/anbud/anbud.sqlite".to_owned();
    state.update(Msg::Store(StoreEvent::FetchNotSaved {
        feed: "TED".to_owned(),
        error: why.clone(),
    }));
    assert_eq!(
        status(&state),
        format!("TED: fetched notices NOT saved — the next poll fetches them again [{why}]")
    );
    state.update(Msg::Store(StoreEvent::NoteNotSaved {
        id: anbud::model::NoticeId::new("ted", "1"),
        error: why.clone(),
    }));
    assert_eq!(
        status(&state),
        format!("Note for ted:1 NOT saved — n reopens it: copy your text first [{why}]")
    );
}

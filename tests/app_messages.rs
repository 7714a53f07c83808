//! What the status line says: export wording, counts, undo, refresh progress and the message log.
//! Driven through `update` like `app_update.rs`.

mod common;

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
    assert!(
        text.starts_with("Exported 8 marked notices (Inbox) to "),
        "{text}"
    );
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
    assert!(
        text.starts_with("Undone: back to shortlisted (was bidding)"),
        "{text}"
    );
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

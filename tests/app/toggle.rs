//! `s` / `x` are toggles: a decided row stays where it is (dimmed) until the cursor moves, the tab
//! or the search changes, so pressing the key again acts on the same notice. Pure core only.

use crate::common;

use anbud::app::{Action, AppState, Effect, Msg, TextEdit, View};
use anbud::model::{Triage, TriageChange};
use anbud::store::StoreEvent;
use common::{selected_id as selected, three_in_inbox as state, visible_ids as ids};

/// Presses `action` and confirms every triage save it asks for, as the store would.
fn decide_and_confirm(state: &mut AppState, action: Action) -> Vec<TriageChange> {
    let changes: Vec<TriageChange> = state
        .update(Msg::Action(action))
        .into_iter()
        .filter_map(|e| match e {
            Effect::SaveTriage { change, .. } => Some(change),
            _ => None,
        })
        .collect();
    for change in &changes {
        state.update(Msg::Store(StoreEvent::TriageSaved(change.clone())));
    }
    changes
}

fn leaving(state: &AppState) -> Vec<String> {
    state
        .visible()
        .iter()
        .map(|r| state.record(r))
        .filter(|r| state.is_leaving(r))
        .map(|r| r.notice.native_id.clone())
        .collect()
}

#[test]
fn shortlist_twice_in_the_inbox_toggles_the_same_notice() {
    let mut state = state();
    assert_eq!(selected(&state), "1");
    let first = decide_and_confirm(&mut state, Action::Shortlist);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].to, Triage::Shortlisted);
    // Confirmed, counted where it now belongs, but still on screen under the cursor, dimmed.
    assert_eq!(state.count(View::Shortlist), 1);
    assert_eq!(state.count(View::Inbox), 2);
    assert_eq!(ids(&state), ["1", "2", "3"]);
    assert_eq!(selected(&state), "1");
    assert_eq!(leaving(&state), ["1"]);
    let second = decide_and_confirm(&mut state, Action::Shortlist);
    assert_eq!(second.len(), 1);
    assert_eq!((second[0].id.clone(), second[0].to), (first[0].id.clone(), Triage::New));
    assert_eq!(ids(&state), ["1", "2", "3"]);
    assert!(leaving(&state).is_empty(), "undecided again: it belongs in the Inbox");
    assert_eq!(state.count(View::Shortlist), 0);
}

#[test]
fn moving_the_cursor_lets_the_decided_row_leave() {
    let mut state = state();
    decide_and_confirm(&mut state, Action::Reject);
    assert_eq!(ids(&state), ["1", "2", "3"]);
    state.update(Msg::Action(Action::SelectNext));
    assert_eq!(ids(&state), ["2", "3"]);
    assert_eq!(selected(&state), "2", "the cursor lands on the row below, as j asked");
    // Going up from the top row also lets it go.
    decide_and_confirm(&mut state, Action::Reject);
    state.update(Msg::Action(Action::SelectPrevious));
    assert_eq!(ids(&state), ["3"]);
    assert_eq!(selected(&state), "3");
}

#[test]
fn a_decided_row_leaves_when_the_tab_or_the_search_changes() {
    let mut state = state();
    decide_and_confirm(&mut state, Action::Shortlist);
    state.update(Msg::Action(Action::NextView));
    state.update(Msg::Action(Action::PreviousView));
    assert_eq!(ids(&state), ["2", "3"]);

    decide_and_confirm(&mut state, Action::Shortlist);
    assert_eq!(ids(&state), ["2", "3"]);
    state.update(Msg::Action(Action::StartSearch));
    state.update(Msg::Edit(TextEdit::Insert('r')));
    assert!(!ids(&state).contains(&"2".to_owned()), "{:?}", ids(&state));
}

#[test]
fn marked_rows_decided_together_stay_until_the_cursor_moves() {
    let mut state = state();
    state.update(Msg::Action(Action::ToggleMark)); // marks 1, moves to 2
    state.update(Msg::Action(Action::ToggleMark)); // marks 2, moves to 3
    state.update(Msg::Action(Action::SelectFirst));
    let changes = decide_and_confirm(&mut state, Action::Shortlist);
    assert_eq!(changes.len(), 2);
    assert_eq!(ids(&state), ["1", "2", "3"]);
    assert_eq!(leaving(&state), ["1", "2"]);
    state.update(Msg::Action(Action::SelectLast));
    assert_eq!(ids(&state), ["3"]);
    assert_eq!(selected(&state), "3");
}

//! The pure core: send one message, assert on state and effects. No terminal, no I/O.

use crate::common;

use anbud::app::{Action, AppState, Effect, Mode, Msg, SourceStatus, TextEdit, View};
use anbud::feeds::FeedEvent;
use anbud::model::{DecisionKind, NoticeId, NoticeRecord, Triage, TriageChange};
use anbud::store::StoreEvent;
use common::saver::{Saver, fetched};
use common::{notice, now, saves, selected_id as selected, visible_ids as ids};

fn records() -> Vec<NoticeRecord> {
    vec![
        notice("ted:1")
            .title("Trygghetsalarmer til Bærum kommune")
            .score(9)
            .deadline("2026-12-01T11:00:00Z")
            .build(),
        notice("ted:2")
            .title("Røntgenutstyr til sykehus")
            .score(9)
            .deadline("2026-11-25T11:00:00Z")
            .build(),
        notice("ted:3").title("Pasientjournal EPJ").score(4).build(),
        notice("ted:4").title("Renhold av kontorbygg").score(0).build(),
        notice("ted:5")
            .title("Elektronisk pasientjournal")
            .score(6)
            .triage(Triage::Shortlisted)
            .build(),
    ]
}

fn state() -> AppState {
    AppState::new(records(), &["TED".to_owned()], now())
}

fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    state.update(Msg::Action(action))
}

#[test]
fn inbox_holds_matched_undecided_sorted_by_score_then_deadline() {
    let state = state();
    assert_eq!(state.view(), View::Inbox);
    assert_eq!(ids(&state), ["2", "1", "3"]);
    assert_eq!(state.counts(), [3, 1, 1, 0, 0, 0, 0, 5]);
    assert_eq!(selected(&state), "2");
}

#[test]
fn tab_cycles_views_and_wraps() {
    let mut state = state();
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::ClosingSoon);
    assert_eq!(ids(&state), ["2"]);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::Shortlist);
    assert_eq!(ids(&state), ["5"]);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::Pipeline);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::Outcomes);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::Changed);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::Rejected);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::All);
    assert_eq!(ids(&state).len(), 5);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::Inbox);
    act(&mut state, Action::PreviousView);
    assert_eq!(state.view(), View::All);
}

#[test]
fn all_view_orders_every_notice() {
    let mut state = state();
    act(&mut state, Action::PreviousView);
    assert_eq!(ids(&state), ["2", "1", "5", "3", "4"]);
}

#[test]
fn navigation_clamps_at_both_ends() {
    let mut state = state();
    act(&mut state, Action::SelectPrevious);
    assert_eq!(selected(&state), "2");
    act(&mut state, Action::SelectNext);
    assert_eq!(selected(&state), "1");
    act(&mut state, Action::SelectLast);
    assert_eq!(selected(&state), "3");
    act(&mut state, Action::SelectNext);
    assert_eq!(selected(&state), "3");
    act(&mut state, Action::SelectFirst);
    assert_eq!(selected(&state), "2");
}

#[test]
fn page_down_uses_viewport_height() {
    let mut state = state();
    state.update(Msg::ViewportChanged { list_rows: 2 });
    act(&mut state, Action::PageDown);
    assert_eq!(selected(&state), "3");
    act(&mut state, Action::PageUp);
    assert_eq!(selected(&state), "2");
}

#[test]
fn shortlist_waits_for_store_confirmation() {
    let mut state = state();
    let effects = act(&mut state, Action::Shortlist);
    let change = TriageChange {
        id: NoticeId::new("ted", "2"),
        from: Triage::New,
        to: Triage::Shortlisted,
    };
    assert_eq!(saves(&effects), vec![(change.clone(), DecisionKind::Do)]);
    // Pending: still in the Inbox, marked as saving, and the confirmed value is unchanged.
    assert_eq!(ids(&state), ["2", "1", "3"]);
    let record = state.selected_record().expect("selected");
    assert_eq!(record.triage, Triage::New);
    assert_eq!(state.effective_triage(record), (Triage::Shortlisted, true));

    state.update(Msg::Store(StoreEvent::TriageSaved(change)));
    assert_eq!(state.counts(), [2, 1, 2, 0, 0, 0, 0, 5]);
    assert!(state.status().expect("status").text.contains("shortlisted"));
    // Confirmed: the row stays under the cursor (so `s` again toggles it) until the cursor moves.
    assert_eq!(ids(&state), ["2", "1", "3"]);
    assert_eq!(selected(&state), "2");
    act(&mut state, Action::SelectNext);
    assert_eq!(ids(&state), ["1", "3"]);
    assert_eq!(selected(&state), "1");
}

#[test]
fn failed_save_rolls_back_and_says_why() {
    let mut state = state();
    let effects = act(&mut state, Action::Reject);
    let Effect::SaveTriage { change, .. } = effects[0].clone() else {
        panic!("expected SaveTriage")
    };
    state.update(Msg::Store(StoreEvent::TriageNotSaved {
        change,
        error: "database or disk is full".to_owned(),
    }));
    let record = state.selected_record().expect("selected");
    assert_eq!(state.effective_triage(record), (Triage::New, false));
    assert_eq!(ids(&state), ["2", "1", "3"]);
    let status = state.status().expect("status");
    assert!(status.text.contains("disk is full"), "{}", status.text);
    assert!(status.text.contains("NOT saved"));
}

#[test]
fn second_decision_on_a_pending_notice_is_refused() {
    let mut state = state();
    act(&mut state, Action::Shortlist);
    assert!(act(&mut state, Action::Reject).is_empty());
}

#[test]
fn same_key_again_returns_to_undecided() {
    let mut state = state();
    act(&mut state, Action::NextView);
    act(&mut state, Action::NextView);
    let effects = act(&mut state, Action::Shortlist);
    assert_eq!(
        saves(&effects),
        vec![(
            TriageChange {
                id: NoticeId::new("ted", "5"),
                from: Triage::Shortlisted,
                to: Triage::New
            },
            DecisionKind::Do
        )]
    );
}

#[test]
fn undo_reverts_last_confirmed_decision_and_redo_reapplies_it() {
    let mut state = state();
    let Effect::SaveTriage { change, .. } = act(&mut state, Action::Reject)[0].clone() else {
        panic!()
    };
    state.update(Msg::Store(StoreEvent::TriageSaved(change.clone())));
    let effects = act(&mut state, Action::Undo);
    let back = TriageChange {
        id: change.id.clone(),
        from: Triage::Rejected,
        to: Triage::New,
    };
    assert_eq!(saves(&effects), vec![(back.clone(), DecisionKind::Undo)]);
    state.update(Msg::Store(StoreEvent::TriageSaved(back)));
    assert_eq!(ids(&state), ["2", "1", "3"]);
    assert!(act(&mut state, Action::Undo).is_empty());
    assert_eq!(state.status().expect("status").text, "Nothing to undo");

    let effects = act(&mut state, Action::Redo);
    assert_eq!(saves(&effects), vec![(change.clone(), DecisionKind::Redo)]);
    state.update(Msg::Store(StoreEvent::TriageSaved(change.clone())));
    act(&mut state, Action::SelectNext);
    assert_eq!(ids(&state), ["1", "3"]);
    assert!(act(&mut state, Action::Redo).is_empty(), "redo stack is empty again");
    // ... and the redone decision can be undone once more.
    assert!(!act(&mut state, Action::Undo).is_empty());
}

#[test]
fn refresh_keeps_cursor_on_same_notice() {
    let mut state = state();
    act(&mut state, Action::SelectNext);
    assert_eq!(selected(&state), "1");
    let newcomer = notice("ted:9").title("Velferdsteknologi").score(20).scored();
    let effects = state.update(Msg::Feed(fetched("TED", vec![newcomer])));
    assert!(matches!(&effects[..], [Effect::SaveFetch { feed, items, .. }] if feed == "TED" && items.len() == 1));
    assert_eq!(ids(&state), ["2", "1", "3"], "listed once the store has saved it");
    Saver::holding(&records()).answer(&mut state, effects);
    assert_eq!(ids(&state), ["9", "2", "1", "3"]);
    assert_eq!(selected(&state), "1");
    assert!(matches!(
        state.sources()[0].1,
        SourceStatus::Ok { new: 1, total: 1, .. }
    ));
}

#[test]
fn refetch_updates_notice_but_keeps_decision() {
    let mut state = state();
    let (mut changed, relevance) = notice("ted:5").score(6).scored();
    changed.title = "Elektronisk pasientjournal (endret frist)".to_owned();
    Saver::holding(&records()).poll(&mut state, fetched("TED", vec![(changed, relevance)]));
    state.update(Msg::ClickView(View::Shortlist));
    let record = state.selected_record().expect("selected");
    assert_eq!(record.notice.title, "Elektronisk pasientjournal (endret frist)");
    assert_eq!(record.triage, Triage::Shortlisted);
    assert!(matches!(
        state.sources()[0].1,
        SourceStatus::Ok { new: 0, total: 1, .. }
    ));
}

#[test]
fn failed_feed_is_shown_with_retry_time() {
    let mut state = state();
    state.update(Msg::Feed(FeedEvent::Started {
        feed: "TED".to_owned(),
        at: now(),
    }));
    assert!(matches!(state.sources()[0].1, SourceStatus::Fetching { .. }));
    state.update(Msg::Feed(FeedEvent::Failed {
        feed: "TED".to_owned(),
        message: "timed out".to_owned(),
        at: now(),
        retry_at: now(),
    }));
    assert!(matches!(&state.sources()[0].1, SourceStatus::Failed { message, .. } if message == "timed out"));
}

#[test]
fn search_filters_as_you_type_folding_norwegian_letters() {
    let mut state = state();
    assert!(act(&mut state, Action::StartSearch).is_empty());
    assert_eq!(state.mode(), Mode::Search);
    for c in "RØNT".chars() {
        state.update(Msg::Edit(TextEdit::Insert(c)));
    }
    assert_eq!(ids(&state), ["2"]);
    assert!(!state.visible()[0].positions.is_empty());
    state.update(Msg::Edit(TextEdit::Submit));
    assert_eq!(state.mode(), Mode::List);
    assert_eq!(state.query(), "RØNT");
    act(&mut state, Action::Back);
    assert_eq!(state.query(), "");
    assert_eq!(ids(&state), ["2", "1", "3"]);
}

#[test]
fn search_cancel_clears_filter() {
    let mut state = state();
    act(&mut state, Action::StartSearch);
    state.update(Msg::Edit(TextEdit::Insert('z')));
    state.update(Msg::Edit(TextEdit::Insert('q')));
    state.update(Msg::Edit(TextEdit::Insert('x')));
    assert!(ids(&state).is_empty());
    state.update(Msg::Edit(TextEdit::Cancel));
    assert_eq!(ids(&state).len(), 3);
    assert_eq!(state.mode(), Mode::List);
}

#[test]
fn export_sends_confirmed_shortlist_or_explains_empty() {
    let mut state = state();
    let effects = act(&mut state, Action::ExportShortlist);
    assert!(matches!(&effects[..], [Effect::Export(rows)] if rows.len() == 1 && rows[0].notice.native_id == "5"));
    state.update(Msg::ExportFinished(Ok(("./anbud-shortlist.csv".into(), 1))));
    assert!(state.status().expect("status").text.contains("anbud-shortlist.csv"));

    let mut empty = AppState::new(Vec::new(), &[], now());
    assert!(act(&mut empty, Action::ExportShortlist).is_empty());
    assert!(empty.status().expect("status").text.contains("shortlist is empty"));
}

#[test]
fn help_toggles_and_quit_stops() {
    let mut state = state();
    act(&mut state, Action::ToggleHelp);
    assert_eq!(state.mode(), Mode::Help);
    act(&mut state, Action::Back);
    assert_eq!(state.mode(), Mode::List);
    assert_eq!(act(&mut state, Action::RefreshAll), vec![Effect::RefreshAll]);
    act(&mut state, Action::Quit);
    assert!(!state.is_running());
}

#[test]
fn detail_toggles_and_esc_closes_it() {
    let mut state = state();
    act(&mut state, Action::ToggleDetail);
    assert!(state.is_detail_open());
    act(&mut state, Action::Back);
    assert!(!state.is_detail_open());
}

#[test]
fn empty_state_has_no_selection_and_ignores_decisions() {
    let mut state = AppState::new(Vec::new(), &["TED".to_owned()], now());
    assert!(state.selected_record().is_none());
    assert!(act(&mut state, Action::Shortlist).is_empty());
    act(&mut state, Action::SelectNext);
    assert!(state.selected_record().is_none());
}

#[test]
fn expired_notices_leave_the_inbox_when_the_clock_passes_their_deadline() {
    let mut state = state();
    assert_eq!(ids(&state), ["2", "1", "3"]);
    // One minute after ted:2's deadline (2026-11-25 11:00 UTC).
    state.update(Msg::ClockTicked("2026-11-25T11:01:00Z".parse().expect("valid")));
    assert_eq!(ids(&state), ["1", "3"]);
    assert_eq!(state.count(View::ClosingSoon), 1, "ted:1 now closes within 7 days");
    act(&mut state, Action::PreviousView);
    assert_eq!(ids(&state).len(), 5, "expired notices stay in All");
}

#[test]
fn a_notice_enters_closing_soon_when_the_clock_reaches_a_week_before_its_deadline() {
    let records = vec![notice("ted:x").score(9).deadline("2026-12-02T12:00:00Z").build()];
    let mut state = AppState::new(records, &[], now());
    assert_eq!(state.count(View::ClosingSoon), 0);
    // Ticks that cross no boundary leave the tabs as they are.
    state.update(Msg::ClockTicked("2026-11-24T12:00:00Z".parse().expect("valid")));
    assert_eq!(state.count(View::ClosingSoon), 0);
    state.update(Msg::ClockTicked("2026-11-25T12:01:00Z".parse().expect("valid")));
    assert_eq!(state.count(View::ClosingSoon), 1);
    state.update(Msg::ClockTicked("2026-12-02T12:01:00Z".parse().expect("valid")));
    assert_eq!((state.count(View::ClosingSoon), state.count(View::Inbox)), (0, 0));
}

#[test]
fn closing_soon_keeps_decided_notices_but_not_rejected_or_unmatched() {
    let records = vec![
        notice("ted:a").score(0).deadline("2026-11-24T11:00:00Z").build(),
        notice("ted:b")
            .score(0)
            .deadline("2026-11-24T11:00:00Z")
            .triage(Triage::Shortlisted)
            .build(),
        notice("ted:c")
            .score(9)
            .deadline("2026-11-24T11:00:00Z")
            .triage(Triage::Rejected)
            .build(),
        notice("ted:d").score(9).deadline("2026-11-21T11:00:00Z").build(),
        notice("ted:e").score(9).deadline("2026-11-29T11:00:00Z").build(),
    ];
    let mut state = AppState::new(records, &[], now());
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::ClosingSoon);
    assert_eq!(ids(&state), ["e", "b"]);
}

#[test]
fn sort_cycles_through_keys_and_keeps_the_cursor() {
    let mut state = state();
    act(&mut state, Action::SelectNext);
    assert_eq!(selected(&state), "1");
    act(&mut state, Action::CycleSort);
    assert_eq!(state.sort(), anbud::app::SortKey::Deadline);
    assert_eq!(ids(&state), ["2", "1", "3"]);
    assert_eq!(selected(&state), "1");
    for _ in 0..3 {
        act(&mut state, Action::CycleSort);
    }
    assert_eq!(state.sort(), anbud::app::SortKey::Buyer);
    act(&mut state, Action::CycleSort);
    assert_eq!(state.sort(), anbud::app::SortKey::Score);
}

#[test]
fn sort_by_buyer_is_stable_and_case_insensitive() {
    let records = vec![
        notice("ted:1").buyer("bærum kommune").score(3).build(),
        notice("ted:2").buyer("Asker kommune").score(3).build(),
        notice("ted:3").buyer("Asker kommune").score(9).build(),
    ];
    let mut state = AppState::new(records, &[], now());
    for _ in 0..4 {
        act(&mut state, Action::CycleSort);
    }
    assert_eq!(ids(&state), ["3", "2", "1"]);
}

/// Performs `action` and confirms every save it asks for, as the store would.
fn act_confirmed(state: &mut AppState, action: Action) {
    for effect in act(state, action) {
        if let Effect::SaveTriage { change, .. } = effect {
            state.update(Msg::Store(StoreEvent::TriageSaved(change)));
        }
    }
}

#[test]
fn stages_move_forward_and_back_through_the_pipeline() {
    let mut state = state();
    state.update(Msg::ClickView(View::All));
    let first = selected(&state);
    for expected in [Triage::Shortlisted, Triage::Bidding, Triage::Submitted, Triage::Won] {
        act_confirmed(&mut state, Action::NextStage);
        assert_eq!(state.selected_record().expect("selected").triage, expected);
        assert_eq!(selected(&state), first, "the cursor stays on the notice in All");
    }
    assert!(act(&mut state, Action::NextStage).is_empty(), "won is the last stage");
    act_confirmed(&mut state, Action::PreviousStage);
    assert_eq!(state.selected_record().expect("selected").triage, Triage::Submitted);
    assert_eq!(state.count(View::Pipeline), 1);
    act_confirmed(&mut state, Action::MarkLost);
    assert_eq!(state.selected_record().expect("selected").triage, Triage::Lost);
    assert_eq!(state.count(View::Pipeline), 0);
}

#[test]
fn shortlist_key_does_not_silently_undo_a_bid() {
    let mut state = state();
    state.update(Msg::ClickView(View::All));
    act_confirmed(&mut state, Action::NextStage);
    act_confirmed(&mut state, Action::NextStage);
    assert!(act(&mut state, Action::Shortlist).is_empty());
    assert!(state.status().expect("status").text.contains("Already bidding"));
    // Rejecting stays possible from any stage.
    assert!(!act(&mut state, Action::Reject).is_empty());
}

#[test]
fn undo_restores_the_previous_stage() {
    let mut state = state();
    state.update(Msg::ClickView(View::All));
    act_confirmed(&mut state, Action::NextStage);
    act_confirmed(&mut state, Action::NextStage);
    let effects = act(&mut state, Action::Undo);
    assert!(
        matches!(&effects[..], [Effect::SaveTriage { change: c, .. }] if c.from == Triage::Bidding && c.to == Triage::Shortlisted)
    );
}

#[test]
fn note_is_saved_on_close_and_shown_only_after_the_store_confirms() {
    let mut state = state();
    act(&mut state, Action::EditNote);
    assert_eq!(state.mode(), Mode::Note);
    for c in "Ring Kari".chars() {
        state.update(Msg::Edit(TextEdit::Insert(c)));
    }
    state.update(Msg::Edit(TextEdit::Newline));
    for c in "om befaring".chars() {
        state.update(Msg::Edit(TextEdit::Insert(c)));
    }
    let effects = state.update(Msg::Edit(TextEdit::Submit));
    let id = NoticeId::new("ted", "2");
    assert_eq!(
        effects,
        vec![Effect::SaveNote {
            id: id.clone(),
            note: "Ring Kari\nom befaring".to_owned()
        }]
    );
    assert_eq!(state.mode(), Mode::List);
    assert_eq!(
        state.selected_record().expect("selected").note(),
        "",
        "not shown before the store confirms"
    );
    state.update(Msg::Store(StoreEvent::NoteSaved {
        id,
        note: "Ring Kari\nom befaring".to_owned(),
    }));
    assert_eq!(
        state.selected_record().expect("selected").note(),
        "Ring Kari\nom befaring"
    );

    // Notes are searchable.
    act(&mut state, Action::StartSearch);
    for c in "befaring".chars() {
        state.update(Msg::Edit(TextEdit::Insert(c)));
    }
    assert_eq!(ids(&state), ["2"]);
}

#[test]
fn note_edit_can_be_discarded_and_an_unchanged_note_is_not_rewritten() {
    let mut state = state();
    act(&mut state, Action::EditNote);
    state.update(Msg::Edit(TextEdit::Insert('x')));
    assert!(state.update(Msg::Edit(TextEdit::Cancel)).is_empty());
    assert_eq!(state.mode(), Mode::List);
    act(&mut state, Action::EditNote);
    assert!(state.update(Msg::Edit(TextEdit::Submit)).is_empty(), "nothing changed");
}

#[test]
fn failed_note_save_says_so() {
    let mut state = state();
    state.update(Msg::Store(StoreEvent::NoteNotSaved {
        id: NoticeId::new("ted", "2"),
        error: "disk I/O error".to_owned(),
    }));
    let status = state.status().expect("status");
    assert!(
        status.text.contains("NOT saved") && status.text.contains("disk I/O error"),
        "{}",
        status.text
    );
}

#[test]
fn a_new_decision_clears_redo_and_a_failed_undo_can_be_retried() {
    let mut state = state();
    act_confirmed(&mut state, Action::Shortlist);
    act_confirmed(&mut state, Action::Undo);
    act_confirmed(&mut state, Action::Reject);
    assert!(
        act(&mut state, Action::Redo).is_empty(),
        "a new decision ends the redo chain"
    );

    let Effect::SaveTriage { change, .. } = act(&mut state, Action::Undo)[0].clone() else {
        panic!()
    };
    state.update(Msg::Store(StoreEvent::TriageNotSaved {
        change,
        error: "database is locked".to_owned(),
    }));
    assert!(
        !act(&mut state, Action::Undo).is_empty(),
        "the undo went back on its stack"
    );
}

#[test]
fn history_from_an_earlier_session_is_undoable() {
    let earlier = TriageChange {
        id: NoticeId::new("ted", "5"),
        from: Triage::New,
        to: Triage::Shortlisted,
    };
    let history = anbud::store::History {
        undo: vec![vec![earlier.clone()]],
        redo: Vec::new(),
        next_batch: 7,
    };
    let mut state = state().with_history(history);
    let effects = act(&mut state, Action::Undo);
    assert_eq!(saves(&effects), vec![(earlier.reversed(), DecisionKind::Undo)]);
}

fn confirm_all(state: &mut AppState, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::SaveTriage { change, .. } = effect {
            state.update(Msg::Store(StoreEvent::TriageSaved(change)));
        }
    }
}

fn many() -> AppState {
    let records = (1..=8)
        .map(|i| {
            notice(&format!("ted:{i}"))
                .title(&format!("Utstyr {i}"))
                .score(10 + i)
                .build()
        })
        .collect();
    AppState::new(records, &[], now())
}

#[test]
fn space_marks_and_moves_down_and_a_small_bulk_action_runs_at_once() {
    let mut state = many();
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::ToggleMark);
    assert_eq!(state.marked_count(), 2);
    assert_eq!(selected(&state), "6", "the cursor moved past both marked rows");
    let effects = act(&mut state, Action::Reject);
    let ids: Vec<_> = saves(&effects).into_iter().map(|(c, _)| c.id.0).collect();
    assert_eq!(ids, ["ted:8", "ted:7"]);
    assert!(
        matches!(&effects[..], [Effect::SaveTriage { batch: a, .. }, Effect::SaveTriage { batch: b, .. }] if a == b),
        "one batch"
    );
    assert_eq!(state.marked_count(), 0, "marks are used up");
    confirm_all(&mut state, effects);
    assert_eq!(state.count(View::Rejected), 2);
}

#[test]
fn a_mass_action_asks_first_and_no_cancels_it() {
    let mut state = many();
    act(&mut state, Action::MarkAll);
    assert_eq!(state.marked_count(), 8);
    assert!(
        act(&mut state, Action::Shortlist).is_empty(),
        "nothing is sent before the answer"
    );
    assert_eq!(state.mode(), Mode::Confirm);
    assert!(
        state
            .status()
            .expect("question")
            .text
            .contains("Move 8 notices to shortlisted?")
    );
    assert!(state.update(Msg::Confirmed(false)).is_empty());
    assert_eq!(state.mode(), Mode::List);
    assert_eq!(state.marked_count(), 8, "marks stay after a no");
    act(&mut state, Action::Shortlist);
    let effects = state.update(Msg::Confirmed(true));
    assert_eq!(saves(&effects).len(), 8);
    confirm_all(&mut state, effects);
    assert_eq!(state.count(View::Shortlist), 8);
}

#[test]
fn undo_takes_back_a_whole_mass_action_at_once() {
    let mut state = many();
    act(&mut state, Action::MarkAll);
    act(&mut state, Action::Reject);
    let effects = state.update(Msg::Confirmed(true));
    confirm_all(&mut state, effects);
    assert_eq!(state.count(View::Rejected), 8);
    assert!(state.status().expect("status").text.contains("Saved: 8 notices"));

    let effects = act(&mut state, Action::Undo);
    let undo = saves(&effects);
    assert_eq!(undo.len(), 8);
    assert!(
        undo.iter()
            .all(|(c, k)| c.to == Triage::New && *k == DecisionKind::Undo)
    );
    confirm_all(&mut state, effects);
    assert_eq!((state.count(View::Rejected), state.count(View::Inbox)), (0, 8));

    let effects = act(&mut state, Action::Redo);
    assert_eq!(saves(&effects).len(), 8, "redo re-applies the whole batch");
}

#[test]
fn a_partly_failed_batch_keeps_only_what_was_saved_undoable() {
    let mut state = many();
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::ToggleMark);
    let effects = act(&mut state, Action::Reject);
    let changes: Vec<_> = saves(&effects).into_iter().map(|(c, _)| c).collect();
    state.update(Msg::Store(StoreEvent::TriageSaved(changes[0].clone())));
    state.update(Msg::Store(StoreEvent::TriageNotSaved {
        change: changes[1].clone(),
        error: "disk full".to_owned(),
    }));
    assert!(state.status().expect("status").text.contains("NOT saved (disk full)"));
    assert_eq!(state.count(View::Rejected), 1);
    let undo = saves(&act(&mut state, Action::Undo));
    assert_eq!(undo.len(), 1);
    assert_eq!(undo[0].0.id, changes[0].id);
}

#[test]
fn esc_clears_marks_and_export_takes_the_marked_set() {
    let mut state = many();
    act(&mut state, Action::ToggleMark);
    let effects = act(&mut state, Action::ExportShortlist);
    assert!(matches!(&effects[..], [Effect::Export(rows)] if rows.len() == 1 && rows[0].notice.native_id == "8"));
    act(&mut state, Action::Back);
    assert_eq!(state.marked_count(), 0);
    act(&mut state, Action::MarkAll);
    act(&mut state, Action::MarkAll);
    assert_eq!(state.marked_count(), 0, "V again clears");
}

#[test]
fn a_notice_arriving_during_a_search_is_filtered_in() {
    let mut state = state();
    act(&mut state, Action::StartSearch);
    for c in "velferd".chars() {
        state.update(Msg::Edit(TextEdit::Insert(c)));
    }
    assert!(ids(&state).is_empty());
    let arriving = notice("ted:9")
        .title("Velferdsteknologi til hjemmetjenesten")
        .score(12)
        .scored();
    Saver::holding(&records()).poll(&mut state, fetched("TED", vec![arriving]));
    assert_eq!(ids(&state), ["9"]);
    assert!(
        !state.visible()[0].positions.is_empty(),
        "matched letters are highlighted"
    );
}

#[test]
fn a_refetch_that_moves_the_deadline_is_flagged_until_seen() {
    let mut state = state();
    let (mut moved, relevance) = notice("ted:1")
        .title("Trygghetsalarmer til Bærum kommune")
        .score(9)
        .deadline("2026-12-01T11:00:00Z")
        .scored();
    moved.deadline = Some("2026-12-08T11:00:00Z".parse().expect("valid"));
    Saver::holding(&records()).poll(&mut state, fetched("TED", vec![(moved, relevance)]));
    assert_eq!(state.count(View::Changed), 1);
    state.update(Msg::ClickView(View::Changed));
    let record = state.selected_record().expect("selected");
    assert_eq!(record.changes().len(), 1);
    assert_eq!(
        (
            record.changes()[0].field.as_str(),
            record.changes()[0].old.as_str(),
            record.changes()[0].new.as_str()
        ),
        ("deadline", "2026-12-01T11:00:00Z", "2026-12-08T11:00:00Z")
    );
    // Looking at it: the diff stays while the detail pane shows it...
    assert!(act(&mut state, Action::ToggleDetail).is_empty());
    assert_eq!(state.count(View::Changed), 1);
    // ... and counts as seen once the user closes the pane.
    let effects = act(&mut state, Action::Back);
    assert_eq!(effects, vec![Effect::MarkSeen(NoticeId::new("ted", "1"))]);
    assert_eq!(state.count(View::Changed), 0);
}

#[test]
fn an_unchanged_refetch_is_not_a_change() {
    let mut state = state();
    let same = notice("ted:3").title("Pasientjournal EPJ").score(4).scored();
    Saver::holding(&records()).poll(&mut state, fetched("TED", vec![same]));
    assert_eq!(state.count(View::Changed), 0);
}

#[test]
fn a_refresh_while_saving_does_not_move_the_row_before_the_store_confirms() {
    let mut state = state();
    let effects = act(&mut state, Action::Shortlist);
    // Something else redraws the list meanwhile: a poll arrives.
    let other = notice("ted:9").title("Sykehussenger").score(1).scored();
    Saver::holding(&records()).poll(&mut state, fetched("TED", vec![other]));
    assert_eq!(ids(&state), ["2", "1", "3"], "still in the Inbox, marked as saving");
    assert_eq!(state.count(View::Shortlist), 1, "counts are of confirmed decisions");
    confirm_all(&mut state, effects);
    act(&mut state, Action::SelectNext);
    assert_eq!(ids(&state), ["1", "3"]);
}

#[test]
fn outcomes_tab_holds_won_and_lost_bids_and_counts_them() {
    let mut state = state();
    state.update(Msg::ClickView(View::All));
    // ted:2 won, ted:1 lost: both leave the Pipeline for Outcomes.
    for _ in 0..4 {
        act_confirmed(&mut state, Action::NextStage);
    }
    act(&mut state, Action::SelectNext);
    for _ in 0..3 {
        act_confirmed(&mut state, Action::NextStage);
    }
    act_confirmed(&mut state, Action::MarkLost);
    assert_eq!(state.count(View::Outcomes), 2);
    assert_eq!(state.count(View::Pipeline), 0);
    state.update(Msg::ClickView(View::Outcomes));
    assert_eq!(ids(&state), ["2", "1"]);
    // In the tab cycle, right after the Pipeline.
    act(&mut state, Action::PreviousView);
    assert_eq!(state.view(), View::Pipeline);
    act(&mut state, Action::NextView);
    assert_eq!(state.view(), View::Outcomes);
}

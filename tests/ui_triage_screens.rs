//! Screens of the triage and editing work of issue #12: a decided row kept in place (dimmed),
//! the note editor's cursor, and the `/` search line's counts.

mod common;

use anbud::app::{Action, AppState, Effect, Msg};
use anbud::store::StoreEvent;
use common::screen::{draw, rows};
use common::{notice, now};
use ratatui::style::Modifier;

fn state() -> AppState {
    let records = vec![
        notice("ted:1").title("Trygghetsalarmer").score(9).build(),
        notice("ted:2").title("Røntgenutstyr").score(8).build(),
        notice("ted:3").title("Pasientjournal EPJ").score(7).build(),
    ];
    AppState::new(records, &["TED".to_owned()], now())
}

fn confirm(state: &mut AppState, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::SaveTriage { change, .. } = effect {
            state.update(Msg::Store(StoreEvent::TriageSaved(change)));
        }
    }
}

#[test]
fn a_row_decided_in_the_inbox_stays_dimmed_under_the_cursor() {
    let mut state = state();
    let effects = state.update(Msg::Action(Action::Shortlist));
    confirm(&mut state, effects);
    let terminal = draw(&state, 100, 10);
    let screen = rows(&terminal);
    // Row 0 is the tab line, row 1 the header, rows 2.. the notices.
    assert!(screen[2].contains("★") && screen[2].contains("Trygghetsalarmer"), "{screen:#?}");
    let buffer = terminal.backend().buffer();
    let dim = |y: u16| buffer[(30, y)].style().add_modifier.contains(Modifier::DIM);
    assert!(dim(2), "the decided row is dimmed");
    assert!(!dim(3), "the others are not");
    state.update(Msg::Action(Action::SelectNext));
    let screen = rows(&draw(&state, 100, 10));
    assert!(!screen[2..8].iter().any(|r| r.contains("Trygghetsalarmer")), "{screen:#?}");
}

#[test]
fn the_search_line_counts_hits_here_and_in_other_tabs() {
    let records = vec![
        notice("ted:1").title("Elektronisk pasientjournal").score(9).build(),
        notice("ted:2").title("Ny EPJ til legekontor").score(8).build(),
        notice("ted:3").title("EPJ for sykehjem").score(7).triage(anbud::model::Triage::Rejected).build(),
    ];
    let mut state = AppState::new(records, &["TED".to_owned()], now());
    state.update(Msg::Action(Action::StartSearch));
    for c in "epj".chars() {
        state.update(Msg::Edit(anbud::app::TextEdit::Insert(c)));
    }
    insta::assert_snapshot!(draw(&state, 80, 9).backend());
}

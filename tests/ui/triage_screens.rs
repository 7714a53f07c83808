//! Screens of the triage and editing work of issue #12: a decided row kept in place (dimmed),
//! the note editor's cursor, and the `/` search line's counts.

use crate::common;

use anbud::app::{Action, AppState, Effect, Msg};
use anbud::store::StoreEvent;
use common::screen::{draw, rows};
use common::{notice, now, three_in_inbox as state};
use ratatui::style::Modifier;

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
    assert!(
        screen[2].contains("★") && screen[2].contains("Trygghetsalarmer"),
        "{screen:#?}"
    );
    let buffer = terminal.backend().buffer();
    let dim = |y: u16| buffer[(30, y)].style().add_modifier.contains(Modifier::DIM);
    assert!(dim(2), "the decided row is dimmed");
    assert!(!dim(3), "the others are not");
    state.update(Msg::Action(Action::SelectNext));
    let screen = rows(&draw(&state, 100, 10));
    assert!(
        !screen[2..8].iter().any(|r| r.contains("Trygghetsalarmer")),
        "{screen:#?}"
    );
}

#[test]
fn the_search_line_counts_hits_here_and_in_other_tabs() {
    let records = vec![
        notice("ted:1").title("Elektronisk pasientjournal").score(9).build(),
        notice("ted:2").title("Ny EPJ til legekontor").score(8).build(),
        notice("ted:3")
            .title("EPJ for sykehjem")
            .score(7)
            .triage(anbud::model::Triage::Rejected)
            .build(),
    ];
    let mut state = AppState::new(records, &["TED".to_owned()], now());
    state.update(Msg::Action(Action::StartSearch));
    for c in "epj".chars() {
        state.update(Msg::Edit(anbud::app::TextEdit::Insert(c)));
    }
    insta::assert_snapshot!(draw(&state, 80, 9).backend());
}

#[test]
fn the_note_cursor_is_drawn_where_it_is_and_typing_goes_there() {
    let keymap = anbud::app::Keymap::default();
    let mut state = state();
    state.update(Msg::Action(Action::EditNote));
    let press = |state: &mut AppState, code, modifiers| {
        let event = crossterm::event::Event::Key(crossterm::event::KeyEvent::new(code, modifiers));
        if let Some(msg) = keymap.translate(&event, state) {
            state.update(msg);
        }
    };
    use crossterm::event::{KeyCode as K, KeyModifiers as M};
    for c in "Ring Kari i Bærum".chars() {
        press(&mut state, K::Char(c), M::NONE);
    }
    press(&mut state, K::Enter, M::NONE);
    for c in "om befaring".chars() {
        press(&mut state, K::Char(c), M::NONE);
    }
    // Up to the first line (same column), a word back with Ctrl-←, another with Alt-b, and type.
    press(&mut state, K::Up, M::NONE);
    press(&mut state, K::Left, M::CONTROL);
    press(&mut state, K::Char('b'), M::ALT);
    for c in "snart ".chars() {
        press(&mut state, K::Char(c), M::NONE);
    }
    press(&mut state, K::End, M::NONE);
    press(&mut state, K::Left, M::NONE);
    press(&mut state, K::Delete, M::NONE);
    assert_eq!(state.note_draft(), "Ring snart Kari i Bæru\nom befaring");
    assert_eq!(state.note_cursor(), (0, 22));
    let terminal = draw(&state, 60, 12);
    let buffer = terminal.backend().buffer();
    let reversed: Vec<(u16, u16)> = (0..12)
        .flat_map(|y| (0..60).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let cell = &buffer[(x, y)];
            cell.style().add_modifier.contains(Modifier::REVERSED) && (3..9).contains(&y) && (3..56).contains(&x)
        })
        .collect();
    insta::assert_snapshot!(terminal.backend());
    // One reversed cell in the popup: right after "Bæru" on the first line of the note.
    let [(x, y)] = reversed[..] else {
        panic!("one cursor cell, got {reversed:?}");
    };
    let row = &rows(&terminal)[usize::from(y)];
    let before: String = row.chars().take(usize::from(x)).collect();
    assert!(before.ends_with("i Bæru"), "{row:?} cursor at {x}");
}

//! The `/` search through the pure core: what a query shows, in what order, where the cursor goes,
//! and what the search line says about the other tabs.

use crate::common;

use anbud::app::{Action, AppState, Msg, TextEdit};
use anbud::model::Triage;
use common::{notice, now, selected_id as selected, visible_ids as ids};

fn state() -> AppState {
    let records = vec![
        // Inbox (matched, undecided, open).
        notice("ted:1").title("Elektronisk pasientjournal").score(12).build(),
        notice("ted:2").title("EPJsystem for fastleger").score(9).build(),
        notice("ted:3").title("Ny EPJ til legekontor").score(5).build(),
        notice("ted:4").title("Trygghetsalarmer").score(8).build(),
        // Elsewhere: shortlisted, rejected, unmatched.
        notice("ted:5")
            .title("Journal (EPJ) for sykehjem")
            .score(7)
            .triage(Triage::Shortlisted)
            .build(),
        notice("ted:6")
            .title("EPJ-integrasjon")
            .score(6)
            .triage(Triage::Rejected)
            .build(),
        notice("ted:7").title("Drift av EPJ").score(0).build(),
        notice("ted:8").title("Epler og pærer til jul").score(0).build(),
    ];
    AppState::new(records, &["TED".to_owned()], now())
}

fn search(state: &mut AppState, query: &str) {
    state.update(Msg::Action(Action::StartSearch));
    for c in query.chars() {
        state.update(Msg::Edit(TextEdit::Insert(c)));
    }
}

#[test]
fn whole_words_first_scattered_letters_dropped_best_hit_selected() {
    let mut state = state();
    assert_eq!(selected(&state), "1", "the best score starts under the cursor");
    search(&mut state, "EPJ");
    // "Elektronisk pasientjournal" holds e…p…j only scattered: not a hit beside real ones.
    assert_eq!(ids(&state), ["3", "2"]);
    assert_eq!(selected(&state), "3", "the whole-word hit is selected");
    assert_eq!(
        state.search_summary().as_deref(),
        Some("2 in Inbox · 3 more in All (Tab)")
    );
}

#[test]
fn the_summary_points_at_other_tabs_when_this_one_has_no_hit() {
    let mut state = state();
    search(&mut state, "integrasjon");
    assert!(ids(&state).is_empty());
    assert_eq!(
        state.search_summary().as_deref(),
        Some("0 in Inbox · 1 more in All (Tab)")
    );
    state.update(Msg::Edit(TextEdit::Submit));
    state.update(Msg::Action(Action::PreviousView));
    assert_eq!(ids(&state), ["6"]);
    assert_eq!(state.search_summary().as_deref(), Some("1 in All"));
}

#[test]
fn scattered_letters_still_match_when_nothing_holds_the_query() {
    let mut state = state();
    search(&mut state, "elpas");
    assert_eq!(ids(&state), ["1"]);
    // Deleting back to nothing keeps the cursor where the search left it.
    for _ in 0..5 {
        state.update(Msg::Edit(TextEdit::Backspace));
    }
    assert_eq!(ids(&state), ["1", "2", "4", "3"]);
    assert_eq!(selected(&state), "1");
    assert_eq!(state.search_summary(), None);
}

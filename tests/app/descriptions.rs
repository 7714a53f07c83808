//! Descriptions left in the store (issue #7): the core asks for one when it needs it and shows it
//! when it arrives; a fetch diffs against the stored one; `E` reads the decided notices' first.

use crate::common;

use anbud::app::{Action, AppState, Effect, Mode, Msg};
use anbud::model::{NoticeId, NoticeRecord, Triage};
use anbud::store::StoreEvent;
use common::{notice, now};

/// A record as the dashboard loads it: the description left in the store.
fn in_store(record: NoticeRecord) -> NoticeRecord {
    NoticeRecord {
        notice: anbud::model::Notice {
            description: String::new(),
            ..record.notice
        },
        description_in_store: true,
        ..record
    }
}

fn id(s: &str) -> NoticeId {
    NoticeId(s.to_owned())
}

fn loaded(texts: &[(&str, &str)]) -> Msg {
    Msg::Store(StoreEvent::DescriptionsLoaded(Ok(texts
        .iter()
        .map(|(i, t)| (id(i), (*t).to_owned()))
        .collect())))
}

#[test]
fn the_detail_pane_asks_for_the_description_and_shows_it_when_it_arrives() {
    let records = vec![
        in_store(notice("ted:1").title("Trygghetsalarmer").score(20).build()),
        in_store(notice("ted:2").title("Senger").score(10).build()),
    ];
    let mut state = AppState::new(records, &["TED".to_owned()], now());
    // The list alone needs no description.
    assert!(state.update(Msg::Action(Action::SelectFirst)).is_empty());

    let effects = state.update(Msg::Action(Action::ToggleDetail));
    assert_eq!(effects, [Effect::LoadDescriptions(vec![id("ted:1")])]);
    let record = state.selected_record().expect("selected");
    assert!(state.is_description_loading(record));
    // Asked once, however many messages arrive meanwhile.
    assert!(state.update(Msg::ClockTicked(now())).is_empty());

    assert!(
        state
            .update(loaded(&[("ted:1", "Alarmer med digitalt tilsyn.")]))
            .is_empty()
    );
    let record = state.selected_record().expect("selected");
    assert!(!state.is_description_loading(record));
    assert_eq!(record.notice.description, "Alarmer med digitalt tilsyn.");

    // The next notice under the open pane is asked for in turn; the first one is kept.
    let effects = state.update(Msg::Action(Action::SelectNext));
    assert_eq!(effects, [Effect::LoadDescriptions(vec![id("ted:2")])]);
    assert!(state.update(Msg::Action(Action::SelectPrevious)).is_empty());
}

#[test]
fn a_failed_read_says_so_and_is_not_retried_on_every_key() {
    let records = vec![in_store(notice("ted:1").title("Trygghetsalarmer").score(20).build())];
    let mut state = AppState::new(records, &["TED".to_owned()], now());
    state.update(Msg::Action(Action::SelectFirst));
    assert_eq!(state.update(Msg::Action(Action::ToggleDetail)).len(), 1);
    state.update(Msg::Store(StoreEvent::DescriptionsLoaded(Err(
        "disk I/O error".to_owned()
    ))));
    let status = state.status().expect("a status").text.clone();
    assert!(status.contains("disk I/O error"), "{status}");
    assert!(state.update(Msg::Action(Action::SelectFirst)).is_empty());
}

/// A core holding `ted:1` with its description in the store (saved as `stored`), after a fetch that
/// brings it again with `description`, saved by a real store.
fn refetched_with(stored: &str, description: &str) -> AppState {
    let full = notice("ted:1")
        .title("Trygghetsalarmer")
        .description(stored)
        .score(20)
        .build();
    let mut saver = common::saver::Saver::holding(std::slice::from_ref(&full));
    let mut state = AppState::new(vec![in_store(full)], &["TED".to_owned()], now());
    let fetched = notice("ted:1")
        .title("Trygghetsalarmer")
        .description(description)
        .score(20)
        .scored();
    let effects = state.update(Msg::Feed(common::saver::fetched("TED", vec![fetched])));
    // Nothing is read before the save: the store diffs against the text it holds.
    assert!(matches!(&effects[..], [Effect::SaveFetch { .. }]), "{effects:?}");
    let rest = saver.answer(&mut state, effects);
    assert!(rest.is_empty(), "{rest:?}");
    state
}

fn shown(state: &AppState) -> NoticeRecord {
    let row = &state.visible()[0];
    state.record(row).clone()
}

#[test]
fn a_fetch_diffs_the_description_against_the_stored_one() {
    let state = refetched_with("Gammel tekst.", "Ny tekst.");
    let record = shown(&state);
    let changes = record.changes();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (
            changes[0].field.as_str(),
            changes[0].old.as_str(),
            changes[0].new.as_str()
        ),
        ("description", "Gammel tekst.", "Ny tekst.")
    );
    assert_eq!(shown(&state).notice.description, "Ny tekst.");
    assert!(!state.is_description_loading(&shown(&state)));
}

#[test]
fn an_unchanged_description_is_no_change() {
    let state = refetched_with("Samme.", "Samme.");
    assert!(shown(&state).changes().is_empty());
    // An answer to an earlier read arriving now does not replace the fetched text.
    let mut state = state;
    state.update(loaded(&[("ted:1", "Eldre.")]));
    assert_eq!(shown(&state).notice.description, "Samme.");
}

#[test]
fn suggestions_wait_for_the_decided_notices_descriptions() {
    let rejected = |n: &str, title: &str| {
        let mut r = notice(&format!("ted:{n}"))
            .title(title)
            .triage(Triage::Rejected)
            .build();
        r.edit_user(|u| u.reject_reason = Some("pharmaceuticals only".to_owned()));
        in_store(r)
    };
    let records = vec![
        rejected("1", "Levering til sykehusapotek"),
        rejected("2", "Rammeavtale sykehusapotek"),
        rejected("3", "Anbudskonkurranse"),
        in_store(notice("ted:4").title("Undecided").score(3).build()),
    ];
    let mut state = AppState::new(records, &[], now()).with_suggestions_for(anbud::matching::Profile::bundled(), true);
    let effects = state.update(Msg::Action(Action::ShowSuggestions));
    // Only the decided notices are read.
    assert_eq!(
        effects,
        [Effect::LoadDescriptions(vec![id("ted:1"), id("ted:2"), id("ted:3")])]
    );
    assert_ne!(state.mode(), Mode::Suggestions);

    // The shared word is in the descriptions only.
    state.update(loaded(&[
        ("ted:1", "Blodtrykksmedisin i store mengder."),
        ("ted:2", "Blodtrykksmedisin og insulin."),
        ("ted:3", "Blodtrykksmedisin, tablettar."),
    ]));
    assert_eq!(state.mode(), Mode::Suggestions);
    let (items, _, _) = state.suggestions();
    assert!(items.iter().any(|s| s.term == "blodtrykksmedisin"), "{items:?}");
}

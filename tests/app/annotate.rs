//! Tags (`t`) and reject reasons (`X`) through the pure core: what is typed, what is sent to the
//! store, and that nothing shows before the store has confirmed it.

use crate::common;

use anbud::app::{Action, AppState, Effect, Mode, Msg, ReasonPick, TextEdit, View};
use anbud::model::{NoticeId, TagEdit, Triage};
use anbud::store::StoreEvent;
use common::{notice, now};

fn state() -> AppState {
    let mut tagged = notice("ted:3").title("Pasientjournal EPJ").score(4).build();
    tagged.edit_user(|u| u.tags = vec!["kari".to_owned(), "urgent".to_owned()]);
    let mut other = notice("ted:4").title("Journalsystem").score(3).build();
    other.edit_user(|u| u.tags = vec!["kari".to_owned(), "kommune".to_owned()]);
    let records = vec![
        notice("ted:1").title("Trygghetsalarmer").score(9).build(),
        notice("ted:2").title("Røntgenutstyr").score(8).build(),
        tagged,
        other,
    ];
    AppState::new(records, &["TED".to_owned()], now())
        .with_reject_reasons(vec!["pharmaceuticals only".to_owned(), "staffing".to_owned()])
}

fn act(state: &mut AppState, action: Action) -> Vec<Effect> {
    state.update(Msg::Action(action))
}

fn edit(state: &mut AppState, edit: TextEdit) -> Vec<Effect> {
    state.update(Msg::Edit(edit))
}

fn type_text(state: &mut AppState, text: &str) {
    for c in text.chars() {
        edit(state, TextEdit::Insert(c));
    }
}

fn id(native: &str) -> NoticeId {
    NoticeId::new("ted", native)
}

fn tags_of(state: &AppState, native: &str) -> Vec<String> {
    state
        .visible()
        .iter()
        .map(|r| state.record(r))
        .find(|r| r.notice.native_id == native)
        .map(|r| r.tags().to_vec())
        .expect("visible")
}

#[test]
fn tagging_one_notice_is_saved_then_shown_and_searchable() {
    let mut state = state();
    act(&mut state, Action::EditTags);
    assert_eq!(state.mode(), Mode::Tag);
    type_text(&mut state, "Bid Team  kari");
    let effects = edit(&mut state, TextEdit::Submit);
    assert_eq!(state.mode(), Mode::List);
    assert_eq!(
        effects,
        [Effect::SaveTags(vec![TagEdit {
            id: id("1"),
            from: Vec::new(),
            to: vec!["bid".to_owned(), "kari".to_owned(), "team".to_owned()]
        }])]
    );
    assert!(
        tags_of(&state, "1").is_empty(),
        "nothing shows before the store confirms"
    );
    let Effect::SaveTags(edits) = effects[0].clone() else {
        unreachable!()
    };
    let saved = edits.into_iter().map(|e| (e.id, e.to)).collect();
    state.update(Msg::Store(StoreEvent::TagsSaved(saved)));
    assert_eq!(tags_of(&state, "1"), ["bid", "kari", "team"]);
    // `/` finds tags.
    act(&mut state, Action::StartSearch);
    type_text(&mut state, "#team");
    let found: Vec<String> = state
        .visible()
        .iter()
        .map(|r| state.record(r).notice.native_id.clone())
        .collect();
    assert_eq!(found, ["1"]);
}

#[test]
fn the_prompt_starts_with_the_notice_tags_and_tab_completes_from_tags_in_use() {
    let mut state = state();
    act(&mut state, Action::SelectLast); // ted:4, tagged kari + kommune
    act(&mut state, Action::EditTags);
    assert_eq!(state.tag_draft(), "kari kommune ");
    type_text(&mut state, "u");
    edit(&mut state, TextEdit::Complete);
    assert_eq!(state.tag_draft(), "kari kommune urgent");
    // Removing a word and submitting replaces the list.
    for _ in 0.."kommune urgent".len() {
        edit(&mut state, TextEdit::Backspace);
    }
    type_text(&mut state, "k");
    edit(&mut state, TextEdit::Complete);
    // "kari" is typed already, so the first candidate is the other k-tag; Tab again cycles.
    assert_eq!(state.tag_draft(), "kari kommune");
    edit(&mut state, TextEdit::Complete);
    assert_eq!(state.tag_draft(), "kari kommune", "one candidate: it stays");
    let effects = edit(&mut state, TextEdit::Submit);
    assert!(
        effects.is_empty(),
        "same tags as before: nothing to save, got {effects:?}"
    );
}

#[test]
fn bulk_tagging_adds_to_and_removes_from_every_marked_notice() {
    let mut state = state();
    act(&mut state, Action::MarkAll);
    act(&mut state, Action::EditTags);
    assert_eq!(state.tag_draft(), "", "a bulk prompt starts empty");
    type_text(&mut state, "q4 -kari");
    let effects = edit(&mut state, TextEdit::Submit);
    let [Effect::SaveTags(changes)] = effects.as_slice() else {
        panic!("one save, got {effects:?}");
    };
    let by_id: std::collections::HashMap<_, _> = changes.iter().map(|e| (e.id.clone(), e.to.clone())).collect();
    assert_eq!(by_id.len(), 4);
    assert_eq!(by_id[&id("1")], ["q4"]);
    assert_eq!(by_id[&id("3")], ["q4", "urgent"]);
    assert_eq!(by_id[&id("4")], ["kommune", "q4"]);
}

#[test]
fn minus_tag_on_one_notice_removes_that_tag() {
    let mut state = state();
    act(&mut state, Action::SelectLast); // ted:4, tagged kari + kommune
    act(&mut state, Action::EditTags);
    assert_eq!(state.tag_draft(), "kari kommune ");
    // The tag is still in the prefilled list; "-kari" after it removes it all the same.
    type_text(&mut state, "-kari");
    let effects = edit(&mut state, TextEdit::Submit);
    assert_eq!(
        effects,
        [Effect::SaveTags(vec![TagEdit {
            id: id("4"),
            from: vec!["kari".to_owned(), "kommune".to_owned()],
            to: vec!["kommune".to_owned()]
        }])]
    );
    // A removal that names a tag the notice does not have changes nothing.
    act(&mut state, Action::EditTags);
    type_text(&mut state, "-nosuch");
    let effects = edit(&mut state, TextEdit::Submit);
    assert!(effects.is_empty(), "got {effects:?}");
}

#[test]
fn a_failed_tag_save_changes_nothing_and_says_why() {
    let mut state = state();
    act(&mut state, Action::EditTags);
    type_text(&mut state, "x");
    edit(&mut state, TextEdit::Submit);
    state.update(Msg::Store(StoreEvent::AnnotationNotSaved {
        what: "tags",
        error: "database or disk is full".to_owned(),
    }));
    assert!(tags_of(&state, "1").is_empty());
    let status = state.status().expect("a message").text.clone();
    assert!(
        status.contains("NOT saved") && status.contains("disk is full"),
        "{status}"
    );
}

#[test]
fn escape_leaves_the_tags_alone() {
    let mut state = state();
    act(&mut state, Action::EditTags);
    type_text(&mut state, "oops");
    assert!(edit(&mut state, TextEdit::Cancel).is_empty());
    assert_eq!(state.mode(), Mode::List);
}

#[test]
fn reject_with_a_reason_rejects_and_records_the_reason() {
    let mut state = state();
    assert!(act(&mut state, Action::RejectWithReason).is_empty());
    assert_eq!(state.mode(), Mode::Reason);
    let effects = state.update(Msg::ReasonPicked(ReasonPick::Reason(1)));
    assert_eq!(state.mode(), Mode::List);
    assert!(effects.iter().any(
        |e| matches!(e, Effect::SaveTriage { change, .. } if change.to == Triage::Rejected && change.id == id("1"))
    ));
    assert!(effects.contains(&Effect::SaveRejectReason {
        ids: vec![id("1")],
        reason: Some("staffing".to_owned()),
        before: vec![None],
    }));
}

#[test]
fn cancelling_the_reason_picker_rejects_nothing() {
    let mut state = state();
    act(&mut state, Action::RejectWithReason);
    assert!(state.update(Msg::ReasonPicked(ReasonPick::Cancel)).is_empty());
    assert_eq!(state.view(), View::Inbox);
    assert_eq!(state.mode(), Mode::List);
}

#[test]
fn a_mass_reject_with_a_reason_saves_the_reason_only_after_yes() {
    let mut records: Vec<_> = (1..=8).map(|n| notice(&format!("ted:{n}")).score(9).build()).collect();
    records.truncate(8);
    let mut state = AppState::new(records, &[], now()).with_reject_reasons(vec!["generic IT".to_owned()]);
    act(&mut state, Action::MarkAll);
    act(&mut state, Action::RejectWithReason);
    let asked = state.update(Msg::ReasonPicked(ReasonPick::Reason(0)));
    assert_eq!(state.mode(), Mode::Confirm);
    assert!(asked.is_empty(), "nothing is saved before y: {asked:?}");
    let effects = state.update(Msg::Confirmed(true));
    let rejects = effects
        .iter()
        .filter(|e| matches!(e, Effect::SaveTriage { .. }))
        .count();
    assert_eq!(rejects, 8);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveRejectReason { ids, reason, .. } if ids.len() == 8 && reason.as_deref() == Some("generic IT")))
    );
}

#[test]
fn without_configured_reasons_x_rejects_at_once() {
    let records = vec![notice("ted:1").score(9).build()];
    let mut state = AppState::new(records, &[], now());
    let effects = act(&mut state, Action::RejectWithReason);
    assert_eq!(state.mode(), Mode::List);
    assert!(effects.iter().any(|e| matches!(e, Effect::SaveTriage { .. })));
}

mod alerts {
    use super::*;

    /// A Doffin poll bringing `items`, saved by `saver`; the effects that follow.
    fn poll(
        saver: &mut common::saver::Saver,
        state: &mut AppState,
        items: Vec<(anbud::model::Notice, anbud::model::Relevance)>,
    ) -> Vec<Effect> {
        saver.poll(state, common::saver::fetched("Doffin", items))
    }

    fn scored(native: &str, title: &str, score: i32) -> (anbud::model::Notice, anbud::model::Relevance) {
        let record = notice(&format!("doffin:{native}")).title(title).score(score).build();
        (record.notice, record.relevance)
    }

    fn notifications(effects: &[Effect]) -> Vec<(String, String)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Notify { summary, body } => Some((summary.clone(), body.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn off_by_default() {
        let mut state = AppState::new(Vec::new(), &[], now());
        let mut saver = common::saver::Saver::empty();
        let effects = poll(&mut saver, &mut state, vec![scored("1", "Trygghetsalarmer", 30)]);
        assert!(notifications(&effects).is_empty());
    }

    #[test]
    fn one_notification_per_poll_for_new_notices_above_the_threshold() {
        let mut state = AppState::new(Vec::new(), &[], now()).with_notifications(Some(10));
        let mut saver = common::saver::Saver::empty();
        let effects = poll(
            &mut saver,
            &mut state,
            vec![
                scored("1", "Kateter", 12),
                scored("2", "Trygghetsalarmer", 20),
                scored("3", "Renhold", 9),
            ],
        );
        assert_eq!(
            notifications(&effects),
            [(
                "anbud: 2 new Doffin notices scoring 10 or more".to_owned(),
                "Trygghetsalarmer — Oslo kommune".to_owned()
            )]
        );
        // The same notices again (a re-read window) are not new: no second notification.
        let effects = poll(
            &mut saver,
            &mut state,
            vec![scored("1", "Kateter", 12), scored("2", "Trygghetsalarmer", 20)],
        );
        assert!(notifications(&effects).is_empty());
        let effects = poll(&mut saver, &mut state, vec![scored("4", "Medisindispenser", 10)]);
        assert_eq!(
            notifications(&effects),
            [(
                "anbud: new Doffin notice, score 10".to_owned(),
                "Medisindispenser — Oslo kommune".to_owned()
            )]
        );
    }
}

mod suggestions {
    use super::*;
    use anbud::app::suggestions::SuggestionKey;

    fn rejected(native: &str, title: &str, reason: &str) -> anbud::model::NoticeRecord {
        let mut r = notice(&format!("ted:{native}"))
            .title(title)
            .score(5)
            .triage(Triage::Rejected)
            .build();
        r.edit_user(|u| u.reject_reason = Some(reason.to_owned()));
        r
    }

    fn state(writable: bool) -> AppState {
        let records = vec![
            rejected(
                "1",
                "Levering av blodtrykksmedisin til sykehusapotek",
                "pharmaceuticals only",
            ),
            rejected("2", "Rammeavtale blodtrykksmedisin og insulin", "pharmaceuticals only"),
            rejected("3", "Blodtrykksmedisin, anbudskonkurranse", "pharmaceuticals only"),
            notice("ted:4")
                .title("Blodtrykksmåler til hjemmeoppfølging")
                .score(9)
                .triage(Triage::Shortlisted)
                .build(),
        ];
        AppState::new(records, &[], now()).with_suggestions_for(anbud::matching::Profile::bundled(), writable)
    }

    #[test]
    fn repeated_reasons_become_an_offer_that_is_accepted_only_by_the_user() {
        let mut state = state(true);
        act(&mut state, Action::ShowSuggestions);
        assert_eq!(state.mode(), Mode::Suggestions);
        let (items, _, writable) = state.suggestions();
        assert!(writable);
        let first = items.first().expect("a suggestion").clone();
        assert_eq!(first.term, "blodtrykksmedisin");
        assert_eq!(first.reason, "pharmaceuticals only");
        assert_eq!(first.support, 3);
        let effects = state.update(Msg::Suggestion(SuggestionKey::Accept));
        assert_eq!(
            effects,
            [Effect::AcceptExclusion {
                profile: "health-tech".to_owned(),
                term: "blodtrykksmedisin".to_owned(),
                weight: first.weight,
            }]
        );
        assert!(state.suggestions().0.iter().all(|s| s.term != "blodtrykksmedisin"));
        state.update(Msg::Suggestion(SuggestionKey::Close));
        assert_eq!(state.mode(), Mode::List);
        // Reopened in the same session, an accepted term is not offered again.
        act(&mut state, Action::ShowSuggestions);
        assert!(state.suggestions().0.iter().all(|s| s.term != "blodtrykksmedisin"));
    }

    #[test]
    fn a_bundled_profile_cannot_be_written_and_says_how_to_fix_it() {
        let mut state = state(false);
        act(&mut state, Action::ShowSuggestions);
        assert!(state.update(Msg::Suggestion(SuggestionKey::Accept)).is_empty());
        let status = state.status().expect("message").text.clone();
        assert!(status.contains("profiles = [...]"), "{status}");
    }
}

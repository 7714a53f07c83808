//! Won or lost from award notices: a bid of yours (bidding or submitted) whose linked award names
//! you becomes won, one awarded to someone else lost — proposed by anbud through the ordinary triage
//! path (a `SaveTriage` a real store logs, undoable with `u`), never over a later decision of yours,
//! never from an intent or no-award notice.

use anbud::app::market::OwnIdentity;
use anbud::app::{Action, AppState, Effect, Msg};
use anbud::feeds::awards::{doffin_hits, ted_legacy, ted_search};
use anbud::model::{
    Award, AwardLink, DecisionKind, LinkMethod, NoticeId, RetenderLead, StoredAward, Triage, TriageChange,
};
use anbud::store::{Store, StoreCommand, execute};
use jiff::Timestamp;

use super::common::{notice, now, saves};
use super::parse::{DOFFIN_AWARD_HIT, DOFFIN_INTENT_HIT, LEGACY_CAN, TED_CAN};

/// `rows` as stored awards linked to the competition notice `to`.
fn linked(rows: Vec<Award>, to: &str) -> Vec<StoredAward> {
    rows.into_iter()
        .map(|award| StoredAward {
            award,
            end: None,
            link: Some(AwardLink {
                competition: NoticeId(to.to_owned()),
                method: LinkMethod::ProcedureId,
                score: None,
            }),
            linked_cn_months: None,
        })
        .collect()
}

/// Bids on `ted:1` … in the given stages; `own` as in the config.
fn bids(stages: &[Triage], own: OwnIdentity) -> (AppState, Store) {
    let records: Vec<_> = stages
        .iter()
        .enumerate()
        .map(|(i, t)| {
            notice(&format!("ted:{}", i + 1))
                .title(&format!("Bid {}", i + 1))
                .triage(*t)
                .build()
        })
        .collect();
    let mut store = Store::open_in_memory().unwrap();
    let items: Vec<_> = records
        .iter()
        .map(|r| (r.notice.clone(), r.relevance.clone()))
        .collect();
    store.upsert_notices(&items, now()).unwrap();
    for r in &records {
        let change = TriageChange {
            id: r.notice.id.clone(),
            from: Triage::New,
            to: r.triage,
        };
        store
            .save_triage(&change, "2020-01-01T00:00:00Z".parse().unwrap())
            .unwrap();
    }
    // As at start-up: the decisions log's history continues, batch numbers too.
    let core = AppState::new(records, &[], now())
        .with_history(store.load_history(500).unwrap())
        .with_market_settings(RetenderLead::default(), own);
    (core, store)
}

/// Answers every `SaveTriage` as the store thread does, with a real store; returns the rest.
fn answer(core: &mut AppState, store: &mut Store, effects: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    for effect in effects {
        if let Effect::SaveTriage { change, kind, batch } = effect {
            let cmd = StoreCommand::SaveTriage {
                change,
                kind,
                batch,
                at: now(),
            };
            let more = core.update(Msg::Store(execute(store, cmd)));
            rest.extend(answer(core, store, more));
        } else {
            rest.push(effect);
        }
    }
    rest
}

fn triage(core: &AppState, id: &str) -> Triage {
    core.record_by_id(&NoticeId(id.to_owned())).map(|r| r.triage).unwrap()
}

fn tick(core: &mut AppState) -> Vec<Effect> {
    core.update(Msg::ClockTicked(now()))
}

#[test]
fn an_award_naming_you_wins_the_bid_as_a_logged_undoable_decision() {
    // Globalconnect AS, 890 164 072, as a config would write it.
    let own = OwnIdentity::new(&["NO 890 164 072 MVA".to_owned()], &[]);
    let (core, mut store) = bids(&[Triage::Submitted], own);
    let mut core = core.with_awards(linked(doffin_hits::parse(DOFFIN_AWARD_HIT).unwrap(), "ted:1"));
    let effects = tick(&mut core);
    let change = TriageChange {
        id: NoticeId("ted:1".to_owned()),
        from: Triage::Submitted,
        to: Triage::Won,
    };
    assert_eq!(saves(&effects), vec![(change.clone(), DecisionKind::Do)]);
    assert!(
        core.status()
            .unwrap()
            .text
            .starts_with("By anbud: ted:1 won — award notice doffin:2026-112546 names you")
    );
    answer(&mut core, &mut store, effects);
    assert_eq!(triage(&core, "ted:1"), Triage::Won);
    let said = &core.status().unwrap().text;
    assert!(said.starts_with("By anbud from an award notice — Saved: won"), "{said}");
    assert!(said.ends_with("(u undoes)"), "{said}");
    // Logged like a key press: the store's decisions log has it, so undo survives a restart.
    let history = store.load_history(10).unwrap();
    assert_eq!(history.undo.last(), Some(&vec![change.clone()]));
    // Settled once: later messages do not propose it again.
    assert!(saves(&tick(&mut core)).is_empty());
    // `u` takes it back through the same path.
    let undo = core.update(Msg::Action(Action::Undo));
    assert_eq!(saves(&undo), vec![(change.reversed(), DecisionKind::Undo)]);
    answer(&mut core, &mut store, undo);
    assert_eq!(triage(&core, "ted:1"), Triage::Submitted);
    assert!(
        saves(&tick(&mut core)).is_empty(),
        "an undone settlement is not redone by anbud"
    );
}

#[test]
fn an_award_to_someone_else_loses_the_bid_and_says_to_whom() {
    let own = OwnIdentity::new(&[], &["Acme Medical AS".to_owned()]);
    let (core, mut store) = bids(&[Triage::Bidding], own);
    let mut core = core.with_awards(linked(ted_search::parse(TED_CAN).unwrap(), "ted:1"));
    let effects = tick(&mut core);
    assert_eq!(saves(&effects).len(), 1);
    assert_eq!(saves(&effects)[0].0.to, Triage::Lost);
    let said = core.status().unwrap().text.clone();
    assert!(
        said.contains("awarded to Wach- und Werkschutz Kurt Strube GmbH, AWD-Gebäudedienste"),
        "{said}"
    );
    answer(&mut core, &mut store, effects);
    assert_eq!(triage(&core, "ted:1"), Triage::Lost);
    core.update(Msg::Action(Action::ToggleMarket));
    let record = core.market().record();
    assert_eq!((record.lost, record.won, record.win_rate()), (1, 0, Some(0.0)));
    let to: Vec<&str> = record.lost_to.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(to, ["AWD-Gebäudedienste", "Wach- und Werkschutz Kurt Strube GmbH"]);
}

#[test]
fn an_id_the_source_could_not_pair_to_a_lot_still_names_you() {
    let rows = ted_search::parse(TED_CAN).unwrap();
    let unpaired = rows[0]
        .unpaired_winner_ids
        .first()
        .cloned()
        .expect("TED lists ids per distinct winner");
    let (core, _) = bids(&[Triage::Submitted], OwnIdentity::new(&[unpaired], &[]));
    let mut core = core.with_awards(linked(rows, "ted:1"));
    assert_eq!(saves(&tick(&mut core))[0].0.to, Triage::Won);
}

#[test]
fn intent_and_no_award_notices_settle_nothing() {
    let own = OwnIdentity::new(&[], &["Medanets OY".to_owned(), "Acme".to_owned()]);
    let (core, _) = bids(&[Triage::Submitted, Triage::Submitted], own);
    let mut awards = linked(doffin_hits::parse(DOFFIN_INTENT_HIT).unwrap(), "ted:1");
    awards.extend(linked(ted_legacy::parse(LEGACY_CAN).unwrap().awards(), "ted:2"));
    let mut core = core.with_awards(awards);
    assert!(saves(&tick(&mut core)).is_empty());
    core.update(Msg::Action(Action::ToggleMarket));
    let record = core.market().record();
    assert_eq!((record.submitted, record.no_award, record.lost), (1, 1, 0));
}

#[test]
fn a_decision_of_yours_after_the_award_date_is_never_overridden() {
    let rows = doffin_hits::parse(DOFFIN_AWARD_HIT).unwrap();
    let day = anbud::app::market::award_day(&rows[0]).expect("the hit is dated");
    let own = OwnIdentity::new(&["890164072".to_owned()], &[]);
    let after: Timestamp = day
        .tomorrow()
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    let before: Timestamp = day
        .yesterday()
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp();
    let (core, _) = bids(&[Triage::Submitted, Triage::Submitted], own);
    let times = [
        (NoticeId("ted:1".to_owned()), after),
        (NoticeId("ted:2".to_owned()), before),
    ];
    let mut awards = linked(rows.clone(), "ted:1");
    awards.extend(linked(rows, "ted:2"));
    let mut core = core
        .with_decision_times(times.into_iter().collect())
        .with_awards(awards);
    let settled: Vec<String> = saves(&tick(&mut core))
        .into_iter()
        .map(|(c, _)| c.id.to_string())
        .collect();
    assert_eq!(settled, ["ted:2"], "ted:1 was moved after the award");
}

#[test]
fn without_own_ids_or_names_no_bid_is_settled() {
    let (core, _) = bids(&[Triage::Submitted], OwnIdentity::new(&[], &[]));
    let mut core = core.with_awards(linked(ted_search::parse(TED_CAN).unwrap(), "ted:1"));
    assert!(saves(&tick(&mut core)).is_empty());
}

#[test]
fn a_notice_not_in_the_pipeline_is_not_settled() {
    let own = OwnIdentity::new(&[], &["Acme".to_owned()]);
    let (core, _) = bids(&[Triage::Shortlisted, Triage::Rejected, Triage::Won], own);
    let mut awards = Vec::new();
    for id in ["ted:1", "ted:2", "ted:3"] {
        awards.extend(linked(ted_search::parse(TED_CAN).unwrap(), id));
    }
    let mut core = core.with_awards(awards);
    assert!(saves(&tick(&mut core)).is_empty());
}

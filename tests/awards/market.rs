//! The Market screen (`m`, `b`) on the recorded award fixtures: imported through the real parsers
//! into an in-memory store, read by the binary's own start-up, driven through `update` and drawn on
//! a `TestBackend`.

use std::sync::Arc;

use anbud::app::market::{FamilyKind, MarketSection};
use anbud::app::{Action, AppState, Keymap, Mode, Msg, View};
use anbud::feeds::awards::{eforms, ocds, ted_legacy, ted_search};
use anbud::model::{Award, AwardStatus, NoticeId, Relevance, StoredAward};
use anbud::runtime::Startup;
use anbud::store::Store;
use anbud::ui::{Theme, ViewState};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use super::common::screen::{Look, draw, draw_with, rows};
use super::parse::{CF_2022, DOFFIN_XML, LEGACY_CN, LEGACY_VEAT, TED_CAN};

/// 2025-06-01: the recorded contracts ending 2026 are still running.
fn now() -> Timestamp {
    "2025-06-01T08:00:00Z".parse().unwrap()
}

/// A store holding the legacy competition notice 300984-2021 (scored with the configured profiles,
/// as `awards --import` stores it) and every recorded award, linked.
fn store_with_awards(config: &anbud::config::Config) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let notice = ted_legacy::parse(LEGACY_CN).unwrap().to_notice();
    let score = anbud::runtime::scorer(config).unwrap();
    let relevance = score(&notice);
    store.upsert_notices(&[(notice, relevance)], now()).unwrap();
    store.save_awards(&super::store::every_fixture(), now()).unwrap();
    store.relink_awards(now()).unwrap();
    store
}

fn market_core(config: &anbud::config::Config) -> AppState {
    Startup::prepare(config, store_with_awards(config), now()).unwrap().core
}

fn screen(core: &AppState) -> String {
    rows(&draw(core, 150, 30)).join("\n")
}

/// The core after `keys` (each a key press translated by the default keymap).
fn press(core: &mut AppState, keys: &[KeyCode]) {
    let keymap = Keymap::default();
    for code in keys {
        let event = Event::Key(KeyEvent::new(*code, KeyModifiers::NONE));
        if let Some(msg) = keymap.translate(&event, core) {
            core.update(msg);
        }
    }
}

/// Selects the notice `id` in the All tab.
fn select(core: &mut AppState, id: &NoticeId) {
    core.update(Msg::ClickView(View::All));
    core.update(Msg::Action(Action::SelectFirst));
    for _ in 0..core.count(View::All) {
        if core.selected_record().is_some_and(|r| &r.notice.id == id) {
            return;
        }
        core.update(Msg::Action(Action::SelectNext));
    }
    panic!("{id} is not in the All tab");
}

#[test]
fn the_market_screen_shows_the_recorded_awards_in_your_space_by_section() {
    let config = anbud::config::load(None).unwrap();
    let mut core = market_core(&config);
    let market = core.market();
    assert_eq!(
        market.awards().len(),
        super::store::every_fixture().len(),
        "start-up reads every award, linked or not"
    );
    press(&mut core, &[KeyCode::Char('m')]);
    assert_eq!(core.mode(), Mode::Market);
    assert_eq!(core.market().section(), MarketSection::Awards);
    let in_space: Vec<String> = core
        .market()
        .in_space()
        .map(|a| a.award.notice_id.to_string())
        .collect();
    // The discontinued lenalidomide procedure is pharmaceuticals: the health-tech profile does not
    // match it, nor its competition notice.
    assert!(!in_space.contains(&"ted:335380-2021".to_owned()), "{in_space:?}");
    assert!(!in_space.is_empty());
    insta::assert_snapshot!("market_awards", screen(&core));
    // On 80 columns the section line shortens its labels and the sentence gets its third line.
    let narrow = rows(&draw(&core, 80, 24)).join("\n");
    assert!(narrow.contains("2 Incumb."), "{narrow}");
    insta::assert_snapshot!("market_awards_80x24", narrow);

    press(&mut core, &[KeyCode::Char('2')]);
    assert_eq!(core.market().section(), MarketSection::Incumbents);
    insta::assert_snapshot!("market_incumbents", screen(&core));

    press(&mut core, &[KeyCode::Char('3')]);
    let expiring: Vec<&StoredAward> = core.market().expiring().collect();
    let ends: Vec<String> = expiring
        .iter()
        .filter_map(|a| a.end.map(|e| e.end.to_string()))
        .collect();
    let mut sorted = ends.clone();
    sorted.sort();
    assert_eq!(ends, sorted, "ordered by estimated end");
    assert!(
        ends.iter().all(|e| e.as_str() >= "2025-06-01"),
        "only contracts still running"
    );
    let text = screen(&core);
    assert!(text.contains("Re-tender window = end − 9 … end −"), "{text}");
    insta::assert_snapshot!("market_expiring", text);

    // Esc closes; the list is where it was.
    press(&mut core, &[KeyCode::Esc]);
    assert_eq!(core.mode(), Mode::List);
}

#[test]
fn a_bid_on_a_procedure_ended_without_award_counts_as_no_award_and_is_not_lost() {
    let mut config = anbud::config::load(None).unwrap();
    config.own_names = vec!["Acme Medical AS".to_owned()];
    let mut store = store_with_awards(&config);
    let competition = NoticeId::new("ted", "300984-2021");
    let bid = anbud::model::TriageChange {
        id: competition.clone(),
        from: anbud::model::Triage::New,
        to: anbud::model::Triage::Submitted,
    };
    store.save_triage(&bid, now()).unwrap();
    let mut core = Startup::prepare(&config, store, now()).unwrap().core;
    // The first message runs the settling: the discontinued procedure's award settles nothing.
    let effects = core.update(Msg::ClockTicked(now()));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, anbud::app::Effect::SaveTriage { .. })),
        "{effects:?}"
    );
    assert_eq!(
        core.record_by_id(&competition).map(|r| r.triage),
        Some(anbud::model::Triage::Submitted)
    );
    press(&mut core, &[KeyCode::Char('m'), KeyCode::Char('4')]);
    let record = core.market().record();
    assert_eq!((record.no_award, record.submitted, record.lost), (1, 0, 0));
    insta::assert_snapshot!("market_record_no_award", screen(&core));
}

#[test]
fn b_on_a_notice_shows_its_buyers_awards_and_notices() {
    let config = anbud::config::load(None).unwrap();
    let mut core = market_core(&config);
    let competition = NoticeId::new("ted", "300984-2021");
    select(&mut core, &competition);
    press(&mut core, &[KeyCode::Char('b')]);
    assert_eq!(core.mode(), Mode::Market);
    assert_eq!(core.market().section(), MarketSection::Buyer);
    let history = core.market().buyer().expect("a buyer");
    assert_eq!(history.from, competition);
    assert_eq!(history.notices, vec![competition.clone()]);
    // Sykehusinnkjøp's award notices, whether in your space or not: the no-award CAN of this very
    // procedure, and the two intent notices (which are nobody's win yet).
    let awards: Vec<(String, AwardStatus)> = core
        .market()
        .buyer_awards()
        .map(|a| (a.award.notice_id.to_string(), a.award.status))
        .collect();
    assert!(
        awards.contains(&("ted:335380-2021".to_owned(), AwardStatus::NoAward)),
        "{awards:?}"
    );
    assert!(
        awards.iter().filter(|(_, s)| *s == AwardStatus::Intent).count() >= 1,
        "{awards:?}"
    );
    assert!(
        history.winners.is_empty(),
        "intents and no-award are not wins: {:?}",
        history.winners
    );
    insta::assert_snapshot!("market_buyer_history", screen(&core));
    // Tab cycles the sections, the buyer among them now that one is chosen.
    press(&mut core, &[KeyCode::Tab]);
    assert_eq!(core.market().section(), MarketSection::Awards);
    press(&mut core, &[KeyCode::BackTab]);
    assert_eq!(core.market().section(), MarketSection::Buyer);
}

/// Every award in your space: a scorer that matches everything under the profile "health-tech".
fn everything_matches(notice: &anbud::model::Notice) -> Relevance {
    let _ = notice;
    Relevance {
        score: 10,
        matched: true,
        hits: Vec::new(),
        profiles: vec!["health-tech".to_owned()],
        badges: Default::default(),
    }
}

fn stored(award: Award) -> StoredAward {
    StoredAward {
        award,
        end: None,
        link: None,
        linked_cn_months: None,
    }
}

#[test]
fn incumbents_sum_awarded_values_per_currency_and_keep_ceilings_apart() {
    let mut rows: Vec<StoredAward> = ted_search::parse(TED_CAN).unwrap().into_iter().map(stored).collect();
    rows.extend(eforms::parse(DOFFIN_XML).unwrap().into_iter().map(stored));
    // The Nordic Pill VEAT read as the framework it concluded (signed 2022-12-02): its value is a
    // ceiling, which must never count as spend.
    let mut framework = ted_legacy::parse(LEGACY_VEAT).unwrap().awards();
    for row in &mut framework {
        row.status = AwardStatus::Awarded;
    }
    rows.extend(framework.into_iter().map(stored));
    let mut core = AppState::new(Vec::new(), &[], now())
        .with_award_scorer(Arc::new(everything_matches))
        .with_awards(rows);
    core.update(Msg::Action(Action::ToggleMarket));
    core.update(Msg::MarketSection(MarketSection::Incumbents));
    let groups = core.market().incumbents();
    let by_cpv: Vec<&str> = groups
        .iter()
        .filter(|g| g.kind == FamilyKind::Cpv)
        .map(|g| g.label.as_str())
        .collect();
    assert_eq!(
        by_cpv,
        [
            "CPV 33 medical equipment, pharmaceuticals",
            "CPV 79 business services",
            "CPV 85 health and social work",
            "CPV 90"
        ]
    );
    let profile = groups
        .iter()
        .find(|g| g.kind == FamilyKind::Profile)
        .expect("per profile");
    assert_eq!(profile.label, "health-tech");
    let row = |name: &str| {
        profile
            .rows
            .iter()
            .find(|r| r.supplier.contains(name))
            .unwrap_or_else(|| panic!("{name} in {:?}", profile.rows))
    };
    // Two lots of one notice, both in EUR: summed; tenders received 9 and 9.
    let strube = row("Strube");
    assert_eq!((strube.wins, strube.spend.in_words()), (2, "531 437.72 EUR".to_owned()));
    assert_eq!(strube.median_tenders, Some(9.0));
    assert_eq!(profile.rows[0].supplier, strube.supplier, "most wins first");
    let avonova = row("AVONOVA");
    assert_eq!(avonova.spend.in_words(), "17 000 000 NOK");
    let pill = row("Nordic Pill");
    assert!(pill.spend.is_empty(), "a framework ceiling is not spend");
    assert_eq!(pill.ceilings.largest_in_words(), "14 671 946 NOK");
    let text = screen(&core);
    assert!(text.contains("ceiling 14 671 946 NOK"), "{text}");
}

#[test]
fn the_market_screen_has_no_colour_under_no_color_and_no_escape_from_feed_text() {
    let mut hostile = ted_search::parse(TED_CAN).unwrap();
    hostile[0].winner_name = Some("Evil\u{1b}[2J Corp".to_owned());
    hostile[0].title = "Title\u{1b}]52;c;aGk=\u{7} end".to_owned();
    hostile[0].buyer = "Buyer\u{9b}31m".to_owned();
    let mut core = AppState::new(Vec::new(), &[], now())
        .with_award_scorer(Arc::new(everything_matches))
        .with_awards(hostile.into_iter().map(stored).collect());
    press(&mut core, &[KeyCode::Char('m')]);
    let look = Look {
        theme: Theme::new(false),
        ..Look::default()
    };
    for section in MarketSection::ALL {
        core.update(Msg::MarketSection(section));
        let terminal = draw_with(&core, 150, 30, &look, &mut ViewState::default());
        let buffer = terminal.backend().buffer();
        for cell in buffer.content() {
            assert_eq!(
                cell.fg,
                ratatui::style::Color::Reset,
                "{section:?}: no colour under NO_COLOR"
            );
            assert_eq!(
                cell.bg,
                ratatui::style::Color::Reset,
                "{section:?}: no colour under NO_COLOR"
            );
        }
        let text = rows(&terminal).join("\n");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{9b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(!text.contains("[2J") && !text.contains("52;c"), "{text}");
    }
    core.update(Msg::MarketSection(MarketSection::Awards));
    assert!(screen(&core).contains("Evil Corp"));
}

#[test]
fn movement_keys_and_the_wheel_scroll_the_section_and_stop_at_its_end() {
    let rows: Vec<StoredAward> = ocds::parse(CF_2022).unwrap().into_iter().map(stored).collect();
    let total = rows.len();
    let mut core = AppState::new(Vec::new(), &[], now())
        .with_award_scorer(Arc::new(everything_matches))
        .with_awards(rows);
    press(&mut core, &[KeyCode::Char('m')]);
    press(&mut core, &[KeyCode::Char('j'), KeyCode::Down]);
    assert_eq!(core.market().scroll(), 2);
    let wheel = Event::Mouse(crossterm::event::MouseEvent {
        kind: crossterm::event::MouseEventKind::ScrollDown,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    });
    let msg = Keymap::default().translate(&wheel, &core).expect("the wheel scrolls");
    core.update(msg);
    assert_eq!(core.market().scroll(), 3);
    press(&mut core, &[KeyCode::Char('G')]);
    assert_eq!(core.market().scroll(), total - 1, "the last row stays on screen");
    press(&mut core, &[KeyCode::Char('k'), KeyCode::Char('g')]);
    assert_eq!(core.market().scroll(), 0);
    // The help opens over it and closes back to it.
    press(&mut core, &[KeyCode::Char('?')]);
    assert_eq!(core.mode(), Mode::Help);
    press(&mut core, &[KeyCode::Esc]);
    assert_eq!(core.mode(), Mode::Market);
    // Triage keys do nothing here; the screen's own key closes it.
    press(&mut core, &[KeyCode::Char('s'), KeyCode::Char('x')]);
    assert!(!core.has_pending(), "no decision from the Market screen");
    assert_eq!(core.mode(), Mode::Market);
    press(&mut core, &[KeyCode::Char('m')]);
    assert_eq!(core.mode(), Mode::List);
}

#[test]
fn a_buyers_history_says_who_won_last_for_how_much() {
    let awards = eforms::parse(DOFFIN_XML).unwrap();
    // A notice of the same buyer, named as the award names it (the organisation number decides).
    let mut record = super::common::notice("doffin:2026-1").buyer(&awards[0].buyer).build();
    record.notice.buyer_id = awards[0].buyer_id.as_deref().map(Into::into);
    let mut core = AppState::new(vec![record], &[], now()).with_awards(awards.into_iter().map(stored).collect());
    press(&mut core, &[KeyCode::Char('b')]);
    let text = screen(&core);
    let line = text
        .lines()
        .find(|l| l.starts_with("Last award "))
        .unwrap_or_else(|| panic!("{text}"));
    // Dated by the notice's publication: its AwardDate is Doffin's 2000-01-01 placeholder.
    assert_eq!(
        line.trim_end(),
        "Last award 2022-08-25 — Awarded to AVONOVA HELSE AS for 17 000 000 NOK, 2 tenders"
    );
    assert_eq!(
        core.market().buyer().unwrap().winners,
        [("AVONOVA HELSE AS".to_owned(), 1)]
    );
}

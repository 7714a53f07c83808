//! Awards on the dashboard: imported with `anbud awards --import`, read by the binary's own
//! start-up and shown in the detail pane of the competition notice they conclude.

use anbud::app::{Action, Msg, View};
use anbud::runtime::Startup;
use anbud::store::Store;
use jiff::Timestamp;

use super::common::cli::{anbud, run, text};
use super::common::screen::{draw, rows};

#[test]
fn the_competition_notice_shows_its_outcome_in_the_detail_pane() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let fixture = |name: &str| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/awards")
            .join(name)
    };
    let out = run(anbud().arg("--db").arg(&db).args(["awards", "--import"]).args([
        fixture("notice-legacy-r209-300984-2021.xml"),
        fixture("notice-legacy-r209-can-335380-2021.xml"),
        // An award with no competition notice stored: not shown on any notice.
        fixture("notice-legacy-r209-veat-682047-2022.xml"),
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));

    let config = anbud::config::load(None).unwrap();
    let store = Store::open(&db).unwrap();
    let linked = anbud::store::AwardQuery {
        linked_only: true,
        ..Default::default()
    };
    assert_eq!(store.awards(&anbud::store::AwardQuery::default()).unwrap().len(), 2);
    assert_eq!(store.awards(&linked).unwrap().len(), 1, "one of them is linked");
    let mut core = Startup::prepare(&config, store, Timestamp::now()).unwrap().core;
    let competition = anbud::model::NoticeId::new("ted", "300984-2021");
    // Start-up reads both: the linked one shows on its notice, both count on the Market screen.
    assert_eq!(core.awards_for(&competition).len(), 1);
    assert_eq!(core.market().awards().len(), 2);

    core.update(Msg::ClickView(View::All));
    core.update(Msg::Action(Action::SelectFirst));
    for _ in 0..core.count(View::All) {
        if core.selected_record().is_some_and(|r| r.notice.id == competition) {
            break;
        }
        core.update(Msg::Action(Action::SelectNext));
    }
    assert_eq!(core.selected_record().map(|r| r.notice.id.clone()), Some(competition));
    core.update(Msg::Action(Action::ToggleDetail));
    let screen = rows(&draw(&core, 160, 40));
    let line = screen
        .iter()
        .find(|r| r.contains("Award "))
        .unwrap_or_else(|| panic!("no Award line:\n{}", screen.join("\n")));
    // A discontinued procedure: no winner, and not a loss for anyone who bid.
    assert!(
        line.contains("No award: the procedure ended without a winner"),
        "{line}"
    );
}

#[test]
fn an_award_reads_as_winner_value_and_tenders_and_an_intent_is_no_award_yet() {
    use anbud::feeds::awards::{doffin_hits, eforms};
    use anbud::model::StoredAward;
    let stored = |award| StoredAward {
        award,
        end: None,
        link: None,
        linked_cn_months: None,
    };
    let xml = eforms::parse(super::parse::DOFFIN_XML).unwrap();
    let line = stored(xml[0].clone()).outcome_in_words();
    assert!(line.starts_with("Awarded to "), "{line}");
    assert!(line.ends_with(" for 17 000 000 NOK, 2 tenders"), "{line}");
    let intent = doffin_hits::parse(super::parse::DOFFIN_INTENT_HIT).unwrap();
    let line = stored(intent[0].clone()).outcome_in_words();
    assert_eq!(line, "Intended award to Medanets OY");
}

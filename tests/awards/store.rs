//! Awards in the store: idempotent saves, links to competition notices by every key and by the
//! inferred match, estimates from a linked notice's duration, and the queries.

use anbud::feeds::awards::{doffin_hits, eforms, ocds, ted_legacy, ted_search};
use anbud::model::{
    Award, AwardStatus, CompetitionKeys, EndBasis, LinkKeys, LinkMethod, NoticeId, Relevance, RetenderLead,
};
use anbud::store::{AwardQuery, Store};
use jiff::Timestamp;
use jiff::civil::Date;

use super::parse::{
    CF_2022, CF_2025, DOFFIN_AWARD_HIT, DOFFIN_INTENT_HIT, DOFFIN_XML, LEGACY_CAN, LEGACY_CN, LEGACY_VEAT, TED_CAN,
};

fn at() -> Timestamp {
    "2026-11-22T12:00:00Z".parse().unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

pub(super) fn every_fixture() -> Vec<Award> {
    let mut rows = ted_search::parse(TED_CAN).unwrap();
    rows.extend(ted_legacy::parse(LEGACY_CAN).unwrap().awards());
    rows.extend(ted_legacy::parse(LEGACY_VEAT).unwrap().awards());
    rows.extend(doffin_hits::parse(DOFFIN_AWARD_HIT).unwrap());
    rows.extend(doffin_hits::parse(DOFFIN_INTENT_HIT).unwrap());
    rows.extend(eforms::parse(DOFFIN_XML).unwrap());
    rows.extend(ocds::parse(CF_2022).unwrap());
    rows.extend(ocds::parse(CF_2025).unwrap());
    rows
}

fn all(store: &Store) -> Vec<anbud::model::StoredAward> {
    store.awards(&AwardQuery::default()).unwrap()
}

/// The competition notice 300984-2021, stored as the dashboard stores notices.
fn store_competition_notice(store: &mut Store) {
    let notice = ted_legacy::parse(LEGACY_CN).unwrap().to_notice();
    assert!(
        notice.deadline.is_some(),
        "filed for the inferred match by its deadline"
    );
    store.upsert_notices(&[(notice, Relevance::default())], at()).unwrap();
}

#[test]
fn saving_twice_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let rows = every_fixture();
    let first = store.save_awards(&rows, at()).unwrap();
    assert_eq!(first.rows, rows.len());
    let before = all(&store);
    store.save_awards(&rows, at()).unwrap();
    assert_eq!(all(&store), before);
    assert_eq!(before.len(), rows.len());
    let saved: Vec<&Award> = before.iter().map(|s| &s.award).collect();
    for row in &rows {
        assert!(
            saved.contains(&row),
            "{:?} {} {} comes back as saved",
            row.notice_id,
            row.lot_id,
            row.seq
        );
    }
}

#[test]
fn the_doffin_xml_replaces_what_the_search_hit_said() {
    let mut store = Store::open_in_memory().unwrap();
    let mut hit = doffin_hits::parse(DOFFIN_AWARD_HIT).unwrap();
    // The hit and the XML of one notice: the XML's rows win, the hit's are gone.
    hit[0].notice_id = NoticeId::new("doffin", "2022-319091");
    store.save_awards(&hit, at()).unwrap();
    store.save_awards(&eforms::parse(DOFFIN_XML).unwrap(), at()).unwrap();
    let rows = all(&store);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].award.winner_name.as_deref(), Some("AVONOVA HELSE AS"));
}

#[test]
fn the_legacy_award_links_to_its_competition_notice_by_ref_notice_in_either_order() {
    let mut store = Store::open_in_memory().unwrap();
    store_competition_notice(&mut store);
    let summary = store
        .save_awards(&ted_legacy::parse(LEGACY_CAN).unwrap().awards(), at())
        .unwrap();
    assert_eq!((summary.notices, summary.linked), (1, 1));
    let row = &all(&store)[0];
    let link = row.link.as_ref().unwrap();
    assert_eq!(
        (link.competition.as_str(), link.method),
        ("ted:300984-2021", LinkMethod::RefNotice)
    );
    assert_eq!(
        row.award.status,
        AwardStatus::NoAward,
        "discontinued: not a loss for any bidder"
    );

    // Award first, competition notice later: unlinked until relinked.
    let mut store = Store::open_in_memory().unwrap();
    store
        .save_awards(&ted_legacy::parse(LEGACY_CAN).unwrap().awards(), at())
        .unwrap();
    assert_eq!(all(&store)[0].link, None);
    store_competition_notice(&mut store);
    assert_eq!(store.relink_awards(at()).unwrap(), 1);
    assert_eq!(all(&store)[0].link.as_ref().unwrap().method, LinkMethod::RefNotice);
}

#[test]
fn without_a_key_the_buyer_title_and_cpv_match_is_an_inferred_link() {
    let mut store = Store::open_in_memory().unwrap();
    store_competition_notice(&mut store);
    let mut rows = ted_legacy::parse(LEGACY_CAN).unwrap().awards();
    rows[0].keys = LinkKeys::default();
    store.save_awards(&rows, at()).unwrap();
    let link = all(&store)[0].link.clone().unwrap();
    assert_eq!(
        (link.competition.as_str(), link.method),
        ("ted:300984-2021", LinkMethod::Inferred)
    );
    assert!(link.score.unwrap() >= 60, "{link:?}");

    // The VEAT (same buyer, another purchase) is not inferred to conclude it.
    store
        .save_awards(&ted_legacy::parse(LEGACY_VEAT).unwrap().awards(), at())
        .unwrap();
    let veat = all(&store)
        .into_iter()
        .find(|r| r.award.notice_id.as_str() == "ted:682047-2022")
        .unwrap();
    assert_eq!(veat.link, None);
}

#[test]
fn an_ocid_or_procedure_id_links_and_the_competition_duration_estimates_the_end() {
    let mut store = Store::open_in_memory().unwrap();
    let cn = NoticeId::new("cf", "f5d03132-70f5-425d-81b9-66ebd0ada77a-tender");
    store
        .save_competition_keys(&[CompetitionKeys {
            notice_id: cn.clone(),
            procedure_id: None,
            ocid: Some("ocds-b5fd17-c8a577d9-28bc-4460-b3b5-a97a4fa6dfe8".into()),
            duration_months: Some(48),
        }])
        .unwrap();
    store.save_awards(&ocds::parse(CF_2022).unwrap(), at()).unwrap();
    let rows = all(&store);
    let north_tees = rows.iter().find(|r| r.award.buyer.starts_with("North Tees")).unwrap();
    assert_eq!(
        north_tees.link.as_ref().map(|l| (&l.competition, l.method)),
        Some((&cn, LinkMethod::Ocid))
    );
    // Its own end date wins over the competition's duration.
    assert_eq!(north_tees.end.map(|e| e.basis), Some(EndBasis::ExplicitEnd));
    assert_eq!(rows.iter().filter(|r| r.link.is_some()).count(), 1);

    // A VEAT signed 2022-12-02 without a duration, linked to a competition planned for 48 months.
    let mut veat = ted_legacy::parse(LEGACY_VEAT).unwrap().awards();
    veat[0].keys.procedure_id = Some("9c4ae191-procedure".into());
    store
        .save_competition_keys(&[CompetitionKeys {
            notice_id: NoticeId::new("ted", "1-2022"),
            procedure_id: Some("9c4ae191-procedure".into()),
            ocid: None,
            duration_months: Some(48),
        }])
        .unwrap();
    store.save_awards(&veat, at()).unwrap();
    let row = all(&store)
        .into_iter()
        .find(|r| r.award.notice_id.as_str() == "ted:682047-2022")
        .unwrap();
    assert_eq!(row.link.as_ref().unwrap().method, LinkMethod::ProcedureId);
    let end = row.end.unwrap();
    assert_eq!((end.end, end.basis), (date("2026-12-01"), EndBasis::LinkedCnDuration));
    assert_eq!(
        end.describe(&row.award, row.linked_cn_months),
        "estimate: signed 2022-12-02 + 48 months planned in the competition notice"
    );
}

#[test]
fn queries_by_buyer_winner_cpv_and_expiry() {
    let mut store = Store::open_in_memory().unwrap();
    store.save_awards(&every_fixture(), at()).unwrap();
    let query = |q: AwardQuery| {
        let mut ids: Vec<String> = store
            .awards(&q)
            .unwrap()
            .iter()
            .map(|r| r.award.notice_id.to_string())
            .collect();
        ids.dedup();
        ids
    };
    // Letter case beyond ASCII: "SYKEHUSINNKJØP HF" and "Sykehusinnkjøp HF".
    let by_buyer = query(AwardQuery {
        buyer: Some("sykehusinnkjøp".into()),
        ..AwardQuery::default()
    });
    assert_eq!(by_buyer.len(), 3, "{by_buyer:?}");
    assert_eq!(
        query(AwardQuery {
            buyer: Some("916 879 067".into()),
            ..AwardQuery::default()
        }),
        by_buyer,
        "by organisation number, spaces ignored"
    );
    assert_eq!(
        query(AwardQuery {
            winner: Some("890164072".into()),
            ..AwardQuery::default()
        }),
        ["doffin:2026-112546"]
    );
    assert_eq!(
        query(AwardQuery {
            winner: Some("globalconnect".into()),
            ..AwardQuery::default()
        }),
        ["doffin:2026-112546"]
    );
    let pharma = query(AwardQuery {
        cpv_prefix: Some("336".into()),
        ..AwardQuery::default()
    });
    assert_eq!(pharma, ["ted:682047-2022", "ted:335380-2021"], "newest first");
    let ending = store
        .awards(&AwardQuery {
            ending: Some((date("2026-01-01"), date("2026-12-31"))),
            ..AwardQuery::default()
        })
        .unwrap();
    let ends: Vec<(String, Date)> = ending
        .iter()
        .map(|r| (r.award.winner_name.clone().unwrap(), r.end.unwrap().end))
        .collect();
    assert_eq!(
        ends,
        [
            ("Scotia UK plc".to_owned(), date("2026-03-03")),
            ("Elis".to_owned(), date("2026-07-04")),
            ("Biodock Biobank".to_owned(), date("2026-10-03")),
        ]
    );
    let window = ending[1].end.unwrap().retender_window(RetenderLead::default()).unwrap();
    assert_eq!((window.opens, window.closes), (date("2025-10-04"), date("2026-01-04")));
}

#[test]
fn a_polls_save_links_waiting_awards_by_key_but_leaves_the_fuzzy_match_to_relink() {
    // By key (REF_NOTICE): the award waits unlinked until its competition notice is stored,
    // then the next poll's award save links it and hands its rows back as fresh.
    let mut store = Store::open_in_memory().unwrap();
    let polled = store
        .save_polled_awards(&ted_legacy::parse(LEGACY_CAN).unwrap().awards(), &[], at())
        .unwrap();
    assert_eq!((polled.summary.linked, polled.relinked), (0, 0));
    store_competition_notice(&mut store);
    let polled = store.save_polled_awards(&[], &[], at()).unwrap();
    assert_eq!(polled.relinked, 1);
    assert_eq!(polled.fresh.len(), 1);
    let link = polled.fresh[0].link.as_ref().unwrap();
    assert_eq!(
        (link.competition.as_str(), link.method),
        ("ted:300984-2021", LinkMethod::RefNotice)
    );
    assert_eq!(all(&store), polled.fresh, "what is handed back is what is stored");
    let again = store.save_polled_awards(&[], &[], at()).unwrap();
    assert_eq!((again.relinked, again.fresh.len()), (0, 0), "linked once");

    // Without a key only the fuzzy match would place it: too slow for every poll, so it stays
    // for `awards --import` (relink_awards).
    let mut store = Store::open_in_memory().unwrap();
    let mut rows = ted_legacy::parse(LEGACY_CAN).unwrap().awards();
    rows[0].keys = LinkKeys::default();
    store.save_polled_awards(&rows, &[], at()).unwrap();
    store_competition_notice(&mut store);
    assert_eq!(store.save_polled_awards(&[], &[], at()).unwrap().relinked, 0);
    assert_eq!(all(&store)[0].link, None);
    assert_eq!(store.relink_awards(at()).unwrap(), 1);
    assert_eq!(all(&store)[0].link.as_ref().unwrap().method, LinkMethod::Inferred);
}

#[test]
fn a_competitions_keys_link_the_award_that_waited_for_them() {
    // By procedure id: the keys arrive with the poll that brings the competition notice.
    let mut store = Store::open_in_memory().unwrap();
    let mut rows = ted_legacy::parse(LEGACY_CAN).unwrap().awards();
    for row in &mut rows {
        row.keys = LinkKeys {
            procedure_id: Some("proc-1".to_owned()),
            ..LinkKeys::default()
        };
    }
    store.save_polled_awards(&rows, &[], at()).unwrap();
    let mut competition = anbud::model::Notice::blank("ted", "1-2026", "Another title entirely");
    competition.buyer = "Nobody alike".to_owned();
    store
        .upsert_notices(&[(competition, Relevance::default())], at())
        .unwrap();
    let keys = CompetitionKeys {
        notice_id: NoticeId::new("ted", "1-2026"),
        procedure_id: Some("proc-1".to_owned()),
        ocid: None,
        duration_months: None,
    };
    let polled = store.save_polled_awards(&[], &[keys], at()).unwrap();
    assert_eq!(polled.relinked, 1);
    assert!(polled.fresh.iter().all(|a| {
        a.link
            .as_ref()
            .is_some_and(|l| l.competition.as_str() == "ted:1-2026" && l.method == LinkMethod::ProcedureId)
    }));
    assert_eq!(polled.fresh.len(), rows.len());
}

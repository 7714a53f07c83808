//! Each parser on its real fixture, and hostile bodies.

use anbud::feeds::awards::{self, doffin_hits, eforms, ocds, ted_legacy, ted_search};
use anbud::model::{Award, AwardStatus, EndBasis, Pairing, RetenderLead, ValueKind};
use jiff::civil::Date;

pub const TED_CAN: &[u8] = include_bytes!("../fixtures/awards/wrapped-ted-can-291981-2026.json");
pub const LEGACY_CAN: &[u8] = include_bytes!("../fixtures/awards/notice-legacy-r209-can-335380-2021.xml");
pub const LEGACY_CN: &[u8] = include_bytes!("../fixtures/awards/notice-legacy-r209-300984-2021.xml");
pub const LEGACY_VEAT: &[u8] = include_bytes!("../fixtures/awards/notice-legacy-r209-veat-682047-2022.xml");
pub const DOFFIN_AWARD_HIT: &[u8] = include_bytes!("../fixtures/awards/hit-contract-award-notice.json");
pub const DOFFIN_INTENT_HIT: &[u8] = include_bytes!("../fixtures/awards/hit-intention-notice.json");
pub const DOFFIN_XML: &[u8] = include_bytes!("../fixtures/awards/notice-eforms-can-social-2022-319091.xml");
pub const CF_2022: &[u8] = include_bytes!("../fixtures/awards/cf-release-package-2022-awards-trimmed.json");
pub const TED_EFORMS_CN: &[u8] = include_bytes!("../fixtures/awards/notice-eforms-434619-2026.xml");
pub const CF_SEARCH: &[u8] = include_bytes!("../../src/demo/fixtures/ocds/contracts-finder-search-response-2022.json");
pub const DOFFIN_VEAT_XML: &[u8] = include_bytes!("../fixtures/awards/notice-eforms-veat-2022-945636.xml");
pub const CF_2025: &[u8] = include_bytes!("../fixtures/awards/extracted-cf-award-releases-health-2025.json");

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn names(rows: &[Award]) -> Vec<&str> {
    rows.iter().map(|a| a.winner_name.as_deref().unwrap_or("-")).collect()
}

#[test]
fn ted_result_notice_keeps_three_lots_and_leaves_ids_unpaired() {
    let rows = ted_search::parse(TED_CAN).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        names(&rows),
        [
            "Wach- und Werkschutz Kurt Strube GmbH",
            "Wach- und Werkschutz Kurt Strube GmbH",
            "AWD-Gebäudedienste"
        ]
    );
    let lots: Vec<&str> = rows.iter().map(|a| a.lot_id.as_str()).collect();
    assert_eq!(lots, ["LOT-0001", "LOT-0002", "LOT-0003"]);
    let values: Vec<Option<f64>> = rows.iter().map(|a| a.value).collect();
    assert_eq!(values, [Some(320_649.86), Some(210_787.86), Some(5850.0)]);
    assert!(rows.iter().all(|a| a.currency.as_deref() == Some("EUR")));
    assert!(rows.iter().all(|a| a.value_kind == Some(ValueKind::Award)));
    let tenders: Vec<Option<u32>> = rows.iter().map(|a| a.tenders_received).collect();
    assert_eq!(tenders, [Some(9), Some(9), Some(7)]);
    for row in &rows {
        assert_eq!(row.notice_id.as_str(), "ted:291981-2026");
        assert_eq!(row.pairing, Pairing::Ambiguous, "2 ids for 3 lots cannot be paired");
        assert_eq!(row.winner_org_id, None, "not guessed");
        assert_eq!(row.unpaired_winner_ids, ["DE117335997", "DE 423 962 710"], "kept");
        // Both winners are German, so the country is known whatever the pairing.
        assert_eq!(row.winner_country.as_deref(), Some("DEU"));
        assert_eq!(row.status, AwardStatus::Awarded);
        assert_eq!(row.published, Some(date("2026-04-29")));
    }
}

#[test]
fn legacy_award_without_a_winner_is_no_award_and_names_its_competition_notice() {
    let doc = ted_legacy::parse(LEGACY_CAN).unwrap();
    let rows = doc.awards();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.notice_id.as_str(), "ted:335380-2021");
    assert_eq!(row.status, AwardStatus::NoAward);
    assert_eq!(row.winner_name, None);
    assert_eq!(row.keys.ref_notice.as_deref(), Some("300984-2021"));
    assert_eq!(row.buyer, "Sykehusinnkjøp HF");
    assert_eq!(row.cpv, ["33600000"]);
    let cn = ted_legacy::parse(LEGACY_CN).unwrap().to_notice();
    assert_eq!(cn.id.as_str(), "ted:300984-2021", "the notice REF_NOTICE points at");
}

#[test]
fn legacy_veat_is_an_intent_with_a_framework_value() {
    let rows = ted_legacy::parse(LEGACY_VEAT).unwrap().awards();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.notice_id.as_str(), "ted:682047-2022");
    assert_eq!(row.winner_name.as_deref(), Some("Nordic Pill AB"));
    assert_eq!(row.winner_org_id.as_deref(), Some("559184-6091"));
    assert_eq!(row.winner_country.as_deref(), Some("SE"));
    assert_eq!((row.value, row.currency.as_deref()), (Some(14_671_946.0), Some("NOK")));
    assert_eq!(
        row.value_kind,
        Some(ValueKind::FrameworkMax),
        "PROCEDURE/FRAMEWORK: a ceiling"
    );
    assert_eq!(row.conclusion_date, Some(date("2022-12-02")));
    assert_eq!(row.status, AwardStatus::Intent, "a VEAT names an intended supplier");
    assert_eq!(row.estimated_end(None), None, "no duration in the notice");
}

#[test]
fn doffin_award_hit_names_the_winner_without_a_value() {
    let rows = doffin_hits::parse(DOFFIN_AWARD_HIT).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.notice_id.as_str(), "doffin:2026-112546");
    assert_eq!(row.winner_name.as_deref(), Some("Globalconnect AS"));
    assert_eq!(row.winner_org_id.as_deref(), Some("890164072"));
    assert_eq!(
        (row.value, row.value_kind),
        (None, None),
        "estimatedValue is no award value"
    );
    assert_eq!(row.status, AwardStatus::Awarded);
    assert_eq!(row.buyer_id.as_deref(), Some("991825827"));
    // Doffin says 0 tenders beside a winner: unknown, not zero.
    assert_eq!(row.tenders_received, None);
}

#[test]
fn doffin_intention_hit_is_an_intent() {
    let rows = doffin_hits::parse(DOFFIN_INTENT_HIT).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, AwardStatus::Intent);
    assert_eq!(rows[0].winner_name.as_deref(), Some("Medanets OY"));
    assert_eq!(rows[0].winner_org_id, None);
}

#[test]
fn doffin_eforms_xml_has_the_value_tenders_and_no_placeholder_date() {
    let rows = eforms::parse(DOFFIN_XML).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.notice_id.as_str(), "doffin:2022-319091");
    assert_eq!(row.lot_id, "LOT-0000");
    assert_eq!(row.winner_name.as_deref(), Some("AVONOVA HELSE AS"));
    assert_eq!(row.winner_org_id.as_deref(), Some("884 039 312"));
    assert_eq!((row.value, row.currency.as_deref()), (Some(17_000_000.0), Some("NOK")));
    assert_eq!(row.value_kind, Some(ValueKind::Award));
    assert_eq!(row.tenders_received, Some(2));
    assert_eq!(row.decision_date, None, "AwardDate 2000-01-01 is a placeholder");
    assert_eq!(
        row.keys.contract_folder, None,
        "the folder id is the notice's own: no link"
    );
    assert!(row.keys.is_empty());
    assert_eq!(row.buyer, "Ålesund kommune");
    assert_eq!(row.buyer_id.as_deref(), Some("920 415 288"));
    assert_eq!(row.cpv, ["85147000"]);
    assert_eq!(row.status, AwardStatus::Awarded);
}

#[test]
fn contracts_finder_package_keeps_the_latest_release_per_process() {
    let rows = ocds::parse(CF_2022).unwrap();
    let mut ocids: Vec<&str> = rows.iter().filter_map(|a| a.keys.ocid.as_deref()).collect();
    ocids.dedup();
    assert_eq!(ocids.len(), 8, "9 releases, IGOTM's ocid twice");
    let ulev: Vec<&Award> = rows
        .iter()
        .filter(|a| a.keys.ocid.as_deref() == Some("ocds-b5fd17-d60017c5-4d9a-4091-b946-0e9b5a320f40"))
        .collect();
    assert_eq!(
        names(&ulev.iter().map(|a| (*a).clone()).collect::<Vec<_>>()),
        ["YESSS (B) Electrical Limited - Nottingham", "Enerveo Ltd"]
    );
    assert_eq!(
        (ulev[0].value, ulev[1].value),
        (Some(347_145.0), None),
        "one award value, on one row"
    );
    let north_tees = rows.iter().find(|a| a.buyer.starts_with("North Tees")).unwrap();
    assert_eq!(
        north_tees.notice_id.as_str(),
        "cf:ocds-b5fd17-c8a577d9-28bc-4460-b3b5-a97a4fa6dfe8"
    );
    let end = north_tees.estimated_end(None).unwrap();
    assert_eq!((end.end, end.basis), (date("2026-07-04"), EndBasis::ExplicitEnd));
    let window = end.retender_window(RetenderLead::default()).unwrap();
    assert_eq!((window.opens, window.closes), (date("2025-10-04"), date("2026-01-04")));
    assert_eq!(rows.len(), 9, "8 processes, one with two suppliers");
}

#[test]
fn health_releases_keep_the_award_value_over_the_tender_value() {
    let rows = ocds::parse(CF_2025).unwrap();
    let siemens = rows
        .iter()
        .find(|a| a.winner_name.as_deref() == Some("Siemens Healthineers"))
        .unwrap();
    assert_eq!(siemens.value, Some(104_769.0), "the award's, not the tender's 104,796");
    assert_eq!(siemens.end, Some(date("2034-01-29")));
    assert_eq!(siemens.currency.as_deref(), Some("GBP"));
}

#[test]
fn every_fixture_is_recognised_by_its_first_bytes() {
    for (name, body, count) in [
        ("ted", TED_CAN, 3),
        ("legacy", LEGACY_CAN, 1),
        ("veat", LEGACY_VEAT, 1),
        ("hit", DOFFIN_AWARD_HIT, 1),
        ("xml", DOFFIN_XML, 1),
        ("cf", CF_2022, 9),
    ] {
        assert_eq!(awards::parse_file(name, body).unwrap().len(), count, "{name}");
    }
}

#[test]
fn hostile_bodies_are_errors_naming_the_source_never_panics() {
    // Cut off mid-tag, and cut off between elements (quick-xml takes that for a clean end).
    let half = &DOFFIN_XML[..DOFFIN_XML.len() / 2];
    let err = awards::parse_file("notice.xml", half).unwrap_err().to_string();
    assert!(err.starts_with("notice.xml: invalid XML at line "), "{err}");
    let text = String::from_utf8_lossy(DOFFIN_XML);
    let end = text.find("</efac:Organization>").unwrap() + "</efac:Organization>".len();
    let err = awards::parse_file("notice.xml", &DOFFIN_XML[..end])
        .unwrap_err()
        .to_string();
    assert!(err.contains("cut off"), "{err}");
    let err = awards::parse_file("search.json", b"{\"notices\": [ {\"publication-number\": ").unwrap_err();
    assert!(
        err.to_string().starts_with("search.json: invalid JSON at line 1"),
        "{err}"
    );
    let err = awards::parse_file("x.xml", b"<TED_EXPORT><A></B></TED_EXPORT>").unwrap_err();
    assert!(err.to_string().contains("invalid XML"), "{err}");
    let deep = format!("<TED_EXPORT DOC_ID=\"1-2020\">{}", "<COUNTRY>".repeat(100_000));
    let err = awards::parse_file("deep.xml", deep.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("nested more than 200 deep"), "{err}");
    let err = awards::parse_file("page.html", b"<!DOCTYPE html><html>gateway</html>").unwrap_err();
    assert!(err.to_string().starts_with("page.html: "), "{err}");
    // Wrong types everywhere: skipped fields, not panics.
    let odd = br#"{"notices": [{"publication-number": 5, "form-type": "result", "winner-name": 3,
        "tender-value": {"x": []}, "identifier-lot": [null, 1], "received-submissions-type-val": "a"}]}"#;
    assert!(awards::parse_file("odd.json", odd).is_ok());
    assert!(awards::parse_file("odd.json", br#"{"releases": [{"ocid": 1, "awards": "x"}, 7]}"#).is_ok());
    // Escape sequences in names are sanitised before anything shows them.
    let hostile = String::from_utf8_lossy(DOFFIN_AWARD_HIT).replace("Globalconnect AS", "Evil\\u001b[2J AS");
    let rows = awards::parse_file("hit.json", hostile.as_bytes()).unwrap();
    assert_eq!(rows[0].winner_name.as_deref(), Some("Evil AS"));
}

#[test]
fn a_deeply_repeated_document_is_read_in_one_pass() {
    // 20,000 award sections: linear parsing keeps this quick; a quadratic scan would not finish.
    let section = "<AWARD_CONTRACT><AWARDED_CONTRACT><CONTRACTORS><CONTRACTOR><ADDRESS_CONTRACTOR>\
        <OFFICIALNAME>X AS</OFFICIALNAME></ADDRESS_CONTRACTOR></CONTRACTOR></CONTRACTORS></AWARDED_CONTRACT></AWARD_CONTRACT>";
    let body = format!(
        "<TED_EXPORT DOC_ID=\"1-2020\"><FORM_SECTION><F03_2014>{}</F03_2014></FORM_SECTION></TED_EXPORT>",
        section.repeat(20_000)
    );
    let rows = ted_legacy::parse(body.as_bytes()).unwrap().awards();
    assert_eq!(rows.len(), 20_000);
    // Sections without LOT_NO are told apart by their position.
    assert_eq!((rows[19_999].lot_id.as_str(), rows[19_999].seq), ("item-20000", 0));
    // Sections sharing a LOT_NO continue the positions.
    let shared = section.replace("<AWARDED_CONTRACT>", "<LOT_NO>1</LOT_NO><AWARDED_CONTRACT>");
    let body = format!(
        "<TED_EXPORT DOC_ID=\"1-2020\"><FORM_SECTION><F03_2014>{}</F03_2014></FORM_SECTION></TED_EXPORT>",
        shared.repeat(3)
    );
    let seqs: Vec<(String, u32)> = ted_legacy::parse(body.as_bytes())
        .unwrap()
        .awards()
        .into_iter()
        .map(|a| (a.lot_id, a.seq))
        .collect();
    assert_eq!(seqs, [("1".to_owned(), 0), ("1".to_owned(), 1), ("1".to_owned(), 2)]);
}

#[test]
fn competition_notices_give_their_procedure_id_ocid_and_planned_duration() {
    let keys = eforms::competition_keys(TED_EFORMS_CN).unwrap().unwrap();
    assert_eq!(
        keys.notice_id.as_str(),
        "ted:434619-2026",
        "the search API's unpadded number"
    );
    assert_eq!(
        keys.procedure_id.as_deref(),
        Some("079d095c-14ba-4372-8dc0-0b90a730f4f8")
    );
    // PlannedPeriod 2026-11-01 … 2028-01-31; the 4 MONTH duration in the file is the tender
    // validity period, not the contract's.
    assert_eq!(keys.duration_months, Some(15));
    assert!(
        eforms::parse(TED_EFORMS_CN).unwrap().is_empty(),
        "a competition has no award rows"
    );
    assert_eq!(
        eforms::competition_keys(DOFFIN_XML).unwrap(),
        None,
        "an award notice is no competition"
    );

    let keys = ocds::competition_keys(CF_SEARCH).unwrap();
    assert_eq!(keys.len(), 29, "the tender releases of the page");
    assert_eq!(
        keys[0].notice_id.as_str(),
        "cf:552c8041-de65-46f7-a75b-9f5594b99753-582354"
    );
    assert_eq!(
        keys[0].ocid.as_deref(),
        Some("ocds-b5fd17-6cc1fffd-3481-4b95-b724-adf1be3dd1a8")
    );
    // 2023-01-09 to 2023-04-30: three whole months; 2023-04-01 to 2026-03-31: 36.
    assert_eq!((keys[0].duration_months, keys[1].duration_months), (Some(3), Some(36)));
}

#[test]
fn a_framework_award_to_thousands_of_suppliers_keeps_each_country() {
    // One award, 3,000 suppliers, each a party with its own country: countries are looked up by
    // id once per release, not by scanning every party for every supplier.
    let n = 3_000;
    let suppliers: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"id": format!("S{i}"), "name": format!("Supplier {i}")}))
        .collect();
    let parties: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"id": format!("S{i}"), "address": {"countryName": format!("Country {i}")}}))
        .collect();
    let body = serde_json::json!({"releases": [{
        "ocid": "ocds-h6vhtk-000001", "id": "r1", "date": "2026-01-01T00:00:00Z", "tag": ["award"],
        "parties": parties,
        "awards": [{"id": "a1", "status": "active", "suppliers": suppliers, "value": {"amount": 5.0e7, "currency": "GBP"}}],
    }]});
    let rows = ocds::parse(&serde_json::to_vec(&body).unwrap()).unwrap();
    assert_eq!(rows.len(), n);
    assert_eq!(rows[2_999].winner_country.as_deref(), Some("Country 2999"));
    assert_eq!(rows[0].notice_id.as_str(), "fts:ocds-h6vhtk-000001");
    assert_eq!(
        rows.iter().filter(|a| a.value.is_some()).count(),
        1,
        "one award value, counted once"
    );
}

#[test]
fn a_doffin_veat_with_every_lot_missing_keeps_all_fourteen_intended_suppliers() {
    let rows = eforms::parse(DOFFIN_VEAT_XML).unwrap();
    assert_eq!(rows.len(), 14);
    assert!(
        rows.iter()
            .all(|a| a.status == AwardStatus::Intent && a.lot_id == "MISSING")
    );
    let seqs: Vec<u32> = rows.iter().map(|a| a.seq).collect();
    assert_eq!(
        seqs,
        (0..14).collect::<Vec<_>>(),
        "one key per row although every lot id is the same"
    );
    assert_eq!(rows[0].decision_date, Some(date("2022-10-05")));
}

#[test]
fn every_fixture_row_has_its_own_key() {
    // Within a file: the Contracts Finder page holds the trimmed package's awards again.
    for (name, body) in [
        ("ted", TED_CAN),
        ("legacy", LEGACY_CAN),
        ("veat", LEGACY_VEAT),
        ("hit", DOFFIN_AWARD_HIT),
        ("intent", DOFFIN_INTENT_HIT),
        ("xml", DOFFIN_XML),
        ("veat-xml", DOFFIN_VEAT_XML),
        ("cf", CF_2022),
        ("cf-2025", CF_2025),
        ("cf-search", CF_SEARCH),
    ] {
        let mut keys = std::collections::HashSet::new();
        for row in awards::parse_file(name, body).unwrap() {
            let key = (row.notice_id.clone(), row.lot_id.clone(), row.seq);
            assert!(keys.insert(key.clone()), "{name}: {key:?} twice");
        }
    }
}

/// The recorded TED result notice with its `tender-value` list replaced by the other value fields
/// an award query asks for (`result-value-*`, `framework-agreement-lot`, shaped as TED's other
/// lists), which no recorded response holds: how each is read.
fn ted_can_with(fields: serde_json::Value) -> Vec<Award> {
    let mut page: serde_json::Value = serde_json::from_slice(TED_CAN).unwrap();
    let notice = page["notices"][0].as_object_mut().unwrap();
    notice.remove("tender-value");
    notice.remove("tender-value-cur");
    for (key, value) in fields.as_object().unwrap() {
        notice.insert(key.clone(), value.clone());
    }
    ted_search::parse(&serde_json::to_vec(&page).unwrap()).unwrap()
}

#[test]
fn ted_result_values_fill_in_where_tender_values_are_missing() {
    use anbud::model::FrameworkKind;
    // The recorded notice itself: the winning tenders' values, and no framework code.
    let recorded = ted_search::parse(TED_CAN).unwrap();
    assert!(recorded.iter().all(|a| a.framework_kind.is_none()));
    assert!(recorded.iter().all(|a| a.value_kind == Some(ValueKind::Award)));

    let rows = ted_can_with(serde_json::json!({
        "result-value-lot": ["100.5", "200", "300"],
        "result-value-cur-lot": ["EUR"],
        "framework-agreement-lot": ["none", "fa-w-rc", "none"],
    }));
    type Read<'a> = (Option<f64>, Option<&'a str>, Option<ValueKind>, Option<FrameworkKind>);
    let read: Vec<Read> = rows
        .iter()
        .map(|a| (a.value, a.currency.as_deref(), a.value_kind, a.framework_kind))
        .collect();
    assert_eq!(
        read,
        [
            (
                Some(100.5),
                Some("EUR"),
                Some(ValueKind::Award),
                Some(FrameworkKind::NotFramework)
            ),
            // A framework lot's result value is its ceiling, never spend.
            (
                Some(200.0),
                Some("EUR"),
                Some(ValueKind::FrameworkMax),
                Some(FrameworkKind::WithReopening)
            ),
            (
                Some(300.0),
                Some("EUR"),
                Some(ValueKind::Award),
                Some(FrameworkKind::NotFramework)
            ),
        ]
    );
    // The notice's value belongs to no lot of three: it is not spread over them.
    let rows = ted_can_with(serde_json::json!({
        "result-value-notice": "536287.72",
        "result-value-cur-notice": ["EUR"],
    }));
    assert!(rows.iter().all(|a| a.value.is_none()), "{rows:#?}");
}

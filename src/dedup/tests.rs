//! Realistic pairs: notices shaped like the recorded Doffin hits and TED search results.

use std::collections::BTreeMap;

use super::*;
use crate::model::Notice;

fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

/// A Doffin hit as the adapter builds it: title under `und`, buyers joined with "; ".
fn doffin(id: &str, title: &str, buyer: &str, org: Option<&str>, deadline: Option<&str>) -> Notice {
    Notice {
        titles: [("und".to_owned(), title.to_owned())].into(),
        buyer: buyer.to_owned(),
        buyer_id: org.map(Into::into),
        deadline: deadline.map(at),
        country: Some("NO".into()),
        url: format!("https://doffin.no/notices/{id}"),
        ..Notice::blank("doffin", id, title)
    }
}

/// A TED result: the preferred title stripped of TED's "Country – CPV label –" prefix, every
/// language variant kept whole.
fn ted(id: &str, titles: &[(&str, &str)], buyer: &str, org: Option<&str>, deadline: Option<&str>) -> Notice {
    let titles: BTreeMap<String, String> = titles.iter().map(|(l, t)| ((*l).to_owned(), (*t).to_owned())).collect();
    let preferred = crate::model::preferred_text(&titles).unwrap_or_default();
    let title = strip_generated_prefix(preferred).unwrap_or(preferred).to_owned();
    Notice {
        titles: titles.into(),
        buyer: buyer.to_owned(),
        buyer_id: org.map(Into::into),
        deadline: deadline.map(at),
        country: Some("NOR".into()),
        url: format!("https://ted.europa.eu/en/notice/-/detail/{id}"),
        ..Notice::blank("ted", id, &title)
    }
}

fn cleaning_on_doffin() -> Notice {
    doffin(
        "2026-112543",
        "Renholdstjenester til Mjøssenteret, Sykehuset Innlandet HF",
        "SYKEHUSINNKJØP HF",
        Some("916879067"),
        Some("2026-09-07T10:00:00Z"),
    )
}

fn cleaning_on_ted() -> Notice {
    ted(
        "561234-2026",
        &[
            (
                "eng",
                "Norway – Cleaning services – Renholdstjenester til Mjøssenteret, Sykehuset Innlandet HF",
            ),
            (
                "nor",
                "Norge – Rengjøringstjenester – Renholdstjenester til Mjøssenteret, Sykehuset Innlandet HF",
            ),
        ],
        "Sykehusinnkjøp HF",
        Some("NO 916 879 067 MVA"),
        Some("2026-09-07T10:00:00Z"),
    )
}

#[test]
fn a_doffin_notice_and_its_ted_twin_are_one_procedure_with_the_evidence_in_words() {
    let reason = same_procedure(&cleaning_on_doffin(), &cleaning_on_ted()).expect("same procedure");
    assert_eq!(reason.buyer, BuyerKey::Org("916879067".to_owned()));
    assert_eq!(reason.title_percent, 100);
    assert_eq!(
        reason.to_string(),
        "same buyer org 916 879 067, titles 100 % alike, same deadline 7 Sep 2026 10:00 UTC"
    );
    // Symmetric decision.
    assert!(same_procedure(&cleaning_on_ted(), &cleaning_on_doffin()).is_some());
}

#[test]
fn an_english_ted_title_matches_through_its_norwegian_variant() {
    let doffin = doffin(
        "2026-112542",
        "Elektronisk pasientjournal (EPJ) til legekontor",
        "Herøy kommune; Sande kommune; Volda kommune",
        Some("964978840"),
        Some("2026-09-01T10:00:00Z"),
    );
    let ted = ted(
        "512345-2026",
        &[
            ("eng", "Electronic patient record (EPJ) for GP offices"),
            ("nor", "Elektronisk pasientjournal (EPJ) til legekontor"),
        ],
        "Herøy kommune",
        None,
        Some("2026-09-01T10:00:00Z"),
    );
    let reason = same_procedure(&doffin, &ted).expect("same procedure");
    // TED gave no organisation number, so the normalised name decided.
    assert_eq!(reason.buyer, BuyerKey::Name("heroy kommune".to_owned()));
    assert!(
        reason
            .to_string()
            .starts_with("same buyer \"Herøy kommune\", titles 100 % alike"),
        "the name as Doffin writes it: {reason}"
    );
    assert_eq!(reason.title_percent, 100);
}

#[test]
fn a_slightly_reworded_title_and_a_deadline_an_hour_off_still_match() {
    let doffin = doffin(
        "2026-120001",
        "Anskaffelse av pasientvarslingsanlegg til nytt sykehus i Drammen",
        "Helse Sør-Øst RHF",
        None,
        Some("2026-12-12T11:00:00Z"),
    );
    let ted = ted(
        "700001-2026",
        &[("nor", "Pasientvarslingsanlegg til nytt sykehus i Drammen")],
        "Helse Sor-Ost RHF",
        None,
        Some("2026-12-12T12:00:00Z"),
    );
    let reason = same_procedure(&doffin, &ted).expect("same procedure");
    assert!(reason.title_percent >= TITLE_THRESHOLD, "{reason}");
    assert!(reason.title_percent < 100, "{reason}");
    assert!(
        reason
            .to_string()
            .ends_with("deadlines 12 Dec 2026 11:00 and 12 Dec 2026 12:00 UTC (within a day)"),
        "{reason}"
    );
}

#[test]
fn two_frameworks_of_one_buyer_are_not_merged_for_their_generic_words() {
    let plumbing = doffin(
        "2026-200001",
        "Rammeavtale for rørleggertjenester",
        "Bergen kommune",
        Some("964338531"),
        Some("2026-10-01T10:00:00Z"),
    );
    let electrical = ted(
        "800001-2026",
        &[("nor", "Rammeavtale for elektrikertjenester")],
        "Bergen kommune",
        Some("964338531"),
        Some("2026-10-01T10:00:00Z"),
    );
    assert_eq!(
        same_procedure(&plumbing, &electrical),
        None,
        "same buyer and deadline, other trade"
    );
    let f = Fingerprint::of(&plumbing);
    assert!(f.title_percent(&Fingerprint::of(&electrical)) < TITLE_THRESHOLD);
}

#[test]
fn sister_procedures_published_together_are_not_merged() {
    let deadline = Some("2026-10-01T10:00:00Z");
    let org = Some("964338531");
    // The buyer's name in both titles is no evidence: it is the same buyer by definition.
    let plumbing = doffin(
        "2026-200002",
        "Rammeavtale rørleggertjenester Bergen kommune",
        "Bergen kommune",
        org,
        deadline,
    );
    let electrical = ted(
        "800002-2026",
        &[("nor", "Rammeavtale elektrikertjenester Bergen kommune")],
        "Bergen kommune",
        org,
        deadline,
    );
    assert_eq!(same_procedure(&plumbing, &electrical), None);
    // Numbered parts of one programme: different numbers, different procedures.
    let part_one = doffin(
        "2026-200003",
        "Renhold av skolebygg, del 1",
        "Bergen kommune",
        org,
        deadline,
    );
    let part_two = ted(
        "800003-2026",
        &[("nor", "Renhold av skolebygg, del 2")],
        "Bergen kommune",
        org,
        deadline,
    );
    assert_eq!(same_procedure(&part_one, &part_two), None);
    let same_part = ted(
        "800004-2026",
        &[("nor", "Renhold av skolebygg - del 1")],
        "Bergen kommune",
        org,
        deadline,
    );
    assert!(same_procedure(&part_one, &same_part).is_some());
}

#[test]
fn the_same_generic_title_with_another_deadline_is_another_procedure() {
    let first = doffin(
        "2026-300001",
        "Rammeavtale",
        "Oslo kommune",
        Some("974770482"),
        Some("2026-10-01T10:00:00Z"),
    );
    let second = ted(
        "900001-2026",
        &[("nor", "Rammeavtale")],
        "Oslo kommune",
        Some("974770482"),
        Some("2026-10-15T10:00:00Z"),
    );
    assert_eq!(same_procedure(&first, &second), None);
    let same_day = Notice {
        deadline: first.deadline,
        ..second
    };
    assert!(
        same_procedure(&first, &same_day).is_some(),
        "identical titles on one deadline do merge"
    );
}

#[test]
fn the_same_title_from_another_buyer_is_not_merged() {
    let heroy = doffin(
        "2026-400001",
        "Elektronisk pasientjournal (EPJ) til legekontor",
        "Herøy kommune",
        Some("964978840"),
        Some("2026-09-01T10:00:00Z"),
    );
    let volda = ted(
        "400002-2026",
        &[("nor", "Elektronisk pasientjournal (EPJ) til legekontor")],
        "Volda kommune",
        Some("939760946"),
        Some("2026-09-01T10:00:00Z"),
    );
    assert_eq!(same_procedure(&heroy, &volda), None);
    // Numbers decide over names: one name, two organisation numbers, two buyers.
    let namesake = Notice {
        buyer: "Herøy kommune".to_owned(),
        ..volda
    };
    assert_eq!(same_procedure(&heroy, &namesake), None);
}

#[test]
fn one_source_missing_deadlines_or_deadlines_two_days_apart_never_merge() {
    let doffin_notice = cleaning_on_doffin();
    let again = Notice {
        id: NoticeId::new("doffin", "2026-999999"),
        native_id: "2026-999999".to_owned(),
        ..doffin_notice.clone()
    };
    assert_eq!(same_procedure(&doffin_notice, &again), None, "same source");
    let undated = Notice {
        deadline: None,
        ..cleaning_on_ted()
    };
    assert_eq!(same_procedure(&doffin_notice, &undated), None, "no deadline");
    let later = Notice {
        deadline: Some(at("2026-09-09T10:00:00Z")),
        ..cleaning_on_ted()
    };
    assert_eq!(same_procedure(&doffin_notice, &later), None, "two days apart");
}

#[test]
fn buyer_names_lose_legal_forms_case_accents_and_punctuation() {
    assert_eq!(
        normalise_buyer_name("SYKEHUSINNKJØP HF").as_deref(),
        Some("sykehusinnkjop")
    );
    assert_eq!(
        normalise_buyer_name("Sykehusinnkjop hf.").as_deref(),
        Some("sykehusinnkjop")
    );
    assert_eq!(
        normalise_buyer_name("Norsk Helsenett SF").as_deref(),
        Some("norsk helsenett")
    );
    assert_eq!(normalise_buyer_name("Acme Medical AS").as_deref(), Some("acme medical"));
    assert_eq!(normalise_buyer_name(" AS "), None);
    assert_eq!(org_numbers("NO 916 879 067 MVA"), ["916879067"]);
    assert_eq!(org_numbers("916879067; 926722840"), ["916879067", "926722840"]);
    assert!(org_numbers("ORG-0001").is_empty(), "a local eForms id is no identity");
}

#[test]
fn title_tokens_fold_and_drop_function_words() {
    let tokens = title_tokens("Røntgen- og MR-utstyr til Sørlandet sykehus");
    let expected: BTreeSet<String> = ["rontgen", "mr", "utstyr", "sorlandet", "sykehus"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(tokens, expected);
}

#[test]
fn the_index_finds_a_twin_across_midnight_and_ignores_the_crowd() {
    let mut index = DedupIndex::new();
    // Many notices of other buyers with the same title and deadline: none is a candidate.
    for i in 0..500 {
        let other = doffin(
            &format!("2026-5{i:05}"),
            "Renholdstjenester til Mjøssenteret, Sykehuset Innlandet HF",
            &format!("Kommune nummer {i}"),
            Some(&format!("9{i:08}")),
            Some("2026-09-07T23:30:00Z"),
        );
        index.insert(Fingerprint::of(&other));
    }
    let primary = Notice {
        deadline: Some(at("2026-09-07T23:30:00Z")),
        ..cleaning_on_doffin()
    };
    index.insert(Fingerprint::of(&primary));
    assert_eq!(index.len(), 501);
    let twin = Notice {
        deadline: Some(at("2026-09-08T00:30:00Z")),
        ..cleaning_on_ted()
    };
    let (found, reason) = index.find(&Fingerprint::of(&twin)).expect("found across midnight");
    assert_eq!(found.id, primary.id);
    assert_eq!(reason.buyer, BuyerKey::Org("916879067".to_owned()));
    let stranger = ted(
        "1-2026",
        &[("nor", "Renholdstjenester til Mjøssenteret, Sykehuset Innlandet HF")],
        "Ukjent innkjøper",
        Some("999999999"),
        Some("2026-09-07T23:30:00Z"),
    );
    assert!(index.find(&Fingerprint::of(&stranger)).is_none());
}

/// Issue #12: a notice naming 2 MB of distinct co-buyers, each the buyer of a notice on another
/// source filed in the index. Every candidate check used to walk the whole name list.
#[test]
fn a_notice_with_a_huge_buyer_list_is_checked_against_each_candidate_cheaply() {
    let names: Vec<String> = (0..150_000).map(|i| format!("Kommune {i}")).collect();
    let mut written = names.join("; ");
    // Each name twice: the repeats file no second key.
    written.push_str("; ");
    written.push_str(&names.join("; "));
    assert!(written.len() >= 2 << 20);
    let title = "Renholdstjenester til Mjøssenteret";
    let deadline = Some("2026-09-07T10:00:00Z");
    let huge = doffin("2026-1", title, &written, None, deadline);
    let fingerprint = Fingerprint::of(&huge);
    assert_eq!(fingerprint.names.len(), names.len());
    assert_eq!(fingerprint.buyer_keys().len(), names.len());
    let mut index = DedupIndex::new();
    for (i, name) in names.iter().enumerate().rev() {
        index.insert(Fingerprint::of(&ted(
            &format!("{i}-2026"),
            &[("nor", title)],
            name,
            None,
            deadline,
        )));
    }
    let (found, reason) = index.find(&fingerprint).expect("every candidate is the same procedure");
    // All are equally alike: the one filed first (the last name) wins.
    assert_eq!(found.id.as_str(), "ted:149999-2026");
    assert_eq!(reason.buyer, BuyerKey::Name("kommune 149999".to_owned()));
    assert_eq!(reason.buyer_name, "Kommune 149999");
    // And the other way round: the huge notice as the filed one, named by the shared buyer.
    let mut index = DedupIndex::new();
    index.insert(fingerprint);
    for (i, name) in names.iter().enumerate().step_by(1000) {
        let twin = Fingerprint::of(&ted(&format!("{i}-2026"), &[("nor", title)], name, None, deadline));
        let (found, reason) = index.find(&twin).expect("the huge notice is the twin");
        assert_eq!(found.id, huge.id);
        assert_eq!(reason.buyer_name, *name);
    }
}

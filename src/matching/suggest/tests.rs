//! Unit tests of [`super`]: support, the kept-notice veto, covered terms, stop words and ranking.

use super::*;
use crate::model::{Notice, Relevance, UserFields};

fn profile() -> Profile {
    let text = "# my profile\nname = \"p\"\nthreshold = 10\n\n[[include]]\nterms = [\"røntgen\", \"CT\"]\nweight = 10\n\n\
                [[exclude]]\nterm = \"legemiddel\"\nweight = 12\n";
    Profile::parse(text, "p.toml").expect("valid")
}

fn record(n: usize, title: &str, triage: Triage, reason: Option<&str>) -> NoticeRecord {
    NoticeRecord {
        triage,
        ..NoticeRecord::new(Notice::blank("t", &n.to_string(), title), Relevance::default())
    }
    .with_user(UserFields {
        reject_reason: reason.map(str::to_owned),
        ..UserFields::default()
    })
}

fn pharma(n: usize, title: &str) -> NoticeRecord {
    record(n, title, Triage::Rejected, Some("pharmaceuticals only"))
}

/// Five notices rejected as pharmaceuticals, four of them about infusion fluids; a shortlisted
/// notice shares the word "pumper".
fn records() -> Vec<NoticeRecord> {
    vec![
        pharma(1, "Infusjonsvæsker og pumper til Helse Nord"),
        pharma(2, "Rammeavtale for infusjonsvæsker, sykehusapotek"),
        pharma(3, "INFUSJONSVÆSKER til sykehusapotek"),
        pharma(4, "Legemiddelavtale: infusjonsvæsker og cytostatika"),
        pharma(5, "Cytostatika til sykehusapotek og pumper"),
        pharma(6, "Pumper for cytostatika"),
        record(7, "Infusjonspumper og pumper", Triage::Shortlisted, None),
        record(8, "Røntgen til sykehusapotek", Triage::Bidding, None),
        record(9, "Infusjonsvæsker uten grunn", Triage::Rejected, None),
        record(10, "Infusjonsvæsker ny", Triage::New, None),
    ]
}

#[test]
fn a_term_in_three_rejected_notices_and_no_kept_one_is_suggested() {
    let found = suggest_exclusions(&records(), &profile());
    let terms: Vec<(&str, usize)> = found.iter().map(|s| (s.term.as_str(), s.support)).collect();
    // "infusjonsvæsker": 4 of 6 (case folded); "cytostatika": 3 of 6.
    assert_eq!(terms, [("infusjonsvæsker", 4), ("cytostatika", 3)]);
    let top = &found[0];
    assert_eq!((top.rejected, top.kept), (6, 2));
    assert_eq!(
        top.evidence(),
        "in 4 of 6 notices rejected as 'pharmaceuticals only', in 0 of 2 shortlisted"
    );
    assert_eq!(top.toml(), "[[exclude]]\nterm = \"infusjonsvæsker\"\nweight = 12\n");
}

#[test]
fn kept_notices_veto_and_profile_terms_and_stop_words_are_skipped() {
    let found = suggest_exclusions(&records(), &profile());
    let terms: Vec<&str> = found.iter().map(|s| s.term.as_str()).collect();
    // "pumper" is in 3 rejected notices but also in a shortlisted one; "sykehusapotek" in a
    // notice in the pipeline; "legemiddelavtale" is covered by the exclude term "legemiddel";
    // "til" and "rammeavtale" are stop words.
    for vetoed in ["pumper", "sykehusapotek", "til", "og"] {
        assert!(!terms.contains(&vetoed), "{vetoed}: {terms:?}");
    }
    let covered = CoveredTerms::new(&profile());
    assert!(covered.covers("legemiddelavtale"));
    assert!(covered.covers("ct skanner"), "acronyms as whole words");
    assert!(!covered.covers("ctg"));
}

#[test]
fn a_phrase_is_suggested_when_its_words_alone_are_not() {
    let mut rs = vec![
        record(1, "Medisinske gasser til sykehus", Triage::Rejected, Some("drugs")),
        record(2, "Levering av medisinske gasser", Triage::Rejected, Some("drugs")),
        record(3, "medisinske gasser, flasker", Triage::Rejected, Some("drugs")),
        record(4, "Medisinske senger", Triage::Shortlisted, None),
        record(5, "Gasser til laboratorium", Triage::Shortlisted, None),
    ];
    let found = suggest_exclusions(&rs, &profile());
    let terms: Vec<&str> = found.iter().map(|s| s.term.as_str()).collect();
    assert_eq!(terms, ["medisinske gasser"]);
    // With no kept notice the word alone says the same and the phrase is dropped.
    rs.truncate(3);
    let found = suggest_exclusions(&rs, &profile());
    let terms: Vec<&str> = found.iter().map(|s| s.term.as_str()).collect();
    assert_eq!(terms, ["gasser", "medisinske"]);
}

#[test]
fn punctuation_ends_a_phrase_and_reasons_are_counted_apart() {
    let rs: Vec<NoticeRecord> = (0..3)
        .map(|i| record(i, "Vask, tekstiler", Triage::Rejected, Some("laundry")))
        .chain((3..5).map(|i| record(i, "Vask tekstiler", Triage::Rejected, Some("other"))))
        .collect();
    let found = suggest_exclusions(&rs, &profile());
    let got: Vec<(&str, &str)> = found.iter().map(|s| (s.term.as_str(), s.reason.as_str())).collect();
    assert_eq!(got, [("tekstiler", "laundry"), ("vask", "laundry")]);
    assert!(suggest_exclusions(&[], &profile()).is_empty());
}

#[test]
fn a_suggested_weight_stays_within_the_profile_weight_range() {
    // A high threshold asks for a heavy exclusion; the suggestion must still be a valid profile line.
    let text = "name = \"p\"\nthreshold = 9000\n[[include]]\nterm = \"røntgen\"\nweight = 1000\n";
    let profile = Profile::parse(text, "p.toml").expect("valid");
    let found = suggest_exclusions(&records(), &profile);
    let top = found.first().expect("a suggestion");
    let with_it = format!("{text}{}", top.toml());
    assert!(Profile::parse(&with_it, "p.toml").is_ok(), "{}", top.toml());
}

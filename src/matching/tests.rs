//! Unit tests of [`super`]: table-driven cases per rule kind, spans, weights and badges.

use super::*;

const PROFILE: &str = r#"
name = "test"
threshold = 10
[[include]]
terms = ["røntgen", "velferdsteknologi", "pasientsignal", "trygghetsalarm", "*kateter", "MR", "CT", "RIS", "EPJ", "sår", "SPECT"]
weight = 10
[[exclude]]
term = "legemidler"
weight = 8
[[cpv]]
prefix = "33"
weight = 6
[[cpv]]
prefix = "33600000"
weight = -12
"#;

fn matcher() -> Matcher {
    Matcher::new(&Profile::parse(PROFILE, "test.toml").expect("valid profile")).expect("compiles")
}

fn notice(title: &str, description: &str, buyer: &str, cpv: &[&str]) -> Notice {
    Notice {
        description: description.into(),
        buyer: buyer.into(),
        cpv: cpv.iter().map(|c| (*c).to_owned()).collect(),
        ..Notice::blank("test", "1", title)
    }
}

fn title_rules(title: &str) -> Vec<String> {
    matcher()
        .evaluate(&notice(title, "", "", &[]))
        .hits
        .into_iter()
        .map(|h| h.rule.to_string())
        .collect()
}

#[test]
fn terms_match_by_the_boundary_rules() {
    let cases: [(&str, &[&str]); 18] = [
        ("Ny velferdsteknologiløsning", &["velferdsteknologi"]),
        ("Pasientsignalanlegg til sykehjem", &["pasientsignal"]),
        ("Foleykateter og SVK", &["*kateter"]),
        ("MR-maskin til Ålesund", &["MR"]),
        ("Ny MR til sykehuset", &["MR"]),
        ("Drift av område nord", &[]),
        ("Service contract for the project", &[]),
        ("CT til UNN", &["CT"]),
        ("Levering av ris og pasta", &[]),
        ("Pris og RIS/PACS", &["RIS"]),
        ("PRIS", &[]),
        ("SPECT/CT og spectrometer", &["SPECT", "CT"]),
        ("EPJ-system", &["EPJ"]),
        ("Sår og SÅR", &["sår", "sår"]),
        ("Såret", &[]),
        ("SAR-helikopter", &[]),
        ("Nye trygghetsalarmer", &["trygghetsalarm"]),
        ("Datatrygghetsalarm", &[]),
    ];
    for (title, want) in cases {
        assert_eq!(title_rules(title), want.to_vec(), "{title}");
    }
}

#[test]
fn case_and_diacritics_do_not_matter_for_long_terms() {
    for title in ["RØNTGEN", "røntgen", "Rontgen", "roentgen", "Röntgenanlegg"] {
        assert_eq!(title_rules(title), ["røntgen"], "{title}");
    }
}

#[test]
fn spans_slice_the_original_text_in_field_order() {
    let n = notice(
        "Mobil RØNTGEN og MR",
        "Kjøp av røntgenapparat, ROENTGEN",
        "Sår AS",
        &["33100000"],
    );
    let hits = matcher().evaluate(&n).hits;
    let slices: Vec<(Field, &str)> = hits
        .iter()
        .map(|h| {
            let text = match h.field {
                Field::Title => &n.title,
                Field::Description => &n.description,
                Field::Buyer => &n.buyer,
                Field::Cpv => &n.cpv[0],
            };
            (h.field, text.get(h.span()).expect("span is a valid byte range"))
        })
        .collect();
    let want = [
        (Field::Title, "RØNTGEN"),
        (Field::Title, "MR"),
        (Field::Description, "røntgen"),
        (Field::Description, "ROENTGEN"),
        (Field::Buyer, "Sår"),
        (Field::Cpv, "33"),
    ];
    assert_eq!(slices, want);
}

#[test]
fn a_rule_counts_once_but_every_occurrence_is_a_hit() {
    let r = matcher().evaluate(&notice("MR og MR", "MR", "", &[]));
    assert_eq!(r.hits.len(), 3);
    assert_eq!(r.score, 10);
    assert!(r.matched);
}

#[test]
fn fields_are_weighted() {
    let m = matcher();
    assert_eq!(m.evaluate(&notice("røntgen", "", "", &[])).score, 10);
    assert_eq!(m.evaluate(&notice("", "røntgen", "", &[])).score, 5);
    assert_eq!(m.evaluate(&notice("", "", "røntgen", &[])).score, 3);
    assert!(!m.evaluate(&notice("", "røntgen", "", &[])).matched);
}

#[test]
fn exclusions_lower_the_score() {
    let m = matcher();
    let plain = m.evaluate(&notice("Multidose og kateter", "", "", &[]));
    let excluded = m.evaluate(&notice("Multidose, legemidler og kateter", "", "", &[]));
    assert_eq!(plain.score - excluded.score, 8);
    assert!(
        excluded
            .hits
            .iter()
            .any(|h| h.kind == RuleKind::Exclude && h.weight == -8)
    );
    assert!(!excluded.matched);
}

#[test]
fn cpv_rules_match_by_prefix_and_count_once() {
    let m = matcher();
    // Two codes under one rule: counted once, and reported once (a hit names the rule, not the
    // code: the detail pane marks every code the rule covers).
    let r = m.evaluate(&notice("", "", "", &["33100000", "33190000"]));
    assert_eq!((r.score, r.hits.len()), (6, 1));
    assert!(
        r.hits
            .iter()
            .all(|h| h.kind == RuleKind::Cpv && h.rule == "33" && h.end == 2)
    );
    // Two rules: both.
    let r = m.evaluate(&notice("", "", "", &["33600000"]));
    assert_eq!(r.score, 6 - 12);
    assert_eq!(r.hits.len(), 2);
    let r = m.evaluate(&notice("", "", "", &["33100000", "33600000", "33610000"]));
    assert_eq!((r.score, r.hits.len()), (6 - 12, 2));
    assert_eq!(m.evaluate(&notice("", "", "", &["03310000", "45000000"])).score, 0);
}

#[test]
fn relevance_names_the_profile_and_carries_badges() {
    let m = matcher();
    let r = m.evaluate(&notice(
        "MR til UNN",
        "CE-merket etter MDR. Dialogkonferanse",
        "NHN",
        &[],
    ));
    assert_eq!(r.profiles, ["test"]);
    assert_eq!(r.badges, [Badge::MdrIvdr, Badge::CeMarking, Badge::MarketDialogue]);
    let r = m.evaluate(&notice("Kontorrekvisita", "Levert med CE-merking", "", &[]));
    assert!(r.profiles.is_empty() && !r.matched);
    assert_eq!(r.badges, [Badge::CeMarking]);
    // Badge terms never add hits or score.
    assert!(r.hits.is_empty() && r.score == 0);
}

#[test]
fn empty_notice_scores_zero() {
    assert_eq!(matcher().evaluate(&notice("", "", "", &[])), Relevance::default());
}

#[test]
fn programmatic_profiles_are_checked() {
    let mut profile = Profile::parse(PROFILE, "t").expect("valid");
    profile.include.push(TermRule {
        term: "*".into(),
        weight: 1,
    });
    assert!(matches!(Matcher::new(&profile), Err(ProfileError::Unusable { .. })));
}

#[test]
fn letter_digit_runs_split_into_words() {
    // Internal codes glue an abbreviation to a number: "OUS-MR2", "2CT", "K907CT".
    let cases: [(&str, &[&str]); 5] = [
        ("Servicekontrakt OUS-MR2", &["MR"]),
        ("CT-lab og 2CT", &["CT", "CT"]),
        ("K907CT til Haugesund", &["CT"]),
        ("MRSA-screening", &[]),
        ("EPJ2022", &["EPJ"]),
    ];
    for (title, want) in cases {
        assert_eq!(title_rules(title), want.to_vec(), "{title}");
    }
    // The span is the abbreviation only.
    let r = matcher().evaluate(&notice("Lab MR2", "", "", &[]));
    assert_eq!((r.hits[0].start, r.hits[0].end), (4, 6));
}

const BUYER_PROFILE: &str = r#"
name = "buyer"
threshold = 10
[[include]]
terms = ["klinikk"]
weight = 4
[[exclude]]
terms = ["renhold"]
weight = 12
[[buyer]]
terms = ["helseforetak", "HF", "sykehus"]
weight = 6
[[buyer]]
terms = ["kommune"]
weight = 2
[[cpv]]
prefix = "38000000"
weight = 4
"#;

fn buyer_matcher() -> Matcher {
    Matcher::new(&Profile::parse(BUYER_PROFILE, "b.toml").expect("valid profile")).expect("compiles")
}

#[test]
fn a_buyer_type_lifts_other_evidence_but_never_decides_alone() {
    let m = buyer_matcher();
    // Alone: nothing, however strong the buyer type.
    let alone = m.evaluate(&notice(
        "Kontorrekvisita",
        "",
        "Helse Bergen HF, Haukeland sykehus",
        &[],
    ));
    assert_eq!((alone.score, alone.matched), (0, false));
    assert!(alone.hits.is_empty(), "{:?}", alone.hits);
    // A laboratory CPV code bought by a health trust reaches the threshold: 4 + 6.
    let lab = m.evaluate(&notice(
        "Instrument 76146",
        "",
        "Oslo universitetssykehus HF",
        &["38000000"],
    ));
    assert_eq!((lab.score, lab.matched), (10, true));
    let buyer_hit = lab
        .hits
        .iter()
        .find(|h| h.field == Field::Buyer)
        .expect("the buyer type is a hit, explained like the rules");
    assert_eq!((buyer_hit.weight, buyer_hit.kind), (6, RuleKind::Include));
    // Only the strongest buyer type counts, once.
    let both = m.evaluate(&notice("Klinikk", "", "Sykehus HF, kommune", &[]));
    assert_eq!(both.score, 4 + 6);
    // A buyer type in the title is not a buyer; an exclusion still wins.
    assert_eq!(m.evaluate(&notice("Klinikk for sykehus", "", "", &[])).score, 4);
    assert!(!m.evaluate(&notice("Klinikk renhold", "", "Helse HF", &[])).matched);
}

#[test]
fn buyer_rules_are_parsed_and_checked() {
    let p = Profile::parse(BUYER_PROFILE, "b.toml").expect("valid");
    assert_eq!(p.buyer.len(), 4);
    let bad = "name = \"x\"\nthreshold = 10\n[[buyer]]\nterm = \"HF\"\nweight = 10\n";
    let err = Profile::parse(bad, "x.toml").expect_err("a buyer type alone would decide");
    assert!(err.to_string().contains("below the threshold"), "{err}");
}

//! Unit tests of [`super`]: each filter on its own, unknown fields passing, and config errors.

use super::*;
use crate::matching::{Matcher, Profile, ProfileError};
use crate::model::RuleKind;

fn filters(table: &str) -> Filters {
    let text =
        format!("name = \"f\"\nthreshold = 10\n[filters]\n{table}\n[[include]]\nterm = \"røntgen\"\nweight = 10\n");
    Profile::parse(&text, "f.toml").expect("valid profile").filters
}

fn notice() -> Notice {
    Notice::blank("ted", "1", "Røntgenapparat")
}

fn reasons(f: &Filters, n: &Notice, now: Option<Timestamp>) -> Vec<String> {
    f.check(n, now).into_iter().map(|r| r.reason).collect()
}

fn ts(text: &str) -> Timestamp {
    text.parse().expect("timestamp")
}

#[test]
fn countries_accept_alpha2_and_alpha3_on_both_sides() {
    let f = filters("countries = [\"NOR\", \"se\"]");
    assert_eq!(f.countries, ["NOR", "SWE"]);
    for (country, passes) in [
        ("NO", true),
        ("NOR", true),
        ("swe", true),
        ("DEU", false),
        ("DK", false),
    ] {
        let n = Notice {
            country: Some(country.into()),
            ..notice()
        };
        assert_eq!(f.check(&n, None).is_empty(), passes, "{country}");
    }
    let n = Notice {
        country: Some("DEU".into()),
        ..notice()
    };
    assert_eq!(reasons(&f, &n, None), ["filter: country DEU not in NOR, SWE"]);
    assert!(
        f.check(&notice(), None).is_empty(),
        "an unknown country is not evidence against"
    );
}

#[test]
fn nuts_match_by_prefix_and_fall_back_to_the_country() {
    let f = filters("nuts = [\"no08\"]");
    let with = |codes: &[&str], country: Option<&str>| Notice {
        nuts: codes.iter().map(|c| (*c).to_owned()).collect(),
        country: country.map(Into::into),
        ..notice()
    };
    assert!(f.check(&with(&["NO081"], None), None).is_empty());
    assert!(
        f.check(&with(&["NO060", "NO082"], None), None).is_empty(),
        "any code will do"
    );
    assert_eq!(
        reasons(&f, &with(&["NO060"], Some("NOR")), None),
        ["filter: NUTS NO060 not under NO08"]
    );
    assert!(
        f.check(&with(&[], Some("NO")), None).is_empty(),
        "same country, no codes"
    );
    assert_eq!(
        reasons(&f, &with(&[], Some("SWE")), None),
        ["filter: country SWE outside NUTS NO08"]
    );
    assert!(f.check(&with(&[], None), None).is_empty());
}

#[test]
fn buyers_by_name_part_or_organisation_number() {
    let f = filters("buyers = [\"helse bergen\", \"974 116 804\"]\nexclude_buyers = [\"Tannhelse\"]");
    let by = |buyer: &str, id: Option<&str>| Notice {
        buyer: buyer.to_owned(),
        buyer_id: id.map(Into::into),
        ..notice()
    };
    assert!(f.check(&by("Helse Bergen HF", None), None).is_empty());
    assert!(f.check(&by("HELSE BERGEN", None), None).is_empty(), "case-insensitive");
    assert!(
        f.check(&by("Some trust", Some("974116804")), None).is_empty(),
        "by number"
    );
    let out = f.check(&by("Helse Stavanger HF", Some("983974678")), None);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].field, Field::Buyer);
    assert_eq!(out[0].reason, "filter: buyer \"Helse Stavanger HF\" not in buyers");
    assert_eq!(
        reasons(&f, &by("Helse Bergen HF, Tannhelse Vest", None), None),
        ["filter: buyer \"Helse Bergen HF, Tannhelse Vest\" excluded (exclude_buyers \"Tannhelse\")"]
    );
    let folded = filters("exclude_buyers = [\"Bærum\"]");
    assert!(
        !folded.check(&by("BÆRUM KOMMUNE", None), None).is_empty(),
        "case-insensitive"
    );
    assert!(folded.check(&by("Asker kommune", None), None).is_empty());
}

#[test]
fn notice_types_compare_case_insensitively() {
    let f = filters("notice_types = [\"cn-standard\", \"ANNOUNCEMENT_OF_COMPETITION\"]");
    let typed = |t: &str| Notice {
        notice_type: Some(t.into()),
        ..notice()
    };
    assert!(f.check(&typed("CN-STANDARD"), None).is_empty());
    assert!(f.check(&typed("announcement_of_competition"), None).is_empty());
    assert_eq!(
        reasons(&f, &typed("pin-only"), None),
        ["filter: notice type pin-only not in cn-standard, ANNOUNCEMENT_OF_COMPETITION"]
    );
}

#[test]
fn value_range_is_in_the_notices_own_currency() {
    let f = filters("min_value = 100_000\nmax_value = 5e6");
    let valued = |v: f64| Notice {
        value: Some(v),
        currency: Some("NOK".into()),
        ..notice()
    };
    assert!(f.check(&valued(100_000.0), None).is_empty(), "bounds are inclusive");
    assert!(f.check(&valued(5_000_000.0), None).is_empty());
    assert_eq!(
        reasons(&f, &valued(99_999.0), None),
        ["filter: value 99999 NOK below min_value 100000"]
    );
    assert_eq!(
        reasons(&f, &valued(6e6), None),
        ["filter: value 6000000 NOK above max_value 5000000"]
    );
    assert!(f.check(&notice(), None).is_empty(), "no value given");
}

#[test]
fn deadline_window_needs_an_open_notice_closing_soon() {
    let f = filters("deadline_within = \"60d\"");
    assert_eq!(f.deadline_within, Some(SignedDuration::from_hours(60 * 24)));
    let now = ts("2026-05-01T12:00:00Z");
    let closing = |at: &str| Notice {
        deadline: Some(ts(at)),
        ..notice()
    };
    assert!(f.check(&closing("2026-06-01T12:00:00Z"), Some(now)).is_empty());
    assert!(
        f.check(&closing("2026-06-30T12:00:00Z"), Some(now)).is_empty(),
        "exactly 60 days"
    );
    assert_eq!(
        reasons(&f, &closing("2026-07-01T12:00:00Z"), Some(now)),
        ["filter: deadline 2026-07-01T12:00:00Z is more than 60d away"]
    );
    assert_eq!(
        reasons(&f, &closing("2026-04-30T12:00:00Z"), Some(now)),
        ["filter: deadline 2026-04-30T12:00:00Z has passed"]
    );
    assert!(
        f.check(&closing("2027-01-01T00:00:00Z"), None).is_empty(),
        "no clock, no check"
    );
    assert!(f.check(&notice(), Some(now)).is_empty(), "no deadline given");
    for (text, hours) in [("8w", 8 * 7 * 24), ("48h", 48), (" 2d ", 48)] {
        assert_eq!(parse_window(text), Ok(SignedDuration::from_hours(hours)), "{text}");
    }
}

#[test]
fn languages_map_639_2_to_639_1_and_norwegian_covers_both_standards() {
    let f = filters("languages = [\"nob\", \"nn\", \"eng\"]");
    assert_eq!(f.languages, ["nb", "nn", "en"]);
    let titled = |langs: &[&str]| {
        let mut n = notice();
        for lang in langs {
            n.titles.insert((*lang).to_owned(), "Røntgen".to_owned());
        }
        n
    };
    assert!(f.check(&titled(&["nor"]), None).is_empty(), "nor is bokmål or nynorsk");
    assert!(
        f.check(&titled(&["deu", "eng"]), None).is_empty(),
        "one wanted language is enough"
    );
    assert!(f.check(&titled(&["NNO"]), None).is_empty());
    assert_eq!(
        reasons(&f, &titled(&["deu", "fra"]), None),
        ["filter: languages de, fr not in nb, nn, en"]
    );
    assert!(f.check(&titled(&[]), None).is_empty(), "no titles by language");
    let norwegian = filters("languages = [\"no\"]");
    assert!(norwegian.check(&titled(&["nb"]), None).is_empty());
    assert!(!norwegian.check(&titled(&["sv"]), None).is_empty());
}

#[test]
fn a_filtered_notice_scores_zero_and_says_why() {
    let text = "name = \"nordic\"\nthreshold = 10\n[filters]\ncountries = [\"NOR\", \"SWE\"]\n\
                [[include]]\nterm = \"røntgen\"\nweight = 10\n";
    let matcher = Matcher::new(&Profile::parse(text, "f.toml").expect("valid")).expect("compiles");
    let german = Notice {
        country: Some("DEU".into()),
        ..notice()
    };
    let r = matcher.evaluate_at(&german, ts("2026-05-01T00:00:00Z"));
    assert_eq!((r.score, r.matched), (0, false));
    assert!(r.profiles.is_empty());
    assert_eq!(r.hits.len(), 1);
    assert_eq!(r.hits[0].kind, RuleKind::Filter);
    assert_eq!(r.hits[0].rule, "filter: country DEU not in NOR, SWE");
    assert_eq!((r.hits[0].start, r.hits[0].end, r.hits[0].weight), (0, 0, 0));
    let norwegian = Notice {
        country: Some("NO".into()),
        ..notice()
    };
    let r = matcher.evaluate(&norwegian);
    assert!(r.matched && r.score == 10, "{r:?}");
}

#[test]
fn bad_filter_values_are_config_errors_at_the_value_or_its_list() {
    let cases: [(&str, usize, usize, &str, &str); 9] = [
        (
            "countries = [\"NOR\", \"NRO\"]",
            4,
            13,
            "filters.countries",
            "unknown country code \"NRO\"",
        ),
        ("nuts = [\"N08\"]", 4, 8, "filters.nuts", "not a NUTS code"),
        ("nuts = [\"XX08\"]", 4, 8, "filters.nuts", "not a NUTS code"),
        (
            "languages = [\"norsk\"]",
            4,
            13,
            "filters.languages",
            "unknown language code",
        ),
        (
            "deadline_within = \"60 days\"",
            4,
            19,
            "filters.deadline_within",
            "window like",
        ),
        (
            "deadline_within = \"0d\"",
            4,
            19,
            "filters.deadline_within",
            "between 1",
        ),
        ("min_value = -5", 4, 13, "filters.min_value", "not an amount"),
        ("buyers = [\"  \"]", 4, 10, "filters.buyers", "empty name"),
        ("countrys = [\"NOR\"]", 4, 1, "filters.countrys", "unknown field"),
    ];
    for (table, line, column, key, message) in cases {
        let text = format!("name = \"f\"\nthreshold = 10\n[filters]\n{table}\n");
        match Profile::parse(&text, "f.toml") {
            Err(ProfileError::Invalid {
                line: l,
                column: c,
                key: k,
                message: m,
                ..
            }) => {
                assert_eq!((l, c, k.as_str()), (line, column, key), "{table}: {m}");
                assert!(m.contains(message), "{table}: {m}");
            }
            other => panic!("{table}: expected an error, got {other:?}"),
        }
    }
    let text = "name = \"f\"\nthreshold = 10\n[filters]\nmin_value = 10\nmax_value = 5\n";
    let err = Profile::parse(text, "f.toml").expect_err("min above max");
    assert!(err.to_string().contains("min_value 10 is above max_value 5"), "{err}");
    assert!(err.to_string().starts_with("f.toml:3:"), "{err}");
}

#[test]
fn no_filters_table_means_no_filters() {
    let profile = Profile::parse("name = \"f\"\nthreshold = 1\n", "f.toml").expect("valid");
    assert!(profile.filters.is_empty());
    assert!(
        profile
            .filters
            .check(&notice(), Some(ts("2026-01-01T00:00:00Z")))
            .is_empty()
    );
}

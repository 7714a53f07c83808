//! Unit tests of [`super`]: boundaries in the patterns, punctuation checks, field edges, lanes
//! cut anywhere, and agreement with the overlapping search the scan replaced.

use super::*;

fn spec(text: &str, boundary_before: bool, boundary_after: bool) -> PatternSpec<'_> {
    PatternSpec {
        text,
        boundary_before,
        boundary_after,
    }
}

fn finds(needles: &Needles, title: &str, description: &str) -> Vec<(usize, Field, usize, usize)> {
    let text = ScanText::new([
        (Field::Title, title),
        (Field::Description, description),
        (Field::Buyer, ""),
    ]);
    let mut out = Vec::new();
    needles.find(&text, |at| out.push((at.pattern, at.field, at.start, at.end)));
    out.sort_unstable_by_key(|&(p, f, s, e)| (f == Field::Description, s, e, p));
    out
}

#[test]
fn boundaries_are_part_of_the_pattern() {
    let n = Needles::new(&[spec("ct", true, true), spec("kateter", false, false)]).expect("builds");
    assert!(finds(&n, "Contract for a product", "").is_empty());
    assert_eq!(
        finds(&n, "CT", "PET-CT, foleykateter"),
        [
            (0, Field::Title, 0, 2),
            (0, Field::Description, 4, 6),
            (1, Field::Description, 13, 20)
        ]
    );
}

#[test]
fn punctuation_in_a_pattern_is_checked_against_the_text() {
    let n = Needles::new(&[spec("pet-ct", true, true), spec("ce merk", true, false)]).expect("builds");
    assert_eq!(finds(&n, "PET-CT og PET CT", ""), [(0, Field::Title, 0, 6)]);
    assert_eq!(finds(&n, "CE-merket", "CE merket"), [(1, Field::Description, 0, 7)]);
}

#[test]
fn an_ascii_letter_next_to_a_digit_is_a_word_boundary() {
    let n = Needles::new(&[
        spec("mr", true, true),
        spec("hba1c", true, true),
        spec("ct", true, false),
    ])
    .expect("builds");
    assert_eq!(
        finds(&n, "OUS-MR2 2CT", "HbA1c og HbA 1c"),
        [
            (0, Field::Title, 4, 6),
            (2, Field::Title, 9, 11),
            (1, Field::Description, 0, 5),
            (1, Field::Description, 9, 15)
        ]
    );
    assert!(finds(&n, "MRSA", "").is_empty());
}

#[test]
fn a_pattern_never_spans_two_fields() {
    let n = Needles::new(&[spec("medical device", true, false)]).expect("builds");
    assert!(finds(&n, "Medical", "device").is_empty());
    assert_eq!(finds(&n, "", "Medical device"), [(0, Field::Description, 0, 14)]);
}

#[test]
fn scan_bytes_are_lower_case_letters_digits_or_blanks() {
    for byte in 0..128u8 {
        let want = if byte.is_ascii_alphanumeric() {
            byte.to_ascii_lowercase()
        } else {
            BLANK
        };
        assert_eq!(scan_byte(byte), want, "{byte}");
    }
}

#[test]
fn ascii_runs_end_at_the_first_non_ascii_byte() {
    for len in 0..40 {
        let ascii = "a".repeat(len);
        assert_eq!(ascii_run(ascii.as_bytes()), len);
        let mixed = format!("{ascii}ø{ascii}");
        assert_eq!(ascii_run(mixed.as_bytes()), len, "{mixed}");
    }
}

#[test]
fn long_texts_find_every_occurrence_across_the_cut() {
    let n = Needles::new(&[spec("sensor", true, false), spec("sensorsystem", true, true)]).expect("builds");
    for pad in 0..120 {
        let text = format!("{}sensorsystem {}", "x ".repeat(100 + pad), "y ".repeat(100));
        let at = 200 + 2 * pad;
        assert_eq!(
            finds(&n, "", &text),
            [
                (0, Field::Description, at, at + 6),
                (1, Field::Description, at, at + 12)
            ],
            "{pad}"
        );
    }
}

/// The search the scan replaces: overlapping search over each folded field, boundaries
/// checked afterwards.
fn reference(patterns: &[PatternSpec<'_>], fields: [(Field, &str); 3]) -> Vec<(usize, Field, usize, usize)> {
    use super::super::normalize::{Folded, is_boundary_after, is_boundary_before};
    let texts: Vec<&str> = patterns.iter().map(|p| p.text).collect();
    let automaton = aho_corasick::AhoCorasick::new(&texts).expect("builds");
    let mut out = Vec::new();
    for (field, text) in fields {
        let folded = Folded::new(text);
        let haystack = folded.as_str();
        for m in automaton.find_overlapping_iter(haystack) {
            let spec = patterns[m.pattern().as_usize()];
            if (spec.boundary_before && !is_boundary_before(haystack, m.start()))
                || (spec.boundary_after && !is_boundary_after(haystack, m.end()))
            {
                continue;
            }
            if let Some((start, end)) = folded.original_span(m.start(), m.end()) {
                out.push((m.pattern().as_usize(), field, start, end));
            }
        }
    }
    out.sort_unstable_by_key(|&(p, f, s, e)| (f as u8, s, e, p));
    out
}

#[test]
fn finds_what_an_overlapping_search_with_boundary_checks_finds() {
    let texts = [
        "ct",
        "pet-ct",
        "pet ct",
        "røntgen",
        "roentgen",
        "sår",
        "ce-merk",
        "ce merk",
        "e-resept",
        "alarm",
        "trygghetsalarm",
        "2017/745",
        "iso",
        "a",
        "æ",
    ];
    let patterns: Vec<PatternSpec<'_>> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| spec(text, i % 3 != 2, i % 2 == 0))
        .collect();
    let needles = Needles::new(&patterns).expect("builds");
    let words = [
        "CT",
        "ct",
        "PET-CT",
        "pet",
        "Röntgen",
        "RØNTGEN",
        "roentgen",
        "Sår",
        "SÅR",
        "CE-merket",
        "CE merket",
        "e\u{2011}resept",
        "Trygghetsalarmer",
        "alarm",
        "2017/745",
        "ISO",
        "İso",
        "o\u{308}",
        "Æ",
        "«",
        "»",
        "-",
        "/",
        " ",
        "  ",
        ",",
        "contract",
        "a",
        "æ",
        "x",
    ];
    // A fixed linear congruential sequence: many texts, the same ones on every run.
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).expect("fits") % n
    };
    let mut total = 0;
    for _ in 0..2_000 {
        let mut field = || {
            let len = next(120);
            (0..len).map(|_| words[next(words.len())]).collect::<String>()
        };
        let (title, description, buyer) = (field(), field(), field());
        let fields = [
            (Field::Title, title.as_str()),
            (Field::Description, description.as_str()),
            (Field::Buyer, buyer.as_str()),
        ];
        let mut got = Vec::new();
        needles.find(&ScanText::new(fields), |at| {
            got.push((at.pattern, at.field, at.start, at.end));
        });
        got.sort_unstable_by_key(|&(p, f, s, e)| (f as u8, s, e, p));
        assert_eq!(got, reference(&patterns, fields), "{fields:?}");
        total += got.len();
    }
    assert!(total > 10_000, "the texts hold occurrences to compare: {total}");
}

#[test]
fn folded_fields_map_back_to_the_original() {
    let n = Needles::new(&[spec("røntgen", true, false), spec("e-resept", true, true)]).expect("builds");
    let title = "Nytt RÖNTGEN-utstyr og e\u{2011}resept";
    let got = finds(&n, title, "");
    let slices: Vec<&str> = got.iter().map(|&(_, _, s, e)| &title[s..e]).collect();
    assert_eq!(slices, ["RÖNTGEN", "e\u{2011}resept"]);
}

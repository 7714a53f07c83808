//! Unit tests of [`super`]: Nordic folding, highlight positions, ordering, the index and its prefilter.

use super::*;

fn titles() -> Vec<(usize, &'static str)> {
    vec![
        (0, "RØNTGEN til Ørsta"),
        (1, "Øygarden kommune – trygghetsalarmer"),
        (2, "Kjøp av Røntgenapparat"),
        (3, "Renhold"),
        (4, "Ærlig talt: Åpen anbudskonkurranse"),
    ]
}

fn highlighted(text: &str, positions: &[usize]) -> String {
    text.chars()
        .enumerate()
        .filter(|(i, _)| positions.contains(i))
        .map(|(_, c)| c)
        .collect()
}

#[test]
fn nordic_letters_match_in_any_case_and_spelling() {
    let cases: [(&str, &[usize]); 6] = [
        ("røntg", &[0, 2]),
        ("RØNTG", &[0, 2]),
        ("rontgen", &[0, 2]),
        ("øyg", &[1]),
        ("ærlig", &[4]),
        ("åpen", &[4]),
    ];
    for (query, want) in cases {
        let got: Vec<usize> = fuzzy_filter(query, titles()).into_iter().map(|m| m.index).collect();
        // Fuzzy matching may also find scattered letters elsewhere; the intended titles must
        // be there and one of them must rank first.
        assert!(want.iter().all(|w| got.contains(w)), "{query}: {got:?}");
        assert!(
            got.first().is_some_and(|first| want.contains(first)),
            "{query}: {got:?}"
        );
    }
}

#[test]
fn positions_index_original_chars() {
    let cases = [
        ("røntg", 0, "RØNTG"),
        ("øyg", 1, "Øyg"),
        ("aerlig", 4, "Ærlig"),
        ("apen", 4, "Åpen"),
    ];
    for (query, index, want) in cases {
        let found = fuzzy_filter(query, titles());
        let m = found.iter().find(|m| m.index == index).expect("candidate matches");
        let text = titles()[index].1;
        assert!(m.positions.iter().all(|&p| p < text.chars().count()), "{query}");
        assert!(
            m.positions.windows(2).all(|w| w[0] < w[1]),
            "{query}: ascending, distinct"
        );
        assert_eq!(highlighted(text, &m.positions), want, "{query}");
    }
}

#[test]
fn lowercasing_that_changes_length_keeps_positions_valid() {
    // 'İ' lower-cases to "i" plus a combining dot; 'ß' searches as "ss".
    let text = "İstanbul Straße";
    let found = fuzzy_filter("strasse", [(7, text)]);
    assert_eq!(found.len(), 1);
    assert_eq!(highlighted(text, &found[0].positions), "Straße");
    let found = fuzzy_filter("istan", [(0, text)]);
    assert_eq!(highlighted(text, &found[0].positions), "İstan");
}

#[test]
fn blank_query_keeps_everything_in_order() {
    for query in ["", "   "] {
        let found = fuzzy_filter(query, titles());
        assert_eq!(found.iter().map(|m| m.index).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert!(found.iter().all(|m| m.positions.is_empty() && m.score == 0));
    }
}

#[test]
fn results_are_sorted_by_score_then_index() {
    let found = fuzzy_filter(
        "ren",
        [(5, "Renhold"), (1, "Renhold"), (2, "Vaskeri og rengjøring i Tromsø")],
    );
    assert_eq!(found.iter().map(|m| m.index).collect::<Vec<_>>(), [1, 5, 2]);
    assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(fuzzy_filter("xyzzy", titles()).is_empty());
}
#[test]
fn index_narrows_incrementally_and_splits_over_threads() {
    let titles: Vec<String> = (0..10_000)
        .map(|i| match i % 4 {
            0 => format!("RØNTGEN nr {i}"),
            1 => format!("Renhold {i}"),
            2 => format!("Trygghetsalarmer {i}"),
            _ => format!("Ærlig røyk {i}"),
        })
        .collect();
    let index = FuzzyIndex::new(titles.iter().map(String::as_str).enumerate());
    assert_eq!(index.len(), 10_000);
    let first = index.filter("r", None, 10);
    let full = index.filter("rønt", None, usize::MAX);
    let narrowed = index.filter("rønt", Some(&first), usize::MAX);
    assert_eq!(full, narrowed);
    assert_eq!(full.len(), 2_500);
    // Same answer as the one-shot function (single-threaded on small inputs).
    let small: Vec<(usize, &str)> = titles.iter().map(String::as_str).enumerate().take(40).collect();
    let one_shot = fuzzy_filter("rønt", small.iter().copied());
    assert_eq!(
        one_shot,
        index.filter("rønt", None, usize::MAX)[..one_shot.len()].to_vec()
    );
    let limited = index.filter("rønt", None, 3);
    assert!(limited[..3].iter().all(|m| !m.positions.is_empty()));
    assert!(limited[3..].iter().all(|m| m.positions.is_empty()));
}

#[test]
fn windows_find_in_order_chars_and_the_tightest_span() {
    let matcher = SkimMatcherV2::default().ignore_case();
    for (text, query) in [
        ("renhold", "rhd"),
        ("mr utstyr", "mr ut"),
        ("abc", "cba"),
        ("røntgen", "røn"),
    ] {
        let needle: Vec<char> = query.chars().collect();
        if matcher.fuzzy_match(text, query).is_some() {
            assert!(tightest_window(text, &needle).is_some(), "{text} {query}");
        }
    }
    assert_eq!(tightest_window("abc", &['c', 'a']), None);
    // "r…g": the window starts at the last r before the first g that completes the match.
    assert_eq!(tightest_window("rr xr g rg", &['r', 'g']), Some((4, 7)));
    assert_eq!(tightest_window("røntgen", &['ø', 'g']), Some((1, 6)));
}

#[test]
fn remembered_queries_give_the_same_answers_as_a_fresh_index() {
    let titles: Vec<String> = (0..9_000)
        .map(|i| match i % 5 {
            0 => format!("RØNTGEN nr {i}"),
            1 => format!("Renhold og rengjøring {i}"),
            2 => format!("Trygghetsalarmer {i}"),
            3 => format!("Røntgenapparat til Ørsta {i}"),
            _ => format!("Ærlig talt, en tørr oppgave {i}"),
        })
        .collect();
    // Caller indices that are not positions, as the list gives (records in display order).
    let candidates: Vec<(usize, &str)> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| (9_000 - i, t.as_str()))
        .collect();
    let typing = FuzzyIndex::new(candidates.iter().copied());
    // Typing, deleting, retyping, a space, and a query that does not extend the last one.
    for query in [
        "r",
        "rø",
        "røn",
        "røntg",
        "røn",
        "røx",
        "rø",
        "røntgen nr",
        "ær",
        "",
        "t",
        "tr",
    ] {
        let fresh = FuzzyIndex::new(candidates.iter().copied()).filter(query, None, 5);
        let narrowed = typing.filter(query, None, 5);
        assert_eq!(narrowed, fresh, "{query}");
        assert_eq!(
            typing.clone().filter(query, None, 5),
            fresh,
            "a clone starts afresh: {query}"
        );
    }
    let found = typing.filter("røntg", None, 1);
    assert_eq!(found.len(), 3_600, "RØNTGEN and Røntgenapparat");
    let top = &titles[9_000 - found[0].index];
    assert_eq!(highlighted(top, &found[0].positions).to_lowercase(), "røntg");
}

#[test]
fn window_search_agrees_with_a_char_by_char_scan() {
    // The slow, obvious version: walk the chars forwards, then backwards from the end.
    fn naive(haystack: &str, wanted: &[char]) -> Option<(usize, usize)> {
        let chars: Vec<(usize, char)> = haystack.char_indices().collect();
        let (mut next, mut end) = (0, None);
        for &(at, c) in &chars {
            if next < wanted.len() && wanted[next] == c {
                next += 1;
                if next == wanted.len() {
                    end = Some(at + c.len_utf8());
                    break;
                }
            }
        }
        let end = end?;
        let mut remaining = wanted.len();
        for &(at, c) in chars.iter().rev().filter(|(at, _)| *at < end) {
            if wanted[remaining - 1] == c {
                remaining -= 1;
                if remaining == 0 {
                    return Some((at, end));
                }
            }
        }
        None
    }
    let texts = ["rr xr g rg", "røntgen", "aaa", "øyeundersøkelse og røntgen", "", "gr"];
    let needles: [&[char]; 6] = [
        &['r', 'g'],
        &['ø', 'g'],
        &['a', 'a'],
        &['ø', 'r', 'n'],
        &['x'],
        &['r', 'ø'],
    ];
    for text in texts {
        for needle in needles {
            assert_eq!(window(text, needle), naive(text, needle), "{text:?} {needle:?}");
        }
    }
}

#[test]
fn byte_scans_agree_with_the_char_scans() {
    let texts = [
        "rr xr g rg",
        "røntgen og røyk",
        "aaa",
        "øyeundersøkelse og rontgen",
        "",
        "gr",
        "ærlig",
    ];
    for text in texts {
        for needle in ["rg", "ro", "aa", "rnt", "x", "ae", "gen"] {
            let chars: Vec<char> = needle.chars().collect();
            assert_eq!(
                window_bytes(text.as_bytes(), needle.as_bytes()),
                window(text, &chars),
                "{text:?} {needle:?}"
            );
            assert_eq!(
                find_bytes(text.as_bytes(), needle.as_bytes()),
                text.find(needle),
                "{text:?} {needle:?}"
            );
        }
    }
}

#[test]
fn whole_words_rank_before_word_starts_before_insides_and_scattered_letters_go() {
    let candidates = [
        (0, "Elektronisk pasientjournal"), // e…p…j scattered
        (1, "Ny EPJ til legekontor"),      // a whole word
        (2, "EPJsystem for sykehus"),      // the start of a word
        (3, "Drift av superEPJ"),          // inside a word
        (4, "Pasientjournal (EPJ)"),       // a whole word, later
    ];
    let found = fuzzy_filter("EPJ", candidates);
    assert_eq!(found.iter().map(|m| m.index).collect::<Vec<_>>(), [1, 4, 2, 3]);
    // With no title holding the query as typed, the scattered ones are all there is.
    let scattered = fuzzy_filter("pjl", candidates);
    assert!(scattered.iter().any(|m| m.index == 0), "{scattered:?}");
}

#[test]
fn the_best_occurrence_ranks_and_is_highlighted() {
    let text = "Depjobb og EPJ";
    let found = fuzzy_filter("epj", [(0, text), (1, "EPJsystem")]);
    assert_eq!(found.iter().map(|m| m.index).collect::<Vec<_>>(), [0, 1], "{found:?}");
    assert_eq!(found[0].positions, [11, 12, 13]);
    assert_eq!(highlighted(text, &found[0].positions), "EPJ");
}

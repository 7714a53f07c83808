//! The `/` filter-as-you-type over the list's titles: fuzzy, Unicode-aware, pure.
//!
//! Uses fuzzy-matcher's `SkimMatcherV2`, whose case folding covers ASCII only, so both query and
//! candidates are folded here first (Æ → ae, Ø → o, é → e, …) with a map back to the original
//! chars for highlighting. Used for display filtering only, never for relevance (fuzzy matchers
//! find scattered letters in any long text).

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// One candidate that matched the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuzzyMatch {
    /// The index the caller gave with the candidate.
    pub index: usize,
    /// Skim's score; higher is better.
    pub score: i64,
    /// Char indices into the original candidate string that matched, ascending, for highlighting.
    pub positions: Vec<usize>,
}

/// Filters `candidates` by `query`, best first (score descending, then index ascending).
///
/// A blank query keeps every candidate, in the given order, with score 0 and no positions.
pub fn fuzzy_filter<'a>(query: &str, candidates: impl IntoIterator<Item = (usize, &'a str)>) -> Vec<FuzzyMatch> {
    let (mut pattern, mut unused) = (String::new(), Vec::new());
    fold_into(query.trim(), &mut pattern, &mut unused);
    if pattern.is_empty() {
        return candidates
            .into_iter()
            .map(|(index, _)| FuzzyMatch {
                index,
                score: 0,
                positions: Vec::new(),
            })
            .collect();
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    // Reused across candidates: this runs on every keystroke over every row in view.
    let (mut folded, mut origin) = (String::new(), Vec::new());
    let mut found: Vec<FuzzyMatch> = candidates
        .into_iter()
        .filter_map(|(index, text)| {
            fold_into(text, &mut folded, &mut origin);
            let (score, indices) = matcher.fuzzy_indices(&folded, &pattern)?;
            let mut positions: Vec<usize> = indices.into_iter().filter_map(|i| origin.get(i).copied()).collect();
            // "æ" folds to two chars; a match on both must highlight the one original char once.
            positions.dedup();
            Some(FuzzyMatch {
                index,
                score,
                positions,
            })
        })
        .collect();
    found.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
    found
}

/// Folds `text` into `folded` as lower-case base letters and records in `origin`, for each folded
/// char, the index of the original char it came from. Both buffers are cleared first.
fn fold_into(text: &str, folded: &mut String, origin: &mut Vec<usize>) {
    folded.clear();
    origin.clear();
    for (index, c) in text.chars().enumerate() {
        for lower in c.to_lowercase() {
            if let Some(letters) = base_letters(lower) {
                folded.push_str(letters);
                origin.extend(std::iter::repeat_n(index, letters.chars().count()));
            } else {
                folded.push(lower);
                origin.push(index);
            }
        }
    }
}

/// The plain letters a lower-case char is searched as, so "rontgen" and "røntgen" both find
/// "RØNTGEN"; `None` when the char stays as it is. Combining marks fold to nothing.
fn base_letters(c: char) -> Option<&'static str> {
    let letters = match c {
        'æ' | 'ä' => "ae",
        'ø' | 'ö' | 'ő' | 'ò' | 'ó' | 'ô' | 'õ' => "o",
        'å' | 'à' | 'á' | 'â' | 'ã' | 'ā' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'ç' | 'č' => "c",
        'ñ' => "n",
        'š' => "s",
        'ž' => "z",
        'ß' => "ss",
        '\u{0300}'..='\u{036f}' => "",
        _ => return None,
    };
    Some(letters)
}

#[cfg(test)]
mod tests {
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
}

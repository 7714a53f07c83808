//! The `/` filter as it was before the narrowing index (src/matching/search.rs at commit a272f98),
//! kept only so `benches/matching.rs` can time the new one against it in the same run on the same
//! (noisy, shared) machine. Not part of the crate.
//!
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

/// Candidates folded once, for filtering as the user types.
#[derive(Debug, Clone, Default)]
pub struct FuzzyIndex {
    rows: Vec<FoldedRow>,
}

/// One candidate: the caller's index, its folded text and the map back to original chars.
#[derive(Debug, Clone)]
struct FoldedRow {
    index: usize,
    folded: String,
    /// Original char index of every folded char; `None` when folding kept one char per char
    /// (most titles), so the map is the identity and costs no memory.
    origin: Option<Vec<u32>>,
}

/// Rows per thread below which a second thread costs more than it saves.
const PARALLEL_MIN_ROWS: usize = 4_096;

impl FuzzyIndex {
    /// Folds every candidate (case, Nordic letters, accents) once.
    pub fn new<'a>(candidates: impl IntoIterator<Item = (usize, &'a str)>) -> Self {
        let (mut folded, mut origin) = (String::new(), Vec::new());
        let rows = candidates
            .into_iter()
            .map(|(index, text)| {
                fold_into(text, &mut folded, &mut origin);
                let identity = origin.iter().enumerate().all(|(i, &o)| i == o);
                FoldedRow {
                    index,
                    folded: folded.clone(),
                    origin: (!identity).then(|| origin.iter().map(|&o| u32::try_from(o).unwrap_or(u32::MAX)).collect()),
                }
            })
            .collect();
        Self { rows }
    }

    /// The row of caller index `index`: direct when the caller numbered its candidates by
    /// position (the usual `enumerate()`), else a search.
    fn row_of(&self, index: usize) -> Option<&FoldedRow> {
        match self.rows.get(index) {
            Some(row) if row.index == index => Some(row),
            _ => self.rows.iter().find(|r| r.index == index),
        }
    }

    /// Filters by `query`, best first (score descending, then index ascending).
    ///
    /// `within`, when given, restricts the search to the caller indices of an earlier result:
    /// valid when the new query extends the old one (a typed char), since a fuzzy match of the
    /// longer query is also a match of its prefix. Only the first `highlight` results get
    /// [`FuzzyMatch::positions`] (computing them costs as much as the match); pass the number of
    /// visible rows. A blank query keeps every row, in order, with score 0. Uses two threads on
    /// large lists; a cheap in-order check of the query's chars rejects most rows before skim.
    pub fn filter(&self, query: &str, within: Option<&[FuzzyMatch]>, highlight: usize) -> Vec<FuzzyMatch> {
        let (mut pattern, mut unused) = (String::new(), Vec::new());
        fold_into(query.trim(), &mut pattern, &mut unused);
        let rows: Vec<&FoldedRow> = match within {
            Some(previous) => previous.iter().filter_map(|m| self.row_of(m.index)).collect(),
            None => self.rows.iter().collect(),
        };
        if pattern.is_empty() {
            return rows
                .iter()
                .map(|r| FuzzyMatch {
                    index: r.index,
                    score: 0,
                    positions: Vec::new(),
                })
                .collect();
        }
        // Positions cost a second skim pass; compute them inline when every match needs them.
        let all_positions = highlight >= rows.len();
        // Each half is scored and sorted on its own thread, then the sorted halves are merged.
        let found: Vec<Scored> = if rows.len() >= 2 * PARALLEL_MIN_ROWS {
            let (left, right) = rows.split_at(rows.len() / 2);
            std::thread::scope(|scope| {
                let other = scope.spawn(|| sorted(score_rows(&pattern, left, all_positions)));
                let mine = sorted(score_rows(&pattern, right, all_positions));
                // A panic in the scorer is a bug; keep this half rather than take the UI down.
                merge(other.join().unwrap_or_default(), mine)
            })
        } else {
            sorted(score_rows(&pattern, &rows, all_positions))
        };
        let matcher = SkimMatcherV2::default().ignore_case();
        found
            .into_iter()
            .enumerate()
            .map(|(rank, scored)| FuzzyMatch {
                index: scored.row.index,
                score: scored.score,
                positions: match scored.positions {
                    Some(positions) => positions,
                    None if rank < highlight => positions(&matcher, scored.row, &pattern),
                    None => Vec::new(),
                },
            })
            .collect()
    }
}

/// Best first: score descending, then caller index ascending.
fn order(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.score.cmp(&a.score).then(a.row.index.cmp(&b.row.index))
}

/// Sorts by [`order`]; unstable is deterministic here, as caller indices are unique.
fn sorted(mut found: Vec<Scored<'_>>) -> Vec<Scored<'_>> {
    found.sort_unstable_by(order);
    found
}

/// Merges two lists sorted by [`order`].
fn merge<'r>(a: Vec<Scored<'r>>, b: Vec<Scored<'r>>) -> Vec<Scored<'r>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => order(x, y).is_le(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
}

/// A row that matched, with its score and, when already known, its highlight positions.
struct Scored<'r> {
    score: i64,
    row: &'r FoldedRow,
    positions: Option<Vec<usize>>,
}

/// Score of a contiguous match, above any skim score (skim's are in the low hundreds per
/// query char), so titles that contain the query as typed come first.
const CONTIGUOUS_BASE: i64 = 1 << 40;

/// Scores `rows` against the folded `pattern`, keeping those that match.
///
/// A row that contains the query as typed (the common case while typing a word) is scored
/// without skim: contiguous first, earlier and at a word start better. Only the rest, whose
/// chars are scattered, go through skim's scoring matrix, after a cheap in-order check.
fn score_rows<'r>(pattern: &str, rows: &[&'r FoldedRow], with_positions: bool) -> Vec<Scored<'r>> {
    let matcher = SkimMatcherV2::default().ignore_case();
    let needle: Vec<char> = pattern.chars().collect();
    rows.iter()
        .filter_map(|row| {
            if let Some(at) = row.folded.find(pattern) {
                let word_start = row.folded[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
                let start_char = row.folded[..at].chars().count();
                let score = CONTIGUOUS_BASE + if word_start { 1 << 20 } else { 0 } - start_char as i64;
                let positions = with_positions.then(|| {
                    let mut p: Vec<usize> = (start_char..start_char + needle.len())
                        .map(|i| row.origin.as_ref().map_or(i, |o| o.get(i).map_or(i, |&x| x as usize)))
                        .collect();
                    p.dedup();
                    p
                });
                return Some(Scored { score, row, positions });
            }
            let (start, end) = tightest_window(&row.folded, &needle)?;
            // Scattered chars: more compact and earlier is better, always below contiguous ones.
            let spread = i64::try_from(end - start).unwrap_or(i64::MAX >> 24);
            let score = SCATTERED_BASE - (spread << 16) - i64::try_from(start).unwrap_or(0);
            let positions = with_positions.then(|| positions(&matcher, row, pattern));
            Some(Scored { score, row, positions })
        })
        .collect()
}

/// Base score of a scattered match (below [`CONTIGUOUS_BASE`], above nothing).
const SCATTERED_BASE: i64 = 1 << 38;

/// The byte range of the shortest-ending, latest-starting window of `haystack` that holds the
/// chars of `needle` in order (spaces in the query skipped), or `None` when they are not all
/// there. Linear: a forward scan finds the first end, a backward scan from it the latest start
/// (the "v1" algorithm of fzf), which is what ranks compact matches above scattered ones
/// without skim's scoring matrix.
fn tightest_window(haystack: &str, needle: &[char]) -> Option<(usize, usize)> {
    let wanted: Vec<char> = needle.iter().copied().filter(|c| !c.is_whitespace()).collect();
    if wanted.is_empty() {
        return None;
    }
    let mut next = 0;
    let mut end = None;
    for (at, c) in haystack.char_indices() {
        if wanted.get(next) == Some(&c) {
            next += 1;
            if next == wanted.len() {
                end = Some(at + c.len_utf8());
                break;
            }
        }
    }
    let end = end?;
    let mut remaining = wanted.len();
    for (at, c) in haystack[..end].char_indices().rev() {
        if remaining > 0 && wanted.get(remaining - 1) == Some(&c) {
            remaining -= 1;
            if remaining == 0 {
                return Some((at, end));
            }
        }
    }
    None
}

/// Skim's matched char indices mapped back to the original text, for highlighting.
fn positions(matcher: &SkimMatcherV2, row: &FoldedRow, pattern: &str) -> Vec<usize> {
    matcher
        .fuzzy_indices(&row.folded, pattern)
        .map(|(_, indices)| original_positions(row, indices))
        .unwrap_or_default()
}

/// Folded char indices mapped to original char indices, ascending and distinct.
fn original_positions(row: &FoldedRow, indices: Vec<usize>) -> Vec<usize> {
    let mut positions: Vec<usize> = match &row.origin {
        None => indices,
        Some(origin) => indices
            .into_iter()
            .filter_map(|i| origin.get(i).map(|&o| o as usize))
            .collect(),
    };
    // "æ" folds to two chars; a match on both must highlight the one original char once.
    positions.dedup();
    positions
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

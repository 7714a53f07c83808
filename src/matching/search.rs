//! The `/` filter-as-you-type over the list's titles: fuzzy, Unicode-aware, pure.
//!
//! Both query and candidates are folded here (Æ → ae, Ø → o, é → e, …: fuzzy-matcher folds ASCII
//! only) with a map back to the original chars for highlighting. A row matches when it holds the
//! query as typed: as a whole word first, then at the start of a word, then inside one. Only when
//! no row holds it does a row holding the query's chars scattered in order match (`/EPJ` must not
//! list every "Elektronisk pasientjournal"). [`FuzzyIndex`] folds the
//! titles once, narrows as the query grows, scans bytes for ASCII queries and uses two threads;
//! fuzzy-matcher's `SkimMatcherV2` only places the highlights of scattered matches on screen.
//! Used for display filtering only, never for relevance (fuzzy matchers find scattered letters
//! in any long text).

use std::sync::Mutex;

use aho_corasick::AhoCorasick;
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
/// Folds every candidate on each call; a list that is filtered keystroke after keystroke should
/// build a [`FuzzyIndex`] once and call [`FuzzyIndex::filter`] instead.
pub fn fuzzy_filter<'a>(query: &str, candidates: impl IntoIterator<Item = (usize, &'a str)>) -> Vec<FuzzyMatch> {
    FuzzyIndex::new(candidates).filter(query, None, usize::MAX)
}

/// Candidates folded once, for filtering as the user types.
///
/// All folded texts live in one buffer (one allocation, scanned in order). The index remembers
/// the rows each query it answered matched, so a query that extends an earlier one (a typed
/// char) scans only those rows, and deleting a char goes back to a result it already has.
#[derive(Debug, Default)]
pub struct FuzzyIndex {
    /// Every candidate's folded text, back to back.
    text: String,
    rows: Vec<FoldedRow>,
    /// `(caller index, row)` sorted by caller index, for [`FuzzyIndex::filter`]'s `within`.
    by_index: Vec<(usize, u32)>,
    /// Folded queries answered so far, each extending the one before, with the rows (in row
    /// order) that matched it. A lock, not a `&mut`, so filtering stays a read of the index.
    narrowed: Mutex<Vec<(String, Vec<u32>)>>,
}

impl Clone for FuzzyIndex {
    /// Clones the folded rows; the clone starts without remembered queries.
    fn clone(&self) -> Self {
        Self {
            text: self.text.clone(),
            rows: self.rows.clone(),
            by_index: self.by_index.clone(),
            narrowed: Mutex::default(),
        }
    }
}

/// One candidate: the caller's index, where its folded text is and the map back to original chars.
#[derive(Debug, Clone)]
struct FoldedRow {
    index: usize,
    /// Byte range of the folded text in [`FuzzyIndex::text`].
    start: u32,
    end: u32,
    /// Whether the folded text is ASCII, so byte offsets are char offsets.
    ascii: bool,
    /// Original char index of every folded char; `None` when folding kept one char per char
    /// (most titles), so the map is the identity and costs no memory.
    origin: Option<Box<[u32]>>,
}

/// Rows per thread below which a second thread costs more than it saves.
const PARALLEL_MIN_ROWS: usize = 4_096;

/// Remembered queries at most: a typed word, plus room for a few more.
const NARROWED_DEPTH: usize = 24;

impl FuzzyIndex {
    /// Folds every candidate (case, Nordic letters, accents) once.
    pub fn new<'a>(candidates: impl IntoIterator<Item = (usize, &'a str)>) -> Self {
        let (mut folded, mut origin) = (String::new(), Vec::new());
        let mut text = String::new();
        let mut rows = Vec::new();
        for (index, candidate) in candidates {
            fold_into(candidate, &mut folded, &mut origin);
            let identity = origin.iter().enumerate().all(|(i, &o)| i == o);
            let start = offset(text.len());
            text.push_str(&folded);
            rows.push(FoldedRow {
                index,
                start,
                end: offset(text.len()),
                ascii: folded.is_ascii(),
                origin: (!identity).then(|| origin.iter().map(|&o| offset(o)).collect()),
            });
        }
        let mut by_index: Vec<(usize, u32)> = rows.iter().enumerate().map(|(i, r)| (r.index, offset(i))).collect();
        by_index.sort_unstable();
        Self {
            text,
            rows,
            by_index,
            narrowed: Mutex::default(),
        }
    }

    /// The folded text of `row`.
    fn folded(&self, row: &FoldedRow) -> &str {
        self.text.get(row.start as usize..row.end as usize).unwrap_or("")
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no candidates.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Filters by `query`, best first (score descending, then index ascending).
    ///
    /// The index narrows by itself as the query grows: a query that extends one it answered
    /// before scans only that query's matches (a fuzzy match of the longer query is also a match
    /// of its prefix). `within`, when given, restricts the search to the caller indices of an
    /// earlier result instead. Only the first `highlight` results get [`FuzzyMatch::positions`]
    /// (computing them costs as much as the match); pass the number of visible rows. A blank
    /// query keeps every row, in order, with score 0. Rows are checked with a substring search
    /// and, failing that, an in-order search of the query's chars, on two threads for large lists.
    pub fn filter(&self, query: &str, within: Option<&[FuzzyMatch]>, highlight: usize) -> Vec<FuzzyMatch> {
        self.filter_highlighting(query, within, highlight, |_| true)
    }

    /// [`FuzzyIndex::filter`], with positions for the first `highlight` results whose caller
    /// index `shown` accepts: an index over more rows than one list shows (to count the hits
    /// elsewhere) highlights the rows that list will draw.
    pub fn filter_highlighting(
        &self,
        query: &str,
        within: Option<&[FuzzyMatch]>,
        highlight: usize,
        shown: impl Fn(usize) -> bool,
    ) -> Vec<FuzzyMatch> {
        let (mut pattern, mut unused) = (String::new(), Vec::new());
        fold_into(query.trim(), &mut pattern, &mut unused);
        if pattern.is_empty() {
            let rows: Box<dyn Iterator<Item = &FoldedRow>> = match within {
                Some(previous) => Box::new(previous.iter().filter_map(|m| self.row_of(m.index))),
                None => Box::new(self.rows.iter()),
            };
            return rows
                .map(|r| FuzzyMatch {
                    index: r.index,
                    score: 0,
                    positions: Vec::new(),
                })
                .collect();
        }
        let mut found = match within {
            Some(previous) => {
                let candidates: Vec<u32> = previous.iter().filter_map(|m| self.position_of(m.index)).collect();
                self.score_all(&pattern, Some(&candidates)).0
            }
            None => self.score_narrowed(&pattern),
        };
        // Scattered letters are noise beside a real hit: kept only when nothing holds the query.
        // They sort after every contiguous match, so the hits are a prefix. (The narrowing lists
        // keep them: a longer query may have no contiguous hit.)
        let contiguous = found.partition_point(|s| s.score > SCATTERED_BASE);
        if contiguous > 0 {
            found.truncate(contiguous);
        }
        let query = Query::new(&pattern);
        let skim = SkimMatcherV2::default().ignore_case();
        let mut highlighted = 0;
        found
            .into_iter()
            .map(|scored| {
                let row = &self.rows[scored.row as usize];
                let lit = highlighted < highlight && shown(scored.index);
                highlighted += usize::from(lit);
                FuzzyMatch {
                    index: scored.index,
                    score: scored.score,
                    positions: if lit {
                        self.positions(&skim, row, &query, scored.score)
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect()
    }

    /// Scores the rows that matched the longest remembered query `pattern` extends, and
    /// remembers this one.
    fn score_narrowed(&self, pattern: &str) -> Vec<Scored> {
        // A poisoned lock only means a panic mid-update; the remembered lists are then dropped.
        let mut narrowed = self.narrowed.lock().unwrap_or_else(|poisoned| {
            let mut guard = poisoned.into_inner();
            guard.clear();
            guard
        });
        while narrowed
            .last()
            .is_some_and(|(earlier, _)| !pattern.starts_with(earlier.as_str()))
        {
            narrowed.pop();
        }
        let (found, rows) = self.score_all(pattern, narrowed.last().map(|(_, rows)| rows.as_slice()));
        if narrowed.last().is_none_or(|(earlier, _)| earlier != pattern) {
            if narrowed.len() >= NARROWED_DEPTH {
                narrowed.remove(0);
            }
            narrowed.push((pattern.to_owned(), rows));
        }
        found
    }

    /// Scores `candidates` (row positions in row order; every row when `None`): the matches
    /// best first, and the matching rows in row order (kept for narrowing, so they need no sort).
    fn score_all(&self, pattern: &str, candidates: Option<&[u32]>) -> (Vec<Scored>, Vec<u32>) {
        let query = Query::new(pattern);
        let count = candidates.map_or(self.rows.len(), <[u32]>::len);
        let score_range = |from: usize, to: usize| -> (Vec<Scored>, Vec<u32>) {
            let mut out = Vec::new();
            match candidates {
                Some(rows) => {
                    for &row in &rows[from..to] {
                        out.extend(self.score_row(&query, row));
                    }
                }
                None => {
                    for row in from..to {
                        out.extend(self.score_row(&query, offset(row)));
                    }
                }
            }
            let rows = out.iter().map(|s| s.row).collect();
            (sorted(out), rows)
        };
        if count < 2 * PARALLEL_MIN_ROWS {
            return score_range(0, count);
        }
        // Each half is scored and sorted on its own thread, then the sorted halves are merged.
        let middle = count / 2;
        std::thread::scope(|scope| {
            let other = scope.spawn(|| score_range(0, middle));
            let (mine, mut rows) = score_range(middle, count);
            // A panic in the scorer is a bug; keep this half rather than take the UI down.
            let (theirs, mut first_rows) = other.join().unwrap_or_default();
            first_rows.append(&mut rows);
            (merge(theirs, mine), first_rows)
        })
    }

    /// Scores one row: contiguous matches first (a whole word, then a word start, then inside a
    /// word; earlier better within each), then scattered ones (more compact and earlier better);
    /// `None` when the query's chars are not all there in order.
    fn score_row(&self, query: &Query, row: u32) -> Option<Scored> {
        let folded_row = self.rows.get(row as usize)?;
        let hay = self.folded(folded_row);
        // The in-order check first: it is the cheaper one and rejects every row the substring
        // search would reject (a contiguous match is also an in-order one).
        let (start, end) = query.window(hay)?;
        if let Some((at, fit)) = query.best(hay) {
            let start_char = if folded_row.ascii {
                at
            } else {
                hay[..at].chars().count()
            };
            // Capped so a later start never costs a hit its kind.
            let start_char = i64::try_from(start_char).unwrap_or(i64::MAX).min(FIT_STEP - 1);
            let score = CONTIGUOUS_BASE + fit * FIT_STEP - start_char;
            return Some(Scored {
                score,
                index: folded_row.index,
                row,
            });
        }
        let spread = i64::try_from(end - start).unwrap_or(i64::MAX >> 24);
        let score = SCATTERED_BASE - (spread << 16) - i64::try_from(start).unwrap_or(0);
        Some(Scored {
            score,
            index: folded_row.index,
            row,
        })
    }

    /// Highlight positions of a match: the best contiguous span as is, scattered chars from skim.
    fn positions(&self, skim: &SkimMatcherV2, row: &FoldedRow, query: &Query, score: i64) -> Vec<usize> {
        let hay = self.folded(row);
        // Scattered scores lie below SCATTERED_BASE, contiguous ones far above it.
        if score > SCATTERED_BASE
            && let Some((at, _)) = query.best(hay)
        {
            let start_char = hay[..at].chars().count();
            let indices = (start_char..start_char + query.text.chars().count()).collect();
            return original_positions(row, indices);
        }
        skim.fuzzy_indices(hay, &query.text)
            .map(|(_, indices)| original_positions(row, indices))
            .unwrap_or_default()
    }

    /// The row of caller index `index`.
    fn row_of(&self, index: usize) -> Option<&FoldedRow> {
        self.rows.get(self.position_of(index)? as usize)
    }

    /// The row position of caller index `index`.
    fn position_of(&self, index: usize) -> Option<u32> {
        let at = self.by_index.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        self.by_index.get(at).map(|(_, row)| *row)
    }
}

/// A folded query: a searcher for it compiled once per keystroke, and its chars minus spaces
/// for the in-order search.
struct Query {
    text: String,
    /// Finds a non-ASCII query as typed; `str::find` would set up a new searcher for every title.
    finder: Option<AhoCorasick>,
    chars: Vec<char>,
    /// The query's bytes minus spaces when it is ASCII (the usual case once folded): ASCII bytes
    /// never occur inside a multi-byte UTF-8 char, so titles can be scanned byte by byte.
    ascii: Option<Vec<u8>>,
}

impl Query {
    fn new(pattern: &str) -> Self {
        let chars: Vec<char> = pattern.chars().filter(|c| !c.is_whitespace()).collect();
        let ascii = pattern
            .is_ascii()
            .then(|| chars.iter().map(|&c| u8::try_from(c).unwrap_or(b' ')).collect());
        Self {
            text: pattern.to_owned(),
            finder: if pattern.is_ascii() {
                None
            } else {
                AhoCorasick::new([pattern]).ok()
            },
            chars,
            ascii,
        }
    }

    /// The byte offset of the first occurrence of the query in `hay`.
    fn find(&self, hay: &str) -> Option<usize> {
        match &self.finder {
            Some(finder) => finder.find(hay).map(|m| m.start()),
            None => find_bytes(hay.as_bytes(), self.text.as_bytes()),
        }
    }

    /// The best occurrence of the query in `hay`: its byte offset and how well it sits there
    /// ([`fit`]), the earliest of the best kind.
    fn best(&self, hay: &str) -> Option<(usize, i64)> {
        let mut at = self.find(hay)?;
        let mut best = (at, fit(hay, at, self.text.len()));
        // Later occurrences can only win by sitting better: stop at the first whole word.
        while best.1 < WHOLE_WORD {
            at += hay[at..].chars().next().map_or(1, char::len_utf8);
            let Some(next) = hay.get(at..).and_then(|rest| self.find(rest)) else {
                break;
            };
            at += next;
            let here = fit(hay, at, self.text.len());
            if here > best.1 {
                best = (at, here);
            }
        }
        Some(best)
    }

    /// The tightest in-order window of the query's chars in `hay` (see [`window`]).
    fn window(&self, hay: &str) -> Option<(usize, usize)> {
        match &self.ascii {
            Some(bytes) => window_bytes(hay.as_bytes(), bytes),
            None => window(hay, &self.chars),
        }
    }
}

/// Score between two kinds of contiguous hit ([`fit`]): more than any start offset costs.
const FIT_STEP: i64 = 1 << 24;

/// [`fit`] of a query standing alone as a word.
const WHOLE_WORD: i64 = 2;

/// How well a query found at byte `at` (`len` bytes) of `hay` sits there: [`WHOLE_WORD`] when
/// no letter or digit touches it on either side, 1 at the start of a word, 0 inside one.
fn fit(hay: &str, at: usize, len: usize) -> i64 {
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    if alnum(hay.get(..at).and_then(|before| before.chars().next_back())) {
        return 0;
    }
    if alnum(hay.get(at + len..).and_then(|after| after.chars().next())) {
        1
    } else {
        WHOLE_WORD
    }
}

/// The first occurrence of `needle` in `hay`: the first byte located, then the rest compared.
/// Titles are short, so this beats setting up a two-way searcher per title.
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(p) = hay.get(from..)?.iter().position(|&b| b == first) {
        let at = from + p;
        if hay.get(at + 1..).is_some_and(|tail| tail.starts_with(rest)) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// [`window`] on bytes, for an ASCII needle without spaces.
fn window_bytes(hay: &[u8], wanted: &[u8]) -> Option<(usize, usize)> {
    if wanted.is_empty() {
        return None;
    }
    let mut end = 0;
    for &want in wanted {
        end += hay.get(end..)?.iter().position(|&b| b == want)? + 1;
    }
    let mut start = end;
    for &want in wanted.iter().rev() {
        start = hay.get(..start)?.iter().rposition(|&b| b == want)?;
    }
    Some((start, end))
}

/// A byte offset or row number as stored: the index holds far fewer than 4 GiB of titles.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Best first: score descending, then caller index ascending.
fn order(a: &Scored, b: &Scored) -> std::cmp::Ordering {
    b.score.cmp(&a.score).then(a.index.cmp(&b.index))
}

/// Sorts by [`order`]; unstable is deterministic here, as caller indices are unique.
fn sorted(mut found: Vec<Scored>) -> Vec<Scored> {
    found.sort_unstable_by(order);
    found
}

/// Merges two lists sorted by [`order`].
fn merge(a: Vec<Scored>, b: Vec<Scored>) -> Vec<Scored> {
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

/// A row that matched, with its score.
#[derive(Debug, Clone, Copy)]
struct Scored {
    score: i64,
    /// The caller's index, copied here so sorting does not chase rows.
    index: usize,
    /// Position in [`FuzzyIndex::rows`].
    row: u32,
}

/// Score of a contiguous match, above any scattered one, so titles that contain the query as
/// typed come first.
const CONTIGUOUS_BASE: i64 = 1 << 40;

/// Base score of a scattered match (below [`CONTIGUOUS_BASE`], above nothing).
const SCATTERED_BASE: i64 = 1 << 38;

/// The byte range of the shortest-ending, latest-starting window of `haystack` that holds the
/// chars of `needle` in order (spaces in the query skipped), or `None` when they are not all
/// there. Linear: a forward scan finds the first end, a backward scan from it the latest start
/// (the "v1" algorithm of fzf), which is what ranks compact matches above scattered ones
/// without skim's scoring matrix.
#[cfg(test)]
fn tightest_window(haystack: &str, needle: &[char]) -> Option<(usize, usize)> {
    let wanted: Vec<char> = needle.iter().copied().filter(|c| !c.is_whitespace()).collect();
    window(haystack, &wanted)
}

/// [`tightest_window`] for a needle without spaces. Each step is a `find`/`rfind` of one char,
/// which the standard library runs as a word-at-a-time memchr, so a title that lacks the chars
/// is rejected without decoding it char by char.
fn window(haystack: &str, wanted: &[char]) -> Option<(usize, usize)> {
    if wanted.is_empty() {
        return None;
    }
    let mut end = 0;
    for &c in wanted {
        end += haystack.get(end..)?.find(c)? + c.len_utf8();
    }
    let mut start = end;
    for &c in wanted.iter().rev() {
        start = haystack.get(..start)?.rfind(c)?;
    }
    Some((start, end))
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

#[cfg(test)]
mod tests;

//! One pass over a notice's text for every term and badge pattern of a profile.
//!
//! The title, description and buyer are folded and written into one buffer, separated by a blank,
//! in which every byte of a non-alphanumeric char reads as a blank (`' '`): the *scan text*. A
//! pattern that needs a word boundary before (after) it is compiled with a leading (trailing)
//! blank, so the automaton itself only reports occurrences that start (end) a word: "ct" no
//! longer stops the search in "contract", "product" and "project", and no boundary is checked
//! afterwards. Patterns that hold a non-alphanumeric char are compared with the folded text once
//! the automaton reports them, because the scan text reads "pet-ct" and "pet ct" alike.
//!
//! The DFA walks a long scan text in `LANES` pieces side by side (see `walk`), and the map
//! from folded back to original bytes is built only for a field an occurrence was found in.
//!
//! Depends only on aho-corasick, [`crate::model::Field`] and [`super::normalize`].

use std::cell::OnceCell;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::{Builder, DFA};
use aho_corasick::{Anchored, BuildError, MatchKind, PatternID, StartKind};

use super::normalize::{fold_char, fold_term, span_in_original};
use crate::model::{Field, Notice};

/// What a non-alphanumeric char reads as in the scan text, and what separates the fields.
const BLANK: u8 = b' ';

/// The scan text of an ASCII byte: lower case for letters, itself for digits, a blank otherwise.
/// Arithmetic rather than a table, so the compiler can vectorise it over runs of ASCII.
fn scan_byte(byte: u8) -> u8 {
    let lower = byte | 0x20;
    if lower.wrapping_sub(b'a') < 26 {
        lower
    } else if byte.wrapping_sub(b'0') < 10 {
        byte
    } else {
        BLANK
    }
}

/// Appends the scan text of folded `text` (a pattern) to `out`, one byte for each byte of `text`.
fn push_scan_text(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        push_scan_char(c, out);
    }
}

/// Whether scan bytes `a` and `b` are an ASCII letter and an ASCII digit, in either order.
fn letter_digit(a: u8, b: u8) -> bool {
    let letter = |x: u8| x.wrapping_sub(b'a') < 26;
    let digit = |x: u8| x.wrapping_sub(b'0') < 10;
    (letter(a) & digit(b)) | (digit(a) & letter(b))
}

/// Puts a blank between every ASCII letter and ASCII digit of the scan text written from `at`
/// on, so "mr2" reads "mr 2" and an abbreviation glued to an internal code ("OUS-MR2", "K907CT")
/// is a word of its own (see [`super::normalize::letter_digit_pair`]).
///
/// Returns where the blanks went, as offsets from `at` in the split text; empty (and no copy)
/// when nothing was split, as for most fields.
fn split_letter_digit_runs(bytes: &mut Vec<u8>, at: usize) -> Vec<u32> {
    let tail = bytes.get(at..).unwrap_or_default();
    // Branch-free over every pair so the compiler vectorises it: this runs on every field.
    let found = tail
        .iter()
        .zip(tail.get(1..).unwrap_or_default())
        .fold(false, |found, (&a, &b)| found | letter_digit(a, b));
    if !found {
        return Vec::new();
    }
    let mut split = Vec::with_capacity(tail.len() + 8);
    let mut blanks = Vec::new();
    let mut previous = BLANK;
    for &byte in tail {
        if letter_digit(previous, byte) {
            blanks.push(u32::try_from(split.len()).unwrap_or(u32::MAX));
            split.push(BLANK);
        }
        split.push(byte);
        previous = byte;
    }
    bytes.truncate(at);
    bytes.extend_from_slice(&split);
    blanks
}

/// Appends the scan text of one folded char: its bytes when it is a letter or digit, else as
/// many blanks.
fn push_scan_char(c: char, out: &mut Vec<u8>) {
    if let Ok(byte) = u8::try_from(c)
        && byte.is_ascii()
    {
        out.push(scan_byte(byte));
    } else if matches!(c, '\u{DF}'..='\u{F6}' | '\u{F8}'..='\u{FF}') || c.is_alphanumeric() {
        // Lower-case Latin-1 letters first: they are what folded Nordic text holds.
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    } else {
        out.extend(std::iter::repeat_n(BLANK, c.len_utf8()));
    }
}

/// Folds non-ASCII char `c` (lower case, then [`fold_char`]) and hands each resulting char to
/// `emit`: none for a combining mark, two for 'İ' ("i" and a dropped combining dot).
fn fold_non_ascii(c: char, mut emit: impl FnMut(char)) {
    // Latin-1 letters (every Nordic letter) lower-case by a fixed offset: skip the Unicode
    // tables, a tenth of the cost of folding Norwegian text.
    let latin1_lower = match c {
        '\u{C0}'..='\u{DE}' if c != '\u{D7}' => char::from_u32(u32::from(c) + 0x20),
        '\u{DF}'..='\u{FF}' if c != '\u{F7}' => Some(c),
        _ => None,
    };
    if let Some(lower) = latin1_lower {
        if let Some(folded) = fold_char(lower) {
            emit(folded);
        }
        return;
    }
    for lower in c.to_lowercase() {
        if let Some(folded) = fold_char(lower) {
            emit(folded);
        }
    }
}

/// How many bytes at the start of `bytes` are ASCII. Eight at a time: Norwegian text has a
/// non-ASCII letter every few dozen bytes, and a byte-by-byte search was a tenth of folding it.
fn ascii_run(bytes: &[u8]) -> usize {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut run = 0;
    for word in words.by_ref() {
        let word: [u8; 8] = word.try_into().unwrap_or([0x80; 8]);
        if u64::from_le_bytes(word) & HIGH_BITS != 0 {
            break;
        }
        run += 8;
    }
    run + bytes[run..]
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - run)
}

/// Folds `original` as [`super::normalize::Folded::new`] does and appends the scan text of the
/// result to `out`.
///
/// One pass instead of folding into a string and blanking that, and no map back to the
/// original: [`FieldText::locate`] builds that only for a field with an occurrence in it.
fn push_folded(original: &str, out: &mut Vec<u8>) {
    let mut rest = original;
    while !rest.is_empty() {
        let (run, tail) = rest.split_at(ascii_run(rest.as_bytes()));
        out.extend(run.bytes().map(scan_byte));
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            fold_non_ascii(c, |folded| push_scan_char(folded, out));
        }
        rest = chars.as_str();
    }
}

/// For every byte of the folded `original` (as [`push_folded`] writes it), the start of the
/// original char it came from.
fn fold_origins(original: &str) -> Vec<u32> {
    let offset = |at: usize| u32::try_from(at).unwrap_or(u32::MAX);
    let mut origin = Vec::with_capacity(original.len());
    let mut rest = original;
    while !rest.is_empty() {
        let at = original.len() - rest.len();
        let ascii = ascii_run(rest.as_bytes());
        origin.extend(offset(at)..offset(at + ascii));
        let mut chars = rest[ascii..].chars();
        if let Some(c) = chars.next() {
            let from = offset(at + ascii);
            fold_non_ascii(c, |folded| origin.extend(std::iter::repeat_n(from, folded.len_utf8())));
        }
        rest = chars.as_str();
    }
    origin
}

/// A pattern to compile: folded text and the word boundaries it needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PatternSpec<'a> {
    /// The folded pattern.
    pub text: &'a str,
    /// A non-alphanumeric char (or the start of the field) must come before it.
    pub boundary_before: bool,
    /// A non-alphanumeric char (or the end of the field) must come after it.
    pub boundary_after: bool,
}

/// What the scan needs to know about a compiled pattern to place and confirm its occurrences.
#[derive(Debug, Clone)]
struct Needle {
    /// Byte length of the pattern's scan text (the folded pattern with its letter–digit runs
    /// split), boundary blanks not included.
    len: usize,
    /// 1 when the compiled pattern ends with a boundary blank, else 0.
    after: usize,
    /// The folded pattern, when the scan text cannot tell it from other spellings (it holds a
    /// non-alphanumeric char, which the scan text blanks).
    verify: Option<Box<[u8]>>,
}

/// Patterns compiled into one DFA over scan text; a pattern's index is its position in the
/// list given to [`Needles::new`].
#[derive(Debug, Clone)]
pub(super) struct Needles {
    dfa: DFA,
    needles: Vec<Needle>,
}

impl Needles {
    /// Compiles `patterns`, keeping their order.
    ///
    /// # Errors
    /// When aho-corasick cannot build the automaton (too many states).
    pub(super) fn new(patterns: &[PatternSpec<'_>]) -> Result<Self, BuildError> {
        let mut compiled = Vec::with_capacity(patterns.len());
        let mut needles = Vec::with_capacity(patterns.len());
        for spec in patterns {
            let mut bytes = Vec::with_capacity(spec.text.len() + 2);
            if spec.boundary_before {
                bytes.push(BLANK);
            }
            let body = bytes.len();
            push_scan_text(spec.text, &mut bytes);
            // Split as the text is, so "hba1c" finds "HbA1c" (and "HbA 1c").
            split_letter_digit_runs(&mut bytes, body);
            let len = bytes.len() - body;
            if spec.boundary_after {
                bytes.push(BLANK);
            }
            compiled.push(bytes);
            needles.push(Needle {
                len,
                after: usize::from(spec.boundary_after),
                verify: spec
                    .text
                    .chars()
                    .any(|c| !c.is_alphanumeric())
                    .then(|| spec.text.as_bytes().into()),
            });
        }
        // Standard semantics and an overlapping walk report every occurrence of every pattern,
        // so "trygghetsalarm" and "alarm" can both fire on the same text. A DFA even for a large
        // pack (the default would pick an NFA above ~100 patterns), and no prefilter: with
        // hundreds of patterns none applies, and the walk below does not stop at start states.
        let dfa = Builder::new()
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(&compiled)?;
        Ok(Self { dfa, needles })
    }

    /// Calls `found` for every occurrence of a pattern in `text` that meets its boundaries, in
    /// no particular order.
    pub(super) fn find<'t>(&self, text: &'t ScanText<'_>, mut found: impl FnMut(Occurrence<'t>)) {
        walk(&self.dfa, &text.bytes, |pattern, end| {
            let index = pattern.as_usize();
            let Some(needle) = self.needles.get(index) else {
                return;
            };
            let Some(start) = end.checked_sub(needle.after + needle.len) else {
                return;
            };
            let stop = start + needle.len;
            // A pattern with a blank in it can straddle two fields; it matched neither.
            let Some(field) = text.fields.iter().find(|f| f.at <= start && stop <= f.at + f.len) else {
                return;
            };
            let (start, stop) = (
                field.folded_offset(start - field.at),
                field.folded_offset(stop - field.at),
            );
            if let Some((start, end)) = field.locate(start, stop, needle.verify.as_deref()) {
                found(Occurrence {
                    pattern: index,
                    field: field.field,
                    start,
                    end,
                    original: field.original,
                });
            }
        });
    }
}

/// An occurrence of a pattern in a notice's field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Occurrence<'t> {
    /// The pattern's index in the list given to [`Needles::new`].
    pub pattern: usize,
    /// The field it is in.
    pub field: Field,
    /// Byte range in the original field text.
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// The original field text.
    original: &'t str,
}

impl<'t> Occurrence<'t> {
    /// The same occurrence, reported as pattern `pattern` (of another list of patterns).
    pub fn as_pattern(self, pattern: usize) -> Self {
        Self { pattern, ..self }
    }

    /// The occurrence as the field writes it.
    pub fn text(&self) -> Option<&'t str> {
        self.original.get(self.start..self.end)
    }
}

/// How many pieces of a long text [`walk`] walks side by side: on the generated corpus 2 lanes
/// scored 100,000 notices in 0.31 CPU seconds, 3 in 0.25–0.29 and 4 in 0.25–0.29 (1: 0.37–0.44).
const LANES: usize = 4;

/// The shortest piece worth a lane of its own, in bytes.
const MIN_PIECE: usize = 64;

/// Walks `hay` with the DFA and reports every match as (pattern, end offset).
///
/// A DFA step waits for the table load of the step before it, so a single walk leaves the core
/// mostly idle: a text long enough is cut into [`LANES`] pieces walked side by side, whose loads
/// overlap. Each piece after the first starts `max_pattern_len - 1` bytes early, so no
/// occurrence across a cut is missed, and reports only matches that end after its cut (the piece
/// before reports the others).
fn walk(dfa: &DFA, hay: &[u8], mut report: impl FnMut(PatternID, usize)) {
    let Ok(start) = dfa.start_state(Anchored::No) else {
        return;
    };
    let overlap = dfa.max_pattern_len().saturating_sub(1);
    let mut emit = |sid, end: usize| {
        if dfa.is_match(sid) {
            for i in 0..dfa.match_len(sid) {
                report(dfa.match_pattern(sid, i), end);
            }
        }
    };
    // Below a few hundred bytes the lanes' overlaps cost more than they save.
    if hay.len() / LANES < MIN_PIECE.max(2 * overlap) {
        walk_lanes::<1>(dfa, start, overlap, hay, &mut emit);
    } else {
        walk_lanes::<LANES>(dfa, start, overlap, hay, &mut emit);
    }
}

/// [`walk`] in `N` lanes; `hay` must be at least `N` times `overlap` long.
fn walk_lanes<const N: usize>(
    dfa: &DFA,
    start: StateID,
    overlap: usize,
    hay: &[u8],
    emit: &mut impl FnMut(StateID, usize),
) {
    let piece = hay.len() / N;
    // Lane k reports the matches that end in `cut[k] + 1..=cut[k + 1]`, reading from `from[k]`.
    let cut: [usize; N] = std::array::from_fn(|k| k * piece);
    let from: [usize; N] = std::array::from_fn(|k| cut[k].saturating_sub(overlap));
    let mut sid = [start; N];
    // Every lane is at least `piece` long: walk that much of each side by side.
    for i in 0..piece {
        for k in 0..N {
            let at = from[k] + i;
            let Some(&byte) = hay.get(at) else {
                return;
            };
            sid[k] = dfa.next_state(Anchored::No, sid[k], byte);
            if dfa.is_special(sid[k]) && at >= cut[k] {
                emit(sid[k], at + 1);
            }
        }
    }
    for k in 0..N {
        let to = if k + 1 == N { hay.len() } else { cut[k + 1] };
        let mut state = sid[k];
        for (at, &byte) in hay.iter().enumerate().take(to).skip(from[k] + piece) {
            state = dfa.next_state(Anchored::No, state, byte);
            if dfa.is_special(state) && at >= cut[k] {
                emit(state, at + 1);
            }
        }
    }
}

/// One field's place in the scan text.
#[derive(Debug)]
struct FieldText<'a> {
    field: Field,
    original: &'a str,
    /// Whether the field is ASCII, whose folded text is its lower case, byte for byte.
    ascii: bool,
    /// For every byte of the field's folded text, the start of the original char it came from;
    /// built for a non-ASCII field once an occurrence is found in it.
    origin: OnceCell<Vec<u32>>,
    /// Where the field starts in the scan text.
    at: usize,
    /// Its byte length there (that of the folded text, plus the blanks in `splits`).
    len: usize,
    /// Offsets (from `at`) of the blanks put between letters and digits, ascending.
    splits: Vec<u32>,
}

impl FieldText<'_> {
    /// The folded-text offset of offset `scan` of the field's scan text: the blanks put between
    /// letters and digits before it are not in the folded text.
    fn folded_offset(&self, scan: usize) -> usize {
        scan - self.splits.partition_point(|&blank| (blank as usize) < scan)
    }

    /// Maps bytes `start..stop` of the folded field to the original field, if the folded text
    /// there reads `expected` (when given: the scan text alone cannot tell a pattern with
    /// punctuation from other spellings).
    fn locate(&self, start: usize, stop: usize, expected: Option<&[u8]>) -> Option<(usize, usize)> {
        if self.ascii {
            let bytes = self.original.as_bytes().get(start..stop)?;
            return match expected {
                Some(expected) if !bytes.eq_ignore_ascii_case(expected) => None,
                _ => Some((start, stop)),
            };
        }
        let original_len = u32::try_from(self.original.len()).unwrap_or(u32::MAX);
        let origin = self.origin.get_or_init(|| fold_origins(self.original));
        let (start, end) = span_in_original(origin, original_len, start, stop)?;
        // Every original char folds to at most one char, so the span folds to exactly these
        // bytes of the folded text when it covers them and nothing more.
        match expected {
            Some(expected) if fold_term(self.original.get(start..end)?).as_bytes() != expected => None,
            _ => Some((start, end)),
        }
    }
}

/// A notice's text fields as one scan text, built once and searched by every profile.
#[derive(Debug)]
pub struct ScanText<'a> {
    bytes: Vec<u8>,
    fields: [FieldText<'a>; 3],
}

impl<'a> ScanText<'a> {
    /// The scan text of `notice`'s title, description and buyer.
    pub fn of(notice: &'a Notice) -> Self {
        Self::new([
            (Field::Title, &notice.title),
            (Field::Description, &notice.description),
            (Field::Buyer, &notice.buyer),
        ])
    }

    /// Folds `fields` (in the order hits are reported) into one scan text.
    pub fn new(fields: [(Field, &'a str); 3]) -> Self {
        let capacity = fields.iter().map(|(_, text)| text.len() + 1).sum::<usize>() + 1;
        let mut bytes = Vec::with_capacity(capacity);
        bytes.push(BLANK);
        let fields = fields.map(|(field, original)| {
            let at = bytes.len();
            let ascii = original.is_ascii();
            if ascii {
                bytes.extend(original.bytes().map(scan_byte));
            } else {
                push_folded(original, &mut bytes);
            }
            let splits = split_letter_digit_runs(&mut bytes, at);
            let len = bytes.len() - at;
            bytes.push(BLANK);
            FieldText {
                field,
                original,
                ascii,
                origin: OnceCell::new(),
                at,
                len,
                splits,
            }
        });
        Self { bytes, fields }
    }
}

#[cfg(test)]
#[path = "scan/tests.rs"]
mod tests;

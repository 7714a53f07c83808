//! Text normalisation for keyword matching: case and diacritic folding with a map back to the
//! original bytes, Norwegian spelling variants of terms, word-boundary tests and CPV prefixes.
//!
//! Pure string functions; depends on nothing else in the crate.

/// Text folded for matching, remembering where every folded byte came from in the original.
///
/// Matching runs on the folded text, but the UI highlights the original field, so every match is
/// mapped back with [`Folded::original_span`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Folded {
    text: String,
    /// For every byte of `text`: the start of the original char it was folded from. Empty when the
    /// original is ASCII, whose folded bytes are its own bytes. (Four bytes a byte rather than a
    /// 16-byte range: building this map was an eighth of the cost of scoring a notice.)
    origin: Vec<u32>,
    /// Byte length of the original: where the last original char ends.
    original_len: u32,
}

impl Folded {
    /// Folds `original` with [`fold_char`] char by char.
    pub fn new(original: &str) -> Self {
        let original_len = u32::try_from(original.len()).unwrap_or(u32::MAX);
        if original.is_ascii() {
            return Self {
                text: original.to_ascii_lowercase(),
                origin: Vec::new(),
                original_len,
            };
        }
        let mut folded = Self {
            text: String::with_capacity(original.len()),
            origin: Vec::with_capacity(original.len()),
            original_len,
        };
        let mut buf = [0u8; 4];
        let mut rest = original;
        let mut start = 0u32;
        while !rest.is_empty() {
            // Fast path: most feed text is ASCII, which folds to its own lower case, one byte
            // per byte; copy whole runs of it at once.
            let ascii = rest.bytes().position(|b| !b.is_ascii()).unwrap_or(rest.len());
            if ascii > 0 {
                let (run, tail) = rest.split_at(ascii);
                folded.text.push_str(run);
                let run_len = u32::try_from(ascii).unwrap_or(u32::MAX);
                folded.origin.extend(start..start.saturating_add(run_len));
                (rest, start) = (tail, start.saturating_add(run_len));
                continue;
            }
            let Some(c) = rest.chars().next() else {
                break;
            };
            // Lower-casing can yield several chars ('İ' → "i̇"); each maps back to the same origin.
            for lower in c.to_lowercase() {
                if let Some(f) = fold_char(lower) {
                    folded.text.push_str(f.encode_utf8(&mut buf));
                    folded.origin.extend(std::iter::repeat_n(start, f.len_utf8()));
                }
            }
            let width = u32::try_from(c.len_utf8()).unwrap_or(4);
            (rest, start) = (&rest[c.len_utf8()..], start.saturating_add(width));
        }
        // ASCII runs were copied as written; lower-case them in one pass (a no-op on the rest,
        // which is already lower case and keeps its byte length).
        folded.text.make_ascii_lowercase();
        folded
    }

    /// The folded text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the folded text to the byte range of the original chars it covers.
    ///
    /// Returns `None` for an empty or out-of-range span; the result always lies on char
    /// boundaries of the original, so it can be sliced.
    pub fn original_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.text.len() {
            return None;
        }
        if self.origin.is_empty() {
            return Some((start, end));
        }
        span_in_original(&self.origin, self.original_len, start, end)
    }
}

/// Maps a non-empty byte range of a folded text to the byte range of the original chars it
/// covers, given for every folded byte the start of the original char it came from (`origin`)
/// and the original's length.
pub fn span_in_original(origin: &[u32], original_len: u32, start: usize, end: usize) -> Option<(usize, usize)> {
    if start >= end {
        return None;
    }
    let first = *origin.get(start)?;
    let last = *origin.get(end - 1)?;
    // The last char ends where the next folded byte's char begins (or with the original).
    let stop = origin[end..]
        .iter()
        .find(|&&o| o != last)
        .copied()
        .unwrap_or(original_len);
    Some((first as usize, stop as usize))
}

/// Folds one lower-case char for matching: strips accents that Norwegian does not treat as
/// letters of their own, maps Swedish/German ä/ö to æ/ø, and unifies hyphens.
///
/// Returns `None` for combining marks, so decomposed text ("o" + U+0308) folds like composed text.
pub fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ā' => 'a',
        'ä' => 'æ',
        'ö' | 'ő' => 'ø',
        'ç' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'š' => 's',
        'ž' => 'z',
        '\u{2010}'..='\u{2014}' | '\u{2212}' => '-',
        '\u{0300}'..='\u{036f}' => return None,
        other => other,
    };
    Some(folded)
}

/// Folds a whole term the way [`Folded::new`] folds text.
pub fn fold_term(term: &str) -> String {
    term.chars()
        .flat_map(char::to_lowercase)
        .filter_map(fold_char)
        .collect()
}

/// Every spelling of a folded term with æ/ø/å written as themselves, as ae/oe/aa, and (when
/// `single_letters`) as a/o/a.
///
/// Feeds and buyers that lost their Nordic letters write "rontgen" or "roentgen"; expanding the
/// term (rather than folding the text) keeps compounds such as "videoendoskop" intact. Short
/// terms skip the single-letter forms, which are other words ("sår" would find "SAR"). The number
/// of variants is capped so a term full of Nordic letters cannot blow up the automaton.
pub fn spelling_variants(folded_term: &str, single_letters: bool) -> Vec<String> {
    const MAX_VARIANTS: usize = 27;
    let mut variants = vec![String::new()];
    for c in folded_term.chars() {
        let options: &[&str] = match (c, single_letters) {
            ('æ', true) => &["æ", "ae", "a"],
            ('ø', true) => &["ø", "oe", "o"],
            ('å', true) => &["å", "aa", "a"],
            ('æ', false) => &["æ", "ae"],
            ('ø', false) => &["ø", "oe"],
            ('å', false) => &["å", "aa"],
            _ => &[],
        };
        if options.is_empty() || variants.len() * options.len() > MAX_VARIANTS {
            for v in &mut variants {
                v.push(c);
            }
            continue;
        }
        variants = variants
            .iter()
            .flat_map(|v| options.iter().map(move |o| format!("{v}{o}")))
            .collect();
    }
    variants.dedup();
    variants
}

/// Longest term, in chars, always treated as an acronym.
const ACRONYM_MAX_CHARS: usize = 4;

/// Whether a term is matched as a whole word: short terms ("MR", "sår") and terms written in
/// capitals ("SPECT", "DICOM"), which would otherwise fire inside longer words ("spectrometer").
pub fn is_acronym(term: &str) -> bool {
    let mut letters = term.chars().filter(|c| c.is_alphabetic()).peekable();
    let all_caps = letters.peek().is_some() && letters.clone().count() >= 2 && letters.all(char::is_uppercase);
    term.chars().count() <= ACRONYM_MAX_CHARS || all_caps
}

/// Whether `a` and `b` are an ASCII letter and an ASCII digit, in either order: a word boundary,
/// because internal codes glue abbreviations to numbers ("OUS-MR2" reads "OUS MR 2").
pub fn letter_digit_pair(a: char, b: char) -> bool {
    (a.is_ascii_alphabetic() && b.is_ascii_digit()) || (a.is_ascii_digit() && b.is_ascii_alphabetic())
}

/// Whether the char before byte `at` of `text` is not a letter or digit (or there is none), or
/// it and the char at `at` are a [`letter_digit_pair`].
pub fn is_boundary_before(text: &str, at: usize) -> bool {
    let Some(before) = text.get(..at).and_then(|s| s.chars().next_back()) else {
        return true;
    };
    let after = text.get(at..).and_then(|s| s.chars().next());
    !before.is_alphanumeric() || after.is_some_and(|a| letter_digit_pair(before, a))
}

/// Whether the char at byte `at` of `text` is not a letter or digit (or there is none), or it
/// and the char before it are a [`letter_digit_pair`].
pub fn is_boundary_after(text: &str, at: usize) -> bool {
    let Some(after) = text.get(at..).and_then(|s| s.chars().next()) else {
        return true;
    };
    let before = text.get(..at).and_then(|s| s.chars().next_back());
    !after.is_alphanumeric() || before.is_some_and(|b| letter_digit_pair(b, after))
}

/// The digits a CPV rule compares against: a full 8-digit code stands for its whole category,
/// so its trailing zeros are dropped ("33600000" → "336"), but never below the 2-digit division.
pub fn cpv_prefix(written: &str) -> &str {
    if written.len() == 8 {
        let trimmed = written.trim_end_matches('0');
        if trimmed.len() >= 2 { trimmed } else { &written[..2] }
    } else {
        written
    }
}

/// Whether a notice's CPV `code` falls under `prefix` (digits compared as written).
pub fn cpv_matches(code: &str, prefix: &str) -> bool {
    code.trim().starts_with(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_lowercases_and_strips_foreign_accents() {
        let cases = [
            ("RØNTGEN", "røntgen"),
            ("Röntgen", "røntgen"),
            ("Överväkning", "øvervækning"),
            ("Électro", "electro"),
            ("ÆØÅ", "æøå"),
            ("e\u{2011}resept", "e-resept"),
            ("o\u{308}re", "ore"),
        ];
        for (input, want) in cases {
            assert_eq!(Folded::new(input).as_str(), want, "{input}");
            assert_eq!(fold_term(input), want, "{input}");
        }
    }

    #[test]
    fn spans_map_back_to_original_chars() {
        let original = "Nytt RØNTGEN-utstyr İstanbul";
        let folded = Folded::new(original);
        let at = folded.as_str().find("røntgen").expect("folded text contains the term");
        let (start, end) = folded
            .original_span(at, at + "røntgen".len())
            .expect("span is in range");
        assert_eq!(&original[start..end], "RØNTGEN");
        // 'İ' lower-cases to "i" plus a combining dot; the "i" maps back to the whole 'İ'.
        let at = folded.as_str().find("istanbul").expect("contains istanbul");
        let (start, end) = folded.original_span(at, at + 8).expect("in range");
        assert_eq!(&original[start..end], "İstanbul");
        assert_eq!(folded.original_span(3, 3), None);
        assert_eq!(folded.original_span(0, 999), None);
    }

    #[test]
    fn variants_cover_ascii_spellings_of_nordic_letters() {
        let v = spelling_variants("røntgen", true);
        assert_eq!(v, ["røntgen", "roentgen", "rontgen"]);
        let v = spelling_variants("blåresept", true);
        assert!(v.contains(&"blaaresept".to_owned()) && v.contains(&"blaresept".to_owned()));
        assert_eq!(spelling_variants("sår", false), ["sår", "saar"]);
        assert_eq!(spelling_variants("ultralyd", true), ["ultralyd"]);
        assert!(spelling_variants("æææææææ", true).len() <= 27);
    }

    #[test]
    fn boundaries_treat_nordic_letters_as_letters() {
        assert!(is_boundary_before("MR-maskin", 0));
        assert!(is_boundary_after("MR-maskin", 2));
        assert!(!is_boundary_before("område", 1));
        assert!(!is_boundary_after("øre", 0));
        assert!(is_boundary_after("CT", 2));
        // An ASCII letter next to an ASCII digit splits a code into words: "MR2" reads "MR 2".
        assert!(is_boundary_after("CT2", 2));
        assert!(is_boundary_before("2CT", 1));
        assert!(!is_boundary_after("CTX", 2));
        assert!(!is_boundary_before("12", 1));
    }

    #[test]
    fn short_and_capitalised_terms_are_acronyms() {
        for term in ["MR", "sår", "PACS", "SPECT", "PET-CT", "DICOM"] {
            assert!(is_acronym(term), "{term}");
        }
        for term in ["røntgen", "Helsenett", "aEEG-monitor", "12345"] {
            assert!(!is_acronym(term), "{term}");
        }
    }

    #[test]
    fn cpv_prefixes_follow_the_code_hierarchy() {
        let cases = [
            ("33600000", "336"),
            ("48180000", "4818"),
            ("30000000", "30"),
            ("3319", "3319"),
            ("33", "33"),
        ];
        for (written, want) in cases {
            assert_eq!(cpv_prefix(written), want, "{written}");
        }
        assert!(cpv_matches("33191000", "3319"));
        assert!(cpv_matches("33000000", "33"));
        assert!(!cpv_matches("03319000", "3319"));
    }
}

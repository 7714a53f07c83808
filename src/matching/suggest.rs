//! Suggested exclusions: words the user keeps rejecting notices for, offered as `[[exclude]]`
//! rules they can accept, never applied silently.
//!
//! [`suggest_exclusions`] reads the stored records: a term (a word or two adjacent words, folded
//! as the matcher folds text) that occurs in at least [`MIN_SUPPORT`] notices rejected for the
//! same reason, in no notice the user kept (shortlisted or further down the bid pipeline), and
//! that the profile does not already cover, becomes a [`Suggestion`] with its evidence and the
//! TOML it would add. Pure: writing an accepted one to the user's profile file is the config's
//! (`config::profile_file`), and the UI that offers them lives elsewhere.

use std::collections::{BTreeMap, BTreeSet};

use super::normalize::{fold_term, is_acronym};
use super::profile::Profile;
use crate::model::{NoticeRecord, Triage};

/// Fewest rejected notices a term must occur in before it is suggested: once or twice is chance.
pub const MIN_SUPPORT: usize = 3;

/// One exclusion the user may accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The term, folded as the matcher folds text (lower case, accents stripped, æ/ø/å kept).
    pub term: String,
    /// The reject reason whose notices share the term.
    pub reason: String,
    /// Notices rejected for `reason` that contain the term.
    pub support: usize,
    /// Notices rejected for `reason`.
    pub rejected: usize,
    /// Notices kept (shortlisted or in the pipeline); none of them contains the term.
    pub kept: usize,
    /// The weight the TOML proposes: enough to pull a one-term title match below the threshold.
    pub weight: i32,
}

impl Suggestion {
    /// "in 4 of 5 notices rejected as 'pharmaceuticals only', in 0 of 12 shortlisted".
    pub fn evidence(&self) -> String {
        format!(
            "in {} of {} notices rejected as '{}', in 0 of {} shortlisted",
            self.support, self.rejected, self.reason, self.kept
        )
    }

    /// The `[[exclude]]` table accepting it would add to the profile.
    pub fn toml(&self) -> String {
        exclude_table(&self.term, self.weight)
    }
}

/// Suggests exclusions for `profile` from the reasons the user gave when rejecting `records`,
/// strongest support first (then the larger share of the reason's notices, then the term).
///
/// A two-word term is dropped when one of its words is suggested for the same reason with at
/// least its support: the single word says the same and catches more spellings.
pub fn suggest_exclusions(records: &[NoticeRecord], profile: &Profile) -> Vec<Suggestion> {
    let covered = CoveredTerms::new(profile);
    let mut kept_terms = BTreeSet::new();
    let mut kept = 0;
    // reason → (notices rejected for it, term → how many of them contain it)
    let mut by_reason: BTreeMap<String, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for record in records {
        let reason = record.reject_reason().map(str::trim).filter(|r| !r.is_empty());
        match (record.triage, reason) {
            (Triage::Rejected, Some(reason)) => {
                let (count, terms) = by_reason.entry(reason.to_owned()).or_default();
                *count += 1;
                for term in terms_of(record) {
                    *terms.entry(term).or_default() += 1;
                }
            }
            (Triage::Rejected | Triage::New, _) => {}
            (Triage::Shortlisted | Triage::Bidding | Triage::Submitted | Triage::Won | Triage::Lost, _) => {
                kept += 1;
                kept_terms.extend(terms_of(record));
            }
        }
    }
    let weight = exclusion_weight(profile.threshold);
    let mut out = Vec::new();
    for (reason, (rejected, terms)) in by_reason {
        let mut found: Vec<Suggestion> = terms
            .into_iter()
            .filter(|(term, support)| *support >= MIN_SUPPORT && !kept_terms.contains(term) && !covered.covers(term))
            .map(|(term, support)| Suggestion {
                term,
                reason: reason.clone(),
                support,
                rejected,
                kept,
                weight,
            })
            .collect();
        let words: BTreeMap<String, usize> = found
            .iter()
            .filter(|s| !s.term.contains(' '))
            .map(|s| (s.term.clone(), s.support))
            .collect();
        found.retain(|s| {
            !s.term
                .split(' ')
                .any(|word| s.term.contains(' ') && words.get(word).is_some_and(|&n| n >= s.support))
        });
        out.extend(found);
    }
    out.sort_by(|a, b| {
        b.support
            .cmp(&a.support)
            // Higher share of the reason's notices first: a * b.rejected vs b * a.rejected.
            .then((b.support * a.rejected).cmp(&(a.support * b.rejected)))
            .then_with(|| a.term.cmp(&b.term))
            .then_with(|| a.reason.cmp(&b.reason))
    });
    out
}

/// A weight that pulls a notice with one full-weight title hit (the threshold) below it again,
/// capped at the largest weight a profile accepts so the suggested table still parses.
fn exclusion_weight(threshold: i32) -> i32 {
    let wanted = (i64::from(threshold.max(1)) * 6 + 4) / 5;
    let max = super::profile::MAX_WEIGHT;
    i32::try_from(wanted).map_or(max, |weight| weight.min(max))
}

/// The terms a profile already matches, folded, so suggestions do not repeat them.
struct CoveredTerms {
    /// Terms that also match longer words (the matcher's prefix rule).
    prefixes: Vec<String>,
    /// Acronyms: whole words only.
    words: Vec<String>,
}

impl CoveredTerms {
    fn new(profile: &Profile) -> Self {
        let (mut prefixes, mut words) = (Vec::new(), Vec::new());
        for rule in profile.include.iter().chain(&profile.exclude) {
            let body = rule.term.trim_start_matches('*');
            let folded = fold_term(body);
            if is_acronym(body) {
                words.push(folded);
            } else {
                prefixes.push(folded);
            }
        }
        Self { prefixes, words }
    }

    /// Whether the matcher would already fire a profile term on `term`: it starts with a term,
    /// or one of its words is an acronym term.
    fn covers(&self, term: &str) -> bool {
        self.prefixes.iter().any(|p| term.starts_with(p.as_str()))
            || term.split(' ').any(|word| self.words.iter().any(|w| w == word))
    }
}

/// The distinct candidate terms of a record's title and description.
fn terms_of(record: &NoticeRecord) -> BTreeSet<String> {
    let mut terms = BTreeSet::new();
    for text in [&record.notice.title, &record.notice.description] {
        for phrase in phrases(&fold_term(text)) {
            for (i, word) in phrase.iter().enumerate() {
                if !candidate(word) {
                    continue;
                }
                terms.insert((*word).to_owned());
                if let Some(next) = phrase.get(i + 1).filter(|next| candidate(next)) {
                    terms.insert(format!("{word} {next}"));
                }
            }
        }
    }
    terms
}

/// Splits folded text into runs of words separated by spaces only: punctuation ends a run, so
/// two-word terms never straddle a comma or a full stop. Hyphens stay inside words ("e-resept").
fn phrases(folded: &str) -> Vec<Vec<&str>> {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c.is_whitespace()))
        .map(|run| {
            run.split_whitespace()
                .map(|w| w.trim_matches('-'))
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|run| !run.is_empty())
        .collect()
}

/// Whether a word can be (part of) a suggestion: 3 chars or more, some letter, not a stop word.
fn candidate(word: &str) -> bool {
    word.chars().count() >= 3 && word.chars().any(char::is_alphabetic) && !STOP_WORDS.contains(&word)
}

/// Function words of bokmål, nynorsk, Swedish, Danish and English, and the words every
/// procurement notice uses: excluding them would exclude everything. Folded (lower case).
const STOP_WORDS: &[&str] = &[
    // nb / nn / sv / da
    "alle",
    "andre",
    "av",
    "bare",
    "blir",
    "del",
    "denne",
    "dette",
    "det",
    "den",
    "der",
    "deg",
    "eller",
    "ein",
    "eit",
    "etter",
    "for",
    "fra",
    "frå",
    "får",
    "før",
    "gjennom",
    "har",
    "hele",
    "heile",
    "her",
    "hos",
    "hva",
    "kan",
    "kun",
    "med",
    "mellom",
    "mot",
    "må",
    "ikke",
    "ikkje",
    "inn",
    "innen",
    "mer",
    "meir",
    "nye",
    "nytt",
    "når",
    "og",
    "også",
    "om",
    "opp",
    "oss",
    "over",
    "per",
    "på",
    "samt",
    "seg",
    "sin",
    "sine",
    "sitt",
    "skal",
    "som",
    "til",
    "under",
    "ved",
    "vil",
    "være",
    "vere",
    "vår",
    "våre",
    "att",
    "och",
    "från",
    "för",
    "inte",
    "till",
    "af",
    "mv",
    "inkl",
    "ca",
    "nr",
    "etc",
    // en
    "and",
    "are",
    "all",
    "any",
    "been",
    "both",
    "but",
    "from",
    "has",
    "have",
    "into",
    "its",
    "may",
    "more",
    "not",
    "new",
    "other",
    "our",
    "out",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "these",
    "this",
    "those",
    "through",
    "upon",
    "was",
    "were",
    "which",
    "who",
    "will",
    "with",
    "within",
    "you",
    "your",
    // procurement vocabulary every notice shares
    "anskaffelse",
    "anskaffelsen",
    "anskaffing",
    "innkjøp",
    "innkjøpet",
    "kjøp",
    "levering",
    "leveranse",
    "rammeavtale",
    "rammeavtalen",
    "rammeavtaler",
    "avtale",
    "avtalen",
    "konkurranse",
    "konkurransen",
    "tilbud",
    "tilbudet",
    "tilbydere",
    "leverandør",
    "leverandøren",
    "leverandører",
    "oppdrag",
    "oppdraget",
    "kontrakt",
    "kontrakten",
    "utlysning",
    "kunngjøring",
    "prekvalifisering",
    "delkontrakt",
    "kommune",
    "kommunen",
    "fylkeskommune",
    "helseforetak",
    "upphandling",
    "ramavtal",
    "leverans",
    "udbud",
    "rammeaftale",
    "procurement",
    "tender",
    "tenders",
    "contract",
    "contracts",
    "framework",
    "agreement",
    "supply",
    "supplies",
    "provision",
    "services",
    "service",
    "lot",
    "lots",
    "notice",
    "council",
    "authority",
    "open",
    "procedure",
];

/// The `[[exclude]]` table for one term, the term quoted as a TOML string.
pub fn exclude_table(term: &str, weight: i32) -> String {
    let quoted = toml::Value::String(term.to_owned()).to_string();
    format!("[[exclude]]\nterm = {quoted}\nweight = {weight}\n")
}

#[cfg(test)]
#[path = "suggest/tests.rs"]
mod tests;

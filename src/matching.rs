//! Relevance matching: scores a [`Notice`] against a [`Profile`] and explains the score with hits.
//!
//! [`Matcher`] compiles a profile once into one Aho-Corasick DFA over folded text (every term,
//! capitalised acronyms checked against the original case afterwards, and the [`badges`]) and
//! evaluates notices purely and deterministically, one pass per field. The `/` filter lives in [`search`]. Depends only on `model`, aho-corasick,
//! fuzzy-matcher, serde and toml: never on tokio, reqwest, rusqlite or ratatui.

pub mod badges;
pub mod eval;
pub mod filter;
pub mod normalize;
pub mod profile;
pub mod search;
pub mod set;
pub mod suggest;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use jiff::Timestamp;

use crate::model::{Badge, Field, Hit, Notice, Relevance, RuleKind};
pub use filter::Filters;
use normalize::{
    Folded, cpv_matches, cpv_prefix, fold_term, is_acronym, is_boundary_after, is_boundary_before, spelling_variants,
};
pub use profile::{CpvRule, Profile, ProfileError, TermRule};
pub use set::MatcherSet;

/// Share of a rule's weight, in percent, that a hit in `field` earns: the title says what is
/// bought, a description also carries boilerplate, and a buyer's name only hints at the domain.
pub const fn field_percent(field: Field) -> i32 {
    match field {
        Field::Title | Field::Cpv => 100,
        Field::Description => 50,
        Field::Buyer => 25,
    }
}

/// Scales a signed weight by a field's share, rounding half away from zero, never to 0.
fn scaled(weight: i32, field: Field) -> i32 {
    let magnitude = ((weight.abs() * field_percent(field) + 50) / 100).max(1);
    magnitude * weight.signum()
}

/// A rule after compilation: what the hits report.
#[derive(Debug, Clone)]
struct CompiledRule {
    label: crate::model::RuleName,
    kind: RuleKind,
    /// Signed: exclusions are negative.
    weight: i32,
}

/// What an automaton pattern signals.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A profile rule, by index into `Matcher::rules`.
    Rule(usize),
    /// A badge; badges share the automaton so a notice is scanned once.
    Badge(Badge),
}

/// What an automaton pattern belongs to and which boundaries it needs.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    target: Target,
    boundary_before: bool,
    boundary_after: bool,
    /// Index into `Matcher::exact`: the original text must read exactly so (capitalised
    /// acronyms, so "RIS" does not fire on "ris", rice).
    exact: Option<usize>,
}

/// A compiled profile, ready to score notices.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// The profile's name, reported in [`Relevance::profiles`] when a notice matches.
    name: String,
    threshold: i32,
    rules: Vec<CompiledRule>,
    /// Lower-cased, diacritic-folded patterns (with æ/ø/å spelling variants) of every term and
    /// badge, run once over each folded field.
    folded: AhoCorasick,
    folded_patterns: Vec<Pattern>,
    /// Case-sensitive spellings that [`Pattern::exact`] points at.
    exact: Vec<String>,
    /// CPV digits to compare and the rule they belong to.
    cpv: Vec<(String, usize)>,
    /// Conditions a notice must meet before its terms count.
    filters: Filters,
}

impl Matcher {
    /// Compiles `profile`.
    ///
    /// # Errors
    /// [`ProfileError::Unusable`] when a term folds to nothing, a CPV prefix is not digits, or
    /// the automata cannot be built.
    pub fn new(profile: &Profile) -> Result<Matcher, ProfileError> {
        let unusable = |message: String| ProfileError::Unusable {
            name: profile.name.clone(),
            message,
        };
        let mut rules = Vec::new();
        let (mut folded_pats, mut folded_patterns) = (Vec::new(), Vec::new());
        let mut exact = Vec::new();
        let terms = profile
            .include
            .iter()
            .map(|r| (r, RuleKind::Include, r.weight))
            .chain(profile.exclude.iter().map(|r| (r, RuleKind::Exclude, -r.weight)));
        for (rule, kind, weight) in terms {
            let index = rules.len();
            rules.push(CompiledRule {
                label: rule.term.as_str().into(),
                kind,
                weight,
            });
            let body = rule.term.strip_prefix('*').unwrap_or(&rule.term);
            let inside_words = body.len() != rule.term.len();
            let acronym = is_acronym(body);
            let mut pattern = Pattern {
                target: Target::Rule(index),
                boundary_before: !inside_words,
                boundary_after: acronym,
                exact: None,
            };
            let folded = fold_term(body);
            if folded.trim().is_empty() {
                return Err(unusable(format!("term {:?} has no letters to match", rule.term)));
            }
            if acronym && body.chars().any(char::is_uppercase) {
                pattern.exact = Some(exact.len());
                exact.push(body.to_owned());
                folded_pats.push(folded);
                folded_patterns.push(pattern);
                continue;
            }
            for variant in spelling_variants(&folded, !acronym) {
                folded_pats.push(variant);
                folded_patterns.push(pattern);
            }
        }
        for needle in badges::needles_of_badges() {
            folded_pats.push(needle.text);
            folded_patterns.push(Pattern {
                target: Target::Badge(needle.badge),
                boundary_before: true,
                boundary_after: needle.whole_word,
                exact: needle.exact.map(|spelling| {
                    exact.push(spelling.to_owned());
                    exact.len() - 1
                }),
            });
        }
        let mut cpv = Vec::new();
        for rule in &profile.cpv {
            if rule.prefix.len() < 2 || !rule.prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unusable(format!("CPV prefix {:?} must be 2 to 8 digits", rule.prefix)));
            }
            cpv.push((cpv_prefix(&rule.prefix).to_owned(), rules.len()));
            rules.push(CompiledRule {
                label: rule.prefix.as_str().into(),
                kind: RuleKind::Cpv,
                weight: rule.weight,
            });
        }
        // Standard semantics + overlapping search report every occurrence of every pattern, so
        // "trygghetsalarm" and "alarm" can both fire on the same text.
        // A DFA even for a large pack: the default would pick an NFA above ~100 patterns, and the
        // overlapping scan over every description is most of the cost of scoring a notice.
        let build = |patterns: &[String]| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(patterns)
                .map_err(|e| unusable(format!("cannot compile the terms: {e}")))
        };
        Ok(Matcher {
            name: profile.name.clone(),
            threshold: profile.threshold,
            folded: build(&folded_pats)?,
            folded_patterns,
            exact,
            rules,
            cpv,
            filters: profile.filters.clone(),
        })
    }

    /// Scores `notice`: each rule counts once (its strongest hit), every occurrence is a hit.
    ///
    /// Without a clock the profile's `deadline_within` filter is skipped; the dashboard scores
    /// with [`Matcher::evaluate_at`].
    pub fn evaluate(&self, notice: &Notice) -> Relevance {
        self.score(notice, None)
    }

    /// Scores `notice` as [`Matcher::evaluate`], with `now` anchoring the deadline filter.
    ///
    /// A notice that fails one of the profile's [`Filters`] scores 0 and does not match; its hits
    /// are one [`RuleKind::Filter`] entry per failed filter, saying which and why.
    pub fn evaluate_at(&self, notice: &Notice, now: Timestamp) -> Relevance {
        self.score(notice, Some(now))
    }

    fn score(&self, notice: &Notice, now: Option<Timestamp>) -> Relevance {
        // Most profiles have no filters: skip the check (and its allocations) for them.
        let rejections = if self.filters.is_empty() {
            Vec::new()
        } else {
            self.filters.check(notice, now)
        };
        if !rejections.is_empty() {
            // Filtered out before any term is read: the explanation is the filter, not the terms.
            return Relevance {
                hits: rejections
                    .into_iter()
                    .map(|r| Hit {
                        kind: RuleKind::Filter,
                        rule: r.reason.into(),
                        field: r.field,
                        start: 0,
                        end: 0,
                        weight: 0,
                    })
                    .collect(),
                ..Relevance::default()
            };
        }
        let mut found: Vec<(usize, Hit)> = Vec::new();
        let mut badges = Vec::new();
        for (field, text) in [
            (Field::Title, &notice.title),
            (Field::Description, &notice.description),
            (Field::Buyer, &notice.buyer),
        ] {
            let mut field_hits = Vec::new();
            self.scan(field, text, &mut field_hits, &mut badges);
            // Spelling variants of one term can find the same text twice; report it once.
            field_hits.sort_by_key(|(rule, hit)| (hit.start, hit.end, *rule));
            field_hits.dedup_by_key(|(rule, hit)| (*rule, hit.start, hit.end));
            found.extend(field_hits);
        }
        for code in &notice.cpv {
            for (prefix, rule) in &self.cpv {
                if cpv_matches(code, prefix) {
                    found.push((*rule, self.hit(*rule, Field::Cpv, 0, prefix.len())));
                }
            }
        }
        let mut best: Vec<i32> = vec![0; self.rules.len()];
        for (rule, hit) in &found {
            if hit.weight.abs() > best[*rule].abs() {
                best[*rule] = hit.weight;
            }
        }
        let score = best.iter().sum();
        let matched = score >= self.threshold;
        badges::finish(notice, &mut badges);
        Relevance {
            score,
            matched,
            hits: found.into_iter().map(|(_, hit)| hit).collect(),
            profiles: if matched { vec![self.name.clone()] } else { Vec::new() },
            badges: badges.into(),
        }
    }

    /// The name of the compiled profile.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The score a notice needs to match.
    pub fn threshold(&self) -> i32 {
        self.threshold
    }

    /// Finds every accepted occurrence of a term in one text field, and the badges it mentions,
    /// in a single pass over the folded text.
    fn scan(&self, field: Field, text: &str, out: &mut Vec<(usize, Hit)>, badges: &mut Vec<Badge>) {
        if text.is_empty() {
            return;
        }
        let folded = Folded::new(text);
        let haystack = folded.as_str();
        for m in self.folded.find_overlapping_iter(haystack) {
            let Some(pattern) = self.folded_patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            if !accepts(pattern, haystack, m.start(), m.end()) {
                continue;
            }
            let Some((start, end)) = folded.original_span(m.start(), m.end()) else {
                continue;
            };
            if let Some(spelling) = pattern.exact.and_then(|i| self.exact.get(i))
                && text.get(start..end) != Some(spelling.as_str())
            {
                continue;
            }
            match pattern.target {
                Target::Rule(rule) => out.push((rule, self.hit(rule, field, start, end))),
                // Badges describe what is bought; a buyer's name says nothing about that.
                Target::Badge(badge) if field != Field::Buyer => badges.push(badge),
                Target::Badge(_) => {}
            }
        }
    }

    /// Builds the hit for `rule` at `start..end` of `field`, with the field's share of the weight.
    fn hit(&self, rule: usize, field: Field, start: usize, end: usize) -> Hit {
        let compiled = &self.rules[rule];
        Hit {
            kind: compiled.kind,
            rule: compiled.label.clone(),
            field,
            // A field is far below 4 GiB; saturating keeps a corrupt span from panicking.
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
            weight: scaled(compiled.weight, field),
        }
    }
}

/// Applies a pattern's boundary rules to a match at `start..end` of `text`.
fn accepts(pattern: &Pattern, text: &str, start: usize, end: usize) -> bool {
    (!pattern.boundary_before || is_boundary_before(text, start))
        && (!pattern.boundary_after || is_boundary_after(text, end))
}

#[cfg(test)]
mod tests;

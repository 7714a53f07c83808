//! Relevance matching: scores a [`Notice`] against a [`Profile`] and explains the score with hits.
//!
//! [`Matcher`] compiles a profile once into one Aho-Corasick DFA over folded text (every term,
//! capitalised acronyms checked against the original case afterwards, and the [`badges`]) and
//! evaluates notices purely and deterministically, one pass over a notice's [`ScanText`]. The `/`
//! filter lives in [`search`]. Depends only on `model`, aho-corasick, fuzzy-matcher, serde and
//! toml: never on tokio, reqwest, rusqlite or ratatui.

pub mod badges;
pub mod eval;
pub mod filter;
pub mod normalize;
pub mod profile;
pub mod scan;
pub mod search;
pub mod set;
pub mod suggest;

use std::cell::OnceCell;

use jiff::Timestamp;

use crate::model::{Badge, Field, Hit, Notice, Relevance, RuleKind};
pub use filter::Filters;
use normalize::{cpv_matches, cpv_prefix, fold_term, is_acronym, spelling_variants};
pub use profile::{CpvRule, Profile, ProfileError, TermRule};
pub use scan::ScanText;
use scan::{Needles, PatternSpec};
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
///
/// In `i64` and saturated back: a profile built in code can hold any `i32` weight.
fn scaled(weight: i32, field: Field) -> i32 {
    let magnitude = ((i64::from(weight).abs() * i64::from(field_percent(field)) + 50) / 100).max(1);
    let signed = magnitude * i64::from(weight.signum());
    i32::try_from(signed).unwrap_or(if signed < 0 { i32::MIN } else { i32::MAX })
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
    /// A buyer type (`[[buyer]]`), by index into `Matcher::rules`: read in the buyer field only.
    Buyer(usize),
}

/// What an automaton pattern belongs to; the boundaries it needs are compiled into [`Needles`].
#[derive(Debug, Clone, Copy)]
struct Pattern {
    target: Target,
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
    /// badge, run once over a notice's scan text.
    needles: Needles,
    /// The folded patterns `needles` was compiled from (text, boundary before, after), kept so
    /// [`MatcherSet`] can compile every profile's patterns into one automaton.
    specs: Vec<(String, bool, bool)>,
    /// What each of `needles` signals, by pattern index.
    patterns: Vec<Pattern>,
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
        // Folded text, boundary before, boundary after; and what each pattern signals.
        let (mut folded_pats, mut patterns): (Vec<(String, bool, bool)>, Vec<Pattern>) = (Vec::new(), Vec::new());
        let mut exact = Vec::new();
        // A buyer type explains itself as an include rule read in the buyer field.
        let terms = profile
            .include
            .iter()
            .map(|r| (r, RuleKind::Include, r.weight, false))
            .chain(profile.exclude.iter().map(|r| (r, RuleKind::Exclude, -r.weight, false)))
            .chain(profile.buyer.iter().map(|r| (r, RuleKind::Include, r.weight, true)));
        for (rule, kind, weight, buyer) in terms {
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
                target: if buyer {
                    Target::Buyer(index)
                } else {
                    Target::Rule(index)
                },
                exact: None,
            };
            let (before, after) = (!inside_words, acronym);
            let folded = fold_term(body);
            if folded.trim().is_empty() {
                return Err(unusable(format!("term {:?} has no letters to match", rule.term)));
            }
            if acronym && body.chars().any(char::is_uppercase) {
                pattern.exact = Some(exact.len());
                exact.push(body.to_owned());
                folded_pats.push((folded, before, after));
                patterns.push(pattern);
                continue;
            }
            for variant in spelling_variants(&folded, !acronym) {
                folded_pats.push((variant, before, after));
                patterns.push(pattern);
            }
        }
        for needle in badges::needles_of_badges() {
            folded_pats.push((needle.text, true, needle.whole_word));
            patterns.push(Pattern {
                target: Target::Badge(needle.badge),
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
        let specs: Vec<PatternSpec<'_>> = folded_pats
            .iter()
            .map(|(text, boundary_before, boundary_after)| PatternSpec {
                text,
                boundary_before: *boundary_before,
                boundary_after: *boundary_after,
            })
            .collect();
        let needles = Needles::new(&specs).map_err(|e| unusable(format!("cannot compile the terms: {e}")))?;
        Ok(Matcher {
            name: profile.name.clone(),
            threshold: profile.threshold,
            needles,
            specs: folded_pats,
            patterns,
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
        self.evaluate_text(notice, &OnceCell::new(), None)
    }

    /// Scores `notice` as [`Matcher::evaluate`], with `now` anchoring the deadline filter.
    ///
    /// A notice that fails one of the profile's [`Filters`] scores 0 and does not match; its hits
    /// are one [`RuleKind::Filter`] entry per failed filter, saying which and why.
    pub fn evaluate_at(&self, notice: &Notice, now: Timestamp) -> Relevance {
        self.evaluate_text(notice, &OnceCell::new(), Some(now))
    }

    /// Scores `notice` with `text`, its [`ScanText`], built on first use: [`MatcherSet`] builds it
    /// once for all its profiles, and not at all when every profile's filters reject the notice.
    pub(crate) fn evaluate_text<'n>(
        &self,
        notice: &'n Notice,
        text: &OnceCell<ScanText<'n>>,
        now: Option<Timestamp>,
    ) -> Relevance {
        // Filtered out before any term is read: the explanation is the filter, not the terms.
        if let Some(rejected) = self.rejection(notice, now) {
            return rejected;
        }
        let text = text.get_or_init(|| ScanText::of(notice));
        self.score_occurrences(notice, |found| self.needles.find(text, found))
    }

    /// Every pattern of this profile as [`Needles::new`] takes it, in pattern order.
    pub(super) fn pattern_specs(&self) -> impl Iterator<Item = PatternSpec<'_>> {
        self.specs.iter().map(|(text, before, after)| PatternSpec {
            text,
            boundary_before: *before,
            boundary_after: *after,
        })
    }

    /// The relevance of a notice that fails this profile's filters (one hit per failed filter),
    /// or `None` when it passes them.
    pub(super) fn rejection(&self, notice: &Notice, now: Option<Timestamp>) -> Option<Relevance> {
        // Most profiles have no filters: skip the check (and its allocations) for them.
        if self.filters.is_empty() {
            return None;
        }
        let rejections = self.filters.check(notice, now);
        (!rejections.is_empty()).then(|| Relevance {
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
        })
    }

    /// Scores `notice` from the occurrences of this profile's patterns that `occurrences` hands
    /// to its callback (this profile's own automaton, or [`MatcherSet`]'s shared one).
    pub(super) fn score_occurrences<'t>(
        &self,
        notice: &Notice,
        occurrences: impl FnOnce(&mut dyn FnMut(scan::Occurrence<'t>)),
    ) -> Relevance {
        // (field order, start, end, rule, field) of every accepted term occurrence.
        let mut found: Vec<(u8, usize, usize, usize, Field)> = Vec::new();
        let mut badges = Vec::new();
        // (start, end, rule) of every buyer-type occurrence in the buyer field.
        let mut buyer_types: Vec<(usize, usize, usize)> = Vec::new();
        occurrences(&mut |at| {
            let Some(pattern) = self.patterns.get(at.pattern) else {
                return;
            };
            if let Some(spelling) = pattern.exact.and_then(|i| self.exact.get(i))
                && at.text() != Some(spelling.as_str())
            {
                return;
            }
            match pattern.target {
                Target::Rule(rule) => found.push((field_order(at.field), at.start, at.end, rule, at.field)),
                // Badges describe what is bought; a buyer's name says nothing about that.
                Target::Badge(badge) if at.field != Field::Buyer => badges.push(badge),
                Target::Badge(_) => {}
                Target::Buyer(rule) if at.field == Field::Buyer => buyer_types.push((at.start, at.end, rule)),
                Target::Buyer(_) => {}
            }
        });
        // Hits in field order, then by position; spelling variants of one term can find the
        // same text twice, and it is reported once.
        found.sort_unstable_by_key(|&(order, start, end, rule, _)| (order, start, end, rule));
        found.dedup_by_key(|&mut (order, start, end, rule, _)| (order, start, end, rule));
        let mut hits = Vec::with_capacity(found.len());
        let mut weights = Vec::with_capacity(found.len());
        for (_, start, end, rule, field) in found {
            let hit = self.hit(rule, field, start, end);
            weights.push((rule, hit.weight));
            hits.push(hit);
        }
        // One hit per CPV rule, for the first code it matches: the score counts a rule once,
        // and a hit names the rule, not the code, so the same rule on each of a Doffin notice's
        // 15 construction codes was 15 equal hits (1.4 kB a notice, 140 MB at 100,000).
        let mut cpv_rules_hit: Vec<usize> = Vec::new();
        for code in &notice.cpv {
            for (prefix, rule) in &self.cpv {
                if !cpv_rules_hit.contains(rule) && cpv_matches(code, prefix) {
                    cpv_rules_hit.push(*rule);
                    let hit = self.hit(*rule, Field::Cpv, 0, prefix.len());
                    weights.push((*rule, hit.weight));
                    hits.push(hit);
                }
            }
        }
        let mut score = strongest_per_rule(weights);
        if score > 0
            && let Some(hit) = self.strongest_buyer_type(&mut buyer_types)
        {
            score += hit.weight;
            hits.push(hit);
        }
        let matched = score >= self.threshold;
        badges::finish(notice, &mut badges);
        Relevance {
            score,
            matched,
            hits,
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

    /// The hit of the strongest buyer type found (its first occurrence), at full weight: the
    /// buyer field is where a buyer type belongs. Called only when the other evidence already
    /// scores above 0, so a buyer's type never makes a notice relevant alone.
    fn strongest_buyer_type(&self, found: &mut [(usize, usize, usize)]) -> Option<Hit> {
        found.sort_unstable_by_key(|&(start, end, rule)| (std::cmp::Reverse(self.rules[rule].weight), start, end));
        let &(start, end, rule) = found.first()?;
        let mut hit = self.hit(rule, Field::Buyer, start, end);
        hit.weight = self.rules[rule].weight;
        Some(hit)
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

/// The score of weighted hits `(rule, weight)`: each rule counts once, with its strongest hit
/// (all hits of a rule share its sign).
fn strongest_per_rule(mut weights: Vec<(usize, i32)>) -> i32 {
    weights.sort_unstable_by_key(|&(rule, weight)| (rule, std::cmp::Reverse(weight.unsigned_abs())));
    weights.dedup_by_key(|(rule, _)| *rule);
    // Saturating: enough strong rules must not wrap a high score into a negative one.
    weights
        .iter()
        .fold(0, |score: i32, (_, weight)| score.saturating_add(*weight))
}

/// Where hits from `field` come in [`Relevance::hits`].
fn field_order(field: Field) -> u8 {
    match field {
        Field::Title => 0,
        Field::Description => 1,
        Field::Buyer => 2,
        Field::Cpv => 3,
    }
}

#[cfg(test)]
mod tests;

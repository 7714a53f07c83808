//! Relevance matching: scores a [`Notice`] against a [`Profile`] and explains the score with hits.
//!
//! [`Matcher`] compiles a profile once into two Aho-Corasick automata (folded text for ordinary
//! terms, original case for capitalised acronyms) and evaluates notices purely and
//! deterministically. The `/` filter lives in [`search`]. Depends only on `model`, aho-corasick,
//! fuzzy-matcher, serde and toml: never on tokio, reqwest, rusqlite or ratatui.

pub mod normalize;
pub mod profile;
pub mod search;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::model::{Field, Hit, Notice, Relevance, RuleKind};
use normalize::{
    Folded, cpv_matches, cpv_prefix, fold_term, is_acronym, is_boundary_after, is_boundary_before, spelling_variants,
};
pub use profile::{CpvRule, Profile, ProfileError, TermRule};

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
    label: String,
    kind: RuleKind,
    /// Signed: exclusions are negative.
    weight: i32,
}

/// What an automaton pattern belongs to and which boundaries it needs.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    rule: usize,
    boundary_before: bool,
    boundary_after: bool,
}

/// A compiled profile, ready to score notices.
#[derive(Debug, Clone)]
pub struct Matcher {
    threshold: i32,
    rules: Vec<CompiledRule>,
    /// Lower-cased, diacritic-folded patterns (with æ/ø/å spelling variants), run over folded text.
    folded: AhoCorasick,
    folded_patterns: Vec<Pattern>,
    /// Capitalised acronyms, run over the original text so "RIS" does not fire on "ris" (rice).
    exact: AhoCorasick,
    exact_patterns: Vec<Pattern>,
    /// CPV digits to compare and the rule they belong to.
    cpv: Vec<(String, usize)>,
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
        let (mut exact_pats, mut exact_patterns) = (Vec::new(), Vec::new());
        let terms = profile
            .include
            .iter()
            .map(|r| (r, RuleKind::Include, r.weight))
            .chain(profile.exclude.iter().map(|r| (r, RuleKind::Exclude, -r.weight)));
        for (rule, kind, weight) in terms {
            let index = rules.len();
            rules.push(CompiledRule {
                label: rule.term.clone(),
                kind,
                weight,
            });
            let body = rule.term.strip_prefix('*').unwrap_or(&rule.term);
            let inside_words = body.len() != rule.term.len();
            let acronym = is_acronym(body);
            let pattern = Pattern {
                rule: index,
                boundary_before: !inside_words,
                boundary_after: acronym,
            };
            if acronym && body.chars().any(char::is_uppercase) {
                exact_pats.push(body.to_owned());
                exact_patterns.push(pattern);
                continue;
            }
            let folded = fold_term(body);
            if folded.trim().is_empty() {
                return Err(unusable(format!("term {:?} has no letters to match", rule.term)));
            }
            for variant in spelling_variants(&folded, !acronym) {
                folded_pats.push(variant);
                folded_patterns.push(pattern);
            }
        }
        let mut cpv = Vec::new();
        for rule in &profile.cpv {
            if rule.prefix.len() < 2 || !rule.prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(unusable(format!("CPV prefix {:?} must be 2 to 8 digits", rule.prefix)));
            }
            cpv.push((cpv_prefix(&rule.prefix).to_owned(), rules.len()));
            rules.push(CompiledRule {
                label: rule.prefix.clone(),
                kind: RuleKind::Cpv,
                weight: rule.weight,
            });
        }
        // Standard semantics + overlapping search report every occurrence of every pattern, so
        // "trygghetsalarm" and "alarm" can both fire on the same text.
        let build = |patterns: &[String]| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(patterns)
                .map_err(|e| unusable(format!("cannot compile the terms: {e}")))
        };
        Ok(Matcher {
            threshold: profile.threshold,
            folded: build(&folded_pats)?,
            folded_patterns,
            exact: build(&exact_pats)?,
            exact_patterns,
            rules,
            cpv,
        })
    }

    /// Scores `notice`: each rule counts once (its strongest hit), every occurrence is a hit.
    pub fn evaluate(&self, notice: &Notice) -> Relevance {
        let mut found: Vec<(usize, Hit)> = Vec::new();
        for (field, text) in [
            (Field::Title, &notice.title),
            (Field::Description, &notice.description),
            (Field::Buyer, &notice.buyer),
        ] {
            let mut field_hits = Vec::new();
            self.scan(field, text, &mut field_hits);
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
        Relevance {
            score,
            matched: score >= self.threshold,
            hits: found.into_iter().map(|(_, hit)| hit).collect(),
        }
    }

    /// The score a notice needs to match.
    pub fn threshold(&self) -> i32 {
        self.threshold
    }

    /// Finds every accepted occurrence in one text field.
    fn scan(&self, field: Field, text: &str, out: &mut Vec<(usize, Hit)>) {
        if text.is_empty() {
            return;
        }
        let folded = Folded::new(text);
        let haystack = folded.as_str();
        for m in self.folded.find_overlapping_iter(haystack) {
            let Some(pattern) = self.folded_patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            if accepts(pattern, haystack, m.start(), m.end())
                && let Some((start, end)) = folded.original_span(m.start(), m.end())
            {
                out.push((pattern.rule, self.hit(pattern.rule, field, start, end)));
            }
        }
        for m in self.exact.find_overlapping_iter(text) {
            let Some(pattern) = self.exact_patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            if accepts(pattern, text, m.start(), m.end()) {
                out.push((pattern.rule, self.hit(pattern.rule, field, m.start(), m.end())));
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
            start,
            end,
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
mod tests {
    use super::*;
    use crate::model::NoticeId;

    const PROFILE: &str = r#"
name = "test"
threshold = 10
[[include]]
terms = ["røntgen", "velferdsteknologi", "pasientsignal", "trygghetsalarm", "*kateter", "MR", "CT", "RIS", "EPJ", "sår", "SPECT"]
weight = 10
[[exclude]]
term = "legemidler"
weight = 8
[[cpv]]
prefix = "33"
weight = 6
[[cpv]]
prefix = "33600000"
weight = -12
"#;

    fn matcher() -> Matcher {
        Matcher::new(&Profile::parse(PROFILE, "test.toml").expect("valid profile")).expect("compiles")
    }

    fn notice(title: &str, description: &str, buyer: &str, cpv: &[&str]) -> Notice {
        Notice {
            id: NoticeId::new("test", "1"),
            source: "test".into(),
            native_id: "1".into(),
            title: title.into(),
            titles: std::collections::BTreeMap::default(),
            description: description.into(),
            buyer: buyer.into(),
            country: None,
            cpv: cpv.iter().map(|c| (*c).to_owned()).collect(),
            published: None,
            deadline: None,
            value: None,
            currency: None,
            notice_type: None,
            url: String::new(),
        }
    }

    fn title_rules(title: &str) -> Vec<String> {
        matcher()
            .evaluate(&notice(title, "", "", &[]))
            .hits
            .into_iter()
            .map(|h| h.rule)
            .collect()
    }

    #[test]
    fn terms_match_by_the_boundary_rules() {
        let cases: [(&str, &[&str]); 18] = [
            ("Ny velferdsteknologiløsning", &["velferdsteknologi"]),
            ("Pasientsignalanlegg til sykehjem", &["pasientsignal"]),
            ("Foleykateter og SVK", &["*kateter"]),
            ("MR-maskin til Ålesund", &["MR"]),
            ("Ny MR til sykehuset", &["MR"]),
            ("Drift av område nord", &[]),
            ("Service contract for the project", &[]),
            ("CT til UNN", &["CT"]),
            ("Levering av ris og pasta", &[]),
            ("Pris og RIS/PACS", &["RIS"]),
            ("PRIS", &[]),
            ("SPECT/CT og spectrometer", &["SPECT", "CT"]),
            ("EPJ-system", &["EPJ"]),
            ("Sår og SÅR", &["sår", "sår"]),
            ("Såret", &[]),
            ("SAR-helikopter", &[]),
            ("Nye trygghetsalarmer", &["trygghetsalarm"]),
            ("Datatrygghetsalarm", &[]),
        ];
        for (title, want) in cases {
            assert_eq!(title_rules(title), want.to_vec(), "{title}");
        }
    }

    #[test]
    fn case_and_diacritics_do_not_matter_for_long_terms() {
        for title in ["RØNTGEN", "røntgen", "Rontgen", "roentgen", "Röntgenanlegg"] {
            assert_eq!(title_rules(title), ["røntgen"], "{title}");
        }
    }

    #[test]
    fn spans_slice_the_original_text_in_field_order() {
        let n = notice(
            "Mobil RØNTGEN og MR",
            "Kjøp av røntgenapparat, ROENTGEN",
            "Sår AS",
            &["33100000"],
        );
        let hits = matcher().evaluate(&n).hits;
        let slices: Vec<(Field, &str)> = hits
            .iter()
            .map(|h| {
                let text = match h.field {
                    Field::Title => &n.title,
                    Field::Description => &n.description,
                    Field::Buyer => &n.buyer,
                    Field::Cpv => &n.cpv[0],
                };
                (h.field, text.get(h.start..h.end).expect("span is a valid byte range"))
            })
            .collect();
        let want = [
            (Field::Title, "RØNTGEN"),
            (Field::Title, "MR"),
            (Field::Description, "røntgen"),
            (Field::Description, "ROENTGEN"),
            (Field::Buyer, "Sår"),
            (Field::Cpv, "33"),
        ];
        assert_eq!(slices, want);
    }

    #[test]
    fn a_rule_counts_once_but_every_occurrence_is_a_hit() {
        let r = matcher().evaluate(&notice("MR og MR", "MR", "", &[]));
        assert_eq!(r.hits.len(), 3);
        assert_eq!(r.score, 10);
        assert!(r.matched);
    }

    #[test]
    fn fields_are_weighted() {
        let m = matcher();
        assert_eq!(m.evaluate(&notice("røntgen", "", "", &[])).score, 10);
        assert_eq!(m.evaluate(&notice("", "røntgen", "", &[])).score, 5);
        assert_eq!(m.evaluate(&notice("", "", "røntgen", &[])).score, 3);
        assert!(!m.evaluate(&notice("", "røntgen", "", &[])).matched);
    }

    #[test]
    fn exclusions_lower_the_score() {
        let m = matcher();
        let plain = m.evaluate(&notice("Multidose og kateter", "", "", &[]));
        let excluded = m.evaluate(&notice("Multidose, legemidler og kateter", "", "", &[]));
        assert_eq!(plain.score - excluded.score, 8);
        assert!(
            excluded
                .hits
                .iter()
                .any(|h| h.kind == RuleKind::Exclude && h.weight == -8)
        );
        assert!(!excluded.matched);
    }

    #[test]
    fn cpv_rules_match_by_prefix_and_count_once() {
        let m = matcher();
        let r = m.evaluate(&notice("", "", "", &["33100000", "33190000"]));
        assert_eq!((r.score, r.hits.len()), (6, 2));
        assert!(
            r.hits
                .iter()
                .all(|h| h.kind == RuleKind::Cpv && h.rule == "33" && h.end == 2)
        );
        let r = m.evaluate(&notice("", "", "", &["33600000"]));
        assert_eq!(r.score, 6 - 12);
        assert_eq!(m.evaluate(&notice("", "", "", &["03310000", "45000000"])).score, 0);
    }

    #[test]
    fn empty_notice_scores_zero() {
        assert_eq!(matcher().evaluate(&notice("", "", "", &[])), Relevance::default());
    }

    #[test]
    fn programmatic_profiles_are_checked() {
        let mut profile = Profile::parse(PROFILE, "t").expect("valid");
        profile.include.push(TermRule {
            term: "*".into(),
            weight: 1,
        });
        assert!(matches!(Matcher::new(&profile), Err(ProfileError::Unusable { .. })));
    }
}

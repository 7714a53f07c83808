//! The matching profile: keyword and CPV rules with weights, read from TOML.
//!
//! Owns the profile file format and its error messages (file, line, column, key). Depends only on
//! serde, toml, thiserror and [`super::normalize`]; the compiled form lives in [`super::Matcher`].

use std::collections::BTreeSet;
use std::marker::PhantomData;

use serde::Deserialize;

use super::filter::Filters;
use super::normalize::fold_term;

/// The default health-technology profile, embedded so a fresh install needs no files.
pub const BUNDLED_TOML: &str = include_str!("../../config/profiles/health-tech.toml");

/// Every bundled profile by name, the default first: a config selects one with its name
/// (`profiles = ["health-tech", "lab-diagnostics"]`) instead of a path.
pub const BUNDLED_PROFILES: [(&str, &str); 2] = [
    ("health-tech", BUNDLED_TOML),
    (
        "lab-diagnostics",
        include_str!("../../config/profiles/lab-diagnostics.toml"),
    ),
];

/// Name used in messages about the bundled profile.
const BUNDLED_ORIGIN: &str = "bundled profiles/health-tech.toml";

/// A relevance profile: what raises and lowers a notice's score, and the score that counts as a match.
///
/// The TOML form has `name`, `threshold`, an optional `[filters]` table (see [`Filters`]) and any
/// number of `[[include]]`, `[[exclude]]`, `[[buyer]]` and `[[cpv]]` tables. A term table holds `weight` and either `term = "…"` or, compactly, `terms = ["…", …]`;
/// a CPV table holds `weight` and either `prefix` or `prefixes`. Include and exclude weights are
/// written positive (exclusions are subtracted); CPV weights carry their own sign.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "RawProfile")]
pub struct Profile {
    /// Shown in the UI and in messages.
    pub name: String,
    /// A notice matches when its score reaches this.
    pub threshold: i32,
    /// Terms that raise the score.
    pub include: Vec<TermRule>,
    /// Terms that lower the score.
    pub exclude: Vec<TermRule>,
    /// CPV prefixes that raise (positive weight) or lower (negative weight) the score.
    pub cpv: Vec<CpvRule>,
    /// Buyer types (`[[buyer]]`): terms read in the buyer's name only ("helseforetak", "HF",
    /// "Klinikum"). The strongest one adds its full weight, but only to a notice whose other
    /// evidence already scores above 0: a buyer's type lifts a CPV code or a weak term over the
    /// threshold and never makes a notice relevant alone (the rubric: the buyer does not decide).
    pub buyer: Vec<TermRule>,
    /// Hard conditions checked before scoring; a notice failing one does not match this profile.
    pub filters: Filters,
}

/// One keyword rule.
///
/// Terms of up to 4 chars, and terms written in capitals ("SPECT"), are acronyms: they need a word
/// boundary on both sides and, when written with a capital letter, match case-sensitively ("RIS"
/// but not "ris", rice, nor "pris"). Other terms are case- and accent-insensitive and need a
/// word boundary before them and may be followed by inflections and compound tails
/// ("velferdsteknologi" finds "velferdsteknologiløsning"). A leading `*` also lets a term end a
/// compound ("*kateter" finds "foleykateter").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermRule {
    /// The term as the profile wrote it, `*` included.
    pub term: String,
    /// Positive weight; subtracted for exclusions.
    pub weight: i32,
}

/// One CPV rule: every notice code that starts with `prefix` fires it.
///
/// A full 8-digit code stands for its category ("33600000" covers 336xxxxx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpvRule {
    /// 2 to 8 digits, as written.
    pub prefix: String,
    /// Signed weight.
    pub weight: i32,
}

/// A profile that cannot be used, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The file is not valid at a known place.
    #[error("{origin}:{line}:{column}: `{key}`: {message}")]
    Invalid {
        /// Which file (or "bundled profiles/health-tech.toml").
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in chars.
        column: usize,
        /// The key or table at fault, e.g. `include.weight`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The profile parsed but cannot be compiled into a matcher.
    #[error("profile {name}: {message}")]
    Unusable {
        /// The profile's name.
        name: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl Profile {
    /// Parses a profile written in TOML; `origin` (usually the file path) is named in errors.
    ///
    /// # Errors
    /// [`ProfileError::Invalid`] for bad TOML, unknown or missing keys, empty terms, non-positive
    /// term weights, malformed CPV prefixes and terms listed twice.
    pub fn parse(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            invalid_at(text, origin, at, e.message())
        })?;
        profile.check_duplicates(text, origin)?;
        profile.check_buyer_weights(text, origin)?;
        Ok(profile)
    }

    /// The bundled health-tech profile.
    ///
    /// The bundled file is checked by a test, so the CPV-only fallback used when it does not parse
    /// exists only to keep a broken build usable.
    pub fn bundled() -> Profile {
        Self::parse(BUNDLED_TOML, BUNDLED_ORIGIN).unwrap_or_else(|_| Profile {
            name: "health-tech (fallback)".to_owned(),
            threshold: 10,
            include: Vec::new(),
            exclude: Vec::new(),
            cpv: vec![CpvRule {
                prefix: "33".to_owned(),
                weight: 10,
            }],
            buyer: Vec::new(),
            filters: Filters::default(),
        })
    }

    /// The bundled profile called `name`, or `None` when no bundled profile has that name.
    ///
    /// # Errors
    /// When the bundled file does not parse (a test checks that every one does).
    pub fn bundled_named(name: &str) -> Option<Result<Profile, ProfileError>> {
        let text = Self::bundled_text(name)?;
        Some(Self::parse(text, &format!("bundled profiles/{name}.toml")))
    }

    /// The TOML of the bundled profile called `name`, as shipped (`anbud --print-profile NAME`).
    pub fn bundled_text(name: &str) -> Option<&'static str> {
        BUNDLED_PROFILES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
    }

    /// The names of the bundled profiles, the default first.
    pub fn bundled_names() -> Vec<&'static str> {
        BUNDLED_PROFILES.iter().map(|(name, _)| *name).collect()
    }

    /// The distinct CPV divisions (2 digits, padded to 8: "33000000") of the positive CPV rules,
    /// sorted; used to narrow a server-side query such as TED's.
    pub fn cpv_families(&self) -> Vec<String> {
        let families: BTreeSet<String> = self
            .cpv
            .iter()
            .filter(|rule| rule.weight > 0)
            .filter_map(|rule| rule.prefix.get(..2))
            .map(|division| format!("{division}000000"))
            .collect();
        families.into_iter().collect()
    }

    /// Rejects a buyer type that reaches the threshold on its own: it would decide alone.
    fn check_buyer_weights(&self, text: &str, origin: &str) -> Result<(), ProfileError> {
        let Some(rule) = self.buyer.iter().find(|r| r.weight >= self.threshold) else {
            return Ok(());
        };
        let at = text.find("[[buyer]]").unwrap_or(0);
        let message = format!(
            "buyer weight {} must stay below the threshold {}: a buyer's type only lifts other evidence",
            rule.weight, self.threshold
        );
        Err(invalid_at(text, origin, at, &message))
    }

    /// Rejects a term listed twice in the same section: it would silently count double.
    fn check_duplicates(&self, text: &str, origin: &str) -> Result<(), ProfileError> {
        for (section, rules) in [
            ("include", &self.include),
            ("exclude", &self.exclude),
            ("buyer", &self.buyer),
        ] {
            let mut seen = BTreeSet::new();
            for rule in rules {
                if !seen.insert(fold_term(&rule.term)) {
                    let quoted = format!("\"{}\"", rule.term);
                    let at = text.rfind(&quoted).unwrap_or(0);
                    let message = format!("term \"{}\" is listed twice in [[{section}]]", rule.term);
                    return Err(invalid_at(text, origin, at, &message));
                }
            }
        }
        Ok(())
    }
}

/// Builds [`ProfileError::Invalid`] for byte offset `at` of `text`.
fn invalid_at(text: &str, origin: &str, at: usize, message: &str) -> ProfileError {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    ProfileError::Invalid {
        origin: origin.to_owned(),
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
        key: key_at(text, line_start),
        message: message.trim().to_owned(),
    }
}

/// Names the key at or before the line starting at `line_start`, qualified by its table:
/// "threshold", "include.weight", or just "include" for an error about a whole table.
///
/// The toml crate reports a span but keeps its key path private, so the key is read back from
/// the source text.
fn key_at(text: &str, line_start: usize) -> String {
    let mut key: Option<String> = None;
    let upto = text.get(..line_start).unwrap_or("").lines().count();
    let mut lines: Vec<&str> = text.lines().take(upto + 1).collect();
    while let Some(line) = lines.pop() {
        let line = line.trim();
        if line.starts_with('[') {
            let table = line.trim_matches(|c| c == '[' || c == ']').trim();
            return match key {
                Some(k) => format!("{table}.{k}"),
                None => table.to_owned(),
            };
        }
        if key.is_none()
            && !line.starts_with('#')
            && let Some((k, _)) = line.split_once('=')
        {
            key = Some(k.trim().trim_matches('"').to_owned());
        }
    }
    key.unwrap_or_else(|| "(top level)".to_owned())
}

/// The profile as written, before compact groups are flattened into one rule per term.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: String,
    threshold: Bounded<ThresholdRange>,
    #[serde(default)]
    include: Vec<TermGroup>,
    #[serde(default)]
    exclude: Vec<TermGroup>,
    #[serde(default)]
    cpv: Vec<CpvGroup>,
    #[serde(default)]
    buyer: Vec<TermGroup>,
    #[serde(default)]
    filters: Filters,
}

impl From<RawProfile> for Profile {
    fn from(raw: RawProfile) -> Self {
        Profile {
            name: raw.name,
            threshold: raw.threshold.0,
            include: raw.include.into_iter().flat_map(|g| g.0).collect(),
            exclude: raw.exclude.into_iter().flat_map(|g| g.0).collect(),
            cpv: raw.cpv.into_iter().flat_map(|g| g.0).collect(),
            buyer: raw.buyer.into_iter().flat_map(|g| g.0).collect(),
            filters: raw.filters,
        }
    }
}

/// An `[[include]]` or `[[exclude]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTermGroup {
    term: Option<String>,
    terms: Option<Vec<String>>,
    weight: Bounded<TermWeight>,
}

/// A validated term table; validating in `try_from` lets the toml crate point at the table.
#[derive(Deserialize)]
#[serde(try_from = "RawTermGroup")]
struct TermGroup(Vec<TermRule>);

impl TryFrom<RawTermGroup> for TermGroup {
    type Error = String;

    fn try_from(raw: RawTermGroup) -> Result<Self, String> {
        let terms = one_of(raw.term, raw.terms, "term", "terms")?;
        for term in &terms {
            if fold_term(term.trim_start_matches('*')).trim().is_empty() {
                return Err(format!("term {term:?} is empty"));
            }
            if term.trim() != term {
                return Err(format!("term {term:?} has leading or trailing spaces"));
            }
        }
        let weight = raw.weight.0;
        Ok(TermGroup(
            terms.into_iter().map(|term| TermRule { term, weight }).collect(),
        ))
    }
}

/// A `[[cpv]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCpvGroup {
    prefix: Option<String>,
    prefixes: Option<Vec<String>>,
    weight: Bounded<CpvWeight>,
}

/// A validated CPV table.
#[derive(Deserialize)]
#[serde(try_from = "RawCpvGroup")]
struct CpvGroup(Vec<CpvRule>);

impl TryFrom<RawCpvGroup> for CpvGroup {
    type Error = String;

    fn try_from(raw: RawCpvGroup) -> Result<Self, String> {
        let prefixes = one_of(raw.prefix, raw.prefixes, "prefix", "prefixes")?;
        for prefix in &prefixes {
            if !(2..=8).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("CPV prefix {prefix:?} must be 2 to 8 digits, e.g. \"3319\""));
            }
        }
        let weight = raw.weight.0;
        Ok(CpvGroup(
            prefixes.into_iter().map(|prefix| CpvRule { prefix, weight }).collect(),
        ))
    }
}

/// A number a profile writes, checked against the range of `R` while parsing so the error points
/// at the number itself. Read as `i64`, so a value past `i32` gets the same message.
struct Bounded<R>(i32, PhantomData<R>);

/// The allowed values of one kind of number in a profile.
///
/// Weights stay small (the bundled profiles use -14 to 24), so no sum of the weights a notice can
/// collect comes near `i32`, and a typo such as `weight = 30000000` is caught instead of drowning
/// every other rule.
trait NumberRange {
    /// What the number is, for messages.
    const WHAT: &'static str;
    /// The smallest allowed value.
    const MIN: i32;
    /// The largest allowed value.
    const MAX: i32;
    /// A value inside the range that is still refused, with why (a zero CPV weight, a negative
    /// term weight).
    fn refuse(_value: i32) -> Option<String> {
        None
    }
}

/// The largest weight magnitude.
pub const MAX_WEIGHT: i32 = 1000;

/// `weight` of `[[include]]` / `[[exclude]]`: positive, exclusions are subtracted.
struct TermWeight;
impl NumberRange for TermWeight {
    const WHAT: &'static str = "weight";
    const MIN: i32 = 1;
    const MAX: i32 = MAX_WEIGHT;
}

/// `weight` of `[[cpv]]`: signed, never 0.
struct CpvWeight;
impl NumberRange for CpvWeight {
    const WHAT: &'static str = "weight";
    const MIN: i32 = -MAX_WEIGHT;
    const MAX: i32 = MAX_WEIGHT;
    fn refuse(value: i32) -> Option<String> {
        (value == 0).then(|| "weight must not be 0".to_owned())
    }
}

/// `threshold`: ten times the weight range, enough for any sum of rules that means something.
struct ThresholdRange;
impl NumberRange for ThresholdRange {
    const WHAT: &'static str = "threshold";
    const MIN: i32 = -10 * MAX_WEIGHT;
    const MAX: i32 = 10 * MAX_WEIGHT;
}

impl<'de, R: NumberRange> Deserialize<'de> for Bounded<R> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = d.deserialize_i64(WholeNumber)?;
        let inside = i32::try_from(value).ok().filter(|v| (R::MIN..=R::MAX).contains(v));
        let Some(value) = inside else {
            // Below 1 for a term weight is the common slip: say why, as before ranges existed.
            let message = if R::MIN == 1 && value < 1 {
                format!("{} must be positive (exclusions are subtracted), got {value}", R::WHAT)
            } else {
                format!(
                    "{} {value} is out of range: use between {} and {}",
                    R::WHAT,
                    R::MIN,
                    R::MAX
                )
            };
            return Err(serde::de::Error::custom(message));
        };
        match R::refuse(value) {
            Some(message) => Err(serde::de::Error::custom(message)),
            None => Ok(Bounded(value, PhantomData)),
        }
    }
}

/// Reads any TOML integer as `i64` ("expected an integer" otherwise, not "expected i64").
struct WholeNumber;

impl serde::de::Visitor<'_> for WholeNumber {
    type Value = i64;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<i64, E> {
        // Past i64 is past every range, and i64::MAX says so just as well.
        Ok(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

/// Accepts exactly one of the single and the list form of a key.
fn one_of(single: Option<String>, list: Option<Vec<String>>, one: &str, many: &str) -> Result<Vec<String>, String> {
    match (single, list) {
        (Some(s), None) => Ok(vec![s]),
        (None, Some(l)) if !l.is_empty() => Ok(l),
        (None, Some(_)) => Err(format!("`{many}` is empty")),
        (Some(_), Some(_)) => Err(format!("write either `{one}` or `{many}`, not both")),
        (None, None) => Err(format!("missing `{one}` (or `{many}`)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (usize, String, String) {
        match Profile::parse(text, "p.toml") {
            Err(ProfileError::Invalid {
                origin,
                line,
                key,
                message,
                ..
            }) => {
                assert_eq!(origin, "p.toml");
                (line, key, message)
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn bundled_profile_parses() {
        let profile = Profile::parse(BUNDLED_TOML, BUNDLED_ORIGIN).expect("bundled profile is valid");
        assert_eq!(Profile::bundled(), profile);
        assert!(profile.include.len() > 50);
        assert!(profile.cpv_families().contains(&"33000000".to_owned()));
    }

    #[test]
    fn every_bundled_profile_parses_under_its_own_name() {
        for (name, _) in BUNDLED_PROFILES {
            let profile = Profile::bundled_named(name).expect("listed").expect("parses");
            assert_eq!(profile.name, name);
            assert!(profile.include.len() > 20, "{name}");
        }
        assert!(Profile::bundled_named("no-such-profile").is_none());
        assert_eq!(Profile::bundled_names()[0], Profile::bundled().name);
    }

    #[test]
    fn both_forms_flatten_into_one_rule_per_term() {
        let text = "name = \"t\"\nthreshold = 5\n[[include]]\nterm = \"EPJ\"\nweight = 8\n\
                    [[include]]\nterms = [\"a b\", \"*kateter\"]\nweight = 3\n\
                    [[exclude]]\nterm = \"legemidler\"\nweight = 9\n\
                    [[cpv]]\nprefixes = [\"33\", \"48814\"]\nweight = 4\n\
                    [[cpv]]\nprefix = \"33600000\"\nweight = -9\n";
        let p = Profile::parse(text, "p.toml").expect("valid");
        assert_eq!(p.include.len(), 3);
        assert_eq!(
            p.include[2],
            TermRule {
                term: "*kateter".into(),
                weight: 3
            }
        );
        assert_eq!(p.exclude[0].weight, 9);
        assert_eq!(p.cpv.len(), 3);
        assert_eq!(p.cpv_families(), ["33000000", "48000000"]);
    }

    #[test]
    fn errors_name_line_and_key() {
        let cases: [(&str, usize, &str, &str); 7] = [
            (
                "name = \"x\"\nthreshold = 1\nthreshhold = 2\n",
                3,
                "threshhold",
                "unknown field",
            ),
            (
                "name = \"x\"\nthreshold = \"high\"\n",
                2,
                "threshold",
                "expected an integer",
            ),
            (
                "name = \"x\"\nthreshold = 1\n[[include]]\nterm = \"a\"\nwieght = 2\n",
                5,
                "include.wieght",
                "unknown",
            ),
            (
                "name = \"x\"\nthreshold = 1\n[[include]]\nterm = \"\"\nweight = 2\n",
                3,
                "include",
                "empty",
            ),
            (
                "name = \"x\"\nthreshold = 1\n[[exclude]]\nterm = \"a\"\nweight = -2\n",
                5,
                "exclude.weight",
                "positive",
            ),
            (
                "name = \"x\"\nthreshold = 1\n\n[[cpv]]\nprefix = \"33a\"\nweight = 2\n",
                4,
                "cpv",
                "digits",
            ),
            (
                "name = \"x\"\nthreshold = 1\n[[include]]\nterms = [\"ab\"]\nweight = 1\n[[include]]\nterm = \"AB\"\nweight = 1\n",
                7,
                "include.term",
                "twice",
            ),
        ];
        for (text, line, key, message) in cases {
            let got = error(text);
            assert_eq!(got.0, line, "{text}: {got:?}");
            assert_eq!(got.1, key, "{text}: {got:?}");
            assert!(got.2.contains(message), "{text}: {got:?}");
        }
    }

    #[test]
    fn error_message_reads_origin_line_column_key() {
        let err = Profile::parse("name = \"x\"\nthreshold = 1\nbogus = 1\n", "my.toml").expect_err("unknown key");
        let text = err.to_string();
        assert!(text.starts_with("my.toml:3:1: `bogus`: unknown field"), "{text}");
    }

    #[test]
    fn weights_and_thresholds_out_of_range_name_the_allowed_range() {
        let rules = "[[include]]\nterm = \"b\"\nweight = 5\n";
        let cases = [
            (
                "threshold = 1\n[[include]]\nterm = \"a\"\nweight = 30000000\n",
                5,
                "include.weight",
                "between 1 and 1000",
            ),
            (
                "threshold = 1\n[[exclude]]\nterm = \"a\"\nweight = 1001\n",
                5,
                "exclude.weight",
                "between 1 and 1000",
            ),
            (
                "threshold = 1\n[[cpv]]\nprefix = \"33\"\nweight = -2147483648\n",
                5,
                "cpv.weight",
                "between -1000 and 1000",
            ),
            // Beyond i32: the same message, not toml's "expected i32".
            (
                "threshold = 1\n[[cpv]]\nprefix = \"33\"\nweight = 3000000000\n",
                5,
                "cpv.weight",
                "between -1000 and 1000",
            ),
            ("threshold = 2147483647\n", 2, "threshold", "between -10000 and 10000"),
        ];
        for (body, line, key, range) in cases {
            let text = format!("name = \"x\"\n{body}{rules}");
            let (got_line, got_key, message) = error(&text);
            assert_eq!((got_line, got_key.as_str()), (line, key), "{text}: {message}");
            assert!(
                message.contains("is out of range") && message.contains(range),
                "{text}: {message}"
            );
        }
        // The bounds themselves are fine.
        let text = "name = \"x\"\nthreshold = -10000\n[[include]]\nterm = \"a\"\nweight = 1000\n\
                    [[cpv]]\nprefix = \"33\"\nweight = -1000\n";
        let profile = Profile::parse(text, "p.toml").expect("valid");
        assert_eq!(
            (profile.threshold, profile.include[0].weight, profile.cpv[0].weight),
            (-10000, 1000, -1000)
        );
    }

    #[test]
    fn scores_saturate_instead_of_overflowing() {
        // A profile built in code skips the parser's ranges; scoring must still not overflow.
        let rule = |prefix: &str, weight| CpvRule {
            prefix: prefix.to_owned(),
            weight,
        };
        let profile = |weight: i32| Profile {
            name: "big".to_owned(),
            threshold: 10,
            include: vec![TermRule {
                term: "pumpe".to_owned(),
                weight: weight.max(1),
            }],
            exclude: Vec::new(),
            buyer: Vec::new(),
            cpv: vec![rule("33", weight), rule("3314", weight), rule("331411", weight)],
            filters: Filters::default(),
        };
        let notice = crate::model::Notice {
            description: "pumpe".to_owned(),
            buyer: "pumpe".to_owned(),
            cpv: vec!["33141100".to_owned()].into(),
            ..crate::model::Notice::blank("test", "1", "Infusjonspumpe og pumpe")
        };
        let high = super::super::Matcher::new(&profile(i32::MAX))
            .expect("compiles")
            .evaluate(&notice);
        assert_eq!((high.score, high.matched), (i32::MAX, true));
        let low = super::super::Matcher::new(&profile(i32::MIN))
            .expect("compiles")
            .evaluate(&notice);
        assert!(low.score < -1_000_000_000 && !low.matched, "{}", low.score);
    }
}

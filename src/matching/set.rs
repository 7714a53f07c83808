//! Several named profiles at once: a company may sell both welfare technology and lab equipment.
//!
//! [`MatcherSet`] scores a notice against every profile; the notice carries the best profile's
//! score, hits and threshold verdict, and the names of every profile that matched, best first.

use super::scan::{Needles, Occurrence, PatternSpec, ScanText};
use super::{Matcher, Profile, ProfileError};
use std::cell::OnceCell;

use jiff::Timestamp;

use crate::model::{Notice, Relevance};

/// Compiled profiles, scored together.
#[derive(Debug, Clone)]
pub struct MatcherSet {
    matchers: Vec<Matcher>,
    /// Every profile's patterns in one automaton, with the (profile, pattern) each came from:
    /// a notice is walked once however many profiles score it (two walks cost nearly twice one).
    /// `None` for a single profile, which walks its own.
    shared: Option<Shared>,
}

/// One automaton of several profiles' patterns, and the (profile, pattern) of each of its patterns.
type Shared = (Needles, Vec<(usize, usize)>);

/// A fingerprint of `profiles` and of this build's matcher: when it differs from the one the stored
/// scores were computed with, the dashboard re-scores them in the background. (The debug form
/// covers every rule and weight; a new version of anbud may score differently, so it counts too.)
pub fn fingerprint(profiles: &[Profile]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let text = format!("{} {profiles:?}", env!("CARGO_PKG_VERSION"));
    let hash = text.bytes().fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    format!("{hash:016x}")
}

impl MatcherSet {
    /// Compiles every profile, in the given order (which breaks ties between equal scores).
    ///
    /// # Errors
    /// The first profile that does not compile, or [`ProfileError::Unusable`] for an empty set
    /// or two profiles with the same name (the names tell the user which profile matched).
    pub fn new(profiles: &[Profile]) -> Result<Self, ProfileError> {
        if profiles.is_empty() {
            return Err(ProfileError::Unusable {
                name: String::new(),
                message: "no profiles to match with".to_owned(),
            });
        }
        for (i, profile) in profiles.iter().enumerate() {
            if profiles[..i].iter().any(|p| p.name == profile.name) {
                return Err(ProfileError::Unusable {
                    name: profile.name.clone(),
                    message: "two profiles have this name; give each a name of its own".to_owned(),
                });
            }
        }
        let matchers: Vec<Matcher> = profiles.iter().map(Matcher::new).collect::<Result<_, _>>()?;
        Ok(Self {
            shared: Self::shared(&matchers)?,
            matchers,
        })
    }

    /// The shared automaton of `matchers`, when there is more than one.
    fn shared(matchers: &[Matcher]) -> Result<Option<Shared>, ProfileError> {
        if matchers.len() < 2 {
            return Ok(None);
        }
        let mut specs: Vec<PatternSpec<'_>> = Vec::new();
        let mut owners = Vec::new();
        for (m, matcher) in matchers.iter().enumerate() {
            for (p, spec) in matcher.pattern_specs().enumerate() {
                specs.push(spec);
                owners.push((m, p));
            }
        }
        let needles = Needles::new(&specs).map_err(|e| ProfileError::Unusable {
            name: String::new(),
            message: format!("cannot compile the profiles' terms together: {e}"),
        })?;
        Ok(Some((needles, owners)))
    }

    /// The profile names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.matchers.iter().map(Matcher::name).collect()
    }

    /// Keeps only the profile called `name`; `None` when there is none.
    pub fn only(&self, name: &str) -> Option<Self> {
        let matcher = self.matchers.iter().find(|m| m.name() == name)?;
        Some(Self {
            matchers: vec![matcher.clone()],
            shared: None,
        })
    }

    /// Scores `notice` with every profile. The result is the best profile's relevance (a
    /// matching profile beats a non-matching one, then the higher score, then the earlier
    /// profile), with `profiles` naming every profile that matched, best first.
    ///
    /// Without a clock, `deadline_within` filters are skipped; see [`MatcherSet::evaluate_at`].
    pub fn evaluate(&self, notice: &Notice) -> Relevance {
        self.score(notice, None)
    }

    /// Scores `notice` as [`MatcherSet::evaluate`], with `now` anchoring the deadline filters.
    pub fn evaluate_at(&self, notice: &Notice, now: Timestamp) -> Relevance {
        self.score(notice, Some(now))
    }

    /// How far `notice` clears the threshold: the largest score minus threshold over every
    /// profile (it matches some profile when this is `>= 0`). Cross-validation fits an offset to it.
    pub fn margin_at(&self, notice: &Notice, now: Timestamp) -> i32 {
        self.each(notice, Some(now))
            .iter()
            .zip(&self.matchers)
            .map(|(r, m)| r.score - m.threshold())
            .max()
            .unwrap_or(i32::MIN)
    }

    /// Every profile's relevance, the notice folded into its scan text once for all of them.
    fn score(&self, notice: &Notice, now: Option<Timestamp>) -> Relevance {
        Self::best(self.each(notice, now))
    }

    /// Every profile's relevance, in profile order.
    fn each(&self, notice: &Notice, now: Option<Timestamp>) -> Vec<Relevance> {
        let Some((needles, owners)) = &self.shared else {
            let text = OnceCell::new();
            return self
                .matchers
                .iter()
                .map(|m| m.evaluate_text(notice, &text, now))
                .collect();
        };
        let rejected: Vec<Option<Relevance>> = self.matchers.iter().map(|m| m.rejection(notice, now)).collect();
        if rejected.iter().all(Option::is_some) {
            return rejected.into_iter().flatten().collect();
        }
        // One walk, its occurrences handed to the profile that owns each pattern.
        let text = ScanText::of(notice);
        let mut found: Vec<Vec<Occurrence<'_>>> = vec![Vec::new(); self.matchers.len()];
        needles.find(&text, |at| {
            if let Some(&(m, p)) = owners.get(at.pattern)
                && let Some(list) = found.get_mut(m)
            {
                list.push(at.as_pattern(p));
            }
        });
        self.matchers
            .iter()
            .zip(rejected)
            .zip(found)
            .map(|((m, rejected), list)| {
                rejected.unwrap_or_else(|| {
                    m.score_occurrences(notice, |each| {
                        for at in list {
                            each(at);
                        }
                    })
                })
            })
            .collect()
    }

    /// The best of every profile's relevance, naming all profiles that matched.
    fn best(mut results: Vec<Relevance>) -> Relevance {
        // Stable sort keeps profile order among equals.
        results.sort_by_key(|r| std::cmp::Reverse((r.matched, r.score)));
        let matched: Vec<String> = results
            .iter()
            .filter(|r| r.matched)
            .flat_map(|r| r.profiles.iter().cloned())
            .collect();
        let mut best = results.into_iter().next().unwrap_or_default();
        best.profiles = matched;
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: &str, terms: &str) -> Profile {
        let text = format!("name = \"{name}\"\nthreshold = 10\n[[include]]\nterms = [{terms}]\nweight = 10\n");
        Profile::parse(&text, "t.toml").expect("valid profile")
    }

    fn notice(title: &str) -> Notice {
        Notice::blank("t", "1", title)
    }

    fn set() -> MatcherSet {
        MatcherSet::new(&[
            profile("welfare", "\"trygghetsalarm\", \"sensor\""),
            profile("lab", "\"sentrifuge\", \"sensor\", \"analysator\""),
        ])
        .expect("compiles")
    }

    #[test]
    fn best_profile_wins_and_every_match_is_named() {
        let s = set();
        let r = s.evaluate(&notice("Sentrifuge og analysator med sensor"));
        assert_eq!((r.score, r.matched), (30, true));
        assert_eq!(r.profiles, ["lab", "welfare"]);
        let r = s.evaluate(&notice("Trygghetsalarmer"));
        assert_eq!(r.profiles, ["welfare"]);
        assert!(r.hits.iter().all(|h| h.rule == "trygghetsalarm"));
        let r = s.evaluate(&notice("Sensor"));
        assert_eq!(r.profiles, ["welfare", "lab"], "ties keep profile order");
        let r = s.evaluate(&notice("Renhold"));
        assert!(!r.matched && r.profiles.is_empty());
    }

    #[test]
    fn a_profile_whose_filter_fails_does_not_match_but_others_still_do() {
        let nordic = Profile::parse(
            "name = \"nordic\"\nthreshold = 10\n[filters]\ncountries = [\"NOR\"]\ndeadline_within = \"30d\"\n\
             [[include]]\nterm = \"sensor\"\nweight = 10\n",
            "n.toml",
        )
        .expect("valid");
        let s = MatcherSet::new(&[nordic, profile("lab", "\"sensor\"")]).expect("compiles");
        let now: Timestamp = "2026-05-01T00:00:00Z".parse().expect("ts");
        let mut n = notice("Sensor");
        n.country = Some("SE".into());
        let r = s.evaluate_at(&n, now);
        assert_eq!(r.profiles, ["lab"], "the Swedish notice fails only the Nordic filter");
        n.country = Some("NO".into());
        n.deadline = Some("2026-07-01T00:00:00Z".parse().expect("ts"));
        assert_eq!(s.evaluate_at(&n, now).profiles, ["lab"], "closes too late for nordic");
        assert_eq!(
            s.evaluate(&n).profiles,
            ["nordic", "lab"],
            "no clock: the window is not checked"
        );
        n.deadline = Some("2026-05-20T00:00:00Z".parse().expect("ts"));
        assert_eq!(s.evaluate_at(&n, now).profiles, ["nordic", "lab"]);
    }

    #[test]
    fn names_select_and_reject() {
        let s = set();
        assert_eq!(s.names(), ["welfare", "lab"]);
        assert_eq!(s.only("lab").map(|l| l.names().len()), Some(1));
        assert!(s.only("nope").is_none());
        assert!(MatcherSet::new(&[]).is_err());
        let twice = [profile("a", "\"x1\""), profile("a", "\"y1\"")];
        assert!(matches!(MatcherSet::new(&twice), Err(ProfileError::Unusable { .. })));
    }

    #[test]
    fn one_shared_walk_scores_as_each_profile_alone() {
        let profiles: Vec<Profile> = Profile::bundled_names()
            .into_iter()
            .map(|name| Profile::bundled_named(name).expect("bundled").expect("parses"))
            .collect();
        let set = MatcherSet::new(&profiles).expect("compiles");
        let alone: Vec<Matcher> = profiles.iter().map(|p| Matcher::new(p).expect("compiles")).collect();
        let notices = [
            (
                "Kjøp av MR2 og PCR-analysatorer",
                "Reagenser til klinisk kjemi. CE-merket.",
                "Helse Bergen HF",
                "38000000",
            ),
            ("Renhold", "", "Oslo kommune", "90910000"),
            ("Trygghetsalarmer", "legemidler", "", ""),
            ("", "", "", ""),
        ];
        for (title, description, buyer, cpv) in notices {
            let mut notice = Notice::blank("t", "1", title);
            notice.description = description.to_owned();
            notice.buyer = buyer.to_owned();
            notice.cpv = [cpv].into_iter().collect();
            let separately: Vec<Relevance> = alone.iter().map(|m| m.evaluate(&notice)).collect();
            assert_eq!(set.each(&notice, None), separately, "{title}");
            assert_eq!(set.evaluate(&notice), MatcherSet::best(separately), "{title}");
        }
    }
}

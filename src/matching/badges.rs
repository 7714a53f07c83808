//! Badges: regulatory requirements (MDR/IVDR, CE, ISO 13485, …) and innovation routes
//! (innovation partnership, PCP, market dialogue, …) mentioned in a notice's title or description.
//!
//! Badges do not change the score: they tell a supplier, before reading, what the buyer demands
//! and whether there is an early way in. One Aho-Corasick pass over the folded text finds them;
//! acronyms that are also ordinary words in some language ("Normen", "PCP", "DPS") must be
//! written in capitals as the pattern is.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::normalize::{Folded, fold_term, is_boundary_after, is_boundary_before, spelling_variants};
use crate::model::{Badge, Notice};

/// How each badge is written in notices (Norwegian, Swedish, Danish, English, German). Terms are
/// folded like profile terms; a term may be followed by inflections unless it is an acronym.
const TERMS: &[(Badge, &[&str])] = &[
    (
        Badge::MdrIvdr,
        &[
            "MDR",
            "IVDR",
            "2017/745",
            "2017/746",
            "medical device regulation",
            "medical devices regulation",
            "in vitro diagnostic regulation",
            "forordning om medisinsk utstyr",
            "medisinsk utstyrsforordning",
            "medizinprodukteverordnung",
        ],
    ),
    (
        Badge::CeMarking,
        &[
            "CE-merk",
            "CE merk",
            "CE-mærk",
            "CE-märk",
            "CE märk",
            "CE marking",
            "CE-marking",
            "CE mark",
            "CE-mark",
            "CE-kennzeichnung",
            "CE-godkj",
            "CE-sertifi",
            "CE-certifi",
        ],
    ),
    (Badge::Iso13485, &["13485", "iso13485"]),
    (Badge::Iec62304, &["62304", "iec62304"]),
    (Badge::Iso27001, &["27001", "iso27001"]),
    (
        Badge::Normen,
        &[
            "Normen",
            "norm for informasjonssikkerhet",
            "norm for informasjonstryggleik",
        ],
    ),
    (
        Badge::HelseId,
        &["HelseID", "Helse-ID", "norsk helsenett", "helsenettet", "NHN"],
    ),
    (Badge::FhirHl7, &["FHIR", "HL7", "SNOMED"]),
    (
        Badge::InnovationPartnership,
        &[
            "innovasjonspartnerskap",
            "innovationspartnerskap",
            "innovationspartnerskab",
            "innovation partnership",
            "innovationspartnerschaft",
        ],
    ),
    (
        Badge::PreCommercial,
        &[
            "førkommersiell",
            "förkommersiell",
            "førkommerciel",
            "pre-commercial",
            "precommercial",
            "vorkommerzielle",
            "PCP",
        ],
    ),
    (
        Badge::MarketDialogue,
        &[
            "markedsdialog",
            "marknadsdialog",
            "dialogkonferanse",
            "dialogkonferens",
            "dialogmøte",
            "leverandørdialog",
            "leverandørkonferanse",
            "market dialogue",
            "market engagement",
            "market consultation",
            "markedsundersøkelse",
            "request for information",
        ],
    ),
    (
        Badge::DynamicPurchasing,
        &[
            "dynamisk innkjøpsordning",
            "dynamisk innkjøpsordnig",
            "dynamiskt inköpssystem",
            "dynamisk indkøbssystem",
            "dynamic purchasing system",
            "dynamisches beschaffungssystem",
            "DPS",
        ],
    ),
    (
        Badge::PriorInformation,
        &[
            "veiledende kunngjøring",
            "rettledende kunngjøring",
            "prior information notice",
            "förhandsannons",
            "forhåndsmeddelelse",
            "vorinformation",
        ],
    ),
];

/// Terms that are other words when not written exactly so: "normen" (the norm), "dps", "pcp".
const CASE_SENSITIVE: [&str; 6] = ["MDR", "IVDR", "PCP", "DPS", "NHN", "Normen"];

/// One automaton pattern: the badge it signals and how strictly it must match.
#[derive(Debug, Clone)]
struct BadgePattern {
    badge: Badge,
    /// Needs a non-letter after it too: acronyms and bare numbers ("MDR", "13485").
    whole_word: bool,
    /// The term as written, for the terms in [`CASE_SENSITIVE`].
    exact: Option<&'static str>,
}

/// One folded automaton pattern for a badge, so the matcher can add badges to its own automaton
/// and find them in the same pass as the profile's terms.
#[derive(Debug, Clone)]
pub(crate) struct BadgeNeedle {
    /// Folded pattern text (one spelling variant).
    pub text: String,
    /// The badge it signals.
    pub badge: Badge,
    /// Needs a non-letter after it too.
    pub whole_word: bool,
    /// The original text must read exactly this (for [`CASE_SENSITIVE`] terms).
    pub exact: Option<&'static str>,
}

/// Every badge pattern: terms folded and expanded into Nordic spelling variants.
pub(crate) fn needles_of_badges() -> Vec<BadgeNeedle> {
    let mut needles = Vec::new();
    for (badge, terms) in TERMS {
        for term in *terms {
            let letters = || term.chars().filter(|c| c.is_alphabetic());
            let exact = CASE_SENSITIVE.contains(term).then_some(*term);
            // Acronyms and numbers must end a word; longer terms may be inflected ("CE-merket").
            let whole_word =
                exact.is_some() || letters().count() == 0 || term.chars().filter(|c| c.is_alphanumeric()).count() <= 4;
            for text in spelling_variants(&fold_term(term), !whole_word) {
                needles.push(BadgeNeedle {
                    text,
                    badge: *badge,
                    whole_word,
                    exact,
                });
            }
        }
    }
    needles
}

/// Adds what `notice`'s type signals to the badges found in its text, then sorts and
/// de-duplicates them.
pub(crate) fn finish(notice: &Notice, found: &mut Vec<Badge>) {
    // eForms "pin-…" and Doffin "PRIOR_INFORMATION…" types say so even when the text does not.
    if let Some(kind) = &notice.notice_type {
        let kind = kind.to_ascii_lowercase();
        if kind.starts_with("pin-") || kind.contains("prior_information") || kind.contains("prior-information") {
            found.push(Badge::PriorInformation);
        }
    }
    found.sort_unstable();
    found.dedup();
}

/// Compiled badge detector; build once with [`BadgeDetector::new`].
#[derive(Debug, Clone)]
pub struct BadgeDetector {
    automaton: Option<AhoCorasick>,
    patterns: Vec<BadgePattern>,
}

impl Default for BadgeDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl BadgeDetector {
    /// Compiles the built-in badge terms.
    ///
    /// The terms are constants covered by tests; if the automaton could not be built the detector
    /// finds nothing rather than failing the matcher.
    pub fn new() -> Self {
        let (mut needles, mut patterns) = (Vec::new(), Vec::new());
        for needle in needles_of_badges() {
            needles.push(needle.text);
            patterns.push(BadgePattern {
                badge: needle.badge,
                whole_word: needle.whole_word,
                exact: needle.exact,
            });
        }
        // A DFA: the scan runs over every title and description at ingest.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&needles)
            .ok();
        Self { automaton, patterns }
    }

    /// The badges `notice`'s title, description or notice type signals, in [`Badge`] order.
    pub fn detect(&self, notice: &Notice) -> Vec<Badge> {
        let mut found = Vec::new();
        for text in [&notice.title, &notice.description] {
            if !text.is_empty() {
                self.scan(&Folded::new(text), text, &mut found);
            }
        }
        finish(notice, &mut found);
        found
    }

    /// Adds every badge found in `text` (already folded as `folded`, which the matcher shares)
    /// to `out`.
    pub(crate) fn scan(&self, folded: &Folded, text: &str, out: &mut Vec<Badge>) {
        let Some(automaton) = &self.automaton else {
            return;
        };
        let haystack = folded.as_str();
        for m in automaton.find_overlapping_iter(haystack) {
            let Some(pattern) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            if !is_boundary_before(haystack, m.start()) || (pattern.whole_word && !is_boundary_after(haystack, m.end()))
            {
                continue;
            }
            if let Some(exact) = pattern.exact {
                // Capitalised acronyms must keep their case: "dps" or "normen" (the norm) are words.
                let original = folded
                    .original_span(m.start(), m.end())
                    .and_then(|(start, end)| text.get(start..end));
                if original != Some(exact) {
                    continue;
                }
            }
            out.push(pattern.badge);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BadgeKind;

    fn notice(title: &str, description: &str) -> Notice {
        Notice {
            description: description.into(),
            ..Notice::blank("test", "1", title)
        }
    }

    fn badges(title: &str, description: &str) -> Vec<Badge> {
        BadgeDetector::new().detect(&notice(title, description))
    }

    #[test]
    fn regulatory_badges() {
        let cases: [(&str, &[Badge]); 12] = [
            (
                "Utstyret skal være CE-merket etter MDR",
                &[Badge::MdrIvdr, Badge::CeMarking],
            ),
            ("Reagenser i henhold til IVDR (EU) 2017/746", &[Badge::MdrIvdr]),
            (
                "Leverandør skal være sertifisert etter ISO 13485:2016",
                &[Badge::Iso13485],
            ),
            ("Software developed to IEC 62304", &[Badge::Iec62304]),
            ("ISO/IEC 27001-sertifisering kreves", &[Badge::Iso27001]),
            ("Løsningen skal følge Normen", &[Badge::Normen]),
            ("Pålogging med HelseID via Norsk helsenett", &[Badge::HelseId]),
            ("Integrasjon med FHIR og HL7, koding i SNOMED CT", &[Badge::FhirHl7]),
            ("CE-märkt enligt MDR", &[Badge::MdrIvdr, Badge::CeMarking]),
            ("Denne normen gjelder ikke", &[]),
            ("Adresse: Mdr. gate 4, NHNX", &[]),
            ("Ordrenummer 1348512", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(badges(text, ""), want.to_vec(), "{text}");
            assert!(want.iter().all(|b| b.kind() == BadgeKind::Regulatory));
        }
    }

    #[test]
    fn innovation_route_badges() {
        let cases: [(&str, &[Badge]); 9] = [
            (
                "Innovasjonspartnerskap for digital hjemmeoppfølging",
                &[Badge::InnovationPartnership],
            ),
            ("Førkommersiell anskaffelse (PCP) av sensorer", &[Badge::PreCommercial]),
            ("Forkommersiell anskaffelse", &[Badge::PreCommercial]),
            ("Invitasjon til dialogkonferanse", &[Badge::MarketDialogue]),
            ("Markedsdialog – velferdsteknologi", &[Badge::MarketDialogue]),
            ("Dynamisk innkjøpsordning for hjelpemidler", &[Badge::DynamicPurchasing]),
            ("Veiledende kunngjøring: nytt EPJ", &[Badge::PriorInformation]),
            (
                "Dynamic Purchasing System (DPS) for telecare",
                &[Badge::DynamicPurchasing],
            ),
            ("Kjøp av pcp-rør og dps-kabel", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(badges("", text), want.to_vec(), "{text}");
            assert!(want.iter().all(|b| b.kind() == BadgeKind::Innovation));
        }
    }

    #[test]
    fn each_badge_once_in_order_and_from_notice_type() {
        let got = badges(
            "MDR og CE-merking",
            "Krav: MDR, ISO 13485. Dialogkonferanse og mer MDR.",
        );
        assert_eq!(
            got,
            [Badge::MdrIvdr, Badge::CeMarking, Badge::Iso13485, Badge::MarketDialogue]
        );
        let mut pin = notice("Nytt journalsystem", "");
        pin.notice_type = Some("pin-only".into());
        assert_eq!(BadgeDetector::new().detect(&pin), [Badge::PriorInformation]);
        assert!(badges("", "").is_empty());
    }

    #[test]
    fn every_badge_has_terms_and_a_label() {
        for badge in Badge::ALL {
            assert!(
                TERMS.iter().any(|(b, terms)| *b == badge && !terms.is_empty()),
                "{badge:?}"
            );
            assert!(!badge.label().is_empty());
        }
    }
}

//! The words the corpus is made of: the labelled real notices in `tests/fixtures/relevance-*.jsonl`
//! (titles, descriptions, buyers, CPV codes, languages) plus real Nordic buyer names.

use super::{DESCRIPTION_CHARS, Rng};
use crate::matching::eval::parse_jsonl;

const DEV_SET: &str = include_str!("../../tests/fixtures/relevance-dev.jsonl");
const HOLDOUT_SET: &str = include_str!("../../tests/fixtures/relevance-holdout.jsonl");

/// Buyers for rows that name none: real Norwegian and Nordic contracting authorities.
const BUYERS: [&str; 16] = [
    "Bærum kommune",
    "Helse Bergen HF",
    "Oslo universitetssykehus HF",
    "Sykehusinnkjøp HF",
    "Tromsø kommune",
    "Trondheim kommune",
    "Helse Stavanger HF",
    "Universitetssykehuset Nord-Norge HF",
    "Stavanger kommune",
    "Bergen kommune",
    "Norsk helsenett SF",
    "Region Skåne",
    "Region Stockholm",
    "Herøy kommune",
    "Statens vegvesen",
    "Kristiansand kommune",
];

/// One labelled real notice, reduced to what the generator draws from.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub title: String,
    pub description: String,
    pub buyer: String,
    pub cpv: Vec<String>,
    pub lang: &'static str,
    pub country: &'static str,
}

/// The rows split by label, and sentences for padding descriptions.
#[derive(Debug, Clone)]
pub(super) struct Vocabulary {
    relevant: Vec<Row>,
    other: Vec<Row>,
    /// Sentences of descriptions of non-relevant notices: generic procurement prose.
    filler: Vec<String>,
    /// Sentences of descriptions of relevant notices.
    health_filler: Vec<String>,
    /// Every buyer the rows name, plus [`BUYERS`].
    buyers: Vec<String>,
}

impl Vocabulary {
    /// Parses the embedded labelled sets.
    pub fn load() -> Result<Vocabulary, String> {
        let mut rows =
            parse_jsonl(DEV_SET).map_err(|e| format!("relevance-dev.jsonl line {}: {}", e.line, e.message))?;
        rows.extend(
            parse_jsonl(HOLDOUT_SET).map_err(|e| format!("relevance-holdout.jsonl line {}: {}", e.line, e.message))?,
        );
        let mut vocab = Vocabulary {
            relevant: Vec::new(),
            other: Vec::new(),
            filler: Vec::new(),
            health_filler: Vec::new(),
            buyers: BUYERS.iter().map(|b| (*b).to_owned()).collect(),
        };
        for labelled in rows {
            let sentences = sentences(&labelled.description);
            let row = Row {
                title: labelled.title.trim().to_owned(),
                description: labelled.description.trim().to_owned(),
                buyer: labelled.buyer.trim().to_owned(),
                cpv: labelled
                    .cpv
                    .iter()
                    .filter(|c| c.len() >= 8)
                    .map(|c| c[..8].to_owned())
                    .collect(),
                lang: language(&labelled.lang),
                country: country(labelled.country.as_deref().unwrap_or("NO")),
            };
            if !row.buyer.is_empty() && !vocab.buyers.contains(&row.buyer) {
                vocab.buyers.push(row.buyer.clone());
            }
            if labelled.relevant {
                vocab.health_filler.extend(sentences);
                vocab.relevant.push(row);
            } else {
                vocab.filler.extend(sentences);
                vocab.other.push(row);
            }
        }
        if vocab.relevant.is_empty() || vocab.other.is_empty() || vocab.filler.is_empty() {
            return Err("the labelled sets lack relevant rows, other rows or descriptions".to_owned());
        }
        if vocab.health_filler.is_empty() {
            vocab.health_filler = vocab.filler.clone();
        }
        Ok(vocab)
    }

    /// A row of the given label.
    pub fn row(&self, rng: &mut Rng, relevant: bool) -> &Row {
        rng.pick(if relevant { &self.relevant } else { &self.other })
    }

    /// The row's own description padded with sentences of same-label notices to about
    /// [`DESCRIPTION_CHARS`], cut at a word boundary.
    pub fn description(&self, rng: &mut Rng, row: &Row, relevant: bool) -> String {
        let pool = if relevant { &self.health_filler } else { &self.filler };
        let mut text = String::with_capacity(DESCRIPTION_CHARS + 200);
        text.push_str(&row.description);
        while text.len() < DESCRIPTION_CHARS {
            if !text.is_empty() {
                text.push(' ');
            }
            let sentence: &String = rng.pick(pool);
            text.push_str(sentence);
        }
        // Cut near the target at a space, on a char boundary, so lengths stay realistic.
        if text.len() > DESCRIPTION_CHARS + 80 {
            let mut cut = DESCRIPTION_CHARS + 80;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let at = text[..cut].rfind(' ').unwrap_or(cut);
            text.truncate(at);
        }
        text
    }

    /// The row's buyer half of the time, else any real buyer: the same tender text is bought by
    /// many buyers, and it keeps the corpus from being one buyer's notices over and over (which
    /// cross-source de-duplication would rightly merge).
    pub fn buyer(&self, rng: &mut Rng, row: &Row) -> String {
        if row.buyer.is_empty() || rng.chance(0.5) {
            rng.pick(&self.buyers).clone()
        } else {
            row.buyer.clone()
        }
    }
}

/// Sentences (ending in `.`), trimmed, long enough to read as prose.
fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(". ")
        .map(str::trim)
        .filter(|s| s.chars().count() >= 20)
        .map(str::to_owned)
        .collect()
}

/// The language code as a static string (unknown codes read as Norwegian Bokmål).
fn language(code: &str) -> &'static str {
    const KNOWN: [&str; 8] = ["nb", "nn", "en", "sv", "da", "fi", "es", "fr"];
    match code {
        "de" => "de",
        "nl" => "nl",
        other => KNOWN.into_iter().find(|k| *k == other).unwrap_or("nb"),
    }
}

/// The ISO 3166 alpha-2 code as a static string (unknown countries read as Norway).
fn country(code: &str) -> &'static str {
    const KNOWN: [&str; 10] = ["NO", "SE", "DK", "FI", "IS", "GB", "ES", "FR", "DE", "NL"];
    let upper = code.trim().to_ascii_uppercase();
    let upper = if upper == "UK" { "GB".to_owned() } else { upper };
    KNOWN.into_iter().find(|k| *k == upper).unwrap_or("NO")
}

/// ISO 3166 alpha-3 for a country [`country`] knows.
pub(super) fn alpha3(country: &str) -> &'static str {
    match country {
        "SE" => "SWE",
        "DK" => "DNK",
        "FI" => "FIN",
        "IS" => "ISL",
        "GB" => "GBR",
        "ES" => "ESP",
        "FR" => "FRA",
        "DE" => "DEU",
        "NL" => "NLD",
        _ => "NOR",
    }
}

/// The country's name in English, as TED's generated titles and OCDS addresses give it.
pub(super) fn country_name(country: &str) -> &'static str {
    match country {
        "SE" => "Sweden",
        "DK" => "Denmark",
        "FI" => "Finland",
        "IS" => "Iceland",
        "GB" => "United Kingdom",
        "ES" => "Spain",
        "FR" => "France",
        "DE" => "Germany",
        "NL" => "Netherlands",
        _ => "Norway",
    }
}

/// The currency buyers in `country` use.
pub(super) fn currency(country: &str) -> &'static str {
    match country {
        "SE" => "SEK",
        "DK" => "DKK",
        "IS" => "ISK",
        "GB" => "GBP",
        "NO" => "NOK",
        _ => "EUR",
    }
}

/// ISO 639-2 (TED's three-letter codes) for an ISO 639-1 code.
pub(super) fn lang3(lang: &str) -> &'static str {
    match lang {
        "en" => "eng",
        "sv" => "swe",
        "da" => "dan",
        "fi" => "fin",
        "es" => "spa",
        "fr" => "fra",
        "de" => "deu",
        "nl" => "nld",
        _ => "nor",
    }
}

/// The English label of a CPV division, as TED puts in its generated titles.
pub(super) fn cpv_label(cpv: Option<&String>) -> &'static str {
    match cpv.map(|c| c.get(..2).unwrap_or_default()) {
        Some("33") => "Medical equipments, pharmaceuticals and personal care products",
        Some("48") => "Software package and information systems",
        Some("72") => "IT services: consulting, software development, Internet and support",
        Some("85") => "Health and social work services",
        Some("45") => "Construction work",
        Some("79") => "Business services: law, marketing, consulting, recruitment, printing and security",
        Some("50") => "Repair and maintenance services",
        Some("30") => "Office and computing machinery, equipment and supplies",
        Some("34") => "Transport equipment and auxiliary products to transportation",
        Some("90") => "Sewage, refuse, cleaning and environmental services",
        _ => "Services",
    }
}

/// The 24 EU languages TED translates its generated titles and PDFs into.
pub(super) const EU_LANGUAGES: [&str; 24] = [
    "bul", "ces", "dan", "deu", "ell", "eng", "est", "fin", "fra", "gle", "hrv", "hun", "ita", "lav", "lit", "mlt",
    "nld", "pol", "por", "ron", "slk", "slv", "spa", "swe",
];

//! Profile filters: hard conditions on a notice's country, NUTS region, buyer, notice type, value,
//! deadline and language, checked before any term is scored.
//!
//! A filter only excludes a notice whose field is *known* and fails: most feeds leave the value,
//! and some the NUTS codes or languages, empty, and an unknown is not evidence against a notice.
//! Every code is validated when the profile is read, so a typo ("NRO") is a config error with
//! file:line:col rather than a filter that silently drops everything. Pure: the deadline window
//! is measured from a `now` the caller passes in.

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::normalize::fold_term;
use crate::model::{Field, Notice};

/// The optional `[filters]` table of a profile. An empty list or a missing bound means "any".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(try_from = "RawFilters")]
pub struct Filters {
    /// Buyer countries, ISO 3166 alpha-3 ("NOR"); alpha-2 ("NO") is accepted and converted.
    pub countries: Vec<String>,
    /// NUTS prefixes in upper case ("NO08" keeps NO081 and NO082).
    pub nuts: Vec<String>,
    /// Only these buyers: a name part (case- and accent-insensitive) or an organisation number.
    pub buyers: Vec<String>,
    /// Never these buyers, written like [`Filters::buyers`].
    pub exclude_buyers: Vec<String>,
    /// Notice types as the source writes them (`cn-standard`, `pin-only`, …), case-insensitive.
    pub notice_types: Vec<String>,
    /// Lowest estimated value, in the notice's own currency (no conversion).
    pub min_value: Option<f64>,
    /// Highest estimated value, in the notice's own currency.
    pub max_value: Option<f64>,
    /// The notice must still be open and close within this long from now.
    pub deadline_within: Option<SignedDuration>,
    /// Title languages, ISO 639-1 ("nb", "nn", "en"); 639-2 ("nob", "eng") is accepted.
    pub languages: Vec<String>,
}

/// Why a filter excluded a notice: the field it looked at and a sentence for the explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The notice field closest to the filter (the buyer filters say Buyer, the others Title).
    pub field: Field,
    /// E.g. "filter: country DEU not in NOR, SWE".
    pub reason: String,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Every filter `notice` fails, in the order of the fields above; empty when it passes.
    ///
    /// `now` anchors `deadline_within`; without it (no clock given) that filter is skipped.
    pub fn check(&self, notice: &Notice, now: Option<Timestamp>) -> Vec<Rejection> {
        let mut out = Vec::new();
        let mut reject = |field: Field, reason: String| {
            out.push(Rejection {
                field,
                reason: format!("filter: {reason}"),
            });
        };
        let country = notice
            .country
            .as_deref()
            .map(|c| country_alpha3(c).unwrap_or(c).to_uppercase());
        if let Some(country) = &country
            && !self.countries.is_empty()
            && !self.countries.contains(country)
        {
            reject(
                Field::Title,
                format!("country {country} not in {}", self.countries.join(", ")),
            );
        }
        if let Some(reason) = self.nuts_rejection(notice, country.as_deref()) {
            reject(Field::Title, reason);
        }
        if let Some(reason) = self.buyer_rejection(notice) {
            reject(Field::Buyer, reason);
        }
        if let Some(kind) = &notice.notice_type
            && !self.notice_types.is_empty()
            && !self.notice_types.iter().any(|t| t.eq_ignore_ascii_case(kind.trim()))
        {
            reject(
                Field::Title,
                format!("notice type {kind} not in {}", self.notice_types.join(", ")),
            );
        }
        if let Some(value) = notice.value {
            let currency = notice.currency.as_deref().unwrap_or("(no currency)");
            if let Some(min) = self.min_value.filter(|min| value < *min) {
                reject(Field::Title, format!("value {value} {currency} below min_value {min}"));
            }
            if let Some(max) = self.max_value.filter(|max| value > *max) {
                reject(Field::Title, format!("value {value} {currency} above max_value {max}"));
            }
        }
        if let (Some(window), Some(now), Some(deadline)) = (self.deadline_within, now, notice.deadline) {
            if deadline <= now {
                reject(Field::Title, format!("deadline {deadline} has passed"));
            } else if deadline.duration_since(now) > window {
                reject(
                    Field::Title,
                    format!("deadline {deadline} is more than {} away", days(window)),
                );
            }
        }
        if !self.languages.is_empty() && !notice.titles.is_empty() {
            let langs: Vec<&str> = notice.titles.keys().map(|l| language_639_1(l).unwrap_or(l)).collect();
            if !langs
                .iter()
                .any(|l| self.languages.iter().any(|want| same_language(l, want)))
            {
                reject(
                    Field::Title,
                    format!("languages {} not in {}", langs.join(", "), self.languages.join(", ")),
                );
            }
        }
        out
    }

    /// A NUTS filter keeps notices with a code under one of its prefixes; a notice without codes
    /// but with a country is judged by the prefixes' countries (the first two letters).
    fn nuts_rejection(&self, notice: &Notice, country: Option<&str>) -> Option<String> {
        if self.nuts.is_empty() {
            return None;
        }
        let wanted = self.nuts.join(", ");
        if !notice.nuts.is_empty() {
            let codes: Vec<String> = notice.nuts.iter().map(|c| c.trim().to_uppercase()).collect();
            let inside = codes
                .iter()
                .any(|c| self.nuts.iter().any(|p| c.starts_with(p.as_str())));
            return (!inside).then(|| format!("NUTS {} not under {wanted}", codes.join(", ")));
        }
        let country = country?;
        let inside = self
            .nuts
            .iter()
            .filter_map(|p| p.get(..2))
            .any(|nuts_country| country_alpha3(nuts_country) == Some(country));
        (!inside).then(|| format!("country {country} outside NUTS {wanted}"))
    }

    /// The include list must name the buyer; the exclude list must not.
    fn buyer_rejection(&self, notice: &Notice) -> Option<String> {
        if notice.buyer.trim().is_empty() && notice.buyer_id.is_none() {
            return None;
        }
        let name = fold_term(&notice.buyer);
        let id = notice.buyer_id.as_deref().map(alphanumeric);
        let names = |entry: &str| {
            let folded = fold_term(entry);
            name.contains(folded.trim())
                || id
                    .as_deref()
                    .is_some_and(|id| !id.is_empty() && id == alphanumeric(entry))
        };
        let shown = if notice.buyer.is_empty() {
            notice.buyer_id.as_deref().unwrap_or_default().to_owned()
        } else {
            notice.buyer.clone()
        };
        if !self.buyers.is_empty() && !self.buyers.iter().any(|b| names(b)) {
            return Some(format!("buyer {shown:?} not in buyers"));
        }
        self.exclude_buyers
            .iter()
            .find(|b| names(b))
            .map(|b| format!("buyer {shown:?} excluded (exclude_buyers {b:?})"))
    }
}

/// "60d" for a whole number of days, else hours.
fn days(window: SignedDuration) -> String {
    let hours = window.as_hours();
    if hours % 24 == 0 {
        format!("{}d", hours / 24)
    } else {
        format!("{hours}h")
    }
}

/// Letters and digits only, upper case: "983 974 724" and "983974724" are one organisation.
fn alphanumeric(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// ISO 3166 alpha-2 ↔ alpha-3 for the countries whose notices the feeds carry (EU/EEA, the UK,
/// Switzerland and candidate countries), plus the EU's own alpha-2 spellings EL and UK.
const COUNTRIES: [(&str, &str); 43] = [
    ("AT", "AUT"),
    ("BE", "BEL"),
    ("BG", "BGR"),
    ("HR", "HRV"),
    ("CY", "CYP"),
    ("CZ", "CZE"),
    ("DK", "DNK"),
    ("EE", "EST"),
    ("FI", "FIN"),
    ("FR", "FRA"),
    ("DE", "DEU"),
    ("GR", "GRC"),
    ("EL", "GRC"),
    ("HU", "HUN"),
    ("IE", "IRL"),
    ("IT", "ITA"),
    ("LV", "LVA"),
    ("LT", "LTU"),
    ("LU", "LUX"),
    ("MT", "MLT"),
    ("NL", "NLD"),
    ("PL", "POL"),
    ("PT", "PRT"),
    ("RO", "ROU"),
    ("SK", "SVK"),
    ("SI", "SVN"),
    ("ES", "ESP"),
    ("SE", "SWE"),
    ("IS", "ISL"),
    ("LI", "LIE"),
    ("NO", "NOR"),
    ("CH", "CHE"),
    ("GB", "GBR"),
    ("UK", "GBR"),
    ("AL", "ALB"),
    ("BA", "BIH"),
    ("ME", "MNE"),
    ("MK", "MKD"),
    ("RS", "SRB"),
    ("TR", "TUR"),
    ("UA", "UKR"),
    ("MD", "MDA"),
    ("GE", "GEO"),
];

/// The alpha-3 code of an alpha-2 or alpha-3 country code (any case), if it is a known one.
pub fn country_alpha3(code: &str) -> Option<&'static str> {
    let code = code.trim();
    COUNTRIES
        .iter()
        .find(|(two, three)| two.eq_ignore_ascii_case(code) || three.eq_ignore_ascii_case(code))
        .map(|(_, three)| *three)
}

/// ISO 639-1 codes with their 639-2 forms (terminology and bibliographic), for the languages
/// of European notices. "no" is Norwegian without saying which written standard.
const LANGUAGES: [(&str, &[&str]); 26] = [
    ("nb", &["nob"]),
    ("nn", &["nno"]),
    ("no", &["nor"]),
    ("en", &["eng"]),
    ("sv", &["swe"]),
    ("da", &["dan"]),
    ("de", &["deu", "ger"]),
    ("fi", &["fin"]),
    ("is", &["isl", "ice"]),
    ("fr", &["fra", "fre"]),
    ("es", &["spa"]),
    ("it", &["ita"]),
    ("nl", &["nld", "dut"]),
    ("pt", &["por"]),
    ("pl", &["pol"]),
    ("cs", &["ces", "cze"]),
    ("sk", &["slk", "slo"]),
    ("sl", &["slv"]),
    ("hr", &["hrv"]),
    ("hu", &["hun"]),
    ("ro", &["ron", "rum"]),
    ("bg", &["bul"]),
    ("el", &["ell", "gre"]),
    ("et", &["est"]),
    ("lv", &["lav"]),
    ("lt", &["lit"]),
];

/// The ISO 639-1 code of a 639-1 or 639-2 language code (any case), if it is a known one.
pub fn language_639_1(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|(one, three)| *one == code || three.contains(&code.as_str()))
        .map(|(one, _)| *one)
}

/// Whether a notice language satisfies a wanted one: "no" (Norwegian, standard unsaid) counts as
/// both bokmål and nynorsk, and a filter for "no" takes either.
fn same_language(have: &str, want: &str) -> bool {
    have == want || (have == "no" && matches!(want, "nb" | "nn")) || (want == "no" && matches!(have, "nb" | "nn"))
}

/// Parses "60d", "8w" or "48h" into a positive duration.
fn parse_window(text: &str) -> Result<SignedDuration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let hours_per = match unit.trim() {
        "h" => 1,
        "d" => 24,
        "w" => 24 * 7,
        _ => return Err(format!("{text:?} is not a window like \"60d\", \"8w\" or \"48h\"")),
    };
    match digits.parse::<i64>() {
        Ok(n) if n > 0 && n <= 3650 * 24 / hours_per => Ok(SignedDuration::from_hours(n * hours_per)),
        _ => Err(format!("{text:?}: the number must be between 1 and ten years")),
    }
}

/// A country code as written, validated and converted to alpha-3.
struct Country(String);

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        country_alpha3(&code).map(|c| Country(c.to_owned())).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown country code {code:?}; write e.g. \"NOR\" or \"NO\""))
        })
    }
}

/// A NUTS prefix: 2 letters then up to 3 letters or digits ("NO", "NO08", "NO081").
struct Nuts(String);

impl<'de> Deserialize<'de> for Nuts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        let upper = code.trim().to_uppercase();
        let valid = (2..=5).contains(&upper.len())
            && upper.bytes().take(2).all(|b| b.is_ascii_uppercase())
            && upper.bytes().skip(2).all(|b| b.is_ascii_alphanumeric())
            && upper.get(..2).and_then(country_alpha3).is_some();
        if valid {
            Ok(Nuts(upper))
        } else {
            Err(serde::de::Error::custom(format!(
                "{code:?} is not a NUTS code; write a country and up to 3 more characters, e.g. \"NO08\""
            )))
        }
    }
}

/// A language code, validated and converted to ISO 639-1.
struct Language(String);

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        language_639_1(&code).map(|l| Language(l.to_owned())).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown language code {code:?}; write e.g. \"nb\", \"nn\" or \"en\""
            ))
        })
    }
}

/// A deadline window, validated.
struct Window(SignedDuration);

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_window(&text).map(Window).map_err(serde::de::Error::custom)
    }
}

/// An amount: finite and not negative.
struct Amount(f64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(d)?;
        if value.is_finite() && value >= 0.0 {
            Ok(Amount(value))
        } else {
            Err(serde::de::Error::custom(format!(
                "{value} is not an amount (0 or more)"
            )))
        }
    }
}

/// A non-empty name or notice type.
struct Name(String);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            Err(serde::de::Error::custom("empty name"))
        } else {
            Ok(Name(text.trim().to_owned()))
        }
    }
}

/// The `[filters]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFilters {
    #[serde(default)]
    countries: Vec<Country>,
    #[serde(default)]
    nuts: Vec<Nuts>,
    #[serde(default)]
    buyers: Vec<Name>,
    #[serde(default)]
    exclude_buyers: Vec<Name>,
    #[serde(default)]
    notice_types: Vec<Name>,
    min_value: Option<Amount>,
    max_value: Option<Amount>,
    deadline_within: Option<Window>,
    #[serde(default)]
    languages: Vec<Language>,
}

impl TryFrom<RawFilters> for Filters {
    type Error = String;

    fn try_from(raw: RawFilters) -> Result<Self, String> {
        let min_value = raw.min_value.map(|a| a.0);
        let max_value = raw.max_value.map(|a| a.0);
        if let (Some(min), Some(max)) = (min_value, max_value)
            && min > max
        {
            return Err(format!("min_value {min} is above max_value {max}"));
        }
        // "NO" and "NOR" are one country once converted; list it once in messages.
        let dedup = |codes: Vec<String>| {
            let mut out: Vec<String> = Vec::with_capacity(codes.len());
            for code in codes {
                if !out.contains(&code) {
                    out.push(code);
                }
            }
            out
        };
        Ok(Filters {
            countries: dedup(raw.countries.into_iter().map(|c| c.0).collect()),
            nuts: dedup(raw.nuts.into_iter().map(|n| n.0).collect()),
            buyers: raw.buyers.into_iter().map(|n| n.0).collect(),
            exclude_buyers: raw.exclude_buyers.into_iter().map(|n| n.0).collect(),
            notice_types: raw.notice_types.into_iter().map(|n| n.0).collect(),
            min_value,
            max_value,
            deadline_within: raw.deadline_within.map(|w| w.0),
            languages: dedup(raw.languages.into_iter().map(|l| l.0).collect()),
        })
    }
}

#[cfg(test)]
#[path = "filter/tests.rs"]
mod tests;

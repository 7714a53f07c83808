//! Cross-source de-duplication: recognising one procedure published on two sources (a Norwegian
//! notice above the EEA threshold is on both Doffin and TED; a UK one on a national portal and in
//! OCDS), so that it is listed once, with both links and the reason they were merged.
//!
//! Two notices are one procedure when they come from different sources, have the same buyer (a
//! shared organisation number, or — when one of them has none — the same name once case, accents,
//! punctuation and legal forms such as "AS" or "HF" are dropped), titles at least
//! [`TITLE_THRESHOLD`] % alike (the best pair over every language variant), and deadlines, both
//! present, at most [`DEADLINE_TOLERANCE`] apart. Notices without a deadline (prior information,
//! award notices) are never merged: the deadline is what tells two "Rammeavtale …" of one buyer apart.
//!
//! Pure: depends on `model` and the text folding in `matching::normalize` only. [`DedupIndex`]
//! buckets notices by (buyer key, deadline day), so checking n notices against m is O(n + m), not
//! O(n·m). The store keeps the same buckets in SQLite (`store::duplicates`) and decides each fetch
//! there; the dashboard shows what it decided.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::matching::normalize::fold_char;
use crate::model::{Notice, NoticeId};

/// Titles at least this alike (percent, weighted Dice coefficient over title tokens) can be one procedure.
pub const TITLE_THRESHOLD: u8 = 60;

/// Deadlines further apart than this belong to different procedures (TED and Doffin sometimes
/// differ by the time zone the buyer typed, never by days).
pub const DEADLINE_TOLERANCE: SignedDuration = SignedDuration::from_hours(24);

/// Weight of a generic procurement word ("rammeavtale", "services") in the title similarity: it
/// counts a little, so "Rammeavtale" equals "Rammeavtale", but two different frameworks of one
/// buyer are not alike merely for being frameworks.
const GENERIC_WEIGHT: f64 = 0.25;

/// Legal-form and filler words dropped from buyer names (folded, see [`fold`]).
const LEGAL_FORMS: &[&str] = &[
    "as", "asa", "hf", "rhf", "iks", "ks", "sf", "kf", "fkf", "da", "ans", "ba", "sa", "ltd", "limited", "plc", "llp",
    "ab", "publ", "oy", "oyj", "aps", "gmbh", "ag", "sas", "bv", "nv", "inc", "llc", "the",
];

/// Function words that carry nothing in a title, Norwegian (bokmål and nynorsk) and English.
const STOP_WORDS: &[&str] = &[
    "og", "i", "til", "for", "av", "med", "pa", "om", "fra", "ved", "samt", "eller", "en", "et", "ei", "den", "det",
    "de", "som", "under", "mot", "the", "of", "and", "to", "in", "a", "an", "on", "with", "by", "or", "at", "from",
];

/// Words nearly every procurement title contains.
const GENERIC_WORDS: &[&str] = &[
    "rammeavtale",
    "rammeavtaler",
    "avtale",
    "anskaffelse",
    "anskaffelser",
    "anskaffing",
    "kjop",
    "innkjop",
    "levering",
    "leveranse",
    "leveranser",
    "tjeneste",
    "tjenester",
    "konkurranse",
    "kontrakt",
    "kontrakter",
    "delkontrakt",
    "framework",
    "agreement",
    "contract",
    "contracts",
    "procurement",
    "purchase",
    "supply",
    "supplies",
    "service",
    "services",
    "delivery",
    "tender",
    "anbud",
];

/// How two notices were found to have the same buyer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BuyerKey {
    /// The same organisation number (digits only).
    Org(String),
    /// The same name after normalisation (folded, legal forms and punctuation dropped).
    Name(String),
}

impl BuyerKey {
    /// The key as stored in an index table: `org:974123456` or `name:helse bergen`.
    pub fn index_text(&self) -> String {
        match self {
            Self::Org(digits) => format!("org:{digits}"),
            Self::Name(name) => format!("name:{name}"),
        }
    }
}

impl fmt::Display for BuyerKey {
    /// "org 974 123 456" (Norwegian organisation numbers in groups of three) or `name "helse bergen"`
    /// (the normalised key; [`MergeReason`] shows the name as written).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Org(digits) if digits.len() == 9 => {
                write!(f, "org {} {} {}", &digits[..3], &digits[3..6], &digits[6..])
            }
            Self::Org(digits) => write!(f, "org {digits}"),
            Self::Name(name) => write!(f, "name \"{name}\""),
        }
    }
}

/// The evidence for merging two notices: what [`same_procedure`] found, shown to the user and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeReason {
    /// The buyer identity the two share.
    pub buyer: BuyerKey,
    /// That buyer's name as the first notice writes it ("Herøy kommune"), for the words.
    pub buyer_name: String,
    /// How alike the titles are, in percent (best pair of language variants).
    pub title_percent: u8,
    /// The first notice's deadline.
    pub deadline: Timestamp,
    /// The second notice's deadline (equal to `deadline` in the usual case).
    pub other_deadline: Timestamp,
}

impl fmt::Display for MergeReason {
    /// "same buyer org 974 123 456, titles 87 % alike, same deadline 12 Dec 2026 11:00 UTC".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = |t: Timestamp| t.to_zoned(TimeZone::UTC).strftime("%-d %b %Y %H:%M").to_string();
        match &self.buyer {
            BuyerKey::Org(_) => write!(f, "same buyer {}", self.buyer)?,
            BuyerKey::Name(_) => write!(f, "same buyer \"{}\"", self.buyer_name)?,
        }
        write!(f, ", titles {} % alike, ", self.title_percent)?;
        if self.deadline == self.other_deadline {
            write!(f, "same deadline {} UTC", when(self.deadline))
        } else {
            write!(
                f,
                "deadlines {} and {} UTC (within a day)",
                when(self.deadline),
                when(self.other_deadline)
            )
        }
    }
}

/// The fields of a notice its buyer-level [`Fingerprint`] is made of.
#[derive(Debug, Clone, Copy)]
pub struct BuyerFields<'a> {
    /// The notice.
    pub id: &'a NoticeId,
    /// Its source kind.
    pub source: &'a str,
    /// Its buyer names, `"; "` between co-buyers.
    pub buyer: &'a str,
    /// Its buyer's organisation number(s), if any.
    pub buyer_id: Option<&'a str>,
    /// Its tender deadline.
    pub deadline: Option<Timestamp>,
}

/// What de-duplication needs of a notice, computed once: buyer keys, title token sets, deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    /// The notice.
    pub id: NoticeId,
    /// Its source kind.
    pub source: String,
    /// Organisation numbers from `buyer_id` (digits, 8–14 of them), in order.
    pub orgs: Vec<String>,
    /// Normalised names of each co-buyer.
    pub names: Vec<String>,
    /// The same names as the notice writes them, in the same order.
    pub written_names: Vec<String>,
    /// Token sets of every title variant (the preferred title, each language, and TED's generated
    /// titles without their "Country – CPV label –" prefix).
    pub titles: Vec<BTreeSet<String>>,
    /// The tender deadline.
    pub deadline: Option<Timestamp>,
    /// Where each of `orgs` is in it, and each of `names` in that: a candidate check costs the
    /// shorter list, not the longer one (a notice naming 150,000 co-buyers, checked against each
    /// of their other notices, cost the square of that; issue #12).
    org_at: HashMap<String, usize>,
    name_at: HashMap<String, usize>,
    /// The words of `names`, weighed as generic in the title similarity.
    buyer_words: HashSet<String>,
}

impl Fingerprint {
    /// Computes the fingerprint of `notice`.
    pub fn of(notice: &Notice) -> Self {
        let mut fingerprint = Self::of_buyer(notice);
        fingerprint.add_titles(notice);
        fingerprint
    }

    /// The fingerprint without the title token sets, which are the costly part and only needed
    /// when there is a candidate to compare with: enough to file the notice under its keys.
    pub fn of_buyer(notice: &Notice) -> Self {
        Self::of_buyer_fields(BuyerFields {
            id: &notice.id,
            source: &notice.source,
            buyer: &notice.buyer,
            buyer_id: notice.buyer_id.as_deref(),
            deadline: notice.deadline,
        })
    }

    /// [`Fingerprint::of_buyer`] from just the fields it reads, for a notice kept encoded (the
    /// store's staged rows) that would otherwise be decoded whole for them.
    pub fn of_buyer_fields(notice: BuyerFields<'_>) -> Self {
        let orgs = notice.buyer_id.map(org_numbers).unwrap_or_default();
        let (mut names, mut written_names): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let mut name_at = HashMap::new();
        for written in notice.buyer.split("; ") {
            let Some(name) = normalise_buyer_name(written) else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(at) = name_at.entry(name.clone()) {
                at.insert(names.len());
                names.push(name);
                written_names.push(written.trim().to_owned());
            }
        }
        let org_at = orgs.iter().enumerate().map(|(i, o)| (o.clone(), i)).collect();
        let buyer_words = names.iter().flat_map(|n| n.split(' ')).map(str::to_owned).collect();
        Self {
            id: notice.id.clone(),
            source: notice.source.to_owned(),
            orgs,
            names,
            written_names,
            titles: Vec::new(),
            deadline: notice.deadline,
            org_at,
            name_at,
            buyer_words,
        }
    }

    /// Fills [`Self::titles`] from `notice` (the notice this fingerprint was made of), once.
    pub fn add_titles(&mut self, notice: &Notice) {
        if !self.titles.is_empty() {
            return;
        }
        let titles = &mut self.titles;
        let mut seen = HashSet::new();
        let mut add = |text: &str| {
            let tokens = title_tokens(text);
            if !tokens.is_empty() && seen.insert(tokens.clone()) {
                titles.push(tokens);
            }
        };
        add(&notice.title);
        for text in notice.titles.values() {
            add(text);
            if let Some(stripped) = strip_generated_prefix(text) {
                add(stripped);
            }
        }
    }

    /// The buyer keys the notice is filed under: its organisation numbers, then its names.
    pub fn buyer_keys(&self) -> Vec<BuyerKey> {
        let orgs = self.orgs.iter().cloned().map(BuyerKey::Org);
        orgs.chain(self.names.iter().cloned().map(BuyerKey::Name)).collect()
    }

    /// The deadline as a day number (days since 1970-01-01, UTC): the index's second key.
    pub fn deadline_day(&self) -> Option<i64> {
        self.deadline.map(day_of)
    }

    /// Whether `self` and `other` are one procedure; the evidence if so. Order matters only for
    /// which deadline is named first.
    pub fn matches(&self, other: &Fingerprint) -> Option<MergeReason> {
        if self.source == other.source || self.id == other.id {
            return None;
        }
        let (deadline, other_deadline) = (self.deadline?, other.deadline?);
        if deadline.duration_since(other_deadline).abs() > DEADLINE_TOLERANCE {
            return None;
        }
        let buyer = self.same_buyer(other)?;
        let title_percent = self.title_percent(other);
        let buyer_name = match &buyer {
            BuyerKey::Name(key) => self.name_at.get(key).copied(),
            BuyerKey::Org(_) => None,
        }
        .or((!self.written_names.is_empty()).then_some(0))
        .and_then(|i| self.written_names.get(i).cloned())
        .unwrap_or_default();
        (title_percent >= TITLE_THRESHOLD).then_some(MergeReason {
            buyer,
            buyer_name,
            title_percent,
            deadline,
            other_deadline,
        })
    }

    /// A shared organisation number; when either notice has none, a shared normalised name. Two
    /// notices that both carry organisation numbers, none shared, are different buyers whatever
    /// their names say (a municipality's units share its name but not its number).
    fn same_buyer(&self, other: &Fingerprint) -> Option<BuyerKey> {
        if !self.orgs.is_empty() && !other.orgs.is_empty() {
            return first_shared((&self.orgs, &self.org_at), (&other.orgs, &other.org_at))
                .map(|o| BuyerKey::Org(o.to_owned()));
        }
        first_shared((&self.names, &self.name_at), (&other.names, &other.name_at)).map(|n| BuyerKey::Name(n.to_owned()))
    }

    /// The best similarity, in percent, over every pair of title variants. Words of either
    /// buyer's name count as generic: "Rammeavtale rørlegger Bergen kommune" and "Rammeavtale
    /// elektriker Bergen kommune" share the buyer, which is already established, not the purchase.
    pub fn title_percent(&self, other: &Fingerprint) -> u8 {
        let buyer_word = |t: &str| self.buyer_words.contains(t) || other.buyer_words.contains(t);
        let best = self
            .titles
            .iter()
            .flat_map(|a| other.titles.iter().map(|b| similarity(a, b, &buyer_word)))
            .fold(0.0_f64, f64::max);
        // In 0..=100 by construction, so the cast cannot truncate or wrap.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let percent = (best * 100.0).round().clamp(0.0, 100.0) as u8;
        percent
    }
}

/// The first of `mine` (a list and where each of its items is) that `theirs` also holds, found by
/// walking the shorter of the two lists.
fn first_shared<'a>(
    (mine, mine_at): (&'a [String], &HashMap<String, usize>),
    (theirs, theirs_at): (&[String], &HashMap<String, usize>),
) -> Option<&'a str> {
    let at = if mine.len() <= theirs.len() {
        mine.iter().position(|m| theirs_at.contains_key(m))
    } else {
        theirs.iter().filter_map(|t| mine_at.get(t).copied()).min()
    };
    at.and_then(|i| mine.get(i)).map(String::as_str)
}

/// Whether `a` and `b` are the same procedure on two sources, and why (see the module docs).
pub fn same_procedure(a: &Notice, b: &Notice) -> Option<MergeReason> {
    Fingerprint::of(a).matches(&Fingerprint::of(b))
}

/// Notices filed by (buyer key, deadline day) for finding a notice's twin without comparing it to
/// every other notice.
#[derive(Debug, Default)]
pub struct DedupIndex {
    entries: Vec<Fingerprint>,
    buckets: HashMap<(BuyerKey, i64), Vec<usize>>,
}

impl DedupIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Files a notice; one without a deadline can never match, so it is not filed.
    pub fn insert(&mut self, fingerprint: Fingerprint) {
        let Some(day) = fingerprint.deadline_day() else {
            return;
        };
        let slot = self.entries.len();
        for key in fingerprint.buyer_keys() {
            self.buckets.entry((key, day)).or_default().push(slot);
        }
        self.entries.push(fingerprint);
    }

    /// How many notices are filed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is filed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The filed notice that is the same procedure as `fingerprint`, with the most alike title
    /// (ties: the one filed first), and why. Deadlines a day apart fall on neighbouring days, so
    /// three buckets per buyer key are enough.
    pub fn find(&self, fingerprint: &Fingerprint) -> Option<(&Fingerprint, MergeReason)> {
        let day = fingerprint.deadline_day()?;
        let mut seen = HashSet::new();
        let mut best: Option<(usize, MergeReason)> = None;
        for key in fingerprint.buyer_keys() {
            for d in day - 1..=day + 1 {
                for &slot in self.buckets.get(&(key.clone(), d)).into_iter().flatten() {
                    if !seen.insert(slot) {
                        continue;
                    }
                    let Some(reason) = self.entries[slot].matches(fingerprint) else {
                        continue;
                    };
                    let better = match &best {
                        None => true,
                        Some((s, r)) => {
                            (reason.title_percent, std::cmp::Reverse(slot)) > (r.title_percent, std::cmp::Reverse(*s))
                        }
                    };
                    if better {
                        best = Some((slot, reason));
                    }
                }
            }
        }
        best.map(|(slot, reason)| (&self.entries[slot], reason))
    }
}

/// Days since 1970-01-01 in UTC.
pub fn day_of(t: Timestamp) -> i64 {
    t.as_second().div_euclid(86_400)
}

/// Organisation numbers in a `buyer_id` ("974 123 456", "NO974123456MVA", several separated by
/// `;`, `,` or `|`): the digits of each part, kept when there are 8 to 14 (Norwegian numbers have
/// 9; a local id like "ORG-0001" is no identity).
pub fn org_numbers(buyer_id: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for part in buyer_id.split([';', ',', '|']) {
        let digits: String = part.chars().filter(char::is_ascii_digit).collect();
        if (8..=14).contains(&digits.len()) && seen.insert(digits.clone()) {
            out.push(digits);
        }
    }
    out
}

/// A buyer name as a key: folded, punctuation dropped, legal forms ("AS", "HF", "Ltd") dropped;
/// `None` when nothing is left.
pub fn normalise_buyer_name(name: &str) -> Option<String> {
    let tokens: Vec<String> = tokens(name).filter(|t| !LEGAL_FORMS.contains(&t.as_str())).collect();
    (!tokens.is_empty()).then(|| tokens.join(" "))
}

/// A title's tokens: folded, without function words.
pub fn title_tokens(title: &str) -> BTreeSet<String> {
    tokens(title).filter(|t| !STOP_WORDS.contains(&t.as_str())).collect()
}

/// Weighted Dice coefficient of two token sets, in 0..=1: generic words and words `minor` picks
/// weigh `GENERIC_WEIGHT`. Titles that both carry numbers but not the same ones ("del 1", "del
/// 2") are different purchases however alike the rest is: 0.
pub fn similarity(a: &BTreeSet<String>, b: &BTreeSet<String>, minor: &impl Fn(&str) -> bool) -> f64 {
    let numbers = |s: &BTreeSet<String>| -> Vec<String> {
        s.iter()
            .filter(|t| t.chars().all(|c| c.is_ascii_digit()))
            .cloned()
            .collect()
    };
    let (na, nb) = (numbers(a), numbers(b));
    if !na.is_empty() && !nb.is_empty() && na != nb {
        return 0.0;
    }
    let weight = |t: &String| {
        if GENERIC_WORDS.contains(&t.as_str()) || minor(t) {
            GENERIC_WEIGHT
        } else {
            1.0
        }
    };
    let total: f64 = a.iter().map(weight).sum::<f64>() + b.iter().map(weight).sum::<f64>();
    if total == 0.0 {
        return 0.0;
    }
    let shared: f64 = a.intersection(b).map(weight).sum();
    2.0 * shared / total
}

/// The real title in TED's generated "Country – CPV label – real title", if `text` has that shape.
fn strip_generated_prefix(text: &str) -> Option<&str> {
    let mut parts = text.splitn(3, " \u{2013} ");
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(_), Some(rest)) if !rest.trim().is_empty() => Some(rest.trim()),
        _ => None,
    }
}

/// Lower-cased, accent-folded alphanumeric runs; æ, ø, å written as ae, o, a so that a feed that
/// lost its Nordic letters ("Sykehusinnkjop") still matches. Single letters are dropped.
fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| t.chars().count() > 1 || t.chars().all(|c| c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>()
        .into_iter()
}

/// Case- and accent-folds `text` (see [`fold_char`]), then spells the Nordic letters in ASCII.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase).filter_map(fold_char) {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push('a'),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
#[path = "dedup/tests.rs"]
mod tests;

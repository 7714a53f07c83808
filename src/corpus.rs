//! Synthetic tender notices at scale, for benchmarks and load tests: deterministic from a seed.
//!
//! Every notice is drawn from the vocabulary of real notices (the labelled fixtures in
//! `tests/fixtures/relevance-*.jsonl`: Norwegian, English, Swedish and other EU titles, their
//! buyers and CPV codes, with descriptions padded to about 600 characters from the same text), and
//! about [`RELEVANT_SHARE`] of them come from notices labelled health-tech relevant. Notice `i`
//! depends only on the seed and `i`, so pages can be generated in any order or in parallel.
//!
//! The renderers write each source's real wire format, in the shape of the recorded payloads in
//! `src/demo/fixtures`: TED Search API v3 pages chained by `iterationNextToken` ([`ted`]), Doffin
//! search pages ([`doffin`]), OCDS release packages with `links.next` ([`ocds`]) and RSS 2.0 feeds
//! ([`rss`]). [`serve`] writes them to a directory and serves that directory on 127.0.0.1 with
//! [`crate::demo::server::LoopbackServer`], so `anbud poll --once` can ingest them. Nothing here is
//! used by the dashboard itself.

pub mod dashboard;
pub mod doffin;
pub mod fill;
pub mod ocds;
pub mod rss;
pub mod serve;
pub mod ted;
mod vocab;

use jiff::{SignedDuration, Timestamp};

use self::vocab::Vocabulary;

/// The share of notices drawn from labelled health-tech-relevant notices.
pub const RELEVANT_SHARE: f64 = 0.07;

/// Descriptions are padded (from real text) to at least this many characters.
pub const DESCRIPTION_CHARS: usize = 600;

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 0x5EED_2026;

/// Which wire format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// TED Search API v3 search pages.
    Ted,
    /// Doffin public API v2 search pages.
    Doffin,
    /// OCDS release packages (Find a Tender style).
    Ocds,
    /// RSS 2.0 feeds.
    Rss,
}

impl Kind {
    /// Every kind, in a stable order.
    pub const ALL: [Kind; 4] = [Kind::Ted, Kind::Doffin, Kind::Ocds, Kind::Rss];

    /// The name used on the command line and as the directory name (`ted`, `doffin`, `ocds`, `rss`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ted => "ted",
            Kind::Doffin => "doffin",
            Kind::Ocds => "ocds",
            Kind::Rss => "rss",
        }
    }

    /// The kind named `name` (see [`Kind::name`]).
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Notices per page the real API allows at most (RSS: items per feed file written here).
    pub fn page_size(self) -> usize {
        match self {
            Kind::Ted => 250,
            Kind::Doffin => 100,
            Kind::Ocds => 100,
            Kind::Rss => 10_000,
        }
    }

    /// File name extension of a page.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Rss => "xml",
            _ => "json",
        }
    }
}

/// One generated notice, before it is written in a source's format.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthNotice {
    /// Position in the corpus (0-based); ids derive from it, so they are unique.
    pub index: u64,
    /// Title in the notice's own language.
    pub title: String,
    /// ISO 639-1 language of the title and description (`nb`, `en`, `sv`, …).
    pub lang: &'static str,
    /// About [`DESCRIPTION_CHARS`] characters of real procurement prose.
    pub description: String,
    /// Buyer name.
    pub buyer: String,
    /// Buyer organisation number (9 digits, Norwegian style).
    pub buyer_org: String,
    /// ISO 3166 alpha-2 country of the buyer.
    pub country: &'static str,
    /// CPV codes, 8 digits.
    pub cpv: Vec<String>,
    /// Publication instant.
    pub published: Timestamp,
    /// Tender deadline.
    pub deadline: Timestamp,
    /// Estimated value and its currency, when the buyer disclosed one.
    pub value: Option<(u64, &'static str)>,
    /// 0 = call for competition, 1 = award, 2 = prior information (each format names them its way).
    pub stage: u8,
    /// Whether the real notice it was drawn from is labelled health-tech relevant.
    pub relevant: bool,
}

impl SynthNotice {
    /// The source's serial number part of the id: `100000`‥`999999`, years counting down every
    /// 900,000 notices, so a million notices keep TED's `NNNNNN-YYYY` shape.
    pub fn serial(&self) -> (u64, u64) {
        (100_000 + self.index % 900_000, 2026 - self.index / 900_000)
    }
}

/// A deterministic notice generator.
#[derive(Debug, Clone)]
pub struct Corpus {
    seed: u64,
    /// Latest publication instant; notices are published in the 365 days before it.
    base: Timestamp,
    vocab: Vocabulary,
}

impl Corpus {
    /// A generator for `seed`, with notices published up to 2026-11-20.
    ///
    /// # Errors
    /// When the embedded vocabulary does not parse (a broken fixture file).
    pub fn new(seed: u64) -> Result<Corpus, String> {
        Ok(Corpus {
            seed,
            base: Timestamp::constant(1_795_132_800, 0), // 2026-11-20T00:00:00Z
            vocab: Vocabulary::load()?,
        })
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Notice number `index`; the same seed and index always give the same notice.
    pub fn notice(&self, index: u64) -> SynthNotice {
        let mut rng = Rng::new(self.seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        let relevant = rng.chance(RELEVANT_SHARE);
        let row = self.vocab.row(&mut rng, relevant);
        let mut title = row.title.clone();
        // Real portals repeat titles with lot or year suffixes; a few variants keep titles from
        // being exact repeats without inventing words.
        match rng.below(10) {
            0 => title.push_str(&format!(" – delkontrakt {}", 1 + rng.below(6))),
            1 => title.push_str(&format!(" {}", 2025 + rng.below(3))),
            _ => {}
        }
        let description = self.vocab.description(&mut rng, row, relevant);
        let buyer = self.vocab.buyer(&mut rng, row);
        let published = self.base - SignedDuration::from_secs(rng.below(365 * 86_400) as i64);
        let deadline = published + SignedDuration::from_hours(24 * (10 + rng.below(66) as i64));
        let currency = vocab::currency(row.country);
        let value = rng.chance(0.6).then(|| ((50 + rng.below(50_000)) * 10_000, currency));
        let stage = match rng.below(10) {
            0 => 1,
            1 => 2,
            _ => 0,
        };
        SynthNotice {
            index,
            title,
            lang: row.lang,
            description,
            buyer_org: format!("{}", 810_000_000 + rng.below(190_000_000)),
            buyer,
            country: row.country,
            cpv: row.cpv.clone(),
            published,
            deadline,
            value,
            stage,
            relevant,
        }
    }

    /// Notices `range.start .. range.end`.
    pub fn notices(&self, range: std::ops::Range<u64>) -> Vec<SynthNotice> {
        range.map(|i| self.notice(i)).collect()
    }

    /// Page `page` (1-based) of a `total`-notice corpus in `kind`'s format, `per_page` notices a
    /// page, with its link to the next page (none on the last). RSS ignores paging links: each RSS
    /// page is a feed of its own.
    pub fn page(&self, kind: Kind, total: u64, per_page: usize, page: u64) -> Vec<u8> {
        let per_page = per_page.max(1) as u64;
        let start = (page.saturating_sub(1)) * per_page;
        let end = (start + per_page).min(total);
        let notices = self.notices(start.min(end)..end);
        let next = (end < total).then_some(page + 1);
        match kind {
            Kind::Ted => ted::page(&notices, total, next),
            Kind::Doffin => doffin::page(&notices, total),
            Kind::Ocds => ocds::package(&notices, next),
            Kind::Rss => rss::feed(&notices, page),
        }
    }

    /// How many pages a `total`-notice corpus takes at `per_page`.
    pub fn page_count(total: u64, per_page: usize) -> u64 {
        total.div_ceil(per_page.max(1) as u64)
    }
}

/// A benchmark's size: `$var` if set to a number, else `full` under `cargo bench` (criterion gets
/// `--bench`) and `quick` otherwise, so `cargo test --all-targets`, which runs every bench once in
/// test mode, stays fast.
pub fn bench_size(var: &str, full: u64, quick: u64) -> u64 {
    if let Some(n) = std::env::var(var)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
    {
        return n;
    }
    let bench_mode = std::env::args().any(|a| a == "--bench") && !std::env::args().any(|a| a == "--test");
    if bench_mode { full } else { quick }
}

/// splitmix64: deterministic, fast, and no dependency; good enough to pick words.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// `text` with `& < > " '` escaped for XML and JSON-in-HTML contexts.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests;

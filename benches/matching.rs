//! Scoring and `/` filter throughput at scale (issue #4).
//!
//! The corpus is 100,000 deterministic synthetic notices: titles and ~600-char descriptions
//! drawn by a seeded splitmix64 from the words of the labelled real notices in
//! `tests/fixtures/relevance-*.jsonl` (Norwegian, English, Spanish, Swedish procurement text
//! with æ/ø/å), so the automaton sees realistic text and hit rates without a `rand` dependency.
//!
//! Run with `cargo bench --bench matching -- --sample-size 10 --warm-up-time 1 --measurement-time 3`.
//! `score/bundled_profile` reports notices/s (criterion's element throughput). The `/` filter is
//! timed by hand, as a user typing "røntg" over 100,000 titles (criterion cannot time a sequence
//! whose steps depend on each other): lines `keystroke ENGINE median … p95 …` compare the index
//! the list uses with nucleo-matcher on one and two threads. (The index before narrowing was
//! compared here too while it was replaced: 28.6 ms median against 11.8 ms, README "Performance".) Filter to it with `cargo bench --bench matching -- fuzzy`.

use std::hint::black_box;
use std::time::Instant;

use anbud::matching::eval::parse_jsonl;
use anbud::matching::search::FuzzyIndex;
use anbud::matching::{Matcher, Profile};
use anbud::model::Notice;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nucleo_matcher::Utf32String;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};

/// 100,000 under `cargo bench`, 2,000 under `cargo test` (`ANBUD_BENCH_NOTICES` overrides).
fn notices_wanted() -> usize {
    anbud::corpus::bench_size("ANBUD_BENCH_NOTICES", 100_000, 2_000) as usize
}
const SEED: u64 = 0x5EED_2026;
const DESCRIPTION_CHARS: usize = 600;
/// Rows the list shows at once: only these need highlight positions.
const VISIBLE_ROWS: usize = 60;
/// Times the typing of the query is repeated per engine.
const REPETITIONS: usize = 15;

/// Deterministic PRNG (splitmix64): good enough to pick words, no dependency.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// Titles and words of the labelled real notices.
fn vocabulary() -> (Vec<String>, Vec<String>) {
    let mut rows = parse_jsonl(include_str!("../tests/fixtures/relevance-dev.jsonl")).expect("dev set parses");
    rows.extend(parse_jsonl(include_str!("../tests/fixtures/relevance-holdout.jsonl")).expect("holdout parses"));
    let titles: Vec<String> = rows.iter().map(|r| r.title.clone()).collect();
    let words: Vec<String> = rows
        .iter()
        .flat_map(|r| r.title.split_whitespace().chain(r.description.split_whitespace()))
        .map(str::to_owned)
        .collect();
    (titles, words)
}

fn corpus() -> Vec<Notice> {
    let (titles, words) = vocabulary();
    let buyers = [
        "Bærum kommune",
        "Helse Bergen HF",
        "Tromsø kommune",
        "Sykehusinnkjøp HF",
        "Region Skåne",
    ];
    let mut rng = SplitMix64(SEED);
    (0..notices_wanted())
        .map(|i| {
            // A real title, sometimes with a few real words appended so titles are not all repeats.
            let mut title: String = rng.pick(&titles).clone();
            for _ in 0..(rng.next() % 4) {
                title.push(' ');
                title.push_str(rng.pick(&words).as_str());
            }
            let mut description = String::with_capacity(DESCRIPTION_CHARS + 40);
            while description.len() < DESCRIPTION_CHARS {
                description.push_str(rng.pick(&words).as_str());
                description.push(' ');
            }
            let native = format!("2026-{i:06}");
            Notice {
                description,
                buyer: (*rng.pick(&buyers)).to_owned(),
                country: Some("NO".into()),
                cpv: vec![format!("{:08}", 33_000_000 + rng.next() % 10_000_000)].into(),
                ..Notice::blank("bench", &native, &title)
            }
        })
        .collect()
}

fn score(c: &mut Criterion) {
    let notices = corpus();
    let matcher = Matcher::new(&Profile::bundled()).expect("bundled profile compiles");
    let matched = notices.iter().filter(|n| matcher.evaluate(n).matched).count();
    println!("corpus: {} notices, {matched} match the bundled profile", notices.len());
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(notices.len() as u64));
    group.bench_function("bundled_profile", |b| {
        b.iter(|| {
            notices
                .iter()
                .map(|n| matcher.evaluate(black_box(n)).score)
                .sum::<i32>()
        });
    });
    group.finish();
}

/// Times of one engine per keystroke, over every repetition.
struct Timings {
    name: &'static str,
    /// `per_key[k]`: milliseconds of keystroke `k + 1` in each repetition.
    per_key: Vec<Vec<f64>>,
}

impl Timings {
    fn new(name: &'static str, keys: usize) -> Self {
        Self {
            name,
            per_key: vec![Vec::new(); keys],
        }
    }

    fn report(&self) {
        let mut all: Vec<f64> = self.per_key.iter().flatten().copied().collect();
        let per_key: Vec<String> = self
            .per_key
            .iter()
            .map(|times| format!("{:.1}", percentile(&mut times.clone(), 50)))
            .collect();
        println!(
            "keystroke {:<22} median {:>6.1} ms  p95 {:>6.1} ms  | median per keystroke 1..{}: {}",
            self.name,
            percentile(&mut all, 50),
            percentile(&mut all, 95),
            self.per_key.len(),
            per_key.join(" / ")
        );
    }
}

/// The `p`-th percentile (nearest rank) of `values`.
fn percentile(values: &mut [f64], p: usize) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = (values.len() * p).div_ceil(100).max(1);
    values[rank - 1]
}

/// nucleo-matcher over pre-converted titles: score every title, sort best first, highlight the
/// visible rows; `threads` splits the titles as the index does.
fn nucleo_filter(haystacks: &[Utf32String], query: &str, threads: usize) -> Vec<(u32, usize, Vec<u32>)> {
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let score_part = |from: usize, part: &[Utf32String]| {
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let mut found: Vec<(u32, usize)> = part
            .iter()
            .enumerate()
            .filter_map(|(i, h)| pattern.score(h.slice(..), &mut matcher).map(|s| (s, from + i)))
            .collect();
        found.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found
    };
    let mut found = if threads > 1 {
        let middle = haystacks.len() / 2;
        let (left, right) = haystacks.split_at(middle);
        let (mut a, b) = std::thread::scope(|scope| {
            let other = scope.spawn(|| score_part(0, left));
            let mine = score_part(middle, right);
            (other.join().expect("scorer"), mine)
        });
        a.extend(b);
        a.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        a
    } else {
        score_part(0, haystacks)
    };
    let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
    found
        .drain(..)
        .enumerate()
        .map(|(rank, (score, i))| {
            let mut indices = Vec::new();
            if rank < VISIBLE_ROWS {
                pattern.indices(haystacks[i].slice(..), &mut matcher, &mut indices);
            }
            (score, i, indices)
        })
        .collect()
}

/// A user typing "røntg" into `/` over 100,000 titles, keystroke by keystroke, repeated; each
/// engine's time from keystroke to the full filtered, ordered list with the visible rows
/// highlighted. The engines take turns within each repetition, so they share the machine's noise.
fn fuzzy(_: &mut Criterion) {
    let notices = corpus();
    let titles: Vec<(usize, &str)> = notices.iter().map(|n| n.title.as_str()).enumerate().collect();
    let query = "røntg";
    let prefixes: Vec<String> = (1..=query.chars().count())
        .map(|len| query.chars().take(len).collect())
        .collect();
    let index = FuzzyIndex::new(titles.iter().copied());
    let haystacks: Vec<Utf32String> = titles.iter().map(|(_, t)| Utf32String::from(*t)).collect();
    for prefix in &prefixes {
        let ours = index.clone().filter(prefix, None, VISIBLE_ROWS).len();
        let nucleo = nucleo_filter(&haystacks, prefix, 1).len();
        println!("fuzzy {prefix:?}: {ours} titles (nucleo {nucleo}) of {}", titles.len());
    }
    let keys = prefixes.len();
    let mut engines = [
        Timings::new("index (narrowing)", keys),
        Timings::new("nucleo 1 thread", keys),
        Timings::new("nucleo 2 threads", keys),
    ];
    for _ in 0..REPETITIONS {
        // A fresh clone per repetition: the narrowing index starts from nothing, as after a
        // rebuild of the list.
        let typing = index.clone();
        for (engine, timings) in engines.iter_mut().enumerate() {
            for (key, prefix) in prefixes.iter().enumerate() {
                let started = Instant::now();
                let shown = match engine {
                    0 => typing.filter(black_box(prefix), None, VISIBLE_ROWS).len(),
                    1 => nucleo_filter(&haystacks, black_box(prefix), 1).len(),
                    _ => nucleo_filter(&haystacks, black_box(prefix), 2).len(),
                };
                timings.per_key[key].push(started.elapsed().as_secs_f64() * 1e3);
                black_box(shown);
            }
        }
    }
    for timings in &engines {
        timings.report();
    }
}

criterion_group!(benches, score, fuzzy);
criterion_main!(benches);

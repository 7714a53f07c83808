//! Scoring and `/` filter throughput at scale (issue #4).
//!
//! The corpus is 100,000 deterministic synthetic notices: titles and ~600-char descriptions
//! drawn by a seeded splitmix64 from the words of the labelled real notices in
//! `tests/fixtures/relevance-*.jsonl` (Norwegian, English, Spanish, Swedish procurement text
//! with æ/ø/å), so the automaton sees realistic text and hit rates without a `rand` dependency.
//!
//! Run with `cargo bench --bench matching -- --sample-size 10 --warm-up-time 1 --measurement-time 3`.
//! `score/bundled_profile` reports notices/s (criterion's element throughput); `fuzzy/*/N` is the
//! time of the N-th keystroke of "røntg" over 100,000 titles: `fuzzy_filter` (one-shot, folds
//! every title), `index_full` (titles folded once) and `index_narrowed` (rescans the previous hits).

use std::hint::black_box;

use anbud::matching::eval::parse_jsonl;
use anbud::matching::search::{FuzzyIndex, FuzzyMatch, fuzzy_filter};
use anbud::matching::{Matcher, Profile};
use anbud::model::Notice;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const NOTICES: usize = 100_000;
const SEED: u64 = 0x5EED_2026;
const DESCRIPTION_CHARS: usize = 600;
/// Rows the list shows at once: only these need highlight positions.
const VISIBLE_ROWS: usize = 60;

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
    (0..NOTICES)
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
                country: Some("NO".to_owned()),
                cpv: vec![format!("{:08}", 33_000_000 + rng.next() % 10_000_000)],
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
        })
    });
    group.finish();
}

fn fuzzy(c: &mut Criterion) {
    let notices = corpus();
    let titles: Vec<(usize, &str)> = notices.iter().map(|n| n.title.as_str()).enumerate().collect();
    let index = FuzzyIndex::new(titles.iter().copied());
    // A user typing "røntg", one keystroke at a time.
    let query = "røntg";
    let prefixes: Vec<String> = (1..=query.chars().count())
        .map(|len| query.chars().take(len).collect())
        .collect();
    let mut group = c.benchmark_group("fuzzy");
    let mut previous: Option<Vec<FuzzyMatch>> = None;
    for prefix in &prefixes {
        let len = prefix.chars().count();
        let hits = index.filter(prefix, None, VISIBLE_ROWS);
        println!("fuzzy {prefix:?}: {} of {} titles", hits.len(), titles.len());
        // The one-shot function the list calls today: folds all titles on every keystroke.
        group.bench_with_input(BenchmarkId::new("fuzzy_filter", len), prefix, |b, prefix| {
            b.iter(|| fuzzy_filter(black_box(prefix), titles.iter().copied()).len())
        });
        // Titles folded once; every keystroke scans all rows.
        group.bench_with_input(BenchmarkId::new("index_full", len), prefix, |b, prefix| {
            b.iter(|| index.filter(black_box(prefix), None, VISIBLE_ROWS).len())
        });
        // Titles folded once; each keystroke rescans only the previous keystroke's hits.
        let within = previous.take();
        group.bench_with_input(BenchmarkId::new("index_narrowed", len), prefix, |b, prefix| {
            b.iter(|| index.filter(black_box(prefix), within.as_deref(), VISIBLE_ROWS).len())
        });
        previous = Some(hits);
    }
    group.finish();
}

criterion_group!(benches, score, fuzzy);
criterion_main!(benches);

//! Ingest cost: parsing the recorded TED payloads and scoring notices with the bundled profile.
//! Run with `cargo bench --bench ingest`; `scripts/bench` prints the figures.

use std::hint::black_box;

use anbud::feeds::FeedAdapter;
use anbud::feeds::ted::{TedAdapter, TedSettings};
use anbud::matching::{Matcher, Profile};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const FIXTURES: [(&str, &[u8]); 3] = [
    (
        "eu-digital",
        include_bytes!("../src/demo/fixtures/ted/search-response-eu-digital-2026.json"),
    ),
    (
        "sweden-it",
        include_bytes!("../src/demo/fixtures/ted/search-response-sweden-it-2026.json"),
    ),
    (
        "opted",
        include_bytes!("../src/demo/fixtures/ted/search-response-opted-2024.json"),
    ),
];

fn parse(c: &mut Criterion) {
    let adapter = TedAdapter::new(TedSettings::default());
    let mut group = c.benchmark_group("ted_parse");
    for (name, body) in FIXTURES {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| adapter.parse(black_box(body)).expect("fixture parses"));
        });
    }
    group.finish();
}

fn score(c: &mut Criterion) {
    let adapter = TedAdapter::new(TedSettings::default());
    let notices: Vec<_> = FIXTURES
        .iter()
        .flat_map(|(_, body)| adapter.parse(body).expect("fixture parses").notices)
        .collect();
    let matcher = Matcher::new(&Profile::bundled()).expect("bundled profile compiles");
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(notices.len() as u64));
    group.bench_function("ted_fixtures_bundled_profile", |b| {
        b.iter(|| {
            notices
                .iter()
                .map(|n| matcher.evaluate(black_box(n)).score)
                .sum::<i32>()
        });
    });
    group.bench_function("compile_bundled_profile", |b| {
        b.iter(|| Matcher::new(black_box(&Profile::bundled())).expect("compiles"));
    });
    group.finish();
}

criterion_group!(benches, parse, score);
criterion_main!(benches);

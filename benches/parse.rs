//! Parse throughput per adapter and scoring throughput on generated notices (issue #7).
//!
//! `parse/*`: a generated page in each source's real format parsed by the real adapter (pages of
//! the API's maximum size: TED 250 notices, Doffin and OCDS 100, RSS 1,000 items); criterion reports
//! MB/s of response body. `score_generated/default_profiles`: 100,000 generated notices (~7 %
//! health-tech, ~600-char descriptions) scored with the default config's profiles on one core, as
//! `poll --once` scores them; criterion reports notices/s ("elem/s"). (`benches/matching.rs` scores
//! its own synthetic corpus with the bundled profile.) `parse_hostile/*` (issue #12): a 2 MB body
//! of each hostile pattern in `tests/common/hostile.rs` (tens of thousands of distinct buyers, CPV
//! or NUTS codes, a description of `&` or of `<script>`s, 150,000 nested elements, raw control
//! characters in JSON strings), parsed by the real adapter; the goal is >= 50 MB/s for each, so no
//! body can cost more than its size. Under `cargo test` everything is small.

use std::hint::black_box;

use anbud::corpus::{Corpus, DEFAULT_SEED, Kind, bench_size};
use anbud::feeds::FeedAdapter;
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings};
use anbud::feeds::ocds::{OcdsAdapter, OcdsSettings};
use anbud::feeds::syndication::{RssAdapter, RssSettings};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use anbud::matching::MatcherSet;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "../tests/common/hostile.rs"]
mod hostile;

fn parse(c: &mut Criterion) {
    let corpus = Corpus::new(DEFAULT_SEED).expect("vocabulary parses");
    let mut group = c.benchmark_group("parse");
    for kind in Kind::ALL {
        let full = match kind {
            Kind::Rss => 1000,
            other => other.page_size() as u64,
        };
        let per_page = bench_size("ANBUD_BENCH_PAGE", full, 20) as usize;
        let body = corpus.page(kind, per_page as u64, per_page, 1);
        let adapter: Box<dyn FeedAdapter> = match kind {
            Kind::Ted => Box::new(TedAdapter::new(TedSettings::default())),
            Kind::Doffin => Box::new(DoffinAdapter::new(DoffinSettings::default())),
            Kind::Ocds => Box::new(OcdsAdapter::new(OcdsSettings::default())),
            Kind::Rss => Box::new(RssAdapter::new(RssSettings::default())),
        };
        let parsed = adapter.parse(&body).expect("generated page parses").notices.len();
        assert_eq!(parsed, per_page, "{kind:?}: every generated notice parses");
        println!(
            "parse/{}: {per_page} notices, {} bytes a page ({} bytes a notice)",
            kind.name(),
            body.len(),
            body.len() / per_page.max(1)
        );
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(kind.name(), |b| {
            b.iter(|| adapter.parse(black_box(&body)).map(|p| p.notices.len()));
        });
    }
    group.finish();
}

fn parse_hostile(c: &mut Criterion) {
    let bytes = bench_size("ANBUD_BENCH_HOSTILE_BYTES", 2 << 20, 4096) as usize;
    let mut group = c.benchmark_group("parse_hostile");
    // A linear 2 MB parse takes tens of milliseconds: ten samples are plenty.
    group.sample_size(10);
    for pattern in hostile::all(bytes) {
        let adapter = hostile::adapter(pattern.kind);
        let body = pattern.body.into_bytes();
        let parsed = adapter.parse(&body).expect("hostile body parses").notices.len();
        assert!(parsed > 0, "{}: a notice parses", pattern.name);
        println!("parse_hostile/{}: {} bytes", pattern.name, body.len());
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(pattern.name, |b| {
            b.iter(|| adapter.parse(black_box(&body)).map(|p| p.notices.len()));
        });
    }
    group.finish();
}

fn score(c: &mut Criterion) {
    let corpus = Corpus::new(DEFAULT_SEED).expect("vocabulary parses");
    let notices = anbud::corpus::fill::parsed(
        &corpus,
        Kind::Doffin,
        0..bench_size("ANBUD_BENCH_NOTICES", 100_000, 2_000),
    )
    .expect("generated pages parse");
    let config = anbud::config::load(None).expect("bundled config loads");
    let set = MatcherSet::new(&config.profiles).expect("default profiles compile");
    let matched = notices.iter().filter(|n| set.evaluate(n).matched).count();
    println!("score_generated: {} notices, {matched} matched", notices.len());
    let mut group = c.benchmark_group("score_generated");
    group.sample_size(10);
    group.throughput(Throughput::Elements(notices.len() as u64));
    group.bench_function("default_profiles", |b| {
        b.iter(|| notices.iter().map(|n| set.evaluate(black_box(n)).score).sum::<i32>());
    });
    group.finish();
}

criterion_group!(benches, parse, parse_hostile, score);
criterion_main!(benches);

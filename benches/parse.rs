//! Parse throughput per adapter (issue #7): generated pages in each source's real format, parsed
//! by the real adapter. Criterion reports MB/s ("thrpt", bytes of response body).
//!
//! `cargo bench --bench parse` (pages of the API's maximum size: TED 250 notices, Doffin and OCDS
//! 100, RSS 1,000 items). Under `cargo test` the pages are small.

use std::hint::black_box;

use anbud::corpus::{Corpus, DEFAULT_SEED, Kind, bench_size};
use anbud::feeds::FeedAdapter;
use anbud::feeds::doffin::{DoffinAdapter, DoffinSettings};
use anbud::feeds::ocds::{OcdsAdapter, OcdsSettings};
use anbud::feeds::syndication::{RssAdapter, RssSettings};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
            b.iter(|| adapter.parse(black_box(&body)).map(|p| p.notices.len()))
        });
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);

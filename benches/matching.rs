//! Scoring and `/` filter throughput at scale (issue #4). Placeholder until the corpus generator lands.

use criterion::{Criterion, criterion_group, criterion_main};

fn placeholder(_c: &mut Criterion) {}

criterion_group!(benches, placeholder);
criterion_main!(benches);

//! The dashboard at scale (issue #7): start-up to the first frame, frame time while scrolling and
//! while typing a `/` filter, and the once-a-minute view refresh, on stores of generated notices.
//!
//! `cargo bench --bench dashboard` uses 100,000 notices; `ANBUD_BENCH_STARTUP=100000,1000000`
//! adds the start-up at a million (the store is built once, about a minute, and kept in
//! `target/bench-data/`). `ANBUD_BENCH_NOTICES=N` sets the size of the frame benches. Under
//! `cargo test` everything runs once on 2,000 notices. Resident memory is printed (`VmRSS`), but
//! the clean figure comes from `cargo run --release --example scale_probe -- startup`, a process of
//! its own.

use std::path::PathBuf;
use std::time::Duration;

use anbud::app::{Action, Msg, TextEdit, View};
use anbud::corpus::dashboard::{Dashboard, ensure_store, memory};
use anbud::corpus::{Corpus, DEFAULT_SEED, bench_size};
use anbud::matching::{MatcherSet, Profile};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};

/// A terminal of a common laptop size.
const WIDTH: u16 = 160;
const HEIGHT: u16 = 48;

fn store_for(notices: u64) -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data"));
    std::fs::create_dir_all(&dir).expect("bench data directory");
    let corpus = Corpus::new(DEFAULT_SEED).expect("vocabulary parses");
    let matcher = MatcherSet::new(&[Profile::bundled()]).expect("bundled profile compiles");
    ensure_store(&dir.join(format!("store-{notices}.db")), &corpus, notices, &matcher).expect("store builds")
}

fn startup_sizes() -> Vec<u64> {
    match std::env::var("ANBUD_BENCH_STARTUP") {
        Ok(list) => list
            .split(',')
            .filter_map(|n| n.trim().replace('_', "").parse().ok())
            .collect(),
        Err(_) => vec![bench_size("ANBUD_BENCH_NOTICES", 100_000, 2_000)],
    }
}

fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(10);
    for notices in startup_sizes() {
        let path = store_for(notices);
        let dashboard = Dashboard::open(&path, WIDTH, HEIGHT, Timestamp::now()).expect("opens");
        if let Some((rss, _)) = memory() {
            println!(
                "startup/{notices}: {} records, {} in the Inbox; process VmRSS {:.0} MB with one dashboard loaded",
                dashboard.state.count(View::All),
                dashboard.state.count(View::Inbox),
                rss as f64 / 1e6
            );
        }
        drop(dashboard);
        group.bench_with_input(BenchmarkId::from_parameter(notices), &path, |b, path| {
            b.iter(|| Dashboard::open_first(path, WIDTH, HEIGHT, Timestamp::now()).expect("opens"));
        });
    }
    group.finish();
}

fn frames(c: &mut Criterion) {
    let notices = bench_size("ANBUD_BENCH_NOTICES", 100_000, 2_000);
    let path = store_for(notices);
    let now = Timestamp::now();
    let mut dashboard = Dashboard::open(&path, WIDTH, HEIGHT, now).expect("opens");
    // The All tab holds every notice: the worst case for the list and the filter.
    dashboard.handle(Msg::ClickView(View::All)).expect("draws");
    let mut group = c.benchmark_group("frame");
    group.measurement_time(Duration::from_secs(5));
    group.bench_function(BenchmarkId::new("scroll", notices), |b| {
        b.iter(|| dashboard.handle(Msg::Action(Action::SelectNext)).expect("draws"));
    });
    // A user typing "røntgen" and deleting it again, one keystroke (and frame) per iteration.
    dashboard.handle(Msg::Action(Action::StartSearch)).expect("draws");
    let word: Vec<char> = "røntgen".chars().collect();
    let keys: Vec<TextEdit> = word
        .iter()
        .map(|&c| TextEdit::Insert(c))
        .chain(std::iter::repeat_n(TextEdit::Backspace, word.len()))
        .collect();
    let mut next = keys.iter().cycle();
    group.bench_function(BenchmarkId::new("filter_keystroke", notices), |b| {
        b.iter(|| {
            let key = *next.next().expect("cycle never ends");
            dashboard.handle(Msg::Edit(key)).expect("draws");
        });
    });
    // Scrolling a filtered list ("ct" keeps many rows).
    for c in ['c', 't'] {
        dashboard.handle(Msg::Edit(TextEdit::Insert(c))).expect("draws");
    }
    group.bench_function(BenchmarkId::new("scroll_filtered", notices), |b| {
        b.iter(|| dashboard.handle(Msg::Action(Action::SelectNext)).expect("draws"));
    });
    dashboard.handle(Msg::Edit(TextEdit::Cancel)).expect("draws");
    // The clock tick that crosses a minute re-derives every tab (`refresh_view` walks all records).
    let mut minute = 0;
    group.bench_function(BenchmarkId::new("minute_tick", notices), |b| {
        b.iter(|| {
            minute += 1;
            dashboard
                .handle(Msg::ClockTicked(now + SignedDuration::from_mins(minute)))
                .expect("draws");
        });
    });
    group.bench_function(BenchmarkId::new("cycle_sort", notices), |b| {
        b.iter(|| dashboard.handle(Msg::Action(Action::CycleSort)).expect("draws"));
    });
    group.finish();
}

criterion_group!(benches, startup, frames);
criterion_main!(benches);

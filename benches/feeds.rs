//! A full multi-page sync: a TED ITERATION run of 20 pages × 250 notices through the real
//! `HttpFetcher`, the TED adapter and `fetch_feed` against the loopback server. The notices are
//! clones of a recorded one with new publication numbers, so parsing cost is realistic.
//! Run with `cargo bench --bench feeds -- --sample-size 10`; criterion prints notices/s ("elem/s").

use std::sync::Arc;
use std::time::Duration;

use anbud::demo::TED_DEMO_PATH;
use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::poller::{FeedSpec, fetch_feed};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;

const PAGES: usize = 20;
const PER_PAGE: usize = 250;
const FIXTURE: &[u8] = include_bytes!("../src/demo/fixtures/ted/search-response-eu-digital-2026.json");

/// Page `n` (0-based) as TED would send it mid-iteration, with its token for page `n + 1`.
fn page(template: &Value, n: usize) -> Vec<u8> {
    let notices: Vec<Value> = (0..PER_PAGE)
        .map(|i| {
            let mut notice = template.clone();
            notice["publication-number"] = Value::String(format!("{:06}-2026", 100_000 + n * PER_PAGE + i));
            notice
        })
        .collect();
    let next = (n + 1 < PAGES).then(|| format!("page-{}", n + 1));
    serde_json::json!({
        "notices": notices,
        "totalNoticeCount": PAGES * PER_PAGE,
        "iterationNextToken": next,
        "timedOut": false,
    })
    .to_string()
    .into_bytes()
}

fn sync(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        eprintln!("no tokio runtime; skipping");
        return;
    };
    let Some(template) = serde_json::from_slice::<Value>(FIXTURE)
        .ok()
        .and_then(|root| root["notices"].get(0).cloned())
    else {
        eprintln!("fixture has no notice; skipping");
        return;
    };
    let pages: Arc<Vec<Vec<u8>>> = Arc::new((0..PAGES).map(|n| page(&template, n)).collect());
    let route = Route::new("POST", TED_DEMO_PATH, move |req| {
        let token = req
            .body_json()
            .and_then(|b| b["iterationNextToken"].as_str().map(str::to_owned));
        let n = token
            .and_then(|t| t.strip_prefix("page-").and_then(|n| n.parse::<usize>().ok()))
            .unwrap_or(0);
        match pages.get(n) {
            Some(body) => CannedResponse::json(200, body.clone()),
            None => CannedResponse::json(400, r#"{"type":"EXPIRED_ITERATION_TOKEN"}"#),
        }
    });
    let Ok(server) = runtime.block_on(LoopbackServer::start(vec![route])) else {
        eprintln!("cannot bind the loopback server; skipping");
        return;
    };
    let Ok(fetcher) = HttpFetcher::new(HttpSettings::default()) else {
        return;
    };
    let spec = FeedSpec {
        name: "TED".into(),
        adapter: Arc::new(TedAdapter::new(TedSettings {
            base_url: server.base_url(),
            page_size: PER_PAGE as u32,
            ..TedSettings::default()
        })),
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(86_400),
        max_pages: PAGES + 1,
        state: Default::default(),
    };
    let since = jiff::Timestamp::UNIX_EPOCH;
    // One run outside the measurement proves the sync is complete, so the figure means something.
    match runtime.block_on(fetch_feed(&fetcher, &spec, since)) {
        Ok(notices) if notices.len() == PAGES * PER_PAGE => {}
        other => {
            eprintln!("sync incomplete: {:?}", other.map(|n| n.len()));
            return;
        }
    }
    let mut group = c.benchmark_group("ted_sync");
    group.throughput(Throughput::Elements((PAGES * PER_PAGE) as u64));
    group.bench_function("20x250_loopback", |b| {
        b.iter(|| runtime.block_on(fetch_feed(&fetcher, &spec, since)).map(|n| n.len()));
    });
    group.finish();
}

criterion_group!(benches, sync);
criterion_main!(benches);

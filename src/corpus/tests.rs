use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::demo::server::LoopbackServer;
use crate::feeds::FeedAdapter;
use crate::feeds::doffin::{DoffinAdapter, DoffinSettings};
use crate::feeds::http::{HttpFetcher, HttpSettings};
use crate::feeds::ocds::{OcdsAdapter, OcdsSettings};
use crate::feeds::poller::{FeedSpec, fetch_feed};
use crate::feeds::syndication::{RssAdapter, RssSettings};
use crate::feeds::ted::{TedAdapter, TedSettings};
use crate::model::FeedState;

fn corpus(seed: u64) -> Corpus {
    Corpus::new(seed).unwrap()
}

#[test]
fn same_seed_same_pages_other_seed_other_pages() {
    let (a, b, c) = (corpus(7), corpus(7), corpus(8));
    for kind in Kind::ALL {
        let page = a.page(kind, 300, 50, 2);
        assert_eq!(page, b.page(kind, 300, 50, 2), "{kind:?}");
        assert_ne!(page, c.page(kind, 300, 50, 2), "{kind:?}");
    }
    // A notice depends on its index only, not on the page it lands on.
    assert_eq!(a.notices(10..20)[5], a.notice(15));
}

#[test]
fn notices_look_like_real_ones() {
    let c = corpus(DEFAULT_SEED);
    let notices = c.notices(0..2000);
    let relevant = notices.iter().filter(|n| n.relevant).count() as f64 / notices.len() as f64;
    assert!((0.04..=0.11).contains(&relevant), "relevant share {relevant}");
    let mean_description =
        notices.iter().map(|n| n.description.chars().count()).sum::<usize>() as f64 / notices.len() as f64;
    assert!(
        (500.0..=720.0).contains(&mean_description),
        "mean description {mean_description}"
    );
    assert!(notices.iter().all(|n| n.deadline > n.published && !n.title.is_empty()));
    assert!(notices.iter().any(|n| n.lang == "nb") && notices.iter().any(|n| n.lang == "en"));
    let titles: std::collections::HashSet<&str> = notices.iter().map(|n| n.title.as_str()).collect();
    assert!(titles.len() > 300, "only {} distinct titles", titles.len());
}

/// Pages of `kind` 1..=pages parsed with `adapter`, following each page's own cursor.
fn parse_all(adapter: &dyn FeedAdapter, kind: Kind, total: u64, per_page: usize) -> Vec<crate::model::Notice> {
    let c = corpus(3);
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for n in 1..=Corpus::page_count(total, per_page) {
        let body = c.page(kind, total, per_page, n);
        let page = adapter.parse_response(cursor.as_deref(), &body).unwrap();
        out.extend(page.notices);
        cursor = page.next;
        if kind != Kind::Rss && kind != Kind::Doffin {
            assert_eq!(
                cursor.is_some(),
                n < Corpus::page_count(total, per_page),
                "{kind:?} page {n}"
            );
        }
    }
    out
}

#[test]
fn ted_pages_parse_and_chain() {
    let adapter = TedAdapter::new(TedSettings::default());
    let notices = parse_all(&adapter, Kind::Ted, 120, 50);
    assert_eq!(notices.len(), 120);
    let first = &notices[0];
    let synth = corpus(3).notice(0);
    assert_eq!(first.title, synth.title);
    assert_eq!(first.buyer, synth.buyer);
    assert!(
        first.cpv.iter().eq(synth.cpv.iter().map(String::as_str)),
        "{:?} {:?}",
        first.cpv,
        synth.cpv
    );
    assert!(first.deadline.is_some() && first.published.is_some());
    assert!(first.description.len() >= DESCRIPTION_CHARS / 2);
}

#[test]
fn doffin_pages_parse() {
    let adapter = DoffinAdapter::new(DoffinSettings {
        page_size: 50,
        ..DoffinSettings::default()
    });
    let notices = parse_all(&adapter, Kind::Doffin, 120, 50);
    assert_eq!(notices.len(), 120);
    assert_eq!(notices[3].title, corpus(3).notice(3).title);
    assert!(notices.iter().all(|n| n.deadline.is_some()));
}

#[test]
fn ocds_packages_parse_and_link() {
    let adapter = OcdsAdapter::new(OcdsSettings::default());
    let notices = parse_all(&adapter, Kind::Ocds, 120, 50);
    assert_eq!(notices.len(), 120);
    assert_eq!(notices[7].buyer, corpus(3).notice(7).buyer);
    assert!(notices.iter().all(|n| n.deadline.is_some() && n.published.is_some()));
}

#[test]
fn rss_feeds_parse() {
    let adapter = RssAdapter::new(RssSettings::default());
    let notices = parse_all(&adapter, Kind::Rss, 120, 50);
    assert_eq!(notices.len(), 120);
    let synth = corpus(3).notice(9);
    assert_eq!(notices[9].title, synth.title);
    assert_eq!(notices[9].buyer, synth.buyer);
    assert!(notices[9].description.starts_with(&synth.description[..40]));
}

#[test]
fn served_pages_sync_through_the_real_poller() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let c = corpus(5);
    let (total, per_page) = (230, 50);
    let pages: Vec<Vec<u8>> = (1..=Corpus::page_count(total, per_page))
        .map(|n| c.page(Kind::Ted, total, per_page, n))
        .collect();
    let server = runtime
        .block_on(LoopbackServer::start(serve::routes(
            Kind::Ted,
            serve::Pages::Memory(Arc::new(pages)),
        )))
        .unwrap();
    let spec = FeedSpec {
        name: "TED".into(),
        adapter: Arc::new(TedAdapter::new(TedSettings {
            base_url: server.base_url(),
            ..TedSettings::default()
        })),
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(86_400),
        max_pages: 10,
        state: FeedState::default(),
    };
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let notices = runtime
        .block_on(fetch_feed(&fetcher, &spec, jiff::Timestamp::UNIX_EPOCH))
        .unwrap();
    assert_eq!(notices.len(), total as usize);
    assert_eq!(server.requests().len(), 5);
}

#[test]
fn directory_round_trip_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(11);
    let manifest = serve::write_dir(&c, Kind::Ocds, 130, 50, dir.path()).unwrap();
    assert_eq!(serve::read_manifest(dir.path(), Kind::Ocds), Some(manifest));
    assert_eq!(manifest.pages, 3);
    let pages = serve::Pages::Dir(dir.path().to_path_buf(), Kind::Ocds, manifest.pages);
    assert_eq!(pages.get(2), Some(c.page(Kind::Ocds, 130, 50, 2)));
    assert_eq!(pages.get(4), None);
    let toml = serve::config_toml("http://127.0.0.1:9", &[(Kind::Ocds, manifest)]);
    let config = crate::config::parse_str(&toml, "corpus.toml").unwrap();
    assert_eq!(config.feeds.len(), 1);
    assert_eq!(config.feeds[0].max_pages, 4);
    assert!(!config.feeds[0].awards, "the corpus holds no awards to search");
}

#[test]
fn filled_notices_come_from_every_format_and_a_few_match() {
    let matcher = crate::matching::MatcherSet::new(&[crate::matching::Profile::bundled()]).unwrap();
    let scored = fill::scored(&corpus(1), 0..2000, &matcher).unwrap();
    assert_eq!(scored.len(), 2000);
    let sources: std::collections::HashSet<&str> = scored.iter().map(|(n, _)| n.source.as_str()).collect();
    assert_eq!(sources.len(), 4, "{sources:?}");
    let matched = scored.iter().filter(|(_, r)| r.matched).count() as f64 / scored.len() as f64;
    println!("matched share {matched}");
    assert!((0.02..=0.2).contains(&matched), "matched share {matched}");
}

#[test]
fn a_written_corpus_polls_through_its_generated_config() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus(13);
    let served: Vec<(Kind, serve::Manifest)> = [(Kind::Ted, 260), (Kind::Ocds, 120), (Kind::Rss, 30)]
        .into_iter()
        .map(|(kind, n)| (kind, serve::write_dir(&c, kind, n, 100, dir.path()).unwrap()))
        .collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let routes = served
        .iter()
        .flat_map(|(kind, m)| serve::routes(*kind, serve::Pages::Dir(dir.path().to_path_buf(), *kind, m.pages)))
        .collect();
    let server = runtime.block_on(LoopbackServer::start(routes)).unwrap();
    let config = crate::config::parse_str(&serve::config_toml(&server.base_url(), &served), "corpus.toml").unwrap();
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let mut fetched = Vec::new();
    for spec in crate::runtime::feed_specs(&config) {
        fetched.push(
            runtime
                .block_on(fetch_feed(&fetcher, &spec, jiff::Timestamp::UNIX_EPOCH))
                .unwrap()
                .len(),
        );
    }
    assert_eq!(fetched, [260, 120, 30]);
}

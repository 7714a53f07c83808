//! `anbud demo`: the ordinary dashboard polling bundled real payloads from a server on 127.0.0.1.

use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};

use crate::config::{Config, FeedConfig, FeedSettings};
use crate::demo::server::LoopbackServer;
use crate::{demo, runtime};

/// The demo's feeds, all pointing at one loopback server: TED, Doffin, Find a Tender and Contracts
/// Finder (OCDS) and a municipal RSS feed.
pub fn demo_feeds(base_url: &str) -> Vec<FeedConfig> {
    let ted = FeedConfig::with(
        "TED",
        base_url,
        FeedSettings::Ted {
            path: None,
            countries: vec!["NOR".to_owned(), "SWE".to_owned()],
        },
    );
    // Any key passes the demo server's key check (it answers 401 without one, like Doffin's gateway).
    let doffin = FeedConfig::with(
        "Doffin",
        &format!("{base_url}/public/v2"),
        FeedSettings::Doffin {
            api_key_env: None,
            api_key: Some("demo".to_owned()),
        },
    );
    let fts = FeedConfig::with(
        "Find a Tender",
        base_url,
        FeedSettings::Ocds {
            path: None,
            source: Some("fts".to_owned()),
            notice_url: Some("https://www.find-tender.service.gov.uk/Notice/{id}".to_owned()),
        },
    );
    // Contracts Finder: notice pages come from the releases' documents (no URL template).
    let mut cf = FeedConfig::with(
        "Contracts Finder",
        base_url,
        FeedSettings::Ocds {
            path: Some(demo::CF_DEMO_PATH.to_owned()),
            source: Some("cf".to_owned()),
            notice_url: None,
        },
    );
    cf.page_size = 100;
    let rss = FeedConfig::with(
        "Kommune RSS",
        &format!("{base_url}{}", demo::RSS_DEMO_PATH),
        FeedSettings::Rss {
            source: Some("rss".to_owned()),
        },
    );
    vec![ted, doffin, fts, cf, rss]
}

/// Starts the server and runs the dashboard until the user quits.
///
/// # Errors
/// When the server, the database or the terminal cannot start.
pub async fn run(mut config: Config, db: Option<&Path>) -> Result<()> {
    // A throwaway database unless --db is given, so the demo never mixes with real triage.
    let scratch = tempfile::tempdir().wrap_err("cannot create a temporary directory for the demo database")?;
    let path = db.map_or_else(|| scratch.path().join("demo.db"), Path::to_path_buf);
    let mut store = super::commands::open_store(Some(&path))?;
    // The dates move towards the day this database was made, so a later session on the same
    // --db sees the same notices, closer to their deadlines, not all of them changed.
    let today = demo::DemoDay::of(jiff::Timestamp::now()).date();
    let day = store.demo_day(today).wrap_err("cannot write to the database")?;
    let server = LoopbackServer::start(demo::demo_routes_on(Some(demo::DemoDay::on(day))))
        .await
        .wrap_err("cannot start the demo server on 127.0.0.1")?;
    config.feeds = demo_feeds(&server.base_url());
    // Recorded award notices, so the Market screen (m) has something to show offline.
    demo::awards::seed(&mut store, jiff::Timestamp::now())
        .map_err(|e| color_eyre::eyre::eyre!("cannot store the demo's award notices: {e}"))?;
    // A new database has nothing to re-score: the first polls score with these profiles.
    store
        .adopt_profiles_if_empty(&crate::matching::set::fingerprint(&config.profiles))
        .wrap_err("cannot write to the database")?;
    runtime::dashboard(&config, store).await
}

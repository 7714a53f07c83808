//! `anbud poll --once` (the real binary, a temp database and config) never loses notices: a poll
//! capped by `max_pages` is continued by the next run, and an RSS item edited in place (same date,
//! new content) is read again and flagged changed.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use anbud::demo;
use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::store::{StatusFilter, Store};

use crate::common;

use common::cli::{anbud, run, text};

const TED_PATH: &str = "/v3/notices/search";

/// Runs `anbud poll --once` on the blocking pool, so the loopback server keeps serving meanwhile.
async fn poll_once(config: &std::path::Path, db: &std::path::Path) -> String {
    let mut cmd = anbud();
    cmd.arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db)
        .args(["poll", "--once"]);
    let out = tokio::task::spawn_blocking(move || run(&mut cmd)).await.expect("join");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    stdout
}

fn stored_ids(db: &std::path::Path) -> HashSet<String> {
    Store::open(db)
        .expect("open")
        .records(StatusFilter::All)
        .expect("read")
        .into_iter()
        .map(|r| r.notice.id.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn three_capped_runs_store_every_page() {
    // The whole feed first, with no cap: the notices the capped runs must end up with.
    let server = LoopbackServer::start(demo::ted_demo_routes(TED_PATH))
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let uncapped = dir.path().join("uncapped.toml");
    let feed = format!(
        "[[feeds]]\nname = \"TED\"\nkind = \"ted\"\nbase_url = \"{}\"\ncountries = [\"NOR\"]\n",
        server.base_url()
    );
    std::fs::write(&uncapped, &feed).expect("write config");
    let all_db = dir.path().join("all.db");
    poll_once(&uncapped, &all_db).await;
    let everything = stored_ids(&all_db);
    assert_eq!(everything.len(), 16, "three demo pages, one repeat");

    let capped = dir.path().join("capped.toml");
    std::fs::write(&capped, format!("{feed}max_pages = 1\n")).expect("write config");
    let db = dir.path().join("capped.db");
    let mut seen = Vec::new();
    for _ in 0..3 {
        poll_once(&capped, &db).await;
        seen.push(stored_ids(&db).len());
    }
    assert_eq!(
        stored_ids(&db),
        everything,
        "after three runs of one page each: {seen:?}"
    );
    // The high-water mark moved only once the window was read: before that a restart must
    // continue the window, not start after it.
    let state = Store::open(&db)
        .expect("open")
        .feed_state("TED")
        .expect("state")
        .expect("saved");
    assert!(state.high_water.is_some(), "{state:?}");
    assert!(state.resume.is_none(), "{state:?}");
    // Each run read one page: page 1, then the stored cursors for pages 2 and 3. Only the first
    // run of a window searched awards too (the uncapped run did as well).
    let requests = server.requests();
    let is_award_search = |r: &&anbud::demo::server::RecordedRequest| common::is_award_search(r);
    assert_eq!(
        requests.iter().filter(is_award_search).count(),
        2,
        "one award search per window"
    );
    let tokens: Vec<Option<String>> = requests
        .iter()
        .filter(|r| !is_award_search(r))
        .skip(3)
        .map(|r| {
            r.body_json()
                .and_then(|b| b.get("iterationNextToken").and_then(|t| t.as_str()).map(str::to_owned))
        })
        .collect();
    assert_eq!(
        tokens,
        [
            None,
            Some(demo::TED_DEMO_TOKEN_PAGE_2.to_owned()),
            Some(demo::TED_DEMO_TOKEN_PAGE_3.to_owned())
        ]
    );
}

/// One RSS item whose title and description are whatever `content` holds, published three days
/// ago: older than the day of overlap a later poll re-reads, inside the lookback.
fn rss_route(content: Arc<Mutex<(String, String)>>, published: String) -> Route {
    Route::new("GET", "/rss", move |_| {
        let (title, description) = content.lock().expect("lock").clone();
        let body = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Bergen</title>\
             <item><guid>https://bergen.example/t/1</guid><title>{title}</title>\
             <link>https://bergen.example/t/1</link><description>{description}</description>\
             <pubDate>{published}</pubDate></item></channel></rss>"
        );
        // A changed feed gets a new ETag, as servers do.
        let etag = format!("\"{}\"", title.len() + description.len());
        CannedResponse::new(200, body).with_header("etag", &etag)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn an_rss_item_edited_in_place_is_flagged_changed() {
    let content = Arc::new(Mutex::new((
        "Trygghetsalarmer".to_owned(),
        "Levering av trygghetsalarmer".to_owned(),
    )));
    let three_days_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(72);
    let published = three_days_ago.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string();
    let server = LoopbackServer::start(vec![rss_route(Arc::clone(&content), published)])
        .await
        .expect("server");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "lookback_days = 14\n\n[[feeds]]\nname = \"Bergen\"\nkind = \"rss\"\nbase_url = \"{}/rss\"\n",
            server.base_url()
        ),
    )
    .expect("write config");
    let db = dir.path().join("anbud.db");
    let first = poll_once(&config, &db).await;
    assert!(first.contains("Bergen: 1 new"), "{first}");

    *content.lock().expect("lock") = (
        "Trygghetsalarmer, endret frist".to_owned(),
        "Levering av trygghetsalarmer og responssenter".to_owned(),
    );
    let second = poll_once(&config, &db).await;
    assert!(second.contains("Bergen: 0 new, 1 updated"), "{second}");

    let records = Store::open(&db)
        .expect("open")
        .records(StatusFilter::All)
        .expect("read");
    assert_eq!(records.len(), 1);
    let fields: Vec<&str> = records[0].changes().iter().map(|c| c.field.as_str()).collect();
    assert_eq!(
        fields,
        ["title", "description"],
        "unseen changes, as the Changed tab shows them"
    );
    assert_eq!(records[0].notice.title, "Trygghetsalarmer, endret frist");
    let raw = rusqlite::Connection::open(&db).expect("raw connection");
    let logged: Vec<String> = raw
        .prepare("SELECT field FROM changes ORDER BY id")
        .expect("prepare")
        .query_map([], |row| row.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(logged, ["title", "description"], "the change log has the edit");
}

//! Team mode at scale (issue 13): N generated notices upserted into a fresh PostgreSQL database,
//! then a dashboard's first screen and its full list read back. Run under `scripts/with-pg`:
//!
//! ```text
//! scripts/with-pg cargo run --release --features corpus --example team_scale -- 100000
//! ```
//!
//! Prints `key value` lines: the upsert of each 20,000-notice poll, the first screen
//! (`team::open`: the best 2,000 notices, threads, unseen changes, history) and the full list.

use std::time::Instant;

use anbud::config::database::{Database, Storage};
use anbud::corpus::{Corpus, fill};
use anbud::matching::{MatcherSet, Profile};
use anbud::store::postgres::{self, team};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args().nth(1).map_or(Ok(100_000), |a| a.parse())?;
    let owner = std::env::var("ANBUD_TEST_PG").map_err(|_| "run under scripts/with-pg (ANBUD_TEST_PG is unset)")?;
    let base = owner.rsplit_once('/').ok_or("ANBUD_TEST_PG has no database")?.0;
    let db = database(&format!("{base}/postgres"))?;
    let admin = postgres::connect(&db).await?;
    admin
        .batch_execute("DROP DATABASE IF EXISTS team_scale WITH (FORCE)")
        .await?;
    admin.batch_execute("CREATE DATABASE team_scale").await?;
    let db = database(&format!("{base}/team_scale"))?;
    let mut client = postgres::connect(&db).await?;
    postgres::migrate(&mut client).await?;
    let corpus = Corpus::new(7)?;
    let matcher = MatcherSet::new(&[Profile::bundled()])?;
    let state = anbud::model::FeedState::default();
    for start in (0..n).step_by(20_000) {
        let items = fill::scored(&corpus, start..(start + 20_000).min(n), &matcher)?;
        let began = Instant::now();
        postgres::save_fetch(&mut client, "corpus", &items, &state, jiff::Timestamp::now()).await?;
        println!("upsert_20k_s {:.3}", began.elapsed().as_secs_f64());
    }
    client.batch_execute("VACUUM ANALYZE notices").await?;
    for _ in 0..3 {
        let began = Instant::now();
        let opened = team::open(&db).await?;
        println!(
            "first_screen_ms {:.1} ({} records)",
            began.elapsed().as_secs_f64() * 1000.0,
            opened.records.len()
        );
    }
    for _ in 0..3 {
        let began = Instant::now();
        let fresh = postgres::connect(&db).await?;
        let connected = began.elapsed();
        postgres::schema::check(&fresh).await?;
        let mark = team::listen::notice_mark(&fresh).await?;
        let history = team::load::history(&fresh, 500).await?;
        println!(
            "connect_ms {:.1} then check+mark+history_ms {:.1} ({mark:?}, {} undo)",
            connected.as_secs_f64() * 1000.0,
            began.elapsed().saturating_sub(connected).as_secs_f64() * 1000.0,
            history.undo.len()
        );
    }
    for _ in 0..3 {
        let began = Instant::now();
        let best = team::load::records(
            &client,
            Some(2_000),
            team::load::Descriptions::LeaveOnServer,
            &jiff::tz::TimeZone::UTC,
        )
        .await?;
        println!(
            "best_2000_query_ms {:.1} ({} records)",
            began.elapsed().as_secs_f64() * 1000.0,
            best.len()
        );
    }
    let plan = client
        .query(
            "EXPLAIN ANALYZE SELECT n.id, n.notice, n.relevance FROM notices n LEFT JOIN triage t ON t.notice_id = n.id
             ORDER BY n.score DESC, n.id LIMIT 2000",
            &[],
        )
        .await?;
    for row in plan {
        println!("plan {}", row.get::<_, String>(0));
    }
    let began = Instant::now();
    let all = team::load::records(
        &client,
        None,
        team::load::Descriptions::LeaveOnServer,
        &jiff::tz::TimeZone::UTC,
    )
    .await?;
    println!(
        "full_list_s {:.3} ({} records)",
        began.elapsed().as_secs_f64(),
        all.len()
    );
    Ok(())
}

fn database(url: &str) -> Result<Database, Box<dyn std::error::Error>> {
    let config = anbud::config::parse_str(&format!("[database]\nurl = \"{url}\"\n"), "team_scale")?;
    match config.database.storage(None)? {
        Storage::Postgres(db) => Ok(*db),
        Storage::Sqlite(_) => Err("not a PostgreSQL URL".into()),
    }
}

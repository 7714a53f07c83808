//! A poll saved page by page through the staging table (`Store::stage`, `commit_staged`): it
//! decides and writes exactly what one `save_fetch` of the same notices would, takes no lock on the
//! database while pages arrive, and a poll discarded before its commit writes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;
use std::time::Duration;

use anbud::model::{FeedState, Notice, Relevance};
use anbud::store::Store;
use jiff::Timestamp;
use rusqlite::Connection;

use super::common::Dice;

fn at(s: &str) -> Timestamp {
    s.parse().expect("timestamp")
}

fn scored(notice: Notice, score: i32) -> (Notice, Relevance) {
    let relevance = Relevance {
        score,
        matched: score >= 3,
        ..Relevance::default()
    };
    (notice, relevance)
}

/// A notice of `source` with a buyer and a deadline (a fraction of a second in it, which the
/// `notices` columns drop and the duplicate check does not).
fn notice(source: &str, id: &str, title: &str, buyer: &str, deadline: &str) -> Notice {
    Notice {
        titles: [("und".to_owned(), title.to_owned())].into(),
        buyer: buyer.to_owned(),
        buyer_id: (source == "doffin").then(|| "964 978 840".into()),
        deadline: Some(at(deadline)),
        published: Some(at("2026-11-20T08:00:00.25Z")),
        description: format!("Beskrivelse av {title}"),
        url: format!("https://example.org/{source}/{id}"),
        ..Notice::blank(source, id, title)
    }
}

/// What is stored before the poll: a Doffin notice (the twin of a TED one in the poll) and a
/// TED notice the poll brings again with a moved deadline.
fn before() -> Vec<(Notice, Relevance)> {
    vec![
        scored(
            notice(
                "doffin",
                "2026-101",
                "Trygghetsalarmer til hjemmetjenesten",
                "Oslo kommune",
                "2027-01-15T10:00:00Z",
            ),
            9,
        ),
        scored(
            notice(
                "ted",
                "500-2026",
                "Pasientvarsling",
                "Bergen kommune",
                "2027-02-01T12:00:00Z",
            ),
            6,
        ),
    ]
}

/// The poll, as pages: a twin, a changed notice, an unchanged one, an unmatched new one.
fn poll() -> Vec<Vec<(Notice, Relevance)>> {
    vec![
        vec![
            scored(
                notice(
                    "ted",
                    "700-2026",
                    "Trygghetsalarmer til hjemmetjenesten",
                    "Oslo kommune",
                    "2027-01-15T10:00:00.5Z",
                ),
                9,
            ),
            scored(
                notice(
                    "ted",
                    "500-2026",
                    "Pasientvarsling",
                    "Bergen kommune",
                    "2027-02-08T12:00:00Z",
                ),
                6,
            ),
        ],
        vec![scored(
            notice(
                "ted",
                "701-2026",
                "Snøbrøyting",
                "Tromsø kommune",
                "2027-03-01T09:00:00Z",
            ),
            0,
        )],
    ]
}

fn state() -> FeedState {
    FeedState {
        high_water: Some(at("2026-11-22T10:00:00Z")),
        last_success: Some(at("2026-11-22T10:00:00Z")),
        ..FeedState::default()
    }
}

fn seeded(path: &Path) -> Store {
    seeded_with(path, &before(), DAY_BEFORE)
}

/// When the stored notices were saved: the day before the poll, or earlier the same day (then
/// an unchanged row is not written again: `last_seen` is kept to the day).
const DAY_BEFORE: &str = "2026-11-21T10:00:00Z";
const SAME_DAY: &str = "2026-11-22T08:00:00Z";

fn seeded_with(path: &Path, stored: &[(Notice, Relevance)], seeded_at: &str) -> Store {
    let mut store = Store::open(path).expect("open");
    store.upsert_notices(stored, at(seeded_at)).expect("seed");
    store
}

/// Every row of the tables a poll writes, as text, in a stable order.
fn tables(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).expect("raw");
    let mut out = Vec::new();
    for (table, order) in [
        ("notices", "id"),
        ("dedup_keys", "notice_id, buyer_key, day"),
        ("duplicates", "notice_id"),
        ("changes", "notice_id, field"),
        ("feed_state", "feed"),
    ] {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .expect("select");
        let columns = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..columns)
                    .map(|i| format!("{:?}", r.get_ref(i).expect("cell")))
                    .collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .expect("rows");
        out.extend(rows.map(|r| r.expect("row")));
    }
    out
}

#[test]
fn a_poll_staged_page_by_page_is_saved_as_one_save_of_it_would_be() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (whole, paged) = (dir.path().join("whole.sqlite"), dir.path().join("paged.sqlite"));
    let now = at("2026-11-22T10:00:00Z");

    let items: Vec<_> = poll().into_iter().flatten().collect();
    let expected = seeded(&whole).save_fetch("TED", &items, &state(), now).expect("save");

    let mut store = seeded(&paged);
    let [first, last]: [Vec<_>; 2] = poll().try_into().expect("two pages");
    store.stage("TED", &first).expect("stage");
    // Another feed's staging is its own.
    store.stage("Doffin", &before()).expect("stage another feed");
    // The last page is saved from memory, after the staged ones.
    let decided = store.commit_staged("TED", &last, &state(), now).expect("commit");

    assert_eq!(decided.arrivals, expected.arrivals);
    assert_eq!(decided.summary, expected.summary);
    assert_eq!(
        (decided.summary.new, decided.summary.updated, decided.summary.unchanged),
        (2, 1, 0)
    );
    assert!(
        matches!(&decided.arrivals[0], anbud::store::Arrival::Duplicate { primary, .. } if primary.as_str() == "doffin:2026-101"),
        "{:?}",
        decided.arrivals
    );
    assert!(
        matches!(&decided.arrivals[1], anbud::store::Arrival::Known { unseen: Some(changes) } if !changes.is_empty()),
        "{:?}",
        decided.arrivals
    );
    drop(store);
    assert_eq!(tables(&paged), tables(&whole));
}

#[test]
fn staging_takes_no_lock_on_the_database_and_a_discarded_poll_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("anbud.sqlite");
    let mut store = seeded(&path);
    let notices_before = tables(&path);
    let [first, second]: [Vec<_>; 2] = poll().try_into().expect("two pages");
    store.stage("TED", &first).expect("stage");

    // Between two pages (while the next is fetched), another connection writes at once: no
    // poll holds the write lock, so it does not even wait.
    let other = Connection::open(&path).expect("other connection");
    other.busy_timeout(Duration::ZERO).expect("no waiting");
    other
        .execute_batch("BEGIN IMMEDIATE; UPDATE notices SET score = score WHERE id = 'ted:500-2026'; COMMIT;")
        .expect("a write while a poll is staged");
    store.stage("TED", &second).expect("stage the next page");
    assert_eq!(tables(&path), notices_before, "staged pages are not in the database");

    // The poll failed on a later page: nothing of it is written, and a later poll starts afresh.
    store.discard_staged("TED").expect("discard");
    let decided = store
        .commit_staged("TED", &[], &state(), at("2026-11-22T10:00:00Z"))
        .expect("commit");
    assert!(decided.arrivals.is_empty());
    assert_eq!(decided.summary.new, 0);
    let after: Vec<String> = tables(&path)
        .into_iter()
        .filter(|r| !r.starts_with("feed_state"))
        .collect();
    assert_eq!(after, notices_before);
}

/// Stages every page of `pages` but the last, commits with the last, and checks the result
/// against one `save_fetch` of all of them on the same seeded database: the same arrivals, counts
/// and rows. Returns the commit's arrivals.
fn staged_equals_whole(pages: Vec<Vec<(Notice, Relevance)>>) -> Vec<anbud::store::Arrival> {
    staged_equals_whole_on(&before(), pages, DAY_BEFORE)
}

/// [`staged_equals_whole`] on a database holding `stored`.
fn staged_equals_whole_on(
    stored: &[(Notice, Relevance)],
    pages: Vec<Vec<(Notice, Relevance)>>,
    seeded_at: &str,
) -> Vec<anbud::store::Arrival> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (whole, paged) = (dir.path().join("whole.sqlite"), dir.path().join("paged.sqlite"));
    let now = at("2026-11-22T10:00:00Z");
    let items: Vec<_> = pages.iter().flatten().cloned().collect();
    // A key filed under a buyer name as an older normaliser wrote it: refiled on the next fetch.
    let stale_key = |store: Store, path: &Path| {
        Connection::open(path)
            .expect("raw")
            .execute(
                "INSERT INTO dedup_keys (buyer_key, day, notice_id) VALUES ('name:bergen  kommune', 20000, 'ted:500-2026')",
                [],
            )
            .expect("stale key");
        store
    };
    let expected = stale_key(seeded_with(&whole, stored, seeded_at), &whole)
        .save_fetch("TED", &items, &state(), now)
        .expect("save");
    if stored.iter().any(|(n, _)| n.id.as_str() == "ted:500-2026") {
        assert!(!tables(&whole).iter().any(|row| row.contains("bergen  kommune")));
    }
    let mut store = stale_key(seeded_with(&paged, stored, seeded_at), &paged);
    let mut pages = pages;
    let last = pages.pop().expect("a page");
    for page in &pages {
        store.stage("TED", page).expect("stage");
    }
    let decided = store.commit_staged("TED", &last, &state(), now).expect("commit");
    assert_eq!(decided.arrivals, expected.arrivals);
    assert_eq!(decided.summary, expected.summary);
    drop(store);
    assert_eq!(tables(&paged), tables(&whole));
    decided.arrivals
}

/// The new rows of a one-source poll are inserted in bulk, the rest decided row by row; the two
/// must decide alike, whatever the mix.
#[test]
fn a_staged_poll_with_repeats_twins_and_rows_without_deadlines_decides_as_one_save() {
    let twin = |id: &str, title: &str| scored(notice("ted", id, title, "Oslo kommune", "2027-01-15T22:00:00Z"), 9);
    let mut undated = scored(
        notice("ted", "702-2026", "Rammeavtale", "Oslo kommune", "2027-01-15T10:00:00Z"),
        1,
    );
    undated.0.deadline = None;
    let mut moved = twin("703-2026", "Sengeplasser");
    moved.0.deadline = Some(at("2027-01-20T10:00:00Z"));
    let arrivals = staged_equals_whole(vec![
        // The twin of the stored Doffin notice (a day's tolerance), then one of the same buyer
        // and day with another title: a candidate, not a twin.
        vec![
            twin("700-2026", "Trygghetsalarmer til hjemmetjenesten"),
            twin("703-2026", "Sengeplasser"),
        ],
        // A stored notice, a row without a deadline, and an id this poll brought a page before,
        // now with a moved deadline.
        vec![before()[1].clone(), undated, moved],
        // The same id twice in one page, and again on the last page.
        vec![twin("704-2026", "Snøbrøyting"), twin("704-2026", "Snøbrøyting")],
        vec![
            twin("704-2026", "Snøbrøyting"),
            twin("705-2026", "Trygghetsalarmer til hjemmetjenesten"),
        ],
    ]);
    use anbud::store::Arrival::{Duplicate, Known, New};
    let kinds: Vec<&str> = arrivals
        .iter()
        .map(|a| match a {
            New => "new",
            Known { unseen: None } => "unchanged",
            Known { unseen: Some(_) } => "changed",
            Duplicate { .. } => "twin",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "twin",
            "new",
            "unchanged",
            "new",
            "changed",
            "new",
            "unchanged",
            "unchanged",
            "twin"
        ]
    );
}

/// A poll that brings notices of two sources is decided row by row: a row may be the twin of
/// another row of the same poll.
#[test]
fn a_staged_poll_of_two_sources_links_twins_within_the_poll() {
    let doffin = scored(
        notice(
            "doffin",
            "2026-200",
            "Pasientløftere",
            "Bergen kommune",
            "2027-03-01T12:00:00Z",
        ),
        7,
    );
    let ted = scored(
        notice(
            "ted",
            "800-2026",
            "Pasientløftere",
            "Bergen kommune",
            "2027-03-01T12:00:00Z",
        ),
        7,
    );
    let arrivals = staged_equals_whole(vec![vec![doffin], vec![ted.clone()], vec![ted]]);
    assert!(
        matches!(&arrivals[1], anbud::store::Arrival::Duplicate { primary, .. } if primary.as_str() == "doffin:2026-200"),
        "{arrivals:?}"
    );
}

/// A notice drawn from a small pool of ids, titles, buyers and deadlines, so repeats, changes,
/// twins and near-twins all occur.
fn drawn(dice: &mut Dice, source: &str) -> (Notice, Relevance) {
    const TITLES: [&str; 3] = ["Trygghetsalarmer", "Pasientløftere til sykehjem", "Snøbrøyting"];
    const BUYERS: [&str; 3] = ["Oslo kommune", "Bergen kommune", "Helse Vest RHF"];
    const DEADLINES: [&str; 3] = ["2027-01-15T10:00:00Z", "2027-01-16T09:00:00Z", "2027-02-01T12:00:00Z"];
    let id = format!("{}-2026", 900 + dice.roll(12));
    let mut notice = notice(
        source,
        &id,
        TITLES[dice.roll(3)],
        BUYERS[dice.roll(3)],
        DEADLINES[dice.roll(3)],
    );
    if dice.roll(5) == 0 {
        notice.deadline = None;
    }
    scored(notice, i32::try_from(dice.roll(12)).expect("small"))
}

/// Many mixed polls, each staged and committed, against one save of the same notices on the same
/// stored notices: whatever the bulk write takes, the outcome is the row-by-row one.
#[test]
fn mixed_staged_polls_decide_as_one_save_each() {
    for seed in 1..=40u64 {
        let mut dice = Dice(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let stored: Vec<_> = (0..6)
            .map(|_| {
                let source = if dice.roll(2) == 0 { "doffin" } else { "ted" };
                drawn(&mut dice, source)
            })
            .collect();
        // Every tenth poll brings two sources (decided row by row); the rest one.
        let mixed = seed % 10 == 0;
        let pages: Vec<Vec<_>> = (0..=dice.roll(4))
            .map(|_| {
                (0..=dice.roll(4))
                    .map(|_| {
                        let source = if mixed && dice.roll(2) == 0 { "doffin" } else { "ted" };
                        // Now and then a stored notice again as it was: unchanged.
                        let again = stored.get(dice.roll(stored.len())).filter(|(n, _)| n.source == source);
                        match again {
                            Some(stored) if dice.roll(3) == 0 => stored.clone(),
                            _ => drawn(&mut dice, source),
                        }
                    })
                    .collect()
            })
            .collect();
        // Half the polls come the day after the stored notices were saved (an unchanged one is
        // written again, for its `last_seen`), half the same day (it is not written at all).
        let seeded_at = if seed % 2 == 0 { DAY_BEFORE } else { SAME_DAY };
        staged_equals_whole_on(&stored, pages, seeded_at);
    }
}

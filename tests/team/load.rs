//! The load test of team mode (shared/reference/team-postgres.md §7): 20 simulated colleagues,
//! each its own database role and its own real team store (thread, writer and LISTEN
//! connections), decide, tag and comment on the same few notices at once. Afterwards: no decision
//! was made on a value its author had not seen (each logged change starts from the one before),
//! every confirmed decision is in the log, no confirmed tag is lost, and every dashboard shows
//! what the server holds. A naive last-writer-wins client, run the same way, must fail those
//! checks, or the test would not bite.
//!
//! It prints throughput and latency (write confirmed; a colleague's change heard); the figures
//! are reported in the README, and are not asserted (no wall-clock limits in tests).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anbud::model::{DecisionKind, NoticeId, TagEdit, Triage, TriageChange};
use anbud::store::postgres::team;
use anbud::store::{RemoteField, StoreCommand, StoreEvent};
use jiff::Timestamp;
use tokio::sync::mpsc;

use super::common::Dice;
use super::pg;

const USERS: usize = 20;
/// Notices everyone works on at once.
const HOT: usize = 20;

/// What one simulated colleague saw and did.
#[derive(Default)]
struct Tally {
    view: HashMap<NoticeId, Triage>,
    tags: HashMap<NoticeId, Vec<String>>,
    /// Decisions confirmed saved: (notice, stage).
    decided: Vec<(NoticeId, Triage)>,
    /// Tags confirmed added.
    tagged: Vec<(NoticeId, String)>,
    comments: usize,
    conflicts: usize,
    write_ms: Vec<f64>,
    heard_ms: Vec<f64>,
}

/// `USERS` roles u1…u20 in the triager group, with passwords; their settings.
async fn members(server: &pg::Server, name: &str, dir: &std::path::Path) -> Vec<anbud::config::database::Database> {
    // kari and ola, the shared notices and the group role come from the live tests' set-up.
    let _ = super::live::team_database(server, name, dir).await;
    let names: Vec<String> = (1..=USERS).map(|i| format!("load_u{i}")).collect();
    let url = server.owner_url(name);
    let sql = super::anbud_with(super::args(&[
        "--db",
        &url,
        "team",
        "sql",
        "--members",
        &names.join(","),
    ]))
    .await;
    let sql = super::text(&sql.stdout);
    let admin = server.admin(name).await;
    // The load is on 20 hot notices; the recorded TED page has fewer: copies under new
    // ids make up the rest.
    admin
        .batch_execute(&format!(
            "CREATE TEMP TABLE extra AS SELECT * FROM notices ORDER BY id
                 LIMIT GREATEST(0, {HOT} - (SELECT count(*) FROM notices));
             UPDATE extra SET id = id || ':copy';
             UPDATE extra SET notice = jsonb_set(notice::jsonb, '{{id}}', to_jsonb(id))::json;
             INSERT INTO notices SELECT * FROM extra;"
        ))
        .await
        .expect("extra hot notices");
    let roles = pg::ROLES.lock().await;
    admin.batch_execute(&sql).await.expect("the printed SQL applies");
    for role in &names {
        admin
            .batch_execute(&format!("ALTER ROLE {role} PASSWORD 'pw-{role}'"))
            .await
            .expect("password");
    }
    drop(roles);
    let lines: Vec<(String, String)> = names.iter().map(|r| (r.clone(), format!("pw-{r}"))).collect();
    let refs: Vec<(&str, &str)> = lines.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let passfile = pg::pgpass(dir, &refs);
    names
        .iter()
        .map(|role| {
            let url = format!("{}?passfile={}", server.role_url(role, name), passfile.display());
            pg::database_with(
                &url,
                "password_env = \"ANBUD_TEST_NO_PASSWORD\"\nwrite_timeout = \"10s\"\n",
            )
        })
        .collect()
}

/// One colleague for `length`: a decision (60 %), a tag (20 %) or a comment (20 %) at a time,
/// each waiting for the server's answer, with `pause` between them; colleagues' changes are
/// applied to the view as they are heard.
async fn colleague(db: anbud::config::database::Database, seed: u64, length: Duration, pause: Duration) -> Tally {
    let opened = team::open(&db).await.expect("open");
    let mut tally = Tally::default();
    for record in &opened.records {
        tally.view.insert(record.notice.id.clone(), record.triage);
        tally.tags.insert(record.notice.id.clone(), record.tags().to_vec());
    }
    let hot: Vec<NoticeId> = opened.records.iter().map(|r| r.notice.id.clone()).collect();
    assert_eq!(hot.len(), HOT, "every colleague works on the same {HOT} notices");
    let (tx, mut events) = mpsc::channel(1024);
    let store = team::spawn(db, opened.resume, tx);
    // The store connects on its own thread (20 logins at once take a while on 2 cores): the
    // figures are of a session in use, so wait until it answers a read.
    store
        .send(StoreCommand::LoadDescriptions(Vec::new()))
        .expect("store running");
    loop {
        let event = events.recv().await.expect("store running");
        if matches!(event, StoreEvent::DescriptionsLoaded(_)) {
            break;
        }
        hear(&mut tally, &event);
    }
    let mut dice = Dice(seed);
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < length {
        n += 1;
        let id = hot[dice.roll(hot.len())].clone();
        let at = Timestamp::now();
        let roll = dice.roll(10);
        let cmd = if roll < 6 {
            let from = tally.view[&id];
            let others: Vec<Triage> = Triage::ALL.into_iter().filter(|t| *t != from).collect();
            let to = others[dice.roll(others.len())];
            let change = TriageChange {
                id: id.clone(),
                from,
                to,
            };
            StoreCommand::SaveTriage {
                change,
                kind: DecisionKind::Do,
                batch: n,
                at,
            }
        } else if roll < 8 {
            let from = tally.tags[&id].clone();
            let mut to = from.clone();
            to.push(format!("t{seed}-{n}"));
            to.sort();
            StoreCommand::SaveTags {
                edits: vec![TagEdit {
                    id: id.clone(),
                    from,
                    to,
                }],
                at,
            }
        } else {
            StoreCommand::SaveNote {
                id: id.clone(),
                note: format!("comment {n} from {seed}"),
                at,
            }
        };
        let sent = Instant::now();
        store.send(cmd.clone()).expect("store running");
        // Colleagues' changes are applied while waiting for the answer to this one.
        loop {
            let event = events.recv().await.expect("store running");
            if hear(&mut tally, &event) {
                continue;
            }
            tally.write_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
            match event {
                StoreEvent::TriageSaved(change) => {
                    tally.view.insert(change.id.clone(), change.to);
                    tally.decided.push((change.id, change.to));
                }
                StoreEvent::TriageConflict { change, now, .. } => {
                    tally.view.insert(change.id, now);
                    tally.conflicts += 1;
                }
                StoreEvent::TagsSaved(lists) => {
                    let StoreCommand::SaveTags { edits, .. } = &cmd else {
                        unreachable!()
                    };
                    let added = edits[0].added().next().expect("one tag").to_owned();
                    tally.tagged.push((id.clone(), added));
                    for (id, tags) in lists {
                        tally.tags.insert(id, tags);
                    }
                }
                StoreEvent::NoteSaved { .. } => tally.comments += 1,
                other => panic!("a write failed under load: {other:?}"),
            }
            break;
        }
        // Think time, hearing colleagues meanwhile (a dashboard reads its events all the time).
        let resume = tokio::time::Instant::now() + pause;
        while let Ok(Some(event)) = tokio::time::timeout_at(resume, events.recv()).await {
            hear(&mut tally, &event);
        }
    }
    // Settle: read colleagues' changes until none has come for a while.
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_millis(1500), events.recv()).await {
        hear(&mut tally, &event);
    }
    drop(store);
    tally
}

/// Applies a colleague's change; false for anything else.
fn hear(tally: &mut Tally, event: &StoreEvent) -> bool {
    let StoreEvent::Remote(change) = event else {
        return false;
    };
    let ms = (Timestamp::now() - change.at)
        .total(jiff::Unit::Millisecond)
        .unwrap_or(0.0);
    tally.heard_ms.push(ms.max(0.0));
    match &change.field {
        RemoteField::Triage(stage) => {
            tally.view.insert(change.id.clone(), *stage);
        }
        RemoteField::Tags(tags) => {
            tally.tags.insert(change.id.clone(), tags.clone());
        }
        _ => {}
    }
    true
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((values.len() - 1) as f64 * p).round() as usize;
    values[rank]
}

/// The server's status log per notice: (old, new) in commit order, and the triage rows.
async fn server_state(
    client: &tokio_postgres::Client,
) -> (
    HashMap<String, Vec<(String, String)>>,
    HashMap<String, (String, Vec<String>)>,
) {
    let mut log: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for row in client
        .query(
            "SELECT notice_id, old #>> '{}', new #>> '{}' FROM triage_events WHERE field = 'status' ORDER BY seq",
            &[],
        )
        .await
        .expect("log")
    {
        log.entry(row.get(0)).or_default().push((row.get(1), row.get(2)));
    }
    let rows = client
        .query("SELECT notice_id, status, tags FROM triage", &[])
        .await
        .expect("triage");
    let triage = rows.iter().map(|r| (r.get(0), (r.get(1), r.get(2)))).collect();
    (log, triage)
}

/// Decisions made on a value their author had not seen: a logged change that does not start
/// from the one before it.
fn overwritten(log: &HashMap<String, Vec<(String, String)>>) -> usize {
    log.values()
        .map(|events| {
            let mut before = "new".to_owned();
            let mut bad = 0;
            for (old, new) in events {
                if *old != before {
                    bad += 1;
                }
                before.clone_from(new);
            }
            bad
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_colleagues_on_the_same_notices_lose_nothing_and_converge() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "t_load";
    let dbs = members(&server, name, dir.path()).await;

    // Paced (about 5 operations a second each) for latency, then flat out for throughput.
    let mut report = Vec::new();
    let mut tallies = Vec::new();
    for (round, (phase, length, pause)) in [
        ("paced", Duration::from_secs(10), Duration::from_millis(200)),
        ("flat out", Duration::from_secs(5), Duration::ZERO),
    ]
    .into_iter()
    .enumerate()
    {
        let started = Instant::now();
        let runs: Vec<_> = dbs
            .iter()
            .enumerate()
            .map(|(i, db)| {
                // Each run its own seed: tags are named after it.
                let seed = 0x9e37_79b9 + (round * USERS + i) as u64 * 7919;
                tokio::spawn(colleague(db.clone(), seed, length, pause))
            })
            .collect();
        let mut phase_tallies = Vec::new();
        for run in runs {
            phase_tallies.push(run.await.expect("colleague"));
        }
        let seconds = length.as_secs_f64();
        let ops: usize = phase_tallies
            .iter()
            .map(|t| t.decided.len() + t.conflicts + t.tagged.len() + t.comments)
            .sum();
        let mut writes: Vec<f64> = phase_tallies.iter().flat_map(|t| t.write_ms.clone()).collect();
        let mut heard: Vec<f64> = phase_tallies.iter().flat_map(|t| t.heard_ms.clone()).collect();
        report.push(format!(
            "{phase}: {USERS} users × {seconds} s: {ops} ops ({:.0}/s), {} conflicts re-decided; write p50 {:.1} / p99 {:.1} ms; \
             colleague's change heard p50 {:.1} / p99 {:.1} / max {:.1} ms (wall {:.1} s)",
            ops as f64 / seconds,
            phase_tallies.iter().map(|t| t.conflicts).sum::<usize>(),
            percentile(&mut writes, 0.5),
            percentile(&mut writes, 0.99),
            percentile(&mut heard, 0.5),
            percentile(&mut heard, 0.99),
            percentile(&mut heard, 1.0),
            started.elapsed().as_secs_f64(),
        ));
        tallies.extend(phase_tallies.into_iter().map(|t| (phase, t)));
    }
    for line in &report {
        eprintln!("team load: {line}");
    }

    let owner = server.owner(name).await;
    let (log, triage) = server_state(&owner).await;
    assert_eq!(
        overwritten(&log),
        0,
        "a decision was made on a value its author had not seen"
    );
    for (notice, events) in &log {
        let last = &events.last().expect("one").1;
        assert_eq!(
            &triage[notice].0, last,
            "{notice}: the row holds the last logged decision"
        );
    }
    for (phase, tally) in &tallies {
        for (id, stage) in &tally.decided {
            let logged = log
                .get(id.as_str())
                .is_some_and(|events| events.iter().any(|(_, new)| new == stage.as_str()));
            assert!(
                logged,
                "{phase}: a confirmed decision is missing from the log: {id} {stage:?}"
            );
        }
        for (id, tag) in &tally.tagged {
            assert!(
                triage[id.as_str()].1.contains(tag),
                "{phase}: a confirmed tag was lost: {id} {tag}"
            );
        }
    }
    // Every dashboard of the last phase shows what the server holds.
    for (_, tally) in tallies.iter().filter(|(phase, _)| *phase == "flat out") {
        for (id, stage) in &tally.view {
            let server_stage = triage.get(id.as_str()).map_or("new", |(s, _)| s.as_str());
            assert_eq!(stage.as_str(), server_stage, "{id}: a dashboard did not converge");
        }
    }

    // The control: last writer wins, whole tag lists, the same mix, must fail the same checks.
    let control = naive_control(&server, &dbs).await;
    assert!(
        control.0 > 0 || control.1 > 0,
        "the naive client passed the checks: the test does not bite"
    );
    eprintln!(
        "team load: naive control: {} decisions made on unseen values, {} tags lost (expected > 0)",
        control.0, control.1
    );
}

/// 20 clients that write as the single-user store does (the whole value, no guard) for 3 s on a
/// fresh set of notices; returns (decisions made on unseen values, tags lost).
async fn naive_control(server: &pg::Server, dbs: &[anbud::config::database::Database]) -> (usize, usize) {
    let owner = server.owner("t_load").await;
    owner
        .batch_execute("TRUNCATE triage, triage_events")
        .await
        .expect("reset");
    let ids: Vec<String> = owner
        .query("SELECT id FROM notices", &[])
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let runs: Vec<_> = dbs
        .iter()
        .enumerate()
        .map(|(i, db)| {
            let (db, ids) = (db.clone(), ids.clone());
            tokio::spawn(async move {
                let client = anbud::store::postgres::connect(&db).await.expect("connect");
                let mut dice = Dice(0x51_7cc1 + i as u64);
                let mut view: HashMap<String, (String, Vec<String>)> = HashMap::new();
                let mut tagged = Vec::new();
                let start = Instant::now();
                let mut n = 0;
                while start.elapsed() < Duration::from_secs(3) {
                    n += 1;
                    let id = ids[dice.roll(ids.len())].clone();
                    // Read, then write later: a colleague may write in between, unseen.
                    if let Some(row) = client
                        .query_opt("SELECT status, tags FROM triage WHERE notice_id = $1", &[&id])
                        .await
                        .expect("read")
                    {
                        view.insert(id.clone(), (row.get(0), row.get(1)));
                    }
                    let (old, tags) = view.get(&id).cloned().unwrap_or(("new".to_owned(), Vec::new()));
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    client
                        .execute("INSERT INTO triage (notice_id) VALUES ($1) ON CONFLICT DO NOTHING", &[&id])
                        .await
                        .expect("row");
                    if dice.roll(10) < 6 {
                        let new = Triage::ALL[dice.roll(7)].as_str().to_owned();
                        client
                            .execute(
                                "WITH u AS (UPDATE triage SET status = $2, version = version + 1 WHERE notice_id = $1 RETURNING version)
                                 INSERT INTO triage_events (op_id, notice_id, field, old, new, version)
                                 SELECT $4, $1, 'status', to_jsonb($3::text), to_jsonb($2::text), version FROM u",
                                &[&id, &new, &old, &format!("naive:{i}:{n}")],
                            )
                            .await
                            .expect("write");
                    } else {
                        let tag = format!("n{i}-{n}");
                        let mut whole = tags.clone();
                        whole.push(tag.clone());
                        client
                            .execute("UPDATE triage SET tags = $2 WHERE notice_id = $1", &[&id, &whole])
                            .await
                            .expect("tags");
                        tagged.push((id.clone(), tag));
                    }
                }
                tagged
            })
        })
        .collect();
    let mut tagged = Vec::new();
    for run in runs {
        tagged.extend(run.await.expect("naive client"));
    }
    let (log, triage) = server_state(&owner).await;
    let lost = tagged
        .iter()
        .filter(|(id, tag)| !triage.get(id).is_some_and(|(_, tags)| tags.contains(tag)))
        .count();
    (overwritten(&log), lost)
}

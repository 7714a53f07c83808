//! `anbud team import`: a single user's file moved into the shared database, twice, the second
//! time adding nothing; authorship goes to the member named.

use anbud::model::{DecisionKind, NoticeId, Triage, TriageChange};
use anbud::store::{StatusFilter, Store};
use jiff::Timestamp;

use super::{anbud_with, args, count, pg, team_init, ted_feed, text};

#[tokio::test(flavor = "multi_thread")]
async fn a_single_users_history_moves_in_once_as_the_member_named() {
    let Some(server) = pg::server() else { return };
    let name = "t_import";
    let url = server.fresh_database(name).await;
    team_init(&url).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_feeds, config) = ted_feed(dir.path()).await;
    let file = dir.path().join("anbud.db");
    let file_arg = file.display().to_string();
    let polled = anbud_with(args(&["--config", &config, "--db", &file_arg, "poll", "--once"])).await;
    assert!(polled.status.success(), "{}", text(&polled.stderr));
    let ids: Vec<NoticeId> = {
        let mut store = Store::open(&file).expect("open");
        let ids: Vec<NoticeId> = store
            .records(StatusFilter::All)
            .expect("records")
            .into_iter()
            .map(|r| r.notice.id)
            .collect();
        let at = Timestamp::now();
        let decide = |from, to, id: &NoticeId| TriageChange {
            id: id.clone(),
            from,
            to,
        };
        store
            .save_decision(
                &decide(Triage::New, Triage::Shortlisted, &ids[0]),
                DecisionKind::Do,
                Some(1),
                at,
            )
            .expect("decide");
        store
            .save_decision(
                &decide(Triage::Shortlisted, Triage::Bidding, &ids[0]),
                DecisionKind::Do,
                Some(2),
                at,
            )
            .expect("decide");
        store
            .save_decision(
                &decide(Triage::New, Triage::Rejected, &ids[1]),
                DecisionKind::Do,
                Some(3),
                at,
            )
            .expect("decide");
        store
            .save_tags(&[(ids[0].clone(), vec!["q4".to_owned()])], at)
            .expect("tags");
        store.save_note(&ids[0], "Ring innkjøper", at).expect("note");
        ids
    };
    // The team decided on the second notice already: the import leaves it as the team has it.
    let owner = server.owner(name).await;
    let import = || args(&["--db", &url, "team", "import", "--from", &file_arg, "--member", "kari"]);
    let first = anbud_with(import()).await;
    let stdout = text(&first.stdout);
    assert!(first.status.success(), "{stdout}{}", text(&first.stderr));
    assert!(
        stdout.contains(
            "16 new notices, 3 decisions logged, 2 notices decided, 0 left as the team decided, 1 notes as comments"
        ),
        "{stdout}"
    );
    assert_eq!(count(&owner, "SELECT count(*) FROM notices").await, 16);
    let row = owner
        .query_one(
            "SELECT status, tags, updated_by::text FROM triage WHERE notice_id = $1",
            &[&ids[0].as_str()],
        )
        .await
        .expect("triage");
    let (status, tags, by): (String, Vec<String>, String) = (row.get(0), row.get(1), row.get(2));
    // The row's stamp names whoever wrote it last (the server's trigger); the log names the member.
    assert_eq!(
        (status.as_str(), tags, by.as_str()),
        ("bidding", vec!["q4".to_owned()], "anbud_owner")
    );
    let author: String = owner
        .query_one("SELECT author::text FROM comments", &[])
        .await
        .expect("comment")
        .get(0);
    assert_eq!(author, "kari");
    assert_eq!(
        count(&owner, "SELECT count(*) FROM triage_events WHERE actor = 'kari'").await,
        3
    );

    let again = anbud_with(import()).await;
    let stdout = text(&again.stdout);
    assert!(again.status.success(), "{stdout}{}", text(&again.stderr));
    assert!(
        stdout.contains(
            "0 new notices, 0 decisions logged, 0 notices decided, 2 left as the team decided, 0 notes as comments"
        ),
        "{stdout}"
    );
    assert_eq!(count(&owner, "SELECT count(*) FROM triage_events").await, 3);
    assert_eq!(count(&owner, "SELECT count(*) FROM comments").await, 1);
}

//! Two colleagues' dashboards on one shared database, each driving the real core through the real
//! team store (its own thread, its own connections): a decision shows at the colleague's within
//! the live update, a decision made on a stale view is refused naming who moved first, tags and
//! comments merge, a retried write applies once, and a dropped connection catches up on what
//! happened meanwhile.

use std::time::Duration;

use anbud::app::{Action, AppState, Msg, View};
use anbud::config::database::Database;
use anbud::model::{DecisionKind, NoticeId, Triage, TriageChange};
use anbud::store::postgres::team;
use anbud::store::{Connection, RemoteField, StoreCommand, StoreEvent, StoreHandle};
use jiff::Timestamp;
use tokio::sync::mpsc;

use super::{anbud_with, args, pg, team_init, ted_feed};

/// Long enough for a loaded CI machine; the tests wait for events, they do not time them.
const PATIENCE: Duration = Duration::from_secs(20);

/// A shared database `name` with 16 polled notices and members kari and ola (passwords in a
/// password file); the settings each member's dashboard connects with.
pub(super) async fn team_database(server: &pg::Server, name: &str, dir: &std::path::Path) -> (Database, Database) {
    let url = server.fresh_database(name).await;
    team_init(&url).await;
    let sql = anbud_with(args(&["--db", &url, "team", "sql", "--members", "kari,ola"])).await;
    let sql = super::text(&sql.stdout);
    let admin = server.admin(name).await;
    let roles = pg::ROLES.lock().await;
    admin.batch_execute(&sql).await.expect("the printed SQL applies");
    admin
        .batch_execute(
            "ALTER ROLE kari PASSWORD 'pw-kari'; ALTER ROLE ola PASSWORD 'pw-ola';
             UPDATE members SET display = 'Kari' WHERE role = 'kari';
             UPDATE members SET display = 'Ola' WHERE role = 'ola';",
        )
        .await
        .expect("passwords");
    drop(roles);
    let (_feeds, config) = ted_feed(dir).await;
    let out = anbud_with(args(&["--config", &config, "--db", &url, "poll", "--once"])).await;
    assert!(out.status.success(), "{}", super::text(&out.stderr));
    let passfile = pg::pgpass(dir, &[("kari", "pw-kari"), ("ola", "pw-ola")]);
    let member = |role: &str| {
        let url = format!("{}?passfile={}", server.role_url(role, name), passfile.display());
        // Not PGPASSWORD: scripts/with-pg sets it to the owner's.
        pg::database_with(
            &url,
            "password_env = \"ANBUD_TEST_NO_PASSWORD\"\nwrite_timeout = \"2s\"\n",
        )
    };
    (member("kari"), member("ola"))
}

/// One member's dashboard: the core and its store thread.
pub(super) struct Desk {
    pub core: AppState,
    pub store: StoreHandle,
    pub events: mpsc::Receiver<StoreEvent>,
}

impl Desk {
    pub async fn open(db: &Database) -> Desk {
        Desk::open_with(db, Vec::new()).await
    }

    /// As [`Desk::open`], with the reasons `X` offers.
    pub async fn open_with(db: &Database, reject_reasons: Vec<String>) -> Desk {
        let opened = team::open(db).await.expect("open the shared database");
        let me = opened.me.clone();
        let core = AppState::new(opened.records, &[], Timestamp::now())
            .with_history(opened.history)
            .with_reject_reasons(reject_reasons)
            .with_team(&me);
        let (tx, events) = mpsc::channel(256);
        let store = team::spawn(db.clone(), opened.resume, tx);
        let mut desk = Desk { core, store, events };
        // The fixture's notices do not match the default profile: they are listed under All.
        desk.act(Msg::ClickView(View::All));
        // The store connects and catches up on its own thread: a test that stops the server must
        // not catch it half-way, so wait until it answers a command.
        desk.store
            .send(StoreCommand::LoadDescriptions(Vec::new()))
            .expect("store running");
        desk.until("the store serving", |e| matches!(e, StoreEvent::DescriptionsLoaded(_)))
            .await;
        desk
    }

    /// Runs `msg` through the core and hands its store effects to the store, as the runtime does.
    pub fn act(&mut self, msg: Msg) {
        for effect in self.core.update(msg) {
            // As the runtime maps them; the rest (notifications, exports) are not the store's.
            let Ok(cmd) = anbud::runtime::store_effects::store_command(effect, Timestamp::now()) else {
                continue;
            };
            self.store.send(cmd).expect("store running");
        }
    }

    /// Feeds store events to the core until one matches `wanted`; returns it.
    pub async fn until(&mut self, what: &str, wanted: impl Fn(&StoreEvent) -> bool) -> StoreEvent {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no {what} within {PATIENCE:?}"))
                .expect("store thread running");
            let hit = wanted(&event);
            self.act(Msg::Store(event.clone()));
            if hit {
                return event;
            }
        }
    }

    /// Puts the cursor on notice `id` (searching every tab).
    pub fn select(&mut self, id: &NoticeId) {
        self.act(Msg::Action(Action::SelectFirst));
        for _ in 0..self.core.visible().len() {
            if self.core.selected_record().is_some_and(|r| &r.notice.id == id) {
                return;
            }
            self.act(Msg::Action(Action::SelectNext));
        }
        panic!("{id} is not in the list");
    }

    pub fn stage(&self, id: &NoticeId) -> Triage {
        self.core.record_by_id(id).expect("loaded").triage
    }

    pub fn status(&self) -> String {
        self.core.status().map(|s| s.text.clone()).unwrap_or_default()
    }
}

fn first_id(desk: &Desk) -> NoticeId {
    desk.core.record(&desk.core.visible()[0]).notice.id.clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_colleagues_decision_shows_live_and_one_made_on_a_stale_view_is_refused_naming_them() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (kari_db, ola_db) = team_database(&server, "t_live", dir.path()).await;
    let mut kari = Desk::open(&kari_db).await;
    let mut ola = Desk::open(&ola_db).await;
    assert_eq!(
        kari.core.visible().len(),
        16,
        "every polled notice is listed: {:?}",
        kari.core.counts()
    );
    let id = first_id(&kari);

    // Kari shortlists; Ola's dashboard shows it, saying who.
    kari.select(&id);
    kari.act(Msg::Action(Action::Shortlist));
    kari.until("Kari's save", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    assert_eq!(kari.stage(&id), Triage::Shortlisted);
    ola.until(
        "Kari's change at Ola's",
        |e| matches!(e, StoreEvent::Remote(c) if c.id == id),
    )
    .await;
    assert_eq!(ola.stage(&id), Triage::Shortlisted);
    let (words, _) = ola.core.last_remote_change(&id).expect("who changed it");
    assert!(words.contains("Kari"), "{words}");
    // Descriptions stay on the server until a notice is shown.
    let with_text = ola
        .core
        .visible()
        .iter()
        .map(|row| ola.core.record(row))
        .find(|r| r.description_in_store)
        .map(|r| r.notice.id.clone())
        .expect("a notice with a description");
    ola.select(&with_text);
    ola.act(Msg::Action(Action::ToggleDetail));
    ola.until("the description", |e| matches!(e, StoreEvent::DescriptionsLoaded(_)))
        .await;
    let shown = ola.core.record_by_id(&with_text).expect("loaded");
    assert!(!shown.notice.description.is_empty() && !shown.description_in_store);

    // Both look at the shortlisted notice; Kari rejects it, and Ola, who has not seen that yet,
    // marks it lost... no: moves it on. Ola's write is refused and names Kari.
    let id2 = kari.core.record(&kari.core.visible()[1]).notice.id.clone();
    kari.select(&id2);
    ola.select(&id2);
    kari.act(Msg::Action(Action::Reject));
    kari.until("Kari's reject", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    // Ola's core has not read the doorbell yet: its change starts from "new".
    ola.act(Msg::Action(Action::Shortlist));
    let refused = ola
        .until("the refusal", |e| {
            matches!(e, StoreEvent::TriageConflict { .. } | StoreEvent::TriageSaved(_))
        })
        .await;
    let StoreEvent::TriageConflict { now, by, .. } = refused else {
        panic!("Ola's stale decision was saved over Kari's: {refused:?}");
    };
    assert_eq!((now, by.as_str()), (Triage::Rejected, "Kari"));
    assert_eq!(ola.stage(&id2), Triage::Rejected, "Kari's decision shows");
    let status = ola.status();
    assert!(
        status.contains("Kari rejected this") && status.contains("again"),
        "{status}"
    );
    // Pressed again, on the state now shown, it applies.
    ola.select(&id2);
    ola.act(Msg::Action(Action::Shortlist));
    ola.until("Ola's second press", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    assert_eq!(ola.stage(&id2), Triage::Shortlisted);
    kari.until(
        "Ola's change at Kari's",
        |e| matches!(e, StoreEvent::Remote(c) if c.id == id2 && c.field == RemoteField::Triage(Triage::Shortlisted)),
    )
    .await;
    assert_eq!(kari.stage(&id2), Triage::Shortlisted);

    // The log holds each committed decision once, by its author.
    let owner = server.owner("t_live").await;
    let rows = owner
        .query(
            "SELECT actor::text, new #>> '{}' FROM triage_events WHERE field = 'status' ORDER BY seq",
            &[],
        )
        .await
        .expect("log");
    let log: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let expected = [("kari", "shortlisted"), ("kari", "rejected"), ("ola", "shortlisted")];
    assert_eq!(log, expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec());
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_and_comments_of_two_colleagues_merge_instead_of_overwriting() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (kari_db, ola_db) = team_database(&server, "t_merge", dir.path()).await;
    let mut kari = Desk::open(&kari_db).await;
    let mut ola = Desk::open(&ola_db).await;
    let id = first_id(&kari);
    kari.select(&id);
    ola.select(&id);
    // Each tags the notice from the same (empty) list: Ola has not read Kari's tag when she saves.
    let mut saved = Vec::new();
    for (desk, tag) in [(&mut kari, "kari-tag"), (&mut ola, "ola-tag")] {
        desk.act(Msg::Action(Action::EditTags));
        assert_eq!(desk.core.tag_draft(), "", "{tag}: the prompt starts from no tags");
        for c in tag.chars() {
            desk.act(Msg::Edit(anbud::app::TextEdit::Insert(c)));
        }
        desk.act(Msg::Edit(anbud::app::TextEdit::Submit));
        saved.push(
            desk.until("the tags saved", |e| matches!(e, StoreEvent::TagsSaved(_)))
                .await,
        );
    }
    let Some(StoreEvent::TagsSaved(lists)) = saved.pop() else {
        unreachable!()
    };
    assert_eq!(lists[0].1, ["kari-tag", "ola-tag"], "Ola's save keeps Kari's tag");
    kari.until(
        "Ola's tag at Kari's",
        |e| matches!(e, StoreEvent::Remote(c) if c.id == id),
    )
    .await;
    assert_eq!(
        kari.core.record_by_id(&id).expect("loaded").tags(),
        ["kari-tag", "ola-tag"]
    );

    // A note is a comment in team mode: the thread keeps both, with their authors.
    for (desk, text) in [(&mut kari, "Ring innkjøper"), (&mut ola, "Gjort")] {
        desk.act(Msg::Action(Action::EditNote));
        assert_eq!(desk.core.note_draft(), "", "a comment starts empty");
        for c in text.chars() {
            desk.act(Msg::Edit(anbud::app::TextEdit::Insert(c)));
        }
        desk.act(Msg::Edit(anbud::app::TextEdit::Submit));
        desk.until("the comment", |e| matches!(e, StoreEvent::NoteSaved { .. }))
            .await;
    }
    kari.until(
        "Ola's comment at Kari's",
        |e| matches!(e, StoreEvent::Remote(c) if matches!(c.field, RemoteField::Comments(_))),
    )
    .await;
    let thread = &kari.core.record_by_id(&id).expect("loaded").note();
    assert!(
        thread.contains("— Kari") && thread.contains("Ring innkjøper"),
        "{thread}"
    );
    assert!(thread.contains("— Ola") && thread.contains("Gjort"), "{thread}");
    assert!(thread.find("Ring").expect("first") < thread.find("Gjort").expect("second"));

    // Kari's store now holds the thread and adds what rings; a comment too long to ring whole
    // (a NOTIFY carries 8000 bytes) is read by its id. Both arrive, in order.
    let long = format!("Lang {}", "x".repeat(9_000));
    for text in ["Tredje", long.as_str()] {
        ola.act(Msg::Action(Action::EditNote));
        for c in text.chars() {
            ola.act(Msg::Edit(anbud::app::TextEdit::Insert(c)));
        }
        ola.act(Msg::Edit(anbud::app::TextEdit::Submit));
        ola.until("the comment", |e| matches!(e, StoreEvent::NoteSaved { .. }))
            .await;
        kari.until(
            "Ola's comment at Kari's",
            |e| matches!(e, StoreEvent::Remote(c) if matches!(&c.field, RemoteField::Comments(t) if t.contains(text))),
        )
        .await;
    }
    let thread = &kari.core.record_by_id(&id).expect("loaded").note();
    let order: Vec<usize> = ["Ring", "Gjort", "Tredje", "Lang x"]
        .iter()
        .map(|text| thread.find(text).unwrap_or_else(|| panic!("{text} in {thread:?}")))
        .collect();
    assert!(order.is_sorted(), "{order:?}");
    assert_eq!(thread.matches("— Ola").count(), 3, "each once: {thread}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_write_applies_once_and_a_dropped_connection_catches_up() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (kari_db, ola_db) = team_database(&server, "t_fault", dir.path()).await;

    // The same op_id twice (a retry after a timeout): one log row, the second call "saved".
    let client = anbud::store::postgres::connect(&kari_db).await.expect("connect");
    let ids: Vec<String> = client
        .query("SELECT id FROM notices ORDER BY id LIMIT 2", &[])
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let change = TriageChange {
        id: NoticeId(ids[0].clone()),
        from: Triage::New,
        to: Triage::Rejected,
    };
    for _ in 0..2 {
        let decided = team::write::triage(&client, &change, DecisionKind::Do, "b1", "kari:retry:1")
            .await
            .expect("write");
        assert!(matches!(decided, team::write::Decided::Saved(_)), "{decided:?}");
    }
    let owner = server.owner("t_fault").await;
    let logged: i64 = owner
        .query_one("SELECT count(*) FROM triage_events WHERE op_id = 'kari:retry:1'", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(logged, 1);

    // Ola's connections are cut (a server restart looks the same to her); Kari decides meanwhile.
    let mut ola = Desk::open(&ola_db).await;
    let admin = server.admin("t_fault").await;
    // Her store thread connects on its own: wait for its writer and LISTEN connections.
    let connected = "SELECT count(*) FROM pg_stat_activity WHERE usename = 'ola' AND datname = 't_fault' AND application_name = 'anbud'";
    for _ in 0..200 {
        if admin
            .query_one(connected, &[])
            .await
            .expect("activity")
            .get::<_, i64>(0)
            >= 2
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'ola' AND datname = 't_fault'",
            &[],
        )
        .await
        .expect("terminate");
    ola.until("the offline banner", |e| {
        matches!(e, StoreEvent::Connection(Connection::Offline { .. }))
    })
    .await;
    assert!(ola.core.offline_since().is_some());
    let second = NoticeId(ids[1].clone());
    let change = TriageChange {
        id: second.clone(),
        from: Triage::New,
        to: Triage::Shortlisted,
    };
    team::write::triage(&client, &change, DecisionKind::Do, "b2", "kari:retry:2")
        .await
        .expect("Kari's write");
    team::write::comment(&client, &second, "Meldt mens du var borte", "kari:comment:1")
        .await
        .expect("Kari's comment");
    // Ola's store reconnects by itself and reads what she missed, though no doorbell reached her.
    ola.until("reconnected", |e| {
        matches!(e, StoreEvent::Connection(Connection::Online))
    })
    .await;
    assert!(ola.core.offline_since().is_none());
    assert_eq!(ola.stage(&second), Triage::Shortlisted, "caught up on Kari's decision");
    assert_eq!(ola.stage(&NoticeId(ids[0].clone())), Triage::Rejected);
    // Her store may have reconnected between Kari's two writes: then the comment rang.
    let heard = |desk: &Desk| {
        let thread = &desk.core.record_by_id(&second).expect("loaded").note();
        thread.contains("Meldt mens du var borte")
    };
    if !heard(&ola) {
        ola.until(
            "Kari's comment",
            |e| matches!(e, StoreEvent::Remote(c) if c.id == second),
        )
        .await;
    }
    let thread = &ola.core.record_by_id(&second).expect("loaded").note();
    assert!(
        thread.contains("Meldt mens du var borte"),
        "caught up on Kari's comment: {thread:?}"
    );
}

/// Waits until `role` has its store's two connections (writer, LISTEN) on database `name`;
/// returns their server process ids.
async fn connections_of(admin: &tokio_postgres::Client, role: &str, name: &str) -> Vec<i32> {
    let sql = "SELECT pid FROM pg_stat_activity WHERE usename = $1 AND datname = $2 AND application_name = 'anbud'";
    for _ in 0..400 {
        let pids: Vec<i32> = admin
            .query(sql, &[&role, &name])
            .await
            .expect("activity")
            .iter()
            .map(|r| r.get(0))
            .collect();
        // Exactly two: the connection `team::open` read the first screen on is closing meanwhile,
        // and signalling it after it is gone would fail.
        if pids.len() == 2 {
            return pids;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{role}'s store did not connect");
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_takes_back_only_what_a_colleague_has_not_changed_since() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (kari_db, ola_db) = team_database(&server, "t_undo", dir.path()).await;
    let mut kari = Desk::open(&kari_db).await;
    let mut ola = Desk::open(&ola_db).await;
    let id = first_id(&kari);
    kari.select(&id);
    kari.act(Msg::Action(Action::Shortlist));
    kari.until("Kari's shortlist", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    ola.until(
        "Kari's change at Ola's",
        |e| matches!(e, StoreEvent::Remote(c) if c.id == id),
    )
    .await;
    ola.select(&id);
    ola.act(Msg::Action(Action::Reject));
    ola.until("Ola's reject", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    // Kari's undo would put back "new" over Ola's rejection: refused, naming her.
    kari.act(Msg::Action(Action::Undo));
    let answer = kari
        .until("the undo's answer", |e| {
            matches!(e, StoreEvent::TriageConflict { .. } | StoreEvent::TriageSaved(_))
        })
        .await;
    assert!(
        matches!(&answer, StoreEvent::TriageConflict { by, now: Triage::Rejected, .. } if by == "Ola"),
        "{answer:?}"
    );
    assert!(kari.status().contains("Ola rejected this"), "{}", kari.status());
    assert_eq!(kari.stage(&id), Triage::Rejected);
    // Ola's own undo is hers to make.
    ola.act(Msg::Action(Action::Undo));
    ola.until("Ola's undo", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    assert_eq!(ola.stage(&id), Triage::Shortlisted);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_to_a_hung_server_is_not_confirmed_then_settled_once_by_its_op_id() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, ola_db) = team_database(&server, "t_hung", dir.path()).await;
    let mut ola = Desk::open(&ola_db).await;
    let admin = server.admin("t_hung").await;
    let pids = connections_of(&admin, "ola", "t_hung").await;
    let signal = |sig: &str| {
        for pid in &pids {
            let ok = std::process::Command::new("kill")
                .args([sig, &pid.to_string()])
                .status()
                .expect("kill runs")
                .success();
            assert!(
                ok,
                "kill {sig} {pid}: the test needs to signal the server's processes (run as root or postgres)"
            );
        }
    };
    // The server hangs: Ola's decision gets no answer within write_timeout (2 s).
    signal("-STOP");
    let id = first_id(&ola);
    ola.select(&id);
    ola.act(Msg::Action(Action::Shortlist));
    let doubt = ola
        .until("the timeout", |e| matches!(e, StoreEvent::TriageUnconfirmed { .. }))
        .await;
    signal("-CONT");
    assert!(matches!(doubt, StoreEvent::TriageUnconfirmed { .. }));
    assert!(ola.status().contains("not confirmed"), "{}", ola.status());
    assert!(ola.core.has_pending(), "never shown as saved before the server said so");
    // The server answers again: the store reconnects and settles the write by its op_id.
    ola.until("the settled write", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    assert_eq!(ola.stage(&id), Triage::Shortlisted);
    assert!(!ola.core.has_pending());
    let owner = server.owner("t_hung").await;
    let logged: i64 = owner
        .query_one(
            "SELECT count(*) FROM triage_events WHERE notice_id = $1 AND field = 'status'",
            &[&id.as_str()],
        )
        .await
        .expect("count")
        .get(0);
    assert_eq!(logged, 1, "the decision is logged exactly once");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_takes_a_bid_and_list_assignee_me_shows_it_and_a_stale_take_is_refused() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "t_assign";
    let (kari_db, ola_db) = team_database(&server, name, dir.path()).await;
    let mut kari = Desk::open(&kari_db).await;
    let mut ola = Desk::open(&ola_db).await;
    let id = first_id(&kari);
    kari.select(&id);
    kari.act(Msg::Action(Action::Assign));
    kari.until("Kari takes it", |e| matches!(e, StoreEvent::AssigneeSaved { .. }))
        .await;
    assert_eq!(kari.core.record_by_id(&id).expect("loaded").assignee(), Some("Kari"));
    ola.until("at Ola's", |e| matches!(e, StoreEvent::Remote(c) if c.id == id))
        .await;
    assert_eq!(ola.core.record_by_id(&id).expect("loaded").assignee(), Some("Kari"));
    assert!(ola.status().contains("Kari took it"), "{}", ola.status());
    // Ola takes it over; Kari, who has not heard yet, gives it up: refused, naming Ola.
    ola.select(&id);
    ola.act(Msg::Action(Action::Assign));
    ola.until("Ola takes it", |e| matches!(e, StoreEvent::AssigneeSaved { .. }))
        .await;
    kari.act(Msg::Action(Action::Assign));
    let answer = kari
        .until("Kari's give-up", |e| {
            matches!(
                e,
                StoreEvent::AssigneeConflict { .. } | StoreEvent::AssigneeSaved { .. }
            )
        })
        .await;
    assert!(
        matches!(&answer, StoreEvent::AssigneeConflict { now: Some(who), by, .. } if who == "Ola" && by == "Ola"),
        "{answer:?}"
    );
    assert_eq!(kari.core.record_by_id(&id).expect("loaded").assignee(), Some("Ola"));

    // `anbud list --assignee me`, as Ola.
    let passfile = pg::pgpass(dir.path(), &[("ola", "pw-ola")]);
    let url = format!("{}?passfile={}", server.role_url("ola", name), passfile.display());
    let mut cmd = super::common::cli::anbud();
    cmd.args(["--db", &url, "list", "--view", "all", "--assignee", "me", "--json"])
        .env_remove("PGPASSWORD");
    let out = tokio::task::spawn_blocking(move || super::run(&mut cmd))
        .await
        .expect("join");
    let stdout = super::text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", super::text(&out.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(id.as_str()), "{stdout}");

    // The team's shortlist as CSV: `anbud export` reads the shared database too.
    ola.select(&id);
    ola.act(Msg::Action(Action::Shortlist));
    ola.until("Ola's shortlist", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    let mut cmd = super::common::cli::anbud();
    cmd.args(["--db", &url, "export", "--columns", "id,status"])
        .env_remove("PGPASSWORD");
    let out = tokio::task::spawn_blocking(move || super::run(&mut cmd))
        .await
        .expect("join");
    let csv = super::text(&out.stdout);
    assert!(out.status.success(), "{csv}{}", super::text(&out.stderr));
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(
        rows,
        [format!("{},shortlisted", id.as_str().trim_start_matches("ted:"))],
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dashboard_polling_in_client_mode_lists_what_it_saved_to_the_shared_database() {
    let Some(server) = pg::server() else { return };
    let name = "t_client_poll";
    let url = server.fresh_database(name).await;
    team_init(&url).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // The feed's config, plus the shared database with this dashboard polling (the owner may
    // write notices, as a member given anbud_poller may).
    let (_feeds, config_path) = ted_feed(dir.path()).await;
    let mut text = std::fs::read_to_string(&config_path).expect("config");
    text.push_str(&format!("\n[database]\nurl = \"{url}\"\npoll = \"client\"\n"));
    let config = anbud::config::parse_str(&text, "client.toml").expect("valid config");
    let anbud::config::database::Storage::Postgres(db) = config.database.storage(None).expect("settles") else {
        panic!("a URL selects PostgreSQL");
    };
    let startup = anbud::runtime::Startup::prepare_team(&config, &db, Timestamp::now())
        .await
        .expect("prepare");
    let (mut core, mut io) = startup.start(&config).expect("start");
    assert_eq!(core.count(View::All), 0, "an empty shared database");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while core.count(View::All) < 16 {
        let msg = tokio::time::timeout_at(deadline, io.recv())
            .await
            .unwrap_or_else(|_| panic!("the polled notices were not listed within {PATIENCE:?}"))
            .expect("services running");
        io.perform(core.update(msg));
    }
    let owner = server.owner(name).await;
    let stored: i64 = owner
        .query_one("SELECT count(*) FROM notices", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(
        stored, 16,
        "saved to the shared database, then listed from its doorbell"
    );
    io.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reject_reason_given_on_a_stale_view_keeps_the_colleagues() {
    let Some(server) = pg::server() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let (kari_db, ola_db) = team_database(&server, "t_reason", dir.path()).await;
    let reasons = vec!["price".to_owned(), "scope".to_owned()];
    let mut kari = Desk::open_with(&kari_db, reasons.clone()).await;
    let mut ola = Desk::open_with(&ola_db, reasons).await;
    let id = first_id(&kari);
    kari.select(&id);
    ola.select(&id);
    kari.act(Msg::Action(Action::RejectWithReason));
    kari.act(Msg::ReasonPicked(anbud::app::ReasonPick::Reason(0)));
    kari.until("Kari's reason", |e| matches!(e, StoreEvent::RejectReasonSaved { .. }))
        .await;
    // Ola has not heard: she gives another reason for the same notice.
    ola.act(Msg::Action(Action::RejectWithReason));
    ola.act(Msg::ReasonPicked(anbud::app::ReasonPick::Reason(1)));
    ola.until("Ola's answer", |e| matches!(e, StoreEvent::AnnotationNotSaved { .. }))
        .await;
    assert!(ola.status().contains("Kari changed it first"), "{}", ola.status());
    let owner = server.owner("t_reason").await;
    let kept: Option<String> = owner
        .query_one("SELECT reject_reason FROM triage WHERE notice_id = $1", &[&id.as_str()])
        .await
        .expect("row")
        .get(0);
    assert_eq!(kept.as_deref(), Some("price"), "Kari's reason is not overwritten");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "restarts the test server: scripts/test runs it alone, on a cluster of its own"]
async fn a_server_restart_mid_session_is_offline_then_caught_up() {
    let Some(server) = pg::server() else { return };
    let restart = std::env::var("ANBUD_TEST_PG_RESTART").expect("scripts/with-pg says how to restart");
    let dir = tempfile::tempdir().expect("tempdir");
    let (kari_db, ola_db) = team_database(&server, "t_restart", dir.path()).await;
    let mut kari = Desk::open(&kari_db).await;
    let mut ola = Desk::open(&ola_db).await;
    let admin = server.admin("t_restart").await;
    connections_of(&admin, "ola", "t_restart").await;
    connections_of(&admin, "kari", "t_restart").await;
    drop(admin);
    let ok = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .args(["-c", &restart])
            .status()
            .expect("pg_ctl runs")
            .success()
    })
    .await
    .expect("join");
    assert!(ok, "the server restarted");
    ola.until("the offline banner", |e| {
        matches!(e, StoreEvent::Connection(Connection::Offline { .. }))
    })
    .await;
    // Kari's store reconnects too; then her decision reaches Ola, who reconnected meanwhile.
    kari.until("Kari back", |e| matches!(e, StoreEvent::Connection(Connection::Online)))
        .await;
    ola.until("Ola back", |e| matches!(e, StoreEvent::Connection(Connection::Online)))
        .await;
    let id = first_id(&kari);
    kari.select(&id);
    kari.act(Msg::Action(Action::Reject));
    kari.until("Kari's decision", |e| matches!(e, StoreEvent::TriageSaved(_)))
        .await;
    ola.until("at Ola's", |e| matches!(e, StoreEvent::Remote(c) if c.id == id))
        .await;
    assert_eq!(ola.stage(&id), Triage::Rejected);
    assert!(ola.core.offline_since().is_none());
}

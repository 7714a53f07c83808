//! The polling task driven through its channels against the loopback server: no sleeps, events
//! are awaited (with a generous timeout only as a hang guard), and time is never paused because
//! paused time and real sockets do not mix.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::demo::ted_demo_routes;
use anbud::feeds::FeedEvent;
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::poller::{
    CONTINUE_AFTER, FeedSpec, PollCommand, PollerLinks, PollerOptions, SaveReport, Scorer, run_poller, run_poller_with,
};
use anbud::feeds::ted::{TedAdapter, TedSettings};
use anbud::model::{Notice, Relevance};
use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

const PATH: &str = "/v3/notices/search";
const HANG_GUARD: Duration = Duration::from_secs(10);
const HOUR: Duration = Duration::from_secs(3600);
const WEEK: Duration = Duration::from_secs(7 * 86_400);

/// Scores a notice by its number of CPV codes, so the test can check scoring happened.
fn scorer() -> Scorer {
    Arc::new(|n: &Notice| Relevance {
        score: n.cpv.len() as i32,
        matched: !n.cpv.is_empty(),
        hits: Vec::new(),
        profiles: Vec::new(),
        badges: Default::default(),
    })
}

fn spec(name: &str, server: &LoopbackServer, path: &str) -> FeedSpec {
    let settings = TedSettings {
        base_url: server.base_url(),
        path: path.to_owned(),
        ..TedSettings::default()
    };
    FeedSpec {
        name: name.to_owned(),
        adapter: Arc::new(TedAdapter::new(settings)),
        interval: HOUR,
        lookback: WEEK,
        max_pages: 5,
        state: Default::default(),
    }
}

struct Poller {
    commands: mpsc::Sender<PollCommand>,
    events: mpsc::Receiver<FeedEvent>,
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

fn start(feeds: Vec<FeedSpec>) -> Poller {
    start_with(None, feeds)
}

/// The poller with `options`, or through `run_poller` (the defaults) when `None`.
fn start_with(options: Option<PollerOptions>, feeds: Vec<FeedSpec>) -> Poller {
    let (commands, command_rx) = mpsc::channel(8);
    let (event_tx, events) = mpsc::channel(64);
    let cancel = CancellationToken::new();
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let task = match options {
        None => tokio::spawn(run_poller(
            feeds,
            fetcher,
            scorer(),
            command_rx,
            event_tx,
            cancel.clone(),
        )),
        Some(options) => tokio::spawn(run_poller_with(
            options,
            feeds,
            fetcher,
            scorer(),
            PollerLinks {
                commands: command_rx,
                saves: None,
                events: event_tx,
            },
            cancel.clone(),
        )),
    };
    Poller {
        commands,
        events,
        cancel,
        task,
    }
}

impl Poller {
    async fn next(&mut self) -> FeedEvent {
        timeout(HANG_GUARD, self.events.recv())
            .await
            .expect("no event within 10 s")
            .expect("poller hung up")
    }

    /// Events until `done` holds for the collected list.
    async fn until(&mut self, done: impl Fn(&[FeedEvent]) -> bool) -> Vec<FeedEvent> {
        let mut seen = Vec::new();
        while !done(&seen) {
            seen.push(self.next().await);
        }
        seen
    }

    async fn stop(self) {
        self.cancel.cancel();
        timeout(HANG_GUARD, self.task)
            .await
            .expect("poller did not stop")
            .unwrap();
    }
}

fn is_fetched(e: &FeedEvent, name: &str) -> bool {
    matches!(e, FeedEvent::Fetched { feed, .. } if feed == name)
}

fn is_failed(e: &FeedEvent, name: &str) -> bool {
    matches!(e, FeedEvent::Failed { feed, .. } if feed == name)
}

fn query_dates(server: &LoopbackServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.body_json().unwrap().get("iterationNextToken").is_none())
        .map(|r| {
            let query = r.body_json().unwrap()["query"].as_str().unwrap().to_owned();
            query.split("publication-date>=").nth(1).unwrap()[..8].to_owned()
        })
        .collect()
}

fn yyyymmdd(t: Timestamp, back: Duration) -> String {
    t.checked_sub(back).unwrap().strftime("%Y%m%d").to_string()
}

#[tokio::test]
async fn first_poll_reports_started_then_scored_notices() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let before = Timestamp::now();
    let mut poller = start(vec![spec("ted", &server, PATH)]);
    let FeedEvent::Started { feed, .. } = poller.next().await else {
        panic!("expected Started first")
    };
    assert_eq!(feed, "ted");
    let FeedEvent::Fetched {
        feed,
        notices,
        at,
        next_at,
        warnings,
        state,
    } = poller.next().await
    else {
        panic!("expected Fetched")
    };
    assert_eq!(feed, "ted");
    assert!(warnings.is_empty(), "{warnings:?}");
    // The state to save with the notices: read up to the poll's start, finished at `at`.
    assert!(
        state.high_water.is_some_and(|mark| before <= mark && mark <= at),
        "{state:?}"
    );
    assert_eq!(state.last_success, Some(at));
    assert_eq!(notices.len(), 16, "three demo pages, one repeat dropped");
    for (notice, relevance) in &notices {
        assert_eq!(relevance.score, notice.cpv.len() as i32);
    }
    assert!(notices.iter().any(|(_, r)| r.matched));
    let wait = at.duration_until(next_at).as_secs_f64();
    assert!(
        (3230.0..=3960.0).contains(&wait),
        "next poll after the interval ± 10 % jitter, got {wait}s"
    );
    // The first poll reaches back by the lookback.
    let allowed = [yyyymmdd(before, WEEK), yyyymmdd(Timestamp::now(), WEEK)];
    assert!(allowed.contains(&query_dates(&server)[0]), "{:?}", query_dates(&server));
    assert_eq!(server.requests().len(), 3);
    poller.stop().await;
}

#[tokio::test]
async fn failing_feed_reports_failed_while_other_feed_fetches() {
    let mut routes = ted_demo_routes(PATH);
    routes.push(Route::new("POST", "/broken", |_| {
        CannedResponse::json(500, r#"{"message":"index rebuilding","error":"Internal Server Error"}"#)
    }));
    routes.push(Route::new("POST", "/limited", |_| {
        CannedResponse::new(429, "").with_header("retry-after", "600")
    }));
    let server = LoopbackServer::start(routes).await.unwrap();
    let feeds = vec![
        spec("broken", &server, "/broken"),
        spec("ted", &server, PATH),
        spec("limited", &server, "/limited"),
    ];
    let mut poller = start(feeds);
    let events = poller
        .until(|seen| {
            ["broken", "limited"]
                .iter()
                .all(|n| seen.iter().any(|e| is_failed(e, n)))
                && seen.iter().any(|e| is_fetched(e, "ted"))
        })
        .await;
    for event in &events {
        match event {
            FeedEvent::Failed {
                feed,
                message,
                at,
                retry_at,
            } if feed == "broken" => {
                assert_eq!(
                    message,
                    "HTTP 500 — a server error at TED, usually temporary; anbud retries with backoff [index rebuilding]"
                );
                let wait = at.duration_until(*retry_at).as_secs_f64();
                assert!((29.0..=30.0).contains(&wait), "first backoff is 30 s, got {wait}");
            }
            FeedEvent::Failed {
                feed,
                message,
                at,
                retry_at,
            } if feed == "limited" => {
                assert!(message.contains("429") && message.contains("600s"), "{message}");
                let wait = at.duration_until(*retry_at).as_secs_f64();
                assert!((599.0..=600.0).contains(&wait), "Retry-After is honoured, got {wait}");
            }
            FeedEvent::Fetched { feed, notices, .. } => {
                assert_eq!((feed.as_str(), notices.len()), ("ted", 16));
            }
            FeedEvent::Started { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // Every feed reported Started before its outcome.
    for name in ["broken", "ted", "limited"] {
        let started = events
            .iter()
            .position(|e| matches!(e, FeedEvent::Started { feed, .. } if feed == name));
        let ended = events.iter().position(|e| is_fetched(e, name) || is_failed(e, name));
        assert!(started.unwrap() < ended.unwrap(), "{name}");
    }
    poller.stop().await;
}

#[tokio::test]
async fn refresh_all_polls_again_from_the_last_success() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let mut poller = start(vec![spec("ted", &server, PATH)]);
    poller.until(|seen| seen.iter().any(|e| is_fetched(e, "ted"))).await;
    assert_eq!(server.requests().len(), 3);
    let first_success = Timestamp::now();
    poller.commands.send(PollCommand::RefreshAll).await.unwrap();
    let events = poller.until(|seen| seen.iter().any(|e| is_fetched(e, "ted"))).await;
    assert!(matches!(events[0], FeedEvent::Started { .. }), "{events:?}");
    assert_eq!(server.requests().len(), 6);
    // The second poll overlaps the first by one day instead of reaching back a week.
    let dates = query_dates(&server);
    let day = Duration::from_secs(86_400);
    assert!(
        [yyyymmdd(first_success, day), yyyymmdd(Timestamp::now(), day)].contains(&dates[1]),
        "{dates:?}"
    );
    poller.stop().await;
}

#[tokio::test]
async fn a_failed_save_makes_the_next_poll_read_the_whole_lookback_again() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let spec = spec("ted", &server, PATH);
    let lookback = spec.lookback;
    let (mut poller, saves) = start_saving(vec![spec]);
    poller.until(|seen| seen.iter().any(|e| is_fetched(e, "ted"))).await;
    // The runtime's answer to `FetchNotSaved`: the next poll must not start after the lost notices.
    saves.send(SaveReport::NotSaved { feed: "ted".to_owned() }).unwrap();
    poller.commands.send(PollCommand::RefreshAll).await.unwrap();
    poller.until(|seen| seen.iter().any(|e| is_fetched(e, "ted"))).await;
    let dates = query_dates(&server);
    assert_eq!(dates.len(), 2, "{dates:?}");
    // The second poll reaches back as far as the first (a lookback from now; the same date unless
    // midnight passed between them), not one day before the first poll.
    assert!(
        [dates[0].clone(), yyyymmdd(Timestamp::now(), lookback)].contains(&dates[1]),
        "{dates:?}"
    );
    poller.stop().await;
}

#[tokio::test]
async fn a_capped_poll_is_continued_soon_until_the_window_is_read() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let mut feed = spec("ted", &server, PATH);
    feed.max_pages = 1;
    let (mut poller, saves) = start_saving(vec![feed]);
    let mut ids = std::collections::HashSet::new();
    let mut states = Vec::new();
    for _ in 0..3 {
        let events = poller.until(|seen| seen.iter().any(|e| is_fetched(e, "ted"))).await;
        let Some(FeedEvent::Fetched {
            notices,
            at,
            next_at,
            state,
            ..
        }) = events.last()
        else {
            panic!("{events:?}")
        };
        ids.extend(notices.iter().map(|(n, _)| n.id.clone()));
        states.push(state.clone());
        if state.resume.is_some() {
            // Continued after a pause, not after the hour-long interval.
            let wait = at.duration_until(*next_at).as_secs_f64();
            assert!(wait <= CONTINUE_AFTER.as_secs_f64(), "{wait}");
        }
        saves
            .send(SaveReport::Saved {
                feed: "ted".to_owned(),
                state: state.clone(),
            })
            .unwrap();
    }
    poller.stop().await;
    assert_eq!(ids.len(), 16, "every page of the window");
    // The mark stays put while the window is partly read, then moves to the first poll's start.
    let first = states[0].resume.clone().expect("cut short");
    assert_eq!(states[0].high_water, None);
    assert_eq!(states[1].high_water, None);
    assert_eq!(
        states[1].resume.as_ref().map(|r| (r.since, r.started)),
        Some((first.since, first.started))
    );
    assert_eq!(states[2].resume, None);
    assert_eq!(states[2].high_water, Some(first.started));
    // Each poll read one page, from the saved cursor.
    assert_eq!(server.requests().len(), 3);
    assert_eq!(query_dates(&server).len(), 1, "one window, continued by its tokens");
}

#[tokio::test]
async fn a_refused_cursor_reads_the_window_again_below_the_oldest_date_read() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let mut feed = spec("ted", &server, PATH);
    let low: Timestamp = "2026-07-03T10:00:00Z".parse().unwrap();
    let since: Timestamp = "2026-06-01T00:00:00Z".parse().unwrap();
    let started: Timestamp = "2026-07-10T00:00:00Z".parse().unwrap();
    // Saved by a capped poll days ago; TED has since forgotten the token.
    feed.state.resume = Some(anbud::model::Resume {
        since,
        cursor: "expired-token".to_owned(),
        low: Some(low),
        started,
    });
    let (mut poller, _saves) = start_saving(vec![feed]);
    let state = loop {
        match poller.next().await {
            FeedEvent::Fetched { state, warnings, .. } => {
                assert!(warnings.iter().any(|w| w.contains("refused")), "{warnings:?}");
                break state;
            }
            FeedEvent::Failed { message, .. } => panic!("{message}"),
            _ => {}
        }
    };
    poller.stop().await;
    let bodies: Vec<serde_json::Value> = server.requests().iter().map(|r| r.body_json().unwrap()).collect();
    assert_eq!(bodies[0]["iterationNextToken"], "expired-token");
    // Read again from the window's first page, bounded by the oldest date read, then paged on.
    let query = bodies[1]["query"].as_str().unwrap();
    assert!(
        query.contains("publication-date>=20260601") && query.contains("publication-date<=20260703"),
        "{query}"
    );
    assert!(bodies[1].get("iterationNextToken").is_none());
    assert_eq!(
        bodies.len(),
        4,
        "the refused page, then three pages of the bounded query"
    );
    for later in &bodies[2..] {
        assert_eq!(
            later["query"], bodies[1]["query"],
            "a token belongs to its bounded query"
        );
    }
    // The window is read: the mark moves to when its first poll started.
    assert_eq!((state.high_water, state.resume), (Some(started), None));
}

#[tokio::test]
async fn poller_returns_when_the_command_channel_closes() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let Poller {
        commands,
        mut events,
        cancel: _cancel,
        task,
    } = start(vec![spec("ted", &server, PATH)]);
    let first = timeout(HANG_GUARD, events.recv()).await.unwrap().unwrap();
    assert!(matches!(first, FeedEvent::Started { .. }));
    drop(commands);
    timeout(HANG_GUARD, task).await.expect("poller kept running").unwrap();
}

#[tokio::test]
async fn cancel_stops_a_poll_in_progress() {
    let server = LoopbackServer::start(vec![Route::new("POST", PATH, |_| {
        CannedResponse::json(200, "{}").with_delay(Duration::from_secs(30))
    })])
    .await
    .unwrap();
    let mut poller = start(vec![spec("slow", &server, PATH)]);
    assert!(matches!(poller.next().await, FeedEvent::Started { .. }));
    poller.stop().await;
}

#[tokio::test]
async fn absurd_retry_after_is_capped_at_a_week() {
    let server = LoopbackServer::start(vec![Route::new("POST", PATH, |_| {
        CannedResponse::new(429, "").with_header("retry-after", "99999999999")
    })])
    .await
    .unwrap();
    let mut poller = start(vec![spec("bogus", &server, PATH)]);
    let events = poller.until(|seen| seen.iter().any(|e| is_failed(e, "bogus"))).await;
    let Some(FeedEvent::Failed { at, retry_at, .. }) = events.last() else {
        panic!("{events:?}")
    };
    assert_eq!(
        at.duration_until(*retry_at).as_secs(),
        i64::try_from(WEEK.as_secs()).unwrap()
    );
    poller.stop().await;
}

#[tokio::test]
async fn configured_intervals_below_five_minutes_are_raised() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let mut feed = spec("ted", &server, PATH);
    feed.interval = Duration::from_secs(1);
    let mut poller = start(vec![feed]);
    let events = poller.until(|seen| seen.iter().any(|e| is_fetched(e, "ted"))).await;
    let Some(FeedEvent::Fetched { at, next_at, .. }) = events.last() else {
        panic!("expected Fetched")
    };
    let wait = at.duration_until(*next_at).as_secs_f64();
    assert!((269.0..=330.0).contains(&wait), "5 min ± 10 %, got {wait}s");
    poller.stop().await;
}

#[tokio::test]
async fn tests_can_lower_the_floor_and_switch_off_jitter() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let mut feed = spec("ted", &server, PATH);
    feed.interval = Duration::from_millis(200);
    let options = PollerOptions {
        min_interval: Duration::ZERO,
        jitter: false,
    };
    let mut poller = start_with(Some(options), vec![feed]);
    // Two polls without any command: the short interval is used as configured.
    let events = poller
        .until(|seen| seen.iter().filter(|e| is_fetched(e, "ted")).count() == 2)
        .await;
    let Some(FeedEvent::Fetched { at, next_at, .. }) = events.last() else {
        panic!("expected Fetched")
    };
    let wait = at.duration_until(*next_at).as_secs_f64();
    assert!((0.19..=0.2).contains(&wait), "exactly the interval, got {wait}s");
    poller.stop().await;
}

/// An RSS feed on the demo route, which answers with an `ETag` and gives a 304 to a request
/// carrying it.
fn rss_spec(server: &LoopbackServer, state: anbud::model::FeedState) -> FeedSpec {
    use anbud::feeds::syndication::{RssAdapter, RssSettings};
    FeedSpec {
        name: "Bergen".to_owned(),
        adapter: Arc::new(RssAdapter::new(RssSettings {
            url: format!("{}{}", server.base_url(), anbud::demo::RSS_DEMO_PATH),
            ..RssSettings::default()
        })),
        interval: HOUR,
        lookback: WEEK,
        max_pages: 5,
        state,
    }
}

/// The poller over `feeds` with the store's answers coming from the test, as the runtime forwards
/// them.
fn start_saving(feeds: Vec<FeedSpec>) -> (Poller, mpsc::UnboundedSender<SaveReport>) {
    let (commands, command_rx) = mpsc::channel(8);
    let (event_tx, events) = mpsc::channel(64);
    let (saves, save_rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let fetcher = HttpFetcher::new(HttpSettings::default()).unwrap();
    let options = PollerOptions {
        jitter: false,
        ..PollerOptions::default()
    };
    let links = PollerLinks {
        commands: command_rx,
        saves: Some(save_rx),
        events: event_tx,
    };
    let task = tokio::spawn(run_poller_with(
        options,
        feeds,
        fetcher,
        scorer(),
        links,
        cancel.clone(),
    ));
    let poller = Poller {
        commands,
        events,
        cancel,
        task,
    };
    (poller, saves)
}

async fn next_fetched(poller: &mut Poller) -> (usize, anbud::model::FeedState) {
    loop {
        match poller.next().await {
            FeedEvent::Fetched { notices, state, .. } => return (notices.len(), state),
            FeedEvent::Failed { message, .. } => panic!("poll failed: {message}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn validators_take_effect_only_once_the_poll_is_saved() {
    let server = LoopbackServer::start(anbud::demo::rss_demo_routes(anbud::demo::RSS_DEMO_PATH))
        .await
        .unwrap();
    let (mut poller, saves) = start_saving(vec![rss_spec(&server, Default::default())]);
    let (count, state) = next_fetched(&mut poller).await;
    assert!(count > 0);
    assert_eq!(state.validators.len(), 1, "{state:?}");
    let etag = state.validators[0].etag.clone().expect("the demo feed sends an ETag");

    // Not saved: the next poll must download everything again.
    saves
        .send(SaveReport::NotSaved {
            feed: "Bergen".to_owned(),
        })
        .unwrap();
    poller.commands.send(PollCommand::RefreshAll).await.unwrap();
    let (again, unsaved) = next_fetched(&mut poller).await;
    assert_eq!(again, count, "a full answer, not a 304");
    // Saved: the poller sends its validators, and the next poll is a 304.
    saves
        .send(SaveReport::Saved {
            feed: "Bergen".to_owned(),
            state: unsaved.clone(),
        })
        .unwrap();
    poller.commands.send(PollCommand::RefreshAll).await.unwrap();
    let (unchanged, kept) = next_fetched(&mut poller).await;
    assert_eq!(unchanged, 0, "a 304 brings nothing new");
    assert_eq!(
        kept.validators, state.validators,
        "a 304 keeps the validators to save again"
    );
    poller.stop().await;

    let requests = server.requests();
    let sent: Vec<Option<&str>> = requests.iter().map(|r| r.header("if-none-match")).collect();
    assert_eq!(sent, [None, None, Some(etag.as_str())]);
}

#[tokio::test]
async fn the_next_poll_waits_for_the_stores_answer() {
    let server = LoopbackServer::start(anbud::demo::rss_demo_routes(anbud::demo::RSS_DEMO_PATH))
        .await
        .unwrap();
    let (mut poller, saves) = start_saving(vec![rss_spec(&server, Default::default())]);
    next_fetched(&mut poller).await;
    // Refreshes while the store has not answered: no poll may start from an unsaved state.
    for _ in 0..3 {
        poller.commands.send(PollCommand::RefreshAll).await.unwrap();
    }
    // A command sent after the refreshes is handled after them; nothing was polled meanwhile.
    saves
        .send(SaveReport::NotSaved {
            feed: "Bergen".to_owned(),
        })
        .unwrap();
    let (again, _) = next_fetched(&mut poller).await;
    assert!(again > 0);
    poller.stop().await;
    assert_eq!(server.requests().len(), 2, "one poll, then one after the answer");
}

#[tokio::test]
async fn a_saved_state_primes_the_first_poll() {
    let server = LoopbackServer::start(ted_demo_routes(PATH)).await.unwrap();
    let rss = LoopbackServer::start(anbud::demo::rss_demo_routes(anbud::demo::RSS_DEMO_PATH))
        .await
        .unwrap();
    // First, learn the RSS feed's real validators with a poll of its own.
    let (mut learner, _saves) = start_saving(vec![rss_spec(&rss, Default::default())]);
    let (_, learned) = next_fetched(&mut learner).await;
    learner.stop().await;

    let mark: Timestamp = "2026-11-20T09:30:00Z".parse().unwrap();
    let saved = anbud::model::FeedState {
        high_water: Some(mark),
        last_success: Some(mark),
        validators: learned.validators.clone(),
        resume: None,
    };
    let mut ted = spec("ted", &server, PATH);
    ted.state = anbud::model::FeedState {
        high_water: Some(mark),
        ..Default::default()
    };
    let (mut poller, _saves) = start_saving(vec![ted, rss_spec(&rss, saved)]);
    poller
        .until(|seen| seen.iter().filter(|e| matches!(e, FeedEvent::Fetched { .. })).count() == 2)
        .await;
    poller.stop().await;
    // TED resumes a day before the saved mark instead of a week before now.
    assert_eq!(query_dates(&server), ["20261119"]);
    let rss_requests = rss.requests();
    assert_eq!(rss_requests.len(), 2);
    assert_eq!(
        rss_requests[1].header("if-none-match"),
        learned.validators[0].etag.as_deref(),
        "the saved ETag is sent on the first poll after a restart"
    );
}

//! `anbud poll --once [--quiet]`: every feed once, for cron and systemd timers, into the SQLite
//! file or (team mode) the PostgreSQL database, where one poll runs at a time.

use std::collections::HashMap;

use color_eyre::eyre::{Result, eyre};
use jiff::Timestamp;

use super::Exit;
use super::output::Stdout;
use crate::config::Config;
use crate::config::database::Database;
use std::sync::Arc;

use crate::feeds::FeedError;
use crate::feeds::awards::{FoundAwards, PollAwards};
use crate::feeds::http::{HttpFetcher, HttpSettings};
use crate::feeds::poller::{
    FeedSpec, MAX_VALUE_NOTICES, PagesRead, PollPlan, Progress, ScoredFetch, Scorer, fetch_and_score,
    fetch_award_values, fetch_poll_into, plan_poll, poll_awards, state_after,
};
use crate::model::{FeedState, NoticeId, StoredAward};
use crate::runtime;
use crate::store::postgres::{self, PollLock};
use crate::store::{PolledAwards, Store, UpsertSummary};

mod stager;

use stager::Stager;

/// Where a poll's notices and sync state go.
enum Target<'a> {
    /// The SQLite file, behind the thread that stages each page as it arrives.
    Sqlite(Stager),
    /// A PostgreSQL connection holding the poll lock.
    Postgres(&'a mut tokio_postgres::Client),
}

/// One feed's poll, read: staged page by page (SQLite) or held whole (PostgreSQL).
enum Read {
    Staged(PagesRead),
    Held(ScoredFetch),
}

impl Read {
    fn progress(&self) -> &Progress {
        match self {
            Read::Staged(read) => &read.progress,
            Read::Held(fetched) => &fetched.progress,
        }
    }

    fn warnings(&self) -> &[String] {
        match self {
            Read::Staged(read) => &read.warnings,
            Read::Held(fetched) => &fetched.warnings,
        }
    }

    fn fetched(&self) -> usize {
        match self {
            Read::Staged(read) => read.notices,
            Read::Held(fetched) => fetched.scored.len(),
        }
    }

    fn awards(&self) -> &PollAwards {
        match self {
            Read::Staged(read) => &read.awards,
            Read::Held(fetched) => &fetched.awards,
        }
    }
}

impl Target<'_> {
    async fn load_feed_states(&self) -> Result<HashMap<String, FeedState>> {
        let states = match self {
            Target::Sqlite(stager) => stager.feed_states().await?,
            Target::Postgres(client) => postgres::poll::load_feed_states(client).await?,
        };
        Ok(states)
    }

    /// Reads one feed's poll: into the staging table page by page, or whole into memory.
    async fn read(
        &self,
        fetcher: &HttpFetcher,
        spec: &FeedSpec,
        plan: &PollPlan,
        score: &Scorer,
    ) -> Result<Read, FeedError> {
        match self {
            Target::Sqlite(stager) => {
                let mut sink = stager.sink(&spec.name);
                let mut read = fetch_poll_into(fetcher, spec, plan, &mut sink).await?;
                // The award search beside the competitions (`poller::awards`), as the dashboard's.
                read.awards = poll_awards(fetcher, spec, plan, std::mem::take(&mut read.awards)).await;
                Ok(Read::Staged(read))
            }
            Target::Postgres(_) => fetch_and_score(fetcher, spec, plan, Arc::clone(score))
                .await
                .map(Read::Held),
        }
    }

    /// Saves a poll that was read, with the feed's new state, in one transaction.
    async fn save(&mut self, feed: &str, read: Read, state: FeedState, now: Timestamp) -> Result<UpsertSummary> {
        let summary = match (self, read) {
            (Target::Sqlite(stager), _) => stager.commit(feed, state, now).await?,
            (Target::Postgres(client), Read::Held(fetched)) => {
                postgres::save_fetch(client, feed, &fetched.scored, &state, now).await?
            }
            // `read` never stages for PostgreSQL; said plainly rather than panicking if it ever did.
            (Target::Postgres(_), Read::Staged(_)) => {
                return Err(eyre!(
                    "{feed}: the poll was staged for SQLite but the target is PostgreSQL; nothing was saved"
                ));
            }
        };
        Ok(summary)
    }

    /// The award notices among `fresh` whose value is read from their XML (see
    /// [`Store::award_values_wanted`]); none for PostgreSQL.
    async fn award_values_wanted(&self, fresh: &[StoredAward]) -> Result<Vec<NoticeId>> {
        match self {
            Target::Sqlite(stager) => Ok(stager.award_values_wanted(fresh.to_vec()).await?),
            Target::Postgres(_) => Ok(Vec::new()),
        }
    }

    /// Saves a poll's awards after its notices; `None` for PostgreSQL, which has no award tables
    /// yet, so they are skipped there.
    async fn save_awards(&self, found: &FoundAwards, now: Timestamp) -> Result<Option<PolledAwards>> {
        match self {
            Target::Sqlite(stager) => Ok(Some(stager.save_awards(found.clone(), now).await?)),
            Target::Postgres(_) => Ok(None),
        }
    }

    /// Drops what a failed poll of `feed` left staged.
    async fn discard(&self, feed: &str) -> Result<()> {
        if let Target::Sqlite(stager) = self {
            stager.discard(feed).await?;
        }
        Ok(())
    }
}

/// As [`poll_once`], into PostgreSQL, unless another poll holds the lock: then it says so and
/// exits 0 (the other poll does the work; overlapping cron runs are not failures).
///
/// # Errors
/// The server unreachable, the schema missing (`anbud team init`), a failed save.
pub(super) async fn poll_once_postgres(config: &Config, db: &Database, quiet: bool) -> Result<Exit> {
    let mut client = postgres::connect(db).await?;
    postgres::schema::check(&client).await?;
    let Some(lock) = PollLock::try_take(&client).await? else {
        let mut out = Stdout::new();
        if !quiet {
            out.line(format_args!("skipped: another poll is running"));
        }
        out.finish()?;
        return Ok(Exit::Success);
    };
    let score = runtime::scorer(config)?;
    let exit = run(config, &score, &mut Target::Postgres(&mut client), quiet).await;
    // Freed with the connection anyway; an explicit release only says so sooner.
    let released = lock.release(&client).await;
    let exit = exit?;
    released?;
    Ok(exit)
}

/// Every feed concurrently, one summary line each (with `quiet`, only the error lines).
///
/// Exit 0 when every active feed worked, 1 when some failed, 2 when all failed. A feed that cannot
/// run (Doffin without a key) is reported as inactive and does not count as a failure, so a cron
/// job with the default config stays green until the user opts in.
pub(super) async fn poll_once(config: &Config, store: Store, quiet: bool) -> Result<Exit> {
    let score = runtime::scorer(config)?;
    let mut target = Target::Sqlite(Stager::start(store, Arc::clone(&score)));
    let exit = run(config, &score, &mut target, quiet).await;
    if let Target::Sqlite(stager) = target {
        stager.finish();
    }
    exit
}

/// The poll itself, into `target`.
async fn run(config: &Config, score: &Scorer, target: &mut Target<'_>, quiet: bool) -> Result<Exit> {
    let fetcher = HttpFetcher::new(HttpSettings::default()).map_err(|e| eyre!("cannot create the HTTP client: {e}"))?;
    let (active, inactive): (Vec<_>, Vec<_>) = runtime::feed_specs(config)
        .into_iter()
        .partition(|spec| spec.adapter.readiness().is_ok());
    // Lines that cannot be written (`| head -1`) do not stop the poll: every feed is still saved.
    let mut out = Stdout::new();
    if !quiet {
        for spec in &inactive {
            let why = spec.adapter.readiness().err().unwrap_or_default();
            out.line(format_args!("{}: inactive: {why}", spec.name));
        }
    }
    // Resume each feed where its last saved poll ended: the rest of a window cut short at
    // max_pages, else from its high-water mark (less an overlap), with the validators it saved, so
    // an unchanged feed answers 304.
    let mut states = target
        .load_feed_states()
        .await
        .map_err(|e| eyre!("cannot load the feeds' sync state: {e}"))?;
    let started = Timestamp::now();
    let saved: Vec<_> = active
        .iter()
        .map(|spec| states.remove(&spec.name).unwrap_or_default())
        .collect();
    let plans: Vec<_> = active
        .iter()
        .zip(&saved)
        .map(|(spec, state)| plan_poll(&*spec.adapter, state, config.lookback, started))
        .collect();
    let results = {
        let target = &*target;
        futures::future::join_all(
            active
                .iter()
                .zip(&plans)
                .map(|(spec, plan)| target.read(&fetcher, spec, plan, score)),
        )
        .await
    };
    let mut failed = 0;
    let mut award_failed = 0;
    for (((spec, result), plan), saved) in active.iter().zip(results).zip(&plans).zip(&saved) {
        match result {
            Ok(read) => {
                let now = Timestamp::now();
                let validators = match &read {
                    Read::Staged(read) => read.validators.clone(),
                    Read::Held(fetched) => fetched.validators.clone(),
                };
                let state = state_after(saved, plan, read.progress(), validators, started, now);
                let (warnings, fetched) = (read.warnings().to_vec(), read.fetched());
                let poll_awards = read.awards().clone();
                let summary = target.save(&spec.name, read, state, now).await?;
                // After the notices, so the awards link to the competitions of the same poll.
                let awards = if poll_awards.found.is_empty() {
                    None
                } else {
                    target.save_awards(&poll_awards.found, now).await?
                };
                // Doffin names winners in its hits but the value only in the notice's XML: read
                // for the awards of followed competitions, within the rate limit.
                let wanted = match &awards {
                    Some(saved) => target.award_values_wanted(&saved.fresh).await?,
                    None => Vec::new(),
                };
                let mut values = None;
                if !wanted.is_empty() {
                    let (found, failures) = fetch_award_values(&fetcher, &*spec.adapter, &wanted).await;
                    let read = found.awards.iter().filter(|a| a.value.is_some()).count();
                    target.save_awards(&found, Timestamp::now()).await?;
                    values = Some((wanted.len().min(MAX_VALUE_NOTICES), read, failures));
                }
                if !quiet {
                    for warning in warnings.iter().chain(&poll_awards.warnings) {
                        out.line(format_args!("{}: warning: {warning}", spec.name));
                    }
                    out.line(format_args!(
                        "{}: {} new, {} updated, {} matched, {} fetched",
                        spec.name, summary.new, summary.updated, summary.matched, fetched
                    ));
                    if let Some(saved) = awards.as_ref().filter(|s| s.relinked > 0) {
                        out.line(format_args!(
                            "{}: awards: {} stored earlier now linked to a competition",
                            spec.name, saved.relinked
                        ));
                    }
                    // A poll whose pages only gave competition keys has no award line.
                    if let Some(saved) = awards.filter(|s| s.summary.rows > 0) {
                        out.line(format_args!(
                            "{}: awards: {} new or changed, {} rows of {} award notices, {} linked to a competition",
                            spec.name,
                            saved.fresh.len(),
                            saved.summary.rows,
                            saved.summary.notices,
                            saved.summary.linked
                        ));
                    }
                    if let Some((asked, read, failures)) = &values {
                        for failure in failures {
                            out.line(format_args!("{}: warning: award value not read: {failure}", spec.name));
                        }
                        out.line(format_args!(
                            "{}: award values: {read} read from the XML of {asked} notices of followed competitions",
                            spec.name
                        ));
                    }
                }
                // An error line even with --quiet, so cron mails it; the notices are saved.
                if let Some(error) = &poll_awards.error {
                    award_failed += 1;
                    out.line(format_args!(
                        "{}: error: award search failed (the notices were saved): {error}",
                        spec.name
                    ));
                }
            }
            Err(e) => {
                failed += 1;
                target.discard(&spec.name).await?;
                out.line(format_args!(
                    "{}: error: {}",
                    spec.name,
                    e.user_message(spec.adapter.kind())
                ));
            }
        }
    }
    if active.is_empty() {
        // Otherwise a quiet cron job with every feed inactive would fail without a word.
        out.line(format_args!(
            "no active feed: every configured feed is disabled or missing its API key"
        ));
    }
    out.finish()?;
    Ok(match failed {
        _ if active.is_empty() => Exit::NoFeedWorked,
        // Every feed's notices were saved, but an award search failed: exit 1, as for a feed.
        0 if award_failed > 0 => Exit::SomeFeedsFailed,
        0 => Exit::Success,
        n if n == active.len() => Exit::NoFeedWorked,
        _ => Exit::SomeFeedsFailed,
    })
}

//! The composition root: everything anbud reads and builds before its first frame, written once
//! and used by the binary (`runtime::dashboard`), the benches (`corpus::dashboard`) and the tests.

use std::sync::Arc;

use color_eyre::eyre::{Result, WrapErr};
use jiff::Timestamp;

use super::io::Io;
use crate::app::AppState;
use crate::config::database::{Database, PollMode};
use crate::config::{Config, FeedSettings};
use crate::feeds::FeedAdapter;
use crate::feeds::doffin::{DoffinAdapter, DoffinSettings};
use crate::feeds::ocds::{OcdsAdapter, OcdsSettings};
use crate::feeds::poller::{FeedSpec, Scorer};
use crate::feeds::syndication::{RssAdapter, RssSettings};
use crate::feeds::ted::{TedAdapter, TedSettings};
use crate::matching::MatcherSet;
use crate::store::postgres::team;
use crate::store::{Store, StoreEvent, StoreHandle};

/// Where the dashboard's data lives; the store thread serves either the same way.
pub enum Backend {
    /// The single-user SQLite file.
    Sqlite(Store),
    /// Team mode: a PostgreSQL server, live from where the first screen was read.
    Team(Box<Database>, team::Resume),
}

impl Backend {
    /// Starts the store thread for this backend, answering on `events`.
    pub fn spawn(self, events: tokio::sync::mpsc::Sender<StoreEvent>) -> StoreHandle {
        match self {
            Backend::Sqlite(store) => StoreHandle::spawn(store, events),
            Backend::Team(db, resume) => team::spawn(*db, resume, events),
        }
    }
}

/// The start-up sequence, in two steps so a headless caller can stop after the first: [`prepare`]
/// reads the store and builds the core (all the first frame needs), [`Startup::start`] spawns the
/// poller and the store thread and queues the background work (the rest of the records, a re-score).
///
/// [`prepare`]: Startup::prepare
pub struct Startup {
    /// The core, ready to draw the first frame.
    pub core: AppState,
    store: Backend,
    /// The feeds, each resuming where its last saved poll ended.
    specs: Vec<FeedSpec>,
    /// The store holds more than the first screen: the store thread reads the rest.
    partial: bool,
    /// The stored scores came from other profiles (or another matcher): re-score under this fingerprint.
    rescore: Option<String>,
}

impl std::fmt::Debug for Startup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Startup")
            .field("partial", &self.partial)
            .field("rescore", &self.rescore)
            .finish_non_exhaustive()
    }
}

impl Startup {
    /// Reads what the first frame is drawn from (the best-scored notices, the decisions log, each
    /// feed's saved state) and builds the core as of `now`.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub fn prepare(config: &Config, store: Store, now: Timestamp) -> Result<Startup> {
        let (records, partial) = first_screen(&store).wrap_err("cannot load saved notices")?;
        // Scores computed with other profiles (or another version's matcher) are redone in the background.
        let fingerprint = crate::matching::set::fingerprint(&config.profiles);
        let stale_scores =
            store.scored_with().wrap_err("cannot read the database")?.as_deref() != Some(fingerprint.as_str());
        let feeds: Vec<String> = config.feeds.iter().map(|f| f.name.clone()).collect();
        let specs = resumed_specs(config, &store)?;
        // Undo and redo reach back into earlier sessions (kept to the last 500 decisions).
        let history = store.load_history(500).wrap_err("cannot load the decisions log")?;
        // Every stored award: the linked ones show on the notices they conclude, and all of them
        // count on the Market screen (in your space or not: a buyer's history shows them all).
        let awards = store
            .awards(&crate::store::AwardQuery::default())
            .wrap_err("cannot read the stored awards")?;
        let decided = store.bid_decision_times().wrap_err("cannot read the decisions log")?;
        let own = crate::app::market::OwnIdentity::new(&config.own_org_ids, &config.own_names);
        let mut core = AppState::new(records, &feeds, now)
            .with_award_scorer(scorer(config)?)
            .with_market_settings(config.retender_lead, own)
            .with_decision_times(decided)
            .with_awards(awards);
        core = with_settings(core, config, &specs, history);
        if partial {
            core = core.loading_rest();
        }
        Ok(Startup {
            core,
            store: Backend::Sqlite(store),
            specs,
            partial,
            rescore: stale_scores.then_some(fingerprint),
        })
    }

    /// [`Startup::prepare`] for team mode: the first screen, this member's history and (with
    /// `poll = "client"`) the feeds' state come from the shared database. Scores are the poller's
    /// (the team's shared profiles), so nothing is re-scored here.
    ///
    /// # Errors
    /// When the server cannot be reached, is not initialised, or a row is unreadable.
    pub async fn prepare_team(config: &Config, db: &Database, now: Timestamp) -> Result<Startup> {
        let opened = team::open(db).await.wrap_err("cannot open the shared database")?;
        let mut specs = Vec::new();
        if db.poll == PollMode::Client {
            let client = crate::store::postgres::connect(db).await?;
            let mut states = crate::store::postgres::poll::load_feed_states(&client).await?;
            specs = feed_specs(config);
            for spec in &mut specs {
                spec.state = states.remove(&spec.name).unwrap_or_default();
            }
        }
        let feeds: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
        let team::Opened {
            records,
            partial,
            history,
            me,
            resume,
        } = opened;
        let mut core = with_settings(AppState::new(records, &feeds, now), config, &specs, history).with_team(&me);
        if partial {
            core = core.loading_rest();
        }
        Ok(Startup {
            core,
            store: Backend::Team(Box::new(db.clone()), resume),
            specs,
            partial,
            rescore: None,
        })
    }

    /// Starts the poller and the store thread, then asks the store for the rest of the records and
    /// the re-score when [`Startup::prepare`] found them needed.
    ///
    /// # Errors
    /// When the HTTP client or the matcher cannot be built.
    pub fn start(self, config: &Config) -> Result<(AppState, Io)> {
        let Startup {
            core,
            store,
            specs,
            partial,
            rescore,
        } = self;
        let mut io = Io::start_with(config, store, specs)?;
        if partial {
            io.load_rest();
        }
        if let Some(fingerprint) = rescore {
            io.rescore(scorer(config)?, fingerprint);
        }
        Ok((core, io))
    }
}

/// What the core takes from the config and the store whichever the backend: the undo history,
/// the reject reasons, notifications, the sources panel's feeds, and the profile `E` suggests
/// exclusions for.
fn with_settings(core: AppState, config: &Config, specs: &[FeedSpec], history: crate::store::History) -> AppState {
    let mut core = core
        .with_history(history)
        .with_reject_reasons(config.reject_reasons.clone())
        .with_notifications(config.notify_min_score)
        .with_source_settings(&feed_sources(specs), config.stale_after);
    if let Some(first) = config.profiles.first() {
        let writable = config.profile_files.iter().any(|(name, _)| *name == first.name);
        core = core.with_suggestions_for(first.clone(), writable);
    }
    core
}

/// Builds the poller's view of the configured feeds.
pub fn feed_specs(config: &Config) -> Vec<FeedSpec> {
    config
        .feeds
        .iter()
        .map(|feed| {
            let adapter: Arc<dyn FeedAdapter> = match &feed.settings {
                FeedSettings::Ted { path, countries } => {
                    let defaults = TedSettings::default();
                    Arc::new(TedAdapter::new(TedSettings {
                        base_url: feed.base_url.clone(),
                        path: path.clone().unwrap_or(defaults.path),
                        countries: countries.clone(),
                        cpv_families: config.cpv_families(),
                        page_size: feed.page_size,
                        awards: feed.awards,
                    }))
                }
                FeedSettings::Doffin { api_key_env, api_key } => {
                    let api_key_env = api_key_env
                        .clone()
                        .unwrap_or_else(|| DoffinSettings::default().api_key_env);
                    // Keys come from the environment only, never from files in the repo.
                    let api_key = api_key
                        .clone()
                        .or_else(|| std::env::var(&api_key_env).ok())
                        .filter(|k| !k.trim().is_empty());
                    Arc::new(DoffinAdapter::new(DoffinSettings {
                        base_url: feed.base_url.clone(),
                        api_key,
                        api_key_env,
                        search_strings: Vec::new(),
                        cpv_codes: config.cpv_families(),
                        page_size: feed.page_size,
                        awards: feed.awards,
                    }))
                }
                FeedSettings::Rss { source } => Arc::new(RssAdapter::new(RssSettings {
                    // The full feed URL, query included (some portals put a saved search there).
                    url: feed.base_url.clone(),
                    source: source.clone().unwrap_or_else(|| RssSettings::default().source),
                })),
                FeedSettings::Ocds {
                    path,
                    source,
                    notice_url,
                } => {
                    let defaults = OcdsSettings::default();
                    let is_fts = feed.base_url == defaults.base_url;
                    Arc::new(OcdsAdapter::new(OcdsSettings {
                        base_url: feed.base_url.clone(),
                        path: path.clone().unwrap_or(defaults.path),
                        page_size: feed.page_size.min(100),
                        // Find a Tender's releases link no notice page: default its label and template.
                        source: source.clone().unwrap_or_else(|| {
                            if is_fts {
                                defaults.source.clone()
                            } else {
                                "ocds".to_owned()
                            }
                        }),
                        notice_url_template: notice_url.clone().or(if is_fts {
                            defaults.notice_url_template
                        } else {
                            None
                        }),
                        awards: feed.awards,
                    }))
                }
            };
            FeedSpec {
                name: feed.name.clone(),
                adapter,
                interval: feed.interval,
                lookback: config.lookback,
                max_pages: feed.max_pages,
                state: crate::model::FeedState::default(),
            }
        })
        .collect()
}

/// The feeds, each resuming where its last saved poll ended (high-water mark, validators).
pub(super) fn resumed_specs(config: &Config, store: &Store) -> Result<Vec<FeedSpec>> {
    let mut states = store.load_feed_states().wrap_err("cannot load the feeds' sync state")?;
    let mut specs = feed_specs(config);
    for spec in &mut specs {
        spec.state = states.remove(&spec.name).unwrap_or_default();
    }
    Ok(specs)
}

/// Each feed's name, the `source` its notices carry (`ted`, `doffin`, `fts`, …) and its last saved
/// success, so the sources panel counts stored notices per feed and dates failures before a poll.
fn feed_sources(specs: &[FeedSpec]) -> Vec<crate::app::sources::SourceSetting> {
    specs
        .iter()
        .map(|spec| crate::app::sources::SourceSetting {
            feed: spec.name.clone(),
            source: spec.adapter.kind().to_owned(),
            last_success: spec.state.last_success,
        })
        .collect()
}

/// The scoring function the poller applies at ingest.
///
/// # Errors
/// When the profile does not compile.
pub fn scorer(config: &Config) -> Result<Scorer> {
    let matcher = MatcherSet::new(&config.profiles).wrap_err("a matching profile is invalid")?;
    // Deadline filters are judged at ingest, against the time the notice arrives.
    Ok(Arc::new(move |notice| matcher.evaluate_at(notice, Timestamp::now())))
}

/// How many of the best-scored notices the first frame is drawn from (a screen needs ~50; the rest
/// covers the first tabs a user opens while the store reads everything).
const FIRST_SCREEN: usize = 2_000;

/// The records the first frame is drawn from (the best-scored `FIRST_SCREEN`), and whether there
/// are more: then the store thread reads the rest (`StoreCommand::LoadAll`) while the user looks.
///
/// # Errors
/// When the store cannot be read.
pub fn first_screen(store: &Store) -> Result<(Vec<crate::model::NoticeRecord>, bool), crate::store::StoreError> {
    let records = store.load_best(FIRST_SCREEN)?;
    let partial = records.len() == FIRST_SCREEN;
    Ok((records, partial))
}

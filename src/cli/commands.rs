//! What each subcommand does. Errors before the terminal is touched print plainly and exit non-zero.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, eyre};
use jiff::Timestamp;
use serde_json::json;

use super::{Cli, Command};
use crate::config::{self, Config};
use crate::feeds::http::{HttpFetcher, HttpSettings};
use crate::feeds::poller::fetch_feed;
use crate::model::NoticeRecord;
use crate::store::{StatusFilter, Store};
use crate::{export, runtime};

/// Exit code when the config is invalid or every feed failed.
const EXIT_FATAL: u8 = 2;

/// Runs the command line with these arguments.
pub fn main_with(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_FATAL)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if cli.print_default_config {
        print!("{}", config::DEFAULT_TOML);
        return ExitCode::SUCCESS;
    }
    let user_file = cli.config.clone().or_else(config::user_config_path);
    let config = match config::load(user_file.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("anbud: invalid configuration: {e}");
            return ExitCode::from(EXIT_FATAL);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("anbud: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("anbud: {e:?}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli, config: Config) -> Result<ExitCode> {
    match cli.command {
        None => {
            let store = open_store(cli.db.as_deref())?;
            runtime::dashboard(&config, store).await?;
        }
        Some(Command::Demo) => super::demo::run(config, cli.db.as_deref()).await?,
        Some(Command::Poll { once }) => {
            if !once {
                return Err(eyre!(
                    "only `anbud poll --once` exists; the dashboard polls continuously"
                ));
            }
            let store = open_store(cli.db.as_deref())?;
            return poll_once(&config, store).await;
        }
        Some(Command::Eval { file, profile, json }) => {
            return super::eval::run(&config, &file, profile.as_deref(), json, &mut io::stdout().lock());
        }
        Some(Command::List { status, json }) => {
            let store = open_store(cli.db.as_deref())?;
            print_list(&store.records(status.into())?, json)?;
        }
        Some(Command::Export { status, output }) => {
            let store = open_store(cli.db.as_deref())?;
            let records = store.records(StatusFilter::from(status))?;
            match output {
                Some(path) => {
                    let rows = export::write_csv_file(&path, &records)?;
                    eprintln!("wrote {rows} notices to {}", path.display());
                }
                None => {
                    export::write_csv(io::stdout().lock(), &records)?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The database at `path`, or in the platform data directory.
pub(super) fn open_store(path: Option<&Path>) -> Result<Store> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => default_db_path()?,
    };
    Store::open(&path).wrap_err_with(|| format!("cannot open the database {}", path.display()))
}

fn default_db_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("no", "anbud", "anbud")
        .ok_or_else(|| eyre!("no home directory found: pass --db FILE"))?;
    Ok(dirs.data_dir().join("anbud.db"))
}

/// `poll --once`: every feed concurrently, one summary line each.
///
/// Exit 0 when every active feed worked, 1 when some failed, 2 when all failed. A feed that cannot
/// run (Doffin without a key) is reported as inactive and does not count as a failure, so a cron
/// job with the default config stays green until the user opts in.
async fn poll_once(config: &Config, mut store: Store) -> Result<ExitCode> {
    let fetcher = HttpFetcher::new(HttpSettings::default()).map_err(|e| eyre!("cannot create the HTTP client: {e}"))?;
    let score = runtime::scorer(config)?;
    let (active, inactive): (Vec<_>, Vec<_>) = runtime::feed_specs(config)
        .into_iter()
        .partition(|spec| spec.adapter.readiness().is_ok());
    for spec in &inactive {
        let why = spec.adapter.readiness().err().unwrap_or_default();
        println!("{}: inactive: {why}", spec.name);
    }
    let since = Timestamp::now() - config.lookback;
    let results = futures::future::join_all(active.iter().map(|spec| fetch_feed(&fetcher, spec, since))).await;
    let mut failed = 0;
    for (spec, result) in active.iter().zip(results) {
        match result {
            Ok(notices) => {
                let scored: Vec<_> = notices
                    .into_iter()
                    .map(|n| (score(&n), n))
                    .map(|(r, n)| (n, r))
                    .collect();
                let summary = store.upsert_notices(&scored, Timestamp::now())?;
                println!(
                    "{}: {} new, {} updated, {} matched, {} fetched",
                    spec.name,
                    summary.new,
                    summary.updated,
                    summary.matched,
                    scored.len()
                );
            }
            Err(e) => {
                failed += 1;
                println!("{}: error: {e}", spec.name);
            }
        }
    }
    Ok(match failed {
        _ if active.is_empty() => ExitCode::from(EXIT_FATAL),
        0 => ExitCode::SUCCESS,
        n if n == active.len() => ExitCode::from(EXIT_FATAL),
        _ => ExitCode::FAILURE,
    })
}

fn print_list(records: &[NoticeRecord], as_json: bool) -> Result<()> {
    let mut out = io::stdout().lock();
    for record in records {
        let n = &record.notice;
        if as_json {
            let line = json!({
                "source": n.source,
                "id": n.native_id,
                "key": n.id,
                "title": n.title,
                "buyer": n.buyer,
                "country": n.country,
                "cpv": n.cpv,
                "deadline": n.deadline.map(|d| d.to_string()),
                "published": n.published.map(|d| d.to_string()),
                "score": record.relevance.score,
                "matched": record.relevance.matched,
                "matched_terms": record.relevance.matched_terms(),
                "status": record.triage.as_str(),
                "note": record.note,
                "url": n.url,
            });
            writeln!(out, "{line}")?;
        } else {
            let deadline = n
                .deadline
                .map_or_else(|| "-".to_owned(), |d| d.strftime("%Y-%m-%d").to_string());
            writeln!(
                out,
                "{:>4}  {:<10}  {:<11}  {:<6}  {}  ({})",
                record.relevance.score,
                deadline,
                record.triage.as_str(),
                n.source,
                n.title,
                n.buyer
            )?;
        }
    }
    Ok(())
}

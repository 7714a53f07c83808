//! What each subcommand does. Errors before the terminal is touched print plainly and exit non-zero.

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, eyre};
use jiff::Timestamp;

use super::list::ListFilter;
use super::output::say;
use super::output::{self, Stdout};
use super::{Cli, Command, Exit, ListFormat};
use crate::config::database::Storage;
use crate::config::{self, Config};
use crate::export::{self, ExportOptions};
use crate::matching::Profile;
use crate::model::normalize_tags;
use crate::runtime;
use crate::store::{StatusFilter, Store, StoreError};

/// Runs the command line with these arguments.
pub fn main_with(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // `--help` and `--version` arrive here too, printed to stdout, which may be a closed pipe.
        Err(e) => {
            return match e.print() {
                // A usage error is status 2 whether or not its message could be written.
                _ if e.use_stderr() => Exit::BadInput.into(),
                Ok(()) => Exit::Success.into(),
                Err(io) if io.kind() == io::ErrorKind::BrokenPipe => Exit::Success.into(),
                Err(io) => {
                    say!("anbud: cannot write to standard output: {io}");
                    Exit::Failure.into()
                }
            };
        }
    };
    // Printed as bundled, before any config is read: they are what a user copies to write one.
    let bundled_text = match (&cli.print_profile, cli.print_default_config) {
        (Some(name), _) => Profile::bundled_text(name),
        (None, true) => Some(config::DEFAULT_TOML),
        (None, false) => None,
    };
    if let Some(text) = bundled_text {
        return output::print_all(text.as_bytes())
            .map_or_else(|e| output::exit_after(&e.into()), |()| Exit::Success)
            .into();
    }
    let user_file = cli.config.clone().or_else(config::user_config_path);
    let config = match config::load(user_file.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            say!("anbud: invalid configuration: {e}");
            return Exit::BadInput.into();
        }
    };
    let storage = match config.database.storage(cli.db.as_deref()) {
        Ok(storage) => storage,
        Err(e) => {
            say!("anbud: {e}");
            return Exit::BadInput.into();
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            say!("anbud: cannot start the async runtime: {e}");
            return Exit::Failure.into();
        }
    };
    match runtime.block_on(dispatch(cli, config, storage)) {
        Ok(exit) => exit,
        Err(e) => output::exit_after(&e),
    }
    .into()
}

/// `--columns` when given (checked here, so a typo is a usage error naming the column), else the
/// config's `csv_columns`, else the default set.
fn chosen_columns(given: &[String], config: &Config) -> Result<Option<Vec<&'static str>>> {
    if given.is_empty() {
        return Ok(config.csv_columns.clone());
    }
    export::parse_columns(given)
        .map(Some)
        .map_err(|e| eyre!("--columns: {e}"))
}

async fn dispatch(cli: Cli, config: Config, storage: Storage) -> Result<Exit> {
    match cli.command {
        None => {
            if let Storage::Postgres(db) = &storage {
                runtime::team_dashboard(&config, db).await?;
                return Ok(Exit::Success);
            }
            let mut store = open_store(sqlite_path(&storage)?)?;
            // A new database has nothing to re-score: the first polls score with these profiles.
            store
                .adopt_profiles_if_empty(&crate::matching::set::fingerprint(&config.profiles))
                .wrap_err("cannot write to the database")?;
            runtime::dashboard(&config, store).await?;
        }
        Some(Command::Demo) => {
            // The demo keeps to a scratch database unless --db names one: never a team's server.
            let db = if cli.db.is_some() { sqlite_path(&storage)? } else { None };
            super::demo::run(config, db).await?;
        }
        Some(Command::Poll { once, quiet }) => {
            if !once {
                return Err(eyre!(
                    "only `anbud poll --once` exists; the dashboard polls continuously"
                ));
            }
            if let Storage::Postgres(db) = &storage {
                return super::poll::poll_once_postgres(&config, db, quiet).await;
            }
            let store = open_store(sqlite_path(&storage)?)?;
            return super::poll::poll_once(&config, store, quiet).await;
        }
        Some(Command::Eval {
            file,
            profile,
            json,
            folds,
        }) => {
            let options = super::eval::Options {
                profile: profile.as_deref(),
                json,
                folds: folds.map(usize::from),
            };
            return super::eval::run(&config, &file, &options, &mut Stdout::new());
        }
        Some(Command::List {
            status,
            min_score,
            since,
            format,
            json,
            tag,
            columns,
            assignee,
        }) => {
            let columns = chosen_columns(&columns, &config)?;
            let filter = ListFilter {
                min_score,
                since,
                now: now()?,
                tags: normalize_tags(tag.iter().map(String::as_str)),
            };
            let format = if json { ListFormat::Json } else { format };
            let records = if let Storage::Postgres(db) = &storage {
                super::team::shared_records(db, status.into(), assignee.as_deref(), filter.now).await?
            } else if assignee.is_some() {
                say!("anbud: --assignee is for team mode (a shared PostgreSQL database): one user owns every bid");
                return Ok(Exit::BadInput);
            } else {
                open_store(sqlite_path(&storage)?)?.records(status.into())?
            };
            super::list::print(&records, &filter, format, &config.timezone, columns)?;
        }
        Some(Command::Export {
            status,
            output,
            format,
            delimiter,
            bom,
            tag,
            columns,
        }) => {
            let columns = chosen_columns(&columns, &config)?;
            let tags = normalize_tags(tag.iter().map(String::as_str));
            // In team mode the shortlist is the team's: read from the shared database.
            let mut records = if let Storage::Postgres(db) = &storage {
                super::team::shared_records(db, StatusFilter::from(status), None, now()?).await?
            } else {
                open_store(sqlite_path(&storage)?)?.records(StatusFilter::from(status))?
            };
            records.retain(|r| tags.iter().all(|t| r.tags().contains(t)));
            let options = ExportOptions {
                format: format.into(),
                delimiter,
                bom,
                timezone: config.timezone.clone(),
                now: now()?,
                columns,
            };
            match output {
                Some(path) => {
                    let rows = export::write_file(&path, &records, &options)?;
                    let what = if options.format == export::Format::Ics {
                        crate::model::plural::count(rows, "event", "events")
                    } else {
                        crate::model::plural::notices(rows)
                    };
                    say!("wrote {what} to {}", path.display());
                }
                None => {
                    export::write_to(Stdout::new(), &records, &options).map_err(export_failure)?;
                }
            }
        }
        Some(Command::Digest { since, format }) => {
            let store = open_store(sqlite_path(&storage)?)?;
            super::digest::print(&config, &store, since, format, now()?)?;
        }
        Some(Command::Awards {
            buyer,
            winner,
            cpv,
            expiring,
            format,
            import,
        }) => {
            let mut store = open_store(sqlite_path(&storage)?)?;
            let now = now()?;
            let request = super::awards::Request {
                query: crate::store::AwardQuery {
                    buyer,
                    winner,
                    cpv_prefix: cpv,
                    ending: None,
                    linked_only: false,
                },
                expiring,
                format,
                import,
                today: now.to_zoned(config.timezone.clone()).date(),
                now,
                lead: config.retender_lead,
            };
            return super::awards::run(&mut store, &config, request);
        }
        Some(Command::Team { command }) => return super::team::run(command, &storage).await,
        Some(Command::Completions { shell }) => super::generate::completions(shell)?,
        Some(Command::Man) => super::generate::man()?,
    }
    Ok(Exit::Success)
}

/// An export error as a report whose chain holds the write error itself, so a closed standard
/// output is recognised (see [`output::exit_after`]).
pub(super) fn export_failure(error: export::ExportError) -> color_eyre::eyre::Report {
    match error {
        export::ExportError::Write(io) => eyre!(io).wrap_err("cannot write the export"),
        other @ export::ExportError::File { .. } => other.into(),
    }
}

/// The current time, or `ANBUD_NOW` (RFC 3339) when set: a testing aid that freezes `list --since`,
/// `digest` and the calendar's DTSTAMP.
fn now() -> Result<Timestamp> {
    match std::env::var("ANBUD_NOW") {
        Ok(text) => text
            .parse()
            .wrap_err_with(|| format!("ANBUD_NOW={text} is not an RFC 3339 time such as 2026-11-22T07:00:00Z")),
        Err(_) => Ok(Timestamp::now()),
    }
}

/// The SQLite file to use, if `--db` named one; an error for the commands that do not work on a
/// shared PostgreSQL database yet (`digest`, `awards`: the server has no award tables).
fn sqlite_path(storage: &Storage) -> Result<Option<&Path>> {
    match storage {
        Storage::Sqlite(path) => Ok(path.as_deref()),
        Storage::Postgres(db) => Err(eyre!(
            "{} is a PostgreSQL database (team mode): the dashboard, `list`, `export`, `team …` and \
             `poll --once` work on it; this command needs a single user's SQLite file: pass --db FILE",
            db.url
        )),
    }
}

/// The database at `path` (`--db`), or in the platform data directory.
///
/// The default folder is created on first use; a `--db` folder must exist, because a typo in it
/// would otherwise start a new, empty database silently.
pub(super) fn open_store(path: Option<&Path>) -> Result<Store> {
    let path = match path {
        Some(p) => {
            if let Some(folder) = p.parent().filter(|f| !f.as_os_str().is_empty() && !f.is_dir()) {
                return Err(eyre!(
                    "the folder {} for --db does not exist: create it (mkdir -p) or fix the path",
                    folder.display()
                ));
            }
            p.to_path_buf()
        }
        None => default_db_path()?,
    };
    Store::open(&path).map_err(|e| match e {
        // These name the file already.
        StoreError::Open { .. }
        | StoreError::CreateDir { .. }
        | StoreError::NotAnbud { .. }
        | StoreError::ReadOnly { .. } => {
            eyre!(e)
        }
        other => eyre!(other).wrap_err(format!("cannot open the database {}", path.display())),
    })
}

fn default_db_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("no", "anbud", "anbud")
        .ok_or_else(|| eyre!("no home directory found: pass --db FILE"))?;
    Ok(dirs.data_dir().join("anbud.db"))
}

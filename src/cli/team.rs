//! `anbud team init` (create or upgrade the PostgreSQL tables) and `anbud team sql --members …`
//! (the roles and grants, printed for an admin).

use std::io::Write;

use color_eyre::eyre::{Result, eyre};

use super::output::Stdout;
use super::output::say;
use super::{Exit, TeamCommand};
use crate::config::database::{Database, Storage};
use crate::store::postgres::{self, roles};

/// The shared notices in view `status` (best scored first), with `assignee` (`me`, `none`, or a
/// member's display or role name) when given: `anbud list` in team mode.
///
/// # Errors
/// The server unreachable or not initialised, a row unreadable.
pub(super) async fn shared_records(
    db: &Database,
    status: crate::store::StatusFilter,
    assignee: Option<&str>,
    now: jiff::Timestamp,
) -> Result<Vec<crate::model::NoticeRecord>> {
    let opened = postgres::team::open_all(db).await?;
    let wanted = assignee.map(|who| match who {
        "me" => Some(opened.me.clone()),
        "none" => None,
        other => Some(other.to_owned()),
    });
    let mut records = opened.records;
    records.retain(|r| {
        status.keeps(r, now)
            && wanted
                .as_ref()
                .is_none_or(|who| r.assignee().map(str::to_lowercase) == who.as_deref().map(str::to_lowercase))
    });
    Ok(records)
}

/// Runs one `team` subcommand.
///
/// # Errors
/// No PostgreSQL database configured (for `init`), the server unreachable, a failed migration,
/// standard output failing.
pub(super) async fn run(command: TeamCommand, storage: &Storage) -> Result<Exit> {
    let database = match storage {
        Storage::Postgres(db) => Some(&**db),
        Storage::Sqlite(_) => None,
    };
    let mut out = Stdout::new();
    match command {
        TeamCommand::Init => {
            let db = database.ok_or_else(|| {
                eyre!(
                    "anbud team init needs a PostgreSQL database: --db postgres://ROLE@HOST/DATABASE or [database] url"
                )
            })?;
            init(db, &mut out).await?;
        }
        TeamCommand::Sql { members } => {
            let dbname = database.map(|db| db.url.dbname.as_deref().unwrap_or(&db.url.user));
            match roles::team_sql(&members, dbname) {
                Ok(sql) => out.write_all(sql.as_bytes())?,
                Err(e) => {
                    say!("anbud: --members: {e}");
                    return Ok(Exit::BadInput);
                }
            }
        }
        TeamCommand::Activity { since } => {
            let db =
                database.ok_or_else(|| eyre!("anbud team activity needs the shared database: --db postgres://…"))?;
            let client = postgres::connect(db).await?;
            postgres::schema::check(&client).await?;
            let start = jiff::Timestamp::now()
                .checked_sub(since)
                .unwrap_or(jiff::Timestamp::MIN);
            for line in postgres::team::load::activity(&client, start).await? {
                out.line(format_args!("{line}"));
            }
        }
        TeamCommand::Import { from, member } => {
            let db = database.ok_or_else(|| {
                eyre!("anbud team import needs the shared database: --db postgres://OWNER@HOST/DATABASE")
            })?;
            import(db, &from, &member, &mut out).await?;
        }
    }
    out.finish()?;
    Ok(Exit::Success)
}

/// Moves the single-user file `from` into `db` as `member`'s history and says what it did.
async fn import(db: &Database, from: &std::path::Path, member: &str, out: &mut Stdout) -> Result<()> {
    if !from.exists() {
        return Err(eyre!("--from {}: no such file", from.display()));
    }
    let store = super::commands::open_store(Some(from))?;
    let records = store.records(crate::store::StatusFilter::All)?;
    let log = store.decisions_log()?;
    let mut client = postgres::connect(db).await?;
    postgres::schema::check(&client).await?;
    let source = from
        .file_name()
        .map_or_else(|| "anbud.db".into(), |n| n.to_string_lossy());
    let done = postgres::import::import(&mut client, &source, member, &records, &log, jiff::Timestamp::now())
        .await
        .map_err(|e| eyre!("{e} (import runs as the tables' owner: it writes notices and sets authors)"))?;
    out.line(format_args!(
        "{}: {} new notices, {} decisions logged, {} notices decided, {} left as the team decided, {} notes as comments (as {member})",
        from.display(),
        done.notices,
        done.decisions,
        done.triaged,
        done.kept,
        done.comments
    ));
    Ok(())
}

/// Migrates `db` and says what it did.
async fn init(db: &Database, out: &mut Stdout) -> Result<()> {
    let mut client = postgres::connect(db).await?;
    let migrated = postgres::migrate(&mut client).await?;
    if migrated.applied().is_empty() {
        out.line(format_args!("{}: at schema v{}, nothing to do", db.url, migrated.to));
    } else {
        out.line(format_args!(
            "{}: migrated from schema v{} to v{}",
            db.url, migrated.from, migrated.to
        ));
        out.line(format_args!(
            "next: an admin runs the SQL from `anbud team sql --members NAME,…` to create the roles"
        ));
    }
    Ok(())
}

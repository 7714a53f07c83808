//! The command line: `anbud`, `anbud demo`, `anbud poll --once`, `anbud list`, `anbud export`,
//! `anbud digest`, `anbud team init`, `anbud team sql`, `anbud completions`, `anbud man`,
//! `anbud --print-default-config`, `anbud --print-profile NAME`.
//!
//! Scripts depend on these names and exit codes; change them only with the README.

mod awards;
mod commands;
pub mod demo;
mod digest;
pub mod eval;
mod exit;
mod generate;
mod list;
mod output;
mod poll;
mod team;

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand, ValueEnum};
use jiff::SignedDuration;

pub use commands::main_with;
pub use exit::{EXIT_CODES, Exit};

use crate::matching::Profile;

/// Watch public procurement feeds for health-technology tenders.
#[derive(Debug, Parser)]
#[command(name = "anbud", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// Config file (TOML) overriding the bundled defaults key by key.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite database (default: the platform data directory), or a PostgreSQL server for team
    /// mode: postgres://ROLE@HOST/DATABASE (the password from PGPASSWORD or ~/.pgpass).
    #[arg(long, global = true, value_name = "FILE|URL")]
    pub db: Option<PathBuf>,
    /// Print the bundled default config and exit.
    #[arg(long)]
    pub print_default_config: bool,
    /// Print a bundled matching profile (to copy into a file of your own) and exit.
    #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(Profile::bundled_names()))]
    pub print_profile: Option<String>,
    /// What to do; without a command, open the dashboard.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the dashboard offline, polling bundled real payloads from a server on 127.0.0.1.
    Demo,
    /// Fetch every configured feed, score, store, print a summary per feed.
    #[command(after_help = EXIT_CODES)]
    Poll {
        /// Poll once and exit (the only mode for now; the dashboard polls continuously).
        #[arg(long)]
        once: bool,
        /// Print nothing but errors (for cron: mail only when something failed).
        #[arg(long, short = 'q')]
        quiet: bool,
    },
    /// Print stored notices, best first.
    List {
        /// Which notices (`--view` is the same option).
        #[arg(long, visible_alias = "view", value_enum, default_value_t = StatusArg::Inbox)]
        status: StatusArg,
        /// Only notices scoring at least N.
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        min_score: Option<i32>,
        /// Only notices published within this window, e.g. 24h or 7d (units m, h, d, w).
        #[arg(long, value_name = "WINDOW", value_parser = parse_since)]
        since: Option<SignedDuration>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table, conflicts_with = "json")]
        format: ListFormat,
        /// One JSON object per line (same as `--format json`).
        #[arg(long)]
        json: bool,
        /// Only notices with this tag (repeat for several: a notice needs all of them).
        #[arg(long, value_name = "TAG")]
        tag: Vec<String>,
        /// CSV columns for `--format csv`, comma-separated (default: `csv_columns` from the config).
        #[arg(long, value_name = "NAMES", value_delimiter = ',')]
        columns: Vec<String>,
        /// Team mode: only notices assigned to WHO (`me`, a colleague's name, or `none`).
        #[arg(long, value_name = "WHO")]
        assignee: Option<String>,
    },
    /// Measure the matching profile on labelled notices (JSON lines): precision, recall, F1.
    Eval {
        /// The labelled file, one object per line (id, source, lang, title, description, cpv, buyer, country, relevant).
        file: PathBuf,
        /// Evaluate only this profile (default: every profile the dashboard uses).
        #[arg(long, value_name = "NAME")]
        profile: Option<String>,
        /// Also print one JSON object per notice: id, matched, score, profiles, hits.
        #[arg(long)]
        json: bool,
        /// Also cross-validate in K folds (by id): per fold, fit the threshold on the other
        /// K-1 folds and measure on the held-out one; prints the mean and per-fold figures.
        #[arg(long, value_name = "K", value_parser = clap::value_parser!(u16).range(2..=50))]
        folds: Option<u16>,
    },
    /// Write notices as CSV, JSON lines or an iCalendar file of deadlines.
    Export {
        /// Which notices.
        #[arg(long, value_enum, default_value_t = StatusArg::Shortlisted)]
        status: StatusArg,
        /// Output file, written atomically; without it, the export goes to standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// CSV field separator: ',' or ';' (Excel in a Norwegian locale expects ';').
        #[arg(long, value_name = "CHAR", default_value = ",", value_parser = parse_delimiter)]
        delimiter: u8,
        /// Start the CSV with a UTF-8 byte order mark so Excel reads æøå correctly.
        #[arg(long)]
        bom: bool,
        /// Only notices with this tag (repeat for several: a notice needs all of them).
        #[arg(long, value_name = "TAG")]
        tag: Vec<String>,
        /// CSV columns, comma-separated, from: source, id, title, buyer, country, cpv, deadline,
        /// published, value, currency, status, score, matched_terms, note, url, questions_deadline,
        /// tags, reject_reason, buyer_id, nuts (default: `csv_columns` from the config).
        #[arg(long, value_name = "NAMES", value_delimiter = ',')]
        columns: Vec<String>,
    },
    /// Summarise what is closing, new and awarded, as Markdown or text (for mail).
    Digest {
        /// What counts as new: published within this window, e.g. 24h or 7d.
        #[arg(long, value_name = "WINDOW", default_value = "24h", value_parser = parse_since)]
        since: SignedDuration,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DigestFormatArg::Markdown)]
        format: DigestFormatArg,
    },
    /// Print stored contract awards (who won what, for how much, and when it ends), or import
    /// award notices from recorded files.
    Awards {
        /// Only awards whose buyer name contains this (any case) or whose buyer id is this.
        #[arg(long, value_name = "TEXT")]
        buyer: Option<String>,
        /// Only awards whose winner name contains this (any case) or whose winner id is this.
        #[arg(long, value_name = "TEXT")]
        winner: Option<String>,
        /// Only notices with a CPV code starting with this (e.g. 33 or 3314).
        #[arg(long, value_name = "PREFIX")]
        cpv: Option<String>,
        /// Only contracts whose estimated end is within this horizon from today, ordered by it,
        /// with their re-tender windows: 30d, 8w, 12m (months), 2y.
        #[arg(long, value_name = "HORIZON", value_parser = awards::parse_horizon)]
        expiring: Option<jiff::Span>,
        /// Output format (`ics`: a calendar of re-tender windows).
        #[arg(long, value_enum, default_value_t = awards::AwardsFormat::Table)]
        format: awards::AwardsFormat,
        /// Load award notices from these files (TED search JSON or notice XML, Doffin search JSON or
        /// notice XML, OCDS release packages) and link them; prints nothing on standard output.
        #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["buyer", "winner", "cpv", "expiring"])]
        import: Vec<PathBuf>,
    },
    /// Team mode on PostgreSQL: set up the database, print the roles for an admin.
    Team {
        /// What to do.
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Print a shell completion script to standard output.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output.
    Man,
}

/// `anbud team` subcommands.
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create or upgrade the tables in the PostgreSQL database (run as the role that owns them).
    Init,
    /// Print the SQL an admin runs to create the team's roles: a triager group, a poller role and
    /// one login role per member (no passwords).
    Sql {
        /// The members' role names, comma-separated (lower-case letters, digits, _).
        #[arg(long, value_name = "NAMES", value_delimiter = ',', required = true)]
        members: Vec<String>,
    },
    /// Who did what, when: the team's decisions, assignments, tags and comments, oldest first.
    Activity {
        /// How far back, e.g. 24h or 7d (units m, h, d, w).
        #[arg(long, value_name = "WINDOW", value_parser = parse_since, default_value = "24h")]
        since: SignedDuration,
    },
    /// Move a single-user database's notices, decisions, tags and notes into the shared one, as
    /// MEMBER's (run as the tables' owner; running it again adds nothing twice).
    Import {
        /// The SQLite file (`anbud.db`).
        #[arg(long, value_name = "FILE")]
        from: std::path::PathBuf,
        /// Whose history it is (their role name).
        #[arg(long, value_name = "MEMBER")]
        member: String,
    },
}

/// `list --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns: score, deadline, status, source, title, buyer.
    Table,
    /// One JSON object per line.
    Json,
    /// CSV with the export columns.
    Csv,
}

/// `export --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Json,
    /// iCalendar, one event per deadline.
    Ics,
}

impl From<ExportFormat> for crate::export::Format {
    fn from(value: ExportFormat) -> Self {
        match value {
            ExportFormat::Csv => Self::Csv,
            ExportFormat::Json => Self::Json,
            ExportFormat::Ics => Self::Ics,
        }
    }
}

/// `digest --format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestFormatArg {
    /// Markdown headings and lists.
    Markdown,
    /// Plain text.
    Text,
}

fn parse_since(s: &str) -> Result<SignedDuration, String> {
    crate::export::digest::parse_since(s)
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "," => Ok(b','),
        ";" => Ok(b';'),
        _ => Err(format!("`{s}` is not a supported delimiter: use ',' or ';'")),
    }
}

/// `--status` / `--view` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Matched, undecided and still open.
    Inbox,
    /// Shortlisted.
    Shortlisted,
    /// Bids in progress: bidding or submitted.
    Pipeline,
    /// Bids decided: won or lost (the dashboard's Outcomes tab).
    Outcomes,
    /// Bidding.
    Bidding,
    /// Bid submitted.
    Submitted,
    /// Won.
    Won,
    /// Lost.
    Lost,
    /// Rejected.
    Rejected,
    /// Every stored notice, matched or not.
    All,
}

impl From<StatusArg> for crate::store::StatusFilter {
    fn from(value: StatusArg) -> Self {
        use crate::model::Triage;
        match value {
            StatusArg::Inbox => Self::Inbox,
            StatusArg::Shortlisted => Self::Shortlisted,
            StatusArg::Pipeline => Self::Pipeline,
            StatusArg::Outcomes => Self::Outcomes,
            StatusArg::Bidding => Self::Stage(Triage::Bidding),
            StatusArg::Submitted => Self::Stage(Triage::Submitted),
            StatusArg::Won => Self::Stage(Triage::Won),
            StatusArg::Lost => Self::Stage(Triage::Lost),
            StatusArg::Rejected => Self::Rejected,
            StatusArg::All => Self::All,
        }
    }
}

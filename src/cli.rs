//! The command line: `anbud`, `anbud demo`, `anbud poll --once`, `anbud list`, `anbud export`.
//!
//! Scripts depend on these names and exit codes; change them only with the README.

mod commands;
pub mod demo;
pub mod eval;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

pub use commands::main_with;

/// Watch public procurement feeds for health-technology tenders.
#[derive(Debug, Parser)]
#[command(name = "anbud", version, about)]
pub struct Cli {
    /// Config file (TOML) overriding the bundled defaults key by key.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite database (default: the platform data directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Print the bundled default config and exit.
    #[arg(long)]
    pub print_default_config: bool,
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
    Poll {
        /// Poll once and exit (the only mode for now; the dashboard polls continuously).
        #[arg(long)]
        once: bool,
    },
    /// Print stored notices.
    List {
        /// Which notices.
        #[arg(long, value_enum, default_value_t = StatusArg::Inbox)]
        status: StatusArg,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
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
    },
    /// Write notices as CSV.
    Export {
        /// Which notices.
        #[arg(long, value_enum, default_value_t = StatusArg::Shortlisted)]
        status: StatusArg,
        /// Output file; without it, CSV goes to standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `--status` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Matched and undecided.
    Inbox,
    /// Shortlisted.
    Shortlisted,
    /// Rejected.
    Rejected,
    /// Every stored notice, matched or not.
    All,
}

impl From<StatusArg> for crate::store::StatusFilter {
    fn from(value: StatusArg) -> Self {
        match value {
            StatusArg::Inbox => Self::Inbox,
            StatusArg::Shortlisted => Self::Shortlisted,
            StatusArg::Rejected => Self::Rejected,
            StatusArg::All => Self::All,
        }
    }
}

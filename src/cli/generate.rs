//! `anbud completions SHELL` and `anbud man`: generated from the clap definitions, so they never drift.

use std::io::{self, Write};

use clap::CommandFactory;
use color_eyre::eyre::Result;

use super::Cli;

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "anbud", &mut out);
    out.flush()?;
    Ok(())
}

/// Prints the man page (roff) for `anbud`.
pub(super) fn man() -> Result<()> {
    let mut out = io::stdout().lock();
    // One page; its SUBCOMMANDS section lists every command with its summary.
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(())
}

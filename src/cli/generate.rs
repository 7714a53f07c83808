//! `anbud completions SHELL` and `anbud man`: generated from the clap definitions, so they never drift.

use clap::CommandFactory;
use color_eyre::eyre::Result;

use super::Cli;
use super::output::print_all;

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<()> {
    // Into memory first: `generate` panics when its writer fails (`anbud completions bash | head -1`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "anbud", &mut script);
    print_all(&script)?;
    Ok(())
}

/// Prints the man page (roff) for `anbud`.
pub(super) fn man() -> Result<()> {
    let mut page = Vec::new();
    // One page; its SUBCOMMANDS section lists every command with its summary.
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    print_all(&page)?;
    Ok(())
}

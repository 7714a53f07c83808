//! The `anbud` binary: error reporting, then the command line (see `anbud::cli`).

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    // color-eyre's hook first: ratatui's panic hook, installed later, chains to it after restoring the terminal.
    if let Err(e) = color_eyre::install() {
        // Not `eprintln!`: it panics when stderr is full, and this is only a warning.
        let _ = writeln!(std::io::stderr(), "anbud: cannot install error reporting: {e}");
    }
    anbud::cli::main_with(std::env::args_os())
}

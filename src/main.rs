//! The `anbud` binary: error reporting, then the command line (see `anbud::cli`).

use std::io::Write as _;
use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: a poll's notices are built on one thread and freed on the
/// store's, and glibc spent about a tenth of a 100,000-notice ingest on those cross-thread frees
/// (`malloc_consolidate`, `unlink_chunk`); see `scripts/bench-peers`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // color-eyre's hook first: ratatui's panic hook, installed later, chains to it after restoring the terminal.
    if let Err(e) = color_eyre::install() {
        // Not `eprintln!`: it panics when stderr is full, and this is only a warning.
        let _ = writeln!(std::io::stderr(), "anbud: cannot install error reporting: {e}");
    }
    anbud::cli::main_with(std::env::args_os())
}

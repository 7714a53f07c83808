//! Standard output for everything the command line prints, with its failures told apart.
//!
//! `anbud list | head -1` closes the pipe once it has its line: that is the reader's choice, so a
//! closed pipe (EPIPE) ends the command quietly with status 0, like other Unix tools. Any other
//! failure (ENOSPC: a full disk, `> /dev/full`) is one line on stderr and status 1. `print!` would
//! panic in both cases, so nothing on a path a user can pipe prints with it.

use std::fmt;
use std::io::{self, ErrorKind, Write};

/// A line on standard error that cannot fail the command: `eprintln!` panics when stderr is full
/// (`2>/dev/full`) and the process aborted with status 134 after its work was done. A message
/// about the work is never worth losing the work's exit status.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use say;

use color_eyre::eyre::Report;

use super::Exit;

/// Standard output whose errors say that they are standard output's (see [`failure`]), so a closed
/// pipe is not mistaken for, say, a dropped connection.
#[derive(Debug)]
pub(super) struct Stdout {
    inner: io::Stdout,
    /// The first error met by [`Stdout::line`].
    failure: Option<io::Error>,
}

/// What a failed write to standard output carries inside its [`io::Error`] (same kind).
#[derive(Debug, thiserror::Error)]
#[error("cannot write to standard output: {0}")]
struct StdoutFailed(io::Error);

impl Stdout {
    /// Standard output; not locked, so it may be held across an `.await`.
    pub(super) fn new() -> Self {
        Self {
            inner: io::stdout(),
            failure: None,
        }
    }

    /// Prints one line for a command that must go on when nobody reads (`poll --once` still saves
    /// every feed): a failure is kept for [`Stdout::finish`] and later lines are skipped.
    pub(super) fn line(&mut self, line: fmt::Arguments<'_>) {
        if self.failure.is_none()
            && let Err(e) = writeln!(self, "{line}")
        {
            self.failure = Some(e);
        }
    }

    /// Flushes, then reports what [`Stdout::line`] met, except a closed pipe.
    ///
    /// # Errors
    /// The first failure other than a closed pipe (a full disk).
    pub(super) fn finish(mut self) -> io::Result<()> {
        let flushed = self.flush();
        match self.failure.take().map_or(flushed, Err) {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(tagged)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(tagged)
    }
}

/// Marks `error` as standard output's, keeping its kind for callers that check it.
fn tagged(error: io::Error) -> io::Error {
    io::Error::new(error.kind(), StdoutFailed(error))
}

/// The kind of the standard-output failure somewhere in `report`'s chain, if it holds one.
fn failure(report: &Report) -> Option<ErrorKind> {
    report.chain().find_map(|cause| {
        let io = cause.downcast_ref::<io::Error>()?;
        io.get_ref()?.downcast_ref::<StdoutFailed>().map(|_| io.kind())
    })
}

/// The exit for a command that failed with `report`: quietly 0 when the reader closed the pipe,
/// else the cause chain on one line of stderr and 1.
pub(super) fn exit_after(report: &Report) -> Exit {
    if failure(report) == Some(ErrorKind::BrokenPipe) {
        return Exit::Success;
    }
    // The plain cause chain ("a: b: c"): a user needs what failed and why, not a backtrace.
    say!("anbud: {report:#}");
    Exit::Failure
}

/// Writes `bytes` (a generated script, the bundled config) to standard output.
///
/// # Errors
/// A tagged write error, for [`exit_after`].
pub(super) fn print_all(bytes: &[u8]) -> io::Result<()> {
    let mut out = Stdout::new();
    out.write_all(bytes)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_output_failures_are_recognised() {
        let closed = Report::new(tagged(io::Error::from(ErrorKind::BrokenPipe))).wrap_err("cannot write the export");
        assert_eq!(failure(&closed), Some(ErrorKind::BrokenPipe));
        let full = Report::new(tagged(io::Error::from_raw_os_error(28)));
        assert_eq!(failure(&full), Some(ErrorKind::StorageFull));
        assert!(format!("{full:#}").starts_with("cannot write to standard output: No space left"));
        // A broken pipe elsewhere (a feed's connection) is a real error.
        let elsewhere = Report::new(io::Error::from(ErrorKind::BrokenPipe));
        assert_eq!(failure(&elsewhere), None);
    }
}

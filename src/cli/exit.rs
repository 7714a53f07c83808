//! How `anbud` exits. The numbers are an interface (cron jobs and scripts test them), so each
//! meaning is one variant here, the help text lists them, and the README repeats that list.

use std::process::ExitCode;

/// Why the command line exits, each with its fixed number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: done (`poll --once`: every active feed worked). Also when the reader of standard output
    /// closed the pipe early (`anbud list | head`), which is not a failure.
    Success,
    /// 1: a runtime error (database, file, standard output, the async runtime).
    Failure,
    /// 1: `poll --once`: some active feeds failed; the others were saved.
    SomeFeedsFailed,
    /// 2: invalid config or arguments, or a file `eval` cannot use (unreadable, a bad line, no
    /// notices, an unknown profile), or one `awards --import` cannot parse.
    BadInput,
    /// 2: `poll --once`: every active feed failed, or none is active.
    NoFeedWorked,
}

impl Exit {
    /// Every variant, for the help text's test.
    pub const ALL: [Exit; 5] = [
        Exit::Success,
        Exit::Failure,
        Exit::SomeFeedsFailed,
        Exit::BadInput,
        Exit::NoFeedWorked,
    ];

    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure | Exit::SomeFeedsFailed => 1,
            Exit::BadInput | Exit::NoFeedWorked => 2,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// The exit codes, shown by `--help`; the README repeats them.
pub const EXIT_CODES: &str = "Exit codes:
  0  success (poll --once: every active feed worked)
  1  poll --once: some feeds failed; other commands: a runtime error (database, file, …)
  2  invalid config or arguments; poll --once: every active feed failed or none is active";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exit_keeps_its_number_and_is_listed_in_the_help() {
        // Scripts test these numbers: changing one breaks them, so it must be a deliberate edit here.
        assert_eq!(Exit::ALL.map(Exit::code), [0, 1, 1, 2, 2]);
        for exit in Exit::ALL {
            let listed = format!("\n  {}  ", exit.code());
            assert!(EXIT_CODES.contains(&listed), "{exit:?} is not in the help text");
        }
    }
}

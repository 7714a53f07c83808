//! `anbud eval FILE.jsonl`: the dashboard's own matcher measured on labelled notices.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use color_eyre::eyre::{Result, eyre};

use crate::config::Config;

/// Runs the evaluation and prints the report to `out`.
///
/// # Errors
/// When the file cannot be read or a line is not a labelled notice.
pub fn run(
    _config: &Config,
    _file: &Path,
    _profile: Option<&str>,
    _json: bool,
    _out: &mut impl Write,
) -> Result<ExitCode> {
    Err(eyre!("`anbud eval` is not implemented yet (issue #4)"))
}

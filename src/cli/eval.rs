//! `anbud eval FILE.jsonl`: the dashboard's own matcher measured on labelled notices.
//!
//! Reads the labelled JSONL format (see [`crate::matching::eval`]), scores every line with the
//! profile the dashboard uses, and prints precision, recall, F1, per-language figures and the
//! misclassified notices; `--json` adds one object per notice, `--folds K` a K-fold
//! cross-validation of the threshold (see [`CrossValidation`]).

use std::io::Write;
use std::path::Path;

use color_eyre::eyre::{Result, WrapErr, eyre};

use super::Exit;
use super::output::say;
use crate::config::Config;
use crate::matching::eval::{CrossValidation, Evaluation, parse_jsonl};
use crate::matching::{MatcherSet, Profile};

/// What `anbud eval` was asked for besides the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Only this profile (bundled or configured).
    pub profile: Option<&'a str>,
    /// Also one JSON object per notice.
    pub json: bool,
    /// Also a cross-validation in this many folds.
    pub folds: Option<usize>,
}

/// Runs the evaluation and prints the report to `out`.
///
/// Input problems (unreadable file, a line that is not a labelled notice, an unknown profile)
/// are reported on stderr with the file and line and exit with status 2.
///
/// # Errors
/// When the profile cannot be compiled or `out` cannot be written.
pub fn run(config: &Config, file: &Path, options: &Options<'_>, out: &mut impl Write) -> Result<Exit> {
    let Options { profile, json, folds } = *options;
    // Exactly the profiles the dashboard scores with.
    let all = MatcherSet::new(&config.profiles).map_err(|e| eyre!("{e}"))?;
    let matchers = match profile {
        None => all,
        Some(name) => match (all.only(name), Profile::bundled_named(name)) {
            (Some(one), _) => one,
            // A bundled profile the config does not use yet can be measured before switching it on.
            (None, Some(bundled)) => {
                MatcherSet::new(&[bundled.map_err(|e| eyre!("{e}"))?]).map_err(|e| eyre!("{e}"))?
            }
            (None, None) => {
                say!(
                    "anbud eval: unknown profile {name:?}; the dashboard uses {}, and {} are bundled",
                    all.names().join(", "),
                    Profile::bundled_names().join(", ")
                );
                return Ok(Exit::BadInput);
            }
        },
    };
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            say!("anbud eval: cannot read {}: {e}", file.display());
            return Ok(Exit::BadInput);
        }
    };
    let rows = match parse_jsonl(&text) {
        Ok(rows) => rows,
        Err(e) => {
            say!(
                "anbud eval: {}:{}: not a labelled notice: {}",
                file.display(),
                e.line,
                e.message
            );
            return Ok(Exit::BadInput);
        }
    };
    if rows.is_empty() {
        say!("anbud eval: {} holds no labelled notices", file.display());
        return Ok(Exit::BadInput);
    }
    // The clock is read here, never inside the matcher (deadline filters need it).
    let now = jiff::Timestamp::now();
    let cross_validation = folds.map(|k| {
        let margins: Vec<i32> = rows.iter().map(|r| matchers.margin_at(&r.notice(), now)).collect();
        CrossValidation::run(&rows, &margins, k)
    });
    let evaluation = Evaluation::run(rows, |notice| matchers.evaluate_at(notice, now));
    let written = writeln!(out, "profiles: {}", matchers.names().join(", "))
        .and_then(|()| evaluation.write_report(out))
        .and_then(|()| cross_validation.map_or(Ok(()), |cv| cv.write_report(out)))
        .and_then(|()| if json { evaluation.write_json_lines(out) } else { Ok(()) });
    match written {
        // `anbud eval … | head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.wrap_err("cannot write the report")?,
    }
    Ok(Exit::Success)
}

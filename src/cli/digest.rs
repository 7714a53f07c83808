//! `anbud digest`: the store's records through [`crate::export::digest::render`].

use std::io::Write;

use color_eyre::eyre::Result;
use jiff::{SignedDuration, Timestamp};

use super::DigestFormatArg;
use super::output::Stdout;
use crate::config::Config;
use crate::export::digest::{DigestFormat, DigestOptions, render};
use crate::store::Store;

/// Prints the digest of every stored notice as of `now`.
pub(super) fn print(
    config: &Config,
    store: &Store,
    since: SignedDuration,
    format: DigestFormatArg,
    now: Timestamp,
) -> Result<()> {
    let options = DigestOptions {
        now,
        since,
        timezone: config.timezone.clone(),
        format: match format {
            DigestFormatArg::Markdown => DigestFormat::Markdown,
            DigestFormatArg::Text => DigestFormat::Text,
        },
    };
    let text = render(&store.load_records()?, &options);
    let mut out = Stdout::new();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

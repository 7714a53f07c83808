//! `anbud digest`: the store's records and the awards in the user's space through
//! [`crate::export::digest::render_with_awards`].

use std::collections::HashSet;
use std::io::Write;

use color_eyre::eyre::{Result, WrapErr};
use jiff::{SignedDuration, Timestamp};

use super::DigestFormatArg;
use super::output::Stdout;
use crate::config::Config;
use crate::export::digest::{DigestFormat, DigestOptions, render_with_awards};
use crate::feeds::poller::Scorer;
use crate::model::{NoticeId, NoticeRecord, StoredAward};
use crate::store::{AwardQuery, Store};

/// Prints the digest of every stored notice and award as of `now`.
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
    let records = store.load_records()?;
    let awards = store
        .awards(&AwardQuery::default())
        .wrap_err("cannot read the stored awards")?;
    let score = crate::runtime::scorer(config)?;
    let awards = in_your_space(awards, &records, &score);
    let text = render_with_awards(&records, &awards, config.retender_lead, &options);
    let mut out = Stdout::new();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The awards in the user's space: linked to a competition notice that matches the profiles, or
/// whose own title, buyer and CPV codes score as relevant with the matcher (an award whose
/// competition was never stored, or was published before anbud watched).
pub fn in_your_space(awards: Vec<StoredAward>, records: &[NoticeRecord], score: &Scorer) -> Vec<StoredAward> {
    let matched: HashSet<&NoticeId> = records
        .iter()
        .filter(|r| r.relevance.matched)
        .map(|r| &r.notice.id)
        .collect();
    awards
        .into_iter()
        .filter(|a| {
            let linked = a.link.as_ref().is_some_and(|l| matched.contains(&l.competition));
            linked || score(&a.award.as_notice()).matched
        })
        .collect()
}

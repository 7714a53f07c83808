//! Generated notices as the dashboard stores them: rendered in each source's format, parsed by the
//! real adapters, scored by the real matcher, and upserted through the real store path.

use std::ops::Range;

use jiff::Timestamp;

use super::{Corpus, Kind};
use crate::feeds::doffin::{DoffinAdapter, DoffinSettings};
use crate::feeds::ocds::{OcdsAdapter, OcdsSettings};
use crate::feeds::syndication::{RssAdapter, RssSettings};
use crate::feeds::ted::{TedAdapter, TedSettings};
use crate::feeds::{FeedAdapter, Scored};
use crate::matching::MatcherSet;
use crate::model::Notice;
use crate::store::{Store, StoreError};

/// Notices per generated page when filling: TED's maximum.
const PAGE: u64 = 250;

/// Notices `range` of `corpus`, page by page in the format of `kind`, parsed by its adapter.
///
/// # Errors
/// When an adapter refuses a generated page (a bug in the generator).
pub fn parsed(corpus: &Corpus, kind: Kind, range: Range<u64>) -> Result<Vec<Notice>, String> {
    let adapter: Box<dyn FeedAdapter> = match kind {
        Kind::Ted => Box::new(TedAdapter::new(TedSettings::default())),
        Kind::Doffin => Box::new(DoffinAdapter::new(DoffinSettings::default())),
        Kind::Ocds => Box::new(OcdsAdapter::new(OcdsSettings::default())),
        Kind::Rss => Box::new(RssAdapter::new(RssSettings::default())),
    };
    let notices = corpus.notices(range);
    let body = match kind {
        Kind::Ted => super::ted::page(&notices, notices.len() as u64, None),
        Kind::Doffin => super::doffin::page(&notices, notices.len() as u64),
        Kind::Ocds => super::ocds::package(&notices, None),
        Kind::Rss => super::rss::feed(&notices, 1),
    };
    adapter
        .parse(&body)
        .map(|page| page.notices)
        .map_err(|e| format!("a generated {} page does not parse: {e}", kind.name()))
}

/// Notices `range`, each page of [`PAGE`] in the next source's format in turn (TED, Doffin, OCDS,
/// RSS), parsed and scored with `matcher`, on every core.
///
/// # Errors
/// As [`parsed`].
pub fn scored(corpus: &Corpus, range: Range<u64>, matcher: &MatcherSet) -> Result<Vec<Scored>, String> {
    let pages: Vec<Range<u64>> = (range.start..range.end)
        .step_by(PAGE as usize)
        .map(|start| start..(start + PAGE).min(range.end))
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let chunk = pages.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pages
            .chunks(chunk)
            .map(|mine| {
                scope.spawn(move || -> Result<Vec<Scored>, String> {
                    let mut out = Vec::new();
                    for page in mine {
                        let kind = Kind::ALL[((page.start / PAGE) % 4) as usize];
                        for notice in parsed(corpus, kind, page.clone())? {
                            let relevance = matcher.evaluate(&notice);
                            out.push((notice, relevance));
                        }
                    }
                    Ok(out)
                })
            })
            .collect();
        let mut all = Vec::with_capacity((range.end - range.start) as usize);
        for handle in handles {
            all.extend(handle.join().map_err(|_| "a scoring thread panicked".to_owned())??);
        }
        Ok(all)
    })
}

/// Upserts `notices` generated notices into `store` in batches of `batch`, as the poller's saves
/// do, with `progress` called after each batch with the count so far.
///
/// # Errors
/// As [`scored`], or the store's error.
pub fn fill_store(
    store: &mut Store,
    corpus: &Corpus,
    notices: u64,
    matcher: &MatcherSet,
    batch: u64,
    mut progress: impl FnMut(u64),
) -> Result<(), String> {
    let batch = batch.max(1);
    let mut start = 0;
    while start < notices {
        let end = (start + batch).min(notices);
        let items = scored(corpus, start..end, matcher)?;
        store
            .upsert_notices(&items, Timestamp::now())
            .map_err(|e: StoreError| e.to_string())?;
        progress(end);
        start = end;
    }
    Ok(())
}

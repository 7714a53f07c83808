//! The award search of one poll: result notices of the same window as the competition search
//! (TED's `scope: ALL` result search, Doffin's `RESULT` search), read page by page like it, with
//! the adapter's pause between requests for an API that limits them (Doffin).
//!
//! Run only by a poll that starts a window (no saved cursor): a window that `max_pages` cut short
//! is continued by later polls for its notices, but its awards were read by its first poll. An
//! award search never fails the poll: its error travels beside the competitions, which are saved.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Semaphore, mpsc};

use super::{FeedSpec, PollPlan};
use crate::feeds::awards::{FoundAwards, PollAwards};
use crate::feeds::http::HttpFetcher;
use crate::feeds::{FeedError, FeedEvent};
use crate::model::NoticeId;

/// What the competition pages carried (`in_pages`, OCDS awards) plus, for a poll that starts a
/// window, every page of the feed's award search (up to `max_pages`).
pub async fn poll_awards(fetcher: &HttpFetcher, spec: &FeedSpec, plan: &PollPlan, in_pages: PollAwards) -> PollAwards {
    let mut awards = in_pages;
    if plan.cursor.is_some() {
        return awards;
    }
    if let Err(error) = search(fetcher, spec, plan, &mut awards).await {
        awards.error = Some(error.user_message(spec.adapter.kind()));
    }
    awards
}

/// Reads the award search's pages into `awards`; what was read before an error is kept.
async fn search(
    fetcher: &HttpFetcher,
    spec: &FeedSpec,
    plan: &PollPlan,
    awards: &mut PollAwards,
) -> Result<(), FeedError> {
    let adapter = &*spec.adapter;
    let since = plan.since;
    let max_pages = spec.max_pages.max(1);
    let mut cursor: Option<String> = None;
    for read in 1..=max_pages {
        let Some(request) = adapter.award_request(since, cursor.as_deref()) else {
            return Ok(());
        };
        pause(adapter.request_gap()).await;
        let body = fetcher.execute(&request).await?;
        let page = adapter.parse_awards(since, cursor.as_deref(), &body)?;
        let empty = page.found.awards.is_empty();
        for warning in page.warnings {
            if !awards.warnings.contains(&warning) {
                awards.warnings.push(warning);
            }
        }
        awards.found.absorb(page.found);
        // As the competition search: a repeated cursor, or an empty page the server does not count
        // as empty, would otherwise loop until max_pages.
        match page.next {
            Some(next) if (!empty || page.total == Some(0)) && cursor.as_deref() != Some(next.as_str()) => {
                if read == max_pages {
                    awards.warnings.push(format!(
                        "award search: read {max_pages} pages (max_pages) with more to read; older awards of this window were not fetched"
                    ));
                    break;
                }
                cursor = Some(next);
            }
            _ => break,
        }
    }
    Ok(())
}

async fn pause(gap: Duration) {
    if !gap.is_zero() {
        tokio::time::sleep(gap).await;
    }
}

/// Awards read from one page of the competition search (OCDS), added to `awards`; a page whose
/// awards cannot be read keeps its notices and says why.
pub(super) fn absorb_page(spec: &FeedSpec, body: &[u8], awards: &mut PollAwards) {
    match spec.adapter.awards_in_page(body) {
        Ok(found) => awards.found.absorb(found),
        Err(error) => {
            if awards.error.is_none() {
                awards.error = Some(FeedError::Parse(error).user_message(spec.adapter.kind()));
            }
        }
    }
}

/// Most notices one request for award values reads: Doffin allows about 30 requests in 10 s, and
/// a poll's own pages share that budget. More are left for a later request.
pub const MAX_VALUE_NOTICES: usize = 20;

/// The full notices of `ids` (at most [`MAX_VALUE_NOTICES`], each spaced by the adapter's
/// [`FeedAdapter::request_gap`]) whose award values their search hits lack, as award rows that
/// replace the hits' rows; with the notices that could not be read and why. A notice that fails
/// keeps its hit's row, without a value.
///
/// [`FeedAdapter::request_gap`]: crate::feeds::FeedAdapter::request_gap
pub async fn fetch_award_values(
    fetcher: &HttpFetcher,
    adapter: &dyn crate::feeds::FeedAdapter,
    ids: &[NoticeId],
) -> (FoundAwards, Vec<String>) {
    let mut found = FoundAwards::default();
    let mut failures = Vec::new();
    for id in ids.iter().take(MAX_VALUE_NOTICES) {
        let native = id.as_str().split_once(':').map_or(id.as_str(), |(_, native)| native);
        let Some(request) = adapter.award_value_request(native) else {
            continue;
        };
        pause(adapter.request_gap()).await;
        let rows = match fetcher.execute(&request).await {
            Ok(body) => adapter.parse_award_value(native, &body).map_err(FeedError::Parse),
            Err(error) => Err(error),
        };
        match rows {
            Ok(rows) => found.absorb(FoundAwards {
                awards: rows,
                keys: Vec::new(),
            }),
            Err(error) => failures.push(format!("{id}: {}", error.user_message(adapter.kind()))),
        }
    }
    (found, failures)
}

/// The active feeds whose source the award notices `ids` come from (`doffin:…` → a Doffin feed),
/// each with its notices; notices of a source no feed reads are dropped.
pub(super) fn value_feeds<'a>(
    active: impl Iterator<Item = &'a Arc<FeedSpec>> + Clone,
    ids: Vec<NoticeId>,
) -> Vec<(Arc<FeedSpec>, Vec<NoticeId>)> {
    let mut out: Vec<(Arc<FeedSpec>, Vec<NoticeId>)> = Vec::new();
    for id in ids {
        let source = id.as_str().split_once(':').map_or("", |(source, _)| source);
        let Some(feed) = active.clone().find(|spec| spec.adapter.kind() == source) else {
            continue;
        };
        match out.iter_mut().find(|(spec, _)| Arc::ptr_eq(spec, feed)) {
            Some((_, list)) => list.push(id),
            None => out.push((Arc::clone(feed), vec![id])),
        }
    }
    out
}

/// What a task reading award values needs, owned.
#[derive(Clone)]
pub(super) struct ValueJob {
    pub(super) fetcher: HttpFetcher,
    pub(super) events: mpsc::Sender<FeedEvent>,
    /// One reader at a time, so the requests of two jobs never interleave (Doffin's rate limit).
    pub(super) permit: Arc<Semaphore>,
}

impl ValueJob {
    pub(super) async fn run(self, spec: Arc<FeedSpec>, ids: Vec<NoticeId>) {
        // Never closed; polling without the permit is the harmless fallback (as for polls).
        let _permit = self.permit.acquire_owned().await.ok();
        // A notice that cannot be read keeps its hit's row without a value; the dashboard has no
        // place for this per-notice detail yet (`poll --once` prints it).
        let (found, _failures) = fetch_award_values(&self.fetcher, &*spec.adapter, &ids).await;
        if !found.is_empty() {
            let event = FeedEvent::AwardsFetched {
                feed: spec.name.clone(),
                found,
                at: Timestamp::now(),
            };
            // A closed channel ends the poller loop anyway.
            let _ = self.events.send(event).await;
        }
    }
}

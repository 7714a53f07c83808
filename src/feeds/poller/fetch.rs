//! One poll's I/O: the pages a [`PollPlan`] asks for, read through the [`HttpFetcher`] with the
//! feed's saved validators, then scored at ingest. Shared by the poller and `anbud poll --once`.

use std::collections::HashSet;

use jiff::Timestamp;

use super::{FeedSpec, PollPlan, Progress, Scorer, awards};
use crate::feeds::awards::PollAwards;
use crate::feeds::http::{Fetched, HttpFetcher, saved_for};
use crate::feeds::{FeedError, Scored};
use crate::model::{Notice, UrlValidators};

/// Everything one successful poll read, before it is saved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedFetch {
    /// All notices from all pages, de-duplicated by id.
    pub notices: Vec<Notice>,
    /// Plain-language warnings from the pages (see [`crate::feeds::Page::warnings`]), without repeats.
    pub warnings: Vec<String>,
    /// The validators of every URL this poll requested (a 304 keeps the ones it was sent with).
    /// They only become effective once the notices are saved (the caller keeps them).
    pub validators: Vec<UrlValidators>,
    /// Whether the poll stopped at `max_pages` with more to read, and the oldest date read.
    pub progress: Progress,
    /// Awards the pages themselves carried (OCDS releases), and why they could not be read if so.
    pub awards: PollAwards,
}

/// Fetches every page of `spec` published since `since` (at most `max_pages`), de-duplicated by id,
/// without validators: for callers that keep nothing between polls (tests, tools).
///
/// # Errors
/// As [`fetch_feed_pending`].
pub async fn fetch_feed(fetcher: &HttpFetcher, spec: &FeedSpec, since: Timestamp) -> Result<Vec<Notice>, FeedError> {
    Ok(fetch_feed_pending(fetcher, spec, since).await?.notices)
}

/// Fetches every page of `spec` published since `since` (at most `max_pages`), de-duplicated by id,
/// with the warnings and validators of the poll: [`fetch_poll`] of a fresh window.
///
/// # Errors
/// As [`fetch_poll`].
pub async fn fetch_feed_pending(
    fetcher: &HttpFetcher,
    spec: &FeedSpec,
    since: Timestamp,
) -> Result<FeedFetch, FeedError> {
    fetch_poll(fetcher, spec, &PollPlan::from(since)).await
}

/// Fetches the pages `plan` asks for (at most `max_pages`), de-duplicated by id, with the warnings,
/// the validators and the [`Progress`] of the poll. A saved cursor the server refuses (a 4xx: an
/// expired TED token) is replaced by the adapter's [`FeedAdapter::restart_cursor`](crate::feeds::FeedAdapter::restart_cursor) below the oldest
/// date read so far, or the window's first page: read again, never skipped.
///
/// # Errors
/// [`FeedError::Other`] with the reason when the adapter is not ready (e.g. no API key), without
/// sending anything; else the first [`FeedError`] from any page. A 304 (conditional `GET`, see
/// [`HttpFetcher::fetch`]) ends the poll with what was read so far, empty on the first page. Pages
/// read before an error are discarded, so a poll is all-or-nothing and the next one re-reads the
/// same window.
pub async fn fetch_poll(fetcher: &HttpFetcher, spec: &FeedSpec, plan: &PollPlan) -> Result<FeedFetch, FeedError> {
    let mut notices = Vec::new();
    let read = fetch_poll_into(fetcher, spec, plan, &mut notices).await?;
    Ok(FeedFetch {
        notices,
        warnings: read.warnings,
        validators: read.validators,
        progress: read.progress,
        awards: read.awards,
    })
}

/// Where [`fetch_poll_into`] hands each page's notices as soon as the page is parsed, so a caller
/// can score and store a page while the next one is fetched instead of holding the whole poll.
pub trait PageSink {
    /// The notices of the next page, without those an earlier page of the poll already brought.
    ///
    /// # Errors
    /// A [`FeedError`] ends the poll with that error (e.g. the store behind the sink stopped).
    fn page(&mut self, notices: Vec<Notice>) -> impl Future<Output = Result<(), FeedError>> + Send;

    /// Everything handed over so far is void: the poll reads its window again from the start
    /// (a refused cursor, see [`fetch_poll`]).
    ///
    /// # Errors
    /// As [`PageSink::page`].
    fn restart(&mut self) -> impl Future<Output = Result<(), FeedError>> + Send;
}

/// Collects the poll in memory: [`fetch_poll`].
impl PageSink for Vec<Notice> {
    async fn page(&mut self, notices: Vec<Notice>) -> Result<(), FeedError> {
        self.extend(notices);
        Ok(())
    }

    async fn restart(&mut self) -> Result<(), FeedError> {
        self.clear();
        Ok(())
    }
}

/// What a poll read besides its notices (those went to a [`PageSink`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PagesRead {
    /// How many notices went to the sink (after a restart, only those read since).
    pub notices: usize,
    /// As [`FeedFetch::warnings`].
    pub warnings: Vec<String>,
    /// As [`FeedFetch::validators`].
    pub validators: Vec<UrlValidators>,
    /// As [`FeedFetch::progress`].
    pub progress: Progress,
    /// As [`FeedFetch::awards`]: those the pages themselves carried.
    pub awards: PollAwards,
}

/// [`fetch_poll`], handing each page's notices to `sink` as it is parsed. On an error the sink
/// has received part of the poll, which the caller must then discard: a poll is all-or-nothing.
///
/// # Errors
/// As [`fetch_poll`], and the sink's own errors.
pub async fn fetch_poll_into<S: PageSink + Send>(
    fetcher: &HttpFetcher,
    spec: &FeedSpec,
    plan: &PollPlan,
    sink: &mut S,
) -> Result<PagesRead, FeedError> {
    spec.adapter.readiness().map_err(FeedError::Other)?;
    match read_pages(fetcher, spec, plan, plan.cursor.clone(), sink).await {
        Err(FeedError::Status { status, .. }) if plan.cursor.is_some() && (400..500).contains(&status) => {
            let low = plan.resume.as_ref().and_then(|r| r.low);
            let restart = low.and_then(|low| spec.adapter.restart_cursor(low));
            sink.restart().await?;
            let mut read = read_pages(fetcher, spec, plan, restart, sink).await?;
            read.warnings.push(format!(
                "the saved paging cursor was refused (HTTP {status}, probably expired): the rest of the window is read again"
            ));
            Ok(read)
        }
        other => other,
    }
}

/// Reads up to `max_pages` pages of `plan`'s window from `cursor` on, into `sink`.
async fn read_pages<S: PageSink + Send>(
    fetcher: &HttpFetcher,
    spec: &FeedSpec,
    plan: &PollPlan,
    mut cursor: Option<String>,
    sink: &mut S,
) -> Result<PagesRead, FeedError> {
    let since = plan.since;
    let mut out = PagesRead::default();
    let mut seen = HashSet::new();
    let max_pages = spec.max_pages.max(1);
    for read in 1..=max_pages {
        let request = spec.adapter.request(since, cursor.as_deref());
        let known = saved_for(&plan.validators, &request.url);
        let body = match fetcher.fetch(&request, known.as_ref()).await? {
            Fetched::Body { body, validators } => {
                out.validators
                    .extend(validators.map(|v| HttpFetcher::for_url(&request.url, v)));
                body
            }
            // Unchanged since the last saved poll, whose notices are already stored; its
            // validators stay valid and are saved again with this poll's state.
            Fetched::NotModified => {
                out.validators
                    .extend(known.map(|v| HttpFetcher::for_url(&request.url, v)));
                break;
            }
        };
        let page = spec.adapter.parse_window(since, cursor.as_deref(), &body)?;
        awards::absorb_page(spec, &body, &mut out.awards);
        // The body is parsed: its memory goes back before the sink takes its time over the page.
        drop(body);
        let empty = page.notices.is_empty();
        // A server that counts zero hits is telling us this window is empty, not looping: an
        // adapter that splits its query into windows (Doffin) moves on to the next one.
        let counted_empty = page.total == Some(0);
        for warning in page.warnings {
            if !out.warnings.contains(&warning) {
                out.warnings.push(warning);
            }
        }
        let oldest = page.notices.iter().filter_map(|n| n.published).min();
        out.progress.low = out.progress.low.into_iter().chain(oldest).min();
        let fresh: Vec<Notice> = page.notices.into_iter().filter(|n| seen.insert(n.id.clone())).collect();
        out.notices += fresh.len();
        sink.page(fresh).await?;
        // A repeated cursor or an empty page with a cursor would otherwise loop until max_pages.
        match page.next {
            Some(next) if (!empty || counted_empty) && cursor.as_deref() != Some(next.as_str()) => {
                if read == max_pages {
                    // The rest is read by the next poll, from this cursor (saved with these notices).
                    out.warnings.push(format!(
                        "read {max_pages} pages (max_pages) with more to read: the next poll continues from there"
                    ));
                    out.progress.next = Some(next);
                    break;
                }
                cursor = Some(next);
            }
            _ => break,
        }
    }
    Ok(out)
}

/// One successful poll, scored: what [`FeedEvent::Fetched`](crate::feeds::FeedEvent::Fetched) and `anbud poll --once` need.
#[derive(Debug, Clone, Default)]
pub struct ScoredFetch {
    /// The notices with their relevance.
    pub scored: Vec<Scored>,
    /// As [`FeedFetch::warnings`].
    pub warnings: Vec<String>,
    /// As [`FeedFetch::validators`]: sent by later polls only once the notices are saved.
    pub validators: Vec<UrlValidators>,
    /// As [`FeedFetch::progress`].
    pub progress: Progress,
    /// The poll's awards: those in its pages and, on a poll that starts a window, its award
    /// search's (see `poller::awards`); an award search that failed says why here.
    pub awards: PollAwards,
}

/// The ingest pipeline of one poll: the pages `plan` asks for ([`fetch_poll`]), the awards beside
/// them (`poller::awards`), each notice scored at ingest. Used by the poller and by
/// `anbud poll --once`.
///
/// # Errors
/// As [`fetch_poll`].
pub async fn fetch_and_score(
    fetcher: &HttpFetcher,
    spec: &FeedSpec,
    plan: &PollPlan,
    scorer: Scorer,
) -> Result<ScoredFetch, FeedError> {
    let fetched = fetch_poll(fetcher, spec, plan).await?;
    let awards = awards::poll_awards(fetcher, spec, plan, fetched.awards).await;
    Ok(ScoredFetch {
        scored: score(scorer, fetched.notices).await?,
        warnings: fetched.warnings,
        validators: fetched.validators,
        progress: fetched.progress,
        awards,
    })
}

/// Scores a batch on the blocking pool so a large page never stalls the async workers.
async fn score(scorer: Scorer, notices: Vec<Notice>) -> Result<Vec<Scored>, FeedError> {
    let scored = tokio::task::spawn_blocking(move || {
        notices
            .into_iter()
            .map(|notice| {
                let relevance = scorer(&notice);
                (notice, relevance)
            })
            .collect()
    })
    .await;
    match scored {
        Ok(scored) => Ok(scored),
        Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
        Err(_) => Err(FeedError::Other("scoring was cancelled".to_owned())),
    }
}

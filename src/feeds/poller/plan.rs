//! Where a poll of a feed starts and the sync state it leaves: pure functions of the state the store
//! holds, so the poller and `anbud poll --once` resume a feed the same way and neither can move the
//! high-water mark past notices that were not read.

use std::time::Duration;

use jiff::Timestamp;

use super::OVERLAP;
use crate::feeds::FeedAdapter;
use crate::model::{FeedState, Resume, UrlValidators};

/// Where one poll starts, worked out from the feed's saved [`FeedState`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollPlan {
    /// The window start asked of the server.
    pub since: Timestamp,
    /// The first page to read: `None` for the first page of the window, else the saved cursor of
    /// a window an earlier poll cut short at `max_pages`.
    pub cursor: Option<String>,
    /// The saved resume point this poll continues, if it does.
    pub resume: Option<Resume>,
    /// The validators the last saved poll left, sent with `GET`s of the same URLs.
    pub validators: Vec<UrlValidators>,
}

impl PollPlan {
    /// A fresh poll of the window from `since`, sending no validators (tools and tests).
    pub fn from(since: Timestamp) -> Self {
        Self {
            since,
            cursor: None,
            resume: None,
            validators: Vec::new(),
        }
    }
}

/// How far a poll got: whether it stopped at `max_pages` with more to read, and how old the oldest
/// notice it read is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// The cursor of the first page not read, when the poll stopped at `max_pages`.
    pub next: Option<String>,
    /// The oldest publication date among the notices read.
    pub low: Option<Timestamp>,
}

/// Where the first poll of a feed starts: the saved high-water mark less [`OVERLAP`], or
/// `lookback` before `now` for a feed never saved.
pub fn resume_since(state: &FeedState, lookback: Duration, now: Timestamp) -> Timestamp {
    let (from, back) = match state.high_water {
        Some(mark) => (mark, OVERLAP),
        None => (now, lookback),
    };
    from.checked_sub(back).unwrap_or(Timestamp::MIN)
}

/// The next poll of a feed whose store holds `state`: the rest of a window cut short, else the
/// window from the high-water mark (less the overlap), or the whole lookback for a feed that
/// returns everything at once (see [`FeedAdapter::reads_whole_feed`]).
pub fn plan_poll(adapter: &dyn FeedAdapter, state: &FeedState, lookback: Duration, now: Timestamp) -> PollPlan {
    if let Some(resume) = &state.resume {
        return PollPlan {
            since: resume.since,
            cursor: Some(resume.cursor.clone()),
            resume: Some(resume.clone()),
            validators: state.validators.clone(),
        };
    }
    let since = if adapter.reads_whole_feed() {
        resume_since(&FeedState::default(), lookback, now)
    } else {
        resume_since(state, lookback, now)
    };
    PollPlan {
        since,
        cursor: None,
        resume: None,
        validators: state.validators.clone(),
    }
}

/// The state to save with the notices of a poll that followed `plan` over a store holding `saved`,
/// started at `started` and finished at `at`. A poll that stopped at `max_pages` keeps the old
/// high-water mark and saves where to continue; the poll that reads the rest of the window moves
/// the mark to when the first poll of that window started (later notices were not asked for).
pub fn state_after(
    saved: &FeedState,
    plan: &PollPlan,
    progress: &Progress,
    validators: Vec<UrlValidators>,
    started: Timestamp,
    at: Timestamp,
) -> FeedState {
    let window_started = plan.resume.as_ref().map_or(started, |r| r.started);
    let (high_water, resume) = match &progress.next {
        Some(cursor) => {
            let earlier = plan.resume.as_ref().and_then(|r| r.low);
            let low = earlier.into_iter().chain(progress.low).min();
            let resume = Resume {
                since: plan.since,
                cursor: cursor.clone(),
                low,
                started: window_started,
            };
            (saved.high_water, Some(resume))
        }
        None => (Some(window_started), None),
    };
    FeedState {
        high_water,
        last_success: Some(at),
        validators,
        resume,
    }
}

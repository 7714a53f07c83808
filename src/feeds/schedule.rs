//! When each feed is polled next: the interval with its floor and jitter, and exponential backoff
//! after failures that never undercuts a server's `Retry-After`. Pure values, tested without a clock.

use std::time::Duration;

/// The first retry after a failure waits this long; each further failure doubles it.
const FIRST_BACKOFF: Duration = Duration::from_secs(30);

/// Shortest interval a feed is polled at, whatever the config says: the APIs are shared public
/// services and tenders run for weeks, so polling faster only costs their operators.
pub const MIN_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// How the poller schedules; [`super::poller::run_poller`] uses the defaults, tests may loosen them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollerOptions {
    /// Configured intervals below this are raised to it (default [`MIN_INTERVAL`]).
    pub min_interval: Duration,
    /// Spread each successful poll's next due time by up to ±10 % of the interval, so feeds (and
    /// many anbud users started at the same minute) do not hit a server in lockstep.
    pub jitter: bool,
}

impl Default for PollerOptions {
    fn default() -> Self {
        Self {
            min_interval: MIN_INTERVAL,
            jitter: true,
        }
    }
}

/// `interval` moved by a pseudo-random amount within ±10 % of it, chosen by `seed`; pure, so
/// the spread is testable without a clock. The same seed always gives the same delay.
pub fn jittered(interval: Duration, seed: u64) -> Duration {
    // splitmix64: a cheap, well-mixed hash; no need for an RNG dependency.
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    // A fraction in [-1, 1] from the top 53 bits.
    let unit = (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
    let factor = 1.0 + 0.1 * unit;
    Duration::try_from_secs_f64(interval.as_secs_f64() * factor).unwrap_or(interval)
}

/// How long to wait after `failures` consecutive failures (0 means the last poll succeeded):
/// 30 s doubling per failure, capped at `interval`, but never less than the server's `Retry-After`.
pub fn backoff(failures: u32, interval: Duration, retry_after: Option<Duration>) -> Duration {
    let delay = match failures {
        0 => interval,
        n => {
            let factor = 1u32.checked_shl(n - 1).unwrap_or(u32::MAX);
            FIRST_BACKOFF.saturating_mul(factor).min(interval)
        }
    };
    delay.max(retry_after.unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_the_interval() {
        let interval = 15 * MIN;
        let secs = |n| backoff(n, interval, None).as_secs();
        assert_eq!(
            [secs(1), secs(2), secs(3), secs(4), secs(5), secs(6)],
            [30, 60, 120, 240, 480, 900]
        );
        assert_eq!(secs(7), 900);
        assert_eq!(secs(u32::MAX), 900);
        assert_eq!(secs(0), 900);
    }

    #[test]
    fn backoff_never_undercuts_retry_after() {
        assert_eq!(backoff(1, 15 * MIN, Some(5 * MIN)), 5 * MIN);
        assert_eq!(backoff(6, 15 * MIN, Some(MIN)), 15 * MIN);
        assert_eq!(backoff(1, 15 * MIN, Some(60 * MIN)), 60 * MIN);
        assert_eq!(backoff(0, 15 * MIN, Some(60 * MIN)), 60 * MIN);
    }

    #[test]
    fn jitter_stays_within_ten_percent_and_is_deterministic() {
        let interval = 15 * MIN;
        let delays: Vec<Duration> = (0..1000).map(|seed| jittered(interval, seed)).collect();
        assert!(delays.iter().all(|d| (810.0..=990.0).contains(&d.as_secs_f64())));
        assert!(delays.iter().any(|d| d.as_secs_f64() < 830.0), "spreads below");
        assert!(delays.iter().any(|d| d.as_secs_f64() > 970.0), "spreads above");
        assert_eq!(jittered(interval, 42), jittered(interval, 42));
        assert_ne!(jittered(interval, 42), jittered(interval, 43));
        assert_eq!(jittered(Duration::ZERO, 7), Duration::ZERO);
    }

    #[test]
    fn default_options_floor_the_interval_at_five_minutes() {
        assert_eq!(PollerOptions::default().min_interval, 5 * MIN);
        assert!(PollerOptions::default().jitter);
    }

    #[test]
    fn short_interval_caps_the_first_backoff() {
        assert_eq!(backoff(1, Duration::from_secs(5), None), Duration::from_secs(5));
    }
}

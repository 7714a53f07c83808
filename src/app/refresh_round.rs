//! A refresh round's data: which feeds it waits for, each one's step, and its closing line. A leaf;
//! `refresh.rs` moves it along from the core's messages.

/// Where one feed is in the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundStep {
    /// Not started yet (the poller runs a few at a time; a `Retry-After` may hold one back).
    Queued,
    /// Its poll is running.
    Polling,
    /// Fetched; waiting for the store to save it (and to say how many notices were new).
    Saving,
    /// Fetched and saved.
    Done {
        /// New notices.
        new: usize,
    },
    /// The poll or the save failed.
    Failed,
}

/// The feeds a refresh waits for, in config order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshRound {
    pub(crate) feeds: Vec<(String, RoundStep)>,
}

impl RefreshRound {
    /// Each feed's step.
    pub fn feeds(&self) -> &[(String, RoundStep)] {
        &self.feeds
    }

    /// How many feeds have answered.
    pub fn answered(&self) -> usize {
        self.feeds
            .iter()
            .filter(|(_, step)| matches!(step, RoundStep::Done { .. } | RoundStep::Failed))
            .count()
    }

    pub(crate) fn step(&mut self, feed: &str) -> Option<&mut RoundStep> {
        self.feeds
            .iter_mut()
            .find(|(name, _)| name == feed)
            .map(|(_, step)| step)
    }

    /// The closing line, once every feed has answered.
    pub(crate) fn closing_line(&self) -> Option<(String, bool)> {
        if self.answered() < self.feeds.len() {
            return None;
        }
        let with_new: Vec<String> = self
            .feeds
            .iter()
            .filter_map(|(name, step)| match step {
                RoundStep::Done { new } if *new > 0 => Some(format!("{name} {new}")),
                _ => None,
            })
            .collect();
        let total: usize = self
            .feeds
            .iter()
            .map(|(_, step)| match step {
                RoundStep::Done { new } => *new,
                _ => 0,
            })
            .sum();
        let failed: Vec<&str> = self
            .feeds
            .iter()
            .filter(|(_, step)| *step == RoundStep::Failed)
            .map(|(name, _)| name.as_str())
            .collect();
        let mut line = if total == 0 {
            "Refreshed: no new notices".to_owned()
        } else {
            format!("Refreshed: {total} new ({})", with_new.join(", "))
        };
        if !failed.is_empty() {
            line.push_str(&format!(
                ", {} failed ({}) — F shows why",
                failed.len(),
                failed.join(", ")
            ));
        }
        Some((line, !failed.is_empty()))
    }
}

//! The pure state/update core: all decisions, no I/O.
//!
//! `AppState::update` is the only mutator of the state. It may use `model`, `matching`, and the
//! plain event types of `feeds` and `store`; it never calls into them, never reads the clock, and
//! never touches the terminal. The runtime turns its `Effect`s into I/O.

mod alerts;
mod annotate;
mod award_arrivals;
mod award_outcomes;
mod decisions;
mod description_requests;
mod descriptions;
mod feed_health;
mod feed_status;
mod fetches;
pub mod keymap;
mod listing;
mod loading;
pub mod market;
mod market_view;
mod message_log;
pub mod messages;
pub mod msg;
mod note_draft;
mod prompts;
mod records;
pub mod refresh;
mod refresh_round;
mod search;
mod search_tally;
pub mod sources;
pub mod state;
mod status;
pub mod suggestions;
mod team;
mod team_status;
mod triage;
mod update;
pub mod view;
mod views;

pub use feed_status::SourceStatus;
pub use keymap::{Binding, Keymap};
pub use msg::{Action, Effect, Msg, ReasonPick, TextEdit};
pub use state::AppState;
pub(crate) use status::shorten;
pub use status::{StatusLevel, StatusMessage};
pub use view::{Mode, SortKey, View, VisibleRow};

//! The pure state/update core: all decisions, no I/O.
//!
//! `AppState::update` is the only mutator of the state. It may use `model`, `matching`, and the
//! plain event types of `feeds` and `store`; it never calls into them, never reads the clock, and
//! never touches the terminal. The runtime turns its `Effect`s into I/O.

mod alerts;
mod annotate;
mod descriptions;
mod fetches;
pub mod keymap;
mod loading;
pub mod messages;
pub mod msg;
mod note_draft;
pub mod refresh;
mod search;
pub mod sources;
pub mod state;
pub mod suggestions;
mod triage;
mod update;
mod views;

pub use keymap::{Binding, Keymap};
pub use msg::{Action, Effect, Msg, ReasonPick, TextEdit};
pub use state::{AppState, Mode, SortKey, SourceStatus, StatusLevel, StatusMessage, View};
pub(crate) use update::shorten;

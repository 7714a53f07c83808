//! Screens rendered into a `TestBackend`: snapshots of every state, the sources panel, triage screens.
//!
//! One test binary per concern (issue #16): each file below was its own binary, linked separately.

#[path = "../common/mod.rs"]
mod common;

mod screens;
mod sources;
mod triage_screens;

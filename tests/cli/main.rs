//! The binary end to end: commands, exports, evaluation, a kill in a pseudo-terminal, the browser,
//! resumed polls and the demo's dates.
//!
//! One test binary per concern (issue #16): each file below was its own binary, linked separately.

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod commands;
mod demo_dates;
mod eval;
mod export;
mod kill;
mod poll_resume;
mod relevance_eval;

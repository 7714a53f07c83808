//! The dashboard's core driven through `update`, without a terminal: triage, search, sources, loading,
//! messages, and the runtime's services around it.
//!
//! One test binary per concern (issue #16): each file below was its own binary, linked separately.

#[path = "../common/mod.rs"]
mod common;

mod annotate;
mod descriptions;
mod flow;
mod loading;
mod messages;
mod runtime_saves;
mod search;
mod sources;
mod toggle;
mod update;

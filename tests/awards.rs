//! Award notices end to end: parsing the recorded payloads of every source, storing and linking
//! them, the request builders over a loopback server, and `anbud awards`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "common/mod.rs"]
mod common;

#[path = "awards/parse.rs"]
mod parse;

#[path = "awards/fetch.rs"]
mod fetch;

#[path = "awards/store.rs"]
mod store;

#[path = "awards/cli.rs"]
mod cli;

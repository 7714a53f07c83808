//! Award notices end to end: parsing the recorded payloads of every source, storing and linking
//! them, the request builders over a loopback server, and `anbud awards`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "../common/mod.rs"]
mod common;

mod parse;

mod fetch;

mod store;

mod cli;
mod dashboard;
mod market;
mod outcomes;
mod poll;
mod values;

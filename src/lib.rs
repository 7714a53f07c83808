//! anbud: a terminal dashboard that watches public procurement feeds for health-technology suppliers.
//!
//! Module map (see `../shared/ARCHITECTURE.md`): `model` is plain shared data; `feeds` fetches and
//! parses tender APIs; `matching` scores notices against a profile; `dedup` recognises one procedure
//! published on two sources; `store` persists them in SQLite;
//! `app` is the pure state/update core; `ui` draws it; `export` writes CSV; `config` loads settings;
//! `runtime`, `terminal`, `cli` and `demo` are the imperative shell. `corpus` (benchmark data, behind
//! the `corpus` feature that only tests, benches and examples turn on) is not part of the binary.

pub mod app;
pub mod browser;
pub mod cli;
pub mod config;
#[cfg(feature = "corpus")]
pub mod corpus;
pub mod dedup;
pub mod demo;
pub mod export;
pub mod feeds;
pub mod matching;
pub mod model;
pub mod notify;
pub mod runtime;
pub mod store;
pub mod terminal;
pub mod ui;

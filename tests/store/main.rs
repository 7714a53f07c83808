//! The SQLite store: durability, migrations, queries, the store thread, cross-source duplicates.
//!
//! One test binary per concern (issue #16): each file below was its own binary, linked separately.

#[path = "../common/mod.rs"]
mod common;

mod database;
mod dedup;
mod staging;

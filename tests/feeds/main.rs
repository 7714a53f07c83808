//! Feed adapters and the poller against loopback servers serving recorded payloads: Doffin, TED over
//! HTTP, OCDS, RSS, faults, hostile bodies.
//!
//! One test binary per concern (issue #16): each file below was its own binary, linked separately.

mod doffin;
mod faults;
mod hostile_bodies;
mod http;
mod ocds;
mod poller;
mod rss;

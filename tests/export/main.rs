//! Export files (CSV, JSON lines, iCalendar) and the digest.
//!
//! One test binary per concern (issue #16): each file below was its own binary, linked separately.

mod digest;
mod files;

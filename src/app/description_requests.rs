//! Descriptions asked of the store: a notice's description stays on disk until it is shown (the
//! dashboard holds 100,000 records), and `descriptions.rs` asks for it. A leaf.

use std::collections::HashSet;

use crate::model::NoticeId;

/// What was asked and has not arrived.
#[derive(Debug, Default)]
pub(crate) struct DescriptionRequests {
    /// Notices whose description was asked of the store and has not arrived.
    pub(crate) asked: HashSet<NoticeId>,
    /// `E` waits for the descriptions of the decided notices before it suggests.
    pub(crate) suggestions_waiting: bool,
}

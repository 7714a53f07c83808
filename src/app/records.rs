//! The notices the dashboard holds: the table and its index by notice id, kept together so that
//! nothing can change one without the other.

use std::collections::HashMap;

use crate::model::{NoticeId, NoticeRecord};

/// Every record in memory, in arrival order (display order is the listing's), and where each is.
#[derive(Debug, Default)]
pub(crate) struct Records {
    pub(crate) rows: Vec<NoticeRecord>,
    pub(crate) by_id: HashMap<NoticeId, usize>,
}

impl Records {
    /// Indexes `rows`, kept as they are: copying 100,000 records into a new Vec held both.
    pub(crate) fn new(rows: Vec<NoticeRecord>) -> Records {
        let mut by_id = HashMap::with_capacity(rows.len());
        for (i, record) in rows.iter().enumerate() {
            by_id.insert(record.notice.id.clone(), i);
        }
        Records { rows, by_id }
    }

    /// The record of notice `id`.
    pub(crate) fn get(&self, id: &NoticeId) -> Option<&NoticeRecord> {
        self.by_id.get(id).map(|&i| &self.rows[i])
    }

    /// Takes in every stored record, keeping the held ones (they may have changed since they
    /// were read: a decision still being saved) in place of their stored copies. The loaded Vec
    /// becomes the table: moving 100,000 records into the held one kept both at once and left the
    /// old buffers behind (60 MB more at the peak, issue #7). Display order does not depend on it.
    pub(crate) fn merge_loaded(&mut self, loaded: Vec<NoticeRecord>) {
        let held = std::mem::take(&mut self.rows);
        let mut by_id = HashMap::with_capacity(loaded.len() + held.len());
        let mut rows = loaded;
        for (i, record) in rows.iter().enumerate() {
            by_id.entry(record.notice.id.clone()).or_insert(i);
        }
        for record in held {
            match by_id.get(&record.notice.id) {
                Some(&i) => rows[i] = record,
                None => {
                    by_id.insert(record.notice.id.clone(), rows.len());
                    rows.push(record);
                }
            }
        }
        *self = Records { rows, by_id };
    }
}

//! De-duplicating lists of feed values in source order in O(1) a value: a feed can send a list of
//! hundreds of thousands of distinct values (buyer names, CPV or NUTS codes), and `Vec::contains`
//! per value made each such list cost the square of its length (issue #12). Pure.

use std::collections::HashSet;

/// What a list already holds, for appending texts to it unless already there, in source order.
pub(crate) struct Distinct {
    seen: HashSet<String>,
}

impl Distinct {
    /// Knows what `out` already holds.
    pub(crate) fn of(out: &[String]) -> Self {
        Self {
            seen: out.iter().cloned().collect(),
        }
    }

    /// Pushes `text` onto `out` (the list this was made for) unless it was seen; whether it was new.
    pub(crate) fn push(&mut self, out: &mut Vec<String>, text: String) -> bool {
        if self.seen.contains(&text) {
            return false;
        }
        self.seen.insert(text.clone());
        out.push(text);
        true
    }
}

/// `items` without repeats, in source order (see [`Distinct`]).
pub(crate) fn distinct(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = Distinct::of(&out);
    for item in items {
        seen.push(&mut out, item);
    }
    out
}

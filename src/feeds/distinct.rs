//! De-duplicating lists of feed values in source order in O(1) a value: a feed can send a list of
//! hundreds of thousands of distinct values (buyer names, CPV or NUTS codes), and `Vec::contains`
//! per value made each such list cost the square of its length (issue #12). Pure.

use std::collections::HashSet;

/// `items` without repeats, each kept where it first appears. The set borrows the items rather than
/// copying them: on a list of many short values, allocation is most of the cost.
pub(crate) fn distinct<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let items: Vec<T> = items.into_iter().collect();
    let mut seen = HashSet::with_capacity(items.len());
    let first: Vec<bool> = items.iter().map(|item| seen.insert(item.as_ref())).collect();
    drop(seen);
    items
        .into_iter()
        .zip(first)
        .filter_map(|(item, first)| first.then_some(item))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::distinct;

    #[test]
    fn first_occurrences_in_source_order() {
        assert_eq!(distinct(["b", "a", "b", "c", "a"]), ["b", "a", "c"]);
        assert!(distinct(Vec::<String>::new()).is_empty());
    }
}

//! De-duplicating lists of feed values in source order in O(1) a value: a feed can send a list of
//! hundreds of thousands of distinct values (buyer names, CPV or NUTS codes), and `Vec::contains`
//! per value made each such list cost the square of its length (issue #12). Pure.

use std::collections::HashSet;

/// Up to this many values are de-duplicated by comparing each with those kept.
const FEW: usize = 8;

/// `items` without repeats, each kept where it first appears. The set borrows the items rather than
/// copying them: on a list of many short values, allocation is most of the cost.
pub(crate) fn distinct<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.into_iter().collect();
    // Nearly every list a feed sends has one to a few values: comparing each with those kept costs
    // less than a set's allocation, and stays linear in the list for a bounded few.
    if items.len() <= FEW {
        let mut kept = 0;
        for i in 0..items.len() {
            if !items[..kept].iter().any(|k| k.as_ref() == items[i].as_ref()) {
                items.swap(kept, i);
                kept += 1;
            }
        }
        items.truncate(kept);
        return items;
    }
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
        // Longer than the few compared pairwise: the set takes over, with the same result.
        let many: Vec<String> = (0..40).map(|i| format!("v{}", i % 13)).collect();
        let expected: Vec<String> = (0..13).map(|i| format!("v{i}")).collect();
        assert_eq!(distinct(many), expected);
        assert_eq!(distinct(["a", "a", "a"]), ["a"]);
    }
}

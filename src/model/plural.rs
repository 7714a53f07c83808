//! Counts in words for people: "1 notice", "3 notices". One place, so no message says "1 notices".

/// `n` followed by `one` when `n` is 1, else by `many` (English has irregular plurals, so both
/// forms are given: `count(2, "entry", "entries")`).
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// [`count`] for the noun every status line counts: notices.
pub fn notices(n: usize) -> String {
    count(n, "notice", "notices")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_zero_and_many_are_plural() {
        assert_eq!(notices(1), "1 notice");
        assert_eq!(notices(0), "0 notices");
        assert_eq!(notices(46), "46 notices");
        assert_eq!(count(1, "event", "events"), "1 event");
        assert_eq!(count(2, "entry", "entries"), "2 entries");
    }
}

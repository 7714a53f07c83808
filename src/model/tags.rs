//! Tags as the user types them, normalised the same way by the `t` prompt and `anbud tag`.

/// Tags as typed: trimmed, lower-cased, without empty ones or duplicates, sorted. Inner spaces
/// become `-` so a tag stays one word in the `t` prompt and on the command line.
pub fn normalize_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = tags
        .into_iter()
        .map(|t| {
            let clean: String = t.chars().filter(|c| !c.is_control()).collect();
            clean
                .trim()
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-")
        })
        .filter(|t| !t.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_folded_sorted_and_unique() {
        assert_eq!(
            normalize_tags([" Kari ", "urgent", "", "KARI", "bid  team"]),
            ["bid-team", "kari", "urgent"]
        );
    }
}

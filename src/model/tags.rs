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

/// One notice's tags before and after an edit. A single user's store writes `to`; a shared one
/// (team mode) writes only what the user added and took out, so a colleague's tag added meanwhile
/// survives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagEdit {
    /// Which notice.
    pub id: crate::model::NoticeId,
    /// The tags the user saw.
    pub from: Vec<String>,
    /// The tags the user left.
    pub to: Vec<String>,
}

impl TagEdit {
    /// Tags in `to` and not in `from`.
    pub fn added(&self) -> impl Iterator<Item = &str> {
        self.to.iter().filter(|t| !self.from.contains(t)).map(String::as_str)
    }

    /// Tags in `from` and not in `to`.
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.from.iter().filter(|t| !self.to.contains(t)).map(String::as_str)
    }
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

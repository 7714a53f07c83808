//! Splitting text into styled spans for keyword hits (byte ranges) and search hits (char positions).

use ratatui::style::Style;
use ratatui::text::Span;

/// Styles the byte ranges `marks` of `text` with their style, the rest with `base`.
///
/// Overlapping or invalid ranges (not on char boundaries) are skipped rather than trusted:
/// a wrong span must never make the UI panic.
pub fn by_bytes(text: &str, marks: &[(usize, usize, Style)], base: Style) -> Vec<Span<'static>> {
    let mut marks: Vec<_> = marks
        .iter()
        .copied()
        .filter(|&(s, e, _)| s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e))
        .collect();
    marks.sort_by_key(|&(s, e, _)| (s, std::cmp::Reverse(e)));
    let mut spans = Vec::new();
    let mut at = 0;
    for (start, end, style) in marks {
        if start < at {
            continue;
        }
        if start > at {
            spans.push(Span::styled(text[at..start].to_owned(), base));
        }
        spans.push(Span::styled(text[start..end].to_owned(), base.patch(style)));
        at = end;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_owned(), base));
    }
    spans
}

/// Styles the characters at `positions` (char indices, ascending) with `hit`.
pub fn by_chars(text: &str, positions: &[usize], base: Style, hit: Style) -> Vec<Span<'static>> {
    let marks: Vec<(usize, usize, Style)> = text
        .char_indices()
        .enumerate()
        .filter(|(i, _)| positions.binary_search(i).is_ok())
        .map(|(_, (b, c))| (b, b + c.len_utf8(), hit))
        .collect();
    by_bytes(text, &marks, base)
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Modifier, Style};

    use super::*;

    fn texts(spans: &[Span<'_>]) -> Vec<String> {
        spans.iter().map(|s| s.content.to_string()).collect()
    }

    #[test]
    fn splits_around_byte_ranges() {
        let hit = Style::new().add_modifier(Modifier::BOLD);
        let spans = by_bytes("Trygghetsalarm i Bærum", &[(17, 23, hit), (0, 9, hit)], Style::new());
        assert_eq!(texts(&spans), ["Trygghets", "alarm i ", "Bærum"]);
        assert_eq!(spans[2].style, hit);
    }

    #[test]
    fn bad_ranges_are_ignored() {
        let hit = Style::new().add_modifier(Modifier::BOLD);
        let spans = by_bytes("Bærum", &[(2, 3, hit), (0, 99, hit)], Style::new());
        assert_eq!(texts(&spans), ["Bærum"]);
    }

    #[test]
    fn char_positions_handle_multibyte() {
        let hit = Style::new().add_modifier(Modifier::BOLD);
        let spans = by_chars("æøå-x", &[1, 4], Style::new(), hit);
        assert_eq!(texts(&spans), ["æ", "ø", "å-", "x"]);
    }
}

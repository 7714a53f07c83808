//! Fitting a message into a line too narrow for it without losing what the user must read.
//!
//! Messages put what happened and what to do first, then the details: a path or URL, the raw error
//! in `[…]` or `(…)`. When the line is too narrow those details shrink first — a path keeps its
//! end (the file name), an error keeps its start — and the end of the message is cut only when
//! that is not enough. The message log (`M`) always has the whole text.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// One way of shortening a text by at least `over` columns, if it applies.
type Cut = fn(&[char], usize) -> Option<Vec<char>>;

/// What a shortened part keeps at least, so it still says something ("…shortlist.csv").
const MIN_KEEP: usize = 12;

/// `text` in at most `max` columns: the path, then a bracketed error, then a parenthesised one
/// lose their middle, then the end is cut; each cut is marked with `…`.
pub fn fit(text: &str, max: usize) -> String {
    let mut out = text.to_owned();
    let cuts: [Cut; 3] = [
        cut_path,
        |t, over| cut_group(t, over, ('[', ']')),
        |t, over| cut_group(t, over, ('(', ')')),
    ];
    for cut in cuts {
        let over = out.width().saturating_sub(max);
        if over == 0 {
            return out;
        }
        let chars: Vec<char> = out.chars().collect();
        if let Some(shorter) = cut(&chars, over) {
            out = shorter.into_iter().collect();
        }
    }
    if out.width() <= max {
        return out;
    }
    let mut cut = String::new();
    let mut width = 0;
    for c in out.chars() {
        width += c.width().unwrap_or(0);
        if width + 1 > max {
            break;
        }
        cut.push(c);
    }
    if max > 0 {
        cut.push('…');
    }
    cut
}

fn width(chars: &[char]) -> usize {
    chars.iter().map(|c| c.width().unwrap_or(0)).sum()
}

/// How many columns a part `part` columns wide keeps to save `over` (plus one for the `…`);
/// `None` when it is too short to gain anything.
fn keep(part: usize, over: usize) -> Option<usize> {
    let keep = part.saturating_sub(over + 1).max(MIN_KEEP);
    (keep + 1 < part).then_some(keep)
}

/// The last word that looks like a path or URL loses its start: its end names the file.
fn cut_path(text: &[char], over: usize) -> Option<Vec<char>> {
    let is_path = |word: &[char]| word.len() > MIN_KEEP && word.iter().any(|c| matches!(c, '/' | '\\'));
    let mut end = text.len();
    while end > 0 {
        let start = text[..end].iter().rposition(|c| c.is_whitespace()).map_or(0, |i| i + 1);
        let word = &text[start..end];
        if is_path(word) {
            let keep = keep(width(word), over)?;
            let mut tail = Vec::new();
            let mut kept = 0;
            for &c in word.iter().rev() {
                kept += c.width().unwrap_or(0);
                if kept > keep {
                    break;
                }
                tail.push(c);
            }
            tail.reverse();
            let mut out = text[..start].to_vec();
            out.push('…');
            out.extend(tail);
            out.extend_from_slice(&text[end..]);
            return Some(out);
        }
        end = start.saturating_sub(1);
    }
    None
}

/// The last `open … close` group (nesting counted) loses the end of its inside.
fn cut_group(text: &[char], over: usize, (open, close): (char, char)) -> Option<Vec<char>> {
    for start in (0..text.len()).rev().filter(|&i| text[i] == open) {
        let mut depth = 0;
        let end = text[start..].iter().position(|&c| {
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
            }
            depth == 0
        });
        let Some(end) = end.map(|e| start + e) else { continue };
        let inside = &text[start + 1..end];
        let Some(keep) = keep(width(inside), over) else {
            continue;
        };
        let mut out = text[..=start].to_vec();
        let mut kept = 0;
        for &c in inside {
            kept += c.width().unwrap_or(0);
            if kept > keep {
                break;
            }
            out.push(c);
        }
        out.push('…');
        out.extend_from_slice(&text[end..]);
        return Some(out);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_that_fits_is_unchanged() {
        assert_eq!(fit("Sorted by score", 80), "Sorted by score");
    }

    #[test]
    fn a_path_keeps_its_file_name_and_the_message_its_start() {
        let text =
            "Exported 12 shortlisted notices to /home/kari/Dokumenter/anbud/eksport/anbud-shortlist-20261201-1015.csv";
        let fitted = fit(text, 70);
        assert_eq!(
            fitted,
            "Exported 12 shortlisted notices to …/anbud-shortlist-20261201-1015.csv"
        );
        assert_eq!(fitted.width(), 70);
        assert!(fitted.starts_with("Exported 12 shortlisted notices to …"), "{fitted}");
        assert!(fitted.ends_with("anbud-shortlist-20261201-1015.csv"), "{fitted}");
    }

    #[test]
    fn the_raw_error_shrinks_before_the_fix_is_cut() {
        let text = "Cannot open a browser — y copies the link instead [Launcher \"gio\" \"https://doffin.no/notices/2026-1234\" failed with ExitStatus(unix_wait_status(1024))]";
        let fitted = fit(text, 70);
        assert_eq!(fitted.width(), 70, "{fitted}");
        assert!(
            fitted.starts_with("Cannot open a browser — y copies the link instead [Launcher"),
            "{fitted}"
        );
        assert!(fitted.ends_with("…]"), "{fitted}");
    }

    #[test]
    fn without_details_the_end_is_cut_and_marked() {
        let fitted = fit("Decision NOT saved; it is unchanged — try again", 20);
        assert_eq!(fitted, "Decision NOT saved;…");
        assert_eq!(fit("abc", 0), "");
    }
}

//! The note being written: its text and a cursor that moves by character, word and line, with
//! typing and deleting at the cursor. Pure; the note popup draws the cursor where it is.

use super::msg::TextEdit;

/// A multi-line draft with a cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NoteDraft {
    text: String,
    /// Byte offset into `text`, always on a char boundary.
    cursor: usize,
    /// The column Up/Down aim for, kept while they repeat so a short line in between does not
    /// pull the cursor left for good (as in every editor).
    goal: Option<usize>,
}

impl NoteDraft {
    /// A draft holding `text`, the cursor at its end (where one goes on to write).
    pub(crate) fn new(text: String) -> Self {
        let cursor = text.len();
        Self {
            text,
            cursor,
            goal: None,
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Takes the text out, leaving an empty draft.
    pub(crate) fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        *self = Self::default();
        text
    }

    /// The cursor as (line, column), both counted in chars from 0.
    pub(crate) fn line_col(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor];
        let line = before.matches('\n').count();
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[start..].chars().count())
    }

    /// Applies an edit that types, deletes or moves; returns false for the others (submit,
    /// cancel, complete), which the caller handles.
    pub(crate) fn apply(&mut self, edit: TextEdit) -> bool {
        let vertical = matches!(edit, TextEdit::Up | TextEdit::Down);
        match edit {
            TextEdit::Insert(c) => self.insert(c),
            TextEdit::Newline => self.insert('\n'),
            TextEdit::Backspace => {
                if let Some(c) = self.text[..self.cursor].chars().next_back() {
                    self.cursor -= c.len_utf8();
                    self.text.remove(self.cursor);
                }
            }
            TextEdit::Delete => {
                if self.cursor < self.text.len() {
                    self.text.remove(self.cursor);
                }
            }
            TextEdit::Left => {
                self.cursor -= self.text[..self.cursor].chars().next_back().map_or(0, char::len_utf8);
            }
            TextEdit::Right => {
                self.cursor += self.text[self.cursor..].chars().next().map_or(0, char::len_utf8);
            }
            TextEdit::Home => self.cursor = self.line_start(self.cursor),
            TextEdit::End => self.cursor = self.line_end(self.cursor),
            TextEdit::WordLeft => self.cursor = self.word_left(),
            TextEdit::WordRight => self.cursor = self.word_right(),
            TextEdit::Up | TextEdit::Down => self.vertical(edit == TextEdit::Up),
            TextEdit::Submit | TextEdit::Cancel | TextEdit::Complete => return false,
        }
        if !vertical {
            self.goal = None;
        }
        true
    }

    fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..].find('\n').map_or(self.text.len(), |i| at + i)
    }

    /// To the start of the word before the cursor (over any spaces and punctuation first).
    fn word_left(&self) -> usize {
        let before = &self.text[..self.cursor];
        let mut chars = before.char_indices().rev().skip_while(|(_, c)| !c.is_alphanumeric());
        let mut at = self.cursor;
        for (i, c) in chars.by_ref() {
            if !c.is_alphanumeric() {
                break;
            }
            at = i;
        }
        // Only punctuation before the cursor: to the start of the text.
        if at == self.cursor { 0 } else { at }
    }

    /// To the end of the word after the cursor (over any spaces and punctuation first).
    fn word_right(&self) -> usize {
        let after = &self.text[self.cursor..];
        let mut seen_word = false;
        for (i, c) in after.char_indices() {
            if c.is_alphanumeric() {
                seen_word = true;
            } else if seen_word {
                return self.cursor + i;
            }
        }
        self.text.len()
    }

    /// One line up or down, to the goal column or the line's end when it is shorter.
    fn vertical(&mut self, up: bool) {
        let start = self.line_start(self.cursor);
        let column = *self
            .goal
            .get_or_insert_with(|| self.text[start..self.cursor].chars().count());
        let target_start = if up {
            if start == 0 {
                self.cursor = 0;
                return;
            }
            self.line_start(start - 1)
        } else {
            let end = self.line_end(self.cursor);
            if end == self.text.len() {
                self.cursor = end;
                return;
            }
            end + 1
        };
        let target_end = self.line_end(target_start);
        let line = &self.text[target_start..target_end];
        self.cursor = target_start + line.char_indices().nth(column).map_or(line.len(), |(i, _)| i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str, cursor: usize) -> NoteDraft {
        NoteDraft {
            text: text.to_owned(),
            cursor,
            goal: None,
        }
    }

    fn after(mut d: NoteDraft, edits: &[TextEdit]) -> NoteDraft {
        for &e in edits {
            d.apply(e);
        }
        d
    }

    #[test]
    fn typing_and_deleting_happen_at_the_cursor() {
        use TextEdit::*;
        let d = after(
            NoteDraft::new("Ring Kari".to_owned()),
            &[Home, Insert('Å'), Right, Delete],
        );
        assert_eq!(d.text(), "ÅRng Kari");
        let d = after(d, &[End, Left, Left, Left, Left, Backspace, Insert('!')]);
        assert_eq!(d.text(), "ÅRng!Kari");
        assert_eq!(d.line_col(), (0, 5));
        // At the ends nothing is deleted and the cursor stays inside the text.
        let d = after(draft("ab", 0), &[Backspace, Left]);
        assert_eq!((d.text(), d.line_col()), ("ab", (0, 0)));
        let d = after(draft("ab", 2), &[Delete, Right]);
        assert_eq!((d.text(), d.line_col()), ("ab", (0, 2)));
    }

    #[test]
    fn words_and_lines() {
        use TextEdit::*;
        let text = "Ring Kari i Bærum,\nom befaring\nok";
        let d = after(NoteDraft::new(text.to_owned()), &[WordLeft]);
        assert_eq!(d.line_col(), (2, 0));
        let d = after(d, &[WordLeft, WordLeft]);
        assert_eq!(d.line_col(), (1, 0), "over the line break to 'om'");
        let d = after(d, &[WordLeft]);
        assert_eq!(d.line_col(), (0, 12), "to the start of Bærum, past the comma");
        let d = after(d, &[WordRight]);
        assert_eq!(d.line_col(), (0, 17), "to the end of Bærum");
        // Up and Down keep the column, or the line's end when it is shorter, and come back to it.
        let d = after(d, &[Down]);
        assert_eq!(d.line_col(), (1, 11));
        let d = after(d, &[Down]);
        assert_eq!(d.line_col(), (2, 2));
        let d = after(d, &[Up, Up]);
        assert_eq!(d.line_col(), (0, 17));
        let d = after(d, &[Up]);
        assert_eq!(d.line_col(), (0, 0), "Up on the first line goes to its start");
        let d = after(d, &[Down, Down, Down]);
        assert_eq!(d.line_col(), (2, 2), "Down on the last line goes to its end");
        let d = after(draft("a\nb", 2), &[Home, Backspace]);
        assert_eq!(d.text(), "ab", "Backspace at a line start joins the lines");
    }
}

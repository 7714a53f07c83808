//! Sanitising untrusted text from feeds before it reaches the terminal, the database or a CSV file.

/// Removes control characters and terminal escape sequences; folds runs of whitespace to one space.
///
/// Feeds are untrusted: a title containing `ESC [ 2 J` must not clear the user's screen. ESC-introduced
/// sequences (CSI, OSC, …) are dropped whole, not just their ESC byte, so no stray `[2J` remains.
pub fn sanitize(input: &str) -> String {
    sanitized(input).into_owned()
}

/// [`sanitize`] without a copy of text that is clean already: for comparing a feed's value with
/// another (a party's id with the buyer's, for each of thousands of parties) without allocating.
pub fn sanitized(input: &str) -> std::borrow::Cow<'_, str> {
    // Nearly every text a feed sends is clean already; checking is cheaper than rebuilding it
    // char by char (sanitising was 8 % of an RSS ingest).
    if is_clean(input) {
        return std::borrow::Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    let mut pending_space = false;
    while !rest.is_empty() {
        // Runs of bytes that are kept as they are go over whole (a char at a time, rebuilding was
        // 10 % of an RSS ingest, whose descriptions are rarely clean). A run ends before ASCII
        // whitespace or a control, or before a character that may be one (see `is_clean`), so
        // it always ends on a character boundary.
        let run = rest.bytes().position(|b| !is_plain_byte(b)).unwrap_or(rest.len());
        if run > 0 {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push_str(&rest[..run]);
            rest = &rest[run..];
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        rest = chars.as_str();
        if c == '\u{1b}' || c == '\u{9b}' {
            rest = skip_escape(c, rest);
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if c.is_control() || is_bidi_control(c) {
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// Whether byte `b` is kept as it is wherever it stands: not ASCII whitespace or a control, and
/// not the lead byte of a character that might be whitespace, a control or a bidi override.
fn is_plain_byte(b: u8) -> bool {
    !matches!(b, 0x00..=0x20 | 0x7f | 0xc2 | 0xe1 | 0xe2 | 0xe3)
}

/// Whether [`sanitize`] would return `input` unchanged: no control character (which includes the
/// escape introducers) or bidi override, and whitespace only as single spaces between words.
fn is_clean(input: &str) -> bool {
    // Byte by byte: only characters whose UTF-8 starts with 0xC2, 0xE1, 0xE2 or 0xE3 can be
    // non-ASCII whitespace, controls or bidi overrides (U+0080–U+00BF, U+1000–U+3FFF); every other
    // byte, the bulk of Norwegian text included, needs no decoding (the char walk was 3 % of an
    // ingest).
    let bytes = input.as_bytes();
    let mut after_space = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' => {
                if after_space {
                    return false;
                }
                after_space = true;
                i += 1;
                continue;
            }
            0x00..=0x1f | 0x7f => return false,
            0xc2 | 0xe1 | 0xe2 | 0xe3 => {
                // A lead byte, so a character starts here.
                let Some(c) = input.get(i..).and_then(|rest| rest.chars().next()) else {
                    return false;
                };
                if c.is_whitespace() || c.is_control() || is_bidi_control(c) {
                    return false;
                }
                i += c.len_utf8();
            }
            _ => i += 1,
        }
        after_space = false;
    }
    !after_space || input.is_empty()
}

/// Bidirectional overrides can make a title display differently from what it contains.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The text after the escape sequence whose introducer `first` was already consumed, `rest`
/// being what followed the introducer.
fn skip_escape(first: char, rest: &str) -> &str {
    let mut chars = rest.chars();
    let kind = if first == '\u{9b}' { Some('[') } else { chars.next() };
    match kind {
        // CSI: parameters and intermediates, then one final byte in 0x40..=0x7e.
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        // OSC, DCS, SOS, PM, APC: a string terminated by BEL or ESC \.
        Some(']' | 'P' | 'X' | '^' | '_') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if let Some(after) = chars.as_str().strip_prefix('\\') {
                        return after;
                    }
                    break;
                }
            }
        }
        // Two-character sequences (ESC c, ESC 7, …): the one character is already consumed.
        _ => {}
    }
    chars.as_str()
}

#[cfg(test)]
mod tests {
    use super::{is_bidi_control, is_clean, sanitize};

    #[test]
    fn the_byte_check_agrees_with_the_character_rules() {
        // The definition, a character at a time.
        let by_chars = |s: &str| {
            let mut after_space = true;
            for c in s.chars() {
                if c == ' ' {
                    if after_space {
                        return false;
                    }
                    after_space = true;
                } else if c.is_whitespace() || c.is_control() || is_bidi_control(c) {
                    return false;
                } else {
                    after_space = false;
                }
            }
            !after_space || s.is_empty()
        };
        let samples = (0..0x3100u32)
            .chain(0xfef0..0xff10)
            .chain([0x1_f600, 0x10_ffff])
            .filter_map(char::from_u32);
        for c in samples {
            for text in [format!("a{c}b"), format!("{c}"), format!("æ {c} ø"), format!("{c}{c}")] {
                assert_eq!(is_clean(&text), by_chars(&text), "{c:?}");
            }
        }
        assert!(is_clean("Trygghetsalarmer – Bærum kommune"));
        assert!(!is_clean("a  b") && !is_clean(" a") && !is_clean("a ") && is_clean(""));
    }

    #[test]
    fn strips_csi_and_osc_sequences_whole() {
        assert_eq!(sanitize("a\u{1b}[2Jb"), "ab");
        assert_eq!(sanitize("x\u{1b}]0;pwned\u{7}y"), "xy");
        assert_eq!(sanitize("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
        assert_eq!(sanitize("\u{9b}31mred"), "red");
    }

    #[test]
    fn folds_whitespace_and_drops_controls() {
        assert_eq!(
            sanitize("  Trygghets\talarm\r\n levering\u{7} "),
            "Trygghets alarm levering"
        );
        assert_eq!(sanitize("a\u{202e}b"), "ab");
    }

    #[test]
    fn keeps_norwegian_and_wide_text() {
        assert_eq!(
            sanitize("Velferdsteknologi – Bærum 病院 🏥"),
            "Velferdsteknologi – Bærum 病院 🏥"
        );
    }

    #[test]
    fn no_control_character_survives_any_input() {
        let all: String = (0u32..0x300).filter_map(char::from_u32).collect();
        let clean = sanitize(&all);
        assert!(!clean.chars().any(char::is_control), "{clean:?}");
    }

    #[test]
    fn the_clean_text_shortcut_agrees_with_the_full_pass() {
        // Each of these needs the full pass; one character less and the shortcut takes them.
        for dirty in [
            " lead",
            "trail ",
            "two  spaces",
            "nbsp\u{a0}x",
            "tab\tx",
            "nel\u{85}x",
            "bidi\u{2066}x",
            " ",
        ] {
            assert!(!super::is_clean(dirty), "{dirty:?}");
            assert_ne!(sanitize(dirty), dirty);
        }
        for clean in ["", "a", "Rammeavtale om trygghetsalarmer – Bærum 病院 🏥", "a b c"] {
            assert!(super::is_clean(clean), "{clean:?}");
            assert_eq!(sanitize(clean), clean);
        }
    }

    #[test]
    fn copying_plain_runs_agrees_with_the_char_by_char_rules() {
        // The rules a character at a time (the implementation before plain runs were copied whole).
        // (Escape sequences are skipped by the same `skip_escape`; `strips_csi_and_osc_sequences_whole`
        // checks it.)
        let by_chars = |input: &str| {
            let mut out = String::new();
            let mut chars = input.chars();
            let mut pending_space = false;
            while let Some(c) = chars.next() {
                if c == '\u{1b}' || c == '\u{9b}' {
                    chars = super::skip_escape(c, chars.as_str()).chars();
                    continue;
                }
                if c.is_whitespace() {
                    pending_space = !out.is_empty();
                    continue;
                }
                if c.is_control() || is_bidi_control(c) {
                    continue;
                }
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(c);
            }
            out
        };
        let pieces = [
            "a",
            "Bærum",
            " ",
            "  ",
            "\t",
            "\n",
            "\u{a0}",
            "\u{85}",
            "\u{2066}",
            "\u{1b}[31m",
            "\u{1b}]0;t\u{7}",
            "\u{1b}]8;;x\u{1b}\\",
            "\u{1b}",
            "\u{9b}",
            "[",
            "\\",
            "病院",
            "🏥",
            "©",
            "\u{2013}",
            "\u{3000}",
        ];
        // Every sequence of three pieces, so each piece meets each other on both sides.
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    assert_eq!(sanitize(&text), by_chars(&text), "{text:?}");
                }
            }
        }
    }
}

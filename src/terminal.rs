//! Entering and leaving the full-screen terminal, on every exit path including panics.

use std::io::{self, stdout};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use ratatui::DefaultTerminal;

/// Enters raw mode and the alternate screen with mouse capture.
///
/// `ratatui::try_init` installs a panic hook that restores raw mode and the alternate screen; it
/// does not know about mouse capture, so one more hook turns that off before chaining.
///
/// # Errors
/// When the terminal cannot be set up (not a TTY).
pub fn init() -> io::Result<DefaultTerminal> {
    let terminal = ratatui::try_init()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(stdout(), DisableMouseCapture);
        previous(info);
    }));
    execute!(stdout(), EnableMouseCapture)?;
    Ok(terminal)
}

/// Leaves the full-screen mode. Never panics; errors are printed by ratatui.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}

/// Puts `text` on the clipboard with the OSC 52 escape sequence, which the terminal (and tmux,
/// and ssh sessions) forward to the local clipboard: no clipboard daemon or X server needed.
///
/// # Errors
/// When stdout cannot be written.
pub fn copy_to_clipboard(text: &str) -> io::Result<()> {
    use std::io::Write;
    let mut out = stdout();
    write!(out, "\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()))?;
    out.flush()
}

/// Standard base64 with padding (RFC 4648), all OSC 52 needs; not worth a dependency.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected);
        }
        assert_eq!(base64("foobar".as_bytes()), "Zm9vYmFy");
        assert_eq!(base64("ø".as_bytes()), "w7g=");
    }
}

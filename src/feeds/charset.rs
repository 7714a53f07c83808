//! Bodies that are not UTF-8. Adapters only see bytes (the `Content-Type` charset stays in the HTTP
//! layer), and some publishers (Contracts Finder, a few municipal RSS feeds) still send ISO-8859-1.

use std::borrow::Cow;

/// The body as text: UTF-8 as is; anything else read as Windows-1252, which never fails. Bytes
/// 0x80–0x9F are read as Windows-1252 (`€`, curly quotes, dashes), as browsers do for the
/// ISO-8859-1 label: in strict Latin-1 they are invisible control characters.
pub(crate) fn decode_text(body: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(body) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(body.iter().map(|&b| windows_1252(b)).collect()),
    }
}

/// One Windows-1252 byte as a character; the five bytes it leaves undefined stay C1 controls.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}',
        '\u{2018}', '\u{2019}', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::decode_text;

    #[test]
    fn utf8_passes_and_latin1_with_windows_extras_decodes() {
        assert_eq!(decode_text("Bærum".as_bytes()), "Bærum");
        assert_eq!(decode_text(b"B\xe6rum \x80 5 \x96 \x93x\x94"), "Bærum € 5 – “x”");
    }
}

//! Opening a web page for `o`: the command in `$BROWSER` when it is set, else the platform's
//! opener (the `open` crate: `xdg-open`, `open`, `start`).
//!
//! `$BROWSER` follows the common convention (Python's `webbrowser`, `xdg-open`, `man`): one or
//! more commands separated by `:`, tried in order until one starts; each may carry arguments;
//! `%s` in them is replaced by the URL (`%%` is a literal `%`), and without `%s` the URL is
//! appended. No shell runs the command, so a URL from a feed is one argument whatever it holds.

use std::process::{Child, Command, Stdio};

/// A program and its arguments.
pub type BrowserCommand = (String, Vec<String>);

/// The commands `browser` (the value of `$BROWSER`) names for opening `url`, in the order to try.
/// Empty when `browser` holds no command.
pub fn browser_commands(browser: &str, url: &str) -> Vec<BrowserCommand> {
    browser
        .split(':')
        .filter_map(|entry| {
            let words = split_words(entry);
            let has_placeholder = words.iter().any(|w| w.contains("%s"));
            let mut args: Vec<String> = words.iter().map(|w| substitute(w, url)).collect();
            if !has_placeholder {
                args.push(url.to_owned());
            }
            let mut args = args.into_iter();
            let program = args.next().filter(|p| !p.is_empty() && !words.is_empty())?;
            Some((program, args.collect()))
        })
        .collect()
}

/// Starts the first of `browser`'s commands that starts, detached from the terminal (no input,
/// output discarded, so it cannot draw over the dashboard); the child is returned for the caller
/// to wait on.
///
/// # Errors
/// When `browser` names no command, or none of them could be started.
pub fn launch(browser: &str, url: &str) -> Result<Child, String> {
    let mut failures = Vec::new();
    for (program, args) in browser_commands(browser, url) {
        let started = Command::new(&program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        match started {
            Ok(child) => return Ok(child),
            Err(e) => failures.push(format!("{program}: {e}")),
        }
    }
    if failures.is_empty() {
        return Err("$BROWSER names no command".to_owned());
    }
    Err(format!("$BROWSER failed: {}", failures.join("; ")))
}

/// Opens `url` with `$BROWSER` when it is set and not blank, else with the platform's opener.
///
/// # Errors
/// When no browser could be started; the message says why.
pub fn open(url: &str) -> Result<(), String> {
    match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => {
            let mut child = launch(&browser, url)?;
            // Reaped in the background, so a browser that exits leaves no zombie behind.
            std::thread::spawn(move || child.wait());
            Ok(())
        }
        _ => open::that_detached(url).map_err(|e| e.to_string()),
    }
}

/// `%s` → `url` and `%%` → `%` in one argument.
fn substitute(word: &str, url: &str) -> String {
    let mut out = String::with_capacity(word.len() + url.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('%', Some('s')) => {
                chars.next();
                out.push_str(url);
            }
            ('%', Some('%')) => {
                chars.next();
                out.push('%');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Splits a command line into words at spaces, keeping what is inside '…' or "…" together and
/// taking the char after a backslash as it is (enough for paths with spaces; no expansions).
fn split_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quote, mut in_word) = (Vec::new(), String::new(), None, false);
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                word.extend(chars.next());
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

//! `o` opens the notice with `$BROWSER` (a command with arguments, `%s` for the URL, `:` between
//! alternatives) before falling back to the platform's opener.

use anbud::browser::{browser_commands, launch};

const URL: &str = "https://ted.europa.eu/en/notice/-/detail/12345-2026?lang=en&x=%20";

fn cmd(program: &str, args: &[&str]) -> (String, Vec<String>) {
    (program.to_owned(), args.iter().map(|a| (*a).to_owned()).collect())
}

#[test]
fn the_url_replaces_percent_s_or_is_appended() {
    assert_eq!(browser_commands("firefox", URL), [cmd("firefox", &[URL])]);
    assert_eq!(
        browser_commands("firefox --new-tab", URL),
        [cmd("firefox", &["--new-tab", URL])]
    );
    assert_eq!(
        browser_commands("w3m -o 'open=%s' --title=100%%", URL),
        [cmd("w3m", &["-o", &format!("open={URL}"), "--title=100%"])]
    );
    assert_eq!(
        browser_commands("\"/opt/My Browser/run\" %s", URL),
        [cmd("/opt/My Browser/run", &[URL])]
    );
}

#[test]
fn colons_separate_alternatives_tried_in_order_and_blanks_are_skipped() {
    assert_eq!(
        browser_commands("chromium %s:  : lynx", URL),
        [cmd("chromium", &[URL]), cmd("lynx", &[URL])]
    );
    assert!(browser_commands("", URL).is_empty());
    assert!(browser_commands("  ", URL).is_empty());
    assert!(launch(" : ", URL).is_err());
}

#[test]
fn a_real_browser_command_gets_the_url_as_one_argument() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("browser.sh");
    let out = dir.path().join("opened.txt");
    std::fs::write(&script, "#!/bin/sh\nprintf '%s' \"$2\" > \"$1\"\n").expect("script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    // The first alternative does not exist: the second one runs.
    let browser = format!(
        "{}/no-such-browser:{} {}",
        dir.path().display(),
        script.display(),
        out.display()
    );
    let mut child = launch(&browser, URL).expect("starts");
    assert!(child.wait().expect("waits").success());
    assert_eq!(std::fs::read_to_string(&out).expect("written"), URL);
}

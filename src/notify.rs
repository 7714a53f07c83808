//! Desktop notifications (`[notify]` in the config, off by default): a thin adapter over
//! notify-rust. Nothing here may take the dashboard down: a missing notification service, a
//! session without D-Bus or a slow daemon is an error value, never a panic or a hang.

use std::time::Duration;

/// How long to wait for the notification service before giving up.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Shows one notification.
///
/// # Errors
/// The service's error in words (no D-Bus session, no notification daemon, timeout).
pub async fn send(summary: &str, body: &str) -> Result<(), String> {
    let mut notification = notify_rust::Notification::new();
    notification
        .appname("anbud")
        .summary(summary)
        .body(&escape_markup(body));
    match tokio::time::timeout(TIMEOUT, show(notification)).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no answer from the notification service within {} s",
            TIMEOUT.as_secs()
        )),
    }
}

#[cfg(unix)]
async fn show(notification: notify_rust::Notification) -> Result<(), String> {
    notification.show_async().await.map(drop).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
async fn show(notification: notify_rust::Notification) -> Result<(), String> {
    tokio::task::spawn_blocking(move || notification.show().map(drop).map_err(|e| e.to_string()))
        .await
        .map_err(|e| e.to_string())?
}

/// Notification daemons may read a subset of HTML in the body; tender titles are untrusted, so
/// their `<`, `>` and `&` are shown as text.
pub fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_titles_is_shown_as_text() {
        assert_eq!(
            escape_markup("<b>Trygghet</b> & <a href=x>alarm</a>"),
            "&lt;b&gt;Trygghet&lt;/b&gt; &amp; &lt;a href=x&gt;alarm&lt;/a&gt;"
        );
    }

    #[tokio::test]
    async fn without_a_notification_service_it_fails_in_words_and_does_not_panic() {
        // Test machines have no desktop session; where one exists the notification simply shows.
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
            return;
        }
        let err = send("anbud test", "body").await.expect_err("no session bus here");
        assert!(!err.is_empty());
    }
}

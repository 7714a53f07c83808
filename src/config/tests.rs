use std::time::Duration;

use super::{ConfigError, FeedKind, FeedSettings, load, parse_str};

#[test]
fn bundled_defaults_load() {
    let config = load(None).expect("bundled config is valid");
    assert_eq!(config.feeds.len(), 2);
    assert_eq!(config.feeds[0].kind(), FeedKind::Ted);
    assert_eq!(config.feeds[1].kind(), FeedKind::Doffin);
    assert!(matches!(
        &config.feeds[1].settings,
        FeedSettings::Doffin { api_key_env: Some(env), api_key: None } if env == "DOFFIN_API_KEY"
    ));
    assert_eq!(config.feeds[0].base_url, "https://api.ted.europa.eu");
    assert_eq!(config.feeds[0].interval, Duration::from_secs(900));
}

#[test]
fn user_keys_override_single_defaults() {
    let config = parse_str("poll_interval = \"5m\"\nexport_dir = \"/tmp/out\"\n", "user.toml").expect("valid");
    assert_eq!(config.feeds[0].interval, Duration::from_secs(300));
    assert_eq!(config.export_dir, std::path::PathBuf::from("/tmp/out"));
    assert!(matches!(
        &config.feeds[0].settings,
        FeedSettings::Ted { countries, path: None } if countries == &["NOR", "SWE", "DNK", "FIN", "ISL"]
    ));
}

#[test]
fn feeds_list_replaces_defaults() {
    let text = "[[feeds]]\nname = \"Local\"\nkind = \"ted\"\nbase_url = \"http://127.0.0.1:9/\"\n";
    let config = parse_str(text, "user.toml").expect("valid");
    assert_eq!(config.feeds.len(), 1);
    assert_eq!(config.feeds[0].name, "Local");
    assert_eq!(config.feeds[0].base_url, "http://127.0.0.1:9");
}

fn invalid(text: &str) -> (usize, String) {
    match parse_str(text, "user.toml") {
        Err(ConfigError::Invalid {
            file, line, message, ..
        }) => {
            assert_eq!(file, "user.toml");
            (line, message)
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn unknown_key_names_line_and_key() {
    let (line, message) = invalid("export_dir = \".\"\npoll_intervall = \"5m\"\n");
    assert_eq!(line, 2);
    assert!(message.contains("poll_intervall"), "{message}");
}

#[test]
fn bad_duration_zone_and_url_point_at_their_line() {
    assert_eq!(invalid("\n\npoll_interval = \"15x\"\n").0, 3);
    let (line, message) = invalid("timezone = \"Europe/Bergen\"\n");
    assert_eq!(line, 1);
    assert!(message.contains("Europe/Bergen"), "{message}");
    let text = "[[feeds]]\nname = \"x\"\nkind = \"ted\"\nbase_url = \"ftp://x\"\n";
    let (line, message) = invalid(text);
    assert_eq!(line, 4);
    assert!(message.contains("http://"), "{message}");
}

#[test]
fn unknown_feed_kind_is_reported() {
    let (line, message) = invalid("[[feeds]]\nname = \"x\"\nkind = \"gopher\"\nbase_url = \"http://x\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("gopher"), "{message}");
}

#[test]
fn no_enabled_feed_is_unusable() {
    let text = "[[feeds]]\nname = \"x\"\nkind = \"ted\"\nbase_url = \"http://x\"\nenabled = false\n";
    assert!(matches!(parse_str(text, "u.toml"), Err(ConfigError::Unusable { .. })));
}

#[test]
fn csv_settings_parse_and_reject_other_separators() {
    let config = parse_str("csv_delimiter = \";\"\ncsv_bom = true\n", "user.toml").expect("valid");
    assert_eq!((config.csv_delimiter, config.csv_bom), (b';', true));
    let (line, message) = invalid("\ncsv_delimiter = \"|\"\n");
    assert_eq!(line, 2);
    assert!(message.contains("csv_delimiter"), "{message}");
}

#[test]
fn keys_rebind_one_at_a_time() {
    use crossterm::event::{KeyCode, KeyModifiers};
    let text = "[keys.list]\n\"ctrl-j\" = \"select_next\"\nx = \"shortlist\"\n";
    let config = parse_str(text, "user.toml").expect("valid");
    assert_eq!(config.keys.actions.len(), 2);
    let keymap = crate::app::Keymap::default().with_overrides(&config.keys);
    let press = |code, modifiers| crossterm::event::KeyEvent::new(code, modifiers);
    use crate::app::Action;
    assert_eq!(
        keymap.resolve(&press(KeyCode::Char('j'), KeyModifiers::CONTROL)),
        Some(Action::SelectNext)
    );
    assert_eq!(
        keymap.resolve(&press(KeyCode::Char('x'), KeyModifiers::NONE)),
        Some(Action::Shortlist)
    );
    // Untouched defaults stay.
    assert_eq!(
        keymap.resolve(&press(KeyCode::Char('j'), KeyModifiers::NONE)),
        Some(Action::SelectNext)
    );
    assert_eq!(
        keymap.resolve(&press(KeyCode::Char('s'), KeyModifiers::NONE)),
        Some(Action::Shortlist)
    );
}

#[test]
fn unknown_action_or_key_is_reported_with_its_line() {
    let (line, message) = invalid("\n[keys.list]\nj = \"jump_around\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("jump_around"), "{message}");
    let (line, message) = invalid("[keys.list]\nq = \"quit\"\n\"hyper-q\" = \"quit\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("hyper-q"), "{message}");
    let (_, message) = invalid("[keys.confirm]\nj = \"quit\"\n");
    assert!(message.contains("confirm"), "{message}");
    // A text mode takes edits, not actions.
    let (line, message) = invalid("[keys.search]\n\"ctrl-g\" = \"cancel\"\nx = \"quit\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("quit"), "{message}");
}

#[test]
fn every_mode_rebinds_key_by_key() {
    use crate::app::keymap::KeyMode;
    use crate::app::{Action, AppState, Msg, TextEdit};
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let text = "[keys.detail]\nj = \"scroll_detail_down\"\n\
                [keys.search]\n\"ctrl-g\" = \"cancel\"\n\
                [keys.tags]\n\"ctrl-space\" = \"complete\"\n\
                [keys.note]\n\"ctrl-d\" = \"submit\"\n\
                [keys.help]\nh = \"toggle_help\"\n";
    let config = parse_str(text, "user.toml").expect("valid");
    let keymap = crate::app::Keymap::default().with_overrides(&config.keys);
    let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let ctrl = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    let mut state = AppState::new(Vec::new(), &[], jiff::Timestamp::UNIX_EPOCH);
    // The list keeps j; with the detail pane open, j scrolls it.
    assert!(matches!(
        keymap.translate(&key('j'), &state),
        Some(Msg::Action(Action::SelectNext))
    ));
    state.update(Msg::Action(Action::ToggleDetail));
    assert!(matches!(
        keymap.translate(&key('j'), &state),
        Some(Msg::Action(Action::ScrollDetailDown))
    ));
    assert!(matches!(
        keymap.translate(&key('k'), &state),
        Some(Msg::Action(Action::SelectPrevious))
    ));
    state.update(Msg::Action(Action::StartSearch));
    assert!(matches!(
        keymap.translate(&ctrl('g'), &state),
        Some(Msg::Edit(TextEdit::Cancel))
    ));
    assert!(matches!(
        keymap.translate(&key('j'), &state),
        Some(Msg::Edit(TextEdit::Insert('j')))
    ));
    assert_eq!(
        keymap.edit_keys(KeyMode::Tags, TextEdit::Complete),
        ["Tab", "Ctrl-Space"]
    );
    assert_eq!(
        keymap.edit_keys(KeyMode::Note, TextEdit::Submit),
        ["Esc", "Ctrl-s", "Ctrl-d"]
    );
}

#[test]
fn csv_columns_and_reject_reasons_parse_and_bad_columns_name_their_line() {
    let text = "csv_columns = [\"title\", \"tags\", \"deadline\"]\nreject_reasons = [\"staffing\"]\n";
    let config = parse_str(text, "user.toml").expect("valid");
    assert_eq!(config.csv_columns, Some(vec!["title", "tags", "deadline"]));
    assert_eq!(config.reject_reasons, ["staffing"]);
    let bundled = load(None).expect("bundled");
    assert_eq!(bundled.csv_columns.as_deref(), Some(crate::export::HEADER));
    assert!(!bundled.reject_reasons.is_empty());
    assert_eq!(bundled.notify_min_score, None, "notifications are off by default");
    let (line, message) = invalid("\ncsv_columns = [\"title\", \"phone\"]\n");
    assert_eq!(line, 2);
    assert!(
        message.contains("phone") && message.contains("questions_deadline"),
        "{message}"
    );
    let on = parse_str("notify = { enabled = true }\n", "u.toml").expect("valid");
    assert_eq!(on.notify_min_score, Some(15));
}

#[test]
fn theme_is_dark_or_light() {
    assert_eq!(
        parse_str("theme = \"light\"\n", "u.toml").expect("valid").palette,
        super::Palette::Light
    );
    assert_eq!(load(None).expect("bundled").palette, super::Palette::Dark);
    let (line, message) = invalid("theme = \"solarized\"\n");
    assert_eq!(line, 1);
    assert!(message.contains("solarized"), "{message}");
}

#[test]
fn several_profiles_load_and_duplicate_names_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lab = dir.path().join("lab.toml");
    std::fs::write(
        &lab,
        "name = \"lab\"\nthreshold = 5\n[[include]]\nterm = \"pipette\"\nweight = 5\n",
    )
    .expect("write");
    let text = format!("profiles = [{:?}]\n", lab.display().to_string());
    let config = parse_str(&text, "user.toml").expect("valid");
    assert_eq!(
        config.profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["lab"]
    );
    let text = format!("profiles = [{0:?}, {0:?}]\n", lab.display().to_string());
    assert!(matches!(
        parse_str(&text, "user.toml"),
        Err(ConfigError::Unusable { .. })
    ));
    assert_eq!(load(None).expect("bundled").profiles.len(), 1);
}

#[test]
fn bundled_profiles_are_selected_by_name() {
    let config = parse_str("profiles = [\"health-tech\", \"lab-diagnostics\"]\n", "user.toml").expect("valid");
    assert_eq!(
        config.profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["health-tech", "lab-diagnostics"]
    );
    // A name that is neither bundled nor a file is a read error naming it.
    let err = parse_str("profiles = [\"lab-diagnostic\"]\n", "user.toml").expect_err("no such profile");
    assert!(err.to_string().contains("lab-diagnostic"), "{err}");
}

#[test]
fn stale_after_defaults_to_three_days_and_takes_days() {
    assert_eq!(load(None).expect("valid").stale_after, Duration::from_secs(3 * 86_400));
    let config = parse_str("stale_after = \"5d\"\n", "user.toml").expect("valid");
    assert_eq!(config.stale_after, Duration::from_secs(5 * 86_400));
    let (line, message) = invalid("\nstale_after = \"3 weeks\"\n");
    assert_eq!(line, 2);
    assert!(message.contains("s, m, h or d"), "{message}");
}

#[test]
fn durations_out_of_range_are_errors_naming_key_place_and_range() {
    // 213503982334602 days is more seconds than a u64 holds: it wrapped (release) or panicked (debug).
    let err = parse_str("\n\npoll_interval = \"213503982334602d\"\n", "config.toml").expect_err("out of range");
    assert_eq!(
        err.to_string(),
        "config.toml:3:17: poll_interval \"213503982334602d\" is out of range: use between 1s and 365d"
    );
    for (text, line, key) in [
        ("poll_interval = \"0s\"\n", 1, "poll_interval"),
        ("poll_interval = \"366d\"\n", 1, "poll_interval"),
        ("poll_interval = \"99999999999999999999999s\"\n", 1, "poll_interval"),
        ("stale_after = \"0m\"\n", 1, "stale_after"),
        ("stale_after = \"3074457345618258603m\"\n", 1, "stale_after"),
        (
            "[[feeds]]\nname = \"x\"\nkind = \"ted\"\nbase_url = \"http://x\"\ninterval = \"9000000h\"\n",
            5,
            "interval",
        ),
    ] {
        let (got, message) = invalid(text);
        assert_eq!(got, line, "{text}: {message}");
        assert!(
            message.starts_with(&format!("{key} \"")) && message.ends_with("is out of range: use between 1s and 365d"),
            "{text}: {message}"
        );
    }
    // The bounds themselves are fine.
    let config = parse_str("poll_interval = \"1s\"\nstale_after = \"365d\"\n", "config.toml").expect("valid");
    assert_eq!(config.feeds[0].interval, Duration::from_secs(1));
    assert_eq!(config.stale_after, Duration::from_secs(365 * 86_400));
}

#[test]
fn parse_duration_refuses_what_a_u64_cannot_hold() {
    assert!(super::raw::parse_duration("213503982334602d").is_err());
    assert!(super::raw::parse_duration("307445734561825861m").is_err());
    assert_eq!(super::raw::parse_duration("2h"), Ok(Duration::from_secs(7200)));
}

#[test]
fn relative_profile_paths_resolve_against_the_config_files_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("conf");
    std::fs::create_dir_all(conf.join("profiles")).expect("mkdir");
    let profile =
        |name: &str| format!("name = \"{name}\"\nthreshold = 5\n[[include]]\nterm = \"pipette\"\nweight = 5\n");
    std::fs::write(conf.join("lab.toml"), profile("lab")).expect("write");
    std::fs::write(conf.join("profiles").join("welfare.toml"), profile("welfare")).expect("write");
    let config_file = conf.join("config.toml");
    // The working directory (the crate root) holds none of these files: cron starts in $HOME.
    std::fs::write(
        &config_file,
        "profiles = [\"lab.toml\", \"profiles/welfare.toml\", \"lab-diagnostics\"]\n",
    )
    .expect("write");
    let config = load(Some(&config_file)).expect("profiles found next to the config");
    let names: Vec<&str> = config.profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["lab", "welfare", "lab-diagnostics"]);
    // Accepted suggestions are written to the file that was read.
    assert_eq!(
        config.profile_files,
        [
            ("lab".to_owned(), conf.join("lab.toml")),
            ("welfare".to_owned(), conf.join("profiles").join("welfare.toml"))
        ]
    );
}

#[test]
fn a_missing_profile_file_is_named_with_the_full_path_searched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_file = dir.path().join("config.toml");
    std::fs::write(&config_file, "profiles = [\"welfare.toml\"]\n").expect("write");
    let err = load(Some(&config_file)).expect_err("no such profile").to_string();
    let full = dir.path().join("welfare.toml");
    assert!(err.contains(&config_file.display().to_string()), "{err}");
    assert!(err.contains("profile \"welfare.toml\""), "{err}");
    assert!(err.contains(&full.display().to_string()), "{err}");
    assert!(
        !err.contains("config file"),
        "it is a profile, not a config file: {err}"
    );
}

#[test]
fn stale_after_default_is_written_in_the_bundled_file() {
    // The config owns its defaults (the app takes the value from the config, never the reverse),
    // so `--print-default-config` shows it too.
    let bundled: toml::Table = toml::from_str(super::DEFAULT_TOML).expect("bundled toml");
    assert_eq!(bundled.get("stale_after").and_then(toml::Value::as_str), Some("3d"));
}

#[test]
fn a_setting_of_another_kind_of_feed_is_an_error_naming_feed_key_and_kinds() {
    let text = "[[feeds]]\nname = \"Kommune RSS\"\nkind = \"rss\"\nbase_url = \"https://example.no/rss\"\ncountries = [\"NOR\"]\n";
    let message = parse_str(text, "user.toml").expect_err("countries on RSS").to_string();
    assert_eq!(
        message,
        "user.toml: feed \"Kommune RSS\" (kind = \"rss\"): `countries` is a setting of ted feeds only; remove it"
    );
    let text = "[[feeds]]\nname = \"TED\"\nkind = \"ted\"\nbase_url = \"https://api.ted.europa.eu\"\nsource = \"x\"\n";
    let message = parse_str(text, "user.toml").expect_err("source on TED").to_string();
    assert!(
        message.contains("`source` is a setting of ocds and rss feeds only"),
        "{message}"
    );
}

#[test]
fn own_org_ids_and_names_parse_and_a_wrong_type_names_its_line() {
    let bundled = load(None).expect("bundled");
    assert!(
        bundled.own_org_ids.is_empty() && bundled.own_names.is_empty(),
        "nobody by default"
    );
    let text = "own_org_ids = [\"NO 890 164 072 MVA\"]\nown_names = [\"Globalconnect AS\"]\n";
    let config = parse_str(text, "user.toml").expect("valid");
    assert_eq!(config.own_org_ids, ["NO 890 164 072 MVA"]);
    assert_eq!(config.own_names, ["Globalconnect AS"]);
    let own = crate::app::market::OwnIdentity::new(&config.own_org_ids, &config.own_names);
    assert!(own.is(Some("GLOBALCONNECT"), None), "legal form and case ignored");
    assert!(own.is(None, Some("890164072")), "digits compared");
    assert!(!own.is(Some("Globalconnect Norge"), Some("999 601 391")));
    let (line, message) = invalid("\n\nown_org_ids = \"890164072\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("a list in brackets"), "{message}");
}

//! Every screen state rendered into a `TestBackend` and compared with a committed snapshot.

use crate::common;

use anbud::app::{Action, AppState, Keymap, Msg, TextEdit};
use anbud::feeds::FeedEvent;
use anbud::model::Triage;
use anbud::ui::{Theme, ViewState};
use common::screen::{Look, draw, draw_with};
use common::{notice, now};
use ratatui::style::Modifier;

fn loaded() -> AppState {
    let records = vec![
        notice("ted:1")
            .title("Trygghetsalarmer og velferdsteknologi til Bærum kommune")
            .buyer("Bærum kommune")
            .description("Anskaffelse av trygghetsalarmer med digitalt tilsyn for hjemmeboende.")
            .score(12)
            .title_hit("Trygghetsalarm", 5)
            .title_hit("velferdsteknologi", 4)
            .deadline("2026-11-25T11:00:00Z")
            .build(),
        notice("ted:2")
            .title("Røntgenutstyr — 病院 🏥 imaging")
            .buyer("Helse Bergen HF")
            .score(8)
            .deadline("2027-01-15T11:00:00Z")
            .build(),
        notice("ted:3")
            .title("Elektronisk pasientjournal (EPJ) til legekontor")
            .buyer("Tromsø kommune")
            .score(5)
            .deadline("2026-11-01T11:00:00Z")
            .build(),
        notice("ted:4").title("Renhold av kontorbygg").score(0).build(),
        notice("ted:5")
            .title("Dialysemaskiner")
            .score(7)
            .triage(Triage::Shortlisted)
            .build(),
    ];
    let mut state = AppState::new(records, &["TED".to_owned()], now());
    state.update(Msg::Feed(FeedEvent::Fetched {
        feed: "TED".to_owned(),
        notices: Vec::new(),
        at: now(),
        next_at: "2026-11-22T12:15:00Z".parse().expect("valid"),
        warnings: Vec::new(),
        state: Default::default(),
    }));
    state
}

#[test]
fn empty_while_polling() {
    let state = AppState::new(Vec::new(), &["TED".to_owned()], now());
    insta::assert_snapshot!(draw(&state, 100, 12).backend());
}

#[test]
fn loaded_list() {
    insta::assert_snapshot!(draw(&loaded(), 100, 14).backend());
}

#[test]
fn list_with_detail_pane() {
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleDetail));
    insta::assert_snapshot!(draw(&state, 130, 20).backend());
}

#[test]
fn help_overlay() {
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleHelp));
    insta::assert_snapshot!(draw(&state, 100, 34).backend());
}

#[test]
fn search_active() {
    let mut state = loaded();
    state.update(Msg::Action(Action::StartSearch));
    for c in "bærum".chars() {
        state.update(Msg::Edit(TextEdit::Insert(c)));
    }
    insta::assert_snapshot!(draw(&state, 100, 12).backend());
}

#[test]
fn failed_source_and_pending_save() {
    let mut state = loaded();
    state.update(Msg::Feed(FeedEvent::Failed {
        feed: "TED".to_owned(),
        message: "cannot connect to api.ted.europa.eu — check the network connection and the feed's base_url [dns error: failed to lookup address information: Name or service not known]".to_owned(),
        at: now(),
        retry_at: "2026-11-22T12:01:00Z".parse().expect("valid"),
    }));
    // The All tab: shows the closed and the unmatched (dimmed) notices too.
    state.update(Msg::ClickView(anbud::app::View::All));
    state.update(Msg::Action(Action::Shortlist));
    insta::assert_snapshot!(draw(&state, 100, 12).backend());
}

#[test]
fn small_terminal_80x24_with_detail() {
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleDetail));
    insta::assert_snapshot!(draw(&state, 80, 24).backend());
}

#[test]
fn selected_row_is_reverse_video_even_without_colour() {
    let state = loaded();
    let terminal = draw_with(
        &state,
        100,
        12,
        &Look {
            theme: Theme::new(false),
            ..Look::default()
        },
        &mut ViewState::default(),
    );
    let buffer = terminal.backend().buffer();
    // Row 0 is the tab line, row 1 the table header, row 2 the first (selected) notice.
    let cell = &buffer[(20, 2)];
    assert!(cell.style().add_modifier.contains(Modifier::REVERSED));
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let fg = buffer[(x, y)].style().fg;
            assert!(
                matches!(fg, None | Some(ratatui::style::Color::Reset)),
                "colour {fg:?} at {x},{y} with NO_COLOR"
            );
        }
    }
}

#[test]
fn keyword_hits_are_highlighted_in_the_detail_pane() {
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleDetail));
    let terminal = draw(&state, 130, 20);
    let buffer = terminal.backend().buffer();
    let row = (0..buffer.area.height)
        .find(|&y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .contains("Trygghetsalarmer og")
        })
        .expect("title in detail pane");
    let line: String = (72..buffer.area.width).map(|x| buffer[(x, row)].symbol()).collect();
    let start = 72 + line.find("Trygghetsalarm").expect("hit text") as u16;
    assert!(buffer[(start, row)].style().add_modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn clicks_hit_tabs_and_rows_where_they_were_drawn() {
    use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut state = loaded();
    let mut view = ViewState::default();
    let terminal = draw_with(&state, 100, 12, &Look::default(), &mut view);
    let click = |column, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let tab_line: String = (0..100)
        .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_owned())
        .collect();
    let shortlist_x = u16::try_from(tab_line.find("Short").expect("tab drawn")).expect("fits");
    let msg = view.click(&click(shortlist_x + 2, 0)).expect("tab hit");
    state.update(msg);
    assert_eq!(state.view(), anbud::app::View::Shortlist);

    // Back to the All tab, which has five rows.
    for _ in 0..3 {
        state.update(Msg::Action(Action::PreviousView));
    }
    assert_eq!(state.view(), anbud::app::View::All);
    draw_with(&state, 100, 12, &Look::default(), &mut view);
    // Row 0 tabs, row 1 header, row 2 the first notice: row 4 is the third.
    let msg = view.click(&click(30, 4)).expect("row hit");
    state.update(msg);
    assert_eq!(state.selected_row(), Some(2));
    assert!(view.click(&click(30, 11)).is_none(), "the status line is not a row");
}

#[test]
fn note_editor_popup() {
    let mut state = loaded();
    state.update(Msg::Action(Action::EditNote));
    for c in "Ring Kari i Bærum\nom befaring".chars() {
        let edit = if c == '\n' {
            TextEdit::Newline
        } else {
            TextEdit::Insert(c)
        };
        state.update(Msg::Edit(edit));
    }
    insta::assert_snapshot!(draw(&state, 100, 16).backend());
}

#[test]
fn help_overlay_in_two_columns_at_80x24() {
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleHelp));
    insta::assert_snapshot!(draw(&state, 80, 24).backend());
}

/// On a short terminal the help scrolls to its legend, and stops at its end.
#[test]
fn help_scrolls_to_the_legend_on_a_short_terminal() {
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleHelp));
    state.update(Msg::Action(Action::PageDown));
    state.update(Msg::Action(Action::PageDown));
    let at_end = draw(&state, 80, 24);
    insta::assert_snapshot!(at_end.backend());
    let screen = common::screen::rows(&at_end).join("\n");
    assert!(screen.contains("Marks: ★ shortlisted"), "{screen}");
    state.update(Msg::Action(Action::SelectLast));
    assert_eq!(
        common::screen::rows(&draw(&state, 80, 24)).join("\n"),
        screen,
        "stops at the end"
    );
}

/// While `r` runs, the feed bar counts the feeds that answered and shows each one's step.
#[test]
fn feed_bar_shows_refresh_progress() {
    let mut state = AppState::new(
        Vec::new(),
        &["TED".to_owned(), "Doffin".to_owned(), "RSS".to_owned()],
        now(),
    );
    state.update(Msg::Action(Action::RefreshAll));
    state.update(Msg::Feed(FeedEvent::Started {
        feed: "TED".to_owned(),
        at: now(),
    }));
    state.update(Msg::Feed(FeedEvent::Started {
        feed: "Doffin".to_owned(),
        at: now(),
    }));
    state.update(Msg::Feed(FeedEvent::Failed {
        feed: "Doffin".to_owned(),
        message: "HTTP 503 — Doffin is unavailable (maintenance or overload); anbud retries with backoff".to_owned(),
        at: now(),
        retry_at: "2026-11-22T12:05:00Z".parse().expect("time"),
    }));
    insta::assert_snapshot!(draw(&state, 120, 8).backend());
}

/// A message too long for the status line loses the middle of its path, not its start or the
/// file name.
#[test]
fn a_long_status_message_keeps_its_start_and_the_file_name() {
    let mut state = loaded();
    state.update(Msg::Action(Action::ExportShortlist));
    state.update(Msg::ExportFinished(Ok((
        "/home/kari/Dokumenter/anbud/eksport/2026/november/anbud-shortlist-20261122-1301.csv".into(),
        1,
    ))));
    let rows = common::screen::rows(&draw(&state, 80, 12));
    let last = rows.last().expect("status row");
    assert_eq!(
        last.trim_end(),
        "Exported 1 shortlisted notice to …mber/anbud-shortlist-20261122-1301.csv ? help"
    );
}

/// The message log shows each message whole, newest first, with its local time.
#[test]
fn message_log_lists_messages_newest_first() {
    let mut state = loaded();
    state.update(Msg::Action(Action::CycleSort));
    state.update(Msg::ClockTicked("2026-11-22T12:01:05Z".parse().expect("time")));
    state.update(Msg::ExportFinished(Err(
        "cannot create the file (Permission denied (os error 13)): \
         /home/kari/Dokumenter/anbud/eksport/anbud-shortlist-20261122-1301.csv"
            .to_owned(),
    )));
    state.update(Msg::Action(Action::ToggleMessages));
    insta::assert_snapshot!(draw(&state, 80, 16).backend());
}

#[test]
fn marked_rows_show_a_dot_and_the_count() {
    let mut state = loaded();
    state.update(Msg::ClickView(anbud::app::View::All));
    state.update(Msg::Action(Action::MarkAll));
    state.update(Msg::Action(Action::SelectFirst));
    state.update(Msg::Action(Action::ToggleMark));
    insta::assert_snapshot!(draw(&state, 100, 12).backend());
}

#[test]
fn light_theme_avoids_colours_unreadable_on_white() {
    use ratatui::style::Color;
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleDetail));
    let terminal = draw_with(
        &state,
        130,
        20,
        &Look {
            theme: Theme::light(),
            ..Look::default()
        },
        &mut ViewState::default(),
    );
    let buffer = terminal.backend().buffer();
    let used: std::collections::HashSet<_> = buffer.content().iter().filter_map(|c| c.style().fg).collect();
    for bad in [Color::Yellow, Color::Cyan, Color::Gray, Color::White] {
        assert!(!used.contains(&bad), "{bad:?} used in the light theme");
    }
    assert!(used.len() > 2, "the light theme still has colours: {used:?}");
}

#[test]
fn detail_pane_shows_signals_and_score_breakdown() {
    use anbud::model::Badge;
    let mut state = loaded();
    let (mut notice, mut relevance) = common::notice("ted:7")
        .title("Innovasjonspartnerskap: digital hjemmeoppfølging")
        .description("Løsningen skal være CE-merket etter MDR og integrere med Norsk helsenett.")
        .score(30)
        .title_hit("hjemmeoppfølging", 10)
        .scored();
    relevance.badges = [
        Badge::MdrIvdr,
        Badge::CeMarking,
        Badge::HelseId,
        Badge::InnovationPartnership,
    ]
    .into_iter()
    .collect();
    notice.deadline = Some("2026-12-20T11:00:00Z".parse().expect("valid"));
    common::saver::Saver::empty().poll(&mut state, common::saver::fetched("TED", vec![(notice, relevance)]));
    state.update(Msg::Action(Action::SelectFirst));
    state.update(Msg::Action(Action::ToggleDetail));
    insta::assert_snapshot!(draw(&state, 130, 22).backend());
}

#[test]
fn a_failing_feed_is_never_cut_off_on_a_narrow_terminal() {
    let names: Vec<String> = ["TED", "Doffin", "Find a Tender", "Kommune RSS"]
        .map(String::from)
        .to_vec();
    let mut state = AppState::new(Vec::new(), &names, now());
    for name in &names[..3] {
        state.update(Msg::Feed(FeedEvent::Fetched {
            feed: name.clone(),
            notices: Vec::new(),
            at: now(),
            next_at: now(),
            warnings: Vec::new(),
            state: Default::default(),
        }));
    }
    state.update(Msg::Feed(FeedEvent::Failed {
        feed: "Kommune RSS".to_owned(),
        message: "HTTP 503: Service Unavailable".to_owned(),
        at: now(),
        retry_at: "2026-11-22T12:05:00Z".parse().expect("valid"),
    }));
    let terminal = draw(&state, 80, 6);
    let line: String = (0..80)
        .map(|x| terminal.backend().buffer()[(x, 4)].symbol().to_owned())
        .collect();
    assert!(line.starts_with("Kommune RSS: ✗ retry 13:05 — HTTP 503"), "{line}");
    assert!(line.contains("│ TED ✓ │ Doffin ✓"), "healthy feeds compact: {line}");
}

#[test]
fn a_long_list_scrolls_to_the_cursor_and_clicks_follow_the_scroll() {
    use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let records = (1..=60)
        .map(|i| {
            notice(&format!("ted:{i}"))
                .title(&format!("Utstyr nummer {i:02}"))
                .score(100 - i)
                .build()
        })
        .collect();
    let mut state = AppState::new(records, &[], now());
    state.update(Msg::Action(Action::SelectLast));
    let mut view = ViewState::default();
    let terminal = draw_with(&state, 80, 12, &Look::default(), &mut view);
    let screen = format!("{:?}", terminal.backend().buffer());
    assert!(screen.contains("Utstyr nummer 60"), "the cursor's row is on screen");
    assert!(!screen.contains("Utstyr nummer 01"), "the top scrolled away");
    // 12 rows − tab line − header − 2 status lines = 8 notice rows: 53..=60 show, row 2 is the 53rd.
    let click = Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 30,
        row: 2,
        modifiers: KeyModifiers::NONE,
    });
    state.update(view.click(&click).expect("row hit"));
    assert_eq!(state.selected_record().expect("selected").notice.native_id, "53");
}

#[test]
fn tag_prompt_shows_tags_in_use_and_tags_in_the_list() {
    let mut state = loaded();
    state.update(Msg::Store(anbud::store::StoreEvent::TagsSaved(vec![
        (
            anbud::model::NoticeId::new("ted", "2"),
            vec!["kari".to_owned(), "q1".to_owned()],
        ),
        (anbud::model::NoticeId::new("ted", "3"), vec!["kommune".to_owned()]),
    ])));
    state.update(Msg::Action(Action::EditTags));
    state.update(Msg::Edit(TextEdit::Insert('k')));
    insta::assert_snapshot!(draw(&state, 100, 16).backend());
}

/// One marked notice is "1 marked notice", not "1 marked notices".
#[test]
fn popups_for_one_marked_notice_count_it_as_one() {
    let mut state = loaded().with_reject_reasons(vec!["staffing".to_owned()]);
    state.update(Msg::Action(Action::ToggleMark));
    state.update(Msg::Action(Action::EditTags));
    let screen = common::screen::rows(&draw(&state, 100, 16)).join("\n");
    assert!(screen.contains("Tags for 1 marked notice:"), "{screen}");
    state.update(Msg::Edit(TextEdit::Cancel));
    state.update(Msg::Action(Action::RejectWithReason));
    let screen = common::screen::rows(&draw(&state, 100, 16)).join("\n");
    assert!(screen.contains("Reject 1 notice — why?"), "{screen}");
}

#[test]
fn reason_picker_lists_the_configured_reasons() {
    let mut state = loaded().with_reject_reasons(vec!["pharmaceuticals only".to_owned(), "staffing".to_owned()]);
    state.update(Msg::Action(Action::RejectWithReason));
    insta::assert_snapshot!(draw(&state, 80, 24).backend());
}

/// One snapshot per tab, at a large size: what each view holds and how its columns spread.
#[test]
fn every_tab_at_200x50() {
    let mut state = loaded();
    for view in anbud::app::View::ALL {
        assert_eq!(state.view(), view);
        insta::assert_snapshot!(format!("tab_{}", view.short_label()), draw(&state, 200, 50).backend());
        state.update(Msg::Action(Action::NextView));
    }
}

/// The help lists what the user's config bound, in every mode, not the defaults.
#[test]
fn help_is_generated_from_a_custom_keymap() {
    use anbud::app::keymap::parse_key;
    use anbud::app::keymap::{KeyMode, Overrides};
    let chord = |k: &str| parse_key(k).expect("key");
    let overrides = Overrides {
        actions: vec![
            (KeyMode::List, chord("ctrl-n"), Action::SelectNext),
            (KeyMode::List, chord("-"), Action::StartSearch),
            (KeyMode::Detail, chord("ctrl-j"), Action::ScrollDetailDown),
        ],
        edits: vec![(KeyMode::Search, chord("ctrl-g"), TextEdit::Cancel)],
    };
    let keymap = Keymap::default().with_overrides(&overrides);
    let mut state = loaded();
    state.update(Msg::Action(Action::ToggleHelp));
    let look = Look {
        keymap,
        ..Look::default()
    };
    let terminal = draw_with(&state, 100, 40, &look, &mut ViewState::default());
    let screen = format!("{:?}", terminal.backend());
    assert!(screen.contains("Ctrl-n"), "{screen}");
    assert!(screen.contains("Ctrl-j"), "{screen}");
    assert!(screen.contains("Search: Enter keeps it, Esc clears"), "{screen}");
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_detail_pane_says_when_the_description_is_still_being_read() {
    let mut record = notice("ted:1")
        .title("Trygghetsalarmer")
        .description("Anskaffelse av trygghetsalarmer.")
        .score(12)
        .build();
    record.notice.description.clear();
    record.description_in_store = true;
    let mut state = AppState::new(vec![record], &["TED".to_owned()], now());
    state.update(Msg::Action(Action::SelectFirst));
    state.update(Msg::Action(Action::ToggleDetail));
    let screen = |state: &AppState| {
        let terminal = draw(state, 130, 22);
        let buffer = terminal.backend().buffer();
        buffer
            .content()
            .iter()
            .map(ratatui::buffer::Cell::symbol)
            .collect::<String>()
    };
    assert!(screen(&state).contains("Reading the description…"));
    state.update(Msg::Store(anbud::store::StoreEvent::DescriptionsLoaded(Ok(vec![(
        anbud::model::NoticeId("ted:1".to_owned()),
        "Anskaffelse av trygghetsalarmer.".to_owned(),
    )]))));
    let after = screen(&state);
    assert!(after.contains("Anskaffelse av trygghetsalarmer."), "{after}");
    assert!(!after.contains("Reading the description"));
}

//! `AppState::update`: the only place the state changes.

use super::msg::{Action, Effect, Msg, TextEdit};
use super::refresh::RoundStep;
use super::state::AppState;
use super::status::{error, info};
use super::view::{Mode, View};
use crate::feeds::FeedEvent;
use crate::model::Triage;
use crate::store::StoreEvent;

impl AppState {
    /// Applies one message and returns the work the runtime must do.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let before = self.status.take();
        let mut effects = self.dispatch(msg);
        effects.extend(self.settle_award_outcomes());
        self.refresh_market();
        self.log_status(before);
        effects.extend(self.track_seen_changes());
        effects.extend(self.read_shown_description());
        effects
    }

    /// A changed notice counts as seen once its diff was on screen (detail pane open on it) and the
    /// cursor has moved on, so the diff does not vanish while it is being read.
    fn track_seen_changes(&mut self) -> Vec<Effect> {
        let here = self.listing.selected.clone();
        let mut effects = Vec::new();
        if let Some(seen) = self.viewing_changes.take() {
            if Some(&seen) == here.as_ref() && self.screen.detail_open {
                self.viewing_changes = Some(seen);
                return effects;
            }
            if let Some(&i) = self.records.by_id.get(&seen) {
                self.records.rows[i].edit_user(|u| u.changes.clear());
            }
            effects.push(Effect::MarkSeen(seen));
            self.refresh_view();
        }
        let showing = here.filter(|id| {
            self.screen.detail_open
                && self
                    .records
                    .by_id
                    .get(id)
                    .is_some_and(|&i| !self.records.rows[i].changes().is_empty())
        });
        self.viewing_changes = showing;
        effects
    }

    fn dispatch(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Action(action) => self.on_action(action),
            Msg::Edit(edit) if self.screen.mode == Mode::Note => self.on_note_edit(edit),
            Msg::Edit(edit) if self.screen.mode == Mode::Tag => self.on_tag_edit(edit),
            Msg::Edit(edit) => {
                self.on_edit(edit);
                Vec::new()
            }
            Msg::Feed(event) => self.on_feed(event),
            Msg::Store(event) => self.on_store(event),
            Msg::ExportFinished(result) => {
                let kind = self
                    .exporting
                    .take()
                    .unwrap_or(super::message_log::ExportKind::Shortlist);
                // The path last: a narrow status line cuts it, not what happened.
                self.status = Some(match result {
                    Ok((path, rows)) => info(format!("Exported {} to {}", kind.describe(rows), path.display())),
                    Err(e) => error(format!("Export failed: {e}")),
                });
                Vec::new()
            }
            Msg::Confirmed(yes) => self.on_confirm(yes),
            Msg::ReasonPicked(pick) => self.on_reason_picked(pick),
            Msg::Suggestion(key) => self.on_suggestion_key(key),
            Msg::Rescored { batch, done } => {
                self.on_rescored(batch, done);
                Vec::new()
            }
            Msg::ShellDone(result) => {
                self.status = Some(match result {
                    Ok(text) => info(text),
                    Err(text) => error(text),
                });
                Vec::new()
            }
            Msg::ClickRow(row) => {
                self.move_cursor(row);
                Vec::new()
            }
            Msg::MarketSection(section) => {
                self.pick_market_section(section);
                Vec::new()
            }
            Msg::ClickView(view) => {
                self.decisions.lingering.clear();
                self.listing.view = view;
                self.screen.mode = Mode::List;
                self.refresh_view();
                Vec::new()
            }
            Msg::ClockTicked(now) => {
                // Deadlines pass while the dashboard runs: re-check view membership once a minute,
                // and only when a deadline (or a week before one) has been passed since the last
                // check: walking 100,000 records each minute cost a 47 ms frame.
                let minute_changed = now.as_second() / 60 != self.now.as_second() / 60;
                self.now = now;
                if minute_changed && self.listing.next_time_boundary.is_some_and(|b| now >= b) {
                    self.refresh_view();
                }
                Vec::new()
            }
            Msg::ViewportChanged { list_rows } => {
                self.screen.list_rows = list_rows.max(1);
                Vec::new()
            }
        }
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        let page = usize::from(self.screen.list_rows.max(1));
        let row = self.selected_row().unwrap_or(0);
        if self.scroll_overlay(action) {
            return Vec::new();
        }
        if self.screen.mode == Mode::Market {
            self.on_market_action(action);
            return Vec::new();
        }
        match action {
            Action::Quit => self.running = false,
            Action::SelectNext => self.move_cursor(row + 1),
            Action::SelectPrevious => self.move_cursor(row.saturating_sub(1)),
            Action::PageDown => self.move_cursor(row + page),
            Action::PageUp => self.move_cursor(row.saturating_sub(page)),
            Action::SelectFirst => self.move_cursor(0),
            Action::SelectLast => self.move_cursor(usize::MAX),
            Action::ToggleDetail => self.screen.detail_open = !self.screen.detail_open,
            Action::ScrollDetailDown | Action::ScrollDetailUp => {
                let lines = self.detail_scroll();
                let lines = if action == Action::ScrollDetailDown {
                    lines.saturating_add(1)
                } else {
                    lines.saturating_sub(1)
                };
                // The renderer stops at the end of the text; the core does not know its height.
                self.screen.detail_scroll = (self.listing.selected.clone(), lines);
            }
            Action::Back => {
                if !self.decisions.marked.is_empty() {
                    self.decisions.marked.clear();
                    self.status = Some(info("Marks cleared".to_owned()));
                } else if matches!(self.screen.mode, Mode::Help | Mode::Sources | Mode::Messages) {
                    self.screen.mode = Mode::List;
                } else if self.screen.detail_open {
                    self.screen.detail_open = false;
                } else if !self.listing.query.is_empty() {
                    self.listing.query.clear();
                    self.decisions.lingering.clear();
                    self.refresh_view();
                }
            }
            Action::Shortlist => return self.decide(Triage::Shortlisted),
            Action::Reject => return self.decide(Triage::Rejected),
            Action::EditNote => {
                if let Some((id, note)) = self
                    .selected_record()
                    .map(|r| (r.notice.id.clone(), r.note().to_owned()))
                {
                    self.prompts.note_for = Some(id);
                    // Team mode: the note is a thread of comments, and `n` adds one.
                    let note = if self.team.member.is_some() {
                        String::new()
                    } else {
                        note
                    };
                    self.prompts.note = super::note_draft::NoteDraft::new(note);
                    self.screen.mode = Mode::Note;
                }
            }
            Action::EditTags => self.start_tagging(),
            Action::Assign => return self.assign(),
            Action::RejectWithReason => return self.start_reject_with_reason(),
            Action::ShowSuggestions => return self.show_suggestions(),
            Action::NextStage => return self.move_stage(Triage::next_stage),
            Action::PreviousStage => return self.move_stage(Triage::previous_stage),
            Action::MarkLost => {
                return self.move_stage(|t| matches!(t, Triage::Bidding | Triage::Submitted).then_some(Triage::Lost));
            }
            Action::ToggleMark => self.toggle_mark(),
            Action::MarkAll => self.mark_all_in_view(),
            Action::Undo => return self.undo_last(),
            Action::Redo => return self.redo_last(),
            Action::StartSearch => self.screen.mode = Mode::Search,
            Action::NextView | Action::PreviousView => {
                let at = View::ALL.iter().position(|v| *v == self.listing.view).unwrap_or(0);
                let len = View::ALL.len();
                let next = if action == Action::NextView {
                    (at + 1) % len
                } else {
                    (at + len - 1) % len
                };
                self.listing.view = View::ALL[next];
                self.decisions.lingering.clear();
                self.refresh_view();
                if self.selected_row().is_none() {
                    self.select_row(0);
                }
            }
            Action::RefreshAll => {
                self.start_refresh_round();
                return vec![Effect::RefreshAll];
            }
            Action::ExportShortlist => {
                // The marked set when there is one, else the shortlist.
                let (rows, kind) = if self.decisions.marked.is_empty() {
                    (self.shortlisted(), super::message_log::ExportKind::Shortlist)
                } else {
                    (
                        self.marked_records(),
                        super::message_log::ExportKind::Marked(self.listing.view),
                    )
                };
                if rows.is_empty() {
                    self.status = Some(info(
                        "Nothing to export: the shortlist is empty (press s on a notice)".to_owned(),
                    ));
                    return Vec::new();
                }
                self.status = Some(info(format!(
                    "Exporting {}…",
                    crate::model::plural::notices(rows.len())
                )));
                self.exporting = Some(kind);
                return vec![Effect::Export(rows)];
            }
            Action::CycleSort => {
                self.listing.sort = self.listing.sort.next();
                self.refresh_view();
                self.status = Some(info(format!("Sorted by {}", self.listing.sort.label())));
            }
            Action::OpenInBrowser | Action::CopyLink => return self.link_action(action),
            Action::ToggleSources => {
                self.screen.mode = if self.screen.mode == Mode::Sources {
                    Mode::List
                } else {
                    Mode::Sources
                };
            }
            Action::ToggleHelp => {
                self.screen.help_scroll = 0;
                self.screen.mode = match self.screen.mode {
                    // Help opened from the Market screen goes back to it.
                    Mode::Help if std::mem::take(&mut self.market.behind_help) => Mode::Market,
                    Mode::Help => Mode::List,
                    _ => Mode::Help,
                };
            }
            Action::ToggleMessages => self.toggle_messages(),
            Action::ToggleMarket => self.toggle_market(),
            Action::BuyerHistory => self.show_buyer_history(),
        }
        Vec::new()
    }

    /// Feed text is untrusted: only web links are opened or copied, never a local path or a
    /// `javascript:`/`file:` URL a feed might carry.
    fn link_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(url) = self.selected_record().map(|r| r.notice.url.clone()) else {
            return Vec::new();
        };
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) {
            self.status = Some(error("This notice has no web link".to_owned()));
            return Vec::new();
        }
        if action == Action::OpenInBrowser {
            self.status = Some(info(format!("Opening {url}")));
            vec![Effect::OpenUrl(url)]
        } else {
            vec![Effect::CopyText(url)]
        }
    }

    /// Typing in the note popup; closing it saves (Esc) or discards (Ctrl-c).
    fn on_note_edit(&mut self, edit: TextEdit) -> Vec<Effect> {
        if self.prompts.note.apply(edit) {
            return Vec::new();
        }
        match edit {
            TextEdit::Cancel => {
                self.screen.mode = Mode::List;
                self.prompts.note_for = None;
                self.status = Some(info("Note discarded".to_owned()));
            }
            TextEdit::Submit => {
                self.screen.mode = Mode::List;
                let note = self.prompts.note.take().trim_end().to_owned();
                let Some(id) = self.prompts.note_for.take() else {
                    return Vec::new();
                };
                let unchanged = self
                    .records
                    .by_id
                    .get(&id)
                    .is_some_and(|&i| self.records.rows[i].note() == note);
                if unchanged {
                    return Vec::new();
                }
                self.status = Some(info("Saving note…".to_owned()));
                return vec![Effect::SaveNote { id, note }];
            }
            // Complete; typing and moving were applied to the draft above.
            _ => {}
        }
        Vec::new()
    }

    fn on_edit(&mut self, edit: TextEdit) {
        match edit {
            // The search line is one line: Enter keeps the filter.
            TextEdit::Newline => self.screen.mode = Mode::List,
            TextEdit::Insert(c) => self.listing.query.push(c),
            TextEdit::Backspace => {
                self.listing.query.pop();
            }
            TextEdit::Submit => self.screen.mode = Mode::List,
            TextEdit::Cancel => {
                self.listing.query.clear();
                self.screen.mode = Mode::List;
            }
            // Complete, and cursor keys: the search line types and deletes at its end only.
            _ => return,
        }
        if !self.release_lingering() {
            self.apply_filter();
        }
        // A changed query puts the cursor on its best hit.
        if matches!(edit, TextEdit::Insert(_) | TextEdit::Backspace) && !self.listing.query.trim().is_empty() {
            self.select_row(0);
        }
    }

    fn on_store(&mut self, event: StoreEvent) -> Vec<Effect> {
        match event {
            StoreEvent::Loaded(records) => self.on_loaded(records),
            StoreEvent::DescriptionsLoaded(texts) => self.on_descriptions(texts),
            StoreEvent::Rescored { batch, done } => self.on_rescored(batch, done),
            StoreEvent::TriageSaved(change) => self.on_triage_saved(change),
            StoreEvent::TriageNotSaved { change, error: why } => self.on_triage_not_saved(change, why),
            StoreEvent::NoteSaved { id, note } => {
                if let Some(&i) = self.records.by_id.get(&id) {
                    self.records.rows[i].edit_user(|u| u.note = note);
                    let what = if self.team.member.is_some() {
                        "Comment saved"
                    } else {
                        "Note saved"
                    };
                    self.status = Some(info(what.to_owned()));
                }
                self.refresh_view();
            }
            StoreEvent::NoteNotSaved { id, error: why } => {
                // What to do first, the store's own words last: they are what a narrow line cuts.
                self.status = Some(error(format!(
                    "Note for {id} NOT saved — n reopens it: copy your text first [{why}]"
                )));
            }
            StoreEvent::TagsSaved(changes) => self.on_tags_saved(changes),
            StoreEvent::RejectReasonSaved { ids, reason } => self.on_reason_saved(ids, reason),
            StoreEvent::AnnotationNotSaved { what, error: why } => self.on_annotation_not_saved(what, &why),
            StoreEvent::SeenSaved { error: Some(why), .. } => {
                self.status = Some(error(format!(
                    "Could not record that you saw the changes — they show again after a restart [{why}]"
                )));
            }
            StoreEvent::SeenSaved { error: None, .. } => {}
            StoreEvent::FetchSaved { feed, saved, .. } => return self.on_fetch_saved(&feed, saved),
            StoreEvent::FetchNotSaved { feed, error: why } => self.on_fetch_not_saved(&feed, &why),
            StoreEvent::TriageConflict { change, now, by, ago } => self.on_triage_conflict(change, now, &by, ago),
            StoreEvent::TriageUnconfirmed { change, error: why } => self.on_triage_unconfirmed(change, &why),
            StoreEvent::Remote(change) => self.on_remote(change),
            StoreEvent::Connection(connection) => self.on_connection(connection),
            StoreEvent::AssigneeSaved { id, assignee } => self.on_assignee_saved(&id, assignee),
            StoreEvent::AssigneeConflict { id, now, by } => self.on_assignee_conflict(&id, now, &by),
            StoreEvent::AwardsSaved(fresh) => return self.on_awards_saved(fresh),
            StoreEvent::AwardsNotSaved { feed, error: why } => self.on_awards_not_saved(&feed, &why),
        }
        Vec::new()
    }

    pub(crate) fn on_feed(&mut self, event: FeedEvent) -> Vec<Effect> {
        match event {
            FeedEvent::Started { feed, at } => {
                self.feed_log(&feed).started(at);
                // Polled (again) in this round: this poll's answer is the one that counts.
                self.advance_round(&feed, |_| Some(RoundStep::Polling));
                Vec::new()
            }
            event @ FeedEvent::Fetched { .. } => self.on_fetched(event),
            FeedEvent::Failed {
                feed,
                message,
                at,
                retry_at,
            } => {
                self.log_failure(&feed, &message, at, retry_at);
                self.advance_round(&feed, |step| (step == RoundStep::Polling).then_some(RoundStep::Failed));
                Vec::new()
            }
            FeedEvent::AwardsFetched { feed, found, at } => Self::on_awards_fetched(feed, found, at),
            FeedEvent::Inactive { feed, message } => {
                self.feed_log(&feed).inactive(message);
                self.leave_round(&feed);
                Vec::new()
            }
        }
    }
}

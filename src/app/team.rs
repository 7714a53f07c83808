//! Team mode's events in the core: a colleague's committed change, a decision refused because a
//! colleague moved first, a write in doubt, and the server going away and coming back.

use super::msg::Effect;
use super::state::AppState;
use super::status::{error, info, shorten};
use crate::model::{NoticeId, Triage, TriageChange};
use crate::store::{Connection, RemoteChange, RemoteField};

impl AppState {
    /// A colleague's change: it shows at once, and the detail pane says who made it.
    pub(crate) fn on_remote(&mut self, change: RemoteChange) {
        let Some(&i) = self.records.by_id.get(&change.id) else {
            // Not loaded (yet): the full load or the next start reads it with the change.
            return;
        };
        // A decision of ours waiting for the server keeps its marker: the server answers it with
        // a conflict, and then the colleague's value shows.
        let pending = self.decisions.pending.contains_key(&change.id);
        let record = &mut self.records.rows[i];
        match &change.field {
            RemoteField::Triage(stage) if !pending => record.triage = *stage,
            RemoteField::Triage(_) => {}
            RemoteField::Tags(tags) => record.edit_user(|u| u.tags.clone_from(tags)),
            RemoteField::RejectReason(reason) => record.edit_user(|u| u.reject_reason.clone_from(reason)),
            RemoteField::Comments(thread) => record.edit_user(|u| u.note.clone_from(thread)),
            RemoteField::Assignee(who) => record.edit_user(|u| u.assignee.clone_from(who)),
        }
        let words = change.in_words();
        let title = shorten(&record.notice.title, 60);
        self.status = Some(info(format!("{words}: {title}")));
        self.team.last_remote.insert(change.id, (words, change.at));
        self.refresh_view();
    }

    /// A colleague changed the notice after the user saw it: their value shows, and pressing the
    /// key again applies the user's decision on top of it.
    pub(crate) fn on_triage_conflict(&mut self, change: TriageChange, now: Triage, by: &str, ago: std::time::Duration) {
        self.team.unconfirmed.remove(&change.id);
        if let Some(&i) = self.records.by_id.get(&change.id) {
            self.records.rows[i].triage = now;
        }
        let id = change.id.clone();
        let wanted = change.to;
        self.on_triage_not_saved(change, "changed by a colleague".to_owned());
        let what = match now {
            Triage::New => "put this back to new".to_owned(),
            Triage::Rejected => "rejected this".to_owned(),
            stage => format!("set this to {}", stage.as_str()),
        };
        self.status = Some(error(format!(
            "{by} {what} {} — yours ({}) was not applied; press it again to apply it now",
            ago_in_words(ago),
            wanted.as_str()
        )));
        self.team.last_remote.insert(id, (format!("{by} {what}"), self.now));
    }

    /// The server did not answer a write in time: it may still commit. The decision stays marked
    /// pending; the store settles it by op_id and answers saved, refused or not saved.
    pub(crate) fn on_triage_unconfirmed(&mut self, change: TriageChange, why: &str) {
        let title = self
            .records
            .by_id
            .get(&change.id)
            .map(|&i| shorten(&self.records.rows[i].notice.title, 60))
            .unwrap_or_default();
        self.status = Some(error(format!(
            "Decision on {title} not confirmed ({why}); anbud checks it when the server answers"
        )));
        self.team.unconfirmed.insert(change.id);
    }

    /// `a`: takes the selected notice, or gives it up if it is already the user's.
    pub(crate) fn assign(&mut self) -> Vec<Effect> {
        let Some(me) = self.team.member.clone() else {
            self.status = Some(info(
                "Assigning is for team mode: a shared PostgreSQL database (see the README's Team mode)".to_owned(),
            ));
            return Vec::new();
        };
        let Some(record) = self.selected_record() else {
            return Vec::new();
        };
        let (id, from) = (record.notice.id.clone(), record.assignee().map(str::to_owned));
        let to_me = from.as_deref() != Some(me.as_str());
        self.status = Some(info(
            if to_me { "Assigning to you…" } else { "Unassigning…" }.to_owned(),
        ));
        vec![Effect::SaveAssignee { id, from, to_me }]
    }

    /// The server committed the assignee.
    pub(crate) fn on_assignee_saved(&mut self, id: &NoticeId, assignee: Option<String>) {
        let words = match &assignee {
            Some(who) => format!("Assigned to {who}"),
            None => "Unassigned".to_owned(),
        };
        if let Some(&i) = self.records.by_id.get(id) {
            self.records.rows[i].edit_user(|u| u.assignee = assignee);
        }
        self.status = Some(info(words));
        self.refresh_view();
    }

    /// A colleague changed the assignee first: theirs shows, and `a` again applies on it.
    pub(crate) fn on_assignee_conflict(&mut self, id: &NoticeId, now: Option<String>, by: &str) {
        let whom = now.clone().unwrap_or_else(|| "nobody".to_owned());
        if let Some(&i) = self.records.by_id.get(id) {
            self.records.rows[i].edit_user(|u| u.assignee = now);
        }
        self.status = Some(error(format!(
            "{by} assigned this to {whom} first — yours was not applied; press a again to apply it now"
        )));
        self.refresh_view();
    }

    /// The shared database went away or came back.
    pub(crate) fn on_connection(&mut self, connection: Connection) {
        match connection {
            Connection::Offline { since, why } => {
                if self.team.offline_since.is_none() {
                    self.team.offline_since = Some(since);
                    self.status = Some(error(format!(
                        "Server unreachable: read-only until it answers; changes are not saved [{why}]"
                    )));
                }
            }
            Connection::Online => {
                if self.team.offline_since.take().is_some() {
                    self.status = Some(info("Server reachable again; colleagues' changes read".to_owned()));
                }
            }
        }
    }

    /// Team mode: notes become comment threads (`n` adds a comment) and the status line says who
    /// is connected.
    pub fn with_team(mut self, me: &str) -> Self {
        self.team.member = Some(me.to_owned());
        self
    }

    /// Who is connected to the shared database (team mode), as colleagues see them.
    pub fn team_member(&self) -> Option<&str> {
        self.team.member.as_deref()
    }

    /// Since when the shared database has not answered (team mode); `None` while it does.
    pub fn offline_since(&self) -> Option<jiff::Timestamp> {
        self.team.offline_since
    }

    /// The latest colleague's change on notice `id` and when it was made (team mode).
    pub fn last_remote_change(&self, id: &crate::model::NoticeId) -> Option<(&str, jiff::Timestamp)> {
        self.team.last_remote.get(id).map(|(words, at)| (words.as_str(), *at))
    }
}

/// "3 s ago", "4 min ago", "2 h ago".
fn ago_in_words(ago: std::time::Duration) -> String {
    match ago.as_secs() {
        s if s < 60 => format!("{s} s ago"),
        s if s < 3600 => format!("{} min ago", s / 60),
        s => format!("{} h ago", s / 3600),
    }
}

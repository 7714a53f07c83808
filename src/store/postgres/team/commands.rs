//! The team store's answers to the dashboard's commands: each write within `write_timeout` on
//! the writer connection, a decision's answer saved / refused / in doubt, and the writes in doubt
//! settled by their op ids once the server answers again.

use tokio_postgres::Client;

use super::write::{self, Decided};
use super::{InDoubt, Session, load, threads};
use crate::store::postgres::PgError;
use crate::store::{RemoteField, StoreCommand, StoreEvent};

impl Session {
    pub(super) async fn command(&mut self, cmd: StoreCommand) {
        let event = match cmd {
            StoreCommand::SaveTriage {
                change, kind, batch, ..
            } => {
                let batch = format!("{}:{batch}", self.op_prefix);
                let op_id = self.op_id();
                match self.writer_or_offline() {
                    Err(error) => StoreEvent::TriageNotSaved { change, error },
                    Ok(()) => {
                        let doubt = InDoubt {
                            change,
                            kind,
                            batch,
                            op_id,
                        };
                        self.decide(doubt).await
                    }
                }
            }
            StoreCommand::SaveTags { edits, .. } => {
                let op_id = self.op_id();
                let saved = self
                    .write("tags", |client| {
                        Box::pin(async move { write::tags(client, &edits, &op_id).await })
                    })
                    .await;
                match saved {
                    Ok(lists) => {
                        let mut shown = Vec::with_capacity(lists.len());
                        for (id, tags, version) in lists {
                            self.versions.shown(&id, &RemoteField::Tags(Vec::new()), version);
                            shown.push((id, tags));
                        }
                        StoreEvent::TagsSaved(shown)
                    }
                    Err(error) => StoreEvent::AnnotationNotSaved { what: "tags", error },
                }
            }
            StoreCommand::SaveRejectReason {
                ids, reason, before, ..
            } => {
                let op_id = self.op_id();
                let reason2 = reason.clone();
                let saved = self
                    .write("reject reason", |client| {
                        Box::pin(async move {
                            write::reject_reason(client, &ids, reason2.as_deref(), &before, &op_id).await
                        })
                    })
                    .await;
                match saved {
                    Ok((written, refused_by)) => {
                        let field = RemoteField::RejectReason(reason.clone());
                        for (id, version) in &written {
                            self.versions.shown(id, &field, *version);
                        }
                        let written = written.into_iter().map(|(id, _)| id).collect();
                        if let Some(by) = refused_by.first() {
                            // Theirs stays on screen (it came, or comes, as their change).
                            let n = refused_by.len();
                            self.send(StoreEvent::AnnotationNotSaved {
                                what: "reject reason",
                                error: format!("{by} changed it first on {n} notice(s); theirs is kept"),
                            })
                            .await;
                        }
                        StoreEvent::RejectReasonSaved { ids: written, reason }
                    }
                    Err(error) => StoreEvent::AnnotationNotSaved {
                        what: "reject reason",
                        error,
                    },
                }
            }
            StoreCommand::SaveAssignee { id, from, to_me, .. } => {
                let op_id = self.op_id();
                let target = id.clone();
                let saved = self
                    .write("assignee", |client| {
                        Box::pin(async move { write::assignee(client, &target, from.as_deref(), to_me, &op_id).await })
                    })
                    .await;
                match saved {
                    Ok(Ok((assignee, version))) => {
                        self.versions.shown(&id, &RemoteField::Assignee(None), version);
                        StoreEvent::AssigneeSaved { id, assignee }
                    }
                    Ok(Err((now, by, version))) => {
                        self.versions.shown(&id, &RemoteField::Assignee(None), version);
                        StoreEvent::AssigneeConflict { id, now, by }
                    }
                    Err(error) => StoreEvent::AnnotationNotSaved {
                        what: "assignee",
                        error,
                    },
                }
            }
            StoreCommand::SaveNote { id, note, .. } => {
                let op_id = self.op_id();
                let target = id.clone();
                let zone = self.db.zone.clone();
                let saved = self
                    .write("comment", |client| {
                        Box::pin(async move {
                            // In team mode a note is a comment added to the notice's thread.
                            if !note.trim().is_empty() {
                                write::comment(client, &target, note.trim(), &op_id).await?;
                            }
                            let mut threads = threads::read(client, Some(&[target.as_str()]), &zone).await?;
                            Ok(threads.remove(target.as_str()).unwrap_or_default())
                        })
                    })
                    .await;
                match saved {
                    Ok(entries) => {
                        // Colleagues' comments that ring from now on are added to this read.
                        let note = threads::render(&entries);
                        self.threads.replace(id.clone(), entries);
                        StoreEvent::NoteSaved { id, note }
                    }
                    Err(error) => StoreEvent::NoteNotSaved { id, error },
                }
            }
            StoreCommand::MarkSeen { id } => {
                let target = id.clone();
                let error = self
                    .write("seen mark", |client| {
                        Box::pin(async move { write::seen(client, &target).await })
                    })
                    .await
                    .err();
                StoreEvent::SeenSaved { id, error }
            }
            StoreCommand::LoadAll => {
                let zone = self.db.zone.clone();
                StoreEvent::Loaded(
                    self.write("notices", |client| {
                        Box::pin(
                            async move { load::records(client, None, load::Descriptions::LeaveOnServer, &zone).await },
                        )
                    })
                    .await,
                )
            }
            StoreCommand::LoadDescriptions(ids) => StoreEvent::DescriptionsLoaded(
                self.write("descriptions", |client| {
                    Box::pin(async move { load::descriptions(client, &ids).await })
                })
                .await,
            ),
            StoreCommand::SaveFetch { feed, items, at, state } => {
                let saved = self
                    .write("fetch", |client| {
                        Box::pin(async move {
                            crate::store::postgres::save_fetch(client, &feed, &items, &state, at)
                                .await
                                .map(|s| (feed, s, state))
                        })
                    })
                    .await;
                match saved {
                    // The notices themselves arrive by the poller's doorbell, as any poll's do.
                    Ok((feed, summary, state)) => StoreEvent::FetchSaved {
                        feed,
                        summary,
                        saved: Vec::new(),
                        state,
                    },
                    Err(error) => StoreEvent::FetchNotSaved {
                        feed: "shared database".to_owned(),
                        error,
                    },
                }
            }
            // The shared database has no award tables yet (a dashboard polling in team mode,
            // `poll = "client"`, keeps its awards to itself): nothing new to show.
            StoreCommand::SaveAwards { .. } => StoreEvent::AwardsSaved(Vec::new()),
            // Scores are the poller's, from the team's shared profiles.
            StoreCommand::Rescore { .. } => StoreEvent::Rescored {
                batch: Vec::new(),
                done: Some(Ok(0)),
            },
        };
        self.send(event).await;
    }

    /// Runs `job` on the writer within `write_timeout`; a timeout or a closed connection takes
    /// the session offline.
    async fn write<T>(
        &mut self,
        what: &str,
        job: impl for<'c> FnOnce(&'c mut Client) -> std::pin::Pin<Box<dyn Future<Output = Result<T, PgError>> + 'c>>,
    ) -> Result<T, String> {
        self.writer_or_offline()?;
        let Some(client) = self.writer.as_mut() else {
            return Err("server unreachable; not saved".to_owned());
        };
        let limit = self.db.write_timeout;
        match tokio::time::timeout(limit, job(client)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => {
                let closed = self.writer.as_ref().is_none_or(Client::is_closed);
                if closed {
                    self.offline(error.to_string()).await;
                }
                Err(error.to_string())
            }
            Err(_) => {
                let why = format!("the server did not answer the {what} within {} s", limit.as_secs());
                self.offline(why.clone()).await;
                Err(why)
            }
        }
    }

    /// The guarded triage write; a timeout leaves it in doubt until the server answers again.
    async fn decide(&mut self, doubt: InDoubt) -> StoreEvent {
        let Some(client) = self.writer.as_mut() else {
            return StoreEvent::TriageNotSaved {
                change: doubt.change,
                error: "server unreachable; not saved".to_owned(),
            };
        };
        let limit = self.db.write_timeout;
        let attempt = write::triage(client, &doubt.change, doubt.kind, &doubt.batch, &doubt.op_id);
        match tokio::time::timeout(limit, attempt).await {
            Ok(Ok(Decided::Saved(version))) => {
                if let Some(version) = version {
                    self.versions
                        .shown(&doubt.change.id, &RemoteField::Triage(doubt.change.to), version);
                }
                StoreEvent::TriageSaved(doubt.change)
            }
            Ok(Ok(Decided::Conflict { now, by, ago, version })) => {
                self.versions
                    .shown(&doubt.change.id, &RemoteField::Triage(now), version);
                StoreEvent::TriageConflict {
                    change: doubt.change,
                    now,
                    by,
                    ago,
                }
            }
            Ok(Err(error)) => {
                if self.writer.as_ref().is_none_or(Client::is_closed) {
                    // The connection broke mid-write: COMMIT may have reached the server.
                    let event = StoreEvent::TriageUnconfirmed {
                        change: doubt.change.clone(),
                        error: error.to_string(),
                    };
                    self.in_doubt.push(doubt);
                    self.offline(error.to_string()).await;
                    return event;
                }
                StoreEvent::TriageNotSaved {
                    change: doubt.change,
                    error: error.to_string(),
                }
            }
            Err(_) => {
                let why = format!("no answer within {} s", limit.as_secs());
                let event = StoreEvent::TriageUnconfirmed {
                    change: doubt.change.clone(),
                    error: why.clone(),
                };
                self.in_doubt.push(doubt);
                self.offline(why).await;
                event
            }
        }
    }

    /// Settles each write in doubt by its op_id: found, it committed; not found, it is tried again
    /// (guarded as before, so it cannot overwrite what a colleague did meanwhile).
    pub(super) async fn settle_in_doubt(&mut self) {
        for doubt in std::mem::take(&mut self.in_doubt) {
            let found = match &self.writer {
                Some(client) => {
                    let limit = self.db.write_timeout;
                    super::bounded(
                        limit,
                        "looking up a write in doubt",
                        write::is_committed(client, &doubt.op_id),
                    )
                    .await
                }
                None => Ok(false),
            };
            let event = match found {
                Ok(true) => StoreEvent::TriageSaved(doubt.change),
                Ok(false) => self.decide(doubt).await,
                Err(why) => {
                    self.in_doubt.push(doubt);
                    self.offline(why).await;
                    continue;
                }
            };
            self.send(event).await;
        }
    }
}

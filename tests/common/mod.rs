//! Builders shared by the integration tests.
#![allow(dead_code)]

pub mod cli;
pub mod saver;
pub mod screen;

use anbud::app::AppState;
use anbud::model::{Field, Hit, Notice, NoticeId, NoticeRecord, Relevance, RuleKind, Triage};
use jiff::Timestamp;

/// A small deterministic generator (xorshift): generated cases are the same every run, as the
/// mix they make is under test, not randomness.
pub struct Dice(pub u64);

impl Dice {
    /// A number in `0..sides`.
    pub fn roll(&mut self, sides: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % sides as u64).expect("small")
    }
}

/// A fixed "now" so countdowns are stable: 2026-11-22 12:00 UTC.
pub fn now() -> Timestamp {
    "2026-11-22T12:00:00Z".parse().expect("valid")
}

/// A notice builder: `notice("ted:1").title("…").score(5).build()`.
pub struct NoticeBuilder {
    notice: Notice,
    relevance: Relevance,
    triage: Triage,
}

pub fn notice(id: &str) -> NoticeBuilder {
    let (source, native) = id.split_once(':').unwrap_or(("ted", id));
    NoticeBuilder {
        notice: Notice {
            id: NoticeId::new(source, native),
            source: source.to_owned(),
            native_id: native.to_owned(),
            title: format!("Notice {native}"),
            titles: Default::default(),
            description: String::new(),
            buyer: "Oslo kommune".to_owned(),
            country: Some("NOR".into()),
            cpv: vec!["33100000".to_owned()].into(),
            published: Some("2026-11-20T00:00:00Z".parse().expect("valid")),
            deadline: None,
            value: None,
            currency: None,
            questions_deadline: None,
            buyer_id: None,
            nuts: Vec::new(),
            notice_type: Some("cn-standard".into()),
            url: format!("https://ted.europa.eu/en/notice/-/detail/{native}"),
        },
        relevance: Relevance {
            score: 5,
            matched: true,
            hits: Vec::new(),
            profiles: Vec::new(),
            badges: Default::default(),
        },
        triage: Triage::New,
    }
}

impl NoticeBuilder {
    pub fn title(mut self, title: &str) -> Self {
        self.notice.title = title.to_owned();
        self
    }
    pub fn buyer(mut self, buyer: &str) -> Self {
        self.notice.buyer = buyer.to_owned();
        self
    }
    pub fn description(mut self, text: &str) -> Self {
        self.notice.description = text.to_owned();
        self
    }
    pub fn deadline(mut self, at: &str) -> Self {
        self.notice.deadline = Some(at.parse().expect("valid deadline"));
        self
    }
    pub fn score(mut self, score: i32) -> Self {
        self.relevance.score = score;
        self.relevance.matched = score >= 3;
        self
    }
    /// Adds a keyword hit on the first occurrence of `term` in the title.
    pub fn title_hit(mut self, term: &str, weight: i32) -> Self {
        let start = self.notice.title.find(term).expect("term in title");
        self.relevance.hits.push(Hit {
            kind: RuleKind::Include,
            rule: term.to_lowercase().into(),
            field: Field::Title,
            start: u32::try_from(start).expect("short title"),
            end: u32::try_from(start + term.len()).expect("short title"),
            weight,
        });
        self
    }
    pub fn triage(mut self, triage: Triage) -> Self {
        self.triage = triage;
        self
    }
    pub fn notice(&self) -> Notice {
        self.notice.clone()
    }
    pub fn scored(self) -> (Notice, Relevance) {
        (self.notice, self.relevance)
    }
    pub fn build(self) -> NoticeRecord {
        NoticeRecord {
            triage: self.triage,
            ..NoticeRecord::new(self.notice, self.relevance)
        }
    }
}

/// The triage saves among `effects`, without their batch numbers.
pub fn saves(effects: &[anbud::app::Effect]) -> Vec<(anbud::model::TriageChange, anbud::model::DecisionKind)> {
    effects
        .iter()
        .filter_map(|e| match e {
            anbud::app::Effect::SaveTriage { change, kind, .. } => Some((change.clone(), *kind)),
            _ => None,
        })
        .collect()
}

/// The native ids of the rows on screen, top to bottom.
pub fn visible_ids(state: &AppState) -> Vec<String> {
    state
        .visible()
        .iter()
        .map(|r| state.record(r).notice.native_id.clone())
        .collect()
}

/// The native id of the notice under the cursor ("" without one).
pub fn selected_id(state: &AppState) -> String {
    state
        .selected_record()
        .map(|r| r.notice.native_id.clone())
        .unwrap_or_default()
}

/// Three matched, undecided notices (all in the Inbox), best score first: ted:1, ted:2, ted:3.
pub fn three_in_inbox() -> AppState {
    let records = vec![
        notice("ted:1").title("Trygghetsalarmer").score(9).build(),
        notice("ted:2").title("Røntgenutstyr").score(8).build(),
        notice("ted:3").title("Pasientjournal EPJ").score(7).build(),
    ];
    AppState::new(records, &["TED".to_owned()], now())
}

/// Whether `req` is a TED award search (`form-type=result …`) rather than the competition search.
pub fn is_award_search(req: &anbud::demo::server::RecordedRequest) -> bool {
    req.body_json()
        .and_then(|b| {
            b.get("query")
                .and_then(|q| q.as_str())
                .map(|q| q.starts_with("form-type=result"))
        })
        .unwrap_or(false)
}

//! The normalised data every layer shares: notices, their relevance, triage state and feed cursors.
//!
//! Plain data only. Must not depend on any other module of the crate, nor on I/O crates.

pub(crate) mod award;
mod badge_set;
mod code_list;
mod feed_state;
pub mod money;
pub mod plural;
mod rule_name;
mod tags;
pub mod text;
mod titles;

pub use award::{
    Award, AwardLink, AwardStatus, CompetitionKeys, EndBasis, EndEstimate, FrameworkKind, LinkKeys, LinkMethod,
    Pairing, RetenderLead, RetenderWindow, StoredAward, ValueKind,
};
pub use badge_set::BadgeSet;
pub use code_list::CodeList;
pub use feed_state::{FeedState, Resume, UrlValidators};
pub use rule_name::{RuleName, RuleNames};
pub use tags::{TagEdit, normalize_tags};
pub use titles::Titles;

use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Stable identity of a notice across polls and restarts: `"{source}:{native id}"`, e.g. `ted:367831-2026`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoticeId(pub String);

impl NoticeId {
    /// Builds the id from the source kind and the source's own notice number.
    pub fn new(source: &str, native: &str) -> Self {
        Self(format!("{source}:{native}"))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for NoticeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One tender notice, normalised from whichever feed it came from.
///
/// All text fields have passed through [`text::sanitize`] at the adapter boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// Stable id, `source:native_id`.
    pub id: NoticeId,
    /// Source kind that produced it (`ted`, `doffin`, …): the "source" column.
    pub source: String,
    /// The source's own identifier (TED publication number, Doffin id).
    pub native_id: String,
    /// The preferred title (see [`preferred_text`]).
    pub title: String,
    /// Titles per language (ISO 639 code as the source gives it, lower case).
    pub titles: Titles,
    /// Description text in the preferred language; may be empty (or absent from the JSON: team
    /// mode keeps it in a column of its own).
    #[serde(default)]
    pub description: String,
    /// Buyer (contracting authority) name; several co-buyers are joined with "; ".
    pub buyer: String,
    /// Buyer country as the source gives it (ISO 3166 alpha-3 on TED, alpha-2 elsewhere).
    pub country: Option<Box<str>>,
    /// CPV codes, 8 digits, without check digit, de-duplicated, in source order.
    pub cpv: CodeList,
    /// When the notice was published.
    pub published: Option<Timestamp>,
    /// Deadline for tenders, as an instant.
    pub deadline: Option<Timestamp>,
    /// Estimated value.
    pub value: Option<f64>,
    /// ISO 4217 currency of `value`.
    pub currency: Option<Box<str>>,
    /// When questions to the buyer close (the clarification deadline), where the feed gives it.
    #[serde(default)]
    pub questions_deadline: Option<Timestamp>,
    /// The buyer's organisation number or other registry identity, where the feed gives it: the
    /// strongest evidence that two notices from different sources come from the same buyer.
    #[serde(default)]
    pub buyer_id: Option<Box<str>>,
    /// NUTS region codes of the place of performance or the buyer (e.g. "NO081").
    #[serde(default)]
    pub nuts: Vec<String>,
    /// Source notice type (`cn-standard`, `ANNOUNCEMENT_OF_COMPETITION`, …).
    pub notice_type: Option<Box<str>>,
    /// Public page of the notice.
    pub url: String,
}

impl Notice {
    /// A notice with only its identity and title; every other field empty. For building notices
    /// from partial sources (labelled evaluation lines, tests, benches) without repeating the rest.
    pub fn blank(source: &str, native_id: &str, title: &str) -> Self {
        Self {
            id: NoticeId::new(source, native_id),
            source: source.to_owned(),
            native_id: native_id.to_owned(),
            title: title.to_owned(),
            titles: Titles::default(),
            description: String::new(),
            buyer: String::new(),
            country: None,
            cpv: CodeList::default(),
            published: None,
            deadline: None,
            value: None,
            currency: None,
            questions_deadline: None,
            buyer_id: None,
            nuts: Vec::new(),
            notice_type: None,
            url: String::new(),
        }
    }
}

/// Languages a Norwegian user reads, in order of preference, as ISO 639-2 and 639-1 codes.
pub const PREFERRED_LANGUAGES: [&str; 10] = ["nor", "nob", "nno", "nb", "no", "nn", "eng", "en", "swe", "sv"];

/// Picks the text in the most preferred language, else the first one present.
pub fn preferred_text(by_lang: &BTreeMap<String, String>) -> Option<&str> {
    PREFERRED_LANGUAGES
        .iter()
        .find_map(|lang| by_lang.get(*lang))
        .or_else(|| by_lang.values().next())
        .map(String::as_str)
}

/// Which part of a notice a matching rule hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// [`Notice::title`].
    Title,
    /// [`Notice::description`].
    Description,
    /// [`Notice::buyer`].
    Buyer,
    /// One of [`Notice::cpv`].
    Cpv,
}

/// Kind of rule that produced a [`Hit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// An include keyword: raises the score.
    Include,
    /// An exclude keyword: lowers the score.
    Exclude,
    /// A CPV code prefix.
    Cpv,
    /// A profile filter (country, NUTS, buyer, notice type, value, deadline, language) that
    /// excluded the notice: the hit's `rule` says which and why, its weight is 0 and its span empty.
    Filter,
}

/// One reason a notice matched (or was pushed down): explains the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// What kind of rule fired.
    pub kind: RuleKind,
    /// The rule as the profile wrote it (the keyword, or the CPV prefix).
    pub rule: RuleName,
    /// Where it fired.
    pub field: Field,
    /// Byte range in that field's text (for CPV: in the code string); used for highlighting.
    /// `u32`, not `usize`: a notice's text is far below 4 GiB, and the 100,000 records the
    /// dashboard keeps carry a quarter of a million hits (issue #7).
    pub start: u32,
    /// End of the byte range (exclusive).
    pub end: u32,
    /// Contribution to the score (negative for exclusions).
    pub weight: i32,
}

impl Hit {
    /// The byte range in the field's text, for slicing it.
    pub fn span(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// The outcome of matching a notice against the profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Relevance {
    /// Sum of hit weights (a rule counts once however often it fires), 0 when nothing fired.
    pub score: i32,
    /// Whether the score reaches the profile's threshold.
    pub matched: bool,
    /// Every hit, in field order.
    pub hits: Vec<Hit>,
    /// Names of the profiles that matched, best first; empty when none did. Absent in JSON
    /// stored before profiles were named, hence the default.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// Regulatory requirements and innovation routes the title or description mentions, in
    /// [`Badge`] order, each once.
    #[serde(default, skip_serializing_if = "no_badges")]
    pub badges: BadgeSet,
}

/// For `skip_serializing_if`, which passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn no_badges(badges: &BadgeSet) -> bool {
    badges.is_empty()
}

/// Whether a [`Badge`] is a requirement to meet or a procurement route to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeKind {
    /// A certification, regulation or standard the supplier must meet.
    Regulatory,
    /// A procurement route that lets a startup in early (dialogue, partnership, PCP, …).
    Innovation,
}

/// A signal a supplier looks for before reading a notice, detected in its title or description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// EU Medical Device Regulation or In Vitro Diagnostic Regulation (MDR / IVDR, 2017/745, 2017/746).
    MdrIvdr,
    /// CE marking.
    CeMarking,
    /// ISO 13485, quality management for medical devices.
    Iso13485,
    /// IEC 62304, medical device software life cycle.
    Iec62304,
    /// ISO/IEC 27001, information security management.
    Iso27001,
    /// Normen, the Norwegian code of conduct for information security in health and care.
    Normen,
    /// HelseID or Norsk helsenett (the Norwegian health network).
    HelseId,
    /// Health-data standards: FHIR, HL7, SNOMED CT.
    FhirHl7,
    /// Innovation partnership (innovasjonspartnerskap).
    InnovationPartnership,
    /// Pre-commercial procurement (førkommersiell anskaffelse, PCP).
    PreCommercial,
    /// Market dialogue or dialogue conference before the tender.
    MarketDialogue,
    /// Dynamic purchasing system (dynamisk innkjøpsordning).
    DynamicPurchasing,
    /// Prior information notice (veiledende kunngjøring): the tender is still to come.
    PriorInformation,
}

impl Badge {
    /// Every badge, in display order.
    pub const ALL: [Badge; 13] = [
        Badge::MdrIvdr,
        Badge::CeMarking,
        Badge::Iso13485,
        Badge::Iec62304,
        Badge::Iso27001,
        Badge::Normen,
        Badge::HelseId,
        Badge::FhirHl7,
        Badge::InnovationPartnership,
        Badge::PreCommercial,
        Badge::MarketDialogue,
        Badge::DynamicPurchasing,
        Badge::PriorInformation,
    ];

    /// Short label for lists and the detail pane.
    pub const fn label(self) -> &'static str {
        match self {
            Badge::MdrIvdr => "MDR/IVDR",
            Badge::CeMarking => "CE",
            Badge::Iso13485 => "ISO 13485",
            Badge::Iec62304 => "IEC 62304",
            Badge::Iso27001 => "ISO 27001",
            Badge::Normen => "Normen",
            Badge::HelseId => "HelseID/NHN",
            Badge::FhirHl7 => "FHIR/HL7",
            Badge::InnovationPartnership => "innovation partnership",
            Badge::PreCommercial => "PCP",
            Badge::MarketDialogue => "market dialogue",
            Badge::DynamicPurchasing => "DPS",
            Badge::PriorInformation => "prior information",
        }
    }

    /// Whether the badge is a requirement or a route.
    pub const fn kind(self) -> BadgeKind {
        match self {
            Badge::MdrIvdr
            | Badge::CeMarking
            | Badge::Iso13485
            | Badge::Iec62304
            | Badge::Iso27001
            | Badge::Normen
            | Badge::HelseId
            | Badge::FhirHl7 => BadgeKind::Regulatory,
            Badge::InnovationPartnership
            | Badge::PreCommercial
            | Badge::MarketDialogue
            | Badge::DynamicPurchasing
            | Badge::PriorInformation => BadgeKind::Innovation,
        }
    }
}

impl Relevance {
    /// The distinct rules that raised the score, strongest first, for lists and CSV.
    pub fn matched_terms(&self) -> Vec<&str> {
        let mut seen: Vec<(&str, i32)> = Vec::new();
        for hit in self.hits.iter().filter(|h| h.weight > 0) {
            if !seen.iter().any(|(r, _)| *r == hit.rule.as_str()) {
                seen.push((hit.rule.as_str(), hit.weight));
            }
        }
        seen.sort_by_key(|(_, weight)| std::cmp::Reverse(*weight));
        seen.into_iter().map(|(r, _)| r).collect()
    }
}

/// The user's decision about a notice: its stage in the bid pipeline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Triage {
    /// Not decided yet.
    #[default]
    New,
    /// Kept for a closer look or a bid.
    Shortlisted,
    /// A bid is being prepared.
    Bidding,
    /// The bid is in.
    Submitted,
    /// The contract was won.
    Won,
    /// The contract went to someone else.
    Lost,
    /// Not interesting.
    Rejected,
}

impl Triage {
    /// Every stage, in pipeline order.
    pub const ALL: [Triage; 7] = [
        Triage::New,
        Triage::Shortlisted,
        Triage::Bidding,
        Triage::Submitted,
        Triage::Won,
        Triage::Lost,
        Triage::Rejected,
    ];

    /// The lower-case name used in the database, `list --json` and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Shortlisted => "shortlisted",
            Self::Bidding => "bidding",
            Self::Submitted => "submitted",
            Self::Won => "won",
            Self::Lost => "lost",
            Self::Rejected => "rejected",
        }
    }

    /// Parses [`Triage::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The stage `>` moves to: New → Shortlisted → Bidding → Submitted → Won.
    pub fn next_stage(self) -> Option<Self> {
        match self {
            Self::New => Some(Self::Shortlisted),
            Self::Shortlisted => Some(Self::Bidding),
            Self::Bidding => Some(Self::Submitted),
            Self::Submitted => Some(Self::Won),
            Self::Won | Self::Lost | Self::Rejected => None,
        }
    }

    /// The stage `<` moves back to; an outcome goes back to Submitted, a rejection to New.
    pub fn previous_stage(self) -> Option<Self> {
        match self {
            Self::New => None,
            Self::Shortlisted | Self::Rejected => Some(Self::New),
            Self::Bidding => Some(Self::Shortlisted),
            Self::Submitted => Some(Self::Bidding),
            Self::Won | Self::Lost => Some(Self::Submitted),
        }
    }

    /// Whether a bid is in progress (the Pipeline tab).
    pub fn is_in_pipeline(self) -> bool {
        matches!(self, Self::Bidding | Self::Submitted)
    }
}

/// A stored notice with everything the list and detail views need.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoticeRecord {
    /// The notice as last fetched.
    pub notice: Notice,
    /// Its relevance under the profile in force when it was scored.
    pub relevance: Relevance,
    /// The confirmed triage decision.
    pub triage: Triage,
    /// What the user and the team added, and what a re-fetch changed; `None` while all of it is
    /// empty, as it is for nearly every record. Read through [`NoticeRecord::note`] and its
    /// siblings, changed through [`NoticeRecord::edit_user`].
    ///
    /// Boxed because the dashboard keeps 100,000 records: inline, these six fields were 144 bytes
    /// of each record (14 MB), mostly empty.
    #[serde(flatten, default, with = "user_fields")]
    pub user: Option<Box<UserFields>>,
    /// Whether `notice.description` was left in the store: the dashboard keeps 100,000 records in
    /// memory and reads a description only when it is shown (issue #7). Such a record's
    /// `notice.description` is empty until then.
    #[serde(skip)]
    pub description_in_store: bool,
}

/// Records are equal when what they hold is (the box is only where the fields are kept).
impl PartialEq for NoticeRecord {
    fn eq(&self, other: &Self) -> bool {
        self.notice == other.notice
            && self.relevance == other.relevance
            && self.triage == other.triage
            && self.user_fields() == other.user_fields()
            && self.description_in_store == other.description_in_store
    }
}

/// What a record without a box holds.
static NO_USER_FIELDS: UserFields = UserFields {
    note: String::new(),
    changes: Vec::new(),
    tags: Vec::new(),
    reject_reason: None,
    also_on: Vec::new(),
    assignee: None,
};

impl UserFields {
    fn is_empty(&self) -> bool {
        *self == NO_USER_FIELDS
    }

    /// Boxed, or `None` when there is nothing to keep: the one rule for [`NoticeRecord::user`].
    fn boxed(self: Box<Self>) -> Option<Box<Self>> {
        (!self.is_empty()).then_some(self)
    }
}

/// The parts of a [`NoticeRecord`] that are usually empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserFields {
    /// The user's note (empty when none).
    pub note: String,
    /// What changed in the last re-fetch that changed it (deadline moved, title corrected, …),
    /// while the user has not looked at it yet; empty otherwise.
    pub changes: Vec<FieldChange>,
    /// The user's tags, sorted and without duplicates.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Why the user rejected it, when they picked a reason (from the configured list).
    #[serde(default)]
    pub reject_reason: Option<String>,
    /// The same procedure on other sources (TED for a Doffin notice, …), merged into this record:
    /// the list shows the procedure once, and triage on this record is what counts.
    #[serde(default)]
    pub also_on: Vec<AlsoOn>,
    /// Who on the team owns the bid (team mode; their display name).
    #[serde(default)]
    pub assignee: Option<String>,
}

/// A notice merged into another as the same procedure on a second source (see `dedup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlsoOn {
    /// The merged notice's id.
    pub id: NoticeId,
    /// Its source kind (`ted`, `doffin`, …).
    pub source: String,
    /// Its public page.
    pub url: String,
    /// Why the two were merged, in words ("same buyer org 974 123 456, titles 87 % alike, …").
    pub reason: String,
}

impl NoticeRecord {
    /// A record for a notice never decided on: no note, tags, changes or other links yet.
    pub fn new(notice: Notice, relevance: Relevance) -> Self {
        Self {
            notice,
            relevance,
            triage: Triage::New,
            user: None,
            description_in_store: false,
        }
    }

    /// `self` with `user`'s fields (none kept when all are empty).
    #[must_use]
    pub fn with_user(mut self, user: UserFields) -> Self {
        self.user = Box::new(user).boxed();
        self
    }

    /// Changes the usually empty fields through `edit`; the box is made for it and freed again
    /// when `edit` leaves them all empty, so most of 100,000 records hold none.
    pub fn edit_user<T>(&mut self, edit: impl FnOnce(&mut UserFields) -> T) -> T {
        let mut user = self.user.take().unwrap_or_default();
        let out = edit(&mut user);
        self.user = user.boxed();
        out
    }

    fn user_fields(&self) -> &UserFields {
        self.user.as_deref().unwrap_or(&NO_USER_FIELDS)
    }

    /// The user's note (empty when none).
    pub fn note(&self) -> &str {
        &self.user_fields().note
    }

    /// What the last re-fetch changed, unseen yet.
    pub fn changes(&self) -> &[FieldChange] {
        &self.user_fields().changes
    }

    /// The user's tags, sorted and without duplicates.
    pub fn tags(&self) -> &[String] {
        &self.user_fields().tags
    }

    /// Why the user rejected it, when they picked a reason.
    pub fn reject_reason(&self) -> Option<&str> {
        self.user_fields().reject_reason.as_deref()
    }

    /// The same procedure on other sources, merged into this record.
    pub fn also_on(&self) -> &[AlsoOn] {
        &self.user_fields().also_on
    }

    /// Who on the team owns the bid.
    pub fn assignee(&self) -> Option<&str> {
        self.user_fields().assignee.as_deref()
    }
}

/// Serde for [`NoticeRecord`]'s boxed fields, flattened into the record as when they were its own.
mod user_fields {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::UserFields;

    #[allow(clippy::ref_option)] // serde's `with` passes the field by reference
    pub fn serialize<S: Serializer>(user: &Option<Box<UserFields>>, s: S) -> Result<S::Ok, S::Error> {
        user.as_deref().cloned().unwrap_or_default().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<UserFields>>, D::Error> {
        Ok(Box::new(UserFields::deserialize(d)?).boxed())
    }
}

/// One field of a notice that a re-fetch changed: shown as "deadline 12 May → 19 May".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Which field (`title`, `deadline`, `buyer`, `value`, `type`, `description`).
    pub field: String,
    /// The value before, as text (timestamps in RFC 3339; empty when there was none).
    pub old: String,
    /// The value now.
    pub new: String,
}

/// Unseen changes so far plus new ones: a field changed twice shows its first old and latest
/// value, and a field changed back drops out.
pub fn merge_changes(mut earlier: Vec<FieldChange>, newer: Vec<FieldChange>) -> Vec<FieldChange> {
    for change in newer {
        match earlier.iter_mut().find(|c| c.field == change.field) {
            Some(seen) => seen.new = change.new,
            None => earlier.push(change),
        }
    }
    earlier.retain(|c| c.old != c.new);
    earlier
}

impl Notice {
    /// The fields a user cares about that differ from `old`, in a fixed order. Titles in other
    /// languages, URLs and CPV order do not count: they change without the tender changing.
    pub fn changes_from(&self, old: &Notice) -> Vec<FieldChange> {
        let text = |t: Option<Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
        let money = |v: Option<f64>, c: &Option<Box<str>>| {
            v.map(|v| format!("{v} {}", c.as_deref().unwrap_or("")).trim().to_owned())
                .unwrap_or_default()
        };
        let fields = [
            ("title", old.title.clone(), self.title.clone()),
            ("deadline", text(old.deadline), text(self.deadline)),
            ("buyer", old.buyer.clone(), self.buyer.clone()),
            (
                "value",
                money(old.value, &old.currency),
                money(self.value, &self.currency),
            ),
            (
                "type",
                old.notice_type.as_deref().unwrap_or_default().to_owned(),
                self.notice_type.as_deref().unwrap_or_default().to_owned(),
            ),
            ("description", old.description.clone(), self.description.clone()),
        ];
        fields
            .into_iter()
            .filter(|(_, a, b)| a != b)
            .map(|(field, old, new)| FieldChange {
                field: field.to_owned(),
                old,
                new,
            })
            .collect()
    }
}

/// Why a triage change was made: logged with it so undo and redo survive a restart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// A new decision by the user.
    #[default]
    Do,
    /// Reverting the latest decision.
    Undo,
    /// Re-applying an undone decision.
    Redo,
}

impl DecisionKind {
    /// The name stored in the decisions log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Do => "do",
            Self::Undo => "undo",
            Self::Redo => "redo",
        }
    }

    /// Parses [`DecisionKind::as_str`] output.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Do, Self::Undo, Self::Redo].into_iter().find(|k| k.as_str() == s)
    }
}

/// A change of triage, as the core asks the store to persist it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageChange {
    /// Which notice.
    pub id: NoticeId,
    /// The decision before.
    pub from: Triage,
    /// The decision to store.
    pub to: Triage,
}

impl TriageChange {
    /// The change that takes this one back.
    pub fn reversed(&self) -> Self {
        Self {
            id: self.id.clone(),
            from: self.to,
            to: self.from,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Triage;

    #[test]
    fn stage_names_round_trip() {
        for stage in Triage::ALL {
            assert_eq!(Triage::parse(stage.as_str()), Some(stage));
        }
        assert_eq!(Triage::parse("maybe"), None);
    }

    #[test]
    fn forward_then_back_returns_to_the_same_stage() {
        for stage in Triage::ALL {
            if let Some(next) = stage.next_stage() {
                assert_eq!(next.previous_stage(), Some(stage), "{stage:?}");
            }
        }
        assert_eq!(Triage::Lost.previous_stage(), Some(Triage::Submitted));
        assert_eq!(Triage::Won.next_stage(), None);
    }
}

#[cfg(test)]
mod change_tests {
    use super::Notice;

    #[test]
    fn a_moved_deadline_and_a_new_title_are_changes_other_languages_are_not() {
        let old = Notice {
            deadline: Some("2026-05-12T10:00:00Z".parse().expect("ts")),
            ..Notice::blank("ted", "1", "Senger")
        };
        let mut new = Notice {
            deadline: Some("2026-05-19T10:00:00Z".parse().expect("ts")),
            ..old.clone()
        };
        new.title = "Senger og madrasser".to_owned();
        new.titles.insert("eng".to_owned(), "Beds".to_owned());
        new.url = "https://example.org/moved".to_owned();
        let changes = new.changes_from(&old);
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["title", "deadline"]);
        assert_eq!(
            (changes[1].old.as_str(), changes[1].new.as_str()),
            ("2026-05-12T10:00:00Z", "2026-05-19T10:00:00Z")
        );
        assert!(new.changes_from(&new).is_empty());
    }
}

#[cfg(test)]
mod record_tests {
    use super::{Notice, NoticeRecord, Relevance, UserFields};

    fn record() -> NoticeRecord {
        NoticeRecord::new(Notice::blank("ted", "1-2026", "Trygghetsalarmer"), Relevance::default())
    }

    #[test]
    fn the_usually_empty_fields_take_no_box_until_set_and_give_it_back_when_emptied() {
        let mut r = record();
        assert!(r.user.is_none());
        assert_eq!(
            (r.note(), r.tags(), r.reject_reason(), r.assignee()),
            ("", &[][..], None, None)
        );
        r.edit_user(|u| u.note = "Ring Kari".to_owned());
        assert_eq!(r.note(), "Ring Kari");
        assert!(r.user.is_some());
        r.edit_user(|u| u.note.clear());
        assert!(r.user.is_none(), "all empty again: the box is freed");
        assert_eq!(record().with_user(UserFields::default()).user, None);
    }

    #[test]
    fn an_empty_box_and_none_are_the_same_record() {
        let mut boxed = record();
        boxed.user = Some(Box::default());
        assert_eq!(boxed, record());
        boxed.edit_user(|u| u.tags = vec!["x".to_owned()]);
        assert_ne!(boxed, record());
    }

    #[test]
    fn serialized_as_when_the_fields_were_the_record_s_own() {
        let json = serde_json::to_value(record()).expect("encode");
        for key in ["note", "changes", "tags", "reject_reason", "also_on", "assignee"] {
            assert!(json.get(key).is_some(), "{key} missing: {json}");
        }
        let tagged = record().with_user(UserFields {
            note: "n".to_owned(),
            tags: vec!["a".to_owned()],
            ..UserFields::default()
        });
        let back: NoticeRecord =
            serde_json::from_value(serde_json::to_value(&tagged).expect("encode")).expect("decode");
        assert_eq!(back, tagged);
        let plain: NoticeRecord = serde_json::from_value(json).expect("decode");
        assert!(plain.user.is_none());
    }
}

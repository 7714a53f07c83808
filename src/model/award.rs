//! Contract awards: one row per award notice × lot × winner, with how much of it is known and how
//! its end date was worked out, and the re-tender window that follows from that end.
//!
//! Plain data and date arithmetic only (jiff); the parsers that build these rows live in
//! `feeds::awards`, their storage in `store::sqlite::awards`. The facts behind the fields (which
//! source gives what, and its traps) are in `shared/reference/awards.md`.

mod estimate;
mod framework;
mod link;

pub use estimate::{EndEstimate, RetenderLead, RetenderWindow};
pub use framework::FrameworkKind;
pub use link::{AwardLink, CompetitionKeys, LinkMethod, StoredAward};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{Notice, NoticeId};

/// What a stored value means. The kinds are never summed together: a framework ceiling is not
/// spend, and an estimate is not an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// The awarded tender's value (TED `tender-value`, eForms `PayableAmount`, OCDS `awards[].value`).
    Award,
    /// A framework agreement's maximum (or its total across call-offs): a ceiling, not spend.
    FrameworkMax,
    /// The buyer's estimate, where nothing better is given.
    Estimate,
}

impl ValueKind {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Award => "award",
            Self::FrameworkMax => "framework_max",
            Self::Estimate => "estimate",
        }
    }

    /// The kind named by [`ValueKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Award, Self::FrameworkMax, Self::Estimate]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Whether the notice awards anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardStatus {
    /// A contract was awarded to the winner named.
    Awarded,
    /// The procedure ended without a contract (discontinued, no tenders): not a loss for anyone.
    NoAward,
    /// A voluntary ex-ante transparency or intent notice: the buyer *intends* to sign with the
    /// supplier named. Not (yet) an award.
    Intent,
}

impl AwardStatus {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Awarded => "awarded",
            Self::NoAward => "no_award",
            Self::Intent => "intent",
        }
    }

    /// The status named by [`AwardStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Awarded, Self::NoAward, Self::Intent]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Whether the row's winner fields belong together for certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pairing {
    /// Name, id, country and value were given for this lot and winner.
    Exact,
    /// The source lists some fields per lot and others per distinct winner (TED's search API), so
    /// they cannot be paired: the unpaired ones are kept on the notice, not guessed onto the row.
    Ambiguous,
}

impl Pairing {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Ambiguous => "ambiguous",
        }
    }

    /// The pairing named by [`Pairing::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Exact, Self::Ambiguous].into_iter().find(|k| k.as_str() == s)
    }
}

/// How a contract's end date was known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndBasis {
    /// The notice states the end date.
    #[serde(rename = "explicit_end")]
    ExplicitEnd,
    /// Start date plus the notice's duration.
    #[serde(rename = "start+duration")]
    StartPlusDuration,
    /// Conclusion (signing) date plus the notice's duration.
    #[serde(rename = "conclusion+duration")]
    ConclusionPlusDuration,
    /// Conclusion (or start) date plus the duration planned in the linked competition notice.
    #[serde(rename = "linked_cn_duration")]
    LinkedCnDuration,
    /// Not known.
    #[serde(rename = "none")]
    None,
}

impl EndBasis {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExplicitEnd => "explicit_end",
            Self::StartPlusDuration => "start+duration",
            Self::ConclusionPlusDuration => "conclusion+duration",
            Self::LinkedCnDuration => "linked_cn_duration",
            Self::None => "none",
        }
    }

    /// The basis named by [`EndBasis::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::ExplicitEnd,
            Self::StartPlusDuration,
            Self::ConclusionPlusDuration,
            Self::LinkedCnDuration,
            Self::None,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The identifiers that tie an award notice to the competition notice it concludes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkKeys {
    /// eForms procedure identifier (BT-04): TED `procedure-identifier`, the same on CN and CAN.
    pub procedure_id: Option<String>,
    /// Legacy TED: the competition notice's publication number (`300984-2021`), from `REF_NOTICE`.
    pub ref_notice: Option<String>,
    /// OCDS contracting process id, shared by the tender and award releases.
    pub ocid: Option<String>,
    /// eForms `cbc:ContractFolderID` (Doffin XML); `None` when it is the notice's own id, as on
    /// Doffin's retro-converted notices, where it links nothing.
    pub contract_folder: Option<String>,
}

impl LinkKeys {
    /// Whether no key is known (the award can only be linked by buyer, title and CPV).
    pub fn is_empty(&self) -> bool {
        self.procedure_id.is_none()
            && self.ref_notice.is_none()
            && self.ocid.is_none()
            && self.contract_folder.is_none()
    }
}

/// One award notice × lot × winner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Award {
    /// The award notice (`ted:291981-2026`, `doffin:2026-112546`, `cf:{ocid}`).
    pub notice_id: NoticeId,
    /// Lot identifier as the source gives it (`LOT-0001`, an OCDS award id); empty for the notice
    /// as a whole.
    pub lot_id: String,
    /// The winner's position within the lot (several suppliers share one OCDS award).
    pub seq: u32,
    /// The award notice's title.
    pub title: String,
    /// Buyer name(s).
    pub buyer: String,
    /// Buyer organisation number, where given.
    pub buyer_id: Option<String>,
    /// CPV codes of the notice, 8 digits.
    pub cpv: Vec<String>,
    /// Winner name, sanitised; `None` for a no-award row.
    pub winner_name: Option<String>,
    /// Winner organisation id as given (VAT number, orgnr, …); `None` when unknown or unpairable.
    pub winner_org_id: Option<String>,
    /// Winner country as given (ISO alpha-3 on TED and eForms, alpha-2 on legacy TED).
    pub winner_country: Option<String>,
    /// The value, with its meaning in `value_kind`.
    pub value: Option<f64>,
    /// ISO 4217 currency of `value`.
    pub currency: Option<String>,
    /// What `value` is.
    pub value_kind: Option<ValueKind>,
    /// Whether the lot is a framework agreement, and which kind (BT-765), where the notice says.
    pub framework_kind: Option<FrameworkKind>,
    /// Tenders received for the lot.
    pub tenders_received: Option<u32>,
    /// Award decision date.
    pub decision_date: Option<Date>,
    /// Contract conclusion (signing) date.
    pub conclusion_date: Option<Date>,
    /// Contract start.
    pub start: Option<Date>,
    /// Contract end as stated.
    pub end: Option<Date>,
    /// Contract duration as stated, in months.
    pub duration_months: Option<u32>,
    /// Awarded, no award, or intent.
    pub status: AwardStatus,
    /// Whether the winner fields belong together for certain.
    pub pairing: Pairing,
    /// Organisation ids the notice lists for its winners but that could not be paired to a row
    /// (see [`Pairing::Ambiguous`]); empty otherwise.
    pub unpaired_winner_ids: Vec<String>,
    /// Keys to the competition notice.
    pub keys: LinkKeys,
    /// When the award notice was published.
    pub published: Option<Date>,
    /// Public page of the award notice.
    pub url: String,
}

impl Award {
    /// The award notice as the matcher and the duplicate check see a notice: what it says of
    /// itself (title, buyer, buyer id, CPV codes; an award carries no description), under its own
    /// source and id.
    pub fn as_notice(&self) -> Notice {
        let (source, native) = self
            .notice_id
            .as_str()
            .split_once(':')
            .unwrap_or(("award", self.notice_id.as_str()));
        let mut notice = Notice::blank(source, native, &self.title);
        notice.buyer.clone_from(&self.buyer);
        notice.buyer_id = self.buyer_id.as_deref().map(Into::into);
        notice.cpv = self.cpv.iter().collect();
        notice
    }

    /// Whether the row names a winner that was actually awarded the contract.
    pub fn is_awarded(&self) -> bool {
        self.status == AwardStatus::Awarded && self.winner_name.is_some()
    }
}

/// A row of award notice `notice` with nothing known but an award, for tests to fill in.
#[cfg(test)]
pub(crate) fn sample(notice: NoticeId) -> Award {
    Award {
        notice_id: notice,
        lot_id: String::new(),
        seq: 0,
        title: String::new(),
        buyer: String::new(),
        buyer_id: None,
        cpv: Vec::new(),
        winner_name: None,
        winner_org_id: None,
        winner_country: None,
        value: None,
        currency: None,
        value_kind: None,
        framework_kind: None,
        tenders_received: None,
        decision_date: None,
        conclusion_date: None,
        start: None,
        end: None,
        duration_months: None,
        status: AwardStatus::Awarded,
        pairing: Pairing::Exact,
        unpaired_winner_ids: Vec::new(),
        keys: LinkKeys::default(),
        published: None,
        url: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().expect("date")
    }

    fn award() -> Award {
        Award {
            winner_name: Some("Elis".into()),
            ..sample(NoticeId::new("cf", "x"))
        }
    }

    #[test]
    fn the_window_counts_back_nine_and_six_months_from_the_end() {
        let end = EndEstimate {
            end: date("2026-07-04"),
            basis: EndBasis::ExplicitEnd,
        };
        let window = end.retender_window(RetenderLead::default()).expect("window");
        assert_eq!((window.opens, window.closes), (date("2025-10-04"), date("2026-01-04")));
        assert_eq!(window.to_string(), "2025-10-04 … 2026-01-04");
    }

    #[test]
    fn the_end_prefers_what_the_notice_states_then_durations() {
        let mut a = award();
        assert_eq!(a.estimated_end(None), None);
        a.conclusion_date = Some(date("2026-07-31"));
        let linked = a.estimated_end(Some(48)).expect("from the CN");
        assert_eq!(
            (linked.end, linked.basis),
            (date("2030-07-30"), EndBasis::LinkedCnDuration)
        );
        assert_eq!(
            linked.describe(&a, Some(48)),
            "estimate: signed 2026-07-31 + 48 months planned in the competition notice"
        );
        a.duration_months = Some(48);
        let signed = a.estimated_end(Some(12)).expect("signed + duration");
        assert_eq!(
            (signed.end, signed.basis),
            (date("2030-07-30"), EndBasis::ConclusionPlusDuration)
        );
        a.start = Some(date("2022-07-05"));
        let started = a.estimated_end(None).expect("start + duration");
        assert_eq!(
            (started.end, started.basis),
            (date("2026-07-04"), EndBasis::StartPlusDuration)
        );
        a.end = Some(date("2027-01-01"));
        assert_eq!(a.estimated_end(None).map(|e| e.basis), Some(EndBasis::ExplicitEnd));
    }

    #[test]
    fn names_round_trip() {
        for k in [ValueKind::Award, ValueKind::FrameworkMax, ValueKind::Estimate] {
            assert_eq!(ValueKind::parse(k.as_str()), Some(k));
        }
        for s in [AwardStatus::Awarded, AwardStatus::NoAward, AwardStatus::Intent] {
            assert_eq!(AwardStatus::parse(s.as_str()), Some(s));
        }
        for b in [
            EndBasis::ExplicitEnd,
            EndBasis::StartPlusDuration,
            EndBasis::ConclusionPlusDuration,
            EndBasis::LinkedCnDuration,
            EndBasis::None,
        ] {
            assert_eq!(EndBasis::parse(b.as_str()), Some(b));
            assert_eq!(serde_json::to_value(b).expect("json"), b.as_str());
        }
        assert_eq!(Pairing::parse("ambiguous"), Some(Pairing::Ambiguous));
    }
}

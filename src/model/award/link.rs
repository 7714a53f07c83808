//! How award notices are tied to the competition notices they conclude, and a stored award with
//! its link and estimate, as the store hands them out.

use serde::{Deserialize, Serialize};

use super::{Award, EndEstimate, RetenderLead, RetenderWindow};
use crate::model::NoticeId;

/// How an award notice was tied to the competition notice it concludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMethod {
    /// The same eForms procedure identifier (TED `procedure-identifier`).
    ProcedureId,
    /// Legacy TED `REF_NOTICE`.
    RefNotice,
    /// The same OCDS `ocid`.
    Ocid,
    /// eForms `ContractFolderID` (Doffin XML) equal to the competition's procedure identifier.
    ContractFolder,
    /// No shared key: the same buyer, a title at least 60 % alike and a shared CPV division
    /// (`dedup`'s matcher). A likely link, not a certain one.
    Inferred,
}

impl LinkMethod {
    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProcedureId => "procedure_id",
            Self::RefNotice => "ref_notice",
            Self::Ocid => "ocid",
            Self::ContractFolder => "contract_folder",
            Self::Inferred => "inferred",
        }
    }

    /// The method named by [`LinkMethod::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::ProcedureId,
            Self::RefNotice,
            Self::Ocid,
            Self::ContractFolder,
            Self::Inferred,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// How a stored award notice is linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardLink {
    /// The competition notice.
    pub competition: NoticeId,
    /// How the link was found.
    pub method: LinkMethod,
    /// The title similarity in percent, for an inferred link.
    pub score: Option<u8>,
}

/// A stored award with what was worked out for it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAward {
    /// The row.
    pub award: Award,
    /// Its estimated end and basis, as saved.
    pub end: Option<EndEstimate>,
    /// Its award notice's link, if any.
    pub link: Option<AwardLink>,
    /// The linked competition notice's planned duration, if it gave one.
    pub linked_cn_months: Option<u32>,
}

impl StoredAward {
    /// The re-tender window `lead` months before the estimated end, if the end is known.
    pub fn retender_window(&self, lead: RetenderLead) -> Option<RetenderWindow> {
        self.end?.retender_window(lead)
    }

    /// The outcome for the notice it concludes, in one line: "Awarded to X for NOK 17,000,000
    /// (award), 2 tenders", "Intended award to X", "No award". An inferred link says so, since
    /// the pairing is a guess by buyer and title.
    pub fn outcome_in_words(&self) -> String {
        let a = &self.award;
        let winner = a.winner_name.as_deref().unwrap_or("an unnamed supplier");
        let mut line = match a.status {
            super::AwardStatus::NoAward => "No award: the procedure ended without a winner".to_owned(),
            super::AwardStatus::Intent => format!("Intended award to {winner}"),
            super::AwardStatus::Awarded => format!("Awarded to {winner}"),
        };
        if a.status != super::AwardStatus::NoAward {
            if let (Some(value), Some(kind)) = (a.value, a.value_kind) {
                let kind = match kind {
                    super::ValueKind::Award => "",
                    super::ValueKind::FrameworkMax => " (framework ceiling)",
                    super::ValueKind::Estimate => " (estimate)",
                };
                line.push_str(&format!(
                    " for {}{kind}",
                    crate::model::money::amount(value, a.currency.as_deref())
                ));
            }
            if let Some(n) = a.tenders_received {
                line.push_str(&format!(", {n} tender{}", if n == 1 { "" } else { "s" }));
            }
        }
        if let Some(AwardLink {
            method: LinkMethod::Inferred,
            score,
            ..
        }) = &self.link
        {
            let alike = score.map_or(String::new(), |s| format!(", titles {s} % alike"));
            line.push_str(&format!(" — linked by buyer and title{alike}"));
        }
        line
    }

    /// Whether this row's value can only come from its notice's eForms XML: a Doffin search hit
    /// names the winner but not the amount (its `estimatedValue` is the buyer's estimate), and the
    /// row is linked to a competition notice, so someone may care. Whether the competition is
    /// matched or followed is for the caller, which holds it.
    pub fn wants_notice_xml(&self) -> bool {
        let a = &self.award;
        self.link.is_some()
            && a.value.is_none()
            && a.status != super::AwardStatus::NoAward
            && a.notice_id.as_str().starts_with("doffin:")
    }

    /// How the end was known, in words ("end unknown" without one).
    pub fn end_in_words(&self) -> String {
        self.end.map_or_else(
            || "end unknown".to_owned(),
            |e| e.describe(&self.award, self.linked_cn_months),
        )
    }
}

/// What a competition notice says that awards link to and estimate from: kept beside the notice
/// because `Notice` itself does not carry these (yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitionKeys {
    /// The competition notice.
    pub notice_id: NoticeId,
    /// eForms procedure identifier (BT-04), also Doffin's `ContractFolderID` on eForms-native notices.
    pub procedure_id: Option<String>,
    /// OCDS ocid.
    pub ocid: Option<String>,
    /// Planned contract duration in months (eForms `PlannedPeriod`, OCDS `tender.contractPeriod`).
    pub duration_months: Option<u32>,
}

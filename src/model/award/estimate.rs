//! A contract's estimated end (and what it rests on) and the re-tender window before it.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;

use super::{Award, EndBasis};

/// A contract's estimated last day and how it was worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndEstimate {
    /// The last day of the contract (before any options or extensions).
    pub end: Date,
    /// How it was known.
    pub basis: EndBasis,
}

/// Months before the estimated end when a re-tender is likely to be announced: `[opens, closes]`,
/// e.g. `[9, 6]` (the config's `retender_lead_months`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetenderLead {
    /// Months before the end when the window opens (the larger number).
    pub opens: u32,
    /// Months before the end when it closes.
    pub closes: u32,
}

impl Default for RetenderLead {
    /// Nine to six months: buyers announce a re-tender that far ahead, and the trade advice is to
    /// contact the buyer 6–12 months before (shared/reference/awards.md §1).
    fn default() -> Self {
        Self { opens: 9, closes: 6 }
    }
}

/// The period in which the buyer is expected to re-tender a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetenderWindow {
    /// First day.
    pub opens: Date,
    /// Last day.
    pub closes: Date,
    /// The end it counts back from.
    pub end: EndEstimate,
}

/// `date` plus `months` months, less one day: the last day of a contract of that length that starts
/// on `date` (48 months from 2022-07-05 end on 2026-07-04).
fn last_day(date: Date, months: u32) -> Option<Date> {
    let months = i64::from(months);
    date.checked_add(months.months()).ok()?.checked_sub(1.day()).ok()
}

impl Award {
    /// The contract's estimated end: the stated end; else start or signing date plus the stated
    /// duration; else signing (or start, or decision) date plus the duration planned in the linked
    /// competition notice (`linked_cn_months`); else nothing. Options and extensions are not
    /// folded in: a re-tender is likely at the end, not certain.
    pub fn estimated_end(&self, linked_cn_months: Option<u32>) -> Option<EndEstimate> {
        let estimate = |end, basis| Some(EndEstimate { end, basis });
        if let Some(end) = self.end {
            return estimate(end, EndBasis::ExplicitEnd);
        }
        if let Some(months) = self.duration_months {
            if let Some(end) = self.start.and_then(|s| last_day(s, months)) {
                return estimate(end, EndBasis::StartPlusDuration);
            }
            if let Some(end) = self.conclusion_date.and_then(|c| last_day(c, months)) {
                return estimate(end, EndBasis::ConclusionPlusDuration);
            }
        }
        let months = linked_cn_months?;
        let from = self.conclusion_date.or(self.start).or(self.decision_date)?;
        estimate(last_day(from, months)?, EndBasis::LinkedCnDuration)
    }
}

impl EndEstimate {
    /// The re-tender window `lead` months before this end.
    pub fn retender_window(self, lead: RetenderLead) -> Option<RetenderWindow> {
        let opens = self.end.checked_sub(i64::from(lead.opens).months()).ok()?;
        let closes = self.end.checked_sub(i64::from(lead.closes).months()).ok()?;
        Some(RetenderWindow {
            opens: opens.min(closes),
            closes: opens.max(closes),
            end: self,
        })
    }

    /// The basis in words, for people: "stated in the notice", "start 2022-07-05 + 48 months", …
    pub fn describe(self, award: &Award, linked_cn_months: Option<u32>) -> String {
        let months = |m: Option<u32>| m.map_or_else(String::new, |m| format!(" + {m} months"));
        match self.basis {
            EndBasis::ExplicitEnd => "end date stated in the award".to_owned(),
            EndBasis::StartPlusDuration => format!(
                "estimate: start {}{}",
                award.start.map(|d| d.to_string()).unwrap_or_default(),
                months(award.duration_months)
            ),
            EndBasis::ConclusionPlusDuration => format!(
                "estimate: signed {}{}",
                award.conclusion_date.map(|d| d.to_string()).unwrap_or_default(),
                months(award.duration_months)
            ),
            EndBasis::LinkedCnDuration => format!(
                "estimate: {} {}{} planned in the competition notice",
                if award.conclusion_date.is_some() {
                    "signed"
                } else {
                    "from"
                },
                award
                    .conclusion_date
                    .or(award.start)
                    .or(award.decision_date)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                months(linked_cn_months)
            ),
            EndBasis::None => "end unknown".to_owned(),
        }
    }
}

impl fmt::Display for RetenderWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} … {}", self.opens, self.closes)
    }
}

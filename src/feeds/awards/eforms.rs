//! eForms UBL `ContractAwardNotice` XML, as Doffin's `/download/{id}` and TED serve it.
//!
//! The result is spread over cross-referenced parts of `efac:NoticeResult`: a `LotResult` names
//! its lot, its status (`selec-w` a winner was chosen, `clos-nw` closed without one), the tenders
//! received and its winning `LotTender`s; a `LotTender` has the value (`PayableAmount`) and a
//! `TenderingParty`, whose `Tenderer`s point at `Organization`s (name, `CompanyID`, country); a
//! `SettledContract` has the signing date. They are collected in one pass and joined by id.
//!
//! Doffin's retro-converted pre-2023 notices carry their own id as `ContractFolderID` (no link)
//! and `AwardDate 2000-01-01` as a placeholder (shared/reference/awards.md §5); both are dropped.

use std::collections::HashMap;

use jiff::civil::Date;

mod collect;

use self::collect::{COMPETITION_ROOTS, Collected, LotTender, Org, collect};
use super::publication_number;
use crate::feeds::ParseError;
use crate::model::{Award, AwardStatus, CompetitionKeys, LinkKeys, NoticeId, Pairing, ValueKind};

/// Parses an eForms award notice (Doffin or TED) into rows: one per lot result × winning
/// organisation; a lot closed without a winner is one `no_award` row; lots still open are skipped.
/// A competition notice has no rows (see [`competition_keys`]).
///
/// # Errors
/// [`ParseError::Xml`] for malformed XML; [`ParseError::Shape`] when the root is not an eForms
/// notice or the notice has no id.
pub fn parse(body: &[u8]) -> Result<Vec<Award>, ParseError> {
    let (root, c) = collect(body)?;
    Ok(if root == "ContractAwardNotice" {
        rows(&c)
    } else {
        Vec::new()
    })
}

/// What an eForms competition notice gives awards to link to: its procedure identifier
/// (`ContractFolderID`, unless it is the notice's own id) and the longest planned duration of its
/// lots. `None` for an award notice.
///
/// # Errors
/// As [`parse`].
pub fn competition_keys(body: &[u8]) -> Result<Option<CompetitionKeys>, ParseError> {
    let (root, c) = collect(body)?;
    if !COMPETITION_ROOTS.contains(&root.as_str()) {
        return Ok(None);
    }
    let months = c
        .planned
        .values()
        .filter_map(|p| p.months.or_else(|| months_between(p.start?, p.end?)))
        .max();
    Ok(Some(CompetitionKeys {
        notice_id: identity(&c).0,
        procedure_id: c.folder.clone().filter(|f| *f != c.notice_id),
        ocid: None,
        duration_months: months,
    }))
}

/// Whole months from `start` to the day after `end` (2022-07-05 … 2026-07-04 is 48).
pub(crate) fn months_between(start: Date, end: Date) -> Option<u32> {
    let after = end.tomorrow().ok()?;
    let span = start.until((jiff::Unit::Month, after)).ok()?;
    u32::try_from(span.get_months()).ok().filter(|m| *m > 0)
}

/// `doffin:2022-319091` for Doffin's ids (year-number), else the TED publication number.
fn identity(c: &Collected) -> (NoticeId, String) {
    let (year, number) = c.notice_id.split_once('-').unwrap_or(("", ""));
    let is_doffin =
        year.len() == 4 && !number.is_empty() && year.bytes().chain(number.bytes()).all(|b| b.is_ascii_digit());
    if is_doffin {
        let url = format!("https://doffin.no/notices/{}", c.notice_id);
        return (NoticeId::new("doffin", &c.notice_id), url);
    }
    // TED pads the number in the XML (`00434619-2026`) but not in its search API (`434619-2026`),
    // whose form the stored notices have.
    let number = c
        .publication
        .as_deref()
        .map(|p| publication_number(p).unwrap_or_else(|| p.to_owned()))
        .map_or_else(|| c.notice_id.clone(), |p| p.trim_start_matches('0').to_owned());
    let url = format!("https://ted.europa.eu/en/notice/-/detail/{number}");
    (NoticeId::new("ted", &number), url)
}

fn rows(c: &Collected) -> Vec<Award> {
    let (notice_id, url) = identity(c);
    let buyer_org = c.buyer_org.as_ref().and_then(|id| c.orgs.get(id));
    let status_for_winner = if c.notice_type == "veat" {
        AwardStatus::Intent
    } else {
        AwardStatus::Awarded
    };
    let keys = LinkKeys {
        contract_folder: c.folder.clone().filter(|f| *f != c.notice_id),
        ..LinkKeys::default()
    };
    let single_lot = c.results.len() == 1;
    let mut out = Vec::new();
    // Rows are keyed by lot and position; Doffin's VEATs give every result the lot `MISSING`, so
    // positions continue across the results of one lot id rather than restarting at 0.
    let mut next_seq: HashMap<&str, u32> = HashMap::new();
    for result in &c.results {
        if result.code == "open-nw" {
            continue;
        }
        let planned = c.planned.get(&result.lot).or_else(|| c.planned.get(""));
        let signed = result
            .contracts
            .iter()
            .find_map(|id| c.signed.get(id).copied().flatten());
        // Each winning organisation with its tender, and whether it is the tender's first
        // organisation: a group's value is the tender's, kept on one row so it is not counted twice.
        let mut winners: Vec<(Option<&Org>, Option<&LotTender>, bool)> = Vec::new();
        for tender in result.tenders.iter().filter_map(|id| c.tenders.get(id)) {
            match tender.party.as_ref().and_then(|p| c.parties.get(p)) {
                Some(orgs) if !orgs.is_empty() => {
                    winners.extend(
                        orgs.iter()
                            .enumerate()
                            .map(|(i, id)| (c.orgs.get(id), Some(tender), i == 0)),
                    );
                }
                _ => winners.push((None, Some(tender), true)),
            }
        }
        let no_winner = result.code == "clos-nw" || winners.is_empty();
        if no_winner {
            winners = vec![(None, None, true)];
        }
        let base = next_seq.get(result.lot.as_str()).copied().unwrap_or(0);
        let count = u32::try_from(winners.len()).unwrap_or(u32::MAX);
        next_seq.insert(result.lot.as_str(), base.saturating_add(count));
        for (i, (org, tender, first)) in (0..).zip(winners) {
            let seq = base.saturating_add(i);
            let (value, currency, kind) = match (&result.framework_max, tender) {
                (Some((v, cur)), _) => (Some(*v), cur.clone(), Some(ValueKind::FrameworkMax)),
                (None, Some(t)) if t.amount.is_some() => (t.amount, t.currency.clone(), Some(ValueKind::Award)),
                // One lot: the notice total is that lot's value.
                (None, _) if single_lot && !no_winner => match &c.total {
                    Some((v, cur)) => (Some(*v), cur.clone(), Some(ValueKind::Award)),
                    None => (None, None, None),
                },
                _ => (None, None, None),
            };
            // A tender's value stays with its first organisation; a lot's framework ceiling and
            // the notice total, which belong to no one tender, with the lot's first row.
            let keep = match kind {
                Some(ValueKind::Award) if tender.is_some_and(|t| t.amount.is_some()) => first,
                _ => i == 0,
            };
            out.push(Award {
                notice_id: notice_id.clone(),
                lot_id: result.lot.clone(),
                seq,
                title: c.title.clone(),
                buyer: buyer_org.map(|o| o.name.clone()).unwrap_or_default(),
                buyer_id: buyer_org.and_then(|o| o.company_id.clone()),
                cpv: c.cpv.clone(),
                winner_name: org.map(|o| o.name.clone()).filter(|n| !n.is_empty()),
                winner_org_id: org.and_then(|o| o.company_id.clone()),
                winner_country: org.and_then(|o| o.country.clone()),
                value: value.filter(|_| keep),
                currency: currency.filter(|_| keep),
                value_kind: kind.filter(|_| keep),
                framework_kind: c.frameworks.get(&result.lot).copied(),
                tenders_received: result.received,
                decision_date: c.award_date,
                conclusion_date: signed,
                start: planned.and_then(|p| p.start),
                end: planned.and_then(|p| p.end),
                duration_months: planned.and_then(|p| p.months),
                status: if no_winner {
                    AwardStatus::NoAward
                } else {
                    status_for_winner
                },
                pairing: Pairing::Exact,
                unpaired_winner_ids: Vec::new(),
                keys: keys.clone(),
                published: c.publication_date.or(c.issue_date),
                url: url.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::collect::collect;
    use crate::model::FrameworkKind;

    /// TED 434619-2026, an eForms contract notice by Sykehusinnkjøp: BT-765 `fa-wo-rc` on its lot.
    const CN: &[u8] = include_bytes!("../../../tests/fixtures/awards/notice-eforms-434619-2026.xml");
    /// Doffin 2022-319091, an award notice whose BT-765 element is empty (a comment only).
    const CAN: &[u8] = include_bytes!("../../../tests/fixtures/awards/notice-eforms-can-social-2022-319091.xml");

    #[test]
    fn the_framework_kind_is_read_per_lot_where_the_notice_gives_it() {
        let (_, cn) = collect(CN).expect("the contract notice parses");
        assert_eq!(
            cn.frameworks.get("LOT-0001"),
            Some(&FrameworkKind::WithoutReopening),
            "{:?}",
            cn.frameworks
        );
        // Only the `framework-agreement` list counts, not `dps-usage` beside it.
        assert_eq!(cn.frameworks.len(), 1);
        let rows = super::parse(CAN).expect("the award notice parses");
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|a| a.framework_kind.is_none()));
    }
}

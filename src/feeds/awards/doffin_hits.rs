//! Doffin search hits of the result types as award rows: winners without values.
//!
//! A hit names its winners per lot (`lots[].winner[] {organizationId, name}`) but not what they won:
//! `estimatedValue` is the buyer's estimate, and the awarded amount is only in the notice's eForms
//! XML ([`super::eforms`]), fetched for the few notices that matter (Doffin allows ~30 requests per
//! 10 s). An `ANNOUNCEMENT_OF_INTENT` names the supplier the buyer *intends* to contract.

use serde_json::{Map, Value};

use super::civil_date;
use crate::feeds::ParseError;
use crate::feeds::json::{count, cpv_codes, parse_repaired, text};
use crate::model::{Award, AwardStatus, LinkKeys, NoticeId, Pairing};

/// Parses a search response (`{"hits": [...]}`) or a single hit; hits that are not results
/// (competitions, prior information) are skipped.
///
/// # Errors
/// [`ParseError::Json`] with a position for malformed JSON; [`ParseError::Shape`] when it is
/// neither a response nor a hit.
pub fn parse(body: &[u8]) -> Result<Vec<Award>, ParseError> {
    let root = parse_repaired(body)?;
    let hits: Vec<&Map<String, Value>> = match &root {
        Value::Object(o) if o.contains_key("hits") => o
            .get("hits")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::Shape("\"hits\" is not a list".to_owned()))?
            .iter()
            .filter_map(Value::as_object)
            .collect(),
        Value::Object(o) if o.contains_key("id") => vec![o],
        _ => {
            return Err(ParseError::Shape(
                "expected a Doffin search response with \"hits\", or one hit".to_owned(),
            ));
        }
    };
    Ok(hits.into_iter().flat_map(hit_rows).collect())
}

/// The status a hit's type gives its winners; `None` for types that are not results.
fn status_of(kind: &str) -> Option<AwardStatus> {
    match kind {
        "ANNOUNCEMENT_OF_CONCLUSION_OF_CONTRACT" => Some(AwardStatus::Awarded),
        "ANNOUNCEMENT_OF_INTENT" => Some(AwardStatus::Intent),
        "CANCELLED_OR_MISSING_CONCLUSION_OF_CONTRACT" => Some(AwardStatus::NoAward),
        _ => None,
    }
}

/// Tenders received: Doffin reports 0 when the field was not filled (a winner with no tender is
/// impossible), so 0 counts as unknown; the `tenders` entry of `allReceivedTenders` first.
fn tenders_received(hit: &Map<String, Value>) -> Option<u32> {
    let listed = hit
        .get("allReceivedTenders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|t| text(t.get("type")).as_deref() == Some("tenders"))
        .and_then(|t| t.get("total").and_then(count));
    listed
        .filter(|n| *n > 0)
        .or_else(|| hit.get("receivedTenders").and_then(count).filter(|n| *n > 0))
        .and_then(|n| u32::try_from(n).ok())
}

fn hit_rows(hit: &Map<String, Value>) -> Vec<Award> {
    let (Some(id), Some(status)) = (
        text(hit.get("id")),
        text(hit.get("type")).as_deref().and_then(status_of),
    ) else {
        return Vec::new();
    };
    let buyers: Vec<&Map<String, Value>> = hit
        .get("buyer")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let buyer = buyers
        .iter()
        .filter_map(|b| text(b.get("name")))
        .collect::<Vec<_>>()
        .join("; ");
    let buyer_id = buyers.iter().find_map(|b| text(b.get("organizationId")));
    let title = text(hit.get("heading")).unwrap_or_else(|| format!("Doffin notice {id}"));
    let cpv = cpv_codes(hit.get("cpvCodes"));
    let published = text(hit.get("publicationDate")).and_then(|d| civil_date(&d));
    let tenders = tenders_received(hit);
    let lots: Vec<&Value> = hit
        .get("lots")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let mut rows = Vec::new();
    let mut push = |lot_id: String, seq: u32, winner: Option<&Value>| {
        let name = winner.and_then(|w| text(w.get("name")));
        rows.push(Award {
            notice_id: NoticeId::new("doffin", &id),
            lot_id,
            seq,
            title: title.clone(),
            buyer: buyer.clone(),
            buyer_id: buyer_id.clone(),
            cpv: cpv.clone(),
            winner_org_id: winner.and_then(|w| text(w.get("organizationId"))),
            winner_country: None,
            status: if name.is_none() { AwardStatus::NoAward } else { status },
            winner_name: name,
            value: None,
            currency: None,
            value_kind: None,
            framework_kind: None,
            tenders_received: tenders,
            decision_date: None,
            conclusion_date: None,
            start: None,
            end: None,
            duration_months: None,
            pairing: Pairing::Exact,
            unpaired_winner_ids: Vec::new(),
            keys: LinkKeys::default(),
            published,
            url: format!("https://doffin.no/notices/{id}"),
        });
    };
    // Hit lots carry no id, so they are numbered in order; the notice's XML, when read, replaces
    // these rows (awards are saved per notice).
    for (i, lot) in lots.iter().enumerate() {
        let lot_id = if lots.len() == 1 {
            String::new()
        } else {
            format!("{}", i + 1)
        };
        let winners: Vec<&Value> = lot
            .get("winner")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        if winners.is_empty() {
            push(lot_id.clone(), 0, None);
        }
        for (seq, winner) in (0..).zip(winners) {
            push(lot_id.clone(), seq, Some(winner));
        }
    }
    if lots.is_empty() {
        push(String::new(), 0, None);
    }
    rows
}

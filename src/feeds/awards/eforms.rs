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

use super::xml::{Item, ends_with, walk, within};
use super::{civil_date, months_of, publication_number};
use crate::feeds::ParseError;
use crate::model::text::sanitize;
use crate::model::{Award, AwardStatus, CompetitionKeys, LinkKeys, NoticeId, Pairing, ValueKind};

#[derive(Debug, Default)]
struct Org {
    name: String,
    company_id: Option<String>,
    country: Option<String>,
}

#[derive(Debug, Default)]
struct LotTender {
    id: String,
    amount: Option<f64>,
    currency: Option<String>,
    party: Option<String>,
}

#[derive(Debug, Default)]
struct LotResult {
    lot: String,
    code: String,
    tenders: Vec<String>,
    contracts: Vec<String>,
    received: Option<u32>,
    framework_max: Option<(f64, Option<String>)>,
}

#[derive(Debug, Default)]
struct Planned {
    start: Option<Date>,
    end: Option<Date>,
    months: Option<u32>,
}

/// Everything read from one document, before the joins.
#[derive(Debug, Default)]
struct Collected {
    notice_id: String,
    folder: Option<String>,
    notice_type: String,
    issue_date: Option<Date>,
    publication: Option<String>,
    publication_date: Option<Date>,
    title: String,
    cpv: Vec<String>,
    buyer_org: Option<String>,
    award_date: Option<Date>,
    total: Option<(f64, Option<String>)>,
    orgs: HashMap<String, Org>,
    parties: HashMap<String, Vec<String>>,
    tenders: HashMap<String, LotTender>,
    results: Vec<LotResult>,
    signed: HashMap<String, Option<Date>>,
    planned: HashMap<String, Planned>,
}

/// The part of the document being read, with what it has collected so far.
#[derive(Debug, Default)]
struct Open {
    org: Option<(String, Org)>,
    tender: Option<LotTender>,
    party: Option<(String, Vec<String>)>,
    contract: Option<(String, Option<Date>)>,
    statistic: Option<String>,
    lot: Option<String>,
    currency: Option<String>,
    unit: String,
}

fn amount(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

fn clean(text: &str) -> Option<String> {
    Some(sanitize(text)).filter(|s| !s.is_empty())
}

/// Reads the attributes a value or a duration carries.
fn open_element(path: &[String], attrs: &super::xml::Attrs<'_, '_>, c: &mut Collected, o: &mut Open) {
    let name = path.last().map_or("", String::as_str);
    let in_result = within(path, "NoticeResult");
    match name {
        "Organization" if within(path, "Organizations") => o.org = Some((String::new(), Org::default())),
        "LotTender" if in_result && ends_with(path, &["NoticeResult", "LotTender"]) => {
            o.tender = Some(LotTender::default());
        }
        "TenderingParty" if ends_with(path, &["NoticeResult", "TenderingParty"]) => {
            o.party = Some((String::new(), Vec::new()));
        }
        "SettledContract" if ends_with(path, &["NoticeResult", "SettledContract"]) => {
            o.contract = Some((String::new(), None));
        }
        "LotResult" => c.results.push(LotResult::default()),
        "ProcurementProjectLot" => o.lot = None,
        "PayableAmount" | "TotalAmount" | "MaximumValueAmount" => o.currency = attrs.get("currencyID"),
        "DurationMeasure" => o.unit = attrs.get("unitCode").unwrap_or_default(),
        _ => {}
    }
}

#[allow(clippy::too_many_lines, reason = "one match over the element paths of the format")]
fn close_element(path: &[String], text: &str, c: &mut Collected, o: &mut Open) {
    let name = path.last().map_or("", String::as_str);
    let depth = path.len();
    match name {
        // The notice's own fields, directly under the root.
        "ID" if depth == 2 => c.notice_id = sanitize(text),
        "ContractFolderID" if depth == 2 => c.folder = clean(text),
        "IssueDate" if depth == 2 => c.issue_date = civil_date(text),
        "NoticeTypeCode" if depth == 2 => c.notice_type = sanitize(text),
        "Name" if depth == 3 && ends_with(path, &["ProcurementProject", "Name"]) && c.title.is_empty() => {
            c.title = sanitize(text);
        }
        "ItemClassificationCode" if depth == 4 && within(path, "ProcurementProject") => {
            c.cpv
                .extend(clean(text).filter(|t| t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit())));
        }
        "ID" if ends_with(path, &["ContractingParty", "Party", "PartyIdentification", "ID"]) => {
            if c.buyer_org.is_none() {
                c.buyer_org = clean(text);
            }
        }
        "AwardDate" if ends_with(path, &["TenderResult", "AwardDate"]) => {
            // Doffin's retro-converted notices say 2000-01-01 when the date was not recorded.
            c.award_date = civil_date(text).filter(|d| d.year() > 2000);
        }
        "NoticePublicationID" => c.publication = clean(text),
        "PublicationDate" if within(path, "Publication") => c.publication_date = civil_date(text),
        // Planned periods per lot.
        "ID" if ends_with(path, &["ProcurementProjectLot", "ID"]) => o.lot = clean(text),
        "StartDate" | "EndDate" | "DurationMeasure" if within(path, "PlannedPeriod") => {
            let lot = o.lot.clone().unwrap_or_default();
            let planned = c.planned.entry(lot).or_default();
            match name {
                "StartDate" => planned.start = civil_date(text),
                "EndDate" => planned.end = civil_date(text),
                _ => planned.months = amount(text).and_then(|v| months_of(v, &o.unit)),
            }
        }
        // Organisations.
        "ID" if ends_with(path, &["Company", "PartyIdentification", "ID"]) => {
            if let Some((id, _)) = o.org.as_mut() {
                *id = sanitize(text);
            }
        }
        "Name" if ends_with(path, &["Company", "PartyName", "Name"]) => {
            if let Some((_, org)) = o.org.as_mut() {
                org.name = sanitize(text);
            }
        }
        "CompanyID" if ends_with(path, &["Company", "PartyLegalEntity", "CompanyID"]) => {
            if let Some((_, org)) = o.org.as_mut() {
                org.company_id = clean(text);
            }
        }
        "IdentificationCode" if ends_with(path, &["Company", "PostalAddress", "Country", "IdentificationCode"]) => {
            if let Some((_, org)) = o.org.as_mut() {
                org.country = clean(text);
            }
        }
        "Organization" => {
            if let Some((id, org)) = o.org.take() {
                c.orgs.insert(id, org);
            }
        }
        // The result parts.
        "TotalAmount" if ends_with(path, &["NoticeResult", "TotalAmount"]) => {
            c.total = amount(text).map(|v| (v, o.currency.take()));
        }
        "ID" if ends_with(path, &["NoticeResult", "LotTender", "ID"]) => {
            if let Some(t) = o.tender.as_mut() {
                t.id = sanitize(text);
            }
        }
        "PayableAmount" if ends_with(path, &["LotTender", "LegalMonetaryTotal", "PayableAmount"]) => {
            if let Some(t) = o.tender.as_mut() {
                t.amount = amount(text);
                t.currency = o.currency.take();
            }
        }
        "ID" if ends_with(path, &["LotTender", "TenderingParty", "ID"]) => {
            if let Some(t) = o.tender.as_mut() {
                t.party = clean(text);
            }
        }
        "LotTender" if ends_with(path, &["NoticeResult", "LotTender"]) => {
            if let Some(t) = o.tender.take() {
                c.tenders.insert(t.id.clone(), t);
            }
        }
        "ID" if ends_with(path, &["NoticeResult", "TenderingParty", "ID"]) => {
            if let Some((id, _)) = o.party.as_mut() {
                *id = sanitize(text);
            }
        }
        "ID" if ends_with(path, &["TenderingParty", "Tenderer", "ID"]) => {
            if let Some((_, orgs)) = o.party.as_mut() {
                orgs.extend(clean(text));
            }
        }
        "TenderingParty" if ends_with(path, &["NoticeResult", "TenderingParty"]) => {
            if let Some((id, orgs)) = o.party.take() {
                c.parties.insert(id, orgs);
            }
        }
        "ID" if ends_with(path, &["NoticeResult", "SettledContract", "ID"]) => {
            if let Some((id, _)) = o.contract.as_mut() {
                *id = sanitize(text);
            }
        }
        "IssueDate" if ends_with(path, &["NoticeResult", "SettledContract", "IssueDate"]) => {
            if let Some((_, date)) = o.contract.as_mut() {
                *date = civil_date(text);
            }
        }
        "SettledContract" if ends_with(path, &["NoticeResult", "SettledContract"]) => {
            if let Some((id, date)) = o.contract.take() {
                c.signed.insert(id, date);
            }
        }
        _ => close_lot_result(path, name, text, c, o),
    }
}

/// The references and figures inside a `LotResult`.
fn close_lot_result(path: &[String], name: &str, text: &str, c: &mut Collected, o: &mut Open) {
    if !within(path, "LotResult") {
        return;
    }
    let Some(result) = c.results.last_mut() else { return };
    match name {
        "TenderResultCode" => result.code = sanitize(text),
        "ID" if ends_with(path, &["LotResult", "LotTender", "ID"]) => result.tenders.extend(clean(text)),
        "ID" if ends_with(path, &["LotResult", "SettledContract", "ID"]) => result.contracts.extend(clean(text)),
        "ID" if ends_with(path, &["LotResult", "TenderLot", "ID"]) => result.lot = sanitize(text),
        "StatisticsCode" => o.statistic = clean(text),
        "StatisticsNumeric" if o.statistic.take().as_deref() == Some("tenders") => {
            result.received = text.trim().parse().ok();
        }
        "MaximumValueAmount" if within(path, "FrameworkAgreementValues") => {
            result.framework_max = amount(text).map(|v| (v, o.currency.take()));
        }
        _ => {}
    }
}

/// Competition roots: notices whose procedure identifier and planned duration awards link to.
const COMPETITION_ROOTS: [&str; 2] = ["ContractNotice", "PriorInformationNotice"];

/// One pass over the document: its root element and what was collected.
fn collect(body: &[u8]) -> Result<(String, Collected), ParseError> {
    let mut c = Collected::default();
    let mut o = Open::default();
    let mut root = String::new();
    walk(body, |path, item| match item {
        Item::Open(attrs) => {
            if path.len() == 1 {
                root.clone_from(&path[0]);
            }
            open_element(path, &attrs, &mut c, &mut o);
        }
        Item::Close(text) => close_element(path, text, &mut c, &mut o),
    })?;
    if root != "ContractAwardNotice" && !COMPETITION_ROOTS.contains(&root.as_str()) {
        return Err(ParseError::Shape(format!(
            "expected an eForms ContractAwardNotice or ContractNotice, got <{}>",
            sanitize(&root)
        )));
    }
    if c.notice_id.is_empty() {
        return Err(ParseError::Shape(format!("{} without cbc:ID", sanitize(&root))));
    }
    Ok((root, c))
}

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
        .map(|p| p.trim_start_matches('0').to_owned())
        .unwrap_or_else(|| c.notice_id.clone());
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

//! The one pass over an eForms document: organisations, tendering parties, lot tenders, lot
//! results, settled contracts and planned periods, each kept by its id for the joins in
//! `eforms::rows`.

use std::collections::HashMap;

use jiff::civil::Date;

use crate::feeds::ParseError;
use crate::feeds::awards::xml::{Attrs, Item, ends_with, walk, within};
use crate::feeds::awards::{civil_date, months_of};
use crate::model::FrameworkKind;
use crate::model::text::sanitize;

#[derive(Debug, Default)]
pub(super) struct Org {
    pub(super) name: String,
    pub(super) company_id: Option<String>,
    pub(super) country: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct LotTender {
    pub(super) id: String,
    pub(super) amount: Option<f64>,
    pub(super) currency: Option<String>,
    pub(super) party: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct LotResult {
    pub(super) lot: String,
    pub(super) code: String,
    pub(super) tenders: Vec<String>,
    pub(super) contracts: Vec<String>,
    pub(super) received: Option<u32>,
    pub(super) framework_max: Option<(f64, Option<String>)>,
}

#[derive(Debug, Default)]
pub(super) struct Planned {
    pub(super) start: Option<Date>,
    pub(super) end: Option<Date>,
    pub(super) months: Option<u32>,
}

/// Everything read from one document, before the joins.
#[derive(Debug, Default)]
pub(super) struct Collected {
    pub(super) notice_id: String,
    pub(super) folder: Option<String>,
    pub(super) notice_type: String,
    pub(super) issue_date: Option<Date>,
    pub(super) publication: Option<String>,
    pub(super) publication_date: Option<Date>,
    pub(super) title: String,
    pub(super) cpv: Vec<String>,
    pub(super) buyer_org: Option<String>,
    pub(super) award_date: Option<Date>,
    pub(super) total: Option<(f64, Option<String>)>,
    pub(super) orgs: HashMap<String, Org>,
    pub(super) parties: HashMap<String, Vec<String>>,
    pub(super) tenders: HashMap<String, LotTender>,
    pub(super) results: Vec<LotResult>,
    pub(super) signed: HashMap<String, Option<Date>>,
    pub(super) planned: HashMap<String, Planned>,
    /// BT-765 by lot id (`ContractingSystemTypeCode listName="framework-agreement"`).
    pub(super) frameworks: HashMap<String, FrameworkKind>,
}

/// The part of the document being read, with what it has collected so far.
#[derive(Debug, Default)]
pub(super) struct Open {
    pub(super) org: Option<(String, Org)>,
    pub(super) tender: Option<LotTender>,
    pub(super) party: Option<(String, Vec<String>)>,
    pub(super) contract: Option<(String, Option<Date>)>,
    pub(super) statistic: Option<String>,
    pub(super) lot: Option<String>,
    pub(super) currency: Option<String>,
    pub(super) unit: String,
    /// The `ContractingSystemTypeCode` being read is BT-765's (its `listName` said so).
    pub(super) framework_code: bool,
}

fn amount(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

fn clean(text: &str) -> Option<String> {
    Some(sanitize(text)).filter(|s| !s.is_empty())
}

/// Reads the attributes a value or a duration carries.
fn open_element(path: &[String], attrs: &Attrs<'_, '_>, c: &mut Collected, o: &mut Open) {
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
        "ContractingSystemTypeCode" => {
            o.framework_code = attrs.get("listName").as_deref() == Some("framework-agreement");
        }
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
        "ContractingSystemTypeCode"
            if std::mem::take(&mut o.framework_code) && within(path, "ProcurementProjectLot") =>
        {
            if let Some(kind) = FrameworkKind::parse(text) {
                c.frameworks.insert(o.lot.clone().unwrap_or_default(), kind);
            }
        }
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
pub(super) const COMPETITION_ROOTS: [&str; 2] = ["ContractNotice", "PriorInformationNotice"];

/// One pass over the document: its root element and what was collected.
pub(super) fn collect(body: &[u8]) -> Result<(String, Collected), ParseError> {
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

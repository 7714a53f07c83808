//! Legacy TED XML (`TED_EXPORT`, schema R2.0.9): contract award notices (F03, F06), voluntary
//! ex-ante transparency notices (F15) and, for linking, the competition notices they refer to.
//!
//! TED's search API has no winners before 2024 (shared/reference/awards.md §2), so older awards
//! exist only in this per-notice XML: `AWARD_CONTRACT/AWARDED_CONTRACT/CONTRACTORS/CONTRACTOR`,
//! `VALUES/VAL_TOTAL`, `DATE_CONCLUSION_CONTRACT`; `NO_AWARDED_CONTRACT` when nothing was awarded;
//! `REF_NOTICE/NO_DOC_OJS` names the competition notice.

use jiff::civil::Date;

use super::xml::{Item, ends_with, walk, within};
use super::{civil_date, months_of, publication_number};
use crate::feeds::ParseError;
use crate::model::text::sanitize;
use crate::model::{Award, AwardStatus, LinkKeys, Notice, NoticeId, Pairing, ValueKind};

/// One legacy notice: the facts shared by its awards, and the awards themselves.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LegacyNotice {
    /// Publication number (`335380-2021`), from `DOC_ID` or `NO_DOC_OJS`.
    pub publication_number: String,
    /// `TD_DOCUMENT_TYPE` code: `7` award notice, `V` VEAT, `3` competition notice, …
    pub document_type: String,
    /// Form name (`F03`, `F15`, …).
    pub form: String,
    /// The competition notice this one refers to, as a publication number.
    pub ref_notice: Option<String>,
    /// Title (`OBJECT_CONTRACT/TITLE`).
    pub title: String,
    /// Buyer name.
    pub buyer: String,
    /// Buyer organisation number.
    pub buyer_id: Option<String>,
    /// Buyer country (ISO alpha-2).
    pub country: Option<String>,
    /// Main CPV code(s).
    pub cpv: Vec<String>,
    /// Publication date (`REF_OJS/DATE_PUB`).
    pub published: Option<Date>,
    /// The procedure is a framework agreement (`PROCEDURE/FRAMEWORK`): values are ceilings.
    pub framework: bool,
    /// Planned contract duration in months (`OBJECT_DESCR/DURATION`), the first one given.
    pub duration_months: Option<u32>,
    /// Planned start and end (`OBJECT_DESCR/DATE_START`, `DATE_END`).
    pub planned: (Option<Date>, Option<Date>),
    /// Deadline for tenders (`DATE_RECEIPT_TENDERS` + `TIME_RECEIPT_TENDERS`, a competition
    /// notice's), taken as UTC: the form gives no zone.
    pub deadline: Option<jiff::Timestamp>,
    /// The `AWARD_CONTRACT` sections in document order.
    pub contracts: Vec<LegacyContract>,
    /// Public page.
    pub url: String,
}

/// One `AWARD_CONTRACT` section.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LegacyContract {
    /// `LOT_NO`, else `item-{ITEM}`.
    pub lot_id: String,
    /// `NO_AWARDED_CONTRACT` was given.
    pub not_awarded: bool,
    /// `DATE_CONCLUSION_CONTRACT`.
    pub conclusion: Option<Date>,
    /// `NB_TENDERS_RECEIVED`.
    pub tenders: Option<u32>,
    /// Contractors, in order.
    pub contractors: Vec<Contractor>,
    /// `VAL_TOTAL` (value, currency).
    pub total: Option<(f64, Option<String>)>,
    /// `VAL_ESTIMATED_TOTAL` (value, currency).
    pub estimated: Option<(f64, Option<String>)>,
}

/// One `CONTRACTOR`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contractor {
    /// `OFFICIALNAME`.
    pub name: String,
    /// `NATIONALID` (organisation or VAT number).
    pub national_id: Option<String>,
    /// `COUNTRY` (ISO alpha-2).
    pub country: Option<String>,
}

/// Parses a legacy notice.
///
/// # Errors
/// [`ParseError::Xml`] for malformed XML, [`ParseError::Shape`] when the root is not `TED_EXPORT`.
pub fn parse(body: &[u8]) -> Result<LegacyNotice, ParseError> {
    let mut doc = LegacyNotice::default();
    let mut root: Option<String> = None;
    let mut current: Option<LegacyContract> = None;
    let mut contractor: Option<Contractor> = None;
    let mut currency: Option<String> = None;
    let mut duration_unit = String::new();
    let (mut receipt_date, mut receipt_time) = (None::<String>, None::<String>);
    walk(body, |path, item| match item {
        Item::Open(attrs) => {
            let name = path.last().map_or("", String::as_str);
            if path.len() == 1 {
                root = Some(name.to_owned());
                doc.publication_number = attrs.get("DOC_ID").unwrap_or_default();
            }
            match name {
                "AWARD_CONTRACT" => {
                    let item = attrs
                        .get("ITEM")
                        .unwrap_or_else(|| (doc.contracts.len() + 1).to_string());
                    current = Some(LegacyContract {
                        lot_id: format!("item-{item}"),
                        ..LegacyContract::default()
                    });
                }
                "NO_AWARDED_CONTRACT" => {
                    if let Some(c) = current.as_mut() {
                        c.not_awarded = true;
                    }
                }
                "CONTRACTOR" => contractor = Some(Contractor::default()),
                "COUNTRY" if within(path, "ADDRESS_CONTRACTOR") => {
                    if let Some(c) = contractor.as_mut() {
                        c.country = attrs.get("VALUE");
                    }
                }
                "COUNTRY" if within(path, "ADDRESS_CONTRACTING_BODY") => doc.country = attrs.get("VALUE"),
                "TD_DOCUMENT_TYPE" => doc.document_type = attrs.get("CODE").unwrap_or_default(),
                "CPV_CODE" if ends_with(path, &["CPV_MAIN", "CPV_CODE"]) => {
                    doc.cpv.extend(attrs.get("CODE").filter(|c| c.len() == 8));
                }
                "FRAMEWORK" if within(path, "PROCEDURE") => doc.framework = true,
                "VAL_TOTAL" | "VAL_ESTIMATED_TOTAL" => currency = attrs.get("CURRENCY"),
                "DURATION" => duration_unit = attrs.get("TYPE").unwrap_or_default(),
                n if n.starts_with('F') && n.len() >= 3 && path.len() == 3 && within(path, "FORM_SECTION") => {
                    doc.form = attrs.get("FORM").unwrap_or_else(|| n.to_owned());
                }
                _ => {}
            }
        }
        Item::Close(text) => {
            let name = path.last().map_or("", String::as_str);
            match name {
                "NO_DOC_OJS" if ends_with(path, &["REF_NOTICE", "NO_DOC_OJS"]) => {
                    doc.ref_notice = publication_number(text);
                }
                "NO_DOC_OJS"
                    if ends_with(path, &["NOTICE_DATA", "NO_DOC_OJS"]) && doc.publication_number.is_empty() =>
                {
                    doc.publication_number = publication_number(text).unwrap_or_default();
                }
                "DATE_PUB" if within(path, "REF_OJS") => doc.published = civil_date(text),
                "P" if ends_with(path, &["OBJECT_CONTRACT", "TITLE", "P"]) && doc.title.is_empty() => {
                    doc.title = sanitize(text);
                }
                "OFFICIALNAME" if within(path, "ADDRESS_CONTRACTING_BODY") && doc.buyer.is_empty() => {
                    doc.buyer = sanitize(text);
                }
                "NATIONALID" if within(path, "ADDRESS_CONTRACTING_BODY") && doc.buyer_id.is_none() => {
                    doc.buyer_id = Some(sanitize(text)).filter(|s| !s.is_empty());
                }
                "OFFICIALNAME" if within(path, "ADDRESS_CONTRACTOR") => {
                    if let Some(c) = contractor.as_mut() {
                        c.name = sanitize(text);
                    }
                }
                "NATIONALID" if within(path, "ADDRESS_CONTRACTOR") => {
                    if let Some(c) = contractor.as_mut() {
                        c.national_id = Some(sanitize(text)).filter(|s| !s.is_empty());
                    }
                }
                "CONTRACTOR" => {
                    if let (Some(c), Some(contract)) = (contractor.take(), current.as_mut())
                        && !c.name.is_empty()
                    {
                        contract.contractors.push(c);
                    }
                }
                "LOT_NO" if within(path, "AWARD_CONTRACT") => {
                    if let Some(c) = current.as_mut().filter(|_| !text.is_empty()) {
                        c.lot_id = sanitize(text);
                    }
                }
                "DATE_CONCLUSION_CONTRACT" => {
                    if let Some(c) = current.as_mut() {
                        c.conclusion = civil_date(text);
                    }
                }
                "NB_TENDERS_RECEIVED" => {
                    if let Some(c) = current.as_mut() {
                        c.tenders = text.trim().parse().ok();
                    }
                }
                "VAL_TOTAL" | "VAL_ESTIMATED_TOTAL" if within(path, "AWARDED_CONTRACT") => {
                    let value = text
                        .replace(' ', "")
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite() && *v >= 0.0);
                    if let (Some(c), Some(v)) = (current.as_mut(), value) {
                        let slot = if name == "VAL_TOTAL" {
                            &mut c.total
                        } else {
                            &mut c.estimated
                        };
                        *slot = Some((v, currency.take()));
                    }
                }
                "DURATION" if within(path, "OBJECT_DESCR") && doc.duration_months.is_none() => {
                    doc.duration_months = text.trim().parse().ok().and_then(|v| months_of(v, &duration_unit));
                }
                "DATE_START" if within(path, "OBJECT_DESCR") && doc.planned.0.is_none() => {
                    doc.planned.0 = civil_date(text);
                }
                "DATE_END" if within(path, "OBJECT_DESCR") && doc.planned.1.is_none() => {
                    doc.planned.1 = civil_date(text);
                }
                "DATE_RECEIPT_TENDERS" => receipt_date = Some(text.to_owned()),
                "TIME_RECEIPT_TENDERS" => receipt_time = Some(text.to_owned()),
                "AWARD_CONTRACT" => doc.contracts.extend(current.take()),
                _ => {}
            }
        }
    })?;
    match root.as_deref() {
        Some("TED_EXPORT") => {}
        other => {
            return Err(ParseError::Shape(format!(
                "expected a TED_EXPORT document, got <{}>",
                sanitize(other.unwrap_or(""))
            )));
        }
    }
    if doc.publication_number.is_empty() {
        return Err(ParseError::Shape(
            "TED_EXPORT without DOC_ID or NO_DOC_OJS: cannot tell which notice it is".to_owned(),
        ));
    }
    doc.deadline = receipt_date.and_then(|d| crate::feeds::dates::combine(&d, receipt_time.as_deref()));
    doc.url = format!("https://ted.europa.eu/en/notice/-/detail/{}", doc.publication_number);
    Ok(doc)
}

impl LegacyNotice {
    /// Whether this is a voluntary ex-ante transparency notice: its "winner" is an intended one.
    pub fn is_veat(&self) -> bool {
        self.document_type == "V" || self.form.starts_with("F15")
    }

    /// The notice id (`ted:335380-2021`).
    pub fn id(&self) -> NoticeId {
        NoticeId::new("ted", &self.publication_number)
    }

    /// One row per contract × contractor; a contract without one (`NO_AWARDED_CONTRACT`, a
    /// discontinued procedure) is one `no_award` row.
    pub fn awards(&self) -> Vec<Award> {
        let mut rows = Vec::new();
        // Several AWARD_CONTRACT sections can name one LOT_NO (a framework's contracts, one per
        // supplier): positions continue across them so every row keeps its own key.
        let mut next_seq: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        for contract in &self.contracts {
            let (value, currency, value_kind) = match (&contract.total, &contract.estimated) {
                (Some((v, c)), _) if self.framework => (Some(*v), c.clone(), Some(ValueKind::FrameworkMax)),
                (Some((v, c)), _) => (Some(*v), c.clone(), Some(ValueKind::Award)),
                (None, Some((v, c))) => (Some(*v), c.clone(), Some(ValueKind::Estimate)),
                (None, None) => (None, None, None),
            };
            let status = if contract.not_awarded || contract.contractors.is_empty() {
                AwardStatus::NoAward
            } else if self.is_veat() {
                AwardStatus::Intent
            } else {
                AwardStatus::Awarded
            };
            let winners: Vec<Option<&Contractor>> = if contract.contractors.is_empty() {
                vec![None]
            } else {
                contract.contractors.iter().map(Some).collect()
            };
            let base = next_seq.get(contract.lot_id.as_str()).copied().unwrap_or(0);
            let count = u32::try_from(winners.len()).unwrap_or(u32::MAX);
            next_seq.insert(contract.lot_id.as_str(), base.saturating_add(count));
            for (i, winner) in (0..).zip(winners) {
                let seq: u32 = base.saturating_add(i);
                rows.push(Award {
                    notice_id: self.id(),
                    lot_id: contract.lot_id.clone(),
                    seq,
                    title: self.title.clone(),
                    buyer: self.buyer.clone(),
                    buyer_id: self.buyer_id.clone(),
                    cpv: self.cpv.clone(),
                    winner_name: winner.map(|w| w.name.clone()),
                    winner_org_id: winner.and_then(|w| w.national_id.clone()),
                    winner_country: winner.and_then(|w| w.country.clone()),
                    // A value is the contract's, shared by a group of contractors: kept on its first.
                    value: value.filter(|_| i == 0),
                    currency: currency.clone().filter(|_| i == 0),
                    value_kind: value_kind.filter(|_| i == 0),
                    // R2.0.9 marks a framework (`PROCEDURE/FRAMEWORK`) but has no BT-765 kind.
                    framework_kind: None,
                    tenders_received: contract.tenders,
                    decision_date: None,
                    conclusion_date: contract.conclusion,
                    start: self.planned.0,
                    end: self.planned.1,
                    duration_months: self.duration_months,
                    status,
                    pairing: Pairing::Exact,
                    unpaired_winner_ids: Vec::new(),
                    keys: LinkKeys {
                        ref_notice: self.ref_notice.clone(),
                        ..LinkKeys::default()
                    },
                    published: self.published,
                    url: self.url.clone(),
                });
            }
        }
        rows
    }

    /// The notice as a competition [`Notice`] (title, buyer, CPV, publication date), for linking
    /// awards to it when it was not fetched through the search API.
    pub fn to_notice(&self) -> Notice {
        let mut notice = Notice::blank("ted", &self.publication_number, &self.title);
        notice.buyer.clone_from(&self.buyer);
        notice.buyer_id = self.buyer_id.as_deref().map(Into::into);
        notice.country = self.country.as_deref().map(Into::into);
        notice.cpv = self.cpv.iter().collect();
        notice.published = self
            .published
            .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
            .map(|z| z.timestamp());
        notice.deadline = self.deadline;
        notice.notice_type = Some(format!("legacy-{}", self.document_type).into());
        notice.url.clone_from(&self.url);
        notice
    }
}

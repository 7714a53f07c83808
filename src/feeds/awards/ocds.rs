//! OCDS `awards[]` (Contracts Finder, Find a Tender, any OCDS publisher) as award rows.
//!
//! A contracting process (`ocid`) is published as a series of releases (`award`, then
//! `awardUpdate`, …), and one page can hold the same ocid several times: only the latest release
//! per ocid and award id counts (by `date`, then by position). The award's own `value` is kept,
//! never the tender's (they differ: Siemens £104,769 awarded vs £104,796 tendered), and
//! `contractPeriod.endDate` is an explicit end. Rows are keyed `{source}:{ocid}` × award id ×
//! supplier, so a later release replaces the earlier one's rows.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::civil_date;
use crate::feeds::ParseError;
use crate::feeds::json::{cpv_codes, number, parse_repaired, text};
use crate::model::{Award, AwardStatus, CompetitionKeys, LinkKeys, NoticeId, Pairing, ValueKind};

type Object = Map<String, Value>;

/// The notice-id source kind for an ocid: its registered prefix names the publisher (`ocds-b5fd17`
/// Contracts Finder → `cf`, `ocds-h6vhtk` Find a Tender → `fts`), else `ocds`; the same kinds the
/// OCDS feeds in the default config use.
pub fn source_kind(ocid: &str) -> &'static str {
    if ocid.starts_with("ocds-b5fd17") {
        "cf"
    } else if ocid.starts_with("ocds-h6vhtk") {
        "fts"
    } else {
        "ocds"
    }
}

/// Parses a release package (or any object with `releases`) into award rows.
///
/// # Errors
/// [`ParseError::Json`] with a position for malformed JSON; [`ParseError::Shape`] when there is no
/// `releases` list.
pub fn parse(body: &[u8]) -> Result<Vec<Award>, ParseError> {
    Ok(rows_of(&releases_of(&parse_repaired(body)?)?))
}

/// The award rows and the competition keys of a package, from one parse of it (the live poll
/// reads both from every page).
///
/// # Errors
/// As [`parse`].
pub fn parse_with_keys(body: &[u8]) -> Result<(Vec<Award>, Vec<CompetitionKeys>), ParseError> {
    let root = parse_repaired(body)?;
    let releases = releases_of(&root)?;
    Ok((rows_of(&releases), keys_of(&releases)))
}

/// The package's releases, or a shape error without a list.
fn releases_of(root: &Value) -> Result<Vec<&Object>, ParseError> {
    Ok(root
        .get("releases")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::Shape("an OCDS package needs a \"releases\" list".to_owned()))?
        .iter()
        .filter_map(Value::as_object)
        .collect())
}

/// The award rows of `releases`: the latest release per ocid and award.
fn rows_of(releases: &[&Object]) -> Vec<Award> {
    // The latest release per (ocid, award id), with the award's position in it: one pass, a map.
    let mut latest: HashMap<(String, String), (String, usize, usize)> = HashMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    for (index, release) in releases.iter().enumerate() {
        let Some(ocid) = text(release.get("ocid")) else {
            continue;
        };
        let date = text(release.get("date")).unwrap_or_default();
        for (position, award) in objects(release.get("awards")).enumerate() {
            let key = (ocid.clone(), text(award.get("id")).unwrap_or_default());
            match latest.get_mut(&key) {
                // RFC 3339 text with one offset per publisher: text order is time order; a tie
                // goes to the later position.
                Some(seen) if seen.0 > date => {}
                Some(seen) => *seen = (date.clone(), index, position),
                None => {
                    order.push(key.clone());
                    latest.insert(key, (date.clone(), index, position));
                }
            }
        }
    }
    let mut rows = Vec::new();
    let mut countries: Option<(usize, HashMap<String, String>)> = None;
    for key in order {
        let Some((_, index, position)) = latest.get(&key) else {
            continue;
        };
        let Some(release) = releases.get(*index) else { continue };
        let Some(award) = objects(release.get("awards")).nth(*position) else {
            continue;
        };
        // Party countries by id, built once per release (a release can list thousands of parties).
        if countries.as_ref().is_none_or(|(i, _)| i != index) {
            countries = Some((*index, party_countries(release)));
        }
        let by_party = countries.as_ref().map(|(_, map)| map);
        rows.extend(award_rows(&key.0, release, award, by_party));
    }
    rows
}

/// What the tender releases of a package give awards to link to: the ocid, and the planned
/// contract length from `tender.contractPeriod`. Keyed by the notice id the OCDS feed stores a
/// release under (`{source}:{release id}`); releases without a `tender` tag are skipped.
///
/// # Errors
/// As [`parse`].
pub fn competition_keys(body: &[u8]) -> Result<Vec<CompetitionKeys>, ParseError> {
    Ok(keys_of(&releases_of(&parse_repaired(body)?)?))
}

/// The competition keys of the tender releases among `releases`.
fn keys_of(releases: &[&Object]) -> Vec<CompetitionKeys> {
    releases
        .iter()
        .filter(|r| {
            r.get("tag")
                .and_then(Value::as_array)
                .is_some_and(|tags| tags.iter().any(|t| t.as_str() == Some("tender")))
        })
        .filter_map(|r| {
            let ocid = text(r.get("ocid"))?;
            let id = text(r.get("id"))?;
            let period = r.get("tender").and_then(|t| t.get("contractPeriod"));
            let date = |k: &str| period.and_then(|p| text(p.get(k))).and_then(|d| civil_date(&d));
            let months = match (date("startDate"), date("endDate")) {
                (Some(start), Some(end)) => super::eforms::months_between(start, end),
                _ => None,
            };
            Some(CompetitionKeys {
                notice_id: NoticeId::new(source_kind(&ocid), &id),
                procedure_id: None,
                ocid: Some(ocid),
                duration_months: months,
            })
        })
        .collect()
}

fn objects(v: Option<&Value>) -> impl Iterator<Item = &Object> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn status_of(award: &Object) -> AwardStatus {
    match text(award.get("status")).as_deref() {
        Some("pending") => AwardStatus::Intent,
        Some("unsuccessful" | "cancelled") => AwardStatus::NoAward,
        _ => AwardStatus::Awarded,
    }
}

/// Each party's country (from its address), by party id.
fn party_countries(release: &Object) -> HashMap<String, String> {
    objects(release.get("parties"))
        .filter_map(|p| {
            let address = p.get("address")?;
            let country = text(address.get("countryName")).or_else(|| text(address.get("country")))?;
            Some((text(p.get("id"))?, country))
        })
        .collect()
}

fn award_rows(ocid: &str, release: &Object, award: &Object, countries: Option<&HashMap<String, String>>) -> Vec<Award> {
    let empty = Object::new();
    let tender = release.get("tender").and_then(Value::as_object).unwrap_or(&empty);
    let buyer = release.get("buyer").and_then(Value::as_object);
    let mut cpv = cpv_codes(tender.get("classification").and_then(|c| c.get("id")));
    for item in objects(tender.get("items")) {
        cpv.extend(cpv_codes(item.get("classification").and_then(|c| c.get("id"))));
    }
    cpv.dedup();
    let value = award.get("value");
    let amount = value.and_then(|v| v.get("amount")).and_then(number);
    let period = award.get("contractPeriod");
    let signed = objects(release.get("contracts"))
        .filter(|c| text(c.get("awardID")) == text(award.get("id")))
        .find_map(|c| text(c.get("dateSigned")))
        .and_then(|d| civil_date(&d));
    let suppliers: Vec<&Object> = objects(award.get("suppliers")).collect();
    let status = status_of(award);
    let winners: Vec<Option<&Object>> = if suppliers.is_empty() {
        vec![None]
    } else {
        suppliers.into_iter().map(Some).collect()
    };
    let source = source_kind(ocid);
    let url = objects(award.get("documents"))
        .chain(objects(tender.get("documents")))
        .find_map(|d| text(d.get("url")))
        .unwrap_or_default();
    (0..)
        .zip(winners)
        .map(|(seq, supplier)| {
            let name = supplier.and_then(|s| text(s.get("name")));
            let org_id = supplier.and_then(|s| text(s.get("id")));
            Award {
                notice_id: NoticeId::new(source, ocid),
                lot_id: text(award.get("id")).unwrap_or_default(),
                seq,
                title: text(tender.get("title"))
                    .or_else(|| text(award.get("title")))
                    .unwrap_or_else(|| format!("OCDS process {ocid}")),
                buyer: buyer.and_then(|b| text(b.get("name"))).unwrap_or_default(),
                buyer_id: buyer.and_then(|b| text(b.get("id"))),
                cpv: cpv.clone(),
                winner_country: org_id.as_ref().and_then(|id| countries?.get(id).cloned()),
                winner_org_id: org_id,
                status: if name.is_none() { AwardStatus::NoAward } else { status },
                winner_name: name,
                // Several suppliers share one award's value: it stays on the first row.
                value: amount.filter(|_| seq == 0),
                currency: value
                    .and_then(|v| text(v.get("currency")))
                    .filter(|_| seq == 0 && amount.is_some()),
                value_kind: amount.filter(|_| seq == 0).map(|_| ValueKind::Award),
                // OCDS gives no BT-765 code (only `techniques.hasFrameworkAgreement`, not read).
                framework_kind: None,
                tenders_received: tender
                    .get("numberOfTenderers")
                    .and_then(number)
                    .filter(|n| *n >= 1.0 && *n < f64::from(u32::MAX))
                    .map(|n| {
                        // Checked above to be a count within u32.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let n = n as u32;
                        n
                    }),
                decision_date: text(award.get("date")).and_then(|d| civil_date(&d)),
                conclusion_date: signed,
                start: period
                    .and_then(|p| text(p.get("startDate")))
                    .and_then(|d| civil_date(&d)),
                end: period.and_then(|p| text(p.get("endDate"))).and_then(|d| civil_date(&d)),
                duration_months: None,
                pairing: Pairing::Exact,
                unpaired_winner_ids: Vec::new(),
                keys: LinkKeys {
                    ocid: Some(ocid.to_owned()),
                    ..LinkKeys::default()
                },
                published: text(award.get("datePublished"))
                    .or_else(|| text(release.get("date")))
                    .and_then(|d| civil_date(&d)),
                url: url.clone(),
            }
        })
        .collect()
}

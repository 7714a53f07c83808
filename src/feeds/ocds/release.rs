//! One OCDS release turned into a [`Notice`], leniently: every field may be missing or of another
//! type, and a release without an id is the only one skipped. Pure.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::OcdsSettings;
use crate::feeds::dates::parse_instant;
use crate::feeds::distinct::distinct;
use crate::feeds::json::{number, push_cpv_codes, text, text_ref};
use crate::feeds::nuts::nuts_codes;
use crate::feeds::query::encode;
use crate::model::{Notice, NoticeId};

type Object = Map<String, Value>;

/// Decodes one release; `None` when it has neither an `id` nor an `ocid`.
pub(super) fn decode(settings: &OcdsSettings, release: &Object) -> Option<Notice> {
    let ocid = text(release.get("ocid"));
    // The release id is the notice (FTS `051000-2026`); a later notice about the same procedure
    // shares the ocid but is a notice of its own.
    let native_id = text(release.get("id")).or_else(|| ocid.clone())?;
    let empty = Object::new();
    let tender = object(release.get("tender")).unwrap_or(&empty);
    let lots = objects(tender.get("lots"));
    let heading = text(tender.get("title")).or_else(|| lots.iter().find_map(|lot| text(lot.get("title"))));
    let language = text(release.get("language")).map_or_else(|| "und".to_owned(), |l| l.to_lowercase());
    let (value, currency) = value_and_currency(tender, &lots);
    // Read once: a release can list many parties.
    let buyers = buyer_parties(release);
    let kind = settings.source.as_str();
    Some(Notice {
        id: NoticeId::new(kind, &native_id),
        source: kind.to_owned(),
        // A list row must never be blank: an untitled notice still shows which notice it is.
        title: heading
            .clone()
            .unwrap_or_else(|| format!("{} notice {native_id}", kind.to_uppercase())),
        titles: heading
            .map(|h| BTreeMap::from([(language, h)]))
            .unwrap_or_default()
            .into(),
        description: text(tender.get("description"))
            .or_else(|| text(release.get("description")))
            .unwrap_or_default(),
        buyer: buyer_name(release, &buyers),
        country: buyer_country(&buyers).map(Into::into),
        cpv: cpv_codes(tender).into(),
        // The tender's own publication date (a Contracts Finder extension) survives amendments;
        // the release date is when this release was made.
        published: [tender.get("datePublished"), release.get("date")]
            .into_iter()
            .find_map(|v| text(v).and_then(|s| parse_instant(&s))),
        // A bare date (`2026-06-19`) counts from the start of that day, so a countdown never runs long.
        deadline: object(tender.get("tenderPeriod"))
            .and_then(|p| text(p.get("endDate")))
            .and_then(|s| parse_instant(&s)),
        value,
        currency: currency.map(Into::into),
        // The last day to ask the buyer questions (clarifications), when the publisher gives it.
        questions_deadline: object(tender.get("enquiryPeriod"))
            .and_then(|p| text(p.get("endDate")))
            .and_then(|s| parse_instant(&s)),
        buyer_id: buyer_id(release, &buyers).map(Into::into),
        nuts: nuts_codes(
            objects(tender.get("items"))
                .into_iter()
                .flat_map(|item| objects(item.get("deliveryAddresses")))
                .filter_map(|address| address.get("region").and_then(Value::as_str)),
        ),
        notice_type: match release.get("tag") {
            Some(Value::Array(tags)) => tags.iter().find_map(|t| text(Some(t))),
            other => text(other),
        }
        .map(Into::into),
        url: notice_url(settings, &native_id, ocid.as_deref(), release, tender),
        native_id,
    })
}

fn object(v: Option<&Value>) -> Option<&Object> {
    v.and_then(Value::as_object)
}

fn objects(v: Option<&Value>) -> Vec<&Object> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

/// The parties with the `buyer` role, the one named by `buyer.id` first.
fn buyer_parties(release: &Object) -> Vec<&Object> {
    let buyer_id = object(release.get("buyer")).and_then(|b| text(b.get("id")));
    let parties = objects(release.get("parties"))
        .into_iter()
        .filter(|p| match p.get("roles") {
            Some(Value::Array(roles)) => roles.iter().any(|r| r.as_str() == Some("buyer")),
            _ => false,
        });
    let Some(buyer_id) = buyer_id else {
        return parties.collect();
    };
    // Each party's id is read once, not once per comparison of a sort.
    let (named, others): (Vec<&Object>, Vec<&Object>) =
        parties.partition(|p| text_ref(p.get("id")).as_deref() == Some(buyer_id.as_str()));
    named.into_iter().chain(others).collect()
}

/// The buyer's organisation identifier: `{scheme}-{id}` from its party's `identifier` when both
/// are given (`GB-SRS-…`), else `buyer.id` (Find a Tender's `GB-FTS-603`), else the first buyer
/// party's id.
fn buyer_id(release: &Object, parties: &[&Object]) -> Option<String> {
    let registered = parties.iter().find_map(|p| {
        let identifier = object(p.get("identifier"))?;
        let scheme = text(identifier.get("scheme"))?;
        let id = text(identifier.get("id"))?;
        Some(if id.starts_with(&format!("{scheme}-")) {
            id
        } else {
            format!("{scheme}-{id}")
        })
    });
    registered
        .or_else(|| object(release.get("buyer")).and_then(|b| text(b.get("id"))))
        .or_else(|| parties.iter().find_map(|p| text(p.get("id"))))
}

/// `buyer.name`, else the names of the parties with the buyer role, joined with "; ".
fn buyer_name(release: &Object, parties: &[&Object]) -> String {
    if let Some(name) = object(release.get("buyer")).and_then(|b| text(b.get("name"))) {
        return name;
    }
    distinct(parties.iter().filter_map(|p| text_ref(p.get("name")))).join("; ")
}

/// The buyer's country as ISO 3166 alpha-2, from its address: a two-letter code as given, the
/// names UK publishers use (`United Kingdom`, `England`, …) as `GB`, anything else unknown.
fn buyer_country(parties: &[&Object]) -> Option<String> {
    let address = parties.iter().find_map(|p| object(p.get("address")))?;
    let name = text(address.get("country")).or_else(|| text(address.get("countryName")))?;
    let lower = name.to_lowercase();
    let uk = [
        "united kingdom",
        "uk",
        "great britain",
        "england",
        "scotland",
        "wales",
        "northern ireland",
    ];
    if uk.contains(&lower.as_str()) {
        return Some("GB".to_owned());
    }
    (name.len() == 2 && name.chars().all(|c| c.is_ascii_alphabetic())).then(|| name.to_ascii_uppercase())
}

/// CPV codes from the tender's classification, then its items' classifications; other schemes
/// (CPVS supplements, UNSPSC) are skipped.
fn cpv_codes(tender: &Object) -> Vec<String> {
    let mut raw = Vec::new();
    let mut take = |c: &Object| {
        let scheme = text(c.get("scheme")).unwrap_or_default();
        if scheme.eq_ignore_ascii_case("CPV")
            && let Some(id) = text(c.get("id"))
        {
            raw.push(id);
        }
    };
    if let Some(c) = object(tender.get("classification")) {
        take(c);
    }
    for item in objects(tender.get("items")) {
        if let Some(c) = object(item.get("classification")) {
            take(c);
        }
        for c in objects(item.get("additionalClassifications")) {
            take(c);
        }
    }
    let mut out = Vec::new();
    push_cpv_codes(&mut out, raw);
    out
}

/// `{amount, currency}` when the amount is a positive number.
fn money(v: Option<&Value>) -> Option<(f64, Option<String>)> {
    let v = object(v)?;
    let amount = v.get("amount").and_then(number).filter(|a| *a > 0.0)?;
    Some((amount, text(v.get("currency")).map(|c| c.to_ascii_uppercase())))
}

/// The tender's value, else the lots' values added up when they share one currency. A zero value
/// is how buyers leave it undisclosed, so it reads as "no value".
fn value_and_currency(tender: &Object, lots: &[&Object]) -> (Option<f64>, Option<String>) {
    if let Some((amount, currency)) = money(tender.get("value")) {
        return (Some(amount), currency);
    }
    let values: Vec<(f64, Option<String>)> = lots.iter().filter_map(|lot| money(lot.get("value"))).collect();
    match values.first() {
        None => (None, None),
        Some((_, currency)) if values.iter().all(|(_, c)| c == currency) => {
            (Some(values.iter().map(|(a, _)| a).sum()), currency.clone())
        }
        // Different currencies cannot be added; the first lot is still informative.
        Some((amount, currency)) => (Some(*amount), currency.clone()),
    }
}

/// The configured template filled in, else a notice page the release links (`tenderNotice`,
/// `awardNotice`, …), else nothing. Only web links are taken from the feed.
fn notice_url(settings: &OcdsSettings, id: &str, ocid: Option<&str>, release: &Object, tender: &Object) -> String {
    if let Some(template) = &settings.notice_url_template {
        return template
            .replace("{id}", &encode(id))
            .replace("{ocid}", &encode(ocid.unwrap_or(id)));
    }
    let award_documents = objects(release.get("awards"))
        .into_iter()
        .flat_map(|a| objects(a.get("documents")));
    objects(tender.get("documents"))
        .into_iter()
        .chain(award_documents)
        .filter(|d| text(d.get("documentType")).is_some_and(|t| t.ends_with("Notice")))
        .filter_map(|d| text(d.get("url")))
        .find(|url| url.starts_with("https://") || url.starts_with("http://"))
        .unwrap_or_default()
}

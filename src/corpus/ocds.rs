//! OCDS release packages in the shape of UK Find a Tender's (`src/demo/fixtures/ocds/fts-release-package-2026.json`),
//! chained by `links.next`.

use serde_json::{Value, json};

use super::SynthNotice;
use super::vocab::{country_name, cpv_label};

/// Where [`package`]'s `links.next` points: Find a Tender's path (the server's origin is added by
/// the adapter, which resolves a path against its base URL).
pub const PATH: &str = "/api/1.0/ocdsReleasePackages";

/// The page a `cursor` query value names (page 1 for none).
pub fn page_of(query: &str) -> Option<u64> {
    let cursor = query.split('&').find_map(|pair| pair.strip_prefix("cursor="));
    match cursor {
        None => Some(1),
        Some(c) => c.parse().ok(),
    }
}

/// One release package holding `notices`, linking to page `next` if any.
pub fn package(notices: &[SynthNotice], next: Option<u64>) -> Vec<u8> {
    let mut root = json!({
        "uri": format!("https://www.find-tender.service.gov.uk{PATH}?stages=tender&limit=100"),
        "version": "1.1",
        "publishedDate": notices.first().map(|n| n.published.to_string()),
        "publisher": {
            "name": "Cabinet Office",
            "scheme": "GB-GOR",
            "uid": "D2",
            "uri": "https://www.gov.uk/government/organisations/cabinet-office",
        },
        "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": "https://www.gov.uk/government/publications/open-contracting",
        "releases": notices.iter().map(release).collect::<Vec<_>>(),
    });
    if let (Some(next), Value::Object(map)) = (next, &mut root) {
        map.insert(
            "links".to_owned(),
            json!({ "next": format!("{PATH}?stages=tender&limit=100&cursor={next}") }),
        );
    }
    serde_json::to_vec(&root).unwrap_or_default()
}

/// One release at the tender stage.
fn release(n: &SynthNotice) -> Value {
    let (serial, year) = n.serial();
    let id = format!("{serial:06}-{year}");
    let ocid = format!("ocds-h6vhtk-{:06x}", n.index);
    let party = format!("GB-FTS-{}", 10_000 + n.index % 90_000);
    let classifications: Vec<Value> = n
        .cpv
        .iter()
        .map(|c| json!({"scheme": "CPV", "id": c, "description": cpv_label(Some(c))}))
        .collect();
    let value = n
        .value
        .map(|(amount, currency)| json!({"amount": amount, "currency": currency}));
    let tag = ["tender", "award", "planning"][usize::from(n.stage.min(2))];
    json!({
        "ocid": ocid,
        "id": id,
        "date": n.published.to_string(),
        "tag": [tag],
        "initiationType": "tender",
        "tender": {
            "id": ocid,
            "legalBasis": {"id": "32014L0024", "scheme": "CELEX"},
            "title": n.title,
            "status": "active",
            "classification": classifications.first(),
            "mainProcurementCategory": "services",
            "description": n.description,
            "value": value,
            "lots": [{
                "id": "1",
                "description": n.description,
                "value": value,
                "contractPeriod": {"durationInDays": 730},
                "hasRenewal": false,
                "submissionTerms": {"variantPolicy": "notAllowed"},
                "hasOptions": false,
                "status": "active",
            }],
            "items": [{"id": "1", "additionalClassifications": classifications}],
            "submissionMethod": ["electronicSubmission"],
            "procurementMethod": "open",
            "procurementMethodDetails": "Open procedure",
            "tenderPeriod": {"endDate": n.deadline.to_string()},
            "submissionTerms": {"languages": [n.lang]},
        },
        "parties": [{
            "name": n.buyer,
            "id": party,
            "identifier": {"legalName": n.buyer},
            "address": {"countryName": country_name(n.country)},
            "roles": ["buyer"],
        }],
        "buyer": {"id": party, "name": n.buyer},
        "language": n.lang,
    })
}

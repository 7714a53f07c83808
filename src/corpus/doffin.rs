//! Doffin public API v2 search pages, in the shape of `src/demo/fixtures/doffin/search-response-1.json`.
//!
//! Doffin serves at most the first 1,000 hits of a query, so an adapter reads at most 1,000 of a
//! larger generated corpus; the pages past that are written anyway, for parsing benchmarks.

use serde_json::{Value, json};

use super::SynthNotice;

/// Doffin's window: hits beyond it are not served.
const MAX_ACCESSIBLE: u64 = 1000;

/// One search answer holding `notices` of a `total`-hit result.
pub fn page(notices: &[SynthNotice], total: u64) -> Vec<u8> {
    let root = json!({
        "numHitsTotal": total,
        "numHitsAccessible": total.min(MAX_ACCESSIBLE),
        "hits": notices.iter().map(hit).collect::<Vec<_>>(),
    });
    serde_json::to_vec(&root).unwrap_or_default()
}

/// One hit as Doffin returns it.
fn hit(n: &SynthNotice) -> Value {
    let (serial, year) = n.serial();
    let (kind, all) = match n.stage {
        1 => (
            "ANNOUNCEMENT_OF_CONCLUSION_OF_CONTRACT",
            vec!["ANNOUNCEMENT_OF_CONCLUSION_OF_CONTRACT", "RESULT"],
        ),
        2 => ("ADVISORY_NOTICE", vec!["ADVISORY_NOTICE", "PLANNING"]),
        _ => (
            "ANNOUNCEMENT_OF_COMPETITION",
            vec!["ANNOUNCEMENT_OF_COMPETITION", "COMPETITION"],
        ),
    };
    json!({
        "id": format!("{year}-{serial:06}"),
        "buyer": [{
            "id": format!("{:032x}", u128::from(n.index).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)),
            "organizationId": n.buyer_org,
            "name": n.buyer,
        }],
        "heading": n.title,
        "description": n.description,
        "locationId": ["anyw"],
        "estimatedValue": n.value.map(|(amount, currency)| json!({"amount": amount, "currencyCode": currency})),
        "type": kind,
        "allTypes": all,
        "status": "ACTIVE",
        "issueDate": n.published.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "deadline": n.deadline.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "publicationDate": n.published.strftime("%Y-%m-%d").to_string(),
        "receivedTenders": null,
        "allReceivedTenders": null,
        "cpvCodes": n.cpv,
        "limitedDataFlag": null,
        "doffinClassicUrl": null,
        "lots": [{ "heading": n.title, "description": n.description, "winner": [] }],
    })
}

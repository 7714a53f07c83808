//! TED Search API v3 search pages, in the shape of `src/demo/fixtures/ted/*.json`: the fields
//! [`crate::feeds::ted::FIELDS`] asks for, the generated title in all 24 EU languages, links to
//! every language's PDF and HTML, and `iterationNextToken` chaining the pages.

use jiff::tz::TimeZone;
use serde_json::{Map, Value, json};

use super::SynthNotice;
use super::vocab::{EU_LANGUAGES, alpha3, country_name, cpv_label, lang3};

/// The iteration token that leads to page `page` (1-based) of a generated corpus.
pub fn token(page: u64) -> String {
    format!("page-{page}")
}

/// The page `token` names (page 1 for none), if it is one of [`token`]'s.
pub fn page_of(token: Option<&str>) -> Option<u64> {
    match token {
        None => Some(1),
        Some(t) => t.strip_prefix("page-")?.parse().ok(),
    }
}

/// One search answer holding `notices`, reporting `total`, with a token for page `next` if any.
pub fn page(notices: &[SynthNotice], total: u64, next: Option<u64>) -> Vec<u8> {
    let root = json!({
        "notices": notices.iter().map(notice).collect::<Vec<_>>(),
        "totalNoticeCount": total,
        "iterationNextToken": next.map(token),
        "timedOut": false,
    });
    // Serialising a `Value` cannot fail.
    serde_json::to_vec(&root).unwrap_or_default()
}

/// One notice object as TED returns it.
fn notice(n: &SynthNotice) -> Value {
    let (serial, year) = n.serial();
    let number = format!("{serial:06}-{year}");
    let lang = lang3(n.lang);
    let brussels = TimeZone::get("Europe/Brussels").unwrap_or(TimeZone::UTC);
    let published = n.published.to_zoned(brussels.clone());
    let deadline = n.deadline.to_zoned(brussels);
    let generated = format!(
        "{} – {} – {}",
        country_name(n.country),
        cpv_label(n.cpv.first()),
        n.title
    );
    let titles: Map<String, Value> = EU_LANGUAGES
        .iter()
        .map(|l| ((*l).to_owned(), Value::String(generated.clone())))
        .collect();
    let per_language = |path: &str| -> Value {
        EU_LANGUAGES
            .iter()
            .map(|l| {
                let two = &l[..2];
                let url = format!("https://ted.europa.eu/{two}/notice/{number}/{path}");
                (l.to_ascii_uppercase(), Value::String(url))
            })
            .collect::<Map<String, Value>>()
            .into()
    };
    // TED repeats CPV codes once per lot.
    let cpv: Vec<&String> = n.cpv.iter().chain(n.cpv.iter()).collect();
    let stage = usize::from(n.stage.min(2));
    let notice_type = ["cn-standard", "can-standard", "pin-only"][stage];
    let form_type = ["competition", "result", "planning"][stage];
    let mut obj = json!({
        "publication-number": number,
        "notice-title": titles,
        "title-proc": { lang: n.title },
        "buyer-name": { lang: [n.buyer] },
        "buyer-country": [alpha3(n.country)],
        "description-proc": { lang: [n.description] },
        "classification-cpv": cpv,
        "publication-date": published.strftime("%Y-%m-%d%:z").to_string(),
        "deadline-receipt-tender-date-lot": [deadline.strftime("%Y-%m-%d%:z").to_string()],
        "deadline-receipt-tender-time-lot": [deadline.strftime("%H:%M:%S%:z").to_string()],
        "notice-type": notice_type,
        "form-type": form_type,
        "procedure-type": "open",
        "place-of-performance": [alpha3(n.country)],
        "links": {
            "xml": { "MUL": format!("https://ted.europa.eu/en/notice/{number}/xml") },
            "pdf": per_language("pdf"),
            "pdfs": { "ENG": format!("https://ted.europa.eu/en/notice/{number}/pdfs") },
            "html": per_language("html"),
            "htmlDirect": per_language("html-direct"),
        },
    });
    if let (Some((amount, currency)), Value::Object(map)) = (n.value, &mut obj) {
        map.insert("estimated-value-proc".to_owned(), json!(amount.to_string()));
        map.insert("estimated-value-cur-proc".to_owned(), json!([currency]));
    }
    obj
}

//! TED Search API v3 result notices (`form-type: result`) as award rows.
//!
//! TED's award fields are parallel lists that do not line up (shared/reference/awards.md §2):
//! `winner-name` has one entry per lot (names repeat), but `winner-identifier`, `winner-country` and
//! `winner-city` have one per *distinct* winner, and `tender-value-cur` may hold a single currency
//! for all lots. So a name is paired with its lot, a value with its lot when there is one per lot,
//! and an id only when there is one per name: otherwise the ids are kept on each row as
//! `unpaired_winner_ids` and the row is marked [`Pairing::Ambiguous`], never guessed.

use serde_json::{Map, Value};

use super::civil_date;
use super::months_of;
use super::{AwardPage, FoundAwards};
use crate::feeds::ParseError;
use crate::feeds::json::{cpv_codes, number, parse_repaired, raw_strings, text};
use crate::model::{Award, AwardStatus, FrameworkKind, LinkKeys, NoticeId, PREFERRED_LANGUAGES, Pairing, ValueKind};

/// The fields an award query asks TED for (see `feeds::ted::awards`), each one seen in a recorded
/// result notice or in several independent clients' field lists.
pub const AWARD_FIELDS: [&str; 27] = [
    "publication-number",
    "notice-type",
    "form-type",
    "notice-title",
    "title-proc",
    "buyer-name",
    "buyer-country",
    "classification-cpv",
    "publication-date",
    "procedure-identifier",
    "identifier-lot",
    "winner-name",
    "winner-identifier",
    "winner-country",
    "tender-value",
    "tender-value-cur",
    "received-submissions-type-code",
    "received-submissions-type-val",
    "winner-decision-date",
    "contract-conclusion-date",
    "contract-duration-period-lot",
    "links",
    // BT-765 per lot (`fa-wo-rc`, `fa-w-rc`, `fa-mix`, `none`): several normalisers' field lists.
    "framework-agreement-lot",
    // The lot's and the notice's result value, where `tender-value` is missing: in the Spanish
    // module's and Slovak tests' field lists and a test of a live response (awards.md §2); no
    // recorded response here holds them.
    "result-value-lot",
    "result-value-cur-lot",
    "result-value-notice",
    "result-value-cur-notice",
];

/// Parses a search response (`{"notices": [...]}`); notices that are not results are skipped.
///
/// # Errors
/// [`ParseError::Json`] with a position for malformed JSON; [`ParseError::Shape`] when there is
/// no `notices` list.
pub fn parse(body: &[u8]) -> Result<Vec<Award>, ParseError> {
    Ok(parse_page(body)?.found.awards)
}

/// Parses one page of an award search: the rows, the token of the next page
/// (`iterationNextToken`) and the total TED counts (`totalNoticeCount`), in one pass.
///
/// # Errors
/// As [`parse`].
pub fn parse_page(body: &[u8]) -> Result<AwardPage, ParseError> {
    let root = parse_repaired(body)?;
    let notices = root
        .get("notices")
        .and_then(Value::as_array)
        .ok_or_else(|| ParseError::Shape("a TED search response needs a \"notices\" list".to_owned()))?;
    let awards = notices
        .iter()
        .filter_map(Value::as_object)
        .flat_map(notice_rows)
        .collect();
    Ok(AwardPage {
        found: FoundAwards {
            awards,
            keys: Vec::new(),
        },
        next: text(root.get("iterationNextToken")).filter(|t| !t.is_empty()),
        total: root.get("totalNoticeCount").and_then(Value::as_u64),
        warnings: Vec::new(),
    })
}

/// The token for the next page of an award search (`iterationNextToken`), `None` on the last page
/// or when the body has none.
pub fn next_token(body: &[u8]) -> Option<String> {
    let root = parse_repaired(body).ok()?;
    text(root.get("iterationNextToken"))
}

/// The strings of a field that may be a list, a single string, or a `{lang: [...]}` map (the
/// preferred language's list).
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Object(by_lang)) => {
            let chosen = PREFERRED_LANGUAGES
                .iter()
                .find_map(|lang| by_lang.get(*lang))
                .or_else(|| by_lang.values().next());
            strings(chosen)
        }
        Some(v) => raw_strings(v)
            .into_iter()
            .map(|s| crate::model::text::sanitize(&s))
            .filter(|s| !s.is_empty())
            .collect(),
        None => Vec::new(),
    }
}

/// The `i`th of `values` when there is one per lot, or the only one when there is one for all.
fn per_lot<T: Clone>(values: &[T], lots: usize, i: usize) -> Option<T> {
    match values.len() {
        1 => values.first().cloned(),
        n if n == lots => values.get(i).cloned(),
        _ => None,
    }
}

/// The numbers of a field that is a list of strings (TED sends amounts as text) or numbers.
fn numbers(v: Option<&Value>) -> Vec<Option<f64>> {
    v.map(raw_strings)
        .unwrap_or_default()
        .iter()
        .map(|s| number(&Value::String(s.to_string())))
        .collect()
}

/// A row's value, currency and kind: the lot's `tender-value` (the winning tender), else the lot's
/// `result-value-lot`, else for a notice of one row its `result-value-notice`. A result value of a
/// framework lot is taken as its ceiling, not spend: TED does not say which it is, and a ceiling
/// counted as spend is the worse mistake (awards.md §2: 45 bn DKK "values" of frameworks).
fn row_value(
    lot: Option<usize>,
    lots: usize,
    tender: (&[Option<f64>], &[String]),
    result: (&[Option<f64>], &[String]),
    notice: Option<(f64, Option<String>)>,
    framework: Option<FrameworkKind>,
) -> (Option<f64>, Option<String>, Option<ValueKind>) {
    let on_lot = |(values, currencies): (&[Option<f64>], &[String])| {
        let l = lot?;
        let value = per_lot(values, lots, l).flatten()?;
        Some((value, per_lot(currencies, lots, l)))
    };
    if let Some((value, currency)) = on_lot(tender) {
        return (Some(value), currency, Some(ValueKind::Award));
    }
    let result_kind = if framework.is_some_and(FrameworkKind::is_framework) {
        ValueKind::FrameworkMax
    } else {
        ValueKind::Award
    };
    match on_lot(result).or(notice) {
        Some((value, currency)) => (Some(value), currency, Some(result_kind)),
        None => (None, None, None),
    }
}

fn is_result(n: &Map<String, Value>) -> bool {
    let form = text(n.get("form-type")).unwrap_or_default();
    let kind = text(n.get("notice-type")).unwrap_or_default();
    form == "result" || kind.starts_with("can-") || kind == "veat"
}

#[allow(clippy::too_many_lines, reason = "one pass over the parallel lists of a notice")]
fn notice_rows(n: &Map<String, Value>) -> Vec<Award> {
    let Some(number_) = text(n.get("publication-number")).filter(|_| is_result(n)) else {
        return Vec::new();
    };
    let intent = text(n.get("notice-type")).as_deref() == Some("veat");
    let lots = strings(n.get("identifier-lot"));
    let names = strings(n.get("winner-name"));
    let ids = strings(n.get("winner-identifier"));
    let countries = strings(n.get("winner-country"));
    let values = numbers(n.get("tender-value"));
    let currencies = strings(n.get("tender-value-cur"));
    let result_values = numbers(n.get("result-value-lot"));
    let result_currencies = strings(n.get("result-value-cur-lot"));
    let notice_value = numbers(n.get("result-value-notice")).into_iter().flatten().next();
    let notice_currency = strings(n.get("result-value-cur-notice")).into_iter().next();
    let frameworks: Vec<Option<FrameworkKind>> = strings(n.get("framework-agreement-lot"))
        .iter()
        .map(|code| FrameworkKind::parse(code))
        .collect();
    // Tenders received: the `tenders` entries of the code/value pairs, one per lot.
    let codes = strings(n.get("received-submissions-type-code"));
    let counts = strings(n.get("received-submissions-type-val"));
    let tenders: Vec<Option<u32>> = codes
        .iter()
        .zip(&counts)
        .filter(|(code, _)| *code == "tenders")
        .map(|(_, count)| count.trim().parse().ok())
        .collect();
    let decisions: Vec<_> = strings(n.get("winner-decision-date"))
        .iter()
        .map(|d| civil_date(d))
        .collect();
    let conclusions: Vec<_> = strings(n.get("contract-conclusion-date"))
        .iter()
        .map(|d| civil_date(d))
        .collect();
    let durations: Vec<Option<u32>> = match n.get("contract-duration-period-lot") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|d| {
                let value = d.get("value").and_then(number)?;
                months_of(value, &text(d.get("unit")).unwrap_or_default())
            })
            .collect(),
        _ => Vec::new(),
    };
    // Ids pair with names only when there is one per name (or a single winner throughout).
    let distinct_names = names.iter().collect::<std::collections::HashSet<_>>().len();
    let exact = ids.len() == names.len() || (distinct_names <= 1 && ids.len() <= 1);
    // Every winner's country is known when they all share one, however the lists line up.
    let shared_country = match countries.first() {
        Some(first) if countries.iter().all(|c| c == first) => Some(first.clone()),
        _ => None,
    };
    let title = strings(n.get("notice-title"))
        .into_iter()
        .next()
        .or_else(|| strings(n.get("title-proc")).into_iter().next())
        .unwrap_or_else(|| format!("TED notice {number_}"));
    let buyer = strings(n.get("buyer-name")).join("; ");
    let cpv = cpv_codes(n.get("classification-cpv"));
    let published = text(n.get("publication-date")).and_then(|d| civil_date(&d));
    let keys = LinkKeys {
        procedure_id: text(n.get("procedure-identifier")),
        ..LinkKeys::default()
    };
    let url = format!("https://ted.europa.eu/en/notice/-/detail/{number_}");
    // One row per lot when the names line up with the lots, else one per name without a lot.
    let by_lot = !lots.is_empty() && names.len() == lots.len();
    let slots = if names.is_empty() {
        lots.len().max(1)
    } else {
        names.len()
    };
    let lot_count = lots.len().max(1);
    (0..slots)
        .map(|i| {
            let name = names.get(i).cloned();
            let lot_index = if by_lot || names.is_empty() { Some(i) } else { None };
            let on_lot = |f: &dyn Fn(usize) -> Option<u32>| lot_index.and_then(f);
            let framework = lot_index.and_then(|l| per_lot(&frameworks, lot_count, l)).flatten();
            let (value, currency, value_kind) = row_value(
                lot_index,
                lot_count,
                (&values, &currencies),
                (&result_values, &result_currencies),
                notice_value
                    .map(|v| (v, notice_currency.clone()))
                    .filter(|_| slots == 1),
                framework,
            );
            let status = match (&name, intent) {
                (None, _) => AwardStatus::NoAward,
                (Some(_), true) => AwardStatus::Intent,
                (Some(_), false) => AwardStatus::Awarded,
            };
            Award {
                notice_id: NoticeId::new("ted", &number_),
                lot_id: lot_index.and_then(|l| lots.get(l).cloned()).unwrap_or_default(),
                seq: if by_lot || names.is_empty() {
                    0
                } else {
                    u32::try_from(i).unwrap_or(u32::MAX)
                },
                title: title.clone(),
                buyer: buyer.clone(),
                buyer_id: None,
                cpv: cpv.clone(),
                winner_org_id: if exact { ids.get(i).cloned() } else { None },
                winner_country: if exact {
                    countries.get(i).cloned().or_else(|| shared_country.clone())
                } else {
                    shared_country.clone()
                }
                .filter(|_| name.is_some()),
                winner_name: name,
                value,
                currency,
                value_kind,
                framework_kind: framework,
                tenders_received: on_lot(&|l| per_lot(&tenders, lot_count, l).flatten()),
                decision_date: lot_index.and_then(|l| per_lot(&decisions, lot_count, l)).flatten(),
                conclusion_date: lot_index.and_then(|l| per_lot(&conclusions, lot_count, l)).flatten(),
                start: None,
                end: None,
                duration_months: on_lot(&|l| per_lot(&durations, lot_count, l).flatten()),
                status,
                pairing: if exact { Pairing::Exact } else { Pairing::Ambiguous },
                unpaired_winner_ids: if exact { Vec::new() } else { ids.clone() },
                keys: keys.clone(),
                published,
                url: url.clone(),
            }
        })
        .collect()
}

//! Lenient decoding of a TED search response into [`Notice`]s.
//!
//! TED's field values are irregular (see `shared/FEEDS.md`): a field may be a string, a list, a
//! language→string map or a language→list map; numbers arrive as strings; dates carry an offset
//! but no time; lists repeat values; older payloads use alias names (`ND`, `PD`). Every helper here
//! accepts all of those shapes and treats a missing or unreadable field as absent rather than as an
//! error, so one odd notice never costs the user the whole page. Pure: no I/O, no clock.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::feeds::dates::{combine, parse_instant};
use crate::feeds::distinct::distinct;
use crate::feeds::json::{count, decode_repaired, from_text, push_cpv_codes, raw_strings, type_name};
use crate::feeds::nuts::nuts_codes;
use crate::feeds::{Page, ParseError};
use crate::model::text::sanitize;
use crate::model::{Notice, NoticeId, PREFERRED_LANGUAGES, preferred_text};

/// Parses one search response body into a page of notices, de-duplicated by id in source order.
pub(super) fn parse_page(kind: &str, body: &[u8]) -> Result<Page, ParseError> {
    // Same repairs as the other JSON feeds: a stray control character or an overflowing number in
    // one notice must not cost the page.
    decode_repaired(body, |text| decode_page(kind, text))
}

mod loose;
mod wire;

use loose::Loose;
use wire::{Links, Notices, WireNotice, WirePage};

/// The first of `raws` that is present and not null, as a value (aliases of one field). `null`
/// arrives as `None` already; a value that no longer parses on its own reads as absent.
fn field<'a>(raws: &[Option<&'a RawValue>]) -> Option<Loose<'a>> {
    raws.iter().flatten().find_map(|raw| {
        serde_json::from_str::<Loose<'a>>(raw.get())
            .ok()
            .filter(|v| *v != Loose::Nothing)
    })
}

fn decode_page(kind: &str, text: &str) -> Result<Page, ParseError> {
    // Only an object has the fields; a struct would also accept a list, positionally.
    if !text.trim_start().starts_with('{') {
        let root: Value = from_text(text)?;
        return Err(ParseError::Shape(format!(
            "expected a JSON object, got {}",
            type_name(&root)
        )));
    }
    let root: WirePage<'_> = from_text(text)?;
    let notices = match root.notices {
        Some(Notices::List(list)) => list,
        Some(Notices::Other(what)) => {
            return Err(ParseError::Shape(format!("`notices` is {what}, not a list")));
        }
        None => {
            let Value::Object(root) = from_text(text)? else {
                unreachable!("the text starts with `{{` and parsed as an object")
            };
            return Err(ParseError::Shape(missing_notices(&root)));
        }
    };
    let partial = root.timed_out.as_ref().and_then(Value::as_bool).unwrap_or(false);
    let mut seen = HashSet::new();
    let mut page = Page {
        notices: Vec::with_capacity(notices.len()),
        next: root.next.as_ref().and_then(first_text),
        total: root.total.as_ref().and_then(count),
        partial,
        warnings: Vec::new(),
    };
    // A notice that is not an object, or repeats a field, was read as `None`: the rest of the page
    // stays.
    for notice in notices.iter().flatten() {
        // A notice without a number cannot be stored or linked; skipping it keeps the rest.
        if let Some(notice) = decode_notice(kind, notice)
            && seen.insert(notice.id.clone())
        {
            page.notices.push(notice);
        }
    }
    if page.partial {
        page.warnings.push(
            "TED's search timed out and answered with part of the results; the rest comes with a later poll".to_owned(),
        );
    }
    Ok(page)
}

/// Explains a JSON answer without `notices`, quoting the server's own message if it sent one.
fn missing_notices(root: &Map<String, Value>) -> String {
    let said = ["message", "type", "error"]
        .iter()
        .find_map(|k| root.get(*k).and_then(|v| value_texts(v).next()));
    match said {
        Some(said) => format!("no `notices` list; the server said: {said}"),
        None => "no `notices` list in the response".to_owned(),
    }
}

/// Of two aliases of a field, the first present (and not null) one, even when it holds no text.
fn either<'v, 'a>(a: Option<&'v Loose<'a>>, b: Option<&'v Loose<'a>>) -> Option<&'v Loose<'a>> {
    a.or(b)
}

/// Decodes one notice; `None` when it has no publication number.
fn decode_notice(kind: &str, raw: &WireNotice<'_>) -> Option<Notice> {
    let native_id = either(raw.publication_number.as_ref(), raw.nd.as_ref()).and_then(first_text)?;
    let languages = |v: Option<&Loose<'_>>, join: &str| v.map(|v| by_language(v, join)).unwrap_or_default();
    // `title-proc` is the buyer's own title; TED's generated `notice-title` only stands in for it
    // (and is only parsed then: it comes in 24 languages).
    let own = languages(raw.title_proc.as_ref(), " ");
    let (titles, title) = if own.is_empty() {
        let generated = languages(field(&[raw.notice_title, raw.ti]).as_ref(), " ");
        let title = preferred_text(&generated).map(strip_generated_prefix);
        (generated, title)
    } else {
        let title = preferred_text(&own).map(str::to_owned);
        (own, title)
    };
    // A list row must never be blank: an untitled notice still shows which notice it is.
    let title = title
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("{} notice {native_id}", kind.to_ascii_uppercase()));
    let description = [&raw.description_proc, &raw.description_lot]
        .iter()
        .map(|field| languages(field.as_ref(), " "))
        .find_map(take_preferred)
        .unwrap_or_default();
    let buyer = take_preferred(languages(raw.buyer_name.as_ref(), "; ")).unwrap_or_default();
    let (value, currency) = value_and_currency(raw);
    let mut cpv = Vec::new();
    push_cpv_codes(&mut cpv, &raw.cpv);
    Some(Notice {
        id: NoticeId::new(kind, &native_id),
        source: kind.to_owned(),
        title,
        titles: titles.into(),
        description,
        buyer,
        country: either(raw.buyer_country.as_ref(), raw.cy.as_ref())
            .and_then(first_text)
            .map(|c| c.to_ascii_uppercase().into()),
        cpv: cpv.into(),
        published: either(raw.publication_date.as_ref(), raw.pd.as_ref())
            .and_then(first_text)
            .and_then(|s| parse_instant(&s)),
        deadline: deadline(raw),
        value,
        currency: currency.map(Into::into),
        questions_deadline: None,
        // TED's search fields documented in FEEDS.md carry no buyer identifier.
        buyer_id: None,
        nuts: nuts_codes(raw.place_of_performance.iter().map(AsRef::as_ref)),
        notice_type: raw.notice_type.as_ref().and_then(first_text).map(Into::into),
        url: notice_url(raw.links.as_ref(), &native_id),
        native_id,
    })
}

/// The real title inside TED's generated `notice-title`, "Country – CPV label – real title": the
/// first two segments repeat the country and CPV columns, so they are dropped when there are at
/// least three; the title itself may contain " – ", so everything after the second one is kept.
fn strip_generated_prefix(generated: &str) -> String {
    let mut parts = generated.splitn(3, " \u{2013} ");
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(_), Some(rest)) if !rest.trim().is_empty() => rest.trim().to_owned(),
        _ => generated.to_owned(),
    }
}

/// Cleaned, non-empty, de-duplicated texts inside `v`, in source order.
fn texts(v: &Loose<'_>) -> Vec<String> {
    distinct(cleaned(v))
}

/// Cleaned, non-empty texts inside `v`, in source order, repeats included.
fn cleaned(v: &Loose<'_>) -> impl Iterator<Item = String> {
    non_empty_cleaned(v.strings())
}

/// The first non-empty cleaned text inside `v`.
fn first_text(v: &Loose<'_>) -> Option<String> {
    cleaned(v).next()
}

/// [`cleaned`] of a `Value`: what is still read as one (`links`, an error answer).
fn value_texts(v: &Value) -> impl Iterator<Item = String> {
    non_empty_cleaned(raw_strings(v))
}

/// `strings` cleaned, the empty ones left out.
fn non_empty_cleaned(strings: Vec<Cow<'_, str>>) -> impl Iterator<Item = String> + use<'_> {
    strings.into_iter().map(|s| clean(&s)).filter(|text| !text.is_empty())
}

/// A language→text map from a language→string or language→list map (list entries joined with
/// `join`); a bare string or list has no language and is filed under `und` (ISO 639 "undetermined").
fn by_language(v: &Loose<'_>, join: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    match v {
        Loose::Map(langs) => {
            for (lang, text) in langs {
                let text = joined(texts(text), join);
                if !text.is_empty() {
                    map.insert(clean(lang).to_lowercase(), text);
                }
            }
        }
        other => {
            let text = joined(texts(other), join);
            if !text.is_empty() {
                map.insert("und".to_owned(), text);
            }
        }
    }
    map
}

/// `texts` joined with `join`; a single text (nearly always) is kept as it is, not copied.
fn joined(mut texts: Vec<String>, join: &str) -> String {
    if texts.len() == 1 {
        return texts.pop().unwrap_or_default();
    }
    texts.join(join)
}

/// Takes the text in the most preferred language (as [`preferred_text`] picks it) out of `map`.
fn take_preferred(mut map: BTreeMap<String, String>) -> Option<String> {
    PREFERRED_LANGUAGES
        .iter()
        .find_map(|lang| map.remove(*lang))
        .or_else(|| map.into_values().next())
}

/// Decodes the HTML entities TED leaves in some names (`Energi &amp;`), then sanitises.
/// One pass only, so `&amp;lt;` becomes `&lt;` and is not decoded twice.
fn clean(s: &str) -> String {
    sanitize(&decode_entities(s))
}

fn decode_entities(s: &str) -> Cow<'_, str> {
    const ENTITIES: [(&str, &str); 6] = [
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
    ];
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match ENTITIES.iter().find(|(entity, _)| rest.starts_with(entity)) {
            Some((entity, plain)) => {
                out.push_str(plain);
                rest = &rest[entity.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The procedure's estimated value, else the sum of the lots' when they share one currency.
/// A zero estimate is how buyers leave the value undisclosed, so it reads as "no value".
fn value_and_currency(raw: &WireNotice<'_>) -> (Option<f64>, Option<String>) {
    let currencies = |codes: &[Cow<'_, str>]| {
        // One de-duplication, after upper-casing (`eur` and `EUR` are one currency).
        let codes = codes.iter().map(|s| clean(s)).filter(|text| !text.is_empty());
        distinct(codes.map(|mut code| {
            code.make_ascii_uppercase();
            code
        }))
    };
    let procedure = raw.value_proc.as_ref().and_then(Loose::number);
    let (value, currency) = match procedure {
        Some(v) => (Some(v), currencies(&raw.currency_proc).into_iter().next()),
        None => {
            let lots: Vec<f64> = raw
                .value_lot
                .as_ref()
                .map(|lots| lots.items().iter().filter_map(Loose::number).collect())
                .unwrap_or_default();
            let lot_currencies = currencies(&raw.currency_lot);
            match (lots.first(), lot_currencies.len()) {
                (None, _) => (None, None),
                (Some(_), 0 | 1) => (Some(lots.iter().sum()), lot_currencies.into_iter().next()),
                // Different currencies cannot be added; the first lot is still informative.
                (Some(first), _) => (Some(*first), lot_currencies.into_iter().next()),
            }
        }
    };
    match value {
        Some(v) if v > 0.0 => (Some(v), currency),
        _ => (None, None),
    }
}

/// The earliest lot deadline, combining TED's separate date and time lists index by index.
///
/// A date without a time counts from the start of that day in the date's offset: the real
/// deadline is never earlier than that, so a countdown shown to the user never runs long.
fn deadline(raw: &WireNotice<'_>) -> Option<Timestamp> {
    let (dates, times) = (&raw.deadline_dates, &raw.deadline_times);
    dates
        .iter()
        .enumerate()
        .filter_map(|(i, date)| {
            // One time for several lot dates applies to all of them.
            let time = times.get(i).or(if times.len() == 1 { times.first() } else { None });
            combine(date, time.map(AsRef::as_ref))
        })
        .min()
}

/// The English notice page from `links` (`html`, then `htmlDirect`), else TED's detail page.
/// The detail page comes first because it is the portal page with the documents and the
/// other languages; only web links are accepted, so a feed cannot plant another scheme.
fn notice_url(links: Option<&Links<'_>>, native_id: &str) -> String {
    let web = |s: String| (s.starts_with("https://") || s.starts_with("http://")).then_some(s);
    let from_links = match links {
        // Only the English entries of the two page kinds were kept: `links` also lists PDF and XML
        // in every language.
        Some(Links::Pages(kinds)) => kinds
            .iter()
            .flatten()
            .find_map(|english| english.first().and_then(|(_, v)| first_text(v)).and_then(web)),
        Some(Links::Other(other)) => distinct(value_texts(other)).into_iter().find_map(web),
        Some(Links::Unreadable) | None => None,
    };
    from_links.unwrap_or_else(|| format!("https://ted.europa.eu/en/notice/-/detail/{native_id}"))
}

#[cfg(test)]
mod tests;

//! One `<item>` or `<entry>` collected from XML events and turned into a [`Notice`]. Lenient: an
//! entry without an id or a link is the only one skipped.

use quick_xml::events::BytesStart;

use super::text::{parse_date, push_cpv_runs, strip_html};
use crate::feeds::dates::combine;
use crate::model::text::sanitize;
use crate::model::{Notice, NoticeId};
use jiff::Timestamp;

/// Where the text of an element inside an entry goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Title,
    Summary,
    Content,
    Link,
    Id,
    Published,
    Updated,
    Category,
    Buyer,
    Cpv,
    DeadlineDate,
    DeadlineTime,
    Country,
    Value,
}

/// The raw text of one entry, gathered while its XML streams past.
#[derive(Debug, Default)]
pub(super) struct Entry {
    title: String,
    summary: String,
    content: String,
    link: String,
    id: String,
    published: Vec<String>,
    updated: String,
    categories: String,
    buyer: String,
    cpv: String,
    deadline_date: String,
    deadline_time: String,
    country: String,
    value: String,
    currency: Option<String>,
}

/// The names `slot` looks for among an element's ancestors (PLACSP's UBL nesting).
const ANCESTORS: [&str; 5] = [
    "LocatedContractingParty",
    "PartyName",
    "TenderSubmissionDeadlinePeriod",
    "Country",
    "BudgetAmount",
];

/// The elements open inside an entry, its own element first, each with the slot it feeds. The
/// slot is worked out once when the element opens, from counts of the ancestors that matter: asking
/// the whole path at every event made deeply nested elements cost the square of their depth.
#[derive(Debug, Default)]
pub(super) struct Path {
    names: Vec<String>,
    slots: Vec<Option<Slot>>,
    /// How many open elements bear each of the [`ANCESTORS`] names.
    open: [usize; ANCESTORS.len()],
}

impl Path {
    /// The path of an entry whose element `name` just opened.
    pub(super) fn new(name: String) -> Self {
        let mut path = Self::default();
        path.push(name);
        path
    }

    /// Element `name` opened inside the current one.
    pub(super) fn push(&mut self, name: String) {
        if let Some(i) = ANCESTORS.iter().position(|a| *a == name) {
            self.open[i] += 1;
        }
        self.names.push(name);
        let slot = self.compute_slot();
        self.slots.push(slot);
    }

    /// The current element closed.
    pub(super) fn pop(&mut self) {
        self.slots.pop();
        if let Some(name) = self.names.pop()
            && let Some(i) = ANCESTORS.iter().position(|a| *a == name)
        {
            self.open[i] -= 1;
        }
    }

    /// Whether the entry's own element has closed.
    pub(super) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn len(&self) -> usize {
        self.names.len()
    }

    /// Which slot the current element feeds.
    fn slot(&self) -> Option<Slot> {
        self.slots.last().copied().flatten()
    }

    /// Whether an element called `name` (one of [`ANCESTORS`]) is open.
    fn under(&self, name: &str) -> bool {
        ANCESTORS
            .iter()
            .position(|a| *a == name)
            .is_some_and(|i| self.open[i] > 0)
    }

    /// Which slot the element just opened feeds, if any. RSS and Atom elements sit right under the
    /// entry; PLACSP's UBL extension nests its buyer, deadline, CPV and budget a few levels down,
    /// matched by their (namespace-free) names.
    fn compute_slot(&self) -> Option<Slot> {
        let child = self.names.get(1)?.as_str();
        let leaf = self.names.last()?.as_str();
        let under = |name: &str| self.under(name);
        if self.len() == 2 {
            return Some(match child {
                "title" => Slot::Title,
                "description" | "summary" => Slot::Summary,
                "content" | "encoded" => Slot::Content,
                "link" => Slot::Link,
                "guid" | "id" => Slot::Id,
                "pubDate" | "published" | "issued" | "date" => Slot::Published,
                "updated" | "modified" => Slot::Updated,
                "category" | "subject" => Slot::Category,
                "creator" => Slot::Buyer,
                _ if mentions_cpv(child) => Slot::Cpv,
                _ => return None,
            });
        }
        match (child, leaf) {
            // Atom `type="xhtml"` content arrives as nested elements.
            ("description" | "summary", _) => Some(Slot::Summary),
            ("content" | "encoded", _) => Some(Slot::Content),
            ("author", "name") => Some(Slot::Buyer),
            (_, "Name") if under("LocatedContractingParty") && under("PartyName") => Some(Slot::Buyer),
            (_, "EndDate") if under("TenderSubmissionDeadlinePeriod") => Some(Slot::DeadlineDate),
            (_, "EndTime") if under("TenderSubmissionDeadlinePeriod") => Some(Slot::DeadlineTime),
            (_, "ItemClassificationCode") => Some(Slot::Cpv),
            (_, "IdentificationCode") if under("LocatedContractingParty") && under("Country") => Some(Slot::Country),
            (_, "EstimatedOverallContractAmount") => Some(Slot::Value),
            (_, "TaxExclusiveAmount") if under("BudgetAmount") => Some(Slot::Value),
            _ if mentions_cpv(leaf) => Some(Slot::Cpv),
            _ => None,
        }
    }
}

/// Whether an element name contains `cpv` in any letter case (`cpvCode`, `CPV`), without a
/// lower-cased copy per element.
fn mentions_cpv(name: &str) -> bool {
    name.as_bytes().windows(3).any(|w| w.eq_ignore_ascii_case(b"cpv"))
}

impl Entry {
    /// An element at `path` opened: reads the attributes that carry data (Atom `link href`,
    /// `category term`, a currency).
    pub(super) fn open(&mut self, path: &Path, start: &BytesStart<'_>) {
        let attr = |name: &str| {
            start.try_get_attribute(name).ok().flatten().and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(std::borrow::Cow::into_owned)
            })
        };
        match path.slot() {
            Some(Slot::Link) => {
                let alternate = attr("rel").is_none_or(|rel| rel == "alternate");
                if let Some(href) = attr("href").filter(|_| alternate && self.link.trim().is_empty()) {
                    self.link = href;
                }
            }
            Some(Slot::Category) => {
                for value in [attr("term"), attr("label")].into_iter().flatten() {
                    self.categories.push_str(&value);
                    self.categories.push(' ');
                }
            }
            Some(Slot::Value) => self.currency = attr("currencyID").or(self.currency.take()),
            _ => {}
        }
    }

    /// The element at `path` closed: keeps repeated elements (several categories, several CPV codes,
    /// several date elements) apart.
    pub(super) fn close(&mut self, path: &Path) {
        match path.slot() {
            Some(Slot::Category) => self.categories.push(' '),
            Some(Slot::Cpv) => self.cpv.push(' '),
            Some(Slot::Published) => self.published.push(String::new()),
            // PLACSP gives the budget twice (estimated and tax-exclusive): the first one wins.
            Some(Slot::Value) => self.value.push(' '),
            // Nested XHTML elements (`<p>a</p><p>b</p>`) separate words, like tags in escaped HTML.
            Some(Slot::Summary) if path.len() > 2 => self.summary.push(' '),
            Some(Slot::Content) if path.len() > 2 => self.content.push(' '),
            _ => {}
        }
    }

    /// Text (or CDATA, or a resolved entity) inside the element at `path`.
    pub(super) fn text(&mut self, path: &Path, text: &str) {
        let target = match path.slot() {
            Some(Slot::Title) => &mut self.title,
            Some(Slot::Summary) => &mut self.summary,
            Some(Slot::Content) => &mut self.content,
            // Atom links are attributes; an RSS link is text, and wins only if no href came first.
            Some(Slot::Link) => &mut self.link,
            Some(Slot::Id) => &mut self.id,
            Some(Slot::Published) => {
                if self.published.is_empty() {
                    self.published.push(String::new());
                }
                match self.published.last_mut() {
                    Some(last) => last,
                    None => return,
                }
            }
            Some(Slot::Updated) => &mut self.updated,
            Some(Slot::Category) => &mut self.categories,
            Some(Slot::Buyer) if self.buyer.is_empty() || path.len() == 2 => &mut self.buyer,
            Some(Slot::Cpv) => &mut self.cpv,
            Some(Slot::DeadlineDate) => &mut self.deadline_date,
            Some(Slot::DeadlineTime) => &mut self.deadline_time,
            Some(Slot::Country) => &mut self.country,
            Some(Slot::Value) => &mut self.value,
            Some(Slot::Buyer) | None => return,
        };
        target.push_str(text);
    }

    /// The latest date the entry carries (published or updated), for the `since` window: an
    /// amended notice counts as new again.
    pub(super) fn latest(&self) -> Option<Timestamp> {
        self.published
            .iter()
            .chain(std::iter::once(&self.updated))
            .filter_map(|s| parse_date(s))
            .max()
    }

    /// The notice, or `None` when the entry has neither an id nor a link to name it by.
    pub(super) fn into_notice(self, source: &str) -> Option<Notice> {
        let link = sanitize(&self.link);
        let native_id = Some(sanitize(&self.id))
            .filter(|id| !id.is_empty())
            .or_else(|| Some(link.clone()).filter(|l| !l.is_empty()))?;
        let title = sanitize(&strip_html(&self.title));
        let summary = if self.summary.trim().is_empty() {
            &self.content
        } else {
            &self.summary
        };
        let mut cpv = Vec::new();
        push_cpv_runs(&mut cpv, &self.cpv);
        push_cpv_runs(&mut cpv, &self.categories);
        let url = if link.is_empty() && is_web_link(&native_id) {
            native_id.clone()
        } else {
            link
        };
        let date = sanitize(&self.deadline_date);
        let time = sanitize(&self.deadline_time);
        let country = sanitize(&self.country);
        let value = self
            .value
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0);
        Some(Notice {
            id: NoticeId::new(source, &native_id),
            source: source.to_owned(),
            // A list row must never be blank: an untitled item still shows which item it is.
            title: if title.is_empty() {
                format!("RSS item {native_id}")
            } else {
                title
            },
            titles: Default::default(),
            description: sanitize(&strip_html(summary)),
            buyer: sanitize(&strip_html(&self.buyer)),
            country: (!country.is_empty()).then(|| country.into()),
            cpv: cpv.into(),
            published: self
                .published
                .iter()
                .chain(std::iter::once(&self.updated))
                .find_map(|s| parse_date(s)),
            deadline: (!date.is_empty())
                .then(|| combine(&date, (!time.is_empty()).then_some(time.as_str())))
                .flatten(),
            value,
            currency: self
                .currency
                .map(|c| sanitize(&c))
                .filter(|c| value.is_some() && !c.is_empty())
                .map(Into::into),
            questions_deadline: None,
            buyer_id: None,
            nuts: Vec::new(),
            notice_type: None,
            url,
            native_id,
        })
    }
}

fn is_web_link(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

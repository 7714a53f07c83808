//! Incumbents: who wins in your space, per CPV division (the first 2 digits of a CPV code) and per
//! matching profile — wins, the value that can honestly be summed, buyers, last win and the median
//! number of tenders received.
//!
//! Only values of kind `award` in one currency are added up (spend); framework ceilings and
//! estimates are kept apart and shown as the largest, never added up and never as spend
//! (shared/reference/awards.md §0.4).

use std::collections::HashMap;

use jiff::civil::Date;

use crate::model::{StoredAward, ValueKind};

/// What a group is keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FamilyKind {
    /// A CPV division: the first 2 digits of the notice's CPV codes.
    Cpv,
    /// A matching profile the award (or its competition notice) matched.
    Profile,
}

/// Amounts per currency, never added across currencies: (currency, sum, count, largest).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sums(Vec<(String, f64, usize, f64)>);

impl Sums {
    fn add(&mut self, currency: &str, value: f64) {
        match self.0.iter_mut().find(|(c, ..)| c == currency) {
            Some((_, sum, n, largest)) => {
                *sum += value;
                *n += 1;
                *largest = largest.max(value);
            }
            None => self.0.push((currency.to_owned(), value, 1, value)),
        }
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The sum per currency, "17 000 000 NOK + 536 437.72 EUR": for awarded values, which add up
    /// to spend.
    pub fn in_words(&self) -> String {
        self.0
            .iter()
            .map(|(c, v, ..)| crate::model::money::amount(*v, Some(c)))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// The value, or the count and the largest, per currency ("14 671 946 NOK", "3× up to
    /// 45 000 000 DKK"): for framework ceilings and estimates, whose sum would mean nothing.
    pub fn largest_in_words(&self) -> String {
        self.0
            .iter()
            .map(|(c, _, n, largest)| {
                let amount = crate::model::money::amount(*largest, Some(c));
                if *n == 1 {
                    amount
                } else {
                    format!("{n}× up to {amount}")
                }
            })
            .collect::<Vec<_>>()
            .join(" + ")
    }

    /// How many values were added.
    pub fn count(&self) -> usize {
        self.0.iter().map(|(_, _, n, _)| n).sum()
    }
}

/// One supplier within a group.
#[derive(Debug, Clone, PartialEq)]
pub struct IncumbentRow {
    /// The supplier's name as first seen (sanitised by the parsers).
    pub supplier: String,
    /// Award notices × lots won.
    pub wins: usize,
    /// Awarded values (kind `award`), per currency.
    pub spend: Sums,
    /// Framework ceilings, per currency: not spend.
    pub ceilings: Sums,
    /// Buyers' estimates, per currency.
    pub estimates: Sums,
    /// Distinct buyers, as first named.
    pub buyers: Vec<String>,
    /// The most recent award day (signed, else decided, else published).
    pub last_win: Option<Date>,
    /// Median tenders received over the wins that state it.
    pub median_tenders: Option<f64>,
    /// Wins that state tenders received.
    pub tenders_known: usize,
}

/// The suppliers of one CPV division or profile, most wins first.
#[derive(Debug, Clone, PartialEq)]
pub struct IncumbentGroup {
    /// CPV division or profile.
    pub kind: FamilyKind,
    /// "33 medical equipment, pharmaceuticals" or the profile's name.
    pub label: String,
    /// Suppliers, most wins first, then the latest win.
    pub rows: Vec<IncumbentRow>,
}

/// Accumulates one supplier's rows before the median is taken.
#[derive(Default)]
struct Tally {
    supplier: String,
    lots: Vec<(String, String)>,
    spend: Sums,
    ceilings: Sums,
    estimates: Sums,
    buyers: Vec<(String, String)>,
    last_win: Option<Date>,
    tenders: Vec<u32>,
}

/// The groups for `awards` (each with the profiles it counts for), CPV divisions first (by code),
/// then profiles (by name). Only awarded rows with a named winner count.
pub(crate) fn incumbents<'a>(awards: impl Iterator<Item = (&'a StoredAward, &'a [String])>) -> Vec<IncumbentGroup> {
    let mut groups: HashMap<(FamilyKind, String), HashMap<String, Tally>> = HashMap::new();
    for (stored, profiles) in awards {
        let award = &stored.award;
        let Some(winner) = award.winner_name.as_deref().filter(|_| award.is_awarded()) else {
            continue;
        };
        let supplier_key = crate::dedup::normalise_buyer_name(winner).unwrap_or_else(|| winner.to_lowercase());
        let mut divisions: Vec<&str> = award.cpv.iter().filter_map(|c| c.get(..2)).collect();
        divisions.sort_unstable();
        divisions.dedup();
        let families = divisions
            .into_iter()
            .map(|d| (FamilyKind::Cpv, d.to_owned()))
            .chain(profiles.iter().map(|p| (FamilyKind::Profile, p.clone())));
        for family in families {
            let tally = groups
                .entry(family)
                .or_default()
                .entry(supplier_key.clone())
                .or_insert_with(|| Tally {
                    supplier: winner.to_owned(),
                    ..Tally::default()
                });
            count(tally, stored);
        }
    }
    let mut out: Vec<IncumbentGroup> = groups
        .into_iter()
        .map(|((kind, key), suppliers)| {
            let mut rows: Vec<IncumbentRow> = suppliers.into_values().map(finish).collect();
            rows.sort_by(|a, b| {
                b.wins
                    .cmp(&a.wins)
                    .then(b.last_win.cmp(&a.last_win))
                    .then_with(|| a.supplier.cmp(&b.supplier))
            });
            let label = match kind {
                FamilyKind::Cpv => division_label(&key),
                FamilyKind::Profile => key,
            };
            IncumbentGroup { kind, label, rows }
        })
        .collect();
    out.sort_by(|a, b| (a.kind == FamilyKind::Profile, &a.label).cmp(&(b.kind == FamilyKind::Profile, &b.label)));
    out
}

fn count(tally: &mut Tally, stored: &StoredAward) {
    let award = &stored.award;
    let lot = (award.notice_id.as_str().to_owned(), award.lot_id.clone());
    let first_of_lot = !tally.lots.contains(&lot);
    if first_of_lot {
        tally.lots.push(lot);
        if let Some(n) = award.tenders_received {
            tally.tenders.push(n);
        }
    }
    if let (Some(value), Some(kind), Some(currency)) = (award.value, award.value_kind, award.currency.as_deref()) {
        let sums = match kind {
            ValueKind::Award => &mut tally.spend,
            ValueKind::FrameworkMax => &mut tally.ceilings,
            ValueKind::Estimate => &mut tally.estimates,
        };
        sums.add(currency, value);
    }
    let buyer_key = award
        .buyer_id
        .as_deref()
        .and_then(|id| crate::dedup::org_numbers(id).into_iter().next())
        .or_else(|| crate::dedup::normalise_buyer_name(&award.buyer))
        .unwrap_or_else(|| award.buyer.clone());
    if !award.buyer.is_empty() && !tally.buyers.iter().any(|(k, _)| *k == buyer_key) {
        tally.buyers.push((buyer_key, award.buyer.clone()));
    }
    let day = super::award_day(award);
    tally.last_win = tally.last_win.max(day);
}

fn finish(mut tally: Tally) -> IncumbentRow {
    tally.tenders.sort_unstable();
    let n = tally.tenders.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(f64::from(tally.tenders[n / 2])),
        _ => Some(f64::midpoint(
            f64::from(tally.tenders[n / 2 - 1]),
            f64::from(tally.tenders[n / 2]),
        )),
    };
    IncumbentRow {
        supplier: tally.supplier,
        wins: tally.lots.len(),
        spend: tally.spend,
        ceilings: tally.ceilings,
        estimates: tally.estimates,
        buyers: tally.buyers.into_iter().map(|(_, name)| name).collect(),
        last_win: tally.last_win,
        median_tenders: median,
        tenders_known: n,
    }
}

/// "33 medical equipment, pharmaceuticals": the division's code and, for the divisions health-tech
/// suppliers meet most, its name (the CPV 2008 division titles, shortened).
fn division_label(code: &str) -> String {
    let name = match code {
        "30" => "office and computing machinery",
        "32" => "radio, television, communication",
        "33" => "medical equipment, pharmaceuticals",
        "38" => "laboratory and precision equipment",
        "48" => "software packages",
        "50" => "repair and maintenance",
        "72" => "IT services",
        "73" => "research and development",
        "79" => "business services",
        "85" => "health and social work",
        "98" => "other community services",
        _ => "",
    };
    if name.is_empty() {
        format!("CPV {code}")
    } else {
        format!("CPV {code} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::Sums;

    #[test]
    fn spend_adds_up_per_currency_and_ceilings_show_their_largest() {
        let mut spend = Sums::default();
        for (currency, value) in [("EUR", 320_649.86), ("NOK", 17_000_000.0), ("EUR", 210_787.86)] {
            spend.add(currency, value);
        }
        assert_eq!(spend.in_words(), "531 437.72 EUR + 17 000 000 NOK");
        assert_eq!(spend.count(), 3);
        let mut ceilings = Sums::default();
        ceilings.add("NOK", 14_671_946.0);
        assert_eq!(ceilings.largest_in_words(), "14 671 946 NOK");
        ceilings.add("NOK", 45_000_000.0);
        assert_eq!(ceilings.largest_in_words(), "2× up to 45 000 000 NOK");
    }
}

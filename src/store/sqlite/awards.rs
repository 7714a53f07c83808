//! Contract awards: saving them (whole award notices at a time, so a later release or the XML of
//! a notice replaces what its search hit said), linking each award notice to the competition
//! notice it concludes, and the queries behind `anbud awards`.
//!
//! Linking is exact where a key is shared (eForms procedure id, legacy TED `REF_NOTICE`, OCDS
//! ocid, Doffin `ContractFolderID`), else `dedup`'s buyer + title matcher with a shared CPV
//! division, marked `inferred`; an award notice it cannot place stays unlinked (no `award_links`
//! row) and is tried again: by key after each poll's awards ([`Store::link_waiting_awards`]),
//! by every means by [`Store::relink_awards`] (`anbud awards --import`).

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::{Row, Transaction, params};

mod link;
mod polled;

use self::link::{competition_months, find_link, save_link};
pub use self::polled::PolledAwards;
use super::Store;
use crate::model::{
    Award, AwardLink, AwardStatus, CompetitionKeys, EndBasis, EndEstimate, FrameworkKind, LinkKeys, LinkMethod,
    NoticeId, Pairing, StoredAward, ValueKind,
};
use crate::store::StoreError;

/// Which stored awards [`Store::awards`] returns; every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwardQuery {
    /// Buyer name containing this (any letter case), or buyer id equal to it (digits compared).
    pub buyer: Option<String>,
    /// Winner name containing this (any letter case), or winner id equal to it (digits compared).
    pub winner: Option<String>,
    /// A CPV code of the notice starts with this.
    pub cpv_prefix: Option<String>,
    /// The estimated end lies in this range (inclusive); the rows come ordered by that end.
    pub ending: Option<(Date, Date)>,
    /// Only awards linked to a competition notice (what the dashboard shows on its notices).
    pub linked_only: bool,
}

/// What one [`Store::save_awards`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AwardSaveSummary {
    /// Rows written.
    pub rows: usize,
    /// Award notices they belong to.
    pub notices: usize,
    /// Of those, how many are linked to a competition notice.
    pub linked: usize,
}

fn sqlite(action: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |error| StoreError::Sqlite {
        action: action.to_owned(),
        error,
    }
}

impl Store {
    /// Saves award rows, replacing every stored row of the award notices they belong to (so a
    /// re-import is a no-op and a richer source supersedes a poorer one), and links each notice.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when a write fails; then nothing was written.
    pub fn save_awards(&mut self, awards: &[Award], at: Timestamp) -> Result<AwardSaveSummary, StoreError> {
        let action = format!("save {} award rows", awards.len());
        let tx = self.write_transaction(|| action.clone())?;
        let notices = by_notice(awards.iter());
        let mut linked = 0;
        for (id, rows) in &notices {
            tx.execute("DELETE FROM awards WHERE notice_id = ?1", [id.as_str()])
                .map_err(sqlite(&action))?;
            let Some(first) = rows.first() else { continue };
            let link = find_link(&tx, first).map_err(sqlite(&action))?;
            let months = match &link {
                Some(l) => competition_months(&tx, &l.competition).map_err(sqlite(&action))?,
                None => None,
            };
            for award in rows {
                insert(&tx, award, months, at).map_err(sqlite(&action))?;
            }
            if let Some(link) = link {
                save_link(&tx, id, &link, at).map_err(sqlite(&action))?;
                linked += 1;
            }
        }
        tx.commit().map_err(sqlite(&action))?;
        Ok(AwardSaveSummary {
            rows: awards.len(),
            notices: notices.len(),
            linked,
        })
    }

    /// Records what competition notices say for linking and estimating (procedure id, ocid,
    /// planned duration), replacing earlier keys of the same notices.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when a write fails; then nothing was written.
    pub fn save_competition_keys(&mut self, keys: &[CompetitionKeys]) -> Result<(), StoreError> {
        let action = format!("save the keys of {} competition notices", keys.len());
        let tx = self.write_transaction(|| action.clone())?;
        for k in keys {
            tx.execute(
                "INSERT OR REPLACE INTO competition_keys (notice_id, procedure_id, ocid, duration_months)
                 VALUES (?1, ?2, ?3, ?4)",
                params![k.notice_id.as_str(), k.procedure_id, k.ocid, k.duration_months],
            )
            .map_err(sqlite(&action))?;
        }
        tx.commit().map_err(sqlite(&action))
    }

    /// Tries again to link every unlinked award notice (competition notices may have arrived
    /// since); returns how many are linked now.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when a read or write fails; then nothing was written.
    pub fn relink_awards(&mut self, at: Timestamp) -> Result<usize, StoreError> {
        Ok(self.link_unlinked("", at)?.len())
    }

    /// Links the unlinked award notices that share an exact key with a stored competition
    /// notice (procedure id or contract folder, ocid, TED `REF_NOTICE`): what a poll runs after
    /// its notices are saved, so an award stored before its competition notice (the rest of a
    /// window read by a later poll) is placed then. Index look-ups only: the fuzzy match of
    /// [`Store::relink_awards`] over every unlinked award is too slow to run each poll.
    /// Returns the award notices linked.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when a read or write fails; then nothing was written.
    pub fn link_waiting_awards(&mut self, at: Timestamp) -> Result<Vec<NoticeId>, StoreError> {
        self.link_unlinked(
            "AND (a.procedure_id IN (SELECT procedure_id FROM competition_keys)
                  OR a.contract_folder IN (SELECT procedure_id FROM competition_keys)
                  OR a.ocid IN (SELECT ocid FROM competition_keys)
                  OR 'ted:' || a.ref_notice IN (SELECT id FROM notices))",
            at,
        )
    }

    /// Links the unlinked award notices that pass `filter` (SQL over `awards AS a`, starting
    /// with `AND`, or empty for all) where [`find_link`] places them; returns those linked.
    fn link_unlinked(&mut self, filter: &str, at: Timestamp) -> Result<Vec<NoticeId>, StoreError> {
        let action = "link stored awards to their competition notices";
        let unlinked: Vec<(Award, Option<EndEstimate>)> = {
            let mut stmt = self
                .conn
                .prepare(&format!(
                    "SELECT {COLUMNS} FROM awards AS a
                     WHERE a.notice_id NOT IN (SELECT award_notice_id FROM award_links) {filter}
                     ORDER BY a.notice_id, a.lot_id, a.seq"
                ))
                .map_err(sqlite(action))?;
            stmt.query_map([], award_from_row)
                .and_then(Iterator::collect)
                .map_err(sqlite(action))?
        };
        if unlinked.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<Award> = unlinked.into_iter().map(|(a, _)| a).collect();
        let mut linked = Vec::new();
        let tx = self.write_transaction(|| action.to_owned())?;
        for (id, group) in by_notice(rows.iter()) {
            let Some(first) = group.first() else { continue };
            let Some(link) = find_link(&tx, first).map_err(sqlite(action))? else {
                continue;
            };
            let months = competition_months(&tx, &link.competition).map_err(sqlite(action))?;
            for award in &group {
                insert(&tx, award, months, at).map_err(sqlite(action))?;
            }
            save_link(&tx, id, &link, at).map_err(sqlite(action))?;
            linked.push(id.clone());
        }
        tx.commit().map_err(sqlite(action))?;
        Ok(linked)
    }

    /// The stored awards that pass `query`: by estimated end when `query.ending` is given, else
    /// newest published first.
    ///
    /// # Errors
    /// [`StoreError::Sqlite`] when the read fails; [`StoreError::Corrupt`] for an unreadable row.
    pub fn awards(&self, query: &AwardQuery) -> Result<Vec<StoredAward>, StoreError> {
        let action = "read the stored awards";
        let order = if query.ending.is_some() {
            "a.est_end, a.notice_id, a.lot_id, a.seq"
        } else {
            "a.published IS NULL, a.published DESC, a.notice_id, a.lot_id, a.seq"
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS}, {LINKED} WHERE (?1 IS NULL OR a.est_end >= ?1) AND (?2 IS NULL OR a.est_end <= ?2)
                   AND (NOT ?3 OR l.competition_notice_id IS NOT NULL)
                 ORDER BY {order}"
            ))
            .map_err(sqlite(action))?;
        let (from, to) = query
            .ending
            .map_or((None, None), |(f, t)| (Some(f.to_string()), Some(t.to_string())));
        let rows = stmt
            .query_map(params![from, to, query.linked_only], stored_from_row)
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(sqlite(action))?;
        Ok(rows.into_iter().filter(|r| keeps(query, &r.award)).collect())
    }
}

/// The rows grouped by award notice, notices in order of first appearance: one pass, not a scan
/// of the batch per notice.
fn by_notice<'a>(awards: impl Iterator<Item = &'a Award>) -> Vec<(&'a NoticeId, Vec<&'a Award>)> {
    let mut index: HashMap<&NoticeId, usize> = HashMap::new();
    let mut groups: Vec<(&NoticeId, Vec<&Award>)> = Vec::new();
    for award in awards {
        let at = *index.entry(&award.notice_id).or_insert_with(|| {
            groups.push((&award.notice_id, Vec::new()));
            groups.len() - 1
        });
        if let Some((_, group)) = groups.get_mut(at) {
            group.push(award);
        }
    }
    groups
}

/// The filters applied in Rust: SQLite's `LIKE` folds ASCII letters only, and `Ø` must match `ø`.
fn keeps(query: &AwardQuery, award: &Award) -> bool {
    let matches = |needle: &Option<String>, name: Option<&str>, id: Option<&str>| {
        needle.as_deref().is_none_or(|needle| {
            let needle_lower = needle.to_lowercase();
            let by_name = name.is_some_and(|n| n.to_lowercase().contains(&needle_lower));
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            let by_id = id.is_some_and(|i| !digits(needle).is_empty() && digits(i) == digits(needle));
            by_name || by_id
        })
    };
    matches(&query.buyer, Some(&award.buyer), award.buyer_id.as_deref())
        && matches(
            &query.winner,
            award.winner_name.as_deref(),
            award.winner_org_id.as_deref(),
        )
        && query
            .cpv_prefix
            .as_deref()
            .is_none_or(|p| award.cpv.iter().any(|c| c.starts_with(p.trim())))
}

/// The award columns, in the order [`award_from_row`] reads them.
const COLUMNS: &str = "a.notice_id, a.lot_id, a.seq, a.title, a.buyer, a.buyer_id, a.cpv, a.winner_name,
    a.winner_org_id, a.winner_country, a.value, a.currency, a.value_kind, a.tenders_received, a.decision_date,
    a.conclusion_date, a.start_date, a.end_date, a.duration_months, a.est_end, a.end_basis, a.status, a.pairing,
    a.unpaired_winner_ids, a.procedure_id, a.ref_notice, a.ocid, a.contract_folder, a.published, a.url,
    a.framework_kind";

/// Where the link columns start, after [`COLUMNS`].
const LINK_AT: usize = 31;

/// The link columns and the joins [`stored_from_row`] reads after [`COLUMNS`], up to `WHERE`.
const LINKED: &str = "l.competition_notice_id, l.method, l.score, k.duration_months
    FROM awards AS a
    LEFT JOIN award_links AS l ON l.award_notice_id = a.notice_id
    LEFT JOIN competition_keys AS k ON k.notice_id = l.competition_notice_id";

/// A row of a `SELECT {COLUMNS}, {LINKED}` query: the award, its estimate, its link and the linked notice's duration.
fn stored_from_row(row: &Row<'_>) -> rusqlite::Result<StoredAward> {
    let (award, end) = award_from_row(row)?;
    let link = match (
        row.get::<_, Option<String>>(LINK_AT)?,
        row.get::<_, Option<String>>(LINK_AT + 1)?,
    ) {
        (Some(id), Some(method)) => LinkMethod::parse(&method).map(|method| AwardLink {
            competition: NoticeId(id),
            method,
            score: row
                .get::<_, Option<i64>>(LINK_AT + 2)
                .ok()
                .flatten()
                .and_then(|s| u8::try_from(s).ok()),
        }),
        _ => None,
    };
    let months = row
        .get::<_, Option<i64>>(LINK_AT + 3)?
        .and_then(|m| u32::try_from(m).ok());
    Ok(StoredAward {
        award,
        end,
        link,
        linked_cn_months: months,
    })
}

fn date_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Date>> {
    Ok(row.get::<_, Option<String>>(i)?.and_then(|s| s.parse().ok()))
}

fn count_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<u32>> {
    Ok(row.get::<_, Option<i64>>(i)?.and_then(|n| u32::try_from(n).ok()))
}

fn corrupt(i: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("unknown {what}").into())
}

fn award_from_row(row: &Row<'_>) -> rusqlite::Result<(Award, Option<EndEstimate>)> {
    let json_list = |i: usize| -> rusqlite::Result<Vec<String>> {
        Ok(serde_json::from_str(&row.get::<_, String>(i)?).unwrap_or_default())
    };
    let status: String = row.get(21)?;
    let pairing: String = row.get(22)?;
    let basis: String = row.get(20)?;
    let award = Award {
        notice_id: NoticeId(row.get(0)?),
        lot_id: row.get(1)?,
        seq: u32::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
        title: row.get(3)?,
        buyer: row.get(4)?,
        buyer_id: row.get(5)?,
        cpv: json_list(6)?,
        winner_name: row.get(7)?,
        winner_org_id: row.get(8)?,
        winner_country: row.get(9)?,
        value: row.get(10)?,
        currency: row.get(11)?,
        value_kind: row.get::<_, Option<String>>(12)?.and_then(|k| ValueKind::parse(&k)),
        framework_kind: row.get::<_, Option<String>>(30)?.and_then(|k| FrameworkKind::parse(&k)),
        tenders_received: count_at(row, 13)?,
        decision_date: date_at(row, 14)?,
        conclusion_date: date_at(row, 15)?,
        start: date_at(row, 16)?,
        end: date_at(row, 17)?,
        duration_months: count_at(row, 18)?,
        status: AwardStatus::parse(&status).ok_or_else(|| corrupt(21, "status"))?,
        pairing: Pairing::parse(&pairing).ok_or_else(|| corrupt(22, "pairing"))?,
        unpaired_winner_ids: json_list(23)?,
        keys: LinkKeys {
            procedure_id: row.get(24)?,
            ref_notice: row.get(25)?,
            ocid: row.get(26)?,
            contract_folder: row.get(27)?,
        },
        published: date_at(row, 28)?,
        url: row.get(29)?,
    };
    let basis = EndBasis::parse(&basis).ok_or_else(|| corrupt(20, "end basis"))?;
    let end = date_at(row, 19)?.map(|end| EndEstimate { end, basis });
    Ok((award, end))
}

fn insert(tx: &Transaction<'_>, a: &Award, linked_cn_months: Option<u32>, at: Timestamp) -> rusqlite::Result<()> {
    let estimate = a.estimated_end(linked_cn_months);
    let date = |d: Option<Date>| d.map(|d| d.to_string());
    // Lists of strings always serialise.
    let list = |l: &[String]| serde_json::to_string(l).unwrap_or_else(|_| "[]".to_owned());
    tx.prepare_cached(
        "INSERT OR REPLACE INTO awards (notice_id, lot_id, seq, title, buyer, buyer_id, cpv, winner_name,
            winner_org_id, winner_country, value, currency, value_kind, tenders_received, decision_date,
            conclusion_date, start_date, end_date, duration_months, est_end, end_basis, status, pairing,
            unpaired_winner_ids, procedure_id, ref_notice, ocid, contract_folder, published, url, saved_at,
            framework_kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
            ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)",
    )?
    .execute(params![
        a.notice_id.as_str(),
        a.lot_id,
        a.seq,
        a.title,
        a.buyer,
        a.buyer_id,
        list(&a.cpv),
        a.winner_name,
        a.winner_org_id,
        a.winner_country,
        a.value,
        a.currency,
        a.value_kind.map(ValueKind::as_str),
        a.tenders_received,
        date(a.decision_date),
        date(a.conclusion_date),
        date(a.start),
        date(a.end),
        a.duration_months,
        date(estimate.map(|e| e.end)),
        estimate.map_or(EndBasis::None, |e| e.basis).as_str(),
        a.status.as_str(),
        a.pairing.as_str(),
        list(&a.unpaired_winner_ids),
        a.keys.procedure_id,
        a.keys.ref_notice,
        a.keys.ocid,
        a.keys.contract_folder,
        date(a.published),
        a.url,
        at.to_string(),
        a.framework_kind.map(FrameworkKind::as_str),
    ])?;
    Ok(())
}

//! Finding the competition notice an award notice concludes: by a shared key (eForms procedure
//! id, legacy TED `REF_NOTICE`, OCDS ocid, Doffin `ContractFolderID`), else by `dedup`'s buyer and
//! title test with a shared CPV division, marked `inferred`.

use std::collections::HashSet;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::dedup::{Fingerprint, TITLE_THRESHOLD};
use crate::model::{Award, AwardLink, CodeList, LinkMethod, Notice, NoticeId};

/// Candidates compared per buyer key in the inferred match: a buyer's most recent notices.
const FUZZY_CANDIDATES: i64 = 500;

/// Records (or replaces) the link of award notice `award`.
pub(super) fn save_link(
    tx: &Transaction<'_>,
    award: &NoticeId,
    link: &AwardLink,
    at: Timestamp,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO award_links (award_notice_id, competition_notice_id, method, score, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            award.as_str(),
            link.competition.as_str(),
            link.method.as_str(),
            link.score,
            at.to_string()
        ],
    )?;
    Ok(())
}

/// The planned duration the competition notice `id` gave, if its keys were recorded.
pub(super) fn competition_months(tx: &Transaction<'_>, id: &NoticeId) -> rusqlite::Result<Option<u32>> {
    let months: Option<Option<i64>> = tx
        .query_row(
            "SELECT duration_months FROM competition_keys WHERE notice_id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(months.flatten().and_then(|m| u32::try_from(m).ok()))
}

/// The competition notice `award` concludes: by a shared key first, else by the inferred match.
pub(super) fn find_link(tx: &Transaction<'_>, award: &Award) -> rusqlite::Result<Option<AwardLink>> {
    let by_key = |sql: &str, key: &Option<String>, method| -> rusqlite::Result<Option<AwardLink>> {
        let Some(key) = key else { return Ok(None) };
        let found: Option<String> = tx
            .query_row(sql, params![key, award.notice_id.as_str()], |r| r.get(0))
            .optional()?;
        Ok(found.map(|id| AwardLink {
            competition: NoticeId(id),
            method,
            score: None,
        }))
    };
    const BY_PROCEDURE: &str =
        "SELECT notice_id FROM competition_keys WHERE procedure_id = ?1 AND notice_id != ?2 ORDER BY notice_id LIMIT 1";
    let keys = &award.keys;
    for (sql, key, method) in [
        (BY_PROCEDURE, &keys.procedure_id, LinkMethod::ProcedureId),
        (BY_PROCEDURE, &keys.contract_folder, LinkMethod::ContractFolder),
        (
            "SELECT id FROM notices WHERE source = 'ted' AND native_id = ?1 AND id != ?2 LIMIT 1",
            &keys.ref_notice,
            LinkMethod::RefNotice,
        ),
        (
            "SELECT notice_id FROM competition_keys WHERE ocid = ?1 AND notice_id != ?2 ORDER BY notice_id LIMIT 1",
            &keys.ocid,
            LinkMethod::Ocid,
        ),
    ] {
        if let Some(link) = by_key(sql, key, method)? {
            return Ok(Some(link));
        }
    }
    inferred_link(tx, award)
}

/// `dedup`'s buyer and title test against the buyer's stored competition notices (those with a
/// deadline, filed in `dedup_keys`), plus a shared CPV division when both name codes. The most
/// alike title at or above the threshold wins.
fn inferred_link(tx: &Transaction<'_>, award: &Award) -> rusqlite::Result<Option<AwardLink>> {
    let probe = award.as_notice();
    let fingerprint = Fingerprint::of(&probe);
    let division = |cpv: &CodeList| {
        cpv.iter()
            .filter_map(|c| c.get(..2).map(str::to_owned))
            .collect::<HashSet<_>>()
    };
    let ours = division(&probe.cpv);
    let mut stmt = tx.prepare_cached(
        "SELECT DISTINCT n.id, n.notice_json FROM dedup_keys AS k JOIN notices AS n ON n.id = k.notice_id
         WHERE k.buyer_key = ?1 ORDER BY n.published DESC LIMIT ?2",
    )?;
    let mut best: Option<(u8, String)> = None;
    for key in fingerprint.buyer_keys() {
        let candidates: Vec<(String, String)> = stmt
            .query_map(params![key.index_text(), FUZZY_CANDIDATES], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (id, json) in candidates {
            let Ok(notice) = serde_json::from_str::<Notice>(&json) else {
                continue;
            };
            let theirs = division(&notice.cpv);
            if !ours.is_empty() && !theirs.is_empty() && ours.is_disjoint(&theirs) {
                continue;
            }
            let percent = fingerprint.title_percent(&Fingerprint::of(&notice));
            if percent >= TITLE_THRESHOLD && best.as_ref().is_none_or(|(p, _)| percent > *p) {
                best = Some((percent, id));
            }
        }
        if best.is_some() {
            break;
        }
    }
    Ok(best.map(|(percent, id)| AwardLink {
        competition: NoticeId(id),
        method: LinkMethod::Inferred,
        score: Some(percent),
    }))
}

//! `anbud digest`: the four sections over a frozen clock, as a Markdown golden file.

use anbud::export::digest::{DigestFormat, DigestOptions, render};
use anbud::model::{Notice, NoticeId, NoticeRecord, Relevance, Triage};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// A matched notice; `published`/`deadline` are RFC 3339 or None.
fn notice(id: &str, title: &str, score: i32, published: Option<&str>, deadline: Option<&str>) -> NoticeRecord {
    let (source, native) = id.split_once(':').expect("source:native");
    NoticeRecord::new(
        Notice {
            id: NoticeId::new(source, native),
            source: source.to_owned(),
            native_id: native.to_owned(),
            title: title.to_owned(),
            titles: Default::default(),
            description: String::new(),
            buyer: "Helse Bergen HF".to_owned(),
            country: Some("NOR".into()),
            cpv: vec!["33100000".to_owned()].into(),
            published: published.map(ts),
            deadline: deadline.map(ts),
            value: None,
            currency: None,
            questions_deadline: None,
            buyer_id: None,
            nuts: Vec::new(),
            notice_type: Some(
                if source == "ted" {
                    "cn-standard"
                } else {
                    "ANNOUNCEMENT_OF_COMPETITION"
                }
                .into(),
            ),
            url: format!("https://example.test/{native}"),
        },
        Relevance {
            score,
            matched: true,
            ..Relevance::default()
        },
    )
}

fn records() -> Vec<NoticeRecord> {
    let mut award = notice(
        "ted:900-2026",
        "Tildeling: MR-maskin",
        9,
        Some("2026-11-21T10:00:00Z"),
        None,
    );
    award.notice.notice_type = Some("can-standard".into());
    let mut doffin_award = notice(
        "doffin:2026-500",
        "Kontrakt inngått: EPJ",
        6,
        Some("2026-11-22T05:00:00Z"),
        None,
    );
    doffin_award.notice.notice_type = Some("ANNOUNCEMENT_OF_CONCLUSION_OF_CONTRACT".into());
    let mut old_award = notice("ted:800-2026", "Old award", 9, Some("2026-10-01T10:00:00Z"), None);
    old_award.notice.notice_type = Some("can-standard".into());
    let mut unmatched = notice(
        "ted:700-2026",
        "Unmatched catering",
        0,
        Some("2026-11-22T01:00:00Z"),
        Some("2026-11-25T12:00:00Z"),
    );
    unmatched.relevance.matched = false;
    // A followed notice whose deadline a re-fetch moved; the unmatched one's change is not shown.
    award.edit_user(|u| {
        u.changes = vec![anbud::model::FieldChange {
            field: "deadline".to_owned(),
            old: "2026-12-01T11:00:00Z".to_owned(),
            new: "2026-12-08T11:00:00Z".to_owned(),
        }];
    });
    let changes = award.changes().to_vec();
    unmatched.edit_user(|u| u.changes = changes);
    let mut rejected = notice(
        "ted:600-2026",
        "Rejected ultralyd",
        8,
        Some("2026-11-22T01:00:00Z"),
        Some("2026-11-24T12:00:00Z"),
    );
    rejected.triage = Triage::Rejected;
    let mut shortlisted = notice(
        "doffin:2026-100",
        "Ultralyd *Sørlandet* [haster](http://evil.test)",
        12,
        Some("2026-11-01T08:00:00Z"),
        Some("2026-11-27T11:00:00Z"),
    );
    shortlisted.triage = Triage::Shortlisted;
    vec![
        shortlisted,
        notice(
            "ted:100-2026",
            "Velferdsteknologi, trygghetsalarmer",
            7,
            Some("2026-11-21T22:30:00Z"),
            Some("2026-12-20T11:00:00Z"),
        ),
        notice(
            "ted:101-2026",
            "Closes tomorrow: MR",
            5,
            Some("2026-10-20T08:00:00Z"),
            Some("2026-11-23T23:00:00Z"),
        ),
        notice(
            "ted:102-2026",
            "Closed yesterday",
            5,
            Some("2026-10-20T08:00:00Z"),
            Some("2026-11-21T12:00:00Z"),
        ),
        notice(
            "ted:103-2026",
            "Closes in 8 days",
            5,
            Some("2026-10-20T08:00:00Z"),
            Some("2026-11-30T12:00:00Z"),
        ),
        notice(
            "ted:104-2026",
            "New, no deadline",
            4,
            Some("2026-11-22T06:00:00Z"),
            None,
        ),
        award,
        doffin_award,
        old_award,
        unmatched,
        rejected,
    ]
}

fn options(format: DigestFormat, since: SignedDuration) -> DigestOptions {
    DigestOptions {
        now: ts("2026-11-22T07:00:00Z"),
        since,
        timezone: TimeZone::get("Europe/Oslo").expect("bundled tzdb"),
        format,
    }
}

#[test]
fn markdown_digest() {
    insta::assert_snapshot!(render(
        &records(),
        &options(DigestFormat::Markdown, SignedDuration::from_hours(24))
    ));
}

#[test]
fn text_digest() {
    insta::assert_snapshot!(render(
        &records(),
        &options(DigestFormat::Text, SignedDuration::from_hours(24))
    ));
}

#[test]
fn an_empty_store_says_so_in_every_section() {
    let text = render(&[], &options(DigestFormat::Markdown, SignedDuration::from_hours(168)));
    assert!(text.contains("Nothing matched closes in the next 7 days."), "{text}");
    assert!(text.contains("No new matches published in the last 7d."), "{text}");
    assert!(
        text.contains("No award notices matching your profile published in the last 7d."),
        "{text}"
    );
    assert!(
        text.contains("No notice you follow has changed since you last looked."),
        "{text}"
    );
}

#[test]
fn only_web_links_become_markdown_links() {
    let mut records = records();
    records[1].notice.url = "javascript:alert(1)".to_owned();
    let text = render(
        &records,
        &options(DigestFormat::Markdown, SignedDuration::from_hours(24)),
    );
    assert!(!text.contains("](<javascript:"), "{text}");
    assert!(text.contains("· Velferdsteknologi, trygghetsalarmer\n"), "{text}");
}

/// Awards as the store hands them out (estimates and links worked out), from the recorded
/// payloads: TED 291981-2026 (3 lots, 2 winners), the trimmed Contracts Finder package (NHS, North
/// Tees laundry to 2026-07-04) and the legacy VEAT 682047-2022 (a framework's 14.67 m NOK ceiling).
fn stored_awards() -> Vec<anbud::model::StoredAward> {
    use anbud::feeds::awards::{ocds, ted_legacy, ted_search};
    let mut store = anbud::store::Store::open_in_memory().expect("store");
    let mut rows =
        ted_search::parse(include_bytes!("../fixtures/awards/wrapped-ted-can-291981-2026.json")).expect("TED");
    rows.extend(
        ocds::parse(include_bytes!(
            "../fixtures/awards/cf-release-package-2022-awards-trimmed.json"
        ))
        .expect("CF"),
    );
    rows.extend(
        ted_legacy::parse(include_bytes!(
            "../fixtures/awards/notice-legacy-r209-veat-682047-2022.xml"
        ))
        .expect("VEAT")
        .awards(),
    );
    store.save_awards(&rows, ts("2026-01-01T00:00:00Z")).expect("saved");
    store.awards(&anbud::store::AwardQuery::default()).expect("read")
}

/// A morning in 2026 whose window reaches back over every recorded award.
fn award_options(format: DigestFormat) -> DigestOptions {
    DigestOptions {
        now: ts("2026-06-01T05:00:00Z"),
        since: SignedDuration::from_hours(5 * 365 * 24),
        timezone: TimeZone::get("Europe/Oslo").expect("bundled tzdb"),
        format,
    }
}

fn awards_digest(format: DigestFormat) -> String {
    anbud::export::digest::render_with_awards(
        &[],
        &stored_awards(),
        anbud::model::RetenderLead::default(),
        &award_options(format),
    )
}

#[test]
fn awards_digest_markdown() {
    insta::assert_snapshot!(awards_digest(DigestFormat::Markdown));
}

#[test]
fn awards_digest_text() {
    insta::assert_snapshot!(awards_digest(DigestFormat::Text));
}

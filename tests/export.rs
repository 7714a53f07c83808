//! CSV export: column layout, quoting, the formula guard on hostile feed text, and the atomic file write.

use std::collections::BTreeMap;

use anbud::export::{write_csv, write_csv_file};
use anbud::model::{Field, Hit, Notice, NoticeId, NoticeRecord, Relevance, RuleKind, Triage};
use jiff::Timestamp;

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

/// Test record builder: `record("ted:1").title("…").triage(..).build()`.
struct RecordBuilder(NoticeRecord);

fn record(id: &str) -> RecordBuilder {
    let (source, native) = id.split_once(':').expect("source:native");
    RecordBuilder(NoticeRecord {
        notice: Notice {
            id: NoticeId::new(source, native),
            source: source.to_owned(),
            native_id: native.to_owned(),
            title: format!("Notice {native}"),
            titles: BTreeMap::new(),
            description: String::new(),
            buyer: "Oslo universitetssykehus HF".to_owned(),
            country: Some("NOR".to_owned()),
            cpv: vec!["33100000".to_owned(), "33110000".to_owned()],
            published: Some(ts("2026-11-01T08:00:00Z")),
            deadline: Some(ts("2026-12-15T11:00:00Z")),
            value: Some(2_500_000.0),
            currency: Some("NOK".to_owned()),
            notice_type: None,
            url: format!("https://example.test/{native}"),
        },
        relevance: Relevance {
            score: 8,
            matched: true,
            hits: vec![hit("ultralyd", 5), hit("ultrasound", 3), hit("ultralyd", 5)],
            profiles: Vec::new(),
            badges: Vec::new(),
        },
        triage: Triage::Shortlisted,
        note: String::new(),
    })
}

fn hit(rule: &str, weight: i32) -> Hit {
    Hit {
        kind: RuleKind::Include,
        rule: rule.to_owned(),
        field: Field::Title,
        start: 0,
        end: rule.len(),
        weight,
    }
}

impl RecordBuilder {
    fn title(mut self, title: &str) -> Self {
        title.clone_into(&mut self.0.notice.title);
        self
    }
    fn buyer(mut self, buyer: &str) -> Self {
        buyer.clone_into(&mut self.0.notice.buyer);
        self
    }
    fn note(mut self, note: &str) -> Self {
        note.clone_into(&mut self.0.note);
        self
    }
    fn bare(mut self) -> Self {
        let n = &mut self.0.notice;
        (n.country, n.deadline, n.published, n.value, n.currency) = (None, None, None, None, None);
        n.cpv.clear();
        self.0.relevance = Relevance::default();
        self.0.triage = Triage::New;
        self
    }
    fn build(self) -> NoticeRecord {
        self.0
    }
}

fn sample() -> Vec<NoticeRecord> {
    vec![
        record("doffin:2026-0012")
            .title("Ultralydapparater til Sørlandet sykehus, Kristiansand")
            .buyer("Sykehuset Innlandet HF; Helse Møre og Romsdal")
            .note("Spør om \"demo\" før frist,\nring Åse")
            .build(),
        record("ted:367831-2026")
            .title("=HYPERLINK(\"http://x\")")
            .buyer("-2+3")
            .note("@SUM(A1)")
            .build(),
        record("ted:1-2026")
            .title("\tfoo")
            .buyer("+47 22 00 00 00")
            .bare()
            .build(),
    ]
}

fn csv_text(records: &[NoticeRecord]) -> String {
    let mut out = Vec::new();
    let n = write_csv(&mut out, records).expect("write");
    assert_eq!(n, records.len());
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn csv_has_the_columns_quoting_and_formula_guard() {
    insta::assert_snapshot!(csv_text(&sample()));
}

#[test]
fn every_hostile_cell_is_neutralized_and_round_trips_as_text() {
    let text = csv_text(&sample());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), 3);
    for row in &rows {
        for (column, cell) in headers.iter().zip(row) {
            // score and value are ours and numeric; everything else came from a feed or the user.
            if column != "score" && column != "value" {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{column}: {cell:?}"
                );
            }
        }
    }
    assert_eq!(&rows[1][2], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&rows[0][13], "Spør om \"demo\" før frist,\nring Åse");
}

#[test]
fn the_file_write_replaces_the_target_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("anbud-shortlist-20261122-2015.csv");
    std::fs::write(&path, "old export").expect("old file");

    let n = write_csv_file(&path, &sample()).expect("export");
    assert_eq!(n, 3);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), csv_text(&sample()));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, [path.file_name().expect("name")]);
}

#[test]
fn a_missing_directory_is_an_error_naming_the_path_and_leaves_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("missing").join("out.csv");
    let err = write_csv_file(&path, &sample()).expect_err("no directory");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
}

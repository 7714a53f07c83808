//! Exports: CSV column layout, quoting, delimiters, BOM and the formula guard on hostile feed text;
//! JSON lines; the iCalendar file; the atomic file write.

use anbud::export::{ExportOptions, Format, write_file, write_to};
use anbud::model::{Field, Hit, Notice, NoticeId, NoticeRecord, Relevance, RuleKind, Triage};
use jiff::Timestamp;
use jiff::tz::TimeZone;

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
            titles: Default::default(),
            description: String::new(),
            buyer: "Oslo universitetssykehus HF".to_owned(),
            country: Some("NOR".into()),
            cpv: vec!["33100000".to_owned(), "33110000".to_owned()].into(),
            published: Some(ts("2026-11-01T08:00:00Z")),
            deadline: Some(ts("2026-12-15T11:00:00Z")),
            value: Some(2_500_000.0),
            currency: Some("NOK".into()),
            questions_deadline: None,
            buyer_id: None,
            nuts: Vec::new(),
            notice_type: None,
            url: format!("https://example.test/{native}"),
        },
        relevance: Relevance {
            score: 8,
            matched: true,
            hits: vec![hit("ultralyd", 5), hit("ultrasound", 3), hit("ultralyd", 5)],
            profiles: Vec::new(),
            badges: Default::default(),
        },
        triage: Triage::Shortlisted,
        ..NoticeRecord::new(Notice::blank("", "", ""), Relevance::default())
    })
}

fn hit(rule: &str, weight: i32) -> Hit {
    Hit {
        kind: RuleKind::Include,
        rule: rule.into(),
        field: Field::Title,
        start: 0,
        end: u32::try_from(rule.len()).expect("short rule"),
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
        self.0.edit_user(|u| note.clone_into(&mut u.note));
        self
    }
    fn deadline(mut self, deadline: Option<&str>) -> Self {
        self.0.notice.deadline = deadline.map(ts);
        self
    }
    fn questions(mut self, at: &str) -> Self {
        self.0.notice.questions_deadline = Some(ts(at));
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
    let n = write_to(&mut out, records, &ExportOptions::default()).expect("write");
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

    let n = write_file(&path, &sample(), &ExportOptions::default()).expect("export");
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
    let err = write_file(&path, &sample(), &ExportOptions::default()).expect_err("no directory");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
}

fn oslo() -> TimeZone {
    TimeZone::get("Europe/Oslo").expect("bundled tzdb")
}

fn options(format: Format) -> ExportOptions {
    ExportOptions {
        format,
        delimiter: b',',
        bom: false,
        timezone: oslo(),
        now: ts("2026-11-22T20:15:00Z"),
        columns: None,
    }
}

fn export_bytes(records: &[NoticeRecord], options: &ExportOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(&mut out, records, options).expect("export");
    out
}

/// Titles built to escape a cell once a spreadsheet splits on `,` or `;`, whichever the locale uses.
fn hostile() -> Vec<NoticeRecord> {
    vec![
        record("ted:10-2026")
            .title("Rammeavtale;=1+1")
            .buyer("a,@SUM(1)")
            .build(),
        record("ted:11-2026")
            .title("=cmd|' /C calc'!A0;x")
            .buyer(";=HYPERLINK(\"http://x\")")
            .build(),
        record("ted:12-2026").title(" -3+4").buyer("\r=2").note("x\n=3").build(),
        record("ted:13-2026")
            .title("Æøå \"sitat\"; ærlig")
            .buyer("Helse Sør-Øst RHF")
            .build(),
    ]
}

const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

#[test]
fn semicolon_csv_in_the_users_zone_with_bom() {
    let options = ExportOptions {
        delimiter: b';',
        bom: true,
        ..options(Format::Csv)
    };
    let bytes = export_bytes(&sample(), &options);
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 BOM first");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    assert!(!text.contains('\u{feff}'), "exactly one BOM");
    insta::assert_snapshot!(text);
}

#[test]
fn hostile_cells_stay_text_whichever_separator_the_spreadsheet_splits_on() {
    for written in [b',', b';'] {
        let options = ExportOptions {
            delimiter: written,
            ..options(Format::Csv)
        };
        let text = String::from_utf8(export_bytes(&hostile(), &options)).expect("utf-8");
        if written == b';' {
            insta::assert_snapshot!("hostile_semicolon", text);
        } else {
            insta::assert_snapshot!("hostile_comma", text);
        }
        // Read with the right separator and with the wrong one (a locale mismatch): no cell may start
        // like a formula, except our own numbers.
        for read in [b',', b';'] {
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(read)
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            for row in reader.records() {
                let row = row.expect("parses");
                for cell in &row {
                    let numeric = cell.parse::<f64>().is_ok();
                    assert!(
                        numeric || !cell.starts_with(FORMULA_START),
                        "written with {:?}, read with {:?}: {cell:?}",
                        char::from(written),
                        char::from(read)
                    );
                }
            }
        }
        // With the right separator every row has exactly the 15 columns.
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(written)
            .from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|r| r.len() == 15));
        assert_eq!(&rows[0][2], "Rammeavtale;'=1+1");
        assert_eq!(&rows[1][2], "'=cmd|' /C calc'!A0;x");
        assert_eq!(
            &rows[2][2], " -3+4",
            "leading space is kept (quoted), a spreadsheet reads text"
        );
        assert_eq!(&rows[3][2], "Æøå \"sitat\"; ærlig");
    }
}

#[test]
fn csv_dates_carry_the_zone_offset_and_values_have_no_fraction() {
    let text = String::from_utf8(export_bytes(&sample()[..1], &options(Format::Csv))).expect("utf-8");
    assert!(
        text.contains(",2026-12-15T12:00:00+01:00,2026-11-01T09:00:00+01:00,2500000,NOK,"),
        "{text}"
    );
}

/// A column name means the same in CSV as in JSON: `key` is anbud's `source:id`, `id` the
/// source's own id.
#[test]
fn csv_key_and_id_columns_carry_what_json_key_and_id_carry() {
    let csv_options = ExportOptions {
        columns: Some(vec!["key", "id", "title"]),
        ..options(Format::Csv)
    };
    let csv = String::from_utf8(export_bytes(&sample(), &csv_options)).expect("utf-8");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.headers().expect("headers"), vec!["key", "id", "title"]);
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("rows");
    let json = String::from_utf8(export_bytes(&sample(), &options(Format::Json))).expect("utf-8");
    for (row, line) in rows.iter().zip(json.lines()) {
        let value: serde_json::Value = serde_json::from_str(line).expect("json");
        assert_eq!(Some(&row[0]), value["key"].as_str(), "{line}");
        assert_eq!(Some(&row[1]), value["id"].as_str(), "{line}");
    }
    assert_eq!(rows.len(), 3);
    assert!(anbud::export::HEADER.contains(&"key") && !anbud::export::HEADER.contains(&"id"));
}

#[test]
fn json_lines_have_the_list_json_fields() {
    let text = String::from_utf8(export_bytes(&sample(), &options(Format::Json))).expect("utf-8");
    for line in text.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("one object per line");
        let keys: Vec<&str> = value.as_object().expect("object").keys().map(String::as_str).collect();
        let mut expected = [
            "source",
            "id",
            "key",
            "title",
            "buyer",
            "country",
            "cpv",
            "deadline",
            "published",
            "score",
            "matched",
            "matched_terms",
            "status",
            "note",
            "tags",
            "reject_reason",
            "questions_deadline",
            "url",
            "also_on",
        ];
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }
    insta::assert_snapshot!(text);
}

fn calendar(records: &[NoticeRecord], now: &str) -> String {
    let options = ExportOptions {
        now: ts(now),
        ..options(Format::Ics)
    };
    String::from_utf8(export_bytes(records, &options)).expect("utf-8")
}

fn calendar_records() -> Vec<NoticeRecord> {
    let mut records = sample();
    records.extend(hostile());
    records.push(
        record("doffin:2026-0099")
            .title("Lang tittel: ".repeat(12).as_str())
            .note("notes never leave anbud in a calendar")
            .deadline(Some("2027-01-04T23:00:00Z"))
            .questions("2026-12-18T11:00:00Z")
            .build(),
    );
    records[3] = record("ted:10-2026")
        .title("Injected\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:owned")
        .buyer("a\\b, c; d")
        .build();
    records
}

#[test]
fn ics_golden() {
    insta::assert_snapshot!(calendar(&calendar_records(), "2026-11-22T20:15:00Z"));
}

#[test]
fn ics_structure_is_valid_and_uids_are_stable() {
    let first = calendar(&calendar_records(), "2026-11-22T20:15:00Z");
    let second = calendar(&calendar_records(), "2026-11-23T07:00:00Z");
    for text in [&first, &second] {
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "bare LF");
        assert!(!text.replace("\r\n", "").contains('\r'), "bare CR");
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        for line in &lines {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        // Unfold (RFC 5545 §3.1), then check BEGIN/END nesting.
        let unfolded = text.replace("\r\n ", "");
        let mut stack = Vec::new();
        for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
            let (name, value) = line.split_once(':').expect("name:value");
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '-'),
                "{line:?}"
            );
            match name {
                "BEGIN" => stack.push(value.to_owned()),
                "END" => assert_eq!(stack.pop().as_deref(), Some(value), "unbalanced {value}"),
                _ => assert!(!stack.is_empty(), "property outside a component: {line:?}"),
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        assert!(
            !unfolded.contains("notes never leave"),
            "notes are not exported to calendars"
        );
    }
    let uids = |text: &str| -> Vec<String> {
        text.replace("\r\n ", "")
            .split("\r\n")
            .filter_map(|l| l.strip_prefix("UID:").map(str::to_owned))
            .collect()
    };
    let (a, b) = (uids(&first), uids(&second));
    // sample()[2] has no deadline: it gets no event; the Doffin notice also has a questions deadline.
    assert_eq!(a.len(), calendar_records().len());
    assert!(a.contains(&"questions-doffin-2026-0099@anbud".to_owned()), "{a:?}");
    assert!(first.contains("SUMMARY:Questions close: Lang tittel"), "{first}");
    assert_eq!(a, b, "same UIDs in the next export, so a re-import updates");
    let unique: std::collections::HashSet<_> = a.iter().collect();
    assert_eq!(unique.len(), a.len());
    assert!(a.contains(&"ted-367831-2026@anbud".to_owned()), "{a:?}");
    assert_ne!(first, second, "DTSTAMP follows the export time");
}

#[test]
fn every_format_writes_atomically_to_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    for format in [Format::Csv, Format::Json, Format::Ics] {
        let path = dir.path().join(format!("out.{}", format.extension()));
        let n = write_file(&path, &sample(), &options(format)).expect("export");
        let expected = if format == Format::Ics { 2 } else { 3 };
        assert_eq!(n, expected, "{format:?}");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            export_bytes(&sample(), &options(format))
        );
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        3,
        "no temporary files left"
    );
}

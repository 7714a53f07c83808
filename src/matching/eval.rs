//! Relevance evaluation over labelled notices: the JSONL format of `../shared/eval/`, its
//! conversion to [`Notice`], confusion counts overall and per language, and the report that
//! `anbud eval` prints and the relevance tests assert on.
//!
//! Pure: the caller supplies the scorer (the dashboard's own matcher), so the figures measure
//! exactly what users see.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::model::{Hit, Notice, Relevance};

/// One labelled notice: a line of `relevance-*.jsonl`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labelled {
    /// The source's notice id.
    pub id: String,
    /// Source kind (`ted`, `doffin`, `fts`, …).
    pub source: String,
    /// Language of the text (ISO 639-1, e.g. `nb`, `nn`, `en`, `sv`); per-language figures use it.
    #[serde(default)]
    pub lang: String,
    /// Title.
    pub title: String,
    /// Description; often empty.
    #[serde(default)]
    pub description: String,
    /// CPV codes.
    #[serde(default)]
    pub cpv: Vec<String>,
    /// Buyer name.
    #[serde(default)]
    pub buyer: String,
    /// Buyer country.
    #[serde(default)]
    pub country: Option<String>,
    /// The label: could a health-tech startup supply this (see RUBRIC.md)?
    pub relevant: bool,
    /// The rubric class behind the label.
    #[serde(default)]
    pub why: String,
}

impl Labelled {
    /// The notice the adapters would have produced from this line; fields the label format lacks
    /// (dates, value, URL) are empty, so only the country and language filters can apply.
    pub fn notice(&self) -> Notice {
        let titles = if self.lang.is_empty() {
            BTreeMap::new()
        } else {
            BTreeMap::from([(self.lang.clone(), self.title.clone())])
        };
        Notice {
            titles: titles.into(),
            description: self.description.clone(),
            buyer: self.buyer.clone(),
            country: self.country.as_deref().map(Into::into),
            cpv: self.cpv.iter().collect(),
            ..Notice::blank(&self.source, &self.id, &self.title)
        }
    }
}

/// A line that is not a labelled notice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    /// 1-based line number in the file, blank lines counted.
    pub line: usize,
    /// What is wrong, from serde_json.
    pub message: String,
}

/// Parses labelled JSONL; blank lines are skipped.
///
/// # Errors
/// The first line that is not valid JSON or lacks a required field (`id`, `source`, `title`,
/// `relevant`), or has an unknown one.
pub fn parse_jsonl(text: &str) -> Result<Vec<Labelled>, LineError> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).map_err(|e| {
                // serde_json says "at line 1 column N" of the one-line document; the file
                // line is reported separately, so keep only the column.
                let text = e.to_string();
                let what = text.split(" at line ").next().unwrap_or(&text);
                LineError {
                    line: n + 1,
                    message: format!("{what} (column {})", e.column()),
                }
            })
        })
        .collect()
}

/// Confusion counts of a binary classifier against the labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Matched and relevant.
    pub tp: u32,
    /// Matched but not relevant.
    pub fp: u32,
    /// Relevant but not matched.
    pub fn_: u32,
    /// Neither.
    pub tn: u32,
}

impl Counts {
    /// Adds one outcome.
    pub fn add(&mut self, matched: bool, relevant: bool) {
        match (matched, relevant) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    /// Notices counted.
    pub fn total(&self) -> u32 {
        self.tp + self.fp + self.fn_ + self.tn
    }

    /// TP / (TP + FP); `None` when nothing matched.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// TP / (TP + FN); `None` when nothing is relevant.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// One report line: `n … relevant … | precision … recall … f1 … | tp … fp … fn … tn …`.
    pub fn line(&self) -> String {
        format!(
            "n {} relevant {} | precision {} recall {} f1 {} | tp {} fp {} fn {} tn {}",
            self.total(),
            self.tp + self.fn_,
            two(self.precision()),
            two(self.recall()),
            two(self.f1()),
            self.tp,
            self.fp,
            self.fn_,
            self.tn
        )
    }

    /// Harmonic mean of precision and recall; `None` when either is undefined, 0 when both are 0.
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        Some(if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
    }
}

fn ratio(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| f64::from(num) / f64::from(den))
}

/// One labelled notice with what the matcher said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The labelled line.
    pub row: Labelled,
    /// The matcher's verdict.
    pub relevance: Relevance,
}

/// The result of scoring a labelled set.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Every notice in file order.
    pub outcomes: Vec<Outcome>,
    /// Counts over all notices.
    pub overall: Counts,
    /// Counts per `lang` (`?` when the line has none).
    pub by_lang: BTreeMap<String, Counts>,
}

impl Evaluation {
    /// Scores every row with `score` (the dashboard's matcher) and counts the outcomes.
    pub fn run(rows: Vec<Labelled>, score: impl Fn(&Notice) -> Relevance) -> Self {
        let mut overall = Counts::default();
        let mut by_lang: BTreeMap<String, Counts> = BTreeMap::new();
        let outcomes: Vec<Outcome> = rows
            .into_iter()
            .map(|row| {
                let relevance = score(&row.notice());
                overall.add(relevance.matched, row.relevant);
                let lang = if row.lang.is_empty() { "?" } else { row.lang.as_str() };
                by_lang
                    .entry(lang.to_owned())
                    .or_default()
                    .add(relevance.matched, row.relevant);
                Outcome { row, relevance }
            })
            .collect();
        Self {
            outcomes,
            overall,
            by_lang,
        }
    }

    /// Matched but labelled not relevant.
    pub fn false_positives(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| o.relevance.matched && !o.row.relevant)
    }

    /// Labelled relevant but not matched.
    pub fn false_negatives(&self) -> impl Iterator<Item = &Outcome> {
        self.outcomes.iter().filter(|o| !o.relevance.matched && o.row.relevant)
    }

    /// Writes the human report: `precision: 0.xx`, `recall: 0.xx`, `f1: 0.xx`, the counts, a
    /// line per language, then every false positive and false negative with score and hits.
    ///
    /// # Errors
    /// When `out` fails.
    pub fn write_report(&self, out: &mut impl Write) -> io::Result<()> {
        let c = &self.overall;
        writeln!(out, "notices: {} ({} relevant)", c.total(), c.tp + c.fn_)?;
        writeln!(out, "precision: {}", two(c.precision()))?;
        writeln!(out, "recall: {}", two(c.recall()))?;
        writeln!(out, "f1: {}", two(c.f1()))?;
        writeln!(out, "tp: {} fp: {} fn: {} tn: {}", c.tp, c.fp, c.fn_, c.tn)?;
        for (lang, c) in &self.by_lang {
            writeln!(out, "lang {lang}: {}", c.line())?;
        }
        for (heading, list) in [
            ("false positives", self.false_positives().collect::<Vec<_>>()),
            ("false negatives", self.false_negatives().collect::<Vec<_>>()),
        ] {
            writeln!(out, "{heading} ({}):", list.len())?;
            for outcome in list {
                writeln!(out, "  {}", describe(outcome))?;
            }
        }
        Ok(())
    }

    /// Writes one JSON object per notice and line: `id`, `relevant`, `matched`, `score`,
    /// `profiles`, `hits`, `badges`.
    ///
    /// # Errors
    /// When `out` fails or a line cannot be serialised.
    pub fn write_json_lines(&self, out: &mut impl Write) -> io::Result<()> {
        for o in &self.outcomes {
            let line = JsonLine {
                id: &o.row.id,
                relevant: o.row.relevant,
                matched: o.relevance.matched,
                score: o.relevance.score,
                profiles: &o.relevance.profiles,
                hits: &o.relevance.hits,
                badges: o.relevance.badges,
            };
            serde_json::to_writer(&mut *out, &line)?;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// Threshold offsets a fold may fit: the profile's own threshold plus or minus this much.
const OFFSETS: std::ops::RangeInclusive<i32> = -10..=10;

/// Which of `k` folds the notice `id` falls in: a hash of the id, so a notice keeps its fold
/// whatever the order or size of the file.
pub fn fold_of(id: &str, k: usize) -> usize {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let hash = id.bytes().fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    usize::try_from(hash % k.max(1) as u64).unwrap_or(0)
}

/// One held-out fold of a cross-validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    /// The threshold offset fitted on the other folds.
    pub offset: i32,
    /// The held-out fold's counts at that offset.
    pub counts: Counts,
}

/// K-fold cross-validation of what a profile fits: per fold, the threshold offset that gives the
/// best F1 on the other K-1 folds (ties: the offset nearest 0, the shipped threshold), measured
/// on the held-out fold. The terms and weights are written by hand from the rubric, so the
/// threshold is all there is to fit; a profile that generalises keeps its figures here.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossValidation {
    /// Every fold, in fold order.
    pub folds: Vec<Fold>,
}

impl CrossValidation {
    /// Cross-validates over `rows` in `k` folds (by [`fold_of`]); `margins[i]` is row i's best
    /// score minus its profile's threshold (it matches at offset `d` when the margin is `>= d`).
    pub fn run(rows: &[Labelled], margins: &[i32], k: usize) -> Self {
        let fold: Vec<usize> = rows.iter().map(|r| fold_of(&r.id, k)).collect();
        let counts_at = |offset: i32, keep: &dyn Fn(usize) -> bool| {
            let mut c = Counts::default();
            for (i, (row, margin)) in rows.iter().zip(margins).enumerate() {
                if keep(fold[i]) {
                    c.add(*margin >= offset, row.relevant);
                }
            }
            c
        };
        let folds = (0..k)
            .map(|held| {
                let offset = OFFSETS
                    .max_by(|&a, &b| {
                        let f1 = |d| counts_at(d, &|f| f != held).f1().unwrap_or(0.0);
                        f1(a).total_cmp(&f1(b)).then(b.abs().cmp(&a.abs()))
                    })
                    .unwrap_or(0);
                Fold {
                    offset,
                    counts: counts_at(offset, &|f| f == held),
                }
            })
            .collect();
        Self { folds }
    }

    /// The mean over folds of `figure` (folds where it is undefined left out).
    pub fn mean(&self, figure: impl Fn(&Counts) -> Option<f64>) -> Option<f64> {
        let values: Vec<f64> = self.folds.iter().filter_map(|f| figure(&f.counts)).collect();
        #[allow(clippy::cast_precision_loss)] // a handful of folds
        let n = values.len() as f64;
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / n)
    }

    /// Writes `cv precision: 0.xx`, `cv recall: 0.xx`, `cv f1: 0.xx` (means over folds) and a
    /// line per fold with its fitted offset and figures.
    ///
    /// # Errors
    /// When `out` fails.
    pub fn write_report(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(
            out,
            "cross-validation: {} folds by id; each fold's threshold offset fitted on the others",
            self.folds.len()
        )?;
        writeln!(out, "cv precision: {}", two(self.mean(Counts::precision)))?;
        writeln!(out, "cv recall: {}", two(self.mean(Counts::recall)))?;
        writeln!(out, "cv f1: {}", two(self.mean(Counts::f1)))?;
        for (i, fold) in self.folds.iter().enumerate() {
            let c = &fold.counts;
            writeln!(out, "fold {}: {} | offset {:+}", i + 1, c.line(), fold.offset)?;
        }
        Ok(())
    }
}

/// The `--json` line of one notice.
#[derive(Serialize)]
struct JsonLine<'a> {
    id: &'a str,
    relevant: bool,
    matched: bool,
    score: i32,
    profiles: &'a [String],
    hits: &'a [Hit],
    badges: crate::model::BadgeSet,
}

/// A ratio with two decimals, `-` when undefined.
fn two(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
}

/// One line for a misclassified notice: score, id, language, title, CPV, hits and the label's reason.
pub fn describe(outcome: &Outcome) -> String {
    let (row, r) = (&outcome.row, &outcome.relevance);
    let mut hits = String::new();
    for h in &r.hits {
        let field = format!("{:?}", h.field).to_lowercase();
        let _ = write!(hits, " {}{:+}@{field}", h.rule, h.weight);
    }
    format!(
        "[{:>3}] {} ({}) {} | cpv {} | hits:{} | label: {}",
        r.score,
        row.id,
        if row.lang.is_empty() { "?" } else { &row.lang },
        row.title.chars().take(110).collect::<String>(),
        row.cpv.join(","),
        if hits.is_empty() { " none" } else { &hits },
        row.why
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINES: &str = r#"{"id":"a","source":"t","lang":"nb","title":"MR-maskin","relevant":true}

{"id":"b","source":"t","lang":"en","title":"Cleaning","description":"x","cpv":["90900000"],"buyer":"B","country":"NO","relevant":false,"why":"cleaning"}
{"id":"c","source":"t","title":"Trygghetsalarm","relevant":true}
"#;

    #[test]
    fn parses_lines_with_optional_fields() {
        let rows = parse_jsonl(LINES).expect("valid");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].notice().id.as_str(), "t:b");
        assert_eq!(rows[1].notice().cpv, ["90900000"]);
        assert!(rows[2].lang.is_empty());
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let err = parse_jsonl("{\"id\":\"a\",\"source\":\"t\",\"title\":\"x\",\"relevant\":true}\n\n{\"id\":1}\n")
            .expect_err("bad");
        assert_eq!(err.line, 3);
        let err = parse_jsonl("not json").expect_err("bad");
        assert!(err.to_string().starts_with("line 1: "), "{err}");
    }

    #[test]
    fn counts_and_ratios() {
        let rows = parse_jsonl(LINES).expect("valid");
        // A scorer that matches titles starting with "M" or "C": one TP, one FP, one FN.
        let eval = Evaluation::run(rows, |n| Relevance {
            matched: n.title.starts_with('M') || n.title.starts_with('C'),
            ..Relevance::default()
        });
        let c = eval.overall;
        assert_eq!((c.tp, c.fp, c.fn_, c.tn), (1, 1, 1, 0));
        assert_eq!(c.precision(), Some(0.5));
        assert_eq!(c.f1(), Some(0.5));
        assert_eq!(eval.by_lang["?"].fn_, 1);
        assert_eq!(Counts::default().precision(), None);
        let mut out = Vec::new();
        eval.write_report(&mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        for want in [
            "precision: 0.50\n",
            "recall: 0.50\n",
            "f1: 0.50\n",
            "false positives (1):",
            "lang nb:",
        ] {
            assert!(text.contains(want), "{want}\n{text}");
        }
        let mut out = Vec::new();
        eval.write_json_lines(&mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text.lines().count(), 3);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or("")).expect("json");
        assert_eq!(first["id"], "a");
        assert_eq!(first["matched"], true);
        assert!(first["hits"].is_array() && first["profiles"].is_array());
    }

    #[test]
    fn folds_fit_the_threshold_on_the_other_folds() {
        // Relevant notices score 2 above the threshold, others 3 below: any offset in -2..=2
        // separates them, and the fit keeps the shipped threshold (offset 0).
        let rows: Vec<Labelled> = (0..40)
            .map(|i| Labelled {
                id: format!("n{i}"),
                source: "t".into(),
                lang: String::new(),
                title: String::new(),
                description: String::new(),
                cpv: Vec::new(),
                buyer: String::new(),
                country: None,
                relevant: i % 4 == 0,
                why: String::new(),
            })
            .collect();
        let margins: Vec<i32> = rows.iter().map(|r| if r.relevant { 2 } else { -3 }).collect();
        let cv = CrossValidation::run(&rows, &margins, 4);
        assert_eq!(cv.folds.len(), 4);
        assert!(cv.folds.iter().all(|f| f.offset == 0), "{cv:?}");
        assert_eq!(cv.folds.iter().map(|f| f.counts.total()).sum::<u32>(), 40);
        assert_eq!(cv.mean(Counts::recall), Some(1.0));
        // Every relevant notice 4 below the threshold: the fit lowers it to find them.
        let low: Vec<i32> = rows.iter().map(|r| if r.relevant { -4 } else { -9 }).collect();
        let cv = CrossValidation::run(&rows, &low, 4);
        assert!(cv.folds.iter().all(|f| (-8..=-4).contains(&f.offset)), "{cv:?}");
        assert_eq!(cv.mean(Counts::precision), Some(1.0));
        let mut out = Vec::new();
        cv.write_report(&mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        for want in ["cv precision: 1.00\n", "cv recall: 1.00\n", "fold 4: n "] {
            assert!(text.contains(want), "{want}\n{text}");
        }
        assert_eq!(fold_of("n1", 4), fold_of("n1", 4));
        assert!(fold_of("anything", 3) < 3);
    }
}

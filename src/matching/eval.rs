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
            country: self.country.clone(),
            cpv: self.cpv.clone(),
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
            writeln!(
                out,
                "lang {lang}: n {} relevant {} | precision {} recall {} f1 {} | tp {} fp {} fn {} tn {}",
                c.total(),
                c.tp + c.fn_,
                two(c.precision()),
                two(c.recall()),
                two(c.f1()),
                c.tp,
                c.fp,
                c.fn_,
                c.tn
            )?;
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
}

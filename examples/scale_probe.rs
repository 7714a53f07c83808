//! One-shot scale measurements, each in a process of its own so memory figures are clean.
//! `scripts/bench` and `scripts/bench-peers` drive it; every figure goes to stdout as `key value`.
//!
//! ```text
//! scale_probe fill    --db FILE --notices N     build (or reuse) a store of N generated notices
//! scale_probe startup --db FILE                 store load + AppState::new + first frame; VmRSS/VmHWM
//! scale_probe text    --out FILE --notices N    one notice a line: title, description, buyer (tab-separated)
//! scale_probe score   --text FILE               anbud's scorer (default profiles) over those lines, one core
//! scale_probe store   --db FILE --notices N     anbud's store path: N scored notices upserted into a new file
//! scale_probe rescore --db FILE                 background re-score of every stored notice while the
//!                                               dashboard moves down the list: frame times meanwhile
//! ```

use std::io::{BufWriter, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anbud::app::AppState;
use anbud::corpus::dashboard::{Dashboard, ensure_store, memory};
use anbud::corpus::{Corpus, DEFAULT_SEED, fill};
use anbud::matching::MatcherSet;
use anbud::model::Notice;
use anbud::store::Store;
use clap::{Parser, Subcommand};
use jiff::Timestamp;

#[derive(Parser)]
#[command(about = "Scale measurements for anbud (issue #7)")]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// Corpus seed.
    #[arg(long, global = true, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

#[derive(Subcommand)]
enum Command {
    /// Build (or reuse) a store of generated notices.
    Fill {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        notices: u64,
    },
    /// Start-up to the first frame, and resident memory after it.
    Startup {
        #[arg(long)]
        db: PathBuf,
    },
    /// Write the notices' text, one notice a line.
    Text {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        notices: u64,
    },
    /// Score the lines of a text file with the default profiles.
    Score {
        #[arg(long)]
        text: PathBuf,
    },
    /// Re-score every stored notice on a second thread (as after a profile change) while the
    /// dashboard keeps drawing: frame times of key presses and of applying the re-scored batches.
    /// The scores are rewritten in place; with the default profiles they do not change.
    Rescore {
        #[arg(long)]
        db: PathBuf,
    },
    /// Upsert N scored notices into a new store file, timed.
    Store {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        notices: u64,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scale_probe: {e}");
            ExitCode::FAILURE
        }
    }
}

fn default_matcher() -> Result<MatcherSet, String> {
    let config = anbud::config::load(None).map_err(|e| e.to_string())?;
    MatcherSet::new(&config.profiles).map_err(|e| e.to_string())
}

/// CPU time this thread has run, from `/proc/thread-self/schedstat` (nanoseconds on CPU): unlike
/// wall time it does not grow when other processes compete for the cores.
fn thread_cpu() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn report_memory() {
    if let Some((rss, hwm)) = memory() {
        println!("vm_rss_mb {:.1}", rss as f64 / 1e6);
        println!("vm_hwm_mb {:.1}", hwm as f64 / 1e6);
    }
}

fn run(args: Args) -> Result<(), String> {
    let corpus = || Corpus::new(args.seed);
    match args.command {
        Command::Fill { db, notices } => {
            let started = Instant::now();
            ensure_store(&db, &corpus()?, notices, &default_matcher()?)?;
            println!("fill_seconds {:.1}", started.elapsed().as_secs_f64());
        }
        Command::Startup { db } => {
            if !db.exists() {
                return Err(format!("{} does not exist (run `fill` first)", db.display()));
            }
            // The phases separately first (the figures a profile would show), then the whole path
            // in a fresh process-equivalent order: the phase run warms the page cache for both.
            let t = Instant::now();
            let store = Store::open(&db).map_err(|e| e.to_string())?;
            let records = store.load_records_without_descriptions().map_err(|e| e.to_string())?;
            let load = t.elapsed();
            let count = records.len();
            let t = Instant::now();
            let state = AppState::new(records, &["TED".to_owned()], Timestamp::now());
            let core = t.elapsed();
            drop((state, store));
            let (t, cpu) = (Instant::now(), thread_cpu());
            let mut dashboard = Dashboard::open_first(&db, 160, 48, Timestamp::now())?;
            let total = t.elapsed();
            if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
                println!("startup_cpu_ms {:.1}", (after - before) * 1e3);
            }
            // The rest arrives while the first frame is on screen (the store thread's `LoadAll`).
            let t = Instant::now();
            dashboard.finish_loading(&db)?;
            println!("all_records_loaded_ms {:.1}", (total + t.elapsed()).as_secs_f64() * 1e3);
            println!("records {count}");
            println!("load_records_ms {:.1}", load.as_secs_f64() * 1e3);
            println!("app_state_new_ms {:.1}", core.as_secs_f64() * 1e3);
            println!("startup_to_first_frame_ms {:.1}", total.as_secs_f64() * 1e3);
            report_memory();
            drop(dashboard);
        }
        Command::Text { out, notices } => {
            let corpus = corpus()?;
            let file = std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let mut w = BufWriter::new(file);
            for i in 0..notices {
                let n = corpus.notice(i);
                let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
                writeln!(w, "{}\t{}\t{}", clean(&n.title), clean(&n.description), clean(&n.buyer))
                    .map_err(|e| e.to_string())?;
            }
            w.flush().map_err(|e| e.to_string())?;
        }
        Command::Score { text } => {
            let body = std::fs::read_to_string(&text).map_err(|e| format!("{}: {e}", text.display()))?;
            let notices: Vec<Notice> = body
                .lines()
                .enumerate()
                .map(|(i, line)| {
                    let mut parts = line.split('\t');
                    let title = parts.next().unwrap_or_default();
                    let mut n = Notice::blank("bench", &i.to_string(), title);
                    n.description = parts.next().unwrap_or_default().to_owned();
                    n.buyer = parts.next().unwrap_or_default().to_owned();
                    n
                })
                .collect();
            let matcher = default_matcher()?;
            let (t, cpu) = (Instant::now(), thread_cpu());
            let matched = notices.iter().filter(|n| matcher.evaluate(n).matched).count();
            let secs = t.elapsed().as_secs_f64();
            if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
                println!("score_cpu_seconds {:.3}", after - before);
                println!("score_notices_per_cpu_s {:.0}", notices.len() as f64 / (after - before));
            }
            println!("notices {}", notices.len());
            println!("matched {matched}");
            println!("score_seconds {secs:.3}");
            println!("score_notices_per_s {:.0}", notices.len() as f64 / secs);
            println!("score_mb_per_s {:.1}", body.len() as f64 / 1e6 / secs);
        }
        Command::Rescore { db } => rescore(&db)?,
        Command::Store { db, notices } => {
            if db.exists() {
                return Err(format!("{} exists; the store bench wants a new file", db.display()));
            }
            let items = fill::scored(&corpus()?, 0..notices, &default_matcher()?)?;
            let (t, cpu) = (Instant::now(), thread_cpu());
            let mut store = Store::open(&db).map_err(|e| e.to_string())?;
            // One transaction, as `poll --once` saves one feed's poll.
            let summary = store
                .upsert_notices(&items, Timestamp::now())
                .map_err(|e| e.to_string())?;
            drop(store);
            let secs = t.elapsed().as_secs_f64();
            if let (Some(before), Some(after)) = (cpu, thread_cpu()) {
                println!("store_cpu_seconds {:.3}", after - before);
            }
            println!("rows {}", items.len());
            println!("new {}", summary.new);
            println!("store_seconds {secs:.3}");
            println!("store_rows_per_s {:.0}", items.len() as f64 / secs);
        }
    }
    Ok(())
}

/// See [`Command::Rescore`]. The UI side is what `runtime::Io::rescore` and the event loop do: the
/// batches arrive as `Msg::Rescored` between key presses, each followed by a frame.
fn rescore(db: &std::path::Path) -> Result<(), String> {
    use anbud::app::{Action, Msg};
    if !db.exists() {
        return Err(format!("{} does not exist (run `fill` first)", db.display()));
    }
    let mut dashboard = Dashboard::open(db, 160, 48, Timestamp::now())?;
    let matcher = default_matcher()?;
    let (tx, rx) = std::sync::mpsc::channel();
    let path = db.to_path_buf();
    let started = Instant::now();
    let worker = std::thread::spawn(move || {
        let score = |n: &Notice| matcher.evaluate(n);
        let mut sent = |batch| tx.send(batch).is_ok();
        anbud::store::sqlite::rescore_all(&path, &score, "scale_probe", &mut sent).map_err(|e| e.to_string())
    });
    let (mut key_frames, mut batch_frames) = (Vec::new(), Vec::new());
    let mut finished = None;
    while finished.is_none() {
        let t = Instant::now();
        dashboard.handle(Msg::Action(Action::SelectNext))?;
        key_frames.push(t.elapsed());
        while let Ok(batch) = rx.try_recv() {
            let t = Instant::now();
            dashboard.handle(Msg::Rescored { batch, done: None })?;
            batch_frames.push(t.elapsed());
        }
        if worker.is_finished() {
            finished = Some(started.elapsed());
        }
        // A key press every 10 ms: faster than key repeat, so the UI thread is rarely idle.
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let total = worker.join().map_err(|_| "the re-score thread panicked".to_owned())??;
    // Batches sent after the last check still reach the UI.
    while let Ok(batch) = rx.try_recv() {
        let t = Instant::now();
        dashboard.handle(Msg::Rescored { batch, done: None })?;
        batch_frames.push(t.elapsed());
    }
    // The last message re-derives the tabs and order once, with the new scores.
    let t = Instant::now();
    dashboard.handle(Msg::Rescored {
        batch: Vec::new(),
        done: Some(Ok(total)),
    })?;
    println!("final_refresh_ms {:.1}", t.elapsed().as_secs_f64() * 1e3);
    println!("rescored {total}");
    println!("rescore_seconds {:.1}", finished.unwrap_or_default().as_secs_f64());
    for (name, frames) in [("key_frame", &mut key_frames), ("batch_frame", &mut batch_frames)] {
        frames.sort();
        let at = |q: f64| {
            // Rounded index into a sorted list: a percentile, never out of range.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let i = ((frames.len().saturating_sub(1)) as f64 * q).round() as usize;
            frames.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        println!("{name}s {}", frames.len());
        println!(
            "{name}_ms p50 {:.2} p95 {:.2} p99 {:.2} max {:.2}",
            at(0.5),
            at(0.95),
            at(0.99),
            at(1.0)
        );
    }
    report_memory();
    Ok(())
}

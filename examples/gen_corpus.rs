//! Writes a deterministic synthetic corpus of tender notices as real feed payloads.
//!
//! `cargo run --release --example gen_corpus -- --notices 1000000 --out DIR [--seed N] [--kind ted|doffin|ocds|rss|all] [--per-page N]`
//!
//! Pages go to `DIR/{kind}/page-NNNNNN.{json,xml}` with a `manifest.txt`; serve them with
//! `cargo run --release --example serve_corpus -- DIR` and poll with the config it writes. Realistic
//! TED pages are about 10 kB a notice (titles in 24 languages, links to every translation), so a
//! million TED notices take about 10 GB: mind the disk.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anbud::corpus::{Corpus, DEFAULT_SEED, Kind, serve};
use clap::Parser;

#[derive(Parser)]
#[command(about = "Write a synthetic corpus of tender notices as TED, Doffin, OCDS or RSS pages")]
struct Args {
    /// How many notices.
    #[arg(long, default_value_t = 100_000)]
    notices: u64,
    /// Output directory (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// ted, doffin, ocds, rss, or all.
    #[arg(long, default_value = "ted")]
    kind: String,
    /// Notices per page (default: the API's maximum; RSS: items per feed file).
    #[arg(long)]
    per_page: Option<usize>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let kinds: Vec<Kind> = match (args.kind.as_str(), Kind::parse(&args.kind)) {
        ("all", _) => Kind::ALL.to_vec(),
        (_, Some(kind)) => vec![kind],
        (other, None) => {
            eprintln!("gen_corpus: unknown kind {other:?} (ted, doffin, ocds, rss, all)");
            return ExitCode::from(2);
        }
    };
    let corpus = match Corpus::new(args.seed) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            return ExitCode::FAILURE;
        }
    };
    for kind in kinds {
        let started = Instant::now();
        let per_page = args.per_page.unwrap_or(kind.page_size());
        match serve::write_dir(&corpus, kind, args.notices, per_page, &args.out) {
            Ok(m) => {
                let bytes: u64 = (1..=m.pages)
                    .filter_map(|n| std::fs::metadata(serve::page_path(&args.out, kind, n)).ok())
                    .map(|md| md.len())
                    .sum();
                println!(
                    "{}: {} notices in {} pages of {}, {:.1} MB, {:.1} s",
                    kind.name(),
                    m.notices,
                    m.pages,
                    m.per_page,
                    bytes as f64 / 1e6,
                    started.elapsed().as_secs_f64()
                );
            }
            Err(e) => {
                eprintln!("gen_corpus: cannot write {}: {e}", args.out.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

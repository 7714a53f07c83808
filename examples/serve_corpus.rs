//! Serves a corpus written by `gen_corpus` on 127.0.0.1, on the real APIs' paths, until killed.
//!
//! `cargo run --release --example serve_corpus -- DIR [--config FILE]`
//!
//! Prints `base_url http://127.0.0.1:PORT` and `config FILE` (default `DIR/anbud.toml`): an anbud
//! config polling every kind found in DIR, so `anbud --config FILE --db X poll --once` ingests it.
//! Doffin needs a key: export `ANBUD_CORPUS_DOFFIN_KEY` (any value) to poll it.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anbud::corpus::{Kind, serve};
use anbud::demo::server::LoopbackServer;
use clap::Parser;

#[derive(Parser)]
#[command(about = "Serve a generated corpus on loopback")]
struct Args {
    /// The directory gen_corpus wrote.
    dir: PathBuf,
    /// Where to write the anbud config (default DIR/anbud.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let served: Vec<(Kind, serve::Manifest)> = Kind::ALL
        .into_iter()
        .filter_map(|kind| serve::read_manifest(&args.dir, kind).map(|m| (kind, m)))
        .collect();
    if served.is_empty() {
        eprintln!(
            "serve_corpus: no corpus in {} (run gen_corpus first)",
            args.dir.display()
        );
        return ExitCode::from(2);
    }
    let routes = served
        .iter()
        .flat_map(|(kind, m)| serve::routes(*kind, serve::Pages::Dir(args.dir.clone(), *kind, m.pages)))
        .collect();
    let server = match LoopbackServer::start(routes).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("serve_corpus: cannot bind 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = args.config.unwrap_or_else(|| args.dir.join("anbud.toml"));
    if let Err(e) = std::fs::write(&config, serve::config_toml(&server.base_url(), &served)) {
        eprintln!("serve_corpus: cannot write {}: {e}", config.display());
        return ExitCode::FAILURE;
    }
    for (kind, m) in &served {
        println!("serving {}: {} notices in {} pages", kind.name(), m.notices, m.pages);
    }
    println!("base_url {}", server.base_url());
    println!("config {}", config.display());
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}

//! Writing a generated corpus to a directory and serving it on 127.0.0.1 with the loopback server
//! the demo and the tests use, on the real APIs' paths, so an ordinary config can poll it.
//!
//! Layout: `DIR/{kind}/page-000001.{json,xml}` … plus `DIR/{kind}/manifest.txt`
//! (`notices per_page pages seed`). TED pages chain with `iterationNextToken = page-N`, Doffin
//! pages are picked by `page=N`, OCDS packages link `?cursor=N`, and every RSS page is a feed of its
//! own at `/rss/feed-N.xml`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use super::{Corpus, Kind, ocds, ted};
use crate::demo::server::{CannedResponse, RecordedRequest, Route};

/// Where TED searches are answered (the real API's path).
pub const TED_PATH: &str = "/v3/notices/search";
/// The Doffin API root a feed's `base_url` ends in; searches are answered at `{root}/search`.
pub const DOFFIN_ROOT: &str = "/public/v2";
/// The environment variable the generated config names for Doffin's key (any value works).
pub const DOFFIN_KEY_ENV: &str = "ANBUD_CORPUS_DOFFIN_KEY";

/// What a directory holds for one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Manifest {
    /// Notices in all pages.
    pub notices: u64,
    /// Notices per page.
    pub per_page: usize,
    /// Pages written.
    pub pages: u64,
    /// The seed they were generated from.
    pub seed: u64,
}

/// Where the pages of one kind come from.
#[derive(Debug, Clone)]
pub enum Pages {
    /// Files written by [`write_dir`], read on each request.
    Dir(PathBuf, Kind, u64),
    /// Pages held in memory (tests, benches).
    Memory(Arc<Vec<Vec<u8>>>),
}

impl Pages {
    /// Page `n` (1-based), if there is one.
    pub fn get(&self, n: u64) -> Option<Vec<u8>> {
        match self {
            Pages::Dir(dir, kind, count) => (1..=*count)
                .contains(&n)
                .then(|| fs::read(page_path(dir, *kind, n)).ok())?,
            Pages::Memory(pages) => pages.get(usize::try_from(n).ok()?.checked_sub(1)?).cloned(),
        }
    }

    /// How many pages there are.
    pub fn count(&self) -> u64 {
        match self {
            Pages::Dir(_, _, count) => *count,
            Pages::Memory(pages) => pages.len() as u64,
        }
    }
}

/// The file holding page `n` of `kind` under `dir`.
pub fn page_path(dir: &Path, kind: Kind, n: u64) -> PathBuf {
    dir.join(kind.name()).join(format!("page-{n:06}.{}", kind.extension()))
}

/// Writes a `notices`-notice corpus of `kind` under `dir`, `per_page` a page, generating pages on
/// every core (each page depends only on the seed and its number).
///
/// # Errors
/// When a directory or file cannot be written.
pub fn write_dir(corpus: &Corpus, kind: Kind, notices: u64, per_page: usize, dir: &Path) -> io::Result<Manifest> {
    let sub = dir.join(kind.name());
    fs::create_dir_all(&sub)?;
    let pages = Corpus::page_count(notices, per_page);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                scope.spawn(move || -> io::Result<()> {
                    for n in (1..=pages).filter(|n| n % workers == w) {
                        fs::write(page_path(dir, kind, n), corpus.page(kind, notices, per_page, n))?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(io::Error::other("a page writer panicked")))
        })
    })?;
    let manifest = Manifest {
        notices,
        per_page,
        pages,
        seed: corpus.seed(),
    };
    let text = format!(
        "notices {}\nper_page {}\npages {}\nseed {}\n",
        manifest.notices, manifest.per_page, manifest.pages, manifest.seed
    );
    fs::write(sub.join("manifest.txt"), text)?;
    Ok(manifest)
}

/// The manifest of `kind` under `dir`, if that kind was written there.
pub fn read_manifest(dir: &Path, kind: Kind) -> Option<Manifest> {
    let text = fs::read_to_string(dir.join(kind.name()).join("manifest.txt")).ok()?;
    let value = |key: &str| -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse().ok())
    };
    Some(Manifest {
        notices: value("notices")?,
        per_page: usize::try_from(value("per_page")?).ok()?,
        pages: value("pages")?,
        seed: value("seed")?,
    })
}

/// The routes serving `pages` of `kind` on the real API's paths.
pub fn routes(kind: Kind, pages: Pages) -> Vec<Route> {
    match kind {
        Kind::Ted => vec![Route::new("POST", TED_PATH, move |req: &RecordedRequest| {
            let token = req
                .body_json()
                .and_then(|b| b.get("iterationNextToken").and_then(Value::as_str).map(str::to_owned));
            match ted::page_of(token.as_deref()).and_then(|n| pages.get(n)) {
                Some(body) => CannedResponse::json(200, body),
                None => CannedResponse::json(
                    400,
                    r#"{"type":"EXPIRED_ITERATION_TOKEN","message":"the iteration token is invalid or has expired"}"#,
                ),
            }
        })],
        Kind::Doffin => vec![Route::new(
            "GET",
            format!("{DOFFIN_ROOT}/search"),
            move |req: &RecordedRequest| {
                let page = req
                    .query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("page="))
                    .map_or(Some(1), |n| n.parse().ok());
                match page.and_then(|n| pages.get(n)) {
                    Some(body) => CannedResponse::json(200, body),
                    None => CannedResponse::json(400, r#"{"reason":"page out of range"}"#),
                }
            },
        )],
        Kind::Ocds => vec![Route::new(
            "GET",
            ocds::PATH,
            move |req: &RecordedRequest| match ocds::page_of(&req.query).and_then(|n| pages.get(n)) {
                Some(body) => CannedResponse::json(200, body),
                None => CannedResponse::json(400, r#"{"status":400,"error":"Bad Request","message":"bad cursor"}"#),
            },
        )],
        Kind::Rss => (1..=pages.count())
            .map(|n| {
                let pages = pages.clone();
                Route::new("GET", rss_path(n), move |_: &RecordedRequest| match pages.get(n) {
                    Some(body) => CannedResponse::new(200, body).with_header("content-type", "application/rss+xml"),
                    None => CannedResponse::new(404, "gone"),
                })
            })
            .collect(),
    }
}

/// The path RSS feed `n` (1-based) is served at.
pub fn rss_path(n: u64) -> String {
    format!("/rss/feed-{n}.xml")
}

/// An anbud config polling every served kind at `base_url` once, all pages, with a look-back long
/// enough to keep every generated notice: `(kind, manifest)` for each kind served. Awards are off
/// (`awards = false`): the corpus holds competition notices only, and the ingest benchmarks measure
/// notices as they did before awards were polled (a result search here would page through the
/// same notices again).
pub fn config_toml(base_url: &str, served: &[(Kind, Manifest)]) -> String {
    let mut out = String::from(
        "# Generated by anbud's corpus server: polls the generated pages on loopback.\n\
         lookback_days = 3650\npoll_interval = \"24h\"\n",
    );
    for (kind, m) in served {
        let max_pages = m.pages + 1;
        let size = m.per_page;
        match kind {
            Kind::Ted => out.push_str(&format!(
                "\n[[feeds]]\nname = \"TED corpus\"\nkind = \"ted\"\nbase_url = \"{base_url}\"\n\
                 page_size = {size}\nmax_pages = {max_pages}\nawards = false\n"
            )),
            Kind::Doffin => out.push_str(&format!(
                "\n[[feeds]]\nname = \"Doffin corpus\"\nkind = \"doffin\"\nbase_url = \"{base_url}{DOFFIN_ROOT}\"\n\
                 api_key_env = \"{DOFFIN_KEY_ENV}\"\npage_size = {size}\nmax_pages = {max_pages}\nawards = false\n"
            )),
            Kind::Ocds => out.push_str(&format!(
                "\n[[feeds]]\nname = \"OCDS corpus\"\nkind = \"ocds\"\nbase_url = \"{base_url}\"\npath = \"{}\"\n\
                 source = \"fts\"\npage_size = {size}\nmax_pages = {max_pages}\nawards = false\n",
                ocds::PATH
            )),
            Kind::Rss => {
                for n in 1..=m.pages {
                    out.push_str(&format!(
                        "\n[[feeds]]\nname = \"RSS corpus {n}\"\nkind = \"rss\"\nbase_url = \"{base_url}{}\"\n",
                        rss_path(n)
                    ));
                }
            }
        }
    }
    out
}

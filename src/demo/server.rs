//! A real HTTP/1.1 server on 127.0.0.1 with canned answers, used by the offline demo and the tests.
//!
//! Tests drive the real `HttpFetcher` (reqwest) against it, so nothing in the client is mocked.
//! Depends on hyper, hyper-util and tokio only; it knows nothing about feeds.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::StreamExt as _;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// The answer a route gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers. A `transfer-encoding: chunked` entry makes the server stream the body in
    /// chunks without a `Content-Length`, as servers that compress on the fly do.
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Vec<u8>,
    /// Wait this long before answering (to provoke client timeouts).
    pub delay: Duration,
    /// Send the headers (with the full `Content-Length`) and only this many body bytes, then
    /// stall without closing: a server that hangs mid-body, for the client's request timeout.
    pub stall_after: Option<usize>,
}

impl CannedResponse {
    /// A response with `status` and `body` and no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
            stall_after: None,
        }
    }

    /// A JSON response (`Content-Type: application/json`).
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, body).with_header("content-type", "application/json")
    }

    /// The same response with one more header.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same response, but the body stops after `bytes` and the connection then hangs.
    #[must_use]
    pub fn stalling_after(mut self, bytes: usize) -> Self {
        self.stall_after = Some(bytes);
        self
    }

    /// The same response, sent after `delay`.
    #[must_use]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request as the server received it, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Method in upper case (`POST`).
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Query string without `?` (empty when none).
    pub query: String,
    /// Headers with lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The full request body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Computes a route's answer from the request; called on the server's task, so keep it quick.
pub type Responder = Arc<dyn Fn(&RecordedRequest) -> CannedResponse + Send + Sync>;

/// One method + exact path and how to answer it.
#[derive(Clone)]
pub struct Route {
    /// Method in upper case (`GET`, `POST`).
    pub method: &'static str,
    /// Exact path, without query string.
    pub path: String,
    /// The answer.
    pub respond: Responder,
}

impl Route {
    /// A route answering `method path` with `respond`.
    pub fn new(
        method: &'static str,
        path: impl Into<String>,
        respond: impl Fn(&RecordedRequest) -> CannedResponse + Send + Sync + 'static,
    ) -> Self {
        Self {
            method,
            path: path.into(),
            respond: Arc::new(respond),
        }
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish()
    }
}

/// State shared by the accept loop and every connection.
struct Shared {
    routes: Vec<Route>,
    // A lock, not a channel: this is test and demo plumbing read after the fact, never app state.
    requests: Mutex<Vec<RecordedRequest>>,
}

/// The running server; stops (closing its open connections) when dropped.
pub struct LoopbackServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_loop: JoinHandle<()>,
}

type Body = BoxBody<Bytes, Infallible>;

/// Chunk size when a canned response asks to be streamed.
const STREAM_CHUNK: usize = 16 * 1024;

impl LoopbackServer {
    /// Binds 127.0.0.1 on a free port and serves `routes` on the current tokio runtime.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(routes: Vec<Route>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            routes,
            requests: Mutex::new(Vec::new()),
        });
        let accept_loop = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Ok(Self {
            addr,
            shared,
            accept_loop,
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        // Aborting the loop drops its JoinSet, which aborts every connection task with it.
        self.accept_loop.abort();
    }
}

impl std::fmt::Debug for LoopbackServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        // Reap finished connections so the set does not grow over a long demo session.
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            // Accept errors (e.g. too many open files) are transient; keep serving.
            tokio::task::yield_now().await;
            continue;
        };
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&shared), req));
            // A client hanging up mid-answer (a timeout test) is expected, not an error.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
    let recorded = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    shared
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(recorded.clone());
    let route = shared
        .routes
        .iter()
        .find(|r| r.method.eq_ignore_ascii_case(&recorded.method) && r.path == recorded.path);
    let canned = match route {
        Some(route) => (route.respond)(&recorded),
        None => {
            let body = serde_json::json!({"error": "not found", "path": recorded.path});
            CannedResponse::json(404, body.to_string())
        }
    };
    if !canned.delay.is_zero() {
        tokio::time::sleep(canned.delay).await;
    }
    Ok(into_response(canned))
}

fn into_response(canned: CannedResponse) -> Response<Body> {
    let is_chunked = |(name, value): &(String, String)| {
        name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked")
    };
    let stream = canned.headers.iter().any(is_chunked);
    let full_length = canned.body.len();
    let body: Body = if let Some(sent) = canned.stall_after {
        let head = canned.body.get(..sent).unwrap_or(&canned.body).to_vec();
        let first: Result<Frame<Bytes>, Infallible> = Ok(Frame::data(Bytes::from(head)));
        // The rest never comes and the stream never ends: only the client can give up.
        BoxBody::new(StreamBody::new(
            futures::stream::iter([first]).chain(futures::stream::pending()),
        ))
    } else if stream {
        // No exact size hint, so hyper sends it chunked and without Content-Length.
        let chunks: Vec<Result<Frame<Bytes>, Infallible>> = canned
            .body
            .chunks(STREAM_CHUNK)
            .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
            .collect();
        BoxBody::new(StreamBody::new(futures::stream::iter(chunks)))
    } else {
        BoxBody::new(Full::new(Bytes::from(canned.body)))
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(canned.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if canned.stall_after.is_some() {
        // Announce the whole body so the client knows more is due, as a real stalled server does.
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(full_length));
    }
    for (name, value) in canned.headers.iter().filter(|h| !is_chunked(h)) {
        // A header a test could not spell correctly is skipped rather than failing the answer.
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

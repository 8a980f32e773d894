//! The long-running stub (`lambda-conform stub --port P`): [`StubCore`] served with hyper directly.
//!
//! Not wiremock: wiremock keeps a copy of every matched request, so a stub left running for a CI job
//! would grow without bound (WIREMOCK.md measured ≈5.5 KB per request). Here nothing is kept per
//! request; the only state is the stub's function store, which is bounded.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::core::StubCore;
use super::mutants::Mutant;
use super::StubError;
use crate::spec::Spec;
use crate::wire::WireResponse;

/// Request bodies above this many bytes are answered 413 without being read.
pub const MAX_BODY_BYTES: usize = 80 * 1024 * 1024;
/// Bodies above this are judged on the blocking pool (decoding and hashing a large zip takes a while).
const BLOCKING_ABOVE: usize = 1024 * 1024;
/// After shutdown, connections get this long to finish the request they are on.
const GRACE: Duration = Duration::from_secs(2);

/// A bound, not yet serving, long-running stub.
#[derive(Debug)]
pub struct StubServer {
    listener: TcpListener,
    addr: SocketAddr,
    core: Arc<StubCore>,
}

/// Binds the long-running stub for `spec` to `addr`, which must be a loopback address
/// (`127.0.0.1:0` picks a free port).
pub async fn bind(
    spec: Arc<Spec>,
    addr: SocketAddr,
    mutant: Option<Mutant>,
) -> Result<StubServer, StubError> {
    bind_with(StubCore::new(spec, mutant), addr).await
}

/// [`bind`] with this core.
pub async fn bind_with(core: StubCore, addr: SocketAddr) -> Result<StubServer, StubError> {
    if !addr.ip().is_loopback() {
        return Err(StubError::NotLoopback(addr));
    }
    let listener = TcpListener::bind(addr).await.map_err(|e| StubError::Bind {
        addr: addr.to_string(),
        message: e.to_string(),
    })?;
    let addr = listener.local_addr().map_err(|e| StubError::Bind {
        addr: addr.to_string(),
        message: e.to_string(),
    })?;
    Ok(StubServer {
        listener,
        addr,
        core: Arc::new(core),
    })
}

/// Serves the stub for `spec` on `addr` (loopback only) until `shutdown` completes.
pub async fn serve(
    spec: Arc<Spec>,
    addr: SocketAddr,
    mutant: Option<Mutant>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), StubError> {
    bind(spec, addr, mutant).await?.run(shutdown).await
}

impl StubServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:9001`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The stub's behaviour and state.
    pub fn core(&self) -> &Arc<StubCore> {
        &self.core
    }

    /// Serves until `shutdown` completes; then stops accepting, lets open requests finish for a
    /// moment, and drops the rest (a [`Mutant::Hang`] reply never finishes).
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> Result<(), StubError> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
        let mut connections = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            // Reap finished connections so the set does not grow.
            while connections.try_join_next().is_some() {}
            let accepted = tokio::select! {
                _ = &mut shutdown => break,
                accepted = self.listener.accept() => accepted,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let core = Arc::clone(&self.core);
            let mut stop = stop_rx.clone();
            connections.spawn(async move {
                let service = service_fn(move |req| answer(Arc::clone(&core), req));
                let conn = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service);
                tokio::pin!(conn);
                tokio::select! {
                    _ = conn.as_mut() => {}
                    _ = stop.changed() => {
                        conn.as_mut().graceful_shutdown();
                        let _ = conn.as_mut().await;
                    }
                }
            });
        }
        drop(self.listener);
        let _ = stop_tx.send(());
        let _ = tokio::time::timeout(GRACE, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
        connections.abort_all();
        Ok(())
    }
}

async fn answer(
    core: Arc<StubCore>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Ok(to_hyper(core.too_large(MAX_BODY_BYTES)));
    }
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        // Over the cap, or the client went away mid-body: either way nobody reads a 400 for it.
        Err(_) => return Ok(to_hyper(core.too_large(MAX_BODY_BYTES))),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let method = parts.method.as_str().to_string();
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let reply = if body.len() > BLOCKING_ABOVE {
        let judge = Arc::clone(&core);
        let judged =
            tokio::task::spawn_blocking(move || judge.reply(&method, &path, &headers, &body)).await;
        match judged {
            Ok(reply) => reply,
            Err(_) => return Ok(to_hyper(core.internal_error())),
        }
    } else {
        core.reply(&method, &path, &headers, &body)
    };
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    Ok(to_hyper(reply.response))
}

fn to_hyper(r: WireResponse) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(r.status);
    for (k, v) in &r.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder
        .body(Full::new(Bytes::from(r.body)))
        .unwrap_or_else(|_| {
            let mut fallback = Response::new(Full::new(Bytes::new()));
            *fallback.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
}

//! The stub on a wiremock [`MockServer`]: one mock for every method and path, whose responder is
//! [`StubCore::reply`]. For tests and short runs only: wiremock keeps every matched request, so memory
//! grows with each one (use [`serve`](super::serve) for a long-running stub).

use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::core::{Reply, StubCore};
use super::mutants::Mutant;
use super::StubError;
use crate::spec::Spec;

/// A running embedded stub. The server stops when this is dropped.
pub struct EmbeddedStub {
    uri: String,
    core: Arc<StubCore>,
    _running: Running,
}

enum Running {
    /// Started by [`start`]: the caller's runtime awaited the start; wiremock serves on its own thread.
    Here { _server: MockServer },
    /// Started by [`start_blocking`]: a thread of its own holds the server until told to stop.
    Thread {
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        thread: Option<JoinHandle<()>>,
    },
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Running::Thread { stop, thread } = self {
            drop(stop.take());
            if let Some(t) = thread.take() {
                let _ = t.join();
            }
        }
    }
}

impl EmbeddedStub {
    /// The base URL, e.g. `http://127.0.0.1:38713`.
    pub fn uri(&self) -> String {
        self.uri.clone()
    }

    /// The stub's behaviour and state.
    pub fn core(&self) -> &Arc<StubCore> {
        &self.core
    }
}

impl std::fmt::Debug for EmbeddedStub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStub")
            .field("uri", &self.uri)
            .field("mutant", &self.core.mutant())
            .finish()
    }
}

/// Starts the stub for `spec` (broken as `mutant` says) on 127.0.0.1, a free port.
pub async fn start(spec: Arc<Spec>, mutant: Option<Mutant>) -> Result<EmbeddedStub, StubError> {
    start_with(StubCore::new(spec, mutant)).await
}

/// Starts a stub with this core (e.g. one built with [`StubCore::with_active_after`]).
pub async fn start_with(core: StubCore) -> Result<EmbeddedStub, StubError> {
    let core = Arc::new(core);
    let server = mount(Arc::clone(&core)).await?;
    Ok(EmbeddedStub {
        uri: server.uri(),
        core,
        _running: Running::Here { _server: server },
    })
}

/// [`start`] for code without an async runtime (libtest-mimic trials): the stub gets a thread and a
/// runtime of its own, and runs until the returned value is dropped.
pub fn start_blocking(spec: Arc<Spec>, mutant: Option<Mutant>) -> Result<EmbeddedStub, StubError> {
    start_blocking_with(StubCore::new(spec, mutant))
}

/// [`start_blocking`] with this core.
pub fn start_blocking_with(core: StubCore) -> Result<EmbeddedStub, StubError> {
    let core = Arc::new(core);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<String, StubError>>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let for_thread = Arc::clone(&core);
    let thread = std::thread::Builder::new()
        .name("lambda-conform-stub".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(StubError::Runtime(e.to_string())));
                    return;
                }
            };
            let server = runtime.block_on(async move {
                match mount(for_thread).await {
                    Ok(server) => {
                        let _ = ready_tx.send(Ok(server.uri()));
                        // Until told to stop, or until the handle is dropped.
                        let _ = stop_rx.await;
                        Some(server)
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        None
                    }
                }
            });
            drop(server);
        })
        .map_err(|e| StubError::Runtime(e.to_string()))?;
    let uri = ready_rx.recv().map_err(|_| {
        StubError::Runtime("the stub's thread ended before the stub started".into())
    })??;
    Ok(EmbeddedStub {
        uri,
        core,
        _running: Running::Thread {
            stop: Some(stop_tx),
            thread: Some(thread),
        },
    })
}

async fn mount(core: Arc<StubCore>) -> Result<MockServer, StubError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| StubError::Bind {
        addr: "127.0.0.1:0".into(),
        message: e.to_string(),
    })?;
    let server = MockServer::builder()
        .listener(listener)
        .disable_request_recording()
        .start()
        .await;
    Mock::given(any())
        .respond_with(Responder(core))
        .named("lambda-conform embedded stub")
        .mount(&server)
        .await;
    Ok(server)
}

/// Adapts [`StubCore::reply`] to wiremock.
struct Responder(Arc<StubCore>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let path = match request.url.query() {
            Some(q) => format!("{}?{q}", request.url.path()),
            None => request.url.path().to_string(),
        };
        let reply = self
            .0
            .reply(request.method.as_str(), &path, &headers, &request.body);
        template(reply)
    }
}

fn template(reply: Reply) -> ResponseTemplate {
    let r = reply.response;
    let mut t = ResponseTemplate::new(r.status);
    let mut content_type = None;
    for (k, v) in &r.headers {
        if k.eq_ignore_ascii_case("content-type") {
            content_type = Some(v.clone());
        } else {
            t = t.append_header(k.as_str(), v.as_str());
        }
    }
    t = match content_type {
        Some(ct) => t.set_body_raw(r.body, &ct),
        None => t.set_body_bytes(r.body),
    };
    match reply.delay {
        Some(d) => t.set_delay(d),
        None => t,
    }
}

//! The Lambda operations a run calls around its checks (CreateFunction, GetFunction,
//! GetFunctionConfiguration, ListFunctions, DeleteFunction): their paths written once, every
//! request counted, and throttling absorbed (retried after `Retry-After`) on the calls whose answer
//! is not the verdict.
//!
//! A verdict request (the request a check judges) goes through [`LambdaApi::send`]: once, no retry,
//! so a 429 reaches the oracle and becomes a harness error instead of being hidden.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::raw::{RawClient, RetryPolicy};
use super::{TransportError, WireRequest, WireResponse};

/// The API version prefix of every Lambda path.
pub const API: &str = "/2015-03-31";

/// `/2015-03-31/functions`: CreateFunction (POST).
pub fn functions_path() -> String {
    format!("{API}/functions")
}

/// `/2015-03-31/functions/{name}`: GetFunction (GET), DeleteFunction (DELETE). The name is
/// percent-encoded as one path segment (`:` kept, so ARNs read as AWS's clients send them).
pub fn function_path(name: &str) -> String {
    format!("{API}/functions/{}", segment(name))
}

/// `/2015-03-31/functions/{name}/configuration`: GetFunctionConfiguration.
pub fn configuration_path(name: &str) -> String {
    format!("{}/configuration", function_path(name))
}

/// `/2015-03-31/functions/?MaxItems=…[&Marker=…]`: one page of ListFunctions.
pub fn list_path(max_items: u32, marker: Option<&str>) -> String {
    let mut p = format!("{API}/functions/?MaxItems={max_items}");
    if let Some(m) = marker {
        p.push_str("&Marker=");
        p.push_str(&url::form_urlencoded::byte_serialize(m.as_bytes()).collect::<String>());
    }
    p
}

/// A name as one path segment: unreserved characters and `:` as they are, the rest `%XX` (so `$`
/// too: a path is also pasted into shell reproductions).
pub fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The raw client with the run's counters.
#[derive(Debug)]
pub struct LambdaApi {
    client: RawClient,
    recorder: Option<Arc<super::record::Recorder>>,
    counters: Arc<Counters>,
}

/// Requests sent and 429s absorbed, shared by every [`LambdaApi`] of a run.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    throttled: AtomicU64,
}

impl LambdaApi {
    /// Wraps a client; `requests` and `throttled` start from what set-up already spent.
    pub fn new(client: RawClient, requests: u64, throttled: u64) -> Self {
        Self {
            client,
            recorder: None,
            counters: Arc::new(Counters {
                requests: AtomicU64::new(requests),
                throttled: AtomicU64::new(throttled),
            }),
        }
    }

    /// The same API (counters, recorder, limiter) over connections of its own: see
    /// [`RawClient::on_own_connections`].
    pub fn on_own_connections(&self) -> Result<Self, super::SetupError> {
        Ok(Self {
            client: self.client.on_own_connections()?,
            recorder: self.recorder.clone(),
            counters: self.counters.clone(),
        })
    }

    /// The same API, keeping every exchange in `recorder` (the results bundle).
    pub fn with_recorder(mut self, recorder: Arc<super::record::Recorder>) -> Self {
        self.recorder = Some(recorder);
        self
    }

    fn keep(
        &self,
        req: &WireRequest,
        result: &Result<WireResponse, TransportError>,
        at: std::time::Instant,
        started: Option<String>,
    ) {
        if let (Some(r), Some(started)) = (&self.recorder, started) {
            r.push(req, result, at, started);
        }
    }

    /// When a request starts: the instant, and the wall-clock time when exchanges are kept (it is
    /// not worked out for every request otherwise).
    fn start(&self) -> (std::time::Instant, Option<String>) {
        let started = self.recorder.as_ref().map(|_| super::record::now());
        (std::time::Instant::now(), started)
    }

    /// The raw client (reproductions, the endpoint, the limiter).
    pub fn client(&self) -> &RawClient {
        &self.client
    }

    /// Requests sent so far (set-up, checks, read-back, clean-up; the SDK's counted by [`LambdaApi::count`]).
    pub fn requests(&self) -> u64 {
        self.counters.requests.load(Ordering::Relaxed)
    }

    /// 429 answers absorbed by retries so far.
    pub fn throttled(&self) -> u64 {
        self.counters.throttled.load(Ordering::Relaxed)
    }

    /// Counts requests sent by another client (the SDK).
    pub fn count(&self, n: u64) {
        self.counters.requests.fetch_add(n, Ordering::Relaxed);
    }

    /// A verdict request: sent once, counted, never retried, kept when the run records exchanges,
    /// and bounded by the running check's deadline ([`super::deadline`]).
    pub fn send<'a>(
        &'a self,
        req: &'a WireRequest,
    ) -> impl std::future::Future<Output = Result<WireResponse, TransportError>> + 'a {
        // Read on the caller's thread, where the check runs.
        let deadline = super::deadline::current();
        async move {
            self.count(1);
            let (at, started) = self.start();
            let result = super::deadline::bounded(deadline, self.client.send(req)).await;
            self.keep(req, &result, at, started);
            result
        }
    }

    /// A call whose answer is not the verdict (read-back, clean-up): 429s and dropped connections
    /// retried with backoff, each attempt counted, absorbed 429s counted too.
    pub async fn call(&self, req: &WireRequest) -> Result<WireResponse, TransportError> {
        let (at, started) = self.start();
        let r = self
            .client
            .send_with_retry(req, &RetryPolicy::default())
            .await;
        self.count(1);
        if self.recorder.is_some() {
            let result = r
                .as_ref()
                .map(|(resp, _)| resp.clone())
                .map_err(Clone::clone);
            self.keep(req, &result, at, started);
        }
        r.map(|(resp, throttled)| {
            self.counters
                .throttled
                .fetch_add(u64::from(throttled), Ordering::Relaxed);
            self.count(u64::from(throttled));
            resp
        })
    }

    /// GetFunction.
    pub async fn get_function(&self, name: &str) -> Result<WireResponse, TransportError> {
        self.call(&WireRequest::bodiless("GET", &function_path(name)))
            .await
    }

    /// GetFunctionConfiguration.
    pub async fn get_configuration(&self, name: &str) -> Result<WireResponse, TransportError> {
        self.call(&WireRequest::bodiless("GET", &configuration_path(name)))
            .await
    }

    /// One page of ListFunctions.
    pub async fn list_functions(
        &self,
        max_items: u32,
        marker: Option<&str>,
    ) -> Result<WireResponse, TransportError> {
        self.call(&WireRequest::bodiless("GET", &list_path(max_items, marker)))
            .await
    }

    /// DeleteFunction (of a name this run created: callers check the run prefix).
    pub async fn delete_function(&self, name: &str) -> Result<WireResponse, TransportError> {
        self.call(&WireRequest::bodiless("DELETE", &function_path(name)))
            .await
    }
}

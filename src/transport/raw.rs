//! The raw HTTP client: one attempt per request, exactly the bytes of the [`WireRequest`], signed
//! with SigV4, under a concurrency and rate limit.
//!
//! Every conformance case goes through [`RawClient::send`], which never retries, never follows
//! redirects and never waits longer than the per-request timeout (body included). Only set-up,
//! read-back and clean-up calls use [`RawClient::send_with_retry`], which absorbs throttling and
//! counts it so the report can say so.

use std::error::Error as StdError;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderName, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use super::repro::ReproContext;
use super::secrets::Secrets;
use super::sign::{EnvCredentials, Signing};
use super::{SetupError, TransportError, WireRequest, WireResponse};

/// The default per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default number of requests in flight at once.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 4;
/// Default longest answer body read (1 MiB; `--max-body`). A longer one is not read further: the
/// connection is dropped and the answer is [`TransportError::Truncated`].
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// Settings of a [`RawClient`].
#[derive(Debug, Clone)]
pub struct RawConfig {
    /// Base URL; request paths are appended to it.
    pub endpoint: Url,
    /// How to sign.
    pub signing: Signing,
    /// Per-request timeout, from connecting to the last body byte.
    pub timeout: Duration,
    /// At most this many requests in flight at once (at least 1).
    pub max_in_flight: usize,
    /// At most this many request starts per second (positive), or unlimited.
    pub rps: Option<f64>,
    /// Longest answer body read, in bytes (at least 1).
    pub max_body: usize,
}

impl RawConfig {
    /// Defaults: 10 s timeout, 4 in flight, no rate limit, bodies up to 1 MiB.
    pub fn new(endpoint: Url, signing: Signing) -> Self {
        Self {
            endpoint,
            signing,
            timeout: DEFAULT_TIMEOUT,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            rps: None,
            max_body: DEFAULT_MAX_BODY,
        }
    }
}

/// How [`RawClient::send_with_retry`] retries.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubled each time.
    pub base_delay: Duration,
    /// Longest backoff between attempts.
    pub max_delay: Duration,
    /// Longest wait a `Retry-After` header may ask for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts, 200 ms doubling to at most 5 s, `Retry-After` capped at 20 s.
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// The backoff after failed attempt number `attempt` (1-based).
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait a 429 asks for in `Retry-After` (whole or fractional seconds), capped.
    fn retry_after(&self, resp: &WireResponse) -> Option<Duration> {
        let secs: f64 = resp.header("retry-after")?.trim().parse().ok()?;
        if !secs.is_finite() || secs < 0.0 {
            return None;
        }
        Some(Duration::from_secs_f64(
            secs.min(self.max_retry_after.as_secs_f64()),
        ))
    }
}

/// A concurrency limit plus a request-start rate limit, shared by clones (and by the SDK path).
#[derive(Debug, Clone)]
pub struct Limiter {
    permits: Arc<Semaphore>,
    rate: Option<Arc<Mutex<Rate>>>,
}

/// Start slots spaced `interval` apart.
#[derive(Debug)]
struct Rate {
    interval: Duration,
    next: Instant,
}

/// Held while a request is in flight.
#[derive(Debug)]
pub struct Permit {
    _permit: OwnedSemaphorePermit,
}

impl Limiter {
    /// At most `max_in_flight` at once and, with `rps`, at most `rps` starts per second.
    pub fn new(max_in_flight: usize, rps: Option<f64>) -> Result<Self, SetupError> {
        if max_in_flight == 0 {
            return Err(SetupError::BadConfig(
                "max_in_flight must be at least 1".into(),
            ));
        }
        let rate = match rps {
            None => None,
            Some(rps) if rps.is_finite() && rps > 0.0 => {
                let interval = Duration::try_from_secs_f64(1.0 / rps).map_err(|_| {
                    SetupError::BadConfig(format!(
                        "rps {rps} is too small: one request per {} s",
                        1.0 / rps
                    ))
                })?;
                Some(Arc::new(Mutex::new(Rate {
                    interval,
                    next: Instant::now(),
                })))
            }
            Some(rps) => {
                return Err(SetupError::BadConfig(format!(
                    "rps must be a positive number, got {rps}"
                )))
            }
        };
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_in_flight)),
            rate,
        })
    }

    /// Waits for an in-flight slot, then for the next start slot.
    pub async fn acquire(&self) -> Result<Permit, TransportError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|e| TransportError::Broken(format!("request limiter closed: {e}")))?;
        if let Some(rate) = &self.rate {
            let start = {
                let mut rate = rate.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let start = rate.next.max(Instant::now());
                rate.next = start + rate.interval;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        Ok(Permit { _permit: permit })
    }
}

/// Raw HTTP client for one endpoint. Cheap to clone; clones share connections and limits.
#[derive(Debug, Clone)]
pub struct RawClient {
    http: reqwest::Client,
    endpoint: Url,
    signing: Signing,
    timeout: Duration,
    max_body: usize,
    limiter: Limiter,
    repro: Option<Arc<ReproContext>>,
    secrets: Arc<Secrets>,
}

/// The HTTP client under a [`RawClient`]: no redirects, no proxy, `timeout` per request and connect.
fn http_client(timeout: Duration) -> Result<reqwest::Client, SetupError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| SetupError::Sdk(format!("HTTP client: {}", error_chain(&e))))
}

impl RawClient {
    /// Builds the client; fails on an endpoint that is not `http`/`https` with a host, or bad limits.
    pub fn new(config: RawConfig) -> Result<Self, SetupError> {
        check_endpoint(&config.endpoint)?;
        if config.timeout.is_zero() {
            return Err(SetupError::BadConfig("timeout must be above zero".into()));
        }
        if config.max_body == 0 {
            return Err(SetupError::BadConfig("max_body must be at least 1".into()));
        }
        let limiter = Limiter::new(config.max_in_flight, config.rps)?;
        Ok(Self {
            http: http_client(config.timeout)?,
            endpoint: config.endpoint,
            timeout: config.timeout,
            max_body: config.max_body,
            limiter,
            repro: None,
            secrets: Arc::new(Secrets::of(&config.signing, &EnvCredentials::default())),
            signing: config.signing,
        })
    }

    /// The same client (endpoint, signing, limits, limiter) with a connection pool of its own.
    ///
    /// A connection is driven by the async runtime it was opened on. A thread that drives its
    /// requests with its own current-thread runtime needs connections opened there, so that no
    /// other thread has to wake for its requests to move.
    pub fn on_own_connections(&self) -> Result<Self, SetupError> {
        Ok(Self {
            http: http_client(self.timeout)?,
            ..self.clone()
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// How requests are signed.
    pub fn signing(&self) -> &Signing {
        &self.signing
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The longest answer body read, in bytes.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// The shared limiter, to put other clients (the SDK path) under the same limits.
    pub fn limiter(&self) -> &Limiter {
        &self.limiter
    }

    /// A client signing for another service (e.g. `iam` for emulator set-up), sharing
    /// connections and limits.
    pub fn for_service(&self, service: &str) -> Self {
        Self {
            signing: self.signing.for_service(service),
            ..self.clone()
        }
    }

    /// The full URL of `path`: the endpoint without its trailing `/`, then `path`.
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{}", self.endpoint.as_str().trim_end_matches('/'), path)
    }

    /// The URL of `path` as [`Url::parse`] reads [`RawClient::url_for`]. A plain path (bytes that
    /// neither parser encodes nor resolves) is set on a copy of the endpoint without reading the
    /// scheme and host again, which cost 3 % of a run (`--cases 16` on the stub); any other path is
    /// parsed whole.
    pub(crate) fn request_url(&self, path: &str) -> Result<Url, TransportError> {
        if let Some(url) = plain_url(&self.endpoint, path) {
            return Ok(url);
        }
        let joined = self.url_for(path);
        Url::parse(&joined)
            .map_err(|e| TransportError::Broken(format!("invalid request URL {joined:?}: {e}")))
    }

    /// Sends `req` once: no retry, no redirect. A request that already has an `Authorization`
    /// header is sent as it is, unsigned by the client.
    pub async fn send(&self, req: &WireRequest) -> Result<WireResponse, TransportError> {
        let _permit = self.limiter.acquire().await?;
        self.send_now(req).await
    }

    /// For set-up, read-back and clean-up calls only: retries 429 (waiting `Retry-After`,
    /// capped, or the backoff) and connection failures (`Connect`, `Broken`) with exponential
    /// backoff, up to `policy.max_attempts`. Returns the last response and how many 429s were
    /// absorbed (a final 429 is returned, not counted). Timeouts are not retried.
    pub async fn send_with_retry(
        &self,
        req: &WireRequest,
        policy: &RetryPolicy,
    ) -> Result<(WireResponse, u32), TransportError> {
        let mut throttled = 0;
        let mut attempt = 1;
        loop {
            let last = attempt >= policy.max_attempts.max(1);
            let wait = match self.send(req).await {
                Ok(resp) if resp.status == 429 && !last => {
                    throttled += 1;
                    policy
                        .retry_after(&resp)
                        .unwrap_or_else(|| policy.backoff(attempt))
                }
                Ok(resp) => return Ok((resp, throttled)),
                Err(TransportError::Connect(_) | TransportError::Broken(_)) if !last => {
                    policy.backoff(attempt)
                }
                Err(e) => return Err(e),
            };
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The reproduction of `req` as a standalone shell snippet (see [`super::repro`]), with the
    /// context given by [`RawClient::with_reproduction`] (none: no set-up).
    pub fn reproduction(&self, req: &WireRequest) -> String {
        self.reproduction_after(&[], req)
    }

    /// The same, with `prior` requests sent first (the state `req`'s answer depends on, such as
    /// an earlier create of the same name).
    pub fn reproduction_after(&self, prior: &[&WireRequest], req: &WireRequest) -> String {
        let ctx = self.repro.as_deref().cloned().unwrap_or_default();
        super::repro::reproduction(self, prior, req, &ctx)
    }

    /// The same client, writing reproductions for `ctx` (what the target needs set up).
    pub fn with_reproduction(mut self, ctx: ReproContext) -> Self {
        self.repro = Some(Arc::new(ctx));
        self
    }

    /// One attempt, already admitted by the limiter.
    async fn send_now(&self, req: &WireRequest) -> Result<WireResponse, TransportError> {
        let url = self.request_url(&req.path)?;
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|e| {
            TransportError::Broken(format!("invalid request method {:?}: {e}", req.method))
        })?;
        let mut headers = req.headers.clone();
        if req.header("authorization").is_none() {
            headers.extend(
                self.signing
                    .headers_for(req, url.as_str(), SystemTime::now())?,
            );
        }
        let mut builder = self.http.request(method, url);
        for (name, value) in &headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| {
                TransportError::Broken(format!("invalid request header name {name:?}: {e}"))
            })?;
            let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|e| {
                TransportError::Broken(format!("invalid value of request header {name}: {e}"))
            })?;
            builder = builder.header(name, value);
        }
        let request = builder.body(req.body.clone()).build().map_err(|e| {
            TransportError::Broken(format!("request not built: {}", error_chain(&e)))
        })?;
        let exchange = async {
            let mut resp = self
                .http
                .execute(request)
                .await
                .map_err(|e| self.classify(&e))?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect();
            // Never more than `max_body` bytes in memory: a longer answer is dropped unread (the
            // connection with it) and judged truncated, a fault of the endpoint's plumbing.
            let limit = self.max_body;
            if resp.content_length().is_some_and(|n| n > limit as u64) {
                return Err(TransportError::Truncated(limit));
            }
            let mut body = Vec::with_capacity(
                resp.content_length()
                    .map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit)),
            );
            while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(&e))? {
                if body.len() + chunk.len() > limit {
                    return Err(TransportError::Truncated(limit));
                }
                body.extend_from_slice(&chunk);
            }
            let mut resp = WireResponse {
                status,
                headers,
                body,
            };
            // An answer echoing the keys or the signature must not carry them into any output.
            self.secrets.scrub_response(&mut resp);
            Ok(resp)
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or(Err(TransportError::Timeout(self.timeout)))
    }

    /// Timeout, connect failure, or anything else.
    fn classify(&self, e: &reqwest::Error) -> TransportError {
        if e.is_timeout() {
            TransportError::Timeout(self.timeout)
        } else if e.is_connect() {
            TransportError::Connect(error_chain(e))
        } else {
            TransportError::Broken(error_chain(e))
        }
    }
}

/// `endpoint` with `path` after its own path, when `path` is plain: it starts with `/`, has at most
/// one `?`, only letters, digits and `-._~/:=&,` besides, and no `.` segment (`/./`, `/../`)
/// for the parser to resolve. None for any other path.
fn plain_url(endpoint: &Url, path: &str) -> Option<Url> {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/:=&,".contains(&b))
    };
    if !path.starts_with('/')
        || !plain(path)
        || !query.is_none_or(plain)
        || path
            .split('/')
            .any(|segment| segment == "." || segment == "..")
    {
        return None;
    }
    let mut url = endpoint.clone();
    let base = endpoint.path().trim_end_matches('/');
    if base.is_empty() {
        url.set_path(path);
    } else {
        url.set_path(&format!("{base}{path}"));
    }
    url.set_query(query);
    Some(url)
}

/// An `http` or `https` URL with a host.
fn check_endpoint(endpoint: &Url) -> Result<(), SetupError> {
    if !matches!(endpoint.scheme(), "http" | "https") {
        return Err(SetupError::BadEndpoint(format!(
            "{endpoint}: the scheme must be http or https"
        )));
    }
    if endpoint.host().is_none() {
        return Err(SetupError::BadEndpoint(format!("{endpoint}: no host")));
    }
    if endpoint.query().is_some() || endpoint.fragment().is_some() {
        return Err(SetupError::BadEndpoint(format!(
            "{endpoint}: an endpoint cannot have a query or fragment"
        )));
    }
    Ok(())
}

/// An error and its sources, `: `-separated (reqwest's own text omits the cause).
pub(crate) fn error_chain(e: &dyn StdError) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A request's URL set on a copy of the endpoint is the URL parsed whole, for every endpoint
    /// form (with and without a trailing `/`, a base path, a port, a name) and every path; the
    /// paths a run sends take the short way.
    pub(crate) fn request_urls_are_the_urls_parsed_whole() {
        let endpoints = [
            "http://127.0.0.1:4566",
            "http://127.0.0.1:4566/",
            "https://lambda.eu-west-1.amazonaws.com/",
            "http://localhost:5000/base/",
            "http://localhost:5000/base/deeper",
        ];
        let plain = [
            "/2015-03-31/functions",
            "/2015-03-31/functions/lc-0a1b-valid-7",
            "/2015-03-31/functions/lc-x/configuration?Qualifier=1",
            "/2015-03-31/functions/?Marker=a,b&MaxItems=50",
            "/2015-03-31/functions?",
            "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f",
            "/",
        ];
        let other = [
            "/2015-03-31/functions/a b",
            "/2015-03-31/functions/%41",
            "/2015-03-31/functions/../x",
            "/2015-03-31/functions/./x",
            "/2015-03-31/functions/x#frag",
            "/2015-03-31/functions/x?a=b?c",
            "/2015-03-31/functions/é",
            "/2015-03-31/functions/x\\y",
            "2015-03-31/functions",
            "",
        ];
        for endpoint in endpoints {
            let client = RawClient::new(RawConfig::new(
                Url::parse(endpoint).expect("an endpoint"),
                Signing::None,
            ))
            .expect("a client");
            for path in plain.iter().chain(&other) {
                // A path without its `/` can even make the port invalid: an error either way.
                let whole = Url::parse(&client.url_for(path)).map(String::from).ok();
                let short = plain_url(client.endpoint(), path);
                assert_eq!(
                    short.is_some(),
                    plain.contains(path),
                    "{endpoint} {path}: the short way taken or not"
                );
                if let Some(short) = short {
                    assert_eq!(Some(String::from(short)), whole, "{endpoint} {path}");
                }
                let got = client.request_url(path).map(String::from).ok();
                assert_eq!(got, whole, "{endpoint} {path}");
            }
        }
    }
}

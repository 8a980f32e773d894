//! Sending requests to an endpoint: raw signed HTTP for every case, the official SDK for the cases it can express.

use std::time::Duration;

pub mod lambda_api;
pub mod raw;
pub mod repro;
pub mod sdk;
mod sdk_output;
pub mod sign;
pub mod target;

pub use lambda_api::LambdaApi;
pub use raw::{Limiter, RawClient, RawConfig, RetryPolicy};
pub use repro::ReproContext;
pub use sdk::{SdkClient, SdkOutcome};
pub use sign::{resolve_signing, EnvCredentials, Signing};
pub use target::{prepare, Target, TargetSetup};

/// One HTTP request exactly as it goes on the wire (before signing adds its headers).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WireRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path and query, e.g. `/2015-03-31/functions`.
    pub path: String,
    /// Headers to send, in order; names as written.
    pub headers: Vec<(String, String)>,
    /// The body bytes (usually JSON text).
    #[serde(with = "body_text")]
    pub body: Vec<u8>,
}

/// One HTTP response as received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WireResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    #[serde(with = "body_text")]
    pub body: Vec<u8>,
}

impl WireRequest {
    /// A `POST` of a JSON body with `Content-Type: application/json`.
    pub fn post_json(path: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    /// A request with no body.
    pub fn bodiless(method: &str, path: &str) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl WireResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Why a request got no HTTP answer. These are never the endpoint's verdict on their own:
/// the oracle decides whether a failure is the endpoint's fault (a hang) or the harness's (a refused connection).
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TransportError {
    /// No complete answer within the per-request timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The connection could not be made (refused, DNS, TLS).
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connection broke or the answer was not valid HTTP.
    #[error("the connection failed or the answer was not HTTP: {0}")]
    Broken(String),
    /// The request could not be signed.
    #[error("could not sign the request: {0}")]
    Signing(String),
}

/// Why the harness could not get ready to test an endpoint (the CLI exits with 3).
/// Each message is one line that says what to do.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SetupError {
    /// No credentials for a non-loopback endpoint.
    #[error("no credentials: {0}")]
    NoCredentials(String),
    /// No region for a non-loopback endpoint.
    #[error("no region: {0}")]
    NoRegion(String),
    /// The endpoint URL cannot be used (no host, not http or https).
    #[error("bad endpoint: {0}")]
    BadEndpoint(String),
    /// A transport setting is out of range (e.g. `max_in_flight` 0, `rps` not positive).
    #[error("bad transport setting: {0}")]
    BadConfig(String),
    /// The endpoint did not answer the reachability probe.
    #[error("endpoint unreachable: {0}")]
    Unreachable(String),
    /// The HTTP or SDK client could not be built.
    #[error("client set-up failed: {0}")]
    Sdk(String),
    /// `--target aws` without `--role`.
    #[error("--role ARN is required for --target aws: the harness never creates IAM roles in a real account")]
    NoRole,
    /// A set-up call to the target (moto reset, IAM CreateRole) failed.
    #[error("target set-up failed: {0}")]
    Target(String),
}

/// Bodies serialise as text when they are UTF-8 and as `base64:` + base64 otherwise.
mod body_text {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(body) {
            Ok(text) if !text.starts_with("base64:") => s.serialize_str(text),
            _ => s.serialize_str(&format!(
                "base64:{}",
                base64::engine::general_purpose::STANDARD.encode(body)
            )),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        match text.strip_prefix("base64:") {
            Some(b64) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(serde::de::Error::custom),
            None => Ok(text.into_bytes()),
        }
    }
}

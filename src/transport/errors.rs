//! Why a request got no answer, and why a run could not get ready.

use std::time::Duration;

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
    /// The answer's body was longer than the cap (`--max-body`): the rest was not read and the
    /// connection dropped. A fault of the endpoint's plumbing, never a verdict on its API.
    #[error("answer body over {0} bytes (truncated)")]
    Truncated(usize),
    /// The check's deadline (`--check-timeout`) passed before this request was answered.
    #[error("the check ran out of time: over its {0:?} deadline (--check-timeout)")]
    CheckDeadline(Duration),
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

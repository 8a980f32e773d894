//! The official client path: the same CreateFunction request through aws-sdk-lambda, to see what a
//! real SDK user sees (typed error or not, parsed output or not).
//!
//! The SDK can only express well-typed requests: [`SdkClient::create_function`] maps the wire JSON
//! onto the SDK's builders and answers [`SdkOutcome::Unexpressible`] without sending anything when
//! that is impossible (null, wrong JSON type, unknown member, integer beyond `i32`, invalid
//! base64, a nested builder's missing required member). Retries are disabled so that each case
//! is exactly one request.

use std::time::Duration;

use aws_sdk_lambda::config::retry::RetryConfig;
use aws_sdk_lambda::config::timeout::TimeoutConfig;
use aws_sdk_lambda::config::{BehaviorVersion, Region};
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::create_function::CreateFunctionError;
use serde_json::Value;
use url::Url;

use super::raw::{Limiter, DEFAULT_MAX_BODY};
pub use super::sdk_output::output_to_json;
use super::sdk_request::build_request;
use super::sign::{dummy_credentials, Signing, DEFAULT_LOOPBACK_REGION};
use super::TransportError;

/// What the SDK made of one CreateFunction request.
#[derive(Debug, Clone, PartialEq)]
pub enum SdkOutcome {
    /// The SDK parsed a success; the output as JSON with AWS's member names, `None`s omitted.
    /// `CodeSize` is always present (the SDK models it as a plain `i64`, 0 when absent), and
    /// JSON `null` members of the answer are absent here.
    Success(Value),
    /// The SDK parsed an error answer.
    Error {
        /// The `CreateFunctionError` variant, e.g. `InvalidParameterValueException`, or
        /// `Unhandled` (no error code, or a code the SDK does not model, such as `ValidationException`).
        variant: String,
        /// The error code the SDK read (`ProvideErrorMetadata::code`).
        code: Option<String>,
        /// The error message the SDK read.
        message: Option<String>,
        /// The HTTP status of the answer.
        status: Option<u16>,
    },
    /// No parsed answer: dispatch failure, timeout, or a 2xx the SDK could not parse.
    Failed(String),
    /// No answer the harness may judge, for a reason that is not the SDK's reading: the answer's
    /// body was over the cap ([`TransportError::Truncated`]) or the check ran out of time
    /// ([`TransportError::CheckDeadline`]).
    NoAnswer(TransportError),
    /// The request cannot be expressed with the SDK's types; nothing was sent.
    Unexpressible(String),
}

/// aws-sdk-lambda configured like the raw client: same endpoint, keys and region, no retries.
#[derive(Debug, Clone)]
pub struct SdkClient {
    client: aws_sdk_lambda::Client,
    limiter: Option<Limiter>,
    body_cap: BodyCap,
    /// What [`SdkClient::new`] was given, to make the same client again.
    made: (Url, Signing, Duration),
}

impl SdkClient {
    /// A client for `endpoint`. `Signing::None` uses the dummy loopback keys (the SDK always
    /// signs). Retries are disabled; `timeout` bounds each operation and each connect; answer
    /// bodies are read up to 1 MiB (see [`SdkClient::with_max_body`]).
    pub fn new(endpoint: &Url, signing: &Signing, timeout: Duration) -> Self {
        let body_cap = BodyCap::default();
        let (credentials, region) = match signing {
            Signing::SigV4 {
                credentials,
                region,
                ..
            } => (credentials.clone(), region.clone()),
            Signing::None => (dummy_credentials(), DEFAULT_LOOPBACK_REGION.to_owned()),
        };
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint.as_str().trim_end_matches('/'))
            .region(Region::new(region))
            .credentials_provider(credentials)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(timeout)
                    .connect_timeout(timeout)
                    .build(),
            )
            .interceptor(body_cap.clone())
            .build();
        Self {
            client: aws_sdk_lambda::Client::from_conf(config),
            limiter: None,
            body_cap,
            made: (endpoint.clone(), signing.clone(), timeout),
        }
    }

    /// The same client (endpoint, signing, limiter, body cap) with an HTTP client, and so
    /// connections, of its own: see [`super::RawClient::on_own_connections`].
    pub fn on_own_connections(&self) -> Self {
        let (endpoint, signing, timeout) = &self.made;
        let mut fresh = Self::new(endpoint, signing, *timeout)
            .with_max_body(self.body_cap.0.load(std::sync::atomic::Ordering::Relaxed));
        fresh.limiter = self.limiter.clone();
        fresh
    }

    /// Reads answer bodies up to `max_body` bytes (at least 1): a longer one is not read further
    /// and the outcome is [`SdkOutcome::NoAnswer`] with [`TransportError::Truncated`].
    pub fn with_max_body(self, max_body: usize) -> Self {
        self.body_cap
            .0
            .store(max_body.max(1), std::sync::atomic::Ordering::Relaxed);
        self
    }

    /// Puts the SDK's requests under a shared limiter (usually [`super::RawClient::limiter`]).
    pub fn with_limiter(mut self, limiter: Limiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Sends `request` (a CreateFunction body as on the wire) through the SDK, once, bounded by
    /// the running check's deadline ([`super::deadline`]).
    pub fn create_function<'a>(
        &'a self,
        request: &'a Value,
    ) -> impl std::future::Future<Output = SdkOutcome> + 'a {
        // Read on the caller's thread, where the check runs.
        let deadline = super::deadline::current();
        async move {
            let send = async { Ok(self.send_create(request).await) };
            match super::deadline::bounded(deadline, send).await {
                Ok(outcome) => outcome,
                Err(e) => SdkOutcome::NoAnswer(e),
            }
        }
    }

    async fn send_create(&self, request: &Value) -> SdkOutcome {
        let operation = match build_request(self.client.create_function(), request) {
            Ok(operation) => operation,
            Err(reason) => return SdkOutcome::Unexpressible(reason),
        };
        let _permit = match &self.limiter {
            Some(limiter) => match limiter.acquire().await {
                Ok(permit) => Some(permit),
                Err(e) => return SdkOutcome::Failed(e.to_string()),
            },
            None => None,
        };
        match operation.send().await {
            Ok(output) => SdkOutcome::Success(output_to_json(&output)),
            Err(SdkError::ServiceError(context)) => {
                let status = context.raw().status().as_u16();
                let err = context.err();
                if (200..300).contains(&status) {
                    return SdkOutcome::Failed(format!(
                        "the {status} answer could not be parsed: {}",
                        DisplayErrorContext(err)
                    ));
                }
                SdkOutcome::Error {
                    variant: variant_name(err).to_owned(),
                    code: err.code().map(str::to_owned),
                    message: err.message().map(str::to_owned),
                    status: Some(status),
                }
            }
            Err(e) if truncated(&e) => SdkOutcome::NoAnswer(TransportError::Truncated(
                self.body_cap.0.load(std::sync::atomic::Ordering::Relaxed),
            )),
            Err(e) => {
                let status = e
                    .raw_response()
                    .map(|r| format!(" (HTTP {})", r.status().as_u16()))
                    .unwrap_or_default();
                SdkOutcome::Failed(format!("{}{status}", DisplayErrorContext(&e)))
            }
        }
    }
}

/// The cap on answer bodies the SDK reads, shared by the client's interceptor and
/// [`SdkClient::with_max_body`]. Before the SDK reads an answer, its body is wrapped so that reading
/// past the cap fails with [`http_body_util::LengthLimitError`] (the connection is then dropped).
#[derive(Debug, Clone)]
struct BodyCap(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Default for BodyCap {
    fn default() -> Self {
        Self(std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(
            DEFAULT_MAX_BODY,
        )))
    }
}

impl aws_sdk_lambda::config::Intercept for BodyCap {
    fn name(&self) -> &'static str {
        "lambda-conform body cap"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_lambda::config::interceptors::BeforeDeserializationInterceptorContextMut<'_>,
        _components: &aws_sdk_lambda::config::RuntimeComponents,
        _cfg: &mut aws_sdk_lambda::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let cap = self.0.load(std::sync::atomic::Ordering::Relaxed);
        let response = context.response_mut();
        let body = response.take_body();
        *response.body_mut() =
            aws_smithy_types::body::SdkBody::from_body_1_x(http_body_util::Limited::new(body, cap));
        Ok(())
    }
}

/// Whether the SDK failed because the answer's body went over the cap.
fn truncated(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The name of the typed error variant; `Unhandled` for anything the SDK did not type.
fn variant_name(err: &CreateFunctionError) -> &'static str {
    use CreateFunctionError as E;
    match err {
        E::CodeSigningConfigNotFoundException(_) => "CodeSigningConfigNotFoundException",
        E::CodeStorageExceededException(_) => "CodeStorageExceededException",
        E::CodeVerificationFailedException(_) => "CodeVerificationFailedException",
        E::FunctionVersionsPerCapacityProviderLimitExceededException(_) => {
            "FunctionVersionsPerCapacityProviderLimitExceededException"
        }
        E::InvalidCodeSignatureException(_) => "InvalidCodeSignatureException",
        E::InvalidParameterValueException(_) => "InvalidParameterValueException",
        E::ResourceConflictException(_) => "ResourceConflictException",
        E::ResourceNotFoundException(_) => "ResourceNotFoundException",
        E::ServiceException(_) => "ServiceException",
        E::TooManyRequestsException(_) => "TooManyRequestsException",
        // `Unhandled` (deprecated to match by name) and any variant of a newer SDK.
        _ => "Unhandled",
    }
}

//! The official client path: the same CreateFunction request through aws-sdk-lambda, to see what a
//! real SDK user sees (typed error or not, parsed output or not).
//!
//! The SDK can only express well-typed requests: [`SdkClient::create_function`] maps the wire JSON
//! onto the SDK's builders and answers [`SdkOutcome::Unexpressible`] without sending anything when
//! that is impossible (null, wrong JSON type, unknown member, integer beyond `i32`, invalid
//! base64, a nested builder's missing required member). Retries are disabled so that each case
//! is exactly one request.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_lambda::config::retry::RetryConfig;
use aws_sdk_lambda::config::timeout::TimeoutConfig;
use aws_sdk_lambda::config::{BehaviorVersion, Region};
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder;
use aws_sdk_lambda::operation::create_function::CreateFunctionError;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    ApplicationLogLevel, Architecture, CapacityProviderConfig, DeadLetterConfig, DirectS3Read,
    DurableConfig, Environment, EphemeralStorage, FileSystemConfig, FunctionCode,
    FunctionVersionLatestPublished, ImageConfig, LambdaManagedInstancesCapacityProviderConfig,
    LogFormat, LoggingConfig, PackageType, Runtime, S3FilesConfig, S3ObjectStorageMode, SnapStart,
    SnapStartApplyOn, SystemLogLevel, TenancyConfig, TenantIsolationMode, TracingConfig,
    TracingMode, VpcConfig,
};
use base64::Engine as _;
use serde_json::{Map, Value};
use url::Url;

use super::raw::{Limiter, DEFAULT_MAX_BODY};
pub use super::sdk_output::output_to_json;
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
        }
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

// ---------------------------------------------------------------------------------------------
// Wire JSON → SDK builders

/// A reason the SDK cannot express the request.
type Expr<T> = Result<T, String>;

/// Maps every top-level member onto the fluent builder.
fn build_request(
    mut op: CreateFunctionFluentBuilder,
    request: &Value,
) -> Expr<CreateFunctionFluentBuilder> {
    for (key, value) in object(request, "the request body")? {
        let path = key.as_str();
        op = match path {
            "FunctionName" => op.function_name(string(value, path)?),
            "Runtime" => op.runtime(Runtime::from(string(value, path)?.as_str())),
            "Role" => op.role(string(value, path)?),
            "Handler" => op.handler(string(value, path)?),
            "Code" => op.code(function_code(value, path)?),
            "Description" => op.description(string(value, path)?),
            "Timeout" => op.timeout(int(value, path)?),
            "MemorySize" => op.memory_size(int(value, path)?),
            "Publish" => op.publish(boolean(value, path)?),
            "PublishTo" => op.publish_to(FunctionVersionLatestPublished::from(
                string(value, path)?.as_str(),
            )),
            "VpcConfig" => op.vpc_config(vpc_config(value, path)?),
            "PackageType" => op.package_type(PackageType::from(string(value, path)?.as_str())),
            "DeadLetterConfig" => op.dead_letter_config(dead_letter_config(value, path)?),
            "Environment" => op.environment(environment(value, path)?),
            "KMSKeyArn" => op.kms_key_arn(string(value, path)?),
            "TracingConfig" => op.tracing_config(tracing_config(value, path)?),
            "Tags" => op.set_tags(Some(string_map(value, path)?)),
            "Layers" => op.set_layers(Some(strings(value, path)?)),
            "FileSystemConfigs" => op.set_file_system_configs(Some(
                items(value, path)?
                    .map(|(item, item_path)| file_system_config(item, &item_path))
                    .collect::<Expr<Vec<_>>>()?,
            )),
            "CodeSigningConfigArn" => op.code_signing_config_arn(string(value, path)?),
            "ImageConfig" => op.image_config(image_config(value, path)?),
            "Architectures" => op.set_architectures(Some(
                strings(value, path)?
                    .iter()
                    .map(|a| Architecture::from(a.as_str()))
                    .collect(),
            )),
            "EphemeralStorage" => op.ephemeral_storage(ephemeral_storage(value, path)?),
            "SnapStart" => op.snap_start(snap_start(value, path)?),
            "LoggingConfig" => op.logging_config(logging_config(value, path)?),
            "TenancyConfig" => op.tenancy_config(tenancy_config(value, path)?),
            "CapacityProviderConfig" => {
                op.capacity_provider_config(capacity_provider_config(value, path)?)
            }
            "DurableConfig" => op.durable_config(durable_config(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    Ok(op)
}

fn function_code(value: &Value, at: &str) -> Expr<FunctionCode> {
    let mut b = FunctionCode::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "ZipFile" => b.zip_file(Blob::new(base64_bytes(value, path)?)),
            "S3Bucket" => b.s3_bucket(string(value, path)?),
            "S3Key" => b.s3_key(string(value, path)?),
            "S3ObjectVersion" => b.s3_object_version(string(value, path)?),
            "S3ObjectStorageMode" => {
                b.s3_object_storage_mode(S3ObjectStorageMode::from(string(value, path)?.as_str()))
            }
            "ImageUri" => b.image_uri(string(value, path)?),
            "SourceKMSKeyArn" => b.source_kms_key_arn(string(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn vpc_config(value: &Value, at: &str) -> Expr<VpcConfig> {
    let mut b = VpcConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "SubnetIds" => b.set_subnet_ids(Some(strings(value, path)?)),
            "SecurityGroupIds" => b.set_security_group_ids(Some(strings(value, path)?)),
            "Ipv6AllowedForDualStack" => b.ipv6_allowed_for_dual_stack(boolean(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn dead_letter_config(value: &Value, at: &str) -> Expr<DeadLetterConfig> {
    let mut b = DeadLetterConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "TargetArn" => b.target_arn(string(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn environment(value: &Value, at: &str) -> Expr<Environment> {
    let mut b = Environment::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "Variables" => b.set_variables(Some(string_map(value, path)?)),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn tracing_config(value: &Value, at: &str) -> Expr<TracingConfig> {
    let mut b = TracingConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "Mode" => b.mode(TracingMode::from(string(value, path)?.as_str())),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn file_system_config(value: &Value, at: &str) -> Expr<FileSystemConfig> {
    let mut b = FileSystemConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "Arn" => b.arn(string(value, path)?),
            "LocalMountPath" => b.local_mount_path(string(value, path)?),
            "S3FilesConfig" => b.s3_files_config(s3_files_config(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    b.build().map_err(|e| built(at, &e))
}

fn s3_files_config(value: &Value, at: &str) -> Expr<S3FilesConfig> {
    let mut b = S3FilesConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "DirectS3Read" => b.direct_s3_read(DirectS3Read::from(string(value, path)?.as_str())),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn image_config(value: &Value, at: &str) -> Expr<ImageConfig> {
    let mut b = ImageConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "EntryPoint" => b.set_entry_point(Some(strings(value, path)?)),
            "Command" => b.set_command(Some(strings(value, path)?)),
            "WorkingDirectory" => b.working_directory(string(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn ephemeral_storage(value: &Value, at: &str) -> Expr<EphemeralStorage> {
    let mut b = EphemeralStorage::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "Size" => b.size(int(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    b.build().map_err(|e| built(at, &e))
}

fn snap_start(value: &Value, at: &str) -> Expr<SnapStart> {
    let mut b = SnapStart::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "ApplyOn" => b.apply_on(SnapStartApplyOn::from(string(value, path)?.as_str())),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn logging_config(value: &Value, at: &str) -> Expr<LoggingConfig> {
    let mut b = LoggingConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "LogFormat" => b.log_format(LogFormat::from(string(value, path)?.as_str())),
            "ApplicationLogLevel" => {
                b.application_log_level(ApplicationLogLevel::from(string(value, path)?.as_str()))
            }
            "SystemLogLevel" => {
                b.system_log_level(SystemLogLevel::from(string(value, path)?.as_str()))
            }
            "LogGroup" => b.log_group(string(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn tenancy_config(value: &Value, at: &str) -> Expr<TenancyConfig> {
    let mut b = TenancyConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "TenantIsolationMode" => {
                b.tenant_isolation_mode(TenantIsolationMode::from(string(value, path)?.as_str()))
            }
            _ => return Err(unknown(path)),
        };
    }
    b.build().map_err(|e| built(at, &e))
}

fn capacity_provider_config(value: &Value, at: &str) -> Expr<CapacityProviderConfig> {
    let mut b = CapacityProviderConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "LambdaManagedInstancesCapacityProviderConfig" => {
                b.lambda_managed_instances_capacity_provider_config(managed_instances(value, path)?)
            }
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

fn managed_instances(
    value: &Value,
    at: &str,
) -> Expr<LambdaManagedInstancesCapacityProviderConfig> {
    let mut b = LambdaManagedInstancesCapacityProviderConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "CapacityProviderArn" => b.capacity_provider_arn(string(value, path)?),
            "PerExecutionEnvironmentMaxConcurrency" => {
                b.per_execution_environment_max_concurrency(int(value, path)?)
            }
            "ExecutionEnvironmentMemoryGiBPerVCpu" => {
                b.execution_environment_memory_gib_per_v_cpu(float(value, path)?)
            }
            _ => return Err(unknown(path)),
        };
    }
    b.build().map_err(|e| built(at, &e))
}

fn durable_config(value: &Value, at: &str) -> Expr<DurableConfig> {
    let mut b = DurableConfig::builder();
    for (key, value) in object(value, at)? {
        let path = &format!("{at}.{key}");
        b = match key.as_str() {
            "KMSKeyArn" => b.kms_key_arn(string(value, path)?),
            "RetentionPeriodInDays" => b.retention_period_in_days(int(value, path)?),
            "ExecutionTimeout" => b.execution_timeout(int(value, path)?),
            _ => return Err(unknown(path)),
        };
    }
    Ok(b.build())
}

/// What kind of JSON value this is, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong(path: &str, value: &Value, want: &str) -> String {
    format!("{path} is {}; the SDK can only send {want}", kind(value))
}

fn unknown(path: &str) -> String {
    format!("{path} is not a member the SDK has (aws-sdk-lambda CreateFunctionInput)")
}

fn built(path: &str, e: &aws_sdk_lambda::error::BuildError) -> String {
    format!("{path} cannot be built by the SDK: {e}")
}

fn object<'a>(value: &'a Value, path: &str) -> Expr<&'a Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| wrong(path, value, "an object"))
}

fn string(value: &Value, path: &str) -> Expr<String> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| wrong(path, value, "a string"))
}

fn boolean(value: &Value, path: &str) -> Expr<bool> {
    value
        .as_bool()
        .ok_or_else(|| wrong(path, value, "a boolean"))
}

fn int(value: &Value, path: &str) -> Expr<i32> {
    match value.as_i64() {
        Some(n) => i32::try_from(n).map_err(|_| format!("{path} = {n} is outside the SDK's i32")),
        None if value.is_number() => Err(format!(
            "{path} = {value} is not an integer; the SDK can only send an i32"
        )),
        None => Err(wrong(path, value, "an integer")),
    }
}

fn float(value: &Value, path: &str) -> Expr<f64> {
    value.as_f64().ok_or_else(|| wrong(path, value, "a number"))
}

fn items<'a>(value: &'a Value, path: &str) -> Expr<impl Iterator<Item = (&'a Value, String)>> {
    let array = value
        .as_array()
        .ok_or_else(|| wrong(path, value, "an array"))?;
    let path = path.to_owned();
    Ok(array
        .iter()
        .enumerate()
        .map(move |(i, item)| (item, format!("{path}[{i}]"))))
}

fn strings(value: &Value, path: &str) -> Expr<Vec<String>> {
    items(value, path)?
        .map(|(item, item_path)| string(item, &item_path))
        .collect()
}

fn string_map(value: &Value, path: &str) -> Expr<HashMap<String, String>> {
    object(value, path)?
        .iter()
        .map(|(k, v)| Ok((k.clone(), string(v, &format!("{path}.{k}"))?)))
        .collect()
}

/// The bytes of a base64 string; the SDK re-encodes them, so only canonical padded base64
/// round-trips to the same text.
fn base64_bytes(value: &Value, path: &str) -> Expr<Vec<u8>> {
    let text = value
        .as_str()
        .ok_or_else(|| wrong(path, value, "a base64 string"))?;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("{path} is not base64 the SDK could produce: {e}"))
}

// ---------------------------------------------------------------------------------------------
// SDK output → wire JSON

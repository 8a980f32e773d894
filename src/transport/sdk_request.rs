//! The wire JSON of a CreateFunction request mapped onto aws-sdk-lambda's builders, member by
//! member; a request the SDK cannot express (null, wrong JSON type, unknown member, integer beyond
//! `i32`, invalid base64, a nested builder's missing required member) is an `Err` naming the path.

use std::collections::HashMap;

use aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder;
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

use crate::wire::json_kind;

/// A reason the SDK cannot express the request.
pub(super) type Expr<T> = Result<T, String>;

/// Maps every top-level member onto the fluent builder.
pub(super) fn build_request(
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

fn wrong(path: &str, value: &Value, want: &str) -> String {
    format!(
        "{path} is {}; the SDK can only send {want}",
        json_kind(value)
    )
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

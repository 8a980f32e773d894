//! Turning the SDK's parsed `CreateFunctionOutput` back into JSON with AWS's member names, so the
//! oracle can compare it with what raw HTTP read.

use std::collections::HashMap;

use aws_sdk_lambda::operation::create_function::CreateFunctionOutput;
use aws_sdk_lambda::types::{
    CapacityProviderConfig, DurableConfig, FileSystemConfig, ImageConfig, LoggingConfig,
};
use serde_json::{Map, Value};

/// Inserts `key` when `value` is present.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value.into());
    }
}

/// A string map with sorted keys (the SDK holds it in a `HashMap`).
fn sorted_map(map: &HashMap<String, String>) -> Value {
    let mut pairs: Vec<_> = map.iter().collect();
    pairs.sort();
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect(),
    )
}

/// `{ErrorCode, Message}` of the three `*Error` shapes.
fn error_json(error_code: Option<&str>, message: Option<&str>) -> Value {
    let mut m = Map::new();
    put(&mut m, "ErrorCode", error_code);
    put(&mut m, "Message", message);
    Value::Object(m)
}

fn image_config_json(c: &ImageConfig) -> Value {
    let mut m = Map::new();
    put(&mut m, "EntryPoint", c.entry_point.clone());
    put(&mut m, "Command", c.command.clone());
    put(&mut m, "WorkingDirectory", c.working_directory.as_deref());
    Value::Object(m)
}

fn file_system_config_json(c: &FileSystemConfig) -> Value {
    let mut m = Map::new();
    m.insert("Arn".into(), c.arn.as_str().into());
    m.insert("LocalMountPath".into(), c.local_mount_path.as_str().into());
    if let Some(s3) = &c.s3_files_config {
        let mut s = Map::new();
        put(
            &mut s,
            "DirectS3Read",
            s3.direct_s3_read.as_ref().map(|d| d.as_str()),
        );
        m.insert("S3FilesConfig".into(), Value::Object(s));
    }
    Value::Object(m)
}

fn logging_config_json(c: &LoggingConfig) -> Value {
    let mut m = Map::new();
    put(
        &mut m,
        "LogFormat",
        c.log_format.as_ref().map(|v| v.as_str()),
    );
    put(
        &mut m,
        "ApplicationLogLevel",
        c.application_log_level.as_ref().map(|v| v.as_str()),
    );
    put(
        &mut m,
        "SystemLogLevel",
        c.system_log_level.as_ref().map(|v| v.as_str()),
    );
    put(&mut m, "LogGroup", c.log_group.as_deref());
    Value::Object(m)
}

fn capacity_provider_config_json(c: &CapacityProviderConfig) -> Value {
    let mut m = Map::new();
    if let Some(lmi) = &c.lambda_managed_instances_capacity_provider_config {
        let mut l = Map::new();
        l.insert(
            "CapacityProviderArn".into(),
            lmi.capacity_provider_arn.as_str().into(),
        );
        put(
            &mut l,
            "PerExecutionEnvironmentMaxConcurrency",
            lmi.per_execution_environment_max_concurrency,
        );
        put(
            &mut l,
            "ExecutionEnvironmentMemoryGiBPerVCpu",
            lmi.execution_environment_memory_gib_per_v_cpu,
        );
        m.insert(
            "LambdaManagedInstancesCapacityProviderConfig".into(),
            Value::Object(l),
        );
    }
    Value::Object(m)
}

fn durable_config_json(c: &DurableConfig) -> Value {
    let mut m = Map::new();
    put(&mut m, "KMSKeyArn", c.kms_key_arn.as_deref());
    put(&mut m, "RetentionPeriodInDays", c.retention_period_in_days);
    put(&mut m, "ExecutionTimeout", c.execution_timeout);
    Value::Object(m)
}

/// Every member of `CreateFunctionOutput`, as AWS names it on the wire.
pub fn output_to_json(o: &CreateFunctionOutput) -> Value {
    let mut m = Map::new();
    put(&mut m, "FunctionName", o.function_name.as_deref());
    put(&mut m, "FunctionArn", o.function_arn.as_deref());
    put(&mut m, "Runtime", o.runtime.as_ref().map(|v| v.as_str()));
    put(&mut m, "Role", o.role.as_deref());
    put(&mut m, "Handler", o.handler.as_deref());
    m.insert("CodeSize".into(), o.code_size.into());
    put(&mut m, "Description", o.description.as_deref());
    put(&mut m, "Timeout", o.timeout);
    put(&mut m, "MemorySize", o.memory_size);
    put(&mut m, "LastModified", o.last_modified.as_deref());
    put(&mut m, "CodeSha256", o.code_sha256.as_deref());
    put(&mut m, "Version", o.version.as_deref());
    put(
        &mut m,
        "VpcConfig",
        o.vpc_config.as_ref().map(|v| {
            let mut c = Map::new();
            put(&mut c, "SubnetIds", v.subnet_ids.clone());
            put(&mut c, "SecurityGroupIds", v.security_group_ids.clone());
            put(&mut c, "VpcId", v.vpc_id.as_deref());
            put(
                &mut c,
                "Ipv6AllowedForDualStack",
                v.ipv6_allowed_for_dual_stack,
            );
            Value::Object(c)
        }),
    );
    put(
        &mut m,
        "DeadLetterConfig",
        o.dead_letter_config.as_ref().map(|d| {
            let mut c = Map::new();
            put(&mut c, "TargetArn", d.target_arn.as_deref());
            Value::Object(c)
        }),
    );
    put(
        &mut m,
        "Environment",
        o.environment.as_ref().map(|e| {
            let mut c = Map::new();
            put(&mut c, "Variables", e.variables.as_ref().map(sorted_map));
            put(
                &mut c,
                "Error",
                e.error
                    .as_ref()
                    .map(|x| error_json(x.error_code.as_deref(), x.message.as_deref())),
            );
            Value::Object(c)
        }),
    );
    put(&mut m, "KMSKeyArn", o.kms_key_arn.as_deref());
    put(
        &mut m,
        "TracingConfig",
        o.tracing_config.as_ref().map(|t| {
            let mut c = Map::new();
            put(&mut c, "Mode", t.mode.as_ref().map(|v| v.as_str()));
            Value::Object(c)
        }),
    );
    put(&mut m, "MasterArn", o.master_arn.as_deref());
    put(&mut m, "RevisionId", o.revision_id.as_deref());
    put(
        &mut m,
        "Layers",
        o.layers.as_ref().map(|layers| {
            layers
                .iter()
                .map(|l| {
                    let mut c = Map::new();
                    put(&mut c, "Arn", l.arn.as_deref());
                    c.insert("CodeSize".into(), l.code_size.into());
                    put(
                        &mut c,
                        "SigningProfileVersionArn",
                        l.signing_profile_version_arn.as_deref(),
                    );
                    put(&mut c, "SigningJobArn", l.signing_job_arn.as_deref());
                    Value::Object(c)
                })
                .collect::<Vec<_>>()
        }),
    );
    put(&mut m, "State", o.state.as_ref().map(|v| v.as_str()));
    put(&mut m, "StateReason", o.state_reason.as_deref());
    put(
        &mut m,
        "StateReasonCode",
        o.state_reason_code.as_ref().map(|v| v.as_str()),
    );
    put(
        &mut m,
        "LastUpdateStatus",
        o.last_update_status.as_ref().map(|v| v.as_str()),
    );
    put(
        &mut m,
        "LastUpdateStatusReason",
        o.last_update_status_reason.as_deref(),
    );
    put(
        &mut m,
        "LastUpdateStatusReasonCode",
        o.last_update_status_reason_code
            .as_ref()
            .map(|v| v.as_str()),
    );
    put(
        &mut m,
        "FileSystemConfigs",
        o.file_system_configs
            .as_ref()
            .map(|fs| fs.iter().map(file_system_config_json).collect::<Vec<_>>()),
    );
    put(
        &mut m,
        "SigningProfileVersionArn",
        o.signing_profile_version_arn.as_deref(),
    );
    put(&mut m, "SigningJobArn", o.signing_job_arn.as_deref());
    put(
        &mut m,
        "PackageType",
        o.package_type.as_ref().map(|v| v.as_str()),
    );
    put(
        &mut m,
        "ImageConfigResponse",
        o.image_config_response.as_ref().map(|r| {
            let mut c = Map::new();
            put(
                &mut c,
                "ImageConfig",
                r.image_config.as_ref().map(image_config_json),
            );
            put(
                &mut c,
                "Error",
                r.error
                    .as_ref()
                    .map(|x| error_json(x.error_code.as_deref(), x.message.as_deref())),
            );
            Value::Object(c)
        }),
    );
    put(
        &mut m,
        "Architectures",
        o.architectures
            .as_ref()
            .map(|a| a.iter().map(|v| v.as_str()).collect::<Vec<_>>()),
    );
    put(
        &mut m,
        "EphemeralStorage",
        o.ephemeral_storage.as_ref().map(|e| {
            let mut c = Map::new();
            c.insert("Size".into(), e.size.into());
            Value::Object(c)
        }),
    );
    put(
        &mut m,
        "SnapStart",
        o.snap_start.as_ref().map(|s| {
            let mut c = Map::new();
            put(&mut c, "ApplyOn", s.apply_on.as_ref().map(|v| v.as_str()));
            put(
                &mut c,
                "OptimizationStatus",
                s.optimization_status.as_ref().map(|v| v.as_str()),
            );
            Value::Object(c)
        }),
    );
    put(
        &mut m,
        "RuntimeVersionConfig",
        o.runtime_version_config.as_ref().map(|r| {
            let mut c = Map::new();
            put(
                &mut c,
                "RuntimeVersionArn",
                r.runtime_version_arn.as_deref(),
            );
            put(
                &mut c,
                "Error",
                r.error
                    .as_ref()
                    .map(|x| error_json(x.error_code.as_deref(), x.message.as_deref())),
            );
            Value::Object(c)
        }),
    );
    put(
        &mut m,
        "LoggingConfig",
        o.logging_config.as_ref().map(logging_config_json),
    );
    put(
        &mut m,
        "TenancyConfig",
        o.tenancy_config.as_ref().map(|t| {
            let mut c = Map::new();
            c.insert(
                "TenantIsolationMode".into(),
                t.tenant_isolation_mode.as_str().into(),
            );
            Value::Object(c)
        }),
    );
    put(
        &mut m,
        "CapacityProviderConfig",
        o.capacity_provider_config
            .as_ref()
            .map(capacity_provider_config_json),
    );
    put(&mut m, "ConfigSha256", o.config_sha256.as_deref());
    put(
        &mut m,
        "DurableConfig",
        o.durable_config.as_ref().map(durable_config_json),
    );
    Value::Object(m)
}

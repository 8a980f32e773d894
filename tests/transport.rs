//! Tests of the transport: signing, the raw client's failure modes, retry and rate limits, the
//! SDK path's mapping both ways, and target set-up against imitations of moto and LocalStack.
//! Everything runs on 127.0.0.1 (wiremock servers and raw `TcpListener`s); no network needed.

#![recursion_limit = "256"]

mod support;

use std::future::Future;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use lambda_conform::transport::sign::{DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};
use lambda_conform::transport::target::{EMULATOR_ROLE_ARN, PROBE_PATH};
use lambda_conform::transport::{
    prepare, resolve_signing, EnvCredentials, RawClient, RawConfig, ReproContext, RetryPolicy,
    SdkClient, SdkOutcome, SetupError, Signing, Target, TransportError, WireRequest,
};
use libtest_mimic::Failed;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::check;
use url::Url;
use wiremock::matchers::{any, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn main() -> ExitCode {
    support::run(vec![
        (
            "transport::sign::authorization_scope_and_date",
            authorization_scope_and_date,
        ),
        (
            "transport::sign::no_sign_sends_no_authorization",
            no_sign_sends_no_authorization,
        ),
        (
            "transport::sign::signature_verifies_independently",
            signature_verifies_independently,
        ),
        (
            "transport::sign::session_token_is_sent_and_signed",
            session_token_is_sent_and_signed,
        ),
        (
            "transport::sign::aws_test_vector_get_vanilla",
            aws_test_vector_get_vanilla,
        ),
        (
            "transport::sign::own_authorization_is_left_alone",
            own_authorization_is_left_alone,
        ),
        ("transport::sign::debug_hides_secrets", debug_hides_secrets),
        ("transport::sign::resolve_loopback", resolve_loopback),
        (
            "transport::raw::timeout_on_silent_server",
            timeout_on_silent_server,
        ),
        (
            "transport::raw::timeout_on_stalled_body",
            timeout_on_stalled_body,
        ),
        ("transport::raw::garbage_is_broken", garbage_is_broken),
        ("transport::raw::refused_is_connect", refused_is_connect),
        (
            "transport::raw::response_headers_lowercased",
            response_headers_lowercased,
        ),
        (
            "transport::raw::redirect_not_followed",
            redirect_not_followed,
        ),
        ("transport::raw::retry_absorbs_429", retry_absorbs_429),
        (
            "transport::raw::send_returns_429_untouched",
            send_returns_429_untouched,
        ),
        ("transport::raw::rps_limits_starts", rps_limits_starts),
        ("transport::raw::bad_config_rejected", bad_config_rejected),
        (
            "transport::raw::curl_has_no_secret_and_quotes",
            curl_has_no_secret_and_quotes,
        ),
        (
            "transport::raw::curl_heredoc_and_binary",
            curl_heredoc_and_binary,
        ),
        ("transport::raw::curl_line_runs", curl_line_runs),
        (
            "transport::repro::reproduction_stands_alone",
            reproduction_stands_alone,
        ),
        ("transport::sdk::typed_error", sdk_typed_error),
        (
            "transport::sdk::error_without_header_is_unhandled",
            sdk_error_without_header,
        ),
        (
            "transport::sdk::validation_exception_is_unhandled",
            sdk_validation_exception,
        ),
        ("transport::sdk::success_round_trip", sdk_success_round_trip),
        (
            "transport::sdk::request_maps_every_member",
            sdk_request_maps_every_member,
        ),
        (
            "transport::sdk::unexpressible_sends_nothing",
            sdk_unexpressible_sends_nothing,
        ),
        ("transport::sdk::retries_disabled", sdk_retries_disabled),
        (
            "transport::sdk::unparsable_201_is_failed",
            sdk_unparsable_201_is_failed,
        ),
        (
            "transport::sdk::hang_is_failed_in_time",
            sdk_hang_is_failed_in_time,
        ),
        ("transport::target::moto_setup", target_moto_setup),
        (
            "transport::target::localstack_existing_role",
            target_localstack_existing_role,
        ),
        (
            "transport::target::stub_only_probes",
            target_stub_only_probes,
        ),
        (
            "transport::target::aws_requires_role",
            target_aws_requires_role,
        ),
        ("transport::target::unreachable", target_unreachable),
    ])
}

// ---------------------------------------------------------------------------------------------
// helpers

/// Runs `f` on a fresh current-thread runtime.
fn block<F: Future<Output = Result<(), Failed>>>(f: F) -> Result<(), Failed> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?
        .block_on(f)
}

fn server_url(server: &MockServer) -> Url {
    Url::parse(&server.uri()).expect("wiremock gives a URL")
}

fn raw(url: Url, signing: Signing, timeout: Duration) -> RawClient {
    let mut config = RawConfig::new(url, signing);
    config.timeout = timeout;
    RawClient::new(config).expect("client builds")
}

fn dummy() -> Signing {
    Signing::dummy("us-east-1")
}

fn real_looking() -> Signing {
    Signing::SigV4 {
        credentials: Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("SESSIONTOKENxyz".into()),
            None,
            "test",
        ),
        region: "eu-west-1".into(),
        service: "lambda".into(),
    }
}

fn create_request(body: &Value) -> WireRequest {
    WireRequest::post_json("/2015-03-31/functions", body.to_string())
}

fn header<'a>(req: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 (RFC 2104), written here so the signature check does not use aws-sigv4.
fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(64, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// Recomputes the SigV4 signature of a received request from scratch and compares it with the
/// one in its `Authorization` header. Returns the credential scope.
fn verify_sigv4(req: &wiremock::Request, secret: &str) -> Result<String, Failed> {
    let auth = header(req, "authorization").ok_or("no Authorization header")?;
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or(format!("not SigV4: {auth}"))?;
    let mut credential = "";
    let mut signed_headers = "";
    let mut signature = "";
    for part in rest.split(", ") {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = v;
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed_headers = v;
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = v;
        }
    }
    let scope = credential
        .split_once('/')
        .map(|(_, s)| s)
        .ok_or("no scope")?;
    let parts: Vec<&str> = scope.split('/').collect();
    check(parts.len() == 4, format!("scope {scope}"))?;
    let amz_date = header(req, "x-amz-date").ok_or("no x-amz-date")?;
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let values: Vec<&str> = req
            .headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap_or("").trim())
            .collect();
        check(
            !values.is_empty(),
            format!("signed header {name} not received"),
        )?;
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method.as_str(),
        req.url.path(),
        req.url.query().unwrap_or(""),
        canonical_headers,
        signed_headers,
        hex(&Sha256::digest(&req.body))
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), parts[0].as_bytes());
    let k_region = hmac(&k_date, parts[1].as_bytes());
    let k_service = hmac(&k_region, parts[2].as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    let expected = hex(&hmac(&k_signing, string_to_sign.as_bytes()));
    check(
        expected == signature,
        format!("signature {signature}, recomputed {expected}\n{canonical_request}"),
    )?;
    Ok(scope.to_owned())
}

/// A TCP server on 127.0.0.1 that runs `serve` on each accepted connection in a thread.
fn tcp_server(serve: fn(std::net::TcpStream)) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    Url::parse(&format!("http://{addr}")).expect("url")
}

/// Reads what the client sends (best effort) so the client sees its request accepted.
fn drain_request(stream: &mut std::net::TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
}

fn full_configuration() -> Value {
    json!({
        "FunctionName": "f1",
        "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f1",
        "Runtime": "python3.12",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Handler": "index.handler",
        "CodeSize": 167,
        "Description": "d",
        "Timeout": 3,
        "MemorySize": 128,
        "LastModified": "2026-11-24T20:28:40.827+0000",
        "CodeSha256": "F2aBnEh5hXZZUPiMnW07HniKSWnK5qUeOVMBOe+6lhY=",
        "Version": "$LATEST",
        "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-1", "Ipv6AllowedForDualStack": false},
        "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:q"},
        "Environment": {"Variables": {"A": "1", "B": "2"}, "Error": {"ErrorCode": "E", "Message": "m"}},
        "KMSKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k",
        "TracingConfig": {"Mode": "PassThrough"},
        "MasterArn": "arn:aws:lambda:us-east-1:123456789012:function:m",
        "RevisionId": "54c9aeb1-0000-0000-0000-000000000000",
        "Layers": [{"Arn": "arn:aws:lambda:us-east-1:123456789012:layer:l:1", "CodeSize": 10, "SigningProfileVersionArn": "spv", "SigningJobArn": "sj"}],
        "State": "Pending",
        "StateReason": "The function is being created.",
        "StateReasonCode": "Creating",
        "LastUpdateStatus": "Successful",
        "LastUpdateStatusReason": "r",
        "LastUpdateStatusReasonCode": "EniLimitExceeded",
        "FileSystemConfigs": [{"Arn": "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-1", "LocalMountPath": "/mnt/x", "S3FilesConfig": {"DirectS3Read": "AUTO"}}],
        "SigningProfileVersionArn": "spv2",
        "SigningJobArn": "sj2",
        "PackageType": "Zip",
        "ImageConfigResponse": {"ImageConfig": {"EntryPoint": ["a"], "Command": ["b"], "WorkingDirectory": "/w"}, "Error": {"ErrorCode": "E2", "Message": "m2"}},
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "RuntimeVersionConfig": {"RuntimeVersionArn": "arn:aws:lambda:us-east-1::runtime:abc", "Error": {"ErrorCode": "E3", "Message": "m3"}},
        "LoggingConfig": {"LogFormat": "Text", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN", "LogGroup": "/aws/lambda/f1"},
        "TenancyConfig": {"TenantIsolationMode": "PER_TENANT"},
        "CapacityProviderConfig": {"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": "arn:cp", "PerExecutionEnvironmentMaxConcurrency": 4, "ExecutionEnvironmentMemoryGiBPerVCpu": 2.5}},
        "ConfigSha256": "c",
        "DurableConfig": {"KMSKeyArn": "arn:k", "RetentionPeriodInDays": 7, "ExecutionTimeout": 60}
    })
}

fn full_request() -> Value {
    json!({
        "FunctionName": "f1",
        "Runtime": "not-a-runtime",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Handler": "index.handler",
        "Code": {"ZipFile": "UEsDBAo=", "S3Bucket": "b", "S3Key": "k", "S3ObjectVersion": "v", "S3ObjectStorageMode": "COPY", "ImageUri": "i", "SourceKMSKeyArn": "arn:s"},
        "Description": "it's",
        "Timeout": -1,
        "MemorySize": 2147483647,
        "Publish": true,
        "PublishTo": "LATEST_PUBLISHED",
        "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": ["sg-1"], "Ipv6AllowedForDualStack": true},
        "PackageType": "Zip",
        "DeadLetterConfig": {"TargetArn": "arn:d"},
        "Environment": {"Variables": {"A": "1", "1BAD": ""}},
        "KMSKeyArn": "",
        "TracingConfig": {"Mode": "Active"},
        "Tags": {"k": "v"},
        "Layers": ["arn:l"],
        "FileSystemConfigs": [{"Arn": "arn:f", "LocalMountPath": "/mnt/x", "S3FilesConfig": {"DirectS3Read": "ENABLED"}}],
        "CodeSigningConfigArn": "arn:c",
        "ImageConfig": {"EntryPoint": ["e"], "Command": [], "WorkingDirectory": "/w"},
        "Architectures": ["arm64", "bogus"],
        "EphemeralStorage": {"Size": 0},
        "SnapStart": {"ApplyOn": "PublishedVersions"},
        "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "INFO", "LogGroup": "g"},
        "TenancyConfig": {"TenantIsolationMode": "PER_TENANT"},
        "CapacityProviderConfig": {"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": "arn:cp", "PerExecutionEnvironmentMaxConcurrency": 1, "ExecutionEnvironmentMemoryGiBPerVCpu": 2.5}},
        "DurableConfig": {"KMSKeyArn": "arn:k", "RetentionPeriodInDays": 90, "ExecutionTimeout": 31622400}
    })
}

// ---------------------------------------------------------------------------------------------
// sign

fn authorization_scope_and_date() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        client.send(&create_request(&json!({"a": 1}))).await?;
        let reqs = received(&server).await;
        let auth = header(&reqs[0], "authorization").unwrap_or("");
        check(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=123456789012/")
                && auth.contains("/us-east-1/lambda/aws4_request"),
            format!("Authorization: {auth}"),
        )?;
        check(
            auth.contains("SignedHeaders=content-type;host;x-amz-date,"),
            format!("signed headers: {auth}"),
        )?;
        check(header(&reqs[0], "x-amz-date").is_some(), "no x-amz-date")
    })
}

fn no_sign_sends_no_authorization() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let client = raw(server_url(&server), Signing::None, Duration::from_secs(5));
        client.send(&create_request(&json!({}))).await?;
        let reqs = received(&server).await;
        check(
            header(&reqs[0], "authorization").is_none(),
            "Authorization sent",
        )?;
        check(header(&reqs[0], "x-amz-date").is_none(), "x-amz-date sent")?;
        check(
            header(&reqs[0], "content-type") == Some("application/json"),
            "content-type",
        )
    })
}

fn signature_verifies_independently() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        client
            .send(&create_request(
                &json!({"FunctionName": "f", "Description": "ü ' \" \n"}),
            ))
            .await?;
        client
            .send(&WireRequest::bodiless("GET", "/2015-03-31/functions/f"))
            .await?;
        for req in received(&server).await {
            let scope = verify_sigv4(&req, DUMMY_SECRET_ACCESS_KEY)?;
            check(scope.ends_with("/us-east-1/lambda/aws4_request"), scope)?;
        }
        Ok(())
    })
}

fn session_token_is_sent_and_signed() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let client = raw(server_url(&server), real_looking(), Duration::from_secs(5));
        client.send(&create_request(&json!({}))).await?;
        let reqs = received(&server).await;
        check(
            header(&reqs[0], "x-amz-security-token") == Some("SESSIONTOKENxyz"),
            "no session token header",
        )?;
        let auth = header(&reqs[0], "authorization").unwrap_or("");
        check(
            auth.contains("x-amz-security-token"),
            format!("token not signed: {auth}"),
        )?;
        let scope = verify_sigv4(&reqs[0], "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
        check(scope.ends_with("/eu-west-1/lambda/aws4_request"), scope)
    })
}

/// AWS's SigV4 test suite, case `get-vanilla`.
fn aws_test_vector_get_vanilla() -> Result<(), Failed> {
    let signing = Signing::SigV4 {
        credentials: Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        ),
        region: "us-east-1".into(),
        service: "service".into(),
    };
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160); // 20150830T123600Z
    let headers = signing.headers_for(
        &WireRequest::bodiless("GET", "/"),
        "https://example.amazonaws.com/",
        time,
    )?;
    let auth = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.as_str());
    check(
        auth == Some("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        format!("{auth:?}"),
    )
}

fn own_authorization_is_left_alone() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let mut req = create_request(&json!({}));
        req.headers.push((
            "Authorization".into(),
            "AWS4-HMAC-SHA256 Signature=0".into(),
        ));
        client.send(&req).await?;
        let reqs = received(&server).await;
        check(
            header(&reqs[0], "authorization") == Some("AWS4-HMAC-SHA256 Signature=0"),
            "the request's own Authorization was replaced",
        )
    })
}

fn debug_hides_secrets() -> Result<(), Failed> {
    let text = format!("{:?}", real_looking());
    check(
        !text.contains("wJalrXUtnFEMI"),
        format!("secret in Debug: {text}"),
    )?;
    check(
        !text.contains("SESSIONTOKENxyz"),
        format!("token in Debug: {text}"),
    )?;
    check(
        !text.contains("AKIAIOSFODNN7EXAMPLE"),
        format!("full key id in Debug: {text}"),
    )?;
    check(
        text.contains("AKIA…"),
        format!("key id prefix missing: {text}"),
    )?;
    let env = EnvCredentials {
        access_key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
        secret_access_key: Some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into()),
        session_token: Some("SESSIONTOKENxyz".into()),
    };
    let text = format!("{env:?}");
    check(
        !text.contains("wJalrXUtnFEMI") && !text.contains("SESSIONTOKENxyz"),
        format!("secret in EnvCredentials Debug: {text}"),
    )?;
    let client = raw(
        Url::parse("http://127.0.0.1:9").expect("url"),
        real_looking(),
        Duration::from_secs(1),
    );
    let text = format!("{client:?}");
    check(
        !text.contains("wJalrXUtnFEMI"),
        format!("secret in RawClient Debug: {text}"),
    )
}

fn resolve_loopback() -> Result<(), Failed> {
    block(async {
        let url = |s: &str| Url::parse(s).expect("url");
        let signing = resolve_signing(&url("http://127.0.0.1:5000"), None, false, None).await?;
        match &signing {
            Signing::SigV4 {
                credentials,
                region,
                service,
            } => {
                check(
                    credentials.access_key_id() == DUMMY_ACCESS_KEY_ID,
                    "dummy key",
                )?;
                check(
                    region == "us-east-1" && service == "lambda",
                    "region/service",
                )?;
            }
            Signing::None => return Err("no signing".into()),
        }
        for endpoint in [
            "http://localhost:4566",
            "http://[::1]:4566",
            "http://127.1.2.3",
        ] {
            let s = resolve_signing(&url(endpoint), Some("eu-west-1".into()), false, None).await?;
            check(
                s.region() == Some("eu-west-1") && s.is_dummy(),
                format!("{endpoint}: {s:?}"),
            )?;
        }
        let env = EnvCredentials {
            access_key_id: Some("AKIAENV".into()),
            secret_access_key: Some("envsecret".into()),
            session_token: None,
        };
        let s = resolve_signing(&url("http://127.0.0.1:5000"), None, false, Some(env)).await?;
        check(!s.is_dummy(), "env credentials ignored")?;
        let s = resolve_signing(&url("http://127.0.0.1:5000"), None, true, None).await?;
        check(matches!(s, Signing::None), "--no-sign still signs")
    })
}

// ---------------------------------------------------------------------------------------------
// raw

fn timeout_on_silent_server() -> Result<(), Failed> {
    let url = tcp_server(|stream| {
        std::thread::sleep(Duration::from_secs(30));
        drop(stream);
    });
    block(async move {
        let client = raw(url, dummy(), Duration::from_secs(1));
        let start = Instant::now();
        let result = client.send(&create_request(&json!({}))).await;
        let took = start.elapsed();
        check(
            result == Err(TransportError::Timeout(Duration::from_secs(1))),
            format!("{result:?}"),
        )?;
        check(took < Duration::from_secs(2), format!("took {took:?}"))
    })
}

fn timeout_on_stalled_body() -> Result<(), Failed> {
    let url = tcp_server(|mut stream| {
        drain_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
        std::thread::sleep(Duration::from_secs(30));
    });
    block(async move {
        let client = raw(url, dummy(), Duration::from_secs(1));
        let start = Instant::now();
        let result = client.send(&create_request(&json!({}))).await;
        let took = start.elapsed();
        check(
            matches!(result, Err(TransportError::Timeout(_))),
            format!("{result:?}"),
        )?;
        check(took < Duration::from_secs(2), format!("took {took:?}"))
    })
}

fn garbage_is_broken() -> Result<(), Failed> {
    let url = tcp_server(|mut stream| {
        drain_request(&mut stream);
        let _ = stream.write_all(b"\x00\xffGARBAGE not http at all\r\n\r\n\xfe\xfd");
    });
    block(async move {
        let client = raw(url, dummy(), Duration::from_secs(2));
        let result = client.send(&create_request(&json!({}))).await;
        check(
            matches!(result, Err(TransportError::Broken(_))),
            format!("{result:?}"),
        )
    })
}

fn refused_is_connect() -> Result<(), Failed> {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    block(async move {
        let url = Url::parse(&format!("http://127.0.0.1:{port}")).expect("url");
        let client = raw(url, dummy(), Duration::from_secs(2));
        let result = client.send(&create_request(&json!({}))).await;
        check(
            matches!(result, Err(TransportError::Connect(_))),
            format!("{result:?}"),
        )
    })
}

fn response_headers_lowercased() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(400)
                    .insert_header("X-Amzn-ErrorType", "ValidationException")
                    .set_body_string("{}"),
            )
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let resp = client.send(&create_request(&json!({}))).await?;
        check(resp.status == 400, format!("status {}", resp.status))?;
        check(
            resp.headers
                .iter()
                .any(|(k, v)| k == "x-amzn-errortype" && v == "ValidationException"),
            format!("{:?}", resp.headers),
        )?;
        check(
            resp.headers
                .iter()
                .all(|(k, _)| *k == k.to_ascii_lowercase()),
            "upper-case header name",
        )
    })
}

fn redirect_not_followed() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(path("/2015-03-31/functions"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", "/elsewhere"))
            .mount(&server)
            .await;
        Mock::given(path("/elsewhere"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let resp = client.send(&create_request(&json!({}))).await?;
        check(resp.status == 302, format!("status {}", resp.status))?;
        check(received(&server).await.len() == 1, "redirect followed")
    })
}

async fn throttling_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .insert_header("x-amzn-ErrorType", "TooManyRequestsException")
                .set_body_string(r#"{"Type":"User","message":"Rate exceeded"}"#),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

fn retry_absorbs_429() -> Result<(), Failed> {
    block(async {
        let server = throttling_server().await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let start = Instant::now();
        let (resp, throttled) = client
            .send_with_retry(
                &WireRequest::bodiless("GET", "/2015-03-31/functions/f"),
                &RetryPolicy::default(),
            )
            .await?;
        let took = start.elapsed();
        check(resp.status == 200, format!("status {}", resp.status))?;
        check(throttled == 1, format!("throttled {throttled}"))?;
        check(
            took >= Duration::from_millis(950),
            format!("Retry-After not honoured: {took:?}"),
        )?;
        check(received(&server).await.len() == 2, "requests")
    })
}

fn send_returns_429_untouched() -> Result<(), Failed> {
    block(async {
        let server = throttling_server().await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let resp = client
            .send(&WireRequest::bodiless("GET", "/2015-03-31/functions/f"))
            .await?;
        check(resp.status == 429, format!("status {}", resp.status))?;
        check(resp.header("retry-after") == Some("1"), "Retry-After")?;
        check(received(&server).await.len() == 1, "send retried")
    })
}

fn rps_limits_starts() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200))
            .mount(&server)
            .await;
        let mut config = RawConfig::new(server_url(&server), dummy());
        config.rps = Some(20.0);
        config.max_in_flight = 10;
        let client = RawClient::new(config)?;
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..10 {
            let client = client.clone();
            tasks.spawn(async move {
                client
                    .send(&WireRequest::bodiless("GET", "/2015-03-31/functions/f"))
                    .await
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.map_err(|e| e.to_string())??;
        }
        let took = start.elapsed();
        check(
            took >= Duration::from_millis(400),
            format!("10 requests at 20 rps took {took:?}"),
        )
    })
}

fn bad_config_rejected() -> Result<(), Failed> {
    let url = Url::parse("http://127.0.0.1:9").expect("url");
    let mut config = RawConfig::new(url.clone(), dummy());
    config.max_in_flight = 0;
    check(
        matches!(RawClient::new(config), Err(SetupError::BadConfig(_))),
        "max_in_flight 0",
    )?;
    let mut config = RawConfig::new(url, dummy());
    config.rps = Some(0.0);
    check(
        matches!(RawClient::new(config), Err(SetupError::BadConfig(_))),
        "rps 0",
    )?;
    let config = RawConfig::new(Url::parse("file:///tmp/x").expect("url"), dummy());
    check(
        matches!(RawClient::new(config), Err(SetupError::BadEndpoint(_))),
        "file URL",
    )
}

fn curl_has_no_secret_and_quotes() -> Result<(), Failed> {
    let url = Url::parse("https://lambda.eu-west-1.amazonaws.com").expect("url");
    let client = raw(url, real_looking(), Duration::from_secs(1));
    let req = create_request(&json!({"Description": "it's"}));
    let line = client.curl(&req);
    for secret in ["wJalrXUtnFEMI", "SESSIONTOKENxyz", "AKIAIOSFODNN7EXAMPLE"] {
        check(!line.contains(secret), format!("{secret} in: {line}"))?;
    }
    check(
        line.starts_with("curl -sS -i -X POST 'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions' -H 'Content-Type: application/json'"),
        line.clone(),
    )?;
    check(
        line.contains("--aws-sigv4 'aws:amz:eu-west-1:lambda'"),
        line.clone(),
    )?;
    check(
        line.contains(r#"--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY""#),
        line.clone(),
    )?;
    check(
        line.contains(r#"-H "x-amz-security-token: $AWS_SESSION_TOKEN""#),
        line.clone(),
    )?;
    check(
        line.ends_with(r#"--data-binary '{"Description":"it'\''s"}'"#),
        line.clone(),
    )?;
    // The dummy loopback key is not a secret and is written out.
    let client = raw(
        Url::parse("http://127.0.0.1:5000").expect("url"),
        dummy(),
        Duration::from_secs(1),
    );
    let line = client.curl(&req);
    check(
        line.contains("--user '123456789012:lambda-conform-dummy-secret'"),
        line.clone(),
    )?;
    // Unsigned: no signing options at all.
    let client = raw(
        Url::parse("http://127.0.0.1:5000/").expect("url"),
        Signing::None,
        Duration::from_secs(1),
    );
    let line = client.curl(&req);
    check(
        !line.contains("--aws-sigv4") && !line.contains("--user"),
        line.clone(),
    )?;
    check(
        line.contains("'http://127.0.0.1:5000/2015-03-31/functions'"),
        line,
    )
}

/// Runs a curl line in bash with `curl` replaced by a function printing its arguments and stdin,
/// NUL-separated.
fn fake_curl(line: &str) -> Result<Vec<String>, Failed> {
    let script = format!(
        "curl() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf -- '--stdin--\\0'; cat; }}\n{line}\n"
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("bash: {e}"))?;
    check(
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .map(str::to_owned)
        .collect())
}

fn curl_heredoc_and_binary() -> Result<(), Failed> {
    let client = raw(
        Url::parse("http://127.0.0.1:5000").expect("url"),
        dummy(),
        Duration::from_secs(1),
    );
    // A long body with quotes, `$` and a line that reads JSON: a here-document, delimiter changed.
    let body = format!(
        "{{\"Description\":\"it's $HOME `x` {}\"}}\nJSON\n",
        "a".repeat(300)
    );
    let line = client.curl(&WireRequest::post_json(
        "/2015-03-31/functions",
        body.clone(),
    ));
    check(line.contains("<<'JSON_1'"), line.clone())?;
    let args = fake_curl(&line)?;
    let stdin_at = args
        .iter()
        .position(|a| a == "--stdin--")
        .ok_or("no stdin marker")?;
    check(
        args[stdin_at + 1..].concat() == body,
        format!("stdin was {:?}", &args[stdin_at + 1..]),
    )?;
    check(
        args.contains(&"Content-Type: application/json".to_owned()),
        format!("{args:?}"),
    )?;
    // A short body with a quote: inline, one argument, exact.
    let body = r#"{"Description":"it's"}"#;
    let args = fake_curl(&client.curl(&create_request(&serde_json::from_str(body)?)))?;
    let at = args
        .iter()
        .position(|a| a == "--data-binary")
        .ok_or("no --data-binary")?;
    check(args[at + 1] == body, format!("{:?}", args[at + 1]))?;
    // Bytes that are not text: piped through base64 -d, exact.
    let bytes = vec![0u8, 255, 1, b'\'', b'\n', 200];
    let mut req = WireRequest::post_json("/2015-03-31/functions", bytes.clone());
    req.headers.clear();
    let line = client.curl(&req);
    check(line.contains("-H 'Content-Type:'"), line.clone())?;
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("curl() {{ cat; }}\n{line}\n"))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("bash: {e}"))?;
    check(out.stdout == bytes, format!("{:?}", out.stdout))
}

/// Runs a reproduction snippet in bash with `curl` replaced by a function recording each call's
/// arguments and standard input; `env` is the whole environment the snippet sees (plus PATH).
fn fake_curl_calls(snippet: &str, env: &[(&str, &str)]) -> Result<Vec<Vec<String>>, Failed> {
    let script = format!(
        "curl() {{ printf -- '--call--\\0'; for a in \"$@\"; do printf '%s\\0' \"$a\"; done; printf -- '--stdin--\\0'; cat; printf '\\0'; }}\n{snippet}\n"
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| format!("bash: {e}"))?;
    check(
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    Ok(text
        .split("--call--\0")
        .filter(|c| !c.is_empty())
        .map(|c| c.split('\0').map(str::to_owned).collect())
        .collect())
}

/// A reproduction is a standalone snippet: the endpoint as `${LAMBDA_ENDPOINT:-URL}`, curl's own
/// SigV4 with keys from the shell (dummy defaults only for loopback), the set-up the target needs
/// (the emulator role through IAM, earlier requests), the request, and a DELETE of the function.
fn reproduction_stands_alone() -> Result<(), Failed> {
    let client = raw(
        Url::parse("http://127.0.0.1:5000").expect("url"),
        dummy(),
        Duration::from_secs(1),
    )
    .with_reproduction(ReproContext {
        target: Target::Moto,
        role_arn: EMULATOR_ROLE_ARN.into(),
    });
    let body = json!({"FunctionName": "it's", "Role": EMULATOR_ROLE_ARN, "MemorySize": 1});
    let req = create_request(&body);
    let snippet = client.reproduction(&req);
    for needle in [
        r#""${LAMBDA_ENDPOINT:-http://127.0.0.1:5000}"'/2015-03-31/functions'"#,
        "--aws-sigv4 'aws:amz:us-east-1:iam'",
        "--aws-sigv4 'aws:amz:us-east-1:lambda'",
        r#"--user "${AWS_ACCESS_KEY_ID:-123456789012}:${AWS_SECRET_ACCESS_KEY:-lambda-conform-dummy-secret}""#,
        "Action=CreateRole&Version=2010-05-08&RoleName=lambda-conform-role&AssumeRolePolicyDocument=",
        "-X DELETE",
    ] {
        check(snippet.contains(needle), format!("{needle:?} not in:\n{snippet}"))?;
    }
    check(
        snippet
            .lines()
            .last()
            .is_some_and(|l| l.ends_with("|| true")),
        format!("the snippet must end with the DELETE … || true:\n{snippet}"),
    )?;
    check(
        !snippet.contains("'http://127.0.0.1:5000"),
        format!("the run's URL appears outside the LAMBDA_ENDPOINT default:\n{snippet}"),
    )?;
    // Run it (curl faked): set-up, request, delete, in that order, at LAMBDA_ENDPOINT.
    for (env, user) in [
        (
            vec![("LAMBDA_ENDPOINT", "http://elsewhere:1")],
            "123456789012:lambda-conform-dummy-secret",
        ),
        (
            vec![
                ("LAMBDA_ENDPOINT", "http://elsewhere:1"),
                ("AWS_ACCESS_KEY_ID", "K"),
                ("AWS_SECRET_ACCESS_KEY", "S"),
            ],
            "K:S",
        ),
    ] {
        let calls = fake_curl_calls(&snippet, &env)?;
        check(
            calls.len() == 3,
            format!("{} curl calls: {calls:?}", calls.len()),
        )?;
        let has = |c: &Vec<String>, a: &str| c.iter().any(|x| x == a);
        check(
            has(&calls[0], "http://elsewhere:1/") && has(&calls[0], "aws:amz:us-east-1:iam"),
            format!("set-up: {:?}", calls[0]),
        )?;
        check(
            has(&calls[1], "http://elsewhere:1/2015-03-31/functions")
                && has(&calls[1], "aws:amz:us-east-1:lambda")
                && has(&calls[1], "-i"),
            format!("request: {:?}", calls[1]),
        )?;
        let data_at = calls[1]
            .iter()
            .position(|a| a == "--data-binary")
            .ok_or("no --data-binary")?;
        let text = match calls[1][data_at + 1].as_str() {
            "@-" => {
                let stdin_at = calls[1]
                    .iter()
                    .position(|a| a == "--stdin--")
                    .ok_or("no stdin")?;
                calls[1][stdin_at + 1].clone()
            }
            inline => inline.to_owned(),
        };
        let sent: Value = serde_json::from_str(text.trim_end())?;
        check(sent == body, format!("body sent: {sent}"))?;
        check(
            has(&calls[2], "DELETE")
                && has(&calls[2], "http://elsewhere:1/2015-03-31/functions/it%27s"),
            format!("clean-up: {:?}", calls[2]),
        )?;
        for c in &calls {
            check(has(c, user), format!("--user {user} expected: {c:?}"))?;
        }
    }
    // Earlier requests the answer depends on come between the set-up and the request.
    let invalid = create_request(&json!({"FunctionName": "it's", "MemorySize": -1}));
    let snippet = client.reproduction_after(&[&req], &invalid);
    let calls = fake_curl_calls(&snippet, &[])?;
    check(
        calls.len() == 4,
        format!("{} curl calls: {calls:?}", calls.len()),
    )?;
    check(
        calls[1].iter().any(|a| a.contains("\"MemorySize\":1"))
            && calls[2].iter().any(|a| a.contains("\"MemorySize\":-1")),
        format!("order: {calls:?}"),
    )?;
    // Real keys (AWS): never printed; no emulator set-up, the role must exist.
    let client = raw(
        Url::parse("https://lambda.eu-west-1.amazonaws.com").expect("url"),
        real_looking(),
        Duration::from_secs(1),
    )
    .with_reproduction(ReproContext {
        target: Target::Aws,
        role_arn: "arn:aws:iam::210987654321:role/mine".into(),
    });
    let snippet = client.reproduction(&req);
    for secret in ["wJalrXUtnFEMI", "SESSIONTOKENxyz", "AKIAIOSFODNN7EXAMPLE"] {
        check(!snippet.contains(secret), format!("{secret} in: {snippet}"))?;
    }
    check(
        snippet.contains(r#"--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY""#)
            && snippet.contains(r#""${LAMBDA_ENDPOINT:-https://lambda.eu-west-1.amazonaws.com}""#)
            && !snippet.contains("CreateRole")
            && snippet.contains("arn:aws:iam::210987654321:role/mine must exist"),
        snippet.clone(),
    )?;
    Ok(())
}

/// With a real curl on PATH (7.75 or later for --aws-sigv4), the line reaches a server as the
/// same request, correctly signed with the dummy key.
fn curl_line_runs() -> Result<(), Failed> {
    let has_curl = Command::new("curl")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_curl {
        return Ok(()); // covered by curl_heredoc_and_binary's fake curl
    }
    block(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(201))
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let body = json!({"FunctionName": "it's"});
        let line = client.curl(&create_request(&body));
        // Blocking is fine here: the mock server runs on its own thread.
        let out = Command::new("bash")
            .arg("-c")
            .arg(&line)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("bash: {e}"))?;
        check(
            out.status.success(),
            format!("{line}\n{}", String::from_utf8_lossy(&out.stderr)),
        )?;
        let reqs = received(&server).await;
        check(reqs.len() == 1, "curl request not received")?;
        check(
            reqs[0].body == body.to_string().into_bytes(),
            "body differs",
        )?;
        let scope = verify_sigv4(&reqs[0], DUMMY_SECRET_ACCESS_KEY)?;
        check(scope.ends_with("/us-east-1/lambda/aws4_request"), scope)
    })
}

// ---------------------------------------------------------------------------------------------
// sdk

async fn sdk_against(template: ResponseTemplate) -> (MockServer, SdkClient) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/2015-03-31/functions"))
        .respond_with(template)
        .mount(&server)
        .await;
    let client = SdkClient::new(&server_url(&server), &dummy(), Duration::from_secs(5));
    (server, client)
}

fn minimal() -> Value {
    json!({"FunctionName": "f", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "UEsDBAo="}})
}

fn sdk_typed_error() -> Result<(), Failed> {
    block(async {
        let (_server, client) = sdk_against(
            ResponseTemplate::new(400)
                .insert_header("x-amzn-errortype", "InvalidParameterValueException")
                .set_body_raw(r#"{"Type":"User","message":"m"}"#, "application/json"),
        )
        .await;
        let outcome = client.create_function(&minimal()).await;
        check(
            outcome
                == SdkOutcome::Error {
                    variant: "InvalidParameterValueException".into(),
                    code: Some("InvalidParameterValueException".into()),
                    message: Some("m".into()),
                    status: Some(400),
                },
            format!("{outcome:?}"),
        )
    })
}

/// Without `x-amzn-errortype` (and without `code`/`__type` in the body) the SDK gives
/// `Unhandled` and drops the message too: it wraps the parsed metadata as the error's source
/// and leaves the variant's own metadata empty. A body `__type` alone is enough for a typed error.
/// A non-JSON error body (moto's HTML 500) is `Unhandled` with neither code nor message.
fn sdk_error_without_header() -> Result<(), Failed> {
    block(async {
        let (_server, client) = sdk_against(
            ResponseTemplate::new(400)
                .set_body_raw(r#"{"Type":"User","message":"m"}"#, "application/json"),
        )
        .await;
        let outcome = client.create_function(&minimal()).await;
        check(
            outcome
                == SdkOutcome::Error {
                    variant: "Unhandled".into(),
                    code: None,
                    message: None,
                    status: Some(400),
                },
            format!("no header: {outcome:?}"),
        )?;
        let (_server, client) = sdk_against(ResponseTemplate::new(400).set_body_raw(
            r#"{"__type":"InvalidParameterValueException","message":"m"}"#,
            "application/json",
        ))
        .await;
        let outcome = client.create_function(&minimal()).await;
        check(
            outcome
                == SdkOutcome::Error {
                    variant: "InvalidParameterValueException".into(),
                    code: Some("InvalidParameterValueException".into()),
                    message: Some("m".into()),
                    status: Some(400),
                },
            format!("__type only: {outcome:?}"),
        )?;
        let (_server, client) = sdk_against(
            ResponseTemplate::new(500)
                .set_body_raw("<html>500 Internal Server Error</html>", "text/html"),
        )
        .await;
        let outcome = client.create_function(&minimal()).await;
        check(
            outcome
                == SdkOutcome::Error {
                    variant: "Unhandled".into(),
                    code: None,
                    message: None,
                    status: Some(500),
                },
            format!("HTML 500: {outcome:?}"),
        )
    })
}

fn sdk_validation_exception() -> Result<(), Failed> {
    block(async {
        let (_server, client) = sdk_against(
            ResponseTemplate::new(400)
                .insert_header(
                    "x-amzn-errortype",
                    "ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/",
                )
                .set_body_raw(
                    r#"{"message":"1 validation error detected: Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"}"#,
                    "application/json",
                ),
        )
        .await;
        let outcome = client.create_function(&minimal()).await;
        check(
            outcome
                == SdkOutcome::Error {
                    variant: "Unhandled".into(),
                    code: Some("ValidationException".into()),
                    message: Some("1 validation error detected: Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128".into()),
                    status: Some(400),
                },
            format!("{outcome:?}"),
        )
    })
}

fn sdk_success_round_trip() -> Result<(), Failed> {
    block(async {
        let config = full_configuration();
        let (_server, client) =
            sdk_against(ResponseTemplate::new(201).set_body_json(&config)).await;
        let outcome = client.create_function(&minimal()).await;
        match outcome {
            SdkOutcome::Success(got) => check(
                got == config,
                format!(
                    "got {}\nwant {}",
                    serde_json::to_string_pretty(&got)?,
                    serde_json::to_string_pretty(&config)?
                ),
            ),
            other => Err(format!("{other:?}").into()),
        }
    })
}

fn sdk_request_maps_every_member() -> Result<(), Failed> {
    block(async {
        let (server, client) =
            sdk_against(ResponseTemplate::new(201).set_body_json(json!({}))).await;
        let request = full_request();
        let outcome = client.create_function(&request).await;
        check(
            matches!(outcome, SdkOutcome::Success(_)),
            format!("{outcome:?}"),
        )?;
        let reqs = received(&server).await;
        check(reqs.len() == 1, format!("{} requests", reqs.len()))?;
        let sent: Value = serde_json::from_slice(&reqs[0].body)?;
        check(
            sent == request,
            format!(
                "the SDK sent {}\nthe request was {}",
                serde_json::to_string_pretty(&sent)?,
                serde_json::to_string_pretty(&request)?
            ),
        )?;
        let scope = verify_sigv4(&reqs[0], DUMMY_SECRET_ACCESS_KEY)?;
        check(scope.ends_with("/us-east-1/lambda/aws4_request"), scope)
    })
}

fn sdk_unexpressible_sends_nothing() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(201))
            .expect(0)
            .mount(&server)
            .await;
        let client = SdkClient::new(&server_url(&server), &dummy(), Duration::from_secs(5));
        let with = |key: &str, value: Value| {
            let mut request = minimal();
            request[key] = value;
            request
        };
        let cases = [
            ("not an object", json!([1])),
            ("null member", with("Description", Value::Null)),
            ("unknown member", with("Unknown", json!(1))),
            (
                "RuntimeConfig",
                with("RuntimeConfig", json!({"RuntimeArn": "x"})),
            ),
            ("AcceleratorConfig", with("AcceleratorConfig", json!({}))),
            ("string MemorySize", with("MemorySize", json!("128"))),
            ("fractional MemorySize", with("MemorySize", json!(128.5))),
            (
                "MemorySize beyond i32",
                with("MemorySize", json!(2147483648u64)),
            ),
            ("Timeout below i32", with("Timeout", json!(-2147483649i64))),
            ("Publish as string", with("Publish", json!("true"))),
            (
                "bad base64",
                with("Code", json!({"ZipFile": "not base64!!"})),
            ),
            (
                "unpadded base64",
                with("Code", json!({"ZipFile": "UEsDBAo"})),
            ),
            ("unknown nested member", with("Code", json!({"Zip": "x"}))),
            (
                "null nested member",
                with("Environment", json!({"Variables": {"A": null}})),
            ),
            ("number in list", with("Layers", json!(["a", 1]))),
            (
                "EphemeralStorage without Size",
                with("EphemeralStorage", json!({})),
            ),
            (
                "FileSystemConfig without Arn",
                with("FileSystemConfigs", json!([{"LocalMountPath": "/mnt/x"}])),
            ),
            ("TenancyConfig empty", with("TenancyConfig", json!({}))),
        ];
        for (name, request) in cases {
            let outcome = client.create_function(&request).await;
            check(
                matches!(outcome, SdkOutcome::Unexpressible(_)),
                format!("{name}: {outcome:?}"),
            )?;
        }
        let n = received(&server).await.len();
        check(n == 0, format!("{n} requests reached the server"))
    })
}

fn sdk_retries_disabled() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(500)
                    .insert_header("x-amzn-errortype", "ServiceException")
                    .set_body_raw(r#"{"Type":"Service","Message":"boom"}"#, "application/json"),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = SdkClient::new(&server_url(&server), &dummy(), Duration::from_secs(5));
        let outcome = client.create_function(&minimal()).await;
        check(
            outcome
                == SdkOutcome::Error {
                    variant: "ServiceException".into(),
                    code: Some("ServiceException".into()),
                    message: Some("boom".into()),
                    status: Some(500),
                },
            format!("{outcome:?}"),
        )?;
        let n = received(&server).await.len();
        check(n == 1, format!("{n} requests for one 500"))
    })
}

fn sdk_unparsable_201_is_failed() -> Result<(), Failed> {
    block(async {
        let (_server, client) = sdk_against(
            ResponseTemplate::new(201).set_body_raw("<html>not json</html>", "text/html"),
        )
        .await;
        let outcome = client.create_function(&minimal()).await;
        check(
            matches!(&outcome, SdkOutcome::Failed(text) if text.contains("201")),
            format!("{outcome:?}"),
        )
    })
}

fn sdk_hang_is_failed_in_time() -> Result<(), Failed> {
    let url = tcp_server(|stream| {
        std::thread::sleep(Duration::from_secs(30));
        drop(stream);
    });
    block(async move {
        let client = SdkClient::new(&url, &dummy(), Duration::from_secs(1));
        let start = Instant::now();
        let outcome = client.create_function(&minimal()).await;
        let took = start.elapsed();
        check(
            matches!(outcome, SdkOutcome::Failed(_)),
            format!("{outcome:?}"),
        )?;
        check(took < Duration::from_secs(2), format!("took {took:?}"))
    })
}

// ---------------------------------------------------------------------------------------------
// target

async fn mount_probe(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(PROBE_PATH))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-amzn-errortype", "ResourceNotFoundException")
                .set_body_string(r#"{"Type":"User","Message":"Function not found"}"#),
        )
        .expect(1)
        .mount(server)
        .await;
}

fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn target_moto_setup() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        mount_probe(&server).await;
        Mock::given(method("POST"))
            .and(path("/moto-api/reset"))
            .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"status": "ok"}"#))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/"))
            .and(body_string_contains("Action=CreateRole"))
            .respond_with(ResponseTemplate::new(200).set_body_string(
                "<CreateRoleResponse><CreateRoleResult><Role><RoleName>lambda-conform-role</RoleName>\
                 <Arn>arn:aws:iam::123456789012:role/lambda-conform-role</Arn></Role></CreateRoleResult></CreateRoleResponse>",
            ))
            .expect(1)
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let setup = prepare(Target::Moto, &client, None).await?;
        check(setup.role_arn == EMULATOR_ROLE_ARN, format!("{setup:?}"))?;
        check(
            setup.account.as_deref() == Some("123456789012"),
            format!("{setup:?}"),
        )?;
        check(setup.region == "us-east-1", format!("{setup:?}"))?;
        check(setup.setup_requests == 3, format!("{setup:?}"))?;
        let reqs = received(&server).await;
        let paths: Vec<&str> = reqs.iter().map(|r| r.url.path()).collect();
        check(
            paths == [PROBE_PATH, "/moto-api/reset", "/"],
            format!("order {paths:?}"),
        )?;
        let create = &reqs[2];
        check(
            header(create, "content-type")
                .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded")),
            "content-type",
        )?;
        let scope = verify_sigv4(create, DUMMY_SECRET_ACCESS_KEY)?;
        check(scope.ends_with("/us-east-1/iam/aws4_request"), scope)?;
        let fields = form_fields(&create.body);
        check(
            field(&fields, "Action") == Some("CreateRole"),
            format!("{fields:?}"),
        )?;
        check(
            field(&fields, "Version") == Some("2010-05-08"),
            format!("{fields:?}"),
        )?;
        check(
            field(&fields, "RoleName") == Some("lambda-conform-role"),
            format!("{fields:?}"),
        )?;
        let policy: Value = serde_json::from_str(
            field(&fields, "AssumeRolePolicyDocument").ok_or("no AssumeRolePolicyDocument")?,
        )?;
        check(
            policy["Statement"][0]["Principal"]["Service"] == "lambda.amazonaws.com"
                && policy["Statement"][0]["Action"] == "sts:AssumeRole",
            format!("{policy}"),
        )?;
        // The probe and reset are signed for lambda (moto routes on the scope).
        let scope = verify_sigv4(&reqs[0], DUMMY_SECRET_ACCESS_KEY)?;
        check(scope.ends_with("/lambda/aws4_request"), scope)
    })
}

fn target_localstack_existing_role() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        mount_probe(&server).await;
        Mock::given(path("/moto-api/reset"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(body_string_contains("Action=CreateRole"))
            .respond_with(ResponseTemplate::new(409).set_body_string(
                "<ErrorResponse><Error><Type>Sender</Type><Code>EntityAlreadyExists</Code>\
                 <Message>Role with name lambda-conform-role already exists.</Message></Error></ErrorResponse>",
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(body_string_contains("Action=GetRole"))
            .respond_with(ResponseTemplate::new(200).set_body_string(
                "<GetRoleResponse><GetRoleResult><Role><Arn>arn:aws:iam::000000000000:role/lambda-conform-role</Arn></Role></GetRoleResult></GetRoleResponse>",
            ))
            .expect(1)
            .mount(&server)
            .await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let setup = prepare(Target::Localstack, &client, None).await?;
        check(
            setup.role_arn == "arn:aws:iam::000000000000:role/lambda-conform-role",
            format!("{setup:?}"),
        )?;
        check(
            setup.account.as_deref() == Some("000000000000"),
            format!("{setup:?}"),
        )?;
        check(setup.setup_requests == 3, format!("{setup:?}"))?;
        check(received(&server).await.len() == 3, "requests")
    })
}

fn target_stub_only_probes() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        mount_probe(&server).await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let setup = prepare(Target::Stub, &client, None).await?;
        check(setup.role_arn == EMULATOR_ROLE_ARN, format!("{setup:?}"))?;
        check(setup.setup_requests == 1, format!("{setup:?}"))?;
        check(received(&server).await.len() == 1, "requests")?;
        check(Target::Localstack.to_string() == "localstack", "Display")
    })
}

fn target_aws_requires_role() -> Result<(), Failed> {
    block(async {
        let server = MockServer::start().await;
        mount_probe(&server).await;
        let client = raw(server_url(&server), dummy(), Duration::from_secs(5));
        let err = prepare(Target::Aws, &client, None).await;
        check(err == Err(SetupError::NoRole), format!("{err:?}"))?;
        if let Err(e) = &err {
            check(
                e.to_string()
                    == "--role ARN is required for --target aws: the harness never creates IAM roles in a real account",
                e.to_string(),
            )?;
        }
        check(
            received(&server).await.is_empty(),
            "request sent without a role",
        )?;
        let role = "arn:aws:iam::111122223333:role/mine".to_owned();
        let setup = prepare(Target::Aws, &client, Some(role.clone())).await?;
        check(setup.role_arn == role, format!("{setup:?}"))?;
        check(
            setup.account.as_deref() == Some("111122223333"),
            format!("{setup:?}"),
        )?;
        check(received(&server).await.len() == 1, "only the probe")
    })
}

fn target_unreachable() -> Result<(), Failed> {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    block(async move {
        let url = Url::parse(&format!("http://127.0.0.1:{port}")).expect("url");
        let client = raw(url, dummy(), Duration::from_secs(2));
        let err = prepare(Target::Moto, &client, None).await;
        check(
            matches!(err, Err(SetupError::Unreachable(_))),
            format!("{err:?}"),
        )
    })
}

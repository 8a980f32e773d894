//! Tests of the embedded reference stub, over real HTTP on 127.0.0.1: what it answers to CreateFunction
//! and the read/delete calls, that it agrees with the table for every generated case class, that the
//! long-running mode answers the same, and that each mutant breaks exactly the behaviour it names.

mod support;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use lambda_conform::generate::{cases, handler_zip, handler_zip_of, Context};
use lambda_conform::oracle::{Basis, Outcome};
use lambda_conform::spec::validate::Expectation;
use lambda_conform::spec::{self, Spec};
use lambda_conform::stub::{self, EmbeddedStub, Mutant, StubCore, StubError};
use lambda_conform::transport::WireResponse;
use libtest_mimic::Failed;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::check;

const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-role";

fn main() -> ExitCode {
    let mut tests: Vec<(&'static str, support::TestFn)> = vec![
        ("stub::create::base_request", base_request),
        (
            "stub::create::every_default_and_rule",
            every_default_and_rule,
        ),
        (
            "stub::create::publish_gives_version_1",
            publish_gives_version_1,
        ),
        ("stub::create::memory_above_max", memory_above_max),
        ("stub::create::bare_name_too_long", bare_name_too_long),
        ("stub::create::deprecated_runtime", deprecated_runtime),
        ("stub::create::duplicate_conflicts", duplicate_conflicts),
        (
            "stub::create::validation_before_conflict",
            validation_before_conflict,
        ),
        ("stub::create::malformed_json", malformed_json),
        ("stub::create::arn_gives_bare_name", arn_gives_bare_name),
        ("stub::create::echoes_and_additions", echoes_and_additions),
        ("stub::create::image_package", image_package),
        (
            "stub::create::recorded_layer_in_another_region",
            recorded_layer_in_another_region,
        ),
        ("stub::create::log_level_needs_json", log_level_needs_json),
        (
            "stub::create::cross_member_rules_enforced",
            cross_member_rules_enforced,
        ),
        (
            "stub::oracle::empty_values_need_no_echo",
            empty_values_need_no_echo,
        ),
        (
            "stub::oracle::unrecorded_wording_is_assumed",
            unrecorded_wording_is_assumed,
        ),
        (
            "stub::create::region_follows_sigv4_scope",
            region_follows_sigv4_scope,
        ),
        ("stub::read::pending_then_active", pending_then_active),
        ("stub::read::unknown_function", unknown_function),
        ("stub::delete::then_not_found", delete_then_not_found),
        ("stub::route::unknown_operation", unknown_operation),
        ("stub::state::bounded", state_bounded),
        (
            "stub::table::every_case_class_as_the_table",
            every_case_class_as_the_table,
        ),
        (
            "stub::seed_2020::memory_above_max",
            seed_2020_memory_above_max,
        ),
        ("stub::serve::same_as_embedded", serve_same_as_embedded),
        (
            "stub::serve::refuses_non_loopback",
            serve_refuses_non_loopback,
        ),
        ("stub::serve::body_cap", serve_body_cap),
        ("stub::mutant::names", mutant_names),
        (
            "stub::mutant::faithful_passes_every_probe",
            faithful_passes_every_probe,
        ),
    ];
    for m in Mutant::all() {
        let name: &'static str = Box::leak(format!("stub::mutant::{}", m.name()).into_boxed_str());
        tests.push((name, MUTANT_TESTS[m as usize]));
    }
    support::run(tests)
}

// ---------------------------------------------------------------- helpers

fn spec() -> Arc<Spec> {
    static SPEC: OnceLock<Arc<Spec>> = OnceLock::new();
    Arc::clone(SPEC.get_or_init(|| {
        Arc::new(spec::load("aws-2026", None).expect("the built-in aws-2026 profile loads"))
    }))
}

fn fresh(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

fn base(name: &str) -> Value {
    Context::new(7, ROLE).base_request(&spec(), name)
}

fn with(mut body: Value, key: &str, v: Value) -> Value {
    body[key] = v;
    body
}

/// A client with its own runtime, for the sync trials.
struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
}

impl Http {
    fn new(base: String) -> Result<Self, Failed> {
        Self::with_timeout(base, Duration::from_secs(10))
    }

    fn with_timeout(base: String, timeout: Duration) -> Result<Self, Failed> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(timeout)
            .build()?;
        Ok(Self { rt, client, base })
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<WireResponse, Failed> {
        self.rt.block_on(async {
            let method = reqwest::Method::from_bytes(method.as_bytes())?;
            let mut req = self
                .client
                .request(method, format!("{}{path}", self.base))
                .body(body);
            for (k, v) in headers {
                req = req.header(*k, v);
            }
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = resp.bytes().await?.to_vec();
            Ok::<_, Failed>(WireResponse {
                status,
                headers,
                body,
            })
        })
    }

    fn create(&self, body: &Value) -> Result<WireResponse, Failed> {
        self.send(
            "POST",
            "/2015-03-31/functions",
            &[("content-type", "application/json".into())],
            body.to_string().into_bytes(),
        )
    }

    fn get(&self, name: &str) -> Result<WireResponse, Failed> {
        self.send("GET", &format!("/2015-03-31/functions/{name}"), &[], vec![])
    }

    fn delete(&self, name: &str) -> Result<WireResponse, Failed> {
        self.send(
            "DELETE",
            &format!("/2015-03-31/functions/{name}"),
            &[],
            vec![],
        )
    }
}

fn embedded(mutant: Option<Mutant>) -> Result<(EmbeddedStub, Http), Failed> {
    let stub = stub::start_blocking(spec(), mutant)?;
    let http = Http::new(stub.uri())?;
    Ok((stub, http))
}

fn body(r: &WireResponse) -> Result<Value, Failed> {
    r.json()
        .ok_or_else(|| format!("body is not JSON: {}", String::from_utf8_lossy(&r.body)).into())
}

fn expect_status(r: &WireResponse, status: u16) -> Result<(), Failed> {
    check(
        r.status == status,
        format!(
            "status {} (expected {status}): {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        ),
    )
}

/// Status, `x-amzn-errortype` and the exact message (from `message` or `Message`).
fn expect_error(r: &WireResponse, status: u16, ty: &str, message: &str) -> Result<Value, Failed> {
    expect_status(r, status)?;
    check(
        r.header("x-amzn-errortype") == Some(ty),
        format!(
            "x-amzn-errortype {:?}, expected {ty}",
            r.header("x-amzn-errortype")
        ),
    )?;
    check(
        r.header("content-type") == Some("application/json"),
        "error content-type is not application/json",
    )?;
    check(
        r.header("x-amzn-requestid").is_some(),
        "no x-amzn-requestid",
    )?;
    let b = body(r)?;
    let got = b
        .get("message")
        .or_else(|| b.get("Message"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    check(
        got == message,
        format!("message\n  got:      {got}\n  expected: {message}"),
    )?;
    Ok(b)
}

fn no_nulls(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(a) => a.iter().all(no_nulls),
        Value::Object(m) => m.values().all(no_nulls),
        _ => true,
    }
}

// ---------------------------------------------------------------- CreateFunction

fn base_request() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("base");
    let r = http.create(&base(&name))?;
    expect_status(&r, 201)?;
    check(
        r.header("content-type") == Some("application/json"),
        "content-type",
    )?;
    check(
        r.header("x-amzn-requestid").is_some(),
        "no x-amzn-requestid",
    )?;
    let b = body(&r)?;
    let zip = handler_zip();
    let sha = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&zip));
    let want = [
        ("FunctionName", json!(name)),
        (
            "FunctionArn",
            json!(format!(
                "arn:aws:lambda:us-east-1:123456789012:function:{name}"
            )),
        ),
        ("Runtime", json!("python3.12")),
        ("Role", json!(ROLE)),
        ("Handler", json!("index.handler")),
        ("MemorySize", json!(128)),
        ("Timeout", json!(3)),
        ("Description", json!("")),
        ("State", json!("Pending")),
        ("StateReason", json!("The function is being created.")),
        ("StateReasonCode", json!("Creating")),
        ("Version", json!("$LATEST")),
        ("CodeSha256", json!(sha)),
        ("CodeSize", json!(zip.len())),
        ("PackageType", json!("Zip")),
        ("Architectures", json!(["x86_64"])),
        ("EphemeralStorage", json!({"Size": 512})),
        ("TracingConfig", json!({"Mode": "PassThrough"})),
        (
            "LoggingConfig",
            json!({"LogFormat": "Text", "LogGroup": format!("/aws/lambda/{name}")}),
        ),
        (
            "SnapStart",
            json!({"ApplyOn": "None", "OptimizationStatus": "Off"}),
        ),
    ];
    for (k, v) in want {
        check(
            b.get(k) == Some(&v),
            format!("{k} = {:?}, expected {v}", b.get(k)),
        )?;
    }
    for absent in ["Environment", "LastUpdateStatus", "Code", "Publish", "Tags"] {
        check(b.get(absent).is_none(), format!("{absent} is present"))?;
    }
    let revision = b["RevisionId"].as_str().unwrap_or_default();
    check(
        uuid::Uuid::parse_str(revision).is_ok(),
        "RevisionId is not a uuid",
    )?;
    let rv = b["RuntimeVersionConfig"]["RuntimeVersionArn"]
        .as_str()
        .unwrap_or_default();
    let rv_re = regex::Regex::new(r"^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$")?;
    check(rv_re.is_match(rv), format!("RuntimeVersionArn {rv}"))?;
    let ts = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")?;
    check(
        ts.is_match(b["LastModified"].as_str().unwrap_or_default()),
        format!("LastModified {}", b["LastModified"]),
    )?;
    check(no_nulls(&b), "a null member")
}

/// Every `[[default]]` and every applicable `[[response_rule]]` of the table holds on the 201.
fn every_default_and_rule() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let spec = spec();
    let name = fresh("rules");
    let request = base(&name);
    let b = body(&http.create(&request)?)?;
    for m in &spec.response {
        if let Some(d) = &m.default {
            let want: Value = serde_json::from_str(&d.value.to_string().replace("{name}", &name))?;
            let got = spec::validate::reach(&b, &m.path).into_iter().next();
            check(
                got.as_ref() == Some(&want),
                format!("default {} = {got:?}", m.path),
            )?;
        }
    }
    for rule in &spec.response_rules {
        let applies = rule.when.as_ref().is_none_or(|w| {
            let sent = spec::validate::reach(&request, &w.member)
                .into_iter()
                .next();
            w.present.is_none_or(|p| sent.is_some() == p)
                && w.equals.as_ref().is_none_or(|e| sent.as_ref() == Some(e))
        });
        if !applies {
            continue;
        }
        let got = spec::validate::reach(&b, &rule.path).into_iter().next();
        let ok = match &rule.check {
            spec::ResponseCheck::Absent => got.is_none(),
            spec::ResponseCheck::Equals { value } => got.as_ref() == Some(value),
            _ => got.is_some(),
        };
        check(
            ok,
            format!("rule {} {:?}: got {got:?}", rule.path, rule.check),
        )?;
    }
    Ok(())
}

fn publish_gives_version_1() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("publish");
    let b = body(&http.create(&with(base(&name), "Publish", json!(true)))?)?;
    check(
        b["Version"] == json!("1"),
        format!("Version {}", b["Version"]),
    )?;
    check(
        b["FunctionArn"]
            .as_str()
            .is_some_and(|a| a.ends_with(&format!(":function:{name}"))),
        "FunctionArn is qualified",
    )
}

fn memory_above_max() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let r = http.create(&with(base(&fresh("mem")), "MemorySize", json!(10241)))?;
    let b = expect_error(&r, 400, "ValidationException", "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240")?;
    check(
        b.get("Type").is_none(),
        "ValidationException body has a Type",
    )?;
    check(
        b.as_object().is_some_and(|o| o.len() == 1),
        format!("body {b}"),
    )
}

fn bare_name_too_long() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = "a".repeat(65);
    let r = http.create(&base(&name))?;
    let b = expect_error(&r, 400, "InvalidParameterValueException", &format!("1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64"))?;
    check(b["Type"] == json!("User"), format!("body {b}"))
}

fn deprecated_runtime() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let r = http.create(&with(base(&fresh("dep")), "Runtime", json!("python3.7")))?;
    expect_error(&r, 400, "InvalidParameterValueException", "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.")?;
    Ok(())
}

fn duplicate_conflicts() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("dup");
    expect_status(&http.create(&base(&name))?, 201)?;
    let r = http.create(&base(&name))?;
    let b = expect_error(
        &r,
        409,
        "ResourceConflictException",
        &format!("Function already exist: {name}"),
    )?;
    check(b["Type"] == json!("User"), format!("body {b}"))
}

fn validation_before_conflict() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("dupbad");
    expect_status(&http.create(&base(&name))?, 201)?;
    let r = http.create(&with(base(&name), "Timeout", json!(901)))?;
    expect_error(&r, 400, "ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900")?;
    Ok(())
}

fn malformed_json() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let r = http.send(
        "POST",
        "/2015-03-31/functions",
        &[("content-type", "application/json".into())],
        b"{\"FunctionName\": ".to_vec(),
    )?;
    expect_error(
        &r,
        400,
        "InvalidRequestContentException",
        "Could not parse request body into json",
    )?;
    Ok(())
}

fn arn_gives_bare_name() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    for (i, form) in [
        "arn:aws:lambda:us-east-1:123456789012:function:{n}",
        "123456789012:function:{n}",
        "arn:aws:lambda:us-east-1:123456789012:function:{n}:$LATEST",
    ]
    .iter()
    .enumerate()
    {
        let name = fresh(&format!("arn{i}"));
        let b = body(&http.create(&with(
            base(&name),
            "FunctionName",
            json!(form.replace("{n}", &name)),
        ))?)?;
        check(
            b["FunctionName"] == json!(name),
            format!("{form}: FunctionName {}", b["FunctionName"]),
        )?;
        check(
            b["FunctionArn"]
                == json!(format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{name}"
                )),
            format!("{form}: FunctionArn {}", b["FunctionArn"]),
        )?;
        check(
            b["LoggingConfig"]["LogGroup"] == json!(format!("/aws/lambda/{name}")),
            "LogGroup",
        )?;
        // GetFunction by ARN (escaped) finds it.
        let arn = format!("arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3A{name}");
        expect_status(&http.get(&arn)?, 200)?;
    }
    Ok(())
}

fn echoes_and_additions() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("echo");
    let mut req = base(&name);
    req["Environment"] = json!({"Variables": {"AB": "1"}});
    req["VpcConfig"] = json!({"SubnetIds": ["subnet-0abc"], "SecurityGroupIds": ["sg-0abc"]});
    req["LoggingConfig"] = json!({"LogFormat": "JSON"});
    req["Layers"] = json!(["arn:aws:lambda:us-east-1:123456789012:layer:l:1"]);
    req["Tags"] = json!({"k": "v"});
    req["Publish"] = json!(false);
    req["MemorySize"] = json!(512);
    req["Description"] = json!("hello");
    req["Architectures"] = json!(["arm64"]);
    req["ImageConfig"] = json!({"Command": ["x"]});
    let b = body(&http.create(&req)?)?;
    check(
        b["Environment"] == json!({"Variables": {"AB": "1"}}),
        format!("Environment {}", b["Environment"]),
    )?;
    let vpc = &b["VpcConfig"];
    check(vpc["SubnetIds"] == json!(["subnet-0abc"]), "SubnetIds")?;
    check(
        vpc["VpcId"].as_str().is_some_and(|v| v.starts_with("vpc-")),
        "VpcId",
    )?;
    check(
        vpc["Ipv6AllowedForDualStack"] == json!(false),
        "Ipv6AllowedForDualStack",
    )?;
    check(
        b["LoggingConfig"]
            == json!({"LogFormat": "JSON", "LogGroup": format!("/aws/lambda/{name}"), "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO"}),
        format!("LoggingConfig {}", b["LoggingConfig"]),
    )?;
    check(
        b["Layers"]
            == json!([{"Arn": "arn:aws:lambda:us-east-1:123456789012:layer:l:1", "CodeSize": 0}]),
        format!("Layers {}", b["Layers"]),
    )?;
    check(
        b["ImageConfigResponse"] == json!({"ImageConfig": {"Command": ["x"]}}),
        format!("ImageConfigResponse {}", b["ImageConfigResponse"]),
    )?;
    check(b["MemorySize"] == json!(512), "MemorySize")?;
    check(b["Description"] == json!("hello"), "Description")?;
    check(b["Architectures"] == json!(["arm64"]), "Architectures")?;
    for absent in ["Tags", "Publish", "ImageConfig", "Code"] {
        check(b.get(absent).is_none(), format!("{absent} is present"))?;
    }
    check(no_nulls(&b), "a null member")
}

fn image_package() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("img");
    let uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:latest";
    let req = json!({"FunctionName": name, "Role": ROLE, "PackageType": "Image", "Code": {"ImageUri": uri}});
    let r = http.create(&req)?;
    expect_status(&r, 201)?;
    let b = body(&r)?;
    for absent in ["Runtime", "Handler", "RuntimeVersionConfig"] {
        check(b.get(absent).is_none(), format!("{absent} is present"))?;
    }
    check(b["PackageType"] == json!("Image"), "PackageType")?;
    check(b["CodeSize"] == json!(0), "CodeSize")?;
    check(
        b["CodeSha256"].as_str().is_some_and(|s| s.len() == 64),
        format!("CodeSha256 {}", b["CodeSha256"]),
    )?;
    let g = body(&http.get(&name)?)?;
    check(
        g["Code"]["RepositoryType"] == json!("ECR"),
        "RepositoryType",
    )?;
    check(g["Code"]["ImageUri"] == json!(uri), "ImageUri")
}

/// The request of aws-observed/049 (a layer version in another region), replayed: the stub answers as
/// AWS did.
fn recorded_layer_in_another_region() -> Result<(), Failed> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-recorded.jsonl"),
    )?;
    let line = text
        .lines()
        .find(|l| l.contains("\"id\": \"aws-observed/049-"))
        .ok_or("no exchange 049 in the fixture")?;
    let ex: Value = serde_json::from_str(line)?;
    let request = ex["request"]["body"].as_str().ok_or("no request body")?;
    let recorded: Value =
        serde_json::from_str(ex["response"]["body"].as_str().ok_or("no response")?)?;
    let (_stub, http) = embedded(None)?;
    let r = http.send(
        "POST",
        "/2015-03-31/functions",
        &[("content-type", "application/json".into())],
        request.as_bytes().to_vec(),
    )?;
    let b = expect_error(
        &r,
        400,
        "InvalidParameterValueException",
        recorded["message"].as_str().unwrap_or_default(),
    )?;
    check(b["Type"] == recorded["Type"], format!("body {b}"))
}

const LOG_LEVEL_TEXT: &str = "LogLevel is not supported when LogFormat is set to \"Text\". Remove LogLevel from your request or change the LogFormat to \"JSON\" and try again.";

/// A log level needs JSON logs: refused under Text (explicit or by default), created under JSON.
fn log_level_needs_json() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    for logging in [
        json!({"SystemLogLevel": "INFO"}),
        json!({"ApplicationLogLevel": "DEBUG"}),
        json!({"LogFormat": "Text", "SystemLogLevel": "WARN"}),
    ] {
        let r = http.create(&with(base(&fresh("lvl")), "LoggingConfig", logging.clone()))?;
        expect_error(&r, 400, "InvalidParameterValueException", LOG_LEVEL_TEXT)
            .map_err(|e| format!("{logging}: {}", e.message().unwrap_or_default()))?;
    }
    let logging =
        json!({"LogFormat": "JSON", "SystemLogLevel": "INFO", "ApplicationLogLevel": "DEBUG"});
    let r = http.create(&with(base(&fresh("lvl")), "LoggingConfig", logging))?;
    expect_status(&r, 201)?;
    let b = body(&r)?;
    check(
        b["LoggingConfig"]["SystemLogLevel"] == json!("INFO")
            && b["LoggingConfig"]["ApplicationLogLevel"] == json!("DEBUG"),
        format!("LoggingConfig {}", b["LoggingConfig"]),
    )
}

/// cfn-lint's other rules: reserved environment keys, Image functions without Runtime/Handler/Layers,
/// Timeout 900 without a capacity provider, awslayer ARNs.
fn cross_member_rules_enforced() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let refused = |body: Value, what: &str| -> Result<(), Failed> {
        let r = http.create(&body)?;
        check(
            (400..500).contains(&r.status),
            format!("{what}: {} {}", r.status, String::from_utf8_lossy(&r.body)),
        )
    };
    refused(
        with(
            base(&fresh("env")),
            "Environment",
            json!({"Variables": {"AWS_REGION": "x"}}),
        ),
        "a reserved environment key",
    )?;
    refused(
        json!({"FunctionName": fresh("img"), "Role": ROLE, "PackageType": "Image", "Runtime": "python3.12",
               "Code": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:latest"}}),
        "an Image function with a Runtime",
    )?;
    refused(
        with(base(&fresh("t")), "Timeout", json!(901)),
        "Timeout 901 without a capacity provider",
    )?;
    refused(
        with(
            base(&fresh("l")),
            "Layers",
            json!(["arn:aws:lambda:::awslayer:AWSLambda-Python"]),
        ),
        "an awslayer ARN",
    )?;
    let r = http.create(&with(
        base(&fresh("l")),
        "Layers",
        json!(["arn:aws:lambda:us-east-1:123456789012:layer:mine:1"]),
    ))?;
    expect_status(&r, 201)
}

fn judge_create(body: &Value, resp: WireResponse) -> lambda_conform::oracle::Judgement {
    use lambda_conform::oracle;
    use lambda_conform::transport::WireRequest;
    let s = spec();
    let request = WireRequest::post_json(&s.source.uri, body.to_string().into_bytes());
    let answer = spec::validate::answer(&s, &request.body, Some("application/json"));
    let facts = oracle::Facts {
        region: Some("us-east-1".into()),
        account: None,
        assumption: None,
    };
    oracle::judge(&s, &request, &answer, &Ok(resp), &facts)
}

/// An empty KMSKeyArn or DeadLetterConfig.TargetArn need not come back: nobody recorded that echo, and
/// AWS documents KMSKeyArn only with a customer managed key. An answer without them conforms.
fn empty_values_need_no_echo() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let mut req = base(&fresh("empty"));
    req["KMSKeyArn"] = json!("");
    req["DeadLetterConfig"] = json!({"TargetArn": ""});
    let mut r = http.create(&req)?;
    expect_status(&r, 201)?;
    let mut b = body(&r)?;
    if let Some(o) = b.as_object_mut() {
        o.shift_remove("KMSKeyArn");
        o.shift_remove("DeadLetterConfig");
    }
    r.body = b.to_string().into_bytes();
    let j = judge_create(&req, r);
    check(
        j.findings.is_empty(),
        format!("an answer without the empty values: {}", j.message()),
    )?;
    // A value that is not empty is still expected back.
    let mut req = base(&fresh("desc"));
    req["Description"] = json!("kept");
    let mut r = http.create(&req)?;
    let mut b = body(&r)?;
    if let Some(o) = b.as_object_mut() {
        o.shift_remove("Description");
    }
    r.body = b.to_string().into_bytes();
    let j = judge_create(&req, r);
    check(
        j.findings.iter().any(|f| f.rule == "echo Description"),
        format!("a missing Description echo must be found: {}", j.message()),
    )
}

/// The LogLevel rule is documented (cfn-lint E3696), its wording is not recorded: a different text is a
/// finding marked assumed, while status and type stay documented.
fn unrecorded_wording_is_assumed() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let req = with(
        base(&fresh("lvl")),
        "LoggingConfig",
        json!({"SystemLogLevel": "INFO"}),
    );
    let mut r = http.create(&req)?;
    expect_status(&r, 400)?;
    r.body = json!({"Type": "User", "message": "some other words"})
        .to_string()
        .into_bytes();
    let j = judge_create(&req, r);
    let message = j
        .findings
        .iter()
        .find(|f| f.rule == "message")
        .ok_or(format!("no message finding: {}", j.message()))?;
    check(
        message.basis == Basis::Assumed,
        format!("message finding basis {:?}", message.basis),
    )?;
    check(
        j.basis == Basis::Documented && j.findings.len() == 1,
        format!("basis {:?}: {}", j.basis, j.message()),
    )?;
    check(
        j.outcome() == Outcome::Unconfirmed,
        format!("only the unrecorded wording differs: {:?}", j.outcome()),
    )
}

fn region_follows_sigv4_scope() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("region");
    let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-2/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00".to_string();
    let r = http.send(
        "POST",
        "/2015-03-31/functions",
        &[
            ("content-type", "application/json".into()),
            ("authorization", auth.clone()),
        ],
        base(&name).to_string().into_bytes(),
    )?;
    let b = body(&r)?;
    check(
        b["FunctionArn"]
            == json!(format!(
                "arn:aws:lambda:eu-west-2:123456789012:function:{name}"
            )),
        format!("FunctionArn {}", b["FunctionArn"]),
    )?;
    check(
        b["RuntimeVersionConfig"]["RuntimeVersionArn"]
            .as_str()
            .is_some_and(|a| a.starts_with("arn:aws:lambda:eu-west-2::runtime:")),
        "RuntimeVersionArn region",
    )?;
    // Functions are regional: unsigned (us-east-1) does not see it; the same scope does.
    expect_status(&http.get(&name)?, 404)?;
    let g = http.send(
        "GET",
        &format!("/2015-03-31/functions/{name}/configuration"),
        &[("authorization", auth)],
        vec![],
    )?;
    expect_status(&g, 200)
}

// ---------------------------------------------------------------- reads and deletes

fn pending_then_active() -> Result<(), Failed> {
    let stub = stub::start_blocking_with(
        StubCore::new(spec(), None).with_active_after(Duration::from_millis(300)),
    )?;
    let http = Http::new(stub.uri())?;
    let name = fresh("life");
    let created = body(&http.create(&with(base(&name), "Publish", json!(true)))?)?;
    let early = body(&http.get(&name)?)?;
    check(
        early["Configuration"]["State"] == json!("Pending"),
        format!("early read: State {}", early["Configuration"]["State"]),
    )?;
    std::thread::sleep(Duration::from_millis(350));
    let late = body(&http.get(&name)?)?;
    let c = &late["Configuration"];
    check(
        c["State"] == json!("Active"),
        format!("State {}", c["State"]),
    )?;
    check(
        c["LastUpdateStatus"] == json!("Successful"),
        "LastUpdateStatus",
    )?;
    check(
        c.get("StateReason").is_none() && c.get("StateReasonCode").is_none(),
        "StateReason left",
    )?;
    check(
        c["RevisionId"] != created["RevisionId"],
        "RevisionId unchanged",
    )?;
    check(
        c["Version"] == json!("$LATEST"),
        format!("Version {}", c["Version"]),
    )?;
    check(
        c["CodeSha256"] == created["CodeSha256"],
        "CodeSha256 changed",
    )?;
    check(
        late["Code"]["RepositoryType"] == json!("S3"),
        "RepositoryType",
    )?;
    check(
        late["Code"]["Location"]
            .as_str()
            .is_some_and(|l| l.starts_with("https://")),
        "Location",
    )?;
    let conf = http.send(
        "GET",
        &format!("/2015-03-31/functions/{name}/configuration"),
        &[],
        vec![],
    )?;
    let conf = body(&conf)?;
    check(conf["State"] == json!("Active"), "configuration State")?;
    check(
        conf["RevisionId"] == c["RevisionId"],
        "configuration RevisionId differs from GetFunction's",
    )?;
    check(conf.get("Code").is_none(), "configuration has Code")
}

fn unknown_function() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let r = http.get("nope")?;
    let b = expect_error(
        &r,
        404,
        "ResourceNotFoundException",
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope",
    )?;
    check(
        b["Type"] == json!("User") && b.get("Message").is_some(),
        format!("body {b}"),
    )
}

fn delete_then_not_found() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let name = fresh("del");
    expect_status(&http.create(&base(&name))?, 201)?;
    let d = http.delete(&name)?;
    expect_status(&d, 204)?;
    check(d.body.is_empty(), "204 with a body")?;
    expect_status(&http.get(&name)?, 404)?;
    expect_status(&http.delete(&name)?, 404)?;
    // The name is free again.
    expect_status(&http.create(&base(&name))?, 201)
}

fn unknown_operation() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    let r = http.send("GET", "/2015-03-31/layers", &[], vec![])?;
    let b = expect_error(&r, 404, "UnknownOperationException", "not found")?;
    check(b == json!({"message": "not found"}), format!("body {b}"))
}

fn state_bounded() -> Result<(), Failed> {
    let core = StubCore::new(spec(), None).with_capacity(3);
    let names: Vec<String> = (0..5).map(|i| fresh(&format!("cap{i}"))).collect();
    let json = [("content-type".to_string(), "application/json".to_string())];
    for n in &names {
        let r = core.handle(
            "POST",
            "/2015-03-31/functions",
            &json,
            base(n).to_string().as_bytes(),
        );
        expect_status(&r, 201)?;
    }
    check(
        core.function_count() == 3,
        format!("{} functions kept", core.function_count()),
    )?;
    for (i, n) in names.iter().enumerate() {
        let r = core.handle("GET", &format!("/2015-03-31/functions/{n}"), &[], b"");
        let want = if i < 2 { 404 } else { 200 };
        check(
            r.status == want,
            format!("{n}: {} (expected {want})", r.status),
        )?;
    }
    Ok(())
}

/// One instance of every generated case class: the stub answers the status and type the table says.
fn every_case_class_as_the_table() -> Result<(), Failed> {
    let spec = spec();
    let (_stub, http) = embedded(None)?;
    let ctx = Context::new(11, ROLE);
    let mut checked = 0;
    for (i, case) in cases(&spec).iter().enumerate() {
        let Some(inst) = case.instance(&spec, &ctx, 0, 1000 + i as u64) else {
            continue;
        };
        // The stub acts in us-east-1 for account 123456789012, as the context does.
        let want = lambda_conform::spec::validate::answer_with(
            &spec,
            &inst.request.body,
            inst.request.header("content-type"),
            &ctx.facts(inst.request.body.len()),
        );
        let headers: Vec<(&str, String)> = inst
            .request
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let r = http.send(
            &inst.request.method,
            &inst.request.path,
            &headers,
            inst.request.body.clone(),
        )?;
        match want {
            Expectation::Success => check(
                r.status == 201,
                format!(
                    "{}: {} (expected 201): {}",
                    case.id,
                    r.status,
                    String::from_utf8_lossy(&r.body)
                ),
            )?,
            Expectation::Error(e) => {
                let b = r.json().unwrap_or_default();
                let text = b
                    .get("message")
                    .or_else(|| b.get("Message"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                check(
                    r.status == e.status
                        && r.header("x-amzn-errortype") == Some(e.error_type.as_str())
                        && e.message.matches(text),
                    format!(
                        "{}: {} {:?} {text:?}, expected {} {} {:?}",
                        case.id,
                        r.status,
                        r.header("x-amzn-errortype"),
                        e.status,
                        e.error_type,
                        e.message.display()
                    ),
                )?
            }
        }
        checked += 1;
    }
    check(
        checked > 100,
        format!("only {checked} case classes checked"),
    )
}

fn seed_2020_memory_above_max() -> Result<(), Failed> {
    let spec = Arc::new(spec::load("seed-2020", None)?);
    let stub = stub::start_blocking(Arc::clone(&spec), None)?;
    let http = Http::new(stub.uri())?;
    let name = fresh("seed");
    let req = Context::new(7, ROLE).base_request(&spec, &name);
    // 3072 is a multiple of 64 (the 2020 document's other MemorySize rule): only the maximum is broken.
    let r = http.create(&with(req.clone(), "MemorySize", json!(3072)))?;
    expect_error(&r, 400, "ValidationException", "1 validation error detected: Value '3072' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 3008")?;
    // 3009 breaks both, and both are reported.
    let r = http.create(&with(req.clone(), "MemorySize", json!(3009)))?;
    let text = body(&r)?["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    check(
        r.status == 400
            && text.starts_with("2 validation errors detected: ")
            && text.contains("Value '3009' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 3008"),
        format!("3009: {} {text}", r.status),
    )?;
    expect_status(&http.create(&req)?, 201)
}

// ---------------------------------------------------------------- the long-running mode

/// Status, error type, content type and the body with volatile values masked.
fn comparable(r: &WireResponse) -> (u16, Option<String>, Option<String>, Value) {
    fn mask(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if [
                        "RevisionId",
                        "LastModified",
                        "RuntimeVersionArn",
                        "Location",
                    ]
                    .contains(&k.as_str())
                    {
                        *x = json!("*");
                    } else {
                        mask(x);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(mask),
            _ => {}
        }
    }
    let mut b = r.json().unwrap_or(Value::Null);
    mask(&mut b);
    (
        r.status,
        r.header("x-amzn-errortype").map(str::to_string),
        r.header("content-type").map(str::to_string),
        b,
    )
}

fn serve_same_as_embedded() -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    // Both stay Pending for the whole trial: a function made by one stub and read back from the
    // other at slightly different ages must not differ by State alone (it did, under load).
    let pending = || StubCore::new(spec(), None).with_active_after(Duration::from_secs(3600));
    let server = rt.block_on(stub::bind_with(pending(), "127.0.0.1:0".parse()?))?;
    let served = Http::new(server.uri())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = rt.spawn(server.run(async {
        let _ = stopped.await;
    }));
    let embedded_stub = stub::start_blocking_with(pending())?;
    let embedded = Http::new(embedded_stub.uri())?;
    let name = fresh("same");
    let requests: Vec<(&str, String, Vec<u8>)> = vec![
        (
            "POST",
            "/2015-03-31/functions".into(),
            base(&name).to_string().into_bytes(),
        ),
        (
            "POST",
            "/2015-03-31/functions".into(),
            base(&name).to_string().into_bytes(),
        ),
        (
            "POST",
            "/2015-03-31/functions".into(),
            with(base("x"), "MemorySize", json!(10241))
                .to_string()
                .into_bytes(),
        ),
        ("POST", "/2015-03-31/functions".into(), b"not json".to_vec()),
        (
            "GET",
            format!("/2015-03-31/functions/{name}/configuration"),
            vec![],
        ),
        ("GET", "/2015-03-31/functions/missing".into(), vec![]),
        ("DELETE", format!("/2015-03-31/functions/{name}"), vec![]),
        ("DELETE", format!("/2015-03-31/functions/{name}"), vec![]),
        ("PUT", "/elsewhere".into(), vec![]),
    ];
    let json = [("content-type", "application/json".to_string())];
    for (method, path, body) in requests {
        let a = served.send(method, &path, &json, body.clone())?;
        let b = embedded.send(method, &path, &json, body)?;
        let (ca, cb) = (comparable(&a), comparable(&b));
        check(
            ca == cb,
            format!("{method} {path}:\n  serve:    {ca:?}\n  embedded: {cb:?}"),
        )?;
    }
    let _ = stop.send(());
    rt.block_on(running)??;
    Ok(())
}

fn serve_refuses_non_loopback() -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let addr: SocketAddr = "0.0.0.0:0".parse()?;
    match rt.block_on(stub::serve(spec(), addr, None, async {})) {
        Err(StubError::NotLoopback(a)) if a == addr => Ok(()),
        other => Err(format!("expected NotLoopback, got {other:?}").into()),
    }
}

fn serve_body_cap() -> Result<(), Failed> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let server = rt.block_on(stub::bind(spec(), "127.0.0.1:0".parse()?, None))?;
    let addr = server.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = rt.spawn(server.run(async {
        let _ = stopped.await;
    }));
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "POST /2015-03-31/functions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        stub::MAX_BODY_BYTES + 1
    )?;
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf)?;
    let head = String::from_utf8_lossy(&buf[..n]).to_string();
    let _ = stop.send(());
    rt.block_on(running)??;
    check(head.starts_with("HTTP/1.1 413"), format!("answer: {head}"))?;
    check(
        head.to_ascii_lowercase()
            .contains("x-amzn-errortype: requestentitytoolargeexception"),
        format!("answer: {head}"),
    )
}

// ---------------------------------------------------------------- mutants

fn mutant_names() -> Result<(), Failed> {
    let all = Mutant::all();
    check(all.len() >= 12, format!("{} mutants", all.len()))?;
    check(all.len() == MUTANT_TESTS.len(), "a mutant without a test")?;
    for (i, m) in all.iter().enumerate() {
        check(*m as usize == i, format!("{m} out of order"))?;
        check(
            m.name().parse::<Mutant>() == Ok(*m),
            format!("{m} does not round-trip"),
        )?;
        check(
            m.name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            format!("{m} is not kebab-case"),
        )?;
    }
    check("nope".parse::<Mutant>().is_err(), "unknown name parsed")
}

type Probe = fn(&Http) -> Result<(), Failed>;

/// Each mutant's probe: passes on the faithful stub, fails on that mutant.
fn probe(m: Mutant) -> Probe {
    match m {
        Mutant::AcceptsMemoryAboveMax => |h| {
            let r = h.create(&with(base(&fresh("p")), "MemorySize", json!(10241)))?;
            check(r.status != 201, "MemorySize 10241 created a function")
        },
        Mutant::StrictTimeout => |h| {
            expect_status(
                &h.create(&with(base(&fresh("p")), "Timeout", json!(900)))?,
                201,
            )
        },
        Mutant::ValidationStatus422 => |h| {
            expect_status(
                &h.create(&with(base(&fresh("p")), "Timeout", json!(0)))?,
                400,
            )
        },
        Mutant::DescriptionWrongErrorType => |h| {
            let r = h.create(&with(
                base(&fresh("p")),
                "Description",
                json!("d".repeat(257)),
            ))?;
            let ty = r
                .header("x-amzn-errortype")
                .map(str::to_string)
                .or_else(|| {
                    r.json()
                        .and_then(|b| b.get("__type").and_then(Value::as_str).map(str::to_string))
                });
            check(
                ty.as_deref() == Some("ValidationException"),
                format!("type {ty:?}"),
            )
        },
        Mutant::NoErrorTypeHeader => |h| {
            let r = h.create(&with(base(&fresh("p")), "Runtime", json!("python3.7")))?;
            check(
                r.header("x-amzn-errortype") == Some("InvalidParameterValueException"),
                "no x-amzn-errortype",
            )
        },
        Mutant::BodyOnlyNoType => |h| {
            let r = h.create(&with(base(&fresh("p")), "Runtime", json!("python3.7")))?;
            let in_body = r.json().is_some_and(|b| b.get("__type").is_some());
            check(
                r.header("x-amzn-errortype").is_some() || in_body,
                "the error type is nowhere",
            )
        },
        Mutant::MissingRevisionId => |h| {
            check(
                body(&h.create(&base(&fresh("p")))?)?
                    .get("RevisionId")
                    .is_some(),
                "no RevisionId",
            )
        },
        Mutant::WrongDefaultMemory => |h| {
            check(
                body(&h.create(&base(&fresh("p")))?)?["MemorySize"] == json!(128),
                "MemorySize default",
            )
        },
        Mutant::StateActiveOnCreate => |h| {
            check(
                body(&h.create(&base(&fresh("p")))?)?["State"] == json!("Pending"),
                "State on create",
            )
        },
        Mutant::HtmlContentType => |h| {
            let r = h.create(&base(&fresh("p")))?;
            check(
                r.header("content-type") == Some("application/json"),
                format!("content-type {:?}", r.header("content-type")),
            )
        },
        Mutant::HexCodeSha256 => |h| {
            let want =
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(handler_zip()));
            check(
                body(&h.create(&base(&fresh("p")))?)?["CodeSha256"] == json!(want),
                "CodeSha256",
            )
        },
        Mutant::QualifiedFunctionArn => |h| {
            let name = fresh("p");
            let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
            check(
                body(&h.create(&base(&name))?)?["FunctionArn"] == json!(arn),
                "FunctionArn",
            )
        },
        Mutant::TimeoutMessageTypo => |h| {
            let r = h.create(&with(base(&fresh("p")), "Timeout", json!(901)))?;
            let text = r
                .json()
                .and_then(|b| b["message"].as_str().map(str::to_string))
                .unwrap_or_default();
            check(
                text.ends_with("less than or equal to 900"),
                format!("message {text}"),
            )
        },
        Mutant::EnvironmentAlwaysEchoed => |h| {
            check(
                body(&h.create(&base(&fresh("p")))?)?
                    .get("Environment")
                    .is_none(),
                "Environment present",
            )
        },
        Mutant::NoConflict => |h| {
            let name = fresh("p");
            h.create(&base(&name))?;
            expect_status(&h.create(&base(&name))?, 409)
        },
        Mutant::DeleteKeeps => |h| {
            let name = fresh("p");
            h.create(&base(&name))?;
            expect_status(&h.delete(&name)?, 204)?;
            expect_status(&h.get(&name)?, 404)
        },
        Mutant::ReadbackDisagrees => |h| {
            let name = fresh("p");
            h.create(&with(base(&name), "MemorySize", json!(256)))?;
            check(
                body(&h.get(&name)?)?["Configuration"]["MemorySize"] == json!(256),
                "MemorySize read back",
            )
        },
        Mutant::Throttle => |h| {
            for _ in 0..3 {
                let r = h.create(&base(&fresh("p")))?;
                check(r.status != 429, "throttled")?;
            }
            Ok(())
        },
        Mutant::Hang => |h| {
            let quick = Http::with_timeout(h.base.clone(), Duration::from_secs(1))?;
            quick
                .create(&base(&fresh("p")))
                .map(|_| ())
                .map_err(|e| format!("no answer: {e:?}").into())
        },
        Mutant::NoBareNameLimit => |h| expect_status(&h.create(&base(&"a".repeat(65)))?, 400),
        Mutant::ListOmitsPending => |h| {
            let name = fresh("p");
            h.create(&base(&name))?;
            let r = h.send("GET", "/2015-03-31/functions/?MaxItems=10000", &[], vec![])?;
            let listed = body(&r)?["Functions"]
                .as_array()
                .is_some_and(|fs| fs.iter().any(|f| f["FunctionName"] == json!(name)));
            check(listed, "a Pending function is listed")
        },
        Mutant::HangReads => |h| {
            let quick = Http::with_timeout(h.base.clone(), Duration::from_secs(1))?;
            quick
                .send(
                    "GET",
                    &format!("/2015-03-31/functions/{}/configuration", fresh("p")),
                    &[],
                    vec![],
                )
                .map(|_| ())
        },
        Mutant::LogLevelWithText => |h| {
            let req = with(
                base(&fresh("p")),
                "LoggingConfig",
                json!({"LogFormat": "Text", "SystemLogLevel": "INFO"}),
            );
            expect_status(&h.create(&req)?, 400)
        },
        Mutant::LayersAnyRegion => |h| {
            let req = with(
                base(&fresh("p")),
                "Layers",
                json!(["arn:aws:lambda:eu-west-1:123456789012:layer:probe:1"]),
            );
            expect_status(&h.create(&req)?, 400)
        },
        Mutant::ReservedEnvKeys => |h| {
            let req = with(
                base(&fresh("p")),
                "Environment",
                json!({"Variables": {"AWS_REGION": "x"}}),
            );
            expect_status(&h.create(&req)?, 400)
        },
        Mutant::FirstViolationOnly => |h| {
            let two = with(
                with(base(&fresh("p")), "Timeout", json!(901)),
                "Description",
                json!("d".repeat(257)),
            );
            let r = h.create(&two)?;
            let text = r
                .json()
                .and_then(|b| b["message"].as_str().map(str::to_string))
                .unwrap_or_default();
            check(
                text.starts_with("2 validation errors detected: "),
                format!("message {text}"),
            )
        },
        Mutant::NoRequestId => |h| {
            let ok = h.create(&base(&fresh("p")))?;
            let err = h.create(&with(base(&fresh("p")), "Timeout", json!(0)))?;
            check(
                ok.header("x-amzn-requestid").is_some() && err.header("x-amzn-requestid").is_some(),
                "no x-amzn-requestid",
            )
        },
        Mutant::CapitalMessage => |h| {
            let r = h.create(&with(base(&fresh("p")), "Runtime", json!("python3.7")))?;
            let b = body(&r)?;
            check(
                b.get("message").is_some() && b.get("Message").is_none() && b["Type"] == "User",
                format!("body {b}"),
            )
        },
        Mutant::ArnNameEchoed => |h| {
            let name = fresh("p");
            let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
            check(
                body(&h.create(&base(&arn))?)?["FunctionName"] == json!(name),
                "FunctionName not bare",
            )
        },
        Mutant::TagsInConfiguration => |h| {
            let r = h.create(&with(base(&fresh("p")), "Tags", json!({"team": "a"})))?;
            check(body(&r)?.get("Tags").is_none(), "Tags in the configuration")
        },
        Mutant::EnvLimitOffByOne => |h| {
            let env = json!({"Variables": {"LARGE_VAR": "x".repeat(4080)}});
            expect_status(
                &h.create(&with(base(&fresh("p")), "Environment", env))?,
                201,
            )
        },
        Mutant::BodyLimit1Mb => |h| {
            let zip = base64::engine::general_purpose::STANDARD.encode(handler_zip_of(2 << 20));
            expect_status(
                &h.create(&with(base(&fresh("p")), "Code", json!({ "ZipFile": zip })))?,
                201,
            )
        },
        Mutant::AsciiDescription => |h| {
            let text = "écho — 日本語 🚀";
            check(
                body(&h.create(&with(base(&fresh("p")), "Description", json!(text)))?)?
                    ["Description"]
                    == json!(text),
                "Description changed",
            )
        },
    }
}

/// Probes a mutant also fails because the behaviour it breaks is the one they look through.
fn overlaps(m: Mutant) -> &'static [Mutant] {
    match m {
        // The type is nowhere, so a probe reading the type (or the header) cannot see it.
        Mutant::BodyOnlyNoType => &[Mutant::NoErrorTypeHeader, Mutant::DescriptionWrongErrorType],
        // Timeout 901 is refused with the strict bound's text, `… 899`.
        Mutant::StrictTimeout => &[Mutant::TimeoutMessageTypo],
        _ => &[],
    }
}

fn faithful_passes_every_probe() -> Result<(), Failed> {
    let (_stub, http) = embedded(None)?;
    for m in Mutant::all() {
        probe(m)(&http).map_err(|e| format!("probe for {m} fails on the faithful stub: {e:?}"))?;
    }
    Ok(())
}

/// The mutant fails its own probe and, unless it breaks every create (throttle, hang), passes the others.
fn mutant_trial(m: Mutant) -> Result<(), Failed> {
    let (_stub, http) = embedded(Some(m))?;
    check(
        probe(m)(&http).is_err(),
        format!("{m}: its probe passes, so it breaks nothing"),
    )?;
    if matches!(m, Mutant::Throttle | Mutant::Hang | Mutant::HangReads) {
        return Ok(());
    }
    for other in Mutant::all()
        .into_iter()
        .filter(|o| *o != m && !overlaps(m).contains(o))
    {
        probe(other)(&http).map_err(|e| format!("{m} also breaks what {other} names: {e:?}"))?;
    }
    Ok(())
}

macro_rules! mutant_tests {
    ($($v:ident),* $(,)?) => {
        /// One trial per mutant, in `Mutant::all()` order.
        const MUTANT_TESTS: &[support::TestFn] = &[$(|| mutant_trial(Mutant::$v)),*];
    };
}

mutant_tests!(
    AcceptsMemoryAboveMax,
    StrictTimeout,
    ValidationStatus422,
    DescriptionWrongErrorType,
    NoErrorTypeHeader,
    BodyOnlyNoType,
    MissingRevisionId,
    WrongDefaultMemory,
    StateActiveOnCreate,
    HtmlContentType,
    HexCodeSha256,
    QualifiedFunctionArn,
    TimeoutMessageTypo,
    EnvironmentAlwaysEchoed,
    NoConflict,
    DeleteKeeps,
    ReadbackDisagrees,
    Throttle,
    Hang,
    NoBareNameLimit,
    ListOmitsPending,
    HangReads,
    FirstViolationOnly,
    NoRequestId,
    CapitalMessage,
    ArnNameEchoed,
    TagsInConfiguration,
    EnvLimitOffByOne,
    BodyLimit1Mb,
    AsciiDescription,
    LogLevelWithText,
    LayersAnyRegion,
    ReservedEnvKeys,
);

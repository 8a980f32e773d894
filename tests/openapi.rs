//! `lambda-conform spec --format openapi`: the document is valid OpenAPI 3.1 (checked against the
//! OpenAPI 3.1 meta-schema and every schema against JSON Schema 2020-12), and its request schema says
//! what the table says: the stub's valid request passes it, requests breaking a bound do not.

mod support;

use std::process::{Command, ExitCode};

use libtest_mimic::Failed;
use serde_json::{json, Value};
use support::check;

fn document() -> Result<Value, Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args(["spec", "--format", "openapi"])
        .output()
        .map_err(|e| Failed::from(e.to_string()))?;
    check(
        out.status.success(),
        format!(
            "spec --format openapi exited {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ),
    )?;
    serde_json::from_slice(&out.stdout).map_err(|e| Failed::from(format!("not JSON: {e}")))
}

fn request_schema(doc: &Value) -> Result<Value, Failed> {
    let mut schema = doc
        .pointer("/components/schemas/CreateFunctionRequest")
        .cloned()
        .ok_or("no components.schemas.CreateFunctionRequest")?;
    if let Some(o) = schema.as_object_mut() {
        o.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
    }
    Ok(schema)
}

fn valid_openapi_31() -> Result<(), Failed> {
    let doc = document()?;
    let meta: Value = serde_json::from_str(include_str!("fixtures/openapi-3.1-schema.json"))
        .map_err(|e| Failed::from(e.to_string()))?;
    let validator = jsonschema::draft202012::new(&meta).map_err(|e| Failed::from(e.to_string()))?;
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    check(
        errors.is_empty(),
        format!("not valid OpenAPI 3.1: {}", errors.join("; ")),
    )?;
    // The meta-schema leaves Schema Objects to the dialect: check each against JSON Schema 2020-12.
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or("no components.schemas")?;
    check(schemas.len() > 5, format!("{} schemas", schemas.len()))?;
    for (name, s) in schemas {
        if let Err(e) = jsonschema::draft202012::meta::validate(s) {
            return Err(format!("schema {name} is not JSON Schema 2020-12: {e}").into());
        }
    }
    Ok(())
}

fn constraints_present() -> Result<(), Failed> {
    let doc = document()?;
    let op = doc
        .pointer("/paths/~12015-03-31~1functions/post")
        .ok_or("no POST /2015-03-31/functions")?;
    check(
        op["operationId"] == "CreateFunction",
        format!("operationId {}", op["operationId"]),
    )?;
    let req = request_schema(&doc)?;
    check(
        req.pointer("/properties/FunctionName/maxLength") == Some(&json!(140)),
        "FunctionName maxLength 140",
    )?;
    let runtimes = req
        .pointer("/properties/Runtime/enum")
        .and_then(Value::as_array)
        .ok_or("no Runtime enum")?;
    check(
        runtimes.iter().any(|r| r == "python3.12") && runtimes.len() >= 20,
        format!("Runtime enum {runtimes:?}"),
    )?;
    check(
        req.pointer("/properties/MemorySize/minimum") == Some(&json!(128)),
        "MemorySize minimum 128",
    )?;
    check(
        req.pointer("/properties/VpcConfig/properties/SubnetIds/maxItems") == Some(&json!(16)),
        "VpcConfig.SubnetIds maxItems 16 (nested)",
    )?;
    let required = req["required"].as_array().ok_or("no required")?;
    for m in ["FunctionName", "Role", "Code"] {
        check(required.iter().any(|r| r == m), format!("{m} not required"))?;
    }
    let responses = op["responses"].as_object().ok_or("no responses")?;
    check(
        responses.contains_key("201"),
        "no 201 response (FunctionConfiguration)",
    )?;
    let types_400 = op
        .pointer("/responses/400/x-error-types")
        .and_then(Value::as_array)
        .ok_or("no 400 error types")?;
    for t in ["ValidationException", "InvalidParameterValueException"] {
        check(
            types_400.iter().any(|x| x == t),
            format!("400 does not name {t}"),
        )?;
    }
    check(
        op.pointer("/responses/409/x-error-types/0") == Some(&json!("ResourceConflictException")),
        "409 ResourceConflictException",
    )?;
    Ok(())
}

fn request_schema_judges_requests() -> Result<(), Failed> {
    let doc = document()?;
    let schema = request_schema(&doc)?;
    let v = jsonschema::draft202012::options()
        .should_validate_formats(false)
        .build(&schema)
        .map_err(|e| Failed::from(e.to_string()))?;
    let valid = json!({
        "FunctionName": "lc-openapi-fn",
        "Role": "arn:aws:iam::123456789012:role/lambda-role",
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},
        "MemorySize": 128,
        "VpcConfig": {"SubnetIds": ["subnet-0abc"]},
        "Tags": {"team": "conform"}
    });
    let errs: Vec<String> = v.iter_errors(&valid).map(|e| e.to_string()).collect();
    check(errs.is_empty(), format!("valid request refused: {errs:?}"))?;
    let broken: [(&str, Value); 6] = [
        ("FunctionName", json!("x".repeat(141))),
        ("FunctionName", json!("bad name!")),
        ("Runtime", json!("cobol85")),
        ("MemorySize", json!(127)),
        ("Role", Value::Null),
        ("VpcConfig", json!({"SubnetIds": vec!["subnet-1"; 17]})),
    ];
    for (member, value) in broken {
        let mut req = valid.clone();
        match (&mut req, value) {
            (Value::Object(o), Value::Null) => {
                o.remove(member);
            }
            (Value::Object(o), v) => {
                o.insert(member.into(), v);
            }
            _ => {}
        }
        check(
            !v.is_valid(&req),
            format!("the schema accepts a request breaking {member}: {req}"),
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    support::run(vec![
        ("openapi_is_valid_openapi_31", valid_openapi_31),
        ("openapi_carries_the_constraints", constraints_present),
        (
            "openapi_request_schema_judges_requests",
            request_schema_judges_requests,
        ),
    ])
}

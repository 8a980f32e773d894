//! Tests of `spec import`: botocore-shaped JSON fixtures in, `model.toml` text out.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lambda_conform::spec::import::{import_botocore, import_file, ImportError};
use libtest_mimic::Failed;
use serde_json::{json, Value};
use support::check;
use toml::Value as Toml;

fn main() -> ExitCode {
    support::run(vec![
        ("spec_import::source_table", source_table),
        ("spec_import::nested_paths", nested_paths),
        (
            "spec_import::required_within_parent",
            required_within_parent,
        ),
        ("spec_import::string_constraints", string_constraints),
        ("spec_import::number_constraints", number_constraints),
        ("spec_import::doubles_stay_floats", doubles_stay_floats),
        ("spec_import::item_constraints", item_constraints),
        ("spec_import::enum_in_model_order", enum_in_model_order),
        (
            "spec_import::sensitive_only_when_true",
            sensitive_only_when_true,
        ),
        ("spec_import::patterns_verbatim", patterns_verbatim),
        ("spec_import::pattern_with_quote", pattern_with_quote),
        ("spec_import::response_rows", response_rows),
        ("spec_import::error_rows", error_rows),
        (
            "spec_import::error_fault_from_status",
            error_fault_from_status,
        ),
        ("spec_import::gzip_input", gzip_input),
        ("spec_import::recursion_guard", recursion_guard),
        ("spec_import::unknown_shape", unknown_shape),
        ("spec_import::missing_operation", missing_operation),
        ("spec_import::invalid_json", invalid_json),
        (
            "spec_import::constraint_on_wrong_type",
            constraint_on_wrong_type,
        ),
        (
            "spec_import::round_trip_and_determinism",
            round_trip_and_determinism,
        ),
        ("spec_import::version_from_path", version_from_path),
        ("spec_import::version_from_init_py", version_from_init_py),
        ("spec_import::version_mismatch", version_mismatch),
        ("spec_import::no_version", no_version),
        ("spec_import::committed_aws_2026", committed_aws_2026),
        ("spec_import::committed_seed_2020", committed_seed_2020),
        (
            "spec_import::committed_patterns_compile",
            committed_patterns_compile,
        ),
    ])
}

// ---------------------------------------------------------------------------------------------
// fixtures

/// A small model in botocore's shape, covering every path form and constraint kind.
const FIXTURE: &str = r#"
{
    "version": "2.0",
    "metadata": {"apiVersion": "2015-03-31", "protocol": "rest-json", "serviceId": "Lambda"},
    "operations": {
        "CreateFunction": {
            "name": "CreateFunction",
            "http": {"method": "POST", "requestUri": "/2015-03-31/functions", "responseCode": 201},
            "input": {"shape": "CreateFunctionRequest"},
            "output": {"shape": "FunctionConfiguration"},
            "errors": [
                {"shape": "InvalidParameterValueException"},
                {"shape": "ServiceException"},
                {"shape": "TooManyRequestsException"}
            ]
        }
    },
    "shapes": {
        "CreateFunctionRequest": {
            "type": "structure",
            "required": ["FunctionName", "Code"],
            "members": {
                "FunctionName": {"shape": "FunctionName", "documentation": "<p>The name.</p>"},
                "Code": {"shape": "FunctionCode"},
                "Timeout": {"shape": "Timeout"},
                "Architectures": {"shape": "ArchitecturesList"},
                "Environment": {"shape": "Environment"},
                "Tags": {"shape": "Tags"},
                "EphemeralStorage": {"shape": "EphemeralStorage"},
                "Ratio": {"shape": "Ratio"},
                "Publish": {"shape": "Boolean"},
                "MaxAge": {"shape": "MaxAge"}
            }
        },
        "FunctionName": {"type": "string", "max": 140, "min": 1,
                         "pattern": "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-zA-Z0-9-_]+)"},
        "FunctionCode": {
            "type": "structure",
            "members": {
                "ZipFile": {"shape": "Blob"},
                "S3Bucket": {"shape": "S3Bucket"}
            }
        },
        "Blob": {"type": "blob", "sensitive": true},
        "S3Bucket": {"type": "string", "max": 63, "min": 3,
                     "pattern": "^[0-9A-Za-z\\.\\-_]*(?<!\\.)$"},
        "Timeout": {"type": "integer", "box": true, "max": 5400, "min": 1},
        "MaxAge": {"type": "long", "max": 21600, "min": 60},
        "ArchitecturesList": {"type": "list", "member": {"shape": "Architecture"},
                              "max": 1, "min": 1},
        "Architecture": {"type": "string", "enum": ["x86_64", "arm64"]},
        "Environment": {
            "type": "structure",
            "members": {"Variables": {"shape": "EnvironmentVariables"}}
        },
        "EnvironmentVariables": {"type": "map", "key": {"shape": "EnvironmentVariableName"},
                                 "value": {"shape": "EnvironmentVariableValue"},
                                 "sensitive": true},
        "EnvironmentVariableName": {"type": "string", "pattern": "[a-zA-Z]([a-zA-Z0-9_])+",
                                    "sensitive": true},
        "EnvironmentVariableValue": {"type": "string", "sensitive": true},
        "Tags": {"type": "map", "key": {"shape": "TagKey"}, "value": {"shape": "TagValue"},
                 "max": 50},
        "TagKey": {"type": "string", "max": 128, "min": 1},
        "TagValue": {"type": "string", "max": 256, "min": 0},
        "EphemeralStorage": {
            "type": "structure",
            "required": ["Size"],
            "members": {"Size": {"shape": "EphemeralStorageSize"}}
        },
        "EphemeralStorageSize": {"type": "integer", "box": true, "max": 10240, "min": 512},
        "Ratio": {"type": "double", "box": true, "max": 8, "min": 2},
        "Boolean": {"type": "boolean", "sensitive": false},
        "FunctionConfiguration": {
            "type": "structure",
            "members": {
                "FunctionName": {"shape": "NamespacedFunctionName"},
                "Weight": {"shape": "Weight"},
                "Layers": {"shape": "LayersReferenceList"}
            }
        },
        "NamespacedFunctionName": {"type": "string", "max": 170, "min": 1},
        "Weight": {"type": "double", "max": 1.0, "min": 0.0},
        "LayersReferenceList": {"type": "list", "member": {"shape": "Layer"}},
        "Layer": {
            "type": "structure",
            "members": {"Arn": {"shape": "LayerArn"}, "CodeSize": {"shape": "Long"}}
        },
        "LayerArn": {"type": "string", "max": 140, "min": 1},
        "Long": {"type": "long"},
        "String": {"type": "string"},
        "ThrottleReason": {"type": "string", "enum": ["ConcurrentInvocationLimitExceeded"]},
        "InvalidParameterValueException": {
            "type": "structure",
            "members": {"Type": {"shape": "String"}, "message": {"shape": "String"}},
            "error": {"httpStatusCode": 400, "senderFault": true},
            "exception": true
        },
        "ServiceException": {
            "type": "structure",
            "members": {"Type": {"shape": "String"}, "Message": {"shape": "String"}},
            "error": {"httpStatusCode": 500},
            "exception": true,
            "fault": true
        },
        "TooManyRequestsException": {
            "type": "structure",
            "members": {
                "retryAfterSeconds": {"shape": "String", "location": "header",
                                      "locationName": "Retry-After"},
                "Type": {"shape": "String"},
                "message": {"shape": "String"},
                "Reason": {"shape": "ThrottleReason"}
            },
            "error": {"httpStatusCode": 429, "senderFault": true},
            "exception": true
        }
    }
}
"#;

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("the fixture is valid JSON")
}

fn bytes(model: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(model).expect("a Value always serializes")
}

/// Imports `model` and parses the text back.
fn import(model: &Value) -> Result<(String, Toml), Failed> {
    let text =
        import_botocore(&bytes(model), "9.9.9").map_err(|e| format!("import failed: {e}"))?;
    let parsed: Toml = toml::from_str(&text)
        .map_err(|e| format!("output does not parse as TOML: {e}\n---\n{text}"))?;
    Ok((text, parsed))
}

fn rows<'a>(doc: &'a Toml, table: &str) -> Vec<&'a toml::Table> {
    doc.get(table)
        .and_then(Toml::as_array)
        .map(|a| a.iter().filter_map(Toml::as_table).collect())
        .unwrap_or_default()
}

fn row<'a>(doc: &'a Toml, table: &str, path: &str) -> Result<&'a toml::Table, Failed> {
    rows(doc, table)
        .into_iter()
        .find(|r| r.get("path").and_then(Toml::as_str) == Some(path))
        .ok_or_else(|| format!("no [[{table}]] row with path {path}").into())
}

fn paths(doc: &Toml, table: &str) -> Vec<String> {
    rows(doc, table)
        .iter()
        .filter_map(|r| r.get("path").and_then(Toml::as_str).map(str::to_string))
        .collect()
}

/// Fails unless `row[key]` equals `want`.
fn expect_key(row: &toml::Table, key: &str, want: Toml) -> Result<(), Failed> {
    let got = row.get(key);
    check(
        got == Some(&want),
        format!(
            "{}: {key} = {got:?}, expected {want:?}",
            row.get("path").and_then(Toml::as_str).unwrap_or("?")
        ),
    )
}

fn expect_absent(row: &toml::Table, key: &str) -> Result<(), Failed> {
    check(
        !row.contains_key(key),
        format!(
            "{}: {key} should be absent, found {:?}",
            row.get("path").and_then(Toml::as_str).unwrap_or("?"),
            row.get(key)
        ),
    )
}

fn expect_err<T: std::fmt::Debug>(
    result: Result<T, ImportError>,
    fragment: &str,
) -> Result<ImportError, Failed> {
    match result {
        Ok(v) => Err(format!("expected an error containing {fragment:?}, got Ok({v:?})").into()),
        Err(e) => {
            check(
                e.to_string().contains(fragment),
                format!("error {:?} does not contain {fragment:?}", e.to_string()),
            )?;
            Ok(e)
        }
    }
}

/// A fresh scratch directory under the system temp dir (no tempfile crate in the manifest).
fn scratch(name: &str) -> Result<PathBuf, Failed> {
    let dir = std::env::temp_dir().join(format!(
        "lambda-conform-spec-import-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn write(path: &Path, contents: &[u8]) -> Result<(), Failed> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("write {}: {e}", path.display()).into())
}

// ---------------------------------------------------------------------------------------------
// the table

fn source_table() -> Result<(), Failed> {
    let (text, doc) = import(&fixture())?;
    check(
        text.starts_with("# generated by `make spec`"),
        "the file should open with the generated-by comment",
    )?;
    check(
        text.lines().take(3).any(|l| l.contains("do not edit")),
        "no do-not-edit line",
    )?;
    check(
        text.lines()
            .take(3)
            .any(|l| l.starts_with("# source: botocore 9.9.9")),
        "no source line",
    )?;
    let source = doc
        .get("source")
        .and_then(Toml::as_table)
        .ok_or("no [source] table")?;
    let json = bytes(&fixture());
    let sha = {
        use sha2::Digest as _;
        sha2::Sha256::digest(&json)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for (key, want) in [
        ("kind", Toml::from("botocore")),
        ("botocore_version", Toml::from("9.9.9")),
        (
            "model_file",
            Toml::from("botocore/data/lambda/2015-03-31/service-2.json"),
        ),
        ("model_sha256", Toml::from(sha)),
        ("operation", Toml::from("CreateFunction")),
        ("method", Toml::from("POST")),
        ("uri", Toml::from("/2015-03-31/functions")),
        ("success_status", Toml::from(201)),
    ] {
        check(
            source.get(key) == Some(&want),
            format!("source.{key} = {:?}, expected {want:?}", source.get(key)),
        )?;
    }
    Ok(())
}

fn nested_paths() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    let want = [
        "FunctionName",
        "Code",
        "Code.ZipFile",
        "Code.S3Bucket",
        "Timeout",
        "Architectures",
        "Architectures[]",
        "Environment",
        "Environment.Variables",
        "Environment.Variables{key}",
        "Environment.Variables{value}",
        "Tags",
        "Tags{key}",
        "Tags{value}",
        "EphemeralStorage",
        "EphemeralStorage.Size",
        "Ratio",
        "Publish",
        "MaxAge",
    ];
    let got = paths(&doc, "member");
    check(
        got == want,
        format!("member paths\n  got  {got:?}\n  want {want:?}"),
    )?;
    let r = row(&doc, "member", "Environment.Variables{key}")?;
    expect_key(r, "shape", "EnvironmentVariableName".into())?;
    expect_key(r, "type", "string".into())?;
    expect_key(row(&doc, "member", "Architectures")?, "type", "list".into())?;
    expect_key(row(&doc, "member", "Tags")?, "type", "map".into())?;
    expect_key(row(&doc, "member", "Code")?, "type", "structure".into())?;
    expect_key(row(&doc, "member", "Code.ZipFile")?, "type", "blob".into())?;
    expect_key(row(&doc, "member", "Publish")?, "type", "boolean".into())?;
    expect_key(row(&doc, "member", "MaxAge")?, "type", "long".into())
}

fn required_within_parent() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    for (path, want) in [
        ("FunctionName", true),
        ("Code", true),
        ("Code.ZipFile", false),
        ("Timeout", false),
        ("EphemeralStorage", false),
        ("EphemeralStorage.Size", true),
        ("Architectures[]", false),
        ("Tags{key}", false),
    ] {
        expect_key(row(&doc, "member", path)?, "required", want.into())?;
    }
    Ok(())
}

fn string_constraints() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    let r = row(&doc, "member", "Code.S3Bucket")?;
    expect_key(r, "min_length", 3.into())?;
    expect_key(r, "max_length", 63.into())?;
    expect_absent(r, "min")?;
    expect_absent(r, "max")?;
    let r = row(&doc, "member", "Tags{value}")?;
    expect_key(r, "min_length", 0.into())?;
    expect_key(r, "max_length", 256.into())
}

fn number_constraints() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    let r = row(&doc, "member", "Timeout")?;
    expect_key(r, "min", 1.into())?;
    expect_key(r, "max", 5400.into())?;
    expect_absent(r, "min_length")?;
    let r = row(&doc, "member", "MaxAge")?;
    expect_key(r, "min", 60.into())?;
    expect_key(r, "max", 21600.into())?;
    let r = row(&doc, "member", "EphemeralStorage.Size")?;
    expect_key(r, "min", 512.into())?;
    expect_key(r, "max", 10240.into())
}

fn doubles_stay_floats() -> Result<(), Failed> {
    let (text, doc) = import(&fixture())?;
    // JSON integers on a double shape are written as TOML floats.
    let r = row(&doc, "member", "Ratio")?;
    expect_key(r, "type", "double".into())?;
    expect_key(r, "min", Toml::Float(2.0))?;
    expect_key(r, "max", Toml::Float(8.0))?;
    let r = row(&doc, "response", "Weight")?;
    expect_key(r, "min", Toml::Float(0.0))?;
    expect_key(r, "max", Toml::Float(1.0))?;
    check(
        text.contains("min = 2.0\nmax = 8.0\n"),
        "doubles should print with a decimal point",
    )
}

fn item_constraints() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    let r = row(&doc, "member", "Architectures")?;
    expect_key(r, "min_items", 1.into())?;
    expect_key(r, "max_items", 1.into())?;
    let r = row(&doc, "member", "Tags")?;
    expect_key(r, "max_items", 50.into())?;
    expect_absent(r, "min_items")?;
    expect_absent(r, "max_length")
}

fn enum_in_model_order() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    let r = row(&doc, "member", "Architectures[]")?;
    expect_key(
        r,
        "enum",
        Toml::Array(vec!["x86_64".into(), "arm64".into()]),
    )?;
    // A long enum is written one value per line and still reads back in order.
    let mut model = fixture();
    let many: Vec<String> = (0..40).map(|i| format!("runtime{i:02}.x")).collect();
    model["shapes"]["Architecture"]["enum"] = json!(many);
    let (text, doc) = import(&model)?;
    check(
        text.contains("enum = [\n    \"runtime00.x\",\n"),
        "a long enum should be one value per line",
    )?;
    let r = row(&doc, "member", "Architectures[]")?;
    expect_key(
        r,
        "enum",
        Toml::Array(many.iter().map(|s| Toml::from(s.as_str())).collect()),
    )
}

fn sensitive_only_when_true() -> Result<(), Failed> {
    let (text, doc) = import(&fixture())?;
    expect_key(
        row(&doc, "member", "Code.ZipFile")?,
        "sensitive",
        true.into(),
    )?;
    expect_key(
        row(&doc, "member", "Environment.Variables")?,
        "sensitive",
        true.into(),
    )?;
    expect_absent(row(&doc, "member", "Publish")?, "sensitive")?;
    expect_absent(row(&doc, "member", "Timeout")?, "sensitive")?;
    check(
        !text.contains("sensitive = false"),
        "sensitive = false must not be written",
    )
}

fn patterns_verbatim() -> Result<(), Failed> {
    let (text, doc) = import(&fixture())?;
    check(
        text.contains(r"pattern = '^[0-9A-Za-z\.\-_]*(?<!\.)$'"),
        "S3Bucket's pattern should be a literal string as the model prints it",
    )?;
    expect_key(
        row(&doc, "member", "Code.S3Bucket")?,
        "pattern",
        r"^[0-9A-Za-z\.\-_]*(?<!\.)$".into(),
    )?;
    expect_key(
        row(&doc, "member", "Environment.Variables{key}")?,
        "pattern",
        "[a-zA-Z]([a-zA-Z0-9_])+".into(),
    )
}

fn pattern_with_quote() -> Result<(), Failed> {
    let mut model = fixture();
    let pattern = r#"[^'"\\]+\d'"#;
    model["shapes"]["TagKey"]["pattern"] = json!(pattern);
    let (text, doc) = import(&model)?;
    check(
        text.contains(r#"pattern = "[^'\"\\\\]+\\d'""#),
        "a pattern with ' should fall back to an escaped basic string",
    )?;
    expect_key(row(&doc, "member", "Tags{key}")?, "pattern", pattern.into())
}

fn response_rows() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    let want = [
        "FunctionName",
        "Weight",
        "Layers",
        "Layers[]",
        "Layers[].Arn",
        "Layers[].CodeSize",
    ];
    let got = paths(&doc, "response");
    check(
        got == want,
        format!("response paths\n  got  {got:?}\n  want {want:?}"),
    )?;
    let r = row(&doc, "response", "FunctionName")?;
    expect_key(r, "shape", "NamespacedFunctionName".into())?;
    expect_key(r, "max_length", 170.into())?;
    expect_key(r, "required", false.into())
}

fn error_rows() -> Result<(), Failed> {
    let (_, doc) = import(&fixture())?;
    let errors = rows(&doc, "error");
    let got: Vec<(String, i64, String, Vec<String>)> = errors
        .iter()
        .map(|e| {
            (
                e.get("type").and_then(Toml::as_str).unwrap_or("").into(),
                e.get("status").and_then(Toml::as_integer).unwrap_or(0),
                e.get("fault").and_then(Toml::as_str).unwrap_or("").into(),
                e.get("members")
                    .and_then(Toml::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Toml::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let want = vec![
        (
            "InvalidParameterValueException".to_string(),
            400,
            "client".to_string(),
            s(&["Type", "message"]),
        ),
        (
            "ServiceException".to_string(),
            500,
            "server".to_string(),
            s(&["Type", "Message"]),
        ),
        // retryAfterSeconds travels in a header, not the body.
        (
            "TooManyRequestsException".to_string(),
            429,
            "client".to_string(),
            s(&["Type", "message", "Reason"]),
        ),
    ];
    check(
        got == want,
        format!("errors\n  got  {got:?}\n  want {want:?}"),
    )
}

fn error_fault_from_status() -> Result<(), Failed> {
    // botocore 1.17.63 sets neither fault nor senderFault.
    let mut model = fixture();
    model["shapes"]["ServiceException"]
        .as_object_mut()
        .ok_or("fixture")?
        .remove("fault");
    model["shapes"]["InvalidParameterValueException"]["error"] = json!({"httpStatusCode": 400});
    let (_, doc) = import(&model)?;
    let faults: Vec<&str> = rows(&doc, "error")
        .iter()
        .filter_map(|e| e.get("fault").and_then(Toml::as_str))
        .collect();
    check(
        faults == ["client", "server", "client"],
        format!("faults {faults:?}"),
    )?;
    // And an error with no status at all is refused.
    model["shapes"]["ServiceException"]
        .as_object_mut()
        .ok_or("fixture")?
        .remove("error");
    expect_err(
        import_botocore(&bytes(&model), "1"),
        "error shape ServiceException has no error.httpStatusCode",
    )?;
    Ok(())
}

fn gzip_input() -> Result<(), Failed> {
    let json = bytes(&fixture());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json).map_err(|e| e.to_string())?;
    let gz = gz.finish().map_err(|e| e.to_string())?;
    let plain = import_botocore(&json, "1.0").map_err(|e| e.to_string())?;
    let zipped = import_botocore(&gz, "1.0").map_err(|e| e.to_string())?;
    // Same table, same sha256 (of the uncompressed JSON); only the model file name differs.
    check(
        zipped == plain.replace("service-2.json", "service-2.json.gz"),
        "gzip input should give the same table with model_file …json.gz",
    )?;
    // A truncated gzip stream is an error, not garbage.
    expect_err(
        import_botocore(&gz[..gz.len() / 2], "1.0"),
        "does not decompress",
    )?;
    Ok(())
}

fn recursion_guard() -> Result<(), Failed> {
    let mut model = fixture();
    // Node -> Children: list of Node; Node -> Parent: Node.
    model["shapes"]["CreateFunctionRequest"]["members"]["Tree"] = json!({"shape": "Node"});
    model["shapes"]["Node"] = json!({
        "type": "structure",
        "members": {
            "Name": {"shape": "TagKey"},
            "Parent": {"shape": "Node"},
            "Children": {"shape": "NodeList"}
        }
    });
    model["shapes"]["NodeList"] = json!({"type": "list", "member": {"shape": "Node"}});
    let (_, doc) = import(&model)?;
    let got: Vec<String> = paths(&doc, "member")
        .into_iter()
        .filter(|p| p.starts_with("Tree"))
        .collect();
    let want = [
        "Tree",
        "Tree.Name",
        "Tree.Parent",
        "Tree.Children",
        "Tree.Children[]",
    ];
    check(
        got == want,
        format!("recursive paths\n  got  {got:?}\n  want {want:?}"),
    )?;
    expect_key(row(&doc, "member", "Tree.Parent")?, "shape", "Node".into())
}

fn unknown_shape() -> Result<(), Failed> {
    let mut model = fixture();
    model["shapes"]["FunctionCode"]["members"]["ImageUri"] = json!({"shape": "ImageUri"});
    expect_err(
        import_botocore(&bytes(&model), "1"),
        "shape ImageUri referenced but not defined",
    )?;
    let mut model = fixture();
    model["operations"]["CreateFunction"]["errors"] = json!([{"shape": "NoSuchException"}]);
    expect_err(
        import_botocore(&bytes(&model), "1"),
        "shape NoSuchException referenced but not defined",
    )?;
    Ok(())
}

fn missing_operation() -> Result<(), Failed> {
    let mut model = fixture();
    let ops = model["operations"].as_object_mut().ok_or("fixture")?;
    let op = ops.remove("CreateFunction").ok_or("fixture")?;
    ops.insert("DeleteFunction".into(), op);
    let e = expect_err(
        import_botocore(&bytes(&model), "1"),
        "operation CreateFunction not found in the model",
    )?;
    check(matches!(e, ImportError::MissingOperation), format!("{e:?}"))?;
    expect_err(
        import_botocore(br#"{"shapes": {}}"#, "1"),
        "operation CreateFunction not found",
    )?;
    Ok(())
}

fn invalid_json() -> Result<(), Failed> {
    expect_err(
        import_botocore(b"{not json", "1"),
        "model is not valid JSON",
    )?;
    expect_err(import_botocore(b"", "1"), "model is not valid JSON")?;
    Ok(())
}

fn constraint_on_wrong_type() -> Result<(), Failed> {
    let mut model = fixture();
    model["shapes"]["Boolean"]["min"] = json!(1);
    expect_err(
        import_botocore(&bytes(&model), "1"),
        "shape Boolean (boolean)",
    )?;
    let mut model = fixture();
    model["shapes"]["Timeout"]["max"] = json!(2.5);
    expect_err(import_botocore(&bytes(&model), "1"), "not an integer")?;
    let mut model = fixture();
    model["shapes"]["Timeout"]["type"] = json!("float");
    expect_err(
        import_botocore(&bytes(&model), "1"),
        "shape Timeout has type float",
    )?;
    Ok(())
}

fn round_trip_and_determinism() -> Result<(), Failed> {
    let (text, doc) = import(&fixture())?;
    let again = import_botocore(&bytes(&fixture()), "9.9.9").map_err(|e| e.to_string())?;
    check(text == again, "two imports of the same model differ")?;
    // Every row has the mandatory keys, and only known keys.
    let known = [
        "path",
        "shape",
        "type",
        "required",
        "sensitive",
        "min_length",
        "max_length",
        "min",
        "max",
        "min_items",
        "max_items",
        "pattern",
        "enum",
    ];
    for table in ["member", "response"] {
        for r in rows(&doc, table) {
            for key in ["path", "shape", "type", "required"] {
                check(
                    r.contains_key(key),
                    format!("[[{table}]] row without {key}: {r:?}"),
                )?;
            }
            for key in r.keys() {
                check(
                    known.contains(&key.as_str()),
                    format!("[[{table}]] row with unknown key {key}"),
                )?;
            }
        }
    }
    let mut top: Vec<&str> = doc
        .as_table()
        .ok_or("not a table")?
        .keys()
        .map(String::as_str)
        .collect();
    top.sort_unstable();
    check(
        top == ["error", "member", "response", "source"],
        format!("top-level tables {top:?}"),
    )?;
    // In the text: [source], then the members, the response, the errors.
    let first = |header: &str| text.find(header).unwrap_or(usize::MAX);
    let order = [
        first("\n[source]\n"),
        first("\n[[member]]\n"),
        first("\n[[response]]\n"),
        first("\n[[error]]\n"),
    ];
    check(
        order.windows(2).all(|w| w[0] < w[1]) && order[3] != usize::MAX,
        format!("tables out of order: {order:?}"),
    )?;
    let last = |header: &str| text.rfind(header).unwrap_or(0);
    check(
        last("\n[[member]]\n") < first("\n[[response]]\n")
            && last("\n[[response]]\n") < first("\n[[error]]\n"),
        "member, response and error rows are interleaved",
    )
}

// ---------------------------------------------------------------------------------------------
// import_file and the version

fn version_from_path() -> Result<(), Failed> {
    let dir = scratch("path")?;
    let file = dir.join("botocore-1.44.8/botocore/data/lambda/2015-03-31/service-2.json");
    write(&file, &bytes(&fixture()))?;
    let text = import_file(&file, None).map_err(|e| e.to_string())?;
    check(
        text.contains("botocore_version = \"1.44.8\""),
        "version 1.44.8 should come from the path",
    )?;
    let text = import_file(&file, Some("2.0.0")).map_err(|e| e.to_string())?;
    check(
        text.contains("botocore_version = \"2.0.0\""),
        "a given version wins over the path",
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn version_from_init_py() -> Result<(), Failed> {
    let dir = scratch("init")?;
    let pkg = dir.join("lib/python3.11/site-packages/botocore");
    let file = pkg.join("data/lambda/2015-03-31/service-2.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes(&fixture()))
        .map_err(|e| e.to_string())?;
    write(&file, &gz.finish().map_err(|e| e.to_string())?)?;
    write(
        &pkg.join("__init__.py"),
        b"import logging\n\n__version__ = '1.17.63'\n",
    )?;
    let text = import_file(&file, None).map_err(|e| e.to_string())?;
    check(
        text.contains("botocore_version = \"1.17.63\""),
        "version should come from botocore/__init__.py",
    )?;
    check(
        text.contains("service-2.json.gz\""),
        "model_file should name the .gz",
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn version_mismatch() -> Result<(), Failed> {
    let dir = scratch("mismatch")?;
    let pkg = dir.join("botocore-1.44.8/botocore");
    let file = pkg.join("data/lambda/2015-03-31/service-2.json");
    write(&file, &bytes(&fixture()))?;
    write(&pkg.join("__init__.py"), b"__version__ = \"1.44.9\"\n")?;
    expect_err(
        import_file(&file, None),
        "1.44.8 was found in the path, but",
    )?;
    expect_err(import_file(&file, Some("1.44.8")), "1.44.8 was given, but")?;
    let ok = import_file(&file, Some("1.44.9")).map_err(|e| e.to_string())?;
    check(ok.contains("\"1.44.9\""), "matching version accepted")?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn no_version() -> Result<(), Failed> {
    let dir = scratch("none")?;
    let file = dir.join("service-2.json");
    write(&file, &bytes(&fixture()))?;
    expect_err(import_file(&file, None), "no botocore version given")?;
    expect_err(
        import_file(&dir.join("absent.json"), Some("1")),
        "cannot read",
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// the committed tables

fn committed(profile: &str) -> Result<Option<Toml>, Failed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("specs")
        .join(profile)
        .join("model.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(None);
    };
    toml::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{} does not parse: {e}", path.display()).into())
}

fn is_constrained(r: &toml::Table) -> bool {
    [
        "min_length",
        "max_length",
        "min",
        "max",
        "min_items",
        "max_items",
        "pattern",
        "enum",
    ]
    .iter()
    .any(|k| r.contains_key(*k))
}

fn committed_aws_2026() -> Result<(), Failed> {
    let Some(doc) = committed("aws-2026")? else {
        return Ok(());
    };
    let members = rows(&doc, "member");
    let constrained = members.iter().filter(|r| is_constrained(r)).count();
    check(
        members.len() >= 75,
        format!("{} [[member]] rows, expected >= 75", members.len()),
    )?;
    check(
        constrained >= 45,
        format!("{constrained} constrained rows, expected >= 45"),
    )?;
    check(
        rows(&doc, "error").len() == 10,
        format!("{} errors, expected 10", rows(&doc, "error").len()),
    )
}

fn committed_seed_2020() -> Result<(), Failed> {
    let Some(doc) = committed("seed-2020")? else {
        return Ok(());
    };
    let members = rows(&doc, "member");
    let constrained = members.iter().filter(|r| is_constrained(r)).count();
    check(
        constrained == 20,
        format!("{constrained} constrained rows, expected 20"),
    )?;
    check(
        rows(&doc, "error").len() == 6,
        format!("{} errors, expected 6", rows(&doc, "error").len()),
    )
}

/// Every pattern in the committed tables compiles, anchored as `^(?:P)$`, with `regex` or failing
/// that with `fancy-regex`; the ones that need `fancy-regex` are printed.
fn committed_patterns_compile() -> Result<(), Failed> {
    let mut failures = Vec::new();
    for profile in ["aws-2026", "seed-2020"] {
        let Some(doc) = committed(profile)? else {
            continue;
        };
        for table in ["member", "response"] {
            for r in rows(&doc, table) {
                let Some(p) = r.get("pattern").and_then(Toml::as_str) else {
                    continue;
                };
                let path = r.get("path").and_then(Toml::as_str).unwrap_or("?");
                let anchored = format!("^(?:{p})$");
                if regex::Regex::new(&anchored).is_ok() {
                    continue;
                }
                match fancy_regex::Regex::new(&anchored) {
                    Ok(_) => println!("{profile} [[{table}]] {path}: needs fancy-regex: {p}"),
                    Err(e) => failures.push(format!("{profile} [[{table}]] {path}: {p}: {e}")),
                }
            }
        }
    }
    check(
        failures.is_empty(),
        format!(
            "patterns neither regex nor fancy-regex compiles:\n{}",
            failures.join("\n")
        ),
    )
}

//! Snapshots per case class: the answer normalised so that every generated instance of a class
//! gives the same text (generated values, names, ids, times and account/region redacted).
//!
//! Error classes keep status, error type, content type, body members and the message with the
//! offending value replaced by `[value]`; valid classes keep the response's shape (member → type).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::spec::validate::{self, CallFacts};
use crate::spec::Spec;
use crate::wire::WireResponse;

use super::rules::{bare_name, error_type_of};
use super::verdict::{Basis, Finding};

/// The shape of a JSON value: member names kept, every leaf replaced by its type. Maps of the
/// response model (`Environment.Variables`, …) keep one entry, its key redacted, since keys are data.
pub fn shape(v: &Value) -> Value {
    shape_at(None, "", v)
}

fn shape_at(spec: Option<&Spec>, path: &str, v: &Value) -> Value {
    let is_map = spec
        .and_then(|s| s.response_member(path))
        .is_some_and(|m| m.ty == crate::spec::MemberType::Map);
    match v {
        Value::Null => Value::String("null".into()),
        Value::Bool(_) => Value::String("[boolean]".into()),
        Value::Number(_) => Value::String("[number]".into()),
        Value::String(_) => Value::String("[string]".into()),
        Value::Array(items) => Value::Array(
            items
                .first()
                .map(|x| shape_at(spec, &format!("{path}[]"), x))
                .into_iter()
                .collect(),
        ),
        Value::Object(m) if is_map => Value::Object(
            m.values()
                .next()
                .map(|x| {
                    (
                        "[key]".to_string(),
                        shape_at(spec, &format!("{path}{{value}}"), x),
                    )
                })
                .into_iter()
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    (k.clone(), shape_at(spec, &p, x))
                })
                .collect::<Map<_, _>>(),
        ),
    }
}

/// The normalised answer of one instance.
pub fn normalise(spec: &Spec, request: Option<&Value>, resp: &WireResponse) -> Value {
    let mut out = Map::new();
    out.insert("status".into(), Value::from(resp.status));
    out.insert(
        "content_type".into(),
        Value::String(resp.header("content-type").unwrap_or("(none)").to_string()),
    );
    let body = resp.json();
    if (200..300).contains(&resp.status) {
        let mut shaped = body
            .as_ref()
            .map(|b| shape_at(Some(spec), "", b))
            .unwrap_or(Value::String("(not JSON)".into()));
        if let Value::Object(m) = &mut shaped {
            m.sort_keys();
        }
        out.insert("body".into(), shaped);
        return Value::Object(out);
    }
    out.insert(
        "error_type".into(),
        Value::String(
            error_type_of(resp)
                .map(|(t, _)| t)
                .unwrap_or_else(|| "(none)".into()),
        ),
    );
    if let Some(Value::Object(m)) = &body {
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort();
        out.insert(
            "body_members".into(),
            Value::from(keys.into_iter().cloned().collect::<Vec<_>>()),
        );
        let message = m
            .get("message")
            .or_else(|| m.get("Message"))
            .and_then(Value::as_str);
        if let Some(msg) = message {
            out.insert(
                "message".into(),
                Value::String(redact_message(spec, request, msg)),
            );
        }
    } else {
        out.insert("body".into(), Value::String("(not JSON)".into()));
    }
    Value::Object(out)
}

/// Replaces the request's offending values and its function name in a message.
pub fn redact_message(spec: &Spec, request: Option<&Value>, msg: &str) -> String {
    let mut text = msg.to_string();
    let Some(req) = request else { return text };
    let mut values: Vec<String> = validate::violations(spec, req, &CallFacts::default())
        .iter()
        .map(|v| validate::render_at(spec, validate::reported_path(&v.path), &v.value))
        .filter(|s| !s.is_empty())
        .collect();
    // Longest first, so a value that contains another is replaced whole.
    values.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for v in &values {
        text = text.replace(&format!("'{v}'"), "'[value]'");
        text = text.replace(&format!("Value {v} at"), "Value [value] at");
        text = text.replace(&format!("of {v} is"), "of [value] is");
        text = text.replace(&format!(" {v} is "), " [value] is ");
    }
    text = text.replace("Value '' at", "Value '[value]' at");
    // Regions (the call's, and one an ARN names) are the endpoint's, not the case's.
    if let Ok(re) = regex::Regex::new(r"'[a-z]{2}(-[a-z]+)+-\d'") {
        text = re.replace_all(&text, "'[region]'").into_owned();
    }
    // Named lists (supported runtimes) print in no fixed order: name them instead.
    for (name, list) in &spec.lists {
        let want: std::collections::BTreeSet<&str> =
            list.values.iter().map(String::as_str).collect();
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find('[') {
            let Some(len) = rest[start..].find(']') else {
                break;
            };
            let inner = &rest[start + 1..start + len];
            let got: std::collections::BTreeSet<&str> = inner.split(", ").collect();
            out.push_str(&rest[..start]);
            if got == want {
                out.push_str(&format!("[list:{name}]"));
            } else {
                out.push_str(&rest[start..start + len + 1]);
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        text = out;
    }
    if let Some(vars) = req.get("Environment").and_then(|e| e.get("Variables")) {
        if let Ok(json) = serde_json::to_string(vars) {
            text = text.replace(&json, "[json]");
        }
    }
    if let Some(name) = req.get("FunctionName").and_then(Value::as_str) {
        let bare = bare_name(name);
        // Only what looks like a name: `*` or `a` would match inside patterns and texts.
        let names_a_function =
            !name.contains(':') || name.contains(":function:") || name.starts_with("function:");
        let plausible = names_a_function
            && bare.len() >= 3
            && bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if plausible {
            text = text.replace(&bare, "[name]");
        }
    }
    text
}

/// The snapshot file name of a case (`create_function::memory_size::above_max` → `create_function__memory_size__above_max`).
pub fn snapshot_name(case_id: &str) -> String {
    case_id.replace("::", "__")
}

/// Where a profile's snapshots live.
pub fn snapshot_dir(root: &Path, profile: &str) -> PathBuf {
    root.join("snapshots").join(profile)
}

/// Compares a normalised answer with the stored snapshot through insta (which writes `.snap.new`
/// on a difference, or updates under `INSTA_UPDATE=always`). Returns the difference as text.
pub fn check(dir: &Path, case_id: &str, recorded_from: &str, value: &Value) -> Result<(), String> {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("{case_id} — recorded from {recorded_from}"));
    let name = snapshot_name(case_id);
    quiet_snapshot_panics();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| {
            insta::assert_json_snapshot!(name, value);
        })
    }));
    result.map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "snapshot differs".into())
    })
}

/// insta reports a difference by panicking; the harness catches that and reports a finding, so the
/// default hook's message and backtrace for it are noise. Every other panic still reaches the hook.
fn quiet_snapshot_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let text = info
                .payload()
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| info.payload().downcast_ref::<&str>().copied())
                .unwrap_or("");
            if !text.starts_with("snapshot assertion for") {
                previous(info);
            }
        }));
    });
}

/// The finding for a snapshot difference. A snapshot recorded from AWS is evidence about AWS
/// (`recorded`); one recorded from another endpoint only says the answer changed since then
/// (`assumed`: it is not a difference from AWS, and is reported as unconfirmed).
pub fn finding(dir: &Path, case_id: &str, diff: &str) -> Finding {
    let file = dir.join(format!("{}.snap", snapshot_name(case_id)));
    let from = std::fs::read_to_string(&file)
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("description: "))
                .and_then(|d| d.split(" — recorded from ").nth(1))
                .map(|d| d.trim_end_matches('"').to_string())
        })
        .unwrap_or_else(|| "an unknown source".into());
    let basis = if from.starts_with("AWS") {
        Basis::Recorded
    } else {
        Basis::Assumed
    };
    Finding {
        rule: "snapshot".into(),
        expected: format!("the answer stored in {}", file.display()),
        observed: diff
            .lines()
            .next()
            .unwrap_or("a different answer")
            .to_string(),
        row: "snapshot".into(),
        basis,
        evidence: format!("snapshot recorded from {from}"),
    }
}

//! The checks: an error answer, a successful answer.

use base64::Engine as _;
use serde_json::Value;
use sha2::Digest as _;

use super::judge::error_basis;
use super::verdict::{Basis, Finding};
use super::Facts;
use crate::spec::validate::ExpectedError;
use crate::spec::{MemberType, RequestCondition, ResponseCheck, Source, Spec};
use crate::wire::WireResponse;

/// The error type of an answer: from `X-Amzn-ErrorType` (cut at `:`, after `#`), else from the body's
/// `__type` or `code` (the bool says it came from the body: a fallback, reported).
pub fn error_type_of(resp: &WireResponse) -> Option<(String, bool)> {
    if resp.header("x-amzn-errortype").is_some() {
        return error_type_with(resp, None);
    }
    error_type_with(resp, resp.json().as_ref())
}

/// [`error_type_of`] with the body already read as JSON (`None`: not JSON, or not needed because
/// the header is there).
pub fn error_type_with(resp: &WireResponse, body: Option<&Value>) -> Option<(String, bool)> {
    let clean = |s: &str| {
        let s = s.split(':').next().unwrap_or(s);
        s.rsplit('#').next().unwrap_or(s).trim().to_string()
    };
    if let Some(h) = resp.header("x-amzn-errortype") {
        return Some((clean(h), false));
    }
    let body = body?;
    ["__type", "code"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str))
        .map(|t| (clean(t), true))
}

/// One finding whose basis is the table row's source.
pub fn finding(
    rule: &str,
    expected: impl Into<String>,
    observed: impl Into<String>,
    row: &str,
    source: Source,
) -> Finding {
    finding_with(rule, expected, observed, row, Basis::from(source), "")
}

/// One finding with its basis and evidence.
pub fn finding_with(
    rule: &str,
    expected: impl Into<String>,
    observed: impl Into<String>,
    row: &str,
    basis: Basis,
    evidence: impl Into<String>,
) -> Finding {
    Finding {
        rule: rule.into(),
        expected: expected.into(),
        observed: observed.into(),
        row: row.into(),
        basis,
        evidence: evidence.into(),
    }
}

fn json_content_type(resp: &WireResponse) -> bool {
    resp.header("content-type")
        .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/json"))
}

/// The headers the table says every answer carries.
fn headers(spec: &Spec, resp: &WireResponse, out: &mut Vec<Finding>) {
    for h in &spec.headers {
        if resp.header(&h.name).is_none_or(|v| v.trim().is_empty()) {
            out.push(finding(
                &format!("header {}", h.name),
                "present (every answer carries it)",
                "absent",
                &format!("response header {}", h.name),
                h.source,
            ));
        }
    }
}

/// The error body's member names: the text in the member the table spells (`message` or `Message`),
/// `Type` when the table lists it. Skipped when the names themselves are only assumed.
fn body_members(spec: &Spec, error_type: &str, body: Option<&Value>, out: &mut Vec<Finding>) {
    let Some(shape) = spec.errors.iter().find(|x| x.error_type == error_type) else {
        return;
    };
    let basis = shape.members_basis();
    let Some(Value::Object(got)) = body else {
        return;
    };
    if basis == Source::Assumed {
        return;
    }
    let row = format!("error {error_type} members");
    for (text, other) in [("message", "Message"), ("Message", "message")] {
        if shape.members.iter().any(|m| m == text)
            && !got.contains_key(text)
            && got.contains_key(other)
        {
            out.push(finding(
                "body-members",
                format!("the text in `{text}`"),
                format!("`{other}`"),
                &row,
                basis,
            ));
        }
    }
    if shape.members.iter().any(|m| m == "Type") && !got.contains_key("Type") {
        out.push(finding(
            "body-members",
            "a `Type` member (User or Service)",
            "none",
            &row,
            basis,
        ));
    }
}

/// Checks an error answer.
pub fn error(spec: &Spec, e: &ExpectedError, resp: &WireResponse) -> Vec<Finding> {
    let row = e.rows.join(", ");
    let basis = error_basis(e);
    let evidence = e.evidence.join("; ");
    let on_row = |rule: &str, expected: String, observed: String| {
        finding_with(rule, expected, observed, &row, basis, evidence.clone())
    };
    // The wording may rest on less than the answer (a documented rule whose text nobody recorded).
    let message_basis = match e.message_source {
        Source::Model => Basis::Derived,
        s => Basis::from(s),
    }
    .max(basis);
    let on_message = |rule: &str, expected: String, observed: String| {
        finding_with(
            rule,
            expected,
            observed,
            &row,
            message_basis,
            evidence.clone(),
        )
    };
    let mut out = Vec::new();
    headers(spec, resp, &mut out);
    if e.source == Source::Assumed {
        if !(400..500).contains(&resp.status) {
            out.push(on_row(
                "status",
                format!(
                    "some 4xx (assumed; AWS probably answers {} {})",
                    e.status, e.error_type
                ),
                resp.status.to_string(),
            ));
        }
        return out;
    }
    if resp.status != e.status {
        out.push(on_row(
            "status",
            e.status.to_string(),
            resp.status.to_string(),
        ));
    }
    match error_type_of(resp) {
        None => out.push(on_row(
            "error-type",
            format!("X-Amzn-ErrorType: {}", e.error_type),
            "no error type (no header, no __type or code in the body)".into(),
        )),
        Some((t, from_body)) => {
            if t != e.error_type {
                out.push(on_row("error-type", e.error_type.clone(), t.clone()));
            }
            if from_body {
                out.push(finding_with(
                    "error-type-header",
                    "the error type in the X-Amzn-ErrorType header",
                    format!("only in the body ({t})"),
                    "wire format",
                    Basis::Recorded,
                    "public captures of AWS error answers: terraform-provider-aws#13709, cloudyr/aws.lambda#2",
                ));
            }
        }
    }
    let body = resp.json();
    if let Some((t, _)) = error_type_with(resp, body.as_ref()) {
        if t == e.error_type {
            body_members(spec, &t, body.as_ref(), &mut out);
        }
    }
    let message = body
        .as_ref()
        .and_then(|b| b.get("message").or_else(|| b.get("Message")))
        .and_then(Value::as_str);
    let no_text_expected = e.message.display().is_empty();
    match message {
        _ if no_text_expected => {}
        Some(m) if e.message.matches(m) => {}
        Some(m) => out.push(on_message(
            "message",
            format!("{:?}", e.message.display()),
            format!("{m:?}"),
        )),
        None => out.push(on_message(
            "message",
            format!("{:?}", e.message.display()),
            if body.is_some() {
                "no message member".into()
            } else {
                "a body that is not JSON".into()
            },
        )),
    }
    if !json_content_type(resp) {
        out.push(finding_with(
            "content-type",
            "application/json",
            resp.header("content-type").unwrap_or("(none)"),
            "wire format",
            Basis::Recorded,
            "public captures of AWS error answers: terraform-provider-aws#13709, cloudyr/aws.lambda#2",
        ));
    }
    out
}

fn condition_holds(cond: &Option<RequestCondition>, request: &Value) -> bool {
    cond.as_ref().is_none_or(|c| c.holds(request))
}

/// A sent value without its empty strings (members whose value is `""`); None when nothing is left.
fn without_empty(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) if s.is_empty() => None,
        Value::Object(m) if !m.is_empty() => {
            let kept: serde_json::Map<String, Value> = m
                .iter()
                .filter_map(|(k, x)| without_empty(x).map(|x| (k.clone(), x)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other.clone()),
    }
}

/// `sent` is contained in `got`: objects member by member (got may have more), everything else equal.
fn contains(got: &Value, sent: &Value) -> bool {
    match (got, sent) {
        (Value::Object(g), Value::Object(s)) => s
            .iter()
            .filter(|(_, v)| !v.is_null())
            .all(|(k, v)| g.get(k).is_some_and(|gv| contains(gv, v))),
        (Value::Array(g), Value::Array(s)) => {
            g.len() == s.len() && g.iter().zip(s).all(|(a, b)| contains(a, b))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => got == sent,
    }
}

/// The bare function name a request names (by name, full ARN or partial ARN).
pub fn bare_name(requested: &str) -> String {
    let parts: Vec<&str> = requested.split(':').collect();
    match parts.iter().position(|p| *p == "function") {
        Some(i) => parts.get(i + 1).copied().unwrap_or_default().to_string(),
        None => parts.first().copied().unwrap_or_default().to_string(),
    }
}

fn type_ok(ty: MemberType, v: &Value) -> bool {
    match ty {
        MemberType::String | MemberType::Timestamp | MemberType::Blob => v.is_string(),
        MemberType::Integer | MemberType::Long => v.is_i64() || v.is_u64(),
        MemberType::Double => v.is_number(),
        MemberType::Boolean => v.is_boolean(),
        MemberType::Structure | MemberType::Map => v.is_object(),
        MemberType::List => v.is_array(),
    }
}

/// Checks a successful answer to `request`.
pub fn success(
    spec: &Spec,
    request: Option<&Value>,
    resp: &WireResponse,
    facts: &Facts,
    basis: Source,
) -> Vec<Finding> {
    let mut out = Vec::new();
    headers(spec, resp, &mut out);
    let want = spec.source.success_status;
    if basis == Source::Assumed {
        if !(200..300).contains(&resp.status) {
            out.push(finding(
                "status",
                format!("{want} (assumed)"),
                super::describe_response(resp),
                "protocol",
                basis,
            ));
            return out;
        }
    } else if resp.status != want {
        out.push(finding(
            "status",
            want.to_string(),
            super::describe_response(resp),
            "operation",
            Source::Model,
        ));
        if !(200..300).contains(&resp.status) {
            return out;
        }
    }
    if !json_content_type(resp) {
        out.push(finding(
            "content-type",
            "application/json",
            resp.header("content-type").unwrap_or("(none)"),
            "wire format",
            Source::Doc,
        ));
    }
    let Some(body) = resp.json() else {
        out.push(finding(
            "body",
            "a JSON FunctionConfiguration",
            "a body that is not JSON",
            "operation",
            Source::Model,
        ));
        return out;
    };
    let empty = Value::Object(Default::default());
    let request = request.unwrap_or(&empty);
    let requested = request
        .get("FunctionName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name = bare_name(requested);
    let Value::Object(members) = &body else {
        out.push(finding(
            "body",
            "a JSON object",
            "another JSON value",
            "operation",
            Source::Model,
        ));
        return out;
    };

    // Types of every member the response model knows; no nulls.
    for (k, v) in members {
        if v.is_null() {
            out.push(finding(
                &format!("null {k}"),
                "absent or a value",
                "null",
                "wire format",
                Source::Observed,
            ));
            continue;
        }
        if let Some(m) = spec.response_member(k) {
            if !type_ok(m.ty, v) {
                out.push(finding(
                    &format!("type {k}"),
                    m.ty.json_name(),
                    super::short(&v.to_string()),
                    &format!("response {k}"),
                    Source::Model,
                ));
            }
        }
    }

    // Defaults for members the request did not send.
    for m in spec
        .response
        .iter()
        .filter(|m| !m.path.contains('.') && !m.path.contains('['))
    {
        let Some(d) = &m.default else { continue };
        if request.get(&m.path).is_some_and(|v| !v.is_null()) {
            continue;
        }
        let expected = crate::spec::message::fill_name_value(&d.value, &name);
        match body.get(&m.path) {
            Some(got) if contains(got, &expected) && contains(&expected, got) => {}
            Some(got) => out.push(finding(
                &format!("default {}", m.path),
                expected.to_string(),
                got.to_string(),
                &format!("default {}", m.path),
                d.source,
            )),
            None => out.push(finding(
                &format!("default {}", m.path),
                expected.to_string(),
                "absent",
                &format!("default {}", m.path),
                d.source,
            )),
        }
    }

    // The table's response rules.
    let zip = request
        .get("Code")
        .and_then(|c| c.get("ZipFile"))
        .and_then(Value::as_str)
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok());
    for r in spec
        .response_rules
        .iter()
        .filter(|r| condition_holds(&r.when, request))
    {
        let got = body.get(&r.path);
        let row = format!("response {} {}", r.path, check_name(&r.check));
        let mut fail = |expected: String, observed: String| {
            out.push(finding(&row, expected, observed, &row, r.source))
        };
        let shown =
            |v: Option<&Value>| v.map_or("absent".to_string(), |v| super::short(&v.to_string()));
        match &r.check {
            ResponseCheck::Equals { value } => {
                let want = crate::spec::message::fill_name_value(value, &name);
                if got != Some(&want) {
                    fail(want.to_string(), shown(got));
                }
            }
            ResponseCheck::Present => {
                if got.is_none_or(Value::is_null) {
                    fail("present".into(), "absent".into());
                }
            }
            ResponseCheck::Absent => {
                if got.is_some_and(|v| !v.is_null()) {
                    fail("absent".into(), shown(got));
                }
            }
            ResponseCheck::CodeSha256 => {
                if let Some(zip) = &zip {
                    let want =
                        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(zip));
                    if got.and_then(Value::as_str) != Some(want.as_str()) {
                        fail(format!("{want:?} (base64 of the zip's sha256)"), shown(got));
                    }
                }
            }
            ResponseCheck::CodeSize => {
                if let Some(zip) = &zip {
                    if got.and_then(Value::as_u64) != Some(zip.len() as u64) {
                        fail(format!("{} (the zip's bytes)", zip.len()), shown(got));
                    }
                }
            }
            ResponseCheck::FunctionName => {
                if got.and_then(Value::as_str) != Some(name.as_str()) {
                    fail(format!("{name:?}"), shown(got));
                }
            }
            ResponseCheck::FunctionArn => {
                let arn = got.and_then(Value::as_str).unwrap_or_default();
                let parts: Vec<&str> = arn.split(':').collect();
                let ok_shape = parts.len() == 7
                    && parts[0] == "arn"
                    && parts[1].starts_with("aws")
                    && parts[2] == "lambda"
                    && parts[5] == "function"
                    && parts[6] == name;
                let ok_region = facts
                    .region
                    .as_deref()
                    .is_none_or(|r| parts.get(3) == Some(&r));
                let ok_account = facts
                    .account
                    .as_deref()
                    .is_none_or(|a| parts.get(4) == Some(&a));
                let ok_account_shape = parts
                    .get(4)
                    .is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
                if !(ok_shape && ok_region && ok_account && ok_account_shape) {
                    fail(
                        format!(
                            "arn:aws:lambda:{}:{}:function:{name} (unqualified)",
                            facts.region.as_deref().unwrap_or("REGION"),
                            facts.account.as_deref().unwrap_or("ACCOUNT")
                        ),
                        shown(got),
                    );
                }
            }
            ResponseCheck::Timestamp => {
                let ok = got.and_then(Value::as_str).is_some_and(|s| {
                    chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.3f%z").is_ok()
                        && s.ends_with("+0000")
                        && s.len() == 28
                });
                if !ok {
                    fail(
                        "a time like 2019-08-14T22:26:11.234+0000".into(),
                        shown(got),
                    );
                }
            }
            ResponseCheck::Echo => {
                for (k, sent) in request.as_object().into_iter().flatten() {
                    if sent.is_null() || spec.response_member(k).is_none() {
                        continue;
                    }
                    if spec
                        .response_rules
                        .iter()
                        .any(|x| x.path == *k && x.check == ResponseCheck::FunctionName)
                    {
                        continue;
                    }
                    let req_m = spec.member(k);
                    let resp_m = spec.response_member(k);
                    let same_shape = match (req_m, resp_m) {
                        (Some(a), Some(b)) => {
                            a.ty == b.ty
                                && item_types(spec, &a.path, false)
                                    == item_types(spec, &b.path, true)
                        }
                        _ => false,
                    };
                    if !same_shape {
                        continue;
                    }
                    // Nobody recorded the echo of an empty value (`KMSKeyArn: ""`); AWS documents
                    // that KMSKeyArn comes back only with a customer managed key. Not expected.
                    let Some(sent) = without_empty(sent) else {
                        continue;
                    };
                    let sent = &sent;
                    match body.get(k) {
                        Some(g) if contains(g, sent) => {}
                        g => out.push(finding(
                            &format!("echo {k}"),
                            super::short(&sent.to_string()),
                            shown(g),
                            "response echo",
                            r.source,
                        )),
                    }
                }
            }
        }
    }
    out
}

fn item_types(spec: &Spec, path: &str, response: bool) -> Option<MemberType> {
    let list = if response {
        &spec.response
    } else {
        &spec.members
    };
    let item = format!("{path}[]");
    list.iter().find(|m| m.path == item).map(|m| m.ty)
}

fn check_name(c: &ResponseCheck) -> &'static str {
    match c {
        ResponseCheck::Equals { .. } => "equals",
        ResponseCheck::Present => "present",
        ResponseCheck::Absent => "absent",
        ResponseCheck::CodeSha256 => "code_sha256",
        ResponseCheck::CodeSize => "code_size",
        ResponseCheck::FunctionArn => "function_arn",
        ResponseCheck::FunctionName => "function_name",
        ResponseCheck::Timestamp => "timestamp",
        ResponseCheck::Echo => "echo",
    }
}

//! The wire format of the stub's answers (AWS_OBSERVED §c.15): errors with `x-amzn-errortype` and the
//! body members the table lists for the type, JSON answers with a request id, and reading the request's
//! headers and path.

use serde_json::{json, Map, Value};

use super::mutants::Mutant;
use crate::spec::Spec;
use crate::wire::WireResponse;

/// An error as AWS sends it: the type in `x-amzn-errortype`, the body members the table lists for
/// the type (`Type` is the fault class, `message` or `Message` the text).
pub(super) fn error(
    spec: &Spec,
    mutant: Option<Mutant>,
    status: u16,
    error_type: &str,
    text: &str,
    extra: &[(&str, Value)],
) -> WireResponse {
    let shape = spec.errors.iter().find(|e| e.error_type == error_type);
    let members: Vec<String> = match shape {
        Some(s) => s.members.clone(),
        None => fallback_members(error_type)
            .iter()
            .map(|m| m.to_string())
            .collect(),
    };
    let server_fault = shape.map_or(status >= 500, |s| s.fault == "server");
    let mut body = Map::new();
    for m in &members {
        match m.as_str() {
            "Type" => {
                body.insert(
                    m.clone(),
                    json!(if server_fault { "Service" } else { "User" }),
                );
            }
            // AWS sends no text at all for some errors (403 AccessDeniedException: `{}`).
            "message" | "Message" if !text.is_empty() => {
                body.insert(m.clone(), json!(text));
            }
            other => {
                if let Some((_, v)) = extra.iter().find(|(k, _)| *k == other) {
                    body.insert(m.clone(), v.clone());
                }
            }
        }
    }
    if !text.is_empty() && !body.contains_key("message") && !body.contains_key("Message") {
        body.insert("message".into(), json!(text));
    }
    if mutant == Some(Mutant::CapitalMessage) && error_type == "InvalidParameterValueException" {
        if let Some(v) = body.remove("message") {
            body.insert("Message".into(), v);
        }
    }
    let mut headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("x-amzn-requestid".to_string(), super::config::uuid()),
    ];
    match mutant {
        Some(Mutant::NoErrorTypeHeader) => {
            body.insert("__type".into(), json!(error_type));
        }
        Some(Mutant::BodyOnlyNoType) => {}
        _ => headers.push(("x-amzn-errortype".into(), error_type.to_string())),
    }
    WireResponse {
        status,
        headers,
        body: Value::Object(body).to_string().into_bytes(),
    }
}

/// Body members of error types the table does not list, as AWS sends them.
fn fallback_members(error_type: &str) -> &'static [&'static str] {
    match error_type {
        "InvalidParameterValueException"
        | "ResourceConflictException"
        | "CodeStorageExceededException"
        | "TooManyRequestsException" => &["Type", "message"],
        "ResourceNotFoundException" | "ServiceException" => &["Type", "Message"],
        _ => &["message"],
    }
}

/// A JSON answer with a request id.
pub(super) fn json_response(status: u16, content_type: &str, body: &Value) -> WireResponse {
    text_response(status, content_type, body.to_string())
}

/// A JSON answer already serialised.
pub(super) fn text_response(status: u16, content_type: &str, body: String) -> WireResponse {
    WireResponse {
        status,
        headers: vec![
            ("content-type".into(), content_type.into()),
            ("x-amzn-requestid".into(), super::config::uuid()),
        ],
        body: body.into_bytes(),
    }
}

/// The first header with this name (case-insensitive).
pub(super) fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The region of the SigV4 credential scope (`Credential=AKID/DATE/REGION/lambda/aws4_request`),
/// else [`DEFAULT_REGION`](super::DEFAULT_REGION).
pub fn region_of(headers: &[(String, String)]) -> String {
    header(headers, "authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|scope| scope.split([',', ' ']).next())
        .and_then(|scope| scope.split('/').nth(2))
        .filter(|r| !r.is_empty())
        .unwrap_or(super::DEFAULT_REGION)
        .to_string()
}

/// `%XX` escapes decoded (a path segment may be an escaped ARN).
pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hi = (bytes[i + 1] as char).to_digit(16);
            let lo = (bytes[i + 2] as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

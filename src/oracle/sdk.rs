//! The official client's reading of an answer: aws-sdk-lambda must read what raw HTTP read (a
//! success into CreateFunctionOutput with the same values, an error into the right variant with its
//! code and message). The raw case judges the answer against AWS; this judges whether a real client
//! can use it.

use serde_json::Value;

use super::judge::{describe_response, describe_value, throttled};
use super::rules::{error_type_of, finding_with};
use super::verdict::{Basis, Fault, Finding, Judgement};
use crate::spec::validate::Expectation;
use crate::spec::{Source, Spec};
use crate::transport::SdkOutcome;
use crate::wire::WireResponse;

/// What the official client's behaviour rests on.
const SDK_EVIDENCE: &str = "aws-sdk-lambda (AWS-maintained): json_errors.rs reads the code from X-Amzn-ErrorType, then body code/__type; message from message/Message; unmodeled codes are Unhandled";

/// Members whose values legitimately differ between two creates (times, ids, names).
const MOVING: [&str; 7] = [
    "LastModified",
    "RevisionId",
    "FunctionArn",
    "FunctionName",
    "LoggingConfig",
    "CodeSha256",
    "RuntimeVersionConfig",
];

fn sdk_finding(rule: &str, expected: impl Into<String>, observed: impl Into<String>) -> Finding {
    finding_with(
        rule,
        expected,
        observed,
        "official client",
        Basis::Documented,
        SDK_EVIDENCE,
    )
}

/// Judges the SDK's reading (`sdk`) of an answer against the raw answer to the same request.
/// `raw_answer` and `sdk_answer` are the table's expectations for the raw bytes and the SDK's bytes.
pub fn judge_sdk(
    spec: &Spec,
    raw: &WireResponse,
    raw_answer: &Expectation,
    sdk_answer: &Expectation,
    sdk: &SdkOutcome,
) -> Judgement {
    let mut j = Judgement {
        expected: format!(
            "the SDK reads what raw HTTP read: {}",
            describe_response(raw)
        ),
        basis: Basis::Documented,
        ..Judgement::default()
    };
    if let Some(fault) = throttled(raw, raw_answer, "the raw request") {
        j.fault = Some(fault);
        return j;
    }
    if let SdkOutcome::Error {
        status: Some(429), ..
    } = sdk
    {
        j.fault = Some(Fault::Throttled {
            during: "the SDK request".into(),
            detail: "as the SDK read it".into(),
        });
        return j;
    }
    let raw_ok = (200..300).contains(&raw.status);
    let raw_type = error_type_of(raw).map(|t| t.0);
    let raw_body = raw.json();
    let raw_message = raw_body
        .as_ref()
        .and_then(|b| b.get("message").or_else(|| b.get("Message")))
        .and_then(Value::as_str)
        .map(str::to_string);
    match sdk {
        SdkOutcome::NoAnswer(error) => {
            j.observed = error.to_string();
            j.fault = Some(Fault::NoAnswer {
                during: "the SDK request".into(),
                error: error.clone(),
            });
        }
        SdkOutcome::Unexpressible(why) => {
            j.skipped = Some(format!("the SDK cannot express this request: {why}"));
        }
        SdkOutcome::Failed(why) => {
            j.observed = format!("the SDK could not read the answer: {why}");
            if raw_ok && raw_body.is_some() || raw_type.is_some() {
                j.findings
                    .push(sdk_finding("sdk parse", "a parsed answer", why.clone()));
            }
        }
        SdkOutcome::Success(out) => {
            j.observed = "CreateFunctionOutput".into();
            if !raw_ok {
                j.findings.push(sdk_finding(
                    "sdk outcome",
                    format!("an error, as raw HTTP saw ({})", raw.status),
                    "a success",
                ));
            } else if let Some(Value::Object(raw_members)) = &raw_body {
                for (k, v) in raw_members {
                    if v.is_null()
                        || MOVING.contains(&k.as_str())
                        || spec.response_member(k).is_none()
                    {
                        continue;
                    }
                    match out.get(k) {
                        Some(got) if same_value(got, v) => {}
                        got => j.findings.push(sdk_finding(
                            &format!("sdk {k}"),
                            describe_value(v),
                            got.map_or("absent (the SDK dropped it)".into(), describe_value),
                        )),
                    }
                }
            }
        }
        SdkOutcome::Error {
            variant,
            code,
            message,
            status,
        } => {
            j.observed = format!(
                "CreateFunctionError::{variant} (code {code:?}, status {status:?}) {message:?}"
            );
            if raw_ok {
                j.findings.push(sdk_finding(
                    "sdk outcome",
                    "a success, as raw HTTP saw",
                    j.observed.clone(),
                ));
                return j;
            }
            let modeled = |t: &str| {
                spec.errors
                    .iter()
                    .any(|x| x.error_type == t && x.source == Source::Model)
            };
            let want_variant = match &raw_type {
                Some(t) if modeled(t) => t.as_str(),
                _ => "Unhandled",
            };
            if variant != want_variant {
                j.findings.push(sdk_finding(
                    "sdk variant",
                    format!("CreateFunctionError::{want_variant}"),
                    format!("CreateFunctionError::{variant}"),
                ));
            }
            if raw_type.is_some() && code != &raw_type {
                j.findings.push(sdk_finding(
                    "sdk code",
                    format!("{raw_type:?}"),
                    format!("{code:?}"),
                ));
            }
            // The SDK sent its own bytes (its member order, its name): its message is judged
            // against the table's text for *its* request when the raw one matched.
            let raw_conforms = raw_message.as_deref().is_some_and(|m| match raw_answer {
                Expectation::Error(e) => e.message.matches(m),
                Expectation::Success => false,
            });
            let sdk_ok = match (sdk_answer, message) {
                (_, None) => raw_message.is_none(),
                (Expectation::Error(e), Some(m)) if raw_conforms => e.message.matches(m),
                (_, Some(m)) => !m.is_empty(),
            };
            if raw_type.is_some() && !sdk_ok {
                j.findings.push(sdk_finding(
                    "sdk message",
                    format!("{raw_message:?} (as raw HTTP read it)"),
                    format!("{message:?}"),
                ));
            }
            if raw_type.is_none() {
                j.observed.push_str(
                    " — the answer names no error type, so the SDK cannot type it (see the raw case)",
                );
            }
        }
    }
    j
}

/// Equal as JSON, numbers by value, objects member by member where both have them.
fn same_value(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .filter(|(_, v)| !v.is_null())
            .all(|(k, v)| g.get(k).is_some_and(|x| same_value(x, v))),
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(a, b)| same_value(a, b))
        }
        _ => got == want,
    }
}

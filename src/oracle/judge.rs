//! A CreateFunction answer against the table's expectation for the exact request sent.

use serde_json::Value;

use super::rules::{self, error_type_with};
use super::verdict::{Basis, Fault, Finding, Judgement};
use crate::spec::validate::{Expectation, ExpectedError};
use crate::spec::{Source, Spec};
use crate::transport::TransportError;
use crate::wire::{WireRequest, WireResponse};

/// Facts about the call the checks need.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The region the request was signed for.
    pub region: Option<String>,
    /// The account the endpoint acts for, when known.
    pub account: Option<String>,
    /// The case's expectation rests on a protocol assumption (null means absent, unknown keys ignored).
    pub assumption: Option<String>,
}

/// A text cut to 240 characters, with its length when cut.
pub fn short(text: &str) -> String {
    const MAX: usize = 240;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!(
            "{}… ({} chars)",
            text.chars().take(MAX).collect::<String>(),
            text.chars().count()
        )
    }
}

/// A JSON value in one short line.
pub fn describe_value(v: &Value) -> String {
    short(&v.to_string())
}

/// The expectation in one line.
pub fn describe_answer(spec: &Spec, answer: &Expectation, facts: &Facts) -> String {
    match answer {
        Expectation::Success => {
            let mut s = format!("{} FunctionConfiguration", spec.source.success_status);
            if let Some(a) = &facts.assumption {
                s.push_str(&format!(" (assumed: {a})"));
            }
            s
        }
        Expectation::Error(e) if e.source == Source::Assumed => format!(
            "some 4xx (assumed; AWS probably answers {} {} {:?})",
            e.status,
            e.error_type,
            short(&e.message.display())
        ),
        Expectation::Error(e) => format!(
            "{} {} {:?}",
            e.status,
            e.error_type,
            short(&e.message.display())
        ),
    }
}

/// The answer in one line.
pub fn describe_response(resp: &WireResponse) -> String {
    if (200..300).contains(&resp.status) {
        // A success is described by its status and content type: its body is not read here.
        return format!(
            "{} {}",
            resp.status,
            resp.header("content-type").unwrap_or("(no content-type)")
        );
    }
    let body = resp.json();
    let ty = error_type_with(resp, body.as_ref())
        .map(|(t, _)| t)
        .unwrap_or_default();
    let msg = body
        .as_ref()
        .and_then(|b| b.get("message").or_else(|| b.get("Message")))
        .and_then(Value::as_str)
        .map(|m| format!(" {:?}", short(m)))
        .unwrap_or_default();
    if body.is_none() && !resp.body.is_empty() {
        format!(
            "{} {} (body not JSON: {:?})",
            resp.status,
            ty,
            short(&String::from_utf8_lossy(&resp.body))
        )
    } else {
        format!("{} {}{}", resp.status, ty, msg)
    }
}

/// What an error expectation rests on: a row recorded for this member is `recorded`; a model constraint
/// nobody recorded a violation of is `derived` (the answer's form was recorded on other members and
/// AWS's front-end validation answers every member alike); documentation and assumptions as they are.
pub fn error_basis(e: &ExpectedError) -> Basis {
    match e.source {
        Source::Model => Basis::Derived,
        s => Basis::from(s),
    }
}

/// Judges one answer to `request` against the table. A request that got no HTTP answer, or a 429
/// the table does not expect, is a fault (harness error), never a divergence.
pub fn judge(
    spec: &Spec,
    request: &WireRequest,
    answer: &Expectation,
    result: &Result<WireResponse, TransportError>,
    facts: &Facts,
) -> Judgement {
    judge_built(spec, request, None, answer, result, facts)
}

/// [`judge`] given the request's body as JSON when the caller built it (its bytes are that JSON,
/// serialised): the body is not read back.
pub fn judge_built(
    spec: &Spec,
    request: &WireRequest,
    request_json: Option<&Value>,
    answer: &Expectation,
    result: &Result<WireResponse, TransportError>,
    facts: &Facts,
) -> Judgement {
    // A case the table marks assumed is judged as an assumption, whatever its rows' sources.
    let downgraded;
    let answer = match answer {
        Expectation::Error(e) if facts.assumption.is_some() && e.source != Source::Assumed => {
            downgraded = Expectation::Error(ExpectedError {
                source: Source::Assumed,
                ..e.clone()
            });
            &downgraded
        }
        a => a,
    };
    let expected = describe_answer(spec, answer, facts);
    let basis = match answer {
        Expectation::Success if facts.assumption.is_some() => Basis::Assumed,
        Expectation::Success => Basis::Recorded,
        Expectation::Error(e) => error_basis(e),
    };
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            return Judgement {
                expected,
                observed: e.to_string(),
                basis,
                ..Judgement::fault(Fault::NoAnswer {
                    during: "the request".into(),
                    error: e.clone(),
                })
            };
        }
    };
    let observed = describe_response(resp);
    if let Some(fault) = throttled(resp, answer, "the request") {
        return Judgement {
            expected,
            observed,
            basis,
            ..Judgement::fault(fault)
        };
    }
    let findings = match answer {
        Expectation::Success => {
            let parsed;
            let json = match request_json {
                Some(j) => Some(j),
                None => {
                    parsed = serde_json::from_slice::<Value>(&request.body).ok();
                    parsed.as_ref()
                }
            };
            let source = if facts.assumption.is_some() {
                Source::Assumed
            } else {
                Source::Observed
            };
            rules::success(spec, json, resp, facts, source)
        }
        Expectation::Error(e) => rules::error(spec, e, resp),
    };
    Judgement {
        findings,
        expected,
        observed,
        basis,
        ..Judgement::default()
    }
}

/// A 429 that the expectation does not ask for: the endpoint throttled us, so nothing can be judged.
pub fn throttled(resp: &WireResponse, answer: &Expectation, during: &str) -> Option<Fault> {
    let expects_429 = matches!(answer, Expectation::Error(e) if e.status == 429);
    (resp.status == 429 && !expects_429).then(|| Fault::Throttled {
        during: during.into(),
        detail: format!(
            "{}, Retry-After {}",
            rules::error_type_of(resp)
                .map(|t| t.0)
                .unwrap_or_else(|| "no error type".into()),
            resp.header("retry-after").unwrap_or("none")
        ),
    })
}

/// An error answer that created the function anyway (found by deleting the run's own name after it).
pub fn leaked(name: &str, status: u16) -> Finding {
    Finding {
        rule: "left behind".into(),
        expected: "no function after an error answer".into(),
        observed: format!("answered {status} but created {name}"),
        row: "CreateFunction".into(),
        basis: Basis::Recorded,
        evidence: "aws-observed/046, /047: an error answer (environment over 4 KB) and no function created (AWS_OBSERVED §11)".into(),
    }
}

/// Whether a response is a 2xx creation (the harness must then delete the function).
pub fn created(result: &Result<WireResponse, TransportError>) -> bool {
    matches!(result, Ok(r) if (200..300).contains(&r.status))
}

/// Re-exported for the audit: the error expectation's rows in one string.
pub fn rows(e: &ExpectedError) -> String {
    e.rows.join(", ")
}

//! Judging an answer: what the table expects against what the endpoint said.
//!
//! The expectation is derived from the table for the exact request sent ([`crate::spec::validate::answer`]),
//! so a generated case and a recorded exchange are judged the same way. A judgement is one of three
//! outcomes, never mixed: conformant, divergent (the endpoint is wrong), harness error (we could not judge).

mod rules;
pub mod snapshot;

use serde_json::Value;

use crate::report::Outcome;
use crate::spec::validate::{Answer, ExpectedError};
use crate::spec::{Source, Spec};
use crate::transport::{TransportError, WireRequest, WireResponse};

pub use rules::{error_type_of, finding};

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

/// One thing that differs.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// The rule (`status`, `error-type`, `message`, `default MemorySize`, …).
    pub rule: String,
    /// What the table expects.
    pub expected: String,
    /// What the endpoint did.
    pub observed: String,
    /// The table row(s) it rests on.
    pub row: String,
    /// Where the expectation comes from.
    pub source: Source,
}

impl Finding {
    /// One line: `rule: expected …, observed … [row; source]`.
    pub fn line(&self) -> String {
        format!(
            "{}: expected {}, observed {} [{}; {}]",
            self.rule,
            self.expected,
            self.observed,
            self.row,
            self.source.as_str()
        )
    }
}

/// The verdict on one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    /// The outcome.
    pub outcome: Outcome,
    /// What differs (empty when conformant).
    pub findings: Vec<Finding>,
    /// The expectation in one line.
    pub expected: String,
    /// The answer in one line.
    pub observed: String,
    /// The weakest source the expectation rests on.
    pub basis: Source,
    /// Why the harness could not judge, for harness errors.
    pub harness: Option<String>,
}

impl Judgement {
    /// The findings as lines.
    pub fn message(&self) -> String {
        if let Some(h) = &self.harness {
            return h.clone();
        }
        self.findings
            .iter()
            .map(Finding::line)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn short(text: &str) -> String {
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
pub fn describe_answer(spec: &Spec, answer: &Answer, facts: &Facts) -> String {
    match answer {
        Answer::Success => {
            let mut s = format!("{} FunctionConfiguration", spec.source.success_status);
            if let Some(a) = &facts.assumption {
                s.push_str(&format!(" (assumed: {a})"));
            }
            s
        }
        Answer::Error(e) if e.source == Source::Assumed => format!(
            "some 4xx (assumed; AWS probably answers {} {} {:?})",
            e.status,
            e.error_type,
            short(&e.message.display())
        ),
        Answer::Error(e) => format!(
            "{} {} {:?}",
            e.status,
            e.error_type,
            short(&e.message.display())
        ),
    }
}

/// The answer in one line.
pub fn describe_response(resp: &WireResponse) -> String {
    let ty = error_type_of(resp).map(|(t, _)| t).unwrap_or_default();
    let body = resp.json();
    let msg = body
        .as_ref()
        .and_then(|b| b.get("message").or_else(|| b.get("Message")))
        .and_then(Value::as_str)
        .map(|m| format!(" {:?}", short(m)))
        .unwrap_or_default();
    if (200..300).contains(&resp.status) {
        format!(
            "{} {}",
            resp.status,
            resp.header("content-type").unwrap_or("(no content-type)")
        )
    } else if body.is_none() && !resp.body.is_empty() {
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

/// Judges one answer to `request` against the table.
pub fn judge(
    spec: &Spec,
    request: &WireRequest,
    answer: &Answer,
    result: &Result<WireResponse, TransportError>,
    facts: &Facts,
) -> Judgement {
    // A case the table marks assumed is judged as an assumption, whatever its rows' sources.
    let downgraded;
    let answer = match answer {
        Answer::Error(e) if facts.assumption.is_some() && e.source != Source::Assumed => {
            downgraded = Answer::Error(ExpectedError {
                source: Source::Assumed,
                ..e.clone()
            });
            &downgraded
        }
        a => a,
    };
    let expected = describe_answer(spec, answer, facts);
    let resp = match result {
        Ok(r) => r,
        Err(e) => {
            let (outcome, harness) = match e {
                TransportError::Timeout(_) | TransportError::Broken(_) => {
                    (Outcome::Divergent, None)
                }
                TransportError::Connect(m) | TransportError::Signing(m) => (
                    Outcome::HarnessError,
                    Some(format!("no judgement: {e} ({m})")),
                ),
            };
            return Judgement {
                outcome,
                findings: vec![Finding {
                    rule: "answers".into(),
                    expected: "an HTTP answer".into(),
                    observed: e.to_string(),
                    row: "protocol".into(),
                    source: Source::Observed,
                }],
                expected,
                observed: e.to_string(),
                basis: Source::Observed,
                harness,
            };
        }
    };
    let observed = describe_response(resp);
    let (findings, basis) = match answer {
        Answer::Success => {
            let json = serde_json::from_slice::<Value>(&request.body).ok();
            let basis = if facts.assumption.is_some() {
                Source::Assumed
            } else {
                Source::Observed
            };
            (
                rules::success(spec, json.as_ref(), resp, facts, basis),
                basis,
            )
        }
        Answer::Error(e) => (rules::error(spec, e, resp), e.source),
    };
    Judgement {
        outcome: if findings.is_empty() {
            Outcome::Conformant
        } else {
            Outcome::Divergent
        },
        findings,
        expected,
        observed,
        basis,
        harness: None,
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

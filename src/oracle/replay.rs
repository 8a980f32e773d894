//! An endpoint's answer against AWS's recorded answer to the same request (`lambda-conform replay`).
//!
//! Unlike [`super::judge`], which asks what the table expects, this compares with what AWS itself
//! answered: status, error type (`X-Amzn-ErrorType`, or the body's type), content type, the
//! `x-amzn-RequestId` header's presence, and the JSON body member by member — the message text
//! exactly — except the members whose values legitimately differ per call ([`EXEMPT`]), which must
//! still be present on both sides and of the form given. The recorded answer is first made concrete
//! for the run (account, region, role and function names substituted, see
//! [`crate::harness::replay`]), so equal means equal.

use regex::Regex;
use serde_json::Value;

use super::error_type_of;
use crate::wire::WireResponse;

/// Members whose values legitimately differ per call: (path, why, the form both values must have).
/// Every other member (FunctionArn, Version, CodeSha256, CodeSize included) must be equal.
pub const EXEMPT: &[(&str, &str, &str)] = &[
    (
        "LastModified",
        "the time of the call (the recording holds the snapshot's recording time)",
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$",
    ),
    (
        "RevisionId",
        "a fresh uuid per create and per change (the recording holds a stand-in)",
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    ),
    (
        "RuntimeVersionConfig.RuntimeVersionArn",
        "AWS's current runtime build (the recording holds a stand-in hash derived from the runtime)",
        r"^arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64}$",
    ),
    (
        "Code.Location",
        "a presigned S3 URL made per GetFunction (bucket and key prefix are compared)",
        r"^https://awslambda-[a-z0-9-]+-tasks\.s3\.[a-z0-9-]+\.amazonaws\.com/snapshots/\d{12}/[A-Za-z0-9_-]+-[0-9a-f-]{36}",
    ),
];

/// The exemption for a member path (of a create answer, or of a GetFunction answer's Configuration).
pub fn exempt(path: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let member = path.strip_prefix("Configuration.").unwrap_or(path);
    EXEMPT.iter().find(|(p, _, _)| *p == path || *p == member)
}

/// What one difference is about (the score's columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Aspect {
    /// The HTTP status.
    Status,
    /// The error type.
    ErrorType,
    /// The error message text.
    Message,
    /// Anything else: content type, request id, a body member.
    Body,
}

impl Aspect {
    /// `status`, `error_type`, `message` or `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Status => "status",
            Aspect::ErrorType => "error_type",
            Aspect::Message => "message",
            Aspect::Body => "body",
        }
    }
}

/// One difference from AWS's answer, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What it is about.
    pub aspect: Aspect,
    /// The line (`status: AWS 400, endpoint 201`).
    pub text: String,
}

fn d(aspect: Aspect, text: String) -> Difference {
    Difference { aspect, text }
}

/// Every difference between AWS's `recorded` value and the endpoint's `got` at `path`.
pub fn diff(path: &str, recorded: &Value, got: &Value, out: &mut Vec<Difference>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    let aspect = if matches!(path, "message" | "Message") {
        Aspect::Message
    } else {
        Aspect::Body
    };
    if let Some((_, why, form)) = exempt(path) {
        let Ok(re) = Regex::new(form) else {
            out.push(d(Aspect::Body, format!("{path}: bad form {form}")));
            return;
        };
        for (side, v) in [("AWS", recorded), ("endpoint", got)] {
            if !v.as_str().is_some_and(|s| re.is_match(s)) {
                out.push(d(
                    Aspect::Body,
                    format!(
                        "{path} (exempt: {why}): the {side} value {v} is not of the form {form}"
                    ),
                ));
            }
        }
        return;
    }
    match (recorded, got) {
        (Value::Object(a), Value::Object(b)) => {
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                let aspect = if matches!(k.as_str(), "message" | "Message") && path.is_empty() {
                    Aspect::Message
                } else {
                    Aspect::Body
                };
                out.push(d(
                    aspect,
                    format!("{}: AWS sent {}, the endpoint left it out", at(k), a[k]),
                ));
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(d(
                    Aspect::Body,
                    format!("{}: the endpoint sent {}, AWS did not", at(k), b[k]),
                ));
            }
            for (k, av) in a {
                if let Some(bv) = b.get(k) {
                    diff(&at(k), av, bv, out);
                }
            }
        }
        (a, b) if a != b => out.push(d(aspect, format!("{path}: AWS {a}, endpoint {b}"))),
        _ => {}
    }
}

/// The errors of a validation message as a sorted list (prefix kept apart).
fn error_set(text: &str) -> (String, Vec<String>) {
    let (prefix, rest) = match text.split_once(" detected: ") {
        Some((p, r)) => (p.to_string(), r),
        None => (String::new(), text),
    };
    let mut errors: Vec<String> = rest.split("; ").map(str::to_string).collect();
    errors.sort();
    (prefix, errors)
}

/// Differences between AWS's recorded answer to a create and the endpoint's. `unordered`: the
/// recording kept a multi-error message's errors sorted, so they are compared as a set.
pub fn compare_create(
    recorded: &WireResponse,
    got: &WireResponse,
    unordered: bool,
) -> Vec<Difference> {
    let mut out = Vec::new();
    if recorded.status != got.status {
        out.push(d(
            Aspect::Status,
            format!("status: AWS {}, endpoint {}", recorded.status, got.status),
        ));
    }
    let (want_type, got_type) = (
        error_type_of(recorded).map(|t| t.0),
        got.header("x-amzn-errortype")
            .map(|h| h.split(':').next().unwrap_or(h).to_string()),
    );
    if want_type != got_type {
        out.push(d(
            Aspect::ErrorType,
            format!("x-amzn-errortype: AWS {want_type:?}, endpoint {got_type:?}"),
        ));
    }
    if recorded.header("content-type") != got.header("content-type") {
        out.push(d(
            Aspect::Body,
            format!(
                "content-type: AWS {:?}, endpoint {:?}",
                recorded.header("content-type"),
                got.header("content-type")
            ),
        ));
    }
    if got.header("x-amzn-requestid").is_none() {
        out.push(d(
            Aspect::Body,
            "x-amzn-requestid: the endpoint sent none (AWS sends one on every answer)".into(),
        ));
    }
    let (Some(want), Some(mut have)) = (recorded.json(), got.json()) else {
        out.push(d(
            Aspect::Body,
            format!(
                "body: not JSON on one side: AWS {:?}, endpoint {:?}",
                String::from_utf8_lossy(&recorded.body),
                crate::oracle::short(&String::from_utf8_lossy(&got.body))
            ),
        ));
        return out;
    };
    if unordered {
        for key in ["message", "Message"] {
            if let (Some(a), Some(b)) = (
                want.get(key).and_then(Value::as_str),
                have.get(key).and_then(Value::as_str),
            ) {
                if error_set(a) == error_set(b) {
                    have[key] = want[key].clone();
                }
            }
        }
    }
    diff("", &want, &have, &mut out);
    out
}

/// Differences between AWS's recorded GetFunction answer and the endpoint's; `create_revision` is
/// the RevisionId the endpoint's create answered (AWS's read-back carries a new one).
pub fn compare_get(
    recorded: &WireResponse,
    got: &WireResponse,
    create_revision: Option<&Value>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    if recorded.status != got.status {
        out.push(d(
            Aspect::Status,
            format!("status: AWS {}, endpoint {}", recorded.status, got.status),
        ));
    }
    if got.header("x-amzn-requestid").is_none() {
        out.push(d(
            Aspect::Body,
            "x-amzn-requestid: the endpoint sent none".into(),
        ));
    }
    let (Some(want), Some(have)) = (recorded.json(), got.json()) else {
        out.push(d(Aspect::Body, "body: not JSON on one side".into()));
        return out;
    };
    diff("", &want, &have, &mut out);
    let now = have.pointer("/Configuration/RevisionId");
    if let (Some(rev), Some(now)) = (create_revision, now) {
        if rev == now {
            out.push(d(
                Aspect::Body,
                format!(
                    "Configuration.RevisionId: the read-back kept the create's {rev}; AWS's changed"
                ),
            ));
        }
    }
    out
}

/// What happened to one recorded exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayOutcome {
    /// The endpoint answered as AWS did.
    Equal,
    /// The endpoint's answer differs from AWS's.
    Differs,
    /// Not replayable here (needs S3, EC2/VPC, layers, images, another account…), with the reason.
    Skipped,
    /// Sent, but no answer came (transport error): says nothing about the endpoint.
    HarnessError,
}

impl ReplayOutcome {
    /// `equal`, `differs`, `skipped`, `harness_error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplayOutcome::Equal => "equal",
            ReplayOutcome::Differs => "differs",
            ReplayOutcome::Skipped => "skipped",
            ReplayOutcome::HarnessError => "harness_error",
        }
    }
}

/// The verdict on one replayed exchange: equal when nothing differs, else differs; with the aspects
/// that differ (sorted, once each) and one line per difference.
pub fn verdict(diffs: Vec<Difference>) -> (ReplayOutcome, Vec<String>, Vec<String>) {
    let outcome = if diffs.is_empty() {
        ReplayOutcome::Equal
    } else {
        ReplayOutcome::Differs
    };
    let mut aspects: Vec<String> = diffs
        .iter()
        .map(|d| d.aspect.as_str().to_string())
        .collect();
    aspects.sort();
    aspects.dedup();
    (
        outcome,
        aspects,
        diffs.into_iter().map(|d| d.text).collect(),
    )
}

/// The verdict on an exchange that got no answer: a harness error, which says nothing about the
/// endpoint's conformance.
pub fn no_answer() -> ReplayOutcome {
    ReplayOutcome::HarnessError
}

/// The verdict on an exchange that is not replayed here (its reason goes beside it).
pub fn not_replayed() -> ReplayOutcome {
    ReplayOutcome::Skipped
}

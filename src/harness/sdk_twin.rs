//! The official client: every case the SDK can express is also sent through aws-sdk-lambda, next to
//! the same request over raw HTTP, and the SDK must read the answer as raw HTTP did.

use std::sync::atomic::Ordering;

use serde_json::Value;

use super::Session;
use crate::generate::{Case, CaseKind};
use crate::oracle::{self, finding, Finding};
use crate::report::{Outcome, TrialRecord};
use crate::spec::validate::{self, Answer};
use crate::spec::Source;
use crate::transport::SdkOutcome;

impl Session {
    /// The boundary request of a case through aws-sdk-lambda, next to the same request over raw HTTP:
    /// the SDK must read the answer as the raw oracle read it (a success into CreateFunctionOutput with
    /// the same values, an error into the right variant with its code and message). The raw case judges
    /// the answer against AWS; this one judges whether a real client can use it.
    pub(super) fn run_sdk(&self, id: String, case: &Case) -> TrialRecord {
        let mut rec = TrialRecord::new(id, "sdk");
        let Some(sdk) = &self.sdk else {
            rec.skipped = Some("--client raw".into());
            return rec;
        };
        if let Some(need) = &case.needs_resource {
            if self.config.target != crate::transport::Target::Stub {
                rec.skipped = Some(format!("needs {need}"));
                return rec;
            }
        }
        // Another seed than the raw case's, so the two never race for one function name.
        let Some(inst) = super::boundary(
            &self.spec,
            &self.ctx,
            case,
            self.config.seed ^ 0x5d4_0000_05d4,
        ) else {
            rec.outcome = Outcome::HarnessError;
            rec.message = "could not build the request".into();
            return rec;
        };
        let Some(raw_json) = &inst.json else {
            rec.skipped = Some("not JSON: the SDK cannot send it".into());
            return rec;
        };
        // The SDK's request is the raw one under a fresh name of the same length (deletes can be
        // asynchronous: reusing the name could meet the first function still there).
        let sdk_name = sibling_name(&inst.function_name);
        let mut sdk_json = raw_json.clone();
        if let Some(Value::String(n)) = sdk_json.get_mut("FunctionName") {
            let varies_name = case
                .member
                .as_deref()
                .is_some_and(|m| self.ctx.is_name_member(&self.spec, m));
            let creates = matches!(case.kind, CaseKind::Valid | CaseKind::Boundary);
            // A name the case breaks on purpose stays as it is (it creates nothing).
            if *n == inst.function_name && (creates || !varies_name) {
                *n = sdk_name.clone();
            } else if let Some(qualifier) = n
                .strip_suffix(inst.function_name.as_str())
                .filter(|q| creates && q.ends_with(':'))
            {
                // A name sent as an ARN creates the bare name: the twin renames inside the ARN.
                *n = format!("{qualifier}{sdk_name}");
            }
        }
        let json = &sdk_json;
        let facts = self.ctx.facts(inst.request.body.len());
        let raw_answer = validate::answer_with(
            &self.spec,
            &inst.request.body,
            Some("application/json"),
            &facts,
        );
        let sdk_bytes = serde_json::to_vec(json).unwrap_or_default();
        let sdk_answer =
            validate::answer_with(&self.spec, &sdk_bytes, Some("application/json"), &facts);
        // The raw view first (its function deleted), then the SDK's.
        let raw = self.runtime.block_on(self.client.send(&inst.request));
        self.requests.fetch_add(1, Ordering::Relaxed);
        let raw = match raw {
            Ok(r) => r,
            Err(e) => {
                rec.outcome = Outcome::HarnessError;
                rec.message = format!("the raw request got no answer: {e}");
                return rec;
            }
        };
        let name_of = |body: Option<Value>| {
            body.and_then(|b| {
                b.get("FunctionName")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        };
        if (200..300).contains(&raw.status) {
            let _ = self.delete(&name_of(raw.json()).unwrap_or_else(|| inst.function_name.clone()));
        } else {
            let _ = self.sweep(&inst.function_name, &raw);
        }
        let outcome = self.runtime.block_on(sdk.create_function(json));
        self.requests.fetch_add(1, Ordering::Relaxed);
        rec.instances = 2;
        if let SdkOutcome::Success(out) = &outcome {
            let _ = self.delete(&name_of(Some(out.clone())).unwrap_or_else(|| sdk_name.clone()));
        } else {
            let _ = self.sweep(&sdk_name, &raw);
        }
        let sdk_throttled = matches!(
            &outcome,
            SdkOutcome::Error {
                status: Some(429),
                ..
            }
        );
        if raw.status == 429 || sdk_throttled {
            rec.outcome = Outcome::HarnessError;
            rec.message = format!(
                "throttled: 429 on the {} request; not judged: lower --rps or --concurrency",
                if raw.status == 429 { "raw" } else { "SDK" }
            );
            return rec;
        }
        rec.expected = format!(
            "the SDK reads what raw HTTP read: {}",
            oracle::describe_response(&raw)
        );
        let raw_type = oracle::error_type_of(&raw).map(|t| t.0);
        let raw_body = raw.json();
        let raw_message = raw_body
            .as_ref()
            .and_then(|b| b.get("message").or_else(|| b.get("Message")))
            .and_then(Value::as_str)
            .map(str::to_string);
        let mut findings = Vec::new();
        let row = "official client";
        match &outcome {
            SdkOutcome::Unexpressible(why) => {
                rec.skipped = Some(format!("the SDK cannot express this request: {why}"));
                return rec;
            }
            SdkOutcome::Failed(why) => {
                rec.observed = format!("the SDK could not read the answer: {why}");
                if (200..300).contains(&raw.status) && raw_body.is_some() || raw_type.is_some() {
                    findings.push(finding(
                        "sdk parse",
                        "a parsed answer",
                        why.clone(),
                        row,
                        Source::Observed,
                    ));
                }
            }
            SdkOutcome::Success(out) => {
                rec.observed = "CreateFunctionOutput".into();
                if !(200..300).contains(&raw.status) {
                    findings.push(finding(
                        "sdk outcome",
                        format!("an error, as raw HTTP saw ({})", raw.status),
                        "a success",
                        row,
                        Source::Observed,
                    ));
                } else if let Some(Value::Object(raw_members)) = &raw_body {
                    for (k, v) in raw_members {
                        let moving = [
                            "LastModified",
                            "RevisionId",
                            "FunctionArn",
                            "FunctionName",
                            "LoggingConfig",
                            "CodeSha256",
                            "RuntimeVersionConfig",
                        ];
                        if v.is_null()
                            || moving.contains(&k.as_str())
                            || self.spec.response_member(k).is_none()
                        {
                            continue;
                        }
                        match out.get(k) {
                            Some(got) if same_value(got, v) => {}
                            got => findings.push(finding(
                                &format!("sdk {k}"),
                                oracle::describe_value(v),
                                got.map_or(
                                    "absent (the SDK dropped it)".into(),
                                    oracle::describe_value,
                                ),
                                row,
                                Source::Observed,
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
                rec.observed = format!(
                    "CreateFunctionError::{variant} (code {code:?}, status {status:?}) {message:?}"
                );
                if (200..300).contains(&raw.status) {
                    findings.push(finding(
                        "sdk outcome",
                        "a success, as raw HTTP saw",
                        rec.observed.clone(),
                        row,
                        Source::Observed,
                    ));
                } else {
                    let modeled = |t: &str| {
                        self.spec
                            .errors
                            .iter()
                            .any(|x| x.error_type == t && x.source == Source::Model)
                    };
                    let want_variant = match &raw_type {
                        Some(t) if modeled(t) => t.as_str(),
                        _ => "Unhandled",
                    };
                    if variant != want_variant {
                        findings.push(finding(
                            "sdk variant",
                            format!("CreateFunctionError::{want_variant}"),
                            format!("CreateFunctionError::{variant}"),
                            row,
                            Source::Observed,
                        ));
                    }
                    if raw_type.is_some() && code != &raw_type {
                        findings.push(finding(
                            "sdk code",
                            format!("{raw_type:?}"),
                            format!("{code:?}"),
                            row,
                            Source::Observed,
                        ));
                    }
                    // The SDK sent its own bytes (its member order, its name): its message is
                    // judged against the table's text for *its* request when the raw one matched.
                    let raw_conforms = raw_message.as_deref().is_some_and(|m| match &raw_answer {
                        Answer::Error(e) => e.message.matches(m),
                        Answer::Success => false,
                    });
                    let sdk_ok = match (&sdk_answer, message) {
                        (_, None) => raw_message.is_none(),
                        (Answer::Error(e), Some(m)) if raw_conforms => e.message.matches(m),
                        (_, Some(m)) => !m.is_empty(),
                    };
                    if raw_type.is_some() && !sdk_ok {
                        findings.push(finding(
                            "sdk message",
                            format!("{raw_message:?} (as raw HTTP read it)"),
                            format!("{message:?}"),
                            row,
                            Source::Observed,
                        ));
                    }
                    if raw_type.is_none() {
                        rec.observed.push_str(" — the answer names no error type, so the SDK cannot type it (see the raw case)");
                    }
                }
            }
        }
        if !findings.is_empty() {
            rec.outcome = Outcome::Divergent;
            rec.reproduction = Some(self.client.curl(&inst.request));
            rec.seed = Some(format!("{} {:016x}", inst.param, inst.seed));
        }
        rec.message = findings
            .iter()
            .map(Finding::line)
            .collect::<Vec<_>>()
            .join("\n");
        rec
    }
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

/// A name of the same length as `name` with another last character.
fn sibling_name(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            'z' | 'Z' => 'y',
            '9' => '8',
            c if c.is_ascii_alphanumeric() => (c as u8 + 1) as char,
            _ => 'x',
        };
    }
    chars.into_iter().collect()
}

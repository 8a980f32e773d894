//! What happens after a create is part of its contract: a second create with the same name, validation
//! before conflict, reading the function back, deleting it, publishing on create. And the official
//! client: aws-sdk-lambda must parse every answer the raw oracle accepts.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::check::Check;
use super::Session;
use crate::generate::{CaseKind, Instance};
use crate::oracle::{self, finding, Facts, Finding};
use crate::report::{Outcome, TrialRecord};
use crate::spec::validate::{self, Answer};
use crate::spec::{Family, Source};
use crate::transport::{RetryPolicy, WireRequest, WireResponse};

/// The lifecycle checks, each with its own case id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// A second create with the same name → 409 with the conflict text.
    DuplicateName,
    /// An invalid request that reuses an existing name gets its 400, not 409.
    ValidationBeforeConflict,
    /// GetFunction and GetFunctionConfiguration agree with the create; the function leaves Pending.
    ReadBack,
    /// Delete → 204; then GetFunction → 404; then the same name can be created again.
    DeleteThenRecreate,
    /// Publish true → Version "1" and the unqualified ARN.
    PublishOnCreate,
}

impl Lifecycle {
    /// Every lifecycle check.
    pub fn all() -> Vec<Lifecycle> {
        vec![
            Lifecycle::DuplicateName,
            Lifecycle::ValidationBeforeConflict,
            Lifecycle::ReadBack,
            Lifecycle::DeleteThenRecreate,
            Lifecycle::PublishOnCreate,
        ]
    }

    /// The case id.
    pub fn id(self) -> &'static str {
        match self {
            Lifecycle::DuplicateName => "create_function::lifecycle::duplicate_name",
            Lifecycle::ValidationBeforeConflict => {
                "create_function::lifecycle::validation_before_conflict"
            }
            Lifecycle::ReadBack => "create_function::lifecycle::read_back",
            Lifecycle::DeleteThenRecreate => "create_function::lifecycle::delete_then_recreate",
            Lifecycle::PublishOnCreate => "create_function::lifecycle::publish_on_create",
        }
    }
}

impl Session {
    /// Runs any check.
    pub fn run_check(&self, check: &Check) -> TrialRecord {
        match check {
            Check::Case(c) => self.run_case(c),
            Check::Sdk(c) => self.run_sdk(check.id(), c),
            Check::Lifecycle(l) => self.run_lifecycle(*l),
        }
    }

    fn send_plain(&self, req: &WireRequest) -> Result<WireResponse, String> {
        let r = self.runtime.block_on(self.client.send(req));
        self.requests.fetch_add(1, Ordering::Relaxed);
        r.map_err(|e| e.to_string())
    }

    /// Read-back and set-up calls: throttling absorbed and counted.
    fn send_retrying(&self, req: &WireRequest) -> Result<WireResponse, String> {
        let r = self
            .runtime
            .block_on(self.client.send_with_retry(req, &RetryPolicy::default()));
        self.requests.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok((resp, throttled)) => {
                self.throttled
                    .fetch_add(u64::from(throttled), Ordering::Relaxed);
                Ok(resp)
            }
            Err(e) => Err(e.to_string()),
        }
    }

    fn base_instance(&self, name: &str, extra: &[(&str, Value)]) -> WireRequest {
        let mut body = self.ctx.base_request(&self.spec, name);
        if let Value::Object(m) = &mut body {
            for (k, v) in extra {
                m.insert((*k).to_string(), v.clone());
            }
        }
        WireRequest::post_json(
            &self.spec.source.uri,
            serde_json::to_vec(&body).unwrap_or_default(),
        )
    }

    fn lifecycle_name(&self, l: Lifecycle) -> String {
        let tag = l.id().rsplit("::").next().unwrap_or("x").replace('_', "-");
        let mut n = format!("{}-lc-{tag}", self.ctx.run_prefix);
        n.truncate(64);
        n
    }

    fn run_lifecycle(&self, l: Lifecycle) -> TrialRecord {
        let mut rec = TrialRecord::new(l.id(), "lifecycle");
        let name = self.lifecycle_name(l);
        let create = self.base_instance(&name, &[]);
        let mut findings = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut harness: Option<String> = None;
        let mut created = false;
        let facts = Facts {
            assumption: None,
            ..self.facts.clone()
        };
        let mut first = match self.send_plain(&create) {
            Ok(r) => r,
            Err(e) => {
                rec.outcome = Outcome::HarnessError;
                rec.message = format!("the first create got no answer: {e}");
                return rec;
            }
        };
        rec.instances += 1;
        if (200..300).contains(&first.status) {
            created = true;
        }
        let json: Option<Value> = serde_json::from_slice(&create.body).ok();
        let conflict = &self.spec.conflict;
        match l {
            Lifecycle::DuplicateName => {
                if !created {
                    harness = Some(format!(
                        "the first create was not accepted ({}): cannot test a duplicate",
                        first.status
                    ));
                } else {
                    let again = self.send_plain(&create);
                    rec.instances += 1;
                    match again {
                        Ok(r) => {
                            if (200..300).contains(&r.status) {
                                findings.push(finding(
                                    "conflict",
                                    format!("{} {}", conflict.status, conflict.error_type),
                                    oracle::describe_response(&r),
                                    "conflict",
                                    conflict.source,
                                ));
                            } else {
                                let e = validate::ExpectedError {
                                    status: conflict.status,
                                    error_type: conflict.error_type.clone(),
                                    message: crate::spec::message::ExpectedMessage::from_template(
                                        &conflict.message.replace("{name}", &name),
                                        &|_| None,
                                    ),
                                    source: conflict.source,
                                    message_source: conflict.message_source,
                                    evidence: conflict.evidence.iter().cloned().collect(),
                                    rows: vec!["conflict".into()],
                                };
                                let j = oracle::judge(
                                    &self.spec,
                                    &create,
                                    &Answer::Error(e),
                                    &Ok(r),
                                    &facts,
                                );
                                findings.extend(j.findings);
                            }
                            rec.expected = format!(
                                "{} {} \"{}\"",
                                conflict.status,
                                conflict.error_type,
                                conflict.message.replace("{name}", &name)
                            );
                        }
                        Err(e) => harness = Some(format!("the second create got no answer: {e}")),
                    }
                }
            }
            Lifecycle::ValidationBeforeConflict => {
                if !created {
                    harness = Some(format!(
                        "the first create was not accepted ({})",
                        first.status
                    ));
                } else if let Some(inst) = self.invalid_with_name(&name) {
                    let answer = validate::answer_with(
                        &self.spec,
                        &inst.body,
                        inst.header("content-type"),
                        &self.ctx.facts(inst.body.len()),
                    );
                    let r = self.runtime.block_on(self.client.send(&inst));
                    self.requests.fetch_add(1, Ordering::Relaxed);
                    rec.instances += 1;
                    let j = oracle::judge(&self.spec, &inst, &answer, &r, &facts);
                    rec.expected = j.expected.clone();
                    rec.observed = j.observed.clone();
                    if j.outcome != Outcome::Conformant {
                        rec.reproduction = Some(self.client.curl(&inst));
                    }
                    findings.extend(j.findings);
                } else {
                    harness = Some("the table has no validation-family constraint to break".into());
                }
            }
            Lifecycle::ReadBack => {
                if !created {
                    harness = Some(format!("the create was not accepted ({})", first.status));
                } else {
                    findings.extend(self.read_back(&name, &first, &mut rec));
                }
            }
            Lifecycle::DeleteThenRecreate => {
                if !created {
                    harness = Some(format!("the create was not accepted ({})", first.status));
                } else {
                    // Delete a settled function (AWS deletes Pending ones too; emulators differ by timing).
                    self.settle(&name);
                    let del =
                        WireRequest::bodiless("DELETE", &format!("/2015-03-31/functions/{name}"));
                    match self.send_retrying(&del) {
                        Ok(r) if r.status == 204 => {}
                        Ok(r) => findings.push(finding(
                            "delete",
                            "204",
                            oracle::describe_response(&r),
                            "DeleteFunction",
                            Source::Model,
                        )),
                        Err(e) => harness = Some(format!("delete got no answer: {e}")),
                    }
                    let get =
                        WireRequest::bodiless("GET", &format!("/2015-03-31/functions/{name}"));
                    match self.send_retrying(&get) {
                        Ok(r)
                            if r.status == 404
                                && oracle::error_type_of(&r).map(|t| t.0).as_deref()
                                    == Some("ResourceNotFoundException") =>
                        {
                            created = false
                        }
                        Ok(r) => findings.push(finding(
                            "gone after delete",
                            "404 ResourceNotFoundException",
                            oracle::describe_response(&r),
                            "GetFunction",
                            Source::Model,
                        )),
                        Err(e) => harness = Some(format!("GetFunction got no answer: {e}")),
                    }
                    match self.send_plain(&create) {
                        Ok(r) if (200..300).contains(&r.status) => {
                            created = true;
                            first = r;
                        }
                        Ok(r) => {
                            created = created && r.status == 409;
                            findings.push(finding(
                                "re-create",
                                "201",
                                oracle::describe_response(&r),
                                "CreateFunction after DeleteFunction",
                                Source::Observed,
                            ));
                        }
                        Err(e) => harness = Some(format!("the re-create got no answer: {e}")),
                    }
                    rec.instances += 3;
                }
            }
            Lifecycle::PublishOnCreate => {
                if created {
                    self.cleanup(&name, &mut notes);
                }
                // Its own name: the answer must not depend on how fast the first delete went through.
                let mut publish_name = format!("{name}-p");
                publish_name.truncate(64);
                let publish = self.base_instance(&publish_name, &[("Publish", Value::Bool(true))]);
                let answer = validate::answer_with(
                    &self.spec,
                    &publish.body,
                    Some("application/json"),
                    &self.ctx.facts(publish.body.len()),
                );
                let r = self.runtime.block_on(self.client.send(&publish));
                self.requests.fetch_add(1, Ordering::Relaxed);
                rec.instances += 1;
                created = false;
                if oracle::created(&r) {
                    self.cleanup(&publish_name, &mut notes);
                }
                let j = oracle::judge(&self.spec, &publish, &answer, &r, &facts);
                rec.expected = j.expected.clone();
                rec.observed = j.observed.clone();
                findings.extend(j.findings);
                if findings
                    .iter()
                    .any(|f| f.rule.contains("Version") || f.rule.contains("function_arn"))
                {
                    rec.reproduction = Some(self.client.curl(&publish));
                }
            }
        }
        if created {
            self.cleanup(&name, &mut notes);
        }
        let _ = json;
        if rec.observed.is_empty() {
            rec.observed = oracle::describe_response(&first);
        }
        if let Some(h) = harness {
            rec.outcome = Outcome::HarnessError;
            rec.message = h;
            return rec;
        }
        if !findings.is_empty() {
            rec.outcome = Outcome::Divergent;
            if rec.reproduction.is_none() {
                rec.reproduction = Some(self.client.curl(&create));
            }
        }
        rec.message = findings
            .iter()
            .map(Finding::line)
            .chain(notes)
            .collect::<Vec<_>>()
            .join("\n");
        rec
    }

    /// Clean-up is not the check: a failing delete is said in the message, not counted (the
    /// delete-then-recreate check judges deletes, after the function has settled).
    fn cleanup(&self, name: &str, notes: &mut Vec<String>) {
        if let Err(e) = self.delete(name) {
            notes.push(format!("clean-up: could not delete {name}: {e}"));
        }
    }

    /// Waits (bounded by `--settle`) until the function leaves Pending.
    fn settle(&self, name: &str) {
        let deadline = Instant::now() + self.config.settle;
        while Instant::now() < deadline {
            let get = WireRequest::bodiless(
                "GET",
                &format!("/2015-03-31/functions/{name}/configuration"),
            );
            match self.send_retrying(&get) {
                Ok(r) if r.status == 200 => {
                    let state = r
                        .json()
                        .and_then(|c| c.get("State").and_then(Value::as_str).map(str::to_string));
                    if state.as_deref() != Some("Pending") {
                        return;
                    }
                }
                _ => return,
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A request that breaks one validation-family constraint, with an existing name.
    fn invalid_with_name(&self, name: &str) -> Option<WireRequest> {
        let cases = self.cases();
        let case = cases.iter().find(|c| {
            c.kind == CaseKind::Violation
                && c.member
                    .as_deref()
                    .is_some_and(|m| !self.ctx.is_name_member(&self.spec, m))
                && c.row.as_ref().is_some_and(|r| {
                    self.spec.members.iter().any(|m| {
                        m.constraints.iter().any(|k| {
                            format!("{} {}", m.path, k.id) == *r
                                && k.family == Family::Validation
                                && k.error.source != Source::Assumed
                        })
                    })
                })
        })?;
        let inst: Instance = super::boundary(&self.spec, &self.ctx, case, self.config.seed)?;
        let mut body: Value = inst.json?;
        let key = self
            .spec
            .members
            .iter()
            .find(|m| self.ctx.is_name_member(&self.spec, &m.path))
            .map(|m| m.path.clone())?;
        body.as_object_mut()?
            .insert(key, Value::String(name.to_string()));
        Some(WireRequest::post_json(
            &self.spec.source.uri,
            serde_json::to_vec(&body).ok()?,
        ))
    }

    /// GetFunction and GetFunctionConfiguration agree with the create; the function leaves Pending.
    fn read_back(&self, name: &str, created: &WireResponse, rec: &mut TrialRecord) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(original) = created.json() else {
            out.push(finding(
                "create body",
                "JSON",
                "not JSON",
                "CreateFunction",
                Source::Model,
            ));
            return out;
        };
        let moving = [
            "State",
            "StateReason",
            "StateReasonCode",
            "LastUpdateStatus",
            "LastUpdateStatusReason",
            "LastUpdateStatusReasonCode",
            "RevisionId",
        ];
        let deadline = Instant::now() + self.config.settle;
        let mut state = String::new();
        let mut config = None;
        while Instant::now() <= deadline {
            let get = WireRequest::bodiless(
                "GET",
                &format!("/2015-03-31/functions/{name}/configuration"),
            );
            rec.instances += 1;
            match self.send_retrying(&get) {
                Ok(r) if r.status == 200 => {
                    let c = r.json().unwrap_or(Value::Null);
                    state = c
                        .get("State")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    config = Some(c);
                    if state != "Pending" {
                        break;
                    }
                }
                Ok(r) => {
                    out.push(finding(
                        "GetFunctionConfiguration",
                        "200",
                        oracle::describe_response(&r),
                        "read-back",
                        Source::Model,
                    ));
                    return out;
                }
                Err(e) => {
                    out.push(finding(
                        "GetFunctionConfiguration",
                        "an answer",
                        e,
                        "read-back",
                        Source::Model,
                    ));
                    return out;
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let Some(config) = config else { return out };
        // A profile whose answers carry no State (seed-2020's table asserts none) has nothing to wait for.
        let stated = self.spec.response_rules.iter().any(|r| r.path == "State");
        match state.as_str() {
            "Active" => {}
            "" if !stated => {}
            "Pending" => out.push(finding(
                "state",
                "Active within the settle time",
                format!("still Pending after {:?}", self.config.settle),
                "read-back",
                Source::Observed,
            )),
            other => out.push(finding(
                "state",
                "Active",
                format!(
                    "{other}: {}",
                    config
                        .get("StateReason")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ),
                "read-back",
                Source::Observed,
            )),
        }
        let compare = |label: &str, got: &Value, out: &mut Vec<Finding>| {
            for (k, v) in original.as_object().into_iter().flatten() {
                if moving.contains(&k.as_str()) {
                    continue;
                }
                if got.get(k) != Some(v) {
                    out.push(finding(
                        &format!("{label} {k}"),
                        oracle::describe_value(v),
                        got.get(k).map_or("absent".into(), oracle::describe_value),
                        "read-back",
                        Source::Observed,
                    ));
                }
            }
        };
        compare("GetFunctionConfiguration", &config, &mut out);
        let get = WireRequest::bodiless("GET", &format!("/2015-03-31/functions/{name}"));
        rec.instances += 1;
        match self.send_retrying(&get) {
            Ok(r) if r.status == 200 => {
                let body = r.json().unwrap_or(Value::Null);
                compare(
                    "GetFunction Configuration",
                    body.get("Configuration").unwrap_or(&Value::Null),
                    &mut out,
                );
                if body.get("Code").is_none() {
                    out.push(finding(
                        "GetFunction Code",
                        "present",
                        "absent",
                        "read-back",
                        Source::Observed,
                    ));
                }
            }
            Ok(r) => out.push(finding(
                "GetFunction",
                "200",
                oracle::describe_response(&r),
                "read-back",
                Source::Model,
            )),
            Err(e) => out.push(finding(
                "GetFunction",
                "an answer",
                e,
                "read-back",
                Source::Model,
            )),
        }
        rec.observed = format!("State {state}");
        rec.expected = "the create's members, State Active".into();
        out
    }
}

//! What happens after a create is part of its contract: a second create with the same name, validation
//! before conflict, reading the function back, deleting it, publishing on create. And the official
//! client: aws-sdk-lambda must parse every answer the raw oracle accepts.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::check::Check;
use super::Session;
use crate::generate::{CaseKind, Instance};
use crate::oracle::{self, lifecycle as judge, Facts, Fault, Judgement};
use crate::report::TrialRecord;
use crate::spec::validate;
use crate::spec::{Family, Source};
use crate::transport::{RetryPolicy, TransportError, WireRequest, WireResponse};

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

    fn send_plain(&self, req: &WireRequest) -> Result<WireResponse, TransportError> {
        let r = self.runtime.block_on(self.client.send(req));
        self.requests.fetch_add(1, Ordering::Relaxed);
        r
    }

    /// Read-back and set-up calls: throttling absorbed and counted.
    fn send_retrying(&self, req: &WireRequest) -> Result<WireResponse, TransportError> {
        let r = self
            .runtime
            .block_on(self.client.send_with_retry(req, &RetryPolicy::default()));
        self.requests.fetch_add(1, Ordering::Relaxed);
        r.map(|(resp, throttled)| {
            self.throttled
                .fetch_add(u64::from(throttled), Ordering::Relaxed);
            resp
        })
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
        let name = self.lifecycle_name(l);
        let create = self.base_instance(&name, &[]);
        let mut run = LifecycleRun {
            j: Judgement::default(),
            instances: 0,
            reproduction: None,
            created: false,
        };
        self.lifecycle_steps(l, &name, &create, &mut run);
        if run.created {
            self.cleanup(&name, &mut run.j.notes);
        }
        let mut rec = TrialRecord::judged(l.id(), "lifecycle", &run.j);
        rec.instances = run.instances;
        if !rec.outcome.is_conformant() {
            rec.reproduction = Some(run.reproduction.unwrap_or_else(|| match l {
                Lifecycle::DuplicateName => self.client.reproduction_after(&[&create], &create),
                _ => self.client.reproduction(&create),
            }));
        }
        rec
    }

    fn lifecycle_steps(
        &self,
        l: Lifecycle,
        name: &str,
        create: &WireRequest,
        run: &mut LifecycleRun,
    ) {
        let facts = Facts {
            assumption: None,
            ..self.facts.clone()
        };
        let no_answer = |during: &str, error: TransportError| Fault::NoAnswer {
            during: during.into(),
            error,
        };
        let first = match self.send_plain(create) {
            Ok(r) => r,
            Err(e) => {
                run.j.set_fault(no_answer("the first create", e));
                return;
            }
        };
        run.instances += 1;
        run.created = (200..300).contains(&first.status);
        run.j.observed = oracle::describe_response(&first);
        if l != Lifecycle::PublishOnCreate && !run.created {
            let status = if first.status == 429 {
                "throttled"
            } else {
                "not accepted"
            };
            run.j.set_fault(Fault::Precondition(format!(
                "the first create was {status} ({}): the check builds on it",
                first.status
            )));
            return;
        }
        match l {
            Lifecycle::DuplicateName => {
                let again = self.send_plain(create);
                run.instances += 1;
                match again {
                    Ok(r) => {
                        run.created |= (200..300).contains(&r.status);
                        let j = judge::duplicate(&self.spec, create, name, r, &facts);
                        run.absorb(j);
                    }
                    Err(e) => run.j.set_fault(no_answer("the second create", e)),
                }
            }
            Lifecycle::ValidationBeforeConflict => {
                let Some(inst) = self.invalid_with_name(name) else {
                    run.j.set_fault(Fault::Unbuildable(
                        "the table has no validation-family constraint to break".into(),
                    ));
                    return;
                };
                let answer = validate::answer_with(
                    &self.spec,
                    &inst.body,
                    inst.header("content-type"),
                    &self.ctx.facts(inst.body.len()),
                );
                let r = self.send_plain(&inst);
                run.instances += 1;
                let j = oracle::judge(&self.spec, &inst, &answer, &r, &facts);
                if !j.outcome().is_conformant() {
                    run.reproduction = Some(self.client.reproduction_after(&[create], &inst));
                }
                run.absorb(j);
            }
            Lifecycle::ReadBack => self.read_back(name, &first, run),
            Lifecycle::DeleteThenRecreate => {
                // Delete a settled function (AWS deletes Pending ones too; emulators differ by timing).
                self.settle(name);
                let path = self.function_path(name);
                match self.send_retrying(&WireRequest::bodiless("DELETE", &path)) {
                    Ok(r) => run.j.findings.extend(judge::deleted(&r)),
                    Err(e) => return run.j.set_fault(no_answer("DeleteFunction", e)),
                }
                match self.send_retrying(&WireRequest::bodiless("GET", &path)) {
                    Ok(r) => {
                        let gone = judge::gone(&r);
                        run.created = gone.is_some() && run.created;
                        run.j.findings.extend(gone);
                    }
                    Err(e) => return run.j.set_fault(no_answer("GetFunction", e)),
                }
                match self.send_plain(create) {
                    Ok(r) => {
                        run.created |= (200..300).contains(&r.status);
                        if r.status == 429 {
                            run.j.set_fault(Fault::Throttled {
                                during: "the re-create".into(),
                                detail: oracle::describe_response(&r),
                            });
                        }
                        run.j.findings.extend(judge::recreated(&r));
                    }
                    Err(e) => run.j.set_fault(no_answer("the re-create", e)),
                }
                run.instances += 3;
            }
            Lifecycle::PublishOnCreate => {
                if run.created {
                    self.cleanup(name, &mut run.j.notes);
                    run.created = false;
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
                let r = self.send_plain(&publish);
                run.instances += 1;
                if oracle::created(&r) {
                    self.cleanup(&publish_name, &mut run.j.notes);
                }
                let j = oracle::judge(&self.spec, &publish, &answer, &r, &facts);
                if j.findings
                    .iter()
                    .any(|f| f.rule.contains("Version") || f.rule.contains("function_arn"))
                {
                    run.reproduction = Some(self.client.reproduction(&publish));
                }
                run.absorb(j);
            }
        }
    }

    fn function_path(&self, name: &str) -> String {
        format!("/2015-03-31/functions/{name}")
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
                &format!("{}/configuration", self.function_path(name)),
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

    /// GetFunctionConfiguration, GetFunction and ListFunctions agree with the create; the function
    /// leaves Pending within `--settle`.
    fn read_back(&self, name: &str, created: &WireResponse, run: &mut LifecycleRun) {
        run.j.expected = "the create's members, State Active, listed".into();
        let Some(original) = created.json() else {
            run.j
                .findings
                .push(judge::read_failed("CreateFunction body", created));
            return;
        };
        // Listed at once, Pending or not (AWS lists a function from its creation on).
        match self.list_functions(name, run) {
            Ok(Some(list)) => run.j.findings.extend(judge::listed(&original, name, &list)),
            Ok(None) => {}
            Err(fault) => return run.j.set_fault(fault),
        }
        let deadline = Instant::now() + self.config.settle;
        let mut config = None;
        let get = WireRequest::bodiless(
            "GET",
            &format!("{}/configuration", self.function_path(name)),
        );
        while Instant::now() <= deadline {
            run.instances += 1;
            match self.send_retrying(&get) {
                Ok(r) if r.status == 200 => {
                    let c = r.json().unwrap_or(Value::Null);
                    let pending = c.get("State").and_then(Value::as_str) == Some("Pending");
                    config = Some(c);
                    if !pending {
                        break;
                    }
                }
                Ok(r) => {
                    run.j
                        .findings
                        .push(judge::read_failed("GetFunctionConfiguration", &r));
                    return;
                }
                Err(e) => {
                    return run.j.set_fault(Fault::NoAnswer {
                        during: "GetFunctionConfiguration".into(),
                        error: e,
                    })
                }
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let Some(config) = config else { return };
        // A profile whose answers carry no State (seed-2020's table asserts none) has nothing to wait for.
        let stated = self.spec.response_rules.iter().any(|r| r.path == "State");
        run.j.observed = format!(
            "State {}",
            config.get("State").and_then(Value::as_str).unwrap_or("")
        );
        run.j
            .findings
            .extend(judge::settled_state(&config, stated, self.config.settle));
        run.j.findings.extend(judge::agrees(
            "GetFunctionConfiguration",
            &original,
            &config,
        ));
        run.instances += 1;
        match self.send_retrying(&WireRequest::bodiless("GET", &self.function_path(name))) {
            Ok(r) if r.status == 200 => {
                let body = r.json().unwrap_or(Value::Null);
                run.j.findings.extend(judge::get_function(&original, &body));
            }
            Ok(r) => run.j.findings.push(judge::read_failed("GetFunction", &r)),
            Err(e) => run.j.set_fault(Fault::NoAnswer {
                during: "GetFunction".into(),
                error: e,
            }),
        }
    }

    /// The ListFunctions page holding `name` (pages followed by `NextMarker`, at most 20), or the
    /// last page when no page holds it.
    fn list_functions(&self, name: &str, run: &mut LifecycleRun) -> Result<Option<Value>, Fault> {
        let mut marker: Option<String> = None;
        let mut last = None;
        for _ in 0..20 {
            let path = match &marker {
                Some(m) => format!("/2015-03-31/functions/?MaxItems=50&Marker={}", urlencode(m)),
                None => "/2015-03-31/functions/?MaxItems=50".to_string(),
            };
            run.instances += 1;
            let r = self
                .send_retrying(&WireRequest::bodiless("GET", &path))
                .map_err(|error| Fault::NoAnswer {
                    during: "ListFunctions".into(),
                    error,
                })?;
            if r.status != 200 {
                run.j.findings.push(judge::read_failed("ListFunctions", &r));
                return Ok(None);
            }
            let page = r.json().unwrap_or(Value::Null);
            let holds = page
                .get("Functions")
                .and_then(Value::as_array)
                .is_some_and(|fs| {
                    fs.iter()
                        .any(|f| f.get("FunctionName").and_then(Value::as_str) == Some(name))
                });
            marker = page
                .get("NextMarker")
                .and_then(Value::as_str)
                .map(str::to_string);
            if holds || marker.is_none() {
                return Ok(Some(page));
            }
            last = Some(page);
        }
        Ok(last)
    }
}

/// A query value, percent-encoded.
fn urlencode(v: &str) -> String {
    url::form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// What a lifecycle check has found so far.
struct LifecycleRun {
    j: Judgement,
    instances: u32,
    reproduction: Option<String>,
    created: bool,
}

impl LifecycleRun {
    /// Takes a sub-judgement's findings, fault and lines.
    fn absorb(&mut self, j: Judgement) {
        self.j.findings.extend(j.findings);
        if let Some(f) = j.fault {
            self.j.set_fault(f);
        }
        self.j.expected = j.expected;
        self.j.observed = j.observed;
        self.j.basis = j.basis;
        self.j.notes.extend(j.notes);
    }
}

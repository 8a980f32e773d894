//! What happens after a create is part of its contract: a second create with the same name, validation
//! before conflict, reading the function back, deleting it, publishing on create. And the official
//! client: aws-sdk-lambda must parse every answer the raw oracle accepts.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::execute::delete;
use super::session::Session;
use crate::generate::{Case, CaseKind, Instance};
use crate::oracle::{self, lifecycle as judge, Facts, Fault, Judgement};
use crate::report::TrialRecord;
use crate::spec::validate;
use crate::spec::{Family, Source};
use crate::transport::{lambda_api, TransportError, WireRequest, WireResponse};

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

pub(super) fn send_plain(s: &Session, req: &WireRequest) -> Result<WireResponse, TransportError> {
    s.block_on(s.send_once(req))
}

/// Read-back and set-up calls: throttling absorbed and counted.
pub(super) fn send_retrying(
    s: &Session,
    req: &WireRequest,
) -> Result<WireResponse, TransportError> {
    s.block_on(s.api().call(req))
}

pub(super) fn base_instance(s: &Session, name: &str, extra: &[(&str, Value)]) -> WireRequest {
    let mut body = s.ctx.base_request(&s.spec, name);
    if let Value::Object(m) = &mut body {
        for (k, v) in extra {
            m.insert((*k).to_string(), v.clone());
        }
    }
    WireRequest::post_json(
        &s.spec.source.uri,
        serde_json::to_vec(&body).unwrap_or_default(),
    )
}

pub(super) fn lifecycle_name(s: &Session, l: Lifecycle) -> String {
    let tag = l.id().rsplit("::").next().unwrap_or("x").replace('_', "-");
    let mut n = format!("{}-lc-{tag}", s.ctx.run_prefix);
    n.truncate(64);
    n
}

pub(super) fn run_lifecycle(s: &Session, l: Lifecycle) -> TrialRecord {
    let name = lifecycle_name(s, l);
    let create = base_instance(s, &name, &[]);
    let mut run = LifecycleRun {
        j: Judgement::default(),
        instances: 0,
        reproduction: None,
        created: false,
    };
    s.ledger.sent(&name);
    lifecycle_steps(s, l, &name, &create, &mut run);
    if run.created {
        cleanup(s, &name, &mut run.j.notes);
    }
    if !s.interrupted() {
        // Every create of the check was answered (an interrupted one may have created the function).
        s.ledger.answered(&name);
    }
    let mut rec = TrialRecord::judged(l.id(), "lifecycle", &run.j);
    rec.instances = run.instances;
    if !rec.outcome.is_conformant() {
        rec.reproduction = Some(run.reproduction.unwrap_or_else(|| match l {
            Lifecycle::DuplicateName => s.api().client().reproduction_after(&[&create], &create),
            _ => s.api().client().reproduction(&create),
        }));
    }
    rec
}

fn lifecycle_steps(
    s: &Session,
    l: Lifecycle,
    name: &str,
    create: &WireRequest,
    run: &mut LifecycleRun,
) {
    let facts = Facts {
        assumption: None,
        ..s.facts.clone()
    };
    let no_answer = |during: &str, error: TransportError| Fault::NoAnswer {
        during: during.into(),
        error,
    };
    let first = match send_plain(s, create) {
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
            let again = send_plain(s, create);
            run.instances += 1;
            match again {
                Ok(r) => {
                    run.created |= (200..300).contains(&r.status);
                    let j = judge::duplicate(&s.spec, create, name, r, &facts);
                    run.absorb(j);
                }
                Err(e) => run.j.set_fault(no_answer("the second create", e)),
            }
        }
        Lifecycle::ValidationBeforeConflict => {
            let Some(inst) = invalid_with_name(s, name) else {
                run.j.set_fault(Fault::Unbuildable(
                    "the table has no validation-family constraint to break".into(),
                ));
                return;
            };
            let answer = validate::answer_with(
                &s.spec,
                &inst.body,
                inst.header("content-type"),
                &s.ctx.facts(inst.body.len()),
            );
            let r = send_plain(s, &inst);
            run.instances += 1;
            let j = oracle::judge(&s.spec, &inst, &answer, &r, &facts);
            if !j.outcome().is_conformant() {
                run.reproduction = Some(s.api().client().reproduction_after(&[create], &inst));
            }
            run.absorb(j);
        }
        Lifecycle::ReadBack => {
            read_back(s, name, &first, run);
        }
        Lifecycle::DeleteThenRecreate => {
            // Delete a settled function (AWS deletes Pending ones too; emulators differ by timing).
            settle(s, name);
            let path = lambda_api::function_path(name);
            match send_retrying(s, &WireRequest::bodiless("DELETE", &path)) {
                Ok(r) => run.j.findings.extend(judge::deleted(&r)),
                Err(e) => return run.j.set_fault(no_answer("DeleteFunction", e)),
            }
            match send_retrying(s, &WireRequest::bodiless("GET", &path)) {
                Ok(r) => {
                    let gone = judge::gone(&r);
                    run.created = gone.is_some() && run.created;
                    run.j.findings.extend(gone);
                }
                Err(e) => return run.j.set_fault(no_answer("GetFunction", e)),
            }
            match send_plain(s, create) {
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
                cleanup(s, name, &mut run.j.notes);
                run.created = false;
            }
            // Its own name: the answer must not depend on how fast the first delete went through.
            let mut publish_name = format!("{name}-p");
            publish_name.truncate(64);
            let publish = base_instance(s, &publish_name, &[("Publish", Value::Bool(true))]);
            let answer = validate::answer_with(
                &s.spec,
                &publish.body,
                Some("application/json"),
                &s.ctx.facts(publish.body.len()),
            );
            let r = send_plain(s, &publish);
            run.instances += 1;
            if oracle::created(&r) {
                cleanup(s, &publish_name, &mut run.j.notes);
            }
            let j = oracle::judge(&s.spec, &publish, &answer, &r, &facts);
            if j.findings
                .iter()
                .any(|f| f.rule.contains("Version") || f.rule.contains("function_arn"))
            {
                run.reproduction = Some(s.api().client().reproduction(&publish));
            }
            run.absorb(j);
        }
    }
}

/// Clean-up is not the check: a failing delete is said in the message, not counted (the
/// delete-then-recreate check judges deletes, after the function has settled).
pub(super) fn cleanup(s: &Session, name: &str, notes: &mut Vec<String>) {
    if let Err(e) = s.block_on(delete(s, name, name)) {
        notes.push(format!("clean-up: could not delete {name}: {e}"));
    }
}

/// Waits (bounded by `--settle`) until the function leaves Pending.
pub(super) fn settle(s: &Session, name: &str) {
    let deadline = Instant::now() + s.config.settle;
    let mut polls = 0;
    while Instant::now() < deadline && !s.interrupted() {
        let get = WireRequest::bodiless("GET", &lambda_api::configuration_path(name));
        match send_retrying(s, &get) {
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
        std::thread::sleep(poll_wait(polls));
        polls += 1;
    }
}

/// The first wait between two reads of a Pending function.
const POLL_FIRST: Duration = Duration::from_millis(25);
/// The longest wait between two reads of a Pending function.
const POLL_MAX: Duration = Duration::from_millis(200);

/// The wait after read number `poll` (0-based) of a function still Pending: 25 ms, doubling to at
/// most 200 ms. The embedded stub leaves Pending 50 ms after a create, so a fixed 200 ms wait was most
/// of a lifecycle check there (two such waits made a `--cases 1` run last 0.47 s); where a function
/// stays Pending a second or more, the short first waits cost three more reads.
pub(crate) fn poll_wait(poll: u32) -> Duration {
    POLL_FIRST.saturating_mul(1u32 << poll.min(8)).min(POLL_MAX)
}

/// A request that breaks one validation-family constraint, with an existing name.
fn invalid_with_name(s: &Session, name: &str) -> Option<WireRequest> {
    let case = conflict_probe(s, &s.cases())?;
    let inst: Instance = s.boundary_of(&case, s.config.seed)?;
    with_name(s, &inst, name)
}

/// The class whose boundary request validation-before-conflict re-sends with an existing name: the
/// first violation of a documented validation-family constraint on a member other than the name.
pub(super) fn conflict_probe(s: &Session, cases: &[Case]) -> Option<Case> {
    cases
        .iter()
        .find(|c| {
            c.kind == CaseKind::Violation
                && c.member
                    .as_deref()
                    .is_some_and(|m| !s.ctx.is_name_member(&s.spec, m))
                && c.row.as_ref().is_some_and(|r| {
                    s.spec.members.iter().any(|m| {
                        m.constraints.iter().any(|k| {
                            format!("{} {}", m.path, k.id) == *r
                                && k.family == Family::Validation
                                && k.error.source != Source::Assumed
                        })
                    })
                })
        })
        .cloned()
}

/// `inst`'s JSON body with the name member set to `name`.
pub(super) fn with_name(s: &Session, inst: &Instance, name: &str) -> Option<WireRequest> {
    let mut body: Value = inst.json.clone()?;
    let key = s
        .spec
        .members
        .iter()
        .find(|m| s.ctx.is_name_member(&s.spec, &m.path))
        .map(|m| m.path.clone())?;
    body.as_object_mut()?
        .insert(key, Value::String(name.to_string()));
    Some(WireRequest::post_json(
        &s.spec.source.uri,
        serde_json::to_vec(&body).ok()?,
    ))
}

/// GetFunctionConfiguration, GetFunction and ListFunctions agree with the create; the function
/// leaves Pending within `--settle`. True when the last read saw it out of Pending (a delete after it
/// needs no further wait).
pub(super) fn read_back(
    s: &Session,
    name: &str,
    created: &WireResponse,
    run: &mut LifecycleRun,
) -> bool {
    run.j.expected = "the create's members, State Active, listed".into();
    let Some(original) = created.json() else {
        run.j
            .findings
            .push(judge::read_failed("CreateFunction body", created));
        return false;
    };
    // Listed at once, Pending or not (AWS lists a function from its creation on).
    match list_functions(s, name, run) {
        Ok(Some(list)) => run.j.findings.extend(judge::listed(&original, name, &list)),
        Ok(None) => {}
        Err(fault) => {
            run.j.set_fault(fault);
            return false;
        }
    }
    let deadline = Instant::now() + s.config.settle;
    let mut config = None;
    let get = WireRequest::bodiless("GET", &lambda_api::configuration_path(name));
    let mut polls = 0;
    while Instant::now() <= deadline {
        run.instances += 1;
        match send_retrying(s, &get) {
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
                return false;
            }
            Err(e) => {
                run.j.set_fault(Fault::NoAnswer {
                    during: "GetFunctionConfiguration".into(),
                    error: e,
                });
                return false;
            }
        }
        std::thread::sleep(poll_wait(polls));
        polls += 1;
    }
    let Some(config) = config else {
        return false;
    };
    let settled = config.get("State").and_then(Value::as_str) != Some("Pending");
    // A profile whose answers carry no State (seed-2020's table asserts none) has nothing to wait for.
    let stated = s.spec.response_rules.iter().any(|r| r.path == "State");
    run.j.observed = format!(
        "State {}",
        config.get("State").and_then(Value::as_str).unwrap_or("")
    );
    run.j
        .findings
        .extend(judge::settled_state(&config, stated, s.config.settle));
    run.j.findings.extend(judge::agrees(
        "GetFunctionConfiguration",
        &original,
        &config,
    ));
    run.instances += 1;
    match send_retrying(
        s,
        &WireRequest::bodiless("GET", &lambda_api::function_path(name)),
    ) {
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
    settled
}

/// The ListFunctions page holding `name` (pages followed by `NextMarker`, at most 20), or the
/// last page when no page holds it.
fn list_functions(s: &Session, name: &str, run: &mut LifecycleRun) -> Result<Option<Value>, Fault> {
    let mut marker: Option<String> = None;
    let mut last = None;
    for _ in 0..20 {
        let path = lambda_api::list_path(50, marker.as_deref());
        run.instances += 1;
        let r = send_retrying(s, &WireRequest::bodiless("GET", &path)).map_err(|error| {
            Fault::NoAnswer {
                during: "ListFunctions".into(),
                error,
            }
        })?;
        if r.status != 200 {
            run.j.findings.push(judge::read_failed("ListFunctions", &r));
            return Ok(None);
        }
        let page = r.json().unwrap_or(Value::Null);
        let holds = judge::entry(&page, name).is_some();
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

/// What a lifecycle check has found so far.
pub(super) struct LifecycleRun {
    pub(super) j: Judgement,
    pub(super) instances: u32,
    pub(super) reproduction: Option<String>,
    pub(super) created: bool,
}

impl LifecycleRun {
    /// Takes a sub-judgement's findings, fault and lines.
    pub(super) fn absorb(&mut self, j: Judgement) {
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Reads of a Pending function wait 25 ms, then twice as long each time up to 200 ms; the
    /// embedded stub's Pending window is over after two waits (75 ms), where the fixed wait took
    /// 200 ms per read.
    pub(crate) fn pending_reads_back_off_from_25_to_200_ms() {
        let waits: Vec<u128> = (0..10).map(|p| poll_wait(p).as_millis()).collect();
        assert_eq!(waits, [25, 50, 100, 200, 200, 200, 200, 200, 200, 200]);
        assert_eq!(poll_wait(u32::MAX), POLL_MAX);
        let (mut waited, mut polls) = (Duration::ZERO, 0);
        while waited < crate::stub::DEFAULT_ACTIVE_AFTER {
            waited += poll_wait(polls);
            polls += 1;
        }
        assert_eq!((polls, waited), (2, Duration::from_millis(75)));
    }
}

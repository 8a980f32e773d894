//! The one judge: how an outcome is decided from findings and faults, what an expectation rests on,
//! and how differing trials are grouped into root causes. Each test names the false verdict it prevents.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use libtest_mimic::Failed;
use serde_json::{json, Value};
use support::check;

use lambda_conform::generate::Context;
use lambda_conform::oracle::{self, Basis, Facts, Fault, Finding, Judgement, Outcome};
use lambda_conform::report::findings::{group, shape};
use lambda_conform::report::TrialRecord;
use lambda_conform::spec::validate::{self, Expectation};
use lambda_conform::spec::{self, Spec};
use lambda_conform::transport::{TransportError, WireRequest, WireResponse};

fn table() -> Result<Spec, Failed> {
    spec::load("aws-2026", None).map_err(|e| e.to_string().into())
}

fn finding(basis: Basis) -> Finding {
    oracle::finding_with("status", "400", "201", "row", basis, "evidence")
}

fn response(status: u16, error_type: Option<&str>, body: Value) -> WireResponse {
    let mut headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        (
            "x-amzn-requestid".to_string(),
            "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0".to_string(),
        ),
    ];
    if let Some(t) = error_type {
        headers.push(("x-amzn-errortype".to_string(), t.to_string()));
    }
    WireResponse {
        status,
        headers,
        body: body.to_string().into_bytes(),
    }
}

/// The base request with `member` set to `value`, and the table's answer to it.
fn request(spec: &Spec, member: &str, value: Value) -> (WireRequest, Expectation) {
    let ctx = Context::new(7, lambda_conform::transport::target::EMULATOR_ROLE_ARN);
    let mut body = ctx.base_request(spec, "lc-oracle-test");
    body[member] = value;
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let answer = validate::answer_with(
        spec,
        &bytes,
        Some("application/json"),
        &ctx.facts(bytes.len()),
    );
    (WireRequest::post_json(&spec.source.uri, bytes), answer)
}

fn outcome_is_decided_in_one_order() -> Result<(), Failed> {
    let mut j = Judgement::default();
    check(j.outcome() == Outcome::Conformant, "no finding: conformant")?;
    j.findings.push(finding(Basis::Assumed));
    check(
        j.outcome() == Outcome::Unconfirmed,
        "only an assumed finding: unconfirmed, never divergent",
    )?;
    j.findings.push(finding(Basis::Derived));
    check(
        j.outcome() == Outcome::Divergent,
        "a finding on evidence: divergent",
    )?;
    check(
        j.reported_basis() == Basis::Derived,
        "the reported basis is the strongest finding's",
    )?;
    j.set_fault(Fault::Precondition("x".into()));
    check(
        j.outcome() == Outcome::HarnessError,
        "a fault wins over findings: the check could not judge",
    )?;
    j.skipped = Some("why".into());
    check(j.outcome() == Outcome::Skipped, "skipped wins over all")?;
    check(
        Outcome::Unconfirmed.fails_run(true) && !Outcome::Unconfirmed.fails_run(false),
        "unconfirmed fails a run only with --strict",
    )?;
    check(
        Outcome::Divergent.fails_run(false) && !Outcome::HarnessError.fails_run(true),
        "divergent always fails a run; a harness error never does",
    )
}

/// Old behaviour: a timeout or a reset became a divergence.
fn no_answer_is_a_harness_error() -> Result<(), Failed> {
    let spec = table()?;
    let (req, answer) = request(&spec, "MemorySize", json!(256));
    for err in [
        TransportError::Timeout(Duration::from_millis(5)),
        TransportError::Broken("reset".into()),
        TransportError::Connect("refused".into()),
        TransportError::Signing("x".into()),
    ] {
        let j = oracle::judge(&spec, &req, &answer, &Err(err.clone()), &Facts::default());
        check(
            j.outcome() == Outcome::HarnessError && j.findings.is_empty(),
            format!("{err}: {:?} {:?}", j.outcome(), j.findings),
        )?;
        check(
            j.message().contains(&err.to_string()),
            format!("the reason is said: {}", j.message()),
        )?;
    }
    Ok(())
}

/// Old behaviour: `lifecycle::duplicate_name` reported "expected 409, observed 429" as divergent.
fn an_unexpected_429_is_a_harness_error() -> Result<(), Failed> {
    let spec = table()?;
    let (req, answer) = request(&spec, "MemorySize", json!(256));
    let throttled = response(
        429,
        Some("TooManyRequestsException"),
        json!({"message": "Rate exceeded"}),
    );
    let j = oracle::judge(
        &spec,
        &req,
        &answer,
        &Ok(throttled.clone()),
        &Facts::default(),
    );
    check(
        j.outcome() == Outcome::HarnessError && j.message().contains("throttled"),
        format!("{:?}: {}", j.outcome(), j.message()),
    )?;
    let dup =
        oracle::lifecycle::duplicate(&spec, &req, "lc-oracle-test", throttled, &Facts::default());
    check(
        dup.outcome() == Outcome::HarnessError,
        format!("a throttled duplicate create: {:?}", dup.outcome()),
    )
}

/// Model constraints nobody recorded a violation of are judged fully, on derived evidence.
fn model_constraints_are_derived_and_judged_fully() -> Result<(), Failed> {
    let spec = table()?;
    // Handler above the model's maximum length (128): no recording breaks it.
    let (req, answer) = request(&spec, "Handler", json!(format!("h.{}", "a".repeat(200))));
    let Expectation::Error(e) = &answer else {
        return Err("a Handler of 202 characters must be refused".into());
    };
    check(
        oracle::error_basis(e) == Basis::Derived,
        format!("basis {:?} (source {:?})", oracle::error_basis(e), e.source),
    )?;
    check(
        e.evidence.iter().any(|x| x.contains("aws-observed/")),
        format!("the derivation names the recordings: {:?}", e.evidence),
    )?;
    // Right status, wrong type: a divergence (not "some 4xx is fine").
    let wrong_type = response(
        400,
        Some("InvalidParameterValueException"),
        json!({"Type": "User", "message": "nope"}),
    );
    let j = oracle::judge(&spec, &req, &answer, &Ok(wrong_type), &Facts::default());
    check(
        j.outcome() == Outcome::Divergent
            && j.findings.iter().any(|f| f.rule == "error-type")
            && j.findings.iter().all(|f| f.basis != Basis::Assumed),
        format!("{:?}: {}", j.outcome(), j.message()),
    )
}

/// Old behaviour: a divergence resting only on an assumption failed the run like a recorded one.
fn assumed_expectations_give_unconfirmed() -> Result<(), Failed> {
    let spec = table()?;
    let assumed = spec.members.iter().find_map(|m| {
        m.constraints
            .iter()
            .find(|c| c.error.source == spec::Source::Assumed && c.when.is_none())
            .map(|c| (m.path.clone(), c.id.clone()))
    });
    let Some((path, id)) = assumed else {
        return Err("the table has no assumed error row to test with".into());
    };
    // Build a request the table answers with that row, through the generator.
    let ctx = Context::new(7, lambda_conform::transport::target::EMULATOR_ROLE_ARN);
    let case = lambda_conform::harness::feasible_cases(&spec, &ctx)
        .into_iter()
        .find(|c| c.member.as_deref() == Some(path.as_str()) && c.id.ends_with(&id))
        .ok_or(format!("no case for {path} {id}"))?;
    let inst = lambda_conform::harness::boundary(&spec, &ctx, &case, 7).ok_or("no instance")?;
    let answer = validate::answer_with(
        &spec,
        &inst.request.body,
        inst.request.header("content-type"),
        &ctx.facts(inst.request.body.len()),
    );
    let created = response(201, None, json!({"FunctionName": "x"}));
    let j = oracle::judge(
        &spec,
        &inst.request,
        &answer,
        &Ok(created),
        &Facts::default(),
    );
    check(
        j.outcome() == Outcome::Unconfirmed,
        format!("{} accepted: {:?} {}", case.id, j.outcome(), j.message()),
    )
}

fn a_leak_is_a_recorded_divergence() -> Result<(), Failed> {
    let mut j = Judgement::default();
    j.findings.push(oracle::leaked("lc-x", 400));
    check(
        j.outcome() == Outcome::Divergent,
        format!("{:?}", j.outcome()),
    )
}

fn record(id: &str, outcome: Outcome, f: Finding) -> TrialRecord {
    let j = Judgement {
        findings: vec![f],
        ..Judgement::default()
    };
    let mut t = TrialRecord::judged(id, "valid", &j);
    t.outcome = outcome;
    t
}

/// moto's text/html on every success is one root cause, not one line per trial.
fn findings_group_by_rule_and_shape() -> Result<(), Failed> {
    let html = |n: &str| {
        oracle::finding_with(
            "content-type",
            "application/json",
            format!("text/html; charset=utf-8 (for lc-{n}1f-x)"),
            "wire format",
            Basis::Recorded,
            "captures",
        )
    };
    let mut trials = vec![
        record("a", Outcome::Divergent, html("a")),
        record("b", Outcome::Divergent, html("b")),
        record("c", Outcome::Divergent, finding(Basis::Recorded)),
        record("d", Outcome::Unconfirmed, finding(Basis::Assumed)),
        record("e", Outcome::Conformant, finding(Basis::Recorded)),
    ];
    let groups = group(&mut trials);
    check(groups.len() == 3, format!("{groups:#?}"))?;
    check(
        groups[0].trials == ["a", "b"],
        format!("the largest group first: {:?}", groups[0].trials),
    )?;
    for t in &trials {
        let n = groups.iter().filter(|g| g.trials.contains(&t.id)).count();
        let want = usize::from(t.outcome.differs());
        check(n == want, format!("{} is in {n} groups", t.id))?;
        check(
            t.finding.is_some() == t.outcome.differs(),
            format!("{} carries its finding id", t.id),
        )?;
    }
    let again = group(&mut trials.clone());
    check(
        again.iter().map(|g| &g.id).eq(groups.iter().map(|g| &g.id)),
        "ids are stable",
    )?;
    check(
        shape("Value '1024' at 'memorySize' for lc-3fa9-x: 400")
            == "Value '…' at '…' for ‹id›: 400",
        shape("Value '1024' at 'memorySize' for lc-3fa9-x: 400"),
    )
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "oracle::outcome_is_decided_in_one_order",
            outcome_is_decided_in_one_order,
        ),
        (
            "oracle::no_answer_is_a_harness_error",
            no_answer_is_a_harness_error,
        ),
        (
            "oracle::an_unexpected_429_is_a_harness_error",
            an_unexpected_429_is_a_harness_error,
        ),
        (
            "oracle::model_constraints_are_derived_and_judged_fully",
            model_constraints_are_derived_and_judged_fully,
        ),
        (
            "oracle::assumed_expectations_give_unconfirmed",
            assumed_expectations_give_unconfirmed,
        ),
        (
            "oracle::a_leak_is_a_recorded_divergence",
            a_leak_is_a_recorded_divergence,
        ),
        (
            "oracle::findings_group_by_rule_and_shape",
            findings_group_by_rule_and_shape,
        ),
    ])
}

//! The embedded stub replays what AWS was recorded answering: every exchange of
//! `tests/fixtures/aws-recorded.jsonl` that the audit can judge from the request alone is sent to a
//! stub acting for the recorded account (111111111111) and region (us-east-1), in file order, and the
//! stub's answer must equal AWS's: status, error type, error body (message text exact), and for
//! successes every body member, except the few that legitimately differ per call ([`EXEMPT`]).
//! Exchanges with a recorded GetFunction follow-up replay it too (Configuration, Code, Tags).
//!
//! Which exchanges are replayable is the audit's decision ([`audit::judge_after`]): one it skips
//! (marked unjudgeable in the file, or whose answer depends on state the request does not show:
//! S3 objects, images, subnets, layers, other accounts, a name taken by no earlier exchange) is
//! listed with the audit's reason and not sent.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use libtest_mimic::Failed;
use regex::Regex;
use serde_json::Value;
use support::check;

use lambda_conform::audit::{self, Exchange, History};
use lambda_conform::oracle;
use lambda_conform::report::Outcome;
use lambda_conform::spec::validate::{self, CallFacts, Expectation};
use lambda_conform::spec::{self, Spec};
use lambda_conform::stub::{self, Mutant, StubCore};
use lambda_conform::transport::WireResponse;

/// The recordings' caller (tests/fixtures/README.md, "Preconditions assumed").
const ACCOUNT: &str = "111111111111";
const REGION: &str = "us-east-1";

/// Members whose values legitimately differ per call, with why, and the form both values must have.
/// Every other member (FunctionArn, Version, CodeSha256, CodeSize included: same account, region,
/// name and stand-in zip) must be equal; an exempt member must still be present on both sides.
const EXEMPT: &[(&str, &str, &str)] = &[
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
        r"^arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$",
    ),
    (
        "Code.Location",
        "a presigned S3 URL made per GetFunction (bucket and key prefix are compared)",
        r"^https://awslambda-us-east-1-tasks\.s3\.us-east-1\.amazonaws\.com/snapshots/111111111111/[A-Za-z0-9_-]+-[0-9a-f-]{36}",
    ),
];

fn main() -> ExitCode {
    support::run(vec![
        (
            "replay::aws_recorded::stub_answers_as_aws",
            stub_answers_as_aws,
        ),
        (
            "replay::aws_recorded::regressed_stubs_are_caught",
            regressed_stubs_are_caught,
        ),
    ])
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-recorded.jsonl")
}

fn facts() -> CallFacts {
    CallFacts {
        body_bytes: 0,
        region: Some(REGION.into()),
        account: Some(ACCOUNT.into()),
    }
}

/// A recorded GetFunction after the create: path, request headers, AWS's answer.
type Followup = (String, Vec<(String, String)>, WireResponse);

/// What the audit's reader leaves out: the follow-up GetFunction, and whether the message's
/// `; `-separated errors are in an unknown order (023, 024: "compare them as a set").
#[derive(Debug, Default)]
struct Extra {
    followup: Option<Followup>,
    unordered: bool,
}

fn extras() -> Result<BTreeMap<String, Extra>, Failed> {
    let text = std::fs::read_to_string(fixture())?;
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)?;
        let id = v["id"].as_str().ok_or("a line without id")?.to_string();
        let unordered = v["provenance"]["reconstructed"]
            .as_array()
            .is_some_and(|r| {
                r.iter().any(|s| {
                    s.as_str()
                        .is_some_and(|s| s.contains("compare them as a set"))
                })
            });
        let followup = match v.get("followup") {
            Some(f) => {
                let headers = |h: &Value| -> Vec<(String, String)> {
                    h.as_object()
                        .map(|m| {
                            m.iter()
                                .map(|(k, v)| {
                                    (k.to_ascii_lowercase(), v.as_str().unwrap_or("").to_string())
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let path = f["request"]["path"]
                    .as_str()
                    .ok_or("a followup without path")?
                    .to_string();
                let response = WireResponse {
                    status: f["response"]["status"]
                        .as_u64()
                        .and_then(|s| u16::try_from(s).ok())
                        .ok_or("a followup without status")?,
                    headers: headers(&f["response"]["headers"]),
                    body: f["response"]["body"]
                        .as_str()
                        .unwrap_or("")
                        .as_bytes()
                        .to_vec(),
                };
                Some((path, headers(&f["request"]["headers"]), response))
            }
            None => None,
        };
        out.insert(
            id,
            Extra {
                followup,
                unordered,
            },
        );
    }
    Ok(out)
}

/// Whether the audit would judge this exchange if the table holds: marked judgeable, and (when the
/// table calls it valid) no state dependence. The floor for how many must replay.
fn judgeable_and_stateless(spec: &Spec, ex: &Exchange) -> bool {
    if ex.unjudgeable.is_some() {
        return false;
    }
    let facts = CallFacts {
        body_bytes: ex.request.body.len(),
        ..facts()
    };
    let answer = validate::answer_with(
        spec,
        &ex.request.body,
        ex.request.header("content-type"),
        &facts,
    );
    match answer {
        Expectation::Error(_) => true,
        Expectation::Success => {
            let body: Value = serde_json::from_slice(&ex.request.body).unwrap_or(Value::Null);
            audit::state_dependence(spec, &body, &facts).is_none()
        }
    }
}

/// A client with its own runtime (the trials are sync).
struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
}

impl Http {
    fn new(base: String) -> Result<Self, Failed> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Self { rt, client, base })
    }

    /// Sends the request as recorded (unsigned: the stub then acts for us-east-1, the recorded region).
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<WireResponse, Failed> {
        self.rt.block_on(async {
            let method = reqwest::Method::from_bytes(method.as_bytes())?;
            let mut req = self
                .client
                .request(method, format!("{}{path}", self.base))
                .body(body.to_vec());
            for (k, v) in headers {
                req = req.header(k.as_str(), v.as_str());
            }
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = resp.bytes().await?.to_vec();
            Ok::<_, Failed>(WireResponse {
                status,
                headers,
                body,
            })
        })
    }
}

/// The exemption for a member path (of a create answer, or of a GetFunction answer's Configuration).
fn exempt(path: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let member = path.strip_prefix("Configuration.").unwrap_or(path);
    EXEMPT.iter().find(|(p, _, _)| *p == path || *p == member)
}

/// Every difference between AWS's `recorded` value and the stub's `got` at `path`.
fn diff(path: &str, recorded: &Value, got: &Value, out: &mut Vec<String>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    if let Some((_, why, form)) = exempt(path) {
        let Ok(re) = Regex::new(form) else {
            out.push(format!("{path}: bad form {form}"));
            return;
        };
        for (side, v) in [("AWS", recorded), ("stub", got)] {
            if !v.as_str().is_some_and(|s| re.is_match(s)) {
                out.push(format!(
                    "{path} (exempt: {why}): the {side} value {v} is not of the form {form}"
                ));
            }
        }
        return;
    }
    match (recorded, got) {
        (Value::Object(a), Value::Object(b)) => {
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!(
                    "{}: AWS sent {}, the stub left it out",
                    at(k),
                    a[k]
                ));
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{}: the stub sent {}, AWS did not", at(k), b[k]));
            }
            for (k, av) in a {
                if let Some(bv) = b.get(k) {
                    diff(&at(k), av, bv, out);
                }
            }
        }
        (a, b) if a != b => out.push(format!("{path}: AWS {a}, stub {b}")),
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

/// Differences between AWS's recorded answer and the stub's, for a create.
fn compare_create(recorded: &WireResponse, got: &WireResponse, unordered: bool) -> Vec<String> {
    let mut out = Vec::new();
    if recorded.status != got.status {
        out.push(format!(
            "status: AWS {}, stub {}",
            recorded.status, got.status
        ));
    }
    let (want_type, got_type) = (
        oracle::error_type_of(recorded).map(|t| t.0),
        got.header("x-amzn-errortype").map(str::to_string),
    );
    if want_type != got_type {
        out.push(format!(
            "x-amzn-errortype: AWS {want_type:?}, stub {got_type:?}"
        ));
    }
    if recorded.header("content-type") != got.header("content-type") {
        out.push(format!(
            "content-type: AWS {:?}, stub {:?}",
            recorded.header("content-type"),
            got.header("content-type")
        ));
    }
    if got.header("x-amzn-requestid").is_none() {
        out.push("x-amzn-requestid: the stub sent none (its value differs per call)".into());
    }
    let (Some(want), Some(mut have)) = (recorded.json(), got.json()) else {
        out.push(format!(
            "body: not JSON on one side: AWS {:?}, stub {:?}",
            String::from_utf8_lossy(&recorded.body),
            String::from_utf8_lossy(&got.body)
        ));
        return out;
    };
    if unordered {
        // The recording kept the errors sorted; their order on the wire is unknown.
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

/// Differences between AWS's recorded GetFunction answer and the stub's.
fn compare_get(
    recorded: &WireResponse,
    got: &WireResponse,
    create_revision: Option<&Value>,
) -> Vec<String> {
    let mut out = Vec::new();
    if recorded.status != got.status {
        out.push(format!(
            "status: AWS {}, stub {}",
            recorded.status, got.status
        ));
    }
    if got.header("x-amzn-requestid").is_none() {
        out.push("x-amzn-requestid: the stub sent none".into());
    }
    let (Some(want), Some(have)) = (recorded.json(), got.json()) else {
        out.push("body: not JSON on one side".into());
        return out;
    };
    // Code, Configuration and Tags (absent when AWS sent none) compared whole, with the same
    // exemptions in Configuration as in the create answer; in Code only Location's value.
    diff("", &want, &have, &mut out);
    // The read-back's RevisionId is not the create's (recorded: `<uuid:2>` after `<uuid:1>`).
    let now = have.pointer("/Configuration/RevisionId");
    if let (Some(rev), Some(now)) = (create_revision, now) {
        if rev == now {
            out.push(format!(
                "Configuration.RevisionId: the stub's read-back kept the create's {rev}; AWS's changed"
            ));
        }
    }
    out
}

/// What a replay found.
#[derive(Debug, Default)]
struct Replay {
    replayed: usize,
    followups: usize,
    /// (id, the audit's reason).
    not_replayable: Vec<(String, String)>,
    /// How many must replay at least: judgeable in the file and not state-dependent.
    floor: usize,
    /// (id, differences).
    mismatches: Vec<(String, Vec<String>)>,
}

fn replay(spec: &Arc<Spec>, mutant: Option<Mutant>) -> Result<Replay, Failed> {
    let exchanges = audit::read_exchanges(&fixture()).map_err(|e| e.to_string())?;
    let extras = extras()?;
    // One stub for the whole file, in file order: names created earlier exist, as the audit's
    // History assumes. Reads show the function Active at once: AWS's follow-ups were recorded
    // once the function was Active.
    let core = StubCore::new(Arc::clone(spec), mutant)
        .with_account(ACCOUNT)
        .with_active_after(Duration::ZERO);
    let stub = stub::start_blocking_with(core)?;
    let http = Http::new(stub.uri())?;
    let mut history = History::default();
    let mut out = Replay::default();
    for ex in &exchanges {
        let trial = audit::judge_after(spec, ex, &facts(), &history);
        history.record(spec, ex);
        if judgeable_and_stateless(spec, ex) {
            out.floor += 1;
        }
        if let Some(why) = trial.skipped {
            out.not_replayable.push((ex.id.clone(), why));
            continue;
        }
        let extra = extras.get(&ex.id);
        let got = http.send(
            &ex.request.method,
            &ex.request.path,
            &ex.request.headers,
            &ex.request.body,
        )?;
        out.replayed += 1;
        let mut differences =
            compare_create(&ex.response, &got, extra.is_some_and(|e| e.unordered));
        if let Some((path, headers, recorded)) = extra.and_then(|e| e.followup.as_ref()) {
            let read = http.send("GET", path, headers, b"")?;
            out.followups += 1;
            let revision = got.json().and_then(|b| b.get("RevisionId").cloned());
            differences.extend(
                compare_get(recorded, &read, revision.as_ref())
                    .into_iter()
                    .map(|d| format!("GetFunction {path}: {d}")),
            );
        }
        if !differences.is_empty() {
            if trial.outcome != Outcome::Conformant {
                differences.push(format!(
                    "the audit finds the table itself disagrees with this recording ({:?}): a spec issue",
                    trial.outcome
                ));
            }
            out.mismatches.push((ex.id.clone(), differences));
        }
    }
    Ok(out)
}

fn stub_answers_as_aws() -> Result<(), Failed> {
    let spec = Arc::new(spec::load("aws-2026", None).map_err(|e| e.to_string())?);
    let r = replay(&spec, None)?;
    println!(
        "replayed: {} exchanges ({} followups), {} not replayable",
        r.replayed,
        r.followups,
        r.not_replayable.len()
    );
    println!(
        "  at least {} must replay: judgeable in the file and not state-dependent",
        r.floor
    );
    for (id, why) in &r.not_replayable {
        println!("  not replayable: {id}: {why}");
    }
    let report: Vec<String> = r
        .mismatches
        .iter()
        .map(|(id, d)| format!("{id}:\n    {}", d.join("\n    ")))
        .collect();
    check(
        r.mismatches.is_empty(),
        format!(
            "the stub answers {} recorded exchanges unlike AWS:\n{}",
            r.mismatches.len(),
            report.join("\n")
        ),
    )?;
    check(
        r.replayed >= r.floor,
        format!(
            "only {} exchanges replayed; {} are judgeable and not state-dependent",
            r.replayed, r.floor
        ),
    )?;
    check(
        r.replayed + r.not_replayable.len() == 112,
        format!(
            "{} + {} exchanges; the fixture holds 112",
            r.replayed,
            r.not_replayable.len()
        ),
    )?;
    check(r.followups >= 6, format!("only {} followups", r.followups))
}

/// The replay is a real test: stubs broken in ways the recordings show are caught.
fn regressed_stubs_are_caught() -> Result<(), Failed> {
    let spec = Arc::new(spec::load("aws-2026", None).map_err(|e| e.to_string())?);
    let mut missed = Vec::new();
    for m in [
        Mutant::WrongDefaultMemory,
        Mutant::StateActiveOnCreate,
        Mutant::QualifiedFunctionArn,
        Mutant::HexCodeSha256,
        Mutant::EnvironmentAlwaysEchoed,
        Mutant::TagsInConfiguration,
        Mutant::CapitalMessage,
        Mutant::FirstViolationOnly,
        Mutant::ArnNameEchoed,
        Mutant::NoErrorTypeHeader,
        Mutant::ReadbackDisagrees,
        Mutant::MissingRevisionId,
        Mutant::NoBareNameLimit,
    ] {
        let r = replay(&spec, Some(m))?;
        if r.mismatches.is_empty() {
            missed.push(m.name());
        }
    }
    check(
        missed.is_empty(),
        format!("the replay did not notice these broken stubs: {missed:?}"),
    )
}

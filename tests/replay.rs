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
use serde_json::Value;
use support::check;

use lambda_conform::audit::{self, Exchange, History};
use lambda_conform::harness::replay as harness_replay;
use lambda_conform::harness::{ClientMode, RunConfig};
use lambda_conform::oracle::replay;
use lambda_conform::report::replay::{self as report_replay, ReplayOutcome};
use lambda_conform::report::Outcome;
use lambda_conform::spec::validate::{self, CallFacts, Expectation};
use lambda_conform::spec::{self, Spec};
use lambda_conform::stub::{self, Mutant, StubCore};
use lambda_conform::transport::WireResponse;

/// The recordings' caller (tests/fixtures/README.md, "Preconditions assumed").
const ACCOUNT: &str = "111111111111";
const REGION: &str = "us-east-1";

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
        (
            "replay::parity::embedded_stub_scores_every_replayable_exchange",
            embedded_stub_scores_every_replayable_exchange,
        ),
        (
            "replay::parity::a_broken_stub_scores_below_full_parity",
            a_broken_stub_scores_below_full_parity,
        ),
        (
            "replay::parity::an_endpoint_gets_fresh_names_and_is_left_clean",
            an_endpoint_gets_fresh_names_and_is_left_clean,
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

/// The library's comparison, as lines.
fn compare_create(recorded: &WireResponse, got: &WireResponse, unordered: bool) -> Vec<String> {
    replay::compare_create(recorded, got, unordered)
        .into_iter()
        .map(|d| d.text)
        .collect()
}

/// The library's comparison of a read-back, as lines.
fn compare_get(
    recorded: &WireResponse,
    got: &WireResponse,
    create_revision: Option<&Value>,
) -> Vec<String> {
    replay::compare_get(recorded, got, create_revision)
        .into_iter()
        .map(|d| d.text)
        .collect()
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

fn parity_config(seed: u64) -> RunConfig {
    RunConfig {
        seed,
        client: ClientMode::Raw,
        regressions: None,
        ..RunConfig::default()
    }
}

/// `lambda-conform replay` against the embedded stub: every replayable exchange is answered as AWS
/// did, and replay.json reads back as written.
fn embedded_stub_scores_every_replayable_exchange() -> Result<(), Failed> {
    let score = harness_replay::replay(parity_config(7), None)?;
    let s = &score.summary;
    println!("{}", score.score_line());
    check(s.replayable > 0, "nothing was replayable")?;
    check(
        s.equal == s.replayable && s.differs == 0 && s.harness_errors == 0,
        format!("the stub is not at 100%:\n{}", score.render_text()),
    )?;
    check(
        s.parity_percent == 100.0,
        format!("parity {}", s.parity_percent),
    )?;
    check(
        s.exchanges == 112 && s.skipped + s.replayable == 112,
        format!("{} exchanges, {} skipped", s.exchanges, s.skipped),
    )?;
    check(
        score
            .exchanges
            .iter()
            .filter(|x| x.outcome == ReplayOutcome::Skipped)
            .all(|x| !x.details.is_empty()),
        "a skipped exchange without its reason",
    )?;
    check(
        score.families.iter().map(|f| f.replayed).sum::<usize>() == s.replayed,
        "the families do not add up",
    )?;
    let dir = std::env::temp_dir().join(format!("lc-replay-{}", std::process::id()));
    let path = dir.join("replay.json");
    report_replay::write_json(&score, &path).map_err(|e| e.to_string())?;
    let back = report_replay::read_json(&path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    check(back == score, "replay.json does not read back as written")
}

/// The score is a real measure: a stub that words messages differently loses parity, and the
/// differing exchanges say what differs.
fn a_broken_stub_scores_below_full_parity() -> Result<(), Failed> {
    let config = RunConfig {
        mutant: Some(Mutant::CapitalMessage),
        ..parity_config(7)
    };
    let score = harness_replay::replay(config, None)?;
    let s = &score.summary;
    check(
        s.differs > 0 && s.equal < s.replayed,
        format!(
            "a capitalised-message stub still scores {}",
            score.score_line()
        ),
    )?;
    check(
        score
            .exchanges
            .iter()
            .filter(|x| x.outcome == ReplayOutcome::Differs)
            .all(|x| x.aspects.iter().any(|a| a == "message")),
        "a differing exchange that does not name the message",
    )?;
    // Per aspect: the statuses still match AWS's, the messages do not.
    let same = |a: &str| s.same.get(a).copied().unwrap_or(0);
    check(
        same("status") == s.replayed && same("message") == s.replayed - s.differs,
        format!("per-aspect counts: {}", score.aspects_text()),
    )
}

/// Against a long-running endpoint (a stub on 127.0.0.1): two runs with different seeds both score
/// 100% (their names are fresh: no 409 from the first run's functions), and every function a run
/// created is deleted.
fn an_endpoint_gets_fresh_names_and_is_left_clean() -> Result<(), Failed> {
    let spec = Arc::new(spec::load("aws-2026", None).map_err(|e| e.to_string())?);
    let stub = stub::start_blocking(Arc::clone(&spec), None)?;
    let url = url::Url::parse(&stub.uri())?;
    for seed in [1u64, 2] {
        let config = RunConfig {
            endpoint: Some(url.clone()),
            ..parity_config(seed)
        };
        let score = harness_replay::replay(config, None)?;
        check(
            score.summary.equal == score.summary.replayable && score.summary.replayable > 0,
            format!("seed {seed}: {}", score.score_line()),
        )?;
    }
    let http = Http::new(stub.uri())?;
    let list = http.send("GET", "/2015-03-31/functions/", &[], b"")?;
    let functions = list
        .json()
        .and_then(|v| v.get("Functions").and_then(Value::as_array).map(Vec::len));
    check(
        functions == Some(0),
        format!("the replay left functions behind: {functions:?}"),
    )
}

//! `lambda-conform replay`: the requests recorded against real AWS, sent to an endpoint, and its
//! answers compared with AWS's ([`crate::oracle::replay`]) into an AWS parity score.
//!
//! The recordings were made for one caller (account `111111111111`, region `us-east-1`, one role,
//! names with an 8-hex uid). Each exchange is made concrete for the endpoint before it is sent, and
//! AWS's answer with it, so that equal means equal:
//! - the account and region become the endpoint's (learned from the prepared target: the role ARN's
//!   account, the signing region);
//! - the recorded execution role becomes the run's role;
//! - a function name's uid becomes one derived from the run seed, so each run creates fresh names
//!   of the same length (lengths decide validation answers), deleted at the end.
//!
//! Which exchanges can be replayed is the audit's decision ([`audit::judge_after`]): one needing S3
//! objects, images, subnets, layers, another account, or unjudgeable in the file, is skipped with the
//! audit's reason. So is one that names, as "another" account or region, the endpoint's own.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::Digest as _;

use super::{RunConfig, RunError, Session};
use crate::audit::{self, AuditError, Exchange, History};
use crate::oracle::replay::{compare_create, compare_get, Difference};
use crate::report::replay::{ReplayScore, ReplayedExchange};
use crate::report::Tool;
use crate::spec::validate::{self, CallFacts, Expectation};
use crate::spec::Spec;
use crate::wire::{WireRequest, WireResponse};

/// The recordings shipped with the tool: CreateFunction exchanges recorded against real AWS.
pub const EMBEDDED_RECORDINGS: &str = include_str!("../../tests/fixtures/aws-recorded.jsonl");
/// How [`EMBEDDED_RECORDINGS`] is named in a score.
pub const EMBEDDED_NAME: &str = "embedded:tests/fixtures/aws-recorded.jsonl";
/// The caller the recordings were made for, when a line does not say.
const RECORDED_ACCOUNT: &str = "111111111111";
/// The region the recordings were made in, when a line does not say.
const RECORDED_REGION: &str = "us-east-1";
/// How long a follow-up read waits for a created function to leave `Pending` (AWS's follow-ups
/// were recorded once the function was Active).
const SETTLE: Duration = Duration::from_secs(30);

/// Why a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The run could not be prepared (spec: exit 2; set-up: exit 3).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The recordings could not be read (exit 2).
    #[error(transparent)]
    Recordings(#[from] AuditError),
}

impl ReplayError {
    /// The documented exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            ReplayError::Run(e) => e.exit_code(),
            ReplayError::Recordings(_) => 2,
        }
    }
}

/// A recorded GetFunction after the create: path, request headers, AWS's answer.
pub type Followup = (String, Vec<(String, String)>, WireResponse);

/// What the audit's reader leaves out of a line: the follow-up GetFunction, and whether a
/// multi-error message's errors were recorded sorted ("compare them as a set").
#[derive(Debug, Default, Clone)]
pub struct Extra {
    /// The recorded GetFunction after the create: path, request headers, AWS's answer.
    pub followup: Option<Followup>,
    /// The message's `; `-separated errors are in an unknown order.
    pub unordered: bool,
}

/// The extras of every JSON line of `text`, by id (HAR files have none).
pub fn extras(text: &str) -> BTreeMap<String, Extra> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(id) = v["id"].as_str() else {
            continue;
        };
        let unordered = v["provenance"]["reconstructed"]
            .as_array()
            .is_some_and(|r| {
                r.iter().any(|s| {
                    s.as_str()
                        .is_some_and(|s| s.contains("compare them as a set"))
                })
            });
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
        let followup = v.get("followup").and_then(|f| {
            let path = f["request"]["path"].as_str()?.to_string();
            let status = u16::try_from(f["response"]["status"].as_u64()?).ok()?;
            let response = WireResponse {
                status,
                headers: headers(&f["response"]["headers"]),
                body: f["response"]["body"]
                    .as_str()
                    .unwrap_or("")
                    .as_bytes()
                    .to_vec(),
            };
            Some((path, headers(&f["request"]["headers"]), response))
        });
        out.insert(
            id.to_string(),
            Extra {
                followup,
                unordered,
            },
        );
    }
    out
}

/// The family the table files a request's expected answer under: the first member the expected
/// error names (`function_name`, `code`, `wire`…), `multi` when it names several, `valid` for a
/// success.
pub fn family_of(spec: &Spec, ex: &Exchange, facts: &CallFacts) -> String {
    let facts = CallFacts {
        body_bytes: ex.request.body.len(),
        ..facts.clone()
    };
    match validate::answer_with(
        spec,
        &ex.request.body,
        ex.request.header("content-type"),
        &facts,
    ) {
        Expectation::Success => "valid".into(),
        Expectation::Error(e) => {
            let fams: std::collections::BTreeSet<String> = e
                .rows
                .iter()
                .map(|row| {
                    let member = row.split(' ').next().unwrap_or(row);
                    let id = crate::generate::member_id(member);
                    id.split("::").next().unwrap_or(&id).to_string()
                })
                .collect();
            match fams.len() {
                0 => "other".into(),
                1 => fams.into_iter().next().unwrap_or_default(),
                _ => "multi".into(),
            }
        }
    }
}

/// The substitutions that make one exchange concrete for the run, longest first.
struct Concrete {
    pairs: Vec<(String, String)>,
}

impl Concrete {
    fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (from, to) in &self.pairs {
            if from != to {
                out = out.replace(from.as_str(), to);
            }
        }
        out
    }

    fn bytes(&self, body: &[u8]) -> Vec<u8> {
        match std::str::from_utf8(body) {
            Ok(t) => self.apply(t).into_bytes(),
            Err(_) => body.to_vec(),
        }
    }

    fn response(&self, r: &WireResponse) -> WireResponse {
        WireResponse {
            status: r.status,
            headers: r.headers.clone(),
            body: self.bytes(&r.body),
        }
    }
}

/// The bare function name a request body names (the part after `function:` of an ARN).
fn bare_name(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let name = v.get("FunctionName")?.as_str()?;
    let bare = match name.split_once("function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => name,
    };
    Some(bare.to_string())
}

/// The name with its trailing 8-hex uid replaced by one derived from `seed` (None without a uid).
fn fresh_name(name: &str, seed: u64) -> Option<String> {
    let n = name.len();
    if n < 9 {
        return None;
    }
    let (head, uid) = name.split_at(n - 8);
    let is_uid = uid
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && head.ends_with(['-', '_']);
    if !is_uid {
        return None;
    }
    let digest = sha2::Sha256::digest(format!("{seed:016x}/{uid}").as_bytes());
    Some(format!(
        "{head}{:02x}{:02x}{:02x}{:02x}",
        digest[0], digest[1], digest[2], digest[3]
    ))
}

fn concrete_for(ex: &Exchange, run: &RunPlace, seed: u64) -> Concrete {
    let rec_account = ex.account.as_deref().unwrap_or(RECORDED_ACCOUNT);
    let rec_region = ex.region.as_deref().unwrap_or(RECORDED_REGION);
    let mut pairs = Vec::new();
    if let Some(name) = bare_name(&ex.request.body) {
        if let Some(fresh) = fresh_name(&name, seed) {
            pairs.push((name, fresh));
        }
    }
    // The recorded execution role (a role ARN of the recorded account), then account and region.
    if let Ok(v) = serde_json::from_slice::<Value>(&ex.request.body) {
        if let Some(role) = v.get("Role").and_then(Value::as_str) {
            if role.starts_with(&format!("arn:aws:iam::{rec_account}:role/")) {
                pairs.insert(0, (role.to_string(), run.role.clone()));
            }
        }
    }
    // `ACCOUNT:` and `:REGION:` never occur in base64 (zips) or uuids: only in ARNs.
    pairs.push((format!("{rec_account}:"), format!("{}:", run.account)));
    pairs.push((format!(":{rec_region}:"), format!(":{}:", run.region)));
    pairs.push((
        format!("awslambda-{rec_region}-tasks.s3.{rec_region}."),
        format!("awslambda-{0}-tasks.s3.{0}.", run.region),
    ));
    Concrete { pairs }
}

/// Where the recordings are made concrete for.
struct RunPlace {
    account: String,
    region: String,
    role: String,
}

/// Why this exchange cannot be made concrete here: it names, as another account or region, the
/// endpoint's own.
fn collision(ex: &Exchange, run: &RunPlace) -> Option<String> {
    let text = String::from_utf8_lossy(&ex.request.body);
    let rec_account = ex.account.as_deref().unwrap_or(RECORDED_ACCOUNT);
    let rec_region = ex.region.as_deref().unwrap_or(RECORDED_REGION);
    if run.account != rec_account && text.contains(&run.account) {
        return Some(format!(
            "names account {} as another account, but it is this endpoint's own: the recording cannot be made concrete here",
            run.account
        ));
    }
    if run.region != rec_region && text.contains(&format!(":{}:", run.region)) {
        return Some(format!(
            "names region {} as another region, but it is this endpoint's own: the recording cannot be made concrete here",
            run.region
        ));
    }
    None
}

/// Replays the recordings (`recordings`: a file, or None for [`EMBEDDED_RECORDINGS`]) against the
/// endpoint `config` describes (the embedded stub when it names none) and scores the answers.
/// Every function it creates is deleted at the end.
pub fn replay(config: RunConfig, recordings: Option<&Path>) -> Result<ReplayScore, ReplayError> {
    let (name, text) = match recordings {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p)
                .map_err(|e| AuditError::Read(p.display().to_string(), e.to_string()))?,
        ),
        None => (EMBEDDED_NAME.to_string(), EMBEDDED_RECORDINGS.to_string()),
    };
    let exchanges = audit::exchanges_from_text(&name, &text)?;
    let extras = extras(&text);
    let seed = config.seed;
    let session = Session::prepare(config)?;
    let run = RunPlace {
        account: session
            .facts
            .account
            .clone()
            .or_else(|| session.ctx.account.clone())
            .unwrap_or_else(|| crate::stub::ACCOUNT.to_string()),
        region: session.ctx.region.clone(),
        role: session.ctx.role.clone(),
    };
    let spec = &session.spec;
    let mut history = History::default();
    let mut created = Vec::new();
    let mut out = Vec::new();
    for ex in &exchanges {
        let facts = CallFacts {
            body_bytes: 0,
            region: Some(ex.region.clone().unwrap_or_else(|| RECORDED_REGION.into())),
            account: Some(
                ex.account
                    .clone()
                    .unwrap_or_else(|| RECORDED_ACCOUNT.into()),
            ),
        };
        let trial = audit::judge_after(spec, ex, &facts, &history);
        history.record(spec, ex);
        let family = family_of(spec, ex, &facts);
        let skip = trial.skipped.clone().or_else(|| collision(ex, &run));
        if let Some(why) = skip {
            out.push(ReplayedExchange {
                id: ex.id.clone(),
                family,
                outcome: crate::oracle::replay::not_replayed(),
                aspects: Vec::new(),
                details: vec![why],
            });
            continue;
        }
        let c = concrete_for(ex, &run, seed);
        let req = WireRequest {
            method: ex.request.method.clone(),
            path: c.apply(&ex.request.path),
            headers: ex
                .request
                .headers
                .iter()
                .filter(|(k, _)| {
                    !matches!(
                        k.to_ascii_lowercase().as_str(),
                        "authorization"
                            | "host"
                            | "x-amz-date"
                            | "x-amz-security-token"
                            | "content-length"
                    )
                })
                .cloned()
                .collect(),
            body: c.bytes(&ex.request.body),
        };
        let got = match session.block_on(session.api().send(&req)) {
            Ok(r) => r,
            Err(e) => {
                out.push(ReplayedExchange {
                    id: ex.id.clone(),
                    family,
                    outcome: crate::oracle::replay::no_answer(),
                    aspects: Vec::new(),
                    details: vec![e.to_string()],
                });
                continue;
            }
        };
        if (200..300).contains(&got.status) {
            if let Some(n) = bare_name(&req.body) {
                created.push(n);
            }
        }
        let extra = extras.get(&ex.id).cloned().unwrap_or_default();
        let mut diffs = compare_create(&c.response(&ex.response), &got, extra.unordered);
        if let Some((path, headers, recorded)) = &extra.followup {
            let path = c.apply(path);
            let read = read_back(&session, &path, headers);
            let revision = got.json().and_then(|b| b.get("RevisionId").cloned());
            match read {
                Ok(read) => diffs.extend(
                    compare_get(&c.response(recorded), &read, revision.as_ref())
                        .into_iter()
                        .map(|d| Difference {
                            text: format!("GetFunction: {}", d.text),
                            ..d
                        }),
                ),
                Err(e) => diffs.push(Difference {
                    aspect: crate::oracle::replay::Aspect::Body,
                    text: format!("GetFunction: no answer: {e}"),
                }),
            }
        }
        let (outcome, aspects, details) = crate::oracle::replay::verdict(diffs);
        out.push(ReplayedExchange {
            id: ex.id.clone(),
            family,
            outcome,
            aspects,
            details,
        });
    }
    for name in created {
        // Names this run made fresh (seed-derived uids): nothing else is deleted.
        let _ = session.block_on(session.api().delete_function(&name));
    }
    let report = session.report(Vec::new());
    let mut score = ReplayScore {
        tool: Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        profile: report.profile,
        endpoint: report.endpoint,
        target: report.target,
        recordings: name,
        account: run.account,
        region: run.region,
        seed: report.seed,
        started: report.started,
        finished: report.finished,
        summary: Default::default(),
        families: Vec::new(),
        exchanges: out,
    };
    score.recount();
    Ok(score)
}

/// The recorded follow-up read, once the function has left `Pending` (or [`SETTLE`] has passed).
fn read_back(
    s: &Session,
    path: &str,
    headers: &[(String, String)],
) -> Result<WireResponse, String> {
    let req = WireRequest {
        method: "GET".into(),
        path: path.to_string(),
        headers: headers
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "authorization" | "host" | "x-amz-date"))
            .cloned()
            .collect(),
        body: Vec::new(),
    };
    let start = Instant::now();
    let mut polls = 0;
    loop {
        let r = s.block_on(s.api().call(&req)).map_err(|e| e.to_string())?;
        let pending = r
            .json()
            .and_then(|b| {
                b.pointer("/Configuration/State")
                    .and_then(Value::as_str)
                    .map(|st| st == "Pending")
            })
            .unwrap_or(false);
        if !pending || start.elapsed() > SETTLE {
            return Ok(r);
        }
        std::thread::sleep(super::lifecycle::poll_wait(polls));
        polls += 1;
    }
}

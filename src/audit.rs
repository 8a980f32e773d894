//! Judging recorded exchanges without sending anything (`lambda-conform audit`).
//!
//! Reads HAR 1.2 files (what proxies, browsers and API tools write) and JSON-lines files
//! (`{"request": {"method", "path", "headers", "body"}, "response": {"status", "headers", "body"}}`, plus
//! optional `id`, `provenance`, `judgeable`, `reason`, and `region`/`account`: where the exchange was
//! made, when its request carries no signature or Host that says so). Each CreateFunction exchange is classified by the
//! table (valid, or which constraints it breaks), the expectation is derived exactly as for a generated
//! case, and the oracle gives its verdict. This is how the oracle is checked against real AWS.
//!
//! Only what the request determines is judged. When the table calls a request valid but it names
//! something that must exist (the table's `[[resource]]` rows: an S3 object, an image, subnets,
//! layers, KMS keys…) or a resource of another account, the answer depends on state the request
//! does not show, and the exchange is unjudgeable with that reason. A function name is state too:
//! a 409 conflict is judged only when an earlier exchange of the same files created that name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::oracle::{self, Facts};
use crate::report::{Report, Summary, Tool, TrialRecord};
use crate::spec::validate::{self, CallFacts, Expectation};
use crate::spec::Spec;
use crate::wire::{WireRequest, WireResponse};

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// A stable id (the file's `id`, or `FILE#N`).
    pub id: String,
    /// The request.
    pub request: WireRequest,
    /// The recorded answer.
    pub response: WireResponse,
    /// False when the exchange cannot be judged offline, with the reason.
    pub unjudgeable: Option<String>,
    /// Where it comes from, in one line.
    pub provenance: Option<String>,
    /// The region the file says the exchange was made in (used unless the request says otherwise).
    pub region: Option<String>,
    /// The caller's account the file gives (used instead of `--account`).
    pub account: Option<String>,
}

/// A file that cannot be audited.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Unreadable.
    #[error("cannot read {0}: {1}")]
    Read(String, String),
    /// Neither HAR nor JSON lines, or a line of the wrong shape.
    #[error("{0}: {1}")]
    Format(String, String),
}

fn headers_of(v: Option<&Value>) -> Vec<(String, String)> {
    match v {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|h| {
                Some((
                    h.get("name")?.as_str()?.to_ascii_lowercase(),
                    h.get("value")?.as_str()?.to_string(),
                ))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn body_of(v: Option<&Value>) -> Vec<u8> {
    match v {
        Some(Value::String(s)) => s.clone().into_bytes(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => other.to_string().into_bytes(),
    }
}

fn from_jsonl(name: &str, n: usize, v: &Value) -> Result<Exchange, AuditError> {
    let bad = |what: &str| AuditError::Format(format!("{name}:{}", n + 1), what.to_string());
    let unjudgeable = match v.get("judgeable") {
        Some(Value::Bool(false)) => Some(
            v.get("reason")
                .and_then(Value::as_str)
                .unwrap_or("marked unjudgeable")
                .to_string(),
        ),
        _ => None,
    };
    let req = v.get("request").ok_or_else(|| bad("no `request`"))?;
    let none = Value::Null;
    let resp = match v.get("response") {
        Some(r) if !r.is_null() => r,
        _ if unjudgeable.is_some() => &none,
        _ => return Err(bad("no `response`")),
    };
    let request = WireRequest {
        method: req
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("POST")
            .to_string(),
        path: req
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("`request.path` missing"))?
            .to_string(),
        headers: headers_of(req.get("headers")),
        body: body_of(req.get("body")),
    };
    let status = resp
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    let response = WireResponse {
        status: match (status, &unjudgeable) {
            (Some(s), _) => s,
            (None, Some(_)) => 0,
            (None, None) => return Err(bad("`response.status` missing")),
        },
        headers: headers_of(resp.get("headers")),
        body: body_of(resp.get("body")),
    };
    let provenance = v.get("provenance").map(|p| {
        let get = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
        format!(
            "{} {} (recorded {})",
            get("file"),
            get("snapshot_key"),
            get("recorded_on")
        )
    });
    Ok(Exchange {
        id: v
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{name}#{}", n + 1), str::to_string),
        request,
        response,
        unjudgeable,
        provenance,
        region: v.get("region").and_then(Value::as_str).map(str::to_string),
        account: v.get("account").and_then(Value::as_str).map(str::to_string),
    })
}

/// The bytes of a HAR `content` or `postData`: its `text`, base64-decoded when `encoding` says so
/// (HAR 1.2 defines it for responses; lambda-conform's bundles use it for request bodies that are
/// not UTF-8 too).
fn har_text(v: Option<&Value>) -> Vec<u8> {
    let text = v
        .and_then(|c| c.get("text"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if v.and_then(|c| c.get("encoding")).and_then(Value::as_str) == Some("base64") {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap_or_else(|_| text.as_bytes().to_vec())
    } else {
        text.as_bytes().to_vec()
    }
}

fn from_har(name: &str, har: &Value) -> Result<Vec<Exchange>, AuditError> {
    let entries = har
        .get("log")
        .and_then(|l| l.get("entries"))
        .and_then(Value::as_array)
        .ok_or_else(|| AuditError::Format(name.into(), "a HAR file needs log.entries".into()))?;
    let mut out = Vec::new();
    for (n, e) in entries.iter().enumerate() {
        let req = e.get("request").cloned().unwrap_or(Value::Null);
        let resp = e.get("response").cloned().unwrap_or(Value::Null);
        let url = req.get("url").and_then(Value::as_str).unwrap_or("");
        let path = url::Url::parse(url)
            .map(|u| match u.query() {
                Some(q) => format!("{}?{q}", u.path()),
                None => u.path().to_string(),
            })
            .unwrap_or_else(|_| url.to_string());
        let body = har_text(resp.get("content"));
        out.push(Exchange {
            id: format!("{name}#{}", n + 1),
            request: WireRequest {
                method: req
                    .get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_string(),
                path,
                headers: headers_of(req.get("headers")),
                body: har_text(req.get("postData")),
            },
            response: WireResponse {
                status: resp.get("status").and_then(Value::as_u64).unwrap_or(0) as u16,
                headers: headers_of(resp.get("headers")),
                body,
            },
            unjudgeable: None,
            provenance: Some(format!("HAR entry {}", n + 1)),
            region: None,
            account: None,
        });
    }
    Ok(out)
}

/// Reads one file (HAR when it is one JSON document with `log.entries`, else JSON lines).
pub fn read_exchanges(path: &Path) -> Result<Vec<Exchange>, AuditError> {
    let name = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|e| AuditError::Read(name.clone(), e.to_string()))?;
    exchanges_from_text(&name, &text)
}

/// Reads the text of one file named `name` (in error lines): HAR when it is one JSON document with
/// `log.entries`, else JSON lines. Any text gives exchanges or an error, never a panic.
pub fn exchanges_from_text(name: &str, text: &str) -> Result<Vec<Exchange>, AuditError> {
    let name = name.to_string();
    if let Ok(doc) = serde_json::from_str::<Value>(text) {
        if doc.get("log").is_some() {
            return from_har(&name, &doc);
        }
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let v: Value = serde_json::from_str(l).map_err(|e| {
                AuditError::Format(format!("{name}:{}", n + 1), format!("not JSON: {e}"))
            })?;
            from_jsonl(&name, n, &v)
        })
        .collect()
}

/// The region a request was made for: its SigV4 scope, or its Host `lambda.REGION.amazonaws.com`.
fn region_of(req: &WireRequest) -> Option<String> {
    if let Some(auth) = req.header("authorization") {
        let scope = auth.split("Credential=").nth(1)?;
        return scope.split('/').nth(2).map(str::to_string);
    }
    let host = req.header("host")?;
    let mut parts = host.split('.');
    (parts.next() == Some("lambda")).then(|| parts.next().map(str::to_string))?
}

/// What the exchanges read so far establish: the functions they created and did not delete.
///
/// An answer that depends on such state (a 409 for a name taken earlier) can be judged only when
/// the file itself holds the exchanges that set it up.
#[derive(Debug, Clone, Default)]
pub struct History {
    created: BTreeSet<String>,
}

impl History {
    /// Takes in one exchange (whatever its verdict): a successful create adds its name, a
    /// successful delete removes it.
    pub fn record(&mut self, spec: &Spec, ex: &Exchange) {
        if !(200..300).contains(&ex.response.status) || ex.unjudgeable.is_some() {
            return;
        }
        if is_create(spec, &ex.request) {
            let body: Option<Value> = serde_json::from_slice(&ex.request.body).ok();
            if let Some(name) = body.as_ref().and_then(function_name) {
                self.created.insert(name);
            }
        } else if ex.request.method.eq_ignore_ascii_case("DELETE") {
            if let Some(rest) = ex
                .request
                .path
                .strip_prefix(&format!("{}/", spec.source.uri))
            {
                let raw = rest.split(['?', '/']).next().unwrap_or(rest);
                let decoded: String = url::form_urlencoded::parse(format!("n={raw}").as_bytes())
                    .map(|(_, v)| v.into_owned())
                    .next()
                    .unwrap_or_default();
                self.created.remove(&bare_name(&decoded));
            }
        }
    }

    /// Whether an earlier exchange created `name` (bare name) and none deleted it.
    pub fn exists(&self, name: &str) -> bool {
        self.created.contains(name)
    }
}

fn is_create(spec: &Spec, req: &WireRequest) -> bool {
    req.method.eq_ignore_ascii_case(&spec.source.method) && req.path == spec.source.uri
}

/// `FunctionName` as a bare name (`arn:…:function:NAME[:qualifier]` and `ACCOUNT:function:NAME` too).
fn function_name(body: &Value) -> Option<String> {
    body.get("FunctionName")
        .and_then(Value::as_str)
        .map(bare_name)
}

fn bare_name(name: &str) -> String {
    match name.split_once(":function:") {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest).to_string(),
        None => name.to_string(),
    }
}

/// Every value at a table path (`VpcConfig.SubnetIds[]`, `Tags{key}`, `Code.S3Key`).
fn values_at<'a>(root: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![root];
    for segment in path.split('.') {
        let (name, suffix) = match segment.find(['[', '{']) {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        let mut next = Vec::new();
        for v in current {
            let Some(child) = v.get(name) else { continue };
            match (suffix, child) {
                ("[]", Value::Array(items)) => next.extend(items.iter()),
                (s, Value::Object(m)) if s.starts_with('{') => next.extend(m.values()),
                ("", c) => next.push(c),
                _ => {}
            }
        }
        current = next;
    }
    current
        .into_iter()
        .filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => true,
        })
        .collect()
}

/// Why the answer to a request the table calls valid depends on state the request does not show:
/// the members it sends whose values name things that must exist (the table's `[[resource]]`
/// rows), and ARNs of another account than the caller's. `None` when the request determines it.
/// A resource the base request names (the execution role) is the target's set-up, not state of one
/// exchange: every request needs one, and whoever sent it had one (a run creates its own).
pub fn state_dependence(spec: &Spec, body: &Value, facts: &CallFacts) -> Option<String> {
    // One entry per need, with the paths that name it, in table order.
    let mut needs: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |need: String, path: String| match needs.iter_mut().find(|(n, _)| *n == need) {
        Some((_, paths)) => paths.push(path),
        None => needs.push((need, vec![path])),
    };
    for m in &spec.members {
        if let Some(need) = &m.needs_resource {
            if values_at(&spec.base_request, &m.path).is_empty()
                && !values_at(body, &m.path).is_empty()
            {
                add(need.clone(), m.path.clone());
            }
        }
    }
    if let Some(account) = &facts.account {
        let mut foreign = Vec::new();
        collect_foreign_arns(body, "", account, &mut foreign);
        for (path, other) in foreign {
            add(format!("a resource in another account ({other})"), path);
        }
    }
    if needs.is_empty() {
        return None;
    }
    let what: Vec<String> = needs
        .iter()
        .map(|(need, paths)| format!("{need} ({})", paths.join(", ")))
        .collect();
    Some(format!(
        "depends on {}: state that is not in the request",
        what.join("; ")
    ))
}

/// `(path, account)` for every string that is an ARN of an account other than `account`.
fn collect_foreign_arns(v: &Value, path: &str, account: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) if s.starts_with("arn:") => {
            if let Some(other) = s.split(':').nth(4) {
                if other.len() == 12
                    && other.bytes().all(|b| b.is_ascii_digit())
                    && other != account
                {
                    out.push((path.to_string(), other.to_string()));
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_foreign_arns(item, &format!("{path}[]"), account, out);
            }
        }
        Value::Object(m) => {
            for (k, item) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect_foreign_arns(item, &p, account, out);
            }
        }
        _ => {}
    }
}

/// Whether `resp` is the table's conflict answer (status and error type).
fn is_conflict(spec: &Spec, resp: &WireResponse) -> bool {
    resp.status == spec.conflict.status
        && oracle::error_type_of(resp).is_some_and(|(t, _)| t == spec.conflict.error_type)
}

/// Judges one exchange on its own (as the first of its file).
pub fn judge(spec: &Spec, ex: &Exchange, facts: &CallFacts) -> TrialRecord {
    judge_after(spec, ex, facts, &History::default())
}

/// Judges one exchange after the exchanges that `history` took in.
///
/// A request the table calls valid gets an answer that depends on state: whether the resources it
/// names exist (and what they hold), and whether its function name is taken. The first makes the
/// exchange unjudgeable, with the reason; the second is judged when `history` shows the name taken
/// (the table's conflict answer is then expected), and is unjudgeable when the answer is a
/// conflict that no earlier exchange explains.
pub fn judge_after(
    spec: &Spec,
    ex: &Exchange,
    facts: &CallFacts,
    history: &History,
) -> TrialRecord {
    let mut record = TrialRecord::new(ex.id.clone(), "recorded");
    record.observed = oracle::describe_response(&ex.response);
    record.message = ex.provenance.clone().unwrap_or_default();
    record.instances = 1;
    if let Some(why) = &ex.unjudgeable {
        return skip(record, why.clone());
    }
    if !is_create(spec, &ex.request) {
        let why = format!(
            "not a CreateFunction exchange ({} {})",
            ex.request.method, ex.request.path
        );
        return skip(record, why);
    }
    let mut facts = facts.clone();
    facts.body_bytes = ex.request.body.len();
    if let Some(r) = region_of(&ex.request).or_else(|| ex.region.clone()) {
        facts.region = Some(r);
    }
    if let Some(a) = &ex.account {
        facts.account = Some(a.clone());
    }
    let mut answer = validate::answer_with(
        spec,
        &ex.request.body,
        ex.request.header("content-type"),
        &facts,
    );
    let mut classification = match &answer {
        Expectation::Success => "valid".to_string(),
        Expectation::Error(e) => format!("breaks {}", oracle::rows(e)),
    };
    if matches!(answer, Expectation::Success) {
        let body: Value = serde_json::from_slice(&ex.request.body).unwrap_or(Value::Null);
        if let Some(why) = state_dependence(spec, &body, &facts) {
            return skip(record, why);
        }
        let name = function_name(&body).unwrap_or_default();
        if history.exists(&name) {
            answer = Expectation::Error(validate::conflict(spec, &name));
            classification = format!("valid, but an earlier exchange created {name}");
        } else if is_conflict(spec, &ex.response) {
            let why = format!(
                "depends on an earlier create of {name}: state that is not in the request, and no earlier exchange of the file created it"
            );
            return skip(record, why);
        }
    }
    let ofacts = Facts {
        region: facts.region.clone(),
        account: facts.account.clone(),
        assumption: None,
    };
    let j = oracle::judge(
        spec,
        &ex.request,
        &answer,
        &Ok(ex.response.clone()),
        &ofacts,
    );
    let findings = j.message();
    let record = TrialRecord {
        instances: 1,
        observed: record.observed,
        ..TrialRecord::judged(ex.id.clone(), "recorded", &j)
    };
    TrialRecord {
        message: [
            Some(classification),
            ex.provenance.clone(),
            (!findings.is_empty()).then_some(findings),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n"),
        ..record
    }
}

/// A record the audit does not judge, with the reason.
fn skip(record: TrialRecord, why: String) -> TrialRecord {
    let j = oracle::Judgement::skipped(why);
    TrialRecord {
        message: record.message,
        observed: record.observed,
        instances: record.instances,
        ..TrialRecord::judged(record.id, record.kind, &j)
    }
}

/// Judges every exchange of every file; one trial per exchange.
pub fn audit_files(
    spec: &Spec,
    files: &[PathBuf],
    facts: &CallFacts,
) -> Result<Report, AuditError> {
    let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut trials = Vec::new();
    let mut history = History::default();
    for f in files {
        let exchanges = read_exchanges(f)?;
        if exchanges.is_empty() {
            return Err(AuditError::Format(
                f.display().to_string(),
                "no exchanges (a HAR file with entries, or JSON lines)".into(),
            ));
        }
        for ex in exchanges {
            trials.push(judge_after(spec, &ex, facts, &history));
            history.record(spec, &ex);
        }
    }
    let mut report = Report {
        findings: Vec::new(),
        coverage: Vec::new(),
        tool: Tool {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        profile: spec.profile.clone(),
        endpoint: files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        target: "recorded".into(),
        seed: String::new(),
        started,
        finished: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        summary: Summary::default(),
        trials,
        levels: Vec::new(),
        corpus_sha256: String::new(),
    };
    report.recount();
    Ok(report)
}

//! Judging recorded exchanges without sending anything (`lambda-conform audit`).
//!
//! Reads HAR 1.2 files (what proxies, browsers and API tools write) and JSON-lines files
//! (`{"request": {"method", "path", "headers", "body"}, "response": {"status", "headers", "body"}}`, plus
//! optional `id`, `provenance`, `judgeable`, `reason`, and `region`/`account`: where the exchange was
//! made, when its request carries no signature or Host that says so). Each CreateFunction exchange is classified by the
//! table (valid, or which constraints it breaks), the expectation is derived exactly as for a generated
//! case, and the oracle gives its verdict. This is how the oracle is checked against real AWS.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::oracle::{self, Facts};
use crate::report::{Report, Summary, Tool, TrialRecord};
use crate::spec::validate::{self, Answer, CallFacts};
use crate::spec::Spec;
use crate::transport::{WireRequest, WireResponse};

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
        let content = resp.get("content");
        let text = content
            .and_then(|c| c.get("text"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let body = if content
            .and_then(|c| c.get("encoding"))
            .and_then(Value::as_str)
            == Some("base64")
        {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .unwrap_or_else(|_| text.as_bytes().to_vec())
        } else {
            text.as_bytes().to_vec()
        };
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
                body: req
                    .get("postData")
                    .and_then(|p| p.get("text"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .as_bytes()
                    .to_vec(),
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
    if let Ok(doc) = serde_json::from_str::<Value>(&text) {
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

/// Judges one exchange.
pub fn judge(spec: &Spec, ex: &Exchange, facts: &CallFacts) -> TrialRecord {
    let mut record = TrialRecord::new(ex.id.clone(), "recorded");
    record.observed = oracle::describe_response(&ex.response);
    record.message = ex.provenance.clone().unwrap_or_default();
    record.instances = 1;
    if let Some(why) = &ex.unjudgeable {
        record.skipped = Some(why.clone());
        return record;
    }
    let is_create = ex.request.method.eq_ignore_ascii_case(&spec.source.method)
        && ex.request.path == spec.source.uri;
    if !is_create {
        record.skipped = Some(format!(
            "not a CreateFunction exchange ({} {})",
            ex.request.method, ex.request.path
        ));
        return record;
    }
    let mut facts = facts.clone();
    facts.body_bytes = ex.request.body.len();
    if let Some(r) = region_of(&ex.request).or_else(|| ex.region.clone()) {
        facts.region = Some(r);
    }
    if let Some(a) = &ex.account {
        facts.account = Some(a.clone());
    }
    let answer = validate::answer_with(
        spec,
        &ex.request.body,
        ex.request.header("content-type"),
        &facts,
    );
    let classification = match &answer {
        Answer::Success => "valid".to_string(),
        Answer::Error(e) => format!("breaks {}", oracle::rows(e)),
    };
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
    record.outcome = j.outcome;
    record.expected = j.expected.clone();
    record.basis = j.basis.as_str().into();
    let findings = j.message();
    record.message = [
        Some(classification),
        ex.provenance.clone(),
        (!findings.is_empty()).then_some(findings),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n");
    record
}

/// Judges every exchange of every file; one trial per exchange.
pub fn audit_files(
    spec: &Spec,
    files: &[PathBuf],
    facts: &CallFacts,
) -> Result<Report, AuditError> {
    let started = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut trials = Vec::new();
    for f in files {
        for ex in read_exchanges(f)? {
            trials.push(judge(spec, &ex, facts));
        }
    }
    let mut report = Report {
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
    };
    report.recount();
    Ok(report)
}

//! Results bundles: what a vendor publishes (`run --bundle DIR`) and anyone checks offline
//! (`lambda-conform verify DIR`).
//!
//! A bundle holds:
//! - `report.json`, `junit.xml`, `report.md`, `report.html`: the reports;
//! - `exchanges.har`: every exchange the run made with the Lambda API (HAR 1.2; requests as the
//!   harness built them, before signing, so no credential is in the file). A check's judged request
//!   carries `_check` and `_verdict` (the oracle's outcome and findings on that exchange alone);
//!   read-back and clean-up calls carry `_check`; a request that got no answer has status 0 and `_error`.
//!   The SDK twins' requests go through aws-sdk-lambda's own HTTP stack and are not in it;
//! - `corpus.jsonl`: the frozen corpus of what the case classes sent (its sha256 is the report's
//!   `corpus_sha256`);
//! - `run.json`: tool version, profile, target, endpoint, seed, corpus sha256, the region and account
//!   the oracle judged with, the levels;
//! - `badge.svg`: the highest level passed and the date;
//! - `vendor.toml`: product, version and contact, for the vendor to fill in — **not** in the hash
//!   list, because it is meant to be edited after the run;
//! - `SHA256SUMS`: the sha256 of every other file (`sha256sum -c SHA256SUMS` reads it).
//!
//! [`verify`] finds every problem, one line each naming the file: a hash that does not match, a
//! file missing or not listed, a report whose Markdown, HTML or JUnit is not what report.json
//! renders to, counts or levels that its trials do not give, a recorded verdict that the oracle,
//! judging the recorded exchange again, does not give, and a check whose reported outcome none of
//! its recorded exchanges supports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::harness::corpus::sha256_hex;
use crate::oracle::{self, Facts, Finding, Judgement, Outcome};
use crate::report::{self, levels, Report};
use crate::spec::validate::{self, CallFacts};
use crate::spec::Spec;
use crate::transport::record::Recorded;
use crate::wire::{WireRequest, WireResponse};

/// The hash list's file name.
pub const MANIFEST: &str = "SHA256SUMS";
/// The vendor's file (not hashed: the vendor edits it).
pub const VENDOR: &str = "vendor.toml";
/// The exchanges.
pub const HAR: &str = "exchanges.har";
/// The corpus.
pub const CORPUS: &str = "corpus.jsonl";
/// The run's facts.
pub const RUN: &str = "run.json";
/// The badge.
pub const BADGE: &str = "badge.svg";

/// Finding rules a check adds beside the oracle's verdict on its one exchange (a function left
/// behind after an error answer, a snapshot that changed).
const BESIDE_THE_EXCHANGE: [&str; 2] = ["left behind", "snapshot"];

/// What `run.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunFacts {
    /// `lambda-conform`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// The spec profile.
    pub profile: String,
    /// The target kind.
    pub target: String,
    /// The endpoint.
    pub endpoint: String,
    /// The run seed.
    pub seed: String,
    /// sha256 of corpus.jsonl.
    pub corpus_sha256: String,
    /// The region the oracle judged with.
    pub region: Option<String>,
    /// The account the oracle judged with.
    pub account: Option<String>,
    /// Start time.
    pub started: String,
    /// Each level's status (`core: pass`).
    pub levels: BTreeMap<String, String>,
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file could not be written.
    #[error("cannot write {path}: {error}")]
    Write {
        /// The file.
        path: String,
        /// The error.
        error: String,
    },
    /// The reports could not be written.
    #[error(transparent)]
    Report(#[from] report::ReportError),
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), BundleError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| BundleError::Write {
        path: path.display().to_string(),
        error: e.to_string(),
    })
}

fn body_json(body: &[u8]) -> Value {
    match std::str::from_utf8(body) {
        Ok(t) => json!({ "text": t }),
        Err(_) => json!({
            "text": base64::engine::general_purpose::STANDARD.encode(body),
            "encoding": "base64"
        }),
    }
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Value::Object(x), Value::Object(y)) = (&mut a, b) {
        x.extend(y);
    }
    a
}

fn har_headers(h: &[(String, String)]) -> Value {
    Value::Array(
        h.iter()
            .map(|(k, v)| json!({ "name": k, "value": v }))
            .collect(),
    )
}

/// The verdict as recorded in the HAR: the outcome and the oracle's findings.
fn verdict_json(j: &Judgement) -> Value {
    json!({ "outcome": j.outcome(), "findings": j.findings })
}

/// The HAR 1.2 document of a run's exchanges.
pub fn har(endpoint: &str, exchanges: &[(Recorded, Option<Judgement>)]) -> Value {
    let base = endpoint.trim_end_matches('/');
    let entries: Vec<Value> = exchanges
        .iter()
        .map(|(e, verdict)| {
            let req = &e.request;
            let ct = req.header("content-type").unwrap_or("").to_string();
            let mut request = json!({
                "method": req.method,
                "url": format!("{base}{}", req.path),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": har_headers(&req.headers),
                "queryString": [],
                "headersSize": -1,
                "bodySize": req.body.len(),
            });
            if !req.body.is_empty() {
                request["postData"] = merge(json!({ "mimeType": ct }), body_json(&req.body));
            }
            let (response, error) = match &e.result {
                Ok(r) => (
                    json!({
                        "status": r.status,
                        "statusText": "",
                        "httpVersion": "HTTP/1.1",
                        "cookies": [],
                        "headers": har_headers(&r.headers),
                        "content": merge(json!({
                            "size": r.body.len(),
                            "mimeType": r.header("content-type").unwrap_or(""),
                        }), body_json(&r.body)),
                        "redirectURL": "",
                        "headersSize": -1,
                        "bodySize": r.body.len(),
                    }),
                    None,
                ),
                Err(err) => (
                    json!({
                        "status": 0, "statusText": "", "httpVersion": "HTTP/1.1", "cookies": [],
                        "headers": [], "content": { "size": 0, "mimeType": "" },
                        "redirectURL": "", "headersSize": -1, "bodySize": -1
                    }),
                    Some(err.clone()),
                ),
            };
            let mut entry = json!({
                "startedDateTime": e.started,
                "time": e.millis,
                "request": request,
                "response": response,
                "cache": {},
                "timings": { "send": 0, "wait": e.millis, "receive": 0 },
                "_check": e.check,
            });
            if let Some(err) = error {
                entry["_error"] = Value::String(err);
            }
            if let Some(j) = verdict {
                entry["_verdict"] = verdict_json(j);
            }
            entry
        })
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": { "name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION") },
            "entries": entries,
        }
    })
}

/// The badge: the highest level passed (or `none`) and the date.
pub fn badge(levels: &[levels::LevelResult], date: &str) -> String {
    let top = levels::highest_passed(levels);
    let (text, color) = match top {
        Some(levels::Level::Full) => ("full", "#2ea44f"),
        Some(levels::Level::Validation) => ("validation", "#97ca00"),
        Some(levels::Level::Core) => ("core", "#dfb317"),
        None => ("none", "#e05d44"),
    };
    let right = format!("{text} {date}");
    let lw = 110;
    let rw = 12 + 7 * right.len();
    let w = lw + rw;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="lambda-conform: {right}">
<title>lambda-conform: {right}</title>
<rect width="{lw}" height="20" fill="#555"/>
<rect x="{lw}" width="{rw}" height="20" fill="{color}"/>
<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="8" y="14">lambda-conform</text>
<text x="{tx}" y="14">{right}</text>
</g>
</svg>
"##,
        tx = lw + 6
    )
}

/// The vendor's template.
pub fn vendor_template(r: &Report) -> String {
    format!(
        "# Fill in and publish with the bundle. This file is not in SHA256SUMS: it is yours to edit.\n\
         # `lambda-conform verify` checks everything else.\n\
         product = \"\"\n\
         version = \"\"\n\
         contact = \"\"\n\
         # The run this describes (for reference):\n\
         # endpoint = {:?}\n\
         # profile = {:?}\n\
         # corpus_sha256 = {:?}\n",
        r.endpoint, r.profile, r.corpus_sha256
    )
}

/// The files a bundle holds.
pub const FILES: [&str; 10] = [
    "report.json",
    "junit.xml",
    "report.md",
    "report.html",
    HAR,
    CORPUS,
    RUN,
    BADGE,
    VENDOR,
    MANIFEST,
];

/// Whether `dir` can take a bundle: absent, or holding only bundle files (a bundle is written
/// over); anything else would end up unlisted in the hash list.
pub fn check_target(dir: &Path) -> Result<(), String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return if dir.exists() {
            Err(format!("--bundle {}: not a directory", dir.display()))
        } else {
            Ok(())
        };
    };
    let mut other: Vec<String> = rd
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !FILES.contains(&n.as_str()))
        .collect();
    other.sort();
    match other.first() {
        None => Ok(()),
        Some(f) => Err(format!(
            "--bundle {}: the directory holds {f}, which is not a bundle file: give a new or empty directory",
            dir.display()
        )),
    }
}

/// Writes a bundle into `dir`: the reports, the exchanges, the corpus (`corpus` bytes), the run's
/// facts, a badge, the vendor template and the hash list. Returns the files written.
pub fn write_bundle(
    dir: &Path,
    report: &Report,
    exchanges: &[(Recorded, Option<Judgement>)],
    corpus: &[u8],
    judged_in: (Option<String>, Option<String>),
    endpoint_url: &str,
) -> Result<Vec<PathBuf>, BundleError> {
    let mut files = report::write_all(report, dir)?;
    let har_text = serde_json::to_string_pretty(&har(endpoint_url, exchanges)).unwrap_or_default();
    write(dir, HAR, har_text.as_bytes())?;
    write(dir, CORPUS, corpus)?;
    let facts = RunFacts {
        tool: report.tool.name.clone(),
        version: report.tool.version.clone(),
        profile: report.profile.clone(),
        target: report.target.clone(),
        endpoint: report.endpoint.clone(),
        seed: report.seed.clone(),
        corpus_sha256: report.corpus_sha256.clone(),
        region: judged_in.0,
        account: judged_in.1,
        started: report.started.clone(),
        levels: report
            .levels
            .iter()
            .map(|l| (l.level.as_str().to_string(), l.status.as_str().to_string()))
            .collect(),
    };
    write(
        dir,
        RUN,
        serde_json::to_string_pretty(&facts)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    let date = report.started.split('T').next().unwrap_or("");
    write(dir, BADGE, badge(&report.levels, date).as_bytes())?;
    write(dir, VENDOR, vendor_template(report).as_bytes())?;
    for f in [HAR, CORPUS, RUN, BADGE, VENDOR] {
        files.push(dir.join(f));
    }
    let mut sums = String::new();
    let mut names: Vec<String> = files
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| n != VENDOR)
        .collect();
    names.sort();
    for n in &names {
        let bytes = std::fs::read(dir.join(n)).map_err(|e| BundleError::Write {
            path: n.clone(),
            error: e.to_string(),
        })?;
        sums.push_str(&format!("{}  {n}\n", sha256_hex(&bytes)));
    }
    write(dir, MANIFEST, sums.as_bytes())?;
    files.push(dir.join(MANIFEST));
    Ok(files)
}

/// One recorded exchange with its annotations, as read back.
struct Entry {
    n: usize,
    check: String,
    error: Option<String>,
    verdict: Option<(Outcome, Vec<Finding>)>,
    request: WireRequest,
    response: WireResponse,
}

fn read_entries(path: &Path, problems: &mut Vec<String>) -> Vec<Entry> {
    let exchanges = match crate::audit::read_exchanges(path) {
        Ok(x) => x,
        Err(e) => {
            problems.push(format!("{HAR}: {e}"));
            return Vec::new();
        }
    };
    let doc: Value = std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let raw = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (n, (ex, e)) in exchanges.into_iter().zip(raw.iter()).enumerate() {
        let verdict = match e.get("_verdict") {
            None => None,
            Some(v) => {
                let outcome = v
                    .get("outcome")
                    .cloned()
                    .and_then(|o| serde_json::from_value::<Outcome>(o).ok());
                let findings = v
                    .get("findings")
                    .cloned()
                    .and_then(|f| serde_json::from_value::<Vec<Finding>>(f).ok());
                match (outcome, findings) {
                    (Some(o), Some(f)) => Some((o, f)),
                    _ => {
                        problems.push(format!("{HAR}: entry {}: unreadable _verdict", n + 1));
                        None
                    }
                }
            }
        };
        out.push(Entry {
            n: n + 1,
            check: e
                .get("_check")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            error: e.get("_error").and_then(Value::as_str).map(str::to_string),
            verdict,
            request: ex.request,
            response: ex.response,
        });
    }
    out
}

/// The oracle's verdict on one recorded exchange, judged again.
fn rejudge(spec: &Spec, e: &Entry, facts: &RunFacts, assumption: Option<String>) -> Judgement {
    let call = CallFacts {
        body_bytes: e.request.body.len(),
        region: facts.region.clone(),
        account: facts.account.clone(),
    };
    let answer = validate::answer_with(
        spec,
        &e.request.body,
        e.request.header("content-type"),
        &call,
    );
    oracle::judge(
        spec,
        &e.request,
        &answer,
        &Ok(e.response.clone()),
        &Facts {
            region: facts.region.clone(),
            account: facts.account.clone(),
            assumption,
        },
    )
}

fn outcome_of(findings: &[Finding]) -> Outcome {
    Judgement {
        findings: findings.to_vec(),
        ..Judgement::default()
    }
    .outcome()
}

fn check_hashes(dir: &Path, problems: &mut Vec<String>) {
    let text = match std::fs::read_to_string(dir.join(MANIFEST)) {
        Ok(t) => t,
        Err(e) => {
            problems.push(format!("{MANIFEST}: cannot read: {e}"));
            return;
        }
    };
    let mut listed = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some((hash, name)) = line.split_once("  ") else {
            problems.push(format!("{MANIFEST}:{}: not `HASH  FILE`", i + 1));
            continue;
        };
        listed.insert(name.to_string());
        match std::fs::read(dir.join(name)) {
            Ok(bytes) if sha256_hex(&bytes) == hash => {}
            Ok(_) => problems.push(format!(
                "{name}: sha256 differs from {MANIFEST} (the file was edited)"
            )),
            Err(_) => problems.push(format!("{name}: listed in {MANIFEST} but missing")),
        }
    }
    for required in [
        "report.json",
        "junit.xml",
        "report.md",
        "report.html",
        HAR,
        CORPUS,
        RUN,
        BADGE,
    ] {
        if !listed.contains(required) {
            problems.push(format!("{required}: not in {MANIFEST}"));
        }
    }
    if let Ok(rd) = std::fs::read_dir(dir) {
        let mut extra: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != MANIFEST && n != VENDOR && !listed.contains(n))
            .collect();
        extra.sort();
        for n in extra {
            problems.push(format!("{n}: not in {MANIFEST}"));
        }
    }
}

/// Checks a bundle; returns every problem, one line each naming the file (empty: intact).
/// `spec_dir` reads spec tables from a directory instead of the built-in copy.
pub fn verify(dir: &Path, spec_dir: Option<&Path>) -> Vec<String> {
    let mut problems = Vec::new();
    check_hashes(dir, &mut problems);

    let report = match report::json::read_json(&dir.join("report.json")) {
        Ok(r) => r,
        Err(e) => {
            problems.push(format!("report.json: {e}"));
            return problems;
        }
    };
    let facts: RunFacts = match std::fs::read(dir.join(RUN))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(f) => f,
        Err(e) => {
            problems.push(format!("{RUN}: {e}"));
            return problems;
        }
    };

    // The reports are what report.json renders to, and its counts what its trials give.
    let mut recounted = report.clone();
    recounted.recount();
    if recounted.summary != report.summary
        || recounted.levels != report.levels
        || recounted.findings != report.findings
        || recounted.trials != report.trials
    {
        problems.push(
            "report.json: its summary, findings or levels are not what its trials give".into(),
        );
    }
    let renders = [
        ("report.md", report::markdown::render_markdown(&report)),
        ("report.html", report::html::render_html(&report)),
    ];
    for (name, want) in renders {
        if std::fs::read_to_string(dir.join(name)).ok().as_deref() != Some(want.as_str()) {
            problems.push(format!("{name}: not what report.json renders to"));
        }
    }
    let junit_tmp = std::env::temp_dir().join(format!(
        "lambda-conform-verify-{}-junit.xml",
        std::process::id()
    ));
    if report::junit::write_junit(&report, &junit_tmp).is_ok() {
        let want = std::fs::read(&junit_tmp).ok();
        if std::fs::read(dir.join("junit.xml")).ok() != want {
            problems.push("junit.xml: not what report.json renders to".into());
        }
    }
    let _ = std::fs::remove_file(&junit_tmp);

    // The run's facts agree with the report; the corpus is the one it names.
    if facts.profile != report.profile
        || facts.seed != report.seed
        || facts.corpus_sha256 != report.corpus_sha256
        || facts.version != report.tool.version
    {
        problems.push(format!(
            "{RUN}: profile, seed, version or corpus hash differ from report.json"
        ));
    }
    match std::fs::read(dir.join(CORPUS)) {
        Ok(b) if sha256_hex(&b) == report.corpus_sha256 => {}
        Ok(_) => problems.push(format!(
            "{CORPUS}: its sha256 is not report.json's corpus_sha256"
        )),
        Err(e) => problems.push(format!("{CORPUS}: cannot read: {e}")),
    }

    // Every recorded verdict, judged again.
    let spec = match crate::spec::load(&report.profile, spec_dir) {
        Ok(s) => s,
        Err(e) => {
            problems.push(format!("report.json: profile {}: {e}", report.profile));
            return problems;
        }
    };
    let assumptions: BTreeMap<String, Option<String>> = crate::generate::cases(&spec)
        .into_iter()
        .map(|c| (c.id, c.assumption))
        .collect();
    let entries = read_entries(&dir.join(HAR), &mut problems);
    let mut rejudged: BTreeMap<&str, Vec<Judgement>> = BTreeMap::new();
    let mut errored: BTreeSet<&str> = BTreeSet::new();
    for e in &entries {
        let Some((outcome, findings)) = &e.verdict else {
            continue;
        };
        if let Some(err) = &e.error {
            if !outcome.is_harness_error() {
                problems.push(format!(
                    "{HAR}: entry {} ({}): no answer ({err}) but the recorded verdict is {}",
                    e.n,
                    e.check,
                    outcome.as_str()
                ));
            }
            errored.insert(&e.check);
            continue;
        }
        let Some(assumption) = assumptions.get(&e.check) else {
            problems.push(format!(
                "{HAR}: entry {}: {} is no case class of profile {}",
                e.n, e.check, report.profile
            ));
            continue;
        };
        let j = rejudge(&spec, e, &facts, assumption.clone());
        if j.outcome() != *outcome || j.findings != *findings {
            problems.push(format!(
                "{HAR}: entry {} ({}): recorded verdict {} with {} finding(s), judged again {} with {}",
                e.n,
                e.check,
                outcome.as_str(),
                findings.len(),
                j.outcome().as_str(),
                j.findings.len()
            ));
        }
        rejudged.entry(&e.check).or_default().push(j);
    }

    // Every check's reported outcome rests on one of its recorded exchanges.
    for t in &report.trials {
        if matches!(t.kind.as_str(), "sdk" | "lifecycle") || t.outcome == Outcome::Skipped {
            continue;
        }
        let Some(js) = rejudged.get(t.id.as_str()) else {
            if t.outcome.is_harness_error() && errored.contains(t.id.as_str()) {
                continue;
            }
            if !t.outcome.is_harness_error() {
                problems.push(format!(
                    "report.json: {}: no recorded exchange of this check in {HAR}",
                    t.id
                ));
            }
            continue;
        };
        if t.outcome.is_harness_error() {
            continue;
        }
        let own: Vec<Finding> = t
            .findings
            .iter()
            .filter(|f| !BESIDE_THE_EXCHANGE.contains(&f.rule.as_str()))
            .cloned()
            .collect();
        let supported = js.iter().any(|j| j.findings == own)
            && outcome_of(&t.findings) == t.outcome
            && (own.len() == t.findings.len() || t.outcome.differs());
        if !supported {
            problems.push(format!(
                "report.json: {}: reported {} with {} finding(s), which none of its {} recorded exchanges gives when judged again",
                t.id,
                t.outcome.as_str(),
                t.findings.len(),
                js.len()
            ));
        }
    }
    problems
}

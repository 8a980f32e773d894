//! Checking a bundle offline: hashes, files, reports against `report.json`, and every recorded
//! verdict judged again.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::harness::corpus::sha256_hex;
use crate::oracle::{self, Facts, Finding, Judgement, Outcome};
use crate::report;
use crate::spec::validate::{self, CallFacts};
use crate::spec::Spec;
use crate::wire::{WireRequest, WireResponse};

use super::layout::{RunFacts, CORPUS, HAR, HASHED, MANIFEST, RUN, VENDOR};

/// Finding rules a check adds beside the oracle's verdict on its one exchange (a function left
/// behind after an error answer, a snapshot that changed).
const BESIDE_THE_EXCHANGE: [&str; 2] = ["left behind", "snapshot"];

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
    for required in HASHED {
        if !listed.contains(*required) {
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

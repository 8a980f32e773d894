//! Writing a bundle: the reports, the exchanges as HAR, the corpus, `run.json`, the badge, the
//! vendor's template and the hash list.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{json, Value};

use crate::harness::corpus::sha256_hex;
use crate::oracle::Judgement;
use crate::report::{self, levels, Report};
use crate::transport::record::Recorded;

use super::layout::{RunFacts, BADGE, CORPUS, FILES, HAR, MANIFEST, RUN, VENDOR};

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

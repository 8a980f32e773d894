//! The bad-input corpus (`tests/fixtures/bad-input/cases.toml`): flags, URLs, environment values,
//! spec, expectation, recording, report and credentials files. Each case must give exactly one
//! line on stderr naming the culprit, its documented exit code, and no panic. Then property tests:
//! random bytes and mutated valid files fed to the spec loader and the HAR / JSON-lines reader give
//! `Ok` or `Err`, never a panic.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use libtest_mimic::Failed;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde::Deserialize;
use support::check;

#[derive(Debug, Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    exit: i32,
    names: String,
}

/// Variables a developer's shell may hold that would change what a case does.
const SCRUBBED: &[&str] = &[
    "CONFORMANCE_ENDPOINT",
    "CONFORMANCE_TARGET",
    "CONFORMANCE_PROFILE",
    "CONFORMANCE_SEED",
    "CONFORMANCE_CASES",
    "CONFORMANCE_ROLE",
    "CONFORMANCE_SPEC_DIR",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "INSTA_UPDATE",
];

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-input")
}

fn fill(s: &str, files: &Path, tmp: &Path) -> String {
    s.replace("{files}", &files.display().to_string())
        .replace("{tmp}", &tmp.display().to_string())
}

/// Runs one case; gives why it failed, if it did.
fn run_case(case: &Case, files: &Path, tmp_root: &Path) -> Result<(), String> {
    let tmp = tmp_root.join(&case.name);
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lambda-conform"));
    cmd.args(case.args.iter().map(|a| fill(a, files, &tmp)))
        .current_dir(&tmp)
        .env("AWS_EC2_METADATA_DISABLED", "true");
    for k in SCRUBBED {
        cmd.env_remove(k);
    }
    for (k, v) in &case.env {
        cmd.env(k, fill(v, files, &tmp));
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut why = Vec::new();
    if err.contains("panicked") {
        why.push("panicked".to_string());
    }
    if code != Some(case.exit) {
        why.push(format!("exit {code:?}, want {}", case.exit));
    }
    if lines.len() != 1 {
        why.push(format!("{} lines on stderr, want 1", lines.len()));
    }
    if !err.contains(&fill(&case.names, files, &tmp)) {
        why.push(format!("stderr does not name {:?}", case.names));
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n  args {:?}\n  stderr {err:?}",
            case.name,
            why.join("; "),
            case.args
        ))
    }
}

fn corpus() -> Result<(), Failed> {
    let dir = fixture_dir();
    let text = std::fs::read_to_string(dir.join("cases.toml")).map_err(|e| e.to_string())?;
    let manifest: Manifest = toml::from_str(&text).map_err(|e| format!("cases.toml: {e}"))?;
    check(manifest.case.len() >= 40, "the corpus lost cases")?;
    let mut names: Vec<&str> = manifest.case.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    check(names.len() == manifest.case.len(), "two cases share a name")?;
    check(
        manifest.case.iter().all(|c| matches!(c.exit, 2 | 3)),
        "every case exits 2 or 3",
    )?;
    let files = dir.join("files");
    let tmp = std::env::temp_dir().join(format!("lc-bad-input-{}", std::process::id()));
    // Two at a time: the machine is shared.
    let failures: Vec<String> = std::thread::scope(|s| {
        let lanes: Vec<_> = (0..2)
            .map(|lane| {
                let (cases, files, tmp) = (&manifest.case, &files, &tmp);
                s.spawn(move || {
                    cases
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % 2 == lane)
                        .filter_map(|(_, c)| run_case(c, files, tmp).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        lanes
            .into_iter()
            .flat_map(|l| l.join().unwrap_or_else(|_| vec!["a lane panicked".into()]))
            .collect()
    });
    let _ = std::fs::remove_dir_all(&tmp);
    check(
        failures.is_empty(),
        format!(
            "{} of {} cases failed:\n{}",
            failures.len(),
            manifest.case.len(),
            failures.join("\n")
        ),
    )
}

/// Runs a proptest strategy through `cases` cases; a panic inside `test` fails with the input.
fn property<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> Result<(), Failed>
where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, test)
        .map_err(|e| Failed::from(e.to_string()))
}

/// A valid text with some bytes overwritten, some cut and some inserted (kept UTF-8 lossily).
fn mutated(valid: String) -> impl Strategy<Value = String> {
    let len = valid.len().max(1);
    proptest::collection::vec((0..len, 0u8..4, any::<u8>(), 1usize..64), 1..8).prop_map(
        move |edits| {
            let mut bytes = valid.clone().into_bytes();
            for (at, op, b, n) in edits {
                let at = at.min(bytes.len());
                match op {
                    0 => {
                        if at < bytes.len() {
                            bytes[at] = b;
                        }
                    }
                    1 => {
                        let end = (at + n).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    2 => bytes
                        .splice(at..at, std::iter::repeat_n(b, n))
                        .for_each(drop),
                    _ => bytes.truncate(at),
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        },
    )
}

fn spec_text(file: &str) -> Result<String, Failed> {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("specs/seed-2020")
            .join(file),
    )
    .map_err(|e| Failed::from(e.to_string()))
}

fn spec_loader_random_bytes() -> Result<(), Failed> {
    let overlay = spec_text("overlay.toml")?;
    let model = spec_text("model.toml")?;
    property(
        64,
        proptest::collection::vec(any::<u8>(), 0..512),
        |bytes| {
            let text = String::from_utf8_lossy(&bytes);
            let _ = lambda_conform::spec::load_texts("model.toml", &text, "overlay.toml", &overlay);
            let _ = lambda_conform::spec::load_texts("model.toml", &model, "overlay.toml", &text);
            Ok(())
        },
    )
}

fn spec_loader_mutated_model() -> Result<(), Failed> {
    let overlay = spec_text("overlay.toml")?;
    let model = spec_text("model.toml")?;
    property(48, mutated(model), |text| {
        let _ = lambda_conform::spec::load_texts("model.toml", &text, "overlay.toml", &overlay);
        Ok(())
    })
}

fn spec_loader_mutated_overlay() -> Result<(), Failed> {
    let overlay = spec_text("overlay.toml")?;
    let model = spec_text("model.toml")?;
    property(48, mutated(overlay), |text| {
        let _ = lambda_conform::spec::load_texts("model.toml", &model, "overlay.toml", &text);
        Ok(())
    })
}

fn recordings_random_bytes() -> Result<(), Failed> {
    property(
        256,
        proptest::collection::vec(any::<u8>(), 0..1024),
        |bytes| {
            let text = String::from_utf8_lossy(&bytes);
            let _ = lambda_conform::audit::exchanges_from_text("random", &text);
            Ok(())
        },
    )
}

fn recordings_mutated_jsonl() -> Result<(), Failed> {
    let valid = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-recorded.jsonl"),
    )
    .map_err(|e| Failed::from(e.to_string()))?;
    check(
        lambda_conform::audit::exchanges_from_text("valid", &valid).is_ok(),
        "the valid recording does not read",
    )?;
    let spec = lambda_conform::spec::load("aws-2026", None).map_err(|e| e.to_string())?;
    let facts = lambda_conform::spec::validate::CallFacts {
        body_bytes: 0,
        region: None,
        account: None,
    };
    property(128, mutated(valid), |text| {
        // What reads is also judged: the judge must take any exchange.
        if let Ok(exchanges) = lambda_conform::audit::exchanges_from_text("mutated", &text) {
            for ex in exchanges.iter().take(4) {
                let _ = lambda_conform::audit::judge(&spec, ex, &facts);
            }
        }
        Ok(())
    })
}

/// A valid HAR built from the recorded JSON lines, then mutated.
fn recordings_mutated_har() -> Result<(), Failed> {
    let har = serde_json::json!({"log": {"version": "1.2", "entries": [{
        "request": {"method": "POST", "url": "http://127.0.0.1:9001/2015-03-31/functions",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "postData": {"mimeType": "application/json", "text": "{\"FunctionName\":\"f\",\"Role\":\"arn:aws:iam::123456789012:role/r\",\"Code\":{\"ZipFile\":\"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\"},\"Handler\":\"index.handler\",\"Runtime\":\"python3.12\"}"}},
        "response": {"status": 400, "headers": [{"name": "x-amzn-ErrorType", "value": "ValidationException"}],
            "content": {"mimeType": "application/json", "text": "{\"message\":\"x\"}"}}
    }]}});
    let valid = serde_json::to_string_pretty(&har).map_err(|e| e.to_string())?;
    check(
        lambda_conform::audit::exchanges_from_text("valid.har", &valid).is_ok_and(|e| e.len() == 1),
        "the valid HAR does not read",
    )?;
    property(128, mutated(valid), |text| {
        let _ = lambda_conform::audit::exchanges_from_text("mutated.har", &text);
        Ok(())
    })
}

fn main() -> ExitCode {
    support::run(vec![
        ("bad_input::corpus", corpus),
        (
            "bad_input::spec_loader_random_bytes",
            spec_loader_random_bytes,
        ),
        (
            "bad_input::spec_loader_mutated_model",
            spec_loader_mutated_model,
        ),
        (
            "bad_input::spec_loader_mutated_overlay",
            spec_loader_mutated_overlay,
        ),
        (
            "bad_input::recordings_random_bytes",
            recordings_random_bytes,
        ),
        (
            "bad_input::recordings_mutated_jsonl",
            recordings_mutated_jsonl,
        ),
        ("bad_input::recordings_mutated_har", recordings_mutated_har),
    ])
}

//! End to end: every reproduction of a report stands alone. A run against a fresh moto writes a
//! report; each divergent trial's reproduction is then run with bash against *another* fresh moto
//! (`LAMBDA_ENDPOINT` set, no keys in the environment) and must get the status and error type the
//! report states as observed.
//!
//! Needs moto in `.venv-moto/` (`scripts/emulator.sh install moto`, which `make moto` and
//! `make moto-repro` do) and curl 7.75 or later (`--aws-sigv4`); without them the test is skipped
//! with the reason printed, unless `LC_REQUIRE_MOTO=1` (set by `make moto-repro`) makes that a
//! failure. `MOTO_REPRO_SEED` and `MOTO_REPRO_CASES` change the run (defaults: the Makefile's).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use libtest_mimic::Failed;
use serde_json::Value;
use support::check;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Why the test cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    let venv = root().join(".venv-moto");
    if !venv.join("bin/python").exists() || !venv.join(".lc-requirements").exists() {
        return Some(
            "moto is not installed in .venv-moto/ (scripts/emulator.sh install moto)".into(),
        );
    }
    let version = Command::new("curl")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let Some(version) = version else {
        return Some("curl is not on PATH".into());
    };
    let number: Vec<u32> = version
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .split('.')
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let at_least = |major: u32, minor: u32| {
        let (a, b) = (
            number.first().copied().unwrap_or(0),
            number.get(1).copied().unwrap_or(0),
        );
        a > major || (a == major && b >= minor)
    };
    (!at_least(7, 75)).then(|| {
        format!(
            "curl {} is older than 7.75 (no --aws-sigv4)",
            number
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(".")
        )
    })
}

/// A moto started by `scripts/emulator.sh start`, stopped when dropped.
struct Moto {
    dir: PathBuf,
    url: String,
}

impl Moto {
    fn start(dir: PathBuf) -> Result<Self, Failed> {
        let out = Command::new(root().join("scripts/emulator.sh"))
            .arg("start")
            .arg("moto")
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("scripts/emulator.sh: {e}"))?;
        let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let moto = Self { dir, url };
        check(
            out.status.success() && moto.url.starts_with("http://127.0.0.1:"),
            format!(
                "moto did not start: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        )?;
        Ok(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = Command::new(root().join("scripts/emulator.sh"))
            .arg("stop")
            .arg(&self.dir)
            .stdin(Stdio::null())
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a report says was observed: the status (`2xx` for an SDK success) and the error type.
fn observed_of(observed: &str) -> (String, String) {
    // The SDK twin: `CreateFunctionError::V (code Some("T"), status Some(400)) "…"`.
    if let Some(rest) = observed.strip_prefix("CreateFunctionError::") {
        let between = |open: &str, close: char| {
            rest.split_once(open)
                .and_then(|(_, r)| r.split_once(close))
                .map(|(v, _)| v.to_owned())
                .unwrap_or_default()
        };
        return (between("status Some(", ')'), between("code Some(\"", '"'));
    }
    if observed.starts_with("CreateFunctionOutput") {
        return ("2xx".into(), String::new());
    }
    // The raw client: `400 Type "message"`, `201 content-type`, `500  (body not JSON: …)`.
    let mut words = observed.split(' ');
    let status = words.next().unwrap_or("").to_owned();
    let ty = match words.next() {
        Some(w) if !status.starts_with('2') && !w.starts_with('"') && !w.starts_with('(') => {
            w.to_owned()
        }
        _ => String::new(),
    };
    (status, ty)
}

/// The status and error type of the answer `curl -i` printed (after any `100 Continue`).
fn answer_of(output: &str) -> (String, String) {
    let mut rest = output;
    loop {
        let (head, body) = rest.split_once("\r\n\r\n").unwrap_or((rest, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned();
        if status.starts_with('1') && !body.is_empty() {
            rest = body;
            continue;
        }
        let clean = |t: &str| {
            let t = t.split(':').next().unwrap_or(t);
            t.rsplit('#').next().unwrap_or(t).trim().to_owned()
        };
        let mut ty = lines
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("x-amzn-errortype"))
            .map(|(_, v)| clean(v))
            .unwrap_or_default();
        if ty.is_empty() {
            if let Ok(json) = serde_json::from_str::<Value>(body) {
                ty = ["__type", "code"]
                    .iter()
                    .find_map(|k| json.get(*k).and_then(Value::as_str))
                    .map(clean)
                    .unwrap_or_default();
            }
        }
        if status.starts_with('2') {
            ty.clear();
        }
        return (status, ty);
    }
}

fn reproductions_reproduce_on_a_fresh_moto() -> Result<(), Failed> {
    if let Some(why) = missing_prerequisite() {
        if std::env::var_os("LC_REQUIRE_MOTO").is_some() {
            return Err(format!("LC_REQUIRE_MOTO is set but {why}").into());
        }
        println!("skipped: {why}");
        return Ok(());
    }
    let seed = std::env::var("MOTO_REPRO_SEED").unwrap_or_else(|_| "1a3bc0de".into());
    let cases = std::env::var("MOTO_REPRO_CASES").unwrap_or_else(|_| "8".into());
    let work =
        std::env::temp_dir().join(format!("lambda-conform-moto-repro-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let report_dir = work.join("report");

    // 1. The run, against a fresh moto.
    {
        let moto = Moto::start(work.join("moto-run"))?;
        let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
            .args(["run", "--target", "moto", "--endpoint", &moto.url])
            .args(["--seed", &seed, "--cases", &cases, "--regressions", "none"])
            .arg("--report-dir")
            .arg(&report_dir)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("CONFORMANCE_ENDPOINT")
            .env_remove("CONFORMANCE_TARGET")
            .env_remove("CONFORMANCE_ROLE")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("lambda-conform: {e}"))?;
        check(
            matches!(out.status.code(), Some(0 | 1)),
            format!(
                "lambda-conform run exited {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ),
        )?;
        println!("run: {}", String::from_utf8_lossy(&out.stdout).trim());
    }
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json")).map_err(|e| e.to_string())?,
    )?;
    let divergent: Vec<&Value> = report["trials"]
        .as_array()
        .ok_or("report.json has no trials")?
        .iter()
        .filter(|t| t["outcome"] == "divergent" || t["outcome"] == "unconfirmed")
        .collect();
    check(
        !divergent.is_empty(),
        "the run found no divergence to reproduce",
    )?;

    // 2. Every reproduction, against another fresh moto.
    let moto = Moto::start(work.join("moto-repro"))?;
    let (mut run, mut matched) = (0usize, 0usize);
    let mut failures = Vec::new();
    for t in &divergent {
        let id = t["id"].as_str().unwrap_or("?");
        let Some(snippet) = t["reproduction"].as_str() else {
            failures.push(format!("{id}: no reproduction"));
            continue;
        };
        run += 1;
        // As a script file, the way a user saves it: a 2 MB body is too long for `bash -c`.
        let script =
            std::env::temp_dir().join(format!("lc-repro-{}-{}.sh", std::process::id(), run));
        std::fs::write(&script, snippet).map_err(|e| format!("write {}: {e}", script.display()))?;
        let out = Command::new("bash")
            .arg(&script)
            .env("LAMBDA_ENDPOINT", &moto.url)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("bash: {e}"));
        let _ = std::fs::remove_file(&script);
        let out = out?;
        let want = observed_of(t["observed"].as_str().unwrap_or(""));
        let (status, ty) = answer_of(&String::from_utf8_lossy(&out.stdout));
        let got = if want.0 == "2xx" && status.starts_with('2') {
            ("2xx".to_owned(), ty)
        } else {
            (status, ty)
        };
        if out.status.success() && got == want {
            matched += 1;
        } else {
            failures.push(format!(
                "{id}: the report observed {want:?}, the reproduction got {got:?} (exit {:?}) {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    drop(moto);
    println!("reproductions: {run} run, {matched} matched");
    let _ = std::fs::remove_dir_all(&work);
    check(
        failures.is_empty(),
        format!(
            "{} of {} divergent trials not reproduced:\n{}",
            failures.len(),
            divergent.len(),
            failures.join("\n")
        ),
    )
}

fn main() -> ExitCode {
    support::run(vec![(
        "moto::reproductions_reproduce_on_a_fresh_moto",
        reproductions_reproduce_on_a_fresh_moto,
    )])
}

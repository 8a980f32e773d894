//! SIGINT / SIGTERM during `lambda-conform run`: the run stops, deletes every function it created,
//! writes its report marked partial and exits 130 / 143; twenty runs against one real stub process,
//! each signalled at a seeded random point, leave no function behind.

#[path = "support/stub_process.rs"]
mod stub_process;
mod support;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use libtest_mimic::Failed;
use stub_process::{StubProcess, PROFILE};
use support::check;

/// Runs interrupted; 20 in all, `LANES` at a time.
const RUNS: u64 = 20;
const LANES: u64 = 4;

/// A small deterministic generator (splitmix64): the same delays every time.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What one signalled run did.
struct Signalled {
    code: Option<i32>,
    /// Whether the signal was sent (the run may have ended first).
    sent: bool,
    stdout: String,
    stderr: String,
    /// From the signal to the end of the process.
    after_signal: Duration,
    /// From the banner to the end of the process.
    ran_for: Duration,
}

/// Starts a run against `url`, waits for its banner, sleeps `delay`, sends `signal` (`INT`/`TERM`)
/// unless the run already ended, and waits for it.
fn signalled_run(
    url: &str,
    seed: u64,
    client: &str,
    delay: Duration,
    signal: &str,
    report_dir: &Path,
) -> Result<Signalled, Failed> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args([
            "run",
            "--endpoint",
            url,
            "--profile",
            PROFILE,
            "--cases",
            "2",
        ])
        .args(["--client", client, "--regressions", "none", "--settle", "5"])
        .args(["--seed", &seed.to_string()])
        .arg("--report-dir")
        .arg(report_dir)
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_SEED")
        .env_remove("CONFORMANCE_CASES")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let (banner_tx, banner_rx) = mpsc::channel();
    let err_reader = std::thread::spawn(move || {
        let mut all = String::new();
        let mut sent = false;
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if !sent && line.contains("checks against") {
                let _ = banner_tx.send(());
                sent = true;
            }
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    // The banner comes after set-up and before the first check.
    let _ = banner_rx.recv_timeout(Duration::from_secs(120));
    let banner_at = Instant::now();
    // Wait `delay`, or less if the run ends first.
    while banner_at.elapsed() < delay && child.try_wait().map_err(|e| e.to_string())?.is_none() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut sent = false;
    let signalled_at = Instant::now();
    if child.try_wait().map_err(|e| e.to_string())?.is_none() {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .map_err(|e| format!("cannot run kill: {e}"))?;
        sent = status.success();
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let after_signal = signalled_at.elapsed();
    let ran_for = banner_at.elapsed();
    Ok(Signalled {
        code: status.code(),
        sent,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        after_signal,
        ran_for,
    })
}

/// Checks one run's ending: 130 / 143 with a partial report, or (ended before the signal) 0 / 1
/// with a whole one; both with `leaked: 0 functions` last.
fn judge_run(i: u64, signal: &str, run: &Signalled, report_dir: &Path) -> Result<bool, Failed> {
    let want = if signal == "INT" { 130 } else { 143 };
    let context = format!(
        "run {i} (SIG{signal}): exit {:?}\nstdout: {}\nstderr: {}",
        run.code, run.stdout, run.stderr
    );
    check(
        !run.stderr.contains("panicked"),
        format!("panic in {context}"),
    )?;
    let last = run.stdout.trim_end().lines().last().unwrap_or("");
    check(
        last == "leaked: 0 functions",
        format!("the last line is not `leaked: 0 functions` in {context}"),
    )?;
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(report_dir.join("report.json"))
            .map_err(|e| format!("no report.json in {context}: {e}"))?,
    )
    .map_err(|e| format!("report.json does not parse: {e}"))?;
    let partial = report["summary"]["partial"] == serde_json::Value::Bool(true);
    if run.code == Some(want) {
        check(
            run.sent,
            format!("exit {want} without a signal in {context}"),
        )?;
        check(
            partial,
            format!("report.json not marked partial in {context}"),
        )?;
        check(
            report["summary"]["interrupted"] == format!("SIG{signal}").as_str(),
            format!("report.json does not name SIG{signal} in {context}"),
        )?;
        check(
            run.stdout.contains("PARTIAL: interrupted"),
            format!("the summary line does not say PARTIAL in {context}"),
        )?;
        let markdown = std::fs::read_to_string(report_dir.join("report.md")).unwrap_or_default();
        check(
            markdown.contains(&format!("PARTIAL: interrupted by SIG{signal}")),
            format!("report.md does not say PARTIAL in {context}"),
        )?;
        check(
            run.after_signal < Duration::from_secs(20),
            format!(
                "the run took {:?} to stop after the signal in {context}",
                run.after_signal
            ),
        )?;
        Ok(true)
    } else {
        check(
            matches!(run.code, Some(0 | 1)) && !partial,
            format!("neither interrupted (exit {want}) nor a whole run in {context}"),
        )?;
        Ok(false)
    }
}

fn twenty_interrupted_runs_leave_nothing() -> Result<(), Failed> {
    let stub = StubProcess::start()?;
    let tmp = std::env::temp_dir().join(format!("lc-interrupt-{}", std::process::id()));
    let started = Instant::now();
    // How long a whole run takes after its banner, here and in this build (an optimised build
    // finishes a run before a fixed delay would signal it): one run left to end by itself.
    let whole = signalled_run(
        &stub.url,
        999,
        "both",
        Duration::from_secs(600),
        "INT",
        &tmp.join("calibration"),
    )?;
    check(
        !whole.sent && whole.code.is_some_and(|c| c == 0 || c == 1),
        format!(
            "the calibration run did not end by itself: exit {:?}\nstderr: {}",
            whole.code, whole.stderr
        ),
    )?;
    let span_ms = (whole.ran_for.as_millis() as u64 * 9 / 10).max(20);
    // Seeded random points across the run: from the banner to 90 % of a whole run.
    let mut state = 0x13_u64;
    let plan: Vec<(u64, Duration, &str, &str)> = (0..RUNS)
        .map(|i| {
            let delay = Duration::from_millis(splitmix(&mut state) % span_ms);
            let signal = if i % 4 == 3 { "TERM" } else { "INT" };
            let client = if i % 2 == 0 { "raw" } else { "both" };
            (i, delay, signal, client)
        })
        .collect();
    let results: Vec<Result<bool, Failed>> = std::thread::scope(|s| {
        let lanes: Vec<_> = (0..LANES)
            .map(|lane| {
                let (plan, stub, tmp) = (&plan, &stub, &tmp);
                s.spawn(move || {
                    let mut out = Vec::new();
                    for (i, delay, signal, client) in plan.iter().filter(|p| p.0 % LANES == lane) {
                        let dir = tmp.join(format!("run-{i}"));
                        let r = signalled_run(&stub.url, 1000 + i, client, *delay, signal, &dir)
                            .and_then(|run| judge_run(*i, signal, &run, &dir));
                        out.push(r);
                    }
                    out
                })
            })
            .collect();
        lanes
            .into_iter()
            .flat_map(|l| l.join().unwrap_or_default())
            .collect()
    });
    let _ = std::fs::remove_dir_all(&tmp);
    check(
        results.len() == RUNS as usize,
        format!("{} of {RUNS} runs reported", results.len()),
    )?;
    let mut interrupted = 0;
    for r in results {
        interrupted += usize::from(r?);
    }
    check(
        interrupted >= RUNS as usize / 2,
        format!(
            "only {interrupted} of {RUNS} runs were interrupted mid-run: the signals came too late"
        ),
    )?;
    let left = stub.function_names()?;
    check(
        left.is_empty(),
        format!("{} functions left on the stub: {left:?}", left.len()),
    )?;
    eprintln!(
        "{interrupted} of {RUNS} runs interrupted, 0 functions left, {:?}",
        started.elapsed()
    );
    Ok(())
}

fn main() -> ExitCode {
    support::run(vec![(
        "interrupt::twenty_interrupted_runs_leave_nothing",
        twenty_interrupted_runs_leave_nothing,
    )])
}

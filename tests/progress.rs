//! Progress of `lambda-conform run`: when stderr is not a terminal, one `progress:` line per interval
//! (here every check, `--progress-every 0`), none with `--quiet`; the closing lines name where the
//! reports are and count skipped checks by reason. No assertion depends on timing.

mod support;

use std::process::{Command, ExitCode};

use libtest_mimic::Failed;
use support::check;

use lambda_conform::harness::progress::skipped_by_reason;
use lambda_conform::report::TrialRecord;

/// Runs a short `run` on the embedded stub; gives (exit code, stdout, stderr).
fn short_run(extra: &[&str]) -> Result<(i32, String, String), Failed> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lambda-conform"));
    cmd.args([
        "run",
        "--filter",
        "memory_size",
        "--cases",
        "2",
        "--seed",
        "7",
        "--regressions",
        "none",
    ])
    .args(extra)
    .env_remove("CONFORMANCE_ENDPOINT")
    .env_remove("CONFORMANCE_SEED")
    .env_remove("CONFORMANCE_CASES");
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// `progress: 3/7 checks, 0 divergent, 812 req/s, ETA 1s` → (3, 7).
fn parse_line(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("progress: ")?;
    let (counts, rest) = rest.split_once(" checks, ")?;
    let (done, total) = counts.split_once('/')?;
    let (div, rest) = rest.split_once(" divergent, ")?;
    let (rate, eta) = rest.split_once(" req/s, ETA ")?;
    div.parse::<u64>().ok()?;
    rate.parse::<u64>().ok()?;
    eta.strip_suffix('s')?.parse::<u64>().ok()?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

fn lines_when_not_a_terminal() -> Result<(), Failed> {
    let dir = std::env::temp_dir().join(format!("lc-progress-{}", std::process::id()));
    let dir_s = dir.to_string_lossy().into_owned();
    let (code, out, err) = short_run(&["--progress-every", "0", "--report-dir", &dir_s])?;
    let _ = std::fs::remove_dir_all(&dir);
    check(code == 0, format!("exit {code}: {err}"))?;
    let lines: Vec<(u64, u64)> = err
        .lines()
        .filter(|l| l.starts_with("progress:"))
        .map(|l| parse_line(l).ok_or_else(|| format!("malformed progress line {l:?}")))
        .collect::<Result<_, _>>()?;
    check(!lines.is_empty(), format!("no progress line in {err:?}"))?;
    let total = lines[0].1;
    check(
        lines.iter().all(|&(_, t)| t == total) && total > 1,
        format!("totals {lines:?}"),
    )?;
    check(
        lines.windows(2).all(|w| w[0].0 < w[1].0) && lines.last().map(|l| l.0) == Some(total),
        format!("counts should rise to {total}: {lines:?}"),
    )?;
    check(
        out.lines()
            .any(|l| l.starts_with("reports in ") && l.contains(&dir_s)),
        format!("the closing lines do not name {dir_s}: {out:?}"),
    )
}

fn quiet_silences_progress() -> Result<(), Failed> {
    let (code, out, err) = short_run(&["--progress-every", "0", "--quiet"])?;
    check(code == 0, format!("exit {code}: {err}"))?;
    check(
        !err.contains("progress:") && err.trim().is_empty(),
        format!("--quiet printed {err:?}"),
    )?;
    check(
        out.trim_end().lines().count() == 2
            && out.lines().next().is_some_and(|l| l.contains(" trials: "))
            && out.trim_end().ends_with("leaked: 0 functions"),
        format!("--quiet should print the summary line and the leak line alone: {out:?}"),
    )
}

fn no_line_before_its_interval() -> Result<(), Failed> {
    // The default is a line every 10 s; this run's first check ends well before that.
    let (code, _, err) = short_run(&["--progress-every", "3600"])?;
    check(code == 0, format!("exit {code}: {err}"))?;
    check(
        !err.contains("progress:"),
        format!("a progress line before its interval: {err:?}"),
    )
}

fn skipped_counted_by_reason() -> Result<(), Failed> {
    let mut trials = Vec::new();
    for (id, why) in [
        ("a", Some("needs an EC2 subnet")),
        ("b", Some("needs a KMS key")),
        ("c", Some("needs an EC2 subnet")),
        ("d", None),
    ] {
        let mut t = TrialRecord::new(id, "violation");
        t.skipped = why.map(str::to_string);
        trials.push(t);
    }
    let counts = skipped_by_reason(&trials);
    check(
        counts
            == vec![
                ("needs an EC2 subnet".to_string(), 2),
                ("needs a KMS key".to_string(), 1),
            ],
        format!("{counts:?}"),
    )
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "progress::lines_when_not_a_terminal",
            lines_when_not_a_terminal,
        ),
        ("progress::quiet_silences_progress", quiet_silences_progress),
        (
            "progress::no_line_before_its_interval",
            no_line_before_its_interval,
        ),
        (
            "progress::skipped_counted_by_reason",
            skipped_counted_by_reason,
        ),
    ])
}

//! The command's answers to bad input: one line naming the culprit, and the documented exit code
//! (2 for usage), never a run that silently does something else.

mod support;

use std::process::{Command, ExitCode};

use libtest_mimic::Failed;
use support::check;

/// Runs `lambda-conform ARGS` with extra environment variables; gives (exit code, stderr).
fn lc(args: &[&str], env: &[(&str, &str)]) -> Result<(i32, String), Failed> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lambda-conform"));
    cmd.args(args)
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_SEED")
        .env_remove("CONFORMANCE_CASES");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// Exit 2 and exactly one stderr line that contains `names`.
fn usage_error(args: &[&str], env: &[(&str, &str)], names: &str) -> Result<(), Failed> {
    let (code, err) = lc(args, env)?;
    check(
        code == 2,
        format!("{args:?} {env:?}: exit {code}, stderr {err:?}"),
    )?;
    check(
        err.trim_end().lines().count() == 1 && err.contains(names),
        format!("{args:?} {env:?}: one line naming {names:?}, got {err:?}"),
    )
}

fn endpoint_with_a_path() -> Result<(), Failed> {
    usage_error(
        &["run", "--endpoint", "http://127.0.0.1:9001/typo/path"],
        &[],
        "/typo/path",
    )
}

fn zero_cases() -> Result<(), Failed> {
    usage_error(&["run", "--cases", "0"], &[], "--cases")
}

fn garbage_seed_from_the_environment() -> Result<(), Failed> {
    usage_error(
        &["run"],
        &[("CONFORMANCE_SEED", "garbage")],
        "CONFORMANCE_SEED",
    )
}

fn filter_matching_nothing() -> Result<(), Failed> {
    usage_error(
        &["run", "--filter", "zzz-matches-nothing", "--quiet"],
        &[],
        "zzz-matches-nothing",
    )
}

fn main() -> ExitCode {
    support::run(vec![
        ("cli::endpoint_with_a_path", endpoint_with_a_path),
        ("cli::zero_cases", zero_cases),
        (
            "cli::garbage_seed_from_the_environment",
            garbage_seed_from_the_environment,
        ),
        ("cli::filter_matching_nothing", filter_matching_nothing),
    ])
}

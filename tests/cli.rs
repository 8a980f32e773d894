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

/// `lambda-conform cases --format jsonl | head -1`: the reader goes after one line of ~9 MB (more
/// than a pipe holds, so the writer meets the closed pipe). It stops quietly: exit 0, nothing on
/// stderr (it panicked with "failed printing to stdout", exit 101). Every command writes through
/// the same `commands::out`.
fn closed_pipe_ends_quietly() -> Result<(), Failed> {
    use std::io::{BufRead as _, BufReader, Read as _};
    use std::process::Stdio;
    {
        let args = ["cases", "--format", "jsonl", "--seed", "7", "--cases", "16"];
        let mut child = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first)?;
        // The reader (and the pipe's last read end) is gone here.
        let mut err = String::new();
        child
            .stderr
            .take()
            .ok_or("no stderr")?
            .read_to_string(&mut err)?;
        let status = child.wait()?;
        check(
            !first.is_empty() && status.code() == Some(0) && err.is_empty(),
            format!("{args:?}: first line {first:?}, {status}, stderr {err:?}"),
        )?;
    }
    Ok(())
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
        ("cli::closed_pipe_ends_quietly", closed_pipe_ends_quietly),
        (
            "cli::garbage_seed_from_the_environment",
            garbage_seed_from_the_environment,
        ),
        ("cli::filter_matching_nothing", filter_matching_nothing),
    ])
}

//! Shared runner for the plain (non-conformance) test binaries.
//!
//! Cargo hands every argument after `--` to every test binary of the package, so
//! `cargo test -- --endpoint URL` reaches these binaries too. libtest's own harness rejects the
//! flag; these binaries run on libtest-mimic and accept (and ignore) the conformance flags.

#![allow(dead_code)]

use std::process::ExitCode;

use clap::Parser;
use libtest_mimic::{Arguments, Failed, Trial};

/// The libtest arguments plus the conformance binary's flags (`TestBinaryArgs`, so every flag
/// `cargo test -- …` hands the conformance binary is accepted here too), which these binaries ignore.
#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    _flags: lambda_conform::cli::TestBinaryArgs,
    #[command(flatten)]
    libtest: Arguments,
}

/// Whether these binaries accept `args` (after the program name) as `cargo test -- ARGS` hands them.
pub fn accepts(args: &[&str]) -> Result<(), String> {
    Cli::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A test: a name and a function that fails with a message.
pub type TestFn = fn() -> Result<(), Failed>;

/// Runs the named tests as libtest-mimic trials and returns libtest's exit code.
pub fn run(tests: Vec<(&'static str, TestFn)>) -> ExitCode {
    let cli = Cli::parse();
    // `LC_TEST_TIMES=1` prints each trial's wall time on stderr (to find the slow ones).
    let timed = std::env::var_os("LC_TEST_TIMES").is_some();
    let mut trials: Vec<Trial> = tests
        .into_iter()
        .map(|(name, f)| {
            Trial::test(name, move || {
                let t = std::time::Instant::now();
                let r = f();
                if timed {
                    eprintln!("{:8.2} s  {name}", t.elapsed().as_secs_f64());
                }
                r
            })
        })
        .collect();
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    libtest_mimic::run(&cli.libtest, trials).exit_code()
}

/// Fails with `msg` unless `cond` holds.
pub fn check(cond: bool, msg: impl Into<String>) -> Result<(), Failed> {
    if cond {
        Ok(())
    } else {
        Err(msg.into().into())
    }
}

/// Runs the `lambda-conform` binary with `args`, none of the `CONFORMANCE_*` variables of the
/// calling shell leaking in; gives (exit code, stdout, stderr).
pub fn lc(args: &[&str]) -> Result<(i32, String, String), Failed> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args(args)
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_SEED")
        .env_remove("CONFORMANCE_CASES")
        .env_remove("CONFORMANCE_PROFILE")
        .env_remove("CONFORMANCE_TARGET")
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

//! Shared runner for the plain (non-conformance) test binaries.
//!
//! Cargo hands every argument after `--` to every test binary of the package, so
//! `cargo test -- --endpoint URL` reaches these binaries too. libtest's own harness rejects the
//! flag; these binaries run on libtest-mimic and accept (and ignore) the conformance flags.

#![allow(dead_code)]

use std::process::ExitCode;

use clap::Parser;
use libtest_mimic::{Arguments, Failed, Trial};

/// The libtest arguments plus the conformance flags, which these binaries ignore.
#[derive(Parser, Debug)]
struct Cli {
    #[arg(long, env = "CONFORMANCE_ENDPOINT")]
    endpoint: Option<String>,
    #[arg(long)]
    profile: Option<String>,
    #[arg(long)]
    seed: Option<String>,
    #[arg(long)]
    cases: Option<String>,
    #[arg(long)]
    client: Option<String>,
    #[arg(long)]
    target: Option<String>,
    #[command(flatten)]
    libtest: Arguments,
}

/// A test: a name and a function that fails with a message.
pub type TestFn = fn() -> Result<(), Failed>;

/// Runs the named tests as libtest-mimic trials and returns libtest's exit code.
pub fn run(tests: Vec<(&'static str, TestFn)>) -> ExitCode {
    let cli = Cli::parse();
    let mut trials: Vec<Trial> = tests
        .into_iter()
        .map(|(name, f)| Trial::test(name, f))
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

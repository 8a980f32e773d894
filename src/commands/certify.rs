//! `corpus freeze` and `verify`: the frozen corpus and the results bundle check.

use std::path::PathBuf;

use lambda_conform::cli::exit_code;
use lambda_conform::harness::{self};
use lambda_conform::spec;

use super::out::{out, outln};
use crate::fail;

pub(crate) fn corpus_cmd(args: lambda_conform::cli::CorpusArgs, spec_dir: Option<PathBuf>) -> u8 {
    let lambda_conform::cli::CorpusCommand::Freeze {
        profile,
        seed,
        cases,
        out,
    } = args.command;
    let seed = match lambda_conform::cli::parse_seed(&seed) {
        Ok(s) => s,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    if cases == 0 {
        return fail(exit_code::USAGE, "--cases must be at least 1");
    }
    let table = match spec::load(&profile, spec_dir.as_deref()) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let text = harness::corpus::freeze(&table, seed, cases);
    if out.as_os_str() == "-" {
        out!("{text}");
        return exit_code::CONFORMANT;
    }
    match std::fs::write(&out, &text) {
        Ok(()) => {
            outln!(
                "wrote {} ({} requests, sha256 {})",
                out.display(),
                text.lines().count().saturating_sub(1),
                harness::corpus::sha256_hex(text.as_bytes())
            );
            exit_code::CONFORMANT
        }
        Err(e) => fail(
            exit_code::SETUP,
            format!("cannot write {}: {e}", out.display()),
        ),
    }
}

pub(crate) fn verify_cmd(args: lambda_conform::cli::VerifyArgs, spec_dir: Option<PathBuf>) -> u8 {
    if !args.dir.is_dir() {
        return fail(
            exit_code::USAGE,
            format!("{} is not a bundle directory", args.dir.display()),
        );
    }
    let problems = lambda_conform::bundle::verify(&args.dir, spec_dir.as_deref());
    for p in &problems {
        outln!("{}: {p}", args.dir.display());
    }
    if problems.is_empty() {
        outln!(
            "{}: intact (every file matches {}; every recorded verdict judged again agrees; {} is not hashed)",
            args.dir.display(),
            lambda_conform::bundle::MANIFEST,
            lambda_conform::bundle::VENDOR
        );
        exit_code::CONFORMANT
    } else {
        exit_code::DIVERGENT
    }
}

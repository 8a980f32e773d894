//! `sweep`: what earlier runs left behind, deleted by run prefix.

use std::path::PathBuf;

use lambda_conform::cli::exit_code;
use lambda_conform::harness::{self};
use lambda_conform::transport::SetupError;

use super::out::outln;
use crate::fail;

/// `sweep`: lists the functions carrying one run prefix and deletes them (or, `--dry-run`, only lists).
pub(crate) fn sweep_cmd(args: lambda_conform::cli::SweepArgs, spec_dir: Option<PathBuf>) -> u8 {
    if !harness::is_run_prefix(&args.prefix) {
        return fail(
            exit_code::USAGE,
            format!(
                "--prefix {:?} is not a run prefix: give lc- and 8 hex digits (e.g. lc-1a2b3c4d), as run names its functions",
                args.prefix
            ),
        );
    }
    if args.endpoint.endpoint.is_none() {
        return fail(
            exit_code::USAGE,
            "sweep needs --endpoint (or CONFORMANCE_ENDPOINT): the embedded stub keeps nothing",
        );
    }
    let config = match args.endpoint.config(spec_dir) {
        Ok(c) => c,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(exit_code::SETUP, e),
    };
    let api = match harness::connect(&config, &runtime) {
        Ok(a) => a,
        Err(e) => {
            let sources = match &e {
                SetupError::NoCredentials(_) => lambda_conform::cli::credential_sources(),
                _ => String::new(),
            };
            return fail(exit_code::SETUP, format!("{e}{sources}"));
        }
    };
    let swept = match runtime.block_on(harness::sweep(
        &api,
        &args.prefix,
        args.older_than,
        args.dry_run,
    )) {
        Ok(s) => s,
        Err(e) => return fail(exit_code::SETUP, e),
    };
    for f in &swept.matched {
        let modified = f.last_modified.as_deref().unwrap_or("unknown");
        if args.dry_run {
            outln!("would delete {} (last modified {modified})", f.name);
        } else if swept.deleted.contains(&f.name) {
            outln!("deleted {} (last modified {modified})", f.name);
        }
    }
    for (name, why) in &swept.failed {
        eprintln!("could not delete {name}: {why}");
    }
    outln!(
        "sweep {}: {} {}, {} failed, {} younger than --older-than left alone",
        args.prefix,
        if args.dry_run {
            swept.matched.len()
        } else {
            swept.deleted.len()
        },
        if args.dry_run { "to delete" } else { "deleted" },
        swept.failed.len(),
        swept.too_young
    );
    if swept.failed.is_empty() {
        exit_code::CONFORMANT
    } else {
        exit_code::SETUP
    }
}

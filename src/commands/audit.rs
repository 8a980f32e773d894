//! `audit`: recorded exchanges judged offline.

use std::path::PathBuf;

use lambda_conform::cli::exit_code;
use lambda_conform::report;
use lambda_conform::{audit, spec};

use super::out::outln;
use crate::commands::run::run_exit_code;
use crate::fail;

pub(crate) fn audit_cmd(args: lambda_conform::cli::AuditArgs, spec_dir: Option<PathBuf>) -> u8 {
    let table = match spec::load(&args.profile, spec_dir.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let facts = lambda_conform::spec::validate::CallFacts {
        body_bytes: 0,
        region: args.region.clone(),
        account: args.account.clone(),
    };
    let report = match audit::audit_files(&table, &args.files, &facts) {
        Ok(r) => r,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    if let Some(dir) = &args.report_dir {
        if let Err(e) = report::write_all(&report, dir) {
            return fail(exit_code::SETUP, e);
        }
    }
    if !args.quiet {
        for t in report.trials.iter().filter(|t| !t.outcome.is_conformant()) {
            match &t.skipped {
                Some(why) => eprintln!("not judged    {}: {why}", t.id),
                None => eprintln!(
                    "{:<13} {}: {}",
                    t.outcome.as_str(),
                    t.id,
                    t.message.lines().next().unwrap_or("")
                ),
            }
        }
    }
    outln!("{}", report::summary_line(&report));
    run_exit_code(&report, args.strict)
}

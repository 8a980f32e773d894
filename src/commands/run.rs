//! `run` and `merge`: the suite against an endpoint, its console output and exit code.

use std::path::PathBuf;

use lambda_conform::cli::exit_code;
use lambda_conform::harness::{self, expectations::Expectations, Interrupt, Session, Snapshots};
use lambda_conform::report;
use lambda_conform::transport::SetupError;

use super::out::outln;
use crate::fail;

pub(crate) fn run(args: lambda_conform::cli::RunArgs, spec_dir: Option<PathBuf>) -> u8 {
    let mut config = match args.endpoint.config(spec_dir) {
        Ok(c) => c,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    // From here on SIGINT / SIGTERM stop the checks, clean up and write a partial report (exit 130 / 143).
    config.interrupt = match Interrupt::on_signals() {
        Ok(i) => i,
        Err(e) => return fail(exit_code::SETUP, format!("cannot listen for signals: {e}")),
    };
    config.concurrency = args.concurrency.max(1);
    if !args.settle.is_finite() || !(0.0..=3600.0).contains(&args.settle) {
        return fail(
            exit_code::USAGE,
            format!(
                "--settle {} must be between 0 and 3600 seconds",
                args.settle
            ),
        );
    }
    config.settle = std::time::Duration::from_secs_f64(args.settle);
    config.regressions = match args.regressions.as_deref() {
        Some("none") => None,
        Some(p) => Some(PathBuf::from(p)),
        None => Some(PathBuf::from(format!("regressions/{}.txt", config.target))),
    };
    if let Some(dir) = &args.snapshots {
        // insta reads a relative snapshot path against the asserting source file: make it absolute.
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
        config.snapshots = Snapshots::Check(dir);
        if args.record {
            // insta reads its mode from the environment; this is the one place that sets it.
            std::env::set_var("INSTA_UPDATE", "always");
        }
    }
    config.record = args.bundle.is_some();
    // Only the filtered checks are built, unless every check id is needed (an expectation file
    // being checked names ids of the whole suite; a corpus decides the classes itself). An
    // expectation file being written is made from the run's own trials.
    if (args.expectations.is_none() || args.update_expectations) && args.corpus.is_none() {
        config.only = args.filter.clone();
    }
    if let Some(dir) = &args.bundle {
        if let Err(e) = lambda_conform::bundle::check_target(dir) {
            return fail(exit_code::USAGE, e);
        }
    }
    if let Some(path) = &args.corpus {
        match harness::corpus::Corpus::read(path) {
            Ok(c) => {
                config.profile = c.header.profile.clone();
                config.corpus = Some(std::sync::Arc::new(c));
            }
            Err(e) => return fail(exit_code::USAGE, e),
        }
    }
    let expectations = match &args.expectations {
        Some(path) => match Expectations::read(path, args.update_expectations) {
            Ok(e) => Some((path.clone(), e)),
            Err(e) => return fail(exit_code::USAGE, e),
        },
        None => None,
    };
    let session = match Session::prepare(config) {
        Ok(s) => s,
        Err(e) => {
            let sources = match &e {
                harness::RunError::Setup(SetupError::NoCredentials(_)) => {
                    lambda_conform::cli::credential_sources()
                }
                _ => String::new(),
            };
            return fail(e.exit_code(), format!("{e}{sources}"));
        }
    };
    if let Some(path) = &args.corpus {
        let unknown = session.unknown_corpus_cases();
        if let Some(first) = unknown.first() {
            return fail(
                exit_code::USAGE,
                format!(
                    "corpus {}: {first} is no case class of profile {} ({} such ids; freeze the corpus again with this version)",
                    path.display(),
                    session.spec.profile,
                    unknown.len()
                ),
            );
        }
    }
    let mut cases = session.checks();
    let all_ids: Vec<String> = cases.iter().map(|c| c.id()).collect();
    if let Some((path, e)) = &expectations {
        if !args.update_expectations {
            if let Err(err) = e.check_ids(path, &all_ids) {
                return fail(exit_code::USAGE, err);
            }
        }
    }
    if let Some(f) = &args.filter {
        cases.retain(|c| c.id().contains(f.as_str()));
        if cases.is_empty() {
            return fail(
                exit_code::USAGE,
                format!("--filter {f:?} matches no check id (`lambda-conform cases` lists them)"),
            );
        }
    }
    if let Some(shard) = &args.shard {
        cases.retain(|c| shard.contains(&c.id()));
    }
    if args.covering {
        // Case classes and lifecycle checks (folded into the shared creates); no SDK twins.
        cases.retain(|c| matches!(c, harness::Check::Case(_) | harness::Check::Lifecycle(_)));
    }
    if !args.quiet {
        eprintln!(
            "lambda-conform {}: {} checks against {} (profile {}, seed 0x{:016x}, {} instances each)",
            env!("CARGO_PKG_VERSION"),
            cases.len(),
            session
                .config
                .endpoint
                .as_ref()
                .map_or("the embedded stub".to_string(), |u| u.to_string()),
            session.spec.profile,
            session.config.seed,
            session.config.cases
        );
    }
    if args.progress_every.is_nan() || args.progress_every < 0.0 {
        return fail(
            exit_code::USAGE,
            format!(
                "--progress-every {} must be 0 or more seconds",
                args.progress_every
            ),
        );
    }
    let progress = harness::progress::Progress::new(
        cases.len() as u64,
        args.quiet,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
        std::time::Duration::from_secs_f64(args.progress_every.min(86_400.0)),
    );
    // With an expectation file, only what it does not already list is worth a line.
    let expected: std::collections::BTreeSet<String> = expectations
        .as_ref()
        .filter(|_| !args.update_expectations)
        .map(|(_, e)| e.cases().keys().map(|k| k.to_string()).collect())
        .unwrap_or_default();
    let progress = progress.hiding(expected.clone());
    let mut coverage = Vec::new();
    let trials = if args.covering {
        let classes: Vec<_> = cases
            .iter()
            .filter_map(|c| match c {
                harness::Check::Case(case) => Some(case.clone()),
                _ => None,
            })
            .collect();
        let lifecycle: Vec<_> = cases
            .iter()
            .filter_map(|c| match c {
                harness::Check::Lifecycle(l) => Some(*l),
                _ => None,
            })
            .collect();
        let (trials, covered) = session.run_covering(&classes, &lifecycle);
        coverage = covered;
        trials
    } else {
        session.run_all(&cases, &|t| progress.record(t, session.requests()))
    };
    progress.finish();
    let finished = trials.len();
    let (leaked, mut report) = session.conclude(trials);
    report.summary.leaked = leaked;
    report.coverage = coverage;
    // Read once: a signal that comes after this point finds the checks done and the report whole,
    // and the run then ends as a whole run does (the exit code must agree with the report).
    let interrupted = session.config.interrupt.exit_code();
    if interrupted.is_some() {
        report.summary.partial = true;
        report.summary.interrupted = session.config.interrupt.name().map(str::to_string);
        report.summary.not_run = cases.len().saturating_sub(finished);
    }
    let dir = args
        .report_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("reports/{}", report.target)));
    let written = match report::write_all(&report, &dir) {
        Ok(w) => w,
        // Reports asked for that cannot be written are a set-up error; the default ones only warn.
        Err(e) if args.report_dir.is_some() => return fail(exit_code::SETUP, e),
        Err(e) => {
            eprintln!("warning: no reports written: {e}");
            Vec::new()
        }
    };
    if let Some(dir) = &args.bundle {
        let corpus = match &args.corpus {
            Some(p) => match std::fs::read(p) {
                Ok(b) => b,
                Err(e) => {
                    return fail(
                        exit_code::SETUP,
                        format!("cannot read {}: {e}", p.display()),
                    )
                }
            },
            None => session.sent_corpus().into_bytes(),
        };
        if let Err(e) = lambda_conform::bundle::write_bundle(
            dir,
            &report,
            &session.exchanges(),
            &corpus,
            session.judged_in(),
            &session.endpoint_url(),
        ) {
            return fail(exit_code::SETUP, e);
        }
        if !args.quiet {
            eprintln!(
                "wrote the results bundle {} (check it with `lambda-conform verify {}`)",
                dir.display(),
                dir.display()
            );
        }
    }
    if !args.quiet {
        print_findings(&report, &expected);
        for line in report::levels::lines(&report.levels) {
            outln!("level {line}");
        }
    }
    outln!("{}", report::summary_line(&report));
    if let Some(html) = written.last().filter(|_| !args.quiet) {
        outln!(
            "reports in {}/: open {} (also report.md, report.json, junit.xml)",
            dir.display(),
            html.display()
        );
    }
    if !args.quiet {
        print_skipped(&report);
    }
    outln!("{}", report::leak_line(&report));
    if let Some(code) = interrupted {
        // A partial run neither updates nor checks the expectations.
        return code;
    }

    if let Some((path, e)) = expectations {
        if args.update_expectations {
            let updated = e.from_report(&report);
            if let Err(err) = updated.write(&path, &report.target, &report.profile) {
                return fail(exit_code::SETUP, err);
            }
            outln!(
                "wrote {} ({} known findings, {} trials)",
                path.display(),
                updated.findings.len(),
                updated.cases().len()
            );
            return exit_code::CONFORMANT;
        }
        let cmp = e.compare(&report);
        for id in &cmp.new {
            outln!("new divergence (not in {}): {id}", path.display());
        }
        for id in &cmp.fixed {
            outln!(
                "expected divergence now conforms (update {}): {id}",
                path.display()
            );
        }
        outln!(
            "expectations {}: {} known, {} new, {} fixed",
            if cmp.holds() { "hold" } else { "do not hold" },
            cmp.known.len(),
            cmp.new.len(),
            cmp.fixed.len()
        );
        return if !cmp.holds() {
            exit_code::DIVERGENT
        } else if report.summary.harness_errors > 0 {
            exit_code::SETUP
        } else {
            exit_code::CONFORMANT
        };
    }
    run_exit_code(&report, args.strict)
}

/// 1 for a divergence (or, with `--strict`, an unconfirmed trial); else 3 when a check could not be
/// judged (a harness error); else 0.
pub(crate) fn run_exit_code(report: &report::Report, strict: bool) -> u8 {
    if report.fails(strict) {
        exit_code::DIVERGENT
    } else if report.summary.harness_errors > 0 {
        exit_code::SETUP
    } else {
        exit_code::CONFORMANT
    }
}

/// The skipped checks, counted by reason.
pub(crate) fn print_skipped(report: &report::Report) {
    for (why, n) in harness::progress::skipped_by_reason(&report.trials) {
        outln!("skipped {n}: {why}");
    }
}

/// The findings first (root causes, with one reproduction each), then the harness errors. A finding
/// whose every trial is in `expected` (the expectation file) is not printed: the reports have it.
pub(crate) fn print_findings(
    report: &report::Report,
    expected: &std::collections::BTreeSet<String>,
) {
    let mut hidden = 0;
    for g in &report.findings {
        if !expected.is_empty() && g.trials.iter().all(|t| expected.contains(t)) {
            hidden += 1;
            continue;
        }
        eprintln!(
            "\n{} {} ({}, {}, {}): {}",
            g.outcome.as_str(),
            g.id,
            g.basis.as_str(),
            if g.evidence.is_empty() {
                "no evidence text"
            } else {
                g.evidence.as_str()
            },
            if g.trials.len() == 1 {
                "1 trial".to_string()
            } else {
                format!("{} trials", g.trials.len())
            },
            g.summary
        );
        if let Some(t) = report.trials.iter().find(|t| t.id == g.example) {
            eprintln!(
                "  e.g. {}\n  expected {}\n  observed {}",
                t.id, t.expected, t.observed
            );
            if let Some(r) = &t.reproduction {
                // The request's own curl line (the snippet's set-up and clean-up are in the reports).
                let line = r
                    .lines()
                    .find(|l| l.contains("curl -sS -i"))
                    .or_else(|| r.lines().next())
                    .unwrap_or("");
                eprintln!("  reproduce: {line}");
            }
        }
    }
    for t in report
        .trials
        .iter()
        .filter(|t| t.outcome.is_harness_error())
    {
        eprintln!("\nharness_error {}: {}", t.id, t.headline());
    }
    if hidden > 0 {
        eprintln!(
            "\n{hidden} expected findings not shown (listed in the expectation file; all are in the reports)"
        );
    }
}

/// `merge`: the shards' reports as one report directory; exits as `run` would on the whole.
pub(crate) fn merge_cmd(args: lambda_conform::cli::MergeArgs) -> u8 {
    let report = match report::merge::merge_files(&args.reports) {
        Ok(r) => r,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    if let Err(e) = report::write_all(&report, &args.report_dir) {
        return fail(exit_code::SETUP, e);
    }
    outln!("{}", report::summary_line(&report));
    run_exit_code(&report, args.strict)
}

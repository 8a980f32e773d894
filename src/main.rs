//! The `lambda-conform` command. See `lambda-conform --help` and README.md.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use lambda_conform::cli::{exit_code, CasesFormat, Cli, Command, SpecCommand, SpecFormat};
use lambda_conform::harness::{self, expectations::Expectations, Interrupt, Session, Snapshots};
use lambda_conform::report;
use lambda_conform::transport::SetupError;
use lambda_conform::{audit, generate, spec};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if e.use_stderr()
                && e.kind() != clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            // Bad flags: one line (clap's error, its details joined), exit 2; `--help` says the rest.
            eprintln!("{}", one_line(&e.to_string()));
            return ExitCode::from(exit_code::USAGE);
        }
        Err(e) => e.exit(),
    };
    let code = match cli.command {
        Command::Run(args) => run(*args, cli.spec_dir),
        Command::Spec(args) => spec_cmd(args, cli.spec_dir),
        Command::Cases(args) => cases_cmd(args, cli.spec_dir),
        Command::Stub(args) => stub_cmd(args, cli.spec_dir),
        Command::Audit(args) => audit_cmd(args, cli.spec_dir),
        Command::Sweep(args) => sweep_cmd(*args, cli.spec_dir),
        Command::Replay(args) => replay_cmd(*args, cli.spec_dir),
        Command::Matrix(args) => matrix_cmd(args, cli.spec_dir),
        Command::Corpus(args) => corpus_cmd(args, cli.spec_dir),
        Command::Verify(args) => verify_cmd(args, cli.spec_dir),
        Command::Merge(args) => merge_cmd(args),
    };
    ExitCode::from(code)
}

/// clap's error text as one line: its lines joined, without the usage block and the `--help` hint.
fn one_line(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints `error: MSG` as one line (a multi-line message, such as a TOML parser's, joined with `; `)
/// and gives `code`.
fn fail(code: u8, msg: impl std::fmt::Display) -> u8 {
    // An error may quote an endpoint's answer, which may echo the keys.
    let secrets =
        lambda_conform::transport::Secrets::from_env(&lambda_conform::cli::env_credentials());
    let msg = msg.to_string();
    let msg = secrets.scrub(&msg);
    let line = msg
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    eprintln!("error: {line}");
    code
}

fn run(args: lambda_conform::cli::RunArgs, spec_dir: Option<PathBuf>) -> u8 {
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
        // Case classes only: the SDK twins and lifecycle checks are not part of a covering run.
        cases.retain(|c| matches!(c, harness::Check::Case(_)));
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
        let (trials, covered) = session.run_covering(&classes);
        coverage = covered;
        trials
    } else {
        session.run_all(&cases, &|t| progress.record(t, session.requests()))
    };
    progress.finish();
    let finished = trials.len();
    let leaked = harness::clean_up(&session);
    let mut report = session.report(trials);
    report.summary.leaked = leaked;
    report.coverage = coverage;
    let interrupt = session.config.interrupt.clone();
    if interrupt.is_set() {
        report.summary.partial = true;
        report.summary.interrupted = interrupt.name().map(str::to_string);
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
            println!("level {line}");
        }
    }
    println!("{}", report::summary_line(&report));
    if let Some(html) = written.last().filter(|_| !args.quiet) {
        println!(
            "reports in {}/: open {} (also report.md, report.json, junit.xml)",
            dir.display(),
            html.display()
        );
    }
    if !args.quiet {
        print_skipped(&report);
    }
    println!("{}", report::leak_line(&report));
    if let Some(code) = interrupt.exit_code() {
        // A partial run neither updates nor checks the expectations.
        return code;
    }

    if let Some((path, e)) = expectations {
        if args.update_expectations {
            let updated = e.from_report(&report);
            if let Err(err) = updated.write(&path, &report.target, &report.profile) {
                return fail(exit_code::SETUP, err);
            }
            println!(
                "wrote {} ({} known findings, {} trials)",
                path.display(),
                updated.findings.len(),
                updated.cases().len()
            );
            return exit_code::CONFORMANT;
        }
        let cmp = e.compare(&report);
        for id in &cmp.new {
            println!("new divergence (not in {}): {id}", path.display());
        }
        for id in &cmp.fixed {
            println!(
                "expected divergence now conforms (update {}): {id}",
                path.display()
            );
        }
        println!(
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
fn run_exit_code(report: &report::Report, strict: bool) -> u8 {
    if report.fails(strict) {
        exit_code::DIVERGENT
    } else if report.summary.harness_errors > 0 {
        exit_code::SETUP
    } else {
        exit_code::CONFORMANT
    }
}

/// The skipped checks, counted by reason.
fn print_skipped(report: &report::Report) {
    for (why, n) in harness::progress::skipped_by_reason(&report.trials) {
        println!("skipped {n}: {why}");
    }
}

/// The findings first (root causes, with one reproduction each), then the harness errors. A finding
/// whose every trial is in `expected` (the expectation file) is not printed: the reports have it.
fn print_findings(report: &report::Report, expected: &std::collections::BTreeSet<String>) {
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

fn spec_cmd(args: lambda_conform::cli::SpecArgs, spec_dir: Option<PathBuf>) -> u8 {
    if let Some(SpecCommand::Import {
        botocore,
        botocore_version,
        profile,
        out,
    }) = args.import
    {
        let text = match spec::import::import_file(&botocore, botocore_version.as_deref()) {
            Ok(t) => t,
            Err(e) => {
                // Name the file when the error does not (a model that is not JSON, not botocore's).
                let (msg, path) = (e.to_string(), botocore.display().to_string());
                let msg = if msg.contains(&path) {
                    msg
                } else {
                    format!("{path}: {msg}")
                };
                return fail(exit_code::USAGE, msg);
            }
        };
        let out = out.unwrap_or_else(|| PathBuf::from(format!("specs/{profile}/model.toml")));
        if let Some(dir) = out.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        return match std::fs::write(&out, text) {
            Ok(()) => {
                println!("wrote {}", out.display());
                exit_code::CONFORMANT
            }
            Err(e) => fail(
                exit_code::SETUP,
                format!("cannot write {}: {e}", out.display()),
            ),
        };
    }
    let table = match spec::load(&args.profile, spec_dir.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    match args.format {
        SpecFormat::Json => match serde_json::to_string_pretty(&spec::json_view(&table)) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail(exit_code::SETUP, e),
        },
        SpecFormat::Openapi => match serde_json::to_string_pretty(&spec::openapi_view(&table)) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail(exit_code::SETUP, e),
        },
        SpecFormat::Table => print!("{}", spec::table_view(&table)),
    }
    exit_code::CONFORMANT
}

fn cases_cmd(args: lambda_conform::cli::CasesArgs, spec_dir: Option<PathBuf>) -> u8 {
    let table = match spec::load(&args.profile, spec_dir.as_deref()) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let seed = match args
        .seed
        .as_deref()
        .map(lambda_conform::cli::parse_seed)
        .transpose()
    {
        Ok(s) => s.unwrap_or(0),
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let ctx = generate::Context::new(seed, lambda_conform::transport::target::EMULATOR_ROLE_ARN);
    if args.infeasible {
        for id in harness::infeasible_cases(&table, &ctx) {
            println!("{id}");
        }
        return exit_code::CONFORMANT;
    }
    let cases = harness::feasible_cases(&table, &ctx);
    match args.format {
        CasesFormat::List => {
            for c in &cases {
                println!("{:<10} {}", c.kind.as_str(), c.id);
            }
        }
        CasesFormat::Jsonl => {
            for c in &cases {
                for inst in harness::corpus(&table, &ctx, c, seed, args.cases) {
                    let line = serde_json::json!({
                        "case": inst.case_id,
                        "param": inst.param,
                        "seed": format!("{:016x}", inst.seed),
                        "request": inst.request,
                    });
                    println!("{line}");
                }
            }
        }
    }
    exit_code::CONFORMANT
}

fn stub_cmd(args: lambda_conform::cli::StubArgs, spec_dir: Option<PathBuf>) -> u8 {
    if args.list_mutants {
        for m in lambda_conform::stub::Mutant::all() {
            println!("{}", m.name());
        }
        return exit_code::CONFORMANT;
    }
    let table = match spec::load(&args.profile, spec_dir.as_deref()) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(exit_code::SETUP, e),
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    let result = runtime.block_on(async {
        let mut core = lambda_conform::stub::StubCore::new(table.clone(), args.mutant);
        if args.require_signature {
            core = core.with_signature_check(lambda_conform::stub::SignatureCheck::new(
                lambda_conform::cli::stub_keys(),
            ));
        }
        let server = lambda_conform::stub::bind_with(core, addr)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "lambda-conform stub ({}) listening on {}",
            table.profile,
            server.uri()
        );
        server
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => exit_code::CONFORMANT,
        Err(e) => fail(exit_code::SETUP, e),
    }
}

fn audit_cmd(args: lambda_conform::cli::AuditArgs, spec_dir: Option<PathBuf>) -> u8 {
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
    println!("{}", report::summary_line(&report));
    run_exit_code(&report, args.strict)
}

/// `merge`: the shards' reports as one report directory; exits as `run` would on the whole.
fn merge_cmd(args: lambda_conform::cli::MergeArgs) -> u8 {
    let report = match report::merge::merge_files(&args.reports) {
        Ok(r) => r,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    if let Err(e) = report::write_all(&report, &args.report_dir) {
        return fail(exit_code::SETUP, e);
    }
    println!("{}", report::summary_line(&report));
    run_exit_code(&report, args.strict)
}

fn replay_cmd(args: lambda_conform::cli::ReplayArgs, spec_dir: Option<PathBuf>) -> u8 {
    let mut config = match args.endpoint.config(spec_dir) {
        Ok(c) => c,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    config.client = harness::ClientMode::Raw;
    config.regressions = None;
    if !args.quiet {
        eprintln!(
            "lambda-conform {}: replaying {} against {}",
            env!("CARGO_PKG_VERSION"),
            args.recordings
                .as_ref()
                .map_or("the requests recorded against real AWS".to_string(), |p| p
                    .display()
                    .to_string()),
            config
                .endpoint
                .as_ref()
                .map_or("the embedded stub".to_string(), |u| u.to_string())
        );
    }
    let score = match harness::replay::replay(config, args.recordings.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(e.exit_code(), e),
    };
    let dir = args
        .report_dir
        .unwrap_or_else(|| PathBuf::from(format!("reports/{}", score.target)));
    let path = dir.join("replay.json");
    if let Err(e) = report::replay::write_json(&score, &path) {
        return fail(exit_code::SETUP, e);
    }
    if args.quiet {
        println!("{}", score.score_line());
    } else {
        print!("{}", score.render_text());
    }
    println!("wrote {}", path.display());
    replay_exit_code(&score)
}

/// 1 when an answer differs from AWS's; else 3 when one could not be had; else 0.
fn replay_exit_code(score: &report::replay::ReplayScore) -> u8 {
    if score.summary.differs > 0 {
        exit_code::DIVERGENT
    } else if score.summary.harness_errors > 0 {
        exit_code::SETUP
    } else {
        exit_code::CONFORMANT
    }
}

/// `label=VALUE` or `VALUE` (label None).
fn labelled(s: &str) -> (Option<String>, String) {
    match s.split_once('=') {
        Some((l, v)) if !l.is_empty() && !l.contains('/') => (Some(l.to_string()), v.to_string()),
        _ => (None, s.to_string()),
    }
}

/// Runs the suite and the replay against one endpoint of `matrix --endpoint`, with reports in
/// `reports/<label>/`.
fn matrix_run(
    label: &str,
    url: &str,
    args: &lambda_conform::cli::MatrixArgs,
    spec_dir: Option<PathBuf>,
) -> Result<report::matrix::Column, (u8, String)> {
    let usage = |e: String| (exit_code::USAGE, e);
    let endpoint = if url.is_empty() || url == "stub" {
        None
    } else {
        Some(url::Url::parse(url).map_err(|e| usage(format!("--endpoint {label}={url}: {e}")))?)
    };
    let target = <lambda_conform::transport::Target as clap::ValueEnum>::from_str(label, true).ok();
    let ea = lambda_conform::cli::EndpointArgs {
        endpoint,
        target,
        profile: spec::DEFAULT_PROFILE.to_string(),
        seed: args.seed.clone(),
        cases: args.cases,
        client: harness::ClientMode::Both,
        timeout: 10.0,
        rps: None,
        role: None,
        region: None,
        no_sign: false,
        mutant: None,
        max_body: lambda_conform::transport::raw::DEFAULT_MAX_BODY,
        check_timeout: harness::DEFAULT_CHECK_TIMEOUT.as_secs_f64(),
        allow_remote: false,
        sts_endpoint: None,
    };
    let mut config = ea.config(spec_dir).map_err(usage)?;
    config.regressions = None;
    let dir = PathBuf::from(format!("reports/{label}"));
    let session = Session::prepare(config.clone()).map_err(|e| (e.exit_code(), e.to_string()))?;
    let checks = session.checks();
    eprintln!("{label}: {} checks against {url}", checks.len());
    let trials = session.run_all(&checks, &|_| {});
    let report = session.report(trials);
    drop(session);
    report::write_all(&report, &dir).map_err(|e| (exit_code::SETUP, e.to_string()))?;
    config.client = harness::ClientMode::Raw;
    let replay =
        harness::replay::replay(config, None).map_err(|e| (e.exit_code(), e.to_string()))?;
    report::replay::write_json(&replay, &dir.join("replay.json"))
        .map_err(|e| (exit_code::SETUP, e.to_string()))?;
    eprintln!(
        "{label}: {}; {}",
        report::summary_line(&report),
        replay.score_line()
    );
    Ok(report::matrix::Column {
        label: label.to_string(),
        report,
        replay: Some(replay),
    })
}

fn matrix_cmd(args: lambda_conform::cli::MatrixArgs, spec_dir: Option<PathBuf>) -> u8 {
    if args.reports.is_empty() && args.endpoints.is_empty() {
        return fail(
            exit_code::USAGE,
            "matrix needs report.json files or --endpoint LABEL=URL (e.g. reports/stub/report.json)",
        );
    }
    let mut columns = Vec::new();
    for e in &args.endpoints {
        let (label, url) = labelled(e);
        let label = label.unwrap_or_else(|| {
            if url == "stub" {
                "stub".into()
            } else {
                url.clone()
            }
        });
        match matrix_run(&label, &url, &args, spec_dir.clone()) {
            Ok(c) => columns.push(c),
            Err((code, msg)) => return fail(code, msg),
        }
    }
    for p in &args.reports {
        let (label, path) = labelled(&p.to_string_lossy());
        let path = PathBuf::from(path);
        let report = match report::json::read_json(&path) {
            Ok(r) => r,
            Err(e) => return fail(exit_code::USAGE, e),
        };
        let beside = path.with_file_name("replay.json");
        let replay = if beside.exists() {
            match report::replay::read_json(&beside) {
                Ok(mut s) => {
                    // The counts follow from the exchanges (a file from an older tool lacks some).
                    s.recount();
                    Some(s)
                }
                Err(e) => return fail(exit_code::USAGE, e),
            }
        } else {
            None
        };
        columns.push(report::matrix::Column {
            label: label.unwrap_or_else(|| report.target.clone()),
            report,
            replay,
        });
    }
    let table = report::matrix::render(&columns);
    match &args.out {
        None => print!("{table}"),
        Some(path) => {
            if let Err(e) = std::fs::write(path, &table) {
                return fail(
                    exit_code::SETUP,
                    format!("cannot write {}: {e}", path.display()),
                );
            }
            println!("wrote {} ({} endpoints)", path.display(), columns.len());
        }
    }
    exit_code::CONFORMANT
}

/// `sweep`: lists the functions carrying one run prefix and deletes them (or, `--dry-run`, only lists).
fn sweep_cmd(args: lambda_conform::cli::SweepArgs, spec_dir: Option<PathBuf>) -> u8 {
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
            println!("would delete {} (last modified {modified})", f.name);
        } else if swept.deleted.contains(&f.name) {
            println!("deleted {} (last modified {modified})", f.name);
        }
    }
    for (name, why) in &swept.failed {
        eprintln!("could not delete {name}: {why}");
    }
    println!(
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

fn corpus_cmd(args: lambda_conform::cli::CorpusArgs, spec_dir: Option<PathBuf>) -> u8 {
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
        print!("{text}");
        return exit_code::CONFORMANT;
    }
    match std::fs::write(&out, &text) {
        Ok(()) => {
            println!(
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

fn verify_cmd(args: lambda_conform::cli::VerifyArgs, spec_dir: Option<PathBuf>) -> u8 {
    if !args.dir.is_dir() {
        return fail(
            exit_code::USAGE,
            format!("{} is not a bundle directory", args.dir.display()),
        );
    }
    let problems = lambda_conform::bundle::verify(&args.dir, spec_dir.as_deref());
    for p in &problems {
        println!("{}: {p}", args.dir.display());
    }
    if problems.is_empty() {
        println!(
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

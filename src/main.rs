//! The `lambda-conform` command. See `lambda-conform --help` and README.md.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use lambda_conform::cli::{exit_code, CasesFormat, Cli, Command, SpecCommand, SpecFormat};
use lambda_conform::harness::{self, expectations::Expectations, Session, Snapshots};
use lambda_conform::report;
use lambda_conform::{audit, generate, spec};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(args) => run(*args, cli.spec_dir),
        Command::Spec(args) => spec_cmd(args, cli.spec_dir),
        Command::Cases(args) => cases_cmd(args, cli.spec_dir),
        Command::Stub(args) => stub_cmd(args, cli.spec_dir),
        Command::Audit(args) => audit_cmd(args, cli.spec_dir),
        Command::Compat(args) => compat_cmd(args),
    };
    ExitCode::from(code)
}

fn fail(code: u8, msg: impl std::fmt::Display) -> u8 {
    eprintln!("error: {msg}");
    code
}

fn run(args: lambda_conform::cli::RunArgs, spec_dir: Option<PathBuf>) -> u8 {
    let mut config = match args.endpoint.config(spec_dir) {
        Ok(c) => c,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    config.concurrency = args.concurrency.max(1);
    config.settle = std::time::Duration::from_secs_f64(args.settle.max(0.0));
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
    let expectations = match &args.expectations {
        Some(path) => match Expectations::read(path, args.update_expectations) {
            Ok(e) => Some((path.clone(), e)),
            Err(e) => return fail(exit_code::USAGE, e),
        },
        None => None,
    };
    let session = match Session::prepare(config) {
        Ok(s) => s,
        Err(e) => return fail(e.exit_code(), e),
    };
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
    if !args.quiet {
        eprintln!(
            "lambda-conform {}: {} checks against {} (profile {}, seed {:016x}, {} instances each)",
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
    let trials = session.run_all(&cases, &|t| progress.record(t, session.requests()));
    progress.finish();
    let report = session.report(trials);
    if let Some(dir) = &args.report_dir {
        if let Err(e) = report::write_all(&report, dir) {
            return fail(exit_code::SETUP, e);
        }
    }
    if !args.quiet {
        print_findings(&report);
    }
    println!("{}", report::summary_line(&report));
    if !args.quiet {
        print_closing(&report, args.report_dir.as_deref());
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

/// Where the reports are, and the skipped checks counted by reason.
fn print_closing(report: &report::Report, dir: Option<&std::path::Path>) {
    match dir {
        Some(d) => println!(
            "reports: {} (report.json, junit.xml, report.md, report.html)",
            d.display()
        ),
        None => println!("reports: none written (--report-dir DIR writes them)"),
    }
    for (why, n) in harness::progress::skipped_by_reason(&report.trials) {
        println!("skipped {n}: {why}");
    }
}

/// The findings first (root causes, with one reproduction each), then the harness errors.
fn print_findings(report: &report::Report) {
    for g in &report.findings {
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
            Err(e) => return fail(exit_code::USAGE, e),
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
        let server = lambda_conform::stub::bind(table.clone(), addr, args.mutant)
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

fn compat_cmd(args: lambda_conform::cli::CompatArgs) -> u8 {
    let mut reports = Vec::new();
    for p in &args.reports {
        match report::json::read_json(p) {
            Ok(r) => reports.push(r),
            Err(e) => return fail(exit_code::USAGE, e),
        }
    }
    let table = report::compat::render(&reports);
    match &args.readme {
        None => print!("{table}"),
        Some(path) => {
            let old = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    return fail(
                        exit_code::USAGE,
                        format!("cannot read {}: {e}", path.display()),
                    )
                }
            };
            if let Err(e) = std::fs::write(path, report::compat::splice(&old, &table)) {
                return fail(
                    exit_code::SETUP,
                    format!("cannot write {}: {e}", path.display()),
                );
            }
            println!("wrote the compatibility table into {}", path.display());
        }
    }
    exit_code::CONFORMANT
}

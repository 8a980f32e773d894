//! The suite as libtest trials: `cargo test -- --endpoint URL [--profile P] [--seed S] [--cases N]`,
//! with libtest's filter, `--list`, `--exact` and `--test-threads`. Without `--endpoint` it runs
//! against the embedded reference stub (no network) and also checks the snapshots under `snapshots/`.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use clap::Parser;
use libtest_mimic::{Arguments, Completion, Failed, Trial};

use lambda_conform::cli::TestBinaryArgs;
use lambda_conform::generate::Context;
use lambda_conform::harness::{self, Session, Snapshots};
use lambda_conform::report::Outcome;
use lambda_conform::spec;
use lambda_conform::transport::Target;

#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    flags: TestBinaryArgs,
    #[command(flatten)]
    libtest: Arguments,
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    let mut config = match cli.flags.endpoint.config(None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if cli.flags.endpoint.seed.is_none() {
        // Reproducible by default in `cargo test`; `--seed` picks another corpus.
        config.seed = 0x1a3b_c0de;
    }
    // Failing seeds are kept per target kind; an endpoint whose kind was not named (no --target) keeps
    // none, so its failures never land in another target's file (the stub's, by default).
    config.regressions = match (&config.endpoint, cli.flags.endpoint.target) {
        (Some(_), None) => None,
        _ => Some(format!("regressions/{}.txt", config.target).into()),
    };
    let check_snapshots = cli
        .flags
        .snapshots
        .unwrap_or(config.endpoint.is_none() && config.mutant.is_none());
    if check_snapshots {
        config.snapshots =
            Snapshots::Check(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    }
    let table = match spec::load(&config.profile, None) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Case classes are listed without touching the endpoint, so `--list` needs no network.
    let probe = Context::new(
        config.seed,
        lambda_conform::transport::target::EMULATOR_ROLE_ARN,
    );
    let cases = harness::checks(
        harness::feasible_cases(&table, &probe),
        config.client != lambda_conform::harness::ClientMode::Raw,
    );
    let off_stub = config.endpoint.is_some() && config.target != Target::Stub;
    let strict = cli.flags.strict || config.endpoint.is_none();

    let session: Arc<OnceLock<Result<Session, String>>> = Arc::new(OnceLock::new());
    let trials: Vec<Trial> = cases
        .into_iter()
        .map(|case| {
            let session = session.clone();
            let config = config.clone();
            let ignored = off_stub && case.needs_resource().is_some();
            let kind = case.kind();
            Trial::ignorable_test(case.id(), move || {
                let s = session.get_or_init(|| Session::prepare(config).map_err(|e| e.to_string()));
                let s = s
                    .as_ref()
                    .map_err(|e| Failed::from(format!("harness error: {e}")))?;
                let record = s.run_check(&case);
                match record.outcome {
                    Outcome::Conformant => Ok(Completion::Completed),
                    Outcome::Skipped => {
                        Ok(Completion::ignored_with(record.skipped.unwrap_or_default()))
                    }
                    Outcome::Unconfirmed if !strict => Ok(Completion::ignored_with(format!(
                        "unconfirmed (differs only from an assumption): {}",
                        record.headline()
                    ))),
                    _ => Err(format!(
                        "{}\n  expected {}\n  observed {}\n{}\n  reproduce:\n{}\n  seed {}",
                        record.outcome.as_str(),
                        record.expected,
                        record.observed,
                        record.message,
                        record.reproduction.unwrap_or_default(),
                        record.seed.unwrap_or_default()
                    )
                    .into()),
                }
            })
            .with_kind(kind)
            .with_ignored_flag(ignored)
        })
        .collect();
    if cli.libtest.test_threads.is_none() {
        cli.libtest.test_threads = Some(8);
    }
    // An endpoint that cannot be set up is one error, not one failure per trial: prepare the session
    // before running when any trial will run (`--list` and a filter that selects none touch nothing).
    let runs_any = trials
        .iter()
        .any(|t| !cli.libtest.is_filtered_out(t) && !cli.libtest.is_ignored(t));
    if !cli.libtest.list && runs_any {
        let prepared = session.get_or_init(|| Session::prepare(config).map_err(|e| e.to_string()));
        if let Err(e) = prepared {
            eprintln!("error: set-up failed, no check ran: {e}");
            return ExitCode::from(3);
        }
    }
    libtest_mimic::run(&cli.libtest, trials).exit_code()
}

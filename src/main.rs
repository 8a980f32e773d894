//! The `lambda-conform` command. See `lambda-conform --help` and README.md.

use std::process::ExitCode;

use clap::Parser;

use lambda_conform::cli::{exit_code, Cli, Command};

mod allocator;
mod commands;

use commands::audit::audit_cmd;
use commands::certify::{corpus_cmd, verify_cmd};
use commands::replay::{matrix_cmd, replay_cmd};
use commands::run::{merge_cmd, run};
use commands::stub::stub_cmd;
use commands::sweep::sweep_cmd;
use commands::table::{cases_cmd, spec_cmd};

/// mimalloc (v3): generation allocates a tree of small values per request, and glibc's malloc and
/// free were 15-18 % of its time. Tuned in [`allocator::tune`] to stay under the memory target.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    allocator::no_huge_pages();
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
    allocator::tune(matches!(cli.command, Command::Cases(_)));
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

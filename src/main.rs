//! The `lambda-conform` command. See `lambda-conform --help` and README.md.

use std::process::ExitCode;

use clap::Parser;

use lambda_conform::cli::{exit_code, Cli, Command};

mod commands;

use commands::audit::audit_cmd;
use commands::certify::{corpus_cmd, verify_cmd};
use commands::replay::{matrix_cmd, replay_cmd};
use commands::run::{merge_cmd, run};
use commands::stub::stub_cmd;
use commands::sweep::sweep_cmd;
use commands::table::{cases_cmd, spec_cmd};

fn main() -> ExitCode {
    cap_malloc_arenas();
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

/// glibc gives each new thread its own malloc arena, up to 8 per core. A run's check threads each
/// build and drop megabyte-sized requests now and then, and every arena keeps the pages it freed.
/// One arena per core (at least 2) held a `--cases 64` run at 48-54 MiB instead of 47-60 here, at
/// no measurable cost in speed (docs/benchmarks.md). `MALLOC_ARENA_MAX` in the environment wins.
fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = libc::c_int::try_from(cores.max(2)).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only sets a malloc parameter; called before any thread is started.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

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

/// mimalloc (v3): generation allocates a tree of small values per request, and glibc's malloc and
/// free were 15-18 % of its time. Tuned in [`tune_allocator`] to stay under the memory target.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    tune_allocator(&cli.command);
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

/// mimalloc v3's options: the environment variable that sets one, its number (`mi_option_t` in
/// its `mimalloc.h`; the Rust crate names only the v2 ones) and its default (`src/options.c`).
mod mi_option {
    use libc::{c_int, c_long};
    pub const PURGE_DELAY: (&str, c_int, c_long) = ("MIMALLOC_PURGE_DELAY", 15, 1000);
    pub const ALLOW_THP: (&str, c_int, c_long) = ("MIMALLOC_ALLOW_THP", 43, 1);
}

/// Sets a mimalloc option unless its environment variable is set, and only where the option still
/// has its default (a number that names another option in some other mimalloc is left alone).
/// Whether it was set.
fn mi_set((env, option, default): (&str, libc::c_int, libc::c_long), value: libc::c_long) -> bool {
    if std::env::var_os(env).is_some() {
        return false;
    }
    // SAFETY: mi_option_get and mi_option_set only read and store an option's value.
    unsafe {
        if libmimalloc_sys::mi_option_get(option) != default {
            return false;
        }
        libmimalloc_sys::mi_option_set(option, value);
    }
    true
}

/// mimalloc as it comes keeps freed pages for a second and backs its arenas with transparent huge
/// pages: a `--cases 64` run held 124-134 MiB against glibc's 51-55. Freed pages given back at once
/// and no huge pages hold it at about 61 MiB (docs/benchmarks.md). `cases` only makes requests and
/// writes them out, one thread, nothing kept: there giving pages back at once cost 8 % of the
/// generation time, so it keeps mimalloc's delay.
fn tune_allocator(command: &Command) {
    if !matches!(command, Command::Cases(_)) {
        mi_set(mi_option::PURGE_DELAY, 0);
    }
    if mi_set(mi_option::ALLOW_THP, 0) {
        // What mimalloc does itself for allow_thp = 0 when it starts, which is before `main`.
        #[cfg(target_os = "linux")]
        // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process's memory map.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

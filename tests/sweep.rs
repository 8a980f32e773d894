//! `lambda-conform sweep` deletes only the functions carrying one run prefix (paging ListFunctions),
//! leaves every other name alone, honours `--older-than` and `--dry-run`, and refuses a prefix that
//! is not a run prefix; every `run` ends with its leak line.

#[path = "support/stub_process.rs"]
mod stub_process;
mod support;

use support::lc;

use std::process::ExitCode;

use libtest_mimic::Failed;
use stub_process::{StubProcess, PROFILE};
use support::check;

const PREFIX: &str = "lc-0a1b2c3d";

fn sweep_deletes_only_the_prefix() -> Result<(), Failed> {
    let stub = StubProcess::start()?;
    // 55 of the run's own: more than one ListFunctions page of 50.
    let ours: Vec<String> = (0..55).map(|i| format!("{PREFIX}-{i:08x}")).collect();
    let foreign: Vec<String> = [
        "my-prod-function",
        "lc-0a1b2c3e-similar-prefix",
        "lc-0a1b2c3dx",
        "xlc-0a1b2c3d-inside",
        "LC-0A1B2C3D-upper",
        "lc-0a1b2c3",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    stub.plant(&foreign)?;
    stub.plant(&ours)?;
    let mut all: Vec<String> = ours.iter().chain(&foreign).cloned().collect();
    all.sort();
    check(
        stub.function_names()? == all,
        "planting did not give every name",
    )?;

    // A prefix that is not a run prefix: one line, exit 2, nothing deleted.
    for bad in [
        "",
        "lc-",
        "lc-0a1b",
        "lc-0A1B2C3D",
        "my-prod",
        "lc-0a1b2c3d-",
    ] {
        let (code, _, err) = lc(&["sweep", "--endpoint", &stub.url, "--prefix", bad])?;
        check(
            code == 2 && err.trim_end().lines().count() == 1 && err.contains("--prefix"),
            format!("--prefix {bad:?}: exit {code}, stderr {err:?}"),
        )?;
    }
    let (code, _, err) = lc(&["sweep", "--prefix", PREFIX])?;
    check(
        code == 2 && err.contains("--endpoint"),
        format!("no endpoint: exit {code}, {err:?}"),
    )?;
    check(
        stub.function_names()? == all,
        "a refused sweep deleted something",
    )?;

    // --dry-run lists the 55 and deletes nothing.
    let (code, out, err) = lc(&[
        "sweep",
        "--endpoint",
        &stub.url,
        "--prefix",
        PREFIX,
        "--dry-run",
    ])?;
    check(code == 0, format!("dry run: exit {code}, {err}"))?;
    let listed = out
        .lines()
        .filter(|l| l.starts_with("would delete "))
        .count();
    check(
        listed == 55,
        format!("dry run listed {listed}, not 55:\n{out}"),
    )?;
    check(
        !out.lines()
            .any(|l| foreign.iter().any(|f| l.contains(&format!(" {f} ")))),
        format!("dry run lists a foreign name:\n{out}"),
    )?;
    check(stub.function_names()? == all, "--dry-run deleted something")?;

    // --older-than: everything was just made, so nothing is old enough.
    let (code, out, _) = lc(&[
        "sweep",
        "--endpoint",
        &stub.url,
        "--prefix",
        PREFIX,
        "--older-than",
        "1h",
    ])?;
    check(
        code == 0 && out.contains("0 deleted") && out.contains("55 younger"),
        format!("--older-than 1h: exit {code}\n{out}"),
    )?;
    check(
        stub.function_names()? == all,
        "--older-than 1h deleted a young function",
    )?;
    let (code, _, err) = lc(&[
        "sweep",
        "--endpoint",
        &stub.url,
        "--prefix",
        PREFIX,
        "--older-than",
        "soon",
    ])?;
    check(
        code == 2 && err.contains("soon"),
        format!("--older-than soon: {code} {err}"),
    )?;

    // The sweep: the 55 go, the foreign names stay.
    let (code, out, err) = lc(&[
        "sweep",
        "--endpoint",
        &stub.url,
        "--prefix",
        PREFIX,
        "--older-than",
        "0s",
    ])?;
    check(code == 0, format!("sweep: exit {code}, {err}"))?;
    check(out.contains("55 deleted"), format!("sweep said:\n{out}"))?;
    let mut left = stub.function_names()?;
    left.sort();
    let mut want = foreign.clone();
    want.sort();
    check(
        left == want,
        format!("left {left:?}, want exactly {want:?}"),
    )
}

/// A run's last line says what its clean-up left: nothing on a stub that deletes, the names on one
/// whose delete keeps the function.
fn run_ends_with_its_leak_line() -> Result<(), Failed> {
    let args = [
        "run",
        "--profile",
        PROFILE,
        "--cases",
        "1",
        "--client",
        "raw",
        "--regressions",
        "none",
        "--seed",
        "7",
        "--filter",
        "memory_size",
        "--quiet",
    ];
    let (code, out, err) = lc(&args)?;
    check(code == 0, format!("exit {code}: {err}"))?;
    let last = out.trim_end().lines().last().unwrap_or("");
    check(last == "leaked: 0 functions", format!("last line {last:?}"))?;

    let mut leaky = args.to_vec();
    leaky.extend(["--mutant", "delete-keeps"]);
    let (_, out, err) = lc(&leaky)?;
    let last = out.trim_end().lines().last().unwrap_or("");
    let names = last
        .strip_prefix("leaked: ")
        .and_then(|r| r.split_once(" functions: "))
        .map(|(n, names)| {
            (
                n.parse::<usize>().unwrap_or(0),
                names.split(", ").collect::<Vec<_>>(),
            )
        });
    let Some((n, names)) = names else {
        return Err(format!("last line {last:?} names no leaked function; stderr {err}").into());
    };
    check(
        n > 0 && n == names.len() && names.iter().all(|x| x.starts_with("lc-") && x.len() > 12),
        format!("leak line {last:?}"),
    )
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "sweep::deletes_only_the_prefix",
            sweep_deletes_only_the_prefix,
        ),
        (
            "sweep::run_ends_with_its_leak_line",
            run_ends_with_its_leak_line,
        ),
    ])
}

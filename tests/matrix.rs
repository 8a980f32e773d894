//! `lambda-conform matrix` (alias `compat`) on two small hand-made runs with known disagreements:
//! each cell's mark, the "endpoints disagree" column, and the parity score from a replay.json
//! beside a report.json.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use libtest_mimic::Failed;
use serde_json::{json, Value};
use support::check;

fn main() -> ExitCode {
    support::run(vec![
        (
            "matrix::marks_disagreements_with_aws_and_between_endpoints",
            marks_disagreements,
        ),
        ("matrix::compat_is_an_alias", compat_is_an_alias),
        (
            "matrix::endpoint_runs_each_endpoint_with_one_seed",
            endpoint_runs_each_endpoint,
        ),
        (
            "matrix::no_input_is_a_usage_error",
            no_input_is_a_usage_error,
        ),
    ])
}

fn trial(id: &str, outcome: &str, basis: &str, observed: &str) -> Value {
    json!({
        "id": id, "kind": "violation", "outcome": outcome, "expected": "400 ValidationException",
        "observed": observed, "reproduction": null, "message": "", "basis": basis,
        "instances": 1, "seed": null, "skipped": null
    })
}

fn report(target: &str, trials: Vec<Value>) -> Value {
    json!({
        "tool": {"name": "lambda-conform", "version": "0.1.0"},
        "profile": "aws-2026", "endpoint": "http://127.0.0.1:1", "target": target,
        "seed": "0000000000000007", "started": "2026-11-29T00:00:00Z", "finished": "2026-11-29T00:00:01Z",
        "summary": {"trials": 0, "conformant": 0, "divergent": 0, "harness_errors": 0, "requests": 0,
                    "unconfirmed": 0, "findings": 0, "throttled_retries": 0, "skipped": 0},
        "trials": trials
    })
}

fn write(dir: &Path, name: &str, v: &Value) -> Result<PathBuf, Failed> {
    std::fs::create_dir_all(dir)?;
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v)?)?;
    Ok(p)
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lc-matrix-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Two runs: `a` conforms where `b` contradicts a recording (≠); both differ alike on `same`
/// (no ≠); both differ unlike on `unlike` (≠); only `b` ran `only_b`.
fn fixture(root: &Path) -> Result<(PathBuf, PathBuf), Failed> {
    let a = report(
        "stub",
        vec![
            trial(
                "create_function::x::agree_ok",
                "conformant",
                "recorded",
                "400 ValidationException",
            ),
            trial(
                "create_function::x::a_ok_b_rec",
                "conformant",
                "recorded",
                "400 ValidationException",
            ),
            trial(
                "create_function::x::same",
                "divergent",
                "derived",
                "201 Created",
            ),
            trial(
                "create_function::x::unlike",
                "unconfirmed",
                "assumed",
                "201 Created",
            ),
        ],
    );
    let b = report(
        "moto",
        vec![
            trial(
                "create_function::x::agree_ok",
                "conformant",
                "recorded",
                "400 ValidationException",
            ),
            trial(
                "create_function::x::a_ok_b_rec",
                "divergent",
                "recorded",
                "201 Created",
            ),
            trial(
                "create_function::x::same",
                "divergent",
                "derived",
                "201 Created",
            ),
            trial(
                "create_function::x::unlike",
                "unconfirmed",
                "assumed",
                "500 InternalFailure",
            ),
            trial("create_function::x::only_b", "skipped", "recorded", ""),
        ],
    );
    let pa = write(&root.join("a"), "report.json", &a)?;
    let pb = write(&root.join("b"), "report.json", &b)?;
    let ex = |id: &str, family: &str, outcome: &str| json!({"id": id, "family": family, "outcome": outcome});
    let replay = json!({
        "tool": {"name": "lambda-conform", "version": "0.1.0"}, "profile": "aws-2026",
        "endpoint": "http://127.0.0.1:1", "target": "moto", "recordings": "r.jsonl",
        "account": "123456789012", "region": "us-east-1", "seed": "07",
        "started": "", "finished": "",
        "summary": {"exchanges": 5, "replayable": 4, "replayed": 4, "equal": 3, "differs": 1,
                    "skipped": 1, "harness_errors": 0, "parity_percent": 75.0},
        "families": [{"family": "function_name", "replayed": 2, "equal": 1, "skipped": 0},
                     {"family": "valid", "replayed": 2, "equal": 2, "skipped": 1}],
        "exchanges": [ex("r/1", "function_name", "equal"), ex("r/2", "function_name", "differs"),
                      ex("r/3", "valid", "equal"), ex("r/4", "valid", "equal"), ex("r/5", "valid", "skipped")]
    });
    write(&root.join("b"), "replay.json", &replay)?;
    Ok((pa, pb))
}

fn matrix(args: &[&str]) -> Result<(i32, String, String), Failed> {
    matrix_in(Path::new("."), args)
}

fn matrix_in(dir: &Path, args: &[&str]) -> Result<(i32, String, String), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args(args)
        .current_dir(dir)
        .output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

fn row<'a>(table: &'a str, id: &str) -> Result<&'a str, Failed> {
    table
        .lines()
        .find(|l| l.starts_with(&format!("| `{id}` |")))
        .ok_or_else(|| format!("no row for {id} in:\n{table}").into())
}

fn marks_disagreements() -> Result<(), Failed> {
    let root = scratch("marks");
    let (a, b) = fixture(&root)?;
    let out = root.join("COMPATIBILITY.md");
    let (code, stdout, stderr) = matrix(&[
        "matrix",
        &a.to_string_lossy(),
        &format!("emulator={}", b.display()),
        "--out",
        &out.to_string_lossy(),
    ])?;
    check(code == 0, format!("exit {code}: {stderr}"))?;
    check(
        stdout.contains("COMPATIBILITY.md"),
        format!("stdout: {stdout}"),
    )?;
    let t = std::fs::read_to_string(&out)?;
    let _ = std::fs::remove_dir_all(&root);
    check(
        t.contains("| check | stub | emulator | ≠ |"),
        format!("header:\n{t}"),
    )?;
    check(
        row(&t, "create_function::x::agree_ok")?
            == "| `create_function::x::agree_ok` | ok | ok | |",
        "agree_ok",
    )?;
    check(
        row(&t, "create_function::x::a_ok_b_rec")?
            == "| `create_function::x::a_ok_b_rec` | ok | REC | ≠ |",
        format!("a_ok_b_rec: {}", row(&t, "create_function::x::a_ok_b_rec")?),
    )?;
    check(
        row(&t, "create_function::x::same")? == "| `create_function::x::same` | DIFF | DIFF | |",
        "same",
    )?;
    check(
        row(&t, "create_function::x::unlike")?
            == "| `create_function::x::unlike` | unc | unc | ≠ |",
        "unlike",
    )?;
    check(
        row(&t, "create_function::x::only_b")? == "| `create_function::x::only_b` |   | skip | |",
        format!("only_b: {}", row(&t, "create_function::x::only_b")?),
    )?;
    check(
        t.contains("the endpoints disagree with each other on 2."),
        "the disagreement count",
    )?;
    check(
        t.contains("| mark | meaning |") && t.contains("recorded from AWS"),
        "the legend",
    )?;
    // The parity score: only the column with a replay.json has one.
    let endpoints: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with("| stub |") || l.starts_with("| emulator |"))
        .collect();
    check(
        endpoints.len() == 2,
        format!("endpoint rows: {endpoints:?}"),
    )?;
    check(
        endpoints[0].ends_with("| — |"),
        format!("stub has no replay: {}", endpoints[0]),
    )?;
    check(
        endpoints[1].contains("3/4 (75.0%), 1 not replayable"),
        format!("emulator parity: {}", endpoints[1]),
    )?;
    check(
        t.contains("| function_name | — | 1/2 |"),
        format!("per-family parity:\n{t}"),
    )
}

fn compat_is_an_alias() -> Result<(), Failed> {
    let root = scratch("alias");
    let (a, b) = fixture(&root)?;
    let (c1, m1, _) = matrix(&["matrix", &a.to_string_lossy(), &b.to_string_lossy()])?;
    let (c2, m2, _) = matrix(&["compat", &a.to_string_lossy(), &b.to_string_lossy()])?;
    let _ = std::fs::remove_dir_all(&root);
    check(
        c1 == 0 && c2 == 0 && m1 == m2 && m1.contains("| check | stub | moto | ≠ |"),
        format!("{c1} {c2}\n{m1}"),
    )
}

fn no_input_is_a_usage_error() -> Result<(), Failed> {
    let (code, _, stderr) = matrix(&["matrix"])?;
    check(
        code == 2 && stderr.lines().count() == 1,
        format!("exit {code}: {stderr}"),
    )
}

/// `matrix --endpoint`: the embedded stub and a stub broken one way (it accepts a MemorySize above
/// the maximum), run with one seed, each with its reports in `reports/<label>/`; the broken
/// endpoint's cell differs on that check alone among the memory checks, marked ≠. An endpoint
/// that does not answer stops the matrix with one error line and exit 3.
fn endpoint_runs_each_endpoint() -> Result<(), Failed> {
    use lambda_conform::stub::{self, Mutant};
    let root = scratch("endpoint");
    std::fs::create_dir_all(&root)?;
    let spec = std::sync::Arc::new(lambda_conform::spec::load("aws-2026", None)?);
    let broken = stub::start_blocking(spec, Some(Mutant::AcceptsMemoryAboveMax))?;
    let label = format!("broken={}", broken.uri());
    let (code, _, stderr) = matrix_in(
        &root,
        &[
            "matrix",
            "--endpoint",
            "stub",
            "--endpoint",
            &label,
            "--cases",
            "1",
            "-o",
            "m.md",
        ],
    )?;
    check(code == 0, format!("exit {code}: {stderr}"))?;
    let table = std::fs::read_to_string(root.join("m.md"))?;
    check(
        table.contains("| check | stub | broken | ≠ |"),
        table.clone(),
    )?;
    let above = row(&table, "create_function::memory_size::above_max")?;
    check(
        above.starts_with("| `create_function::memory_size::above_max` | ok |")
            && !above.contains("| ok | ok |")
            && above.ends_with("| ≠ |"),
        format!("above_max: {above}"),
    )?;
    for id in [
        "memory_size::at_max",
        "memory_size::below_min",
        "valid::memory_size",
    ] {
        let r = row(&table, &format!("create_function::{id}"))?;
        check(r.ends_with("| ok | ok | |"), format!("{id}: {r}"))?;
    }
    let mut seeds = Vec::new();
    for l in ["stub", "broken"] {
        let report: Value = serde_json::from_str(&std::fs::read_to_string(
            root.join(format!("reports/{l}/report.json")),
        )?)?;
        check(
            root.join(format!("reports/{l}/replay.json")).exists(),
            format!("{l}: no replay.json"),
        )?;
        seeds.push((report["seed"].clone(), report["corpus_sha256"].clone()));
    }
    check(
        seeds[0] == seeds[1],
        format!("the endpoints got different requests: {seeds:?}"),
    )?;
    // An endpoint that does not answer: one line, exit 3, no table.
    drop(broken);
    let (code, out, stderr) = matrix_in(&root, &["matrix", "--endpoint", &label, "--cases", "1"])?;
    let _ = std::fs::remove_dir_all(&root);
    check(
        code == 3
            && out.is_empty()
            && stderr.lines().filter(|l| l.starts_with("error:")).count() == 1,
        format!("unreachable: exit {code}\n{out}\n{stderr}"),
    )
}

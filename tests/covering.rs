//! `run --covering`: every case id the generator lists is covered at least once, with at most 400
//! HTTP requests in all (set-up, creates, deletes, clean-up) for aws-2026, and report.json says which
//! request covered which case ids. The faithful stub conforms; a broken one is still caught.

mod support;

use support::lc;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::harness::{Lifecycle, RunConfig, Session};
use lambda_conform::report::json::read_json;
use lambda_conform::stub::Mutant;

fn covering_run(name: &str, mutant: Option<&str>) -> Result<(i32, std::path::PathBuf), Failed> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("covering-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.display().to_string();
    let mut args = vec![
        "run",
        "--covering",
        "--seed",
        "7",
        "--regressions",
        "none",
        "--quiet",
        "--report-dir",
        &d,
    ];
    if let Some(m) = mutant {
        args.extend(["--mutant", m]);
    }
    let (code, _, err) = lc(&args)?;
    check(code == 0 || code == 1, format!("exit {code}: {err}"))?;
    Ok((code, dir))
}

fn covers_every_case_id_within_400_requests() -> Result<(), Failed> {
    let (code, out, err) = lc(&["cases", "--seed", "7"])?;
    check(code == 0, format!("cases: exit {code}: {err}"))?;
    let listed: BTreeSet<String> = out
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_string)
        .collect();
    check(
        listed.len() > 300,
        format!("only {} case ids listed", listed.len()),
    )?;

    let (code, dir) = covering_run("stub", None)?;
    let r = read_json(&dir.join("report.json")).map_err(|e| e.to_string())?;
    check(
        code == 0,
        format!("the faithful stub: exit {code}, {:?}", r.summary),
    )?;
    check(
        r.summary.requests <= 400,
        format!("{} requests (at most 400)", r.summary.requests),
    )?;
    let covered: BTreeSet<String> = r
        .coverage
        .iter()
        .flat_map(|c| c.case_ids.iter().cloned())
        .collect();
    let missing: Vec<&String> = listed.difference(&covered).collect();
    check(missing.is_empty(), format!("not covered: {missing:?}"))?;
    // Every covered id has its trial, conformant, and requests are numbered within the run's count.
    let trials: BTreeSet<&str> = r.trials.iter().map(|t| t.id.as_str()).collect();
    check(
        covered.iter().all(|id| trials.contains(id.as_str())),
        "a covered id without a trial",
    )?;
    check(
        r.trials.iter().all(|t| t.outcome.is_conformant()),
        format!(
            "non-conformant on the stub: {:?}",
            r.trials
                .iter()
                .filter(|t| !t.outcome.is_conformant())
                .map(|t| &t.id)
                .collect::<Vec<_>>()
        ),
    )?;
    let numbers: BTreeSet<u64> = r.coverage.iter().map(|c| c.request).collect();
    check(
        numbers.len() == r.coverage.len()
            && numbers.iter().all(|n| (1..=r.summary.requests).contains(n)),
        "each coverage entry is its own request within the run's count",
    )?;
    // Sharing is what keeps it small: some create covers several valid classes.
    check(
        r.coverage.iter().any(|c| c.case_ids.len() >= 5),
        "no create was shared",
    )?;
    check(
        r.coverage.len() < listed.len(),
        format!(
            "{} requests for {} ids: nothing shared",
            r.coverage.len(),
            listed.len()
        ),
    )
}

/// A broken stub is still caught by the covering run, on the class it breaks (in this process: the
/// table's case classes are worked out once for both mutants).
fn a_mutant_is_caught() -> Result<(), Failed> {
    for (mutant, id) in [
        (
            Mutant::AcceptsMemoryAboveMax,
            "create_function::memory_size::above_max",
        ),
        (
            Mutant::AsciiDescription,
            "create_function::valid::description::non_ascii",
        ),
    ] {
        let session = Session::prepare(RunConfig {
            seed: 7,
            mutant: Some(mutant),
            ..RunConfig::default()
        })
        .map_err(|e| e.to_string())?;
        let (trials, coverage) = session.run_covering(&session.cases(), &Lifecycle::all());
        let t = trials.iter().find(|t| t.id == id).ok_or("no trial")?;
        check(
            t.outcome.differs(),
            format!("{}: {id} {:?}", mutant.name(), t.outcome),
        )?;
        check(
            coverage.iter().any(|c| c.case_ids.iter().any(|c| c == id)),
            format!("{}: {id} not in the coverage", mutant.name()),
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "covering::covers_every_case_id_within_400_requests",
            covers_every_case_id_within_400_requests,
        ),
        ("covering::a_mutant_is_caught", a_mutant_is_caught),
    ])
}

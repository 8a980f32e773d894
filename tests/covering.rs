//! `run --covering`: every case id the generator lists is covered at least once, with at most 400
//! HTTP requests in all (set-up, creates, deletes, clean-up) for aws-2026, and report.json says which
//! request covered which case ids. The faithful stub conforms; a broken one is still caught.

mod support;

use support::lc;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::sync::OnceLock;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::generate::Case;
use lambda_conform::harness::{Check, Lifecycle, RunConfig, Session};
use lambda_conform::report::json::read_json;
use lambda_conform::report::TrialRecord;
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
    let listed: BTreeSet<String> = listed;

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
    // Before the lifecycle checks were folded in, the covering run made 286 requests without them.
    check(
        r.summary.requests < 286,
        format!("{} requests (fewer than 286)", r.summary.requests),
    )?;
    let covered: BTreeSet<String> = r
        .coverage
        .iter()
        .flat_map(|c| c.case_ids.iter().cloned())
        .collect();
    let mut listed = listed;
    listed.extend(Lifecycle::all().into_iter().map(|l| l.id().to_string()));
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
        let (session, cases) = prepare(Some(mutant))?;
        let (trials, coverage) = session.run_covering(&cases, &Lifecycle::all());
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

/// The seed-7 case classes, worked out once for every test of this binary (they take seconds).
fn seed7_cases() -> Result<Vec<Case>, Failed> {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    if let Some(c) = CASES.get() {
        return Ok(c.clone());
    }
    let s = Session::prepare(RunConfig {
        seed: 7,
        ..RunConfig::default()
    })
    .map_err(|e| e.to_string())?;
    Ok(CASES.get_or_init(|| s.cases()).clone())
}

/// A seed-7 run on the stub (with `mutant`), with the case classes already worked out.
fn prepare(mutant: Option<Mutant>) -> Result<(Session, Vec<Case>), Failed> {
    let cases = seed7_cases()?;
    let s = Session::prepare(RunConfig {
        seed: 7,
        mutant,
        ..RunConfig::default()
    })
    .map_err(|e| e.to_string())?;
    check(
        s.use_cases(cases.clone()),
        "the case classes were worked out twice",
    )?;
    Ok((s, cases))
}

fn kind_of<'a>(trials: &'a [TrialRecord], id: &str) -> &'a str {
    trials
        .iter()
        .find(|t| t.id == id)
        .map_or("", |t| t.kind.as_str())
}

/// The lifecycle checks ride on creates the covering run makes anyway: read-back, publish-on-create
/// and delete-then-recreate are listed on a create that also covers valid or boundary classes,
/// validation-before-conflict on a violation class's request; the duplicate create is the one
/// request made only for a lifecycle check (a second create of an existing name is the check), and
/// it re-sends the read-back's create right after the reads. Folding them in costs a handful of requests, far fewer than
/// the checks make on their own.
fn lifecycle_rides_on_shared_creates() -> Result<(), Failed> {
    let (bare, cases) = prepare(None)?;
    let (plain_trials, _) = bare.run_covering(&cases, &[]);
    let without = bare.requests();
    check(
        plain_trials.iter().all(|t| !t.id.contains("::lifecycle::")),
        "lifecycle trials in a run without lifecycle checks",
    )?;

    let (s, _) = prepare(None)?;
    let (trials, coverage) = s.run_covering(&cases, &Lifecycle::all());
    let with = s.requests();
    let entry = |l: Lifecycle| {
        coverage
            .iter()
            .find(|c| c.case_ids.iter().any(|i| i == l.id()))
            .ok_or(format!("{} not covered", l.id()))
    };
    for l in [
        Lifecycle::ReadBack,
        Lifecycle::PublishOnCreate,
        Lifecycle::DeleteThenRecreate,
    ] {
        let e = entry(l)?;
        check(
            e.case_ids
                .iter()
                .any(|i| matches!(kind_of(&trials, i), "valid" | "boundary")),
            format!("{} on a create of no valid class: {e:?}", l.id()),
        )?;
    }
    let vbc = entry(Lifecycle::ValidationBeforeConflict)?;
    check(
        vbc.case_ids
            .iter()
            .any(|i| kind_of(&trials, i) == "violation"),
        format!("validation_before_conflict not folded into a violation class: {vbc:?}"),
    )?;
    let read = entry(Lifecycle::ReadBack)?;
    check(
        (3..=8).contains(&read.follow_ups.len())
            && read
                .follow_ups
                .iter()
                .all(|n| *n > read.request && *n <= with),
        format!("read-back's reads: {:?}", read.follow_ups),
    )?;
    let dtr = entry(Lifecycle::DeleteThenRecreate)?;
    check(
        dtr.follow_ups.len() == 2 && dtr.follow_ups.iter().all(|n| *n < dtr.request),
        format!(
            "delete-then-recreate's delete and lookup: {:?}",
            dtr.follow_ups
        ),
    )?;
    let dup = entry(Lifecycle::DuplicateName)?;
    check(
        dup.case_ids.len() == 1 && read.follow_ups.last().is_some_and(|n| dup.request == n + 1),
        format!("the duplicate is not a re-send of the shared create {read:?}: {dup:?}"),
    )?;
    let only_lifecycle: Vec<_> = coverage
        .iter()
        .filter(|c| c.case_ids.iter().all(|i| i.contains("::lifecycle::")))
        .collect();
    check(
        only_lifecycle.len() == 1,
        format!("requests made only for lifecycle checks: {only_lifecycle:?}"),
    )?;
    // The checks alone (each on its own functions) take many more requests than folded in.
    let (normal, _) = prepare(None)?;
    let checks: Vec<Check> = Lifecycle::all().into_iter().map(Check::Lifecycle).collect();
    normal.run_all(&checks, &|_| {});
    check(
        with - without <= 8 && with - without < normal.requests(),
        format!(
            "folding the lifecycle checks in cost {} requests (on their own: {})",
            with - without,
            normal.requests()
        ),
    )?;
    check(
        trials.len() == plain_trials.len() + Lifecycle::all().len(),
        "one trial per lifecycle check",
    )
}

/// The lifecycle verdicts of a covering run are those of a normal run: conformant on the faithful
/// stub, and a stub that breaks a lifecycle behaviour is caught on that check by both, without the
/// break being pinned on the case classes whose create the check rode on.
fn lifecycle_verdicts_match_a_normal_run() -> Result<(), Failed> {
    let checks: Vec<Check> = Lifecycle::all().into_iter().map(Check::Lifecycle).collect();
    for (mutant, broken) in [
        (None, None),
        (Some(Mutant::NoConflict), Some(Lifecycle::DuplicateName)),
        (Some(Mutant::ReadbackDisagrees), Some(Lifecycle::ReadBack)),
        (
            Some(Mutant::DeleteKeeps),
            Some(Lifecycle::DeleteThenRecreate),
        ),
    ] {
        let label = mutant.map_or("faithful", |m| m.name());
        let normal = prepare(mutant)?.0.run_all(&checks, &|_| {});
        let (s, cases) = prepare(mutant)?;
        let (trials, coverage) = s.run_covering(&cases, &Lifecycle::all());
        for l in Lifecycle::all() {
            let got = trials
                .iter()
                .find(|t| t.id == l.id())
                .ok_or(format!("{label}: no covering trial {}", l.id()))?;
            let want = normal
                .iter()
                .find(|t| t.id == l.id())
                .ok_or(format!("{label}: no normal trial {}", l.id()))?;
            check(
                got.outcome == want.outcome,
                format!(
                    "{label}: {} covering {:?} ({}), normal {:?} ({})",
                    l.id(),
                    got.outcome,
                    got.message,
                    want.outcome,
                    want.message
                ),
            )?;
            let expect_differs = broken == Some(l);
            check(
                got.outcome.differs() == expect_differs
                    && (expect_differs || got.outcome.is_conformant()),
                format!("{label}: {} {:?}", l.id(), got.outcome),
            )?;
            check(
                coverage
                    .iter()
                    .any(|c| c.case_ids.iter().any(|i| i == l.id())),
                format!("{label}: {} not in the coverage", l.id()),
            )?;
        }
        // The case classes the chain rode on keep their own verdicts.
        let off: Vec<&str> = trials
            .iter()
            .filter(|t| t.kind != "lifecycle" && !t.outcome.is_conformant())
            .map(|t| t.id.as_str())
            .collect();
        check(
            off.is_empty(),
            format!("{label}: case classes blamed: {off:?}"),
        )?;
    }
    Ok(())
}

/// Classes resting on the same assumption (a JSON null treated as absent) share a create on the
/// faithful stub; when that shared create is not conformant, each is sent alone after all and judged
/// on its own answer.
fn assumed_classes_share_then_fall_back() -> Result<(), Failed> {
    let (faithful, cases) = prepare(None)?;
    let (_, coverage) = faithful.run_covering(&cases, &[]);
    let shared: Vec<String> = coverage
        .iter()
        .filter(|c| c.case_ids.iter().filter(|i| i.ends_with("::null")).count() >= 5)
        .flat_map(|c| c.case_ids.clone())
        .collect();
    check(
        shared.len() >= 5 && shared.iter().all(|i| i.ends_with("::null")),
        format!("the null classes do not share a create: {shared:?}"),
    )?;
    // Every create answer lacks RevisionId: the shared create is not conformant.
    let (broken, _) = prepare(Some(Mutant::MissingRevisionId))?;
    let (trials, coverage) = broken.run_covering(&cases, &[]);
    for id in &shared {
        let own = coverage
            .iter()
            .filter(|c| c.case_ids.iter().any(|i| i == id))
            .collect::<Vec<_>>();
        check(
            own.len() == 1 && own[0].case_ids.len() == 1,
            format!("{id} not sent alone after the shared create failed: {own:?}"),
        )?;
        let t = trials.iter().find(|t| &t.id == id).ok_or("no trial")?;
        check(t.outcome.differs(), format!("{id}: {:?}", t.outcome))?;
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
        (
            "covering::lifecycle_rides_on_shared_creates",
            lifecycle_rides_on_shared_creates,
        ),
        (
            "covering::assumed_classes_share_then_fall_back",
            assumed_classes_share_then_fall_back,
        ),
        (
            "covering::lifecycle_verdicts_match_a_normal_run",
            lifecycle_verdicts_match_a_normal_run,
        ),
    ])
}

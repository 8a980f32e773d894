//! `run --shard K/N` and `merge`: the shards of a run are disjoint and together the whole run, and
//! the merged shard reports judge every check as the unsharded run does, with the same findings.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::harness::{RunConfig, Session, Shard};
use lambda_conform::report::{json::read_json, merge::merge, Report};

/// Runs `lambda-conform ARGS`; gives (exit code, stderr).
fn lc(args: &[&str]) -> Result<(i32, String), Failed> {
    let (code, _, stderr) = support::lc(args)?;
    Ok((code, stderr))
}

fn scratch(name: &str) -> Result<PathBuf, Failed> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shards-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Every check id of the aws-2026 suite falls in exactly one of N shards, for several N.
fn shards_partition_the_whole_suite() -> Result<(), Failed> {
    let session = Session::prepare(RunConfig {
        seed: 7,
        ..RunConfig::default()
    })
    .map_err(|e| e.to_string())?;
    let ids: Vec<String> = session.checks().iter().map(|c| c.id()).collect();
    check(ids.len() > 600, format!("only {} checks", ids.len()))?;
    for n in [1u64, 2, 3, 4, 7] {
        let mut union = BTreeSet::new();
        for k in 1..=n {
            let shard = Shard { index: k, total: n };
            let part: Vec<&String> = ids.iter().filter(|id| shard.contains(id)).collect();
            check(
                n == 1 || (part.len() < ids.len() && !part.is_empty()),
                format!("shard {shard} holds {} of {} checks", part.len(), ids.len()),
            )?;
            for id in part {
                check(
                    union.insert(id.clone()),
                    format!("{id} is in two shards of {n}"),
                )?;
            }
        }
        let all: BTreeSet<String> = ids.iter().cloned().collect();
        check(
            union == all,
            format!("the {n} shards are not the whole suite"),
        )?;
    }
    // The split is stable: an id's shard does not depend on the other ids.
    let s: Shard = "2/4".parse().map_err(|e: String| e)?;
    check(
        s == Shard { index: 2, total: 4 },
        format!("2/4 parsed as {s:?}"),
    )?;
    Ok(())
}

/// A bad `--shard` is one line and exit 2.
fn bad_shard_forms() -> Result<(), Failed> {
    for bad in ["0/4", "5/4", "4", "a/b", "1/0", "-1/4", "1/4/2", ""] {
        // `--shard=V`: a value that starts with `-` would otherwise read as a flag.
        let arg = format!("--shard={bad}");
        let (code, err) = lc(&["run", &arg])?;
        check(
            code == 2 && err.trim_end().lines().count() == 1 && err.contains("--shard"),
            format!("--shard {bad:?}: exit {code}, stderr {err:?}"),
        )?;
    }
    Ok(())
}

fn run_args<'a>(filter: &'a str, mutant: Option<&'a str>, dir: &'a str) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        "--seed",
        "7",
        "--cases",
        "1",
        "--filter",
        filter,
        "--regressions",
        "none",
        "--quiet",
        "--report-dir",
        dir,
    ];
    if let Some(m) = mutant {
        a.extend(["--mutant", m]);
    }
    a
}

fn verdicts(r: &Report) -> BTreeMap<String, String> {
    r.trials
        .iter()
        .map(|t| (t.id.clone(), t.outcome.as_str().to_string()))
        .collect()
}

fn finding_ids(r: &Report) -> BTreeSet<String> {
    r.findings.iter().map(|f| f.id.clone()).collect()
}

/// Three shards (each its own process) merged equal the unsharded run: the same check ids, the same
/// verdict per id, the same findings (stable ids), and `merge` exits as the run does.
fn merged_shards_equal_the_run(
    name: &str,
    filter: &str,
    mutant: Option<&str>,
) -> Result<(), Failed> {
    let dir = scratch(name)?;
    let whole = dir.join("whole");
    let whole_s = whole.display().to_string();
    let (whole_code, err) = lc(&run_args(filter, mutant, &whole_s))?;
    check(
        whole_code == 0 || whole_code == 1,
        format!("unsharded run: exit {whole_code}: {err}"),
    )?;
    let mut parts: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for k in 1..=3 {
        let d = dir.join(format!("shard{k}")).display().to_string();
        let shard = format!("{k}/3");
        let mut args = run_args(filter, mutant, &d);
        args.extend(["--shard", shard.as_str()]);
        let (code, err) = lc(&args)?;
        check(
            code == 0 || code == 1,
            format!("shard {shard}: exit {code}: {err}"),
        )?;
        let r = read_json(&Path::new(&d).join("report.json")).map_err(|e| e.to_string())?;
        for t in &r.trials {
            check(
                seen.insert(t.id.clone()),
                format!("{} ran in two shards", t.id),
            )?;
        }
        parts.push(d);
    }
    // A directory and a report.json file are both accepted.
    let last = Path::new(&parts[2])
        .join("report.json")
        .display()
        .to_string();
    let merged = dir.join("merged").display().to_string();
    let (merge_code, err) = lc(&[
        "merge",
        &parts[0],
        &parts[1],
        &last,
        "--report-dir",
        &merged,
    ])?;
    check(
        merge_code == whole_code,
        format!("merge exit {merge_code}, the run's {whole_code}: {err}"),
    )?;
    let w = read_json(&whole.join("report.json")).map_err(|e| e.to_string())?;
    let m = read_json(&Path::new(&merged).join("report.json")).map_err(|e| e.to_string())?;
    check(
        !w.trials.is_empty(),
        format!("{name}: the run has no trials"),
    )?;
    check(
        verdicts(&w) == verdicts(&m),
        format!(
            "{name}: verdicts differ:\n run {:?}\n merged {:?}",
            verdicts(&w),
            verdicts(&m)
        ),
    )?;
    check(
        finding_ids(&w) == finding_ids(&m),
        format!(
            "{name}: findings differ: run {:?}, merged {:?}",
            finding_ids(&w),
            finding_ids(&m)
        ),
    )?;
    check(
        w.summary.trials == m.summary.trials
            && w.summary.divergent == m.summary.divergent
            && w.summary.findings == m.summary.findings,
        format!(
            "{name}: summaries differ: {:?} vs {:?}",
            w.summary, m.summary
        ),
    )?;
    for f in ["junit.xml", "report.md", "report.html"] {
        check(
            Path::new(&merged).join(f).is_file(),
            format!("merge wrote no {f}"),
        )?;
    }
    Ok(())
}

/// The same on the faithful stub, in this process (the case classes are worked out once): three
/// sessions each run their shard's checks, and `merge` of their reports equals one session's report.
fn merge_on_the_stub() -> Result<(), Failed> {
    let config = RunConfig {
        seed: 7,
        cases: 1,
        ..RunConfig::default()
    };
    let session = |c: &RunConfig| Session::prepare(c.clone()).map_err(|e| e.to_string());
    let pick = |s: &Session, shard: Option<Shard>| {
        let mut checks = s.checks();
        checks.retain(|c| c.id().contains("timeout") || c.id().contains("lifecycle::"));
        if let Some(sh) = shard {
            checks.retain(|c| sh.contains(&c.id()));
        }
        checks
    };
    let whole_s = session(&config)?;
    let whole = whole_s.report(whole_s.run_all(&pick(&whole_s, None), &|_| {}));
    let mut parts = Vec::new();
    for k in 1..=3 {
        let s = session(&config)?;
        let r = s.report(s.run_all(&pick(&s, Some(Shard { index: k, total: 3 })), &|_| {}));
        parts.push((r, PathBuf::from(format!("shard{k}"))));
    }
    let merged = merge(parts).map_err(|e| e.to_string())?;
    check(
        whole.trials.len() > 10,
        format!("{} trials", whole.trials.len()),
    )?;
    check(
        whole.trials.iter().all(|t| !t.outcome.differs()),
        "the faithful stub differs",
    )?;
    check(
        verdicts(&whole) == verdicts(&merged) && finding_ids(&whole) == finding_ids(&merged),
        format!(
            "merged shards differ from the run:\n run {:?}\n merged {:?}",
            verdicts(&whole),
            verdicts(&merged)
        ),
    )
}

fn merge_on_a_mutant() -> Result<(), Failed> {
    let name = "mutant";
    merged_shards_equal_the_run(name, "memory_size", Some("validation-status-422"))?;
    // The mutant must actually diverge, or the comparison proves little.
    let r =
        read_json(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("shards-mutant/merged/report.json"))
            .map_err(|e| e.to_string())?;
    check(
        r.summary.divergent > 0 && !r.findings.is_empty(),
        format!("the mutant gave no divergence: {:?}", r.summary),
    )
}

/// Reports of different runs, or one shard twice, are refused (exit 2, one line).
fn merge_refuses_overlaps() -> Result<(), Failed> {
    let dir = scratch("overlap")?;
    let a = dir.join("a").display().to_string();
    let (code, err) = lc(&{
        let mut v = run_args("memory_size::above_max", None, &a);
        v.extend(["--client", "raw"]);
        v
    })?;
    check(code == 0, format!("run: exit {code}: {err}"))?;
    let out = dir.join("m").display().to_string();
    let (code, err) = lc(&["merge", &a, &a, "--report-dir", &out])?;
    check(
        code == 2 && err.trim_end().lines().count() == 1 && err.contains("in both"),
        format!("the same report twice: exit {code}, {err:?}"),
    )?;
    let missing = dir.join("nothing-here").display().to_string();
    let (code, err) = lc(&["merge", &a, &missing, "--report-dir", &out])?;
    check(
        code == 2 && err.trim_end().lines().count() == 1,
        format!("a missing report: exit {code}, {err:?}"),
    )
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "shards::shards_partition_the_whole_suite",
            shards_partition_the_whole_suite,
        ),
        ("shards::bad_shard_forms", bad_shard_forms),
        ("shards::merge_on_the_stub", merge_on_the_stub),
        ("shards::merge_on_a_mutant", merge_on_a_mutant),
        ("shards::merge_refuses_overlaps", merge_refuses_overlaps),
    ])
}

//! Certification (issue 11): conformance levels, the frozen corpus, results bundles and `verify`.
//!
//! The bundle tests share one `run --bundle` against the embedded stub (aws-2026, 1 instance per
//! class) and tamper with copies of it.

mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use lambda_conform::harness::corpus::{self, Corpus};
use lambda_conform::report::levels::{self, Level, LevelStatus};
use lambda_conform::report::{Basis, Finding, Outcome, TrialRecord};
use libtest_mimic::Failed;
use serde_json::Value;
use support::check;

/// Runs `lambda-conform ARGS`; gives (exit code, stdout then stderr).
fn lc(args: &[&str]) -> Result<(i32, String), Failed> {
    let (code, stdout, stderr) = support::lc(args)?;
    Ok((code, format!("{stdout}{stderr}")))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lc-certify-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn read_json(p: &Path) -> Result<Value, Failed> {
    let b = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
    serde_json::from_slice(&b).map_err(|e| format!("{}: {e}", p.display()).into())
}

fn level_status(report: &Value, level: &str) -> String {
    report["levels"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["level"] == level))
        .and_then(|l| l["status"].as_str())
        .unwrap_or("absent")
        .to_string()
}

/// The shared bundle of a run against the embedded stub.
fn stub_bundle() -> Result<&'static Path, Failed> {
    static BUNDLE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = BUNDLE.get_or_init(|| {
        let dir = tmp("stub-bundle");
        let d = dir.display().to_string();
        let args = [
            "run",
            "--cases",
            "1",
            "--seed",
            "1",
            "--regressions",
            "none",
            "--quiet",
            "--bundle",
            d.as_str(),
        ];
        match lc(&args) {
            Ok((0, _)) => Ok(dir),
            Ok((code, out)) => Err(format!("run --bundle: exit {code}: {out}")),
            Err(e) => Err(format!("{e:?}")),
        }
    });
    match r {
        Ok(p) => Ok(p.as_path()),
        Err(e) => Err(e.clone().into()),
    }
}

fn copy_bundle(name: &str) -> Result<PathBuf, Failed> {
    let from = stub_bundle()?;
    let to = tmp(name);
    std::fs::create_dir_all(&to).map_err(|e| e.to_string())?;
    for f in std::fs::read_dir(from)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        std::fs::copy(f.path(), to.join(f.file_name())).map_err(|e| e.to_string())?;
    }
    Ok(to)
}

/// Rewrites `name`'s line in SHA256SUMS to the file's current hash.
fn rehash(dir: &Path, name: &str) -> Result<(), Failed> {
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(dir.join(name)).map_err(|e| e.to_string())?;
    let fixed: String = sums
        .lines()
        .map(|l| {
            if l.ends_with(&format!("  {name}")) {
                format!("{}  {name}\n", corpus::sha256_hex(&bytes))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), fixed).map_err(|e| e.to_string().into())
}

/// `verify DIR`: exit 1 and a line that names `file` (and contains `says`).
fn rejected(dir: &Path, file: &str, says: &str) -> Result<(), Failed> {
    let d = dir.display().to_string();
    let (code, out) = lc(&["verify", &d])?;
    check(
        code == 1,
        format!("verify ({file}, {says}): exit {code}, want 1: {out}"),
    )?;
    check(
        out.lines().any(|l| l.contains(file) && l.contains(says)),
        format!("verify: no line naming {file} with {says:?}: {out}"),
    )
}

fn stub_passes_full_and_its_bundle_verifies() -> Result<(), Failed> {
    let dir = stub_bundle()?;
    let report = read_json(&dir.join("report.json"))?;
    for l in ["core", "validation", "full"] {
        check(
            level_status(&report, l) == "pass",
            format!(
                "the embedded stub: level {l} is {}",
                level_status(&report, l)
            ),
        )?;
    }
    check(
        report["corpus_sha256"]
            .as_str()
            .is_some_and(|h| h.len() == 64),
        "report.json has corpus_sha256",
    )?;
    for f in [
        "report.json",
        "junit.xml",
        "report.md",
        "report.html",
        "exchanges.har",
        "corpus.jsonl",
        "run.json",
        "badge.svg",
        "vendor.toml",
        "SHA256SUMS",
    ] {
        check(dir.join(f).is_file(), format!("bundle lacks {f}"))?;
    }
    let badge = std::fs::read_to_string(dir.join("badge.svg")).map_err(|e| e.to_string())?;
    check(badge.contains("full "), format!("badge: {badge}"))?;
    let har = read_json(&dir.join("exchanges.har"))?;
    check(har["log"]["version"] == "1.2", "HAR 1.2")?;
    let verdicts = har["log"]["entries"]
        .as_array()
        .map(|es| es.iter().filter(|e| e.get("_verdict").is_some()).count())
        .unwrap_or(0);
    check(
        verdicts > 100,
        format!("{verdicts} judged exchanges in the HAR"),
    )?;
    let d = dir.display().to_string();
    let (code, out) = lc(&["verify", &d])?;
    check(
        code == 0,
        format!("verify of an intact bundle: exit {code}: {out}"),
    )
}

fn verify_rejects_an_edited_report() -> Result<(), Failed> {
    let dir = copy_bundle("edited-report")?;
    let p = dir.join("report.md");
    let mut b = std::fs::read(&p).map_err(|e| e.to_string())?;
    b[3] ^= 0x01;
    std::fs::write(&p, b).map_err(|e| e.to_string())?;
    rejected(&dir, "report.md", "sha256")
}

fn verify_rejects_an_edited_exchange() -> Result<(), Failed> {
    let dir = copy_bundle("edited-exchange")?;
    let p = dir.join("exchanges.har");
    let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
    // One byte of a judged answer: a status 400 becomes 401. (The first 400 in the file may be a
    // clean-up DELETE, which carries no verdict, or an answer to a case that asks for any 4xx: the
    // entries run concurrently, so pick by content.)
    let mut har: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let entry = har["log"]["entries"]
        .as_array_mut()
        .ok_or("no entries")?
        .iter_mut()
        // A required member left out: the table expects exactly 400 (a wrong-type case only asks
        // for "some 4xx", which a 401 still is).
        .find(|e| {
            e.get("_verdict").is_some()
                && e["response"]["status"] == 400
                && e["_check"]
                    .as_str()
                    .is_some_and(|c| c.ends_with("::missing"))
        })
        .ok_or("no judged 400 answer to a missing member in the HAR")?;
    entry["response"]["status"] = Value::from(401);
    let edited_check = entry["_check"].to_string();
    let edited = serde_json::to_string_pretty(&har).map_err(|e| e.to_string())?;
    check(edited != text, "the edit changed nothing")?;
    std::fs::write(&p, &edited).map_err(|e| e.to_string())?;
    rejected(&dir, "exchanges.har", "sha256")?;
    // Even with its hash updated, the answer no longer gives the recorded verdict.
    rehash(&dir, "exchanges.har")?;
    rejected(&dir, "exchanges.har", "judged again").map_err(|e| {
        format!(
            "{} (edited the answer of {edited_check})",
            e.message().unwrap_or_default()
        )
        .into()
    })
}

fn verify_rejects_a_changed_verdict_with_its_hash_updated() -> Result<(), Failed> {
    let dir = copy_bundle("changed-verdict")?;
    let p = dir.join("exchanges.har");
    let mut har = read_json(&p)?;
    let entries = har["log"]["entries"].as_array_mut().ok_or("no entries")?;
    let e = entries
        .iter_mut()
        .find(|e| e["_verdict"]["outcome"] == "conformant")
        .ok_or("no conformant verdict")?;
    e["_verdict"]["outcome"] = Value::String("divergent".into());
    e["_verdict"]["findings"] = serde_json::json!([{
        "rule": "status", "expected": "400", "observed": "201", "row": "operation", "basis": "documented"
    }]);
    std::fs::write(
        &p,
        serde_json::to_string_pretty(&har).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    rehash(&dir, "exchanges.har")?;
    rejected(&dir, "exchanges.har", "judged again")?;

    // A verdict changed in report.json, its hash updated: its trials do not give it.
    let dir = copy_bundle("changed-report-verdict")?;
    let p = dir.join("report.json");
    let mut report = read_json(&p)?;
    let t = report["trials"]
        .as_array_mut()
        .ok_or("no trials")?
        .iter_mut()
        .find(|t| t["kind"] == "violation" && t["outcome"] == "conformant")
        .ok_or("no conformant violation trial")?;
    t["outcome"] = Value::String("divergent".into());
    std::fs::write(
        &p,
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    rehash(&dir, "report.json")?;
    rejected(&dir, "report.json", "")
}

fn vendor_toml_is_the_vendors_to_edit() -> Result<(), Failed> {
    let dir = copy_bundle("vendor")?;
    std::fs::write(
        dir.join("vendor.toml"),
        "product = \"Acme Lambda\"\nversion = \"1.0\"\ncontact = \"ops@example.com\"\n",
    )
    .map_err(|e| e.to_string())?;
    let d = dir.display().to_string();
    let (code, out) = lc(&["verify", &d])?;
    check(
        code == 0,
        format!("verify after filling vendor.toml: exit {code}: {out}"),
    )
}

/// Runs a mutant on the checks matching `filter`; gives report.json.
fn mutant_report(mutant: &str, filter: &str) -> Result<Value, Failed> {
    let dir = tmp(&format!("mutant-{mutant}"));
    let d = dir.display().to_string();
    let (code, out) = lc(&[
        "run",
        "--mutant",
        mutant,
        "--filter",
        filter,
        "--cases",
        "2",
        "--seed",
        "7",
        "--regressions",
        "none",
        "--quiet",
        "--report-dir",
        &d,
    ])?;
    check(code == 1, format!("mutant {mutant}: exit {code}: {out}"))?;
    read_json(&dir.join("report.json"))
}

fn mutants_fail_their_level() -> Result<(), Failed> {
    // status codes: core.
    let r = mutant_report("validation-status-422", "timeout")?;
    check(
        level_status(&r, "core") != "pass",
        "validation-status-422 passes core",
    )?;
    // error types: validation, core untouched.
    let r = mutant_report("description-wrong-error-type", "description")?;
    check(
        level_status(&r, "core") == "pass" && level_status(&r, "validation") != "pass",
        format!(
            "description-wrong-error-type: core {}, validation {}",
            level_status(&r, "core"),
            level_status(&r, "validation")
        ),
    )?;
    // messages: full only.
    let r = mutant_report("timeout-message-typo", "timeout")?;
    check(
        level_status(&r, "validation") == "pass" && level_status(&r, "full") != "pass",
        format!(
            "timeout-message-typo: validation {}, full {}",
            level_status(&r, "validation"),
            level_status(&r, "full")
        ),
    )?;
    // a wrong answer to every valid create: core fails, and so every level above it.
    let r = mutant_report("html-content-type", "memory_size")?;
    check(
        ["core", "validation", "full"]
            .iter()
            .all(|l| level_status(&r, l) == "fail"),
        "html-content-type does not fail every level",
    )
}

fn trial(id: &str, kind: &str, findings: Vec<Finding>) -> TrialRecord {
    let j = lambda_conform::oracle::Judgement {
        findings,
        ..Default::default()
    };
    TrialRecord::judged(id, kind, &j)
}

fn finding(rule: &str, basis: Basis) -> Finding {
    Finding {
        rule: rule.into(),
        expected: "x".into(),
        observed: "y".into(),
        row: "Row kind".into(),
        basis,
        evidence: String::new(),
    }
}

fn level_rules() -> Result<(), Failed> {
    let ok = |id: &str, kind: &str| trial(id, kind, Vec::new());
    let mut trials: Vec<TrialRecord> = (0..6).map(|i| ok(&format!("v{i}"), "violation")).collect();
    trials.push(ok("valid", "valid"));
    trials.push(ok("sdk", "sdk"));
    // An assumed message finding: listed as unconfirmed, fails nothing.
    trials.push(trial(
        "a",
        "violation",
        vec![finding("message", Basis::Assumed)],
    ));
    let l = levels::levels(&trials);
    check(
        l.iter().all(|l| l.status == LevelStatus::Pass),
        format!("assumed findings fail a level: {l:?}"),
    )?;
    check(
        l[2].unconfirmed.len() == 1 && l[2].findings.is_empty(),
        "the assumed finding is listed as unconfirmed at full",
    )?;
    // A documented error-type finding: validation partial, core passes.
    trials.push(trial(
        "e",
        "violation",
        vec![finding("error-type", Basis::Documented)],
    ));
    let l = levels::levels(&trials);
    check(
        l[0].status == LevelStatus::Pass
            && l[1].status == LevelStatus::Partial
            && l[2].status == LevelStatus::Partial
            && l[1].findings.len() == 1,
        format!("error-type: {:?}", levels::lines(&l)),
    )?;
    // A recorded status finding on a valid create: core fails, so every level fails.
    trials.push(trial(
        "c",
        "valid",
        vec![finding("status", Basis::Recorded)],
    ));
    let l = levels::levels(&trials);
    check(
        l.iter().all(|l| l.status == LevelStatus::Fail),
        format!("valid create: {:?}", levels::lines(&l)),
    )?;
    check(
        levels::highest_passed(&l).is_none(),
        "highest passed of all-fail",
    )?;
    // More than half of the checks failing at full fails full.
    let many: Vec<TrialRecord> = (0..4)
        .map(|i| {
            trial(
                &format!("l{i}"),
                "lifecycle",
                vec![finding("deleted", Basis::Recorded)],
            )
        })
        .chain([ok("x", "violation")])
        .collect();
    let l = levels::levels(&many);
    check(
        l[0].status == LevelStatus::Pass && l[2].status == LevelStatus::Fail,
        format!("lifecycle majority: {:?}", levels::lines(&l)),
    )?;
    check(
        levels::highest_passed(&l) == Some(Level::Validation),
        "highest passed is validation",
    )?;
    // A harness error keeps a level from passing.
    let mut t = ok("h", "violation");
    t.outcome = Outcome::HarnessError;
    let l = levels::levels(&[t, ok("v", "violation")]);
    check(
        l[0].status == LevelStatus::Partial && l[0].not_judged == 1,
        format!("harness error: {:?}", levels::lines(&l)),
    )
}

fn committed_corpora_regenerate_identically() -> Result<(), Failed> {
    for (profile, seed) in [("seed-2020", 2020u64), ("aws-2026", 2026)] {
        let spec = std::sync::Arc::new(
            lambda_conform::spec::load(profile, None).map_err(|e| e.to_string())?,
        );
        let fresh = corpus::freeze(&spec, seed, 2);
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(format!("{profile}.jsonl"));
        let committed = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        check(
            fresh == committed,
            format!(
                "{} differs from `lambda-conform corpus freeze --profile {profile} --seed {seed} --cases 2` (run `make corpus`)",
                path.display()
            ),
        )?;
    }
    Ok(())
}

fn corpus_runs_send_exactly_it() -> Result<(), Failed> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/seed-2020.jsonl");
    let c = Corpus::read(&file).map_err(|e| e.to_string())?;
    // A generated run of the corpus's seed and count sends the same requests: the same hash.
    let gen = tmp("generated");
    let g = gen.display().to_string();
    let (code, out) = lc(&[
        "run",
        "--profile",
        "seed-2020",
        "--seed",
        "2020",
        "--cases",
        "2",
        "--regressions",
        "none",
        "--quiet",
        "--report-dir",
        &g,
    ])?;
    check(code == 0, format!("generated run: exit {code}: {out}"))?;
    let r = read_json(&gen.join("report.json"))?;
    check(
        r["corpus_sha256"] == c.sha256.as_str(),
        format!(
            "generated run hash {} vs corpus {}",
            r["corpus_sha256"], c.sha256
        ),
    )?;

    // run --corpus: another seed (other function names), exactly the corpus's requests.
    let dir = tmp("corpus-run");
    let d = dir.display().to_string();
    let f = file.display().to_string();
    let (code, out) = lc(&[
        "run",
        "--corpus",
        &f,
        "--seed",
        "99",
        "--regressions",
        "none",
        "--quiet",
        "--bundle",
        &d,
    ])?;
    check(code == 0, format!("run --corpus: exit {code}: {out}"))?;
    let r = read_json(&dir.join("report.json"))?;
    check(r["profile"] == "seed-2020", "the corpus's profile")?;
    check(r["corpus_sha256"] == c.sha256.as_str(), "corpus run hash")?;
    let har = read_json(&dir.join("exchanges.har"))?;
    let mut sent: Vec<String> = har["log"]["entries"]
        .as_array()
        .ok_or("no entries")?
        .iter()
        .filter(|e| e.get("_verdict").is_some())
        .map(|e| {
            e["request"]["postData"]["text"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let ctx = lambda_conform::generate::Context::new(
        99,
        lambda_conform::transport::target::EMULATOR_ROLE_ARN,
    );
    let spec = lambda_conform::spec::load(&c.header.profile, None).map_err(|e| e.to_string())?;
    let mut want: Vec<String> = c
        .cases
        .keys()
        .flat_map(|id| c.instances(id, &spec, &ctx))
        .map(|i| String::from_utf8_lossy(&i.request.body).into_owned())
        .collect();
    sent.sort();
    want.sort();
    check(
        sent.len() == want.len() && sent == want,
        format!(
            "sent {} requests, the corpus has {}",
            sent.len(),
            want.len()
        ),
    )?;
    check(
        sent.iter().all(|b| !b.contains("${")),
        "a placeholder was sent unfilled",
    )?;
    let (code, out) = lc(&["verify", &d])?;
    check(
        code == 0,
        format!("verify of a corpus run: exit {code}: {out}"),
    )
}

fn bad_bundle_and_verify_arguments() -> Result<(), Failed> {
    let dir = tmp("foreign");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("notes.txt"), "mine").map_err(|e| e.to_string())?;
    let d = dir.display().to_string();
    // Refused before anything is sent: the file would end up unlisted in SHA256SUMS.
    let (code, out) = lc(&["run", "--quiet", "--bundle", &d])?;
    check(
        code == 2 && out.contains("notes.txt") && out.trim_end().lines().count() == 1,
        format!("run --bundle into a foreign directory: exit {code}: {out}"),
    )?;
    let missing = tmp("missing").display().to_string();
    let (code, out) = lc(&["verify", &missing])?;
    check(
        code == 2 && out.contains("not a bundle directory"),
        format!("verify of a missing directory: exit {code}: {out}"),
    )
}

/// The lines a run sent come back by case id then send order, long ones too, and their hash is the
/// hash of the corpus text they make; they are kept in a file, not in memory.
fn sent_lines_come_back_in_corpus_order() -> Result<(), Failed> {
    use lambda_conform::harness::sent::SentLines;
    use sha2::Digest as _;
    let mut s = SentLines::default();
    let long = "x".repeat(300_000);
    s.push("b", "b0".into());
    s.push("a", "a0".into());
    s.push("b", "b1".into());
    s.push("a", long.clone());
    let mut seen = Vec::new();
    s.for_each(|l| seen.push(l.to_string()));
    check(
        seen == vec!["a0".to_string(), long.clone(), "b0".into(), "b1".into()],
        "by case id, then send order",
    )?;
    check(s.count("b") == 2 && s.count("c") == 0, "counts per case")?;
    let mut text = Vec::new();
    s.write_to("h", &mut text).map_err(|e| e.to_string())?;
    let expected = format!("h\na0\n{long}\nb0\nb1\n");
    check(text == expected.as_bytes(), "the corpus text")?;
    let direct: String = sha2::Sha256::digest(expected.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    check(s.sha256("h") == direct, "the hash of that text")?;
    // A run's memory does not grow with what it sent (10 MB here): the lines are in the spool
    // file, but for the few waiting to be written.
    for i in 0..1000 {
        s.push("c", format!("{i}{}", "y".repeat(10_000)));
    }
    check(
        s.kept_bytes() < lambda_conform::harness::sent::BUFFER,
        format!("{} bytes of sent lines held in memory", s.kept_bytes()),
    )?;
    // Every line comes back whole, whether written or still waiting.
    let mut back = Vec::new();
    s.for_each(|l| back.push(l.to_string()));
    check(
        back.len() == 1004,
        format!("{} lines read back", back.len()),
    )?;
    let c_lines: Vec<String> = (0..1000)
        .map(|i| format!("{i}{}", "y".repeat(10_000)))
        .collect();
    check(
        back[4..] == c_lines[..] && back[..4] == seen[..],
        "lines read back from the file and from memory are the lines pushed",
    )?;
    // Two classes' lines interleaved as a run sends them, of lengths from 1 byte to past the read
    // window: each class's lines come back whole and in order, across window edges.
    let mut s = SentLines::default();
    let window = lambda_conform::harness::sent::WINDOW;
    let line = |class: char, i: usize| {
        let len = [1, 7, 1_000, 40_000, window - 3, window + 5][i % 6];
        format!("{class}{i}:{}", class.to_string().repeat(len))
    };
    for i in 0..60 {
        s.push("e", line('e', i));
        s.push("d", line('d', i));
    }
    let mut back = Vec::new();
    s.for_each(|l| back.push(l.to_string()));
    let want: Vec<String> = (0..60)
        .map(|i| line('d', i))
        .chain((0..60).map(|i| line('e', i)))
        .collect();
    check(
        back == want,
        "interleaved lines read back through the window are the lines pushed, by class",
    )
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "certify::sent_lines_come_back_in_corpus_order",
            sent_lines_come_back_in_corpus_order,
        ),
        ("certify::level_rules", level_rules),
        (
            "certify::bad_bundle_and_verify_arguments",
            bad_bundle_and_verify_arguments,
        ),
        (
            "certify::mutants_fail_their_level",
            mutants_fail_their_level,
        ),
        (
            "certify::stub_passes_full_and_its_bundle_verifies",
            stub_passes_full_and_its_bundle_verifies,
        ),
        (
            "certify::verify_rejects_an_edited_report",
            verify_rejects_an_edited_report,
        ),
        (
            "certify::verify_rejects_an_edited_exchange",
            verify_rejects_an_edited_exchange,
        ),
        (
            "certify::verify_rejects_a_changed_verdict_with_its_hash_updated",
            verify_rejects_a_changed_verdict_with_its_hash_updated,
        ),
        (
            "certify::vendor_toml_is_the_vendors_to_edit",
            vendor_toml_is_the_vendors_to_edit,
        ),
        (
            "certify::committed_corpora_regenerate_identically",
            committed_corpora_regenerate_identically,
        ),
        (
            "certify::corpus_runs_send_exactly_it",
            corpus_runs_send_exactly_it,
        ),
    ])
}

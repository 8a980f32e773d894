//! Expectation files: exactly the expected divergences pass; a new one fails; a fixed one fails; an
//! id the suite does not have is an error; an update keeps the reasons already written.

mod support;

use std::process::ExitCode;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::harness::expectations::{Expectations, Known};
use lambda_conform::report::{Basis, Finding, Outcome, Report, Summary, Tool, TrialRecord};

fn report(trials: &[(&str, Outcome)]) -> Report {
    let mut r = Report {
        levels: Vec::new(),
        corpus_sha256: String::new(),
        findings: Vec::new(),
        coverage: Vec::new(),
        tool: Tool {
            name: "lambda-conform".into(),
            version: "0".into(),
        },
        profile: "aws-2026".into(),
        endpoint: "http://127.0.0.1:1".into(),
        target: "moto".into(),
        seed: "0".into(),
        started: String::new(),
        finished: String::new(),
        summary: Summary::default(),
        trials: trials
            .iter()
            .map(|(id, o)| {
                let mut t = TrialRecord::new(*id, "violation");
                t.outcome = *o;
                t.observed = "201".into();
                t.message = format!("status: {id}");
                t.findings = vec![Finding {
                    rule: "status".into(),
                    expected: format!("400 for {id}"),
                    observed: "201".into(),
                    row: "row".into(),
                    basis: Basis::Recorded,
                    evidence: String::new(),
                }];
                t
            })
            .collect(),
    };
    r.recount();
    r
}

fn known(case: &str, reason: &str) -> Known {
    Known {
        id: format!("F-{case}"),
        summary: String::new(),
        outcome: Outcome::Divergent,
        basis: Basis::Recorded,
        reason: reason.into(),
        trials: vec![case.into()],
        flaky: false,
    }
}

/// A finding the target shows on some runs only: its trials may conform without failing the file,
/// and a rewrite keeps it (and its mark) even when this run did not show it.
fn a_flaky_finding_may_conform() -> Result<(), Failed> {
    let mut k = known("a", "LocalStack's timing");
    k.flaky = true;
    let e = Expectations {
        findings: vec![k, known("b", "x")],
    };
    let c = e.compare(&report(&[
        ("a", Outcome::Conformant),
        ("b", Outcome::Divergent),
    ]));
    check(c.holds(), format!("{c:?}"))?;
    let c = e.compare(&report(&[
        ("a", Outcome::Divergent),
        ("b", Outcome::Conformant),
    ]));
    check(
        c.fixed == ["b"],
        format!("a steady finding still fails when fixed: {c:?}"),
    )?;
    let updated = e.from_report(&report(&[
        ("a", Outcome::Conformant),
        ("b", Outcome::Divergent),
    ]));
    check(
        updated
            .findings
            .iter()
            .any(|k| k.flaky && k.trials == ["a"] && k.reason == "LocalStack's timing"),
        format!("the flaky finding is kept: {:?}", updated.findings),
    )
}

fn exactly_the_expected_pass() -> Result<(), Failed> {
    let e = Expectations {
        findings: vec![known("a", "x"), known("b", "y")],
    };
    let c = e.compare(&report(&[
        ("a", Outcome::Divergent),
        ("b", Outcome::Divergent),
        ("c", Outcome::Conformant),
    ]));
    check(c.holds(), format!("{c:?}"))?;
    check(c.known == ["a", "b"], "two known")
}

fn a_new_divergence_fails() -> Result<(), Failed> {
    let e = Expectations {
        findings: vec![known("a", "x")],
    };
    let c = e.compare(&report(&[
        ("a", Outcome::Divergent),
        ("c", Outcome::Divergent),
    ]));
    check(!c.holds(), "must not hold")?;
    check(c.new == ["c"], format!("{c:?}"))
}

fn a_fixed_divergence_fails() -> Result<(), Failed> {
    let e = Expectations {
        findings: vec![known("a", "x")],
    };
    let c = e.compare(&report(&[("a", Outcome::Conformant)]));
    check(!c.holds(), "must not hold")?;
    check(c.fixed == ["a"], format!("{c:?}"))
}

fn unknown_ids_are_errors() -> Result<(), Failed> {
    let e = Expectations {
        findings: vec![known("gone", "x")],
    };
    let err = e
        .check_ids(
            std::path::Path::new("expectations/moto.toml"),
            &["a".to_string()],
        )
        .err()
        .ok_or("must be an error")?;
    check(err.to_string().contains("gone"), err.to_string())
}

fn update_keeps_reasons_and_round_trips() -> Result<(), Failed> {
    let e = Expectations {
        findings: vec![known("a", "hand-written reason")],
    };
    let updated = e.from_report(&report(&[
        ("a", Outcome::Divergent),
        ("b", Outcome::Divergent),
        ("c", Outcome::Conformant),
    ]));
    check(updated.findings.len() == 2, "two findings")?;
    let of = |case: &str| {
        updated
            .findings
            .iter()
            .find(|k| k.trials == [case])
            .map(|k| k.reason.clone())
    };
    check(
        of("a").as_deref() == Some("hand-written reason"),
        "kept the reason",
    )?;
    check(
        of("b").as_deref() == Some("status: expected 400 for b, observed 201"),
        format!("new reason from the finding's summary: {:?}", of("b")),
    )?;
    let path = std::env::temp_dir().join(format!("lc-expectations-{}.toml", std::process::id()));
    updated
        .write(&path, "moto", "aws-2026")
        .map_err(|e| e.to_string())?;
    let back = Expectations::read(&path, false).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&path);
    check(back? == updated, "round trip")
}

fn bad_files_name_the_line() -> Result<(), Failed> {
    let path =
        std::env::temp_dir().join(format!("lc-expectations-bad-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "[[finding]]\nid = \"F1\"\nsummary = \"x\"\noutcome = \"divergent\"\nbasis = \"recorded\"\nreason = \"y\"\ntrials = [\"a\"]\ncolour = 1\n",
    )
    .map_err(|e| e.to_string())?;
    let err = Expectations::read(&path, false)
        .err()
        .map(|e| e.to_string());
    let _ = std::fs::remove_file(&path);
    let err = err.ok_or("must be refused")?;
    check(err.contains(".toml:8:"), format!("names a line: {err}"))?;
    check(err.contains("colour"), format!("names the key: {err}"))?;
    check(
        Expectations::read(std::path::Path::new("/nonexistent/x.toml"), true).is_ok(),
        "a missing file is empty when updating",
    )
}

/// `cargo test -- FLAGS` hands every flag to every test binary: each accepts all the conformance
/// binary's flags (the CLI's own `EndpointArgs`, `--snapshots`, `--strict`), not a hand-copied subset.
fn every_test_binary_takes_the_run_flags() -> Result<(), Failed> {
    support::accepts(&[
        "--endpoint",
        "http://127.0.0.1:9001",
        "--target",
        "moto",
        "--role",
        "arn:aws:iam::123456789012:role/r",
        "--timeout",
        "5",
        "--rps",
        "3",
        "--region",
        "us-west-2",
        "--no-sign",
        "--seed",
        "7",
        "--cases",
        "2",
        "--client",
        "raw",
        "--profile",
        "seed-2020",
        "--snapshots",
        "false",
        "--strict",
        "--exact",
        "x",
    ])
    .map_err(Failed::from)?;
    check(
        support::accepts(&["--no-such-flag"]).is_err(),
        "an unknown flag is still refused",
    )
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "expectations::exactly_the_expected_pass",
            exactly_the_expected_pass,
        ),
        (
            "expectations::a_new_divergence_fails",
            a_new_divergence_fails,
        ),
        (
            "expectations::a_fixed_divergence_fails",
            a_fixed_divergence_fails,
        ),
        (
            "expectations::unknown_ids_are_errors",
            unknown_ids_are_errors,
        ),
        (
            "expectations::update_keeps_reasons_and_round_trips",
            update_keeps_reasons_and_round_trips,
        ),
        (
            "expectations::bad_files_name_the_line",
            bad_files_name_the_line,
        ),
        (
            "expectations::a_flaky_finding_may_conform",
            a_flaky_finding_may_conform,
        ),
        (
            "support::every_test_binary_takes_the_run_flags",
            every_test_binary_takes_the_run_flags,
        ),
    ])
}

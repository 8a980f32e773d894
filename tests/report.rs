//! Tests of the report outputs: JSON round trip, JUnit structure, Markdown and HTML snapshots,
//! escaping, the assumption marker and the CLI's summary line. Built on a hand-made report with
//! one trial of each kind: conformant, divergent (observed), divergent (assumed), harness error,
//! skipped.

mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use lambda_conform::report::html::{escape_html, render_html};
use lambda_conform::report::json::{read_json, write_json};
use lambda_conform::report::junit::render_junit;
use lambda_conform::report::markdown::render_markdown;
use lambda_conform::report::{
    summary_line, write_all, Basis, Finding, Outcome, Report, ReportError, Summary, Tool,
    TrialRecord, ASSUMED_MARKER,
};
use libtest_mimic::Failed;
use quick_junit::{NonSuccessKind, TestCaseStatus};
use support::check;

fn main() -> ExitCode {
    support::run(vec![
        ("report::json::round_trips", json_round_trips),
        (
            "report::json::missing_file_names_path",
            json_missing_file_names_path,
        ),
        (
            "report::json::keys_in_struct_order",
            json_keys_in_struct_order,
        ),
        ("report::junit::snapshot", junit_snapshot),
        (
            "report::junit::one_testcase_per_trial",
            junit_one_testcase_per_trial,
        ),
        ("report::markdown::snapshot", markdown_snapshot),
        (
            "report::markdown::assumed_is_marked",
            markdown_assumed_is_marked,
        ),
        (
            "report::markdown::table_cells_escaped",
            markdown_table_cells_escaped,
        ),
        (
            "report::markdown::fence_outgrows_backticks",
            markdown_fence_outgrows_backticks,
        ),
        ("report::markdown::empty_report", markdown_empty_report),
        ("report::html::snapshot", html_snapshot),
        ("report::html::escaper", html_escaper),
        (
            "report::html::no_unescaped_script",
            html_no_unescaped_script,
        ),
        ("report::html::assumed_is_marked", html_assumed_is_marked),
        ("report::html::self_contained", html_self_contained),
        ("report::summary_line::fixture", summary_line_fixture),
        (
            "report::summary_line::singular_and_quiet",
            summary_line_singular_and_quiet,
        ),
        ("report::write_all::four_files", write_all_four_files),
        (
            "report::write_all::first_error_in_file_order",
            write_all_first_error_in_file_order,
        ),
        (
            "report::leak_line::long_lists_cut",
            leak_line_long_lists_cut,
        ),
    ])
}

const HOSTILE: &str = "<script>alert(\"x\")</script> | pipe";

fn trial(id: &str, kind: &str, outcome: Outcome, basis: Basis) -> TrialRecord {
    TrialRecord {
        outcome,
        basis,
        instances: 1,
        ..TrialRecord::new(id, kind)
    }
}

fn finding(rule: &str, expected: &str, observed: &str, basis: Basis) -> Finding {
    Finding {
        rule: rule.to_string(),
        expected: expected.to_string(),
        observed: observed.to_string(),
        row: "row".to_string(),
        basis,
        evidence: "aws-observed/012".to_string(),
    }
}

/// One trial of each kind, sorted by id, summary recounted.
fn fixture() -> Report {
    let skipped = TrialRecord {
        skipped: Some("needs an S3 bucket | the target has none".to_string()),
        instances: 0,
        ..trial(
            "create_function::code::s3_object",
            "valid",
            Outcome::Skipped,
            Basis::Recorded,
        )
    };
    let divergent_observed = TrialRecord {
        expected: "400 ValidationException \"1 validation error detected: Value '…' at 'functionName' \
                   failed to satisfy constraint: Member must have length less than or equal to 140\""
            .to_string(),
        observed: "201 Created".to_string(),
        reproduction: Some(
            "curl -sS -X POST 'http://127.0.0.1:4566/2015-03-31/functions' \\\n  \
             -H 'content-type: application/json' \\\n  \
             --data-binary '{\"FunctionName\":\"fffff…\",\"Role\":\"arn:aws:iam::000000000000:role/lambda-role\"}'"
                .to_string(),
        ),
        message: "function_name of 141 characters was accepted (201), expected 400 ValidationException\n\
                  rule status; row function_name.length"
            .to_string(),
        instances: 24,
        seed: Some("9f3c01d2".to_string()),
        findings: vec![finding("status", "400", "201", Basis::Recorded)],
        ..trial(
            "create_function::function_name::above_max_length",
            "violation",
            Outcome::Divergent,
            Basis::Recorded,
        )
    };
    let divergent_assumed = TrialRecord {
        expected: "400 InvalidParameterValueException".to_string(),
        observed: "400 ValidationException".to_string(),
        reproduction: Some(
            "curl -sS -X POST 'http://127.0.0.1:4566/2015-03-31/functions' --data-binary '{\"MemorySize\":32769}'"
                .to_string(),
        ),
        message: format!("error type differs: {HOSTILE}\nrule error_type; row memory_size.range"),
        instances: 12,
        seed: Some("00c0ffee".to_string()),
        findings: vec![finding(
            "error-type",
            "InvalidParameterValueException",
            "ValidationException",
            Basis::Assumed,
        )],
        ..trial(
            "create_function::memory_size::above_max",
            "boundary",
            Outcome::Unconfirmed,
            Basis::Assumed,
        )
    };
    let harness_error = TrialRecord {
        expected: "400 ValidationException".to_string(),
        observed: "no answer".to_string(),
        message: "could not connect: connection refused (after 3 retries)".to_string(),
        instances: 0,
        ..trial(
            "create_function::timeout::above_max",
            "boundary",
            Outcome::HarnessError,
            Basis::Documented,
        )
    };
    let conformant = TrialRecord {
        expected: "201 FunctionConfiguration".to_string(),
        observed: "201 FunctionConfiguration".to_string(),
        instances: 32,
        ..trial(
            "create_function::valid::minimal",
            "valid",
            Outcome::Conformant,
            Basis::Recorded,
        )
    };
    let mut report = Report {
        levels: Vec::new(),
        corpus_sha256: String::new(),
        findings: Vec::new(),
        coverage: Vec::new(),
        tool: Tool {
            name: "lambda-conform".to_string(),
            version: "0.1.0".to_string(),
        },
        profile: "aws-2026".to_string(),
        endpoint: "http://127.0.0.1:4566".to_string(),
        target: "localstack".to_string(),
        seed: "5eed0f1ce".to_string(),
        started: "2026-11-25T02:57:34Z".to_string(),
        finished: "2026-11-25T02:58:01Z".to_string(),
        summary: Summary {
            requests: 131,
            throttled_retries: 0,
            ..Summary::default()
        },
        trials: vec![
            skipped,
            divergent_observed,
            divergent_assumed,
            harness_error,
            conformant,
        ],
    };
    report.recount();
    report
}

/// A fresh, not yet existing directory under the system's temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "lambda-conform-report-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({snapshot_path => "snapshots/report", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

fn json_round_trips() -> Result<(), Failed> {
    let report = fixture();
    let dir = scratch("json");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("report.json");
    write_json(&report, &path)?;
    let back = read_json(&path)?;
    std::fs::remove_dir_all(&dir)?;
    check(back == report, format!("read back differs: {back:#?}"))
}

fn json_missing_file_names_path() -> Result<(), Failed> {
    let path = scratch("missing").join("report.json");
    match read_json(&path) {
        Err(e @ ReportError::Io { .. }) => check(
            e.to_string().contains(&path.display().to_string()),
            format!("error does not name the path: {e}"),
        ),
        other => Err(format!("expected an I/O error, got {other:?}").into()),
    }
}

fn json_keys_in_struct_order() -> Result<(), Failed> {
    let dir = scratch("order");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("report.json");
    write_json(&fixture(), &path)?;
    let text = std::fs::read_to_string(&path)?;
    std::fs::remove_dir_all(&dir)?;
    let keys = [
        "\"tool\"",
        "\"profile\"",
        "\"endpoint\"",
        "\"target\"",
        "\"seed\"",
        "\"started\"",
        "\"finished\"",
        "\"summary\"",
        "\"trials\"",
    ];
    let positions: Vec<usize> = keys.iter().filter_map(|k| text.find(k)).collect();
    check(
        positions.len() == keys.len() && positions.windows(2).all(|w| w[0] < w[1]),
        format!("top-level keys out of order: {positions:?}"),
    )?;
    check(text.starts_with("{\n  \"tool\": {\n"), "not pretty-printed")?;
    check(text.ends_with("}\n"), "no trailing newline")
}

fn junit_snapshot() -> Result<(), Failed> {
    snapshot("junit", &render_junit(&fixture())?);
    Ok(())
}

fn junit_one_testcase_per_trial() -> Result<(), Failed> {
    let report = fixture();
    let xml = render_junit(&report)?;
    let junit = quick_junit::Report::deserialize_from_str(&xml)
        .map_err(|e| format!("JUnit XML does not parse: {e}"))?;
    check(junit.test_suites.len() == 1, "expected one testsuite")?;
    let suite = &junit.test_suites[0];
    check(
        suite.name.as_str() == "lambda-conform aws-2026",
        format!("suite name {}", suite.name.as_str()),
    )?;
    let names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
    let ids: Vec<&str> = report.trials.iter().map(|t| t.id.as_str()).collect();
    check(
        names == ids,
        format!("testcases {names:?} != trials {ids:?}"),
    )?;
    check(
        xml.matches("<testcase ").count() == report.trials.len(),
        "one <testcase> element per trial",
    )?;
    let props: Vec<(&str, &str)> = suite
        .properties
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    for (name, value) in [
        ("profile", "aws-2026"),
        ("endpoint", "http://127.0.0.1:4566"),
        ("target", "localstack"),
        ("seed", "5eed0f1ce"),
    ] {
        check(
            props.contains(&(name, value)),
            format!("property {name}={value} missing from {props:?}"),
        )?;
    }
    for (case, trial) in suite.test_cases.iter().zip(&report.trials) {
        let want_class = trial.id.rsplit_once("::").map(|(c, _)| c);
        check(
            case.classname.as_ref().map(|c| c.as_str()) == want_class,
            format!("classname of {}", trial.id),
        )?;
        let ok = match (&case.status, trial.id.as_str()) {
            (TestCaseStatus::Skipped { message, .. }, "create_function::code::s3_object") => message
                .as_ref()
                .is_some_and(|m| m.as_str() == "needs an S3 bucket | the target has none"),
            (
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    ty,
                    message,
                    description,
                    ..
                },
                "create_function::function_name::above_max_length",
            ) => {
                ty.as_ref().is_some_and(|t| t.as_str() == "divergent")
                    && message.as_ref().is_some_and(|m| {
                        m.as_str()
                            == "function_name of 141 characters was accepted (201), expected 400 ValidationException"
                    })
                    && description.as_ref().is_some_and(|d| {
                        d.as_str().contains("expected: 400 ValidationException")
                            && d.as_str().contains("observed: 201 Created")
                            && d.as_str().contains("curl -sS -X POST")
                    })
            }
            // Unconfirmed (only an assumption differs): not a failure, a skip that says why.
            (TestCaseStatus::Skipped { message, ty, .. }, "create_function::memory_size::above_max") => {
                ty.as_ref().is_some_and(|t| t.as_str() == "unconfirmed")
                    && message.as_ref().is_some_and(|m| {
                        m.as_str()
                            == format!("unconfirmed: error type differs: {HOSTILE} {ASSUMED_MARKER}")
                    })
            }
            (
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Error,
                    ty,
                    ..
                },
                "create_function::timeout::above_max",
            ) => ty.as_ref().is_some_and(|t| t.as_str() == "harness_error"),
            (TestCaseStatus::Success { .. }, "create_function::valid::minimal") => true,
            _ => false,
        };
        check(ok, format!("status of {}: {:?}", trial.id, case.status))?;
    }
    check(
        junit.tests == 5 && junit.failures == 1 && junit.errors == 1,
        format!(
            "totals tests={} failures={} errors={}",
            junit.tests, junit.failures, junit.errors
        ),
    )
}

fn markdown_snapshot() -> Result<(), Failed> {
    snapshot("markdown", &render_markdown(&fixture()));
    Ok(())
}

fn markdown_assumed_is_marked() -> Result<(), Failed> {
    let md = render_markdown(&fixture());
    check(
        md.contains(&format!(
            "### `create_function::memory_size::above_max` {ASSUMED_MARKER}\n"
        )),
        "the assumed divergence's heading lacks the marker",
    )?;
    check(
        md.contains("### `create_function::function_name::above_max_length`\n"),
        "the observed divergence's heading should carry no marker",
    )?;
    check(
        md.matches(ASSUMED_MARKER).count() == 2,
        "the marker belongs in the divergence's heading and its all-trials row",
    )
}

fn markdown_table_cells_escaped() -> Result<(), Failed> {
    let md = render_markdown(&fixture());
    check(
        md.contains(
            "| `create_function::code::s3_object` | needs an S3 bucket \\| the target has none |\n",
        ),
        "the skipped reason's pipe is not escaped",
    )?;
    // Every table row has as many unescaped pipes as its header.
    let mut want = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            want = None;
            continue;
        }
        let pipes = line.matches('|').count() - line.matches("\\|").count();
        match want {
            None => want = Some(pipes),
            Some(n) => check(
                pipes == n,
                format!("row has {pipes} cells' pipes, header {n}: {line}"),
            )?,
        }
    }
    // The hostile message is only ever inside a fenced block.
    check(
        !md.lines()
            .any(|l| l.contains("<script>") && !l.starts_with("error type differs:")),
        "raw <script> outside the message's fenced block",
    )
}

fn markdown_fence_outgrows_backticks() -> Result<(), Failed> {
    let mut report = fixture();
    report.trials[1].reproduction = Some("printf '```' | curl --data-binary @- URL".to_string());
    let md = render_markdown(&report);
    check(
        md.contains("````sh\nprintf '```' | curl --data-binary @- URL\n````\n"),
        "the reproduction's fence must be longer than the backtick run inside",
    )
}

fn markdown_empty_report() -> Result<(), Failed> {
    let mut report = fixture();
    report.trials.clear();
    report.recount();
    let md = render_markdown(&report);
    check(
        md.contains("## Findings\n\nNone: every trial that ran answered as AWS does.\n"),
        "an empty report should say there are no divergences",
    )?;
    check(md.contains("## Skipped\n\nNone.\n"), "no skipped list")
}

fn html_snapshot() -> Result<(), Failed> {
    snapshot("html", &render_html(&fixture()));
    Ok(())
}

fn html_escaper() -> Result<(), Failed> {
    let got = escape_html("<script>alert(\"x\")</script> it's a & b");
    check(
        got == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; it&#39;s a &amp; b",
        format!("escaped as {got}"),
    )
}

fn html_no_unescaped_script() -> Result<(), Failed> {
    let html = render_html(&fixture());
    check(
        !html.to_ascii_lowercase().contains("<script"),
        "unescaped <script> in the HTML",
    )?;
    check(
        html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | pipe"),
        "the hostile message is not shown escaped",
    )
}

fn html_assumed_is_marked() -> Result<(), Failed> {
    let html = render_html(&fixture());
    check(
        html.contains(&format!(
            "<h3><code>create_function::memory_size::above_max</code> <span class=\"assumed\">{ASSUMED_MARKER}</span></h3>"
        )),
        "the assumed divergence's heading lacks the marker",
    )?;
    check(
        html.contains("<h3><code>create_function::function_name::above_max_length</code></h3>"),
        "the observed divergence's heading should carry no marker",
    )?;
    check(
        html.contains(&format!(
            "<td class=\"unconfirmed\">unconfirmed <span class=\"assumed\">{ASSUMED_MARKER}</span></td>"
        )),
        "the assumed divergence's row in the list of all trials lacks the marker",
    )?;
    check(
        html.matches(ASSUMED_MARKER).count() == 2,
        "the marker belongs in the divergence's heading and its all-trials row",
    )
}

fn html_self_contained() -> Result<(), Failed> {
    let html = render_html(&fixture()).to_ascii_lowercase();
    for bad in [
        "<script", "<link", "src=", "url(", "@import", "<iframe", "<img",
    ] {
        check(!html.contains(bad), format!("the page contains {bad}"))?;
    }
    check(
        html.starts_with("<!doctype html>") && html.ends_with("</html>\n"),
        "not a whole page",
    )
}

fn summary_line_fixture() -> Result<(), Failed> {
    let line = summary_line(&fixture());
    check(
        line == "5 trials: 1 conformant, 1 divergent, 1 unconfirmed (on assumptions), 1 harness error, 1 skipped; 2 findings; 131 requests",
        line,
    )
}

fn summary_line_singular_and_quiet() -> Result<(), Failed> {
    let mut report = fixture();
    report
        .trials
        .retain(|t| t.id == "create_function::valid::minimal");
    report.recount();
    report.summary.requests = 1;
    let line = summary_line(&report);
    check(
        line == "1 trial: 1 conformant, 0 divergent, 0 unconfirmed (on assumptions), 0 harness errors, 0 skipped; 0 findings; 1 request",
        line,
    )?;
    report.summary.throttled_retries = 4;
    let line = summary_line(&report);
    check(line.ends_with("; 1 request, 4 retried after 429"), line)
}

/// A run against an endpoint whose deletes fail leaks hundreds of names: the line shows ten, names
/// an empty name visibly, and says how many more the report holds.
fn leak_line_long_lists_cut() -> Result<(), Failed> {
    let mut report = fixture();
    check(
        lambda_conform::report::leak_line(&report) == "leaked: 0 functions",
        lambda_conform::report::leak_line(&report),
    )?;
    report.summary.leaked = std::iter::once(String::new())
        .chain((0..462).map(|i| format!("lc-00000000-{i:04}")))
        .collect();
    let line = lambda_conform::report::leak_line(&report);
    check(
        line.starts_with("leaked: 463 functions: \"\", lc-00000000-0000, ")
            && line
                .ends_with("lc-00000000-0008, and 453 more (all in report.json, summary.leaked)"),
        line,
    )
}

/// The four files are written at once; when two cannot be, the error names the first in the files'
/// order (report.json before report.html), and the others are written all the same.
fn write_all_first_error_in_file_order() -> Result<(), Failed> {
    let report = fixture();
    let dir = scratch("first-error");
    // A directory where a file should go: neither can be written.
    for blocked in ["report.json", "report.html"] {
        std::fs::create_dir_all(dir.join(blocked))?;
    }
    let err = match write_all(&report, &dir) {
        Ok(paths) => return Err(format!("written despite two blocked files: {paths:?}").into()),
        Err(e) => e.to_string(),
    };
    check(
        err.contains("report.json") && !err.contains("report.html"),
        format!("the error names report.json alone: {err}"),
    )?;
    check(
        std::fs::read_to_string(dir.join("report.md"))? == render_markdown(&report),
        "report.md written beside the blocked files",
    )?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn write_all_four_files() -> Result<(), Failed> {
    let report = fixture();
    let dir = scratch("all").join("nested");
    let paths = write_all(&report, &dir)?;
    let names: Vec<String> = paths
        .iter()
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    check(
        names == ["report.json", "junit.xml", "report.md", "report.html"],
        format!("wrote {names:?}"),
    )?;
    check(
        read_json(&paths[0])? == report,
        "report.json does not read back",
    )?;
    check(
        std::fs::read_to_string(&paths[1])? == render_junit(&report)?,
        "junit.xml differs from render_junit",
    )?;
    check(
        std::fs::read_to_string(&paths[2])? == render_markdown(&report),
        "report.md differs from render_markdown",
    )?;
    check(
        std::fs::read_to_string(&paths[3])? == render_html(&report),
        "report.html differs from render_html",
    )?;
    if let Some(parent) = dir.parent() {
        std::fs::remove_dir_all(parent)?;
    }
    Ok(())
}

//! The report as JUnit XML, for CI dashboards: one testsuite, one testcase per trial.
//!
//! A divergence is a `<failure type="divergent">`, a harness error an `<error type="harness_error">`,
//! a skipped trial `<skipped>` with its reason. The testcase is named by the case id and its
//! classname is the id without its last segment, so dashboards group trials by field. The file is
//! valid against `tests/fixtures/junit.xsd` (the format CI servers read: no properties inside a
//! testcase, no timestamp on testsuites), checked with xmllint by `tests/report_view.rs`.

use std::path::Path;

use chrono::DateTime;
use quick_junit::{NonSuccessKind, SerializeError, TestCase, TestCaseStatus, TestSuite};

use super::{write_text, Outcome, Report, ReportError, TrialRecord, ASSUMED_MARKER};

/// Writes the JUnit XML of `report` to `path`.
pub fn write_junit(report: &Report, path: &Path) -> Result<(), ReportError> {
    let xml = render_junit(report).map_err(|source| ReportError::Junit {
        path: path.to_path_buf(),
        source,
    })?;
    write_text(path, &xml)
}

/// The JUnit XML of `report` as a string.
pub fn render_junit(report: &Report) -> Result<String, SerializeError> {
    junit_report(report).to_string()
}

/// The JUnit document of `report`: a `lambda-conform` run holding one suite,
/// `lambda-conform <profile>`, with one testcase per trial in the report's order.
pub fn junit_report(report: &Report) -> quick_junit::Report {
    let tool = format!("{} {}", report.tool.name, report.tool.version);
    let mut suite = TestSuite::new(format!("lambda-conform {}", report.profile));
    suite.add_properties([
        ("profile", report.profile.as_str()),
        ("endpoint", report.endpoint.as_str()),
        ("target", report.target.as_str()),
        ("seed", report.seed.as_str()),
        ("tool", tool.as_str()),
    ]);
    let started = DateTime::parse_from_rfc3339(&report.started).ok();
    let finished = DateTime::parse_from_rfc3339(&report.finished).ok();
    if let Some(started) = started {
        suite.set_timestamp(started);
    }
    let elapsed = started
        .zip(finished)
        .and_then(|(s, f)| (f - s).to_std().ok());
    if let Some(elapsed) = elapsed {
        suite.set_time(elapsed);
    }
    suite.add_test_cases(report.trials.iter().map(test_case));

    // The start time is on the suite: the format has no timestamp on <testsuites>.
    let mut junit = quick_junit::Report::new(report.tool.name.as_str());
    if let Some(elapsed) = elapsed {
        junit.set_time(elapsed);
    }
    junit.add_test_suite(suite);
    junit
}

/// One trial as a testcase.
fn test_case(t: &TrialRecord) -> TestCase {
    let status = match t.outcome {
        Outcome::Conformant => TestCaseStatus::success(),
        Outcome::Divergent => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_type("divergent")
                .set_message(t.headline())
                .set_description(description(t));
            status
        }
        Outcome::Unconfirmed => {
            // Not a failure: it differs only from an assumption (`--strict` fails the run on it).
            let mut status = TestCaseStatus::skipped();
            status
                .set_type("unconfirmed")
                .set_message(format!("unconfirmed: {} {ASSUMED_MARKER}", t.headline()))
                .set_description(description(t));
            status
        }
        Outcome::HarnessError => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_type("harness_error")
                .set_message(t.headline())
                .set_description(description(t));
            status
        }
        Outcome::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(t.skipped.as_deref().unwrap_or(""));
            status
        }
    };
    let mut case = TestCase::new(t.id.as_str(), status);
    if let Some(group) = t.group() {
        case.set_classname(group);
    }
    // Kind, basis and finding are in the failure's text: the format has no <properties> in a <testcase>.
    case
}

/// The failure's text: expected, observed, basis, the message and the reproduction.
fn description(t: &TrialRecord) -> String {
    let mut text = format!(
        "expected: {}\nobserved: {}\nkind: {}\nbasis: {}",
        t.expected,
        t.observed,
        t.kind,
        t.basis.as_str()
    );
    if t.is_assumed() {
        text.push(' ');
        text.push_str(ASSUMED_MARKER);
    }
    text.push_str(&format!("\ninstances: {}", t.instances));
    if let Some(seed) = &t.seed {
        text.push_str(&format!("\nfailing instance: {seed}"));
    }
    if let Some(f) = &t.finding {
        text.push_str(&format!("\nfinding: {f}"));
    }
    if !t.message.is_empty() {
        text.push_str("\n\n");
        text.push_str(&t.message);
    }
    if let Some(reproduction) = &t.reproduction {
        text.push_str("\n\nreproduction:\n");
        text.push_str(reproduction);
    }
    text.push('\n');
    text
}

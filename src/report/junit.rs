//! The report as JUnit XML, for CI dashboards: one testsuite, one testcase per trial.
//!
//! A divergence is a `<failure type="divergent">`, a harness error an `<error type="harness_error">`,
//! a skipped trial `<skipped>` with its reason. The testcase is named by the case id and its
//! classname is the id without its last segment, so dashboards group trials by field.

use std::path::Path;

use chrono::DateTime;
use quick_junit::{NonSuccessKind, SerializeError, TestCase, TestCaseStatus, TestSuite};

use super::{write_text, Report, ReportError, Shown, TrialRecord, ASSUMED_MARKER};

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

    let mut junit = quick_junit::Report::new(report.tool.name.as_str());
    if let Some(started) = started {
        junit.set_timestamp(started);
    }
    if let Some(elapsed) = elapsed {
        junit.set_time(elapsed);
    }
    junit.add_test_suite(suite);
    junit
}

/// One trial as a testcase.
fn test_case(t: &TrialRecord) -> TestCase {
    let status = match t.shown() {
        Shown::Conformant => TestCaseStatus::success(),
        Shown::Divergent => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let message = if t.is_assumed() {
                format!("{} {ASSUMED_MARKER}", t.headline())
            } else {
                t.headline().to_string()
            };
            status
                .set_type("divergent")
                .set_message(message)
                .set_description(description(t));
            status
        }
        Shown::HarnessError => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_type("harness_error")
                .set_message(t.headline())
                .set_description(description(t));
            status
        }
        Shown::Skipped => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(t.skipped.as_deref().unwrap_or(""));
            status
        }
    };
    let mut case = TestCase::new(t.id.as_str(), status);
    if let Some(group) = t.group() {
        case.set_classname(group);
    }
    case.add_properties([("kind", t.kind.as_str()), ("basis", t.basis.as_str())]);
    case
}

/// The failure's text: expected, observed, basis, the message and the reproduction.
fn description(t: &TrialRecord) -> String {
    let mut text = format!(
        "expected: {}\nobserved: {}\nbasis: {}",
        t.expected, t.observed, t.basis
    );
    if t.is_assumed() {
        text.push(' ');
        text.push_str(ASSUMED_MARKER);
    }
    text.push_str(&format!("\ninstances: {}", t.instances));
    if let Some(seed) = &t.seed {
        text.push_str(&format!("\nseed: {seed}"));
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

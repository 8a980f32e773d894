//! Writing a report's files, and its one-line summary.

use std::path::{Path, PathBuf};

use super::{html, json, junit, markdown, Report};

/// The marker shown next to every divergence whose expectation has `basis = "assumed"`.
pub const ASSUMED_MARKER: &str = "(expectation assumed: nobody recorded AWS doing this)";

/// Why a report could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or directory could not be created, written or read.
    #[error("cannot access `{}`: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A report's JSON could not be written or parsed.
    #[error("bad report JSON in `{}`: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The JUnit XML could not be serialised.
    #[error("cannot serialise JUnit XML for `{}`: {source}", path.display())]
    Junit {
        /// The file.
        path: PathBuf,
        /// The serialiser's error.
        #[source]
        source: quick_junit::SerializeError,
    },
}

/// Writes `report.json`, `junit.xml`, `report.md` and `report.html` into `dir` (created if missing)
/// and returns their paths in that order.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let json_path = dir.join("report.json");
    let junit_path = dir.join("junit.xml");
    let md_path = dir.join("report.md");
    let html_path = dir.join("report.html");
    // The four files depend on nothing but the report: each is rendered and written on a thread of
    // its own, the last of a run's work with no request left to send. The first error, in the
    // files' order, is the one returned.
    let written: [Result<(), ReportError>; 4] = std::thread::scope(|s| {
        let json = s.spawn(|| json::write_json(report, &json_path));
        let junit = s.spawn(|| junit::write_junit(report, &junit_path));
        let md = s.spawn(|| write_text(&md_path, &markdown::render_markdown(report)));
        let html = write_text(&html_path, &html::render_html(report));
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<(), ReportError>>| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        [joined(json), joined(junit), joined(md), html]
    });
    written.into_iter().collect::<Result<Vec<()>, _>>()?;
    Ok(vec![json_path, junit_path, md_path, html_path])
}

/// Writes `text` to `path`.
pub(crate) fn write_text(path: &Path, text: &str) -> Result<(), ReportError> {
    std::fs::write(path, text).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The CLI's last line, from the stored summary:
/// `187 trials: 180 conformant, 3 divergent, 2 unconfirmed (on assumptions), 0 harness errors, 2 skipped; 4 findings; 3042 requests`.
/// `, N retried after 429` is appended when throttled answers were absorbed.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let mut line = format!(
        "{}: {} conformant, {} divergent, {} unconfirmed (on assumptions), {}, {} skipped; {}; {}",
        plural(s.trials as u64, "trial", "trials"),
        s.conformant,
        s.divergent,
        s.unconfirmed,
        plural(s.harness_errors as u64, "harness error", "harness errors"),
        s.skipped,
        plural(s.findings as u64, "finding", "findings"),
        plural(s.requests, "request", "requests")
    );
    if s.throttled_retries > 0 {
        line.push_str(&format!(", {} retried after 429", s.throttled_retries));
    }
    if s.partial {
        line.push_str(&format!(
            "; PARTIAL: interrupted by {}, {} not run",
            s.interrupted.as_deref().unwrap_or("a signal"),
            plural(s.not_run as u64, "check", "checks")
        ));
    }
    line
}

/// `leaked: 0 functions`, or `leaked: 2 functions: NAME, NAME`: what the run's clean-up left.
pub fn leak_line(report: &Report) -> String {
    let leaked = &report.summary.leaked;
    let mut line = format!(
        "leaked: {}",
        plural(leaked.len() as u64, "function", "functions")
    );
    if !leaked.is_empty() {
        line.push_str(": ");
        let shown: Vec<&str> = leaked
            .iter()
            .take(LEAKS_SHOWN)
            .map(|n| if n.is_empty() { "\"\"" } else { n.as_str() })
            .collect();
        line.push_str(&shown.join(", "));
        if leaked.len() > LEAKS_SHOWN {
            line.push_str(&format!(
                ", and {} more (all in report.json, summary.leaked)",
                leaked.len() - LEAKS_SHOWN
            ));
        }
    }
    line
}

/// Leaked names the leak line shows; the report keeps them all.
const LEAKS_SHOWN: usize = 10;

/// `1 trial`, `2 trials`.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

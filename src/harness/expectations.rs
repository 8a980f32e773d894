//! Expectation files: the known findings of one target (root causes, each with its case ids), so nightly
//! CI fails only on what changed. A trial that differs (divergent or unconfirmed) and is in no finding
//! of the file is new and fails; a listed trial that now conforms is fixed and fails too (the file must
//! stay true); a case id the suite no longer has is an error.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::oracle::{Basis, Outcome};
use crate::report::Report;

/// One known root cause and the trials it covers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Known {
    /// The finding's id in the report (`F` and 8 hex digits).
    pub id: String,
    /// What differs, in one line, as the report says it.
    pub summary: String,
    /// `divergent` or `unconfirmed`.
    pub outcome: Outcome,
    /// What the expectation rests on.
    pub basis: Basis,
    /// Why, in one line (kept when the file is rewritten).
    pub reason: String,
    /// The case ids.
    pub trials: Vec<String>,
    /// The target shows it on some runs only (its own timing); its trials may also conform. Set by
    /// hand, with the reason saying why; kept when the file is rewritten.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flaky: bool,
}

/// The file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// The known findings.
    #[serde(default, rename = "finding")]
    pub findings: Vec<Known>,
}

/// A bad expectation file.
#[derive(Debug, thiserror::Error)]
pub enum ExpectationsError {
    /// Unreadable.
    #[error("cannot read {0}: {1}")]
    Read(String, String),
    /// Not valid TOML of the right shape.
    #[error("{0}: {1}")]
    Parse(String, String),
    /// Names case ids the suite does not have.
    #[error("{0}: case ids the suite does not have: {1}")]
    Unknown(String, String),
    /// Could not be written.
    #[error("cannot write {0}: {1}")]
    Write(String, String),
}

/// How a run compares with the file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Comparison {
    /// Divergent now, not in the file.
    pub new: Vec<String>,
    /// In the file, conformant now.
    pub fixed: Vec<String>,
    /// In the file and divergent now.
    pub known: Vec<String>,
}

impl Comparison {
    /// True when exactly the expected divergences occurred.
    pub fn holds(&self) -> bool {
        self.new.is_empty() && self.fixed.is_empty()
    }
}

impl Expectations {
    /// Reads a file; a missing file is an empty list only when `allow_missing`.
    pub fn read(path: &Path, allow_missing: bool) -> Result<Self, ExpectationsError> {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                let line = e
                    .span()
                    .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                    .unwrap_or(0);
                ExpectationsError::Parse(format!("{name}:{line}"), e.message().to_string())
            }),
            Err(e) if allow_missing && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self::default())
            }
            Err(e) => Err(ExpectationsError::Read(name, e.to_string())),
        }
    }

    /// Every case id the file lists, with its finding.
    pub fn cases(&self) -> BTreeMap<&str, &Known> {
        self.findings
            .iter()
            .flat_map(|k| k.trials.iter().map(move |t| (t.as_str(), k)))
            .collect()
    }

    /// Checks that every case id exists in the suite.
    pub fn check_ids(&self, path: &Path, ids: &[String]) -> Result<(), ExpectationsError> {
        let unknown: Vec<&str> = self
            .cases()
            .into_keys()
            .filter(|c| !ids.iter().any(|i| i == c))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(ExpectationsError::Unknown(
                path.display().to_string(),
                unknown.join(", "),
            ))
        }
    }

    /// Compares a run with the file (only trials the run had).
    pub fn compare(&self, report: &Report) -> Comparison {
        let expected = self.cases();
        let mut c = Comparison::default();
        for t in &report.trials {
            let known = expected.get(t.id.as_str());
            match (t.outcome.differs(), known) {
                (true, Some(_)) => c.known.push(t.id.clone()),
                (true, None) => c.new.push(t.id.clone()),
                (false, Some(k)) if t.outcome.is_conformant() && !k.flaky => {
                    c.fixed.push(t.id.clone())
                }
                _ => {}
            }
        }
        c
    }

    /// The file a run implies: every finding of the report, keeping the reasons already written
    /// (by finding id, else by the reason of a case it shares).
    pub fn from_report(&self, report: &Report) -> Self {
        let by_id: BTreeMap<&str, &Known> =
            self.findings.iter().map(|k| (k.id.as_str(), k)).collect();
        let by_case = self.cases();
        let mut findings: Vec<Known> = report
            .findings
            .iter()
            .map(|g| {
                let old = by_id
                    .get(g.id.as_str())
                    .or_else(|| g.trials.iter().find_map(|t| by_case.get(t.as_str())));
                Known {
                    id: g.id.clone(),
                    summary: g.summary.clone(),
                    outcome: g.outcome,
                    basis: g.basis,
                    reason: old.map_or_else(|| g.summary.clone(), |k| k.reason.clone()),
                    trials: g.trials.clone(),
                    flaky: old.is_some_and(|k| k.flaky),
                }
            })
            .collect();
        // A flaky finding that did not show this time stays in the file.
        let shown: std::collections::BTreeSet<&str> = findings
            .iter()
            .map(|k| k.id.as_str())
            .collect::<std::collections::BTreeSet<_>>();
        let kept: Vec<Known> = self
            .findings
            .iter()
            .filter(|k| k.flaky && !shown.contains(k.id.as_str()))
            .cloned()
            .collect();
        findings.extend(kept);
        Self { findings }
    }

    /// Writes the file, with a header saying what it is.
    pub fn write(&self, path: &Path, target: &str, profile: &str) -> Result<(), ExpectationsError> {
        let body = toml::to_string_pretty(self)
            .map_err(|e| ExpectationsError::Write(path.display().to_string(), e.to_string()))?;
        let text = format!(
            "# Known findings of `{target}` against the `{profile}` profile: root causes, each with its case ids.\n\
             # `lambda-conform run --expectations FILE` passes when exactly these trials differ;\n\
             # `--update-expectations` rewrites this file from a run (reasons already written are kept).\n\n{body}"
        );
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, text)
            .map_err(|e| ExpectationsError::Write(path.display().to_string(), e.to_string()))
    }
}

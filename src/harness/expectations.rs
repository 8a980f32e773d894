//! Expectation files: the known divergences of one target, keyed by case id, so nightly CI fails only
//! on what changed. A new divergence fails; an expected divergence that now conforms fails too (the file
//! must stay true); a case id the suite no longer has is an error.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::{Outcome, Report};

/// One known divergence.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Known {
    /// The case id.
    pub case: String,
    /// What the target answered when the row was written.
    pub observed: String,
    /// Why, in one line.
    pub reason: String,
}

/// The file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// The known divergences.
    #[serde(default, rename = "divergence")]
    pub divergences: Vec<Known>,
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

    /// Checks that every case id exists in the suite.
    pub fn check_ids(&self, path: &Path, ids: &[String]) -> Result<(), ExpectationsError> {
        let unknown: Vec<&str> = self
            .divergences
            .iter()
            .map(|k| k.case.as_str())
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
        let expected: BTreeMap<&str, &Known> = self
            .divergences
            .iter()
            .map(|k| (k.case.as_str(), k))
            .collect();
        let mut c = Comparison::default();
        for t in &report.trials {
            let divergent = t.outcome == Outcome::Divergent;
            match (divergent, expected.contains_key(t.id.as_str())) {
                (true, true) => c.known.push(t.id.clone()),
                (true, false) => c.new.push(t.id.clone()),
                (false, true) if t.outcome == Outcome::Conformant && t.skipped.is_none() => {
                    c.fixed.push(t.id.clone())
                }
                _ => {}
            }
        }
        c
    }

    /// The file a run implies: every divergence, keeping the reasons already written.
    pub fn from_report(&self, report: &Report) -> Self {
        let old: BTreeMap<&str, &Known> = self
            .divergences
            .iter()
            .map(|k| (k.case.as_str(), k))
            .collect();
        let divergences = report
            .trials
            .iter()
            .filter(|t| t.outcome == Outcome::Divergent)
            .map(|t| Known {
                case: t.id.clone(),
                observed: t.observed.clone(),
                reason: old
                    .get(t.id.as_str())
                    .map(|k| k.reason.clone())
                    .unwrap_or_else(|| t.message.lines().next().unwrap_or("").to_string()),
            })
            .collect();
        Self { divergences }
    }

    /// Writes the file, with a header saying what it is.
    pub fn write(&self, path: &Path, target: &str, profile: &str) -> Result<(), ExpectationsError> {
        let body = toml::to_string_pretty(self)
            .map_err(|e| ExpectationsError::Write(path.display().to_string(), e.to_string()))?;
        let text = format!(
            "# Known divergences of `{target}` from the `{profile}` profile, one per case id.\n\
             # `lambda-conform run --expectations FILE` passes when exactly these diverge;\n\
             # `--update-expectations` rewrites this file from a run (reasons already written are kept).\n\n{body}"
        );
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, text)
            .map_err(|e| ExpectationsError::Write(path.display().to_string(), e.to_string()))
    }
}

//! The AWS parity score of one endpoint (`lambda-conform replay`): how many of the requests recorded
//! against real AWS it answers exactly as AWS did, per family, with every difference and every
//! exchange left out (and why). Self-contained: `replay.json` is this model as JSON, readable alone
//! (a certification bundle can carry it) and by `lambda-conform matrix`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{write_text, ReportError, Tool};

pub use crate::oracle::replay::ReplayOutcome;

/// One recorded exchange, replayed (or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayedExchange {
    /// The recording's id (`aws-observed/011-long_function_name_exc`).
    pub id: String,
    /// The family the table files its expected answer under (`function_name`, `valid`, …).
    pub family: String,
    /// What happened.
    pub outcome: ReplayOutcome,
    /// What differs (`status`, `error_type`, `message`, `body`), sorted, when it differs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aspects: Vec<String>,
    /// Each difference in one line (or the skip reason, or the transport error).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// Parity of one family.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyParity {
    /// The family.
    pub family: String,
    /// Exchanges of the family that were answered (equal or differing).
    pub replayed: usize,
    /// Of those, answered as AWS did.
    pub equal: usize,
    /// Exchanges of the family not replayable here.
    pub skipped: usize,
}

/// Counts over the whole replay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplaySummary {
    /// Exchanges in the recordings.
    pub exchanges: usize,
    /// Exchanges replayable against this endpoint (sent).
    pub replayable: usize,
    /// Of those, answered (no transport error).
    pub replayed: usize,
    /// Answered exactly as AWS did.
    pub equal: usize,
    /// Answered differently.
    pub differs: usize,
    /// Not replayable here, each with its reason.
    pub skipped: usize,
    /// Sent but unanswered.
    pub harness_errors: usize,
    /// `equal / replayed` in percent (0 when nothing was replayed), one decimal.
    pub parity_percent: f64,
    /// Of the replayed exchanges, how many match AWS's answer in each aspect (`status`,
    /// `error_type`, `message`, `body`): where an endpoint stands short of full equality.
    #[serde(default)]
    pub same: BTreeMap<String, usize>,
}

/// The aspects an answer is compared on, in the order they are shown.
pub const ASPECTS: [&str; 4] = ["status", "error_type", "message", "body"];

/// The parity score of one endpoint: `replay.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayScore {
    /// The tool.
    pub tool: Tool,
    /// The spec profile (decides the families and which exchanges need resources).
    pub profile: String,
    /// The endpoint (`embedded stub (…)` when none was given).
    pub endpoint: String,
    /// The target kind (`stub`, `moto`, `localstack`, `aws`).
    pub target: String,
    /// The recordings replayed (a path, or `embedded:` and the fixture's name).
    pub recordings: String,
    /// The account the recordings were made concrete for (learned from the endpoint).
    pub account: String,
    /// The region the recordings were made concrete for.
    pub region: String,
    /// The run seed (hex): function names derive from it, so each run uses fresh names.
    pub seed: String,
    /// RFC 3339 start time.
    pub started: String,
    /// RFC 3339 end time.
    pub finished: String,
    /// Counts.
    pub summary: ReplaySummary,
    /// Per family, sorted by family.
    pub families: Vec<FamilyParity>,
    /// Every exchange, in file order.
    pub exchanges: Vec<ReplayedExchange>,
}

impl ReplayScore {
    /// Recomputes the summary and the families from the exchanges.
    pub fn recount(&mut self) {
        let mut s = ReplaySummary {
            exchanges: self.exchanges.len(),
            ..ReplaySummary::default()
        };
        let mut fams: BTreeMap<String, FamilyParity> = BTreeMap::new();
        for x in &self.exchanges {
            let f = fams
                .entry(x.family.clone())
                .or_insert_with(|| FamilyParity {
                    family: x.family.clone(),
                    ..FamilyParity::default()
                });
            if matches!(x.outcome, ReplayOutcome::Equal | ReplayOutcome::Differs) {
                for a in ASPECTS {
                    if !x.aspects.iter().any(|d| d == a) {
                        *s.same.entry(a.to_string()).or_default() += 1;
                    }
                }
            }
            match x.outcome {
                ReplayOutcome::Equal => {
                    s.equal += 1;
                    f.equal += 1;
                    f.replayed += 1;
                }
                ReplayOutcome::Differs => {
                    s.differs += 1;
                    f.replayed += 1;
                }
                ReplayOutcome::Skipped => {
                    s.skipped += 1;
                    f.skipped += 1;
                }
                ReplayOutcome::HarnessError => s.harness_errors += 1,
            }
        }
        s.replayed = s.equal + s.differs;
        s.replayable = s.replayed + s.harness_errors;
        s.parity_percent = percent(s.equal, s.replayed);
        self.summary = s;
        self.families = fams.into_values().collect();
    }

    /// One line: `AWS parity 91/91 (100.0%) of replayable recordings; 21 not replayable here`.
    pub fn score_line(&self) -> String {
        let s = &self.summary;
        let mut line = format!(
            "AWS parity {}/{} ({:.1}%) of the replayable recordings; {} of {} not replayable here",
            s.equal, s.replayed, s.parity_percent, s.skipped, s.exchanges
        );
        if s.differs > 0 {
            line.push_str(&format!("; same {}", self.aspects_text()));
        }
        if s.harness_errors > 0 {
            line.push_str(&format!(
                "; {} unanswered (harness errors)",
                s.harness_errors
            ));
        }
        line
    }

    /// `status 85, error_type 80, message 40, body 12`: replayed exchanges matching AWS in each aspect.
    pub fn aspects_text(&self) -> String {
        ASPECTS
            .iter()
            .map(|a| format!("{a} {}", self.summary.same.get(*a).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The text `replay` prints: differing exchanges, the per-family table, the score line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for x in &self.exchanges {
            match x.outcome {
                ReplayOutcome::Differs | ReplayOutcome::HarnessError => {
                    out.push_str(&format!("{:<13} {}\n", x.outcome.as_str(), x.id));
                    for d in &x.details {
                        out.push_str(&format!("    {d}\n"));
                    }
                }
                ReplayOutcome::Equal | ReplayOutcome::Skipped => {}
            }
        }
        out.push_str(&format!(
            "\n{:<26} {:>8} {:>8} {:>8}\n",
            "family", "equal", "replayed", "skipped"
        ));
        for f in &self.families {
            out.push_str(&format!(
                "{:<26} {:>8} {:>8} {:>8}\n",
                f.family, f.equal, f.replayed, f.skipped
            ));
        }
        out.push('\n');
        out.push_str(&self.score_line());
        out.push('\n');
        out
    }
}

/// `part / whole` in percent with one decimal (0 when `whole` is 0).
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

/// Writes `score` to `path` as pretty-printed JSON.
pub fn write_json(score: &ReplayScore, path: &Path) -> Result<(), ReportError> {
    let mut text = serde_json::to_string_pretty(score).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    text.push('\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| ReportError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    write_text(path, &text)
}

/// Reads a `replay.json` written by [`write_json`].
pub fn read_json(path: &Path) -> Result<ReplayScore, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })
}

//! Reports of a run: one data model, several outputs (JSON, JUnit XML, Markdown, HTML).

use serde::{Deserialize, Serialize};

/// The three outcomes of a trial. They are never mixed: a harness error is never counted as a divergence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The endpoint answered as the table says AWS answers.
    Conformant,
    /// The endpoint answered differently: a finding for its maintainers.
    Divergent,
    /// The harness could not judge (no connection, still throttled, a case it could not build).
    HarnessError,
}

impl Outcome {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Conformant => "conformant",
            Outcome::Divergent => "divergent",
            Outcome::HarnessError => "harness_error",
        }
    }
}

/// The tool that wrote the report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    /// `lambda-conform`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// Counts over the whole run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Trials run.
    pub trials: usize,
    /// Trials that conformed.
    pub conformant: usize,
    /// Trials that diverged.
    pub divergent: usize,
    /// Trials the harness could not judge.
    pub harness_errors: usize,
    /// HTTP requests sent (set-up, cases, read-back, clean-up).
    pub requests: u64,
    /// Of the divergent trials, those whose expectation rests on an assumption (nobody recorded AWS doing it).
    pub divergent_on_assumptions: usize,
    /// 429 answers absorbed by retries in set-up, read-back and clean-up calls.
    pub throttled_retries: u64,
    /// Trials skipped (a case needs a resource the target lacks), with the reason in each trial.
    pub skipped: usize,
}

/// One trial (one case class) in the report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrialRecord {
    /// The stable case id (`create_function::memory_size::above_max`).
    pub id: String,
    /// `valid`, `boundary`, `violation`, `wire`, `sdk` or `lifecycle`.
    pub kind: String,
    /// The outcome.
    pub outcome: Outcome,
    /// What the table expects, in one line (`400 ValidationException "1 validation error detected: …"`).
    pub expected: String,
    /// What the endpoint answered, in one line.
    pub observed: String,
    /// A curl command that reproduces the (shrunk) failing request, without secrets.
    pub reproduction: Option<String>,
    /// The findings, one per line, each with its rule and table row.
    pub message: String,
    /// The weakest source the expectation rests on: `model`, `observed`, `doc` or `assumed`.
    pub basis: String,
    /// Instances (requests of this class) judged.
    pub instances: u32,
    /// The per-case seed that reproduces the failing instance (hex), when divergent.
    pub seed: Option<String>,
    /// Why the trial was skipped, when it was.
    pub skipped: Option<String>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// The tool.
    pub tool: Tool,
    /// The spec profile.
    pub profile: String,
    /// The endpoint URL (`embedded stub` when none was given).
    pub endpoint: String,
    /// The target kind (`stub`, `moto`, `localstack`, `aws`).
    pub target: String,
    /// The run seed (hex); `--seed` with it repeats the run's requests.
    pub seed: String,
    /// RFC 3339 start time.
    pub started: String,
    /// RFC 3339 end time.
    pub finished: String,
    /// Counts.
    pub summary: Summary,
    /// Every trial, sorted by id.
    pub trials: Vec<TrialRecord>,
}

impl Report {
    /// Recomputes the summary counts from the trials (keeps `requests` and `throttled_retries`).
    pub fn recount(&mut self) {
        let s = &mut self.summary;
        s.trials = self.trials.len();
        s.conformant = self.trials.iter().filter(|t| t.outcome == Outcome::Conformant && t.skipped.is_none()).count();
        s.divergent = self.trials.iter().filter(|t| t.outcome == Outcome::Divergent).count();
        s.harness_errors = self.trials.iter().filter(|t| t.outcome == Outcome::HarnessError).count();
        s.divergent_on_assumptions = self
            .trials
            .iter()
            .filter(|t| t.outcome == Outcome::Divergent && t.basis == "assumed")
            .count();
        s.skipped = self.trials.iter().filter(|t| t.skipped.is_some()).count();
    }
}

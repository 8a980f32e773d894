//! The report's data: the run, its trials, their counts and root causes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::findings;
use crate::oracle::{Basis, Finding, Outcome};

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
    /// Trials that differ only from an assumption (nobody recorded AWS doing it); they fail a run only with `--strict`.
    pub unconfirmed: usize,
    /// Root causes: the divergent and unconfirmed trials grouped by rule and observed shape.
    pub findings: usize,
    /// 429 answers absorbed by retries in set-up, read-back and clean-up calls.
    pub throttled_retries: u64,
    /// Trials skipped (a case needs a resource the target lacks), with the reason in each trial.
    pub skipped: usize,
    /// The run was interrupted (SIGINT / SIGTERM): the trials are those that finished.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// The signal that interrupted the run (`SIGINT`, `SIGTERM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// Checks an interrupt kept from starting.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub not_run: usize,
    /// Functions the run created that are still there after its clean-up.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaked: Vec<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
    /// A standalone shell snippet (set-up, the (shrunk) failing request, clean-up) that reproduces
    /// it against `${LAMBDA_ENDPOINT:-…}`, without secrets (see `transport::repro`).
    pub reproduction: Option<String>,
    /// The findings (or the fault, or the skip reason), one per line, each with its rule and table row.
    pub message: String,
    /// What the expectation rests on: `recorded`, `documented`, `derived` or `assumed`.
    pub basis: Basis,
    /// What differs, with the evidence of each expectation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Instances (requests of this class) judged.
    pub instances: u32,
    /// The instance that failed, as the regressions file keeps it: `param 0 seed 0x…` (see
    /// [`instance_seed`]), when divergent.
    pub seed: Option<String>,
    /// Why the trial was skipped, when it was.
    pub skipped: Option<String>,
    /// The root cause it belongs to (an id of [`Report::findings`]), when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
}

impl TrialRecord {
    /// The family: the id's second segment (`memory_size` in `create_function::memory_size::above_max`),
    /// or the whole id when it has a single segment.
    pub fn family(&self) -> &str {
        self.id.split("::").nth(1).unwrap_or(&self.id)
    }

    /// The id without its last `::segment` (`create_function::memory_size`), or `None` for a
    /// single-segment id. JUnit's classname.
    pub fn group(&self) -> Option<&str> {
        self.id.rsplit_once("::").map(|(group, _)| group)
    }

    /// Whether the expectation rests on an assumption (`basis = "assumed"`).
    pub fn is_assumed(&self) -> bool {
        self.basis == Basis::Assumed
    }

    /// The first line of the message (empty when there is none).
    pub fn headline(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

/// How a failing instance is named in reports: `param 0 seed 0x00c0ffee00c0ffee` — the pair the
/// regressions file (`cc <case> <param> <seed>`) keeps to rebuild the exact request. Not a run seed:
/// the run's own seed is the report's `seed`, which `--seed` takes.
pub fn instance_seed(param: u64, seed: u64) -> String {
    format!("param {param} seed 0x{seed:016x}")
}

/// A run seed as shown to people and accepted by `--seed`: `0x` and 16 hex digits (a stored seed
/// without the prefix gets it; anything else is shown as it is).
pub fn display_seed(seed: &str) -> String {
    if seed.len() == 16 && seed.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("0x{seed}")
    } else {
        seed.to_string()
    }
}

/// Trial counts of one family, as shown in the per-family tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FamilyCounts {
    /// The family (`memory_size`, `function_name`, `wire`, `valid`, …).
    pub family: String,
    /// Trials in the family.
    pub trials: usize,
    /// Conformant.
    pub conformant: usize,
    /// Divergent on evidence.
    pub divergent: usize,
    /// Differing only from an assumption.
    pub unconfirmed: usize,
    /// Harness errors.
    pub harness_errors: usize,
    /// Skipped.
    pub skipped: usize,
}

impl FamilyCounts {
    /// Counts one trial.
    pub fn add(&mut self, outcome: Outcome) {
        self.trials += 1;
        match outcome {
            Outcome::Conformant => self.conformant += 1,
            Outcome::Divergent => self.divergent += 1,
            Outcome::Unconfirmed => self.unconfirmed += 1,
            Outcome::HarnessError => self.harness_errors += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }

    /// The counts of several families added up (the tables' total row).
    pub fn total(families: &[FamilyCounts]) -> FamilyCounts {
        families.iter().fold(FamilyCounts::default(), |mut t, f| {
            t.trials += f.trials;
            t.conformant += f.conformant;
            t.divergent += f.divergent;
            t.unconfirmed += f.unconfirmed;
            t.harness_errors += f.harness_errors;
            t.skipped += f.skipped;
            t
        })
    }
}

impl TrialRecord {
    /// A record with nothing judged yet (conformant, no findings).
    pub fn new(id: impl Into<String>, kind: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            kind: kind.into(),
            outcome: Outcome::Conformant,
            expected: String::new(),
            observed: String::new(),
            reproduction: None,
            message: String::new(),
            basis: Basis::Recorded,
            findings: Vec::new(),
            instances: 0,
            seed: None,
            skipped: None,
            finding: None,
        }
    }

    /// The record of a check from the oracle's judgement: the outcome is the judgement's, decided there.
    pub fn judged(
        id: impl Into<String>,
        kind: impl Into<String>,
        j: &crate::oracle::Judgement,
    ) -> Self {
        Self {
            outcome: j.outcome(),
            expected: j.expected.clone(),
            observed: j.observed.clone(),
            message: j.message(),
            basis: j.reported_basis(),
            findings: j.findings.clone(),
            skipped: j.skipped.clone(),
            ..Self::new(id, kind)
        }
    }
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
    /// Root causes, most trials first: every divergent or unconfirmed trial is in exactly one.
    #[serde(default)]
    pub findings: Vec<findings::FindingGroup>,
    /// Every trial, sorted by id.
    pub trials: Vec<TrialRecord>,
    /// The conformance levels (`core`, `validation`, `full`), each pass, partial or fail (see
    /// [`super::levels`]); recomputed by [`Report::recount`].
    #[serde(default)]
    pub levels: Vec<super::levels::LevelResult>,
    /// sha256 (hex) of the frozen corpus: of the `--corpus` file, or for a generated run of the
    /// frozen form of every CreateFunction request the cases sent (see `lambda-conform corpus`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub corpus_sha256: String,
    /// `run --covering`: which request covered which case ids (empty for other runs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage: Vec<Covered>,
}

/// One request of a `--covering` run and the case ids its answer covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Covered {
    /// The request's number in the run (1-based, in the order the run counted it).
    pub request: u64,
    /// What it was (`CreateFunction`, `GetFunction`, …).
    pub operation: String,
    /// The case ids it covered, sorted. A lifecycle check is listed on the create it builds on or
    /// completes (read-back on the create read back, delete-then-recreate on the re-create,
    /// publish-on-create on the create that published), or on its own request when it needs one (the
    /// duplicate create).
    pub case_ids: Vec<String>,
    /// The further requests (reads, the judged delete) the lifecycle ids listed here also rest on, by
    /// number; empty for a plain create.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<u64>,
}

impl Report {
    /// Recomputes the summary counts and the root causes from the trials (keeps `requests` and
    /// `throttled_retries`).
    pub fn recount(&mut self) {
        self.findings = findings::group(&mut self.trials);
        let mut all = FamilyCounts::default();
        for t in &self.trials {
            all.add(t.outcome);
        }
        let s = &mut self.summary;
        s.trials = all.trials;
        s.conformant = all.conformant;
        s.divergent = all.divergent;
        s.unconfirmed = all.unconfirmed;
        s.harness_errors = all.harness_errors;
        s.skipped = all.skipped;
        s.findings = self.findings.len();
        self.levels = super::levels::levels(&self.trials);
    }

    /// Trial counts per family, sorted by family name.
    pub fn by_family(&self) -> Vec<FamilyCounts> {
        let mut families: BTreeMap<&str, FamilyCounts> = BTreeMap::new();
        for t in &self.trials {
            families
                .entry(t.family())
                .or_insert_with(|| FamilyCounts {
                    family: t.family().to_string(),
                    ..FamilyCounts::default()
                })
                .add(t.outcome);
        }
        families.into_values().collect()
    }

    /// Whether the run fails: a divergent trial, or with `strict` an unconfirmed one.
    pub fn fails(&self, strict: bool) -> bool {
        self.summary.divergent > 0 || (strict && self.summary.unconfirmed > 0)
    }
}

//! The one judge: every outcome of every check is decided here, from the findings the checks
//! produced and the faults that kept them from judging.
//!
//! Nothing else in the crate sets an outcome. The harness collects what happened (answers, faults,
//! skips); the oracle's check functions turn answers into [`Finding`]s; [`Judgement::outcome`] decides.

use serde::{Deserialize, Serialize};

use crate::spec::Source;
use crate::transport::TransportError;

/// The outcome of a check. Never mixed: a fault of the harness or of the endpoint's plumbing is a
/// harness error, never a divergence; a difference from an assumption is unconfirmed, never divergent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The endpoint answered as the table says AWS answers.
    Conformant,
    /// The endpoint differs from what AWS does, on evidence (recorded, documented or derived).
    Divergent,
    /// The endpoint differs only from an assumption (nobody recorded AWS doing it).
    Unconfirmed,
    /// The harness could not judge (no answer, throttled, a request it could not build).
    HarnessError,
    /// Not run, with the reason (a case that needs a resource the target lacks, an SDK that cannot send it).
    Skipped,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Conformant,
        Outcome::Divergent,
        Outcome::Unconfirmed,
        Outcome::HarnessError,
        Outcome::Skipped,
    ];

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Conformant => "conformant",
            Outcome::Divergent => "divergent",
            Outcome::Unconfirmed => "unconfirmed",
            Outcome::HarnessError => "harness_error",
            Outcome::Skipped => "skipped",
        }
    }

    /// Divergent or unconfirmed: the endpoint answered and something differs.
    pub fn differs(self) -> bool {
        matches!(self, Outcome::Divergent | Outcome::Unconfirmed)
    }

    /// Divergent on evidence.
    pub fn is_divergent(self) -> bool {
        self == Outcome::Divergent
    }

    /// Judged and found conformant.
    pub fn is_conformant(self) -> bool {
        self == Outcome::Conformant
    }

    /// Not judged because of a fault.
    pub fn is_harness_error(self) -> bool {
        self == Outcome::HarnessError
    }

    /// Whether a run fails on it: divergent always, unconfirmed only when `strict`.
    pub fn fails_run(self, strict: bool) -> bool {
        self == Outcome::Divergent || (strict && self == Outcome::Unconfirmed)
    }
}

/// What an expectation rests on, strongest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Recorded against real AWS: the evidence names the exchanges.
    #[default]
    Recorded,
    /// AWS documentation or AWS-maintained data (botocore's model, cfn-lint), with version and quote.
    Documented,
    /// A rule recorded on other members, applied by the same uniform mechanism (AWS's front-end
    /// validation): the evidence names the recordings of the mechanism.
    Derived,
    /// Nobody recorded it: a difference from it is unconfirmed.
    Assumed,
}

impl Basis {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Recorded => "recorded",
            Basis::Documented => "documented",
            Basis::Derived => "derived",
            Basis::Assumed => "assumed",
        }
    }
}

impl From<Source> for Basis {
    /// A table row's source as evidence. A bare model row documents the constraint; where the answer's
    /// form comes from the uniform validation mechanism, [`super::error_basis`] says `Derived`.
    fn from(s: Source) -> Self {
        match s {
            Source::Observed => Basis::Recorded,
            Source::Doc | Source::Model => Basis::Documented,
            Source::Assumed => Basis::Assumed,
        }
    }
}

/// One thing that differs, with what the expectation rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule (`status`, `error-type`, `message`, `default MemorySize`, …).
    pub rule: String,
    /// What the table expects.
    pub expected: String,
    /// What the endpoint did.
    pub observed: String,
    /// The table row(s) it rests on.
    pub row: String,
    /// What the expectation rests on.
    pub basis: Basis,
    /// The evidence: exchange ids, a documentation source with version and quote, or why it is assumed.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
}

impl Finding {
    /// One line: `rule: expected …, observed … [row; basis]`.
    pub fn line(&self) -> String {
        format!(
            "{}: expected {}, observed {} [{}; {}]",
            self.rule,
            self.expected,
            self.observed,
            self.row,
            self.basis.as_str()
        )
    }
}

/// Why a check could not be judged: a fault of the harness or of the endpoint's plumbing, never a
/// divergence.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// A request of the check got no complete HTTP answer (refused, reset, timed out, not HTTP,
    /// unsigned, a body over the cap, the check's deadline passed).
    NoAnswer {
        /// Which request (`the create`, `GetFunction`, `the SDK request`).
        during: String,
        /// The transport's error, typed.
        error: TransportError,
    },
    /// A request of the check was throttled (429) and the check cannot judge a throttled answer.
    Throttled {
        /// Which request.
        during: String,
        /// The error type and Retry-After, as answered.
        detail: String,
    },
    /// The harness could not build the request (the generator found no instance).
    Unbuildable(String),
    /// What the check builds on did not happen (the first create was refused), so it cannot judge.
    Precondition(String),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // An answer was there, but too long to read: the endpoint's plumbing, not its API.
            Fault::NoAnswer {
                during,
                error: error @ TransportError::Truncated(_),
            } => write!(f, "{error} on {during}; not judged"),
            Fault::NoAnswer { during, error } => write!(f, "no answer to {during}: {error}"),
            Fault::Throttled { during, detail } => write!(
                f,
                "throttled: 429 on {during} ({detail}); not judged: lower --rps or --concurrency"
            ),
            Fault::Unbuildable(why) => write!(f, "could not build the request: {why}"),
            Fault::Precondition(why) => write!(f, "cannot judge: {why}"),
        }
    }
}

/// Everything known about one check: the findings, the fault that kept it from judging, or why it
/// was skipped; the expectation and the answer in one line each; notes that are not verdicts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Judgement {
    /// What differs.
    pub findings: Vec<Finding>,
    /// Why the check could not judge, if it could not.
    pub fault: Option<Fault>,
    /// Why the check was not run, if it was not.
    pub skipped: Option<String>,
    /// The expectation in one line.
    pub expected: String,
    /// The answer in one line.
    pub observed: String,
    /// What the expectation as a whole rests on (the weakest basis among its rows).
    pub basis: Basis,
    /// Remarks that are not verdicts (a clean-up that failed).
    pub notes: Vec<String>,
}

impl Judgement {
    /// A check that was not run.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Self {
            skipped: Some(reason.into()),
            ..Self::default()
        }
    }

    /// A check that could not judge.
    pub fn fault(fault: Fault) -> Self {
        Self {
            fault: Some(fault),
            ..Self::default()
        }
    }

    /// The outcome, decided here and nowhere else:
    /// skipped → `Skipped`; a fault → `HarnessError` (whatever was found before it);
    /// no finding → `Conformant`; a finding on evidence → `Divergent`; only assumed findings → `Unconfirmed`.
    pub fn outcome(&self) -> Outcome {
        if self.skipped.is_some() {
            Outcome::Skipped
        } else if self.fault.is_some() {
            Outcome::HarnessError
        } else if self.findings.is_empty() {
            Outcome::Conformant
        } else if self.findings.iter().any(|f| f.basis != Basis::Assumed) {
            Outcome::Divergent
        } else {
            Outcome::Unconfirmed
        }
    }

    /// The basis reported for the check: of a difference, the strongest basis among its findings
    /// (what makes it divergent); otherwise the expectation's.
    pub fn reported_basis(&self) -> Basis {
        self.findings
            .iter()
            .map(|f| f.basis)
            .min()
            .unwrap_or(self.basis)
    }

    /// The findings (or the fault, or the skip reason) as lines, then the notes.
    pub fn message(&self) -> String {
        let head: Vec<String> = if let Some(s) = &self.skipped {
            vec![s.clone()]
        } else if let Some(f) = &self.fault {
            vec![f.to_string()]
        } else {
            self.findings.iter().map(Finding::line).collect()
        };
        head.into_iter()
            .chain(self.notes.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Adds a fault unless one is already there (the first fault is the reason).
    pub fn set_fault(&mut self, fault: Fault) {
        if self.fault.is_none() {
            self.fault = Some(fault);
        }
    }
}

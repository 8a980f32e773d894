//! Conformance levels: what a vendor can claim, each `pass`, `partial` or `fail`.
//!
//! The levels are cumulative (each includes the ones before it):
//!
//! | level | what it asks | the finding rules that belong to it |
//! |---|---|---|
//! | `core` | a valid request is accepted with a correct answer, required members, status codes | `status` on every raw case; on valid and boundary cases also `content-type`, `body`, `null K`, `type K` and `response K present` |
//! | `validation` | every model and documented constraint answers with the right status and error type | `error-type`; `content-type` and `body` of error answers |
//! | `full` | messages, defaults, derived response fields, SDK parse, lifecycle | everything else: `message`, `body-members`, `error-type-header`, `header …`, `default …`, the other response rules, `left behind`, `snapshot`, every SDK and lifecycle finding |
//!
//! Only evidence counts: a finding whose basis is `recorded`, `documented` or `derived` fails a check
//! at its level; an `assumed` one is listed as unconfirmed and fails nothing.
//!
//! The checks of a level (its scope): `core` and `validation` take every raw case (valid, boundary,
//! violation, wire); `full` takes every check (SDK twins and lifecycle too). Skipped checks are out of
//! scope. A check *fails at* a level when it has an evidence-backed finding of that level or below.
//!
//! The rule, per level, in this order:
//! - **fail** when the level below fails; or when more than half of the judged checks in scope fail
//!   at the level; or, for `core`, when any valid or boundary case (a valid create) fails at `core`.
//! - **pass** when no check in scope fails at the level, the level below passes, and every check in
//!   scope was judged (no harness error).
//! - **partial** otherwise, with the failing findings (those first seen at this level; the ones of the
//!   levels below are listed there) and the checks that could not be judged.

use serde::{Deserialize, Serialize};

use super::TrialRecord;
use crate::oracle::{Basis, Finding, Outcome};

/// A conformance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Valid requests accepted with a correct answer, required members, status codes.
    Core,
    /// Every model and documented constraint: status and error type.
    Validation,
    /// Messages, defaults, derived response fields, SDK parse, lifecycle.
    Full,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Core, Level::Validation, Level::Full];

    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Core => "core",
            Level::Validation => "validation",
            Level::Full => "full",
        }
    }

    /// What the level asks, in one line.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Core => {
                "valid requests accepted with a correct answer, required members, status codes"
            }
            Level::Validation => "every model and documented constraint: status and error type",
            Level::Full => "messages, defaults, derived response fields, SDK parse, lifecycle",
        }
    }
}

/// A level's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LevelStatus {
    /// No evidence-backed finding at this level or below, every check judged.
    Pass,
    /// Some checks fail (listed), or some could not be judged.
    Partial,
    /// The level's requirement is broken (see the module docs).
    Fail,
}

impl LevelStatus {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LevelStatus::Pass => "pass",
            LevelStatus::Partial => "partial",
            LevelStatus::Fail => "fail",
        }
    }
}

/// One finding of a level: the check and the finding's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelFinding {
    /// The check (trial id).
    pub check: String,
    /// The finding in one line (`rule: expected …, observed … [row; basis]`).
    pub finding: String,
}

/// One level's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelResult {
    /// The level.
    pub level: Level,
    /// pass, partial or fail.
    pub status: LevelStatus,
    /// Why, in one line.
    pub reason: String,
    /// Checks in scope (judged or not; skipped ones are out).
    pub checks: usize,
    /// Checks that fail at this level (an evidence-backed finding of this level or below).
    pub failing: usize,
    /// Checks that could not be judged (harness errors).
    pub not_judged: usize,
    /// The evidence-backed findings first seen at this level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<LevelFinding>,
    /// The assumed findings of this level: listed, never failing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unconfirmed: Vec<LevelFinding>,
}

fn creates(kind: &str) -> bool {
    matches!(kind, "valid" | "boundary")
}

/// The level a finding of a check of this kind belongs to (see the module docs).
pub fn finding_level(kind: &str, f: &Finding) -> Level {
    if matches!(kind, "sdk" | "lifecycle") {
        return Level::Full;
    }
    let rule = f.rule.as_str();
    match rule {
        "status" => Level::Core,
        "content-type" | "body" if creates(kind) => Level::Core,
        r if creates(kind)
            && (r.starts_with("null ")
                || r.starts_with("type ")
                || (r.starts_with("response ") && r.ends_with(" present"))) =>
        {
            Level::Core
        }
        "error-type" | "content-type" | "body" => Level::Validation,
        _ => Level::Full,
    }
}

/// Whether a check of this kind is in the scope of `level`.
fn in_scope(kind: &str, level: Level) -> bool {
    level == Level::Full || !matches!(kind, "sdk" | "lifecycle")
}

/// The levels of these trials, lowest first.
pub fn levels(trials: &[TrialRecord]) -> Vec<LevelResult> {
    let mut out: Vec<LevelResult> = Vec::new();
    for level in Level::ALL {
        let mut r = LevelResult {
            level,
            status: LevelStatus::Pass,
            reason: String::new(),
            checks: 0,
            failing: 0,
            not_judged: 0,
            findings: Vec::new(),
            unconfirmed: Vec::new(),
        };
        let mut create_fails = 0usize;
        for t in trials
            .iter()
            .filter(|t| in_scope(&t.kind, level) && t.outcome != Outcome::Skipped)
        {
            r.checks += 1;
            if t.outcome == Outcome::HarnessError {
                r.not_judged += 1;
                continue;
            }
            let mut fails = false;
            for f in &t.findings {
                let at = finding_level(&t.kind, f);
                if at > level {
                    continue;
                }
                let evidence = f.basis != Basis::Assumed;
                fails |= evidence;
                if at == level {
                    let lf = LevelFinding {
                        check: t.id.clone(),
                        finding: f.line(),
                    };
                    if evidence {
                        r.findings.push(lf);
                    } else {
                        r.unconfirmed.push(lf);
                    }
                }
            }
            if fails {
                r.failing += 1;
                if level == Level::Core && creates(&t.kind) {
                    create_fails += 1;
                }
            }
        }
        let judged = r.checks - r.not_judged;
        let below = out.last().map(|b| b.status);
        (r.status, r.reason) = if below == Some(LevelStatus::Fail) {
            (LevelStatus::Fail, "the level below fails".to_string())
        } else if create_fails > 0 {
            (
                LevelStatus::Fail,
                format!("{create_fails} valid create(s) not answered correctly"),
            )
        } else if r.failing * 2 > judged && r.failing > 0 {
            (
                LevelStatus::Fail,
                format!(
                    "{} of {judged} judged checks fail (more than half)",
                    r.failing
                ),
            )
        } else if r.failing == 0 && r.not_judged == 0 && below != Some(LevelStatus::Partial) {
            (
                LevelStatus::Pass,
                format!("all {judged} checks conform on evidence"),
            )
        } else {
            let mut why = Vec::new();
            if r.failing > 0 {
                why.push(format!("{} of {judged} judged checks fail", r.failing));
            }
            if r.not_judged > 0 {
                why.push(format!("{} not judged", r.not_judged));
            }
            if below == Some(LevelStatus::Partial) {
                why.push("the level below is partial".to_string());
            }
            (LevelStatus::Partial, why.join("; "))
        };
        out.push(r);
    }
    out
}

/// The highest level passed, if any (what a badge shows).
pub fn highest_passed(levels: &[LevelResult]) -> Option<Level> {
    levels
        .iter()
        .take_while(|l| l.status == LevelStatus::Pass)
        .last()
        .map(|l| l.level)
}

/// One line per level: `core: pass (all 300 checks conform on evidence)`.
pub fn lines(levels: &[LevelResult]) -> Vec<String> {
    levels
        .iter()
        .map(|l| format!("{}: {} ({})", l.level.as_str(), l.status.as_str(), l.reason))
        .collect()
}

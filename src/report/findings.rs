//! Root causes: the divergent and unconfirmed trials grouped by what differs.
//!
//! Two trials share a root cause when their first finding has the same rule, the same table row
//! kind and the same observed shape (the observed text with generated values, names and numbers
//! masked): moto's `text/html` on every success is one finding, not 72 lines. Every divergent or
//! unconfirmed trial is in exactly one group; the group's id is stable across runs (a hash of its key).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::TrialRecord;
use crate::oracle::{Basis, Outcome};

/// One root cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingGroup {
    /// Stable id (`F` and 8 hex digits of the key's hash).
    pub id: String,
    /// One line: the rule, what the table expects and what the endpoint did (masked).
    pub summary: String,
    /// What the expectation rests on (the group's strongest basis); `assumed` groups are unconfirmed.
    pub basis: Basis,
    /// `divergent` or `unconfirmed`.
    pub outcome: Outcome,
    /// The evidence of the expectation, from the first trial.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
    /// The case ids, sorted.
    pub trials: Vec<String>,
    /// A trial whose reproduction shows it (the first one, by id).
    pub example: String,
}

/// The text with what varies between instances masked: the inside of quoted values, and every
/// identifier that mixes letters and digits (names, ARNs, ids: `lc-3f2a-x` → `‹id›`). Plain numbers
/// (statuses, limits) and plain words stay.
pub fn shape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let ident =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '$' | ':');
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                // A quoted value: keep the quotes, mask the inside (escaped quotes stay inside).
                out.push(c);
                out.push('…');
                let mut escaped = false;
                for d in chars.by_ref() {
                    if d == c && !escaped {
                        break;
                    }
                    escaped = d == '\\' && !escaped;
                }
                out.push(c);
            }
            c if ident(c) => {
                let mut token = String::from(c);
                while let Some(x) = chars.peek().copied().filter(|x| ident(*x)) {
                    token.push(x);
                    chars.next();
                }
                // Sentence punctuation after a token is not part of it.
                let trimmed = token.trim_end_matches([':', '.']);
                let tail = &token[trimmed.len()..];
                // Short mixes are words (`4xx`, `utf-8`, `x86_64`); long ones are names and ids.
                let mixed = trimmed.len() >= 8
                    && trimmed.chars().any(|x| x.is_ascii_digit())
                    && trimmed.chars().any(|x| x.is_ascii_alphabetic());
                out.push_str(if mixed { "‹id›" } else { trimmed });
                out.push_str(tail);
            }
            _ => out.push(c),
        }
    }
    out
}

fn row_kind(row: &str) -> &str {
    // `MemorySize max` → `max`: the same rule broken on different members is one root cause
    // only when the endpoint answers it alike (the observed shape decides).
    row.rsplit(' ').next().unwrap_or(row)
}

/// Groups the trials that differ, sets each trial's `finding`, and returns the groups (most trials first).
pub fn group(trials: &mut [TrialRecord]) -> Vec<FindingGroup> {
    let mut groups: BTreeMap<String, FindingGroup> = BTreeMap::new();
    for t in trials.iter_mut() {
        t.finding = None;
        if !t.outcome.differs() {
            continue;
        }
        // The primary finding: the first of those on the strongest basis (what makes the trial
        // divergent rather than unconfirmed), so an assumed side remark never names the cause.
        let strongest = t.findings.iter().map(|f| f.basis).min();
        let primary = t.findings.iter().find(|f| Some(f.basis) == strongest);
        let (summary, key_basis, evidence) = match primary {
            Some(f) => {
                let kind = row_kind(&f.row);
                // Which kind of table row, for the answers a constraint decides.
                let judged = matches!(f.rule.as_str(), "status" | "error-type" | "message");
                let rows = if !judged || kind.is_empty() || kind == f.row {
                    String::new()
                } else {
                    format!(" (`{kind}` rows)")
                };
                (
                    format!(
                        "{}: expected {}, observed {}{rows}",
                        f.rule,
                        shape(&f.expected),
                        shape(&f.observed)
                    ),
                    f.basis,
                    f.evidence.clone(),
                )
            }
            None => (shape(t.headline()), t.basis, String::new()),
        };
        let rule_row = primary.map(|f| row_kind(&f.row)).unwrap_or("");
        let key = format!("{}\u{1f}{}\u{1f}{summary}", t.outcome.as_str(), rule_row);
        let id = {
            let digest = sha2::Sha256::digest(key.as_bytes());
            format!(
                "F{:02x}{:02x}{:02x}{:02x}",
                digest[0], digest[1], digest[2], digest[3]
            )
        };
        let g = groups.entry(key).or_insert_with(|| FindingGroup {
            id: id.clone(),
            summary,
            basis: key_basis,
            outcome: t.outcome,
            evidence,
            trials: Vec::new(),
            example: t.id.clone(),
        });
        g.basis = g.basis.min(t.basis);
        g.trials.push(t.id.clone());
        t.finding = Some(id);
    }
    let mut out: Vec<FindingGroup> = groups.into_values().collect();
    for g in &mut out {
        g.trials.sort();
        if let Some(first) = g.trials.first() {
            g.example = first.clone();
        }
    }
    out.sort_by(|a, b| {
        b.trials
            .len()
            .cmp(&a.trials.len())
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

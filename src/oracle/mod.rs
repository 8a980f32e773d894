//! Judging an answer: what the table expects against what the endpoint said.
//!
//! The expectation is derived from the table for the exact request sent ([`crate::spec::validate::answer`]),
//! so a generated case and a recorded exchange are judged the same way. Every check (case classes, SDK
//! twins, lifecycle, read-back, leaks, snapshots) turns what it saw into [`Finding`]s here, and
//! [`Judgement::outcome`] alone decides the outcome.

mod judge;
pub mod lifecycle;
pub mod replay;
mod rules;
pub mod sdk;
pub mod snapshot;
mod verdict;

pub use judge::{
    created, describe_answer, describe_response, describe_value, error_basis, judge, judge_built,
    leaked, rows, short, throttled, Facts,
};
pub use rules::{error_type_of, finding, finding_with};
pub use verdict::{Basis, Fault, Finding, Judgement, Outcome};

//! Reports of a run: one data model, several outputs (JSON, JUnit XML, Markdown, HTML).
//!
//! Every output is a pure function of the [`Report`]: none reads the clock or the environment, so
//! the same report always renders to the same bytes. Renderers use the stored [`Summary`] for the
//! run's totals; call [`Report::recount`] before rendering a report whose trials were edited.

pub mod findings;
pub mod html;
pub mod json;
pub mod junit;
pub mod levels;
pub mod markdown;
pub mod matrix;
pub mod merge;
mod model;
mod redact;
pub mod replay;
mod write;

pub use crate::oracle::{Basis, Finding, Outcome};
pub use model::{
    display_seed, instance_seed, Covered, FamilyCounts, Report, Summary, Tool, TrialRecord,
};
pub use redact::redact;
pub use write::{leak_line, summary_line, write_all, ReportError, ASSUMED_MARKER};
pub(crate) use write::{plural, write_text};

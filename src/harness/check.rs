//! What a run checks: a generated case class, its SDK twin, or a lifecycle check, each with its id.

use super::lifecycle::Lifecycle;
use crate::generate::{Case, CaseKind};

/// A check the run makes: a generated case class, its SDK twin, or a lifecycle check.
#[derive(Debug, Clone)]
pub enum Check {
    /// A case class over raw HTTP.
    Case(Case),
    /// The same case class's boundary request through aws-sdk-lambda.
    Sdk(Case),
    /// A lifecycle check.
    Lifecycle(Lifecycle),
}

impl Check {
    /// The stable id.
    pub fn id(&self) -> String {
        match self {
            Check::Case(c) => c.id.clone(),
            Check::Sdk(c) => sdk_id(&c.id),
            Check::Lifecycle(l) => l.id().to_string(),
        }
    }

    /// The kind, for trial kinds and reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Case(c) => c.kind.as_str(),
            Check::Sdk(_) => "sdk",
            Check::Lifecycle(_) => "lifecycle",
        }
    }

    /// What a valid value needs to exist, if anything.
    pub fn needs_resource(&self) -> Option<&str> {
        match self {
            Check::Case(c) | Check::Sdk(c) => c.needs_resource.as_deref(),
            Check::Lifecycle(_) => None,
        }
    }
}

/// The id of a case class's SDK twin (`create_function::sdk::…`).
pub fn sdk_id(case_id: &str) -> String {
    case_id.replacen("create_function::", "create_function::sdk::", 1)
}

/// Every check for these case classes: each case, its SDK twin when the SDK can send it, the lifecycle checks.
pub fn checks(cases: Vec<Case>, sdk: bool) -> Vec<Check> {
    let mut out: Vec<Check> = Vec::new();
    for c in cases {
        if sdk && c.sdk && c.kind != CaseKind::Wire {
            out.push(Check::Sdk(c.clone()));
        }
        out.push(Check::Case(c));
    }
    out.extend(Lifecycle::all().into_iter().map(Check::Lifecycle));
    out.sort_by_key(Check::id);
    out
}

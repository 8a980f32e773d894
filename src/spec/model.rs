//! The merged spec table as the rest of the pipeline sees it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::pattern::Pattern;
pub use super::response::*;

/// Where a row of the table comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The official API model (botocore's service-2.json).
    Model,
    /// Recorded against real AWS; the row's `evidence` names the exchange and its date.
    Observed,
    /// AWS's documentation says so, but no exchange shows it.
    Doc,
    /// Nobody has recorded it: our best guess. Verdicts built on it say so.
    Assumed,
}

/// The members of a FunctionConfiguration that describe its state: they move after a create, and
/// ListFunctions leaves them out (AWS Lambda API reference, ListFunctions: "returns a subset of the
/// FunctionConfiguration fields. To get the additional fields (State, StateReasonCode, StateReason,
/// LastUpdateStatus, LastUpdateStatusReason, LastUpdateStatusReasonCode) … use GetFunction").
pub const STATE_MEMBERS: [&str; 6] = [
    "State",
    "StateReason",
    "StateReasonCode",
    "LastUpdateStatus",
    "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode",
];

impl Source {
    /// How weak the source is as evidence of what AWS answers, strongest first: a recording, the
    /// documentation, a model constraint (its answer derived from the uniform validation mechanism),
    /// an assumption. A combined expectation rests on its weakest row.
    pub fn weakness(self) -> u8 {
        match self {
            Source::Observed => 0,
            Source::Doc => 1,
            Source::Model => 2,
            Source::Assumed => 3,
        }
    }

    /// The lower-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Model => "model",
            Source::Observed => "observed",
            Source::Doc => "doc",
            Source::Assumed => "assumed",
        }
    }
}

/// The type of a member, as the model names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberType {
    /// A JSON string.
    String,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    Long,
    /// A floating-point number.
    Double,
    /// `true` or `false`.
    Boolean,
    /// Bytes, base64 in JSON.
    Blob,
    /// A date and time.
    Timestamp,
    /// A JSON object with named members.
    Structure,
    /// A JSON array.
    List,
    /// A JSON object with arbitrary string keys.
    Map,
}

impl MemberType {
    /// The JSON type name used in messages.
    pub fn json_name(self) -> &'static str {
        match self {
            MemberType::String | MemberType::Blob | MemberType::Timestamp => "string",
            MemberType::Integer | MemberType::Long => "integer",
            MemberType::Double => "number",
            MemberType::Boolean => "boolean",
            MemberType::Structure | MemberType::Map => "object",
            MemberType::List => "array",
        }
    }
}

/// When a constraint applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The value contains no `:` (a bare function name, not an ARN).
    BareName,
    /// The value contains a `:` (a full or partial ARN).
    Arn,
    /// The request's PackageType is absent or `Zip`.
    ZipPackage,
    /// The request's PackageType is `Image`.
    ImagePackage,
}

impl Condition {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::BareName => "bare_name",
            Condition::Arn => "arn",
            Condition::ZipPackage => "zip_package",
            Condition::ImagePackage => "image_package",
        }
    }
}

/// Which stage of the server checks a constraint; it decides how violations combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// The body could not be read as the operation's input (malformed JSON, wrong types).
    Wire,
    /// Size limits checked before anything else (413).
    Size,
    /// The front end's model validation: every violation is collected into one ValidationException.
    Validation,
    /// Lambda's own checks, after validation passed: the first one that fails answers.
    Service,
}

/// What a constraint demands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// The member must be present (and not null).
    Required,
    /// Length in characters at least this.
    MinLength {
        /// The bound.
        min: u64,
    },
    /// Length in characters at most this.
    MaxLength {
        /// The bound.
        max: u64,
    },
    /// Numeric value at least this.
    Min {
        /// The bound.
        min: f64,
    },
    /// Numeric value at most this.
    Max {
        /// The bound.
        max: f64,
    },
    /// At least this many items (list) or entries (map).
    MinItems {
        /// The bound.
        min: u64,
    },
    /// At most this many items (list) or entries (map).
    MaxItems {
        /// The bound.
        max: u64,
    },
    /// The whole value matches the pattern.
    Pattern {
        /// The pattern as the source prints it (unanchored).
        pattern: String,
    },
    /// The value is one of these, exactly (case-sensitive).
    Enum {
        /// The allowed values, in source order.
        values: Vec<String>,
    },
    /// The value is not one of these (e.g. runtimes that can no longer be used).
    NotIn {
        /// The refused values.
        values: Vec<String>,
    },
    /// The value is a multiple of this.
    MultipleOf {
        /// The step.
        step: i64,
    },
    /// The compact JSON of the value (in request key order) is at most this many bytes.
    MaxJsonBytes {
        /// The bound.
        max: u64,
    },
    /// The base64-decoded bytes are a zip archive that can be read.
    Zip,
    /// The zip archive has at least one entry.
    NonEmptyZip,
    /// The base64-decoded bytes are at most this many.
    MaxDecodedBytes {
        /// The bound.
        max: u64,
    },
    /// The whole request body is at most this many bytes.
    MaxRequestBytes {
        /// The bound.
        max: u64,
    },
    /// A function ARN names the region the call is made in.
    ArnRegion,
    /// A function ARN (full or partial) names the caller's account.
    ArnAccount,
    /// The member must not be sent (under the constraint's condition).
    Absent,
    /// The whole value must not match the pattern (cfn-lint's `^(?!…)` patterns).
    NotPattern {
        /// The refused form, as a whole-value pattern.
        pattern: String,
    },
}

impl Kind {
    /// The kind's name in files, reports and case ids.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Required => "required",
            Kind::MinLength { .. } => "min_length",
            Kind::MaxLength { .. } => "max_length",
            Kind::Min { .. } => "min",
            Kind::Max { .. } => "max",
            Kind::MinItems { .. } => "min_items",
            Kind::MaxItems { .. } => "max_items",
            Kind::Pattern { .. } => "pattern",
            Kind::Enum { .. } => "enum",
            Kind::NotIn { .. } => "not_in",
            Kind::MultipleOf { .. } => "multiple_of",
            Kind::MaxJsonBytes { .. } => "max_json_bytes",
            Kind::Zip => "zip",
            Kind::NonEmptyZip => "non_empty_zip",
            Kind::MaxDecodedBytes { .. } => "max_decoded_bytes",
            Kind::MaxRequestBytes { .. } => "max_request_bytes",
            Kind::ArnRegion => "arn_region",
            Kind::ArnAccount => "arn_account",
            Kind::Absent => "absent",
            Kind::NotPattern { .. } => "not_pattern",
        }
    }

    /// The default suffix of the case id that breaks this constraint.
    pub fn violation_name(&self) -> &'static str {
        match self {
            Kind::Required => "missing",
            Kind::MinLength { .. } => "below_min_length",
            Kind::MaxLength { .. } => "above_max_length",
            Kind::Min { .. } => "below_min",
            Kind::Max { .. } => "above_max",
            Kind::MinItems { .. } => "too_few_items",
            Kind::MaxItems { .. } => "too_many_items",
            Kind::Pattern { .. } => "pattern_mismatch",
            Kind::Enum { .. } => "not_in_enum",
            Kind::NotIn { .. } => "refused_value",
            Kind::MultipleOf { .. } => "not_multiple",
            Kind::MaxJsonBytes { .. } => "too_large",
            Kind::Zip => "not_a_zip",
            Kind::NonEmptyZip => "empty_zip",
            Kind::MaxDecodedBytes { .. } => "too_many_bytes",
            Kind::MaxRequestBytes { .. } => "request_too_large",
            Kind::ArnRegion => "other_region",
            Kind::ArnAccount => "other_account",
            Kind::Absent => "not_allowed",
            Kind::NotPattern { .. } => "refused_form",
        }
    }
}

/// The answer AWS gives when a constraint is broken.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorSpec {
    /// HTTP status.
    pub status: u16,
    /// The error type (`X-Amzn-ErrorType`).
    #[serde(rename = "type")]
    pub error_type: String,
    /// The message template (see `spec::message`). For the validation family this is one
    /// violation's text; the full message joins them.
    pub message: String,
    /// Where the status, type and text come from.
    pub source: Source,
    /// Where the message text comes from, when that differs from `source` (a documented rule whose
    /// wording nobody recorded).
    pub message_source: Source,
    /// The recorded exchange or report that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// One constraint of one member, with the error that breaking it gives.
#[derive(Debug, Clone, Serialize)]
pub struct Constraint {
    /// What it demands.
    #[serde(flatten)]
    pub kind: Kind,
    /// The suffix of the case id that breaks it (`above_max`, `bare_name_too_long`, …).
    pub id: String,
    /// When it applies; always when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// A condition on another member of the request (a cross-member rule); always when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when_request: Option<RequestCondition>,
    /// Which server stage checks it.
    pub family: Family,
    /// For the service family: the order of the checks (lower first).
    pub order: i32,
    /// The answer when it is broken.
    pub error: ErrorSpec,
    /// Where the constraint itself comes from.
    pub source: Source,
    /// The recorded exchange or document that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// A remark for readers of the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The model's bound this row replaced, if it replaced one (e.g. Timeout's 5400).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<Kind>,
    /// The compiled pattern, for `Kind::Pattern`.
    #[serde(skip)]
    pub compiled: Option<Pattern>,
}

/// A default value AWS fills in when the member is not sent.
#[derive(Debug, Clone, Serialize)]
pub struct DefaultValue {
    /// The value; strings may contain `{name}` for the function name.
    pub value: serde_json::Value,
    /// Where it comes from.
    pub source: Source,
    /// The recorded exchange that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Only under this condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

/// One member path of the request or the response.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// The path (`Code.ZipFile`, `VpcConfig.SubnetIds[]`, `Tags{key}`).
    pub path: String,
    /// The model's shape name.
    pub shape: String,
    /// The type.
    #[serde(rename = "type")]
    pub ty: MemberType,
    /// Required within its parent.
    pub required: bool,
    /// The model marks it sensitive.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// What AWS answers when it is not sent (response side).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// A valid value names a resource that must exist (a subnet, a layer version, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_resource: Option<String>,
    /// Every constraint, model first, then the overlay's.
    pub constraints: Vec<Constraint>,
    /// The path as steps, split once when the table is read (validation walks it for every request).
    #[serde(skip)]
    pub walk: Walk,
}

/// A member path split once: its steps, and for a required check the parent's steps and the field.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// The path's steps.
    pub steps: Vec<super::path::Step>,
    /// The steps of the path before its last `.` (empty for a top-level member).
    pub parent: Vec<super::path::Step>,
    /// The text after the path's last `.` (the whole path for a top-level member).
    pub field: String,
    /// The base request has `{name}` here: the member names the function (set when the table is read).
    pub names_function: bool,
}

impl Walk {
    /// The walk of a member path.
    pub fn of(path: &str) -> Self {
        let (parent, field) = match path.rfind('.') {
            Some(i) => (&path[..i], &path[i + 1..]),
            None => ("", path),
        };
        Self {
            steps: super::path::steps(path),
            parent: super::path::steps(parent),
            field: field.to_string(),
            names_function: false,
        }
    }
}

/// What a hand-written case class exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseRowKind {
    /// A valid request: the function must be created.
    Valid,
    /// A valid request exactly at a bound.
    Boundary,
    /// A request that breaks the rows listed in `breaks`, all at once.
    Violation,
}

/// A case class the table spells out: the base request with some members set.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRow {
    /// The id after `create_function::` (`multi::two_violations`).
    pub id: String,
    /// What it exercises.
    pub kind: CaseRowKind,
    /// Top-level members set over the base request; strings may hold `{name}`, `{role}`, `{zip}`,
    /// `{region}`, `{account}`, `{repeat:C:N}` (N copies of C) and `{zip_of:N}` (a zip of at least N bytes).
    pub set: serde_json::Value,
    /// For violations: the table rows (`Timeout max`) the request breaks, all of them and nothing else.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breaks: Vec<String>,
    /// The member the case is about (for reports), when one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Where the expectation comes from; `assumed` cases are judged as assumptions.
    pub source: Source,
    /// The exchange or documentation that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// Message templates: how AWS words each kind of violation.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    /// One validation error: `1 validation error detected: {errors}`.
    pub validation_one: String,
    /// Several: `{count} validation errors detected: {errors}`.
    pub validation_many: String,
    /// Between two errors: `; `.
    pub separator: String,
    /// One violation: `Value '{value}' at '{path}' failed to satisfy constraint: {constraint}`.
    pub violation: String,
    /// A missing member: `Value null at '{path}' …`.
    pub violation_null: String,
    /// A sensitive member, whose value is not echoed.
    pub violation_sensitive: String,
    /// A list item's constraints: `Member must satisfy constraint: [{constraints}]`.
    pub list_item: String,
    /// A map key's constraints.
    pub map_key: String,
    /// A map value's constraints.
    pub map_value: String,
    /// Appended after an enum constraint inside a list item (`Member must not be null`).
    pub enum_item_suffix: String,
    /// The text of each constraint kind (`Member must have length less than or equal to {max}`).
    pub constraint: BTreeMap<String, String>,
    /// Where these wordings come from.
    pub source: Source,
    /// The recorded exchanges that show them.
    pub evidence: String,
}

/// A named list of values (supported runtimes, …) that rules refer to as `@name`.
#[derive(Debug, Clone, Serialize)]
pub struct NamedList {
    /// The values, in source order.
    pub values: Vec<String>,
    /// Where it comes from.
    pub source: Source,
    /// The recorded exchange that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// Where the table came from.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSource {
    /// `botocore`.
    pub kind: String,
    /// The botocore version.
    pub botocore_version: String,
    /// The model file inside the package.
    pub model_file: String,
    /// sha256 of the uncompressed model JSON.
    pub model_sha256: String,
    /// The operation.
    pub operation: String,
    /// HTTP method.
    pub method: String,
    /// Request URI.
    pub uri: String,
    /// Status of a success.
    pub success_status: u16,
}

/// The merged table of one profile.
#[derive(Debug, Clone, Serialize)]
pub struct Spec {
    /// The profile name (`aws-2026`).
    pub profile: String,
    /// One line saying what the profile is.
    pub title: String,
    /// Where the model part came from.
    pub source: ModelSource,
    /// The files the table was read from.
    pub files: Vec<String>,
    /// Request members, parents before children.
    pub members: Vec<Member>,
    /// Response members (FunctionConfiguration).
    pub response: Vec<Member>,
    /// Checks of a successful answer.
    pub response_rules: Vec<ResponseRule>,
    /// Errors the endpoint may answer with: the model's and the overlay's.
    pub errors: Vec<ErrorShape>,
    /// Message wordings.
    pub messages: Messages,
    /// Named value lists.
    pub lists: BTreeMap<String, NamedList>,
    /// The answer to a request whose body is not the operation's input at all.
    pub wire_errors: BTreeMap<String, ErrorSpec>,
    /// The answer to a create with a name that exists.
    pub conflict: ErrorSpec,
    /// The smallest valid request, with `{name}`, `{role}` and `{zip}` to fill in.
    pub base_request: serde_json::Value,
    /// Headers every answer carries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderRule>,
    /// Case classes the table spells out (several violations at once, special valid values).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<CaseRow>,
}

impl Spec {
    /// The request member at this path.
    pub fn member(&self, path: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.path == path)
    }

    /// The response member at this path.
    pub fn response_member(&self, path: &str) -> Option<&Member> {
        self.response.iter().find(|m| m.path == path)
    }

    /// Number of request paths that carry at least one constraint from the model.
    pub fn model_constrained_paths(&self) -> usize {
        self.members
            .iter()
            .filter(|m| {
                m.constraints
                    .iter()
                    .any(|c| c.source == Source::Model && c.kind != Kind::Required)
            })
            .count()
    }
}

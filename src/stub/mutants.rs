//! Deliberately broken variants of the stub, to test the tester: each one breaks exactly one behaviour,
//! and the conformance run against it must fail exactly the trials that look at that behaviour.
//!
//! A mutant is not a second stub. [`StubCore`](super::StubCore) matches on it at the one point where the
//! faithful behaviour is decided (the validating table, the error wire format, a default, a rule).

use std::fmt;
use std::str::FromStr;

use super::config;
use crate::spec::message::violation_template;
use crate::spec::{Condition, Kind, Spec};

/// One deliberately broken behaviour. `--mutant NAME` takes [`Mutant::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mutant {
    /// MemorySize's maximum is not checked: `MemorySize: 10241` creates the function (201).
    AcceptsMemoryAboveMax,
    /// Timeout's maximum is 899 instead of 900: `Timeout: 900` is refused, with `… less than or equal to 899`.
    StrictTimeout,
    /// Model-validation errors answer 422 instead of 400 (type and text unchanged).
    ValidationStatus422,
    /// A too-long Description answers InvalidParameterValueException instead of ValidationException
    /// (with that type's body, `{"Type":"User","message":…}`).
    DescriptionWrongErrorType,
    /// Errors carry no `x-amzn-errortype` header; the type is only in the body's `__type` member.
    NoErrorTypeHeader,
    /// Errors carry the type nowhere: no `x-amzn-errortype` header and no `__type`; the body is unchanged.
    BodyOnlyNoType,
    /// The 201 answer has no `RevisionId`.
    MissingRevisionId,
    /// The MemorySize default is 256 instead of 128.
    WrongDefaultMemory,
    /// The 201 answer says `State: "Active"` instead of `"Pending"` (StateReason and StateReasonCode unchanged).
    StateActiveOnCreate,
    /// The 201 answer is sent with `Content-Type: text/html` (the body is still the JSON).
    HtmlContentType,
    /// `CodeSha256` is the hex digest instead of base64.
    HexCodeSha256,
    /// `FunctionArn` is qualified: `…:function:NAME:$LATEST`.
    QualifiedFunctionArn,
    /// The Timeout-too-large message says `less than or equal to 901`; the bound checked is still 900.
    TimeoutMessageTypo,
    /// `Environment` comes back even when none was sent (`{"Variables":{}}`).
    EnvironmentAlwaysEchoed,
    /// A create with a name that exists answers 201 (and replaces the function) instead of 409.
    NoConflict,
    /// DeleteFunction answers 204 but the function stays (GetFunction still finds it, a re-create conflicts).
    DeleteKeeps,
    /// GetFunction and GetFunctionConfiguration show MemorySize + 1.
    ReadbackDisagrees,
    /// Every 3rd CreateFunction answers 429 TooManyRequestsException with `Retry-After: 1`, unprocessed.
    Throttle,
    /// CreateFunction never answers: the reply is held for [`HANG`](super::HANG), longer than any client timeout.
    Hang,
    /// A bare function name of 65 characters or more is accepted (the 64-character limit is not checked).
    NoBareNameLimit,
    /// ListFunctions leaves out functions that are still Pending.
    ListOmitsPending,
    /// GetFunctionConfiguration is held like [`Mutant::Hang`]: the read-back gets no answer, which
    /// the harness reports as a harness error, never as a divergence.
    HangReads,
    /// A request breaking several model constraints is answered with the first one only
    /// (`1 validation error detected: …`) instead of all of them (`N validation errors detected: …; …`).
    FirstViolationOnly,
    /// No answer carries `x-amzn-RequestId` (success, error, delete).
    NoRequestId,
    /// InvalidParameterValueException bodies carry the text in `Message` instead of `message`.
    CapitalMessage,
    /// A FunctionName sent as a full or partial ARN comes back in `FunctionName` as sent, not bare.
    ArnNameEchoed,
    /// The create answer carries the `Tags` sent (FunctionConfiguration has no Tags).
    TagsInConfiguration,
    /// The environment limit is checked as 4095 bytes: exactly 4096 bytes is refused with the 4 KB error.
    EnvLimitOffByOne,
    /// A CreateFunction body over 1 MiB is answered 413 (a server's default body cap), far below AWS's limits.
    BodyLimit1Mb,
    /// The create answer's Description has every non-ASCII character replaced by `?`.
    AsciiDescription,
    /// Log levels are accepted with the Text log format (cfn-lint E3696's rule is not checked).
    LogLevelWithText,
    /// Layer ARNs of another region are accepted (aws-observed/049's rule is not checked).
    LayersAnyRegion,
    /// Reserved environment variable keys (`AWS_REGION`, …) are accepted.
    ReservedEnvKeys,
}

impl Mutant {
    /// Every mutant, in declaration order.
    pub fn all() -> Vec<Mutant> {
        use Mutant::*;
        vec![
            AcceptsMemoryAboveMax,
            StrictTimeout,
            ValidationStatus422,
            DescriptionWrongErrorType,
            NoErrorTypeHeader,
            BodyOnlyNoType,
            MissingRevisionId,
            WrongDefaultMemory,
            StateActiveOnCreate,
            HtmlContentType,
            HexCodeSha256,
            QualifiedFunctionArn,
            TimeoutMessageTypo,
            EnvironmentAlwaysEchoed,
            NoConflict,
            DeleteKeeps,
            ReadbackDisagrees,
            Throttle,
            Hang,
            NoBareNameLimit,
            ListOmitsPending,
            HangReads,
            FirstViolationOnly,
            NoRequestId,
            CapitalMessage,
            ArnNameEchoed,
            TagsInConfiguration,
            EnvLimitOffByOne,
            BodyLimit1Mb,
            AsciiDescription,
            LogLevelWithText,
            LayersAnyRegion,
            ReservedEnvKeys,
        ]
    }

    /// The kebab-case name used by `--mutant NAME`.
    pub fn name(&self) -> &'static str {
        match self {
            Mutant::AcceptsMemoryAboveMax => "accepts-memory-above-max",
            Mutant::StrictTimeout => "strict-timeout",
            Mutant::ValidationStatus422 => "validation-status-422",
            Mutant::DescriptionWrongErrorType => "description-wrong-error-type",
            Mutant::NoErrorTypeHeader => "no-error-type-header",
            Mutant::BodyOnlyNoType => "body-only-no-type",
            Mutant::MissingRevisionId => "missing-revision-id",
            Mutant::WrongDefaultMemory => "wrong-default-memory",
            Mutant::StateActiveOnCreate => "state-active-on-create",
            Mutant::HtmlContentType => "html-content-type",
            Mutant::HexCodeSha256 => "hex-code-sha256",
            Mutant::QualifiedFunctionArn => "qualified-function-arn",
            Mutant::TimeoutMessageTypo => "timeout-message-typo",
            Mutant::EnvironmentAlwaysEchoed => "environment-always-echoed",
            Mutant::NoConflict => "no-conflict",
            Mutant::DeleteKeeps => "delete-keeps",
            Mutant::ReadbackDisagrees => "readback-disagrees",
            Mutant::Throttle => "throttle",
            Mutant::Hang => "hang",
            Mutant::NoBareNameLimit => "no-bare-name-limit",
            Mutant::ListOmitsPending => "list-omits-pending",
            Mutant::HangReads => "hang-reads",
            Mutant::FirstViolationOnly => "first-violation-only",
            Mutant::NoRequestId => "no-request-id",
            Mutant::CapitalMessage => "capital-message",
            Mutant::ArnNameEchoed => "arn-name-echoed",
            Mutant::TagsInConfiguration => "tags-in-configuration",
            Mutant::EnvLimitOffByOne => "env-limit-off-by-one",
            Mutant::BodyLimit1Mb => "body-limit-1mb",
            Mutant::AsciiDescription => "ascii-description",
            Mutant::LogLevelWithText => "log-level-with-text",
            Mutant::LayersAnyRegion => "layers-any-region",
            Mutant::ReservedEnvKeys => "reserved-env-keys",
        }
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--mutant` value that names no mutant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mutant `{given}` (known: {known})")]
pub struct UnknownMutant {
    /// What was given.
    pub given: String,
    /// The known names, comma-separated.
    pub known: String,
}

impl FromStr for Mutant {
    type Err = UnknownMutant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mutant::all()
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| UnknownMutant {
                given: s.to_string(),
                known: Mutant::all()
                    .iter()
                    .map(|m| m.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// The table the stub checks requests against: the loaded one, with the one check a mutant breaks.
pub(super) fn checks(spec: &Spec, mutant: Option<Mutant>) -> Spec {
    let mut s = spec.clone();
    let messages = s.messages.clone();
    let name_path = config::name_path(spec).to_string();
    for member in &mut s.members {
        let plain = member.clone();
        match (mutant, member.path.as_str()) {
            (Some(Mutant::AcceptsMemoryAboveMax), "MemorySize") => {
                member
                    .constraints
                    .retain(|c| !matches!(c.kind, Kind::Max { .. }));
            }
            (Some(Mutant::StrictTimeout), "Timeout") => {
                for c in &mut member.constraints {
                    if let Kind::Max { max } = c.kind {
                        c.kind = Kind::Max { max: max - 1.0 };
                        c.error.message = violation_template(&messages, &plain, &c.kind, &[]);
                    }
                }
            }
            (Some(Mutant::TimeoutMessageTypo), "Timeout") => {
                for c in &mut member.constraints {
                    if let Kind::Max { max } = c.kind {
                        let typo = Kind::Max { max: max + 1.0 };
                        c.error.message = violation_template(&messages, &plain, &typo, &[]);
                    }
                }
            }
            (Some(Mutant::DescriptionWrongErrorType), "Description") => {
                for c in &mut member.constraints {
                    if matches!(c.kind, Kind::MaxLength { .. }) {
                        c.error.error_type = "InvalidParameterValueException".into();
                    }
                }
            }
            (Some(Mutant::EnvLimitOffByOne), _) => {
                for c in &mut member.constraints {
                    if let Kind::MaxJsonBytes { max } = c.kind {
                        c.kind = Kind::MaxJsonBytes { max: max - 1 };
                    }
                }
            }
            (Some(Mutant::LogLevelWithText), p) if p.starts_with("LoggingConfig.") => {
                member
                    .constraints
                    .retain(|c| !c.id.starts_with("not_allowed_"));
            }
            (Some(Mutant::LayersAnyRegion), "Layers[]") => {
                member.constraints.retain(|c| c.id != "other_region");
            }
            (Some(Mutant::ReservedEnvKeys), "Environment.Variables{key}") => {
                member.constraints.retain(|c| c.id != "reserved");
            }
            (Some(Mutant::NoBareNameLimit), p) if p == name_path => {
                member.constraints.retain(|c| {
                    !(matches!(c.kind, Kind::MaxLength { .. })
                        && c.when == Some(Condition::BareName))
                });
            }
            _ => {}
        }
    }
    s
}

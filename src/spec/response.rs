//! What an answer must carry beyond the response model: the checks of a successful answer, the
//! request conditions they (and cross-member rules) depend on, the errors an endpoint may answer
//! with, and the headers every answer carries.

use serde::Serialize;

use super::model::Source;

/// One check of a successful answer, beyond the response model's own constraints.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseRule {
    /// The response member it checks.
    pub path: String,
    /// What it checks.
    pub check: ResponseCheck,
    /// Only under this request condition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<RequestCondition>,
    /// Where it comes from.
    pub source: Source,
    /// The recorded exchange that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// A condition on the request that a response rule depends on.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RequestCondition {
    /// The request member that decides.
    pub member: String,
    /// It is present with this value; absent means the member is not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    /// True: the member must be sent; false: must not be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    /// The member is absent or has another value than this (`LogFormat` not `JSON`: absent means Text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<serde_json::Value>,
}

impl RequestCondition {
    /// Whether the condition holds for this request.
    pub fn holds(&self, request: &serde_json::Value) -> bool {
        // Borrowed: the member can be a megabytes-long zip.
        let v = super::path::reach_ref(request, &self.member)
            .into_iter()
            .next();
        let v = v.as_deref();
        if let Some(present) = self.present {
            if v.is_some() != present {
                return false;
            }
        }
        if let Some(other) = &self.not_equals {
            if v == Some(other) {
                return false;
            }
        }
        match (&self.equals, v) {
            (None, _) => true,
            (Some(want), Some(got)) => want == got,
            (Some(_), None) => false,
        }
    }

    /// The condition in one line (`CapacityProviderConfig absent`, `LoggingConfig.LogFormat ≠ "JSON"`).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.present {
            Some(true) => parts.push(format!("{} present", self.member)),
            Some(false) => parts.push(format!("{} absent", self.member)),
            None => {}
        }
        if let Some(v) = &self.equals {
            parts.push(format!("{} = {v}", self.member));
        }
        if let Some(v) = &self.not_equals {
            parts.push(format!("{} ≠ {v}", self.member));
        }
        parts.join(" and ")
    }
}

/// The checks the oracle knows how to make on a successful answer.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "check", rename_all = "snake_case", deny_unknown_fields)]
pub enum ResponseCheck {
    /// The member equals this value (`{name}` in strings is the function name).
    Equals {
        /// The value.
        value: serde_json::Value,
    },
    /// The member is present.
    Present,
    /// The member is absent.
    Absent,
    /// The member equals base64(sha256(the zip sent)).
    CodeSha256,
    /// The member equals the zip's size in bytes.
    CodeSize,
    /// The unqualified ARN of the function: pattern, name at the end, the request's region and account.
    FunctionArn,
    /// The bare function name the request named (by name or ARN).
    FunctionName,
    /// A timestamp in AWS's `2019-08-14T22:26:11.234+0000` form.
    Timestamp,
    /// Every member the request sent under this path comes back with the same value (the answer may add members).
    Echo,
}

/// An error the endpoint may answer with.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorShape {
    /// The error type.
    #[serde(rename = "type")]
    pub error_type: String,
    /// HTTP status.
    pub status: u16,
    /// `client` or `server`.
    pub fault: String,
    /// Body members.
    pub members: Vec<String>,
    /// Where it comes from (`model` for modeled errors).
    pub source: Source,
    /// The recorded exchange that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Where the body member names come from, when not from the same place as the error itself
    /// (an error type can be recorded while its body was not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_source: Option<Source>,
}

impl ErrorShape {
    /// Where the body member names come from.
    pub fn members_basis(&self) -> Source {
        self.members_source.unwrap_or(self.source)
    }
}

/// A header every answer carries (success and error).
#[derive(Debug, Clone, Serialize)]
pub struct HeaderRule {
    /// The header name (compared case-insensitively).
    pub name: String,
    /// Where it comes from.
    pub source: Source,
    /// The exchange or documentation that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

//! The rows of `model.toml` and `overlay.toml` as serde reads them (unknown keys refused).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::model::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ModelFile {
    pub(super) source: ModelSource,
    #[serde(default)]
    pub(super) member: Vec<Spanned<MemberRow>>,
    #[serde(default)]
    pub(super) response: Vec<Spanned<MemberRow>>,
    #[serde(default)]
    pub(super) error: Vec<Spanned<ErrorRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MemberRow {
    pub(super) path: String,
    pub(super) shape: String,
    #[serde(rename = "type")]
    pub(super) ty: MemberType,
    #[serde(default)]
    pub(super) required: bool,
    #[serde(default)]
    pub(super) sensitive: bool,
    pub(super) min_length: Option<u64>,
    pub(super) max_length: Option<u64>,
    pub(super) min: Option<f64>,
    pub(super) max: Option<f64>,
    pub(super) min_items: Option<u64>,
    pub(super) max_items: Option<u64>,
    pub(super) pattern: Option<String>,
    #[serde(rename = "enum")]
    pub(super) values: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ErrorRow {
    #[serde(rename = "type")]
    pub(super) error_type: String,
    pub(super) status: u16,
    pub(super) fault: String,
    #[serde(default)]
    pub(super) members: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OverlayFile {
    pub(super) profile: ProfileRow,
    pub(super) base_request: BaseRequestRow,
    pub(super) messages: Messages,
    pub(super) validation_error: AnswerRow,
    pub(super) conflict: AnswerRow,
    #[serde(default)]
    pub(super) wire: BTreeMap<String, AnswerRow>,
    #[serde(default)]
    pub(super) lists: BTreeMap<String, ListRow>,
    #[serde(default)]
    pub(super) rule: Vec<Spanned<RuleRow>>,
    #[serde(default)]
    pub(super) default: Vec<Spanned<DefaultRow>>,
    #[serde(default)]
    pub(super) response_rule: Vec<Spanned<ResponseRuleRow>>,
    #[serde(default)]
    pub(super) error: Vec<Spanned<ExtraErrorRow>>,
    #[serde(default)]
    pub(super) resource: Vec<Spanned<ResourceRow>>,
    #[serde(default)]
    pub(super) response_header: Vec<Spanned<HeaderRow>>,
    #[serde(default)]
    pub(super) case: Vec<Spanned<CaseRowRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HeaderRow {
    pub(super) name: String,
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CaseRowRow {
    pub(super) id: String,
    pub(super) kind: CaseRowKind,
    pub(super) set: toml::Table,
    #[serde(default)]
    pub(super) breaks: Vec<String>,
    pub(super) member: Option<String>,
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
    pub(super) note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BaseRequestRow {
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
    pub(super) body: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ProfileRow {
    pub(super) name: String,
    pub(super) title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswerRow {
    pub(super) status: u16,
    #[serde(rename = "type")]
    pub(super) error_type: String,
    #[serde(default)]
    pub(super) message: String,
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
}

impl AnswerRow {
    pub(super) fn into_spec(self) -> ErrorSpec {
        ErrorSpec {
            status: self.status,
            error_type: self.error_type,
            message: self.message,
            source: self.source,
            message_source: self.source,
            evidence: self.evidence,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListRow {
    pub(super) values: Vec<String>,
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ErrorOverride {
    pub(super) status: Option<u16>,
    #[serde(rename = "type")]
    pub(super) error_type: Option<String>,
    pub(super) message: Option<String>,
    pub(super) source: Option<Source>,
    pub(super) evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleRow {
    pub(super) path: String,
    pub(super) kind: String,
    #[serde(default)]
    pub(super) replace: bool,
    pub(super) id: Option<String>,
    pub(super) when: Option<Condition>,
    pub(super) when_request: Option<RequestCondition>,
    pub(super) family: Option<Family>,
    pub(super) order: Option<i32>,
    pub(super) min: Option<f64>,
    pub(super) max: Option<f64>,
    pub(super) step: Option<i64>,
    pub(super) pattern: Option<String>,
    pub(super) values: Option<Vec<String>>,
    pub(super) list: Option<String>,
    pub(super) error: Option<ErrorOverride>,
    pub(super) source: Source,
    /// Where the error's wording comes from, when not from `source` (a documented rule whose text
    /// nobody recorded); defaults to the error's source.
    pub(super) message_source: Option<Source>,
    pub(super) evidence: Option<String>,
    pub(super) note: Option<String>,
}

/// A generated file of further rules (`cfn-lint.toml`): rules only, merged between the model and the
/// overlay (the overlay annotates them with the answer AWS gives).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RulesFile {
    pub(super) source: RulesSource,
    #[serde(default)]
    pub(super) rule: Vec<Spanned<RuleRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RulesSource {
    pub(super) kind: String,
    pub(super) version: String,
    pub(super) directory: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DefaultRow {
    pub(super) path: String,
    pub(super) value: toml::Value,
    pub(super) when: Option<Condition>,
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
}

/// Unknown keys land in `check` and are refused there (serde cannot deny them next to a flatten).
#[derive(Deserialize)]
pub(super) struct ResponseRuleRow {
    pub(super) path: String,
    #[serde(flatten)]
    pub(super) check: toml::Table,
    pub(super) when: Option<RequestCondition>,
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExtraErrorRow {
    #[serde(rename = "type")]
    pub(super) error_type: String,
    pub(super) status: u16,
    pub(super) fault: String,
    #[serde(default)]
    pub(super) members: Vec<String>,
    pub(super) source: Source,
    pub(super) evidence: Option<String>,
    pub(super) members_source: Option<Source>,
    pub(super) members_evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ResourceRow {
    pub(super) path: String,
    pub(super) needs: String,
    pub(super) source: Source,
}

//! The model's member rows made into members: each model constraint (required, lengths, range,
//! item counts, pattern, enum) becomes a constraint with the validation error AWS answers for it,
//! derived from the recorded validation answer.

use super::message;
use super::model::*;
use super::place::{compile, Place};
use super::rows::*;
use super::SpecError;

/// One `[[member]]` row of the model as a member; `earlier` are the members before it (a message
/// template may name them).
pub(super) fn model_member(
    place: &Place<'_>,
    span: std::ops::Range<usize>,
    row: &MemberRow,
    messages: &Messages,
    validation: &AnswerRow,
    earlier: &[Member],
) -> Result<Member, SpecError> {
    let mut kinds = Vec::new();
    if row.required {
        kinds.push(Kind::Required);
    }
    if let Some(min) = row.min_length {
        kinds.push(Kind::MinLength { min });
    }
    if let Some(max) = row.max_length {
        kinds.push(Kind::MaxLength { max });
    }
    if let Some(min) = row.min {
        kinds.push(Kind::Min { min });
    }
    if let Some(max) = row.max {
        kinds.push(Kind::Max { max });
    }
    if let Some(min) = row.min_items {
        kinds.push(Kind::MinItems { min });
    }
    if let Some(max) = row.max_items {
        kinds.push(Kind::MaxItems { max });
    }
    if let Some(p) = &row.pattern {
        kinds.push(Kind::Pattern { pattern: p.clone() });
    }
    if let Some(v) = &row.values {
        kinds.push(Kind::Enum { values: v.clone() });
    }
    let mut member = Member {
        path: row.path.clone(),
        shape: row.shape.clone(),
        ty: row.ty,
        required: row.required,
        sensitive: row.sensitive,
        default: None,
        needs_resource: None,
        constraints: Vec::new(),
        walk: Walk::of(&row.path),
    };
    for kind in kinds {
        let compiled = compile(place, span.clone(), &kind)?;
        let error = ErrorSpec {
            status: validation.status,
            error_type: validation.error_type.clone(),
            message: message::violation_template(messages, &member, &kind, earlier),
            // Nobody recorded this member broken, but AWS's front-end validation answers every
            // model constraint alike: the answer is derived from the recorded mechanism. The
            // wording of sensitive members and of map keys and values was never recorded.
            source: Source::Model,
            message_source: if member.sensitive
                || member.path.contains("{key}")
                || member.path.contains("{value}")
            {
                Source::Assumed
            } else {
                Source::Model
            },
            evidence: Some(format!(
                "derived: {}; {}",
                validation
                    .evidence
                    .as_deref()
                    .unwrap_or("the validation answer"),
                messages.evidence
            )),
        };
        member.constraints.push(Constraint {
            id: kind.violation_name().to_string(),
            kind,
            when: None,
            when_request: None,
            family: Family::Validation,
            order: 0,
            error,
            source: Source::Model,
            evidence: None,
            note: None,
            replaces: None,
            compiled,
        });
    }
    Ok(member)
}

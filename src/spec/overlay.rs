//! Applying the overlay's rules to the model's members: annotate, replace or add a constraint.

use std::collections::BTreeMap;

use super::message;
use super::model::*;
use super::place::{compile, Place};
use super::rows::*;
use super::SpecError;

pub(super) fn rule_kind(
    place: &Place<'_>,
    span: std::ops::Range<usize>,
    r: &RuleRow,
    lists: &BTreeMap<String, NamedList>,
) -> Result<Kind, SpecError> {
    let need_u = |v: Option<f64>, key: &str| -> Result<u64, SpecError> {
        match v {
            Some(x) if x >= 0.0 && x.fract() == 0.0 => Ok(x as u64),
            Some(_) => place.err(
                span.clone(),
                key,
                format!("`{key}` must be a whole number ≥ 0"),
            ),
            None => place.err(
                span.clone(),
                key,
                format!("kind `{}` needs `{key}`", r.kind),
            ),
        }
    };
    let need_f = |v: Option<f64>, key: &str| -> Result<f64, SpecError> {
        v.map_or_else(
            || {
                place.err(
                    span.clone(),
                    key,
                    format!("kind `{}` needs `{key}`", r.kind),
                )
            },
            Ok,
        )
    };
    let values = || -> Result<Vec<String>, SpecError> {
        match (&r.values, &r.list) {
            (Some(v), None) => Ok(v.clone()),
            (None, Some(name)) => match lists.get(name) {
                Some(l) => Ok(l.values.clone()),
                None => place.err(
                    span.clone(),
                    "list",
                    format!("no list named `{name}` in [lists]"),
                ),
            },
            _ => place.err(
                span.clone(),
                "values",
                format!("kind `{}` needs exactly one of `values` or `list`", r.kind),
            ),
        }
    };
    Ok(match r.kind.as_str() {
        "required" => Kind::Required,
        "min_length" => Kind::MinLength {
            min: need_u(r.min, "min")?,
        },
        "max_length" => Kind::MaxLength {
            max: need_u(r.max, "max")?,
        },
        "min" => Kind::Min {
            min: need_f(r.min, "min")?,
        },
        "max" => Kind::Max {
            max: need_f(r.max, "max")?,
        },
        "min_items" => Kind::MinItems {
            min: need_u(r.min, "min")?,
        },
        "max_items" => Kind::MaxItems {
            max: need_u(r.max, "max")?,
        },
        "pattern" => match &r.pattern {
            Some(p) => Kind::Pattern { pattern: p.clone() },
            None => return place.err(span, "pattern", "kind `pattern` needs `pattern`"),
        },
        "enum" => Kind::Enum { values: values()? },
        "not_in" => Kind::NotIn { values: values()? },
        "multiple_of" => match r.step {
            Some(step) if step > 0 => Kind::MultipleOf { step },
            _ => return place.err(span, "step", "kind `multiple_of` needs `step` > 0"),
        },
        "max_json_bytes" => Kind::MaxJsonBytes {
            max: need_u(r.max, "max")?,
        },
        "zip" => Kind::Zip,
        "non_empty_zip" => Kind::NonEmptyZip,
        "max_decoded_bytes" => Kind::MaxDecodedBytes {
            max: need_u(r.max, "max")?,
        },
        "max_request_bytes" => Kind::MaxRequestBytes {
            max: need_u(r.max, "max")?,
        },
        "arn_region" => Kind::ArnRegion,
        "arn_account" => Kind::ArnAccount,
        "absent" => Kind::Absent,
        "not_pattern" => match &r.pattern {
            Some(p) => Kind::NotPattern { pattern: p.clone() },
            None => return place.err(span, "pattern", "kind `not_pattern` needs `pattern`"),
        },
        other => return place.err(span, "kind", format!("unknown constraint kind `{other}`")),
    })
}

pub(super) fn has_bound(r: &RuleRow) -> bool {
    r.min.is_some()
        || r.max.is_some()
        || r.step.is_some()
        || r.pattern.is_some()
        || r.values.is_some()
        || r.list.is_some()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn apply_rule(
    place: &Place<'_>,
    span: std::ops::Range<usize>,
    r: &RuleRow,
    members: &mut [Member],
    lists: &BTreeMap<String, NamedList>,
    messages: &Messages,
    validation: &AnswerRow,
    need_message: bool,
) -> Result<(), SpecError> {
    let Some(idx) = members.iter().position(|m| m.path == r.path) else {
        return place.err(
            span,
            "rule.path",
            format!("constraint on a path the model lacks: `{}`", r.path),
        );
    };
    if r.observed_without_evidence() {
        return place.err(
            span,
            "rule.evidence",
            "an observed row must name its evidence",
        );
    }
    let earlier: Vec<Member> = members[..idx].to_vec();
    let member = &mut members[idx];
    let existing = member.constraints.iter().position(|c| {
        c.kind.name() == r.kind && c.when == r.when && c.when_request == r.when_request
    });
    let kind = match existing {
        Some(i) if !has_bound(r) => member.constraints[i].kind.clone(),
        _ => rule_kind(place, span.clone(), r, lists)?,
    };
    let compiled = compile(place, span.clone(), &kind)?;

    let family = r.family.unwrap_or(match kind {
        Kind::MaxDecodedBytes { .. } | Kind::MaxRequestBytes { .. } => Family::Size,
        Kind::Required
        | Kind::MinLength { .. }
        | Kind::MaxLength { .. }
        | Kind::Min { .. }
        | Kind::Max { .. }
        | Kind::MinItems { .. }
        | Kind::MaxItems { .. }
        | Kind::Pattern { .. }
        | Kind::Enum { .. } => Family::Validation,
        _ => Family::Service,
    });
    let default_message = if family == Family::Validation {
        message::violation_template(messages, member, &kind, &earlier)
    } else {
        String::new()
    };
    let base_error = match existing {
        Some(i) if !r.replace || !has_bound(r) => member.constraints[i].error.clone(),
        _ => ErrorSpec {
            status: validation.status,
            error_type: validation.error_type.clone(),
            message: default_message.clone(),
            source: Source::Assumed,
            message_source: Source::Assumed,
            evidence: None,
        },
    };
    let mut error = base_error;
    if r.replace && has_bound(r) && family == Family::Validation {
        error.message = default_message;
    }
    if let Some(o) = &r.error {
        if let Some(s) = o.status {
            error.status = s;
        }
        if let Some(t) = &o.error_type {
            error.error_type = t.clone();
        }
        if let Some(m) = &o.message {
            error.message = m.clone();
        }
        error.source = o.source.unwrap_or(r.source);
        error.evidence = o.evidence.clone().or_else(|| r.evidence.clone());
    } else {
        error.source = r.source;
        error.evidence = r.evidence.clone();
    }
    error.message_source = r.message_source.unwrap_or(error.source);
    if error.message_source < error.source {
        return place.err(
            span,
            "rule.message_source",
            "`message_source` cannot claim more than the error's own source",
        );
    }
    let explicit_message = r.error.as_ref().is_some_and(|o| o.message.is_some());
    if need_message && error.message.is_empty() && !explicit_message {
        return place.err(
            span,
            "rule.error.message",
            format!("a {family:?} rule needs `error.message`").to_lowercase(),
        );
    }
    if error.source == Source::Observed && error.evidence.is_none() {
        return place.err(
            span,
            "rule.error.evidence",
            "an observed error must name its evidence",
        );
    }

    match existing {
        Some(i) if has_bound(r) || r.replace => {
            if !r.replace {
                return place.err(
                    span,
                    "rule.replace",
                    format!(
                        "`{}` already has a model `{}` constraint; say `replace = true` to change its bound",
                        r.path, r.kind
                    ),
                );
            }
            let old = std::mem::replace(&mut member.constraints[i].kind, kind);
            let c = &mut member.constraints[i];
            c.replaces = Some(old);
            c.compiled = compiled;
            c.error = error;
            c.source = r.source;
            c.evidence = r.evidence.clone();
            c.note = r.note.clone();
            c.family = family;
            if let Some(id) = &r.id {
                c.id = id.clone();
            }
            if let Some(o) = r.order {
                c.order = o;
            }
        }
        Some(i) => {
            let c = &mut member.constraints[i];
            c.error = error;
            c.note = r.note.clone().or(c.note.take());
            c.family = r.family.unwrap_or(c.family);
            if let Some(id) = &r.id {
                c.id = id.clone();
            }
            if let Some(o) = r.order {
                c.order = o;
            }
        }
        None => {
            if r.replace {
                return place.err(
                    span,
                    "rule.replace",
                    format!(
                        "`{}` has no model `{}` constraint to replace",
                        r.path, r.kind
                    ),
                );
            }
            let id =
                r.id.clone()
                    .unwrap_or_else(|| kind.violation_name().to_string());
            if member.constraints.iter().any(|c| c.id == id) {
                return place.err(span, "rule.id", format!("case id suffix `{id}` is already used on `{}`; give this rule its own `id`", r.path));
            }
            member.constraints.push(Constraint {
                id,
                kind,
                when: r.when,
                when_request: r.when_request.clone(),
                family,
                order: r.order.unwrap_or(0),
                error,
                source: r.source,
                evidence: r.evidence.clone(),
                note: r.note.clone(),
                replaces: None,
                compiled,
            });
        }
    }
    Ok(())
}

impl RuleRow {
    fn observed_without_evidence(&self) -> bool {
        self.source == Source::Observed && self.evidence.is_none()
    }
}

pub(super) fn check_bounds(place: &Place<'_>, m: &Member) -> Result<(), SpecError> {
    let get = |name: &str| {
        m.constraints.iter().find_map(|c| match (&c.kind, name) {
            (Kind::MinLength { min }, "length") if c.when.is_none() => Some((*min as f64, true)),
            (Kind::MaxLength { max }, "length") if c.when.is_none() => Some((*max as f64, false)),
            (Kind::Min { min }, "value") => Some((*min, true)),
            (Kind::Max { max }, "value") => Some((*max, false)),
            (Kind::MinItems { min }, "items") => Some((*min as f64, true)),
            (Kind::MaxItems { max }, "items") => Some((*max as f64, false)),
            _ => None,
        })
    };
    for what in ["length", "value", "items"] {
        let min = m.constraints.iter().find_map(|c| match &c.kind {
            Kind::MinLength { min } if what == "length" && c.when.is_none() => Some(*min as f64),
            Kind::Min { min } if what == "value" => Some(*min),
            Kind::MinItems { min } if what == "items" => Some(*min as f64),
            _ => None,
        });
        let max = m.constraints.iter().find_map(|c| match &c.kind {
            Kind::MaxLength { max } if what == "length" && c.when.is_none() => Some(*max as f64),
            Kind::Max { max } if what == "value" => Some(*max),
            Kind::MaxItems { max } if what == "items" => Some(*max as f64),
            _ => None,
        });
        let _ = get(what);
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                let line = place
                    .text
                    .find(&format!("path = \"{}\"", m.path))
                    .map(|o| place.line(o))
                    .unwrap_or(0);
                return Err(SpecError::Invalid {
                    file: place.file.to_string(),
                    line,
                    key: format!("{what} bounds"),
                    message: format!("`{}`: min {lo} is greater than max {hi}", m.path),
                });
            }
        }
    }
    Ok(())
}

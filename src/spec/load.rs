//! Reading `model.toml` and `overlay.toml`, checking them, and merging them into a [`Spec`].
//!
//! Every problem is reported as one line naming the file, the line and the key.

use std::collections::{BTreeMap, BTreeSet};

use super::members::model_member;
use super::model::*;
use super::overlay::{apply_rule, check_bounds};
use super::place::Place;
use super::rows::*;
use super::SpecError;

/// Parses and merges one profile's files: the model, the optional generated rules file (cfn-lint's
/// rules, `(name, text)`), then the overlay. Names are used in error lines.
pub fn merge(
    model_name: &str,
    model_text: &str,
    rules: Option<(&str, &str)>,
    overlay_name: &str,
    overlay_text: &str,
) -> Result<Spec, SpecError> {
    let mp = Place {
        file: model_name,
        text: model_text,
    };
    let op = Place {
        file: overlay_name,
        text: overlay_text,
    };
    let model: ModelFile = mp.parse()?;
    let overlay: OverlayFile = op.parse()?;

    let validation = overlay.validation_error;
    let mut members = Vec::new();
    let mut seen = BTreeSet::new();
    for row in &model.member {
        let span = row.span();
        let row = row.get_ref();
        if !seen.insert(row.path.clone()) {
            return mp.err(
                span,
                "member.path",
                format!("duplicate row for path `{}`", row.path),
            );
        }
        members.push(model_member(
            &mp,
            span,
            row,
            &overlay.messages,
            &validation,
            &members,
        )?);
    }
    let mut response = Vec::new();
    let mut seen = BTreeSet::new();
    for row in &model.response {
        let span = row.span();
        let row = row.get_ref();
        if !seen.insert(row.path.clone()) {
            return mp.err(
                span,
                "response.path",
                format!("duplicate row for path `{}`", row.path),
            );
        }
        response.push(model_member(
            &mp,
            span,
            row,
            &overlay.messages,
            &validation,
            &response,
        )?);
    }

    let mut lists = BTreeMap::new();
    for (name, l) in overlay.lists {
        lists.insert(
            name,
            NamedList {
                values: l.values,
                source: l.source,
                evidence: l.evidence,
            },
        );
    }

    let mut files = vec![model_name.to_string()];
    let mut unanswered = Vec::new();
    if let Some((rules_name, rules_text)) = rules {
        let rp = Place {
            file: rules_name,
            text: rules_text,
        };
        let file: RulesFile = rp.parse()?;
        let _ = (
            &file.source.kind,
            &file.source.version,
            &file.source.directory,
        );
        apply_rows(
            &rp,
            &file.rule,
            &mut members,
            &lists,
            &overlay.messages,
            &validation,
            false,
        )?;
        files.push(rules_name.to_string());
        for m in &members {
            for c in &m.constraints {
                if c.error.message.is_empty() && c.family != Family::Validation {
                    unanswered.push((m.path.clone(), c.id.clone()));
                }
            }
        }
    }
    apply_rows(
        &op,
        &overlay.rule,
        &mut members,
        &lists,
        &overlay.messages,
        &validation,
        true,
    )?;
    files.push(overlay_name.to_string());
    // A generated rule the overlay did not give an answer to cannot be judged.
    for (path, id) in &unanswered {
        let still = members
            .iter()
            .filter(|m| &m.path == path)
            .flat_map(|m| &m.constraints)
            .any(|c| &c.id == id && c.error.message.is_empty());
        if still {
            let line = op.text.find("[[rule]]").map(|o| op.line(o)).unwrap_or(0);
            return Err(SpecError::Invalid {
                file: op.file.to_string(),
                line,
                key: "rule.error.message".into(),
                message: format!(
                    "`{path}` `{id}` (from {}) has no answer: add an overlay [[rule]] with its `error`",
                    files.get(1).map_or("the rules file", String::as_str)
                ),
            });
        }
    }

    for row in &overlay.default {
        let span = row.span();
        let d = row.get_ref();
        let Some(member) = response.iter_mut().find(|m| m.path == d.path) else {
            return op.err(
                span,
                "default.path",
                format!("the response model has no member `{}`", d.path),
            );
        };
        let value = serde_json::to_value(&d.value).map_err(|e| SpecError::Invalid {
            file: op.file.to_string(),
            line: op.line(span.start),
            key: "default.value".into(),
            message: e.to_string(),
        })?;
        if member.default.is_some() && d.when.is_none() {
            return op.err(
                span,
                "default",
                format!("duplicate default for `{}`", d.path),
            );
        }
        member.default = Some(DefaultValue {
            value,
            source: d.source,
            evidence: d.evidence.clone(),
            when: d.when,
        });
    }

    let mut response_rules = Vec::new();
    for row in &overlay.response_rule {
        let span = row.span();
        let r = row.get_ref();
        // Absence may be asserted of a member the response model does not have (Tags).
        let absent = r.check.get("check").and_then(toml::Value::as_str) == Some("absent");
        if !absent && !response.iter().any(|m| m.path == r.path) {
            return op.err(
                span,
                "response_rule.path",
                format!("the response model has no member `{}`", r.path),
            );
        }
        let check: ResponseCheck =
            toml::Value::Table(r.check.clone())
                .try_into()
                .map_err(|e: toml::de::Error| SpecError::Invalid {
                    file: op.file.to_string(),
                    line: op.line(span.start),
                    key: "response_rule.check".into(),
                    message: e.message().to_string(),
                })?;
        if let Some(cond) = &r.when {
            if !members.iter().any(|m| m.path == cond.member) {
                return op.err(
                    span,
                    "response_rule.when.member",
                    format!("the request model has no member `{}`", cond.member),
                );
            }
        }
        response_rules.push(ResponseRule {
            path: r.path.clone(),
            check,
            when: r.when.clone(),
            source: r.source,
            evidence: r.evidence.clone(),
        });
    }

    for row in &overlay.resource {
        let span = row.span();
        let r = row.get_ref();
        let Some(member) = members.iter_mut().find(|m| m.path == r.path) else {
            return op.err(
                span,
                "resource.path",
                format!("the request model has no member `{}`", r.path),
            );
        };
        let _ = r.source;
        member.needs_resource = Some(r.needs.clone());
    }

    let mut errors: Vec<ErrorShape> = model
        .error
        .iter()
        .map(|e| {
            let e = e.get_ref();
            ErrorShape {
                error_type: e.error_type.clone(),
                status: e.status,
                fault: e.fault.clone(),
                members: e.members.clone(),
                source: Source::Model,
                evidence: None,
                members_source: None,
            }
        })
        .collect();
    for row in &overlay.error {
        let span = row.span();
        let e = row.get_ref();
        if errors.iter().any(|x| x.error_type == e.error_type) {
            return op.err(
                span,
                "error.type",
                format!("error `{}` is already in the table", e.error_type),
            );
        }
        errors.push(ErrorShape {
            error_type: e.error_type.clone(),
            status: e.status,
            fault: e.fault.clone(),
            members: e.members.clone(),
            source: e.source,
            evidence: e.evidence.clone(),
            members_source: e.members_source,
        });
        let _ = &e.members_evidence;
    }

    let headers = overlay
        .response_header
        .iter()
        .map(|row| {
            let h = row.get_ref();
            HeaderRule {
                name: h.name.clone(),
                source: h.source,
                evidence: h.evidence.clone(),
            }
        })
        .collect();

    let mut cases = Vec::new();
    for row in &overlay.case {
        let span = row.span();
        let c = row.get_ref();
        if c.source != Source::Assumed && c.evidence.is_none() {
            return op.err(
                span,
                "case.evidence",
                "a case that is not assumed must name its evidence",
            );
        }
        if cases.iter().any(|x: &CaseRow| x.id == c.id) {
            return op.err(span, "case.id", format!("case `{}` is defined twice", c.id));
        }
        for k in c.set.keys() {
            if !members.iter().any(|m| m.path == *k) {
                return op.err(
                    span,
                    "case.set",
                    format!("the request model has no member `{k}`"),
                );
            }
        }
        for b in &c.breaks {
            let known = members.iter().any(|m| {
                m.constraints
                    .iter()
                    .any(|k| format!("{} {}", m.path, k.id) == *b)
            });
            if !known {
                return op.err(
                    span,
                    "case.breaks",
                    format!("no row `{b}` (write `PATH case-id`, e.g. `Timeout above_max`)"),
                );
            }
        }
        if (c.kind == CaseRowKind::Violation) == c.breaks.is_empty() {
            return op.err(
                span,
                "case.breaks",
                "a violation lists the rows it breaks; other kinds list none",
            );
        }
        let _ = &c.note;
        cases.push(CaseRow {
            id: c.id.clone(),
            kind: c.kind,
            set: serde_json::to_value(&c.set).map_err(|e| SpecError::Invalid {
                file: op.file.to_string(),
                line: op.line(span.start),
                key: "case.set".into(),
                message: e.to_string(),
            })?,
            breaks: c.breaks.clone(),
            member: c.member.clone(),
            source: c.source,
            evidence: c.evidence.clone(),
        });
    }

    for m in &members {
        check_bounds(&op, m)?;
    }

    let base_request =
        serde_json::to_value(&overlay.base_request.body).map_err(|e| SpecError::Invalid {
            file: op.file.to_string(),
            line: 0,
            key: "base_request".into(),
            message: e.to_string(),
        })?;
    let _ = (overlay.base_request.source, overlay.base_request.evidence);
    for m in &mut members {
        m.walk.names_function = super::validate::reach_steps(&base_request, &m.walk.steps)
            .first()
            .is_some_and(|v| v.as_str() == Some("{name}"));
    }
    let spec = Spec {
        base_request,
        profile: overlay.profile.name,
        title: overlay.profile.title,
        source: model.source,
        files,
        members,
        response,
        response_rules,
        errors,
        messages: overlay.messages,
        lists,
        wire_errors: overlay
            .wire
            .into_iter()
            .map(|(k, v)| (k, v.into_spec()))
            .collect(),
        conflict: overlay.conflict.into_spec(),
        headers,
        cases,
    };
    check_base_request(&op, &spec)?;
    Ok(spec)
}

#[allow(clippy::too_many_arguments)]
fn apply_rows(
    place: &Place<'_>,
    rows: &[toml::Spanned<RuleRow>],
    members: &mut [Member],
    lists: &BTreeMap<String, NamedList>,
    messages: &Messages,
    validation: &AnswerRow,
    need_message: bool,
) -> Result<(), SpecError> {
    let mut rule_keys = BTreeSet::new();
    for row in rows {
        let span = row.span();
        let rule = row.get_ref();
        let key = (
            rule.path.clone(),
            rule.kind.clone(),
            rule.when,
            rule.when_request.as_ref().map(RequestCondition::describe),
        );
        if !rule_keys.insert(key) {
            return place.err(
                span,
                "rule",
                format!(
                    "duplicate rule for path `{}` kind `{}`{}",
                    rule.path,
                    rule.kind,
                    rule.when
                        .map(|w| format!(" when `{}`", w.as_str()))
                        .unwrap_or_default()
                ),
            );
        }
        if let Some(cond) = &rule.when_request {
            if !members.iter().any(|m| m.path == cond.member) {
                return place.err(
                    span,
                    "rule.when_request.member",
                    format!("the request model has no member `{}`", cond.member),
                );
            }
        }
        apply_rule(
            place,
            span,
            rule,
            members,
            lists,
            messages,
            validation,
            need_message,
        )?;
    }
    Ok(())
}

/// The base request, with its placeholders filled, must be valid by the table itself.
fn check_base_request(place: &Place<'_>, spec: &Spec) -> Result<(), SpecError> {
    let text = serde_json::to_string(&spec.base_request).unwrap_or_default();
    let filled = text
        .replace("{name}", "lambda-conform-check")
        .replace(
            "{role}",
            "arn:aws:iam::123456789012:role/lambda-conform-role",
        )
        .replace("{zip}", super::validate::SMALLEST_ZIP_B64);
    let line = place
        .text
        .find("[base_request")
        .map(|o| place.line(o))
        .unwrap_or(0);
    let answer = super::validate::answer(spec, filled.as_bytes(), Some("application/json"));
    if answer != super::validate::Expectation::Success {
        return Err(SpecError::Invalid {
            file: place.file.to_string(),
            line,
            key: "base_request".into(),
            message: match answer {
                super::validate::Expectation::Error(e) => format!(
                    "the base request is not valid by this table: {} {} {:?} ({})",
                    e.status,
                    e.error_type,
                    e.message.display(),
                    e.rows.join(", ")
                ),
                super::validate::Expectation::Success => String::new(),
            },
        });
    }
    Ok(())
}

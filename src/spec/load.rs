//! Reading `model.toml` and `overlay.toml`, checking them, and merging them into a [`Spec`].
//!
//! Every problem is reported as one line naming the file, the line and the key.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use super::message;
use super::model::*;
use super::pattern::Pattern;
use super::SpecError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    source: ModelSource,
    #[serde(default)]
    member: Vec<Spanned<MemberRow>>,
    #[serde(default)]
    response: Vec<Spanned<MemberRow>>,
    #[serde(default)]
    error: Vec<Spanned<ErrorRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberRow {
    path: String,
    shape: String,
    #[serde(rename = "type")]
    ty: MemberType,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    sensitive: bool,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min: Option<f64>,
    max: Option<f64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    values: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorRow {
    #[serde(rename = "type")]
    error_type: String,
    status: u16,
    fault: String,
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverlayFile {
    profile: ProfileRow,
    base_request: BaseRequestRow,
    messages: Messages,
    validation_error: AnswerRow,
    conflict: AnswerRow,
    #[serde(default)]
    wire: BTreeMap<String, AnswerRow>,
    #[serde(default)]
    lists: BTreeMap<String, ListRow>,
    #[serde(default)]
    rule: Vec<Spanned<RuleRow>>,
    #[serde(default)]
    default: Vec<Spanned<DefaultRow>>,
    #[serde(default)]
    response_rule: Vec<Spanned<ResponseRuleRow>>,
    #[serde(default)]
    error: Vec<Spanned<ExtraErrorRow>>,
    #[serde(default)]
    resource: Vec<Spanned<ResourceRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseRequestRow {
    source: Source,
    evidence: Option<String>,
    body: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileRow {
    name: String,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRow {
    status: u16,
    #[serde(rename = "type")]
    error_type: String,
    #[serde(default)]
    message: String,
    source: Source,
    evidence: Option<String>,
}

impl AnswerRow {
    fn into_spec(self) -> ErrorSpec {
        ErrorSpec {
            status: self.status,
            error_type: self.error_type,
            message: self.message,
            source: self.source,
            evidence: self.evidence,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListRow {
    values: Vec<String>,
    source: Source,
    evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorOverride {
    status: Option<u16>,
    #[serde(rename = "type")]
    error_type: Option<String>,
    message: Option<String>,
    source: Option<Source>,
    evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleRow {
    path: String,
    kind: String,
    #[serde(default)]
    replace: bool,
    id: Option<String>,
    when: Option<Condition>,
    family: Option<Family>,
    order: Option<i32>,
    min: Option<f64>,
    max: Option<f64>,
    step: Option<i64>,
    pattern: Option<String>,
    values: Option<Vec<String>>,
    list: Option<String>,
    error: Option<ErrorOverride>,
    source: Source,
    evidence: Option<String>,
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultRow {
    path: String,
    value: toml::Value,
    when: Option<Condition>,
    source: Source,
    evidence: Option<String>,
}

/// Unknown keys land in `check` and are refused there (serde cannot deny them next to a flatten).
#[derive(Deserialize)]
struct ResponseRuleRow {
    path: String,
    #[serde(flatten)]
    check: toml::Table,
    when: Option<RequestCondition>,
    source: Source,
    evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraErrorRow {
    #[serde(rename = "type")]
    error_type: String,
    status: u16,
    fault: String,
    #[serde(default)]
    members: Vec<String>,
    source: Source,
    evidence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceRow {
    path: String,
    needs: String,
    source: Source,
}

/// Where in which file: turns byte offsets into line numbers for error lines.
struct Place<'a> {
    file: &'a str,
    text: &'a str,
}

impl Place<'_> {
    fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|b| *b == b'\n')
            .count()
            + 1
    }

    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        msg: impl Into<String>,
    ) -> Result<T, SpecError> {
        Err(SpecError::Invalid {
            file: self.file.to_string(),
            line: self.line(span.start),
            key: key.to_string(),
            message: msg.into(),
        })
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, SpecError> {
        toml::from_str(self.text).map_err(|e| {
            let line = e.span().map(|s| self.line(s.start)).unwrap_or(0);
            let message = e.message().to_string();
            let key = message.split('`').nth(1).unwrap_or("").to_string();
            SpecError::Invalid {
                file: self.file.to_string(),
                line,
                key,
                message,
            }
        })
    }
}

/// Parses and merges one profile's two files. `model_name` and `overlay_name` are used in error lines.
pub fn merge(
    model_name: &str,
    model_text: &str,
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

    let mut rule_keys = BTreeSet::new();
    for row in &overlay.rule {
        let span = row.span();
        let rule = row.get_ref();
        let key = (rule.path.clone(), rule.kind.clone(), rule.when);
        if !rule_keys.insert(key) {
            return op.err(
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
        apply_rule(
            &op,
            span,
            rule,
            &mut members,
            &lists,
            &overlay.messages,
            &validation,
        )?;
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
        if !response.iter().any(|m| m.path == r.path) {
            return op.err(
                span,
                "response_rule.path",
                format!("the response model has no member `{}`", r.path),
            );
        }
        let check: Check =
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
    let spec = Spec {
        base_request,
        profile: overlay.profile.name,
        title: overlay.profile.title,
        source: model.source,
        files: vec![model_name.to_string(), overlay_name.to_string()],
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
    };
    check_base_request(&op, &spec)?;
    Ok(spec)
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
    if answer != super::validate::Answer::Success {
        return Err(SpecError::Invalid {
            file: place.file.to_string(),
            line,
            key: "base_request".into(),
            message: match answer {
                super::validate::Answer::Error(e) => format!(
                    "the base request is not valid by this table: {} {} {:?} ({})",
                    e.status,
                    e.error_type,
                    e.message.display(),
                    e.rows.join(", ")
                ),
                super::validate::Answer::Success => String::new(),
            },
        });
    }
    Ok(())
}

fn model_member(
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
    };
    for kind in kinds {
        let compiled = compile(place, span.clone(), &kind)?;
        let error = ErrorSpec {
            status: validation.status,
            error_type: validation.error_type.clone(),
            message: message::violation_template(messages, &member, &kind, earlier),
            source: Source::Assumed,
            evidence: None,
        };
        member.constraints.push(Constraint {
            id: kind.violation_name().to_string(),
            kind,
            when: None,
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

fn compile(
    place: &Place<'_>,
    span: std::ops::Range<usize>,
    kind: &Kind,
) -> Result<Option<Pattern>, SpecError> {
    match kind {
        Kind::Pattern { pattern } => match Pattern::new(pattern) {
            Ok(p) => Ok(Some(p)),
            Err(e) => place.err(span, "pattern", e),
        },
        _ => Ok(None),
    }
}

fn rule_kind(
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
        other => return place.err(span, "kind", format!("unknown constraint kind `{other}`")),
    })
}

fn has_bound(r: &RuleRow) -> bool {
    r.min.is_some()
        || r.max.is_some()
        || r.step.is_some()
        || r.pattern.is_some()
        || r.values.is_some()
        || r.list.is_some()
}

#[allow(clippy::too_many_arguments)]
fn apply_rule(
    place: &Place<'_>,
    span: std::ops::Range<usize>,
    r: &RuleRow,
    members: &mut [Member],
    lists: &BTreeMap<String, NamedList>,
    messages: &Messages,
    validation: &AnswerRow,
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
    let existing = member
        .constraints
        .iter()
        .position(|c| c.kind.name() == r.kind && c.when == r.when);
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
    let explicit_message = r.error.as_ref().is_some_and(|o| o.message.is_some());
    if error.message.is_empty() && !explicit_message {
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

fn check_bounds(place: &Place<'_>, m: &Member) -> Result<(), SpecError> {
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

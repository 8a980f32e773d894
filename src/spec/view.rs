//! The merged table for people (`spec --format table`) and for other tools (`spec --format json`).

use serde_json::{json, Value};

use super::message::number;
use super::model::{Constraint, Kind, Member, Spec};

fn constraint_json(c: &Constraint) -> Value {
    let (min, max, pattern, values, step) = match &c.kind {
        Kind::MinLength { min } | Kind::MinItems { min } => {
            (Some(json!(min)), None, None, None, None)
        }
        Kind::MaxLength { max } | Kind::MaxItems { max } | Kind::MaxJsonBytes { max } => {
            (None, Some(json!(max)), None, None, None)
        }
        Kind::MaxDecodedBytes { max } | Kind::MaxRequestBytes { max } => {
            (None, Some(json!(max)), None, None, None)
        }
        Kind::Min { min } => (Some(json!(min)), None, None, None, None),
        Kind::Max { max } => (None, Some(json!(max)), None, None, None),
        Kind::Pattern { pattern } | Kind::NotPattern { pattern } => {
            (None, None, Some(json!(pattern)), None, None)
        }
        Kind::Enum { values } | Kind::NotIn { values } => {
            (None, None, None, Some(json!(values)), None)
        }
        Kind::MultipleOf { step } => (None, None, None, None, Some(json!(step))),
        Kind::Required
        | Kind::Zip
        | Kind::NonEmptyZip
        | Kind::ArnRegion
        | Kind::ArnAccount
        | Kind::Absent => (None, None, None, None, None),
    };
    json!({
        "kind": c.kind.name(),
        "case": c.id,
        "when": c.when.map(|w| w.as_str()),
        "when_request": c.when_request.as_ref().map(|w| w.describe()),
        "family": c.family,
        "min": min,
        "max": max,
        "pattern": pattern,
        "values": values,
        "step": step,
        "error": {
            "status": c.error.status,
            "type": c.error.error_type,
            "message": c.error.message,
            "source": c.error.source.as_str(),
            "message_source": c.error.message_source.as_str(),
            "evidence": c.error.evidence,
        },
        "source": c.source.as_str(),
        "evidence": c.evidence,
        "note": c.note,
        "replaces": c.replaces.as_ref().map(|k| serde_json::to_value(k).unwrap_or(Value::Null)),
    })
}

fn member_json(spec: &Spec, m: &Member, response: bool) -> Value {
    let default = if response {
        m.default.as_ref()
    } else {
        spec.response_member(&m.path)
            .and_then(|r| r.default.as_ref())
    };
    json!({
        "path": m.path,
        "type": m.ty,
        "required": m.required,
        "sensitive": m.sensitive,
        "default": default.map(|d| json!({"value": d.value, "source": d.source.as_str(), "evidence": d.evidence})),
        "needs_resource": m.needs_resource,
        "constraints": m.constraints.iter().map(constraint_json).collect::<Vec<_>>(),
    })
}

/// The JSON form: `{"profile", "source", "members", "response", "response_rules", "errors", …}`.
pub fn json_view(spec: &Spec) -> Value {
    json!({
        "profile": spec.profile,
        "title": spec.title,
        "source": spec.source,
        "files": spec.files,
        "members": spec.members.iter().map(|m| member_json(spec, m, false)).collect::<Vec<_>>(),
        "response": spec.response.iter().map(|m| member_json(spec, m, true)).collect::<Vec<_>>(),
        "response_rules": spec.response_rules,
        "errors": spec.errors,
        "wire_errors": spec.wire_errors,
        "conflict": spec.conflict,
        "messages": spec.messages,
        "lists": spec.lists,
        "base_request": spec.base_request,
        "response_headers": spec.headers,
        "cases": spec.cases,
    })
}

fn bound(c: &Constraint) -> String {
    match &c.kind {
        Kind::Required => "present".into(),
        Kind::MinLength { min } => format!("length ≥ {min}"),
        Kind::MaxLength { max } => format!("length ≤ {max}"),
        Kind::Min { min } => format!("≥ {}", number(*min)),
        Kind::Max { max } => format!("≤ {}", number(*max)),
        Kind::MinItems { min } => format!("items ≥ {min}"),
        Kind::MaxItems { max } => format!("items ≤ {max}"),
        Kind::Pattern { pattern } => format!("pattern {pattern}"),
        Kind::Enum { values } => format!("one of {} values", values.len()),
        Kind::NotIn { values } => format!("none of {}", values.join(", ")),
        Kind::MultipleOf { step } => format!("multiple of {step}"),
        Kind::MaxJsonBytes { max } => format!("compact JSON ≤ {max} bytes"),
        Kind::Zip => "a readable zip".into(),
        Kind::NonEmptyZip => "a zip with entries".into(),
        Kind::MaxDecodedBytes { max } => format!("decoded ≤ {max} bytes"),
        Kind::MaxRequestBytes { max } => format!("request ≤ {max} bytes"),
        Kind::ArnRegion => "an ARN names the call's region".into(),
        Kind::ArnAccount => "an ARN names the caller's account".into(),
        Kind::Absent => "absent".into(),
        Kind::NotPattern { pattern } => format!("not pattern {pattern}"),
    }
}

/// The table form: one line per member, then one indented line per constraint.
pub fn table_view(spec: &Spec) -> String {
    let mut out = format!(
        "# {} — {}\n# model: botocore {} ({}), {} input paths, {} response paths, {} errors\n",
        spec.profile,
        spec.title,
        spec.source.botocore_version,
        spec.source.model_file,
        spec.members.len(),
        spec.response.len(),
        spec.errors.len()
    );
    for m in &spec.members {
        out.push_str(&format!(
            "{}  {:?}{}{}\n",
            m.path,
            m.ty,
            if m.required { "  required" } else { "" },
            m.needs_resource
                .as_ref()
                .map(|n| format!("  (needs {n})"))
                .unwrap_or_default()
        ));
        for c in &m.constraints {
            out.push_str(&format!(
                "    {:<28} {}{} → {} {} [{}; error {}]\n",
                c.id,
                bound(c),
                c.when
                    .map(|w| format!(" when {}", w.as_str()))
                    .or_else(|| c
                        .when_request
                        .as_ref()
                        .map(|w| format!(" when {}", w.describe())))
                    .unwrap_or_default(),
                c.error.status,
                c.error.error_type,
                c.source.as_str(),
                c.error.source.as_str()
            ));
        }
    }
    out.push_str("# errors\n");
    for e in &spec.errors {
        out.push_str(&format!(
            "{}  {}  {} [{}]\n",
            e.error_type,
            e.status,
            e.fault,
            e.source.as_str()
        ));
    }
    if !spec.headers.is_empty() {
        out.push_str(
            "# headers on every answer
",
        );
        for h in &spec.headers {
            out.push_str(&format!(
                "{} [{}]
",
                h.name,
                h.source.as_str()
            ));
        }
    }
    if !spec.cases.is_empty() {
        out.push_str(
            "# case classes spelled out
",
        );
        for c in &spec.cases {
            let breaks = if c.breaks.is_empty() {
                String::new()
            } else {
                format!(" breaks {}", c.breaks.join(" + "))
            };
            out.push_str(&format!(
                "{}  {:?}{} [{}]\n",
                c.id,
                c.kind,
                breaks,
                c.source.as_str()
            ));
        }
    }
    out
}

//! AWS's message wording: paths, value rendering, templates, and matching a message against a template.
//!
//! Templates use `{name}` placeholders. `{value}` is the offending value rendered as AWS's Java front end
//! prints it (`[x86_64, arm64]` for lists); `{list:NAME}` is a named list, matched as a set because AWS
//! prints sets in no fixed order.

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::{Kind, Member, MemberType, Messages, Spec};

/// The path as AWS writes it in messages: lowerCamelCase per segment (only the first letter lowered),
/// list and map markers dropped (`VpcConfig.SubnetIds[]` → `vpcConfig.subnetIds`).
pub fn camel_path(path: &str) -> String {
    path.split('.')
        .map(|seg| {
            let seg = seg
                .trim_end_matches("[]")
                .trim_end_matches("{key}")
                .trim_end_matches("{value}")
                .trim_end_matches("[]");
            let mut chars = seg.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// The value as AWS's Java front end prints it: strings bare, lists `[a, b]`, maps `{k=v}`.
pub fn render_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(render_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k}={}", render_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A value as AWS's Java front end prints it, structures in model member order (the front end has
/// deserialised them into model objects), lists and maps in the order sent.
pub fn render_at(spec: &Spec, path: &str, v: &Value) -> String {
    let mut out = String::new();
    render_into(spec, path, v, &mut out);
    out
}

/// [`render_at`] into one buffer (a value can be a 1 500-item list).
fn render_into(spec: &Spec, path: &str, v: &Value, out: &mut String) {
    match v {
        Value::Array(items) => {
            let child = format!("{path}[]");
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(spec, &child, x, out);
            }
            out.push(']');
        }
        Value::Object(map)
            if spec
                .member(path)
                .is_some_and(|m| m.ty == MemberType::Structure) =>
        {
            let prefix = format!("{path}.");
            let order: Vec<&str> = spec
                .members
                .iter()
                .filter_map(|m| m.path.strip_prefix(&prefix))
                .filter(|rest| !rest.contains('.') && !rest.contains('[') && !rest.contains('{'))
                .collect();
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render_into(spec, &format!("{prefix}{k}"), &map[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Object(map) => {
            let child = format!("{path}{{value}}");
            out.push('{');
            for (i, (k, x)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(k);
                out.push('=');
                render_into(spec, &child, x, out);
            }
            out.push('}');
        }
        other => out.push_str(&render_value(other)),
    }
}

/// A bound printed as AWS prints it (whole numbers without a fraction).
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Replaces each `{key}` of `vars` in `template`, in one pass: a value is copied once (it can be a
/// rendered 1 500-item list) and never searched for keys itself. A `{…}` that names no var stays.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let extra: usize = vars.iter().map(|(_, v)| v.len()).sum();
    let mut out = String::with_capacity(template.len() + extra);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let var = after.find('}').and_then(|close| {
            let key = &after[..close];
            vars.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (v, close))
        });
        match var {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{name}` filled in every string of a JSON value (defaults like `/aws/lambda/{name}`).
pub fn fill_name_value(v: &Value, name: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("{name}", name)),
        Value::Array(a) => Value::Array(a.iter().map(|x| fill_name_value(x, name)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), fill_name_value(x, name)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The text of one constraint (`Member must have length less than or equal to 64`).
pub fn constraint_text(messages: &Messages, kind: &Kind) -> Option<String> {
    let key = match kind {
        Kind::Required => "required",
        Kind::MinLength { .. } => "min_length",
        Kind::MaxLength { .. } => "max_length",
        Kind::Min { .. } => "min",
        Kind::Max { .. } => "max",
        Kind::MinItems { .. } => "min_items",
        Kind::MaxItems { .. } => "max_items",
        Kind::Pattern { .. } => "pattern",
        Kind::Enum { .. } => "enum",
        _ => return None,
    };
    let template = messages.constraint.get(key)?;
    let vars: Vec<(&str, String)> = match kind {
        Kind::MinLength { min } | Kind::MinItems { min } => vec![("min", min.to_string())],
        Kind::MaxLength { max } | Kind::MaxItems { max } => vec![("max", max.to_string())],
        Kind::Min { min } => vec![("min", number(*min))],
        Kind::Max { max } => vec![("max", number(*max))],
        Kind::Pattern { pattern } => vec![("pattern", pattern.clone())],
        Kind::Enum { values } => vec![("values", format!("[{}]", values.join(", ")))],
        _ => vec![],
    };
    Some(fill(template, &vars))
}

/// The texts of every constraint of a list item or map key/value, in the order AWS lists them.
fn item_constraint_texts(messages: &Messages, kinds: &[&Kind]) -> String {
    let rank = |k: &Kind| match k {
        Kind::MaxLength { .. } => 0,
        Kind::MinLength { .. } => 1,
        Kind::Max { .. } => 2,
        Kind::Min { .. } => 3,
        Kind::Pattern { .. } => 4,
        Kind::Enum { .. } => 5,
        _ => 9,
    };
    let mut sorted: Vec<&Kind> = kinds
        .iter()
        .copied()
        .filter(|k| !matches!(k, Kind::Required))
        .collect();
    sorted.sort_by_key(|k| rank(k));
    let mut parts = Vec::new();
    for k in sorted {
        if let Some(t) = constraint_text(messages, k) {
            parts.push(t);
            if matches!(k, Kind::Enum { .. }) {
                parts.push(messages.enum_item_suffix.clone());
            }
        }
    }
    parts.join(", ")
}

/// The template of one violation of `kind` on `member`, with `{value}` left to fill in.
/// `earlier` are the members before it (to find a list item's siblings' constraints: the item's own are on `member`).
pub fn violation_template(
    messages: &Messages,
    member: &Member,
    kind: &Kind,
    _earlier: &[Member],
) -> String {
    let path = &member.path;
    let at = camel_path(path);
    let Some(text) = constraint_text(messages, kind) else {
        return String::new();
    };
    if matches!(kind, Kind::Required) {
        return fill(
            &messages.violation_null,
            &[("path", at), ("constraint", text)],
        );
    }
    let mut kinds: Vec<&Kind> = member.constraints.iter().map(|c| &c.kind).collect();
    if !kinds.contains(&kind) {
        kinds.push(kind);
    }
    let wrap = |outer: &str| {
        fill(
            outer,
            &[("constraints", item_constraint_texts(messages, &kinds))],
        )
    };
    let constraint =
        if path.ends_with("[]") && !matches!(kind, Kind::MinItems { .. } | Kind::MaxItems { .. }) {
            wrap(&messages.list_item)
        } else if path.ends_with("{key}") {
            wrap(&messages.map_key)
        } else if path.ends_with("{value}") {
            wrap(&messages.map_value)
        } else {
            text
        };
    let template = if member.sensitive {
        &messages.violation_sensitive
    } else {
        &messages.violation
    };
    fill(template, &[("path", at), ("constraint", constraint)])
}

/// One piece of an expected message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// Literal text.
    Text(String),
    /// A bracketed list whose items may come in any order (kept in source order for display).
    Set(Vec<String>),
}

/// An expected message: any of the alternatives (e.g. two validation errors in either order).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExpectedMessage {
    /// Each alternative is a sequence of segments.
    pub alternatives: Vec<Vec<Segment>>,
}

impl ExpectedMessage {
    /// A message that must equal `text` exactly, except `{list:NAME}` slots filled by `lists`.
    pub fn from_template(text: &str, lists: &dyn Fn(&str) -> Option<Vec<String>>) -> Self {
        Self {
            alternatives: vec![segments(text, lists)],
        }
    }

    /// Any of several messages already in segments (adjacent texts are joined and empty ones
    /// dropped, as [`ExpectedMessage::from_template`] gives them).
    pub fn of_alternatives(alternatives: Vec<Vec<Segment>>) -> Self {
        Self {
            alternatives: alternatives.into_iter().map(tidy).collect(),
        }
    }

    /// Whether `observed` is one of the alternatives.
    pub fn matches(&self, observed: &str) -> bool {
        self.alternatives
            .iter()
            .any(|alt| matches_segments(alt, observed))
    }

    /// The first alternative as text, sets printed in order.
    pub fn display(&self) -> String {
        self.alternatives
            .first()
            .map(|alt| {
                alt.iter()
                    .map(|s| match s {
                        Segment::Text(t) => t.clone(),
                        Segment::Set(items) => format!("[{}]", items.join(", ")),
                    })
                    .collect::<String>()
            })
            .unwrap_or_default()
    }
}

/// `text` split at its `{list:NAME}` slots that `lists` knows, each such slot a set; a slot it
/// does not know stays text.
pub fn segments(text: &str, lists: &dyn Fn(&str) -> Option<Vec<String>>) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{list:") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 6..start + len];
        match lists(name) {
            Some(values) => {
                out.push(Segment::Text(rest[..start].to_string()));
                out.push(Segment::Set(values));
            }
            None => out.push(Segment::Text(rest[..start + len + 1].to_string())),
        }
        rest = &rest[start + len + 1..];
    }
    out.push(Segment::Text(rest.to_string()));
    out.retain(|s| !matches!(s, Segment::Text(t) if t.is_empty()));
    out
}

/// Adjacent texts joined, empty texts dropped.
fn tidy(segs: Vec<Segment>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::with_capacity(segs.len());
    for s in segs {
        match (out.last_mut(), s) {
            (_, Segment::Text(t)) if t.is_empty() => {}
            (Some(Segment::Text(last)), Segment::Text(t)) => last.push_str(&t),
            (_, s) => out.push(s),
        }
    }
    out
}

fn matches_segments(segs: &[Segment], observed: &str) -> bool {
    match segs.split_first() {
        None => observed.is_empty(),
        Some((Segment::Text(t), rest)) => observed
            .strip_prefix(t.as_str())
            .is_some_and(|o| matches_segments(rest, o)),
        Some((Segment::Set(items), rest)) => {
            let Some(inner) = observed.strip_prefix('[') else {
                return false;
            };
            let Some(end) = inner.find(']') else {
                return false;
            };
            let got: BTreeSet<String> = if inner[..end].is_empty() {
                BTreeSet::new()
            } else {
                inner[..end].split(", ").map(str::to_string).collect()
            };
            let want: BTreeSet<String> = items.iter().cloned().collect();
            got == want && matches_segments(rest, &inner[end + 1..])
        }
    }
}

/// Joins validation-error texts as AWS does (`1 validation error detected: …`, `N validation errors detected: a; b`).
pub fn join_validation(messages: &Messages, parts: &[String]) -> String {
    let errors = parts.join(&messages.separator);
    if parts.len() == 1 {
        fill(&messages.validation_one, &[("errors", errors)])
    } else {
        fill(
            &messages.validation_many,
            &[("count", parts.len().to_string()), ("errors", errors)],
        )
    }
}

/// [`join_validation`] of messages in segments: the errors go in as they are (their sets stay
/// sets), and only the template's own text is filled in.
pub fn join_validation_segments(messages: &Messages, parts: &[Vec<Segment>]) -> Vec<Segment> {
    let (template, count) = if parts.len() == 1 {
        (&messages.validation_one, Vec::new())
    } else {
        (
            &messages.validation_many,
            vec![("count", parts.len().to_string())],
        )
    };
    let mut errors = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            errors.push(Segment::Text(messages.separator.clone()));
        }
        errors.extend(part.iter().cloned());
    }
    let mut out = Vec::new();
    for (i, piece) in template.split("{errors}").enumerate() {
        if i > 0 {
            out.extend(errors.iter().cloned());
        }
        out.push(Segment::Text(fill(piece, &count)));
    }
    tidy(out)
}

/// Every order of `items` (for the few-element validation-error lists whose wire order is unknown).
pub fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 || items.len() > 4 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first.clone());
            out.push(tail);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::fill;

    pub(crate) fn fill_replaces_each_key_once_and_leaves_values_alone() {
        let vars = [
            ("value", "a{region}b".to_string()),
            ("region", "us-east-1".to_string()),
        ];
        assert_eq!(
            fill(
                "Value '{value}' in {region}, {region}; {unknown} {{value}} {",
                &vars
            ),
            "Value 'a{region}b' in us-east-1, us-east-1; {unknown} {a{region}b} {"
        );
        assert_eq!(fill("", &vars), "");
        assert_eq!(fill("no keys", &[]), "no keys");
    }
}

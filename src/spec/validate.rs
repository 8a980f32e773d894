//! Judging a request against the table: which constraints it breaks, and so what AWS answers.
//!
//! The generators use this to prove a case breaks exactly what it claims to, the stub uses it to answer,
//! and the oracle uses it to know what to expect: one function, so the three never disagree.

use std::borrow::Cow;

use serde_json::Value;

use super::blob::{self, bytes_of, decoded, zip_entries};
pub use super::message::render_at;
use super::message::{self, ExpectedMessage};
use super::model::*;
use super::path::{field, reach_steps_into, walk_of};
pub use super::path::{reach, reach_ref, reach_steps, reported_path, steps, Step};
use crate::wire::json_kind;

/// A one-entry zip (`index.py`), base64: what the table's own checks use for `{zip}`.
pub const SMALLEST_ZIP_B64: &str = "UEsDBBQAAAAAAAAAIQCRU5N+DgAAAA4AAAAIAAAAaW5kZXgucHlkZWYgaGFuZGxlcigpOlBLAQIUAxQAAAAAAAAAIQCRU5N+DgAAAA4AAAAIAAAAAAAAAAAAAACAAQAAAABpbmRleC5weVBLBQYAAAAAAQABADYAAAA0AAAAAAA=";

/// One broken constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation<'a> {
    /// Index of the member in `spec.members`.
    pub member: usize,
    /// Index of the constraint in that member.
    pub constraint: usize,
    /// The member path.
    pub path: String,
    /// The constraint's case-id suffix.
    pub id: String,
    /// The value AWS prints in the message (the whole list for a list item), borrowed from the
    /// request where it can be (a list can have 1 500 items).
    pub value: Cow<'a, Value>,
}

/// Why a body is not the operation's input at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireProblem {
    /// The key of `[wire.*]` in the overlay: `not_json`, `not_object`, `wrong_type`, `bad_base64`, `content_type`.
    pub key: String,
    /// What is wrong, for people.
    pub detail: String,
}

/// What the table says the endpoint must answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// A created function (the success status of the operation).
    Success,
    /// An error.
    Error(ExpectedError),
}

/// An expected error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedError {
    /// HTTP status.
    pub status: u16,
    /// Error type.
    pub error_type: String,
    /// The message.
    pub message: ExpectedMessage,
    /// The weakest source among the rows it rests on; `Assumed` means nobody recorded it.
    pub source: Source,
    /// Where the message's wording comes from (weaker than `source` for a documented rule whose
    /// wording nobody recorded).
    pub message_source: Source,
    /// The recorded exchanges it rests on.
    pub evidence: Vec<String>,
    /// The table rows it comes from (`Timeout max`, `wire not_json`).
    pub rows: Vec<String>,
}

/// Facts about the call that some rules need.
#[derive(Debug, Clone, Default)]
pub struct CallFacts {
    /// The body's size in bytes.
    pub body_bytes: usize,
    /// The region the call was made in, when known.
    pub region: Option<String>,
    /// The caller's account, when known.
    pub account: Option<String>,
}

/// The region and account parts of a function ARN (full `arn:…:lambda:R:A:function:N` or partial `A:function:N`).
pub fn arn_parts(value: &str) -> (Option<&str>, Option<&str>) {
    let parts: Vec<&str> = value.split(':').collect();
    if parts.first() == Some(&"arn") {
        (parts.get(3).copied(), parts.get(4).copied())
    } else if parts.get(1) == Some(&"function") {
        (None, parts.first().copied())
    } else {
        (None, None)
    }
}

/// Reads a body as the operation's input, or says why it is not.
pub fn parse_body(
    spec: &Spec,
    body: &[u8],
    content_type: Option<&str>,
) -> Result<Value, WireProblem> {
    content_type_ok(content_type)?;
    let value: Value = serde_json::from_slice(body).map_err(|e| WireProblem {
        key: "not_json".into(),
        detail: format!("body is not JSON: {e}"),
    })?;
    if !value.is_object() {
        return Err(WireProblem {
            key: "not_object".into(),
            detail: "body is JSON but not an object".into(),
        });
    }
    check_types(spec, &value)?;
    Ok(value)
}

fn content_type_ok(content_type: Option<&str>) -> Result<(), WireProblem> {
    if let Some(ct) = content_type {
        let ct = ct.to_ascii_lowercase();
        if !(ct.starts_with("application/json") || ct.starts_with("application/x-amz-json")) {
            return Err(WireProblem {
                key: "content_type".into(),
                detail: format!("Content-Type `{ct}` is not JSON"),
            });
        }
    }
    Ok(())
}

fn type_ok(ty: MemberType, v: &Value) -> bool {
    match ty {
        MemberType::String | MemberType::Timestamp | MemberType::Blob => v.is_string(),
        MemberType::Integer => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        MemberType::Long => v.is_i64() || v.is_u64(),
        MemberType::Double => v.is_number(),
        MemberType::Boolean => v.is_boolean(),
        MemberType::Structure | MemberType::Map => v.is_object(),
        MemberType::List => v.is_array(),
    }
}

fn check_types(spec: &Spec, root: &Value) -> Result<(), WireProblem> {
    let top = root.as_object();
    let mut values = Vec::new();
    let mut made = Walk::default();
    for m in &spec.members {
        let walk = walk_of(m, &mut made);
        // Nothing to check under a top-level member the request leaves out.
        if left_out(top, walk) {
            continue;
        }
        values.clear();
        reach_steps_into(root, &walk.steps, &mut values);
        for v in values.drain(..) {
            if !type_ok(m.ty, &v) {
                return Err(WireProblem {
                    key: "wrong_type".into(),
                    detail: format!(
                        "`{}` is {} where the model says {}",
                        m.path,
                        json_kind(&v),
                        m.ty.json_name()
                    ),
                });
            }
            if m.ty == MemberType::Blob {
                if let Value::String(_) = v.as_ref() {
                    if decoded(&v).is_none() {
                        return Err(WireProblem {
                            key: "bad_base64".into(),
                            detail: format!("`{}` is not valid base64", m.path),
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

/// Whether a member lies under a top-level member the request leaves out (absent or null): then
/// its path reaches no value and, below the top level, it has no parent either.
fn left_out(top: Option<&serde_json::Map<String, Value>>, walk: &Walk) -> bool {
    match (top, walk.steps.first()) {
        (Some(top), Some(Step::Field(f))) => field(top, f).is_none_or(Value::is_null),
        _ => false,
    }
}

fn condition_holds(cond: Option<Condition>, root: &Value, value: Option<&Value>) -> bool {
    // Looked up only by the conditions that ask (this runs for every value of every constraint).
    let package = || {
        root.as_object()
            .and_then(|m| field(m, "PackageType"))
            .and_then(Value::as_str)
    };
    match cond {
        None => true,
        Some(Condition::BareName) => value
            .and_then(Value::as_str)
            .is_some_and(|s| !s.contains(':')),
        Some(Condition::Arn) => value
            .and_then(Value::as_str)
            .is_some_and(|s| s.contains(':')),
        Some(Condition::ZipPackage) => package().is_none_or(|p| p == "Zip"),
        Some(Condition::ImagePackage) => package() == Some("Image"),
    }
}

/// Whether one value breaks one constraint (the value is present and of the right type).
/// `bytes` holds the value's base64 decoding once a constraint needed it (decoded once per value).
fn breaks(c: &Constraint, v: &Value, facts: &CallFacts, bytes: &mut blob::Kept) -> bool {
    match &c.kind {
        Kind::Required => false,
        Kind::MinLength { min } => v
            .as_str()
            .is_some_and(|s| (s.chars().count() as u64) < *min),
        Kind::MaxLength { max } => v
            .as_str()
            .is_some_and(|s| (s.chars().count() as u64) > *max),
        Kind::Min { min } => v.as_f64().is_some_and(|n| n < *min),
        Kind::Max { max } => v.as_f64().is_some_and(|n| n > *max),
        Kind::MinItems { min } => items(v).is_some_and(|n| (n as u64) < *min),
        Kind::MaxItems { max } => items(v).is_some_and(|n| (n as u64) > *max),
        Kind::Pattern { .. } => match (&c.compiled, v.as_str()) {
            (Some(p), Some(s)) => !p.matches(s),
            _ => false,
        },
        Kind::Enum { values } => v.as_str().is_some_and(|s| !values.iter().any(|x| x == s)),
        Kind::NotIn { values } => v.as_str().is_some_and(|s| values.iter().any(|x| x == s)),
        Kind::MultipleOf { step } => v.as_i64().is_some_and(|n| n % step != 0),
        Kind::MaxJsonBytes { max } => serde_json::to_string(v).is_ok_and(|s| s.len() as u64 > *max),
        Kind::Zip => bytes_of(bytes, v).is_some_and(|b| zip_entries(b).is_none()),
        Kind::NonEmptyZip => bytes_of(bytes, v).is_some_and(|b| zip_entries(b) == Some(0)),
        Kind::MaxDecodedBytes { max } => bytes_of(bytes, v).is_some_and(|b| b.len() as u64 > *max),
        Kind::MaxRequestBytes { max } => facts.body_bytes as u64 > *max,
        Kind::ArnRegion => match (v.as_str().map(arn_parts), &facts.region) {
            // An empty region (`arn:aws:lambda:::awslayer:…`) names no region.
            (Some((Some(r), _)), Some(here)) => !r.is_empty() && r != here,
            _ => false,
        },
        Kind::ArnAccount => match (v.as_str().map(arn_parts), &facts.account) {
            (Some((_, Some(a))), Some(me)) => a != me,
            _ => false,
        },
        Kind::Absent => true,
        Kind::NotPattern { .. } => match (&c.compiled, v.as_str()) {
            (Some(p), Some(s)) => p.matches(s),
            _ => false,
        },
    }
}

fn items(v: &Value) -> Option<usize> {
    match v {
        Value::Array(a) => Some(a.len()),
        Value::Object(m) => Some(m.len()),
        _ => None,
    }
}

/// Every constraint the request breaks, in table order.
pub fn violations<'a>(spec: &Spec, root: &'a Value, facts: &CallFacts) -> Vec<Violation<'a>> {
    violations_where(spec, root, facts, |_| true)
}

/// The constraints `pick` chooses that the request breaks, in table order: what [`violations`]
/// gives, filtered to `pick`, without checking the rest (a generator looking for missing required
/// members need not match every pattern of a 1 500-item list).
pub fn violations_where<'a>(
    spec: &Spec,
    root: &'a Value,
    facts: &CallFacts,
    pick: impl Fn(&Constraint) -> bool,
) -> Vec<Violation<'a>> {
    let mut out = Vec::new();
    // Buffers kept from member to member: a request is checked against every row of the table.
    let mut values: Vec<Cow<'a, Value>> = Vec::new();
    let mut bytes: Vec<blob::Kept> = Vec::new();
    let mut parents: Vec<Cow<'a, Value>> = Vec::new();
    let top = root.as_object();
    let mut made = Walk::default();
    for (mi, m) in spec.members.iter().enumerate() {
        if !m.constraints.iter().any(&pick) {
            continue;
        }
        let walk = walk_of(m, &mut made);
        // A member under a top-level member the request leaves out (most of the table, for most
        // requests) reaches no value and has no parent: only a top-level `required` can break.
        let absent = left_out(top, walk);
        if absent && !walk.parent.is_empty() {
            continue;
        }
        // The values the path reaches, walked once per member (not once per constraint).
        let mut reached = false;
        bytes.clear();
        for (ci, c) in m.constraints.iter().enumerate() {
            if !pick(c) {
                continue;
            }
            if let Kind::Required = c.kind {
                // Required within the parent: look at every occurrence of the parent.
                let field = walk.field.as_str();
                parents.clear();
                if walk.parent.is_empty() {
                    parents.push(Cow::Borrowed(root));
                } else {
                    reach_steps_into(root, &walk.parent, &mut parents);
                }
                for p in &parents {
                    let Value::Object(obj) = p.as_ref() else {
                        continue;
                    };
                    let missing = self::field(obj, field).is_none_or(Value::is_null);
                    if missing
                        && condition_holds(c.when, root, None)
                        && c.when_request.as_ref().is_none_or(|w| w.holds(root))
                    {
                        out.push(Violation {
                            member: mi,
                            constraint: ci,
                            path: m.path.clone(),
                            id: c.id.clone(),
                            value: Cow::Owned(Value::Null),
                        });
                        break;
                    }
                }
                continue;
            }
            if absent {
                continue;
            }
            if !reached {
                values.clear();
                reach_steps_into(root, &walk.steps, &mut values);
                reached = true;
            }
            if values.is_empty() {
                continue;
            }
            bytes.resize(values.len(), None);
            // The request-wide condition, once per constraint (not once per item of a list).
            if !c.when_request.as_ref().is_none_or(|w| w.holds(root)) {
                continue;
            }
            for (v, bytes) in values.iter().zip(bytes.iter_mut()) {
                if condition_holds(c.when, root, Some(v)) && breaks(c, v, facts, bytes) {
                    let shown_path = reported_path(&m.path);
                    let shown = if shown_path == m.path {
                        v.clone()
                    } else {
                        reach_ref(root, shown_path)
                            .into_iter()
                            .next()
                            .unwrap_or(Cow::Owned(Value::Null))
                    };
                    out.push(Violation {
                        member: mi,
                        constraint: ci,
                        path: m.path.clone(),
                        id: c.id.clone(),
                        value: shown,
                    });
                    break;
                }
            }
        }
    }
    out
}

/// The constraint a violation names.
pub fn constraint<'a>(spec: &'a Spec, v: &Violation) -> &'a Constraint {
    &spec.members[v.member].constraints[v.constraint]
}

/// The filled-in message of one violation, as text (what the stub answers).
pub fn violation_text(spec: &Spec, v: &Violation, root: &Value, facts: &CallFacts) -> String {
    message::fill(
        &constraint(spec, v).error.message,
        &violation_vars(spec, v, root, facts),
    )
}

/// The message one violation expects: its template's `{list:NAME}` slots as sets, the rest filled
/// in. The template is split before the values go in, so a value holding the text `{list:…}` is
/// text like any other (and a 10 000-character value is not searched for slots).
pub fn violation_message(
    spec: &Spec,
    v: &Violation,
    root: &Value,
    facts: &CallFacts,
) -> Vec<message::Segment> {
    let vars = violation_vars(spec, v, root, facts);
    message::segments(&constraint(spec, v).error.message, &list_lookup(spec))
        .into_iter()
        .map(|s| match s {
            message::Segment::Text(t) => message::Segment::Text(message::fill(&t, &vars)),
            set => set,
        })
        .collect()
}

/// The values a violation's template is filled with.
fn violation_vars(
    spec: &Spec,
    v: &Violation,
    root: &Value,
    facts: &CallFacts,
) -> [(&'static str, String); 4] {
    let c = constraint(spec, v);
    // Only a template that asks for it gets the member's JSON (it can be a 1 500-item list).
    let json = if c.error.message.contains("{json}") {
        reach_ref(root, &v.path)
            .first()
            .and_then(|x| serde_json::to_string(x.as_ref()).ok())
            .unwrap_or_default()
    } else {
        String::new()
    };
    [
        ("value", render_at(spec, reported_path(&v.path), &v.value)),
        ("json", json),
        (
            "arn_region",
            v.value
                .as_str()
                .and_then(|s| arn_parts(s).0)
                .unwrap_or_default()
                .to_string(),
        ),
        ("region", facts.region.clone().unwrap_or_default()),
    ]
}

fn list_lookup(spec: &Spec) -> impl Fn(&str) -> Option<Vec<String>> + '_ {
    move |name: &str| spec.lists.get(name).map(|l| l.values.clone())
}

/// What the table says an endpoint answers to this body (region and account unknown).
pub fn answer(spec: &Spec, body: &[u8], content_type: Option<&str>) -> Expectation {
    answer_with(spec, body, content_type, &CallFacts::default())
}

/// What the table says an endpoint answers to this body, in this region, for this account.
pub fn answer_with(
    spec: &Spec,
    body: &[u8],
    content_type: Option<&str>,
    facts: &CallFacts,
) -> Expectation {
    let root = match parse_body(spec, body, content_type) {
        Ok(v) => v,
        Err(problem) => return wire_answer(spec, &problem),
    };
    let facts = CallFacts {
        body_bytes: body.len(),
        ..facts.clone()
    };
    answer_for(spec, &root, &facts)
}

/// [`answer_with`] for a body the caller built as JSON and sent as `serde_json::to_vec(root)`
/// (`body_len` bytes): the same answer, without reading the body back.
pub fn answer_for_json(
    spec: &Spec,
    root: &Value,
    body_len: usize,
    content_type: Option<&str>,
    facts: &CallFacts,
) -> Expectation {
    let checked = content_type_ok(content_type).and_then(|()| {
        if root.is_object() {
            check_types(spec, root)
        } else {
            Err(WireProblem {
                key: "not_object".into(),
                detail: "body is JSON but not an object".into(),
            })
        }
    });
    if let Err(problem) = checked {
        return wire_answer(spec, &problem);
    }
    let facts = CallFacts {
        body_bytes: body_len,
        ..facts.clone()
    };
    answer_for(spec, root, &facts)
}

/// What the table says an endpoint answers to this (well-formed) input.
pub fn answer_for(spec: &Spec, root: &Value, facts: &CallFacts) -> Expectation {
    let found = violations(spec, root, facts);
    let of = |family: Family| -> Vec<&Violation> {
        found
            .iter()
            .filter(|v| constraint(spec, v).family == family)
            .collect()
    };
    let row = |v: &Violation| format!("{} {}", v.path, v.id);

    let size = of(Family::Size);
    if let Some(v) = size.iter().min_by_key(|v| constraint(spec, v).order) {
        return single(spec, v, root, facts, row(v));
    }
    let validation = of(Family::Validation);
    if !validation.is_empty() {
        let parts: Vec<Vec<message::Segment>> = validation
            .iter()
            .map(|v| violation_message(spec, v, root, facts))
            .collect();
        let alternatives: Vec<Vec<message::Segment>> = message::permutations(&parts)
            .iter()
            .map(|p| message::join_validation_segments(&spec.messages, p))
            .collect();
        let first = constraint(spec, validation[0]);
        let source = validation
            .iter()
            .map(|v| constraint(spec, v).error.source)
            .max_by_key(|s| s.weakness())
            .unwrap_or(Source::Assumed);
        return Expectation::Error(ExpectedError {
            status: first.error.status,
            error_type: first.error.error_type.clone(),
            message: ExpectedMessage::of_alternatives(alternatives),
            source,
            message_source: validation
                .iter()
                .map(|v| constraint(spec, v).error.message_source)
                .max()
                .unwrap_or(Source::Assumed)
                .max(source),
            evidence: validation
                .iter()
                .filter_map(|v| constraint(spec, v).error.evidence.clone())
                .collect(),
            rows: validation.iter().map(|v| row(v)).collect(),
        });
    }
    let service = of(Family::Service);
    if let Some(v) = service.iter().min_by_key(|v| constraint(spec, v).order) {
        return single(spec, v, root, facts, row(v));
    }
    Expectation::Success
}

/// The answer to a body that is not the operation's input.
fn wire_answer(spec: &Spec, problem: &WireProblem) -> Expectation {
    match spec.wire_errors.get(&problem.key) {
        Some(e) => Expectation::Error(ExpectedError {
            status: e.status,
            error_type: e.error_type.clone(),
            message: ExpectedMessage::from_template(&e.message, &list_lookup(spec)),
            source: e.source,
            message_source: e.message_source,
            evidence: e.evidence.iter().cloned().collect(),
            rows: vec![format!("wire {}", problem.key)],
        }),
        None => Expectation::Error(ExpectedError {
            status: 400,
            error_type: String::new(),
            message: ExpectedMessage::from_template("", &list_lookup(spec)),
            source: Source::Assumed,
            message_source: Source::Assumed,
            evidence: vec![],
            rows: vec![format!("wire {} (not in the table)", problem.key)],
        }),
    }
}

fn single(spec: &Spec, v: &Violation, root: &Value, facts: &CallFacts, row: String) -> Expectation {
    let c = constraint(spec, v);
    Expectation::Error(ExpectedError {
        status: c.error.status,
        error_type: c.error.error_type.clone(),
        message: ExpectedMessage::of_alternatives(vec![violation_message(spec, v, root, facts)]),
        source: c.error.source,
        message_source: c.error.message_source,
        evidence: c.error.evidence.iter().cloned().collect(),
        rows: vec![row],
    })
}

/// What the table expects when a create names a function that exists: the conflict answer.
pub fn conflict(spec: &Spec, name: &str) -> ExpectedError {
    let c = &spec.conflict;
    ExpectedError {
        status: c.status,
        error_type: c.error_type.clone(),
        message: ExpectedMessage::from_template(&c.message.replace("{name}", name), &|_| None),
        source: c.source,
        message_source: c.message_source,
        evidence: c.evidence.iter().cloned().collect(),
        rows: vec!["conflict".into()],
    }
}

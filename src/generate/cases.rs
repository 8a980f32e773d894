//! The case classes of a spec and how each one makes a request.

use std::sync::Arc;

use base64::Engine as _;
use proptest::prelude::*;
use serde_json::{Map, Value};

use super::strings::{break_pattern, Rng};
use super::values::{
    bounds, children, fill_required, remove_path, set_path, string_of_length, valid_value, Aim,
};
use super::{empty_zip, Context};
use crate::spec::validate::{self, Answer};
use crate::spec::{Condition, Family, Kind, Member, MemberType, Spec};
use crate::transport::WireRequest;

/// What a case class exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// A valid request; the function must be created.
    Valid,
    /// A valid request with a value exactly at a bound.
    Boundary,
    /// A request that breaks one constraint of the table.
    Violation,
    /// A body that is not the operation's input (malformed JSON, wrong types, nulls, unknown keys).
    Wire,
}

impl CaseKind {
    /// The name used in trial kinds and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Valid => "valid",
            CaseKind::Boundary => "boundary",
            CaseKind::Violation => "violation",
            CaseKind::Wire => "wire",
        }
    }
}

/// One generated request of a case class.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The case class.
    pub case_id: String,
    /// The shrinkable parameter (0 is the boundary itself).
    pub param: u64,
    /// The random seed that, with the parameter, reproduces it.
    pub seed: u64,
    /// The request as sent.
    pub request: WireRequest,
    /// The body as JSON, when it is JSON.
    pub json: Option<Value>,
    /// The function name it would create (for clean-up).
    pub function_name: String,
}

type Build = dyn Fn(&Spec, &Context, u64, &mut Rng) -> Option<(Body, String)> + Send + Sync;

/// A body to send.
#[derive(Debug, Clone)]
pub enum Body {
    /// JSON with `Content-Type: application/json`.
    Json(Value),
    /// Raw bytes with this content type (none: no header).
    Raw(Vec<u8>, Option<String>),
}

/// A case class.
#[derive(Clone)]
pub struct Case {
    /// The stable id, `create_function::<member>::<what>`.
    pub id: String,
    /// What it exercises.
    pub kind: CaseKind,
    /// The member path it varies, if one.
    pub member: Option<String>,
    /// The table row it breaks (`MemorySize above_max`), for violations.
    pub row: Option<String>,
    /// A valid value of this case names a resource that must exist (runs against the stub only).
    pub needs_resource: Option<String>,
    /// The official SDK can send this request.
    pub sdk: bool,
    /// Every instance is the same request (apart from the function name): run one.
    pub deterministic: bool,
    /// The expectation rests on a protocol assumption nobody recorded.
    pub assumption: Option<String>,
    /// The shrinkable parameter runs over `0..=span`.
    pub span: u64,
    /// A violation instance must break only its own row (every instance then words the same error);
    /// cleared for the few rows that cannot be broken alone (a length below a pattern's minimum).
    pub exact: bool,
    build: Arc<Build>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish()
    }
}

/// `VpcConfig.SubnetIds[]` → `vpc_config::subnet_ids::item`.
pub fn member_id(path: &str) -> String {
    let mut parts = Vec::new();
    for seg in path.split('.') {
        let mut name = seg.to_string();
        let mut tail = Vec::new();
        loop {
            if let Some(n) = name.strip_suffix("[]") {
                tail.push("item");
                name = n.to_string();
            } else if let Some(n) = name.strip_suffix("{key}") {
                tail.push("key");
                name = n.to_string();
            } else if let Some(n) = name.strip_suffix("{value}") {
                tail.push("value");
                name = n.to_string();
            } else {
                break;
            }
        }
        parts.push(snake(&name));
        tail.reverse();
        parts.extend(tail.into_iter().map(str::to_string));
    }
    parts.join("::")
}

fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl Case {
    /// Makes the instance for a parameter and a seed; None when this draw cannot make a request
    /// that breaks exactly what the case says (proptest then draws again).
    pub fn instance(&self, spec: &Spec, ctx: &Context, param: u64, seed: u64) -> Option<Instance> {
        let mut rng = Rng::new(seed);
        let (body, function_name) = (self.build)(spec, ctx, param.min(self.span), &mut rng)?;
        let (request, json) = match body {
            Body::Json(v) => {
                let bytes = serde_json::to_vec(&v).ok()?;
                (WireRequest::post_json(&spec.source.uri, bytes), Some(v))
            }
            Body::Raw(bytes, ct) => {
                let mut r = WireRequest::post_json(&spec.source.uri, bytes);
                r.headers.clear();
                if let Some(ct) = ct {
                    r.headers.push(("Content-Type".into(), ct));
                }
                (r, None)
            }
        };
        let answer = validate::answer_with(
            spec,
            &request.body,
            request.header("content-type"),
            &ctx.facts(request.body.len()),
        );
        let ok = match (self.kind, &answer) {
            (CaseKind::Valid | CaseKind::Boundary, a) => *a == Answer::Success,
            (CaseKind::Violation, Answer::Error(e)) => self.row.as_ref().is_some_and(|r| {
                if self.exact {
                    e.rows.len() == 1 && e.rows[0] == *r
                } else {
                    e.rows.first() == Some(r)
                        || e.rows.contains(r) && e.error_type == spec_validation_type(spec)
                }
            }),
            (CaseKind::Violation, Answer::Success) => false,
            (CaseKind::Wire, _) => true,
        };
        ok.then(|| Instance {
            case_id: self.id.clone(),
            param,
            seed,
            request,
            json,
            function_name,
        })
    }

    /// A proptest strategy over this case's instances. Shrinking moves the parameter toward 0, the boundary.
    pub fn strategy(&self, spec: Arc<Spec>, ctx: Arc<Context>) -> BoxedStrategy<Instance> {
        let case = self.clone();
        (0..=self.span, any::<u64>())
            .prop_filter_map("cannot make this instance", move |(p, s)| {
                case.instance(&spec, &ctx, p, s)
            })
            .boxed()
    }
}

fn spec_validation_type(spec: &Spec) -> String {
    spec.errors
        .iter()
        .find(|e| e.error_type == "ValidationException")
        .map(|e| e.error_type.clone())
        .unwrap_or_default()
}

fn base(spec: &Spec, ctx: &Context, rng: &mut Rng) -> (Value, String) {
    let name = ctx.fresh_name(rng);
    (ctx.base_request(spec, &name), name)
}

/// The request with `member` set to `value` (and whatever it needs around it).
fn with_value(
    spec: &Spec,
    ctx: &Context,
    member: &Member,
    value: Value,
    rng: &mut Rng,
) -> Option<(Body, String)> {
    let (mut root, mut name) = base(spec, ctx, rng);
    if ctx.is_name_member(spec, &member.path) {
        if let Some(s) = value.as_str() {
            name = s.to_string();
        }
    }
    set_path(spec, ctx, &mut root, &member.path, value, rng)?;
    fill_required(spec, ctx, &mut root, Some(&member.path), rng)?;
    Some((Body::Json(root), name))
}

/// A value of `member` with exactly `n` characters, items or entries; breaking the pattern only if it must.
fn sized_string(spec: &Spec, ctx: &Context, member: &Member, n: usize, rng: &mut Rng) -> Value {
    if ctx.is_name_member(spec, &member.path) {
        if let Some(s) = ctx.name_of_length(n, rng) {
            return Value::String(s);
        }
    }
    Value::String(string_of_length(member, n, rng).unwrap_or_else(|| "a".repeat(n)))
}

fn collection(
    spec: &Spec,
    ctx: &Context,
    member: &Member,
    n: usize,
    rng: &mut Rng,
) -> Option<Value> {
    let kids = children(spec, &member.path);
    match member.ty {
        MemberType::List => {
            let item = kids.first()?;
            (0..n)
                .map(|_| valid_value(spec, ctx, item, Aim::Any, rng))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array)
        }
        MemberType::Map => {
            let key = kids.iter().find(|m| m.path.ends_with("{key}"))?;
            let val = kids.iter().find(|m| m.path.ends_with("{value}"))?;
            let mut obj = Map::new();
            let mut guard = 0;
            while obj.len() < n && guard < 40 + n * 20 {
                guard += 1;
                let k = valid_value(spec, ctx, key, Aim::Any, rng)?;
                if let Value::String(k) = k {
                    if !k.is_empty() {
                        obj.insert(k, valid_value(spec, ctx, val, Aim::Any, rng)?);
                    }
                }
            }
            (obj.len() == n).then_some(Value::Object(obj))
        }
        _ => None,
    }
}

fn number(member: &Member, x: f64) -> Option<Value> {
    match member.ty {
        MemberType::Double => serde_json::Number::from_f64(x).map(Value::Number),
        MemberType::Integer if x > i32::MAX as f64 || x < i32::MIN as f64 => None,
        _ => Some(Value::from(x as i64)),
    }
}

fn int_span(member: &Member, from: f64, upward: bool) -> u64 {
    let (lo, hi) = match member.ty {
        MemberType::Integer => (i32::MIN as f64, i32::MAX as f64),
        MemberType::Long => (-(1i64 << 52) as f64, (1i64 << 52) as f64),
        _ => (-1e6, 1e6),
    };
    let span = if upward { hi - from } else { from - lo };
    span.max(0.0) as u64
}

fn new_case(
    id: String,
    kind: CaseKind,
    member: Option<&Member>,
    span: u64,
    build: Arc<Build>,
) -> Case {
    Case {
        id,
        kind,
        member: member.map(|m| m.path.clone()),
        row: None,
        needs_resource: None,
        sdk: kind != CaseKind::Wire,
        deterministic: span == 0,
        assumption: None,
        span,
        exact: kind == CaseKind::Violation,
        build,
    }
}

fn is_leaf(m: &Member) -> bool {
    !matches!(
        m.ty,
        MemberType::Structure | MemberType::List | MemberType::Map
    )
}

/// A member inherits the resource need of its ancestors' items (`FileSystemConfigs[].Arn` → its list).
fn resource_of(spec: &Spec, m: &Member) -> Option<String> {
    spec.members
        .iter()
        .filter(|x| {
            m.path == x.path
                || m.path.starts_with(&format!("{}.", x.path))
                || m.path.starts_with(&format!("{}[", x.path))
                || x.path.starts_with(&format!("{}.", m.path))
                || x.path.starts_with(&format!("{}[", m.path))
        })
        .find_map(|x| x.needs_resource.clone())
}

/// Every case class of the spec, sorted by id.
pub fn cases(spec: &Spec) -> Vec<Case> {
    let mut out = Vec::new();
    let prefix = "create_function";

    out.push(new_case(
        format!("{prefix}::valid::minimal"),
        CaseKind::Valid,
        None,
        0,
        Arc::new(|spec, ctx, _p, rng| {
            let (root, name) = base(spec, ctx, rng);
            Some((Body::Json(root), name))
        }),
    ));

    for (mi, m) in spec.members.iter().enumerate() {
        let mid = member_id(&m.path);
        let resource = resource_of(spec, m);
        let enum_values = m.constraints.iter().find_map(|c| match &c.kind {
            Kind::Enum { values } => Some(values.clone()),
            _ => None,
        });
        let refused: Vec<String> = m
            .constraints
            .iter()
            .flat_map(|c| match &c.kind {
                Kind::NotIn { values } => values.clone(),
                _ => vec![],
            })
            .collect();
        let enum_values = enum_values.or_else(|| {
            // Booleans too: the answer differs by value (Publish true → Version "1").
            (m.ty == MemberType::Boolean).then(|| vec!["true".to_string(), "false".to_string()])
        });
        if let (true, Some(values)) = (is_leaf(m), enum_values) {
            // One valid class per enum value: AWS's answer differs by value (JSON logs gain levels).
            for value in values.into_iter().filter(|v| !refused.contains(v)) {
                let slug: String = value
                    .to_ascii_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                let v = value.clone();
                let mut c = new_case(
                    format!("{prefix}::valid::{mid}::{slug}"),
                    CaseKind::Valid,
                    Some(m),
                    0,
                    Arc::new(move |spec, ctx, _p, rng| {
                        let m = &spec.members[mi];
                        let value = match (m.ty, v.as_str()) {
                            (MemberType::Boolean, b) => Value::Bool(b == "true"),
                            _ => Value::String(v.clone()),
                        };
                        with_value(spec, ctx, m, value, rng)
                    }),
                );
                c.needs_resource = resource.clone();
                c.deterministic = true;
                out.push(c);
            }
        } else if is_leaf(m) {
            let mut c = new_case(
                format!("{prefix}::valid::{mid}"),
                CaseKind::Valid,
                Some(m),
                u32::MAX as u64,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = valid_value(spec, ctx, m, Aim::Any, rng).filter(|_| true)?;
                    let v = match ctx.base_value(spec, &m.path) {
                        Some(b) if b == v && !ctx.is_name_member(spec, &m.path) => {
                            valid_value_fresh(spec, ctx, m, rng).unwrap_or(v)
                        }
                        _ => v,
                    };
                    with_value(spec, ctx, m, v, rng)
                }),
            );
            c.needs_resource = resource.clone();
            c.deterministic = false;
            out.push(c);
        }
        for (ci, c) in m.constraints.iter().enumerate() {
            out.extend(constraint_cases(
                spec,
                prefix,
                &mid,
                mi,
                m,
                ci,
                c.family,
                resource.clone(),
            ));
        }
        if !m.path.contains('.') && !m.path.contains('[') && !m.path.contains('{') {
            out.extend(wire_member_cases(prefix, &mid, mi, m));
        }
    }
    out.extend(wire_cases(prefix));
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// A valid value other than the base request's (so `valid::<member>` changes something).
fn valid_value_fresh(spec: &Spec, ctx: &Context, m: &Member, rng: &mut Rng) -> Option<Value> {
    let base = ctx.base_value(spec, &m.path);
    let mut local = rng.clone();
    for _ in 0..8 {
        let mut probe = m.clone();
        probe.path = format!("{}#fresh", m.path);
        if let Some(v) = valid_value(spec, ctx, &probe, Aim::Any, &mut local) {
            if Some(&v) != base.as_ref() {
                *rng = local;
                return Some(v);
            }
        }
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn constraint_cases(
    spec: &Spec,
    prefix: &str,
    mid: &str,
    mi: usize,
    m: &Member,
    ci: usize,
    family: Family,
    resource: Option<String>,
) -> Vec<Case> {
    let c = &m.constraints[ci];
    let row = format!("{} {}", m.path, c.id);
    let mut out = Vec::new();
    let when_suffix = c
        .when
        .map(|w| format!("_{}", w.as_str()))
        .unwrap_or_default();
    let _ = family;

    let violation = |id: &str, span: u64, build: Arc<Build>| {
        let mut case = new_case(
            format!("{prefix}::{mid}::{id}"),
            CaseKind::Violation,
            Some(m),
            span,
            build,
        );
        case.row = Some(row.clone());
        case
    };
    let boundary = |name: String, build: Arc<Build>| {
        let mut case = new_case(
            format!("{prefix}::{mid}::{name}"),
            CaseKind::Boundary,
            Some(m),
            0,
            build,
        );
        case.needs_resource = resource.clone();
        case.deterministic = false;
        case
    };
    let member = move |spec: &Spec| spec.members[mi].clone();

    match &c.kind {
        Kind::Required => {
            let when = c.when;
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let (mut root, name) = base(spec, ctx, rng);
                    if when == Some(Condition::ImagePackage) {
                        root.as_object_mut()?
                            .insert("PackageType".into(), Value::String("Image".into()));
                    }
                    if m.path.contains('.') || m.path.contains('[') {
                        let parent = &m.path[..m.path.rfind('.')?];
                        let pm = spec.member(parent)?;
                        let v = valid_value(spec, ctx, pm, Aim::Any, rng)?;
                        set_path(spec, ctx, &mut root, parent, v, rng)?;
                        fill_required(spec, ctx, &mut root, None, rng)?;
                    }
                    remove_path(&mut root, &m.path);
                    Some((Body::Json(root), name))
                }),
            ));
        }
        Kind::MaxLength { max } => {
            let max = *max as usize;
            out.push(violation(
                &c.id,
                (max as u64 * 3).clamp(1, 3000),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let v = sized_string(spec, ctx, &m, max + 1 + p as usize, rng);
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
            out.push(boundary(
                format!("at_max_length{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let v = sized_string(spec, ctx, &m, max, rng);
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::MinLength { min } => {
            let min = *min as usize;
            if min > 0 {
                out.push(violation(
                    &c.id,
                    (min - 1) as u64,
                    Arc::new(move |spec, ctx, p, rng| {
                        let m = member(spec);
                        let v =
                            sized_string(spec, ctx, &m, min - 1 - (p as usize).min(min - 1), rng);
                        with_value(spec, ctx, &m, v, rng)
                    }),
                ));
            }
            out.push(boundary(
                format!("at_min_length{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let v = sized_string(spec, ctx, &m, min, rng);
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::Max { max } => {
            let max = *max;
            out.push(violation(
                &c.id,
                int_span(m, max + 1.0, true),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let v = number(&m, max + 1.0 + p as f64)?;
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
            out.push(boundary(
                "at_max".into(),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let v = number(&m, max)?;
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::Min { min } => {
            let min = *min;
            out.push(violation(
                &c.id,
                int_span(m, min - 1.0, false),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let v = number(&m, min - 1.0 - p as f64)?;
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
            out.push(boundary(
                "at_min".into(),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let v = number(&m, min)?;
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::MaxItems { max } => {
            let max = *max as usize;
            out.push(violation(
                &c.id,
                (max as u64).clamp(1, 20),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let v = collection(spec, ctx, &m, max + 1 + p as usize, rng)?;
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
            out.push(boundary(
                format!("at_max_items{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let v = collection(spec, ctx, &m, max, rng)?;
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::MinItems { min } => {
            let min = *min as usize;
            if min > 0 {
                out.push(violation(
                    &c.id,
                    0,
                    Arc::new(move |spec, ctx, _p, rng| {
                        let m = member(spec);
                        let v = collection(spec, ctx, &m, min - 1, rng)?;
                        with_value(spec, ctx, &m, v, rng)
                    }),
                ));
            }
        }
        Kind::Pattern { .. } => {
            let (lo, hi) = bounds(m, "length");
            let lo = (lo.unwrap_or(0.0) as usize).max(1);
            let hi = hi.map_or(lo + 63, |h| (h as usize).min(lo + 63)).max(lo);
            out.push(violation(
                &c.id,
                (hi - lo) as u64,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let pattern = m.constraints.get(ci)?.compiled.clone()?;
                    let n = lo + p as usize;
                    let good = match sized_string(spec, ctx, &m, n, rng) {
                        Value::String(s) if pattern.matches(&s) => s,
                        _ => "a".repeat(n),
                    };
                    let bad = break_pattern(&pattern, &good, rng)?;
                    with_value(spec, ctx, &m, Value::String(bad), rng)
                }),
            ));
        }
        Kind::Enum { values } => {
            let values = values.clone();
            let vals = values.clone();
            out.push(violation(
                &c.id,
                20,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let n = 3 + (p as usize % 12);
                    let word: String = (0..n)
                        .map(|_| (b'a' + rng.below(26) as u8) as char)
                        .collect();
                    if vals.contains(&word) {
                        return None;
                    }
                    with_value(spec, ctx, &m, Value::String(word), rng)
                }),
            ));
            let variants: Vec<String> = values
                .iter()
                .map(|v| swap_case(v))
                .filter(|v| !values.contains(v))
                .collect();
            if !variants.is_empty() {
                let span = variants.len() as u64 - 1;
                let mut case = violation(
                    "enum_case_variant",
                    span,
                    Arc::new(move |spec, ctx, p, rng| {
                        let m = member(spec);
                        let v = variants.get(p as usize)?.clone();
                        with_value(spec, ctx, &m, Value::String(v), rng)
                    }),
                );
                case.id = format!("{prefix}::{mid}::{}_case_variant", c.id);
                out.push(case);
            }
        }
        Kind::NotIn { values } => {
            let values = values.clone();
            out.push(violation(
                &c.id,
                values.len().saturating_sub(1) as u64,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let v = values.get(p as usize)?.clone();
                    with_value(spec, ctx, &m, Value::String(v), rng)
                }),
            ));
        }
        Kind::MultipleOf { step } => {
            let step = *step;
            out.push(violation(
                &c.id,
                (step - 2).max(0) as u64,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let (lo, _) = bounds(&m, "value");
                    let lo = lo.unwrap_or(0.0) as i64;
                    let first = ((lo + step - 1) / step) * step;
                    let v = first + 1 + (p as i64 % (step - 1).max(1));
                    with_value(spec, ctx, &m, Value::from(v), rng)
                }),
            ));
        }
        Kind::MaxJsonBytes { max } => {
            let max = *max as usize;
            out.push(violation(
                &c.id,
                1000,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let kids = children(spec, &m.path);
                    let key_member = kids.iter().find(|k| k.path.ends_with("{key}"))?;
                    let key = valid_value(spec, ctx, key_member, Aim::Any, rng)?;
                    let key = key.as_str()?.to_string();
                    let target = max + 1 + p as usize;
                    let fill = target.checked_sub(key.len() + 7)?;
                    let mut obj = Map::new();
                    obj.insert(key, Value::String("x".repeat(fill)));
                    let v = Value::Object(obj);
                    (serde_json::to_string(&v).ok()?.len() == target).then_some(())?;
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::Zip => {
            out.push(violation(
                &c.id,
                60,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = member(spec);
                    let bytes: Vec<u8> = (0..4 + p).map(|_| rng.below(256) as u8).collect();
                    if bytes.starts_with(b"PK") {
                        return None;
                    }
                    let v = Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::NonEmptyZip => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let v = Value::String(
                        base64::engine::general_purpose::STANDARD.encode(empty_zip()),
                    );
                    with_value(spec, ctx, &m, v, rng)
                }),
            ));
        }
        Kind::ArnRegion => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let other = if ctx.region == "eu-west-1" {
                        "us-east-1"
                    } else {
                        "eu-west-1"
                    };
                    let account = ctx.account.clone()?;
                    let arn = format!(
                        "arn:aws:lambda:{other}:{account}:function:{}",
                        ctx.fresh_name(rng)
                    );
                    with_value(spec, ctx, &m, Value::String(arn), rng)
                }),
            ));
        }
        Kind::ArnAccount => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = member(spec);
                    let other = if ctx.account.as_deref() == Some("210987654321") {
                        "123456789012"
                    } else {
                        "210987654321"
                    };
                    let arn = format!(
                        "arn:aws:lambda:{}:{other}:function:{}",
                        ctx.region,
                        ctx.fresh_name(rng)
                    );
                    with_value(spec, ctx, &m, Value::String(arn), rng)
                }),
            ));
        }
        // Over 50 MB per request: kept in the table (and the stub), not generated.
        Kind::MaxDecodedBytes { .. } | Kind::MaxRequestBytes { .. } => {}
    }
    let _ = spec;
    out
}

fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn wrong_type(ty: MemberType) -> Value {
    match ty {
        MemberType::String | MemberType::Blob | MemberType::Timestamp => Value::from(12345),
        MemberType::Integer | MemberType::Long | MemberType::Double => Value::String("128".into()),
        MemberType::Boolean => Value::String("true".into()),
        MemberType::List | MemberType::Structure | MemberType::Map => Value::String("x".into()),
    }
}

fn wire_member_cases(prefix: &str, mid: &str, mi: usize, m: &Member) -> Vec<Case> {
    let mut null = new_case(
        format!("{prefix}::{mid}::null"),
        CaseKind::Wire,
        Some(m),
        0,
        Arc::new(move |spec, ctx, _p, rng| {
            let m = &spec.members[mi];
            let (mut root, name) = base(spec, ctx, rng);
            root.as_object_mut()?.insert(m.path.clone(), Value::Null);
            Some((Body::Json(root), name))
        }),
    );
    null.sdk = false;
    null.assumption = Some("a JSON null is treated as an absent member (restJson1)".into());
    let mut wrong = new_case(
        format!("{prefix}::{mid}::wrong_type"),
        CaseKind::Wire,
        Some(m),
        0,
        Arc::new(move |spec, ctx, _p, rng| {
            let m = &spec.members[mi];
            let (mut root, name) = base(spec, ctx, rng);
            root.as_object_mut()?
                .insert(m.path.clone(), wrong_type(m.ty));
            Some((Body::Json(root), name))
        }),
    );
    wrong.sdk = false;
    vec![null, wrong]
}

fn wire_cases(prefix: &str) -> Vec<Case> {
    let raw = |id: &str, assumption: Option<&str>, build: Arc<Build>| {
        let mut c = new_case(
            format!("{prefix}::wire::{id}"),
            CaseKind::Wire,
            None,
            0,
            build,
        );
        c.sdk = false;
        c.assumption = assumption.map(str::to_string);
        c
    };
    let json_text = |spec: &Spec, ctx: &Context, rng: &mut Rng| {
        let (root, name) = base(spec, ctx, rng);
        (serde_json::to_string(&root).unwrap_or_default(), root, name)
    };
    vec![
        raw(
            "not_json",
            None,
            Arc::new(move |spec, ctx, _p, rng| {
                let (_, _, name) = json_text(spec, ctx, rng);
                Some((
                    Body::Raw(
                        format!("FunctionName={name}").into_bytes(),
                        Some("application/json".into()),
                    ),
                    name,
                ))
            }),
        ),
        raw(
            "truncated_json",
            None,
            Arc::new(move |spec, ctx, _p, rng| {
                let (text, _, name) = json_text(spec, ctx, rng);
                let cut = text.len() / 2;
                Some((
                    Body::Raw(
                        text.as_bytes()[..cut].to_vec(),
                        Some("application/json".into()),
                    ),
                    name,
                ))
            }),
        ),
        raw(
            "json_array",
            None,
            Arc::new(move |spec, ctx, _p, rng| {
                let (text, _, name) = json_text(spec, ctx, rng);
                Some((
                    Body::Raw(
                        format!("[{text}]").into_bytes(),
                        Some("application/json".into()),
                    ),
                    name,
                ))
            }),
        ),
        raw(
            "empty_body",
            None,
            Arc::new(move |_spec, ctx, _p, rng| {
                Some((
                    Body::Raw(Vec::new(), Some("application/json".into())),
                    ctx.fresh_name(rng),
                ))
            }),
        ),
        raw(
            "wrong_content_type",
            None,
            Arc::new(move |spec, ctx, _p, rng| {
                let (text, _, name) = json_text(spec, ctx, rng);
                Some((
                    Body::Raw(text.into_bytes(), Some("text/plain".into())),
                    name,
                ))
            }),
        ),
        raw(
            "bad_base64",
            None,
            Arc::new(move |spec, ctx, _p, rng| {
                let (_, mut root, name) = json_text(spec, ctx, rng);
                let blob = spec.members.iter().find(|m| m.ty == MemberType::Blob)?;
                set_path(
                    spec,
                    ctx,
                    &mut root,
                    &blob.path,
                    Value::String("not base64!!".into()),
                    rng,
                )?;
                Some((Body::Json(root), name))
            }),
        ),
        raw(
            "unknown_key",
            Some("members the model does not define are ignored"),
            Arc::new(move |spec, ctx, _p, rng| {
                let (_, mut root, name) = json_text(spec, ctx, rng);
                root.as_object_mut()?
                    .insert("LambdaConformUnknownMember".into(), Value::from(1));
                Some((Body::Json(root), name))
            }),
        ),
    ]
}

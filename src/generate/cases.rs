//! The case classes of a spec and how each one makes a request.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::Value;

use super::strings::Rng;
use super::values::{fill_required, make_hold, satisfy, set_path, valid_value, Aim};
use super::violations::constraint_cases;
use super::wire::{wire_cases, wire_member_cases};
use super::Context;
use crate::spec::validate::{self, Answer};
use crate::spec::{CaseRowKind, Condition, Constraint, Kind, Member, MemberType, Source, Spec};
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

pub(super) type Build =
    dyn Fn(&Spec, &Context, u64, &mut Rng) -> Option<(Body, String)> + Send + Sync;

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
    /// For a table-spelled violation: every row it breaks at once (the answer must name exactly these).
    pub breaks: Vec<String>,
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
        let (mut body, function_name) = (self.build)(spec, ctx, param.min(self.span), &mut rng)?;
        if let Body::Json(root) = &mut body {
            self.fit_cross_member(spec, ctx, root, &mut rng)?;
        }
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
            (CaseKind::Violation, Answer::Error(e)) if !self.breaks.is_empty() => {
                let got: std::collections::BTreeSet<&String> = e.rows.iter().collect();
                got == self.breaks.iter().collect()
            }
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

    /// The constraint a violation case breaks.
    fn constraint<'a>(&self, spec: &'a Spec) -> Option<&'a Constraint> {
        let (path, id) = self.row.as_deref()?.rsplit_once(' ')?;
        spec.member(path)?.constraints.iter().find(|c| c.id == id)
    }

    /// Cross-member rules: a valid request keeps all of them; a violation makes its own rule's
    /// condition hold and keeps every other.
    fn fit_cross_member(
        &self,
        spec: &Spec,
        ctx: &Context,
        root: &mut Value,
        rng: &mut Rng,
    ) -> Option<()> {
        let keep = self.member.as_deref();
        match self.kind {
            CaseKind::Valid | CaseKind::Boundary => satisfy(spec, ctx, root, keep, None, rng),
            CaseKind::Violation => {
                if let Some(c) = self.constraint(spec) {
                    if c.when == Some(Condition::ImagePackage) && c.kind != Kind::Required {
                        root.as_object_mut()?
                            .insert("PackageType".into(), Value::String("Image".into()));
                    }
                    if let Some(cond) = &c.when_request {
                        make_hold(spec, ctx, root, cond, rng)?;
                    }
                }
                satisfy(spec, ctx, root, keep, self.row.as_deref(), rng)
            }
            CaseKind::Wire => Some(()),
        }
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

pub(super) fn base(spec: &Spec, ctx: &Context, rng: &mut Rng) -> (Value, String) {
    let name = ctx.fresh_name(rng);
    (ctx.base_request(spec, &name), name)
}

/// The request with `member` set to `value` (and whatever it needs around it).
pub(super) fn with_value(
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

pub(super) fn new_case(
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
        breaks: Vec::new(),
        build,
    }
}

pub(super) fn is_leaf(m: &Member) -> bool {
    !matches!(
        m.ty,
        MemberType::Structure | MemberType::List | MemberType::Map
    )
}

/// A member inherits the resource need of its ancestors' items (`FileSystemConfigs[].Arn` → its list).
pub(super) fn resource_of(spec: &Spec, m: &Member) -> Option<String> {
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
    out.extend(table_cases(spec, prefix));
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    mark_added_resources(spec, &mut out);
    out
}

/// The case classes the table spells out (`[[case]]` rows): the base request with some members set.
fn table_cases(spec: &Spec, prefix: &str) -> Vec<Case> {
    spec.cases
        .iter()
        .enumerate()
        .map(|(ri, row)| {
            let kind = match row.kind {
                CaseRowKind::Valid => CaseKind::Valid,
                CaseRowKind::Boundary => CaseKind::Boundary,
                CaseRowKind::Violation => CaseKind::Violation,
            };
            let member = row.member.as_deref().and_then(|p| spec.member(p));
            let mut c = new_case(
                format!("{prefix}::{}", row.id),
                kind,
                member,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let row = spec.cases.get(ri)?;
                    let (mut root, name) = base(spec, ctx, rng);
                    let obj = root.as_object_mut()?;
                    for (k, v) in row.set.as_object()? {
                        obj.insert(k.clone(), ctx.fill_case(v, &name)?);
                    }
                    Some((Body::Json(root), name))
                }),
            );
            c.row = row.breaks.first().cloned();
            c.breaks = row.breaks.clone();
            if row.source == Source::Assumed {
                c.assumption = Some(
                    row.evidence
                        .clone()
                        .unwrap_or_else(|| "nobody recorded it".into()),
                );
            }
            c
        })
        .collect()
}

/// A case whose requests gain, through a cross-member rule, a member that names a resource (a Timeout
/// above 900 gets a CapacityProviderConfig, an Image function an image URI) needs that resource too.
fn mark_added_resources(spec: &Spec, cases: &mut [Case]) {
    let ctx = Context::new(0, "arn:aws:iam::123456789012:role/lambda-conform-probe");
    let base = ctx.base_request(spec, "probe");
    // What a cross-member repair can add: a condition's member, or a member required under a condition.
    let added: Vec<&str> = spec
        .members
        .iter()
        .flat_map(|m| {
            m.constraints
                .iter()
                .filter_map(move |c| match &c.when_request {
                    Some(w) => Some(w.member.as_str()),
                    None if c.kind == Kind::Required && c.when.is_some() => Some(m.path.as_str()),
                    None => None,
                })
        })
        .collect();
    let inside = |path: &str, outer: &str| {
        path == outer
            || path
                .strip_prefix(outer)
                .is_some_and(|r| r.starts_with(['.', '[', '{']))
    };
    let needing: Vec<&Member> = spec
        .members
        .iter()
        .filter(|m| m.needs_resource.is_some())
        .filter(|m| added.iter().any(|a| inside(&m.path, a)))
        .collect();
    for case in cases.iter_mut() {
        if case.kind == CaseKind::Wire || case.needs_resource.is_some() {
            continue;
        }
        for seed in 0..4u64 {
            let Some(json) = case.instance(spec, &ctx, 0, seed).and_then(|i| i.json) else {
                continue;
            };
            // The case's own member is what it exercises, not something a repair added.
            let own = case.member.clone().unwrap_or_default();
            let added = needing.iter().find(|m| {
                !inside(&m.path, &own)
                    && !validate::reach(&json, &m.path).is_empty()
                    && validate::reach(&base, &m.path).is_empty()
            });
            if let Some(m) = added {
                case.needs_resource = m.needs_resource.clone();
                break;
            }
        }
    }
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

//! One case class (`Case`: an id, a kind, the member it exercises and how to build its requests) and
//! one of its requests (`Instance`), with the pieces every generator builds them from.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::Value;

use super::strings::Rng;
use super::values::{fill_required, make_hold, satisfy, set_path};
use super::Context;
use crate::spec::validate::{self, Expectation};
use crate::spec::{Condition, Constraint, Kind, Member, MemberType, Spec};
use crate::wire::WireRequest;

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
    /// What the table says the endpoint answers (worked out while building the instance, for the
    /// context it was built with), so that running it does not judge the body twice.
    pub answer: Expectation,
}

/// One line of `cases --format jsonl`: case id, parameter, seed (16 hex digits) and the request,
/// serialised as they stand (no intermediate JSON value: a line can hold a 2.8 MB body). The line's
/// shape as serde writes it; [`Instance::write_export_line`] writes the same bytes faster, and
/// `tests/generate.rs` holds the two equal on every corpus instance.
#[derive(Debug, serde::Serialize)]
pub struct ExportLine<'a> {
    case: &'a str,
    param: u64,
    seed: String,
    request: &'a WireRequest,
}

impl Instance {
    /// Appends this instance's line of `cases --format jsonl` (without the newline): what
    /// `serde_json::to_vec(&self.export_line())` writes, its body escaped by
    /// [`crate::wire::write_json_str`].
    pub fn write_export_line(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"case\":");
        crate::wire::write_json_str(&self.case_id, out);
        out.extend_from_slice(
            format!(
                ",\"param\":{},\"seed\":\"{:016x}\",\"request\":",
                self.param, self.seed
            )
            .as_bytes(),
        );
        self.request.write_json(out);
        out.push(b'}');
    }

    /// This instance as a line of `cases --format jsonl`.
    pub fn export_line(&self) -> ExportLine<'_> {
        ExportLine {
            case: &self.case_id,
            param: self.param,
            seed: format!("{:016x}", self.seed),
            request: &self.request,
        }
    }
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
                let bytes = crate::wire::json_bytes(&v);
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
        let facts = ctx.facts(request.body.len());
        let answer = match &json {
            // The body is this JSON, serialised: judged without reading it back.
            Some(root) => validate::answer_for_json(
                spec,
                root,
                request.body.len(),
                request.header("content-type"),
                &facts,
            ),
            None => {
                validate::answer_with(spec, &request.body, request.header("content-type"), &facts)
            }
        };
        let ok = match (self.kind, &answer) {
            (CaseKind::Valid | CaseKind::Boundary, a) => *a == Expectation::Success,
            (CaseKind::Violation, Expectation::Error(e)) if !self.breaks.is_empty() => {
                let got: std::collections::BTreeSet<&String> = e.rows.iter().collect();
                got == self.breaks.iter().collect()
            }
            (CaseKind::Violation, Expectation::Error(e)) => self.row.as_ref().is_some_and(|r| {
                if self.exact {
                    e.rows.len() == 1 && e.rows[0] == *r
                } else {
                    e.rows.first() == Some(r)
                        || e.rows.contains(r) && e.error_type == spec_validation_type(spec)
                }
            }),
            (CaseKind::Violation, Expectation::Success) => false,
            (CaseKind::Wire, _) => true,
        };
        ok.then(|| Instance {
            case_id: self.id.clone(),
            param,
            seed,
            request,
            json,
            function_name,
            answer,
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
    if member.walk.names_function {
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

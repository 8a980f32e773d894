//! Valid values for any member, read off the table, and placing values into a request.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::string_plan::StringPlan;
use super::strings::Rng;
use super::Context;
use crate::spec::validate::{self, Step};
use crate::spec::{Kind, Member, MemberType, Spec};

/// Which part of the legal range to aim at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aim {
    /// Anywhere (small sizes preferred, so requests stay readable).
    Any,
    /// Exactly the lower bound of the constraint being exercised.
    Min,
    /// Exactly the upper bound.
    Max,
}

/// The direct children of a path: struct members, the list item, the map key and value.
pub fn children<'a>(spec: &'a Spec, parent: &str) -> Vec<&'a Member> {
    spec.members
        .iter()
        .filter(|m| match m.path.strip_prefix(parent) {
            Some(rest) if !parent.is_empty() => {
                rest == "[]"
                    || rest == "{key}"
                    || rest == "{value}"
                    || rest
                        .strip_prefix('.')
                        .is_some_and(|r| !r.contains('.') && !r.contains('[') && !r.contains('{'))
            }
            _ => false,
        })
        .collect()
}

fn field_name(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The effective bounds of a member for one constraint family ("length", "value", "items"),
/// taking unconditional constraints and cross-member ones (`when_request`: a value inside them is
/// valid whatever the other members say); constraints under a `when` are exercised by their own cases.
pub fn bounds(member: &Member, what: &str) -> (Option<f64>, Option<f64>) {
    let mut lo: Option<f64> = None;
    let mut hi: Option<f64> = None;
    let up = |a: Option<f64>, b: f64| Some(a.map_or(b, |a| a.max(b)));
    let down = |a: Option<f64>, b: f64| Some(a.map_or(b, |a| a.min(b)));
    for c in member.constraints.iter().filter(|c| c.when.is_none()) {
        match (&c.kind, what) {
            (Kind::MinLength { min }, "length") | (Kind::MinItems { min }, "items") => {
                lo = up(lo, *min as f64)
            }
            (Kind::MaxLength { max }, "length") | (Kind::MaxItems { max }, "items") => {
                hi = down(hi, *max as f64)
            }
            (Kind::Min { min }, "value") => lo = up(lo, *min),
            (Kind::Max { max }, "value") => hi = down(hi, *max),
            _ => {}
        }
    }
    (lo, hi)
}

pub(super) fn tighter(member: &Member, hi: Option<f64>) -> Option<f64> {
    // Conditional maxima (a bare name's 64) narrow what a valid value may be by default.
    member
        .constraints
        .iter()
        .filter(|c| c.when.is_some())
        .filter_map(|c| match c.kind {
            Kind::MaxLength { max } => Some(max as f64),
            _ => None,
        })
        .chain(hi)
        .reduce(f64::min)
}

pub(super) fn enum_values(member: &Member) -> Option<Vec<String>> {
    let refused: Vec<&String> = member
        .constraints
        .iter()
        .flat_map(|c| match &c.kind {
            Kind::NotIn { values } => values.iter().collect(),
            _ => vec![],
        })
        .collect();
    member.constraints.iter().find_map(|c| match &c.kind {
        Kind::Enum { values } => Some(
            values
                .iter()
                .filter(|v| !refused.contains(v))
                .cloned()
                .collect(),
        ),
        _ => None,
    })
}

/// A valid value for `member` (and everything inside it).
pub fn valid_value(
    spec: &Spec,
    ctx: &Context,
    member: &Member,
    aim: Aim,
    rng: &mut Rng,
) -> Option<Value> {
    if matches!(member.ty, MemberType::String | MemberType::Timestamp) {
        return StringPlan::of(spec, ctx, member, aim).draw(ctx, member, rng);
    }
    if member.walk.names_function && aim == Aim::Any {
        return Some(Value::String(ctx.fresh_name(rng)));
    }
    if let Some(base) = ctx.base_value(spec, member) {
        if aim == Aim::Any {
            return Some(base);
        }
    }
    match member.ty {
        // Drawn above, by its plan (which makes the name and base-value checks itself).
        MemberType::String | MemberType::Timestamp => None,
        MemberType::Integer | MemberType::Long | MemberType::Double => {
            let (lo, hi) = bounds(member, "value");
            let lo = lo.unwrap_or(0.0);
            let hi = hi.unwrap_or(lo + 1000.0);
            let step = member.constraints.iter().find_map(|c| match c.kind {
                Kind::MultipleOf { step } => Some(step as f64),
                _ => None,
            });
            let mut v = match aim {
                Aim::Min => lo,
                Aim::Max => hi,
                Aim::Any => {
                    let top = hi.min(lo + 4096.0);
                    rng.range(lo as u64, top as u64) as f64
                }
            };
            if let Some(step) = step {
                v = (v / step).floor() * step;
                if v < lo {
                    v += step;
                }
            }
            if member.ty == MemberType::Double {
                serde_json::Number::from_f64(v).map(Value::Number)
            } else {
                Some(Value::from(v as i64))
            }
        }
        MemberType::Boolean => Some(Value::Bool(rng.chance(0.5))),
        MemberType::Blob => Some(Value::String(
            base64::engine::general_purpose::STANDARD.encode(&ctx.zip),
        )),
        MemberType::Structure => {
            let mut obj = Map::new();
            for child in children(spec, &member.path) {
                if child.required {
                    obj.insert(
                        field_name(&child.path).to_string(),
                        valid_value(spec, ctx, child, Aim::Any, rng)?,
                    );
                }
            }
            Some(Value::Object(obj))
        }
        MemberType::List => {
            let item = children(spec, &member.path).into_iter().next()?;
            let (lo, hi) = bounds(member, "items");
            let lo = lo.unwrap_or(0.0) as usize;
            let n = match aim {
                Aim::Min => lo,
                Aim::Max => tighter_items(member, hi)? as usize,
                Aim::Any => lo
                    .max(1)
                    .min(tighter_items(member, hi).map_or(1, |h| h as usize)),
            };
            valid_items(spec, ctx, item, n, rng).map(Value::Array)
        }
        MemberType::Map => {
            let kids = children(spec, &member.path);
            let key = kids.iter().find(|m| m.path.ends_with("{key}"))?;
            let val = kids.iter().find(|m| m.path.ends_with("{value}"))?;
            let (lo, hi) = bounds(member, "items");
            let lo = lo.unwrap_or(0.0) as usize;
            let n = match aim {
                Aim::Min => lo,
                Aim::Max => tighter_items(member, hi)? as usize,
                Aim::Any => lo.max(1),
            };
            let (keys, vals) = (Valid::of(spec, ctx, key), Valid::of(spec, ctx, val));
            let mut obj = Map::new();
            let mut guard = 0;
            while obj.len() < n && guard < n * 20 + 20 {
                guard += 1;
                let k = keys.draw(spec, ctx, key, rng)?;
                let v = vals.draw(spec, ctx, val, rng)?;
                if let Value::String(k) = k {
                    if !k.is_empty() {
                        obj.insert(k, v);
                    }
                }
            }
            (obj.len() == n).then_some(Value::Object(obj))
        }
    }
}

/// `n` valid values of one member (a list's items), what `n` calls of [`valid_value`] with
/// [`Aim::Any`] make, with what a string needs read off the table once.
pub fn valid_items(
    spec: &Spec,
    ctx: &Context,
    item: &Member,
    n: usize,
    rng: &mut Rng,
) -> Option<Vec<Value>> {
    let valid = Valid::of(spec, ctx, item);
    // Sized at once: collecting through `Option` would grow the list step by step.
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        items.push(valid.draw(spec, ctx, item, rng)?);
    }
    Some(items)
}

/// Valid values of one member, drawn again and again: a string's plan made once.
pub enum Valid {
    /// A string member.
    Text(StringPlan),
    /// Anything else (each draw reads the table).
    Other,
}

impl Valid {
    /// Ready to draw values of `member` (aiming anywhere).
    pub fn of(spec: &Spec, ctx: &Context, member: &Member) -> Self {
        if matches!(member.ty, MemberType::String | MemberType::Timestamp) {
            Valid::Text(StringPlan::of(spec, ctx, member, Aim::Any))
        } else {
            Valid::Other
        }
    }

    /// One value: what `valid_value(spec, ctx, member, Aim::Any, rng)` gives.
    pub fn draw(
        &self,
        spec: &Spec,
        ctx: &Context,
        member: &Member,
        rng: &mut Rng,
    ) -> Option<Value> {
        match self {
            Valid::Text(plan) => plan.draw(ctx, member, rng),
            Valid::Other => valid_value(spec, ctx, member, Aim::Any, rng),
        }
    }
}

fn tighter_items(member: &Member, hi: Option<f64>) -> Option<f64> {
    member
        .constraints
        .iter()
        .filter_map(|c| match c.kind {
            Kind::MaxItems { max } => Some(max as f64),
            _ => None,
        })
        .chain(hi)
        .reduce(f64::min)
}

/// Puts `value` at `path` in `root`, creating the enclosing objects, lists and maps.
/// Lists get exactly one item; maps one entry (the other half generated valid).
pub fn set_path(
    spec: &Spec,
    ctx: &Context,
    root: &mut Value,
    path: &str,
    value: Value,
    rng: &mut Rng,
) -> Option<()> {
    let steps = validate::steps(path);
    set_steps(spec, ctx, root, path, &steps, value, rng)
}

fn set_steps(
    spec: &Spec,
    ctx: &Context,
    node: &mut Value,
    full: &str,
    steps: &[Step],
    value: Value,
    rng: &mut Rng,
) -> Option<()> {
    let Some((first, rest)) = steps.split_first() else {
        *node = value;
        return Some(());
    };
    match first {
        Step::Field(name) => {
            if !node.is_object() {
                *node = Value::Object(Map::new());
            }
            let obj = node.as_object_mut()?;
            let child = obj.entry(name.clone()).or_insert(Value::Null);
            if rest.is_empty() {
                *child = value;
                Some(())
            } else {
                set_steps(spec, ctx, child, full, rest, value, rng)
            }
        }
        Step::Items => {
            let mut item = Value::Null;
            set_steps(spec, ctx, &mut item, full, rest, value, rng)?;
            *node = Value::Array(vec![item]);
            Some(())
        }
        Step::Keys => {
            let prefix = &full[..full.rfind("{key}")?];
            let val_member = spec.member(&format!("{prefix}{{value}}"))?;
            let v = valid_value(spec, ctx, val_member, Aim::Any, rng)?;
            let key = value.as_str()?.to_string();
            let mut obj = Map::new();
            obj.insert(key, v);
            *node = Value::Object(obj);
            Some(())
        }
        Step::Values => {
            let prefix = &full[..full.rfind("{value}")?];
            let key_member = spec.member(&format!("{prefix}{{key}}"))?;
            let k = valid_value(spec, ctx, key_member, Aim::Any, rng)?;
            let mut inner = Value::Null;
            set_steps(spec, ctx, &mut inner, full, rest, value, rng)?;
            let mut obj = Map::new();
            obj.insert(k.as_str()?.to_string(), inner);
            *node = Value::Object(obj);
            Some(())
        }
    }
}

/// Removes the member at `path` (a struct field) wherever its parent occurs.
pub fn remove_path(root: &mut Value, path: &str) {
    let (parent, field) = match path.rfind('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    if parent.is_empty() {
        if let Value::Object(m) = root {
            m.shift_remove(field);
        }
        return;
    }
    let steps = validate::steps(parent);
    remove_in(root, &steps, field);
}

fn remove_in(node: &mut Value, steps: &[Step], field: &str) {
    match steps.split_first() {
        None => {
            if let Value::Object(m) = node {
                m.shift_remove(field);
            }
        }
        Some((Step::Field(f), rest)) => {
            if let Some(child) = node.get_mut(f.as_str()) {
                remove_in(child, rest, field);
            }
        }
        Some((Step::Items, rest)) => {
            if let Value::Array(items) = node {
                for i in items {
                    remove_in(i, rest, field);
                }
            }
        }
        Some((Step::Values, rest)) => {
            if let Value::Object(m) = node {
                for (_, v) in m.iter_mut() {
                    remove_in(v, rest, field);
                }
            }
        }
        Some((Step::Keys, _)) => {}
    }
}

/// Fills in required members the request lacks (inside structures a case created), except `keep`.
pub fn fill_required(
    spec: &Spec,
    ctx: &Context,
    root: &mut Value,
    keep: Option<&str>,
    rng: &mut Rng,
) -> Option<()> {
    for _ in 0..6 {
        let facts = ctx.facts(0);
        let unconditional =
            |c: &crate::spec::Constraint| matches!(c.kind, Kind::Required) && c.when.is_none();
        let missing: Vec<String> = validate::violations_where(spec, root, &facts, unconditional)
            .into_iter()
            .filter(|v| Some(v.path.as_str()) != keep)
            .map(|v| v.path)
            .collect();
        if missing.is_empty() {
            return Some(());
        }
        for path in missing {
            let member = spec.member(&path)?;
            let value = valid_value(spec, ctx, member, Aim::Any, rng)?;
            insert_everywhere(root, &path, &value);
        }
    }
    Some(())
}

fn insert_everywhere(root: &mut Value, path: &str, value: &Value) {
    let (parent, field) = match path.rfind('.') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => {
            if let Value::Object(m) = root {
                m.insert(path.to_string(), value.clone());
            }
            return;
        }
    };
    let steps = validate::steps(parent);
    insert_in(root, &steps, field, value);
}

fn insert_in(node: &mut Value, steps: &[Step], field: &str, value: &Value) {
    match steps.split_first() {
        None => {
            if let Value::Object(m) = node {
                if m.get(field).is_none_or(Value::is_null) {
                    m.insert(field.to_string(), value.clone());
                }
            }
        }
        Some((Step::Field(f), rest)) => {
            if let Some(child) = node.get_mut(f.as_str()) {
                insert_in(child, rest, field, value);
            }
        }
        Some((Step::Items, rest)) => {
            if let Value::Array(items) = node {
                for i in items {
                    insert_in(i, rest, field, value);
                }
            }
        }
        Some((Step::Values, rest)) => {
            if let Value::Object(m) = node {
                for (_, v) in m.iter_mut() {
                    insert_in(v, rest, field, value);
                }
            }
        }
        Some((Step::Keys, _)) => {}
    }
}

/// A constraint that ties a member to others: a `when_request` rule, a member that must be absent, a
/// member required only under a condition.
pub fn is_cross_member(c: &crate::spec::Constraint) -> bool {
    c.when_request.is_some()
        || matches!(c.kind, Kind::Absent)
        || (matches!(c.kind, Kind::Required) && c.when.is_some())
}

/// Whether two member paths are the same member or one lies inside the other.
fn related(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| {
        x.strip_prefix(y)
            .is_some_and(|rest| rest.starts_with(['.', '[', '{']))
    };
    a == b || inside(a, b) || inside(b, a)
}

/// Makes a request condition hold (for a case that breaks the rule it guards).
pub fn make_hold(
    spec: &Spec,
    ctx: &Context,
    root: &mut Value,
    cond: &crate::spec::RequestCondition,
    rng: &mut Rng,
) -> Option<()> {
    if cond.holds(root) {
        return Some(());
    }
    if let Some(v) = &cond.equals {
        set_path(spec, ctx, root, &cond.member, v.clone(), rng)?;
    } else if cond.present == Some(true) {
        let m = spec.member(&cond.member)?;
        let v = valid_value(spec, ctx, m, Aim::Any, rng)?;
        set_path(spec, ctx, root, &cond.member, v, rng)?;
    } else {
        // `present = false` or `not_equals`: absent satisfies both.
        remove_path(root, &cond.member);
    }
    fill_required(spec, ctx, root, None, rng)?;
    cond.holds(root).then_some(())
}

/// Makes a request condition fail, choosing a value for its member under which `path` breaks no
/// cross-member rule (for a valid case that varies `path`).
fn make_fail(
    spec: &Spec,
    ctx: &Context,
    root: &mut Value,
    cond: &crate::spec::RequestCondition,
    path: &str,
    rng: &mut Rng,
) -> Option<()> {
    if cond.equals.is_some() || cond.present == Some(true) {
        remove_path(root, &cond.member);
        return (!cond.holds(root)).then_some(());
    }
    let m = spec.member(&cond.member)?;
    let mut candidates: Vec<Value> = Vec::new();
    if let Some(v) = &cond.not_equals {
        candidates.push(v.clone());
    }
    if let Some(values) = enum_values(m) {
        candidates.extend(values.into_iter().map(Value::String));
    }
    for _ in 0..4 {
        candidates.push(valid_value(spec, ctx, m, Aim::Any, rng)?);
    }
    let facts = ctx.facts(0);
    for v in candidates {
        let mut probe = root.clone();
        set_path(spec, ctx, &mut probe, &cond.member, v, rng)?;
        fill_required(spec, ctx, &mut probe, None, rng)?;
        let clean = validate::violations_where(spec, &probe, &facts, is_cross_member)
            .iter()
            .all(|x| x.path != path);
        if clean && !cond.holds(&probe) {
            *root = probe;
            return Some(());
        }
    }
    None
}

/// Repairs the cross-member rules a request breaks, other than `skip` (a violation case's own row,
/// `Path id`): members a rule excludes are removed, members a condition requires are filled in, and
/// where the rule is on the member the case varies (`keep`), the other member is changed instead
/// (a log level gets `LogFormat` JSON, a long Timeout gets a CapacityProviderConfig).
pub fn satisfy(
    spec: &Spec,
    ctx: &Context,
    root: &mut Value,
    keep: Option<&str>,
    skip: Option<&str>,
    rng: &mut Rng,
) -> Option<()> {
    let facts = ctx.facts(0);
    for _ in 0..8 {
        let found = validate::violations_where(spec, root, &facts, is_cross_member)
            .into_iter()
            .find(|v| Some(format!("{} {}", v.path, v.id).as_str()) != skip);
        let Some(v) = found else { return Some(()) };
        let c = &spec.members[v.member].constraints[v.constraint];
        let mine = keep.is_some_and(|k| related(k, &v.path));
        match (&c.kind, &c.when_request) {
            (Kind::Required, _) if !mine => {
                let m = spec.member(&v.path)?;
                let value = valid_value(spec, ctx, m, Aim::Any, rng)?;
                set_path(spec, ctx, root, &v.path, value, rng)?;
            }
            (_, Some(cond)) if mine => make_fail(spec, ctx, root, cond, &v.path, rng)?,
            (Kind::Absent, _) | (_, Some(_)) if !mine => remove_path(root, &v.path),
            _ => return None,
        }
    }
    None
}

//! Violation and boundary classes: for every constraint, a request that breaks exactly it, and
//! valid requests at its bounds.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value};

use super::case::{base, new_case, with_value, Body, Build, Case, CaseKind};
use super::strings::{break_pattern, Rng};
use super::text::{in_place, pattern_lengths, string_in_place, string_of_length};
use super::values::{
    bounds, children, fill_required, remove_path, set_path, valid_items, valid_value, Aim, Valid,
};
use super::{empty_zip, Context};
use crate::spec::{Condition, Family, Kind, Member, MemberType, Spec};

/// A value of `member` with exactly `n` characters, items or entries; breaking the pattern only if it must.
fn sized_string(ctx: &Context, member: &Member, n: usize, rng: &mut Rng) -> Value {
    if member.walk.names_function {
        if let Some(s) = ctx.name_of_length(n, rng) {
            return Value::String(s);
        }
    }
    Value::String(
        string_in_place(member, ctx, n, rng)
            .or_else(|| string_of_length(member, n, rng))
            .unwrap_or_else(|| "a".repeat(n)),
    )
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
            valid_items(spec, ctx, item, n, rng).map(Value::Array)
        }
        MemberType::Map => {
            let key = kids.iter().find(|m| m.path.ends_with("{key}"))?;
            let val = kids.iter().find(|m| m.path.ends_with("{value}"))?;
            let (keys, vals) = (Valid::of(spec, ctx, key), Valid::of(spec, ctx, val));
            let mut obj = Map::new();
            let mut guard = 0;
            while obj.len() < n && guard < 40 + n * 20 {
                guard += 1;
                let k = keys.draw(spec, ctx, key, rng)?;
                if let Value::String(k) = k {
                    if !k.is_empty() {
                        obj.insert(k, vals.draw(spec, ctx, val, rng)?);
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

/// How far past its own bound a violation of constraint `ci` can go before it also breaks another
/// row of the same member (the model's `Timeout` max 5400 above cfn-lint's 900): the span that keeps
/// every draw breaking only its own row. `limit` gives a constraint's bound when it is of the same kind.
fn headroom(
    m: &Member,
    ci: usize,
    own: f64,
    upward: bool,
    limit: impl Fn(&Kind) -> Option<f64>,
) -> Option<u64> {
    m.constraints
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != ci)
        .filter_map(|(_, c)| limit(&c.kind))
        .filter(|b| if upward { *b > own } else { *b < own })
        .map(|b| ((b - own).abs() - 1.0).max(0.0) as u64)
        .min()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn constraint_cases(
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
    // A rule under a condition on another member names its boundary after its own id
    // (`above_max_without_capacity_provider_config` → `at_max_without_capacity_provider_config`).
    let when_suffix = c
        .when
        .map(|w| format!("_{}", w.as_str()))
        .or_else(|| {
            c.when_request.as_ref().map(|_| {
                let rest = c.id.strip_prefix(c.kind.violation_name()).unwrap_or(&c.id);
                format!("_{}", rest.trim_start_matches('_'))
            })
        })
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

    match &c.kind {
        Kind::Required => {
            let when = c.when;
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
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
            let room = headroom(m, ci, max as f64, true, |k| match k {
                Kind::MaxLength { max } => Some(*max as f64),
                _ => None,
            });
            out.push(violation(
                &c.id,
                (max as u64 * 3)
                    .clamp(1, 3000)
                    .min(room.unwrap_or(u64::MAX)),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
                    let v = sized_string(ctx, m, max + 1 + p as usize, rng);
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
            out.push(boundary(
                format!("at_max_length{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = sized_string(ctx, m, max, rng);
                    with_value(spec, ctx, m, v, rng)
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
                        let m = &spec.members[mi];
                        let v = sized_string(ctx, m, min - 1 - (p as usize).min(min - 1), rng);
                        with_value(spec, ctx, m, v, rng)
                    }),
                ));
            }
            out.push(boundary(
                format!("at_min_length{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = sized_string(ctx, m, min, rng);
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
        }
        Kind::Max { max } => {
            let max = *max;
            let room = headroom(m, ci, max, true, |k| match k {
                Kind::Max { max } => Some(*max),
                _ => None,
            });
            out.push(violation(
                &c.id,
                int_span(m, max + 1.0, true).min(room.unwrap_or(u64::MAX)),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
                    let v = number(m, max + 1.0 + p as f64)?;
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
            out.push(boundary(
                format!("at_max{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = number(m, max)?;
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
        }
        Kind::Min { min } => {
            let min = *min;
            let room = headroom(m, ci, min, false, |k| match k {
                Kind::Min { min } => Some(*min),
                _ => None,
            });
            out.push(violation(
                &c.id,
                int_span(m, min - 1.0, false).min(room.unwrap_or(u64::MAX)),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
                    let v = number(m, min - 1.0 - p as f64)?;
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
            out.push(boundary(
                format!("at_min{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = number(m, min)?;
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
        }
        Kind::MaxItems { max } => {
            let max = *max as usize;
            out.push(violation(
                &c.id,
                (max as u64).clamp(1, 20),
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
                    let v = collection(spec, ctx, m, max + 1 + p as usize, rng)?;
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
            out.push(boundary(
                format!("at_max_items{when_suffix}"),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = collection(spec, ctx, m, max, rng)?;
                    with_value(spec, ctx, m, v, rng)
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
                        let m = &spec.members[mi];
                        let v = collection(spec, ctx, m, min - 1, rng)?;
                        with_value(spec, ctx, m, v, rng)
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
                    let m = &spec.members[mi];
                    let pattern = m.constraints.get(ci)?.compiled.clone()?;
                    let n = lo + p as usize;
                    let good = match sized_string(ctx, m, n, rng) {
                        Value::String(s) if pattern.matches(&s) => s,
                        _ => "a".repeat(n),
                    };
                    let bad = break_pattern(&pattern, &good, rng)?;
                    with_value(spec, ctx, m, Value::String(bad), rng)
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
                    let m = &spec.members[mi];
                    let n = 3 + (p as usize % 12);
                    let word: String = (0..n)
                        .map(|_| (b'a' + rng.below(26) as u8) as char)
                        .collect();
                    if vals.contains(&word) {
                        return None;
                    }
                    with_value(spec, ctx, m, Value::String(word), rng)
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
                        let m = &spec.members[mi];
                        let v = variants.get(p as usize)?.clone();
                        with_value(spec, ctx, m, Value::String(v), rng)
                    }),
                );
                case.id = format!("{prefix}::{mid}::{}_case_variant", c.id);
                out.push(case);
            }
        }
        Kind::NotIn { values } => {
            // Only the refused values the member's own pattern lets through break this row alone
            // (`_HANDLER` is reserved, but no environment key may start with `_` anyway).
            let values: Vec<String> = values
                .iter()
                .filter(|v| {
                    m.constraints.iter().all(|x| match (&x.kind, &x.compiled) {
                        (Kind::Pattern { .. }, Some(p)) => p.matches(v),
                        _ => true,
                    })
                })
                .cloned()
                .collect();
            out.push(violation(
                &c.id,
                values.len().saturating_sub(1) as u64,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
                    let v = values.get(p as usize)?.clone();
                    with_value(spec, ctx, m, Value::String(v), rng)
                }),
            ));
        }
        Kind::MultipleOf { step } => {
            let step = *step;
            out.push(violation(
                &c.id,
                (step - 2).max(0) as u64,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
                    let (lo, _) = bounds(m, "value");
                    let lo = lo.unwrap_or(0.0) as i64;
                    let first = ((lo + step - 1) / step) * step;
                    let v = first + 1 + (p as i64 % (step - 1).max(1));
                    with_value(spec, ctx, m, Value::from(v), rng)
                }),
            ));
        }
        Kind::MaxJsonBytes { max } => {
            let max = *max as usize;
            // Exactly at the limit: accepted (the limit is on more than `max` bytes).
            out.push(boundary(
                "at_max_json_bytes".to_string(),
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let kids = children(spec, &m.path);
                    let key_member = kids.iter().find(|k| k.path.ends_with("{key}"))?;
                    let key = valid_value(spec, ctx, key_member, Aim::Any, rng)?;
                    let key = key.as_str()?.to_string();
                    let fill = max.checked_sub(key.len() + 7)?;
                    let mut obj = Map::new();
                    obj.insert(key, Value::String("x".repeat(fill)));
                    let v = Value::Object(obj);
                    (serde_json::to_string(&v).ok()?.len() == max).then_some(())?;
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
            out.push(violation(
                &c.id,
                1000,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
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
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
        }
        Kind::Zip => {
            out.push(violation(
                &c.id,
                60,
                Arc::new(move |spec, ctx, p, rng| {
                    let m = &spec.members[mi];
                    let bytes: Vec<u8> = (0..4 + p).map(|_| rng.below(256) as u8).collect();
                    if bytes.starts_with(b"PK") {
                        return None;
                    }
                    let v = Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
        }
        Kind::NonEmptyZip => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = Value::String(
                        base64::engine::general_purpose::STANDARD.encode(empty_zip()),
                    );
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
        }
        Kind::ArnRegion => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let other = if ctx.region == "eu-west-1" {
                        "us-east-1"
                    } else {
                        "eu-west-1"
                    };
                    let arn = if m.walk.names_function {
                        let account = ctx.account.clone()?;
                        format!(
                            "arn:aws:lambda:{other}:{account}:function:{}",
                            ctx.fresh_name(rng)
                        )
                    } else {
                        // A valid ARN of this member, moved to another region.
                        let good = valid_value(spec, ctx, m, Aim::Any, rng)?;
                        let mut parts: Vec<String> =
                            good.as_str()?.split(':').map(str::to_string).collect();
                        if parts.len() < 5 || parts[0] != "arn" || parts[3].is_empty() {
                            return None;
                        }
                        parts[3] = other.to_string();
                        parts.join(":")
                    };
                    with_value(spec, ctx, m, Value::String(arn), rng)
                }),
            ));
        }
        Kind::ArnAccount => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
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
                    with_value(spec, ctx, m, Value::String(arn), rng)
                }),
            ));
        }
        Kind::Absent => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let v = valid_value(spec, ctx, m, Aim::Any, rng)?;
                    with_value(spec, ctx, m, v, rng)
                }),
            ));
        }
        Kind::NotPattern { .. } => {
            out.push(violation(
                &c.id,
                0,
                Arc::new(move |spec, ctx, _p, rng| {
                    let m = &spec.members[mi];
                    let refused = m.constraints.get(ci)?.compiled.clone()?;
                    let (lo, _) = bounds(m, "length");
                    let (plo, phi) = pattern_lengths(m);
                    let from = (lo.unwrap_or(0.0) as usize).max(plo).max(1);
                    let to = phi.map_or(from + 48, |h| h.min(from + 48));
                    // A value of the model's own form that has the refused form too.
                    for _ in 0..256 {
                        let n = rng.range(from as u64, to as u64) as usize;
                        let Some(s) = string_of_length(m, n, rng) else {
                            continue;
                        };
                        let s = in_place(m, ctx, &s);
                        let others_ok = m.constraints.iter().enumerate().all(|(i, x)| {
                            i == ci
                                || !matches!(x.kind, Kind::Pattern { .. })
                                || x.compiled.as_ref().is_none_or(|p| p.matches(&s))
                        });
                        if refused.matches(&s) && others_ok {
                            return with_value(spec, ctx, m, Value::String(s), rng);
                        }
                    }
                    None
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

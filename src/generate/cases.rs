//! The case classes of a spec and how each one makes a request.

use std::sync::Arc;

use serde_json::Value;

use super::case::{
    base, is_leaf, member_id, new_case, resource_of, with_value, Body, Case, CaseKind,
};
use super::string_plan::StringPlan;
use super::strings::Rng;
use super::values::{valid_value, Aim};
use super::violations::constraint_cases;
use super::wire::{wire_cases, wire_member_cases};
use super::Context;
use crate::spec::validate;
use crate::spec::{CaseRowKind, Condition, Kind, Member, MemberType, Source, Spec};

/// Every case class of the spec, sorted by id, each marked with the resource its requests need.
pub fn cases(spec: &Spec) -> Vec<Case> {
    let mut out = classes(spec);
    mark_added_resources(spec, &mut out);
    out
}

/// Every case class of the spec, sorted by id, without drawing any request: the resources a
/// cross-member repair adds are not marked yet ([`mark_added_resources`] does that, for the classes
/// a run keeps).
pub fn classes(spec: &Spec) -> Vec<Case> {
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
                    let v = match ctx.base_value(spec, m) {
                        Some(b) if b == v && !m.walk.names_function => {
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
pub fn mark_added_resources(spec: &Spec, cases: &mut [Case]) {
    mark(spec, cases, true);
}

/// [`mark_added_resources`]. `filtered`: classes outside [`repair_reach`] are not drawn from, and a
/// deterministic class once; otherwise every class four times (what the filter must agree with).
fn mark(spec: &Spec, cases: &mut [Case], filtered: bool) {
    let ctx = Context::new(0, "arn:aws:iam::123456789012:role/lambda-conform-probe");
    let base = ctx.base_request(spec, "probe");
    let needing = needing(spec);
    let touched = repair_reach(spec, &needing);
    // One draw per work item, so that a class whose requests take long to build (a 2 MiB zip
    // drawn four times) is shared out among the threads instead of keeping one busy while the
    // others wait. A deterministic class (filtered) is drawn until one request builds, as one item.
    let drawn = |case: &Case| {
        !(case.kind == CaseKind::Wire
            || case.needs_resource.is_some()
            // A class that sets nothing under a top-level member a repair can reach adds nothing:
            // its requests are the base request (which needs no resource) with its own member set.
            || filtered
                && case
                    .member
                    .as_deref()
                    .is_some_and(|own| !touched.contains(top_level(own))))
    };
    let items: Vec<(usize, Option<u64>)> = cases
        .iter()
        .enumerate()
        .filter(|(_, case)| drawn(case))
        .flat_map(|(i, case)| {
            let seeds: Vec<Option<u64>> = if filtered && case.deterministic {
                vec![None]
            } else {
                (0..4u64).map(Some).collect()
            };
            seeds.into_iter().map(move |seed| (i, seed))
        })
        .collect();
    // Per item: None when no request was built; else the resource a repair added, if any.
    let added = |case: &Case, seed: u64| -> Option<Option<String>> {
        let json = case.instance(spec, &ctx, 0, seed).and_then(|i| i.json)?;
        // The case's own member is what it exercises, not something a repair added.
        let own = case.member.clone().unwrap_or_default();
        let added = needing.iter().find(|m| {
            !inside(&m.path, &own)
                && !validate::reach(&json, &m.path).is_empty()
                && validate::reach(&base, &m.path).is_empty()
        });
        Some(added.and_then(|m| m.needs_resource.clone()))
    };
    let found = super::par::par_map(&items, |&(i, seed)| {
        let case = &cases[i];
        match seed {
            Some(seed) => added(case, seed).flatten(),
            // Every instance of a deterministic class is this request under another name.
            None => (0..4u64).find_map(|seed| added(case, seed)).flatten(),
        }
    });
    // A class needs what its first draw (by seed) that added a resource added.
    let mut needs: Vec<Option<String>> = vec![None; cases.len()];
    for (&(i, _), need) in items.iter().zip(found) {
        if needs[i].is_none() {
            needs[i] = need;
        }
    }
    for (case, need) in cases.iter_mut().zip(needs) {
        if need.is_some() {
            case.needs_resource = need;
        }
    }
}

/// The members naming a resource that a cross-member repair can add: under a condition's member,
/// or a member required under a condition.
fn needing(spec: &Spec) -> Vec<&Member> {
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
    spec.members
        .iter()
        .filter(|m| m.needs_resource.is_some())
        .filter(|m| added.iter().any(|a| inside(&m.path, a)))
        .collect()
}

/// Whether member path `path` is `outer` or lies under it.
fn inside(path: &str, outer: &str) -> bool {
    path == outer
        || path
            .strip_prefix(outer)
            .is_some_and(|r| r.starts_with(['.', '[', '{']))
}

/// The top-level members under which a request can gain a member of `needing` beyond the one a
/// class sets: those holding a `needing` member (the required members filled in around a class's
/// own member), those a cross-member rule constrains or reads (the repairs that make a broken rule
/// hold again), and `PackageType` when a constraint applies by package type. A class whose own
/// member lies under none of them changes the base request there only, so no repair can add a
/// member naming a resource (`tests::filtered_marks_are_the_exhaustive_marks` checks the filtered
/// marks are the exhaustive ones).
fn repair_reach<'a>(spec: &'a Spec, needing: &[&'a Member]) -> std::collections::BTreeSet<&'a str> {
    let mut touched: std::collections::BTreeSet<&str> =
        needing.iter().map(|m| top_level(&m.path)).collect();
    for m in &spec.members {
        for c in &m.constraints {
            if let Some(w) = &c.when_request {
                touched.insert(top_level(&m.path));
                touched.insert(top_level(&w.member));
            }
            if let Some(when) = c.when {
                touched.insert(top_level(&m.path));
                if matches!(when, Condition::ZipPackage | Condition::ImagePackage) {
                    touched.insert("PackageType");
                }
            }
        }
    }
    touched
}

/// The top-level member a member path lies under (`Code` for `Code.ZipFile`).
fn top_level(path: &str) -> &str {
    path.split(['.', '[', '{']).next().unwrap_or(path)
}

/// A valid value other than the base request's (so `valid::<member>` changes something): a string
/// member's strings drawn without the base request's shortcut, up to 8 times. Other members (the
/// zip, the only valid one the harness has) keep the base value.
fn valid_value_fresh(spec: &Spec, ctx: &Context, m: &Member, rng: &mut Rng) -> Option<Value> {
    if !matches!(m.ty, MemberType::String | MemberType::Timestamp) {
        return None;
    }
    let base = ctx.base_value(spec, m);
    let plan = StringPlan::drawn(ctx, m, Aim::Any);
    let mut local = rng.clone();
    for _ in 0..8 {
        if let Some(v) = plan.draw(ctx, m, &mut local) {
            if Some(&v) != base.as_ref() {
                *rng = local;
                return Some(v);
            }
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The filter only saves draws: every shipped profile's classes come out marked exactly as
    /// when every class is drawn from, and the filter does leave classes out.
    pub(crate) fn filtered_marks_are_the_exhaustive_marks() {
        for profile in crate::spec::profiles() {
            let spec = crate::spec::load(profile, None).expect("a shipped profile loads");
            let mut filtered = classes(&spec);
            let mut exhaustive = filtered.clone();
            mark(&spec, &mut filtered, true);
            mark(&spec, &mut exhaustive, false);
            let marks = |cases: &[Case]| -> Vec<(String, Option<String>)> {
                cases
                    .iter()
                    .map(|c| (c.id.clone(), c.needs_resource.clone()))
                    .collect()
            };
            assert_eq!(marks(&filtered), marks(&exhaustive), "{profile}");
            assert!(
                marks(&exhaustive).iter().any(|(_, n)| n.is_some()),
                "{profile}: some class needs a resource"
            );
            let reach = repair_reach(&spec, &needing(&spec));
            let skipped = filtered
                .iter()
                .filter(|c| {
                    c.member
                        .as_deref()
                        .is_some_and(|m| !reach.contains(top_level(m)))
                })
                .count();
            assert!(skipped > 0, "{profile}: the filter leaves no class out");
        }
    }
}

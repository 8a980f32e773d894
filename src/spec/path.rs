//! Member paths (`Code.ZipFile`, `VpcConfig.SubnetIds[]`, `Tags{key}`): split into steps, and the
//! values a path reaches in a request.

use std::borrow::Cow;

use serde_json::Value;

use super::model::{Member, Walk};

/// One step of a member path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A named member of a structure.
    Field(String),
    /// Every item of a list.
    Items,
    /// Every key of a map.
    Keys,
    /// Every value of a map.
    Values,
}

/// Splits `A.B[]`, `A{key}`, `A[].B` into steps.
pub fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::with_capacity(4);
    for seg in path.split('.') {
        let mut name = seg;
        let start = out.len();
        loop {
            if let Some(n) = name.strip_suffix("[]") {
                out.push(Step::Items);
                name = n;
            } else if let Some(n) = name.strip_suffix("{key}") {
                out.push(Step::Keys);
                name = n;
            } else if let Some(n) = name.strip_suffix("{value}") {
                out.push(Step::Values);
                name = n;
            } else {
                break;
            }
        }
        // The suffixes were pushed last first: put them in path order, after the name.
        out[start..].reverse();
        if !name.is_empty() {
            out.insert(start, Step::Field(name.to_string()));
        }
    }
    out
}

/// Every value a path reaches in `root` (keys of maps as JSON strings). Null members count as absent.
pub fn reach(root: &Value, path: &str) -> Vec<Value> {
    reach_ref(root, path)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// [`reach`] without copying: borrowed values, owned only for map keys.
pub fn reach_ref<'a>(root: &'a Value, path: &str) -> Vec<Cow<'a, Value>> {
    reach_steps(root, &steps(path))
}

/// A field of an object. The objects of a request are small: scanning their keys costs less than
/// hashing the name.
#[inline]
pub(super) fn field<'a>(m: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    if m.len() <= 16 {
        m.iter().find(|(k, _)| k.as_str() == name).map(|(_, v)| v)
    } else {
        m.get(name)
    }
}

/// [`reach_ref`] for a path already split into steps (a member's [`Walk`]).
pub fn reach_steps<'a>(root: &'a Value, steps: &[Step]) -> Vec<Cow<'a, Value>> {
    let mut out = Vec::new();
    reach_steps_into(root, steps, &mut out);
    out
}

/// [`reach_steps`] appending to `out` (a buffer the caller keeps from member to member).
pub fn reach_steps_into<'a>(root: &'a Value, steps: &[Step], out: &mut Vec<Cow<'a, Value>>) {
    // Leading named members (all of a path, for most members): one value each, no list.
    let mut node = root;
    let mut at = 0;
    while let Some(Step::Field(f)) = steps.get(at) {
        let Value::Object(m) = node else { return };
        match field(m, f) {
            Some(x) if !x.is_null() => node = x,
            _ => return,
        }
        at += 1;
    }
    if at == steps.len() {
        out.push(Cow::Borrowed(node));
        return;
    }
    let mut current: Vec<Cow<'a, Value>> = vec![Cow::Borrowed(node)];
    for step in &steps[at..] {
        if current.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for v in current {
            let Cow::Borrowed(v) = v else { continue };
            match (step, v) {
                (Step::Field(f), Value::Object(m)) => {
                    if let Some(x) = field(m, f) {
                        if !x.is_null() {
                            next.push(Cow::Borrowed(x));
                        }
                    }
                }
                (Step::Items, Value::Array(items)) => next.extend(items.iter().map(Cow::Borrowed)),
                (Step::Keys, Value::Object(m)) => {
                    next.extend(m.keys().map(|k| Cow::Owned(Value::String(k.clone()))))
                }
                (Step::Values, Value::Object(m)) => next.extend(m.values().map(Cow::Borrowed)),
                _ => {}
            }
        }
        current = next;
    }
    // Handed over rather than copied when `out` is empty (a list's items can be thousands).
    if out.is_empty() {
        *out = current;
    } else {
        out.extend(current);
    }
}

/// A member's walk: split when the table was read, or split into `made` for a member made some
/// other way. `made` is one buffer the caller keeps across the members of a request (an empty
/// `Walk` holds no allocation): not a `Cow` nor an `Option` made per member, because validation
/// asks for the walk once per member of the table for every request, and dropping either each time
/// showed (2 % of generation's instructions).
pub(super) fn walk_of<'m>(m: &'m Member, made: &'m mut Walk) -> &'m Walk {
    if m.walk.steps.is_empty() && !m.path.is_empty() {
        *made = Walk::of(&m.path);
        made
    } else {
        &m.walk
    }
}

/// The path of the nearest enclosing list or map (what AWS names in the message), or the path itself.
pub fn reported_path(path: &str) -> &str {
    // A path holds `[` only in `[]` and `{` only in `{key}` / `{value}`: the first of either cuts.
    match path.find(['[', '{']) {
        Some(i) => &path[..i],
        None => path,
    }
}

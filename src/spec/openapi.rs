//! The merged table as an OpenAPI 3.1 document (`spec --format openapi`), for tools that read
//! OpenAPI (Schemathesis, validators, client generators).
//!
//! The request body schema nests the member paths (`VpcConfig.SubnetIds[]` becomes
//! `properties.VpcConfig.properties.SubnetIds.items`) and carries every unconditional constraint as
//! JSON Schema (2020-12, the dialect of OpenAPI 3.1): `minLength`/`maxLength`, `minimum`/`maximum`,
//! `minItems`/`maxItems` (`minProperties`/`maxProperties` on maps), `pattern`, `enum`, `multipleOf`.
//! Constraints that hold only under a condition (a bare name, a package type, another member's
//! value) or that JSON Schema cannot say (a readable zip, the ARN's region) are listed under the
//! extension `x-lambda-conform-rules` of the member, so nothing of the table is silently dropped.
//! Error answers are grouped by status, each naming its error types.

use serde_json::{json, Map, Value};

use super::model::{ErrorSpec, Kind, Member, MemberType, Spec};

/// One step of a member path: a named member, a list's items, a map's keys or a map's values.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Name(&'a str),
    Items,
    Keys,
    Values,
}

/// `VpcConfig.SubnetIds[]` → Name(VpcConfig), Name(SubnetIds), Items.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        let name_end = rest.find(['[', '{']).unwrap_or(rest.len());
        if name_end > 0 {
            out.push(Step::Name(&rest[..name_end]));
        }
        rest = &rest[name_end..];
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[]") {
                out.push(Step::Items);
                rest = r;
            } else if let Some(r) = rest.strip_prefix("{key}") {
                out.push(Step::Keys);
                rest = r;
            } else if let Some(r) = rest.strip_prefix("{value}") {
                out.push(Step::Values);
                rest = r;
            } else {
                break;
            }
        }
    }
    out
}

/// The JSON Schema of a member's type alone.
fn type_schema(ty: MemberType) -> Value {
    match ty {
        MemberType::String => json!({"type": "string"}),
        MemberType::Integer => json!({"type": "integer", "format": "int32"}),
        MemberType::Long => json!({"type": "integer", "format": "int64"}),
        MemberType::Double => json!({"type": "number", "format": "double"}),
        MemberType::Boolean => json!({"type": "boolean"}),
        MemberType::Blob => json!({"type": "string", "contentEncoding": "base64"}),
        MemberType::Timestamp => json!({"type": "string"}),
        MemberType::Structure => json!({"type": "object"}),
        MemberType::List => json!({"type": "array"}),
        MemberType::Map => json!({"type": "object"}),
    }
}

/// A Java pattern (as the model prints it, applied to the whole value) as an ECMA-262 regular
/// expression: anchored, and Java's ASCII-only `\d`, `\s`, `\w` spelled out (ECMA's `\s` would
/// also accept Unicode spaces).
pub fn ecma_pattern(java: &str) -> String {
    let mut out = String::with_capacity(java.len() + 16);
    let mut in_class = false;
    let mut chars = java.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push(c);
                    break;
                };
                let inner = match n {
                    'd' => Some("0-9"),
                    's' => Some(" \\t\\n\\x0B\\f\\r"),
                    'w' => Some("a-zA-Z0-9_"),
                    _ => None,
                };
                match (inner, in_class) {
                    (Some(set), true) => out.push_str(set),
                    (Some(set), false) => {
                        out.push('[');
                        out.push_str(set);
                        out.push(']');
                    }
                    (None, _) => {
                        out.push(c);
                        out.push(n);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    format!("^(?:{out})$")
}

/// The schema one step below `cur`, created when missing.
fn child<'a>(cur: &'a mut Value, step: &Step<'_>) -> &'a mut Value {
    if !cur.is_object() {
        *cur = json!({});
    }
    let (key, name) = match step {
        Step::Name(n) => ("properties", Some(*n)),
        Step::Items => ("items", None),
        Step::Keys => ("propertyNames", None),
        Step::Values => ("additionalProperties", None),
    };
    let Value::Object(obj) = cur else {
        unreachable!("made an object above")
    };
    let slot = obj.entry(key).or_insert_with(|| json!({}));
    let Some(n) = name else {
        return slot;
    };
    if !slot.is_object() {
        *slot = json!({});
    }
    let Value::Object(props) = slot else {
        unreachable!("made an object above")
    };
    props.entry(n).or_insert_with(|| json!({}))
}

/// Walks (creating as needed) from `root` to the schema of `path`; gives it and, for a named
/// member, its name (listed under its parent's `required`).
fn node<'a>(root: &'a mut Value, path: &str) -> (&'a mut Value, Option<String>) {
    let steps = steps(path);
    let last_name = match steps.last() {
        Some(Step::Name(n)) => Some((*n).to_string()),
        _ => None,
    };
    let mut cur = root;
    for step in &steps {
        cur = child(cur, step);
    }
    (cur, last_name)
}

/// The schema at the end of `steps` under `cur`, if every step exists.
fn walk<'a>(mut cur: &'a mut Value, steps: &[Step<'_>]) -> Option<&'a mut Value> {
    for step in steps {
        cur = match step {
            Step::Name(n) => cur.get_mut("properties")?.get_mut(*n)?,
            Step::Items => cur.get_mut("items")?,
            Step::Keys => cur.get_mut("propertyNames")?,
            Step::Values => cur.get_mut("additionalProperties")?,
        };
    }
    Some(cur)
}

fn set(schema: &mut Value, key: &str, value: Value) {
    if let Some(o) = schema.as_object_mut() {
        o.insert(key.to_string(), value);
    }
}

/// Adds a constraint JSON Schema can say to `schema` (a second pattern goes into `allOf`).
fn add_pattern(schema: &mut Value, key: &str, pattern: Value) {
    let Some(o) = schema.as_object_mut() else {
        return;
    };
    if !o.contains_key(key) {
        o.insert(key.to_string(), pattern);
        return;
    }
    let all = o.entry("allOf").or_insert_with(|| json!([]));
    if let Some(a) = all.as_array_mut() {
        a.push(json!({ key: pattern }));
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// The JSON Schema of a list of members (request or response), nested.
fn members_schema(members: &[Member], with_rules: bool) -> Value {
    let mut root = json!({"type": "object"});
    for m in members {
        let (schema, name) = node(&mut root, &m.path);
        let mut own = type_schema(m.ty);
        if let (Some(o), Some(existing)) = (own.as_object_mut(), schema.as_object()) {
            for (k, v) in existing {
                o.insert(k.clone(), v.clone());
            }
        }
        *schema = own;
        if m.sensitive {
            set(schema, "writeOnly", json!(true));
        }
        let mut rules = Vec::new();
        for c in &m.constraints {
            let conditional = c.when.is_some() || c.when_request.is_some();
            let said = !conditional
                && match &c.kind {
                    Kind::Required => true,
                    Kind::MinLength { min } => {
                        set(schema, "minLength", json!(min));
                        true
                    }
                    Kind::MaxLength { max } => {
                        set(schema, "maxLength", json!(max));
                        true
                    }
                    Kind::Min { min } => {
                        set(schema, "minimum", number(*min));
                        true
                    }
                    Kind::Max { max } => {
                        set(schema, "maximum", number(*max));
                        true
                    }
                    Kind::MinItems { min } => {
                        let key = if m.ty == MemberType::Map {
                            "minProperties"
                        } else {
                            "minItems"
                        };
                        set(schema, key, json!(min));
                        true
                    }
                    Kind::MaxItems { max } => {
                        let key = if m.ty == MemberType::Map {
                            "maxProperties"
                        } else {
                            "maxItems"
                        };
                        set(schema, key, json!(max));
                        true
                    }
                    Kind::Pattern { pattern } => {
                        add_pattern(schema, "pattern", json!(ecma_pattern(pattern)));
                        true
                    }
                    Kind::Enum { values } => {
                        set(schema, "enum", json!(values));
                        true
                    }
                    Kind::NotIn { values } => {
                        add_pattern(schema, "not", json!({ "enum": values }));
                        true
                    }
                    Kind::NotPattern { pattern } => {
                        add_pattern(schema, "not", json!({ "pattern": ecma_pattern(pattern) }));
                        true
                    }
                    Kind::MultipleOf { step } => {
                        set(schema, "multipleOf", json!(step));
                        true
                    }
                    Kind::Zip => {
                        set(schema, "contentMediaType", json!("application/zip"));
                        false
                    }
                    Kind::MaxJsonBytes { .. }
                    | Kind::NonEmptyZip
                    | Kind::MaxDecodedBytes { .. }
                    | Kind::MaxRequestBytes { .. }
                    | Kind::ArnRegion
                    | Kind::ArnAccount
                    | Kind::Absent => false,
                };
            if !said && with_rules && c.kind != Kind::Required {
                rules.push(rule_json(c));
            }
        }
        if !rules.is_empty() {
            set(schema, "x-lambda-conform-rules", Value::Array(rules));
        }
        if let Some(need) = &m.needs_resource {
            set(schema, "x-lambda-conform-needs", json!(need));
        }
        let required = m.required
            || m.constraints
                .iter()
                .any(|c| c.kind == Kind::Required && c.when.is_none() && c.when_request.is_none());
        if let (true, Some(name)) = (required, name) {
            let steps = steps(&m.path);
            let up = &steps[..steps.len().saturating_sub(1)];
            if let Some(o) = walk(&mut root, up).and_then(Value::as_object_mut) {
                let req = o.entry("required").or_insert_with(|| json!([]));
                if let Some(a) = req.as_array_mut() {
                    if !a.iter().any(|v| v == name.as_str()) {
                        a.push(json!(name));
                    }
                }
            }
        }
    }
    root
}

/// A constraint JSON Schema cannot say unconditionally, as the table spells it.
fn rule_json(c: &super::model::Constraint) -> Value {
    let mut r = Map::new();
    r.insert("rule".into(), json!(c.kind.name()));
    r.insert("case".into(), json!(c.id));
    match &c.kind {
        Kind::MinLength { min } | Kind::MinItems { min } => {
            r.insert("min".into(), json!(min));
        }
        Kind::MaxLength { max }
        | Kind::MaxItems { max }
        | Kind::MaxJsonBytes { max }
        | Kind::MaxDecodedBytes { max }
        | Kind::MaxRequestBytes { max } => {
            r.insert("max".into(), json!(max));
        }
        Kind::Min { min } => {
            r.insert("min".into(), number(*min));
        }
        Kind::Max { max } => {
            r.insert("max".into(), number(*max));
        }
        Kind::Pattern { pattern } | Kind::NotPattern { pattern } => {
            r.insert("pattern".into(), json!(ecma_pattern(pattern)));
        }
        Kind::Enum { values } | Kind::NotIn { values } => {
            r.insert("values".into(), json!(values));
        }
        Kind::MultipleOf { step } => {
            r.insert("step".into(), json!(step));
        }
        Kind::Required
        | Kind::Zip
        | Kind::NonEmptyZip
        | Kind::ArnRegion
        | Kind::ArnAccount
        | Kind::Absent => {}
    }
    if let Some(w) = c.when {
        r.insert("when".into(), json!(w.as_str()));
    }
    if let Some(w) = &c.when_request {
        r.insert("when_request".into(), json!(w.describe()));
    }
    r.insert("status".into(), json!(c.error.status));
    r.insert("error".into(), json!(c.error.error_type));
    Value::Object(r)
}

/// The whole document.
pub fn openapi_view(spec: &Spec) -> Value {
    let request = members_schema(&spec.members, true);
    let response = members_schema(&spec.response, false);

    // Error answers by status: the modeled and overlay errors, the wire errors, the conflict and
    // every constraint's error.
    let mut by_status: std::collections::BTreeMap<u16, Vec<String>> = Default::default();
    let mut add = |status: u16, ty: &str| {
        let v = by_status.entry(status).or_default();
        if !v.iter().any(|t| t == ty) {
            v.push(ty.to_string());
        }
    };
    for e in &spec.errors {
        add(e.status, &e.error_type);
    }
    let specs: Vec<&ErrorSpec> = spec
        .wire_errors
        .values()
        .chain(std::iter::once(&spec.conflict))
        .chain(
            spec.members
                .iter()
                .flat_map(|m| m.constraints.iter().map(|c| &c.error)),
        )
        .collect();
    for e in specs {
        add(e.status, &e.error_type);
    }

    let mut schemas = Map::new();
    schemas.insert("CreateFunctionRequest".into(), request);
    schemas.insert("FunctionConfiguration".into(), response);
    let mut all_types: Vec<&str> = by_status.values().flatten().map(String::as_str).collect();
    all_types.sort_unstable();
    all_types.dedup();
    for ty in all_types {
        let members: Vec<String> = spec
            .errors
            .iter()
            .find(|e| e.error_type == ty)
            .map(|e| e.members.clone())
            .unwrap_or_else(|| vec!["Type".into(), "message".into()]);
        let props: Map<String, Value> = members
            .iter()
            .map(|m| (m.clone(), json!({"type": "string"})))
            .collect();
        schemas.insert(
            ty.to_string(),
            json!({"title": ty, "type": "object", "properties": props}),
        );
    }

    let mut responses = Map::new();
    responses.insert(
        spec.source.success_status.to_string(),
        json!({
            "description": "The function was created: its configuration.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FunctionConfiguration"}}}
        }),
    );
    for (status, types) in &by_status {
        let refs: Vec<Value> = types
            .iter()
            .map(|t| json!({"$ref": format!("#/components/schemas/{t}")}))
            .collect();
        responses.insert(
            status.to_string(),
            json!({
                "description": types.join(", "),
                "headers": {"X-Amzn-ErrorType": {"schema": {"type": "string", "enum": types}}},
                "content": {"application/json": {"schema": {"anyOf": refs}}},
                "x-error-types": types,
            }),
        );
    }

    let mut op = Map::new();
    op.insert("operationId".into(), json!(spec.source.operation));
    op.insert("summary".into(), json!(spec.title));
    op.insert(
        "requestBody".into(),
        json!({
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateFunctionRequest"}}}
        }),
    );
    op.insert("responses".into(), Value::Object(responses));
    let mut path_item = Map::new();
    path_item.insert(spec.source.method.to_lowercase(), Value::Object(op));
    let mut paths = Map::new();
    paths.insert(spec.source.uri.clone(), Value::Object(path_item));

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("AWS Lambda {} ({})", spec.source.operation, spec.profile),
            "version": format!("{} botocore {}", spec.profile, spec.source.botocore_version),
            "description": "Generated by `lambda-conform spec --format openapi` from the merged spec table.",
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

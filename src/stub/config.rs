//! The FunctionConfiguration a successful create answers, built from the table: echoes of what was
//! sent, the profile's `[[default]]`s, and its `[[response_rule]]`s dispatched on their [`ResponseCheck`].
//!
//! Member names appear here only where AWS reshapes a member (Layers, ImageConfig, VpcConfig,
//! LoggingConfig: AWS_OBSERVED §c.16), where a mutant names one, and in the read-back transition.

use std::sync::LazyLock;

use base64::Engine as _;
use regex::Regex;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::mutants::Mutant;
use crate::spec::validate::reach;
use crate::spec::{Condition, Kind, MemberType, RequestCondition, ResponseCheck, Spec};

/// What a create needs besides the request body.
#[derive(Debug, Clone)]
pub(super) struct Context<'a> {
    /// The bare function name.
    pub name: &'a str,
    /// The region of the call (from the SigV4 scope).
    pub region: &'a str,
    /// The account of the call.
    pub account: &'a str,
}

/// The request member that names the function: the path of the `function_name` response rule (the
/// same path in request and response), else `FunctionName`.
pub(super) fn name_path(spec: &Spec) -> &str {
    spec.response_rules
        .iter()
        .find(|r| r.check == ResponseCheck::FunctionName)
        .map(|r| r.path.as_str())
        .unwrap_or("FunctionName")
}

/// The bare name in a function name, full ARN (`arn:aws:lambda:r:acct:function:NAME[:q]`) or partial
/// ARN (`acct:function:NAME[:q]`); the qualifier is dropped. Anything else is taken as it is.
pub(super) fn bare_name(s: &str) -> String {
    static ARN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:(?:eusc-)?[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?([a-zA-Z0-9_.-]+)(?::(?:\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9_-]+))?$",
        )
        .expect("the function-name pattern is a valid regex")
    });
    ARN.captures(s)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| s.to_string())
}

/// The unqualified ARN of a function.
pub(super) fn function_arn(ctx: &Context<'_>) -> String {
    format!(
        "arn:aws:lambda:{}:{}:function:{}",
        ctx.region, ctx.account, ctx.name
    )
}

/// Now, as AWS prints `LastModified`: `2026-11-25T02:27:51.123+0000`.
pub(super) fn timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f%z")
        .to_string()
}

/// A fresh v4 uuid.
pub(super) fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The zip a request uploads: the request member the table checks as a zip (else the first blob),
/// base64-decoded.
pub(super) fn zip_bytes(spec: &Spec, root: &Value) -> Option<Vec<u8>> {
    let member = spec
        .members
        .iter()
        .find(|m| m.constraints.iter().any(|c| c.kind == Kind::Zip))
        .or_else(|| spec.members.iter().find(|m| m.ty == MemberType::Blob))?;
    let b64 = reach(root, &member.path).into_iter().next()?;
    base64::engine::general_purpose::STANDARD
        .decode(b64.as_str()?)
        .ok()
}

/// Whether a `[[response_rule]]`'s request condition holds.
fn when_holds(cond: Option<&RequestCondition>, root: &Value) -> bool {
    cond.is_none_or(|c| c.holds(root))
}

/// Whether a `[[default]]`'s condition holds for this request.
fn condition_holds(spec: &Spec, cond: Option<Condition>, root: &Value) -> bool {
    let package = root.get("PackageType").and_then(Value::as_str);
    let name = reach(root, name_path(spec)).into_iter().next();
    let name = name.as_ref().and_then(Value::as_str).unwrap_or("");
    match cond {
        None => true,
        Some(Condition::BareName) => !name.contains(':'),
        Some(Condition::Arn) => name.contains(':'),
        Some(Condition::ZipPackage) => package.is_none_or(|p| p == "Zip"),
        Some(Condition::ImagePackage) => package == Some("Image"),
    }
}

/// The value with every null member (at any depth) left out: AWS never sends null members.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|x| !x.is_null())
                .map(without_nulls)
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), without_nulls(x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn get<'v>(out: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut parts = path.split('.');
    let mut cur = out.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

fn set(out: &mut Map<String, Value>, path: &str, v: Value) {
    match path.split_once('.') {
        None => {
            out.insert(path.to_string(), v);
        }
        Some((head, rest)) => {
            let child = out
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(m) = child {
                set(m, rest, v);
            }
        }
    }
}

fn remove(out: &mut Map<String, Value>, path: &str) {
    match path.split_once('.') {
        None => {
            out.remove(path);
        }
        Some((head, rest)) => {
            if let Some(Value::Object(m)) = out.get_mut(head) {
                remove(m, rest);
            }
        }
    }
}

/// Fills the keys of `default` that `sent` lacks (objects only, at any depth).
fn merge_missing(sent: &mut Value, default: &Value) {
    if let (Value::Object(s), Value::Object(d)) = (sent, default) {
        for (k, dv) in d {
            match s.get_mut(k) {
                Some(sv) => merge_missing(sv, dv),
                None => {
                    s.insert(k.clone(), dv.clone());
                }
            }
        }
    }
}

/// Whether the request member `top` and every path under it have the response model's types.
fn same_types(spec: &Spec, top: &str) -> bool {
    spec.members
        .iter()
        .filter(|m| {
            m.path == top
                || m.path
                    .strip_prefix(top)
                    .is_some_and(|rest| rest.starts_with(['.', '[', '{']))
        })
        .all(|m| spec.response_member(&m.path).is_none_or(|r| r.ty == m.ty))
}

fn is_top_level(path: &str) -> bool {
    !path.contains(['.', '[', '{'])
}

/// A value for a `present` rule: by the response member's shape where the shape has a known form,
/// else by its type (a uuid for strings; a structure gets its children that have a known form).
fn synthesize(spec: &Spec, path: &str, ctx: &Context<'_>) -> Value {
    let Some(m) = spec.response_member(path) else {
        return Value::String(uuid());
    };
    if let Some(v) = by_shape(&m.shape, ctx) {
        return v;
    }
    match m.ty {
        MemberType::String | MemberType::Blob => Value::String(uuid()),
        MemberType::Timestamp => Value::String(timestamp()),
        MemberType::Integer | MemberType::Long | MemberType::Double => json!(0),
        MemberType::Boolean => json!(false),
        MemberType::List => json!([]),
        MemberType::Map => json!({}),
        MemberType::Structure => {
            let prefix = format!("{path}.");
            let children = spec
                .response
                .iter()
                .filter(|c| c.path.strip_prefix(&prefix).is_some_and(is_top_level));
            let mut obj = Map::new();
            for c in children {
                if let Some(v) = by_shape(&c.shape, ctx) {
                    obj.insert(c.path[prefix.len()..].to_string(), v);
                }
            }
            Value::Object(obj)
        }
    }
}

/// Shapes whose values have a form AWS always uses.
fn by_shape(shape: &str, ctx: &Context<'_>) -> Option<Value> {
    match shape {
        "RuntimeVersionArn" => Some(Value::String(format!(
            "arn:aws:lambda:{}::runtime:{}{}",
            ctx.region,
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        ))),
        _ => None,
    }
}

/// The FunctionConfiguration a successful create of `root` answers, in the response model's key order.
pub(super) fn configuration(
    spec: &Spec,
    mutant: Option<Mutant>,
    root: &Value,
    ctx: &Context<'_>,
) -> Map<String, Value> {
    let mut out = Map::new();
    echo(spec, mutant, root, &mut out);
    reshape(spec, root, &mut out);
    defaults(spec, mutant, root, ctx, &mut out);
    augment(spec, &mut out);
    rules(spec, mutant, root, ctx, &mut out);
    let mut out = order(spec, out);
    if mutant == Some(Mutant::TagsInConfiguration) {
        if let Some(tags) = root.get("Tags").filter(|v| !v.is_null()) {
            out.insert("Tags".into(), tags.clone());
        }
    }
    out
}

/// Every top-level request member sent whose name and types the response model shares, as sent.
fn echo(spec: &Spec, mutant: Option<Mutant>, root: &Value, out: &mut Map<String, Value>) {
    let name_path = name_path(spec);
    for m in spec.members.iter().filter(|m| is_top_level(&m.path)) {
        if m.path == name_path || spec.response_member(&m.path).is_none() {
            continue;
        }
        match root.get(&m.path).filter(|v| !v.is_null()) {
            Some(Value::String(text))
                if mutant == Some(Mutant::AsciiDescription) && m.path == "Description" =>
            {
                let ascii: String = text
                    .chars()
                    .map(|c| if c.is_ascii() { c } else { '?' })
                    .collect();
                out.insert(m.path.clone(), Value::String(ascii));
            }
            Some(v) if same_types(spec, &m.path) => {
                out.insert(m.path.clone(), without_nulls(v));
            }
            Some(_) => {}
            None if mutant == Some(Mutant::EnvironmentAlwaysEchoed) && m.path == "Environment" => {
                out.insert(m.path.clone(), json!({ "Variables": {} }));
            }
            None => {}
        }
    }
}

/// Members AWS answers in another shape than it takes them.
fn reshape(spec: &Spec, root: &Value, out: &mut Map<String, Value>) {
    // Layers: ARNs in, `[{Arn, CodeSize}]` out.
    if let (Some(Value::Array(arns)), Some(_)) =
        (root.get("Layers"), spec.response_member("Layers[].Arn"))
    {
        let layers: Vec<Value> = arns
            .iter()
            .filter(|a| a.is_string())
            .map(|a| json!({ "Arn": a, "CodeSize": 0 }))
            .collect();
        out.insert("Layers".into(), Value::Array(layers));
    }
    // ImageConfig: answered as `ImageConfigResponse.ImageConfig`.
    if let (Some(v), Some(_)) = (
        root.get("ImageConfig").filter(|v| !v.is_null()),
        spec.response_member("ImageConfigResponse.ImageConfig"),
    ) {
        out.insert(
            "ImageConfigResponse".into(),
            json!({ "ImageConfig": without_nulls(v) }),
        );
    }
}

/// The profile's `[[default]]`s: the whole value for a member not sent, the missing keys of one sent.
fn defaults(
    spec: &Spec,
    mutant: Option<Mutant>,
    root: &Value,
    ctx: &Context<'_>,
    out: &mut Map<String, Value>,
) {
    for m in &spec.response {
        let Some(d) = &m.default else { continue };
        if !condition_holds(spec, d.when, root) {
            continue;
        }
        let mut value = crate::spec::message::fill_name_value(&d.value, ctx.name);
        if mutant == Some(Mutant::WrongDefaultMemory) && m.path == "MemorySize" {
            value = json!(256);
        }
        match get(out, &m.path).cloned() {
            None => set(out, &m.path, value),
            Some(mut sent) => {
                merge_missing(&mut sent, &value);
                set(out, &m.path, sent);
            }
        }
    }
}

/// What AWS adds to members that were sent (AWS_OBSERVED §c.16).
fn augment(spec: &Spec, out: &mut Map<String, Value>) {
    if let Some(Value::Object(vpc)) = out.get_mut("VpcConfig") {
        if spec.response_member("VpcConfig.VpcId").is_some() && !vpc.contains_key("VpcId") {
            let digest = Sha256::digest(Value::Object(vpc.clone()).to_string().as_bytes());
            vpc.insert(
                "VpcId".into(),
                json!(format!("vpc-{}", &hex(&digest)[..17])),
            );
        }
        if spec
            .response_member("VpcConfig.Ipv6AllowedForDualStack")
            .is_some()
        {
            vpc.entry("Ipv6AllowedForDualStack").or_insert(json!(false));
        }
    }
    if let Some(Value::Object(logging)) = out.get_mut("LoggingConfig") {
        if logging.get("LogFormat").and_then(Value::as_str) == Some("JSON") {
            for level in ["ApplicationLogLevel", "SystemLogLevel"] {
                if spec
                    .response_member(&format!("LoggingConfig.{level}"))
                    .is_some()
                {
                    logging.entry(level).or_insert(json!("INFO"));
                }
            }
        }
    }
}

/// The profile's `[[response_rule]]`s whose request condition holds, dispatched on their check.
fn rules(
    spec: &Spec,
    mutant: Option<Mutant>,
    root: &Value,
    ctx: &Context<'_>,
    out: &mut Map<String, Value>,
) {
    let zip = zip_bytes(spec, root);
    let mut code_paths: Vec<(&str, &ResponseCheck)> = Vec::new();
    for rule in &spec.response_rules {
        let path = rule.path.as_str();
        if matches!(
            rule.check,
            ResponseCheck::CodeSha256 | ResponseCheck::CodeSize
        ) {
            code_paths.push((path, &rule.check));
        }
        if !when_holds(rule.when.as_ref(), root) {
            continue;
        }
        match &rule.check {
            ResponseCheck::Equals { value } => {
                let value = match mutant {
                    Some(Mutant::StateActiveOnCreate) if path == "State" => json!("Active"),
                    _ => crate::spec::message::fill_name_value(value, ctx.name),
                };
                set(out, path, value);
            }
            ResponseCheck::Present => {
                if mutant == Some(Mutant::MissingRevisionId) && path == "RevisionId" {
                    continue;
                }
                if get(out, path).is_none() {
                    let v = synthesize(spec, path, ctx);
                    set(out, path, v);
                }
            }
            ResponseCheck::Absent => {
                // The echo put it there; the rule that would take it out is what the mutant lacks.
                if !(mutant == Some(Mutant::EnvironmentAlwaysEchoed) && path == "Environment") {
                    remove(out, path);
                }
            }
            ResponseCheck::CodeSha256 => {
                if let Some(zip) = &zip {
                    let digest = Sha256::digest(zip);
                    let text = match mutant {
                        Some(Mutant::HexCodeSha256) => hex(&digest),
                        _ => base64::engine::general_purpose::STANDARD.encode(digest),
                    };
                    set(out, path, Value::String(text));
                }
            }
            ResponseCheck::CodeSize => {
                if let Some(zip) = &zip {
                    set(out, path, json!(zip.len()));
                }
            }
            ResponseCheck::FunctionArn => {
                let arn = match mutant {
                    Some(Mutant::QualifiedFunctionArn) => format!("{}:$LATEST", function_arn(ctx)),
                    _ => function_arn(ctx),
                };
                set(out, path, Value::String(arn));
            }
            ResponseCheck::FunctionName => {
                let sent = root.get(path).and_then(Value::as_str);
                let name = match (mutant, sent) {
                    (Some(Mutant::ArnNameEchoed), Some(sent)) => sent,
                    _ => ctx.name,
                };
                set(out, path, Value::String(name.to_string()))
            }
            ResponseCheck::Timestamp => set(out, path, Value::String(timestamp())),
            ResponseCheck::Echo => {
                if let Some(v) = reach(root, path).into_iter().next() {
                    set(out, path, without_nulls(&v));
                }
            }
        }
    }
    // Code that is not an uploaded zip (an image, an S3 object): a digest of what names it, size 0.
    for (path, check) in code_paths {
        if get(out, path).is_some() {
            continue;
        }
        let v = match check {
            ResponseCheck::CodeSha256 => {
                let code = root.get("Code").map(Value::to_string).unwrap_or_default();
                Value::String(hex(&Sha256::digest(code.as_bytes())))
            }
            _ => json!(0),
        };
        set(out, path, v);
    }
}

/// The members in the response model's order (members the model lacks last, as added).
pub(super) fn order(spec: &Spec, mut out: Map<String, Value>) -> Map<String, Value> {
    let mut sorted = Map::new();
    for m in spec.response.iter().filter(|m| is_top_level(&m.path)) {
        if let Some(v) = out.remove(&m.path) {
            sorted.insert(m.path.clone(), v);
        }
    }
    sorted.extend(out);
    sorted
}

/// What reads after the create show once the function is active (AWS_OBSERVED §c.16): State Active,
/// LastUpdateStatus Successful, no StateReason/StateReasonCode, a new RevisionId.
pub(super) fn activate(spec: &Spec, config: &mut Map<String, Value>) {
    config.insert("State".into(), json!("Active"));
    config.remove("StateReason");
    config.remove("StateReasonCode");
    config.insert("LastUpdateStatus".into(), json!("Successful"));
    if config.contains_key("RevisionId") {
        config.insert("RevisionId".into(), json!(uuid()));
    }
    *config = order(spec, std::mem::take(config));
}

//! Wire classes: null and wrong JSON types per member, and bodies that are not the input at all.

use std::sync::Arc;

use serde_json::Value;

use super::case::{base, new_case, Body, Build, Case, CaseKind};
use super::strings::Rng;
use super::values::set_path;
use super::Context;
use crate::spec::{Member, MemberType, Spec};

fn wrong_type(ty: MemberType) -> Value {
    match ty {
        MemberType::String | MemberType::Blob | MemberType::Timestamp => Value::from(12345),
        MemberType::Integer | MemberType::Long | MemberType::Double => Value::String("128".into()),
        MemberType::Boolean => Value::String("true".into()),
        MemberType::List | MemberType::Structure | MemberType::Map => Value::String("x".into()),
    }
}

pub(super) fn wire_member_cases(prefix: &str, mid: &str, mi: usize, m: &Member) -> Vec<Case> {
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

pub(super) fn wire_cases(prefix: &str) -> Vec<Case> {
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

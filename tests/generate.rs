//! The generators: enough case classes, each making the requests it claims (checked by the table's own
//! validator), reproducible from a seed.

mod support;

use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::generate::{CaseKind, Context};
use lambda_conform::harness::{self, corpus};
use lambda_conform::spec::{self, validate, validate::Answer};

fn setup(profile: &str, seed: u64) -> Result<(Arc<spec::Spec>, Context), Failed> {
    let s = spec::load(profile, None).map_err(|e| e.to_string())?;
    Ok((
        Arc::new(s),
        Context::new(seed, "arn:aws:iam::123456789012:role/lambda-conform-role"),
    ))
}

fn at_least_150_case_ids() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", 1)?;
    let cases = harness::feasible_cases(&s, &ctx);
    let mut ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let n = ids.len();
    ids.dedup();
    check(ids.len() == n, "case ids must be unique")?;
    check(n >= 150, format!("only {n} case ids"))?;
    check(
        ids.iter().all(|i| i.starts_with("create_function::")),
        "ids start with create_function::",
    )?;
    Ok(())
}

fn instances_break_what_they_claim(profile: &str) -> Result<(), Failed> {
    let (s, ctx) = setup(profile, 7)?;
    for case in harness::feasible_cases(&s, &ctx) {
        for inst in corpus(&s, &ctx, &case, 7, 6) {
            let answer = validate::answer_with(
                &s,
                &inst.request.body,
                inst.request.header("content-type"),
                &ctx.facts(inst.request.body.len()),
            );
            match (case.kind, &answer) {
                (CaseKind::Valid | CaseKind::Boundary, Answer::Success) => {}
                (CaseKind::Valid | CaseKind::Boundary, a) => {
                    return Err(format!(
                        "{}: a valid instance is not valid: {a:?}\n{}",
                        case.id,
                        String::from_utf8_lossy(&inst.request.body)
                    )
                    .into())
                }
                (CaseKind::Violation, Answer::Error(e)) => {
                    let row = case.row.clone().unwrap_or_default();
                    check(
                        e.rows.contains(&row),
                        format!("{}: breaks {:?}, not {row}", case.id, e.rows),
                    )?;
                }
                (CaseKind::Violation, Answer::Success) => {
                    return Err(format!("{}: a violation instance is valid", case.id).into())
                }
                (CaseKind::Wire, _) => {}
            }
        }
    }
    Ok(())
}

fn aws_2026_instances() -> Result<(), Failed> {
    instances_break_what_they_claim("aws-2026")
}

fn seed_2020_instances() -> Result<(), Failed> {
    instances_break_what_they_claim("seed-2020")
}

fn same_seed_same_bytes() -> Result<(), Failed> {
    let (s, a) = setup("aws-2026", 42)?;
    let (_, b) = setup("aws-2026", 42)?;
    let (_, c) = setup("aws-2026", 43)?;
    let mut differs = false;
    for case in harness::feasible_cases(&s, &a) {
        let x = corpus(&s, &a, &case, 42, 4);
        let y = corpus(&s, &b, &case, 42, 4);
        check(
            x == y,
            format!("{}: the same seed gave different requests", case.id),
        )?;
        let z = corpus(&s, &c, &case, 43, 4);
        differs |= x
            .iter()
            .map(|i| &i.request.body)
            .ne(z.iter().map(|i| &i.request.body));
    }
    check(differs, "another seed must give other requests")?;
    Ok(())
}

fn boundaries_are_exact() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", 3)?;
    let cases = harness::feasible_cases(&s, &ctx);
    let value = |id: &str, member: &str| -> Result<serde_json::Value, Failed> {
        let case = cases
            .iter()
            .find(|c| c.id == id)
            .ok_or(format!("no case {id}"))?;
        let inst = harness::boundary(&s, &ctx, case, 3).ok_or(format!("{id}: no instance"))?;
        let json = inst.json.ok_or("not JSON")?;
        Ok(json[member].clone())
    };
    check(
        value("create_function::memory_size::above_max", "MemorySize")? == 10241,
        "MemorySize above_max starts at 10241",
    )?;
    check(
        value("create_function::memory_size::at_max", "MemorySize")? == 10240,
        "MemorySize at_max is 10240",
    )?;
    check(
        value("create_function::timeout::above_max", "Timeout")? == 901,
        "Timeout above_max starts at 901",
    )?;
    check(
        value("create_function::timeout::below_min", "Timeout")? == 0,
        "Timeout below_min starts at 0",
    )?;
    let name = value(
        "create_function::function_name::bare_name_too_long",
        "FunctionName",
    )?;
    check(
        name.as_str().map(|n| n.chars().count()) == Some(65),
        format!("bare name of 65: {name}"),
    )?;
    let env = value(
        "create_function::environment::variables::too_large",
        "Environment",
    )?;
    let bytes = serde_json::to_string(&env["Variables"])
        .map_err(|e| e.to_string())?
        .len();
    check(bytes == 4097, format!("environment of {bytes} bytes"))?;
    let tags = value("create_function::tags::too_many_items", "Tags")?;
    check(tags.as_object().map(|m| m.len()) == Some(51), "51 tags")?;
    let layers = value("create_function::layers::too_many_items", "Layers")?;
    check(layers.as_array().map(Vec::len) == Some(6), "6 layers")?;
    Ok(())
}

fn the_cases_listed() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", 0)?;
    let listed: Vec<String> = harness::feasible_cases(&s, &ctx)
        .iter()
        .map(|c| format!("{:<9} {}", c.kind.as_str(), c.id))
        .collect();
    let infeasible = harness::infeasible_cases(&s, &ctx);
    insta::with_settings!({snapshot_path => "snapshots/generate", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("aws_2026_cases", listed.join("\n"));
        insta::assert_snapshot!("aws_2026_infeasible", infeasible.join("\n"));
    });
    Ok(())
}

fn main() -> ExitCode {
    support::run(vec![
        ("generate::at_least_150_case_ids", at_least_150_case_ids),
        (
            "generate::aws_2026_instances_break_what_they_claim",
            aws_2026_instances,
        ),
        (
            "generate::seed_2020_instances_break_what_they_claim",
            seed_2020_instances,
        ),
        ("generate::same_seed_same_bytes", same_seed_same_bytes),
        ("generate::boundaries_are_exact", boundaries_are_exact),
        ("generate::the_cases_listed", the_cases_listed),
    ])
}

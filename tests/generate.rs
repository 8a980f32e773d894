//! The generators: enough case classes, each making the requests it claims (checked by the table's own
//! validator), reproducible from a seed.

mod support;

use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::generate::{CaseKind, Context};
use lambda_conform::harness::{self, corpus};
use lambda_conform::spec::{self, validate, validate::Expectation};

/// The run seed of every test that needs some seed but not a particular one: one seed, so the
/// binary probes the table's feasible classes once (they are worked out per table and context).
const SEED: u64 = 0;

fn setup(profile: &str, seed: u64) -> Result<(Arc<spec::Spec>, Context), Failed> {
    let s = spec::load(profile, None).map_err(|e| e.to_string())?;
    Ok((
        Arc::new(s),
        Context::new(seed, "arn:aws:iam::123456789012:role/lambda-conform-role"),
    ))
}

fn at_least_150_case_ids() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", SEED)?;
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
    let (s, ctx) = setup(profile, SEED)?;
    for case in harness::feasible_cases(&s, &ctx) {
        for inst in corpus(&s, &ctx, &case, SEED, 6) {
            let answer = validate::answer_with(
                &s,
                &inst.request.body,
                inst.request.header("content-type"),
                &ctx.facts(inst.request.body.len()),
            );
            // The bytes are serde_json's for the JSON as built, and the line `cases --format jsonl`
            // writes is serde_json's for the instance (both are written by lambda-conform's own
            // escaper).
            if let Some(json) = &inst.json {
                check(
                    inst.request.body == serde_json::to_vec(json)?,
                    format!("{}: the body is not serde_json's text", case.id),
                )?;
            }
            let mut line = Vec::new();
            inst.write_export_line(&mut line);
            check(
                line == serde_json::to_vec(&inst.export_line())?,
                format!("{}: the jsonl line is not serde_json's", case.id),
            )?;
            // The answer worked out while building (from the JSON as built) is the one its bytes get.
            check(
                inst.answer == answer,
                format!(
                    "{}: the instance carries {:?} but its bytes are answered {answer:?}",
                    case.id, inst.answer
                ),
            )?;
            match (case.kind, &answer) {
                (CaseKind::Valid | CaseKind::Boundary, Expectation::Success) => {}
                (CaseKind::Valid | CaseKind::Boundary, a) => {
                    return Err(format!(
                        "{}: a valid instance is not valid: {a:?}\n{}",
                        case.id,
                        String::from_utf8_lossy(&inst.request.body)
                    )
                    .into())
                }
                (CaseKind::Violation, Expectation::Error(e)) => {
                    let row = case.row.clone().unwrap_or_default();
                    check(
                        e.rows.contains(&row),
                        format!("{}: breaks {:?}, not {row}", case.id, e.rows),
                    )?;
                }
                (CaseKind::Violation, Expectation::Success) => {
                    return Err(format!("{}: a violation instance is valid", case.id).into())
                }
                (CaseKind::Wire, _) => {}
            }
        }
    }
    Ok(())
}

/// A run filtered to some checks builds only those classes: the same classes, marked with the same
/// resources and exactness, as the whole table's list filtered afterwards.
fn filtered_classes_match_the_whole_list() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", 7)?;
    let all = harness::feasible_cases(&s, &ctx);
    let shape = |c: &lambda_conform::generate::Case| {
        format!(
            "{} {:?} {:?} {} {:?}",
            c.id, c.kind, c.needs_resource, c.exact, c.row
        )
    };
    for filter in [
        "memory_size",
        "timeout::above_max",
        "at_min_length",
        "valid::",
        "zip_file",
        "nothing-matches",
    ] {
        let keep = |c: &lambda_conform::generate::Case| c.id.contains(filter);
        let want: Vec<String> = all.iter().filter(|c| keep(c)).map(shape).collect();
        let got: Vec<String> = harness::feasible_matching(&s, &ctx, filter)
            .iter()
            .map(shape)
            .collect();
        check(
            got == want,
            format!("filter {filter}: {got:#?}\nwhere the whole list gives {want:#?}"),
        )?;
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
    let (s, a) = setup("aws-2026", SEED)?;
    let (_, b) = setup("aws-2026", SEED)?;
    let (_, c) = setup("aws-2026", SEED + 1)?;
    let mut differs = false;
    for case in harness::feasible_cases(&s, &a) {
        let x = corpus(&s, &a, &case, SEED, 4);
        let y = corpus(&s, &b, &case, SEED, 4);
        check(
            x == y,
            format!("{}: the same seed gave different requests", case.id),
        )?;
        // One class whose requests differ under another seed is what is asserted: the others need
        // not be generated again.
        if !differs {
            let z = corpus(&s, &c, &case, SEED + 1, 4);
            differs = x
                .iter()
                .map(|i| &i.request.body)
                .ne(z.iter().map(|i| &i.request.body));
        }
    }
    check(differs, "another seed must give other requests")?;
    Ok(())
}

fn boundaries_are_exact() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", SEED)?;
    let cases = harness::feasible_cases(&s, &ctx);
    let value = |id: &str, member: &str| -> Result<serde_json::Value, Failed> {
        let case = cases
            .iter()
            .find(|c| c.id == id)
            .ok_or(format!("no case {id}"))?;
        let inst = harness::boundary(&s, &ctx, case, SEED).ok_or(format!("{id}: no instance"))?;
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
    // 900 without a CapacityProviderConfig (cfn-lint E3717); the model's 5400 with one.
    check(
        value(
            "create_function::timeout::above_max_without_capacity_provider_config",
            "Timeout",
        )? == 901,
        "Timeout above 900 without a capacity provider starts at 901",
    )?;
    check(
        value("create_function::timeout::above_max", "Timeout")? == 5401,
        "Timeout above_max (the model's 5400) starts at 5401",
    )?;
    check(
        value("create_function::timeout::above_max", "CapacityProviderConfig")?.is_object(),
        "Timeout above 5400 is sent with a CapacityProviderConfig, so only the model's bound breaks",
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

/// Instances of a case: its boundary and `n` more draws.
fn draws(
    s: &spec::Spec,
    ctx: &Context,
    case: &lambda_conform::generate::Case,
    n: u64,
) -> Vec<serde_json::Value> {
    (0..n * 4)
        .filter_map(|k| case.instance(s, ctx, k % (case.span + 1), k.wrapping_mul(0x9E37_79B9)))
        .filter_map(|i| i.json)
        .take(n as usize)
        .collect()
}

/// Valid log-level checks send LogFormat JSON: a level under the default Text format is refused
/// (cfn-lint E3696), so sending one was a false alarm.
fn valid_log_levels_send_json_format() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", SEED)?;
    let cases = harness::feasible_cases(&s, &ctx);
    let levels: Vec<_> = cases
        .iter()
        .filter(|c| c.kind == CaseKind::Valid && c.id.contains("_log_level::"))
        .collect();
    check(
        levels.len() == 9,
        format!("{} valid log-level classes", levels.len()),
    )?;
    for case in levels {
        let got = draws(&s, &ctx, case, 3);
        check(!got.is_empty(), format!("{}: no instance", case.id))?;
        for json in got {
            check(
                json["LoggingConfig"]["LogFormat"] == "JSON",
                format!("{}: {}", case.id, json["LoggingConfig"]),
            )?;
        }
    }
    // One violation class per cross-member rule, each breaking only its own row.
    for id in [
        "create_function::logging_config::system_log_level::not_allowed_when_log_format_text",
        "create_function::logging_config::system_log_level::not_allowed_with_default_log_format",
        "create_function::logging_config::application_log_level::not_allowed_when_log_format_text",
        "create_function::logging_config::application_log_level::not_allowed_with_default_log_format",
        "create_function::timeout::above_max_without_capacity_provider_config",
        "create_function::environment::variables::key::reserved",
        "create_function::handler::not_allowed_when_package_type_image",
        "create_function::runtime::not_allowed_when_package_type_image",
        "create_function::layers::not_allowed_when_package_type_image",
        "create_function::layers::item::awslayer",
        "create_function::layers::item::other_region",
    ] {
        let case = cases
            .iter()
            .find(|c| c.id == id)
            .ok_or(format!("no feasible case {id}"))?;
        check(case.kind == CaseKind::Violation, format!("{id} is a violation"))?;
    }
    Ok(())
}

/// Layer ARNs of valid checks name the request's region (AWS refuses others: aws-observed/049) and
/// never the awslayer form.
fn valid_layers_are_in_the_region() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", SEED)?;
    let ctx = ctx.in_place("ap-southeast-2", Some("123456789012".into()));
    // A context of its own: only the layer classes are probed.
    let cases = harness::feasible_matching(&s, &ctx, "layers");
    let mut seen = 0;
    for id in [
        "create_function::valid::layers::item",
        "create_function::layers::at_max_items",
        "create_function::layers::item::at_max_length",
    ] {
        let case = cases
            .iter()
            .find(|c| c.id == id)
            .ok_or(format!("no feasible case {id}"))?;
        for json in draws(&s, &ctx, case, 8) {
            for arn in json["Layers"]
                .as_array()
                .ok_or(format!("{id}: no Layers"))?
            {
                let arn = arn.as_str().unwrap_or_default();
                seen += 1;
                check(
                    arn.split(':').nth(3) == Some("ap-southeast-2"),
                    format!("{id}: {arn} is not in the request's region"),
                )?;
            }
        }
    }
    check(seen >= 20, format!("only {seen} layer ARNs"))?;
    Ok(())
}

/// Generated valid text uses only ASCII or characters every Unicode version since 9.0 classes alike.
fn valid_text_is_unicode_9_stable() -> Result<(), Failed> {
    use lambda_conform::generate::strings::STABLE_NON_ASCII;
    let (s, ctx) = setup("aws-2026", SEED)?;
    let stable = |c: char| {
        c.is_ascii()
            || STABLE_NON_ASCII
                .iter()
                .any(|&(a, b)| (a..=b).contains(&(c as u32)))
    };
    let cases = harness::feasible_cases(&s, &ctx);
    let mut non_ascii = 0;
    for case in cases
        .iter()
        .filter(|c| matches!(c.kind, CaseKind::Valid | CaseKind::Boundary))
        .filter(|c| !c.id.contains("zip_file"))
    {
        for json in draws(&s, &ctx, case, 6) {
            let text = json.to_string();
            non_ascii += text.chars().filter(|c| !c.is_ascii()).count();
            if let Some(bad) = text.chars().find(|c| !stable(*c)) {
                return Err(format!("{}: U+{:04X} in {}", case.id, bad as u32, text).into());
            }
        }
    }
    // The check means something: some generated text is beyond ASCII.
    check(non_ascii > 0, "no text beyond ASCII was generated")?;
    Ok(())
}

/// The model's Timeout bound (5400) is only reachable with a CapacityProviderConfig, which names a
/// resource: such checks are skipped where resources cannot be made.
fn added_resources_are_marked() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", SEED)?;
    let cases = harness::feasible_cases(&s, &ctx);
    for id in [
        "create_function::timeout::at_max",
        "create_function::timeout::above_max",
        "create_function::valid::package_type::image",
        "create_function::handler::not_allowed_when_package_type_image",
    ] {
        let case = cases
            .iter()
            .find(|c| c.id == id)
            .ok_or(format!("no feasible case {id}"))?;
        check(
            case.needs_resource.is_some(),
            format!("{id} must say it needs a resource"),
        )?;
    }
    let plain = cases
        .iter()
        .find(|c| c.id == "create_function::timeout::at_max_without_capacity_provider_config")
        .ok_or("no Timeout 900 boundary")?;
    check(plain.needs_resource.is_none(), "Timeout 900 needs nothing")?;
    Ok(())
}

/// `valid::<member>` of a member the base request sets sends other values than the base's (the
/// class would otherwise be `valid::minimal` again), in both profiles; and a role other than the
/// target's own cannot be assumed by Lambda (AWS answers 400), so the classes drawing one run
/// against the stub only, while Role's violations run everywhere.
fn valid_members_change_the_base_value() -> Result<(), Failed> {
    for profile in ["aws-2026", "seed-2020"] {
        let (s, ctx) = setup(profile, SEED)?;
        let cases = harness::feasible_cases(&s, &ctx);
        let base = ctx.base_request(&s, "x");
        for (id, member) in [
            ("create_function::valid::handler", "Handler"),
            ("create_function::valid::role", "Role"),
        ] {
            let case = cases
                .iter()
                .find(|c| c.id == id)
                .ok_or(format!("{profile}: no feasible case {id}"))?;
            let got = draws(&s, &ctx, case, 8);
            check(
                got.len() == 8,
                format!("{profile} {id}: {} instances", got.len()),
            )?;
            for json in got {
                check(
                    json[member] != base[member],
                    format!("{profile} {id} sends the base request's {member}"),
                )?;
            }
        }
        for (id, stub_only) in [
            ("create_function::valid::role", true),
            ("create_function::role::at_max_length", true),
            ("create_function::valid::handler", false),
            ("create_function::role::pattern_mismatch", false),
            ("create_function::valid::minimal", false),
        ] {
            let Some(case) = cases.iter().find(|c| c.id == id) else {
                // seed-2020's Role has no length bounds.
                check(
                    profile == "seed-2020" && id.ends_with("::at_max_length"),
                    format!("{profile}: no feasible case {id}"),
                )?;
                continue;
            };
            check(
                case.needs_resource.is_some() == stub_only,
                format!("{profile} {id}: needs {:?}", case.needs_resource),
            )?;
        }
    }
    Ok(())
}

/// `run --filter` probes only the matching classes: it makes the same checks, in the same order, as
/// the whole feasible list filtered by check id.
fn filtered_probe_makes_the_filtered_checks() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", SEED)?;
    let all = harness::feasible_cases(&s, &ctx);
    let check_ids = |cases: Vec<lambda_conform::generate::Case>, filter: &str| -> Vec<String> {
        harness::checks(cases, true)
            .iter()
            .map(|c| c.id())
            .filter(|i| i.contains(filter))
            .collect()
    };
    for filter in [
        "memory_size",
        "::sdk::timeout::",
        "zip_file",
        "lifecycle::",
        "no-such-check",
    ] {
        let probed = harness::feasible_matching(&s, &ctx, filter);
        let (got, want) = (
            check_ids(probed.clone(), filter),
            check_ids(all.clone(), filter),
        );
        check(
            got == want,
            format!("--filter {filter}: checks {got:?}, want {want:?}"),
        )?;
        // Probing fewer is the point: nothing that no check of the filter needs.
        check(
            probed.len() <= want.len(),
            format!(
                "--filter {filter}: {} classes probed for {} checks",
                probed.len(),
                want.len()
            ),
        )?;
    }
    Ok(())
}

fn the_cases_listed() -> Result<(), Failed> {
    let (s, ctx) = setup("aws-2026", SEED)?;
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
            "generate::valid_members_change_the_base_value",
            valid_members_change_the_base_value,
        ),
        (
            "generate::filtered_classes_match_the_whole_list",
            filtered_classes_match_the_whole_list,
        ),
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
        (
            "generate::filtered_probe_makes_the_filtered_checks",
            filtered_probe_makes_the_filtered_checks,
        ),
        (
            "generate::valid_log_levels_send_json_format",
            valid_log_levels_send_json_format,
        ),
        (
            "generate::valid_layers_are_in_the_region",
            valid_layers_are_in_the_region,
        ),
        (
            "generate::valid_text_is_unicode_9_stable",
            valid_text_is_unicode_9_stable,
        ),
        (
            "generate::added_resources_are_marked",
            added_resources_are_marked,
        ),
    ])
}

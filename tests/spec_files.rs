//! The spec table: both profiles load with the figures the project promises; the loader refuses bad
//! files with one line naming file, line and key; patterns are whole-value Java matches.

mod support;

use std::process::ExitCode;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::spec::{self, pattern::Pattern, Kind, Source};

fn load(profile: &str) -> Result<spec::Spec, Failed> {
    spec::load(profile, None).map_err(|e| Failed::from(e.to_string()))
}

fn aws_2026_figures() -> Result<(), Failed> {
    let s = load("aws-2026")?;
    check(
        s.members.len() >= 75,
        format!("{} input paths", s.members.len()),
    )?;
    let constrained = s
        .members
        .iter()
        .filter(|m| m.constraints.iter().any(|c| c.kind != Kind::Required))
        .count();
    check(
        constrained >= 45,
        format!("{constrained} constrained paths"),
    )?;
    check(
        s.response.len() >= 90,
        format!("{} response paths", s.response.len()),
    )?;
    let modeled = s
        .errors
        .iter()
        .filter(|e| e.source == Source::Model)
        .count();
    check(modeled == 10, format!("{modeled} modeled errors"))?;
    for extra in ["ValidationException", "RequestEntityTooLargeException"] {
        check(
            s.errors.iter().any(|e| e.error_type == extra),
            format!("no {extra}"),
        )?;
    }
    Ok(())
}

fn seed_2020_figures() -> Result<(), Failed> {
    let s = load("seed-2020")?;
    let modeled = s
        .errors
        .iter()
        .filter(|e| e.source == Source::Model)
        .count();
    check(modeled == 6, format!("{modeled} modeled errors"))?;
    let required: Vec<&str> = s
        .members
        .iter()
        .filter(|m| m.required && !m.path.contains('.'))
        .map(|m| m.path.as_str())
        .collect();
    check(
        required == ["FunctionName", "Runtime", "Role", "Handler", "Code"],
        format!("required {required:?}"),
    )?;
    let mem = s.member("MemorySize").ok_or("no MemorySize")?;
    check(
        mem.constraints
            .iter()
            .any(|c| c.kind == Kind::Max { max: 3008.0 }),
        "MemorySize max 3008",
    )?;
    check(
        mem.constraints
            .iter()
            .any(|c| c.kind == Kind::MultipleOf { step: 64 }),
        "MemorySize multiple of 64",
    )?;
    let t = s.member("Timeout").ok_or("no Timeout")?;
    check(
        t.constraints
            .iter()
            .any(|c| c.kind == Kind::Max { max: 900.0 }),
        "Timeout max 900",
    )?;
    Ok(())
}

fn every_row_has_a_source() -> Result<(), Failed> {
    for p in spec::profiles() {
        let s = load(p)?;
        for m in &s.members {
            for c in &m.constraints {
                if matches!(c.source, Source::Observed)
                    || matches!(c.error.source, Source::Observed)
                {
                    check(
                        c.evidence.is_some() || c.error.evidence.is_some(),
                        format!("{p} {} {}: observed without evidence", m.path, c.id),
                    )?;
                }
            }
        }
        for r in &s.response_rules {
            if r.source == Source::Observed {
                check(
                    r.evidence.is_some(),
                    format!("{p} response {}: observed without evidence", r.path),
                )?;
            }
        }
    }
    Ok(())
}

fn overlay_corrections_are_in_force() -> Result<(), Failed> {
    let s = load("aws-2026")?;
    // The lowest maximum in force (a cross-member rule tightens the model's).
    let max_of = |path: &str| {
        s.member(path).and_then(|m| {
            m.constraints
                .iter()
                .filter_map(|c| match c.kind {
                    Kind::Max { max } => Some(max),
                    _ => None,
                })
                .reduce(f64::min)
        })
    };
    check(
        max_of("Timeout") == Some(900.0),
        "Timeout max 900 without CapacityProviderConfig (the model says 5400)",
    )?;
    check(
        max_of("MemorySize") == Some(10240.0),
        "MemorySize max 10240 (assumed)",
    )?;
    let name = s.member("FunctionName").ok_or("no FunctionName")?;
    let bare = name
        .constraints
        .iter()
        .find(|c| c.id == "bare_name_too_long")
        .ok_or("no bare-name rule")?;
    check(
        bare.error.error_type == "InvalidParameterValueException",
        "bare name > 64 is IPVE",
    )?;
    check(bare.kind == Kind::MaxLength { max: 64 }, "bare name max 64")?;
    Ok(())
}

fn seed_printed_pattern_lost_its_plus() -> Result<(), Failed> {
    // The 2020 reference printed FunctionName's pattern without its `+` characters.
    let printed = r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_])(:(\$LATEST|[a-zA-Z0-9-_]))?";
    let literal = Pattern::new(printed).map_err(Failed::from)?;
    check(
        !literal.matches("my-function"),
        "the printed pattern should reject my-function",
    )?;
    let s = load("seed-2020")?;
    let p = s
        .member("FunctionName")
        .and_then(|m| m.constraints.iter().find_map(|c| c.compiled.clone()))
        .ok_or("no pattern")?;
    check(
        p.matches("my-function"),
        "the profile's pattern must accept my-function",
    )?;
    check(p.source().contains('+'), "the profile's pattern has its +")?;
    Ok(())
}

fn look_behind_is_enforced() -> Result<(), Failed> {
    let s = load("aws-2026")?;
    let p = s
        .member("Code.S3Bucket")
        .and_then(|m| m.constraints.iter().find_map(|c| c.compiled.clone()))
        .ok_or("no S3Bucket pattern")?;
    check(p.needs_lookaround(), "S3Bucket needs fancy-regex")?;
    check(p.matches("my-bucket"), "my-bucket matches")?;
    check(
        !p.matches("my-bucket."),
        "a trailing dot must fail the look-behind",
    )?;
    Ok(())
}

/// The expected message of every error answer of the aws-2026 corpus is what the text pipeline
/// (fill the template, join the errors, then find the `{list:NAME}` slots) gives: splitting the
/// template into segments before filling it in changed no expectation.
fn messages_in_segments_are_the_text_pipeline() -> Result<(), Failed> {
    use lambda_conform::generate::Context;
    use lambda_conform::spec::message::{join_validation, permutations, segments};
    use lambda_conform::spec::validate::{constraint, violation_text, violations, Expectation};
    use lambda_conform::transport::target::EMULATOR_ROLE_ARN;
    let table = std::sync::Arc::new(load("aws-2026")?);
    let ctx = Context::new(7, EMULATOR_ROLE_ARN);
    let lists = |name: &str| table.lists.get(name).map(|l| l.values.clone());
    let (mut compared, mut with_sets, mut joined) = (0, 0, 0);
    for case in lambda_conform::harness::feasible_cases(&table, &ctx) {
        for inst in lambda_conform::harness::corpus(&table, &ctx, &case, 7, 2) {
            let (Expectation::Error(e), Some(root)) = (&inst.answer, &inst.json) else {
                continue;
            };
            let facts = ctx.facts(inst.request.body.len());
            let found = violations(&table, root, &facts);
            let row =
                |v: &&lambda_conform::spec::validate::Violation| format!("{} {}", v.path, v.id);
            let picked: Vec<_> = found.iter().filter(|v| e.rows.contains(&row(v))).collect();
            if picked.len() != e.rows.len() {
                continue; // not a violation's answer (a wire or size answer has no such rows)
            }
            let texts: Vec<String> = picked
                .iter()
                .map(|v| violation_text(&table, v, root, &facts))
                .collect();
            let validation = constraint(&table, picked[0]).family == spec::Family::Validation;
            let old: Vec<_> = if validation {
                joined += 1;
                permutations(&texts)
                    .iter()
                    .map(|p| segments(&join_validation(&table.messages, p), &lists))
                    .collect()
            } else {
                vec![segments(&texts[0], &lists)]
            };
            check(
                e.message.alternatives == old,
                format!(
                    "{}: {:?} != {:?}",
                    inst.case_id, e.message.alternatives, old
                ),
            )?;
            compared += 1;
            with_sets += usize::from(
                old.iter()
                    .flatten()
                    .any(|s| matches!(s, lambda_conform::spec::message::Segment::Set(_))),
            );
        }
    }
    check(
        compared > 200 && with_sets > 0 && joined > 100,
        format!("{compared} compared, {with_sets} with a set, {joined} joined"),
    )
}

/// A value holding the text of a list slot is text in the expected message: only the template's
/// own `{list:NAME}` is a set.
fn a_value_like_a_list_slot_stays_text() -> Result<(), Failed> {
    use lambda_conform::spec::message::Segment;
    use lambda_conform::spec::validate::{answer_for, CallFacts, Expectation};
    let table = load("aws-2026")?;
    let root = serde_json::json!({
        "FunctionName": "f",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},
        "Handler": "index.handler",
        "Runtime": "{list:supported_runtimes}",
    });
    let Expectation::Error(e) = answer_for(&table, &root, &CallFacts::default()) else {
        return Err("an unknown runtime is an error".into());
    };
    for alt in &e.message.alternatives {
        let sets = alt.iter().filter(|s| matches!(s, Segment::Set(_))).count();
        check(sets == 1, format!("{sets} sets in {alt:?}"))?;
        check(
            alt.iter()
                .any(|s| matches!(s, Segment::Text(t) if t.contains("{list:supported_runtimes}"))),
            format!("the value is not text in {alt:?}"),
        )?;
    }
    Ok(())
}

fn java_classes_are_ascii() -> Result<(), Failed> {
    let digits = Pattern::new(r"\d{3}").map_err(Failed::from)?;
    check(digits.matches("123"), "ASCII digits")?;
    check(
        !digits.matches("١٢٣"),
        "Arabic-Indic digits are not \\d in Java",
    )?;
    let handler = Pattern::new(r"[^\s]+").map_err(Failed::from)?;
    check(handler.matches("index.handler"), "a handler")?;
    check(
        handler.matches("a\u{a0}b"),
        "a no-break space is not \\s in Java",
    )?;
    check(!handler.matches("a b"), "a space is")?;
    Ok(())
}

fn bad_spec_errors() -> Result<(), Failed> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-specs");
    let model = include_str!("../specs/aws-2026/model.toml");
    let minimal =
        std::fs::read_to_string(dir.join("minimal-overlay.toml")).map_err(|e| e.to_string())?;
    spec::load_texts("model.toml", model, "minimal-overlay.toml", &minimal)
        .map_err(|e| format!("the minimal overlay must load: {e}"))?;
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".toml") && n != "minimal-overlay.toml")
        .collect();
    names.sort();
    let mut lines = Vec::new();
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())?;
        let overlay = if name.ends_with(".full.toml") {
            text
        } else {
            format!("{minimal}\n{text}")
        };
        let err = match spec::load_texts("specs/aws-2026/model.toml", model, name, &overlay) {
            Ok(_) => return Err(format!("{name} loaded, but must be refused").into()),
            Err(e) => e.to_string(),
        };
        check(
            !err.contains('\n'),
            format!("{name}: the error must be one line: {err}"),
        )?;
        check(
            err.starts_with(name.as_str()),
            format!("{name}: the error must name the file: {err}"),
        )?;
        lines.push(err);
    }
    // A duplicate path in the model itself.
    let dup = model.replacen(
        "[[member]]\npath = \"Runtime\"",
        "[[member]]\npath = \"FunctionName\"",
        1,
    );
    let err = spec::load_texts("model.toml", &dup, "minimal-overlay.toml", &minimal)
        .err()
        .ok_or("a duplicate model path must be refused")?;
    lines.push(err.to_string());
    insta::with_settings!({snapshot_path => "snapshots/spec_files", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("bad_spec_errors", lines.join("\n"));
    });
    Ok(())
}

fn embedded_equals_files() -> Result<(), Failed> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    for p in spec::profiles() {
        let a = spec::load(p, None).map_err(|e| e.to_string())?;
        let b = spec::load(p, Some(&dir)).map_err(|e| e.to_string())?;
        check(
            a.members.len() == b.members.len(),
            format!("{p}: embedded and files differ"),
        )?;
    }
    Ok(())
}

fn json_view_shape() -> Result<(), Failed> {
    let s = load("aws-2026")?;
    let v = spec::json_view(&s);
    for key in ["profile", "source", "members", "response", "errors"] {
        check(v.get(key).is_some(), format!("json view lacks {key}"))?;
    }
    let timeout = v["members"]
        .as_array()
        .and_then(|m| m.iter().find(|x| x["path"] == "Timeout"))
        .ok_or("no Timeout")?;
    let max = timeout["constraints"]
        .as_array()
        .and_then(|c| c.iter().find(|x| x["kind"] == "max" && x["max"] == 900.0))
        .ok_or("no max 900")?;
    check(
        max["when_request"] == "CapacityProviderConfig absent",
        format!("Timeout max 900 condition in JSON: {}", max["when_request"]),
    )?;
    check(
        max["error"]["type"] == "ValidationException",
        "Timeout max error type",
    )?;
    // The rule is cfn-lint's (doc); the answer's wording was recorded (observed).
    check(max["source"] == "doc", "Timeout max source")?;
    check(
        max["error"]["source"] == "observed",
        "Timeout max error source",
    )?;
    check(timeout["default"]["value"] == 3, "Timeout default 3")?;
    Ok(())
}

fn answer_to(s: &spec::Spec, body: serde_json::Value) -> spec::validate::Expectation {
    let facts = spec::validate::CallFacts {
        body_bytes: 0,
        region: Some("us-east-1".into()),
        account: Some("123456789012".into()),
    };
    spec::validate::answer_for(s, &body, &facts)
}

fn base_with(edit: impl Fn(&mut serde_json::Map<String, serde_json::Value>)) -> serde_json::Value {
    let mut body = serde_json::json!({
        "FunctionName": "lc-check",
        "Role": "arn:aws:iam::123456789012:role/lambda-conform-role",
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Code": { "ZipFile": spec::validate::SMALLEST_ZIP_B64 },
    });
    if let Some(m) = body.as_object_mut() {
        edit(m);
    }
    body
}

/// cfn-lint's rules are read from the generated file, each row citing cfn-lint's version and file.
fn cfn_lint_rules_are_merged() -> Result<(), Failed> {
    let s = load("aws-2026")?;
    check(
        s.files.iter().any(|f| f.ends_with("cfn-lint.toml")),
        format!("files: {:?}", s.files),
    )?;
    let text = include_str!("../specs/aws-2026/cfn-lint.toml");
    check(
        text.contains("version = \"1.58.0\""),
        "cfn-lint.toml pins cfn-lint 1.58.0",
    )?;
    let from_cfn: Vec<(String, String)> = s
        .members
        .iter()
        .flat_map(|m| m.constraints.iter().map(move |c| (m, c)))
        .filter(|(_, c)| {
            c.evidence.as_deref().is_some_and(|e| {
                e.starts_with(
                    "cfn-lint 1.58.0 cfnlint/data/schemas/extensions/aws_lambda_function/",
                )
            })
        })
        .map(|(m, c)| {
            (
                m.path.clone(),
                format!(
                    "{} {} {:?}",
                    c.id,
                    c.source.as_str(),
                    c.when_request.as_ref().map(|w| w.describe())
                ),
            )
        })
        .collect();
    for (path, id) in [
        (
            "LoggingConfig.SystemLogLevel",
            "not_allowed_when_log_format_text",
        ),
        ("Timeout", "above_max_without_capacity_provider_config"),
        ("Environment.Variables{key}", "reserved"),
        ("Handler", "not_allowed_when_package_type_image"),
        ("Runtime", "not_allowed_when_package_type_image"),
        ("Layers", "not_allowed_when_package_type_image"),
        ("Layers[]", "awslayer"),
    ] {
        check(
            from_cfn
                .iter()
                .any(|(p, d)| p == path && d.starts_with(&format!("{id} doc"))),
            format!("no cfn-lint rule {path} {id}: {from_cfn:?}"),
        )?;
    }
    check(
        !text.contains("zipfile") || !text.contains("[[rule]]\npath = \"Code.ZipFile\""),
        "the zipfile_* rules (CloudFormation inline source) are not taken",
    )?;
    // The LogLevel rule is documented; its wording is not recorded.
    let level = s
        .member("LoggingConfig.SystemLogLevel")
        .and_then(|m| {
            m.constraints
                .iter()
                .find(|c| c.id == "not_allowed_when_log_format_text")
        })
        .ok_or("no SystemLogLevel rule")?;
    check(
        level.error.source == Source::Doc && level.error.message_source == Source::Assumed,
        format!(
            "LogLevel error source {:?}, message source {:?}",
            level.error.source, level.error.message_source
        ),
    )?;
    Ok(())
}

/// The table judges the cross-member rules: what the generators and the stub both read.
fn cross_member_rules_decide_the_answer() -> Result<(), Failed> {
    use spec::validate::Expectation;
    let s = load("aws-2026")?;
    let err = |a: &Expectation| match a {
        Expectation::Error(e) => Some(e.clone()),
        Expectation::Success => None,
    };
    // A log level under the default (Text) format, or an explicit Text: refused, wording assumed.
    for format in [None, Some("Text")] {
        for level in ["SystemLogLevel", "ApplicationLogLevel"] {
            let body = base_with(|m| {
                let mut lc = serde_json::Map::new();
                lc.insert(level.into(), "INFO".into());
                if let Some(f) = format {
                    lc.insert("LogFormat".into(), f.into());
                }
                m.insert("LoggingConfig".into(), lc.into());
            });
            let e = err(&answer_to(&s, body))
                .ok_or(format!("{level} with LogFormat {format:?} must be refused"))?;
            check(
                e.status == 400
                    && e.error_type == "InvalidParameterValueException"
                    && e.message_source == Source::Assumed
                    && e.message
                        .display()
                        .starts_with("LogLevel is not supported when LogFormat is set to \"Text\""),
                format!("{level}/{format:?}: {e:?}"),
            )?;
        }
    }
    let json = base_with(|m| {
        m.insert(
            "LoggingConfig".into(),
            serde_json::json!({"LogFormat": "JSON", "SystemLogLevel": "INFO", "ApplicationLogLevel": "INFO"}),
        );
    });
    check(
        answer_to(&s, json) == Expectation::Success,
        "levels with JSON logs are valid",
    )?;
    // Timeout: 900 without CapacityProviderConfig, the model's 5400 with one.
    let long = base_with(|m| {
        m.insert("Timeout".into(), 1000.into());
    });
    check(
        err(&answer_to(&s, long)).is_some_and(|e| e.error_type == "ValidationException"),
        "Timeout 1000 alone",
    )?;
    let managed = base_with(|m| {
        m.insert("Timeout".into(), 1000.into());
        m.insert("CapacityProviderConfig".into(), serde_json::json!({"LambdaManagedInstancesCapacityProviderConfig": {"CapacityProviderArn": "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp1"}}));
    });
    check(
        err(&answer_to(&s, managed.clone())).is_none(),
        format!(
            "Timeout 1000 with a capacity provider: {:?}",
            answer_to(&s, managed)
        ),
    )?;
    // Reserved environment variable keys.
    let reserved = base_with(|m| {
        m.insert(
            "Environment".into(),
            serde_json::json!({"Variables": {"AWS_REGION": "x"}}),
        );
    });
    check(
        err(&answer_to(&s, reserved)).is_some(),
        "AWS_REGION is reserved",
    )?;
    // Image functions take no Handler, Runtime or Layers.
    let image = base_with(|m| {
        m.insert("PackageType".into(), "Image".into());
        m.insert("Code".into(), serde_json::json!({"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:latest"}));
    });
    let e = err(&answer_to(&s, image)).ok_or("Image with Runtime and Handler must be refused")?;
    check(
        e.rows
            .iter()
            .any(|r| r.contains("not_allowed_when_package_type_image")),
        format!("{:?}", e.rows),
    )?;
    // A layer in another region: the recorded answer (aws-observed/049).
    let layer = base_with(|m| {
        m.insert(
            "Layers".into(),
            serde_json::json!(["arn:aws:lambda:eu-west-1:123456789012:layer:l:1"]),
        );
    });
    let e = err(&answer_to(&s, layer)).ok_or("a layer in another region must be refused")?;
    check(
        e.source == Source::Observed
            && e.message.matches("Layers are not in the same region as the function. Layers are expected to be in region us-east-1."),
        format!("{e:?}"),
    )?;
    // The awslayer form, which the model's pattern allows.
    let aws = base_with(|m| {
        m.insert(
            "Layers".into(),
            serde_json::json!(["arn:aws:lambda:::awslayer:AWSLambda-Python"]),
        );
    });
    let e = err(&answer_to(&s, aws)).ok_or("an awslayer ARN must be refused")?;
    check(e.rows == ["Layers[] awslayer"], format!("{:?}", e.rows))?;
    Ok(())
}

/// An ImageUri beside a ZipFile under PackageType Zip does not get the wording recorded for Image.
fn image_uri_text_is_recorded_for_image_only() -> Result<(), Failed> {
    use spec::validate::Expectation;
    let s = load("aws-2026")?;
    let zip = base_with(|m| {
        m.insert(
            "Code".into(),
            serde_json::json!({"ZipFile": spec::validate::SMALLEST_ZIP_B64, "ImageUri": "bad"}),
        );
    });
    match answer_to(&s, zip) {
        Expectation::Error(e) => check(
            e.source == Source::Assumed,
            format!("Zip + ImageUri: {e:?}"),
        )?,
        Expectation::Success => return Err("Zip + a bad ImageUri must be refused".into()),
    }
    let image = serde_json::json!({
        "FunctionName": "fn-19fcf8b3",
        "Role": "arn:aws:iam::111111111111:role/lambda-autogenerated-5b2caf2b",
        "Code": {"ImageUri": "instance-scheduler-ecr-repo:latest"},
        "PackageType": "Image",
    });
    match answer_to(&s, image) {
        Expectation::Error(e) => check(
            e.source == Source::Observed
                && e.message.matches("Source image instance-scheduler-ecr-repo:latest is not valid. Provide a valid source image."),
            format!("Image + bad ImageUri: {e:?}"),
        )?,
        Expectation::Success => return Err("Image + a bad ImageUri must be refused".into()),
    }
    Ok(())
}

fn main() -> ExitCode {
    support::run(vec![
        ("spec::cfn_lint_rules_are_merged", cfn_lint_rules_are_merged),
        (
            "spec::cross_member_rules_decide_the_answer",
            cross_member_rules_decide_the_answer,
        ),
        (
            "spec::image_uri_text_is_recorded_for_image_only",
            image_uri_text_is_recorded_for_image_only,
        ),
        ("spec::aws_2026_figures", aws_2026_figures),
        ("spec::seed_2020_figures", seed_2020_figures),
        ("spec::every_row_has_a_source", every_row_has_a_source),
        (
            "spec::overlay_corrections_are_in_force",
            overlay_corrections_are_in_force,
        ),
        (
            "spec::seed_printed_pattern_lost_its_plus",
            seed_printed_pattern_lost_its_plus,
        ),
        ("spec::look_behind_is_enforced", look_behind_is_enforced),
        ("spec::java_classes_are_ascii", java_classes_are_ascii),
        (
            "spec::messages_in_segments_are_the_text_pipeline",
            messages_in_segments_are_the_text_pipeline,
        ),
        (
            "spec::a_value_like_a_list_slot_stays_text",
            a_value_like_a_list_slot_stays_text,
        ),
        ("spec::bad_spec_errors", bad_spec_errors),
        ("spec::embedded_equals_files", embedded_equals_files),
        ("spec::json_view_shape", json_view_shape),
    ])
}

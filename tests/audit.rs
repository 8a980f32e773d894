//! Oracle truth: every exchange recorded against real AWS is judged conformant by the table, the
//! unjudgeable ones are listed with their reasons, and a wrong table row is caught by the exchange
//! that disproves it. The recordings also write the snapshots of the case classes they cover.

mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use libtest_mimic::Failed;
use support::check;

use lambda_conform::audit::{self, read_exchanges};
use lambda_conform::oracle::snapshot;
use lambda_conform::report::Outcome;
use lambda_conform::spec::{self, validate, validate::Expectation, Spec};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-recorded.jsonl")
}

/// The fixture's calls were made in us-east-1 by account 111111111111 (see tests/fixtures/README.md).
fn facts() -> validate::CallFacts {
    validate::CallFacts {
        body_bytes: 0,
        region: Some("us-east-1".into()),
        account: Some("111111111111".into()),
    }
}

fn overlay_with(edit: impl Fn(&str) -> String) -> Result<Spec, Failed> {
    let model = include_str!("../specs/aws-2026/model.toml");
    let overlay = edit(include_str!("../specs/aws-2026/overlay.toml"));
    spec::load_texts_with(
        "specs/aws-2026/model.toml",
        model,
        Some((
            "specs/aws-2026/cfn-lint.toml",
            include_str!("../specs/aws-2026/cfn-lint.toml"),
        )),
        "specs/aws-2026/overlay.toml",
        &overlay,
    )
    .map_err(|e| e.to_string().into())
}

fn every_judgeable_exchange_conforms() -> Result<(), Failed> {
    let s = spec::load("aws-2026", None).map_err(|e| e.to_string())?;
    let report = audit::audit_files(&s, &[fixture()], &facts()).map_err(|e| e.to_string())?;
    let bad: Vec<String> = report
        .trials
        .iter()
        .filter(|t| t.skipped.is_none() && t.outcome != Outcome::Conformant)
        .map(|t| format!("{}: {}", t.id, t.message))
        .collect();
    check(
        bad.is_empty(),
        format!(
            "recorded AWS answers judged non-conformant:\n{}",
            bad.join("\n")
        ),
    )?;
    check(
        report.trials.len() == 112,
        format!(
            "{} exchanges (102 recorded + 10 supplementary)",
            report.trials.len()
        ),
    )?;
    let judged = report.trials.iter().filter(|t| t.skipped.is_none()).count();
    check(judged >= 85, format!("only {judged} exchanges judged"))?;
    // The unjudgeable ones are listed with a reason, not dropped.
    let skipped: Vec<String> = report
        .trials
        .iter()
        .filter_map(|t| t.skipped.as_ref().map(|r| format!("{}: {r}", t.id)))
        .collect();
    check(
        report.summary.skipped == skipped.len(),
        "skipped exchanges are counted",
    )?;
    insta::with_settings!({snapshot_path => "snapshots/audit", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("unjudgeable", skipped.join("\n"));
    });
    Ok(())
}

fn a_wrong_row_is_caught_by_its_exchange() -> Result<(), Failed> {
    // Timeout's maximum set to 901: the recorded "… less than or equal to 900" must disprove it.
    let wrong = overlay_with(|o| {
        let row = "path = \"Timeout\"\nkind = \"max\"\nwhen_request = { member = \"CapacityProviderConfig\", present = false }\n";
        o.replace(row, &format!("{row}replace = true\nmax = 901\n"))
    })?;
    let report = audit::audit_files(&wrong, &[fixture()], &facts()).map_err(|e| e.to_string())?;
    let failing: Vec<&str> = report
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::Divergent)
        .map(|t| t.id.as_str())
        .collect();
    check(
        failing.contains(&"aws-supplementary/01-timeout_above_900"),
        format!("the Timeout exchange must disprove max 901; divergent: {failing:?}"),
    )?;
    // And a wrong error type on an observed row.
    let wrong = overlay_with(|o| {
        o.replace(
            "message = \"Cannot reference more than 5 layers.\"",
            "message = \"Cannot reference more than 5 layers!\"",
        )
        .replace(
            "type = \"InvalidParameterValueException\", message = \"Number of tags",
            "type = \"ValidationException\", message = \"Number of tags",
        )
    })?;
    let report = audit::audit_files(&wrong, &[fixture()], &facts()).map_err(|e| e.to_string())?;
    let failing: Vec<&str> = report
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::Divergent)
        .map(|t| t.id.as_str())
        .collect();
    check(
        failing.contains(&"aws-observed/048-create_function_invalid_tags"),
        format!("the tags exchange must disprove the wrong type; divergent: {failing:?}"),
    )?;
    Ok(())
}

/// aws-observed/049 (a layer version in another region) is judged offline now that the table has the
/// recorded region rule, and AWS's answer conforms to it.
fn layer_in_another_region_conforms() -> Result<(), Failed> {
    let s = spec::load("aws-2026", None).map_err(|e| e.to_string())?;
    let report = audit::audit_files(&s, &[fixture()], &facts()).map_err(|e| e.to_string())?;
    let t = report
        .trials
        .iter()
        .find(|t| t.id.starts_with("aws-observed/049-"))
        .ok_or("no exchange 049")?;
    check(t.skipped.is_none(), format!("049 skipped: {:?}", t.skipped))?;
    check(
        t.outcome == Outcome::Conformant,
        format!("049 judged {:?}: {}", t.outcome, t.message),
    )?;
    // As `lambda-conform audit FILE` runs it, with no --region or --account: the fixture's lines say
    // where they were made (us-east-1, 111111111111), so nothing is judged as if the region were unknown.
    let report = audit::audit_files(&s, &[fixture()], &spec::validate::CallFacts::default())
        .map_err(|e| e.to_string())?;
    let divergent: Vec<&str> = report
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::Divergent)
        .map(|t| t.id.as_str())
        .collect();
    check(
        divergent.is_empty(),
        format!("without --region/--account: divergent {divergent:?}"),
    )?;
    // Without the row, the table expects a success: the exchange disproves that.
    let without = overlay_with(|o| {
        o.replace(
            "path = \"Layers[]\"\nkind = \"arn_region\"",
            "path = \"Layers[]\"\nkind = \"arn_region\"\nwhen = \"image_package\"",
        )
    })?;
    let report = audit::audit_files(&without, &[fixture()], &facts()).map_err(|e| e.to_string())?;
    let t = report
        .trials
        .iter()
        .find(|t| t.id.starts_with("aws-observed/049-"))
        .ok_or("no exchange 049")?;
    // Without the row the table calls 049 valid, and a valid request naming layers depends on
    // state the request does not show: not judged. The row is what makes the recording a verdict.
    check(
        t.outcome == Outcome::Skipped,
        "without the region rule, 049 must not be judged",
    )?;
    Ok(())
}

fn har_input() -> Result<(), Failed> {
    let s = spec::load("aws-2026", None).map_err(|e| e.to_string())?;
    let exchanges = read_exchanges(&fixture()).map_err(|e| e.to_string())?;
    let pick: Vec<_> = exchanges
        .iter()
        .filter(|e| e.unjudgeable.is_none())
        .take(5)
        .collect();
    let entries: Vec<serde_json::Value> = pick
        .iter()
        .map(|e| {
            serde_json::json!({
                "request": {"method": e.request.method, "url": format!("https://lambda.us-east-1.amazonaws.com{}", e.request.path),
                            "headers": e.request.headers.iter().map(|(k, v)| serde_json::json!({"name": k, "value": v})).collect::<Vec<_>>(),
                            "postData": {"mimeType": "application/json", "text": String::from_utf8_lossy(&e.request.body)}},
                "response": {"status": e.response.status,
                             "headers": e.response.headers.iter().map(|(k, v)| serde_json::json!({"name": k, "value": v})).collect::<Vec<_>>(),
                             "content": {"mimeType": "application/json", "text": String::from_utf8_lossy(&e.response.body)}}
            })
        })
        .collect();
    let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}});
    let path =
        std::env::temp_dir().join(format!("lambda-conform-audit-{}.har", std::process::id()));
    std::fs::write(&path, har.to_string()).map_err(|e| e.to_string())?;
    let report = audit::audit_files(
        &s,
        std::slice::from_ref(&path),
        &validate::CallFacts {
            account: Some("111111111111".into()),
            ..Default::default()
        },
    );
    let _ = std::fs::remove_file(&path);
    let report = report.map_err(|e| e.to_string())?;
    check(report.trials.len() == 5, "five HAR entries")?;
    check(
        report.summary.conformant == 5,
        format!(
            "HAR entries judged: {:?}",
            report
                .trials
                .iter()
                .map(|t| (&t.id, t.outcome, &t.message))
                .collect::<Vec<_>>()
        ),
    )?;
    Ok(())
}

/// The case class a recorded exchange belongs to, when it maps to exactly one.
fn case_of(s: &Spec, body: &[u8]) -> Option<String> {
    let root: serde_json::Value = serde_json::from_slice(body).ok()?;
    match validate::answer_with(s, body, Some("application/json"), &facts()) {
        Expectation::Success => {
            let base: Vec<&String> = s.base_request.as_object()?.keys().collect();
            let extra = root
                .as_object()?
                .keys()
                .filter(|k| !base.contains(k) && k.as_str() != "PackageType")
                .count();
            let name = root.get("FunctionName")?.as_str()?;
            let class = if name.starts_with("arn:") {
                "create_function::valid::function_name::full_arn"
            } else if name.contains(":function:") {
                "create_function::valid::function_name::partial_arn"
            } else {
                "create_function::valid::minimal"
            };
            (extra == 0).then(|| class.to_string())
        }
        // Several rows at once: the table's spelled-out case that breaks exactly these.
        Expectation::Error(e) if e.rows.len() > 1 => {
            let rows: std::collections::BTreeSet<&String> = e.rows.iter().collect();
            s.cases
                .iter()
                .find(|c| c.breaks.iter().collect::<std::collections::BTreeSet<_>>() == rows)
                .map(|c| format!("create_function::{}", c.id))
        }
        Expectation::Error(e) if e.rows.len() == 1 => {
            let v = validate::violations(s, &root, &facts());
            let first = v
                .iter()
                .find(|x| format!("{} {}", x.path, x.id) == e.rows[0])?;
            Some(format!(
                "create_function::{}::{}",
                lambda_conform::generate::member_id(&first.path),
                first.id
            ))
        }
        Expectation::Error(_) => None,
    }
}

fn recordings_write_their_snapshots() -> Result<(), Failed> {
    let s = spec::load("aws-2026", None).map_err(|e| e.to_string())?;
    let dir = snapshot::snapshot_dir(Path::new(env!("CARGO_MANIFEST_DIR")), "aws-2026");
    let mut covered = std::collections::BTreeMap::<String, Vec<String>>::new();
    for ex in read_exchanges(&fixture()).map_err(|e| e.to_string())? {
        if ex.unjudgeable.is_some() {
            continue;
        }
        let Some(case) = case_of(&s, &ex.request.body) else {
            continue;
        };
        let json: Option<serde_json::Value> = serde_json::from_slice(&ex.request.body).ok();
        let value = snapshot::normalise(&s, json.as_ref(), &ex.response);
        let from = format!(
            "AWS, exchange {} ({})",
            ex.id,
            ex.provenance.clone().unwrap_or_default()
        );
        snapshot::check(&dir, &case, &from, &value).map_err(|d| {
            format!(
                "{case}: recorded exchange {} normalises differently:\n{d}",
                ex.id
            )
        })?;
        covered.entry(case).or_default().push(ex.id);
    }
    let listing: Vec<String> = covered
        .iter()
        .map(|(c, ids)| format!("{c} ← {}", ids.join(", ")))
        .collect();
    insta::with_settings!({snapshot_path => "snapshots/audit", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("snapshots_from_recordings", listing.join("\n"));
    });
    Ok(())
}

/// The fixture's lines, parsed.
fn fixture_lines() -> Result<Vec<serde_json::Value>, Failed> {
    let text = std::fs::read_to_string(fixture()).map_err(|e| e.to_string())?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| Failed::from(e.to_string())))
        .collect()
}

/// Writes JSON lines to a fresh temporary file and audits it.
fn audit_lines(
    tag: &str,
    lines: &[serde_json::Value],
) -> Result<lambda_conform::report::Report, Failed> {
    let s = spec::load("aws-2026", None).map_err(|e| e.to_string())?;
    let path = std::env::temp_dir().join(format!(
        "lambda-conform-audit-{tag}-{}.jsonl",
        std::process::id()
    ));
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&path, text.join("\n")).map_err(|e| e.to_string())?;
    let report = audit::audit_files(&s, std::slice::from_ref(&path), &facts());
    let _ = std::fs::remove_file(&path);
    report.map_err(|e| e.to_string().into())
}

fn line_by_id(lines: &[serde_json::Value], id: &str) -> Result<serde_json::Value, Failed> {
    lines
        .iter()
        .find(|l| l["id"] == id)
        .cloned()
        .ok_or_else(|| format!("no exchange {id} in the fixture").into())
}

/// Without the fixture's hand-written `judgeable: false`, the audit itself finds that an answer
/// depends on state the request does not show (an S3 object, an image, subnets, layers, an
/// earlier create) from the table's `[[resource]]` rows, and says so instead of judging.
fn state_dependent_exchanges_are_unjudgeable() -> Result<(), Failed> {
    let mut lines = fixture_lines()?;
    let mut unmarked = Vec::new();
    for l in &mut lines {
        let reason = l["reason"].as_str().unwrap_or("").to_string();
        // Every mark about state the request names (not the role's trust policy: every create
        // names a role, and the table has no row for its assumability).
        if l["judgeable"] == false
            && reason.starts_with("needs ")
            && !reason.starts_with("needs IAM")
        {
            l["judgeable"] = true.into();
            l["reason"] = serde_json::Value::Null;
            unmarked.push(l["id"].as_str().unwrap_or("").to_string());
        }
    }
    check(unmarked.len() >= 13, format!("unmarked only {unmarked:?}"))?;
    let report = audit_lines("unmarked", &lines)?;
    let divergent: Vec<String> = report
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::Divergent && t.skipped.is_none())
        .map(|t| format!("{}: {}", t.id, t.message))
        .collect();
    check(
        divergent.is_empty(),
        format!(
            "judged divergent instead of unjudgeable:\n{}",
            divergent.join("\n")
        ),
    )?;
    let reason_of = |id: &str| {
        report
            .trials
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.skipped.clone())
            .unwrap_or_default()
    };
    for (id, needle) in [
        (
            "aws-observed/008-create_error_wrong_bucket",
            "an S3 object holding the zip (Code.S3Key)",
        ),
        ("aws-observed/054-create_response_s3", "Code.S3Bucket"),
        (
            "aws-observed/039-create_response_non_existent_subnet_id",
            "an EC2 subnet (VpcConfig.SubnetIds[])",
        ),
        (
            "aws-observed/062-lambda_image_crud",
            "an ECR image (Code.ImageUri)",
        ),
        (
            "aws-supplementary/00-duplicate_function_name",
            "depends on an earlier create of",
        ),
    ] {
        let why = reason_of(id);
        check(
            why.contains(needle) && why.contains("not in the request"),
            format!("{id}: reason {why:?} should name {needle:?}"),
        )?;
    }
    // Each unmarked exchange is either unjudgeable with a derived reason or judged conformant
    // (six layers: the table's 5-layer limit decides before any layer is looked up).
    for id in &unmarked {
        let t = report
            .trials
            .iter()
            .find(|t| &t.id == id)
            .ok_or("trial missing")?;
        check(
            t.skipped
                .as_deref()
                .is_some_and(|r| r.contains("not in the request"))
                || t.outcome == Outcome::Conformant,
            format!("{id}: {:?} {:?}", t.skipped, t.outcome),
        )?;
    }
    // A request that breaks a constraint is judged even when it names a resource.
    let t = report
        .trials
        .iter()
        .find(|t| t.id == "aws-observed/040-create_response_invalid_format_subnet_id")
        .ok_or("040 missing")?;
    check(
        t.skipped.is_none() && t.outcome == Outcome::Conformant,
        format!("040: {:?} {:?}", t.skipped, t.outcome),
    )?;
    // Another account's resource: the caller's account is in the facts.
    let mut other = line_by_id(&lines, "aws-observed/053-create_response_zip_file")?;
    let body = other["request"]["body"].as_str().unwrap_or("").replace(
        "arn:aws:iam::111111111111:role/",
        "arn:aws:iam::222222222222:role/",
    );
    other["request"]["body"] = body.into();
    let report = audit_lines("other-account", &[other])?;
    let why = report.trials[0].skipped.clone().unwrap_or_default();
    check(
        why.contains("another account (222222222222) (Role)"),
        format!("a role of another account: {why:?}"),
    )?;
    Ok(())
}

/// An earlier successful create of the same name in the same file makes the answer determined:
/// the 409 that follows is judged (conformant when it is the table's conflict), a second 201 is
/// divergent, and after a successful delete the name is free again.
fn a_conflict_after_a_create_in_the_file_is_judged() -> Result<(), Failed> {
    let lines = fixture_lines()?;
    let create = line_by_id(&lines, "aws-observed/053-create_response_zip_file")?;
    let body: serde_json::Value =
        serde_json::from_str(create["request"]["body"].as_str().unwrap_or(""))
            .map_err(|e| e.to_string())?;
    let name = body["FunctionName"]
        .as_str()
        .ok_or("no FunctionName")?
        .to_string();
    let mut conflict = create.clone();
    conflict["id"] = "again".into();
    conflict["response"] = serde_json::json!({
        "status": 409,
        "headers": {"Content-Type": "application/json", "x-amzn-ErrorType": "ResourceConflictException", "x-amzn-RequestId": "6f1c0c8e-0b5e-4c2a-9d55-3f0c2b1d9e77"},
        "body": serde_json::json!({"Type": "User", "message": format!("Function already exist: {name}")}).to_string(),
    });
    // Alone, the 409 depends on state the file does not hold.
    let report = audit_lines("conflict-alone", std::slice::from_ref(&conflict))?;
    check(
        report.trials[0]
            .skipped
            .as_deref()
            .is_some_and(|r| r.contains(&format!("an earlier create of {name}"))),
        format!("a lone 409: {:?}", report.trials[0].skipped),
    )?;
    // After the create in the same file, it is judged, and conforms.
    let report = audit_lines("conflict-after", &[create.clone(), conflict.clone()])?;
    let t = &report.trials[1];
    check(
        t.skipped.is_none() && t.outcome == Outcome::Conformant,
        format!(
            "409 after a create: {:?} {:?} {}",
            t.skipped, t.outcome, t.message
        ),
    )?;
    check(report.summary.divergent == 0, "nothing divergent")?;
    // A second 201 for the same name is divergent: the table expects the conflict.
    let mut twice = create.clone();
    twice["id"] = "twice".into();
    let report = audit_lines("created-twice", &[create.clone(), twice.clone()])?;
    check(
        report.trials[1].skipped.is_none() && report.trials[1].outcome == Outcome::Divergent,
        format!(
            "a second 201: {:?} {:?}",
            report.trials[1].skipped, report.trials[1].outcome
        ),
    )?;
    // A successful delete in between frees the name again.
    let delete = serde_json::json!({
        "id": "delete",
        "request": {"method": "DELETE", "path": format!("/2015-03-31/functions/{name}"), "headers": {}, "body": ""},
        "response": {"status": 204, "headers": {}, "body": ""},
    });
    let report = audit_lines("recreated", &[create, delete, twice])?;
    check(
        report.trials[2].skipped.is_none() && report.trials[2].outcome == Outcome::Conformant,
        format!(
            "a 201 after the delete: {:?} {:?} {}",
            report.trials[2].skipped, report.trials[2].outcome, report.trials[2].message
        ),
    )?;
    Ok(())
}

fn exchange(id: &str) -> Result<audit::Exchange, Failed> {
    read_exchanges(&fixture())
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|e| e.id.starts_with(id))
        .ok_or_else(|| format!("no exchange {id}").into())
}

fn with_body(mut ex: audit::Exchange, edit: impl Fn(&str) -> String) -> audit::Exchange {
    ex.response.body = edit(&String::from_utf8_lossy(&ex.response.body)).into_bytes();
    ex
}

/// The checks beyond one violation, judged on the recordings edited the way an emulator errs.
fn several_errors_body_members_and_request_id() -> Result<(), Failed> {
    let s = spec::load("aws-2026", None).map_err(|e| e.to_string())?;
    let judge = |ex: &audit::Exchange| audit::judge(&s, ex, &facts());
    // aws-observed/023: two validation errors; the other order is as good (AWS's order is unknown).
    let two = exchange("aws-observed/023")?;
    check(
        judge(&two).outcome == Outcome::Conformant,
        "023 as recorded",
    )?;
    let swapped = with_body(two.clone(), |b| {
        let v: serde_json::Value = serde_json::from_str(b).unwrap_or_default();
        let m = v["message"].as_str().unwrap_or_default();
        let (head, errors) = m.split_once(": ").unwrap_or_default();
        let (a, b) = errors.split_once("; ").unwrap_or_default();
        serde_json::json!({ "message": format!("{head}: {b}; {a}") }).to_string()
    });
    check(
        swapped.response.body != two.response.body,
        "the order changed",
    )?;
    let r = judge(&swapped);
    check(
        r.outcome == Outcome::Conformant,
        format!("either order: {}", r.message),
    )?;
    let first_only = with_body(two.clone(), |b| {
        let v: serde_json::Value = serde_json::from_str(b).unwrap_or_default();
        let m = v["message"].as_str().unwrap_or_default();
        let (_, errors) = m.split_once(": ").unwrap_or_default();
        let (a, _) = errors.split_once("; ").unwrap_or_default();
        serde_json::json!({ "message": format!("1 validation error detected: {a}") }).to_string()
    });
    let r = judge(&first_only);
    check(
        r.outcome == Outcome::Divergent && r.message.contains("message:"),
        format!("one of two errors: {:?} {}", r.outcome, r.message),
    )?;
    // aws-observed/046: InvalidParameterValueException's body is {"Type":"User","message":…}.
    let ipve = exchange("aws-observed/046")?;
    check(
        judge(&ipve).outcome == Outcome::Conformant,
        "046 as recorded",
    )?;
    let r = judge(&with_body(ipve.clone(), |b| {
        b.replace("\"message\":", "\"Message\":")
    }));
    check(
        r.outcome == Outcome::Divergent && r.message.contains("body-members"),
        format!("Message for message: {:?} {}", r.outcome, r.message),
    )?;
    let r = judge(&with_body(ipve.clone(), |b| {
        b.replace("\"Type\":\"User\",", "")
    }));
    check(
        r.outcome == Outcome::Divergent && r.message.contains("`Type`"),
        format!("no Type: {:?} {}", r.outcome, r.message),
    )?;
    // ValidationException's body members were never recorded: `Message` there is not a verdict.
    let r = judge(&with_body(two.clone(), |b| {
        b.replace("\"message\":", "\"Message\":")
    }));
    check(
        r.outcome == Outcome::Conformant,
        format!("assumed member names judged: {}", r.message),
    )?;
    // No x-amzn-RequestId: unconfirmed (it differs only from an assumption), success and error alike.
    for id in ["aws-observed/046", "aws-observed/055"] {
        let mut ex = exchange(id)?;
        ex.response
            .headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("x-amzn-requestid"));
        let r = judge(&ex);
        check(
            r.outcome == Outcome::Unconfirmed && r.message.contains("header x-amzn-RequestId"),
            format!("{id} without a request id: {:?} {}", r.outcome, r.message),
        )?;
    }
    Ok(())
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "audit::every_judgeable_exchange_conforms",
            every_judgeable_exchange_conforms,
        ),
        (
            "audit::a_wrong_row_is_caught_by_its_exchange",
            a_wrong_row_is_caught_by_its_exchange,
        ),
        ("audit::har_input", har_input),
        (
            "audit::state_dependent_exchanges_are_unjudgeable",
            state_dependent_exchanges_are_unjudgeable,
        ),
        (
            "audit::a_conflict_after_a_create_in_the_file_is_judged",
            a_conflict_after_a_create_in_the_file_is_judged,
        ),
        (
            "audit::layer_in_another_region_conforms",
            layer_in_another_region_conforms,
        ),
        (
            "audit::recordings_write_their_snapshots",
            recordings_write_their_snapshots,
        ),
        (
            "audit::several_errors_body_members_and_request_id",
            several_errors_body_members_and_request_id,
        ),
    ])
}

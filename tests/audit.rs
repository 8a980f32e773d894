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
use lambda_conform::spec::{self, validate, validate::Answer, Spec};

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
    check(
        t.outcome == Outcome::Divergent,
        "without the region rule, 049 must be divergent",
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
        Answer::Success => {
            let base: Vec<&String> = s.base_request.as_object()?.keys().collect();
            let extra = root
                .as_object()?
                .keys()
                .filter(|k| !base.contains(k) && k.as_str() != "PackageType")
                .count();
            (extra == 0).then(|| "create_function::valid::minimal".to_string())
        }
        Answer::Error(e) if e.rows.len() == 1 => {
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
        Answer::Error(_) => None,
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
            "audit::layer_in_another_region_conforms",
            layer_in_another_region_conforms,
        ),
        (
            "audit::recordings_write_their_snapshots",
            recordings_write_their_snapshots,
        ),
    ])
}

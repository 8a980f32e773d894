//! The reports as people and CI servers read them: the HTML page opened in headless Chromium at
//! 1400 px (verdict and finding count in the rendered DOM, a screenshot, no sideways scroll), the
//! JUnit XML validated against the format's schema with xmllint, and the `run` command's console
//! (reports written to `reports/<target>/` by default; with `--expectations`, only new and fixed
//! findings shown).
//!
//! The Chromium and xmllint tests skip with a message when `/usr/bin/chromium` or `/usr/bin/xmllint`
//! is absent (Debian: `apt-get install -y chromium libxml2-utils`; `.ci/run` installs them).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use lambda_conform::report::{
    html::render_html, junit::render_junit, markdown::render_markdown, write_all, Report,
};
use libtest_mimic::Failed;
use serde_json::json;
use support::check;

const CHROMIUM: &str = "/usr/bin/chromium";
const XMLLINT: &str = "/usr/bin/xmllint";

fn main() -> ExitCode {
    support::run(vec![
        (
            "report_view::html::verdict_findings_and_no_sideways_scroll_in_chromium",
            html_in_chromium,
        ),
        (
            "report_view::html::a_huge_request_body_is_cut_in_the_page_only",
            huge_bodies_cut,
        ),
        (
            "report_view::junit::valid_against_the_junit_schema",
            junit_valid,
        ),
        (
            "report_view::run::reports_go_to_reports_target_by_default",
            default_report_dir,
        ),
        (
            "report_view::run::expectations_show_only_new_and_fixed",
            expectations_console,
        ),
    ])
}

fn scratch(name: &str) -> Result<PathBuf, Failed> {
    let d = std::env::temp_dir().join(format!("lc-view-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// A report with every outcome, hostile text and very long unbroken values (the things that make
/// a page scroll sideways), its counts and findings computed as a run would.
fn wide_report() -> Result<Report, Failed> {
    let long = "x".repeat(700);
    let long_id = format!(
        "create_function::{}::above_max",
        "very_long_member_name".repeat(8)
    );
    let trial = |id: &str, outcome: &str, basis: &str, observed: &str| {
        json!({
            "id": id, "kind": "violation", "outcome": outcome,
            "expected": "400 ValidationException \"1 validation error detected\"",
            "observed": observed,
            "reproduction": format!("curl -sS -i -X POST 'http://127.0.0.1:1/2015-03-31/functions' --data-binary '{{\"FunctionName\":\"{long}\"}}'"),
            "message": format!("status: expected 400, observed {observed} <script>alert(1)</script>"),
            "basis": basis, "instances": 3, "seed": "param 0 seed 0x00c0ffee00c0ffee", "skipped": null,
            "findings": [{"rule": "status", "expected": "400", "observed": observed, "basis": basis,
                          "evidence": "aws-observed/011", "row": "FunctionName max"}]
        })
    };
    let v = json!({
        "tool": {"name": "lambda-conform", "version": "0.1.0"},
        "profile": "aws-2026", "endpoint": format!("http://127.0.0.1:1/{long}"), "target": "moto",
        "seed": "000000001a3bc0de", "started": "2026-11-29T00:00:00Z", "finished": "2026-11-29T00:01:00Z",
        "summary": {"trials": 0, "conformant": 0, "divergent": 0, "harness_errors": 0, "requests": 42,
                    "unconfirmed": 0, "findings": 0, "throttled_retries": 0, "skipped": 0},
        "trials": [
            trial(&long_id, "divergent", "recorded", &format!("201 {long}")),
            trial("create_function::memory_size::above_max", "divergent", "recorded", "201 Created"),
            trial("create_function::timeout::above_max", "unconfirmed", "assumed", "500 InternalFailure"),
            trial("create_function::valid::minimal", "conformant", "recorded", "201 FunctionConfiguration"),
            trial("create_function::code::s3_bucket", "harness_error", "documented", "no answer"),
        ]
    });
    let mut report: Report = serde_json::from_value(v)?;
    report.recount();
    Ok(report)
}

fn chromium(args: &[&str], profile: &Path) -> Result<std::process::Output, Failed> {
    Ok(Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.display()),
            "--window-size=1400,900",
        ])
        .args(args)
        .output()?)
}

/// A missing tool skips its test, unless `LC_REQUIRE_BROWSER` is set (`.ci/run` sets it after installing
/// both), where a skip would hide that the test never ran.
fn absent(tool: &str, package: &str) -> Result<(), Failed> {
    if std::env::var_os("LC_REQUIRE_BROWSER").is_some() {
        return Err(format!(
            "{tool} is absent but LC_REQUIRE_BROWSER is set (Debian: apt-get install -y {package})"
        )
        .into());
    }
    println!("skipped: {tool} is absent (Debian: apt-get install -y {package})");
    Ok(())
}

fn html_in_chromium() -> Result<(), Failed> {
    if !Path::new(CHROMIUM).exists() {
        return absent(CHROMIUM, "chromium");
    }
    let dir = scratch("html")?;
    let report = wide_report()?;
    check(report.summary.findings >= 2, "the fixture has findings")?;
    let html = render_html(&report);
    // The test copy only: a script that records whether the page is wider than the window.
    let probe = "<script>(function(){var d=document.documentElement;\
                 d.setAttribute('data-scroll-width',d.scrollWidth);\
                 d.setAttribute('data-inner-width',window.innerWidth);\
                 d.setAttribute('data-no-sideways-scroll',String(d.scrollWidth<=window.innerWidth));})();</script>\n</body>";
    let page = dir.join("report.html");
    std::fs::write(&page, html.replacen("</body>", probe, 1))?;
    let url = format!("file://{}", page.display());
    let out = chromium(&["--dump-dom", &url], &dir.join("profile"))?;
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    check(
        out.status.success() && dom.contains("<html"),
        format!(
            "chromium --dump-dom failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ),
    )?;
    check(
        dom.contains("data-verdict=\"FAIL\"") && dom.contains(">FAIL</p>"),
        "the verdict is not in the rendered DOM",
    )?;
    check(
        dom.contains(&format!("data-findings=\"{}\"", report.summary.findings))
            && dom.contains(&format!("{} findings ·", report.summary.findings)),
        format!(
            "the finding count {} is not in the rendered DOM",
            report.summary.findings
        ),
    )?;
    let width = |name: &str| -> Option<u64> {
        let key = format!("{name}=\"");
        let start = dom.find(&key)? + key.len();
        dom[start..].split('"').next()?.parse().ok()
    };
    check(
        dom.contains("data-no-sideways-scroll=\"true\""),
        format!(
            "the page scrolls sideways at 1400 px: scrollWidth {:?} > innerWidth {:?}",
            width("data-scroll-width"),
            width("data-inner-width")
        ),
    )?;
    check(
        width("data-inner-width") == Some(1400),
        format!("window width {:?}", width("data-inner-width")),
    )?;
    // Family rows link to their trials, and the table of contents to the sections.
    check(
        dom.contains("href=\"#family-memory_size\"") && dom.contains("id=\"family-memory_size\""),
        "the family row does not link to its trials",
    )?;
    check(
        dom.contains("href=\"#findings\"") && dom.contains("id=\"findings\""),
        "no table of contents",
    )?;
    check(
        !dom.contains("<script>alert(1)"),
        "unescaped text in the page",
    )?;
    let png = dir.join("shot.png");
    let out = chromium(
        &[&format!("--screenshot={}", png.display()), &url],
        &dir.join("profile"),
    )?;
    let bytes = std::fs::read(&png).map_err(|e| {
        format!(
            "no screenshot ({e}); chromium said: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    check(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000,
        format!("the screenshot is not a real PNG ({} bytes)", bytes.len()),
    )?;
    // The PNG's own header says 1400 wide.
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    check(w == 1400, format!("screenshot width {w}"))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn xmllint(xml: &Path) -> Result<std::process::Output, Failed> {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/junit.xsd");
    Ok(Command::new(XMLLINT)
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(xsd)
        .arg(xml)
        .output()?)
}

fn junit_valid() -> Result<(), Failed> {
    if !Path::new(XMLLINT).exists() {
        return absent(XMLLINT, "libxml2-utils");
    }
    let dir = scratch("junit")?;
    // A report with every outcome, written as the CLI writes it.
    let written = write_all(&wide_report()?, &dir.join("wide"))?;
    let junit = written
        .iter()
        .find(|p| p.ends_with("junit.xml"))
        .ok_or("write_all wrote no junit.xml")?;
    let out = xmllint(junit)?;
    check(
        out.status.success(),
        format!(
            "junit.xml is not valid: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    )?;
    // The schema is strict: a testcase with properties (what the writer used to emit) is rejected.
    let xml = render_junit(&wide_report()?)?;
    let bad = xml.replacen(
        "</testcase>",
        "<properties><property name=\"kind\" value=\"x\"/></properties></testcase>",
        1,
    );
    check(bad != xml, "no </testcase> to plant properties in")?;
    let bad_path = dir.join("bad.xml");
    std::fs::write(&bad_path, bad)?;
    check(
        !xmllint(&bad_path)?.status.success(),
        "xmllint accepted a testcase with properties: the schema check checks nothing",
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn lc(dir: &Path, args: &[&str]) -> Result<(i32, String, String), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .current_dir(dir)
        .args(args)
        .output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// `run` without `--report-dir` writes the four reports to `reports/<target>/` and says where;
/// the run seed is shown as `--seed` takes it.
fn default_report_dir() -> Result<(), Failed> {
    let dir = scratch("default")?;
    let (code, stdout, stderr) = lc(
        &dir,
        &[
            "run",
            "--filter",
            "memory_size::above_max",
            "--cases",
            "1",
            "--client",
            "raw",
            "--seed",
            "ac4e",
            "--regressions",
            "none",
        ],
    )?;
    check(code == 0, format!("exit {code}: {stderr}"))?;
    for f in ["report.json", "junit.xml", "report.md", "report.html"] {
        check(
            dir.join("reports/stub").join(f).is_file(),
            format!("no reports/stub/{f}"),
        )?;
    }
    check(
        stdout.contains("reports in reports/stub/") && stdout.contains("reports/stub/report.html"),
        format!("stdout does not say where: {stdout}"),
    )?;
    check(
        stderr.contains("seed 0x000000000000ac4e"),
        format!("the seed is not shown as --seed takes it: {stderr}"),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// With `--expectations`, the console lists only what the file does not already say: a run whose
/// differences are all expected prints none of them; one with new differences prints only those.
fn expectations_console() -> Result<(), Failed> {
    let dir = scratch("expect")?;
    let common = [
        "--mutant",
        "validation-status-422",
        "--cases",
        "1",
        "--client",
        "raw",
        "--seed",
        "7",
        "--regressions",
        "none",
    ];
    let run = |filter: &str, extra: &[&str]| -> Result<(i32, String, String), Failed> {
        let mut args = vec!["run", "--filter", filter, "--expectations", "exp.toml"];
        args.extend_from_slice(&common);
        args.extend_from_slice(extra);
        lc(&dir, &args)
    };
    let (code, _, stderr) = run("memory_size::below_min", &["--update-expectations"])?;
    check(
        code == 0,
        format!("writing the expectations: exit {code}: {stderr}"),
    )?;
    let exp = std::fs::read_to_string(dir.join("exp.toml"))?;
    check(
        exp.contains("create_function::memory_size::below_min"),
        format!("the file: {exp}"),
    )?;
    // Everything expected: no finding, no trial line.
    let (code, stdout, stderr) = run("memory_size::below_min", &[])?;
    check(
        code == 0 && stdout.contains("expectations hold"),
        format!("exit {code}: {stdout}{stderr}"),
    )?;
    check(
        !stderr.contains("create_function::memory_size::below_min") && !stderr.contains("e.g."),
        format!("an expected finding was printed:\n{stderr}"),
    )?;
    check(
        stderr.contains("expected findings not shown"),
        format!("no note of the hidden ones:\n{stderr}"),
    )?;
    // New differences next to the expected one: only the new ones are listed.
    let (code, stdout, stderr) = run("memory_size::", &[])?;
    check(code == 1, format!("new divergences must fail: exit {code}"))?;
    let new_ids: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("new divergence (not in exp.toml): "))
        .collect();
    check(
        !new_ids.is_empty()
            && new_ids
                .iter()
                .all(|id| stderr.contains(&format!("e.g. {id}"))),
        format!("the new divergences are not shown:\n{stdout}\n{stderr}"),
    )?;
    check(
        !stderr.contains("e.g. create_function::memory_size::below_min"),
        format!("the expected finding was printed:\n{stderr}"),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A reproduction carrying a body of megabytes (the 2 MB zip case) is cut in the page, with a note,
/// and kept whole in the Markdown report: the page stays small.
fn huge_bodies_cut() -> Result<(), Failed> {
    let mut report = wide_report()?;
    let body = "A".repeat(3 << 20);
    let t = report
        .trials
        .iter_mut()
        .find(|t| t.id == "create_function::memory_size::above_max")
        .ok_or("no trial")?;
    t.reproduction = Some(format!(
        "curl -sS -i --data-binary @- <<'JSON'\n{{\"ZipFile\":\"{body}\"}}\nJSON"
    ));
    let html = render_html(&report);
    check(
        html.len() < 200_000,
        format!("the page is {} bytes with a 3 MB body", html.len()),
    )?;
    check(
        html.contains("more bytes cut here"),
        "no note where the body was cut",
    )?;
    check(
        html.contains("&lt;&lt;&#39;JSON&#39;"),
        "the snippet around the body is gone",
    )?;
    check(
        render_markdown(&report).contains(&body),
        "the Markdown report lost the whole reproduction",
    )
}

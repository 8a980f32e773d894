//! `replay` and `matrix`: the AWS parity score and the table of several endpoints.

use std::path::PathBuf;

use lambda_conform::cli::exit_code;
use lambda_conform::harness::{self, Session};
use lambda_conform::report;
use lambda_conform::spec;

use super::out::{out, outln};
use crate::fail;

pub(crate) fn replay_cmd(args: lambda_conform::cli::ReplayArgs, spec_dir: Option<PathBuf>) -> u8 {
    let mut config = match args.endpoint.config(spec_dir) {
        Ok(c) => c,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    config.client = harness::ClientMode::Raw;
    config.regressions = None;
    if !args.quiet {
        eprintln!(
            "lambda-conform {}: replaying {} against {}",
            env!("CARGO_PKG_VERSION"),
            args.recordings
                .as_ref()
                .map_or("the requests recorded against real AWS".to_string(), |p| p
                    .display()
                    .to_string()),
            config
                .endpoint
                .as_ref()
                .map_or("the embedded stub".to_string(), |u| u.to_string())
        );
    }
    let score = match harness::replay::replay(config, args.recordings.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(e.exit_code(), e),
    };
    let dir = args
        .report_dir
        .unwrap_or_else(|| PathBuf::from(format!("reports/{}", score.target)));
    let path = dir.join("replay.json");
    if let Err(e) = report::replay::write_json(&score, &path) {
        return fail(exit_code::SETUP, e);
    }
    if args.quiet {
        outln!("{}", score.score_line());
    } else {
        out!("{}", score.render_text());
    }
    outln!("wrote {}", path.display());
    replay_exit_code(&score)
}

/// 1 when an answer differs from AWS's; else 3 when one could not be had; else 0.
pub(crate) fn replay_exit_code(score: &report::replay::ReplayScore) -> u8 {
    if score.summary.differs > 0 {
        exit_code::DIVERGENT
    } else if score.summary.harness_errors > 0 {
        exit_code::SETUP
    } else {
        exit_code::CONFORMANT
    }
}

/// `label=VALUE` or `VALUE` (label None).
pub(crate) fn labelled(s: &str) -> (Option<String>, String) {
    match s.split_once('=') {
        Some((l, v)) if !l.is_empty() && !l.contains('/') => (Some(l.to_string()), v.to_string()),
        _ => (None, s.to_string()),
    }
}

/// Runs the suite and the replay against one endpoint of `matrix --endpoint`, with reports in
/// `reports/<label>/`.
pub(crate) fn matrix_run(
    label: &str,
    url: &str,
    args: &lambda_conform::cli::MatrixArgs,
    spec_dir: Option<PathBuf>,
) -> Result<report::matrix::Column, (u8, String)> {
    let usage = |e: String| (exit_code::USAGE, e);
    let endpoint = if url.is_empty() || url == "stub" {
        None
    } else {
        Some(url::Url::parse(url).map_err(|e| usage(format!("--endpoint {label}={url}: {e}")))?)
    };
    let target = <lambda_conform::transport::Target as clap::ValueEnum>::from_str(label, true).ok();
    let ea = lambda_conform::cli::EndpointArgs {
        endpoint,
        target,
        profile: spec::DEFAULT_PROFILE.to_string(),
        seed: args.seed.clone(),
        cases: args.cases,
        client: harness::ClientMode::Both,
        timeout: 10.0,
        rps: None,
        role: None,
        region: None,
        no_sign: false,
        mutant: None,
        max_body: lambda_conform::transport::raw::DEFAULT_MAX_BODY,
        check_timeout: harness::DEFAULT_CHECK_TIMEOUT.as_secs_f64(),
        allow_remote: false,
        sts_endpoint: None,
    };
    let mut config = ea.config(spec_dir).map_err(usage)?;
    config.regressions = None;
    let dir = PathBuf::from(format!("reports/{label}"));
    let session = Session::prepare(config.clone()).map_err(|e| (e.exit_code(), e.to_string()))?;
    let checks = session.checks();
    eprintln!("{label}: {} checks against {url}", checks.len());
    let trials = session.run_all(&checks, &|_| {});
    let report = session.report(trials);
    drop(session);
    report::write_all(&report, &dir).map_err(|e| (exit_code::SETUP, e.to_string()))?;
    config.client = harness::ClientMode::Raw;
    let replay =
        harness::replay::replay(config, None).map_err(|e| (e.exit_code(), e.to_string()))?;
    report::replay::write_json(&replay, &dir.join("replay.json"))
        .map_err(|e| (exit_code::SETUP, e.to_string()))?;
    eprintln!(
        "{label}: {}; {}",
        report::summary_line(&report),
        replay.score_line()
    );
    Ok(report::matrix::Column {
        label: label.to_string(),
        report,
        replay: Some(replay),
    })
}

pub(crate) fn matrix_cmd(args: lambda_conform::cli::MatrixArgs, spec_dir: Option<PathBuf>) -> u8 {
    if args.reports.is_empty() && args.endpoints.is_empty() {
        return fail(
            exit_code::USAGE,
            "matrix needs report.json files or --endpoint LABEL=URL (e.g. reports/stub/report.json)",
        );
    }
    // Every endpoint gets the same requests: one seed for the whole matrix (drawn when not given),
    // or its columns would compare answers to different requests.
    let mut args = args;
    if !args.endpoints.is_empty() && args.seed.is_none() {
        args.seed = Some(format!("0x{:016x}", lambda_conform::cli::random_seed()));
    }
    let mut columns = Vec::new();
    for e in &args.endpoints {
        let (label, url) = labelled(e);
        let label = label.unwrap_or_else(|| {
            if url == "stub" {
                "stub".into()
            } else {
                url.clone()
            }
        });
        match matrix_run(&label, &url, &args, spec_dir.clone()) {
            Ok(c) => columns.push(c),
            Err((code, msg)) => return fail(code, msg),
        }
    }
    for p in &args.reports {
        let (label, path) = labelled(&p.to_string_lossy());
        let path = PathBuf::from(path);
        let report = match report::json::read_json(&path) {
            Ok(r) => r,
            Err(e) => return fail(exit_code::USAGE, e),
        };
        let beside = path.with_file_name("replay.json");
        let replay = if beside.exists() {
            match report::replay::read_json(&beside) {
                Ok(mut s) => {
                    // The counts follow from the exchanges (a file from an older tool lacks some).
                    s.recount();
                    Some(s)
                }
                Err(e) => return fail(exit_code::USAGE, e),
            }
        } else {
            None
        };
        columns.push(report::matrix::Column {
            label: label.unwrap_or_else(|| report.target.clone()),
            report,
            replay,
        });
    }
    let table = report::matrix::render(&columns);
    match &args.out {
        None => out!("{table}"),
        Some(path) => {
            if let Err(e) = std::fs::write(path, &table) {
                return fail(
                    exit_code::SETUP,
                    format!("cannot write {}: {e}", path.display()),
                );
            }
            outln!("wrote {} ({} endpoints)", path.display(), columns.len());
        }
    }
    exit_code::CONFORMANT
}

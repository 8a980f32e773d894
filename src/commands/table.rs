//! `spec` and `cases`: the merged table and the case classes.

use std::path::PathBuf;

use lambda_conform::cli::{exit_code, CasesFormat, SpecCommand, SpecFormat};
use lambda_conform::harness::{self};
use lambda_conform::{generate, spec};

use super::out::{out, outln};
use crate::fail;

pub(crate) fn spec_cmd(args: lambda_conform::cli::SpecArgs, spec_dir: Option<PathBuf>) -> u8 {
    if let Some(SpecCommand::Import {
        botocore,
        botocore_version,
        profile,
        out,
    }) = args.import
    {
        let text = match spec::import::import_file(&botocore, botocore_version.as_deref()) {
            Ok(t) => t,
            Err(e) => {
                // Name the file when the error does not (a model that is not JSON, not botocore's).
                let (msg, path) = (e.to_string(), botocore.display().to_string());
                let msg = if msg.contains(&path) {
                    msg
                } else {
                    format!("{path}: {msg}")
                };
                return fail(exit_code::USAGE, msg);
            }
        };
        let out = out.unwrap_or_else(|| PathBuf::from(format!("specs/{profile}/model.toml")));
        if let Some(dir) = out.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        return match std::fs::write(&out, text) {
            Ok(()) => {
                outln!("wrote {}", out.display());
                exit_code::CONFORMANT
            }
            Err(e) => fail(
                exit_code::SETUP,
                format!("cannot write {}: {e}", out.display()),
            ),
        };
    }
    let table = match spec::load(&args.profile, spec_dir.as_deref()) {
        Ok(s) => s,
        Err(e) => return fail(exit_code::USAGE, e),
    };
    match args.format {
        SpecFormat::Json => match serde_json::to_string_pretty(&spec::json_view(&table)) {
            Ok(s) => outln!("{s}"),
            Err(e) => return fail(exit_code::SETUP, e),
        },
        SpecFormat::Openapi => match serde_json::to_string_pretty(&spec::openapi_view(&table)) {
            Ok(s) => outln!("{s}"),
            Err(e) => return fail(exit_code::SETUP, e),
        },
        SpecFormat::Table => out!("{}", spec::table_view(&table)),
    }
    exit_code::CONFORMANT
}

pub(crate) fn cases_cmd(args: lambda_conform::cli::CasesArgs, spec_dir: Option<PathBuf>) -> u8 {
    let table = match spec::load(&args.profile, spec_dir.as_deref()) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let seed = match args
        .seed
        .as_deref()
        .map(lambda_conform::cli::parse_seed)
        .transpose()
    {
        Ok(s) => s.unwrap_or(0),
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let ctx = generate::Context::new(seed, lambda_conform::transport::target::EMULATOR_ROLE_ARN);
    if args.infeasible {
        for id in harness::infeasible_cases(&table, &ctx) {
            outln!("{id}");
        }
        return exit_code::CONFORMANT;
    }
    let cases = harness::feasible_cases(&table, &ctx);
    match args.format {
        CasesFormat::List => {
            for c in &cases {
                outln!("{:<10} {}", c.kind.as_str(), c.id);
            }
        }
        CasesFormat::Jsonl => {
            let mut line = Vec::new();
            'cases: for c in &cases {
                for inst in harness::corpus(&table, &ctx, c, seed, args.cases) {
                    line.clear();
                    inst.write_export_line(&mut line);
                    super::out::line_bytes(&line);
                    // The reader is gone (`| head`): no more lines to make.
                    if super::out::closed() {
                        break 'cases;
                    }
                }
            }
        }
    }
    exit_code::CONFORMANT
}

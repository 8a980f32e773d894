//! `stub`: the embedded reference stub served on loopback.

use std::path::PathBuf;

use lambda_conform::cli::exit_code;
use lambda_conform::spec;

use super::out::outln;
use crate::fail;

pub(crate) fn stub_cmd(args: lambda_conform::cli::StubArgs, spec_dir: Option<PathBuf>) -> u8 {
    if args.list_mutants {
        for m in lambda_conform::stub::Mutant::all() {
            outln!("{}", m.name());
        }
        return exit_code::CONFORMANT;
    }
    let table = match spec::load(&args.profile, spec_dir.as_deref()) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => return fail(exit_code::USAGE, e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(exit_code::SETUP, e),
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    let result = runtime.block_on(async {
        let mut core = lambda_conform::stub::StubCore::new(table.clone(), args.mutant);
        if args.require_signature {
            core = core.with_signature_check(lambda_conform::stub::SignatureCheck::new(
                lambda_conform::cli::stub_keys(),
            ));
        }
        let server = lambda_conform::stub::bind_with(core, addr)
            .await
            .map_err(|e| e.to_string())?;
        outln!(
            "lambda-conform stub ({}) listening on {}",
            table.profile,
            server.uri()
        );
        server
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => exit_code::CONFORMANT,
        Err(e) => fail(exit_code::SETUP, e),
    }
}

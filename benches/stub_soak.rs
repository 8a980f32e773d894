//! Soak benchmark of the long-running stub: does its memory stay flat under sustained load?
//!
//! Starts the stub on 127.0.0.1:0, sends CreateFunction + DeleteFunction pairs from a few concurrent
//! tasks, and prints requests/s and this process's RSS (`VmRSS`, client and server together) before,
//! during and after. Exits 1 if RSS grew by more than 64 MiB.
//!
//! ```text
//! cargo bench --bench stub_soak                                    # hyper mode, 200 000 requests
//! SOAK_MODE=embedded SOAK_REQUESTS=50000 cargo bench --bench stub_soak   # the wiremock mode, to compare
//! ```
//!
//! Environment: `SOAK_REQUESTS` (default 200000), `SOAK_MODE` = `serve` (default) | `embedded`,
//! `SOAK_CONCURRENCY` (default 8), `SOAK_DELETE` = `1` (default) | `0` (creates only: the store's
//! eviction bounds it).

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use lambda_conform::generate::Context;
use lambda_conform::spec;
use lambda_conform::stub;

/// RSS growth above this fails the run.
const MAX_GROWTH_KIB: u64 = 64 * 1024;

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// This process's resident set size in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn main() -> ExitCode {
    let requests: u64 = env_or("SOAK_REQUESTS", 200_000);
    let mode: String = env_or("SOAK_MODE", "serve".to_string());
    let concurrency: u64 = env_or("SOAK_CONCURRENCY", 8);
    let delete: bool = env_or::<u8>("SOAK_DELETE", 1) != 0;
    let per_unit = if delete { 2 } else { 1 };

    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async move {
        let spec = Arc::new(spec::load("aws-2026", None).map_err(|e| e.to_string())?);
        let template = Context::new(1, "arn:aws:iam::123456789012:role/soak")
            .base_request(&spec, "{soakname}")
            .to_string();

        // Keep the server alive for the whole run; the embedded one stops when dropped.
        let (uri, _embedded, stop) = match mode.as_str() {
            "serve" => {
                let server = stub::bind(
                    Arc::clone(&spec),
                    "127.0.0.1:0".parse().expect("an address"),
                    None,
                )
                .await
                .map_err(|e| e.to_string())?;
                let uri = server.uri();
                let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                tokio::spawn(server.run(async {
                    let _ = stopped.await;
                }));
                (uri, None, Some(stop))
            }
            "embedded" => {
                let s = stub::start(Arc::clone(&spec), None)
                    .await
                    .map_err(|e| e.to_string())?;
                (s.uri(), Some(s), None)
            }
            other => return Err(format!("SOAK_MODE must be serve or embedded, not {other}")),
        };

        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(concurrency as usize)
            .build()
            .map_err(|e| e.to_string())?;
        let units = requests / per_unit;
        println!(
            "stub_soak: mode {mode}, {} requests ({units} {}), {concurrency} concurrent tasks",
            units * per_unit,
            if delete {
                "create+delete pairs"
            } else {
                "creates"
            }
        );
        let before = rss_kib();
        println!("RSS before: {:.1} MiB", mib(before));

        let next = Arc::new(AtomicU64::new(0));
        let failures = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (client, next, failures) =
                (client.clone(), Arc::clone(&next), Arc::clone(&failures));
            let (uri, template) = (uri.clone(), template.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= units {
                        break;
                    }
                    if i > 0 && i % (units / 4).max(1) == 0 {
                        println!(
                            "  after {:>7} requests: RSS {:.1} MiB",
                            i * per_unit,
                            mib(rss_kib())
                        );
                    }
                    let name = format!("soak-{i}");
                    let created = client
                        .post(format!("{uri}/2015-03-31/functions"))
                        .header("content-type", "application/json")
                        .body(template.replace("{soakname}", &name))
                        .send()
                        .await;
                    let ok = match created {
                        Ok(r) => r.status().as_u16() == 201 && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    if delete {
                        let deleted = client
                            .delete(format!("{uri}/2015-03-31/functions/{name}"))
                            .send()
                            .await;
                        if !matches!(deleted, Ok(r) if r.status().as_u16() == 204) {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        for t in tasks {
            t.await.map_err(|e| e.to_string())?;
        }
        let elapsed = started.elapsed();
        let after = rss_kib();
        let sent = units * per_unit;
        println!(
            "{sent} requests in {:.2} s: {:.0} requests/s; {} unexpected answers",
            elapsed.as_secs_f64(),
            sent as f64 / elapsed.as_secs_f64(),
            failures.load(Ordering::Relaxed)
        );
        println!(
            "RSS after: {:.1} MiB (grew {:.1} MiB; limit {:.0} MiB)",
            mib(after),
            mib(after.saturating_sub(before)),
            mib(MAX_GROWTH_KIB)
        );
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
        Ok::<_, String>((
            after.saturating_sub(before),
            failures.load(Ordering::Relaxed),
        ))
    });
    match result {
        Ok((growth, 0)) if growth <= MAX_GROWTH_KIB => ExitCode::SUCCESS,
        Ok((growth, failures)) => {
            eprintln!(
                "stub_soak: FAILED: RSS grew {:.1} MiB, {failures} unexpected answers",
                mib(growth)
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

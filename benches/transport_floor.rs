//! The ceiling of `run / raw` on this machine: the run's own HTTP transport (`RawClient`: reqwest on
//! hyper, on the run's runtime of two workers) sending one valid CreateFunction request over and
//! over, with a fresh `FunctionName` each time, as wrk does in `make bench` (b), and nothing else: no
//! generation, no judging, no clean-up, no report. Whatever `run` does costs at least this, so
//! `run / raw` can reach at most `floor / raw`.
//!
//! `cargo bench --bench transport_floor -- --endpoint URL --body FILE [--concurrency 8] [--seconds 10]`
//! prints `floor: N requests in S s = R req/s; CPU per request T µs` (`scripts/bench.sh` reads it).
//! Every answer must be a 201: any other status or a transport error stops it with exit code 3,
//! so a floor is never measured on errors.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lambda_conform::transport::raw::{RawClient, RawConfig};
use lambda_conform::transport::sign::Signing;
use lambda_conform::wire::WireRequest;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn fail(msg: String) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(3)
}

/// User + system CPU time of this process so far.
fn cpu_seconds() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let endpoint =
        arg(&args, "--endpoint").unwrap_or_else(|| fail("--endpoint URL is required".into()));
    let endpoint = url::Url::parse(&endpoint).unwrap_or_else(|e| fail(format!("--endpoint: {e}")));
    let body_file = arg(&args, "--body").unwrap_or_else(|| fail("--body FILE is required".into()));
    let body = std::fs::read_to_string(&body_file)
        .unwrap_or_else(|e| fail(format!("--body {body_file}: {e}")));
    let concurrency: usize = arg(&args, "--concurrency")
        .map(|c| {
            c.parse()
                .unwrap_or_else(|_| fail("--concurrency: not a number".into()))
        })
        .unwrap_or(8);
    let seconds: f64 = arg(&args, "--seconds")
        .map(|c| {
            c.parse()
                .unwrap_or_else(|_| fail("--seconds: not a number".into()))
        })
        .unwrap_or(10.0);
    // The body's FunctionName is replaced per request, as the wrk script does.
    let name = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["FunctionName"].as_str().map(str::to_string))
        .unwrap_or_else(|| fail("--body: no FunctionName in the JSON".into()));
    let (pre, post) = body
        .split_once(&format!("\"{name}\""))
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .unwrap_or_else(|| fail("--body: FunctionName not found in the text".into()));

    let mut config = RawConfig::new(endpoint, Signing::None);
    config.max_in_flight = concurrency;
    let client = RawClient::new(config).unwrap_or_else(|e| fail(e.to_string()));
    // The run's runtime: two workers (harness::Session::prepare).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(e.to_string()));

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let (pre, post) = (Arc::new(pre), Arc::new(post));
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let outcome: Result<(), String> = runtime.block_on(async {
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let (client, stop, sent) = (client.clone(), stop.clone(), sent.clone());
            let (pre, post) = (pre.clone(), post.clone());
            tasks.push(tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let body = format!("{pre}\"floor{worker}-{n}\"{post}");
                    let req = WireRequest::post_json("/2015-03-31/functions", body);
                    match client.send(&req).await {
                        Ok(resp) if resp.status == 201 => {
                            sent.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(resp) => return Err(format!("status {} (not 201)", resp.status)),
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok(())
            }));
        }
        tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        for task in tasks {
            task.await.map_err(|e| e.to_string())??;
        }
        Ok(())
    });
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    if let Err(e) = outcome {
        fail(e);
    }
    let n = sent.load(Ordering::Relaxed);
    if n == 0 {
        fail("no request answered".into());
    }
    println!(
        "floor: {n} requests in {secs:.2} s = {:.0} req/s; CPU per request {:.0} µs (concurrency {concurrency})",
        n as f64 / secs,
        cpu / n as f64 * 1e6
    );
}

//! How fast the harness runs the whole suite against the embedded stub: a `--bench`-style run that
//! prints figures (docs/benchmarks.md quotes them). `cargo bench --bench suite [-- --cases N --concurrency N]`.

use std::time::Instant;

use lambda_conform::harness::{RunConfig, Session};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let cases = arg("--cases", 16) as u32;
    let rounds = arg("--rounds", 3);
    println!("suite against the embedded stub (aws-2026), {cases} instances per case class, {rounds} rounds");
    println!(
        "{:>12} {:>8} {:>9} {:>9} {:>11}",
        "concurrency", "checks", "requests", "seconds", "requests/s"
    );
    for concurrency in [1usize, 4, 8, 16] {
        let mut best = f64::MAX;
        let mut requests = 0;
        let mut checks = 0;
        for _ in 0..rounds {
            let config = RunConfig {
                seed: 0x5eed,
                cases,
                concurrency,
                ..RunConfig::default()
            };
            let session = match Session::prepare(config) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    std::process::exit(3);
                }
            };
            let all = session.checks();
            let t = Instant::now();
            let records = session.run_all(&all, &|_| {});
            let secs = t.elapsed().as_secs_f64();
            best = best.min(secs);
            requests = session.requests();
            checks = records.len();
        }
        println!(
            "{concurrency:>12} {checks:>8} {requests:>9} {best:>9.2} {:>11.0}",
            requests as f64 / best
        );
    }
}

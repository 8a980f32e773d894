//! Where generation time goes, by case class: every feasible aws-2026 class's instances (16 each,
//! seed 7, as `cases --format jsonl` makes them), timed class by class on one thread, the best of
//! several rounds; prints the total and the slowest classes. A profiling aid next to the criterion
//! bench (`benches/generate.rs`), which gives the figure `make bench` reports.
//!
//! `cargo run --release --example gen_by_class [-- FILTER…]` (ids containing any FILTER);
//! `ROUNDS=N` sets the rounds (default 7). Under `valgrind --tool=cachegrind` with `ROUNDS=1` its
//! instruction count is a figure that does not move with the machine's load.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Instant;

/// The allocator of `lambda-conform` and of the criterion bench (src/main.rs, src/allocator.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Its tuning, as `lambda-conform` sets it (src/allocator.rs).
#[path = "../src/allocator.rs"]
mod allocator;

use lambda_conform::generate::Context;
use lambda_conform::harness;
use lambda_conform::spec;
use lambda_conform::transport::target::EMULATOR_ROLE_ARN;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(7);
    // As `cases` runs (and the criterion bench).
    allocator::tune(true);
    let table = Arc::new(spec::load(spec::DEFAULT_PROFILE, None)?);
    let ctx = Context::new(7, EMULATOR_ROLE_ARN);
    let cases: Vec<_> = harness::feasible_cases(&table, &ctx)
        .into_iter()
        .filter(|c| filters.is_empty() || filters.iter().any(|f| c.id.contains(f.as_str())))
        .collect();
    // Two rounds to warm the per-thread caches (pattern generators, the last zip decoded).
    for _ in 0..2 {
        for c in &cases {
            harness::corpus(&table, &ctx, c, 7, 16);
        }
    }
    let mut best = f64::MAX;
    let mut rows = Vec::new();
    let mut instances = 0;
    for _ in 0..rounds.max(1) {
        let mut total = 0.0;
        let mut round = Vec::new();
        instances = 0;
        for c in &cases {
            let t = Instant::now();
            let n = harness::corpus(&table, &ctx, c, 7, 16).len();
            let dt = t.elapsed().as_secs_f64();
            total += dt;
            instances += n;
            round.push((dt, n, c.id.clone()));
        }
        if total < best {
            best = total;
            rows = round;
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    // Written, not printed: `| head -1` closes the pipe early, and that is no error here.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "best total {:.1} ms, {instances} instances, {:.0}/s",
        best * 1e3,
        instances as f64 / best
    );
    for (dt, n, id) in rows.iter().take(15) {
        if writeln!(
            out,
            "{:7.2} ms {:5.1}% {n:3} {id}",
            dt * 1e3,
            dt / best * 100.0
        )
        .is_err()
        {
            break;
        }
    }
    Ok(())
}

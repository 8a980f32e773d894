//! Generation alone: every request `lambda-conform cases --format jsonl` makes for the whole aws-2026
//! table (every feasible case class, 16 instances each, seed 7), built and encoded as JSON lines, on
//! one thread; the case table itself is made once, outside the timed loop. `cargo bench --bench generate`; `scripts/bench.sh` turns the time into cases/s/core.
//!
//! Prints `instances N` (the corpus size per iteration) before criterion's figures; criterion
//! reports the same as `thrpt` (instances per second).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The allocator `lambda-conform` itself runs on, tuned as `cases` tunes it (src/allocator.rs): what is timed is
/// what that command does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Its tuning, as `lambda-conform` sets it (src/allocator.rs).
#[path = "../src/allocator.rs"]
mod allocator;

use lambda_conform::generate::Context;
use lambda_conform::harness;
use lambda_conform::spec;
use lambda_conform::transport::target::EMULATOR_ROLE_ARN;

const SEED: u64 = 7;
const CASES: u32 = 16;

/// The whole corpus as JSON lines (what `cases --format jsonl` prints); gives the number of lines.
fn corpus_jsonl(
    table: &Arc<spec::Spec>,
    ctx: &Context,
    cases: &[lambda_conform::generate::Case],
    out: &mut Vec<u8>,
) -> u64 {
    let mut n = 0;
    for c in cases {
        for inst in harness::corpus(table, ctx, c, SEED, CASES) {
            inst.write_export_line(out);
            out.push(b'\n');
            n += 1;
        }
    }
    n
}

fn generate(c: &mut Criterion) {
    let table = match spec::load(spec::DEFAULT_PROFILE, None) {
        Ok(t) => Arc::new(t),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    // As `cases` tunes it before it starts (without this, transparent huge pages were on here and
    // off in `cases`: the kernel zeroing 2 MiB pages was 4.5 % of the time timed).
    allocator::tune(true);
    let ctx = Context::new(SEED, EMULATOR_ROLE_ARN);
    // The case table is made once per run (start-up); the loop times making the instances.
    let cases = harness::feasible_cases(&table, &ctx);
    let mut out = Vec::with_capacity(64 << 20);
    let n = corpus_jsonl(&table, &ctx, &cases, &mut out);
    println!("instances {n}");
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n));
    group.bench_function("aws-2026", |b| {
        b.iter(|| {
            out.clear();
            black_box(corpus_jsonl(&table, &ctx, &cases, &mut out))
        })
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);

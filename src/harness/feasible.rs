//! Which case classes a table can build: each class is probed with a few draws (start-up's main
//! cost), once per process for a table and context.

use std::sync::{Arc, Mutex};

use super::check::{checks, Check};
use crate::generate::{self, Case, Context};
use crate::spec::Spec;

/// Case classes that can build at least one instance (a few draws with a probe context).
///
/// Worked out once per process for a given table and context (keyed by the table's serialised
/// content and every field of the context): the test binaries and self-tests prepare many runs of
/// the same table, and the probing draws cost more than a run against the stub.
pub fn feasible_cases(spec: &Spec, ctx: &Context) -> Vec<Case> {
    // One slot per table and context: threads asking at once wait for one probe instead of each
    // making its own.
    match feasible_slot(spec, ctx) {
        Some(slot) => slot.get_or_init(|| probe_feasible(spec, ctx)).clone(),
        None => probe_feasible(spec, ctx),
    }
}

type FeasibleSlot = Arc<std::sync::OnceLock<Vec<Case>>>;

/// The memo slot of [`feasible_cases`] for this table and context (keyed by the table's serialised
/// content and every field of the context).
fn feasible_slot(spec: &Spec, ctx: &Context) -> Option<FeasibleSlot> {
    type Memo = Mutex<std::collections::HashMap<[u8; 32], FeasibleSlot>>;
    static MEMO: std::sync::OnceLock<Memo> = std::sync::OnceLock::new();
    let key = table_key(spec, ctx)?;
    let mut memo = MEMO.get_or_init(Default::default).lock().ok()?;
    Some(memo.entry(key).or_default().clone())
}

/// A key for a table and a context: the sha256 of the table's serialised content and every field
/// of the context (what a generated case or instance depends on besides its own seed).
pub(super) fn table_key(spec: &Spec, ctx: &Context) -> Option<[u8; 32]> {
    let table = serde_json::to_vec(spec).ok()?;
    let key = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(&table);
        for part in [&ctx.run_prefix, &ctx.role, &ctx.region] {
            h.update(part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(ctx.account.as_deref().unwrap_or("\0none").as_bytes());
        h.update(&ctx.zip);
        <[u8; 32]>::from(h.finalize())
    };
    Some(key)
}

/// The feasible case classes with a check (the class or its SDK twin) whose id contains `filter`:
/// [`feasible_cases`] filtered, but only the matching classes are probed.
pub fn feasible_matching(spec: &Spec, ctx: &Context, filter: &str) -> Vec<Case> {
    let matches = |c: &Case| {
        checks(vec![c.clone()], true)
            .iter()
            .any(|k| !matches!(k, Check::Lifecycle(_)) && k.id().contains(filter))
    };
    if let Some(all) = feasible_slot(spec, ctx).and_then(|s| s.get().cloned()) {
        return all.into_iter().filter(matches).collect();
    }
    // Only the matching classes are drawn from: marked with the resources their repairs add, then probed.
    let mut candidates: Vec<Case> = generate::classes(spec)
        .into_iter()
        .filter(matches)
        .collect();
    generate::mark_added_resources(spec, &mut candidates);
    probe(spec, ctx, candidates)
}

fn probe_feasible(spec: &Spec, ctx: &Context) -> Vec<Case> {
    probe(spec, ctx, generate::cases(spec))
}

fn probe(spec: &Spec, ctx: &Context, cases: Vec<Case>) -> Vec<Case> {
    let buildable = |c: &Case| {
        (0..24u64).any(|s| {
            c.instance(spec, ctx, 0, s.wrapping_mul(0x9E37_79B9))
                .is_some()
        })
    };
    generate::par::par_map(&cases, |c| {
        if buildable(c) {
            return Some(c.clone());
        }
        // A row that cannot be broken alone: accept its inevitable companions.
        let mut c = c.clone();
        c.exact = false;
        buildable(&c).then_some(c)
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Case classes the generator cannot build for this spec, with the reason (for `cases --infeasible`).
pub fn infeasible_cases(spec: &Spec, ctx: &Context) -> Vec<String> {
    let feasible: Vec<String> = feasible_cases(spec, ctx)
        .into_iter()
        .map(|c| c.id)
        .collect();
    generate::cases(spec)
        .into_iter()
        .map(|c| c.id)
        .filter(|id| !feasible.contains(id))
        .collect()
}

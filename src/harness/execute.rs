//! Running one case class: its instances, shrinking a failure to the minimal request, cleaning up.

use std::sync::Arc;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sha2::Digest as _;

use super::run_config::Snapshots;
use super::session::Session;
use crate::generate::{Case, Context, Instance};
use crate::oracle::{self, snapshot, Facts, Fault, Finding, Judgement};
use crate::report::TrialRecord;
use crate::spec::Spec;
use crate::transport::{target::Target, WireResponse};

/// A 32-byte seed for one instance of one case, from the run seed: the same run seed gives the same
/// requests whatever order the cases run in.
pub fn instance_seed(run_seed: u64, case_id: &str, index: u32) -> [u8; 32] {
    let mut h = sha2::Sha256::new();
    h.update(run_seed.to_le_bytes());
    h.update(case_id.as_bytes());
    h.update(index.to_le_bytes());
    h.finalize().into()
}

fn seed_u64(bytes: &[u8; 32]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default())
}

fn facts_for(s: &Session, case: &Case) -> Facts {
    Facts {
        assumption: case.assumption.clone(),
        ..s.facts.clone()
    }
}

/// Sends one request and judges it; deletes the function if the request created one.
async fn exchange(s: &Session, case: &Case, inst: &Instance) -> (Judgement, Option<WireResponse>) {
    // Worked out when the instance was built, with this session's spec and context.
    let answer = &inst.answer;
    note_sent(s, case, inst, answer);
    let result = s.send_create(&inst.request, &inst.function_name).await;
    let recorded = crate::transport::record::last_index();
    let notes: Vec<String> = delete_if_created(s, &result, &inst.function_name)
        .await
        .into_iter()
        .collect();
    let leaked = match &result {
        Ok(r) if !oracle::created(&result) => sweep(s, &inst.function_name, r).await,
        _ => None,
    };
    let mut judgement = oracle::judge_built(
        &s.spec,
        &inst.request,
        inst.json.as_ref(),
        answer,
        &result,
        &facts_for(s, case),
    );
    if let (Some(i), Ok(mut v)) = (recorded, s.verdicts.lock()) {
        v.insert(i, judgement.clone());
    }
    judgement.findings.extend(leaked);
    if let (Snapshots::Check(dir), Ok(resp)) = (&s.config.snapshots, &result) {
        let value = snapshot::normalise(&s.spec, inst.json.as_ref(), resp);
        let dir = dir.join(&s.spec.profile);
        let from = format!(
            "{} on {}",
            s.endpoint_label,
            &s.started[..10.min(s.started.len())]
        );
        if let Err(diff) = snapshot::check(&dir, &case.id, &from, &value) {
            judgement
                .findings
                .push(snapshot::finding(&dir, &case.id, &diff));
        }
    }
    judgement.notes.extend(notes);
    (judgement, result.ok())
}

/// Keeps the frozen line of a request a case class sends (the run's `corpus_sha256`). A case
/// class sends one request at a time, so its lines keep their send order.
fn note_sent(
    s: &Session,
    case: &Case,
    inst: &Instance,
    answer: &crate::spec::validate::Expectation,
) {
    let n = s.sent.lock().map(|sent| sent.count(&case.id)).unwrap_or(0);
    let frozen = super::corpus::freeze_answered(&s.spec, &s.ctx, case, n as u32, inst, answer);
    let line = super::corpus::line(&frozen);
    if let Ok(mut sent) = s.sent.lock() {
        sent.push(&case.id, line);
    }
}

/// Runs a case class on exactly the corpus's requests: every one is sent (no replay, no shrinking,
/// no generation); the trial shows the first that is not conformant, else the first.
async fn run_corpus_case(s: &Session, case: &Case, corpus: &super::corpus::Corpus) -> TrialRecord {
    let mut instances = 0u32;
    let mut shown: Option<(Instance, Judgement)> = None;
    for inst in corpus.instances(&case.id, &s.spec, &s.ctx) {
        let (j, _) = exchange(s, case, &inst).await;
        instances += 1;
        let keep = match &shown {
            None => true,
            Some((_, first)) => first.outcome().is_conformant() && !j.outcome().is_conformant(),
        };
        if keep {
            shown = Some((inst, j));
        }
    }
    if shown.is_none() {
        let j = Judgement::fault(Fault::Unbuildable(format!(
            "the corpus has no request of {}",
            case.id
        )));
        return TrialRecord::judged(case.id.clone(), case.kind.as_str(), &j);
    }
    finish(s, case, instances, shown, false)
}

/// After a create sent as `sent`: deletes the function the answer says it made (see [`delete`] for
/// which names never are); a failed delete is a note for the trial.
pub(crate) async fn delete_if_created(
    s: &Session,
    result: &Result<WireResponse, crate::transport::TransportError>,
    sent: &str,
) -> Option<String> {
    if !oracle::created(result) {
        return None;
    }
    let name = result
        .as_ref()
        .ok()
        .and_then(|r| r.json_str_member("FunctionName"))
        .unwrap_or_else(|| oracle_bare(sent));
    delete(s, &name, sent)
        .await
        .err()
        .map(|e| format!("clean-up: could not delete {name}: {e}"))
}

/// After an error answer: did the endpoint create the function anyway? Only names this run made
/// (they start with the run prefix) are looked at and deleted; real AWS is not asked (it never does).
pub(crate) async fn sweep(s: &Session, name: &str, answer: &WireResponse) -> Option<Finding> {
    if s.config.target == Target::Aws || !name.starts_with(&s.ctx.run_prefix) || name.contains(':')
    {
        return None;
    }
    // A DELETE both asks and cleans up: the name is this run's own, so it deletes nothing else.
    match s.api().delete_function(name).await {
        Ok(r) if (200..300).contains(&r.status) => Some(oracle::leaked(name, answer.status)),
        _ => None,
    }
}

/// Deletes a function this run created after a successful create of `sent` (the name as the
/// request named it). Never one it did not create: a name the answer gives that is neither the one
/// sent nor carries the run's prefix is left alone. Throttling is absorbed.
pub(crate) async fn delete(s: &Session, name: &str, sent: &str) -> Result<(), String> {
    if name != oracle_bare(sent) && !name.starts_with(&s.ctx.run_prefix) {
        return Err(format!(
            "not deleted: the answer names {name}, which the request did not send and which does not carry this run's prefix {}",
            s.ctx.run_prefix
        ));
    }
    s.ledger.created(name);
    match s.api().delete_function(name).await {
        Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
            s.ledger.gone(name);
            Ok(())
        }
        Ok(r) => Err(format!("DELETE answered {}", r.status)),
        Err(e) => Err(e.to_string()),
    }
}

fn build(s: &Session, case: &Case, param: u64, seed: u64) -> Option<Instance> {
    (0..24u64).find_map(|k| case.instance(&s.spec, &s.ctx, param, seed.wrapping_add(k)))
}

/// Runs one case class and gives its trial record.
pub async fn run_case(s: &Session, case: &Case) -> TrialRecord {
    let kind = case.kind.as_str();
    if let Some(need) = &case.needs_resource {
        if s.config.target != Target::Stub {
            let j = Judgement::skipped(format!(
                "needs {need}: a valid value must name an existing resource"
            ));
            return TrialRecord::judged(case.id.clone(), kind, &j);
        }
    }

    if let Some(corpus) = &s.config.corpus {
        return run_corpus_case(s, case, corpus).await;
    }
    // Replayed failures first, then the boundary (param 0), then generated instances.
    let planned: Vec<(u64, u64)> = s
        .regressions
        .lock()
        .map(|r| r.for_case(&case.id))
        .unwrap_or_default();
    let boundary_instance = s.boundary_of(case, s.config.seed);
    let mut instances = 0u32;
    let mut first: Option<(Instance, Judgement)> = None;

    let replayed = planned
        .into_iter()
        .filter_map(|(param, seed)| build(s, case, param, seed));
    for inst in replayed.chain(boundary_instance) {
        let (j, _) = exchange(s, case, &inst).await;
        instances += 1;
        let failed = !j.outcome().is_conformant();
        if first.is_none() || failed {
            first = Some((inst, j));
        }
        if failed {
            return finish(s, case, instances, first, true);
        }
    }
    if first.is_none() {
        let j = Judgement::fault(Fault::Unbuildable(format!(
            "the generator found no instance of {}",
            case.id
        )));
        return TrialRecord::judged(case.id.clone(), kind, &j);
    }

    let extra = if case.deterministic {
        0
    } else {
        s.config.cases.saturating_sub(1)
    };
    let mut gave_up = Vec::new();
    for i in 1..=extra {
        let Some(mut tree) = generated(&s.spec, &s.ctx, case, s.config.seed, i) else {
            gave_up.push(format!(
                "instance {i}: the generator gave up (too many rejected draws)"
            ));
            continue;
        };
        let inst = tree.current();
        let (j, _) = exchange(s, case, &inst).await;
        instances += 1;
        let outcome = j.outcome();
        if outcome.is_conformant() {
            continue;
        }
        if !outcome.differs() {
            return finish(s, case, instances, Some((inst, j)), false);
        }
        // Shrink toward the boundary: keep the simplest instance that still differs.
        let mut best = (inst, j);
        let mut last_failed = true;
        for _ in 0..s.config.max_shrink {
            let moved = if last_failed {
                tree.simplify()
            } else {
                tree.complicate()
            };
            if !moved {
                break;
            }
            let cand = tree.current();
            let (cj, _) = exchange(s, case, &cand).await;
            instances += 1;
            let o = cj.outcome();
            last_failed = o.differs();
            if last_failed {
                best = (cand, cj);
            } else if o.is_harness_error() {
                break;
            }
        }
        return finish(s, case, instances, Some(best), true);
    }
    if let Some((_, j)) = &mut first {
        j.notes.extend(gave_up);
    }
    finish(s, case, instances, first, false)
}

fn finish(
    s: &Session,
    case: &Case,
    instances: u32,
    judged: Option<(Instance, Judgement)>,
    persist: bool,
) -> TrialRecord {
    let Some((inst, j)) = judged else {
        return TrialRecord::new(case.id.clone(), case.kind.as_str());
    };
    let mut record = TrialRecord::judged(case.id.clone(), case.kind.as_str(), &j);
    record.instances = instances;
    let outcome = j.outcome();
    if !outcome.is_conformant() {
        record.reproduction = Some(s.api().client().reproduction(&inst.request));
        record.seed = Some(crate::report::instance_seed(inst.param, inst.seed));
        if persist && outcome.differs() {
            if let Ok(mut r) = s.regressions.lock() {
                r.record(&case.id, inst.param, inst.seed, &j.message());
            }
        }
    }
    record
}

fn oracle_bare(name: &str) -> String {
    name.rsplit(':')
        .find(|p| !p.is_empty() && *p != "$LATEST")
        .unwrap_or(name)
        .to_string()
}

/// The shrinkable tree of generated instance `index` (≥ 1) of a case.
pub fn generated(
    spec: &Arc<Spec>,
    ctx: &Arc<Context>,
    case: &Case,
    run_seed: u64,
    index: u32,
) -> Option<Box<dyn ValueTree<Value = Instance>>> {
    let rng = TestRng::from_seed(
        RngAlgorithm::ChaCha,
        &instance_seed(run_seed, &case.id, index),
    );
    let mut runner = TestRunner::new_with_rng(
        Config {
            max_local_rejects: 512,
            ..Config::default()
        },
        rng,
    );
    case.strategy(spec.clone(), ctx.clone())
        .new_tree(&mut runner)
        .ok()
        .map(|t| Box::new(t) as Box<dyn ValueTree<Value = Instance>>)
}

/// The boundary instance (param 0) of a case for a run seed.
pub fn boundary(spec: &Spec, ctx: &Context, case: &Case, run_seed: u64) -> Option<Instance> {
    let seed = seed_u64(&instance_seed(run_seed, &case.id, 0));
    (0..24u64).find_map(|k| case.instance(spec, ctx, 0, seed.wrapping_add(k)))
}

/// Every request a run with this seed sends for a case before any shrinking: the boundary, then
/// `n - 1` generated instances (one for deterministic cases). Two calls give identical requests.
pub fn corpus(
    spec: &Arc<Spec>,
    ctx: &Context,
    case: &Case,
    run_seed: u64,
    n: u32,
) -> Vec<Instance> {
    let ctx = Arc::new(ctx.clone());
    let mut out: Vec<Instance> = boundary(spec, &ctx, case, run_seed).into_iter().collect();
    if !case.deterministic {
        for i in 1..n {
            if let Some(tree) = generated(spec, &ctx, case, run_seed, i) {
                out.push(tree.current());
            }
        }
    }
    out
}

//! `run --covering`: the lifecycle checks folded into the creates the covering run makes anyway.
//!
//! One shared create (A, the one setting the fewest members of its own) is the function the checks
//! build on: it is created, read back (ListFunctions, GetFunctionConfiguration, GetFunction), created
//! again (duplicate name: the one create made only for a lifecycle check, since a second create of an
//! existing name is the check itself; after the read-back, so an endpoint that lets it replace the
//! function does not change what was read), sent the validation-before-conflict probe (the violation
//! class the normal check uses, sent with A's name: that one request covers both ids), deleted (the
//! delete it needs anyway, judged), looked up once more (404), and its name is then created again with
//! another shared body (B): that create covers B's classes and delete-then-recreate. Publish-on-create
//! is folded into a third shared body when the table answers success with `Publish: true` added.
//!
//! Every verdict is the oracle's (`oracle::lifecycle` and `oracle::judge`), from the same requests the
//! normal checks send. When a folded request is not conformant, the class it also covered is sent
//! again on its own, so a lifecycle failure is never pinned on a case class (or the other way round).

use serde_json::Value;

use super::covering::{cover, shared_request, Sent, Shared};
use super::execute::delete_if_created;
use super::lifecycle::{self as lc, Lifecycle, LifecycleRun};
use super::session::Session;
use crate::generate::{Case, Instance};
use crate::oracle::{self, lifecycle as judge, Fault, Judgement};
use crate::report::{Covered, TrialRecord};
use crate::spec::validate::Expectation;
use crate::transport::lambda_api;
use crate::wire::WireRequest;

/// Which shared creates the lifecycle checks ride on (indexes into the covering run's groups).
pub(super) struct LifecyclePlan {
    /// The checks asked for.
    wanted: Vec<Lifecycle>,
    /// The create the checks build on; None: a create of the smallest valid request is made for them.
    a: Option<usize>,
    /// The body created again under A's name after A's delete.
    b: Option<usize>,
    /// The body that carries `Publish: true`.
    pub(super) publish: Option<usize>,
}

impl LifecyclePlan {
    /// The group is sent by the lifecycle chain, not on its own.
    pub(super) fn chained(&self, i: usize) -> bool {
        self.a == Some(i) || self.b == Some(i)
    }

    fn wants(&self, l: Lifecycle) -> bool {
        self.wanted.contains(&l)
    }
}

/// The normal check's record from a lifecycle run (the reproduction given or made from `request`).
fn record(s: &Session, l: Lifecycle, run: LifecycleRun, request: &WireRequest) -> TrialRecord {
    let mut rec = TrialRecord::judged(l.id(), "lifecycle", &run.j);
    rec.instances = run.instances;
    if !rec.outcome.is_conformant() {
        rec.reproduction = Some(
            run.reproduction
                .unwrap_or_else(|| s.api().client().reproduction(request)),
        );
    }
    rec
}

fn new_run(first: Option<&Sent>) -> LifecycleRun {
    let mut run = LifecycleRun {
        j: Judgement::default(),
        instances: 0,
        reproduction: None,
        created: false,
    };
    if let Some(Ok(r)) = first.map(|f| &f.result) {
        run.instances = 1;
        run.j.observed = oracle::describe_response(r);
    }
    run
}

/// The fault of a check whose first create did not make the function (as the normal check says it).
fn precondition(first: &Sent) -> Fault {
    match &first.result {
        Ok(r) => Fault::Precondition(format!(
            "the first create was {} ({}): the check builds on it",
            if r.status == 429 {
                "throttled"
            } else {
                "not accepted"
            },
            r.status
        )),
        Err(e) => Fault::NoAnswer {
            during: "the first create".into(),
            error: e.clone(),
        },
    }
}

impl Session {
    /// Chooses the shared creates for the lifecycle checks, and adds `Publish: true` to one of them
    /// when the table allows it.
    pub(super) fn plan_lifecycle(
        &self,
        groups: &mut [Shared],
        lifecycle: &[Lifecycle],
    ) -> LifecyclePlan {
        let mut plan = LifecyclePlan {
            wanted: lifecycle.to_vec(),
            a: None,
            b: None,
            publish: None,
        };
        let chain = [
            Lifecycle::DuplicateName,
            Lifecycle::ValidationBeforeConflict,
            Lifecycle::ReadBack,
            Lifecycle::DeleteThenRecreate,
        ];
        // A class naming the function (an ARN, the longest name) keeps that name: not one to reuse.
        let by_size = |groups: &[Shared], not: &[Option<usize>]| {
            (0..groups.len())
                .filter(|i| !not.contains(&Some(*i)))
                .filter(|i| !groups[*i].owned.contains_key("FunctionName"))
                .min_by_key(|i| groups[*i].owned.len())
        };
        if chain.iter().any(|l| plan.wants(*l)) {
            plan.a = by_size(groups, &[]);
        }
        if plan.wants(Lifecycle::PublishOnCreate) {
            plan.publish = (0..groups.len())
                .filter(|i| Some(*i) != plan.a)
                .find(|i| self.takes_publish(&groups[*i]));
            if let Some(p) = plan.publish {
                let g = &mut groups[p];
                g.body.insert("Publish".into(), Value::Bool(true));
                g.owned.insert("Publish".into(), Value::Bool(true));
            }
        }
        if plan.wants(Lifecycle::DeleteThenRecreate) && plan.a.is_some() {
            plan.b = by_size(groups, &[plan.a, plan.publish])
                .or_else(|| by_size(groups, &[plan.a]))
                .filter(|b| {
                    let mut body = groups[*b].body.clone();
                    body.insert(
                        "FunctionName".into(),
                        Value::String(groups[plan.a.unwrap_or(*b)].name.clone()),
                    );
                    self.answer(&body) == Expectation::Success
                });
        }
        plan
    }

    /// The table answers success for `g`'s body with `Publish: true`, and no class in it set Publish.
    fn takes_publish(&self, g: &Shared) -> bool {
        if g.owned
            .get("Publish")
            .is_some_and(|v| v != &Value::Bool(true))
        {
            return false;
        }
        let mut body = g.body.clone();
        body.insert("Publish".into(), Value::Bool(true));
        self.answer(&body) == Expectation::Success
    }

    /// The publish-on-create record from the shared create that published.
    pub(super) fn published(
        &self,
        request: &WireRequest,
        j: &Judgement,
        shared: usize,
    ) -> TrialRecord {
        let mut j = j.clone();
        if shared > 0 {
            j.notes.push(format!(
                "covering run: Publish true folded into a create shared by {shared} classes"
            ));
        }
        let mut rec = TrialRecord::judged(Lifecycle::PublishOnCreate.id(), "lifecycle", &j);
        rec.instances = 1;
        if !rec.outcome.is_conformant() {
            rec.reproduction = Some(self.api().client().reproduction(request));
        }
        rec
    }

    /// Runs the lifecycle checks on A and B (see the module doc); gives the id of the violation class
    /// whose verdict the validation-before-conflict request also gave (it is not sent again).
    pub(super) fn run_chain(
        &self,
        plan: &LifecyclePlan,
        groups: &[Shared],
        alone: &[(Case, Instance)],
        records: &mut Vec<TrialRecord>,
        coverage: &mut Vec<Covered>,
    ) -> Option<String> {
        if plan.wants(Lifecycle::PublishOnCreate) && plan.publish.is_none() {
            self.publish_alone(records, coverage);
        }
        let chain: Vec<Lifecycle> = plan
            .wanted
            .iter()
            .copied()
            .filter(|l| *l != Lifecycle::PublishOnCreate)
            .collect();
        if chain.is_empty() {
            return None;
        }
        // A: a shared create, or (a table with no shared create) the smallest valid request.
        let (a_cases, name, create) = match plan.a.map(|a| &groups[a]) {
            Some(g) => (g.cases.clone(), g.name.clone(), shared_request(self, g)),
            None => {
                let name = lc::lifecycle_name(self, Lifecycle::ReadBack);
                let create = lc::base_instance(self, &name, &[]);
                (Vec::new(), name, create)
            }
        };
        let first = self.create_judged(&create, &name, None);
        let created = oracle::created(&first.result);
        if created {
            self.ledger.created(&name);
        }
        let mut a_ids = Vec::new();
        let mut a_follow = Vec::new();
        let mut folded = None;
        let mut exists = created;

        let mut settled = false;
        if plan.wants(Lifecycle::ReadBack) {
            let mut run = new_run(Some(&first));
            a_ids.push(Lifecycle::ReadBack.id().to_string());
            match (&first.result, created) {
                (Ok(r), true) => {
                    let before = self.api().requests();
                    settled = lc::read_back(self, &name, r, &mut run);
                    a_follow.extend(before + 1..=self.api().requests());
                }
                _ => run.j.set_fault(precondition(&first)),
            }
            records.push(record(self, Lifecycle::ReadBack, run, &create));
        }

        // After the read-back: a duplicate that replaced the function must not change what is read.
        if plan.wants(Lifecycle::DuplicateName) {
            let mut run = new_run(Some(&first));
            if !created {
                run.j.set_fault(precondition(&first));
                a_ids.push(Lifecycle::DuplicateName.id().to_string());
            } else {
                let again = lc::send_plain(self, &create);
                let number = self.api().requests();
                run.instances += 1;
                match again {
                    Ok(r) => {
                        let facts = oracle::Facts {
                            assumption: None,
                            ..self.facts.clone()
                        };
                        run.absorb(judge::duplicate(&self.spec, &create, &name, r, &facts));
                    }
                    Err(error) => run.j.set_fault(Fault::NoAnswer {
                        during: "the second create".into(),
                        error,
                    }),
                }
                run.reproduction =
                    Some(self.api().client().reproduction_after(&[&create], &create));
                cover(
                    coverage,
                    number,
                    &[],
                    vec![Lifecycle::DuplicateName.id().to_string()],
                    Vec::new(),
                );
            }
            records.push(record(self, Lifecycle::DuplicateName, run, &create));
        }

        if plan.wants(Lifecycle::ValidationBeforeConflict) {
            folded = self.validation_before_conflict(
                &first, created, &name, &create, alone, &mut a_ids, records, coverage,
            );
        }

        let mut b_sent: Option<(Sent, WireRequest)> = None;
        let mut dtr_run: Option<LifecycleRun> = None;
        // The judged delete and the lookup after it: the requests delete-then-recreate also rests on.
        let mut follow = Vec::new();
        if plan.wants(Lifecycle::DeleteThenRecreate) {
            let mut run = new_run(Some(&first));
            if !created {
                run.j.set_fault(precondition(&first));
                a_ids.push(Lifecycle::DeleteThenRecreate.id().to_string());
                records.push(record(self, Lifecycle::DeleteThenRecreate, run, &create));
            } else {
                let before = self.api().requests();
                if !settled {
                    lc::settle(self, &name);
                }
                let path = lambda_api::function_path(&name);
                let mut faulted = false;
                match lc::send_retrying(self, &WireRequest::bodiless("DELETE", &path)) {
                    Ok(r) => {
                        if (200..300).contains(&r.status) || r.status == 404 {
                            self.ledger.gone(&name);
                            exists = false;
                        }
                        run.j.findings.extend(judge::deleted(&r));
                    }
                    Err(error) => {
                        run.j.set_fault(Fault::NoAnswer {
                            during: "DeleteFunction".into(),
                            error,
                        });
                        faulted = true;
                    }
                }
                if !faulted {
                    match lc::send_retrying(self, &WireRequest::bodiless("GET", &path)) {
                        Ok(r) => {
                            let still = judge::gone(&r);
                            if still.is_some() {
                                // Still there: it is deleted at the end (clean-up, not the check).
                                self.ledger.created(&name);
                                exists = true;
                            }
                            run.j.findings.extend(still);
                        }
                        Err(error) => {
                            run.j.set_fault(Fault::NoAnswer {
                                during: "GetFunction".into(),
                                error,
                            });
                            faulted = true;
                        }
                    }
                }
                follow.extend(before + 1..=self.api().requests());
                if faulted {
                    a_ids.push(Lifecycle::DeleteThenRecreate.id().to_string());
                    a_follow.append(&mut follow);
                    records.push(record(self, Lifecycle::DeleteThenRecreate, run, &create));
                } else {
                    // The re-create: B's body under A's name (A's own body when there is no B).
                    let recreate = match plan.b.map(|b| &groups[b]) {
                        Some(g) => {
                            let mut g_body = g.body.clone();
                            g_body.insert("FunctionName".into(), Value::String(name.clone()));
                            let bytes =
                                serde_json::to_vec(&Value::Object(g_body)).unwrap_or_default();
                            WireRequest::post_json(&self.spec.source.uri, bytes)
                        }
                        None => create.clone(),
                    };
                    let sent = self.create_judged(&recreate, &name, None);
                    run.instances += 3;
                    match &sent.result {
                        Ok(r) => {
                            if oracle::created(&sent.result) {
                                self.ledger.created(&name);
                                exists = true;
                            }
                            if r.status == 429 {
                                run.j.set_fault(Fault::Throttled {
                                    during: "the re-create".into(),
                                    detail: oracle::describe_response(r),
                                });
                            }
                            run.j.findings.extend(judge::recreated(r));
                        }
                        Err(error) => run.j.set_fault(Fault::NoAnswer {
                            during: "the re-create".into(),
                            error: error.clone(),
                        }),
                    }
                    // Recorded at the end, with what the clean-up of the name says.
                    dtr_run = Some(run);
                    b_sent = Some((sent, recreate));
                }
            }
        }

        // A's classes: the first create's verdict; A is deleted now unless the chain already did.
        let mut j = first.judgement.clone();
        if exists && b_sent.is_none() {
            j.notes
                .extend(self.block_on(delete_if_created(self, &first.result, &name)));
            exists = false;
        }
        self.class_records(&create, &j, &a_cases, records);
        cover(coverage, first.number, &a_cases, a_ids, a_follow);

        if let Some((mut sent, recreate)) = b_sent {
            let b_cases = plan.b.map(|b| groups[b].cases.clone()).unwrap_or_default();
            let conformant = sent.judgement.outcome().is_conformant();
            if oracle::created(&sent.result) {
                sent.judgement.notes.extend(self.block_on(delete_if_created(
                    self,
                    &sent.result,
                    &name,
                )));
                exists = false;
            }
            let dtr = vec![Lifecycle::DeleteThenRecreate.id().to_string()];
            if conformant || b_cases.is_empty() {
                self.class_records(&recreate, &sent.judgement, &b_cases, records);
                cover(coverage, sent.number, &b_cases, dtr, follow);
            } else {
                // The re-create did not give B's classes a verdict of their own: B is sent alone.
                cover(coverage, sent.number, &[], dtr, follow);
                if let Some(g) = plan.b.map(|b| &groups[b]) {
                    let request = shared_request(self, g);
                    let sent = self.create_judged(&request, &g.name, None);
                    self.finish_create(
                        &request,
                        &g.name,
                        sent,
                        &g.cases,
                        Vec::new(),
                        records,
                        coverage,
                    );
                }
            }
        }
        let mut notes = Vec::new();
        if exists {
            lc::cleanup(self, &name, &mut notes);
        }
        if let Some(mut run) = dtr_run {
            run.j.notes.extend(notes);
            records.push(record(self, Lifecycle::DeleteThenRecreate, run, &create));
        }
        folded
    }

    /// Validation before conflict: the probe class's request with A's name. Its answer gives the
    /// probe class its verdict too when it is conformant; otherwise that class is sent on its own.
    #[allow(clippy::too_many_arguments)]
    fn validation_before_conflict(
        &self,
        first: &Sent,
        created: bool,
        name: &str,
        create: &WireRequest,
        alone: &[(Case, Instance)],
        a_ids: &mut Vec<String>,
        records: &mut Vec<TrialRecord>,
        coverage: &mut Vec<Covered>,
    ) -> Option<String> {
        let l = Lifecycle::ValidationBeforeConflict;
        let mut run = new_run(Some(first));
        if !created {
            run.j.set_fault(precondition(first));
            a_ids.push(l.id().to_string());
            records.push(record(self, l, run, create));
            return None;
        }
        let probe = lc::conflict_probe(self, &self.cases());
        // The probe's instance as the covering run built it (the same boundary instance).
        let inst = probe.as_ref().and_then(|p| {
            alone
                .iter()
                .find(|(c, _)| c.id == p.id)
                .map(|(_, i)| i.clone())
                .or_else(|| super::boundary(&self.spec, &self.ctx, p, self.config.seed))
        });
        let request = inst.as_ref().and_then(|i| lc::with_name(self, i, name));
        let (Some(probe), Some(request)) = (probe, request) else {
            run.j.set_fault(Fault::Unbuildable(
                "the table has no validation-family constraint to break".into(),
            ));
            a_ids.push(l.id().to_string());
            records.push(record(self, l, run, create));
            return None;
        };
        let sent = self.create_judged(&request, name, None);
        run.instances += 1;
        let conformant = sent.judgement.outcome().is_conformant();
        if !conformant {
            run.reproduction = Some(self.api().client().reproduction_after(&[create], &request));
        }
        run.absorb(sent.judgement.clone());
        records.push(record(self, l, run, &request));
        let in_alone = alone.iter().any(|(c, _)| c.id == probe.id);
        if conformant && in_alone {
            let mut j = sent.judgement.clone();
            j.notes.push(format!(
                "covering run: sent with the existing name {name}, also covering {}",
                l.id()
            ));
            self.class_records(&request, &j, std::slice::from_ref(&probe), records);
            cover(
                coverage,
                sent.number,
                std::slice::from_ref(&probe),
                vec![l.id().into()],
                Vec::new(),
            );
            Some(probe.id)
        } else {
            cover(coverage, sent.number, &[], vec![l.id().into()], Vec::new());
            None
        }
    }

    /// Publish-on-create when no shared create can carry `Publish: true`: its own create.
    fn publish_alone(&self, records: &mut Vec<TrialRecord>, coverage: &mut Vec<Covered>) {
        let mut name = format!("{}-p", lc::lifecycle_name(self, Lifecycle::PublishOnCreate));
        name.truncate(64);
        let publish = lc::base_instance(self, &name, &[("Publish", Value::Bool(true))]);
        let mut sent = self.create_judged(&publish, &name, None);
        sent.judgement
            .notes
            .extend(self.block_on(delete_if_created(self, &sent.result, &name)));
        records.push(self.published(&publish, &sent.judgement, 0));
        cover(
            coverage,
            sent.number,
            &[],
            vec![Lifecycle::PublishOnCreate.id().to_string()],
            Vec::new(),
        );
    }
}

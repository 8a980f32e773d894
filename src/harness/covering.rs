//! `run --covering`: every case class once, with the fewest requests.
//!
//! Each class sends one instance (its boundary). Classes whose request must succeed share creates:
//! the valid and boundary requests are folded into as few bodies as the table allows — a class's
//! members (what its body sets or leaves out beside the smallest valid request) are added to a shared
//! body when they set no member another class in it set differently, and the table's own validation
//! still answers success for the whole. One create (and its delete) then covers every class folded
//! into it, and its verdict is theirs. Classes resting on the same assumption whose request must
//! succeed (a JSON null treated as absent) share a create the same way, apart from the others; when
//! its verdict is not conformant, each is sent alone after all. Every other class (violations, wire
//! cases) is sent alone. Error answers are not followed by a delete each; the run's clean-up lists the
//! run's prefix once and removes (and reports) any function an error answer created. The lifecycle
//! checks ride on the shared creates ([`super::covering_lifecycle`]).
//!
//! The requests are sent one at a time, so the run's request counter numbers them: the report's
//! `coverage` says which request covered which case ids.

use serde_json::{Map, Value};

use super::execute::{boundary, delete_if_created};
use super::lifecycle::Lifecycle;
use super::session::Session;
use crate::generate::{Case, CaseKind, Instance};
use crate::oracle::{self, Facts, Judgement};
use crate::report::{Covered, TrialRecord};
use crate::spec::validate::{self, Expectation};
use crate::transport::target::Target;
use crate::transport::TransportError;
use crate::wire::{WireRequest, WireResponse};

/// A body being built for several classes.
pub(super) struct Shared {
    pub(super) body: Map<String, Value>,
    /// The members some class set (or left out) on purpose, with the value (None: left out).
    pub(super) owned: Map<String, Value>,
    pub(super) name: String,
    pub(super) cases: Vec<Case>,
}

/// A body shared by classes resting on one assumption (a JSON null, a member sent both null and
/// absent, are told apart here).
struct Assumed {
    shared: Shared,
    owned: Vec<(String, Option<Value>)>,
    cases: Vec<Case>,
    instances: Vec<Instance>,
}

/// A create sent and judged, not yet deleted.
pub(super) struct Sent {
    pub(super) result: Result<WireResponse, TransportError>,
    /// Its number in the run's request count.
    pub(super) number: u64,
    pub(super) judgement: Judgement,
}

/// The top-level members where `body` differs from the smallest valid request: the value it sends
/// there, or `Null` standing for "left out".
fn own_members(base: &Map<String, Value>, body: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in body {
        if base.get(k) != Some(v) {
            out.insert(k.clone(), v.clone());
        }
    }
    for k in base.keys() {
        if !body.contains_key(k) {
            out.insert(k.clone(), Value::Null);
        }
    }
    out
}

impl Session {
    /// Runs every class of `cases` once, sharing successful creates, and the `lifecycle` checks on
    /// those shared creates; gives the trial records and which request covered which case ids.
    pub fn run_covering(
        &self,
        cases: &[Case],
        lifecycle: &[Lifecycle],
    ) -> (Vec<TrialRecord>, Vec<Covered>) {
        let mut records = Vec::new();
        let mut coverage = Vec::new();
        let mut alone: Vec<(Case, Instance)> = Vec::new();
        let mut groups: Vec<Shared> = Vec::new();
        let mut assumed: Vec<(String, Vec<Assumed>)> = Vec::new();
        for case in cases {
            let kind = case.kind.as_str();
            if let Some(need) = &case.needs_resource {
                if self.config.target != Target::Stub {
                    let j = Judgement::skipped(format!(
                        "needs {need}: a valid value must name an existing resource"
                    ));
                    records.push(TrialRecord::judged(case.id.clone(), kind, &j));
                    continue;
                }
            }
            let Some(inst) = boundary(&self.spec, &self.ctx, case, self.config.seed) else {
                let j = Judgement::fault(oracle::Fault::Unbuildable(format!(
                    "the generator found no instance of {}",
                    case.id
                )));
                records.push(TrialRecord::judged(case.id.clone(), kind, &j));
                continue;
            };
            let shareable = matches!(case.kind, CaseKind::Valid | CaseKind::Boundary)
                && case.assumption.is_none();
            match (
                shareable,
                &case.assumption,
                inst.json.as_ref().and_then(Value::as_object),
            ) {
                (true, _, Some(body)) => {
                    if !self.fold(&mut groups, case, &inst, body) {
                        alone.push((case.clone(), inst));
                    }
                }
                (false, Some(a), Some(body)) => {
                    let same = assumed.iter_mut().find(|(b, _)| b == a);
                    let fits = match same {
                        Some((_, g)) => self.fold_assumed(g, case, &inst, body),
                        None => {
                            let mut g = Vec::new();
                            let fits = self.fold_assumed(&mut g, case, &inst, body);
                            assumed.push((a.clone(), g));
                            fits
                        }
                    };
                    if !fits {
                        alone.push((case.clone(), inst));
                    }
                }
                _ => alone.push((case.clone(), inst)),
            }
        }
        // Classes resting on the same assumption share a create; when its verdict is not
        // conformant each is sent alone after all, so a broken assumption is pinned to its class.
        for (assumption, gs) in &assumed {
            for g in gs {
                if g.cases.len() < 2 {
                    alone.extend(g.cases.iter().cloned().zip(g.instances.iter().cloned()));
                    continue;
                }
                let request = shared_request(self, &g.shared);
                let mut sent =
                    self.create_judged(&request, &g.shared.name, Some(assumption.clone()));
                if sent.judgement.outcome().is_conformant() {
                    self.finish_create(
                        &request,
                        &g.shared.name,
                        sent,
                        &g.cases,
                        Vec::new(),
                        &mut records,
                        &mut coverage,
                    );
                } else {
                    sent.judgement.notes.extend(self.block_on(delete_if_created(
                        self,
                        &sent.result,
                        &g.shared.name,
                    )));
                    alone.extend(g.cases.iter().cloned().zip(g.instances.iter().cloned()));
                }
            }
        }
        let plan = self.plan_lifecycle(&mut groups, lifecycle);
        for (i, g) in groups.iter().enumerate() {
            if plan.chained(i) {
                continue;
            }
            let request = shared_request(self, g);
            let sent = self.create_judged(&request, &g.name, None);
            let mut extra = Vec::new();
            if plan.publish == Some(i) {
                records.push(self.published(&request, &sent.judgement, g.cases.len()));
                extra.push(Lifecycle::PublishOnCreate.id().to_string());
            }
            self.finish_create(
                &request,
                &g.name,
                sent,
                &g.cases,
                extra,
                &mut records,
                &mut coverage,
            );
        }
        let folded = self.run_chain(&plan, &groups, &alone, &mut records, &mut coverage);
        for (case, inst) in &alone {
            if folded.as_deref() == Some(case.id.as_str()) {
                continue;
            }
            let sent =
                self.create_judged(&inst.request, &inst.function_name, case.assumption.clone());
            self.finish_create(
                &inst.request,
                &inst.function_name,
                sent,
                std::slice::from_ref(case),
                Vec::new(),
                &mut records,
                &mut coverage,
            );
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        coverage.sort_by_key(|c| c.request);
        (records, coverage)
    }

    /// Adds a class resting on an assumption to the first shared body of its assumption it fits: its
    /// members beside the smallest valid request (a JSON null kept as sent) clash with none another
    /// class of the body set, and the table answers success for the whole.
    fn fold_assumed(
        &self,
        groups: &mut Vec<Assumed>,
        case: &Case,
        inst: &Instance,
        body: &Map<String, Value>,
    ) -> bool {
        let base = self.ctx.base_request(&self.spec, &inst.function_name);
        let Some(base) = base.as_object() else {
            return false;
        };
        // Sent members that differ from the base, and base members left out (as absent).
        let mut own: Vec<(String, Option<Value>)> = body
            .iter()
            .filter(|(k, v)| *k != "FunctionName" && base.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        own.extend(
            base.keys()
                .filter(|k| !body.contains_key(*k))
                .map(|k| (k.clone(), None)),
        );
        if self.answer(body) != Expectation::Success {
            return false;
        }
        for g in groups.iter_mut() {
            if own
                .iter()
                .any(|(k, v)| g.owned.iter().any(|(l, w)| l == k && w != v))
            {
                continue;
            }
            let mut merged = g.shared.body.clone();
            for (k, v) in &own {
                match v {
                    Some(v) => merged.insert(k.clone(), v.clone()),
                    None => merged.remove(k),
                };
            }
            if self.answer(&merged) != Expectation::Success {
                continue;
            }
            g.shared.body = merged;
            g.owned.extend(own);
            g.shared.cases.push(case.clone());
            g.cases.push(case.clone());
            g.instances.push(inst.clone());
            return true;
        }
        groups.push(Assumed {
            shared: Shared {
                body: body.clone(),
                owned: Map::new(),
                name: inst.function_name.clone(),
                cases: vec![case.clone()],
            },
            owned: own,
            cases: vec![case.clone()],
            instances: vec![inst.clone()],
        });
        true
    }

    /// Adds a successful class's body to the first shared body it fits; a new shared body when none.
    fn fold(
        &self,
        groups: &mut Vec<Shared>,
        case: &Case,
        inst: &Instance,
        body: &Map<String, Value>,
    ) -> bool {
        let base = self.ctx.base_request(&self.spec, &inst.function_name);
        let Some(base) = base.as_object() else {
            return false;
        };
        let own = own_members(base, body);
        for g in groups.iter_mut() {
            if own
                .iter()
                .any(|(k, v)| g.owned.get(k).is_some_and(|w| w != v))
            {
                continue;
            }
            let mut merged = g.body.clone();
            for (k, v) in &own {
                if k == "FunctionName" {
                    continue;
                }
                if v.is_null() {
                    merged.remove(k);
                } else {
                    merged.insert(k.clone(), v.clone());
                }
            }
            // A class naming the function keeps its own name; the group's other classes do not care.
            let name_owned = own.contains_key("FunctionName");
            if name_owned && g.owned.contains_key("FunctionName") {
                continue;
            }
            let mut name = g.name.clone();
            if name_owned {
                if let Some(v) = body.get("FunctionName") {
                    merged.insert("FunctionName".into(), v.clone());
                    name = inst.function_name.clone();
                }
            }
            if self.answer(&merged) != Expectation::Success {
                continue;
            }
            g.body = merged;
            g.name = name;
            g.owned.extend(own);
            g.cases.push(case.clone());
            return true;
        }
        if self.answer(body) != Expectation::Success {
            return false;
        }
        groups.push(Shared {
            body: body.clone(),
            owned: own,
            name: inst.function_name.clone(),
            cases: vec![case.clone()],
        });
        true
    }

    pub(super) fn answer(&self, body: &Map<String, Value>) -> Expectation {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        validate::answer_with(
            &self.spec,
            &bytes,
            Some("application/json"),
            &self.ctx.facts(bytes.len()),
        )
    }

    /// Sends one create and judges it (the table's answer for its body; `assumption` when the class
    /// rests on one); nothing is deleted yet.
    pub(super) fn create_judged(
        &self,
        request: &WireRequest,
        name: &str,
        assumption: Option<String>,
    ) -> Sent {
        let answer = validate::answer_with(
            &self.spec,
            &request.body,
            request.header("content-type"),
            &self.ctx.facts(request.body.len()),
        );
        let result = self.block_on(self.send_create(request, name));
        let number = self.api().requests();
        let facts = Facts {
            assumption,
            ..self.facts.clone()
        };
        let judgement = oracle::judge(&self.spec, request, &answer, &result, &facts);
        Sent {
            result,
            number,
            judgement,
        }
    }

    /// Deletes what `sent` created and gives its verdict to every class of `cases` (one record each);
    /// the coverage entry lists them and the `extra` ids (lifecycle checks) it covered too.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn finish_create(
        &self,
        request: &WireRequest,
        name: &str,
        mut sent: Sent,
        cases: &[Case],
        extra: Vec<String>,
        records: &mut Vec<TrialRecord>,
        coverage: &mut Vec<Covered>,
    ) {
        sent.judgement
            .notes
            .extend(self.block_on(delete_if_created(self, &sent.result, name)));
        self.class_records(request, &sent.judgement, cases, records);
        cover(coverage, sent.number, cases, extra, Vec::new());
    }

    /// One record per class of `cases`, all with the verdict `j` of the create they shared.
    pub(super) fn class_records(
        &self,
        request: &WireRequest,
        j: &Judgement,
        cases: &[Case],
        records: &mut Vec<TrialRecord>,
    ) {
        let mut j = j.clone();
        if cases.len() > 1 {
            j.notes.push(format!(
                "covering run: one create shared by {} classes",
                cases.len()
            ));
        }
        for case in cases {
            let mut record = TrialRecord::judged(case.id.clone(), case.kind.as_str(), &j);
            record.instances = 1;
            if !j.outcome().is_conformant() {
                record.reproduction = Some(self.api().client().reproduction(request));
            }
            records.push(record);
        }
    }
}

/// The create of a shared body.
pub(super) fn shared_request(s: &Session, g: &Shared) -> WireRequest {
    let bytes = serde_json::to_vec(&Value::Object(g.body.clone())).unwrap_or_default();
    WireRequest::post_json(&s.spec.source.uri, bytes)
}

/// Notes that request `number` covered `cases` and the `extra` ids, resting also on `follow_ups`.
pub(super) fn cover(
    coverage: &mut Vec<Covered>,
    number: u64,
    cases: &[Case],
    extra: Vec<String>,
    follow_ups: Vec<u64>,
) {
    let mut ids: Vec<String> = cases.iter().map(|c| c.id.clone()).chain(extra).collect();
    ids.sort();
    coverage.push(Covered {
        request: number,
        operation: "CreateFunction".into(),
        case_ids: ids,
        follow_ups,
    });
}
